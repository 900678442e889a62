//! Creating and deleting servers.

use serde_json::{json, Value};

use super::*;
use crate::dialect::testing::{create_accepted, create_request, has_header, json_of};
use crate::model::VmSpec;

const NEW: &str = "c0ffee00-0000-4000-8000-0000000000cc";
const SECRET: &str = "Gx7-generated-once";

fn spec() -> VmSpec {
    VmSpec {
        name: " web-03 ".into(),
        region: Some("USOTE-0214".into()),
        size: Some(format!("{BASE}/flavors/3")),
        image: format!("{BASE}/images/12"),
        security_group: Some(format!("{BASE}/os-security-groups/7")),
        ..VmSpec::default()
    }
}

/// The documented create answer, with the generated password.
fn created_body() -> Value {
    json!({"server": {
        "id": NEW, "name": "web-03", "status": "BUILD", "progress": 0,
        "addresses": {"public": [], "private": []},
        "links": [{"href": format!("{BASE}/servers/{NEW}"), "rel": "self"}],
        "image": {"id": "12"}, "flavor": {"id": "3"}, "hostId": "", "created": "",
        "accessIPv4": "", "accessIPv6": "", "userId": "u1", "metadata": {},
        "adminPass": SECRET
    }})
}

fn build_ref() -> ProviderRef {
    ProviderRef::HostwayBuild {
        server_id: NEW.into(),
        href: Some(format!("{BASE}/servers/{NEW}")),
    }
}

fn deletion_ref() -> ProviderRef {
    ProviderRef::HostwayDeletion {
        server_id: SID.into(),
    }
}

#[test]
fn create_posts_the_chosen_refs_as_given_and_no_password() {
    let req = create_request(&api(), &spec(), 0);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/servers"));
    assert!(req.headers.contains(&auth()));
    assert!(has_header(&req, "Content-Type", "application/json"));
    assert_eq!(
        json_of(&req),
        json!({"server": {"name": "web-03", "imageRef": format!("{BASE}/images/12"),
                          "flavorRef": format!("{BASE}/flavors/3"),
                          "securityGroupRef": format!("{BASE}/os-security-groups/7"),
                          "zone": "USOTE-0214"}})
    );
}

