//! Hostway's snapshots (sheet section "Snapshots"): `GET /servers/{id}/snapshots`, one at
//! `GET /servers/{id}/snapshots/{sid}`, restore by `POST …/snapshots/{sid}/actions
//! {"action": "restore"}`, delete by `DELETE …/snapshots/{sid}`; `BUILD` → `ACTIVE` (or
//! `DELETED`). No backups are published for FlexCloud.

use serde_json::{json, Value};

use super::doc_json::parse_doc_json;
use super::parse::fault;
use super::{Call, Hostway};
use crate::dialect::{array, Absent, Accepted, Avail, PointCaps, PointOps};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{
    normalize_time, Action, Point, PointKind, PointState, ProviderRef, TaskState, Vm,
};
use crate::time::Millis;

pub const POINTS: PointCaps = PointCaps {
    snapshots: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NotPublished),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: false,
        needs_addon: false,
    },
    backups: PointOps::absent(Absent::NotPublished),
    restore_keeps_power: true,
    name: None,
};

impl Hostway {
    fn snapshot_path(server_id: &str, snapshot_id: &str) -> String {
        format!(
            "{}/snapshots/{}",
            Hostway::server_path(server_id),
            encode_component(snapshot_id.trim())
        )
    }

    /// `GET /servers/{id}/snapshots`.
    pub(super) fn snapshots_get(&self, vm: &Vm) -> HttpRequest {
        self.api.get(&format!(
            "{}/snapshots",
            Hostway::server_path(vm.id.as_str())
        ))
    }

    /// `{"snapshots": [Snapshot…]}` (any 2xx: the page prints `202` as its success).
    pub(super) fn snapshots_parse(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        let v = self.body(resp, Call::Read, "the server's snapshots", now)?;
        Ok(array(&v, "snapshots", "the server's snapshots")?
            .iter()
            .filter_map(snapshot)
            .collect())
    }

    /// Restore (`POST …/snapshots/{sid}/actions {"action": "restore"}`, the plural path) and
    /// delete (`DELETE …/snapshots/{sid}`); `None` for other actions.
    pub(super) fn snapshot_write(&self, server_id: &str, action: &Action) -> Option<HttpRequest> {
        Some(match action {
            Action::RestoreSnapshot { id, .. } => self.api.send(
                Method::Post,
                &format!("{}/actions", Self::snapshot_path(server_id, id)),
                &json!({"action": "restore"}),
            ),
            Action::DeleteSnapshot { id, .. } => self
                .api
                .request(Method::Delete, &Self::snapshot_path(server_id, id)),
            _ => return None,
        })
    }

    /// `202`: a restore shows as the server's `PROCESSING` until it is back where it was; a
    /// deleted snapshot is read out of the server's list until it is gone (a `404`: gone
    /// already).
    pub(super) fn parse_snapshot_write(
        &self,
        server_id: &str,
        action: &Action,
        resp: &HttpResponse,
        now: Millis,
    ) -> Option<Result<Accepted, ApiError>> {
        let (provider_ref, state) = match action {
            Action::RestoreSnapshot { .. } => (
                ProviderRef::HostwayServer {
                    server_id: server_id.to_string(),
                },
                TaskState::Running,
            ),
            Action::DeleteSnapshot { .. } if resp.status == 404 => {
                (ProviderRef::Watch, TaskState::Succeeded)
            }
            Action::DeleteSnapshot { .. } => (ProviderRef::Watch, TaskState::Running),
            _ => return None,
        };
        if !resp.is_success() && state != TaskState::Succeeded {
            return Some(Err(fault(resp, Call::Snapshot, now)));
        }
        Some(Ok(Accepted {
            provider_ref,
            state,
            raw_status: "accepted".into(),
            created: None,
            secret: None,
        }))
    }
}

/// A snapshot's id in the answer to its create, to know it by in the server's list.
pub(super) fn created_id(resp: &HttpResponse) -> Option<VmId> {
    let v = parse_doc_json(&resp.body).ok()?;
    text(v.get("snapshot").unwrap_or(&v), "id")
        .filter(|s| !s.trim().is_empty())
        .map(VmId::new)
}

fn state_of(status: &str) -> PointState {
    match status.trim().to_ascii_uppercase().as_str() {
        "ACTIVE" => PointState::Ready,
        "BUILD" => PointState::Creating,
        "DELETED" => PointState::Deleting,
        _ => PointState::Unknown(status.to_string()),
    }
}

fn snapshot(v: &Value) -> Option<Point> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    let status = text(v, "status").unwrap_or_default();
    Some(Point {
        kind: PointKind::Snapshot,
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        state: state_of(&status),
        status_raw: status,
        created: text(v, "create_time").and_then(|t| normalize_time(&t)),
        size_gb: None,
        automatic: Some(false),
        note: text(v, "description").filter(|d| !d.trim().is_empty()),
        definition: None,
    })
}
