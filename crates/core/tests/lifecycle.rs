//! Creating and deleting VMs on every dialect, against vigil-sim: the form's choices come from
//! the provider's catalogues, each operation is followed to its verified end, and every verdict
//! is checked against the simulator's ground truth.

mod common;

use common::*;
use vigil_core::catalogue::{Field, Part};
use vigil_core::{
    ActionKind, Command, Credentials, DialectKind, ErrorKind, Operation, Phase, Refusal,
};
use vigil_sim::VmState;

fn run_until_closed(w: &mut World, op: &vigil_core::OpId) -> Operation {
    w.run_until(40 * 60_000, |e| !e.op(op).is_open());
    w.engine.op(op)
}

/// Creates a VM, then deletes it: each verified, each checked against the ground truth.
fn create_then_delete(dialect: DialectKind) {
    let mut w = World::new(dialect, scenario(31, 0.0));
    let name = "vigil-test-01";
    let spec = spec_from_catalogue(&mut w, name);
    let started = w
        .engine
        .cmd(
            Command::Create {
                conn: "c".into(),
                spec,
            },
            w.now,
        )
        .unwrap();
    let id = started.op().unwrap().clone();
    // It shows at once, before the provider lists it.
    assert!(w.engine.view().creating().any(|o| o.id == id));
    let op = run_until_closed(&mut w, &id);
    assert_eq!(op.phase, Phase::Succeeded, "{dialect:?}: {:?}", op.note);
    let vm_id = op.vm_id().expect("its id learned").clone();
    let vm = w.engine.vm("c", vm_id.as_str()).expect("listed");
    assert_eq!(vm.power, vigil_core::PowerState::Running, "{dialect:?}");
    let fact = w
        .sim
        .vm_fact(dialect.slug(), vm_id.as_str())
        .expect("the truth knows it");
    assert_eq!(
        fact.state,
        VmState::Running,
        "{dialect:?}: the provider agrees"
    );
    let create = dialect.caps().create.unwrap();
    if create.addressed_when_ready {
        assert!(!vm.addresses.is_empty(), "{dialect:?}: reachable");
    }
    if create.public_when_ready {
        assert!(
            vm.addresses.iter().any(|a| a.public),
            "{dialect:?}: reachable from the internet"
        );
    }
    assert!(
        w.engine.view().creating().next().is_none(),
        "no placeholder row left"
    );

    // Deleting asks for the name typed back.
    let wrong = w.engine.cmd(
        Command::Delete {
            conn: "c".into(),
            vm: vm_id.clone(),
            typed_name: "vigil-test-0".into(),
        },
        w.now,
    );
    assert_eq!(
        wrong,
        Err(Refusal::TypeNameToConfirm {
            name: vm.name.clone()
        })
    );
    let del = w
        .engine
        .cmd(
            Command::Delete {
                conn: "c".into(),
                vm: vm_id.clone(),
                typed_name: format!(" {} ", vm.name),
            },
            w.now,
        )
        .unwrap();
    let op = run_until_closed(&mut w, del.op().unwrap());
    assert_eq!(op.phase, Phase::Succeeded, "{dialect:?}: {:?}", op.note);
    assert!(
        w.engine.vm("c", vm_id.as_str()).is_none(),
        "{dialect:?}: gone from the list"
    );
    let fact = w.sim.vm_fact(dialect.slug(), vm_id.as_str()).unwrap();
    assert_eq!(fact.state, VmState::Gone, "{dialect:?}: really gone");
}

#[test]
fn cloudsfor_creates_and_deletes_a_vm() {
    create_then_delete(DialectKind::Cloudsfor);
}

#[test]
fn zennohosting_creates_a_vm_found_by_name_and_deletes_it() {
    create_then_delete(DialectKind::ZennoHosting);
}

#[test]
fn erigones_defines_deploys_then_undeploys_and_undefines_a_vm() {
    create_then_delete(DialectKind::Erigones);
}

#[test]
fn onetsolutions_creates_and_deletes_an_instance() {
    create_then_delete(DialectKind::OnetSolutions);
}

#[test]
fn hostway_creates_a_server_from_its_location_and_deletes_it() {
    create_then_delete(DialectKind::Hostway);
}

#[test]
fn a_create_that_fails_is_never_called_done() {
    for dialect in DialectKind::ALL.iter().copied() {
        let mut w = World::new(dialect, scenario(41, 1.0));
        let spec = spec_from_catalogue(&mut w, "doomed-01");
        let started = w
            .engine
            .cmd(
                Command::Create {
                    conn: "c".into(),
                    spec,
                },
                w.now,
            )
            .unwrap();
        let op = run_until_closed(&mut w, started.op().unwrap());
        assert_ne!(op.phase, Phase::Succeeded, "{dialect:?}");
        let fact = w.sim.vm_fact(dialect.slug(), "doomed-01");
        assert!(
            fact.is_none_or(|f| !f.is_running()),
            "{dialect:?}: the provider did not create it either"
        );
    }
}

#[test]
fn a_running_erigones_vm_is_forced_off_as_a_step_of_its_deletion() {
    let mut w = World::new(DialectKind::Erigones, scenario(32, 0.0));
    let vm = w.vm_where(|v| v.status_raw == "running");
    let del = w
        .engine
        .cmd(
            Command::Delete {
                conn: "c".into(),
                vm: vm.id.clone(),
                typed_name: vm.name.clone(),
            },
            w.now,
        )
        .unwrap();
    let op = run_until_closed(&mut w, del.op().unwrap());
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert_eq!(op.action, vigil_core::Action::Delete { stop_first: true });
    let fact = w.sim.vm_fact("erigones", vm.id.as_str()).unwrap();
    assert_eq!(fact.state, VmState::Gone);
}

