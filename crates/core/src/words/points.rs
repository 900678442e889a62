//! Words about snapshots and backups: why one cannot be taken, restored or deleted now, why a
//! provider offers none, and their states.

use std::fmt::{self, Display, Formatter};

use serde::{Deserialize, Serialize};

use crate::dialect::Absent;
use crate::model::{PointKind, PointState};

/// Why a snapshot or backup action cannot be sent, checked before sending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointRefusal {
    /// No snapshot or backup was chosen from the list.
    ChoosePoint,
    /// The provider keeps at most `max` per VM (Hostway: 3), and the VM has them.
    TooMany { kind: PointKind, max: usize },
    /// A name must be unique on the VM (Hostway), and this one is taken.
    NameUsed { name: String },
    /// The provider's names: `[A-Za-z0-9][A-Za-z0-9._-]*`, at most `max` characters (Erigones).
    BadName { max: usize },
    /// The provider's demo accounts refuse snapshots (cloudsfor).
    DemoAccount,
    /// The VM's snapshots (or backups) have not been read yet: limits cannot be checked.
    ListNotRead { kind: PointKind },
}

impl Display for PointRefusal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PointRefusal::ChoosePoint => write!(f, "Choose one from the list."),
            PointRefusal::TooMany { kind, max } => write!(
                f,
                "The provider keeps at most {max} {} per VM: delete one first.",
                plural(*kind)
            ),
            PointRefusal::NameUsed { name } => write!(
                f,
                "This VM already has one named “{name}”; choose another name."
            ),
            PointRefusal::BadName { max } => write!(
                f,
                "Names are 1 to {max} letters, digits, dots, underscores and hyphens, beginning with a letter or digit."
            ),
            PointRefusal::DemoAccount => write!(
                f,
                "The provider's demo accounts cannot take snapshots."
            ),
            PointRefusal::ListNotRead { kind } => write!(
                f,
                "The VM's {} are being read; try again in a moment.",
                plural(*kind)
            ),
        }
    }
}

impl Display for Absent {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Absent::NotPublished => "The provider publishes no way to do this.",
            Absent::AutomaticOnly => "The provider takes these on its own schedule only.",
            Absent::AtCreateOnly => "Chosen when the VM is created, and only then.",
            Absent::NeedsAdmin => "Only an administrator may do this.",
            Absent::NeedsBackupDefinition => {
                "An administrator must first set up a backup definition for this VM."
            }
            Absent::NeedsAddon => {
                "Runs on the provider's schedule while the paid add-on is active; there is no switch."
            }
            Absent::NotYetSupported => {
                "The provider has this, but this version of Vigil cannot do it with this provider yet."
            }
        })
    }
}

/// `snapshots`, `backups`.
pub fn plural(kind: PointKind) -> &'static str {
    match kind {
        PointKind::Snapshot => "snapshots",
        PointKind::Backup => "backups",
    }
}

/// `Snapshot`, `Backup`.
pub fn point_word(kind: PointKind) -> &'static str {
    match kind {
        PointKind::Snapshot => "Snapshot",
        PointKind::Backup => "Backup",
    }
}

/// A point's state in words; an unknown value as the provider sent it.
pub fn point_state(state: &PointState) -> String {
    match state {
        PointState::Ready => "ready".into(),
        PointState::Creating => "being created".into(),
        PointState::Restoring => "restoring".into(),
        PointState::Deleting => "being deleted".into(),
        PointState::Failed => "failed".into(),
        PointState::Lost => "lost".into(),
        PointState::Unknown(raw) => super::name(raw),
    }
}
