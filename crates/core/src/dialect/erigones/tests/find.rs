//! A lost write looked for in the VM's task log: there, pending or ended, it is adopted as it
//! stands; not there, it was not taken.

use super::*;
use crate::dialect::testing::find;
use crate::dialect::Found;
use serde_json::json;

/// 2026-01-01T00:00:00Z
const SENT: Millis = 1_767_225_600_000;

/// The VM's task log, newest first, holding one entry.
fn log(msg: &str, status: &str, time: &str) -> HttpResponse {
    let entry = json!({"time": time, "task": "1e1d1-bbbb", "status": status, "msg": msg,
                       "object_name": HOST, "object_type": "vm"});
    let result = json!({"count": 1, "next": null, "previous": null, "results": [entry]});
    HttpResponse::new(
        200,
        json!({"status": "SUCCESS", "result": result}).to_string(),
    )
}

#[test]
fn a_task_is_looked_for_in_the_vms_task_log() {
    let v = vm("running", false);
    let target = crate::dialect::testing::target_of(&v);
    let s = crate::dialect::Submit {
        target: &target,
        vm: Some(&v),
        action: &Action::Reboot,
        stage: 0,
        sent_at: SENT,
    };
    let req = api().find_submit(&s, None).unwrap();
    assert_eq!(
        req.url,
        format!("{BASE}/task/log/?page=1&object_type=vm&object_name={HOST}")
    );
}

#[test]
fn its_task_logged_since_it_went_out_is_adopted_by_its_id_pending_or_ended() {
    let v = vm("running", false);
    for (status, state) in [
        ("PENDING", TaskState::Pending),
        ("SUCCESS", TaskState::Succeeded),
        // Failed already, and the VM left as it was (its `status_change` too): taken all the
        // same.
        ("FAILURE", TaskState::Failed),
    ] {
        let resp = log("Reboot server", status, "2026-01-01T00:00:00Z");
        let got = find(&api(), &v, &Action::Reboot, SENT, None, &resp);
        let Ok(Found::Adopted(acc)) = got else {
            panic!("{status}: {got:?}")
        };
        assert_eq!(acc.state, state, "{status}");
        assert_eq!(
            acc.provider_ref,
            ProviderRef::ErigonesTask {
                hostname: HOST.into(),
                task_id: "1e1d1-bbbb".into()
            }
        );
    }
}

#[test]
fn no_task_of_its_action_logged_since_it_went_out_is_not_taken() {
    let v = vm("running", false);
    let empty = HttpResponse::new(
        200,
        json!({"status": "SUCCESS", "result": {"count": 0, "next": null, "previous": null,
               "results": []}})
        .to_string(),
    );
    assert_eq!(
        find(&api(), &v, &Action::Reboot, SENT, None, &empty),
        Ok(Found::NotTaken)
    );
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
            None,
            &log(msg, "SUCCESS", time),
        );
        assert_eq!(got, Ok(Found::NotTaken), "{msg} {time}");
    }
}
