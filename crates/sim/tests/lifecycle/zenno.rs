//! ZennoHosting: `POST /projects/{p}/vms`, `DELETE …/vms/{id}`, catalogues, `networks` / `publicIp`.

use crate::common::*;
use serde_json::{json as j, Value};
use vigil_sim::{Sim, VmState};

fn items(s: &mut Sim, path: &str) -> Vec<Value> {
    let r = zh(s, "GET", path, "", T0);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    json(&r)["items"].as_array().unwrap().clone()
}

fn vm(s: &mut Sim, p: &str, id: &str, now: u64) -> Value {
    let r = zh(s, "GET", &format!("/projects/{p}/vms/{id}"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)
}

/// A create body for the image and tariff at these catalogue positions.
fn body(s: &mut Sim, name: &str, image: usize, tariff: usize) -> Value {
    let image = items(s, "/images")[image]["id"].clone();
    let tariff = items(s, "/vm-tariffs")[tariff]["id"].clone();
    j!({"name": name, "imageId": image, "tariffId": tariff})
}

/// POST the create, find the new VM by name (the sheet's join key), and re-read it until its
/// create is terminal; returns (vm id, the VM then, when).
fn create_to_end(s: &mut Sim, p: &str, body: &Value) -> (String, Value, u64) {
    let r = zh(
        s,
        "POST",
        &format!("/projects/{p}/vms"),
        &body.to_string(),
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(json(&r).as_object().unwrap().len(), 1, "only a commandId");
    let list = items(s, &format!("/projects/{p}/vms"));
    let new = list
        .iter()
        .rev()
        .find(|v| v["name"] == body["name"])
        .unwrap();
    assert_eq!(new["operation"], "create");
    let id = new["id"].as_str().unwrap().to_string();
    for t in (T0..T0 + 5 * MIN).step_by(2_000) {
        let v = vm(s, p, &id, t);
        if ["succeeded", "failed"].contains(&v["operationStatus"].as_str().unwrap()) {
            return (id, v, t);
        }
    }
    panic!("create of {id} never ended");
}

#[test]
fn create_runs_to_a_booted_vm_with_its_addresses() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let mut b = body(&mut s, "app-01", 0, 2);
    b["publicIpMode"] = "new".into();
    b["sshKeyIds"] = j!([items(&mut s, &format!("/projects/{p}/ssh-keys"))[0]["id"]]);
    b["sshPublicKeys"] = j!(["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ6x0example me@laptop"]);
    b["plugins"] = j!(["monitoring"]);
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms"),
        &b.to_string(),
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let v = items(&mut s, &format!("/projects/{p}/vms")).pop().unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!((&v["networks"], &v["publicIp"]), (&j!([]), &Value::Null));
    assert_eq!(
        s.vm_fact("zennohosting", &id).unwrap().state,
        VmState::Creating
    );
    let mut t = T0;
    let done = loop {
        let v = vm(&mut s, &p, &id, t);
        if v["operationStatus"] == "succeeded" {
            break v;
        }
        assert_eq!(v["operation"], "create");
        t += 2_000;
        assert!(t < T0 + 3 * MIN, "create too slow");
    };
    assert!(t >= T0 + 60 * SEC, "create too fast: {} ms", t - T0);
    assert_eq!(
        (&done["bootStatus"], &done["state"]),
        (&"booted".into(), &"running".into())
    );
    let net = &done["networks"][0];
    assert!(
        net["networkId"].is_string() && net["internalIp"].as_str().unwrap().starts_with("10.32.")
    );
    let ip = done["publicIp"]["address"].as_str().unwrap();
    let fact = s.vm_fact("zennohosting", &id).unwrap();
    assert_eq!(fact.state, VmState::Running);
    assert_eq!(fact.addresses, [ip, net["internalIp"].as_str().unwrap()]);
    let c = s.latest_action("zennohosting", &id).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.task_status),
        ("create", true, "succeeded")
    );
    assert!(c.finished_by(t) && !c.finished_by(t - 2_000));
    // the new public IP is a project resource attached to it
    let pips = items(&mut s, &format!("/projects/{p}/public-ips"));
    assert!(pips
        .iter()
        .any(|x| x["address"] == ip && x["vmId"] == id.as_str()));
    // and the VM behaves like every other
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/reboot"),
        "",
        t,
    );
    assert_eq!(r.status, 202);
}

