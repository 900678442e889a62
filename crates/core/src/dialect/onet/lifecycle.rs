//! Creating and deleting instances (the sheet's "VM lifecycle"), and reading what any write
//! answers: a Task, or the Instance itself (a create's `201 Instance`; the Corrections ask for
//! any 2xx with either).

use serde_json::{json, Value};

use super::parse::observe_task;
use super::Onet;
use crate::dialect::Accepted;
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{Action, ProviderRef, TaskState, VmSpec};

impl Onet {
    /// `POST /compute/instances {"name", "hostname", "size_id", "location_id", "image_id",
    /// "os_name"?, "vpc_id"?, "ssh_key_ids"}`; no password (the spec never holds one), and the
    /// billing cycle and tags are the provider's defaults.
    pub(super) fn create_request(&self, spec: &VmSpec) -> HttpRequest {
        let mut body = json!({
            "name": spec.name.trim(),
            "hostname": hostname(&spec.name),
            "image_id": spec.image.trim(),
            "ssh_key_ids": spec.ssh_keys.iter().map(|k| k.trim()).collect::<Vec<_>>(),
        });
        let optional = [
            ("size_id", &spec.size),
            ("location_id", &spec.region),
            ("os_name", &spec.os),
            ("vpc_id", &spec.network),
        ];
        for (key, value) in optional {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                body[key] = json!(v);
            }
        }
        self.api.send(Method::Post, "compute/instances", &body)
    }

    /// `POST /compute/instances/{id}/reinstall {"image_id"}` → a `reinstall_os` task. The
    /// optional `os_name` is left out: the image implies it.
    /// `POST /compute/instances/{id}/resize {"size_id"}` → `202 Task (resize_vps)`: "hardware
    /// configuration changes require the resize endpoint" (documented); its path and body are
    /// assumed, the size named as the create names it.
    pub(super) fn resize_request(&self, id: &str, size: &str) -> HttpRequest {
        let path = format!("compute/instances/{}/resize", encode_component(id));
        self.api
            .send(Method::Post, &path, &json!({ "size_id": size.trim() }))
    }

    pub(super) fn reinstall_request(&self, id: &str, image: &str) -> HttpRequest {
        let path = format!("compute/instances/{}/reinstall", encode_component(id));
        self.api
            .send(Method::Post, &path, &json!({ "image_id": image.trim() }))
    }

    /// `PUT /compute/instances/{id} {"name"}` → `200 Instance`: the name only (no `hostname`,
    /// which would start a `change_hostname` task in the guest).
    pub(super) fn rename_request(&self, id: &str, name: &str) -> HttpRequest {
        let path = format!("compute/instances/{}", encode_component(id));
        self.api
            .send(Method::Put, &path, &json!({ "name": name.trim() }))
    }

    /// `PUT /compute/instances/{id} {"hostname"}` → `200 Instance`, and a `change_hostname`
    /// task in the guest, followed as the newest of its type on the instance.
    pub(super) fn hostname_request(&self, id: &str, hostname: &str) -> HttpRequest {
        let path = format!("compute/instances/{}", encode_component(id));
        let hostname = crate::model::normal_hostname(hostname);
        self.api
            .send(Method::Put, &path, &json!({ "hostname": hostname }))
    }

    /// `DELETE /compute/instances/{id}` → a `delete_vps` task.
    pub(super) fn delete_request(&self, id: &str) -> HttpRequest {
        let path = format!("compute/instances/{}", encode_component(id));
        self.api.request(Method::Delete, &path)
    }
}

/// The task type a write starts (`Task.task_type`).
pub(super) fn task_type(action: &Action) -> &'static str {
    match action {
        Action::Create(_) => "create_vps",
        Action::Delete { .. } => "delete_vps",
        Action::Start => "start_vps",
        Action::PowerOff => "stop_vps",
        Action::Reboot => "reboot_vps",
        Action::Shutdown | Action::ShutdownWithin { .. } => "shutdown_vps",
        Action::PowerCycle => "reset_vps",
        Action::Snapshot { .. } => "create_snapshot",
        Action::RestoreSnapshot { .. } => "restore_snapshot",
        Action::DeleteSnapshot { .. } => "delete_snapshot",
        Action::SnapshotToImage { .. } => "create_image_from_snapshot",
        Action::Backup { .. } => "create_backup",
        Action::RestoreBackup { .. } => "restore_backup",
        Action::DeleteBackup { .. } => "delete_backup",
        Action::Rebuild { .. } => "reinstall_os",
        Action::SetVpc { .. } => "update_vpc",
        Action::Resize(_) => "resize_vps",
        Action::SetHostname { .. } => "change_hostname",
        Action::AssignIp { .. } => "assign_ip",
        Action::RemoveIp { .. } => "remove_ip",
        Action::SetReverseDns { .. } => "update_reverse_dns",
        Action::ApplyFirewall { .. } => "apply_firewall",
        Action::SyncState => "sync_vps_state",
        Action::OpenConsole => "get_vnc_url",
        _ => "unsupported",
    }
}

