//! Erigones backups, per the sheet's "Backups". Under `/vm/{host}/backup/` (list, one and bulk
//! delete in [`super::points`]):
//!
//! * `GET …/?full=true` → `[{hostname, vm_uuid, vm, define, name, disk_id, type (1 dataset, 2
//!   file), node, zpool, created, status, size, time, note}]`, newest first; `status` `1` ok,
//!   `2` pending, `3` restore, `4` lost.
//! * `POST …/{bkpdef}/ {disk_id?, note?}` (admin) → `201 PENDING` (~60 s): a backup named
//!   `{bkpdef}-{YYYYMMDD_HHMMSS}` appears at once with status `2`, turns `1` (the `lag` fault:
//!   that long after the task's `SUCCESS`), goes if the task fails. `404 "Backup definition not
//!   found"`; `423` unless `running` / `stopped` / `stopping`; `400 FAILURE` note; `400 FAILURE
//!   "Task did not acquire lock"` while another backup task runs on the disk. (The DC backup
//!   size limit, `417`, is not set in this DC; `428 "VM is not installed"` spares admins, and
//!   only admins create backups.)
//! * `PUT …/{bkpname}/ {target_hostname_or_uuid, target_disk_id, disk_id?, force? (default
//!   true)}` (admin) → restore, `201 PENDING` (~120 s), the task on the target VM: `400 FAILURE`
//!   missing fields; `417` unless status `1`; `404` target; `428 "Disk size mismatch"`; `417 "VM
//!   has snapshots"` without `force`; `423 "VM is not stopped"`; `409` pending tasks. The target
//!   shows `stopped-` and the backup `3` meanwhile; success overwrites the target disk (and, with
//!   `force`, drops its snapshots); the target stays `stopped`. A `PUT` with `note` only edits
//!   the note (`200`).
//! * `DELETE …/{bkpname}/` (admin) or `DELETE …/ {bkpnames: [...]}` (owner too) → `201
//!   PENDING` (~10 s, status `2`), then `404`; a lost one goes at once (`200`).

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::points::note_of;
use super::{detail, forbidden, Erigones, Kind, Point};
use crate::util::{civil, Ctx, NEVER};
use crate::Response;

/// `YYYYMMDD_HHMMSS` of a virtual instant.
fn stamp(ms: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(ms);
    format!("{y:04}{mo:02}{d:02}_{h:02}{mi:02}{s:02}")
}

impl Erigones {
    /// `POST`, `PUT` or `DELETE /vm/{host}/backup/{name}/` (all admin only).
    pub(super) fn route_backup(
        &mut self,
        vi: usize,
        name: &str,
        body: &Map<String, Value>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        if !caller.admin() {
            return forbidden();
        }
        let disk = match self.disk_of(vi, body, "disk_id") {
            Ok(d) => d,
            Err(r) => return r,
        };
        if ctx.method == "POST" {
            return self.create_backup(vi, name, disk, body, caller, ctx);
        }
        let Some(pi) = self.find_point(vi, true, name, disk) else {
            return detail(404, "Backup not found");
        };
        if ctx.method == "DELETE" {
            if let Err(r) = self.check_vm(vi, caller) {
                return r;
            }
            return self.delete_points(vi, true, vec![pi], caller, ctx);
        }
        if body.contains_key("note") {
            return self.edit_note(vi, pi, body, ctx.now);
        }
        self.restore(pi, body, caller, ctx)
    }

    /// `POST /vm/{host}/backup/{bkpdef}/`.
    fn create_backup(
        &mut self,
        vi: usize,
        def: &str,
        disk: u32,
        body: &Map<String, Value>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let now = ctx.now;
        let Some(di) = self
            .defines
            .iter()
            .position(|d| d.vm == vi && d.backup && d.name == def && d.disk_id == disk)
        else {
            return detail(404, "Backup definition not found");
        };
        let note = match note_of(body) {
            Ok(n) => n,
            Err(e) => {
                let mut errors = Map::new();
                errors.insert("note".into(), json!([e]));
                return self.failure(errors);
            }
        };
        if let Err(r) = self.check_vm(vi, caller) {
            return r;
        }
        let name = format!("{def}-{}", stamp(now));
        if self.find_point(vi, true, &name, disk).is_some() {
            return detail(406, "Backup already exists");
        }
        if self.points_locked(vi, true, disk, now) {
            return self.lock_failure();
        }
        let d = &self.defines[di];
        let disk_size = self.vms[vi].disks[disk as usize - 1].size;
        let size = (u64::from(disk_size) << 20) * 2 / 5;
        let pi = self.points.len();
        self.points.push(Point {
            vm: vi,
            backup: true,
            id: self.next_point_id,
            name,
            disk_id: disk,
            note: note.unwrap_or_default(),
            define: Some(d.name.clone()),
            kind: d.kind,
            created: now,
            size,
            disk_size,
            time: 0,
            ready_at: NEVER,
            lost: false,
            gone: false,
            node: d.node,
            zpool: d.zpool,
        });
        self.next_point_id += 1;
        let ti = self.point_task(vi, Kind::BackupCreate, vec![pi], caller, ctx, 60_000);
        self.set_ready_at(ti);
        self.pending_response(ti)
    }

    /// `PUT /vm/{host}/backup/{bkpname}/` without `note`: restore onto a stopped VM.
    fn restore(
        &mut self,
        pi: usize,
        body: &Map<String, Value>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let now = ctx.now;
        let mut errors = Map::new();
        let target = body.get("target_hostname_or_uuid").and_then(Value::as_str);
        let target_disk = body.get("target_disk_id").and_then(crate::util::as_uint);
        if target.is_none() {
            errors.insert(
                "target_hostname_or_uuid".into(),
                json!(["This field is required."]),
            );
        }
        if target_disk.is_none() {
            errors.insert("target_disk_id".into(), json!(["This field is required."]));
        }
        let (Some(target), Some(target_disk)) = (target, target_disk) else {
            return self.failure(errors);
        };
        let force = body
            .get("force")
            .and_then(crate::util::as_bool)
            .unwrap_or(true);
        if self.point_status(pi, now) != 1 {
            return detail(417, "VM backup status is not OK");
        }
        let Some(ti_vm) = self.find_vm(target, caller) else {
            return detail(404, "VM not found");
        };
        let disks = &self.vms[ti_vm].disks;
        if target_disk < 1 || target_disk as usize > disks.len() {
            return detail(400, "Invalid disk_id");
        }
        let disk = target_disk as u32;
        if disks[disk as usize - 1].size != self.points[pi].disk_size {
            return detail(428, "Disk size mismatch");
        }
        let has_snapshots = self
            .points
            .iter()
            .any(|p| p.vm == ti_vm && !p.backup && !p.gone && p.disk_id == disk);
        if !force && has_snapshots {
            return detail(417, "VM has snapshots");
        }
        if self.vms[ti_vm].status != "stopped" {
            return detail(423, "VM is not stopped");
        }
        if self.pending_tasks(ti_vm, now) {
            return detail(409, "VM has pending tasks");
        }
        let ti = self.point_task(ti_vm, Kind::BackupRestore, vec![pi], caller, ctx, 120_000);
        self.tasks[ti].force = force;
        self.tasks[ti].disk = disk;
        self.set_not_ready(ti_vm, now);
        self.pending_response(ti)
    }
}
