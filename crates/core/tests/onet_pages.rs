//! ONETSolutions' task list read page by page within one round, with scripted answers: the
//! operations a page did not hold wait for the next page, and a `429` on a next page is waited
//! out before anything else goes to the provider. Also: a task the provider retries gets a fresh
//! likely window from the retry on.

mod common;

use common::Drive;
use serde_json::{json, Value};
use vigil_core::{
    Action, ConnectionConfig, Credentials, DialectKind, Engine, HttpResponse, OpId, Phase,
};

const T0: i64 = 1_767_225_600_000;
const BASE: &str = "https://onet.test/v1/organizations/o/projects/p";

fn task(id: &str, vm: &str, status: &str) -> Value {
    json!({"id": id, "instance_id": vm, "task_type": "reboot_vps", "status": status,
           "result": null, "retry_count": 0, "max_retries": 2})
}

fn page(n: u32, last: bool, results: Vec<Value>) -> HttpResponse {
    let link = |p: u32| json!(format!("{BASE}/compute/tasks?page={p}&page_size=100"));
    HttpResponse::new(
        200,
        json!({"count": 250, "next": if last { Value::Null } else { link(n + 1) },
               "previous": if n > 1 { link(n - 1) } else { Value::Null }, "results": results})
        .to_string(),
    )
}

/// An engine with one ONETSolutions connection whose listing showed `n` running instances,
/// `vm1` to `vm<n>`.
fn engine_with(n: usize) -> Engine {
    let mut e = Engine::new("t");
    e.add(
        ConnectionConfig {
            id: "c".into(),
            name: "ONET".into(),
            dialect: DialectKind::OnetSolutions,
            base_url: BASE.into(),
            credentials: Credentials::Bearer { token: "k".into() },
            demo: false,
        },
        T0,
    );
    let out = e.round(T0);
    e.answer(out[0].token, Ok(instances(n)), T0);
    e
}

/// The instance list: `vm1` to `vm<n>`, running.
fn instances(n: usize) -> HttpResponse {
    let vms: Vec<Value> = (1..=n)
        .map(|i| json!({"id": format!("vm{i}"), "name": format!("vm{i}"), "status": "running"}))
        .collect();
    HttpResponse::new(
        200,
        json!({"count": n, "next": null, "previous": null, "results": vms}).to_string(),
    )
}

#[test]
fn a_throttled_next_page_is_waited_out_and_no_task_is_read_alone() {
    let mut e = engine_with(3);
    let ids: Vec<OpId> = (1..=3)
        .map(|i| e.start("c", &format!("vm{i}"), Action::Reboot, T0).unwrap())
        .collect();
    let out = e.round(T0);
    assert_eq!(out.len(), 3, "three submits");
    for (i, o) in out.iter().enumerate() {
        let t = task(&format!("t{}", i + 1), &format!("vm{}", i + 1), "pending");
        e.answer(o.token, Ok(HttpResponse::new(202, t.to_string())), T0);
    }
    // The first look: page 1 holds t1, still running; t2 and t3 wait for page 2.
    let mut now = e.wake().unwrap();
    let out = e.round(now);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].request.url,
        format!("{BASE}/compute/tasks?page=1&page_size=100")
    );
    e.answer(
        out[0].token,
        Ok(page(1, false, vec![task("t1", "vm1", "running")])),
        now,
    );
    let out = e.round(now);
    assert_eq!(out.len(), 1, "the next page, in the same round");
    assert_eq!(
        out[0].request.url,
        format!("{BASE}/compute/tasks?page=2&page_size=100")
    );
    assert!(ids.iter().all(|id| e.op(id).is_open()));
    // Throttled: nothing goes out before the provider's Retry-After.
    let throttled = HttpResponse::new(429, r#"{"detail": "Request was throttled."}"#)
        .with_header("Retry-After", "7");
    e.answer(out[0].token, Ok(throttled), now);
    let resume = now + 7_000;
    let mut sent = Vec::new();
    while let Some(t) = e.wake() {
        now = now.max(t);
        if now > T0 + 120_000 {
            break;
        }
        for o in e.round(now) {
            assert!(now >= resume, "sent {} before Retry-After", o.request.url);
            sent.push(o.request.url.clone());
            // Every task ended: the list says so, and the instances show it.
            let resp = if o.request.url.contains("/compute/tasks") {
                assert!(
                    o.request.url.contains("/compute/tasks?page="),
                    "no task is read on its own: {}",
                    o.request.url
                );
                page(
                    1,
                    true,
                    (1..=3)
                        .map(|i| task(&format!("t{i}"), &format!("vm{i}"), "completed"))
                        .collect(),
                )
            } else {
                instances(3)
            };
            e.answer(o.token, Ok(resp), now + 50);
        }
        now += 50;
        if ids.iter().all(|id| !e.op(id).is_open()) {
            break;
        }
    }
    for id in &ids {
        let op = e.op(id);
        assert_eq!(
            op.phase,
            Phase::Succeeded,
            "{id}: {:?} after {sent:#?}",
            op.note
        );
    }
}

