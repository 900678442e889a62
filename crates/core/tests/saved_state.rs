//! State that survives, through a shared store as the page's `localStorage`: tabs showing
//! different connections never overwrite nor drop each other's entries; what one engine keeps
//! reads back into another; provider texts are capped before they are kept.

mod common;

use common::scripted::{accepted, cfg, engine_with, list, only, vm, T0};
use common::Drive;
use vigil_core::error::MAX_PROVIDER_TEXT;
use vigil_core::saved::{self, encode_entry, Entry, MemoryStore, Store};
use vigil_core::{
    Action, Command, ConnectionConfig, Engine, Event, HttpResponse, Operation, Phase,
};

/// Writes every save the engine asked for into `store`; says whether any asked.
fn flush(e: &mut Engine, store: &mut MemoryStore) -> bool {
    let mut any = false;
    for ev in e.events() {
        if let Event::Save(s) = ev {
            assert!(saved::write(store, &s).is_empty(), "every entry written");
            any = true;
        }
    }
    any
}

fn cfg2() -> ConnectionConfig {
    ConnectionConfig {
        id: "c2".into(),
        name: "Second".into(),
        ..cfg()
    }
}

/// A tab showing only `c2`, listed, with what the store holds imported.
fn tab_c2(store: &MemoryStore, now: i64) -> Engine {
    let mut e = Engine::new("b");
    e.add(cfg2(), now);
    let out = only(e.round(now));
    e.answer(
        out.token,
        Ok(list(&[vm("v9", "db-09", "running", false)])),
        now,
    );
    e.import(saved::load(store).state, now);
    e
}

fn stored_op(store: &MemoryStore, id: &str) -> Option<Operation> {
    let key = saved::op_key(&id.into());
    match saved::decode_entry(&key, &store.get(&key)?) {
        Ok(Entry::Op(op)) => Some(op),
        other => panic!("{other:?}"),
    }
}

/// A finished operation of `conn`, as another tab would have kept it.
fn finished(id: &str, conn: &str, at: i64) -> Operation {
    let mut e = engine_with(&[vm("v1", "web-01", "running", false)]);
    let op_id = e.start("c1", "v1", Action::Reboot, at).unwrap();
    let mut op = e.op(&op_id);
    op.id = id.into();
    op.connection = conn.into();
    op.phase = Phase::Succeeded;
    op.finished_at = Some(at + 1_000);
    op
}

#[test]
fn a_tab_with_other_connections_leaves_this_tabs_open_operation_as_written() {
    let mut store = MemoryStore::default();
    let mut a = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = a.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(a.round(T0));
    a.answer(post.token, Ok(accepted("reboot")), T0);
    assert!(flush(&mut a, &mut store));
    let written = stored_op(&store, id.as_str()).expect("kept");
    assert!(written.is_open());

    // Another tab, showing c2 only, loads everything: c1's operation is not its own.
    let mut b = tab_c2(&store, T0 + 1_000);
    assert_eq!(
        b.op(&id).phase,
        Phase::NeedsCheck,
        "shown as not followed here"
    );
    flush(&mut b, &mut store);
    b.cmd(Command::ClearFinished, T0 + 2_000).unwrap();
    flush(&mut b, &mut store);
    assert_eq!(
        stored_op(&store, id.as_str()),
        Some(written),
        "neither overwritten nor dropped by the other tab"
    );
}

#[test]
fn each_tab_trims_only_its_own_finished_operations() {
    let mut store = MemoryStore::default();
    let keep = vigil_core::engine::KEEP_OPERATIONS;
    for i in 0..keep + 10 {
        let op = finished(&format!("a{i:04}"), "c1", T0 + i as i64);
        let (k, t) = encode_entry(&Entry::Op(op));
        store.set(&k, &t).unwrap();
    }
    let count = |s: &MemoryStore, prefix: &str| {
        s.keys()
            .iter()
            .filter(|k| k.starts_with(&format!("vigil.v3.op.{prefix}")))
            .count()
    };

    // The c2 tab holds more finished operations than it keeps, none of them its own.
    let mut b = tab_c2(&store, T0 + 10_000_000);
    flush(&mut b, &mut store);
    assert_eq!(count(&store, "a"), keep + 10, "not its to drop");

    // The c1 tab trims its own to what it keeps.
    let mut a = engine_with(&[vm("v1", "web-01", "running", false)]);
    a.import(saved::load(&store).state, T0 + 10_000_000);
    flush(&mut a, &mut store);
    assert_eq!(count(&store, "a"), keep);
    // The oldest went.
    assert!(stored_op(&store, "a0000").is_none());
    assert!(stored_op(&store, &format!("a{:04}", keep + 9)).is_some());
}

