//! A submit whose answer could not be had or read: refused (it ends), rate-limited (sent again
//! once allowed), or of unknown fate — a dropped connection, no answer in time, a `5xx`, a `2xx`
//! that cannot be read. An unknown fate is looked for at the provider, a few reads within the
//! usual budget: the action found is adopted and followed to its end; no trace of it ends the
//! operation *not taken* (Retry sends it again, the user's call); still unknown after a few
//! reads, it asks to be checked. The write itself is never sent again on its own.

use crate::dialect::{Accepted, Found};
use crate::engine::tracker::{deadline, Answer, DeadlineFrom, Effects, OpRecord};
use crate::error::{ApiError, ErrorKind};
use crate::model::Phase;
use crate::time::{Millis, SECOND};
use crate::words::Note;

/// Answers that could not tell before the operation asks to be checked.
pub const MAX_FIND_UNKNOWN: u32 = 3;

/// Reads that failed (no answer, a `5xx`, an answer that cannot be read) before the operation
/// asks to be checked: each waits longer than the one before ([`crate::engine::Schedule`]'s
/// backoff), about a minute in all.
pub const MAX_FIND_ERRORS: u32 = 6;

/// "Not taken" is only believed from a read sent at least this long after the failure was
/// known: a write still on its way (a slow proxy, a queue) has had time to land.
pub const NOT_TAKEN_AFTER: Millis = 3 * SECOND;

/// Pages (or candidates) one look may go through.
pub const MAX_FIND_PAGES: u32 = 20;

/// A look for a submit of unknown fate, under way.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    /// When the write went out.
    pub sent_at: Millis,
    /// When its fate was known to be unknown (the failed answer, or its time limit).
    pub failed_at: Millis,
    /// Answers that could not tell, so far.
    pub unknown: u32,
    /// Reads that failed, so far.
    pub errors: u32,
    /// Pages or candidates looked through.
    pub pages: u32,
    /// Where the previous answer said to look next.
    pub cursor: Option<String>,
    /// The provider answered `2xx`: it took the write, only its answer could not be read. No
    /// read can make that "not taken".
    pub taken: bool,
}

/// What a look answered, for [`OpRecord::found`].
pub(crate) struct Look {
    pub found: Result<Found, ApiError>,
    pub stages: u8,
    /// When the policy first looks at an adopted task.
    pub first_look: Millis,
    /// Before the next read after one that could not tell.
    pub backoff: Millis,
}

impl OpRecord {
    /// The provider's answer to a submit could not be had or read. `backoff`: how long to wait
    /// before sending again when it certainly was not taken; `can_find`: the provider can be
    /// asked whether it took it.
    pub fn submit_failed(
        &mut self,
        e: ApiError,
        accepted_status: Option<u16>,
        backoff: Millis,
        can_find: bool,
        a: Answer,
    ) -> Effects {
        let now = a.now;
        if accepted_status.is_some() {
            // The provider took it, but what it said cannot be read.
            return self.unsure(Note::AcceptedUnreadable(e), true, can_find, a);
        }
        match e.kind {
            ErrorKind::RateLimited => {
                // Not taken: send it again once the provider allows.
                let wait = e.retry_after.unwrap_or(backoff);
                self.sched.flight = None;
                self.sched.due = Some(now.saturating_add(wait));
                self.op.last_error = Some(e);
                Effects::default()
            }
            ErrorKind::Network => {
                // No answer: it may or may not have reached the provider. Sending it again
                // could run it twice.
                let detail = e.detail.clone().unwrap_or_default();
                self.op.last_error = Some(e);
                self.unsure(Note::MaybeSent { detail }, false, can_find, a)
            }
            ErrorKind::Server => {
                // A 5xx to a write says nothing certain about whether it was applied.
                self.op.last_error = Some(e.clone());
                self.unsure(Note::ServerErrorOnSubmit(e), false, can_find, a)
            }
            _ => {
                let conflict = e.kind == ErrorKind::Conflict;
                self.op.last_error = Some(e.clone());
                let fx = self.finish(Phase::Failed, Some(Note::Refused(e)), now);
                Effects {
                    // Our view of the VM is stale: look at it again.
                    reread: if conflict {
                        self.op.vm_id().cloned()
                    } else {
                        None
                    },
                    ..fx
                }
            }
        }
    }

    /// The submit got no answer within its time limit: it may have been applied.
    pub fn submit_timed_out(&mut self, after: Millis, can_find: bool, a: Answer) -> Effects {
        self.unsure(Note::SubmitTimedOut { after }, false, can_find, a)
    }

