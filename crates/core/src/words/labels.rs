//! The page's labels: headings, buttons, fields, columns, options — fixed words, and the few
//! that take a name or a number. Nothing here decides anything; what a provider's facts decide
//! is a [`super::Hint`].

use crate::catalogue::Field;
use crate::dialect::{CredentialKind, DialectKind, Place};
use crate::engine::{ActivityFilter, SortKey, StateFilter};
use crate::error::ApiError;
use crate::workflow::BulkOutcome;

/// What a cell, field or option shows when there is nothing to show.
pub const NOTHING: &str = "—";

/// A fixed label of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    // ----- the header -----
    Brand,
    DemoBadge,
    DemoBadgeTitle,
    TabRoleTitle,
    Settings,
    SignOut,
    SignOutTitle,
    SignOutEverywhere,
    SignOutActivityToo,
    Theme,
    ThemeSystem,
    ThemeLight,
    ThemeDark,
    Offline,
    Stopped,
    Reload,
    // ----- the panels -----
    VirtualMachines,
    VirtualMachine,
    Networks,
    Volumes,
    /// The console's sections (VMs, networks, volumes), named for assistive technology.
    Sections,
    Activity,
    // ----- the VM list -----
    Search,
    SearchPlaceholder,
    State,
    SortBy,
    All,
    SelectAllShown,
    NoMatch,
    // ----- a VM's page -----
    AllVms,
    VmNotFound,
    LoadingVm,
    Id,
    StatusFromProvider,
    Image,
    Addresses,
    Project,
    Snapshots,
    Actions,
    History,
    NoHistory,
    // ----- the activity list -----
    ActivityEmpty,
    Show,
    ClearFinished,
    NothingInThisState,
    Provider,
    Started,
    Duration,
    ProviderStatus,
    ProviderIds,
    Attempt,
    CheckNow,
    CancelTask,
    Retry,
    ForceNow,
    Cancel,
    // ----- bulks -----
    BulkToolbar,
    ClearSelection,
    BulkResult,
    CloseBulkResult,
    SkippedNotAllowed,
    // ----- forms -----
    Connection,
    NewName,
    NewHostname,
    /// The guest's hostname, on the VM's overview.
    Hostname,
    SnapshotName,
    SnapshotDescription,
    BackupId,
    FlavorId,
    NewSize,
    Vcpus,
    RamGb,
    RamMb,
    DiskGb,
    StartAfter,
    PowerOffAfter,
    StopResizeStart,
    /// cloudsfor: automatic backups, turned on with the create only.
    Backups,
    /// ZennoHosting: a new public IP address with the VM, priced apart.
    PublicIp,
    // ----- notices -----
    Notifications,
    Dismiss,
    DismissNotification,
    // ----- settings -----
    ProviderConnections,
    Close,
    CredentialsStay,
    Edit,
    Remove,
    EditConnection,
    AddAConnection,
    Name,
    NamePlaceholder,
    BaseUrl,
    SaveConnection,
    AddConnection,
    CancelEdit,
    RememberConnections,
    Passphrase,
    PassphraseAgain,
    RememberWithPassphrase,
    Locked,
    Unlock,
    ForgetRemembered,
    ShowDemo,
}