#[test]
fn public_ip_modes_existing_and_none() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let pips = items(&mut s, &format!("/projects/{p}/public-ips"));
    let free = pips.iter().find(|x| x["vmId"].is_null()).unwrap().clone();
    let used = pips.iter().find(|x| x["vmId"].is_string()).unwrap().clone();
    let mut b = body(&mut s, "with-ip", 1, 1);
    b["publicIpMode"] = "existing".into();
    b["publicIpId"] = used["id"].clone();
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms"),
        &b.to_string(),
        T0,
    );
    assert_eq!(r.status, 422);
    assert!(
        json(&r)["message"].as_str().unwrap().contains("in use"),
        "{}",
        r.body
    );
    b["publicIpId"] = free["id"].clone();
    let (_, v, _) = create_to_end(&mut s, &p, &b);
    assert_eq!(
        v["publicIp"],
        j!({"id": free["id"], "address": free["address"]})
    );
    let b = body(&mut s, "no-ip", 1, 1);
    let (_, v, _) = create_to_end(&mut s, &p, &b);
    assert!(v["publicIp"].is_null() && v["networks"].as_array().unwrap().len() == 1);
}

#[test]
fn configuration_sizes_the_vm_and_must_belong_to_the_tariff() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let conf = items(&mut s, "/configurations")[0].clone();
    let tariffs = items(&mut s, "/vm-tariffs");
    let mut b = body(&mut s, "big-disk", 0, 0);
    b["tariffId"] = conf["tariffId"].clone();
    b["configurationId"] = conf["id"].clone();
    let (_, v, _) = create_to_end(&mut s, &p, &b);
    assert_eq!(
        (&v["cpu"], &v["ramGb"], &v["diskGb"]),
        (&conf["cpu"], &conf["ramGb"], &conf["diskGb"])
    );
    let other = tariffs
        .iter()
        .find(|t| t["id"] != conf["tariffId"])
        .unwrap();
    b["tariffId"] = other["id"].clone();
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms"),
        &b.to_string(),
        T0,
    );
    assert_eq!(r.status, 422);
    assert!(json(&r)["message"]
        .as_str()
        .unwrap()
        .contains("another tariff"));
}

#[test]
fn create_refusals_name_the_field() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let ok = body(&mut s, "ok-1", 0, 0);
    let windows = items(&mut s, "/images")
        .into_iter()
        .find(|i| i["osFamily"] == "windows")
        .unwrap();
    let cases: Vec<(Value, &str)> = vec![
        (
            j!({"imageId": "nope", "tariffId": ok["tariffId"], "name": "x"}),
            "imageId",
        ),
        (
            j!({"imageId": ok["imageId"], "tariffId": "nope", "name": "x"}),
            "tariffId",
        ),
        (
            j!({"imageId": ok["imageId"], "tariffId": ok["tariffId"], "name": "x", "configurationId": "nope"}),
            "configurationId",
        ),
        (
            j!({"imageId": ok["imageId"], "tariffId": ok["tariffId"], "name": "x", "sshKeyIds": ["nope"]}),
            "sshKeyIds",
        ),
        (
            j!({"imageId": ok["imageId"], "tariffId": ok["tariffId"], "name": "x", "sshPublicKeys": ["hello"]}),
            "sshPublicKeys",
        ),
        (
            j!({"imageId": ok["imageId"], "tariffId": ok["tariffId"], "name": "x", "publicIpMode": "maybe"}),
            "publicIpMode",
        ),
        (
            j!({"imageId": ok["imageId"], "tariffId": ok["tariffId"], "name": "x", "publicIpMode": "existing"}),
            "publicIpId",
        ),
        (
            j!({"imageId": ok["imageId"], "tariffId": ok["tariffId"], "name": "x", "publicIpMode": "existing", "publicIpId": "nope"}),
            "publicIpId",
        ),
        (
            j!({"imageId": windows["id"], "tariffId": ok["tariffId"], "name": "x"}),
            "40 GB",
        ),
    ];
    for (b, says) in cases {
        let r = zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms"),
            &b.to_string(),
            T0,
        );
        assert_eq!(r.status, 422, "{b}");
        assert!(
            json(&r)["message"].as_str().unwrap().contains(says),
            "{b}: {}",
            r.body
        );
    }
    assert_eq!(items(&mut s, &format!("/projects/{p}/vms")).len(), 12);
}

