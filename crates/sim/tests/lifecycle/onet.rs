//! ONETSolutions: `POST /compute/instances`, `DELETE …/{id}`, reinstall, `PUT`, catalogues,
//! `ip_addresses`.

use crate::common::*;
use serde_json::{json as j, Value};
use vigil_sim::{Sim, VmState};

const CREATE: &str = r#"{"name": "App Server 1", "size_id": 103, "location_id": 2, "image_id": 203, "billing_cycle": "monthly", "tags": ["web"], "ssh_key_ids": [11], "password": "correct horse"}"#;

fn get(s: &mut Sim, path: &str, now: u64) -> Value {
    let r = on(s, "GET", path, "", now);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    json(&r)
}

/// Follow the instance's task `tid` through the instance's own task list until terminal.
fn follow(s: &mut Sim, id: &str, tid: &str, from: u64) -> (Value, u64) {
    let mut t = from;
    loop {
        let task = get(s, &format!("/compute/instances/{id}/tasks/{tid}"), t);
        if ["completed", "failed", "cancelled"].contains(&task["status"].as_str().unwrap()) {
            return (task, t);
        }
        t += 2_000;
        assert!(t < from + 10 * MIN, "task {tid} never ended");
    }
}

/// Create `CREATE`; returns (instance id, its create_vps task id).
fn create(s: &mut Sim) -> (String, String) {
    let r = on(s, "POST", "/compute/instances", CREATE, T0);
    assert_eq!(r.status, 201, "{}", r.body);
    let inst = json(&r);
    let id = inst["id"].as_str().unwrap().to_string();
    let tasks = get(s, &format!("/compute/instances/{id}/tasks"), T0);
    assert_eq!(tasks["count"], 1);
    let task = &tasks["results"][0];
    assert_eq!(
        (&task["task_type"], &task["instance_id"]),
        (&j!("create_vps"), &inst["id"])
    );
    (id, task["id"].as_str().unwrap().to_string())
}

#[test]
fn create_answers_201_pending_with_a_create_vps_task() {
    let mut s = sim(0.0);
    let r = on(&mut s, "POST", "/compute/instances", CREATE, T0);
    assert_eq!(r.status, 201, "{}", r.body);
    let inst = json(&r);
    assert_eq!(
        (&inst["status"], &inst["ip_addresses"]),
        (&j!("pending"), &j!([]))
    );
    assert_eq!(
        (&inst["name"], &inst["hostname"]),
        (&j!("App Server 1"), &j!("app-server-1"))
    );
    assert_eq!(
        (
            &inst["size"]["id"],
            &inst["location"]["slug"],
            &inst["image"]["os_name"]
        ),
        (&j!(103), &j!("rbx1"), &j!("debian"))
    );
    assert_eq!(
        (&inst["vpc"]["name"], &inst["billing_cycle"], &inst["tags"]),
        (&j!("default-rbx1"), &j!("monthly"), &j!(["web"]))
    );
    let id = inst["id"].as_str().unwrap();
    let all = get(&mut s, "/compute/tasks?status=pending,running", T0);
    let task = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["instance_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(task["task_type"], "create_vps");
    assert!(
        task["parameters"].get("password").is_none(),
        "the password is never echoed"
    );
    let listed = get(&mut s, "/compute/instances?page_size=100", T0);
    assert_eq!(listed["count"], 13);
    assert_eq!(
        s.vm_fact("onetsolutions", id).unwrap().state,
        VmState::Creating
    );
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/reboot"),
        "",
        T0 + SEC,
    );
    assert_eq!(r.status, 400, "busy while creating");
}

#[test]
fn create_runs_to_a_running_instance_with_its_ip_addresses() {
    let mut s = sim(0.0);
    let (id, tid) = create(&mut s);
    let (task, t) = follow(&mut s, &id, &tid, T0);
    assert_eq!(task["status"], "completed");
    assert!(t - T0 >= 60 * SEC, "{} ms", t - T0);
    let inst = get(&mut s, &format!("/compute/instances/{id}"), t);
    assert_eq!(inst["status"], "running");
    let ips = inst["ip_addresses"].as_array().unwrap();
    let kinds: Vec<(u64, &str)> = ips
        .iter()
        .map(|a| (a["version"].as_u64().unwrap(), a["type"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [(4, "public"), (6, "public"), (4, "private")]);
    assert!(
        ips[2]["address"].as_str().unwrap().starts_with("10.65."),
        "in the VPC's 10.65.0.0/16"
    );
    assert!(ips[0]["reverse_dns"].is_string() && ips[2]["reverse_dns"].is_null());
    let fact = s.vm_fact("onetsolutions", &id).unwrap();
    let shown: Vec<&str> = ips.iter().map(|a| a["address"].as_str().unwrap()).collect();
    assert_eq!(
        (fact.state, fact.addresses.clone()),
        (
            VmState::Running,
            shown.iter().map(|a| a.to_string()).collect()
        )
    );
    let c = s.latest_action("onetsolutions", &id).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.task_status),
        ("create", true, "completed")
    );
    assert!(c.finished_by(t) && !c.finished_by(t - 2_000));
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("/compute/instances/{id}/stop"),
            "",
            t
        )
        .status,
        202
    );
}

