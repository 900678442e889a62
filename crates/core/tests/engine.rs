//! The engine's decisions, driven with a fake clock and scripted cloudsfor answers.

mod common;

use common::drive::{noticed_op, notices, Drive};
use common::scripted::*;
use serde_json::json;
use vigil_core::engine::Schedule;
use vigil_core::{
    Action, ActionKind, Command, ConnectionConfig, Credentials, DialectKind, Engine, ErrorKind,
    HttpResponse, ListState, Method, Mismatch, NetError, Note, Phase, Plan, Refusal, Resize,
    StepState,
};

#[test]
fn a_reboot_goes_from_submitted_to_verified_done() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    assert_eq!(e.op(&id).phase, Phase::Submitted);
    let v1 = e.vm("c1", "v1").unwrap();
    assert_eq!(e.view().status_label(&"c1".into(), &v1), "rebooting…");

    let post = only(e.round(T0));
    assert_eq!(post.request.method, Method::Post);
    assert_eq!(post.request.url, format!("{BASE}/vms/v1/actions"));
    e.answer(post.token, Ok(accepted("reboot")), T0 + 300);
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Accepted);
    assert_eq!(op.provider_status.as_deref(), Some("in-progress"));

    // Nothing is due until the first observation.
    assert!(e.round(T0 + 1_000).is_empty());
    let wake = e.wake().unwrap();
    assert!(wake > T0 + 1_000 && wake <= T0 + 5_000, "wake {wake}");

    let get = only(e.round(wake));
    assert_eq!(get.request.url, format!("{BASE}/vms/v1/actions"));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "reboot",
            "in-progress",
            "2026-01-01T00:00:00Z",
        )])),
        wake,
    );
    assert_eq!(e.op(&id).phase, Phase::InProgress);

    let t = e.wake().unwrap();
    let get = only(e.round(t));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "reboot",
            "completed",
            "2026-01-01T00:00:00Z",
        )])),
        t,
    );
    // The task is done; the VM must say so too before we do.
    assert_eq!(e.op(&id).phase, Phase::Verifying);
    let read = only(e.round(t));
    assert_eq!(
        read.request.url,
        format!("{BASE}/vms/v1"),
        "a read of that VM alone"
    );
    e.answer(
        read.token,
        Ok(list(&[vm("v1", "web-01", "running", false)])),
        t + 100,
    );
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Succeeded);
    assert_eq!(op.finished_at, Some(t + 100));
    assert!(noticed_op(&e.events(), &id), "the user hears it is done");
    let v1 = e.vm("c1", "v1").unwrap();
    assert_eq!(e.view().status_label(&"c1".into(), &v1), "running");
}

#[test]
fn done_is_not_claimed_while_the_vm_disagrees() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Shutdown, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("shutdown")), T0);
    let t = e.wake().unwrap();
    let get = only(e.round(t));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "shutdown",
            "completed",
            "2026-01-01T00:00:00Z",
        )])),
        t,
    );
    // The guest ignored the shutdown: the VM keeps running.
    let mut now = t;
    for _ in 0..30 {
        let out = e.round(now);
        for o in out {
            e.answer(
                o.token,
                Ok(list(&[vm("v1", "web-01", "running", false)])),
                now,
            );
        }
        if !e.op(&id).is_open() {
            break;
        }
        assert_eq!(e.op(&id).phase, Phase::Verifying);
        now = e.wake().unwrap();
    }
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::NeedsCheck);
    assert!(
        now - t >= Schedule::default().verify_grace,
        "gave the VM its grace period"
    );
    assert_eq!(
        op.note,
        Some(Note::Disagrees(Mismatch::Power {
            status: "running".into()
        }))
    );

    // Later the VM did go down: "check now" re-reads it and settles the operation.
    e.cmd(Command::CheckNow { op: id.clone() }, now + 60_000)
        .unwrap();
    assert_eq!(e.op(&id).phase, Phase::Verifying);
    // Its read (and the minute's listing, due as well) show the VM off.
    let reads = e.round(now + 60_000);
    assert!(reads
        .iter()
        .any(|r| r.request.url == format!("{BASE}/vms/v1")));
    for r in reads {
        e.answer(
            r.token,
            Ok(list(&[vm("v1", "web-01", "stopped", false)])),
            now + 60_100,
        );
    }
    assert_eq!(e.op(&id).phase, Phase::Succeeded);
}

#[test]
fn an_errored_action_fails_with_a_clear_message_and_refreshes_the_list() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::PowerCycle, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("power_cycle")), T0);
    let t = e.wake().unwrap();
    let get = only(e.round(t));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "power_cycle",
            "errored",
            "2026-01-01T00:00:00Z",
        )])),
        t,
    );
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Failed);
    assert!(
        matches!(&op.note, Some(Note::Reported { cancelled: false, status, .. }) if status == "errored"),
        "{:?}",
        op.note
    );
    // A fresh read of the VM goes out at once so the row shows the real state.
    let out = only(e.round(t));
    assert_eq!(out.request.url, format!("{BASE}/vms/v1"));
}

