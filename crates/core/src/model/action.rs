//! The actions a user can ask for, with their parameters.

use serde::{Deserialize, Serialize};

use crate::ids::VmId;
use crate::model::{check_hostname, check_name, ForwardSpec, PointKind, ResourceKind};
use crate::words::Refusal;

pub use crate::model::spec::{BootFrom, Resize, Resource, VmSpec, VolumeSpec};

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
    /// Takes a snapshot now.
    Snapshot,
    /// Restores (rolls back) the VM to one of its snapshots.
    RestoreSnapshot,
    DeleteSnapshot,
    /// Takes a backup now.
    Backup,
    RestoreBackup,
    DeleteBackup,
    /// Turns the provider's automatic backups on or off.
    AutoBackups,
    /// Makes an image from a snapshot (ONETSolutions).
    SnapshotToImage,
    /// Rebuilds (reinstalls) the VM from an image: its disk is replaced.
    Rebuild,
    /// A new VM (not on a VM: on a connection).
    Create,
    Delete,
    /// An operation this console did not start (the provider's panel, its CLI, a colleague's
    /// browser), seen running on a VM: never offered as a button, never sent.
    Elsewhere,
    /// A new private network (on a connection or project).
    CreateNetwork,
    DeleteNetwork,
    /// Joins the VM to a private network.
    AttachNetwork,
    DetachNetwork,
    /// A new public IP (on a connection or project).
    AllocateIp,
    ReleaseIp,
    /// A port-forward rule of a public IP.
    CreateForward,
    UpdateForward,
    DeleteForward,
    /// Moves the VM to another VPC (ONETSolutions' `update_vpc`).
    SetVpc,
    /// Changes the guest's hostname (ONETSolutions' `change_hostname`).
    SetHostname,
    /// A new public address on the VM (ONETSolutions' `assign_ip`).
    AssignIp,
    /// Takes a public address off the VM (ONETSolutions' `remove_ip`).
    RemoveIp,
    /// Sets an address's reverse DNS name (ONETSolutions' `update_reverse_dns`).
    SetReverseDns,
    /// Replaces the VM's firewall rules (ONETSolutions' `apply_firewall`).
    ApplyFirewall,
    /// Reads the VM's state from its host again (ONETSolutions' `sync_vps_state`).
    SyncState,
    /// Opens a console session (ONETSolutions' `get_vnc_url`).
    OpenConsole,
    /// Starts the VM from an ISO of the image list (Erigones' `start {cdimage, …}`).
    StartFromIso,
    /// Stops the VM and keeps it frozen: it cannot be started until unfrozen (Erigones'
    /// `stop {freeze}`).
    Freeze,
    /// Lets a frozen VM be started again (Erigones' `stop {unfreeze}`).
    Unfreeze,
    /// Asks the compute node for the VM's status and stores it (Erigones'
    /// `PUT …/status/current/`).
    RefreshFromNode,
    /// A new block-storage volume (on a connection, or on an ONETSolutions instance).
    CreateVolume,
    AttachVolume,
    DetachVolume,
    /// Grows a volume.
    ResizeVolume,
    DeleteVolume,
}

