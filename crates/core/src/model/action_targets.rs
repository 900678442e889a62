//! What an action targets besides its VM: the snapshot, backup, network, public IP, rule or
//! volume it makes, changes or deletes.

use crate::model::{Action, PointKind, ResourceKind};

impl Action {
    /// The recovery point this action makes or deletes, which it targets: its kind, its id
    /// where known, its name. Restores and the rest target the VM ([`Action::point`]).
    pub fn point_target(&self) -> Option<(PointKind, Option<String>, String)> {
        match self {
            Action::Snapshot { name, .. } => Some((PointKind::Snapshot, None, name.trim().into())),
            Action::Backup { name } => Some((PointKind::Backup, None, name.trim().into())),
            Action::DeleteSnapshot { id, name } => {
                Some((PointKind::Snapshot, Some(id.clone()), name.clone()))
            }
            Action::DeleteBackup { id, name } => {
                Some((PointKind::Backup, Some(id.clone()), name.clone()))
            }
            _ => None,
        }
    }

    /// The network, public IP or rule this action makes, changes or deletes, which it targets:
    /// its kind, its id where known, its name (a new public IP has none: found as the one not
    /// listed before). Actions on a VM target the VM.
    pub fn res_target(&self) -> Option<(ResourceKind, Option<String>, String)> {
        let (kind, id, name) = match self {
            Action::CreateNetwork { name } => (ResourceKind::Network, None, name.trim().into()),
            Action::DeleteNetwork { id, name } => (ResourceKind::Network, Some(id), name.clone()),
            Action::AllocateIp => (ResourceKind::PublicIp, None, String::new()),
            Action::ReleaseIp { id, address } => {
                (ResourceKind::PublicIp, Some(id), address.clone())
            }
            Action::CreateForward(spec) => (ResourceKind::Forward, None, spec.name()),
            Action::UpdateForward { id, spec } => (ResourceKind::Forward, Some(id), spec.name()),
            Action::DeleteForward { id, name } => (ResourceKind::Forward, Some(id), name.clone()),
            Action::CreateVolume(spec) => (ResourceKind::Volume, None, spec.name.trim().into()),
            Action::AttachVolume { id, name, .. }
            | Action::DetachVolume { id, name, .. }
            | Action::ResizeVolume { id, name, .. }
            | Action::DeleteVolume { id, name } => (ResourceKind::Volume, Some(id), name.clone()),
            _ => return None,
        };
        Some((kind, id.map(|i| i.trim().to_string()), name))
    }

    /// The existing recovery point an action on the VM names: its kind and id (a restore, an
    /// image made from a snapshot).
    pub fn point(&self) -> Option<(PointKind, &str)> {
        match self {
            Action::RestoreSnapshot { id, .. } | Action::SnapshotToImage { id, .. } => {
                Some((PointKind::Snapshot, id))
            }
            Action::RestoreBackup { backup_id, .. } => Some((PointKind::Backup, backup_id)),
            _ => None,
        }
    }
}
