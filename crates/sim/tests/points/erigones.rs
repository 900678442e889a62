//! Erigones: snapshots (create, rollback, the note-only PUT, delete, bulk delete, limits),
//! backups (create from a definition, restore, delete), definitions; the seeded fleet's points.

use serde_json::Value;
use vigil_sim::{Faults, PointKind, PointState, Request, Response, Sim, VmState};

use crate::common::*;

fn owner(s: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> Response {
    send(
        s,
        Request::new(method, &format!("{ER}{path}"))
            .with_body(body)
            .with_header("ES-API-KEY", "owner-key"),
        now,
    )
}

/// A VM in `state` whose seeded points satisfy `want`.
fn pick(s: &Sim, state: VmState, want: impl Fn(&[vigil_sim::PointFact]) -> bool) -> String {
    s.vm_facts("erigones")
        .into_iter()
        .find(|f| f.state == state && want(&s.points("erigones", &f.vm_id)))
        .unwrap_or_else(|| panic!("no {state:?} VM as wanted"))
        .vm_id
}

fn snaps(s: &mut Sim, h: &str, now: u64) -> Vec<Value> {
    let r = er(
        s,
        "GET",
        &format!("/vm/{h}/snapshot/?full=true&disk_id="),
        "",
        now,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["result"].as_array().unwrap().clone()
}

fn snap(s: &mut Sim, h: &str, name: &str, now: u64) -> Option<Value> {
    snaps(s, h, now).into_iter().find(|x| x["name"] == name)
}

fn vm_status(s: &mut Sim, h: &str, now: u64) -> Value {
    json(&er(s, "GET", &format!("/vm/{h}/status/"), "", now))["result"].clone()
}

fn accepted(r: &Response) -> String {
    assert_eq!(r.status, 201, "{}", r.body);
    let b = json(r);
    assert_eq!(b["status"], "PENDING");
    b["task_id"].as_str().unwrap().to_string()
}

fn end(s: &Sim, h: &str) -> u64 {
    s.latest_action("erigones", h)
        .unwrap()
        .finished_at_ms
        .unwrap()
}

fn manual(p: &[vigil_sim::PointFact]) -> usize {
    p.iter()
        .filter(|p| p.kind == PointKind::Snapshot && p.state == PointState::Ready)
        .count()
}

#[test]
fn a_snapshot_appears_pending_turns_ok_and_the_truth_agrees() {
    let mut s = sim(0.0);
    let h = pick(&s, VmState::Running, |_| true);
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{h}/snapshot/s1/"),
        r#"{"disk_id":1,"note":"n"}"#,
        T0,
    );
    let id = accepted(&r);
    let row = snap(&mut s, &h, "s1", T0).expect("listed at once");
    assert_eq!(
        (row["status"].as_u64(), row["type"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(row["size"].is_null());
    assert_eq!(row["note"], "n");
    assert_eq!(
        s.point("erigones", &h, "s1").unwrap().state,
        PointState::Creating
    );
    let tasks = &vm_status(&mut s, &h, T0)["tasks"][&id];
    assert_eq!(
        (tasks["view"].as_str(), tasks["snapname"].as_str()),
        (Some("vm_snapshot"), Some("s1"))
    );
    assert_eq!(
        er(&mut s, "GET", &format!("/task/{id}/status/"), "", T0).status,
        201
    );
    let c = s.latest_action("erigones", &h).unwrap();
    assert_eq!((c.action, c.succeeded), ("snapshot", true));
    let t = end(&s, &h);
    assert_eq!(snap(&mut s, &h, "s1", t - 1).unwrap()["status"], 2);
    let r = er(&mut s, "GET", &format!("/task/{id}/status/"), "", t);
    assert_eq!(
        (r.status, json(&r)["status"].as_str()),
        (200, Some("SUCCESS"))
    );
    let row = snap(&mut s, &h, "s1", t).unwrap();
    assert_eq!(row["status"], 1);
    assert!(row["size"].as_u64().unwrap() > 0);
    let p = s.point("erigones", &h, "s1").unwrap();
    assert_eq!((p.state, p.ready_at_ms), (PointState::Ready, Some(t)));
    // 406 exists; the name rule; not installed / not operational come from the VM
    let r = er(&mut s, "POST", &format!("/vm/{h}/snapshot/s1/"), "{}", t);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (406, Some("Snapshot already exists"))
    );
    for bad in ["-x", "a b", "abcdefghijklmnopqrstuvwxy"] {
        let r = er(&mut s, "POST", &format!("/vm/{h}/snapshot/{bad}/"), "{}", t);
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(json(&r)["status"], "FAILURE");
        assert!(json(&r)["result"]["name"].is_array());
    }
    let nc = pick(&s, VmState::NotCreated, |_| true);
    assert_eq!(
        er(&mut s, "POST", &format!("/vm/{nc}/snapshot/x/"), "{}", t).status,
        423
    );
}

#[test]
fn a_failed_create_removes_the_row_and_the_limit_is_417() {
    let mut s = sim(1.0);
    let h = pick(&s, VmState::Stopped, |_| true);
    accepted(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/snapshot/doomed/"),
        "{}",
        T0,
    ));
    let t = end(&s, &h);
    let _ = er(&mut s, "GET", "/vm/status/", "", t);
    assert!(snap(&mut s, &h, "doomed", t).is_none());
    assert_eq!(
        s.point("erigones", &h, "doomed").unwrap().state,
        PointState::Gone
    );
    assert!(!s.latest_action("erigones", &h).unwrap().succeeded);

    let mut s = sim(0.0);
    let h = pick(&s, VmState::Running, |_| true);
    let mut now = T0;
    let have = s
        .points("erigones", &h)
        .iter()
        .filter(|p| p.kind == PointKind::Snapshot && p.exists())
        .count();
    for k in have..vigil_sim::limits::ERIGONES_SNAPSHOT_LIMIT_MANUAL {
        accepted(&er(
            &mut s,
            "POST",
            &format!("/vm/{h}/snapshot/k{k}/"),
            "{}",
            now,
        ));
        now = end(&s, &h);
    }
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{h}/snapshot/over/"),
        "{}",
        now,
    );
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (417, Some("VM snapshot limit reached"))
    );
}

