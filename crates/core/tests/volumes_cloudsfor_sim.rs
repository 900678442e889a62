//! cloudsfor volumes against vigil-sim (per account, DigitalOcean's shape): a named volume made
//! in a VM's region, attached, grown, detached (asked first) and deleted, each `Succeeded` only
//! while the simulator's ground truth agrees; the refusals before sending and in the provider's
//! words; a failed action ends failed; an attach resumed after a reload.

mod common;

use common::vol::*;
use common::*;
use vigil_core::words::ResRefusal;
use vigil_core::{
    Action, DialectKind, Phase, PowerState, Refusal, ResourceKind, Scope, VmId, VolumeSpec,
};
use vigil_sim::ResState as Truth;

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
