//! Guarded changes ("snapshot first") and their rollback.
//!
//! A [`Plan::Guarded`] workflow takes a snapshot (an ordinary operation on the snapshot, found
//! by name and verified ready on the provider's list), then makes the change — stopping the VM
//! first, and starting it again after, where the provider makes that change only on a stopped
//! VM — and verifies it like any operation. When the change's step fails or needs a check after
//! the snapshot was verified, [`Workflows::rollback_offer`] offers that snapshot back, and a
//! [`Plan::RollBack`] workflow restores it (stopped first where the provider restores only
//! stopped VMs).

use super::{stop_steps, Workflows};
use crate::dialect::Avail;
use crate::engine::rules::{act_allowed, allowed, can_stop, idle_vm, role_allows};
use crate::engine::{Core, View};
use crate::ids::{ConnId, VmId, WfId};
use crate::model::{Action, ActionKind, Phase, PowerState, Vm};
use crate::time::Millis;
use crate::words::{GuardRefusal, PointRefusal, Refusal, StepLabel, WfNote};
use crate::workflow::{guard_caps, GuardedChange, Plan, RollbackOffer, Step, StepState};

/// The name [`guard_offered`] checks the snapshot's rules with, before the user chose one
/// (the name's own rules are checked with the real name when the workflow starts).
const PROBE_NAME: &str = "before-change";

/// Whether the VM must be stopped for `kind` (running now, and the provider makes that change
/// only on a stopped VM).
fn needs_stop(core: &Core, conn: &ConnId, vm: &Vm, kind: ActionKind) -> bool {
    let Some(c) = core.conn(conn) else {
        return false;
    };
    if vm.power != PowerState::Running {
        return false;
    }
    match kind {
        ActionKind::Resize => c.api.allowed(vm, ActionKind::Resize).is_err(),
        ActionKind::RestoreBackup => c.caps.points.backups.restore_needs_stopped,
        ActionKind::RestoreSnapshot => c.caps.points.snapshots.restore_needs_stopped,
        ActionKind::Rebuild => c.caps.rebuild.is_some_and(|r| r.needs_stopped),
        _ => false,
    }
}

/// Whether the VM comes back running after `kind` by itself (a rebuild that redeploys it).
fn ends_running(core: &Core, conn: &ConnId, kind: ActionKind) -> bool {
    kind == ActionKind::Rebuild
        && core
            .conn(conn)
            .and_then(|c| c.caps.rebuild)
            .is_some_and(|r| r.ends_running)
}

/// The steps of a guarded change or a rollback on `vm` as it is now: the snapshot (guarded),
/// the stop where needed, the change (or the snapshot's restore), and the start again where the
/// VM was stopped for it and does not come back by itself.
pub(super) fn steps(core: &Core, conn: &ConnId, vm: &Vm, plan: &Plan) -> Vec<Step> {
    let (mut steps, kind, label) = match plan {
        Plan::Guarded {
            change,
            snapshot_name,
        } => {
            let name = snapshot_name.trim().to_string();
            let snap = Step::new(ActionKind::Snapshot, StepLabel::TakeSnapshot { name });
            (vec![snap], change.kind(), change_label(change))
        }
        Plan::RollBack { snapshot_name, .. } => {
            let name = snapshot_name.clone();
            let label = StepLabel::RestoreSnapshot { name };
            (Vec::new(), ActionKind::RestoreSnapshot, label)
        }
        _ => return Vec::new(),
    };
    let stop = needs_stop(core, conn, vm, kind);
    if stop {
        steps.extend(stop_steps(core, conn, plan.grace_s()));
    }
    steps.push(Step::new(kind, label));
    if stop && !ends_running(core, conn, kind) {
        steps.push(Step::new(ActionKind::Start, StepLabel::Start));
    }
    steps
}