impl ActionKind {
    /// Abrupt for the guest OS, or destroys data: the console asks for confirmation first.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            ActionKind::PowerOff
                | ActionKind::PowerCycle
                | ActionKind::RestoreBackup
                | ActionKind::RestoreSnapshot
                | ActionKind::DeleteSnapshot
                | ActionKind::DeleteBackup
                | ActionKind::Rebuild
                | ActionKind::Delete
                | ActionKind::DeleteNetwork
                | ActionKind::DetachNetwork
                | ActionKind::ReleaseIp
                | ActionKind::DeleteForward
                | ActionKind::RemoveIp
                | ActionKind::DeleteVolume
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
                | ActionKind::RestoreSnapshot
                | ActionKind::DeleteSnapshot
                | ActionKind::Backup
                | ActionKind::RestoreBackup
                | ActionKind::DeleteBackup
                | ActionKind::AutoBackups
                | ActionKind::SnapshotToImage
                | ActionKind::Rebuild
                | ActionKind::Create
                | ActionKind::Delete
                | ActionKind::CreateNetwork
                | ActionKind::DeleteNetwork
                | ActionKind::AttachNetwork
                | ActionKind::DetachNetwork
                | ActionKind::ReleaseIp
                | ActionKind::CreateForward
                | ActionKind::UpdateForward
                | ActionKind::DeleteForward
                | ActionKind::SetVpc
                | ActionKind::SetHostname
                | ActionKind::AssignIp
                | ActionKind::RemoveIp
                | ActionKind::SetReverseDns
                | ActionKind::ApplyFirewall
                | ActionKind::StartFromIso
                | ActionKind::CreateVolume
                | ActionKind::AttachVolume
                | ActionKind::DetachVolume
                | ActionKind::ResizeVolume
                | ActionKind::DeleteVolume
        )
    }

    /// The kind of recovery point it is about, where it is about one.
    pub fn point_kind(self) -> Option<PointKind> {
        match self {
            ActionKind::Snapshot
            | ActionKind::RestoreSnapshot
            | ActionKind::DeleteSnapshot
            | ActionKind::SnapshotToImage => Some(PointKind::Snapshot),
            ActionKind::Backup
            | ActionKind::RestoreBackup
            | ActionKind::DeleteBackup
            | ActionKind::AutoBackups => Some(PointKind::Backup),
            _ => None,
        }
    }

    /// Acts on an existing VM (every kind but a create and those on a connection's resources).
    pub fn on_a_vm(self) -> bool {
        self != ActionKind::Create && self.res_kind().is_none()
    }

    /// The kind of resource (beside VMs) it acts on, where it acts on one rather than on a VM
    /// ([`crate::Command::ActRes`]).
    pub fn res_kind(self) -> Option<ResourceKind> {
        match self {
            ActionKind::CreateNetwork | ActionKind::DeleteNetwork => Some(ResourceKind::Network),
            ActionKind::AllocateIp | ActionKind::ReleaseIp => Some(ResourceKind::PublicIp),
            ActionKind::CreateForward | ActionKind::UpdateForward | ActionKind::DeleteForward => {
                Some(ResourceKind::Forward)
            }
            ActionKind::CreateVolume
            | ActionKind::AttachVolume
            | ActionKind::DetachVolume
            | ActionKind::ResizeVolume
            | ActionKind::DeleteVolume => Some(ResourceKind::Volume),
            _ => None,
        }
    }
}

