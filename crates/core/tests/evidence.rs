//! What closes an operation (issue 14, items 1 and 9): evidence, not absence — a task that
//! vanished, or whose traces the provider cleared, never makes an action that leaves the VM as
//! it found it *done* without evidence; and the resource itself closes an operation whose task
//! fields were missed or cleared. Every verdict is checked against vigil-sim's ground truth.

mod common;

use common::*;
use vigil_core::{Action, DialectKind, Mismatch, Note, Operation, Phase, PowerState, TaskEnd, Vm};
use vigil_sim::{Completion, Faults};

const SECOND: i64 = 1_000;

fn world(dialect: DialectKind, seed: u64, failure_rate: f64, faults: &str) -> World {
    let mut w = World::new(dialect, scenario(seed, failure_rate));
    w.sim.set_faults(faults.parse::<Faults>().unwrap());
    w
}

fn idle_vm(w: &World, power: PowerState) -> Vm {
    w.vm_where(|v| v.power == power && !v.locked)
}

/// The ground truth of the newest action on `vm`.
fn truth(w: &World, dialect: DialectKind, vm: &Vm) -> Completion {
    w.sim
        .latest_action(dialect.slug(), vm.id.as_str())
        .expect("the provider accepted an action")
}

/// Done only if the provider really did it.
fn never_done_unless_done(op: &Operation, t: &Completion) {
    if op.phase == Phase::Succeeded {
        assert!(t.succeeded, "done, but the provider's action failed: {t:?}");
    }
}

#[test]
fn an_erigones_reboot_whose_task_id_came_back_garbled_and_failed_is_not_done() {
    for action in [Action::Reboot, Action::PowerCycle] {
        // Every action fails; every task id in an answer is garbled: the task read answers 404
        // "Task does not exist", and the VM is running before, during (stopping) and after.
        let mut w = world(DialectKind::Erigones, 31, 1.0, "garble=1");
        let vm = idle_vm(&w, PowerState::Running);
        let what = format!("{action:?}");
        let op = w.run_op(vm.id.as_str(), action);
        let t = truth(&w, DialectKind::Erigones, &vm);
        assert!(!t.succeeded, "{what}: the world was meant to fail it");
        assert_eq!(op.phase, Phase::NeedsCheck, "{what}: {:?}", op.note);
        assert_eq!(op.ended_by, Some(TaskEnd::Gone), "{what}");
        assert_eq!(
            op.note,
            Some(Note::NoEvidence { end: TaskEnd::Gone }),
            "{what}"
        );
        assert!(
            w.count_sent("/task/") >= 1,
            "{what}: the task was looked for"
        );
    }
}

#[test]
fn an_erigones_reboot_whose_task_id_came_back_garbled_is_done_once_its_uptime_shows_the_boot() {
    for action in [Action::Reboot, Action::PowerCycle] {
        let mut w = world(DialectKind::Erigones, 32, 0.0, "garble=1");
        let vm = idle_vm(&w, PowerState::Running);
        let what = format!("{action:?}");
        let op = w.run_op(vm.id.as_str(), action);
        let t = truth(&w, DialectKind::Erigones, &vm);
        assert!(t.succeeded, "{what}");
        assert_eq!(op.phase, Phase::Succeeded, "{what}: {:?}", op.note);
        assert_eq!(op.ended_by, Some(TaskEnd::Gone), "{what}");
        // Verified from the VM's own uptime, soon after the VM came up again.
        let lag = op.finished_at.unwrap() - t.finished_at_ms.unwrap() as i64;
        assert!((0..=5 * SECOND).contains(&lag), "{what}: {lag} ms");
    }
}

#[test]
fn an_onet_reboot_or_power_cycle_whose_task_vanished_is_never_done() {
    // ONETSolutions says nothing of a VM's boots: a task gone is never proof of a reboot.
    for (seed, failure_rate) in [(33, 1.0), (34, 0.0)] {
        for action in [Action::Reboot, Action::PowerCycle] {
            let mut w = world(DialectKind::OnetSolutions, seed, failure_rate, "garble=1");
            let vm = idle_vm(&w, PowerState::Running);
            let what = format!("{action:?} (failure rate {failure_rate})");
            let op = w.run_op(vm.id.as_str(), action);
            let t = truth(&w, DialectKind::OnetSolutions, &vm);
            assert_eq!(op.phase, Phase::NeedsCheck, "{what}: {:?}", op.note);
            assert_eq!(
                op.note,
                Some(Note::NoEvidence { end: TaskEnd::Gone }),
                "{what}"
            );
            never_done_unless_done(&op, &t);
        }
    }
}

#[test]
fn a_failed_hostway_start_never_says_the_provider_reported_it_completed() {
    let mut w = world(DialectKind::Hostway, 39, 1.0, "none");
    let vm = w.vm_where(|v| v.power == PowerState::Stopped && v.status_raw == "STOPPED");
    let op = w.run_op(vm.id.as_str(), Action::Start);
    let t = truth(&w, DialectKind::Hostway, &vm);
    assert!(!t.succeeded);
    assert_eq!(op.phase, Phase::NeedsCheck, "{:?}", op.note);
    assert!(
        matches!(
            &op.note,
            Some(Note::Unverified { end: TaskEnd::Settled { seen_working: true }, why: Mismatch::Power { status } })
                if status == "STOPPED"
        ),
        "{:?}",
        op.note
    );
}
