//! Contract tests for ZennoHosting (shared/providers/zennohosting.md), one group per sheet row.

mod common;

use common::*;
use serde_json::Value;
use vigil_sim::{iso, Request, Sim};

fn vms(s: &mut Sim, p: &str, now: u64) -> Vec<Value> {
    let r = zh(s, "GET", &format!("/projects/{p}/vms"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)["items"].as_array().unwrap().clone()
}

fn vm(s: &mut Sim, p: &str, id: &str, now: u64) -> Value {
    let r = zh(s, "GET", &format!("/projects/{p}/vms/{id}"), "", now);
    assert_eq!(r.status, 200, "{}", r.body);
    json(&r)
}

fn pick(s: &mut Sim, p: &str, state: &str) -> String {
    vms(s, p, T0)
        .into_iter()
        .find(|v| v["state"] == state)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The distinct consecutive (operation, operationStatus, bootStatus, state) seen every 500 ms.
fn trace(
    s: &mut Sim,
    p: &str,
    id: &str,
    from: u64,
    to: u64,
) -> Vec<(String, String, String, String)> {
    let mut out: Vec<(String, String, String, String)> = Vec::new();
    let mut t = from;
    while t <= to {
        let v = vm(s, p, id, t);
        let f = |k: &str| v[k].as_str().unwrap_or("null").to_string();
        let row = (
            f("operation"),
            f("operationStatus"),
            f("bootStatus"),
            f("state"),
        );
        if out.last() != Some(&row) {
            out.push(row);
        }
        t += 500;
    }
    out
}

fn row(op: &str, st: &str, boot: &str, state: &str) -> (String, String, String, String) {
    (op.into(), st.into(), boot.into(), state.into())
}

#[test]
fn auth_bearer_token_and_401_shape() {
    let mut s = sim(0.0);
    for req in [
        Request::get("/zennohosting/projects"),
        Request::get("/zennohosting/projects").bearer("nope"),
        Request::get("/zennohosting/projects").basic("demo@vigil.test", "demo"),
    ] {
        let r = send(&mut s, req, T0);
        assert_eq!(r.status, 401);
        let b = json(&r);
        assert_eq!(b["error"], "unauthorized");
        assert!(b["message"].is_string());
    }
    assert_eq!(zh(&mut s, "GET", "/projects", "", T0).status, 200);
}

#[test]
fn projects_is_the_first_call() {
    let mut s = sim(0.0);
    let b = json(&zh(&mut s, "GET", "/projects", "", T0));
    let items = b["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0]["id"].is_string() && items[0]["name"].is_string());
}

#[test]
fn list_and_one_vm_with_documented_fields() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let list = vms(&mut s, &p, T0);
    assert_eq!(list.len(), 12);
    for v in &list {
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "bootStatus",
                "cpu",
                "diskGb",
                "id",
                "name",
                "networks",
                "operation",
                "operationStatus",
                "publicIp",
                "ramGb",
                "state",
                "updatedAt"
            ]
        );
        assert!(
            v["operation"].is_null() && v["operationStatus"].is_null(),
            "idle VMs have null operation"
        );
        let (state, boot) = (
            v["state"].as_str().unwrap(),
            v["bootStatus"].as_str().unwrap(),
        );
        assert!(
            matches!(
                (state, boot),
                ("running", "booted") | ("stopped", "stopped")
            ),
            "{v}"
        );
        assert_eq!(v["updatedAt"].as_str().unwrap().len(), 20);
        let one = vm(&mut s, &p, v["id"].as_str().unwrap(), T0);
        assert_eq!(&one, v);
    }
    let r = zh(&mut s, "GET", &format!("/projects/{p}/vms/nope"), "", T0);
    assert_eq!(r.status, 404);
    assert_eq!(json(&r)["error"], "not_found");
    let r = zh(&mut s, "GET", "/projects/other/vms", "", T0);
    assert_eq!(r.status, 404);
    let r = zh(&mut s, "GET", "/nothing", "", T0);
    assert_eq!(r.status, 404);
    assert!(json(&r)["message"].is_string());
}

