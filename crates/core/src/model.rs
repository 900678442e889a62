//! The domain: VMs, the actions a user can ask for, and operations with their lifecycle.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::time::Millis;

/// What the VM's power looks like, as far as the provider says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PowerState {
    Running,
    Stopped,
    Starting,
    Stopping,
    Rebooting,
    /// Some other change is under way (provisioning, resizing, processing…).
    Busy,
    /// A value this version does not know, kept as the provider sent it.
    Unknown(String),
}

impl PowerState {
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            PowerState::Starting | PowerState::Stopping | PowerState::Rebooting | PowerState::Busy
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub vcpus: Option<u32>,
    pub memory_gb: Option<u32>,
    pub disk_gb: Option<u32>,
    /// A named size or flavor, where the provider has them.
    pub flavor: Option<String>,
}

impl Size {
    /// `2 vCPU · 4 GB RAM · 80 GB disk`, after the plan name (`VPS L`) or flavor id (`flavor 3`).
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.flavor {
            // A bare id ("3") says nothing on its own; a plan name ("VPS L") does.
            if f.chars().all(|c| c.is_ascii_digit()) {
                parts.push(format!("flavor {f}"));
            } else {
                parts.push(f.clone());
            }
        }
        if let Some(c) = self.vcpus {
            parts.push(format!("{c} vCPU"));
        }
        if let Some(m) = self.memory_gb {
            parts.push(format!("{m} GB RAM"));
        }
        if let Some(d) = self.disk_gb {
            parts.push(format!("{d} GB disk"));
        }
        if parts.is_empty() {
            "—".into()
        } else {
            parts.join(" · ")
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vm {
    pub id: String,
    pub name: String,
    pub power: PowerState,
    /// The provider's own status text, shown as is.
    pub status_raw: String,
    /// The provider holds a lock on the VM (an action is running): nothing else may start.
    pub locked: bool,
    pub size: Size,
    pub region: Option<String>,
    pub image: Option<String>,
    /// How many snapshots the VM has, where the provider says.
    pub snapshot_count: Option<usize>,
    /// The provider's grouping the VM lives in, where its URLs need it (ZennoHosting's project).
    #[serde(default)]
    pub project: Option<String>,
}

/// The kinds of action, without their parameters: what a button stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ActionKind {
    Start,
    Shutdown,
    PowerOff,
    Reboot,
    PowerCycle,
    PasswordReset,
    Resize,
    Rename,
    Snapshot,
    RestoreBackup,
}

impl ActionKind {
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Start => "Start",
            ActionKind::Shutdown => "Shut down",
            ActionKind::PowerOff => "Power off",
            ActionKind::Reboot => "Reboot",
            ActionKind::PowerCycle => "Power cycle",
            ActionKind::PasswordReset => "Reset password",
            ActionKind::Resize => "Resize",
            ActionKind::Rename => "Rename",
            ActionKind::Snapshot => "Snapshot",
            ActionKind::RestoreBackup => "Restore backup",
        }
    }

    /// What the VM row says while it runs: `rebooting…`.
    pub fn progressive(self) -> &'static str {
        match self {
            ActionKind::Start => "starting…",
            ActionKind::Shutdown => "shutting down…",
            ActionKind::PowerOff => "powering off…",
            ActionKind::Reboot => "rebooting…",
            ActionKind::PowerCycle => "power cycling…",
            ActionKind::PasswordReset => "resetting password…",
            ActionKind::Resize => "resizing…",
            ActionKind::Rename => "renaming…",
            ActionKind::Snapshot => "snapshotting…",
            ActionKind::RestoreBackup => "restoring…",
        }
    }

    /// Whether the action, when it works, leaves the VM in another power state than the one it
    /// needs to start from (a start, a stop): a VM seen in the target state once the task is
    /// over got there by it. A reboot leaves the VM running as it found it.
    pub fn changes_power(self) -> bool {
        matches!(
            self,
            ActionKind::Start | ActionKind::Shutdown | ActionKind::PowerOff
        )
    }

    /// Abrupt for the guest OS: the console asks for confirmation first.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            ActionKind::PowerOff | ActionKind::PowerCycle | ActionKind::RestoreBackup
        )
    }

    /// Opens a form or a confirmation before anything is sent: it needs parameters, is
    /// abrupt for the guest, or changes credentials (password reset).
    pub fn asks_first(self) -> bool {
        self.needs_parameters() || self.is_destructive() || self == ActionKind::PasswordReset
    }

    /// Needs a form (parameters) before it can be sent.
    pub fn needs_parameters(self) -> bool {
        matches!(
            self,
            ActionKind::Resize
                | ActionKind::Rename
                | ActionKind::Snapshot
                | ActionKind::RestoreBackup
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resource {
    Cpu,
    Ram,
    Disk,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Ram => "ram",
            Resource::Disk => "disk",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resize {
    /// One resource: `{"resource": "ram", "size": 2}`.
    One { resource: Resource, size: u32 },
    /// All at once: `{"data": {"cpu": 2, "ram": 3, "disk": 30}}`.
    All { cpu: u32, ram: u32, disk: u32 },
    /// To a named flavor (Hostway).
    Flavor { id: String },
}

impl Resize {
    /// The resize that takes a VM of size `from` to `cpu` vCPUs, `ram` GB and `disk` GB: the
    /// one-resource form when only one changes (as the documents show it), all three otherwise.
    pub fn to_target(from: &Size, cpu: u32, ram: u32, disk: u32) -> Result<Resize, String> {
        let changed: Vec<(Resource, u32)> = [
            (Resource::Cpu, cpu, from.vcpus),
            (Resource::Ram, ram, from.memory_gb),
            (Resource::Disk, disk, from.disk_gb),
        ]
        .into_iter()
        .filter(|(_, new, old)| Some(*new) != *old)
        .map(|(r, new, _)| (r, new))
        .collect();
        match changed.as_slice() {
            [] => Err("Change at least one resource.".into()),
            [(resource, size)] => Ok(Resize::One {
                resource: *resource,
                size: *size,
            }),
            _ => Ok(Resize::All { cpu, ram, disk }),
        }
    }
}

/// An action with its parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Start,
    Shutdown,
    PowerOff,
    Reboot,
    PowerCycle,
    PasswordReset,
    Resize(Resize),
    Rename {
        name: String,
    },
    /// `description` is sent where the provider takes one (Hostway).
    Snapshot {
        name: String,
        description: String,
    },
    RestoreBackup {
        backup_id: String,
    },
    /// A graceful shutdown the provider itself forces off after `timeout_s` seconds (Erigones'
    /// `stop {"force": false, "timeout": N}`). Only sent by the Stop workflow, on dialects that
    /// force server-side ([`crate::DialectKind::forces_stop_server_side`]).
    ShutdownWithin {
        timeout_s: u32,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Start => ActionKind::Start,
            Action::Shutdown => ActionKind::Shutdown,
            Action::PowerOff => ActionKind::PowerOff,
            Action::Reboot => ActionKind::Reboot,
            Action::PowerCycle => ActionKind::PowerCycle,
            Action::PasswordReset => ActionKind::PasswordReset,
            Action::Resize(_) => ActionKind::Resize,
            Action::Rename { .. } => ActionKind::Rename,
            Action::Snapshot { .. } => ActionKind::Snapshot,
            Action::RestoreBackup { .. } => ActionKind::RestoreBackup,
            Action::ShutdownWithin { .. } => ActionKind::Shutdown,
        }
    }

    /// The action a parameterless kind stands for; `None` for kinds that need a form.
    pub fn simple(kind: ActionKind) -> Option<Action> {
        Some(match kind {
            ActionKind::Start => Action::Start,
            ActionKind::Shutdown => Action::Shutdown,
            ActionKind::PowerOff => Action::PowerOff,
            ActionKind::Reboot => Action::Reboot,
            ActionKind::PowerCycle => Action::PowerCycle,
            ActionKind::PasswordReset => Action::PasswordReset,
            ActionKind::Resize
            | ActionKind::Rename
            | ActionKind::Snapshot
            | ActionKind::RestoreBackup => return None,
        })
    }

    /// `Reboot`, `Rename to “db-02”`, `Resize to 2 vCPU · 4 GB RAM · 80 GB disk`.
    pub fn describe(&self) -> String {
        match self {
            Action::Rename { name } => format!("Rename to “{name}”"),
            Action::Snapshot { name, .. } => format!("Snapshot “{name}”"),
            Action::RestoreBackup { backup_id } => format!("Restore backup “{backup_id}”"),
            Action::ShutdownWithin { timeout_s } => {
                format!(
                    "Shut down (forced off after {})",
                    crate::time::format_duration(Millis::from(*timeout_s) * 1000)
                )
            }
            Action::Resize(Resize::Flavor { id }) => format!("Resize to flavor {id}"),
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
            other => other.kind().label().to_string(),
        }
    }

    /// Checks the parameters a user typed; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Action::Rename { name } | Action::Snapshot { name, .. } => {
                let n = name.trim();
                if n.is_empty() {
                    Err("Enter a name.".into())
                } else if n.chars().count() > 255 {
                    Err("Names are at most 255 characters.".into())
                } else if n.chars().any(char::is_control) {
                    Err("Names cannot contain control characters.".into())
                } else {
                    Ok(())
                }
            }
            Action::Resize(Resize::One { size, .. }) if *size == 0 => {
                Err("The new size must be at least 1.".into())
            }
            Action::Resize(Resize::All { cpu, ram, disk })
                if *cpu == 0 || *ram == 0 || *disk == 0 =>
            {
                Err("Every resource must be at least 1.".into())
            }
            Action::ShutdownWithin { timeout_s } if *timeout_s == 0 => {
                Err("The grace period must be at least one second.".into())
            }
            _ => Ok(()),
        }
    }

    /// What the VM must show once this action really happened.
    pub fn expectation(&self, before: &Vm) -> Expectation {
        let mut e = Expectation {
            unlocked: true,
            ..Expectation::default()
        };
        match self {
            Action::Start | Action::Reboot | Action::PowerCycle => {
                e.power = Some(PowerTarget::Running)
            }
            Action::Shutdown | Action::PowerOff | Action::ShutdownWithin { .. } => {
                e.power = Some(PowerTarget::Stopped)
            }
            Action::PasswordReset => {}
            Action::Resize(r) => {
                let mut size = before.size.clone();
                match r {
                    Resize::One { resource, size: n } => match resource {
                        Resource::Cpu => size.vcpus = Some(*n),
                        Resource::Ram => size.memory_gb = Some(*n),
                        Resource::Disk => size.disk_gb = Some(*n),
                    },
                    Resize::All { cpu, ram, disk } => {
                        size.vcpus = Some(*cpu);
                        size.memory_gb = Some(*ram);
                        size.disk_gb = Some(*disk);
                    }
                    Resize::Flavor { id } => {
                        size = Size {
                            flavor: Some(id.trim().to_string()),
                            ..Size::default()
                        }
                    }
                }
                e.size = Some(size);
            }
            Action::Rename { name } => e.name = Some(name.trim().to_string()),
            Action::Snapshot { .. } => {
                e.snapshots_more_than = before.snapshot_count;
            }
            // A restore brings the VM back running from the backup (ZennoHosting boots it).
            Action::RestoreBackup { .. } => e.power = Some(PowerTarget::Running),
        }
        e
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PowerTarget {
    Running,
    Stopped,
}

/// The state a re-read of the VM must show before an operation counts as done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    pub power: Option<PowerTarget>,
    pub name: Option<String>,
    pub size: Option<Size>,
    /// The snapshot count must exceed this.
    pub snapshots_more_than: Option<usize>,
    pub unlocked: bool,
}