#[test]
fn a_refused_request_keeps_the_providers_words() {
    let mut e = engine_with(&[vm("v1", "web-01", "stopped", false)]);
    let id = e
        .start(
            "c1",
            "v1",
            Action::Resize(Resize::All {
                cpu: 2,
                ram: 4,
                disk: 50,
            }),
            T0,
        )
        .unwrap();
    let post = only(e.round(T0));
    let body: serde_json::Value =
        serde_json::from_str(post.request.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"type": "resize", "data": {"cpu": 2, "ram": 4, "disk": 50}})
    );
    e.answer(
        post.token,
        Ok(HttpResponse::new(
            422,
            r#"{"id": "unprocessable_entity", "message": "Disk can not be decreased"}"#,
        )),
        T0,
    );
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!(err.status, Some(422));
    assert_eq!(
        err.provider_text.as_deref(),
        Some("Disk can not be decreased")
    );
    assert!(!op.note.as_ref().unwrap().to_string().contains("s3cret"));
}

#[test]
fn a_lost_submit_is_looked_for_and_adopted_when_the_provider_took_it() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(
        post.token,
        Err(NetError("connection reset".into())),
        T0 + 50,
    );
    // Not ended, neither failed nor done: the provider is asked whether it took it.
    assert_eq!(e.op(&id).phase, Phase::Submitted);
    let look = only(e.round(T0 + 50));
    assert_eq!(look.request.method, Method::Get);
    assert_eq!(look.request.url, format!("{BASE}/vms/v1/actions"));
    let older = action("reboot", "completed", "2025-12-31T23:00:00Z");
    let ours = action("reboot", "in-progress", "2026-01-01T00:00:00Z");
    e.answer(look.token, Ok(actions(&[ours, older])), T0 + 100);
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Accepted, "{:?}", op.note);
    assert_eq!(op.accepted_at, Some(T0), "accepted when it went out");
    assert!(matches!(
        &op.provider_ref,
        Some(vigil_core::ProviderRef::CloudsforAction { started_at, .. }) if started_at == "2026-01-01T00:00:00Z"
    ));
    // Followed from here, never sent again.
    for t in [T0 + 5_000, T0 + 20_000, T0 + 60_000] {
        for o in e.round(t) {
            assert_ne!(o.request.method, Method::Post, "{o:?}");
        }
    }
}

#[test]
fn a_server_error_to_a_submit_the_provider_shows_no_trace_of_ends_not_taken_with_retry() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(
        post.token,
        Ok(HttpResponse::new(503, r#"{"message": "upstream timeout"}"#)),
        T0 + 50,
    );
    assert_eq!(e.op(&id).phase, Phase::Submitted, "neither failed nor done");
    // An earlier reboot of the VM is not this one.
    let older = action("reboot", "completed", "2025-12-31T23:00:00Z");
    let look = only(e.round(T0 + 50));
    assert_eq!(look.request.method, Method::Get);
    e.answer(
        look.token,
        Ok(actions(std::slice::from_ref(&older))),
        T0 + 100,
    );
    assert_eq!(e.op(&id).phase, Phase::Submitted, "one read is not enough");
    // A write still on its way has had time to land by the second read.
    let when = e.wake().unwrap();
    assert!(when >= T0 + 3_000, "{when}");
    let again = only(e.round(when));
    assert_eq!(again.request.url, look.request.url);
    e.answer(again.token, Ok(actions(&[older])), when + 50);
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Failed);
    assert_eq!(op.note, Some(Note::NotTaken));
    assert_eq!(op.last_error.as_ref().and_then(|e| e.status), Some(503));
    assert!(e.view().can_retry(&id), "Retry is offered");
    for t in [when, when + 5_000, when + 60_000] {
        for o in e.round(t) {
            assert_ne!(o.request.method, Method::Post, "{o:?}");
        }
    }
}

#[test]
fn a_listing_reads_a_part_again_once_after_a_passing_server_error() {
    let mut e = Engine::new("t");
    e.add(cfg(), T0);
    let first = only(e.round(T0));
    e.answer(first.token, Ok(HttpResponse::new(503, "busy")), T0);
    assert!(
        !matches!(e.list_state("c1"), Some(ListState::Failed { .. })),
        "no error shown for one bad answer"
    );
    let again = only(e.round(T0 + 10));
    assert_eq!(again.request.url, first.request.url);
    e.answer(
        again.token,
        Ok(list(&[vm("v1", "web-01", "running", false)])),
        T0 + 60,
    );
    assert!(matches!(e.list_state("c1"), Some(ListState::Ready { .. })));
    assert_eq!(e.vms("c1").len(), 1);

    // A second bad answer in the same listing is an error the user sees.
    e.cmd(Command::Refresh { conn: "c1".into() }, T0 + 1_000)
        .unwrap();
    let a = only(e.round(T0 + 1_000));
    e.answer(a.token, Ok(HttpResponse::new(503, "busy")), T0 + 1_000);
    let b = only(e.round(T0 + 1_010));
    e.answer(b.token, Ok(HttpResponse::new(502, "busy")), T0 + 1_010);
    assert!(matches!(e.list_state("c1"), Some(ListState::Failed { .. })));
    assert_eq!(e.vms("c1").len(), 1, "what was shown stays");
}

