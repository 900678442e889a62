//! Hostway FlexCloud: vigil-core against the independent simulator, end to end.

mod common;

use common::*;
use vigil_core::engine::{VmCommand, LIST_CONCURRENCY};
use vigil_core::{
    Action, ActionKind, ConnectionConfig, DialectKind, Engine, ErrorKind, ListState, Mismatch,
    Note, OpId, Phase, PowerState, ProviderRef, Refusal, Resize, TaskEnd, TaskState, Vm, VmId,
};

const BASE: &str = "http://127.0.0.1:8787/hostway/accounts/demo-account/flexcloud";

/// Sends a request to the simulator directly, as another client of the same account would.
fn direct(w: &mut World, method: &str, path: &str, body: &str) -> vigil_sim::Response {
    let req = vigil_sim::Request::new(method, &format!("{BASE}{path}"))
        .with_body(body)
        .basic("demo@vigil.test", "demo");
    w.sim.handle(&req, w.now as u64).unwrap()
}

/// An ACTIVE server that may be snapshotted (the seeded `db-*` / `backup-*` ones have extra
/// volumes).
fn plain_active(w: &World) -> Vm {
    w.vm_where(|v| {
        v.status_raw == "ACTIVE" && !v.name.starts_with("db-") && !v.name.starts_with("backup-")
    })
}

fn other_flavor(vm: &Vm) -> String {
    if vm.size.flavor.as_deref() == Some("6") {
        "5".into()
    } else {
        "6".into()
    }
}

#[test]
fn every_action_reaches_a_verified_end() {
    let mut w = World::new(DialectKind::Hostway, scenario(3, 0.0));
    assert_eq!(w.vms().len(), 12);
    let vm = plain_active(&w);
    let flavor = other_flavor(&vm);
    for action in [
        Action::Reboot,
        Action::PowerCycle,
        Action::Shutdown,
        Action::Resize(Resize::Flavor { id: flavor.clone() }),
        Action::Start,
        Action::Resize(Resize::Flavor {
            id: vm.size.flavor.clone().unwrap(),
        }),
        Action::Snapshot {
            name: "before-upgrade".into(),
            description: "taken by Vigil".into(),
        },
    ] {
        let what = format!("{action:?}");
        let op = w.run_op(vm.id.as_str(), action);
        assert_eq!(op.phase, Phase::Succeeded, "{what}: {:?}", op.note);
        assert!(op.finished_at.unwrap() > op.accepted_at.unwrap());
    }
    let now = w.engine.vm("c", vm.id.as_str()).unwrap();
    assert_eq!(now.power, PowerState::Running);
    assert_eq!(now.size.flavor, vm.size.flavor);
    let id = &vm.id;
    assert_eq!(w.count_sent(&format!("POST {BASE}/servers/{id}/action")), 6);
    assert_eq!(
        w.count_sent(&format!("POST {BASE}/servers/{id}/snapshots")),
        1
    );
    // The snapshot was followed at the Location the provider gave.
    let snap = w.engine.view().operations().last().unwrap().clone();
    let Some(ProviderRef::HostwaySnapshot { href, server_id }) = &snap.provider_ref else {
        panic!("{:?}", snap.provider_ref)
    };
    assert_eq!(server_id, id.as_str());
    assert!(href.starts_with(&format!("{BASE}/servers/{id}/snapshots/snapshot_")));
    assert!(w.count_sent(&format!("GET {href}")) >= 2);
    assert_eq!(snap.provider_status.as_deref(), Some("ACTIVE"));
}

