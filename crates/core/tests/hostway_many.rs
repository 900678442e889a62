//! Hostway with many operations open at once, driven with a fake clock and scripted answers.
//!
//! Power actions that end together are verified from one `GET /servers?status=ACTIVE` (or
//! `STOPPED`) list instead of one `GET /servers/{id}` each. Only a list asked for after the
//! tasks were seen leave `PROCESSING` verifies, a VM listed under another status verifies
//! nothing, and the VM keeps everything else the console showed.
//!
//! When the request budget cannot look at every snapshot (each is looked at on its own) as
//! often as the policy asks, each still gets its turn, and a server action that was seen ending
//! is read before the snapshots that still run.

mod common;

use common::drive::Drive;
use serde_json::{json, Value};
use vigil_core::{
    Action, ConnectionConfig, Credentials, DialectKind, Engine, HttpResponse, OpId, Phase,
    PowerState, Transmit,
};

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const BASE: &str = "https://hw.test/accounts/a1/flexcloud";

fn server(id: &str, status: &str) -> Value {
    json!({"server": {"id": id, "name": format!("web-{id}"), "status": status, "progress": 100,
           "flavor": {"id": "3", "vcpus": 2, "ram": 4096, "disk": 60},
           "image": {"id": "img", "name": "Ubuntu 24.04"}}})
}

fn ids(list: &[&str]) -> HttpResponse {
    let servers: Vec<Value> = list
        .iter()
        .map(|id| json!({"id": id, "zone": "Z"}))
        .collect();
    HttpResponse::new(200, json!({ "servers": servers }).to_string())
}

fn path(o: &Transmit) -> &str {
    o.request.url.strip_prefix(BASE).unwrap_or(&o.request.url)
}

/// An engine with one Hostway connection, listed: `servers` as (id, status).
fn engine_with(servers: &[(&str, &str)]) -> Engine {
    let mut e = Engine::new("t");
    e.set_policy(Box::new(vigil_core::policy::Fixed::default()));
    e.add(
        ConnectionConfig {
            id: "c1".into(),
            name: "Hostway".into(),
            dialect: DialectKind::Hostway,
            base_url: BASE.into(),
            credentials: Credentials::Basic {
                user: "u".into(),
                password: "p".into(),
            },
            demo: false,
        },
        T0,
    );
    let out = e.round(T0);
    assert_eq!(out.len(), 1);
    assert_eq!(path(&out[0]), "/servers");
    let all: Vec<&str> = servers.iter().map(|s| s.0).collect();
    e.answer(out[0].token, Ok(ids(&all)), T0);
    // One read per server, a few at a time (and within the request budget).
    let mut now = T0;
    while e.vms("c1").len() < servers.len() {
        now = e.wake().expect("reads to send").max(now);
        let (t, out) = (now, e.round(now));
        for o in out {
            let id = path(&o).strip_prefix("/servers/").expect("a server read");
            let status = servers.iter().find(|s| s.0 == id).expect("listed").1;
            let body = server(id, status).to_string();
            e.answer(o.token, Ok(HttpResponse::new(200, body)), t);
        }
    }
    e
}

/// Starts each (server, action) and accepts it (`202`, empty body), as the request budget
/// lets them go.
fn start_all(e: &mut Engine, actions: &[(&str, Action)]) -> Vec<OpId> {
    let ops: Vec<OpId> = actions
        .iter()
        .map(|(id, a)| e.start("c1", id, a.clone(), T0).unwrap())
        .collect();
    let mut sent = 0;
    let mut now = T0;
    while sent < actions.len() {
        now = e.wake().expect("submits to send").max(now);
        for o in e.round(now) {
            assert!(path(&o).ends_with("/action"), "{}", path(&o));
            e.answer(o.token, Ok(HttpResponse::new(202, "")), now + 50);
            sent += 1;
        }
    }
    ops
}

/// The next requests the engine sends, and when.
fn next(e: &mut Engine) -> (i64, Vec<Transmit>) {
    let t = e.wake().expect("something is scheduled");
    (t, e.round(t))
}

