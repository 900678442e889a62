//! Volumes against vigil-sim (issue 16, "Done when" on ONETSolutions: a volume created,
//! attached, resized and deleted), on ONETSolutions (per instance, each write a task; cloudsfor
//! in `volumes_cloudsfor_sim.rs`): every operation `Succeeded` only while the
//! simulator's ground truth agrees at that moment; the documented refusals before sending and in
//! the provider's words; a detach from a running VM asks first; unknown values never success;
//! an operation resumed after a reload; the providers without volumes say why.

mod common;

use common::vol::*;
use common::*;
use vigil_core::dialect::{Absent, Avail, Dialect};
use vigil_core::words::ResRefusal;
use vigil_core::{
    Action, DialectKind, OpId, Phase, PowerState, Refusal, Res, ResourceKind, Scope, VmId,
    VolumeSpec,
};
use vigil_sim::ResState as Truth;

fn running_onet_vm(w: &World) -> String {
    w.vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string()
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
