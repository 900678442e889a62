//! Every verdict of a cell against the simulator's ground truth.
//!
//! What the provider took for an operation: the actions the truth logged on its VM (a new VM:
//! by its name) from the operation's submission to the next operation's on that VM — ours are
//! one at a time per VM, and requests reach the simulator when they are sent, so nothing else
//! falls in that window. Then, strictly:
//!
//! - **lost**: an operation (or workflow) the engine no longer shows, still open at the end, or
//!   closed past its horizon: its deadline, plus the time the provider held the connection back
//!   meanwhile (its `429`s' waits, up to 10 minutes each, `MAX_RETRY_AFTER`), plus [`SLACK`];
//! - **false done**: *Succeeded*, and the provider took no such write, or its task failed where
//!   a client could see it, or had not finished when the engine said done, or the VM did not
//!   show the target state at that moment;
//! - **false failed**: *Failed* or *Cancelled*, and the provider did it all and it worked; or
//!   *not taken*, and the provider took the write of the operation's current stage (each
//!   earlier stage's write was taken, once);
//! - **twice**: the provider applied the same write of one operation more than once;
//! - **resent**: the engine sent the same write of one operation again when the answer it was
//!   given to the last one did not say it was not applied (only a `429` says so).
//!
//! *Needs check* and *Timed out* claim nothing: they are counted, never wrong.
//!
//! Operations **started elsewhere** (records the engine made of what it saw running on a VM,
//! `Origin::Elsewhere`) are no writes of ours: they are left out of the windows above, and
//! judged on their own. In the campaign no one else acts, so the provider ran something on a
//! VM that no operation of ours accounts for only where the engine lost the link to one of ours
//! (no longer shows it — itself counted **lost**); then "started elsewhere" is all the console
//! can honestly say, and it follows it to its end like any other. Everything else is a
//! **phantom elsewhere**: a record with no operation of the provider running on its VM, when
//! it was seen, that is not one of ours (what the provider took in one of our operations'
//! windows is ours). A record claimed done must also match such an operation that succeeded
//! and had finished by the close (else **false done**; a failure no client can see counts as
//! unseen, as for ours).

use std::collections::HashMap;
use std::ops::AddAssign;

use vigil_core::engine::deadline_for;
use vigil_core::time::MINUTE;
use vigil_core::workflow::Plan;
use vigil_core::{Action, ActionKind, DialectKind, Millis, Note, Operation, Phase};
use vigil_sim::{Completion, VmFact, VmState};

use super::wire::{Sent, Wire};
use super::work::{Close, Item, ItemId, Work};

/// How long past its deadline (and the provider's holds) an operation may take to close: a
/// write's answer waited for (30 s) and looked for (a minute or so), a read in flight, the
/// grace period of its verification (20 s).
pub const SLACK: Millis = 3 * MINUTE;

/// A cell's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Operations and workflows started (a workflow's steps are judged, not counted).
    pub ops: usize,
    pub done: usize,
    /// Failed or cancelled.
    pub failed: usize,
    pub needs_check: usize,
    pub timed_out: usize,
    /// Superseded.
    pub other: usize,
    pub lost: usize,
    pub false_done: usize,
    pub false_failed: usize,
    /// Writes the provider applied more than once for one operation.
    pub twice: usize,
    /// Writes sent again blindly (after an answer that was not a `429`, or none).
    pub resent: usize,
    /// Done where the provider's failure cannot be seen by any client (a Hostway reboot that
    /// failed leaves the server as one that worked): not wrong, counted.
    pub unseeable: usize,
    pub panics: usize,
    /// Operations started elsewhere the engine followed.
    pub elsewhere: usize,
    /// Of those, records of an operation that the provider was not running on that VM, or that
    /// was one of ours.
    pub phantom: usize,
    pub requests: usize,
    /// Faults injected (by the simulator and the wire), reloads and handovers.
    pub faults: usize,
    /// The longest any item took to close past its deadline and the provider's holds: the
    /// most of [`SLACK`] used.
    pub over_deadline: Millis,
}

impl AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.ops += o.ops;
        self.done += o.done;
        self.failed += o.failed;
        self.needs_check += o.needs_check;
        self.timed_out += o.timed_out;
        self.other += o.other;
        self.lost += o.lost;
        self.false_done += o.false_done;
        self.false_failed += o.false_failed;
        self.twice += o.twice;
        self.resent += o.resent;
        self.unseeable += o.unseeable;
        self.panics += o.panics;
        self.elsewhere += o.elsewhere;
        self.phantom += o.phantom;
        self.requests += o.requests;
        self.faults += o.faults;
        self.over_deadline = self.over_deadline.max(o.over_deadline);
    }
}

