//! Erigones snapshot and backup deletes, what a finished snapshot or backup task does, and the
//! ground truth of the points (see [`super::points`] for the routes and their answers).

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::catalogue::IMAGES;
use super::points::noun;
use super::{detail, Erigones, Kind, Task};
use crate::truth::{finish_at, PointFact, PointKind, PointState};
use crate::util::{Ctx, NEVER};
use crate::Response;

impl Erigones {
    /// `DELETE /vm/{host}/snapshot/{snapname}/`.
    pub(super) fn delete_snapshot(
        &mut self,
        vi: usize,
        name: &str,
        body: &Map<String, Value>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let disk = match self.disk_of(vi, body, "disk_id") {
            Ok(d) => d,
            Err(r) => return r,
        };
        let Some(pi) = self.find_point(vi, false, name, disk) else {
            return detail(404, "Snapshot not found");
        };
        if let Err(r) = self.check_vm(vi, caller) {
            return r;
        }
        self.delete_points(vi, false, vec![pi], caller, ctx)
    }

    /// Deletes points `pis` of VM `vi`: lost ones at once, the rest (all ok) in one task.
    pub(super) fn delete_points(
        &mut self,
        vi: usize,
        backup: bool,
        pis: Vec<usize>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let now = ctx.now;
        let (lost, rest): (Vec<usize>, Vec<usize>) =
            pis.into_iter().partition(|&pi| self.points[pi].lost);
        if lost.is_empty() && rest.iter().any(|&pi| self.point_status(pi, now) != 1) {
            let what = if backup { "VM backup" } else { "VM snapshot" };
            return detail(417, &format!("{what} status is not OK"));
        }
        let rest: Vec<usize> = rest
            .into_iter()
            .filter(|&pi| self.point_status(pi, now) == 1)
            .collect();
        let disk = self.points[lost.first().or(rest.first()).copied().unwrap_or(0)].disk_id;
        if !rest.is_empty() && self.points_locked(vi, backup, disk, now) {
            return self.lock_failure();
        }
        let action = if backup {
            "backup/delete"
        } else {
            "snapshot/delete"
        };
        for &pi in &lost {
            self.points[pi].gone = true;
        }
        if rest.is_empty() {
            self.record(vi, action, now);
            let msg = format!(
                "{}{} successfully deleted from DB",
                noun(backup),
                if lost.len() > 1 { "s" } else { "" }
            );
            return self.envelope(200, "SUCCESS", json!({ "message": msg }));
        }
        let kind = if backup {
            Kind::BackupDelete
        } else {
            Kind::SnapDelete
        };
        let median = if backup { 10_000 } else { 5_000 };
        let ti = self.point_task(vi, kind, rest, caller, ctx, median);
        self.pending_response(ti)
    }

    /// `DELETE /vm/{host}/snapshot/ {snapnames}` or `…/backup/ {bkpnames}`.
    pub(super) fn bulk_delete(
        &mut self,
        vi: usize,
        backup: bool,
        body: &Map<String, Value>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let key = if backup { "bkpnames" } else { "snapnames" };
        let names: Option<Vec<&str>> = body
            .get(key)
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .and_then(|a| a.iter().map(Value::as_str).collect());
        let Some(names) = names else {
            let mut errors = Map::new();
            errors.insert(key.into(), json!(["This field is required."]));
            return self.failure(errors);
        };
        let disk = match self.disk_of(vi, body, "disk_id") {
            Ok(d) => d,
            Err(r) => return r,
        };
        let mut pis = Vec::new();
        for n in names {
            match self.find_point(vi, backup, n, disk) {
                Some(pi) if !pis.contains(&pi) => pis.push(pi),
                Some(_) => {}
                None => return detail(404, &format!("{} not found", noun(backup))),
            }
        }
        if let Err(r) = self.check_vm(vi, caller) {
            return r;
        }
        self.delete_points(vi, backup, pis, caller, ctx)
    }

    /// What a successful snapshot or backup task does, and its `result`.
    pub(super) fn points_done(&mut self, t: &Task) -> Value {
        let vi = t.vm;
        let first = t.points.first().copied();
        let name = first
            .map(|pi| self.points[pi].name.clone())
            .unwrap_or_default();
        let msg = match t.kind {
            Kind::SnapCreate => "Snapshot successfully created",
            Kind::SnapRollback => {
                if t.force {
                    for pi in first.map(|pi| self.newer(pi)).unwrap_or_default() {
                        self.points[pi].gone = true;
                    }
                }
                self.rewritten(t, name);
                "Snapshot successfully restored"
            }
            Kind::BackupRestore => {
                if t.force {
                    for p in self.points.iter_mut() {
                        if p.vm == vi && !p.backup && p.disk_id == t.disk {
                            p.gone = true;
                        }
                    }
                }
                self.rewritten(t, name);
                "Backup successfully restored"
            }
            Kind::BackupCreate => {
                for &pi in &t.points {
                    self.points[pi].time = t.ends.saturating_sub(t.started) / 1000;
                }
                "Backup successfully created"
            }
            _ => {
                for &pi in &t.points {
                    self.points[pi].gone = true;
                }
                if t.kind == Kind::BackupDelete {
                    "Backup successfully deleted"
                } else {
                    "Snapshot successfully deleted"
                }
            }
        };
        json!({"message": msg, "returncode": 0})
    }

