//! Words for a VM's own network settings (the Network tab): addresses, reverse DNS, the
//! firewall table, the console, and why something about them is refused.

use std::fmt::{self, Display, Formatter};

use serde::{Deserialize, Serialize};

use crate::model::{FwAction, FwDirection, FwProtocol};

/// Why an address, reverse DNS name, firewall rule or console request is refused before
/// anything is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VmNetRefusal {
    /// No address was chosen.
    ChooseAddress,
    /// An IP version is 4 or 6.
    IpVersion,
    /// The VM does not show this address (as last listed).
    AddressNotOnVm {
        address: String,
    },
    /// A private (VPC) address: it changes with the VPC, it is not removed on its own.
    PrivateNotRemovable {
        address: String,
    },
    /// Reverse DNS is set on public addresses only.
    PtrOnPublicOnly {
        address: String,
    },
    PtrMissing,
    /// Not a host name (`mail.example.com`).
    PtrInvalid,
    /// A port or port range: 1–65535, `from-to`.
    PortRange,
    /// A range whose first port is above its last.
    PortRangeBackwards,
    /// ICMP (and "any") rules name no ports.
    NoPortsFor {
        protocol: FwProtocol,
    },
    SourceMissing,
    /// Not an address, a CIDR range or `any`.
    Source {
        source: String,
    },
    /// The rule on row `row` (from 1) is wrong so.
    Rule {
        row: usize,
        why: Box<VmNetRefusal>,
    },
    /// The rule on row `row` repeats an earlier one.
    DuplicateRule {
        row: usize,
    },
    TooManyRules {
        max: usize,
    },
}

impl Display for VmNetRefusal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use VmNetRefusal as V;
        match self {
            V::ChooseAddress => write!(f, "Choose an address first."),
            V::IpVersion => write!(f, "Choose IPv4 or IPv6."),
            V::AddressNotOnVm { address } => {
                write!(f, "The VM does not show the address {}.", super::name(address))
            }
            V::PrivateNotRemovable { address } => write!(
                f,
                "{} is the VM's private (VPC) address: it changes with the VPC and cannot be removed on its own.",
                super::name(address)
            ),
            V::PtrOnPublicOnly { address } => write!(
                f,
                "Reverse DNS is set on public addresses only; {} is private.",
                super::name(address)
            ),
            V::PtrMissing => write!(f, "Enter a host name, such as mail.example.com."),
            V::PtrInvalid => write!(
                f,
                "Enter a host name such as mail.example.com: letters, digits and hyphens, in parts separated by dots."
            ),
            V::PortRange => write!(
                f,
                "Ports are numbers from 1 to 65535: one port (22) or a range (1000-2000); empty for every port."
            ),
            V::PortRangeBackwards => write!(f, "A range goes from the lower port to the higher."),
            V::NoPortsFor { protocol } => write!(
                f,
                "{} rules have no ports; leave the ports empty.",
                protocol_label(*protocol)
            ),
            V::SourceMissing => write!(f, "Enter a source: an address, a range such as 203.0.113.0/24, or any."),
            V::Source { source } => write!(
                f,
                "{} is not an address, a range such as 203.0.113.0/24, or any.",
                super::name(source)
            ),
            V::Rule { row, why } => write!(f, "Rule {row}: {why}"),
            V::DuplicateRule { row } => write!(f, "Rule {row} repeats an earlier rule."),
            V::TooManyRules { max } => write!(f, "At most {max} rules can be applied at once."),
        }
    }
}

pub fn direction_label(d: FwDirection) -> &'static str {
    match d {
        FwDirection::In => "Inbound",
        FwDirection::Out => "Outbound",
    }
}

pub fn protocol_label(p: FwProtocol) -> &'static str {
    match p {
        FwProtocol::Tcp => "TCP",
        FwProtocol::Udp => "UDP",
        FwProtocol::Icmp => "ICMP",
        FwProtocol::Any => "Any protocol",
    }
}

pub fn fw_action_label(a: FwAction) -> &'static str {
    match a {
        FwAction::Allow => "Allow",
        FwAction::Deny => "Deny",
    }
}

