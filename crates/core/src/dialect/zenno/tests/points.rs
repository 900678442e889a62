//! ZennoHosting's backups, as the sheet shows them.

use super::*;
use crate::dialect::testing::{accept, json_of, request};
use crate::model::{PointKind, PointState};

#[test]
fn backups_are_listed_made_and_deleted_under_the_vm() {
    let a = api();
    let v = idle("running");
    let base = format!("https://api.zennohosting.com/projects/{P}/vms/{ID}");
    let req = a.points_request(&v, PointKind::Backup).unwrap();
    assert_eq!(req.url, format!("{base}/backups"));
    assert!(a.points_request(&v, PointKind::Snapshot).is_none());
    let list = json!({"items": [
        {"id": "bk-1", "name": "nightly", "status": "ready", "sizeGb": 20, "createdAt": "2026-12-06T03:00:00Z"},
        {"id": "bk-2", "name": "now", "status": "creating", "sizeGb": null, "createdAt": null},
        {"id": "bk-3", "name": "odd", "status": "archived"}
    ]});
    let p = a.parse_points(PointKind::Backup, &ok(&list), T).unwrap();
    let states: Vec<_> = p.iter().map(|p| p.state.clone()).collect();
    assert_eq!(
        states,
        [
            PointState::Ready,
            PointState::Creating,
            PointState::Unknown("archived".into())
        ]
    );
    let make = Action::Backup {
        name: " now ".into(),
    };
    let req = request(&a, &v, &make);
    assert_eq!(
        (req.method, req.url.clone()),
        (Method::Post, format!("{base}/backups"))
    );
    assert_eq!(json_of(&req), json!({"name": "now"}));
    let del = Action::DeleteBackup {
        id: "bk-1".into(),
        name: "nightly".into(),
    };
    let req = request(&a, &v, &del);
    assert_eq!(
        (req.method, req.url.clone()),
        (Method::Delete, format!("{base}/backups/bk-1"))
    );
    // Each is a command observed on the VM by its operation name.
    for (action, operation) in [(make, "backup"), (del, "delete_backup")] {
        let resp = HttpResponse::new(202, r#"{"commandId": "c-1"}"#);
        let acc = accept(&a, &v, &action, &resp, T).unwrap();
        assert!(
            matches!(&acc.provider_ref, ProviderRef::ZennoCommand { operation: o, .. } if o == operation),
            "{:?}",
            acc.provider_ref
        );
    }
}

#[test]
fn hostile_lists_do_not_panic() {
    let a = api();
    for body in [
        "",
        "{}",
        r#"{"items": 3}"#,
        r#"[{"id": []}, null, {"id": "x", "status": 1, "sizeGb": "big"}]"#,
    ] {
        let _ = a.parse_points(PointKind::Backup, &HttpResponse::new(200, body), T);
    }
}
