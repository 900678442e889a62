//! One operation's record — what is kept, its schedule and its flight — and every move it can
//! make. Each move acts on the record alone and returns what it needs from the rest of the
//! engine ([`Effects`]); the engine never edits an operation's fields anywhere else.

use crate::dialect::{Accepted, Observation};
use crate::error::ApiError;
use crate::ids::{Token, VmId};
use crate::model::{ActionKind, Operation, Phase, ProviderRef, TaskState, Vm};
use crate::time::{Millis, MINUTE, SECOND};
use crate::words::Note;

/// Past this, an operation still running becomes `TimedOut` ("check now").
pub fn deadline_for(kind: ActionKind) -> Millis {
    match kind {
        ActionKind::Rename => 2 * MINUTE,
        ActionKind::PowerOff => 3 * MINUTE,
        ActionKind::Start | ActionKind::PasswordReset => 5 * MINUTE,
        ActionKind::Reboot | ActionKind::PowerCycle | ActionKind::Shutdown => 6 * MINUTE,
        ActionKind::Delete => 10 * MINUTE,
        ActionKind::Resize => 20 * MINUTE,
        ActionKind::Create => 30 * MINUTE,
        ActionKind::Snapshot => 40 * MINUTE,
        ActionKind::RestoreBackup => 40 * MINUTE,
    }
}

/// Why a deadline is set: the one rule for all of them.
pub(crate) enum DeadlineFrom {
    /// The action's own deadline, counted from `start` (acceptance; submission until then),
    /// but never sooner than `floor`.
    Action { start: Millis, floor: Millis },
    /// "Check now": a short look of its own.
    Check { now: Millis, grace: Millis },
}

/// The deadline of an operation.
pub(crate) fn deadline(op: &Operation, from: DeadlineFrom) -> Millis {
    match from {
        DeadlineFrom::Action { start, floor } => {
            // A shutdown the provider forces at the end of a grace period may take that long
            // before anything happens.
            let extra = match op.action {
                crate::model::Action::ShutdownWithin { timeout_s } => {
                    Millis::from(timeout_s) * SECOND
                }
                _ => 0,
            };
            start
                .saturating_add(deadline_for(op.action.kind()))
                .saturating_add(extra)
                .max(floor)
        }
        DeadlineFrom::Check { now, grace } => now.saturating_add(grace.max(30 * SECOND)),
    }
}

/// An operation's schedule and flight (not kept across reloads).
#[derive(Clone, Debug, Default)]
pub(crate) struct Sched {
    /// When to send its next request.
    pub due: Option<Millis>,
    /// The request it waits for the answer of.
    pub flight: Option<Token>,
    /// Only data about the target asked for at or after this can verify it.
    pub verify_since: Option<Millis>,
    /// Failed reads in a row (backoff).
    pub errors: u32,
    pub deadline: Millis,
    /// Look at this one on its own next time (an observe-many answer did not list it).
    pub solo: bool,
    /// When the request went out whose answer first showed the task ended (an observe-many
    /// answer that lists every pending task no longer held it).
    pub ended_seen: Option<Millis>,
    /// A list of the VMs in the power state it waits for was read for it already.
    pub power_listed: bool,
    /// Looks and reads it has cost so far.
    pub polls: u32,
    /// When the latest look went out that saw the task not ended yet: it ended after that.
    pub seen_running: Option<Millis>,
    /// The user asked to cancel: the request goes out in the next round.
    pub cancel_requested: bool,
    /// When the current stage's write went out (kept when the operation ends, for "check now").
    pub sent_at: Option<Millis>,
    /// Its write's fate is unknown, and it is being looked for at the provider.
    pub finding: Option<crate::engine::unsure::Finding>,
}

impl Sched {
    pub fn waiting(&self) -> bool {
        self.flight.is_some()
    }
}

/// One operation's record.
#[derive(Clone, Debug)]
pub(crate) struct OpRecord {
    pub op: Operation,
    pub sched: Sched,
}

/// What a move needs from the rest of the engine.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Read this VM again on its own (show it as it really is now).
    pub reread: Option<VmId>,
    /// The provider's task ran this long: learn it as the action's duration.
    pub learned: Option<Millis>,
    /// VM data the move read: merge it (as read when the answered request went out).
    pub vm: Option<Vm>,
    /// Verify the waiting operations of this connection against what is now known.
    pub verify: bool,
    /// The operation ended in this phase.
    pub finished: Option<Phase>,
    /// What the provider showed once (a generated password): for the user now, kept nowhere.
    pub secret: Option<crate::dialect::Secret>,
}

