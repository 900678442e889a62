//! Server actions: requests, answers, refusals, observation.

use serde_json::json;

use super::*;

#[test]
fn servers_still_processing_are_observed_in_one_request() {
    let api = Hostway::new(
        "https://hw.test/accounts/a1/flexcloud",
        Credentials::Basic {
            user: "u".into(),
            password: "p".into(),
        },
    );
    let (a, b) = (
        ProviderRef::HostwayServer {
            server_id: "s1".into(),
        },
        ProviderRef::HostwayServer {
            server_id: "s2".into(),
        },
    );
    let snap = ProviderRef::HostwaySnapshot {
        server_id: "s1".into(),
        href: "https://hw.test/x".into(),
    };
    let refs = [&a, &b, &snap];
    let req = api.observe_many_request(&refs).unwrap();
    assert_eq!(
        req.url,
        "https://hw.test/accounts/a1/flexcloud/servers?status=PROCESSING"
    );
    let resp = HttpResponse::new(
        200,
        r#"{"servers": [{"id": "s2", "zone": "z", "links": []}]}"#,
    );
    let seen = api.parse_observe_many(&refs, &resp, 0).unwrap();
    assert!(seen[0].is_none(), "s1 settled: read on its own");
    assert_eq!(seen[1].as_ref().unwrap().state, TaskState::Running);
    assert!(
        seen[2].is_none(),
        "snapshots are followed at their own link"
    );
}

#[test]
fn action_bodies_match_the_documents() {
    let a = api();
    let v = vm("ACTIVE");
    let cases = [
        (Action::Reboot, json!({"reboot": {"type": "SOFT"}})),
        (Action::PowerCycle, json!({"reboot": {"type": "HARD"}})),
        (Action::Shutdown, json!({"os-stop": null})),
        (Action::Start, json!({"os-start": null})),
        (
            Action::Resize(Resize::Flavor { id: " 5 ".into() }),
            json!({"resize": {"flavor": {"id": "5"}}}),
        ),
    ];
    for (action, want) in cases {
        let req = request(&a, &v, &action);
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            format!("{BASE}/servers/{SID}/action"),
            "{action:?}"
        );
        assert!(req.headers.contains(&auth()));
        assert_eq!(body(&req), want, "{action:?}");
        // 202, empty body: the server's status is followed.
        let acc = accept(&a, &v, &action, &HttpResponse::new(202, ""), 0).unwrap();
        assert_eq!(
            acc.provider_ref,
            ProviderRef::HostwayServer {
                server_id: SID.into()
            }
        );
        assert_eq!(acc.state, TaskState::Running);
    }
}

#[test]
fn only_flavor_resizes_are_accepted() {
    let a = api();
    let one = Action::Resize(Resize::One {
        resource: crate::model::Resource::Ram,
        size: 4,
    });
    let all = Action::Resize(Resize::All {
        cpu: 2,
        ram: 4,
        disk: 60,
    });
    for action in [one, all] {
        assert_eq!(
            a.validate(&action),
            Err(Refusal::ResizesByFlavor {
                provider: DialectKind::Hostway
            })
        );
    }
    assert_eq!(
        a.validate(&Action::Resize(Resize::Flavor { id: " ".into() })),
        Err(Refusal::EnterFlavor)
    );
    assert!(a
        .validate(&Action::Resize(Resize::Flavor { id: "4".into() }))
        .is_ok());
    assert!(a.validate(&snapshot()).is_ok());
}

#[test]
fn server_observation_follows_processing_and_progress() {
    let a = api();
    let r = ProviderRef::HostwayServer {
        server_id: SID.into(),
    };
    assert_eq!(a.observe_request(&r).url, format!("{BASE}/servers/{SID}"));
    let o = a
        .parse_observation(&r, &ok(&server("PROCESSING", 40)), 0)
        .unwrap();
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(o.progress, Some(40));
    assert!(o.vm.as_ref().unwrap().locked);
    // 100 while still processing is not a measure of anything.
    let o = a
        .parse_observation(&r, &ok(&server("PROCESSING", 100)), 0)
        .unwrap();
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(o.progress, None);
    let o = a
        .parse_observation(&r, &ok(&server("BUILD", 50)), 0)
        .unwrap();
    assert_eq!((o.state, o.progress), (TaskState::Running, Some(50)));
    // Not a percentage.
    let o = a
        .parse_observation(&r, &ok(&server("BUILD", 250)), 0)
        .unwrap();
    assert_eq!(o.progress, None);
    for settled in ["ACTIVE", "STOPPED", "SUSPENDED"] {
        let o = a
            .parse_observation(&r, &ok(&server(settled, 100)), 0)
            .unwrap();
        // Settled, not reported: Hostway never says how an action went.
        assert_eq!(o.state, TaskState::Settled, "{settled}");
        assert_eq!(o.raw_status, settled);
        assert_eq!(o.vm.unwrap().status_raw, settled);
    }
    let o = a
        .parse_observation(&r, &ok(&server("DELETED", 0)), 0)
        .unwrap();
    assert_eq!(o.state, TaskState::Failed);
    for odd in ["ERROR", "MIGRATING", "processing-ish"] {
        let o = a.parse_observation(&r, &ok(&server(odd, 0)), 0).unwrap();
        assert_eq!(o.state, TaskState::Unknown(odd.into()));
        assert!(!o.state.is_terminal());
        assert!(o.vm.is_some());
    }
}

