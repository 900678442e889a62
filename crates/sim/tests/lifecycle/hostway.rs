//! Hostway FlexCloud: `POST /servers` followed by its `Location`, `DELETE /servers/{id}`,
//! catalogues (flavors, images, zone, security groups), `addresses`.

use crate::common::*;
use serde_json::{json as j, Value};
use vigil_sim::{Request, Response, Sim, VmState};

fn get(s: &mut Sim, path: &str, now: u64) -> Value {
    let r = hw(s, "GET", path, "", now);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    json(&r)
}

/// GET an absolute or relative URL the simulator gave us, as given.
fn follow(s: &mut Sim, url: &str, now: u64) -> Response {
    send(s, Request::get(url).basic("demo@vigil.test", "demo"), now)
}

fn self_href(v: &Value) -> String {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A create body from the catalogues' own `self` hrefs (image `i`, flavor `f`, zone `z`).
fn body(s: &mut Sim, name: &str, i: usize, f: usize, z: usize) -> Value {
    let image = self_href(&get(s, "/images", T0)["images"][i]);
    let flavor = self_href(&get(s, "/flavors", T0)["flavors"][f]);
    let group = self_href(&get(s, "/os-security-groups", T0)["security_groups"][1]);
    let zone = get(s, "/zone", T0)["demo-account"][z]["zone"].clone();
    j!({"server": {"name": name, "imageRef": image, "flavorRef": flavor, "securityGroupRef": group, "zone": zone}})
}

#[test]
fn create_follows_location_build_0_50_100_to_active_with_addresses() {
    let mut s = sim(0.0);
    let b = body(&mut s, "app-01", 2, 2, 1);
    let r = send(
        &mut s,
        Request::post(
            &format!("http://127.0.0.1:8787{HW}/servers"),
            &b.to_string(),
        )
        .basic("demo@vigil.test", "demo"),
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let loc = r.header("location").unwrap().to_string();
    assert!(loc.starts_with("http://127.0.0.1:8787/hostway/"), "{loc}");
    let srv = &json(&r)["server"];
    assert_eq!(
        (
            &srv["status"],
            &srv["progress"],
            &srv["hostId"],
            &srv["created"]
        ),
        (&j!("BUILD"), &j!(0), &j!(""), &j!(""))
    );
    assert_eq!(srv["addresses"], j!({"public": [], "private": []}));
    assert_eq!((&srv["accessIPv4"], &srv["accessIPv6"]), (&j!(""), &j!("")));
    assert_eq!(
        srv["adminPass"].as_str().unwrap().len(),
        12,
        "generated, shown once"
    );
    for k in [
        "id", "name", "links", "image", "flavor", "userId", "metadata",
    ] {
        assert!(srv.get(k).is_some(), "{k}");
    }
    assert_eq!(self_href(srv), loc);
    let id = srv["id"].as_str().unwrap().to_string();
    assert_eq!(s.vm_fact("hostway", &id).unwrap().state, VmState::Creating);
    let mut seen = Vec::new();
    let mut t = T0;
    let done = loop {
        let v = json(&follow(&mut s, &loc, t))["server"].clone();
        let row = (
            v["status"].as_str().unwrap().to_string(),
            v["progress"].as_u64().unwrap(),
        );
        if seen.last() != Some(&row) {
            seen.push(row);
        }
        if v["status"] != "BUILD" {
            break v;
        }
        assert!(
            v.get("adminPass").is_none(),
            "the password is never shown again"
        );
        t += 1_000;
        assert!(t < T0 + 3 * MIN);
    };
    assert_eq!(
        seen.iter().map(|r| r.1).collect::<Vec<_>>(),
        [0, 50, 100, 100]
    );
    assert!(t - T0 >= 60 * SEC, "{} ms", t - T0);
    assert_eq!(done["status"], "ACTIVE");
    assert!(
        done["hostId"].as_str().unwrap().len() > 10
            && done["created"].as_str().unwrap().len() == 20
    );
    let public = done["addresses"]["public"].as_array().unwrap();
    assert_eq!(
        public
            .iter()
            .map(|a| a["version"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [4, 6]
    );
    assert_eq!(done["accessIPv4"], public[0]["addr"]);
    assert_eq!(done["zone"], "USTXA-0301");
    let fact = s.vm_fact("hostway", &id).unwrap();
    assert_eq!(fact.state, VmState::Running);
    assert_eq!(
        j!(fact.addresses),
        j!([
            public[0]["addr"],
            public[1]["addr"],
            done["addresses"]["private"][0]["addr"]
        ])
    );
    let c = s.latest_action("hostway", &id).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.task_status),
        ("create", true, "ACTIVE")
    );
    assert!(c.finished_by(t) && !c.finished_by(t - 1_000));
    assert_eq!(
        hw(
            &mut s,
            "POST",
            &format!("/servers/{id}/action"),
            r#"{"os-stop": null}"#,
            t
        )
        .status,
        202
    );
}

#[test]
fn an_admin_pass_sent_is_not_returned() {
    let mut s = sim(0.0);
    let mut b = body(&mut s, "app-02", 0, 1, 0);
    b["server"]["adminPass"] = j!("s3cret-pass");
    let r = hw(&mut s, "POST", "/servers", &b.to_string(), T0);
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(json(&r)["server"].get("adminPass").is_none());
}

#[test]
fn create_refusals_are_400_with_a_message() {
    let mut s = sim(0.0);
    let ok = body(&mut s, "x-1", 0, 0, 0);
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b["server"][k] = v;
        b
    };
    let windows = self_href(&get(&mut s, "/images?name=windows", T0)["images"][0]);
    let saving = self_href(&get(&mut s, "/images?status=SAVING", T0)["images"][0]);
    for (b, says) in [
        (with("flavorRef", j!("http://x/flavors/42")), "flavor"),
        (with("imageRef", j!("nope")), "imageRef"),
        (with("imageRef", j!(saving)), "not ACTIVE"),
        (with("securityGroupRef", j!("999")), "securityGroupRef"),
        (with("zone", j!("MARS-0001")), "zone"),
        (with("adminPass", j!("short")), "adminPass"),
        (with("name", j!("")), "name"),
        (with("imageRef", j!(windows.clone())), "too little disk"),
    ] {
        let r = hw(&mut s, "POST", "/servers", &b.to_string(), T0);
        assert_eq!(r.status, 400, "{b}");
        assert!(
            json(&r)["badRequest"]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{says}: {}",
            r.body
        );
    }
    let mut b = with("imageRef", j!(windows));
    b["server"]["flavorRef"] = j!("4");
    b["server"]["zone"] = j!("USTXA-0301");
    let r = hw(&mut s, "POST", "/servers", &b.to_string(), T0);
    assert!(
        json(&r)["badRequest"]["message"]
            .as_str()
            .unwrap()
            .contains("not available in zone"),
        "{}",
        r.body
    );
    assert_eq!(
        get(&mut s, "/servers", T0)["servers"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
}

#[test]
fn delete_shows_deleted_then_404() {
    let mut s = sim(0.0);
    let id = get(&mut s, "/servers?status=ACTIVE", T0)["servers"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = hw(&mut s, "DELETE", &format!("/servers/{id}"), "", T0);
    assert_eq!((r.status, r.body.as_str()), (202, ""));
    let v = get(&mut s, &format!("/servers/{id}"), T0 + SEC)["server"].clone();
    assert_eq!((&v["status"], &v["progress"]), (&j!("DELETED"), &j!(0)));
    assert_eq!(
        hw(&mut s, "DELETE", &format!("/servers/{id}"), "", T0 + SEC).status,
        409
    );
    assert_eq!(
        hw(
            &mut s,
            "POST",
            &format!("/servers/{id}/action"),
            r#"{"os-stop": null}"#,
            T0 + SEC
        )
        .status,
        403
    );
    assert_eq!(s.vm_fact("hostway", &id).unwrap().state, VmState::Deleting);
    let mut t = T0;
    while hw(&mut s, "GET", &format!("/servers/{id}"), "", t).status == 200 {
        t += 1_000;
        assert!(t < T0 + MIN);
    }
    let r = hw(&mut s, "GET", &format!("/servers/{id}"), "", t);
    assert_eq!(
        (r.status, json(&r)["itemNotFound"]["code"].as_u64()),
        (404, Some(404))
    );
    assert!(get(&mut s, "/servers", t)["servers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["id"] != id.as_str()));
    assert_eq!(
        hw(&mut s, "DELETE", &format!("/servers/{id}"), "", t).status,
        404
    );
    let fact = s.vm_fact("hostway", &id).unwrap();
    assert!(!fact.exists() && fact.addresses.is_empty());
    let c = s.latest_action("hostway", &id).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.task_status),
        ("delete", true, "DELETED")
    );
    assert!(c.finished_by(t) && !c.finished_by(t - 1_000));
}

#[test]
fn delete_while_building_is_409_and_a_failed_build_can_be_deleted() {
    let mut s = Sim::new(scenario(42, 12, 1.0), T0);
    let b = body(&mut s, "doomed", 0, 0, 0);
    let r = hw(&mut s, "POST", "/servers", &b.to_string(), T0);
    let id = json(&r)["server"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        hw(&mut s, "DELETE", &format!("/servers/{id}"), "", T0 + SEC).status,
        409
    );
    let v = get(&mut s, &format!("/servers/{id}"), T0 + 3 * MIN)["server"].clone();
    assert_eq!(
        (&v["status"], &v["addresses"]["public"], &v["hostId"]),
        (&j!("DELETED"), &j!([]), &j!(""))
    );
    assert_eq!(s.vm_fact("hostway", &id).unwrap().state, VmState::Failed);
    assert!(!s.latest_action("hostway", &id).unwrap().succeeded);
    // failure_rate 1: this delete fails too, and the server is back as it was
    assert_eq!(
        hw(
            &mut s,
            "DELETE",
            &format!("/servers/{id}"),
            "",
            T0 + 3 * MIN
        )
        .status,
        202
    );
    let active = get(&mut s, "/servers?status=ACTIVE", T0 + 3 * MIN)["servers"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        hw(
            &mut s,
            "DELETE",
            &format!("/servers/{active}"),
            "",
            T0 + 3 * MIN
        )
        .status,
        202
    );
    assert_eq!(
        get(&mut s, &format!("/servers/{active}"), T0 + 5 * MIN)["server"]["status"],
        "ACTIVE"
    );
    let c = s.latest_action("hostway", &active).unwrap();
    assert_eq!(
        (c.action, c.succeeded, c.task_status),
        ("delete", false, "ACTIVE")
    );
    assert_eq!(
        s.vm_fact("hostway", &active).unwrap().state,
        VmState::Running
    );
}

#[test]
fn catalogues_flavors_images_zone_security_groups() {
    let mut s = sim(0.0);
    let flavors = get(&mut s, "/flavors", T0)["flavors"].clone();
    assert_eq!(flavors.as_array().unwrap().len(), 6);
    assert!(flavors[0]
        .as_object()
        .unwrap()
        .keys()
        .eq(["id", "links", "name"].iter()));
    let detail = get(&mut s, "/flavors/detail?minDisk=100&minRam=8192", T0)["flavors"].clone();
    let ids: Vec<&str> = detail
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["5", "6"]);
    assert_eq!(
        (&detail[0]["vcpu"], &detail[0]["ram"], &detail[0]["disk"]),
        (&j!(8), &j!(16384), &j!(160))
    );
    assert_eq!(get(&mut s, "/flavors/detail/3", T0)["flavor"]["vcpu"], 2);
    let images = get(&mut s, "/images", T0)["images"].clone();
    for i in images.as_array().unwrap() {
        assert!(i["id"].is_string() && i["name"].is_string() && i["zones"].is_array());
        let rels: Vec<&str> = i["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["rel"].as_str().unwrap())
            .collect();
        assert_eq!(rels, ["self", "bookmark"]);
    }
    let d = get(&mut s, "/images/detail?type=SERVER", T0)["images"].clone();
    assert_eq!(d.as_array().unwrap().len(), 2);
    assert!(d[0]["updated"].is_null() && d[0]["created"].is_string() && d[0]["status"].is_string());
    assert_eq!(
        get(&mut s, "/images?zone=USTXA-0301", T0)["images"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    // the links resolve as given, the bookmark (the Alternative URI) too
    let bookmark = images[0]["links"][1]["href"].as_str().unwrap().to_string();
    assert_eq!(
        json(&follow(&mut s, &bookmark, T0))["image"]["id"],
        images[0]["id"]
    );
    assert_eq!(
        json(&follow(&mut s, &self_href(&flavors[2]), T0))["flavor"]["id"],
        "3"
    );
    let zone = get(&mut s, "/zone", T0);
    assert_eq!(
        zone.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["demo-account"]
    );
    assert!(
        zone["demo-account"][0]["zone"].is_string()
            && zone["demo-account"][0]["location"].is_string()
    );
    let groups = get(&mut s, "/os-security-groups", T0)["security_groups"].clone();
    assert!(groups
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "default"));
    assert_eq!(hw(&mut s, "POST", "/flavors", "{}", T0).status, 405);
}

#[test]
fn every_server_has_unique_addresses() {
    let mut s = sim(0.0);
    let mut seen = std::collections::BTreeSet::new();
    for x in get(&mut s, "/servers", T0)["servers"].as_array().unwrap() {
        let id = x["id"].as_str().unwrap();
        let v = get(&mut s, &format!("/servers/{id}"), T0)["server"].clone();
        let a = &v["addresses"];
        for addr in a["public"]
            .as_array()
            .unwrap()
            .iter()
            .chain(a["private"].as_array().unwrap())
        {
            assert!(seen.insert(addr["addr"].as_str().unwrap().to_string()));
        }
        assert_eq!(v["accessIPv4"], a["public"][0]["addr"]);
        assert_eq!(s.vm_fact("hostway", id).unwrap().addresses.len(), 3);
    }
    assert_eq!(seen.len(), 36);
}
