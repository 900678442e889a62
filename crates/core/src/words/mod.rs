//! Every word the user reads, in one place.
//!
//! vigil-core decides with typed values — [`Refusal`] (why something cannot start), [`Note`]
//! (where an operation stands), [`WfNote`] (where a workflow stands), [`Hint`] (what a form
//! says from a provider's facts), [`Countdown`], [`crate::model::Mismatch`],
//! [`crate::error::ApiError`] — and this module says them in English. Tests assert on the
//! values, never on these sentences. The page's fixed words are here too ([`Label`],
//! [`column`], [`field_label`], …): the page renders nothing else.

mod boot;
mod feed;
mod guard;
mod hint;
mod kinds;
mod labels;
mod netpage;
mod note;
mod page;
mod points;
mod rebuild;
mod refusal;
mod resources;
mod site;
mod storage;
mod vmnet;
mod volumes;
mod workflow;

pub use boot::BootLabel;
pub use feed::{
    elsewhere_progressive, feed_by, feed_failed, feed_kept, feed_status, feed_title, FeedLabel,
};
pub use guard::{
    followed_label, roll_back_to, snapshot_first_hint, snapshot_first_label, GuardRefusal,
};
pub use hint::{Countdown, Hint, HintTone};
pub use kinds::{action_label, progressive, verb};
pub use labels::*;
pub use netpage::{plural as res_plural, NetLabel};
pub use note::Note;
pub use page::*;
pub use points::{
    plural, point_size, point_state, point_word, PointLabel, PointLimit, PointRefusal,
};
pub use rebuild::{
    current_size, rebuild_confirm_prompt, rebuild_image_field, rebuild_image_label,
    rebuild_what_happens,
};
pub use refusal::Refusal;
pub use resources::{res_state, resource_word, ResRefusal};
pub use site::{credentials_for, SiteLabel};
pub use storage::StorageNote;
pub use vmnet::{
    address_control, console_ready, direction_label, fw_action_label, protocol_label,
    remove_ip_prompt, rule_control, VmNetLabel, VmNetRefusal,
};
pub use volumes::{volume_size, volume_state, volumes_of, volumes_on_vm, VolLabel};
pub use workflow::{CancelHow, StepLabel, StepNote, WfNote};

use crate::error::{ApiError, ErrorKind};
use crate::model::{
    normal_hostname, Action, ActionKind, Phase, ProviderRef, Resize, Resource, Size,
};
use crate::time::{format_duration, format_elapsed, Millis};
use crate::workflow::{BulkSummary, BulkWork, Plan, StepState};

/// The longest a provider's name runs inside a sentence, in characters (the whole name is on the
/// VM's row and page).
pub const NAME_IN_SENTENCE: usize = 64;

/// A provider's (or user's) name as it goes inside a sentence: cut at [`NAME_IN_SENTENCE`]
/// characters with `…`, and — when it holds right-to-left letters or bidi controls — isolated
/// (U+2068 … U+2069), so that it can never reorder the words around it.
pub fn name(text: &str) -> String {
    let mut out: String = text.chars().take(NAME_IN_SENTENCE).collect();
    if text.chars().nth(NAME_IN_SENTENCE).is_some() {
        out.push('…');
    }
    let rtl = |c: char| {
        matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF
            | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
    };
    if out.chars().any(|c| rtl(c) || crate::model::is_invisible(c)) {
        format!("\u{2068}{out}\u{2069}")
    } else {
        out
    }
}