#[test]
fn one_operation_per_vm_and_only_valid_actions() {
    let mut e = engine_with(&[
        vm("v1", "web-01", "running", false),
        vm("v2", "db-01", "stopped", false),
        vm("v3", "cache-01", "running", true),
    ]);
    assert_eq!(
        e.start("c1", "v2", Action::Reboot, T0).unwrap_err(),
        Refusal::IsOff
    );
    // The locked VM runs an operation nobody here started: the refusal names it.
    assert_eq!(
        e.start("c1", "v3", Action::Reboot, T0).unwrap_err(),
        Refusal::BusyWithOperation {
            vm: "cache-01".into(),
            action: Action::Elsewhere { raw: String::new() }
        }
    );
    assert_eq!(
        e.start("c1", "v1", Action::Rename { name: "  ".into() }, T0)
            .unwrap_err(),
        Refusal::EnterName
    );
    e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let again = e.start("c1", "v1", Action::Reboot, T0).unwrap_err();
    assert!(
        matches!(again, Refusal::BusyWithOperation { .. }),
        "{again:?}"
    );
    let choices = e.view().choices(&"c1".into(), &"v1".into());
    assert!(
        choices.iter().all(|c| c.reason.is_some()),
        "all disabled while one runs"
    );
    let choices = e.view().choices(&"c1".into(), &"v2".into());
    let allowed: Vec<ActionKind> = choices
        .iter()
        .filter(|c| c.reason.is_none())
        .filter_map(|c| match c.command {
            vigil_core::engine::VmCommand::Action(k) => Some(k),
            _ => None,
        })
        .collect();
    assert_eq!(
        allowed,
        vec![
            ActionKind::Start,
            ActionKind::Resize,
            ActionKind::Rename,
            ActionKind::Snapshot,
            ActionKind::Rebuild,
            ActionKind::Delete
        ]
    );
}

#[test]
fn verifications_due_together_share_the_page_their_vms_were_listed_on() {
    let mut e = engine_with(&[
        vm("v1", "web-01", "running", false),
        vm("v2", "web-02", "running", false),
    ]);
    // A fixed schedule without observe-many, so both are looked at together, each on its own.
    e.set_policy(Box::new(vigil_core::policy::Fixed {
        batch: None,
        ..Default::default()
    }));
    let a = e
        .start(
            "c1",
            "v1",
            Action::Rename {
                name: "api-01".into(),
            },
            T0,
        )
        .unwrap();
    let b = e
        .start(
            "c1",
            "v2",
            Action::Rename {
                name: "api-02".into(),
            },
            T0,
        )
        .unwrap();
    let posts = e.round(T0);
    assert_eq!(posts.len(), 2);
    for p in posts {
        let vm_id = if p.request.url.contains("/vms/v1/") {
            "v1"
        } else {
            "v2"
        };
        e.answer(p.token, Ok(accepted_on(vm_id, "rename")), T0);
    }
    let t = e.wake().unwrap();
    let gets = e.round(t);
    assert_eq!(gets.len(), 2, "one actions read per VM");
    for g in gets {
        let vm_id = if g.request.url.contains("/vms/v1/") {
            "v1"
        } else {
            "v2"
        };
        let done = action_on(vm_id, "rename", "completed", "2026-01-01T00:00:00Z");
        e.answer(g.token, Ok(actions(&[done])), t);
    }
    // Both wait for VMs listed on the same page: one read of it verifies both.
    let read = only(e.round(t));
    assert_eq!(read.request.url, format!("{BASE}/vms?page=1&per_page=200"));
    e.answer(
        read.token,
        Ok(list(&[
            vm("v1", "api-01", "running", false),
            vm("v2", "api-02", "running", false),
        ])),
        t,
    );
    assert_eq!(e.op(&a).phase, Phase::Succeeded);
    assert_eq!(e.op(&b).phase, Phase::Succeeded);
    assert_eq!(e.vm("c1", "v1").unwrap().name, "api-01");
}

#[test]
fn server_errors_back_off_and_the_operation_survives() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("reboot")), T0);
    let mut gaps = Vec::new();
    let mut last = T0;
    for _ in 0..4 {
        let t = e.wake().unwrap();
        gaps.push(t - last);
        last = t;
        let get = only(e.round(t));
        e.answer(
            get.token,
            Ok(HttpResponse::new(503, "<html>unavailable</html>")),
            t,
        );
        let op = e.op(&id);
        assert!(op.is_open());
        assert_eq!(op.last_error.as_ref().unwrap().status, Some(503));
    }
    assert!(gaps[3] > gaps[1], "waits grow: {gaps:?}");
    // The provider recovers and the operation carries on.
    let t = e.wake().unwrap();
    let get = only(e.round(t));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "reboot",
            "completed",
            "2026-01-01T00:00:00Z",
        )])),
        t,
    );
    assert_eq!(e.op(&id).phase, Phase::Verifying);
    assert!(e.op(&id).last_error.is_none());
}

