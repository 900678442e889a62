//! What workflows and their steps say: typed, kept with the workflow, said in English here.

use serde::{Deserialize, Serialize};

use crate::dialect::DialectKind;
use crate::error::ApiError;
use crate::model::{Action, Resize};
use crate::time::{format_duration, Millis, SECOND};
use crate::words::{Note, Refusal};

/// What a step is, for the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepLabel {
    ShutDown,
    /// The provider forces the VM off itself after the grace period (Erigones).
    ShutDownForcedAfter {
        provider: DialectKind,
        grace_s: u32,
    },
    PowerOffIfRunningAfter {
        grace_s: u32,
    },
    PowerOffNow,
    Resize(Resize),
    Start,
    /// A guarded change's snapshot, named so.
    TakeSnapshot {
        name: String,
    },
    /// A guarded change's restore from a backup (`name`: as the user knows it).
    RestoreBackup {
        name: String,
    },
    /// A guarded change's rebuild from `image`.
    Rebuild {
        image: String,
    },
    /// A rollback's restore of the snapshot `name`.
    RestoreSnapshot {
        name: String,
    },
}

impl std::fmt::Display for StepLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let grace = |s: &u32| format_duration(Millis::from(*s) * SECOND);
        match self {
            StepLabel::ShutDown => write!(f, "Shut down"),
            StepLabel::ShutDownForcedAfter { provider, grace_s } => write!(
                f,
                "Shut down ({} forces it off after {})",
                provider.label(),
                grace(grace_s)
            ),
            StepLabel::PowerOffIfRunningAfter { grace_s } => {
                write!(f, "Power off if still running after {}", grace(grace_s))
            }
            StepLabel::PowerOffNow => write!(f, "Power off now"),
            StepLabel::Resize(r) => {
                write!(f, "{}", super::describe_action(&Action::Resize(r.clone())))
            }
            StepLabel::Start => write!(f, "Start"),
            StepLabel::TakeSnapshot { name } => {
                write!(
                    f,
                    "Take snapshot “{}” and wait until it is ready",
                    super::name(name)
                )
            }
            StepLabel::RestoreBackup { name } => {
                write!(f, "Restore backup “{}”", super::name(name))
            }
            StepLabel::Rebuild { image } => write!(
                f,
                "{}",
                super::describe_action(&Action::Rebuild {
                    image: image.clone()
                })
            ),
            StepLabel::RestoreSnapshot { name } => {
                write!(f, "Restore snapshot “{}”", super::name(name))
            }
        }
    }
}

/// Why a step is as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepNote {
    /// Its operation's note.
    Op(Note),
    /// Its operation ended verified on the VM (and said nothing more).
    Verified,
    AlreadyOff,
    NotNeededShutDown,
    NotNeededIsOff,
    NotNeeded,
    Cancelled,
}

impl std::fmt::Display for StepNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepNote::Op(n) => write!(f, "{n}"),
            StepNote::Verified => write!(f, "Verified on the VM."),
            StepNote::AlreadyOff => write!(f, "The VM was already off."),
            StepNote::NotNeededShutDown => write!(f, "Not needed: the VM shut down."),
            StepNote::NotNeededIsOff => write!(f, "Not needed: the VM is off."),
            StepNote::NotNeeded => write!(f, "Not needed."),
            StepNote::Cancelled => write!(f, "Cancelled."),
        }
    }
}

/// How a cancelled workflow leaves things.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CancelHow {
    /// A later step was already sent and is followed on its own.
    StepSentAlone {
        label: StepLabel,
    },
    NothingMore,
    PowerOffSent,
    AskingProviderToCancel {
        provider: DialectKind,
    },
    /// The provider cannot cancel its stop task: it still forces at the countdown's end.
    ProviderStillForces {
        provider: DialectKind,
    },
    /// The graceful shutdown continues; nothing will force the VM off.
    NotForcing,
    WillNotForce,
}

impl std::fmt::Display for CancelHow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CancelHow::StepSentAlone { label } => write!(
                f,
                "Cancelled: “{label}” was already sent and is followed on its own; nothing after it will run."
            ),
            CancelHow::NothingMore => write!(f, "Cancelled: nothing more will run."),
            CancelHow::PowerOffSent => write!(
                f,
                "Cancelled: the power off was already sent and is followed on its own."
            ),
            CancelHow::AskingProviderToCancel { provider } => {
                write!(f, "Asking {} to cancel the stop…", provider.label())
            }
            CancelHow::ProviderStillForces { provider } => write!(
                f,
                "Cancelled here, but {} cannot cancel its stop task now: it still forces the VM off when the countdown ends, unless the guest shuts down first.",
                provider.label()
            ),
            CancelHow::NotForcing => write!(f, "Not forcing; the graceful shutdown continues."),
            CancelHow::WillNotForce => write!(f, "Cancelled: the VM will not be forced off."),
        }
    }
}

