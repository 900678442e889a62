//! Erigones' snapshots and backups, as the sheet shows them; a rollback never carries `note`.

use super::*;
use crate::dialect::testing::request;
use crate::model::{PointKind, PointState};

const SNAPSHOTS: &str = r#"{"status": "SUCCESS", "result": [
 {"name": "daily-1", "disk_id": 1, "note": "", "type": 1, "created": "2026-12-06T03:00:00Z", "status": 1, "size": 1024, "define": "daily", "hostname": "example.cust.erigones.com", "id": 7},
 {"name": "pre-upgrade", "disk_id": 1, "note": "by hand", "type": 2, "created": "2026-12-06T17:06:58Z", "status": 2},
 {"name": "rolling", "status": 3}, {"name": "lost-one", "status": 4}, {"name": "odd", "status": 9}
], "task_id": null}"#;

#[test]
fn lists_are_read_with_the_integer_statuses() {
    let a = api();
    let req = a
        .points_request(&vm("running", false), PointKind::Snapshot)
        .unwrap();
    assert_eq!(req.url, format!("{BASE}/vm/{HOST}/snapshot/?full=true"));
    let p = a
        .parse_points(PointKind::Snapshot, &HttpResponse::new(200, SNAPSHOTS), 0)
        .unwrap();
    let states: Vec<_> = p.iter().map(|p| p.state.clone()).collect();
    assert_eq!(
        states,
        [
            PointState::Ready,
            PointState::Creating,
            PointState::Restoring,
            PointState::Lost,
            PointState::Unknown("9".into())
        ]
    );
    assert_eq!(p[0].id, "daily-1");
    assert_eq!((p[0].automatic, p[1].automatic), (Some(true), Some(false)));
    assert_eq!(p[0].definition.as_deref(), Some("daily"));
    assert_eq!(p[1].note.as_deref(), Some("by hand"));
}

#[test]
fn a_rollback_is_a_put_without_note() {
    let a = api();
    let v = vm("stopped", false);
    let req = request(
        &a,
        &v,
        &Action::RestoreSnapshot {
            id: "pre-upgrade".into(),
            name: "pre-upgrade".into(),
        },
    );
    assert_eq!(req.method, Method::Put);
    assert_eq!(req.url, format!("{BASE}/vm/{HOST}/snapshot/pre-upgrade/"));
    let b = body(&req);
    assert_eq!(b, json!({"disk_id": 1, "force": true}));
    assert!(b.get("note").is_none());
    // A create may carry the description as its note.
    let req = request(
        &a,
        &v,
        &Action::Snapshot {
            name: "s1".into(),
            description: "before".into(),
        },
    );
    assert_eq!(
        (req.method, body(&req)),
        (Method::Post, json!({"disk_id": 1, "note": "before"}))
    );
}

#[test]
fn backups_run_a_definition_restore_onto_the_vm_and_delete_by_name() {
    let a = api();
    let v = vm("stopped", false);
    let req = request(
        &a,
        &v,
        &Action::Backup {
            name: "daily".into(),
        },
    );
    assert_eq!(
        (req.method, req.url.clone()),
        (Method::Post, format!("{BASE}/vm/{HOST}/backup/daily/"))
    );
    let req = request(
        &a,
        &v,
        &Action::RestoreBackup {
            backup_id: "daily-1".into(),
            name: String::new(),
        },
    );
    assert_eq!(req.method, Method::Put);
    assert_eq!(
        body(&req),
        json!({"target_hostname_or_uuid": HOST, "target_disk_id": 1, "force": true})
    );
    let req = request(
        &a,
        &v,
        &Action::DeleteBackup {
            id: "daily-1".into(),
            name: "daily-1".into(),
        },
    );
    assert_eq!(
        (req.method, req.url.clone()),
        (Method::Delete, format!("{BASE}/vm/{HOST}/backup/"))
    );
    assert_eq!(body(&req), json!({"bkpnames": ["daily-1"]}));
}

#[test]
fn restores_need_the_vm_stopped() {
    let a = api();
    assert_eq!(
        a.allowed(&vm("running", false), ActionKind::RestoreSnapshot),
        Err(Refusal::MustBeStopped {
            status: "running".into()
        })
    );
    assert_eq!(
        a.allowed(&vm("stopped", false), ActionKind::RestoreBackup),
        Ok(())
    );
    assert_eq!(
        a.allowed(&vm("running", false), ActionKind::Snapshot),
        Ok(())
    );
}

#[test]
fn hostile_lists_do_not_panic() {
    let a = api();
    for body in [
        "",
        "7",
        r#"{"result": {}}"#,
        r#"[{"name": 5, "status": "1"}, {"status": 1}, null]"#,
    ] {
        let _ = a.parse_points(PointKind::Backup, &HttpResponse::new(200, body), 0);
    }
}
