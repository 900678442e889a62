//! ONETSolutions' snapshots and backups, as the sheet shows them.

use super::*;
use crate::dialect::testing::json_of;
use crate::model::{PointKind, PointState};

const LIST: &str = r#"{"count": 3, "next": null, "previous": null, "results": [
 {"id": "s-1", "name": "pre", "status": "available", "size_gb": 12.5, "created": "2026-12-06T17:06:58Z"},
 {"id": "s-2", "name": "mid", "status": "creating", "size_gb": 0, "created": "2026-12-06T18:00:00Z"},
 {"id": "s-3", "name": "odd", "status": "quarantined", "created": null, "type": "automatic"}
]}"#;

#[test]
fn lists_and_writes_follow_the_sheet() {
    let a = api();
    let v = vm("stopped");
    let req = a.points_request(&v, PointKind::Backup).unwrap();
    assert!(
        req.url
            .starts_with(&format!("{BASE}/compute/instances/{ID}/backups")),
        "{}",
        req.url
    );
    let p = a
        .parse_points(PointKind::Snapshot, &HttpResponse::new(200, LIST), 0)
        .unwrap();
    assert_eq!(p[0].state, PointState::Ready);
    assert_eq!(p[1].state, PointState::Creating);
    assert_eq!(p[2].state, PointState::Unknown("quarantined".into()));
    assert_eq!(p[2].automatic, Some(true));
    let cases = [
        (
            Action::Snapshot {
                name: " pre ".into(),
                description: "d".into(),
            },
            Method::Post,
            "/snapshots",
            json!({"name": "pre"}),
        ),
        (
            Action::RestoreSnapshot {
                id: "s-1".into(),
                name: "pre".into(),
            },
            Method::Post,
            "/snapshots/s-1/restore",
            json!({}),
        ),
        (
            Action::SnapshotToImage {
                id: "s-1".into(),
                name: "golden".into(),
            },
            Method::Post,
            "/snapshots/s-1/image",
            json!({"name": "golden"}),
        ),
        (
            Action::Backup { name: "b".into() },
            Method::Post,
            "/backups",
            json!({"name": "b"}),
        ),
        (
            Action::RestoreBackup {
                backup_id: "b-1".into(),
                name: String::new(),
            },
            Method::Post,
            "/backups/b-1/restore",
            json!({}),
        ),
    ];
    for (action, method, tail, want) in cases {
        let req = request(&a, &v, &action);
        assert_eq!(req.method, method, "{action:?}");
        assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}{tail}"));
        assert_eq!(json_of(&req), want, "{action:?}");
    }
    let del = Action::DeleteBackup {
        id: "b-1".into(),
        name: "b".into(),
    };
    let req = request(&a, &v, &del);
    assert_eq!(
        (req.method, req.url.ends_with("/backups/b-1")),
        (Method::Delete, true)
    );
}

#[test]
fn task_answers_are_followed_and_a_403_names_the_addon() {
    let a = api();
    let v = vm("running");
    let snap = Action::Snapshot {
        name: "s".into(),
        description: String::new(),
    };
    let resp = HttpResponse::new(202, task("pending", 0, 3, Value::Null).to_string());
    let acc = accept(&a, &v, &snap, &resp, 0).unwrap();
    assert!(matches!(acc.provider_ref, ProviderRef::OnetTask { .. }));
    let refused = HttpResponse::new(
        403,
        r#"{"detail": "The snapshots addon is not active on this instance."}"#,
    );
    let e = accept(&a, &v, &snap, &refused, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAddon);
    assert!(e.provider_text.unwrap().contains("addon"));
}

#[test]
fn hostile_lists_do_not_panic() {
    let a = api();
    for body in [
        "",
        "[]",
        r#"{"results": null}"#,
        r#"{"results": [1, {"id": 2, "status": {}}]}"#,
    ] {
        let _ = a.parse_points(PointKind::Snapshot, &HttpResponse::new(200, body), 0);
    }
}
