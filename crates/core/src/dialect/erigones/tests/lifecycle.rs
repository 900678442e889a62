//! Creating (define, disk, NIC, deploy) and deleting (forced stop, undeploy, undefine) a VM.

use serde_json::json;

use super::*;
use crate::dialect::testing::{create_accepted, create_request, has_header, json_of, target_of};
use crate::model::VmSpec;

const NEW: &str = "db-02.cust.erigones.com";

fn spec() -> VmSpec {
    VmSpec {
        name: format!(" {NEW} "),
        image: "centos-7".into(),
        os: Some("1".into()),
        vcpus: Some(2),
        ram_mb: Some(2048),
        disk_gb: Some(20),
        network: Some("lan".into()),
        configuration: Some("small".into()),
        ..VmSpec::default()
    }
}

fn stopping(first: bool) -> Action {
    Action::Delete { stop_first: first }
}

fn envelope(status: &str, task: Option<&str>) -> String {
    json!({"status": status, "result": {"uuid": "4f1e0c2a"}, "task_id": task}).to_string()
}

#[test]
fn a_create_is_four_stages_and_a_delete_two_or_three() {
    let a = api();
    assert_eq!(a.stages(&Action::Create(Box::new(spec()))), 4);
    assert_eq!(a.stages(&stopping(true)), 3);
    assert_eq!(a.stages(&stopping(false)), 2);
    assert_eq!(a.stages(&Action::Reboot), 1);
}

#[test]
fn create_defines_then_deploys() {
    let a = api();
    let base = format!("https://my.erigones.com/api/vm/{NEW}/");
    let cases = [
        (
            0,
            format!("{base}define/"),
            json!({"vcpus": 2, "ram": 2048, "ostype": 1, "template": "small"}),
        ),
        (
            1,
            format!("{base}define/disk/1/"),
            json!({"image": "centos-7", "size": 20480}),
        ),
        (2, format!("{base}define/nic/1/"), json!({"net": "lan"})),
        (3, base.clone(), json!({})),
    ];
    for (stage, url, body) in cases {
        let req = create_request(&a, &spec(), stage);
        assert_eq!(req.method, Method::Post, "stage {stage}");
        assert_eq!(req.url, url);
        assert_eq!(json_of(&req), body, "stage {stage}");
        assert!(has_header(&req, "ES-API-KEY", "secret-key"));
        assert!(has_header(&req, "Content-Type", "application/json"));
    }
    // Without an image's ostype, a template or a disk size: the provider's defaults.
    let bare = VmSpec {
        os: Some("Linux".into()),
        configuration: None,
        disk_gb: None,
        ..spec()
    };
    assert_eq!(
        json_of(&create_request(&a, &bare, 0)),
        json!({"vcpus": 2, "ram": 2048})
    );
    assert_eq!(
        json_of(&create_request(&a, &bare, 1)),
        json!({"image": "centos-7"})
    );
    // A hostname too long to be an alias sends its first label as the alias.
    let long = VmSpec {
        name: "database-primary.eu-west.cust.example.com".into(),
        ..spec()
    };
    assert_eq!(
        json_of(&create_request(&a, &long, 0))["alias"],
        "database-primary"
    );
}

#[test]
fn a_long_name_of_any_characters_makes_a_request_never_a_panic() {
    // fuzz: dialect_erigones/crash-alias-char-boundary (a cut inside a two-byte character).
    let a = api();
    for name in [
        "ab".to_string() + &"é".repeat(20),
        "ü".repeat(40),
        "x".repeat(23) + "€€",
    ] {
        let s = VmSpec { name, ..spec() };
        assert!(
            a.validate(&Action::Create(Box::new(s.clone()))).is_err(),
            "not a hostname"
        );
        let body = json_of(&create_request(&a, &s, 0));
        let alias = body["alias"].as_str().unwrap_or_default();
        assert!(alias.len() <= 24, "{alias}");
    }
}

