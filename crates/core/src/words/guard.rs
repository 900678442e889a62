//! Words about guarded changes ("snapshot first") and their rollback.

use std::fmt::{self, Display, Formatter};

use serde::{Deserialize, Serialize};

use crate::dialect::{Absent, DialectKind};
use crate::model::ActionKind;
use crate::words::Refusal;

/// Why "snapshot first" is not offered, or a rollback cannot start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GuardRefusal {
    /// The provider takes no snapshots (ZennoHosting): `why` as its caps say.
    NoSnapshots { provider: DialectKind, why: Absent },
    /// The provider takes snapshots but cannot restore one, so nothing could be rolled back.
    NoSnapshotRestore { provider: DialectKind, why: Absent },
    /// Only a resize, a restore from a backup and a rebuild are guarded.
    NotGuarded { kind: ActionKind },
    /// The snapshot the guard takes would be refused now, so (`why`).
    SnapshotRefused { why: Box<Refusal> },
    /// The workflow offers no rollback (not a guarded change, its snapshot is not verified, its
    /// change did not fail, or a rollback of it was started).
    NoRollbackOffered,
}

impl Display for GuardRefusal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GuardRefusal::NoSnapshots { provider, why } => write!(
                f,
                "{} takes no snapshots, so a snapshot cannot be taken first. {why}",
                provider.label()
            ),
            GuardRefusal::NoSnapshotRestore { provider, why } => write!(
                f,
                "{} cannot restore a snapshot, so a snapshot taken first could not be rolled back to. {why}",
                provider.label()
            ),
            GuardRefusal::NotGuarded { kind } => write!(
                f,
                "“Snapshot first” is offered for a resize, a restore from a backup and a rebuild, not for “{}”.",
                super::action_label(*kind)
            ),
            GuardRefusal::SnapshotRefused { why } => {
                write!(f, "A snapshot cannot be taken first: {why}")
            }
            GuardRefusal::NoRollbackOffered => {
                write!(f, "There is no snapshot to roll back to for this change.")
            }
        }
    }
}

/// The opt-in checkbox of a resize, a restore from a backup and a rebuild.
pub fn snapshot_first_label() -> &'static str {
    "Snapshot first"
}

/// What "snapshot first" does, beside its checkbox.
pub fn snapshot_first_hint() -> &'static str {
    "A snapshot is taken and checked ready before the change; if the change fails or cannot be confirmed, you can roll back to it."
}

/// The rollback a failed guarded change offers; `at`: when its snapshot was taken, in the
/// user's locale ("14:02").
pub fn roll_back_to(at: &str) -> String {
    format!("Roll back to the snapshot taken at {at}")
}

/// The region of a VM page's tab that follows what its form started.
pub fn followed_label() -> &'static str {
    "Progress"
}