/// The Network tab's fixed words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmNetLabel {
    AddressesHeading,
    AddressesCaption,
    Address,
    Version,
    Kind,
    ReverseDns,
    Public,
    Private,
    NoReverseDns,
    AssignIp,
    AssignIpv4,
    AssignIpv6,
    Remove,
    EditReverseDns,
    SaveReverseDns,
    Cancel,
    NoAddresses,
    VpcHeading,
    VpcNone,
    MoveVpc,
    VpcChoose,
    FirewallHeading,
    FirewallCaption,
    Direction,
    Protocol,
    Ports,
    PortsHint,
    Source,
    FwAction,
    AddRule,
    RemoveRule,
    ApplyFirewall,
    NoRules,
    FirewallReading,
    FirewallUnread,
    RefreshHeading,
    RefreshFromHost,
    RefreshWhat,
    ConsoleHeading,
    OpenConsole,
    ConsoleWhat,
    ConsoleReady,
    ConsoleExpired,
    RemoveIpConfirm,
    Running,
}

impl Display for VmNetLabel {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use VmNetLabel as L;
        f.write_str(match self {
            L::AddressesHeading => "IP addresses",
            L::AddressesCaption => "The VM's IP addresses",
            L::Address => "Address",
            L::Version => "Version",
            L::Kind => "Kind",
            L::ReverseDns => "Reverse DNS",
            L::Public => "Public",
            L::Private => "Private",
            L::NoReverseDns => "None",
            L::AssignIp => "Assign IP",
            L::AssignIpv4 => "Assign IPv4",
            L::AssignIpv6 => "Assign IPv6",
            L::Remove => "Remove",
            L::EditReverseDns => "Edit reverse DNS",
            L::SaveReverseDns => "Save reverse DNS",
            L::Cancel => "Cancel",
            L::NoAddresses => "The provider lists no addresses for this VM.",
            L::VpcHeading => "VPC",
            L::VpcNone => "In no VPC",
            L::MoveVpc => "Move to VPC",
            L::VpcChoose => "VPC to move to",
            L::FirewallHeading => "Firewall",
            L::FirewallCaption => "Firewall rules, applied in order",
            L::Direction => "Direction",
            L::Protocol => "Protocol",
            L::Ports => "Ports",
            L::PortsHint => "One port (22) or a range (1000-2000); empty for every port.",
            L::Source => "Source",
            L::FwAction => "Action",
            L::AddRule => "Add rule",
            L::RemoveRule => "Remove rule",
            L::ApplyFirewall => "Apply firewall",
            L::NoRules => "No rules: the provider's default applies.",
            L::FirewallReading => "Reading the firewall rules…",
            L::FirewallUnread => {
                "Some rules the provider shows could not be read; applying replaces them all."
            }
            L::RefreshHeading => "Refresh from the host",
            L::RefreshFromHost => "Refresh from the host",
            L::RefreshWhat => {
                "Asks the provider to read the VM's state from its host again, for when the panel and the VM disagree."
            }
            L::ConsoleHeading => "Console",
            L::OpenConsole => "Open console",
            L::ConsoleWhat => {
                "Asks the provider for a console session; once it is ready, open it in a new tab. Sessions expire after a few minutes."
            }
            L::ConsoleReady => "Open the console in a new tab",
            L::ConsoleExpired => "The session expired; open the console again.",
            L::RemoveIpConfirm => "Remove IP",
            L::Running => "Operations here",
        })
    }
}

/// Asked before an address is removed.
pub fn remove_ip_prompt(address: &str) -> String {
    format!(
        "Remove {} from this VM? Whatever uses this address stops reaching the VM, and the address may not come back.",
        super::name(address)
    )
}

/// "The console of api-01 is ready until 14:05." (the time as the page formats it).
pub fn console_ready(vm: &str, until: Option<&str>) -> String {
    match until {
        Some(t) => format!(
            "The console session of {} is ready until {t}.",
            super::name(vm)
        ),
        None => format!("The console session of {} is ready.", super::name(vm)),
    }
}

/// The accessible name of an address's Copy button, its reverse DNS editor and its Remove.
pub fn address_control(label: VmNetLabel, address: &str) -> String {
    format!("{label} {address}")
}

/// The accessible name of a firewall row's control: "Ports, rule 2".
pub fn rule_control(label: VmNetLabel, row: usize) -> String {
    format!("{label}, rule {row}")
}
