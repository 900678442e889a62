use super::*;
use crate::engine::Saved;
use crate::error::ApiError;
use crate::model::{
    Action, ActionKind, Expect, Mismatch, Phase, Proof, ProviderRef, Target, TaskEnd, VmExpect,
};
use crate::words::{Note, StepLabel};
use crate::workflow::{BulkItem, BulkWork, Plan, Step};

fn op(id: &str, conn: &str) -> Operation {
    Operation {
        id: id.into(),
        connection: conn.into(),
        target: Target::vm("v1".into(), "web-01"),
        action: Action::Reboot,
        phase: Phase::InProgress,
        submitted_at: 1_000,
        accepted_at: Some(1_100),
        finished_at: None,
        stage: 0,
        provider_ref: Some(ProviderRef::ErigonesTask {
            hostname: "web-01".into(),
            task_id: "t1".into(),
        }),
        provider_status: Some("PENDING".into()),
        note: None,
        progress: None,
        attempt: None,
        attempt_since: None,
        task_ended_at: None,
        expect: Expect::Shows(VmExpect::default()),
        last_error: None,
        proof: Some(Proof::Evidence { boots: true }),
        ended_by: None,
        seen_working_at: None,
        queued: false,
        origin: Default::default(),
    }
}

fn workflow(id: &str, conn: &str) -> Workflow {
    Workflow {
        id: id.into(),
        connection: conn.into(),
        vm_id: "v1".into(),
        vm_name: "web-01".into(),
        plan: Plan::Stop { grace_s: 60 },
        steps: vec![
            Step::new(ActionKind::Shutdown, StepLabel::ShutDown),
            Step::new(
                ActionKind::PowerOff,
                StepLabel::PowerOffIfRunningAfter { grace_s: 60 },
            ),
        ],
        phase: Phase::InProgress,
        started_at: 1_000,
        finished_at: None,
        countdown: None,
        note: None,
        provider_forces: false,
        force_requested: false,
    }
}

fn bulk(id: &str, conns: &[&str]) -> Bulk {
    Bulk {
        id: id.into(),
        work: BulkWork::Action(Action::Reboot),
        started_at: 1_000,
        items: conns
            .iter()
            .map(|c| BulkItem {
                connection: (*c).into(),
                vm_id: "v1".into(),
                vm_name: "web-01".into(),
                op_id: None,
                workflow_id: None,
                skipped: None,
            })
            .collect(),
        finished_at: None,
    }
}

fn encoded(entries: &[Entry]) -> Vec<(String, String)> {
    entries.iter().map(encode_entry).collect()
}

fn decode(entries: &[(String, String)]) -> Loaded {
    decode_all(entries.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[test]
fn every_kind_of_entry_reads_back_as_written() {
    for entry in [
        Entry::Op(op("o1", "c1")),
        Entry::Workflow(workflow("w1", "c1")),
        Entry::Bulk(bulk("b1", &["c1", "c2"])),
    ] {
        let (key, text) = encode_entry(&entry);
        assert_eq!(key, entry.key());
        assert!(is_entry_key(&key));
        assert_eq!(decode_entry(&key, &text), Ok(entry));
    }
    assert_eq!(op_key(&"o1".into()), "vigil.v3.op.o1");
    assert_eq!(workflow_key(&"w1".into()), "vigil.v3.wf.w1");
    assert_eq!(bulk_key(&"b1".into()), "vigil.v3.bulk.b1");
}

#[test]
fn each_entry_carries_the_schema_version() {
    let (_, text) = encode_entry(&Entry::Op(op("o1", "c1")));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["v"], SCHEMA_VERSION);
    assert_eq!(v["op"]["id"], "o1");
}

#[test]
fn a_corrupted_entry_is_dropped_alone_and_reported_with_its_key() {
    let mut entries = encoded(&[
        Entry::Op(op("o1", "c1")),
        Entry::Op(op("o2", "c1")),
        Entry::Workflow(workflow("w1", "c1")),
    ]);
    // One byte of o2 changed: `{` of the operation becomes `[`.
    let bad = &mut entries[1].1;
    let at = bad.find("{\"id\"").unwrap();
    bad.replace_range(at..at + 1, "[");
    let loaded = decode(&entries);
    let ids: Vec<&str> = loaded
        .state
        .operations
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(ids, ["o1"]);
    assert_eq!(loaded.state.workflows.len(), 1);
    assert_eq!(loaded.errors.len(), 1);
    let e = &loaded.errors[0];
    assert_eq!(e.key, "vigil.v3.op.o2");
    assert!(matches!(e.kind, DecodeErrorKind::Unreadable { .. }));
    assert_eq!(e.disposal(), Disposal::Remove);
}

#[test]
fn a_truncated_or_empty_entry_is_dropped_alone() {
    let mut entries = encoded(&[Entry::Op(op("o1", "c1")), Entry::Op(op("o2", "c1"))]);
    let half = entries[0].1.len() / 2;
    entries[0].1.truncate(half);
    entries.push(("vigil.v3.op.o3".into(), String::new()));
    let loaded = decode(&entries);
    assert_eq!(loaded.state.operations.len(), 1);
    let keys: Vec<&str> = loaded.errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["vigil.v3.op.o1", "vigil.v3.op.o3"]);
}

