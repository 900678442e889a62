//! An operation's schedule and what its moves exchange with the engine: its deadline, when it
//! is looked at next, the flight it waits for, and the values a move takes and gives.

use crate::ids::{Token, VmId};
use crate::model::{ActionKind, Evidence, Operation, Phase, Vm};
use crate::time::{Millis, MINUTE, SECOND};

/// Past this, an operation still running becomes `TimedOut` ("check now").
pub fn deadline_for(kind: ActionKind) -> Millis {
    match kind {
        ActionKind::Rename => 2 * MINUTE,
        // A task in the guest (`change_hostname`), queued behind the provider's others.
        ActionKind::SetHostname => 5 * MINUTE,
        ActionKind::PowerOff => 3 * MINUTE,
        ActionKind::Start | ActionKind::PasswordReset | ActionKind::StartFromIso => 5 * MINUTE,
        ActionKind::Freeze => 6 * MINUTE,
        ActionKind::Unfreeze | ActionKind::RefreshFromNode => 3 * MINUTE,
        ActionKind::Reboot | ActionKind::PowerCycle | ActionKind::Shutdown => 6 * MINUTE,
        ActionKind::Delete => 10 * MINUTE,
        ActionKind::Resize => 20 * MINUTE,
        ActionKind::Create | ActionKind::Rebuild => 30 * MINUTE,
        ActionKind::AutoBackups => 5 * MINUTE,
        ActionKind::DeleteSnapshot | ActionKind::DeleteBackup => 20 * MINUTE,
        ActionKind::Snapshot | ActionKind::Backup | ActionKind::SnapshotToImage => 40 * MINUTE,
        ActionKind::RestoreSnapshot | ActionKind::RestoreBackup => 40 * MINUTE,
        // Anything the provider runs: as long as the longest of ours.
        ActionKind::Elsewhere => 40 * MINUTE,
        ActionKind::CreateNetwork | ActionKind::DeleteNetwork => 10 * MINUTE,
        ActionKind::AttachNetwork | ActionKind::DetachNetwork | ActionKind::SetVpc => 10 * MINUTE,
        ActionKind::AllocateIp | ActionKind::ReleaseIp => 10 * MINUTE,
        ActionKind::CreateForward | ActionKind::UpdateForward | ActionKind::DeleteForward => {
            10 * MINUTE
        }
        ActionKind::AssignIp
        | ActionKind::RemoveIp
        | ActionKind::SetReverseDns
        | ActionKind::ApplyFirewall
        | ActionKind::SyncState => 10 * MINUTE,
        // A session expires within minutes: one that takes longer is of no use.
        ActionKind::OpenConsole => 3 * MINUTE,
        ActionKind::CreateVolume
        | ActionKind::AttachVolume
        | ActionKind::DetachVolume
        | ActionKind::ResizeVolume
        | ActionKind::DeleteVolume => 10 * MINUTE,
    }
}

/// Why a deadline is set: the one rule for all of them.
pub(crate) enum DeadlineFrom {
    /// The action's own deadline, counted from `start` (acceptance; submission until then),
    /// but never sooner than `floor`.
    Action { start: Millis, floor: Millis },
    /// "Check now": a short look of its own.
    Check { now: Millis, grace: Millis },
}

/// The deadline of an operation.
pub(crate) fn deadline(op: &Operation, from: DeadlineFrom) -> Millis {
    match from {
        DeadlineFrom::Action { start, floor } => {
            // A shutdown the provider forces at the end of a grace period may take that long
            // before anything happens.
            let extra = match op.action {
                crate::model::Action::ShutdownWithin { timeout_s } => {
                    Millis::from(timeout_s) * SECOND
                }
                _ => 0,
            };
            start
                .saturating_add(deadline_for(op.action.kind()))
                .saturating_add(extra)
                .max(floor)
        }
        DeadlineFrom::Check { now, grace } => now.saturating_add(grace.max(30 * SECOND)),
    }
}

/// An operation's schedule and flight (not kept across reloads).
#[derive(Clone, Debug, Default)]
pub(crate) struct Sched {
    /// When to send its next request.
    pub due: Option<Millis>,
    /// The request it waits for the answer of.
    pub flight: Option<Token>,
    /// Only data about the target asked for at or after this can verify it.
    pub verify_since: Option<Millis>,
    /// Failed reads in a row (backoff).
    pub errors: u32,
    pub deadline: Millis,
    /// Look at this one on its own next time (an observe-many answer did not list it).
    pub solo: bool,
    /// When the request went out whose answer first showed the task ended (an observe-many
    /// answer that lists every pending task no longer held it).
    pub ended_seen: Option<Millis>,
    /// A list of the VMs in the power state it waits for was read for it already.
    pub power_listed: bool,
    /// Looks and reads it has cost so far.
    pub polls: u32,
    /// When the latest look went out that saw the task not ended yet: it ended after that.
    pub seen_running: Option<Millis>,
    /// The user asked to cancel: the request goes out in the next round.
    pub cancel_requested: bool,
    /// When the current stage's write went out (kept when the operation ends, for "check now").
    pub sent_at: Option<Millis>,
    /// Its write's fate is unknown, and it is being looked for at the provider.
    pub finding: Option<crate::engine::unsure::Finding>,
}

impl Sched {
    pub fn waiting(&self) -> bool {
        self.flight.is_some()
    }
}

/// What a move needs from the rest of the engine.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Read this VM again on its own (show it as it really is now).
    pub reread: Option<VmId>,
    /// The provider's task ran this long: learn it as the action's duration.
    pub learned: Option<Millis>,
    /// VM data the move read: merge it (as read when the answered request went out).
    pub vm: Option<Vm>,
    /// Verify the waiting operations of this connection against what is now known.
    pub verify: bool,
    /// The operation ended in this phase.
    pub finished: Option<Phase>,
    /// What the provider showed once (a generated password): for the user now, kept nowhere.
    pub secret: Option<crate::dialect::Secret>,
}

/// When a look at a running task is due again, and what the action's timing says.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Look {
    /// How many requests the action takes.
    pub stages: u8,
    /// When the policy looks again if it still runs.
    pub next: Millis,
    /// The provider forces such an action after this long (a run that long is not learned as
    /// its duration).
    pub forced_after: Option<Millis>,
    /// By then the action has very likely ended (its likely window's end, from acceptance).
    pub likely_by: Millis,
}

/// What a verification goes by besides the target as known.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Verify {
    /// How long the target may lag behind the task's end before the console says so.
    pub grace: Millis,
    /// Between re-reads meanwhile.
    pub every: Millis,
    /// By then the action has very likely ended.
    pub likely_by: Millis,
    /// What else is known that may prove it happened.
    pub evidence: Evidence,
}

/// What a move knows about the answer it handles.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Answer {
    pub now: Millis,
    /// When the answered request went out.
    pub sent: Millis,
}
