//! Backups against vigil-sim, per dialect that has them: taken now → verified ready, and the
//! simulator's ground truth agrees; restored → verified, and really restored from it; deleted →
//! verified gone; automatic backups switched and verified on the VM. And an operation on a
//! snapshot or backup kept across a reload resumes to its verified end.

mod common;

use common::points::sim_name;
use common::*;
use vigil_core::{Action, DialectKind, OpId, Phase, PointKind, PointState, PowerState, Target};
use vigil_sim::PointState as Truth;

/// A VM in `power` that has backups already (its provider's backups are on for it).
fn with_backups(w: &World, d: DialectKind, power: PowerState) -> String {
    w.vms()
        .into_iter()
        .find(|v| {
            v.power == power
                && !v.locked
                && w.sim
                    .points(sim_name(d), v.id.as_str())
                    .iter()
                    .any(|p| p.kind == vigil_sim::PointKind::Backup && p.state == Truth::Ready)
        })
        .expect("a VM with backups")
        .id
        .to_string()
}

/// Backs `vm` up now (`name`: the name, or Erigones' definition): verified ready and agreeing
/// with the truth; returns the new backup's id.
fn back_up(w: &mut World, d: DialectKind, vm: &str, name: &str) -> String {
    let op = w.succeeds(vm, Action::Backup { name: name.into() });
    let Target::Point { id: Some(id), .. } = &op.target else {
        panic!("{:?}", op.target)
    };
    let seen = w.point_of(&op).expect("in the VM's list");
    assert_eq!(seen.state, PointState::Ready);
    let truth = w
        .sim
        .point(sim_name(d), vm, id)
        .expect("the simulator has it");
    assert_eq!(truth.state, Truth::Ready);
    assert!(op.finished_at.unwrap() as u64 >= truth.ready_at_ms.unwrap());
    id.clone()
}

fn restore(w: &mut World, d: DialectKind, vm: &str, id: &str) {
    let before = w.engine.vm("c", vm).unwrap().power;
    w.succeeds(
        vm,
        Action::RestoreBackup {
            backup_id: id.into(),
            name: id.into(),
        },
    );
    assert_eq!(w.sim.restored_from(sim_name(d), vm).as_deref(), Some(id));
    assert_eq!(w.engine.vm("c", vm).unwrap().power, before);
}

fn delete(w: &mut World, d: DialectKind, vm: &str, id: &str) {
    w.succeeds(
        vm,
        Action::DeleteBackup {
            id: id.into(),
            name: id.into(),
        },
    );
    let truth = w.sim.point(sim_name(d), vm, id);
    assert!(
        truth.as_ref().is_none_or(|p| p.state == Truth::Gone),
        "{truth:?}"
    );
}

#[test]
fn zenno_backup_taken_restored_deleted() {
    let d = DialectKind::ZennoHosting;
    let mut w = World::new(d, scenario(31, 0.0));
    let vm = with_backups(&w, d, PowerState::Running);
    let id = back_up(&mut w, d, &vm, "before-upgrade");
    restore(&mut w, d, &vm, &id);
    delete(&mut w, d, &vm, &id);
}

#[test]
fn onet_backup_taken_restored_on_a_stopped_instance_deleted() {
    let d = DialectKind::OnetSolutions;
    let mut w = World::new(d, scenario(32, 0.0));
    let vm = with_backups(&w, d, PowerState::Running);
    let id = back_up(&mut w, d, &vm, "manual-1");
    w.succeeds(&vm, Action::PowerOff);
    restore(&mut w, d, &vm, &id);
    delete(&mut w, d, &vm, &id);
}

#[test]
fn erigones_backup_from_its_definition_restored_deleted() {
    let d = DialectKind::Erigones;
    let mut w = World::new(d, scenario(33, 0.0));
    let vm = with_backups(&w, d, PowerState::Running);
    let list = w.read_points(&vm, PointKind::Backup);
    let def = list
        .points
        .iter()
        .find_map(|p| p.definition.clone())
        .expect("a backup taken by a definition");
    let id = back_up(&mut w, d, &vm, &def);
    assert!(id.starts_with(&def), "{id}");
    w.succeeds(&vm, Action::PowerOff);
    restore(&mut w, d, &vm, &id);
    delete(&mut w, d, &vm, &id);
}

