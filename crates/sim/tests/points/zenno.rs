//! ZennoHosting: backups list, create, restore, delete; operation/operationStatus on the VM.

use serde_json::Value;
use vigil_sim::{Faults, PointState, Sim};

use crate::common::*;

fn vms(s: &mut Sim, p: &str, now: u64) -> Vec<Value> {
    json(&zh(s, "GET", &format!("/projects/{p}/vms"), "", now))["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn vm(s: &mut Sim, p: &str, id: &str, now: u64) -> Value {
    json(&zh(s, "GET", &format!("/projects/{p}/vms/{id}"), "", now))
}

fn backups(s: &mut Sim, p: &str, id: &str, now: u64) -> Vec<Value> {
    let r = zh(
        s,
        "GET",
        &format!("/projects/{p}/vms/{id}/backups"),
        "",
        now,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["items"].as_array().unwrap().clone()
}

/// A VM in `state` with at least one backup (`with`) or none.
fn pick(s: &mut Sim, p: &str, state: &str, with: bool) -> String {
    for v in vms(s, p, T0) {
        let id = v["id"].as_str().unwrap().to_string();
        if v["state"] == state && backups(s, p, &id, T0).is_empty() != with {
            return id;
        }
    }
    panic!("no {state} VM (with backups: {with})");
}

#[test]
fn the_fleet_has_backups_listed_as_truth_has_them() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "running", true);
    let listed = backups(&mut s, &p, &id, T0);
    let truth = s.points("zennohosting", &id);
    assert_eq!(listed.len(), truth.len());
    for (l, t) in listed.iter().zip(&truth) {
        assert_eq!(l["id"], t.id.as_str());
        assert_eq!(l["name"], t.name.as_str());
        assert_eq!(l["status"], "ready");
        assert_eq!(t.state, PointState::Ready);
        assert!(l["sizeGb"].as_u64().unwrap() > 0 && l["createdAt"].is_string());
    }
    // snapshots are not offered
    assert_eq!(
        zh(
            &mut s,
            "GET",
            &format!("/projects/{p}/vms/{id}/snapshots"),
            "",
            T0
        )
        .status,
        404
    );
}

#[test]
fn create_shows_backup_operation_then_ready() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "running", false);
    let path = format!("/projects/{p}/vms/{id}/backups");
    assert_eq!(zh(&mut s, "POST", &path, "{}", T0).status, 422);
    let r = zh(&mut s, "POST", &path, r#"{"name": "before-upgrade"}"#, T0);
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(json(&r)["commandId"].is_string());
    let b = &backups(&mut s, &p, &id, T0)[0];
    assert_eq!(
        (&b["name"], &b["status"]),
        (&Value::from("before-upgrade"), &Value::from("creating"))
    );
    let v = vm(&mut s, &p, &id, T0 + 5 * SEC);
    assert_eq!(
        (&v["operation"], &v["operationStatus"], &v["bootStatus"]),
        (&"backup".into(), &"in_progress".into(), &"booted".into())
    );
    // another operation meanwhile is refused
    let again = zh(&mut s, "POST", &path, r#"{"name": "x"}"#, T0 + 5 * SEC);
    assert_eq!(
        (again.status, json(&again)["error"].clone()),
        (409, "operation_in_progress".into())
    );
    let c = s.latest_action("zennohosting", &id).unwrap();
    assert_eq!(c.action, "backup");
    let end = c.finished_at_ms.unwrap();
    let v = vm(&mut s, &p, &id, end);
    assert_eq!(
        (&v["operation"], &v["operationStatus"], &v["state"]),
        (&"backup".into(), &"succeeded".into(), &"running".into())
    );
    assert_eq!(backups(&mut s, &p, &id, end)[0]["status"], "ready");
    assert_eq!(
        s.point("zennohosting", &id, "before-upgrade")
            .unwrap()
            .state,
        PointState::Ready
    );
}

#[test]
fn the_lag_fault_reports_succeeded_before_the_backup_is_ready() {
    let mut s = Sim::with_faults(
        scenario(42, 12, 0.0),
        T0,
        Faults::parse("lag=60000").unwrap(),
    );
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "stopped", false);
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/backups"),
        r#"{"name": "b1"}"#,
        T0,
    );
    assert_eq!(r.status, 202);
    let c = s.latest_action("zennohosting", &id).unwrap();
    let ready = s
        .point("zennohosting", &id, "b1")
        .unwrap()
        .ready_at_ms
        .unwrap();
    assert_eq!(
        c.finished_at_ms,
        Some(ready),
        "the action is over when the backup is ready"
    );
    let reported = ready - 60_000;
    assert_eq!(
        vm(&mut s, &p, &id, reported)["operationStatus"],
        "succeeded"
    );
    assert_eq!(backups(&mut s, &p, &id, reported)[0]["status"], "creating");
    assert_eq!(
        s.point("zennohosting", &id, "b1").unwrap().state,
        PointState::Creating
    );
    assert_eq!(backups(&mut s, &p, &id, ready)[0]["status"], "ready");
}

