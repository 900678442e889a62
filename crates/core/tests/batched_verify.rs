//! Batched verification, driven with a fake clock and scripted Erigones answers: operations
//! whose tasks end together are verified from one request's VM data, and only VM data read
//! after a task ended counts; a start or stop whose VM that data shows where it was meant to go
//! needs no read of its task. Also: a graceful action the guest ignores is looked at again
//! right after the provider forces it.

mod common;

use common::drive::Drive;
use serde_json::{json, Value};
use vigil_core::{
    Action, ActionKind, ConnectionConfig, Credentials, DialectKind, Engine, HttpResponse, Note,
    OpId, Phase, Transmit,
};

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const BASE: &str = "https://erigones.test/api";

fn engine_with(vms: &[Value]) -> Engine {
    let mut e = Engine::new("t");
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    e.add(
        ConnectionConfig {
            id: "c1".into(),
            name: "Erigones".into(),
            dialect: DialectKind::Erigones,
            base_url: BASE.into(),
            credentials: Credentials::ApiKey { key: "k".into() },
            demo: false,
        },
        T0,
    );
    let out = e.round(T0);
    assert_eq!(out.len(), 1, "one listing request");
    assert_eq!(out[0].request.url, format!("{BASE}/vm/status/"));
    e.answer(out[0].token, Ok(all_vms(vms)), T0);
    // Its second part, the addresses: these tests read none.
    let out = e.round(T0);
    assert_eq!(out.len(), 1, "the listing's second part");
    assert_eq!(out[0].request.url, format!("{BASE}/vm/?full=true"));
    e.answer(out[0].token, Ok(all_vms(&[])), T0);
    e
}

/// A VM as `/vm/status/` shows it, with its pending task ids.
fn vm(host: &str, status: &str, tasks: &[&str]) -> Value {
    let tasks: serde_json::Map<String, Value> = tasks
        .iter()
        .map(|t| (t.to_string(), json!({"method": "PUT", "hostname": host})))
        .collect();
    json!({"hostname": host, "uuid": format!("uuid-{host}"), "alias": host, "status": status,
           "node_status": "online", "tasks": tasks})
}

fn all_vms(vms: &[Value]) -> HttpResponse {
    HttpResponse::new(
        200,
        json!({"status": "SUCCESS", "result": vms, "task_id": "list"}).to_string(),
    )
}

fn task(status: &str, id: &str) -> HttpResponse {
    let code = if status == "SUCCESS" { 200 } else { 201 };
    HttpResponse::new(
        code,
        json!({"status": status, "result": null, "task_id": id}).to_string(),
    )
}

fn path(o: &Transmit) -> &str {
    o.request.url.strip_prefix(BASE).unwrap_or(&o.request.url)
}

/// Starts `action` on every VM and accepts each with task id `t-<host>`.
fn start_all(e: &mut Engine, hosts: &[&str], action: Action) -> Vec<OpId> {
    let ids: Vec<OpId> = hosts
        .iter()
        .map(|h| e.start("c1", h, action.clone(), T0).unwrap())
        .collect();
    let submits = e.round(T0);
    assert_eq!(submits.len(), hosts.len());
    for (o, h) in submits.iter().zip(hosts) {
        assert!(path(o).starts_with(&format!("/vm/{h}/status/")));
        e.answer(o.token, Ok(task("PENDING", &format!("t-{h}"))), T0 + 50);
    }
    ids
}

/// The next requests the engine sends, and when.
fn next(e: &mut Engine) -> (i64, Vec<Transmit>) {
    let t = e.wake().expect("something is scheduled");
    (t, e.round(t))
}

/// Answers each task read with SUCCESS.
fn tasks_succeed(e: &mut Engine, reads: &[Transmit], at: i64) {
    for o in reads {
        let id = path(o)
            .strip_prefix("/task/")
            .and_then(|p| p.strip_suffix("/status/"))
            .unwrap_or_else(|| panic!("a task read, not {}", path(o)));
        e.answer(o.token, Ok(task("SUCCESS", id)), at);
    }
}

#[test]
fn starts_ending_together_are_done_by_the_answer_that_saw_them_end() {
    let hosts = ["a", "b", "c"];
    let mut e = engine_with(&hosts.map(|h| vm(h, "stopped", &[])));
    let ids = start_all(&mut e, &hosts, Action::Start);
    // One observe-many request for all three: their tasks are gone, the VMs run.
    let (t, out) = next(&mut e);
    assert_eq!(out.len(), 1);
    assert_eq!(path(&out[0]), "/vm/status/");
    e.answer(
        out[0].token,
        Ok(all_vms(&hosts.map(|h| vm(h, "running", &[])))),
        t + 50,
    );
    // A stopped VM running once its start is over got there by it: done, without asking each
    // task how it ended, and without reading any VM again.
    for id in &ids {
        let op = e.op(id);
        assert_eq!(op.phase, Phase::Succeeded, "{id}: {:?}", op.note);
        assert_eq!(op.finished_at, Some(t + 50));
    }
    assert!(e.round(t + 50).is_empty());
    assert!(e.wake().is_none_or(|w| w > t + 30_000));
}