#[test]
fn a_put_with_a_note_only_edits_the_note() {
    let mut s = sim(0.0);
    let h = pick(&s, VmState::Stopped, |p| manual(p) >= 1);
    let name = s.points("erigones", &h)[0].name.clone();
    let r = er(
        &mut s,
        "PUT",
        &format!("/vm/{h}/snapshot/{name}/"),
        r#"{"disk_id":1,"force":true,"note":"keep me"}"#,
        T0,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let b = json(&r);
    assert_eq!(
        (b["status"].as_str(), b["result"]["note"].as_str()),
        (Some("SUCCESS"), Some("keep me"))
    );
    assert_eq!(b["result"]["status"], 1);
    let v = vm_status(&mut s, &h, T0 + MIN);
    assert_eq!(v["status"], "stopped");
    assert!(v["tasks"].as_object().unwrap().is_empty());
    assert_eq!(s.restored_from("erigones", &h), None);
    assert_eq!(
        s.latest_action("erigones", &h).unwrap().action,
        "snapshot/note"
    );
    assert_eq!(
        snap(&mut s, &h, &name, T0 + MIN).unwrap()["note"],
        "keep me"
    );
}

#[test]
fn rollback_needs_a_stopped_vm_shows_3_and_with_force_destroys_newer_ones() {
    let mut s = sim(0.0);
    let h = pick(&s, VmState::Stopped, |p| manual(p) >= 1);
    let older = s.points("erigones", &h)[0].name.clone();
    accepted(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/snapshot/newer/"),
        "{}",
        T0,
    ));
    let t = end(&s, &h);
    let path = format!("/vm/{h}/snapshot/{older}/");
    let r = er(&mut s, "PUT", &path, r#"{"disk_id":1,"force":false}"#, t);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (417, Some("VM has more recent snapshots"))
    );
    let running = pick(&s, VmState::Running, |p| manual(p) >= 1);
    let rn = s.points("erigones", &running)[0].name.clone();
    let r = er(
        &mut s,
        "PUT",
        &format!("/vm/{running}/snapshot/{rn}/"),
        r#"{"force":true}"#,
        t,
    );
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (423, Some("VM is not stopped"))
    );
    accepted(&er(
        &mut s,
        "PUT",
        &path,
        r#"{"disk_id":1,"force":true}"#,
        t,
    ));
    assert_eq!(snap(&mut s, &h, &older, t).unwrap()["status"], 3);
    assert_eq!(vm_status(&mut s, &h, t)["status"], "stopped-");
    assert_eq!(
        s.point("erigones", &h, &older).unwrap().state,
        PointState::Restoring
    );
    assert_eq!(s.vm_fact("erigones", &h).unwrap().state, VmState::Stopped);
    assert_eq!(
        s.latest_action("erigones", &h).unwrap().action,
        "snapshot/rollback"
    );
    let done = end(&s, &h);
    assert_eq!(snap(&mut s, &h, &older, done).unwrap()["status"], 1);
    assert!(snap(&mut s, &h, "newer", done).is_none());
    assert_eq!(
        s.point("erigones", &h, "newer").unwrap().state,
        PointState::Gone
    );
    assert_eq!(vm_status(&mut s, &h, done)["status"], "stopped");
    assert_eq!(s.restored_from("erigones", &h), Some(older));
}

