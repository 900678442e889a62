//! ZennoHosting backups, per the sheet's "Backups" (there are no snapshots):
//!
//! * `GET /projects/{p}/vms/{id}/backups` → `200 {"items": [{id, name, status, sizeGb,
//!   createdAt}]}`, oldest first; `status` `creating` / `ready` / `restoring` / `deleting` /
//!   `failed`; deleted ones absent.
//! * `POST …/backups {"name"}` → `202 {"commandId"}`; the VM shows `operation: "backup"` (~90 s,
//!   its `state`/`bootStatus` unchanged) and the backup `creating`, then `ready` (or `failed`).
//!   `422` without a name.
//! * `POST …/backups/{b}/restore` → `202 {"commandId"}`; `operation: "restore"` (~120 s), the
//!   backup `restoring`, then `ready` again; the VM's `state`/`bootStatus` end as before (a
//!   running VM shows `stopping`, then `booting` meanwhile). `404` for a backup the VM does not
//!   have; `409 invalid_state` for one not `ready`.
//! * `DELETE …/backups/{b}` → `202 {"commandId"}`; `operation: "delete_backup"` (~15 s), the
//!   backup `deleting`, then absent (a failed delete: `ready` again).
//! * Every one answers `409 operation_in_progress` while the VM runs another operation. The
//!   `lag` fault: a backup turns `ready` that long after its operation reports `succeeded`.

use serde_json::{json, Value};

use super::{err, not_found, validation, OpKind, Vm, Zenno};
use crate::truth::{finish_at, PointFact, PointKind, PointState};
use crate::util::{iso, json_response, Ctx, Rng, NEVER};
use crate::Response;

#[derive(Clone, Debug)]
pub(super) struct Backup {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) size_gb: u32,
    pub(super) created_ms: u64,
    /// When its `backup` operation ends; failed: `failed` from then on.
    pub(super) create_ends: u64,
    pub(super) ok: bool,
    /// When it shows `ready` (its operation's end, plus the lag fault).
    pub(super) ready_at: u64,
    pub(super) gone: bool,
}

/// The backup `b` of `vm` as the API shows it at `now`.
fn status(vm: &Vm, b: usize, now: u64) -> &'static str {
    let x = &vm.backups[b];
    let op_on_it = vm
        .op
        .as_ref()
        .filter(|op| op.backup == Some(b) && now < op.ends)
        .map(|op| op.kind);
    match op_on_it {
        Some(OpKind::DeleteBackup) => "deleting",
        Some(OpKind::Restore) => "restoring",
        _ if now < x.create_ends => "creating",
        _ if !x.ok => "failed",
        _ if now < x.ready_at => "creating",
        _ => "ready",
    }
}

impl Zenno {
    fn backup_json(&self, vi: usize, b: usize, now: u64) -> Value {
        let vm = &self.vms[vi];
        let x = &vm.backups[b];
        json!({
            "id": x.id,
            "name": x.name,
            "status": status(vm, b, now),
            "sizeGb": x.size_gb,
            "createdAt": iso(x.created_ms),
        })
    }

    /// `GET …/vms/{id}/backups`.
    pub(super) fn list_backups(&self, vi: usize, now: u64) -> Response {
        let items: Vec<Value> = (0..self.vms[vi].backups.len())
            .filter(|&b| !self.vms[vi].backups[b].gone)
            .map(|b| self.backup_json(vi, b, now))
            .collect();
        json_response(200, &json!({ "items": items }))
    }

    /// `POST …/vms/{id}/backups {"name"}`.
    pub(super) fn create_backup(&mut self, vi: usize, ctx: &Ctx) -> Response {
        let name = match ctx.body_json() {
            Ok(Value::Object(b)) => b
                .get("name")
                .and_then(Value::as_str)
                .map(str::trim)
                .map(str::to_string),
            Ok(_) => None,
            Err(e) => return validation(&format!("invalid JSON: {e}")),
        };
        let Some(name) = name.filter(|n| !n.is_empty() && n.len() <= 64) else {
            return validation("name is required (1-64 characters)");
        };
        if let Some(r) = self.refuse_op(vi, ctx.now) {
            return r;
        }
        let resp = self.accept(vi, OpKind::Backup, ctx.now);
        let id = self.ids.uuid();
        let vm = &mut self.vms[vi];
        let Some(op) = vm.op.as_mut() else {
            return resp;
        };
        let ready_at = if op.ends == NEVER {
            NEVER
        } else {
            op.ends.saturating_add(self.env.lag_ms)
        };
        vm.backups.push(Backup {
            id,
            name,
            size_gb: (vm.disk_gb * 2 / 5).max(1),
            created_ms: ctx.now,
            create_ends: op.ends,
            ok: op.ok,
            ready_at,
            gone: false,
        });
        op.backup = Some(vm.backups.len() - 1);
        resp
    }