#[test]
fn accepted_is_202_with_a_command_id_not_the_final_state() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "stopped");
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/start"),
        "",
        T0,
    );
    assert_eq!(r.status, 202);
    let b = json(&r);
    assert_eq!(b.as_object().unwrap().len(), 1);
    assert_eq!(b["commandId"].as_str().unwrap().len(), 36);
    let v = vm(&mut s, &p, &id, T0);
    assert_eq!(v["state"], "stopped", "accepted is not done");
    assert_eq!(v["operation"], "start");
    assert_eq!(v["operationStatus"], "pending");
    assert_eq!(v["updatedAt"], iso(T0));
}

#[test]
fn start_lifecycle() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "stopped");
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{id}/start"),
            "",
            T0
        )
        .status,
        202
    );
    let tr = trace(&mut s, &p, &id, T0, T0 + 30 * SEC);
    assert_eq!(
        tr,
        [
            row("start", "pending", "stopped", "stopped"),
            row("start", "in_progress", "booting", "stopped"),
            row("start", "succeeded", "booted", "running"),
        ]
    );
}

#[test]
fn stop_lifecycle() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "running");
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{id}/stop"),
            "",
            T0
        )
        .status,
        202
    );
    let tr = trace(&mut s, &p, &id, T0, T0 + 55 * SEC);
    assert_eq!(
        tr,
        [
            row("stop", "pending", "booted", "running"),
            row("stop", "in_progress", "stopping", "running"),
            row("stop", "succeeded", "stopped", "stopped"),
        ]
    );
}

#[test]
fn reboot_lifecycle_stops_then_boots() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "running");
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{id}/reboot"),
            "{}",
            T0
        )
        .status,
        202
    );
    let tr = trace(&mut s, &p, &id, T0, T0 + 40 * SEC);
    assert_eq!(
        tr,
        [
            row("reboot", "pending", "booted", "running"),
            row("reboot", "in_progress", "stopping", "running"),
            row("reboot", "in_progress", "booting", "running"),
            row("reboot", "succeeded", "booted", "running"),
        ]
    );
}

#[test]
fn backup_restore_is_an_operation_that_ends_as_before() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    for (k, state) in ["stopped", "running"].into_iter().enumerate() {
        let t0 = T0 + k as u64 * 300 * SEC;
        // a VM in `state` holding a backup
        let (id, backup) = vms(&mut s, &p, t0)
            .into_iter()
            .filter(|v| v["state"] == state)
            .find_map(|v| {
                let id = v["id"].as_str().unwrap().to_string();
                let b = json(&zh(
                    &mut s,
                    "GET",
                    &format!("/projects/{p}/vms/{id}/backups"),
                    "",
                    t0,
                ));
                b["items"][0]["id"].as_str().map(|b| (id, b.to_string()))
            })
            .unwrap();
        let r = zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{id}/backups/{backup}/restore"),
            "",
            t0,
        );
        assert_eq!(r.status, 202);
        assert!(json(&r)["commandId"].is_string());
        let tr = trace(&mut s, &p, &id, t0, t0 + 200 * SEC);
        assert_eq!(tr.first().unwrap().0, "restore");
        let boot = if state == "running" {
            "booted"
        } else {
            "stopped"
        };
        assert_eq!(
            tr.last().unwrap(),
            &row("restore", "succeeded", boot, state)
        );
        assert!(tr.iter().any(|r| r.1 == "in_progress"));
    }
}

