//! Hostway: list, one, restore, delete of snapshots; the fleet's seeded ones.

use serde_json::Value;
use vigil_sim::{PointState, Sim};

use crate::common::*;

fn server_ids(s: &mut Sim, now: u64) -> Vec<String> {
    let b = json(&hw(s, "GET", "/servers", "", now));
    b["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

fn server(s: &mut Sim, id: &str, now: u64) -> Value {
    json(&hw(s, "GET", &format!("/servers/{id}"), "", now))["server"].clone()
}

fn snaps(s: &mut Sim, id: &str, now: u64) -> Vec<Value> {
    let r = hw(s, "GET", &format!("/servers/{id}/snapshots"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["snapshots"].as_array().unwrap().clone()
}

/// A server in `status` holding at least one seeded ACTIVE snapshot.
fn with_snapshot(s: &mut Sim, status: &str) -> (String, Value) {
    for id in server_ids(s, T0) {
        if server(s, &id, T0)["status"] != status {
            continue;
        }
        if let Some(x) = snaps(s, &id, T0).into_iter().next() {
            return (id, x);
        }
    }
    panic!("no {status} server with a snapshot");
}

#[test]
fn list_shows_the_seeded_snapshots_as_truth_has_them() {
    let mut s = sim(0.0);
    let (id, first) = with_snapshot(&mut s, "ACTIVE");
    let listed = snaps(&mut s, &id, T0);
    let truth = s.points("hostway", &id);
    assert_eq!(listed.len(), truth.len());
    for (l, t) in listed.iter().zip(&truth) {
        assert_eq!(l["id"], t.id.as_str());
        assert_eq!(l["status"], "ACTIVE");
        assert_eq!(t.state, PointState::Ready);
        assert!(l["links"][0]["href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/snapshots/{}/", t.id)));
    }
    let one = hw(
        &mut s,
        "GET",
        &format!("/servers/{id}/snapshots/{}", first["id"].as_str().unwrap()),
        "",
        T0,
    );
    assert_eq!(one.status, 200);
    assert_eq!(json(&one)["snapshot"], first);
    assert_eq!(
        hw(
            &mut s,
            "GET",
            &format!("/servers/{id}/snapshots/snapshot_nope"),
            "",
            T0
        )
        .status,
        404
    );
}

#[test]
fn restore_is_202_processing_then_the_status_before() {
    let mut s = sim(0.0);
    for status in ["ACTIVE", "STOPPED"] {
        let (id, snap) = with_snapshot(&mut s, status);
        let sid = snap["id"].as_str().unwrap().to_string();
        let path = format!("/servers/{id}/snapshots/{sid}/actions");
        let bad = hw(&mut s, "POST", &path, r#"{"action": "explode"}"#, T0);
        assert_eq!(bad.status, 400);
        let r = hw(&mut s, "POST", &path, r#"{"action": "restore"}"#, T0);
        assert_eq!(r.status, 202, "{}", r.body);
        assert!(r.body.is_empty());
        assert_eq!(server(&mut s, &id, T0 + SEC)["status"], "PROCESSING");
        // a second change meanwhile is a conflict
        let again = hw(&mut s, "POST", &path, r#"{"action": "restore"}"#, T0 + SEC);
        assert_eq!(again.status, 409);
        assert_eq!(s.restored_from("hostway", &id), None);
        let c = s.latest_action("hostway", &id).unwrap();
        assert_eq!(c.action, "snapshot/restore");
        let end = c.finished_at_ms.unwrap();
        assert_eq!(server(&mut s, &id, end - 1)["status"], "PROCESSING");
        assert_eq!(
            s.point("hostway", &id, &sid).unwrap().state,
            PointState::Restoring
        );
        assert_eq!(server(&mut s, &id, end)["status"], status);
        assert_eq!(snaps(&mut s, &id, end)[0]["status"], "ACTIVE");
        assert_eq!(s.restored_from("hostway", &id), Some(sid.clone()));
        assert_eq!(
            s.point("hostway", &id, &sid).unwrap().state,
            PointState::Ready
        );
    }
}

#[test]
fn a_failed_restore_looks_like_success_but_truth_knows() {
    let mut s = sim(1.0);
    let (id, snap) = with_snapshot(&mut s, "ACTIVE");
    let sid = snap["id"].as_str().unwrap();
    let r = hw(
        &mut s,
        "POST",
        &format!("/servers/{id}/snapshots/{sid}/action"),
        r#"{"action":"restore"}"#,
        T0,
    );
    assert_eq!(r.status, 202, "singular Alternative URI");
    let c = s.latest_action("hostway", &id).unwrap();
    assert!(!c.succeeded && !c.visible);
    let end = c.finished_at_ms.unwrap();
    assert_eq!(server(&mut s, &id, end)["status"], "ACTIVE");
    assert_eq!(s.restored_from("hostway", &id), None);
}

#[test]
fn delete_shows_deleted_then_404_and_frees_a_slot() {
    let mut s = sim(0.0);
    let (id, snap) = with_snapshot(&mut s, "ACTIVE");
    let sid = snap["id"].as_str().unwrap().to_string();
    let before = snaps(&mut s, &id, T0).len();
    let path = format!("/servers/{id}/snapshots/{sid}");
    let r = hw(&mut s, "DELETE", &path, "", T0);
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(
        json(&hw(&mut s, "GET", &path, "", T0 + 1))["snapshot"]["status"],
        "DELETED"
    );
    assert_eq!(
        s.point("hostway", &id, &sid).unwrap().state,
        PointState::Deleting
    );
    assert_eq!(hw(&mut s, "DELETE", &path, "", T0 + 2).status, 409);
    let end = s
        .latest_action("hostway", &id)
        .unwrap()
        .finished_at_ms
        .unwrap();
    assert_eq!(hw(&mut s, "GET", &path, "", end).status, 404);
    assert_eq!(snaps(&mut s, &id, end).len(), before - 1);
    assert_eq!(
        s.point("hostway", &id, &sid).unwrap().state,
        PointState::Gone
    );
    assert_eq!(hw(&mut s, "DELETE", &path, "", end).status, 404);
    // the freed slot takes a snapshot of a name in use by none
    let r = hw(
        &mut s,
        "POST",
        &format!("/servers/{id}/snapshots"),
        r#"{"snapshot": {"name": "after-delete"}}"#,
        end,
    );
    assert_eq!(r.status, 202, "{}", r.body);
}

#[test]
fn a_building_snapshot_refuses_delete_and_restore() {
    let mut s = sim(0.0);
    let (id, _) = with_snapshot(&mut s, "ACTIVE");
    // make room: delete every seeded snapshot first
    let mut t = T0;
    for x in snaps(&mut s, &id, t) {
        assert_eq!(
            hw(
                &mut s,
                "DELETE",
                &format!("/servers/{id}/snapshots/{}", x["id"].as_str().unwrap()),
                "",
                t
            )
            .status,
            202
        );
        t = s
            .latest_action("hostway", &id)
            .unwrap()
            .finished_at_ms
            .unwrap();
    }
    let r = hw(
        &mut s,
        "POST",
        &format!("/servers/{id}/snapshots"),
        r#"{"snapshot": {"name": "fresh"}}"#,
        t,
    );
    assert_eq!(r.status, 202);
    let sid = json(&r)["snapshot"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.point("hostway", &id, "fresh").unwrap().state,
        PointState::Creating
    );
    let path = format!("/servers/{id}/snapshots/{sid}");
    assert_eq!(hw(&mut s, "DELETE", &path, "", t + 1).status, 409);
    assert_eq!(
        hw(
            &mut s,
            "POST",
            &format!("{path}/actions"),
            r#"{"action":"restore"}"#,
            t + 1
        )
        .status,
        400
    );
    let ready = s.point("hostway", &id, &sid).unwrap().ready_at_ms.unwrap();
    assert_eq!(
        json(&hw(&mut s, "GET", &path, "", ready))["snapshot"]["status"],
        "ACTIVE"
    );
    assert_eq!(
        s.point("hostway", &id, &sid).unwrap().state,
        PointState::Ready
    );
}
