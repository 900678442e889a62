//! Hostway creates against the sheet: several watched at once, each followed by its own reads
//! (a new server is `BUILD`, which `GET /servers?status=PROCESSING` never lists).

mod common;

use common::*;
use vigil_core::policy::Fixed;
use vigil_core::{Action, Command, DialectKind, OpId, Phase, PowerState, VmSpec};

const BASE: &str = "http://127.0.0.1:8787/hostway/accounts/demo-account/flexcloud";

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
