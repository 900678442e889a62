//! Cross-dialect behaviour of the Sim: routing, determinism, clock, stats.

mod common;

use common::*;
use vigil_sim::{Request, Scenario, Sim, PREFIXES};

type AddAuth = fn(Request) -> Request;

#[test]
fn every_prefix_is_served_and_unknown_paths_404() {
    let mut s = sim(0.0);
    assert_eq!(PREFIXES.len(), 5);
    let r = send(&mut s, Request::get("/nowhere/vms"), T0);
    assert_eq!(r.status, 404);
    assert!(r.json().is_some());
    // each dialect: unauthenticated → 401, unknown path (authenticated) → 404, both JSON
    let auth: [(&str, AddAuth); 5] = [
        ("zennohosting", |r| r.bearer("demo-token")),
        ("cloudsfor", |r| r.basic("demo@vigil.test", "demo")),
        ("erigones", |r| r.with_header("ES-API-KEY", "demo-key")),
        ("onetsolutions", |r| r.bearer("demo-token")),
        ("hostway", |r| r.basic("demo@vigil.test", "demo")),
    ];
    for ((name, prefix), (n2, add)) in PREFIXES.iter().zip(auth) {
        assert_eq!(*name, n2);
        let r = send(
            &mut s,
            Request::get(&format!("{prefix}/no/such/thing/")),
            T0,
        );
        assert_eq!(r.status, 401, "{name}");
        assert!(r.json().is_some(), "{name}");
        let r = send(
            &mut s,
            add(Request::get(&format!("{prefix}/no/such/thing/"))),
            T0,
        );
        assert_eq!(r.status, 404, "{name}: {}", r.body);
        assert!(r.json().is_some(), "{name}");
    }
}

#[test]
fn same_seed_same_world_in_every_dialect() {
    let world = |seed: u64| {
        let mut s = Sim::new(scenario(seed, 12, 0.05), T0);
        let p = zh_project(&mut s, T0);
        [
            zh(&mut s, "GET", &format!("/projects/{p}/vms"), "", T0).body,
            cf_get(&mut s, "/vms", T0).body,
            json(&er(&mut s, "GET", "/vm/status/", "", T0))["result"].to_string(),
            on(&mut s, "GET", "/compute/instances", "", T0).body,
            hw(&mut s, "GET", "/servers", "", T0).body,
        ]
    };
    let a = world(1);
    assert_eq!(a, world(1));
    let b = world(2);
    for i in 0..5 {
        assert_ne!(a[i], b[i], "dialect {i} must differ by seed");
    }
}

#[test]
fn vm_count_follows_the_scenario() {
    let mut s = Sim::new(
        Scenario {
            vms: 3,
            ..Scenario::default()
        },
        T0,
    );
    assert_eq!(cf_vms(&mut s, T0).len(), 3);
    assert_eq!(
        json(&on(&mut s, "GET", "/compute/instances", "", T0))["count"],
        3
    );
    let d = Scenario::default();
    assert_eq!((d.vms, d.failure_rate, d.speed), (12, 0.05, 1.0));
}

#[test]
fn the_clock_never_runs_backwards() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    cf_act(&mut s, &id, r#"{"type":"power_off"}"#, T0);
    assert_eq!(cf_vm(&mut s, &id, T0 + 60 * SEC)["status"], "stopped");
    // an earlier now is treated as the latest time seen
    assert_eq!(cf_vm(&mut s, &id, T0)["status"], "stopped");
    assert_eq!(s.now_ms(), T0 + 60 * SEC);
}

#[test]
fn reset_starts_over() {
    let mut s = sim(0.0);
    let before = cf_get(&mut s, "/vms", T0).body;
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    cf_act(&mut s, &id, r#"{"type":"rename","name":"renamed"}"#, T0);
    assert_eq!(cf_vm(&mut s, &id, T0 + MIN)["name"], "renamed");
    s.reset(T0);
    assert_eq!(s.stats()["total"], 0);
    assert_eq!(cf_get(&mut s, "/vms", T0).body, before);
}

#[test]
fn stats_per_dialect_and_endpoint() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    zh(&mut s, "GET", &format!("/projects/{p}/vms"), "", T0);
    er(&mut s, "GET", "/vm/status/", "", T0);
    er(&mut s, "GET", "/vm/status", "", T0);
    hw(&mut s, "GET", "/servers", "", T0);
    send(&mut s, Request::get("/nowhere"), T0);
    let st = s.stats();
    assert_eq!(st["total"], 6);
    assert_eq!(st["unrouted"], 1);
    assert_eq!(
        st["dialects"]["zennohosting"]["endpoints"]["GET /projects"],
        1
    );
    assert_eq!(
        st["dialects"]["zennohosting"]["endpoints"]["GET /projects/{p}/vms"],
        1
    );
    assert_eq!(st["dialects"]["erigones"]["requests"], 2);
    assert_eq!(st["dialects"]["erigones"]["statuses"]["301"], 1);
    assert_eq!(st["dialects"]["hostway"]["endpoints"]["GET /servers"], 1);
    assert_eq!(st["dialects"]["onetsolutions"]["requests"], 0);
    assert_eq!(st["dialects"]["cloudsfor"]["prefix"], "/cloudsfor/api/v1");
}

