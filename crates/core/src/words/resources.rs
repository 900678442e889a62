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
}

impl ResRefusal {
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
        }
    }
}