impl Expectation {
    /// The power state it waits for, when that is all it waits for (besides the lock, which a
    /// settled power state implies): a list of the VMs in that state can verify it.
    pub fn power_only(&self) -> Option<PowerTarget> {
        (self.name.is_none() && self.size.is_none() && self.snapshots_more_than.is_none())
            .then_some(self.power)
            .flatten()
    }

    /// `Ok` when the VM shows what was meant; else what it shows instead, for the user.
    pub fn check(&self, vm: &Vm) -> Result<(), String> {
        if let Some(p) = self.power {
            let ok = match p {
                PowerTarget::Running => vm.power == PowerState::Running,
                PowerTarget::Stopped => vm.power == PowerState::Stopped,
            };
            if !ok {
                return Err(format!("the VM is {}", vm.status_raw));
            }
        }
        if self.unlocked && vm.locked {
            return Err("the VM is still locked".into());
        }
        if let Some(n) = &self.name {
            if &vm.name != n {
                return Err(format!("the VM is still named “{}”", vm.name));
            }
        }
        if let Some(s) = &self.size {
            let differs = |want: Option<u32>, have: Option<u32>| want.is_some() && want != have;
            if differs(s.vcpus, vm.size.vcpus)
                || differs(s.memory_gb, vm.size.memory_gb)
                || differs(s.disk_gb, vm.size.disk_gb)
                || (s.flavor.is_some() && s.flavor != vm.size.flavor)
            {
                return Err(format!("the VM's size is {}", vm.size.label()));
            }
        }
        if let Some(before) = self.snapshots_more_than {
            if vm.snapshot_count.is_some_and(|n| n <= before) {
                return Err("the new snapshot is not listed on the VM yet".into());
            }
        }
        Ok(())
    }
}

