//! Creating and deleting instances.

use serde_json::{json, Value};

use super::*;
use crate::dialect::testing::{create_accepted, create_request, has_header, json_of};
use crate::model::VmSpec;

const NEW: &str = "5d6e7f80-1a2b-4c3d-9e8f-000000000042";

fn spec() -> VmSpec {
    VmSpec {
        name: " Web 02 (prod) ".into(),
        region: Some("loc-par1".into()),
        size: Some("size-s2".into()),
        image: "img-debian-12".into(),
        os: Some("debian".into()),
        network: Some("vpc-1".into()),
        ssh_keys: vec!["key-7".into()],
        ..VmSpec::default()
    }
}

fn instance(status: &str) -> Value {
    json!({"id": NEW, "legacy_id": 48200, "organization_id": "org-1", "project_id": "prj-1",
           "name": "Web 02 (prod)", "status": status,
           "size": {"id": "size-s2", "name": "VPS S", "vcpus": 1, "memory_gb": 2, "disk_gb": 40},
           "location": {"id": "loc-par1", "name": "Paris"}, "vpc": {"id": "vpc-1"}})
}

fn create_ref() -> ProviderRef {
    ProviderRef::OnetInstanceTask {
        instance_id: NEW.into(),
        task_type: "create_vps".into(),
    }
}

/// A task of `task_type` on the new instance.
fn task_of(task_type: &str, status: &str, created: &str) -> Value {
    let mut t = task(status, 0, 2, Value::Null);
    t["id"] = json!(format!("t-{task_type}-{created}"));
    t["instance_id"] = json!(NEW);
    t["instance"] = json!({"id": NEW, "name": "Web 02 (prod)"});
    t["task_type"] = json!(task_type);
    t["created"] = json!(created);
    t
}

fn tasks(list: Vec<Value>) -> HttpResponse {
    HttpResponse::new(
        200,
        json!({"count": list.len(), "next": null, "previous": null, "results": list}).to_string(),
    )
}

#[test]
fn create_posts_the_instance_with_its_catalogue_choices() {
    let req = create_request(&api(), &spec(), 0);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/compute/instances"));
    assert!(has_header(
        &req,
        "Authorization",
        "Bearer sk-onetsolutions-abc"
    ));
    assert!(has_header(&req, "Content-Type", "application/json"));
    assert_eq!(
        json_of(&req),
        json!({"name": "Web 02 (prod)", "hostname": "web-02-prod", "size_id": "size-s2",
               "location_id": "loc-par1", "image_id": "img-debian-12", "os_name": "debian",
               "vpc_id": "vpc-1", "ssh_key_ids": ["key-7"]})
    );
    let bare = VmSpec {
        os: None,
        network: None,
        ssh_keys: vec![],
        name: "---".into(),
        ..spec()
    };
    let body = json_of(&create_request(&api(), &bare, 0));
    assert!(body.get("vpc_id").is_none() && body.get("os_name").is_none());
    assert_eq!(body["hostname"], "vm");
    assert!(body.get("password").is_none(), "never a password");
}