/// Runs looks at `?status=PROCESSING` until one answer without `still` (all ended); returns
/// when that answer was handled.
fn processing_until_ended(e: &mut Engine, still: &[&str]) -> i64 {
    let (t, out) = next(e);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(path(&out[0]), "/servers?status=PROCESSING");
    e.answer(out[0].token, Ok(ids(still)), t + 50);
    let (t, out) = next(e);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(path(&out[0]), "/servers?status=PROCESSING");
    e.answer(out[0].token, Ok(ids(&[])), t + 50);
    t + 50
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("s{i:02}")).collect()
}

#[test]
fn fifty_reboots_ending_together_are_verified_by_one_status_list() {
    let names = names(50);
    let servers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "ACTIVE")).collect();
    let mut e = engine_with(&servers);
    // The default policy, and the request budget as the listing left it.
    e.set_policy(Box::new(vigil_core::policy::Vigil::default()));
    let ops: Vec<OpId> = names
        .iter()
        .map(|n| e.start("c1", n, Action::Reboot, T0).unwrap())
        .collect();
    // Every server changes until `end`, then is ACTIVE again.
    let end = T0 + 25_000;
    let mut now = T0;
    let (mut server_reads, mut active_lists, mut processing_lists) = (0, 0, 0);
    while ops.iter().any(|op| e.op(op).is_open()) {
        assert!(now < T0 + 120_000, "no verdict");
        now = e.wake().expect("something scheduled").max(now);
        for o in e.round(now) {
            let p = path(&o);
            let answer = if p.ends_with("/action") {
                HttpResponse::new(202, "")
            } else if p == "/servers?status=PROCESSING" {
                processing_lists += 1;
                let all: Vec<&str> = names.iter().map(String::as_str).collect();
                ids(if now < end { &all } else { &[] })
            } else if p == "/servers?status=ACTIVE" {
                active_lists += 1;
                assert!(now >= end, "asked for before the servers left PROCESSING");
                let mut listed: Vec<&str> = names.iter().map(String::as_str).collect();
                listed.push("elsewhere"); // ids of other servers too
                ids(&listed)
            } else if let Some(id) = p.strip_prefix("/servers/") {
                server_reads += 1;
                let status = if now < end { "PROCESSING" } else { "ACTIVE" };
                HttpResponse::new(200, server(id, status).to_string())
            } else {
                panic!("unexpected {p}");
            };
            e.answer(o.token, Ok(answer), now + 50);
        }
        now += 1;
    }
    for op in &ops {
        let o = e.op(op);
        assert_eq!(o.phase, Phase::Succeeded, "{op}: {:?}", o.note);
    }
    // A few looks at what still changes, one list of the running servers, no server read.
    assert_eq!(server_reads, 0);
    assert!(
        (1..=2).contains(&active_lists),
        "{active_lists} ACTIVE lists"
    );
    assert!(
        processing_lists <= 20,
        "{processing_lists} PROCESSING lists"
    );
    // The servers keep what the console showed of them.
    let vm = e.vm("c1", "s07").unwrap();
    assert_eq!(vm.name, "web-s07");
    assert_eq!(vm.size.flavor.as_deref(), Some("3"));
    assert_eq!(vm.size.vcpus, Some(2));
    assert_eq!(vm.image.as_deref(), Some("Ubuntu 24.04"));
    assert_eq!(vm.status_raw, "ACTIVE");
    assert!(!vm.locked);
}

