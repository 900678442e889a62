//! Reinstall: `POST /compute/instances/{id}/reinstall {"image_id", "os_name"?}` → `202 Task
//! (reinstall_os)`; done when `completed`, Instance `running`, image the new one.

use serde_json::Value;

use super::*;
use crate::error::ErrorKind;
use crate::model::Mismatch;

fn reinstall(image: &str) -> Action {
    Action::Rebuild {
        image: image.into(),
    }
}

fn reinstall_task(status: &str) -> Value {
    json!({"id": "t-77", "instance_id": ID, "instance": {"id": ID, "name": "web-01"},
           "task_type": "reinstall_os", "status": status, "result": null,
           "started_at": null, "completed_at": null, "retry_count": 0, "max_retries": 2,
           "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
           "created_by": null, "parameters": {"image_id": "204"}})
}

#[test]
fn a_reinstall_posts_the_image_id_and_follows_its_reinstall_os_task() {
    let v = vm("running");
    let req = request(&api(), &v, &reinstall(" 204 "));
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}/reinstall"));
    let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(body, json!({"image_id": "204"}));
    let resp = HttpResponse::new(202, reinstall_task("pending").to_string());
    let acc = accept(&api(), &v, &reinstall("204"), &resp, 0).unwrap();
    assert_eq!(
        acc.provider_ref,
        ProviderRef::OnetTask {
            instance_id: ID.into(),
            task_id: "t-77".into()
        }
    );
    assert_eq!(acc.state, TaskState::Pending);
    // Any 2xx with an Instance instead (the Corrections): its newest `reinstall_os` task.
    let instance = json!({"id": ID, "name": "web-01", "status": "pending"}).to_string();
    let acc = accept(
        &api(),
        &v,
        &reinstall("204"),
        &HttpResponse::new(200, instance),
        0,
    )
    .unwrap();
    assert_eq!(
        acc.provider_ref,
        ProviderRef::OnetInstanceTask {
            instance_id: ID.into(),
            task_type: "reinstall_os".into()
        }
    );
}

#[test]
fn the_reinstall_task_ends_only_on_a_terminal_status() {
    let r = ProviderRef::OnetTask {
        instance_id: ID.into(),
        task_id: "t-77".into(),
    };
    let observe = |status: &str| {
        let resp = HttpResponse::new(200, reinstall_task(status).to_string());
        api().parse_observation(&r, &resp, 0).unwrap()
    };
    assert_eq!(observe("running").state, TaskState::Running);
    assert_eq!(observe("completed").state, TaskState::Succeeded);
    // A failed attempt with retries left is retried, not failed (the sheet's retry loop).
    assert_eq!(observe("failed").state, TaskState::Running);
    let mut spent = reinstall_task("failed");
    spent["retry_count"] = json!(2);
    let resp = HttpResponse::new(200, spent.to_string());
    let obs = api().parse_observation(&r, &resp, 0).unwrap();
    assert_eq!(obs.state, TaskState::Failed);
    for odd in ["reinstalling", "queued_for_image", ""] {
        let obs = observe(odd);
        assert!(!obs.state.is_terminal(), "{odd:?}: {:?}", obs.state);
    }
}

#[test]
fn a_refused_image_is_a_bad_request_and_a_busy_instance_a_conflict() {
    let v = vm("running");
    let fields = HttpResponse::new(
        400,
        r#"{"image_id": ["Invalid pk \"999\" - object does not exist."]}"#,
    );
    let e = accept(&api(), &v, &reinstall("999"), &fields, 0).unwrap_err();
    assert_ne!(e.kind, ErrorKind::Conflict);
    let busy = HttpResponse::new(
        400,
        r#"{"detail": "Instance already has a task in progress."}"#,
    );
    let e = accept(&api(), &v, &reinstall("204"), &busy, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
}

#[test]
fn done_is_running_on_the_new_image() {
    let listed = |status: &str, image: Value| {
        parse::parse_vm(&json!({"id": ID, "name": "web-01", "status": status, "image": image}))
            .unwrap()
    };
    let before = listed(
        "running",
        json!({"id": 201, "name": "Ubuntu", "os_name": "ubuntu"}),
    );
    assert_eq!(before.image_id.as_deref(), Some("201"));
    let expect = reinstall("204").expectation_on(Some(&before), &CAPS);
    let new = json!({"id": 204, "name": "Debian", "os_name": "debian"});
    assert!(matches!(
        expect.check(Some(&before)),
        Err(Mismatch::Image { .. })
    ));
    assert!(matches!(
        expect.check(Some(&listed("pending", new.clone()))),
        Err(Mismatch::Power { .. })
    ));
    assert_eq!(expect.check(Some(&listed("running", new))), Ok(()));
    assert_eq!(api().allowed(&vm("stopped"), ActionKind::Rebuild), Ok(()));
    assert_eq!(
        api().allowed(&vm("pending"), ActionKind::Rebuild),
        Err(Refusal::TaskRunning)
    );
}
