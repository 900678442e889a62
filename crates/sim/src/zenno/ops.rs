//! ZennoHosting operations: accepting one on a VM (`202 {"commandId"}`, or `409`), how the VM
//! shows it while it runs, and what it does to the VM when it ends.

use serde_json::json;

use super::{empty_or_object, err, Op, OpKind, Zenno};
use crate::truth::{finish_at, Completion};
use crate::util::{json_response, Ctx, NEVER};
use crate::Response;

impl Zenno {
    pub(super) fn busy(&self, i: usize, now: u64) -> Option<&'static str> {
        self.vms[i]
            .op
            .as_ref()
            .filter(|op| now < op.ends)
            .map(|op| op.kind.as_str())
    }

    /// Accept an operation on VM `i`: 202 with a fresh commandId.
    pub(super) fn accept(&mut self, i: usize, kind: OpKind, now: u64) -> Response {
        let queue = self.env.duration(2_000);
        let dur = self.env.duration(kind.median_ms());
        let ok = !self.env.fails();
        // Drawn from a stream of its own, and only while the fault is on.
        let lies = !ok && self.lie_rate > 0.0 && self.lie_rng.chance(self.lie_rate);
        let ends = if self.env.stuck() {
            NEVER
        } else {
            now + queue + dur
        };
        let vm = &mut self.vms[i];
        // A lie leaves the VM as it was: where success leaves it so too (a reboot, a restore of
        // a running VM), no client can tell the two apart.
        let as_success_leaves_it = matches!(kind, OpKind::Reboot | OpKind::Restore);
        // A backup is over when the backup is ready too (the lag fault: later than the report).
        let lag = match kind {
            OpKind::Backup | OpKind::AttachNetwork | OpKind::DetachNetwork if ok => self.env.lag_ms,
            _ => 0,
        };
        let finished = if ends == NEVER {
            ends
        } else {
            ends.saturating_add(lag)
        };
        // A backup's lag is its row's (see backups.rs); a network change's, the VM's list.
        let lag = if kind == OpKind::Backup { 0 } else { lag };
        self.env.log.record(Completion {
            dialect: "zennohosting",
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            action: kind.as_str(),
            accepted_at_ms: now,
            finished_at_ms: finish_at(finished),
            succeeded: ok,
            task_status: if ok || lies { "succeeded" } else { "failed" },
            visible: !(lies && as_success_leaves_it),
        });
        vm.boot_failed = false;
        vm.updated_ms = now;
        vm.op = Some(Op {
            kind,
            accepted: now,
            runs_at: now + queue,
            ends,
            ok,
            lies,
            applied: false,
            backup: None,
            net: None,
            lag,
        });
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    pub(super) fn vm_op(&mut self, i: usize, kind: OpKind, ctx: &Ctx) -> Response {
        let now = ctx.now;
        if let Err(e) = empty_or_object(ctx) {
            return e;
        }
        if let Some(running) = self.busy(i, now) {
            return err(
                409,
                "operation_in_progress",
                &format!(
                    "VM {} already has a '{running}' operation in progress",
                    self.vms[i].id
                ),
            );
        }
        let running = self.vms[i].running;
        let refused = match kind {
            _ if self.vms[i].create_failed && kind != OpKind::Delete => {
                Some("VM was not created (its create operation failed); delete it")
            }
            OpKind::Start if running => Some("VM is already running"),
            OpKind::Stop if !running => Some("VM is already stopped"),
            OpKind::Reboot if !running => Some("VM is stopped; start it instead"),
            _ => None,
        };
        if let Some(m) = refused {
            return err(409, "invalid_state", m);
        }
        self.accept(i, kind, now)
    }

    /// Apply an operation that ended.
    pub(super) fn finish(&mut self, vi: usize) {
        let vm = &mut self.vms[vi];
        let Some(op) = vm.op.as_mut() else { return };
        op.applied = true;
        let op = op.clone();
        let (kind, ok) = (op.kind, op.ok);
        vm.updated_ms = op.ends;
        if op.lies {
            // Reported done; nothing happened to the VM.
            return;
        }
        match (kind, ok) {
            (OpKind::Delete, true) => {
                vm.gone = true;
                vm.running = false;
                if let Some(p) = vm.public_ip.take() {
                    self.public_ips[p].vm = None;
                }
            }
            (OpKind::Create, false) => {
                vm.create_failed = true;
                vm.boot_failed = true;
                if let Some(p) = vm.public_ip.take() {
                    self.public_ips[p].vm = None;
                }
            }
            (OpKind::Start, false) => vm.boot_failed = true,
            (_, false) => {}
            (OpKind::Backup, true) => {}
            (OpKind::DeleteBackup, true) => {
                if let Some(b) = op.backup {
                    vm.backups[b].gone = true;
                }
            }
            (OpKind::Restore, true) => {
                vm.restored_from = op.backup.map(|b| vm.backups[b].id.clone());
            }
            (OpKind::AttachNetwork, true) => {
                if let Some((net, ip)) = op.net {
                    let ip = ip.unwrap_or_else(|| self.networks[net].address_of(vm.addr));
                    match vm.nets.iter_mut().find(|a| a.net == net) {
                        Some(a) => a.ip = ip,
                        None => vm.nets.push(super::networks::Attach { net, ip }),
                    }
                }
            }
            (OpKind::DetachNetwork, true) => {
                if let Some((net, _)) = op.net {
                    vm.nets.retain(|a| a.net != net);
                }
            }
            (OpKind::Stop, true) => vm.running = false,
            (_, true) => vm.running = true,
        }
    }
}

/// `(operationStatus, bootStatus, updatedAt)` of a VM with this operation, at `now`.
pub(super) fn op_view(
    op: &Op,
    running: bool,
    settled_boot: &'static str,
    now: u64,
) -> (&'static str, &'static str, u64) {
    if now < op.runs_at {
        return ("pending", settled_boot, op.accepted);
    }
    if now >= op.ends {
        return (
            if op.ok || op.lies {
                "succeeded"
            } else {
                "failed"
            },
            settled_boot,
            op.ends,
        );
    }
    let half = op.runs_at + (op.ends.saturating_sub(op.runs_at)) / 2;
    let two_halves = matches!(op.kind, OpKind::Reboot | OpKind::Restore);
    let boot = match op.kind {
        OpKind::Backup | OpKind::DeleteBackup | OpKind::AttachNetwork | OpKind::DetachNetwork => {
            settled_boot
        }
        OpKind::Restore if !running => settled_boot,
        OpKind::Start | OpKind::Create => "booting",
        OpKind::Stop => "stopping",
        OpKind::Delete if running => "stopping",
        OpKind::Delete => "stopped",
        _ if now < half => "stopping",
        _ => "booting",
    };
    let t = if two_halves && now >= half {
        half
    } else {
        op.runs_at
    };
    ("in_progress", boot, t)
}