/// Judges every operation the engine shows at the end of a cell and every item the cell
/// started; what is wrong goes to `problems`, named by `cell`.
pub fn judge(wire: &Wire, work: &Work, cell: &str, problems: &mut Vec<String>) -> Tally {
    let mut t = Tally {
        requests: wire.requests,
        ..Tally::default()
    };
    let view = wire.engine().view();
    let truth: Vec<Completion> = wire
        .w
        .sim
        .completions()
        .into_iter()
        .filter(|c| c.dialect == work.dialect.slug())
        .collect();
    let (elsewhere, ops): (Vec<&Operation>, Vec<&Operation>) =
        view.operations().partition(|o| o.origin.is_elsewhere());
    // What the provider took for an operation of ours, each by its index in `truth`.
    let mut ours: Vec<usize> = Vec::new();
    for op in &ops {
        let taken = taken(op, &ops, &truth);
        ours.extend(taken.iter().filter_map(|c| index_of(&truth, c)));
        let close = work.closes.get(op.id.as_str());
        let mut flag = |why: String| {
            problems.push(format!(
                "{cell}: {} {:?} on {}: {why}",
                op.id,
                op.action,
                key(op)
            ))
        };
        judge_op(work.dialect, op, &taken, close, &mut t, &mut flag);
        resent(op, &ops, &wire.log, &mut t, &mut flag);
    }
    for op in &elsewhere {
        let close = work.closes.get(op.id.as_str());
        let mut flag = |why: String| {
            problems.push(format!(
                "{cell}: {} {:?} on {}: {why}",
                op.id,
                op.action,
                key(op)
            ))
        };
        judge_elsewhere(op, &truth, &ours, close, &mut t, &mut flag);
    }
    for item in &work.items {
        let mut flag = |why: String| problems.push(format!("{cell}: {item:?}: {why}"));
        judge_item(wire, work, item, &mut t, &mut flag);
    }
    t
}

/// The VM an operation acts on, as the truth names it (a new VM: its name).
fn key(op: &Operation) -> &str {
    match (&op.action, op.vm_id()) {
        (Action::Create(_), _) | (_, None) => op.target.name(),
        (_, Some(id)) => id.as_str(),
    }
}

/// What the provider took for `op`: on its VM, from its submission to the next operation's.
fn taken<'a>(op: &Operation, ops: &[&Operation], truth: &'a [Completion]) -> Vec<&'a Completion> {
    let k = key(op);
    let since = op.submitted_at;
    let until = ops
        .iter()
        .filter(|o| key(o) == k && o.submitted_at > since)
        .map(|o| o.submitted_at)
        .min()
        .unwrap_or(Millis::MAX);
    let create = matches!(op.action, Action::Create(_));
    truth
        .iter()
        .filter(|c| c.vm_id == k || (create && c.vm_name == k))
        .filter(|c| (since..until).contains(&(c.accepted_at_ms as Millis)))
        .collect()
}

/// Where `c` is in `truth`.
fn index_of(truth: &[Completion], c: &Completion) -> Option<usize> {
    truth.iter().position(|x| std::ptr::eq(x, c))
}

/// An operation started elsewhere: the provider must have been running, on its VM when the
/// engine first saw it (the answer asked for then: its `submitted_at`), an operation that is
/// none of ours (`ours`: indices in `truth`); one claimed done must match one of those that
/// succeeded and had finished by the close.
fn judge_elsewhere(
    op: &Operation,
    truth: &[Completion],
    ours: &[usize],
    close: Option<&Close>,
    t: &mut Tally,
    flag: &mut dyn FnMut(String),
) {
    t.elsewhere += 1;
    let seen = op.submitted_at;
    let k = key(op);
    let running: Vec<&Completion> = truth
        .iter()
        .enumerate()
        .filter(|(i, c)| c.vm_id == k && !ours.contains(i))
        .map(|(_, c)| c)
        .filter(|c| c.accepted_at_ms as Millis <= seen)
        .filter(|c| c.finished_at_ms.is_none_or(|f| f as Millis >= seen))
        .collect();
    if running.is_empty() {
        t.phantom += 1;
        let near: Vec<&Completion> = truth.iter().filter(|c| c.vm_id == k).collect();
        return flag(format!(
            "phantom elsewhere ({:?}): nothing but ours ran on the VM at {seen}: {near:?}",
            op.phase
        ));
    }
    if op.phase != Phase::Succeeded {
        return;
    }
    let Some(close) = close else {
        t.false_done += 1;
        return flag("done, and never seen closing".into());
    };
    let at = close.at as u64;
    if running.iter().any(|c| c.succeeded && c.finished_by(at)) {
        return;
    }
    if running.iter().all(|c| !c.visible && c.finished_by(at)) {
        t.unseeable += 1;
        return;
    }
    t.false_done += 1;
    flag(format!(
        "done at {}, but what ran had not finished or failed: {running:?}",
        close.at
    ));
}