    /// `POST …/backups/{b}/restore` or `DELETE …/backups/{b}`.
    pub(super) fn backup_op(
        &mut self,
        vi: usize,
        backup: &str,
        kind: OpKind,
        ctx: &Ctx,
    ) -> Response {
        if let Err(e) = super::empty_or_object(ctx) {
            return e;
        }
        if let Some(r) = self.refuse_op(vi, ctx.now) {
            return r;
        }
        let vm = &self.vms[vi];
        let Some(b) = vm.backups.iter().position(|x| x.id == backup && !x.gone) else {
            return not_found(&format!("Backup {backup} not found"));
        };
        let st = status(vm, b, ctx.now);
        let deletable = kind == OpKind::DeleteBackup && st == "failed";
        if st != "ready" && !deletable {
            return err(
                409,
                "invalid_state",
                &format!("Backup {backup} is {st}, not ready"),
            );
        }
        let resp = self.accept(vi, kind, ctx.now);
        if let Some(op) = self.vms[vi].op.as_mut() {
            op.backup = Some(b);
        }
        resp
    }

    /// `409` while another operation runs, or for a VM whose create failed.
    fn refuse_op(&self, vi: usize, now: u64) -> Option<Response> {
        if let Some(running) = self.busy(vi, now) {
            return Some(err(
                409,
                "operation_in_progress",
                &format!(
                    "VM {} already has a '{running}' operation in progress",
                    self.vms[vi].id
                ),
            ));
        }
        self.vms[vi].create_failed.then(|| {
            err(
                409,
                "invalid_state",
                "VM was not created (its create operation failed); delete it",
            )
        })
    }

    /// The ground truth of VM `vm`'s backups.
    pub(super) fn point_facts(&self, vm: &str, now: u64) -> Vec<PointFact> {
        let Some(v) = self.vms.iter().find(|v| v.id == vm) else {
            return Vec::new();
        };
        (0..v.backups.len())
            .map(|b| {
                let x = &v.backups[b];
                let state = match status(v, b, now) {
                    _ if x.gone => PointState::Gone,
                    "creating" => PointState::Creating,
                    "restoring" => PointState::Restoring,
                    "deleting" => PointState::Deleting,
                    "failed" => PointState::Failed,
                    _ => PointState::Ready,
                };
                PointFact {
                    dialect: "zennohosting",
                    vm_id: v.id.clone(),
                    kind: PointKind::Backup,
                    id: x.id.clone(),
                    name: x.name.clone(),
                    state,
                    ready_at_ms: finish_at(x.ready_at).filter(|_| x.ok),
                }
            })
            .collect()
    }
}

/// The seeded VMs' nightly backups (about half of the VMs hold 1-3), from a stream of their
/// own so that nothing else of the world changes.
pub(super) fn seed(seed: u64, vms: &mut [Vm], now: u64) {
    let mut rng = Rng::derive(seed, 0x2E77_BAC0);
    for vm in vms.iter_mut() {
        if !rng.chance(0.5) {
            continue;
        }
        let n = rng.range(1, 3);
        for k in (1..=n).rev() {
            let at = (now / 86_400_000 - k) * 86_400_000
                + 3 * 3_600_000
                + rng.below(3_600_000) / 1000 * 1000;
            let (y, m, d, ..) = crate::util::civil(at);
            vm.backups.push(Backup {
                id: rng.uuid(),
                name: format!("nightly-{y:04}-{m:02}-{d:02}"),
                size_gb: (vm.disk_gb * 2 / 5).max(1),
                created_ms: at,
                create_ends: at + 600_000,
                ok: true,
                ready_at: at + 600_000,
                gone: false,
            });
        }
    }
}
