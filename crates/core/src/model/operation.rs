//! Operations and their lifecycle.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::ids::{ConnId, OpId, VmId};
use crate::model::{Action, Expect, Proof, Target, TaskEnd};
use crate::time::Millis;
use crate::words::Note;

/// The lifecycle of an operation.
///
/// `Submitted → Accepted → InProgress → Verifying → Succeeded`, or at any point `Failed`;
/// `TimedOut` when it ran past its deadline and `NeedsCheck` when the outcome is uncertain
/// (the provider says done but the resource disagrees, or a request's fate is unknown). The
/// last two stop automatic polling and offer "check now".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Phase {
    Submitted,
    Accepted,
    InProgress,
    Verifying,
    Succeeded,
    Failed,
    TimedOut,
    NeedsCheck,
    /// The provider cancelled or revoked the task.
    Cancelled,
    /// Another operation on the VM overwrote this one's status before we saw its outcome.
    Superseded,
}

impl Phase {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Phase::Submitted | Phase::Accepted | Phase::InProgress | Phase::Verifying
        )
    }

    /// Watching the provider's task (accepted, not yet seen ended).
    pub fn is_observing(self) -> bool {
        matches!(self, Phase::Accepted | Phase::InProgress)
    }

    /// Ended without the resource showing the result: "Retry" may run it again.
    pub fn may_retry(self) -> bool {
        matches!(
            self,
            Phase::Failed | Phase::Cancelled | Phase::TimedOut | Phase::NeedsCheck
        )
    }

    /// Its outcome is uncertain: "Check now" looks again.
    pub fn needs_check(self) -> bool {
        matches!(self, Phase::TimedOut | Phase::NeedsCheck)
    }
}

/// What the provider says of its task, in our terms. Unknown values stay raw and count as
/// not finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// The provider no longer knows the task (Erigones' 404 after it expired): it ended, and the
    /// resource must tell how.
    Expired,
    /// Another command overwrote the status fields this one was read from (ZennoHosting).
    Superseded {
        by: String,
    },
    /// The resource shows nothing under way any more, and nothing reports how the task ended
    /// (Hostway back from `PROCESSING`): it ended, and the resource must tell how.
    Settled,
    /// The resource shows no operation at all (ZennoHosting's `operation: null`): ours has not
    /// begun, or it ended and its traces were cleared. The engine decides from what it saw
    /// before and what the VM shows.
    Idle,
    Unknown(String),
}

impl Default for TaskState {
    fn default() -> Self {
        TaskState::Unknown(String::new())
    }
}

impl TaskState {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskState::Succeeded
                | TaskState::Failed
                | TaskState::Cancelled
                | TaskState::Expired
                | TaskState::Superseded { .. }
                | TaskState::Settled
        )
    }
}

/// The provider's own handle on an accepted operation, enough to find it again after a reload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderRef {
    /// The provider keeps no task for this write (a `204` to a `DELETE`, say): the target itself
    /// tells, and the engine reads it until it shows what was meant.
    Watch,
    /// cloudsfor: the action's `id` is the VM id, so the action is found by `type` + `started_at`.
    CloudsforAction {
        vm_id: String,
        action_type: String,
        started_at: String,
    },
    /// ZennoHosting: no task resource; the VM's own `operation` fields are read and tied to the
    /// command by its operation name and the moment it was accepted. `vm_id` is empty for a
    /// create until the VM is found by `vm_name` in the project's list.
    ZennoCommand {
        project: String,
        vm_id: String,
        command_id: String,
        operation: String,
        accepted_at: Millis,
        #[serde(default)]
        vm_name: String,
    },
    /// Erigones: `task_id`, observed at `/task/{id}/status/`.
    ErigonesTask { hostname: String, task_id: String },
    /// ONETSolutions: a task resource.
    OnetTask {
        instance_id: String,
        task_id: String,
    },
    /// ONETSolutions: the newest task of a type on an instance, where the answer to the write
    /// was the instance, not the task (a create's `create_vps`).
    OnetInstanceTask {
        instance_id: String,
        task_type: String,
    },
    /// Hostway: a server action shows as the server's `PROCESSING` status.
    HostwayServer { server_id: String },
    /// Hostway: a new server, `BUILD` until it is ready (never `PROCESSING`), followed at the
    /// `Location` / `self` link as given (`None`: the answer gave neither).
    HostwayBuild {
        server_id: String,
        #[serde(default)]
        href: Option<String>,
    },
    /// Hostway: a server being deleted (`202`, no task): `DELETED` is its teardown under way
    /// (for any other change a failure), and it ends when the server is not found.
    HostwayDeletion { server_id: String },
    /// Hostway: a snapshot resource, followed at the `Location` / `self` link as given.
    HostwaySnapshot { server_id: String, href: String },
}

