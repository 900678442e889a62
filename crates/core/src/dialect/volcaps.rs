//! What a provider offers for block-storage volumes, and why not where it does not: one
//! [`VolCaps`] in each dialect's [`super::Caps`]. Absent things carry a typed [`Absent`] reason
//! the page shows; nothing here is a dead button.

use crate::dialect::{Absent, Avail, ResOps};
use crate::model::ActionKind;

/// A provider's volumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolCaps {
    /// List, create, resize (`update`), delete.
    pub ops: ResOps,
    /// Attaching a volume to a VM and detaching it.
    pub attach: Avail,
    /// Volumes are listed, made and changed per VM ([`crate::model::Scope::Vm`]: an
    /// ONETSolutions instance's), not per connection ([`crate::model::Scope::Conn`]).
    pub per_vm: bool,
    /// A volume attaches only to the VM it was made on (ONETSolutions).
    pub owner_only: bool,
    /// The create takes a name (cloudsfor); otherwise the provider names the volume.
    pub named: bool,
    /// The create takes a region, and a volume attaches only to VMs of its region (cloudsfor).
    pub regional: bool,
    /// A resize only grows a volume (both sheets): a shrink is refused before sending.
    pub grows_only: bool,
    /// The largest size the provider takes, in GB, where it says.
    pub max_gb: Option<u32>,
}

impl VolCaps {
    /// Nothing offered, all for `why`.
    pub const fn absent(why: Absent) -> VolCaps {
        VolCaps {
            ops: ResOps::absent(why),
            attach: Avail::Absent(why),
            per_vm: false,
            owner_only: false,
            named: false,
            regional: false,
            grows_only: false,
            max_gb: None,
        }
    }

    /// Whether a volume action is offered (`None`: not one of them).
    pub fn avail(&self, kind: ActionKind) -> Option<Avail> {
        Some(match kind {
            ActionKind::CreateVolume => self.ops.create,
            ActionKind::AttachVolume | ActionKind::DetachVolume => self.attach,
            ActionKind::ResizeVolume => self.ops.update,
            ActionKind::DeleteVolume => self.ops.delete,
            _ => return None,
        })
    }

    /// Why volumes are not listed here, where they are not.
    pub fn absent_why(&self) -> Option<Absent> {
        match self.ops.list {
            Avail::Absent(why) => Some(why),
            _ => None,
        }
    }
}
