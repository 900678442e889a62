//! Erigones: vigil-core against the independent simulator, end to end.

mod common;

use common::*;
use vigil_core::engine::VmCommand;
use vigil_core::{
    Action, ActionKind, Command, Credentials, DialectKind, ErrorKind, ListState, Mismatch, Note,
    Phase, PowerState, ProviderRef, Refusal, TaskEnd,
};

const MINUTE: i64 = 60_000;
const BASE: &str = "http://127.0.0.1:8787/erigones/api";

fn running_vm(w: &World) -> String {
    w.vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string()
}

/// Another console (or the provider's own panel) acting on the VM behind Vigil's back.
fn act_elsewhere(w: &mut World, host: &str, verb: &str) {
    let req = vigil_sim::Request::put(&format!("{BASE}/vm/{host}/status/{verb}/"), "{}")
        .with_header("ES-API-KEY", "demo-key");
    let resp = w.sim.handle(&req, w.now as u64).unwrap();
    assert_eq!(resp.status, 201, "{}", resp.body);
}

/// Sends what is due now and hands the answers back after one round trip, without moving the
/// clock on to the engine's next wake-up (which [`World::step`] does).
fn exchange(w: &mut World) {
    for o in w.engine.round(w.now) {
        w.sent.push(o.request.describe());
        let reply = w.sim.handle(&to_sim(&o.request), w.now as u64);
        w.engine.answer(o.token, from_sim(reply), w.now + RTT);
    }
    w.now += RTT;
}

#[test]
fn every_action_reaches_a_verified_end() {
    let mut w = World::new(DialectKind::Erigones, scenario(3, 0.0));
    assert_eq!(w.vms().len(), 12);
    assert_eq!(w.count_sent("/vm/status/"), 1, "one request lists every VM");
    let vm = running_vm(&w);
    for action in [
        Action::Reboot,
        Action::PowerCycle,
        Action::Shutdown,
        Action::Start,
        Action::PowerOff,
        Action::Start,
    ] {
        let what = format!("{action:?}");
        let op = w.run_op(&vm, action);
        assert_eq!(op.phase, Phase::Succeeded, "{what}: {:?}", op.note);
        assert!(
            matches!(&op.provider_ref, Some(ProviderRef::ErigonesTask { hostname, .. }) if *hostname == vm),
            "{what}: {:?}",
            op.provider_ref
        );
        assert!(op.finished_at.unwrap() > op.accepted_at.unwrap());
    }
    let v = w.engine.vm("c", &vm).unwrap();
    assert_eq!(v.power, PowerState::Running);
    assert!(!v.locked);
    assert!(w.count_sent("/status/stop/") == 2 && w.count_sent("/status/reboot/") == 2);
}

#[test]
fn a_failed_task_fails_with_the_providers_detail() {
    let mut w = World::new(DialectKind::Erigones, scenario(4, 1.0));
    let vm = running_vm(&w);
    let op = w.run_op(&vm, Action::Reboot);
    assert_eq!(op.phase, Phase::Failed);
    assert_eq!(op.provider_status.as_deref(), Some("FAILURE"));
    assert!(
        matches!(
            &op.note,
            Some(Note::Reported { cancelled: false, status, text: Some(t) })
                if status == "FAILURE"
                    && t == "Failed to reboot VM: vmadm reboot exited with error"
        ),
        "{:?}",
        op.note
    );
    // The VM is back to what it was, and shown so.
    w.run_until(10_000, |e| e.vm("c", &vm).unwrap().status_raw == "running");
}

#[test]
fn several_operations_cost_one_vm_status_read_per_round() {
    let mut w = World::new(DialectKind::Erigones, scenario(5, 0.0));
    let hosts: Vec<String> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Running && !v.locked)
        .take(3)
        .map(|v| v.id.to_string())
        .collect();
    assert_eq!(hosts.len(), 3);
    let ids: Vec<vigil_core::OpId> = hosts
        .iter()
        .map(|h| w.engine.start("c", h, Action::Reboot, w.now).unwrap())
        .collect();
    let before = w.sent.len();
    // While all three run, each round is one `GET /vm/status/`.
    let all_running = |e: &vigil_core::Engine| {
        ids.iter().all(|id| {
            matches!(
                e.op(id).phase,
                Phase::Submitted | Phase::Accepted | Phase::InProgress
            )
        })
    };
    while all_running(&w.engine) {
        assert!(w.step());
    }
    let window = &w.sent[before..];
    let rounds = window
        .iter()
        .filter(|s| *s == &format!("GET {BASE}/vm/status/"))
        .count();
    let task_reads = window
        .iter()
        .filter(|s| s.contains("/task/") && s.ends_with("/status/"))
        .count();
    assert!(rounds >= 3, "{window:#?}");
    // Only an operation gone from the VM's `tasks` map is looked at on its own, once.
    assert!(task_reads <= 3, "{window:#?}");
    assert!(task_reads < rounds, "{window:#?}");
    w.run_until(30 * MINUTE, |e| ids.iter().all(|id| !e.op(id).is_open()));
    for id in &ids {
        let op = w.engine.op(id);
        assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    }
}

