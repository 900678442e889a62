//! Volumes against vigil-sim (issue 16, "Done when" on ONETSolutions: a volume created,
//! attached, resized and deleted), on ONETSolutions (per instance, each write a task) and
//! cloudsfor (per account, DigitalOcean's shape): every operation `Succeeded` only while the
//! simulator's ground truth agrees at that moment; the documented refusals before sending and in
//! the provider's words; a detach from a running VM asks first; unknown values never success;
//! an operation resumed after a reload; the providers without volumes say why.

mod common;

use common::*;
use vigil_core::dialect::{Absent, Avail, Dialect};
use vigil_core::words::ResRefusal;
use vigil_core::{
    Action, DialectKind, OpId, Operation, Phase, PowerState, Refusal, Res, ResourceKind, Scope,
    Target, VmId, VolumeSpec,
};
use vigil_sim::{ResState as Truth, VolumeFact};

const ONET: &str = "onetsolutions";
const CLOUDSFOR: &str = "cloudsfor";

fn learned(op: &Operation) -> String {
    match &op.target {
        Target::Res { id: Some(id), .. } => id.clone(),
        t => panic!("no id learned: {t:?}"),
    }
}

fn target_id(op: &Operation) -> Result<String, String> {
    match &op.target {
        Target::Res { id: Some(id), .. } => Ok(id.clone()),
        _ => Err("no id yet".into()),
    }
}

fn truth(sim: &vigil_sim::Sim, dialect: &str, id: &str) -> Result<VolumeFact, String> {
    sim.volume(dialect, id)
        .ok_or_else(|| "not in the truth".into())
}

/// The volume, ready in the truth with `size` GB and attached to `vm` (`None`: to none).
fn ready(
    dialect: &'static str,
    size: Option<u32>,
    vm: Option<String>,
) -> impl Fn(&vigil_sim::Sim, &Operation) -> Result<(), String> {
    move |sim, op| {
        let t = truth(sim, dialect, &target_id(op)?)?;
        let ok =
            t.state == Truth::Ready && size.is_none_or(|s| t.size_gb == s) && t.attached_to == vm;
        ok.then_some(()).ok_or_else(|| format!("{t:?}"))
    }
}

fn gone(dialect: &'static str) -> impl Fn(&vigil_sim::Sim, &Operation) -> Result<(), String> {
    move |sim, op| match sim.volume(dialect, &target_id(op)?) {
        Some(t) if t.state != Truth::Gone => Err(format!("{t:?}")),
        _ => Ok(()),
    }
}

/// No volume operation of ours is taken for one started elsewhere.
fn none_started_elsewhere(w: &World) {
    let seen: Vec<_> = w
        .engine
        .view()
        .operations()
        .filter(|o| o.origin.is_elsewhere())
        .map(|o| o.action.clone())
        .collect();
    assert!(seen.is_empty(), "ours taken as started elsewhere: {seen:?}");
}

fn running_onet_vm(w: &World) -> String {
    w.vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string()
}

fn said(op: &Operation) -> String {
    format!("{:?}", op.note)
}

