//! Operations seen running, and the history, per dialect on answers shaped as the sheets show.

use serde_json::json;

use super::{ActivityStatus, Avail, ConnectionConfig, Dialect, DialectKind, Observation};
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::model::{PowerState, ProviderRef, Size, TaskState, Vm};

fn api(kind: DialectKind) -> Box<dyn Dialect> {
    ConnectionConfig {
        id: "c".into(),
        name: "c".into(),
        dialect: kind,
        base_url: "https://example.test/api".into(),
        credentials: crate::demo::credentials(kind),
        demo: false,
    }
    .api()
}

fn ok(v: serde_json::Value) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: Vec::new(),
        body: v.to_string(),
    }
}

fn known(id: &str, project: Option<&str>) -> Vm {
    Vm {
        id: VmId::new(id),
        name: id.into(),
        power: PowerState::Running,
        status_raw: "running".into(),
        locked: false,
        size: Size::default(),
        region: None,
        image: None,
        image_id: None,
        snapshot_count: None,
        project: project.map(str::to_string),
        addresses: Vec::new(),
        uptime_s: None,
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    }
}

#[test]
fn cloudsfor_a_locked_vm_runs_an_action_its_first_look_names() {
    let d = api(DialectKind::Cloudsfor);
    let list = json!({"vms": [
        {"id": "101", "name": "web-01", "locked": true, "status": "running"},
        {"id": "102", "name": "web-02", "locked": false, "status": "running"}
    ], "meta": {"total": 2}});
    let running = d.running(&ok(list), &[]);
    assert_eq!(running.len(), 1);
    let r = &running[0];
    assert_eq!((r.vm.as_str(), r.kind.as_str()), ("101", ""));
    let actions = json!({"actions": [
        {"id": "101", "status": "in-progress", "type": "reboot",
         "started_at": "2026-01-01T00:00:05Z", "completed_at": null, "resource_type": "vm"},
        {"id": "101", "status": "completed", "type": "power_off",
         "started_at": "2025-12-31T00:00:00Z", "completed_at": "2025-12-31T00:00:09Z"}
    ]});
    let obs = d.parse_observation(&r.task, &ok(actions), 0).unwrap();
    assert_eq!(obs.state, TaskState::Running);
    assert_eq!(obs.started_as.as_deref(), Some("reboot"));
    assert_eq!(
        obs.follow,
        Some(ProviderRef::CloudsforAction {
            vm_id: "101".into(),
            action_type: "reboot".into(),
            started_at: "2026-01-01T00:00:05Z".into(),
        })
    );
}

#[test]
fn cloudsfor_history_is_the_accounts_actions() {
    let d = api(DialectKind::Cloudsfor);
    let req = d.activity_request(2).unwrap();
    assert!(
        req.url.ends_with("/actions?page=2&per_page=20"),
        "{}",
        req.url
    );
    let page = json!({"actions": [
        {"id": "101", "status": "completed", "type": "reboot", "started_at": "2026-01-01T00:00:05Z"},
        {"id": "102", "status": "paused", "type": "snapshot", "started_at": "2026-01-01T00:00:01Z"}
    ], "links": {"pages": {"next": "https://x/actions?page=3"}}, "meta": {"total": 60}});
    let p = d.parse_activity(2, &ok(page), 0).unwrap();
    assert!(p.more);
    assert_eq!(p.entries[0].status, ActivityStatus::Succeeded);
    assert_eq!(p.entries[0].vm_id, Some(VmId::new("101")));
    // A status this version does not know: raw, and not finished.
    assert_eq!(p.entries[1].status, ActivityStatus::Unknown);
    assert_eq!(p.entries[1].status_raw, "paused");
    assert!(!p.entries[1].status.is_finished());
}

#[test]
fn zenno_an_operation_under_way_is_followed_by_its_name_and_time() {
    let d = api(DialectKind::ZennoHosting);
    let list = json!({"items": [
        {"id": "vm-1", "name": "web-01", "state": "running", "operation": "reboot",
         "operationStatus": "in_progress", "bootStatus": "booting",
         "updatedAt": "2026-01-01T00:00:05Z"},
        {"id": "vm-2", "name": "web-02", "state": "running", "operation": "start",
         "operationStatus": "succeeded", "bootStatus": "booted"},
        {"id": "vm-3", "name": "web-03", "state": "running", "operation": "restore",
         "operationStatus": "rolling", "bootStatus": "booted"}
    ]});
    let vms = [
        known("vm-1", Some("p1")),
        known("vm-2", Some("p1")),
        known("vm-3", Some("p1")),
    ];
    let running = d.running(&ok(list), &vms);
    // An unknown status holds the VM (not finished, shown locked) but shows no operation
    // started: it is also what a spoiled answer about an ended one looks like.
    let kinds: Vec<&str> = running.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["reboot"]);
    assert!(matches!(&running[0].task,
        ProviderRef::ZennoCommand { project, operation, .. } if project == "p1" && operation == "reboot"));
    assert_eq!(
        d.caps().activity,
        Avail::Absent(super::Absent::NotPublished)
    );
}

