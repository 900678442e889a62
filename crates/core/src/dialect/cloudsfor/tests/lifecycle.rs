//! Creating and deleting VMs.

use serde_json::json;

use super::*;
use crate::model::VmSpec;

const NEW_ID: &str = "7e6f9a0c2b1d4e5f8a9b0c1d2e3f4a5b";

fn spec() -> VmSpec {
    VmSpec {
        name: " web-02 ".into(),
        region: Some("moscow_01".into()),
        size: Some("s-1vcpu-1gb".into()),
        image: "ubuntu-24-04".into(),
        ssh_keys: vec![
            "289794".into(),
            "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa".into(),
        ],
        backups: true,
        ..VmSpec::default()
    }
}

/// The create answer in DigitalOcean's shape, the action id being the VM id.
fn created() -> HttpResponse {
    HttpResponse::new(
        202,
        json!({
            "vm": {"id": NEW_ID, "name": "web-02", "memory": 1, "vcpus": 1, "disk": 25,
                   "locked": true, "status": "new", "created_at": "2026-01-01T00:00:00Z",
                   "backup_ids": [], "snapshot_ids": [], "features": ["backups"],
                   "image": {"id": 1, "distro": "ubuntu-24-04", "name": "Ubuntu 24.04"},
                   "networks": {"v4": []}},
            "links": {"actions": [{"id": NEW_ID, "rel": "create",
                                   "href": format!("https://cloudsfor.com/api/v1/vms/{NEW_ID}/actions")}]}
        })
        .to_string(),
    )
}

fn create_ref() -> ProviderRef {
    ProviderRef::CloudsforAction {
        vm_id: NEW_ID.into(),
        action_type: "create".into(),
        started_at: String::new(),
    }
}

#[test]
fn create_posts_the_vm_with_its_catalogue_choices() {
    let a = api();
    assert_eq!(a.stages(&Action::Create(Box::new(spec()))), 1);
    let req = create_request(&a, &spec(), 0);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://cloudsfor.com/api/v1/vms");
    assert!(has_header(
        &req,
        "Authorization",
        "Basic dXNlcm5hbWU6cGFzc3dvcmQ="
    ));
    assert!(has_header(&req, "Content-Type", "application/json"));
    assert_eq!(
        json_of(&req),
        json!({"name": "web-02", "region": "moscow_01", "size": "s-1vcpu-1gb",
               "image": "ubuntu-24-04",
               "ssh_keys": [289794, "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa"],
               "backups": true})
    );
}

