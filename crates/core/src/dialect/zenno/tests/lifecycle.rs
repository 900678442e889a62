//! Creating and deleting VMs: a create is found by its name, a delete ends when the VM is gone.

use serde_json::{json, Value};

use super::*;
use crate::dialect::testing::{create_accepted, create_request, has_header, json_of};
use crate::ids::VmId;
use crate::model::VmSpec;

const NEW: &str = "9c0d1e2f-0000-4000-8000-0000000000bb";

fn spec() -> VmSpec {
    VmSpec {
        name: " build-07 ".into(),
        region: Some(P.into()),
        size: Some("tariff-s".into()),
        configuration: Some("cfg-web".into()),
        image: "img-debian-12".into(),
        ssh_keys: vec![
            "key-1".into(),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOr0 me@laptop".into(),
        ],
        public_ip: true,
        ..VmSpec::default()
    }
}

fn create_ref() -> ProviderRef {
    ProviderRef::ZennoCommand {
        project: P.into(),
        vm_id: String::new(),
        command_id: "c-new".into(),
        operation: "create".into(),
        accepted_at: T,
        vm_name: "build-07".into(),
    }
}

fn delete_ref() -> ProviderRef {
    ProviderRef::ZennoCommand {
        project: P.into(),
        vm_id: ID.into(),
        command_id: "c-del".into(),
        operation: "delete".into(),
        accepted_at: T,
        vm_name: "web-01".into(),
    }
}

/// The new VM as the project's list shows it.
fn new_vm(op_status: Option<&str>, state: &str, boot: &str) -> Value {
    json!({"id": NEW, "name": "build-07", "state": state, "operation": "create",
           "operationStatus": op_status, "bootStatus": boot, "cpu": 1, "ramGb": 2,
           "diskGb": 20, "updatedAt": "2026-01-01T00:00:03Z",
           "networks": [{"networkId": "n1", "internalIp": "10.0.0.9"}], "publicIp": null})
}

fn listing(items: Vec<Value>) -> HttpResponse {
    ok(&json!({ "items": items }))
}

#[test]
fn create_posts_to_the_chosen_project() {
    let a = api();
    let req = create_request(&a, &spec(), 0);
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        req.url,
        format!("https://api.zennohosting.com/projects/{P}/vms")
    );
    assert!(has_header(&req, "Authorization", "Bearer tok-123"));
    assert!(has_header(&req, "Content-Type", "application/json"));
    assert_eq!(
        json_of(&req),
        json!({"name": "build-07", "imageId": "img-debian-12", "tariffId": "tariff-s",
               "configurationId": "cfg-web", "sshKeyIds": ["key-1"],
               "sshPublicKeys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOr0 me@laptop"],
               "plugins": [], "publicIpMode": "new"})
    );
    let plain = VmSpec {
        configuration: None,
        ssh_keys: vec![],
        public_ip: false,
        ..spec()
    };
    let body = json_of(&create_request(&a, &plain, 0));
    assert_eq!(body["publicIpMode"], "none");
    assert!(body.get("configurationId").is_none());
    // No project chosen: refused before anything is sent.
    let nowhere = VmSpec {
        region: None,
        ..spec()
    };
    assert_eq!(
        a.validate(&Action::Create(Box::new(nowhere))),
        Err(Refusal::ChooseRegion {
            place: crate::dialect::Place::Project
        })
    );
    assert_eq!(a.validate(&Action::Create(Box::new(spec()))), Ok(()));
}

