//! Carrying out a [`Command`]: each intent checked ([`rules::check`], the same check a
//! following tab makes through `View::check`), then handed to the part of the engine that owns
//! it.

use crate::catalogue::{Catalogue, PartState};
use crate::dialect::ConnectionConfig;
use crate::engine::command::{Command, Pace, Started};
use crate::engine::core::{Core, Happened};
use crate::engine::rules;
use crate::engine::sync;
use crate::engine::Engine;
use crate::ids::{ConnId, OpId, VmId};
use crate::model::{Action, Target, VmSpec};
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

/// Carries out one command: what it started, or why it cannot.
pub(super) fn handle(e: &mut Engine, cmd: Command, now: Millis) -> Result<Started, Refusal> {
    rules::check(&e.core, &e.wfs, &cmd)?;
    let core = &mut e.core;
    let wfs = &mut e.wfs;
    match cmd {
        // One VM: an action, a new VM, a deletion, an operation again.
        Command::Act { conn, vm, action } => act(e, &conn, &vm, action, now),
        Command::ActRes {
            conn,
            scope,
            action,
        } => {
            let target = crate::engine::resrules::res_target(&e.core, &conn, &scope, &action);
            e.core
                .create_op(&conn, target, action, now)
                .map(Started::Op)
        }
        Command::Create { conn, spec } => create(e, &conn, spec, now),
        Command::Delete {
            conn,
            vm,
            typed_name,
        } => delete(e, &conn, &vm, &typed_name, now),
        Command::Retry { op } => retry(e, &op, now),
        // Workflows, and the operations and workflows under way.
        Command::Workflow { conn, vm, plan } => wfs
            .start(core, &conn, &vm, plan, now)
            .map(Started::Workflow),
        Command::Bulk { targets, work } => {
            Ok(Started::Bulk(wfs.start_bulk(core, targets, work, now)))
        }
        Command::Cancel { op } => cancel(core, &op),
        Command::CheckNow { op } => check_now(core, &op, now),
        Command::ForceNow { workflow } => wfs
            .force_now(core, &workflow, now)
            .map(|()| Started::Nothing),
        Command::RollBack { wf } => wfs.roll_back(core, &wf, now).map(Started::Workflow),
        Command::CancelWorkflow { workflow } => {
            wfs.cancel(core, &workflow, now).map(|()| Started::Nothing)
        }
        // Connections and their catalogues.
        Command::Refresh { conn } => refresh(core, &conn, now),
        Command::ReadActivity { conn, more } => {
            core.read_activity(&conn, more).map(|()| Started::Nothing)
        }
        Command::ReadPoints { conn, vm, kind } => core.ask_points(&conn, &vm, kind),
        Command::ReadList { conn, scope, kind } => core.ask_list(&conn, &scope, kind),
        Command::LoadCatalogue { conn, region } => load_catalogue(core, conn, region),
        Command::AddConnection(cfg) => {
            core.add_connection(cfg, now);
            Ok(Started::Nothing)
        }
        Command::SetConnections(list) => set_connections(core, list, now),
        Command::RemoveConnection(id) => {
            core.remove_connection(&id, now);
            Ok(Started::Nothing)
        }
        // The tab: its pace, what storage and other tabs bring, what it keeps.
        cmd @ (Command::Pace(_)
        | Command::Import(_)
        | Command::ImportLearning(_)
        | Command::TakeOver
        | Command::Mirror(_)
        | Command::ShareAll
        | Command::ClearFinished) => {
            tab(e, cmd, now);
            Ok(Started::Nothing)
        }
    }
}

/// A command about the tab itself: it starts nothing and is never refused.
fn tab(e: &mut Engine, cmd: Command, now: Millis) {
    match cmd {
        Command::Pace(pace) => set_pace(e, pace, now),
        Command::Import(state) => {
            e.keeper.know(&state);
            sync::import(&mut e.core, &mut e.wfs, state, now);
        }
        Command::ImportLearning(state) => e.core.policy.import_state(&state),
        Command::TakeOver => take_over(e, now),
        Command::Mirror(share) => sync::mirror(&mut e.core, &mut e.wfs, share),
        Command::ShareAll => e.share_all(),
        Command::ClearFinished => clear_finished(e),
        _ => unreachable!("handle carries out the other commands"),
    }
}

/// This tab leads from now on: what it shows is resumed, and kept and shared as its own — its
/// keeper starts afresh and, led at once (the shell gives the page's pace next), the settle
/// after this command writes and shares every entry. Still following, that settle would let
/// the changes go unkept: a tab that joined later would be shared none of what this one took
/// over, and clear it from its own view.
fn take_over(e: &mut Engine, now: Millis) {
    sync::take_over(&mut e.core, &mut e.wfs, now);
    e.keeper = sync::Keeper::default();
    if e.pace == Pace::Follower {
        e.pace = Pace::Foreground;
        e.quiet_until = 0;
    }
}