#[test]
fn the_create_answer_gives_the_id_and_its_create_action() {
    let acc = create_accepted(&api(), &spec(), 0, &created(), 0).unwrap();
    assert_eq!(acc.created, Some(VmId::new(NEW_ID)));
    assert_eq!(acc.provider_ref, create_ref());
    assert_eq!(acc.state, TaskState::Running);
    assert_eq!(acc.raw_status, "new");
    // The new VM as the answer shows it: being created, locked.
    let vm = parse_vm(&json!({"id": NEW_ID, "status": "new", "locked": true})).unwrap();
    assert_eq!(vm.power, PowerState::Busy);
    assert_eq!(api().allowed(&vm, ActionKind::Delete), Err(Refusal::Locked));

    let no_id = HttpResponse::new(202, r#"{"vm": {"name": "web-02"}, "links": {}}"#);
    let e = create_accepted(&api(), &spec(), 0, &no_id, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
    let refused = HttpResponse::new(
        422,
        r#"{"id": "unprocessable_entity", "message": "Name is already in use"}"#,
    );
    let e = create_accepted(&api(), &spec(), 0, &refused, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(e.provider_text.as_deref(), Some("Name is already in use"));
    let limited = HttpResponse::new(
        429,
        r#"{"id": "too_many_requests", "message": "API rate limit exceeded"}"#,
    )
    .with_header("ratelimit-remaining", "0")
    .with_header("ratelimit-reset", "30");
    let e = create_accepted(&api(), &spec(), 0, &limited, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(30_000));
}

#[test]
fn the_create_action_is_found_by_type_alone() {
    let a = api();
    assert_eq!(
        a.observe_request(&create_ref()).url,
        format!("https://cloudsfor.com/api/v1/vms/{NEW_ID}/actions")
    );
    let actions = |status: &str| {
        HttpResponse::new(
            200,
            json!({"actions": [
                {"id": NEW_ID, "status": "in-progress", "type": "rename", "started_at": "2026-01-01T00:02:00Z"},
                {"id": NEW_ID, "status": status, "type": "create", "started_at": "2026-01-01T00:00:01Z"}
            ]})
            .to_string(),
        )
    };
    let state = |status: &str| {
        a.parse_observation(&create_ref(), &actions(status), 0)
            .unwrap()
            .state
    };
    assert_eq!(state("in-progress"), TaskState::Running);
    assert_eq!(state("completed"), TaskState::Succeeded);
    assert_eq!(state("errored"), TaskState::Failed);
    assert_eq!(
        state("provisioning"),
        TaskState::Unknown("provisioning".into())
    );
    let none = HttpResponse::new(200, r#"{"actions": []}"#);
    let o = a.parse_observation(&create_ref(), &none, 0).unwrap();
    assert!(o.not_listed && !o.state.is_terminal());
    // In the account's action list too, on its own VM only.
    let other = ProviderRef::CloudsforAction {
        vm_id: "other".into(),
        action_type: "create".into(),
        started_at: String::new(),
    };
    let refs = [&create_ref(), &other];
    let seen = a
        .parse_observe_many(&refs, &actions("completed"), 0)
        .unwrap();
    assert_eq!(seen[0].as_ref().unwrap().state, TaskState::Succeeded);
    assert!(seen[1].is_none());
}

#[test]
fn delete_keeps_no_task_and_the_vm_is_read_until_not_found() {
    let a = api();
    let v = vm("running", false);
    let delete = Action::Delete { stop_first: false };
    assert_eq!(a.stages(&delete), 1);
    assert_eq!(a.allowed(&v, ActionKind::Delete), Ok(()));
    assert_eq!(a.allowed(&vm("stopped", false), ActionKind::Delete), Ok(()));
    assert_eq!(
        a.allowed(&vm("running", true), ActionKind::Delete),
        Err(Refusal::Locked)
    );
    let req = request(&a, &v, &delete);
    assert_eq!(req.method, Method::Delete);
    assert_eq!(
        req.url,
        "https://cloudsfor.com/api/v1/vms/5609f1ee1b0c4d2da622737b5ca25e6c"
    );
    assert_eq!(req.body, None);
    assert!(has_header(
        &req,
        "Authorization",
        "Basic dXNlcm5hbWU6cGFzc3dvcmQ="
    ));
    let acc = accept(&a, &v, &delete, &HttpResponse::new(204, ""), 0).unwrap();
    assert_eq!(acc.provider_ref, ProviderRef::Watch);
    assert_eq!(acc.state, TaskState::Succeeded);
    assert_eq!(acc.created, None);
    // Deleted already (a repeated delete): gone all the same.
    let gone = HttpResponse::new(
        404,
        r#"{"id": "not_found", "message": "The resource you were accessing could not be found."}"#,
    );
    assert_eq!(
        accept(&a, &v, &delete, &gone, 0).unwrap().state,
        TaskState::Succeeded
    );
    let locked = HttpResponse::new(
        422,
        r#"{"id": "unprocessable_entity", "message": "VM is locked"}"#,
    );
    let e = accept(&a, &v, &delete, &locked, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    let e = accept(&a, &v, &delete, &HttpResponse::new(503, ""), 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
}

#[test]
fn a_vm_is_read_on_its_own_and_not_found_once_gone() {
    let a = api();
    let req = a.read_vm_request(&VmId::new(NEW_ID), Some("3"));
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        format!("https://cloudsfor.com/api/v1/vms/{NEW_ID}")
    );
    let one = HttpResponse::new(
        200,
        json!({"vm": {"id": NEW_ID, "name": "web-02", "status": "running", "locked": false,
                      "networks": {"v4": [{"ip_address": "203.0.113.9", "type": "public"}]}}})
        .to_string(),
    );
    let vms = a.parse_read_vm(&one, 0).unwrap();
    assert_eq!(vms.len(), 1);
    assert_eq!(vms[0].power, PowerState::Running);
    assert_eq!(vms[0].addresses[0].ip, "203.0.113.9");
    // A list page is read too.
    let page = HttpResponse::new(
        200,
        json!({"vms": [{"id": NEW_ID, "status": "stopped"}]}).to_string(),
    );
    assert_eq!(
        a.parse_read_vm(&page, 0).unwrap()[0].power,
        PowerState::Stopped
    );
    let gone = HttpResponse::new(404, r#"{"id": "not_found", "message": "not found"}"#);
    assert_eq!(
        a.parse_read_vm(&gone, 0).unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[test]
fn create_and_delete_are_offered_with_what_the_form_needs() {
    let create = CAPS.create.unwrap();
    assert!(
        create.place == Some(crate::dialect::Place::Region)
            && create.ssh_keys
            && create.addressed_when_ready
    );
    assert_eq!(create.sizing, Sizing::Catalogue);
    assert!(!create.needs_admin && !create.finds_new_by_name && !create.shows_password_once);
    assert!(!create.network_required && !create.security_group_required);
    let delete = CAPS.delete.unwrap();
    assert!(!delete.needs_stopped && !delete.needs_admin);
    assert_eq!(
        api().allowed(&vm("running", true), ActionKind::Create),
        Ok(())
    );
}
