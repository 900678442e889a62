//! Tying what a VM shows to the command we sent: ZennoHosting keeps no task, and a later
//! operation overwrites the status fields.

use serde_json::Value;

use super::fields::{parse_vm, Fields};
use super::{CLOCK_SLACK, DELETE};
use crate::dialect::Observation;
use crate::json::text;
use crate::model::{ProviderRef, TaskState, Vm};
use crate::time::Millis;

/// A command we sent, as its reference keeps it.
pub(super) struct Cmd<'a> {
    pub project: &'a str,
    /// Empty for a create until the VM is found by `vm_name`.
    pub vm_id: &'a str,
    pub vm_name: &'a str,
    pub operation: &'a str,
    pub accepted_at: Millis,
}

impl<'a> Cmd<'a> {
    pub(super) fn of(r: &'a ProviderRef) -> Option<Cmd<'a>> {
        match r {
            ProviderRef::ZennoCommand {
                project,
                vm_id,
                operation,
                accepted_at,
                vm_name,
                ..
            } => Some(Cmd {
                project,
                vm_id,
                vm_name,
                operation,
                accepted_at: *accepted_at,
            }),
            _ => None,
        }
    }

    /// A create whose VM is known by its name only: looked for in the project's list.
    pub(super) fn by_name(&self) -> bool {
        self.vm_id.is_empty()
    }

    pub(super) fn deletes(&self) -> bool {
        self.operation == DELETE
    }
}

/// The command's VM among a project's VMs: by its id, or by its name while the id is not known
/// (the one still being created first, should the name appear twice).
pub(super) fn find<'v>(items: &'v [Value], cmd: &Cmd) -> Option<&'v Value> {
    if !cmd.by_name() {
        return items
            .iter()
            .find(|i| text(i, "id").as_deref() == Some(cmd.vm_id));
    }
    let name = cmd.vm_name.trim();
    let named = || {
        items
            .iter()
            .filter(move |i| text(i, "name").as_deref().map(str::trim) == Some(name))
    };
    named()
        .find(|i| text(i, "operation").as_deref() == Some(cmd.operation))
        .or_else(|| named().next())
}

/// What a project's VM list says of the command: `None` when its VM is not in it (a delete's VM
/// missing from the complete list is gone, which is what it meant).
pub(super) fn observe_listed(items: &[Value], cmd: &Cmd) -> Option<Observation> {
    match find(items, cmd) {
        Some(item) => {
            let vm = parse_vm(item, Some(cmd.project))?;
            Some(observe(cmd.operation, cmd.accepted_at, item, vm))
        }
        None if cmd.deletes() => Some(gone()),
        None => None,
    }
}

/// What a look at a create whose VM is known by its name only teaches once the VM is found:
/// its id, by which it is read on its own from then on (`GET …/vms/{id}`) rather than in its
/// project's whole list (the engine still looks at several operations of a project in one list).
pub(super) fn learned(r: &ProviderRef, mut obs: Observation) -> Observation {
    let mut better = r.clone();
    if let (ProviderRef::ZennoCommand { vm_id, .. }, Some(vm)) = (&mut better, &obs.vm) {
        if vm_id.is_empty() && !vm.id.as_str().is_empty() {
            *vm_id = vm.id.as_str().to_string();
            obs.follow = Some(better);
        }
    }
    obs
}

/// A deleted VM no longer found: the delete ended, and a read of the VM will tell the same.
pub(super) fn gone() -> Observation {
    Observation {
        state: TaskState::Succeeded,
        raw_status: "not found".into(),
        ..Observation::default()
    }
}

/// A created VM not in the project's list yet.
pub(super) fn not_listed() -> Observation {
    Observation {
        state: TaskState::Pending,
        not_listed: true,
        ..Observation::default()
    }
}

/// What the VM's fields say of the command `operation`, accepted at `accepted_at`.
pub(super) fn tie(operation: &str, accepted_at: Millis, f: &Fields) -> TaskState {
    match f.operation.as_deref() {
        Some(op) if op == operation => match f.status.as_deref() {
            Some("pending") => TaskState::Pending,
            Some("in_progress") => TaskState::Running,
            // The VM still shows an earlier run of the same operation: ours has not started.
            Some("succeeded" | "failed")
                if f.updated.is_some_and(|u| u + CLOCK_SLACK < accepted_at) =>
            {
                TaskState::Pending
            }
            // The VM is about to go: the read after it tells.
            Some("succeeded") if operation == DELETE => TaskState::Succeeded,
            // "Succeeded" with a failed boot is a failure.
            Some("succeeded") if operation != "stop" && f.boot.as_deref() == Some("failed") => {
                TaskState::Failed
            }
            // Done, says the status, but the boot status shows the change still under way.
            Some("succeeded") if matches!(f.boot.as_deref(), Some("booting" | "stopping")) => {
                TaskState::Running
            }
            // Reported done: the engine verifies the VM, and says so when it disagrees.
            Some("succeeded") => TaskState::Succeeded,
            Some("failed") => TaskState::Failed,
            Some(other) => TaskState::Unknown(other.to_string()),
            // Our operation, with no status yet.
            None => TaskState::Pending,
        },
        // Another operation changed the VM after ours was accepted: it overwrote our status.
        Some(other) if f.updated.is_some_and(|u| u > accepted_at) => TaskState::Superseded {
            by: other.to_string(),
        },
        // The VM still shows its previous operation: ours has not started yet.
        Some(_) => TaskState::Pending,
        // No operation at all ("null when idle", assumed): ours has not begun, or it ended and
        // the provider cleared its fields. The engine tells which from what it saw before.
        None => TaskState::Idle,
    }
}

/// Whether the command leaves the VM off (a stop) or removes it (a delete), rather than booting
/// it.
fn stops(operation: &str) -> bool {
    operation == "stop" || operation == DELETE
}

/// Whether the VM shows what the succeeded command `operation` was meant to reach.
fn reached(operation: &str, f: &Fields) -> bool {
    let (state, boot) = if stops(operation) {
        ("stopped", "stopped")
    } else {
        ("running", "booted")
    };
    f.state.as_deref() == Some(state) && f.boot.as_deref().is_none_or(|b| b == boot)
}

/// The observation of command `operation`, accepted at `accepted_at`, from the VM's JSON `v`.
/// The raw status is the provider's fields: the operation and its status, and the VM's state
/// and boot status where they are what decided (`start failed · boot failed`,
/// `start succeeded · running · boot booting`).
pub(super) fn observe(operation: &str, accepted_at: Millis, v: &Value, vm: Vm) -> Observation {
    let f = Fields::of(v);
    let state = tie(operation, accepted_at, &f);
    let mut raw = f.op_text();
    let decided_by_vm = f.operation.as_deref() == Some(operation)
        && f.status.as_deref() == Some("succeeded")
        && matches!(
            state,
            TaskState::Failed | TaskState::Running | TaskState::Succeeded
        )
        && (state != TaskState::Succeeded || (operation != DELETE && !reached(operation, &f)));
    if state == TaskState::Failed && f.boot.as_deref() == Some("failed") {
        raw.push_str(" · boot failed");
    } else if decided_by_vm {
        raw = format!("{raw} · {}", f.state_text());
    }
    Observation {
        state,
        raw_status: raw,
        vm: Some(vm),
        ..Observation::default()
    }
}
