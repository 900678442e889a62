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
            Absent::ScreenshotOnly => {
                "The provider's API gives only a screenshot of the console, not a console to open."
            }
            Absent::InVmDefinition => {
                "Disks are part of the VM's own definition here: an administrator changes them with the VM stopped."
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

/// A provider's rule on snapshots or backups the page shows beside a form before anything is
/// sent (the engine's check refuses the same when the user submits anyway).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointLimit {
    /// A paid add-on must be active on the VM (ONETSolutions), else the provider refuses.
    NeedsAddon { kind: PointKind },
    /// The provider's demo accounts refuse snapshots (cloudsfor).
    DemoAccountsRefuse,
    /// Names: letters, digits, dots, underscores and hyphens, at most `max` (Erigones).
    Names { max: usize },
    /// Only an administrator may take (or restore) one (Erigones' backups).
    AdminOnly { action: crate::model::ActionKind },
    /// A restore needs the VM stopped.
    RestoreNeedsStopped { kind: PointKind },
}

impl PointLimit {
    /// The rules of `provider` about `kind` that are said before a form is sent (Hostway's
    /// snapshot count, unique names and extra volumes are [`super::Hint::SnapshotRules`]).
    pub fn of(caps: &crate::dialect::Caps, kind: PointKind) -> Vec<PointLimit> {
        use crate::dialect::Avail;
        use crate::model::ActionKind as K;
        let ops = caps.points.of(kind);
        let mut out = Vec::new();
        if ops.needs_addon {
            out.push(PointLimit::NeedsAddon { kind });
        }
        if kind == PointKind::Snapshot && caps.snapshots.demo_accounts_refuse {
            out.push(PointLimit::DemoAccountsRefuse);
        }
        if let Some(rule) = caps.points.name.filter(|_| ops.create.offered()) {
            out.push(PointLimit::Names { max: rule.max });
        }
        let (create, restore) = match kind {
            PointKind::Snapshot => (K::Snapshot, K::RestoreSnapshot),
            PointKind::Backup => (K::Backup, K::RestoreBackup),
        };
        for (action, avail) in [(create, ops.create), (restore, ops.restore)] {
            if avail == Avail::AdminOnly {
                out.push(PointLimit::AdminOnly { action });
            }
        }
        if ops.restore_needs_stopped && ops.restore.offered() {
            out.push(PointLimit::RestoreNeedsStopped { kind });
        }
        out
    }
}

impl Display for PointLimit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PointLimit::NeedsAddon { kind } => write!(
                f,
                "{} are a paid add-on with this provider: without it active on the VM, the provider refuses.",
                point_word(*kind).to_string() + "s"
            ),
            PointLimit::DemoAccountsRefuse => {
                write!(f, "The provider's demo accounts cannot take snapshots.")
            }
            PointLimit::Names { max } => write!(
                f,
                "Names: 1 to {max} letters, digits, dots, underscores and hyphens, beginning with a letter or digit."
            ),
            PointLimit::AdminOnly { action } => write!(
                f,
                "{}: only an administrator may do this with this provider.",
                super::action_label(*action)
            ),
            PointLimit::RestoreNeedsStopped { kind } => write!(
                f,
                "A VM is restored from a {} only while it is stopped.",
                point_word(*kind).to_lowercase()
            ),
        }
    }
}

/// What the Snapshots and Backups tabs say besides the provider's own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointLabel {
    Name,
    State,
    Created,
    Size,
    Actions,
    Restore,
    Delete,
    MakeImage,
    ImageName,
    BackupName,
    BackupDefinition,
    /// The list is being read.
    Reading,
    /// None yet.
    NoneYet(PointKind),
    /// The list's caption.
    ListOf(PointKind),
    /// The operations running on this tab's kind.
    Running,
    AutoOn,
    AutoOff,
    TurnOn,
    TurnOff,
    /// Taken on the provider's schedule.
    Automatic,
    /// Read again now.
    ReadAgain,
    /// The last read failed, so the list may be older.
    ReadFailed,
}

impl PointLabel {
    pub fn text(self) -> String {
        match self {
            PointLabel::Name => "Name".into(),
            PointLabel::State => "State".into(),
            PointLabel::Created => "Created".into(),
            PointLabel::Size => "Size".into(),
            PointLabel::Actions => "Actions".into(),
            PointLabel::Restore => "Restore".into(),
            PointLabel::Delete => "Delete".into(),
            PointLabel::MakeImage => "Make image".into(),
            PointLabel::ImageName => "Image name".into(),
            PointLabel::BackupName => "Backup name".into(),
            PointLabel::BackupDefinition => "Backup definition".into(),
            PointLabel::Reading => "Reading the list…".into(),
            PointLabel::NoneYet(k) => format!("No {} yet.", plural(k)),
            PointLabel::ListOf(k) => format!("{} of this VM", point_word(k).to_string() + "s"),
            PointLabel::Running => "Operations here".into(),
            PointLabel::AutoOn => "Automatic backups are on.".into(),
            PointLabel::AutoOff => "Automatic backups are off.".into(),
            PointLabel::TurnOn => "Turn automatic backups on".into(),
            PointLabel::TurnOff => "Turn automatic backups off".into(),
            PointLabel::Automatic => "automatic".into(),
            PointLabel::ReadAgain => "Read again".into(),
            PointLabel::ReadFailed => "The list could not be read; it may be out of date:".into(),
        }
    }
}

/// `12.5 GB`.
pub fn point_size(gb: f64) -> String {
    if gb.fract() == 0.0 {
        format!("{gb:.0} GB")
    } else {
        format!("{gb:.1} GB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DialectKind as D;
    use crate::model::ActionKind as K;

    #[test]
    fn each_providers_limits_are_said_before_a_form_is_sent() {
        let of = |d: D, k| PointLimit::of(d.caps(), k);
        assert_eq!(
            of(D::OnetSolutions, PointKind::Backup),
            vec![
                PointLimit::NeedsAddon {
                    kind: PointKind::Backup
                },
                PointLimit::RestoreNeedsStopped {
                    kind: PointKind::Backup
                },
            ]
        );
        assert_eq!(
            of(D::Cloudsfor, PointKind::Snapshot),
            vec![PointLimit::DemoAccountsRefuse]
        );
        assert_eq!(of(D::Cloudsfor, PointKind::Backup), vec![]);
        assert_eq!(
            of(D::Erigones, PointKind::Backup),
            vec![
                PointLimit::Names { max: 24 },
                PointLimit::AdminOnly { action: K::Backup },
                PointLimit::AdminOnly {
                    action: K::RestoreBackup
                },
                PointLimit::RestoreNeedsStopped {
                    kind: PointKind::Backup
                },
            ]
        );
        // Hostway's are the snapshot form's own hint (count, unique names, extra volumes).
        assert_eq!(of(D::Hostway, PointKind::Snapshot), vec![]);
        assert_eq!(of(D::ZennoHosting, PointKind::Backup), vec![]);
    }
}
