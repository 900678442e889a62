//! cloudsfor: `POST /vms`, `DELETE /vms/{id}`, `rebuild`, catalogues, `networks.v4`.

use crate::common::*;
use crate::iso_ms;
use serde_json::Value;
use vigil_sim::{Request, Sim, VmState};

const CREATE: &str = r#"{"name": "app-01", "region": "amsterdam_01", "size": "s-2vcpu-4gb", "image": "Debian", "backups": true}"#;

fn delete(s: &mut Sim, id: &str, now: u64) -> vigil_sim::Response {
    send(
        s,
        Request::new("DELETE", &format!("{CF}/vms/{id}")).basic("demo@vigil.test", "demo"),
        now,
    )
}

/// Create `body`, follow the VM's `create` action until it is no longer in progress, and
/// return (vm id, the action, the VM then).
fn create_to_end(s: &mut Sim, body: &str) -> (String, Value, Value) {
    let r = cf_post(s, "/vms", body, T0);
    assert_eq!(r.status, 202, "{}", r.body);
    let id = json(&r)["vm"]["id"].as_str().unwrap().to_string();
    for t in (T0..T0 + 5 * MIN).step_by(5_000) {
        let a = cf_last_action(s, &id, t);
        if a["status"] != "in-progress" {
            let r = cf_get(s, &format!("/vms/{id}"), t);
            assert_eq!(r.status, 200, "{}", r.body);
            return (id, a, json(&r)["vm"].clone());
        }
    }
    panic!("create of {id} never ended");
}

#[test]
fn create_answers_202_with_a_new_locked_vm_and_a_create_action() {
    let mut s = sim(0.0);
    let before = cf_vms(&mut s, T0).len();
    let r = cf_post(&mut s, "/vms", CREATE, T0);
    assert_eq!(r.status, 202, "{}", r.body);
    let b = json(&r);
    let vm = &b["vm"];
    let id = vm["id"].as_str().unwrap();
    assert_eq!(
        (&vm["status"], &vm["locked"], &vm["name"]),
        (&"new".into(), &true.into(), &"app-01".into())
    );
    assert_eq!(
        (
            vm["vcpus"].as_u64(),
            vm["memory"].as_u64(),
            vm["disk"].as_u64()
        ),
        (Some(2), Some(4), Some(80))
    );
    assert_eq!(vm["image"]["distro"], "Debian");
    assert_eq!(vm["region"]["slug"], "amsterdam_01");
    assert_eq!(vm["networks"]["v4"].as_array().unwrap().len(), 0);
    assert!(vm["features"]
        .as_array()
        .unwrap()
        .contains(&"backups".into()));
    let link = &b["links"]["actions"][0];
    assert_eq!((&link["id"], &link["rel"]), (&vm["id"], &"create".into()));
    assert!(link["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/vms/{id}/actions")));
    // listed at once, and its action list holds the create
    assert_eq!(cf_vms(&mut s, T0).len(), before + 1);
    assert_eq!(cf_vm(&mut s, id, T0)["status"], "new");
    let a = cf_last_action(&mut s, id, T0 + SEC);
    assert_eq!(
        (&a["type"], &a["status"], &a["id"]),
        (&"create".into(), &"in-progress".into(), &vm["id"])
    );
    // locked: no action meanwhile
    assert_eq!(
        cf_act(&mut s, id, r#"{"type":"power_off"}"#, T0 + SEC).status,
        422
    );
    assert_eq!(s.vm_fact("cloudsfor", id).unwrap().state, VmState::Creating);
}