/// ONET: a volume made on a running instance, attached, grown, detached (asked first: the
/// instance runs) and deleted — each verified on the volume against the truth.
#[test]
fn an_onet_volume_is_created_attached_resized_detached_and_deleted() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(171, 0.0));
    let vm = running_onet_vm(&w);
    let scope = Scope::Vm(VmId::from(vm.as_str()));
    let before = w.read_list(&scope, ResourceKind::Volume);
    let create = Action::CreateVolume(VolumeSpec {
        name: String::new(),
        size_gb: 20,
        region: None,
    });
    let id = w.act_res(&scope, create).unwrap();
    let op = w.succeeds_checked(&id, ready(ONET, Some(20), None));
    let vol = learned(&op);
    assert!(!before.items.iter().any(|r| r.id == vol), "a new one");
    assert_eq!(
        truth(&w.sim, ONET, &vol).unwrap().owner_vm,
        Some(vm.clone())
    );
    let name = truth(&w.sim, ONET, &vol).unwrap().name;
    let attach = Action::AttachVolume {
        id: vol.clone(),
        name: name.clone(),
        vm: VmId::from(vm.as_str()),
    };
    let id = w.act_res(&scope, attach).unwrap();
    w.succeeds_checked(&id, ready(ONET, Some(20), Some(vm.clone())));
    let resize = Action::ResizeVolume {
        id: vol.clone(),
        name: name.clone(),
        size_gb: 40,
    };
    let id = w.act_res(&scope, resize).unwrap();
    w.succeeds_checked(&id, ready(ONET, Some(40), Some(vm.clone())));
    let shown = w.list(&scope, ResourceKind::Volume).unwrap();
    let item = shown.items.iter().find(|r| r.id == vol).unwrap();
    assert_eq!(item.size_gb(), Some(40));
    assert_eq!(item.attached_to().map(VmId::as_str), Some(vm.as_str()));
    // The instance runs: the detach asks first (the typed value the page shows), and is
    // refused without the confirmation, nothing sent.
    let ask = w
        .engine
        .view()
        .detach_confirm(&"c".into(), &VmId::from(vm.as_str()));
    assert!(
        matches!(ask, Some(ResRefusal::DetachWhileRunning { .. })),
        "{ask:?}"
    );
    let detach = |running_ok| Action::DetachVolume {
        id: vol.clone(),
        name: name.clone(),
        vm: VmId::from(vm.as_str()),
        running_ok,
    };
    let sent = w.sent.len();
    let refused = w.act_res(&scope, detach(false));
    assert!(
        matches!(
            refused,
            Err(Refusal::Res(ResRefusal::DetachWhileRunning { .. }))
        ),
        "{refused:?}"
    );
    assert_eq!(w.sent.len(), sent);
    let id = w.act_res(&scope, detach(true)).unwrap();
    w.succeeds_checked(&id, ready(ONET, Some(40), None));
    let del = Action::DeleteVolume {
        id: vol.clone(),
        name,
    };
    let id = w.act_res(&scope, del).unwrap();
    w.succeeds_checked(&id, gone(ONET));
    assert!(w.count_sent("/volumes") >= 5);
    none_started_elsewhere(&w);
}

/// A seeded, attached ONET volume and the instance it is on.
fn seeded_onet(w: &mut World) -> (Scope, Res) {
    for vm in w.vms() {
        let scope = Scope::Vm(vm.id.clone());
        let list = w.read_list(&scope, ResourceKind::Volume);
        if let Some(r) = list.items.iter().find(|r| r.attached_to().is_some()) {
            return (scope, r.clone());
        }
    }
    panic!("a seeded attached volume")
}

/// ONET's rules, checked before sending against the lists as read: volumes only grow, attach
/// only to their own instance, are not deleted while attached.
#[test]
fn onet_refusals_before_sending() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(172, 0.0));
    let (scope, vol) = seeded_onet(&mut w);
    let owner = scope.vm().unwrap().clone();
    let other = w
        .vms()
        .into_iter()
        .find(|v| v.id != owner)
        .unwrap()
        .id
        .clone();
    let sent = w.sent.len();
    let shrink = Action::ResizeVolume {
        id: vol.id.clone(),
        name: vol.name.clone(),
        size_gb: vol.size_gb().unwrap(),
    };
    let r = w.act_res(&scope, shrink);
    assert!(
        matches!(r, Err(Refusal::Res(ResRefusal::VolumeGrowsOnly { current })) if Some(current) == vol.size_gb()),
        "{r:?}"
    );
    let del = Action::DeleteVolume {
        id: vol.id.clone(),
        name: vol.name.clone(),
    };
    let r = w.act_res(&scope, del);
    assert!(
        matches!(r, Err(Refusal::Res(ResRefusal::DetachBeforeDelete { .. }))),
        "{r:?}"
    );
    let attach = Action::AttachVolume {
        id: vol.id.clone(),
        name: vol.name.clone(),
        vm: other,
    };
    let r = w.act_res(&scope, attach);
    assert!(
        matches!(r, Err(Refusal::Res(ResRefusal::VolumeAttached { .. }))),
        "{r:?}"
    );
    let too_big = Action::ResizeVolume {
        id: vol.id.clone(),
        name: vol.name.clone(),
        size_gb: 20_000,
    };
    let r = w.act_res(&scope, too_big);
    assert!(
        matches!(
            r,
            Err(Refusal::Res(ResRefusal::VolumeSize { max: Some(10_000) }))
        ),
        "{r:?}"
    );
    // A new one without the list read first cannot be told from those there before.
    let mut fresh = World::new(DialectKind::OnetSolutions, scenario(172, 0.0));
    let create = Action::CreateVolume(VolumeSpec {
        name: String::new(),
        size_gb: 10,
        region: None,
    });
    let r = fresh.act_res(&scope, create);
    assert!(
        matches!(r, Err(Refusal::Res(ResRefusal::ReadListFirst { .. }))),
        "{r:?}"
    );
    assert_eq!(w.sent.len(), sent, "nothing sent");
}

