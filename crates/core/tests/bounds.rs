//! Bounded by construction: every request has a time limit, a provider's wait is capped, a
//! deadline fires while the provider holds the connection back, a listing cannot loop, a
//! whole-fleet read gives way to small reads where it costs more bytes, and what is saved is a
//! delta that adds up to the state. Scripted cloudsfor answers on a fake clock.

mod common;

use common::drive::Drive;
use common::scripted::*;
use serde_json::json;
use vigil_core::engine::{Saved, REQUEST_TIMEOUT};
use vigil_core::error::MAX_RETRY_AFTER;
use vigil_core::{
    Action, Engine, ErrorKind, Event, HttpResponse, ListState, Method, Note, OpId, Phase,
    SavedState,
};

fn too_many(retry_after: &str) -> HttpResponse {
    HttpResponse::new(429, r#"{"message": "slow down"}"#).with_header("Retry-After", retry_after)
}

#[test]
fn a_submit_without_an_answer_in_time_is_looked_for_a_few_times_then_asks_for_a_check() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    assert_eq!(post.timeout, REQUEST_TIMEOUT);
    assert_eq!(
        e.wake(),
        Some(T0 + REQUEST_TIMEOUT),
        "it wakes for the time limit"
    );
    e.handle_timeout(T0 + REQUEST_TIMEOUT);
    // The answer arrives after all: it is too late to count.
    e.answer(post.token, Ok(accepted("reboot")), T0 + REQUEST_TIMEOUT + 5);
    assert_eq!(e.op(&id).phase, Phase::Submitted, "looked for");
    // The provider cannot be read: a few looks, each later than the one before, then a check.
    let mut looks = Vec::new();
    let mut now = T0 + REQUEST_TIMEOUT;
    while e.op(&id).is_open() {
        now = e.wake().expect("it looks again").max(now);
        for o in e.round(now) {
            assert_ne!(o.request.method, Method::Post, "{o:?}");
            if o.request.url.ends_with("/vms/v1/actions") {
                looks.push(now);
            }
            let down = HttpResponse::new(502, r#"{"message": "bad gateway"}"#);
            e.answer(o.token, Ok(down), now + 50);
        }
        now += 50;
        assert!(now < T0 + 10 * 60_000, "bounded");
    }
    assert!((3..=8).contains(&looks.len()), "{looks:?}");
    let gaps: Vec<_> = looks.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.windows(2).all(|g| g[1] >= g[0]), "{gaps:?}");
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::NeedsCheck);
    assert_eq!(
        op.note,
        Some(Note::SubmitTimedOut {
            after: REQUEST_TIMEOUT
        })
    );
    for t in [now, now + REQUEST_TIMEOUT, now + 600_000] {
        for o in e.round(t) {
            assert_ne!(o.request.method, Method::Post, "{o:?}");
        }
    }
}

#[test]
fn a_look_without_an_answer_in_time_is_asked_again() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("reboot")), T0);
    let t = e.wake().unwrap();
    let lost = only(e.round(t));
    assert!(lost.request.url.ends_with("/vms/v1/actions"));
    e.handle_timeout(t + REQUEST_TIMEOUT);
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::Accepted, "still followed");
    assert_eq!(
        op.last_error.as_ref().map(|e| e.kind),
        Some(ErrorKind::Network)
    );
    let when = e.wake().unwrap();
    let again = only(e.round(when));
    assert_eq!(again.request.url, lost.request.url);
}

#[test]
fn a_providers_wait_is_capped_and_hostile_values_saturate() {
    for hostile in ["1e300", "inf", "999999999999999999999", "-5", "NaN"] {
        let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
        e.start("c1", "v1", Action::Reboot, T0).unwrap();
        let post = only(e.round(T0));
        e.answer(post.token, Ok(too_many(hostile)), T0);
        let wake = e.wake().expect("it tries again");
        assert!(
            (T0..=T0 + MAX_RETRY_AFTER).contains(&wake),
            "Retry-After {hostile}: woke after {} ms",
            wake - T0
        );
    }
    let r = HttpResponse::new(429, "")
        .with_header("ratelimit-remaining", "0")
        .with_header("ratelimit-reset", "9223372036854775807");
    assert_eq!(
        vigil_core::error::retry_after(&r, T0),
        Some(MAX_RETRY_AFTER)
    );
}

