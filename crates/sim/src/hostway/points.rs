//! Hostway snapshots beyond their create ([`super::snapshots`]), per the sheet's "Snapshots":
//!
//! * `GET /servers/{id}/snapshots` → `200 {"snapshots": [Snapshot…]}` (deleted ones absent).
//! * `GET /servers/{id}/snapshots/{sid}` → `200 {"snapshot"}`; `404` unknown or deleted.
//! * `POST /servers/{id}/snapshots/{sid}/actions {"action": "restore"}` (also the page's
//!   Alternative URI `…/action`) → `202`, empty body; the server shows `PROCESSING` (~120 s) and
//!   then its status before (`ACTIVE`/`STOPPED`); the snapshot stays `ACTIVE`. `400` for another
//!   action or a snapshot that is not `ACTIVE`; `409` while another change runs or the server
//!   builds; `403` a `SUSPENDED`/`DELETED` server. A failed restore also ends with the status
//!   before: only [`crate::Sim::restored_from`] tells the two apart.
//! * `DELETE /servers/{id}/snapshots/{sid}` → `202`, empty body; the snapshot shows `DELETED`
//!   (~20 s), then `404` and absent from the list (a failed delete: `ACTIVE` again). A snapshot
//!   whose create failed (`DELETED`) goes at once; one still in `BUILD` → `409`.

use serde_json::{json, Value};

use super::actions::word;
use super::{accepted, fault, ChangeKind, Hostway, Timed};
use crate::truth::{finish_at, Completion, PointFact, PointKind, PointState};
use crate::util::{json_response, Ctx};
use crate::Response;

impl Hostway {
    /// `GET /servers/{id}/snapshots`.
    pub(super) fn list_snapshots(&self, si: usize, ctx: &Ctx) -> Response {
        let list: Vec<Value> = self.servers[si]
            .snapshots
            .iter()
            .filter(|x| !x.gone)
            .map(|x| self.snapshot_json(si, x, ctx)["snapshot"].clone())
            .collect();
        json_response(200, &json!({ "snapshots": list }))
    }

    /// Everything under `/servers/{id}/snapshots/{sid}/`.
    pub(super) fn route_snapshot(
        &mut self,
        si: usize,
        sid: &str,
        rest: &[&str],
        ctx: &Ctx,
    ) -> (String, Response) {
        let m = ctx.method.as_str();
        let label = match rest {
            [] => format!("{m} /servers/{{id}}/snapshots/{{sid}}"),
            _ => "POST /servers/{id}/snapshots/{sid}/actions".to_string(),
        };
        let Some(k) = self.servers[si]
            .snapshots
            .iter()
            .position(|x| x.id == sid && !x.gone)
        else {
            return (label, fault(404, "Snapshot not found"));
        };
        let resp = match (m, rest) {
            ("GET", []) => {
                let snap = &self.servers[si].snapshots[k];
                json_response(200, &self.snapshot_json(si, snap, ctx))
            }
            ("DELETE", []) => self.delete_snapshot(si, k, ctx.now),
            ("POST", ["actions" | "action"]) => self.restore_snapshot(si, k, ctx),
            (_, [] | ["actions" | "action"]) => fault(405, "Method not allowed"),
            _ => fault(404, "Resource not found"),
        };
        (label, resp)
    }

    fn delete_snapshot(&mut self, si: usize, k: usize, now: u64) -> Response {
        let status = self.servers[si].snapshots[k].status(now);
        if status == "BUILD" {
            return fault(
                409,
                "The snapshot is being created; delete it once it is ACTIVE.",
            );
        }
        let restoring = matches!(&self.servers[si].change,
            Some((ChangeKind::Restore { snapshot }, c)) if *snapshot == k && now < c.ends);
        if restoring {
            return fault(409, "The server is being restored from this snapshot.");
        }
        let failed = status == "DELETED" && !self.servers[si].snapshots[k].t.ok;
        if status == "DELETED" && !failed {
            return fault(409, "The snapshot is already being deleted.");
        }
        let t = if failed {
            Timed {
                started: now,
                ends: now,
                ok: true,
                applied: false,
            }
        } else {
            self.timed(now, 20_000)
        };
        let s = &self.servers[si];
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: s.id.clone(),
            vm_name: s.name.clone(),
            action: "snapshot/delete",
            accepted_at_ms: now,
            finished_at_ms: finish_at(t.ends),
            succeeded: t.ok,
            task_status: if t.ok { "DELETED" } else { "ACTIVE" },
            visible: true,
        });
        let snap = &mut self.servers[si].snapshots[k];
        snap.gone = failed;
        snap.delete = Some(t);
        accepted(None, None)
    }

    fn restore_snapshot(&mut self, si: usize, k: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let action = match ctx.body_json() {
            Ok(v) => v.get("action").and_then(Value::as_str).map(str::to_string),
            Err(e) => return fault(400, &format!("Malformed request body: {e}")),
        };
        if action.as_deref() != Some("restore") {
            return fault(400, "The body must be {\"action\": \"restore\"}");
        }
        if self.servers[si].snapshots[k].status(now) != "ACTIVE" {
            return fault(400, "Only an ACTIVE snapshot can be restored.");
        }
        let kind = ChangeKind::Restore { snapshot: k };
        if let Some(r) = self.refuse(si, kind, now) {
            return r;
        }
        let t = self.timed(now, super::actions::median_ms(kind));
        let s = &self.servers[si];
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: s.id.clone(),
            vm_name: s.name.clone(),
            action: word(kind),
            accepted_at_ms: now,
            finished_at_ms: finish_at(t.ends),
            succeeded: t.ok,
            task_status: s.base.as_str(),
            // The server ends with its status before either way.
            visible: t.ok,
        });
        self.servers[si].change = Some((kind, t));
        accepted(None, None)
    }

    /// The ground truth of server `vm`'s snapshots.
    pub(super) fn point_facts(&self, vm: &str, now: u64) -> Vec<PointFact> {
        let Some(s) = self.servers.iter().find(|s| s.id == vm) else {
            return Vec::new();
        };
        let restoring = match &s.change {
            Some((ChangeKind::Restore { snapshot }, c)) if now < c.ends => Some(*snapshot),
            _ => None,
        };
        s.snapshots
            .iter()
            .enumerate()
            .map(|(k, x)| {
                let state = match x.status(now) {
                    _ if x.gone => PointState::Gone,
                    "BUILD" => PointState::Creating,
                    "DELETED" if x.delete.is_some() => PointState::Deleting,
                    "DELETED" => PointState::Failed,
                    _ if restoring == Some(k) => PointState::Restoring,
                    _ => PointState::Ready,
                };
                PointFact {
                    dialect: "hostway",
                    vm_id: s.id.clone(),
                    kind: PointKind::Snapshot,
                    id: x.id.clone(),
                    name: x.name.clone(),
                    state,
                    ready_at_ms: finish_at(x.t.ends).filter(|_| x.t.ok),
                }
            })
            .collect()
    }
}