#[test]
fn a_stop_gone_from_the_pending_tasks_with_its_vm_still_running_asks_its_task() {
    let mut e = engine_with(&[vm("a", "running", &[]), vm("b", "running", &[])]);
    let ids = start_all(&mut e, &["a", "b"], Action::Shutdown);
    let (t, out) = next(&mut e);
    assert_eq!(path(&out[0]), "/vm/status/");
    // Both tasks are gone; `a` stopped, `b` is running again.
    e.answer(
        out[0].token,
        Ok(all_vms(&[vm("a", "stopped", &[]), vm("b", "running", &[])])),
        t + 50,
    );
    assert_eq!(e.op(&ids[0]).phase, Phase::Succeeded);
    let reads = e.round(t + 50);
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(path(&reads[0]), "/task/t-b/status/");
    let failed = json!({"status": "FAILURE", "result": {"detail": "Guest did not stop"},
                        "task_id": "t-b"});
    e.answer(
        reads[0].token,
        Ok(HttpResponse::new(400, failed.to_string())),
        t + 100,
    );
    let b = e.op(&ids[1]);
    assert_eq!(b.phase, Phase::Failed);
    assert!(
        matches!(
            &b.note,
            Some(Note::Reported { cancelled: false, status, text: Some(t) })
                if status == "FAILURE" && t == "Guest did not stop"
        ),
        "{:?}",
        b.note
    );
}

#[test]
fn verifications_due_together_share_one_list_request() {
    let hosts = ["a", "b", "c"];
    let mut e = engine_with(&hosts.map(|h| vm(h, "stopped", &[])));
    let ids = start_all(&mut e, &hosts, Action::Start);
    let (t, out) = next(&mut e);
    // The tasks are gone but the VM data does not show the outcome yet.
    e.answer(
        out[0].token,
        Ok(all_vms(&hosts.map(|h| vm(h, "stopped", &[])))),
        t + 50,
    );
    let reads = e.round(t + 50);
    tasks_succeed(&mut e, &reads, t + 100);
    for id in &ids {
        assert_eq!(e.op(id).phase, Phase::Verifying, "{id}");
    }
    // All three re-reads go out as one request of every VM's status.
    let (t2, out) = next(&mut e);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(path(&out[0]), "/vm/status/");
    e.answer(
        out[0].token,
        Ok(all_vms(&hosts.map(|h| vm(h, "running", &[])))),
        t2 + 50,
    );
    for id in &ids {
        assert_eq!(e.op(id).phase, Phase::Succeeded, "{id}");
    }
}

#[test]
fn vm_data_read_before_the_tasks_ended_does_not_verify_them() {
    // A reboot's goal (running) is also the state before it: only fresh data may say done.
    let hosts = ["a", "b"];
    let mut e = engine_with(&hosts.map(|h| vm(h, "running", &[])));
    let ids = start_all(&mut e, &hosts, Action::Reboot);
    // First look: tasks still pending, and the database still says "running".
    let (t1, out) = next(&mut e);
    assert_eq!(path(&out[0]), "/vm/status/");
    e.answer(
        out[0].token,
        Ok(all_vms(
            &hosts.map(|h| vm(h, "running", &[&format!("t-{h}")])),
        )),
        t1 + 50,
    );
    for id in &ids {
        assert_eq!(e.op(id).phase, Phase::InProgress);
    }
    // Second look: the tasks are gone; the VMs show "stopping" in that same answer.
    let (t2, out) = next(&mut e);
    assert_eq!(out.len(), 1);
    e.answer(
        out[0].token,
        Ok(all_vms(&hosts.map(|h| vm(h, "stopping", &[])))),
        t2 + 50,
    );
    let reads = e.round(t2 + 50);
    tasks_succeed(&mut e, &reads, t2 + 100);
    // Not done on the first answer's "running": the data read after the end disagrees.
    for id in &ids {
        assert_eq!(e.op(id).phase, Phase::Verifying, "{id}");
    }
    let (t3, out) = next(&mut e);
    assert_eq!(out.len(), 1, "one re-read for both: {out:?}");
    e.answer(
        out[0].token,
        Ok(all_vms(&hosts.map(|h| vm(h, "running", &[])))),
        t3 + 50,
    );
    for id in &ids {
        assert_eq!(e.op(id).phase, Phase::Succeeded, "{id}");
    }
}

