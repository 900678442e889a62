//! Whether an intent may start now: the provider's rules on the VM as last seen, what of ours
//! is already open on it, and what the provider can do at all. Read-only over the engine's data.
//!
//! [`check`] is every check a [`Command`] passes before it is carried out: the engine's
//! `handle_command` makes it first, and `View::check` makes the same one without carrying the
//! command out (a following tab, before it forwards an intent to the polling one).

use crate::catalogue::{Catalogue, Field};
use crate::dialect::DialectKind;
use crate::engine::command::Command;
use crate::engine::workflows::Workflows;
use crate::engine::Core;
use crate::ids::{ConnId, OpId, VmId, WfId};
use crate::model::{Action, ActionKind, Phase, PowerState, Vm, VmSpec};
use crate::words::Refusal;
use crate::workflow::{Plan, DEFAULT_STOP_GRACE_S, MAX_STOP_GRACE_S};

/// Whether `cmd` would be refused now, and why: the checks it passes before it is carried out.
/// Commands about the tab itself (its pace, what storage or another tab brings) are never
/// refused.
pub(crate) fn check(core: &Core, wfs: &Workflows, cmd: &Command) -> Result<(), Refusal> {
    match cmd {
        Command::Act { conn, vm, action } => act_allowed(core, wfs, conn, vm, action),
        Command::ActRes {
            conn,
            scope,
            action,
        } => {
            crate::engine::resrules::res_allowed(core, conn, scope, action)?;
            match action.kind().res_kind() {
                Some(crate::model::ResourceKind::Volume) => {
                    crate::engine::volrules::volume_allowed(core, wfs, conn, scope, action)
                }
                _ => Ok(()),
            }
        }
        Command::Create { conn, spec } => {
            match create_problems(core, conn, spec).into_iter().next() {
                Some((_, why)) => Err(why),
                None => Ok(()),
            }
        }
        Command::Delete {
            conn,
            vm,
            typed_name,
        } => delete_confirmed(core, wfs, conn, vm, typed_name).map(drop),
        Command::Retry { op } => retry_allowed(core, wfs, op),
        Command::Workflow { conn, vm, plan } => plan_allowed(core, wfs, conn, vm, plan),
        Command::Bulk { targets, .. } if targets.is_empty() => Err(Refusal::NoVmSelected),
        Command::Cancel { op } => cancel_allowed(core, op),
        Command::CheckNow { op } => check_now_allowed(core, op),
        Command::ForceNow { workflow } => force_now_allowed(wfs, workflow),
        Command::CancelWorkflow { workflow } => cancel_workflow_allowed(wfs, workflow),
        Command::RollBack { wf } => {
            let plan = wfs.rollback_plan(core, wf)?;
            let w = &wfs.get(wf).ok_or(Refusal::UnknownWorkflow)?.wf;
            plan_allowed(core, wfs, &w.connection, &w.vm_id, &plan)
        }
        Command::ReadPoints { conn, vm, kind } => points_readable(core, conn, vm, *kind),
        Command::ReadList { conn, scope, kind } => list_readable(core, conn, scope, *kind),
        Command::Refresh { conn }
        | Command::LoadCatalogue { conn, .. }
        | Command::ReadActivity { conn, .. } => {
            core.conn(conn).map(drop).ok_or(Refusal::UnknownConnection)
        }
        Command::AddConnection(cfg) => cfg.validate(),
        Command::Bulk { .. }
        | Command::SetConnections(_)
        | Command::RemoveConnection(_)
        | Command::Pace(_)
        | Command::Import(_)
        | Command::ImportLearning(_)
        | Command::TakeOver
        | Command::Mirror(_)
        | Command::ShareAll
        | Command::ClearFinished => Ok(()),
    }
}