/// One action on one VM (checked).
fn act(
    e: &mut Engine,
    conn: &ConnId,
    vm: &VmId,
    action: Action,
    now: Millis,
) -> Result<Started, Refusal> {
    let name = e
        .core
        .vm(conn, vm)
        .map(|v| v.name.clone())
        .unwrap_or_default();
    let target = target_of(vm, &name, &action);
    e.core.create_op(conn, target, action, now).map(Started::Op)
}

/// What an action on the VM `vm` (named `name`) targets: the snapshot or backup it makes or
/// deletes, the part of the VM listed in its own scope (its firewall, a console session),
/// else the VM.
pub(crate) fn target_of(vm: &VmId, name: &str, action: &Action) -> Target {
    if let Some((kind, id)) = action.vm_res_target() {
        // A VM's firewall is one item, known by the VM's id.
        let id = id.or_else(|| {
            (kind == crate::model::ResourceKind::Firewall).then(|| vm.as_str().to_string())
        });
        return Target::Res {
            kind,
            scope: crate::model::Scope::Vm(vm.clone()),
            id,
            name: name.to_string(),
            before: Vec::new(),
        };
    }
    match action.point_target() {
        Some((kind, id, point)) => Target::Point {
            vm: vm.clone(),
            vm_name: name.to_string(),
            kind,
            id,
            name: point,
        },
        None => Target::vm(vm.clone(), name),
    }
}

/// A new VM (checked: the role, the catalogue, the name).
fn create(e: &mut Engine, conn: &ConnId, spec: VmSpec, now: Millis) -> Result<Started, Refusal> {
    let target = Target::Vm {
        id: None,
        name: spec.name.trim().to_string(),
    };
    e.core
        .create_op(conn, target, Action::Create(Box::new(spec)), now)
        .map(Started::Op)
}

/// Deletes a VM, once its name was typed back.
fn delete(
    e: &mut Engine,
    conn: &ConnId,
    vm_id: &VmId,
    typed: &str,
    now: Millis,
) -> Result<Started, Refusal> {
    let vm = rules::delete_confirmed(&e.core, &e.wfs, conn, vm_id, typed)?.clone();
    let action = rules::delete_action(&e.core, conn, &vm);
    e.core
        .create_op(conn, Target::vm(vm.id.clone(), vm.name), action, now)
        .map(Started::Op)
}

/// The same action again, on the same target, as a new operation.
fn retry(e: &mut Engine, op: &OpId, now: Millis) -> Result<Started, Refusal> {
    let rec = e.core.ops.get(op).ok_or(Refusal::UnknownOperation)?;
    let (conn, target, action) = (
        rec.op.connection.clone(),
        rec.op.target.clone(),
        rec.op.action.clone(),
    );
    let target = match (&action, target) {
        // A create that did not happen makes a new VM again: found anew.
        (Action::Create(spec), Target::Vm { .. }) => Target::Vm {
            id: None,
            name: spec.name.trim().to_string(),
        },
        // A new snapshot or backup is found anew too.
        (
            Action::Snapshot { .. } | Action::Backup { .. },
            Target::Point {
                vm,
                vm_name,
                kind,
                name,
                ..
            },
        ) => Target::Point {
            vm,
            vm_name,
            kind,
            id: None,
            name,
        },
        // A new network, public IP or rule too (a public IP: told from those listed now).
        (
            Action::CreateNetwork { .. }
            | Action::AllocateIp
            | Action::CreateForward(_)
            | Action::CreateVolume(_),
            Target::Res { scope, .. },
        ) => crate::engine::resrules::res_target(&e.core, &conn, &scope, &action),
        (_, t) => t,
    };
    e.core
        .create_op(&conn, target, action, now)
        .map(Started::Op)
}

/// Asks to cancel an operation: its request goes out in the next round.
fn cancel(core: &mut Core, op: &OpId) -> Result<Started, Refusal> {
    let rec = core.ops.get_mut(op).ok_or(Refusal::UnknownOperation)?;
    rec.sched.cancel_requested = true;
    Ok(Started::Nothing)
}

/// "Check now" on an operation whose outcome is in doubt.
fn check_now(core: &mut Core, op: &OpId, now: Millis) -> Result<Started, Refusal> {
    let grace = core.schedule.verify_grace;
    let rec = core.ops.get(op).ok_or(Refusal::UnknownOperation)?;
    if core.conn(&rec.op.connection).is_none() {
        return Err(Refusal::UnknownConnection);
    }
    let can_find = core.can_find(op);
    let rec = core.ops.get_mut(op).expect("checked");
    if !rec.check_now(grace, can_find, now) {
        return Err(Refusal::NothingToCheck);
    }
    Ok(Started::Nothing)
}