/// The ids of ONETSolutions' running instances.
fn running_instances(sim: &mut Sim) -> Vec<String> {
    let vms = json(&on(sim, "GET", "/compute/instances?page_size=100", "", T0));
    vms["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "running")
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// The hostnames of Erigones' running VMs in a `/vm/status/` answer.
fn running_hosts(status: &serde_json::Value) -> Vec<String> {
    status["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == "running")
        .map(|v| v["hostname"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_world_given_its_journal_again_is_the_same_world() {
    // Writes on two dialects, among reads and refused writes, at several times.
    let mut a = Sim::replay(scenario(7, 12, 0.3), T0, &[]);
    let running = running_instances(&mut a);
    let mut tasks = Vec::new();
    for (k, id) in running.iter().take(4).enumerate() {
        let at = T0 + 1_000 * k as u64;
        let r = on(
            &mut a,
            "POST",
            &format!("/compute/instances/{id}/reboot"),
            "",
            at,
        );
        assert_eq!(r.status, 202, "{}", r.body);
        tasks.push(json(&r)["id"].as_str().unwrap().to_string());
        // A second reboot of the same instance at once is refused, and changes nothing.
        on(
            &mut a,
            "POST",
            &format!("/compute/instances/{id}/reboot"),
            "",
            at,
        );
    }
    let status = json(&er(&mut a, "GET", "/vm/status/", "", T0 + 5_000));
    let hosts = running_hosts(&status);
    let (host, other) = (hosts[0].clone(), hosts[1].clone());
    let r = er(
        &mut a,
        "PUT",
        &format!("/vm/{host}/status/stop/"),
        "{}",
        T0 + 6_000,
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
    // A refused write (start on a VM still stopping), and a read that asks the compute node (a task).
    let r = er(
        &mut a,
        "PUT",
        &format!("/vm/{host}/status/start/"),
        "{}",
        T0 + 6_500,
    );
    assert_eq!(r.status, 417, "{}", r.body);
    let r = er(
        &mut a,
        "GET",
        &format!("/vm/{host}/status/current/"),
        "",
        T0 + 7_000,
    );
    assert!(r.status < 300, "{}", r.body);
    // Then a write whose task id and duration come after all of those.
    let r = er(
        &mut a,
        "PUT",
        &format!("/vm/{other}/status/reboot/"),
        "{}",
        T0 + 7_500,
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
    let reboot = json(&r)["task_id"].as_str().unwrap().to_string();
    assert_eq!(a.journal().len(), 4 + 4 + 4);

    // The same writes at the same times on a fresh world of the same scenario and start.
    let mut b = Sim::replay(scenario(7, 12, 0.3), T0, a.journal());
    assert_eq!(b.journal(), a.journal());
    // Mid-way and long after: both worlds answer alike (tasks, their outcomes, every VM).
    for at in [T0 + 8_000, T0 + 15_000, T0 + 600_000] {
        for t in &tasks {
            let path = format!("/compute/tasks/{t}");
            assert_eq!(
                on(&mut a, "GET", &path, "", at).body,
                on(&mut b, "GET", &path, "", at).body,
                "{t} at +{} ms",
                at - T0
            );
        }
        let path = format!("/task/{reboot}/status/");
        assert_eq!(
            er(&mut a, "GET", &path, "", at).body,
            er(&mut b, "GET", &path, "", at).body
        );
        // (The answer's own `task_id` counts the reads, which the journal leaves out.)
        assert_eq!(
            json(&er(&mut a, "GET", "/vm/status/", "", at))["result"],
            json(&er(&mut b, "GET", "/vm/status/", "", at))["result"]
        );
    }
    // A world not given the journal knows none of it.
    let mut c = Sim::new(scenario(7, 12, 0.3), T0);
    let r = on(
        &mut c,
        "GET",
        &format!("/compute/tasks/{}", tasks[0]),
        "",
        T0 + 8_000,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn a_journal_answered_otherwise_on_replay_is_told_apart() {
    let mut a = Sim::replay(scenario(7, 12, 0.3), T0, &[]);
    let id = running_instances(&mut a).remove(0);
    let path = format!("/compute/instances/{id}/reboot");
    assert_eq!(on(&mut a, "POST", &path, "", T0).status, 202);
    let same = Sim::replay(scenario(7, 12, 0.3), T0, a.journal());
    assert_eq!(same.journal(), a.journal());
    // The same requests given to another world (another seed: no such instance) are answered
    // otherwise, and the replayed journal says so.
    let other = Sim::replay(scenario(8, 12, 0.3), T0, a.journal());
    assert_eq!(other.journal().len(), a.journal().len());
    assert_ne!(other.journal(), a.journal());
    // A world made by `Sim::new` keeps no journal.
    let mut plain = sim(0.0);
    on(&mut plain, "POST", &path, "", T0);
    assert!(plain.journal().is_empty());
}