#[test]
fn an_unknown_variant_of_the_same_schema_is_dropped_alone() {
    let mut entries = encoded(&[Entry::Op(op("o1", "c1")), Entry::Op(op("o2", "c1"))]);
    entries[0].1 = entries[0].1.replace("\"InProgress\"", "\"Hibernating\"");
    entries[1].1 = entries[1]
        .1
        .replace("\"Reboot\"", "{\"Teleport\":{\"to\":\"mars\"}}");
    let (w_key, w_text) = encode_entry(&Entry::Workflow(workflow("w1", "c1")));
    entries.push((w_key, w_text.replace("\"Stop\"", "\"Hover\"")));
    entries.push(encode_entry(&Entry::Bulk(bulk("b1", &["c1"]))));
    let loaded = decode(&entries);
    assert!(loaded.state.operations.is_empty());
    assert!(loaded.state.workflows.is_empty());
    assert_eq!(loaded.state.bulks.len(), 1, "the good entry is read");
    assert_eq!(loaded.errors.len(), 3);
    assert!(loaded
        .errors
        .iter()
        .all(|e| matches!(e.kind, DecodeErrorKind::Unreadable { .. })));
}

#[test]
fn a_newer_versions_entry_is_reported_and_left_alone() {
    let mut entries = encoded(&[Entry::Op(op("o1", "c1"))]);
    let newer = r#"{"v": 4, "op": {"id": "o2", "phase": "Teleported", "whatever": [1, 2]}}"#;
    entries.push(("vigil.v3.op.o2".into(), newer.into()));
    entries.push((
        "vigil.v3.snapshot.s1".into(),
        r#"{"v": 5, "snapshot": {}}"#.into(),
    ));
    let loaded = decode(&entries);
    assert_eq!(loaded.state.operations.len(), 1);
    assert_eq!(
        loaded.errors,
        vec![
            DecodeError {
                key: "vigil.v3.op.o2".into(),
                kind: DecodeErrorKind::Newer { version: 4 },
            },
            DecodeError {
                key: "vigil.v3.snapshot.s1".into(),
                kind: DecodeErrorKind::Newer { version: 5 },
            },
        ]
    );
    assert!(loaded
        .errors
        .iter()
        .all(|e| e.disposal() == Disposal::Leave));
}

#[test]
fn an_entry_without_a_version_or_kind_or_under_another_id_is_unreadable() {
    let (key, text) = encode_entry(&Entry::Op(op("o1", "c1")));
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("v");
    let unversioned = v.to_string();
    assert!(matches!(
        decode_entry(&key, &unversioned).unwrap_err().kind,
        DecodeErrorKind::Unreadable { .. }
    ));
    assert!(matches!(
        decode_entry("vigil.v3.thing.o1", &text).unwrap_err().kind,
        DecodeErrorKind::Unreadable { .. }
    ));
    let moved = decode_entry("vigil.v3.op.o9", &text).unwrap_err();
    assert_eq!(moved.kind, DecodeErrorKind::KeyMismatch);
    assert_eq!(moved.disposal(), Disposal::Remove);
    let other = decode_entry("vigil.theme.v1", "dark").unwrap_err();
    assert_eq!(other.kind, DecodeErrorKind::NotAnEntry);
    assert_eq!(other.disposal(), Disposal::Leave);
}

