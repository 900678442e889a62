//! cloudsfor: private networks — list, synchronous create, join and leave by VM actions (seen on
//! the VM's `networks.v4`), a delete refused while VMs are joined, and the truth agreeing.

use serde_json::Value;
use vigil_sim::{Faults, Request, ResState, Sim};

use crate::common::*;

fn cf(s: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> Response {
    send(
        s,
        Request::new(method, &format!("{CF}{path}"))
            .with_body(body)
            .basic("demo@vigil.test", "demo"),
        now,
    )
}

use vigil_sim::Response;

fn networks(s: &mut Sim, now: u64) -> Vec<Value> {
    let r = cf_get(s, "/networks", now);
    assert_eq!(r.status, 200, "{}", r.body);
    let b = json(&r);
    assert_eq!(
        b["meta"]["total"].as_u64().unwrap() as usize,
        b["networks"].as_array().unwrap().len()
    );
    b["networks"].as_array().unwrap().clone()
}

fn private_v4(vm: &Value) -> Vec<String> {
    vm["networks"]["v4"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "private")
        .map(|e| e["ip_address"].as_str().unwrap().to_string())
        .collect()
}

/// Runs the VM's last action to its end; returns its status.
fn finish(s: &mut Sim, vm: &str, now: &mut u64) -> String {
    for _ in 0..200 {
        *now += 5 * SEC;
        let a = cf_last_action(s, vm, *now);
        if a["status"] != "in-progress" {
            return a["status"].as_str().unwrap().to_string();
        }
    }
    panic!("never ended")
}

#[test]
fn a_network_is_created_at_once_joined_left_and_deleted_when_empty() {
    let mut s = sim(0.0);
    let mut now = T0;
    let seeded = networks(&mut s, now);
    assert_eq!(seeded.len(), 1);
    assert!(seeded[0].get("parent_id").is_some() && seeded[0]["size"] == 256);
    let r = cf_post(&mut s, "/networks", r#"{"name":"lab"}"#, now);
    assert_eq!(r.status, 201, "{}", r.body);
    let lab = json(&r)["network"].clone();
    let id = lab["id"].as_str().unwrap().to_string();
    assert!(networks(&mut s, now).iter().any(|n| n["id"] == id.as_str()));
    assert_eq!(s.network("cloudsfor", &id).unwrap().state, ResState::Ready);
    // A VM joins: the action completes and a second private entry shows.
    let vm = cf_pick(&mut s, "running", now);
    let vm_id = vm["id"].as_str().unwrap().to_string();
    let before = private_v4(&vm);
    let body = format!(r#"{{"type":"attach_network","network_id":"{id}"}}"#);
    let r = cf_act(&mut s, &vm_id, &body, now);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(json(&r)["action"]["type"], "attach_network");
    assert!(private_v4(&cf_vm(&mut s, &vm_id, now)) == before);
    assert_eq!(finish(&mut s, &vm_id, &mut now), "completed");
    let after = private_v4(&cf_vm(&mut s, &vm_id, now));
    assert_eq!(after.len(), before.len() + 1);
    let truth = s.network("cloudsfor", &id).unwrap();
    assert_eq!(truth.attached.len(), 1);
    assert_eq!(truth.attached[0].vm_id, vm_id);
    assert!(after.contains(&truth.attached[0].internal_ip));
    let cidr = truth.cidr.unwrap();
    assert!(truth.attached[0]
        .internal_ip
        .starts_with(cidr.trim_end_matches("0/24")));
    // Joined twice: refused.
    let r = cf_act(&mut s, &vm_id, &body, now);
    assert_eq!(r.status, 422);
    // The delete is refused while it is joined, in the provider's words.
    let r = cf(&mut s, "DELETE", &format!("/networks/{id}"), "", now);
    assert_eq!(r.status, 422, "{}", r.body);
    let said = json(&r)["message"].as_str().unwrap().to_string();
    assert!(said.contains("while VMs are joined"), "{said}");
    // It leaves: the entry goes; then the delete is taken.
    let leave = format!(r#"{{"type":"detach_network","network_id":"{id}"}}"#);
    assert_eq!(cf_act(&mut s, &vm_id, &leave, now).status, 201);
    assert_eq!(finish(&mut s, &vm_id, &mut now), "completed");
    assert_eq!(private_v4(&cf_vm(&mut s, &vm_id, now)), before);
    assert!(s.network("cloudsfor", &id).unwrap().attached.is_empty());
    let r = cf(&mut s, "DELETE", &format!("/networks/{id}"), "", now);
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        cf(&mut s, "DELETE", &format!("/networks/{id}"), "", now).status,
        404
    );
    assert!(!networks(&mut s, now).iter().any(|n| n["id"] == id.as_str()));
    assert_eq!(s.network("cloudsfor", &id).unwrap().state, ResState::Gone);
}

#[test]
fn bad_joins_are_refused_and_the_lag_fault_shows_the_entry_late() {
    let mut s = sim(0.0);
    let mut now = T0;
    let vm = cf_pick(&mut s, "running", now);
    let vm_id = vm["id"].as_str().unwrap().to_string();
    for body in [
        r#"{"type":"attach_network"}"#,
        r#"{"type":"attach_network","network_id":"nope"}"#,
    ] {
        assert_eq!(cf_act(&mut s, &vm_id, body, now).status, 422, "{body}");
    }
    let office = networks(&mut s, now)[0]["id"].as_str().unwrap().to_string();
    let leave = format!(r#"{{"type":"detach_network","network_id":"{office}"}}"#);
    assert_eq!(cf_act(&mut s, &vm_id, &leave, now).status, 422);
    assert_eq!(
        cf_post(&mut s, "/networks", r#"{"name":""}"#, now).status,
        422
    );
    s.set_faults(Faults::parse("lag=30000").unwrap());
    let before = private_v4(&vm);
    let join = format!(r#"{{"type":"attach_network","network_id":"{office}"}}"#);
    assert_eq!(cf_act(&mut s, &vm_id, &join, now).status, 201);
    assert_eq!(finish(&mut s, &vm_id, &mut now), "completed");
    assert_eq!(
        private_v4(&cf_vm(&mut s, &vm_id, now)),
        before,
        "not shown yet"
    );
    assert!(s.network("cloudsfor", &office).unwrap().attached.is_empty());
    now += 31 * SEC;
    assert_eq!(
        private_v4(&cf_vm(&mut s, &vm_id, now)).len(),
        before.len() + 1
    );
    assert_eq!(s.network("cloudsfor", &office).unwrap().attached.len(), 1);
}
