//! cloudsfor's volumes (sheet "Networks, volumes, console", DigitalOcean's documented shape),
//! per connection ([`crate::model::Scope::Conn`]):
//!
//! * `GET /volumes?page=1&per_page=200` → `{"volumes": [{id, name, size_gigabytes, region,
//!   vm_ids, created_at}]}` (no status of its own: listed means usable);
//! * `POST /volumes {size_gigabytes, name, region}` → `201 {"volume"}`: made at once, its id
//!   learned from the answer, done once listed with the size asked;
//! * `POST /volumes/{id}/actions` `{"type": "attach"/"detach", "vm_id"}` or `{"type":
//!   "resize", "size_gigabytes"}` (grow only; `region` left out: the id names the volume) → `202 {"action"}`, followed as a VM's
//!   action is (its `id` the volume's, found by `type` + `started_at`) at `GET
//!   /volumes/{id}/actions`; done when `completed` AND the volume shows it (`vm_ids` holds the
//!   VM / no longer does; the new size);
//! * `DELETE /volumes/{id}` → `204`, done once the list no longer holds it (`404`: gone
//!   already).

use serde_json::{json, Value};

use super::parse::task_state;
use super::{Cloudsfor, ERROR_KEYS, PER_PAGE};
use crate::dialect::{array, uint32, Accepted, Avail, ResOps, VolCaps};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{
    normalize_time, Action, ProviderRef, Res, ResDetail, ResState, ResourceKind, Scope, TaskState,
};
use crate::time::Millis;

/// Volumes per account: list, create (named, in a region), attach and detach, grow, delete.
pub const VOLUMES: VolCaps = VolCaps {
    ops: ResOps {
        list: Avail::Offered,
        create: Avail::Offered,
        update: Avail::Offered,
        delete: Avail::Offered,
    },
    attach: Avail::Offered,
    per_vm: false,
    owner_only: false,
    named: true,
    regional: true,
    grows_only: true,
    // DigitalOcean's documented largest volume, 16 TiB.
    max_gb: Some(16_384),
};

/// The action types a volume's actions show.
const VOLUME_ACTIONS: &[&str] = &["attach_volume", "detach_volume", "resize_volume"];

/// Whether a followed action is a volume's (observed under `/volumes/{id}/actions`).
pub(super) fn is_volume_action(action_type: &str) -> bool {
    VOLUME_ACTIONS.contains(&action_type)
}

/// Whether an action is one of the volumes'.
pub(super) fn is_volume(action: &Action) -> bool {
    action.kind().res_kind() == Some(ResourceKind::Volume)
}

impl Cloudsfor {
    pub(super) fn volumes_request(&self, scope: &Scope, kind: ResourceKind) -> Option<HttpRequest> {
        (*scope == Scope::Conn && kind == ResourceKind::Volume)
            .then(|| self.api.get(&format!("volumes?page=1&per_page={PER_PAGE}")))
    }

    pub(super) fn volumes_parse(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        let v = self.body(resp, "the volume list", now)?;
        Ok(array(&v, "volumes", "the volume list")?
            .iter()
            .filter_map(volume)
            .collect())
    }

    /// The request of a volume write. An action by the volume's id leaves `region` out: the id
    /// names the volume, and the provider refuses a region other than its own.
    pub(super) fn volume_request(&self, action: &Action) -> HttpRequest {
        let one = |id: &str| format!("volumes/{}", encode_component(id.trim()));
        let act = |id: &str, body: Value| {
            self.api
                .send(Method::Post, &format!("{}/actions", one(id)), &body)
        };
        match action {
            Action::CreateVolume(spec) => self.api.send(
                Method::Post,
                "volumes",
                &json!({
                    "size_gigabytes": spec.size_gb,
                    "name": spec.name.trim(),
                    "region": spec.region.as_deref().unwrap_or_default().trim(),
                }),
            ),
            Action::AttachVolume { id, vm, .. } => {
                act(id, json!({"type": "attach", "vm_id": vm.as_str()}))
            }
            Action::DetachVolume { id, vm, .. } => {
                act(id, json!({"type": "detach", "vm_id": vm.as_str()}))
            }
            Action::ResizeVolume { id, size_gb, .. } => {
                act(id, json!({"type": "resize", "size_gigabytes": size_gb}))
            }
            Action::DeleteVolume { id, .. } => self.api.request(Method::Delete, &one(id)),
            // Not a volume action: never sent this way.
            _ => self.api.get("volumes"),
        }
    }