#[test]
fn an_earlier_versions_blob_is_reported_unreadable_to_keep_aside() {
    let v2 = serde_json::json!({"operations": [op("o1", "c1")]}).to_string();
    let mut store = MemoryStore::default();
    store.set("vigil.state.v2", &v2).unwrap();
    store.set("vigil.operations.v1", "[]").unwrap();
    store.set("vigil.theme.v1", "dark").unwrap();
    let (k, t) = encode_entry(&Entry::Op(op("o2", "c1")));
    store.set(&k, &t).unwrap();
    let loaded = load(&store);
    assert_eq!(loaded.state.operations.len(), 1);
    let mut errors: Vec<(&str, Disposal)> = loaded
        .errors
        .iter()
        .map(|e| (e.key.as_str(), e.disposal()))
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            ("vigil.operations.v1", Disposal::BackUp),
            ("vigil.state.v2", Disposal::BackUp)
        ]
    );
    assert!(loaded
        .errors
        .iter()
        .all(|e| e.kind == DecodeErrorKind::OldBlob));
    assert_eq!(store.entries.len(), 4, "loading changes nothing");
}

#[test]
fn deep_nesting_and_garbage_are_unreadable_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for text in [
        deep.as_str(),
        "\u{0}",
        "{\"v\":1e400}",
        "null",
        "{\"v\":3,\"op\":null}",
    ] {
        let e = decode_entry("vigil.v3.op.o1", text).unwrap_err();
        assert!(
            matches!(e.kind, DecodeErrorKind::Unreadable { .. }),
            "{:?}",
            e.kind
        );
    }
}

#[test]
fn every_string_kept_is_capped() {
    let huge = "é".repeat(20_000);
    let mut o = op("o1", "c1");
    o.target = Target::vm("v1".into(), huge.clone());
    o.provider_status = Some(huge.clone());
    o.note = Some(Note::Reported {
        cancelled: false,
        status: huge.clone(),
        text: Some(huge.clone()),
    });
    o.provider_ref = Some(ProviderRef::ErigonesTask {
        hostname: huge.clone(),
        task_id: huge.clone(),
    });
    let (key, text) = encode_entry(&Entry::Op(o));
    let mut all = Vec::new();
    fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Value::Object(m) => m.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    strings(&v, &mut all);
    assert!(all
        .iter()
        .all(|s| s.len() <= MAX_PROVIDER_TEXT + '…'.len_utf8()));
    assert!(text.len() < 8 * MAX_PROVIDER_TEXT + 1_000);
    let Ok(Entry::Op(back)) = decode_entry(&key, &text) else {
        panic!("reads back");
    };
    assert!(back.target.name().len() <= MAX_PROVIDER_TEXT + 3);
    // Capping what is capped changes nothing: it encodes to the same text.
    assert_eq!(encode_entry(&Entry::Op(back)).1, text);
}

#[test]
fn a_huge_entry_from_elsewhere_is_capped_when_read() {
    let mut o = op("o1", "c1");
    o.note = Some(Note::Provider("x".repeat(50_000)));
    let text = serde_json::json!({"v": 3, "op": o}).to_string();
    let Ok(Entry::Op(back)) = decode_entry("vigil.v3.op.o1", &text) else {
        panic!("reads");
    };
    let Some(Note::Provider(t)) = back.note else {
        panic!("a provider note");
    };
    assert!(t.len() <= MAX_PROVIDER_TEXT + 3);
}

#[test]
fn operations_in_memory_keep_capped_provider_texts() {
    let huge = "y".repeat(10_000);
    let mut o = op("o1", "c1");
    o.target = Target::vm("v1".into(), huge.clone());
    o.provider_status = Some(huge.clone());
    o.note = Some(Note::Disagrees(Mismatch::Name {
        current: huge.clone(),
    }));
    o.last_error = Some(ApiError {
        provider_text: Some(huge.clone()),
        ..ApiError::new(crate::ErrorKind::Server)
    });
    cap_operation(&mut o);
    let within = |s: &str| s.len() <= MAX_PROVIDER_TEXT + 3;
    assert!(within(o.target.name()));
    assert!(within(o.provider_status.as_deref().unwrap()));
    let Some(Note::Disagrees(Mismatch::Name { current })) = &o.note else {
        panic!("the note stays");
    };
    assert!(within(current));
    assert!(within(
        o.last_error.unwrap().provider_text.as_deref().unwrap()
    ));
}

