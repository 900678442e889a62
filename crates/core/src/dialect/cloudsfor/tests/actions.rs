//! Actions: requests, answers, refusals.

use serde_json::json;

use super::*;

#[test]
fn action_requests_match_the_documented_examples() {
    let v = vm("running", false);
    let req = request(&api(), &v, &Action::Reboot);
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        req.url,
        "https://cloudsfor.com/api/v1/vms/5609f1ee1b0c4d2da622737b5ca25e6c/actions"
    );
    assert!(req.headers.contains(&(
        "Authorization".into(),
        "Basic dXNlcm5hbWU6cGFzc3dvcmQ=".into()
    )));
    assert!(req
        .headers
        .contains(&("Content-Type".into(), "application/json".into())));
    assert_eq!(body(&req), json!({"type": "reboot"}));

    let cases = [
        (Action::PowerCycle, json!({"type": "power_cycle"})),
        (Action::Shutdown, json!({"type": "shutdown"})),
        (Action::PowerOff, json!({"type": "power_off"})),
        (Action::Start, json!({"type": "power_on"})),
        (Action::PasswordReset, json!({"type": "password_reset"})),
        (
            Action::Resize(Resize::One {
                resource: Resource::Ram,
                size: 2,
            }),
            json!({"type": "resize", "resource": "ram", "size": 2}),
        ),
        (
            Action::Resize(Resize::All {
                cpu: 2,
                ram: 3,
                disk: 30,
            }),
            json!({"type": "resize", "data": {"cpu": 2, "ram": 3, "disk": 30}}),
        ),
        (
            Action::Rename {
                name: " new-name ".into(),
            },
            json!({"type": "rename", "name": "new-name"}),
        ),
        (
            Action::Snapshot {
                name: "New Snapshot".into(),
                description: String::new(),
            },
            json!({"type": "snapshot", "name": "New Snapshot"}),
        ),
    ];
    for (action, want) in cases {
        assert_eq!(body(&request(&api(), &v, &action)), want, "{action:?}");
    }
}

#[test]
fn reads_the_documented_accepted_body_with_its_trailing_comma() {
    let v = vm("running", false);
    let resp = HttpResponse::new(201, ACCEPTED);
    let acc = accept(&api(), &v, &Action::Reboot, &resp, 0).unwrap();
    assert_eq!(acc.state, TaskState::Running);
    assert_eq!(acc.raw_status, "in-progress");
    assert_eq!(
        acc.provider_ref,
        ProviderRef::CloudsforAction {
            vm_id: "5609f1ee1b0c4d2da622737b5ca25e6c".into(),
            action_type: "reboot".into(),
            started_at: "2015-01-14T16:31:00Z".into(),
        }
    );
}

#[test]
fn errors_keep_the_providers_text() {
    let v = vm("running", false);
    let resp = HttpResponse::new(
        422,
        r#"{"id": "unprocessable_entity", "message": "VM is locked by another action"}"#,
    );
    let err = accept(&api(), &v, &Action::Reboot, &resp, 0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(
        err.provider_text.as_deref(),
        Some("VM is locked by another action")
    );

    let unauthorized = HttpResponse::new(
        401,
        r#"{"id": "unauthorized", "message": "Unable to authenticate you."}"#,
    );
    let err = api().parse_list(None, &unauthorized, 0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert!(!err.to_string().contains("password"));

    let garbage = HttpResponse::new(200, "<html>maintenance</html>");
    let err = api().parse_list(None, &garbage, 0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadResponse);
}

#[test]
fn valid_actions_follow_the_vm_state() {
    let a = api();
    let running = vm("running", false);
    let stopped = vm("stopped", false);
    let locked = vm("running", true);
    let odd = vm("migrating", false);
    let ok = |v: &Vm, k| a.allowed(v, k).is_ok();
    assert!(ok(&stopped, ActionKind::Start));
    assert!(!ok(&running, ActionKind::Start));
    assert!(ok(&stopped, ActionKind::Resize));
    assert!(!ok(&running, ActionKind::Resize));
    for k in [
        ActionKind::Reboot,
        ActionKind::Shutdown,
        ActionKind::PowerOff,
        ActionKind::PowerCycle,
        ActionKind::PasswordReset,
    ] {
        assert!(ok(&running, k), "{k:?} on running");
        assert!(!ok(&stopped, k), "{k:?} on stopped");
    }
    for k in [ActionKind::Rename, ActionKind::Snapshot] {
        assert!(ok(&running, k) && ok(&stopped, k));
    }
    for &k in CAPS.actions {
        assert!(!ok(&locked, k), "{k:?} while locked");
    }
    assert!(ok(&odd, ActionKind::Rename));
    assert!(!ok(&odd, ActionKind::Reboot));
    assert_eq!(
        a.allowed(&running, ActionKind::Resize),
        Err(Refusal::MustBeOffToResize)
    );
    assert_eq!(a.allowed(&locked, ActionKind::Reboot), Err(Refusal::Locked));
    assert_eq!(a.allowed(&stopped, ActionKind::Reboot), Err(Refusal::IsOff));
    assert_eq!(
        a.allowed(&odd, ActionKind::Reboot),
        Err(Refusal::StatusNotKnown {
            status: "migrating".into(),
            rename_only: true
        })
    );
    assert_eq!(
        a.validate(&Action::Resize(Resize::Flavor { id: "s-1".into() })),
        Err(Refusal::ResizesByAmounts {
            provider: DialectKind::Cloudsfor
        })
    );
}
