//! ONETSolutions' `resize_vps` against vigil-sim: the sizes offered come from the catalogue
//! (the VM's own not among them to pick), the resize is done only when the provider's task
//! completed and the instance shows the new size — checked on the simulator's own instance —
//! and a guarded resize takes its snapshot first and offers it back.

mod common;

use common::*;
use vigil_core::{
    Action, ActionKind, ConnId, DialectKind, GuardedChange, Phase, PowerState, Refusal, Resize,
    Resource, VmId,
};

/// The size name the simulator's instance shows, read over its own API with serde alone (not
/// vigil-core's parser).
fn sim_size(w: &mut World, vm: &str) -> String {
    let v = onet_instance(w, vm);
    v["size"]["name"].as_str().expect("a size name").to_string()
}

fn load_sizes(w: &mut World, vm: &str) -> Vec<vigil_core::resize::SizeChoice> {
    let conn = ConnId::from("c");
    w.load_catalogue();
    w.engine
        .view()
        .resize_sizes(&conn, &VmId::from(vm))
        .unwrap()
}

#[test]
fn a_resize_to_a_catalogue_size_is_done_when_the_instance_shows_it() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(61, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let before = sim_size(&mut w, &vm);
    let sizes = load_sizes(&mut w, &vm);
    // The VM's own size is listed as current, the others to pick.
    let current: Vec<_> = sizes.iter().filter(|s| s.current).collect();
    assert_eq!(current.len(), 1, "{sizes:?}");
    let Resize::Size { name: now, .. } = &current[0].resize else {
        panic!()
    };
    assert_eq!(*now, before);
    let to = sizes.iter().find(|s| !s.current).expect("another size");
    let Resize::Size { name: to_name, .. } = to.resize.clone() else {
        panic!()
    };
    let op = w.run_op(&vm, Action::Resize(to.resize.clone()));
    assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
    assert_eq!(w.count_sent("/resize"), 1);
    // The truth: the simulator's task completed and its instance has the new size.
    let done = w.sim.latest_action("onetsolutions", &vm).expect("a task");
    assert_eq!(done.action, "resize_vps");
    assert!(done.finished_by(w.now as u64));
    assert!(op.finished_at.unwrap() as u64 >= done.finished_at_ms.unwrap());
    assert_eq!(sim_size(&mut w, &vm), to_name);
    let shown = w.engine.vm("c", &vm).unwrap().size.flavor.clone();
    assert_eq!(shown.as_deref(), Some(to_name.as_str()));
}

#[test]
fn amounts_are_refused_before_sending() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(62, 0.0));
    let vm = w.vm_where(|v| !v.locked).id.to_string();
    let amounts = Action::Resize(Resize::One {
        resource: Resource::Ram,
        size: 64,
    });
    let why = w.engine.start("c", &vm, amounts, w.now).unwrap_err();
    assert_eq!(
        why,
        Refusal::ResizesByFlavor {
            provider: DialectKind::OnetSolutions
        }
    );
    assert_eq!(w.count_sent("/resize"), 0);
    assert!(w
        .engine
        .view()
        .choices(&"c".into(), &vm.as_str().into())
        .iter()
        .any(
            |c| c.command == vigil_core::engine::VmCommand::Action(ActionKind::Resize)
                && c.reason.is_none()
        ));
}

#[test]
fn a_guarded_resize_snapshots_first_where_the_addon_is_on() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(63, 0.0));
    let (c, vms) = (ConnId::from("c"), w.vms());
    let Some(vm) = vms.iter().find(|v| {
        !v.locked
            && w.engine
                .view()
                .guard_offered(&c, &v.id, ActionKind::Resize)
                .is_ok()
            && w.sim
                .points("onetsolutions", v.id.as_str())
                .iter()
                .any(|p| p.kind == vigil_sim::PointKind::Snapshot)
    }) else {
        panic!("an instance with the snapshot add-on")
    };
    let vm = vm.id.to_string();
    let sizes = load_sizes(&mut w, &vm);
    let to = sizes.iter().find(|s| !s.current).unwrap().resize.clone();
    let id = w
        .guarded(&vm, GuardedChange::Resize(to.clone()), "pre-resize")
        .unwrap();
    let wf = w.run_wf(&id);
    assert_eq!(wf.phase, Phase::Succeeded, "{:?}", wf.note);
    assert_eq!(
        World::kinds(&wf),
        [ActionKind::Snapshot, ActionKind::Resize]
    );
    let Resize::Size { name, .. } = to else {
        panic!()
    };
    assert_eq!(sim_size(&mut w, &vm), name);
    assert!(w
        .sim
        .points("onetsolutions", &vm)
        .iter()
        .any(|p| p.name == "pre-resize"));
}
