//! Erigones VM lifecycle: define ([`super::define`]), then deploy; undeploy, then undefine.
//!
//! * `POST /vm/{host}/ {}` (deploy) → `201 PENDING`; `deploying` at once; the task (~100 s
//!   median) ends `SUCCESS` with the VM `running`, or `FAILURE` with it `notcreated` again.
//!   Refusals in the documented order: `428` zone owner without SSH keys; `403` not an admin;
//!   `423` already created; `428` no disk; `409` pending tasks; `428` no node with room (over 64
//!   vCPUs or 256 GB); `424` an image still being imported (`freebsd-14`).
//!   `{"recreate": true, "force": true}` redeploys a `stopped` VM (owners too; `417 "Are you
//!   sure?"` without `force`).
//! * `DELETE /vm/{host}/` (undeploy) → `201 PENDING` (~30 s); `stopped-`/`frozen-` meanwhile;
//!   success → `notcreated`, failure → back. `423 "VM is not stopped"` unless stopped or frozen.
//! * `DELETE /vm/{host}/define/` → `200 SUCCESS` at once for a `notcreated` VM (`423`
//!   otherwise); then `404` and absent from every list; its addresses are free again.
//! * `GET /vm/` (hostnames; `?full=true`: the VMs), `GET /vm/{host}/` (with `ips`).
//! * Create, delete and disk/NIC definitions need an admin: `403` for a VM owner.

use serde_json::{json, Value};

use super::auth::{Caller, USERS};
use super::catalogue::{self, IMAGES, NODES};
use super::define::body_map;
use super::{detail, forbidden, Erigones, Kind};
use crate::truth::{Completion, VmFact, VmState};
use crate::util::Ctx;
use crate::Response;

impl Erigones {
    pub(super) fn pending_tasks(&self, vi: usize, now: u64) -> bool {
        self.tasks.iter().any(|t| t.vm == vi && t.pending(now))
    }

    pub(super) fn record(&mut self, vi: usize, action: &'static str, now: u64) {
        let vm = &self.vms[vi];
        self.env.log.record(Completion {
            dialect: "erigones",
            vm_id: vm.hostname.clone(),
            vm_name: vm.alias.clone(),
            action,
            accepted_at_ms: now,
            finished_at_ms: Some(now),
            succeeded: true,
            task_status: "SUCCESS",
            visible: true,
        });
    }