/// What a write's 2xx answer (`body`, `Null` when empty) says: a Task is followed by its id;
/// an Instance (or nothing) by the newest task of `task_type` on the instance. `instance_id` is
/// the target's, where known; a create learns it from the answer.
pub(super) fn accepted(
    body: &Value,
    instance_id: &str,
    task_type: &str,
    creating: bool,
) -> Result<Accepted, ApiError> {
    let field = |k: &str| text(body, k).filter(|s| !s.trim().is_empty());
    let is_task = field("task_type").is_some() || field("instance_id").is_some();
    let (provider_ref, state, raw_status) = if is_task {
        let task_id =
            field("id").ok_or_else(|| ApiError::bad_response("the request", "no task `id`"))?;
        let obs = observe_task(body);
        let instance_id = field("instance_id").unwrap_or_else(|| instance_id.to_string());
        let r = ProviderRef::OnetTask {
            instance_id,
            task_id,
        };
        (r, obs.state, obs.raw_status)
    } else {
        let id = match (field("id"), body) {
            (Some(id), _) => id,
            // No body (a 204, say): the instance we asked about.
            (None, Value::Null) if !instance_id.is_empty() && !creating => instance_id.into(),
            _ => {
                return Err(ApiError::bad_response(
                    "the request",
                    "neither a task nor an instance",
                ))
            }
        };
        let raw = field("status").unwrap_or_else(|| "accepted".into());
        let r = ProviderRef::OnetInstanceTask {
            instance_id: id,
            task_type: task_type.into(),
        };
        (r, TaskState::Pending, raw)
    };
    let created = creating.then(|| match &provider_ref {
        ProviderRef::OnetTask { instance_id, .. }
        | ProviderRef::OnetInstanceTask { instance_id, .. } => VmId::new(instance_id.as_str()),
        _ => VmId::default(),
    });
    Ok(Accepted {
        provider_ref,
        state,
        raw_status,
        created,
        secret: None,
    })
}

/// A refusal that names the request's fields (DRF's `{"image_id": ["…"]}`), rather than
/// the instance's state (`{"detail": "…"}`).
pub(super) fn names_fields(resp: &HttpResponse) -> bool {
    let Ok(Value::Object(m)) = crate::json::parse_lenient(&resp.body) else {
        return false;
    };
    m.keys()
        .any(|k| k != "detail" && k != "message" && k != "error")
}

/// A rename's answer: `200 Instance`, the change made at once (no task): the instance is read
/// until it shows the name. A Task instead (any 2xx with either) is followed.
pub(super) fn renamed(body: &Value) -> Result<Accepted, ApiError> {
    if text(body, "task_type").is_some() {
        return accepted(body, "", "", false);
    }
    if text(body, "id").is_none_or(|id| id.trim().is_empty()) && !body.is_null() {
        return Err(ApiError::bad_response(
            "the request",
            "neither a task nor an instance",
        ));
    }
    Ok(Accepted {
        provider_ref: ProviderRef::Watch,
        state: TaskState::Pending,
        raw_status: text(body, "status").unwrap_or_else(|| "updated".into()),
        created: None,
        secret: None,
    })
}

/// An instance gone already (a repeated delete): what the delete meant.
pub(super) fn gone() -> Accepted {
    Accepted {
        provider_ref: ProviderRef::Watch,
        state: TaskState::Succeeded,
        raw_status: "not found".into(),
        created: None,
        secret: None,
    }
}

/// A hostname (one DNS label) made of the name: lowercase letters, digits and hyphens, at most
/// 63 characters.
fn hostname(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.chars().take(63).collect();
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "vm".into()
    } else {
        out.to_string()
    }
}