impl Label {
    /// The words.
    pub fn text(self) -> &'static str {
        use Label as L;
        match self {
            L::Brand => "Vigil",
            L::DemoBadge => "Demo providers — simulated VMs",
            L::DemoBadgeTitle => {
                "Simulated providers running inside this page; no real VMs are touched."
            }
            L::TabRoleTitle => "Only one tab polls the providers; the others show what it sees.",
            L::Settings => "Settings",
            L::Stopped => {
                "Vigil stopped because of an error. What was saved is safe: reload the page to go \
                 on. If Vigil is open in another tab, that tab carries on."
            }
            L::Reload => "Reload",
            L::SignOut => "Sign out",
            L::SignOutTitle => {
                "Forget the connections and their credentials in every tab of this browser."
            }
            L::SignOutEverywhere => "Sign out of every tab",
            L::SignOutActivityToo => "Also clear the activity kept on this device",
            L::Theme => "Theme",
            L::ThemeSystem => "System",
            L::ThemeLight => "Light",
            L::ThemeDark => "Dark",
            L::Offline => "Offline: Vigil is paused and resumes as soon as the network is back.",
            L::VirtualMachines => "Virtual machines",
            L::VirtualMachine => "Virtual machine",
            L::Networks => "Networks",
            L::Volumes => "Volumes",
            L::Sections => "Sections",
            L::Activity => "Activity",
            L::Search => "Search",
            L::SearchPlaceholder => "name, id, region, status, IP",
            L::State => "State",
            L::SortBy => "Sort by",
            L::All => "All",
            L::SelectAllShown => "Select all VMs shown",
            L::NoMatch => "No VM matches the search and filters.",
            L::AllVms => "← All VMs",
            L::VmNotFound => "VM not found",
            L::LoadingVm => "Loading this VM…",
            L::Id => "ID",
            L::StatusFromProvider => "Status from the provider",
            L::Image => "Image",
            L::Addresses => "Addresses",
            L::Project => "Project",
            L::Snapshots => "Snapshots",
            L::Actions => "Actions",
            L::History => "History",
            L::NoHistory => "No operation on this VM in this browser yet.",
            L::ActivityEmpty => {
                "Operations you start appear here and are tracked until the VM shows the result."
            }
            L::Show => "Show",
            L::ClearFinished => "Clear finished",
            L::NothingInThisState => "Nothing in this state.",
            L::Provider => "Provider",
            L::Started => "Started",
            L::Duration => "Duration",
            L::ProviderStatus => "Provider status",
            L::ProviderIds => "Provider ids",
            L::Attempt => "Attempt",
            L::CheckNow => "Check now",
            L::CancelTask => "Cancel task",
            L::Retry => "Retry",
            L::ForceNow => "Force now",
            L::Cancel => "Cancel",
            L::BulkToolbar => "Actions on the selected VMs",
            L::ClearSelection => "Clear selection",
            L::BulkResult => "Bulk action result",
            L::CloseBulkResult => "Close the bulk action result",
            L::SkippedNotAllowed => "Skipped, not allowed now:",
            L::Connection => "Connection",
            L::NewName => "New name",
            L::NewHostname => "New hostname",
            L::Hostname => "Hostname",
            L::SnapshotName => "Snapshot name",
            L::SnapshotDescription => "Description",
            L::BackupId => "Backup id",
            L::FlavorId => "Flavor id",
            L::NewSize => "New size",
            L::Vcpus => "vCPUs",
            L::RamGb => "RAM (GB)",
            L::RamMb => "RAM (MB)",
            L::DiskGb => "Disk (GB)",
            L::StartAfter => "Start it again afterwards",
            L::PowerOffAfter => "Power off after (seconds)",
            L::StopResizeStart => "Stop, resize and start",
            L::Backups => "Automatic backups (turned on with the VM only)",
            L::PublicIp => "A new public IP address (priced apart from the VM)",
            L::Notifications => "Notifications",
            L::Dismiss => "×",
            L::DismissNotification => "Dismiss notification",
            L::ProviderConnections => "Provider connections",
            L::Close => "Close",
            L::CredentialsStay => {
                "Credentials stay in this browser tab (sessionStorage) unless you ask to \
                 remember them on this device, where they are kept encrypted with your passphrase. They \
                 are only ever sent to the provider's own API."
            }
            L::Edit => "Edit",
            L::Remove => "Remove",
            L::EditConnection => "Edit connection",
            L::AddAConnection => "Add a connection",
            L::Name => "Name",
            L::NamePlaceholder => "e.g. Production",
            L::BaseUrl => "Base URL",
            L::SaveConnection => "Save connection",
            L::AddConnection => "Add connection",
            L::CancelEdit => "Cancel edit",
            L::RememberConnections => {
                "Remember connections on this device, encrypted with a passphrase"
            }
            L::Passphrase => "Passphrase",
            L::PassphraseAgain => "Passphrase again",
            L::RememberWithPassphrase => "Remember",
            L::Locked => {
                "Connections are remembered on this device, encrypted. Enter the passphrase to use \
                 them in this tab."
            }
            L::Unlock => "Unlock",
            L::ForgetRemembered => "Forget them",
            L::ShowDemo => "Also show the demo provider's connections",
        }
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// A column of the VM table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Status,
    Actions,
    Provider,
    Size,
    Region,
    Address,
}

impl Column {
    /// In the order the table shows them.
    pub const ALL: [Column; 7] = [
        Column::Name,
        Column::Status,
        Column::Address,
        Column::Region,
        Column::Size,
        Column::Provider,
        Column::Actions,
    ];
}

/// A column's header.
pub fn column(c: Column) -> &'static str {
    match c {
        Column::Name => "Name",
        Column::Status => "Status",
        Column::Actions => "Actions",
        Column::Provider => "Provider",
        Column::Size => "Size",
        Column::Region => "Region",
        Column::Address => "IP address",
    }
}

