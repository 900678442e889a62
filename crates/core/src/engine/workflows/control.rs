//! The user's hand on a running workflow: force now, cancel.

use super::{stop_range, Workflows};
use crate::engine::rules::can_cancel;
use crate::engine::Core;
use crate::error::ApiError;
use crate::ids::{OpId, WfId};
use crate::model::{ActionKind, Phase};
use crate::time::Millis;
use crate::words::{CancelHow, Refusal, StepLabel, StepNote, WfNote};
use crate::workflow::{Step, StepState};

impl Workflows {
    /// Powers the VM off now instead of at the end of the countdown.
    pub fn force_now(&mut self, core: &mut Core, id: &WfId, now: Millis) -> Result<(), Refusal> {
        crate::engine::rules::force_now_allowed(self, id)?;
        let i = self.index(id).ok_or(Refusal::UnknownWorkflow)?;
        let wf = &mut self.list[i].wf;
        wf.force_requested = true;
        if wf.provider_forces && !wf.steps.iter().any(|s| s.kind == ActionKind::PowerOff) {
            let at = stop_range(wf).end;
            wf.steps
                .insert(at, Step::new(ActionKind::PowerOff, StepLabel::PowerOffNow));
        }
        wf.note = Some(WfNote::ForcingNow);
        self.changed.insert(id.clone());
        self.advance_one(core, i, now);
        Ok(())
    }

    /// Stops the workflow: nothing more is forced or started. Operations already sent keep
    /// being followed on their own; the note says what still happens.
    pub fn cancel(&mut self, core: &mut Core, id: &WfId, now: Millis) -> Result<(), Refusal> {
        crate::engine::rules::cancel_workflow_allowed(self, id)?;
        let i = self.index(id).ok_or(Refusal::UnknownWorkflow)?;
        let wf = self.list[i].wf.clone();
        let r = stop_range(&wf);
        let op_of = |s: &Step| s.op_id.as_ref().and_then(|id| core.ops.get(id));
        // A guarded change's snapshot still being taken is followed on its own too.
        let later_sent = wf.steps[r.end..]
            .iter()
            .find(|s| s.op_id.is_some())
            .or_else(|| {
                wf.steps[..r.start]
                    .iter()
                    .find(|s| op_of(s).is_some_and(|o| o.is_open()))
            });
        let stop = &wf.steps[r.clone()];
        let stop_over = stop.iter().any(|s| s.state == StepState::Done)
            || stop.iter().all(|s| s.state == StepState::Skipped);
        let find = |k: ActionKind| {
            wf.steps[r.clone()]
                .iter()
                .find(|s| s.kind == k)
                .and_then(op_of)
                .map(|r| r.op.clone())
        };
        let (shutdown, power_off) = (find(ActionKind::Shutdown), find(ActionKind::PowerOff));
        let provider = core.conn(&wf.connection).map(|c| c.cfg.dialect);
        let how = if let Some(step) = later_sent {
            if op_of(step).is_some_and(|r| r.is_open()) {
                CancelHow::StepSentAlone {
                    label: step.label.clone(),
                }
            } else {
                CancelHow::NothingMore
            }
        } else if stop_over {
            CancelHow::NothingMore
        } else if power_off.as_ref().is_some_and(|o| o.is_open()) {
            CancelHow::PowerOffSent
        } else if let (true, Some(provider)) = (wf.provider_forces, provider) {
            match &shutdown {
                Some(op) if can_cancel(core, &op.id) => {
                    if let Some(r) = core.ops.get_mut(&op.id) {
                        r.sched.cancel_requested = true;
                    }
                    CancelHow::AskingProviderToCancel { provider }
                }
                Some(op) if op.is_open() => CancelHow::ProviderStillForces { provider },
                _ => CancelHow::NothingMore,
            }
        } else if shutdown.as_ref().is_some_and(|o| o.is_open()) {
            CancelHow::NotForcing
        } else {
            CancelHow::WillNotForce
        };
        let rest_pending = wf.steps[r.end..]
            .iter()
            .any(|s| s.state == StepState::Pending);
        let later_dropped = !stop_over && later_sent.is_none() && rest_pending;
        let wf = &mut self.list[i].wf;
        for s in wf
            .steps
            .iter_mut()
            .filter(|s| s.state == StepState::Pending)
        {
            s.state = StepState::NotRun;
            s.note = Some(StepNote::Cancelled);
        }
        wf.note = Some(WfNote::Cancelled { how, later_dropped });
        self.end(i, Phase::Cancelled, now);
        Ok(())
    }

    /// The provider answered the cancel a workflow asked for (Erigones).
    pub fn note_cancel(&mut self, core: &Core, op: &OpId, refused: Option<ApiError>) {
        let cancelled = core
            .ops
            .get(op)
            .is_some_and(|r| r.op.phase == Phase::Cancelled);
        let Some(i) = self.list.iter().position(|r| {
            r.wf.phase == Phase::Cancelled
                && r.wf.steps.iter().any(|s| s.op_id.as_ref() == Some(op))
        }) else {
            return;
        };
        let Some(provider) = core
            .conn(&self.list[i].wf.connection)
            .map(|c| c.cfg.dialect)
        else {
            return;
        };
        let note = match refused {
            Some(why) => WfNote::ProviderRefusedCancel { provider, why },
            None if cancelled => WfNote::ProviderCancelledStop { provider },
            None => return,
        };
        self.list[i].wf.note = Some(note);
        self.changed.insert(self.list[i].wf.id.clone());
    }
}
