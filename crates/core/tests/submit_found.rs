//! A submit whose answer is lost — vigil-sim drops the connection before or after applying the
//! write, or answers `5xx` without applying it — is looked for at the provider: adopted and
//! followed to its verified end when the provider took it, else ended *not taken* with Retry.
//! Never sent twice on its own. Every verdict is checked against the simulator's ground truth.

mod common;

use common::*;
use vigil_core::{
    Action, Command, DialectKind, HttpRequest, Method, Note, OpId, Operation, Phase, PowerState,
    ProviderRef,
};
use vigil_sim::Faults;

/// One round of the world, as [`World::step`], with the simulator's faults as `faults` picks
/// for each request (none where it gives none); `seen` hears each request's reply.
fn step_with(
    w: &mut World,
    mut faults: impl FnMut(&HttpRequest) -> Option<Faults>,
    mut seen: impl FnMut(&HttpRequest, &vigil_sim::Reply),
) -> bool {
    let out = w.engine.round(w.now);
    let answered_at = w.now + RTT;
    for o in out {
        w.sent.push(o.request.describe());
        w.sent_at.push(w.now);
        w.bodies.push(o.request.body.clone().unwrap_or_default());
        w.sim.set_faults(faults(&o.request).unwrap_or_default());
        let reply = w.sim.handle(&to_sim(&o.request), w.now as u64);
        w.sim.set_faults(Faults::none());
        seen(&o.request, &reply);
        w.engine.answer(o.token, from_sim(reply), answered_at);
    }
    w.now = answered_at;
    match w.engine.wake() {
        Some(t) => {
            w.now = w.now.max(t);
            true
        }
        None => false,
    }
}

/// Runs `id` to its end with the simulator's `faults` on for its write number `k` (0: the
/// first) alone. Returns the operation, that write and when it went out.
fn lose_write(w: &mut World, id: &OpId, k: usize, faults: &str) -> (Operation, String, u64) {
    let faults = Faults::parse(faults).unwrap();
    let before = w.sent.len();
    let mut written = 0;
    let mut lost = None;
    while w.engine.op(id).is_open() {
        let at = w.sent.len();
        let pick = |r: &HttpRequest| {
            let write = r.method != Method::Get;
            written += usize::from(write);
            (write && written == k + 1).then(|| faults.clone())
        };
        assert!(step_with(w, pick, |_, _| {}), "the engine went idle");
        if lost.is_none() {
            lost = (at..w.sent.len()).find(|&i| {
                !w.sent[i].starts_with("GET ")
                    && (before..=i)
                        .filter(|&j| !w.sent[j].starts_with("GET "))
                        .count()
                        == k + 1
            });
        }
    }
    let i = lost.unwrap_or_else(|| {
        panic!(
            "write {k} never went out: {:?} {:?}\n{:#?}",
            w.engine.op(id).phase,
            w.engine.op(id).note,
            &w.sent[before..]
        )
    });
    (w.engine.op(id), w.sent[i].clone(), w.sent_at[i] as u64)
}

/// What the provider accepted on a VM (by id or name) since `since`, oldest first.
fn taken_since(
    w: &World,
    dialect: DialectKind,
    vm: &str,
    since: u64,
) -> Vec<vigil_sim::Completion> {
    w.sim
        .completions()
        .into_iter()
        .filter(|c| c.dialect == dialect.slug() && (c.vm_id == vm || c.vm_name == vm))
        .filter(|c| c.accepted_at_ms >= since)
        .collect()
}

/// What the lost writes came to.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    adopted: usize,
    not_taken: usize,
    /// Taken, but ended unknown (Timed out, Needs check): never a wrong verdict.
    unresolved: usize,
}

/// The verdict on a lost write against the truth: `taken` is what the provider accepted on the
/// VM since that write went out (the write itself first, where it was applied; then the later
/// stages of its operation).
fn judge(op: &Operation, taken: &[vigil_sim::Completion], what: &str, tally: &mut Tally) {
    for c in taken {
        let same = taken.iter().filter(|d| d.action == c.action).count();
        assert_eq!(same, 1, "{what}: applied twice: {taken:?}");
    }
    match taken.first() {
        Some(c) => {
            // Adopted, and followed to its verified end (a failure the API cannot show — a
            // Hostway reboot that failed leaves the server as one that worked — reads done).
            let want = if c.succeeded || !c.visible {
                Phase::Succeeded
            } else {
                Phase::Failed
            };
            assert_eq!(op.phase, want, "{what}: {:?} / truth {c:?}", op.note);
            assert_ne!(op.note, Some(Note::NotTaken), "{what}");
            tally.adopted += 1;
        }
        None => {
            assert_eq!(op.phase, Phase::Failed, "{what}: {:?}", op.note);
            assert_eq!(op.note, Some(Note::NotTaken), "{what}");
            tally.not_taken += 1;
        }
    }
}

