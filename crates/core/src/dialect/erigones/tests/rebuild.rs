//! Recreate: `POST /vm/{hostname}/ {"recreate": true, "force": true}` → `201 PENDING`; the VM
//! `stopped` and unlocked; it redeploys the current definition (same image), and a deploy ends
//! with the VM `running`.

use super::*;
use crate::model::{Mismatch, CURRENT_IMAGE};

fn recreate() -> Action {
    Action::Rebuild {
        image: CURRENT_IMAGE.into(),
    }
}

#[test]
fn a_recreate_posts_recreate_and_force_to_the_vm() {
    let v = vm("stopped", false);
    let req = request(&api(), &v, &recreate());
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/vm/{HOST}/"));
    assert_eq!(body(&req), json!({"recreate": true, "force": true}));
    let pending = HttpResponse::new(
        201,
        r#"{"status": "PENDING", "result": null, "task_id": "1e1d1-6f75849b-fdaf-4e6e-b580"}"#,
    );
    let acc = accept(&api(), &v, &recreate(), &pending, 0).unwrap();
    assert_eq!(acc.provider_ref, task_ref());
    assert!(!acc.state.is_terminal());
}

#[test]
fn only_a_stopped_unlocked_vm_is_recreated() {
    assert_eq!(
        api().allowed(&vm("stopped", false), ActionKind::Rebuild),
        Ok(())
    );
    for status in ["running", "stopping", "frozen"] {
        assert_eq!(
            api().allowed(&vm(status, false), ActionKind::Rebuild),
            Err(Refusal::MustBeStopped {
                status: status.into()
            }),
            "{status}"
        );
    }
    assert_eq!(
        api().allowed(&vm("stopped", true), ActionKind::Rebuild),
        Err(Refusal::PendingTasks)
    );
    assert!(matches!(
        api().allowed(&vm("deploying", false), ActionKind::Rebuild),
        Err(Refusal::NotOperational { .. })
    ));
}

#[test]
fn no_other_image_can_be_asked_for() {
    let other = Action::Rebuild {
        image: "centos-7".into(),
    };
    assert_eq!(
        api().validate(&other),
        Err(Refusal::RebuildsCurrentImageOnly {
            provider: DialectKind::Erigones
        })
    );
    assert_eq!(api().validate(&recreate()), Ok(()));
}

#[test]
fn done_is_the_vm_running_again_unlocked() {
    let before = vm("stopped", false);
    let expect = recreate().expectation_on(Some(&before), &CAPS);
    assert!(matches!(
        expect.check(Some(&vm("deploying", false))),
        Err(Mismatch::Power { .. })
    ));
    assert_eq!(
        expect.check(Some(&vm("running", true))),
        Err(Mismatch::Locked)
    );
    assert_eq!(expect.check(Some(&vm("running", false))), Ok(()));
    // The VM was stopped: running again is what proves it (a boot too).
    assert_eq!(
        recreate().proof(Some(&before), &expect),
        crate::model::Proof::Target
    );
}
