//! Erigones: define → disk → NIC → deploy; undeploy → undefine; roles; catalogues; `ips`.

use crate::common::*;
use serde_json::{json as j, Value};
use vigil_sim::{Request, Response, Sim, VmState};

pub fn owner(s: &mut Sim, method: &str, path: &str, body: &str, now: u64) -> Response {
    send(
        s,
        Request::new(method, &format!("{ER}{path}"))
            .with_body(body)
            .with_header("ES-API-KEY", "owner-key"),
        now,
    )
}

pub fn result(r: &Response) -> Value {
    json(r)["result"].clone()
}

/// Follow a task to its end (`GET /task/{id}/status/` every 2 s); returns (state, when).
fn follow(s: &mut Sim, id: &str, from: u64) -> (String, u64) {
    let mut t = from;
    loop {
        let r = er(s, "GET", &format!("/task/{id}/status/"), "", t);
        let state = json(&r)["status"].as_str().unwrap().to_string();
        if !["PENDING", "STARTED"].contains(&state.as_str()) {
            return (state, t);
        }
        assert_eq!(r.status, 201);
        t += 2_000;
        assert!(t < from + 5 * MIN, "task {id} never ended");
    }
}

fn status(s: &mut Sim, h: &str, now: u64) -> String {
    let r = er(s, "GET", &format!("/vm/{h}/status/"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    result(&r)["status"].as_str().unwrap().to_string()
}

/// Define `h` with a disk and a public NIC; returns the NIC as defined.
fn define(s: &mut Sim, h: &str) -> Value {
    let r = er(
        s,
        "POST",
        &format!("/vm/{h}/define/"),
        r#"{"vcpus": 2, "ram": 2048, "alias": "app01"}"#,
        T0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(json(&r)["status"], "SUCCESS");
    assert_eq!(result(&r)["uuid"].as_str().unwrap().len(), 36);
    let r = er(
        s,
        "POST",
        &format!("/vm/{h}/define/disk/1/"),
        r#"{"image": "debian-12", "size": 20480}"#,
        T0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = er(
        s,
        "POST",
        &format!("/vm/{h}/define/nic/1/"),
        r#"{"net": "public"}"#,
        T0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    result(&r)
}

const H: &str = "app01.cust.vigil.test";

#[test]
fn define_disk_nic_deploy_runs_to_a_running_vm_with_its_ips() {
    let mut s = sim(0.0);
    let nic = define(&mut s, H);
    let ip = nic["ip"].as_str().unwrap().to_string();
    assert!(
        nic["mac"].is_string() && nic["netmask"] == "255.255.192.0" && nic["gateway"].is_string()
    );
    assert_eq!(status(&mut s, H, T0), "notcreated");
    assert_eq!(s.vm_fact("erigones", H).unwrap().state, VmState::NotCreated);
    let r = er(&mut s, "POST", &format!("/vm/{H}/"), "{}", T0 + SEC);
    assert_eq!(
        (r.status, json(&r)["status"].as_str()),
        (201, Some("PENDING")),
        "{}",
        r.body
    );
    let id = json(&r)["task_id"].as_str().unwrap().to_string();
    assert_eq!(status(&mut s, H, T0 + SEC), "deploying");
    let listed = result(&er(&mut s, "GET", "/vm/status/", "", T0 + 2 * SEC));
    let me = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["hostname"] == H)
        .unwrap()
        .clone();
    assert_eq!(me["tasks"][&id]["view"], "vm_manage");
    assert_eq!(s.vm_fact("erigones", H).unwrap().state, VmState::Creating);
    let (state, at) = follow(&mut s, &id, T0 + SEC);
    assert_eq!(state, "SUCCESS");
    assert!((60_000..=170_000).contains(&(at - T0)), "{} ms", at - T0);
    assert_eq!(status(&mut s, H, at), "running");
    let vm = result(&er(&mut s, "GET", &format!("/vm/{H}/"), "", at));
    for k in [
        "hostname",
        "uuid",
        "alias",
        "node",
        "owner",
        "status",
        "node_status",
        "vcpus",
        "ram",
        "disk",
        "ips",
        "uptime",
        "locked",
    ] {
        assert!(vm.get(k).is_some(), "{k} in {vm}");
    }
    assert_eq!(
        (&vm["ips"], &vm["vcpus"], &vm["ram"], &vm["disk"]),
        (&j!([ip]), &j!(2), &j!(2048), &j!(20480))
    );
    let full = result(&er(&mut s, "GET", "/vm/?full=true", "", at));
    assert!(full
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["hostname"] == H && v["ips"] == j!([ip])));
    let names = result(&er(&mut s, "GET", "/vm/", "", at));
    assert!(names.as_array().unwrap().contains(&j!(H)));
    let fact = s.vm_fact("erigones", H).unwrap();
    assert_eq!(
        (fact.state, fact.addresses.clone()),
        (VmState::Running, vec![ip])
    );
    let log: Vec<&str> = s
        .completions()
        .iter()
        .filter(|c| c.vm_id == H)
        .map(|c| c.action)
        .collect();
    assert_eq!(log, ["define", "define/disk", "define/nic", "create"]);
    let c = s.latest_action("erigones", H).unwrap();
    assert!(c.succeeded && c.task_status == "SUCCESS" && c.finished_by(at));
    // it behaves like every VM
    assert_eq!(
        er(&mut s, "PUT", &format!("/vm/{H}/status/reboot/"), "{}", at).status,
        201
    );
}

#[test]
fn a_failed_deploy_reverts_to_notcreated() {
    let mut s = Sim::new(scenario(42, 12, 1.0), T0);
    define(&mut s, H);
    let r = er(&mut s, "POST", &format!("/vm/{H}/"), "{}", T0);
    let id = json(&r)["task_id"].as_str().unwrap().to_string();
    let (state, at) = follow(&mut s, &id, T0);
    assert_eq!(state, "FAILURE");
    let r = er(&mut s, "GET", &format!("/task/{id}/status/"), "", at);
    assert_eq!(r.status, 400);
    assert!(result(&r)["detail"]
        .as_str()
        .unwrap()
        .contains("Failed to create VM"));
    assert_eq!(status(&mut s, H, at), "notcreated");
    assert_eq!(s.vm_fact("erigones", H).unwrap().state, VmState::NotCreated);
    let c = s.latest_action("erigones", H).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.task_status),
        ("create", false, "FAILURE")
    );
}

#[test]
fn undeploy_needs_a_stopped_vm_then_undefine_makes_it_404() {
    let mut s = sim(0.0);
    let vms = result(&er(&mut s, "GET", "/vm/status/", "", T0));
    let h = vms
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "running")
        .unwrap()["hostname"]
        .as_str()
        .unwrap()
        .to_string();
    let ips = result(&er(&mut s, "GET", &format!("/vm/{h}/"), "", T0))["ips"].clone();
    let r = er(&mut s, "DELETE", &format!("/vm/{h}/"), "", T0);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (423, Some("VM is not stopped"))
    );
    assert_eq!(
        er(&mut s, "DELETE", &format!("/vm/{h}/define/"), "", T0).status,
        423
    );
    let r = er(
        &mut s,
        "PUT",
        &format!("/vm/{h}/status/stop/"),
        r#"{"force": true}"#,
        T0,
    );
    let (state, t) = follow(&mut s, json(&r)["task_id"].as_str().unwrap(), T0);
    assert_eq!(
        (state.as_str(), status(&mut s, &h, t).as_str()),
        ("SUCCESS", "stopped")
    );
    let r = er(&mut s, "DELETE", &format!("/vm/{h}/"), "", t);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(status(&mut s, &h, t), "stopped-");
    assert_eq!(s.vm_fact("erigones", &h).unwrap().state, VmState::Deleting);
    let (state, t) = follow(&mut s, json(&r)["task_id"].as_str().unwrap(), t);
    assert_eq!(
        (state.as_str(), status(&mut s, &h, t).as_str()),
        ("SUCCESS", "notcreated")
    );
    let c = s.latest_action("erigones", &h).unwrap();
    assert_eq!((c.action, c.succeeded), ("delete", true));
    // the definition (and its addresses) stays until undefined
    assert_eq!(
        result(&er(&mut s, "GET", &format!("/vm/{h}/"), "", t))["ips"],
        ips
    );
    let r = er(&mut s, "DELETE", &format!("/vm/{h}/define/"), "", t);
    assert_eq!(
        (r.status, json(&r)["status"].as_str()),
        (200, Some("SUCCESS")),
        "{}",
        r.body
    );
    let r = er(&mut s, "GET", &format!("/vm/{h}/status/"), "", t);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (404, Some("VM not found"))
    );
    let listed = result(&er(&mut s, "GET", "/vm/status/", "", t));
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["hostname"] != h.as_str()));
    assert_eq!(
        er(&mut s, "DELETE", &format!("/vm/{h}/define/"), "", t).status,
        404
    );
    let fact = s.vm_fact("erigones", &h).unwrap();
    assert!(!fact.exists() && fact.addresses.is_empty());
    assert_eq!(s.latest_action("erigones", &h).unwrap().action, "undefine");
    // the hostname and an address are free again
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{h}/define/"),
        r#"{"vcpus": 1, "ram": 1024}"#,
        t,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let body = j!({"net": "public", "ip": ips[0]}).to_string();
    assert_eq!(
        er(&mut s, "POST", &format!("/vm/{h}/define/nic/1/"), &body, t).status,
        201
    );
}