/// The kinds of [`ProviderRef`], for what a dialect can observe many of at once
/// ([`crate::dialect::Caps::observe_many`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RefKind {
    Watch,
    CloudsforAction,
    ZennoCommand,
    ErigonesTask,
    OnetTask,
    OnetInstanceTask,
    HostwayServer,
    HostwayBuild,
    HostwayDeletion,
    HostwaySnapshot,
}

impl ProviderRef {
    pub fn kind(&self) -> RefKind {
        match self {
            ProviderRef::Watch => RefKind::Watch,
            ProviderRef::CloudsforAction { .. } => RefKind::CloudsforAction,
            ProviderRef::ZennoCommand { .. } => RefKind::ZennoCommand,
            ProviderRef::ErigonesTask { .. } => RefKind::ErigonesTask,
            ProviderRef::OnetTask { .. } => RefKind::OnetTask,
            ProviderRef::OnetInstanceTask { .. } => RefKind::OnetInstanceTask,
            ProviderRef::HostwayServer { .. } => RefKind::HostwayServer,
            ProviderRef::HostwayBuild { .. } => RefKind::HostwayBuild,
            ProviderRef::HostwayDeletion { .. } => RefKind::HostwayDeletion,
            ProviderRef::HostwaySnapshot { .. } => RefKind::HostwaySnapshot,
        }
    }
}

/// Who started an operation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// This console (this browser's tabs).
    #[default]
    Console,
    /// Elsewhere — the provider's panel or CLI, a colleague — and seen running on a VM; `by`:
    /// who, where the provider says (ONETSolutions' `created_by`). Followed to its verified end
    /// like the console's own; never written to (no cancel, no retry).
    Elsewhere { by: Option<String> },
}

impl Origin {
    pub fn is_elsewhere(&self) -> bool {
        matches!(self, Origin::Elsewhere { .. })
    }
}

/// One tracked operation: what is kept across reloads and shared with other tabs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: OpId,
    pub connection: ConnId,
    pub target: Target,
    pub action: Action,
    pub phase: Phase,
    pub submitted_at: Millis,
    pub accepted_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    /// Which of the action's requests is under way, where it takes several (Erigones' define,
    /// disk, NIC, deploy): 0 for the first.
    #[serde(default)]
    pub stage: u8,
    pub provider_ref: Option<ProviderRef>,
    /// The provider's task status as last seen, verbatim.
    pub provider_status: Option<String>,
    /// The latest word for the user: the provider's message, or why the outcome is uncertain.
    pub note: Option<Note>,
    /// 0–100 where the provider gives a real percentage.
    pub progress: Option<u8>,
    /// `(attempt, of)` while the provider retries the task (ONETSolutions).
    #[serde(default)]
    pub attempt: Option<(u32, u32)>,
    /// When the provider was first seen running the current attempt again (a retry): that
    /// attempt's likely window, and the duration learned from it, run from here.
    #[serde(default)]
    pub attempt_since: Option<Millis>,
    /// When the provider's task was seen finished (successfully, or gone and left to the
    /// resource); from then on only the resource can tell more.
    #[serde(default)]
    pub task_ended_at: Option<Millis>,
    pub expect: Expect,
    /// The last error met while tracking (retried), shown but not final.
    pub last_error: Option<ApiError>,
    /// What proves it happened, decided when it was made (`None`: kept by an older version;
    /// see [`Operation::proof`]).
    #[serde(default)]
    pub proof: Option<Proof>,
    /// How its task's end was seen, once it was.
    #[serde(default)]
    pub ended_by: Option<TaskEnd>,
    /// When the provider was first seen working on it (its task running under our id, the
    /// resource busy with it).
    #[serde(default)]
    pub seen_working_at: Option<Millis>,
    /// Set on the operation as kept (storage, other tabs) when its current write waits to be
    /// sent — made and not sent yet (queued behind the request budget), refused unapplied (a
    /// `429`) and due again, or a later stage not sent yet: whoever resumes it sends it, where
    /// one whose write went out asks to be checked. Never set on one the engine runs.
    #[serde(default)]
    pub queued: bool,
    /// Who started it (kept by older versions: this console).
    #[serde(default)]
    pub origin: Origin,
}

impl Operation {
    pub fn is_open(&self) -> bool {
        self.phase.is_open()
    }

    /// From submission to the end, or to `now` while open.
    pub fn elapsed(&self, now: Millis) -> Millis {
        self.finished_at
            .unwrap_or(now)
            .saturating_sub(self.submitted_at)
    }

    /// The VM it is about, when known.
    pub fn vm_id(&self) -> Option<&VmId> {
        self.target.vm_id()
    }

    /// When it started for the provider: accepted, or submitted until then.
    pub fn since(&self) -> Millis {
        self.accepted_at.unwrap_or(self.submitted_at)
    }

    /// What proves it happened.
    pub fn proof(&self) -> Proof {
        self.proof
            .unwrap_or_else(|| Proof::of_kind(self.action.kind()))
    }
}
