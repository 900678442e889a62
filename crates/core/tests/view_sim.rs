//! What a VM's row offers and says, against the independent cloudsfor simulator.

mod common;

use common::*;
use vigil_core::engine::{Choice, VmCommand as Command};
use vigil_core::{Action, ActionKind, ConnId, DialectKind, OpId, PowerState, VmId};

fn choice(w: &World, vm: &VmId, c: Command) -> Choice {
    w.engine
        .view()
        .choices(&w.conn.as_str().into(), vm)
        .into_iter()
        .find(|x| x.command == c)
        .unwrap_or_else(|| panic!("{c:?} offered"))
}

#[test]
fn a_running_vm_offers_stop_and_resize_through_a_stop_a_stopped_one_explains() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(3, 0.0));
    let running = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    // cloudsfor resizes only stopped VMs; the console offers it anyway, saying how.
    assert!(w
        .engine
        .allowed(&w.conn, running.as_str(), ActionKind::Resize)
        .is_err());
    let resize = choice(&w, &running, Command::Action(ActionKind::Resize));
    assert_eq!(resize.reason, None);
    assert!(resize.through_stop, "offered as stop → resize → start");
    assert_eq!(choice(&w, &running, Command::Stop).reason, None);
    assert!(choice(&w, &running, Command::Action(ActionKind::Start))
        .reason
        .is_some());

    w.run_op(running.as_str(), Action::PowerOff);
    let stop = choice(&w, &running, Command::Stop);
    assert!(stop.reason.is_some(), "nothing to stop on a stopped VM");
    let resize = choice(&w, &running, Command::Action(ActionKind::Resize));
    assert_eq!(resize.reason, None);
    assert!(!resize.through_stop, "a plain resize when it is off");
}

#[test]
fn a_busy_row_says_how_long_it_has_run_and_how_long_it_usually_takes() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(3, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    let conn = ConnId::from(w.conn.as_str());
    assert!(w.engine.view().busy_on(&conn, &vm).is_none());
    w.engine
        .start(&w.conn.clone(), vm.as_str(), Action::Reboot, w.now)
        .unwrap();
    w.step();
    let busy = w
        .engine
        .view()
        .busy_on(&conn, &vm)
        .expect("busy while it runs");
    assert_eq!(busy.kind, ActionKind::Reboot);
    assert_eq!(busy.workflow, None);
    assert_eq!(
        busy.since,
        w.engine.view().open_op_for(&conn, &vm).unwrap().since()
    );
    // "12 s of ~30 s": the time so far against the usual (cloudsfor gives no percentage).
    assert_eq!(busy.progress, None);
    assert!(busy.typical.is_some(), "a typical duration to show");
    assert_eq!(
        busy.typical,
        w.engine.view().typical_duration(&conn, ActionKind::Reboot)
    );
    assert!(busy.phase.is_open());
    w.run_until(10 * 60_000, |e| {
        e.view().busy_on(&conn, &vm).is_none() && e.view().open_op_for(&conn, &vm).is_none()
    });
}

#[test]
fn the_activity_lists_workflows_whole_newest_first_and_filters_by_state() {
    use vigil_core::engine::{ActivityFilter, ActivityItem};
    use vigil_core::workflow::Plan;
    let mut w = World::new(DialectKind::Cloudsfor, scenario(3, 0.0));
    let running: Vec<VmId> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Running && !v.locked)
        .map(|v| v.id)
        .collect();
    let reboot = w.run_op(running[0].as_str(), Action::Reboot).id;
    let stop = w
        .engine
        .start_workflow("c", running[1].as_str(), Plan::Stop { grace_s: 60 }, w.now)
        .unwrap();
    w.run_until(30 * 60_000, |e| !e.wf(&stop).is_open());

    let v = w.engine.view();
    let all = v.activity(ActivityFilter::All, None);
    assert_eq!(
        all,
        [
            ActivityItem::Workflow(stop.clone()),
            ActivityItem::Op(reboot.clone())
        ],
        "newest first; the stop's own operations inside it, not beside it"
    );
    assert_eq!(v.activity(ActivityFilter::Done, None).len(), 2);
    assert!(v.activity(ActivityFilter::InProgress, None).is_empty());
    assert!(v.activity(ActivityFilter::Failed, None).is_empty());
    assert_eq!(
        v.activity(ActivityFilter::All, Some((&"c".into(), &running[0]))),
        [ActivityItem::Op(reboot.clone())],
        "one VM's history"
    );
    assert!(!v.can_retry(&reboot), "nothing to retry on a success");
}

#[test]
fn a_failed_operation_can_be_retried_once_the_vm_allows_it() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(3, 1.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    let op = w.run_op(vm.as_str(), Action::Reboot);
    assert_eq!(op.phase, vigil_core::Phase::Failed, "{:?}", op.note);
    assert!(w.engine.view().can_retry(&op.id));
    // While another operation runs on the VM, not.
    w.engine
        .start(&w.conn.clone(), vm.as_str(), Action::PowerOff, w.now)
        .unwrap();
    assert!(!w.engine.view().can_retry(&op.id));
}

#[test]
fn what_is_kept_across_reloads_is_the_newest_plus_everything_still_open() {
    use vigil_core::workflow::Plan;
    let mut w = World::new(DialectKind::Cloudsfor, scenario(3, 0.0));
    let running: Vec<VmId> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Running && !v.locked)
        .map(|v| v.id)
        .collect();
    let done: Vec<OpId> = running[..3]
        .iter()
        .map(|vm| w.run_op(vm.as_str(), Action::Reboot).id)
        .collect();
    let stop = w
        .engine
        .start_workflow("c", running[3].as_str(), Plan::Stop { grace_s: 60 }, w.now)
        .unwrap();
    w.step(); // the stop's shutdown is sent and runs
    let open = w.engine.wf(&stop);
    assert!(open.is_open());
    let shutdown = open.steps[0]
        .op_id
        .clone()
        .expect("the shutdown was created");

    let kept = w.engine.saved().trimmed(1, 0, 0);
    let ids: Vec<&str> = kept.operations.iter().map(|o| o.id.as_str()).collect();
    assert!(
        !ids.contains(&done[0].as_str()) && !ids.contains(&done[1].as_str()),
        "older finished operations go: {ids:?}"
    );
    assert!(
        ids.contains(&shutdown.as_str()),
        "the open stop's shutdown stays"
    );
    assert_eq!(kept.workflows.len(), 1, "the open workflow stays");
    assert_eq!(kept.workflows[0].id, stop);
}
