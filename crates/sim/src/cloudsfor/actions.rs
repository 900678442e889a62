//! cloudsfor actions: `POST /vms/{id}/actions`, their lists, and applying them when they end.

use serde_json::{json, Map, Value};

use super::{
    action_json, catalogue, locked, paging, points, status_of, unprocessable, valid_hostname,
    Action, Cloudsfor, Image, Kind, Outcome, Params, Phase, MAX_ACTIONS_KEPT,
    SHUTDOWN_IGNORED_RATE,
};
use crate::truth::{finish_at, Completion};
use crate::util::{iso, json_response, window, Ctx};
use crate::Response;

/// A positive whole number within `1..=max`.
fn quantity(v: &Value, what: &str, max: u64) -> Result<u32, Response> {
    match crate::util::as_uint(v) {
        Some(n) if n >= 1 && n <= max => Ok(n as u32),
        _ => Err(unprocessable(&format!(
            "{what} must be a whole number between 1 and {max}"
        ))),
    }
}

/// `(vcpus, memory, disk)` of a resize body: `data {cpu, ram, disk}` or `resource` + `size`.
type Sizes = (Option<u32>, Option<u32>, Option<u32>);

fn resize_data(data: &Value) -> Result<Sizes, Response> {
    let Some(d) = data.as_object() else {
        return Err(unprocessable("data must be an object {cpu, ram, disk}"));
    };
    let get = |k: &str, max| d.get(k).map(|v| quantity(v, k, max)).transpose();
    let (cpu, ram, disk) = (get("cpu", 32)?, get("ram", 256)?, get("disk", 4000)?);
    if cpu.is_none() && ram.is_none() && disk.is_none() {
        return Err(unprocessable(
            "data must contain at least one of cpu, ram, disk",
        ));
    }
    Ok((cpu, ram, disk))
}

fn resize_resource(body: &Map<String, Value>) -> Result<Sizes, Response> {
    let resource = match body.get("resource").and_then(Value::as_str) {
        Some(r @ ("ram" | "disk" | "cpu")) => r,
        Some(r) => {
            return Err(unprocessable(&format!(
                "resource '{r}' is not valid; must be ram, disk or cpu"
            )))
        }
        None => {
            return Err(unprocessable(
                "resize needs resource (ram, disk or cpu) and size, or data {cpu, ram, disk}",
            ))
        }
    };
    let Some(size) = body.get("size") else {
        return Err(unprocessable("size is required"));
    };
    let max = match resource {
        "cpu" => 32,
        "ram" => 256,
        _ => 4000,
    };
    let n = quantity(size, "size", max)?;
    Ok(match resource {
        "cpu" => (Some(n), None, None),
        "ram" => (None, Some(n), None),
        _ => (None, None, Some(n)),
    })
}

impl Cloudsfor {
    pub(super) fn apply_due(&mut self, now: u64) {
        let mut joins = Vec::new();
        for (ai, acc) in self.accounts.iter_mut().enumerate() {
            let mut due: Vec<usize> = (0..acc.actions.len())
                .filter(|&i| !acc.actions[i].applied && acc.actions[i].ends <= now)
                .collect();
            due.sort_by_key(|&i| (acc.actions[i].ends, acc.actions[i].seq));
            for i in due {
                let a = acc.actions[i].clone();
                acc.actions[i].applied = true;
                let vm = &mut acc.vms[a.vm];
                if a.kind == Kind::Create {
                    vm.phase = match a.outcome {
                        Outcome::Errored => Phase::Failed,
                        _ => Phase::Active,
                    };
                    vm.running = a.outcome != Outcome::Errored;
                    continue;
                }
                if a.outcome != Outcome::Completed {
                    continue;
                }
                match (a.kind, &a.params) {
                    (Kind::Reboot | Kind::PowerCycle | Kind::PowerOn, _) => vm.running = true,
                    (Kind::Shutdown | Kind::PowerOff, _) => vm.running = false,
                    (
                        Kind::Resize,
                        Params::Resize {
                            vcpus,
                            memory,
                            disk,
                        },
                    ) => {
                        vm.vcpus = vcpus.unwrap_or(vm.vcpus);
                        vm.memory = memory.unwrap_or(vm.memory);
                        vm.disk = disk.unwrap_or(vm.disk);
                    }
                    (Kind::Rename, Params::Rename(n)) => vm.name = n.clone(),
                    (Kind::Snapshot, Params::Snapshot(name)) => {
                        self.next_image_id += 1;
                        let id = self.next_image_id;
                        vm.snapshot_ids.push(id);
                        let visible_at = a.ends.saturating_add(self.env.lag_ms);
                        let stored = points::Stored::new(
                            (ai, a.vm),
                            name,
                            a.ends,
                            visible_at,
                            vm.disk,
                            false,
                        );
                        self.stored.insert(id, stored);
                    }
                    (Kind::Rebuild, Params::Rebuild(image)) => {
                        vm.image = *image;
                        vm.running = true;
                        if let Image::Snapshot(id, _) = image {
                            vm.restored_from = Some(*id);
                        }
                    }
                    (Kind::Restore, Params::Restore(id)) => vm.restored_from = Some(*id),
                    (Kind::EnableBackups, _) if !vm.features.contains(&"backups") => {
                        vm.features.insert(0, "backups")
                    }
                    (Kind::DisableBackups, _) => vm.features.retain(|f| *f != "backups"),
                    (Kind::AttachNetwork | Kind::DetachNetwork, Params::Network(id)) => {
                        let at = a.ends.saturating_add(self.env.lag_ms);
                        joins.push((ai, vm.id.clone(), a.kind, id.clone(), at));
                    }
                    _ => {}
                }
            }
            if acc.actions.len() > MAX_ACTIONS_KEPT {
                let excess = acc.actions.len() - MAX_ACTIONS_KEPT;
                let mut removed = 0;
                acc.actions.retain(|a| {
                    if removed < excess && a.applied {
                        removed += 1;
                        false
                    } else {
                        true
                    }
                });
            }
        }
        for (ai, vm, kind, id, at) in joins {
            self.apply_network(ai, &vm, kind, &id, at);
        }
    }

