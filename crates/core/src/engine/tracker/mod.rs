//! One operation's record — what is kept, its schedule and its flight — and every move it can
//! make. Each move acts on the record alone and returns what it needs from the rest of the
//! engine ([`Effects`]); the engine never edits an operation's fields anywhere else.

use crate::dialect::{Accepted, Observation};
use crate::error::ApiError;
use crate::model::{Action, Operation, Origin, Phase, ProviderRef, Seen, TaskEnd, TaskState};
use crate::time::{Millis, SECOND};
use crate::words::Note;

mod sched;
#[cfg(test)]
mod tests;

pub use sched::deadline_for;
pub(crate) use sched::{deadline, Answer, DeadlineFrom, Effects, Look, Sched, Verify};

/// One operation's record.
#[derive(Clone, Debug)]
pub(crate) struct OpRecord {
    pub op: Operation,
    pub sched: Sched,
}

impl OpRecord {
    pub fn new(op: Operation, now: Millis) -> Self {
        let deadline = deadline(
            &op,
            DeadlineFrom::Action {
                start: now,
                floor: now,
            },
        );
        OpRecord {
            op,
            sched: Sched {
                due: Some(now),
                deadline,
                ..Sched::default()
            },
        }
    }

    pub fn is_open(&self) -> bool {
        self.op.is_open()
    }

    /// Ends the operation.
    pub fn finish(&mut self, phase: Phase, note: Option<Note>, now: Millis) -> Effects {
        self.op.phase = phase;
        self.op.finished_at = Some(now);
        if note.is_some() {
            self.op.note = note;
        } else if self.op.note.as_ref().is_some_and(Note::is_progress) {
            // "Waiting for the VM…" said nothing of how it ended.
            self.op.note = None;
        }
        self.sched = Sched {
            polls: self.sched.polls,
            sent_at: self.sched.sent_at,
            ..Sched::default()
        };
        Effects {
            finished: Some(phase),
            ..Effects::default()
        }
    }

    /// Looks again after `wait` (a read failed; the error is shown, not final).
    pub fn retry_later(&mut self, e: ApiError, wait: Millis, now: Millis) {
        self.sched.flight = None;
        self.sched.errors += 1;
        self.sched.due = Some(now.saturating_add(wait));
        self.op.last_error = Some(e);
    }

    /// Whether the action takes more requests after this stage.
    fn more_stages(&self, stages: u8) -> bool {
        self.op.stage + 1 < stages
    }

    /// Goes on to the next of the action's requests.
    fn next_stage(&mut self, now: Millis) {
        self.op.stage += 1;
        self.op.phase = Phase::Submitted;
        self.op.provider_ref = None;
        self.op.task_ended_at = None;
        self.sched.due = Some(now);
        self.sched.solo = false;
        self.sched.ended_seen = None;
        self.sched.power_listed = false;
        self.sched.seen_running = None;
    }

    /// The provider accepted the submit of the current stage. `first_look`: when the policy
    /// first looks at the task.
    pub fn accept(&mut self, acc: Accepted, stages: u8, first_look: Millis, a: Answer) -> Effects {
        let now = a.now;
        if self.op.accepted_at.is_none() {
            self.op.accepted_at = Some(now);
            // The deadline runs from acceptance: time queued behind the request budget is not
            // the provider's.
            self.sched.deadline = deadline(
                &self.op,
                DeadlineFrom::Action {
                    start: now,
                    floor: now,
                },
            );
        }
        if let Some(id) = acc.created {
            match (self.op.target.point(), self.op.target.res()) {
                (Some(_), _) | (_, Some(_)) => self.op.target.learn_point(id.0),
                _ => self.op.target.learn_id(id),
            }
        }
        let secret = acc.secret;
        self.op.last_error = None;
        self.sched.flight = None;
        self.op.provider_ref = Some(acc.provider_ref);
        self.op.phase = Phase::Accepted;
        self.sched.due = Some(first_look);
        if acc.state.is_terminal() || acc.state == TaskState::Failed {
            // Done (or refused) at once, like Erigones' `200 SUCCESS`.
            let obs = Observation {
                state: acc.state,
                raw_status: acc.raw_status,
                ..Observation::default()
            };
            let look = Look {
                stages,
                next: first_look,
                forced_after: None,
                likely_by: Millis::MAX,
            };
            return Effects {
                secret,
                ..self.observe(obs, look, a)
            };
        }
        self.op.provider_status = Some(acc.raw_status);
        Effects {
            secret,
            ..Effects::default()
        }
    }