#[test]
fn a_name_used_twice_is_accepted_the_console_must_refuse_it() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let b = body(&mut s, "web-01", 0, 1);
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms"),
        &b.to_string(),
        T0,
    );
    assert_eq!(r.status, 202);
    let named = items(&mut s, &format!("/projects/{p}/vms"))
        .into_iter()
        .filter(|v| v["name"] == "web-01")
        .count();
    assert_eq!(named, 2);
}

#[test]
fn delete_shows_operation_delete_until_gone() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let v = items(&mut s, &format!("/projects/{p}/vms"))
        .into_iter()
        .find(|v| v["state"] == "running" && v["publicIp"].is_object())
        .unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let r = zh(&mut s, "DELETE", &format!("/projects/{p}/vms/{id}"), "", T0);
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(json(&r)["commandId"].is_string());
    let again = zh(
        &mut s,
        "DELETE",
        &format!("/projects/{p}/vms/{id}"),
        "",
        T0 + SEC,
    );
    assert_eq!(
        (again.status, json(&again)["error"].as_str()),
        (409, Some("operation_in_progress"))
    );
    let mut t = T0;
    let mut seen = Vec::new();
    loop {
        let r = zh(&mut s, "GET", &format!("/projects/{p}/vms/{id}"), "", t);
        if r.status == 404 {
            break;
        }
        let v = json(&r);
        assert_eq!(v["operation"], "delete");
        seen.push((
            v["operationStatus"].as_str().unwrap().to_string(),
            v["bootStatus"].as_str().unwrap().to_string(),
        ));
        if t == T0 + 5 * SEC {
            assert_eq!(
                s.vm_fact("zennohosting", &id).unwrap().state,
                VmState::Deleting
            );
        }
        t += 1_000;
        assert!(t < T0 + MIN, "delete too slow");
    }
    assert!(
        seen.contains(&("in_progress".into(), "stopping".into())),
        "{seen:?}"
    );
    assert!(items(&mut s, &format!("/projects/{p}/vms"))
        .iter()
        .all(|x| x["id"] != id.as_str()));
    let pips = items(&mut s, &format!("/projects/{p}/public-ips"));
    let ip = pips
        .iter()
        .find(|x| x["id"] == v["publicIp"]["id"])
        .unwrap();
    assert!(ip["vmId"].is_null(), "the public IP stays, free: {ip}");
    assert_eq!(s.vm_fact("zennohosting", &id).unwrap().state, VmState::Gone);
    let c = s.latest_action("zennohosting", &id).unwrap();
    assert_eq!((c.action, c.succeeded), ("delete", true));
    assert!(c.finished_by(t) && !c.finished_by(t - 1_000));
    assert_eq!(
        zh(&mut s, "DELETE", &format!("/projects/{p}/vms/{id}"), "", t).status,
        404
    );
}

