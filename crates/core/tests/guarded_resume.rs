//! Guarded changes kept across a reload (mid-snapshot, mid-change, and with a rollback on
//! offer), and a change that ends *Needs check* offering its rollback — against vigil-sim.

mod common;

use common::guard::{state, MINUTE};
use common::*;
use vigil_core::{
    ActionKind, DialectKind, GuardedChange, Phase, PowerState, Resize, Resource, SavedState,
    StepState,
};

fn running(w: &World) -> String {
    w.vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string()
}

fn more_ram(w: &World, vm: &str) -> (GuardedChange, u32) {
    let ram = w.engine.vm("c", vm).unwrap().size.memory_gb.unwrap() + 2;
    let resize = Resize::One {
        resource: Resource::Ram,
        size: ram,
    };
    (GuardedChange::Resize(resize), ram)
}

/// What the page keeps, as text, and a reload `after` later that imports it.
fn reload(w: &mut World, after: vigil_core::Millis) {
    let kept = serde_json::to_string(&w.engine.saved()).unwrap();
    w.reload(w.now + after);
    let state: SavedState = serde_json::from_str(&kept).unwrap();
    w.engine.import(state, w.now);
    w.run_until(MINUTE, |e| {
        matches!(e.list_state("c"), Some(vigil_core::ListState::Ready { .. }))
    });
}

fn count_type(w: &World, ty: &str) -> usize {
    let needle = format!("\"type\":\"{ty}\"");
    w.bodies.iter().filter(|b| b.contains(&needle)).count()
}

#[test]
fn a_reload_while_the_snapshot_is_taken_goes_on_to_the_change() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(51, 0.0));
    let vm = running(&w);
    let (change, ram) = more_ram(&w, &vm);
    let id = w.guarded(&vm, change, "kept").unwrap();
    // The snapshot is sent and not verified yet.
    while count_type(&w, "snapshot") == 0 {
        assert!(w.step());
    }
    assert_eq!(w.engine.wf(&id).steps[0].state, StepState::Running);
    reload(&mut w, 30_000);
    assert_eq!(w.engine.wf(&id).steps[0].state, StepState::Running);
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    assert_eq!(count_type(&w, "snapshot"), 1, "not taken twice");
    assert_eq!(count_type(&w, "resize"), 1);
    let resized = w.sent_when(0, "/actions", "\"type\":\"resize\"").unwrap();
    w.snapshot_ready_by(&wf, resized);
    let v = w.engine.vm("c", &vm).unwrap();
    assert_eq!(
        (v.power, v.size.memory_gb),
        (PowerState::Running, Some(ram))
    );
}

#[test]
fn a_reload_while_the_change_runs_follows_it_to_its_end() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(52, 0.0));
    let vm = running(&w);
    let (change, ram) = more_ram(&w, &vm);
    let id = w.guarded(&vm, change, "kept").unwrap();
    // The resize is sent, and not verified yet.
    while count_type(&w, "resize") == 0 {
        assert!(w.step());
    }
    assert_eq!(
        state(&w.engine.wf(&id), ActionKind::Resize),
        StepState::Running
    );
    reload(&mut w, 10_000);
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    assert_eq!(count_type(&w, "snapshot"), 1);
    assert_eq!(count_type(&w, "resize"), 1, "never sent twice");
    assert_eq!(count_type(&w, "power_on"), 1, "started again once");
    let v = w.engine.vm("c", &vm).unwrap();
    assert_eq!(
        (v.power, v.size.memory_gb),
        (PowerState::Running, Some(ram))
    );
}

#[test]
fn a_rollback_offer_survives_a_reload_and_rolls_back_after_it() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(53, 0.0));
    let vm = running(&w);
    let bad = GuardedChange::Resize(Resize::One {
        resource: Resource::Ram,
        size: 999,
    });
    let id = w.guarded(&vm, bad, "safety").unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Failed, "{:?}", wf.note);
    let offer = w.offer(&id).expect("offered");
    reload(&mut w, 5 * MINUTE);
    assert_eq!(
        w.offer(&id),
        Some(offer.clone()),
        "the same offer after a reload"
    );
    let back = w.roll_back(&id).unwrap();
    // The rollback is kept too, and goes on after another reload.
    reload(&mut w, 1_000);
    assert_eq!(w.offer(&id), None, "a rollback of it is under way");
    let rb = w.run_wf(&back);
    assert_eq!(rb.phase, Phase::Succeeded, "{:?}", rb.note);
    assert_eq!(
        w.sim.restored_from("cloudsfor", &vm),
        Some(offer.snapshot_id)
    );
}