#[test]
fn create_runs_to_a_running_vm_with_addresses_and_the_truth_agrees() {
    let mut s = sim(0.0);
    let (id, a, vm) = create_to_end(&mut s, CREATE);
    assert_eq!(a["status"], "completed");
    assert_eq!(
        (&vm["status"], &vm["locked"]),
        (&"running".into(), &false.into())
    );
    let v4 = vm["networks"]["v4"].as_array().unwrap();
    let kinds: Vec<&str> = v4.iter().map(|n| n["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["public", "private"]);
    assert!(v4[0]["gateway"].is_string() && v4[1]["gateway"].is_null());
    // ~100 s median, spread x0.6..x1.6
    let took =
        iso_ms(a["completed_at"].as_str().unwrap()) - iso_ms(a["started_at"].as_str().unwrap());
    assert!((60_000..=160_000).contains(&took), "{took}");
    let fact = s.vm_fact("cloudsfor", &id).unwrap();
    assert!(fact.is_running());
    let shown: Vec<&str> = v4
        .iter()
        .map(|n| n["ip_address"].as_str().unwrap())
        .collect();
    assert_eq!(fact.addresses, shown);
    let c = s.latest_action("cloudsfor", &id).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.task_status),
        ("create", true, "completed")
    );
    let finished = c.finished_at_ms.unwrap() - T0;
    assert!(finished / 1000 == took / 1000, "{finished} vs {took}");
    // then it behaves like every VM
    assert_eq!(
        cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0 + 4 * MIN).status,
        201
    );
}

#[test]
fn a_failed_create_leaves_a_new_vm_that_can_only_be_deleted() {
    let mut s = sim(1.0);
    let (id, a, vm) = create_to_end(&mut s, CREATE);
    assert_eq!(a["status"], "errored");
    assert_eq!(
        (&vm["status"], &vm["locked"]),
        (&"new".into(), &false.into())
    );
    assert_eq!(vm["networks"]["v4"].as_array().unwrap().len(), 0);
    let r = cf_act(&mut s, &id, r#"{"type":"power_on"}"#, T0 + 5 * MIN);
    assert_eq!(r.status, 422);
    assert!(json(&r)["message"].as_str().unwrap().contains("destroyed"));
    let fact = s.vm_fact("cloudsfor", &id).unwrap();
    assert_eq!((fact.state, fact.addresses.len()), (VmState::Failed, 0));
    assert!(!s.latest_action("cloudsfor", &id).unwrap().succeeded);
    assert_eq!(delete(&mut s, &id, T0 + 5 * MIN).status, 204);
    assert_eq!(s.vm_fact("cloudsfor", &id).unwrap().state, VmState::Gone);
}

#[test]
fn delete_is_204_then_404_and_absent() {
    let mut s = sim(0.0);
    let vm = cf_pick(&mut s, "running", T0);
    let id = vm["id"].as_str().unwrap().to_string();
    let r = delete(&mut s, &id, T0);
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    let r = cf_get(&mut s, &format!("/vms/{id}"), T0);
    assert_eq!(
        (r.status, json(&r)["id"].as_str()),
        (404, Some("not_found"))
    );
    assert!(cf_vms(&mut s, T0).iter().all(|v| v["id"] != id.as_str()));
    assert_eq!(json(&cf_get(&mut s, "/vms", T0))["meta"]["total"], 11);
    let again = delete(&mut s, &id, T0 + SEC);
    assert_eq!(
        (again.status, json(&again)["id"].as_str()),
        (404, Some("not_found"))
    );
    assert_eq!(
        cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0 + SEC).status,
        404
    );
    let fact = s.vm_fact("cloudsfor", &id).unwrap();
    assert!(!fact.exists() && fact.addresses.is_empty());
    let c = s.latest_action("cloudsfor", &id).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.finished_at_ms),
        ("delete", true, Some(T0))
    );
}