#[test]
fn a_429_holds_every_request_to_that_provider_until_retry_after() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(
        post.token,
        Ok(HttpResponse::new(
            429,
            r#"{"id": "too_many_requests", "message": "API Rate limit exceeded."}"#,
        )
        .with_header("Retry-After", "30")),
        T0,
    );
    assert_eq!(
        e.op(&id).phase,
        Phase::Submitted,
        "not accepted, not failed"
    );
    assert!(e.round(T0 + 29_000).is_empty());
    assert!(e.wake().unwrap() >= T0 + 30_000);
    let again = only(e.round(T0 + 30_000));
    assert_eq!(again.request.method, Method::Post);
}

#[test]
fn an_unknown_task_status_is_shown_raw_and_never_success() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("reboot")), T0);
    let t = e.wake().unwrap();
    let get = only(e.round(t));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "reboot",
            "queued-for-maintenance",
            "2026-01-01T00:00:00Z",
        )])),
        t,
    );
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::InProgress);
    assert_eq!(
        op.provider_status.as_deref(),
        Some("queued-for-maintenance")
    );
}

#[test]
fn past_its_deadline_an_operation_times_out_and_check_now_resumes_it() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e
        .start("c1", "v1", Action::Rename { name: "x".into() }, T0)
        .unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("rename")), T0);
    let mut now = T0;
    while e.op(&id).is_open() {
        now = e.wake().unwrap();
        for o in e.round(now) {
            let answer = if o.request.url.contains("/vms?") {
                list(&[vm("v1", "web-01", "running", false)])
            } else {
                actions(&[action("rename", "in-progress", "2026-01-01T00:00:00Z")])
            };
            e.answer(o.token, Ok(answer), now);
        }
        assert!(now < T0 + 10 * 60_000, "must time out");
    }
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::TimedOut);
    assert!(now - T0 >= 2 * 60_000);
    assert!(
        matches!(&op.note, Some(Note::TimedOut { last: Some(l), .. }) if l == "in-progress"),
        "{:?}",
        op.note
    );
    let wake = e.wake().unwrap();
    assert!(
        wake > now + 30_000,
        "only the list refresh remains, not a poll: {}",
        wake - now
    );

    e.cmd(Command::CheckNow { op: id.clone() }, now + 1)
        .unwrap();
    assert_eq!(e.op(&id).phase, Phase::InProgress);
    let get = only(e.round(now + 1));
    assert!(get.request.url.ends_with("/vms/v1/actions"));
}

