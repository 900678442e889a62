//! Reads of VMs: one VM or a page of the list read again for the operations waiting on them,
//! and a list of the VMs in one power state.

use std::collections::HashMap;

use crate::dialect::Observation;
use crate::engine::tracker::Answer;
use crate::engine::Core;
use crate::error::{ApiError, ErrorKind};
use crate::http::{HttpResponse, NetError};
use crate::ids::{ConnId, OpId, VmId};
use crate::model::{PowerTarget, TaskState};

type Reply = Result<HttpResponse, NetError>;

impl Core {
    pub(super) fn on_read(
        &mut self,
        conn: &ConnId,
        vm: Option<VmId>,
        page: Option<Option<String>>,
        ops: &[OpId],
        result: Reply,
        a: Answer,
    ) {
        let parsed = match (self.conns.get(conn), result) {
            (None, _) => return,
            (Some(c), Ok(resp)) => match &page {
                // A list page read again: every VM on it, fresh.
                Some(cursor) => c
                    .api
                    .parse_list(cursor.as_deref(), &resp, a.now)
                    .map(|p| p.vms),
                None => c.api.parse_read_vm(&resp, a.now),
            },
            (Some(_), Err(e)) => Err(ApiError::network(&e)),
        };
        match parsed {
            Ok(vms) => {
                if let Some(c) = self.conns.get_mut(conn) {
                    c.inv.merge(vms, a.sent);
                }
            }
            // A single read answered "not found": the VM is gone.
            Err(e) if e.kind == ErrorKind::NotFound && vm.is_some() => {
                if let (Some(c), Some(vm)) = (self.conns.get_mut(conn), &vm) {
                    c.inv.remove(vm, a.sent);
                }
            }
            Err(e) => {
                for op in ops {
                    self.read_failed(op, e.clone(), a.now);
                }
                return;
            }
        }
        for op in ops {
            if let Some(r) = self.ops.get_mut(op) {
                r.sched.flight = None;
            }
        }
        self.watch_after_read(conn, ops, a);
        self.verify_conn(conn, a.now);
    }

    /// Operations whose provider keeps no task look at their target after each read of it.
    pub(crate) fn watch_after_read(&mut self, conn: &ConnId, ops: &[OpId], a: Answer) {
        for op in ops {
            let Some(rec) = self.ops.get(op) else {
                continue;
            };
            if !(rec.is_watched() && rec.op.phase.is_observing()) || rec.sched.errors > 0 {
                continue;
            }
            let Some(c) = self.conns.get(conn) else {
                return;
            };
            let mut known = crate::engine::points::known(c, &rec.op);
            let next = self.next_look(op, a.now, false);
            let rec = self.ops.get_mut(op).expect("exists");
            crate::engine::points::learn(&mut rec.op, known.learn.take());
            let fx = rec.watch(known.seen(), next, a);
            self.apply_answer(op, fx, a);
        }
    }

    /// A list of the VMs in one power state: the VMs it shows take that state, fresh for that
    /// state as of when the request went out; the operations waiting for it whose VM it shows
    /// have ended there; the others are looked at on their own at once.
    pub(super) fn on_power_list(
        &mut self,
        conn: &ConnId,
        target: PowerTarget,
        ops: &[OpId],
        result: Reply,
        a: Answer,
    ) {
        let parsed = match (self.conns.get(conn), result) {
            (None, _) => return,
            (Some(c), Ok(resp)) => c.api.parse_power_list(target, c.inv.all(), &resp, a.now),
            (Some(_), Err(e)) => Err(ApiError::network(&e)),
        };
        let vms = match parsed {
            Ok(vms) => vms,
            Err(e) => {
                for op in ops {
                    if let Some(r) = self.ops.get_mut(op) {
                        r.sched.power_listed = false;
                    }
                    self.read_failed(op, e.clone(), a.now);
                }
                return;
            }
        };
        let listed: HashMap<VmId, String> = vms
            .iter()
            .map(|v| (v.id.clone(), v.status_raw.clone()))
            .collect();
        if let Some(c) = self.conns.get_mut(conn) {
            c.inv.merge_power(vms, a.sent);
        }
        for op in ops {
            let Some(rec) = self.ops.get(op) else {
                continue;
            };
            if !rec.op.phase.is_observing() {
                continue;
            }
            match rec.op.vm_id().and_then(|v| listed.get(v)) {
                Some(status) => {
                    // Out of the busy state, as the list shows it: nothing reports how.
                    let obs = Observation {
                        state: TaskState::Settled,
                        raw_status: status.clone(),
                        ..Observation::default()
                    };
                    self.observed(op, obs, a);
                }
                None => {
                    if let Some(r) = self.ops.get_mut(op) {
                        r.sched.flight = None;
                        r.sched.due = Some(a.now);
                    }
                }
            }
        }
    }
}
