//! ZennoHosting: vigil-core against the independent simulator, end to end.

mod common;

use common::*;
use vigil_core::{
    Action, DialectKind, ErrorKind, ListState, Note, OpId, Phase, PowerState, ProviderRef, Target,
    TaskState, VmId,
};

const BASE: &str = "http://127.0.0.1:8787/zennohosting";

/// Sends a command to the simulator directly, as another client of the same account would.
fn direct(w: &mut World, method: &str, path: &str) -> vigil_sim::Response {
    let req = vigil_sim::Request::new(method, &format!("{BASE}{path}")).bearer("demo-token");
    w.sim.handle(&req, w.now as u64).unwrap()
}

fn project(w: &World) -> String {
    w.vms()[0]
        .project
        .clone()
        .expect("listed VMs know their project")
}

#[test]
fn listing_reads_projects_then_each_projects_vms() {
    let w = World::new(DialectKind::ZennoHosting, scenario(3, 0.0));
    assert!(matches!(
        w.engine.list_state("c"),
        Some(ListState::Ready { .. })
    ));
    let p = project(&w);
    assert_eq!(
        w.sent,
        vec![
            format!("GET {BASE}/projects"),
            format!("GET {BASE}/projects/{p}/vms")
        ]
    );
    let vms = w.vms();
    assert_eq!(vms.len(), 12);
    assert!(vms.iter().all(|v| v.project.as_deref() == Some(p.as_str())));
    assert!(vms
        .iter()
        .all(|v| matches!(v.power, PowerState::Running | PowerState::Stopped)));
    assert!(vms.iter().all(|v| v.size.vcpus.is_some()));
}

#[test]
fn every_action_reaches_a_verified_end() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(3, 0.0));
    let id = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    // A restore picks a backup the simulator lists for this VM (never a made-up id) and leaves
    // the VM in the state it had before (the sheet: a stopped VM stays stopped).
    let p = project(&w);
    let listed = direct(&mut w, "GET", &format!("/projects/{p}/vms/{id}/backups"));
    assert_eq!(listed.status, 200, "{}", listed.body);
    let backup_id = w
        .sim
        .points("zennohosting", id.as_str())
        .into_iter()
        .find(|b| b.kind == vigil_sim::PointKind::Backup && b.state == vigil_sim::PointState::Ready)
        .expect("the simulator seeds ready backups on this VM")
        .id;
    assert!(
        listed.body.contains(&format!("\"{backup_id}\"")),
        "{backup_id} not in {}",
        listed.body
    );
    for (action, power) in [
        (Action::Reboot, PowerState::Running),
        (Action::Shutdown, PowerState::Stopped),
        (Action::Start, PowerState::Running),
        (Action::Shutdown, PowerState::Stopped),
        (
            Action::RestoreBackup {
                backup_id: backup_id.clone(),
                name: String::new(),
            },
            PowerState::Stopped,
        ),
    ] {
        let what = format!("{action:?}");
        let op = w.run_op(id.as_str(), action);
        assert_eq!(op.phase, Phase::Succeeded, "{what}: {:?}", op.note);
        assert!(op.finished_at.unwrap() > op.accepted_at.unwrap());
        let Some(ProviderRef::ZennoCommand { command_id, .. }) = &op.provider_ref else {
            panic!("{what}: {:?}", op.provider_ref);
        };
        assert!(!command_id.is_empty());
        assert!(
            op.provider_status.as_deref().unwrap().contains("succeeded"),
            "{what}: {:?}",
            op.provider_status
        );
        let vm = w.engine.vm("c", id.as_str()).unwrap();
        assert_eq!(vm.power, power, "{what}");
        assert!(!vm.locked);
        // The simulator's ground truth agrees with the verdict.
        let fact = w.sim.vm_fact("zennohosting", id.as_str()).unwrap();
        let truth = if power == PowerState::Running {
            vigil_sim::VmState::Running
        } else {
            vigil_sim::VmState::Stopped
        };
        assert_eq!(fact.state, truth, "{what}");
    }
    assert_eq!(
        w.sim.restored_from("zennohosting", id.as_str()),
        Some(backup_id.clone())
    );
    assert_eq!(
        w.count_sent(&format!(
            "POST {BASE}/projects/{p}/vms/{id}/backups/{backup_id}/restore"
        )),
        1
    );
    assert_eq!(
        w.count_sent(&format!("POST {BASE}/projects/{p}/vms/{id}/stop")),
        2
    );
}

