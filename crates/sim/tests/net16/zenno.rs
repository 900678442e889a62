//! ZennoHosting: networks, VM attach/update/detach, public IPs and port-forward rules.

use serde_json::Value;
use vigil_sim::{Faults, Request, ResState, Sim, COLLEAGUE_TOKEN};

use crate::common::*;

fn items(s: &mut Sim, path: &str, now: u64) -> Vec<Value> {
    let r = zh(s, "GET", path, "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["items"].as_array().unwrap().clone()
}

fn by_name(list: &[Value], name: &str) -> Value {
    list.iter().find(|n| n["name"] == name).cloned().unwrap()
}

#[test]
fn a_network_gets_its_cidr_once_active_and_is_deleted_when_empty() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let nets = items(&mut s, &format!("/projects/{p}/networks"), T0);
    assert_eq!(nets.len(), 2, "the project network and the seeded backend");
    assert!(nets
        .iter()
        .all(|n| n["status"] == "active" && n["cidr"].is_string()));
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/networks"),
        r#"{"name":"lab"}"#,
        T0,
    );
    assert_eq!(r.status, 202);
    let lab = by_name(
        &items(&mut s, &format!("/projects/{p}/networks"), T0),
        "lab",
    );
    assert_eq!(lab["status"], "creating");
    assert!(lab["cidr"].is_null());
    let id = lab["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.network("zennohosting", &id).unwrap().state,
        ResState::Creating
    );
    let t = T0 + 2 * MIN;
    let lab = json(&zh(
        &mut s,
        "GET",
        &format!("/projects/{p}/networks/{id}"),
        "",
        t,
    ));
    assert_eq!(lab["status"], "active");
    let cidr = lab["cidr"].as_str().unwrap();
    assert!(
        cidr.starts_with("10.") && cidr.ends_with(".0.0/16"),
        "{cidr}"
    );
    let fact = s.network("zennohosting", "lab").unwrap();
    assert_eq!(
        (fact.state, fact.cidr.as_deref()),
        (ResState::Ready, Some(cidr))
    );
    assert!(fact.attached.is_empty());
    let r = zh(
        &mut s,
        "DELETE",
        &format!("/projects/{p}/networks/{id}"),
        "",
        t,
    );
    assert_eq!(r.status, 202);
    assert_eq!(
        json(&zh(
            &mut s,
            "GET",
            &format!("/projects/{p}/networks/{id}"),
            "",
            t
        ))["status"],
        "deleting"
    );
    let t = t + MIN;
    assert_eq!(
        zh(
            &mut s,
            "GET",
            &format!("/projects/{p}/networks/{id}"),
            "",
            t
        )
        .status,
        404
    );
    assert_eq!(
        s.network("zennohosting", &id).unwrap().state,
        ResState::Gone
    );
}

#[test]
fn deleting_a_network_with_vms_attached_names_them() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let backend = by_name(
        &items(&mut s, &format!("/projects/{p}/networks"), T0),
        "backend",
    );
    let fact = s.network("zennohosting", "backend").unwrap();
    assert_eq!(fact.attached.len(), 2);
    let r = zh(
        &mut s,
        "DELETE",
        &format!("/projects/{p}/networks/{}", backend["id"].as_str().unwrap()),
        "",
        T0,
    );
    assert_eq!(r.status, 409);
    let body = json(&r);
    assert_eq!(body["error"], "network_in_use");
    let vms = items(&mut s, &format!("/projects/{p}/vms"), T0);
    for a in &fact.attached {
        let name = vms.iter().find(|v| v["id"] == a.vm_id.as_str()).unwrap()["name"]
            .as_str()
            .unwrap();
        assert!(body["message"].as_str().unwrap().contains(name), "{body}");
    }
}