    /// A new attempt of the provider's task (a retry) runs from when the look that saw it went
    /// out: the policy's next look and the learned duration count from there. Called before
    /// the next look is asked for.
    pub fn note_retry(&mut self, obs: &Observation, a: Answer) {
        let retried = obs
            .attempt
            .is_some_and(|(n, _)| n > self.op.attempt.map_or(1, |(seen, _)| seen));
        if retried {
            self.op.attempt_since = Some(a.sent.min(a.now));
        }
    }

    /// Moves the operation by what the provider said of its task.
    pub fn observe(&mut self, obs: Observation, look: Look, a: Answer) -> Effects {
        let now = a.now;
        self.note_retry(&obs, a);
        self.take_report(&obs);
        if obs.state == TaskState::Running {
            self.op.seen_working_at.get_or_insert(a.sent.min(now));
        }
        let state = self.resolve_idle(&obs, look.likely_by, now);
        let learned = self.took(&state, look.forced_after, a);
        if let Some(vm) = &obs.vm {
            if self.op.target.vm_id().is_none() {
                self.op.target.learn_id(vm.id.clone());
            }
        }
        if let Some(r) = obs.follow.clone() {
            self.op.provider_ref = Some(r);
        }
        self.learn_elsewhere(&obs);
        let verify = obs.vm.is_some() || self.sched.ended_seen.is_some();
        self.sched.flight = None;
        self.sched.errors = 0;
        let end = match &state {
            TaskState::Succeeded => Some(TaskEnd::Reported),
            TaskState::Expired => Some(TaskEnd::Gone),
            TaskState::Settled => Some(TaskEnd::Settled {
                seen_working: self.op.seen_working_at.is_some(),
            }),
            _ => None,
        };
        let fx = match (&state, end) {
            (_, Some(end)) if self.more_stages(look.stages) => {
                if end == TaskEnd::Gone {
                    // A stage's task gone without a word: the next stage's own checks tell.
                    self.op.note = Some(Note::TaskExpired);
                }
                self.next_stage(now);
                Effects::default()
            }
            (_, Some(end)) => self.task_ended(end, a),
            (TaskState::Failed | TaskState::Cancelled, _) => self.task_failed(&obs, now),
            (TaskState::Superseded { by }, _) => {
                let note = Note::Superseded { by: by.clone() };
                self.finish(Phase::Superseded, Some(note), now)
            }
            _ => {
                self.op.phase = Phase::InProgress;
                // Nothing shown under way yet: look again by the time it has likely ended.
                let idle = state == TaskState::Idle;
                self.sched.due = Some(if idle {
                    look.next.min(look.likely_by.max(now))
                } else {
                    // Seen not ended yet: it ends after this look went out.
                    self.sched.seen_running = Some(a.sent.min(now));
                    look.next
                });
                Effects::default()
            }
        };
        Effects {
            learned,
            vm: obs.vm,
            verify,
            ..fx
        }
    }

    /// A resource that shows no operation at all ([`TaskState::Idle`]) has ended ours
    /// ([`TaskState::Settled`]) once the provider was seen working on it, once the VM shows a
    /// target that proves it, or once the action has very likely ended (past `likely_by`);
    /// until then ours may not have begun.
    fn resolve_idle(&self, obs: &Observation, likely_by: Millis, now: Millis) -> TaskState {
        if obs.state != TaskState::Idle {
            return obs.state.clone();
        }
        let seen_working = self.op.seen_working_at.is_some();
        let target_proves = self.op.proof() == crate::model::Proof::Target
            && obs
                .vm
                .as_ref()
                .is_some_and(|vm| self.op.expect.check(Some(vm)).is_ok());
        if seen_working || target_proves || now >= likely_by {
            TaskState::Settled
        } else {
            TaskState::Idle
        }
    }

    /// An operation started elsewhere learns what the provider calls it and who started it,
    /// where the answer says.
    fn learn_elsewhere(&mut self, obs: &Observation) {
        let Origin::Elsewhere { by } = &mut self.op.origin else {
            return;
        };
        if by.is_none() {
            by.clone_from(&obs.started_by);
        }
        if let (Action::Elsewhere { raw }, Some(kind)) = (&mut self.op.action, &obs.started_as) {
            if raw.is_empty() {
                raw.clone_from(kind);
            }
        }
    }