#[test]
fn listing_costs_one_request_per_server_read_a_few_at_a_time() {
    let mut sim = vigil_sim::Sim::new(scenario(3, 0.0), T0 as u64);
    let mut e = Engine::new("t");
    e.add(
        ConnectionConfig {
            id: "c".into(),
            name: "Hostway".into(),
            dialect: DialectKind::Hostway,
            base_url: BASE.into(),
            credentials: vigil_core::demo::credentials(DialectKind::Hostway),
            demo: false,
        },
        T0,
    );
    let mut now = T0;
    let first = e.round(now);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].request.describe(), format!("GET {BASE}/servers"));
    let reply = sim.handle(&to_sim(&first[0].request), now as u64);
    e.answer(first[0].token, from_sim(reply), now + RTT);
    // The per-server reads: never more than LIST_CONCURRENCY out at once, and a freed slot is
    // refilled at once.
    let mut waiting = e.round(now);
    assert_eq!(waiting.len(), LIST_CONCURRENCY);
    let mut reads = waiting.len();
    let mut most = waiting.len();
    while !waiting.is_empty() {
        now += RTT;
        let o = waiting.remove(0);
        assert!(o
            .request
            .describe()
            .starts_with(&format!("GET {BASE}/servers/")));
        let reply = sim.handle(&to_sim(&o.request), now as u64);
        e.answer(o.token, from_sim(reply), now);
        let more = e.round(now);
        assert!(more.len() <= 1, "one answer frees one slot");
        reads += more.len();
        waiting.extend(more);
        most = most.max(waiting.len());
    }
    assert_eq!(most, LIST_CONCURRENCY);
    assert_eq!(reads, 12, "one GET /servers/{{id}} per server");
    assert!(matches!(e.list_state("c"), Some(ListState::Ready { .. })));
    assert_eq!(e.vms("c").len(), 12);
    assert!(e
        .vms("c")
        .iter()
        .all(|v| v.region.is_some() && v.size.flavor.is_some()));
}

#[test]
fn the_world_lists_in_one_plus_n_requests() {
    let w = World::new(DialectKind::Hostway, scenario(9, 0.0));
    assert_eq!(w.sent.len(), 1 + 12);
    assert_eq!(w.sent[0], format!("GET {BASE}/servers"));
    let vms = w.vms();
    // The seeded fleet has a suspended server, shown raw and offered nothing but a snapshot and
    // its deletion.
    let suspended = vms.iter().find(|v| v.status_raw == "SUSPENDED").unwrap();
    assert_eq!(suspended.power, PowerState::Unknown("SUSPENDED".into()));
    let choices = w.engine.view().choices(&"c".into(), &suspended.id);
    assert!(!choices.is_empty());
    for c in choices {
        assert_eq!(
            c.reason.is_none(),
            matches!(
                c.command,
                VmCommand::Action(ActionKind::Snapshot | ActionKind::Delete)
            ),
            "{:?}: {:?}",
            c.command,
            c.reason
        );
    }
}

#[test]
fn failures_never_end_succeeded() {
    let mut w = World::new(DialectKind::Hostway, scenario(4, 1.0));
    let vm = plain_active(&w);
    // A failed snapshot ends DELETED: the operation failed.
    let op = w.run_op(
        vm.id.as_str(),
        Action::Snapshot {
            name: "doomed".into(),
            description: String::new(),
        },
    );
    assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
    assert_eq!(op.provider_status.as_deref(), Some("DELETED"));
    assert!(
        matches!(&op.note, Some(Note::Reported { cancelled: false, status, .. }) if status == "DELETED"),
        "{:?}",
        op.note
    );
    // A failed stop leaves the server ACTIVE: Hostway reports no error, and the server does not
    // show the goal, so the console says so instead of claiming success — and never that the
    // provider said the action completed: Hostway only showed `PROCESSING`, then nothing.
    let op = w.run_op(vm.id.as_str(), Action::Shutdown);
    assert_eq!(op.phase, Phase::NeedsCheck, "{:?}", op.note);
    assert!(
        matches!(
            &op.note,
            Some(Note::Unverified { end: TaskEnd::Settled { .. }, why: Mismatch::Power { status } })
                if status == "ACTIVE"
        ),
        "{:?}",
        op.note
    );
    let op = w.run_op(
        vm.id.as_str(),
        Action::Resize(Resize::Flavor {
            id: other_flavor(&vm),
        }),
    );
    assert_eq!(op.phase, Phase::NeedsCheck, "{:?}", op.note);
    assert!(
        matches!(
            &op.note,
            Some(Note::Unverified { end: TaskEnd::Settled { .. }, why: Mismatch::Size { current } })
                if current.flavor == vm.size.flavor
        ),
        "{:?}",
        op.note
    );
}

