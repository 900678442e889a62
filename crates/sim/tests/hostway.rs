//! Contract tests for Hostway FlexCloud (shared/providers/hostway.md), one group per row.

mod common;

use common::*;
use serde_json::Value;
use vigil_sim::{Request, Response, Sim};

fn ids(s: &mut Sim, query: &str, now: u64) -> Vec<String> {
    let r = hw(s, "GET", &format!("/servers{query}"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

fn server(s: &mut Sim, id: &str, now: u64) -> Value {
    let r = hw(s, "GET", &format!("/servers/{id}"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["server"].clone()
}

fn with_status(s: &mut Sim, status: &str) -> Vec<Value> {
    ids(s, "", T0)
        .iter()
        .map(|id| server(s, id, T0))
        .filter(|x| x["status"] == status)
        .collect()
}

fn action(s: &mut Sim, id: &str, body: &str, now: u64) -> Response {
    hw(s, "POST", &format!("/servers/{id}/action"), body, now)
}

fn fault_of(r: &Response) -> (String, String, u64) {
    let b = json(r);
    let (k, v) = b.as_object().unwrap().iter().next().unwrap();
    (
        k.clone(),
        v["message"].as_str().unwrap().to_string(),
        v["code"].as_u64().unwrap(),
    )
}

/// Distinct consecutive (status, progress) of a server, sampled every 500 ms.
fn trace(s: &mut Sim, id: &str, from: u64, to: u64) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    let mut t = from;
    while t <= to {
        let v = server(s, id, t);
        let row = (
            v["status"].as_str().unwrap().to_string(),
            v["progress"].as_u64().unwrap(),
        );
        if out.last() != Some(&row) {
            out.push(row);
        }
        t += 500;
    }
    out
}

#[test]
fn auth_basic_401_and_other_account_403() {
    let mut s = sim(0.0);
    let r = send(&mut s, Request::get(&format!("{HW}/servers")), T0);
    assert_eq!(r.status, 401);
    assert_eq!(fault_of(&r).0, "unauthorized");
    assert_eq!(fault_of(&r).2, 401);
    let r = send(
        &mut s,
        Request::get(&format!("{HW}/servers")).basic("demo@vigil.test", "nope"),
        T0,
    );
    assert_eq!(r.status, 401);
    let r = send(
        &mut s,
        Request::get("/hostway/accounts/someone-else/flexcloud/servers")
            .basic("demo@vigil.test", "demo"),
        T0,
    );
    assert_eq!(r.status, 403);
    assert_eq!(fault_of(&r).0, "forbidden");
    let r = hw(&mut s, "GET", "/volumes", "", T0);
    assert_eq!(r.status, 404);
    assert_eq!(fault_of(&r).0, "itemNotFound");
}

#[test]
fn list_servers_gives_ids_only_with_filters() {
    let mut s = sim(0.0);
    let r = hw(&mut s, "GET", "/servers", "", T0);
    let b = json(&r);
    let list = b["servers"].as_array().unwrap();
    assert_eq!(list.len(), 12);
    for x in list {
        let mut keys: Vec<&str> = x.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["id", "links", "zone"]);
        assert_eq!(x["links"][0]["rel"], "self");
        assert!(x["links"][0]["href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/servers/{}", x["id"].as_str().unwrap())));
    }
    let active = ids(&mut s, "?status=ACTIVE", T0);
    let stopped = ids(&mut s, "?status=STOPPED", T0);
    let suspended = ids(&mut s, "?status=SUSPENDED", T0);
    assert!(!active.is_empty() && !stopped.is_empty());
    assert_eq!(suspended.len(), 1, "one SUSPENDED server is seeded");
    assert_eq!(active.len() + stopped.len() + suspended.len(), 12);
    for id in &active {
        assert_eq!(server(&mut s, id, T0)["status"], "ACTIVE");
    }
    let web = ids(&mut s, "?name=web", T0);
    assert!(!web.is_empty());
    for id in &web {
        assert!(server(&mut s, id, T0)["name"]
            .as_str()
            .unwrap()
            .contains("web"));
    }
    assert_eq!(
        hw(&mut s, "GET", "/servers?status=SLEEPING", "", T0).status,
        400
    );
}

#[test]
fn one_server_has_the_documented_fields() {
    let mut s = sim(0.0);
    let id = ids(&mut s, "", T0)[0].clone();
    let x = server(&mut s, &id, T0);
    for k in [
        "id",
        "name",
        "status",
        "progress",
        "flavor",
        "image",
        "addresses",
        "created",
        "updated",
        "links",
    ] {
        assert!(x.get(k).is_some(), "{k} missing in {x}");
    }
    assert_eq!(x["id"], id.as_str());
    assert!(x["flavor"]["id"].is_string());
    assert_eq!(x["links"][0]["rel"], "self");
    assert!(x["addresses"]["public"][0]["addr"].is_string());
    let r = hw(&mut s, "GET", "/servers/nope", "", T0);
    assert_eq!(r.status, 404);
    assert_eq!(fault_of(&r).0, "itemNotFound");
}

#[test]
fn reboot_stop_start_resize_are_202_empty_and_processing_until_done() {
    let mut s = sim(0.0);
    let x = with_status(&mut s, "ACTIVE").into_iter().next().unwrap();
    let id = x["id"].as_str().unwrap().to_string();
    let mut t = T0;
    for (body, end_status, max) in [
        (r#"{"reboot": {"type": "SOFT"}}"#, "ACTIVE", 33),
        (r#"{"reboot": {"type": "HARD"}}"#, "ACTIVE", 25),
        (r#"{"os-stop": null}"#, "STOPPED", 49),
        (r#"{"os-start": null}"#, "ACTIVE", 25),
    ] {
        let r = action(&mut s, &id, body, t);
        assert_eq!(r.status, 202, "{body}: {}", r.body);
        assert!(r.body.is_empty());
        let tr = trace(&mut s, &id, t, t + max * SEC);
        assert_eq!(
            tr,
            [
                ("PROCESSING".to_string(), 100),
                (end_status.to_string(), 100)
            ],
            "{body}"
        );
        t += (max + 1) * SEC;
    }
    let flavor = server(&mut s, &id, t)["flavor"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let target = if flavor == "6" { "5" } else { "6" };
    let r = action(
        &mut s,
        &id,
        &format!(r#"{{"resize": {{"flavor": {{"id": "{target}"}}}}}}"#),
        t,
    );
    assert_eq!(r.status, 202);
    assert_eq!(
        server(&mut s, &id, t + 10 * SEC)["flavor"]["id"],
        flavor.as_str()
    );
    assert_eq!(server(&mut s, &id, t + 10 * SEC)["status"], "PROCESSING");
    let after = server(&mut s, &id, t + 145 * SEC);
    assert_eq!(after["flavor"]["id"], target);
    assert_eq!(after["status"], "ACTIVE");
}

#[test]
fn action_conflicts() {
    let mut s = sim(0.0);
    let active = with_status(&mut s, "ACTIVE");
    let stopped = with_status(&mut s, "STOPPED");
    let suspended = with_status(&mut s, "SUSPENDED");
    let a = active[0]["id"].as_str().unwrap().to_string();
    let st = stopped[0]["id"].as_str().unwrap().to_string();
    let su = suspended[0]["id"].as_str().unwrap().to_string();

    assert_eq!(
        action(&mut s, &a, r#"{"reboot": {"type": "SOFT"}}"#, T0).status,
        202
    );
    let r = action(&mut s, &a, r#"{"reboot": {"type": "HARD"}}"#, T0 + SEC);
    assert_eq!(r.status, 409);
    assert_eq!(
        fault_of(&r),
        ("conflictingRequest".into(), "Already rebooting".into(), 409)
    );
    for body in [
        r#"{"os-stop": null}"#,
        r#"{"os-start": null}"#,
        r#"{"resize": {"flavor": {"id": "6"}}}"#,
    ] {
        let r = action(&mut s, &a, body, T0 + SEC);
        assert_eq!(r.status, 409, "{body}");
        assert_eq!(fault_of(&r).1, "Other status change in progress");
    }
    // not allowed in the current state → 403
    for (id, body) in [
        (&st, r#"{"os-stop": null}"#),
        (&st, r#"{"reboot": {"type": "SOFT"}}"#),
        (&su, r#"{"os-start": null}"#),
    ] {
        let r = action(&mut s, id, body, T0 + SEC);
        assert_eq!(r.status, 403, "{body}");
        assert_eq!(fault_of(&r).0, "forbidden");
    }
    let a2 = active[1]["id"].as_str().unwrap().to_string();
    let r = action(&mut s, &a2, r#"{"os-start": null}"#, T0 + SEC);
    assert_eq!(r.status, 403);
    // resize to the same flavor → 400; unknown flavor / bad body → 400; unsupported → 405
    let fl = stopped[0]["flavor"]["id"].as_str().unwrap().to_string();
    let r = action(
        &mut s,
        &st,
        &format!(r#"{{"resize": {{"flavor": {{"id": "{fl}"}}}}}}"#),
        T0 + SEC,
    );
    assert_eq!(r.status, 400);
    assert_eq!(fault_of(&r).0, "badRequest");
    for body in [
        r#"{"resize": {"flavor": {"id": "99"}}}"#,
        r#"{"reboot": {"type": "GENTLE"}}"#,
        "{",
        r#"{"os-stop": null, "os-start": null}"#,
    ] {
        assert_eq!(action(&mut s, &st, body, T0 + SEC).status, 400, "{body}");
    }
    let r = action(&mut s, &st, r#"{"pause": null}"#, T0 + SEC);
    assert_eq!(r.status, 405);
}

#[test]
fn failed_change_keeps_the_old_status() {
    let mut s = sim(1.0);
    let a = with_status(&mut s, "ACTIVE")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(action(&mut s, &a, r#"{"os-stop": null}"#, T0).status, 202);
    let tr = trace(&mut s, &a, T0, T0 + 50 * SEC);
    assert_eq!(
        tr,
        [("PROCESSING".to_string(), 100), ("ACTIVE".to_string(), 100)]
    );
}

fn snapshot(s: &mut Sim, id: &str, name: &str, now: u64) -> Response {
    hw(
        s,
        "POST",
        &format!("/servers/{id}/snapshots"),
        &format!(r#"{{"snapshot": {{"name": "{name}", "description": "test snapshot"}}}}"#),
        now,
    )
}

#[test]
fn snapshot_202_location_body_then_build_to_active() {
    let mut s = sim(0.0);
    let x = with_status(&mut s, "ACTIVE")
        .into_iter()
        .find(|x| {
            x["os-extended-volumes:volumes_attached"]
                .as_array()
                .unwrap()
                .is_empty()
        })
        .unwrap();
    let id = x["id"].as_str().unwrap().to_string();
    let r = send(
        &mut s,
        Request::post(&format!("http://127.0.0.1:8787{HW}/servers/{id}/snapshots"), r#"{"snapshot": {"name": "fitnesse snapshot", "description": "fitnesse test snapshot"}}"#)
            .basic("demo@vigil.test", "demo"),
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with(&format!(
            "http://127.0.0.1:8787{HW}/servers/{id}/snapshots/snapshot_"
        )),
        "{loc}"
    );
    assert!(loc.ends_with('/'));
    let b = json(&r);
    let snap = &b["snapshot"];
    let mut keys: Vec<&str> = snap
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "create_time",
            "description",
            "guid",
            "id",
            "links",
            "name",
            "parent_guid",
            "relation_guid",
            "status"
        ]
    );
    assert_eq!(snap["status"], "BUILD");
    assert_eq!(snap["name"], "fitnesse snapshot");
    assert_eq!(snap["description"], "fitnesse test snapshot");
    assert_eq!(
        (
            snap["guid"].as_str(),
            snap["parent_guid"].as_str(),
            snap["relation_guid"].as_str()
        ),
        (Some(""), Some(""), Some(""))
    );
    assert_eq!(snap["create_time"], "0000-00-00 00:00:00");
    assert_eq!(
        snap["links"][0],
        serde_json::json!({"href": loc, "rel": "self"})
    );

    // follow the Location as given
    let poll = |s: &mut Sim, t: u64| {
        let r = send(s, Request::get(&loc).basic("demo@vigil.test", "demo"), t);
        assert_eq!(r.status, 200, "{}", r.body);
        json(&r)["snapshot"].clone()
    };
    assert_eq!(poll(&mut s, T0 + 60 * SEC)["status"], "BUILD");
    let done = poll(&mut s, T0 + 289 * SEC);
    assert_eq!(done["status"], "ACTIVE");
    assert_eq!(done["guid"].as_str().unwrap().len(), 36);
    let ct = done["create_time"].as_str().unwrap();
    assert!(ct.starts_with("2026-01-14 16:3") && ct.len() == 19, "{ct}");
    // relative request URL → relative Location
    let r = snapshot(&mut s, &id, "second", T0 + 290 * SEC);
    assert!(r
        .header("location")
        .unwrap()
        .starts_with(&format!("{HW}/servers/{id}/snapshots/")));
}

#[test]
fn snapshot_errors_400_409_413() {
    let mut s = sim(0.0);
    let all: Vec<Value> = ids(&mut s, "", T0)
        .iter()
        .map(|id| server(&mut s, id, T0))
        .collect();
    let with_vol = all
        .iter()
        .find(|x| {
            !x["os-extended-volumes:volumes_attached"]
                .as_array()
                .unwrap()
                .is_empty()
        })
        .unwrap();
    let r = snapshot(&mut s, with_vol["id"].as_str().unwrap(), "x", T0);
    assert_eq!(r.status, 400);
    assert!(fault_of(&r).1.contains("extra volumes"));

    // a server without snapshots yet: find one by trying names
    let plain: Vec<String> = all
        .iter()
        .filter(|x| {
            x["os-extended-volumes:volumes_attached"]
                .as_array()
                .unwrap()
                .is_empty()
                && x["status"] != "SUSPENDED"
        })
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    let id = &plain[0];
    let mut made = 0;
    let mut n = 0;
    loop {
        let r = snapshot(&mut s, id, &format!("snap-{n}"), T0);
        n += 1;
        match r.status {
            202 => made += 1,
            413 => {
                assert_eq!(
                    fault_of(&r),
                    (
                        "overLimit".into(),
                        "The snapshot can be created up to 3 in a server.".into(),
                        413
                    )
                );
                break;
            }
            c => panic!("unexpected {c}: {}", r.body),
        }
        assert!(n < 5);
    }
    assert!((1..=3).contains(&made));
    let r = snapshot(&mut s, &plain[1], "dup", T0);
    if r.status == 202 {
        let r = snapshot(&mut s, &plain[1], "dup", T0);
        assert_eq!(r.status, 409);
        assert_eq!(
            fault_of(&r).1,
            "The snapshot name must be unique in a server."
        );
    } else {
        assert_eq!(r.status, 413);
    }
    let r = hw(
        &mut s,
        "POST",
        &format!("/servers/{id}/snapshots"),
        r#"{"snapshot": {}}"#,
        T0,
    );
    assert_eq!(r.status, 400);
}

#[test]
fn failed_snapshot_ends_deleted_and_frees_its_slot() {
    let mut s = sim(1.0);
    let all: Vec<Value> = ids(&mut s, "", T0)
        .iter()
        .map(|id| server(&mut s, id, T0))
        .collect();
    let id = all
        .iter()
        .find(|x| {
            x["os-extended-volumes:volumes_attached"]
                .as_array()
                .unwrap()
                .is_empty()
                && x["status"] != "SUSPENDED"
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = snapshot(&mut s, &id, "doomed", T0);
    assert_eq!(r.status, 202);
    let loc = r.header("location").unwrap().to_string();
    let r = send(
        &mut s,
        Request::get(&loc).basic("demo@vigil.test", "demo"),
        T0 + 300 * SEC,
    );
    assert_eq!(json(&r)["snapshot"]["status"], "DELETED");
    assert_eq!(
        snapshot(&mut s, &id, "doomed", T0 + 300 * SEC).status,
        202,
        "a DELETED snapshot's name is free again"
    );
}

#[test]
fn create_server_build_progress_0_50_100_then_active() {
    let mut s = sim(0.0);
    let r = hw(
        &mut s,
        "POST",
        "/servers",
        r#"{"server": {"name": "web-09", "flavorRef": "3", "imageRef": "112929454"}}"#,
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let loc = r.header("location").unwrap().to_string();
    let id = json(&r)["server"]["id"].as_str().unwrap().to_string();
    assert!(loc.ends_with(&format!("/servers/{id}")));
    assert_eq!(ids(&mut s, "", T0).len(), 13);
    // the build takes ~100 s (x0.6..x1.6)
    let tr = trace(&mut s, &id, T0, T0 + 170 * SEC);
    assert_eq!(
        tr,
        [
            ("BUILD".to_string(), 0),
            ("BUILD".to_string(), 50),
            ("BUILD".to_string(), 100),
            ("ACTIVE".to_string(), 100)
        ]
    );
    let x = server(&mut s, &id, T0 + 170 * SEC);
    assert_eq!(x["name"], "web-09");
    assert_eq!(x["flavor"]["id"], "3");
    for bad in [
        r#"{"server": {"flavorRef": "3"}}"#,
        r#"{"server": {"name": "x", "flavorRef": "42"}}"#,
        r#"{"name": "x"}"#,
    ] {
        assert_eq!(
            hw(&mut s, "POST", "/servers", bad, T0 + 170 * SEC).status,
            400,
            "{bad}"
        );
    }
}

#[test]
fn failed_build_ends_deleted() {
    let mut s = sim(1.0);
    let r = hw(
        &mut s,
        "POST",
        "/servers",
        r#"{"server": {"name": "x-1", "flavor": {"id": "1"}}}"#,
        T0,
    );
    let id = json(&r)["server"]["id"].as_str().unwrap().to_string();
    assert_eq!(server(&mut s, &id, T0)["status"], "BUILD");
    let x = server(&mut s, &id, T0 + 170 * SEC);
    assert_eq!(x["status"], "DELETED");
    assert_eq!(
        action(&mut s, &id, r#"{"os-start": null}"#, T0 + 170 * SEC).status,
        403
    );
}