#[test]
fn a_server_listed_as_active_does_not_verify_a_shutdown() {
    // Reboots on r0..r2, shutdowns on h0..h2; every guest ignored its shutdown.
    let mut e = engine_with(&[
        ("r0", "ACTIVE"),
        ("r1", "ACTIVE"),
        ("r2", "ACTIVE"),
        ("h0", "ACTIVE"),
        ("h1", "ACTIVE"),
        ("h2", "ACTIVE"),
    ]);
    let ops = start_all(
        &mut e,
        &[
            ("r0", Action::Reboot),
            ("r1", Action::Reboot),
            ("r2", Action::Reboot),
            ("h0", Action::Shutdown),
            ("h1", Action::Shutdown),
            ("h2", Action::Shutdown),
        ],
    );
    let t = processing_until_ended(&mut e, &["r0", "r1", "r2", "h0", "h1", "h2"]);
    let out = e.round(t);
    let mut paths: Vec<&str> = out.iter().map(path).collect();
    paths.sort();
    assert_eq!(paths, ["/servers?status=ACTIVE", "/servers?status=STOPPED"]);
    for o in &out {
        let answer = if path(o).ends_with("ACTIVE") {
            ids(&["r0", "r1", "r2", "h0", "h1", "h2"])
        } else {
            ids(&["h1"]) // h1 did stop
        };
        e.answer(o.token, Ok(answer), t + 50);
    }
    let phase = |e: &Engine, i: usize| e.op(&ops[i]).phase;
    for i in 0..3 {
        assert_eq!(phase(&e, i), Phase::Succeeded, "reboot {i}");
    }
    assert_eq!(phase(&e, 4), Phase::Succeeded, "h1 is listed as STOPPED");
    // h0 and h2 are not verified by a list that shows them ACTIVE: each gets its own read.
    assert_ne!(phase(&e, 3), Phase::Succeeded);
    assert_ne!(phase(&e, 5), Phase::Succeeded);
    let out = e.round(t + 50);
    let mut paths: Vec<&str> = out.iter().map(path).collect();
    paths.sort();
    assert_eq!(paths, ["/servers/h0", "/servers/h2"]);
    for o in &out {
        let id = path(o).strip_prefix("/servers/").unwrap();
        let body = server(id, "ACTIVE").to_string();
        e.answer(o.token, Ok(HttpResponse::new(200, body)), t + 100);
    }
    // Still ACTIVE: the shutdowns are not done, and end as "check it" after the grace period.
    let mut now = t + 100;
    while e.op(&ops[3]).is_open() || e.op(&ops[5]).is_open() {
        assert!(now < t + 120_000, "no verdict");
        let (at, out) = next(&mut e);
        now = at;
        for o in out {
            let id = path(&o).strip_prefix("/servers/").expect("a server read");
            let body = server(id, "ACTIVE").to_string();
            e.answer(o.token, Ok(HttpResponse::new(200, body)), now + 50);
        }
    }
    assert_eq!(phase(&e, 3), Phase::NeedsCheck);
    assert_eq!(phase(&e, 5), Phase::NeedsCheck);
}

#[test]
fn a_list_asked_for_before_a_task_was_seen_ended_does_not_verify_it() {
    let servers = ["a", "b", "c", "d"];
    let mut e = engine_with(&servers.map(|s| (s, "ACTIVE")));
    let ops = start_all(&mut e, &servers.map(|s| (s, Action::Reboot)));
    // a and b leave PROCESSING first; c and d are still changing.
    let (t, out) = next(&mut e);
    assert_eq!(path(&out[0]), "/servers?status=PROCESSING");
    e.answer(out[0].token, Ok(ids(&servers)), t + 50);
    let (t, out) = next(&mut e);
    assert_eq!(path(&out[0]), "/servers?status=PROCESSING");
    e.answer(out[0].token, Ok(ids(&["c", "d"])), t + 50);
    let early = e.round(t + 50);
    assert_eq!(early.len(), 1);
    assert_eq!(path(&early[0]), "/servers?status=ACTIVE");
    // Before that list is answered, c and d are seen ended too.
    let (t2, out) = next(&mut e);
    assert_eq!(out.len(), 1);
    assert_eq!(path(&out[0]), "/servers?status=PROCESSING");
    e.answer(out[0].token, Ok(ids(&[])), t2 + 50);
    // The older list, asked for while c and d still changed, lists them (scripted so): it
    // verifies a and b only.
    e.answer(early[0].token, Ok(ids(&servers)), t2 + 60);
    assert_eq!(e.op(&ops[0]).phase, Phase::Succeeded);
    assert_eq!(e.op(&ops[1]).phase, Phase::Succeeded);
    assert!(e.op(&ops[2]).is_open());
    assert!(e.op(&ops[3]).is_open());
    // c and d get a list of their own, asked for now: d is not on it (it did not come back).
    let late = e.round(t2 + 60);
    assert_eq!(late.len(), 1);
    assert_eq!(path(&late[0]), "/servers?status=ACTIVE");
    e.answer(late[0].token, Ok(ids(&["a", "b", "c"])), t2 + 110);
    assert_eq!(e.op(&ops[2]).phase, Phase::Succeeded);
    assert!(e.op(&ops[3]).is_open());
    // d is read on its own, and that read decides.
    let out = e.round(t2 + 110);
    assert_eq!(out.len(), 1);
    assert_eq!(path(&out[0]), "/servers/d");
    e.answer(
        out[0].token,
        Ok(HttpResponse::new(200, server("d", "STOPPED").to_string())),
        t2 + 160,
    );
    let d = e.op(&ops[3]);
    assert_ne!(d.phase, Phase::Succeeded, "{:?}", d.note);
    let vm = e.vm("c1", "d").unwrap();
    assert_eq!(vm.power, PowerState::Stopped);
}

