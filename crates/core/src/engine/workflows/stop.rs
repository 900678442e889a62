//! The Stop, as the first steps of a workflow.
//!
//! - Where the provider forces a stop itself (Erigones), Stop is one request:
//!   `stop {"force": false, "timeout": grace}` ([`Action::ShutdownWithin`]). The countdown is
//!   shown from its acceptance; the provider forces at its end. "Force now" sends the forced
//!   stop (allowed over a `stopping` VM); "cancel" cancels the provider's task where it can,
//!   else says the provider will still force at the end.
//! - Elsewhere: shutdown; the countdown runs from the provider's acceptance of it to
//!   acceptance + grace. The VM verified off before → done, the power off step is skipped. At
//!   the end (or on "force now"): if the shutdown's task still runs and the provider takes one
//!   action at a time, the power off waits for the task to end; then the VM is looked at (data
//!   asked for after the task ended, and after a reload): off → done; still running → power
//!   off. A shutdown operation still open then is ended as `Superseded` ("forced off").
//! - A shutdown the provider refused (or whose request's fate is unknown) before any countdown
//!   started fails the workflow (or asks for a check) rather than forcing: no countdown was
//!   shown.

use std::ops::Range;

use super::{submit_step, WfRecord};
use crate::dialect::DialectKind;
use crate::engine::Core;
use crate::model::{Action, ActionKind, Operation, Phase, PowerState};
use crate::time::{Millis, SECOND};
use crate::words::{Note, StepLabel, StepNote, WfNote};
use crate::workflow::{StepState, Workflow};

/// How long a workflow waits for a re-read of its VM before asking again.
const REREAD_AGAIN: Millis = 10 * SECOND;

/// Where a workflow's stop stands.
pub(super) enum Stage {
    Wait,
    Done,
    /// Failed or needs a check, with why.
    Ended(Phase, WfNote),
}

fn ended_with(op: &Operation, label: StepLabel) -> Stage {
    let note = op.note.clone();
    match op.phase {
        Phase::TimedOut | Phase::NeedsCheck => {
            Stage::Ended(Phase::NeedsCheck, WfNote::StepNeedsCheck { label, note })
        }
        _ => Stage::Ended(Phase::Failed, WfNote::StepFailed { label, note }),
    }
}

fn skip_power_off(wf: &mut Workflow, po_at: Option<usize>, why: StepNote) {
    if let Some(j) = po_at {
        if wf.steps[j].op_id.is_none() {
            wf.steps[j].state = StepState::Skipped;
            wf.steps[j].note = Some(why);
        }
    }
}

/// Moves the Stop — the steps `range` of the workflow ([`super::stop_range`]) — on: sends its
/// shutdown, follows it, and powers the VM off at the countdown's end where it has to.
pub(super) fn drive_stop(
    core: &mut Core,
    rec: &mut WfRecord,
    range: Range<usize>,
    now: Millis,
) -> Stage {
    let wf = &mut rec.wf;
    let at = range.start;
    let stop = &wf.steps[range];
    if stop.iter().all(|s| s.state == StepState::Skipped) {
        return Stage::Done;
    }
    let Some(sd_at) = stop.iter().position(|s| s.kind == ActionKind::Shutdown) else {
        return Stage::Done;
    };
    let sd_at = at + sd_at;
    let po_at = stop
        .iter()
        .position(|s| s.kind == ActionKind::PowerOff)
        .map(|j| at + j);
    let grace_ms = Millis::from(wf.plan.grace_s()) * SECOND;
    let Some(provider) = core.conn(&wf.connection).map(|c| c.cfg.dialect) else {
        return Stage::Wait;
    };
    // The shutdown goes first.
    let Some(sd_id) = wf.steps[sd_at].op_id.clone() else {
        let action = if wf.provider_forces {
            Action::ShutdownWithin {
                timeout_s: wf.plan.grace_s(),
            }
        } else {
            Action::Shutdown
        };
        let going = WfNote::ShuttingDown;
        return send_step(core, wf, sd_at, action, StepLabel::ShutDown, going, now);
    };
    let Some(sd) = core.ops.get(&sd_id).map(|r| r.op.clone()) else {
        return Stage::Ended(Phase::NeedsCheck, WfNote::ShutdownUnknown);
    };
    if let (None, Some(acc)) = (wf.countdown, sd.accepted_at) {
        wf.countdown = Some((acc, acc + grace_ms));
    }
    if sd.phase == Phase::Succeeded {
        skip_power_off(wf, po_at, StepNote::NotNeededShutDown);
        wf.note = Some(WfNote::StoppedShutDown);
        return Stage::Done;
    }
    let po = po_at.and_then(|j| {
        let id = wf.steps[j].op_id.as_ref()?;
        core.ops.get(id).map(|r| (j, r.op.clone()))
    });
    if let Some((j, po)) = po {
        return power_off_sent(core, wf, &sd, j, &po, provider);
    }
    if wf.provider_forces {
        return provider_forced(core, wf, &sd, po_at, provider, now);
    }
    vigil_forces(core, rec, &sd, po_at, grace_ms, now)
}