    /// The submit's fate is unknown (`note` says why): look for it at the provider where it can
    /// tell, else ask to be checked. `a.sent`: when the write went out.
    fn unsure(&mut self, note: Note, taken: bool, can_find: bool, a: Answer) -> Effects {
        if !can_find {
            return self.finish_and_reread(Phase::NeedsCheck, note, a.now);
        }
        self.start_finding(note, taken, a.sent, a.now);
        Effects::default()
    }

    /// Starts (or, on "check now", starts again) a look for the write sent at `sent_at`.
    pub fn start_finding(&mut self, note: Note, taken: bool, sent_at: Millis, now: Millis) {
        self.op.phase = Phase::Submitted;
        self.op.finished_at = None;
        self.op.note = Some(note);
        self.sched.flight = None;
        self.sched.errors = 0;
        self.sched.due = Some(now);
        self.sched.sent_at = Some(sent_at);
        self.sched.finding = Some(Finding {
            sent_at,
            failed_at: now,
            unknown: 0,
            errors: 0,
            pages: 0,
            cursor: None,
            taken,
        });
    }

    /// Whether the operation is looking for a submit of unknown fate.
    pub fn is_finding(&self) -> bool {
        self.sched.finding.is_some() && self.op.phase == Phase::Submitted
    }

    /// The write a look found is adopted: it counts as accepted when it went out (its deadline
    /// and likely window run from there). Called before the first look is asked for.
    pub fn adopting(&mut self) {
        let Some(f) = &self.sched.finding else {
            return;
        };
        if self.op.accepted_at.is_none() {
            self.op.accepted_at = Some(f.sent_at);
            self.sched.deadline = deadline(
                &self.op,
                DeadlineFrom::Action {
                    start: f.sent_at,
                    floor: f.sent_at,
                },
            );
        }
    }

    /// Moves the look by what its read answered (`a.sent`: when the read went out).
    pub fn found(&mut self, look: Look, a: Answer) -> Effects {
        self.sched.flight = None;
        let Some(f) = self.sched.finding.as_mut() else {
            return Effects::default();
        };
        match look.found {
            Ok(Found::Adopted(acc)) => self.adopt(*acc, look.stages, look.first_look, a),
            Ok(Found::NotTaken) if !f.taken => {
                let confirm = f.failed_at.saturating_add(NOT_TAKEN_AFTER);
                if a.sent >= confirm {
                    self.sched.finding = None;
                    return self.finish(Phase::Failed, Some(Note::NotTaken), a.now);
                }
                // Believed from a later read only: a write on its way has time to land.
                f.cursor = None;
                self.sched.due = Some(confirm.max(a.now));
                Effects::default()
            }
            Ok(Found::Look(cursor)) if f.pages < MAX_FIND_PAGES => {
                f.pages += 1;
                f.cursor = Some(cursor);
                self.sched.due = Some(a.now);
                Effects::default()
            }
            Ok(_) => self.could_not_tell(None, look.backoff, a.now),
            Err(e) => self.could_not_tell(Some(e), look.backoff, a.now),
        }
    }

    /// A read that did not decide (`e`: it failed): read again, from the start, after `backoff`
    /// (or the provider's `Retry-After`); a few times at most, then ask to be checked.
    fn could_not_tell(&mut self, e: Option<ApiError>, backoff: Millis, now: Millis) -> Effects {
        let Some(f) = self.sched.finding.as_mut() else {
            return Effects::default();
        };
        f.cursor = None;
        let spent = match &e {
            Some(_) => {
                f.errors += 1;
                f.errors >= MAX_FIND_ERRORS
            }
            None => {
                f.unknown += 1;
                f.unknown >= MAX_FIND_UNKNOWN
            }
        };
        if spent {
            self.sched.finding = None;
            let note = self.op.note.clone().unwrap_or(Note::ClosedBeforeAnswer);
            return self.finish_and_reread(Phase::NeedsCheck, note, now);
        }
        let wait = e.as_ref().and_then(|e| e.retry_after).unwrap_or(backoff);
        self.sched.due = Some(now.saturating_add(wait));
        Effects::default()
    }

    /// The provider took the write: followed from here as if it had answered `acc`.
    fn adopt(&mut self, acc: Accepted, stages: u8, first_look: Millis, a: Answer) -> Effects {
        self.adopting();
        self.sched.finding = None;
        self.op.note = None;
        self.accept(acc, stages, first_look, a)
    }
}
