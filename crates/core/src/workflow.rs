//! Workflows (several operations on one VM, followed as one) and bulk actions (one action on
//! many VMs), as the user sees them. The engine drives them (`engine/workflows.rs`); these are the
//! values it keeps, persists and shares with other tabs.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::dialect::{Avail, Caps};
use crate::ids::{BulkId, ConnId, OpId, VmId, WfId};
use crate::model::{Action, ActionKind, Operation, Phase, PointKind, Resize};
use crate::time::Millis;
use crate::words::{GuardRefusal, Note, Refusal, StepLabel, StepNote, WfNote};

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
    /// "Snapshot first": a snapshot named `snapshot_name` is taken and verified ready, then the
    /// change runs (with the VM stopped first, and started again after, where the provider
    /// makes that change only on a stopped VM), then it is verified. When the change fails or
    /// needs a check, [`Workflow::rollback_offer`] offers the snapshot back.
    Guarded {
        change: GuardedChange,
        snapshot_name: String,
    },
    /// Restores the snapshot a guarded change took before it ([`Workflow::rollback_offer`]):
    /// stopped first where the provider restores only stopped VMs (and started again after).
    RollBack {
        /// The guarded workflow whose snapshot this restores.
        guarded: WfId,
        snapshot_id: String,
        snapshot_name: String,
    },
}

impl Plan {
    /// The grace period of the plan's stop.
    pub fn grace_s(&self) -> u32 {
        match self {
            Plan::Stop { grace_s } => *grace_s,
            Plan::ColdResize { .. } | Plan::Guarded { .. } | Plan::RollBack { .. } => {
                DEFAULT_STOP_GRACE_S
            }
        }
    }

    /// The action step `kind` of this plan sends (the plan's own parameters where it has them).
    pub fn step_action(&self, kind: ActionKind) -> Option<Action> {
        match (self, kind) {
            (Plan::ColdResize { resize, .. }, ActionKind::Resize) => {
                Some(Action::Resize(resize.clone()))
            }
            (Plan::Guarded { snapshot_name, .. }, ActionKind::Snapshot) => Some(Action::Snapshot {
                name: snapshot_name.trim().to_string(),
                description: String::new(),
            }),
            (Plan::Guarded { change, .. }, k) if k == change.kind() => Some(change.action()),
            (
                Plan::RollBack {
                    snapshot_id,
                    snapshot_name,
                    ..
                },
                ActionKind::RestoreSnapshot,
            ) => Some(Action::RestoreSnapshot {
                id: snapshot_id.clone(),
                name: snapshot_name.clone(),
            }),
            (_, k) => Action::simple(k),
        }
    }
}

/// The change a guarded workflow ([`Plan::Guarded`]) makes once its snapshot is ready: the
/// fields of the [`Action`] it sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GuardedChange {
    Resize(Resize),
    /// Restores the VM from its backup `backup_id` (`name`: as the user knows it).
    RestoreBackup {
        backup_id: String,
        name: String,
    },
    /// Rebuilds the VM from `image` ([`Action::Rebuild`]).
    Rebuild {
        image: String,
    },
}

impl GuardedChange {
    pub fn kind(&self) -> ActionKind {
        match self {
            GuardedChange::Resize(_) => ActionKind::Resize,
            GuardedChange::RestoreBackup { .. } => ActionKind::RestoreBackup,
            GuardedChange::Rebuild { .. } => ActionKind::Rebuild,
        }
    }

    pub fn action(&self) -> Action {
        match self {
            GuardedChange::Resize(r) => Action::Resize(r.clone()),
            GuardedChange::RestoreBackup { backup_id, name } => Action::RestoreBackup {
                backup_id: backup_id.clone(),
                name: name.clone(),
            },
            GuardedChange::Rebuild { image } => Action::Rebuild {
                image: image.clone(),
            },
        }
    }

    /// The change's short word, in the snapshot's name and the page's element ids: `resize`,
    /// `rebuild`, `restore`.
    pub fn slug(kind: ActionKind) -> &'static str {
        match kind {
            ActionKind::Resize => "resize",
            ActionKind::Rebuild => "rebuild",
            _ => "restore",
        }
    }

    /// The snapshot a guarded change takes, named for the change and the local time of day it
    /// was asked for (`hms`: hours, minutes, seconds, as the page's clock reads them):
    /// `before-resize-140215` — at most 24 characters of `[A-Za-z0-9][A-Za-z0-9._-]*`, which
    /// every provider's snapshot name rule takes.
    pub fn snapshot_name(kind: ActionKind, hms: (u32, u32, u32)) -> String {
        let (h, m, s) = (hms.0 % 24, hms.1 % 60, hms.2 % 60);
        format!("before-{}-{h:02}{m:02}{s:02}", Self::slug(kind))
    }

    /// The change an action makes, where it is one a guarded workflow can make.
    pub fn of(action: &Action) -> Option<GuardedChange> {
        Some(match action {
            Action::Resize(r) => GuardedChange::Resize(r.clone()),
            Action::RestoreBackup { backup_id, name } => GuardedChange::RestoreBackup {
                backup_id: backup_id.clone(),
                name: name.clone(),
            },
            Action::Rebuild { image } => GuardedChange::Rebuild {
                image: image.clone(),
            },
            _ => return None,
        })
    }

    /// The kinds of change "snapshot first" is offered for.
    pub fn guards(kind: ActionKind) -> bool {
        matches!(
            kind,
            ActionKind::Resize | ActionKind::RestoreBackup | ActionKind::Rebuild
        )
    }
}