/// The latest word on a workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WfNote {
    /// A step is under way: `Shut down…`.
    Step {
        label: StepLabel,
    },
    StepCouldNotStart {
        label: StepLabel,
        why: Refusal,
    },
    StepFailed {
        label: StepLabel,
        note: Option<Note>,
    },
    StepNeedsCheck {
        label: StepLabel,
        note: Option<Note>,
    },
    /// Every step done and verified.
    Done,
    ShuttingDown,
    ShutdownUnknown,
    StoppedShutDown,
    StoppedIsOff,
    StoppedForcedByProvider,
    StoppedPoweredOff {
        grace_s: u32,
    },
    PoweringOff,
    ForcingOff,
    ForcingNow,
    ForcedStopFailed {
        note: Option<Note>,
        provider: DialectKind,
    },
    ProviderForcesAtEnd {
        provider: DialectKind,
    },
    CountingDown,
    WaitingForShutdownTask {
        provider: DialectKind,
    },
    LookingBeforePowerOff,
    Cancelled {
        how: CancelHow,
        later_dropped: bool,
    },
    ProviderRefusedCancel {
        provider: DialectKind,
        why: ApiError,
    },
    ProviderCancelledStop {
        provider: DialectKind,
    },
    ConnectionRemoved,
    ConnectionMissing,
    /// A rollback to the guarded change's snapshot was started: this workflow goes no further.
    RollBackStarted,
}

impl WfNote {
    /// Says a step is still under way (the workflow's own words come at its end).
    pub fn is_progress(&self) -> bool {
        matches!(
            self,
            WfNote::Step { .. }
                | WfNote::ShuttingDown
                | WfNote::PoweringOff
                | WfNote::ForcingOff
                | WfNote::ForcingNow
                | WfNote::ProviderForcesAtEnd { .. }
                | WfNote::CountingDown
                | WfNote::WaitingForShutdownTask { .. }
                | WfNote::LookingBeforePowerOff
        )
    }
}

fn or_phase(note: &Option<Note>) -> String {
    note.as_ref().map(|n| n.to_string()).unwrap_or_default()
}

impl std::fmt::Display for WfNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WfNote::Step { label } => write!(f, "{label}…"),
            WfNote::StepCouldNotStart { label, why } => write!(f, "{label} could not start: {why}"),
            WfNote::StepFailed { label, note } => write!(f, "{label} failed: {}", or_phase(note)),
            WfNote::StepNeedsCheck { label, note } => write!(
                f,
                "{label}: {} Check the operation now to go on.",
                or_phase(note)
            ),
            WfNote::Done => write!(f, "Done, verified on the VM."),
            WfNote::ShuttingDown => write!(f, "Shutting down…"),
            WfNote::ShutdownUnknown => write!(f, "The shutdown's operation is no longer known here."),
            WfNote::StoppedShutDown => write!(f, "Stopped: the VM shut down."),
            WfNote::StoppedIsOff => write!(f, "Stopped: the VM is off."),
            WfNote::StoppedForcedByProvider => write!(f, "Stopped: forced off."),
            WfNote::StoppedPoweredOff { grace_s } => write!(
                f,
                "Stopped: the VM did not shut down within {}, so it was powered off.",
                format_duration(Millis::from(*grace_s) * SECOND)
            ),
            WfNote::PoweringOff => write!(f, "Powering off…"),
            WfNote::ForcingOff => write!(f, "Forcing the VM off…"),
            WfNote::ForcingNow => write!(f, "Forcing the VM off now…"),
            WfNote::ForcedStopFailed { note, provider } => write!(
                f,
                "The forced stop did not go through ({}); {} still forces the VM off when the countdown ends.",
                or_phase(note),
                provider.label()
            ),
            WfNote::ProviderForcesAtEnd { provider } => write!(
                f,
                "Shutting down; {} forces the VM off when the countdown ends.",
                provider.label()
            ),
            WfNote::CountingDown => write!(
                f,
                "Shutting down; powering off when the countdown ends if the VM is still running."
            ),
            WfNote::WaitingForShutdownTask { provider } => write!(
                f,
                "Powering off as soon as the shutdown's task ends ({} takes one action at a time).",
                provider.label()
            ),
            WfNote::LookingBeforePowerOff => write!(f, "Looking at the VM before powering it off…"),
            WfNote::Cancelled { how, later_dropped } => {
                write!(f, "{how}")?;
                if *later_dropped {
                    write!(f, " The steps after the stop will not run.")?;
                }
                Ok(())
            }
            WfNote::ProviderRefusedCancel { provider, why } => write!(
                f,
                "{} refused to cancel the stop ({why}): it still forces the VM off when the countdown ends, unless the guest shuts down first.",
                provider.label()
            ),
            WfNote::ProviderCancelledStop { provider } => write!(
                f,
                "{} cancelled the stop; the VM keeps running.",
                provider.label()
            ),
            WfNote::RollBackStarted => {
                write!(f, "Rolling back to the snapshot taken before the change.")
            }
            WfNote::ConnectionRemoved => write!(f, "The connection was removed while this ran."),
            WfNote::ConnectionMissing => write!(
                f,
                "Its connection is not configured in this tab; add it to follow this workflow."
            ),
        }
    }
}
