//! Workflows and bulks in the engine: which operation to create when, from what the operations
//! and the VM show. Nothing here sends a request of its own except a re-read of the VM before a
//! forced power off; every step is an ordinary [`Operation`], tracked like any other.
//!
//! The Stop workflow, decisions:
//!
//! - Where the provider forces a stop itself (Erigones), Stop is one request:
//!   `stop {"force": false, "timeout": grace}` ([`Action::ShutdownWithin`]). The countdown is shown
//!   from its acceptance; the provider forces at its end. "Force now" sends the forced stop
//!   (allowed over a `stopping` VM); "cancel" cancels the provider's task where it can, else says
//!   the provider will still force at the end.
//! - Elsewhere: shutdown; the countdown runs from the provider's acceptance of it to
//!   acceptance + grace (the engine wakes up for its end). The VM verified off before → done, the
//!   power off step is skipped. At the end (or on "force now"): if the shutdown's task still
//!   runs and the provider takes one action at a time, the power off waits for the task to end;
//!   then the VM is looked at (data asked for after the task ended, and after a reload): off →
//!   done; still running → power off. A shutdown operation still open then (the task finished but
//!   the VM disagrees) is ended as `Superseded` ("forced off"); one that already ended (`Needs
//!   check`) is left as it ended. "Cancel" before the power off → the workflow ends `Cancelled`
//!   ("Not forcing; the graceful shutdown continues") and the shutdown keeps being tracked alone.
//! - A shutdown the provider refused (or whose request's fate is unknown) before any countdown
//!   started fails the workflow (or asks for a check) rather than forcing: no countdown was shown.

use crate::engine::{Engine, ListState, Pace};
use crate::model::{Action, ActionKind, Operation, Phase, PowerState, Vm};
use crate::time::{format_duration, Millis, SECOND};
use crate::workflow::{
    Bulk, BulkItem, BulkOutcome, BulkSummary, BulkWork, Plan, SavedState, Step, StepState,
    Workflow, WorkflowEvent, MAX_STOP_GRACE_S,
};

/// How long a workflow waits for a re-read of its VM before asking again.
const REREAD_AGAIN: Millis = 10 * SECOND;

/// Where a workflow's stop stands.
enum Stage {
    Wait,
    Done,
    Failed(String),
    NeedsCheck(String),
}

fn is_stop_kind(k: ActionKind) -> bool {
    matches!(k, ActionKind::Shutdown | ActionKind::PowerOff)
}

/// How many of the first steps make up the stop.
fn stop_len(wf: &Workflow) -> usize {
    wf.steps
        .iter()
        .position(|s| !is_stop_kind(s.kind))
        .unwrap_or(wf.steps.len())
}

fn step_state(op: &Operation) -> StepState {
    match op.phase {
        p if p.is_open() => StepState::Running,
        Phase::Succeeded => StepState::Done,
        Phase::TimedOut | Phase::NeedsCheck => StepState::NeedsCheck,
        _ => StepState::Failed,
    }
}

fn op_message(op: &Operation) -> String {
    op.message
        .clone()
        .unwrap_or_else(|| op.phase.label().to_string())
}

impl Engine {
    // ----- starting ------------------------------------------------------------------------

    /// Whether `plan` may start on this VM now; else why not, for the user.
    pub fn plan_allowed(&self, conn: &str, vm_id: &str, plan: &Plan) -> Result<(), String> {
        let c = self.conn(conn).ok_or("Unknown connection.")?;
        let vm = self.idle_vm(conn, vm_id)?;
        match plan {
            Plan::Stop { grace_s } => {
                if *grace_s == 0 || *grace_s > MAX_STOP_GRACE_S {
                    return Err(format!(
                        "The grace period must be between 1 s and {}.",
                        format_duration(Millis::from(MAX_STOP_GRACE_S) * SECOND)
                    ));
                }
                self.can_stop(conn)?;
                self.allowed(conn, vm_id, ActionKind::Shutdown)
            }
            Plan::ColdResize {
                resize,
                start_after,
            } => {
                let dialect = c.cfg.dialect.label();
                if !c.api.actions().contains(&ActionKind::Resize) {
                    return Err(format!("{dialect} does not resize VMs."));
                }
                if *start_after && !c.api.actions().contains(&ActionKind::Start) {
                    return Err(format!("{dialect} cannot start a VM."));
                }
                let action = Action::Resize(resize.clone());
                action.validate()?;
                c.api.validate(&action)?;
                match vm.power {
                    PowerState::Stopped => c.api.allowed(vm, ActionKind::Resize),
                    PowerState::Running => {
                        if let Err(why) = self.can_stop(conn) {
                            let hint = if c.api.allowed(vm, ActionKind::Resize).is_ok() {
                                format!(" {dialect} resizes running VMs: use Resize.")
                            } else {
                                String::new()
                            };
                            return Err(format!("{why}{hint}"));
                        }
                        self.allowed(conn, vm_id, ActionKind::Shutdown)
                    }
                    _ => Err(format!(
                        "The VM is {}: wait until it is running or stopped.",
                        vm.status_raw
                    )),
                }
            }
        }
    }

