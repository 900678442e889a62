//! Workflow decisions on a fake clock, with scripted cloudsfor answers.

use serde_json::json;
use vigil_core::{
    ActionKind, ConnectionConfig, Credentials, DialectKind, Engine, HttpResponse, Method, Outgoing,
    Phase, Plan, StepState,
};

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const BASE: &str = "https://cloudsfor.test/api/v1";

fn cfg() -> ConnectionConfig {
    ConnectionConfig {
        id: "c1".into(),
        name: "Main".into(),
        dialect: DialectKind::Cloudsfor,
        base_url: BASE.into(),
        credentials: Credentials::Basic {
            user: "me@example.com".into(),
            password: "s3cret".into(),
        },
        demo: false,
    }
}

fn list(status: &str) -> HttpResponse {
    let vm = json!({"id": "v1", "name": "web-01", "memory": 2, "vcpus": 1, "disk": 25,
                    "locked": false, "status": status, "snapshot_ids": [],
                    "image": {"name": "Debian 12"}});
    HttpResponse::new(200, json!({"vms": [vm], "meta": {"total": 1}}).to_string())
}

fn shutdown(status: &str) -> serde_json::Value {
    json!({"id": "v1", "status": status, "type": "shutdown",
           "started_at": "2026-01-01T00:00:00Z", "completed_at": null,
           "resource_type": "vm", "region": "moscow_01"})
}

fn engine() -> Engine {
    let mut e = Engine::new("t");
    e.add_connection(cfg(), T0);
    let out = e.poll_transmit(T0);
    e.handle(out[0].token, Ok(list("running")), T0);
    e
}

fn only(out: Vec<Outgoing>) -> Outgoing {
    assert_eq!(out.len(), 1, "expected exactly one request, got {out:?}");
    out.into_iter().next().unwrap()
}

/// Answers every request at `now` as a provider whose guest ignores the shutdown: the action
/// completes, the VM keeps running.
fn answer_ignoring(e: &mut Engine, now: i64) -> Vec<String> {
    let mut sent = Vec::new();
    for o in e.poll_transmit(now) {
        let body = o.request.body.clone().unwrap_or_default();
        sent.push(format!("{} {}", o.request.describe(), body));
        let resp = if o.request.method == Method::Post {
            HttpResponse::new(201, json!({"action": shutdown("in-progress")}).to_string())
        } else if o.request.url.contains("/actions") {
            HttpResponse::new(200, json!({"actions": [shutdown("completed")]}).to_string())
        } else {
            list("running")
        };
        e.handle(o.token, Ok(resp), now);
    }
    sent
}

#[test]
fn the_engine_wakes_up_for_the_countdowns_end_and_powers_off_then() {
    let mut e = engine();
    let id = e
        .start_workflow("c1", "v1", Plan::Stop { grace_s: 45 }, T0)
        .unwrap();
    let post = only(e.poll_transmit(T0));
    assert!(post.request.body.as_deref().unwrap().contains("shutdown"));
    e.handle(
        post.token,
        Ok(HttpResponse::new(
            201,
            json!({"action": shutdown("in-progress")}).to_string(),
        )),
        T0 + 200,
    );
    let wf = e.workflow(&id).unwrap();
    assert_eq!(wf.countdown, Some((T0 + 200, T0 + 45_200)));
    assert_eq!(wf.countdown_left(T0 + 10_200), Some(35_000));

    // The shutdown completes, the VM keeps running: it ends "needs check" after its grace…
    let mut now = T0 + 200;
    let mut forced_at = None;
    while now < T0 + 60_000 {
        let now_before = now;
        let sent = answer_ignoring(&mut e, now);
        if sent.iter().any(|s| s.contains("power_off")) {
            forced_at = Some(now_before);
            break;
        }
        now = e.next_wake().expect("something is scheduled");
        assert!(now > now_before || now == now_before && !sent.is_empty());
    }
    // …and at the countdown's very end, not a moment later, the power off goes out.
    assert_eq!(forced_at, Some(T0 + 45_200));
    let wf = e.workflow(&id).unwrap();
    assert_eq!(wf.steps[1].state, StepState::Running);
    assert_eq!(
        wf.countdown_left(T0 + 45_200),
        None,
        "the countdown is over"
    );
    let shutdown_op = wf.steps[0].op_id.clone().unwrap();
    assert_eq!(e.operation(&shutdown_op).unwrap().phase, Phase::NeedsCheck);
    // The workflow still holds the VM.
    assert!(e.allowed("c1", "v1", ActionKind::Start).is_err());
}

#[test]
fn a_grace_period_out_of_range_is_refused_in_words() {
    let mut e = engine();
    for grace_s in [0, 100_000] {
        let why = e
            .start_workflow("c1", "v1", Plan::Stop { grace_s }, T0)
            .unwrap_err();
        assert!(why.contains("grace period"), "{why}");
    }
    assert!(e.workflows().is_empty());
    assert!(e.poll_transmit(T0).is_empty());
}

#[test]
fn stored_state_without_workflows_still_loads() {
    // What `export_operations` kept before workflows existed reads as a state with none.
    let old = r#"{"operations": []}"#;
    let state: vigil_core::SavedState = serde_json::from_str(old).unwrap();
    assert!(state.workflows.is_empty() && state.bulks.is_empty());
    // And an operation stored with the old actions still reads.
    let action: vigil_core::Action = serde_json::from_str(r#""Shutdown""#).unwrap();
    assert_eq!(action, vigil_core::Action::Shutdown);
}
