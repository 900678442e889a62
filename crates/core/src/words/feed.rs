//! Words for what the provider shows of its own: an operation started elsewhere on a VM's
//! row, and the Activity panel's "From the provider" source (the provider's history).

use crate::dialect::{ActivityEntry, ActivityStatus};

/// A fixed label of the Activity panel's sources and the provider's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeedLabel {
    /// The source switch, named for assistive technology.
    Sources,
    /// This console's own operations and workflows.
    Ours,
    /// The provider's history.
    FromProvider,
    /// Reads the next (older) page.
    ShowOlder,
    /// Reads the newest page again.
    ReadAgain,
    Reading,
    /// The provider lists nothing.
    Empty,
    /// No connection is set up.
    NoConnections,
    When,
    Vm,
    Status,
    StartedBy,
    Task,
    /// What the history is: the provider's own record, whoever started each.
    Explain,
    /// A history entry whose author the provider does not name.
    ByUnknown,
    /// A marker beside an operation's title: it was not started here.
    ElsewhereTag,
}

impl FeedLabel {
    pub fn text(self) -> &'static str {
        use FeedLabel as L;
        match self {
            L::Sources => "Activity source",
            L::Ours => "Vigil's operations",
            L::FromProvider => "From the provider",
            L::ShowOlder => "Show older",
            L::ReadAgain => "Read again",
            L::Reading => "Reading the provider's history…",
            L::Empty => "The provider lists no operations.",
            L::NoConnections => "No connection is set up.",
            L::When => "When",
            L::Vm => "VM",
            L::Status => "Status",
            L::StartedBy => "Started by",
            L::Task => "Task",
            L::Explain => {
                "The provider's own record of operations on these connections, whoever \
                 started them — its panel, its CLI, a colleague or Vigil. Newest first."
            }
            L::ByUnknown => "not said by the provider",
            L::ElsewhereTag => "started elsewhere",
        }
    }
}

/// What a VM row says while an operation started elsewhere runs on it: `“reboot_vps” under
/// way…`; `busy (started elsewhere)…` until the provider says what it is.
pub fn elsewhere_progressive(raw: &str) -> String {
    let raw = raw.trim();
    if raw.is_empty() {
        super::progressive(crate::model::ActionKind::Elsewhere).to_string()
    } else {
        format!("“{}” under way…", super::name(raw))
    }
}

/// A history entry's status: ours where it maps (`done`, `failed`…), the provider's raw word
/// beside it; an unknown word shown raw and never as finished.
pub fn feed_status(status: &ActivityStatus, raw: &str) -> String {
    let ours = match status {
        ActivityStatus::Running => "running",
        ActivityStatus::Succeeded => "done",
        ActivityStatus::Failed => "failed",
        ActivityStatus::Cancelled => "cancelled",
        ActivityStatus::Unknown => return format!("“{}” (not known to Vigil)", super::name(raw)),
    };
    let raw = raw.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case(ours) {
        ours.to_string()
    } else {
        format!("{ours} (“{}”)", super::name(raw))
    }
}

/// What an entry is about, as one line: `reboot_vps · web-01`.
pub fn feed_title(e: &ActivityEntry) -> String {
    let what = if e.kind.trim().is_empty() {
        super::NOTHING.to_string()
    } else {
        super::name(e.kind.trim())
    };
    match e
        .vm_name
        .as_deref()
        .or(e.vm_id.as_ref().map(|v| v.as_str()))
    {
        Some(vm) if !vm.trim().is_empty() => format!("{what} · {}", super::name(vm.trim())),
        _ => what,
    }
}

/// Who started an entry, where the provider says.
pub fn feed_by(e: &ActivityEntry) -> String {
    match e.by.as_deref().map(str::trim) {
        Some(who) if !who.is_empty() => super::name(who),
        _ => FeedLabel::ByUnknown.text().to_string(),
    }
}

/// The history's read failed: `Could not read cloudsfor's history: …` (what was read before
/// stays shown).
pub fn feed_failed(provider: &str, err: &crate::error::ApiError) -> String {
    format!("Could not read {}'s history: {err}", super::name(provider))
}

/// The history is kept to its newest `n` entries.
pub fn feed_kept(n: usize) -> String {
    format!("Showing the newest {n} entries.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_status_is_shown_raw_and_never_as_done() {
        let s = feed_status(&ActivityStatus::Unknown, "HALF_DONE");
        assert!(s.contains("HALF_DONE"));
        assert!(!s.starts_with("done"));
        assert_eq!(
            feed_status(&ActivityStatus::Succeeded, "SUCCESS"),
            "done (“SUCCESS”)"
        );
        assert_eq!(feed_status(&ActivityStatus::Failed, "failed"), "failed");
    }

    #[test]
    fn a_row_names_what_the_provider_calls_it() {
        assert_eq!(
            elsewhere_progressive("reboot_vps"),
            "“reboot_vps” under way…"
        );
        assert_eq!(elsewhere_progressive(" "), "busy (started elsewhere)…");
    }
}