#[test]
fn the_create_answer_gives_the_id_and_never_keeps_the_password() {
    let a = api();
    let resp = HttpResponse::new(202, created_body().to_string())
        .with_header("Location", &format!("{BASE}/servers/{NEW}"));
    let acc = create_accepted(&a, &spec(), 0, &resp, 0).unwrap();
    assert_eq!(acc.created, Some(VmId::new(NEW)));
    assert_eq!(acc.provider_ref, build_ref());
    assert_eq!(acc.state, TaskState::Running);
    assert_eq!(acc.raw_status, "BUILD");
    assert!(
        !format!("{acc:?}").contains(SECRET),
        "the password stays out"
    );
    // No id in the body: the Location (absolute or not), else the self link.
    for location in [
        format!("{BASE}/servers/{NEW}"),
        format!("/accounts/acc-1/flexcloud/servers/{NEW}/"),
        format!("servers/{NEW}?x=1"),
    ] {
        let resp = HttpResponse::new(202, "").with_header("Location", &location);
        let acc = create_accepted(&a, &spec(), 0, &resp, 0).unwrap();
        assert_eq!(acc.created, Some(VmId::new(NEW)), "{location}");
    }
    let mut no_id = created_body();
    no_id["server"].as_object_mut().unwrap().remove("id");
    let acc = create_accepted(
        &a,
        &spec(),
        0,
        &HttpResponse::new(202, no_id.to_string()),
        0,
    )
    .unwrap();
    assert_eq!(acc.created, Some(VmId::new(NEW)));
    let e = create_accepted(&a, &spec(), 0, &HttpResponse::new(202, ""), 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
    let cases = [
        (400, "badRequest", "Invalid flavorRef", ErrorKind::Invalid),
        (
            403,
            "forbidden",
            "Quota exceeded for instances",
            ErrorKind::Forbidden,
        ),
        (413, "overLimit", "Over limit", ErrorKind::Conflict),
    ];
    for (status, key, text, kind) in cases {
        let e = create_accepted(&a, &spec(), 0, &refused(status, key, text), 0).unwrap_err();
        assert_eq!(e.kind, kind, "{status}");
        assert_eq!(e.provider_text.as_deref(), Some(text));
    }
}

#[test]
fn the_new_server_is_read_at_its_location_as_given() {
    let a = api();
    let created = |location: Option<&str>, body: &Value| {
        let mut resp = HttpResponse::new(202, body.to_string());
        if let Some(l) = location {
            resp = resp.with_header("Location", l);
        }
        create_accepted(&a, &spec(), 0, &resp, 0).unwrap()
    };
    let origin = "https://api.hostway.example";
    // Absolute or relative (resolved against `POST /servers`), on another path than
    // `servers/{id}`: read there; the id is still the server's.
    for (location, url) in [
        (
            format!("{origin}/v2/flexcloud/servers/{NEW}?details=1"),
            format!("{origin}/v2/flexcloud/servers/{NEW}?details=1"),
        ),
        (
            format!("/v2/accounts/acc-1/servers/{NEW}"),
            format!("{origin}/v2/accounts/acc-1/servers/{NEW}"),
        ),
        (
            format!("v1.1/servers/{NEW}/"),
            format!("{BASE}/v1.1/servers/{NEW}/"),
        ),
    ] {
        let acc = created(Some(&location), &created_body());
        assert_eq!(acc.created, Some(VmId::new(NEW)), "{location}");
        let req = a.observe_request(&acc.provider_ref);
        assert_eq!(req.url, url);
        assert!(req.headers.contains(&auth()), "{location}: same origin");
    }
    // No Location: the `self` link, as given.
    let mut body = created_body();
    body["server"]["links"] =
        json!([{"href": format!("{origin}/v2/servers/{NEW}"), "rel": "self"}]);
    let acc = created(None, &body);
    assert_eq!(
        a.observe_request(&acc.provider_ref).url,
        format!("{origin}/v2/servers/{NEW}")
    );
    // On another origin: followed, without the credentials.
    let acc = created(
        Some(&format!("https://elsewhere.example/servers/{NEW}")),
        &body,
    );
    let req = a.observe_request(&acc.provider_ref);
    assert_eq!(req.url, format!("https://elsewhere.example/servers/{NEW}"));
    assert!(!req.headers.iter().any(|h| h.0 == "Authorization"));
    // Neither: the one place the sheet gives for a server.
    body["server"].as_object_mut().unwrap().remove("links");
    let acc = created(None, &body);
    assert_eq!(
        a.observe_request(&acc.provider_ref).url,
        format!("{BASE}/servers/{NEW}")
    );
}

#[test]
fn a_new_server_builds_until_active_with_a_host() {
    let a = api();
    assert_eq!(
        a.observe_request(&build_ref()).url,
        format!("{BASE}/servers/{NEW}")
    );
    let look = |v: &Value| a.parse_observation(&build_ref(), &ok(v), 0).unwrap();
    let mut v = created_body();
    v["server"]["progress"] = json!(50);
    let o = look(&v);
    assert_eq!((o.state, o.progress), (TaskState::Running, Some(50)));
    // Active, but not placed on a host yet.
    v["server"]["status"] = json!("ACTIVE");
    v["server"]["progress"] = json!(100);
    assert_eq!(look(&v).state, TaskState::Running);
    v["server"]["hostId"] = json!("a1b2c3");
    v["server"]["created"] = json!("2026-01-01T00:02:00Z");
    v["server"]["addresses"] = json!({"public": [{"version": 4, "addr": "203.0.113.30"}]});
    let o = look(&v);
    assert_eq!(o.state, TaskState::Settled);
    assert_eq!(o.vm.unwrap().addresses[0].ip, "203.0.113.30");
    // Never `PROCESSING`: not for the list of the servers changing.
    assert!(a
        .observe_many_request(&[&build_ref(), &build_ref()])
        .is_none());
    assert!(!CAPS.observes_many(RefKind::HostwayBuild));
    for odd in ["UNKNOWN", "ERROR"] {
        v["server"]["status"] = json!(odd);
        let o = look(&v);
        assert_eq!(o.state, TaskState::Unknown(odd.into()));
        assert!(!o.state.is_terminal());
    }
}

/// The server as the sheet's "ready" row shows it: `ACTIVE`, progress 100, `created` and
/// `hostId` set, a public address.
fn ready_body() -> Value {
    let mut v = created_body();
    let s = &mut v["server"];
    s["status"] = json!("ACTIVE");
    s["progress"] = json!(100);
    s["hostId"] = json!("a1b2c3");
    s["created"] = json!("2026-01-01T00:02:00Z");
    s["addresses"] = json!({"public": [{"version": 4, "addr": "203.0.113.30"}],
                            "private": [{"version": 4, "addr": "10.0.0.30"}]});
    s["accessIPv4"] = json!("203.0.113.30");
    v
}

#[test]
fn a_new_server_is_ready_only_with_all_the_sheet_names() {
    let a = api();
    let look = |v: &Value| a.parse_observation(&build_ref(), &ok(v), 0).unwrap().state;
    assert_eq!(look(&ready_body()), TaskState::Settled);
    let unready: [(&str, Value); 7] = [
        ("progress", json!(50)),
        ("progress", json!("50")),
        ("hostId", json!("")),
        ("created", json!("")),
        ("hostId", Value::Null),
        // Private and access addresses only: nothing under `addresses.public`.
        (
            "addresses",
            json!({"public": [], "private": [{"version": 4, "addr": "10.0.0.30"}]}),
        ),
        (
            "addresses",
            json!({"private": [{"version": 4, "addr": "10.0.0.30"}]}),
        ),
    ];
    for (key, value) in unready {
        let mut v = ready_body();
        v["server"][key] = value.clone();
        assert_eq!(look(&v), TaskState::Running, "{key}: {value}");
    }
    // No progress given, or none that is a number: the rest decides (the sheet gives it while
    // `BUILD`).
    for progress in [None, Some(json!(null)), Some(json!("done"))] {
        let mut v = ready_body();
        match &progress {
            Some(p) => v["server"]["progress"] = p.clone(),
            None => {
                v["server"].as_object_mut().unwrap().remove("progress");
            }
        }
        assert_eq!(look(&v), TaskState::Settled, "{progress:?}");
    }
    // A server action on an existing server is not held by what a create waits for.
    let mut v = ready_body();
    v["server"]["progress"] = json!(0);
    v["server"]["addresses"] = json!({"private": [{"version": 4, "addr": "10.0.0.30"}]});
    let action = ProviderRef::HostwayServer {
        server_id: NEW.into(),
    };
    let o = a.parse_observation(&action, &ok(&v), 0).unwrap();
    assert_eq!(o.state, TaskState::Settled);
}

#[test]
fn a_new_server_is_verified_only_with_a_public_address_and_a_host() {
    let create = Action::Create(Box::default());
    let expect = create.expectation(None, CAPS.create.unwrap().addressed());
    let seen = |v: &Value| parse_server(v).unwrap();
    assert_eq!(expect.check(Some(&seen(&ready_body()))), Ok(()));
    // Only a private address, and an access address listed nowhere else.
    let mut v = ready_body();
    v["server"]["addresses"] = json!({"private": [{"version": 4, "addr": "10.0.0.30"}]});
    v["server"]["accessIPv4"] = json!("198.51.100.30");
    assert_eq!(
        expect.check(Some(&seen(&v))),
        Err(crate::model::Mismatch::NoPublicAddress)
    );
    // Not placed on a host yet: still locked.
    let mut v = ready_body();
    v["server"]["hostId"] = json!("");
    assert!(seen(&v).locked);
    assert_eq!(
        expect.check(Some(&seen(&v))),
        Err(crate::model::Mismatch::Locked)
    );
}

#[test]
fn delete_is_followed_until_not_found() {
    let a = api();
    let v = vm("ACTIVE");
    let delete = Action::Delete { stop_first: false };
    assert_eq!(a.stages(&delete), 1);
    let req = request(&a, &v, &delete);
    assert_eq!(req.method, Method::Delete);
    assert_eq!(req.url, format!("{BASE}/servers/{SID}"));
    assert_eq!(req.body, None);
    assert!(req.headers.contains(&auth()));
    let acc = accept(&a, &v, &delete, &HttpResponse::new(202, ""), 0).unwrap();
    assert_eq!(acc.provider_ref, deletion_ref());
    assert_eq!(acc.state, TaskState::Running);
    let gone = HttpResponse::new(
        404,
        r#"{"itemNotFound": {"message": "Server not found", "code": 404}}"#,
    );
    assert_eq!(
        accept(&a, &v, &delete, &gone, 0).unwrap().state,
        TaskState::Succeeded
    );
    let busy = refused(409, "conflictingRequest", "Other status change in progress");
    assert_eq!(
        accept(&a, &v, &delete, &busy, 0).unwrap_err().kind,
        ErrorKind::Conflict
    );
    // Observed on the server.
    assert_eq!(
        a.observe_request(&deletion_ref()).url,
        format!("{BASE}/servers/{SID}")
    );
    let shows = |status: &str| {
        a.parse_observation(&deletion_ref(), &ok(&server(status, 100)), 0)
            .unwrap()
            .state
    };
    assert_eq!(shows("ACTIVE"), TaskState::Running, "not yet");
    assert_eq!(shows("PROCESSING"), TaskState::Running);
    assert_eq!(
        shows("DELETED"),
        TaskState::Running,
        "torn down: until not found"
    );
    assert_eq!(shows("ERROR"), TaskState::Unknown("ERROR".into()));
    let o = a.parse_observation(&deletion_ref(), &gone, 0).unwrap();
    assert_eq!(o.state, TaskState::Succeeded);
    // For any other change a DELETED server is a failure, and a 404 an error.
    assert_eq!(
        a.parse_observation(&build_ref(), &ok(&server("DELETED", 0)), 0)
            .unwrap()
            .state,
        TaskState::Failed
    );
    assert_eq!(
        a.parse_observation(&build_ref(), &gone, 0)
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
    // Not in the observe-many list (`?status=PROCESSING` says nothing of a deletion).
    assert!(a
        .observe_many_request(&[&deletion_ref(), &deletion_ref()])
        .is_none());
    assert!(!CAPS.observes_many(RefKind::HostwayDeletion));
}

#[test]
fn delete_waits_for_a_change_under_way() {
    let a = api();
    for status in ["ACTIVE", "STOPPED", "SUSPENDED"] {
        assert_eq!(
            a.allowed(&vm(status), ActionKind::Delete),
            Ok(()),
            "{status}"
        );
    }
    assert_eq!(
        a.allowed(&vm("BUILD"), ActionKind::Delete),
        Err(Refusal::Changing {
            status: "BUILD".into()
        })
    );
    assert_eq!(
        a.allowed(&vm("DELETED"), ActionKind::Delete),
        Err(Refusal::Deleted)
    );
    assert_eq!(
        a.allowed(&vm("ERROR"), ActionKind::Delete),
        Err(Refusal::StatusNotKnown {
            status: "ERROR".into(),
            rename_only: false
        })
    );
    assert_eq!(a.allowed(&vm("BUILD"), ActionKind::Create), Ok(()));
    let create = CAPS.create.unwrap();
    assert!(
        create.place == Some(crate::dialect::Place::Zone)
            && create.security_group_required
            && create.shows_password_once
    );
    assert!(create.addressed_when_ready && !create.ssh_keys && !create.network_required);
    assert_eq!(create.sizing, Sizing::Catalogue);
    assert!(!CAPS.delete.unwrap().needs_stopped);
}