/// Sends step `j`'s request: while it runs the workflow says `going`; refused, the workflow
/// ends, the step (`label`) having not started.
fn send_step(
    core: &mut Core,
    wf: &mut Workflow,
    j: usize,
    action: Action,
    label: StepLabel,
    going: WfNote,
    now: Millis,
) -> Stage {
    match submit_step(core, wf, j, action, now) {
        Ok(()) => {
            wf.note = Some(going);
            Stage::Wait
        }
        Err(why) => Stage::Ended(Phase::Failed, WfNote::StepCouldNotStart { label, why }),
    }
}

/// Where the power off (step `j`, its operation `po`) was sent already: done when it
/// succeeded, or when the VM turns out to be off after all; else waiting while it runs (or
/// while the provider may still force the VM off itself), or the stop ends as it did.
fn power_off_sent(
    core: &Core,
    wf: &mut Workflow,
    sd: &Operation,
    j: usize,
    po: &Operation,
    provider: DialectKind,
) -> Stage {
    if po.phase == Phase::Succeeded {
        wf.note = Some(if wf.provider_forces {
            WfNote::StoppedForcedByProvider
        } else {
            WfNote::StoppedPoweredOff {
                grace_s: wf.plan.grace_s(),
            }
        });
        return Stage::Done;
    }
    if po.is_open() {
        wf.note = Some(WfNote::PoweringOff);
        return Stage::Wait;
    }
    if matches!(po.phase, Phase::Failed | Phase::Cancelled) {
        // Refused because the VM is off after all (it shut down meanwhile)?
        if fresh_power(core, wf, po.submitted_at) == Some(PowerState::Stopped) {
            wf.note = Some(WfNote::StoppedShutDown);
            return Stage::Done;
        }
    }
    if wf.provider_forces && sd.is_open() {
        // The graceful stop may still end it (the provider forces at the countdown's end).
        wf.note = Some(WfNote::ForcedStopFailed {
            note: po.note.clone(),
            provider,
        });
        return Stage::Wait;
    }
    ended_with(po, wf.steps[j].label.clone())
}

/// Where the provider forces the VM off at the countdown's end by itself.
fn provider_forced(
    core: &mut Core,
    wf: &mut Workflow,
    sd: &Operation,
    po_at: Option<usize>,
    provider: DialectKind,
    now: Millis,
) -> Stage {
    if wf.force_requested && sd.phase.is_observing() {
        let j = po_at.expect("force_now adds the power off step");
        let (label, going) = (StepLabel::PowerOffNow, WfNote::ForcingOff);
        return send_step(core, wf, j, Action::PowerOff, label, going, now);
    }
    if sd.is_open() {
        wf.note = Some(WfNote::ProviderForcesAtEnd { provider });
        return Stage::Wait;
    }
    ended_with(sd, shutdown_label(wf, sd))
}