#[test]
fn a_resize_is_not_verified_by_a_status_list() {
    let mut e = engine_with(&[("a", "ACTIVE"), ("b", "ACTIVE")]);
    let resize = Action::Resize(vigil_core::Resize::Flavor { id: "4".into() });
    let ops = start_all(&mut e, &[("a", resize.clone()), ("b", resize)]);
    let t = processing_until_ended(&mut e, &["a", "b"]);
    // The size is in the server only: one read each.
    let out = e.round(t);
    let mut paths: Vec<&str> = out.iter().map(path).collect();
    paths.sort();
    assert_eq!(paths, ["/servers/a", "/servers/b"]);
    for o in &out {
        let id = path(o).strip_prefix("/servers/").unwrap();
        let mut body = server(id, "ACTIVE");
        body["server"]["flavor"] = json!({"id": "4", "vcpus": 4, "ram": 8192, "disk": 80});
        e.answer(
            o.token,
            Ok(HttpResponse::new(200, body.to_string())),
            t + 50,
        );
    }
    for op in &ops {
        assert_eq!(e.op(op).phase, Phase::Succeeded);
    }
}

/// A snapshot of `server` still in `BUILD`, as the seed shows it.
fn snapshot_body(server: &str) -> (String, String) {
    let href = format!("{BASE}/servers/{server}/snapshots/snap-{server}/");
    let body = json!({"snapshot": {"id": format!("snap-{server}"), "name": "n", "description": "",
        "status": "BUILD", "guid": "", "parent_guid": "", "relation_guid": "",
        "create_time": "0000-00-00 00:00:00", "links": [{"href": href, "rel": "self"}]}});
    (href, body.to_string())
}

/// Answers a snapshot request: `202`, the snapshot, and where to follow it.
fn snapshot_accepted(server: &str) -> HttpResponse {
    let (href, body) = snapshot_body(server);
    HttpResponse::new(202, body).with_header("Location", &href)
}

fn snapshot_building(server: &str) -> HttpResponse {
    HttpResponse::new(200, snapshot_body(server).1)
}

/// The server a snapshot look is for (`/servers/{id}/snapshots/…`).
fn snapshot_of(p: &str) -> Option<&str> {
    let rest = p.strip_prefix("/servers/")?;
    let (id, tail) = rest.split_once('/')?;
    tail.starts_with("snapshots/").then_some(id)
}

fn snapshot() -> Action {
    Action::Snapshot {
        name: "n".into(),
        description: String::new(),
    }
}

