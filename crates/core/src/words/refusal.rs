//! Why something cannot start: a typed value, said in English here and only here.

use std::fmt::{self, Formatter};

use serde::{Deserialize, Serialize};

use crate::catalogue::{Amount, Part};
use crate::dialect::DialectKind;
use crate::model::{Action, ActionKind};
use crate::time::{format_duration, Millis, SECOND};
use crate::workflow::Plan;

/// Why an intent cannot be carried out now. Tests assert on these values; [`std::fmt::Display`]
/// is the sentence the user reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    // ----- where and what -----
    UnknownConnection,
    /// The VM is not in the last listing.
    VmNotListed,
    /// The provider has no such action (or feature).
    NotOffered {
        provider: DialectKind,
    },
    /// An operation of ours is open on the VM.
    BusyWithOperation {
        vm: String,
        action: Action,
    },
    /// A workflow of ours is open on the VM.
    BusyWithWorkflow {
        vm: String,
        plan: Plan,
    },
    UnknownOperation,
    UnknownWorkflow,
    /// A snapshot or backup rule ([`super::PointRefusal`]).
    Point(super::PointRefusal),
    /// "Snapshot first" or its rollback ([`super::GuardRefusal`]).
    Guard(super::GuardRefusal),
    /// A network, public IP or port-forward rule ([`super::ResRefusal`]).
    Res(super::ResRefusal),
    /// A VM's address, reverse DNS name, firewall rule ([`super::VmNetRefusal`]).
    VmNet(super::VmNetRefusal),

    // ----- the VM's state, by the provider's rules -----
    /// cloudsfor's `locked`.
    Locked,
    /// ZennoHosting: an `operation` runs on the VM.
    OperationUnderWay {
        status: String,
    },
    /// ONETSolutions: a task runs on the instance.
    TaskRunning,
    /// Erigones: the VM has pending tasks.
    PendingTasks,
    /// ZennoHosting: the VM's project is not known (refresh the list).
    UnknownProject,
    /// Erigones: the VM is not operational.
    NotOperational {
        status: String,
    },
    /// A status Vigil does not know; `rename_only` where renaming is still offered.
    StatusNotKnown {
        status: String,
        rename_only: bool,
    },
    /// The provider is changing the VM (Hostway `PROCESSING`, `BUILD`).
    Changing {
        status: String,
    },
    AlreadyRunning,
    /// The VM is off (stopped).
    IsOff,
    IsStopping,
    /// Erigones: already stopping; Power off forces it.
    AlreadyStopping,
    Frozen,
    /// Erigones: only a frozen VM can be unfrozen.
    NotFrozen,
    Suspended,
    Deleted,
    /// The action needs the VM stopped (`status`: what it is now).
    MustBeStopped {
        status: String,
    },
    /// The action needs the VM running (`status`: what it is now).
    MustBeRunning {
        status: String,
    },
    /// A password is reset inside the running VM.
    StartFirstForPassword,
    /// The provider resizes only VMs that are off.
    MustBeOffToResize,

    // ----- parameters -----
    EnterName,
    NameTooLong {
        max: usize,
    },
    /// The provider names a new VM by its hostname (Erigones).
    NotAHostname {
        provider: DialectKind,
        min: usize,
        max: usize,
    },
    NameHasControlCharacters,
    /// A character that shows nothing but changes how the name reads (a bidi override, a
    /// zero-width space): `code` is its code point.
    NameHasInvisible {
        code: u32,
    },
    ResizeChangesNothing,
    /// A hostname ([`crate::model::check_hostname`]): none typed, too long, a character a DNS
    /// name cannot hold, an empty label (`a..b`), a label too long, a hyphen at a label's end;
    /// or the one the VM has already.
    EnterHostname,
    HostnameTooLong {
        max: usize,
    },
    HostnameCharacter {
        c: char,
    },
    HostnameEmptyLabel,
    HostnameLabelTooLong {
        max: usize,
    },
    HostnameHyphenAtEnd,
    HostnameUnchanged,
    SizeAtLeastOne,
    GraceZero,
    GraceOutOfRange {
        max_s: u32,
    },
    /// The provider resizes by vCPUs, RAM and disk, not by flavor.
    ResizesByAmounts {
        provider: DialectKind,
    },
    /// The provider resizes by flavor only.
    ResizesByFlavor {
        provider: DialectKind,
    },
    EnterFlavor,
    EnterBackupId,
    ChooseImage,
    /// A resize to a size of the catalogue, none picked.
    ChooseSize,
    ChooseRegion {
        place: crate::dialect::Place,
    },
    /// A value the provider's catalogue does not hold (empty: none chosen).
    NotInCatalogue {
        part: Part,
        value: String,
    },
    /// The choice belongs to another choice of `owner` than the one chosen (a ZennoHosting
    /// configuration profile of another tariff).
    OfAnother {
        part: Part,
        value: String,
        owner: Part,
    },
    /// The amount is outside what the provider takes.
    OutOfRange {
        amount: Amount,
        min: u64,
        max: u64,
    },

    // ----- workflows -----
    NoServerSideForce {
        provider: DialectKind,
    },
    NoShutdown {
        provider: DialectKind,
    },
    NoPowerOff {
        provider: DialectKind,
    },
    NoResize {
        provider: DialectKind,
    },
    NoStart {
        provider: DialectKind,
    },
    /// The provider publishes no history of operations (Hostway, ZennoHosting).
    NoProviderActivity {
        provider: DialectKind,
        why: crate::dialect::Absent,
    },
    /// The provider publishes no rebuild (Hostway, ZennoHosting).
    NoRebuild {
        provider: DialectKind,
    },
    /// The provider rebuilds a VM from its own definition only (Erigones' recreate).
    RebuildsCurrentImageOnly {
        provider: DialectKind,
    },
    /// A resize needs a stop first, which cannot run here; `resizes_running` where the plain
    /// Resize works on the running VM.
    CannotStopToResize {
        why: Box<Refusal>,
        resizes_running: Option<DialectKind>,
    },
    WaitRunningOrStopped {
        status: String,
    },
    NothingToForce,
    WorkflowEnded,
    CannotCancel,
    NothingToCheck,
    CannotRetry,
    NoVmSelected,

    // ----- create and delete -----
    /// The name typed to confirm a delete is not the VM's.
    TypeNameToConfirm {
        name: String,
    },
    /// The provider finds a new VM by its name: it must be unique on the connection.
    NameTaken {
        name: String,
    },
    /// The user's role may not do this (Erigones: creating and deleting VMs needs an admin).
    RoleCannot {
        provider: DialectKind,
        action: ActionKind,
    },
    /// The account's VM limit is reached.
    VmLimitReached {
        limit: u64,
    },
    /// The provider's catalogues are not loaded yet.
    CatalogueNotReady,

    // ----- connection settings -----
    ConnectionNameMissing,
    BaseUrlScheme,
    BaseUrlSpaces,
    CredentialsInUrl,
    CredentialsIncomplete,
    /// A credential holds a character its request header cannot carry: `code` at `position`
    /// (counted from 1, after trimming).
    CredentialCharacter {
        kind: crate::dialect::CredentialKind,
        secret: bool,
        code: u32,
        position: usize,
    },
    /// A Basic user name with `:` (the user name ends at the first one).
    ColonInUser,
    /// Remembering connections: the passphrase is shorter than `min` characters.
    PassphraseTooShort {
        min: usize,
    },
    /// The passphrase and its confirmation differ.
    PassphrasesDiffer,
    /// Not the passphrase the connections were remembered with.
    WrongPassphrase,
    /// This browser cannot encrypt here (no WebCrypto): connections are not remembered.
    CannotEncrypt,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.where_and_what(f)
            .or_else(|| self.vm_state(f))
            .or_else(|| self.parameter(f))
            .or_else(|| self.workflow(f))
            .or_else(|| self.create_or_delete(f))
            .or_else(|| self.setting(f))
            // A refusal no group says (a new variant) still reads as something, never a panic.
            .unwrap_or_else(|| write!(f, "{self:?}"))
    }
}

