//! The demo provider in a Web Worker: the page and the worker speak only in `ToWorker` /
//! `FromWorker` JSON, and the page keeps the world between reloads from what the answers carry.

mod common;

use common::*;
use vigil_sim::worker::{to_json, FromWorker, Host, Kept, ToWorker};
use vigil_sim::{Request, Written};

const ONET: &str = "demo://sim/onetsolutions/v1/organizations/demo-org/projects/demo-project";

fn ask(host: &mut Host, id: u32, now_ms: u64, request: Request) -> FromWorker {
    // Over the wire, as the worker gets it.
    let text = host.take_json(&to_json(&ToWorker::Ask {
        id,
        now_ms,
        request,
    }));
    serde_json::from_str(&text).expect("the worker answers in JSON")
}

fn open(host: &mut Host, kept: Option<Kept>, now_ms: u64) -> FromWorker {
    let text = host.take_json(&to_json(&ToWorker::Open {
        scenario: scenario(7, 12, 0.0),
        kept,
        now_ms,
    }));
    serde_json::from_str(&text).unwrap()
}

fn onet(method: &str, path: &str) -> Request {
    Request::new(method, &format!("{ONET}{path}")).bearer("demo-token")
}

/// The answer's status and body, and the writes it carried.
fn answer(reply: FromWorker, want_id: u32) -> (u16, String, Vec<Written>) {
    match reply {
        FromWorker::Answer {
            id,
            status: Some(status),
            body,
            written,
            ..
        } => {
            assert_eq!(id, want_id);
            (status, body, written)
        }
        other => panic!("not an answer: {other:?}"),
    }
}

fn first_running(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let items = v["results"]
        .as_array()
        .expect("ONETSolutions lists instances in `results`");
    let running = items
        .iter()
        .find(|i| i["status"] == "running")
        .expect("a running instance");
    running["id"].as_str().unwrap().to_string()
}

#[test]
fn a_fresh_world_answers_and_hands_its_writes_to_the_page() {
    let mut host = Host::default();
    assert_eq!(
        open(&mut host, None, T0),
        FromWorker::Opened {
            start_ms: T0,
            replayed: false
        }
    );
    let (status, list, written) =
        answer(ask(&mut host, 1, T0, onet("GET", "/compute/instances")), 1);
    assert_eq!(status, 200, "{list}");
    assert!(written.is_empty(), "a read writes nothing");
    let id = first_running(&list);
    let (status, body, written) = answer(
        ask(
            &mut host,
            2,
            T0 + 10,
            onet("POST", &format!("/compute/instances/{id}/reboot")),
        ),
        2,
    );
    assert_eq!(status, 202, "{body}");
    assert_eq!(written.len(), 1, "the reboot is a write the page must keep");
    assert_eq!(written[0].at, T0 + 10);
}

#[test]
fn a_kept_world_is_the_same_world_after_a_reload() {
    let mut before = Host::default();
    open(&mut before, None, T0);
    let (_, list, _) = answer(
        ask(&mut before, 1, T0, onet("GET", "/compute/instances")),
        1,
    );
    let id = first_running(&list);
    let (_, body, journal) = answer(
        ask(
            &mut before,
            2,
            T0 + 10,
            onet("POST", &format!("/compute/instances/{id}/reboot")),
        ),
        2,
    );
    let task: serde_json::Value = serde_json::from_str(&body).unwrap();
    let task_path = format!("/compute/tasks/{}", task["id"].as_str().unwrap());

    // The page reloads: a new worker, opened with what the page kept.
    let mut after = Host::default();
    assert_eq!(
        open(
            &mut after,
            Some(Kept {
                start_ms: T0,
                journal
            }),
            T0 + 500
        ),
        FromWorker::Opened {
            start_ms: T0,
            replayed: true
        }
    );
    for at in [T0 + 600, T0 + 600_000] {
        let a = answer(ask(&mut before, 3, at, onet("GET", &task_path)), 3);
        let b = answer(ask(&mut after, 3, at, onet("GET", &task_path)), 3);
        assert_eq!(a.0, 200, "{}", a.1);
        assert_eq!(
            a.1,
            b.1,
            "the task reads the same in both worlds at +{} ms",
            at - T0
        );
    }
}

#[test]
fn a_kept_world_that_replays_otherwise_is_replaced_by_a_fresh_one() {
    // A journal the simulator answers otherwise now (no such instance in this world).
    let stale = vec![Written {
        at: T0,
        request: onet("POST", "/compute/instances/no-such-instance/reboot"),
        status: 202,
    }];
    let mut host = Host::default();
    assert_eq!(
        open(
            &mut host,
            Some(Kept {
                start_ms: T0,
                journal: stale
            }),
            T0 + 9_000
        ),
        FromWorker::Opened {
            start_ms: T0 + 9_000,
            replayed: false
        }
    );
    let (status, _, _) = answer(
        ask(&mut host, 1, T0 + 9_000, onet("GET", "/compute/instances")),
        1,
    );
    assert_eq!(status, 200);
}

#[test]
fn unreadable_or_early_messages_are_refused_not_answered() {
    let mut host = Host::default();
    assert!(matches!(
        ask(&mut host, 4, T0, onet("GET", "/compute/instances")),
        FromWorker::Refused { id: Some(4), .. }
    ));
    let text = host.take_json("{\"Ask\": 12}");
    assert!(matches!(
        serde_json::from_str::<FromWorker>(&text).unwrap(),
        FromWorker::Refused { id: None, .. }
    ));
}
