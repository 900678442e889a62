//! Power actions: requests, answers, refusals.

use serde_json::json;

use super::*;

#[test]
fn action_requests_follow_the_sheet() {
    let v = vm("running", false);
    let cases = [
        (Action::Start, "start", json!({})),
        (Action::Shutdown, "stop", json!({"force": false})),
        (
            Action::ShutdownWithin { timeout_s: 60 },
            "stop",
            json!({"force": false, "timeout": 60}),
        ),
        (Action::PowerOff, "stop", json!({"force": true})),
        (Action::Reboot, "reboot", json!({"force": false})),
        (Action::PowerCycle, "reboot", json!({"force": true})),
    ];
    for (action, verb, want) in cases {
        let req = request(&api(), &v, &action);
        assert_eq!(req.method, Method::Put, "{action:?}");
        assert_eq!(
            req.url,
            format!("https://my.erigones.com/api/vm/{HOST}/status/{verb}/")
        );
        assert_eq!(body(&req), want, "{action:?}");
        assert!(req
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        assert!(req
            .headers
            .contains(&("ES-API-KEY".into(), "secret-key".into())));
    }
    let odd = Vm {
        id: VmId::new("web 01/x"),
        ..v
    };
    assert!(request(&api(), &odd, &Action::Start)
        .url
        .ends_with("/vm/web%2001%2Fx/status/start/"));
}

#[test]
fn reads_the_documented_accepted_answers() {
    let v = vm("running", false);
    let acc = accept(
        &api(),
        &v,
        &Action::Reboot,
        &HttpResponse::new(201, DOC_ACCEPTED),
        0,
    )
    .unwrap();
    assert_eq!(acc.provider_ref, task_ref());
    assert_eq!(acc.state, TaskState::Pending);
    assert_eq!(acc.raw_status, "PENDING");

    // Done at once: the document's start example.
    let stopped = vm("stopped", false);
    let acc = accept(
        &api(),
        &stopped,
        &Action::Start,
        &HttpResponse::new(200, DOC_START_DONE),
        0,
    )
    .unwrap();
    assert_eq!(acc.state, TaskState::Succeeded);
    assert_eq!(
        acc.provider_ref,
        ProviderRef::ErigonesTask {
            hostname: HOST.into(),
            task_id: "0-a2327793-2600-423d-9f07".into(),
        }
    );

    let no_id = HttpResponse::new(201, r#"{"status": "PENDING", "result": null}"#);
    let e = accept(&api(), &v, &Action::Reboot, &no_id, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}

#[test]
fn every_documented_refusal_keeps_the_providers_words() {
    let v = vm("running", false);
    let cases = [
        (417, r#"{"detail": "Bad action"}"#, "Bad action"),
        (
            423,
            r#"{"detail": "VM is not operational"}"#,
            "VM is not operational",
        ),
        (
            423,
            r#"{"detail": "VM is already stopping; try to use force"}"#,
            "VM is already stopping; try to use force",
        ),
        (
            409,
            r#"{"detail": "VM has pending tasks"}"#,
            "VM has pending tasks",
        ),
        (
            400,
            r#"{"status": "FAILURE", "result": {"detail": "Task did not acquire lock"}, "task_id": "1e1d1-x"}"#,
            "Task did not acquire lock",
        ),
    ];
    for (code, text, words) in cases {
        let e = accept(
            &api(),
            &v,
            &Action::Shutdown,
            &HttpResponse::new(code, text),
            0,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict, "{code} {text}");
        assert_eq!(e.provider_text.as_deref(), Some(words));
        assert_eq!(e.status, Some(code));
    }
    // A plain 400 (the request itself) stays a rejected request.
    let e = accept(
        &api(),
        &v,
        &Action::Start,
        &HttpResponse::new(400, r#"{"detail": "Request data must be a JSON object"}"#),
        0,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Request data must be a JSON object")
    );

    let refused = HttpResponse::new(401, r#"{"detail": "Invalid API key."}"#);
    let e = api().parse_list(None, &refused, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(e.provider_text.as_deref(), Some("Invalid API key."));
    assert!(!e.to_string().contains("secret-key"));
}

#[test]
fn the_provider_forces_a_graceful_stop_or_reboot_after_its_timeout() {
    // 180 s, or 300 s for Windows guests, which the VM data does not tell apart.
    assert_eq!(CAPS.forced_after(&Action::Shutdown), vec![180_000, 300_000]);
    assert_eq!(CAPS.forced_after(&Action::Reboot), vec![180_000, 300_000]);
    assert_eq!(
        CAPS.forced_after(&Action::ShutdownWithin { timeout_s: 60 }),
        vec![60_000]
    );
    assert!(CAPS.forced_after(&Action::PowerOff).is_empty());
    let caps = DialectKind::Erigones.caps();
    assert!(caps.forces_stop && caps.forces_over_running_shutdown && caps.cancel);
    assert!(caps.observe_many_complete && caps.read_many);
}

#[test]
fn valid_actions_follow_the_documented_preconditions() {
    let a = api();
    let ok = |status: &str, locked: bool, k| a.allowed(&vm(status, locked), k).is_ok();
    use ActionKind::*;
    // (status, Start, Shutdown, PowerOff, Reboot, PowerCycle)
    let table = [
        ("running", false, true, true, true, true),
        ("stopped", true, false, false, false, false),
        ("stopping", false, false, true, false, false),
        ("frozen", false, false, false, false, false),
    ];
    for (status, start, shutdown, poweroff, reboot, cycle) in table {
        assert_eq!(ok(status, false, Start), start, "start on {status}");
        assert_eq!(
            ok(status, false, Shutdown),
            shutdown,
            "shutdown on {status}"
        );
        assert_eq!(
            ok(status, false, PowerOff),
            poweroff,
            "power off on {status}"
        );
        assert_eq!(ok(status, false, Reboot), reboot, "reboot on {status}");
        assert_eq!(
            ok(status, false, PowerCycle),
            cycle,
            "power cycle on {status}"
        );
    }
    for status in [
        "notcreated",
        "deploying",
        "notready",
        "error",
        "running-",
        "stopped-",
        "migrating",
    ] {
        for &k in CAPS.actions {
            assert_eq!(
                a.allowed(&vm(status, false), k),
                Err(Refusal::NotOperational {
                    status: status.into()
                }),
                "{status} {k:?}"
            );
        }
    }
    // Pending tasks: nothing, except forcing a stop that is under way.
    for &k in CAPS.actions {
        assert!(!ok("running", true, k), "{k:?} with pending tasks");
        assert!(!ok("stopped", true, k), "{k:?} with pending tasks");
    }
    assert!(ok("stopping", true, PowerOff));
    assert!(!ok("stopping", true, Shutdown));
    assert_eq!(
        a.allowed(&vm("stopping", false), Shutdown),
        Err(Refusal::AlreadyStopping)
    );
    assert_eq!(a.allowed(&vm("frozen", false), Start), Err(Refusal::Frozen));
    assert_eq!(
        a.allowed(&vm("running", true), Reboot),
        Err(Refusal::PendingTasks)
    );
    assert_eq!(
        a.allowed(&vm("stopped", false), Reboot),
        Err(Refusal::IsOff)
    );
    assert_eq!(
        a.allowed(&vm("running", false), Rename),
        Err(Refusal::NotOffered {
            provider: DialectKind::Erigones
        })
    );
    assert!(!ok("running", false, Rename));
}
