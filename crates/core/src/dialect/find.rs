//! Looking for a write whose answer was lost (a dropped connection, a time-out, a `5xx`, an
//! answer that cannot be read): the provider can tell whether it took it — a new action in the
//! VM's action list, a running `operation`, a new pending task — and the engine then follows it
//! as if it had answered ([`Found::Adopted`]), or says plainly that it was not taken
//! ([`Found::NotTaken`]). Never by sending the write again.

use crate::dialect::Accepted;
use crate::model::{Action, Target, Vm};
use crate::time::{Millis, SECOND};

/// How far before the write went out the provider's own time stamp of a found action may lie
/// and still count as ours: the providers' stamps have whole seconds, and their clocks and ours
/// differ a little. The sheets say nothing of clocks; a previous action of the same kind on the
/// same VM that started this shortly before ours and was over before ours went out (the VM
/// takes one at a time) is the one case this can mistake.
pub const FIND_SLACK: Millis = 5 * SECOND;

/// A write whose answer was lost, as it was sent: what [`crate::dialect::Dialect::find_submit`]
/// looks for.
#[derive(Clone, Copy, Debug)]
pub struct Submit<'a> {
    pub target: &'a Target,
    /// The VM as last seen before the write (none for a create).
    pub vm: Option<&'a Vm>,
    pub action: &'a Action,
    /// Which of the action's requests it was.
    pub stage: u8,
    /// When it went out, on the console's clock.
    pub sent_at: Millis,
}

impl Submit<'_> {
    /// Whether a provider's time stamp (`None`: none given) is at or after the write went out,
    /// within [`FIND_SLACK`].
    pub fn after_sent(&self, stamp: Option<Millis>) -> bool {
        stamp.is_some_and(|t| t.saturating_add(FIND_SLACK) >= self.sent_at)
    }

    /// The name a create gave its new VM.
    pub fn new_name(&self) -> &str {
        match self.action {
            Action::Create(spec) => spec.name.trim(),
            _ => self.target.name().trim(),
        }
    }
}

/// What one look for a lost write found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// The provider took it: it is followed as if the provider had answered so.
    Adopted(Box<Accepted>),
    /// The provider shows no trace of it where it would: it was not taken.
    NotTaken,
    /// Not decided by this answer: look at this cursor next (a next page, a candidate VM).
    Look(String),
    /// This answer cannot tell (the VM changed after the write, but not recognisably by it).
    Unknown,
}

impl Found {
    /// The provider took it, as `acc` says.
    pub fn adopted(acc: Accepted) -> Found {
        Found::Adopted(Box::new(acc))
    }
}