    /// A volume write's answer: the new volume (its id learned), the action to follow, or a
    /// delete (`204`, or `404`: gone already) watched on the list.
    pub(super) fn volume_accepted(
        &self,
        action: &Action,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        let deleting = matches!(action, Action::DeleteVolume { .. });
        if deleting && resp.status == 404 {
            return Ok(watched(TaskState::Succeeded, "not found", None));
        }
        if !resp.is_success() {
            return Err(ApiError::from_response(resp, ERROR_KEYS, now));
        }
        match action {
            Action::DeleteVolume { .. } => Ok(watched(TaskState::Pending, "deleted", None)),
            Action::CreateVolume(_) => {
                let v = self.body(resp, "the new volume", now)?;
                let id = v
                    .get("volume")
                    .and_then(|x| text(x, "id"))
                    .filter(|id| !id.trim().is_empty())
                    .ok_or_else(|| ApiError::bad_response("the new volume", "no `volume.id`"))?;
                Ok(watched(TaskState::Pending, "created", Some(VmId::new(id))))
            }
            _ => {
                let v = self.body(resp, "the volume action", now)?;
                let a = v.get("action").ok_or_else(|| {
                    ApiError::bad_response("the volume action", "no `action` object")
                })?;
                let raw = text(a, "status").unwrap_or_else(|| "(no status)".into());
                let id = action
                    .res_target()
                    .and_then(|(_, id, _)| id)
                    .unwrap_or_default();
                Ok(Accepted {
                    provider_ref: ProviderRef::CloudsforAction {
                        vm_id: text(a, "id").unwrap_or(id),
                        action_type: text(a, "type")
                            .unwrap_or_else(|| volume_action_type(action).into()),
                        started_at: text(a, "started_at").unwrap_or_default(),
                    },
                    state: task_state(&raw),
                    raw_status: raw,
                    created: None,
                    secret: None,
                })
            }
        }
    }

    /// `GET /volumes/{id}/actions`, where a followed action is a volume's.
    pub(super) fn volume_actions_request(&self, r: &ProviderRef) -> Option<HttpRequest> {
        match r {
            ProviderRef::CloudsforAction {
                vm_id, action_type, ..
            } if is_volume_action(action_type) => Some(
                self.api
                    .get(&format!("volumes/{}/actions", encode_component(vm_id))),
            ),
            _ => None,
        }
    }
}

/// The action type a volume action shows.
fn volume_action_type(action: &Action) -> &'static str {
    match action {
        Action::AttachVolume { .. } => "attach_volume",
        Action::DetachVolume { .. } => "detach_volume",
        _ => "resize_volume",
    }
}

/// A write the provider keeps no action for: the volume list tells.
fn watched(state: TaskState, raw: &str, created: Option<VmId>) -> Accepted {
    Accepted {
        provider_ref: ProviderRef::Watch,
        state,
        raw_status: raw.into(),
        created,
        secret: None,
    }
}

/// One volume: listed means usable; attached to the first of its `vm_ids`.
fn volume(v: &Value) -> Option<Res> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    let region = match v.get("region") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(r @ Value::Object(_)) => text(r, "slug").or_else(|| text(r, "name")),
        _ => None,
    };
    let attached_to = v
        .get("vm_ids")
        .and_then(Value::as_array)
        .and_then(|ids| ids.first())
        .and_then(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.trim().is_empty())
        .map(VmId::new);
    Some(Res {
        kind: ResourceKind::Volume,
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        state: ResState::Ready,
        status_raw: String::new(),
        created: text(v, "created_at").and_then(|t| normalize_time(&t)),
        detail: ResDetail::Volume {
            size_gb: uint32(v, "size_gigabytes"),
            attached_to,
            region,
        },
    })
}
