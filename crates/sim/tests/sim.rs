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