/// What the engine could not know (the list not read since the provider's own console changed
/// it): the provider refuses, its words are kept, and nothing counts as done.
#[test]
fn onet_refusals_in_the_providers_words() {
    let w = World::new(DialectKind::OnetSolutions, scenario(173, 0.0));
    let seeded = w
        .sim
        .volumes(ONET)
        .into_iter()
        .find(|v| v.attached_to.is_some())
        .expect("a seeded attached volume");
    let owner = VmId::from(seeded.owner_vm.clone().unwrap().as_str());
    let scope = Scope::Vm(owner.clone());
    let (id, name) = (seeded.id.clone(), seeded.name.clone());
    let cases = [
        (
            Action::ResizeVolume {
                id: id.clone(),
                name: name.clone(),
                size_gb: seeded.size_gb,
            },
            "Volumes can only grow",
        ),
        (
            Action::AttachVolume {
                id: id.clone(),
                name: name.clone(),
                vm: owner.clone(),
            },
            "already attached",
        ),
        (
            Action::DeleteVolume {
                id: id.clone(),
                name: name.clone(),
            },
            "Detach the volume before deleting it",
        ),
    ];
    for (action, words) in cases {
        // Each on a fresh page: once refused, the list is read again and the next is refused
        // before sending.
        let mut w = World::new(DialectKind::OnetSolutions, scenario(173, 0.0));
        let op_id = w.act_res(&scope, action.clone()).unwrap();
        let op = w.run_checked(&op_id, |_, _| Err("a refused write never succeeds".into()));
        assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
        assert!(said(&op).contains(words), "{}", said(&op));
        let t = truth(&w.sim, ONET, &id).unwrap();
        assert_eq!(
            (t.size_gb, &t.attached_to),
            (seeded.size_gb, &seeded.attached_to)
        );
        // The engine reads the list again on its own, and then knows.
        let (c, s2) = (vigil_core::ConnId::from("c"), scope.clone());
        w.run_until(60_000, move |e| {
            e.view()
                .list(&c, &s2, ResourceKind::Volume)
                .is_some_and(|l| l.read_at.is_some() && !l.reading)
        });
        let again = w.act_res(&scope, action);
        assert!(matches!(again, Err(Refusal::Res(_))), "{again:?}");
    }
}

