//! Guarded changes ("snapshot first") against vigil-sim, per dialect that offers snapshots: the
//! snapshot is verified ready (in the simulator's ground truth too) before the change is sent;
//! a change that fails or needs a check offers the snapshot back, and the rollback restores the
//! VM from it (the truth's `restored_from`); ZennoHosting, which takes no snapshots, is refused
//! with the reason.

mod common;

use common::guard::{state, MINUTE};
use common::*;
use vigil_core::dialect::Absent;
use vigil_core::words::{GuardRefusal, PointRefusal, StepLabel};
use vigil_core::{
    guard_caps, Action, ActionKind, ConnId, DialectKind, ErrorKind, GuardedChange, Note, Phase,
    PointKind, PowerState, Refusal, Resize, Resource, StepState, VmId, WfNote,
};

fn running(w: &World) -> String {
    w.vm_where(|v| v.power == PowerState::Running && !v.locked && v.status_raw != "pending")
        .id
        .to_string()
}

/// A cloudsfor VM gets more memory.
fn bigger_ram(w: &World, vm: &str) -> (Resize, u32) {
    let size = w.engine.vm("c", vm).unwrap().size.clone();
    let ram = size.memory_gb.unwrap() + 2;
    let resize = Resize::One {
        resource: Resource::Ram,
        size: ram,
    };
    (resize, ram)
}

#[test]
fn cloudsfor_guarded_resize_takes_the_snapshot_before_the_resize() {
    let d = DialectKind::Cloudsfor;
    let mut w = World::new(d, scenario(41, 0.0));
    let vm = running(&w);
    let (resize, ram) = bigger_ram(&w, &vm);
    let id = w
        .guarded(&vm, GuardedChange::Resize(resize.clone()), "before-resize")
        .unwrap();
    use ActionKind::*;
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    assert_eq!(wf.note, Some(WfNote::Done));
    // cloudsfor resizes only stopped VMs: stopped for it, and started again.
    assert_eq!(
        World::kinds(&wf),
        [Snapshot, Shutdown, PowerOff, Resize, Start]
    );
    assert_eq!(
        wf.steps[0].label,
        StepLabel::TakeSnapshot {
            name: "before-resize".into()
        }
    );
    let at = |ty: &str| w.sent_when(0, "/actions", &format!("\"type\":\"{ty}\""));
    let resized = at("resize").expect("resized");
    let (snapped, stopped) = (at("snapshot").unwrap(), at("shutdown").unwrap());
    assert!(snapped < stopped && stopped < resized);
    let snap = w.snapshot_ready_by(&wf, resized);
    assert!(w.sim.point("cloudsfor", &vm, &snap).is_some());
    let v = w.engine.vm("c", &vm).unwrap();
    assert_eq!(
        (v.power, v.size.memory_gb),
        (PowerState::Running, Some(ram))
    );
    // Nothing to roll back: the change worked.
    assert_eq!(w.offer(&id), None);
    assert_eq!(
        w.roll_back(&id),
        Err(Refusal::Guard(GuardRefusal::NoRollbackOffered))
    );
}

#[test]
fn cloudsfor_resize_the_provider_refuses_rolls_back_to_the_snapshot() {
    let d = DialectKind::Cloudsfor;
    let mut w = World::new(d, scenario(42, 0.0));
    let vm = running(&w);
    // More memory than the provider gives a VM (at most 256 GB): refused once sent.
    let resize = Resize::One {
        resource: Resource::Ram,
        size: 999,
    };
    let id = w
        .guarded(&vm, GuardedChange::Resize(resize), "safety")
        .unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Failed, "{:?}", wf.note);
    assert_eq!(state(&wf, ActionKind::Resize), StepState::Failed);
    assert_eq!(state(&wf, ActionKind::Start), StepState::NotRun);
    let refused = w.step_op(&wf, ActionKind::Resize);
    assert!(
        matches!(&refused.note, Some(Note::Refused(e)) if e.status == Some(422)),
        "{:?}",
        refused.note
    );
    let snap = w.snapshot_ready_by(&wf, refused.submitted_at);
    let offer = w.offer(&id).expect("a rollback is offered");
    let taken = w.step_op(&wf, ActionKind::Snapshot);
    assert_eq!(offer.snapshot_id, snap);
    assert_eq!(offer.snapshot_name, "safety");
    assert_eq!(Some(offer.taken_at), taken.finished_at);

    let back = w.roll_back(&id).unwrap();
    // Started once: asked again, it is refused.
    assert_eq!(w.offer(&id), None);
    assert_eq!(
        w.roll_back(&id),
        Err(Refusal::Guard(GuardRefusal::NoRollbackOffered))
    );
    let rb = w.run_wf(&back);
    assert_eq!(rb.phase, Phase::Succeeded, "{:?}", rb.note);
    assert_eq!(World::kinds(&rb), [ActionKind::RestoreSnapshot]);
    assert_eq!(w.sim.restored_from("cloudsfor", &vm), Some(snap));
}

