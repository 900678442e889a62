//! Snapshots.

use serde_json::Value;

use super::*;

#[test]
fn snapshot_request_matches_the_documented_example() {
    let req = request(&api(), &vm("ACTIVE"), &snapshot());
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots"));
    assert!(req.headers.contains(&auth()));
    assert!(req
        .headers
        .contains(&("Content-Type".into(), "application/json".into())));
    assert_eq!(
        body(&req),
        serde_json::from_str::<Value>(SNAPSHOT_REQUEST).unwrap()
    );
}

#[test]
fn reads_the_documented_snapshot_answer_despite_its_commas() {
    let v = parse_doc_json(SNAPSHOT_ACCEPTED).unwrap();
    assert_eq!(v["snapshot"]["name"], "test snapshot");
    assert_eq!(v["snapshot"]["description"], "test snapshot description");
    assert_eq!(v["snapshot"]["create_time"], "0000-00-00 00:00:00");
    // No Location header: the self link, exactly as given.
    let resp = HttpResponse::new(202, SNAPSHOT_ACCEPTED);
    let acc = accept(&api(), &vm("ACTIVE"), &snapshot(), &resp, 0).unwrap();
    let href = "http://{api_server}/servers/{server_id}/snapshots/snapshot_jello614636-USOTE-0214_2012Jul19_m5yf9Bz8a/";
    assert_eq!(
        acc.provider_ref,
        ProviderRef::HostwaySnapshot {
            server_id: SID.into(),
            href: href.into(),
        }
    );
    assert_eq!(acc.state, TaskState::Running);
    assert_eq!(acc.raw_status, "BUILD");
    assert_eq!(api().observe_request(&acc.provider_ref).url, href);
}

#[test]
fn location_is_followed_as_given() {
    let a = api();
    let at = |loc: &str| {
        let resp = HttpResponse::new(202, SNAPSHOT_ACCEPTED).with_header("Location", loc);
        let acc = accept(&a, &vm("ACTIVE"), &snapshot(), &resp, 0).unwrap();
        let ProviderRef::HostwaySnapshot { href, .. } = &acc.provider_ref else {
            panic!("{:?}", acc.provider_ref)
        };
        // Stored as given, preferred over the body's self link.
        assert_eq!(href, loc);
        a.observe_request(&acc.provider_ref)
    };
    // Absolute: as is, even on another path layout.
    let req = at("https://api.hostway.example/v2/snap/77?x=1");
    assert_eq!(req.url, "https://api.hostway.example/v2/snap/77?x=1");
    assert!(req.headers.contains(&auth()));
    // Absolute path: on the base's host.
    let req = at("/accounts/acc-1/flexcloud/servers/s1/snapshots/77/");
    assert_eq!(
        req.url,
        "https://api.hostway.example/accounts/acc-1/flexcloud/servers/s1/snapshots/77/"
    );
    // Relative path: against the snapshot request's URL.
    let req = at("snapshots/77");
    assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots/77"));
    let req = at("../other/77");
    assert_eq!(req.url, format!("{BASE}/servers/other/77"));
    // Another host: followed, but the credentials are not sent there.
    let req = at("https://cdn.elsewhere.example/snap/77");
    assert_eq!(req.url, "https://cdn.elsewhere.example/snap/77");
    assert!(!req.headers.iter().any(|(k, _)| k == "Authorization"));

    // Neither Location nor a link: accepted, but nothing to follow.
    let bare = HttpResponse::new(202, "");
    let e = accept(&a, &vm("ACTIVE"), &snapshot(), &bare, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
    assert!(e.detail.unwrap().contains("Location"));
}

#[test]
fn snapshot_observation_follows_its_status() {
    let a = api();
    let r = ProviderRef::HostwaySnapshot {
        server_id: SID.into(),
        href: format!("{BASE}/servers/{SID}/snapshots/snap-1/"),
    };
    let req = a.observe_request(&r);
    assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots/snap-1/"));
    assert!(req.headers.contains(&auth()));
    let snap = |status: &str| {
        HttpResponse::new(
            200,
            format!(
                r#"{{"snapshot": {{"id": "snap-1", "name": "n", "status": "{status}", "guid": "", "links": [],}}}}"#
            ),
        )
    };
    let o = a.parse_observation(&r, &snap("BUILD"), 0).unwrap();
    assert_eq!(o.state, TaskState::Running);
    assert!(o.vm.is_none());
    assert_eq!(
        a.parse_observation(&r, &snap("ACTIVE"), 0).unwrap().state,
        TaskState::Succeeded
    );
    let o = a.parse_observation(&r, &snap("DELETED"), 0).unwrap();
    assert_eq!(o.state, TaskState::Failed);
    assert_eq!(o.raw_status, "DELETED");
    let o = a.parse_observation(&r, &snap("QUEUED"), 0).unwrap();
    assert_eq!(o.state, TaskState::Unknown("QUEUED".into()));
    assert!(!o.state.is_terminal());
    let with_progress =
        HttpResponse::new(200, r#"{"snapshot": {"status": "BUILD", "progress": 35}}"#);
    assert_eq!(
        a.parse_observation(&r, &with_progress, 0).unwrap().progress,
        Some(35)
    );
}

#[test]
fn documented_snapshot_errors_keep_the_providers_text() {
    let a = api();
    let v = vm("ACTIVE");
    let cases = [
        (
            400,
            "badRequest",
            "The snapshot cannot be created because the server contains extra volumes.",
        ),
        (
            409,
            "conflictingRequest",
            "The snapshot name must be unique in a server.",
        ),
        (
            413,
            "overLimit",
            "The snapshot can be created up to 3 in a server.",
        ),
    ];
    for (status, key, text) in cases {
        let e = accept(&a, &v, &snapshot(), &refused(status, key, text), 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict, "{status}");
        assert_eq!(e.status, Some(status));
        assert_eq!(e.provider_text.as_deref(), Some(text));
    }
    // A plain-text error body is still quoted.
    let e = accept(
        &a,
        &v,
        &snapshot(),
        &HttpResponse::new(413, "Too many snapshots"),
        0,
    )
    .unwrap_err();
    assert_eq!(e.provider_text.as_deref(), Some("Too many snapshots"));
}