/// `Reboot`, `Rename to “db-02”`, `Resize to 2 vCPU · 4 GB RAM · 80 GB disk`.
pub fn describe_action(action: &Action) -> String {
    match action {
        Action::Rename { name: to } => format!("Rename to “{}”", name(to)),
        Action::SetHostname { hostname } => {
            format!("Change hostname to “{}”", name(&normal_hostname(hostname)))
        }
        Action::Snapshot { name: called, .. } => format!("Snapshot “{}”", name(called)),
        Action::RestoreBackup { backup_id, name: n } => {
            format!(
                "Restore backup “{}”",
                name(if n.is_empty() { backup_id } else { n })
            )
        }
        Action::RestoreSnapshot { name: n, .. } => format!("Restore snapshot “{}”", name(n)),
        Action::DeleteSnapshot { name: n, .. } => format!("Delete snapshot “{}”", name(n)),
        Action::Backup { name: n } => format!("Back up “{}”", name(n)),
        Action::DeleteBackup { name: n, .. } => format!("Delete backup “{}”", name(n)),
        Action::AutoBackups { on: true } => "Turn automatic backups on".into(),
        Action::AutoBackups { on: false } => "Turn automatic backups off".into(),
        Action::SnapshotToImage { name: n, .. } => format!("Make image “{}”", name(n)),
        Action::Rebuild { image } if image.trim() == crate::model::CURRENT_IMAGE => {
            "Rebuild from its current image".to_string()
        }
        Action::Rebuild { image } => format!("Rebuild from image “{}”", name(image.trim())),
        Action::StartFromIso(b) => boot::describe(b),
        Action::ShutdownWithin { timeout_s } => format!(
            "Shut down (forced off after {})",
            format_duration(Millis::from(*timeout_s) * 1000)
        ),
        Action::Resize(Resize::Flavor { id }) => format!("Resize to flavor {id}"),
        Action::Resize(Resize::Size { name: size, .. }) => format!("Resize to {}", name(size)),
        Action::Resize(Resize::One { resource, size }) => {
            let unit = if *resource == Resource::Cpu {
                " vCPU"
            } else {
                " GB"
            };
            format!("Resize {} to {size}{unit}", resource.as_str())
        }
        Action::Resize(Resize::All { cpu, ram, disk }) => {
            format!("Resize to {cpu} vCPU · {ram} GB RAM · {disk} GB disk")
        }
        // Its target names the new VM: the action itself says only what it does, so that a
        // title (`Create VM web-42`) or a refusal names the VM once.
        Action::Create(_) => action_label(ActionKind::Create).to_string(),
        Action::Delete { .. } => "Delete".to_string(),
        Action::Elsewhere { raw } if raw.trim().is_empty() => "Started elsewhere".to_string(),
        Action::Elsewhere { raw } => format!("“{}” (started elsewhere)", name(raw.trim())),
        Action::CreateVolume(spec) => format!("Create volume of {} GB", spec.size_gb),
        Action::ResizeVolume { size_gb, .. } => format!("Resize volume to {size_gb} GB"),
        other => action_label(other.kind()).to_string(),
    }
}

/// Who started an operation, for its row and the activity list: `None` for this console's own;
/// `started elsewhere`, `started elsewhere by casey@example.com`.
pub fn origin(origin: &crate::model::Origin) -> Option<String> {
    match origin {
        crate::model::Origin::Console => None,
        crate::model::Origin::Elsewhere { by: None } => Some("started elsewhere".into()),
        crate::model::Origin::Elsewhere { by: Some(who) } => {
            Some(format!("started elsewhere by {}", name(who.trim())))
        }
    }
}

/// The notice when an operation started elsewhere is seen under way on a VM: `“reboot” (started
/// elsewhere) on web-01: Vigil follows it.`
pub fn started_elsewhere(op: &crate::model::Operation) -> String {
    let who = match &op.origin {
        crate::model::Origin::Elsewhere { by: Some(b) } => format!(" by {}", name(b.trim())),
        _ => String::new(),
    };
    format!(
        "{}{who} on {}: Vigil follows it to its end.",
        describe_action(&op.action),
        name(op.target.vm_name())
    )
}

/// What an operation is called in notices and the activity list: its action, then what it
/// acts on, named once — `Reboot web-01`, `Rename to “db-02” db-01`, `Create VM web-42`.
pub fn op_title(action: &Action, target: &str) -> String {
    format!("{} {}", describe_action(action), name(target))
        .trim_end()
        .to_string()
}

/// What a workflow is called: `Stop web-01`.
pub fn workflow_title(plan: &Plan, vm: &str) -> String {
    format!("{} {}", describe_plan(plan), name(vm))
}

/// What a bulk is called: `Reboot on 3 VMs`.
pub fn bulk_title(work: &BulkWork, vms_in_it: usize) -> String {
    let what = match work {
        BulkWork::Action(a) => describe_action(a),
        BulkWork::Plan(p) => describe_plan(p),
    };
    format!("{what} on {}", vms(vms_in_it))
}

/// `Stop`, `Resize to 2 vCPU · 4 GB RAM · 80 GB disk (VM off)`.
pub fn describe_plan(plan: &Plan) -> String {
    match plan {
        Plan::Stop { .. } => "Stop".into(),
        Plan::Guarded { change, .. } => {
            format!("{} (snapshot first)", describe_action(&change.action()))
        }
        Plan::RollBack { snapshot_name, .. } => {
            format!("Roll back to snapshot “{}”", name(snapshot_name))
        }
        Plan::ColdResize { resize, .. } => {
            format!(
                "{} (VM off)",
                describe_action(&Action::Resize(resize.clone()))
            )
        }
    }
}

