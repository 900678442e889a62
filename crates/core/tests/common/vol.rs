//! Volumes in the virtual world: each verdict held against vigil-sim's volume truth.
#![allow(dead_code)]

use vigil_core::{Operation, Target};
use vigil_sim::{ResState as Truth, VolumeFact};

use super::World;

pub const ONET: &str = "onetsolutions";
pub const CLOUDSFOR: &str = "cloudsfor";

pub fn learned(op: &Operation) -> String {
    match &op.target {
        Target::Res { id: Some(id), .. } => id.clone(),
        t => panic!("no id learned: {t:?}"),
    }
}

pub fn target_id(op: &Operation) -> Result<String, String> {
    match &op.target {
        Target::Res { id: Some(id), .. } => Ok(id.clone()),
        _ => Err("no id yet".into()),
    }
}

pub fn truth(sim: &vigil_sim::Sim, dialect: &str, id: &str) -> Result<VolumeFact, String> {
    sim.volume(dialect, id)
        .ok_or_else(|| "not in the truth".into())
}

/// The volume, ready in the truth with `size` GB and attached to `vm` (`None`: to none).
pub fn ready(
    dialect: &'static str,
    size: Option<u32>,
    vm: Option<String>,
) -> impl Fn(&vigil_sim::Sim, &Operation) -> Result<(), String> {
    move |sim, op| {
        let t = truth(sim, dialect, &target_id(op)?)?;
        let ok =
            t.state == Truth::Ready && size.is_none_or(|s| t.size_gb == s) && t.attached_to == vm;
        ok.then_some(()).ok_or_else(|| format!("{t:?}"))
    }
}

pub fn gone(dialect: &'static str) -> impl Fn(&vigil_sim::Sim, &Operation) -> Result<(), String> {
    move |sim, op| match sim.volume(dialect, &target_id(op)?) {
        Some(t) if t.state != Truth::Gone => Err(format!("{t:?}")),
        _ => Ok(()),
    }
}

/// No volume operation of ours is taken for one started elsewhere.
pub fn none_started_elsewhere(w: &World) {
    let seen: Vec<_> = w
        .engine
        .view()
        .operations()
        .filter(|o| o.origin.is_elsewhere())
        .map(|o| o.action.clone())
        .collect();
    assert!(seen.is_empty(), "ours taken as started elsewhere: {seen:?}");
}

/// What the operation's note says (the provider's words included).
pub fn said(op: &Operation) -> String {
    format!("{:?}", op.note)
}
