//! Hostway creates against the sheet: several watched at once, each followed by its own reads
//! (a new server is `BUILD`, which `GET /servers?status=PROCESSING` never lists).

mod common;

use common::*;
use serde_json::{json, Value};
use vigil_core::policy::Fixed;
use vigil_core::{
    Action, Command, DialectKind, HttpRequest, HttpResponse, Millis, OpId, Phase, PowerState,
    VmSpec,
};

const BASE: &str = "http://127.0.0.1:8787/hostway/accounts/demo-account/flexcloud";
/// A new server the scripted provider makes.
const NEW: &str = "c0ffee00-0000-4000-8000-0000000000cc";

/// Creates `names` from one form, all at `w.now`.
fn create_all(w: &mut World, spec: &VmSpec, names: &[&str]) -> Vec<OpId> {
    names
        .iter()
        .map(|name| {
            let spec = VmSpec {
                name: name.to_string(),
                ..spec.clone()
            };
            let c = Command::Create {
                conn: "c".into(),
                spec,
            };
            w.engine.cmd(c, w.now).unwrap().op().unwrap().clone()
        })
        .collect()
}

/// Requests sent from `from` on that contain `needle`.
fn sent_since(w: &World, from: usize, needle: &str) -> usize {
    w.sent[from..].iter().filter(|s| s.contains(needle)).count()
}

/// Requests sent from `from` on that are `request`.
fn sent_exactly(w: &World, from: usize, request: &str) -> usize {
    w.sent[from..].iter().filter(|s| *s == request).count()
}

#[test]
fn creates_watched_together_are_each_read_on_their_own_schedule() {
    let mut w = World::new(DialectKind::Hostway, scenario(31, 0.0));
    let spec = spec_from_catalogue(&mut w, "new-01");
    // A look at each operation 2 s after acceptance, then every 3 s.
    w.engine.set_policy(Box::new(Fixed::default()));
    let from = w.sent.len();
    let ops = create_all(&mut w, &spec, &["new-01", "new-02", "new-03"]);
    w.run_until(10 * 60_000, |e| ops.iter().all(|o| !e.op(o).is_open()));
    // No list of the servers in `PROCESSING`: it could not show a server in `BUILD`. Every
    // request is a create, the background listing, or a read of one server.
    assert_eq!(sent_since(&w, from, "?status=PROCESSING"), 0);
    let posts = sent_exactly(&w, from, &format!("POST {BASE}/servers"));
    let reads = sent_since(&w, from, &format!("GET {BASE}/servers/"));
    let listings = sent_exactly(&w, from, &format!("GET {BASE}/servers"));
    assert_eq!((posts, posts + reads + listings), (3, w.sent.len() - from));
    // Each create costs one read of its server per look its schedule asks for (and the
    // background listing reads every server once a minute): not one more per round.
    for op in &ops {
        let o = w.engine.op(op);
        assert_eq!(o.phase, Phase::Succeeded, "{:?}", o.note);
        let id = o.vm_id().unwrap().to_string();
        let reads = sent_exactly(&w, from, &format!("GET {BASE}/servers/{id}"));
        let took = o.finished_at.unwrap() - o.accepted_at.unwrap();
        let looks = (took / 3_000) as usize + 2;
        assert!(
            reads <= looks + listings,
            "{id}: {reads} reads in {took} ms ({looks} looks, {listings} listings)"
        );
    }
}

#[test]
fn a_list_of_servers_changing_does_not_cover_creates() {
    let mut w = World::new(DialectKind::Hostway, scenario(31, 0.0));
    let spec = spec_from_catalogue(&mut w, "new-01");
    w.engine.set_policy(Box::new(Fixed::default()));
    let running: Vec<String> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Running && v.status_raw == "ACTIVE")
        .take(2)
        .map(|v| v.id.to_string())
        .collect();
    let from = w.sent.len();
    let creates = create_all(&mut w, &spec, &["new-01", "new-02"]);
    let reboots: Vec<OpId> = running
        .iter()
        .map(|id| w.engine.start("c", id, Action::Reboot, w.now).unwrap())
        .collect();
    w.run_until(10 * 60_000, |e| reboots.iter().all(|o| !e.op(o).is_open()));
    assert!(
        creates.iter().all(|o| w.engine.op(o).is_open()),
        "still building"
    );
    // The reboots were looked at together while they ran.
    assert!(sent_since(&w, from, "?status=PROCESSING") > 0);
    let after = w.sent.len();
    w.run_until(10 * 60_000, |e| creates.iter().all(|o| !e.op(o).is_open()));
    // Only the creates are open: nothing left for that list to look at.
    assert_eq!(sent_since(&w, after, "?status=PROCESSING"), 0);
    for op in creates.iter().chain(&reboots) {
        let o = w.engine.op(op);
        assert_eq!(o.phase, Phase::Succeeded, "{:?}", o.note);
    }
}

/// The new server as a read shows it: `status`, `progress`, placed on a host or not, with
/// `public` and `private` addresses; its access address is always set.
fn new_server(status: &str, progress: u64, placed: bool, public: &[&str]) -> Value {
    let list = |ips: &[&str]| -> Vec<Value> {
        ips.iter()
            .map(|ip| json!({"version": 4, "addr": ip}))
            .collect()
    };
    let (host, created) = if placed {
        ("a1b2c3d4", "2026-01-01T00:02:00Z")
    } else {
        ("", "")
    };
    json!({"server": {
        "id": NEW, "name": "new-01", "status": status, "progress": progress,
        "flavor": {"id": "2"}, "image": {"id": "1"}, "zone": "USTXA-0301",
        "hostId": host, "created": created, "updated": "2026-01-01T00:02:00Z",
        "addresses": {"public": list(public), "private": list(&["10.0.0.30"])},
        "accessIPv4": "198.51.100.30", "accessIPv6": "",
        "links": [{"href": format!("{BASE}/servers/{NEW}"), "rel": "self"}],
    }})
}