#[test]
fn create_vm() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let image = json(&zh(&mut s, "GET", "/images", "", T0))["items"][0]["id"].clone();
    let tariff = json(&zh(&mut s, "GET", "/vm-tariffs", "", T0))["items"][2].clone();
    let body = serde_json::json!({"name": "web-09", "imageId": image, "tariffId": tariff["id"]});
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms"),
        &body.to_string(),
        T0,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(json(&r)["commandId"].is_string());
    let list = vms(&mut s, &p, T0);
    assert_eq!(list.len(), 13);
    let v = list.iter().find(|v| v["name"] == "web-09").unwrap();
    assert_eq!(
        (v["cpu"].as_u64(), v["ramGb"].as_u64(), v["diskGb"].as_u64()),
        (
            tariff["cpu"].as_u64(),
            tariff["ramGb"].as_u64(),
            tariff["diskGb"].as_u64()
        )
    );
    assert_eq!(v["operation"], "create");
    assert_eq!(v["operationStatus"], "pending");
    let id = v["id"].as_str().unwrap().to_string();
    let tr = trace(&mut s, &p, &id, T0, T0 + 170 * SEC);
    assert_eq!(
        tr.last().unwrap(),
        &row("create", "succeeded", "booted", "running")
    );
    assert!(tr.contains(&row("create", "in_progress", "booting", "stopped")));
    for bad in [
        "",
        "[]",
        r#"{"cpu":2}"#,
        r#"{"name":"bad name"}"#,
        r#"{"name":"x"}"#,
        "{",
    ] {
        let r = zh(&mut s, "POST", &format!("/projects/{p}/vms"), bad, T0);
        assert_eq!(r.status, 422, "{bad}");
        assert_eq!(json(&r)["error"], "validation_error");
    }
}

#[test]
fn networks_and_port_forwards_are_async_commands() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    // the platform assigns the cidr: a body carrying one is refused (sheet: "never a cidr")
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/networks"),
        r#"{"name":"backend","cidr":"10.0.0.0/24"}"#,
        T0,
    );
    assert_eq!(r.status, 422);
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/networks"),
        r#"{"name":"backend2"}"#,
        T0,
    );
    assert_eq!(r.status, 202);
    assert!(json(&r)["commandId"].is_string());
    assert_eq!(
        zh(&mut s, "POST", &format!("/projects/{p}/networks"), "{}", T0).status,
        422
    );
    // an unknown public IP has no port forwards
    let url = format!("/projects/{p}/public-ips/ip-1/port-forwards");
    let r = zh(
        &mut s,
        "POST",
        &url,
        r#"{"protocol":"tcp","externalPort":8080,"internalPort":80}"#,
        T0,
    );
    assert_eq!(r.status, 404);
    // two commands never share an id
    let a = json(&zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/networks"),
        r#"{"name":"a"}"#,
        T0,
    ))["commandId"]
        .clone();
    let b = json(&zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/networks"),
        r#"{"name":"b"}"#,
        T0,
    ))["commandId"]
        .clone();
    assert_ne!(a, b);
}

#[test]
fn conflict_409_while_an_operation_runs_and_for_pointless_transitions() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "running");
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{id}/reboot"),
            "",
            T0
        )
        .status,
        202
    );
    for (i, op) in ["stop", "reboot", "start", "backups/b/restore"]
        .iter()
        .enumerate()
    {
        let r = zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{id}/{op}"),
            "",
            T0 + 100 * (i as u64 + 1),
        );
        assert_eq!(r.status, 409, "{op}");
        let b = json(&r);
        assert_eq!(b["error"], "operation_in_progress");
        assert!(b["message"].as_str().unwrap().contains("reboot"), "{b}");
    }
    // after it finished: start on a running VM / stop on a stopped VM make no sense
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/start"),
        "",
        T0 + 40 * SEC,
    );
    assert_eq!(r.status, 409);
    assert_eq!(json(&r)["error"], "invalid_state");
    let off = pick(&mut s, &p, "stopped");
    for op in ["stop", "reboot"] {
        let r = zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{off}/{op}"),
            "",
            T0 + 40 * SEC,
        );
        assert_eq!(r.status, 409, "{op}");
    }
    let r = zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{off}/start"),
        "[1]",
        T0 + 40 * SEC,
    );
    assert_eq!(r.status, 422, "a body that is not an object is a bad body");
}