/// The `lag` fault: the task reports `completed` before the volume shows the new size; the
/// resize is not done until it does. An unknown status is never ready.
#[test]
fn a_lagging_volume_and_unknown_values_never_count_as_done() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(174, 0.0));
    w.sim
        .set_faults(vigil_sim::Faults::parse("lag=15000").unwrap());
    let (scope, vol) = seeded_onet(&mut w);
    let id = w
        .act_res(
            &scope,
            Action::ResizeVolume {
                id: vol.id.clone(),
                name: vol.name.clone(),
                size_gb: vol.size_gb().unwrap() + 10,
            },
        )
        .unwrap();
    let want = vol.size_gb().unwrap() + 10;
    let op = w.run_checked(&id, move |sim, op| {
        let t = truth(sim, ONET, &target_id(op)?)?;
        (t.size_gb == want && t.state == Truth::Ready)
            .then_some(())
            .ok_or_else(|| format!("reported done, not grown yet: {t:?}"))
    });
    assert!(
        matches!(op.phase, Phase::Succeeded | Phase::NeedsCheck),
        "{:?}",
        op.phase
    );
    // A status this version does not know: kept raw, never ready.
    let onet = vigil_core::dialect::onet::Onet::new(
        "https://api.example/v1",
        vigil_core::demo::credentials(DialectKind::OnetSolutions),
    );
    let body = r#"{"count":1,"next":null,"previous":null,"results":[{"id":"v1","name":"data",
        "size_gb":30,"status":"migrating","instance_id":"i1","attached":true}]}"#;
    let resp = vigil_core::HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: body.into(),
    };
    let scope = Scope::Vm(VmId::from("i1"));
    let items = onet
        .parse_res(&scope, ResourceKind::Volume, &resp, 0)
        .unwrap();
    assert_eq!(
        items[0].state,
        vigil_core::ResState::Unknown("migrating".into())
    );
    let expect = Action::ResizeVolume {
        id: "v1".into(),
        name: "data".into(),
        size_gb: 30,
    }
    .expectation(None, vigil_core::Addressed::No);
    let seen = vigil_core::Seen {
        res: Some(vigil_core::ResSeen::Found(&items[0])),
        ..Default::default()
    };
    assert!(expect.check(seen).is_err());
}

/// A volume's create kept by the page and resumed after a reload ends verified on the volume
/// the provider really made.
#[test]
fn a_volume_operation_resumes_after_a_reload() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(175, 0.0));
    let vm = running_onet_vm(&w);
    let scope = Scope::Vm(VmId::from(vm.as_str()));
    w.read_list(&scope, ResourceKind::Volume);
    let create = Action::CreateVolume(VolumeSpec {
        name: String::new(),
        size_gb: 15,
        region: None,
    });
    let id: OpId = w.act_res(&scope, create).unwrap();
    w.run_until(60_000, |e| e.op(&id).phase == Phase::InProgress);
    let text = serde_json::to_string(&w.engine.saved()).unwrap();
    let saved: vigil_core::SavedState = serde_json::from_str(&text).unwrap();
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    let op = w.succeeds_checked(&id, ready(ONET, Some(15), None));
    assert_eq!(
        truth(&w.sim, ONET, &learned(&op)).unwrap().owner_vm,
        Some(vm)
    );
    none_started_elsewhere(&w);
}

/// A running cloudsfor VM and its region.
fn cloudsfor_vm(w: &World) -> (String, String) {
    let vm = w.vm_where(|v| v.power == PowerState::Running && !v.locked && v.region.is_some());
    (vm.id.to_string(), vm.region.unwrap())
}

fn cloudsfor_create(w: &mut World, name: &str, region: &str, size: u32) -> String {
    let create = Action::CreateVolume(VolumeSpec {
        name: name.into(),
        size_gb: size,
        region: Some(region.into()),
    });
    let id = w.act_res(&Scope::Conn, create).unwrap();
    let op = w.succeeds_checked(&id, ready(CLOUDSFOR, Some(size), None));
    let vol = learned(&op);
    assert_eq!(truth(&w.sim, CLOUDSFOR, &vol).unwrap().name, name);
    vol
}