#[test]
fn listing_follows_pages_and_a_failed_refresh_keeps_what_was_shown() {
    let mut e = Engine::new("t");
    e.add(cfg(), T0);
    let p1 = only(e.round(T0));
    // A cursor-style link, not a page number: the next page is read at it, as given.
    let next = format!("{BASE}/vms?per_page=200&cursor=eyJhZnRlciI6InYxIn0%3D");
    let page1 = json!({"vms": [vm("v1", "web-01", "running", false)],
                       "links": {"pages": {"next": next}}});
    e.answer(p1.token, Ok(HttpResponse::new(200, page1.to_string())), T0);
    assert_eq!(e.list_state("c1"), Some(ListState::Loading));
    let p2 = only(e.round(T0));
    assert_eq!(p2.request.url, next);
    e.answer(
        p2.token,
        Ok(list(&[vm("v2", "db-01", "stopped", false)])),
        T0,
    );
    assert_eq!(e.vms("c1").len(), 2);
    assert_eq!(e.list_state("c1"), Some(ListState::Ready { at: T0 }));

    // The refresh a minute later is refused: the VMs stay, the error shows, and no retry loop
    // hammers the provider with bad credentials.
    let t = e.wake().unwrap();
    assert_eq!(t, T0 + 60_000);
    let r = only(e.round(t));
    e.answer(
        r.token,
        Ok(HttpResponse::new(
            401,
            r#"{"id": "unauthorized", "message": "Unable to authenticate you"}"#,
        )),
        t,
    );
    assert_eq!(e.vms("c1").len(), 2);
    match e.list_state("c1") {
        Some(ListState::Failed { error, .. }) => {
            assert_eq!(
                error.provider_text.as_deref(),
                Some("Unable to authenticate you")
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.wake(), None);
    let told = notices(&e.events());
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(
        told[0].about,
        vigil_core::engine::About::Connection("c1".into())
    );
}

#[test]
fn a_next_page_on_another_host_ends_the_listing_with_an_error_and_no_credentials_go_there() {
    let mut e = Engine::new("t");
    e.add(cfg(), T0);
    let p1 = only(e.round(T0));
    let page1 = json!({"vms": [vm("v1", "web-01", "running", false)],
                       "links": {"pages": {"next": "https://other.host/api/v1/vms?page=2&per_page=200"}}});
    e.answer(p1.token, Ok(HttpResponse::new(200, page1.to_string())), T0);
    match e.list_state("c1") {
        Some(ListState::Failed { error, .. }) => assert_eq!(error.kind, ErrorKind::BadResponse),
        other => panic!("{other:?}"),
    }
    // Nothing went to the other host.
    assert!(e.round(T0).is_empty());
}

#[test]
fn requests_never_carry_credentials_in_the_url() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    assert!(!post.request.url.contains("s3cret") && !post.request.url.contains("me@example.com"));
    assert!(!post.request.describe().contains("Basic"));
}

#[test]
fn a_revoked_session_logs_in_again_instead_of_giving_up() {
    let mut e = Engine::new("t");
    e.add(
        ConnectionConfig {
            id: "er".into(),
            name: "Danube".into(),
            dialect: DialectKind::Erigones,
            base_url: "https://dc.test/api".into(),
            credentials: Credentials::Login {
                username: "ops".into(),
                password: "pw".into(),
            },
            demo: false,
        },
        T0,
    );
    let login = json!({"token": "tok-1", "expires": "2026-01-01T01:00:00Z"}).to_string();
    let status = json!({"status": "SUCCESS", "task_id": "0-x", "result": [
        {"hostname": "web-01.test", "alias": "web-01", "status": "running", "tasks": {}}
    ]})
    .to_string();
    let l1 = only(e.round(T0));
    assert!(l1.request.url.ends_with("/accounts/login/"));
    e.answer(l1.token, Ok(HttpResponse::new(200, login.clone())), T0);
    let list = only(e.round(T0));
    assert!(list
        .request
        .headers
        .contains(&("Authorization".into(), "Token tok-1".into())));
    // The provider revoked the token early.
    e.answer(
        list.token,
        Ok(HttpResponse::new(401, r#"{"detail": "Invalid token."}"#)),
        T0,
    );
    let t = e.wake().expect("the console keeps going").max(T0);
    let l2 = only(e.round(t));
    assert!(
        l2.request.url.ends_with("/accounts/login/"),
        "a new login, not a dead end"
    );
    e.answer(l2.token, Ok(HttpResponse::new(200, login)), t);
    let t = e.wake().unwrap().max(t);
    let list = only(e.round(t));
    e.answer(list.token, Ok(HttpResponse::new(200, status)), t);
    // The listing's second part: the VMs' addresses and sizes.
    let full = only(e.round(t));
    assert!(full.request.url.ends_with("/vm/?full=true"));
    let detail = json!({"status": "SUCCESS", "result": [
        {"hostname": "web-01.test", "alias": "web-01", "status": "running", "vcpus": 1,
         "ips": ["192.0.2.10"], "locked": false}
    ]})
    .to_string();
    e.answer(full.token, Ok(HttpResponse::new(200, detail)), t);
    assert_eq!(e.vms("er").len(), 1, "{:?}", e.list_state("er"));
    let ip = e.vms("er")[0].primary_address().map(|a| a.ip.clone());
    assert_eq!(ip.as_deref(), Some("192.0.2.10"));
    assert!(matches!(e.list_state("er"), Some(ListState::Ready { .. })));
}

/// An engine with a reboot accepted at T0 on v1, using a fixed 3 s schedule.
fn with_reboot_running() -> (Engine, vigil_core::OpId) {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("reboot")), T0);
    (e, id)
}

fn still_running() -> HttpResponse {
    actions(&[action("reboot", "in-progress", "2026-01-01T00:00:00Z")])
}

#[test]
fn a_hidden_tab_polls_at_most_every_30_s_and_looks_at_once_when_shown() {
    let (mut e, id) = with_reboot_running();
    e.pace(vigil_core::Pace::Background, T0);
    let mut rounds = Vec::new();
    let mut now = T0;
    while now < T0 + 120_000 {
        now = e.wake().unwrap().max(now);
        let out = e.round(now);
        if !out.is_empty() {
            rounds.push(now);
        }
        for o in out {
            e.answer(o.token, Ok(still_running()), now);
        }
    }
    assert!(rounds.len() >= 2);
    for w in rounds.windows(2) {
        assert!(w[1] - w[0] >= 30_000, "hidden rounds {rounds:?}");
    }
    // Shown again: one immediate look, whatever the schedule said.
    let shown = now + 1;
    e.pace(vigil_core::Pace::Foreground, shown);
    let out = e.round(shown);
    assert!(out
        .iter()
        .any(|o| o.request.url.ends_with("/vms/v1/actions")));
    assert!(e.op(&id).is_open());
}

#[test]
fn offline_sends_nothing_and_times_nothing_out_then_resumes_at_once() {
    let (mut e, id) = with_reboot_running();
    e.pace(vigil_core::Pace::Offline, T0 + 1_000);
    assert_eq!(e.wake(), None);
    // Far past the reboot's deadline, still offline: nothing sent, nothing decided.
    let later = T0 + 20 * 60_000;
    assert!(e.round(later).is_empty());
    assert!(e.op(&id).is_open());
    e.pace(vigil_core::Pace::Foreground, later);
    let out = e.round(later);
    let get = out
        .into_iter()
        .find(|o| o.request.url.ends_with("/vms/v1/actions"))
        .expect("an immediate look");
    e.answer(
        get.token,
        Ok(actions(&[action(
            "reboot",
            "completed",
            "2026-01-01T00:00:00Z",
        )])),
        later,
    );
    assert_eq!(e.op(&id).phase, Phase::Verifying);
}

#[test]
fn operations_survive_a_reload_and_resume() {
    let (e, id) = with_reboot_running();
    let saved = serde_json::to_string(&e.saved()).unwrap();
    drop(e);

    // The page reloads: a new engine, the same connection, the kept operations.
    let mut e = engine_with(&[vm("v1", "web-01", "running", true)]);
    let restored: vigil_core::SavedState = serde_json::from_str(&saved).unwrap();
    let now = T0 + 10_000;
    e.import(restored, now);
    assert!(
        e.allowed("c1", "v1", ActionKind::Reboot).is_err(),
        "still busy"
    );
    let get = only(e.round(now));
    assert!(get.request.url.ends_with("/vms/v1/actions"));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "reboot",
            "completed",
            "2026-01-01T00:00:00Z",
        )])),
        now,
    );
    let read = only(e.round(now));
    e.answer(
        read.token,
        Ok(list(&[vm("v1", "web-01", "running", false)])),
        now,
    );
    assert_eq!(e.op(&id).phase, Phase::Succeeded);
}

