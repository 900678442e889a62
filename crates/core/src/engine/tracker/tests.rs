//! An operation's moves on its own, where no provider can reach them end to end: a password
//! reset whose task vanished (cloudsfor, the one provider that offers it, never forgets one).

use super::*;
use crate::ids::{ConnId, OpId, VmId};
use crate::model::{Action, Evidence, PowerState, Proof, Size, Target, Vm};
use crate::time::MINUTE;

const T: Millis = 1_767_225_600_000;

fn vm() -> Vm {
    Vm {
        id: VmId::new("v1"),
        name: "web-01".into(),
        power: PowerState::Running,
        status_raw: "running".into(),
        locked: false,
        size: Size::default(),
        region: None,
        image: None,
        snapshot_count: None,
        project: None,
        addresses: Vec::new(),
        image_id: None,
        uptime_s: None,
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    }
}

/// An operation of `action` on [`vm`], accepted at `T`, as the engine makes one.
fn accepted(action: Action) -> OpRecord {
    let before = vm();
    let expect = action.expectation(Some(&before), crate::model::Addressed::No);
    let proof = action.proof(Some(&before), &expect);
    let op = Operation {
        id: OpId("o1".into()),
        connection: ConnId::from("c"),
        target: Target::vm(before.id.clone(), before.name.clone()),
        expect,
        proof: Some(proof),
        action,
        phase: Phase::Accepted,
        submitted_at: T,
        accepted_at: Some(T),
        finished_at: None,
        stage: 0,
        provider_ref: Some(ProviderRef::Watch),
        provider_status: None,
        note: None,
        progress: None,
        attempt: None,
        attempt_since: None,
        task_ended_at: None,
        last_error: None,
        ended_by: None,
        seen_working_at: None,
        queued: false,
        origin: Default::default(),
    };
    OpRecord::new(op, T)
}

fn look(likely_by: Millis) -> Look {
    Look {
        stages: 1,
        next: T + 2_000,
        forced_after: None,
        likely_by,
    }
}

fn verify(ev: Evidence) -> Verify {
    Verify {
        grace: 20_000,
        every: 2_000,
        likely_by: T + 30_000,
        evidence: ev,
    }
}

fn at(now: Millis) -> Answer {
    Answer { now, sent: now }
}

/// Runs the verification of `rec` every 2 s against the VM as before, until it ends.
fn verify_until_it_ends(rec: &mut OpRecord, ev: Evidence, from: Millis) -> Millis {
    let mut now = from;
    while rec.is_open() {
        assert!(now < from + 10 * MINUTE, "no verdict");
        rec.verify(Some(&vm()), Some(now), verify(ev), now);
        now += 2_000;
    }
    now
}

#[test]
fn a_password_reset_whose_task_vanished_needs_a_check_never_done() {
    let mut rec = accepted(Action::PasswordReset);
    assert_eq!(rec.op.proof(), Proof::Evidence { boots: false });
    let gone = Observation {
        state: TaskState::Expired,
        raw_status: "not found".into(),
        ..Observation::default()
    };
    rec.observe(gone, look(T + 30_000), at(T + 5_000));
    assert_eq!(rec.op.phase, Phase::Verifying);
    assert_eq!(rec.op.ended_by, Some(TaskEnd::Gone));
    // An uptime says nothing of a password reset.
    let ev = Evidence {
        settles_as_report: false,
        up_since: Some(T + 1_000),
    };
    let ended = verify_until_it_ends(&mut rec, ev, T + 5_000);
    assert_eq!(rec.op.phase, Phase::NeedsCheck);
    assert_eq!(rec.op.note, Some(Note::NoEvidence { end: TaskEnd::Gone }));
    // Not before the reset has likely ended and the grace period passed.
    assert!(ended >= T + 50_000, "{ended}");
}

#[test]
fn a_password_reset_reported_done_is_done() {
    let mut rec = accepted(Action::PasswordReset);
    let done = Observation {
        state: TaskState::Succeeded,
        raw_status: "completed".into(),
        ..Observation::default()
    };
    rec.observe(done, look(T + 30_000), at(T + 5_000));
    rec.verify(
        Some(&vm()),
        Some(T + 5_000),
        verify(Evidence::default()),
        T + 5_000,
    );
    assert_eq!(rec.op.phase, Phase::Succeeded);
    assert_eq!(rec.op.note, None);
}

#[test]
fn a_stale_progress_note_goes_when_the_operation_ends() {
    let mut rec = accepted(Action::Reboot);
    rec.op.note = Some(Note::Waiting(crate::model::Mismatch::Locked));
    rec.finish(Phase::Succeeded, None, T + 1_000);
    assert_eq!(rec.op.note, None);
    // A note that says how it ended stays.
    let mut rec = accepted(Action::Reboot);
    rec.op.note = Some(Note::Provider("Successfully rebooted VM".into()));
    rec.finish(Phase::Succeeded, None, T + 1_000);
    assert!(matches!(rec.op.note, Some(Note::Provider(_))));
}

#[test]
fn a_resource_showing_no_operation_ends_ours_only_once_that_says_something() {
    let idle = |power: PowerState| Observation {
        state: TaskState::Idle,
        raw_status: "idle".into(),
        vm: Some(Vm {
            power: power.clone(),
            status_raw: format!("{power:?}").to_lowercase(),
            ..vm()
        }),
        ..Observation::default()
    };
    // A stop: idle and still running, early on — ours may not have begun.
    let mut rec = accepted(Action::Shutdown);
    rec.observe(idle(PowerState::Running), look(T + 60_000), at(T + 5_000));
    assert_eq!(rec.op.phase, Phase::InProgress);
    // Idle and stopped: the stop is over (the VM was running).
    rec.observe(idle(PowerState::Stopped), look(T + 60_000), at(T + 9_000));
    assert_eq!(rec.op.phase, Phase::Verifying);
    assert_eq!(
        rec.op.ended_by,
        Some(TaskEnd::Settled {
            seen_working: false
        })
    );
    // Seen working, then idle: over, whatever the VM shows.
    let mut rec = accepted(Action::Shutdown);
    let working = Observation {
        state: TaskState::Running,
        raw_status: "stop in_progress".into(),
        ..Observation::default()
    };
    rec.observe(working, look(T + 60_000), at(T + 3_000));
    rec.observe(idle(PowerState::Running), look(T + 60_000), at(T + 5_000));
    assert_eq!(
        rec.op.ended_by,
        Some(TaskEnd::Settled { seen_working: true })
    );
    // Never seen working, still as it was, past the likely end: over too (and checked).
    let mut rec = accepted(Action::Shutdown);
    rec.observe(idle(PowerState::Running), look(T + 60_000), at(T + 61_000));
    assert_eq!(rec.op.phase, Phase::Verifying);
}
