//! Erigones snapshots, per the sheet's "Snapshots (owner allowed)" (backups: [`super::backups`],
//! definitions: [`super::schedules`]). Under `/vm/{host}/snapshot/`:
//!
//! * `GET …/?full=true&disk_id=` → `[{hostname, vm_uuid, define, name, disk_id, note, type (1
//!   auto, 2 manual), created, status, size, id}]`, newest first (without `full`: the names);
//!   `status` `1` ok, `2` pending (being taken or deleted), `3` rollback, `4` lost. `GET
//!   …/{snapname}/` → the one, `404 "Snapshot not found"`.
//! * `POST …/{snapname}/ {disk_id?, note?, fsfreeze?}` → `201 PENDING` (~5 s); the row is there
//!   at once with status `2`, turns `1` (the `lag` fault: that long after the task's `SUCCESS`),
//!   and goes if the task fails. Refusals in order: `406 "Snapshot already exists"`; `428 "VM is
//!   not installed"` (a VM owner, disk 1 not from an image); `423` unless `running` / `stopped` /
//!   `stopping`; `400 FAILURE` name (`[A-Za-z0-9][A-Za-z0-9._-]*`, ≤ 24) or note (≤ 128);
//!   `417 "VM snapshot limit reached"` at [`SNAPSHOT_LIMIT_MANUAL`] manual snapshots; `400
//!   FAILURE "Task did not acquire lock"` while another snapshot task runs on the disk.
//! * `PUT …/{snapname}/ {disk_id?, force? (default true)}` → rollback, `201 PENDING` (~10 s):
//!   `417` unless status `1`, `417 "VM has more recent snapshots"` without `force` when it is not
//!   the newest, `423 "VM is not stopped"`, `409` pending tasks; the VM shows `stopped-` and the
//!   snapshot `3` meanwhile; success destroys the newer snapshots (with `force`), failure puts
//!   the status back to `1`. **A `PUT` carrying `note` only edits the note**: `200 SUCCESS` with
//!   the snapshot, at once, no rollback, whatever else the body holds.
//! * `DELETE …/{snapname}/ {disk_id?}` → `201 PENDING` (~5 s, status `2`), then `404`; a failed
//!   delete puts the status back to `1`; a `lost` one goes at once (`200 SUCCESS`). `DELETE
//!   …/snapshot/ {snapnames: [...], disk_id?}`: several in one task (lost ones at once).
//! * Undeploying a VM removes its snapshots and its snapshot/backup definitions.

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::define::body_map;
use super::{detail, Erigones, Kind, Point, Task};

use crate::util::{iso, Ctx, NEVER};
use crate::Response;

/// Manual snapshots a VM may hold (its `snapshot_limit_manual`; assumed value).
pub const SNAPSHOT_LIMIT_MANUAL: usize = 5;

/// Whether `name` is a valid snapshot / backup name of at most `max` characters.
pub(super) fn valid_name(name: &str, max: usize) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && name.len() <= max
        && b[0].is_ascii_alphanumeric()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The `note` of a body: `Ok(None)` absent, `Err` the field's error (over 128 characters).
pub(super) fn note_of(body: &Map<String, Value>) -> Result<Option<String>, String> {
    match body.get("note") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(String::new())),
        Some(Value::String(s)) if s.chars().count() <= 128 => Ok(Some(s.clone())),
        Some(Value::String(s)) => Err(format!(
            "Ensure this value has at most 128 characters (it has {}).",
            s.chars().count()
        )),
        Some(_) => Err("Not a valid string.".into()),
    }
}

pub(super) fn noun(backup: bool) -> &'static str {
    if backup {
        "Backup"
    } else {
        "Snapshot"
    }
}

impl Erigones {
    /// The disk (1-based) named by `key` in the body (default 1), or the `400`.
    pub(super) fn disk_of(
        &mut self,
        vi: usize,
        body: &Map<String, Value>,
        key: &str,
    ) -> Result<u32, Response> {
        let n = match body.get(key).filter(|v| !v.is_null()) {
            None => 1,
            Some(v) => crate::util::as_uint(v).unwrap_or(0),
        };
        if n < 1 || n as usize > self.vms[vi].disks.len().max(1) {
            return Err(detail(400, "Invalid disk_id"));
        }
        Ok(n as u32)
    }

