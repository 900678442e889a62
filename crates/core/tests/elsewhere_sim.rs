//! Operations started elsewhere — directly at the simulator, as a colleague or with the
//! provider's own API — while the console is open: each shows up as "started elsewhere", is
//! followed to a verified end that agrees with the simulator's ground truth, costs at most one
//! request more per poll round, and is never a write. A write of ours whose answer was lost is
//! still adopted as ours.

mod common;

use common::{from_sim, scenario, to_sim, Drive, World, RTT};
use vigil_core::{
    Action, Command, DialectKind, Millis, NetError, Operation, Origin, Phase, PowerState,
};
use vigil_sim::Request;

const SECOND: Millis = 1000;

/// The provider's own API, called beside the console: a reboot of `vm` by someone else.
fn colleague_reboot(w: &mut World, dialect: DialectKind, vm: &vigil_core::Vm) {
    let base = format!("http://127.0.0.1:8787{}", vigil_core::demo::prefix(dialect));
    let id = vm.id.as_str();
    let req = match dialect {
        DialectKind::Cloudsfor => {
            Request::post(&format!("{base}/vms/{id}/actions"), r#"{"type": "reboot"}"#)
                .basic("demo@vigil.test", "demo")
        }
        DialectKind::ZennoHosting => {
            let p = vm.project.clone().expect("a project");
            Request::post(&format!("{base}/projects/{p}/vms/{id}/reboot"), "")
                .bearer(vigil_sim::COLLEAGUE_TOKEN)
        }
        DialectKind::OnetSolutions => {
            Request::post(&format!("{base}/compute/instances/{id}/reboot"), "")
                .bearer(vigil_sim::COLLEAGUE_TOKEN)
        }
        DialectKind::Erigones => Request::put(&format!("{base}/vm/{id}/status/reboot/"), "{}")
            .with_header("ES-API-KEY", vigil_sim::DEMO_ES_API_KEY),
        DialectKind::Hostway => unreachable!("not part of these tests"),
    };
    let r = w.sim.handle(&req, w.now as u64);
    let status = r.response().map(|r| r.status).unwrap_or(0);
    assert!((200..300).contains(&status), "{dialect:?}: {status}");
}

/// One step of the world; how many requests it sent.
fn step(w: &mut World) -> usize {
    let before = w.sent.len();
    assert!(w.step(), "the engine went idle");
    w.sent.len() - before
}

fn elsewhere(w: &World) -> Vec<Operation> {
    w.engine
        .view()
        .operations()
        .filter(|o| o.origin.is_elsewhere())
        .cloned()
        .collect()
}

fn is_write(desc: &str) -> bool {
    !desc.starts_with("GET ")
}

/// The console open on `dialect`, one VM rebooted by someone else just before the console's
/// next routine read: it appears as started elsewhere, ends verified as the truth says, and
/// each poll round sends at most one request more than the same rounds did before.
fn followed(dialect: DialectKind, seed: u64) {
    let mut w = World::new(dialect, scenario(seed, 0.0));
    // The console idles: the requests of its poll rounds, for the baseline.
    let mut baseline = 0;
    let idle_until = w.now + 3 * 60 * SECOND;
    while w.now < idle_until {
        baseline = baseline.max(step(&mut w));
    }
    let writes_before = w.sent.iter().filter(|d| is_write(d)).count();
    let vm = w.vm_where(|v| v.power == PowerState::Running && !v.locked);
    // Just before the next round is due.
    let due = w.engine.wake().expect("a next round");
    w.now = w.now.max(due.saturating_sub(2 * SECOND));
    colleague_reboot(&mut w, dialect, &vm);
    let mut rounds = 0;
    let end = w.now + 10 * 60 * SECOND;
    loop {
        let n = step(&mut w);
        assert!(
            n <= baseline + 1,
            "{dialect:?}: a round sent {n} requests (idle rounds: {baseline})"
        );
        rounds += 1;
        let ops = elsewhere(&w);
        if ops.first().is_some_and(|o| !o.is_open()) {
            break;
        }
        assert!(w.now < end, "{dialect:?}: not ended in time: {ops:?}");
    }
    let ops = elsewhere(&w);
    assert_eq!(ops.len(), 1, "{dialect:?}: {ops:?}");
    let op = &ops[0];
    assert_eq!(op.vm_id(), Some(&vm.id));
    assert!(matches!(op.action, Action::Elsewhere { .. }));
    // What the truth says happened.
    let truth = w
        .sim
        .latest_action(dialect.slug(), vm.id.as_str())
        .expect("the colleague's action in the truth");
    assert!(truth.succeeded, "{dialect:?}: {truth:?}");
    assert_eq!(op.phase, Phase::Succeeded, "{dialect:?}: {op:?}");
    let finished = op.finished_at.expect("ended");
    assert!(
        truth.finished_at_ms.is_some_and(|t| t <= finished as u64),
        "{dialect:?}: done at {finished} before the truth's end {truth:?}"
    );
    let fact = w.sim.vm_fact(dialect.slug(), vm.id.as_str()).expect("fact");
    assert_eq!(fact.state, vigil_sim::VmState::Running, "{dialect:?}");
    // No write went out for it.
    let writes = w.sent.iter().filter(|d| is_write(d)).count();
    assert_eq!(writes, writes_before, "{dialect:?}: {:?}", w.sent);
    assert!(rounds > 0);
    // The page can tell it apart: started elsewhere, never Cancel or Retry.
    let cancel = w.engine.cmd(Command::Cancel { op: op.id.clone() }, w.now);
    let retry = w.engine.cmd(Command::Retry { op: op.id.clone() }, w.now);
    assert!(cancel.is_err() && retry.is_err(), "{cancel:?} {retry:?}");
}

#[test]
fn cloudsfor_a_reboot_started_elsewhere_is_followed_to_its_verified_end() {
    followed(DialectKind::Cloudsfor, 7);
}

#[test]
fn zenno_a_colleagues_reboot_is_followed_to_its_verified_end() {
    followed(DialectKind::ZennoHosting, 7);
}

#[test]
fn onet_a_colleagues_reboot_is_followed_and_names_them() {
    followed(DialectKind::OnetSolutions, 7);
    let mut w = World::new(DialectKind::OnetSolutions, scenario(8, 0.0));
    let vm = w.vm_where(|v| v.power == PowerState::Running && !v.locked);
    let due = w.engine.wake().expect("a next round");
    w.now = w.now.max(due.saturating_sub(2 * SECOND));
    colleague_reboot(&mut w, DialectKind::OnetSolutions, &vm);
    w.run_until(10 * 60 * SECOND, |e| {
        e.view()
            .operations()
            .any(|o| o.origin.is_elsewhere() && !o.is_open())
    });
    let op = elsewhere(&w).remove(0);
    assert_eq!(
        op.origin,
        Origin::Elsewhere {
            by: Some("colleague@vigil.test".into())
        }
    );
    assert_eq!(
        op.action,
        Action::Elsewhere {
            raw: "reboot_vps".into()
        }
    );
}

#[test]
fn erigones_a_task_started_elsewhere_is_followed_to_its_verified_end() {
    followed(DialectKind::Erigones, 7);
}

/// Our own reboot whose answer was lost: the VM shows an operation under way, but it is ours —
/// looked for and adopted, never followed a second time as another's.
fn lost_answer_stays_ours(dialect: DialectKind) {
    let mut w = World::new(dialect, scenario(11, 0.0));
    let vm = w.vm_where(|v| v.power == PowerState::Running && !v.locked);
    let id = w
        .engine
        .start("c", vm.id.as_str(), Action::Reboot, w.now)
        .expect("allowed");
    let mut lost = false;
    let end = w.now + 10 * 60 * SECOND;
    while w.engine.op(&id).is_open() {
        assert!(w.now < end, "{dialect:?}: not ended");
        let out = w.engine.round(w.now);
        let at = w.now + RTT;
        for o in out {
            w.sent.push(o.request.describe());
            let reply = w.sim.handle(&to_sim(&o.request), w.now as u64);
            let write = is_write(&o.request.describe());
            if write && !lost {
                // The provider took it; its answer never came.
                lost = true;
                w.engine
                    .answer(o.token, Err(NetError("connection reset".into())), at);
                continue;
            }
            w.engine.answer(o.token, from_sim(reply), at);
        }
        w.now = at.max(w.engine.wake().unwrap_or(at));
    }
    assert!(lost);
    let op = w.engine.op(&id);
    assert_eq!(op.origin, Origin::Console);
    assert_eq!(op.phase, Phase::Succeeded, "{dialect:?}: {op:?}");
    assert!(elsewhere(&w).is_empty(), "{dialect:?}: {:?}", elsewhere(&w));
    let writes = w.sent.iter().filter(|d| is_write(d)).count();
    assert_eq!(writes, 1, "{dialect:?}: sent again: {:?}", w.sent);
}

#[test]
fn a_lost_answer_of_our_own_write_is_adopted_as_ours() {
    for d in [
        DialectKind::Cloudsfor,
        DialectKind::ZennoHosting,
        DialectKind::OnetSolutions,
        DialectKind::Erigones,
    ] {
        lost_answer_stays_ours(d);
    }
}

/// Our own reboot whose task never ends: it times out, in doubt, while the provider still
/// shows its task under way on the VM. That is ours, left to it: no record of it as started
/// elsewhere, however long it shows. On another VM, once a reboot of ours truly ended (done),
/// a colleague's reboot is another's and is followed as such.
fn doubt_keeps_what_runs(dialect: DialectKind) {
    let mut w = World::new(dialect, scenario(13, 0.0));
    let vm = w.vm_where(|v| v.power == PowerState::Running && !v.locked);
    w.sim.set_faults("stuck=1".parse().expect("a fault spec"));
    let id = w
        .engine
        .start("c", vm.id.as_str(), Action::Reboot, w.now)
        .expect("allowed");
    w.run_until(60 * 60 * SECOND, |e| {
        e.view().operation(&id).is_some_and(|o| !o.is_open())
    });
    let op = w.engine.op(&id);
    assert!(op.phase.needs_check(), "{dialect:?}: {op:?}");
    let stuck = w
        .sim
        .latest_action(dialect.slug(), vm.id.as_str())
        .expect("our reboot in the truth");
    assert!(stuck.finished_at_ms.is_none(), "{dialect:?}: {stuck:?}");
    // The engine reads on (its lists, its other VMs) for a while: nothing new of its own.
    let until = w.now + 5 * 60 * SECOND;
    while w.now < until {
        step(&mut w);
    }
    assert!(elsewhere(&w).is_empty(), "{dialect:?}: {:?}", elsewhere(&w));
    w.sim.set_faults(vigil_sim::Faults::none());
    // Ours, truly ended on another VM; then a colleague's reboot there.
    let other = w.vm_where(|v| v.id != vm.id && v.power == PowerState::Running && !v.locked);
    let ours = w
        .engine
        .start("c", other.id.as_str(), Action::Reboot, w.now)
        .expect("allowed");
    w.run_until(10 * 60 * SECOND, |e| {
        e.view().operation(&ours).is_some_and(|o| !o.is_open())
    });
    assert_eq!(w.engine.op(&ours).phase, Phase::Succeeded, "{dialect:?}");
    let due = w.engine.wake().expect("a next round");
    w.now = w.now.max(due.saturating_sub(2 * SECOND));
    colleague_reboot(&mut w, dialect, &other);
    w.run_until(10 * 60 * SECOND, |e| {
        e.view()
            .operations()
            .any(|o| o.origin.is_elsewhere() && !o.is_open())
    });
    let seen = elsewhere(&w);
    assert_eq!(seen.len(), 1, "{dialect:?}: {seen:?}");
    assert_eq!(seen[0].vm_id(), Some(&other.id), "{dialect:?}");
    assert_eq!(
        seen[0].phase,
        Phase::Succeeded,
        "{dialect:?}: {:?}",
        seen[0]
    );
}

#[test]
fn an_operation_of_ours_in_doubt_is_never_taken_for_anothers() {
    for d in [
        DialectKind::Cloudsfor,
        DialectKind::ZennoHosting,
        DialectKind::OnetSolutions,
        DialectKind::Erigones,
    ] {
        doubt_keeps_what_runs(d);
    }
}