/// The lifecycle of an operation.
///
/// `Submitted → Accepted → InProgress → Verifying → Succeeded`, or at any point `Failed`;
/// `TimedOut` when it ran past its deadline and `NeedsCheck` when the outcome is uncertain
/// (the provider says done but the VM disagrees, or a request's fate is unknown). The last two
/// stop automatic polling and offer "check now".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Phase {
    Submitted,
    Accepted,
    InProgress,
    Verifying,
    Succeeded,
    Failed,
    TimedOut,
    NeedsCheck,
    /// The provider cancelled or revoked the task.
    Cancelled,
    /// Another operation on the VM overwrote this one's status before we saw its outcome.
    Superseded,
}

impl Phase {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Phase::Submitted | Phase::Accepted | Phase::InProgress | Phase::Verifying
        )
    }

    pub fn label(self) -> &'static str {
        match self {
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
}

/// What the provider says of its task, in our terms. Unknown values stay raw and count as
/// not finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// The provider no longer knows the task (Erigones' 404 after it expired): it ended, and the
    /// VM must tell how.
    Expired,
    /// Another command overwrote the status fields this one was read from (ZennoHosting).
    Superseded {
        by: String,
    },
    Unknown(String),
}

impl TaskState {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskState::Succeeded
                | TaskState::Failed
                | TaskState::Cancelled
                | TaskState::Expired
                | TaskState::Superseded { .. }
        )
    }
}