#[test]
fn a_reload_through_the_store_resumes_the_operation() {
    let mut store = MemoryStore::default();
    let mut a = engine_with(&[vm("v1", "web-01", "running", false)]);
    let id = a.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(a.round(T0));
    a.answer(post.token, Ok(accepted("reboot")), T0);
    flush(&mut a, &mut store);
    drop(a);

    let mut again = engine_with(&[vm("v1", "web-01", "running", true)]);
    let loaded = saved::load(&store);
    assert!(loaded.errors.is_empty());
    again.import(loaded.state, T0 + 5_000);
    let look = only(again.round(T0 + 5_000));
    assert!(
        look.request.url.ends_with("/vms/v1/actions"),
        "followed again"
    );
    assert!(again.op(&id).is_open());
}

#[test]
fn provider_texts_are_capped_before_they_are_kept() {
    let long_name = "n".repeat(10_000);
    let long_status = "s".repeat(10_000);
    let mut store = MemoryStore::default();
    let mut e = engine_with(&[
        vm("v1", &long_name, "running", false),
        vm("v2", &long_name, "running", false),
    ]);
    let id = e.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(e.round(T0));
    let body = serde_json::json!({"action": {"id": "v1", "status": long_status, "type": "reboot",
        "started_at": "2026-01-01T00:00:00Z", "resource_type": "vm"}});
    e.answer(post.token, Ok(HttpResponse::new(201, body.to_string())), T0);
    flush(&mut e, &mut store);
    let within = |s: &str| s.len() <= MAX_PROVIDER_TEXT + '…'.len_utf8();
    for op in [e.op(&id), stored_op(&store, id.as_str()).unwrap()] {
        let name = op.target.name();
        assert!(within(name));
        assert!(within(op.provider_status.as_deref().unwrap()));
    }
    // A workflow's VM name too.
    let stop = vigil_core::workflow::Plan::Stop { grace_s: 60 };
    let wf = e.start_workflow("c1", "v2", stop, T0 + 1).unwrap();
    assert!(within(&e.wf(&wf).vm_name));
}

fn one_op(op: Operation) -> vigil_core::engine::Saved {
    vigil_core::engine::Saved {
        ops: vec![op],
        ..Default::default()
    }
}

#[test]
fn a_save_the_device_refuses_is_told_once_and_written_with_the_next_save() {
    use vigil_core::saved::{Keeper, StorageNote};
    let mut store = MemoryStore {
        capacity: Some(64),
        ..Default::default()
    };
    let mut keeper = Keeper::default();
    let first = finished("op-1", "c1", T0);
    assert_eq!(
        keeper.save(&mut store, &one_op(first.clone())),
        Some(StorageNote::NotKept {
            entries: 1,
            full: true
        })
    );
    assert_eq!(stored_op(&store, "op-1"), None);
    // Still full: kept pending, not told again.
    assert_eq!(
        keeper.save(&mut store, &one_op(finished("op-2", "c1", T0))),
        None
    );
    assert_eq!(keeper.pending(), 2);
    // Room again (the user cleared something): the next save writes what was refused too.
    store.capacity = None;
    assert_eq!(
        keeper.save(&mut store, &one_op(finished("op-3", "c1", T0))),
        Some(StorageNote::KeptAgain)
    );
    assert_eq!(stored_op(&store, "op-1"), Some(first));
    assert!(stored_op(&store, "op-2").is_some());
    assert_eq!(keeper.pending(), 0);
}

