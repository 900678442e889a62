//! A lost write looked for in the VM's pending tasks, then in its task log.

use super::*;
use crate::dialect::testing::find;
use crate::dialect::Found;
use serde_json::json;

/// 2026-01-01T00:00:00Z
const SENT: Millis = 1_767_225_600_000;

fn status(tasks: Value, change: &str) -> HttpResponse {
    let vm = json!({"hostname": HOST, "status": "running", "status_change": change,
                    "tasks": tasks});
    HttpResponse::new(200, json!({"status": "SUCCESS", "result": vm}).to_string())
}

#[test]
fn a_pending_task_of_its_action_since_it_went_out_is_adopted_by_its_id() {
    let tasks = json!({"1e1d1-aaaa": {"view": "vm_status", "method": "PUT", "action": "reboot",
                                      "hostname": HOST, "time": "2026-01-01T00:00:00Z"}});
    let resp = status(tasks, "2026-01-01T00:00:00Z");
    let Ok(Found::Adopted(acc)) = find(
        &api(),
        &vm("running", false),
        &Action::Reboot,
        SENT,
        None,
        &resp,
    ) else {
        panic!()
    };
    assert_eq!(
        acc.provider_ref,
        ProviderRef::ErigonesTask {
            hostname: HOST.into(),
            task_id: "1e1d1-aaaa".into()
        }
    );
}

#[test]
fn no_task_and_no_change_since_is_not_taken() {
    let resp = status(json!({}), "2025-12-31T10:00:00Z");
    let v = vm("running", false);
    assert_eq!(
        find(&api(), &v, &Action::Reboot, SENT, None, &resp),
        Ok(Found::NotTaken)
    );
}

#[test]
fn a_change_since_with_no_task_left_is_looked_for_in_the_task_log() {
    let v = vm("running", false);
    let resp = status(json!({}), "2026-01-01T00:00:04Z");
    let Ok(Found::Look(cursor)) = find(&api(), &v, &Action::Reboot, SENT, None, &resp) else {
        panic!()
    };
    let target = crate::dialect::testing::target_of(&v);
    let s = crate::dialect::Submit {
        target: &target,
        vm: Some(&v),
        action: &Action::Reboot,
        stage: 0,
        sent_at: SENT,
    };
    let req = api().find_submit(&s, Some(&cursor)).unwrap();
    assert_eq!(
        req.url,
        format!("{BASE}/task/log/?page=1&object_type=vm&object_name={HOST}")
    );
    let log = |msg: &str, time: &str| {
        let entry = json!({"time": time, "task": "1e1d1-bbbb", "status": "SUCCESS", "msg": msg,
                           "object_name": HOST, "object_type": "vm"});
        let result = json!({"count": 1, "next": null, "previous": null, "results": [entry]});
        HttpResponse::new(
            200,
            json!({"status": "SUCCESS", "result": result}).to_string(),
        )
    };
    let got = find(
        &api(),
        &v,
        &Action::Reboot,
        SENT,
        Some(&cursor),
        &log("Reboot server", "2026-01-01T00:00:00Z"),
    );
    let Ok(Found::Adopted(acc)) = got else {
        panic!("{got:?}")
    };
    assert_eq!(acc.state, TaskState::Succeeded);
    // Another action, or one logged before it went out: not it.
    for (msg, time) in [
        ("Start server", "2026-01-01T00:00:00Z"),
        ("Reboot server", "2025-12-31T23:00:00Z"),
    ] {
        let got = find(
            &api(),
            &v,
            &Action::Reboot,
            SENT,
            Some(&cursor),
            &log(msg, time),
        );
        assert_eq!(got, Ok(Found::NotTaken), "{msg} {time}");
    }
}