#[test]
fn failed_operations_end_failed() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(4, 1.0));
    let running = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    let op = w.run_op(running.as_str(), Action::Reboot);
    assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
    assert_eq!(op.provider_status.as_deref(), Some("reboot failed"));
    assert!(
        matches!(&op.note, Some(Note::Reported { cancelled: false, status, .. }) if status == "reboot failed"),
        "{:?}",
        op.note
    );
    // The VM keeps its old state.
    assert_eq!(
        w.engine.vm("c", running.as_str()).unwrap().power,
        PowerState::Running
    );

    let stopped = w
        .vm_where(|v| v.power == PowerState::Stopped && !v.locked)
        .id;
    let op = w.run_op(stopped.as_str(), Action::Start);
    assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
    let vm = w.engine.vm("c", stopped.as_str()).unwrap();
    assert_eq!(vm.status_raw, "stopped · boot failed");
    // A failed boot may be retried.
    assert!(w
        .engine
        .allowed("c", stopped.as_str(), vigil_core::ActionKind::Start)
        .is_ok());
}

#[test]
fn another_command_on_the_same_vm_supersedes_ours() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(5, 0.0));
    let id = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    let p = project(&w);
    let op_id = w
        .engine
        .start("c", id.as_str(), Action::Reboot, w.now)
        .unwrap();
    w.run_until(10_000, |e| e.op(&op_id).phase == Phase::Accepted);
    // Our reboot ends while Vigil is not looking (a sleeping laptop); then another client stops
    // the VM, which overwrites `operation`/`operationStatus` before Vigil sees the reboot's end.
    w.now += 120_000;
    let r = direct(&mut w, "POST", &format!("/projects/{p}/vms/{id}/stop"));
    assert_eq!(r.status, 202, "{}", r.body);
    w.run_until(60_000, |e| !e.op(&op_id).is_open());
    let op = w.engine.op(&op_id);
    assert_eq!(op.phase, Phase::Superseded, "{:?}", op.note);
    assert_eq!(op.note, Some(Note::Superseded { by: "stop".into() }));
    // The VM row shows the other operation, as the provider says.
    let vm = w.engine.vm("c", id.as_str()).unwrap();
    assert!(vm.locked);
    assert!(vm.status_raw.contains("stop"));
}

#[test]
fn a_command_refused_while_another_runs_keeps_the_providers_words() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(6, 0.0));
    let id = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    let p = project(&w);
    let r = direct(&mut w, "POST", &format!("/projects/{p}/vms/{id}/stop"));
    assert_eq!(r.status, 202);
    // Vigil's list still shows the VM idle, so the reboot is sent and refused.
    let op = w.run_op(id.as_str(), Action::Reboot);
    assert_eq!(op.phase, Phase::Failed);
    let err = op.last_error.clone().unwrap();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(err.status, Some(409));
    let Some(Note::Refused(err)) = &op.note else {
        panic!("{:?}", op.note)
    };
    assert_eq!((err.kind, err.status), (ErrorKind::Conflict, Some(409)));
    assert_eq!(
        err.provider_text.as_deref(),
        Some(format!("VM {id} already has a 'stop' operation in progress").as_str())
    );
    // The conflict made Vigil look again: the VM now shows the stop.
    w.run_until(10_000, |e| e.vm("c", id.as_str()).unwrap().locked);
}

#[test]
fn operations_in_one_project_are_observed_with_one_request() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(7, 0.0));
    let p = project(&w);
    let running: Vec<VmId> = w
        .vms()
        .into_iter()
        .filter(|v| v.power == PowerState::Running && !v.locked)
        .map(|v| v.id)
        .take(3)
        .collect();
    assert_eq!(running.len(), 3);
    let ops: Vec<OpId> = running
        .iter()
        .map(|id| {
            w.engine
                .start("c", id.as_str(), Action::Reboot, w.now)
                .unwrap()
        })
        .collect();
    let list = format!("GET {BASE}/projects/{p}/vms");
    let lists_before = w.sent.iter().filter(|s| **s == list).count();
    w.run_until(10 * 60_000, |e| ops.iter().all(|o| !e.op(o).is_open()));
    for o in &ops {
        let op = w.engine.op(o);
        assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    }
    let lists = w.sent.iter().filter(|s| **s == list).count() - lists_before;
    let singles: usize = running
        .iter()
        .map(|id| {
            w.sent
                .iter()
                .filter(|s| s.ends_with(&format!("/vms/{id}")))
                .count()
        })
        .sum();
    assert!(
        lists >= 3,
        "the project list served the observations ({lists})"
    );
    // Three reboots observed one by one would cost at least three reads per poll.
    assert!(
        singles < lists,
        "single-VM reads {singles} vs shared list reads {lists}"
    );
}