    /// The point `name` of VM `vi`'s disk `disk`, not deleted.
    pub(super) fn find_point(
        &self,
        vi: usize,
        backup: bool,
        name: &str,
        disk: u32,
    ) -> Option<usize> {
        self.points.iter().rposition(|p| {
            p.vm == vi && p.backup == backup && !p.gone && p.name == name && p.disk_id == disk
        })
    }

    /// The task running on point `pi` at `now`.
    pub(super) fn running_on(&self, pi: usize, now: u64) -> Option<&Task> {
        self.tasks
            .iter()
            .rev()
            .find(|t| t.pending(now) && t.points.contains(&pi))
    }

    /// Its status integer: `1` ok, `2` pending, `3` rollback / restore, `4` lost.
    pub(super) fn point_status(&self, pi: usize, now: u64) -> u8 {
        let p = &self.points[pi];
        match self.running_on(pi, now).map(|t| t.kind) {
            _ if p.lost => 4,
            Some(Kind::SnapRollback | Kind::BackupRestore) => 3,
            Some(_) => 2,
            None if now < p.ready_at => 2,
            None => 1,
        }
    }

    pub(super) fn point_json(&self, pi: usize, now: u64) -> Value {
        let p = &self.points[pi];
        let vm = &self.vms[p.vm];
        let taken = now >= p.ready_at && !p.lost;
        let mut v = json!({
            "hostname": vm.hostname, "vm_uuid": vm.uuid, "define": p.define, "name": p.name,
            "disk_id": p.disk_id, "type": p.kind, "created": iso(p.created),
            "status": self.point_status(pi, now), "size": taken.then_some(p.size),
            "note": p.note,
        });
        if p.backup {
            v["vm"] = json!(vm.hostname);
            v["node"] = json!(p.node);
            v["zpool"] = json!(p.zpool);
            v["time"] = json!(taken.then_some(p.time));
        } else {
            v["id"] = json!(p.id);
        }
        v
    }