#[test]
fn snapshot_limits_keep_the_providers_words() {
    let mut w = World::new(DialectKind::Hostway, scenario(5, 0.0));
    let vm = plain_active(&w);
    let snap = |name: &str| Action::Snapshot {
        name: name.into(),
        description: String::new(),
    };
    let op = w.run_op(vm.id.as_str(), snap("first"));
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    // The same name again: refused before sending, the server's snapshots being known.
    assert_eq!(
        w.engine.start("c", vm.id.as_str(), snap("first"), w.now),
        Err(vigil_core::Refusal::Point(
            vigil_core::words::PointRefusal::NameUsed {
                name: "first".into()
            }
        ))
    );
    // Not known (a reload): sent, and the provider's 409 kept in its words.
    w.reload(w.now);
    w.run_until(60_000, |e| e.vm("c", vm.id.as_str()).is_some());
    let op = w.run_op(vm.id.as_str(), snap("first"));
    assert_eq!(op.phase, Phase::Failed);
    let e = op.last_error.clone().unwrap();
    assert_eq!((e.kind, e.status), (ErrorKind::Conflict, Some(409)));
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!((err.kind, err.status), (ErrorKind::Conflict, Some(409)));
    assert_eq!(
        err.provider_text.as_deref(),
        Some("The snapshot name must be unique in a server.")
    );
    // More until Hostway's limit: the fourth is refused with 413, whatever the server had before.
    let mut refused = None;
    for name in ["second", "third", "fourth"] {
        // The list each create read is forgotten, so the provider's own answer is seen.
        w.reload(w.now);
        w.run_until(60_000, |e| e.vm("c", vm.id.as_str()).is_some());
        let op = w.run_op(vm.id.as_str(), snap(name));
        if op.phase == Phase::Failed {
            refused = Some(op);
            break;
        }
        assert_eq!(op.phase, Phase::Succeeded, "{name}: {:?}", op.note);
    }
    let op = refused.expect("a snapshot beyond the third is refused");
    assert_eq!(op.last_error.clone().unwrap().status, Some(413));
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!((err.kind, err.status), (ErrorKind::Conflict, Some(413)));
    assert_eq!(
        err.provider_text.as_deref(),
        Some("The snapshot can be created up to 3 in a server.")
    );
    assert_eq!(vigil_core::dialect::hostway::MAX_SNAPSHOTS, 3);

    // A server with extra volumes: 400.
    let db = w.vm_where(|v| v.name.starts_with("db-") && v.status_raw == "ACTIVE");
    let op = w.run_op(db.id.as_str(), snap("db-before-upgrade"));
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!((err.kind, err.status), (ErrorKind::Conflict, Some(400)));
    assert_eq!(
        err.provider_text.as_deref(),
        Some("The snapshot cannot be created because the server contains extra volumes.")
    );
}

#[test]
fn conflicts_with_another_change_keep_the_providers_words() {
    let mut w = World::new(DialectKind::Hostway, scenario(6, 0.0));
    let vm = plain_active(&w);
    // Another client reboots the server; Vigil's list still shows it ACTIVE.
    let r = direct(
        &mut w,
        "POST",
        &format!("/servers/{}/action", vm.id),
        r#"{"reboot": {"type": "SOFT"}}"#,
    );
    assert_eq!(r.status, 202);
    let op = w.run_op(vm.id.as_str(), Action::Reboot);
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!((err.kind, err.status), (ErrorKind::Conflict, Some(409)));
    assert_eq!(err.provider_text.as_deref(), Some("Already rebooting"));
    // The conflict made Vigil look again: the server shows PROCESSING and offers nothing.
    w.run_until(10_000, |e| e.vm("c", vm.id.as_str()).unwrap().locked);
    assert!(w
        .engine
        .allowed("c", vm.id.as_str(), ActionKind::Shutdown)
        .is_err());

    let other = w.vm_where(|v| v.status_raw == "ACTIVE" && v.id != vm.id);
    let r = direct(
        &mut w,
        "POST",
        &format!("/servers/{}/action", other.id),
        r#"{"reboot": {"type": "HARD"}}"#,
    );
    assert_eq!(r.status, 202);
    let op = w.run_op(other.id.as_str(), Action::Shutdown);
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!(
        err.provider_text.as_deref(),
        Some("Other status change in progress")
    );
}

