//! Words for networks, public IPs, port forwards and volumes: their kinds, states, and why
//! something about them is refused or absent.

use crate::model::{ResState, ResourceKind};

/// A resource kind, singular, lowercase ("network").
pub fn resource_word(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Vm => "VM",
        ResourceKind::Snapshot => "snapshot",
        ResourceKind::Backup => "backup",
        ResourceKind::Network => "network",
        ResourceKind::PublicIp => "public IP",
        ResourceKind::Forward => "port forward",
        ResourceKind::Volume => "volume",
        ResourceKind::Firewall => "firewall",
        ResourceKind::Console => "console session",
    }
}

/// A network's, public IP's, rule's or volume's state, where the provider gave no words.
pub fn res_state(state: &ResState) -> String {
    match state {
        ResState::Ready => "ready".into(),
        ResState::Creating => "being created".into(),
        ResState::Changing => "being changed".into(),
        ResState::Deleting => "being deleted".into(),
        ResState::Failed => "failed".into(),
        ResState::Unknown(raw) => super::name(raw),
    }
}

/// Why something about a network, public IP or port-forward rule is refused before sending.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ResRefusal {
    /// Nothing was chosen (the network, the public IP, the rule, the VPC).
    Choose,
    /// A port must be 1–65535.
    PortZero,
    /// The network still has VMs joined to it, as its list (or theirs) shows: named here.
    NetworkInUse { network: String, vms: Vec<String> },
    /// The list must be read first (a new public IP is told from the ones listed before).
    ReadListFirst { kind: ResourceKind },
    /// The public IP already forwards this protocol and port (rule `name` to VM `vm`).
    PortTaken { name: String, vm: String },
    /// ZennoHosting: a project (the place its URLs name) must be chosen.
    ChoosePlace,
    /// The list holds no such item.
    NotListed { kind: ResourceKind },
    /// Not in this scope for this provider (a network on a connection that has them per
    /// project, say).
    WrongScope,
    /// A volume's size must be 1 GB or more, up to `max` where the provider says.
    VolumeSize { max: Option<u32> },
    /// Volumes only grow: the volume has `current` GB already.
    VolumeGrowsOnly { current: u32 },
    /// The volume is attached to a VM already (named).
    VolumeAttached { vm: String },
    /// The volume is attached to no VM.
    VolumeNotAttached,
    /// Detach it first: a volume attached to a VM is not deleted.
    DetachBeforeDelete { vm: String },
    /// The VM runs: detaching a volume from it may lose data the guest has not written. The
    /// page asks to confirm, then sends the detach with `running_ok`.
    DetachWhileRunning { vm: String },
    /// ONETSolutions: a volume belongs to the instance it was made on, and attaches only there.
    VolumeOfAnotherVm { vm: String },
    /// cloudsfor: a volume attaches only to a VM of its own region.
    VolumeOtherRegion { volume: String, vm: String },
    /// cloudsfor: choose the region the volume is made in.
    ChooseRegion,
    /// The volume's last change failed and the provider holds it in error: delete it.
    VolumeInError,
    /// A change of the volume is under way (ours, or started elsewhere): wait for its end.
    VolumeBusy,
}

impl ResRefusal {
    /// A new volume's values, as the user typed them.
    pub fn check_volume(spec: &crate::model::VolumeSpec) -> Result<(), super::Refusal> {
        if !spec.name.trim().is_empty() {
            crate::model::check_name(&spec.name)?;
        }
        Self::check_volume_size(spec.size_gb)
    }

    /// A volume size: 1 GB or more (each provider's largest: [`crate::dialect::VolCaps`]).
    pub fn check_volume_size(gb: u32) -> Result<(), super::Refusal> {
        if gb == 0 {
            return Err(super::Refusal::Res(ResRefusal::VolumeSize { max: None }));
        }
        Ok(())
    }

    /// A rule's values, as the user typed them.
    pub fn check_forward(spec: &crate::model::ForwardSpec) -> Result<(), super::Refusal> {
        if spec.vm.as_str().trim().is_empty() {
            return Err(super::Refusal::Res(ResRefusal::Choose));
        }
        if spec.external_port == 0 || spec.internal_port == 0 {
            return Err(super::Refusal::Res(ResRefusal::PortZero));
        }
        Ok(())
    }
}

impl std::fmt::Display for ResRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResRefusal::Choose => write!(f, "Choose one first."),
            ResRefusal::PortZero => write!(f, "A port is a number from 1 to 65535."),
            ResRefusal::NetworkInUse { network, vms } => write!(
                f,
                "The network {} still has VMs in it: {}. Detach them first.",
                super::name(network),
                vms.iter()
                    .map(|v| super::name(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ResRefusal::ReadListFirst { kind } => write!(
                f,
                "The {} list is being read; try again in a moment.",
                resource_word(*kind)
            ),
            ResRefusal::PortTaken { name, vm } => write!(
                f,
                "{} is already forwarded to VM {}.",
                super::name(name),
                super::name(vm)
            ),
            ResRefusal::ChoosePlace => write!(f, "Choose the project first."),
            ResRefusal::NotListed { kind } => {
                write!(f, "This {} is not in the list.", resource_word(*kind))
            }
            ResRefusal::WrongScope => write!(f, "Not offered here for this provider."),
            ResRefusal::VolumeSize { max: Some(max) } => {
                write!(
                    f,
                    "A volume's size is a whole number of GB from 1 to {max}."
                )
            }
            ResRefusal::VolumeSize { max: None } => {
                write!(f, "A volume's size is a whole number of GB, at least 1.")
            }
            ResRefusal::VolumeGrowsOnly { current } => write!(
                f,
                "Volumes only grow: this one has {current} GB. Enter a larger size."
            ),
            ResRefusal::VolumeAttached { vm } => {
                write!(
                    f,
                    "The volume is already attached to VM {}.",
                    super::name(vm)
                )
            }
            ResRefusal::VolumeNotAttached => write!(f, "The volume is not attached to a VM."),
            ResRefusal::DetachBeforeDelete { vm } => write!(
                f,
                "The volume is attached to VM {}. Detach it first.",
                super::name(vm)
            ),
            ResRefusal::DetachWhileRunning { vm } => write!(
                f,
                "VM {} is running: detaching the volume while the VM uses it may lose data \
                 not yet written. Stop the VM first, or unmount the volume in the guest.",
                super::name(vm)
            ),
            ResRefusal::VolumeOfAnotherVm { vm } => write!(
                f,
                "This provider attaches a volume only to the VM it was made on (VM {}).",
                super::name(vm)
            ),
            ResRefusal::VolumeOtherRegion { volume, vm } => write!(
                f,
                "The volume is in region {} and VM {} is not: a volume attaches only to VMs of \
                 its region.",
                super::name(volume),
                super::name(vm)
            ),
            ResRefusal::ChooseRegion => write!(f, "Choose the region first."),
            ResRefusal::VolumeBusy => write!(
                f,
                "A change of this volume is under way; wait for it to end."
            ),
            ResRefusal::VolumeInError => write!(
                f,
                "The provider holds this volume in error; it can only be deleted."
            ),
        }
    }
}