#[test]
fn a_reload_mid_submit_or_without_the_connection_asks_for_a_check() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let _lost = e.round(T0); // the page closes before the answer
    let saved = e.saved();

    let mut fresh = engine_with(&[vm("v1", "web-01", "running", false)]);
    fresh.import(saved.clone(), T0 + 5_000);
    let op = fresh.op(&id);
    assert_eq!(op.phase, Phase::NeedsCheck);
    assert_eq!(op.note, Some(Note::ClosedBeforeAnswer));

    let mut other = Engine::new("t2");
    other.import(saved, T0 + 5_000);
    assert_eq!(other.op(&id).phase, Phase::NeedsCheck);
    assert_eq!(other.wake(), None, "nothing to poll without the connection");
}

#[test]
fn vm_data_asked_for_before_the_task_ended_does_not_judge_it() {
    let mut e = engine_with(&[vm("v1", "web-01", "stopped", false)]);
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    let id = e.start("c1", "v1", Action::Start, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("power_on")), T0);
    // A background listing goes out while the VM is still booting…
    e.cmd(Command::Refresh { conn: "c1".into() }, T0 + 1_000)
        .unwrap();
    let stale = only(e.round(T0 + 1_000));
    // …then the look that sees the task completed.
    let t = e.wake().unwrap();
    let get = only(e.round(t));
    e.answer(
        get.token,
        Ok(actions(&[action(
            "power_on",
            "completed",
            "2026-01-01T00:00:00Z",
        )])),
        t,
    );
    assert_eq!(e.op(&id).phase, Phase::Verifying);
    // The listing's answer, from before the task ended, arrives late and says "stopped".
    e.answer(
        stale.token,
        Ok(list(&[vm("v1", "web-01", "stopped", false)])),
        t + 10,
    );
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Verifying);
    assert_eq!(op.note, None, "stale data is not a disagreement");
    // Its own read, asked for after the task ended, decides at once.
    let read = only(e.round(t + 10));
    e.answer(
        read.token,
        Ok(list(&[vm("v1", "web-01", "running", false)])),
        t + 60,
    );
    assert_eq!(e.op(&id).phase, Phase::Succeeded);
}

#[test]
fn a_following_tab_sends_nothing_shows_the_leaders_state_and_takes_over() {
    let (mut leader, id) = with_reboot_running();
    let mut follower = engine_with(&[vm("v1", "web-01", "running", false)]);
    follower.pace(vigil_core::Pace::Follower, T0);
    let share = leader.share_all(T0);
    follower.mirror(share, T0);
    assert!(follower.op(&id).is_open());
    assert!(
        follower.allowed("c1", "v1", ActionKind::Reboot).is_err(),
        "busy there too"
    );
    assert!(follower.round(T0 + 60_000).is_empty());
    assert_eq!(follower.wake(), None);

    // The leading tab closes; this one resumes the operation.
    follower.cmd(Command::TakeOver, T0 + 6_000).unwrap();
    follower.pace(vigil_core::Pace::Foreground, T0 + 6_000);
    let out = follower.round(T0 + 6_000);
    assert!(
        out.iter()
            .any(|o| o.request.url.ends_with("/vms/v1/actions")),
        "{out:?}"
    );
}

