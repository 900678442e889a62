//! The provider's own activity: operations seen running on VMs (whoever started them), and the
//! provider's history feed, read per dialect into typed entries.

use serde::{Deserialize, Serialize};

use crate::ids::VmId;
use crate::model::{ProviderRef, TaskState};

/// The history keeps at most this many entries per connection (newest first).
pub const ACTIVITY_MAX: usize = 100;

/// An operation an answer shows running on a VM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Running {
    pub vm: VmId,
    /// The VM's name as the answer gives it (empty where it gives none).
    pub vm_name: String,
    /// What the provider calls it, empty where the answer does not say (a locked cloudsfor VM).
    pub kind: String,
    /// Who started it, where the answer says.
    pub by: Option<String>,
    /// How to follow it: the provider's task where the answer names it (Erigones' task id,
    /// ONETSolutions' task), else a handle the first look pins down (cloudsfor's newest
    /// action of the VM, ONETSolutions' newest task of the instance).
    pub task: ProviderRef,
}

/// The status of a history entry, in our terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityStatus {
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// A value this version does not know: shown raw, never taken as finished.
    Unknown,
}

impl ActivityStatus {
    /// From a task state read by the dialect's own rules.
    pub fn of(state: &TaskState) -> ActivityStatus {
        match state {
            TaskState::Pending | TaskState::Running => ActivityStatus::Running,
            TaskState::Succeeded => ActivityStatus::Succeeded,
            TaskState::Failed => ActivityStatus::Failed,
            TaskState::Cancelled => ActivityStatus::Cancelled,
            _ => ActivityStatus::Unknown,
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            ActivityStatus::Succeeded | ActivityStatus::Failed | ActivityStatus::Cancelled
        )
    }
}

/// One entry of the provider's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// When, as the provider gives it (ms since the epoch where it could be read).
    pub at: Option<crate::time::Millis>,
    pub at_raw: String,
    /// What the provider calls it (`reboot`, `reboot_vps`, `Reboot server`…), as given.
    pub kind: String,
    /// The VM it is about: its id and name where the entry gives them.
    pub vm_id: Option<VmId>,
    pub vm_name: Option<String>,
    /// The provider's status, as given, and in our terms.
    pub status_raw: String,
    pub status: ActivityStatus,
    /// Who started it, where the provider says (ONETSolutions' `created_by`, Erigones'
    /// `username`).
    pub by: Option<String>,
    /// The provider's task id, where it has one.
    pub task: Option<String>,
}

/// One page of the history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    /// The provider has more (older) entries.
    pub more: bool,
}