#[test]
fn a_failed_create_leaves_a_failed_backup_that_can_be_deleted() {
    let mut s = sim(1.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "running", false);
    zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/backups"),
        r#"{"name": "doomed"}"#,
        T0,
    );
    let end = s
        .latest_action("zennohosting", &id)
        .unwrap()
        .finished_at_ms
        .unwrap();
    assert_eq!(vm(&mut s, &p, &id, end)["operationStatus"], "failed");
    let b = backups(&mut s, &p, &id, end)[0].clone();
    assert_eq!(b["status"], "failed");
    assert_eq!(
        s.point("zennohosting", &id, "doomed").unwrap().state,
        PointState::Failed
    );
    let path = format!(
        "/projects/{p}/vms/{id}/backups/{}",
        b["id"].as_str().unwrap()
    );
    assert_eq!(
        zh(&mut s, "POST", &format!("{path}/restore"), "", end).status,
        409
    );
    assert_eq!(zh(&mut s, "DELETE", &path, "", end).status, 202);
}

#[test]
fn restore_marks_the_backup_restoring_and_truth_records_it() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "running", true);
    let bid = backups(&mut s, &p, &id, T0)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unknown = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/backups/bk-typed-by-hand/restore"),
        "",
        T0,
    );
    assert_eq!(unknown.status, 404);
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/backups/{bid}/restore"),
        "",
        T0,
    );
    assert_eq!(r.status, 202);
    assert_eq!(
        backups(&mut s, &p, &id, T0 + 5 * SEC)[0]["status"],
        "restoring"
    );
    assert_eq!(
        s.point("zennohosting", &id, &bid).unwrap().state,
        PointState::Restoring
    );
    let end = s
        .latest_action("zennohosting", &id)
        .unwrap()
        .finished_at_ms
        .unwrap();
    let v = vm(&mut s, &p, &id, end);
    assert_eq!(
        (
            &v["operation"],
            &v["operationStatus"],
            &v["bootStatus"],
            &v["state"]
        ),
        (
            &"restore".into(),
            &"succeeded".into(),
            &"booted".into(),
            &"running".into()
        )
    );
    assert_eq!(backups(&mut s, &p, &id, end)[0]["status"], "ready");
    assert_eq!(s.restored_from("zennohosting", &id), Some(bid));
}

#[test]
fn delete_goes_deleting_then_absent() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "stopped", true);
    let before = backups(&mut s, &p, &id, T0);
    let bid = before[0]["id"].as_str().unwrap().to_string();
    let path = format!("/projects/{p}/vms/{id}/backups/{bid}");
    assert_eq!(zh(&mut s, "DELETE", &path, "", T0).status, 202);
    assert_eq!(
        vm(&mut s, &p, &id, T0 + 3 * SEC)["operation"],
        "delete_backup"
    );
    assert_eq!(
        backups(&mut s, &p, &id, T0 + 3 * SEC)[0]["status"],
        "deleting"
    );
    let end = s
        .latest_action("zennohosting", &id)
        .unwrap()
        .finished_at_ms
        .unwrap();
    let after = backups(&mut s, &p, &id, end);
    assert_eq!(after.len(), before.len() - 1);
    assert!(after.iter().all(|b| b["id"] != bid.as_str()));
    assert_eq!(
        s.point("zennohosting", &id, &bid).unwrap().state,
        PointState::Gone
    );
    assert_eq!(zh(&mut s, "DELETE", &path, "", end).status, 404);
    assert_eq!(vm(&mut s, &p, &id, end)["state"], "stopped");
}
