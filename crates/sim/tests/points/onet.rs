//! ONETSolutions: snapshots and backups behind their add-ons, their tasks, resize, reinstall.

use serde_json::Value;
use vigil_sim::{Faults, PointState, Sim};

use crate::common::*;

fn instances(s: &mut Sim, now: u64) -> Vec<Value> {
    json(&on(s, "GET", "/compute/instances?page_size=100", "", now))["results"]
        .as_array()
        .unwrap()
        .clone()
}

fn list(s: &mut Sim, id: &str, what: &str, now: u64) -> Vec<Value> {
    let r = on(
        s,
        "GET",
        &format!("/compute/instances/{id}/{what}"),
        "",
        now,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["results"].as_array().unwrap().clone()
}

/// A `status` instance whose `what` add-on is active (seen by a 200 list) or not (403 on create).
fn pick(s: &mut Sim, status: &str, what: &str, active: bool) -> String {
    for v in instances(s, T0) {
        let id = v["id"].as_str().unwrap().to_string();
        if v["status"] != status {
            continue;
        }
        let has = s
            .points("onetsolutions", &id)
            .iter()
            .any(|p| format!("{:?}s", p.kind).to_lowercase() == what);
        let on_ = if what == "backups" {
            s.automatic_backups("onetsolutions", &id).unwrap()
        } else {
            has
        };
        if on_ == active && (!active || has) {
            return id;
        }
    }
    panic!("no {status} instance with {what} active={active}");
}

fn task_end(s: &Sim, id: &str) -> u64 {
    s.latest_action("onetsolutions", id)
        .unwrap()
        .finished_at_ms
        .unwrap()
}

#[test]
fn without_the_addon_snapshots_are_403_and_activating_it_opens_them() {
    let mut s = sim(0.0);
    let id = pick(&mut s, "running", "snapshots", false);
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/snapshots"),
        r#"{"name":"s1"}"#,
        T0,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/addons/activate"),
        r#"{"addon_id":1,"billing_cycle":"monthly"}"#,
        T0,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(json(&r)["status"], "paid");
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("/compute/instances/{id}/addons/activate"),
            r#"{"addon_id":1}"#,
            T0
        )
        .status,
        400
    );
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/snapshots"),
        r#"{"name":"s1"}"#,
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let t = json(&r);
    assert_eq!(
        (t["task_type"].as_str(), t["status"].as_str()),
        (Some("create_snapshot"), Some("pending"))
    );
    assert_eq!(list(&mut s, &id, "snapshots", T0)[0]["status"], "creating");
    let end = task_end(&s, &id);
    let tid = t["id"].as_str().unwrap();
    assert_eq!(
        json(&on(
            &mut s,
            "GET",
            &format!("/compute/tasks/{tid}"),
            "",
            end
        ))["status"],
        "completed"
    );
    let snap = &list(&mut s, &id, "snapshots", end)[0];
    assert_eq!(
        (snap["name"].as_str(), snap["status"].as_str()),
        (Some("s1"), Some("available"))
    );
    assert_eq!(
        s.point("onetsolutions", &id, "s1").unwrap().state,
        PointState::Ready
    );
}

#[test]
fn the_lag_fault_completes_the_task_before_the_snapshot_is_available() {
    let mut s = Sim::with_faults(
        scenario(42, 12, 0.0),
        T0,
        Faults::parse("lag=20000").unwrap(),
    );
    let id = pick(&mut s, "stopped", "snapshots", true);
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/snapshots"),
        r#"{"name":"lagged"}"#,
        T0,
    );
    let tid = json(&r)["id"].as_str().unwrap().to_string();
    let end = task_end(&s, &id);
    let t = json(&on(
        &mut s,
        "GET",
        &format!("/compute/tasks/{tid}"),
        "",
        end - 20_000,
    ));
    assert_eq!(t["status"], "completed");
    let p = s.point("onetsolutions", &id, "lagged").unwrap();
    assert_eq!((p.state, p.ready_at_ms), (PointState::Creating, Some(end)));
    let snap = list(&mut s, &id, "snapshots", end - 20_000)
        .into_iter()
        .find(|x| x["name"] == "lagged")
        .unwrap();
    assert_eq!(snap["status"], "creating");
}

#[test]
fn restore_needs_a_stopped_instance_and_ends_stopped() {
    let mut s = sim(0.0);
    let running = pick(&mut s, "running", "snapshots", true);
    let sid = list(&mut s, &running, "snapshots", T0)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{running}/snapshots/{sid}/restore"),
        "",
        T0,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let id = pick(&mut s, "stopped", "snapshots", true);
    let sid = list(&mut s, &id, "snapshots", T0)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/snapshots/{sid}/restore"),
        "",
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(json(&r)["task_type"], "restore_snapshot");
    let end = task_end(&s, &id);
    assert_eq!(
        list(&mut s, &id, "snapshots", end - 1)[0]["status"],
        "restoring"
    );
    let inst = json(&on(
        &mut s,
        "GET",
        &format!("/compute/instances/{id}"),
        "",
        end,
    ));
    assert_eq!(inst["status"], "stopped");
    assert_eq!(s.restored_from("onetsolutions", &id), Some(sid));
}

