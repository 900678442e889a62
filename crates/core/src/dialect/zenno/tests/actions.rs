//! Commands: requests, answers, refusals.

use serde_json::json;

use super::*;

#[test]
fn action_requests_use_the_vms_project_and_an_empty_body() {
    let a = api();
    let vm = idle("running");
    for (action, path) in [
        (Action::Start, "start"),
        (Action::Shutdown, "stop"),
        (Action::Reboot, "reboot"),
        (
            Action::RestoreBackup {
                backup_id: " bk 7 ".into(),
                name: String::new(),
            },
            "backups/bk%207/restore",
        ),
    ] {
        let req = request(&a, &vm, &action);
        assert_eq!(req.method, Method::Post, "{action:?}");
        assert_eq!(
            req.url,
            format!("https://api.zennohosting.com/projects/{P}/vms/{ID}/{path}")
        );
        assert_eq!(req.body, None);
        assert!(req
            .headers
            .contains(&("Authorization".into(), "Bearer tok-123".into())));
    }
}

#[test]
fn accepted_command_is_tied_to_its_operation_and_moment() {
    let a = api();
    let vm = idle("running");
    let resp = HttpResponse::new(
        202,
        r#"{"commandId": "9b2f7c52-1f0e-4c5e-a1d2-44d5bd0f0c11"}"#,
    );
    for (action, op) in [
        (Action::Start, "start"),
        (Action::Shutdown, "stop"),
        (Action::Reboot, "reboot"),
        (
            Action::RestoreBackup {
                backup_id: "b1".into(),
                name: String::new(),
            },
            "restore",
        ),
    ] {
        let acc = accept(&a, &vm, &action, &resp, T + 5).unwrap();
        assert_eq!(
            acc.provider_ref,
            ProviderRef::ZennoCommand {
                project: P.into(),
                vm_id: ID.into(),
                command_id: "9b2f7c52-1f0e-4c5e-a1d2-44d5bd0f0c11".into(),
                operation: op.into(),
                accepted_at: T + 5,
                vm_name: "web-01".into(),
            }
        );
        // Accepted means work started, not done.
        assert_eq!(acc.state, TaskState::Pending);
        assert!(!acc.state.is_terminal());
    }
}

#[test]
fn documented_errors_keep_the_providers_text() {
    let a = api();
    let vm = idle("running");
    let busy = HttpResponse::new(
        409,
        json!({"error": "operation_in_progress",
               "message": format!("VM {ID} already has a 'stop' operation in progress")})
        .to_string(),
    );
    let e = accept(&a, &vm, &Action::Reboot, &busy, T).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(e.status, Some(409));
    assert_eq!(
        e.provider_text,
        Some(format!(
            "VM {ID} already has a 'stop' operation in progress"
        ))
    );

    // Only the code: it is still quoted.
    let code_only = HttpResponse::new(409, r#"{"error": "invalid_state"}"#);
    let e = accept(&a, &vm, &Action::Reboot, &code_only, T).unwrap_err();
    assert_eq!(e.provider_text.as_deref(), Some("invalid_state"));

    let cases = [
        (
            401,
            ErrorKind::Unauthorized,
            "Missing or invalid bearer token",
        ),
        (404, ErrorKind::NotFound, "VM not found"),
        (
            422,
            ErrorKind::Conflict,
            "body must be empty or a JSON object",
        ),
        (500, ErrorKind::Server, "internal error"),
    ];
    for (status, kind, text) in cases {
        let resp = HttpResponse::new(status, json!({"error": "x", "message": text}).to_string());
        let e = a.parse_list(None, &resp, T).unwrap_err();
        assert_eq!(e.kind, kind, "{status}");
        assert_eq!(e.provider_text.as_deref(), Some(text));
        assert!(!e.to_string().contains("tok-123"));
    }
    let limited = HttpResponse::new(
        429,
        r#"{"error": "rate_limited", "message": "Too many requests; retry in 7 s"}"#,
    )
    .with_header("Retry-After", "7");
    let e = a.parse_list(None, &limited, T).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(7_000));

    let garbage = HttpResponse::new(200, "<html>maintenance</html>");
    assert_eq!(
        a.parse_list(None, &garbage, T).unwrap_err().kind,
        ErrorKind::BadResponse
    );
}