/// The VM list's state filter, as its options say.
pub fn state_filter(s: StateFilter) -> &'static str {
    match s {
        StateFilter::All => "All",
        StateFilter::Running => "Running",
        StateFilter::Stopped => "Stopped",
        StateFilter::Busy => "Busy",
        StateFilter::Unknown => "Unknown status",
    }
}

/// The VM list's orders.
pub fn sort_key(k: SortKey) -> &'static str {
    match k {
        SortKey::Name => "Name",
        SortKey::Provider => "Provider",
        SortKey::Status => "Status",
    }
}

/// The activity list's filter, as its options say.
pub fn activity_filter(f: ActivityFilter) -> &'static str {
    match f {
        ActivityFilter::All => "All",
        ActivityFilter::InProgress => "In progress",
        ActivityFilter::Done => "Done",
        ActivityFilter::Failed => "Failed or cancelled",
        ActivityFilter::NeedsCheck => "Needs check",
    }
}

/// Where a new VM goes, as a field's label: `Region`, `Project`.
pub fn place_label(place: Place) -> &'static str {
    match place {
        Place::Region => "Region",
        Place::Zone => "Zone",
        Place::Location => "Location",
        Place::Project => "Project",
    }
}

/// A create form field's label (`place`: what the provider calls where a VM goes).
pub fn field_label(field: Field, place: Option<Place>) -> &'static str {
    match field {
        Field::Name => "Name",
        Field::Region => place.map_or("Region", place_label),
        Field::Size | Field::Amounts => "Size",
        Field::Image => "Image",
        Field::Network => "Network",
        Field::SecurityGroup => "Security group",
        Field::SshKeys => "SSH keys",
        Field::Configuration => "Configuration",
    }
}

/// The user and secret fields' labels for a kind of credentials.
pub fn credential_fields(kind: CredentialKind) -> (Option<&'static str>, &'static str) {
    match kind {
        CredentialKind::Basic => (Some("Username (email)"), "Password"),
        CredentialKind::Bearer => (None, "API token"),
        CredentialKind::ApiKey => (None, "API key"),
        CredentialKind::Login => (Some("Username"), "Password"),
    }
}

/// A kind of credentials, as a noun: `an API key`.
pub fn credential_noun(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Basic => "an e-mail address and password",
        CredentialKind::Bearer => "an API token",
        CredentialKind::ApiKey => "an API key",
        CredentialKind::Login => "username and password",
    }
}

/// `Log in with username and password instead of an API key`.
pub fn log_in_with(instead: CredentialKind, of: CredentialKind) -> String {
    format!(
        "Log in with {} instead of {}",
        credential_noun(instead),
        credential_noun(of)
    )
}

/// `Demo cloudsfor`: a demo connection's name.
pub fn demo_name(d: DialectKind) -> String {
    format!("Demo {}", d.label())
}

/// `This tab polls` / `Following another tab`.
pub fn tab_role(leads: bool) -> &'static str {
    if leads {
        "This tab polls"
    } else {
        "Following another tab"
    }
}

/// A button or field named with what it acts on: `Reboot web-01`, `Edit Production`.
pub fn on(label: &str, name: &str) -> String {
    format!("{label} {}", super::name(name))
}

/// A button in the activity list, named with its entry: `Check now: Reboot web-01`.
pub fn for_entry(label: Label, title: &str) -> String {
    match label {
        Label::Retry => format!("{label} {title}"),
        _ => format!("{label}: {title}"),
    }
}

/// `Select web-01`.
pub fn select_vm(name: &str) -> String {
    format!("Select {name}")
}

/// `Reboot web-01 progress`.
pub fn progress_of(title: &str) -> String {
    format!("{title} progress")
}

/// `attempt 2 of 3` (ONETSolutions' retries).
pub fn attempt(k: u32, n: u32) -> String {
    format!("attempt {k} of {n}")
}

/// `Retrying: <why>`.
pub fn retrying(e: &ApiError) -> String {
    format!("Retrying: {e}")
}

/// `3 selected`.
pub fn selected(n: usize) -> String {
    format!("{n} selected")
}

/// `1 selected VM`, `3 selected VMs`.
pub fn selected_vms(n: usize) -> String {
    format!("{n} selected VM{}", if n == 1 { "" } else { "s" })
}

/// `3 of 60 VMs` (digits only: the page's tests and the eye read them as counts).
pub fn vm_count(shown: usize, total: usize) -> String {
    format!("{shown} of {total} VMs")
}