#[test]
fn a_save_writes_and_drops_by_key_and_leaves_a_newer_versions_entries() {
    let mut store = MemoryStore::default();
    let (k, t) = encode_entry(&Entry::Op(op("old", "c1")));
    store.set(&k, &t).unwrap();
    let newer = r#"{"v": 9, "op": {"id": "n1"}}"#;
    store.set("vigil.v3.op.n1", newer).unwrap();
    store.set("vigil.v3.op.n2", newer).unwrap();
    let saved = Saved {
        ops: vec![op("o1", "c1"), op("n1", "c1")],
        workflows: vec![workflow("w1", "c1")],
        dropped_ops: vec!["old".into(), "n2".into()],
        ..Saved::default()
    };
    let problems = write(&mut store, &saved);
    assert_eq!(
        problems,
        vec![
            WriteError {
                key: "vigil.v3.op.n1".into(),
                problem: WriteProblem::NewerKept { version: 9 },
            },
            WriteError {
                key: "vigil.v3.op.n2".into(),
                problem: WriteProblem::NewerKept { version: 9 },
            },
        ]
    );
    assert_eq!(store.get("vigil.v3.op.n1").as_deref(), Some(newer));
    assert_eq!(store.get("vigil.v3.op.n2").as_deref(), Some(newer));
    assert_eq!(store.get("vigil.v3.op.old"), None);
    let loaded = load(&store);
    assert_eq!(loaded.state.operations.len(), 1);
    assert_eq!(loaded.state.workflows.len(), 1);
}

#[test]
fn a_full_store_refuses_an_entry_and_says_so_the_rest_is_written() {
    let small = encode_entry(&Entry::Bulk(bulk("b1", &["c1"])));
    let mut store = MemoryStore {
        capacity: Some(small.0.len() + small.1.len() + 10),
        ..MemoryStore::default()
    };
    let saved = Saved {
        ops: vec![op("o1", "c1")],
        bulks: vec![bulk("b1", &["c1"])],
        ..Saved::default()
    };
    let problems = write(&mut store, &saved);
    assert_eq!(
        problems,
        vec![WriteError {
            key: "vigil.v3.op.o1".into(),
            problem: WriteProblem::Refused(StoreError::Full),
        }]
    );
    assert!(store.get("vigil.v3.bulk.b1").is_some());
}

#[test]
fn an_entry_naming_a_moment_no_clock_can_say_is_unreadable() {
    let mut wf = workflow("w1", "c1");
    wf.countdown = Some((0, i64::MIN));
    let mut o = op("o1", "c1");
    o.accepted_at = Some(i64::MAX);
    let mut b = bulk("b1", &["c1"]);
    b.started_at = -1;
    for entry in [Entry::Workflow(wf), Entry::Op(o), Entry::Bulk(b)] {
        assert!(!entry.is_plausible());
        let (key, text) = encode_entry(&entry);
        let e = decode_entry(&key, &text).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::Unreadable { .. }));
        assert_eq!(e.disposal(), Disposal::Remove);
    }
    let mut fine = op("o2", "c1");
    fine.finished_at = Some(LATEST);
    assert!(Entry::Op(fine).is_plausible());
}

#[test]
fn a_workflow_whose_steps_do_not_fit_its_plan_is_unreadable() {
    // fuzz: saved_entry/crash-stop-without-power-off (the engine's Stop needs its power off).
    let ok = workflow("w1", "c1");
    assert!(Entry::Workflow(ok.clone()).is_plausible());
    let mut no_power_off = ok.clone();
    no_power_off.steps.truncate(1);
    let mut forced_by_provider = no_power_off.clone();
    forced_by_provider.provider_forces = true;
    assert!(Entry::Workflow(forced_by_provider.clone()).is_plausible());
    let mut forced_now_without_it = forced_by_provider;
    forced_now_without_it.force_requested = true;
    let mut stray_step = ok.clone();
    stray_step
        .steps
        .push(Step::new(ActionKind::Start, StepLabel::Start));
    let mut cold = ok.clone();
    cold.plan = Plan::ColdResize {
        resize: crate::model::Resize::Flavor { id: "m1".into() },
        start_after: true,
    };
    for wf in [no_power_off, forced_now_without_it, stray_step, cold] {
        let (key, text) = encode_entry(&Entry::Workflow(wf));
        let e = decode_entry(&key, &text).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::Unreadable { .. }));
    }
}