#[test]
fn delete_while_an_action_runs_is_refused_as_locked() {
    let mut s = sim(0.0);
    let id = cf_pick(&mut s, "running", T0)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(cf_act(&mut s, &id, r#"{"type":"reboot"}"#, T0).status, 201);
    let r = delete(&mut s, &id, T0 + SEC);
    assert_eq!(r.status, 422);
    assert!(json(&r)["message"].as_str().unwrap().contains("locked"));
    assert_eq!(delete(&mut s, &id, T0 + MIN).status, 204);
}

#[test]
fn create_refusals_name_the_bad_value() {
    let mut s = sim(0.0);
    let key = json(&cf_get(&mut s, "/keys", T0))["ssh_keys"][0]["id"].clone();
    let ok = format!(
        r#"{{"name": "k-1", "region": "moscow_01", "size": "s-1vcpu-1gb", "image": 112929454, "ssh_keys": [{key}]}}"#
    );
    for (body, says) in [
        (
            r#"{"region": "moscow_01", "size": "s-1vcpu-1gb", "image": "Debian"}"#,
            "name",
        ),
        (
            r#"{"name": "bad name", "region": "moscow_01", "size": "s-1vcpu-1gb", "image": "Debian"}"#,
            "name",
        ),
        (
            r#"{"name": "x", "region": "mars_01", "size": "s-1vcpu-1gb", "image": "Debian"}"#,
            "mars_01",
        ),
        (
            r#"{"name": "x", "region": "moscow_01", "size": "s-99", "image": "Debian"}"#,
            "s-99",
        ),
        (
            r#"{"name": "x", "region": "moscow_01", "size": "m-16vcpu-64gb", "image": "Debian"}"#,
            "not available",
        ),
        (
            r#"{"name": "x", "region": "frankfurt_01", "size": "s-8vcpu-16gb", "image": "Debian"}"#,
            "frankfurt_01",
        ),
        (
            r#"{"name": "x", "region": "moscow_01", "size": "s-1vcpu-1gb", "image": "TempleOS"}"#,
            "TempleOS",
        ),
        (
            r#"{"name": "x", "region": "moscow_01", "size": "s-1vcpu-1gb", "image": "Debian", "ssh_keys": [1]}"#,
            "ssh key 1",
        ),
        ("[]", "JSON object"),
    ] {
        let r = cf_post(&mut s, "/vms", body, T0);
        assert_eq!(r.status, 422, "{body}");
        let b = json(&r);
        assert_eq!(b["id"], "unprocessable_entity");
        assert!(b["message"].as_str().unwrap().contains(says), "{body}: {b}");
    }
    assert_eq!(cf_vms(&mut s, T0).len(), 12, "nothing was created");
    assert_eq!(cf_post(&mut s, "/vms", &ok, T0).status, 202);
}

#[test]
fn vm_limit_is_enforced() {
    let mut s = sim(0.0);
    let trial = |r: Request| r.basic("trial@vigil.test", "trial");
    let acc = json(&send(
        &mut s,
        trial(Request::get(&format!("{CF}/account"))),
        T0,
    ));
    assert_eq!(acc["account"]["vm_limit"], 3);
    let r = send(
        &mut s,
        trial(Request::post(&format!("{CF}/vms"), CREATE)),
        T0,
    );
    assert_eq!(r.status, 422);
    assert!(
        json(&r)["message"]
            .as_str()
            .unwrap()
            .contains("VM limit of 3"),
        "{}",
        r.body
    );
    // one deleted, one created
    let vms = json(&send(&mut s, trial(Request::get(&format!("{CF}/vms"))), T0));
    let id = vms["vms"][0]["id"].as_str().unwrap();
    let del = send(
        &mut s,
        trial(Request::new("DELETE", &format!("{CF}/vms/{id}"))),
        T0,
    );
    assert_eq!(del.status, 204);
    let r = send(
        &mut s,
        trial(Request::post(&format!("{CF}/vms"), CREATE)),
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    // the demo account does not see the trial account's VMs
    let r = cf_get(
        &mut s,
        &format!("/vms/{}", json(&r)["vm"]["id"].as_str().unwrap()),
        T0,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn catalogues_have_the_documented_shapes() {
    let mut s = sim(0.0);
    let regions = json(&cf_get(&mut s, "/regions", T0));
    assert_eq!(regions["meta"]["total"], 3);
    for r in regions["regions"].as_array().unwrap() {
        assert!(r["name"].is_string() && r["country"].is_string() && r["description"].is_string());
        assert!(r["coordinates"]["lat"].is_f64() && r["coordinates"]["lng"].is_f64());
    }
    let images = json(&cf_get(&mut s, "/images?type=distribution", T0));
    assert_eq!(images["meta"]["total"], 6);
    for i in images["images"].as_array().unwrap() {
        assert!(i["id"].is_u64() && i["distro"].is_string() && i["name"].is_string());
    }
    assert_eq!(
        json(&cf_get(&mut s, "/images?type=application", T0))["images"],
        serde_json::json!([])
    );
    assert_eq!(cf_get(&mut s, "/images?type=weird", T0).status, 422);
    let sizes = json(&cf_get(&mut s, "/sizes", T0));
    for z in sizes["sizes"].as_array().unwrap() {
        for k in [
            "slug",
            "vcpus",
            "memory",
            "disk",
            "price_monthly",
            "available",
            "regions",
        ] {
            assert!(z.get(k).is_some(), "{k} in {z}");
        }
    }
    let keys = json(&cf_get(&mut s, "/keys", T0));
    let keys = keys["ssh_keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    for k in keys {
        assert!(k["id"].is_u64() && k["name"].is_string());
        assert_eq!(k["fingerprint"].as_str().unwrap().len(), 47);
        assert!(k["public_key"]
            .as_str()
            .unwrap()
            .starts_with("ssh-ed25519 AAAA"));
    }
    // stable per seed
    let mut again = sim(0.0);
    assert_eq!(
        cf_get(&mut again, "/keys", T0).body,
        cf_get(&mut s, "/keys", T0).body
    );
    assert_eq!(cf_post(&mut s, "/sizes", "{}", T0).status, 405);
}

#[test]
fn every_vm_has_unique_public_and_private_v4() {
    let mut s = sim(0.0);
    let mut seen = std::collections::BTreeSet::new();
    let trial = json(&send(
        &mut s,
        Request::get(&format!("{CF}/vms")).basic("trial@vigil.test", "trial"),
        T0,
    ));
    let mut vms = cf_vms(&mut s, T0);
    vms.extend(trial["vms"].as_array().unwrap().iter().cloned());
    for vm in &vms {
        let v4 = vm["networks"]["v4"].as_array().unwrap();
        assert_eq!(v4.len(), 2, "{vm}");
        for n in v4 {
            assert!(
                seen.insert(n["ip_address"].as_str().unwrap().to_string()),
                "{n}"
            );
        }
        let fact = s.vm_fact("cloudsfor", vm["id"].as_str().unwrap()).unwrap();
        assert_eq!(
            fact.addresses[..2],
            [
                v4[0]["ip_address"].as_str().unwrap(),
                v4[1]["ip_address"].as_str().unwrap()
            ]
        );
    }
    assert_eq!(seen.len(), 2 * 15);
}

#[test]
fn rebuild_to_a_distro_or_a_snapshot() {
    let mut s = sim(0.0);
    let vm = cf_vms(&mut s, T0)
        .into_iter()
        .find(|v| !v["snapshot_ids"].as_array().unwrap().is_empty())
        .expect("a VM with snapshots");
    let id = vm["id"].as_str().unwrap().to_string();
    let r = cf_act(
        &mut s,
        &id,
        r#"{"type": "rebuild", "image": "AlmaLinux"}"#,
        T0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(json(&r)["action"]["type"], "rebuild");
    let a = cf_last_action(&mut s, &id, T0 + 2 * MIN);
    assert_eq!(a["status"], "completed");
    let after = cf_vm(&mut s, &id, T0 + 2 * MIN);
    assert_eq!(
        (&after["image"]["distro"], &after["status"]),
        (&"AlmaLinux".into(), &"running".into())
    );
    let snap = vm["snapshot_ids"][0].clone();
    let r = cf_act(
        &mut s,
        &id,
        &format!(r#"{{"type": "rebuild", "image": {snap}}}"#),
        T0 + 2 * MIN,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(cf_vm(&mut s, &id, T0 + 4 * MIN)["image"]["id"], snap);
    for bad in [
        r#"{"type": "rebuild"}"#,
        r#"{"type": "rebuild", "image": 42}"#,
    ] {
        assert_eq!(cf_act(&mut s, &id, bad, T0 + 4 * MIN).status, 422, "{bad}");
    }
}
