//! Tasks: their status, many at once, cancelling.

use serde_json::json;

use super::*;

#[test]
fn the_task_status_code_mirrors_the_state() {
    let req = api().observe_request(&task_ref());
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        "https://my.erigones.com/api/task/1e1d1-6f75849b-fdaf-4e6e-b580/status/"
    );
    let obs = |code, text: &str| {
        api()
            .parse_observation(&task_ref(), &HttpResponse::new(code, text), 0)
            .unwrap()
    };
    let o = obs(201, DOC_ACCEPTED);
    assert_eq!(o.state, TaskState::Pending);
    let o = obs(
        201,
        r#"{"status": "STARTED", "result": null, "task_id": "1e1d1-6f75849b-fdaf-4e6e-b580"}"#,
    );
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(o.raw_status, "STARTED");

    let o = obs(200, DOC_START_DONE);
    assert_eq!(o.state, TaskState::Succeeded);
    assert_eq!(
        o.message.as_deref(),
        Some("Successfully started VM example.cust.erigones.com")
    );

    let o = obs(
        400,
        r#"{"status": "FAILURE", "result": {"message": "vmadm failed", "returncode": 1, "detail": "Failed to reboot VM: vmadm reboot exited with error"}, "task_id": "1e1d1-x"}"#,
    );
    assert_eq!(o.state, TaskState::Failed);
    assert_eq!(o.raw_status, "FAILURE");
    assert_eq!(
        o.message.as_deref(),
        Some("Failed to reboot VM: vmadm reboot exited with error")
    );

    let o = obs(
        410,
        r#"{"status": "REVOKED", "result": {"detail": "Task was revoked"}, "task_id": "1e1d1-x"}"#,
    );
    assert_eq!(o.state, TaskState::Cancelled);
    assert_eq!(o.message.as_deref(), Some("Task was revoked"));

    let o = obs(404, r#"{"detail": "Task does not exist (anymore)"}"#);
    assert_eq!(o.state, TaskState::Expired);
    assert_eq!(o.raw_status, "Task does not exist (anymore)");
}

#[test]
fn unknown_task_states_stay_raw_and_are_never_success() {
    for code in [200, 201, 400] {
        let resp = HttpResponse::new(
            code,
            r#"{"status": "RETRY", "result": null, "task_id": "1e1d1-x"}"#,
        );
        let o = api().parse_observation(&task_ref(), &resp, 0).unwrap();
        assert_eq!(o.state, TaskState::Unknown("RETRY".into()), "{code}");
        assert!(!o.state.is_terminal());
    }
    // A success code without an envelope is not a success either.
    let e = api()
        .parse_observation(&task_ref(), &HttpResponse::new(200, r#"{"done": true}"#), 0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
    let e = api()
        .parse_observation(
            &task_ref(),
            &HttpResponse::new(200, r#"{"status": "SUCC"#),
            0,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}

#[test]
fn other_task_errors_are_errors_not_outcomes() {
    let cases = [
        (404, r#"{"detail": "Not found."}"#, ErrorKind::NotFound),
        (
            401,
            r#"{"detail": "Token has expired."}"#,
            ErrorKind::Unauthorized,
        ),
        (503, "<html>unavailable</html>", ErrorKind::Server),
    ];
    for (code, text, kind) in cases {
        let e = api()
            .parse_observation(&task_ref(), &HttpResponse::new(code, text), 0)
            .unwrap_err();
        assert_eq!(e.kind, kind, "{code}");
    }
}

#[test]
fn one_vm_status_read_tells_which_tasks_still_run() {
    let other = ProviderRef::ErigonesTask {
        hostname: "b.example".into(),
        task_id: "1e1d1-bbbb".into(),
    };
    let gone = ProviderRef::ErigonesTask {
        hostname: "c.example".into(),
        task_id: "1e1d1-cccc".into(),
    };
    let refs = [&task_ref(), &other, &gone];
    let req = api().observe_many_request(&refs).unwrap();
    assert_eq!(req.url, "https://my.erigones.com/api/vm/status/");
    let foreign = ProviderRef::OnetTask {
        instance_id: "i".into(),
        task_id: "t".into(),
    };
    assert!(api()
        .observe_many_request(&[&task_ref(), &foreign])
        .is_none());

    let resp = HttpResponse::new(
        200,
        r#"{"status": "SUCCESS", "task_id": "0-1", "result": [
            {"hostname": "example.cust.erigones.com", "alias": "example", "status": "stopping",
             "tasks": {"1e1d1-6f75849b-fdaf-4e6e-b580": {"view": "vm_status", "method": "PUT", "action": "reboot"}}},
            {"hostname": "b.example", "alias": "b", "status": "running",
             "tasks": {"1e1d1-other": {"action": "stop"}}},
            {"hostname": "c.example", "alias": "c", "status": "stopped", "tasks": {}}
        ]}"#,
    );
    let got = api().parse_observe_many(&refs, &resp, 0).unwrap();
    assert_eq!(got.len(), 3);
    let first = got[0].as_ref().expect("still pending");
    assert_eq!(first.state, TaskState::Running);
    assert_eq!(first.raw_status, "pending");
    let seen = first.vm.as_ref().expect("the VM comes along");
    assert_eq!(seen.power, PowerState::Stopping);
    assert!(seen.locked);
    assert!(got[1].is_none(), "its task id is not in the map");
    assert!(got[2].is_none(), "no pending task: ask the task endpoint");
}

#[test]
fn cancel_asks_without_force_and_a_refusal_keeps_the_text() {
    let req = api().cancel_request(&task_ref()).unwrap();
    assert_eq!(req.method, Method::Put);
    assert_eq!(
        req.url,
        "https://my.erigones.com/api/task/1e1d1-6f75849b-fdaf-4e6e-b580/cancel/"
    );
    assert_eq!(body(&req), json!({"force": false}));
    let revoked = HttpResponse::new(
        200,
        r#"{"status": "REVOKED", "result": {"detail": "Task was revoked"}, "task_id": "1e1d1-x"}"#,
    );
    let o = api().parse_cancel(&task_ref(), &revoked, 0).unwrap();
    assert_eq!(o.state, TaskState::Cancelled);
    let refused = HttpResponse::new(
        406,
        r#"{"detail": "Task is already running and cannot be cancelled without force"}"#,
    );
    let e = api().parse_cancel(&task_ref(), &refused, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Task is already running and cannot be cancelled without force")
    );
}