#[test]
fn how_an_operation_is_proven_and_how_its_task_ended_read_back() {
    let mut o = op("o1", "c1");
    o.phase = Phase::Verifying;
    o.task_ended_at = Some(2_000);
    o.ended_by = Some(TaskEnd::Settled { seen_working: true });
    o.seen_working_at = Some(1_500);
    o.note = Some(Note::Settling {
        end: TaskEnd::Settled { seen_working: true },
        why: None,
    });
    let entry = Entry::Op(o);
    let (key, text) = encode_entry(&entry);
    assert_eq!(decode_entry(&key, &text), Ok(entry));
    // Kept before these were: none of them, and the proof then goes by the action's kind.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    for field in ["proof", "ended_by", "seen_working_at"] {
        v["op"].as_object_mut().unwrap().remove(field);
    }
    let Ok(Entry::Op(old)) = decode_entry(&key, &v.to_string()) else {
        panic!("an entry without them reads");
    };
    assert_eq!(
        (old.proof, old.ended_by, old.seen_working_at),
        (None, None, None)
    );
    assert_eq!(old.proof(), Proof::Evidence { boots: true });
}

#[test]
fn an_operation_whose_proof_does_not_fit_its_action_is_unreadable() {
    // A reboot proven by the VM merely running would be done without anything showing it ran.
    let mut target = op("o1", "c1");
    target.proof = Some(Proof::Target);
    let mut no_boot = op("o2", "c1");
    no_boot.proof = Some(Proof::Evidence { boots: false });
    let mut booting_rename = op("o3", "c1");
    booting_rename.action = Action::Rename { name: "db".into() };
    booting_rename.proof = Some(Proof::Evidence { boots: true });
    let mut seen_at_the_end_of_time = op("o4", "c1");
    seen_at_the_end_of_time.seen_working_at = Some(i64::MIN);
    for o in [target, no_boot, booting_rename, seen_at_the_end_of_time] {
        let entry = Entry::Op(o);
        assert!(!entry.is_plausible(), "{entry:?}");
        let (key, text) = encode_entry(&entry);
        let e = decode_entry(&key, &text).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::Unreadable { .. }));
    }
    // What the engine decides fits: a rename proven by its new name, or by evidence where the
    // VM had that name already.
    for proof in [Proof::Target, Proof::Evidence { boots: false }] {
        let mut rename = op("o5", "c1");
        rename.action = Action::Rename { name: "db".into() };
        rename.proof = Some(proof);
        assert!(Entry::Op(rename).is_plausible());
    }
}

#[test]
fn every_note_is_capped_those_of_an_unreported_end_too() {
    let huge = "z".repeat(10_000);
    let status = || Mismatch::Power {
        status: huge.clone(),
    };
    let end = TaskEnd::Gone;
    for note in [
        Note::Settling {
            end,
            why: Some(status()),
        },
        Note::Unverified { end, why: status() },
        Note::Waiting(status()),
        Note::BackWhereItStarted(status()),
    ] {
        let mut o = op("o1", "c1");
        o.note = Some(note);
        cap_operation(&mut o);
        let text = serde_json::to_string(&o.note).unwrap();
        assert!(text.len() < MAX_PROVIDER_TEXT + 200, "{text:.80}");
    }
    // Nothing of the provider's in these: kept as they are.
    for note in [
        Note::NotTaken,
        Note::NoEvidence { end },
        Note::Settling { end, why: None },
    ] {
        let mut o = op("o1", "c1");
        o.note = Some(note.clone());
        cap_operation(&mut o);
        assert_eq!(o.note, Some(note));
    }
}
