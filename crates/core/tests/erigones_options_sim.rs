//! Erigones' own options against vigil-sim: start from an ISO of the image list (`cdimage`,
//! `cdimage_once`, `cdimage2`, `update`), freeze and unfreeze (`stop {freeze}` / `{unfreeze}`),
//! and "Refresh from the node" (`PUT …/status/current/`). Each is *Succeeded* only at its
//! verified end, checked against the simulator's ground truth; the other providers offer none
//! of them, and say so.

mod common;

use common::*;
use serde_json::Value;
use vigil_core::boot::IsoList;
use vigil_core::{
    Action, ActionKind, BootFrom, DialectKind, Phase, PowerState, ProviderRef, Refusal,
};
use vigil_sim::VmState;

fn isos(w: &World) -> Vec<String> {
    match w.engine.view().iso_images(&"c".into()) {
        IsoList::Ready(l) => l.into_iter().map(|c| c.id).collect(),
        other => panic!("no ISO list: {other:?}"),
    }
}

fn boot(cdimage: &str, once: bool) -> BootFrom {
    BootFrom {
        cdimage: cdimage.into(),
        once,
        cdimage2: None,
        update: true,
    }
}

/// The body of the last request sent whose description holds `needle`.
fn body_of(w: &World, needle: &str) -> Value {
    let i = w
        .sent
        .iter()
        .rposition(|d| d.contains(needle))
        .unwrap_or_else(|| panic!("nothing sent to {needle}: {:?}", w.sent));
    serde_json::from_str(&w.bodies[i]).unwrap_or(Value::Null)
}

#[test]
fn a_stopped_vm_starts_from_an_iso_of_the_image_list() {
    let mut w = World::new(DialectKind::Erigones, scenario(21, 0.0));
    w.load_catalogue();
    let list = isos(&w);
    assert!(list.contains(&"debian-12".to_string()), "{list:?}");
    // An image the provider marks not ready is not offered.
    assert!(!list.contains(&"freebsd-14".to_string()), "{list:?}");
    let vm = w.vm_where(|v| v.status_raw == "stopped" && !v.locked);
    let mut b = boot("debian-12", true);
    b.cdimage2 = Some("ubuntu-24.04".into());
    let op = w.run_op(vm.id.as_str(), Action::StartFromIso(b));
    assert_eq!(op.phase, Phase::Succeeded, "{op:?}");
    let sent = body_of(&w, "/status/start/");
    assert_eq!(sent["cdimage"], "debian-12");
    assert_eq!(sent["cdimage_once"], true);
    assert_eq!(sent["cdimage2"], "ubuntu-24.04");
    assert_eq!(sent["update"], true);
    // The truth: running, booted from that ISO, done no later than Vigil said.
    let fact = w.sim.vm_fact("erigones", vm.id.as_str()).unwrap();
    assert_eq!(fact.state, VmState::Running);
    assert_eq!(
        w.sim.cdimage("erigones", vm.id.as_str()).as_deref(),
        Some("debian-12")
    );
    let truth = w.sim.latest_action("erigones", vm.id.as_str()).unwrap();
    assert!(truth.finished_at_ms.unwrap() <= op.finished_at.unwrap() as u64);
}

#[test]
fn an_iso_not_in_the_list_is_refused_before_sending_and_the_providers_words_after() {
    let mut w = World::new(DialectKind::Erigones, scenario(22, 0.0));
    let vm = w.vm_where(|v| v.status_raw == "stopped" && !v.locked);
    // Nothing chosen: refused.
    let none = w.engine.start(
        "c",
        vm.id.as_str(),
        Action::StartFromIso(boot(" ", true)),
        w.now,
    );
    assert_eq!(none.unwrap_err(), Refusal::ChooseImage);
    // The list not read yet: the provider has the last word — its 404 "Image not found".
    let op = w.run_op(
        vm.id.as_str(),
        Action::StartFromIso(boot("nope.iso", false)),
    );
    assert_eq!(op.phase, Phase::Failed, "{op:?}");
    let said = op.last_error.map(|e| e.to_string()).unwrap_or_default()
        + &op.note.map(|n| n.to_string()).unwrap_or_default();
    assert!(said.contains("Image not found"), "{said}");
    assert_eq!(
        w.sim.vm_fact("erigones", vm.id.as_str()).unwrap().state,
        VmState::Stopped
    );
    // Once read, an ISO it does not list is refused before anything is sent.
    w.load_catalogue();
    let before = w.sent.len();
    let r = w.engine.start(
        "c",
        vm.id.as_str(),
        Action::StartFromIso(boot("nope.iso", false)),
        w.now,
    );
    assert!(matches!(r, Err(Refusal::NotInCatalogue { .. })), "{r:?}");
    assert_eq!(w.sent.len(), before);
}