/// The sentences, a group of refusals each: a group says the refusal (`Some`) when it is one of
/// its own, else leaves it to the next (`None`).
impl Refusal {
    /// Where and what: the connection, the VM, what of ours is open on it.
    fn where_and_what(&self, f: &mut Formatter<'_>) -> Option<fmt::Result> {
        use Refusal as R;
        Some(match self {
            R::UnknownConnection => write!(f, "Unknown connection."),
            R::VmNotListed => write!(f, "This VM is not in the last listing."),
            R::NotOffered { provider } => write!(f, "{} does not offer this.", provider.label()),
            R::BusyWithOperation { vm, action } => write!(
                f,
                "Wait for “{}” to finish on {vm}.",
                super::describe_action(action)
            ),
            R::BusyWithWorkflow { vm, plan } => write!(
                f,
                "Wait for “{}” to finish on {vm} (or cancel it).",
                super::describe_plan(plan)
            ),
            R::UnknownOperation => write!(f, "This operation is not known here."),
            R::UnknownWorkflow => write!(f, "This workflow is not known here."),
            R::Point(p) => write!(f, "{p}"),
            R::Guard(g) => write!(f, "{g}"),
            R::Res(r) => write!(f, "{r}"),
            R::VmNet(r) => write!(f, "{r}"),
            _ => return None,
        })
    }

