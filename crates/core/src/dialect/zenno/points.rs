//! ZennoHosting's backups (sheet section "Backups"): `GET …/vms/{vmId}/backups`, create by
//! `POST …/backups {"name"}`, restore at the documented path, delete by `DELETE
//! …/backups/{backupId}`, each `202 {"commandId"}` observed on the VM. No snapshots.

use serde_json::{json, Value};

use super::{items, Zenno, ERROR_KEYS};
use crate::dialect::json_body;
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::json::{finite, text};
use crate::model::{normalize_time, Point, PointKind, PointState, Vm};
use crate::time::Millis;

use crate::dialect::{Absent, Avail, PointCaps, PointOps};

pub const POINTS: PointCaps = PointCaps {
    snapshots: PointOps::absent(Absent::NotPublished),
    backups: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NotPublished),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: false,
        needs_addon: false,
    },
    restore_keeps_power: true,
    name: None,
};

impl Zenno {
    /// `GET /projects/{projectId}/vms/{vmId}/backups`; none for snapshots (not published) or a
    /// VM whose project is not known.
    pub(super) fn backups_get(&self, vm: &Vm, kind: PointKind) -> Option<HttpRequest> {
        let project = Self::project_of(vm)?;
        (kind == PointKind::Backup).then(|| {
            self.api.get(&format!(
                "{}/backups",
                Self::vm_path(&project, vm.id.as_str())
            ))
        })
    }

    /// `POST …/backups {"name"}` and `DELETE …/backups/{backupId}`.
    pub(super) fn backup_write(
        &self,
        path: &str,
        name: Option<&str>,
        id: Option<&str>,
    ) -> HttpRequest {
        match (name, id) {
            (Some(name), _) => self.api.send(
                Method::Post,
                &format!("{path}/backups"),
                &json!({ "name": name.trim() }),
            ),
            (None, id) => self.api.request(
                Method::Delete,
                &format!(
                    "{path}/backups/{}",
                    encode_component(id.unwrap_or_default().trim())
                ),
            ),
        }
    }

    pub(super) fn backups_parse(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        let v = json_body(resp, ERROR_KEYS, "the VM's backups", now)?;
        Ok(items(&v, "the VM's backups")?
            .iter()
            .filter_map(backup)
            .collect())
    }
}

fn backup(v: &Value) -> Option<Point> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    let status = text(v, "status").unwrap_or_default();
    Some(Point {
        kind: PointKind::Backup,
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        state: PointState::from_word(&status),
        status_raw: status,
        created: text(v, "createdAt").and_then(|t| normalize_time(&t)),
        size_gb: finite(v, "sizeGb"),
        automatic: None,
        note: None,
        definition: None,
    })
}
