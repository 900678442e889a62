//! Hostway's snapshots, as the sheet shows them.

use super::*;
use crate::model::{PointKind, PointState};

const LIST: &str = r#"{"snapshots": [
 {"id": "snap-1", "name": "first", "description": "", "status": "ACTIVE", "create_time": "2026-12-06 17:06:58", "links": []},
 {"id": "snap-2", "name": "second", "description": "db", "status": "BUILD", "create_time": "0000-00-00 00:00:00", "links": []},
 {"id": "snap-3", "name": "third", "status": "FROZEN", "create_time": ""},
 {"id": "snap-4", "name": "gone", "status": "DELETED"}
]}"#;

#[test]
fn a_list_is_read_with_its_states_and_unset_times() {
    let a = api();
    let req = a
        .points_request(&vm("ACTIVE"), PointKind::Snapshot)
        .unwrap();
    assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots"));
    assert!(a.points_request(&vm("ACTIVE"), PointKind::Backup).is_none());
    // The documented success is 202.
    let p = a
        .parse_points(PointKind::Snapshot, &HttpResponse::new(202, LIST), 0)
        .unwrap();
    let states: Vec<_> = p.iter().map(|p| p.state.clone()).collect();
    assert_eq!(
        states,
        [
            PointState::Ready,
            PointState::Creating,
            PointState::Unknown("FROZEN".into()),
            PointState::Deleting
        ]
    );
    assert_eq!(p[0].created.as_deref(), Some("2026-12-06T17:06:58Z"));
    assert_eq!((p[1].created.as_ref(), p[2].created.as_ref()), (None, None));
    assert_eq!(p[1].note.as_deref(), Some("db"));
}

#[test]
fn restore_and_delete_use_the_documented_paths() {
    let a = api();
    let restore = Action::RestoreSnapshot {
        id: "snap-1".into(),
        name: "first".into(),
    };
    let req = request(&a, &vm("ACTIVE"), &restore);
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        req.url,
        format!("{BASE}/servers/{SID}/snapshots/snap-1/actions")
    );
    assert_eq!(body(&req), json!({"action": "restore"}));
    let acc = accept(&a, &vm("ACTIVE"), &restore, &HttpResponse::new(202, ""), 0).unwrap();
    assert_eq!(
        acc.provider_ref,
        ProviderRef::HostwayServer {
            server_id: SID.into()
        }
    );
    let del = Action::DeleteSnapshot {
        id: "snap-1".into(),
        name: "first".into(),
    };
    let req = request(&a, &vm("ACTIVE"), &del);
    assert_eq!(req.method, Method::Delete);
    assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots/snap-1"));
    let acc = accept(&a, &vm("ACTIVE"), &del, &HttpResponse::new(202, ""), 0).unwrap();
    assert_eq!(
        (acc.provider_ref, acc.state),
        (ProviderRef::Watch, TaskState::Running)
    );
}

#[test]
fn a_created_snapshot_is_known_by_its_id() {
    let a = api();
    let resp = HttpResponse::new(202, SNAPSHOT_ACCEPTED);
    let acc = accept(&a, &vm("ACTIVE"), &snapshot(), &resp, 0).unwrap();
    assert_eq!(
        acc.created.map(|c| c.0),
        Some("snapshot_jello614636-USOTE-0214_2012Jul19_m5yf9Bz8a".to_string())
    );
}

#[test]
fn hostile_lists_do_not_panic() {
    let a = api();
    for body in [
        "",
        "{",
        r#"{"snapshots": {}}"#,
        r#"{"snapshots": [[], {"id": {}}, {"id": "x", "status": 4}]}"#,
    ] {
        let _ = a.parse_points(PointKind::Snapshot, &HttpResponse::new(200, body), 0);
    }
}