#[test]
fn an_erigones_owner_is_told_before_filling_the_form_in() {
    let mut w = World::with_credentials(
        DialectKind::Erigones,
        scenario(33, 0.0),
        Credentials::ApiKey {
            key: vigil_sim::OWNER_ES_API_KEY.into(),
        },
    );
    w.engine
        .cmd(
            Command::LoadCatalogue {
                conn: "c".into(),
                region: None,
            },
            w.now,
        )
        .unwrap();
    w.run_until(60_000, |e| {
        e.view()
            .catalogue(&"c".into())
            .is_some_and(|c| c.is_loaded())
    });
    let failure = w
        .engine
        .view()
        .catalogue(&"c".into())
        .unwrap()
        .failure()
        .cloned();
    assert_eq!(failure.map(|e| e.kind), Some(ErrorKind::Forbidden));
    let why = Refusal::RoleCannot {
        provider: DialectKind::Erigones,
        action: ActionKind::Create,
    };
    assert_eq!(w.engine.view().create_allowed(&"c".into()), Err(why));
    // Deleting is an administrator's too: refused before anything is sent.
    let vm = w.vms()[0].clone();
    let refused = w.engine.cmd(
        Command::Delete {
            conn: "c".into(),
            vm: vm.id.clone(),
            typed_name: vm.name.clone(),
        },
        w.now,
    );
    assert!(
        matches!(refused, Err(Refusal::RoleCannot { .. })),
        "{refused:?}"
    );
}

#[test]
fn a_zennohosting_name_already_used_is_refused_before_sending() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(34, 0.0));
    let taken = w.vms()[0].name.clone();
    let mut spec = spec_from_catalogue(&mut w, "fresh-name");
    spec.name = taken.clone();
    let refused = w.engine.cmd(
        Command::Create {
            conn: "c".into(),
            spec,
        },
        w.now,
    );
    assert_eq!(refused, Err(Refusal::NameTaken { name: taken }));
}

#[test]
fn a_zennohosting_configuration_goes_only_with_its_own_tariff() {
    let mut w = World::new(DialectKind::ZennoHosting, scenario(36, 0.0));
    let mut spec = spec_from_catalogue(&mut w, "configured");
    let view = w.engine.view();
    let cat = view.catalogue(&"c".into()).unwrap();
    // A tariff with configurations of its own.
    let tariff = cat.choices(Part::Configurations)[0]
        .of
        .clone()
        .expect("its tariff");
    spec.size = Some(tariff.clone());
    // The form offers the chosen tariff's configurations only.
    let own = cat.offered(Part::Configurations, &spec);
    assert!(!own.is_empty(), "the tariff has configurations");
    assert!(own.iter().all(|c| c.of.as_deref() == Some(tariff.as_str())));
    let other = cat
        .choices(Part::Configurations)
        .iter()
        .find(|c| c.of.as_deref() != Some(tariff.as_str()))
        .expect("a configuration of another tariff")
        .clone();
    let own = own[0].id.clone();
    spec.configuration = Some(other.id.clone());
    let why = Refusal::OfAnother {
        part: Part::Configurations,
        value: other.label.clone(),
        owner: Part::Sizes,
    };
    assert_eq!(
        view.check_create(&"c".into(), &spec),
        vec![(Field::Configuration, why.clone())]
    );
    let refused = w.engine.cmd(
        Command::Create {
            conn: "c".into(),
            spec: spec.clone(),
        },
        w.now,
    );
    assert_eq!(refused, Err(why));
    assert!(
        w.engine.view().operations().next().is_none(),
        "nothing to send"
    );
    // Its own tariff's: created, and the provider took it.
    spec.configuration = Some(own);
    let op = w
        .engine
        .cmd(
            Command::Create {
                conn: "c".into(),
                spec,
            },
            w.now,
        )
        .unwrap()
        .op()
        .cloned()
        .unwrap();
    let done = run_until_closed(&mut w, &op);
    assert_eq!(done.phase, Phase::Succeeded, "{:?}", done.note);
}

#[test]
fn hostways_generated_password_is_shown_once_and_kept_nowhere() {
    let mut w = World::new(DialectKind::Hostway, scenario(35, 0.0));
    let spec = spec_from_catalogue(&mut w, "with-password");
    w.engine.events();
    let started = w
        .engine
        .cmd(
            Command::Create {
                conn: "c".into(),
                spec,
            },
            w.now,
        )
        .unwrap();
    let op = run_until_closed(&mut w, started.op().unwrap());
    assert_eq!(op.phase, Phase::Succeeded);
    let events = w.engine.events();
    let secrets: Vec<&vigil_core::dialect::Secret> = events
        .iter()
        .filter_map(|e| match e {
            vigil_core::Event::Secret { op: id, secret } if *id == op.id => Some(secret),
            _ => None,
        })
        .collect();
    assert_eq!(secrets.len(), 1, "shown once");
    let password = secrets[0].0.clone();
    assert!(!password.is_empty());
    assert!(
        !format!("{:?}", secrets[0]).contains(&password),
        "never in a log line"
    );
    for e in &events {
        let kept = match e {
            vigil_core::Event::Save(s) => serde_json::to_string(s).unwrap(),
            vigil_core::Event::Share(s) => serde_json::to_string(s).unwrap(),
            _ => continue,
        };
        assert!(!kept.contains(&password), "never saved or shared");
    }
    let state = serde_json::to_string(&w.engine.saved()).unwrap();
    assert!(!state.contains(&password));
}