#[test]
fn cloudsfor_backup_restored_and_automatic_backups_switched() {
    let d = DialectKind::Cloudsfor;
    let mut w = World::new(d, scenario(34, 0.0));
    let vm = with_backups(&w, d, PowerState::Running);
    let list = w.read_points(&vm, PointKind::Backup);
    let id = list.points.first().expect("a backup").id.clone();
    restore(&mut w, d, &vm, &id);
    for on in [false, true] {
        w.succeeds(&vm, Action::AutoBackups { on });
        assert_eq!(w.sim.automatic_backups("cloudsfor", &vm), Some(on));
        let has = w
            .engine
            .vm("c", &vm)
            .unwrap()
            .features
            .contains(&"backups".into());
        assert_eq!(has, on);
    }
}

/// A snapshot's operation kept by the page (its saved state) and resumed after a reload ends
/// verified, on the snapshot the provider really made.
#[test]
fn a_point_operation_resumes_after_a_reload() {
    let d = DialectKind::Hostway;
    let mut w = World::new(d, scenario(35, 0.0));
    let vm = w
        .vm_where(|v| v.status_raw == "ACTIVE" && !v.name.starts_with("db-"))
        .id
        .to_string();
    let action = Action::Snapshot {
        name: "kept".into(),
        description: String::new(),
    };
    let id: OpId = w.engine.start("c", &vm, action, w.now).unwrap();
    w.run_until(60_000, |e| e.op(&id).phase == Phase::InProgress);
    let saved = w.engine.saved();
    let kept = saved
        .operations
        .iter()
        .find(|o| o.id == id)
        .unwrap()
        .clone();
    assert!(
        matches!(kept.target, Target::Point { .. }),
        "{:?}",
        kept.target
    );
    // Kept as text, as the page keeps it.
    let text = serde_json::to_string(&saved).unwrap();
    let saved: vigil_core::SavedState = serde_json::from_str(&text).unwrap();
    assert_eq!(saved.operations.iter().find(|o| o.id == id), Some(&kept));
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    w.run_until(60 * 60_000, |e| !e.op(&id).is_open());
    let op = w.engine.op(&id);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    let Target::Point { id: Some(sid), .. } = &op.target else {
        panic!("{:?}", op.target)
    };
    let truth = w.sim.point("hostway", &vm, sid).unwrap();
    assert_eq!((truth.name.as_str(), truth.state), ("kept", Truth::Ready));
}

/// ZennoHosting's `lie` fault: a backup whose creation fails is reported `succeeded` on the VM.
/// The backup itself never turns ready, so the operation is never done.
#[test]
fn a_lying_success_is_never_done() {
    let d = DialectKind::ZennoHosting;
    let mut w = World::new(d, scenario(36, 1.0));
    w.sim.set_faults(vigil_sim::Faults::parse("lie=1").unwrap());
    let vm = with_backups(&w, d, PowerState::Running);
    let op = w.run_op(&vm, Action::Backup { name: "fib".into() });
    let truth = w
        .sim
        .points("zennohosting", &vm)
        .into_iter()
        .rev()
        .find(|p| p.name == "fib");
    assert!(
        truth.as_ref().is_none_or(|p| p.state != Truth::Ready),
        "the simulator made it after all: {truth:?}"
    );
    // The provider said done; the backup disagrees: the user is told to check.
    assert_eq!(op.phase, Phase::NeedsCheck, "{:?}", op.note);
    assert!(
        matches!(
            &op.note,
            Some(vigil_core::Note::Disagrees(
                vigil_core::Mismatch::PointNotReady { .. }
            ))
        ),
        "{:?}",
        op.note
    );
}