/// One action on one VM: its parameters, then the provider's rules on the VM. Creating and
/// deleting have commands of their own (a form; a name typed back).
pub(crate) fn act_allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm: &VmId,
    action: &Action,
) -> Result<(), Refusal> {
    action.validate()?;
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    match action.kind() {
        ActionKind::Delete | ActionKind::Create => Err(Refusal::NotOffered {
            provider: c.cfg.dialect,
        }),
        kind => allowed(core, wfs, conn, vm, kind),
    }?;
    core.check_action(conn, action)?;
    if let Action::SetHostname { hostname } = action {
        let now = core.vm(conn, vm).and_then(|v| v.hostname.as_deref());
        if now.is_some_and(|h| h.trim().eq_ignore_ascii_case(hostname.trim())) {
            return Err(Refusal::HostnameUnchanged);
        }
    }
    point_rules(core, conn, vm, action)?;
    address_rules(core, conn, vm, action)
}

/// An address removed or given a reverse DNS name is one the VM shows (as last listed), and
/// public: a private (VPC) address changes with the VPC and has no PTR.
fn address_rules(core: &Core, conn: &ConnId, vm: &VmId, action: &Action) -> Result<(), Refusal> {
    use crate::words::VmNetRefusal as V;
    let address = match action {
        Action::RemoveIp { address } | Action::SetReverseDns { address, .. } => address.trim(),
        _ => return Ok(()),
    };
    let shown = core
        .vm(conn, vm)
        .and_then(|v| v.addresses.iter().find(|a| a.ip == address));
    let address = address.to_string();
    match (shown, action) {
        (None, _) => Err(Refusal::VmNet(V::AddressNotOnVm { address })),
        (Some(a), Action::RemoveIp { .. }) if !a.public => {
            Err(Refusal::VmNet(V::PrivateNotRemovable { address }))
        }
        (Some(a), _) if !a.public => Err(Refusal::VmNet(V::PtrOnPublicOnly { address })),
        _ => Ok(()),
    }
}

/// Whether a VM's snapshots or backups can be read: a listed VM, a provider that lists them.
fn points_readable(
    core: &Core,
    conn: &ConnId,
    vm: &VmId,
    kind: crate::model::PointKind,
) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    c.inv.get(vm).ok_or(Refusal::VmNotListed)?;
    if !c.caps.points.of(kind).list.offered() {
        return Err(Refusal::NotOffered {
            provider: c.cfg.dialect,
        });
    }
    Ok(())
}

/// Whether a list can be read: a VM's snapshots or backups as [`points_readable`]; the rest
/// where the provider lists that kind in that scope ([`crate::dialect::Dialect::res_request`]).
fn list_readable(
    core: &Core,
    conn: &ConnId,
    scope: &crate::model::Scope,
    kind: crate::model::ResourceKind,
) -> Result<(), Refusal> {
    if let (Some(point), Some(vm)) = (kind.point(), scope.vm()) {
        return points_readable(core, conn, vm, point);
    }
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    if let Some(vm) = scope.vm() {
        c.inv.get(vm).ok_or(Refusal::VmNotListed)?;
    }
    if c.api.res_request(scope, kind).is_none() {
        return Err(Refusal::NotOffered {
            provider: c.cfg.dialect,
        });
    }
    Ok(())
}

/// The provider's documented rules on snapshots and backups, checked before sending: who may,
/// names, limits against the VM's list as last read, the VM's state for a restore.
fn point_rules(core: &Core, conn: &ConnId, vm_id: &VmId, action: &Action) -> Result<(), Refusal> {
    use crate::words::PointRefusal as P;
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let kind = action.kind();
    let Some(point_kind) = kind.point_kind() else {
        return Ok(());
    };
    if kind == ActionKind::Snapshot && c.demo_refused {
        return Err(Refusal::Point(P::DemoAccount));
    }
    let pc = &c.caps.points;
    let admin = pc.avail(kind) == Some(crate::dialect::Avail::AdminOnly);
    role_allows(core, conn, c.cfg.dialect, admin, kind)?;
    let vm = core.vm(conn, vm_id).ok_or(Refusal::VmNotListed)?;
    pc.restore_allowed(vm, action)?;
    let name = match action {
        Action::Snapshot { name, .. } | Action::Backup { name } => name.trim(),
        _ => return Ok(()),
    };
    pc.check_name(name)?;
    let Some(list) = c
        .points
        .get(vm_id, point_kind)
        .filter(|l| l.read_at.is_some())
    else {
        return Ok(());
    };
    let sc = &c.caps.snapshots;
    if point_kind == crate::model::PointKind::Snapshot {
        let kept = list
            .points
            .iter()
            .filter(|p| p.state != crate::model::PointState::Deleting)
            .count();
        if let Some(max) = sc.max_per_vm.filter(|m| kept >= *m) {
            return Err(Refusal::Point(P::TooMany {
                kind: point_kind,
                max,
            }));
        }
        if sc.unique_names && list.points.iter().any(|p| p.name.trim() == name) {
            return Err(Refusal::Point(P::NameUsed { name: name.into() }));
        }
    }
    Ok(())
}