/// Lists a connection's VMs again, its credentials tried anew.
fn refresh(core: &mut Core, conn: &ConnId, now: Millis) -> Result<Started, Refusal> {
    let c = core.conn_mut(conn).ok_or(Refusal::UnknownConnection)?;
    c.auth_failed = false;
    c.inv.refresh(now);
    Ok(Started::Nothing)
}

/// Reads the create form's catalogue: all of it, or with `region` the parts that belong to the
/// chosen region (ZennoHosting's project's keys).
fn load_catalogue(
    core: &mut Core,
    conn: ConnId,
    region: Option<String>,
) -> Result<Started, Refusal> {
    let c = core.conn_mut(&conn).ok_or(Refusal::UnknownConnection)?;
    let before = c.catalogue.clone();
    let requests = match &region {
        Some(r) => c.api.region_catalogue_requests(r),
        None => {
            c.catalogue = Some(Catalogue::default());
            c.api.catalogue_requests()
        }
    };
    let cat = c.catalogue.get_or_insert_with(Catalogue::default);
    for (p, _) in &requests {
        cat.parts.insert(*p, PartState::Loading);
    }
    c.catalogue_queue
        .retain(|(p, _)| !requests.iter().any(|(q, _)| q == p));
    c.catalogue_queue.extend(requests);
    if c.catalogue != before {
        core.happened.push(Happened::Catalogue(conn));
    }
    Ok(Started::Nothing)
}

/// The connections as configured now: those gone removed, those new or changed added.
fn set_connections(
    core: &mut Core,
    list: Vec<ConnectionConfig>,
    now: Millis,
) -> Result<Started, Refusal> {
    let old: Vec<ConnId> = core.conns.keys().cloned().collect();
    for id in old {
        if !list.iter().any(|c| c.id == id) {
            core.remove_connection(&id, now);
        }
    }
    for cfg in list {
        let same = core.conn(&cfg.id).is_some_and(|c| c.cfg == cfg);
        if !same {
            core.add_connection(cfg, now);
        }
    }
    Ok(Started::Nothing)
}

/// The tab was hidden or shown, or the network went or came back. Coming back to the
/// foreground looks at everything open at once (and lists again); nothing times out for time
/// spent offline before it was looked at again.
fn set_pace(e: &mut Engine, pace: Pace, now: Millis) {
    let before = e.pace;
    e.pace = pace;
    if pace == Pace::Background {
        return;
    }
    e.quiet_until = 0;
    if pace != Pace::Foreground || before == Pace::Foreground {
        return;
    }
    let grace = e.core.schedule.verify_grace.max(30 * SECOND);
    for id in e.core.ops.open_ids() {
        let rec = e.core.ops.get_mut(&id).expect("listed");
        if !rec.sched.waiting() {
            rec.sched.due = Some(now);
        }
        if before == Pace::Offline {
            rec.sched.deadline = rec.sched.deadline.max(now + grace);
        }
    }
    for c in e.core.conns.values_mut() {
        c.inv.refresh(now);
    }
}

/// Forgets what has ended, except what something still open refers to.
fn clear_finished(e: &mut Engine) {
    let open_refs: Vec<OpId> = e
        .wfs
        .list
        .iter()
        .filter(|r| r.wf.is_open())
        .flat_map(|r| r.wf.steps.iter().filter_map(|s| s.op_id.clone()))
        .collect();
    let gone: Vec<OpId> = e
        .core
        .ops
        .iter()
        .filter(|r| !r.is_open() && !open_refs.contains(&r.op.id))
        .map(|r| r.op.id.clone())
        .collect();
    e.core.ops.remove(&gone);
    for id in gone {
        e.core.ops.note_removed(id);
    }
    let wf_gone: Vec<_> = e
        .wfs
        .list
        .iter()
        .filter(|r| !r.wf.is_open())
        .map(|r| r.wf.id.clone())
        .collect();
    e.wfs.list.retain(|r| r.wf.is_open());
    e.wfs.changed.extend(wf_gone);
    let bulk_gone: Vec<_> = e
        .wfs
        .bulks
        .iter()
        .filter(|b| b.finished_at.is_some())
        .map(|b| b.id.clone())
        .collect();
    e.wfs.bulks.retain(|b| b.finished_at.is_none());
    e.wfs.changed_bulks.extend(bulk_gone);
}
