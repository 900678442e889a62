//! Operations started elsewhere: an answer the engine reads anyway (a VM list, a VM read, an
//! observe-many answer) shows an operation under way on a VM that this console did not start.
//! The engine makes a record for it ([`Origin::Elsewhere`]) and follows it like its own, to a
//! verified end — its task terminal, then the VM settled — with the reads it makes for its own;
//! it never sends a write for it.
//!
//! Ours is never taken for another's: a VM with an operation of ours still open (a submit
//! whose answer was lost, still being looked for, included) shows ours; a task under a reference
//! one of ours holds is ours; an answer asked for before one of ours on that VM ended may still
//! show ours, and is not read for this; one that ended without its task seen over (*Needs
//! check*, *Timed out*…) keeps what runs on its VM, for it may be it — until a later one there
//! ends done.
//! This holds across reloads and tab handovers: what is judged is the operations the engine
//! holds (resumed or mirrored), and answers sent by this engine only.

use crate::dialect::Running;
use crate::engine::core::Happened;
use crate::engine::tracker::{Answer, OpRecord};
use crate::engine::Core;
use crate::http::HttpResponse;
use crate::ids::{ConnId, OpId};
use crate::model::{Action, Operation, Origin, Phase, Proof, Target};
use crate::words::Note;

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
    /// or may be. On `r`'s VM (a create of ours: also by the name it gives the new VM, for an
    /// answer may have spoiled the id it learned):
    ///
    /// - any operation still open there, ours or followed, or one following `r`'s task;
    /// - any that ended at or after this answer was asked for (it may show it still running);
    /// - any that ended without its task seen over ([`left_running`]: *Needs check*, *Timed
    ///   out*, superseded, refused past a first step that was taken), unless one there since
    ///   ended done: what runs there may well be it, and is left to it — never a second
    ///   record beside it ("Check now" on it looks again).
    ///
    /// So only once what ran there was seen to its end (or a later one was done) may what runs
    /// next be another's.
    fn is_ours_or_known(&self, conn: &ConnId, r: &Running, a: Answer) -> bool {
        // The answer may not name the VM (an action list): the inventory does.
        let vm_name = match self.conns.get(conn).and_then(|c| c.inv.get(&r.vm)) {
            Some(vm) if r.vm_name.is_empty() => vm.name.as_str(),
            _ => r.vm_name.as_str(),
        };
        let on_vm = |op: &Operation| match &op.target {
            // A create whose VM is not known by id yet: by its name.
            Target::Vm { id: None, name } => !vm_name.is_empty() && name == vm_name,
            t => {
                t.vm_id() == Some(&r.vm)
                    || (matches!(op.action, Action::Create(_))
                        && !vm_name.is_empty()
                        && op.target.name() == vm_name)
            }
        };
        let mut there: Vec<&Operation> = Vec::new();
        for op in self
            .ops
            .iter()
            .map(|x| &x.op)
            .filter(|op| &op.connection == conn)
        {
            if op.provider_ref.as_ref() == Some(&r.task) {
                return true;
            }
            if !on_vm(op) {
                continue;
            }
            let stale = op.finished_at.is_none_or(|f| f >= a.sent);
            if op.is_open() || stale {
                return true;
            }
            there.push(op);
        }
        there.iter().filter(|op| left_running(op)).any(|op| {
            !there
                .iter()
                .any(|l| l.submitted_at > op.submitted_at && l.phase == Phase::Succeeded)
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

/// Whether an operation that ended may have left its provider's task running: it ended
/// without that task seen over — *Needs check* or *Timed out* (a submit whose answer was lost
/// and never found included), superseded, or failed or cancelled with no report of its task's
/// end where a write of it was taken (refused at a later step, say).
fn left_running(op: &Operation) -> bool {
    match op.phase {
        Phase::NeedsCheck | Phase::TimedOut | Phase::Superseded => true,
        Phase::Failed | Phase::Cancelled => {
            let reported = matches!(op.note, Some(Note::Reported { .. }));
            let taken = op.accepted_at.is_some() || op.stage > 0;
            taken && !reported && op.task_ended_at.is_none()
        }
        _ => false,
    }
}
