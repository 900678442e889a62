//! cloudsfor: snapshot and backup lists, snapshot delete, rebuild from a snapshot or an image,
//! restore from a backup, enable/disable backups, the demo-mode refusal, the lag fault.

use serde_json::Value;
use vigil_sim::{Faults, PointKind, PointState, Request, Sim};

use crate::common::*;

fn ids(v: &Value, key: &str) -> Vec<u64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// An unlocked VM of the demo account in `status` whose `key` list is not empty.
fn pick_with(s: &mut Sim, status: &str, key: &str) -> Value {
    cf_vms(s, T0)
        .into_iter()
        .find(|v| v["status"] == status && !v[key].as_array().unwrap().is_empty())
        .unwrap_or_else(|| panic!("no {status} VM with {key}"))
}

fn run(s: &mut Sim, id: &str, body: &str, now: u64) -> u64 {
    let r = cf_act(s, id, body, now);
    assert_eq!(r.status, 201, "{body}: {}", r.body);
    s.latest_action("cloudsfor", id)
        .unwrap()
        .finished_at_ms
        .unwrap()
}

#[test]
fn lists_mirror_the_vm_ids_and_the_truth() {
    let mut s = sim(0.0);
    for key in ["snapshot_ids", "backup_ids"] {
        let vm = pick_with(&mut s, "running", key);
        let id = vm["id"].as_str().unwrap();
        let what = if key == "snapshot_ids" {
            "snapshots"
        } else {
            "backups"
        };
        let r = cf_get(&mut s, &format!("/vms/{id}/{what}"), T0);
        assert_eq!(r.status, 200, "{}", r.body);
        let b = json(&r);
        let listed: Vec<u64> = b[what]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_u64().unwrap())
            .collect();
        assert_eq!(listed, ids(&vm, key));
        assert_eq!(b["meta"]["total"], listed.len());
        let first = &b[what][0];
        assert_eq!(first["type"], &what[..what.len() - 1]);
        assert!(first["name"].is_string() && first["created_at"].is_string());
        assert!(first["size_gigabytes"].as_u64().unwrap() > 0 && first["regions"][0].is_string());
        let kind = if key == "snapshot_ids" {
            PointKind::Snapshot
        } else {
            PointKind::Backup
        };
        let truth: Vec<u64> = s
            .points("cloudsfor", id)
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.id.parse().unwrap())
            .collect();
        let (mut a, mut b) = (truth, listed);
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }
    assert_eq!(cf_get(&mut s, "/vms/nope/snapshots", T0).status, 404);
}

#[test]
fn snapshot_action_adds_an_id_when_completed_and_delete_is_204_then_404() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "stopped", T0);
    let id = vm["id"].as_str().unwrap();
    let before = ids(&vm, "snapshot_ids");
    let end = run(
        &mut s,
        id,
        r#"{"type": "snapshot", "name": "pre-upgrade"}"#,
        T0,
    );
    assert_eq!(
        ids(&cf_vm(&mut s, id, end - 1), "snapshot_ids"),
        before,
        "no state of its own: no id before"
    );
    let after = ids(&cf_vm(&mut s, id, end), "snapshot_ids");
    assert_eq!(after.len(), before.len() + 1);
    let new = *after.last().unwrap();
    let one = json(&cf_get(&mut s, &format!("/snapshots/{new}"), end));
    assert_eq!(one["snapshot"]["name"], "pre-upgrade");
    assert_eq!(
        s.point("cloudsfor", id, "pre-upgrade").unwrap().state,
        PointState::Ready
    );
    let del = send(
        &mut s,
        Request::new("DELETE", &format!("{CF}/snapshots/{new}")).basic("demo@vigil.test", "demo"),
        end,
    );
    assert_eq!(del.status, 204);
    assert!(del.body.is_empty());
    assert_eq!(
        cf_get(&mut s, &format!("/snapshots/{new}"), end).status,
        404
    );
    assert_eq!(ids(&cf_vm(&mut s, id, end), "snapshot_ids"), before);
    assert_eq!(
        s.point("cloudsfor", id, &new.to_string()).unwrap().state,
        PointState::Gone
    );
}