#[test]
fn hostway_guarded_resize_keeps_the_vm_running_and_a_refused_one_rolls_back() {
    let d = DialectKind::Hostway;
    let mut w = World::new(d, scenario(43, 0.0));
    let vm = w
        .vm_where(|v| {
            v.status_raw == "ACTIVE" && !v.name.starts_with("db-") && !v.name.starts_with("backup-")
        })
        .clone();
    let flavor = if vm.size.flavor.as_deref() == Some("6") {
        "5"
    } else {
        "6"
    };
    let change = GuardedChange::Resize(Resize::Flavor { id: flavor.into() });
    let id = w.guarded(vm.id.as_str(), change, "pre-resize").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    // Hostway resizes a running server: no stop.
    assert_eq!(
        World::kinds(&wf),
        [ActionKind::Snapshot, ActionKind::Resize]
    );
    let resized = w.sent_when(0, "/action", "\"resize\"").expect("resized");
    w.snapshot_ready_by(&wf, resized);
    let v = w.engine.vm("c", vm.id.as_str()).unwrap();
    assert_eq!(v.size.flavor.as_deref(), Some(flavor));

    // The same flavor again: the provider refuses it (400) after the snapshot.
    let again = GuardedChange::Resize(Resize::Flavor { id: flavor.into() });
    let id = w.guarded(vm.id.as_str(), again, "pre-resize-2").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Failed, "{:?}", wf.note);
    let offer = w.offer(&id).expect("a rollback is offered");
    assert_eq!(offer.snapshot_name, "pre-resize-2");
    let back = w.roll_back(&id).unwrap();
    let rb = w.run_wf(&back);
    assert_eq!(rb.phase, Phase::Succeeded, "{:?}", rb.note);
    assert_eq!(
        w.sim.restored_from("hostway", vm.id.as_str()),
        Some(offer.snapshot_id)
    );
}

#[test]
fn hostway_at_its_three_snapshots_offers_no_guard() {
    let d = DialectKind::Hostway;
    let mut w = World::new(d, scenario(44, 0.0));
    let vm = w
        .vm_where(|v| {
            v.status_raw == "ACTIVE" && !v.name.starts_with("db-") && !v.name.starts_with("backup-")
        })
        .id
        .to_string();
    let (c, v) = (ConnId::from("c"), VmId::from(vm.as_str()));
    assert_eq!(
        w.engine.view().guard_offered(&c, &v, ActionKind::Resize),
        Ok(())
    );
    let mut n = w.read_points(&vm, PointKind::Snapshot).points.len();
    while n < 3 {
        w.succeeds(
            &vm,
            Action::Snapshot {
                name: format!("keep-{n}"),
                description: String::new(),
            },
        );
        n = w.read_points(&vm, PointKind::Snapshot).points.len();
    }
    let why = w
        .engine
        .view()
        .guard_offered(&c, &v, ActionKind::Resize)
        .unwrap_err();
    let Refusal::Guard(GuardRefusal::SnapshotRefused { why }) = &why else {
        panic!("{why:?}")
    };
    assert_eq!(
        **why,
        Refusal::Point(PointRefusal::TooMany {
            kind: PointKind::Snapshot,
            max: 3
        })
    );
    let before = w.sent.len();
    let change = GuardedChange::Resize(Resize::Flavor { id: "5".into() });
    assert!(matches!(
        w.guarded(&vm, change, "one-too-many"),
        Err(Refusal::Guard(GuardRefusal::SnapshotRefused { .. }))
    ));
    assert_eq!(w.sent.len(), before, "nothing sent");
}

/// An ONETSolutions instance whose snapshot add-on is active (it has snapshots), running.
fn onet_with_addon(w: &World) -> String {
    w.vms()
        .into_iter()
        .find(|v| {
            v.power == PowerState::Running
                && w.sim
                    .points("onetsolutions", v.id.as_str())
                    .iter()
                    .any(|p| p.kind == vigil_sim::PointKind::Snapshot)
        })
        .expect("an instance with the snapshot add-on")
        .id
        .to_string()
}

