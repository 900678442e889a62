//! Actions on volumes ([`crate::Command::ActRes`] with a volume action): the provider's
//! documented rules checked before anything is sent, against the volume list and the VMs as
//! last read — a shrink, an attach of a volume attached already, to another VM than its own
//! (ONETSolutions) or of another region (cloudsfor), a delete of an attached volume, and a
//! detach from a running VM unless the user confirmed it.

use crate::dialect::VolCaps;
use crate::engine::rules::allowed;
use crate::engine::workflows::Workflows;
use crate::engine::Core;
use crate::ids::{ConnId, VmId};
use crate::model::{Action, PowerState, Res, ResState, ResourceKind, Scope};
use crate::words::{Refusal, ResRefusal};

fn no(r: ResRefusal) -> Result<(), Refusal> {
    Err(Refusal::Res(r))
}

/// Whether a volume action may start now (after [`super::resrules::res_allowed`]).
pub(crate) fn volume_allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    scope: &Scope,
    action: &Action,
) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let caps = &c.caps.volumes;
    // Per instance: the instance idle, and the provider's rules on it (a task in progress).
    if let Some(vm) = scope.vm() {
        allowed(core, wfs, conn, vm, action.kind())?;
    }
    let list = c
        .lists
        .get(scope, ResourceKind::Volume)
        .filter(|l| l.read_at.is_some());
    let vm_name = |id: &VmId| -> String {
        c.inv
            .get(id)
            .map_or_else(|| id.as_str().to_string(), |v| v.name.clone())
    };
    if let Action::CreateVolume(spec) = action {
        size_within(caps, spec.size_gb)?;
        if caps.regional && spec.region.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return no(ResRefusal::ChooseRegion);
        }
        if !caps.named && list.is_none() {
            return no(ResRefusal::ReadListFirst {
                kind: ResourceKind::Volume,
            });
        }
        return Ok(());
    }
    let Some((_, id, _)) = action.res_target() else {
        return Ok(());
    };
    let id = id.unwrap_or_default();
    let busy = core.ops.iter().any(|r| {
        r.is_open()
            && &r.op.connection == conn
            && r.op
                .target
                .res()
                .is_some_and(|t| t.kind == ResourceKind::Volume && t.id == Some(id.as_str()))
    });
    let listed = list.and_then(|l| l.items.iter().find(|r| r.id == id));
    if busy || listed.is_some_and(|v| under_way(&v.state)) {
        return no(ResRefusal::VolumeBusy);
    }
    if listed.is_some_and(|v| v.state == ResState::Failed) && !is_delete(action) {
        return no(ResRefusal::VolumeInError);
    }
    match action {
        Action::AttachVolume { vm, .. } => {
            let target = c.inv.get(vm).ok_or(Refusal::VmNotListed)?;
            if let Some(on) = listed.and_then(Res::attached_to) {
                return no(ResRefusal::VolumeAttached { vm: vm_name(on) });
            }
            if let Some(owner) = scope.vm().filter(|o| caps.owner_only && *o != vm) {
                return no(ResRefusal::VolumeOfAnotherVm { vm: vm_name(owner) });
            }
            let region = listed.and_then(Res::region);
            if let (true, Some(region)) = (caps.regional, region) {
                if target.region.as_deref() != Some(region) {
                    return no(ResRefusal::VolumeOtherRegion {
                        volume: region.into(),
                        vm: target.name.clone(),
                    });
                }
            }
            Ok(())
        }
        Action::DetachVolume { vm, running_ok, .. } => {
            let on = match listed {
                Some(v) => v
                    .attached_to()
                    .ok_or(Refusal::Res(ResRefusal::VolumeNotAttached))?,
                None => vm,
            };
            let running = c
                .inv
                .get(on)
                .is_some_and(|v| v.power == PowerState::Running);
            if running && !running_ok {
                return no(ResRefusal::DetachWhileRunning { vm: vm_name(on) });
            }
            Ok(())
        }
        Action::ResizeVolume { size_gb, .. } => {
            size_within(caps, *size_gb)?;
            match listed.and_then(Res::size_gb) {
                Some(current) if caps.grows_only && *size_gb <= current => {
                    no(ResRefusal::VolumeGrowsOnly { current })
                }
                _ => Ok(()),
            }
        }
        Action::DeleteVolume { .. } => match listed.and_then(Res::attached_to) {
            Some(on) => no(ResRefusal::DetachBeforeDelete { vm: vm_name(on) }),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

fn is_delete(action: &Action) -> bool {
    matches!(action, Action::DeleteVolume { .. })
}

/// A change of the provider's own under way on it (ours, or started elsewhere).
fn under_way(state: &ResState) -> bool {
    matches!(
        state,
        ResState::Creating | ResState::Changing | ResState::Deleting
    )
}

/// At most the provider's largest size, where it says.
fn size_within(caps: &VolCaps, gb: u32) -> Result<(), Refusal> {
    match caps.max_gb {
        Some(max) if gb > max => no(ResRefusal::VolumeSize { max: Some(max) }),
        _ => Ok(()),
    }
}

/// What the Volumes page asks before a detach: the refusal a detach without confirmation would
/// meet because the VM runs (`None`: nothing to confirm). The page shows it in a confirmation
/// and, confirmed, sends the detach with `running_ok`.
pub fn detach_confirm(core: &Core, conn: &ConnId, vm: &VmId) -> Option<ResRefusal> {
    let v = core.conn(conn)?.inv.get(vm)?;
    (v.power == PowerState::Running).then(|| ResRefusal::DetachWhileRunning { vm: v.name.clone() })
}