#[test]
fn an_expired_task_is_resolved_from_the_vm() {
    let mut w = World::new(DialectKind::Erigones, scenario(6, 0.0));
    let vm = running_vm(&w);
    let id = w.engine.start("c", &vm, Action::Reboot, w.now).unwrap();
    w.run_until(10_000, |e| e.op(&id).phase == Phase::Accepted);
    // The laptop sleeps: the task finishes, and 10 minutes later the provider forgets it.
    // On waking, the overdue operation is looked at before anything times it out.
    w.now += 20 * MINUTE;
    w.run_until(2 * MINUTE, |e| !e.op(&id).is_open());
    let op = w.engine.op(&id);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert_eq!(
        op.provider_status.as_deref(),
        Some("Task does not exist (anymore)")
    );
    assert!(w.count_sent(&format!("GET {BASE}/vm/{vm}/status/")) >= 1);
}

#[test]
fn an_expired_task_whose_vm_disagrees_is_not_called_done() {
    let mut w = World::new(DialectKind::Erigones, scenario(7, 1.0));
    let vm = running_vm(&w);
    let id = w.engine.start("c", &vm, Action::Shutdown, w.now).unwrap();
    w.run_until(10_000, |e| e.op(&id).phase == Phase::Accepted);
    w.now += 20 * MINUTE;
    w.run_until(5 * MINUTE, |e| !e.op(&id).is_open());
    let op = w.engine.op(&id);
    assert_eq!(op.phase, Phase::NeedsCheck, "{:?}", op.note);
    // The provider never said the task completed: the note says it is gone, and what the VM
    // shows.
    assert!(
        matches!(
            &op.note,
            Some(Note::Unverified { end: TaskEnd::Gone, why: Mismatch::Power { status } })
                if status == "running"
        ),
        "{:?}",
        op.note
    );
}

#[test]
fn a_queued_task_can_be_cancelled() {
    let mut w = World::new(DialectKind::Erigones, scenario(8, 0.0));
    let vm = running_vm(&w);
    let id = w.engine.start("c", &vm, Action::Reboot, w.now).unwrap();
    // Cancelled right away, while the task still waits in the provider's queue.
    exchange(&mut w);
    assert_eq!(w.engine.op(&id).phase, Phase::Accepted);
    assert!(w.engine.view().can_cancel(&id));
    w.engine
        .cmd(Command::Cancel { op: id.clone() }, w.now)
        .unwrap();
    w.run_until(MINUTE, |e| !e.op(&id).is_open());
    let op = w.engine.op(&id);
    assert_eq!(op.phase, Phase::Cancelled);
    assert!(
        matches!(
            &op.note,
            Some(Note::Reported { cancelled: true, text: Some(t), .. }) if t == "Task was revoked"
        ),
        "{:?}",
        op.note
    );
    assert_eq!(w.count_sent("/cancel/"), 1);
    // Stop and reboot put the VM in `stopping` at once; the revoked task gives it back.
    w.run_until(10_000, |e| {
        let v = e.vm("c", &vm).unwrap();
        v.status_raw == "running" && !v.locked
    });
}