#[test]
fn delete_is_pending_then_404_and_a_lost_one_goes_at_once() {
    let mut s = sim(0.0);
    let h = pick(&s, VmState::Running, |p| manual(p) >= 1);
    let name = s.points("erigones", &h)[0].name.clone();
    let path = format!("/vm/{h}/snapshot/{name}/");
    accepted(&er(&mut s, "DELETE", &path, r#"{"disk_id":1}"#, T0));
    assert_eq!(snap(&mut s, &h, &name, T0).unwrap()["status"], 2);
    assert_eq!(
        s.point("erigones", &h, &name).unwrap().state,
        PointState::Deleting
    );
    let t = end(&s, &h);
    let r = er(&mut s, "GET", &path, "", t);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (404, Some("Snapshot not found"))
    );
    assert_eq!(
        s.point("erigones", &h, &name).unwrap().state,
        PointState::Gone
    );

    let lost = pick(&s, VmState::Stopped, |p| {
        p.iter().any(|p| p.state == PointState::Failed)
    });
    assert_eq!(snap(&mut s, &lost, "old-lost", t).unwrap()["status"], 4);
    let r = er(
        &mut s,
        "DELETE",
        &format!("/vm/{lost}/snapshot/old-lost/"),
        "{}",
        t,
    );
    assert_eq!(
        (r.status, json(&r)["status"].as_str()),
        (200, Some("SUCCESS"))
    );
    assert!(snap(&mut s, &lost, "old-lost", t).is_none());
}

#[test]
fn bulk_delete_runs_one_task_for_several() {
    let mut s = sim(0.0);
    let h = pick(&s, VmState::Running, |_| true);
    let mut now = T0;
    for n in ["b1", "b2"] {
        accepted(&er(
            &mut s,
            "POST",
            &format!("/vm/{h}/snapshot/{n}/"),
            "{}",
            now,
        ));
        now = end(&s, &h);
    }
    let r = er(
        &mut s,
        "DELETE",
        &format!("/vm/{h}/snapshot/"),
        r#"{"snapnames":["b1","nope"]}"#,
        now,
    );
    assert_eq!(r.status, 404);
    let id = accepted(&er(
        &mut s,
        "DELETE",
        &format!("/vm/{h}/snapshot/"),
        r#"{"snapnames":["b1","b2"]}"#,
        now,
    ));
    assert_eq!(
        vm_status(&mut s, &h, now)["tasks"][&id]["snapnames"],
        serde_json::json!(["b1", "b2"])
    );
    assert!(snaps(&mut s, &h, now)
        .iter()
        .filter(|x| x["name"] == "b1" || x["name"] == "b2")
        .all(|x| x["status"] == 2));
    let t = end(&s, &h);
    assert!(snap(&mut s, &h, "b1", t).is_none() && snap(&mut s, &h, "b2", t).is_none());
}

#[test]
fn the_lag_fault_reports_success_before_the_row_is_1() {
    let f = Faults::parse("lag=30000").unwrap();
    let mut s = Sim::with_faults(scenario(42, 12, 0.0), T0, f);
    let h = pick(&s, VmState::Running, |_| true);
    let id = accepted(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/snapshot/lagged/"),
        "{}",
        T0,
    ));
    let ready = end(&s, &h);
    let t = ready - 30_000;
    let r = er(&mut s, "GET", &format!("/task/{id}/status/"), "", t);
    assert_eq!(json(&r)["status"], "SUCCESS");
    assert_eq!(snap(&mut s, &h, "lagged", t).unwrap()["status"], 2);
    assert_eq!(
        s.point("erigones", &h, "lagged").unwrap().state,
        PointState::Creating
    );
    assert_eq!(snap(&mut s, &h, "lagged", ready).unwrap()["status"], 1);
    assert_eq!(
        s.point("erigones", &h, "lagged").unwrap().state,
        PointState::Ready
    );
}