fn change_label(change: &GuardedChange) -> StepLabel {
    match change {
        GuardedChange::Resize(r) => StepLabel::Resize(r.clone()),
        GuardedChange::RestoreBackup { backup_id, name } => StepLabel::RestoreBackup {
            name: if name.trim().is_empty() {
                backup_id.clone()
            } else {
                name.clone()
            },
        },
        GuardedChange::Rebuild { image } => StepLabel::Rebuild {
            image: image.clone(),
        },
    }
}

/// Whether "snapshot first" is offered now for a change of `kind` on this VM: the provider
/// takes and restores snapshots ([`guard_caps`]) and would take one of this VM now (the
/// snapshot rules of [`act_allowed`]: role, the provider's limit against the VM's list as last
/// read, the VM's state). Refusals about the snapshot come as [`GuardRefusal::SnapshotRefused`].
pub(crate) fn guard_offered(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    kind: ActionKind,
) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    guard_caps(c.caps, kind)?;
    match snapshot_allowed(core, wfs, conn, vm_id, PROBE_NAME) {
        Err(Refusal::Guard(GuardRefusal::SnapshotRefused { why }))
            if matches!(
                *why,
                Refusal::Point(PointRefusal::NameUsed { .. } | PointRefusal::BadName { .. })
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// The snapshot a guarded change takes, checked as the user's own snapshot would be.
fn snapshot_allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    name: &str,
) -> Result<(), Refusal> {
    idle_vm(core, wfs, conn, vm_id)?;
    let snap = Action::Snapshot {
        name: name.trim().to_string(),
        description: String::new(),
    };
    act_allowed(core, wfs, conn, vm_id, &snap)
        .map_err(|why| Refusal::Guard(GuardRefusal::SnapshotRefused { why: Box::new(why) }))
}

/// Whether a guarded change may start now: "snapshot first" offered, the snapshot's name, and
/// the change itself (as a plain action, or stop → change where the VM must be stopped).
pub(crate) fn guarded_allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    change: &GuardedChange,
    snapshot_name: &str,
) -> Result<(), Refusal> {
    guard_offered(core, wfs, conn, vm_id, change.kind())?;
    snapshot_allowed(core, wfs, conn, vm_id, snapshot_name)?;
    change_allowed(core, wfs, conn, vm_id, &change.action())
}

/// Whether `action` may run on the VM, stopped first where it must be.
fn change_allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    action: &Action,
) -> Result<(), Refusal> {
    let c = core.conn(conn).ok_or(Refusal::UnknownConnection)?;
    let vm = idle_vm(core, wfs, conn, vm_id)?;
    let kind = action.kind();
    if !needs_stop(core, conn, vm, kind) {
        return act_allowed(core, wfs, conn, vm_id, action);
    }
    // Stopped first: the change's own rules on a running VM do not apply; its parameters and
    // the provider's offer do, and the stop must be possible.
    if kind == ActionKind::Rebuild {
        c.caps.rebuild()?;
    }
    if !c.caps.offers(kind) {
        return Err(Refusal::NotOffered {
            provider: c.cfg.dialect,
        });
    }
    core.check_action(conn, action)?;
    if let Some(avail) = c.caps.points.avail(kind) {
        let admin = avail == Avail::AdminOnly;
        role_allows(core, conn, c.cfg.dialect, admin, kind)?;
    }
    if !ends_running(core, conn, kind) && !c.caps.offers(ActionKind::Start) {
        return Err(Refusal::NoStart {
            provider: c.cfg.dialect,
        });
    }
    can_stop(core, conn)?;
    allowed(core, wfs, conn, vm_id, ActionKind::Shutdown)
}