#[test]
fn the_definition_is_done_at_once_and_the_deploy_is_a_task() {
    let a = api();
    let define = HttpResponse::new(201, envelope("SUCCESS", Some("0-define")));
    let acc = create_accepted(&a, &spec(), 0, &define, 0).unwrap();
    assert_eq!(acc.state, TaskState::Succeeded);
    assert_eq!(acc.created, Some(VmId::new(NEW)), "the hostname chosen");
    for stage in [1, 2] {
        let bare = HttpResponse::new(201, r#"{"status": "SUCCESS", "result": {"net": "lan"}}"#);
        let acc = create_accepted(&a, &spec(), stage, &bare, 0).unwrap();
        assert_eq!(acc.state, TaskState::Succeeded, "stage {stage}");
        assert_eq!(acc.provider_ref, ProviderRef::Watch);
        assert_eq!(acc.created, None);
    }
    let deploy = HttpResponse::new(201, envelope("PENDING", Some("1e1d1-deploy")));
    let acc = create_accepted(&a, &spec(), 3, &deploy, 0).unwrap();
    assert_eq!(
        acc.provider_ref,
        ProviderRef::ErigonesTask {
            hostname: NEW.into(),
            task_id: "1e1d1-deploy".into()
        }
    );
    assert_eq!(acc.state, TaskState::Pending);
    // A pending deploy with no task to follow cannot be tracked.
    let lost = HttpResponse::new(201, r#"{"status": "PENDING", "result": null}"#);
    assert_eq!(
        create_accepted(&a, &spec(), 3, &lost, 0).unwrap_err().kind,
        ErrorKind::BadResponse
    );
    let odd = HttpResponse::new(201, envelope("QUEUED", Some("1e1d1-q")));
    let acc = create_accepted(&a, &spec(), 3, &odd, 0).unwrap();
    assert_eq!(acc.state, TaskState::Unknown("QUEUED".into()));
}

#[test]
fn documented_create_errors_keep_the_providers_words() {
    let a = api();
    let cases = [
        (
            0,
            403,
            "You do not have permission to perform this action.",
            ErrorKind::Forbidden,
        ),
        (0, 406, "VM already exists", ErrorKind::Invalid),
        (3, 423, "VM is already created", ErrorKind::Conflict),
        (3, 424, "Cannot import required image", ErrorKind::Invalid),
        (
            3,
            428,
            "Cannot find node with free resources",
            ErrorKind::Invalid,
        ),
        (3, 409, "VM has pending tasks", ErrorKind::Conflict),
    ];
    for (stage, code, words, kind) in cases {
        let resp = HttpResponse::new(code, json!({ "detail": words }).to_string());
        let e = create_accepted(&a, &spec(), stage, &resp, 0).unwrap_err();
        assert_eq!(e.kind, kind, "{code}");
        assert_eq!(e.status, Some(code));
        assert_eq!(e.provider_text.as_deref(), Some(words));
    }
}

#[test]
fn delete_forces_a_running_vm_off_then_undeploys_and_undefines() {
    let a = api();
    let v = vm("running", false);
    let base = format!("https://my.erigones.com/api/vm/{HOST}/");
    let steps = [
        (
            Method::Put,
            format!("{base}status/stop/"),
            Some(json!({"force": true})),
        ),
        (Method::Delete, base.clone(), None),
        (Method::Delete, format!("{base}define/"), None),
    ];
    for (stage, (method, url, body)) in steps.into_iter().enumerate() {
        let req = a.action_request(&target_of(&v), Some(&v), &stopping(true), stage as u8);
        assert_eq!(
            (req.method, req.url.clone()),
            (method, url),
            "stage {stage}"
        );
        assert_eq!(
            req.body
                .as_deref()
                .map(|b| serde_json::from_str(b).unwrap()),
            body
        );
        assert!(has_header(&req, "ES-API-KEY", "secret-key"));
    }
    let stopped = vm("stopped", false);
    let req = a.action_request(&target_of(&stopped), Some(&stopped), &stopping(false), 0);
    assert_eq!((req.method, req.url), (Method::Delete, base.clone()));
    let answer = |stage: u8, resp: HttpResponse| {
        a.parse_accepted(&target_of(&v), Some(&v), &stopping(true), stage, &resp, 0)
    };
    let pending = |task: &str| HttpResponse::new(201, envelope("PENDING", Some(task)));
    let acc = answer(1, pending("1e1d1-undeploy")).unwrap();
    assert_eq!(
        acc.provider_ref,
        ProviderRef::ErigonesTask {
            hostname: HOST.into(),
            task_id: "1e1d1-undeploy".into()
        }
    );
    assert_eq!(acc.state, TaskState::Pending);
    let undefined = HttpResponse::new(200, r#"{"status": "SUCCESS", "result": null}"#);
    assert_eq!(answer(2, undefined).unwrap().state, TaskState::Succeeded);
    // Not found by a delete's stage: gone already.
    let gone = HttpResponse::new(404, r#"{"detail": "VM not found"}"#);
    for stage in 0..3 {
        assert_eq!(
            answer(stage, gone.clone()).unwrap().state,
            TaskState::Succeeded
        );
    }
    let not_stopped = HttpResponse::new(423, r#"{"detail": "VM is not stopped"}"#);
    let e = answer(1, not_stopped).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(e.provider_text.as_deref(), Some("VM is not stopped"));
    let e = answer(
        1,
        HttpResponse::new(403, r#"{"detail": "Permission denied"}"#),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
}

#[test]
fn a_vm_never_deployed_is_only_undefined() {
    let a = api();
    let v = vm("notcreated", false);
    assert_eq!(a.allowed(&v, ActionKind::Delete), Ok(()));
    let req = a.action_request(&target_of(&v), Some(&v), &stopping(false), 0);
    assert_eq!(
        req.method,
        Method::Get,
        "nothing to undeploy: the VM is read"
    );
    assert_eq!(
        req.url,
        format!("https://my.erigones.com/api/vm/{HOST}/status/")
    );
    let read = HttpResponse::new(
        200,
        json!({"status": "SUCCESS", "result": {"hostname": HOST, "status": "notcreated", "tasks": {}}})
            .to_string(),
    );
    let acc = a
        .parse_accepted(&target_of(&v), Some(&v), &stopping(false), 0, &read, 0)
        .unwrap();
    assert_eq!(acc.state, TaskState::Succeeded);
    let req = a.action_request(&target_of(&v), Some(&v), &stopping(false), 1);
    assert_eq!(
        (req.method, req.url),
        (
            Method::Delete,
            format!("https://my.erigones.com/api/vm/{HOST}/define/")
        )
    );
}

#[test]
fn who_may_delete_what_and_which_names_make_hostnames() {
    let a = api();
    for status in ["running", "stopped", "frozen", "notcreated"] {
        assert_eq!(
            a.allowed(&vm(status, false), ActionKind::Delete),
            Ok(()),
            "{status}"
        );
    }
    assert_eq!(
        a.allowed(&vm("stopping", false), ActionKind::Delete),
        Err(Refusal::IsStopping)
    );
    assert_eq!(
        a.allowed(&vm("running", true), ActionKind::Delete),
        Err(Refusal::PendingTasks)
    );
    assert_eq!(
        a.allowed(&vm("deploying", false), ActionKind::Delete),
        Err(Refusal::NotOperational {
            status: "deploying".into()
        })
    );
    assert_eq!(
        a.allowed(&vm("deploying", false), ActionKind::Create),
        Ok(())
    );
    for good in [
        "web1",
        "db-02.cust.example.com",
        "A1.b2-C3",
        &"a".repeat(128),
    ] {
        assert!(is_hostname(good), "{good}");
    }
    for bad in [
        "web",
        "-web1",
        "web1-",
        "web_1",
        "web..1",
        "web--1",
        "wéb1",
        &"a".repeat(129),
    ] {
        assert!(!is_hostname(bad), "{bad}");
    }
    let named = |name: &str| {
        a.validate(&Action::Create(Box::new(VmSpec {
            name: name.into(),
            ..spec()
        })))
    };
    assert_eq!(named(" db-02.example.com "), Ok(()));
    assert_eq!(
        named("db 02"),
        Err(Refusal::NotAHostname {
            provider: DialectKind::Erigones,
            min: 4,
            max: 128
        })
    );
    let create = CAPS.create.unwrap();
    assert!(create.needs_admin && create.network_required);
    assert_eq!(
        create.sizing,
        Sizing::Amounts {
            max_vcpus: 1024,
            max_ram_mb: 524_288
        }
    );
    assert!(!create.ssh_keys && create.place.is_none() && !create.addressed_when_ready);
    let delete = CAPS.delete.unwrap();
    assert!(delete.needs_stopped && delete.needs_admin);
}