#[test]
fn documented_action_errors_keep_the_providers_text() {
    let a = api();
    let v = vm("ACTIVE");
    let resize = Action::Resize(Resize::Flavor { id: "3".into() });
    let cases = [
        (
            Action::Reboot,
            409,
            "conflictingRequest",
            "Already rebooting",
            ErrorKind::Conflict,
        ),
        (
            Action::Shutdown,
            409,
            "conflictingRequest",
            "Other status change in progress",
            ErrorKind::Conflict,
        ),
        (
            resize,
            400,
            "badRequest",
            "Server is already of the requested flavor",
            ErrorKind::Invalid,
        ),
        (
            Action::Start,
            403,
            "forbidden",
            "Server is already ACTIVE",
            ErrorKind::Conflict,
        ),
        (
            Action::PowerCycle,
            405,
            "badMethod",
            "Action 'reboot' is not supported",
            ErrorKind::Invalid,
        ),
    ];
    for (action, status, key, text, kind) in cases {
        let e = accept(&a, &v, &action, &refused(status, key, text), 0).unwrap_err();
        assert_eq!(e.kind, kind, "{status} {text}");
        assert_eq!(e.status, Some(status));
        assert_eq!(e.provider_text.as_deref(), Some(text));
        assert!(!e.to_string().contains("password"));
    }
}

#[test]
fn valid_actions_follow_the_status() {
    let a = api();
    let yes = |status: &str, k| a.allowed(&vm(status), k).is_ok();
    // (kind, ACTIVE, STOPPED, SUSPENDED)
    let table = [
        (ActionKind::Start, false, true, false),
        (ActionKind::Shutdown, true, false, false),
        (ActionKind::Reboot, true, false, false),
        (ActionKind::PowerCycle, true, false, false),
        (ActionKind::Resize, true, true, false),
        (ActionKind::Snapshot, true, true, true),
    ];
    for (k, active, stopped, suspended) in table {
        assert_eq!(yes("ACTIVE", k), active, "{k:?} on ACTIVE");
        assert_eq!(yes("STOPPED", k), stopped, "{k:?} on STOPPED");
        assert_eq!(yes("SUSPENDED", k), suspended, "{k:?} on SUSPENDED");
        for never in ["PROCESSING", "BUILD", "DELETED", "ERROR"] {
            assert!(!yes(never, k), "{k:?} on {never}");
        }
    }
    assert_eq!(
        a.allowed(&vm("PROCESSING"), ActionKind::Reboot),
        Err(Refusal::Changing {
            status: "PROCESSING".into()
        })
    );
    assert_eq!(
        a.allowed(&vm("ERROR"), ActionKind::Reboot),
        Err(Refusal::StatusNotKnown {
            status: "ERROR".into(),
            rename_only: false
        })
    );
    assert_eq!(
        a.allowed(&vm("DELETED"), ActionKind::Reboot),
        Err(Refusal::Deleted)
    );
    assert_eq!(
        a.allowed(&vm("SUSPENDED"), ActionKind::Reboot),
        Err(Refusal::Suspended)
    );
    assert_eq!(
        a.allowed(&vm("STOPPED"), ActionKind::Reboot),
        Err(Refusal::IsOff)
    );
    assert_eq!(
        a.allowed(&vm("ACTIVE"), ActionKind::Start),
        Err(Refusal::AlreadyRunning)
    );
    assert_eq!(
        a.allowed(&vm("ACTIVE"), ActionKind::PowerOff),
        Err(Refusal::NotOffered {
            provider: DialectKind::Hostway
        })
    );
    for k in [
        ActionKind::PowerOff,
        ActionKind::Rename,
        ActionKind::PasswordReset,
        ActionKind::RestoreBackup,
    ] {
        assert!(!yes("ACTIVE", k), "{k:?}");
    }
}
