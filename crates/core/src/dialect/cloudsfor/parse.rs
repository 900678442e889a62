//! Reading cloudsfor's VMs and actions.

use serde_json::Value;

use crate::dialect::{address, public_first, uint32, Observation};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{Address, PowerState, ProviderRef, Size, TaskState, Vm};
use crate::time::parse_rfc3339;

/// The VM's `status` in our terms.
pub(super) fn power_of(status: &str) -> PowerState {
    match status {
        "running" => PowerState::Running,
        "stopped" => PowerState::Stopped,
        // A VM being created (the create answer's `status`).
        "new" => PowerState::Busy,
        other => PowerState::Unknown(other.to_string()),
    }
}

pub(super) fn task_state(status: &str) -> TaskState {
    match status {
        "in-progress" => TaskState::Running,
        "completed" => TaskState::Succeeded,
        "errored" => TaskState::Failed,
        other => TaskState::Unknown(other.to_string()),
    }
}

/// `networks.v4[]` `{ip_address, netmask, gateway, type: "public"/"private"}`: IPv4 only, as
/// the sheet says; an entry of another `type` counts as private.
fn addresses(v: &Value) -> Vec<Address> {
    let listed = v
        .pointer("/networks/v4")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    public_first(listed.filter_map(|n| {
        let public = text(n, "type").as_deref() == Some("public");
        address(&text(n, "ip_address")?, public).filter(|a| a.version == 4)
    }))
}

pub(super) fn parse_vm(v: &Value) -> Option<Vm> {
    let id = text(v, "id")?;
    let status = text(v, "status").unwrap_or_else(|| "(no status)".into());
    let region = match v.get("region") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(r @ Value::Object(_)) => text(r, "slug").or_else(|| text(r, "name")),
        _ => None,
    };
    let image = v
        .get("image")
        .and_then(|i| text(i, "name").or_else(|| text(i, "distro")));
    Some(Vm {
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        status_raw: status,
        locked: v.get("locked").and_then(Value::as_bool).unwrap_or(false),
        size: Size {
            vcpus: uint32(v, "vcpus"),
            memory_gb: uint32(v, "memory"),
            disk_gb: uint32(v, "disk"),
            flavor: None,
        },
        region,
        image_id: v.get("image").and_then(|i| text(i, "distro")),
        image,
        snapshot_count: v
            .get("snapshot_ids")
            .and_then(Value::as_array)
            .map(Vec::len),
        project: None,
        addresses: addresses(v),
        uptime_s: None,
        features: v
            .get("features")
            .and_then(Value::as_array)
            .map(|f| {
                f.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    })
}

/// Ours among a newest-first list of actions: the first of its type (on its VM, when the list
/// covers many) started when ours was accepted, or the newest of that type when the provider did
/// not say when.
pub(super) fn find_action<'a>(
    actions: &'a [Value],
    vm_id: Option<&str>,
    action_type: &str,
    started_at: &str,
) -> Option<&'a Value> {
    let wanted = parse_rfc3339(started_at);
    actions.iter().find(|a| {
        vm_id.is_none_or(|id| text(a, "id").as_deref() == Some(id))
            // An empty type (an action started elsewhere, not looked at yet): the newest.
            && (action_type.is_empty() || text(a, "type").as_deref() == Some(action_type))
            && (started_at.is_empty()
                || match (wanted, text(a, "started_at")) {
                    (Some(w), Some(s)) => parse_rfc3339(&s) == Some(w),
                    (_, s) => s.as_deref() == Some(started_at),
                })
    })
}

pub(super) fn observed(a: &Value) -> Observation {
    let raw = text(a, "status").unwrap_or_else(|| "(no status)".into());
    Observation {
        state: task_state(&raw),
        raw_status: raw,
        started_as: text(a, "type"),
        ..Observation::default()
    }
}

/// An action found for a reference whose type was not known yet (started elsewhere): it is
/// followed by its type and start from now on.
pub(super) fn pinned(r: &ProviderRef, a: &Value, mut obs: Observation) -> Observation {
    if let ProviderRef::CloudsforAction {
        vm_id, action_type, ..
    } = r
    {
        if action_type.is_empty() {
            obs.follow = Some(ProviderRef::CloudsforAction {
                vm_id: vm_id.clone(),
                action_type: text(a, "type").unwrap_or_default(),
                started_at: text(a, "started_at").unwrap_or_default(),
            });
        }
    }
    obs
}
