//! Listing VMs and reading one.

use super::*;

#[test]
fn lists_statuses_then_addresses_in_two_requests() {
    let req = api().list_request(None);
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.url, "https://my.erigones.com/api/vm/status/");
    assert!(req
        .headers
        .contains(&("ES-API-KEY".into(), "secret-key".into())));
    let page = api()
        .parse_list(None, &HttpResponse::new(200, DOC_LIST), 0)
        .unwrap();
    assert_eq!(page.vms.len(), 1);
    let v = &page.vms[0];
    assert_eq!(v.id, HOST, "the hostname is what URLs use");
    assert_eq!(v.name, "example", "the alias is what users read");
    assert_eq!(v.power, PowerState::Running);
    assert_eq!(v.status_raw, "running");
    assert!(!v.locked);
    assert!(v.status_only, "the status list says nothing of addresses");
    // Every VM's addresses and size come in one more request.
    assert_eq!(page.next.len(), 1);
    let cursor = page.next[0].as_str();
    let req = api().list_request(Some(cursor));
    assert_eq!(req.url, "https://my.erigones.com/api/vm/?full=true");
    let full = r#"{"status": "SUCCESS", "result": [{"hostname": "example.cust.erigones.com",
        "alias": "example", "status": "running", "vcpus": 2, "ram": 2048, "disk": 20480,
        "ips": ["203.0.113.7", "10.0.0.7"], "locked": false}]}"#;
    let page = api()
        .parse_list(Some(cursor), &HttpResponse::new(200, full), 0)
        .unwrap();
    assert!(page.next.is_empty(), "two parts in all");
    let v = &page.vms[0];
    assert!(!v.status_only);
    assert_eq!(v.size.vcpus, Some(2));
    let ips: Vec<(&str, bool)> = v
        .addresses
        .iter()
        .map(|a| (a.ip.as_str(), a.public))
        .collect();
    assert_eq!(ips, [("203.0.113.7", true), ("10.0.0.7", false)]);
}

#[test]
fn pending_tasks_lock_the_vm_and_a_vm_without_hostname_keeps_its_uuid() {
    let resp = HttpResponse::new(
        200,
        r#"{"status": "SUCCESS", "task_id": "0-1", "result": [
            {"hostname": "a.example", "uuid": "u-a", "alias": "", "status": "stopping",
             "tasks": {"1e1d1-aa": {"view": "vm_status", "method": "PUT", "action": "stop",
                       "hostname": "a.example", "time": "2026-01-01T00:00:00Z"}}},
            {"uuid": "9d1b-uuid-only", "alias": "b", "status": "stopped"},
            {"alias": "no id at all, skipped", "status": "running"}
        ]}"#,
    );
    let vms = api().parse_list(None, &resp, 0).unwrap().vms;
    assert_eq!(vms.len(), 2);
    assert!(vms[0].locked);
    assert_eq!(
        vms[0].name, "a.example",
        "an empty alias falls back to the id"
    );
    assert_eq!(vms[0].power, PowerState::Stopping);
    assert_eq!(vms[1].id, "9d1b-uuid-only");
    assert!(!vms[1].locked);
}

#[test]
fn every_documented_vm_status_is_mapped_and_unknown_ones_stay_raw() {
    let cases = [
        ("running", PowerState::Running),
        ("stopped", PowerState::Stopped),
        ("stopping", PowerState::Stopping),
        ("frozen", PowerState::Stopped),
        ("notcreated", PowerState::Stopped),
        ("deploying", PowerState::Busy),
        ("notready", PowerState::Busy),
        ("running-", PowerState::Busy),
        ("stopped-", PowerState::Busy),
        ("frozen-", PowerState::Busy),
        ("notcreated-", PowerState::Busy),
        ("error", PowerState::Unknown("error".into())),
        ("migrating", PowerState::Unknown("migrating".into())),
        ("paused-", PowerState::Unknown("paused-".into())),
    ];
    for (status, want) in cases {
        assert_eq!(power_of(status), want, "{status}");
    }
}

#[test]
fn reads_one_vm_from_the_database() {
    let req = api().read_vm_request(&VmId::new(HOST), None);
    assert_eq!(
        req.url,
        "https://my.erigones.com/api/vm/example.cust.erigones.com/status/"
    );
    let resp = HttpResponse::new(
        200,
        r#"{"status": "SUCCESS", "task_id": "0-2", "result":
            {"hostname": "example.cust.erigones.com", "uuid": "u1", "alias": "example",
             "status": "stopped", "node_status": "online", "tasks": {}, "uptime": null}}"#,
    );
    let vms = api().parse_read_vm(&resp, 0).unwrap();
    assert_eq!(vms.len(), 1);
    assert_eq!(vms[0].power, PowerState::Stopped);
    let missing = HttpResponse::new(404, r#"{"detail": "VM not found"}"#);
    let e = api().parse_read_vm(&missing, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.provider_text.as_deref(), Some("VM not found"));
}

#[test]
fn a_vm_object_with_details_gives_sizes_and_addresses_public_first() {
    // `GET /vm/{hostname}/` (and each item of `GET /vm/?full=true`): read wherever it is met.
    let resp = HttpResponse::new(
        200,
        r#"{"status": "SUCCESS", "task_id": "0-3", "result":
            {"hostname": "example.cust.erigones.com", "uuid": "u1", "alias": "example",
             "node": "node1", "owner": "admin", "status": "running", "node_status": "online",
             "vcpus": 2, "ram": 2048, "disk": 10240,
             "ips": ["10.0.0.5", "203.0.113.7", "2001:db8::7", "fd00::5", "not an address"],
             "uptime": 3600, "locked": false}}"#,
    );
    let vms = api().parse_read_vm(&resp, 0).unwrap();
    let v = &vms[0];
    assert_eq!(v.power, PowerState::Running);
    assert_eq!(
        v.size,
        Size {
            vcpus: Some(2),
            memory_gb: Some(2),
            disk_gb: Some(10),
            flavor: None
        }
    );
    let ips: Vec<(&str, u8, bool)> = v
        .addresses
        .iter()
        .map(|a| (a.ip.as_str(), a.version, a.public))
        .collect();
    assert_eq!(
        ips,
        vec![
            ("203.0.113.7", 4, true),
            ("2001:db8::7", 6, true),
            ("10.0.0.5", 4, false),
            ("fd00::5", 6, false),
        ]
    );
    assert!(!v.locked);
    let locked = HttpResponse::new(
        200,
        r#"{"status": "SUCCESS", "result": [{"hostname": "b.example", "status": "stopped", "locked": true, "ips": []}]}"#,
    );
    let vms = api().parse_read_vm(&locked, 0).unwrap();
    assert!(vms[0].locked, "the VM's own lock");
    assert!(vms[0].addresses.is_empty());
    // The status listing carries no addresses: none are made up.
    let status = api()
        .parse_list(None, &HttpResponse::new(200, DOC_LIST), 0)
        .unwrap();
    assert!(status.vms[0].addresses.is_empty());
    assert_eq!(status.vms[0].size, Size::default());
}
