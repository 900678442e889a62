//! What an operation acts on, and what that resource must show once it really happened.
//!
//! An operation targets a resource (today a VM; the next kinds are snapshots, backups,
//! networks, port forwards, volumes and IPs, each a variant of [`Target`]) and states an
//! [`Expect`]ation on it: it **shows** some state or field values, it **appears** (a new
//! resource, its id learned from the provider's answer or found by name in its list) and then
//! shows them, or it **is gone**. The engine verifies by reading that resource; nothing in the
//! scheduler knows which kind it is.

use serde::{Deserialize, Serialize};

use crate::ids::VmId;
pub use crate::model::mismatch::Mismatch;
pub use crate::model::resexpect::{ResExpect, ResSeen};
use crate::model::{
    NewAddress, Point, PointKind, PointState, PowerState, PtrExpect, ResourceKind, Scope, Size, Vm,
};

/// The resource an operation acts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A VM. `id` is `None` while a new VM's id is not known yet (a provider that answers a
    /// create with a command id only: the VM is found by `name` in the list).
    Vm { id: Option<VmId>, name: String },
    /// A snapshot or backup of the VM `vm`. `id` is `None` while a new one's id is not known
    /// (found by `name` in the VM's list of that kind).
    Point {
        vm: VmId,
        vm_name: String,
        kind: PointKind,
        id: Option<String>,
        name: String,
    },
    /// A network, public IP, port forward or volume, listed in `scope`. `id` is `None` while a
    /// new one's id is not known: it is found by `name` in that list, or (a new one without a
    /// name, a public IP) as the one whose id is not among `before`.
    Res {
        kind: ResourceKind,
        scope: Scope,
        id: Option<String>,
        name: String,
        #[serde(default)]
        before: Vec<String>,
    },
}

impl Target {
    pub fn vm(id: VmId, name: impl Into<String>) -> Target {
        Target::Vm {
            id: Some(id),
            name: name.into(),
        }
    }

    pub fn kind(&self) -> ResourceKind {
        match self {
            Target::Vm { .. } => ResourceKind::Vm,
            Target::Point {
                kind: PointKind::Snapshot,
                ..
            } => ResourceKind::Snapshot,
            Target::Point {
                kind: PointKind::Backup,
                ..
            } => ResourceKind::Backup,
            Target::Res { kind, .. } => *kind,
        }
    }

    /// The VM this operation is about: the target itself, or the VM a resource belongs to.
    pub fn vm_id(&self) -> Option<&VmId> {
        match self {
            Target::Vm { id, .. } => id.as_ref(),
            Target::Point { vm, .. } => Some(vm),
            Target::Res { scope, .. } => scope.vm(),
        }
    }

    /// The name the user knows it by.
    pub fn name(&self) -> &str {
        match self {
            Target::Vm { name, .. } | Target::Point { name, .. } | Target::Res { name, .. } => name,
        }
    }

    /// The name of the VM it is about.
    pub fn vm_name(&self) -> &str {
        match self {
            Target::Vm { name, .. } => name,
            Target::Point { vm_name, .. } => vm_name,
            Target::Res { name, .. } => name,
        }
    }

    /// Learns a new VM's id (from the provider's answer, or found by name); a point's VM is
    /// known from the start.
    pub fn learn_id(&mut self, new: VmId) {
        if let Target::Vm { id, .. } = self {
            *id = Some(new);
        }
    }

    /// Learns a new point's (or resource's) id (from the provider's answer, or found by name in
    /// its list).
    pub fn learn_point(&mut self, new: String) {
        if let Target::Point { id, .. } | Target::Res { id, .. } = self {
            *id = Some(new);
        }
    }

    /// The snapshot or backup it is, where it is one: its VM, kind, id (where known), name.
    pub fn point(&self) -> Option<(&VmId, PointKind, Option<&str>, &str)> {
        match self {
            Target::Point {
                vm, kind, id, name, ..
            } => Some((vm, *kind, id.as_deref(), name)),
            Target::Vm { .. } | Target::Res { .. } => None,
        }
    }

    /// The network, public IP, rule or volume it is, where it is one.
    pub fn res(&self) -> Option<ResTarget<'_>> {
        match self {
            Target::Res {
                kind,
                scope,
                id,
                name,
                before,
            } => Some(ResTarget {
                kind: *kind,
                scope,
                id: id.as_deref(),
                name,
                before,
            }),
            _ => None,
        }
    }
}

