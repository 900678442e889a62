//! What a provider offers for snapshots and backups, and why not where it does not: one
//! [`PointCaps`] in each dialect's [`super::Caps`]. The page shows each absent thing with its
//! reason ([`crate::words`]); nothing here is a dead button.

use crate::model::{Action, ActionKind, PointKind, PowerState, Vm};
use crate::words::{PointRefusal, Refusal};

/// Why a provider does not offer something about snapshots or backups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Absent {
    /// The provider publishes no such thing.
    NotPublished,
    /// Backups are taken on the provider's schedule only (cloudsfor, as DigitalOcean).
    AutomaticOnly,
    /// Chosen when the VM is created, and only then.
    AtCreateOnly,
    /// Only an administrator may (Erigones).
    NeedsAdmin,
    /// Needs a backup (or snapshot) definition an administrator sets up first (Erigones).
    NeedsBackupDefinition,
    /// No schedule can be changed: it runs while the paid add-on is active (ONETSolutions).
    NeedsAddon,
    /// The provider's sheet has it, but Vigil does not do it with this provider yet (Erigones'
    /// networks, Hostway's flexible IPs: nothing here could be verified against vigil-sim).
    NotYetSupported,
    /// The provider's API gives a screenshot of the console, not a session to open (Erigones).
    ScreenshotOnly,
    /// Disks are part of the VM's own definition, edited by an administrator with the VM
    /// stopped (Erigones): no volumes apart from the VM.
    InVmDefinition,
}

/// Whether one thing is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Avail {
    Offered,
    /// Offered to administrators (a user whose role the provider refuses is told so).
    AdminOnly,
    Absent(Absent),
}

impl Avail {
    pub fn offered(self) -> bool {
        !matches!(self, Avail::Absent(_))
    }
}

/// What a provider offers for one kind of point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointOps {
    pub list: Avail,
    pub create: Avail,
    pub restore: Avail,
    pub delete: Avail,
    /// Turning automatic ones on and off.
    pub auto: Avail,
    /// Making an image of one (snapshots, ONETSolutions).
    pub to_image: Avail,
    /// A restore needs the VM stopped.
    pub restore_needs_stopped: bool,
    /// A paid add-on must be active on the VM, else the provider answers `403`.
    pub needs_addon: bool,
}

impl PointOps {
    /// Nothing offered, all for `why`.
    pub const fn absent(why: Absent) -> PointOps {
        PointOps {
            list: Avail::Absent(why),
            create: Avail::Absent(why),
            restore: Avail::Absent(why),
            delete: Avail::Absent(why),
            auto: Avail::Absent(why),
            to_image: Avail::Absent(Absent::NotPublished),
            restore_needs_stopped: false,
            needs_addon: false,
        }
    }
}

/// How a point may be named where the provider says (Erigones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointName {
    pub max: usize,
    /// `[A-Za-z0-9][A-Za-z0-9._-]*`.
    pub slug: bool,
}

/// What a provider offers for snapshots and backups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointCaps {
    pub snapshots: PointOps,
    pub backups: PointOps,
    /// A restore leaves the VM powered as it was (all but cloudsfor, done when unlocked).
    pub restore_keeps_power: bool,
    pub name: Option<PointName>,
}

impl PointCaps {
    pub fn of(&self, kind: PointKind) -> &PointOps {
        match kind {
            PointKind::Snapshot => &self.snapshots,
            PointKind::Backup => &self.backups,
        }
    }

    /// Whether an action kind is offered at all, and to whom.
    pub fn avail(&self, kind: ActionKind) -> Option<Avail> {
        let ops = self.of(kind.point_kind()?);
        Some(match kind {
            ActionKind::Snapshot | ActionKind::Backup => ops.create,
            ActionKind::RestoreSnapshot | ActionKind::RestoreBackup => ops.restore,
            ActionKind::DeleteSnapshot | ActionKind::DeleteBackup => ops.delete,
            ActionKind::AutoBackups => ops.auto,
            ActionKind::SnapshotToImage => ops.to_image,
            _ => return None,
        })
    }

    /// The name rule, where the provider has one.
    pub fn check_name(&self, name: &str) -> Result<(), Refusal> {
        let Some(rule) = self.name else {
            return Ok(());
        };
        let n = name.trim();
        let slug = |s: &str| {
            let mut cs = s.chars();
            cs.next().is_some_and(|c| c.is_ascii_alphanumeric())
                && cs.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        if n.chars().count() > rule.max || (rule.slug && !slug(n)) {
            return Err(Refusal::Point(PointRefusal::BadName { max: rule.max }));
        }
        Ok(())
    }

    /// The provider's documented rules on the VM before a restore is sent.
    pub fn restore_allowed(&self, vm: &Vm, action: &Action) -> Result<(), Refusal> {
        let Some((kind, _)) = action.point() else {
            return Ok(());
        };
        let restore = matches!(
            action,
            Action::RestoreSnapshot { .. } | Action::RestoreBackup { .. }
        );
        if restore && self.of(kind).restore_needs_stopped && vm.power != PowerState::Stopped {
            return Err(Refusal::MustBeStopped {
                status: vm.status_raw.clone(),
            });
        }
        Ok(())
    }
}
