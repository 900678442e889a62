//! cloudsfor's snapshots and backups (sheet sections "Snapshots" and "Backups"), in
//! DigitalOcean's shapes: `GET /vms/{id}/snapshots` and `/backups`; a snapshot is restored by a
//! `rebuild` action to it, a backup by a `restore` action; `DELETE /snapshots/{id}` → `204`;
//! automatic backups switched by `enable_backups` / `disable_backups`. A point has no state of
//! its own: listed is ready.

use serde_json::{json, Value};

use super::{Cloudsfor, ERROR_KEYS};
use crate::dialect::{
    array, points_word, vm_points_body, Absent, Accepted, Avail, PointCaps, PointOps,
};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::json::{finite, text};
use crate::model::{normalize_time, Point, PointKind, PointState, Vm};
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
    backups: PointOps {
        list: Avail::Offered,
        create: Avail::Absent(Absent::AutomaticOnly),
        restore: Avail::Offered,
        delete: Avail::Absent(Absent::AutomaticOnly),
        auto: Avail::Offered,
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: false,
        needs_addon: false,
    },
    // "done when `completed` AND `locked: false`": nothing said of power.
    restore_keeps_power: false,
    name: None,
};

/// An image reference as the action takes it: a numeric id as a number, else as text.
pub(super) fn image_ref(id: &str) -> Value {
    let id = id.trim();
    id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n))
}

impl Cloudsfor {
    pub(super) fn points_get(&self, vm: &Vm, kind: PointKind) -> HttpRequest {
        let id = encode_component(vm.id.as_str());
        self.api.get(&format!("vms/{id}/{}", points_word(kind)))
    }

    pub(super) fn points_parse(
        &self,
        kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        let (v, what) = vm_points_body(resp, ERROR_KEYS, kind, now)?;
        Ok(array(&v, points_word(kind), what)?
            .iter()
            .filter_map(|p| point(kind, p))
            .collect())
    }

    pub(super) fn delete_snapshot_request(&self, id: &str) -> HttpRequest {
        let path = format!("snapshots/{}", encode_component(id.trim()));
        self.api.request(Method::Delete, &path)
    }

    /// `204`: the snapshot is read out of the VM's list until it is gone; `404`: gone already.
    pub(super) fn parse_snapshot_deleted(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        self.parse_deleted(resp, now)
    }
}

fn point(kind: PointKind, v: &Value) -> Option<Point> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    Some(Point {
        kind,
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        state: PointState::Ready,
        status_raw: String::new(),
        created: text(v, "created_at").and_then(|t| normalize_time(&t)),
        size_gb: finite(v, "size_gigabytes"),
        automatic: Some(kind == PointKind::Backup),
        note: None,
        definition: None,
    })
}