/// What a move knows about the answer it handles.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Answer {
    pub now: Millis,
    /// When the answered request went out.
    pub sent: Millis,
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
            self.op.target.learn_id(id);
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
            return Effects {
                secret,
                ..self.observe(obs, stages, first_look, None, a)
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

    /// Moves the operation by what the provider said of its task. `next_look`: when the policy
    /// looks again if it still runs; `forced_after`: the provider forces such an action after
    /// this long (a run that long is not learned as its duration).
    pub fn observe(
        &mut self,
        obs: Observation,
        stages: u8,
        next_look: Millis,
        forced_after: Option<Millis>,
        a: Answer,
    ) -> Effects {
        let now = a.now;
        self.note_retry(&obs, a);
        self.take_report(&obs);
        let learned = self.took(&obs.state, forced_after, a);
        if let Some(vm) = &obs.vm {
            if self.op.target.vm_id().is_none() {
                self.op.target.learn_id(vm.id.clone());
            }
        }
        let verify = obs.vm.is_some() || self.sched.ended_seen.is_some();
        self.sched.flight = None;
        self.sched.errors = 0;
        let expired = obs.state == TaskState::Expired;
        let fx = match &obs.state {
            TaskState::Succeeded | TaskState::Expired if self.more_stages(stages) => {
                if expired {
                    // A stage's task gone without a word: the next stage's own checks tell.
                    self.op.note = Some(Note::TaskExpired);
                }
                self.next_stage(now);
                Effects::default()
            }
            TaskState::Succeeded | TaskState::Expired => self.task_ended(expired, a),
            TaskState::Failed | TaskState::Cancelled => self.task_failed(&obs, now),
            TaskState::Superseded { by } => {
                let note = Note::Superseded { by: by.clone() };
                self.finish(Phase::Superseded, Some(note), now)
            }
            TaskState::Pending | TaskState::Running | TaskState::Unknown(_) => {
                self.op.phase = Phase::InProgress;
                self.sched.due = Some(next_look);
                self.sched.seen_running = Some(a.sent.min(now));
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
    /// not how long the action takes). It ended between the last look that saw it running (or
    /// its start) and the look that saw it over: the middle of that, not the late end of it,
    /// which would teach looks later than they need be.
    fn took(&self, state: &TaskState, forced_after: Option<Millis>, a: Answer) -> Option<Millis> {
        if !state.is_terminal() || *state == TaskState::Expired {
            return None;
        }
        let since = self.op.attempt_since.or(self.op.accepted_at)?;
        let before = self.sched.seen_running.unwrap_or(since).max(since);
        let after = a.sent.min(a.now).max(before);
        let took = before + (after - before) / 2 - since;
        forced_after.is_none_or(|f| took < f).then_some(took)
    }

    /// The last stage's task ended (or is gone without a word, `expired`): the target is
    /// verified next.
    fn task_ended(&mut self, expired: bool, a: Answer) -> Effects {
        let now = a.now;
        self.op.phase = Phase::Verifying;
        self.op.task_ended_at = Some(now);
        if expired {
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
    pub fn watch(&mut self, seen: Option<&Vm>, next_look: Millis, a: Answer) -> Effects {
        self.sched.flight = None;
        self.sched.errors = 0;
        self.op.last_error = None;
        match self.op.expect.check(seen) {
            Ok(()) => {
                self.op.task_ended_at = Some(a.now);
                self.op.note = None;
                self.finish(Phase::Succeeded, None, a.now)
            }
            Err(m) => {
                self.op.phase = Phase::InProgress;
                self.op.provider_status = Some(match (&m, seen) {
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
    pub fn verify(
        &mut self,
        seen: Option<&Vm>,
        fresh: Option<Millis>,
        grace: Millis,
        every: Millis,
        now: Millis,
    ) -> Effects {
        let since = self.sched.verify_since.unwrap_or(now);
        if fresh.is_none_or(|t| t < since) {
            return Effects::default(); // Data from before the task ended says nothing.
        }
        match self.op.expect.check(seen) {
            Ok(()) => {
                if matches!(self.op.note, Some(Note::Waiting(_))) {
                    self.op.note = None;
                }
                self.finish(Phase::Succeeded, None, now)
            }
            Err(why) if now - since >= grace => {
                self.finish(Phase::NeedsCheck, Some(Note::Disagrees(why)), now)
            }
            Err(why) => {
                self.op.note = Some(Note::Waiting(why));
                self.sched.due = Some(now + every);
                Effects::default()
            }
        }
    }

    /// Past its deadline while its task was still being watched: `TimedOut`. `held`: the
    /// provider holds the connection back (a rate limit) past the deadline.
    pub fn expire(&mut self, now: Millis, held: bool) -> Option<Effects> {
        if !self.op.phase.is_observing() {
            // Verifying has its own limit: the grace period, after which it says what it saw.
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
    /// never got its answer cannot be resumed and asks to be checked.
    pub fn resume(op: Operation, grace: Millis, known: bool, now: Millis) -> OpRecord {
        let mut rec = OpRecord {
            op,
            sched: Sched::default(),
        };
        if !rec.op.is_open() {
            return rec;
        }
        if !known {
            rec.op.phase = Phase::NeedsCheck;
            rec.op.note = Some(Note::ConnectionMissing);
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
