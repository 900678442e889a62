//! What a network, public IP, rule or volume must show once an operation on it really
//! happened, and what is known of it when that is checked.

use serde::{Deserialize, Serialize};

use crate::ids::VmId;
use crate::model::{FirewallRule, ForwardSpec, Mismatch, Res, ResState};

/// A network, public IP, rule or volume an operation is about, as its list shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ResSeen<'a> {
    Unread,
    Absent,
    Found(&'a Res),
}

/// What a new or changed resource must show, besides being listed and ready.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResExpect {
    /// A network shows its range.
    #[serde(default)]
    pub cidr: bool,
    /// A public IP shows its address.
    #[serde(default)]
    pub address: bool,
    /// A rule shows these values.
    #[serde(default)]
    pub forward: Option<ForwardSpec>,
    /// A volume shows this size (GB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_gb: Option<u32>,
    /// A volume is attached to this VM (`Some(None)`: to none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached: Option<Option<VmId>>,
    /// A VM's firewall shows exactly these rules, in this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall: Option<Vec<FirewallRule>>,
    /// A console session shows its URL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub console_url: bool,
}

impl ResExpect {
    /// `Ok` when the resource is listed, ready, and shows what was meant.
    pub fn check(&self, seen: Option<ResSeen<'_>>) -> Result<(), Mismatch> {
        let r = match seen {
            None | Some(ResSeen::Unread) => return Err(Mismatch::ResUnread),
            Some(ResSeen::Absent) => return Err(Mismatch::ResNotListed),
            Some(ResSeen::Found(r)) => r,
        };
        if r.state != ResState::Ready {
            return Err(Mismatch::ResNotReady {
                state: r.state.clone(),
                status: r.status_raw.clone(),
            });
        }
        if self.cidr && r.cidr().is_none_or(|c| c.trim().is_empty()) {
            return Err(Mismatch::NoCidr);
        }
        if self.address && r.address().is_none_or(|a| a.trim().is_empty()) {
            return Err(Mismatch::NoIpAddress);
        }
        if let Some(want) = &self.forward {
            if r.forward() != Some(want) {
                return Err(Mismatch::ForwardDiffers {
                    current: r.forward().cloned(),
                });
            }
        }
        if let Some(want) = self.size_gb {
            if r.size_gb() != Some(want) {
                return Err(Mismatch::VolumeSize {
                    current: r.size_gb(),
                });
            }
        }
        if let Some(want) = &self.attached {
            if r.attached_to() != want.as_ref() {
                return Err(Mismatch::VolumeAttachment {
                    current: r.attached_to().cloned(),
                });
            }
        }
        if let Some(want) = &self.firewall {
            super::vmexpect::check_firewall(want, r)?;
        }
        if self.console_url && r.console().is_none() {
            return Err(Mismatch::NoConsoleUrl);
        }
        Ok(())
    }
}
