//! What the Networks page and a VM's Network tab (its networks part) say besides the
//! provider's own words.

use crate::dialect::DialectKind;
use crate::model::{Protocol, ResourceKind};

/// A word of the Networks page or a VM's networks part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetLabel {
    /// A connection's section: its name and provider.
    Connection {
        name: String,
        provider: DialectKind,
    },
    /// A project's part of a connection (ZennoHosting).
    Project(String),
    /// The networks table's caption.
    PrivateNetworks,
    PublicIps,
    /// The rules table's caption: the public IP's address.
    ForwardsOf(String),
    Name,
    Range,
    State,
    Vms,
    Actions,
    Address,
    /// The VM a public IP is attached to.
    AttachedTo,
    Protocol,
    ExternalPort,
    Vm,
    InternalPort,
    InternalIp,
    /// The range is not there yet: the provider assigns it.
    RangePending,
    /// The provider shows no range for its networks.
    RangeNotShown(DialectKind),
    /// The provider does not say which VMs a network holds.
    MembersNotShown(DialectKind),
    /// No VM is in the network.
    NoVms,
    /// None of this kind listed.
    NoneYet(ResourceKind),
    Reading,
    ReadAgain,
    ReadFailed,
    NetworkName,
    Delete,
    Release,
    Change,
    Save,
    /// Asked before a network, public IP or rule is deleted: its name.
    ConfirmDelete {
        kind: ResourceKind,
        name: String,
    },
    /// A public IP released: its forwards go with it.
    ConfirmRelease(String),
    /// The operations on these, newest first.
    Recent,
    /// A VM's part: the networks it is in.
    VmNetworks,
    /// A VM's part: its private addresses, where the provider names no network on them.
    PrivateAddresses,
    Join,
    Leave,
    /// The network picker of a join or leave.
    PickNetwork,
    /// Nothing left to join.
    NothingToJoin,
    /// A VM's part: the port forwards pointing at it.
    ForwardsToVm,
    NoForwardsToVm,
    /// The rule form's protocol choice.
    ProtocolName(Protocol),
    /// Where the rules of a VM's public IPs are managed.
    ManageOnNetworksPage,
    /// A VM named by its id only (not in the list read).
    VmById(String),
}

impl NetLabel {
    pub fn text(&self) -> String {
        use NetLabel as L;
        match self {
            L::Connection { name, provider } => {
                format!("{} ({})", super::name(name), provider.label())
            }
            L::Project(p) => format!("Project {}", super::name(p)),
            L::PrivateNetworks => "Private networks".into(),
            L::PublicIps => "Public IPs".into(),
            L::ForwardsOf(ip) => format!("Port forwards of {}", super::name(ip)),
            L::Name => "Name".into(),
            L::Range => "Range".into(),
            L::State => "State".into(),
            L::Vms => "VMs in it".into(),
            L::Actions => "Actions".into(),
            L::Address => "Address".into(),
            L::AttachedTo => "Attached to".into(),
            L::Protocol => "Protocol".into(),
            L::ExternalPort => "External port".into(),
            L::Vm => "VM".into(),
            L::InternalPort => "Internal port".into(),
            L::InternalIp => "Internal IP".into(),
            L::RangePending => "being assigned by the provider".into(),
            L::RangeNotShown(p) => format!("{} does not show a network's range", p.label()),
            L::MembersNotShown(p) => format!(
                "{} does not say which VMs a network holds: each VM's page shows its private addresses",
                p.label()
            ),
            L::NoVms => "none".into(),
            L::NoneYet(kind) => format!("No {} yet.", plural(*kind)),
            L::Reading => "Reading…".into(),
            L::ReadAgain => "Read again".into(),
            L::ReadFailed => "Could not read the list:".into(),
            L::NetworkName => "Network name".into(),
            L::Delete => "Delete".into(),
            L::Release => "Release".into(),
            L::Change => "Change".into(),
            L::Save => "Save".into(),
            L::ConfirmDelete { kind, name } => format!(
                "Delete the {} {}? This cannot be undone.",
                super::resource_word(*kind),
                super::name(name)
            ),
            L::ConfirmRelease(ip) => format!(
                "Release {}? The address goes back to the provider, with its port forwards.",
                super::name(ip)
            ),
            L::Recent => "Under way and recent".into(),
            L::VmNetworks => "Private networks".into(),
            L::PrivateAddresses => "Private addresses".into(),
            L::Join => "Join".into(),
            L::Leave => "Leave".into(),
            L::PickNetwork => "Network".into(),
            L::NothingToJoin => "No other network to join.".into(),
            L::ForwardsToVm => "Port forwards to this VM".into(),
            L::NoForwardsToVm => "No port forward points at this VM.".into(),
            L::ProtocolName(p) => p.as_str().to_ascii_uppercase(),
            L::ManageOnNetworksPage => "Manage public IPs and port forwards".into(),
            L::VmById(id) => format!("VM {}", super::name(id)),
        }
    }
}

/// A kind, plural ("networks").
pub fn plural(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Network => "networks",
        ResourceKind::PublicIp => "public IPs",
        ResourceKind::Forward => "port forwards",
        ResourceKind::Volume => "volumes",
        ResourceKind::Snapshot => "snapshots",
        ResourceKind::Backup => "backups",
        ResourceKind::Vm => "VMs",
        ResourceKind::Firewall => "firewall rules",
        ResourceKind::Console => "console sessions",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_facts_name_the_provider() {
        let t = NetLabel::RangeNotShown(DialectKind::Cloudsfor).text();
        assert!(t.starts_with("cloudsfor"), "{t}");
        assert_eq!(
            NetLabel::ProtocolName(Protocol::Udp).text(),
            "UDP".to_string()
        );
    }
}
