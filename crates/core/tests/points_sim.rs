//! Snapshots against vigil-sim, per dialect: taken → verified ready, and the simulator's ground
//! truth agrees; restored → verified (and really restored from it); deleted → verified gone;
//! a task that reports done before the snapshot is ready never counts as done.

mod common;

use common::points::sim_name;
use common::*;
use vigil_core::{
    Action, DialectKind, ErrorKind, Note, Phase, PointKind, PointState, PowerState, Target,
};
use vigil_sim::PointState as Truth;

fn snap(name: &str) -> Action {
    Action::Snapshot {
        name: name.into(),
        description: String::new(),
    }
}

/// Takes a snapshot named `name` of `vm`: verified ready, its id learned, the truth agrees;
/// returns its id.
fn take(w: &mut World, d: DialectKind, vm: &str, name: &str) -> String {
    let op = w.succeeds(vm, snap(name));
    let Target::Point {
        id: Some(id), kind, ..
    } = &op.target
    else {
        panic!("{:?}", op.target)
    };
    assert_eq!(*kind, PointKind::Snapshot);
    let seen = w.point_of(&op).expect("in the VM's list as read");
    assert_eq!(seen.state, PointState::Ready);
    assert_eq!(seen.name, name);
    let truth = w
        .sim
        .point(sim_name(d), vm, id)
        .expect("the simulator has it");
    assert_eq!(truth.state, Truth::Ready, "{truth:?}");
    assert!(op.finished_at.unwrap() as u64 >= truth.ready_at_ms.unwrap());
    id.clone()
}

/// Deletes it: verified gone, and gone in the truth.
fn delete(w: &mut World, d: DialectKind, vm: &str, id: &str, name: &str) {
    w.succeeds(
        vm,
        Action::DeleteSnapshot {
            id: id.into(),
            name: name.into(),
        },
    );
    let truth = w.sim.point(sim_name(d), vm, id);
    assert!(
        truth.as_ref().is_none_or(|p| p.state == Truth::Gone),
        "{truth:?}"
    );
    let list = w.points_list(vm, PointKind::Snapshot).unwrap();
    assert!(list.points.iter().all(|p| p.id != id));
}

fn restore(w: &mut World, d: DialectKind, vm: &str, id: &str, name: &str) {
    w.succeeds(
        vm,
        Action::RestoreSnapshot {
            id: id.into(),
            name: name.into(),
        },
    );
    assert_eq!(w.sim.restored_from(sim_name(d), vm).as_deref(), Some(id));
}

fn idle(w: &World, power: PowerState) -> String {
    w.vm_where(|v| v.power == power && !v.locked && v.status_raw != "pending")
        .id
        .to_string()
}

#[test]
fn cloudsfor_snapshot_taken_restored_deleted() {
    let d = DialectKind::Cloudsfor;
    let mut w = World::new(d, scenario(21, 0.0));
    let vm = idle(&w, PowerState::Running);
    let id = take(&mut w, d, &vm, "before-upgrade");
    restore(&mut w, d, &vm, &id, "before-upgrade");
    assert_eq!(
        w.sim.vm_image("cloudsfor", &vm).as_deref(),
        Some(id.as_str())
    );
    delete(&mut w, d, &vm, &id, "before-upgrade");
}

#[test]
fn hostway_snapshot_taken_restored_deleted() {
    let d = DialectKind::Hostway;
    let mut w = World::new(d, scenario(22, 0.0));
    let vm = w
        .vm_where(|v| v.status_raw == "ACTIVE" && !v.name.starts_with("db-"))
        .id
        .to_string();
    let id = take(&mut w, d, &vm, "nightly");
    restore(&mut w, d, &vm, &id, "nightly");
    // Back where it was: running.
    assert_eq!(w.engine.vm("c", &vm).unwrap().power, PowerState::Running);
    delete(&mut w, d, &vm, &id, "nightly");
}

#[test]
fn onet_snapshot_taken_restored_on_a_stopped_instance_imaged_deleted() {
    let d = DialectKind::OnetSolutions;
    let mut w = World::new(d, scenario(23, 0.0));
    // An instance whose snapshot add-on is active: it has snapshots already.
    let vm = w
        .vms()
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
        .to_string();
    let id = take(&mut w, d, &vm, "pre-deploy");
    // A restore needs the instance stopped: refused before sending while it runs.
    let restore_it = Action::RestoreSnapshot {
        id: id.clone(),
        name: "pre-deploy".into(),
    };
    assert!(matches!(
        w.engine.start("c", &vm, restore_it, w.now),
        Err(vigil_core::Refusal::MustBeStopped { .. })
    ));
    w.succeeds(&vm, Action::PowerOff);
    restore(&mut w, d, &vm, &id, "pre-deploy");
    assert_eq!(w.engine.vm("c", &vm).unwrap().power, PowerState::Stopped);
    w.succeeds(
        &vm,
        Action::SnapshotToImage {
            id: id.clone(),
            name: "golden".into(),
        },
    );
    delete(&mut w, d, &vm, &id, "pre-deploy");
}

#[test]
fn onet_without_the_addon_says_so() {
    let d = DialectKind::OnetSolutions;
    let mut w = World::new(d, scenario(24, 0.0));
    let vm = w
        .vms()
        .into_iter()
        .find(|v| {
            v.power == PowerState::Running
                && w.sim.points("onetsolutions", v.id.as_str()).is_empty()
                && w.sim.automatic_backups("onetsolutions", v.id.as_str()) == Some(false)
        })
        .expect("an instance without add-ons")
        .id
        .to_string();
    let list = w.read_points(&vm, PointKind::Snapshot);
    assert!(list.points.is_empty(), "{list:?}");
    let op = w.run_op(&vm, snap("nope"));
    assert_eq!(op.phase, Phase::Failed);
    assert!(
        matches!(&op.note, Some(Note::Refused(e)) if e.kind == ErrorKind::NeedsAddon),
        "{:?}",
        op.note
    );
}

