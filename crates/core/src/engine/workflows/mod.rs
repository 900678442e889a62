//! Workflows (several operations on one VM, followed as one) and bulks (one action or plan on
//! many VMs): which operation to make when, from what the operations and the VM show. Nothing
//! here sends a request of its own except a re-read of the VM before a forced power off; every
//! step is an ordinary operation, tracked like any other.

mod bulk;
mod control;
mod guard;
mod stop;

use std::collections::BTreeSet;
use std::ops::Range;

use crate::engine::Core;
use crate::ids::{BulkId, ConnId, OpId, VmId, WfId};
use crate::model::{Action, ActionKind, Operation, Phase, PowerState};
use crate::time::Millis;
use crate::words::{Refusal, StepLabel, StepNote, WfNote};
use crate::workflow::{Bulk, Plan, Step, StepState, Workflow};

pub(crate) use bulk::summary;
pub(crate) use guard::{guarded_allowed, rollback_allowed};

/// One workflow's record: what is kept, and what it needs from the engine meanwhile.
#[derive(Clone, Debug)]
pub(crate) struct WfRecord {
    pub wf: Workflow,
    /// Resumed after a reload (or a take-over), and when: what the VM showed before then says
    /// nothing about whether it shut down.
    pub resumed_at: Option<Millis>,
    /// When it last asked for a fresh read of its VM.
    pub reread_at: Option<Millis>,
    /// When it next needs the engine (a countdown's end).
    pub wake: Option<Millis>,
}

impl WfRecord {
    fn new(wf: Workflow) -> Self {
        WfRecord {
            wf,
            resumed_at: None,
            reread_at: None,
            wake: None,
        }
    }

    /// Whether "force now" means something now: its stop runs and nothing forced it yet.
    pub fn can_force_now(&self) -> bool {
        let wf = &self.wf;
        if !(wf.is_open() || wf.phase == Phase::NeedsCheck) || wf.force_requested {
            return false;
        }
        let r = stop_range(wf);
        let stop = &wf.steps[r.clone()];
        let shutdown_sent = stop
            .iter()
            .any(|s| s.kind == ActionKind::Shutdown && s.op_id.is_some());
        let forced = stop
            .iter()
            .any(|s| s.kind == ActionKind::PowerOff && s.op_id.is_some());
        let stop_over = stop
            .iter()
            .all(|s| matches!(s.state, StepState::Done | StepState::Skipped))
            || wf.steps[r.end..].iter().any(|s| s.op_id.is_some());
        shutdown_sent && !forced && !stop_over
    }
}

/// Something a workflow or bulk did that the user hears about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WfHappened {
    /// Ended (`Succeeded`, `Failed`, `Cancelled`) or waits for a check (`NeedsCheck`).
    Finished { wf: WfId, phase: Phase },
    /// The last VM of a bulk that started something ended: one notice for them all.
    BulkFinished { bulk: BulkId },
}

#[derive(Default)]
pub(crate) struct Workflows {
    pub list: Vec<WfRecord>,
    pub bulks: Vec<Bulk>,
    pub changed: BTreeSet<WfId>,
    pub changed_bulks: BTreeSet<BulkId>,
    pub happened: Vec<WfHappened>,
}

fn is_stop_kind(k: ActionKind) -> bool {
    matches!(k, ActionKind::Shutdown | ActionKind::PowerOff)
}

/// The steps that make up the stop: the first ones, after a guarded change's snapshot (empty
/// where the workflow stops nothing).
pub(crate) fn stop_range(wf: &Workflow) -> Range<usize> {
    let start = wf
        .steps
        .iter()
        .take_while(|s| s.kind == ActionKind::Snapshot)
        .count();
    let len = wf.steps[start..]
        .iter()
        .take_while(|s| is_stop_kind(s.kind))
        .count();
    start..start + len
}

/// The stop's steps: a shutdown, and a power off unless the provider forces it itself.
fn stop_steps(core: &Core, conn: &ConnId, grace_s: u32) -> Vec<Step> {
    let Some(c) = core.conn(conn) else {
        return Vec::new();
    };
    if c.caps.forces_stop {
        let provider = c.cfg.dialect;
        return vec![Step::new(
            ActionKind::Shutdown,
            StepLabel::ShutDownForcedAfter { provider, grace_s },
        )];
    }
    vec![
        Step::new(ActionKind::Shutdown, StepLabel::ShutDown),
        Step::new(
            ActionKind::PowerOff,
            StepLabel::PowerOffIfRunningAfter { grace_s },
        ),
    ]
}