    /// Keeps what the provider said of its task: its status, progress, attempt and words.
    fn take_report(&mut self, obs: &Observation) {
        self.op.provider_status = Some(obs.raw_status.clone());
        self.op.progress = obs.progress.or(self.op.progress);
        self.op.attempt = obs.attempt.or(self.op.attempt);
        self.op.last_error = None;
        if let Some(m) = &obs.message {
            self.op.note = Some(Note::Provider(crate::error::cap_text(
                m,
                crate::error::MAX_PROVIDER_TEXT,
            )));
        } else if obs.not_listed {
            self.op.note = Some(Note::ActionNotListedYet);
        }
    }

    /// How long the provider's task took, to learn as the action's duration: only a task seen
    /// ending, and not one the provider had to force (that says how long the guest ignored it,
    /// not how long the action takes), nor a resource that settled without ever being seen
    /// working (its end may lie anywhere before). It ended between the last look that saw it
    /// running (or its start) and the look that saw it over: the middle of that, not the late
    /// end of it, which would teach looks later than they need be.
    fn took(&self, state: &TaskState, forced_after: Option<Millis>, a: Answer) -> Option<Millis> {
        let unseen_end = *state == TaskState::Settled && self.op.seen_working_at.is_none();
        if !state.is_terminal() || *state == TaskState::Expired || unseen_end {
            return None;
        }
        let since = self.op.attempt_since.or(self.op.accepted_at)?;
        let before = self.sched.seen_running.unwrap_or(since).max(since);
        let after = a.sent.min(a.now).max(before);
        let took = before + (after - before) / 2 - since;
        forced_after.is_none_or(|f| took < f).then_some(took)
    }

    /// The last stage's task ended (`end`: how that was seen): the target is verified next.
    fn task_ended(&mut self, end: TaskEnd, a: Answer) -> Effects {
        let now = a.now;
        self.op.phase = Phase::Verifying;
        self.op.task_ended_at = Some(now);
        self.op.ended_by = Some(end);
        if end == TaskEnd::Gone {
            self.op.note = Some(Note::TaskExpired);
        } else if matches!(
            self.op.note,
            Some(Note::TaskExpired | Note::ActionNotListedYet)
        ) {
            self.op.note = None;
        }
        // Only data asked for since the look that saw the task end can verify it.
        self.sched.verify_since = Some(
            a.sent
                .min(now)
                .min(self.sched.ended_seen.unwrap_or(Millis::MAX)),
        );
        self.sched.due = Some(now);
        Effects::default()
    }

    /// The provider reports the task failed or was cancelled: the operation ends so, in the
    /// provider's status and words.
    fn task_failed(&mut self, obs: &Observation, now: Millis) -> Effects {
        let cancelled = obs.state == TaskState::Cancelled;
        let note = Note::Reported {
            cancelled,
            status: obs.raw_status.clone(),
            text: obs.message.clone(),
        };
        let phase = if cancelled {
            Phase::Cancelled
        } else {
            Phase::Failed
        };
        self.finish_and_reread(phase, note, now)
    }

    /// Ends the operation, and reads its VM again to show it as it really is now.
    pub(crate) fn finish_and_reread(&mut self, phase: Phase, note: Note, now: Millis) -> Effects {
        let fx = self.finish(phase, Some(note), now);
        Effects {
            reread: self.op.vm_id().cloned(),
            ..fx
        }
    }