/// Whether a rollback may start now: the offer still stands, on this VM, and the restore
/// (stopped first where it must be) is allowed.
pub(crate) fn rollback_allowed(
    core: &Core,
    wfs: &Workflows,
    conn: &ConnId,
    vm_id: &VmId,
    plan: &Plan,
) -> Result<(), Refusal> {
    let Plan::RollBack {
        guarded,
        snapshot_id,
        snapshot_name,
    } = plan
    else {
        return Err(Refusal::Guard(GuardRefusal::NoRollbackOffered));
    };
    let offer = wfs.offer(core, guarded)?;
    let g = &wfs.get(guarded).ok_or(Refusal::UnknownWorkflow)?.wf;
    if &g.connection != conn || &g.vm_id != vm_id || &offer.snapshot_id != snapshot_id {
        return Err(Refusal::Guard(GuardRefusal::NoRollbackOffered));
    }
    let restore = Action::RestoreSnapshot {
        id: snapshot_id.clone(),
        name: snapshot_name.clone(),
    };
    change_allowed(core, wfs, conn, vm_id, &restore)
}

impl Workflows {
    /// The rollback a guarded workflow offers now ([`crate::Workflow::rollback_offer`]),
    /// unless a rollback of it was started and has not failed.
    pub(crate) fn offer(&self, core: &Core, id: &WfId) -> Result<RollbackOffer, Refusal> {
        let wf = &self.get(id).ok_or(Refusal::UnknownWorkflow)?.wf;
        let op = wf
            .snapshot_step()
            .and_then(|s| s.op_id.as_ref())
            .and_then(|op| core.ops.get(op))
            .map(|r| &r.op);
        let offer = wf.rollback_offer(op);
        let started = self.list.iter().any(|r| {
            matches!(&r.wf.plan, Plan::RollBack { guarded, .. } if guarded == id)
                && (r.wf.is_open() || matches!(r.wf.phase, Phase::Succeeded | Phase::NeedsCheck))
        });
        offer
            .filter(|_| !started)
            .ok_or(Refusal::Guard(GuardRefusal::NoRollbackOffered))
    }

    /// The rollback workflow's plan for the guarded workflow `id`, where one is offered.
    pub(crate) fn rollback_plan(&self, core: &Core, id: &WfId) -> Result<Plan, Refusal> {
        let offer = self.offer(core, id)?;
        Ok(Plan::RollBack {
            guarded: id.clone(),
            snapshot_id: offer.snapshot_id,
            snapshot_name: offer.snapshot_name,
        })
    }

    /// Starts the rollback the guarded workflow `id` offers.
    pub fn roll_back(&mut self, core: &mut Core, id: &WfId, now: Millis) -> Result<WfId, Refusal> {
        let plan = self.rollback_plan(core, id)?;
        let wf = &self.get(id).ok_or(Refusal::UnknownWorkflow)?.wf;
        let (conn, vm) = (wf.connection.clone(), wf.vm_id.clone());
        self.start(core, &conn, &vm, plan, now)
    }

    /// A rollback of the guarded workflow `id` started: where that workflow waits for a check
    /// of its change, it goes no further (a check that found the change done must not start
    /// the VM again over the restore).
    pub(super) fn rolling_back(&mut self, id: &WfId, now: Millis) {
        let Some(i) = self.index(id) else {
            return;
        };
        let wf = &mut self.list[i].wf;
        if wf.phase != Phase::NeedsCheck {
            return;
        }
        for s in wf.steps.iter_mut() {
            if s.state == StepState::Pending {
                s.state = StepState::NotRun;
            }
        }
        wf.note = Some(WfNote::RollBackStarted);
        self.end(i, Phase::Cancelled, now);
    }
}

impl View<'_> {
    /// Whether "snapshot first" is offered now for a change of `kind` on this VM, and why not
    /// (typed: [`GuardRefusal`], or why the VM cannot be acted on now).
    pub fn guard_offered(&self, conn: &ConnId, vm: &VmId, kind: ActionKind) -> Result<(), Refusal> {
        guard_offered(self.core, self.wfs, conn, vm, kind)
    }

    /// "Roll back to the snapshot taken at …": what the guarded workflow `wf` offers now, if
    /// anything ([`crate::Command::RollBack`] starts it).
    pub fn rollback_offer(&self, wf: &WfId) -> Option<RollbackOffer> {
        self.wfs.offer(self.core, wf).ok()
    }
}
