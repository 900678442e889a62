//! Reading Erigones' VMs and task envelopes.

use serde_json::Value;

use super::{ERROR_KEYS, TASK_GONE};
use crate::dialect::{address, is_private_ip, public_first, uint32, Observation};
use crate::error::{ApiError, ErrorKind};
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{Address, PowerState, Size, TaskState, Vm};
use crate::time::Millis;

/// The VM's `status`, in our terms. The `running-` / `stopped-` / … variants are the provider's
/// "not ready" states: a change is being applied, whatever the prefix says.
pub fn power_of(status: &str) -> PowerState {
    match status {
        "running" => PowerState::Running,
        // Frozen is a stopped VM that may not be started until unfrozen; not created is a VM
        // defined but never deployed. Both are off.
        "stopped" | "frozen" | "notcreated" => PowerState::Stopped,
        "stopping" => PowerState::Stopping,
        "deploying" | "notready" => PowerState::Busy,
        s if s.ends_with('-')
            && matches!(
                s.trim_end_matches('-'),
                "running" | "stopped" | "frozen" | "notcreated"
            ) =>
        {
            PowerState::Busy
        }
        // `error` has no PowerState of its own: it is shown raw, like a value we do not know.
        other => PowerState::Unknown(other.to_string()),
    }
}

/// The envelope's task `status`, in our terms.
pub fn task_state(status: &str) -> TaskState {
    match status {
        "PENDING" => TaskState::Pending,
        "STARTED" => TaskState::Running,
        "SUCCESS" => TaskState::Succeeded,
        "FAILURE" => TaskState::Failed,
        "REVOKED" => TaskState::Cancelled,
        other => TaskState::Unknown(other.to_string()),
    }
}

/// Whether a `tasks` value (map of pending task ids) holds anything.
pub(super) fn has_tasks(tasks: Option<&Value>) -> bool {
    match tasks {
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    }
}

/// A VM from `/vm/status/` (status and pending tasks) or `/vm/?full=true` / `/vm/{hostname}/`
/// (sizes, `ips`, the VM's own `locked`): each field where the object carries it.
pub(super) fn parse_vm(v: &Value) -> Option<Vm> {
    // `hostname` is the id URLs use; the `uuid` works in URLs too, for a VM without one.
    let id = text(v, "hostname")
        .filter(|s| !s.is_empty())
        .or_else(|| text(v, "uuid"))?;
    let status = text(v, "status").unwrap_or_else(|| "(no status)".into());
    Some(Vm {
        name: text(v, "alias")
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        status_raw: status,
        // Pending tasks hold the VM: the provider refuses another action (409 / 400 lock).
        locked: has_tasks(v.get("tasks")) || v.get("locked").and_then(Value::as_bool) == Some(true),
        size: Size {
            vcpus: uint32(v, "vcpus"),
            // MB, as the definition takes them (`ram`, a disk's `size`).
            memory_gb: uint32(v, "ram").map(|mb| mb.div_ceil(1024)),
            disk_gb: uint32(v, "disk").map(|mb| mb.div_ceil(1024)),
            flavor: None,
        },
        region: None,
        image: None,
        snapshot_count: None,
        project: None,
        addresses: addresses(v),
        // `uptime`: seconds the VM has been up (a VM not running has none).
        image_id: None,
        uptime_s: v.get("uptime").and_then(Value::as_u64),
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        // `/vm/status/` carries neither (`/vm/?full=true` and `/vm/{hostname}/` do).
        status_only: v.get("ips").is_none() && v.get("vcpus").is_none(),
        hostname: None,
    })
}

/// `ips`: bare addresses (or objects with an `ip`); public unless in a private, shared,
/// loopback or link-local range, since the provider does not say.
fn addresses(v: &Value) -> Vec<Address> {
    let listed = v.get("ips").and_then(Value::as_array).into_iter().flatten();
    public_first(listed.filter_map(|a| {
        let ip = match a {
            Value::String(s) => s.clone(),
            other => text(other, "ip")?,
        };
        address(
            &ip,
            !is_private_ip(ip.split('/').next().unwrap_or_default()),
        )
    }))
}

/// The parts of a task envelope: `status`, `result`.
pub(super) fn envelope(v: &Value) -> Option<(String, Value)> {
    let status = v.get("status")?.as_str()?.to_string();
    Some((status, v.get("result").cloned().unwrap_or(Value::Null)))
}

/// A text field of a task's `result`, or the result itself when it is a string.
pub(super) fn result_text(result: &Value, keys: &[&str]) -> Option<String> {
    match result {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(_) => keys
            .iter()
            .find_map(|k| text(result, k).filter(|s| !s.trim().is_empty())),
        _ => None,
    }
}

pub(super) fn observation_of(status: String, result: &Value) -> Observation {
    let state = task_state(&status);
    let message = match state {
        TaskState::Succeeded => result_text(result, &["message"]),
        _ => result_text(result, &["detail", "message"]),
    };
    Observation {
        state,
        raw_status: status,
        message,
        ..Observation::default()
    }
}

/// A refusal the provider answers as a failed task (`400 FAILURE "Task did not acquire lock"`):
/// the VM is busy, not our request malformed.
pub(super) fn refusal(resp: &HttpResponse, now: Millis) -> ApiError {
    let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
    let failed_task = parse_lenient(&resp.body)
        .ok()
        .and_then(|v| envelope(&v))
        .is_some_and(|(s, _)| s == "FAILURE");
    if resp.status == 400 && failed_task {
        e.kind = ErrorKind::Conflict;
    }
    e
}

/// Reads a task answer: the HTTP code mirrors the task's state, so 400 and 410 carrying an
/// envelope are observations, and the 404 for an expired task means "ask the VM".
pub(super) fn read_task(resp: &HttpResponse, now: Millis) -> Result<Observation, ApiError> {
    let body = parse_lenient(&resp.body).ok();
    if resp.status == 404 {
        let detail = body.as_ref().and_then(|v| text(v, "detail"));
        return match detail {
            Some(d) if d.to_ascii_lowercase().contains(TASK_GONE) => Ok(Observation {
                state: TaskState::Expired,
                raw_status: d,
                ..Observation::default()
            }),
            _ => Err(ApiError::from_response(resp, ERROR_KEYS, now)),
        };
    }
    let env = body.as_ref().and_then(envelope);
    match env {
        Some((status, result)) if resp.is_success() || matches!(resp.status, 400 | 410) => {
            Ok(observation_of(status, &result))
        }
        _ if resp.is_success() => Err(ApiError::bad_response(
            "the task status",
            "no task `status` in the answer",
        )),
        _ => Err(ApiError::from_response(resp, ERROR_KEYS, now)),
    }
}
