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
          "links": {"pages": {"next": "https://elsewhere.example/api/v1/vms?page=2&per_page=200"}}}"#,
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
    assert_eq!(page.next, vec!["2".to_string()]);
    // The next page is built from the configured base, not the link's host.
    assert_eq!(
        api().list_request(Some(&page.next[0])).url,
        "https://cloudsfor.com/api/v1/vms?page=2&per_page=200"
    );
}
