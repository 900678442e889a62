//! Reading Hostway's servers, snapshots and faults.

use serde_json::Value;

use super::doc_json::parse_doc_json;
use super::{Call, ERROR_KEYS};
use crate::dialect::{address, public_first, uint32};
use crate::error::{ApiError, ErrorKind, MAX_RETRY_AFTER};
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::json::{text, uint};
use crate::model::{Address, PowerState, PowerTarget, Size, TaskState, Vm};
use crate::time::{Millis, SECOND};

/// The server object, whether wrapped in `{"server": …}` or not.
pub(super) fn server_of(v: &Value) -> &Value {
    v.get("server").unwrap_or(v)
}

pub(super) fn power_of(status: &str) -> PowerState {
    match status.to_ascii_uppercase().as_str() {
        "ACTIVE" => PowerState::Running,
        "STOPPED" => PowerState::Stopped,
        "PROCESSING" | "BUILD" => PowerState::Busy,
        // SUSPENDED and DELETED are known but are neither on nor off; other values are new.
        _ => PowerState::Unknown(status.to_string()),
    }
}

pub(super) fn busy(status: &str) -> bool {
    matches!(status.to_ascii_uppercase().as_str(), "PROCESSING" | "BUILD")
}

/// Still being placed: `created` or `hostId` given but empty (documented: empty while a new
/// server is pending). Either missing says nothing.
pub(super) fn placing(s: &Value) -> bool {
    ["created", "hostId"]
        .iter()
        .any(|k| text(s, k).is_some_and(|t| t.trim().is_empty()))
}

/// The sheet's "ready", besides `ACTIVE`: a progress of 100 where the server gives a number
/// (the sheet documents it while `BUILD`; a server that gives none is not held by it), `created`
/// and `hostId` no longer empty, and an address under `addresses.public` (not a private one, not
/// only `accessIPv4` / `accessIPv6`).
pub(super) fn ready(s: &Value) -> bool {
    let progress = uint(s, "progress").is_none_or(|p| p >= 100);
    let set = |k: &str| text(s, k).is_some_and(|t| !t.trim().is_empty());
    progress && set("created") && set("hostId") && !listed(s, true).is_empty()
}

/// `flavor` is an object `{id, name, vcpus, ram (MB), disk (GB)}`, or just an id.
pub(super) fn size_of(flavor: Option<&Value>) -> Size {
    match flavor {
        Some(f @ Value::Object(_)) => Size {
            vcpus: uint32(f, "vcpus"),
            memory_gb: uint(f, "ram").map(|mb| mb.div_ceil(1024) as u32),
            disk_gb: uint32(f, "disk"),
            flavor: text(f, "id"),
        },
        Some(Value::String(id)) => Size {
            flavor: Some(id.clone()),
            ..Size::default()
        },
        Some(Value::Number(n)) => Size {
            flavor: Some(n.to_string()),
            ..Size::default()
        },
        _ => Size::default(),
    }
}

pub(super) fn parse_server(v: &Value) -> Option<Vm> {
    let s = server_of(v);
    let id = text(s, "id").filter(|i| !i.is_empty())?;
    let status = text(s, "status").unwrap_or_else(|| "(no status)".into());
    let image = match s.get("image") {
        Some(i @ Value::Object(_)) => text(i, "name").or_else(|| text(i, "id")),
        Some(Value::String(i)) if !i.is_empty() => Some(i.clone()),
        _ => None,
    };
    Some(Vm {
        name: text(s, "name").unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        locked: busy(&status) || placing(s),
        status_raw: status,
        size: size_of(s.get("flavor")),
        region: text(s, "zone"),
        image,
        snapshot_count: None,
        project: None,
        addresses: addresses(s),
        image_id: None,
        uptime_s: None,
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    })
}

/// `addresses: {"public": [{version, addr}], "private": [...]}`, then the `accessIPv4` /
/// `accessIPv6` the server is to be reached at where they are not listed there. Public are the
/// addresses under `addresses.public` only: the sheet reads a server's public addresses there
/// ("ready", "assign done"), so a network of another name, and an access address listed
/// nowhere else, count as not public.
fn addresses(s: &Value) -> Vec<Address> {
    let access = ["accessIPv4", "accessIPv6"]
        .into_iter()
        .filter_map(|k| address(&text(s, k)?, false));
    public_first(
        listed(s, true)
            .into_iter()
            .chain(listed(s, false))
            .chain(access),
    )
}

/// The addresses under `addresses.public` (`public`), or under every other network.
fn listed(s: &Value, public: bool) -> Vec<Address> {
    s.get("addresses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| (name.as_str() == "public") == public)
        .filter_map(|(_, list)| list.as_array())
        .flatten()
        .filter_map(|a| address(&text(a, "addr")?, public))
        .collect()
}

/// A real percentage: while building, as given; while processing, only below 100 (the
/// documents give `progress` for `BUILD`; a 100 on a server still changing measures nothing).
pub(super) fn progress_of(status: &str, v: &Value) -> Option<u8> {
    let p = uint(v, "progress").filter(|p| *p <= 100)? as u8;
    match status.to_ascii_uppercase().as_str() {
        "BUILD" => Some(p),
        "PROCESSING" if p < 100 => Some(p),
        _ => None,
    }
}

/// The text inside an OpenStack-style fault: the first member object's `message`.
pub(super) fn nested_fault(v: &Value) -> Option<(String, Option<Millis>)> {
    v.as_object()?.values().find_map(|inner| {
        let message = text(inner, "message").filter(|m| !m.trim().is_empty())?;
        // Seconds, capped as a `Retry-After` header is (a huge one would overflow).
        let retry = uint(inner, "retryAfter").map(|s| {
            let s = Millis::try_from(s).unwrap_or(Millis::MAX);
            s.saturating_mul(SECOND).min(MAX_RETRY_AFTER)
        });
        Some((message, retry))
    })
}

/// A non-2xx answer, with the provider's text kept (OpenStack-style faults nest it). A `403` to
/// an action or a snapshot is the server's state refusing it (documented "not allowed"), and a
/// `400` to a snapshot is the server having extra volumes: both conflicts, not a role or a
/// malformed request.
pub(super) fn fault(resp: &HttpResponse, call: Call, now: Millis) -> ApiError {
    let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
    if let Some((message, retry)) = parse_doc_json(&resp.body)
        .ok()
        .as_ref()
        .and_then(nested_fault)
    {
        e.provider_text = Some(message);
        e.retry_after = e.retry_after.or(retry);
    }
    match (resp.status, call) {
        (403, Call::Action | Call::Snapshot) | (400, Call::Snapshot) => {
            e.kind = ErrorKind::Conflict
        }
        _ => {}
    }
    e
}

/// The status a power state shows as, for `?status=`.
pub(super) fn status_of(target: PowerTarget) -> &'static str {
    match target {
        PowerTarget::Running => "ACTIVE",
        PowerTarget::Stopped => "STOPPED",
    }
}

pub(super) fn snapshot_state(status: &str) -> TaskState {
    match status.to_ascii_uppercase().as_str() {
        "BUILD" => TaskState::Running,
        "ACTIVE" => TaskState::Succeeded,
        "DELETED" => TaskState::Failed,
        _ => TaskState::Unknown(status.to_string()),
    }
}
