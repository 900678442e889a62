//! What a re-read must show after an address, reverse DNS or firewall change: the parts of
//! [`super::VmExpect`] and [`super::ResExpect`] about a VM's own network settings.

use serde::{Deserialize, Serialize};

use crate::model::{FirewallRule, Mismatch, Res, ResDetail, Vm, VmExpect};

/// A public address of `version` not among `before` (the VM's addresses when it was asked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAddress {
    pub version: u8,
    pub before: Vec<String>,
}

/// The reverse DNS name an address must show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PtrExpect {
    pub address: String,
    pub ptr: String,
}

/// The firewall shows the rules sent, each as sent (normalized), in the same order.
pub(crate) fn check_firewall(want: &[FirewallRule], r: &Res) -> Result<(), Mismatch> {
    let (count, unread) = match &r.detail {
        ResDetail::Firewall { rules, unread } => (rules.len() + unread.len(), !unread.is_empty()),
        _ => (0, true),
    };
    let same = r.firewall().is_some_and(|shown| {
        shown.len() == want.len()
            && shown
                .iter()
                .zip(want)
                .all(|(a, b)| a.normalized() == b.normalized())
    });
    if same {
        Ok(())
    } else {
        Err(Mismatch::FirewallDiffers { count, unread })
    }
}

/// An assigned address shows, a removed one does not, a reverse DNS name reads back.
pub(crate) fn check_addresses(e: &VmExpect, vm: &Vm) -> Result<(), Mismatch> {
    if let Some(n) = &e.new_address {
        let new = vm
            .addresses
            .iter()
            .any(|a| a.public && a.version == n.version && !n.before.contains(&a.ip));
        if !new {
            return Err(Mismatch::NoNewAddress { version: n.version });
        }
    }
    if let Some(gone) = &e.address_gone {
        if vm.addresses.iter().any(|a| &a.ip == gone) {
            return Err(Mismatch::AddressStillThere {
                address: gone.clone(),
            });
        }
    }
    if let Some(p) = &e.ptr {
        let Some(a) = vm.addresses.iter().find(|a| a.ip == p.address) else {
            return Err(Mismatch::AddressNotShown {
                address: p.address.clone(),
            });
        };
        if !a
            .reverse_dns
            .as_deref()
            .is_some_and(|r| crate::model::same_ptr(r, &p.ptr))
        {
            return Err(Mismatch::Ptr {
                address: p.address.clone(),
                current: a.reverse_dns.clone(),
            });
        }
    }
    Ok(())
}