#[test]
fn the_vm_list_searches_filters_and_sorts() {
    use vigil_core::engine::{RowKey, SortKey, StateFilter, VmFilter};
    let mut e = engine_with(&[
        vm("v1", "web-02", "running", false),
        vm("v2", "DB-01", "stopped", false),
        vm("v3", "web-01", "running", true),
        vm("v4", "cache-01", "migrating", false),
    ]);
    let ids = |e: &Engine, f: &VmFilter| -> Vec<String> {
        e.view()
            .vm_rows(f)
            .into_iter()
            .map(|r| match r {
                RowKey::Vm(_, v) => v.to_string(),
                RowKey::Creating(op) => op.to_string(),
            })
            .collect()
    };
    let all = VmFilter::default();
    assert_eq!(
        ids(&e, &all),
        ["v4", "v2", "v3", "v1"],
        "by name, case-insensitive"
    );
    let web = VmFilter {
        query: " WEB ".into(),
        ..VmFilter::default()
    };
    assert_eq!(ids(&e, &web), ["v3", "v1"]);
    let by_id = VmFilter {
        query: "v2".into(),
        ..VmFilter::default()
    };
    assert_eq!(ids(&e, &by_id), ["v2"]);
    let busy = VmFilter {
        state: StateFilter::Busy,
        ..VmFilter::default()
    };
    assert_eq!(ids(&e, &busy), ["v3"], "the locked one");
    e.start("c1", "v1", Action::Reboot, T0).unwrap();
    assert_eq!(ids(&e, &busy), ["v3", "v1"], "ours running counts as busy");
    let running = VmFilter {
        state: StateFilter::Running,
        ..VmFilter::default()
    };
    assert!(ids(&e, &running).is_empty());
    let unknown = VmFilter {
        state: StateFilter::Unknown,
        ..VmFilter::default()
    };
    assert_eq!(ids(&e, &unknown), ["v4"]);
    let other = VmFilter {
        connection: Some("elsewhere".into()),
        ..VmFilter::default()
    };
    assert!(ids(&e, &other).is_empty());
    let by_status = VmFilter {
        sort: SortKey::Status,
        ..VmFilter::default()
    };
    // The locked VM sorts by the operation it shows (started elsewhere).
    assert_eq!(ids(&e, &by_status), ["v3", "v4", "v1", "v2"]);
}

#[test]
fn a_re_read_vm_keeps_the_project_it_was_listed_in() {
    let zenno = ConnectionConfig {
        id: "z".into(),
        name: "Zenno".into(),
        dialect: DialectKind::ZennoHosting,
        base_url: "https://api.zenno.test".into(),
        credentials: Credentials::Bearer { token: "t".into() },
        demo: false,
    };
    let vm_json = |state: &str| {
        json!({"id": "vm1", "name": "web-01", "state": state, "operation": null,
               "operationStatus": null, "bootStatus": "booted", "cpu": 1, "ramGb": 1,
               "diskGb": 10, "updatedAt": "2025-12-31T00:00:00Z"})
    };
    let mut e = Engine::new("t");
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    e.add(zenno, T0);
    let projects = only(e.round(T0));
    e.answer(
        projects.token,
        Ok(HttpResponse::new(
            200,
            json!({"items": [{"id": "p1", "name": "P"}]}).to_string(),
        )),
        T0,
    );
    let vms = only(e.round(T0));
    e.answer(
        vms.token,
        Ok(HttpResponse::new(
            200,
            json!({"items": [vm_json("running")]}).to_string(),
        )),
        T0,
    );
    assert_eq!(e.vm("z", "vm1").unwrap().project.as_deref(), Some("p1"));
    let id = e.start("z", "vm1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    assert_eq!(
        post.request.url,
        "https://api.zenno.test/projects/p1/vms/vm1/reboot"
    );
    e.answer(
        post.token,
        Ok(HttpResponse::new(202, r#"{"commandId": "c-1"}"#)),
        T0,
    );
    // The reboot fails; the engine re-reads that one VM, whose answer does not name its project.
    let t = e.wake().unwrap();
    let get = only(e.round(t));
    let mut failed = vm_json("running");
    failed["operation"] = json!("reboot");
    failed["operationStatus"] = json!("failed");
    failed["updatedAt"] = json!("2026-01-01T00:00:01Z");
    e.answer(get.token, Ok(HttpResponse::new(200, failed.to_string())), t);
    assert_eq!(e.op(&id).phase, Phase::Failed);
    let reread = only(e.round(t));
    assert_eq!(
        reread.request.url,
        "https://api.zenno.test/projects/p1/vms/vm1"
    );
    e.answer(
        reread.token,
        Ok(HttpResponse::new(200, vm_json("running").to_string())),
        t,
    );
    assert_eq!(e.vm("z", "vm1").unwrap().project.as_deref(), Some("p1"));
    // So the next action still has its URL.
    e.start("z", "vm1", Action::Shutdown, t).unwrap();
    let post = only(e.round(t));
    assert_eq!(
        post.request.url,
        "https://api.zenno.test/projects/p1/vms/vm1/stop"
    );
}

// ----- workflows on the fake clock ----------------------------------------------------------

/// Answers every request at `now` as a provider whose guest ignores the shutdown: the action
/// completes, the VM keeps running.
fn answer_ignoring(e: &mut Engine, now: i64) -> Vec<String> {
    let mut sent = Vec::new();
    for o in e.round(now) {
        let body = o.request.body.clone().unwrap_or_default();
        sent.push(format!("{} {}", o.request.describe(), body));
        let resp = if o.request.method == Method::Post {
            HttpResponse::new(
                201,
                json!({"action": action("shutdown", "in-progress", "2026-01-01T00:00:00Z")})
                    .to_string(),
            )
        } else if o.request.url.contains("/actions") {
            HttpResponse::new(
                200,
                json!({"actions": [action("shutdown", "completed", "2026-01-01T00:00:00Z")]})
                    .to_string(),
            )
        } else {
            list(&[vm("v1", "web-01", "running", false)])
        };
        e.answer(o.token, Ok(resp), now);
    }
    sent
}

#[test]
fn the_engine_wakes_up_for_the_countdowns_end_and_powers_off_then() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e
        .start_workflow("c1", "v1", Plan::Stop { grace_s: 45 }, T0)
        .unwrap();
    let post = only(e.round(T0));
    assert!(post.request.body.as_deref().unwrap().contains("shutdown"));
    e.answer(
        post.token,
        Ok(HttpResponse::new(
            201,
            json!({"action": action("shutdown", "in-progress", "2026-01-01T00:00:00Z")})
                .to_string(),
        )),
        T0 + 200,
    );
    let wf = e.wf(&id);
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
        now = e.wake().expect("something is scheduled");
        assert!(now > now_before || now == now_before && !sent.is_empty());
    }
    // …and at the countdown's very end, not a moment later, the power off goes out.
    assert_eq!(forced_at, Some(T0 + 45_200));
    let wf = e.wf(&id);
    assert_eq!(wf.steps[1].state, StepState::Running);
    assert_eq!(
        wf.countdown_left(T0 + 45_200),
        None,
        "the countdown is over"
    );
    let shutdown_op = wf.steps[0].op_id.clone().unwrap();
    assert_eq!(e.op(&shutdown_op).phase, Phase::NeedsCheck);
    // The workflow still holds the VM.
    assert!(e.allowed("c1", "v1", ActionKind::Start).is_err());
}

