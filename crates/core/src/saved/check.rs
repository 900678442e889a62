//! Whether a kept value can be true: every moment in it is one a clock can say (from 1970 to the
//! end of year 9999), an operation's proof is one its action can have, and a workflow's steps
//! are those its plan makes. Anything else comes from corruption (arithmetic on it could
//! overflow; a Stop without its power off cannot go on; a reboot proven by the VM merely running
//! would be *done* unproven): such an entry is refused whole where it comes in (storage, another
//! tab).

use crate::model::{ActionKind, Operation, Proof, ProviderRef};
use crate::time::Millis;
use crate::workflow::{Bulk, Plan, Workflow};

/// 9999-12-31T23:59:59.999Z: the latest moment a kept value may name.
pub const LATEST: Millis = 253_402_300_799_999;

fn at(t: Millis) -> bool {
    (0..=LATEST).contains(&t)
}

fn maybe(t: Option<Millis>) -> bool {
    t.is_none_or(at)
}

/// Every moment of the operation is one a clock can say, and what proves it is what its action
/// can be proven by.
pub fn plausible_op(op: &Operation) -> bool {
    let accepted = match &op.provider_ref {
        Some(ProviderRef::ZennoCommand { accepted_at, .. }) => at(*accepted_at),
        _ => true,
    };
    accepted
        && at(op.submitted_at)
        && maybe(op.accepted_at)
        && maybe(op.finished_at)
        && maybe(op.attempt_since)
        && maybe(op.task_ended_at)
        && maybe(op.seen_working_at)
        && op.proof.is_none_or(|p| proof_fits(op.action.kind(), p))
}

/// What can prove an action of `kind` ([`crate::model::Action::proof`]): evidence, booting as
/// the action does; the target only where the action can leave the VM otherwise than it found
/// it. A reboot kept as proven by its target would be *done* on a VM that merely kept running.
fn proof_fits(kind: ActionKind, proof: Proof) -> bool {
    match proof {
        Proof::Target => !kind.leaves_vm_as_found(),
        Proof::Evidence { boots } => boots == kind.boots(),
    }
}

/// Every moment of the workflow is one a clock can say, and its steps are those its plan makes.
pub fn plausible_workflow(wf: &Workflow) -> bool {
    at(wf.started_at)
        && maybe(wf.finished_at)
        && wf.countdown.is_none_or(|(from, to)| at(from) && at(to))
        && steps_fit(wf)
}

/// The steps a workflow of its plan has: shut down and power off (only shut down where the
/// provider forces the VM off itself and no one asked to force it now), then for a cold resize
/// the resize and, if asked, the start. A guarded change: its snapshot, then (a stop, the
/// change, maybe a start) or the change alone; a rollback likewise without the snapshot.
fn steps_fit(wf: &Workflow) -> bool {
    use ActionKind::{Resize, RestoreSnapshot, Snapshot, Start};
    let kinds: Vec<ActionKind> = wf.steps.iter().map(|s| s.kind).collect();
    match &wf.plan {
        Plan::Stop { .. } => stop_fits(wf, &kinds).is_some_and(<[ActionKind]>::is_empty),
        Plan::ColdResize { start_after, .. } => {
            let want: &[ActionKind] = if *start_after {
                &[Resize, Start]
            } else {
                &[Resize]
            };
            stop_fits(wf, &kinds) == Some(want)
        }
        Plan::Guarded { change, .. } => {
            kinds.first() == Some(&Snapshot) && change_fits(wf, &kinds[1..], change.kind())
        }
        Plan::RollBack { .. } => change_fits(wf, &kinds, RestoreSnapshot),
    }
}

/// `kinds` are `change` alone, or a stop, `change` and maybe a start.
fn change_fits(wf: &Workflow, kinds: &[ActionKind], change: ActionKind) -> bool {
    kinds == [change]
        || stop_fits(wf, kinds)
            .is_some_and(|rest| rest == [change] || rest == [change, ActionKind::Start])
}

/// The steps after the stop `kinds` begin with, where they begin with one.
fn stop_fits<'a>(wf: &Workflow, kinds: &'a [ActionKind]) -> Option<&'a [ActionKind]> {
    use ActionKind::{PowerOff, Shutdown};
    let stop_len = if kinds.get(1) == Some(&PowerOff) {
        2
    } else {
        1
    };
    let (stop, rest) = kinds.split_at(stop_len.min(kinds.len()));
    let fits = stop == [Shutdown, PowerOff]
        || (wf.provider_forces && !wf.force_requested && stop == [Shutdown]);
    fits.then_some(rest)
}

/// Every moment of the bulk is one a clock can say.
pub fn plausible_bulk(b: &Bulk) -> bool {
    at(b.started_at) && maybe(b.finished_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Phase, Resize};
    use crate::words::StepLabel;
    use crate::workflow::{GuardedChange, Step};
    use ActionKind::{PowerOff, Rebuild, RestoreSnapshot, Shutdown, Snapshot, Start};

    fn wf(plan: Plan, kinds: &[ActionKind]) -> Workflow {
        Workflow {
            id: "w1".into(),
            connection: "c1".into(),
            vm_id: "v1".into(),
            vm_name: "web-01".into(),
            plan,
            steps: kinds
                .iter()
                .map(|k| Step::new(*k, StepLabel::Start))
                .collect(),
            phase: Phase::InProgress,
            started_at: 1_000,
            finished_at: None,
            countdown: None,
            note: None,
            provider_forces: false,
            force_requested: false,
        }
    }

    #[test]
    fn guarded_and_rollback_steps_read_back_only_as_their_plans_make_them() {
        let guarded = Plan::Guarded {
            change: GuardedChange::Rebuild {
                image: "201".into(),
            },
            snapshot_name: "pre".into(),
        };
        let back = Plan::RollBack {
            guarded: "w0".into(),
            snapshot_id: "s1".into(),
            snapshot_name: "pre".into(),
        };
        for (plan, kinds) in [
            (&guarded, &[Snapshot, Rebuild][..]),
            (&guarded, &[Snapshot, Shutdown, PowerOff, Rebuild, Start]),
            (&guarded, &[Snapshot, Shutdown, PowerOff, Rebuild]),
            (&back, &[RestoreSnapshot]),
            (&back, &[Shutdown, PowerOff, RestoreSnapshot, Start]),
        ] {
            let w = wf(plan.clone(), kinds);
            assert!(plausible_workflow(&w), "{kinds:?}");
            // Kept as text and read back whole.
            let text = serde_json::to_string(&w).unwrap();
            assert_eq!(serde_json::from_str::<Workflow>(&text).unwrap(), w);
        }
        let resize = Plan::Guarded {
            change: GuardedChange::Resize(Resize::Flavor { id: "5".into() }),
            snapshot_name: "pre".into(),
        };
        for (plan, kinds) in [
            // No snapshot first, or a change other than the plan's.
            (&guarded, &[Rebuild][..]),
            (&resize, &[Snapshot, Rebuild]),
            // A stop without its power off (the provider does not force), a stray step.
            (&guarded, &[Snapshot, Shutdown, Rebuild]),
            (&back, &[RestoreSnapshot, Start]),
            (&back, &[Snapshot, RestoreSnapshot]),
        ] {
            assert!(!plausible_workflow(&wf(plan.clone(), kinds)), "{kinds:?}");
        }
    }
}
