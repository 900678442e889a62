//! Contract tests for the cloudsfor dialect (shared/providers/cloudsfor.md).

mod common;

use common::*;
use serde_json::Value;
use vigil_sim::{iso, Request, Scenario, Sim};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn account_endpoint() {
    let mut s = sim(0.0);
    let r = cf_get(&mut s, "/account", T0);
    assert_eq!(r.status, 200);
    let a = &json(&r)["account"];
    assert_eq!(a["email"], "demo@vigil.test");
    assert!(a["uuid"].as_str().unwrap().len() == 36);
    assert!(a["vm_limit"].as_u64().unwrap() >= 12);
}

#[test]
fn list_vms_has_documented_fields() {
    let mut s = sim(0.0);
    let r = cf_get(&mut s, "/vms", T0);
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let b = json(&r);
    let vms = b["vms"].as_array().unwrap();
    assert_eq!(vms.len(), 12);
    assert_eq!(b["meta"]["total"], 12);
    assert!(b["links"]["pages"].get("next").is_none());
    for v in vms {
        for k in [
            "id",
            "name",
            "memory",
            "vcpus",
            "disk",
            "locked",
            "created_at",
            "status",
            "backup_ids",
            "snapshot_ids",
            "image",
            "features",
            "networks",
        ] {
            assert!(v.get(k).is_some(), "missing {k} in {v}");
        }
        assert!(v["id"].is_string());
        assert!(v["memory"].is_u64() && v["vcpus"].is_u64() && v["disk"].is_u64());
        assert_eq!(v["locked"], false);
        assert!(["running", "stopped"].contains(&v["status"].as_str().unwrap()));
        assert!(
            v["image"]["id"].is_u64()
                && v["image"]["distro"].is_string()
                && v["image"]["name"].is_string()
        );
        let created = v["created_at"].as_str().unwrap();
        assert_eq!(created.len(), 20, "{created}");
        assert!(created.ends_with('Z') && &created[10..11] == "T");
    }
    let names: Vec<&str> = vms.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"web-01") && names.contains(&"db-01"),
        "{names:?}"
    );
    assert!(vms.iter().any(|v| v["status"] == "running"));
    assert!(vms.iter().any(|v| v["status"] == "stopped"));
}

#[test]
fn pagination_page_per_page_meta_and_links() {
    let mut s = sim(0.0);
    let r = cf_get(&mut s, "/vms?page=1&per_page=5", T0);
    let b = json(&r);
    assert_eq!(b["vms"].as_array().unwrap().len(), 5);
    assert_eq!(b["meta"]["total"], 12);
    let next = b["links"]["pages"]["next"].as_str().unwrap();
    assert!(next.starts_with("/cloudsfor/api/v1/vms?"), "{next}");
    assert!(
        next.contains("page=2") && next.contains("per_page=5"),
        "{next}"
    );
    assert!(b["links"]["pages"]["last"]
        .as_str()
        .unwrap()
        .contains("page=3"));
    assert!(b["links"]["pages"].get("prev").is_none());

    // following next, then the last page
    let r2 = send(
        &mut s,
        Request::get(next).basic("demo@vigil.test", "demo"),
        T0,
    );
    let b2 = json(&r2);
    assert_eq!(b2["vms"].as_array().unwrap().len(), 5);
    assert_ne!(b2["vms"][0]["id"], b["vms"][0]["id"]);
    let b3 = json(&cf_get(&mut s, "/vms?page=3&per_page=5", T0));
    assert_eq!(b3["vms"].as_array().unwrap().len(), 2);
    assert!(b3["links"]["pages"].get("next").is_none());
    assert!(b3["links"]["pages"]["prev"]
        .as_str()
        .unwrap()
        .contains("page=2"));

    // all pages together are the whole fleet, without duplicates
    let mut ids: Vec<Value> = Vec::new();
    for b in [&b, &b2, &b3] {
        ids.extend(b["vms"].as_array().unwrap().iter().map(|v| v["id"].clone()));
    }
    let mut uniq: Vec<String> = ids.iter().map(|v| v.to_string()).collect();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), 12);

    // beyond the end: empty page
    let b4 = json(&cf_get(&mut s, "/vms?page=9&per_page=5", T0));
    assert_eq!(b4["vms"].as_array().unwrap().len(), 0);
    assert_eq!(b4["meta"]["total"], 12);

    // invalid page → 422 in the dialect's shape
    let r = cf_get(&mut s, "/vms?page=zero", T0);
    assert_eq!(r.status, 422);
    assert_eq!(json(&r)["id"], "unprocessable_entity");
}