#[test]
fn failed_create_and_failed_delete_say_so_on_the_vm() {
    let mut s = Sim::new(scenario(42, 12, 1.0), T0);
    let p = zh_project(&mut s, T0);
    let b = body(&mut s, "doomed", 0, 1);
    let (id, v, t) = create_to_end(&mut s, &p, &b);
    assert_eq!(
        (&v["operationStatus"], &v["bootStatus"], &v["state"]),
        (&"failed".into(), &"failed".into(), &"stopped".into())
    );
    assert_eq!((&v["networks"], &v["publicIp"]), (&j!([]), &Value::Null));
    assert_eq!(
        s.vm_fact("zennohosting", &id).unwrap().state,
        VmState::Failed
    );
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/start"),
        "",
        t,
    );
    assert_eq!(
        (r.status, json(&r)["error"].as_str()),
        (409, Some("invalid_state"))
    );
    assert_eq!(
        zh(&mut s, "DELETE", &format!("/projects/{p}/vms/{id}"), "", t).status,
        202
    );
    let v = vm(&mut s, &p, &id, t + MIN);
    assert_eq!(
        (&v["operation"], &v["operationStatus"]),
        (&"delete".into(), &"failed".into())
    );
    assert_eq!(
        s.vm_fact("zennohosting", &id).unwrap().state,
        VmState::Failed
    );
    assert!(!s.latest_action("zennohosting", &id).unwrap().succeeded);
}

#[test]
fn catalogues_and_ssh_keys() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    for (path, keys) in [
        ("/images", &["id", "name", "osFamily", "minDiskGb"][..]),
        (
            "/vm-tariffs",
            &["id", "name", "cpu", "ramGb", "diskGb", "pricePerMonth"],
        ),
        (
            "/configurations",
            &["id", "name", "tariffId", "cpu", "ramGb", "diskGb"],
        ),
    ] {
        let list = items(&mut s, path);
        assert!(list.len() >= 3, "{path}");
        for x in &list {
            let mut k: Vec<&str> = x.as_object().unwrap().keys().map(String::as_str).collect();
            k.sort();
            let mut want = keys.to_vec();
            want.sort();
            assert_eq!(k, want, "{path}");
        }
    }
    let keys_path = format!("/projects/{p}/ssh-keys");
    assert_eq!(items(&mut s, &keys_path).len(), 2);
    let pk = r#"{"name": "new", "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxyzexample you@host"}"#;
    let r = zh(&mut s, "POST", &keys_path, pk, T0);
    assert_eq!(r.status, 201, "{}", r.body);
    let key = json(&r);
    assert!(key["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    assert_eq!(zh(&mut s, "POST", &keys_path, pk, T0).status, 409);
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &keys_path,
            r#"{"name": "x", "publicKey": "nope"}"#,
            T0
        )
        .status,
        422
    );
    let mut b = body(&mut s, "keyed", 0, 0);
    b["sshKeyIds"] = j!([key["id"]]);
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms"),
            &b.to_string(),
            T0
        )
        .status,
        202
    );
    // stable per seed
    let mut other = sim(0.0);
    assert_eq!(
        zh(&mut other, "GET", "/vm-tariffs", "", T0).body,
        zh(&mut s, "GET", "/vm-tariffs", "", T0).body
    );
}

#[test]
fn every_vm_shows_its_network_and_maybe_a_public_ip() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let mut seen = std::collections::BTreeSet::new();
    let list = items(&mut s, &format!("/projects/{p}/vms"));
    for v in &list {
        // the project network, and the seeded `backend` network for the first two VMs
        let nets = v["networks"].as_array().unwrap();
        assert!(!nets.is_empty() && nets.len() <= 2, "{v}");
        for n in nets {
            assert!(seen.insert(n["internalIp"].as_str().unwrap().to_string()));
        }
        match &v["publicIp"] {
            Value::Null => {}
            ip => assert!(seen.insert(ip["address"].as_str().unwrap().to_string())),
        }
    }
    assert!(
        list.iter().any(|v| v["publicIp"].is_null())
            && list.iter().any(|v| v["publicIp"].is_object())
    );
}