/// A [`Target::Res`], borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResTarget<'a> {
    pub kind: ResourceKind,
    pub scope: &'a Scope,
    pub id: Option<&'a str>,
    pub name: &'a str,
    pub before: &'a [String],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PowerTarget {
    Running,
    Stopped,
}

/// The state a re-read of a VM must show before an operation counts as done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmExpect {
    pub power: Option<PowerTarget>,
    pub name: Option<String>,
    pub size: Option<Size>,
    /// The snapshot count must exceed this.
    pub snapshots_more_than: Option<usize>,
    pub unlocked: bool,
    /// At least one IP address is listed (a new VM is reachable).
    #[serde(default)]
    pub addressed: bool,
    /// At least one public IP address is listed (a new VM is reachable from the internet,
    /// where the provider's "ready" names public addresses: Hostway's `addresses.public`).
    #[serde(default)]
    pub public_address: bool,
    /// The VM runs this image ([`Vm::image_id`]: a rebuild's new image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Automatic backups are on (`Some(true)`) or off, as the VM's `features` show.
    #[serde(default)]
    pub backups: Option<bool>,
    /// The VM is joined to this network with an internal address (`attached`), or is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetExpect>,
    /// The VM is in this VPC (ONETSolutions' `vpc.id`; `Some("")`: in none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// The VM shows this hostname ([`Vm::hostname`], DNS case aside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The VM shows a public address of this version it did not show before (an assigned IP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_address: Option<NewAddress>,
    /// The VM no longer shows this address (a removed IP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_gone: Option<String>,
    /// This address of the VM shows this reverse DNS name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptr: Option<PtrExpect>,
    /// The VM's status reads exactly this, as the provider words it (Erigones' `frozen`,
    /// which is off like `stopped`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A VM's membership of a network, as a re-read of the VM must show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetExpect {
    pub network: String,
    pub attached: bool,
    /// Where the provider does not say which network an internal address is in (cloudsfor,
    /// [`crate::dialect::NetCaps::members`]): the VM's private IPv4 addresses before. A join
    /// is then seen as a private address not among them, a leave as one of them gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_before: Option<Vec<String>>,
}

/// Which IP addresses a new VM lists once it is ready, as its provider says
/// ([`crate::dialect::CreateCaps`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Addressed {
    /// Nothing is said of them.
    #[default]
    No,
    /// At least one, public or private.
    Any,
    /// At least one public one.
    Public,
}

/// A snapshot or backup an operation is about, as its VM's list shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PointSeen<'a> {
    /// The list has not been read (or not since it could tell).
    Unread,
    /// The list was read and does not hold it.
    Absent,
    Found(&'a Point),
}

/// What is known of an operation's target when it is checked: the VM, and the snapshot or
/// backup it is about where it is about one (`None`: it is about none, or nothing of it is
/// known).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Seen<'a> {
    pub vm: Option<&'a Vm>,
    pub point: Option<PointSeen<'a>>,
    /// The network, public IP, rule or volume it is about, where it is about one.
    pub res: Option<ResSeen<'a>>,
}

impl<'a> From<Option<&'a Vm>> for Seen<'a> {
    fn from(vm: Option<&'a Vm>) -> Self {
        Seen {
            vm,
            point: None,
            res: None,
        }
    }
}

impl VmExpect {
    /// The power state it waits for, when that is all it waits for (besides the lock, which a
    /// settled power state implies): a list of the VMs in that state can verify it.
    pub fn power_only(&self) -> Option<PowerTarget> {
        (self.name.is_none()
            && self.size.is_none()
            && self.snapshots_more_than.is_none()
            && !self.addressed
            && !self.public_address
            && self.image.is_none()
            && self.backups.is_none()
            && self.network.is_none()
            && self.vpc.is_none()
            && self.hostname.is_none()
            && self.new_address.is_none()
            && self.address_gone.is_none()
            && self.ptr.is_none()
            && self.status.is_none())
        .then_some(self.power)
        .flatten()
    }