#[test]
fn a_deadline_fires_while_the_provider_holds_the_connection_back() {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    let id = e
        .start("c1", "v1", Action::Rename { name: "x".into() }, T0)
        .unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("rename")), T0);
    let deadline = T0 + vigil_core::engine::deadline_for(vigil_core::ActionKind::Rename);
    // Every look is answered "wait ten minutes" from a minute before the deadline on.
    while e.op(&id).is_open() {
        let now = e.wake().expect("scheduled");
        assert!(
            now <= deadline,
            "woke at {} ms, past the deadline",
            now - T0
        );
        for o in e.round(now) {
            let r = if now >= deadline - 60_000 {
                too_many("600")
            } else {
                actions(&[action("rename", "in-progress", "2026-01-01T00:00:00Z")])
            };
            e.answer(o.token, Ok(r), now);
        }
    }
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::TimedOut);
    assert_eq!(
        op.finished_at,
        Some(deadline),
        "at its deadline, not after the wait"
    );
}

#[test]
fn a_verification_whose_reads_keep_failing_ends_at_the_deadline() {
    let mut e = engine_with(&[vm("v1", "web-01", "stopped", false)]);
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    let id = e.start("c1", "v1", Action::Start, T0).unwrap();
    let post = only(e.round(T0));
    e.answer(post.token, Ok(accepted("power_on")), T0);
    let deadline = T0 + vigil_core::engine::deadline_for(vigil_core::ActionKind::Start);
    // The task is seen completed; from then on the provider is down: every read fails.
    let mut ended = false;
    while e.op(&id).is_open() {
        let now = e.wake().expect("scheduled");
        assert!(now <= deadline, "still open {} ms on", now - T0);
        for o in e.round(now) {
            let r = if o.request.url.ends_with("/actions") && !ended {
                ended = true;
                actions(&[action("power_on", "completed", "2026-01-01T00:00:00Z")])
            } else {
                HttpResponse::new(503, r#"{"message": "down"}"#)
            };
            e.answer(o.token, Ok(r), now);
        }
    }
    assert!(ended, "the task was seen ending");
    let op = e.op(&id);
    assert_eq!(op.phase, Phase::TimedOut, "{:?}", op.note);
    assert_eq!(op.finished_at, Some(deadline), "at its deadline");
}

#[test]
fn a_listing_whose_pages_come_back_again_ends_with_a_clear_error() {
    let mut e = Engine::new("t");
    e.add(cfg(), T0);
    let page = |n: u32, next: u32| {
        let body = json!({"vms": [vm(&format!("v{n}"), "web", "running", false)],
                          "links": {"pages": {"next": format!("{BASE}/vms?page={next}&per_page=200")}}});
        HttpResponse::new(200, body.to_string())
    };
    let p1 = only(e.round(T0));
    e.answer(p1.token, Ok(page(1, 2)), T0);
    let p2 = only(e.round(T0));
    e.answer(p2.token, Ok(page(2, 1)), T0);
    assert!(e.round(T0).is_empty(), "page 1 is not asked for again");
    match e.list_state("c1") {
        Some(ListState::Failed { error, .. }) => {
            assert_eq!(error.kind, ErrorKind::BadResponse);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.vms("c1").len(), 2, "what the pages did show is kept");
}

/// Two reboots running on a connection whose `/actions` answer (one request for all) is
/// `padding` bytes long.
fn two_reboots_and_a_fleet_look(padding: usize) -> (Engine, [OpId; 2], i64) {
    let mut e = engine_with(&[
        vm("v1", "web-01", "running", false),
        vm("v2", "web-02", "running", false),
    ]);
    // Looks at both at once, every 3 s.
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    let a = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let b = e.start("c1", "v2", Action::Reboot, T0).unwrap();
    for p in e.round(T0) {
        let vm_id = if p.request.url.contains("/vms/v1/") {
            "v1"
        } else {
            "v2"
        };
        e.answer(p.token, Ok(accepted_on(vm_id, "reboot")), T0);
    }
    let t = e.wake().unwrap();
    let many = only(e.round(t));
    assert!(
        many.request.url.contains("/actions?"),
        "{}",
        many.request.url
    );
    let running = |id| action_on(id, "reboot", "in-progress", "2026-01-01T00:00:00Z");
    let filler: Vec<serde_json::Value> = (0..padding / 200)
        .map(|i| {
            action_on(
                &format!("other-{i}"),
                "snapshot",
                "completed",
                "2025-12-01T00:00:00Z",
            )
        })
        .collect();
    let mut all = vec![running("v1"), running("v2")];
    all.extend(filler);
    e.answer(many.token, Ok(actions(&all)), t);
    (e, [a, b], t)
}

#[test]
fn a_whole_fleet_look_gives_way_to_small_looks_when_it_costs_more_bytes() {
    let (mut e, _, _) = two_reboots_and_a_fleet_look(2_000_000);
    let next = e.wake().unwrap();
    let looks = e.round(next);
    let urls: Vec<&str> = looks.iter().map(|o| o.request.url.as_str()).collect();
    assert_eq!(looks.len(), 2, "{urls:?}");
    assert!(
        urls.iter().all(|u| u.contains("/vms/v")),
        "one small look each: {urls:?}"
    );
}

#[test]
fn a_small_fleet_look_still_serves_many() {
    let (mut e, _, _) = two_reboots_and_a_fleet_look(2_000);
    let next = e.wake().unwrap();
    let looks = e.round(next);
    assert_eq!(looks.len(), 1);
    assert!(looks[0].request.url.contains("/actions?"));
}

/// Applies saves as the page does: each entry under its id, dropped ones removed.
#[derive(Default)]
struct Storage {
    ops: std::collections::BTreeMap<String, vigil_core::Operation>,
    writes: Vec<usize>,
}

impl Storage {
    fn apply(&mut self, saved: Saved) {
        let mut bytes = 0;
        for op in saved.ops {
            bytes += serde_json::to_string(&op).unwrap().len();
            self.ops.insert(op.id.to_string(), op);
        }
        for id in saved.dropped_ops {
            self.ops.remove(id.as_str());
        }
        self.writes.push(bytes);
    }

    fn take(&mut self, e: &mut Engine) {
        for ev in e.events() {
            if let Event::Save(s) = ev {
                self.apply(s);
            }
        }
    }
}

#[test]
fn saves_are_deltas_that_add_up_to_the_state() {
    let vms: Vec<serde_json::Value> = (0..50)
        .map(|i| vm(&format!("v{i}"), &format!("web-{i:03}"), "running", false))
        .collect();
    let mut e = engine_with(&vms);
    // Looks at all of them at once, every 3 s (50 fit cloudsfor's burst: all go at once).
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    let mut store = Storage::default();
    store.take(&mut e);
    let ids: Vec<OpId> = (0..50)
        .map(|i| e.start("c1", &format!("v{i}"), Action::Reboot, T0).unwrap())
        .collect();
    for p in e.round(T0) {
        let vm_id = p
            .request
            .url
            .split("/vms/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        let vm_id = vm_id.to_string();
        e.answer(p.token, Ok(accepted_on(&vm_id, "reboot")), T0);
    }
    store.take(&mut e);
    let look = |e: &mut Engine, store: &mut Storage, done: &[usize]| {
        let t = e.wake().unwrap();
        let many = only(e.round(t));
        assert!(
            many.request.url.contains("/actions?"),
            "{}",
            many.request.url
        );
        let list: Vec<serde_json::Value> = (0..50)
            .map(|i| {
                let status = if done.contains(&i) {
                    "completed"
                } else {
                    "in-progress"
                };
                action_on(&format!("v{i}"), "reboot", status, "2026-01-01T00:00:00Z")
            })
            .collect();
        store.writes.clear();
        e.answer(many.token, Ok(actions(&list)), t);
        let saved: Vec<Saved> = e
            .events()
            .into_iter()
            .filter_map(|ev| match ev {
                Event::Save(s) => Some(s),
                _ => None,
            })
            .collect();
        let written: Vec<OpId> = saved
            .iter()
            .flat_map(|s| s.ops.iter().map(|o| o.id.clone()))
            .collect();
        for s in saved {
            store.apply(s);
        }
        written
    };
    // The first look moves every one from accepted to in progress: each is written once.
    assert_eq!(look(&mut e, &mut store, &[]).len(), 50);
    // A look where nothing changed writes nothing.
    assert_eq!(look(&mut e, &mut store, &[]), Vec::<OpId>::new());
    assert_eq!(store.writes.iter().sum::<usize>(), 0);
    // One of them completes: that one is written, nothing else.
    assert_eq!(look(&mut e, &mut store, &[0]), vec![ids[0].clone()]);
    // What was written adds up to the state, operation by operation.
    let state: SavedState = e.saved();
    assert_eq!(store.ops.len(), state.operations.len());
    for op in &state.operations {
        assert_eq!(store.ops.get(op.id.as_str()), Some(op));
    }
}