/// Writes of `op` sent again: the same request (URL and body, naming its VM) within its window,
/// when the answer the engine was given to the one before was not a `429`.
fn resent(
    op: &Operation,
    ops: &[&Operation],
    log: &[Sent],
    t: &mut Tally,
    flag: &mut dyn FnMut(String),
) {
    let (k, since) = (key(op), op.submitted_at);
    let until = ops
        .iter()
        .filter(|o| key(o) == k && o.submitted_at > since)
        .map(|o| o.submitted_at)
        .min()
        .unwrap_or(Millis::MAX);
    let mine: Vec<&Sent> = log
        .iter()
        .filter(|w| w.write && (since..until).contains(&w.at))
        .filter(|w| w.url.contains(k) || w.body.contains(k))
        .collect();
    for (i, w) in mine.iter().enumerate() {
        let before = mine[..i]
            .iter()
            .rev()
            .find(|p| p.url == w.url && p.body == w.body);
        if let Some(p) = before.filter(|p| p.answered != Some(429)) {
            t.resent += 1;
            flag(format!("{} sent again after {:?}", w.url, p.answered));
        }
    }
}

/// The truth's word for the last of an action's writes, where it takes several.
fn last_step(dialect: DialectKind, action: &Action) -> Option<&'static str> {
    match action {
        Action::Create(_) => Some("create"),
        Action::Delete { .. } if dialect == DialectKind::Erigones => Some("undefine"),
        Action::Delete { .. } => Some("delete"),
        _ => None,
    }
}

/// Whether the VM, as it stood, shows what `action` was meant to leave.
fn shows(action: &Action, fact: Option<&VmFact>) -> bool {
    let Some(f) = fact else {
        return false;
    };
    match action {
        Action::Start
        | Action::Reboot
        | Action::PowerCycle
        | Action::RestoreBackup { .. }
        | Action::Create(_) => f.state == VmState::Running,
        Action::Shutdown | Action::PowerOff | Action::ShutdownWithin { .. } => {
            f.state == VmState::Stopped
        }
        Action::Delete { .. } => f.state == VmState::Gone,
        Action::Rename { name } => f.vm_name == name.trim(),
        // Sizes, passwords, snapshots: nothing a VM's fact shows.
        _ => true,
    }
}

fn judge_op(
    dialect: DialectKind,
    op: &Operation,
    taken: &[&Completion],
    close: Option<&Close>,
    t: &mut Tally,
    flag: &mut dyn FnMut(String),
) {
    let mut writes: HashMap<&str, usize> = HashMap::new();
    for c in taken {
        *writes.entry(c.action).or_default() += 1;
    }
    for (action, n) in writes.into_iter().filter(|(_, n)| *n > 1) {
        t.twice += n - 1;
        flag(format!("`{action}` applied {n} times: {taken:?}"));
    }
    match op.phase {
        Phase::Succeeded => match wrongly_done(dialect, op, taken, close) {
            Some(why) => {
                t.false_done += 1;
                flag(why);
            }
            None => t.unseeable += usize::from(taken.iter().any(|c| !c.succeeded)),
        },
        Phase::Failed | Phase::Cancelled => {
            if let Some(why) = wrongly_failed(dialect, op, taken) {
                t.false_failed += 1;
                flag(why);
            }
        }
        _ => {}
    }
}

/// Why calling `op` done is wrong, if it is.
fn wrongly_done(
    dialect: DialectKind,
    op: &Operation,
    taken: &[&Completion],
    close: Option<&Close>,
) -> Option<String> {
    let Some(close) = close else {
        return Some("done, and never seen closing".into());
    };
    let last = last_step(dialect, &op.action);
    if !taken.iter().any(|c| last.is_none_or(|w| c.action == w)) {
        return Some(format!(
            "done, but the provider took no such write: {taken:?}"
        ));
    }
    if let Some(c) = taken.iter().find(|c| !c.succeeded && c.visible) {
        return Some(format!("done, but its task ended {}: {c:?}", c.task_status));
    }
    if let Some(c) = taken.iter().find(|c| !c.finished_by(close.at as u64)) {
        return Some(format!(
            "done at {} before its task finished: {c:?}",
            close.at
        ));
    }
    if !shows(&op.action, close.fact.as_ref()) {
        return Some(format!("done, but the VM was {:?}", close.fact));
    }
    None
}