#[test]
fn refused_token_shows_the_providers_words() {
    let w = World::with_credentials(
        DialectKind::ZennoHosting,
        scenario(1, 0.0),
        vigil_core::Credentials::Bearer {
            token: "wrong-token".into(),
        },
    );
    match w.engine.list_state("c") {
        Some(ListState::Failed { error, .. }) => {
            assert_eq!(error.kind, ErrorKind::Unauthorized);
            assert_eq!(
                error.provider_text.as_deref(),
                Some("Missing or invalid bearer token")
            );
            assert!(!error.to_string().contains("wrong-token"));
            assert!(!format!("{error:?}").contains("wrong-token"));
        }
        other => panic!("{other:?}"),
    }
    // Nothing more is sent until the user changes something.
    assert_eq!(w.sent.len(), 1);
    assert!(w.engine.wake().is_none());
}

#[test]
fn observation_of_the_real_simulator_ties_the_command() {
    // The dialect alone, against the simulator's own answers.
    let mut w = World::new(DialectKind::ZennoHosting, scenario(8, 0.0));
    let api = vigil_core::ConnectionConfig {
        id: "x".into(),
        name: "x".into(),
        dialect: DialectKind::ZennoHosting,
        base_url: BASE.into(),
        credentials: vigil_core::demo::credentials(DialectKind::ZennoHosting),
        demo: false,
    }
    .api();
    let vm = w.vm_where(|v| v.power == PowerState::Stopped && !v.locked);
    let target = Target::vm(vm.id.clone(), &vm.name);
    let req = api.action_request(&target, Some(&vm), &Action::Start, 0);
    let resp = from_sim(w.sim.handle(&to_sim(&req), w.now as u64)).unwrap();
    let acc = api
        .parse_accepted(&target, Some(&vm), &Action::Start, 0, &resp, w.now)
        .unwrap();
    let r = acc.provider_ref;
    let mut seen = Vec::new();
    for _ in 0..40 {
        w.now += 1_000;
        let resp = from_sim(
            w.sim
                .handle(&to_sim(&api.observe_request(&r)), w.now as u64),
        )
        .unwrap();
        let o = api.parse_observation(&r, &resp, w.now).unwrap();
        assert!(o.vm.is_some());
        if seen.last() != Some(&o.state) {
            seen.push(o.state.clone());
        }
        if o.state.is_terminal() {
            assert_eq!(o.vm.unwrap().power, PowerState::Running);
            break;
        }
    }
    assert_eq!(
        seen,
        vec![TaskState::Pending, TaskState::Running, TaskState::Succeeded]
    );
}

#[test]
fn a_vm_re_read_for_verification_keeps_its_project() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(9, 0.0));
    let p = project(&w);
    let id = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id;
    // The reboot's answer is lost (the connection dropped before the provider saw it): the
    // console reads the VM on its own (`GET /projects/{p}/vms/{id}`) to find it.
    let op_id = w
        .engine
        .start("c", id.as_str(), Action::Reboot, w.now)
        .unwrap();
    for o in w.engine.round(w.now) {
        let answer = if o.request.describe().starts_with("POST") {
            Err(vigil_core::NetError("connection dropped".into()))
        } else {
            from_sim(w.sim.handle(&to_sim(&o.request), w.now as u64))
        };
        w.engine.answer(o.token, answer, w.now + RTT);
    }
    let reads_before = w.count_sent(&format!("GET {BASE}/projects/{p}/vms/{id}"));
    w.run_until(60_000, |e| !e.op(&op_id).is_open());
    assert!(w.count_sent(&format!("GET {BASE}/projects/{p}/vms/{id}")) > reads_before);
    assert_eq!(w.engine.op(&op_id).note, Some(Note::NotTaken));
    let vm = w.engine.vm("c", id.as_str()).unwrap();
    assert_eq!(vm.project.as_deref(), Some(p.as_str()));
    // And the next action still goes to the VM's project.
    let op = w.run_op(id.as_str(), Action::Shutdown);
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert_eq!(
        w.count_sent(&format!("POST {BASE}/projects/{p}/vms/{id}/stop")),
        1
    );
}

/// Starts a create of `name` from the provider's own catalogue (into its first project).
fn create(w: &mut World, name: &str) -> OpId {
    let spec = spec_from_catalogue(w, name);
    let c = vigil_core::Command::Create {
        conn: "c".into(),
        spec,
    };
    w.engine.cmd(c, w.now).unwrap().op().unwrap().clone()
}

/// Requests sent from `from` on that are `request`.
fn sent_exactly(w: &World, from: usize, request: &str) -> usize {
    w.sent[from..].iter().filter(|s| *s == request).count()
}

