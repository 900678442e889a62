//! ONETSolutions: volumes, IPs, reverse DNS, VPC, firewall, sync, console, and `created_by`.

use serde_json::Value;
use vigil_sim::{Faults, Request, ResState, Sim, COLLEAGUE_TOKEN};

use crate::common::*;

fn instances(s: &mut Sim, now: u64) -> Vec<Value> {
    let r = on(s, "GET", "/compute/instances?page_size=100", "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["results"].as_array().unwrap().clone()
}

fn running(s: &mut Sim, now: u64) -> String {
    instances(s, now)
        .into_iter()
        .find(|i| i["status"] == "running")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Accept a task and wait until it is over (and the resource shows it).
fn task(s: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> (Value, u64) {
    let r = on(s, method, path, body, now);
    assert_eq!(r.status, 202, "{path}: {}", r.body);
    let t = json(&r);
    let vm = t["instance_id"].as_str().unwrap().to_string();
    let end = s.scheduled_finish("onetsolutions", &vm).unwrap();
    let done = json(&on(
        s,
        "GET",
        &format!("/compute/tasks/{}", t["id"].as_str().unwrap()),
        "",
        end,
    ));
    assert_eq!(done["status"], "completed", "{done}");
    (done, end)
}

#[test]
fn volumes_create_attach_resize_detach_delete() {
    let mut s = sim(0.0);
    let id = running(&mut s, T0);
    let url = format!("/compute/instances/{id}/volumes");
    for bad in [
        r#"{}"#,
        r#"{"size_gb":0}"#,
        r#"{"size_gb":10,"volume_type":"hdd"}"#,
    ] {
        assert_eq!(on(&mut s, "POST", &url, bad, T0).status, 400, "{bad}");
    }
    let r = on(
        &mut s,
        "POST",
        &url,
        r#"{"size_gb":40,"volume_type":"ssd"}"#,
        T0,
    );
    assert_eq!(r.status, 202);
    assert_eq!(json(&r)["task_type"], "create_volume");
    // the instance's tasks are serialized
    assert_eq!(
        on(&mut s, "POST", &url, r#"{"size_gb":10}"#, T0).status,
        400
    );
    let list = json(&on(&mut s, "GET", &url, "", T0))["results"]
        .as_array()
        .unwrap()
        .clone();
    let vol = list
        .iter()
        .find(|v| v["status"] == "creating")
        .unwrap()
        .clone();
    let vid = vol["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.volume("onetsolutions", &vid).unwrap().state,
        ResState::Creating
    );
    let end = s.scheduled_finish("onetsolutions", &id).unwrap();
    let v = json(&on(&mut s, "GET", &format!("{url}/{vid}"), "", end));
    assert_eq!(
        (
            v["status"].as_str(),
            v["attached"].as_bool(),
            v["size_gb"].as_u64()
        ),
        (Some("available"), Some(false), Some(40))
    );
    assert_eq!(
        on(&mut s, "POST", &format!("{url}/{vid}/detach"), "", end).status,
        400
    );
    let (_, t) = task(&mut s, "POST", &format!("{url}/{vid}/attach"), "", end);
    let v = json(&on(&mut s, "GET", &format!("{url}/{vid}"), "", t));
    assert_eq!(v["status"], "in-use");
    assert_eq!(
        s.volume("onetsolutions", &vid)
            .unwrap()
            .attached_to
            .as_deref(),
        Some(id.as_str())
    );
    assert_eq!(
        on(&mut s, "DELETE", &format!("{url}/{vid}"), "", t).status,
        400,
        "attached"
    );
    let r = on(
        &mut s,
        "POST",
        &format!("{url}/{vid}/resize"),
        r#"{"size_gb":40}"#,
        t,
    );
    assert_eq!(
        (r.status, json(&r)["size_gb"].is_array()),
        (400, true),
        "grow only"
    );
    let (_, t) = task(
        &mut s,
        "POST",
        &format!("{url}/{vid}/resize"),
        r#"{"size_gb":80}"#,
        t,
    );
    assert_eq!(
        json(&on(&mut s, "GET", &format!("{url}/{vid}"), "", t))["size_gb"],
        80
    );
    assert_eq!(s.volume("onetsolutions", &vid).unwrap().size_gb, 80);
    let (_, t) = task(&mut s, "POST", &format!("{url}/{vid}/detach"), "", t);
    assert_eq!(s.volume("onetsolutions", &vid).unwrap().attached_to, None);
    let (_, t) = task(&mut s, "DELETE", &format!("{url}/{vid}"), "", t);
    assert_eq!(
        on(&mut s, "GET", &format!("{url}/{vid}"), "", t).status,
        404
    );
    assert_eq!(
        s.volume("onetsolutions", &vid).unwrap().state,
        ResState::Gone
    );
}

#[test]
fn seeded_volumes_are_attached_to_some_instances() {
    let s = sim(0.0);
    let vols = s.volumes("onetsolutions");
    assert!(!vols.is_empty());
    assert!(vols
        .iter()
        .all(|v| v.state == ResState::Ready && v.attached_to.is_some()));
}

#[test]
fn ips_assign_remove_and_reverse_dns() {
    let mut s = sim(0.0);
    let id = running(&mut s, T0);
    let base = format!("/compute/instances/{id}");
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("{base}/ips"),
            r#"{"version":5}"#,
            T0
        )
        .status,
        400
    );
    let (done, t) = task(
        &mut s,
        "POST",
        &format!("{base}/ips"),
        r#"{"version":4}"#,
        T0,
    );
    assert_eq!(done["task_type"], "assign_ip");
    let addr = done["result"]["address"].as_str().unwrap().to_string();
    let inst = json(&on(&mut s, "GET", &base, "", t));
    assert!(inst["ip_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["address"] == addr.as_str()));
    assert!(s
        .vm_fact("onetsolutions", &id)
        .unwrap()
        .addresses
        .contains(&addr));
    // reverse DNS
    let path = format!("{base}/ips/{addr}/reverse-dns");
    assert_eq!(
        on(&mut s, "PUT", &path, r#"{"ptr":"not a host"}"#, t).status,
        400
    );
    let (done, t) = task(&mut s, "PUT", &path, r#"{"ptr":"mail.example.com"}"#, t);
    assert_eq!(done["task_type"], "update_reverse_dns");
    let inst = json(&on(&mut s, "GET", &base, "", t));
    let entry = inst["ip_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == addr.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["reverse_dns"], "mail.example.com");
    assert_eq!(
        s.reverse_dns("onetsolutions", &id, &addr),
        Some(Some("mail.example.com".into()))
    );
    // the VPC address cannot be removed; an unknown one is 404
    let private = inst["ip_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "private")
        .unwrap()["address"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        on(&mut s, "DELETE", &format!("{base}/ips/{private}"), "", t).status,
        400
    );
    assert_eq!(
        on(&mut s, "DELETE", &format!("{base}/ips/203.0.113.1"), "", t).status,
        404
    );
    let (done, t) = task(&mut s, "DELETE", &format!("{base}/ips/{addr}"), "", t);
    assert_eq!(done["task_type"], "remove_ip");
    let inst = json(&on(&mut s, "GET", &base, "", t));
    assert!(!inst["ip_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["address"] == addr.as_str()));
    assert_eq!(s.reverse_dns("onetsolutions", &id, &addr), None);
}

#[test]
fn vpc_update_moves_the_private_address() {
    let mut s = sim(0.0);
    // default-par1 and backend-par1 share location 0
    let vpcs = json(&on(&mut s, "GET", "/compute/vpcs", "", T0))["results"]
        .as_array()
        .unwrap()
        .clone();
    let backend = vpcs.iter().find(|v| v["name"] == "backend-par1").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inst = instances(&mut s, T0)
        .into_iter()
        .find(|i| i["vpc"]["name"] == "default-par1" && i["status"] == "running")
        .unwrap();
    let id = inst["id"].as_str().unwrap().to_string();
    let base = format!("/compute/instances/{id}");
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("{base}/vpc"),
            r#"{"vpc_id":"nope"}"#,
            T0
        )
        .status,
        400
    );
    let other_loc = vpcs.iter().find(|v| v["name"] == "default-rbx1").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("{base}/vpc"),
            &format!(r#"{{"vpc_id":"{other_loc}"}}"#),
            T0
        )
        .status,
        400
    );
    let (done, t) = task(
        &mut s,
        "POST",
        &format!("{base}/vpc"),
        &format!(r#"{{"vpc_id":"{backend}"}}"#),
        T0,
    );
    assert_eq!(done["task_type"], "update_vpc");
    let inst = json(&on(&mut s, "GET", &base, "", t));
    assert_eq!(inst["vpc"]["id"], backend.as_str());
    let net = s.network("onetsolutions", &backend).unwrap();
    let a = net.attached.iter().find(|a| a.vm_id == id).unwrap();
    assert!(a.internal_ip.starts_with("10.67."));
    assert!(inst["ip_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["address"] == a.internal_ip.as_str()));
}

#[test]
fn firewall_rules_apply_and_read_back() {
    let mut s = sim(0.0);
    let id = running(&mut s, T0);
    let path = format!("/compute/instances/{id}/firewall");
    assert_eq!(
        json(&on(&mut s, "GET", &path, "", T0))["rules"],
        serde_json::json!([])
    );
    let bad = r#"{"rules":[{"direction":"sideways","protocol":"tcp","source":"0.0.0.0/0","action":"allow"}]}"#;
    let r = on(&mut s, "PUT", &path, bad, T0);
    assert_eq!(r.status, 400);
    assert!(json(&r)["rules"][0].as_str().unwrap().contains("rule 1"));
    let rules = r#"{"rules":[{"direction":"in","protocol":"tcp","port_range":"22","source":"203.0.113.0/24","action":"allow"},{"direction":"in","protocol":"any","source":"0.0.0.0/0","action":"deny"}]}"#;
    let r = on(&mut s, "PUT", &path, rules, T0);
    assert_eq!(
        (r.status, json(&r)["task_type"].as_str()),
        (202, Some("apply_firewall"))
    );
    assert_eq!(
        json(&on(&mut s, "GET", &path, "", T0))["rules"],
        serde_json::json!([]),
        "not yet applied"
    );
    let end = s.scheduled_finish("onetsolutions", &id).unwrap();
    let got = json(&on(&mut s, "GET", &path, "", end))["rules"].clone();
    assert_eq!(got.as_array().unwrap().len(), 2);
    assert_eq!(got[0]["port_range"], "22");
    let truth = s.firewall("onetsolutions", &id).unwrap();
    assert_eq!(
        (
            truth[0].action.as_str(),
            truth[1].action.as_str(),
            truth[1].port_range.clone()
        ),
        ("allow", "deny", None)
    );
}

#[test]
fn console_session_after_get_vnc_url() {
    let mut s = sim(0.0);
    let id = running(&mut s, T0);
    let base = format!("/compute/instances/{id}");
    let r = on(&mut s, "POST", &format!("{base}/console"), "", T0);
    assert_eq!(r.status, 202);
    let tid = json(&r)["id"].as_str().unwrap().to_string();
    assert_eq!(json(&r)["task_type"], "get_vnc_url");
    let end = s.scheduled_finish("onetsolutions", &id).unwrap();
    let done = json(&on(
        &mut s,
        "GET",
        &format!("/compute/tasks/{tid}"),
        "",
        end,
    ));
    let sid = done["result"]["session_id"].as_str().unwrap().to_string();
    let c = json(&on(
        &mut s,
        "GET",
        &format!("{base}/console/{sid}"),
        "",
        end,
    ));
    assert_eq!(c["id"], sid.as_str());
    assert!(c["url"].as_str().unwrap().starts_with("https://"));
    assert!(c["expires_at"].is_string());
    let truth = s.consoles("onetsolutions", &id);
    assert_eq!(truth.len(), 1);
    assert_eq!(
        (truth[0].session_id.as_str(), truth[0].url.as_str()),
        (sid.as_str(), c["url"].as_str().unwrap())
    );
    assert!(truth[0].expires_at_ms > end);
    assert_eq!(
        on(&mut s, "GET", &format!("{base}/console/nope"), "", end).status,
        404
    );
    // a stopped instance has no console; sync works on any
    let stopped = instances(&mut s, end)
        .into_iter()
        .find(|i| i["status"] == "stopped")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        on(
            &mut s,
            "POST",
            &format!("/compute/instances/{stopped}/console"),
            "",
            end
        )
        .status,
        400
    );
    let (done, _) = task(
        &mut s,
        "POST",
        &format!("/compute/instances/{stopped}/sync"),
        "",
        end,
    );
    assert_eq!(done["task_type"], "sync_vps_state");
}

#[test]
fn a_colleagues_task_is_pending_on_the_instance_and_names_them() {
    let mut s = sim(0.0);
    let id = running(&mut s, T0);
    let url = format!("{ON}/compute/instances/{id}/reboot");
    let r = send(&mut s, Request::post(&url, "").bearer(COLLEAGUE_TOKEN), T0);
    assert_eq!(r.status, 202);
    assert_eq!(json(&r)["created_by"]["email"], "colleague@vigil.test");
    let inst = json(&on(
        &mut s,
        "GET",
        &format!("/compute/instances/{id}"),
        "",
        T0 + SEC,
    ));
    assert_eq!(inst["status"], "pending");
    let feed = json(&on(
        &mut s,
        "GET",
        "/compute/tasks?ordering=-created&page_size=5",
        "",
        T0 + SEC,
    ));
    let first = &feed["results"][0];
    assert_eq!(
        (
            first["task_type"].as_str(),
            first["created_by"]["first_name"].as_str()
        ),
        (Some("reboot_vps"), Some("Casey"))
    );
    let other = running(&mut s, T0 + 2 * MIN);
    let mine = on(
        &mut s,
        "POST",
        &format!("/compute/instances/{other}/console"),
        "",
        T0 + 2 * MIN,
    );
    assert_eq!(json(&mine)["created_by"]["email"], vigil_sim::DEMO_EMAIL);
}

#[test]
fn the_lag_fault_shows_a_volume_change_after_its_task_completed() {
    let faults = Faults {
        lag_ms: 20_000,
        ..Faults::default()
    };
    let mut s = Sim::with_faults(scenario(42, 12, 0.0), T0, faults);
    let id = running(&mut s, T0);
    let url = format!("/compute/instances/{id}/volumes");
    let r = on(&mut s, "POST", &url, r#"{"size_gb":10}"#, T0);
    let tid = json(&r)["id"].as_str().unwrap().to_string();
    let landed = s.scheduled_finish("onetsolutions", &id).unwrap();
    let reported = landed - 20_000;
    let t = json(&on(
        &mut s,
        "GET",
        &format!("/compute/tasks/{tid}"),
        "",
        reported,
    ));
    assert_eq!(t["status"], "completed");
    let list = json(&on(&mut s, "GET", &url, "", reported))["results"].clone();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["status"] == "creating"));
    let list = json(&on(&mut s, "GET", &url, "", landed))["results"].clone();
    assert!(!list
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["status"] == "creating"));
}
