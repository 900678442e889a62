//! ONETSolutions: vigil-core against the independent simulator, end to end.

mod common;

use common::*;
use vigil_core::engine::VmCommand;
use vigil_core::ActionKind;
use vigil_core::{
    Action, Credentials, DialectKind, ErrorKind, ListState, Note, OpId, Phase, PowerState,
    ProviderRef, Refusal, VmId,
};

const MINUTE: i64 = 60_000;
const BASE: &str =
    "http://127.0.0.1:8787/onetsolutions/v1/organizations/demo-org/projects/demo-project";

fn running_vm(w: &World) -> VmId {
    w.vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
}

#[test]
fn every_action_reaches_a_verified_end() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(3, 0.0));
    assert_eq!(w.vms().len(), 12);
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
        let op = w.run_op(vm.as_str(), action);
        assert_eq!(op.phase, Phase::Succeeded, "{what}: {:?}", op.note);
        assert!(
            matches!(&op.provider_ref, Some(ProviderRef::OnetTask { instance_id, .. }) if instance_id == vm.as_str()),
            "{what}: {:?}",
            op.provider_ref
        );
        // Every task may be retried twice: the console counts attempts out of three.
        assert!(
            matches!(op.attempt, Some((1 | 2, 3))),
            "{what}: {:?}",
            op.attempt
        );
    }
    let v = w.engine.vm("c", vm.as_str()).unwrap();
    assert_eq!(v.power, PowerState::Running);
    for verb in ["reboot", "reset", "shutdown", "start", "stop"] {
        assert!(
            w.count_sent(&format!("POST {BASE}/compute/instances/{vm}/{verb}")) >= 1,
            "{verb}"
        );
    }
}

#[test]
fn a_task_failing_every_attempt_fails_with_the_providers_words_after_the_retries() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(4, 1.0));
    let vm = running_vm(&w);
    let id = w
        .engine
        .start("c", vm.as_str(), Action::Reboot, w.now)
        .unwrap();
    let mut attempts_seen = Vec::new();
    let end = w.now + 30 * MINUTE;
    while w.engine.op(&id).is_open() {
        assert!(w.now < end);
        assert!(w.step());
        let op = w.engine.op(&id);
        if op.is_open() {
            assert_ne!(op.phase, Phase::Failed);
            if let Some(a) = op.attempt {
                if attempts_seen.last() != Some(&a) {
                    attempts_seen.push(a);
                }
            }
        }
    }
    // While it retried, it was still running, and said which attempt it was on.
    assert!(attempts_seen.contains(&(2, 3)), "{attempts_seen:?}");
    assert!(attempts_seen.contains(&(3, 3)), "{attempts_seen:?}");
    let op = w.engine.op(&id);
    assert_eq!(op.phase, Phase::Failed);
    assert_eq!(op.attempt, Some((3, 3)));
    assert_eq!(op.provider_status.as_deref(), Some("failed"));
    let Some(Note::Reported {
        cancelled: false,
        status,
        text: Some(text),
    }) = &op.note
    else {
        panic!("{:?}", op.note)
    };
    assert_eq!(status, "failed");
    let provider_words = [
        "Proxmox task timed out after 60 s",
        "Hypervisor node did not answer",
        "Could not acquire the VM config lock",
        "QEMU guest agent not responding",
    ];
    assert!(
        provider_words.contains(&text.as_str()),
        "the provider's own words: {text}"
    );
    // Nothing changed on the instance.
    w.run_until(10_000, |e| {
        e.vm("c", vm.as_str()).unwrap().power == PowerState::Running
    });
}

#[test]
fn a_retried_task_shows_its_second_attempt_and_still_succeeds() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(5, 0.0));
    let vm = running_vm(&w);
    let mut retried = 0;
    for _ in 0..25 {
        let op = w.run_op(vm.as_str(), Action::Reboot);
        assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
        if op.attempt == Some((2, 3)) {
            retried += 1;
        }
    }
    assert!(
        retried >= 1,
        "a fifth of the tasks fail their first attempt"
    );
}

