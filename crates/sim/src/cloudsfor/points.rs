//! cloudsfor snapshots and backups, per the sheet's "Snapshots" and "Backups":
//!
//! * `GET /vms/{id}/snapshots` → `200 {"snapshots": [{id, name, created_at, regions,
//!   min_disk_size, size_gigabytes, type: "snapshot"}], "meta": {"total"}}`, the same ids as
//!   `Vm.snapshot_ids`; `GET /vms/{id}/backups` → `{"backups": [… type: "backup"], "meta"}`,
//!   the ids of `Vm.backup_ids`.
//! * `GET /snapshots/{id}` → `200 {"snapshot"}`; `DELETE /snapshots/{id}` → `204` at once (no
//!   action), then `404` and absent from `snapshot_ids`. A backup id → `404` on both.
//! * Created by the VM action `snapshot` (refused on demo-mode accounts); a snapshot has no
//!   state of its own: its id enters `snapshot_ids` when the action completes (the `lag` fault:
//!   that long after). Restored by `rebuild` with its id; backups by `restore` with a backup id
//!   of the VM; `enable_backups` / `disable_backups` change `Vm.features` when they complete.

use serde_json::{json, Map, Value};

use super::{catalogue, not_found, unprocessable, Cloudsfor, Vm};
use crate::truth::{PointFact, PointKind, PointState};
use crate::util::{empty_response, iso, json_response, Ctx, Rng};
use crate::Response;

/// A snapshot's or backup's own fields.
#[derive(Clone, Debug)]
pub(super) struct Stored {
    /// `(account, VM)` it belongs to.
    owner: (usize, usize),
    name: String,
    created_ms: u64,
    /// When it shows in `snapshot_ids` and the lists.
    visible_at: u64,
    size_gb: u32,
    min_disk: u32,
    backup: bool,
    gone: bool,
}

impl Stored {
    pub(super) fn new(
        owner: (usize, usize),
        name: &str,
        created_ms: u64,
        visible_at: u64,
        disk: u32,
        backup: bool,
    ) -> Stored {
        Stored {
            owner,
            name: name.to_string(),
            created_ms,
            visible_at,
            size_gb: (disk * 3 / 10).max(1),
            min_disk: disk,
            backup,
            gone: false,
        }
    }
}

impl Cloudsfor {
    /// Metadata for the seeded VMs' snapshot and backup ids, from a stream of its own.
    pub(super) fn with_seeded_points(mut self, seed: u64, now: u64) -> Cloudsfor {
        let mut rng = Rng::derive(seed, 0xC10D_5A95);
        for (ai, acc) in self.accounts.iter().enumerate() {
            for (vi, vm) in acc.vms.iter().enumerate() {
                let n = vm.backup_ids.len() as u64;
                for (k, id) in vm.backup_ids.iter().enumerate() {
                    let day = now / 86_400_000 - 7 * (n - k as u64);
                    let at = day * 86_400_000 + 2 * 3_600_000 + rng.below(3_600) * 1000;
                    let name = format!("{} {}", vm.name, &iso(at)[..10]);
                    let s = Stored::new((ai, vi), &name, at, at, vm.disk, true);
                    self.stored.insert(*id, s);
                }
                for (k, id) in vm.snapshot_ids.iter().enumerate() {
                    let at = now.saturating_sub(rng.range(2, 90) * 86_400_000) / 1000 * 1000;
                    let name = format!("{}-snapshot-{}", vm.name, k + 1);
                    let s = Stored::new((ai, vi), &name, at, at, vm.disk, false);
                    self.stored.insert(*id, s);
                }
            }
        }
        self
    }

    /// `snapshot_ids` as the API shows them at `now`: taken, shown, not deleted.
    pub(super) fn shown_snapshot_ids(&self, vm: &Vm, now: u64) -> Vec<u64> {
        vm.snapshot_ids
            .iter()
            .copied()
            .filter(|id| {
                self.stored
                    .get(id)
                    .is_none_or(|s| !s.gone && s.visible_at <= now)
            })
            .collect()
    }

    fn point_json(&self, ai: usize, id: u64) -> Value {
        let s = &self.stored[&id];
        let vm = &self.accounts[ai].vms[s.owner.1];
        json!({
            "id": id,
            "name": s.name,
            "created_at": iso(s.created_ms),
            "regions": [catalogue::region(vm.region).0],
            "min_disk_size": s.min_disk,
            "size_gigabytes": s.size_gb,
            "type": if s.backup { "backup" } else { "snapshot" },
        })
    }

