//! cloudsfor's snapshots and backups, as the sheet shows them.

use super::*;
use crate::model::{PointKind, PointState};

const SNAPSHOTS: &str = r#"{"snapshots": [
  {"id": 6372321, "name": "web-01-before-upgrade", "created_at": "2026-12-06T17:06:58Z",
   "regions": ["moscow_01"], "min_disk_size": 25, "size_gigabytes": 2.36, "type": "snapshot"},
  {"id": "6372400", "name": "second", "created_at": "2026-12-06 18:00:00", "size_gigabytes": null}
], "meta": {"total": 2}}"#;

#[test]
fn lists_are_read_per_vm_and_a_listed_snapshot_is_ready() {
    let a = api();
    let v = vm("running", false);
    let req = a.points_request(&v, PointKind::Snapshot).unwrap();
    assert_eq!(req.method, Method::Get);
    assert!(
        req.url.ends_with(&format!("/vms/{}/snapshots", v.id)),
        "{}",
        req.url
    );
    let req = a.points_request(&v, PointKind::Backup).unwrap();
    assert!(req.url.ends_with("/backups"), "{}", req.url);
    let points = a
        .parse_points(PointKind::Snapshot, &HttpResponse::new(200, SNAPSHOTS), 0)
        .unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].id, "6372321");
    assert_eq!(points[0].state, PointState::Ready);
    assert_eq!(points[0].size_gb, Some(2.36));
    assert_eq!(points[1].created.as_deref(), Some("2026-12-06T18:00:00Z"));
}

#[test]
fn restore_rebuilds_from_the_snapshot_and_backups_switch_by_action() {
    let a = api();
    let v = vm("running", false);
    let restore = Action::RestoreSnapshot {
        id: "6372321".into(),
        name: "s".into(),
    };
    let req = request(&a, &v, &restore);
    assert!(req.url.ends_with("/actions"));
    assert_eq!(body(&req), json!({"type": "rebuild", "image": 6372321}));
    let req = request(
        &a,
        &v,
        &Action::RestoreBackup {
            backup_id: "77".into(),
            name: String::new(),
        },
    );
    assert_eq!(body(&req), json!({"type": "restore", "image": 77}));
    for (on, t) in [(true, "enable_backups"), (false, "disable_backups")] {
        let req = request(&a, &v, &Action::AutoBackups { on });
        assert_eq!(body(&req), json!({ "type": t }));
    }
    let del = Action::DeleteSnapshot {
        id: "6372321".into(),
        name: "s".into(),
    };
    let req = request(&a, &v, &del);
    assert_eq!(req.method, Method::Delete);
    assert!(req.url.ends_with("/snapshots/6372321"), "{}", req.url);
    let acc = accept(&a, &v, &del, &HttpResponse::new(204, ""), 0).unwrap();
    assert_eq!(acc.provider_ref, ProviderRef::Watch);
}

#[test]
fn hostile_lists_do_not_panic() {
    let a = api();
    for body in [
        "",
        "null",
        "[]",
        r#"{"snapshots": 5}"#,
        r#"{"snapshots": [null, 1, "x", {"id": null}]}"#,
        r#"{"snapshots": [{"id": 1, "size_gigabytes": "huge", "created_at": 7}]}"#,
    ] {
        let _ = a.parse_points(PointKind::Snapshot, &HttpResponse::new(200, body), 0);
    }
    let e = a
        .parse_points(
            PointKind::Backup,
            &HttpResponse::new(404, r#"{"id":"not_found"}"#),
            0,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}
