//! Contract tests for ONETSolutions (shared/providers/onetsolutions.md), one group per row.

mod common;

use common::*;
use serde_json::Value;
use vigil_sim::{Request, Sim};

fn instances(s: &mut Sim, now: u64) -> Vec<Value> {
    let r = on(s, "GET", "/compute/instances?page_size=100", "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["results"].as_array().unwrap().clone()
}

fn inst(s: &mut Sim, id: &str, now: u64) -> Value {
    instances(s, now)
        .into_iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

fn pick(s: &mut Sim, status: &str) -> String {
    instances(s, T0)
        .into_iter()
        .find(|i| i["status"] == status)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn act(s: &mut Sim, id: &str, action: &str, now: u64) -> Value {
    let r = on(
        s,
        "POST",
        &format!("/compute/instances/{id}/{action}"),
        "",
        now,
    );
    assert_eq!(r.status, 202, "{action}: {}", r.body);
    json(&r)
}

fn get_task(s: &mut Sim, id: &str, now: u64) -> Value {
    let r = on(s, "GET", &format!("/compute/tasks/{id}"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)
}

/// Distinct consecutive (status, retry_count) of a task, sampled every 250 ms.
fn trace(s: &mut Sim, id: &str, from: u64, to: u64) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    let mut t = from;
    while t <= to {
        let v = get_task(s, id, t);
        let row = (
            v["status"].as_str().unwrap().to_string(),
            v["retry_count"].as_u64().unwrap(),
        );
        if out.last() != Some(&row) {
            out.push(row);
        }
        t += 250;
    }
    out
}

#[test]
fn auth_bearer_and_errors_401_403_404() {
    let mut s = sim(0.0);
    let r = send(&mut s, Request::get(&format!("{ON}/compute/instances")), T0);
    assert_eq!(r.status, 401);
    assert!(json(&r)["detail"].is_string());
    let r = send(
        &mut s,
        Request::get(&format!("{ON}/compute/instances")).bearer("sk-onetsolutions-wrong"),
        T0,
    );
    assert_eq!(r.status, 401);
    let r = send(
        &mut s,
        Request::get(
            "/onetsolutions/v1/organizations/other-org/projects/demo-project/compute/instances",
        )
        .bearer("demo-token"),
        T0,
    );
    assert_eq!(r.status, 403);
    assert!(json(&r)["detail"].is_string());
    let r = on(&mut s, "GET", "/compute/volumes", "", T0);
    assert_eq!(r.status, 404);
    assert_eq!(json(&r)["detail"], "Not found.");
}

#[test]
fn list_instances_paginated_with_documented_fields() {
    let mut s = sim(0.0);
    let r = on(&mut s, "GET", "/compute/instances", "", T0);
    let b = json(&r);
    assert_eq!(b["count"], 12);
    assert!(b["next"].is_null() && b["previous"].is_null());
    let all = b["results"].as_array().unwrap();
    assert_eq!(all.len(), 12);
    for i in all {
        for k in [
            "id",
            "legacy_id",
            "organization_id",
            "project_id",
            "name",
            "status",
            "size",
            "location",
            "vpc",
        ] {
            assert!(i.get(k).is_some(), "{k} missing in {i}");
        }
        assert_eq!(i["organization_id"], "demo-org");
        assert_eq!(i["project_id"], "demo-project");
        assert!(i["size"].is_object() && i["location"].is_object() && i["vpc"].is_object());
        assert!(["running", "stopped", "error"].contains(&i["status"].as_str().unwrap()));
    }
    let p1 = json(&on(&mut s, "GET", "/compute/instances?page_size=5", "", T0));
    assert_eq!(p1["count"], 12);
    assert_eq!(p1["results"].as_array().unwrap().len(), 5);
    let next = p1["next"].as_str().unwrap();
    assert!(
        next.contains("page=2") && next.contains("page_size=5"),
        "{next}"
    );
    let p3 = json(&on(
        &mut s,
        "GET",
        "/compute/instances?page_size=5&page=3",
        "",
        T0,
    ));
    assert_eq!(p3["results"].as_array().unwrap().len(), 2);
    assert!(p3["next"].is_null());
    assert!(p3["previous"].as_str().unwrap().contains("page=2"));
    assert_eq!(
        on(
            &mut s,
            "GET",
            "/compute/instances?page=4&page_size=5",
            "",
            T0
        )
        .status,
        404
    );
    // absolute next link when the request URL was absolute
    let r = send(
        &mut s,
        Request::get(&format!(
            "http://127.0.0.1:8787{ON}/compute/instances?page_size=5"
        ))
        .bearer("demo-token"),
        T0,
    );
    assert!(json(&r)["next"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:8787/onetsolutions/"));
}

#[test]
fn every_action_answers_202_with_a_task() {
    let mut s = sim(0.0);
    let mut t = T0;
    let id = pick(&mut s, "running");
    for (action, task_type, after) in [
        ("reboot", "reboot_vps", "running"),
        ("shutdown", "shutdown_vps", "stopped"),
        ("start", "start_vps", "running"),
        ("stop", "stop_vps", "stopped"),
        ("reset", "reset_vps", "running"),
    ] {
        let task = act(&mut s, &id, action, t);
        let mut keys: Vec<&str> = task
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "completed_at",
                "created",
                "created_by",
                "id",
                "instance",
                "instance_id",
                "max_retries",
                "modified",
                "parameters",
                "result",
                "retry_count",
                "started_at",
                "status",
                "task_type"
            ]
        );
        assert_eq!(task["task_type"], task_type);
        assert_eq!(task["status"], "pending");
        assert_eq!(task["instance_id"], id.as_str());
        assert_eq!(task["instance"]["id"], id.as_str());
        assert!(task["instance"]["name"].is_string());
        assert!(task["started_at"].is_null() && task["completed_at"].is_null());
        assert_eq!(task["retry_count"], 0);
        assert_eq!(task["max_retries"], 2);
        assert_eq!(task["created_by"]["email"], "demo@vigil.test");
        assert_eq!(
            inst(&mut s, &id, t)["status"],
            "pending",
            "instance is pending while its task runs"
        );
        let tid = task["id"].as_str().unwrap().to_string();
        // done within the worst case (queue + 2 attempts + back-off)
        t += 120 * SEC;
        let done = get_task(&mut s, &tid, t);
        assert_eq!(done["status"], "completed", "{done}");
        assert!(done["started_at"].is_string() && done["completed_at"].is_string());
        assert!(done["completed_at"].as_str() >= done["started_at"].as_str());
        assert_eq!(inst(&mut s, &id, t)["status"], after, "after {action}");
    }
}

#[test]
fn task_states_pending_running_completed() {
    let mut s = Sim::new(scenario(5, 60, 0.0), T0);
    let ids: Vec<String> = instances(&mut s, T0)
        .iter()
        .filter(|i| i["status"] == "running")
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let mut plain = 0;
    let mut retried = 0;
    for (k, id) in ids.iter().enumerate() {
        let t0 = T0 + k as u64 * 100 * SEC;
        let task = act(&mut s, id, "reboot", t0);
        let tr = trace(&mut s, task["id"].as_str().unwrap(), t0, t0 + 90 * SEC);
        let names: Vec<(&str, u64)> = tr.iter().map(|(a, b)| (a.as_str(), *b)).collect();
        if names == [("pending", 0), ("running", 0), ("completed", 0)] {
            plain += 1;
        } else {
            // a failed attempt goes back to pending with retry_count + 1, then succeeds
            assert_eq!(
                names,
                [
                    ("pending", 0),
                    ("running", 0),
                    ("pending", 1),
                    ("running", 1),
                    ("completed", 1)
                ]
            );
            retried += 1;
        }
    }
    assert!(plain > 0 && retried > 0, "plain {plain} retried {retried}");
}

#[test]
fn exhausted_retries_fail_and_leave_the_instance_alone() {
    let mut s = sim(1.0);
    let id = pick(&mut s, "running");
    let task = act(&mut s, &id, "stop", T0);
    let tid = task["id"].as_str().unwrap().to_string();
    let tr = trace(&mut s, &tid, T0, T0 + 60 * SEC);
    let names: Vec<(&str, u64)> = tr.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    assert_eq!(
        names,
        [
            ("pending", 0),
            ("running", 0),
            ("pending", 1),
            ("running", 1),
            ("pending", 2),
            ("running", 2),
            ("failed", 2)
        ]
    );
    let t = get_task(&mut s, &tid, T0 + 60 * SEC);
    assert!(t["result"]["error"].is_string());
    assert!(t["completed_at"].is_string());
    assert_eq!(inst(&mut s, &id, T0 + 60 * SEC)["status"], "running");
}

#[test]
fn observe_one_task_two_ways() {
    let mut s = sim(0.0);
    let id = pick(&mut s, "stopped");
    let other = pick(&mut s, "running");
    let tid = act(&mut s, &id, "start", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = get_task(&mut s, &tid, T0 + SEC);
    let r = on(
        &mut s,
        "GET",
        &format!("/compute/instances/{id}/tasks/{tid}"),
        "",
        T0 + SEC,
    );
    assert_eq!(r.status, 200);
    assert_eq!(json(&r), a);
    assert_eq!(
        on(
            &mut s,
            "GET",
            &format!("/compute/instances/{other}/tasks/{tid}"),
            "",
            T0 + SEC
        )
        .status,
        404
    );
    assert_eq!(
        on(
            &mut s,
            "GET",
            "/compute/tasks/00000000-0000-4000-8000-000000000000",
            "",
            T0 + SEC
        )
        .status,
        404
    );
}

#[test]
fn observe_many_with_the_status_filter() {
    let mut s = sim(0.0);
    let all = instances(&mut s, T0);
    let on_ids: Vec<String> = all
        .iter()
        .filter(|i| i["status"] == "running")
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    act(&mut s, &on_ids[0], "reboot", T0);
    act(&mut s, &on_ids[1], "stop", T0 + 100 * SEC);
    act(&mut s, &on_ids[2], "shutdown", T0 + 100 * SEC);
    let b = json(&on(
        &mut s,
        "GET",
        "/compute/tasks?status=pending,running&page_size=100",
        "",
        T0 + 100 * SEC,
    ));
    assert_eq!(b["count"], 2);
    assert!(b["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| ["pending", "running"].contains(&t["status"].as_str().unwrap())));
    let done = json(&on(
        &mut s,
        "GET",
        "/compute/tasks?status=completed",
        "",
        T0 + 100 * SEC,
    ));
    assert_eq!(done["count"], 1);
    let every = json(&on(&mut s, "GET", "/compute/tasks", "", T0 + 100 * SEC));
    assert_eq!(every["count"], 3);
    let r = on(
        &mut s,
        "GET",
        "/compute/tasks?status=pending,done",
        "",
        T0 + 100 * SEC,
    );
    assert_eq!(r.status, 400);
    assert!(json(&r)["status"][0].as_str().unwrap().contains("done"));
}

#[test]
fn action_errors_are_400() {
    let mut s = sim(0.0);
    let run = pick(&mut s, "running");
    let off = pick(&mut s, "stopped");
    let err = pick(&mut s, "error");
    for (id, a) in [
        (&run, "start"),
        (&off, "stop"),
        (&off, "reboot"),
        (&off, "shutdown"),
        (&err, "stop"),
    ] {
        let r = on(
            &mut s,
            "POST",
            &format!("/compute/instances/{id}/{a}"),
            "",
            T0,
        );
        assert_eq!(r.status, 400, "{a}");
        assert!(json(&r)["detail"].is_string());
    }
    act(&mut s, &run, "reboot", T0);
    let r = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{run}/stop"),
        "",
        T0,
    );
    assert_eq!(r.status, 400, "one task at a time");
    assert_eq!(
        on(&mut s, "POST", "/compute/instances/nope/start", "", T0).status,
        404
    );
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("/compute/instances/{off}/start"),
            "{",
            T0
        )
        .status,
        400
    );
    // an instance in error can be reset
    act(&mut s, &err, "reset", T0);
    assert_eq!(inst(&mut s, &err, T0 + 90 * SEC)["status"], "running");
}

#[test]
fn rate_limit_bursts_of_100_per_second_and_1000_per_minute() {
    let mut s = sim(0.0);
    for i in 0..100 {
        assert_eq!(on(&mut s, "GET", "/compute/tasks", "", T0 + i).status, 200);
    }
    let r = on(&mut s, "GET", "/compute/tasks", "", T0 + 500);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(json(&r)["detail"].as_str().unwrap().contains("throttled"));
    // 60 ms apart (≈16/s) for the rest of the minute: the 1001st is refused
    let mut n = 100;
    let mut t = T0 + 1000;
    loop {
        let r = on(&mut s, "GET", "/compute/tasks", "", t);
        if r.status == 429 {
            let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
            assert!((1..=60).contains(&wait));
            break;
        }
        n += 1;
        t += 55;
        assert!(t < T0 + 60 * SEC, "no 429 within the minute");
    }
    assert_eq!(n, 1000);
}
