//! ONETSolutions snapshots, backups, add-ons and resize, per the sheet's "Snapshots", "Backups"
//! and "Catalogues" (addons). Paths under `/compute/instances/{id}`:
//!
//! * `GET …/snapshots`, `GET …/backups` → paginated `{id, name, status, size_gb, created}`
//!   (backups also `type: "automatic"/"manual"`); `status` `creating` → `available`
//!   (`restoring`, `deleting` while such a task runs; `error` after a failed create);
//!   `GET …/snapshots/{sid}` (`…/backups/{bid}`) → the one; `404` once deleted.
//! * `POST …/snapshots {"name"}` → `202 Task (create_snapshot)`; `POST …/snapshots/{sid}/restore`
//!   → `202 Task (restore_snapshot)`, the instance must be `stopped` and ends `stopped`;
//!   `DELETE …/snapshots/{sid}` → `202 Task (delete_snapshot)`; `POST …/snapshots/{sid}/image
//!   {"name"}` → `202 Task (create_image_from_snapshot)`: a new active image in
//!   `GET /compute/images`. Backups alike (`create_backup`, `restore_backup`, `delete_backup`).
//! * Refusals: `403` when the snapshot (backup) add-on is not active; `400` while the instance
//!   has a task, for a restore of an instance that is not `stopped`, for a point that is not
//!   `available`, for a missing name; `404` unknown point.
//! * `POST …/addons/activate {"addon_id": 1 (snapshots) | 2 (backups), "billing_cycle"}` →
//!   `200` order `{order_id, legacy_order_id, invoice_id, total, amount_due, credit_applied,
//!   status: "paid", invoice_payment_url}`; the add-on is active at once. `400` already active.
//! * `POST …/resize {"size_id"}` → `202 Task (resize_vps)` (path assumed: the sheet names the
//!   task type and "the resize endpoint" but no path); `400` same or unknown size.
//! * The `lag` fault: a point turns `available` that long after its create task `completed`.

use serde_json::{json, Map, Value};

use super::catalogue::{Image, SIZES};
use super::{detail, not_allowed, Effect, Instance, Kind, Onet};
use crate::truth::{finish_at, PointFact, PointKind, PointState};
use crate::util::{iso, json_response, Ctx, Rng, NEVER};
use crate::Response;

#[derive(Clone, Debug)]
pub(super) struct Point {
    id: String,
    name: String,
    size_gb: u32,
    created_ms: u64,
    /// When its create task ends, whether it succeeded, when it shows `available`.
    create_ends: u64,
    ok: bool,
    ready_at: u64,
    automatic: bool,
    gone: bool,
}

fn noun(backup: bool) -> &'static str {
    if backup {
        "backup"
    } else {
        "snapshot"
    }
}

impl Onet {
    fn points_of(&self, ii: usize, backup: bool) -> &Vec<Point> {
        let inst = &self.instances[ii];
        if backup {
            &inst.backups
        } else {
            &inst.snapshots
        }
    }