/// Whether a provider can guard a change of `kind` with a snapshot: the kind is one guarded
/// ([`GuardedChange::guards`]), and the provider takes snapshots and restores them. The page
/// asks [`crate::View::guard_offered`] for a VM now (this, and the snapshot's own rules).
pub fn guard_caps(caps: &Caps, kind: ActionKind) -> Result<(), Refusal> {
    if !GuardedChange::guards(kind) {
        return Err(Refusal::Guard(GuardRefusal::NotGuarded { kind }));
    }
    let provider = caps.kind;
    let snapshots = &caps.points.snapshots;
    if let Avail::Absent(why) = snapshots.create {
        return Err(Refusal::Guard(GuardRefusal::NoSnapshots { provider, why }));
    }
    if let Avail::Absent(why) = snapshots.restore {
        return Err(Refusal::Guard(GuardRefusal::NoSnapshotRestore {
            provider,
            why,
        }));
    }
    Ok(())
}

/// "Roll back to the snapshot taken at 14:02": a guarded change failed (or needs a check)
/// after its snapshot was verified ready. Derived from the snapshot step's operation each time
/// it is asked for ([`Workflow::rollback_offer`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackOffer {
    /// The snapshot's id, as learned on the snapshot step's target.
    pub snapshot_id: String,
    pub snapshot_name: String,
    /// When the snapshot step's operation ended verified (the page says it in the user's time).
    pub taken_at: Millis,
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

    /// A guarded workflow's snapshot step (its first).
    pub fn snapshot_step(&self) -> Option<&Step> {
        match self.plan {
            Plan::Guarded { .. } => self
                .steps
                .first()
                .filter(|s| s.kind == ActionKind::Snapshot),
            _ => None,
        }
    }

    /// A guarded workflow's change step.
    pub fn change_step(&self) -> Option<&Step> {
        match &self.plan {
            Plan::Guarded { change, .. } => self.steps.iter().find(|s| s.kind == change.kind()),
            _ => None,
        }
    }

    /// What a rollback would restore, where one is offered: a guarded workflow whose change
    /// step failed or needs a check, after its snapshot step was done — the snapshot as its
    /// operation (`snapshot_op`, the operation of [`Workflow::snapshot_step`]) learned it, and
    /// the moment that operation ended verified. [`crate::View::rollback_offer`] also withdraws
    /// it once a rollback of it was started.
    pub fn rollback_offer(&self, snapshot_op: Option<&Operation>) -> Option<RollbackOffer> {
        let snap = self
            .snapshot_step()
            .filter(|s| s.state == StepState::Done)?;
        let change = self.change_step()?;
        if !matches!(change.state, StepState::Failed | StepState::NeedsCheck) {
            return None;
        }
        let op = snapshot_op
            .filter(|o| snap.op_id.as_ref() == Some(&o.id) && o.phase == Phase::Succeeded)?;
        let (_, kind, id, name) = op.target.point()?;
        if kind != PointKind::Snapshot {
            return None;
        }
        Some(RollbackOffer {
            snapshot_id: id?.to_string(),
            snapshot_name: name.to_string(),
            taken_at: op.finished_at?,
        })
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
    fn a_guards_snapshot_name_passes_every_providers_rule() {
        for kind in [
            ActionKind::Resize,
            ActionKind::Rebuild,
            ActionKind::RestoreBackup,
        ] {
            for hms in [(0, 0, 0), (14, 2, 15), (23, 59, 59), (99, 99, 99)] {
                let name = GuardedChange::snapshot_name(kind, hms);
                assert!(name.len() <= 24, "{name}");
                assert!(name.starts_with("before-"));
                assert!(name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
                let snap = Action::Snapshot {
                    name: name.clone(),
                    description: String::new(),
                };
                for &d in crate::dialect::DialectKind::ALL {
                    let dialect = crate::dialect::ConnectionConfig {
                        id: "c".into(),
                        name: "c".into(),
                        dialect: d,
                        base_url: "https://example.test/api".into(),
                        credentials: crate::demo::credentials(d),
                        demo: false,
                    }
                    .api();
                    assert_eq!(dialect.validate(&snap), Ok(()), "{d:?}: {name}");
                }
            }
        }
        assert_eq!(
            GuardedChange::snapshot_name(ActionKind::Resize, (14, 2, 15)),
            "before-resize-140215"
        );
    }

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