    /// `/vms/{id}/snapshots`, `/vms/{id}/backups`, `/snapshots/{id}`; `None` for another path.
    pub(super) fn points_route(&mut self, ai: usize, ctx: &Ctx) -> Option<(String, Response)> {
        let m = ctx.method.as_str();
        let now = ctx.now;
        if ctx.matches(&["vms", "*", "snapshots"]) || ctx.matches(&["vms", "*", "backups"]) {
            let what = ctx.seg(2).to_string();
            let label = format!("GET /vms/{{id}}/{what}");
            if m != "GET" {
                return Some((label, super::method_not_allowed()));
            }
            let Some(vi) = self.accounts[ai].find(ctx.seg(1)) else {
                return Some((label, not_found()));
            };
            let vm = &self.accounts[ai].vms[vi];
            let ids = if what == "snapshots" {
                self.shown_snapshot_ids(vm, now)
            } else {
                vm.backup_ids.clone()
            };
            let list: Vec<Value> = ids
                .into_iter()
                .filter(|id| self.stored.contains_key(id))
                .map(|id| self.point_json(ai, id))
                .collect();
            let total = list.len();
            let mut body = Map::new();
            body.insert(what, Value::Array(list));
            body.insert("meta".into(), json!({ "total": total }));
            return Some((label, json_response(200, &Value::Object(body))));
        }
        if !ctx.matches(&["snapshots", "*"]) {
            return None;
        }
        let label = format!("{m} /snapshots/{{id}}");
        let id = ctx.seg(1).parse::<u64>().ok();
        let found = id.filter(|id| {
            self.stored
                .get(id)
                .is_some_and(|s| s.owner.0 == ai && !s.backup && !s.gone && s.visible_at <= now)
        });
        let Some(id) = found else {
            return Some((label, not_found()));
        };
        let resp = match m {
            "GET" => json_response(200, &json!({"snapshot": self.point_json(ai, id)})),
            "DELETE" => self.delete_snapshot(ai, id, now),
            _ => super::method_not_allowed(),
        };
        Some((label, resp))
    }

    fn delete_snapshot(&mut self, ai: usize, id: u64, now: u64) -> Response {
        let s = self.stored.get_mut(&id).expect("found");
        let vm = &self.accounts[ai].vms[s.owner.1];
        let rebuilding = self.accounts[ai].actions.iter().any(|a| {
            a.vm == s.owner.1
                && now < a.ends
                && matches!(a.params, super::Params::Rebuild(super::Image::Snapshot(x, _)) if x == id)
        });
        if rebuilding {
            return unprocessable("The snapshot is in use by a rebuild in progress");
        }
        s.gone = true;
        self.env.log.record(crate::truth::Completion {
            dialect: "cloudsfor",
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            action: "snapshot_delete",
            accepted_at_ms: now,
            finished_at_ms: Some(now),
            succeeded: true,
            task_status: "completed",
            visible: true,
        });
        empty_response(204)
    }

    /// `restore`'s `image`: a backup id of this VM.
    pub(super) fn restore_backup(
        &self,
        vm: &Vm,
        body: &Map<String, Value>,
    ) -> Result<u64, Response> {
        match body.get("image").and_then(crate::util::as_uint) {
            Some(id) if vm.backup_ids.contains(&id) => Ok(id),
            Some(id) => Err(unprocessable(&format!(
                "image {id} is not a backup of this VM"
            ))),
            None => Err(unprocessable("image is required: a backup id of this VM")),
        }
    }

    /// The ground truth of VM `vm`'s snapshots and backups.
    pub(super) fn point_facts(&self, vm: &str, now: u64) -> Vec<PointFact> {
        let Some((ai, vi)) = self
            .accounts
            .iter()
            .enumerate()
            .find_map(|(ai, a)| a.vms.iter().position(|v| v.id == vm).map(|vi| (ai, vi)))
        else {
            return Vec::new();
        };
        let v = &self.accounts[ai].vms[vi];
        let mut out: Vec<(u64, PointFact)> = self
            .stored
            .iter()
            .filter(|(_, s)| s.owner == (ai, vi))
            .map(|(id, s)| {
                let state = if s.gone {
                    PointState::Gone
                } else if now < s.visible_at {
                    PointState::Creating
                } else {
                    PointState::Ready
                };
                let fact = PointFact {
                    dialect: "cloudsfor",
                    vm_id: v.id.clone(),
                    kind: if s.backup {
                        PointKind::Backup
                    } else {
                        PointKind::Snapshot
                    },
                    id: id.to_string(),
                    name: s.name.clone(),
                    state,
                    ready_at_ms: Some(s.visible_at),
                };
                (s.created_ms, fact)
            })
            .collect();
        out.sort_by_key(|(t, f)| (*t, f.id.clone()));
        out.into_iter().map(|(_, f)| f).collect()
    }
}
