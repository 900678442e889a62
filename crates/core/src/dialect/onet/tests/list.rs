//! Listing instances.

use serde_json::json;

use super::*;

#[test]
fn lists_instances_page_by_page_from_the_configured_base() {
    let req = api().list_request(None);
    assert_eq!(
        req.url,
        format!("{BASE}/compute/instances?page=1&page_size=100")
    );
    let resp = HttpResponse::new(
        200,
        json!({
            "count": 130,
            "next": "https://api.onetsolutions.net/v1/organizations/org-1/projects/prj-1/compute/instances?page=2&page_size=100",
            "previous": null,
            "results": [
                {"id": ID, "legacy_id": 48123, "organization_id": "org-1", "project_id": "prj-1",
                 "name": "web-01", "status": "running",
                 "size": {"id": "s-2c-4g", "name": "VPS L", "vcpus": 2, "memory_gb": 4, "disk_gb": 80},
                 "location": {"id": "par1", "name": "Paris", "country": "FR"},
                 "vpc": {"id": "v", "name": "default"}},
                {"id": "b", "name": "", "status": "pending"},
                {"id": "c", "name": "odd", "status": "migrating"},
                {"name": "no id, skipped", "status": "running"}
            ]
        })
        .to_string(),
    );
    let page = api().parse_list(None, &resp, 0).unwrap();
    assert_eq!(page.vms.len(), 3);
    let web = &page.vms[0];
    assert_eq!(web.power, PowerState::Running);
    assert_eq!(
        web.size,
        Size {
            vcpus: Some(2),
            memory_gb: Some(4),
            disk_gb: Some(80),
            flavor: Some("VPS L".into())
        }
    );
    assert_eq!(web.region.as_deref(), Some("Paris"));
    assert!(!web.locked);
    assert_eq!(page.vms[1].name, "b");
    assert!(page.vms[1].locked, "pending: a task runs");
    assert_eq!(page.vms[1].power, PowerState::Busy);
    assert_eq!(page.vms[2].power, PowerState::Unknown("migrating".into()));
    // The next page is read at the link the provider gave, as given.
    let next = format!("{BASE}/compute/instances?page=2&page_size=100");
    assert_eq!(page.next, vec![next.clone()]);
    assert_eq!(api().list_request(Some(&next)).url, next);
    assert!(api()
        .list_request(Some(&next))
        .headers
        .iter()
        .any(|(k, _)| k == "Authorization"));
    // A cursor instead of a page number, and a relative link: as given, resolved.
    let cursor = HttpResponse::new(
        200,
        r#"{"count": 3, "next": "instances?cursor=cD0yMDI2&page_size=100", "previous": null, "results": []}"#,
    );
    assert_eq!(
        api().parse_list(Some(&next), &cursor, 0).unwrap().next,
        vec![format!(
            "{BASE}/compute/instances?cursor=cD0yMDI2&page_size=100"
        )]
    );
    // On another host: not followed with the credentials, and not taken for the last page.
    let elsewhere = HttpResponse::new(
        200,
        r#"{"count": 3, "next": "https://elsewhere.example/compute/instances?page=2", "previous": null, "results": []}"#,
    );
    let e = api().parse_list(None, &elsewhere, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
    // An instance is re-read on its own; a page is read as well.
    assert_eq!(
        api().read_vm_request(&VmId::new("b"), Some("2")).url,
        format!("{BASE}/compute/instances/b")
    );
    assert_eq!(api().parse_read_vm(&resp, 0).unwrap().len(), 3);

    // A `next` that does not move forward is not followed.
    let back = HttpResponse::new(
        200,
        r#"{"count": 3, "next": "instances?page=2&page_size=100", "previous": null, "results": []}"#,
    );
    assert!(api()
        .parse_list(Some(&next), &back, 0)
        .unwrap()
        .next
        .is_empty());
    let last = HttpResponse::new(
        200,
        r#"{"count": 3, "next": null, "previous": null, "results": []}"#,
    );
    assert!(api().parse_list(None, &last, 0).unwrap().next.is_empty());
    let e = api()
        .parse_list(None, &HttpResponse::new(200, r#"{"count": 0}"#), 0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}

#[test]
fn every_instance_status_is_mapped_and_unknown_ones_stay_raw() {
    assert_eq!(power_of("running"), PowerState::Running);
    assert_eq!(power_of("stopped"), PowerState::Stopped);
    assert_eq!(power_of("pending"), PowerState::Busy);
    assert_eq!(power_of("error"), PowerState::Unknown("error".into()));
    assert_eq!(
        power_of("suspended"),
        PowerState::Unknown("suspended".into())
    );
}

#[test]
fn reads_ipv4_and_ipv6_addresses_public_first() {
    let resp = HttpResponse::new(
        200,
        json!({"count": 1, "next": null, "previous": null, "results": [
            {"id": ID, "name": "web-01", "status": "running",
             "ip_addresses": [
                {"address": "10.20.0.4", "version": 4, "type": "private", "reverse_dns": null},
                {"address": "203.0.113.44", "version": 4, "type": "public", "reverse_dns": "web-01.example.com"},
                {"address": "2001:db8:4::44", "version": 6, "type": "public", "reverse_dns": null},
                {"address": "", "version": 4, "type": "public"}
             ]}
        ]})
        .to_string(),
    );
    let vm = &api().parse_list(None, &resp, 0).unwrap().vms[0];
    let ips: Vec<(&str, u8, bool)> = vm
        .addresses
        .iter()
        .map(|a| (a.ip.as_str(), a.version, a.public))
        .collect();
    assert_eq!(
        ips,
        vec![
            ("203.0.113.44", 4, true),
            ("2001:db8:4::44", 6, true),
            ("10.20.0.4", 4, false),
        ]
    );
}