/// A connection's line while its list loads.
pub fn loading_vms() -> &'static str {
    " — loading VMs…"
}

/// A connection's line once listed: ` — 12 VMs`.
pub fn listed(n: usize) -> String {
    format!(" — {}", super::vms(n))
}

/// A connection's line whose listing failed with VMs shown.
pub fn list_incomplete(shown: usize) -> String {
    format!("the list may be incomplete ({} shown). ", super::vms(shown))
}

/// `Create VM on Production`.
pub fn create_on(conn: &str) -> String {
    format!(
        "{} on {conn}",
        super::action_label(crate::model::ActionKind::Create)
    )
}

/// Why a connection offers no Create VM: ` · Create VM: <why>`.
pub fn create_off(why: &super::Refusal) -> String {
    format!(
        " · {}: {why}",
        super::action_label(crate::model::ActionKind::Create)
    )
}

/// `Production (cloudsfor)`.
pub fn provider_of(name: &str, d: DialectKind) -> String {
    format!("{name} ({})", d.label())
}

/// A VM's status as the provider said it: `active (locked)`.
pub fn provider_status(raw: &str, locked: bool) -> String {
    if locked {
        format!("{raw} (locked)")
    } else {
        raw.to_string()
    }
}

/// A VM's page for a VM not there.
pub fn vm_missing(vm: &str, conn: &str) -> String {
    format!(
        "No VM with id “{vm}” on connection “{conn}”. It may have been deleted, or the \
         connection is not configured in this browser."
    )
}

/// `Resize now: 2 vCPU · 4 GB RAM. Enter the id of the flavor to resize to.`
pub fn flavor_now(size: &crate::model::Size) -> String {
    format!(
        "Now: {}. {}",
        super::size_label(size),
        super::Refusal::EnterFlavor
    )
}

/// A bulk's confirmation: `Reboot on 2 of 3 VMs.`
pub fn runs_on(label: &str, runs: usize, of: usize) -> String {
    format!("{label} on {runs} of {}.", super::vms(of))
}

/// What one VM of a bulk says: `done, verified`, `skipped: <why>`, `failed: <the provider's
/// words>`.
pub fn bulk_outcome(outcome: &BulkOutcome) -> String {
    use crate::model::Phase;
    let phase = |p: Phase| super::phase_label(p).to_lowercase();
    match outcome {
        BulkOutcome::Running => phase(Phase::InProgress),
        BulkOutcome::Done => "done, verified".into(),
        BulkOutcome::Skipped { reason } => format!("skipped: {reason}"),
        BulkOutcome::Ended { phase: p, says } => format!(
            "{}: {}",
            phase(*p),
            says.as_ref().map(|s| s.to_string()).unwrap_or_default()
        ),
        BulkOutcome::Lost => phase(Phase::NeedsCheck),
    }
}

/// What the notice under a secret says: `Create VM web-42: the provider's one-time
/// administrator password (shown once, kept nowhere):`.
pub fn secret_title(title: &str) -> String {
    format!("{title}: the provider's one-time administrator password (shown once, kept nowhere):")
}

/// Why a request got no answer, as the network told the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetFailure {
    /// The request could not even be built.
    Unbuildable,
    /// The (simulated) connection dropped.
    Dropped,
    /// Given up (its time limit, or the page went).
    Cancelled,
    /// No answer: offline, a network error, or the provider does not allow this origin.
    Unreachable,
    /// The answer's body could not be read whole.
    CutOff,
}

impl std::fmt::Display for NetFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NetFailure::Unbuildable => "the request could not be built",
            NetFailure::Dropped => "the connection was dropped",
            NetFailure::Cancelled => "cancelled",
            NetFailure::Unreachable => {
                "network error, offline, or the provider does not allow this origin (CORS)"
            }
            NetFailure::CutOff => "the answer was cut off",
        })
    }
}

/// A size in the create form: `s-2vcpu-4gb · 2 vCPU · 4 GB RAM · 80 GB disk · $24/mo`.
pub fn size_choice(c: &crate::catalogue::Choice) -> String {
    let size = crate::model::Size {
        vcpus: c.vcpus,
        memory_gb: c.ram_mb.map(|m| (m / 1024) as u32).filter(|g| *g > 0),
        disk_gb: c.disk_gb,
        flavor: Some(c.label.clone()),
    };
    match &c.price {
        Some(p) => format!("{} · {p}", super::size_label(&size)),
        None => super::size_label(&size),
    }
}
