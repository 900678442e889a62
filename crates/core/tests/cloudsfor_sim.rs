//! cloudsfor: vigil-core against the independent simulator, end to end.

mod common;

use common::*;
use vigil_core::{Action, DialectKind, Note, Phase, PowerState, Resize, Resource};

#[test]
fn every_action_reaches_a_verified_end() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(3, 0.0));
    assert_eq!(w.vms().len(), 12);
    let running = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    for action in [
        Action::Reboot,
        Action::PowerCycle,
        Action::PasswordReset,
        Action::Rename {
            name: "renamed-01".into(),
        },
        Action::Snapshot {
            name: "before-upgrade".into(),
            description: String::new(),
        },
        Action::PowerOff,
        Action::Resize(Resize::One {
            resource: Resource::Ram,
            size: 16,
        }),
        Action::Resize(Resize::All {
            cpu: 4,
            ram: 16,
            disk: 200,
        }),
        Action::Start,
    ] {
        let what = format!("{action:?}");
        let op = w.run_op(&running, action);
        assert_eq!(op.phase, Phase::Succeeded, "{what}: {:?}", op.note);
        assert!(op.finished_at.unwrap() > op.accepted_at.unwrap());
    }
    let vm = w.engine.vm("c", &running).unwrap();
    assert_eq!(vm.name, "renamed-01");
    assert_eq!(vm.size.vcpus, Some(4));
    assert_eq!(vm.power, PowerState::Running);
}

#[test]
fn errored_actions_fail_with_the_providers_status() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(4, 1.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let op = w.run_op(&vm, Action::Reboot);
    assert_eq!(op.phase, Phase::Failed);
    assert!(
        matches!(&op.note, Some(Note::Reported { cancelled: false, status, .. }) if status == "errored"),
        "{:?}",
        op.note
    );
}

#[test]
fn refused_credentials_show_the_providers_words() {
    let w = World::with_credentials(
        DialectKind::Cloudsfor,
        scenario(1, 0.0),
        vigil_core::Credentials::Basic {
            user: "demo@vigil.test".into(),
            password: "wrong".into(),
        },
    );
    match w.engine.list_state("c") {
        Some(vigil_core::ListState::Failed { error, .. }) => {
            assert_eq!(error.kind, vigil_core::ErrorKind::Unauthorized);
            assert!(!error.to_string().contains("wrong"));
            assert!(!format!("{error:?}").contains("wrong"));
        }
        other => panic!("{other:?}"),
    }
}
