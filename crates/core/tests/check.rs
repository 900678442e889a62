//! `View::check`: whether a command would be refused now, by the same checks
//! `handle_command` makes, without carrying it out — what a following tab asks before it
//! forwards an intent to the polling one.

mod common;

use common::*;
use vigil_core::workflow::{BulkWork, Plan, MAX_STOP_GRACE_S};
use vigil_core::{
    Action, ActionKind, Command, ConnId, DialectKind, Engine, OpId, Pace, PowerState, Refusal,
    VmId, VmSpec, WfId,
};

fn running(w: &World) -> (ConnId, VmId, String) {
    let vm = w.vm_where(|v| v.power == PowerState::Running && !v.locked);
    ("c".into(), vm.id, vm.name)
}

/// What the view says of `cmd`, then what the engine does with it: the same verdict.
fn same_verdict(e: &mut Engine, cmd: Command, now: i64) -> Result<(), Refusal> {
    let said = e.view().check(&cmd);
    let done = e.handle_command(cmd.clone(), now).map(drop);
    assert_eq!(said, done, "{cmd:?}");
    said
}

#[test]
fn the_view_refuses_what_the_engine_refuses() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(3, 0.0));
    let now = w.now;
    let (conn, vm, name) = running(&w);
    let e = &mut w.engine;
    let gone: ConnId = "nowhere".into();
    let refused = [
        (
            Command::Delete {
                conn: conn.clone(),
                vm: vm.clone(),
                typed_name: format!("{name}x"),
            },
            Refusal::TypeNameToConfirm { name: name.clone() },
        ),
        (
            Command::Act {
                conn: conn.clone(),
                vm: vm.clone(),
                action: Action::Delete { stop_first: false },
            },
            Refusal::NotOffered {
                provider: DialectKind::Cloudsfor,
            },
        ),
        (
            Command::Act {
                conn: conn.clone(),
                vm: vm.clone(),
                action: Action::Start,
            },
            Refusal::AlreadyRunning,
        ),
        (
            Command::Act {
                conn: conn.clone(),
                vm: "no-such-vm".into(),
                action: Action::Reboot,
            },
            Refusal::VmNotListed,
        ),
        (
            Command::Act {
                conn: conn.clone(),
                vm: vm.clone(),
                action: Action::Rename { name: "  ".into() },
            },
            Refusal::EnterName,
        ),
        (
            Command::Create {
                conn: conn.clone(),
                spec: VmSpec::default(),
            },
            Refusal::EnterName,
        ),
        (
            Command::Workflow {
                conn: conn.clone(),
                vm: vm.clone(),
                plan: Plan::Stop { grace_s: 0 },
            },
            Refusal::GraceOutOfRange {
                max_s: MAX_STOP_GRACE_S,
            },
        ),
        (
            Command::Bulk {
                targets: Vec::new(),
                work: BulkWork::Action(Action::Reboot),
            },
            Refusal::NoVmSelected,
        ),
        (
            Command::Cancel {
                op: OpId::from("no-such-op"),
            },
            Refusal::UnknownOperation,
        ),
        (
            Command::Retry {
                op: OpId::from("no-such-op"),
            },
            Refusal::UnknownOperation,
        ),
        (
            Command::ForceNow {
                workflow: WfId::from("no-such-workflow"),
            },
            Refusal::UnknownWorkflow,
        ),
        (
            Command::CancelWorkflow {
                workflow: WfId::from("no-such-workflow"),
            },
            Refusal::UnknownWorkflow,
        ),
        (
            Command::Refresh { conn: gone.clone() },
            Refusal::UnknownConnection,
        ),
        (
            Command::LoadCatalogue {
                conn: gone,
                region: None,
            },
            Refusal::UnknownConnection,
        ),
    ];
    for (cmd, why) in refused {
        assert_eq!(same_verdict(e, cmd, now), Err(why));
    }
    assert!(
        e.view().operations().next().is_none(),
        "nothing refused was started"
    );
}

