//! ONETSolutions' volumes (sheet "Volumes, VPC, firewall, console"), each belonging to an
//! instance (every task names one), so listed and changed per instance
//! ([`crate::model::Scope::Vm`]):
//!
//! * `GET /compute/instances/{id}/volumes?page_size=100` → paginated `{id, name, size_gb,
//!   status, instance_id, attached, created}` (the list path is assumed: the sheet gives the
//!   writes only);
//! * `POST …/volumes {"size_gb", "volume_type": "ssd"}` (no name: the provider names it; the new
//!   one is told from those listed before), `POST …/volumes/{vid}/attach`, `…/detach`, `…/resize
//!   {"size_gb"}` (grow only), `DELETE …/volumes/{vid}` → `202 Task` (`create_volume`,
//!   `attach_volume`, `detach_volume`, `resize_volume`, `delete_volume`).
//!
//! Each is done when its task is `completed` AND the volume shows it (listed and ready with
//! the size asked, attached to the instance or not, the new size, gone). A `400` naming a
//! field (`{"size_gb": [...]}`) is the request's fault; one with a `detail` is the volume's or
//! the instance's state ("Volume is already attached.", a task in progress).

use serde_json::{json, Value};

use super::lifecycle::{accepted, gone, names_fields};
use super::{Onet, ERROR_KEYS};
use crate::dialect::{Accepted, Avail, ResOps, VolCaps};
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{normalize_time, Action, Res, ResDetail, ResState, ResourceKind, Scope, Target};
use crate::time::Millis;

/// Volumes per instance: list, create, attach to it and detach, grow, delete.
pub const VOLUMES: VolCaps = VolCaps {
    ops: ResOps {
        list: Avail::Offered,
        create: Avail::Offered,
        update: Avail::Offered,
        delete: Avail::Offered,
    },
    attach: Avail::Offered,
    per_vm: true,
    owner_only: true,
    named: false,
    regional: false,
    grows_only: true,
    // The provider's validation: "between 1 and 10000".
    max_gb: Some(10_000),
};

/// Volumes read in one page.
const PAGE: u32 = 100;

fn volumes_path(instance: &str) -> String {
    format!("compute/instances/{}/volumes", encode_component(instance))
}

/// The task type a volume write starts.
pub(super) fn volume_task(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::CreateVolume(_) => "create_volume",
        Action::AttachVolume { .. } => "attach_volume",
        Action::DetachVolume { .. } => "detach_volume",
        Action::ResizeVolume { .. } => "resize_volume",
        Action::DeleteVolume { .. } => "delete_volume",
        _ => return None,
    })
}

impl Onet {
    /// `GET …/volumes` of the instance `scope` names.
    pub(super) fn volumes_request(&self, scope: &Scope, kind: ResourceKind) -> Option<HttpRequest> {
        let vm = scope.vm().filter(|_| kind == ResourceKind::Volume)?;
        Some(
            self.api
                .get(&format!("{}?page_size={PAGE}", volumes_path(vm.as_str()))),
        )
    }

    pub(super) fn volumes_parse(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        let (results, _) = self.page(resp, "the instance's volumes", now)?;
        Ok(results.iter().filter_map(volume).collect())
    }

    /// The request of a volume write on the instance its target's scope names.
    pub(super) fn volume_request(&self, target: &Target, action: &Action) -> HttpRequest {
        let instance = target.vm_id().map(VmId::as_str).unwrap_or_default();
        let base = volumes_path(instance);
        let one = |id: &str| format!("{base}/{}", encode_component(id.trim()));
        let post = |path: String, body: Value| self.api.send(Method::Post, &path, &body);
        match action {
            Action::CreateVolume(spec) => post(
                base.clone(),
                json!({"size_gb": spec.size_gb, "volume_type": "ssd"}),
            ),
            Action::AttachVolume { id, .. } => post(format!("{}/attach", one(id)), json!({})),
            Action::DetachVolume { id, .. } => post(format!("{}/detach", one(id)), json!({})),
            Action::ResizeVolume { id, size_gb, .. } => {
                post(format!("{}/resize", one(id)), json!({ "size_gb": size_gb }))
            }
            Action::DeleteVolume { id, .. } => self.api.request(Method::Delete, &one(id)),
            // Not a volume action: never sent this way.
            _ => self.api.get(&base),
        }
    }

    /// A volume write's answer: its task, followed; a delete answered `404` already happened.
    pub(super) fn volume_accepted(
        &self,
        target: &Target,
        action: &Action,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        if matches!(action, Action::DeleteVolume { .. }) && resp.status == 404 {
            return Ok(gone());
        }
        if !resp.is_success() {
            let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
            if resp.status == 400 && !names_fields(resp) {
                e.kind = ErrorKind::Conflict;
            }
            if e.provider_text.is_none() {
                e.provider_text = field_words(resp);
            }
            return Err(e);
        }
        let body = if resp.body.trim().is_empty() {
            Value::Null
        } else {
            parse_lenient(&resp.body).map_err(|e| ApiError::bad_response("the request", e))?
        };
        let instance = target.vm_id().map(VmId::as_str).unwrap_or_default();
        let task = volume_task(action).unwrap_or("unsupported");
        accepted(&body, instance, task, false)
    }
}

/// DRF's field errors (`{"size_gb": ["Ensure this value is …"]}`) as the provider wrote them:
/// `size_gb: Ensure this value is …`.
fn field_words(resp: &HttpResponse) -> Option<String> {
    let Ok(Value::Object(m)) = parse_lenient(&resp.body) else {
        return None;
    };
    let words: Vec<String> = m
        .iter()
        .filter_map(|(field, v)| {
            let said: Vec<&str> = match v {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            (!said.is_empty()).then(|| format!("{field}: {}", said.join(" ")))
        })
        .collect();
    (!words.is_empty()).then(|| crate::error::cap_text(&words.join("; "), 300))
}

/// One volume: attached means attached to its instance.
fn volume(v: &Value) -> Option<Res> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    let status = text(v, "status").unwrap_or_default();
    let attached = v.get("attached").and_then(Value::as_bool).unwrap_or(false);
    let size_gb = crate::dialect::uint32(v, "size_gb");
    Some(Res {
        kind: ResourceKind::Volume,
        name: text(v, "name")
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| id.clone()),
        id,
        state: ResState::from_word(&status),
        status_raw: status,
        created: text(v, "created").and_then(|t| normalize_time(&t)),
        detail: ResDetail::Volume {
            size_gb,
            attached_to: text(v, "instance_id")
                .filter(|i| attached && !i.trim().is_empty())
                .map(VmId::new),
            region: None,
        },
    })
}