#[test]
fn absolute_urls_are_accepted_and_links_stay_absolute() {
    let mut s = sim(0.0);
    for base in ["http://127.0.0.1:8787", "demo://x"] {
        let r = send(
            &mut s,
            Request::get(&format!("{base}/cloudsfor/api/v1/vms?per_page=4"))
                .basic("demo@vigil.test", "demo"),
            T0,
        );
        assert_eq!(r.status, 200);
        let next = json(&r)["links"]["pages"]["next"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            next.starts_with(&format!("{base}/cloudsfor/api/v1/vms?")),
            "{next}"
        );
    }
}

#[test]
fn unauthorized_in_dialect_shape() {
    let mut s = sim(0.0);
    let cases = [
        Request::get("/cloudsfor/api/v1/vms"),
        Request::get("/cloudsfor/api/v1/vms").basic("demo@vigil.test", "wrong"),
        Request::get("/cloudsfor/api/v1/vms").basic("nobody@vigil.test", "demo"),
        Request::get("/cloudsfor/api/v1/vms").bearer("demo-token"),
        Request::get("/cloudsfor/api/v1/vms").with_header("authorization", "Basic !!!"),
    ];
    for req in cases {
        let r = send(&mut s, req, T0);
        assert_eq!(r.status, 401);
        let b = json(&r);
        assert_eq!(b["id"], "unauthorized");
        assert!(b["message"].is_string());
    }
    // header names are case-insensitive
    let r = send(
        &mut s,
        Request::get("/cloudsfor/api/v1/vms")
            .with_header("AUTHORIZATION", "Basic ZGVtb0B2aWdpbC50ZXN0OmRlbW8="),
        T0,
    );
    assert_eq!(r.status, 200);
}

#[test]
fn unknown_paths_are_404_and_one_vm_reads_as_in_the_list() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap().to_string();
    let r = cf_get(&mut s, &format!("/vms/{id}"), T0);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(json(&r)["vm"], vm);
    for p in [
        "/vms/nope".to_string(),
        "/droplets".to_string(),
        format!("/actions/{id}"),
        "/vms/nope/actions".to_string(),
    ] {
        let r = cf_get(&mut s, &p, T0);
        assert_eq!(r.status, 404, "{p}");
        assert_eq!(json(&r)["id"], "not_found");
    }
    let r = cf_act(&mut s, "nope", r#"{"type":"reboot"}"#, T0);
    assert_eq!(r.status, 404);
}

#[test]
fn accepted_action_has_the_documented_shape() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap();
    let now = T0 + 5 * SEC;
    let r = cf_act(&mut s, id, r#"{"type":"reboot"}"#, now);
    assert_eq!(r.status, 201, "{}", r.body);
    let b = json(&r);
    let a = &b["action"];
    assert_eq!(
        keys(a),
        [
            "completed_at",
            "id",
            "region",
            "resource_type",
            "started_at",
            "status",
            "type"
        ]
    );
    assert_eq!(a["id"], vm["id"], "action id is the VM id");
    assert_eq!(a["status"], "in-progress");
    assert_eq!(a["type"], "reboot");
    assert_eq!(a["started_at"], iso(now));
    assert_eq!(a["started_at"], "2026-01-14T16:31:05Z");
    assert!(a["completed_at"].is_null());
    assert_eq!(a["resource_type"], "vm");
    assert_eq!(a["region"], vm["region"]["slug"]);
}

#[test]
fn documented_example_bodies_with_trailing_commas_are_accepted() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = cf_act(&mut s, &id, "{\n  \"type\": \"reboot\",\n}", T0);
    assert_eq!(r.status, 201, "{}", r.body);
    let r = cf_act(&mut s, "x", "{\"type\": \"reboot\",}", T0);
    assert_eq!(r.status, 404);
}

