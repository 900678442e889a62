//! What an operation says to the user about where it stands: typed, kept with the operation,
//! said in English here.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::model::{Mismatch, TaskEnd};
use crate::time::{format_duration, Millis};

/// The latest word on an operation. Kept across reloads; rendered by [`std::fmt::Display`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Note {
    /// The provider's own words about its task, verbatim.
    Provider(String),
    /// cloudsfor: the action is not in the VM's action list (yet).
    ActionNotListedYet,
    /// The provider no longer keeps the task: the resource tells the outcome.
    TaskExpired,
    /// The provider says done; the resource does not show it yet.
    Waiting(Mismatch),
    /// The provider said done, but the resource still disagreed after the grace period.
    Disagrees(Mismatch),
    /// The resource was seen changing (the provider's status fields moved) and then showed the
    /// state it started from for longer than the action usually takes.
    BackWhereItStarted(Mismatch),
    /// The task ended without the provider reporting how (`end`): waiting for the VM to show
    /// what was meant (`why`: what it shows instead), or, where it shows that already and always
    /// did (`None`), for evidence that the action ran.
    Settling {
        end: TaskEnd,
        why: Option<Mismatch>,
    },
    /// The task ended without the provider reporting how (`end`), and the VM still did not show
    /// what was meant after the grace period.
    Unverified {
        end: TaskEnd,
        why: Mismatch,
    },
    /// The task ended without the provider reporting how (`end`), and the VM looks as it did
    /// before the action: nothing shows whether it ran.
    NoEvidence {
        end: TaskEnd,
    },
    /// The provider reports the task failed (or was cancelled), in its status and words.
    Reported {
        cancelled: bool,
        status: String,
        text: Option<String>,
    },
    /// Another operation overwrote this one's status on the VM before its outcome was seen.
    Superseded {
        by: String,
    },
    /// No verified outcome before the deadline.
    TimedOut {
        after: Millis,
        last: Option<String>,
    },
    /// The submit got no answer (`detail`: what the network said): it may have been applied.
    MaybeSent {
        detail: String,
    },
    /// The submit got no answer within its time limit: it may have been applied.
    SubmitTimedOut {
        after: Millis,
    },
    /// The provider answered the submit with an internal error: it may have been applied.
    ServerErrorOnSubmit(ApiError),
    /// The provider accepted (2xx) but its answer could not be read.
    AcceptedUnreadable(ApiError),
    /// The submit's answer was lost (a dropped connection, no answer in time, an internal
    /// error), and the provider shows no trace of it where it would: it was not taken.
    NotTaken,
    /// The provider refused the request, or a read failed for good.
    Refused(ApiError),
    /// The provider refused to cancel.
    CancelRefused(ApiError),
    ConnectionRemoved,
    ConnectionMissing,
    /// The page closed before the provider answered the submit.
    ClosedBeforeAnswer,
    /// The Stop powered the VM off after its grace period; the graceful shutdown did not work.
    ForcedOffByStop {
        grace: Millis,
    },
    /// A new resource's id could not be learned (not in the answer, not found by name).
    NotFoundByName {
        name: String,
    },
}

impl Note {
    /// Says where a running operation stands, not how one ended: an ended operation drops it.
    pub fn is_progress(&self) -> bool {
        matches!(
            self,
            Note::ActionNotListedYet | Note::TaskExpired | Note::Waiting(_) | Note::Settling { .. }
        )
    }
}

