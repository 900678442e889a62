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

#[test]
fn a_lost_create_is_looked_for_page_after_page_at_the_links_given() {
    use crate::dialect::testing::{find_create, find_create_request};
    use crate::model::VmSpec;
    let a = api();
    let spec = VmSpec {
        name: " web-02 ".into(),
        image: "ubuntu-24-04".into(),
        ..VmSpec::default()
    };
    let first = find_create_request(&a, &spec, SENT, None).unwrap();
    assert_eq!(
        first.url,
        "https://cloudsfor.com/api/v1/vms?page=1&per_page=200"
    );
    let page = |vms: Value, next: &str| {
        HttpResponse::new(
            200,
            json!({"vms": vms, "links": {"pages": {"next": next}}}).to_string(),
        )
    };
    // Not on the first page (an older web-02 is not it): the next page is where the provider's
    // link says, a cursor as given.
    let older = json!([{"id": "a1", "name": "web-02", "status": "running", "locked": false,
                        "created_at": "2015-01-13T10:00:00Z"}]);
    let cursor = "https://cloudsfor.com/api/v1/vms?per_page=200&cursor=eyJpZCI6NDJ9";
    assert_eq!(
        find_create(&a, &spec, SENT, None, &page(older, cursor)),
        Ok(Found::Look(cursor.into()))
    );
    let second = find_create_request(&a, &spec, SENT, Some(cursor)).unwrap();
    assert_eq!(second.url, cursor);
    assert!(has_header(
        &second,
        "Authorization",
        "Basic dXNlcm5hbWU6cGFzc3dvcmQ="
    ));
    // A relative link, resolved against the page it came with.
    assert_eq!(
        find_create(
            &a,
            &spec,
            SENT,
            Some(cursor),
            &page(json!([]), "vms?cursor=n2")
        ),
        Ok(Found::Look(
            "https://cloudsfor.com/api/v1/vms?cursor=n2".into()
        ))
    );
    // Found there, made since the write went out: adopted, its id learned.
    let new = json!([{"id": "b2", "name": "web-02", "status": "new", "locked": true,
                      "created_at": "2015-01-14T16:31:02Z"}]);
    let Ok(Found::Adopted(acc)) = find_create(&a, &spec, SENT, Some(cursor), &page(new, "")) else {
        panic!()
    };
    assert_eq!(acc.created, Some(VmId::new("b2")));
    // The last page without it: not taken. A next page on another host: not read.
    assert_eq!(
        find_create(&a, &spec, SENT, Some(cursor), &page(json!([]), "")),
        Ok(Found::NotTaken)
    );
    let elsewhere = page(json!([]), "https://evil.example/api/v1/vms?page=2");
    assert!(find_create(&a, &spec, SENT, None, &elsewhere).is_err());
}
