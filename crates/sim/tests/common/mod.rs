#![allow(dead_code)]
//! Shared helpers for the contract tests.

use serde_json::Value;
use vigil_sim::{Reply, Request, Response, Scenario, Sim};

/// 2026-01-14T16:31:00Z
pub const T0: u64 = 1_768_408_260_000;
pub const SEC: u64 = 1000;
pub const MIN: u64 = 60_000;

pub fn scenario(seed: u64, vms: usize, failure_rate: f64) -> Scenario {
    Scenario {
        seed,
        vms,
        failure_rate,
        speed: 1.0,
    }
}

pub fn sim(failure_rate: f64) -> Sim {
    Sim::new(scenario(42, 12, failure_rate), T0)
}

pub fn json(r: &Response) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", r.body))
}

pub fn send(sim: &mut Sim, req: Request, now: u64) -> Response {
    match sim.handle(&req, now) {
        Reply::Response(r) => r,
        Reply::Dropped => panic!("unexpected drop"),
    }
}

// ---- cloudsfor
pub const CF: &str = "/cloudsfor/api/v1";

pub fn cf_get(sim: &mut Sim, path: &str, now: u64) -> Response {
    send(
        sim,
        Request::get(&format!("{CF}{path}")).basic("demo@vigil.test", "demo"),
        now,
    )
}

pub fn cf_post(sim: &mut Sim, path: &str, body: &str, now: u64) -> Response {
    send(
        sim,
        Request::post(&format!("{CF}{path}"), body).basic("demo@vigil.test", "demo"),
        now,
    )
}

/// Every VM of the demo account (follows pagination).
pub fn cf_vms(sim: &mut Sim, now: u64) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let r = cf_get(sim, &format!("/vms?per_page=200&page={page}"), now);
        assert_eq!(r.status, 200, "{}", r.body);
        let b = json(&r);
        out.extend(b["vms"].as_array().unwrap().iter().cloned());
        if b["links"]["pages"].get("next").is_none() {
            break;
        }
    }
    out
}

pub fn cf_vm(sim: &mut Sim, id: &str, now: u64) -> Value {
    cf_vms(sim, now)
        .into_iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("vm {id} not listed"))
}

/// First VM with this status.
pub fn cf_pick(sim: &mut Sim, status: &str, now: u64) -> Value {
    cf_vms(sim, now)
        .into_iter()
        .find(|v| v["status"] == status)
        .unwrap_or_else(|| panic!("no {status} VM"))
}

pub fn cf_act(sim: &mut Sim, id: &str, body: &str, now: u64) -> Response {
    cf_post(sim, &format!("/vms/{id}/actions"), body, now)
}

/// Latest action of a VM (newest first list).
pub fn cf_last_action(sim: &mut Sim, id: &str, now: u64) -> Value {
    let r = cf_get(sim, &format!("/vms/{id}/actions"), now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["actions"][0].clone()
}

// ---- ZennoHosting
pub const ZH: &str = "/zennohosting";

pub fn zh(sim: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> Response {
    send(
        sim,
        Request::new(method, &format!("{ZH}{path}"))
            .with_body(body)
            .bearer("demo-token"),
        now,
    )
}

pub fn zh_project(sim: &mut Sim, now: u64) -> String {
    let r = zh(sim, "GET", "/projects", "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["items"][0]["id"].as_str().unwrap().to_string()
}

/// The id of the first VM of project `p` in `state`.
pub fn zh_vm_in(sim: &mut Sim, p: &str, state: &str, now: u64) -> String {
    let vms = json(&zh(sim, "GET", &format!("/projects/{p}/vms"), "", now));
    vms["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["state"] == state)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

// ---- Erigones
pub const ER: &str = "/erigones/api";

pub fn er(sim: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> Response {
    send(
        sim,
        Request::new(method, &format!("{ER}{path}"))
            .with_body(body)
            .with_header("ES-API-KEY", "demo-key"),
        now,
    )
}

// ---- ONETSolutions
pub const ON: &str = "/onetsolutions/v1/organizations/demo-org/projects/demo-project";

pub fn on(sim: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> Response {
    send(
        sim,
        Request::new(method, &format!("{ON}{path}"))
            .with_body(body)
            .bearer("demo-token"),
        now,
    )
}

// ---- Hostway
pub const HW: &str = "/hostway/accounts/demo-account/flexcloud";

pub fn hw(sim: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> Response {
    send(
        sim,
        Request::new(method, &format!("{HW}{path}"))
            .with_body(body)
            .basic("demo@vigil.test", "demo"),
        now,
    )
}
