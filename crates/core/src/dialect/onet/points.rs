//! ONETSolutions' snapshots and backups (sheet sections "Snapshots" and "Backups"): paid
//! add-ons (`403` without), listed under the instance, every write a `202 Task`.

use serde_json::{json, Value};

use super::{Onet, ERROR_KEYS};
use crate::dialect::{points_word, Absent, Avail, PointCaps, PointOps};
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::json::{finite, text};
use crate::model::{normalize_time, Action, Point, PointKind, PointState, Vm};
use crate::time::Millis;

/// Points read in one page.
const PAGE: u32 = 100;

pub const POINTS: PointCaps = PointCaps {
    snapshots: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NotPublished),
        to_image: Avail::Offered,
        restore_needs_stopped: true,
        needs_addon: true,
    },
    backups: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NeedsAddon),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: true,
        needs_addon: true,
    },
    restore_keeps_power: true,
    name: None,
};

impl Onet {
    fn instance_path(vm_id: &str) -> String {
        format!("compute/instances/{}", encode_component(vm_id))
    }

    /// `GET /compute/instances/{id}/snapshots` (or `/backups`), the first page of up to 100.
    pub(super) fn points_get(&self, vm: &Vm, kind: PointKind) -> HttpRequest {
        let base = Self::instance_path(vm.id.as_str());
        self.api
            .get(&format!("{base}/{}?page_size={PAGE}", points_word(kind)))
    }

    pub(super) fn points_parse(
        &self,
        kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        if resp.status == 403 {
            return Err(addon_refused(resp, now));
        }
        let what = match kind {
            PointKind::Snapshot => "the instance's snapshots",
            PointKind::Backup => "the instance's backups",
        };
        let (results, _) = self.page(resp, what, now)?;
        Ok(results.iter().filter_map(|p| point(kind, p)).collect())
    }

    /// The request of a snapshot or backup write; `None` for other actions.
    pub(super) fn point_request(&self, vm_id: &str, action: &Action) -> Option<HttpRequest> {
        let base = Self::instance_path(vm_id);
        let one = |kind: &str, id: &str| format!("{base}/{kind}/{}", encode_component(id.trim()));
        let post = |path: String, body: Value| self.api.send(Method::Post, &path, &body);
        Some(match action {
            Action::Snapshot { name, .. } => {
                post(format!("{base}/snapshots"), json!({"name": name.trim()}))
            }
            Action::Backup { name } => {
                post(format!("{base}/backups"), json!({"name": name.trim()}))
            }
            Action::RestoreSnapshot { id, .. } => {
                post(format!("{}/restore", one("snapshots", id)), json!({}))
            }
            Action::RestoreBackup { backup_id, .. } => {
                post(format!("{}/restore", one("backups", backup_id)), json!({}))
            }
            Action::SnapshotToImage { id, name } => post(
                format!("{}/image", one("snapshots", id)),
                json!({"name": name.trim()}),
            ),
            Action::DeleteSnapshot { id, .. } => {
                self.api.request(Method::Delete, &one("snapshots", id))
            }
            Action::DeleteBackup { id, .. } => {
                self.api.request(Method::Delete, &one("backups", id))
            }
            _ => return None,
        })
    }
}

/// A `403` to a snapshot or backup request: the paid add-on is not active on the instance.
pub(super) fn addon_refused(resp: &HttpResponse, now: Millis) -> ApiError {
    let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
    e.kind = ErrorKind::NeedsAddon;
    e
}

fn point(kind: PointKind, v: &Value) -> Option<Point> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    let status = text(v, "status").unwrap_or_default();
    Some(Point {
        kind,
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        state: PointState::from_word(&status),
        status_raw: status,
        created: text(v, "created").and_then(|t| normalize_time(&t)),
        size_gb: finite(v, "size_gb"),
        automatic: text(v, "type").map(|t| t == "automatic"),
        note: None,
        definition: None,
    })
}