    /// `Ok` when the VM shows what was meant; else what it shows instead.
    pub fn check(&self, vm: &Vm) -> Result<(), Mismatch> {
        if let Some(p) = self.power {
            let ok = match p {
                PowerTarget::Running => vm.power == PowerState::Running,
                PowerTarget::Stopped => vm.power == PowerState::Stopped,
            };
            if !ok {
                return Err(Mismatch::Power {
                    status: vm.status_raw.clone(),
                });
            }
        }
        if let Some(want) = &self.status {
            if vm.status_raw.trim() != want.as_str() {
                return Err(Mismatch::Power {
                    status: vm.status_raw.clone(),
                });
            }
        }
        if self.unlocked && vm.locked {
            return Err(Mismatch::Locked);
        }
        if let Some(n) = &self.name {
            if &vm.name != n {
                return Err(Mismatch::Name {
                    current: vm.name.clone(),
                });
            }
        }
        if let Some(s) = &self.size {
            let differs = |want: Option<u32>, have: Option<u32>| want.is_some() && want != have;
            if differs(s.vcpus, vm.size.vcpus)
                || differs(s.memory_gb, vm.size.memory_gb)
                || differs(s.disk_gb, vm.size.disk_gb)
                || (s.flavor.is_some() && s.flavor != vm.size.flavor)
            {
                return Err(Mismatch::Size {
                    current: vm.size.clone(),
                });
            }
        }
        if let Some(before) = self.snapshots_more_than {
            if vm.snapshot_count.is_some_and(|n| n <= before) {
                return Err(Mismatch::SnapshotNotListed);
            }
        }
        if let Some(want) = &self.image {
            if vm.image_id.as_deref() != Some(want.as_str()) {
                return Err(Mismatch::Image {
                    current: vm.image_id.clone(),
                });
            }
        }
        if let Some(want) = self.backups {
            let on = vm.features.iter().any(|f| f == "backups");
            if on != want {
                return Err(Mismatch::Backups { on });
            }
        }
        if let Some(n) = &self.network {
            check_network(n, vm)?;
        }
        if let Some(want) = &self.vpc {
            let current = vm.vpc.clone().filter(|v| !v.is_empty());
            if current.as_deref().unwrap_or_default() != want.as_str() {
                return Err(Mismatch::Vpc { current });
            }
        }
        if let Some(want) = &self.hostname {
            if !vm
                .hostname
                .as_deref()
                .is_some_and(|h| h.trim().eq_ignore_ascii_case(want))
            {
                return Err(Mismatch::Hostname {
                    current: vm.hostname.clone(),
                });
            }
        }
        super::vmexpect::check_addresses(self, vm)?;
        if self.addressed && vm.addresses.is_empty() {
            return Err(Mismatch::NoAddress);
        }
        if self.public_address && !vm.addresses.iter().any(|a| a.public) {
            return Err(Mismatch::NoPublicAddress);
        }
        Ok(())
    }
}

/// The VM is joined to the network with an internal address, or not joined.
fn check_network(n: &NetExpect, vm: &Vm) -> Result<(), Mismatch> {
    if let Some(before) = &n.private_before {
        return check_private(n, before, vm);
    }
    let entry = vm.networks.iter().find(|e| e.id == n.network);
    let network = n.network.clone();
    match (n.attached, entry) {
        (true, None) => Err(Mismatch::NotAttached { network }),
        (true, Some(e)) if e.internal_ip.as_deref().is_none_or(|i| i.trim().is_empty()) => {
            Err(Mismatch::NoInternalIp { network })
        }
        (false, Some(_)) => Err(Mismatch::StillAttached { network }),
        _ => Ok(()),
    }
}

/// A join or leave where the VM's private addresses say nothing of their network: one not
/// there before has appeared (a join), or one that was there has gone (a leave).
fn check_private(n: &NetExpect, before: &[String], vm: &Vm) -> Result<(), Mismatch> {
    let now = NetExpect::private_of(vm);
    let network = n.network.clone();
    if n.attached && !now.iter().any(|a| !before.contains(a)) {
        return Err(Mismatch::NotAttached { network });
    }
    if !n.attached && !before.iter().any(|a| !now.contains(a)) {
        return Err(Mismatch::StillAttached { network });
    }
    Ok(())
}

impl NetExpect {
    /// The VM's private IPv4 addresses, as it lists them.
    pub fn private_of(vm: &Vm) -> Vec<String> {
        vm.addresses
            .iter()
            .filter(|a| !a.public && a.version == 4)
            .map(|a| a.ip.clone())
            .collect()
    }
}