/// cloudsfor: a named volume made in a VM's region, attached to the VM, grown, detached
/// (asked first) and deleted, each verified against the truth.
#[test]
fn a_cloudsfor_volume_is_created_attached_resized_detached_and_deleted() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(176, 0.0));
    let (vm, region) = cloudsfor_vm(&w);
    w.read_list(&Scope::Conn, ResourceKind::Volume);
    let vol = cloudsfor_create(&mut w, "db-data", &region, 50);
    let scope = Scope::Conn;
    let attach = Action::AttachVolume {
        id: vol.clone(),
        name: "db-data".into(),
        vm: VmId::from(vm.as_str()),
    };
    let id = w.act_res(&scope, attach).unwrap();
    w.succeeds_checked(&id, ready(CLOUDSFOR, Some(50), Some(vm.clone())));
    let resize = Action::ResizeVolume {
        id: vol.clone(),
        name: "db-data".into(),
        size_gb: 80,
    };
    let id = w.act_res(&scope, resize).unwrap();
    w.succeeds_checked(&id, ready(CLOUDSFOR, Some(80), Some(vm.clone())));
    let detach = |running_ok| Action::DetachVolume {
        id: vol.clone(),
        name: "db-data".into(),
        vm: VmId::from(vm.as_str()),
        running_ok,
    };
    let r = w.act_res(&scope, detach(false));
    assert!(
        matches!(r, Err(Refusal::Res(ResRefusal::DetachWhileRunning { .. }))),
        "{r:?}"
    );
    let id = w.act_res(&scope, detach(true)).unwrap();
    w.succeeds_checked(&id, ready(CLOUDSFOR, Some(80), None));
    let id = w
        .act_res(
            &scope,
            Action::DeleteVolume {
                id: vol.clone(),
                name: "db-data".into(),
            },
        )
        .unwrap();
    w.succeeds_checked(&id, gone(CLOUDSFOR));
    assert!(!w
        .list(&scope, ResourceKind::Volume)
        .unwrap()
        .items
        .iter()
        .any(|r| r.id == vol));
    none_started_elsewhere(&w);
}

/// cloudsfor's rules before sending (a shrink, a VM of another region, no region chosen) and
/// its refusals in its own words (a name it does not take, a delete while attached it could
/// not know of); a failed action ends failed, the volume unchanged.
#[test]
fn cloudsfor_refusals_before_sending_and_in_the_providers_words() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(177, 0.0));
    let (vm, region) = cloudsfor_vm(&w);
    w.read_list(&Scope::Conn, ResourceKind::Volume);
    let vol = cloudsfor_create(&mut w, "logs", &region, 30);
    let sent = w.sent.len();
    let r = w.act_res(
        &Scope::Conn,
        Action::ResizeVolume {
            id: vol.clone(),
            name: "logs".into(),
            size_gb: 20,
        },
    );
    assert!(
        matches!(
            r,
            Err(Refusal::Res(ResRefusal::VolumeGrowsOnly { current: 30 }))
        ),
        "{r:?}"
    );
    if let Some(far) = w
        .vms()
        .into_iter()
        .find(|v| v.region.as_deref() != Some(&region))
    {
        let r = w.act_res(
            &Scope::Conn,
            Action::AttachVolume {
                id: vol.clone(),
                name: "logs".into(),
                vm: far.id.clone(),
            },
        );
        assert!(
            matches!(r, Err(Refusal::Res(ResRefusal::VolumeOtherRegion { .. }))),
            "{r:?}"
        );
    }
    let r = w.act_res(
        &Scope::Conn,
        Action::CreateVolume(VolumeSpec {
            name: "x".into(),
            size_gb: 10,
            region: None,
        }),
    );
    assert!(
        matches!(r, Err(Refusal::Res(ResRefusal::ChooseRegion))),
        "{r:?}"
    );
    assert_eq!(w.sent.len(), sent, "nothing sent");
    // The provider's words: a name it does not take.
    let id = w
        .act_res(
            &Scope::Conn,
            Action::CreateVolume(VolumeSpec {
                name: "Data_Vol".into(),
                size_gb: 10,
                region: Some(region.clone()),
            }),
        )
        .unwrap();
    let op = w.run_checked(&id, |_, _| Err("a refused create never succeeds".into()));
    assert_eq!(op.phase, Phase::Failed);
    assert!(
        said(&op).contains("name must be lowercase"),
        "{}",
        said(&op)
    );
    // Attached behind the engine's back (the list not read since): the delete is refused by
    // the provider, in its words.
    let id = w
        .act_res(
            &Scope::Conn,
            Action::AttachVolume {
                id: vol.clone(),
                name: "logs".into(),
                vm: VmId::from(vm.as_str()),
            },
        )
        .unwrap();
    w.succeeds_checked(&id, ready(CLOUDSFOR, Some(30), Some(vm.clone())));
    let mut fresh = World::new(DialectKind::Cloudsfor, scenario(177, 0.0));
    std::mem::swap(&mut fresh.sim, &mut w.sim);
    fresh.now = w.now;
    let id = fresh
        .act_res(
            &Scope::Conn,
            Action::DeleteVolume {
                id: vol.clone(),
                name: "logs".into(),
            },
        )
        .unwrap();
    let op = fresh.run_checked(&id, |_, _| Err("a refused delete never succeeds".into()));
    assert_eq!(op.phase, Phase::Failed);
    assert!(said(&op).contains("detach it first"), "{}", said(&op));
    assert_eq!(
        truth(&fresh.sim, CLOUDSFOR, &vol).unwrap().state,
        Truth::Ready
    );
}

