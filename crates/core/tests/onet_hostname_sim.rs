//! ONETSolutions' hostname change against vigil-sim: `PUT /compute/instances/{id}
//! {"hostname"}` → `200 Instance` and a `change_hostname` task in the guest, followed as the
//! newest of its type on the instance. Done only when that task completed and the instance
//! shows the new hostname — checked on the simulator's own instance, read over its API with
//! serde alone. A task in progress refuses it in the provider's words; a hostname that is not a
//! DNS name, or the one the VM has, is refused before anything is sent; an operation kept by the
//! page resumes after a reload.

mod common;

use common::*;
use serde_json::Value;
use vigil_core::{
    Action, ActionKind, DialectKind, Mismatch, Note, Phase, PowerState, ProviderRef, Refusal,
};

/// The hostname the simulator's instance shows, read over its own API with serde alone (not
/// vigil-core's parser).
fn sim_hostname(w: &mut World, vm: &str) -> String {
    let v = onet_instance(w, vm);
    v["hostname"].as_str().expect("a hostname").to_string()
}

fn hostname(h: &str) -> Action {
    Action::SetHostname { hostname: h.into() }
}

/// The PUTs sent to the instance, as their JSON bodies.
fn puts(w: &World, vm: &str) -> Vec<Value> {
    w.sent
        .iter()
        .zip(&w.bodies)
        .filter(|(s, _)| s.starts_with("PUT") && s.ends_with(&format!("/compute/instances/{vm}")))
        .map(|(_, b)| serde_json::from_str(b).unwrap())
        .collect()
}

#[test]
fn a_hostname_change_is_done_when_the_task_completed_and_the_instance_shows_it() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(71, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    // The hostname the provider shows is on the VM, as the simulator has it.
    let before = sim_hostname(&mut w, &vm);
    assert_eq!(
        w.engine.vm("c", &vm).unwrap().hostname.as_deref(),
        Some(before.as_str())
    );
    assert!(w.engine.allowed("c", &vm, ActionKind::SetHostname).is_ok());
    let op = w.run_op(&vm, hostname(" Web-Front-01.example.net "));
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert_eq!(
        op.provider_ref,
        Some(ProviderRef::OnetInstanceTask {
            instance_id: vm.clone(),
            task_type: "change_hostname".into()
        })
    );
    // One PUT, the hostname only (trimmed, lowercase): the name is left alone.
    assert_eq!(
        puts(&w, &vm),
        [serde_json::json!({"hostname": "web-front-01.example.net"})]
    );
    // The truth: the simulator's task completed before Vigil called it done, and its instance
    // has the new hostname.
    let done = w.sim.latest_action("onetsolutions", &vm).expect("a task");
    assert_eq!(done.action, "change_hostname");
    assert!(done.succeeded && done.finished_by(w.now as u64));
    assert!(op.finished_at.unwrap() as u64 >= done.finished_at_ms.unwrap());
    assert_eq!(sim_hostname(&mut w, &vm), "web-front-01.example.net");
    let shown = w.engine.vm("c", &vm).unwrap().hostname.clone();
    assert_eq!(shown.as_deref(), Some("web-front-01.example.net"));
}

#[test]
fn a_task_in_progress_refuses_it_in_the_providers_words() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(72, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let before = sim_hostname(&mut w, &vm);
    // Another client reboots it first: Vigil has not seen that task yet.
    let url = format!(
        "http://127.0.0.1:8787{}/compute/instances/{vm}/reboot",
        vigil_core::demo::prefix(DialectKind::OnetSolutions)
    );
    let req = vigil_sim::Request::post(&url, "{}").bearer("demo-token");
    assert_eq!(w.sim.handle(&req, w.now as u64).unwrap().status, 202);
    let op = w.run_op(&vm, hostname("renamed-guest"));
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!(
        err.provider_text.as_deref(),
        Some("Instance already has a task in progress.")
    );
    assert_eq!(sim_hostname(&mut w, &vm), before);
    assert!(w
        .sim
        .completions()
        .iter()
        .all(|c| c.action != "change_hostname"));
}

#[test]
fn a_hostname_that_is_no_dns_name_is_refused_before_sending() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(73, 0.0));
    let vm = w.vm_where(|v| !v.locked);
    let id = vm.id.to_string();
    let sent = w.sent.len();
    let long_label = "a".repeat(64);
    let cases = [
        ("", Refusal::EnterHostname),
        ("web_01", Refusal::HostnameCharacter { c: '_' }),
        ("web..01", Refusal::HostnameEmptyLabel),
        ("-web", Refusal::HostnameHyphenAtEnd),
        (
            long_label.as_str(),
            Refusal::HostnameLabelTooLong { max: 63 },
        ),
    ];
    for (typed, why) in cases {
        assert_eq!(
            w.engine.start("c", &id, hostname(typed), w.now),
            Err(why),
            "{typed:?}"
        );
    }
    // The one it has already (case aside): nothing would change.
    let current = vm.hostname.clone().expect("a hostname").to_uppercase();
    assert_eq!(
        w.engine.start("c", &id, hostname(&current), w.now),
        Err(Refusal::HostnameUnchanged)
    );
    assert_eq!(w.sent.len(), sent, "nothing was sent");
    assert!(puts(&w, &id).is_empty());
}

#[test]
fn other_providers_do_not_offer_it() {
    for d in [
        DialectKind::Cloudsfor,
        DialectKind::ZennoHosting,
        DialectKind::Erigones,
        DialectKind::Hostway,
    ] {
        let w = World::new(d, scenario(74, 0.0));
        let vm = w.vms()[0].id.to_string();
        assert_eq!(
            w.engine.allowed("c", &vm, ActionKind::SetHostname),
            Err(Refusal::NotOffered { provider: d }),
            "{d:?}"
        );
    }
}

#[test]
fn a_hostname_change_resumes_after_a_reload() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(75, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let id = w
        .engine
        .start("c", &vm, hostname("kept-host"), w.now)
        .unwrap();
    w.run_until(60_000, |e| e.op(&id).phase == Phase::InProgress);
    let saved = w.engine.saved();
    let text = serde_json::to_string(&saved).unwrap();
    let saved: vigil_core::SavedState = serde_json::from_str(&text).unwrap();
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    w.run_until(60 * 60_000, |e| !e.op(&id).is_open());
    let op = w.engine.op(&id);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert_eq!(
        puts(&w, &vm).len(),
        1,
        "sent once, not again after the reload"
    );
    assert_eq!(sim_hostname(&mut w, &vm), "kept-host");
    let done = w.sim.latest_action("onetsolutions", &vm).expect("a task");
    assert_eq!(done.action, "change_hostname");
    assert!(op.finished_at.unwrap() as u64 >= done.finished_at_ms.unwrap());
}

#[test]
fn the_expectation_waits_for_the_hostname() {
    let w = World::new(DialectKind::OnetSolutions, scenario(76, 0.0));
    let vm = w.vm_where(|v| !v.locked);
    let expect = hostname("New-Host").expectation(Some(&vm), Default::default());
    let mut seen = vm.clone();
    seen.hostname = Some("old-host".into());
    assert_eq!(
        expect.check(Some(&seen)),
        Err(Mismatch::Hostname {
            current: Some("old-host".into())
        })
    );
    seen.hostname = None;
    assert_eq!(
        expect.check(Some(&seen)),
        Err(Mismatch::Hostname { current: None })
    );
    seen.hostname = Some("new-host".into());
    assert_eq!(expect.check(Some(&seen)), Ok(()));
}