    /// Whether this connection's provider can carry a Stop at all.
    fn can_stop(&self, conn: &str) -> Result<(), String> {
        let c = self.conn(conn).ok_or("Unknown connection.")?;
        let d = c.cfg.dialect;
        let actions = c.api.actions();
        if !actions.contains(&ActionKind::Shutdown) {
            return Err(format!(
                "{} has no graceful shutdown: use Power off.",
                d.label()
            ));
        }
        if !d.forces_stop_server_side() && !actions.contains(&ActionKind::PowerOff) {
            return Err(format!(
                "{} has no power off, so a guest that ignores the shutdown could not be forced off: use Shut down.",
                d.label()
            ));
        }
        Ok(())
    }

    /// Starts a workflow; its first operation goes out on the next `poll_transmit`.
    pub fn start_workflow(
        &mut self,
        conn: &str,
        vm_id: &str,
        plan: Plan,
        now: Millis,
    ) -> Result<String, String> {
        self.plan_allowed(conn, vm_id, &plan)?;
        let c = self.conn(conn).ok_or("Unknown connection.")?;
        let provider_forces = c.cfg.dialect.forces_stop_server_side();
        let provider = c.cfg.dialect.label();
        let vm = self.vm(conn, vm_id).cloned().ok_or("Unknown VM.")?;
        let grace = format_duration(Millis::from(plan.grace_s()) * SECOND);
        let mut steps = Vec::new();
        if provider_forces {
            steps.push(Step::new(
                ActionKind::Shutdown,
                format!("Shut down ({provider} forces it off after {grace})"),
            ));
        } else {
            steps.push(Step::new(ActionKind::Shutdown, "Shut down"));
            steps.push(Step::new(
                ActionKind::PowerOff,
                format!("Power off if still running after {grace}"),
            ));
        }
        if let Plan::ColdResize {
            resize,
            start_after,
        } = &plan
        {
            if vm.power == PowerState::Stopped {
                for s in steps.iter_mut() {
                    s.state = StepState::Skipped;
                    s.message = Some("The VM was already off.".into());
                }
            }
            steps.push(Step::new(
                ActionKind::Resize,
                Action::Resize(resize.clone()).describe(),
            ));
            if *start_after {
                steps.push(Step::new(ActionKind::Start, "Start"));
            }
        }
        self.op_seq += 1;
        let id = format!("{}-w{}", self.id_prefix, self.op_seq);
        self.workflows.push(Workflow {
            id: id.clone(),
            connection: conn.to_string(),
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            plan,
            steps,
            phase: Phase::InProgress,
            started_at: now,
            finished_at: None,
            countdown: None,
            message: None,
            provider_forces,
            force_requested: false,
        });
        let i = self.workflows.len() - 1;
        self.advance_workflow(i, now);
        Ok(id)
    }

    // ----- reading -------------------------------------------------------------------------

    /// Every workflow, oldest first.
    pub fn workflows(&self) -> &[Workflow] {
        &self.workflows
    }

