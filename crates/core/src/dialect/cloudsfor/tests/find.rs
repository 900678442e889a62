//! A lost write looked for in the VM's action list.

use super::*;
use crate::dialect::testing::find;
use crate::dialect::Found;
use serde_json::json;

/// 2015-01-14T16:31:00Z, as in the documented example.
const SENT: Millis = 1_421_253_060_000;

fn actions(list: &[Value]) -> HttpResponse {
    HttpResponse::new(200, json!({ "actions": list }).to_string())
}

fn action(ty: &str, status: &str, started: &str, completed: Option<&str>) -> Value {
    json!({"id": "5609f1ee1b0c4d2da622737b5ca25e6c", "type": ty, "status": status,
           "started_at": started, "completed_at": completed})
}

#[test]
fn the_action_of_its_type_started_when_it_went_out_is_adopted_by_its_start() {
    let a = api();
    let v = vm("running", false);
    let list = actions(&[
        action("reboot", "in-progress", "2015-01-14T16:31:00Z", None),
        action(
            "reboot",
            "completed",
            "2015-01-13T10:00:00Z",
            Some("2015-01-13T10:00:20Z"),
        ),
    ]);
    let Ok(Found::Adopted(acc)) = find(&a, &v, &Action::Reboot, SENT, None, &list) else {
        panic!()
    };
    assert_eq!(acc.state, TaskState::Running);
    assert!(matches!(
        acc.provider_ref,
        ProviderRef::CloudsforAction { ref started_at, .. } if started_at == "2015-01-14T16:31:00Z"
    ));
}

#[test]
fn an_earlier_action_or_another_type_is_not_it() {
    let a = api();
    let v = vm("running", false);
    let list = actions(&[
        // Another type, since.
        action("power_cycle", "in-progress", "2015-01-14T16:31:00Z", None),
        // Its type, long before.
        action(
            "reboot",
            "completed",
            "2015-01-13T10:00:00Z",
            Some("2015-01-13T10:00:20Z"),
        ),
    ]);
    assert_eq!(
        find(&a, &v, &Action::Reboot, SENT, None, &list),
        Ok(Found::NotTaken)
    );
    assert_eq!(
        find(&a, &v, &Action::Reboot, SENT, None, &actions(&[])),
        Ok(Found::NotTaken)
    );
}

#[test]
fn a_deleted_vm_not_found_was_deleted_and_one_still_there_was_not() {
    let a = api();
    let v = vm("stopped", false);
    let del = Action::Delete { stop_first: false };
    let gone = HttpResponse::new(404, r#"{"id": "not_found", "message": "gone"}"#);
    assert!(matches!(
        find(&a, &v, &del, SENT, None, &gone),
        Ok(Found::Adopted(acc)) if acc.provider_ref == ProviderRef::Watch
    ));
    let there = HttpResponse::new(
        200,
        json!({"vm": {"id": "5609f1ee1b0c4d2da622737b5ca25e6c", "status": "stopped", "locked": false}})
            .to_string(),
    );
    assert_eq!(find(&a, &v, &del, SENT, None, &there), Ok(Found::NotTaken));
}