    /// Validate and start an action: `201 {"action"}` or the refusal.
    pub(super) fn post_action(&mut self, ai: usize, vi: usize, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return unprocessable("request body must be a JSON object with a \"type\""),
            Err(e) => return unprocessable(&format!("request body is not valid JSON: {e}")),
        };
        let kind = match body.get("type") {
            Some(Value::String(t)) => match Kind::parse(t) {
                Some(k) => k,
                None => {
                    return unprocessable(&format!(
                        "'{t}' is not a valid action type; expected one of: {}",
                        Kind::ALL.map(Kind::as_str).join(", ")
                    ))
                }
            },
            _ => return unprocessable("type is required"),
        };
        let params = match self.params(ai, vi, kind, &body, ctx.now) {
            Ok(p) => p,
            Err(r) => return r,
        };
        let a = self.start_action(ai, vi, kind, params, ctx.now);
        let acc = &self.accounts[ai];
        json_response(
            201,
            &json!({"action": action_json(acc, &acc.actions[a], ctx.now)}),
        )
    }

    /// The action's parameters, or why the VM in its state refuses it.
    fn params(
        &self,
        ai: usize,
        vi: usize,
        kind: Kind,
        body: &Map<String, Value>,
        now: u64,
    ) -> Result<Params, Response> {
        let acc = &self.accounts[ai];
        let vm = &acc.vms[vi];
        if locked(acc, vi, now) {
            return Err(unprocessable(&format!(
                "VM {} is locked: another action is in progress; wait for it to complete",
                vm.id
            )));
        }
        if vm.phase == Phase::Failed {
            return Err(unprocessable(
                "VM was not created (its create action errored); it can only be destroyed",
            ));
        }
        Ok(match kind {
            Kind::PowerOn if vm.running => return Err(unprocessable("VM is already powered on")),
            Kind::PowerOff | Kind::Shutdown if !vm.running => {
                return Err(unprocessable("VM is already powered off"))
            }
            Kind::Reboot if !vm.running => {
                return Err(unprocessable("VM is powered off; use power_on to start it"))
            }
            Kind::Resize => {
                let (vcpus, memory, disk) = match body.get("data") {
                    Some(data) => resize_data(data)?,
                    None => resize_resource(body)?,
                };
                if disk.is_some_and(|d| d < vm.disk) {
                    return Err(unprocessable(&format!(
                        "disk can only be increased (currently {} GB)",
                        vm.disk
                    )));
                }
                if vm.running {
                    return Err(unprocessable("VM must be powered off prior to resizing"));
                }
                Params::Resize { vcpus, memory, disk }
            }
            Kind::Rename => match body.get("name").and_then(Value::as_str) {
                Some(n) if valid_hostname(n.trim()) => Params::Rename(n.trim().to_string()),
                Some(_) => return Err(unprocessable(
                    "name must be 1-63 characters: letters, digits, '-' and '.', not starting or ending with '-'",
                )),
                None => return Err(unprocessable("name is required")),
            },
            Kind::Snapshot => self.snapshot_params(ai, vi, body, now)?,
            Kind::Rebuild => Params::Rebuild(self.rebuild_image(vm, body, now)?),
            Kind::Restore => Params::Restore(self.restore_backup(vm, body)?),
            Kind::EnableBackups if vm.features.contains(&"backups") => {
                return Err(unprocessable("Backups are already enabled for this VM"))
            }
            Kind::DisableBackups if !vm.features.contains(&"backups") => {
                return Err(unprocessable("Backups are not enabled for this VM"))
            }
            Kind::AttachNetwork | Kind::DetachNetwork => {
                self.network_params(ai, vm, kind, body)?
            }
            _ => Params::None,
        })
    }

    fn snapshot_params(
        &self,
        ai: usize,
        vi: usize,
        body: &Map<String, Value>,
        now: u64,
    ) -> Result<Params, Response> {
        let acc = &self.accounts[ai];
        if acc.demo_mode {
            return Err(unprocessable(
                "Snapshots are not available in demo mode for this account",
            ));
        }
        match body.get("name") {
            None | Some(Value::Null) => Ok(Params::Snapshot(format!(
                "{}-{}",
                acc.vms[vi].name,
                iso(now)
            ))),
            Some(Value::String(n)) if !n.trim().is_empty() && n.len() <= 255 => {
                Ok(Params::Snapshot(n.trim().to_string()))
            }
            Some(_) => Err(unprocessable("name must be a non-empty string")),
        }
    }

    /// `rebuild`'s `image`: a catalogue image (distro or id) or one of this VM's snapshot ids.
    fn rebuild_image(
        &self,
        vm: &super::Vm,
        body: &Map<String, Value>,
        now: u64,
    ) -> Result<Image, Response> {
        let Some(v) = body.get("image").filter(|v| !v.is_null()) else {
            return Err(unprocessable(
                "image is required: a distribution image (distro or id) or a snapshot id of this VM",
            ));
        };
        if let Some(i) = catalogue::find_image(v) {
            return Ok(Image::Catalogue(i));
        }
        let base = match vm.image {
            Image::Catalogue(i) | Image::Snapshot(_, i) => i,
        };
        match crate::util::as_uint(v) {
            Some(id) if self.shown_snapshot_ids(vm, now).contains(&id) => {
                Ok(Image::Snapshot(id, base))
            }
            _ => Err(unprocessable(&format!(
                "image {v} is neither a distribution image nor a snapshot of this VM"
            ))),
        }
    }

    /// Plan an accepted action (duration, outcome) and log it; returns its index.
    pub(super) fn start_action(
        &mut self,
        ai: usize,
        vi: usize,
        kind: Kind,
        params: Params,
        now: u64,
    ) -> usize {
        let dur = self.env.duration(kind.median_ms());
        let outcome = if self.env.fails() {
            Outcome::Errored
        } else if kind == Kind::Shutdown && self.env.rng.chance(SHUTDOWN_IGNORED_RATE) {
            Outcome::Ignored
        } else {
            Outcome::Completed
        };
        let ends = if self.env.stuck() {
            crate::util::NEVER
        } else {
            now + dur
        };
        let vm = &self.accounts[ai].vms[vi];
        // A snapshot is over once its id is in `snapshot_ids`, a join once the VM's
        // `networks.v4` shows it (the lag fault: later).
        let finished = match kind {
            Kind::Snapshot | Kind::AttachNetwork | Kind::DetachNetwork
                if ends != crate::util::NEVER && outcome == Outcome::Completed =>
            {
                ends.saturating_add(self.env.lag_ms)
            }
            _ => ends,
        };
        self.env.log.record(Completion {
            dialect: "cloudsfor",
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            action: kind.as_str(),
            accepted_at_ms: now,
            finished_at_ms: finish_at(finished),
            succeeded: outcome == Outcome::Completed,
            task_status: if outcome == Outcome::Errored {
                "errored"
            } else {
                "completed"
            },
            visible: true,
        });
        self.seq += 1;
        let acc = &mut self.accounts[ai];
        acc.actions.push(Action {
            seq: self.seq,
            vm: vi,
            kind,
            params,
            started: now,
            ends,
            outcome,
            applied: false,
        });
        acc.actions.len() - 1
    }

    pub(super) fn list_actions(
        &self,
        ai: usize,
        vm: Option<usize>,
        ctx: &Ctx,
        path: &str,
    ) -> Response {
        let now = ctx.now;
        let acc = &self.accounts[ai];
        let (page, per_page) = match paging(ctx) {
            Ok(p) => p,
            Err(r) => return r,
        };
        let status = ctx.q("status").filter(|s| !s.is_empty());
        if let Some(s) = status {
            if !["in-progress", "completed", "errored"].contains(&s) {
                return unprocessable(&format!(
                    "status '{s}' is not valid; must be in-progress, completed or errored"
                ));
            }
        }
        let mut list: Vec<&Action> = acc
            .actions
            .iter()
            .filter(|a| vm.is_none_or(|v| a.vm == v))
            .filter(|a| status.is_none_or(|s| status_of(a, now) == s))
            .collect();
        list.sort_by_key(|a| std::cmp::Reverse((a.started, a.seq)));
        let total = list.len();
        let (s, e) = window(total, page, per_page);
        let actions: Vec<Value> = list[s..e]
            .iter()
            .map(|a| action_json(acc, a, now))
            .collect();
        json_response(
            200,
            &json!({"actions": actions, "links": super::links(ctx, path, page, per_page, total), "meta": {"total": total}}),
        )
    }
}
