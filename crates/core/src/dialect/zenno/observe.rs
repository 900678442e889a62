//! Tying what a VM shows to the command we sent: ZennoHosting keeps no task, and a later
//! operation overwrites the status fields.

use serde_json::Value;

use super::fields::Fields;
use super::CLOCK_SLACK;
use crate::dialect::Observation;
use crate::model::{TaskState, Vm};
use crate::time::Millis;

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
            Some("succeeded") => {
                let (state, boot) = if operation == "stop" {
                    ("stopped", "stopped")
                } else {
                    ("running", "booted")
                };
                let reached = f.state.as_deref() == Some(state)
                    && f.boot.as_deref().is_none_or(|b| b == boot);
                if reached {
                    TaskState::Succeeded
                } else if state == "running" && f.boot.as_deref() == Some("failed") {
                    // "Succeeded" with a failed boot is a failure.
                    TaskState::Failed
                } else {
                    // Reported done; the VM does not show it yet.
                    TaskState::Running
                }
            }
            Some("failed") => TaskState::Failed,
            Some(other) => TaskState::Unknown(other.to_string()),
            // Our operation, with no status yet.
            None => TaskState::Pending,
        },
        // Another operation changed the VM after ours was accepted: it overwrote our status.
        Some(other) if f.updated.is_some_and(|u| u > accepted_at) => TaskState::Superseded {
            by: other.to_string(),
        },
        // The VM still shows its previous operation, or none: ours has not started yet.
        Some(_) | None => TaskState::Pending,
    }
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
        && matches!(state, TaskState::Running | TaskState::Failed);
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