    pub fn workflow(&self, id: &str) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.id == id)
    }

    /// The workflow an operation is a step of.
    pub fn workflow_for_op(&self, op_id: &str) -> Option<&Workflow> {
        self.workflows
            .iter()
            .find(|w| w.steps.iter().any(|s| s.op_id.as_deref() == Some(op_id)))
    }

    /// The workflow running on this VM, if any (it keeps other actions off the VM).
    pub fn open_workflow_for(&self, conn: &str, vm_id: &str) -> Option<&Workflow> {
        self.workflows
            .iter()
            .rev()
            .find(|w| w.connection == conn && w.vm_id == vm_id && w.is_open())
    }

    /// Workflow notices since the last call.
    pub fn drain_workflow_events(&mut self) -> Vec<WorkflowEvent> {
        std::mem::take(&mut self.workflow_events)
    }

    // ----- the user's hand -----------------------------------------------------------------

    /// Whether "force now" means something for this workflow now: its stop runs and nothing
    /// forced it yet.
    pub fn can_force_now(&self, wf_id: &str) -> bool {
        let Some(wf) = self.workflow(wf_id) else {
            return false;
        };
        if !(wf.is_open() || wf.phase == Phase::NeedsCheck) || wf.force_requested {
            return false;
        }
        let n = stop_len(wf);
        let stop = &wf.steps[..n];
        let shutdown_sent = stop
            .iter()
            .any(|s| s.kind == ActionKind::Shutdown && s.op_id.is_some());
        let forced = stop
            .iter()
            .any(|s| s.kind == ActionKind::PowerOff && s.op_id.is_some());
        let stop_over = stop
            .iter()
            .all(|s| matches!(s.state, StepState::Done | StepState::Skipped))
            || wf.steps[n..].iter().any(|s| s.op_id.is_some());
        shutdown_sent && !forced && !stop_over
    }

    /// Powers the VM off now instead of at the end of the countdown.
    pub fn force_now(&mut self, wf_id: &str, now: Millis) -> Result<(), String> {
        if !self.can_force_now(wf_id) {
            return Err(
                "There is nothing to force now: the stop is over or already forced.".into(),
            );
        }
        let i = self.wf_index(wf_id).expect("checked");
        let wf = &mut self.workflows[i];
        wf.force_requested = true;
        if wf.provider_forces && !wf.steps.iter().any(|s| s.kind == ActionKind::PowerOff) {
            let at = stop_len(wf);
            wf.steps
                .insert(at, Step::new(ActionKind::PowerOff, "Power off now"));
        }
        wf.message = Some("Forcing the VM off now…".into());
        self.advance_workflow(i, now);
        Ok(())
    }

    /// Stops the workflow: nothing more is forced or started. Operations already sent keep being
    /// followed on their own; the message says what still happens.
    pub fn cancel_workflow(&mut self, wf_id: &str, now: Millis) -> Result<(), String> {
        let i = self
            .wf_index(wf_id)
            .ok_or("This workflow is not known here.")?;
        let wf = self.workflows[i].clone();
        if !(wf.is_open() || wf.phase == Phase::NeedsCheck) {
            return Err("This workflow has already ended.".into());
        }
        let n = stop_len(&wf);
        let op_of = |s: &Step| s.op_id.as_deref().and_then(|id| self.operation(id));
        let later_sent = wf.steps[n..].iter().find(|s| s.op_id.is_some());
        let stop_over = wf.steps[..n].iter().any(|s| s.state == StepState::Done)
            || wf.steps[..n].iter().all(|s| s.state == StepState::Skipped);
        let shutdown = wf.steps[..n]
            .iter()
            .find(|s| s.kind == ActionKind::Shutdown)
            .and_then(op_of)
            .cloned();
        let power_off = wf.steps[..n]
            .iter()
            .find(|s| s.kind == ActionKind::PowerOff)
            .and_then(op_of)
            .cloned();
        let mut message = if let Some(step) = later_sent {
            let open = op_of(step).is_some_and(|o| o.is_open());
            if open {
                format!(
                    "Cancelled: “{}” was already sent and is followed on its own; nothing after it will run.",
                    step.label
                )
            } else {
                "Cancelled: nothing more will run.".to_string()
            }
        } else if stop_over {
            "Cancelled: nothing more will run.".to_string()
        } else if power_off.as_ref().is_some_and(|o| o.is_open()) {
            "Cancelled: the power off was already sent and is followed on its own.".to_string()
        } else if wf.provider_forces {
            let provider = self
                .conn(&wf.connection)
                .map_or("The provider", |c| c.cfg.dialect.label());
            match &shutdown {
                Some(op) if self.can_cancel(&op.id) => {
                    let _ = self.cancel(&op.id, now);
                    format!("Asking {provider} to cancel the stop…")
                }
                Some(op) if op.is_open() => format!(
                    "Cancelled here, but {provider} cannot cancel its stop task now: it still forces the VM off when the countdown ends, unless the guest shuts down first."
                ),
                _ => "Cancelled: nothing more will run.".to_string(),
            }
        } else if shutdown.as_ref().is_some_and(|o| o.is_open()) {
            "Not forcing; the graceful shutdown continues.".to_string()
        } else {
            "Cancelled: the VM will not be forced off.".to_string()
        };
        let rest_pending = wf.steps[n..].iter().any(|s| s.state == StepState::Pending);
        if !stop_over && later_sent.is_none() && rest_pending {
            message.push_str(" The steps after the stop will not run.");
        }
        let wf = &mut self.workflows[i];
        for s in wf
            .steps
            .iter_mut()
            .filter(|s| s.state == StepState::Pending)
        {
            s.state = StepState::NotRun;
            s.message = Some("Cancelled.".into());
        }
        wf.message = Some(message);
        self.end_workflow(i, Phase::Cancelled, now);
        Ok(())
    }

    /// The answer to the cancel a workflow asked for (Erigones).
    pub(super) fn note_workflow_cancel(&mut self, op_id: &str, refused: Option<String>) {
        let cancelled = self
            .operation(op_id)
            .is_some_and(|o| o.phase == Phase::Cancelled);
        let Some(i) = self.workflows.iter().position(|w| {
            w.phase == Phase::Cancelled && w.steps.iter().any(|s| s.op_id.as_deref() == Some(op_id))
        }) else {
            return;
        };
        let provider = self
            .conn(&self.workflows[i].connection)
            .map_or("The provider", |c| c.cfg.dialect.label());
        let message = match refused {
            Some(why) => format!(
                "{provider} refused to cancel the stop ({why}): it still forces the VM off when the countdown ends, unless the guest shuts down first."
            ),
            None if cancelled => format!("{provider} cancelled the stop; the VM keeps running."),
            None => return,
        };
        self.workflows[i].message = Some(message);
    }

    // ----- bulks ---------------------------------------------------------------------------

    /// Starts `action` on every VM it is allowed on; the others are recorded as skipped, with
    /// the reason. Returns the bulk's id.
    pub fn start_bulk(
        &mut self,
        targets: Vec<(String, String)>,
        action: Action,
        now: Millis,
    ) -> String {
        self.bulk_of(targets, BulkWork::Action(action), now)
    }

    /// Starts a workflow (a Stop, say) on every VM it is allowed on, like [`Engine::start_bulk`].
    pub fn start_bulk_plan(
        &mut self,
        targets: Vec<(String, String)>,
        plan: Plan,
        now: Millis,
    ) -> String {
        self.bulk_of(targets, BulkWork::Plan(plan), now)
    }

    fn bulk_of(&mut self, targets: Vec<(String, String)>, work: BulkWork, now: Millis) -> String {
        let mut items = Vec::new();
        for (conn, vm_id) in targets {
            let vm_name = self
                .vm(&conn, &vm_id)
                .map_or(vm_id.clone(), |v| v.name.clone());
            let mut item = BulkItem {
                connection: conn.clone(),
                vm_id: vm_id.clone(),
                vm_name,
                op_id: None,
                workflow_id: None,
                skipped: None,
            };
            if items
                .iter()
                .any(|i: &BulkItem| i.connection == conn && i.vm_id == vm_id)
            {
                continue;
            }
            let started = match &work {
                BulkWork::Action(a) => self.start(&conn, &vm_id, a.clone(), now).map(|id| {
                    item.op_id = Some(id);
                }),
                BulkWork::Plan(p) => self
                    .start_workflow(&conn, &vm_id, p.clone(), now)
                    .map(|id| {
                        item.workflow_id = Some(id);
                    }),
            };
            if let Err(reason) = started {
                item.skipped = Some(reason);
            }
            items.push(item);
        }
        self.op_seq += 1;
        let id = format!("{}-b{}", self.id_prefix, self.op_seq);
        self.bulks.push(Bulk {
            id: id.clone(),
            work,
            started_at: now,
            items,
            finished_at: None,
        });
        id
    }

    /// Every bulk, oldest first.
    pub fn bulks(&self) -> &[Bulk] {
        &self.bulks
    }

    pub fn bulk(&self, id: &str) -> Option<&Bulk> {
        self.bulks.iter().find(|b| b.id == id)
    }

    /// Each VM's outcome and the counts.
    pub fn bulk_summary(&self, id: &str) -> Option<BulkSummary> {
        let bulk = self.bulk(id)?;
        let mut sum = BulkSummary::default();
        for item in &bulk.items {
            let by_phase = |phase: Phase, message: Option<String>| {
                let message = message.unwrap_or_else(|| phase.label().to_string());
                match phase {
                    p if p.is_open() => BulkOutcome::Running,
                    Phase::Succeeded => BulkOutcome::Done,
                    Phase::TimedOut | Phase::NeedsCheck => BulkOutcome::NeedsCheck { message },
                    Phase::Cancelled => BulkOutcome::Cancelled { message },
                    _ => BulkOutcome::Failed { message },
                }
            };
            let outcome = if let Some(reason) = &item.skipped {
                BulkOutcome::Skipped {
                    reason: reason.clone(),
                }
            } else if let Some(op) = item.op_id.as_deref().and_then(|i| self.operation(i)) {
                by_phase(op.phase, op.message.clone())
            } else if let Some(wf) = item.workflow_id.as_deref().and_then(|i| self.workflow(i)) {
                by_phase(wf.phase, wf.message.clone())
            } else {
                BulkOutcome::NeedsCheck {
                    message: "Its operation is no longer known here.".into(),
                }
            };
            match &outcome {
                BulkOutcome::Running => sum.running += 1,
                BulkOutcome::Done => sum.done += 1,
                BulkOutcome::Failed { .. } => sum.failed += 1,
                BulkOutcome::Skipped { .. } => sum.skipped += 1,
                BulkOutcome::NeedsCheck { .. } => sum.needs_check += 1,
                BulkOutcome::Cancelled { .. } => sum.cancelled += 1,
            }
            sum.items.push((item.clone(), outcome));
        }
        Some(sum)
    }

    // ----- keeping and sharing -------------------------------------------------------------

    /// Operations, workflows and bulks, for the page to keep across reloads and to share with
    /// other tabs (no credentials in them).
    ///
    /// A workflow step whose operation was created but whose request has not gone out yet is
    /// kept as not sent (its operation left out), so that a reload sends it instead of asking
    /// for a check.
    pub fn export_state(&self) -> SavedState {
        let unsent = |id: &str| {
            self.operation(id)
                .is_some_and(|o| o.phase == Phase::Submitted)
                && self.sched.get(id).is_some_and(|s| !s.waiting)
        };
        let mut workflows = self.workflows.clone();
        let mut dropped = Vec::new();
        for wf in workflows.iter_mut() {
            for s in wf.steps.iter_mut() {
                if let Some(id) = s.op_id.clone().filter(|id| unsent(id)) {
                    s.op_id = None;
                    s.state = StepState::Pending;
                    dropped.push(id);
                }
            }
        }
        SavedState {
            operations: self
                .ops
                .iter()
                .filter(|o| !dropped.contains(&o.id))
                .cloned()
                .collect(),
            workflows,
            bulks: self.bulks.clone(),
        }
    }

    /// State kept from before a reload: operations resume as with
    /// [`Engine::import_operations`], and open workflows go on from where they were — a step
    /// that finished starts the next, a countdown that ran out while the page was closed forces
    /// at once (unless a fresh look shows the VM off).
    pub fn import_state(&mut self, state: SavedState, now: Millis) {
        self.import_operations(state.operations, now);
        self.resume_workflows(state.workflows, now);
        for b in state.bulks {
            if self.bulks.iter().all(|x| x.id != b.id) {
                self.bulks.push(b);
            }
        }
        self.bulks.sort_by_key(|b| b.started_at);
    }

    /// A following tab shows what the leading one shares, workflows and bulks included
    /// (see [`Engine::mirror`]).
    pub fn mirror_state(
        &mut self,
        state: SavedState,
        inventory: Vec<(String, Vec<Vm>, ListState)>,
    ) {
        self.mirror(state.operations, inventory);
        self.workflows = state.workflows;
        self.bulks = state.bulks;
        self.wf_resumed.clear();
        self.wf_reread.clear();
    }

    pub(super) fn resume_workflows(&mut self, workflows: Vec<Workflow>, now: Millis) {
        for mut wf in workflows {
            if self.workflows.iter().any(|w| w.id == wf.id) {
                continue;
            }
            if wf.is_open() || wf.phase == Phase::NeedsCheck {
                if self.conn(&wf.connection).is_none() {
                    if wf.is_open() {
                        wf.phase = Phase::NeedsCheck;
                        wf.message = Some(
                            "Its connection is not configured in this tab; add it to follow this workflow."
                                .into(),
                        );
                    }
                } else {
                    self.wf_resumed.insert(wf.id.clone(), now);
                }
            }
            self.workflows.push(wf);
        }
        self.workflows.sort_by_key(|w| w.started_at);
        self.advance_workflows(now);
    }

    // ----- driving -------------------------------------------------------------------------

    fn wf_index(&self, id: &str) -> Option<usize> {
        self.workflows.iter().position(|w| w.id == id)
    }

    /// When a workflow needs the engine next (a countdown's end, a re-read to ask again).
    pub(super) fn next_workflow_wake(&self) -> Option<Millis> {
        if self.pace == Pace::Follower {
            return None;
        }
        self.workflows
            .iter()
            .filter(|w| w.is_open())
            .filter_map(|w| self.wf_wake.get(&w.id).copied())
            .min()
    }

    /// Moves every workflow by what its operations show now.
    pub(super) fn advance_workflows(&mut self, now: Millis) {
        if self.pace == Pace::Follower {
            return;
        }
        for i in 0..self.workflows.len() {
            self.advance_workflow(i, now);
        }
        for i in 0..self.bulks.len() {
            let b = &self.bulks[i];
            if b.finished_at.is_some() {
                continue;
            }
            let started = b
                .items
                .iter()
                .any(|it| it.op_id.is_some() || it.workflow_id.is_some());
            if self.bulk_summary(&b.id).is_some_and(|s| s.is_finished()) {
                let b = &mut self.bulks[i];
                b.finished_at = Some(now);
                if started {
                    self.workflow_events.push(WorkflowEvent::BulkFinished {
                        bulk_id: b.id.clone(),
                    });
                }
            }
        }
    }

    fn advance_workflow(&mut self, i: usize, now: Millis) {
        let mut wf = self.workflows[i].clone();
        self.sync_steps(&mut wf);
        let active = wf.is_open() || wf.phase == Phase::NeedsCheck;
        if !active || self.conn(&wf.connection).is_none() {
            let orphan = wf.is_open();
            self.workflows[i] = wf;
            if orphan {
                // Its connection was removed: nothing can move it any more.
                self.workflows[i].message =
                    Some("The connection was removed while this ran.".into());
                self.workflows[i].phase = Phase::NeedsCheck;
                self.workflow_events.push(WorkflowEvent::Finished {
                    workflow_id: self.workflows[i].id.clone(),
                    phase: Phase::NeedsCheck,
                });
            }
            return;
        }
        self.wf_wake.remove(&wf.id);
        let before = wf.phase;
        let outcome = self.drive(&mut wf, now);
        self.workflows[i] = wf;
        match outcome {
            None => {
                if before == Phase::NeedsCheck {
                    self.workflows[i].phase = Phase::InProgress;
                }
            }
            Some(phase) if phase == Phase::NeedsCheck => {
                if before != Phase::NeedsCheck {
                    self.workflows[i].phase = Phase::NeedsCheck;
                    self.workflow_events.push(WorkflowEvent::Finished {
                        workflow_id: self.workflows[i].id.clone(),
                        phase,
                    });
                }
            }
            Some(phase) => self.end_workflow(i, phase, now),
        }
    }

    fn end_workflow(&mut self, i: usize, phase: Phase, now: Millis) {
        let wf = &mut self.workflows[i];
        wf.phase = phase;
        wf.finished_at = Some(now);
        for s in wf
            .steps
            .iter_mut()
            .filter(|s| s.state == StepState::Pending)
        {
            if phase == Phase::Succeeded {
                s.state = StepState::Skipped;
                s.message = Some("Not needed.".into());
            } else {
                s.state = StepState::NotRun;
            }
        }
        let id = wf.id.clone();
        self.wf_wake.remove(&id);
        self.wf_reread.remove(&id);
        self.wf_resumed.remove(&id);
        self.workflow_events.push(WorkflowEvent::Finished {
            workflow_id: id,
            phase,
        });
    }

    /// Step states from their operations (also after the workflow ended: an operation left to
    /// run on its own still shows how it ended).
    fn sync_steps(&self, wf: &mut Workflow) {
        let forced = wf
            .steps
            .iter()
            .any(|s| s.kind == ActionKind::PowerOff && s.op_id.is_some());
        for s in wf.steps.iter_mut() {
            let Some(op) = s.op_id.as_deref().and_then(|id| self.operation(id)) else {
                continue;
            };
            let mut state = step_state(op);
            // A shutdown the guest ignored, once the VM was forced off: it did not work.
            if s.kind == ActionKind::Shutdown && forced && state == StepState::NeedsCheck {
                state = StepState::Failed;
            }
            s.state = state;
            s.message = op.message.clone();
        }
    }

    /// One move; `Some(phase)` when the workflow ends (or waits for a check).
    fn drive(&mut self, wf: &mut Workflow, now: Millis) -> Option<Phase> {
        let n = stop_len(wf);
        match self.drive_stop(wf, n, now) {
            Stage::Wait => return None,
            Stage::Done => {}
            Stage::Failed(msg) => {
                wf.message = Some(msg);
                return Some(Phase::Failed);
            }
            Stage::NeedsCheck(msg) => {
                wf.message = Some(msg);
                return Some(Phase::NeedsCheck);
            }
        }
        for j in n..wf.steps.len() {
            let step = wf.steps[j].clone();
            match step.state {
                StepState::Done | StepState::Skipped => continue,
                StepState::Pending => {
                    let action = match (&wf.plan, step.kind) {
                        (Plan::ColdResize { resize, .. }, ActionKind::Resize) => {
                            Action::Resize(resize.clone())
                        }
                        (_, k) => Action::simple(k).expect("a workflow's steps need no form"),
                    };
                    return match self.submit_step(wf, j, action, now) {
                        Ok(()) => {
                            wf.message = Some(format!("{}…", step.label));
                            None
                        }
                        Err(msg) => {
                            wf.message = Some(format!("{} could not start: {msg}", step.label));
                            Some(Phase::Failed)
                        }
                    };
                }
                StepState::Running => {
                    wf.message = Some(format!("{}…", step.label));
                    return None;
                }
                StepState::Failed => {
                    wf.message = Some(format!(
                        "{} failed: {}",
                        step.label,
                        step.message.unwrap_or_default()
                    ));
                    return Some(Phase::Failed);
                }
                StepState::NeedsCheck => {
                    wf.message = Some(format!(
                        "{}: {} Check the operation now to go on.",
                        step.label,
                        step.message.unwrap_or_default()
                    ));
                    return Some(Phase::NeedsCheck);
                }
                StepState::NotRun => return Some(Phase::Cancelled),
            }
        }
        // A stop's own words ("Stopped: the VM shut down.") say how it ended; after a resize
        // they would describe only its first step.
        let stop_only = matches!(wf.plan, Plan::Stop { .. });
        if !stop_only || wf.message.as_deref().is_none_or(|m| m.ends_with('…')) {
            wf.message = Some("Done, verified on the VM.".into());
        }
        Some(Phase::Succeeded)
    }

    /// Creates step `j`'s operation. `Ok` also while the VM list is still loading (tried again
    /// later).
    fn submit_step(
        &mut self,
        wf: &mut Workflow,
        j: usize,
        action: Action,
        now: Millis,
    ) -> Result<(), String> {
        if self.vm(&wf.connection, &wf.vm_id).is_none() {
            return match self.list_state(&wf.connection) {
                Some(ListState::Ready { .. }) => {
                    Err("the VM is no longer in the provider's list.".into())
                }
                _ => Ok(()), // The list comes; its answer wakes the engine.
            };
        }
        let id = self.create_op(&wf.connection, &wf.vm_id, action, now)?;
        let s = &mut wf.steps[j];
        s.op_id = Some(id);
        s.state = StepState::Running;
        s.message = None;
        Ok(())
    }

    fn drive_stop(&mut self, wf: &mut Workflow, n: usize, now: Millis) -> Stage {
        let stop = &wf.steps[..n];
        if stop.iter().all(|s| s.state == StepState::Skipped) {
            return Stage::Done;
        }
        let Some(sd_at) = stop.iter().position(|s| s.kind == ActionKind::Shutdown) else {
            return Stage::Done;
        };
        let po_at = stop.iter().position(|s| s.kind == ActionKind::PowerOff);
        let grace_ms = Millis::from(wf.plan.grace_s()) * SECOND;
        let provider = self
            .conn(&wf.connection)
            .map(|c| c.cfg.dialect)
            .expect("checked by the caller");
        // The shutdown goes first.
        let Some(sd_id) = wf.steps[sd_at].op_id.clone() else {
            let action = if wf.provider_forces {
                Action::ShutdownWithin {
                    timeout_s: wf.plan.grace_s(),
                }
            } else {
                Action::Shutdown
            };
            return match self.submit_step(wf, sd_at, action, now) {
                Ok(()) => {
                    wf.message = Some("Shutting down…".into());
                    Stage::Wait
                }
                Err(msg) => Stage::Failed(format!("Shut down could not start: {msg}")),
            };
        };
        let Some(sd) = self.operation(&sd_id).cloned() else {
            return Stage::NeedsCheck("The shutdown's operation is no longer known here.".into());
        };
        if let (None, Some(acc)) = (wf.countdown, sd.accepted_at) {
            wf.countdown = Some((acc, acc + grace_ms));
        }
        let po = po_at
            .and_then(|j| wf.steps[j].op_id.as_deref())
            .and_then(|id| self.operation(id))
            .cloned();
        let skip_power_off = |wf: &mut Workflow, why: &str| {
            if let Some(j) = po_at {
                if wf.steps[j].op_id.is_none() {
                    wf.steps[j].state = StepState::Skipped;
                    wf.steps[j].message = Some(why.to_string());
                }
            }
        };
        if sd.phase == Phase::Succeeded {
            skip_power_off(wf, "Not needed: the VM shut down.");
            wf.message = Some("Stopped: the VM shut down.".into());
            return Stage::Done;
        }
        if po.as_ref().is_some_and(|o| o.phase == Phase::Succeeded) {
            wf.message = Some(if wf.provider_forces {
                "Stopped: forced off.".into()
            } else {
                format!(
                    "Stopped: the VM did not shut down within {}, so it was powered off.",
                    format_duration(grace_ms)
                )
            });
            return Stage::Done;
        }
        if let Some(po) = &po {
            if po.is_open() {
                wf.message = Some("Powering off…".into());
                return Stage::Wait;
            }
            if po.phase == Phase::Failed || po.phase == Phase::Cancelled {
                // Refused because the VM is off after all (it shut down meanwhile)?
                if self.fresh_power(wf, po.submitted_at) == Some(PowerState::Stopped) {
                    wf.message = Some("Stopped: the VM shut down.".into());
                    return Stage::Done;
                }
            }
            if wf.provider_forces && sd.is_open() {
                // The graceful stop may still end it (the provider forces at the countdown's end).
                wf.message = Some(format!(
                    "The forced stop did not go through ({}); {} still forces the VM off when the countdown ends.",
                    op_message(po),
                    provider.label()
                ));
                return Stage::Wait;
            }
            return match po.phase {
                Phase::TimedOut | Phase::NeedsCheck => Stage::NeedsCheck(format!(
                    "Power off: {} Check the operation now to go on.",
                    op_message(po)
                )),
                _ => Stage::Failed(format!("Power off failed: {}", op_message(po))),
            };
        }
        if wf.provider_forces {
            if wf.force_requested && matches!(sd.phase, Phase::Accepted | Phase::InProgress) {
                let j = po_at.expect("force_now adds the power off step");
                return match self.submit_step(wf, j, Action::PowerOff, now) {
                    Ok(()) => {
                        wf.message = Some("Forcing the VM off…".into());
                        Stage::Wait
                    }
                    Err(msg) => Stage::Failed(format!("Power off could not start: {msg}")),
                };
            }
            return match sd.phase {
                p if p.is_open() => {
                    wf.message = Some(format!(
                        "Shutting down; {} forces the VM off when the countdown ends.",
                        provider.label()
                    ));
                    Stage::Wait
                }
                Phase::TimedOut | Phase::NeedsCheck => Stage::NeedsCheck(format!(
                    "Shut down: {} Check the operation now to go on.",
                    op_message(&sd)
                )),
                _ => Stage::Failed(format!("Shut down failed: {}", op_message(&sd))),
            };
        }
        // Vigil forces, at the end of the countdown.
        if sd.accepted_at.is_none() && !sd.is_open() && !wf.force_requested {
            // Refused, or its fate unknown: no countdown ever ran.
            return match sd.phase {
                Phase::TimedOut | Phase::NeedsCheck => Stage::NeedsCheck(format!(
                    "Shut down: {} Check the operation now to go on.",
                    op_message(&sd)
                )),
                _ => Stage::Failed(format!("Shut down failed: {}", op_message(&sd))),
            };
        }
        let end = wf.countdown.map(|(_, e)| e);
        let due = wf.force_requested || end.is_some_and(|e| now >= e);
        if !due {
            if let Some(e) = end {
                self.wf_wake.insert(wf.id.clone(), e);
            }
            wf.message = Some(
                "Shutting down; powering off when the countdown ends if the VM is still running."
                    .into(),
            );
            return Stage::Wait;
        }
        let task_running = matches!(
            sd.phase,
            Phase::Submitted | Phase::Accepted | Phase::InProgress
        );
        if task_running && !provider.forces_over_running_shutdown() {
            wf.message = Some(format!(
                "Powering off as soon as the shutdown's task ends ({} takes one action at a time).",
                provider.label()
            ));
            return Stage::Wait;
        }
        // Only data asked for after the shutdown's task ended (and after a reload) tells.
        let mut since = sd
            .task_ended_at
            .or(sd.accepted_at)
            .unwrap_or(sd.submitted_at);
        if let Some(&r) = self.wf_resumed.get(&wf.id) {
            since = since.max(r);
        }
        match self.fresh_power(wf, since) {
            Some(PowerState::Stopped) => {
                skip_power_off(wf, "Not needed: the VM is off.");
                wf.message = Some("Stopped: the VM is off.".into());
                Stage::Done
            }
            Some(_) => {
                if sd.is_open() {
                    let msg = format!(
                        "The VM had not shut down {} after the shutdown was accepted; the Stop powered it off.",
                        format_duration(grace_ms)
                    );
                    self.finish(&sd.id, Phase::Superseded, Some(msg), now);
                }
                let j = po_at.expect("a Stop forced by Vigil has a power off step");
                match self.submit_step(wf, j, Action::PowerOff, now) {
                    Ok(()) => {
                        wf.message = Some("Powering off…".into());
                        Stage::Wait
                    }
                    Err(msg) => Stage::Failed(format!("Power off could not start: {msg}")),
                }
            }
            None => {
                // The shutdown's own verification reads the VM; otherwise ask for a read.
                if sd.phase != Phase::Verifying {
                    let asked = self.wf_reread.get(&wf.id).copied();
                    if asked.is_none_or(|t| t < since || now - t >= REREAD_AGAIN) {
                        self.wf_reread.insert(wf.id.clone(), now);
                        self.rereads.push((wf.connection.clone(), wf.vm_id.clone()));
                    }
                    self.wf_wake.insert(
                        wf.id.clone(),
                        self.wf_reread.get(&wf.id).copied().unwrap_or(now) + REREAD_AGAIN,
                    );
                }
                wf.message = Some("Looking at the VM before powering it off…".into());
                Stage::Wait
            }
        }
    }

    /// The VM's power, if the data about it was asked for at or after `since`.
    fn fresh_power(&self, wf: &Workflow, since: Millis) -> Option<PowerState> {
        let c = self.conn(&wf.connection)?;
        let at = c.fresh_at.get(&wf.vm_id).copied()?;
        if at < since {
            return None;
        }
        c.vms
            .iter()
            .find(|v| v.id == wf.vm_id)
            .map(|v| v.power.clone())
    }
}
