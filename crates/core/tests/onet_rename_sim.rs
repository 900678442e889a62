//! ONETSolutions rename against vigil-sim: `PUT /compute/instances/{id} {"name"}` → `200
//! Instance`, verified by reading the instance back; the hostname (and its `change_hostname`
//! task in the guest) is left alone.

mod common;

use common::*;
use vigil_core::{Action, DialectKind, Phase, PowerState, ProviderRef};

#[test]
fn a_rename_ends_when_the_instance_shows_the_new_name() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(31, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Stopped && !v.locked)
        .id
        .to_string();
    let op = w.run_op(
        &vm,
        Action::Rename {
            name: " billing-db ".into(),
        },
    );
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert_eq!(op.provider_ref, Some(ProviderRef::Watch));
    let fact = w.sim.vm_fact("onetsolutions", &vm).expect("the instance");
    assert_eq!(fact.vm_name, "billing-db");
    assert_eq!(w.engine.vm("c", &vm).unwrap().name, "billing-db");
    let sent: Vec<(&String, &String)> = w
        .sent
        .iter()
        .zip(&w.bodies)
        .filter(|(s, _)| s.starts_with("PUT") && s.ends_with(&format!("/compute/instances/{vm}")))
        .collect();
    assert_eq!(sent.len(), 1, "{:?}", w.sent);
    let body: serde_json::Value = serde_json::from_str(sent[0].1).unwrap();
    assert_eq!(body, serde_json::json!({"name": "billing-db"}));
    // No hostname change was asked for: no `change_hostname` task in the truth.
    assert!(w
        .sim
        .completions()
        .iter()
        .all(|c| c.action != "change_hostname"));
}