#[test]
fn onet_guarded_rebuild_with_the_addon_and_a_refused_one_rolled_back() {
    let d = DialectKind::OnetSolutions;
    let mut w = World::new(d, scenario(45, 0.0));
    let vm = onet_with_addon(&w);
    let image = w.sim.vm_image("onetsolutions", &vm).expect("an image");
    let change = GuardedChange::Rebuild {
        image: image.clone(),
    };
    let id = w.guarded(&vm, change, "pre-reinstall").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    // A reinstall needs no stop, and ends running by itself.
    assert_eq!(
        World::kinds(&wf),
        [ActionKind::Snapshot, ActionKind::Rebuild]
    );
    let rebuilt = w.sent_when(0, "/reinstall", "").expect("reinstalled");
    w.snapshot_ready_by(&wf, rebuilt);

    // An image the provider does not have: refused after the snapshot.
    let bad = GuardedChange::Rebuild {
        image: "no-such-image".into(),
    };
    let id = w.guarded(&vm, bad, "pre-reinstall-2").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Failed, "{:?}", wf.note);
    let offer = w.offer(&id).expect("a rollback is offered");
    let back = w.roll_back(&id).unwrap();
    let rb = w.run_wf(&back);
    assert_eq!(rb.phase, Phase::Succeeded, "{:?}", rb.note);
    // ONETSolutions restores a stopped instance only: stopped, restored, started again.
    use ActionKind::*;
    assert_eq!(
        World::kinds(&rb),
        [Shutdown, PowerOff, RestoreSnapshot, Start]
    );
    assert_eq!(
        w.sim.restored_from("onetsolutions", &vm),
        Some(offer.snapshot_id)
    );
    assert_eq!(w.engine.vm("c", &vm).unwrap().power, PowerState::Running);
}

#[test]
fn onet_without_the_addon_never_sends_the_change() {
    let d = DialectKind::OnetSolutions;
    let mut w = World::new(d, scenario(46, 0.0));
    let vm = w
        .vms()
        .into_iter()
        .find(|v| {
            v.power == PowerState::Running
                && w.sim.points("onetsolutions", v.id.as_str()).is_empty()
        })
        .expect("an instance without add-ons")
        .id
        .to_string();
    let image = w.sim.vm_image("onetsolutions", &vm).expect("an image");
    let id = w
        .guarded(&vm, GuardedChange::Rebuild { image }, "pre")
        .unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Failed, "{:?}", wf.note);
    let snap = w.step_op(&wf, ActionKind::Snapshot);
    assert!(
        matches!(&snap.note, Some(Note::Refused(e)) if e.kind == ErrorKind::NeedsAddon),
        "{:?}",
        snap.note
    );
    assert_eq!(state(&wf, ActionKind::Rebuild), StepState::NotRun);
    assert_eq!(w.count_sent("reinstall"), 0);
    assert_eq!(w.offer(&id), None, "no snapshot: nothing to roll back to");
}

#[test]
fn erigones_guarded_rebuild_stops_first_and_a_failed_restore_rolls_back() {
    let d = DialectKind::Erigones;
    let mut w = World::new(d, scenario(47, 0.0));
    let vm = running(&w);
    let change = GuardedChange::Rebuild {
        image: vigil_core::CURRENT_IMAGE.into(),
    };
    let id = w.guarded(&vm, change, "pre-recreate").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    // Erigones recreates a stopped VM only (its own stop forces after the grace period), and
    // the redeploy starts it again.
    use ActionKind::*;
    assert_eq!(World::kinds(&wf), [Snapshot, Shutdown, Rebuild]);
    let recreated = w.sent_when(0, "", "\"recreate\"").expect("recreated");
    w.snapshot_ready_by(&wf, recreated);
    assert_eq!(w.engine.vm("c", &vm).unwrap().power, PowerState::Running);

    // A backup that is not there: refused after the snapshot and the stop.
    let bad = GuardedChange::RestoreBackup {
        backup_id: "no-such-backup".into(),
        name: "no-such-backup".into(),
    };
    let id = w.guarded(&vm, bad, "pre-restore").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Failed, "{:?}", wf.note);
    assert_eq!(state(&wf, RestoreBackup), StepState::Failed);
    let offer = w.offer(&id).expect("a rollback is offered");
    let back = w.roll_back(&id).unwrap();
    let rb = w.run_wf(&back);
    assert_eq!(rb.phase, Phase::Succeeded, "{:?}", rb.note);
    assert_eq!(World::kinds(&rb), [RestoreSnapshot], "already stopped");
    assert_eq!(
        w.sim.restored_from("erigones", &vm),
        Some(offer.snapshot_id)
    );
}