/// Where a run of steps left the workflow.
enum Flow {
    /// Every step of the run is done or skipped.
    Through,
    /// Stop here: `None` to wait, or how the workflow ends.
    Halt(Option<Phase>),
}

fn step_state(op: &Operation) -> StepState {
    match op.phase {
        p if p.is_open() => StepState::Running,
        Phase::Succeeded => StepState::Done,
        Phase::TimedOut | Phase::NeedsCheck => StepState::NeedsCheck,
        _ => StepState::Failed,
    }
}

impl Workflows {
    pub fn get(&self, id: &WfId) -> Option<&WfRecord> {
        self.list.iter().find(|r| &r.wf.id == id)
    }

    fn index(&self, id: &WfId) -> Option<usize> {
        self.list.iter().position(|r| &r.wf.id == id)
    }

    /// The workflow an operation is a step of.
    pub fn for_op(&self, op: &OpId) -> Option<&Workflow> {
        self.list
            .iter()
            .map(|r| &r.wf)
            .find(|w| w.steps.iter().any(|s| s.op_id.as_ref() == Some(op)))
    }

    /// The workflow running on this VM, if any (it keeps other actions off the VM).
    pub fn open_on(&self, conn: &ConnId, vm: &VmId) -> Option<&Workflow> {
        self.list
            .iter()
            .rev()
            .map(|r| &r.wf)
            .find(|w| &w.connection == conn && &w.vm_id == vm && w.is_open())
    }

    /// When a workflow needs the engine next (a countdown's end, a re-read to ask again).
    pub fn next_wake(&self) -> Option<Millis> {
        self.list
            .iter()
            .filter(|r| r.wf.is_open())
            .filter_map(|r| r.wake)
            .min()
    }

    /// Starts a workflow; its first operation goes out on the next round.
    pub fn start(
        &mut self,
        core: &mut Core,
        conn: &ConnId,
        vm_id: &VmId,
        plan: Plan,
        now: Millis,
    ) -> Result<WfId, Refusal> {
        crate::engine::rules::plan_allowed(core, self, conn, vm_id, &plan)?;
        let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
        let provider_forces = c.caps.forces_stop;
        let vm = core.vm(conn, vm_id).cloned().ok_or(Refusal::VmNotListed)?;
        let rolls_back = match &plan {
            Plan::RollBack { guarded, .. } => Some(guarded.clone()),
            _ => None,
        };
        let mut steps = match &plan {
            Plan::Guarded { .. } | Plan::RollBack { .. } => guard::steps(core, conn, &vm, &plan),
            _ => stop_steps(core, conn, plan.grace_s()),
        };
        if let Plan::ColdResize {
            resize,
            start_after,
        } = &plan
        {
            if vm.power == PowerState::Stopped {
                for s in steps.iter_mut() {
                    s.state = StepState::Skipped;
                    s.note = Some(StepNote::AlreadyOff);
                }
            }
            steps.push(Step::new(
                ActionKind::Resize,
                StepLabel::Resize(resize.clone()),
            ));
            if *start_after {
                steps.push(Step::new(ActionKind::Start, StepLabel::Start));
            }
        }
        let id = WfId(core.next_id("w"));
        self.list.push(WfRecord::new(Workflow {
            id: id.clone(),
            connection: conn.clone(),
            vm_id: vm.id.clone(),
            vm_name: crate::saved::cap_name(&vm.name),
            plan,
            steps,
            phase: Phase::InProgress,
            started_at: now,
            finished_at: None,
            countdown: None,
            note: None,
            provider_forces,
            force_requested: false,
        }));
        self.changed.insert(id.clone());
        if let Some(guarded) = rolls_back {
            self.rolling_back(&guarded, now);
        }
        let i = self.list.len() - 1;
        self.advance_one(core, i, now);
        Ok(id)
    }

