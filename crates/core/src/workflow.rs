//! Workflows (several operations on one VM, followed as one) and bulk actions (one action on
//! many VMs), as the user sees them. The engine drives them (`engine/workflows.rs`); these are the
//! values it keeps, persists and shares with other tabs.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::ids::{BulkId, ConnId, OpId, VmId, WfId};
use crate::model::{Action, ActionKind, Operation, Phase, Resize};
use crate::time::Millis;
use crate::words::{Note, Refusal, StepLabel, StepNote, WfNote};

/// The grace period the Stop workflow gives a guest to shut down before it is powered off, where
/// a plan does not say (a cold resize).
pub const DEFAULT_STOP_GRACE_S: u32 = 60;

/// The longest grace period a Stop accepts.
pub const MAX_STOP_GRACE_S: u32 = 3600;

/// What a workflow is meant to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Plan {
    /// Graceful shutdown, then power off once `grace_s` seconds have passed since the provider
    /// accepted the shutdown (unless the VM is off by then). Where the provider forces the stop
    /// itself (Erigones), one request carries the grace period and the provider forces at its
    /// end.
    Stop { grace_s: u32 },
    /// For resizes the provider only takes with the VM off (cloudsfor): Stop (with the default
    /// grace period) unless the VM is already off, resize, then start again if `start_after`.
    ColdResize { resize: Resize, start_after: bool },
}

impl Plan {
    /// The grace period of the plan's stop.
    pub fn grace_s(&self) -> u32 {
        match self {
            Plan::Stop { grace_s } => *grace_s,
            Plan::ColdResize { .. } => DEFAULT_STOP_GRACE_S,
        }
    }
}

/// Where one step of a workflow stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepState {
    /// Not started yet (waiting for an earlier step, or for the countdown).
    Pending,
    Running,
    Done,
    Failed,
    /// Its operation's outcome is uncertain (`Needs check` / `Timed out`); "check now" on the
    /// operation lets the workflow go on.
    NeedsCheck,
    /// Not needed (the VM was already off; it shut down before the countdown ended).
    Skipped,
    /// Not run because the workflow ended before it (an earlier step failed, or it was
    /// cancelled).
    NotRun,
}

/// One step: one operation, once it is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub kind: ActionKind,
    /// For the user: `Shut down`, `Power off if still running after 1 min 00 s`.
    pub label: StepLabel,
    /// The operation carrying this step, once created.
    pub op_id: Option<OpId>,
    pub state: StepState,
    /// Why it was skipped, failed or needs a check.
    pub note: Option<StepNote>,
}

impl Step {
    pub(crate) fn new(kind: ActionKind, label: StepLabel) -> Step {
        Step {
            kind,
            label,
            op_id: None,
            state: StepState::Pending,
            note: None,
        }
    }
}

/// Several operations on one VM, followed as one.
///
/// Phases: `InProgress` while it runs, then `Succeeded`, `Failed` (a step failed: its message),
/// `Cancelled` (by the user; operations already sent are followed on their own) or `NeedsCheck`
/// (a step's outcome is uncertain; "check now" on that step's operation resumes the workflow).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub id: WfId,
    pub connection: ConnId,
    pub vm_id: VmId,
    pub vm_name: String,
    pub plan: Plan,
    pub steps: Vec<Step>,
    pub phase: Phase,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    /// `(from, to)`: from the provider's acceptance of the graceful shutdown to the moment the VM
    /// is forced off (by Vigil, or by the provider itself where [`Workflow::provider_forces`]).
    pub countdown: Option<(Millis, Millis)>,
    /// The latest word for the user.
    pub note: Option<WfNote>,
    /// The provider forces the VM off at the end of the countdown by itself (Erigones): the
    /// countdown's end sends nothing.
    #[serde(default)]
    pub provider_forces: bool,
    /// The user asked to force now.
    #[serde(default)]
    pub force_requested: bool,
}

impl Workflow {
    pub fn is_open(&self) -> bool {
        self.phase.is_open()
    }

    /// Seconds left on the countdown at `now` (0 once it ran out); `None` without a running
    /// countdown (not accepted yet, forced, or the workflow is past its stop).
    pub fn countdown_left(&self, now: Millis) -> Option<Millis> {
        let (_, end) = self.countdown?;
        let stopping = self
            .steps
            .iter()
            .any(|s| s.kind == ActionKind::PowerOff && s.state != StepState::Pending);
        (self.is_open() && !self.force_requested && !stopping)
            .then(|| end.saturating_sub(now).max(0))
    }

    /// The step under way (or waiting), if any.
    pub fn current_step(&self) -> Option<&Step> {
        self.steps.iter().find(|s| {
            matches!(
                s.state,
                StepState::Running | StepState::Pending | StepState::NeedsCheck
            )
        })
    }
}

/// What a bulk does on each VM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkWork {
    Action(Action),
    Plan(Plan),
}

/// One VM of a bulk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkItem {
    pub connection: ConnId,
    pub vm_id: VmId,
    /// As known when the bulk started (the id where the VM was not known).
    pub vm_name: String,
    /// The operation started for it (a bulk of an action).
    pub op_id: Option<OpId>,
    /// The workflow started for it (a bulk of a plan).
    pub workflow_id: Option<WfId>,
    /// Why nothing was started for it.
    pub skipped: Option<Refusal>,
}

