//! What a provider offers for a VM's own network settings beside its networks — public
//! addresses assigned to it, reverse DNS, its firewall, a state refresh from the host, a
//! console — and why not where it does not: one [`VmNetCaps`] in each dialect's
//! [`super::Caps`], from the sheets' "IP addresses" and "console" rows.

use crate::dialect::{Absent, Avail};
use crate::model::ActionKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmNetCaps {
    /// Assigning a new public address to the VM and removing one.
    pub addresses: Avail,
    /// Setting an address's reverse DNS name.
    pub reverse_dns: Avail,
    /// Reading and replacing the VM's firewall rules.
    pub firewall: Avail,
    /// Reading the VM's state from its host again.
    pub sync: Avail,
    /// A console session the browser opens (a URL the provider hands out).
    pub console: Avail,
}

impl VmNetCaps {
    /// Nothing offered, all for `why`.
    pub const fn absent(why: Absent) -> VmNetCaps {
        VmNetCaps {
            addresses: Avail::Absent(why),
            reverse_dns: Avail::Absent(why),
            firewall: Avail::Absent(why),
            sync: Avail::Absent(why),
            console: Avail::Absent(why),
        }
    }

    /// Whether one of these actions is offered (`None`: not one of them).
    pub fn avail(&self, kind: ActionKind) -> Option<Avail> {
        Some(match kind {
            ActionKind::AssignIp | ActionKind::RemoveIp => self.addresses,
            ActionKind::SetReverseDns => self.reverse_dns,
            ActionKind::ApplyFirewall => self.firewall,
            ActionKind::SyncState => self.sync,
            ActionKind::OpenConsole => self.console,
            _ => return None,
        })
    }
}

/// cloudsfor: reverse DNS "not published; not offered", console URL "not published; not
/// offered"; no address assignment, firewall or host refresh in its sheet.
pub const CLOUDSFOR: VmNetCaps = VmNetCaps::absent(Absent::NotPublished);

/// Erigones: addresses are NIC definitions only an administrator edits (VM stopped); a PTR
/// record is edited through the DNS API by a DNS admin or the domain's owner (not done by
/// Vigil); "firewall … none published"; the console is a screenshot API, no URL. Its
/// "refresh from the node" is its own status request, not this one.
pub const ERIGONES: VmNetCaps = VmNetCaps {
    addresses: Avail::Absent(Absent::NeedsAdmin),
    reverse_dns: Avail::Absent(Absent::NotYetSupported),
    firewall: Avail::Absent(Absent::NotPublished),
    sync: Avail::Absent(Absent::NotYetSupported),
    console: Avail::Absent(Absent::ScreenshotOnly),
};

/// Hostway: flexible IPs are assigned and removed through its own flow (not done by Vigil
/// yet); reverse DNS and a console URL "none published"; no firewall rules or host refresh.
pub const HOSTWAY: VmNetCaps = VmNetCaps {
    addresses: Avail::Absent(Absent::NotYetSupported),
    ..VmNetCaps::absent(Absent::NotPublished)
};

/// ZennoHosting: reverse DNS and a console URL "not published; not offered"; public IPs are
/// the project's (its Networks page), not assigned to a VM here.
pub const ZENNO: VmNetCaps = VmNetCaps::absent(Absent::NotPublished);

/// ONETSolutions: `assign_ip`, `remove_ip`, `update_reverse_dns`, `apply_firewall`,
/// `sync_vps_state`, `get_vnc_url` (sheet "IP addresses", "Volumes, VPC, firewall, console").
pub const ONET: VmNetCaps = VmNetCaps {
    addresses: Avail::Offered,
    reverse_dns: Avail::Offered,
    firewall: Avail::Offered,
    sync: Avail::Offered,
    console: Avail::Offered,
};