#[test]
fn a_task_seen_ended_only_by_its_own_read_needs_a_fresh_vm_read() {
    // One operation: no observe-many, so nothing read after the end is known yet.
    let mut e = engine_with(&[vm("a", "running", &[])]);
    let ids = start_all(&mut e, &["a"], Action::Reboot);
    let (t, out) = next(&mut e);
    assert_eq!(path(&out[0]), "/task/t-a/status/");
    tasks_succeed(&mut e, &out, t + 50);
    assert_eq!(e.op(&ids[0]).phase, Phase::Verifying);
    let (t2, out) = next(&mut e);
    assert_eq!(out.len(), 1);
    assert_eq!(path(&out[0]), "/vm/a/status/");
    e.answer(
        out[0].token,
        Ok(HttpResponse::new(
            200,
            json!({"status": "SUCCESS", "result": vm("a", "running", &[]), "task_id": "r"})
                .to_string(),
        )),
        t2 + 50,
    );
    assert_eq!(e.op(&ids[0]).phase, Phase::Succeeded);
}

#[test]
fn a_reboot_the_guest_ignores_is_looked_at_again_right_after_the_provider_forces_it() {
    let mut e = engine_with(&[vm("web-01", "running", &[])]);
    // A provider whose reboots were seen taking what the prior says: its pace is known.
    use vigil_core::PollPolicy;
    let mut policy = vigil_core::policy::Vigil::default();
    let usual = vigil_core::policy::prior(DialectKind::Erigones, ActionKind::Reboot).median();
    for _ in 0..4 {
        policy.finished(DialectKind::Erigones, ActionKind::Reboot, usual);
    }
    e.set_policy(Box::new(policy));
    start_all(&mut e, &["web-01"], Action::Reboot);
    // The task stays pending: the guest ignores the ACPI request. Erigones forces the reboot
    // after its documented default `timeout` of 180 s.
    let forced = T0 + 50 + 180_000;
    let mut looks = Vec::new();
    let mut last = T0;
    while looks.last().is_none_or(|&t| t < forced + 10_000) {
        let (t, out) = next(&mut e);
        // A wake-up in the past (the listing's second part) is "now".
        let t = t.max(last);
        last = t;
        for o in out {
            if path(&o) == "/vm/?full=true" {
                // The listing's second part, for the addresses.
                e.answer(o.token, Ok(all_vms(&[])), t + 50);
                continue;
            }
            looks.push(t);
            let answer = if path(&o) == "/vm/status/" {
                all_vms(&[vm("web-01", "stopping", &["t-web-01"])])
            } else {
                task("STARTED", "t-web-01")
            };
            e.answer(o.token, Ok(answer), t + 50);
        }
    }
    let secs: Vec<i64> = looks.iter().map(|t| (t - T0) / 1000).collect();
    let first_after = looks.iter().find(|&&t| t >= forced).copied().unwrap();
    assert!(
        first_after - forced <= 2_500,
        "a look within the target lag of the forcing point: {secs:?}"
    );
    let around = looks
        .iter()
        .filter(|&&t| t >= forced && t < forced + 10_000)
        .count();
    assert!(
        around >= 4,
        "every target lag after it, not every 30 s: {secs:?}"
    );
    let before_window = looks
        .iter()
        .filter(|&&t| t > T0 + 60_000 && t < forced)
        .count();
    assert!(
        before_window <= 8,
        "sparse while neither end is likely: {secs:?}"
    );

    // The forced reboot ends. How long the guest ignored it is not how long a reboot takes:
    // "usually ~20 s" stays.
    let usual = e.view().typical_duration(&"c1".into(), ActionKind::Reboot);
    let (t, out) = next(&mut e);
    for o in out {
        let answer = if path(&o) == "/vm/status/" {
            all_vms(&[vm("web-01", "running", &[])])
        } else {
            task("SUCCESS", "t-web-01")
        };
        e.answer(o.token, Ok(answer), t + 50);
    }
    let first = |e: &Engine| e.view().operations().next().cloned().expect("the reboot");
    while first(&e).is_open() {
        let (t, out) = next(&mut e);
        for o in out {
            e.answer(
                o.token,
                Ok(all_vms(&[vm("web-01", "running", &[])])),
                t + 50,
            );
        }
    }
    assert_eq!(first(&e).phase, Phase::Succeeded);
    assert_eq!(
        e.view().typical_duration(&"c1".into(), ActionKind::Reboot),
        usual
    );
}
