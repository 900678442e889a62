//! Rebuild: `{"type": "rebuild", "image"}` → `201 {"action"}`; done when `completed` AND
//! `vm.image` is the new image.

use super::*;
use crate::model::{Expect, Mismatch, CURRENT_IMAGE};

fn rebuild(image: &str) -> Action {
    Action::Rebuild {
        image: image.into(),
    }
}

#[test]
fn a_rebuild_posts_the_rebuild_action_with_the_distro() {
    let v = vm("running", false);
    let req = request(&api(), &v, &rebuild(" Debian "));
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        req.url,
        "https://cloudsfor.com/api/v1/vms/5609f1ee1b0c4d2da622737b5ca25e6c/actions"
    );
    assert_eq!(body(&req), json!({"type": "rebuild", "image": "Debian"}));
    let answer = r#"{"action": {"id": "5609f1ee1b0c4d2da622737b5ca25e6c", "status": "in-progress",
        "type": "rebuild", "started_at": "2026-01-01T00:00:00Z", "completed_at": null,
        "resource_type": "vm", "region": "moscow_01",}}"#;
    let acc = accept(
        &api(),
        &v,
        &rebuild("Debian"),
        &HttpResponse::new(201, answer),
        0,
    )
    .unwrap();
    assert_eq!(acc.state, TaskState::Running);
    assert!(matches!(
        acc.provider_ref,
        ProviderRef::CloudsforAction { ref action_type, .. } if action_type == "rebuild"
    ));
}

#[test]
fn a_rebuild_is_offered_on_a_running_or_stopped_vm_not_a_locked_one() {
    for status in ["running", "stopped"] {
        assert_eq!(
            api().allowed(&vm(status, false), ActionKind::Rebuild),
            Ok(())
        );
    }
    assert_eq!(
        api().allowed(&vm("running", true), ActionKind::Rebuild),
        Err(Refusal::Locked)
    );
    assert!(CAPS.offers(ActionKind::Rebuild));
}

#[test]
fn the_vm_is_done_only_once_it_shows_the_new_distro() {
    let listed = |distro: &str| {
        let v = json!({"id": "5609f1ee1b0c4d2da622737b5ca25e6c", "name": "web-01",
            "status": "running", "locked": false, "memory": 1, "vcpus": 1, "disk": 25,
            "image": {"id": 106_433_672, "distro": distro, "name": "12 x64"}});
        parse::parse_vm(&v).unwrap()
    };
    let before = listed("Ubuntu");
    assert_eq!(before.image_id.as_deref(), Some("Ubuntu"));
    let expect = rebuild("Debian").expectation_on(Some(&before), &CAPS);
    assert_eq!(
        expect.check(Some(&before)),
        Err(Mismatch::Image {
            current: Some("Ubuntu".into())
        })
    );
    assert_eq!(expect.check(Some(&listed("Debian"))), Ok(()));
    // The sheet's "done" says nothing of power: a stopped, rebuilt VM is rebuilt.
    let mut off = listed("Debian");
    off.power = PowerState::Stopped;
    assert_eq!(expect.check(Some(&off)), Ok(()));
    // A VM that shows no image proves nothing.
    let mut blank = listed("Debian");
    blank.image_id = None;
    assert!(matches!(expect, Expect::Shows(_)));
    assert_eq!(
        expect.check(Some(&blank)),
        Err(Mismatch::Image { current: None })
    );
    assert_eq!(
        crate::rebuild::check_image(&CAPS, None, CURRENT_IMAGE),
        Err(Refusal::ChooseImage)
    );
}
