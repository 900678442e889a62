//! Listing VMs.

use super::*;

#[test]
fn lists_vms_with_pagination() {
    let req = api().list_request(None);
    assert_eq!(
        req.url,
        "https://cloudsfor.com/api/v1/vms?page=1&per_page=200"
    );
    let resp = HttpResponse::new(
        200,
        r#"{"vms": [
            {"id": "a1", "name": "web-01", "memory": 2, "vcpus": 1, "disk": 50, "locked": false,
             "created_at": "2024-01-01T00:00:00Z", "status": "running", "backup_ids": [],
             "snapshot_ids": [7, 8], "image": {"id": 1, "distro": "Ubuntu", "name": "Ubuntu 24.04"},
             "features": [], "networks": {}},
            {"id": 42, "name": "db-01", "status": "archived", "locked": true},
            {"name": "no id, skipped"}
          ],
          "meta": {"total": 203},
          "links": {"pages": {"next": "https://cloudsfor.com/api/v1/vms?page=2&per_page=200"}}}"#,
    );
    let page = api().parse_list(None, &resp, 0).unwrap();
    assert_eq!(page.vms.len(), 2);
    let web = &page.vms[0];
    assert_eq!(web.power, PowerState::Running);
    assert_eq!(
        web.size,
        Size {
            vcpus: Some(1),
            memory_gb: Some(2),
            disk_gb: Some(50),
            flavor: None
        }
    );
    assert_eq!(web.snapshot_count, Some(2));
    assert_eq!(web.image.as_deref(), Some("Ubuntu 24.04"));
    let db = &page.vms[1];
    assert_eq!(db.id, "42");
    assert_eq!(db.power, PowerState::Unknown("archived".into()));
    assert!(db.locked);
    // The next page is read at the link given, as given (not rebuilt from a page number).
    let next = "https://cloudsfor.com/api/v1/vms?page=2&per_page=200";
    assert_eq!(page.next, vec![next.to_string()]);
    assert_eq!(api().list_request(Some(next)).url, next);
}

#[test]
fn a_next_link_is_followed_as_given_on_the_configured_host_only() {
    let with_next = |link: &str| {
        HttpResponse::new(
            200,
            serde_json::json!({"vms": [], "links": {"pages": {"next": link}}}).to_string(),
        )
    };
    // A cursor, as DigitalOcean-style APIs give them: followed as given, with the credentials.
    let cursor = "https://cloudsfor.com/api/v1/vms?per_page=200&cursor=eyJpZCI6NDJ9";
    let page = api().parse_list(None, &with_next(cursor), 0).unwrap();
    assert_eq!(page.next, vec![cursor.to_string()]);
    let req = api().list_request(Some(cursor));
    assert_eq!(req.url, cursor);
    assert!(req.headers.iter().any(|(k, _)| k == "Authorization"));
    // Relative: resolved against the page it came with.
    let page = api()
        .parse_list(Some(cursor), &with_next("vms?cursor=next2"), 0)
        .unwrap();
    assert_eq!(
        page.next,
        vec!["https://cloudsfor.com/api/v1/vms?cursor=next2"]
    );
    // Another host (or scheme): the credentials are not sent there, and the list is not
    // taken for complete.
    for elsewhere in [
        "https://elsewhere.example/api/v1/vms?page=2",
        "http://cloudsfor.com/api/v1/vms?page=2",
    ] {
        let e = api()
            .parse_list(None, &with_next(elsewhere), 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse, "{elsewhere}");
    }
}

#[test]
fn reads_the_ipv4_networks_public_first() {
    let resp = HttpResponse::new(
        200,
        r#"{"vms": [{"id": "a1", "name": "web-01", "status": "running", "locked": false,
            "networks": {
                "v4": [
                    {"ip_address": "10.128.0.4", "netmask": "255.255.0.0", "gateway": null, "type": "private"},
                    {"ip_address": "203.0.113.20", "netmask": "255.255.255.0", "gateway": "203.0.113.1", "type": "public"},
                    {"ip_address": "198.51.100.3", "netmask": "255.255.255.0", "gateway": "198.51.100.1", "type": "floating"},
                    {"netmask": "255.255.255.0", "type": "public"}
                ],
                "v6": [{"ip_address": "2001:db8::20", "netmask": 64, "gateway": "2001:db8::1", "type": "public"}]
            }},
            {"id": "a2", "name": "new", "status": "new", "networks": {}}],
          "meta": {"total": 2}, "links": {}}"#,
    );
    let vms = api().parse_list(None, &resp, 0).unwrap().vms;
    let ips: Vec<(&str, u8, bool)> = vms[0]
        .addresses
        .iter()
        .map(|a| (a.ip.as_str(), a.version, a.public))
        .collect();
    // IPv4 only, as the sheet says; an unknown type is not taken for public.
    assert_eq!(
        ips,
        vec![
            ("203.0.113.20", 4, true),
            ("10.128.0.4", 4, false),
            ("198.51.100.3", 4, false),
        ]
    );
    assert!(vms[1].addresses.is_empty(), "not addressed yet");
}