    /// The VM's state, by the provider's rules.
    fn vm_state(&self, f: &mut Formatter<'_>) -> Option<fmt::Result> {
        use Refusal as R;
        Some(match self {
            R::Locked => write!(f, "The VM is locked while another action runs."),
            R::OperationUnderWay { status } => write!(
                f,
                "An operation is under way on the VM ({status}); wait for it to finish."
            ),
            R::TaskRunning => write!(f, "A task is running on this VM; wait for it to finish."),
            R::PendingTasks => write!(f, "The VM has pending tasks; wait for them to finish."),
            R::UnknownProject => write!(
                f,
                "Vigil does not know this VM's project; refresh the list."
            ),
            R::NotOperational { status } => write!(
                f,
                "The VM is not operational (“{status}”): the provider takes no power action now."
            ),
            R::StatusNotKnown {
                status,
                rename_only: true,
            } => write!(
                f,
                "The VM's status “{status}” is not one Vigil knows; only rename is offered."
            ),
            R::StatusNotKnown { status, .. } => write!(
                f,
                "The VM's status “{status}” is not one Vigil knows; no action is offered."
            ),
            R::Changing { status } => write!(
                f,
                "The VM is busy ({status}); wait for the change under way to finish."
            ),
            R::AlreadyRunning => write!(f, "The VM is already running."),
            R::IsOff => write!(f, "The VM is off."),
            R::IsStopping => write!(f, "The VM is stopping."),
            R::AlreadyStopping => {
                write!(f, "The VM is already stopping; use Power off to force it.")
            }
            R::Frozen => write!(
                f,
                "The VM is frozen: it must be unfrozen before it can start."
            ),
            R::NotFrozen => write!(f, "The VM is not frozen."),
            R::Suspended => write!(
                f,
                "The VM is suspended: the provider allows no power or size change."
            ),
            R::Deleted => write!(f, "The VM is deleted."),
            R::MustBeStopped { status } => {
                write!(f, "The VM must be stopped for this (it is {status}).")
            }
            R::MustBeRunning { status } => {
                write!(f, "The VM must be running for this (it is {status}).")
            }
            R::StartFirstForPassword => write!(
                f,
                "Start the VM first: the password is reset inside the running VM."
            ),
            R::MustBeOffToResize => write!(f, "The VM must be powered off before resizing."),
            _ => return None,
        })
    }

