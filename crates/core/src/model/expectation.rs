//! What each action must show once it really happened: [`Action::expectation`], with what
//! the connection's provider says ([`Action::expectation_on`]).

use crate::dialect::Caps;
use crate::model::{
    Action, Addressed, Expect, NetExpect, NewAddress, PowerState, PowerTarget, PtrExpect,
    ResExpect, Resize, Resource, Size, Vm, VmExpect, CURRENT_IMAGE,
};
impl Action {
    /// What the target must show once this action really happened. `before` is the VM as last
    /// seen (none for a create); `addressed`: which addresses the provider lists for a new VM
    /// once it is ready (see [`crate::dialect::CreateCaps`]).
    pub fn expectation(&self, before: Option<&Vm>, addressed: Addressed) -> Expect {
        self.expectation_keeping(before, addressed, true)
    }

    /// As [`Action::expectation`]; `restore_keeps_power`: a restore leaves the VM powered as it
    /// was (every sheet but cloudsfor's, whose restore is done when unlocked).
    pub fn expectation_keeping(
        &self,
        before: Option<&Vm>,
        addressed: Addressed,
        restore_keeps_power: bool,
    ) -> Expect {
        let mut e = VmExpect {
            unlocked: true,
            ..VmExpect::default()
        };
        match self {
            Action::Start | Action::Reboot | Action::PowerCycle => {
                e.power = Some(PowerTarget::Running)
            }
            Action::Shutdown | Action::PowerOff | Action::ShutdownWithin { .. } => {
                e.power = Some(PowerTarget::Stopped)
            }
            Action::PasswordReset => {}
            Action::Resize(r) => e.size = Some(resized(before, r)),
            Action::Rename { name } => e.name = Some(name.trim().to_string()),
            Action::Snapshot { .. } | Action::Backup { .. } => return Expect::PointReady,
            Action::DeleteSnapshot { .. } | Action::DeleteBackup { .. } => return Expect::Gone,
            // Back as it was, from a point that is ready again.
            Action::RestoreSnapshot { .. } | Action::RestoreBackup { .. } => {
                if restore_keeps_power {
                    e.power = before.and_then(|v| settled_power(&v.power));
                }
                return Expect::Restored {
                    vm: e,
                    point_ready: true,
                };
            }
            Action::SnapshotToImage { .. } => {
                return Expect::Restored {
                    vm: e,
                    point_ready: true,
                }
            }
            // The new image, where one was chosen; the provider's own end state comes from its
            // caps ([`Action::expectation_on`]).
            Action::Rebuild { image } => {
                e.image = Some(image.trim().to_string()).filter(|i| i != CURRENT_IMAGE)
            }
            Action::AutoBackups { on } => e.backups = Some(*on),
            Action::Create(_) => {
                e.power = Some(PowerTarget::Running);
                e.addressed = addressed != Addressed::No;
                e.public_address = addressed == Addressed::Public;
                return Expect::Appears(e);
            }
            Action::Delete { .. } => return Expect::Gone,
            Action::DeleteNetwork { .. }
            | Action::ReleaseIp { .. }
            | Action::DeleteForward { .. } => return Expect::Gone,
            // The provider assigns the range: done once it shows one.
            Action::CreateNetwork { .. } => {
                return Expect::ResReady(ResExpect {
                    cidr: true,
                    ..ResExpect::default()
                })
            }
            Action::AllocateIp => {
                return Expect::ResReady(ResExpect {
                    address: true,
                    ..ResExpect::default()
                })
            }
            Action::CreateForward(spec) | Action::UpdateForward { spec, .. } => {
                return Expect::ResReady(ResExpect {
                    forward: Some(spec.clone()),
                    ..ResExpect::default()
                })
            }
            Action::AttachNetwork { network, .. } | Action::DetachNetwork { network, .. } => {
                e.network = Some(NetExpect {
                    network: network.trim().to_string(),
                    attached: matches!(self, Action::AttachNetwork { .. }),
                    private_before: None,
                })
            }
            Action::SetVpc { vpc, .. } => e.vpc = Some(vpc.trim().to_string()),
            Action::SetHostname { hostname } => {
                e.hostname = Some(crate::model::normal_hostname(hostname))
            }
            Action::AssignIp { version } => {
                e.new_address = Some(NewAddress {
                    version: *version,
                    before: before
                        .map(|v| v.addresses.iter().map(|a| a.ip.clone()).collect())
                        .unwrap_or_default(),
                })
            }
            Action::RemoveIp { address } => e.address_gone = Some(address.trim().to_string()),
            Action::SetReverseDns { address, ptr } => {
                e.ptr = Some(PtrExpect {
                    address: address.trim().to_string(),
                    ptr: crate::model::check_ptr(ptr).unwrap_or_else(|_| ptr.trim().to_string()),
                })
            }
            // The firewall read back shows the rules sent.
            Action::ApplyFirewall { rules } => {
                return Expect::ResReady(ResExpect {
                    firewall: Some(rules.iter().map(|r| r.normalized()).collect()),
                    ..ResExpect::default()
                })
            }
            // The session the task made, read by its id, holds its URL.
            Action::OpenConsole => {
                return Expect::ResReady(ResExpect {
                    console_url: true,
                    ..ResExpect::default()
                })
            }
            // The task ended and the VM, read again, is no longer held by it.
            Action::SyncState => {}
            Action::DeleteVolume { .. } => return Expect::Gone,
            // A new volume: ready with the size asked, attached to nothing.
            Action::CreateVolume(spec) => {
                return Expect::ResReady(ResExpect {
                    size_gb: Some(spec.size_gb),
                    attached: Some(None),
                    ..ResExpect::default()
                })
            }
            Action::AttachVolume { vm, .. } => {
                return Expect::ResReady(ResExpect {
                    attached: Some(Some(vm.clone())),
                    ..ResExpect::default()
                })
            }
            Action::DetachVolume { .. } => {
                return Expect::ResReady(ResExpect {
                    attached: Some(None),
                    ..ResExpect::default()
                })
            }
            Action::ResizeVolume { size_gb, .. } => {
                return Expect::ResReady(ResExpect {
                    size_gb: Some(*size_gb),
                    ..ResExpect::default()
                })
            }
            // Started elsewhere: the VM settles (nothing under way on it any more).
            Action::Elsewhere { .. } => {}
            Action::StartFromIso(_) => e.power = Some(PowerTarget::Running),
            // Off, and frozen as the provider words it (a stop alone shows `stopped`).
            Action::Freeze => {
                e.power = Some(PowerTarget::Stopped);
                e.status = Some(FROZEN.into());
            }
            Action::Unfreeze => {
                e.power = Some(PowerTarget::Stopped);
                e.status = Some(UNFROZEN.into());
            }
            // The node's status stored: the task's report proves it, the VM re-read settles.
            Action::RefreshFromNode => {}
        }
        Expect::Shows(e)
    }
}