#[test]
fn documented_refusals_406_423_424_428_409() {
    let mut s = sim(0.0);
    define(&mut s, H);
    let exists = er(
        &mut s,
        "POST",
        &format!("/vm/{H}/define/"),
        r#"{"vcpus": 1, "ram": 512}"#,
        T0,
    );
    assert_eq!(
        (exists.status, json(&exists)["detail"].as_str()),
        (406, Some("VM already exists"))
    );
    assert_eq!(
        er(
            &mut s,
            "POST",
            &format!("/vm/{H}/define/disk/1/"),
            r#"{"size": 1024}"#,
            T0
        )
        .status,
        406
    );
    assert_eq!(
        er(
            &mut s,
            "POST",
            &format!("/vm/{H}/define/disk/3/"),
            r#"{"size": 1024}"#,
            T0
        )
        .status,
        406
    );
    assert_eq!(
        er(
            &mut s,
            "POST",
            &format!("/vm/{H}/define/nic/7/"),
            r#"{"net": "lan"}"#,
            T0
        )
        .status,
        406
    );
    let running = result(&er(&mut s, "GET", "/vm/status/", "", T0))
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "running")
        .unwrap()["hostname"]
        .as_str()
        .unwrap()
        .to_string();
    let r = er(&mut s, "POST", &format!("/vm/{running}/"), "{}", T0);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (423, Some("VM is already created"))
    );
    for (h, def, disk, code, says) in [
        (
            "nodisk.cust.vigil.test",
            r#"{"vcpus": 1, "ram": 512}"#,
            None,
            428,
            "VM has no bootable disk",
        ),
        (
            "huge.cust.vigil.test",
            r#"{"vcpus": 128, "ram": 4096}"#,
            Some(r#"{"image": "debian-12"}"#),
            428,
            "Could not find node with free resources",
        ),
        (
            "bsd.cust.vigil.test",
            r#"{"vcpus": 1, "ram": 1024, "ostype": 3}"#,
            Some(r#"{"image": "freebsd-14"}"#),
            424,
            "Cannot import required image",
        ),
        (
            "zone.cust.vigil.test",
            r#"{"vcpus": 1, "ram": 1024, "ostype": 6, "owner": "owner"}"#,
            Some(r#"{"size": 10240}"#),
            428,
            "VM owner has no SSH keys available",
        ),
    ] {
        assert_eq!(
            er(&mut s, "POST", &format!("/vm/{h}/define/"), def, T0).status,
            201,
            "{h}"
        );
        if let Some(d) = disk {
            assert_eq!(
                er(&mut s, "POST", &format!("/vm/{h}/define/disk/1/"), d, T0).status,
                201,
                "{h}"
            );
        }
        let r = er(&mut s, "POST", &format!("/vm/{h}/"), "{}", T0);
        assert_eq!(
            (r.status, json(&r)["detail"].as_str()),
            (code, Some(says)),
            "{h}"
        );
    }
    // 409: a task pending on the VM (a status/current read asks the compute node)
    assert_eq!(
        er(&mut s, "GET", &format!("/vm/{H}/status/current/"), "", T0).status,
        201
    );
    let r = er(&mut s, "POST", &format!("/vm/{H}/"), "{}", T0);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (409, Some("VM has pending tasks"))
    );
}

#[test]
fn definitions_are_validated_field_by_field() {
    let mut s = sim(0.0);
    let r = er(
        &mut s,
        "POST",
        "/vm/x1.cust.vigil.test/define/",
        r#"{"vcpus": 2048, "template": "nope"}"#,
        T0,
    );
    assert_eq!(
        (r.status, json(&r)["status"].as_str()),
        (400, Some("FAILURE"))
    );
    let errors = result(&r);
    for k in ["vcpus", "ram", "template"] {
        assert!(errors[k].is_array(), "{k}: {errors}");
    }
    assert_eq!(
        er(
            &mut s,
            "POST",
            "/vm/-bad-/define/",
            r#"{"vcpus": 1, "ram": 512}"#,
            T0
        )
        .status,
        400
    );
    define(&mut s, H);
    let taken =
        result(&er(&mut s, "GET", &format!("/vm/{H}/define/nic/"), "", T0))[0]["ip"].clone();
    for (body, field) in [
        (j!({"net": "nope"}), "net"),
        (j!({"net": "lan", "ip": "192.168.1.5"}), "ip"),
        (j!({"net": "public", "ip": taken}), "ip"),
        (j!({"net": "lan", "model": "token-ring"}), "model"),
    ] {
        let r = er(
            &mut s,
            "POST",
            &format!("/vm/{H}/define/nic/2/"),
            &body.to_string(),
            T0,
        );
        assert_eq!(r.status, 400, "{body}");
        assert!(result(&r)[field].is_array(), "{body}: {}", r.body);
    }
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{H}/define/nic/2/"),
        r#"{"net": "lan", "ip": "10.48.77.7"}"#,
        T0,
    );
    assert_eq!(
        (r.status, result(&r)["ip"].as_str()),
        (201, Some("10.48.77.7"))
    );
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{H}/define/disk/2/"),
        r#"{"image": "win2022", "size": 1024}"#,
        T0,
    );
    assert!(result(&r)["size"].is_array(), "{}", r.body);
}