#[test]
fn zenno_takes_no_snapshots_so_nothing_is_guarded() {
    let d = DialectKind::ZennoHosting;
    let mut w = World::new(d, scenario(48, 0.0));
    let vm = running(&w);
    let why = Refusal::Guard(GuardRefusal::NoSnapshots {
        provider: d,
        why: Absent::NotPublished,
    });
    let caps = w.engine.view().caps(&ConnId::from("c")).unwrap();
    assert_eq!(
        guard_caps(caps, ActionKind::RestoreBackup),
        Err(why.clone())
    );
    let (c, v) = (ConnId::from("c"), VmId::from(vm.as_str()));
    assert_eq!(
        w.engine
            .view()
            .guard_offered(&c, &v, ActionKind::RestoreBackup),
        Err(why.clone())
    );
    let before = w.sent.len();
    let change = GuardedChange::RestoreBackup {
        backup_id: "b1".into(),
        name: "nightly".into(),
    };
    assert_eq!(w.guarded(&vm, change, "pre"), Err(why));
    assert_eq!(w.sent.len(), before);
    // Only resize, restore and rebuild are guarded.
    let cloudsfor = DialectKind::Cloudsfor.caps();
    assert_eq!(
        guard_caps(cloudsfor, ActionKind::Reboot),
        Err(Refusal::Guard(GuardRefusal::NotGuarded {
            kind: ActionKind::Reboot
        }))
    );
    let _ = MINUTE;
}

/// On a cloudsfor demo account the guard's snapshot is refused by the provider: the resize is
/// never sent and nothing is offered back; the connection then knows, and "snapshot first" is
/// no longer offered, for the snapshot's reason.
#[test]
fn cloudsfor_demo_account_never_resizes_unguarded() {
    let trial = vigil_core::Credentials::Basic {
        user: "trial@vigil.test".into(),
        password: "trial".into(),
    };
    let mut w = World::with_credentials(DialectKind::Cloudsfor, scenario(49, 0.0), trial);
    let vm = running(&w);
    let (resize, _) = bigger_ram(&w, &vm);
    let id = w
        .guarded(&vm, GuardedChange::Resize(resize.clone()), "pre")
        .unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Failed, "{:?}", wf.note);
    assert_eq!(state(&wf, ActionKind::Snapshot), StepState::Failed);
    assert_eq!(state(&wf, ActionKind::Resize), StepState::NotRun);
    assert_eq!(
        w.count_sent("/actions"),
        1,
        "only the snapshot: {:?}",
        w.sent
    );
    assert_eq!(w.offer(&id), None);
    let (c, v) = (ConnId::from("c"), VmId::from(vm.as_str()));
    let why = Refusal::Guard(GuardRefusal::SnapshotRefused {
        why: Box::new(Refusal::Point(PointRefusal::DemoAccount)),
    });
    assert_eq!(
        w.engine.view().guard_offered(&c, &v, ActionKind::Resize),
        Err(why.clone())
    );
    assert_eq!(
        w.guarded(&vm, GuardedChange::Resize(resize), "pre-2"),
        Err(why)
    );
}

/// ONETSolutions restores a backup onto a stopped instance only: snapshot, stop, restore,
/// start again — the instance restored from the backup, and running as before.
#[test]
fn onet_guarded_backup_restore_stops_and_starts_again() {
    let d = DialectKind::OnetSolutions;
    let mut w = World::new(d, scenario(50, 0.0));
    let has = |w: &World, vm: &str, kind| {
        w.sim
            .points("onetsolutions", vm)
            .iter()
            .any(|p| p.kind == kind && p.state == vigil_sim::PointState::Ready)
    };
    let vm = w
        .vms()
        .into_iter()
        .map(|v| v.id.to_string())
        .find(|v| {
            w.engine.vm("c", v).unwrap().power == PowerState::Running
                && has(&w, v, vigil_sim::PointKind::Snapshot)
                && has(&w, v, vigil_sim::PointKind::Backup)
        })
        .expect("an instance with both add-ons");
    let backup = w
        .read_points(&vm, PointKind::Backup)
        .points
        .into_iter()
        .find(|p| p.state == vigil_core::PointState::Ready)
        .expect("a ready backup");
    let change = GuardedChange::RestoreBackup {
        backup_id: backup.id.clone(),
        name: backup.name.clone(),
    };
    let id = w.guarded(&vm, change, "pre-restore").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    use ActionKind::*;
    assert_eq!(
        World::kinds(&wf),
        [Snapshot, Shutdown, PowerOff, RestoreBackup, Start]
    );
    let restored = w.step_op(&wf, RestoreBackup).submitted_at;
    w.snapshot_ready_by(&wf, restored);
    assert_eq!(w.sim.restored_from("onetsolutions", &vm), Some(backup.id));
    assert_eq!(w.engine.vm("c", &vm).unwrap().power, PowerState::Running);
}