#[test]
fn a_refused_entry_the_engine_dropped_since_is_not_written_back() {
    use vigil_core::saved::Keeper;
    let mut store = MemoryStore {
        capacity: Some(64),
        ..Default::default()
    };
    let mut keeper = Keeper::default();
    keeper.save(&mut store, &one_op(finished("op-1", "c1", T0)));
    store.capacity = None;
    let dropped = vigil_core::engine::Saved {
        dropped_ops: vec!["op-1".into()],
        ..Default::default()
    };
    keeper.save(&mut store, &dropped);
    assert_eq!(stored_op(&store, "op-1"), None);
    assert_eq!(keeper.pending(), 0);
}

#[test]
fn loading_drops_a_damaged_entry_keeps_the_rest_and_backs_up_an_old_blob() {
    use vigil_core::saved::{backup_key, Keeper, StorageNote};
    let mut store = MemoryStore::default();
    saved::write(&mut store, &one_op(finished("op-1", "c1", T0)));
    let (key, text) = encode_entry(&Entry::Op(finished("op-2", "c1", T0)));
    store.set(&key, &text.replacen('{', "{\u{1}", 2)).unwrap();
    store
        .set("vigil.state.v2", r#"{"operations":[1,2,3]}"#)
        .unwrap();

    let (loaded, notes) = Keeper::load(&mut store);
    let ids: Vec<String> = loaded
        .state
        .operations
        .iter()
        .map(|o| o.id.0.clone())
        .collect();
    assert_eq!(ids, ["op-1"]);
    assert!(notes.contains(&StorageNote::Unreadable { entries: 1 }));
    assert!(notes
        .iter()
        .any(|n| matches!(n, StorageNote::BackedUp { blobs: 1, .. })));
    assert_eq!(store.get(&key), None, "the damaged entry is gone");
    assert_eq!(store.get("vigil.state.v2"), None);
    assert_eq!(
        store.get(&backup_key("vigil.state.v2")).as_deref(),
        Some(r#"{"operations":[1,2,3]}"#),
        "kept aside as it was"
    );
    // Read again: nothing more to say, and the backup is not read as state.
    let (again, notes) = Keeper::load(&mut store);
    assert_eq!(again.state.operations.len(), 1);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn an_old_blob_stays_where_it_is_when_its_backup_cannot_be_written() {
    use vigil_core::saved::Keeper;
    let blob = "x".repeat(40);
    let mut store = MemoryStore {
        capacity: Some(70),
        ..Default::default()
    };
    store.set("vigil.state.v2", &blob).unwrap();
    let (_, notes) = Keeper::load(&mut store);
    assert_eq!(store.get("vigil.state.v2"), Some(blob), "never lost");
    assert!(notes.is_empty());
}

#[test]
fn an_operation_whose_write_waits_to_be_sent_survives_a_reload_and_is_sent() {
    let mut store = MemoryStore::default();
    let vms = [
        vm("v1", "web-01", "running", false),
        vm("v2", "web-02", "running", false),
    ];
    let mut a = engine_with(&vms);
    let refused = a.start("c1", "v1", Action::Reboot, T0).unwrap();
    let post = only(a.round(T0));
    // Too many requests: not taken, to be sent again once the provider allows.
    let throttled = HttpResponse::new(429, "{}").with_header("Retry-After", "30");
    a.answer(post.token, Ok(throttled), T0);
    // Made, and not sent yet.
    let unsent = a.start("c1", "v2", Action::Reboot, T0 + 10).unwrap();
    flush(&mut a, &mut store);
    drop(a);

    let mut again = engine_with(&vms);
    let loaded = saved::load(&store);
    assert!(loaded.errors.is_empty());
    again.import(loaded.state, T0 + 1_000);
    for id in [&refused, &unsent] {
        assert_eq!(
            again.op(id).phase,
            Phase::Submitted,
            "kept, and no check asked"
        );
    }
    let out = again.round(T0 + 1_000);
    let posts: Vec<&str> = out
        .iter()
        .filter(|t| t.request.method == vigil_core::Method::Post)
        .map(|t| t.request.url.as_str())
        .collect();
    assert_eq!(posts.len(), 2, "both sent now: {posts:?}");
    assert!(posts.iter().any(|u| u.ends_with("/vms/v1/actions")));
    assert!(posts.iter().any(|u| u.ends_with("/vms/v2/actions")));
}
