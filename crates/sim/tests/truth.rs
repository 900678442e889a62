//! The ground-truth log: every accepted action, when it really finished (task terminal and VM in
//! its final state) and how, readable without sending a request or touching the stats.

mod common;

use common::*;
use serde_json::Value;
use vigil_sim::{Completion, Faults, Scenario, Sim};

fn only(s: &Sim) -> Completion {
    let all = s.completions();
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0].clone()
}

/// Just before the logged finish the API still shows the action running; at it, finished.
fn check_edges(
    s: &mut Sim,
    c: &Completion,
    running: impl Fn(&mut Sim, u64) -> bool,
    settled: impl Fn(&mut Sim, u64) -> bool,
) {
    let end = c.finished_at_ms.expect("finishes");
    assert!(end > c.accepted_at_ms, "{c:?}");
    assert!(running(s, end - 1), "still running 1 ms before: {c:?}");
    assert!(!c.finished_by(end - 1) && c.finished_by(end));
    assert!(settled(s, end), "finished at the logged instant: {c:?}");
}

#[test]
fn cloudsfor_logs_accepted_actions_only() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap().to_string();
    // refused (already running): not accepted, not logged
    assert_eq!(
        cf_act(&mut s, &id, r#"{"type":"power_on"}"#, T0).status,
        422
    );
    assert!(s.completions().is_empty());
    assert_eq!(
        cf_act(&mut s, &id, r#"{"type":"power_off"}"#, T0).status,
        201
    );
    let c = only(&s);
    assert_eq!(
        (c.dialect, c.vm_id.as_str(), c.action, c.accepted_at_ms),
        ("cloudsfor", id.as_str(), "power_off", T0)
    );
    assert_eq!(c.vm_name, vm["name"].as_str().unwrap());
    assert!(c.succeeded);
    assert_eq!(c.task_status, "completed");
    check_edges(
        &mut s,
        &c,
        |s, t| cf_last_action(s, &id, t)["status"] == "in-progress",
        |s, t| {
            let vm = cf_vm(s, &id, t);
            cf_last_action(s, &id, t)["status"] == "completed"
                && vm["status"] == "stopped"
                && vm["locked"] == false
        },
    );
}

#[test]
fn reading_the_truth_sends_nothing_and_counts_nothing() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap().to_string();
    cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0);
    let before = s.stats();
    let now = s.now_ms();
    let c = s.latest_action("cloudsfor", &id).unwrap();
    assert_eq!(
        s.latest_action("cloudsfor", vm["name"].as_str().unwrap()),
        Some(c.clone())
    );
    assert_eq!(s.scheduled_finish("cloudsfor", &id), c.finished_at_ms);
    assert_eq!(s.completions(), vec![c]);
    assert_eq!(s.latest_action("erigones", &id), None);
    assert_eq!(s.latest_action("nowhere", &id), None);
    assert_eq!(s.scheduled_finish("cloudsfor", "no-such-vm"), None);
    assert_eq!(s.stats(), before);
    assert_eq!(s.now_ms(), now, "the clock does not move");
}