#[test]
fn several_operations_cost_one_task_list_read_per_round() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(6, 0.0));
    let vms: Vec<VmId> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Running && !v.locked)
        .take(3)
        .map(|v| v.id)
        .collect();
    assert_eq!(vms.len(), 3);
    let ids: Vec<OpId> = vms
        .iter()
        .map(|v| {
            w.engine
                .start("c", v.as_str(), Action::Reboot, w.now)
                .unwrap()
        })
        .collect();
    let before = w.sent.len();
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
        .filter(|s| s.contains("/compute/tasks?page=1&page_size=100"))
        .count();
    let task_reads = window
        .iter()
        .filter(|s| s.contains("/compute/tasks/"))
        .count();
    assert!(rounds >= 3, "{window:#?}");
    assert!(task_reads <= 3, "{window:#?}");
    w.run_until(30 * MINUTE, |e| ids.iter().all(|id| !e.op(id).is_open()));
    for id in &ids {
        let op = w.engine.op(id);
        assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    }
}

#[test]
fn a_long_list_is_read_page_by_page_and_an_instance_verified_on_its_page() {
    let mut sc = scenario(7, 0.0);
    sc.vms = 130;
    let mut w = World::new(DialectKind::OnetSolutions, sc);
    assert_eq!(w.vms().len(), 130);
    assert_eq!(w.count_sent("/compute/instances?page=1&page_size=100"), 1);
    // The second page at the `next` link the simulator gave, as given.
    assert_eq!(w.count_sent("/compute/instances?page_size=100&page=2"), 1);
    // Every request went to the configured base (the simulator's `next` links are absolute).
    assert!(w.sent.iter().all(|s| s.contains(BASE)));
    let last = w
        .vms()
        .into_iter()
        .skip(100)
        .find(|v| v.power == PowerState::Running && !v.locked)
        .expect("a running instance on page 2")
        .id;
    let reads_before = w.count_sent("page_size=100&page=2");
    let op = w.run_op(last.as_str(), Action::Reboot);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert!(w.count_sent("page_size=100&page=2") > reads_before);
}

#[test]
fn rate_limits_are_waited_out() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(8, 0.0));
    let vm = running_vm(&w);
    w.sim
        .set_faults(vigil_sim::Faults::parse("429=0.4").unwrap());
    let op = w.run_op(vm.as_str(), Action::Reboot);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert!(w.sim.stats()["faults"]["429"].as_u64().unwrap() > 0);
}

#[test]
fn an_instance_in_error_offers_nothing_but_its_deletion() {
    let w = World::new(DialectKind::OnetSolutions, scenario(9, 0.0));
    let bad = w.vm_where(|v| v.status_raw == "error");
    assert_eq!(bad.power, PowerState::Unknown("error".into()));
    let choices = w.engine.view().choices(&"c".into(), &bad.id);
    assert!(!choices.is_empty());
    let delete = VmCommand::Action(ActionKind::Delete);
    assert!(choices
        .iter()
        .any(|c| c.command == delete && c.reason.is_none()));
    for c in choices.into_iter().filter(|c| c.command != delete) {
        let why = c
            .reason
            .unwrap_or_else(|| panic!("{:?} offered", c.command));
        let expected = Refusal::StatusNotKnown {
            status: "error".into(),
            rename_only: false,
        };
        assert_eq!(why, expected, "{:?}", c.command);
    }
}

#[test]
fn a_refusal_after_another_client_acted_keeps_the_providers_words() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(10, 0.0));
    let vm = running_vm(&w);
    let req = vigil_sim::Request::post(&format!("{BASE}/compute/instances/{vm}/reboot"), "{}")
        .bearer("demo-token");
    assert_eq!(w.sim.handle(&req, w.now as u64).unwrap().status, 202);
    let op = w.run_op(vm.as_str(), Action::Shutdown);
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!(
        err.provider_text.as_deref(),
        Some("Instance already has a task in progress.")
    );
    // Vigil looked again: the instance shows its task.
    w.run_until(10_000, |e| e.vm("c", vm.as_str()).unwrap().locked);
    assert_eq!(w.engine.vm("c", vm.as_str()).unwrap().status_raw, "pending");
    assert!(w
        .engine
        .allowed("c", vm.as_str(), vigil_core::ActionKind::Reboot)
        .is_err());
}

