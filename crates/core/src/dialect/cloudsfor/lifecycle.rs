//! Creating and deleting VMs (the sheet's "VM lifecycle"): `POST /vms` answers `202` with the new
//! VM (its id) and a link to its `create` action; `DELETE /vms/{id}` answers `204` and keeps no
//! task, so the VM itself is watched until it is not found.

use serde_json::{json, Value};

use super::{Cloudsfor, CREATE_ACTION};
use crate::dialect::Accepted;
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{ProviderRef, TaskState, VmSpec};
use crate::time::Millis;

impl Cloudsfor {
    /// `POST /vms {"name", "region", "size", "image", "ssh_keys", "backups"}` (DigitalOcean's
    /// shape): the region's `name`, the size's `slug`, the image's `distro`, the keys' ids.
    pub(super) fn create_request(&self, spec: &VmSpec) -> HttpRequest {
        let mut body = json!({
            "name": spec.name.trim(),
            "image": spec.image.trim(),
            "ssh_keys": spec.ssh_keys.iter().map(|k| key_ref(k)).collect::<Vec<_>>(),
            "backups": spec.backups,
        });
        for (key, value) in [("region", &spec.region), ("size", &spec.size)] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                body[key] = json!(v);
            }
        }
        self.api.send(Method::Post, "vms", &body)
    }

    /// `202 {"vm": Vm, "links": {"actions": [{"id", "rel": "create", "href"}]}}`: the new id is
    /// `vm.id`, and its `create` action is found by type alone (the answer gives no start time,
    /// and a VM is created once).
    pub(super) fn parse_created(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        let v = self.body(resp, "the create request", now)?;
        let vm = v.get("vm").unwrap_or(&v);
        let id = text(vm, "id")
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| ApiError::bad_response("the create request", "no `vm.id`"))?;
        let action = v
            .pointer("/links/actions")
            .and_then(Value::as_array)
            .and_then(|links| {
                links
                    .iter()
                    .find(|l| text(l, "rel").as_deref() == Some(CREATE_ACTION))
            });
        Ok(Accepted {
            provider_ref: ProviderRef::CloudsforAction {
                // Documented: an action's id is its VM's.
                vm_id: action
                    .and_then(|a| text(a, "id"))
                    .unwrap_or_else(|| id.clone()),
                action_type: CREATE_ACTION.into(),
                started_at: String::new(),
            },
            state: TaskState::Running,
            raw_status: text(vm, "status").unwrap_or_else(|| "(no status)".into()),
            created: Some(VmId::new(id)),
            secret: None,
        })
    }

    pub(super) fn delete_request(&self, vm_id: &str) -> HttpRequest {
        self.api
            .request(Method::Delete, &format!("vms/{}", encode_component(vm_id)))
    }

    /// `204`, no body: nothing to follow but the VM, read until it is not found. A `404` says
    /// it is gone already (a repeated delete).
    pub(super) fn parse_deleted(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        if !resp.is_success() && resp.status != 404 {
            return Err(ApiError::from_response(resp, super::ERROR_KEYS, now));
        }
        Ok(Accepted {
            provider_ref: ProviderRef::Watch,
            state: TaskState::Succeeded,
            raw_status: if resp.status == 404 {
                "not found".into()
            } else {
                "deleted".into()
            },
            created: None,
            secret: None,
        })
    }
}

/// An SSH key as create takes it: its numeric id as a number, anything else (a fingerprint) as
/// text.
fn key_ref(key: &str) -> Value {
    let key = key.trim();
    key.parse::<u64>().map_or_else(|_| json!(key), |n| json!(n))
}