#[test]
fn failures_are_logged_as_not_succeeded() {
    let mut s = sim(1.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    cf_act(&mut s, &id, r#"{"type":"shutdown"}"#, T0);
    let c = only(&s);
    assert!(!c.succeeded);
    assert_eq!(c.task_status, "errored");
    let end = c.finished_at_ms.unwrap();
    assert_eq!(cf_last_action(&mut s, &id, end)["status"], "errored");
    assert_eq!(cf_vm(&mut s, &id, end)["status"], "running", "VM unchanged");
}

#[test]
fn zennohosting_finish_is_when_the_vm_shows_it() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = zh_vm_in(&mut s, &p, "stopped", T0);
    let path = format!("/projects/{p}/vms/{id}");
    assert_eq!(
        zh(&mut s, "POST", &format!("{path}/start"), "", T0).status,
        202
    );
    let c = only(&s);
    assert_eq!(
        (c.dialect, c.action, c.task_status),
        ("zennohosting", "start", "succeeded")
    );
    let get = |s: &mut Sim, t: u64| json(&zh(s, "GET", &path, "", t));
    check_edges(
        &mut s,
        &c,
        |s, t| get(s, t)["state"] == "stopped",
        |s, t| {
            let v = get(s, t);
            v["state"] == "running" && v["operationStatus"] == "succeeded"
        },
    );
}

#[test]
fn erigones_logs_hostnames_and_follows_cancel_and_force() {
    let mut s = sim(0.0);
    let list = json(&er(&mut s, "GET", "/vm/status/", "", T0));
    let running: Vec<Value> = list["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == "running")
        .cloned()
        .collect();
    let host = |v: &Value| v["hostname"].as_str().unwrap().to_string();
    let (a, b) = (host(&running[0]), host(&running[1]));

    // b: a reboot cancelled while still queued (the clock only moves forward: b goes first).
    let r = er(&mut s, "PUT", &format!("/vm/{b}/status/reboot/"), "", T0);
    let task = json(&r)["task_id"].as_str().unwrap().to_string();
    let r = er(&mut s, "PUT", &format!("/task/{task}/cancel/"), "", T0 + 1);
    assert_eq!(r.status, 200, "{}", r.body);
    let c = s.latest_action("erigones", &b).unwrap();
    assert_eq!(
        (c.action, c.task_status, c.succeeded, c.finished_at_ms),
        ("reboot", "REVOKED", false, Some(T0 + 1))
    );

    // a: graceful stop, then a forced stop over it; both end together.
    let r = er(&mut s, "PUT", &format!("/vm/{a}/status/stop/"), "", T0 + 1);
    assert_eq!(r.status, 201, "{}", r.body);
    let graceful = s.latest_action("erigones", &a).unwrap();
    assert_eq!(
        (graceful.action, graceful.vm_id.as_str()),
        ("stop", a.as_str())
    );
    assert_eq!(
        s.latest_action("erigones", running[0]["alias"].as_str().unwrap()),
        Some(graceful.clone())
    );
    let t1 = T0 + 2 * SEC;
    let r = er(
        &mut s,
        "PUT",
        &format!("/vm/{a}/status/stop/"),
        r#"{"force": true}"#,
        t1,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let forced = s.latest_action("erigones", &a).unwrap();
    assert_eq!(forced.action, "stop/force");
    let all = s.completions();
    assert_eq!(all.len(), 3, "b's reboot, a's stop and its forced stop");
    assert_eq!(
        all[1],
        Completion {
            finished_at_ms: forced.finished_at_ms,
            ..graceful.clone()
        },
        "the graceful stop ends with the forced one"
    );
    assert!(graceful.finished_at_ms > forced.finished_at_ms);
    let end = forced.finished_at_ms.unwrap();
    let status = |s: &mut Sim, t: u64| json(&er(s, "GET", &format!("/vm/{a}/status/"), "", t));
    assert_eq!(status(&mut s, end - 1)["result"]["status"], "stopping");
    assert_eq!(status(&mut s, end)["result"]["status"], "stopped");
}

#[test]
fn onetsolutions_finish_includes_retries() {
    // Some tasks fail their first attempt and run again; the log's finish is the last attempt's.
    let mut s = Sim::new(scenario(5, 30, 0.0), T0);
    let list = json(&on(
        &mut s,
        "GET",
        "/compute/instances?page_size=100",
        "",
        T0,
    ));
    let ids: Vec<String> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == "running")
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    for id in &ids {
        let r = on(
            &mut s,
            "POST",
            &format!("/compute/instances/{id}/reboot"),
            "",
            T0,
        );
        assert_eq!(r.status, 202, "{}", r.body);
    }
    let mut all = s.completions();
    assert_eq!(all.len(), ids.len());
    // The clock only moves forward: look in the order they finish.
    all.sort_by_key(|c| c.finished_at_ms);
    for c in &all {
        assert_eq!(
            (c.dialect, c.action, c.task_status),
            ("onetsolutions", "reboot", "completed")
        );
        let end = c.finished_at_ms.unwrap();
        let task = |s: &mut Sim, t: u64| {
            let r = on(s, "GET", "/compute/tasks?page_size=100", "", t);
            json(&r)["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["instance_id"] == c.vm_id.as_str())
                .unwrap()
                .clone()
        };
        if end > s.now_ms() {
            assert_ne!(task(&mut s, end - 1)["status"], "completed");
        }
        let done = task(&mut s, end);
        assert_eq!(done["status"], "completed");
        let inst = json(&on(
            &mut s,
            "GET",
            "/compute/instances?page_size=100",
            "",
            end,
        ));
        let me = inst["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == c.vm_id.as_str())
            .unwrap()
            .clone();
        assert_eq!(me["status"], "running");
    }
    assert!(
        all.iter()
            .any(|c| c.finished_at_ms.unwrap() - c.accepted_at_ms > 40 * SEC),
        "a retried task takes longer"
    );
}

#[test]
fn hostway_logs_changes_and_snapshots() {
    let mut s = sim(0.0);
    let list = json(&hw(&mut s, "GET", "/servers", "", T0));
    let mut active = None;
    for v in list["servers"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let srv = json(&hw(&mut s, "GET", &format!("/servers/{id}"), "", T0));
        let ok = srv["server"]["status"] == "ACTIVE"
            && srv["server"]["os-extended-volumes:volumes_attached"]
                .as_array()
                .unwrap()
                .is_empty();
        if ok {
            active = Some(id.to_string());
            break;
        }
    }
    let id = active.expect("an ACTIVE server without extra volumes");
    let r = hw(
        &mut s,
        "POST",
        &format!("/servers/{id}/action"),
        r#"{"os-stop": null}"#,
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let c = s.latest_action("hostway", &id).unwrap();
    assert_eq!((c.action, c.task_status), ("os-stop", "STOPPED"));
    let get = |s: &mut Sim, t: u64| json(&hw(s, "GET", &format!("/servers/{id}"), "", t));
    check_edges(
        &mut s,
        &c,
        |s, t| get(s, t)["server"]["status"] == "PROCESSING",
        |s, t| get(s, t)["server"]["status"] == "STOPPED",
    );
    let t = c.finished_at_ms.unwrap();
    let r = hw(
        &mut s,
        "POST",
        &format!("/servers/{id}/snapshots"),
        r#"{"snapshot": {"name": "truth-test"}}"#,
        t,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let snap = s.latest_action("hostway", &id).unwrap();
    assert_eq!(
        (snap.action, snap.task_status, snap.accepted_at_ms),
        ("snapshot", "ACTIVE", t)
    );
    assert_eq!(s.completions().len(), 2);
}

#[test]
fn stuck_actions_never_finish_in_the_log_either() {
    let mut s = Sim::with_faults(scenario(42, 12, 0.0), T0, Faults::parse("stuck=1").unwrap());
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0);
    let c = only(&s);
    assert_eq!(c.finished_at_ms, None);
    assert!(!c.finished_by(u64::MAX));
    assert_eq!(s.scheduled_finish("cloudsfor", &id), None);
}

#[test]
fn the_log_is_deterministic_and_reset_clears_it() {
    let run = || {
        let mut s = Sim::new(
            Scenario {
                seed: 9,
                vms: 40,
                failure_rate: 0.2,
                speed: 1.0,
            },
            T0,
        );
        for (i, v) in cf_vms(&mut s, T0).iter().enumerate() {
            let body = if v["status"] == "running" {
                r#"{"type":"reboot"}"#
            } else {
                r#"{"type":"power_on"}"#
            };
            cf_act(&mut s, v["id"].as_str().unwrap(), body, T0 + i as u64);
        }
        s
    };
    let mut a = run();
    let log = a.completions();
    assert_eq!(log.len(), 40);
    assert_eq!(log, run().completions());
    assert!(log
        .windows(2)
        .all(|w| w[0].accepted_at_ms <= w[1].accepted_at_ms));
    assert!(log.iter().any(|c| !c.succeeded), "some of 40 fail at 20 %");
    a.reset(T0);
    assert!(a.completions().is_empty());
}

#[test]
fn a_failed_hostway_reboot_is_logged_as_invisible() {
    let mut s = sim(1.0);
    let list = json(&hw(&mut s, "GET", "/servers?status=ACTIVE", "", T0));
    let ids: Vec<String> = list["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    let act = |s: &mut Sim, id: &str, body: &str| {
        let r = hw(s, "POST", &format!("/servers/{id}/action"), body, T0);
        assert_eq!(r.status, 202, "{}", r.body);
        s.latest_action("hostway", id).unwrap()
    };
    let reboot = act(&mut s, &ids[0], r#"{"reboot": {"type": "SOFT"}}"#);
    assert_eq!(
        (reboot.succeeded, reboot.visible, reboot.task_status),
        (false, false, "ACTIVE"),
        "the server ends ACTIVE whether the reboot worked or not"
    );
    let stop = act(&mut s, &ids[1], r#"{"os-stop": null}"#);
    assert_eq!(
        (stop.succeeded, stop.visible, stop.task_status),
        (false, true, "ACTIVE"),
        "a failed stop shows: the server is still ACTIVE"
    );
    let end = reboot
        .finished_at_ms
        .unwrap()
        .max(stop.finished_at_ms.unwrap());
    for id in &ids[..2] {
        let v = json(&hw(&mut s, "GET", &format!("/servers/{id}"), "", end));
        assert_eq!(v["server"]["status"], "ACTIVE");
    }
    assert!(s.completions().iter().filter(|c| c.visible).count() == 1);
}

#[test]
fn a_zenno_reboot_reported_succeeded_while_it_failed_is_logged_as_invisible() {
    // The lie fault: a failed operation reports `succeeded` and leaves the VM as it was. A
    // reboot (or a restore of a running VM) that worked leaves it so too: no client can tell.
    let mut s = Sim::with_faults(scenario(11, 12, 1.0), T0, "lie=1".parse().unwrap());
    let p = zh_project(&mut s, T0);
    let vms = json(&zh(&mut s, "GET", &format!("/projects/{p}/vms"), "", T0));
    let with_state = |state: &str| -> Vec<String> {
        vms["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["state"] == state)
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (running, stopped) = (with_state("running"), with_state("stopped"));
    let act = |s: &mut Sim, vm: &str, what: &str| {
        let r = zh(s, "POST", &format!("/projects/{p}/vms/{vm}/{what}"), "", T0);
        assert_eq!(r.status, 202, "{}", r.body);
        s.latest_action("zennohosting", vm).unwrap()
    };
    let reboot = act(&mut s, &running[0], "reboot");
    let stop = act(&mut s, &running[1], "stop");
    let start = act(&mut s, &stopped[0], "start");
    for (c, visible) in [(&reboot, false), (&stop, true), (&start, true)] {
        assert_eq!(
            (c.succeeded, c.task_status, c.visible),
            (false, "succeeded", visible),
            "{c:?}"
        );
    }
    // What a client reads of the rebooted VM once it is over: what a reboot that worked shows.
    let end = reboot.finished_at_ms.unwrap();
    let v = json(&zh(
        &mut s,
        "GET",
        &format!("/projects/{p}/vms/{}", running[0]),
        "",
        end,
    ));
    assert_eq!(
        (&v["state"], &v["operationStatus"], &v["bootStatus"]),
        (
            &Value::from("running"),
            &Value::from("succeeded"),
            &Value::from("booted")
        )
    );
}
