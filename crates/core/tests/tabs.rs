//! A following tab creates VMs: the polling tab shares each connection's catalogue when a part
//! of it changes, the follower applies it with `Command::Mirror`, checks its intents with
//! `View::check` and forwards `LoadCatalogue` and `Create` (serialised, as they cross between
//! tabs). And `Change::Catalogue` is told only when a catalogue part's state changes: what a
//! user's role allows follows from it, never from a listing.

mod common;

use common::drive::changes;
use common::*;
use vigil_core::catalogue::Part;
use vigil_core::engine::Change;
use vigil_core::{
    ActionKind, Command, ConnId, Credentials, DialectKind, Engine, Event, Pace, Phase, Refusal,
    VmSpec,
};

/// A following tab of `w`'s, showing what it shares.
fn follower_of(w: &mut World) -> Engine {
    let mut f = Engine::new("f");
    let cfg = w.engine.view().connections().next().unwrap().clone();
    f.pace(Pace::Follower, w.now);
    f.add(cfg, w.now);
    let all = w.engine.share_all(w.now);
    pass_on(vec![Event::Share(all)], &mut f, w.now);
    f
}

/// Hands every share among `events` to the follower, through the JSON they cross tabs in.
fn pass_on(events: Vec<Event>, f: &mut Engine, now: i64) {
    for e in events {
        if let Event::Share(share) = e {
            let text = serde_json::to_string(&share).unwrap();
            f.mirror(serde_json::from_str(&text).unwrap(), now);
        }
    }
}

/// The follower's intent, checked there, then carried out by the leader as it arrives.
fn forward(f: &Engine, w: &mut World, cmd: Command) -> vigil_core::engine::Started {
    assert_eq!(f.view().check(&cmd), Ok(()), "{cmd:?}");
    let text = serde_json::to_string(&cmd).expect("the intent crosses tabs");
    let arrived: Command = serde_json::from_str(&text).unwrap();
    assert_eq!(arrived, cmd);
    w.engine
        .cmd(arrived, w.now)
        .expect("the leader carries it out")
}

fn loaded(e: &Engine) -> bool {
    e.view()
        .catalogue(&"c".into())
        .is_some_and(|c| c.is_loaded())
}

#[test]
fn a_following_tab_creates_a_vm_from_the_catalogue_the_leader_read() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(41, 0.0));
    let mut f = follower_of(&mut w);
    let conn: ConnId = "c".into();
    assert!(f.view().catalogue(&conn).is_none(), "nothing read yet");
    w.engine.events();
    forward(
        &f,
        &mut w,
        Command::LoadCatalogue {
            conn: conn.clone(),
            region: None,
        },
    );
    w.run_until(60_000, loaded);
    f.events();
    pass_on(w.engine.events(), &mut f, w.now);
    assert_eq!(f.view().catalogue(&conn), w.engine.view().catalogue(&conn));
    assert!(
        changes(&f.events()).contains(&Change::Catalogue(conn.clone())),
        "the follower's create form hears of it"
    );
    assert!(f.round(w.now).is_empty(), "a follower reads nothing itself");

    // The form, filled in from what the follower shows.
    let spec = {
        let view = f.view();
        let cat = view.catalogue(&conn).unwrap();
        let mut spec = VmSpec {
            name: "from-a-follower".into(),
            ..VmSpec::default()
        };
        spec.region = Some(cat.choices(Part::Regions)[0].id.clone());
        let size = cat.offered(Part::Sizes, &spec)[0].id.clone();
        spec.size = Some(size);
        spec.image = cat.offered(Part::Images, &spec)[0].id.clone();
        spec
    };
    assert_eq!(f.view().check_create(&conn, &spec), vec![]);
    let taken = Command::Create {
        conn: conn.clone(),
        spec: VmSpec {
            name: w.vms()[0].name.clone(),
            ..spec.clone()
        },
    };
    // cloudsfor finds a new VM by its id: a name in use is no problem there, but an empty
    // one is, for both tabs.
    let nameless = Command::Create {
        conn: conn.clone(),
        spec: VmSpec {
            name: String::new(),
            ..spec.clone()
        },
    };
    assert_eq!(f.view().check(&nameless), Err(Refusal::EnterName));
    assert_eq!(f.view().check(&nameless), w.engine.view().check(&nameless));
    assert_eq!(f.view().check(&taken), w.engine.view().check(&taken));
    let op = forward(&f, &mut w, Command::Create { conn, spec });
    let op = op.op().cloned().unwrap();
    w.run_until(40 * 60_000, |e| !e.op(&op).is_open());
    assert_eq!(w.engine.op(&op).phase, Phase::Succeeded);
    pass_on(w.engine.events(), &mut f, w.now);
    assert_eq!(f.op(&op).phase, Phase::Succeeded, "the follower shows it");
    assert!(f.vms("c").iter().any(|v| v.name == "from-a-follower"));
}