#[test]
fn when_the_budget_cannot_look_at_every_snapshot_as_often_as_asked_each_gets_its_turn() {
    // 36 snapshots, none finishing, started once the budget is full again (40 requests); the
    // policy asks for a look at each every 3 s (12 a second), the budget sustains 8 a second.
    let names = names(36);
    let servers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "ACTIVE")).collect();
    let mut e = engine_with(&servers);
    let start = T0 + 30_000;
    for n in &names {
        e.start("c1", n, snapshot(), start).unwrap();
    }
    let mut looks: std::collections::HashMap<String, Vec<i64>> = Default::default();
    let mut now = start;
    let until = start + 120_000;
    while now < until {
        now = e.wake().expect("looks scheduled").max(now);
        for o in e.round(now) {
            let p = path(&o).to_string();
            let answer = if let Some(id) = p
                .strip_prefix("/servers/")
                .and_then(|r| r.strip_suffix("/snapshots"))
            {
                snapshot_accepted(id)
            } else if let Some(id) = snapshot_of(&p) {
                looks.entry(id.to_string()).or_default().push(now);
                snapshot_building(id)
            } else if p == "/servers" {
                // The background listing, once a minute.
                let all: Vec<&str> = names.iter().map(String::as_str).collect();
                ids(&all)
            } else if let Some(id) = p.strip_prefix("/servers/") {
                HttpResponse::new(200, server(id, "ACTIVE").to_string())
            } else {
                panic!("unexpected {p}");
            };
            e.answer(o.token, Ok(answer), now + 50);
        }
        now += 1;
    }
    // The budget gives each a look every 36 / 8 = 4.5 s: every snapshot is looked at about
    // that often (twice that while the minute's background listing takes its share), none left
    // waiting behind the others.
    for n in &names {
        let times = looks.get(n).map(Vec::as_slice).unwrap_or_default();
        let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        let longest = gaps.iter().copied().max().unwrap_or(until - start);
        assert!(times.len() >= 20, "{n}: {} looks in 2 min", times.len());
        assert!(longest <= 12_000, "{n}: {longest} ms without a look");
    }
}

#[test]
fn a_resize_seen_ending_is_read_before_the_snapshots_that_wait_for_the_budget() {
    // 30 snapshots keep the budget short (a look at each every 3 s asked for, 8 a second
    // sustained); two resizes, started last, end at `end`.
    let names = names(30);
    let mut servers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "ACTIVE")).collect();
    servers.extend([("r0", "ACTIVE"), ("r1", "ACTIVE")]);
    let mut e = engine_with(&servers);
    // Once the budget is full again: every submit goes out at once.
    let start = T0 + 30_000;
    for n in &names {
        e.start("c1", n, snapshot(), start).unwrap();
    }
    let resize = Action::Resize(vigil_core::Resize::Flavor { id: "4".into() });
    let ops: Vec<OpId> = ["r0", "r1"]
        .iter()
        .map(|r| e.start("c1", r, resize.clone(), start).unwrap())
        .collect();
    let end = start + 60_000;
    let mut ended_seen = None;
    let mut now = start;
    while ops.iter().any(|op| e.op(op).is_open()) {
        assert!(now < start + 300_000, "no verdict");
        now = e.wake().expect("something scheduled").max(now);
        for o in e.round(now) {
            let p = path(&o).to_string();
            let answer = if p.ends_with("/action") {
                HttpResponse::new(202, "")
            } else if let Some(id) = p
                .strip_prefix("/servers/")
                .and_then(|r| r.strip_suffix("/snapshots"))
            {
                snapshot_accepted(id)
            } else if let Some(id) = snapshot_of(&p) {
                snapshot_building(id)
            } else if p == "/servers" {
                let all: Vec<&str> = servers.iter().map(|s| s.0).collect();
                ids(&all)
            } else if p == "/servers?status=PROCESSING" {
                if now < end {
                    ids(&["r0", "r1"])
                } else {
                    ended_seen.get_or_insert(now + 50);
                    ids(&[])
                }
            } else if let Some(id) = p.strip_prefix("/servers/") {
                let mut s = server(id, if now < end { "PROCESSING" } else { "ACTIVE" });
                if now >= end {
                    s["server"]["flavor"] = json!({"id": "4", "vcpus": 4, "ram": 8192, "disk": 80});
                }
                HttpResponse::new(200, s.to_string())
            } else {
                panic!("unexpected {p}");
            };
            e.answer(o.token, Ok(answer), now + 50);
        }
        now += 1;
    }
    let seen = ended_seen.expect("the resizes were seen ending");
    for op in &ops {
        let o = e.op(op);
        assert_eq!(o.phase, Phase::Succeeded, "{op}: {:?}", o.note);
        // Read at the budget's next tokens, not after the snapshots' looks due meanwhile.
        let took = o.finished_at.unwrap() - seen;
        assert!(
            took <= 1_000,
            "{op}: done {took} ms after it was seen ending"
        );
    }
}
