//! What the page says about keeping activity on this device.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::Tone;

/// Something about saved state the user should hear about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StorageNote {
    /// Saved entries that could not be read (damaged) were dropped; the rest was kept.
    Unreadable { entries: usize },
    /// An earlier version's activity could not be read; it is kept under `key`.
    BackedUp { key: String, blobs: usize },
    /// Entries a newer version of Vigil wrote are left as they are.
    Newer { entries: usize },
    /// This device refused to keep activity (`full`: its storage is full); it is kept in this
    /// tab and written again with the next save.
    NotKept { entries: usize, full: bool },
    /// Keeping works again.
    KeptAgain,
    /// Signed out here: credentials forgotten in every tab (`activity`: and the activity).
    SignedOut { activity: bool },
    /// Another tab signed out: this tab forgot its credentials too (and did not save the change
    /// it was making, if any).
    SignedOutElsewhere,
}

impl StorageNote {
    pub fn tone(&self) -> Tone {
        match self {
            StorageNote::NotKept { .. } | StorageNote::Unreadable { .. } => Tone::Error,
            StorageNote::KeptAgain | StorageNote::SignedOut { .. } => Tone::Success,
            StorageNote::SignedOutElsewhere => Tone::Info,
            StorageNote::BackedUp { .. } | StorageNote::Newer { .. } => Tone::Info,
        }
    }
}

impl fmt::Display for StorageNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageNote::Unreadable { entries } => write!(
                f,
                "{} of the saved activity could not be read and {} dropped; the rest was kept.",
                super::count(*entries, "entry", "entries"),
                if *entries == 1 { "was" } else { "were" }
            ),
            StorageNote::BackedUp { key, .. } => write!(
                f,
                "Activity saved by an earlier version of Vigil cannot be read by this one; it is \
                 kept on this device under “{key}”."
            ),
            StorageNote::Newer { entries } => write!(
                f,
                "{} saved by a newer version of Vigil {} left as {}.",
                super::count(*entries, "activity entry", "activity entries"),
                if *entries == 1 { "is" } else { "are" },
                if *entries == 1 { "it is" } else { "they are" }
            ),
            StorageNote::NotKept { full, .. } => write!(
                f,
                "{} Activity is kept in this tab only and will be lost if it is closed or \
                 reloaded; Vigil tries again with every change. Clear finished activity to make \
                 room.",
                if *full {
                    "This browser's storage for Vigil is full."
                } else {
                    "This browser refused to save Vigil's activity."
                }
            ),
            StorageNote::KeptAgain => write!(f, "Activity is saved on this device again."),
            StorageNote::SignedOut { activity } => write!(
                f,
                "Signed out: connections and credentials are forgotten in every tab{}.",
                if *activity {
                    ", and the activity kept on this device is cleared"
                } else {
                    ""
                }
            ),
            StorageNote::SignedOutElsewhere => write!(
                f,
                "Signed out in another tab: this tab forgot its connections and credentials too."
            ),
        }
    }
}