/// Every problem with a new VM, by field: the role rule, then the provider's catalogue and
/// naming rules (the first one is what a refusal names).
pub(crate) fn create_problems(core: &Core, conn: &ConnId, spec: &VmSpec) -> Vec<(Field, Refusal)> {
    let c = match create_allowed(core, conn)
        .and_then(|()| core.conn(conn).ok_or(Refusal::UnknownConnection))
    {
        Ok(c) => c,
        Err(why) => return vec![(Field::Name, why)],
    };
    let names: Vec<&str> = c.inv.all().iter().map(|v| v.name.as_str()).collect();
    let none = Catalogue::default();
    let cat = c.catalogue.as_ref().unwrap_or(&none);
    cat.check(spec, c.caps, &names, names.len())
}

/// A delete whose name was typed back: the VM, if it may be deleted now.
pub(crate) fn delete_confirmed<'a>(
    core: &'a Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    typed: &str,
) -> Result<&'a Vm, Refusal> {
    allowed(core, wfs, conn, vm_id, ActionKind::Delete)?;
    let vm = core.vm(conn, vm_id).ok_or(Refusal::VmNotListed)?;
    if typed.trim() != vm.name.trim() {
        return Err(Refusal::TypeNameToConfirm {
            name: vm.name.clone(),
        });
    }
    Ok(vm)
}

/// The VM, if it is listed and nothing of ours (operation or workflow) is open on it.
pub(crate) fn idle_vm<'a>(
    core: &'a Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
) -> Result<&'a Vm, Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let vm = c.inv.get(vm_id).ok_or(Refusal::VmNotListed)?;
    if let Some(wf) = wfs.open_on(conn, vm_id) {
        return Err(Refusal::BusyWithWorkflow {
            vm: vm.name.clone(),
            plan: wf.plan.clone(),
        });
    }
    if let Some(rec) = core.ops.open_on(conn, vm_id) {
        return Err(Refusal::BusyWithOperation {
            vm: vm.name.clone(),
            action: rec.op.action.clone(),
        });
    }
    Ok(vm)
}

/// Whether `kind` may start on this VM now: the provider's rules on the last known state,
/// and nothing of ours open on it.
pub(crate) fn allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    kind: ActionKind,
) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let vm = idle_vm(core, wfs, conn, vm_id)?;
    if kind == ActionKind::Rebuild {
        c.caps.rebuild()?;
    }
    if !c.caps.offers(kind) {
        return Err(Refusal::NotOffered {
            provider: c.cfg.dialect,
        });
    }
    if kind == ActionKind::Delete {
        return delete_allowed(core, conn, vm);
    }
    c.api.allowed(vm, kind)
}

/// Deleting: the provider's own rules, its role rule, and a VM not in the middle of a change.
fn delete_allowed(core: &Core, conn: &ConnId, vm: &Vm) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let provider = c.cfg.dialect;
    let dc = c.caps.delete.ok_or(Refusal::NotOffered { provider })?;
    role_allows(core, conn, provider, dc.needs_admin, ActionKind::Delete)?;
    c.api.allowed(vm, ActionKind::Delete)
}

/// The role rule: where only an administrator may do `action` (`needs_admin`), a user whose
/// role the provider refused the catalogue's reads may not.
pub(crate) fn role_allows(
    core: &Core,
    conn: &ConnId,
    provider: DialectKind,
    needs_admin: bool,
    action: ActionKind,
) -> Result<(), Refusal> {
    if needs_admin && role_refused(core, conn) {
        return Err(Refusal::RoleCannot { provider, action });
    }
    Ok(())
}