#[test]
fn a_grace_period_out_of_range_is_refused_in_words() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    for grace_s in [0, 100_000] {
        let why = e
            .start_workflow("c1", "v1", Plan::Stop { grace_s }, T0)
            .unwrap_err();
        assert_eq!(why, Refusal::GraceOutOfRange { max_s: 3600 });
    }
    assert_eq!(e.view().workflows().count(), 0);
    assert!(e.round(T0).is_empty());
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

#[test]
fn a_duration_is_learned_from_between_the_looks_that_saw_it_running_and_over() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("reboot")), T0);
    let mut running_seen = T0;
    let ended = loop {
        let t = e.wake().unwrap();
        let get = only(e.round(t));
        // The reboot ends 14 s after acceptance.
        let status = if t < T0 + 14_000 {
            "in-progress"
        } else {
            "completed"
        };
        e.answer(
            get.token,
            Ok(actions(&[action("reboot", status, "2026-01-01T00:00:00Z")])),
            t + 50,
        );
        if status == "completed" {
            break t;
        }
        running_seen = t;
    };
    let learned = e
        .events()
        .into_iter()
        .filter_map(|ev| match ev {
            vigil_core::Event::Learned(s) => Some(s),
            _ => None,
        })
        .next_back()
        .expect("a duration learned");
    let history: Vec<(DialectKind, ActionKind, vigil_core::policy::Estimate)> =
        serde_json::from_str(&learned).unwrap();
    let est = history[0].2;
    assert_eq!(history[0].1, ActionKind::Reboot);
    // The one run, out of its mean with the prior (which counts as three).
    let prior = vigil_core::policy::prior(DialectKind::Cloudsfor, ActionKind::Reboot);
    let run_s = (4.0 * est.mu - 3.0 * prior.mu).exp();
    let middle = (running_seen + ended) as f64 / 2.0 - T0 as f64;
    assert!(
        (run_s * 1000.0 - middle).abs() < 50.0,
        "learned {run_s} s; looks at {} and {} ms",
        running_seen - T0,
        ended - T0
    );
    assert!(ended - running_seen > 1_000, "the looks are apart");
}

#[test]
fn a_listing_read_before_a_vm_was_found_gone_does_not_bring_it_back() {
    let mut e = engine_with(&[vm("v1", "web-01", "stopped", false)]);
    // The next listing goes out, and its answer is slow to come.
    let t = e.wake().unwrap();
    let listing = only(e.round(t));
    assert!(listing.request.url.contains("/vms?"), "{listing:?}");
    // Meanwhile the VM is deleted, and a read of it answers 404.
    let del = Command::Delete {
        conn: "c1".into(),
        vm: "v1".into(),
        typed_name: "web-01".into(),
    };
    let id = e.cmd(del, t).unwrap().op().unwrap().clone();
    let delete = only(e.round(t));
    assert_eq!(delete.request.method, Method::Delete);
    e.answer(delete.token, Ok(HttpResponse::new(204, "")), t + 50);
    let mut now = t + 50;
    while e.op(&id).is_open() {
        now = e.wake().unwrap().max(now);
        for o in e.round(now) {
            assert!(o.request.url.ends_with("/vms/v1"), "{o:?}");
            e.answer(
                o.token,
                Ok(HttpResponse::new(404, r#"{"id": "not_found"}"#)),
                now + 50,
            );
        }
        now += 50;
    }
    assert_eq!(e.op(&id).phase, Phase::Succeeded);
    assert!(e.vm("c1", "v1").is_none());
    // The listing's answer, read before the VM was found gone, still shows it: it stays gone.
    e.answer(
        listing.token,
        Ok(list(&[vm("v1", "web-01", "stopped", false)])),
        now + 50,
    );
    assert!(
        e.vm("c1", "v1").is_none(),
        "a stale listing brought it back"
    );
}
