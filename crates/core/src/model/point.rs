//! Recovery points of a VM: snapshots and backups, as the provider lists them.
//!
//! Each provider has its own status values (Erigones' integers, ONETSolutions' and
//! ZennoHosting's words, Hostway's `BUILD`/`ACTIVE`); they become one [`PointState`], and a value
//! this version does not know stays raw ([`PointState::Unknown`]) and counts as not finished.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::time::Millis;

/// Which kind of recovery point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PointKind {
    Snapshot,
    Backup,
}

/// Where a snapshot or backup is, as its provider says.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PointState {
    /// Usable: it can be restored from (Erigones `1`, ONET `available`, Zenno `ready`, Hostway
    /// `ACTIVE`; a cloudsfor snapshot as soon as it is listed).
    Ready,
    Creating,
    /// The VM is being restored from it (Erigones `3`, ONET / Zenno `restoring`).
    Restoring,
    Deleting,
    /// Its creation (or another change) failed.
    Failed,
    /// The provider lost it (Erigones `4`).
    Lost,
    /// A value this version does not know, as sent: not finished, never success.
    Unknown(String),
}

impl PointState {
    /// Nothing is under way on it (it may be restored from or deleted).
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            PointState::Ready | PointState::Failed | PointState::Lost
        )
    }

    /// The words shared by ONETSolutions and ZennoHosting (`available` and `ready` both ready,
    /// `error` and `failed` both failed); anything else is kept raw.
    pub fn from_word(raw: &str) -> PointState {
        match raw.trim().to_ascii_lowercase().as_str() {
            "available" | "ready" => PointState::Ready,
            "creating" => PointState::Creating,
            "restoring" => PointState::Restoring,
            "deleting" => PointState::Deleting,
            "error" | "failed" => PointState::Failed,
            _ => PointState::Unknown(raw.to_string()),
        }
    }
}

/// One snapshot or backup of a VM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub kind: PointKind,
    /// The provider's id (Erigones: the name, which is how it is addressed).
    pub id: String,
    pub name: String,
    pub state: PointState,
    /// The provider's own status, as sent (empty where it has none).
    pub status_raw: String,
    /// When it was made: RFC 3339 UTC where the provider's value could be read, else as sent;
    /// `None` where it is not set yet.
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub size_gb: Option<f64>,
    /// Taken by the provider's schedule (`Some(true)`) or on request.
    #[serde(default)]
    pub automatic: Option<bool>,
    /// The provider's note or description.
    #[serde(default)]
    pub note: Option<String>,
    /// The definition (schedule) it was taken by, where the provider names one (Erigones'
    /// `define`: what a backup taken now runs, [`crate::Action::Backup`]'s name there).
    #[serde(default)]
    pub definition: Option<String>,
}

/// The snapshots (or backups) of one VM, as last read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PointList {
    /// From the last read that succeeded.
    pub points: Vec<Point>,
    /// When the request of that read went out (`None`: never read).
    pub read_at: Option<Millis>,
    /// The last read failed so (the points shown are older).
    pub error: Option<ApiError>,
    /// A read is on its way.
    pub reading: bool,
}

impl PointList {
    /// The point with this id; else (a new one, no id yet) the newest with this name not made
    /// before `since` (a point of that name from before is another one) — or, where the
    /// provider names a new one itself after the definition it ran (Erigones' backups), the
    /// newest of that definition made since `since`.
    pub fn find(&self, id: Option<&str>, name: &str, since: Millis) -> Option<&Point> {
        if let Some(id) = id {
            return self.points.iter().find(|p| p.id == id);
        }
        let name = name.trim();
        let made = |p: &Point| {
            let at = p.created.as_deref().and_then(crate::time::parse_rfc3339);
            at.map(|t| t.saturating_add(crate::dialect::FIND_SLACK) >= since)
        };
        let newest = |pick: &dyn Fn(&Point) -> bool| {
            self.points
                .iter()
                .filter(|p| pick(p))
                .max_by_key(|p| p.created.as_deref().and_then(crate::time::parse_rfc3339))
        };
        newest(&|p| p.name == name && made(p) != Some(false))
            .or_else(|| newest(&|p| p.definition.as_deref() == Some(name) && made(p) == Some(true)))
    }
}

/// A provider's time, normalised to RFC 3339 UTC where it can be read: `2026-12-06T17:06:58Z`
/// as is, Hostway's `2026-12-06 17:06:58` (read as UTC); `0000-00-00 00:00:00` and `""` are
/// "not set"; anything else is kept as sent.
pub fn normalize_time(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() || t.starts_with("0000-00-00") {
        return None;
    }
    Some(match crate::time::parse_rfc3339(t) {
        Some(ms) => crate::time::format_rfc3339(ms),
        None => crate::error::cap_text(t, 64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_times_are_normalised_or_unset() {
        assert_eq!(
            normalize_time("2026-12-06 17:06:58").as_deref(),
            Some("2026-12-06T17:06:58Z")
        );
        assert_eq!(
            normalize_time("2026-12-06T17:06:58Z").as_deref(),
            Some("2026-12-06T17:06:58Z")
        );
        assert_eq!(normalize_time("0000-00-00 00:00:00"), None);
        assert_eq!(normalize_time(""), None);
        assert_eq!(normalize_time("yesterday").as_deref(), Some("yesterday"));
    }

    #[test]
    fn unknown_words_stay_raw_and_unsettled() {
        let s = PointState::from_word("frobnicating");
        assert_eq!(s, PointState::Unknown("frobnicating".into()));
        assert!(!s.is_settled());
        assert_eq!(PointState::from_word("available"), PointState::Ready);
        assert_eq!(PointState::from_word("error"), PointState::Failed);
    }
}