#[test]
fn the_created_instance_gives_its_id_and_its_create_task_is_followed() {
    let a = api();
    for code in [201, 200, 202] {
        let resp = HttpResponse::new(code, instance("pending").to_string());
        let acc = create_accepted(&a, &spec(), 0, &resp, 0).unwrap();
        assert_eq!(acc.created, Some(VmId::new(NEW)), "{code}");
        assert_eq!(acc.provider_ref, create_ref());
        assert_eq!(acc.state, TaskState::Pending);
        assert_eq!(acc.raw_status, "pending");
    }
    // Answered with the task instead: followed by its id.
    let resp = HttpResponse::new(
        202,
        task_of("create_vps", "pending", "2026-01-01T00:00:00Z").to_string(),
    );
    let acc = create_accepted(&a, &spec(), 0, &resp, 0).unwrap();
    assert_eq!(acc.created, Some(VmId::new(NEW)));
    assert!(matches!(acc.provider_ref, ProviderRef::OnetTask { .. }));
    for (code, kind) in [
        (400, ErrorKind::Invalid),
        (403, ErrorKind::Forbidden),
        (429, ErrorKind::RateLimited),
    ] {
        let resp = HttpResponse::new(code, r#"{"detail": "refused"}"#);
        let e = create_accepted(&a, &spec(), 0, &resp, 0).unwrap_err();
        assert_eq!(e.kind, kind, "{code}");
        assert_eq!(e.provider_text.as_deref(), Some("refused"));
    }
    for body in ["{}", "", "[]"] {
        let e = create_accepted(&a, &spec(), 0, &HttpResponse::new(201, body), 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse, "{body:?}");
    }
}

#[test]
fn the_newest_create_task_of_the_instance_tells_how_it_goes() {
    let a = api();
    let req = a.observe_request(&create_ref());
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        format!("{BASE}/compute/instances/{NEW}/tasks?page_size=100")
    );
    let look = |list: Vec<Value>| a.parse_observation(&create_ref(), &tasks(list), 0).unwrap();
    let early = "2026-01-01T00:00:00Z";
    let o = look(vec![
        task_of("reboot_vps", "completed", "2026-01-01T00:05:00Z"),
        task_of("create_vps", "running", early),
    ]);
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(
        look(vec![task_of("create_vps", "completed", early)]).state,
        TaskState::Succeeded
    );
    let o = look(vec![task_of("create_vps", "failed", early)]);
    assert_eq!(o.state, TaskState::Running, "retries left");
    assert_eq!(o.attempt, Some((1, 3)));
    let mut last = task_of("create_vps", "failed", early);
    last["retry_count"] = json!(2);
    assert_eq!(look(vec![last]).state, TaskState::Failed);
    let o = look(vec![task_of("create_vps", "provisioning", early)]);
    assert_eq!(o.state, TaskState::Unknown("provisioning".into()));
    // The newest of two, whatever the order.
    let o = look(vec![
        task_of("create_vps", "failed", early),
        task_of("create_vps", "running", "2026-01-01T00:01:00Z"),
    ]);
    assert_eq!(o.state, TaskState::Running);
    let o = look(vec![]);
    assert!(o.not_listed && !o.state.is_terminal());
    let gone = HttpResponse::new(404, r#"{"detail": "Not found."}"#);
    assert_eq!(
        a.parse_observation(&create_ref(), &gone, 0).unwrap().state,
        TaskState::Expired
    );
}

#[test]
fn the_projects_task_list_observes_instance_tasks_too() {
    let a = api();
    let refs = [&create_ref(), &task_ref()];
    let req = a.observe_many_request(&refs).unwrap();
    assert_eq!(
        req.url,
        format!("{BASE}/compute/tasks?page=1&page_size=100")
    );
    let mut elsewhere = task_of("create_vps", "failed", "2026-01-01T00:00:09Z");
    elsewhere["instance_id"] = json!("another");
    elsewhere["instance"] = json!({"id": "another"});
    let page = tasks(vec![
        elsewhere,
        task_of("create_vps", "completed", "2026-01-01T00:00:05Z"),
    ]);
    let seen = a.parse_observe_many(&refs, &page, 0).unwrap();
    assert_eq!(seen[0].as_ref().unwrap().state, TaskState::Succeeded);
    assert!(seen[1].is_none());
}

#[test]
fn delete_answers_a_task_and_the_instance_is_read_until_not_found() {
    let a = api();
    let v = vm("running");
    let delete = Action::Delete { stop_first: false };
    let req = request(&a, &v, &delete);
    assert_eq!(req.method, Method::Delete);
    assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}"));
    assert_eq!(req.body, None);
    let mut t = task("pending", 0, 2, Value::Null);
    t["task_type"] = json!("delete_vps");
    for code in [202, 200] {
        let acc = accept(&a, &v, &delete, &HttpResponse::new(code, t.to_string()), 0).unwrap();
        assert_eq!(acc.provider_ref, task_ref(), "{code}");
        assert_eq!(acc.state, TaskState::Pending);
        assert_eq!(acc.created, None);
    }
    // No body: the newest delete_vps task of the instance.
    let acc = accept(&a, &v, &delete, &HttpResponse::new(204, ""), 0).unwrap();
    assert_eq!(
        acc.provider_ref,
        ProviderRef::OnetInstanceTask {
            instance_id: ID.into(),
            task_type: "delete_vps".into()
        }
    );
    let gone = HttpResponse::new(404, r#"{"detail": "Not found."}"#);
    let acc = accept(&a, &v, &delete, &gone, 0).unwrap();
    assert_eq!(
        (acc.provider_ref, acc.state),
        (ProviderRef::Watch, TaskState::Succeeded)
    );
    let busy = HttpResponse::new(
        400,
        r#"{"detail": "Instance already has a task in progress."}"#,
    );
    assert_eq!(
        accept(&a, &v, &delete, &busy, 0).unwrap_err().kind,
        ErrorKind::Conflict
    );
    // Read alone; not found once gone.
    let req = a.read_vm_request(&VmId::new(ID), None);
    assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}"));
    let vms = a
        .parse_read_vm(&HttpResponse::new(200, instance("running").to_string()), 0)
        .unwrap();
    assert_eq!((vms.len(), vms[0].power.clone()), (1, PowerState::Running));
    assert_eq!(
        a.parse_read_vm(&gone, 0).unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[test]
fn delete_waits_for_a_running_task_only() {
    let a = api();
    for status in ["running", "stopped", "error", "suspended"] {
        assert_eq!(
            a.allowed(&vm(status), ActionKind::Delete),
            Ok(()),
            "{status}"
        );
    }
    assert_eq!(
        a.allowed(&vm("pending"), ActionKind::Delete),
        Err(Refusal::TaskRunning)
    );
    assert_eq!(a.allowed(&vm("pending"), ActionKind::Create), Ok(()));
    assert_eq!(a.stages(&Action::Create(Box::new(spec()))), 1);
    let create = CAPS.create.unwrap();
    assert!(
        create.place == Some(crate::dialect::Place::Location)
            && create.ssh_keys
            && !create.network_required
    );
    assert_eq!(create.sizing, Sizing::Catalogue);
    assert!(!create.addressed_when_ready && !create.finds_new_by_name);
    assert!(!CAPS.delete.unwrap().needs_stopped);
    assert!(CAPS.observes_many(RefKind::OnetInstanceTask));
}