/// Checks one lost write: sent once, and judged against the truth for `vm` since it went out.
fn check(
    w: &World,
    dialect: DialectKind,
    vm: &str,
    lost: (Operation, String, u64),
    what: &str,
    t: &mut Tally,
) -> Operation {
    let (op, write, at) = lost;
    assert_eq!(
        w.sent.iter().filter(|s| **s == write).count(),
        1,
        "{what}: sent once"
    );
    judge(&op, &taken_since(w, dialect, vm, at), what, t);
    if op.note == Some(Note::NotTaken) {
        // Not taken: Retry offers to send it again.
        assert!(w.engine.view().can_retry(&op.id), "{what}");
    }
    op
}

/// A power action on a running VM, its write lost, on a fresh world of `seed`.
fn lost_action(dialect: DialectKind, action: Action, seed: u64, faults: &str, t: &mut Tally) {
    let mut w = World::new(dialect, scenario(seed, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let id = w.engine.start("c", &vm, action.clone(), w.now).unwrap();
    let lost = lose_write(&mut w, &id, 0, faults);
    let what = format!("{dialect:?} {action:?} seed {seed} {faults}");
    check(&w, dialect, &vm, lost, &what, t);
}

/// A create, its write number `k` lost.
fn lost_create(dialect: DialectKind, seed: u64, k: usize, faults: &str, t: &mut Tally) {
    let mut w = World::new(dialect, scenario(seed, 0.0));
    let name = format!("lost-{seed}-{k}");
    let spec = spec_from_catalogue(&mut w, &name);
    let c = Command::Create {
        conn: "c".into(),
        spec,
    };
    let id = w.engine.cmd(c, w.now).unwrap().op().unwrap().clone();
    let lost = lose_write(&mut w, &id, k, faults);
    let what = format!("{dialect:?} create (write {k}) seed {seed} {faults}");
    let op = check(&w, dialect, &name, lost, &what, t);
    if op.phase == Phase::Succeeded {
        let fact = w.sim.vm_fact(dialect.slug(), op.vm_id().unwrap().as_str());
        assert!(fact.unwrap().is_running(), "{what}: really there");
    }
}

/// A delete of a stopped VM, its write number `k` lost.
fn lost_delete(dialect: DialectKind, seed: u64, k: usize, faults: &str, t: &mut Tally) {
    let mut w = World::new(dialect, scenario(seed, 0.0));
    // Erigones: one deployed (a VM defined only has nothing to undeploy). Not in every world.
    let Some(vm) = w.vms().into_iter().find(|v| {
        let status = v.status_raw.as_str();
        v.power == PowerState::Stopped && !v.locked && !["notcreated", "frozen"].contains(&status)
    }) else {
        return;
    };
    let c = Command::Delete {
        conn: "c".into(),
        vm: vm.id.clone(),
        typed_name: vm.name.clone(),
    };
    let id = w.engine.cmd(c, w.now).unwrap().op().unwrap().clone();
    let lost = lose_write(&mut w, &id, k, faults);
    let what = format!("{dialect:?} delete (write {k}) seed {seed} {faults}");
    let op = check(&w, dialect, vm.id.as_str(), lost, &what, t);
    let fact = w.sim.vm_fact(dialect.slug(), vm.id.as_str()).unwrap();
    assert_eq!(op.phase == Phase::Succeeded, !fact.exists(), "{what}");
}

const SEEDS: std::ops::RangeInclusive<u64> = 1..=8;

/// Which writes of a create and of a delete to lose: every write where they take several.
fn stages(dialect: DialectKind) -> (Vec<usize>, Vec<usize>) {
    match dialect {
        // Define, disk, NIC, deploy; undeploy, undefine.
        DialectKind::Erigones => (vec![0, 1, 2, 3], vec![0, 1]),
        _ => (vec![0], vec![0]),
    }
}

fn every_lost_write(dialect: DialectKind) {
    let mut t = Tally::default();
    let (creates, deletes) = stages(dialect);
    for seed in SEEDS {
        for faults in ["drop=1", "5xx=1"] {
            lost_action(dialect, Action::Reboot, seed, faults, &mut t);
            for &k in &creates {
                lost_create(dialect, seed, k, faults, &mut t);
            }
            for &k in &deletes {
                lost_delete(dialect, seed, k, faults, &mut t);
            }
        }
    }
    eprintln!("{dialect:?}: {t:?}");
    // Dropped before and after the write: both outcomes came up.
    assert!(t.adopted > 0 && t.not_taken > 0, "{dialect:?}: {t:?}");
}

#[test]
fn cloudsfor_finds_what_it_took_and_says_what_it_did_not() {
    every_lost_write(DialectKind::Cloudsfor);
}

#[test]
fn an_adopted_action_keeps_the_providers_reference() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(2, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    // Where the drop falls (before or after the write) is the simulator's draw: try a few.
    for _ in 0..20 {
        let id = w.engine.start("c", &vm, Action::Reboot, w.now).unwrap();
        let (op, ..) = lose_write(&mut w, &id, 0, "drop=1");
        if op.phase == Phase::Succeeded {
            assert!(
                matches!(&op.provider_ref, Some(ProviderRef::CloudsforAction { action_type, .. }) if action_type == "reboot")
            );
            return;
        }
        w.now += 10_000;
    }
    panic!("no drop after the write in 20 tries");
}

#[test]
fn zennohosting_finds_what_it_took_and_says_what_it_did_not() {
    every_lost_write(DialectKind::ZennoHosting);
}

#[test]
fn erigones_finds_what_it_took_and_says_what_it_did_not() {
    every_lost_write(DialectKind::Erigones);
}

#[test]
fn onetsolutions_finds_what_it_took_and_says_what_it_did_not() {
    every_lost_write(DialectKind::OnetSolutions);
}

#[test]
fn hostway_finds_what_it_took_and_says_what_it_did_not() {
    every_lost_write(DialectKind::Hostway);
}

/// Faults on every request (drops before and after the write, 5xx bursts), many operations at
/// once: no write runs twice; each one taken is followed to the end the truth says, each one
/// not taken says so.
fn under_random_faults(dialect: DialectKind, seed: u64, t: &mut Tally) {
    let mut w = World::new(dialect, scenario(seed, 0.1));
    let faults = Faults::parse("drop=0.25,5xx=0.05,burst=2").unwrap();
    let mut ops = Vec::new();
    for vm in w.vms() {
        let action = match vm.power {
            PowerState::Running => Action::Reboot,
            PowerState::Stopped => Action::Start,
            _ => continue,
        };
        if let Ok(id) = w.engine.start("c", vm.id.as_str(), action, w.now) {
            ops.push((id, vm.id.to_string(), w.now as u64));
        }
    }
    // The writes whose answer was lost (dropped, or a 5xx), by URL.
    let mut lost: Vec<String> = Vec::new();
    let end = w.now + 60 * 60_000;
    while ops.iter().any(|(id, ..)| w.engine.op(id).is_open()) {
        assert!(w.now < end, "{dialect:?} seed {seed}: not over in an hour");
        let seen = |r: &HttpRequest, reply: &vigil_sim::Reply| {
            let failed = reply.response().is_none_or(|r| r.status >= 500);
            if r.method != Method::Get && failed {
                lost.push(r.url.clone());
            }
        };
        assert!(step_with(&mut w, |_| Some(faults.clone()), seen));
    }
    for (id, vm, since) in &ops {
        let op = w.engine.op(id);
        let taken = taken_since(&w, dialect, vm, *since);
        let what = format!("{dialect:?} seed {seed} {:?} on {vm}", op.action);
        let answer_lost = lost.iter().any(|u| u.contains(vm.as_str()));
        sound(&op, &taken, answer_lost, &what, t);
    }
}

/// The verdict on an operation under random faults, against the truth: never applied twice,
/// never done when the provider failed it visibly, never failed when it worked; a write whose
/// answer was lost is adopted when it was taken and ends not taken when it was not. Reads lost
/// one after another past the action's deadline may still end it unknown (counted).
fn sound(
    op: &Operation,
    taken: &[vigil_sim::Completion],
    answer_lost: bool,
    what: &str,
    t: &mut Tally,
) {
    assert!(taken.len() <= 1, "{what}: applied twice: {taken:?}");
    match (taken.first(), op.phase) {
        (None, _) if answer_lost => {
            assert_eq!(op.note, Some(Note::NotTaken), "{what}: {:?}", op.phase);
            t.not_taken += 1;
        }
        (None, phase) => assert_eq!(phase, Phase::Failed, "{what}: refused"),
        (Some(c), phase) => {
            assert_ne!(op.note, Some(Note::NotTaken), "{what}");
            match phase {
                Phase::Succeeded => assert!(c.succeeded || !c.visible, "{what}: {c:?}"),
                Phase::Failed => assert!(!c.succeeded, "{what}: {c:?}"),
                _ => t.unresolved += 1,
            }
            t.adopted += usize::from(answer_lost);
        }
    }
}

#[test]
fn under_random_faults_nothing_runs_twice_and_every_write_is_accounted_for() {
    let mut t = Tally::default();
    for dialect in DialectKind::ALL {
        for seed in 1..=8 {
            under_random_faults(*dialect, seed, &mut t);
        }
    }
    eprintln!("lost answers: {t:?}");
    assert!(t.adopted > 20 && t.not_taken > 20, "{t:?}");
    // Unknown ends come from reads lost one after another past a deadline: rare.
    assert!(t.unresolved * 50 <= t.adopted + t.not_taken, "{t:?}");
}

/// A reboot whose write reaches the provider or not (`reaches`) and whose answer is lost; the
/// page reloads before the look; then "Check now".
fn reload_then_check(reaches: bool) -> (World, Operation, usize) {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(6, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let id = w.engine.start("c", &vm, Action::Reboot, w.now).unwrap();
    let since = w.now as u64;
    for o in w.engine.round(w.now) {
        w.sent.push(o.request.describe());
        w.sent_at.push(w.now);
        let post = o.request.method == Method::Post;
        let reply = (reaches || !post).then(|| w.sim.handle(&to_sim(&o.request), w.now as u64));
        let answer = match reply {
            Some(r) if !post => from_sim(r),
            _ => Err(vigil_core::NetError("connection dropped".into())),
        };
        w.engine.answer(o.token, answer, w.now + RTT);
    }
    w.now += RTT;
    assert_eq!(w.engine.op(&id).phase, Phase::Submitted, "looked for");
    // The page reloads before the look: what was kept asks for a check, saying why.
    let saved = w.engine.saved();
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    let op = w.engine.op(&id);
    assert_eq!(op.phase, Phase::NeedsCheck);
    assert!(
        matches!(op.note, Some(Note::MaybeSent { .. })),
        "{:?}",
        op.note
    );
    // "Check now" looks for the write.
    w.engine
        .cmd(Command::CheckNow { op: id.clone() }, w.now)
        .unwrap();
    w.run_until(10 * 60_000, |e| !e.op(&id).is_open());
    let taken = taken_since(&w, DialectKind::Cloudsfor, &vm, since).len();
    assert_eq!(w.count_sent("POST "), 1, "never sent again");
    let op = w.engine.op(&id);
    (w, op, taken)
}

#[test]
fn a_write_looked_for_when_the_page_reloads_asks_for_a_check_and_check_now_finds_it() {
    let (_, op, taken) = reload_then_check(true);
    assert_eq!(taken, 1);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    // The same reboot never reached the provider: "Check now" says so, never "done" (the VM
    // runs either way).
    let (w, op, taken) = reload_then_check(false);
    assert_eq!(taken, 0);
    assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
    assert_eq!(op.note, Some(Note::NotTaken));
    assert!(w.engine.view().can_retry(&op.id));
}

#[test]
fn an_erigones_start_that_failed_before_its_lost_answer_was_looked_for_is_not_called_not_taken() {
    // Every action fails; a start leaves the VM's status (and `status_change`) as it was. The
    // start's answer never comes: by the time its time limit runs out, the task has failed and
    // left the VM's pending tasks. The task log still has it.
    let mut w = World::new(DialectKind::Erigones, scenario(7, 1.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Stopped && !v.locked && v.status_raw == "stopped")
        .id
        .to_string();
    let id = w.engine.start("c", &vm, Action::Start, w.now).unwrap();
    let sent = w.now;
    for o in w.engine.round(w.now) {
        let reply = w.sim.handle(&to_sim(&o.request), w.now as u64);
        if o.request.method == Method::Put {
            continue; // Taken; its answer never comes.
        }
        w.engine.answer(o.token, from_sim(reply), w.now + RTT);
    }
    let truth = w.sim.latest_action("erigones", &vm).expect("taken");
    w.run_until(10 * 60_000, |e| !e.op(&id).is_open());
    let op = w.engine.op(&id);
    let looked = (sent + vigil_core::engine::REQUEST_TIMEOUT) as u64;
    assert!(
        truth.finished_by(looked),
        "over before it is looked for: {truth:?}"
    );
    assert!(!truth.succeeded);
    assert_ne!(op.note, Some(Note::NotTaken), "it was taken");
    assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
    assert!(
        matches!(&op.note, Some(Note::Reported { status, .. }) if status == "FAILURE"),
        "{:?}",
        op.note
    );
}
