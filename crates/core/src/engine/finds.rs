//! Writes of unknown fate, at the level of the engine: what the dialect is asked to read to find
//! one, and its answers handed to the operation's tracker ([`crate::engine::unsure`]).

use crate::dialect::{Dialect, Found, Submit};
use crate::engine::tracker::{Answer, Effects};
use crate::engine::unsure::Look;
use crate::engine::Core;
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, NetError};
use crate::ids::OpId;
use crate::model::Phase;
use crate::time::Millis;

impl Core {
    /// Runs `f` with the dialect and the write of this operation as it was sent.
    fn with_submit<R>(
        &self,
        op_id: &OpId,
        f: impl FnOnce(&dyn Dialect, &Submit) -> R,
    ) -> Option<R> {
        let rec = self.ops.get(op_id)?;
        let c = self.conns.get(&rec.op.connection)?;
        let op = &rec.op;
        let sent_at = rec
            .sched
            .finding
            .as_ref()
            .map(|f| f.sent_at)
            .or(rec.sched.sent_at)
            .unwrap_or(op.submitted_at);
        let s = Submit {
            target: &op.target,
            vm: op.vm_id().and_then(|v| c.inv.get(v)),
            action: &op.action,
            stage: op.stage,
            sent_at,
        };
        Some(f(c.api.as_ref(), &s))
    }

    /// Whether the provider can tell if it took this operation's current write.
    pub(crate) fn can_find(&self, op_id: &OpId) -> bool {
        // Nothing of ours to look for where the operation was started elsewhere.
        if self
            .ops
            .get(op_id)
            .is_some_and(|r| r.op.origin.is_elsewhere())
        {
            return false;
        }
        self.with_submit(op_id, |api, s| api.find_submit(s, None).is_some())
            .unwrap_or(false)
    }

    /// The read that looks for this operation's write (`cursor`: where to look next).
    pub(crate) fn find_request(&self, op_id: &OpId, cursor: Option<&str>) -> Option<HttpRequest> {
        self.with_submit(op_id, |api, s| api.find_submit(s, cursor))
            .flatten()
    }

    /// A look that cannot be sent after all: the operation asks to be checked.
    pub(crate) fn cannot_find(&mut self, op_id: &OpId, now: Millis) {
        let Some(rec) = self.ops.get_mut(op_id) else {
            return;
        };
        rec.sched.finding = None;
        let note = rec
            .op
            .note
            .clone()
            .unwrap_or(crate::words::Note::ClosedBeforeAnswer);
        let fx = rec.finish_and_reread(Phase::NeedsCheck, note, now);
        self.apply(op_id, fx, now, now);
    }

    /// The provider's answer to a submit could not be had or read (`accepted`: it answered
    /// `2xx` all the same).
    pub(crate) fn submit_failed(
        &mut self,
        op_id: &OpId,
        e: ApiError,
        accepted: Option<u16>,
        a: Answer,
    ) -> Effects {
        let (backoff, can_find) = (self.backoff(1), self.can_find(op_id));
        self.learn_refusal(op_id, &e);
        match self.ops.get_mut(op_id) {
            Some(rec) => {
                rec.sched.sent_at = Some(a.sent);
                rec.submit_failed(e, accepted, backoff, can_find, a)
            }
            None => Effects::default(),
        }
    }

    /// A submit got no answer within its time limit (`sent`: when it went out).
    pub(crate) fn submit_lost(&mut self, op_id: &OpId, sent: Millis, now: Millis) {
        let can_find = self.can_find(op_id);
        let Some(rec) = self.ops.get_mut(op_id) else {
            return;
        };
        let fx = rec.submit_timed_out(now - sent, can_find, Answer { now, sent });
        self.apply(op_id, fx, now, now);
    }

    /// The answer to a look for a write.
    pub(crate) fn on_find(
        &mut self,
        op_id: &OpId,
        cursor: Option<String>,
        result: Result<HttpResponse, NetError>,
        a: Answer,
    ) {
        if !self.ops.get(op_id).is_some_and(|r| r.is_finding()) {
            return;
        }
        let found = self
            .with_submit(op_id, |api, s| match &result {
                Ok(resp) => api.parse_find_submit(s, cursor.as_deref(), resp, a.now),
                Err(e) => Err(ApiError::network(e)),
            })
            .unwrap_or(Ok(Found::Unknown));
        let adopted = matches!(found, Ok(Found::Adopted(_)));
        let Some(rec) = self.ops.get_mut(op_id) else {
            return;
        };
        if adopted {
            // Its first look is scheduled from when the write went out.
            rec.adopting();
        }
        // The next read after one that failed waits longer each time.
        let tries = rec
            .sched
            .finding
            .as_ref()
            .map_or(0, |f| f.errors + f.unknown);
        let stages = self
            .conns
            .get(&rec.op.connection)
            .map_or(1, |c| c.api.stages(&rec.op.action));
        let look = Look {
            found,
            stages,
            first_look: self.next_look(op_id, a.now, true),
            backoff: self.backoff(tries),
        };
        let Some(rec) = self.ops.get_mut(op_id) else {
            return;
        };
        let fx = rec.found(look, a);
        self.apply_answer(op_id, fx, a);
    }
}
