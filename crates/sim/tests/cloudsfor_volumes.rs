//! cloudsfor volumes (sheet "Networks, volumes, console"): the routes' documented answers and
//! refusals, the action over virtual time, and the ground truth (`Sim::volumes`) agreeing with
//! the API.

mod common;

use common::*;
use serde_json::Value;
use vigil_sim::{Request, ResState, Sim};

fn cf_delete(sim: &mut Sim, path: &str, now: u64) -> vigil_sim::Response {
    send(
        sim,
        Request::new("DELETE", &format!("{CF}{path}")).basic("demo@vigil.test", "demo"),
        now,
    )
}

fn running_vm(s: &mut Sim) -> (String, String) {
    let vm = cf_pick(s, "running", T0);
    (
        vm["id"].as_str().unwrap().to_string(),
        vm["region"]["slug"].as_str().unwrap().to_string(),
    )
}

fn volume(s: &mut Sim, id: &str, now: u64) -> Value {
    let r = cf_get(s, &format!("/volumes/{id}"), now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["volume"].clone()
}

#[test]
fn create_attach_resize_detach_delete_follow_the_sheet_and_the_truth() {
    let mut s = sim(0.0);
    let (vm, region) = running_vm(&mut s);
    let body = format!(r#"{{"size_gigabytes": 40, "name": "pg-data", "region": "{region}"}}"#);
    let r = cf_post(&mut s, "/volumes", &body, T0);
    assert_eq!(r.status, 201, "{}", r.body);
    let id = json(&r)["volume"]["id"].as_str().unwrap().to_string();
    assert_eq!(json(&r)["volume"]["vm_ids"], serde_json::json!([]));
    let listed = json(&cf_get(&mut s, "/volumes", T0));
    assert!(listed["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == id.as_str()));
    assert_eq!(s.volume("cloudsfor", &id).unwrap().state, ResState::Ready);
    // Attach: an action whose id is the volume's, in progress, then completed with vm_ids set.
    let at = T0 + SEC;
    let r = cf_post(
        &mut s,
        &format!("/volumes/{id}/actions"),
        &format!(r#"{{"type": "attach", "vm_id": "{vm}"}}"#),
        at,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let a = json(&r)["action"].clone();
    assert_eq!(
        (a["id"].as_str(), a["type"].as_str()),
        (Some(id.as_str()), Some("attach_volume"))
    );
    assert_eq!(a["status"], "in-progress");
    assert_eq!(a["resource_type"], "volume");
    assert_eq!(
        s.volume("cloudsfor", &id).unwrap().state,
        ResState::Changing
    );
    let busy = cf_post(
        &mut s,
        &format!("/volumes/{id}/actions"),
        r#"{"type": "resize", "size_gigabytes": 80}"#,
        at,
    );
    assert_eq!(busy.status, 422, "{}", busy.body);
    let done = at + 30 * SEC;
    let actions = json(&cf_get(&mut s, &format!("/volumes/{id}/actions"), done));
    assert_eq!(actions["actions"][0]["status"], "completed");
    assert_eq!(
        volume(&mut s, &id, done)["vm_ids"],
        serde_json::json!([vm.clone()])
    );
    assert_eq!(
        s.volume("cloudsfor", &id).unwrap().attached_to,
        Some(vm.clone())
    );
    // Delete while attached: refused; a shrink: refused.
    let r = cf_delete(&mut s, &format!("/volumes/{id}"), done);
    assert_eq!(r.status, 422, "{}", r.body);
    let r = cf_post(
        &mut s,
        &format!("/volumes/{id}/actions"),
        r#"{"type": "resize", "size_gigabytes": 40}"#,
        done,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(json(&r)["message"].as_str().unwrap().contains("larger"));
    let r = cf_post(
        &mut s,
        &format!("/volumes/{id}/actions"),
        r#"{"type": "resize", "size_gigabytes": 80}"#,
        done,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let later = done + 60 * SEC;
    assert_eq!(volume(&mut s, &id, later)["size_gigabytes"], 80);
    assert_eq!(s.volume("cloudsfor", &id).unwrap().size_gb, 80);
    let r = cf_post(
        &mut s,
        &format!("/volumes/{id}/actions"),
        &format!(r#"{{"type": "detach", "vm_id": "{vm}"}}"#),
        later,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let later = later + 30 * SEC;
    assert_eq!(volume(&mut s, &id, later)["vm_ids"], serde_json::json!([]));
    assert_eq!(s.volume("cloudsfor", &id).unwrap().attached_to, None);
    let r = cf_delete(&mut s, &format!("/volumes/{id}"), later);
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(cf_get(&mut s, &format!("/volumes/{id}"), later).status, 404);
    assert_eq!(s.volume("cloudsfor", &id).unwrap().state, ResState::Gone);
}

#[test]
fn refusals_say_why_in_the_providers_words() {
    let mut s = sim(0.0);
    let (_, region) = running_vm(&mut s);
    let cases = [
        (
            r#"{"size_gigabytes": 0, "name": "a", "region": "R"}"#,
            "size_gigabytes",
        ),
        (
            r#"{"size_gigabytes": 10, "name": "Bad_Name", "region": "R"}"#,
            "name must be",
        ),
        (
            r#"{"size_gigabytes": 10, "name": "ok", "region": "nowhere"}"#,
            "region",
        ),
    ];
    for (body, words) in cases {
        let r = cf_post(
            &mut s,
            "/volumes",
            &body.replace("\"R\"", &format!("\"{region}\"")),
            T0,
        );
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(json(&r)["id"], "unprocessable_entity");
        assert!(
            json(&r)["message"].as_str().unwrap().contains(words),
            "{}",
            r.body
        );
    }
    let body = format!(r#"{{"size_gigabytes": 10, "name": "twice", "region": "{region}"}}"#);
    assert_eq!(cf_post(&mut s, "/volumes", &body, T0).status, 201);
    assert_eq!(cf_post(&mut s, "/volumes", &body, T0).status, 422);
    // A VM of another region, when there is one.
    let vms = cf_vms(&mut s, T0);
    let id = json(&cf_get(&mut s, "/volumes", T0))["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "twice")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    if let Some(far) = vms
        .iter()
        .find(|v| v["region"]["slug"] != region.as_str() && v["status"] == "running")
    {
        let r = cf_post(
            &mut s,
            &format!("/volumes/{id}/actions"),
            &format!(
                r#"{{"type": "attach", "vm_id": "{}"}}"#,
                far["id"].as_str().unwrap()
            ),
            T0,
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(json(&r)["message"]
            .as_str()
            .unwrap()
            .contains("same region"));
    }
    let r = cf_post(
        &mut s,
        &format!("/volumes/{id}/actions"),
        r#"{"type": "detach", "vm_id": "nope"}"#,
        T0,
    );
    assert_eq!(r.status, 422, "{}", r.body);
}

#[test]
fn seeded_volumes_are_attached_and_a_failed_action_changes_nothing() {
    let mut s = sim(1.0);
    let seeded = s.volumes("cloudsfor");
    assert!(!seeded.is_empty());
    assert!(seeded
        .iter()
        .all(|v| v.attached_to.is_some() && v.state == ResState::Ready));
    let v = &seeded[0];
    let r = cf_post(
        &mut s,
        &format!("/volumes/{}/actions", v.id),
        r#"{"type": "resize", "size_gigabytes": 9000}"#,
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let later = T0 + 2 * MIN;
    let a = json(&cf_get(
        &mut s,
        &format!("/volumes/{}/actions", v.id),
        later,
    ));
    assert_eq!(a["actions"][0]["status"], "errored");
    assert_eq!(s.volume("cloudsfor", &v.id).unwrap().size_gb, v.size_gb);
}