    /// A point's status at `now`, from its create and the task running on it.
    fn point_status(&self, ii: usize, backup: bool, idx: usize, now: u64) -> &'static str {
        let p = &self.points_of(ii, backup)[idx];
        let running = self.tasks.iter().rev().find(|t| {
            t.inst == ii && !t.finished(now) && t.effect == (Effect::Point { backup, idx })
        });
        match running.map(|t| t.kind) {
            Some(Kind::DeleteSnapshot | Kind::DeleteBackup) => "deleting",
            Some(Kind::RestoreSnapshot | Kind::RestoreBackup) => "restoring",
            _ if now < p.create_ends => "creating",
            _ if !p.ok => "error",
            _ if now < p.ready_at => "creating",
            _ => "available",
        }
    }

    fn point_json(&self, ii: usize, backup: bool, idx: usize, now: u64) -> Value {
        let p = &self.points_of(ii, backup)[idx];
        let mut v = json!({
            "id": p.id, "name": p.name, "status": self.point_status(ii, backup, idx, now),
            "size_gb": p.size_gb, "created": iso(p.created_ms),
        });
        if backup {
            v["type"] = json!(if p.automatic { "automatic" } else { "manual" });
        }
        v
    }

    /// `…/snapshots…`, `…/backups…`, `…/addons/activate`, `…/resize` of instance `ii`.
    pub(super) fn route_points(
        &mut self,
        ii: usize,
        what: &str,
        rest: &[&str],
        ctx: &Ctx,
    ) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        let base = format!("/compute/instances/{{id}}/{what}");
        if what == "addons" || what == "resize" {
            let label = format!(
                "POST {base}{}",
                if what == "addons" { "/activate" } else { "" }
            );
            let resp = match (m, what, rest) {
                ("POST", "addons", ["activate"]) => self.activate(ii, ctx),
                ("POST", "resize", []) => self.resize(ii, ctx),
                (_, "addons", ["activate"]) | (_, "resize", []) => not_allowed(m),
                _ => detail(404, "Not found."),
            };
            return (label, resp);
        }
        let backup = what == "backups";
        let find = |s: &Onet, pid: &str| {
            s.points_of(ii, backup)
                .iter()
                .position(|p| p.id == pid && !p.gone)
        };
        let (label, resp) = match (m, rest) {
            ("GET", []) => {
                let items = (0..self.points_of(ii, backup).len())
                    .filter(|&k| !self.points_of(ii, backup)[k].gone)
                    .map(|k| self.point_json(ii, backup, k, now))
                    .collect();
                let path = format!("/compute/instances/{}/{what}", self.instances[ii].id);
                (format!("GET {base}"), self.paginate(ctx, &path, items))
            }
            ("POST", []) => (format!("POST {base}"), self.create_point(ii, backup, ctx)),
            (_, [pid, tail @ ..]) => {
                let label = format!(
                    "{m} {base}/{{pid}}{}",
                    tail.iter().map(|t| format!("/{t}")).collect::<String>()
                );
                let Some(k) = find(self, pid) else {
                    return (label, detail(404, "Not found."));
                };
                let resp = match (m, tail) {
                    ("GET", []) => json_response(200, &self.point_json(ii, backup, k, now)),
                    ("DELETE", []) => self.point_task(ii, backup, k, Kind::DeleteSnapshot, ctx),
                    ("POST", ["restore"]) => {
                        self.point_task(ii, backup, k, Kind::RestoreSnapshot, ctx)
                    }
                    ("POST", ["image"]) if !backup => {
                        self.point_task(ii, backup, k, Kind::CreateImage, ctx)
                    }
                    (_, [] | ["restore"]) => not_allowed(m),
                    (_, ["image"]) if !backup => not_allowed(m),
                    _ => detail(404, "Not found."),
                };
                (label, resp)
            }
            _ => (base, not_allowed(m)),
        };
        (label, resp)
    }

    /// The body's `name` (required for creates and images).
    fn body_name(ctx: &Ctx) -> Result<(Map<String, Value>, Option<String>), Response> {
        let body = match ctx.body_json() {
            Ok(Value::Null) => Map::new(),
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(detail(400, "Request body must be a JSON object.")),
            Err(e) => return Err(detail(400, &format!("JSON parse error - {e}"))),
        };
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.len() <= 100)
            .map(str::to_string);
        Ok((body, name))
    }

    /// The add-on and busy checks every point write makes.
    fn point_refusal(&self, ii: usize, backup: bool, now: u64) -> Option<Response> {
        let inst = &self.instances[ii];
        let active = if backup { inst.addons.1 } else { inst.addons.0 };
        if !active {
            return Some(detail(
                403,
                &format!("The {} addon is not active on this instance.", noun(backup)),
            ));
        }
        if inst.create_failed {
            return Some(detail(
                400,
                "Instance was not created (its create_vps task failed); delete it.",
            ));
        }
        self.busy(ii, now)
            .then(|| detail(400, "Instance already has a task in progress."))
    }

    /// `POST …/snapshots` / `…/backups {"name"}`.
    fn create_point(&mut self, ii: usize, backup: bool, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let (_, name) = match Self::body_name(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(name) = name else {
            return json_response(400, &json!({"name": ["This field is required."]}));
        };
        if let Some(r) = self.point_refusal(ii, backup, now) {
            return r;
        }
        let kind = if backup {
            Kind::CreateBackup
        } else {
            Kind::CreateSnapshot
        };
        let id = self.ids.uuid();
        let idx = self.points_of(ii, backup).len();
        let params = json!({ "name": name, format!("{}_id", noun(backup)): id });
        let ti = self.start_task(ii, kind, Effect::Point { backup, idx }, params, now);
        let (ends, ok) = (self.tasks[ti].ends(), self.tasks[ti].ok);
        let inst = &mut self.instances[ii];
        let point = Point {
            id,
            name,
            size_gb: (SIZES[inst.size].disk_gb * 2 / 5).max(1),
            created_ms: now,
            create_ends: ends,
            ok,
            ready_at: if ends == NEVER {
                NEVER
            } else {
                ends.saturating_add(self.env.lag_ms)
            },
            automatic: false,
            gone: false,
        };
        if backup {
            inst.backups.push(point)
        } else {
            inst.snapshots.push(point)
        }
        json_response(202, &self.task_json(&self.tasks[ti], now))
    }

    /// Delete, restore or image a point (`kind` given in its snapshot form).
    fn point_task(&mut self, ii: usize, backup: bool, k: usize, kind: Kind, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let (mut body, name) = match Self::body_name(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        if kind == Kind::CreateImage && name.is_none() {
            return json_response(400, &json!({"name": ["This field is required."]}));
        }
        if let Some(r) = self.point_refusal(ii, backup, now) {
            return r;
        }
        let st = self.point_status(ii, backup, k, now);
        let deletable_error = kind == Kind::DeleteSnapshot && st == "error";
        if st != "available" && !deletable_error {
            return detail(
                400,
                &format!("The {} is {st}, not available.", noun(backup)),
            );
        }
        if kind == Kind::RestoreSnapshot && self.instances[ii].status != "stopped" {
            return detail(400, "Instance must be stopped before a restore.");
        }
        let kind = match (kind, backup) {
            (Kind::DeleteSnapshot, true) => Kind::DeleteBackup,
            (Kind::RestoreSnapshot, true) => Kind::RestoreBackup,
            (k, _) => k,
        };
        body.insert(
            format!("{}_id", noun(backup)),
            json!(self.points_of(ii, backup)[k].id),
        );
        let effect = Effect::Point { backup, idx: k };
        let ti = self.start_task(ii, kind, effect, Value::Object(body), now);
        json_response(202, &self.task_json(&self.tasks[ti], now))
    }

    /// `POST …/addons/activate`.
    fn activate(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            _ => return detail(400, "Request body must be a JSON object."),
        };
        let addon = body.get("addon_id").and_then(crate::util::as_uint);
        let cycle = body
            .get("billing_cycle")
            .and_then(Value::as_str)
            .unwrap_or("monthly");
        let cycles = [
            "monthly",
            "quarterly",
            "semiannually",
            "annually",
            "biennially",
            "triennially",
        ];
        if !cycles.contains(&cycle) {
            return json_response(
                400,
                &json!({"billing_cycle": [format!("\"{cycle}\" is not a valid choice.")]}),
            );
        }
        let inst = &mut self.instances[ii];
        let slot = match addon {
            Some(1) => &mut inst.addons.0,
            Some(2) => &mut inst.addons.1,
            _ => {
                return json_response(
                    400,
                    &json!({"addon_id": ["Invalid addon for this instance."]}),
                )
            }
        };
        if *slot {
            return detail(400, "This addon is already active on this instance.");
        }
        *slot = true;
        inst.modified_ms = ctx.now;
        let price = if addon == Some(1) {
            1.5
        } else {
            (SIZES[inst.size].monthly * 0.2 * 100.0).round() / 100.0
        };
        let order = 70_000 + self.ids.below(10_000);
        json_response(
            200,
            &json!({
                "order_id": self.ids.uuid(), "legacy_order_id": order, "invoice_id": order + 100_000,
                "total": price, "amount_due": 0.0, "credit_applied": price, "status": "paid",
                "invoice_payment_url": Value::Null,
            }),
        )
    }

    /// `POST …/resize {"size_id"}`.
    fn resize(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let size = match ctx.body_json() {
            Ok(Value::Object(m)) => m.get("size_id").and_then(crate::util::as_uint),
            _ => return detail(400, "Request body must be a JSON object."),
        };
        let Some(to) = size.and_then(|id| SIZES.iter().position(|z| z.id == id && z.active)) else {
            return json_response(
                400,
                &json!({"size_id": ["Invalid pk - object does not exist."]}),
            );
        };
        if to == self.instances[ii].size {
            return json_response(
                400,
                &json!({"size_id": ["The instance already has this size."]}),
            );
        }
        if self.busy(ii, ctx.now) {
            return detail(400, "Instance already has a task in progress.");
        }
        if self.instances[ii].create_failed {
            return detail(
                400,
                "Instance was not created (its create_vps task failed); delete it.",
            );
        }
        let params = json!({ "size_id": SIZES[to].id });
        let ti = self.start_task(ii, Kind::Resize, Effect::Size(to), params, ctx.now);
        json_response(202, &self.task_json(&self.tasks[ti], ctx.now))
    }

    /// What a completed task does besides the instance's status.
    pub(super) fn apply_effect(&mut self, ii: usize, kind: Kind, effect: Effect) {
        let inst = &mut self.instances[ii];
        match effect {
            Effect::Image(i) => inst.image = i,
            Effect::Hostname(h) => inst.hostname = h,
            Effect::Size(z) => inst.size = z,
            Effect::Point { backup, idx } => {
                let list = if backup {
                    &mut inst.backups
                } else {
                    &mut inst.snapshots
                };
                match kind {
                    Kind::DeleteSnapshot | Kind::DeleteBackup => list[idx].gone = true,
                    Kind::RestoreSnapshot | Kind::RestoreBackup => {
                        inst.restored_from = Some(list[idx].id.clone())
                    }
                    Kind::CreateImage => {
                        let from = &self.images[inst.image];
                        let image = Image {
                            id: 301 + self.images.len() as u64,
                            name: format!("{} (from snapshot {})", from.name, list[idx].name),
                            os_name: from.os_name,
                            version: from.version,
                            min_disk_gb: list[idx].size_gb,
                            active: true,
                        };
                        self.images.push(image);
                    }
                    _ => {}
                }
            }
            Effect::None => {}
            other => self.apply_net_effect(ii, other),
        }
    }

    /// The ground truth of instance `vm`'s snapshots and backups.
    pub(super) fn point_facts(&self, vm: &str, now: u64) -> Vec<PointFact> {
        let Some(ii) = self.instances.iter().position(|i| i.id == vm) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for backup in [false, true] {
            for (k, p) in self.points_of(ii, backup).iter().enumerate() {
                let state = match self.point_status(ii, backup, k, now) {
                    _ if p.gone => PointState::Gone,
                    "creating" => PointState::Creating,
                    "restoring" => PointState::Restoring,
                    "deleting" => PointState::Deleting,
                    "error" => PointState::Failed,
                    _ => PointState::Ready,
                };
                out.push((
                    p.created_ms,
                    PointFact {
                        dialect: "onetsolutions",
                        vm_id: vm.to_string(),
                        kind: if backup {
                            PointKind::Backup
                        } else {
                            PointKind::Snapshot
                        },
                        id: p.id.clone(),
                        name: p.name.clone(),
                        state,
                        ready_at_ms: finish_at(p.ready_at).filter(|_| p.ok),
                    },
                ));
            }
        }
        out.sort_by_key(|(t, _)| *t);
        out.into_iter().map(|(_, f)| f).collect()
    }
}