#[test]
fn resizing_to_the_same_flavor_is_refused_with_the_providers_words() {
    let mut w = World::new(DialectKind::Hostway, scenario(7, 0.0));
    let vm = plain_active(&w);
    let op = w.run_op(
        vm.id.as_str(),
        Action::Resize(Resize::Flavor {
            id: vm.size.flavor.clone().unwrap(),
        }),
    );
    assert_eq!(op.phase, Phase::Failed);
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!(err.status, Some(400));
    assert_eq!(
        err.provider_text.as_deref(),
        Some("Server is already of the requested flavor")
    );
    // Resizing by resources is refused before anything is sent.
    let before = w.sent.len();
    let err = w
        .engine
        .start(
            "c",
            vm.id.as_str(),
            Action::Resize(Resize::All {
                cpu: 2,
                ram: 4,
                disk: 60,
            }),
            w.now,
        )
        .unwrap_err();
    assert_eq!(
        err,
        Refusal::ResizesByFlavor {
            provider: DialectKind::Hostway
        }
    );
    assert_eq!(w.sent.len(), before);
}

#[test]
fn build_progress_is_reported_as_a_percentage() {
    // The simulator gives a real percentage while a server builds (0 → 50 → 100); the dialect
    // reads it from the server it follows.
    let mut w = World::new(DialectKind::Hostway, scenario(8, 0.0));
    let r = direct(
        &mut w,
        "POST",
        "/servers",
        r#"{"server": {"name": "new-01", "flavorRef": "2"}}"#,
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let location = r.header("location").unwrap().to_string();
    let id = location.rsplit('/').next().unwrap().to_string();
    let api = ConnectionConfig {
        id: "x".into(),
        name: "x".into(),
        dialect: DialectKind::Hostway,
        base_url: BASE.into(),
        credentials: vigil_core::demo::credentials(DialectKind::Hostway),
        demo: false,
    }
    .api();
    let follow = ProviderRef::HostwayBuild {
        server_id: id,
        href: Some(location.clone()),
    };
    assert_eq!(api.observe_request(&follow).url, location);
    let mut seen = Vec::new();
    for _ in 0..300 {
        w.now += 1_000;
        let resp = from_sim(
            w.sim
                .handle(&to_sim(&api.observe_request(&follow)), w.now as u64),
        )
        .unwrap();
        let o = api.parse_observation(&follow, &resp, w.now).unwrap();
        if seen.last() != Some(&(o.state.clone(), o.progress)) {
            seen.push((o.state.clone(), o.progress));
        }
        if o.state.is_terminal() {
            break;
        }
    }
    assert_eq!(
        seen,
        vec![
            (TaskState::Running, Some(0)),
            (TaskState::Running, Some(50)),
            (TaskState::Running, Some(100)),
            (TaskState::Settled, None),
        ]
    );
    // Listed meanwhile, the server would have been busy: nothing offered while it builds.
}

#[test]
fn processing_shows_no_made_up_progress() {
    let mut w = World::new(DialectKind::Hostway, scenario(10, 0.0));
    let vm = plain_active(&w);
    let op_id = w
        .engine
        .start("c", vm.id.as_str(), Action::Reboot, w.now)
        .unwrap();
    w.run_until(30_000, |e| e.op(&op_id).phase == Phase::InProgress);
    let op = w.engine.op(&op_id);
    assert_eq!(op.provider_status.as_deref(), Some("PROCESSING"));
    // The simulator says `progress: 100` during PROCESSING; that is not how far the reboot is.
    assert_eq!(op.progress, None);
    assert_eq!(
        w.engine.vm("c", vm.id.as_str()).unwrap().power,
        PowerState::Busy
    );
    w.run_until(10 * 60_000, |e| !e.op(&op_id).is_open());
    assert_eq!(w.engine.op(&op_id).phase, Phase::Succeeded);
}

#[test]
fn refused_credentials_show_the_providers_words() {
    let w = World::with_credentials(
        DialectKind::Hostway,
        scenario(1, 0.0),
        vigil_core::Credentials::Basic {
            user: "demo@vigil.test".into(),
            password: "wrong".into(),
        },
    );
    match w.engine.list_state("c") {
        Some(ListState::Failed { error, .. }) => {
            assert_eq!(error.kind, ErrorKind::Unauthorized);
            assert_eq!(
                error.provider_text.as_deref(),
                Some(
                    "This server could not verify that you are authorized to access the resource."
                )
            );
            assert!(!error.to_string().contains("wrong"));
            assert!(!format!("{error:?}").contains("wrong"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.sent.len(), 1);
    assert!(w.engine.wake().is_none());
}

#[test]
fn power_actions_ending_together_are_verified_from_status_lists() {
    // Power actions on 60 servers at once, on a provider where some of them fail (the server
    // keeps its status): each verdict matches the truth, and most verifications share a list of
    // the servers in one status instead of reading each server.
    let mut w = World::new(
        DialectKind::Hostway,
        vigil_sim::Scenario {
            vms: 60,
            ..scenario(11, 0.2)
        },
    );
    w.engine.schedule_mut().list_every = 24 * 60 * 60_000; // at most the listing already due
    let vms: Vec<Vm> = w
        .vms()
        .into_iter()
        .filter(|v| v.status_raw == "ACTIVE" || v.status_raw == "STOPPED")
        .collect();
    assert!(vms.len() >= 30, "{} servers to act on", vms.len());
    let sent_before = w.sent.len();
    let ops: Vec<(OpId, VmId)> = vms
        .iter()
        .enumerate()
        .map(|(i, vm)| {
            let action = match (vm.status_raw.as_str(), i % 3) {
                ("STOPPED", _) => Action::Start,
                (_, 0) => Action::Shutdown,
                _ => Action::Reboot,
            };
            let id = w.engine.start("c", vm.id.as_str(), action, w.now).unwrap();
            (id, vm.id.clone())
        })
        .collect();
    w.run_until(30 * 60_000, |e| {
        ops.iter().all(|(id, _)| !e.op(id).is_open())
    });
    let truth = w.sim.completions();
    let mut failed_visibly = 0;
    for (id, vm_id) in &ops {
        let op = w.engine.op(id);
        let fact = truth
            .iter()
            .rev()
            .find(|c| c.vm_id == vm_id.as_str())
            .unwrap();
        failed_visibly += usize::from(!fact.succeeded && fact.visible);
        match op.phase {
            // Done only where the server showed the goal, after the provider finished.
            Phase::Succeeded => {
                assert!(fact.succeeded || !fact.visible, "{vm_id}: {:?}", op.note);
                assert!(op.finished_at.unwrap() as u64 >= fact.finished_at_ms.unwrap());
            }
            Phase::NeedsCheck => assert!(!fact.succeeded, "{vm_id}: {:?}", op.note),
            other => panic!("{vm_id}: {other:?} {:?}", op.note),
        }
    }
    assert!(failed_visibly > 0, "the seed should fail some visibly");
    let sent = &w.sent[sent_before..];
    let count = |pred: &dyn Fn(&str) -> bool| sent.iter().filter(|s| pred(s)).count();
    // A listing (`GET /servers`, then each of the 60 servers) may run meanwhile: not counted.
    let listings = count(&|s| s.ends_with("/flexcloud/servers"));
    let server_reads =
        count(&|s| s.starts_with("GET") && s.contains("/servers/") && !s.contains("snapshots"))
            - 60 * listings;
    let lists = count(&|s| s.contains("status=ACTIVE") || s.contains("status=STOPPED"));
    assert!(lists >= 2, "{sent:#?}");
    // A failed shutdown is re-read until its grace period ends (about ten reads); the rest
    // mostly need none.
    assert!(
        server_reads < ops.len() / 2 + 10 * failed_visibly,
        "{server_reads} server reads and {lists} lists for {} operations ({failed_visibly} failed)",
        ops.len()
    );
}
