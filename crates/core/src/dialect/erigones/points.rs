//! Erigones' snapshots and backups (sheet sections "Snapshots" and "Backups"). A point is
//! addressed by its name; statuses are integers (`1` ok, `2` pending, `3` rollback / restore,
//! `4` lost). A rollback is a `PUT` that must never carry `note` (that form only edits the note).

use serde_json::{json, Value};

use super::{Erigones, ERROR_KEYS};
use crate::dialect::{vm_points_body, Absent, Avail, PointCaps, PointName, PointOps};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::json::{text, uint};
use crate::model::{normalize_time, Action, Point, PointKind, PointState, Vm};
use crate::time::Millis;

pub const POINTS: PointCaps = PointCaps {
    snapshots: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        // Definitions (`…/define/snapshot/{snapdef}/`) are an administrator's.
        auto: Avail::Absent(Absent::NeedsAdmin),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: true,
        needs_addon: false,
    },
    backups: PointOps {
        list: Avail::Offered,
        create: Avail::AdminOnly,
        restore: Avail::AdminOnly,
        // The owner's bulk form, `DELETE /vm/{hostname}/backup/ {"bkpnames": [...]}`.
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NeedsAdmin),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: true,
        needs_addon: false,
    },
    restore_keeps_power: true,
    name: Some(PointName {
        max: 24,
        slug: true,
    }),
};

/// The disk a point is of: the first (the sheet's examples; the console shows no other).
const DISK: u32 = 1;

impl Erigones {
    fn point_path(hostname: &str, kind: PointKind, name: Option<&str>) -> String {
        let k = match kind {
            PointKind::Snapshot => "snapshot",
            PointKind::Backup => "backup",
        };
        let h = encode_component(hostname);
        match name {
            Some(n) => format!("vm/{h}/{k}/{}/", encode_component(n.trim())),
            None => format!("vm/{h}/{k}/"),
        }
    }

    /// `GET /vm/{hostname}/snapshot/?full=true` (or `backup`).
    pub(super) fn points_get(&self, vm: &Vm, kind: PointKind) -> HttpRequest {
        let path = Self::point_path(vm.id.as_str(), kind, None);
        self.api.get(&format!("{path}?full=true"))
    }

    pub(super) fn points_parse(
        &self,
        kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        let (v, what) = vm_points_body(resp, ERROR_KEYS, kind, now)?;
        let list = match &v {
            Value::Array(a) => a,
            other => other
                .get("result")
                .and_then(Value::as_array)
                .ok_or_else(|| ApiError::bad_response(what, "no `result` list"))?,
        };
        Ok(list.iter().filter_map(|p| point(kind, p)).collect())
    }

    /// A snapshot or backup write; `None` for other actions. A rollback's body is
    /// `{"disk_id", "force"}` and never carries `note`: a `PUT` with `note` only edits the note.
    pub(super) fn point_request(&self, hostname: &str, action: &Action) -> Option<HttpRequest> {
        use PointKind::{Backup, Snapshot};
        let one = |kind, name: &str| Self::point_path(hostname, kind, Some(name));
        Some(match action {
            Action::Snapshot { name, description } => {
                let mut body = json!({ "disk_id": DISK });
                if !description.trim().is_empty() {
                    body["note"] = json!(description.trim());
                }
                self.api.send(Method::Post, &one(Snapshot, name), &body)
            }
            Action::RestoreSnapshot { id, .. } => self.api.send(
                Method::Put,
                &one(Snapshot, id),
                &json!({ "disk_id": DISK, "force": true }),
            ),
            Action::DeleteSnapshot { id, .. } => self.api.send(
                Method::Delete,
                &one(Snapshot, id),
                &json!({ "disk_id": DISK }),
            ),
            // `name` is the backup definition to run.
            Action::Backup { name } => self.api.send(
                Method::Post,
                &one(Backup, name),
                &json!({ "disk_id": DISK }),
            ),
            Action::RestoreBackup { backup_id, .. } => self.api.send(
                Method::Put,
                &one(Backup, backup_id),
                &json!({
                    "target_hostname_or_uuid": hostname,
                    "target_disk_id": DISK,
                    "force": true,
                }),
            ),
            // The owner's form: by names, on the VM's backup list.
            Action::DeleteBackup { id, .. } => self.api.send(
                Method::Delete,
                &Self::point_path(hostname, Backup, None),
                &json!({ "bkpnames": [id.trim()] }),
            ),
            _ => return None,
        })
    }
}

/// The provider's integer status: `1` ok, `2` pending, `3` rollback / restore, `4` lost.
fn state_of(v: Option<&Value>) -> (PointState, String) {
    let raw = match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    let state = match raw.as_str() {
        "1" => PointState::Ready,
        "2" => PointState::Creating,
        "3" => PointState::Restoring,
        "4" => PointState::Lost,
        _ => PointState::Unknown(raw.clone()),
    };
    (state, raw)
}

fn point(kind: PointKind, v: &Value) -> Option<Point> {
    let name = text(v, "name").filter(|s| !s.trim().is_empty())?;
    let (state, status_raw) = state_of(v.get("status"));
    Some(Point {
        kind,
        id: name.clone(),
        name,
        state,
        status_raw,
        created: text(v, "created").and_then(|t| normalize_time(&t)),
        size_gb: None,
        // Snapshots: `type` 1 automatic, 2 manual; backups come from a definition's schedule.
        automatic: match kind {
            PointKind::Snapshot => uint(v, "type").map(|t| t == 1),
            PointKind::Backup => None,
        },
        note: text(v, "note").filter(|n| !n.trim().is_empty()),
        definition: text(v, "define").filter(|d| !d.trim().is_empty()),
    })
}