    /// A rollback or restore took effect: the VM's disk is the point's, the VM stopped again.
    fn rewritten(&mut self, t: &Task, name: String) {
        let vm = &mut self.vms[t.vm];
        vm.restored_from = Some(name);
        vm.status = t.prev_status.clone();
        vm.status_change = t.ends;
    }

    /// A create that failed or was revoked: its row goes.
    pub(super) fn drop_points(&mut self, ti: usize) {
        for pi in self.tasks[ti].points.clone() {
            self.points[pi].gone = true;
            self.points[pi].ready_at = NEVER;
        }
    }

    /// An undeploy succeeded: the VM's snapshots and definitions are removed.
    pub(super) fn undeployed(&mut self, vi: usize) {
        for p in self.points.iter_mut().filter(|p| p.vm == vi && !p.backup) {
            p.gone = true;
        }
        self.defines.retain(|d| d.vm != vi);
    }

    /// The names a pending point task shows in the VM's `tasks` map.
    pub(super) fn point_apiview(&self, t: &Task, e: &mut Value) {
        let names: Vec<&str> = t
            .points
            .iter()
            .map(|&pi| self.points[pi].name.as_str())
            .collect();
        let backup = t.points.first().is_some_and(|&pi| self.points[pi].backup);
        let key = if backup { "bkpname" } else { "snapname" };
        e["disk_id"] = json!(t.points.first().map_or(1, |&pi| self.points[pi].disk_id));
        if names.len() == 1 {
            e[key] = json!(names[0]);
        } else {
            e[format!("{key}s")] = json!(names);
        }
    }

    fn vm_index(&self, vm: &str) -> Option<usize> {
        self.vms.iter().rposition(|v| v.hostname == vm)
    }

    /// The ground truth of the VM `vm`'s (hostname) snapshots and backups, oldest first.
    pub(super) fn point_facts(&self, vm: &str, now: u64) -> Vec<PointFact> {
        let Some(vi) = self.vm_index(vm) else {
            return Vec::new();
        };
        let mut out: Vec<(u64, PointFact)> = Vec::new();
        for (pi, p) in self.points.iter().enumerate().filter(|(_, p)| p.vm == vi) {
            let creating = self
                .running_on(pi, now)
                .is_some_and(|t| matches!(t.kind, Kind::SnapCreate | Kind::BackupCreate));
            let state = match self.point_status(pi, now) {
                _ if p.gone => PointState::Gone,
                4 => PointState::Failed,
                3 => PointState::Restoring,
                2 if creating || now < p.ready_at => PointState::Creating,
                2 => PointState::Deleting,
                _ => PointState::Ready,
            };
            out.push((
                p.id,
                PointFact {
                    dialect: "erigones",
                    vm_id: vm.to_string(),
                    kind: if p.backup {
                        PointKind::Backup
                    } else {
                        PointKind::Snapshot
                    },
                    id: p.name.clone(),
                    name: p.name.clone(),
                    state,
                    ready_at_ms: finish_at(p.ready_at),
                },
            ));
        }
        out.sort_by_key(|(id, _)| *id);
        out.into_iter().map(|(_, f)| f).collect()
    }

    /// The image name of disk 1 of the VM `vm` (hostname).
    pub(super) fn image_of(&self, vm: &str) -> Option<String> {
        let vm = &self.vms[self.vm_index(vm)?];
        vm.disks
            .first()
            .and_then(|d| d.image)
            .map(|i| IMAGES[i].name.to_string())
    }

    pub(super) fn restored_of(&self, vm: &str) -> Option<String> {
        self.vms[self.vm_index(vm)?].restored_from.clone()
    }

    /// Whether an active backup definition exists for the VM `vm` (hostname).
    pub(super) fn backups_on(&self, vm: &str) -> Option<bool> {
        let vi = self.vm_index(vm)?;
        Some(
            self.defines
                .iter()
                .any(|d| d.vm == vi && d.backup && d.active),
        )
    }
}