/// A guarded resize on Hostway whose answers, once the snapshot is verified, carry status
/// values this version does not know (the simulator's `unknown_enum` fault): the resize is never
/// seen to end, and ends *Needs check* at its deadline. The rollback is offered all the same,
/// and (the fault over) restores the snapshot.
#[test]
fn a_change_in_doubt_offers_the_rollback_too() {
    let mut w = World::new(DialectKind::Hostway, scenario(54, 0.0));
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
    let id = w.guarded(vm.id.as_str(), change, "doubt").unwrap();
    w.run_until(30 * MINUTE, |e| e.wf(&id).steps[0].state == StepState::Done);
    w.sim.set_faults(vigil_sim::Faults {
        unknown_enum: 1.0,
        ..vigil_sim::Faults::none()
    });
    let wf = w.run_wf(&id);
    w.sim.set_faults(vigil_sim::Faults::none());
    assert_eq!(wf.phase, Phase::NeedsCheck, "{:?}", wf.note);
    assert_eq!(state(&wf, ActionKind::Resize), StepState::NeedsCheck);
    let offer = w.offer(&id).expect("offered while in doubt");
    let taken = w.step_op(&wf, ActionKind::Snapshot);
    assert_eq!(Some(offer.taken_at), taken.finished_at);
    assert_eq!(offer.snapshot_name, "doubt");
    // The fault over, the list read again shows the server as it is.
    let refresh = vigil_core::Command::Refresh { conn: "c".into() };
    w.engine.cmd(refresh, w.now).unwrap();
    let vm_id = vm.id.clone();
    w.run_until(5 * MINUTE, move |e| {
        e.vm("c", vm_id.as_str())
            .is_some_and(|v| v.status_raw == "ACTIVE")
    });
    // Looked at again, the VM reads as usual.
    let back = w.roll_back(&id).unwrap();
    // The workflow in doubt goes no further: a later check cannot resume it over the restore.
    let wf = w.engine.wf(&id);
    assert_eq!(wf.phase, Phase::Cancelled);
    assert_eq!(wf.note, Some(vigil_core::WfNote::RollBackStarted));
    let rb = w.run_wf(&back);
    assert_eq!(rb.phase, Phase::Succeeded, "{:?}", rb.note);
    assert_eq!(
        w.sim.restored_from("hostway", vm.id.as_str()),
        Some(offer.snapshot_id)
    );
}

/// Another tab (following this one) sees the same offer, and its "Roll back" crosses to the
/// polling tab, which carries it out.
#[test]
fn a_following_tab_sees_the_offer_and_its_rollback_crosses_over() {
    use vigil_core::{Command, Engine, Pace};
    let mut w = World::new(DialectKind::Cloudsfor, scenario(55, 0.0));
    let vm = running(&w);
    let bad = GuardedChange::Resize(Resize::One {
        resource: Resource::Ram,
        size: 999,
    });
    let id = w.guarded(&vm, bad, "safety").unwrap();
    assert_eq!(w.run_wf(&id).phase, Phase::Failed);
    let offer = w.offer(&id).expect("offered");

    let mut f = Engine::new("f");
    let cfg = w.engine.view().connections().next().unwrap().clone();
    f.pace(Pace::Follower, w.now);
    f.add(cfg, w.now);
    let all = w.engine.share_all(w.now);
    let text = serde_json::to_string(&all).unwrap();
    f.mirror(serde_json::from_str(&text).unwrap(), w.now);
    assert_eq!(f.view().rollback_offer(&id), Some(offer.clone()));

    let cmd = Command::RollBack { wf: id.clone() };
    assert_eq!(f.view().check(&cmd), Ok(()));
    let text = serde_json::to_string(&cmd).unwrap();
    let arrived = Command::from_tab(&text).expect("a rollback crosses tabs");
    let back = w.engine.cmd(arrived, w.now).unwrap();
    let back = back.workflow().cloned().expect("a workflow");
    let rb = w.run_wf(&back);
    assert_eq!(rb.phase, Phase::Succeeded, "{:?}", rb.note);
    assert_eq!(
        w.sim.restored_from("cloudsfor", &vm),
        Some(offer.snapshot_id)
    );
}