#[test]
fn a_started_task_refuses_cancel_and_the_operation_goes_on() {
    let mut w = World::new(DialectKind::Erigones, scenario(9, 0.0));
    let vm = running_vm(&w);
    let id = w.engine.start("c", &vm, Action::Reboot, w.now).unwrap();
    w.run_until(MINUTE, |e| {
        e.op(&id).provider_status.as_deref() == Some("STARTED")
    });
    w.engine
        .cmd(Command::Cancel { op: id.clone() }, w.now)
        .unwrap();
    w.step();
    let op = w.engine.op(&id);
    let Some(Note::CancelRefused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!(
        err.provider_text.as_deref(),
        Some("Task is already running and cannot be cancelled without force")
    );
    assert!(op.is_open());
    w.run_until(30 * MINUTE, |e| !e.op(&id).is_open());
    assert_eq!(w.engine.op(&id).phase, Phase::Succeeded);
}

#[test]
fn a_refusal_after_another_console_acted_keeps_the_providers_words_and_power_off_forces() {
    let mut w = World::new(DialectKind::Erigones, scenario(10, 0.0));
    let vm = running_vm(&w);
    act_elsewhere(&mut w, &vm, "stop");
    // Vigil still shows the VM running, so it sends a graceful stop: the provider refuses.
    let op = w.run_op(&vm, Action::Shutdown);
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!(
        err.provider_text.as_deref(),
        Some("VM is already stopping; try to use force")
    );
    // The refusal made Vigil look again: the VM is stopping, with the other stop pending.
    for _ in 0..4 {
        if w.engine.vm("c", &vm).unwrap().locked {
            break;
        }
        exchange(&mut w);
    }
    assert!(w.engine.vm("c", &vm).unwrap().locked);
    let v = w.engine.vm("c", &vm).unwrap();
    assert_eq!(v.power, PowerState::Stopping);
    assert_eq!(
        w.engine.allowed("c", &vm, ActionKind::Shutdown),
        Err(Refusal::AlreadyStopping),
        "Power off is the way out"
    );
    assert!(w.engine.allowed("c", &vm, ActionKind::Start).is_err());
    // A forced stop is the way out, and is done when the VM shows it stopped.
    let op = w.run_op(&vm, Action::PowerOff);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    let v = w.engine.vm("c", &vm).unwrap();
    assert_eq!(v.status_raw, "stopped");
}

#[test]
fn a_vm_that_is_not_operational_offers_no_power_action_only_its_deletion() {
    let w = World::new(DialectKind::Erigones, scenario(11, 0.0));
    let nc = w.vm_where(|v| v.status_raw == "notcreated");
    assert!(!nc.locked);
    let choices = w.engine.view().choices(&"c".into(), &nc.id);
    let delete = VmCommand::Action(ActionKind::Delete);
    let actions = choices
        .iter()
        .filter(|c| matches!(c.command, VmCommand::Action(_)) && c.command != delete)
        .count();
    // The five power actions, the rebuild (a recreate of a VM never deployed would deploy
    // it instead) and the provider's four options (start from ISO, freeze, unfreeze, refresh
    // from the node): all refused as not operational.
    assert_eq!(actions, 10, "{choices:?}");
    let not_operational = Refusal::NotOperational {
        status: "notcreated".into(),
    };
    for c in &choices {
        let expected = (c.command != delete).then_some(&not_operational);
        assert_eq!(c.reason.as_ref(), expected, "{:?}", c.command);
    }
    // A VM defined but never deployed (or whose deploy failed) can still be deleted: undefined.
    assert!(choices.iter().any(|c| c.command == delete));
}

#[test]
fn login_credentials_get_a_session_and_renew_it_before_it_ends() {
    let mut w = World::with_credentials(
        DialectKind::Erigones,
        scenario(12, 0.0),
        Credentials::Login {
            username: "demo".into(),
            password: "demo".into(),
        },
    );
    assert!(matches!(
        w.engine.list_state("c"),
        Some(ListState::Ready { .. })
    ));
    assert_eq!(w.vms().len(), 12);
    assert_eq!(w.sent[0], format!("POST {BASE}/accounts/login/"));
    assert_eq!(w.count_sent("/accounts/login/"), 1);
    let vm = running_vm(&w);
    let op = w.run_op(&vm, Action::Reboot);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    // The token lasts an hour: a new login goes out before it ends, and nothing is refused.
    let end = w.now + 70 * MINUTE;
    while w.now < end {
        assert!(w.step());
        assert!(
            matches!(w.engine.list_state("c"), Some(ListState::Ready { .. })),
            "{:?}",
            w.engine.list_state("c")
        );
    }
    assert_eq!(w.count_sent("/accounts/login/"), 2);
    let op = w.run_op(&vm, Action::Reboot);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
}

#[test]
fn a_refused_api_key_shows_the_providers_words() {
    let w = World::with_credentials(
        DialectKind::Erigones,
        scenario(1, 0.0),
        Credentials::ApiKey {
            key: "wrong-key".into(),
        },
    );
    match w.engine.list_state("c") {
        Some(ListState::Failed { error, .. }) => {
            assert_eq!(error.kind, ErrorKind::Unauthorized);
            assert_eq!(error.provider_text.as_deref(), Some("Invalid API key."));
            assert!(!error.to_string().contains("wrong-key"));
            assert!(!format!("{error:?}").contains("wrong-key"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_login_stops_and_says_why() {
    let mut w = World::with_credentials(
        DialectKind::Erigones,
        scenario(1, 0.0),
        Credentials::Login {
            username: "demo".into(),
            password: "wrong-password".into(),
        },
    );
    match w.engine.list_state("c") {
        Some(ListState::Failed { error, .. }) => {
            // The username or password, not a token: what the old "refused the username or
            // password" message said is the kind now.
            assert_eq!(error.kind, ErrorKind::LoginRefused);
            assert_eq!(
                error.provider_text.as_deref(),
                Some("Unable to log in with provided credentials.")
            );
            assert!(!error.to_string().contains("wrong-password"));
            assert!(!format!("{error:?}").contains("wrong-password"));
        }
        other => panic!("{other:?}"),
    }
    // Wrong credentials do not fix themselves: no retry loop against the login.
    assert!(!w.step());
    assert_eq!(w.count_sent("/accounts/login/"), 1);
    assert_eq!(w.sent.len(), 1);
    // Until the user asks again.
    w.engine
        .cmd(Command::Refresh { conn: "c".into() }, w.now)
        .unwrap();
    w.step();
    assert_eq!(w.count_sent("/accounts/login/"), 2);
    // Nothing but logins went out: no request without a session.
    assert!(w.sent.iter().all(|s| s.ends_with("/accounts/login/")));
}