/// The seeded instances' add-ons and points (about half, the first running and the first
/// stopped one among them, have the snapshot add-on with 1-2 snapshots; a third the backup
/// add-on with 1-3 automatic backups), from a stream of their own.
pub(super) fn seed(seed: u64, instances: &mut [Instance], now: u64) {
    let mut rng = Rng::derive(seed, 0x0E7_5A95);
    let mut seen: Vec<&'static str> = Vec::new();
    for inst in instances.iter_mut().filter(|i| i.status != "error") {
        let disk = SIZES[inst.size].disk_gb;
        let point = |rng: &mut Rng, name: String, at: u64, automatic: bool| Point {
            id: rng.uuid(),
            name,
            size_gb: (disk * 2 / 5).max(1),
            created_ms: at,
            create_ends: at + 300_000,
            ok: true,
            ready_at: at + 300_000,
            automatic,
            gone: false,
        };
        // the first running and the first stopped instance always have some
        let first = !seen.contains(&inst.status);
        seen.push(inst.status);
        if rng.chance(0.5) || first {
            inst.addons.0 = true;
            for k in 0..rng.range(1, 2) {
                let at = now.saturating_sub(rng.range(1, 60) * 86_400_000) / 1000 * 1000;
                let p = point(&mut rng, format!("{}-snap-{}", inst.name, k + 1), at, false);
                inst.snapshots.push(p);
            }
            inst.snapshots.sort_by_key(|p| p.created_ms);
        }
        if rng.chance(0.34) {
            inst.addons.1 = true;
            let n = rng.range(1, 3);
            for k in (1..=n).rev() {
                let at = (now / 86_400_000 - k) * 86_400_000 + 4 * 3_600_000;
                let p = point(&mut rng, format!("auto-{}", &iso(at)[..10]), at, true);
                inst.backups.push(p);
            }
        }
    }
}