/// What the target must show once the operation really happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expect {
    /// The existing VM shows these.
    Shows(VmExpect),
    /// A new VM: it appears, then shows these.
    Appears(VmExpect),
    /// The VM (or the snapshot or backup targeted) is gone: a read answers "not found", or a
    /// complete listing does not hold it.
    Gone,
    /// A new snapshot or backup: it appears in its VM's list and is ready, and its VM is no
    /// longer locked by the action.
    PointReady,
    /// The VM shows these, and (`point_ready`) the snapshot or backup the action names is
    /// ready (again): a restore, a rollback, an image made from a snapshot.
    Restored { vm: VmExpect, point_ready: bool },
    /// A network, public IP, rule or volume (new or changed): listed, ready, showing these.
    ResReady(ResExpect),
}

impl Expect {
    /// The VM state it waits for, when it waits for one.
    pub fn vm(&self) -> Option<&VmExpect> {
        match self {
            Expect::Shows(e) | Expect::Appears(e) | Expect::Restored { vm: e, .. } => Some(e),
            Expect::Gone | Expect::PointReady | Expect::ResReady(_) => None,
        }
    }

    /// The power state it waits for, when that is all it waits for.
    pub fn power_only(&self) -> Option<PowerTarget> {
        match self {
            Expect::Shows(e) => e.power_only(),
            _ => None,
        }
    }

    /// Whether it needs the VM read besides a list of its snapshots or backups.
    pub fn needs_vm(&self) -> bool {
        !matches!(self, Expect::Gone | Expect::ResReady(_))
    }

    /// Whether it needs the VM's snapshots or backups read.
    pub fn needs_points(&self) -> bool {
        matches!(
            self,
            Expect::PointReady
                | Expect::Restored {
                    point_ready: true,
                    ..
                }
        )
    }

    /// `Ok` when what is known of the target matches (a VM: `None` when it is not there; a
    /// snapshot or backup: as its VM's list shows it). The one place that decides.
    pub fn check<'a>(&self, seen: impl Into<Seen<'a>>) -> Result<(), Mismatch> {
        let seen = seen.into();
        match (self, seen.vm) {
            (Expect::ResReady(e), _) => e.check(seen.res),
            (Expect::Gone, _) if seen.res.is_some() => match seen.res {
                Some(ResSeen::Found(r)) => Err(Mismatch::StillThere {
                    status: r.status_raw.clone(),
                }),
                Some(ResSeen::Unread) => Err(Mismatch::ResUnread),
                _ => Ok(()),
            },
            (Expect::Shows(e) | Expect::Appears(e), Some(vm)) => e.check(vm),
            (Expect::Shows(_) | Expect::Appears(_), None) => Err(Mismatch::NotListed),
            (Expect::Gone, _) if seen.point.is_some() => match seen.point {
                Some(PointSeen::Found(p)) => Err(Mismatch::StillThere {
                    status: p.status_raw.clone(),
                }),
                Some(PointSeen::Unread) => Err(Mismatch::PointsUnread),
                _ => Ok(()),
            },
            (Expect::Gone, None) => Ok(()),
            (Expect::Gone, Some(vm)) => Err(Mismatch::StillThere {
                status: vm.status_raw.clone(),
            }),
            // Ready, and the VM no longer held by the action (cloudsfor's lock).
            (Expect::PointReady, Some(vm)) if vm.locked => Err(Mismatch::Locked),
            (Expect::PointReady, _) => point_ready(seen.point),
            (
                Expect::Restored {
                    vm: e,
                    point_ready: p,
                },
                vm,
            ) => {
                e.check(vm.ok_or(Mismatch::NotListed)?)?;
                if *p {
                    point_ready(seen.point)?;
                }
                Ok(())
            }
        }
    }
}

/// The point shows ready.
fn point_ready(seen: Option<PointSeen<'_>>) -> Result<(), Mismatch> {
    match seen {
        None | Some(PointSeen::Unread) => Err(Mismatch::PointsUnread),
        Some(PointSeen::Absent) => Err(Mismatch::PointNotListed),
        Some(PointSeen::Found(p)) if p.state == PointState::Ready => Ok(()),
        Some(PointSeen::Found(p)) => Err(Mismatch::PointNotReady {
            state: p.state.clone(),
            status: p.status_raw.clone(),
        }),
    }
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