#[test]
fn lock_while_in_progress_then_unlock_when_completed() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0).status, 201);
    assert_eq!(cf_vm(&mut s, &id, T0 + SEC)["locked"], true);
    let r = cf_act(&mut s, &id, r#"{"type":"power_off"}"#, T0 + SEC);
    assert_eq!(r.status, 422);
    let b = json(&r);
    assert_eq!(b["id"], "unprocessable_entity");
    assert!(b["message"].as_str().unwrap().contains("locked"), "{b}");
    // reboot median 20 s, spread x0.6..x1.6: still running at 11 s, done by 33 s
    assert_eq!(
        cf_last_action(&mut s, &id, T0 + 11 * SEC)["status"],
        "in-progress"
    );
    let a = cf_last_action(&mut s, &id, T0 + 33 * SEC);
    assert_eq!(a["status"], "completed");
    assert!(a["completed_at"].is_string());
    let vm = cf_vm(&mut s, &id, T0 + 33 * SEC);
    assert_eq!(vm["locked"], false);
    assert_eq!(vm["status"], "running");
    assert_eq!(
        cf_act(&mut s, &id, r#"{"type":"power_off"}"#, T0 + 34 * SEC).status,
        201
    );
}

/// Run one action to its end (failure_rate 0) and return the VM afterwards.
fn run(s: &mut Sim, id: &str, body: &str, now: u64, max_ms: u64) -> Value {
    let r = cf_act(s, id, body, now);
    assert_eq!(r.status, 201, "{body}: {}", r.body);
    let a = cf_last_action(s, id, now + max_ms);
    assert_eq!(a["status"], "completed", "{body} {a}");
    let started = iso(now);
    assert_eq!(a["started_at"], started);
    assert!(a["completed_at"].as_str().unwrap() > started.as_str());
    cf_vm(s, id, now + max_ms)
}

#[test]
fn power_actions_change_vm_state() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut t = T0;
    let vm = run(&mut s, &id, r#"{"type":"power_off"}"#, t, 8 * SEC + 1);
    assert_eq!(vm["status"], "stopped");
    t += 10 * SEC;
    let vm = run(&mut s, &id, r#"{"type":"power_on"}"#, t, 24 * SEC + 1);
    assert_eq!(vm["status"], "running");
    t += 30 * SEC;
    let vm = run(&mut s, &id, r#"{"type":"power_cycle"}"#, t, 24 * SEC + 1);
    assert_eq!(vm["status"], "running");
    t += 30 * SEC;
    let before = cf_vm(&mut s, &id, t);
    let vm = run(&mut s, &id, r#"{"type":"password_reset"}"#, t, 16 * SEC + 1);
    assert_eq!(vm["status"], "running");
    assert_eq!(vm["name"], before["name"]);
    // power_cycle also starts a stopped VM
    t += 20 * SEC;
    let off = cf_pick(&mut s, "stopped", t)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let vm = run(&mut s, &off, r#"{"type":"power_cycle"}"#, t, 24 * SEC + 1);
    assert_eq!(vm["status"], "running");
}

#[test]
fn state_is_unchanged_until_the_action_completes() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    cf_act(&mut s, &id, r#"{"type":"power_off"}"#, T0);
    assert_eq!(cf_vm(&mut s, &id, T0 + 2 * SEC)["status"], "running");
    assert_eq!(cf_vm(&mut s, &id, T0 + 9 * SEC)["status"], "stopped");
}

#[test]
fn power_preconditions() {
    let mut s = sim(0.0);
    let on = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let off = cf_pick(&mut s, "stopped", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (id, body) in [
        (&on, r#"{"type":"power_on"}"#),
        (&off, r#"{"type":"power_off"}"#),
        (&off, r#"{"type":"shutdown"}"#),
        (&off, r#"{"type":"reboot"}"#),
        (&on, r#"{"type":"teleport"}"#),
        (&on, r#"{"name":"x"}"#),
        (&on, "not json"),
    ] {
        let r = cf_act(&mut s, id, body, T0);
        assert_eq!(r.status, 422, "{body}");
        assert_eq!(json(&r)["id"], "unprocessable_entity");
        assert!(json(&r)["message"].as_str().unwrap().len() > 5);
    }
    // no action was recorded by the refused requests
    let r = cf_get(&mut s, &format!("/vms/{on}/actions"), T0);
    assert_eq!(json(&r)["actions"].as_array().unwrap().len(), 0);
}

#[test]
fn shutdown_stops_the_vm_or_is_ignored_by_the_guest_at_a_small_rate() {
    let mut s = Sim::new(scenario(7, 300, 0.0), T0);
    let running: Vec<String> = cf_vms(&mut s, T0)
        .into_iter()
        .filter(|v| v["status"] == "running")
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert!(running.len() > 150);
    for (i, id) in running.iter().enumerate() {
        assert_eq!(
            cf_act(&mut s, id, r#"{"type":"shutdown"}"#, T0 + 250 * i as u64).status,
            201
        );
    }
    let t = T0 + 250 * running.len() as u64 + 49 * SEC;
    let mut ignored = 0;
    let r = cf_get(&mut s, "/actions?status=completed&per_page=1", t);
    assert_eq!(
        json(&r)["meta"]["total"].as_u64().unwrap() as usize,
        running.len()
    );
    for v in cf_vms(&mut s, t) {
        if running.contains(&v["id"].as_str().unwrap().to_string()) && v["status"] == "running" {
            ignored += 1;
        }
    }
    let share = ignored as f64 / running.len() as f64;
    assert!(share > 0.02 && share < 0.25, "ignored share {share}");
}

#[test]
fn resize_requires_a_stopped_vm() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    for body in [
        r#"{"type":"resize","resource":"ram","size":2}"#,
        r#"{"type":"resize","data":{"cpu":2,"ram":3,"disk":3000}}"#,
    ] {
        let r = cf_act(&mut s, &id, body, T0);
        assert_eq!(r.status, 422);
        assert!(
            json(&r)["message"]
                .as_str()
                .unwrap()
                .contains("powered off"),
            "{}",
            r.body
        );
    }
}

#[test]
fn resize_resource_and_size_form() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "stopped", T0);
    let id = vm["id"].as_str().unwrap();
    let mem = vm["memory"].as_u64().unwrap() + 2;
    // the documented example, with its single-quoted 'ram'
    let body =
        format!("{{\n  \"type\": \"resize\",\n  \"resource\": 'ram',\n  \"size\": {mem}\n}}");
    let r = cf_act(&mut s, id, &body, T0);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(json(&r)["action"]["type"], "resize");
    assert_eq!(
        cf_vm(&mut s, id, T0 + 50 * SEC)["memory"],
        vm["memory"],
        "unchanged mid-way"
    );
    let after = cf_vm(&mut s, id, T0 + 145 * SEC);
    assert_eq!(after["memory"], mem);
    assert_eq!(after["vcpus"], vm["vcpus"]);
    assert_eq!(after["disk"], vm["disk"]);
    assert_eq!(after["status"], "stopped");

    let after = run(
        &mut s,
        id,
        r#"{"type":"resize","resource":"cpu","size":6}"#,
        T0 + 150 * SEC,
        145 * SEC,
    );
    assert_eq!(after["vcpus"], 6);
    let disk = after["disk"].as_u64().unwrap() + 10;
    let after = run(
        &mut s,
        id,
        &format!(r#"{{"type":"resize","resource":"disk","size":{disk}}}"#),
        T0 + 300 * SEC,
        145 * SEC,
    );
    assert_eq!(after["disk"], disk);
}

#[test]
fn resize_data_form_and_validation() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "stopped", T0);
    let id = vm["id"].as_str().unwrap();
    let disk = vm["disk"].as_u64().unwrap().max(30);
    let body = format!(r#"{{"type":"resize","data":{{"cpu":2,"ram":3,"disk":{disk}}}}}"#);
    let after = run(&mut s, id, &body, T0, 145 * SEC);
    assert_eq!(
        (
            after["vcpus"].as_u64(),
            after["memory"].as_u64(),
            after["disk"].as_u64()
        ),
        (Some(2), Some(3), Some(disk))
    );

    let t = T0 + 200 * SEC;
    for bad in [
        r#"{"type":"resize"}"#,
        r#"{"type":"resize","resource":"gpu","size":1}"#,
        r#"{"type":"resize","resource":"ram"}"#,
        r#"{"type":"resize","resource":"ram","size":0}"#,
        r#"{"type":"resize","resource":"ram","size":-2}"#,
        r#"{"type":"resize","resource":"ram","size":"lots"}"#,
        r#"{"type":"resize","data":{}}"#,
        r#"{"type":"resize","data":{"cpu":1000}}"#,
        r#"{"type":"resize","data":{"disk":1}}"#,
        r#"{"type":"resize","data":5}"#,
    ] {
        let r = cf_act(&mut s, id, bad, t);
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert_eq!(json(&r)["id"], "unprocessable_entity");
    }
}

#[test]
fn rename() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let vm = run(
        &mut s,
        &id,
        r#"{"type":"rename","name":"new-name"}"#,
        T0,
        5 * SEC,
    );
    assert_eq!(vm["name"], "new-name");
    for bad in [
        r#"{"type":"rename"}"#,
        r#"{"type":"rename","name":""}"#,
        r#"{"type":"rename","name":"bad name!"}"#,
    ] {
        let r = cf_act(&mut s, &id, bad, T0 + 10 * SEC);
        assert_eq!(r.status, 422, "{bad}");
    }
}

#[test]
fn snapshot_adds_a_snapshot_id() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap();
    let before = vm["snapshot_ids"].as_array().unwrap().len();
    let r = cf_act(
        &mut s,
        id,
        r#"{"type":"snapshot","name":"New Snapshot"}"#,
        T0,
    );
    assert_eq!(r.status, 201);
    assert_eq!(json(&r)["action"]["type"], "snapshot");
    assert_eq!(
        cf_vm(&mut s, id, T0 + 100 * SEC)["snapshot_ids"]
            .as_array()
            .unwrap()
            .len(),
        before
    );
    let after = cf_vm(&mut s, id, T0 + 289 * SEC);
    let snaps = after["snapshot_ids"].as_array().unwrap();
    assert_eq!(snaps.len(), before + 1);
    assert!(snaps.last().unwrap().is_u64());
    assert_eq!(after["status"], "running");
}

#[test]
fn demo_mode_account_refuses_snapshots() {
    let mut s = sim(0.0);
    let r = send(
        &mut s,
        Request::get("/cloudsfor/api/v1/vms").basic("trial@vigil.test", "trial"),
        T0,
    );
    assert_eq!(r.status, 200);
    let vms = json(&r)["vms"].as_array().unwrap().clone();
    assert!(!vms.is_empty());
    // a different account: none of the demo account's VMs
    let demo_ids: Vec<Value> = cf_vms(&mut s, T0).iter().map(|v| v["id"].clone()).collect();
    assert!(vms.iter().all(|v| !demo_ids.contains(&v["id"])));
    let id = vms[0]["id"].as_str().unwrap();
    let url = format!("/cloudsfor/api/v1/vms/{id}/actions");
    let r = send(
        &mut s,
        Request::post(&url, r#"{"type":"snapshot","name":"s1"}"#)
            .basic("trial@vigil.test", "trial"),
        T0,
    );
    assert_eq!(r.status, 422);
    let b = json(&r);
    assert_eq!(b["id"], "unprocessable_entity");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("not available in demo mode"),
        "{b}"
    );
    // other actions work for the trial account
    let r = send(
        &mut s,
        Request::post(&url, r#"{"type":"rename","name":"t-1"}"#).basic("trial@vigil.test", "trial"),
        T0,
    );
    assert_eq!(r.status, 201);
    // and the demo account can't see the trial account's VMs
    assert_eq!(
        cf_act(&mut s, id, r#"{"type":"rename","name":"x"}"#, T0).status,
        404
    );
}

#[test]
fn failure_rate_one_errors_every_action_and_leaves_the_vm_alone() {
    let mut s = sim(1.0);
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap();
    assert_eq!(
        cf_act(&mut s, id, r#"{"type":"power_off"}"#, T0).status,
        201
    );
    let a = cf_last_action(&mut s, id, T0 + 9 * SEC);
    assert_eq!(a["status"], "errored");
    assert!(a["completed_at"].is_string());
    let after = cf_vm(&mut s, id, T0 + 9 * SEC);
    assert_eq!(after["status"], "running");
    assert_eq!(after["locked"], false);
    assert_eq!(
        cf_act(
            &mut s,
            id,
            r#"{"type":"rename","name":"zz"}"#,
            T0 + 10 * SEC
        )
        .status,
        201
    );
    assert_eq!(cf_vm(&mut s, id, T0 + 20 * SEC)["name"], vm["name"]);
}

#[test]
fn failure_rate_is_respected_statistically() {
    let mut s = Sim::new(scenario(11, 400, 0.2), T0);
    let ids: Vec<String> = cf_vms(&mut s, T0)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 400);
    // 4 per second stays under the 250/minute rate limit
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            cf_act(
                &mut s,
                id,
                r#"{"type":"password_reset"}"#,
                T0 + 250 * i as u64
            )
            .status,
            201
        );
    }
    let t = T0 + 130 * SEC;
    let r = cf_get(&mut s, "/actions?status=errored&per_page=200", t);
    let errored = json(&r)["meta"]["total"].as_u64().unwrap();
    assert!((50..=115).contains(&errored), "errored {errored} of 400");
    let r = cf_get(&mut s, "/actions?status=completed", t);
    assert_eq!(json(&r)["meta"]["total"].as_u64().unwrap() + errored, 400);
}

#[test]
fn action_lists_newest_first_and_global_in_progress_filter() {
    let mut s = sim(0.0);
    let vms = cf_vms(&mut s, T0);
    let on: Vec<String> = vms
        .iter()
        .filter(|v| v["status"] == "running")
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    let a = &on[0];
    let b = &on[1];
    cf_act(&mut s, a, r#"{"type":"rename","name":"first"}"#, T0);
    cf_act(
        &mut s,
        a,
        r#"{"type":"rename","name":"second"}"#,
        T0 + 10 * SEC,
    );
    cf_act(&mut s, a, r#"{"type":"reboot"}"#, T0 + 20 * SEC);
    cf_act(
        &mut s,
        b,
        r#"{"type":"snapshot","name":"s"}"#,
        T0 + 21 * SEC,
    );

    let now = T0 + 22 * SEC;
    let list = json(&cf_get(&mut s, &format!("/vms/{a}/actions"), now));
    let acts = list["actions"].as_array().unwrap();
    assert_eq!(acts.len(), 3);
    assert_eq!(list["meta"]["total"], 3);
    let types: Vec<&str> = acts.iter().map(|x| x["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["reboot", "rename", "rename"]);
    assert!(acts[1]["started_at"].as_str() > acts[2]["started_at"].as_str());
    assert!(acts.iter().all(|x| x["id"] == a.as_str()));
    assert_eq!(acts[0]["status"], "in-progress");
    assert_eq!(acts[1]["status"], "completed");

    let g = json(&cf_get(&mut s, "/actions?status=in-progress", now));
    let ga = g["actions"].as_array().unwrap();
    assert_eq!(ga.len(), 2);
    assert_eq!(ga[0]["id"], b.as_str());
    assert_eq!(ga[0]["type"], "snapshot");
    assert_eq!(ga[1]["id"], a.as_str());
    assert!(ga.iter().all(|x| x["status"] == "in-progress"));
    let all = json(&cf_get(&mut s, "/actions", now));
    assert_eq!(all["meta"]["total"], 4);
    let page = json(&cf_get(&mut s, "/actions?per_page=1&page=2", now));
    assert_eq!(page["actions"].as_array().unwrap().len(), 1);
    assert_eq!(page["actions"][0]["type"], "reboot");
    assert!(page["links"]["pages"]["next"]
        .as_str()
        .unwrap()
        .contains("page=3"));
    let r = cf_get(&mut s, "/actions?status=finished", now);
    assert_eq!(r.status, 422);
    // much later nothing is in progress
    let g = json(&cf_get(
        &mut s,
        "/actions?status=in-progress",
        now + 10 * MIN,
    ));
    assert_eq!(g["actions"].as_array().unwrap().len(), 0);
}

#[test]
fn rate_limit_headers_and_429() {
    let mut s = sim(0.0);
    let r = cf_get(&mut s, "/vms", T0);
    assert_eq!(r.header("ratelimit-limit"), Some("5000"));
    assert_eq!(r.header("ratelimit-remaining"), Some("4999"));
    let reset: u64 = r.header("ratelimit-reset").unwrap().parse().unwrap();
    assert_eq!(reset, T0 / 1000 + 3600);
    let r = cf_get(&mut s, "/account", T0 + 10);
    assert_eq!(r.header("RateLimit-Remaining"), Some("4998"));
    // errors of an authenticated request carry the headers too
    let r = cf_get(&mut s, "/nope", T0 + 20);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("ratelimit-remaining"), Some("4997"));
    // 250 per minute: 247 more fit, the 251st is throttled
    for i in 0..247 {
        let r = cf_get(&mut s, "/account", T0 + 100 + i);
        assert_eq!(r.status, 200, "request {i}");
    }
    let r = cf_get(&mut s, "/account", T0 + 1000);
    assert_eq!(r.status, 429);
    let b = json(&r);
    assert_eq!(b["id"], "too_many_requests");
    assert!(r.header("ratelimit-reset").is_some());
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((59..=60).contains(&retry), "{retry}");
    // a minute after the first requests, room again
    let r = cf_get(&mut s, "/account", T0 + MIN + 50);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("ratelimit-remaining"), Some("4749"));
    // unauthenticated answers carry no rate-limit headers
    let r = send(&mut s, Request::get("/cloudsfor/api/v1/vms"), T0 + MIN + 60);
    assert!(r.header("ratelimit-limit").is_none());
}

#[test]
fn hourly_limit() {
    let mut s = sim(0.0);
    // 240 per rolling minute (under the 250/min limit) for 21 minutes: the 5001st is throttled.
    let mut t = T0;
    let mut throttled_at = None;
    'outer: for m in 0..22u64 {
        for i in 0..240u64 {
            t = T0 + m * MIN + i * 200;
            let r = cf_get(&mut s, "/account", t);
            if r.status == 429 {
                throttled_at = Some(m * 240 + i);
                assert_eq!(r.header("ratelimit-remaining"), Some("0"));
                break 'outer;
            }
        }
    }
    assert_eq!(throttled_at, Some(5000), "stopped at {t}");
}

#[test]
fn speed_divides_durations() {
    let mut s = Sim::new(
        Scenario {
            seed: 3,
            vms: 12,
            failure_rate: 0.0,
            speed: 10.0,
        },
        T0,
    );
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0);
    assert_eq!(
        cf_last_action(&mut s, &id, T0 + 3300)["status"],
        "completed"
    );
    let mut slow = Sim::new(
        Scenario {
            seed: 3,
            vms: 12,
            failure_rate: 0.0,
            speed: 1.0,
        },
        T0,
    );
    cf_act(&mut slow, &id, r#"{"type":"reboot"}"#, T0);
    assert_eq!(
        cf_last_action(&mut slow, &id, T0 + 3300)["status"],
        "in-progress"
    );
}

#[test]
fn same_seed_same_world_and_outcomes() {
    let run = |seed: u64| {
        let mut s = Sim::new(scenario(seed, 12, 0.3), T0);
        let mut out = cf_get(&mut s, "/vms", T0).body;
        let ids: Vec<String> = cf_vms(&mut s, T0)
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        for id in &ids {
            cf_act(&mut s, id, r#"{"type":"password_reset"}"#, T0 + SEC);
        }
        out.push_str(&cf_get(&mut s, "/actions?per_page=200", T0 + 30 * SEC).body);
        out
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn stats_count_requests_per_endpoint() {
    let mut s = sim(0.0);
    cf_get(&mut s, "/vms", T0);
    cf_get(&mut s, "/vms", T0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0);
    let st = s.stats();
    let c = &st["dialects"]["cloudsfor"];
    assert_eq!(c["requests"], 4);
    assert_eq!(c["endpoints"]["GET /vms"], 3);
    assert_eq!(c["endpoints"]["POST /vms/{id}/actions"], 1);
    assert_eq!(c["statuses"]["201"], 1);
    assert_eq!(st["total"], 4);
}