#[test]
fn refused_credentials_show_the_providers_words() {
    let w = World::with_credentials(
        DialectKind::OnetSolutions,
        scenario(1, 0.0),
        Credentials::Bearer {
            token: "sk-onetsolutions-wrong".into(),
        },
    );
    match w.engine.list_state("c") {
        Some(ListState::Failed { error, .. }) => {
            assert_eq!(error.kind, ErrorKind::Unauthorized);
            assert_eq!(error.provider_text.as_deref(), Some("Invalid token."));
            assert!(!error.to_string().contains("sk-onetsolutions-wrong"));
            assert!(!format!("{error:?}").contains("sk-onetsolutions-wrong"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_hundred_fifty_operations_are_observed_from_three_task_list_pages_a_round() {
    let mut sc = scenario(8, 0.0);
    sc.vms = 400;
    let mut w = World::new(DialectKind::OnetSolutions, sc);
    let vms: Vec<VmId> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Running && !v.locked)
        .take(250)
        .map(|v| v.id)
        .collect();
    assert_eq!(vms.len(), 250);
    let ids: Vec<OpId> = vms
        .iter()
        .map(|v| {
            w.engine
                .start("c", v.as_str(), Action::Reboot, w.now)
                .unwrap()
        })
        .collect();
    let before = w.sent.len();
    w.run_until(30 * MINUTE, |e| ids.iter().all(|id| !e.op(id).is_open()));
    for id in &ids {
        let op = w.engine.op(id);
        assert_eq!(op.phase, Phase::Succeeded, "{id}: {:?}", op.note);
    }
    let window = &w.sent[before..];
    let count = |needle: &str| window.iter().filter(|s| s.contains(needle)).count();
    let rounds = count("/compute/tasks?page=1&page_size=100");
    let pages = count("/compute/tasks?");
    // Every task is settled by the list: finished ones as well as running ones.
    // Only a last operation left alone is read on its own (one request either way).
    assert!(count("/compute/tasks/") <= 2, "{window:#?}");
    // The list is followed to its third page while operations are spread over three.
    assert!(
        count("/compute/tasks?page_size=100&page=3") >= 1,
        "{window:#?}"
    );
    assert_eq!(
        count("/compute/tasks?page_size=100&page=4"),
        0,
        "250 tasks fit on 3 pages"
    );
    assert!(pages <= 3 * rounds, "{pages} pages in {rounds} rounds");
    // Far fewer looks than operations, let alone one per operation and round.
    assert!(pages < 250, "{pages} task list pages for 250 operations");
    assert_eq!(w.throttled, 0, "never above the documented rate limit");
}

#[test]
fn deletes_whose_vms_a_listing_showed_gone_before_their_tasks_were_seen_ending_end_done() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(9, 0.0));
    let vms: Vec<vigil_core::Vm> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Stopped && !v.locked)
        .take(2)
        .collect();
    assert_eq!(vms.len(), 2);
    let ids: Vec<OpId> = vms
        .iter()
        .map(|vm| {
            let del = vigil_core::Command::Delete {
                conn: "c".into(),
                vm: vm.id.clone(),
                typed_name: vm.name.clone(),
            };
            w.engine.cmd(del, w.now).unwrap().op().unwrap().clone()
        })
        .collect();
    // Every read of their tasks goes unanswered until a listing has shown both VMs gone: the
    // tasks are seen ending only after that.
    let listed = |w: &World| {
        vms.iter()
            .any(|v| w.engine.vm("c", v.id.as_str()).is_some())
    };
    while listed(&w) {
        assert!(w.now < T0 + 30 * MINUTE, "the listing shows them gone");
        for o in w.engine.round(w.now) {
            let reply = w.sim.handle(&to_sim(&o.request), w.now as u64);
            if !o.request.url.contains("/tasks") {
                w.engine.answer(o.token, from_sim(reply), w.now + RTT);
            }
        }
        w.now += RTT;
        w.now = w.now.max(w.engine.wake().unwrap_or(w.now));
    }
    w.run_until(30 * MINUTE, |e| ids.iter().all(|id| !e.op(id).is_open()));
    for (id, vm) in ids.iter().zip(&vms) {
        let op = w.engine.op(id);
        assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
        let fact = w.sim.vm_fact("onetsolutions", vm.id.as_str()).unwrap();
        assert!(!fact.exists());
    }
}