/// Why calling `op` failed (or not taken) is wrong, if it is.
fn wrongly_failed(dialect: DialectKind, op: &Operation, taken: &[&Completion]) -> Option<String> {
    // Not taken: the write of its current stage (the earlier stages' were taken, one each).
    if op.note == Some(Note::NotTaken) && taken.len() > usize::from(op.stage) {
        let stage = op.stage;
        return Some(format!(
            "stage {stage} not taken, but the provider took: {taken:?}"
        ));
    }
    let last = last_step(dialect, &op.action);
    let whole = taken.iter().any(|c| last.is_none_or(|w| c.action == w));
    if whole && taken.iter().all(|c| c.succeeded) {
        return Some(format!("failed ({:?}), but it worked: {taken:?}", op.note));
    }
    None
}

/// How many of each kind of operation the cell started, and how many ended done.
pub fn mix(
    wire: &Wire,
    work: &Work,
    into: &mut std::collections::BTreeMap<&'static str, [usize; 2]>,
) {
    let view = wire.engine().view();
    for item in &work.items {
        let done = match &item.id {
            ItemId::Op(id) => view.operation(id).map(|o| o.phase),
            ItemId::Wf(id) => view.workflow(id).map(|w| w.phase),
        } == Some(Phase::Succeeded);
        let n = into.entry(item.what).or_default();
        n[0] += 1;
        n[1] += usize::from(done);
    }
}

/// An item's deadline, after it started (a Stop: its grace period and both steps').
fn deadline(wire: &Wire, item: &Item) -> Millis {
    let view = wire.engine().view();
    match &item.id {
        ItemId::Op(id) => view
            .operation(id)
            .map_or(0, |op| deadline_for(op.action.kind())),
        ItemId::Wf(id) => {
            let grace = match view.workflow(id).map(|w| &w.plan) {
                Some(Plan::Stop { grace_s }) => Millis::from(*grace_s) * 1_000,
                _ => 0,
            };
            grace + deadline_for(ActionKind::Shutdown) + deadline_for(ActionKind::PowerOff)
        }
    }
}

/// How long the provider held the connection back while an item was open: the union of the
/// waits its `429` answers asked for (up to `MAX_RETRY_AFTER` each), within `from..until`.
fn held(wire: &Wire, from: Millis, until: Millis) -> Millis {
    let mut spans: Vec<(Millis, Millis)> = wire
        .log
        .iter()
        .filter_map(|s| s.holds)
        .map(|(a, b)| (a.max(from), b.min(until)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort_unstable();
    let (mut total, mut reach) = (0, Millis::MIN);
    for (a, b) in spans {
        let start = a.max(reach);
        total += (b - start).max(0);
        reach = reach.max(b);
    }
    total
}

fn judge_item(wire: &Wire, work: &Work, item: &Item, t: &mut Tally, flag: &mut dyn FnMut(String)) {
    t.ops += 1;
    let view = wire.engine().view();
    let shown = match &item.id {
        ItemId::Op(id) => view.operation(id).map(|o| (o.phase, o.finished_at)),
        ItemId::Wf(id) => view.workflow(id).map(|w| (w.phase, w.finished_at)),
    };
    let Some((phase, finished)) = shown else {
        t.lost += 1;
        return flag("the engine no longer shows it".into());
    };
    if phase.is_open() {
        t.lost += 1;
        return flag(format!("still {phase:?} at the end"));
    }
    // A workflow waiting for a check has no end: it closed when it was first seen waiting.
    let closed = finished.or_else(|| work.closes.get(item.id.as_str()).map(|c| c.at));
    let took = closed.unwrap_or(Millis::MAX).saturating_sub(item.started);
    let held = held(wire, item.started, closed.unwrap_or(Millis::MAX));
    let deadline = deadline(wire, item) + held;
    t.over_deadline = t.over_deadline.max(took.saturating_sub(deadline));
    if took > deadline + SLACK {
        t.lost += 1;
        flag(format!("open {} s, past its horizon", took / 1_000));
    }
    match phase {
        Phase::Succeeded => t.done += 1,
        Phase::Failed | Phase::Cancelled => t.failed += 1,
        Phase::NeedsCheck => t.needs_check += 1,
        Phase::TimedOut => t.timed_out += 1,
        _ => t.other += 1,
    }
    if let (ItemId::Wf(id), Phase::Succeeded) = (&item.id, phase) {
        let fact = work.closes.get(id.as_str()).and_then(|c| c.fact.as_ref());
        if !fact.is_some_and(|f| f.state == VmState::Stopped) {
            t.false_done += 1;
            flag(format!("stopped, but the VM was {fact:?}"));
        }
    }
}