    /// Workflows kept from before a reload (or from another tab) go on from where they were —
    /// a step that finished starts the next, a countdown that ran out while the page was closed
    /// forces at once (unless a fresh look shows the VM off).
    pub fn resume(&mut self, core: &mut Core, workflows: Vec<Workflow>, now: Millis) {
        for mut wf in workflows {
            if self.get(&wf.id).is_some() {
                continue;
            }
            let mut rec_resumed = None;
            if wf.is_open() || wf.phase == Phase::NeedsCheck {
                if core.conn(&wf.connection).is_none() {
                    if wf.is_open() {
                        wf.phase = Phase::NeedsCheck;
                        wf.note = Some(WfNote::ConnectionMissing);
                    }
                } else {
                    rec_resumed = Some(now);
                }
            }
            self.changed.insert(wf.id.clone());
            let mut rec = WfRecord::new(wf);
            rec.resumed_at = rec_resumed;
            self.list.push(rec);
        }
        self.list.sort_by_key(|r| r.wf.started_at);
        self.advance(core, now);
    }

    /// Moves every workflow and bulk by what its operations show now.
    pub fn advance(&mut self, core: &mut Core, now: Millis) {
        for i in 0..self.list.len() {
            self.advance_one(core, i, now);
        }
        self.advance_bulks(core, now);
    }

    fn advance_one(&mut self, core: &mut Core, i: usize, now: Millis) {
        let mut rec = self.list[i].clone();
        sync_steps(core, &mut rec.wf);
        let active = rec.wf.is_open() || rec.wf.phase == Phase::NeedsCheck;
        if !active || core.conn(&rec.wf.connection).is_none() {
            let orphan = rec.wf.is_open();
            if orphan {
                // Its connection was removed: nothing can move it any more.
                rec.wf.note = Some(WfNote::ConnectionRemoved);
                rec.wf.phase = Phase::NeedsCheck;
                self.happened.push(WfHappened::Finished {
                    wf: rec.wf.id.clone(),
                    phase: Phase::NeedsCheck,
                });
            }
            self.store(i, rec);
            return;
        }
        rec.wake = None;
        let before = rec.wf.phase;
        let outcome = self.drive(core, &mut rec, now);
        match outcome {
            None => {
                if before == Phase::NeedsCheck {
                    rec.wf.phase = Phase::InProgress;
                }
                self.store(i, rec);
            }
            Some(Phase::NeedsCheck) => {
                if before != Phase::NeedsCheck {
                    rec.wf.phase = Phase::NeedsCheck;
                    self.happened.push(WfHappened::Finished {
                        wf: rec.wf.id.clone(),
                        phase: Phase::NeedsCheck,
                    });
                }
                self.store(i, rec);
            }
            Some(phase) => {
                self.store(i, rec);
                self.end(i, phase, now);
            }
        }
    }

    /// Writes a record back, noting it changed when it did.
    fn store(&mut self, i: usize, rec: WfRecord) {
        if self.list[i].wf != rec.wf {
            self.changed.insert(rec.wf.id.clone());
        }
        self.list[i] = rec;
    }

    fn end(&mut self, i: usize, phase: Phase, now: Millis) {
        let rec = &mut self.list[i];
        let wf = &mut rec.wf;
        wf.phase = phase;
        wf.finished_at = Some(now);
        for s in wf
            .steps
            .iter_mut()
            .filter(|s| s.state == StepState::Pending)
        {
            if phase == Phase::Succeeded {
                s.state = StepState::Skipped;
                s.note = Some(StepNote::NotNeeded);
            } else {
                s.state = StepState::NotRun;
            }
        }
        rec.wake = None;
        rec.reread_at = None;
        rec.resumed_at = None;
        self.changed.insert(wf.id.clone());
        self.happened.push(WfHappened::Finished {
            wf: wf.id.clone(),
            phase,
        });
    }

    /// One move; `Some(phase)` when the workflow ends (or waits for a check).
    fn drive(&mut self, core: &mut Core, rec: &mut WfRecord, now: Millis) -> Option<Phase> {
        let r = stop_range(&rec.wf);
        if let Flow::Halt(out) = drive_steps(core, &mut rec.wf, 0..r.start, now) {
            return out;
        }
        match stop::drive_stop(core, rec, r.clone(), now) {
            stop::Stage::Wait => return None,
            stop::Stage::Done => {}
            stop::Stage::Ended(phase, note) => {
                rec.wf.note = Some(note);
                return Some(phase);
            }
        }
        let wf = &mut rec.wf;
        if let Flow::Halt(out) = drive_steps(core, wf, r.end..wf.steps.len(), now) {
            return out;
        }
        // A stop's own words ("Stopped: the VM shut down.") say how it ended; after a resize
        // they would describe only its first step.
        let stop_only = matches!(wf.plan, Plan::Stop { .. });
        if !stop_only || wf.note.as_ref().is_none_or(WfNote::is_progress) {
            wf.note = Some(WfNote::Done);
        }
        Some(Phase::Succeeded)
    }
}