#[test]
fn onet_a_pending_instance_and_the_task_list_name_who_started_it() {
    let d = api(DialectKind::OnetSolutions);
    let inst = json!({"count": 1, "next": null, "previous": null, "results": [
        {"id": "i-1", "name": "web-01", "status": "pending"}]});
    let r = d.running(&ok(inst), &[]).remove(0);
    assert!(
        matches!(&r.task, ProviderRef::OnetInstanceTask { task_type, .. } if task_type.is_empty())
    );
    let task = json!({"id": "t-9", "instance_id": "i-1", "instance": {"id": "i-1", "name": "web-01"},
        "task_type": "reboot_vps", "status": "running", "retry_count": 0, "max_retries": 3,
        "created": "2026-01-01T00:00:05Z",
        "created_by": {"id": "u2", "email": "casey@example.test", "first_name": "Casey"}});
    let tasks = json!({"count": 1, "next": null, "previous": null, "results": [task.clone()]});
    let obs: Observation = d.parse_observation(&r.task, &ok(tasks.clone()), 0).unwrap();
    assert_eq!(obs.started_by.as_deref(), Some("casey@example.test"));
    assert_eq!(obs.started_as.as_deref(), Some("reboot_vps"));
    assert!(
        matches!(obs.follow, Some(ProviderRef::OnetTask { ref task_id, .. }) if task_id == "t-9")
    );
    let seen = d.running(&ok(tasks.clone()), &[]);
    assert_eq!(seen[0].by.as_deref(), Some("casey@example.test"));
    let req = d.activity_request(1).unwrap();
    assert!(req.url.contains("compute/tasks?page=1") && req.url.contains("ordering=-created"));
    let p = d.parse_activity(1, &ok(tasks), 0).unwrap();
    assert_eq!(p.entries[0].by.as_deref(), Some("casey@example.test"));
    assert_eq!(p.entries[0].status, ActivityStatus::Running);
}

#[test]
fn erigones_every_pending_task_of_the_status_list_and_the_task_log() {
    let d = api(DialectKind::Erigones);
    let status = json!({"status": "SUCCESS", "task_id": "x", "result": [
        {"hostname": "web01.example", "alias": "web01", "status": "stopping",
         "tasks": {"1e1d1-6f75849b": {"view": "vm_status", "method": "PUT", "action": "stop",
                   "hostname": "web01.example", "time": "2026-01-01T00:00:05Z"}}},
        {"hostname": "db01.example", "alias": "db01", "status": "running", "tasks": {}}]});
    let r = d.running(&ok(status), &[]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].kind, "stop");
    assert_eq!(
        r[0].task,
        ProviderRef::ErigonesTask {
            hostname: "web01.example".into(),
            task_id: "1e1d1-6f75849b".into()
        }
    );
    let log = json!({"status": "SUCCESS", "result": {"count": 3, "next": null, "previous": null,
        "results": [
        {"time": "2026-01-01T00:00:30Z", "task": "t1", "status": "SUCCESS", "username": "owner",
         "msg": "Stop server", "object_name": "web01.example", "object_alias": "web01", "object_type": "vm"},
        {"time": "2026-01-01T00:00:05Z", "task": "t1", "status": "PENDING", "username": "owner",
         "msg": "Stop server", "object_name": "web01.example", "object_alias": "web01", "object_type": "vm"},
        {"time": "2026-01-01T00:00:01Z", "task": "t0", "status": "LOST", "username": "admin",
         "msg": "Start server", "object_name": "db01.example", "object_alias": "db01", "object_type": "vm"}]}});
    let p = d.parse_activity(1, &ok(log), 0).unwrap();
    // Two entries per task: one, its newest.
    assert_eq!(p.entries.len(), 2);
    assert_eq!(p.entries[0].status, ActivityStatus::Succeeded);
    assert_eq!(p.entries[0].by.as_deref(), Some("owner"));
    assert_eq!(p.entries[1].status, ActivityStatus::Unknown);
    assert!(d
        .activity_request(1)
        .unwrap()
        .url
        .contains("task/log/?page=1"));
}

#[test]
fn hostway_has_no_history() {
    let d = api(DialectKind::Hostway);
    assert!(d.activity_request(1).is_none());
    assert!(!d.caps().activity.offered());
}
