//! Actions on networks, public IPs and port-forward rules ([`Command::ActRes`]): the checks
//! made before anything is sent, and the target an action gets.
//!
//! [`Command::ActRes`]: crate::Command::ActRes

use crate::engine::Core;
use crate::ids::ConnId;
use crate::model::{Action, ResList, ResourceKind, Scope, Target};
use crate::words::{Refusal, ResRefusal};

/// Whether `action` may run on the resources listed in `scope` now: offered by the provider,
/// a scope it lists that kind in, and the provider's documented rules checked against the lists
/// as last read (a network with VMs in it, a port already forwarded).
pub(crate) fn res_allowed(
    core: &Core,
    conn: &ConnId,
    scope: &Scope,
    action: &Action,
) -> Result<(), Refusal> {
    action.validate()?;
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let not_offered = Refusal::NotOffered {
        provider: c.cfg.dialect,
    };
    let kind = action.kind().res_kind().ok_or(not_offered.clone())?;
    if !c.caps.offers(action.kind()) {
        return Err(not_offered);
    }
    if c.api.res_request(scope, kind).is_none() {
        return Err(Refusal::Res(ResRefusal::WrongScope));
    }
    let list = c.lists.get(scope, kind).filter(|l| l.read_at.is_some());
    match action {
        Action::AllocateIp if list.is_none() => Err(Refusal::Res(ResRefusal::ReadListFirst {
            kind: ResourceKind::PublicIp,
        })),
        Action::AttachVolume { vm, .. } if c.inv.get(vm).is_none() => Err(Refusal::VmNotListed),
        Action::DeleteNetwork { id, name } => network_idle(core, conn, scope, id, name),
        Action::CreateForward(spec) | Action::UpdateForward { spec, .. } => {
            if c.inv.get(&spec.vm).is_none() {
                return Err(Refusal::VmNotListed);
            }
            let own = match action {
                Action::UpdateForward { id, .. } => Some(id.as_str()),
                _ => None,
            };
            port_free(core, conn, list, &spec.name(), own)
        }
        _ => Ok(()),
    }
}

/// A network may be deleted only without VMs in it (the provider answers `409` otherwise):
/// the VMs listed in it, by their own network lists (and the network's, where it names them).
fn network_idle(
    core: &Core,
    conn: &ConnId,
    scope: &Scope,
    id: &str,
    name: &str,
) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let id = id.trim();
    let place = scope.place();
    let mut vms: Vec<String> = c
        .inv
        .all()
        .iter()
        .filter(|vm| place.is_none() || vm.project.as_deref() == place)
        .filter(|vm| vm.networks.iter().any(|n| n.id == id))
        .map(|vm| vm.name.clone())
        .collect();
    if let Some(net) = c
        .lists
        .get(scope, ResourceKind::Network)
        .and_then(|l| l.items.iter().find(|r| r.id == id))
    {
        for m in net.members() {
            let name = c.inv.get(&m.vm).map_or(m.vm.as_str(), |v| v.name.as_str());
            if !vms.iter().any(|v| v == name) {
                vms.push(name.to_string());
            }
        }
    }
    if vms.is_empty() {
        return Ok(());
    }
    Err(Refusal::Res(ResRefusal::NetworkInUse {
        network: if name.trim().is_empty() { id } else { name }.to_string(),
        vms,
    }))
}

/// No other rule of the public IP (as last read) forwards the same protocol and port.
fn port_free(
    core: &Core,
    conn: &ConnId,
    list: Option<&ResList>,
    name: &str,
    own: Option<&str>,
) -> Result<(), Refusal> {
    let Some(list) = list else {
        return Ok(());
    };
    let taken = list
        .items
        .iter()
        .filter(|r| Some(r.id.as_str()) != own)
        .find(|r| r.name == name && r.state != crate::model::ResState::Deleting);
    let Some(rule) = taken else {
        return Ok(());
    };
    let vm = rule
        .forward()
        .map(|s| {
            core.vm(conn, &s.vm)
                .map_or(s.vm.as_str().to_string(), |v| v.name.clone())
        })
        .unwrap_or_default();
    Err(Refusal::Res(ResRefusal::PortTaken {
        name: name.to_string(),
        vm,
    }))
}

/// What an action on resources targets: the item it names, in `scope`; a new public IP (no
/// name) is the one not among those listed now.
pub(crate) fn res_target(core: &Core, conn: &ConnId, scope: &Scope, action: &Action) -> Target {
    let (kind, id, name) =
        action
            .res_target()
            .unwrap_or((ResourceKind::Network, None, String::new()));
    let before = match (action, core.conn(conn)) {
        (Action::AllocateIp | Action::CreateVolume(_), Some(c)) => {
            c.lists.get(scope, kind).map(ResList::ids)
        }
        _ => None,
    };
    Target::Res {
        kind,
        scope: scope.clone(),
        id,
        name,
        before: before.unwrap_or_default(),
    }
}