/// The image of [`Action::Rebuild`] where the provider rebuilds a VM from its own definition
/// only (Erigones' recreate): "the current image", whatever it is.
pub const CURRENT_IMAGE: &str = "(current)";

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
    /// Restores (rolls back) the VM to its snapshot `id` (`name`: as the user knows it).
    RestoreSnapshot {
        id: String,
        name: String,
    },
    DeleteSnapshot {
        id: String,
        name: String,
    },
    /// Takes a backup now, named so where the provider takes a name (Erigones: `name` is the
    /// backup definition it runs).
    Backup {
        name: String,
    },
    /// Restores the VM from its backup `backup_id` (`name`: as the user knows it).
    RestoreBackup {
        backup_id: String,
        #[serde(default)]
        name: String,
    },
    DeleteBackup {
        id: String,
        name: String,
    },
    /// Turns automatic backups on (`on`) or off.
    AutoBackups {
        on: bool,
    },
    /// Makes an image named `name` from the snapshot `id`.
    SnapshotToImage {
        id: String,
        name: String,
    },
    /// Rebuilds the VM from `image`: the catalogue image's id as the provider's rebuild takes it
    /// (cloudsfor's distro, ONETSolutions' image id), or [`CURRENT_IMAGE`] where the provider
    /// redeploys the VM's own definition (Erigones' recreate). See [`crate::rebuild`].
    Rebuild {
        image: String,
    },
    /// A graceful shutdown the provider itself forces off after `timeout_s` seconds (Erigones'
    /// `stop {"force": false, "timeout": N}`). Only sent by the Stop workflow, on dialects that
    /// force server-side ([`crate::dialect::Caps::forces_stop`]).
    ShutdownWithin {
        timeout_s: u32,
    },
    /// A new VM (boxed: a spec is large, most actions are not).
    Create(Box<VmSpec>),
    /// Deletes the VM; `stop_first` where the provider deletes only stopped VMs and this one
    /// ran when the user asked (Erigones: a forced stop, then undeploy, then undefine).
    Delete {
        #[serde(default)]
        stop_first: bool,
    },
    /// An operation started elsewhere, as the provider names it (`raw`: cloudsfor's action
    /// `type`, ZennoHosting's `operation`, ONETSolutions' `task_type`, Erigones' task `action`;
    /// empty until the provider said). Followed, never sent.
    Elsewhere {
        raw: String,
    },
    /// A new private network named `name` (the provider assigns its range).
    CreateNetwork {
        name: String,
    },
    DeleteNetwork {
        id: String,
        name: String,
    },
    /// Joins the VM to the network `network` (`name`: as the user knows it).
    AttachNetwork {
        network: String,
        name: String,
    },
    DetachNetwork {
        network: String,
        name: String,
    },
    /// A new public IP (the provider picks its address).
    AllocateIp,
    /// Releases the public IP `id` (`address`: as the user knows it).
    ReleaseIp {
        id: String,
        address: String,
    },
    /// A new port-forward rule on the public IP its target's scope names.
    CreateForward(ForwardSpec),
    /// Changes the rule `id` to `spec`.
    UpdateForward {
        id: String,
        spec: ForwardSpec,
    },
    DeleteForward {
        id: String,
        name: String,
    },
    /// Moves the VM into the VPC `vpc` (`name`: as the user knows it).
    SetVpc {
        vpc: String,
        name: String,
    },
    /// Changes the guest's hostname to `hostname` (a DNS name: [`check_hostname`]).
    SetHostname {
        hostname: String,
    },
    /// A new public address of IP `version` (4 or 6) on the VM; the provider picks it.
    AssignIp {
        version: u8,
    },
    /// Takes the public `address` off the VM.
    RemoveIp {
        address: String,
    },
    /// Sets the reverse DNS name of the VM's public `address` to `ptr`.
    SetReverseDns {
        address: String,
        ptr: String,
    },
    /// Replaces the VM's firewall rules with `rules` (an empty list: none).
    ApplyFirewall {
        rules: Vec<crate::model::FirewallRule>,
    },
    /// Reads the VM's state from its host again ("Refresh from the host").
    SyncState,
    /// Opens a console session on the VM.
    OpenConsole,
    /// Starts the VM booting from an ISO of the image list ([`BootFrom`]).
    StartFromIso(BootFrom),
    Freeze,
    Unfreeze,
    RefreshFromNode,
    /// A new volume in the scope it is asked in (a connection; an ONETSolutions instance).
    CreateVolume(VolumeSpec),
    /// Attaches the volume `id` (`name`: as the user knows it) to the VM `vm`.
    AttachVolume {
        id: String,
        name: String,
        vm: VmId,
    },
    /// Detaches the volume `id` from the VM `vm` it is attached to. `running_ok`: the user
    /// confirmed detaching it from a VM that runs (refused otherwise:
    /// [`crate::words::ResRefusal::DetachWhileRunning`]).
    DetachVolume {
        id: String,
        name: String,
        vm: VmId,
        #[serde(default)]
        running_ok: bool,
    },
    /// Grows the volume `id` to `size_gb`.
    ResizeVolume {
        id: String,
        name: String,
        size_gb: u32,
    },
    DeleteVolume {
        id: String,
        name: String,
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
            Action::RestoreSnapshot { .. } => ActionKind::RestoreSnapshot,
            Action::DeleteSnapshot { .. } => ActionKind::DeleteSnapshot,
            Action::Backup { .. } => ActionKind::Backup,
            Action::RestoreBackup { .. } => ActionKind::RestoreBackup,
            Action::DeleteBackup { .. } => ActionKind::DeleteBackup,
            Action::AutoBackups { .. } => ActionKind::AutoBackups,
            Action::SnapshotToImage { .. } => ActionKind::SnapshotToImage,
            Action::Rebuild { .. } => ActionKind::Rebuild,
            Action::ShutdownWithin { .. } => ActionKind::Shutdown,
            Action::Create(_) => ActionKind::Create,
            Action::Delete { .. } => ActionKind::Delete,
            Action::Elsewhere { .. } => ActionKind::Elsewhere,
            Action::CreateNetwork { .. } => ActionKind::CreateNetwork,
            Action::DeleteNetwork { .. } => ActionKind::DeleteNetwork,
            Action::AttachNetwork { .. } => ActionKind::AttachNetwork,
            Action::DetachNetwork { .. } => ActionKind::DetachNetwork,
            Action::AllocateIp => ActionKind::AllocateIp,
            Action::ReleaseIp { .. } => ActionKind::ReleaseIp,
            Action::CreateForward(_) => ActionKind::CreateForward,
            Action::UpdateForward { .. } => ActionKind::UpdateForward,
            Action::DeleteForward { .. } => ActionKind::DeleteForward,
            Action::SetVpc { .. } => ActionKind::SetVpc,
            Action::SetHostname { .. } => ActionKind::SetHostname,
            Action::AssignIp { .. } => ActionKind::AssignIp,
            Action::RemoveIp { .. } => ActionKind::RemoveIp,
            Action::SetReverseDns { .. } => ActionKind::SetReverseDns,
            Action::ApplyFirewall { .. } => ActionKind::ApplyFirewall,
            Action::SyncState => ActionKind::SyncState,
            Action::OpenConsole => ActionKind::OpenConsole,
            Action::StartFromIso(_) => ActionKind::StartFromIso,
            Action::Freeze => ActionKind::Freeze,
            Action::Unfreeze => ActionKind::Unfreeze,
            Action::RefreshFromNode => ActionKind::RefreshFromNode,
            Action::CreateVolume(_) => ActionKind::CreateVolume,
            Action::AttachVolume { .. } => ActionKind::AttachVolume,
            Action::DetachVolume { .. } => ActionKind::DetachVolume,
            Action::ResizeVolume { .. } => ActionKind::ResizeVolume,
            Action::DeleteVolume { .. } => ActionKind::DeleteVolume,
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
            ActionKind::AllocateIp => Action::AllocateIp,
            ActionKind::Freeze => Action::Freeze,
            ActionKind::Unfreeze => Action::Unfreeze,
            ActionKind::RefreshFromNode => Action::RefreshFromNode,
            ActionKind::SyncState => Action::SyncState,
            ActionKind::OpenConsole => Action::OpenConsole,
            ActionKind::AssignIp
            | ActionKind::RemoveIp
            | ActionKind::SetReverseDns
            | ActionKind::ApplyFirewall
            | ActionKind::StartFromIso
            | ActionKind::CreateNetwork
            | ActionKind::DeleteNetwork
            | ActionKind::AttachNetwork
            | ActionKind::DetachNetwork
            | ActionKind::ReleaseIp
            | ActionKind::CreateForward
            | ActionKind::UpdateForward
            | ActionKind::DeleteForward
            | ActionKind::SetVpc
            | ActionKind::SetHostname
            | ActionKind::CreateVolume
            | ActionKind::AttachVolume
            | ActionKind::DetachVolume
            | ActionKind::ResizeVolume
            | ActionKind::DeleteVolume
            | ActionKind::Resize
            | ActionKind::Rename
            | ActionKind::Snapshot
            | ActionKind::RestoreSnapshot
            | ActionKind::DeleteSnapshot
            | ActionKind::Backup
            | ActionKind::RestoreBackup
            | ActionKind::DeleteBackup
            | ActionKind::AutoBackups
            | ActionKind::SnapshotToImage
            | ActionKind::Rebuild
            | ActionKind::Create
            | ActionKind::Delete
            | ActionKind::Elsewhere => return None,
        })
    }

    /// Checks the parameters a user typed; the refusal says what to fix.
    pub fn validate(&self) -> Result<(), Refusal> {
        match self {
            Action::Rename { name }
            | Action::Snapshot { name, .. }
            | Action::Backup { name }
            | Action::CreateNetwork { name }
            | Action::SnapshotToImage { name, .. } => check_name(name),
            Action::SetHostname { hostname } => check_hostname(hostname),
            Action::DeleteNetwork { id, .. }
            | Action::AttachNetwork { network: id, .. }
            | Action::DetachNetwork { network: id, .. }
            | Action::ReleaseIp { id, .. }
            | Action::DeleteForward { id, .. }
            | Action::UpdateForward { id, .. }
            | Action::SetVpc { vpc: id, .. }
            | Action::AttachVolume { id, .. }
            | Action::DetachVolume { id, .. }
            | Action::ResizeVolume { id, .. }
            | Action::DeleteVolume { id, .. }
                if id.trim().is_empty() =>
            {
                Err(Refusal::Res(crate::words::ResRefusal::Choose))
            }
            Action::CreateForward(spec) | Action::UpdateForward { spec, .. } => {
                crate::words::ResRefusal::check_forward(spec)
            }
            Action::AssignIp { version } if *version != 4 && *version != 6 => {
                Err(Refusal::VmNet(crate::words::VmNetRefusal::IpVersion))
            }
            Action::RemoveIp { address } | Action::SetReverseDns { address, .. }
                if address.trim().is_empty() =>
            {
                Err(Refusal::VmNet(crate::words::VmNetRefusal::ChooseAddress))
            }
            Action::SetReverseDns { ptr, .. } => crate::model::check_ptr(ptr)
                .map(drop)
                .map_err(Refusal::VmNet),
            Action::ApplyFirewall { rules } => crate::model::check_rules(rules),
            Action::AttachVolume { vm, .. } | Action::DetachVolume { vm, .. }
                if vm.as_str().trim().is_empty() =>
            {
                Err(Refusal::Res(crate::words::ResRefusal::Choose))
            }
            Action::CreateVolume(spec) => crate::words::ResRefusal::check_volume(spec),
            Action::ResizeVolume { size_gb, .. } => {
                crate::words::ResRefusal::check_volume_size(*size_gb)
            }
            Action::RestoreSnapshot { id, .. }
            | Action::DeleteSnapshot { id, .. }
            | Action::RestoreBackup { backup_id: id, .. }
            | Action::DeleteBackup { id, .. }
                if id.trim().is_empty() =>
            {
                Err(Refusal::Point(crate::words::PointRefusal::ChoosePoint))
            }
            Action::Create(spec) => {
                check_name(&spec.name)?;
                if spec.image.trim().is_empty() {
                    return Err(Refusal::ChooseImage);
                }
                Ok(())
            }
            Action::Rebuild { image } if image.trim().is_empty() => Err(Refusal::ChooseImage),
            Action::StartFromIso(b) if b.cdimage.trim().is_empty() => Err(Refusal::ChooseImage),
            Action::Resize(Resize::One { size, .. }) if *size == 0 => Err(Refusal::SizeAtLeastOne),
            Action::Resize(Resize::All { cpu, ram, disk })
                if *cpu == 0 || *ram == 0 || *disk == 0 =>
            {
                Err(Refusal::SizeAtLeastOne)
            }
            Action::ShutdownWithin { timeout_s } if *timeout_s == 0 => Err(Refusal::GraceZero),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "action_tests.rs"]
mod tests;
