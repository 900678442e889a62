//! Words for networks, public IPs, port forwards and volumes: their kinds, states, and why
//! something about them is refused or absent.

use crate::model::{ResState, ResourceKind};

/// A resource kind, singular, lowercase ("network").
pub fn resource_word(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Vm => "VM",
        ResourceKind::Snapshot => "snapshot",
        ResourceKind::Backup => "backup",
        ResourceKind::Network => "network",
        ResourceKind::PublicIp => "public IP",
        ResourceKind::Forward => "port forward",
        ResourceKind::Volume => "volume",
    }
}

/// A network's, public IP's, rule's or volume's state, where the provider gave no words.
pub fn res_state(state: &ResState) -> String {
    match state {
        ResState::Ready => "ready".into(),
        ResState::Creating => "being created".into(),
        ResState::Changing => "being changed".into(),
        ResState::Deleting => "being deleted".into(),
        ResState::Failed => "failed".into(),
        ResState::Unknown(raw) => super::name(raw),
    }
}