/// The provider refused this user's catalogue reads for their role (Erigones: admin only).
pub(crate) fn role_refused(core: &Core, conn: &ConnId) -> bool {
    core.conn(conn)
        .and_then(|c| c.catalogue.as_ref())
        .and_then(|cat| cat.failure())
        .is_some_and(|e| e.kind == crate::error::ErrorKind::Forbidden)
}

/// The action a delete of this VM sends: a forced stop first where the provider deletes only
/// stopped VMs and this one runs.
pub(crate) fn delete_action(core: &Core, conn: &ConnId, vm: &Vm) -> Action {
    let needs_stopped = core
        .conn(conn)
        .and_then(|c| c.caps.delete)
        .is_some_and(|d| d.needs_stopped);
    Action::Delete {
        stop_first: needs_stopped && vm.power != PowerState::Stopped,
    }
}

/// Whether a VM may be created on this connection now.
pub(crate) fn create_allowed(core: &Core, conn: &ConnId) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let provider = c.cfg.dialect;
    let cc = c.caps.create.ok_or(Refusal::NotOffered { provider })?;
    role_allows(core, conn, provider, cc.needs_admin, ActionKind::Create)
}

/// Whether this connection's provider can carry a Stop at all.
pub(crate) fn can_stop(core: &Core, conn: &ConnId) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let provider = c.cfg.dialect;
    if !c.caps.offers(ActionKind::Shutdown) {
        return Err(Refusal::NoShutdown { provider });
    }
    if !c.caps.forces_stop && !c.caps.offers(ActionKind::PowerOff) {
        return Err(Refusal::NoPowerOff { provider });
    }
    Ok(())
}

/// Whether `plan` may start on this VM now.
pub(crate) fn plan_allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    plan: &Plan,
) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let vm = idle_vm(core, wfs, conn, vm_id)?;
    let provider = c.cfg.dialect;
    match plan {
        Plan::Guarded {
            change,
            snapshot_name,
        } => {
            crate::engine::workflows::guarded_allowed(core, wfs, conn, vm_id, change, snapshot_name)
        }
        Plan::RollBack { .. } => {
            crate::engine::workflows::rollback_allowed(core, wfs, conn, vm_id, plan)
        }
        Plan::Stop { grace_s } => {
            if *grace_s == 0 || *grace_s > MAX_STOP_GRACE_S {
                return Err(Refusal::GraceOutOfRange {
                    max_s: MAX_STOP_GRACE_S,
                });
            }
            can_stop(core, conn)?;
            allowed(core, wfs, conn, vm_id, ActionKind::Shutdown)
        }
        Plan::ColdResize {
            resize,
            start_after,
        } => {
            if !c.caps.offers(ActionKind::Resize) {
                return Err(Refusal::NoResize { provider });
            }
            if *start_after && !c.caps.offers(ActionKind::Start) {
                return Err(Refusal::NoStart { provider });
            }
            let action = Action::Resize(resize.clone());
            action.validate()?;
            c.api.validate(&action)?;
            match vm.power {
                PowerState::Stopped => c.api.allowed(vm, ActionKind::Resize),
                PowerState::Running => {
                    if let Err(why) = can_stop(core, conn) {
                        let resizes_running = c
                            .api
                            .allowed(vm, ActionKind::Resize)
                            .is_ok()
                            .then_some(provider);
                        return Err(Refusal::CannotStopToResize {
                            why: Box::new(why),
                            resizes_running,
                        });
                    }
                    allowed(core, wfs, conn, vm_id, ActionKind::Shutdown)
                }
                _ => Err(Refusal::WaitRunningOrStopped {
                    status: vm.status_raw.clone(),
                }),
            }
        }
    }
}

/// A resize the provider refuses only because the VM runs, and that Vigil can do as
/// stop → resize → start ([`Plan::ColdResize`]) instead.
pub(crate) fn resize_needs_stop(core: &Core, wfs: &Workflows, conn: &ConnId, vm_id: &VmId) -> bool {
    let running = core
        .vm(conn, vm_id)
        .is_some_and(|v| v.power == PowerState::Running && !v.locked);
    let stop = Plan::Stop {
        grace_s: DEFAULT_STOP_GRACE_S,
    };
    running
        && allowed(core, wfs, conn, vm_id, ActionKind::Resize).is_err()
        && plan_allowed(core, wfs, conn, vm_id, &stop).is_ok()
}