#[test]
fn the_lag_fault_completes_the_action_before_the_id_shows() {
    let mut s = Sim::with_faults(
        scenario(42, 12, 0.0),
        T0,
        Faults::parse("lag=30000").unwrap(),
    );
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap();
    let n = ids(&vm, "snapshot_ids").len();
    let end = run(&mut s, id, r#"{"type": "snapshot", "name": "lagging"}"#, T0);
    let reported = end - 30_000;
    assert_eq!(cf_last_action(&mut s, id, reported)["status"], "completed");
    assert_eq!(ids(&cf_vm(&mut s, id, reported), "snapshot_ids").len(), n);
    assert_eq!(
        s.point("cloudsfor", id, "lagging").unwrap().state,
        PointState::Creating
    );
    assert_eq!(ids(&cf_vm(&mut s, id, end), "snapshot_ids").len(), n + 1);
}

#[test]
fn demo_mode_refuses_snapshots() {
    let mut s = sim(0.0);
    let r = send(
        &mut s,
        Request::get(&format!("{CF}/vms")).basic("trial@vigil.test", "trial"),
        T0,
    );
    let id = json(&r)["vms"][0]["id"].as_str().unwrap().to_string();
    let r = send(
        &mut s,
        Request::post(
            &format!("{CF}/vms/{id}/actions"),
            r#"{"type":"snapshot","name":"x"}"#,
        )
        .basic("trial@vigil.test", "trial"),
        T0,
    );
    assert_eq!(r.status, 422);
    assert!(json(&r)["message"].as_str().unwrap().contains("demo mode"));
}

#[test]
fn rebuild_from_a_snapshot_or_an_image_changes_vm_image() {
    let mut s = sim(0.0);
    let vm = pick_with(&mut s, "running", "snapshot_ids");
    let id = vm["id"].as_str().unwrap();
    let snap = ids(&vm, "snapshot_ids")[0];
    assert_eq!(cf_act(&mut s, id, r#"{"type":"rebuild"}"#, T0).status, 422);
    assert_eq!(
        cf_act(&mut s, id, r#"{"type":"rebuild","image":1}"#, T0).status,
        422
    );
    let end = run(
        &mut s,
        id,
        &format!(r#"{{"type":"rebuild","image":{snap}}}"#),
        T0,
    );
    assert_eq!(cf_vm(&mut s, id, end - 1)["locked"], true);
    let v = cf_vm(&mut s, id, end);
    assert_eq!(v["image"]["id"], snap);
    assert_eq!(s.vm_image("cloudsfor", id), Some(snap.to_string()));
    assert_eq!(s.restored_from("cloudsfor", id), Some(snap.to_string()));
    let end2 = run(&mut s, id, r#"{"type":"rebuild","image":"Debian"}"#, end);
    let v = cf_vm(&mut s, id, end2);
    assert_eq!(v["image"]["distro"], "Debian");
    assert_eq!(
        s.vm_image("cloudsfor", id),
        Some(v["image"]["id"].to_string())
    );
}

#[test]
fn restore_takes_a_backup_of_this_vm_only() {
    let mut s = sim(0.0);
    let vm = pick_with(&mut s, "running", "backup_ids");
    let id = vm["id"].as_str().unwrap();
    let backup = ids(&vm, "backup_ids")[0];
    let other = pick_with(&mut s, "stopped", "backup_ids");
    let foreign = ids(&other, "backup_ids")[0];
    let r = cf_act(
        &mut s,
        id,
        &format!(r#"{{"type":"restore","image":{foreign}}}"#),
        T0,
    );
    assert_eq!(r.status, 422);
    let end = run(
        &mut s,
        id,
        &format!(r#"{{"type":"restore","image":{backup}}}"#),
        T0,
    );
    assert_eq!(cf_last_action(&mut s, id, end - 1)["status"], "in-progress");
    assert_eq!(s.restored_from("cloudsfor", id), None);
    let v = cf_vm(&mut s, id, end);
    assert_eq!(v["locked"], false);
    assert_eq!(cf_last_action(&mut s, id, end)["type"], "restore");
    assert_eq!(s.restored_from("cloudsfor", id), Some(backup.to_string()));
}

#[test]
fn enable_and_disable_backups_change_features_when_completed() {
    let mut s = sim(0.0);
    let vm = cf_vms(&mut s, T0)
        .into_iter()
        .find(|v| {
            !v["features"]
                .as_array()
                .unwrap()
                .contains(&"backups".into())
        })
        .unwrap();
    let id = vm["id"].as_str().unwrap();
    assert_eq!(s.automatic_backups("cloudsfor", id), Some(false));
    assert_eq!(
        cf_act(&mut s, id, r#"{"type":"disable_backups"}"#, T0).status,
        422
    );
    let end = run(&mut s, id, r#"{"type":"enable_backups"}"#, T0);
    assert!(!cf_vm(&mut s, id, end - 1)["features"]
        .as_array()
        .unwrap()
        .contains(&"backups".into()));
    assert!(cf_vm(&mut s, id, end)["features"]
        .as_array()
        .unwrap()
        .contains(&"backups".into()));
    assert_eq!(s.automatic_backups("cloudsfor", id), Some(true));
    assert_eq!(
        cf_act(&mut s, id, r#"{"type":"enable_backups"}"#, end).status,
        422
    );
    let end2 = run(&mut s, id, r#"{"type":"disable_backups"}"#, end);
    assert!(!cf_vm(&mut s, id, end2)["features"]
        .as_array()
        .unwrap()
        .contains(&"backups".into()));
    assert_eq!(s.automatic_backups("cloudsfor", id), Some(false));
}