    /// `GET …/snapshot/` or `…/backup/` (`?full=true`, `?disk_id=`), newest first.
    fn list_points(&mut self, vi: usize, backup: bool, ctx: &Ctx) -> Response {
        let full = ctx.q("full").is_some_and(|v| v == "true" || v == "1");
        let disk = match ctx.q("disk_id").filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match d.parse::<u32>() {
                Ok(n) if n >= 1 && n as usize <= self.vms[vi].disks.len().max(1) => Some(n),
                _ => return detail(400, "Invalid disk_id"),
            },
        };
        let mut shown: Vec<usize> = (0..self.points.len())
            .filter(|&i| {
                let p = &self.points[i];
                p.vm == vi && p.backup == backup && !p.gone && disk.is_none_or(|d| p.disk_id == d)
            })
            .collect();
        shown.sort_by_key(|&i| std::cmp::Reverse(self.points[i].id));
        let list: Vec<Value> = shown
            .into_iter()
            .map(|i| {
                if full {
                    self.point_json(i, ctx.now)
                } else {
                    json!(self.points[i].name)
                }
            })
            .collect();
        self.envelope(200, "SUCCESS", Value::Array(list))
    }

    /// The `428` / `423` every snapshot and backup write checks on its VM.
    pub(super) fn check_vm(&self, vi: usize, caller: Caller) -> Result<(), Response> {
        let vm = &self.vms[vi];
        if !(caller.admin() || vm.installed()) {
            return Err(detail(428, "VM is not installed"));
        }
        if !["running", "stopped", "stopping"].contains(&vm.status.as_str()) {
            return Err(detail(423, "VM is not operational"));
        }
        Ok(())
    }

    /// Whether a snapshot (backup) task runs on VM `vi`'s disk `disk`: its lock is held.
    pub(super) fn points_locked(&self, vi: usize, backup: bool, disk: u32, now: u64) -> bool {
        self.tasks.iter().any(|t| {
            t.pending(now)
                && t.kind.on_points()
                && t.points
                    .iter()
                    .any(|&pi| self.points[pi].vm == vi && self.points[pi].backup == backup)
                && t.points.iter().any(|&pi| self.points[pi].disk_id == disk)
        })
    }

    /// Starts a task on points `pis` (its VM `vi`, the target of a restore) and answers it.
    pub(super) fn point_task(
        &mut self,
        vi: usize,
        kind: Kind,
        pis: Vec<usize>,
        caller: Caller,
        ctx: &Ctx,
        median_ms: u64,
    ) -> usize {
        let dur = self.env.duration(median_ms);
        let method = METHODS[kind_method(kind)];
        let ti = self.new_task(vi, kind, method, caller.user, ctx.now, dur);
        self.tasks[ti].points = pis;
        self.log_task(ti);
        ti
    }

    /// `/vm/{host}/snapshot/…` and `/vm/{host}/backup/…` once the VM is found.
    pub(super) fn route_points(
        &mut self,
        vi: usize,
        backup: bool,
        name: Option<&str>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let body = match body_map(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        match (ctx.method.as_str(), name, backup) {
            ("GET", None, _) => self.list_points(vi, backup, ctx),
            ("DELETE", None, _) => self.bulk_delete(vi, backup, &body, caller, ctx),
            ("GET", Some(n), _) => {
                let disk = match self.disk_of(vi, &body, "disk_id") {
                    Ok(d) => d,
                    Err(r) => return r,
                };
                match self.find_point(vi, backup, n, disk) {
                    Some(pi) => {
                        let v = self.point_json(pi, ctx.now);
                        self.envelope(200, "SUCCESS", v)
                    }
                    None => detail(404, &format!("{} not found", noun(backup))),
                }
            }
            ("POST", Some(n), false) => self.create_snapshot(vi, n, &body, caller, ctx),
            ("PUT", Some(n), false) => self.rollback(vi, n, &body, caller, ctx),
            ("DELETE", Some(n), false) => self.delete_snapshot(vi, n, &body, caller, ctx),
            (_, Some(n), true) => self.route_backup(vi, n, &body, caller, ctx),
            _ => detail(405, &format!("Method \"{}\" not allowed.", ctx.method)),
        }
    }

    /// `POST /vm/{host}/snapshot/{snapname}/`.
    fn create_snapshot(
        &mut self,
        vi: usize,
        name: &str,
        body: &Map<String, Value>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let now = ctx.now;
        let disk = match self.disk_of(vi, body, "disk_id") {
            Ok(d) => d,
            Err(r) => return r,
        };
        if self.find_point(vi, false, name, disk).is_some() {
            return detail(406, "Snapshot already exists");
        }
        if let Err(r) = self.check_vm(vi, caller) {
            return r;
        }
        let mut errors = Map::new();
        if !valid_name(name, 24) {
            errors.insert("name".into(), json!(["Enter a valid value."]));
        }
        let note = note_of(body).unwrap_or_else(|e| {
            errors.insert("note".into(), json!([e]));
            None
        });
        if !errors.is_empty() {
            return self.failure(errors);
        }
        let manual = self
            .points
            .iter()
            .filter(|p| p.vm == vi && !p.backup && !p.gone && p.kind == 2)
            .count();
        if manual >= SNAPSHOT_LIMIT_MANUAL {
            return detail(417, "VM snapshot limit reached");
        }
        if self.points_locked(vi, false, disk, now) {
            return self.lock_failure();
        }
        let pi = self.points.len();
        let size = u64::from(self.vms[vi].disks[disk as usize - 1].size) << 20;
        self.points.push(Point {
            vm: vi,
            backup: false,
            id: self.next_point_id,
            name: name.to_string(),
            disk_id: disk,
            note: note.unwrap_or_default(),
            define: None,
            kind: 2,
            created: now,
            size: size / 20 + self.env.rng.below(size / 20 + 1),
            disk_size: self.vms[vi].disks[disk as usize - 1].size,
            time: 0,
            ready_at: NEVER,
            lost: false,
            gone: false,
            node: "",
            zpool: "zones",
        });
        self.next_point_id += 1;
        let ti = self.point_task(vi, Kind::SnapCreate, vec![pi], caller, ctx, 5_000);
        self.set_ready_at(ti);
        self.pending_response(ti)
    }

    /// A create task's point turns ready at its end (plus the lag fault), or never.
    pub(super) fn set_ready_at(&mut self, ti: usize) {
        let t = &self.tasks[ti];
        let at = if t.ok && t.ends != NEVER {
            t.ends.saturating_add(self.env.lag_ms)
        } else {
            NEVER
        };
        for &pi in &t.points {
            self.points[pi].ready_at = at;
        }
    }

    /// `PUT /vm/{host}/snapshot/{snapname}/`: a note edit when the body has `note`, else a
    /// rollback.
    fn rollback(
        &mut self,
        vi: usize,
        name: &str,
        body: &Map<String, Value>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let now = ctx.now;
        let disk = match self.disk_of(vi, body, "disk_id") {
            Ok(d) => d,
            Err(r) => return r,
        };
        let Some(pi) = self.find_point(vi, false, name, disk) else {
            return detail(404, "Snapshot not found");
        };
        if body.contains_key("note") {
            return self.edit_note(vi, pi, body, now);
        }
        let force = body
            .get("force")
            .and_then(crate::util::as_bool)
            .unwrap_or(true);
        if let Err(r) = self.check_vm(vi, caller) {
            return r;
        }
        if self.point_status(pi, now) != 1 {
            return detail(417, "VM snapshot status is not OK");
        }
        if !force && !self.newer(pi).is_empty() {
            return detail(417, "VM has more recent snapshots");
        }
        if self.vms[vi].status != "stopped" {
            return detail(423, "VM is not stopped");
        }
        if self.pending_tasks(vi, now) {
            return detail(409, "VM has pending tasks");
        }
        let ti = self.point_task(vi, Kind::SnapRollback, vec![pi], caller, ctx, 10_000);
        self.tasks[ti].force = force;
        self.set_not_ready(vi, now);
        self.pending_response(ti)
    }

    /// A rollback or restore rewrites the disk of a stopped VM: `stopped-` meanwhile.
    pub(super) fn set_not_ready(&mut self, vi: usize, now: u64) {
        let vm = &mut self.vms[vi];
        vm.status = "stopped-".into();
        vm.status_change = now;
    }

    /// The snapshots of the same disk newer than snapshot `pi`.
    pub(super) fn newer(&self, pi: usize) -> Vec<usize> {
        let p = &self.points[pi];
        (0..self.points.len())
            .filter(|&i| {
                let q = &self.points[i];
                q.vm == p.vm && !q.backup && !q.gone && q.disk_id == p.disk_id && q.id > p.id
            })
            .collect()
    }

    /// `PUT` with `note`: the note changes at once; nothing else happens.
    pub(super) fn edit_note(
        &mut self,
        vi: usize,
        pi: usize,
        body: &Map<String, Value>,
        now: u64,
    ) -> Response {
        match note_of(body) {
            Ok(note) => {
                self.points[pi].note = note.unwrap_or_default();
                let action = if self.points[pi].backup {
                    "backup/note"
                } else {
                    "snapshot/note"
                };
                self.record(vi, action, now);
                let v = self.point_json(pi, now);
                self.envelope(200, "SUCCESS", v)
            }
            Err(e) => {
                let mut errors = Map::new();
                errors.insert("note".into(), json!([e]));
                self.failure(errors)
            }
        }
    }
}

const METHODS: [&str; 3] = ["POST", "PUT", "DELETE"];

fn kind_method(kind: Kind) -> usize {
    match kind {
        Kind::SnapCreate | Kind::BackupCreate => 0,
        Kind::SnapRollback | Kind::BackupRestore => 1,
        _ => 2,
    }
}