/// How a task's end was seen, as the start of a sentence.
fn end_words(end: TaskEnd) -> &'static str {
    match end {
        TaskEnd::Reported => "The provider says the action completed",
        TaskEnd::Gone => "The provider no longer knows this task",
        TaskEnd::Settled { seen_working: true } => {
            "The provider was seen working on it and now shows nothing under way on the VM"
        }
        TaskEnd::Settled {
            seen_working: false,
        } => "The provider shows nothing under way on the VM",
        TaskEnd::Unseen => "Vigil did not see the provider's task end",
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Provider(t) => write!(f, "{t}"),
            Note::ActionNotListedYet => {
                write!(f, "The provider does not list this action on the VM (yet).")
            }
            Note::TaskExpired => write!(
                f,
                "The provider no longer keeps this task; the VM tells the outcome."
            ),
            Note::Waiting(m) => write!(f, "Provider says done; waiting for the VM to show it ({m})."),
            Note::Disagrees(m) => write!(f, "The provider says the action completed, but {m}."),
            Note::BackWhereItStarted(m) => write!(
                f,
                "The provider was seen working on it, but {m}, as before it started, for longer than it usually takes."
            ),
            Note::Settling { .. } | Note::Unverified { .. } | Note::NoEvidence { .. } => {
                unreported(f, self)
            }
            Note::Reported {
                cancelled,
                status,
                text,
            } => reported(f, *cancelled, status, text.as_deref()),
            Note::Superseded { by } => write!(
                f,
                "Another operation (“{by}”) overwrote this one's status on the VM before its outcome could be seen."
            ),
            Note::TimedOut { after, last } => write!(
                f,
                "No verified outcome after {}. The provider last said “{}”. Check now to look again.",
                format_duration(*after),
                last.as_deref().unwrap_or("nothing")
            ),
            Note::MaybeSent { detail } => write!(
                f,
                "The request may or may not have reached the provider ({detail}). Check the VM before trying again."
            ),
            Note::SubmitTimedOut { after } => write!(
                f,
                "The provider did not answer within {}; the request may or may not have been taken. Check the VM before trying again.",
                format_duration(*after)
            ),
            Note::ServerErrorOnSubmit(e) => server_error_on_submit(f, e),
            Note::AcceptedUnreadable(e) => write!(
                f,
                "The provider accepted the request (HTTP {}), but its answer could not be read{}. Check the VM.",
                e.status.unwrap_or(200),
                e.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            ),
            Note::NotTaken => write!(
                f,
                "The provider's answer was lost, and it shows no trace of the request: it was not taken, and nothing changed. Retry sends it again."
            ),
            Note::Refused(e) => write!(f, "{e}"),
            Note::CancelRefused(e) => write!(f, "Cancel was refused. {e}"),
            Note::ConnectionRemoved => write!(f, "The connection was removed while this ran."),
            Note::ConnectionMissing => write!(
                f,
                "Its connection is not configured in this tab; add it to follow this operation."
            ),
            Note::ClosedBeforeAnswer => write!(
                f,
                "The page closed before the provider answered this request. Check the VM before trying again."
            ),
            Note::ForcedOffByStop { grace } => write!(
                f,
                "The VM had not shut down {} after the shutdown was accepted; the Stop powered it off.",
                format_duration(*grace)
            ),
            Note::NotFoundByName { name } => write!(
                f,
                "The provider accepted the request, but no VM named “{name}” appeared in its list."
            ),
        }
    }
}

/// A task that ended without the provider reporting how: what the VM shows since.
fn unreported(f: &mut std::fmt::Formatter<'_>, note: &Note) -> std::fmt::Result {
    match note {
        Note::Settling { end, why: Some(m) } => write!(
            f,
            "{}; waiting for the VM to show the result ({m}).",
            end_words(*end)
        ),
        Note::Settling { end, why: None } => write!(
            f,
            "{}; the VM looks as it did before, so Vigil looks for a sign that the action ran.",
            end_words(*end)
        ),
        Note::Unverified { end, why } => write!(f, "{}, but {why}.", end_words(*end)),
        Note::NoEvidence { end } => write!(
            f,
            "{}, and the VM looks as it did before: nothing shows whether the action ran. Check the VM.",
            end_words(*end)
        ),
        _ => Ok(()),
    }
}

/// The provider reports its task failed or cancelled: its status, and its words when it said any.
fn reported(
    f: &mut std::fmt::Formatter<'_>,
    cancelled: bool,
    status: &str,
    text: Option<&str>,
) -> std::fmt::Result {
    let word = if cancelled { "was cancelled" } else { "failed" };
    match text {
        Some(t) => write!(
            f,
            "The provider reports the action {word} (“{status}”): {t}"
        ),
        None => write!(f, "The provider reports the action {word} (“{status}”)."),
    }
}

