//! Operations started elsewhere: an answer the engine reads anyway (a VM list, a VM read, an
//! observe-many answer) shows an operation under way on a VM that this console did not start.
//! The engine makes a record for it ([`Origin::Elsewhere`]) and follows it like its own, to a
//! verified end — its task terminal, then the VM settled — with the reads it makes for its own;
//! it never sends a write for it.
//!
//! Ours is never taken for another's: a VM with an operation of ours still open (a submit
//! whose answer was lost, still being looked for, included) shows ours; a task under a reference
//! one of ours holds is ours; an answer asked for before one of ours on that VM ended may still
//! show ours, and is not read for this.

use crate::dialect::Running;
use crate::engine::core::Happened;
use crate::engine::tracker::{Answer, OpRecord};
use crate::engine::Core;
use crate::http::HttpResponse;
use crate::ids::{ConnId, OpId};
use crate::model::{Action, Operation, Origin, Phase, Proof, Target};

impl Core {
    /// Looks at an answer for operations under way that nobody here started, and follows each.
    pub(crate) fn spot_elsewhere(&mut self, conn: &ConnId, resp: &HttpResponse, a: Answer) {
        let Some(c) = self.conns.get(conn) else {
            return;
        };
        let running = c.api.running(resp, c.inv.all());
        for r in running {
            if self.is_ours_or_known(conn, &r, a) {
                continue;
            }
            if let Some(id) = self.follow_elsewhere(conn, r, a) {
                self.happened.push(Happened::StartedElsewhere { op: id });
            }
        }
    }

    /// Whether what `r` shows is one of the operations here (ours, or one already followed),
    /// or may be: an answer older than the end of one on that VM.
    fn is_ours_or_known(&self, conn: &ConnId, r: &Running, a: Answer) -> bool {
        self.ops
            .iter()
            .filter(|x| &x.op.connection == conn)
            .any(|x| {
                let op = &x.op;
                let on_vm = match &op.target {
                    // A create whose VM is not known by id yet: by its name.
                    Target::Vm { id: None, name } => !r.vm_name.is_empty() && name == &r.vm_name,
                    t => t.vm_id() == Some(&r.vm),
                };
                let same_task = op.provider_ref.as_ref() == Some(&r.task);
                let stale = on_vm && op.finished_at.is_some_and(|f| f >= a.sent);
                same_task || stale || (on_vm && op.is_open())
            })
    }

    /// Makes the record of an operation started elsewhere, followed from now on.
    fn follow_elsewhere(&mut self, conn: &ConnId, r: Running, a: Answer) -> Option<OpId> {
        let c = self.conns.get(conn)?;
        let vm = c.inv.get(&r.vm)?.clone();
        let action = Action::Elsewhere { raw: r.kind };
        let expect = action.expectation_on(Some(&vm), c.caps);
        let id = OpId(self.next_id(""));
        let since = a.sent.min(a.now);
        let op = Operation {
            id: id.clone(),
            connection: conn.clone(),
            target: Target::vm(vm.id.clone(), vm.name.clone()),
            action,
            phase: Phase::InProgress,
            submitted_at: since,
            accepted_at: Some(since),
            finished_at: None,
            stage: 0,
            provider_ref: Some(r.task),
            provider_status: None,
            note: None,
            progress: None,
            attempt: None,
            attempt_since: None,
            task_ended_at: None,
            expect,
            last_error: None,
            // Only the provider's report of how it ended proves it: the VM settling says
            // nothing of whether it worked.
            proof: Some(Proof::Evidence { boots: false }),
            ended_by: None,
            seen_working_at: Some(since),
            queued: false,
            origin: Origin::Elsewhere { by: r.by },
        };
        self.ops.insert(OpRecord::new(op, a.now));
        Some(id)
    }
}