#[test]
fn the_catalogue_is_told_only_when_a_part_of_it_changes() {
    let mut w = World::new(DialectKind::Hostway, scenario(42, 0.0));
    let conn: ConnId = "c".into();
    w.engine.events();
    // Listings come and go: the catalogue is not told of.
    let end = w.now + 5 * 60_000;
    while w.now < end && w.step() {}
    let listed = w.engine.events();
    assert!(
        changes(&listed).contains(&Change::Connection(conn.clone())),
        "listings were told"
    );
    assert!(!changes(&listed)
        .iter()
        .any(|c| matches!(c, Change::Catalogue(_))));
    assert!(!listed
        .iter()
        .any(|e| matches!(e, Event::Share(s) if !s.catalogues.is_empty())));
    // Read: told, and shared whole.
    let load = Command::LoadCatalogue {
        conn: conn.clone(),
        region: None,
    };
    w.engine.cmd(load.clone(), w.now).unwrap();
    w.run_until(60_000, loaded);
    let read = w.engine.events();
    assert!(changes(&read).contains(&Change::Catalogue(conn.clone())));
    let shared = read.iter().rev().find_map(|e| match e {
        Event::Share(s) if !s.catalogues.is_empty() => Some(s.catalogues.clone()),
        _ => None,
    });
    let now = w.engine.view().catalogue(&conn).cloned().unwrap();
    assert_eq!(shared, Some(vec![(conn.clone(), now)]));
    // Asked again while it loads: nothing changes, nothing is told.
    w.engine.cmd(load.clone(), w.now).unwrap();
    w.engine.events();
    w.engine.cmd(load, w.now).unwrap();
    assert!(!changes(&w.engine.events())
        .iter()
        .any(|c| matches!(c, Change::Catalogue(_))));
}

#[test]
fn a_role_refused_by_a_catalogue_read_is_told_and_every_delete_says_it() {
    let mut w = World::with_credentials(
        DialectKind::Erigones,
        scenario(43, 0.0),
        Credentials::ApiKey {
            key: vigil_sim::OWNER_ES_API_KEY.into(),
        },
    );
    let mut f = follower_of(&mut w);
    let conn: ConnId = "c".into();
    let vm = w.vms()[0].id.clone();
    let delete_reason = |e: &Engine| {
        e.view()
            .choices(&conn, &vm)
            .into_iter()
            .find(|c| c.command == vigil_core::engine::VmCommand::Action(ActionKind::Delete))
            .and_then(|c| c.reason)
    };
    assert_eq!(delete_reason(&w.engine), None, "not known yet");
    w.engine.events();
    forward(
        &f,
        &mut w,
        Command::LoadCatalogue {
            conn: conn.clone(),
            region: None,
        },
    );
    w.run_until(60_000, loaded);
    let events = w.engine.events();
    let told = changes(&events)
        .into_iter()
        .filter(|c| *c == Change::Catalogue(conn.clone()))
        .count();
    assert!(told >= 1, "the role's change was told");
    let why = Refusal::RoleCannot {
        provider: DialectKind::Erigones,
        action: ActionKind::Delete,
    };
    assert_eq!(delete_reason(&w.engine), Some(why.clone()));
    // The following tab learns it from the shared catalogue.
    pass_on(events, &mut f, w.now);
    assert_eq!(delete_reason(&f), Some(why));
    assert!(matches!(
        f.view().create_allowed(&conn),
        Err(Refusal::RoleCannot { .. })
    ));
}

#[test]
fn a_tab_that_took_over_shares_all_it_shows_with_the_next_tab() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(44, 0.0));
    let vm = w
        .vm_where(|v| v.power == vigil_core::PowerState::Running && !v.locked)
        .id;
    let mut f = follower_of(&mut w);
    let op = w
        .engine
        .start("c", vm.as_str(), vigil_core::Action::Reboot, w.now)
        .unwrap();
    w.run_until(40 * 60_000, |e| !e.op(&op).is_open());
    pass_on(w.engine.events(), &mut f, w.now);
    assert_eq!(f.op(&op).phase, Phase::Succeeded, "the follower shows it");
    // The leading tab closes; the follower takes over, as the page does.
    f.cmd(Command::TakeOver, w.now).unwrap();
    f.pace(Pace::Foreground, w.now);
    // Another tab opens and follows the new leader: it is shared everything that one shows.
    let mut g = Engine::new("g");
    g.pace(Pace::Follower, w.now);
    g.add(w.engine.view().connections().next().unwrap().clone(), w.now);
    let all = f.share_all(w.now);
    assert!(
        all.saved.ops.iter().any(|o| o.id == op),
        "the finished reboot is in the new leader's full share"
    );
    pass_on(vec![Event::Share(all)], &mut g, w.now);
    assert_eq!(g.op(&op).phase, Phase::Succeeded);
}

/// A following tab asks for a VM's snapshots: the leader reads them (its request budget) and
/// shares the list; the follower shows it and is told it changed.
#[test]
fn a_following_tab_sees_the_snapshots_the_leader_read() {
    let mut w = World::new(DialectKind::Hostway, scenario(42, 0.0));
    let mut f = follower_of(&mut w);
    w.engine.events();
    let vm = w.vm_where(|v| v.status_raw == "ACTIVE").id;
    let kind = vigil_core::PointKind::Snapshot;
    let cmd = Command::ReadPoints {
        conn: "c".into(),
        vm: vm.clone(),
        kind,
    };
    forward(&f, &mut w, cmd);
    let conn: ConnId = "c".into();
    let done = |e: &Engine| {
        e.view()
            .points(&"c".into(), &vm, kind)
            .is_some_and(|l| l.read_at.is_some())
    };
    w.run_until(60_000, |e| done(e));
    pass_on(w.engine.events(), &mut f, w.now);
    let truth = w.sim.points("hostway", vm.as_str());
    let seen = f.view().points(&conn, &vm, kind).expect("shared").clone();
    assert_eq!(seen.points.len(), truth.len());
    assert!(changes(&f.events()).contains(&Change::Points(conn, vm, kind)));
}