#[test]
fn delete_and_image_from_snapshot() {
    let mut s = sim(0.0);
    let id = pick(&mut s, "stopped", "snapshots", true);
    let sid = list(&mut s, &id, "snapshots", T0)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let images = json(&on(&mut s, "GET", "/compute/images?page_size=100", "", T0))["count"]
        .as_u64()
        .unwrap();
    let path = format!("/compute/instances/{id}/snapshots/{sid}");
    assert_eq!(
        on(&mut s, "POST", &format!("{path}/image"), "{}", T0).status,
        400
    );
    let r = on(
        &mut s,
        "POST",
        &format!("{path}/image"),
        r#"{"name":"golden"}"#,
        T0,
    );
    assert_eq!(
        (r.status, json(&r)["task_type"].clone()),
        (202, "create_image_from_snapshot".into())
    );
    let t = task_end(&s, &id);
    assert_eq!(
        json(&on(&mut s, "GET", "/compute/images?page_size=100", "", t))["count"]
            .as_u64()
            .unwrap(),
        images + 1
    );
    let r = on(&mut s, "DELETE", &path, "", t);
    assert_eq!(
        (r.status, json(&r)["task_type"].clone()),
        (202, "delete_snapshot".into())
    );
    assert_eq!(
        json(&on(&mut s, "GET", &path, "", t + 1))["status"],
        "deleting"
    );
    let t2 = task_end(&s, &id);
    assert_eq!(on(&mut s, "GET", &path, "", t2).status, 404);
    assert_eq!(
        s.point("onetsolutions", &id, &sid).unwrap().state,
        PointState::Gone
    );
}

#[test]
fn backups_create_restore_delete_with_their_task_types() {
    let mut s = sim(0.0);
    let id = pick(&mut s, "stopped", "backups", true);
    let auto = list(&mut s, &id, "backups", T0);
    assert!(auto
        .iter()
        .all(|b| b["type"] == "automatic" && b["status"] == "available"));
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/backups"),
        r#"{"name":"manual-1"}"#,
        T0,
    );
    assert_eq!(
        (r.status, json(&r)["task_type"].clone()),
        (202, "create_backup".into())
    );
    let t = task_end(&s, &id);
    let b = list(&mut s, &id, "backups", t)
        .into_iter()
        .find(|b| b["name"] == "manual-1")
        .unwrap();
    assert_eq!(
        (b["type"].as_str(), b["status"].as_str()),
        (Some("manual"), Some("available"))
    );
    let bid = b["id"].as_str().unwrap();
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/backups/{bid}/restore"),
        "",
        t,
    );
    assert_eq!(
        (r.status, json(&r)["task_type"].clone()),
        (202, "restore_backup".into())
    );
    let t2 = task_end(&s, &id);
    assert_eq!(list(&mut s, &id, "backups", t2).len(), auto.len() + 1);
    assert_eq!(s.restored_from("onetsolutions", &id).as_deref(), Some(bid));
    let r = on(
        &mut s,
        "DELETE",
        &format!("/compute/instances/{id}/backups/{bid}"),
        "",
        t2,
    );
    assert_eq!(
        (r.status, json(&r)["task_type"].clone()),
        (202, "delete_backup".into())
    );
    let t3 = task_end(&s, &id);
    assert_eq!(
        on(
            &mut s,
            "GET",
            &format!("/compute/instances/{id}/backups/{bid}"),
            "",
            t3
        )
        .status,
        404
    );
}

#[test]
fn resize_and_reinstall_are_tasks_that_change_the_instance() {
    let mut s = sim(0.0);
    let v = instances(&mut s, T0)
        .into_iter()
        .find(|v| v["status"] == "stopped")
        .unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let size = v["size"]["id"].as_u64().unwrap();
    let same = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/resize"),
        &format!(r#"{{"size_id":{size}}}"#),
        T0,
    );
    assert_eq!(same.status, 400);
    let sizes = json(&on(&mut s, "GET", "/compute/sizes?page_size=100", "", T0))["results"]
        .as_array()
        .unwrap()
        .clone();
    let to = sizes
        .iter()
        .find(|z| z["is_active"] == true && z["id"] != size)
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/resize"),
        &format!(r#"{{"size_id":{to}}}"#),
        T0,
    );
    assert_eq!(
        (r.status, json(&r)["task_type"].clone()),
        (202, "resize_vps".into())
    );
    let t = task_end(&s, &id);
    assert_eq!(
        json(&on(
            &mut s,
            "GET",
            &format!("/compute/instances/{id}"),
            "",
            t
        ))["size"]["id"],
        to
    );
    let image = json(&on(&mut s, "GET", "/compute/images", "", t))["results"][2]["id"]
        .as_u64()
        .unwrap();
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/reinstall"),
        &format!(r#"{{"image_id":{image}}}"#),
        t,
    );
    assert_eq!(
        (r.status, json(&r)["task_type"].clone()),
        (202, "reinstall_os".into())
    );
    let t2 = task_end(&s, &id);
    let inst = json(&on(
        &mut s,
        "GET",
        &format!("/compute/instances/{id}"),
        "",
        t2,
    ));
    assert_eq!(
        (inst["status"].as_str(), inst["image"]["id"].as_u64()),
        (Some("running"), Some(image))
    );
    assert_eq!(s.vm_image("onetsolutions", &id), Some(image.to_string()));
}