/// One action (or plan) on many VMs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulk {
    pub id: BulkId,
    pub work: BulkWork,
    pub started_at: Millis,
    pub items: Vec<BulkItem>,
    /// When the last of its VMs ended (one [`WorkflowEvent::BulkFinished`] then).
    #[serde(default)]
    pub finished_at: Option<Millis>,
}

/// What an operation or a workflow last said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Said {
    Op(Note),
    Wf(WfNote),
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Said::Op(n) => write!(f, "{n}"),
            Said::Wf(n) => write!(f, "{n}"),
        }
    }
}

/// How one VM of a bulk stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkOutcome {
    Running,
    Done,
    /// Nothing was started: the reason it was not allowed.
    Skipped {
        reason: Refusal,
    },
    /// Ended otherwise (failed, cancelled, in doubt), with what it last said.
    Ended {
        phase: Phase,
        says: Option<Said>,
    },
    /// Its operation or workflow is no longer known here.
    Lost,
}

impl BulkOutcome {
    /// A stable name for tests and styling: `running`, `done`, `skipped`, `failed`, or `check`
    /// where the outcome is in doubt.
    pub fn id(&self) -> &'static str {
        match self {
            BulkOutcome::Running => "running",
            BulkOutcome::Done => "done",
            BulkOutcome::Skipped { .. } => "skipped",
            BulkOutcome::Ended { phase, .. } if !phase.needs_check() => "failed",
            BulkOutcome::Ended { .. } | BulkOutcome::Lost => "check",
        }
    }
}

/// A bulk's outcome per VM, and the counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkSummary {
    pub items: Vec<(BulkItem, BulkOutcome)>,
    pub running: usize,
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub needs_check: usize,
    pub cancelled: usize,
}

impl BulkSummary {
    /// Nothing of it runs any more.
    pub fn is_finished(&self) -> bool {
        self.running == 0
    }

    /// Every VM done or skipped.
    pub fn is_clean(&self) -> bool {
        self.failed == 0 && self.needs_check == 0 && self.cancelled == 0
    }

    pub(crate) fn add(&mut self, item: BulkItem, outcome: BulkOutcome) {
        match &outcome {
            BulkOutcome::Running => self.running += 1,
            BulkOutcome::Done => self.done += 1,
            BulkOutcome::Skipped { .. } => self.skipped += 1,
            BulkOutcome::Ended { phase, .. } if phase.needs_check() => self.needs_check += 1,
            BulkOutcome::Ended {
                phase: Phase::Cancelled,
                ..
            } => self.cancelled += 1,
            BulkOutcome::Ended { .. } => self.failed += 1,
            BulkOutcome::Lost => self.needs_check += 1,
        }
        self.items.push((item, outcome));
    }
}

/// Everything worth keeping across a reload or sharing with other tabs (no credentials).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedState {
    pub operations: Vec<Operation>,
    #[serde(default)]
    pub workflows: Vec<Workflow>,
    #[serde(default)]
    pub bulks: Vec<Bulk>,
}

impl SavedState {
    /// What is worth keeping of it: the newest `operations`, `workflows` and `bulks`, plus
    /// whatever is still open and whatever a kept workflow or bulk refers to.
    pub fn trimmed(&self, operations: usize, workflows: usize, bulks: usize) -> SavedState {
        fn newest<T: Clone>(v: &[T], n: usize, keep: impl Fn(&T) -> bool) -> Vec<T> {
            let cut = v.len().saturating_sub(n);
            v.iter()
                .enumerate()
                .filter(|(i, x)| *i >= cut || keep(x))
                .map(|(_, x)| x.clone())
                .collect()
        }
        let bulks = newest(&self.bulks, bulks, |_| false);
        let bulk_workflows: HashSet<&WfId> = bulks
            .iter()
            .flat_map(|b| b.items.iter().filter_map(|i| i.workflow_id.as_ref()))
            .collect();
        let workflows = newest(&self.workflows, workflows, |w| {
            w.is_open() || bulk_workflows.contains(&w.id)
        });
        let referred: HashSet<&OpId> = workflows
            .iter()
            .flat_map(|w| w.steps.iter().filter_map(|s| s.op_id.as_ref()))
            .chain(
                bulks
                    .iter()
                    .flat_map(|b| b.items.iter().filter_map(|i| i.op_id.as_ref())),
            )
            .collect();
        let operations = newest(&self.operations, operations, |o| {
            o.is_open() || referred.contains(&o.id)
        });
        SavedState {
            operations,
            workflows,
            bulks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_countdown_at_the_ends_of_time_never_overflows() {
        // fuzz: saved_entry/crash-countdown-overflow (a countdown ending at i64::MIN).
        let mut wf = Workflow {
            id: "w1".into(),
            connection: "c1".into(),
            vm_id: "v1".into(),
            vm_name: "web-01".into(),
            plan: Plan::Stop { grace_s: 60 },
            steps: Vec::new(),
            phase: Phase::InProgress,
            started_at: 0,
            finished_at: None,
            countdown: Some((0, i64::MIN)),
            note: None,
            provider_forces: false,
            force_requested: false,
        };
        assert_eq!(wf.countdown_left(1_767_225_600_000), Some(0));
        wf.countdown = Some((0, i64::MAX));
        assert_eq!(wf.countdown_left(i64::MIN), Some(i64::MAX));
    }
}