    /// The parameters of an action.
    fn parameter(&self, f: &mut Formatter<'_>) -> Option<fmt::Result> {
        use Refusal as R;
        Some(match self {
            R::EnterName => write!(f, "Enter a name."),
            R::NameTooLong { max } => write!(f, "Names are at most {max} characters."),
            R::NotAHostname { provider, min, max } => write!(
                f,
                "{} names a new VM by its hostname: {min} to {max} letters, digits, dots and hyphens, beginning and ending with a letter or digit, without “..” or “--”.",
                provider.label()
            ),
            R::NameHasControlCharacters => write!(f, "Names cannot contain control characters."),
            R::NameHasInvisible { code } => write!(
                f,
                "Names cannot contain invisible characters that change how text reads \
                 (U+{code:04X})."
            ),
            R::ResizeChangesNothing => write!(f, "Change at least one resource."),
            R::EnterHostname => write!(f, "Enter a hostname."),
            R::HostnameTooLong { max } => write!(f, "Hostnames are at most {max} characters."),
            R::HostnameCharacter { c } if c.is_control() || c.is_whitespace() => write!(
                f,
                "Hostnames hold only letters, digits, hyphens and dots, not U+{:04X}.",
                u32::from(*c)
            ),
            R::HostnameCharacter { c } => write!(
                f,
                "Hostnames hold only letters, digits, hyphens and dots, not “{}”.",
                super::name(&c.to_string())
            ),
            R::HostnameEmptyLabel => write!(
                f,
                "A hostname cannot begin or end with a dot, or have two dots together."
            ),
            R::HostnameLabelTooLong { max } => write!(
                f,
                "Each part of a hostname between dots is at most {max} characters."
            ),
            R::HostnameHyphenAtEnd => write!(
                f,
                "Each part of a hostname between dots begins and ends with a letter or digit."
            ),
            R::HostnameUnchanged => write!(f, "The VM already has this hostname."),
            R::SizeAtLeastOne => write!(f, "Every resource must be at least 1."),
            R::GraceZero => write!(f, "The grace period must be at least one second."),
            R::GraceOutOfRange { max_s } => write!(
                f,
                "The grace period must be between 1 s and {}.",
                format_duration(Millis::from(*max_s) * SECOND)
            ),
            R::ResizesByAmounts { provider } => write!(
                f,
                "{} resizes by vCPUs, RAM and disk, not by flavor.",
                provider.label()
            ),
            R::ResizesByFlavor { provider } => write!(
                f,
                "{} resizes a VM to another flavor, not by vCPUs, RAM or disk: choose a flavor.",
                provider.label()
            ),
            R::EnterFlavor => write!(f, "Enter the id of the flavor to resize to."),
            R::EnterBackupId => write!(f, "Enter the id of the backup to restore."),
            R::ChooseImage => write!(f, "Choose an image."),
            R::ChooseSize => write!(f, "Choose a size."),
            R::ChooseRegion { place } => write!(f, "Choose a {}.", super::place_word(*place)),
            R::NotInCatalogue { part, value } if value.is_empty() => {
                write!(f, "Choose a {}.", super::part_word(*part))
            }
            R::NotInCatalogue { part, value } => write!(
                f,
                "The provider does not offer the {} “{value}”; choose one from the list.",
                super::part_word(*part)
            ),
            R::OfAnother { part, value, owner } => write!(
                f,
                "The {} “{value}” belongs to another {}: choose one of the {1} chosen.",
                super::part_word(*part),
                super::part_word(*owner),
            ),
            R::OutOfRange { amount, min, max } => write!(
                f,
                "The {} must be between {min} and {max}.",
                match amount {
                    Amount::Vcpus => "number of vCPUs",
                    Amount::RamMb => "RAM in MB",
                    Amount::DiskGb => "disk in GB",
                }
            ),
            _ => return None,
        })
    }

