//! Tasks: their status, retries, many at once.

use serde_json::{json, Value};

use super::*;

#[test]
fn reads_the_documented_task_example() {
    let req = api().observe_request(&task_ref());
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.url, format!("{BASE}/compute/tasks/{ID}"));
    assert!(req
        .headers
        .contains(&("Authorization".into(), "Bearer sk-onetsolutions-abc".into())));
    let o = api()
        .parse_observation(&task_ref(), &HttpResponse::new(200, DOC_TASK), 0)
        .unwrap();
    assert_eq!(o.state, TaskState::Pending);
    assert_eq!(o.raw_status, "pending");
    assert_eq!(o.attempt, Some((124, 2_147_483_648)), "retrying");
    assert_eq!(
        o.message.as_deref(),
        Some("<unknown>"),
        "the result is shown"
    );
}

#[test]
fn every_task_status_is_mapped_and_the_result_never_decides() {
    let success_words = json!({"message": "completed successfully", "ok": true});
    let cases = [
        ("pending", TaskState::Pending),
        ("running", TaskState::Running),
        ("completed", TaskState::Succeeded),
        ("failed", TaskState::Failed),
        ("cancelled", TaskState::Cancelled),
        ("retrying", TaskState::Unknown("retrying".into())),
        ("scheduled", TaskState::Unknown("scheduled".into())),
    ];
    for (status, want) in cases {
        let o = observe_task(&task(status, 0, 0, success_words.clone()));
        assert_eq!(o.state, want, "{status}");
        assert_eq!(o.raw_status, status);
        assert_eq!(o.attempt, None, "no retries: no attempt count");
    }
    let o = observe_task(&json!({"id": ID}));
    assert_eq!(o.state, TaskState::Unknown("(no status)".into()));
    assert!(!o.state.is_terminal());
    // The result is shown as it is, never interpreted.
    let o = observe_task(&task("running", 0, 0, json!("done!")));
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(o.message.as_deref(), Some("done!"));
    let o = observe_task(&task("running", 0, 0, json!({"step": 3, "of": 5})));
    assert_eq!(o.message.as_deref(), Some(r#"{"of":5,"step":3}"#));
    let o = observe_task(&task("running", 0, 0, json!("x".repeat(1000))));
    assert!(o.message.unwrap().chars().count() <= MAX_RESULT_TEXT + 1);
}

#[test]
fn a_failed_attempt_with_retries_left_is_not_a_failure() {
    let o = observe_task(&task(
        "failed",
        0,
        2,
        json!({"error": "Proxmox task timed out"}),
    ));
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(o.raw_status, "failed", "the provider's word stays verbatim");
    assert_eq!(o.attempt, Some((1, 3)), "attempt 1 of 3 failed");
    assert_eq!(o.message.as_deref(), Some("Proxmox task timed out"));

    let o = observe_task(&task(
        "pending",
        1,
        2,
        json!({"last_error": "Hypervisor node did not answer"}),
    ));
    assert_eq!(o.state, TaskState::Pending);
    assert_eq!(o.attempt, Some((2, 3)));
    assert_eq!(o.message.as_deref(), Some("Hypervisor node did not answer"));

    let o = observe_task(&task("running", 1, 2, Value::Null));
    assert_eq!(o.attempt, Some((2, 3)));
    assert_eq!(o.message, None, "no words of the provider's");

    // The last attempt failed: failed, with the provider's words.
    let o = observe_task(&task(
        "failed",
        2,
        2,
        json!({"error": "QEMU guest agent not responding", "attempts": 3}),
    ));
    assert_eq!(o.state, TaskState::Failed);
    assert_eq!(o.attempt, Some((3, 3)));
    assert_eq!(
        o.message.as_deref(),
        Some("QEMU guest agent not responding")
    );

    // The count never overflows.
    let o = observe_task(&task("pending", 4_294_967_295, 4_294_967_295, Value::Null));
    assert_eq!(o.attempt, Some((u32::MAX, u32::MAX)));
}

#[test]
fn a_task_that_is_gone_is_decided_by_the_instance() {
    let gone = HttpResponse::new(404, r#"{"detail": "Not found."}"#);
    let o = api().parse_observation(&task_ref(), &gone, 0).unwrap();
    assert_eq!(o.state, TaskState::Expired);
    assert_eq!(o.raw_status, "Not found.");
    let garbage = HttpResponse::new(200, r#"{"id": "3c90c3cc", "status": "runn"#);
    let e = api()
        .parse_observation(&task_ref(), &garbage, 0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}

#[test]
fn the_task_list_observes_many_at_once_page_by_page() {
    let other = ProviderRef::OnetTask {
        instance_id: "i2".into(),
        task_id: "t2".into(),
    };
    let finished = ProviderRef::OnetTask {
        instance_id: "i3".into(),
        task_id: "t3".into(),
    };
    let refs = [&task_ref(), &other, &finished];
    let req = api().observe_many_request(&refs).unwrap();
    assert_eq!(
        req.url,
        format!("{BASE}/compute/tasks?page=1&page_size=100")
    );
    let foreign = ProviderRef::HostwayServer {
        server_id: "s".into(),
    };
    assert!(api()
        .observe_many_request(&[&task_ref(), &foreign])
        .is_none());
    let mut t2 = task(
        "pending",
        1,
        2,
        json!({"last_error": "Hypervisor node did not answer"}),
    );
    t2["id"] = json!("t2");
    let resp = HttpResponse::new(
        200,
        json!({"count": 2, "next": null, "previous": null,
               "results": [task("running", 0, 2, Value::Null), t2]})
        .to_string(),
    );
    let got = api().parse_observe_many(&refs, &resp, 0).unwrap();
    assert_eq!(got[0].as_ref().unwrap().state, TaskState::Running);
    assert_eq!(got[1].as_ref().unwrap().attempt, Some((2, 3)));
    assert!(got[2].is_none(), "not on this page");
    // The last page: nothing more to read, t3 is asked on its own.
    assert!(api().observe_many_next(&[&finished], &resp).is_none());
}

/// A page of the task list, its links absolute.
fn page(prev: Option<u32>, next: Option<u32>, results: Vec<Value>) -> HttpResponse {
    let link = |n: Option<u32>| {
        n.map_or(Value::Null, |n| {
            json!(format!("{BASE}/compute/tasks?page={n}&page_size=100"))
        })
    };
    HttpResponse::new(
        200,
        json!({"count": 450, "next": link(next), "previous": link(prev),
               "results": results})
        .to_string(),
    )
}

#[test]
fn the_task_list_is_followed_while_a_watched_task_is_missing() {
    let finished = ProviderRef::OnetTask {
        instance_id: "i3".into(),
        task_id: "t3".into(),
    };
    // A finished task on the list is settled by it, failed or completed.
    let mut t3 = task("completed", 0, 2, Value::Null);
    t3["id"] = json!("t3");
    let p2 = page(Some(1), Some(3), vec![t3]);
    let got = api().parse_observe_many(&[&finished], &p2, 0).unwrap();
    assert_eq!(got[0].as_ref().unwrap().state, TaskState::Succeeded);
    // Pages are followed, at the links given, while a watched task is not yet found.
    let p1 = page(None, Some(2), vec![]);
    assert_eq!(
        api().observe_many_next(&[&finished], &p1).unwrap().url,
        format!("{BASE}/compute/tasks?page=2&page_size=100")
    );
    assert_eq!(
        api().observe_many_next(&[&finished], &p2).unwrap().url,
        format!("{BASE}/compute/tasks?page=3&page_size=100")
    );
    // Not when every watched task was found, nor backwards, nor deeper than the cap.
    assert!(api().observe_many_next(&[], &p1).is_none());
    assert!(api()
        .observe_many_next(&[&finished], &page(Some(3), Some(2), vec![]))
        .is_none());
    let deep = page(Some(MAX_TASK_PAGES - 1), Some(MAX_TASK_PAGES + 1), vec![]);
    assert!(api().observe_many_next(&[&finished], &deep).is_none());
    // A cursor link is followed as given; one to another host is not.
    let cursor = HttpResponse::new(
        200,
        json!({"count": 450, "next": format!("{BASE}/compute/tasks?cursor=x2&page_size=100"),
               "previous": null, "results": []})
        .to_string(),
    );
    assert_eq!(
        api().observe_many_next(&[&finished], &cursor).unwrap().url,
        format!("{BASE}/compute/tasks?cursor=x2&page_size=100")
    );
    let elsewhere = HttpResponse::new(
        200,
        json!({"count": 450, "next": "https://elsewhere.example/compute/tasks?page=2",
               "previous": null, "results": []})
        .to_string(),
    );
    assert!(api().observe_many_next(&[&finished], &elsewhere).is_none());
    let refused = HttpResponse::new(429, r#"{"detail": "throttled"}"#);
    assert!(api().observe_many_next(&[&finished], &refused).is_none());
}