#[test]
fn a_failed_create_leaves_an_error_instance_without_addresses() {
    let mut s = Sim::new(scenario(42, 12, 1.0), T0);
    let (id, tid) = create(&mut s);
    let (task, t) = follow(&mut s, &id, &tid, T0);
    assert_eq!(
        (&task["status"], &task["retry_count"]),
        (&j!("failed"), &j!(2))
    );
    let inst = get(&mut s, &format!("/compute/instances/{id}"), t);
    assert_eq!(
        (&inst["status"], &inst["ip_addresses"]),
        (&j!("error"), &j!([]))
    );
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/start"),
        "",
        t,
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        s.vm_fact("onetsolutions", &id).unwrap().state,
        VmState::Failed
    );
    assert!(!s.latest_action("onetsolutions", &id).unwrap().succeeded);
}

#[test]
fn create_refusals_are_per_field() {
    let mut s = sim(0.0);
    let base: Value = serde_json::from_str(CREATE).unwrap();
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("size_id", j!(999)), "size_id"),
        (with("size_id", j!(107)), "size_id"),
        (with("location_id", j!(4)), "location_id"),
        (with("image_id", j!(207)), "image_id"),
        (with("image_id", j!(206)).clone(), "image_id"),
        (with("os_name", j!("ubuntu")), "os_name"),
        (with("vpc_id", j!("nope")), "vpc_id"),
        (with("billing_cycle", j!("weekly")), "billing_cycle"),
        (with("password", j!("short")), "password"),
        (with("hostname", j!("-bad-")), "hostname"),
        (j!({}), "name"),
    ] {
        let mut body = body;
        if field == "image_id" && body["image_id"] == 206 {
            body["size_id"] = j!(101); // Windows needs 40 GB; VPS S has 20
        }
        let r = on(&mut s, "POST", "/compute/instances", &body.to_string(), T0);
        assert_eq!(r.status, 400, "{body}");
        assert!(json(&r)[field].is_array(), "{field}: {}", r.body);
    }
    // a VPC of another location
    let vpcs = get(&mut s, "/compute/vpcs", T0);
    let par = vpcs["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["location"]["slug"] == "par1")
        .unwrap()["id"]
        .clone();
    let r = on(
        &mut s,
        "POST",
        "/compute/instances",
        &with("vpc_id", par).to_string(),
        T0,
    );
    assert!(
        json(&r)["vpc_id"][0].as_str().unwrap().contains("location"),
        "{}",
        r.body
    );
    assert_eq!(get(&mut s, "/compute/instances", T0)["count"], 12);
}

#[test]
fn delete_is_a_delete_vps_task_then_404() {
    let mut s = sim(0.0);
    let list = get(&mut s, "/compute/instances?page_size=100", T0);
    let id = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "running")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = on(
        &mut s,
        "DELETE",
        &format!("/compute/instances/{id}"),
        "",
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let task = json(&r);
    assert_eq!(task["task_type"], "delete_vps");
    let tid = task["id"].as_str().unwrap().to_string();
    assert_eq!(
        get(&mut s, &format!("/compute/instances/{id}"), T0)["status"],
        "pending"
    );
    assert_eq!(
        on(
            &mut s,
            "DELETE",
            &format!("/compute/instances/{id}"),
            "",
            T0 + SEC
        )
        .status,
        400
    );
    assert_eq!(
        s.vm_fact("onetsolutions", &id).unwrap().state,
        VmState::Deleting
    );
    let mut t = T0;
    while on(&mut s, "GET", &format!("/compute/instances/{id}"), "", t).status == 200 {
        t += 1_000;
        assert!(t < T0 + 3 * MIN);
    }
    assert_eq!(
        on(&mut s, "GET", &format!("/compute/instances/{id}"), "", t).status,
        404
    );
    let listed = get(&mut s, "/compute/instances?page_size=100", t);
    assert_eq!(listed["count"], 11);
    assert!(listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["id"] != id.as_str()));
    let done = get(&mut s, &format!("/compute/tasks/{tid}"), t);
    assert_eq!(
        (&done["status"], &done["instance"]["id"]),
        (&j!("completed"), &j!(id))
    );
    assert_eq!(
        on(&mut s, "DELETE", &format!("/compute/instances/{id}"), "", t).status,
        404
    );
    let fact = s.vm_fact("onetsolutions", &id).unwrap();
    assert!(!fact.exists() && fact.addresses.is_empty());
    let c = s.latest_action("onetsolutions", &id).unwrap();
    assert_eq!((c.action, c.succeeded), ("delete", true));
    assert!(c.finished_by(t) && !c.finished_by(t - 1_000));
}

