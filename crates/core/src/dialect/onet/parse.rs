//! Reading ONETSolutions' instances and tasks.

use serde_json::Value;

use super::MAX_RESULT_TEXT;
use crate::dialect::{address, public_first, Observation};
use crate::ids::VmId;
use crate::json::{text, uint};
use crate::model::{Address, PowerState, Size, TaskState, Vm};

/// The instance's `status`, in our terms.
pub fn power_of(status: &str) -> PowerState {
    match status {
        "running" => PowerState::Running,
        "stopped" => PowerState::Stopped,
        // Documented: the instance has a task under way.
        "pending" => PowerState::Busy,
        // `error` has no PowerState of its own: it is shown raw, like a value we do not know.
        other => PowerState::Unknown(other.to_string()),
    }
}

pub(super) fn count(v: &Value, keys: &[&str]) -> Option<u32> {
    keys.iter()
        .find_map(|k| uint(v, k))
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

pub(super) fn parse_size(v: Option<&Value>) -> Size {
    match v {
        Some(s @ Value::Object(_)) => Size {
            vcpus: count(s, &["vcpus", "cpus", "cpu", "cores"]),
            memory_gb: count(s, &["memory_gb", "ram_gb", "memory", "ram"]),
            disk_gb: count(s, &["disk_gb", "disk"]),
            flavor: text(s, "name").or_else(|| text(s, "id")),
        },
        Some(Value::String(s)) => Size {
            flavor: Some(s.clone()),
            ..Size::default()
        },
        _ => Size::default(),
    }
}

pub(super) fn parse_vm(v: &Value) -> Option<Vm> {
    let id = text(v, "id").filter(|s| !s.is_empty())?;
    let status = text(v, "status").unwrap_or_else(|| "(no status)".into());
    let region = match v.get("location") {
        Some(l @ Value::Object(_)) => text(l, "name").or_else(|| text(l, "id")),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let image = match v.get("image").or_else(|| v.get("os")) {
        Some(i @ Value::Object(_)) => text(i, "name"),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    // The image's `id`, as create and reinstall take it (a bare `image` value is one).
    let image_id = match v.get("image") {
        Some(i @ Value::Object(_)) => text(i, "id"),
        Some(Value::String(_) | Value::Number(_)) => text(v, "image"),
        _ => None,
    }
    .filter(|id| !id.trim().is_empty());
    Some(Vm {
        name: text(v, "name")
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        // `pending` is documented as "a task runs": the provider refuses another one.
        locked: status == "pending",
        status_raw: status,
        size: parse_size(v.get("size")),
        region,
        image,
        image_id,
        snapshot_count: None,
        project: None,
        addresses: addresses(v),
        uptime_s: None,
        features: Vec::new(),
        networks: Vec::new(),
        vpc: super::net::vpc_of(v),
        status_only: false,
        hostname: text(v, "hostname").filter(|h| !h.trim().is_empty()),
    })
}

/// `ip_addresses[]` `{address, version: 4/6, type: "public"/"private", reverse_dns}`, IPv4 and
/// IPv6 (the version is read from the address itself); another `type` counts as private.
fn addresses(v: &Value) -> Vec<Address> {
    let listed = v
        .get("ip_addresses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    public_first(listed.filter_map(|a| {
        let public = text(a, "type").as_deref() == Some("public");
        let mut out = address(&text(a, "address")?, public)?;
        out.reverse_dns = text(a, "reverse_dns").filter(|p| !p.trim().is_empty());
        Some(out)
    }))
}

/// A free-form `result` as text for the user: a string as is, else its usual text field, else
/// the JSON itself (shortened). Never an outcome.
pub(super) fn result_text(result: Option<&Value>) -> Option<String> {
    let t = match result? {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        r @ Value::Object(_) => ["error", "detail", "message", "last_error"]
            .iter()
            .find_map(|k| text(r, k).filter(|s| !s.trim().is_empty()))
            .unwrap_or_else(|| without_secrets(r).to_string()),
        other => other.to_string(),
    };
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    Some(if t.chars().count() > MAX_RESULT_TEXT {
        let cut: String = t.chars().take(MAX_RESULT_TEXT).collect();
        format!("{cut}…")
    } else {
        t.to_string()
    })
}

/// A result without what opens a console (`session_id`, `url`): never shown, never kept.
fn without_secrets(r: &Value) -> Value {
    let mut r = r.clone();
    if let Value::Object(m) = &mut r {
        for k in SECRET_KEYS {
            m.remove(*k);
        }
    }
    r
}

/// Result keys that open a console.
const SECRET_KEYS: &[&str] = &["session_id", "url", "console_url", "vnc_url", "token"];

/// The id of what the task made, where its result names it: a console session.
fn made(task: &Value) -> Option<String> {
    task.get("result")
        .and_then(|r| text(r, "session_id"))
        .filter(|s| !s.trim().is_empty())
}

/// What a task resource says, in our terms. `attempt` counts the provider's retries; the
/// message is the task's `result`, the provider's own words, as they are.
pub fn observe_task(task: &Value) -> Observation {
    let raw = text(task, "status").unwrap_or_else(|| "(no status)".into());
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let retry = clamp(uint(task, "retry_count").unwrap_or(0));
    let max = clamp(uint(task, "max_retries").unwrap_or(0));
    let retries_left = retry < max;
    let state = match raw.as_str() {
        "pending" => TaskState::Pending,
        "running" => TaskState::Running,
        "completed" => TaskState::Succeeded,
        // A failed attempt with retries left goes back to `pending`: not failed yet.
        "failed" if retries_left => TaskState::Running,
        "failed" => TaskState::Failed,
        "cancelled" => TaskState::Cancelled,
        other => TaskState::Unknown(other.to_string()),
    };
    let of = max.saturating_add(1);
    let attempt = (max > 0).then(|| (retry.saturating_add(1).min(of), of));
    Observation {
        state,
        raw_status: raw,
        message: result_text(task.get("result")),
        attempt,
        started_as: text(task, "task_type"),
        started_by: super::activity::created_by(task),
        made: made(task),
        ..Observation::default()
    }
}