/// Whether the provider's task of this operation may be cancelled now.
pub(crate) fn cancel_allowed(core: &Core, op: &OpId) -> Result<(), Refusal> {
    core.ops.get(op).ok_or(Refusal::UnknownOperation)?;
    can_cancel(core, op)
        .then_some(())
        .ok_or(Refusal::CannotCancel)
}

/// Whether "Check now" means something for this operation: its outcome is in doubt.
pub(crate) fn check_now_allowed(core: &Core, op: &OpId) -> Result<(), Refusal> {
    let rec = core.ops.get(op).ok_or(Refusal::UnknownOperation)?;
    core.conn(&rec.op.connection)
        .ok_or(Refusal::UnknownConnection)?;
    rec.op
        .phase
        .needs_check()
        .then_some(())
        .ok_or(Refusal::NothingToCheck)
}

/// Whether "Retry" may run this operation again now.
pub(crate) fn retry_allowed(core: &Core, wfs: &Workflows, op: &OpId) -> Result<(), Refusal> {
    core.ops.get(op).ok_or(Refusal::UnknownOperation)?;
    can_retry(core, wfs, op)
        .then_some(())
        .ok_or(Refusal::CannotRetry)
}

/// Whether "Force now" may power this workflow's VM off now.
pub(crate) fn force_now_allowed(wfs: &Workflows, wf: &WfId) -> Result<(), Refusal> {
    let rec = wfs.get(wf).ok_or(Refusal::UnknownWorkflow)?;
    rec.can_force_now()
        .then_some(())
        .ok_or(Refusal::NothingToForce)
}

/// Whether this workflow may still be cancelled: it runs, or waits for a check.
pub(crate) fn cancel_workflow_allowed(wfs: &Workflows, wf: &WfId) -> Result<(), Refusal> {
    let w = &wfs.get(wf).ok_or(Refusal::UnknownWorkflow)?.wf;
    (w.is_open() || w.phase == Phase::NeedsCheck)
        .then_some(())
        .ok_or(Refusal::WorkflowEnded)
}

/// Whether the provider lets this operation be cancelled now.
pub(crate) fn can_cancel(core: &Core, op_id: &OpId) -> bool {
    let Some(rec) = core.ops.get(op_id) else {
        return false;
    };
    let (Some(c), Some(r)) = (core.conn(&rec.op.connection), &rec.op.provider_ref) else {
        return false;
    };
    // Never a write for an operation started elsewhere.
    let ours = !rec.op.origin.is_elsewhere();
    ours && rec.op.phase.is_observing()
        && !rec.sched.cancel_requested
        && c.api.cancel_request(r).is_some()
}

/// Whether "Retry" may run this operation's action again now: it ended without the target
/// showing its result, and the action is allowed on the VM as it is.
pub(crate) fn can_retry(core: &Core, wfs: &Workflows, op_id: &OpId) -> bool {
    core.ops.get(op_id).is_some_and(|r| {
        r.op.phase.may_retry()
            && match (r.op.action.kind(), r.op.vm_id()) {
                (ActionKind::Create, _) => create_allowed(core, &r.op.connection).is_ok(),
                // A network, public IP or rule: the same checks as when it was asked for.
                (kind, _) if kind.res_kind().is_some() => r.op.target.res().is_some_and(|t| {
                    let cmd = Command::ActRes {
                        conn: r.op.connection.clone(),
                        scope: t.scope.clone(),
                        action: r.op.action.clone(),
                    };
                    check(core, wfs, &cmd).is_ok()
                }),
                (kind, Some(vm)) => allowed(core, wfs, &r.op.connection, vm, kind).is_ok(),
                (_, None) => false,
            }
    })
}

/// Whether "force now" means something for this workflow now.
pub(crate) fn can_force_now(wfs: &Workflows, wf_id: &WfId) -> bool {
    wfs.get(wf_id).is_some_and(|r| r.can_force_now())
}