#[test]
fn a_template_fills_in_the_definition() {
    let mut s = sim(0.0);
    let h = "web9.cust.vigil.test";
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{h}/define/"),
        r#"{"template": "web-linux"}"#,
        T0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        (result(&r)["vcpus"].as_u64(), result(&r)["ram"].as_u64()),
        (Some(2), Some(4096))
    );
    let disk = result(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/define/disk/1/"),
        "{}",
        T0,
    ));
    assert_eq!(
        (disk["image"].as_str(), disk["size"].as_u64()),
        (Some("debian-12"), Some(40960))
    );
    let n1 = result(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/define/nic/1/"),
        "",
        T0,
    ));
    let n2 = result(&er(
        &mut s,
        "POST",
        &format!("/vm/{h}/define/nic/2/"),
        "",
        T0,
    ));
    assert_eq!(
        (n1["net"].as_str(), n2["net"].as_str()),
        (Some("public"), Some("lan"))
    );
    assert!(n2["ip"].as_str().unwrap().starts_with("10.48."));
}

#[test]
fn recreate_redeploys_a_stopped_vm_after_are_you_sure() {
    let mut s = sim(0.0);
    let vms = result(&er(&mut s, "GET", "/vm/status/", "", T0));
    let h = vms
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "stopped")
        .unwrap()["hostname"]
        .as_str()
        .unwrap()
        .to_string();
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{h}/"),
        r#"{"recreate": true}"#,
        T0,
    );
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (417, Some("Are you sure?"))
    );
    let r = er(
        &mut s,
        "POST",
        &format!("/vm/{h}/"),
        r#"{"recreate": true, "force": true}"#,
        T0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(status(&mut s, &h, T0), "deploying");
    let (state, t) = follow(&mut s, json(&r)["task_id"].as_str().unwrap(), T0);
    assert_eq!(
        (state.as_str(), status(&mut s, &h, t).as_str()),
        ("SUCCESS", "running")
    );
    assert_eq!(s.latest_action("erigones", &h).unwrap().action, "recreate");
}