#[test]
fn reinstall_and_put_rename_and_hostname() {
    let mut s = sim(0.0);
    let list = get(&mut s, "/compute/instances?page_size=100", T0);
    let id = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "stopped")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{id}/reinstall"),
        r#"{"image_id": 205, "os_name": "almalinux"}"#,
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let tid = json(&r)["id"].as_str().unwrap().to_string();
    assert_eq!(json(&r)["task_type"], "reinstall_os");
    let (task, t) = follow(&mut s, &id, &tid, T0);
    assert_eq!(task["status"], "completed");
    let inst = get(&mut s, &format!("/compute/instances/{id}"), t);
    assert_eq!(
        (&inst["status"], &inst["image"]["id"]),
        (&j!("running"), &j!(205))
    );
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("/compute/instances/{id}/reinstall"),
            r#"{"image_id": 1}"#,
            t
        )
        .status,
        400
    );
    let r = on(
        &mut s,
        "PUT",
        &format!("/compute/instances/{id}"),
        r#"{"name": "renamed", "tags": ["a"], "hostname": "renamed.example.com"}"#,
        t,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (&json(&r)["name"], &json(&r)["status"]),
        (&j!("renamed"), &j!("pending"))
    );
    let tasks = get(&mut s, &format!("/compute/instances/{id}/tasks"), t);
    let newest = &tasks["results"][0];
    assert_eq!(newest["task_type"], "change_hostname");
    let (_, t) = follow(&mut s, &id, newest["id"].as_str().unwrap(), t);
    assert_eq!(
        get(&mut s, &format!("/compute/instances/{id}"), t)["hostname"],
        "renamed.example.com"
    );
}

#[test]
fn catalogues_are_paginated_with_the_documented_fields() {
    let mut s = sim(0.0);
    for (what, keys) in [
        (
            "sizes",
            &[
                "id",
                "name",
                "slug",
                "vcpu",
                "ram_mb",
                "bandwidth_mbps",
                "cpu_model",
                "available_volumes",
                "pricing_options",
                "available_addons",
                "is_active",
                "description",
            ][..],
        ),
        (
            "locations",
            &[
                "id",
                "name",
                "slug",
                "country_code",
                "is_active",
                "created",
                "modified",
            ],
        ),
        (
            "images",
            &[
                "id",
                "name",
                "os_name",
                "version",
                "min_disk_gb",
                "is_active",
            ],
        ),
        ("vpcs", &["id", "name", "cidr_block", "location"]),
    ] {
        let page = get(&mut s, &format!("/compute/{what}?page_size=2"), T0);
        assert!(page["count"].as_u64().unwrap() >= 4, "{what}");
        assert!(page["next"].as_str().unwrap().contains("page=2"));
        for x in page["results"].as_array().unwrap() {
            let mut k: Vec<&str> = x.as_object().unwrap().keys().map(String::as_str).collect();
            k.sort();
            let mut want = keys.to_vec();
            want.sort();
            assert_eq!(k, want, "{what}");
        }
    }
    let size = &get(&mut s, "/compute/sizes", T0)["results"][0];
    assert_eq!(size["pricing_options"][0]["billing_cycle"], "hourly");
    assert_eq!(size["available_volumes"][0]["volume_type"], "ssd");
    assert_eq!(on(&mut s, "POST", "/compute/sizes", "{}", T0).status, 405);
}

#[test]
fn every_instance_has_unique_ip_addresses() {
    let mut s = sim(0.0);
    let list = get(&mut s, "/compute/instances?page_size=100", T0);
    let mut seen = std::collections::BTreeSet::new();
    for inst in list["results"].as_array().unwrap() {
        let ips = inst["ip_addresses"].as_array().unwrap();
        assert_eq!(ips.len(), 3, "{inst}");
        for a in ips {
            assert!(
                seen.insert(a["address"].as_str().unwrap().to_string()),
                "{a}"
            );
        }
        let fact = s
            .vm_fact("onetsolutions", inst["id"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            j!(fact.addresses),
            j!(ips.iter().map(|a| a["address"].clone()).collect::<Vec<_>>())
        );
    }
}