#[test]
fn the_create_command_names_the_vm_it_waits_for() {
    let resp = HttpResponse::new(202, r#"{"commandId": "c-new"}"#);
    let acc = create_accepted(&api(), &spec(), 0, &resp, T).unwrap();
    assert_eq!(acc.provider_ref, create_ref());
    assert_eq!(acc.created, None, "no id in the answer");
    assert_eq!(acc.state, TaskState::Pending);
    for (status, kind) in [
        (422, ErrorKind::Conflict),
        (409, ErrorKind::Conflict),
        (401, ErrorKind::Unauthorized),
        (429, ErrorKind::RateLimited),
    ] {
        let resp = HttpResponse::new(
            status,
            json!({"error": "x", "message": "refused"}).to_string(),
        );
        let e = create_accepted(&api(), &spec(), 0, &resp, T).unwrap_err();
        assert_eq!(e.kind, kind, "{status}");
        assert_eq!(e.provider_text.as_deref(), Some("refused"));
    }
}

#[test]
fn the_new_vm_is_found_by_name_in_its_projects_list() {
    let a = api();
    let req = a.observe_request(&create_ref());
    assert_eq!(
        req.url,
        format!("https://api.zennohosting.com/projects/{P}/vms")
    );
    let others = || vm_json("running", None, None, "booted", "2025-12-31T10:00:00Z");
    let look = |item: Value| {
        a.parse_observation(&create_ref(), &listing(vec![others(), item]), T)
            .unwrap()
    };
    let o = look(new_vm(Some("pending"), "stopped", "stopped"));
    assert_eq!(o.state, TaskState::Pending);
    assert_eq!(
        o.vm.as_ref().unwrap().id,
        VmId::new(NEW),
        "the engine learns the id"
    );
    assert_eq!(o.vm.as_ref().unwrap().project.as_deref(), Some(P));
    let o = look(new_vm(Some("in_progress"), "stopped", "booting"));
    assert_eq!(o.state, TaskState::Running);
    let o = look(new_vm(Some("succeeded"), "running", "booting"));
    assert_eq!(o.state, TaskState::Running, "not booted yet");
    let o = look(new_vm(Some("succeeded"), "running", "booted"));
    assert_eq!(o.state, TaskState::Succeeded);
    assert_eq!(o.vm.unwrap().addresses[0].ip, "10.0.0.9");
    assert_eq!(
        look(new_vm(Some("failed"), "stopped", "failed")).state,
        TaskState::Failed
    );
    let o = look(new_vm(Some("provisioning"), "stopped", "stopped"));
    assert_eq!(o.state, TaskState::Unknown("provisioning".into()));
    // Not in the list yet.
    let o = a
        .parse_observation(&create_ref(), &listing(vec![others()]), T)
        .unwrap();
    assert!(o.not_listed && !o.state.is_terminal() && o.vm.is_none());
    // The name twice: the one being created.
    let mut old = new_vm(None, "running", "booted");
    old["id"] = json!("older");
    old["operation"] = Value::Null;
    let both = listing(vec![old, new_vm(Some("in_progress"), "stopped", "booting")]);
    let o = a.parse_observation(&create_ref(), &both, T).unwrap();
    assert_eq!(o.vm.unwrap().id, VmId::new(NEW));
}

#[test]
fn the_new_vm_found_is_then_read_by_its_id() {
    let a = api();
    let others = || vm_json("running", None, None, "booted", "2025-12-31T10:00:00Z");
    let found = listing(vec![
        others(),
        new_vm(Some("in_progress"), "stopped", "booting"),
    ]);
    let o = a.parse_observation(&create_ref(), &found, T).unwrap();
    let follow = o.follow.expect("the id it was found under");
    let ProviderRef::ZennoCommand { vm_id, .. } = &follow else {
        panic!("{follow:?}")
    };
    assert_eq!(vm_id, NEW);
    assert_eq!(
        a.observe_request(&follow).url,
        format!("https://api.zennohosting.com/projects/{P}/vms/{NEW}")
    );
    // Read on its own, it is the same command: nothing more to learn.
    let one = ok(&new_vm(Some("in_progress"), "stopped", "booting"));
    let o = a.parse_observation(&follow, &one, T).unwrap();
    assert_eq!((o.state, o.follow), (TaskState::Running, None));
    // From the project's list shared with other operations, too.
    let seen = a.parse_observe_many(&[&create_ref()], &found, T).unwrap();
    assert_eq!(seen[0].as_ref().unwrap().follow, Some(follow));
    // Not found yet: nothing learned.
    let o = a
        .parse_observation(&create_ref(), &listing(vec![others()]), T)
        .unwrap();
    assert_eq!(o.follow, None);
}

#[test]
fn one_project_list_observes_creates_and_deletes_with_the_rest() {
    let a = api();
    let refs = [&create_ref(), &delete_ref(), &cmd("reboot")];
    let req = a.observe_many_request(&refs).unwrap();
    assert_eq!(
        req.url,
        format!("https://api.zennohosting.com/projects/{P}/vms")
    );
    // The deleted VM is gone from the (complete) list; the new one builds.
    let seen = a
        .parse_observe_many(
            &refs,
            &listing(vec![new_vm(Some("in_progress"), "stopped", "booting")]),
            T,
        )
        .unwrap();
    assert_eq!(seen[0].as_ref().unwrap().state, TaskState::Running);
    assert_eq!(seen[1].as_ref().unwrap().state, TaskState::Succeeded);
    assert!(
        seen[2].is_none(),
        "the rebooted VM is not listed: asked alone"
    );
}

#[test]
fn delete_is_a_command_that_ends_when_the_vm_is_not_found() {
    let a = api();
    let vm = idle("running");
    let delete = Action::Delete { stop_first: false };
    assert_eq!(a.stages(&delete), 1);
    let req = request(&a, &vm, &delete);
    assert_eq!(req.method, Method::Delete);
    assert_eq!(
        req.url,
        format!("https://api.zennohosting.com/projects/{P}/vms/{ID}")
    );
    assert_eq!(req.body, None);
    let resp = HttpResponse::new(202, r#"{"commandId": "c-del"}"#);
    let acc = accept(&a, &vm, &delete, &resp, T).unwrap();
    assert_eq!(acc.provider_ref, delete_ref());
    assert_eq!(acc.state, TaskState::Pending);
    // Gone already.
    let gone = HttpResponse::new(404, r#"{"error": "not_found", "message": "VM not found"}"#);
    assert_eq!(
        accept(&a, &vm, &delete, &gone, T).unwrap().state,
        TaskState::Succeeded
    );
    let busy = HttpResponse::new(
        409,
        r#"{"error": "operation_in_progress", "message": "busy"}"#,
    );
    assert_eq!(
        accept(&a, &vm, &delete, &busy, T).unwrap_err().kind,
        ErrorKind::Conflict
    );
    // Observed on the VM: `operation: "delete"` until it is gone.
    assert_eq!(
        a.observe_request(&delete_ref()).url,
        format!("https://api.zennohosting.com/projects/{P}/vms/{ID}")
    );
    let shows = |status: &str| {
        let v = vm_json(
            "running",
            Some("delete"),
            Some(status),
            "stopping",
            "2026-01-01T00:00:05Z",
        );
        a.parse_observation(&delete_ref(), &ok(&v), T)
            .unwrap()
            .state
    };
    assert_eq!(shows("pending"), TaskState::Pending);
    assert_eq!(shows("in_progress"), TaskState::Running);
    assert_eq!(shows("succeeded"), TaskState::Succeeded);
    assert_eq!(shows("failed"), TaskState::Failed);
    assert_eq!(shows("queued"), TaskState::Unknown("queued".into()));
    let o = a.parse_observation(&delete_ref(), &gone, T).unwrap();
    assert_eq!(o.state, TaskState::Succeeded);
    // A 404 for anything else is an error, not an outcome.
    assert_eq!(
        a.parse_observation(&cmd("reboot"), &gone, T)
            .unwrap_err()
            .kind,
        ErrorKind::NotFound
    );
}

#[test]
fn delete_waits_for_a_running_operation_and_needs_the_project() {
    let a = api();
    assert_eq!(a.allowed(&idle("running"), ActionKind::Delete), Ok(()));
    assert_eq!(a.allowed(&idle("stopped"), ActionKind::Delete), Ok(()));
    let busy = vm_of(&vm_json(
        "running",
        Some("reboot"),
        Some("in_progress"),
        "stopping",
        "2026-01-01T00:00:05Z",
    ));
    assert_eq!(
        a.allowed(&busy, ActionKind::Delete),
        Err(Refusal::OperationUnderWay {
            status: busy.status_raw.clone()
        })
    );
    let mut lost = idle("running");
    lost.project = None;
    assert_eq!(
        a.allowed(&lost, ActionKind::Delete),
        Err(Refusal::UnknownProject)
    );
    assert_eq!(a.allowed(&idle("running"), ActionKind::Create), Ok(()));
    let create = CAPS.create.unwrap();
    assert!(
        create.finds_new_by_name
            && create.place == Some(crate::dialect::Place::Project)
            && create.ssh_keys
    );
    assert_eq!(create.sizing, Sizing::Catalogue);
    assert!(!create.addressed_when_ready && !create.needs_admin);
    assert!(!CAPS.delete.unwrap().needs_stopped);
}
