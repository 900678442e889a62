//! Rename: `PUT /compute/instances/{id}` (name, description, tags) → `200 Instance`; a hostname
//! change would also start a `change_hostname` task, which a rename does not ask for.

use serde_json::Value;

use super::*;
use crate::error::ErrorKind;

fn rename(name: &str) -> Action {
    Action::Rename { name: name.into() }
}

#[test]
fn a_rename_puts_the_name_only_and_is_read_back() {
    let v = vm("running");
    let req = request(&api(), &v, &rename("  db-02 "));
    assert_eq!(req.method, Method::Put);
    assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}"));
    let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(body, json!({"name": "db-02"}));
    let instance = json!({"id": ID, "legacy_id": 42, "organization_id": "org-1",
        "project_id": "prj-1", "name": "db-02", "status": "running",
        "size": {"id": "s1"}, "location": {"id": "l1"}, "vpc": {"id": "v1"}});
    let acc = accept(
        &api(),
        &v,
        &rename("db-02"),
        &HttpResponse::new(200, instance.to_string()),
        0,
    )
    .unwrap();
    assert_eq!(acc.provider_ref, ProviderRef::Watch);
    assert!(!acc.state.is_terminal());
    let task = json!({"id": "t-9", "instance_id": ID, "task_type": "change_hostname",
        "status": "pending", "retry_count": 0, "max_retries": 2});
    let acc = accept(
        &api(),
        &v,
        &rename("db-02"),
        &HttpResponse::new(202, task.to_string()),
        0,
    )
    .unwrap();
    assert_eq!(
        acc.provider_ref,
        ProviderRef::OnetTask {
            instance_id: ID.into(),
            task_id: "t-9".into()
        }
    );
    let e = accept(
        &api(),
        &v,
        &rename("db-02"),
        &HttpResponse::new(200, "[]"),
        0,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}

#[test]
fn a_rename_is_offered_running_or_stopped_not_while_a_task_runs() {
    assert!(CAPS.offers(ActionKind::Rename));
    for status in ["running", "stopped"] {
        assert_eq!(
            api().allowed(&vm(status), ActionKind::Rename),
            Ok(()),
            "{status}"
        );
    }
    // A failed create leaves an instance that offers nothing but its deletion.
    assert!(api().allowed(&vm("error"), ActionKind::Rename).is_err());
    assert_eq!(
        api().allowed(&vm("pending"), ActionKind::Rename),
        Err(Refusal::TaskRunning)
    );
    let refused = HttpResponse::new(400, r#"{"name": ["This field may not be blank."]}"#);
    let e = accept(&api(), &vm("running"), &rename("x"), &refused, 0).unwrap_err();
    assert_ne!(e.kind, ErrorKind::Conflict);
}

#[test]
fn a_lost_rename_is_looked_for_on_the_instance_not_in_its_tasks() {
    // The rename starts no task: a task list cannot show it. Found by the name the instance
    // shows (the campaign's `latency` world: a rename taken, then called "not taken").
    let v = vm("running");
    let target = crate::model::Target::vm(v.id.clone(), v.name.clone());
    let action = rename("db-02");
    let s = crate::dialect::Submit {
        target: &target,
        vm: Some(&v),
        action: &action,
        stage: 0,
        sent_at: 0,
    };
    let a = api();
    let req = a.find_submit(&s, None).unwrap();
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}"));
    let shows = |name: &str| {
        let body = json!({"id": ID, "name": name, "status": "running"});
        a.parse_find_submit(&s, None, &HttpResponse::new(200, body.to_string()), 0)
    };
    let Ok(crate::dialect::Found::Adopted(acc)) = shows("db-02") else {
        panic!("the new name shows: taken")
    };
    assert_eq!(acc.provider_ref, ProviderRef::Watch);
    assert_eq!(shows(&v.name), Ok(crate::dialect::Found::NotTaken));
}