    /// A read of the target answered (`seen`: the target as now known, none when it is not
    /// there), for an operation whose provider keeps no task ([`ProviderRef::Watch`]): the
    /// target shows what was meant → done; else it still runs.
    pub fn watch<'s>(
        &mut self,
        seen: impl Into<Seen<'s>>,
        next_look: Millis,
        a: Answer,
    ) -> Effects {
        let seen = seen.into();
        self.sched.flight = None;
        self.sched.errors = 0;
        self.op.last_error = None;
        match self.op.expect.check(seen) {
            Ok(()) => {
                self.op.task_ended_at = Some(a.now);
                self.op.note = None;
                self.finish(Phase::Succeeded, None, a.now)
            }
            // The resource itself says its create or change failed: so did the operation.
            Err(crate::model::Mismatch::ResNotReady {
                state: crate::model::ResState::Failed,
                status,
            }) => {
                self.op.task_ended_at = Some(a.now);
                self.op.provider_status = Some(status.clone());
                let note = Note::Reported {
                    cancelled: false,
                    status,
                    text: None,
                };
                self.finish(Phase::Failed, Some(note), a.now)
            }
            Err(m) => {
                self.op.phase = Phase::InProgress;
                self.op.provider_status = Some(match (&m, seen.vm) {
                    (crate::model::Mismatch::StillThere { status }, _) if seen.point.is_some() => {
                        status.clone()
                    }
                    (_, _) if seen.res.is_some() => match seen.res {
                        Some(crate::model::ResSeen::Found(r)) => r.status_raw.clone(),
                        _ => "not listed".into(),
                    },
                    (_, Some(vm)) => vm.status_raw.clone(),
                    (_, None) => "not listed".into(),
                });
                self.sched.due = Some(next_look);
                Effects::default()
            }
        }
    }

    /// Whether this operation is watched through its target instead of a task.
    pub fn is_watched(&self) -> bool {
        matches!(self.op.provider_ref, Some(ProviderRef::Watch))
    }

    /// Checks a verifying operation against its target as now known. `fresh`: when the known
    /// data was asked for (`None`: never, or the target is not there and no complete listing
    /// or read says it is gone).
    ///
    /// Done when the target shows what was meant and that proves the action (or evidence
    /// does, see [`crate::model::Proof`]). Otherwise the grace period runs: from the task's end
    /// where the provider said it (a report, or the resource leaving the busy state it was seen
    /// in), else from when the action has likely ended — and not while the VM is visibly busy,
    /// up to the action's deadline. Then *Needs check*, saying how the task's end was seen and
    /// what the VM shows.
    pub fn verify<'s>(
        &mut self,
        seen: impl Into<Seen<'s>>,
        fresh: Option<Millis>,
        v: Verify,
        now: Millis,
    ) -> Effects {
        let seen = seen.into();
        let since = self.sched.verify_since.unwrap_or(now);
        if fresh.is_none_or(|t| t < since) {
            return Effects::default(); // Data from before the task ended says nothing.
        }
        // Read: the reads that failed before are behind it.
        self.sched.errors = 0;
        let end = self.op.ended_by.unwrap_or(TaskEnd::Unseen);
        let check = self.op.expect.check(seen);
        if check.is_ok() && self.op.proof().proven(end, self.op.accepted_at, v.evidence) {
            return self.finish(Phase::Succeeded, None, now);
        }
        let reported = end.is_reported();
        // An end the provider said (or showed, leaving the busy state it was seen in) is the
        // end; one it did not (a task gone, fields cleared unseen) may have come early.
        let said = match end {
            TaskEnd::Reported => true,
            TaskEnd::Settled { seen_working } => seen_working || v.evidence.settles_as_report,
            TaskEnd::Gone | TaskEnd::Unseen => false,
        };
        let from = if said { since } else { since.max(v.likely_by) };
        let busy = seen
            .vm
            .is_some_and(|vm| vm.locked || vm.power.is_transitional());
        let held = !said && busy && now < self.sched.deadline;
        if now.saturating_sub(from) >= v.grace && !held {
            let note = match check {
                Ok(()) => Note::NoEvidence { end },
                Err(why) if reported => Note::Disagrees(why),
                Err(why) => Note::Unverified { end, why },
            };
            return self.finish(Phase::NeedsCheck, Some(note), now);
        }
        self.op.note = Some(match check {
            Err(why) if reported => Note::Waiting(why),
            Err(why) => Note::Settling {
                end,
                why: Some(why),
            },
            Ok(()) => Note::Settling { end, why: None },
        });
        self.sched.due = Some(now + v.every);
        Effects::default()
    }

    /// Whether its deadline ends it: while its task is watched, and while its target cannot be
    /// read. Verifying has its own limit, the grace period after which it says what it saw —
    /// when its target can be read: one whose last read failed (the provider down, or holding
    /// its reads back) ends at its deadline, as one still watched does.
    pub fn bound_by_deadline(&self) -> bool {
        self.op.phase.is_observing() || (self.op.phase == Phase::Verifying && self.sched.errors > 0)
    }

    /// Past its deadline while its task was still being watched, or while its target could not
    /// be read: `TimedOut`. `held`: the provider holds the connection back (a rate limit) past
    /// the deadline.
    pub fn expire(&mut self, now: Millis, held: bool) -> Option<Effects> {
        if !self.bound_by_deadline() {
            return None;
        }
        let s = &self.sched;
        // One whose next look was due before its deadline gets that look first (however long
        // the request budget or a rate limit holds it back).
        let look_first = s.due.is_some_and(|d| d <= s.deadline) && !held;
        if now < s.deadline || s.waiting() || look_first {
            return None;
        }
        let note = Note::TimedOut {
            after: now - self.op.submitted_at,
            last: self.op.provider_status.clone(),
        };
        Some(self.finish(Phase::TimedOut, Some(note), now))
    }

    /// "Check now" on a timed-out or uncertain operation: look again — for its write where its
    /// fate is unknown and `can_find` (the provider can tell), at the task if it never ended,
    /// else at the target — with a short deadline of its own.
    pub fn check_now(&mut self, grace: Millis, can_find: bool, now: Millis) -> bool {
        if !self.op.phase.needs_check() {
            return false;
        }
        if can_find && self.submit_unsure() {
            let note = self.op.note.clone().unwrap_or(Note::ClosedBeforeAnswer);
            let taken = matches!(note, Note::AcceptedUnreadable(_));
            let sent = self.sched.sent_at.unwrap_or(self.op.submitted_at);
            self.start_finding(note, taken, sent, now);
            return true;
        }
        let task_unseen =
            self.op.provider_ref.is_some() && self.op.task_ended_at.is_none() && !self.is_watched();
        self.op.phase = if task_unseen || self.is_watched() {
            Phase::InProgress
        } else {
            Phase::Verifying
        };
        self.op.finished_at = None;
        self.sched = Sched {
            due: Some(now),
            verify_since: Some(now),
            deadline: deadline(&self.op, DeadlineFrom::Check { now, grace }),
            polls: self.sched.polls,
            sent_at: self.sched.sent_at,
            ..Sched::default()
        };
        true
    }

    /// Whether it ended because its write's fate was unknown (no task of it was ever seen).
    pub fn submit_unsure(&self) -> bool {
        self.op.provider_ref.is_none()
            && matches!(
                self.op.note,
                Some(
                    Note::MaybeSent { .. }
                        | Note::SubmitTimedOut { .. }
                        | Note::ServerErrorOnSubmit(_)
                        | Note::AcceptedUnreadable(_)
                        | Note::ClosedBeforeAnswer
                )
            )
    }

    /// An operation kept from before a reload (or from another tab), resumed: looked at again
    /// at once, on its original deadline (at least a short grace from now). One whose submit
    /// never got its answer cannot be resumed and asks to be checked; one whose write waits to
    /// be sent ([`Operation::queued`]) is sent.
    pub fn resume(op: Operation, grace: Millis, known: bool, now: Millis) -> OpRecord {
        let mut rec = OpRecord {
            op,
            sched: Sched::default(),
        };
        let queued = std::mem::take(&mut rec.op.queued);
        if !rec.op.is_open() {
            return rec;
        }
        if !known {
            rec.op.phase = Phase::NeedsCheck;
            rec.op.note = Some(Note::ConnectionMissing);
        } else if rec.op.phase == Phase::Submitted && queued {
            // Its write never went out (or came back unapplied): it goes out now.
            rec.sched = Sched {
                due: Some(now),
                deadline: deadline(
                    &rec.op,
                    DeadlineFrom::Action {
                        start: now,
                        floor: now,
                    },
                ),
                ..Sched::default()
            };
        } else if rec.op.phase == Phase::Submitted {
            rec.op.phase = Phase::NeedsCheck;
            rec.op.finished_at = Some(now);
            // A write looked for when the page closed keeps why its fate was unknown.
            if !rec.submit_unsure() {
                rec.op.note = Some(Note::ClosedBeforeAnswer);
            }
        } else {
            rec.sched = Sched {
                due: Some(now),
                verify_since: (rec.op.phase == Phase::Verifying).then_some(now),
                deadline: deadline(
                    &rec.op,
                    DeadlineFrom::Action {
                        start: rec.op.since(),
                        floor: now + grace.max(30 * SECOND),
                    },
                ),
                ..Sched::default()
            };
        }
        rec
    }
}