/// Where Vigil forces the VM off at the countdown's end.
fn vigil_forces(
    core: &mut Core,
    rec: &mut WfRecord,
    sd: &Operation,
    po_at: Option<usize>,
    grace_ms: Millis,
    now: Millis,
) -> Stage {
    let wf = &mut rec.wf;
    if sd.accepted_at.is_none() && !sd.is_open() && !wf.force_requested {
        // Refused, or its fate unknown: no countdown ever ran.
        return ended_with(sd, shutdown_label(wf, sd));
    }
    let end = wf.countdown.map(|(_, e)| e);
    let due = wf.force_requested || end.is_some_and(|e| now >= e);
    if !due {
        rec.wake = end;
        wf.note = Some(WfNote::CountingDown);
        return Stage::Wait;
    }
    let Some(c) = core.conn(&wf.connection) else {
        return Stage::Wait;
    };
    let (provider, over_running) = (c.cfg.dialect, c.caps.forces_over_running_shutdown);
    let task_running = matches!(
        sd.phase,
        Phase::Submitted | Phase::Accepted | Phase::InProgress
    );
    if task_running && !over_running {
        wf.note = Some(WfNote::WaitingForShutdownTask { provider });
        return Stage::Wait;
    }
    // Only data asked for after the shutdown's task ended (and after a reload) tells.
    let mut since = sd
        .task_ended_at
        .or(sd.accepted_at)
        .unwrap_or(sd.submitted_at);
    if let Some(r) = rec.resumed_at {
        since = since.max(r);
    }
    match fresh_power(core, wf, since) {
        Some(PowerState::Stopped) => {
            skip_power_off(wf, po_at, StepNote::NotNeededIsOff);
            wf.note = Some(WfNote::StoppedIsOff);
            Stage::Done
        }
        Some(_) => {
            let j = po_at.expect("a Stop forced by Vigil has a power off step");
            power_off(core, wf, sd, j, grace_ms, now)
        }
        None => look_before_power_off(core, rec, sd, since, now),
    }
}

/// The countdown is over and the VM still runs: the shutdown, if still open, ends as
/// superseded ("forced off"), and the power off (step `j`) is sent.
fn power_off(
    core: &mut Core,
    wf: &mut Workflow,
    sd: &Operation,
    j: usize,
    grace_ms: Millis,
    now: Millis,
) -> Stage {
    if sd.is_open() {
        if let Some(r) = core.ops.get_mut(&sd.id) {
            let note = Note::ForcedOffByStop { grace: grace_ms };
            let fx = r.finish(Phase::Superseded, Some(note), now);
            core.apply(&sd.id, fx, now, now);
        }
    }
    let label = StepLabel::PowerOffIfRunningAfter {
        grace_s: wf.plan.grace_s(),
    };
    let going = WfNote::PoweringOff;
    send_step(core, wf, j, Action::PowerOff, label, going, now)
}

/// The countdown is over but nothing asked for since `since` says whether the VM still runs:
/// the shutdown's own verification reads it; otherwise a read is asked for (again every
/// [`REREAD_AGAIN`]).
fn look_before_power_off(
    core: &mut Core,
    rec: &mut WfRecord,
    sd: &Operation,
    since: Millis,
    now: Millis,
) -> Stage {
    if sd.phase != Phase::Verifying {
        let asked = rec.reread_at;
        if asked.is_none_or(|t| t < since || now - t >= REREAD_AGAIN) {
            rec.reread_at = Some(now);
            core.rereads
                .push((rec.wf.connection.clone(), rec.wf.vm_id.clone()));
        }
        rec.wake = Some(rec.reread_at.unwrap_or(now) + REREAD_AGAIN);
    }
    rec.wf.note = Some(WfNote::LookingBeforePowerOff);
    Stage::Wait
}

/// The VM's power, if the data about it was asked for at or after `since`.
fn fresh_power(core: &Core, wf: &Workflow, since: Millis) -> Option<PowerState> {
    let c = core.conn(&wf.connection)?;
    let at = c.inv.fresh_at.get(&wf.vm_id).copied()?;
    if at < since {
        return None;
    }
    c.inv.get(&wf.vm_id).map(|v| v.power.clone())
}

/// The label of the step the shutdown `sd` carries.
fn shutdown_label(wf: &Workflow, sd: &Operation) -> StepLabel {
    wf.steps
        .iter()
        .find(|s| s.op_id.as_ref() == Some(&sd.id))
        .map(|s| s.label.clone())
        .unwrap_or(StepLabel::ShutDown)
}