/// A reboot whose first attempt runs long: at the first look after 90 s the provider has
/// failed it and queued attempt 2 of 3, which then runs. With `reload`, the page reloads two
/// looks after the retry was seen: a new engine takes the operations as kept in localStorage.
/// Returns when each look at the task went out, and when the retry was first seen.
fn looks_at_a_retried_reboot(reload: bool) -> (Vec<i64>, i64) {
    let mut e = engine_with(1);
    e.start("c", "vm1", Action::Reboot, T0).unwrap();
    let out = e.round(T0);
    let t = task("t1", "vm1", "pending");
    e.answer(out[0].token, Ok(HttpResponse::new(202, t.to_string())), T0);
    let mut retry_seen = None;
    let mut reloaded = false;
    let mut looks = Vec::new();
    while looks.last().is_none_or(|&t| t < T0 + 150_000) {
        let now = e.wake().unwrap();
        let after_retry = retry_seen.map_or(0, |x| looks.iter().filter(|&&t| t >= x).count());
        if reload && !reloaded && after_retry == 2 {
            let kept = serde_json::to_string(&e.saved()).unwrap();
            e = engine_with(1);
            e.import(serde_json::from_str(&kept).unwrap(), now);
            reloaded = true;
            continue;
        }
        for o in e.round(now) {
            if o.request.url.contains("/compute/instances") {
                // The background refresh of the VM list.
                let vms = json!([{"id": "vm1", "name": "vm1", "status": "pending"}]);
                let body = json!({"count": 1, "next": null, "previous": null, "results": vms});
                e.answer(o.token, Ok(HttpResponse::new(200, body.to_string())), now);
                continue;
            }
            looks.push(now);
            let mut t = task("t1", "vm1", "running");
            if now >= T0 + 90_000 {
                retry_seen.get_or_insert(now);
                t["retry_count"] = json!(1);
                t["status"] = json!(if retry_seen == Some(now) {
                    "pending"
                } else {
                    "running"
                });
            }
            let body = if o.request.url.contains("page=") {
                json!({"count": 1, "next": null, "previous": null, "results": [t]}).to_string()
            } else {
                t.to_string()
            };
            e.answer(o.token, Ok(HttpResponse::new(200, body)), now);
        }
    }
    assert_eq!(reloaded, reload);
    (looks, retry_seen.unwrap())
}

/// The second attempt's likely window (a reboot: about 12 to 40 s) is looked at every target
/// lag, not every 30 s as an attempt that started 90 s ago would be.
fn assert_the_retry_window_is_looked_at_densely(looks: &[i64], retry_seen: i64) {
    let secs: Vec<i64> = looks.iter().map(|t| (t - T0) / 1000).collect();
    let window: Vec<i64> = looks
        .iter()
        .copied()
        .filter(|&t| t >= retry_seen + 15_000 && t <= retry_seen + 35_000)
        .collect();
    assert!(window.len() >= 8, "{secs:?}");
    assert!(window.windows(2).all(|w| w[1] - w[0] <= 2_300), "{secs:?}");
}

#[test]
fn a_task_the_provider_retries_is_looked_at_every_target_lag_again_after_the_retry() {
    let (looks, retry_seen) = looks_at_a_retried_reboot(false);
    assert_the_retry_window_is_looked_at_densely(&looks, retry_seen);
}

#[test]
fn a_retry_seen_before_a_reload_keeps_its_window_after_it() {
    let (looks, retry_seen) = looks_at_a_retried_reboot(true);
    assert_the_retry_window_is_looked_at_densely(&looks, retry_seen);
}