/// With every action failing, an attach ends failed as the provider reports it (`errored`),
/// and the volume stays detached.
#[test]
fn a_failed_cloudsfor_attach_ends_failed() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(178, 1.0));
    let (vm, region) = cloudsfor_vm(&w);
    w.read_list(&Scope::Conn, ResourceKind::Volume);
    let vol = cloudsfor_create(&mut w, "scratch", &region, 10);
    let id = w
        .act_res(
            &Scope::Conn,
            Action::AttachVolume {
                id: vol.clone(),
                name: "scratch".into(),
                vm: VmId::from(vm.as_str()),
            },
        )
        .unwrap();
    let op = w.run_checked(&id, |_, _| Err("a failed attach never succeeds".into()));
    assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
    assert!(said(&op).contains("errored"), "{}", said(&op));
    assert_eq!(truth(&w.sim, CLOUDSFOR, &vol).unwrap().attached_to, None);
}

/// A cloudsfor attach (an action followed by `type` + `started_at`) resumes after a reload.
#[test]
fn a_cloudsfor_attach_resumes_after_a_reload() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(179, 0.0));
    let (vm, region) = cloudsfor_vm(&w);
    w.read_list(&Scope::Conn, ResourceKind::Volume);
    let vol = cloudsfor_create(&mut w, "kept", &region, 10);
    let id = w
        .act_res(
            &Scope::Conn,
            Action::AttachVolume {
                id: vol.clone(),
                name: "kept".into(),
                vm: VmId::from(vm.as_str()),
            },
        )
        .unwrap();
    w.run_until(60_000, |e| {
        e.op(&id).phase == Phase::Accepted || e.op(&id).phase == Phase::InProgress
    });
    let text = serde_json::to_string(&w.engine.saved()).unwrap();
    let saved: vigil_core::SavedState = serde_json::from_str(&text).unwrap();
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    w.succeeds_checked(&id, ready(CLOUDSFOR, Some(10), Some(vm)));
    none_started_elsewhere(&w);
}

/// The providers without volumes say why, per their sheets; a list of them is refused rather
/// than sent.
#[test]
fn providers_without_volumes_say_why() {
    let why = |d: DialectKind| d.caps().volumes.absent_why();
    assert_eq!(why(DialectKind::Hostway), Some(Absent::NotPublished));
    assert_eq!(why(DialectKind::ZennoHosting), Some(Absent::NotPublished));
    assert_eq!(why(DialectKind::Erigones), Some(Absent::InVmDefinition));
    for d in [DialectKind::OnetSolutions, DialectKind::Cloudsfor] {
        assert_eq!(why(d), None, "{d:?}");
        assert_eq!(d.caps().volumes.attach, Avail::Offered);
        assert!(d.caps().volumes.grows_only);
    }
    let mut w = World::new(DialectKind::Hostway, scenario(180, 0.0));
    let refused = w.engine.cmd(
        vigil_core::Command::ReadList {
            conn: "c".into(),
            scope: Scope::Conn,
            kind: ResourceKind::Volume,
        },
        w.now,
    );
    assert!(
        matches!(refused, Err(Refusal::NotOffered { .. })),
        "{refused:?}"
    );
    assert!(w.engine.view().volume_scopes(&"c".into()).is_empty());
    let r = w.act_res(
        &Scope::Conn,
        Action::CreateVolume(VolumeSpec {
            name: "x".into(),
            size_gb: 1,
            region: None,
        }),
    );
    assert!(matches!(r, Err(Refusal::NotOffered { .. })), "{r:?}");
}