/// `2 vCPU · 4 GB RAM · 80 GB disk`, after the plan name (`VPS L`) or flavor id (`flavor 3`).
pub fn size_label(size: &Size) -> String {
    let mut parts = Vec::new();
    if let Some(f) = &size.flavor {
        // A bare id ("3") says nothing on its own; a plan name ("VPS L") does.
        if f.chars().all(|c| c.is_ascii_digit()) {
            parts.push(format!("flavor {f}"));
        } else {
            parts.push(f.clone());
        }
    }
    if let Some(c) = size.vcpus {
        parts.push(format!("{c} vCPU"));
    }
    if let Some(m) = size.memory_gb {
        parts.push(format!("{m} GB RAM"));
    }
    if let Some(d) = size.disk_gb {
        parts.push(format!("{d} GB disk"));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" · ")
    }
}

pub fn phase_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Submitted => "Submitting",
        Phase::Accepted => "Accepted",
        Phase::InProgress => "In progress",
        Phase::Verifying => "Verifying",
        Phase::Succeeded => "Done",
        Phase::Failed => "Failed",
        Phase::TimedOut => "Timed out",
        Phase::NeedsCheck => "Needs check",
        Phase::Cancelled => "Cancelled",
        Phase::Superseded => "Superseded",
    }
}

pub fn step_state_label(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "Waiting",
        StepState::Running => "Running",
        StepState::Done => "Done",
        StepState::Failed => "Failed",
        StepState::NeedsCheck => "Needs check",
        StepState::Skipped => "Skipped",
        StepState::NotRun => "Not run",
    }
}

/// For the activity list: the provider's ids, as the provider wrote them.
pub fn describe_ref(r: &ProviderRef) -> String {
    match r {
        ProviderRef::Watch => "no task: the resource itself is watched".into(),
        ProviderRef::CloudsforAction {
            vm_id,
            action_type,
            started_at,
        } => format!("action {action_type} on {vm_id}, started {started_at}"),
        ProviderRef::ZennoCommand {
            command_id,
            operation,
            ..
        } => format!("command {command_id} ({operation})"),
        ProviderRef::ErigonesTask { task_id, .. } => format!("task {task_id}"),
        ProviderRef::OnetTask { task_id, .. } => format!("task {task_id}"),
        ProviderRef::OnetInstanceTask {
            instance_id,
            task_type,
        } => format!("{task_type} task of instance {instance_id}"),
        ProviderRef::HostwayServer { server_id } => format!("server {server_id}"),
        ProviderRef::HostwayBuild { server_id, .. } => format!("build of server {server_id}"),
        ProviderRef::HostwayDeletion { server_id } => format!("deletion of server {server_id}"),
        ProviderRef::HostwaySnapshot { href, .. } => format!("snapshot {href}"),
    }
}

/// Our sentence for an error, without the provider's words.
pub fn error_message(e: &ApiError) -> String {
    let status = e.status.map(|s| s.to_string()).unwrap_or_default();
    match e.kind {
        ErrorKind::Network => format!(
            "Could not reach the provider ({}).",
            e.detail.as_deref().unwrap_or("no answer")
        ),
        ErrorKind::Unauthorized => {
            "The provider refused the credentials (401). Check them in Settings.".into()
        }
        ErrorKind::LoginRefused => format!(
            "The provider refused the username or password ({status}). Check them in Settings."
        ),
        ErrorKind::Forbidden => "The provider says these credentials may not do this (403).".into(),
        ErrorKind::NeedsAddon => "The provider refused (403): snapshots and backups are a paid add-on, not active on this VM. Activate it in the provider's console.".into(),
        ErrorKind::NotFound => "The provider does not know this resource (404).".into(),
        ErrorKind::Conflict => {
            format!("The provider refused this in the VM's current state ({status}).")
        }
        ErrorKind::Invalid => format!("The provider rejected the request ({status})."),
        ErrorKind::RateLimited => {
            "The provider's rate limit was reached; Vigil waits before asking again (429).".into()
        }
        ErrorKind::Server => "The provider had an internal error; Vigil will try again.".into(),
        ErrorKind::BadResponse => format!(
            "The provider's answer to {} could not be read.",
            e.detail.as_deref().unwrap_or("a request")
        ),
    }
}

impl std::fmt::Display for ApiError {
    /// The full sentence: ours, then the provider's in quotes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", error_message(self))?;
        if let Some(t) = &self.provider_text {
            write!(f, " Provider said: “{t}”")?;
        }
        Ok(())
    }
}

/// Where a new VM goes, as the provider calls it: `region`, `project`.
pub fn place_word(place: crate::dialect::Place) -> &'static str {
    use crate::dialect::Place;
    match place {
        Place::Region => "region",
        Place::Zone => "zone",
        Place::Location => "location",
        Place::Project => "project",
    }
}

