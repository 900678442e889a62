//! Actions: requests, answers, refusals.

use serde_json::Value;

use super::*;

#[test]
fn action_requests_follow_the_sheet_and_answer_with_a_task() {
    let v = vm("running");
    for (action, verb) in [
        (Action::Start, "start"),
        (Action::PowerOff, "stop"),
        (Action::Reboot, "reboot"),
        (Action::Shutdown, "shutdown"),
        (Action::PowerCycle, "reset"),
    ] {
        let req = request(&api(), &v, &action);
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}/{verb}"));
        assert!(req
            .headers
            .contains(&("Authorization".into(), "Bearer sk-onetsolutions-abc".into())));
    }
    let resp = HttpResponse::new(202, task("pending", 0, 2, Value::Null).to_string());
    let acc = accept(&api(), &v, &Action::Reboot, &resp, 0).unwrap();
    assert_eq!(acc.provider_ref, task_ref());
    assert_eq!(acc.state, TaskState::Pending);
    assert_eq!(acc.raw_status, "pending");
    let acc = accept(
        &api(),
        &v,
        &Action::Reboot,
        &HttpResponse::new(202, DOC_TASK),
        0,
    )
    .unwrap();
    assert_eq!(acc.state, TaskState::Pending);
    let e = accept(
        &api(),
        &v,
        &Action::Reboot,
        &HttpResponse::new(202, "{}"),
        0,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}

#[test]
fn every_documented_error_keeps_the_providers_words() {
    let v = vm("running");
    let refused = HttpResponse::new(
        400,
        r#"{"detail": "Instance already has a task in progress."}"#,
    );
    let e = accept(&api(), &v, &Action::Reboot, &refused, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Instance already has a task in progress.")
    );
    assert_eq!(e.status, Some(400));

    let cases = [
        (
            401,
            r#"{"detail": "Invalid token."}"#,
            ErrorKind::Unauthorized,
            "Invalid token.",
        ),
        (
            403,
            r#"{"detail": "You do not have permission to perform this action."}"#,
            ErrorKind::Forbidden,
            "You do not have permission to perform this action.",
        ),
        (
            404,
            r#"{"detail": "Not found."}"#,
            ErrorKind::NotFound,
            "Not found.",
        ),
        (
            400,
            r#"{"message": "Invalid page size"}"#,
            ErrorKind::Invalid,
            "Invalid page size",
        ),
    ];
    for (code, text, kind, words) in cases {
        let e = api()
            .parse_list(None, &HttpResponse::new(code, text), 0)
            .unwrap_err();
        assert_eq!(e.kind, kind, "{code}");
        assert_eq!(e.provider_text.as_deref(), Some(words));
        assert!(!e.to_string().contains("sk-onetsolutions"));
    }

    let throttled = HttpResponse::new(
        429,
        r#"{"detail": "Request was throttled. Expected available in 7 seconds."}"#,
    )
    .with_header("Retry-After", "7");
    let e = api().parse_list(None, &throttled, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(7_000));
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Request was throttled. Expected available in 7 seconds.")
    );
    let e = api()
        .parse_observation(&task_ref(), &throttled, 0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
}

#[test]
fn valid_actions_follow_the_instance_state() {
    let a = api();
    let ok = |status: &str, k| a.allowed(&vm(status), k).is_ok();
    use ActionKind::*;
    assert!(ok("stopped", Start));
    assert!(!ok("running", Start));
    for k in [Shutdown, Reboot, PowerOff, PowerCycle] {
        assert!(ok("running", k), "{k:?} on running");
        assert!(!ok("stopped", k), "{k:?} on stopped");
    }
    for status in ["pending", "error", "migrating"] {
        for &k in CAPS.actions {
            assert!(a.allowed(&vm(status), k).is_err(), "{status} {k:?}");
        }
    }
    assert_eq!(a.allowed(&vm("pending"), Start), Err(Refusal::TaskRunning));
    assert_eq!(
        a.allowed(&vm("error"), Start),
        Err(Refusal::StatusNotKnown {
            status: "error".into(),
            rename_only: false
        })
    );
    assert_eq!(
        a.allowed(&vm("running"), Start),
        Err(Refusal::AlreadyRunning)
    );
    assert_eq!(a.allowed(&vm("stopped"), Reboot), Err(Refusal::IsOff));
    // Snapshots and backups (paid add-ons: the provider's 403 says when inactive); a restore
    // needs the instance stopped.
    assert_eq!(a.allowed(&vm("running"), Snapshot), Ok(()));
    assert_eq!(
        a.allowed(&vm("running"), ActionKind::RestoreSnapshot),
        Err(Refusal::MustBeStopped {
            status: "running".into()
        })
    );
    assert_eq!(a.allowed(&vm("stopped"), ActionKind::RestoreBackup), Ok(()));
    assert!(ok("running", Snapshot));
}
