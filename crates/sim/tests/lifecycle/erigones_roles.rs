//! Erigones: the VM owner's role, the catalogues, every VM's `ips`.

use super::erigones::{owner, result};
use crate::common::*;
use serde_json::{json as j, Value};
use vigil_sim::{Request, Response};

#[test]
fn a_vm_owner_sees_its_own_vms_and_gets_403_for_admin_calls() {
    let mut s = sim(0.0);
    let all = result(&er(&mut s, "GET", "/vm/status/", "", T0))
        .as_array()
        .unwrap()
        .len();
    let r = owner(&mut s, "GET", "/vm/status/", "", T0);
    assert_eq!((r.status, r.header("es_username")), (200, Some("owner")));
    let mine = result(&r).as_array().unwrap().clone();
    assert!(
        !mine.is_empty() && mine.len() < all,
        "{} of {all}",
        mine.len()
    );
    let own = mine
        .iter()
        .find(|v| v["status"] == "notcreated")
        .expect("the owner's undeployed VM");
    let h = own["hostname"].as_str().unwrap();
    let forbidden = |r: &Response| {
        r.status == 403 && json(r)["detail"] == "You do not have permission to perform this action."
    };
    for (method, path, body) in [
        (
            "POST",
            "/vm/mine.cust.vigil.test/define/".to_string(),
            r#"{"vcpus": 1, "ram": 512}"#,
        ),
        (
            "POST",
            format!("/vm/{h}/define/disk/2/"),
            r#"{"size": 1024}"#,
        ),
        (
            "POST",
            format!("/vm/{h}/define/nic/2/"),
            r#"{"net": "lan"}"#,
        ),
        ("POST", format!("/vm/{h}/"), "{}"),
        ("DELETE", format!("/vm/{h}/define/"), ""),
        ("GET", "/template/?full=true".into(), ""),
        ("GET", "/image/".into(), ""),
        ("GET", "/network/?full=true".into(), ""),
    ] {
        let r = owner(&mut s, method, &path, body, T0);
        assert!(forbidden(&r), "{method} {path}: {} {}", r.status, r.body);
    }
    // what an owner may do: read its NICs, its DCs, and run its own VMs
    let nics = owner(&mut s, "GET", &format!("/vm/{h}/define/nic/"), "", T0);
    assert_eq!(nics.status, 200);
    assert!(result(&nics)[0]["ip"].is_string());
    let dcs = result(&owner(&mut s, "GET", "/dc/", "", T0));
    assert_eq!(dcs, j!(["main"]));
    if let Some(run) = mine.iter().find(|v| v["status"] == "running") {
        let r = owner(
            &mut s,
            "PUT",
            &format!("/vm/{}/status/stop/", run["hostname"].as_str().unwrap()),
            "{}",
            T0,
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // another user's VM does not exist for it
    let theirs = result(&er(&mut s, "GET", "/vm/", "", T0))
        .as_array()
        .unwrap()
        .iter()
        .find(|x| !mine.iter().any(|m| &m["hostname"] == *x))
        .unwrap()
        .clone();
    let r = owner(
        &mut s,
        "GET",
        &format!("/vm/{}/status/", theirs.as_str().unwrap()),
        "",
        T0,
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        owner(&mut s, "GET", "/vm/status/?dc=admin", "", T0).status,
        403
    );
    // the login flow gives the same role
    let r = send(
        &mut s,
        Request::post(
            &format!("{ER}/accounts/login/"),
            r#"{"username": "owner", "password": "owner"}"#,
        ),
        T0,
    );
    let token = json(&r)["token"].as_str().unwrap().to_string();
    let r = send(
        &mut s,
        Request::get(&format!("{ER}/image/"))
            .with_header("Authorization", &format!("Token {token}")),
        T0,
    );
    assert_eq!((r.status, r.header("es_username")), (403, Some("owner")));
}

#[test]
fn catalogues_full_and_names() {
    let mut s = sim(0.0);
    for (what, keys) in [
        (
            "template",
            &[
                "name",
                "alias",
                "ostype",
                "vm_define",
                "vm_define_disk",
                "vm_define_nic",
            ][..],
        ),
        (
            "image",
            &[
                "name", "uuid", "alias", "version", "ostype", "size", "status",
            ],
        ),
        (
            "network",
            &[
                "name", "uuid", "alias", "network", "netmask", "gateway", "vlan_id",
            ],
        ),
        ("dc", &["name", "alias", "site"]),
    ] {
        let names = result(&er(&mut s, "GET", &format!("/{what}/"), "", T0));
        let full = result(&er(&mut s, "GET", &format!("/{what}/?full=true"), "", T0));
        let full = full.as_array().unwrap();
        assert!(!full.is_empty());
        for (n, obj) in names.as_array().unwrap().iter().zip(full) {
            assert_eq!(n, &obj["name"]);
            for k in keys {
                assert!(obj.get(*k).is_some(), "{what}: {k} in {obj}");
            }
        }
    }
    let r = er(&mut s, "GET", "/image", "", T0);
    assert_eq!(r.status, 301, "APPEND_SLASH covers the catalogues too");
    let dcs = result(&er(&mut s, "GET", "/dc/", "", T0));
    assert_eq!(dcs, j!(["main", "admin"]));
    let r = er(&mut s, "GET", "/vm/status/?dc=admin", "", T0);
    assert_eq!((r.header("es_dc"), result(&r)), (Some("admin"), j!([])));
}

#[test]
fn every_vm_has_unique_ips_and_readable_nics() {
    let mut s = sim(0.0);
    let full = result(&er(&mut s, "GET", "/vm/?full=true", "", T0));
    let mut seen = std::collections::BTreeSet::new();
    for vm in full.as_array().unwrap() {
        let ips = vm["ips"].as_array().unwrap();
        assert!(!ips.is_empty(), "{vm}");
        for ip in ips {
            assert!(seen.insert(ip.as_str().unwrap().to_string()), "{ip}");
        }
        let h = vm["hostname"].as_str().unwrap();
        let nics = result(&er(&mut s, "GET", &format!("/vm/{h}/define/nic/"), "", T0));
        let nic_ips: Vec<Value> = nics
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["ip"].clone())
            .collect();
        assert_eq!(&nic_ips, ips);
        let fact = s.vm_fact("erigones", h).unwrap();
        assert_eq!(j!(fact.addresses), vm["ips"]);
    }
}