fn backups(s: &mut Sim, h: &str, now: u64) -> Vec<Value> {
    let r = er(s, "GET", &format!("/vm/{h}/backup/?full=true"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["result"].as_array().unwrap().clone()
}

#[test]
fn backups_from_a_definition_restore_onto_a_stopped_vm_and_delete() {
    let mut s = sim(0.0);
    let h = pick(&s, VmState::Running, |_| true);
    assert_eq!(s.automatic_backups("erigones", &h), Some(true));
    let seeded = backups(&mut s, &h, T0);
    assert!(!seeded.is_empty());
    assert_eq!(
        (seeded[0]["define"].as_str(), seeded[0]["status"].as_u64()),
        (Some("daily"), Some(1))
    );
    assert_eq!(
        er(&mut s, "POST", &format!("/vm/{h}/backup/nodef/"), "{}", T0).status,
        404
    );
    accepted(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/backup/daily/"),
        r#"{"disk_id":1,"note":"now"}"#,
        T0,
    ));
    let new = backups(&mut s, &h, T0)[0].clone();
    let name = new["name"].as_str().unwrap().to_string();
    assert!(name.starts_with("daily-2026"), "{name}");
    assert_eq!(
        (new["status"].as_u64(), new["note"].as_str()),
        (Some(2), Some("now"))
    );
    assert_eq!(
        s.point("erigones", &h, &name).unwrap().state,
        PointState::Creating
    );
    let mut t = end(&s, &h);
    assert_eq!(backups(&mut s, &h, t)[0]["status"], 1);
    let path = format!("/vm/{h}/backup/{name}/");
    let body = format!(r#"{{"target_hostname_or_uuid":"{h}","target_disk_id":1,"force":true}}"#);
    assert_eq!(er(&mut s, "PUT", &path, &body, t).status, 423);
    accepted(&er(
        &mut s,
        "PUT",
        &format!("/vm/{h}/status/stop/"),
        r#"{"force":true}"#,
        t,
    ));
    t = end(&s, &h);
    assert_eq!(vm_status(&mut s, &h, t)["status"], "stopped");
    let r = er(&mut s, "PUT", &path, r#"{"target_disk_id":1}"#, t);
    assert_eq!(r.status, 400);
    accepted(&er(&mut s, "PUT", &path, &body, t));
    assert_eq!(backups(&mut s, &h, t)[0]["status"], 3);
    assert_eq!(vm_status(&mut s, &h, t)["status"], "stopped-");
    assert_eq!(
        s.latest_action("erigones", &h).unwrap().action,
        "backup/restore"
    );
    t = end(&s, &h);
    assert_eq!(vm_status(&mut s, &h, t)["status"], "stopped");
    assert_eq!(s.restored_from("erigones", &h), Some(name.clone()));
    accepted(&er(&mut s, "DELETE", &path, "{}", t));
    assert_eq!(backups(&mut s, &h, t)[0]["status"], 2);
    t = end(&s, &h);
    assert_eq!(er(&mut s, "GET", &path, "", t).status, 404);
    assert_eq!(
        s.point("erigones", &h, &name).unwrap().state,
        PointState::Gone
    );
}

#[test]
fn definitions_are_admin_writes_and_switch_automatic_backups() {
    let mut s = sim(0.0);
    let h = pick(&s, VmState::Running, |_| true);
    let path = format!("/vm/{h}/define/backup/daily/");
    let r = er(&mut s, "GET", &format!("/vm/{h}/define/backup/"), "", T0);
    assert_eq!(json(&r)["result"][0]["schedule"], "0 4 * * *");
    assert_eq!(
        er(&mut s, "PUT", &path, r#"{"active":false}"#, T0).status,
        200
    );
    assert_eq!(s.automatic_backups("erigones", &h), Some(false));
    assert_eq!(
        json(&er(&mut s, "GET", &path, "", T0))["result"]["active"],
        false
    );
    assert_eq!(
        er(&mut s, "PUT", &path, r#"{"active":true}"#, T0).status,
        200
    );
    assert_eq!(s.automatic_backups("erigones", &h), Some(true));
    let sp = format!("/vm/{h}/define/snapshot/hourly/");
    let r = er(
        &mut s,
        "POST",
        &sp,
        r#"{"schedule":"not cron","retention":0}"#,
        T0,
    );
    assert_eq!(r.status, 400);
    let errs = &json(&r)["result"];
    assert!(errs["schedule"].is_array() && errs["retention"].is_array());
    let r = er(
        &mut s,
        "POST",
        &sp,
        r#"{"schedule":"0 * * * *","retention":24}"#,
        T0,
    );
    assert_eq!(
        (r.status, json(&r)["result"]["active"].as_bool()),
        (201, Some(true))
    );
    assert_eq!(
        er(
            &mut s,
            "POST",
            &sp,
            r#"{"schedule":"0 * * * *","retention":24}"#,
            T0
        )
        .status,
        406
    );
    assert_eq!(er(&mut s, "DELETE", &sp, "", T0).status, 200);
    assert_eq!(er(&mut s, "GET", &sp, "", T0).status, 404);
    assert_eq!(er(&mut s, "DELETE", &path, "", T0).status, 200);
    assert_eq!(s.automatic_backups("erigones", &h), Some(false));
    assert!(backups(&mut s, &h, T0)
        .iter()
        .all(|b| b["define"].is_null()));
}

#[test]
fn an_owner_bulk_deletes_backups_of_its_vm() {
    let mut s = sim(0.0);
    let mine: Vec<String> = json(&owner(&mut s, "GET", "/vm/", "", T0))["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let h = mine
        .into_iter()
        .find(|h| {
            matches!(
                s.vm_fact("erigones", h).unwrap().state,
                VmState::Running | VmState::Stopped
            )
        })
        .unwrap();
    let def = r#"{"schedule":"0 2 * * *","retention":3,"node":"bk01.vigil.test"}"#;
    let dp = format!("/vm/{h}/define/backup/ob/");
    assert_eq!(owner(&mut s, "POST", &dp, def, T0).status, 403);
    assert_eq!(er(&mut s, "POST", &dp, def, T0).status, 201);
    assert_eq!(
        json(&owner(&mut s, "GET", &dp, "", T0))["result"]["node"],
        "bk01.vigil.test"
    );
    assert_eq!(
        owner(&mut s, "POST", &format!("/vm/{h}/backup/ob/"), "{}", T0).status,
        403
    );
    accepted(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/backup/ob/"),
        "{}",
        T0,
    ));
    let t = end(&s, &h);
    let name = backups(&mut s, &h, t)[0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let one = format!("/vm/{h}/backup/{name}/");
    assert_eq!(owner(&mut s, "DELETE", &one, "{}", t).status, 403);
    let body = format!(r#"{{"bkpnames":["{name}"]}}"#);
    accepted(&owner(
        &mut s,
        "DELETE",
        &format!("/vm/{h}/backup/"),
        &body,
        t,
    ));
    let t = end(&s, &h);
    assert!(backups(&mut s, &h, t)
        .iter()
        .all(|b| b["name"] != name.as_str()));
}
