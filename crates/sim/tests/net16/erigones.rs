//! Erigones: start from an ISO (`cdimage`), refresh from the node, and the task log naming
//! who started a task elsewhere.

use serde_json::Value;
use vigil_sim::{Request, Sim, OWNER_ES_API_KEY};

use crate::common::*;

fn hosts(s: &mut Sim, status: &str, now: u64) -> Vec<String> {
    let l = json(&er(s, "GET", "/vm/status/", "", now));
    l["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == status)
        .map(|v| v["hostname"].as_str().unwrap().to_string())
        .collect()
}

fn status(s: &mut Sim, h: &str, now: u64) -> Value {
    json(&er(s, "GET", &format!("/vm/{h}/status/"), "", now))["result"].clone()
}

#[test]
fn start_from_an_iso_of_the_image_list() {
    let mut s = sim(0.0);
    let h = hosts(&mut s, "stopped", T0)[0].clone();
    let url = format!("/vm/{h}/status/start/");
    let r = er(&mut s, "PUT", &url, r#"{"cdimage":"no-such.iso"}"#, T0);
    assert_eq!(
        (r.status, json(&r)["detail"].as_str()),
        (404, Some("Image not found"))
    );
    let r = er(&mut s, "PUT", &url, r#"{"cdimage2":"debian-12"}"#, T0);
    assert_eq!(r.status, 400);
    let r = er(
        &mut s,
        "PUT",
        &url,
        r#"{"cdimage":"debian-12","cdimage_once":true}"#,
        T0,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(s.cdimage("erigones", &h), None, "not started yet");
    let t = s.scheduled_finish("erigones", &h).unwrap();
    assert_eq!(status(&mut s, &h, t)["status"], "running");
    assert_eq!(s.cdimage("erigones", &h).as_deref(), Some("debian-12"));
}

#[test]
fn freeze_then_unfreeze_and_refresh_from_the_node() {
    let mut s = sim(0.0);
    let h = hosts(&mut s, "running", T0)[0].clone();
    let r = er(
        &mut s,
        "PUT",
        &format!("/vm/{h}/status/stop/"),
        r#"{"freeze":true,"force":true}"#,
        T0,
    );
    assert_eq!(r.status, 201);
    let t = s.scheduled_finish("erigones", &h).unwrap();
    assert_eq!(status(&mut s, &h, t)["status"], "frozen");
    assert!(s.frozen("erigones", &h), "the truth says frozen");
    let r = er(
        &mut s,
        "PUT",
        &format!("/vm/{h}/status/stop/"),
        r#"{"unfreeze":true}"#,
        t,
    );
    assert_eq!(
        (r.status, json(&r)["status"].as_str()),
        (200, Some("SUCCESS"))
    );
    assert_eq!(status(&mut s, &h, t)["status"], "stopped");
    assert!(!s.frozen("erigones", &h), "unfrozen");
    // PUT status/current/ refreshes the database: a task
    let r = er(&mut s, "PUT", &format!("/vm/{h}/status/current/"), "", t);
    assert_eq!(r.status, 201);
    assert!(json(&r)["task_id"].is_string());
}

#[test]
fn the_task_log_names_who_started_a_task_elsewhere() {
    let mut s = sim(0.0);
    // a VM the owner may run, started with the owner's key (another person)
    let l = json(&send(
        &mut s,
        Request::get(&format!("{ER}/vm/status/")).with_header("ES-API-KEY", OWNER_ES_API_KEY),
        T0,
    ));
    let mine = l["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "running")
        .unwrap()["hostname"]
        .as_str()
        .unwrap()
        .to_string();
    let r = send(
        &mut s,
        Request::put(&format!("{ER}/vm/{mine}/status/reboot/"), "")
            .with_header("ES-API-KEY", OWNER_ES_API_KEY),
        T0,
    );
    assert_eq!(r.status, 201);
    let id = json(&r)["task_id"].as_str().unwrap().to_string();
    // the admin sees it in the VM's tasks and in the log
    let vm = json(&er(&mut s, "GET", "/vm/status/", "", T0 + SEC))["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["hostname"] == mine.as_str())
        .unwrap()
        .clone();
    assert!(vm["tasks"].get(&id).is_some(), "{vm}");
    let log = json(&er(
        &mut s,
        "GET",
        "/task/log/?page=1&object_type=vm",
        "",
        T0 + SEC,
    ));
    let e = log["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["task"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (e["username"].as_str(), e["status"].as_str()),
        (Some("owner"), Some("PENDING"))
    );
    let end = s.scheduled_finish("erigones", &mine).unwrap();
    let log = json(&er(&mut s, "GET", "/task/log/?page=1", "", end));
    let two: Vec<&Value> = log["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["task"] == id.as_str())
        .collect();
    assert_eq!(two.len(), 2, "created and finished");
    assert_eq!(two[0]["status"], "SUCCESS");
}