#[test]
fn a_check_changes_nothing_and_agrees_with_the_command_that_follows() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(4, 0.0));
    let (conn, vm, name) = running(&w);
    let reboot = Command::Act {
        conn: conn.clone(),
        vm: vm.clone(),
        action: Action::Reboot,
    };
    w.engine.events();
    let before = w.engine.view().saved_state();
    for _ in 0..3 {
        assert_eq!(w.engine.view().check(&reboot), Ok(()));
    }
    assert_eq!(w.engine.view().saved_state(), before);
    assert!(w.engine.events().is_empty(), "a check says nothing");
    let now = w.now;
    assert_eq!(same_verdict(&mut w.engine, reboot.clone(), now), Ok(()));
    let op = w.engine.view().operations().next().unwrap().id.clone();
    // The reboot is open on the VM: another intent on it is refused, by both.
    let busy = Refusal::BusyWithOperation {
        vm: name.clone(),
        action: Action::Reboot,
    };
    assert_eq!(same_verdict(&mut w.engine, reboot, now), Err(busy.clone()));
    let delete = Command::Delete {
        conn: conn.clone(),
        vm: vm.clone(),
        typed_name: name.clone(),
    };
    assert_eq!(same_verdict(&mut w.engine, delete, now), Err(busy));
    // Nothing to check on an operation whose outcome is not in doubt, nothing to retry.
    assert_eq!(
        same_verdict(&mut w.engine, Command::CheckNow { op: op.clone() }, now),
        Err(Refusal::NothingToCheck)
    );
    assert_eq!(
        same_verdict(&mut w.engine, Command::Retry { op: op.clone() }, now),
        Err(Refusal::CannotRetry)
    );
    // cloudsfor cancels no task.
    assert_eq!(
        same_verdict(&mut w.engine, Command::Cancel { op: op.clone() }, now),
        Err(Refusal::CannotCancel)
    );
    w.run_until(10 * 60_000, |e| !e.op(&op).is_open());
    let now = w.now;
    // Once it is over, the right name deletes.
    let delete = Command::Delete {
        conn,
        vm,
        typed_name: format!(" {name} "),
    };
    assert_eq!(same_verdict(&mut w.engine, delete, now), Ok(()));
}

#[test]
fn a_following_tab_checks_as_the_polling_one_would() {
    let mut w = World::new(DialectKind::Erigones, scenario(5, 0.0));
    let (conn, vm, name) = running(&w);
    let mut follower = Engine::new("f");
    let cfg = w.engine.view().connection(&conn).cloned().unwrap();
    follower.pace(Pace::Follower, w.now);
    follower.add(cfg, w.now);
    let share = w.engine.share_all(w.now);
    follower.mirror(share, w.now);
    let stop = Command::Workflow {
        conn: conn.clone(),
        vm: vm.clone(),
        plan: Plan::Stop { grace_s: 60 },
    };
    let wrong = Command::Delete {
        conn: conn.clone(),
        vm: vm.clone(),
        typed_name: "another".into(),
    };
    for cmd in [&stop, &wrong] {
        assert_eq!(follower.view().check(cmd), w.engine.view().check(cmd));
    }
    assert_eq!(
        follower.view().check(&wrong),
        Err(Refusal::TypeNameToConfirm { name: name.clone() })
    );
    // The leader runs the Stop; the follower learns of it from what is shared, and refuses
    // what the leader would.
    let now = w.now;
    let wf = w.engine.handle_command(stop.clone(), now).unwrap();
    let wf = wf.workflow().cloned().unwrap();
    // Its shutdown accepted (one made but not sent yet is not shared: a reload would send it).
    w.run_until(30_000, |e| {
        e.wf(&wf).steps[0]
            .op_id
            .as_ref()
            .is_some_and(|op| e.op(op).accepted_at.is_some())
    });
    let share = w.engine.share_all(w.now);
    follower.mirror(share, w.now);
    let busy = w.engine.view().check(&stop);
    assert!(
        matches!(busy, Err(Refusal::BusyWithWorkflow { .. })),
        "{busy:?}"
    );
    assert_eq!(follower.view().check(&stop), busy);
    let force = Command::ForceNow { workflow: wf };
    assert_eq!(follower.view().check(&force), w.engine.view().check(&force));
    assert_eq!(
        follower.view().check(&Command::Act {
            conn,
            vm,
            action: Action::simple(ActionKind::Reboot).unwrap(),
        }),
        w.engine.view().check(&Command::Act {
            conn: "c".into(),
            vm: w.vm_where(|v| v.name == name).id,
            action: Action::Reboot,
        })
    );
}
