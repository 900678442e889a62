//! cloudsfor VM lifecycle: `GET /vms`, `GET /vms/{id}`, `POST /vms` (create), `DELETE /vms/{id}`.
//!
//! * Create: `{"name", "region", "image", "size", "ssh_keys"?, "backups"?}`, each value from a
//!   catalogue ([`super::catalogue`]) → `202 {"vm": Vm (status "new", locked), "links":
//!   {"actions": [{"id": <vm id>, "rel": "create", "href"}]}}`. The VM is listed at once; its
//!   `create` action (~100 s median, ×0.6–1.6) ends `completed` with the VM `running`, unlocked
//!   and with addresses, or `errored` (at `failure_rate`) with the VM left `new`, unlocked, without
//!   addresses, refusing every action: it can only be deleted. Refusals: `422` with a message for
//!   an unknown region, size (or one not `available`, or not in that region), image or SSH key,
//!   a bad name, and when the account already holds `vm_limit` VMs.
//! * Delete: `204`, no body; the VM is gone at once (`404`, not listed, a repeated DELETE
//!   answers `404`); `422` while an action runs on it (it is locked). A delete starts no action.

use serde_json::{json, Map, Value};

use super::{
    catalogue, not_found, paging, private_v4, unprocessable, valid_hostname, Cloudsfor, Image,
    Kind, Params, Phase, Vm, PREFIX,
};
use crate::truth::{Completion, VmFact, VmState};
use crate::util::{empty_response, json_response, window, Ctx};
use crate::Response;

/// What a valid create body asks for.
struct Spec {
    name: String,
    region: usize,
    size: usize,
    image: usize,
    backups: bool,
}

fn create_spec(keys: &[catalogue::Key], body: &Map<String, Value>) -> Result<Spec, Response> {
    let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if valid_hostname(n) => n.to_string(),
        Some(_) => return Err(unprocessable(
            "name must be 1-63 characters: letters, digits, '-' and '.', not starting or ending with '-'",
        )),
        None => return Err(unprocessable("name is required")),
    };
    let names: Vec<&str> = catalogue::REGIONS.iter().map(|r| r.0).collect();
    let region = match body.get("region").and_then(Value::as_str) {
        Some(r) => names.iter().position(|n| *n == r).ok_or_else(|| {
            unprocessable(&format!(
                "region '{r}' is not valid; must be one of: {}",
                names.join(", ")
            ))
        })?,
        None => return Err(unprocessable("region is required")),
    };
    let size = match body.get("size").and_then(Value::as_str) {
        Some(slug) => {
            let i = catalogue::SIZES
                .iter()
                .position(|s| s.slug == slug)
                .ok_or_else(|| unprocessable(&format!("size '{slug}' is not a valid size")))?;
            let s = &catalogue::SIZES[i];
            if !s.available || !s.regions.contains(&region) {
                return Err(unprocessable(&format!(
                    "size '{slug}' is not available in region '{}'",
                    names[region]
                )));
            }
            i
        }
        None => return Err(unprocessable("size is required")),
    };
    let image = match body.get("image").filter(|v| !v.is_null()) {
        Some(v) => catalogue::find_image(v)
            .ok_or_else(|| unprocessable(&format!("image {v} is not a valid image")))?,
        None => return Err(unprocessable("image is required")),
    };
    match body.get("ssh_keys") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for k in list {
                let known = keys.iter().any(|key| {
                    crate::util::as_uint(k) == Some(key.id) || k.as_str() == Some(&key.fingerprint)
                });
                if !known {
                    return Err(unprocessable(&format!("ssh key {k} does not exist")));
                }
            }
        }
        Some(_) => return Err(unprocessable("ssh_keys must be a list of key ids")),
    }
    let backups = match body.get("backups") {
        None | Some(Value::Null) => false,
        Some(v) => {
            crate::util::as_bool(v).ok_or_else(|| unprocessable("backups must be true or false"))?
        }
    };
    Ok(Spec {
        name,
        region,
        size,
        image,
        backups,
    })
}