/// A VM showing these fields, changed long before the tests' commands.
fn at(state: &str, operation: Option<&str>, status: Option<&str>, boot: &str) -> Vm {
    vm_of(&vm_json(
        state,
        operation,
        status,
        boot,
        "2025-12-31T10:00:00Z",
    ))
}

#[test]
fn valid_actions_follow_state_and_operation() {
    let a = api();
    let running = idle("running");
    let stopped = idle("stopped");
    let boot_failed = at("stopped", Some("start"), Some("failed"), "failed");
    let busy = at("running", Some("reboot"), Some("in_progress"), "stopping");
    let pending = at("stopped", Some("start"), Some("pending"), "stopped");
    let odd = at("suspended", None, None, "stopped");
    let yes = |v: &Vm, k| a.allowed(v, k).is_ok();
    // (kind, running, stopped, boot failed, unknown state)
    let table = [
        (ActionKind::Start, false, true, true, false),
        (ActionKind::Shutdown, true, false, false, false),
        (ActionKind::Reboot, true, false, false, false),
        (ActionKind::RestoreBackup, true, true, true, true),
    ];
    for (k, r, s, f, u) in table {
        assert_eq!(yes(&running, k), r, "{k:?} on running");
        assert_eq!(yes(&stopped, k), s, "{k:?} on stopped");
        assert_eq!(yes(&boot_failed, k), f, "{k:?} after a failed boot");
        assert_eq!(yes(&odd, k), u, "{k:?} on suspended");
        assert!(!yes(&busy, k), "{k:?} while an operation runs");
        assert!(!yes(&pending, k), "{k:?} while an operation is pending");
    }
    for k in [
        ActionKind::PowerOff,
        ActionKind::Resize,
        ActionKind::Snapshot,
    ] {
        assert!(!yes(&running, k) && !yes(&stopped, k));
    }
}

#[test]
fn every_refusal_says_why() {
    let a = api();
    let running = idle("running");
    let busy = at("running", Some("reboot"), Some("in_progress"), "stopping");
    let odd = at("suspended", None, None, "stopped");
    assert_eq!(
        a.allowed(&busy, ActionKind::Start),
        Err(Refusal::OperationUnderWay {
            status: busy.status_raw.clone()
        })
    );
    assert_eq!(
        a.allowed(&running, ActionKind::Start),
        Err(Refusal::AlreadyRunning)
    );
    assert_eq!(
        a.allowed(&idle("stopped"), ActionKind::Reboot),
        Err(Refusal::IsOff)
    );
    assert_eq!(
        a.allowed(&odd, ActionKind::Reboot),
        Err(Refusal::MustBeRunning {
            status: odd.status_raw.clone()
        })
    );
    assert_eq!(
        a.allowed(&odd, ActionKind::Start),
        Err(Refusal::MustBeStopped {
            status: odd.status_raw.clone()
        })
    );
    assert_eq!(
        a.allowed(&running, ActionKind::PowerOff),
        Err(Refusal::NotOffered {
            provider: DialectKind::ZennoHosting
        })
    );
    let mut lost = running.clone();
    lost.project = None;
    assert_eq!(
        a.allowed(&lost, ActionKind::Reboot),
        Err(Refusal::UnknownProject)
    );
    assert_eq!(
        a.validate(&Action::RestoreBackup {
            backup_id: "  ".into(),
            name: String::new(),
        }),
        Err(Refusal::EnterBackupId)
    );
    assert!(a
        .validate(&Action::RestoreBackup {
            backup_id: "bk-1".into(),
            name: String::new(),
        })
        .is_ok());
}
