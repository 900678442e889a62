//! A lost create looked for in the project's task list, at the `next` links given.

use serde_json::{json, Value};

use super::*;
use crate::dialect::testing::{find_create, find_create_request, has_header};
use crate::dialect::Found;
use crate::model::VmSpec;

/// 2026-01-01T00:00:00Z.
const SENT: Millis = 1_767_225_600_000;

fn spec() -> VmSpec {
    VmSpec {
        name: " Web 02 (prod) ".into(),
        image: "img-debian-12".into(),
        ..VmSpec::default()
    }
}

/// A `task_type` task on instance `name`, created at `created`.
fn task_on(task_type: &str, name: &str, created: &str) -> Value {
    let mut t = task("pending", 0, 2, Value::Null);
    t["id"] = json!(format!("t-{name}-{created}"));
    t["instance_id"] = json!("i-new");
    t["instance"] = json!({"id": "i-new", "name": name});
    t["task_type"] = json!(task_type);
    t["created"] = json!(created);
    t
}

fn page(results: Vec<Value>, next: Option<&str>) -> HttpResponse {
    HttpResponse::new(
        200,
        json!({"count": 300, "next": next, "previous": null, "results": results}).to_string(),
    )
}

#[test]
fn a_lost_create_is_looked_for_page_after_page_at_the_links_given() {
    let a = api();
    let first = find_create_request(&a, &spec(), SENT, None).unwrap();
    assert_eq!(
        first.url,
        format!("{BASE}/compute/tasks?page=1&page_size=100")
    );
    // Newer than the write, but another instance's: the next page, as the link gives it (a
    // cursor, not a page number).
    let other = task_on("create_vps", "db-01", "2026-01-01T00:00:03Z");
    let cursor = format!("{BASE}/compute/tasks?cursor=cD0yMDI2&page_size=100");
    assert_eq!(
        find_create(
            &a,
            &spec(),
            SENT,
            None,
            &page(vec![other.clone()], Some(&cursor))
        ),
        Ok(Found::Look(cursor.clone()))
    );
    let second = find_create_request(&a, &spec(), SENT, Some(&cursor)).unwrap();
    assert_eq!(second.url, cursor);
    assert!(has_header(
        &second,
        "Authorization",
        "Bearer sk-onetsolutions-abc"
    ));
    // Relative, resolved against the page it came with.
    assert_eq!(
        find_create(
            &a,
            &spec(),
            SENT,
            Some(&cursor),
            &page(vec![other.clone()], Some("tasks?cursor=n2"))
        ),
        Ok(Found::Look(format!("{BASE}/compute/tasks?cursor=n2")))
    );
    // Its create_vps task, the instance named as asked: adopted.
    let ours = task_on("create_vps", "Web 02 (prod)", "2026-01-01T00:00:02Z");
    let Ok(Found::Adopted(acc)) =
        find_create(&a, &spec(), SENT, Some(&cursor), &page(vec![ours], None))
    else {
        panic!()
    };
    assert_eq!(acc.created, Some(VmId::new("i-new")));
    // A page reaching back before the write, or the last one: not taken. Another host: not read.
    let old = task_on("create_vps", "db-01", "2025-12-31T00:00:00Z");
    assert_eq!(
        find_create(&a, &spec(), SENT, None, &page(vec![old], Some(&cursor))),
        Ok(Found::NotTaken)
    );
    let elsewhere = page(
        vec![other],
        Some("https://elsewhere.example/compute/tasks?page=2"),
    );
    assert!(find_create(&a, &spec(), SENT, None, &elsewhere).is_err());
}