#[test]
fn a_later_operation_overwrites_the_fields() {
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "stopped");
    zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/start"),
        "",
        T0,
    );
    let v = vm(&mut s, &p, &id, T0 + 30 * SEC);
    assert_eq!(
        (v["operation"].as_str(), v["operationStatus"].as_str()),
        (Some("start"), Some("succeeded"))
    );
    // the terminal status stays visible until the next operation
    let v = vm(&mut s, &p, &id, T0 + 3_600 * SEC);
    assert_eq!(
        (v["operation"].as_str(), v["operationStatus"].as_str()),
        (Some("start"), Some("succeeded"))
    );
    zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{id}/stop"),
        "",
        T0 + 3_600 * SEC,
    );
    let v = vm(&mut s, &p, &id, T0 + 3_600 * SEC);
    assert_eq!(
        (v["operation"].as_str(), v["operationStatus"].as_str()),
        (Some("stop"), Some("pending"))
    );
}

#[test]
fn failures_leave_the_old_state() {
    let mut s = sim(1.0);
    let p = zh_project(&mut s, T0);
    let off = pick(&mut s, &p, "stopped");
    let on = pick(&mut s, &p, "running");
    zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{off}/start"),
        "",
        T0,
    );
    zh(
        &mut s,
        "POST",
        &format!("/projects/{p}/vms/{on}/stop"),
        "",
        T0,
    );
    let t = T0 + 60 * SEC;
    let v = vm(&mut s, &p, &off, t);
    assert_eq!(
        (
            v["operationStatus"].as_str(),
            v["state"].as_str(),
            v["bootStatus"].as_str()
        ),
        (Some("failed"), Some("stopped"), Some("failed"))
    );
    let v = vm(&mut s, &p, &on, t);
    assert_eq!(
        (
            v["operationStatus"].as_str(),
            v["state"].as_str(),
            v["bootStatus"].as_str()
        ),
        (Some("failed"), Some("running"), Some("booted"))
    );
    // a failed VM can be started again
    assert_eq!(
        zh(
            &mut s,
            "POST",
            &format!("/projects/{p}/vms/{off}/start"),
            "",
            t
        )
        .status,
        202
    );
}

#[test]
fn rate_limit_429_with_retry_after() {
    let mut s = sim(0.0);
    for i in 0..600 {
        let r = zh(&mut s, "GET", "/projects", "", T0 + i * 50);
        assert_eq!(r.status, 200, "request {i}");
    }
    let r = zh(&mut s, "GET", "/projects", "", T0 + 30 * SEC);
    assert_eq!(r.status, 429);
    assert_eq!(json(&r)["error"], "rate_limited");
    let retry: u64 = r.header("Retry-After").unwrap().parse().unwrap();
    assert_eq!(retry, 30);
    assert_eq!(
        zh(&mut s, "GET", "/projects", "", T0 + 60 * SEC + 1).status,
        200
    );
}

#[test]
fn with_clear_0_the_fields_go_null_the_moment_an_operation_ends() {
    let mut s = sim(0.0);
    s.set_faults(vigil_sim::Faults::parse("clear=0").unwrap());
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "stopped");
    let path = format!("/projects/{p}/vms/{id}/start");
    assert_eq!(zh(&mut s, "POST", &path, "", T0).status, 202);
    let tr = trace(&mut s, &p, &id, T0, T0 + 30 * SEC);
    assert_eq!(
        tr,
        [
            row("start", "pending", "stopped", "stopped"),
            row("start", "in_progress", "booting", "stopped"),
            row("null", "null", "booted", "running"),
        ]
    );
    // `updatedAt` says when it ended, as the truth does.
    let end = s.latest_action("zennohosting", &id).unwrap().finished_at_ms;
    let v = vm(&mut s, &p, &id, T0 + 30 * SEC);
    assert_eq!(v["updatedAt"], iso(end.unwrap()));
    // Switched on later, an operation already over shows nothing either.
    let mut s = sim(0.0);
    let p = zh_project(&mut s, T0);
    let id = pick(&mut s, &p, "stopped");
    let path = format!("/projects/{p}/vms/{id}/start");
    assert_eq!(zh(&mut s, "POST", &path, "", T0).status, 202);
    assert_eq!(vm(&mut s, &p, &id, T0 + 30 * SEC)["operation"], "start");
    s.set_faults(vigil_sim::Faults::parse("clear=0").unwrap());
    assert!(vm(&mut s, &p, &id, T0 + 31 * SEC)["operation"].is_null());
}