/// Moves the steps `range` on, one at a time: sends the first pending one, or says where the
/// first unfinished one stands.
fn drive_steps(core: &mut Core, wf: &mut Workflow, range: Range<usize>, now: Millis) -> Flow {
    for j in range {
        let step = wf.steps[j].clone();
        let label = step.label.clone();
        let note = match step.note {
            Some(StepNote::Op(n)) => Some(n),
            _ => None,
        };
        match step.state {
            StepState::Done | StepState::Skipped => continue,
            StepState::Pending => {
                let Some(action) = wf.plan.step_action(step.kind) else {
                    let why = core
                        .conn(&wf.connection)
                        .map(|c| Refusal::NotOffered {
                            provider: c.cfg.dialect,
                        })
                        .unwrap_or(Refusal::UnknownConnection);
                    wf.note = Some(WfNote::StepCouldNotStart { label, why });
                    return Flow::Halt(Some(Phase::Failed));
                };
                return Flow::Halt(match submit_step(core, wf, j, action, now) {
                    Ok(()) => {
                        wf.note = Some(WfNote::Step { label });
                        None
                    }
                    Err(why) => {
                        wf.note = Some(WfNote::StepCouldNotStart { label, why });
                        Some(Phase::Failed)
                    }
                });
            }
            StepState::Running => {
                wf.note = Some(WfNote::Step { label });
                return Flow::Halt(None);
            }
            StepState::Failed => {
                wf.note = Some(WfNote::StepFailed { label, note });
                return Flow::Halt(Some(Phase::Failed));
            }
            StepState::NeedsCheck => {
                wf.note = Some(WfNote::StepNeedsCheck { label, note });
                return Flow::Halt(Some(Phase::NeedsCheck));
            }
            StepState::NotRun => return Flow::Halt(Some(Phase::Cancelled)),
        }
    }
    Flow::Through
}

/// Step states from their operations (also after the workflow ended: an operation left to run
/// on its own still shows how it ended).
fn sync_steps(core: &Core, wf: &mut Workflow) {
    let forced = wf
        .steps
        .iter()
        .any(|s| s.kind == ActionKind::PowerOff && s.op_id.is_some());
    for s in wf.steps.iter_mut() {
        let Some(rec) = s.op_id.as_ref().and_then(|id| core.ops.get(id)) else {
            continue;
        };
        let mut state = step_state(&rec.op);
        // A shutdown the guest ignored, once the VM was forced off: it did not work.
        if s.kind == ActionKind::Shutdown && forced && state == StepState::NeedsCheck {
            state = StepState::Failed;
        }
        s.state = state;
        s.note = step_note(&rec.op);
    }
}

/// What a step says: its operation's note while it runs; once it ended, how it ended — never
/// a word of progress ("waiting for the VM…") left over from before the end.
fn step_note(op: &Operation) -> Option<StepNote> {
    match &op.note {
        Some(n) if op.is_open() || !n.is_progress() => Some(StepNote::Op(n.clone())),
        _ if op.phase == Phase::Succeeded => Some(StepNote::Verified),
        _ => None,
    }
}

/// Makes step `j`'s operation. `Ok` also while the VM list is still loading (tried again
/// later).
pub(crate) fn submit_step(
    core: &mut Core,
    wf: &mut Workflow,
    j: usize,
    action: Action,
    now: Millis,
) -> Result<(), Refusal> {
    if core.vm(&wf.connection, &wf.vm_id).is_none() {
        let ready = core
            .conn(&wf.connection)
            .is_some_and(|c| matches!(c.inv.list, Some(crate::engine::ListState::Ready { .. })));
        return if ready {
            Err(Refusal::VmNotListed)
        } else {
            Ok(()) // The list comes; its answer wakes the engine.
        };
    }
    let target = crate::engine::intents::target_of(&wf.vm_id, &wf.vm_name, &action);
    let id = core.create_op(&wf.connection, target, action, now)?;
    let s = &mut wf.steps[j];
    s.op_id = Some(id);
    s.state = StepState::Running;
    s.note = None;
    Ok(())
}