/// For `ms` of virtual time, a scripted provider answers the create (`202`, the server in
/// `BUILD`, `Location: location`), every read of the new server with `shown` (at `at`, where
/// `location` leads, and at `servers/{id}`, where the listing reads it), and the listing with
/// the new server only; the simulator answers the rest.
fn scripted(w: &mut World, ms: Millis, (location, at): (&str, &str), shown: &Value) {
    let end = w.now + ms;
    let mut script = |req: &HttpRequest| -> Option<HttpResponse> {
        let method = req.method.as_str();
        if method == "POST" && req.url == format!("{BASE}/servers") {
            let body = new_server("BUILD", 0, false, &[]);
            let resp = HttpResponse::new(202, body.to_string());
            return Some(resp.with_header("Location", location));
        }
        if method == "GET" && req.url == format!("{BASE}/servers") {
            let list = json!({"servers": [{"id": NEW, "zone": "USTXA-0301"}]});
            return Some(HttpResponse::new(200, list.to_string()));
        }
        let read = [at.to_string(), format!("{BASE}/servers/{NEW}")];
        (method == "GET" && read.contains(&req.url))
            .then(|| HttpResponse::new(200, shown.to_string()))
    };
    while w.now < end && w.step_with(&mut script) {}
}

#[test]
fn a_new_server_is_done_only_once_ready_as_the_sheet_says() {
    let mut w = World::new(DialectKind::Hostway, scenario(31, 0.0));
    let spec = spec_from_catalogue(&mut w, "new-01");
    w.engine.set_policy(Box::new(Fixed::default()));
    let op = create_all(&mut w, &spec, &["new-01"]).remove(0);
    let url = format!("{BASE}/servers/{NEW}");
    let location = (url.as_str(), url.as_str());
    let building = new_server("BUILD", 50, false, &[]);
    scripted(&mut w, 10_000, location, &building);
    assert_eq!(w.engine.op(&op).progress, Some(50));
    // `ACTIVE` and placed, but each time one thing the sheet's "ready" names is missing: a
    // progress of 100; an address under `addresses.public` (a private one and an access
    // address are there).
    for shown in [
        new_server("ACTIVE", 50, true, &["203.0.113.30"]),
        new_server("ACTIVE", 100, true, &[]),
        new_server("ACTIVE", 100, false, &["203.0.113.30"]),
    ] {
        scripted(&mut w, 30_000, location, &shown);
        let o = w.engine.op(&op);
        assert!(o.is_open(), "{:?} {:?}: {shown}", o.phase, o.note);
    }
    let ready = new_server("ACTIVE", 100, true, &["203.0.113.30"]);
    scripted(&mut w, 30_000, location, &ready);
    let o = w.engine.op(&op);
    assert_eq!(o.phase, Phase::Succeeded, "{:?}", o.note);
    let vm = w.engine.vm("c", NEW).unwrap();
    assert!(vm
        .addresses
        .iter()
        .any(|a| a.public && a.ip == "203.0.113.30"));
    assert!(!vm.locked);
}

#[test]
fn a_new_server_is_read_where_its_location_says() {
    let origin = "http://127.0.0.1:8787";
    let elsewhere = format!("{origin}/hostway/v2/flexcloud/servers/{NEW}?details=1");
    for (location, at) in [
        // Absolute, on another path than `servers/{id}`.
        (elsewhere.clone(), elsewhere),
        // Relative: resolved against `POST {BASE}/servers`.
        (
            format!("v2/servers/{NEW}/"),
            format!("{BASE}/v2/servers/{NEW}/"),
        ),
    ] {
        let mut w = World::new(DialectKind::Hostway, scenario(31, 0.0));
        let spec = spec_from_catalogue(&mut w, "new-01");
        w.engine.set_policy(Box::new(Fixed::default()));
        let from = w.sent.len();
        let op = create_all(&mut w, &spec, &["new-01"]).remove(0);
        let given = (location.as_str(), at.as_str());
        scripted(&mut w, 20_000, given, &new_server("BUILD", 50, false, &[]));
        let ready = new_server("ACTIVE", 100, true, &["203.0.113.30"]);
        scripted(&mut w, 30_000, given, &ready);
        let o = w.engine.op(&op);
        assert_eq!(o.phase, Phase::Succeeded, "{location}: {:?}", o.note);
        assert_eq!(o.vm_id().map(|v| v.as_str()), Some(NEW), "{location}");
        // Every look at the build went where the provider said; `servers/{id}` was read only
        // by the background listing, once per listing.
        let looks = sent_exactly(&w, from, &format!("GET {at}"));
        let rebuilt = sent_exactly(&w, from, &format!("GET {BASE}/servers/{NEW}"));
        let listings = sent_exactly(&w, from, &format!("GET {BASE}/servers"));
        assert!(looks >= 5, "{location}: {looks} looks");
        assert!(
            rebuilt <= listings,
            "{location}: {rebuilt} reads at servers/{{id}}"
        );
    }
}