impl Cloudsfor {
    pub(super) fn list_vms(&self, ai: usize, ctx: &Ctx) -> Response {
        let (page, per_page) = match paging(ctx) {
            Ok(p) => p,
            Err(r) => return r,
        };
        let listed = self.accounts[ai].listed();
        let total = listed.len();
        let (s, e) = window(total, page, per_page);
        let vms: Vec<Value> = listed[s..e]
            .iter()
            .map(|&i| self.vm_json(ai, i, ctx.now))
            .collect();
        let body = json!({"vms": vms, "links": super::links(ctx, "/vms", page, per_page, total), "meta": {"total": total}});
        json_response(200, &body)
    }

    pub(super) fn get_vm(&self, ai: usize, vi: usize, now: u64) -> Response {
        json_response(200, &json!({"vm": self.vm_json(ai, vi, now)}))
    }

    pub(super) fn create(&mut self, ai: usize, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return unprocessable("request body must be a JSON object"),
            Err(e) => return unprocessable(&format!("request body is not valid JSON: {e}")),
        };
        let spec = match create_spec(&self.accounts[ai].keys, &body) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let acc = &self.accounts[ai];
        if acc.listed().len() >= acc.vm_limit as usize {
            return unprocessable(&format!(
                "creating this VM would exceed your VM limit of {}",
                acc.vm_limit
            ));
        }
        let size = &catalogue::SIZES[spec.size];
        let mut features = vec!["private_networking"];
        if spec.backups {
            features.insert(0, "backups");
        }
        let vm = Vm {
            id: self.ids.hex(32),
            name: spec.name,
            memory: size.memory,
            vcpus: size.vcpus,
            disk: size.disk,
            running: false,
            created_ms: ctx.now / 1000 * 1000,
            backup_ids: Vec::new(),
            snapshot_ids: Vec::new(),
            image: Image::Catalogue(spec.image),
            features,
            region: spec.region,
            addr: self.next_addr,
            phase: Phase::New,
            restored_from: None,
        };
        self.next_addr += 1;
        self.accounts[ai].vms.push(vm);
        let vi = self.accounts[ai].vms.len() - 1;
        self.start_action(ai, vi, Kind::Create, Params::None, ctx.now);
        let id = self.accounts[ai].vms[vi].id.clone();
        let href = format!("{}{PREFIX}/vms/{id}/actions", ctx.origin);
        json_response(
            202,
            &json!({
                "vm": self.vm_json(ai, vi, ctx.now),
                "links": {"actions": [{"id": id, "rel": "create", "href": href}]},
            }),
        )
    }

    pub(super) fn delete(&mut self, ai: usize, vi: usize, now: u64) -> Response {
        let acc = &mut self.accounts[ai];
        if super::locked(acc, vi, now) {
            return unprocessable(&format!(
                "VM {} is locked: an action is in progress; wait for it to complete",
                acc.vms[vi].id
            ));
        }
        let vm = &mut acc.vms[vi];
        if vm.phase == Phase::Gone {
            return not_found();
        }
        vm.phase = Phase::Gone;
        vm.running = false;
        self.env.log.record(Completion {
            dialect: "cloudsfor",
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            action: "delete",
            accepted_at_ms: now,
            finished_at_ms: Some(now),
            succeeded: true,
            task_status: "completed",
            visible: true,
        });
        empty_response(204)
    }

    pub(super) fn vm_facts(&self, _now: u64) -> Vec<VmFact> {
        let mut out = Vec::new();
        for acc in &self.accounts {
            for vm in &acc.vms {
                let state = match (vm.phase, vm.running) {
                    (Phase::New, _) => VmState::Creating,
                    (Phase::Failed, _) => VmState::Failed,
                    (Phase::Gone, _) => VmState::Gone,
                    (Phase::Active, true) => VmState::Running,
                    (Phase::Active, false) => VmState::Stopped,
                };
                let mut addresses = Vec::new();
                if vm.phase == Phase::Active {
                    addresses.push(self.pool.public_v4(vm.addr));
                    addresses.push(private_v4(vm));
                    if vm.features.contains(&"ipv6") {
                        addresses.push(self.pool.v6(vm.addr));
                    }
                }
                out.push(VmFact {
                    dialect: "cloudsfor",
                    vm_id: vm.id.clone(),
                    vm_name: vm.name.clone(),
                    state,
                    addresses,
                });
            }
        }
        out
    }
}