#[test]
fn a_frozen_vm_is_done_when_frozen_and_cannot_start_until_unfrozen() {
    let mut w = World::new(DialectKind::Erigones, scenario(23, 0.0));
    let vm = w.vm_where(|v| v.status_raw == "running" && !v.locked);
    // Unfreeze is refused on a VM that is not frozen.
    let r = w.engine.start("c", vm.id.as_str(), Action::Unfreeze, w.now);
    assert_eq!(r.unwrap_err(), Refusal::NotFrozen);
    let op = w.run_op(vm.id.as_str(), Action::Freeze);
    assert_eq!(op.phase, Phase::Succeeded, "{op:?}");
    let sent = body_of(&w, "/status/stop/");
    assert_eq!(
        (sent["freeze"].clone(), sent["force"].clone()),
        (true.into(), false.into())
    );
    assert!(
        w.sim.frozen("erigones", vm.id.as_str()),
        "the truth is frozen"
    );
    let now = w.engine.vm("c", vm.id.as_str()).unwrap();
    assert_eq!(
        (now.status_raw.as_str(), &now.power),
        ("frozen", &PowerState::Stopped)
    );
    // A frozen VM: Start and Start from ISO refused, saying why.
    for a in [Action::Start, Action::StartFromIso(boot("debian-12", true))] {
        let r = w.engine.start("c", vm.id.as_str(), a, w.now);
        assert_eq!(r.unwrap_err(), Refusal::Frozen);
    }
    let op = w.run_op(vm.id.as_str(), Action::Unfreeze);
    assert_eq!(op.phase, Phase::Succeeded, "{op:?}");
    assert!(!w.sim.frozen("erigones", vm.id.as_str()));
    assert_eq!(
        w.sim.vm_fact("erigones", vm.id.as_str()).unwrap().state,
        VmState::Stopped
    );
    // And it starts again.
    let op = w.run_op(vm.id.as_str(), Action::Start);
    assert_eq!(op.phase, Phase::Succeeded, "{op:?}");
}

#[test]
fn a_stop_is_not_taken_for_a_freeze() {
    // The freeze's task reports done while the VM would show only `stopped`: not frozen, so
    // not done. A freeze whose answer shows `stopped` is checked by its status word.
    let mut w = World::new(DialectKind::Erigones, scenario(24, 0.0));
    let vm = w.vm_where(|v| v.status_raw == "running" && !v.locked);
    let op = w.run_op(vm.id.as_str(), Action::Shutdown);
    assert_eq!(op.phase, Phase::Succeeded);
    let now = w.engine.vm("c", vm.id.as_str()).unwrap();
    let expect = Action::Freeze.expectation(Some(&now), Default::default());
    assert!(
        expect.check(Some(&now)).is_err(),
        "a stopped VM is not a frozen one"
    );
}

#[test]
fn refresh_from_the_node_is_one_put_followed_to_its_tasks_end() {
    let mut w = World::new(DialectKind::Erigones, scenario(25, 0.0));
    let vm = w.vm_where(|v| v.status_raw == "running" && !v.locked);
    let op = w.run_op(vm.id.as_str(), Action::RefreshFromNode);
    assert_eq!(op.phase, Phase::Succeeded, "{op:?}");
    let puts: Vec<&String> = w
        .sent
        .iter()
        .filter(|d| d.starts_with("PUT ") && d.contains("/status/current/"))
        .collect();
    assert_eq!(puts.len(), 1, "{:?}", w.sent);
    // The provider's own task, which the simulator reports done.
    let Some(ProviderRef::ErigonesTask { task_id, .. }) = op.provider_ref.clone() else {
        panic!("no task: {op:?}");
    };
    let cfg = w.engine.view().connections().next().cloned().unwrap();
    let mut req = cfg.api().list_request(None);
    req.url = format!("{}/task/{task_id}/status/", cfg.base_url);
    let reply = from_sim(w.sim.handle(&to_sim(&req), w.now as u64)).unwrap();
    let v: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(v["status"], "SUCCESS", "{v}");
    // The VM as it was: running.
    assert_eq!(
        w.sim.vm_fact("erigones", vm.id.as_str()).unwrap().state,
        VmState::Running
    );
}

#[test]
fn other_providers_offer_none_of_these_and_say_so() {
    for d in [
        DialectKind::Cloudsfor,
        DialectKind::ZennoHosting,
        DialectKind::OnetSolutions,
        DialectKind::Hostway,
    ] {
        let caps = d.caps();
        for k in [
            ActionKind::StartFromIso,
            ActionKind::Freeze,
            ActionKind::Unfreeze,
            ActionKind::RefreshFromNode,
        ] {
            assert!(!caps.offers(k), "{d:?} {k:?}");
        }
        let iso = vigil_core::boot::iso_images(caps, None);
        assert_eq!(
            iso,
            IsoList::Absent(Refusal::NotOffered { provider: d }),
            "{d:?}"
        );
    }
    let mut w = World::new(DialectKind::Cloudsfor, scenario(26, 0.0));
    let vm = w.vm_where(|v| v.power == PowerState::Running && !v.locked);
    let before = w.sent.len();
    let r = w.engine.start("c", vm.id.as_str(), Action::Freeze, w.now);
    assert!(r.is_err(), "{r:?}");
    assert_eq!(w.sent.len(), before);
}