/// The provider's own handle on an accepted operation, enough to find it again after a reload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderRef {
    /// cloudsfor: the action's `id` is the VM id, so the action is found by `type` + `started_at`.
    CloudsforAction {
        vm_id: String,
        action_type: String,
        started_at: String,
    },
    /// ZennoHosting: no task resource; the VM's own `operation` fields are read and tied to the
    /// command by its operation name and the moment it was accepted.
    ZennoCommand {
        project: String,
        vm_id: String,
        command_id: String,
        operation: String,
        accepted_at: Millis,
    },
    /// Erigones: `task_id`, observed at `/task/{id}/status/`.
    ErigonesTask { hostname: String, task_id: String },
    /// ONETSolutions: a task resource.
    OnetTask {
        instance_id: String,
        task_id: String,
    },
    /// Hostway: a server action shows as the server's `PROCESSING` status.
    HostwayServer { server_id: String },
    /// Hostway: a snapshot resource, followed at the `Location` / `self` link as given.
    HostwaySnapshot { server_id: String, href: String },
}

impl ProviderRef {
    /// For the activity list: the provider's ids, as the provider wrote them.
    pub fn describe(&self) -> String {
        match self {
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
            ProviderRef::HostwayServer { server_id } => format!("server {server_id}"),
            ProviderRef::HostwaySnapshot { href, .. } => format!("snapshot {href}"),
        }
    }
}

/// One tracked operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub connection: String,
    pub vm_id: String,
    pub vm_name: String,
    pub action: Action,
    pub phase: Phase,
    pub submitted_at: Millis,
    pub accepted_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    pub provider_ref: Option<ProviderRef>,
    /// The provider's task status as last seen, verbatim.
    pub provider_status: Option<String>,
    /// The latest word for the user: the provider's message, or why the outcome is uncertain.
    pub message: Option<String>,
    /// 0–100 where the provider gives a real percentage.
    pub progress: Option<u8>,
    /// `(attempt, of)` while the provider retries the task (ONETSolutions).
    #[serde(default)]
    pub attempt: Option<(u32, u32)>,
    /// When the provider was first seen running the current attempt again (a retry): that
    /// attempt's likely window, and the duration learned from it, run from here. Kept across
    /// reloads with the operation.
    #[serde(default)]
    pub attempt_since: Option<Millis>,
    /// When the provider's task was seen finished (successfully, or gone and left to the VM);
    /// from then on only the VM can tell more.
    #[serde(default)]
    pub task_ended_at: Option<Millis>,
    pub expect: Expectation,
    /// The last error met while tracking (retried), shown but not final.
    pub last_error: Option<ApiError>,
    /// How many observe/verify requests this operation has cost.
    pub polls: u32,
}

impl Operation {
    pub fn is_open(&self) -> bool {
        self.phase.is_open()
    }

    /// From submission to the end, or to `now` while open.
    pub fn elapsed(&self, now: Millis) -> Millis {
        self.finished_at.unwrap_or(now) - self.submitted_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resize_sends_only_what_changed() {
        let from = Size {
            vcpus: Some(2),
            memory_gb: Some(4),
            disk_gb: Some(50),
            flavor: None,
        };
        assert_eq!(
            Resize::to_target(&from, 2, 8, 50),
            Ok(Resize::One {
                resource: Resource::Ram,
                size: 8
            })
        );
        assert_eq!(
            Resize::to_target(&from, 4, 8, 50),
            Ok(Resize::All {
                cpu: 4,
                ram: 8,
                disk: 50
            })
        );
        assert!(Resize::to_target(&from, 2, 4, 50)
            .unwrap_err()
            .contains("at least one"));
    }
}