#[test]
fn a_new_vm_found_by_name_is_then_read_on_its_own() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(5, 0.0));
    let p = project(&w);
    let op = create(&mut w, "new-01");
    // Looked for by its name in the project's list until found there.
    w.run_until(60_000, |e| e.op(&op).vm_id().is_some());
    let o = w.engine.op(&op);
    assert!(o.is_open(), "found while it is created");
    let id = o.vm_id().unwrap().to_string();
    let Some(ProviderRef::ZennoCommand { vm_id, .. }) = &o.provider_ref else {
        panic!("{:?}", o.provider_ref)
    };
    assert_eq!(vm_id, &id, "its id is kept with the command");
    let from = w.sent.len();
    w.run_until(10 * 60_000, |e| !e.op(&op).is_open());
    let o = w.engine.op(&op);
    assert_eq!(o.phase, Phase::Succeeded, "{:?}", o.note);
    // From then on `GET …/vms/{id}`; the project's list only for the background listing.
    let singles = sent_exactly(&w, from, &format!("GET {BASE}/projects/{p}/vms/{id}"));
    let lists = sent_exactly(&w, from, &format!("GET {BASE}/projects/{p}/vms"));
    let listings = sent_exactly(&w, from, &format!("GET {BASE}/projects"));
    assert!(singles >= 3, "{singles} reads of the VM");
    assert!(
        lists <= listings,
        "{lists} project lists, {listings} listings"
    );
}

#[test]
fn new_vms_found_by_name_are_still_looked_at_together() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(5, 0.0));
    let p = project(&w);
    let ops: Vec<OpId> = ["new-01", "new-02", "new-03"]
        .iter()
        .map(|n| create(&mut w, n))
        .collect();
    w.run_until(60_000, |e| ops.iter().all(|o| e.op(o).vm_id().is_some()));
    let from = w.sent.len();
    w.run_until(10 * 60_000, |e| ops.iter().all(|o| !e.op(o).is_open()));
    let ids: Vec<String> = ops
        .iter()
        .map(|o| {
            let op = w.engine.op(o);
            assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
            op.vm_id().unwrap().to_string()
        })
        .collect();
    let lists = sent_exactly(&w, from, &format!("GET {BASE}/projects/{p}/vms"));
    let singles: usize = ids
        .iter()
        .map(|id| sent_exactly(&w, from, &format!("GET {BASE}/projects/{p}/vms/{id}")))
        .sum();
    // Three creates looked at one by one would cost three reads per look.
    assert!(lists >= 3, "the project list served the looks ({lists})");
    assert!(
        singles < lists,
        "single-VM reads {singles} vs lists {lists}"
    );
}

#[test]
fn a_vm_the_list_has_not_shown_since_a_reload_is_read_through_its_project_once_it_has() {
    // Every operation fails and reports `succeeded`: a delete leaves the VM there.
    let mut w = World::new(DialectKind::ZennoHosting, scenario(12, 1.0));
    w.sim.set_faults("lie=1".parse().unwrap());
    let vm = w.vm_where(|v| v.power == PowerState::Stopped && !v.locked);
    let del = vigil_core::Command::Delete {
        conn: "c".into(),
        vm: vm.id.clone(),
        typed_name: vm.name.clone(),
    };
    let id = w.engine.cmd(del, w.now).unwrap().op().unwrap().clone();
    w.run_until(10 * 60_000, |e| e.op(&id).phase == Phase::Verifying);
    // The page reloads while the VM is checked against the report: the new engine knows the
    // VM's project only once the list shows it again.
    let saved = w.engine.saved();
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    let from = w.sent.len();
    w.run_until(10 * 60_000, |e| !e.op(&id).is_open());
    let no_project = format!("{BASE}/projects//");
    assert!(
        !w.sent[from..].iter().any(|s| s.contains(&no_project)),
        "{:#?}",
        &w.sent[from..]
    );
    let op = w.engine.op(&id);
    let fact = w.sim.vm_fact("zennohosting", vm.id.as_str()).unwrap();
    assert!(fact.exists(), "the provider kept the VM");
    assert_ne!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert!(matches!(op.note, Some(Note::Disagrees(_))), "{:?}", op.note);
}

#[test]
fn a_delete_verified_after_a_reload_ends_done_on_a_listing_without_its_vm() {
    // The page reloads once the delete is over and before it is verified: the new engine never
    // saw the VM, and its first listing does not show it.
    let mut w = World::new(DialectKind::ZennoHosting, scenario(13, 0.0));
    let vm = w.vm_where(|v| v.power == PowerState::Stopped && !v.locked);
    let del = vigil_core::Command::Delete {
        conn: "c".into(),
        vm: vm.id.clone(),
        typed_name: vm.name.clone(),
    };
    let id = w.engine.cmd(del, w.now).unwrap().op().unwrap().clone();
    w.run_until(10 * 60_000, |e| e.op(&id).phase == Phase::Verifying);
    let fact = w.sim.vm_fact("zennohosting", vm.id.as_str()).unwrap();
    assert!(!fact.exists(), "gone before the reload");
    let saved = w.engine.saved();
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    w.run_until(5 * 60_000, |e| !e.op(&id).is_open());
    assert_eq!(w.engine.op(&id).phase, Phase::Succeeded);
}