/// A catalogue's part, as a noun: `region`.
pub fn part_word(part: crate::catalogue::Part) -> &'static str {
    use crate::catalogue::Part;
    match part {
        Part::Regions => "region",
        Part::Sizes => "size",
        Part::Images => "image",
        Part::SshKeys => "SSH key",
        Part::Networks => "network",
        Part::Configurations => "configuration",
        Part::SecurityGroups => "security group",
        Part::Account => "account",
    }
}

/// `2 done · 1 skipped`.
pub fn bulk_label(s: &BulkSummary) -> String {
    let parts: Vec<String> = [
        (s.running, "running"),
        (s.done, "done"),
        (s.failed, "failed"),
        (s.needs_check, "need a check"),
        (s.cancelled, "cancelled"),
        (s.skipped, "skipped"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{} {w}", number(*n as u64)))
    .collect();
    parts.join(" · ")
}

/// `1 VM`, `1,204 VMs`.
/// `1 entry`, `3 entries`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", number(n as u64))
    }
}

pub fn vms(n: usize) -> String {
    if n == 1 {
        "1 VM".into()
    } else {
        format!("{} VMs", number(n as u64))
    }
}

/// `1,204`: thousands separated (the page formats with the user's own separators where it
/// can; this is the fallback).
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a busy row says: `rebooting…`, `Stop · step 1 of 2: Shut down`.
pub fn busy_label(kind: ActionKind, workflow: Option<&(Plan, usize, usize, StepLabel)>) -> String {
    match workflow {
        Some((plan, i, n, label)) => format!("{} · step {i} of {n}: {label}", describe_plan(plan)),
        None => progressive(kind).to_string(),
    }
}

/// What an enabled button's tooltip says it does.
pub fn choice_hint(command: crate::engine::VmCommand, through_stop: bool) -> String {
    use crate::engine::VmCommand;
    match command {
        VmCommand::Action(ActionKind::Resize) if through_stop => "The VM must be off to resize: \
            Vigil stops it, resizes it and starts it again, as one operation."
            .into(),
        VmCommand::Action(ActionKind::Delete) => {
            "Delete the VM and its disks; you type its name to confirm.".into()
        }
        VmCommand::Action(k) => action_label(k).into(),
        VmCommand::Stop => "Shut down gracefully, then power off if the VM is still running \
            when the countdown ends."
            .into(),
    }
}

/// A button's label: `Reboot`, `Stop`.
pub fn command_label(command: crate::engine::VmCommand) -> &'static str {
    match command {
        crate::engine::VmCommand::Action(k) => action_label(k),
        crate::engine::VmCommand::Stop => "Stop",
    }
}

/// "12 s of ~20 s", "45 % · 12 s", "12 s": time so far, against the usual or with the
/// provider's percentage.
pub fn so_far(
    elapsed: Millis,
    progress: Option<u8>,
    typical: Option<Millis>,
    against: &str,
) -> String {
    let elapsed = format_elapsed(elapsed);
    match (progress, typical) {
        (Some(p), _) => format!("{p} % · {elapsed}"),
        (None, Some(t)) => format!("{elapsed}{against}{}", format_duration(round_typical(t))),
        (None, None) => elapsed,
    }
}

/// Typical durations are estimates: say them in round figures.
pub fn round_typical(ms: Millis) -> Millis {
    let s = ms.saturating_add(500) / 1000;
    let rounded = match s {
        0..=9 => s.max(1),
        10..=59 => (s + 2) / 5 * 5,
        60..=599 => (s + 15) / 30 * 30,
        _ => (s + 30) / 60 * 60,
    };
    rounded * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1000), "1,000");
        assert_eq!(number(1_234_567), "1,234,567");
        assert_eq!(vms(1), "1 VM");
        assert_eq!(vms(10_000), "10,000 VMs");
    }

    #[test]
    fn a_title_names_its_vm_once() {
        let spec = crate::model::VmSpec {
            name: "web-42".into(),
            ..Default::default()
        };
        for action in [
            Action::Create(Box::new(spec)),
            Action::Reboot,
            Action::Rename {
                name: "web-43".into(),
            },
            Action::Delete { stop_first: true },
        ] {
            let title = op_title(&action, "web-42");
            assert_eq!(title.matches("web-42").count(), 1, "{title}");
        }
    }

    #[test]
    fn typical_durations_are_round() {
        assert_eq!(round_typical(21_400), 20_000);
        assert_eq!(round_typical(95_000), 90_000);
        assert_eq!(round_typical(3_200), 3_000);
    }
}