    /// Workflows and what they may do.
    fn workflow(&self, f: &mut Formatter<'_>) -> Option<fmt::Result> {
        use Refusal as R;
        Some(match self {
            R::NoServerSideForce { provider } => write!(
                f,
                "{} does not force a shutdown off by itself.",
                provider.label()
            ),
            R::NoShutdown { provider } => write!(
                f,
                "{} has no graceful shutdown: use Power off.",
                provider.label()
            ),
            R::NoPowerOff { provider } => write!(
                f,
                "{} has no power off, so a guest that ignores the shutdown could not be forced off: use Shut down.",
                provider.label()
            ),
            R::NoResize { provider } => write!(f, "{} does not resize VMs.", provider.label()),
            R::NoStart { provider } => write!(f, "{} cannot start a VM.", provider.label()),
            R::NoProviderActivity { provider, why } => write!(
                f,
                "{} keeps no history of operations that Vigil can read ({why}). The activity shows this console's own, and what is seen running on the VMs.",
                provider.label()
            ),
            R::NoRebuild { provider } => write!(
                f,
                "{} publishes no way to rebuild or reinstall a VM.",
                provider.label()
            ),
            R::RebuildsCurrentImageOnly { provider } => write!(
                f,
                "{} rebuilds a VM from its current image only.",
                provider.label()
            ),
            R::CannotStopToResize {
                why,
                resizes_running,
            } => write!(f, "{why}").and_then(|()| match resizes_running {
                Some(p) => write!(f, " {} resizes running VMs: use Resize.", p.label()),
                None => Ok(()),
            }),
            R::WaitRunningOrStopped { status } => write!(
                f,
                "The VM is {status}: wait until it is running or stopped."
            ),
            R::NothingToForce => write!(
                f,
                "There is nothing to force now: the stop is over or already forced."
            ),
            R::WorkflowEnded => write!(f, "This workflow has already ended."),
            R::CannotCancel => write!(f, "This operation cannot be cancelled now."),
            R::NothingToCheck => write!(f, "This operation's outcome is not in doubt."),
            R::CannotRetry => write!(f, "This operation cannot be run again now."),
            R::NoVmSelected => write!(f, "Select at least one VM."),
            _ => return None,
        })
    }

    /// Creating and deleting VMs.
    fn create_or_delete(&self, f: &mut Formatter<'_>) -> Option<fmt::Result> {
        use Refusal as R;
        Some(match self {
            R::TypeNameToConfirm { name } => {
                write!(f, "Type the VM's name, “{name}”, to confirm.")
            }
            R::NameTaken { name } => write!(
                f,
                "A VM named “{name}” exists already on this connection; choose another name."
            ),
            R::RoleCannot { provider, action } => write!(
                f,
                "Your {} role may not {}: that needs an administrator.",
                provider.label(),
                super::verb(*action)
            ),
            R::VmLimitReached { limit } => write!(
                f,
                "The account's limit of {} VMs is reached; delete one first or ask the provider to raise it.",
                super::number(*limit)
            ),
            R::CatalogueNotReady => write!(f, "The provider's choices are still loading."),
            _ => return None,
        })
    }

    /// A connection's settings.
    fn setting(&self, f: &mut Formatter<'_>) -> Option<fmt::Result> {
        use Refusal as R;
        Some(match self {
            R::ConnectionNameMissing => write!(f, "Give the connection a name."),
            R::BaseUrlScheme => write!(
                f,
                "The base URL must start with https:// (or http:// for a local test server)."
            ),
            R::BaseUrlSpaces => write!(f, "The base URL cannot contain spaces."),
            R::CredentialsInUrl => {
                write!(f, "Put credentials in their own fields, not in the URL.")
            }
            R::CredentialsIncomplete => write!(f, "Fill in the credentials."),
            R::CredentialCharacter {
                kind,
                secret,
                code,
                position,
            } => {
                let (user, secret_label) = super::credential_fields(*kind);
                let field = if *secret {
                    secret_label
                } else {
                    user.unwrap_or(secret_label)
                };
                write!(
                    f,
                    "{field}: character {position} (U+{code:04X}) cannot be sent in a request \
                     header. Paste it again without it."
                )
            }
            R::ColonInUser => write!(f, "The user name cannot contain “:”."),
            R::PassphraseTooShort { min } => {
                write!(f, "Choose a passphrase of at least {min} characters.")
            }
            R::PassphrasesDiffer => write!(f, "The two passphrases differ."),
            R::WrongPassphrase => {
                write!(f, "That is not the passphrase they were remembered with.")
            }
            R::CannotEncrypt => write!(
                f,
                "This browser cannot encrypt here (WebCrypto needs HTTPS), so connections are \
                 kept in this tab only."
            ),
            _ => return None,
        })
    }
}