#[test]
fn attach_update_and_detach_show_on_the_vm() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let vm = zh_vm_in(&mut s, &p, "running", T0);
    zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/networks"),
        r#"{"name":"lab"}"#,
        T0,
    );
    let t = T0 + 2 * MIN;
    let lab = by_name(&items(&mut s, &format!("/projects/{p}/networks"), t), "lab");
    let nid = lab["id"].as_str().unwrap().to_string();
    let vm_url = format!("/projects/{p}/vms/{vm}");
    // unknown network, then the real one
    let r = zh(
        &mut s,
        "POST",
        &format!("{vm_url}/networks"),
        r#"{"networkId":"nope"}"#,
        t,
    );
    assert_eq!(r.status, 422);
    let body = format!(r#"{{"networkId":"{nid}"}}"#);
    assert_eq!(
        zh(&mut s, "POST", &format!("{vm_url}/networks"), &body, t).status,
        202
    );
    let v = json(&zh(&mut s, "GET", &vm_url, "", t));
    assert_eq!(v["operation"], "attach_network");
    assert!(!v["networks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["networkId"] == nid.as_str()));
    assert_eq!(
        zh(&mut s, "POST", &format!("{vm_url}/networks"), &body, t).status,
        409
    );
    let t = t + MIN;
    let v = json(&zh(&mut s, "GET", &vm_url, "", t));
    assert_eq!(
        (v["operation"].as_str(), v["operationStatus"].as_str()),
        (Some("attach_network"), Some("succeeded"))
    );
    let entry = v["networks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["networkId"] == nid.as_str())
        .unwrap()
        .clone();
    let ip = entry["internalIp"].as_str().unwrap().to_string();
    let prefix = lab["cidr"]
        .as_str()
        .unwrap()
        .trim_end_matches("0.0/16")
        .to_string();
    assert!(ip.starts_with(&prefix), "{ip} in {prefix}");
    let fact = s.network("zennohosting", &nid).unwrap();
    assert_eq!(fact.attached.len(), 1);
    assert_eq!(
        (
            fact.attached[0].vm_id.as_str(),
            fact.attached[0].internal_ip.as_str()
        ),
        (vm.as_str(), ip.as_str())
    );
    assert_eq!(
        zh(&mut s, "POST", &format!("{vm_url}/networks"), &body, t).status,
        409
    );
    // update: a chosen address of the range
    let new_ip = format!("{prefix}9.9");
    let r = zh(
        &mut s,
        "PATCH",
        &format!("{vm_url}/networks/{nid}"),
        &format!(r#"{{"internalIp":"{new_ip}"}}"#),
        t,
    );
    assert_eq!(r.status, 202);
    let bad = zh(
        &mut s,
        "PATCH",
        &format!("{vm_url}/networks/{nid}"),
        r#"{"internalIp":"192.168.1.1"}"#,
        t + MIN,
    );
    assert_eq!(bad.status, 422);
    let t = t + MIN;
    assert_eq!(
        s.network("zennohosting", &nid).unwrap().attached[0].internal_ip,
        new_ip
    );
    // deleting it now is refused, then detach
    let r = zh(
        &mut s,
        "DELETE",
        &format!("/projects/{p}/networks/{nid}"),
        "",
        t,
    );
    assert_eq!(r.status, 409);
    assert_eq!(
        zh(&mut s, "DELETE", &format!("{vm_url}/networks/{nid}"), "", t).status,
        202
    );
    assert_eq!(
        json(&zh(&mut s, "GET", &vm_url, "", t))["operation"],
        "detach_network"
    );
    let t = t + MIN;
    let v = json(&zh(&mut s, "GET", &vm_url, "", t));
    assert!(!v["networks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["networkId"] == nid.as_str()));
    assert!(s.network("zennohosting", &nid).unwrap().attached.is_empty());
    assert_eq!(
        zh(&mut s, "DELETE", &format!("{vm_url}/networks/{nid}"), "", t).status,
        404
    );
    assert_eq!(
        zh(
            &mut s,
            "DELETE",
            &format!("/projects/{p}/networks/{nid}"),
            "",
            t
        )
        .status,
        202
    );
}

#[test]
fn public_ips_allocate_and_release() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let before = items(&mut s, &format!("/projects/{p}/public-ips"), T0);
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/public-ips"),
            "{}",
            T0
        )
        .status,
        202
    );
    let after = items(&mut s, &format!("/projects/{p}/public-ips"), T0);
    assert_eq!(after.len(), before.len() + 1);
    let new = after.last().unwrap().clone();
    assert_eq!(
        (new["status"].as_str(), new["address"].is_null()),
        (Some("pending"), true)
    );
    let id = new["id"].as_str().unwrap().to_string();
    let t = T0 + MIN;
    let new = json(&zh(
        &mut s,
        "GET",
        &format!("/projects/{p}/public-ips/{id}"),
        "",
        t,
    ));
    assert_eq!(new["status"], "active");
    let fact = s.public_ip("zennohosting", &id).unwrap();
    assert_eq!(fact.address.as_deref(), new["address"].as_str());
    assert_eq!(fact.state, ResState::Ready);
    // one held by a VM cannot be released
    let held = before.iter().find(|i| i["vmId"].is_string()).unwrap();
    let r = zh(
        &mut s,
        "DELETE",
        &format!("/projects/{p}/public-ips/{}", held["id"].as_str().unwrap()),
        "",
        t,
    );
    assert_eq!(
        (r.status, json(&r)["error"].as_str()),
        (409, Some("public_ip_in_use"))
    );
    assert_eq!(
        zh(
            &mut s,
            "DELETE",
            &format!("/projects/{p}/public-ips/{id}"),
            "",
            t
        )
        .status,
        202
    );
    assert_eq!(
        s.public_ip("zennohosting", &id).unwrap().state,
        ResState::Deleting
    );
    let t = t + MIN;
    assert_eq!(
        zh(
            &mut s,
            "GET",
            &format!("/projects/{p}/public-ips/{id}"),
            "",
            t
        )
        .status,
        404
    );
    assert_eq!(
        s.public_ip("zennohosting", &id).unwrap().state,
        ResState::Gone
    );
}

#[test]
fn port_forwards_create_update_delete_and_conflict() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let ips = items(&mut s, &format!("/projects/{p}/public-ips"), T0);
    let ip = ips.iter().find(|i| i["vmId"].is_null()).unwrap().clone();
    let ip_id = ip["id"].as_str().unwrap().to_string();
    let url = format!("/projects/{p}/public-ips/{ip_id}/port-forwards");
    let seeded = items(&mut s, &url, T0);
    assert_eq!(seeded.len(), 2);
    assert!(seeded.iter().all(|r| r["status"] == "active"));
    let vm = seeded[0]["vmId"].as_str().unwrap().to_string();
    // port 80/tcp is taken by the seeded rule
    let r = zh(
        &mut s,
        "POST",
        &url,
        &format!(r#"{{"protocol":"tcp","externalPort":80,"vmId":"{vm}","internalPort":8080}}"#),
        T0,
    );
    assert_eq!(r.status, 409);
    assert_eq!(json(&r)["error"], "port_in_use");
    assert!(json(&r)["message"].as_str().unwrap().contains("80/tcp"));
    // udp 80 is free; bad values are 422
    for bad in [
        r#"{"protocol":"icmp","externalPort":81,"internalPort":80,"vmId":"x"}"#,
        r#"{"protocol":"tcp","externalPort":0,"internalPort":80}"#,
    ] {
        assert_eq!(zh(&mut s, "POST", &url, bad, T0).status, 422, "{bad}");
    }
    let body =
        format!(r#"{{"protocol":"udp","externalPort":80,"vmId":"{vm}","internalPort":5353}}"#);
    assert_eq!(zh(&mut s, "POST", &url, &body, T0).status, 202);
    let rule = items(&mut s, &url, T0)
        .into_iter()
        .find(|r| r["protocol"] == "udp")
        .unwrap();
    assert_eq!(rule["status"], "pending");
    let rid = rule["id"].as_str().unwrap().to_string();
    let t = T0 + MIN;
    let rule = json(&zh(&mut s, "GET", &format!("{url}/{rid}"), "", t));
    assert_eq!(
        (
            rule["status"].as_str(),
            rule["externalPort"].as_u64(),
            rule["internalPort"].as_u64()
        ),
        (Some("active"), Some(80), Some(5353))
    );
    // update: pending with the old values, then active with the new ones
    assert_eq!(
        zh(
            &mut s,
            "PATCH",
            &format!("{url}/{rid}"),
            r#"{"externalPort":8053}"#,
            t
        )
        .status,
        202
    );
    let mid = json(&zh(&mut s, "GET", &format!("{url}/{rid}"), "", t));
    assert_eq!(
        (mid["status"].as_str(), mid["externalPort"].as_u64()),
        (Some("pending"), Some(80))
    );
    assert_eq!(
        zh(
            &mut s,
            "PATCH",
            &format!("{url}/{rid}"),
            r#"{"externalPort":8054}"#,
            t
        )
        .status,
        409
    );
    let fact = s.public_ip("zennohosting", &ip_id).unwrap();
    assert_eq!(
        fact.forwards.iter().find(|f| f.id == rid).unwrap().state,
        ResState::Changing
    );
    let t = t + MIN;
    let done = json(&zh(&mut s, "GET", &format!("{url}/{rid}"), "", t));
    assert_eq!(
        (done["status"].as_str(), done["externalPort"].as_u64()),
        (Some("active"), Some(8053))
    );
    let f = s
        .public_ip("zennohosting", &ip_id)
        .unwrap()
        .forwards
        .into_iter()
        .find(|f| f.id == rid)
        .unwrap();
    assert_eq!(
        (
            f.state,
            f.external_port,
            f.internal_port,
            f.protocol.as_str()
        ),
        (ResState::Ready, 8053, 5353, "udp")
    );
    // delete
    assert_eq!(
        zh(&mut s, "DELETE", &format!("{url}/{rid}"), "", t).status,
        202
    );
    assert_eq!(
        json(&zh(&mut s, "GET", &format!("{url}/{rid}"), "", t))["status"],
        "deleting"
    );
    let t = t + MIN;
    assert_eq!(
        zh(&mut s, "GET", &format!("{url}/{rid}"), "", t).status,
        404
    );
    let f = s
        .public_ip("zennohosting", &ip_id)
        .unwrap()
        .forwards
        .into_iter()
        .find(|f| f.id == rid)
        .unwrap();
    assert_eq!(f.state, ResState::Gone);
}

#[test]
fn the_lag_fault_shows_an_attach_after_the_operation_succeeded() {
    let faults = Faults {
        lag_ms: 30_000,
        ..Faults::default()
    };
    let mut s = Sim::with_faults(scenario(42, 12, 0.0), T0, faults);
    let p = zh_project(&mut s, T0);
    let vm = zh_vm_in(&mut s, &p, "running", T0);
    let lab = by_name(
        &items(&mut s, &format!("/projects/{p}/networks"), T0),
        "backend",
    );
    let nid = lab["id"].as_str().unwrap().to_string();
    let vm_url = format!("/projects/{p}/vms/{vm}");
    if json(&zh(&mut s, "GET", &vm_url, "", T0))["networks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["networkId"] == nid.as_str())
    {
        assert_eq!(
            zh(
                &mut s,
                "DELETE",
                &format!("{vm_url}/networks/{nid}"),
                "",
                T0
            )
            .status,
            202
        );
        s.handle(&Request::get("/nowhere"), T0 + 3 * MIN);
    }
    let t = T0 + 3 * MIN;
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("{vm_url}/networks"),
            &format!(r#"{{"networkId":"{nid}"}}"#),
            t
        )
        .status,
        202
    );
    let ends = s.scheduled_finish("zennohosting", &vm).unwrap();
    let reported = ends - 30_000;
    let v = json(&zh(&mut s, "GET", &vm_url, "", reported + 1));
    assert_eq!(v["operationStatus"], "succeeded");
    assert!(!v["networks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["networkId"] == nid.as_str()));
    let v = json(&zh(&mut s, "GET", &vm_url, "", ends));
    assert!(v["networks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["networkId"] == nid.as_str()));
}

#[test]
fn an_operation_started_by_a_colleague_shows_on_the_vm() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let vm = zh_vm_in(&mut s, &p, "running", T0);
    let url = format!("{ZH}/projects/{p}/vms/{vm}/reboot");
    let r = send(&mut s, Request::post(&url, "").bearer(COLLEAGUE_TOKEN), T0);
    assert_eq!(r.status, 202);
    let v = json(&zh(
        &mut s,
        "GET",
        &format!("/projects/{p}/vms/{vm}"),
        "",
        T0 + 5 * SEC,
    ));
    assert_eq!(
        (v["operation"].as_str(), v["operationStatus"].as_str()),
        (Some("reboot"), Some("in_progress"))
    );
    // the replay journal holds the colleague's write
    let mut j = Sim::replay(scenario(42, 12, 0.0), T0, &[]);
    let p2 = zh_project(&mut j, T0);
    send(
        &mut j,
        Request::post(&format!("{ZH}/projects/{p2}/networks"), r#"{"name":"x"}"#)
            .bearer(COLLEAGUE_TOKEN),
        T0,
    );
    assert_eq!(j.journal().len(), 1);
    let again = Sim::replay(scenario(42, 12, 0.0), T0, j.journal());
    assert_eq!(
        again.network("zennohosting", "x").unwrap().id,
        j.network("zennohosting", "x").unwrap().id
    );
}