#[test]
fn erigones_snapshot_taken_rolled_back_deleted_never_with_a_note() {
    let d = DialectKind::Erigones;
    let mut w = World::new(d, scenario(25, 0.0));
    let vm = idle(&w, PowerState::Running);
    let id = take(&mut w, d, &vm, "pre-upgrade");
    assert_eq!(id, "pre-upgrade", "Erigones knows a snapshot by its name");
    w.succeeds(&vm, Action::PowerOff);
    let sent = w.sent.len();
    restore(&mut w, d, &vm, &id, "pre-upgrade");
    let puts: Vec<&String> = (sent..w.sent.len())
        .filter(|&i| w.sent[i].starts_with("PUT ") && w.sent[i].contains("/snapshot/"))
        .map(|i| &w.bodies[i])
        .collect();
    assert_eq!(puts.len(), 1, "{:?}", &w.sent[sent..]);
    assert!(!puts[0].contains("note"), "{}", puts[0]);
    assert_eq!(w.engine.vm("c", &vm).unwrap().power, PowerState::Stopped);
    delete(&mut w, d, &vm, &id, "pre-upgrade");
}

/// The `lag` fault: the provider's task says done while the snapshot is not ready yet. Short,
/// the operation waits and ends verified after it is ready; longer than the grace, it ends
/// *Needs check*: never done before the snapshot is.
#[test]
fn a_task_done_before_its_snapshot_never_counts_as_done() {
    for (d, lag) in [
        (DialectKind::Cloudsfor, 8_000),
        (DialectKind::OnetSolutions, 8_000),
        (DialectKind::Erigones, 8_000),
        (DialectKind::Cloudsfor, 120_000),
        (DialectKind::Erigones, 120_000),
    ] {
        let mut w = World::new(d, scenario(26, 0.0));
        w.sim
            .set_faults(vigil_sim::Faults::parse(&format!("lag={lag}")).unwrap());
        let vm = match d {
            DialectKind::OnetSolutions => w
                .vms()
                .into_iter()
                .find(|v| {
                    v.power == PowerState::Running
                        && !w.sim.points("onetsolutions", v.id.as_str()).is_empty()
                })
                .unwrap()
                .id
                .to_string(),
            _ => idle(&w, PowerState::Running),
        };
        let op = w.run_op(&vm, snap("lagging"));
        let truth = w
            .sim
            .points(sim_name(d), &vm)
            .into_iter()
            .rev()
            .find(|p| p.name == "lagging")
            .expect("the snapshot");
        match op.phase {
            Phase::Succeeded => {
                assert!(lag < 20_000, "{d:?} {lag}: {:?}", op.note);
                assert!(op.finished_at.unwrap() as u64 >= truth.ready_at_ms.unwrap());
            }
            Phase::NeedsCheck => assert!(lag > 20_000, "{d:?} {lag}: {:?}", op.note),
            other => panic!("{d:?} {lag}: {other:?} {:?}", op.note),
        }
    }
}

/// The sheets' limits are refused before anything is sent: Hostway's three per server once its
/// snapshots are read, Erigones' names; nothing goes out for them.
#[test]
fn documented_limits_refuse_before_sending() {
    use vigil_core::words::PointRefusal;
    use vigil_core::Refusal;
    let mut w = World::new(DialectKind::Hostway, scenario(27, 0.0));
    let vm = w
        .vm_where(|v| v.status_raw == "ACTIVE" && !v.name.starts_with("db-"))
        .id
        .to_string();
    let had = w.read_points(&vm, PointKind::Snapshot).points.len();
    for i in had..3 {
        w.succeeds(&vm, snap(&format!("s{i}")));
    }
    let sent = w.sent.len();
    assert_eq!(
        w.engine.start("c", &vm, snap("one-more"), w.now),
        Err(Refusal::Point(PointRefusal::TooMany {
            kind: PointKind::Snapshot,
            max: 3
        }))
    );
    let mut e = World::new(DialectKind::Erigones, scenario(27, 0.0));
    let h = idle(&e, PowerState::Running);
    for bad in [
        "-starts-with-dash",
        "has space",
        "much-too-long-for-erigones-1",
    ] {
        assert_eq!(
            e.engine.start("c", &h, snap(bad), e.now),
            Err(Refusal::Point(PointRefusal::BadName { max: 24 })),
            "{bad}"
        );
    }
    w.step();
    assert!(w.sent[sent..].iter().all(|s| !s.starts_with("POST")));
}

/// cloudsfor's demo accounts refuse snapshots: the first is refused in the provider's words,
/// and the connection refuses the next before sending.
#[test]
fn a_demo_account_refuses_snapshots() {
    use vigil_core::words::PointRefusal;
    let w0 = vigil_core::Credentials::Basic {
        user: "trial@vigil.test".into(),
        password: "trial".into(),
    };
    let mut w = World::with_credentials(DialectKind::Cloudsfor, scenario(28, 0.0), w0);
    let vm = idle(&w, PowerState::Running);
    let op = w.run_op(&vm, snap("x"));
    assert_eq!(op.phase, Phase::Failed);
    assert!(
        matches!(&op.note, Some(Note::Refused(e)) if e.kind == ErrorKind::Conflict
            && e.provider_text.as_deref().is_some_and(|t| t.contains("demo mode"))),
        "{:?}",
        op.note
    );
    assert_eq!(
        w.engine.start("c", &vm, snap("y"), w.now),
        Err(vigil_core::Refusal::Point(PointRefusal::DemoAccount))
    );
}