    /// `POST /vm/{host}/`: deploy a `notcreated` VM, or `{recreate, force}` a stopped one.
    pub(super) fn deploy(&mut self, vi: usize, caller: Caller, ctx: &Ctx) -> Response {
        let body = match body_map(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let flag = |k: &str| body.get(k).and_then(crate::util::as_bool).unwrap_or(false);
        let vm = &self.vms[vi];
        if vm.ostype >= 5 && !USERS[vm.owner].ssh_keys {
            return detail(428, "VM owner has no SSH keys available");
        }
        let kind = if flag("recreate") {
            if vm.status != "stopped" {
                return detail(423, "VM is not stopped");
            }
            if !flag("force") {
                return detail(417, "Are you sure?");
            }
            Kind::Recreate
        } else if vm.status == "notcreated" {
            if !caller.admin() {
                return forbidden();
            }
            Kind::Deploy
        } else {
            return detail(423, "VM is already created");
        };
        if let Err(r) = self.deployable(vi, ctx.now) {
            return r;
        }
        let dur = self.env.duration(100_000);
        let ti = self.new_task(vi, kind, "POST", caller.user, ctx.now, dur);
        self.log_task(ti);
        let vm = &mut self.vms[vi];
        vm.node = Some(vm.node.unwrap_or(vi % NODES.len()));
        vm.status = "deploying".into();
        vm.status_change = ctx.now;
        self.pending_response(ti)
    }

    /// The documented `428` / `409` / `424` of a deploy.
    fn deployable(&self, vi: usize, now: u64) -> Result<(), Response> {
        let vm = &self.vms[vi];
        if vm.disks.is_empty() {
            return Err(detail(428, "VM has no bootable disk"));
        }
        if self.pending_tasks(vi, now) {
            return Err(detail(409, "VM has pending tasks"));
        }
        if vm.vcpus > catalogue::NODE_MAX_VCPUS || vm.ram > catalogue::NODE_MAX_RAM_MB {
            return Err(detail(428, "Could not find node with free resources"));
        }
        if vm
            .disks
            .iter()
            .any(|d| d.image.is_some_and(|i| !IMAGES[i].ready))
        {
            return Err(detail(424, "Cannot import required image"));
        }
        Ok(())
    }

    /// `DELETE /vm/{host}/`.
    pub(super) fn undeploy(&mut self, vi: usize, caller: Caller, now: u64) -> Response {
        if !caller.admin() {
            return forbidden();
        }
        let status = self.vms[vi].status.clone();
        if status != "stopped" && status != "frozen" {
            return detail(423, "VM is not stopped");
        }
        if self.pending_tasks(vi, now) {
            return detail(409, "VM has pending tasks");
        }
        let dur = self.env.duration(30_000);
        let ti = self.new_task(vi, Kind::Undeploy, "DELETE", caller.user, now, dur);
        self.log_task(ti);
        let vm = &mut self.vms[vi];
        vm.status = format!("{status}-");
        vm.status_change = now;
        self.pending_response(ti)
    }

    /// `DELETE /vm/{host}/define/`.
    pub(super) fn undefine(&mut self, vi: usize, caller: Caller, now: u64) -> Response {
        if !caller.admin() {
            return forbidden();
        }
        if self.vms[vi].status != "notcreated" {
            return detail(423, "VM is not notcreated");
        }
        if self.pending_tasks(vi, now) {
            return detail(409, "VM has pending tasks");
        }
        let vm = &mut self.vms[vi];
        vm.gone = true;
        for nic in &vm.nics {
            self.used.remove(&nic.ip);
        }
        self.record(vi, "undefine", now);
        self.envelope(200, "SUCCESS", Value::Null)
    }

    /// `GET /vm/{host}/`.
    pub(super) fn vm_detail(&self, vi: usize, caller: Caller, now: u64) -> Value {
        let vm = &self.vms[vi];
        let node = vm.node.map(|n| {
            if caller.admin() {
                NODES[n].0
            } else {
                NODES[n].1
            }
        });
        json!({
            "hostname": vm.hostname, "uuid": vm.uuid, "alias": vm.alias, "node": node,
            "owner": USERS[vm.owner].name, "status": vm.status,
            "node_status": vm.node.map(|_| "online"), "vcpus": vm.vcpus, "ram": vm.ram,
            "disk": vm.disks.iter().map(|d| d.size).sum::<u32>(),
            "ips": vm.nics.iter().map(|n| n.ip.clone()).collect::<Vec<_>>(),
            "uptime": self.uptime(vi, now), "locked": false, "changed": false,
        })
    }

    /// `GET /vm/` (hostnames) or `GET /vm/?full=true`.
    pub(super) fn list_vms(&mut self, caller: Caller, ctx: &Ctx) -> Response {
        let full = ctx.q("full").is_some_and(|v| v == "true" || v == "1");
        let mut shown: Vec<usize> = (0..self.vms.len())
            .filter(|&i| self.visible(i, caller))
            .collect();
        shown.sort_by(|&a, &b| self.vms[a].hostname.cmp(&self.vms[b].hostname));
        let list: Vec<Value> = shown
            .into_iter()
            .map(|i| {
                if full {
                    self.vm_detail(i, caller, ctx.now)
                } else {
                    json!(self.vms[i].hostname)
                }
            })
            .collect();
        self.envelope(200, "SUCCESS", Value::Array(list))
    }

    pub(super) fn vm_facts(&self, now: u64) -> Vec<VmFact> {
        // `stopped-` is also a stopped VM whose disk a rollback or restore is rewriting.
        let undeploying = |vi: usize| {
            self.tasks
                .iter()
                .any(|t| t.vm == vi && t.kind == Kind::Undeploy && t.pending(now))
        };
        self.vms
            .iter()
            .enumerate()
            .map(|(vi, vm)| VmFact {
                dialect: "erigones",
                vm_id: vm.hostname.clone(),
                vm_name: vm.alias.clone(),
                state: match vm.status.as_str() {
                    _ if vm.gone => VmState::Gone,
                    "running" | "stopping" => VmState::Running,
                    "notcreated" => VmState::NotCreated,
                    "deploying" => VmState::Creating,
                    s if s.ends_with('-') && undeploying(vi) => VmState::Deleting,
                    _ => VmState::Stopped,
                },
                addresses: if vm.gone {
                    Vec::new()
                } else {
                    vm.nics.iter().map(|n| n.ip.clone()).collect()
                },
            })
            .collect()
    }
}