/// The status a frozen VM shows (Erigones), and the one it shows once unfrozen.
pub const FROZEN: &str = "frozen";
pub const UNFROZEN: &str = "stopped";

fn settled_power(p: &PowerState) -> Option<PowerTarget> {
    match p {
        PowerState::Running => Some(PowerTarget::Running),
        PowerState::Stopped => Some(PowerTarget::Stopped),
        _ => None,
    }
}

impl Action {
    /// [`Action::expectation`] with what this connection's provider says: which addresses a new
    /// VM lists, and the state a rebuilt VM ends in ([`crate::dialect::RebuildCaps`]).
    pub fn expectation_on(&self, before: Option<&Vm>, caps: &Caps) -> Expect {
        let addressed = caps.create.map(|cc| cc.addressed()).unwrap_or_default();
        let keeps_power = caps.points.restore_keeps_power;
        let mut expect = self.expectation_keeping(before, addressed, keeps_power);
        match &mut expect {
            // No range shown: listed is done (cloudsfor's synchronous create).
            Expect::ResReady(r) if !caps.net.cidr.offered() => r.cidr = false,
            // No network named on the VM's addresses: judged by its private addresses.
            Expect::Shows(VmExpect {
                network: Some(n), ..
            }) if !caps.net.members.offered() => {
                n.private_before = Some(before.map(NetExpect::private_of).unwrap_or_default());
            }
            _ => {}
        }
        if let (Action::Rebuild { .. }, Some(rc), Expect::Shows(e)) =
            (self, caps.rebuild, &mut expect)
        {
            if rc.ends_running {
                e.power = Some(PowerTarget::Running);
            }
        }
        expect
    }
}

fn resized(before: Option<&Vm>, r: &Resize) -> Size {
    let mut size = before.map(|v| v.size.clone()).unwrap_or_default();
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
        Resize::Size { name, .. } => {
            size = Size {
                flavor: Some(name.trim().to_string()),
                ..Size::default()
            }
        }
    }
    size
}
