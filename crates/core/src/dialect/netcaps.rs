//! What a provider offers for private networks, public IPs and port forwards, and why not
//! where it does not: one [`NetCaps`] in each dialect's [`super::Caps`]. Absent things carry a
//! typed [`Absent`] reason the page shows; nothing here is a dead button.

use crate::dialect::{Absent, Avail};
use crate::model::{ActionKind, ResourceKind};

/// What a provider offers for one kind of resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResOps {
    pub list: Avail,
    /// Create (a public IP: allocate).
    pub create: Avail,
    /// Change an existing one (a rule's values).
    pub update: Avail,
    /// Delete (a public IP: release).
    pub delete: Avail,
}

impl ResOps {
    /// Everything offered.
    pub const ALL: ResOps = ResOps {
        list: Avail::Offered,
        create: Avail::Offered,
        update: Avail::Offered,
        delete: Avail::Offered,
    };

    /// Nothing offered, all for `why`.
    pub const fn absent(why: Absent) -> ResOps {
        ResOps {
            list: Avail::Absent(why),
            create: Avail::Absent(why),
            update: Avail::Absent(why),
            delete: Avail::Absent(why),
        }
    }
}

/// A provider's networks, public IPs and port forwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetCaps {
    /// Private networks (ZennoHosting networks, ONETSolutions VPCs, cloudsfor private
    /// networks).
    pub networks: ResOps,
    /// Joining a VM to a network and taking it out again.
    pub attach: Avail,
    /// The provider shows a network's range (CIDR): ZennoHosting's `cidr`, ONETSolutions'
    /// `cidr_block`. Where it does not (cloudsfor), a new network is done once it is listed.
    pub cidr: Avail,
    /// The provider says which network each of a VM's internal addresses is in (ZennoHosting's
    /// `networks[]` on the VM, ONETSolutions' `vpc.id`). Where it does not (cloudsfor's bare
    /// `private` entries), a join is seen as one more private address on the VM, a leave as
    /// one fewer, and nothing says which VMs a network holds.
    pub members: Avail,
    /// Moving a VM into another VPC (ONETSolutions' `update_vpc`).
    pub vpc: Avail,
    /// Public IPs held apart from VMs (allocate, release).
    pub public_ips: ResOps,
    /// Port-forward rules of a public IP.
    pub forwards: ResOps,
    /// The networks and public IPs are listed per place (ZennoHosting's project:
    /// [`crate::model::Scope::Place`]), not per connection ([`crate::model::Scope::Conn`]).
    pub per_place: bool,
}

impl NetCaps {
    /// Nothing offered, all for `why`.
    pub const fn absent(why: Absent) -> NetCaps {
        NetCaps {
            networks: ResOps::absent(why),
            attach: Avail::Absent(why),
            cidr: Avail::Absent(why),
            members: Avail::Absent(why),
            vpc: Avail::Absent(why),
            public_ips: ResOps::absent(why),
            forwards: ResOps::absent(why),
            per_place: false,
        }
    }

    /// What the provider offers for one kind of resource (`None`: not one of these kinds).
    pub fn of(&self, kind: ResourceKind) -> Option<&ResOps> {
        match kind {
            ResourceKind::Network => Some(&self.networks),
            ResourceKind::PublicIp => Some(&self.public_ips),
            ResourceKind::Forward => Some(&self.forwards),
            _ => None,
        }
    }

    /// Whether an action on networks, public IPs or rules is offered (`None`: not one of them).
    pub fn avail(&self, kind: ActionKind) -> Option<Avail> {
        Some(match kind {
            ActionKind::CreateNetwork => self.networks.create,
            ActionKind::DeleteNetwork => self.networks.delete,
            ActionKind::AttachNetwork | ActionKind::DetachNetwork => self.attach,
            ActionKind::SetVpc => self.vpc,
            ActionKind::AllocateIp => self.public_ips.create,
            ActionKind::ReleaseIp => self.public_ips.delete,
            ActionKind::CreateForward => self.forwards.create,
            ActionKind::UpdateForward => self.forwards.update,
            ActionKind::DeleteForward => self.forwards.delete,
            _ => return None,
        })
    }
}