/// A 5xx to a submit: the request may have been taken; the provider's words when it said any.
fn server_error_on_submit(f: &mut std::fmt::Formatter<'_>, e: &ApiError) -> std::fmt::Result {
    let status = e.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    write!(
        f,
        "The provider answered with an internal error{status} and may or may not have taken the request. Check the VM, or retry."
    )?;
    if let Some(t) = &e.provider_text {
        write!(f, " Provider said: “{t}”")?;
    }
    Ok(())
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Power { status } => write!(f, "the VM is {status}"),
            Mismatch::Locked => write!(f, "the VM is still locked"),
            Mismatch::Name { current } => write!(f, "the VM is still named “{current}”"),
            Mismatch::Size { current } => {
                write!(f, "the VM's size is {}", super::size_label(current))
            }
            Mismatch::SnapshotNotListed => {
                write!(f, "the new snapshot is not listed on the VM yet")
            }
            Mismatch::Image { current: Some(id) } => {
                write!(f, "the VM still shows the image “{}”", super::name(id))
            }
            Mismatch::Image { current: None } => write!(f, "the VM shows no image"),
            Mismatch::NoAddress => write!(f, "the VM has no IP address yet"),
            Mismatch::NoPublicAddress => write!(f, "the VM has no public IP address yet"),
            Mismatch::NotListed => write!(f, "the VM is not in the provider's list"),
            Mismatch::StillThere { status } => write!(f, "it is still there ({status})"),
            Mismatch::PointNotListed => write!(f, "it is not in the VM's list yet"),
            Mismatch::PointNotReady { state, status } if status.is_empty() => {
                write!(f, "it is {}", super::point_state(state))
            }
            Mismatch::PointNotReady { status, .. } => {
                write!(f, "it is {}", super::name(status))
            }
            Mismatch::Backups { on: true } => write!(f, "automatic backups are still on"),
            Mismatch::Backups { on: false } => write!(f, "automatic backups are still off"),
            Mismatch::PointsUnread => write!(f, "the VM's list has not been read since"),
            Mismatch::ResUnread => write!(f, "its list has not been read since"),
            Mismatch::ResNotListed => write!(f, "it is not in the provider's list yet"),
            Mismatch::ResNotReady { state, status } if status.is_empty() => {
                write!(f, "it is {}", super::res_state(state))
            }
            Mismatch::ResNotReady { status, .. } => write!(f, "it is {}", super::name(status)),
            Mismatch::NoCidr => write!(f, "the network shows no address range yet"),
            Mismatch::VolumeSize { current: Some(gb) } => write!(f, "the volume shows {gb} GB"),
            Mismatch::VolumeSize { current: None } => write!(f, "the volume shows no size"),
            Mismatch::VolumeAttachment { current: Some(vm) } => write!(
                f,
                "the volume is attached to VM {}",
                super::name(vm.as_str())
            ),
            Mismatch::VolumeAttachment { current: None } => {
                write!(f, "the volume is attached to no VM")
            }
            Mismatch::NoIpAddress => write!(f, "the public IP shows no address yet"),
            Mismatch::ForwardDiffers { current: Some(c) } => write!(
                f,
                "the rule shows {} → port {} of VM {}",
                c.name(),
                c.internal_port,
                super::name(c.vm.as_str())
            ),
            Mismatch::ForwardDiffers { current: None } => {
                write!(f, "the rule's values cannot be read")
            }
            Mismatch::NotAttached { network } => {
                write!(
                    f,
                    "the VM is not in the network {} yet",
                    super::name(network)
                )
            }
            Mismatch::NoInternalIp { network } => write!(
                f,
                "the VM shows no internal address in the network {} yet",
                super::name(network)
            ),
            Mismatch::StillAttached { network } => {
                write!(f, "the VM is still in the network {}", super::name(network))
            }
            Mismatch::Vpc { current: Some(v) } => {
                write!(f, "the VM is in the VPC {}", super::name(v))
            }
            Mismatch::Vpc { current: None } => write!(f, "the VM is in no VPC"),
            Mismatch::Hostname { current: Some(h) } => {
                write!(f, "the VM's hostname is “{}”", super::name(h))
            }
            Mismatch::Hostname { current: None } => write!(f, "the VM shows no hostname"),
            Mismatch::NoNewAddress { version } => {
                write!(f, "the VM shows no new public IPv{version} address yet")
            }
            Mismatch::AddressStillThere { address } => {
                write!(f, "the VM still shows {}", super::name(address))
            }
            Mismatch::AddressNotShown { address } => {
                write!(f, "the VM does not show {}", super::name(address))
            }
            Mismatch::Ptr {
                address,
                current: Some(p),
            } => write!(
                f,
                "{} reads back as {}",
                super::name(address),
                super::name(p)
            ),
            Mismatch::Ptr {
                address,
                current: None,
            } => write!(f, "{} shows no reverse DNS name", super::name(address)),
            Mismatch::FirewallDiffers { count, unread } => {
                write!(
                    f,
                    "the firewall shows {count} {} other than those sent",
                    if *count == 1 { "rule" } else { "rules" }
                )?;
                if *unread {
                    write!(f, " (some could not be read)")?;
                }
                Ok(())
            }
            Mismatch::NoConsoleUrl => write!(f, "the console session shows no address yet"),
        }
    }
}
