//! Rebuild / reinstall against vigil-sim, per offering dialect: an operation is *Succeeded* only
//! once the simulator's ground truth has the VM on the new image in its final state, and a task
//! that reports done while the VM does not show the image yet is not *Succeeded* yet.

mod common;

use common::*;
use serde_json::Value;
use vigil_core::rebuild::RebuildImage;
use vigil_core::{
    Action, ConnectionConfig, DialectKind, Engine, HttpResponse, Millis, Mismatch, Note, OpId,
    Phase, PowerState, Refusal, CURRENT_IMAGE,
};
use vigil_sim::VmState;

const MINUTE: Millis = 60_000;

fn config(e: &Engine) -> ConnectionConfig {
    e.view()
        .connections()
        .next()
        .cloned()
        .expect("the connection")
}

/// A GET straight to the simulator, built by the dialect as the engine would (not counted in
/// what the engine sent).
fn sim_get(w: &mut World, path_in_base: &str) -> Value {
    let cfg = config(&w.engine);
    let api = cfg.api();
    let mut req = api.list_request(None);
    req.url = format!("{}/{path_in_base}", cfg.base_url.trim_end_matches('/'));
    let reply = w.sim.handle(&to_sim(&req), w.now as u64);
    let resp = from_sim(reply).expect("an answer");
    assert!(resp.is_success(), "{path_in_base}: {}", resp.body);
    serde_json::from_str(&resp.body).unwrap()
}

/// The picker's images for `vm`, and one the VM does not run whose id names one image only.
fn new_image(w: &World, vm: &str) -> RebuildImage {
    let images = w
        .engine
        .view()
        .rebuild_images(&"c".into(), &vm.into())
        .expect("images to pick from");
    assert!(images.len() > 1, "{images:?}");
    images
        .iter()
        .find(|i| !i.current && images.iter().filter(|j| j.id == i.id).count() == 1)
        .cloned()
        .expect("another image")
}

/// Steps the world until the operation ends; at the first moment the engine calls it
/// *Succeeded*, `truth` must hold of the simulator. While `stale` holds (a time), VM reads are
/// answered by `lag` (the provider's API lagging behind its task).
fn run_to_end(
    w: &mut World,
    op: &OpId,
    lag: &mut dyn FnMut(Millis, &vigil_core::HttpRequest, HttpResponse) -> HttpResponse,
    truth: &dyn Fn(&World) -> Result<(), String>,
) -> vigil_core::Operation {
    let end = w.now + 60 * MINUTE;
    loop {
        let out = w.engine.round(w.now);
        let at = w.now + RTT;
        for o in out {
            w.sent.push(o.request.describe());
            w.bodies.push(o.request.body.clone().unwrap_or_default());
            let reply = from_sim(w.sim.handle(&to_sim(&o.request), w.now as u64));
            let reply = reply.map(|r| lag(w.now, &o.request, r));
            w.engine.answer(o.token, reply, at);
        }
        w.now = at;
        let now_op = w.engine.op(op);
        if now_op.phase == Phase::Succeeded {
            if let Err(why) = truth(w) {
                panic!("Succeeded while the truth disagrees: {why}");
            }
        }
        if !now_op.is_open() {
            return now_op;
        }
        assert!(w.now <= end, "not over within an hour: {:?}", now_op.phase);
        match w.engine.wake() {
            Some(t) => w.now = w.now.max(t),
            None => panic!("engine idle with the operation open"),
        }
    }
}

fn no_lag(_: Millis, _: &vigil_core::HttpRequest, r: HttpResponse) -> HttpResponse {
    r
}

/// Puts `old` back as the `image` of every object with `id` == `vm` in a JSON answer.
fn with_old_image(body: &str, vm: &str, old: &Value) -> String {
    fn walk(v: &mut Value, vm: &str, old: &Value) {
        match v {
            Value::Object(m) => {
                let id = m
                    .get("id")
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
                let is_vm = id.as_deref() == Some(vm);
                if is_vm && m.contains_key("image") {
                    m.insert("image".into(), old.clone());
                }
                for (_, x) in m.iter_mut() {
                    walk(x, vm, old);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, vm, old)),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(body) {
        Ok(mut v) => {
            walk(&mut v, vm, old);
            v.to_string()
        }
        Err(_) => body.to_string(),
    }
}

/// The ground truth of a finished rebuild: the VM on `image` (the simulator's id for it), the
/// provider's task over and successful, and the VM `running` where the sheet says it ends so.
fn rebuilt(
    dialect: &'static str,
    vm: String,
    image: Option<String>,
    action: &'static str,
    running: bool,
) -> impl Fn(&World) -> Result<(), String> {
    move |w: &World| {
        let c = w
            .sim
            .latest_action(dialect, &vm)
            .ok_or("no action in the truth")?;
        if c.action != action || !c.succeeded || !c.finished_by(w.now as u64) {
            return Err(format!("the task is not over or failed: {c:?}"));
        }
        if let Some(want) = &image {
            let have = w.sim.vm_image(dialect, &vm);
            if have.as_ref() != Some(want) {
                return Err(format!("the VM runs {have:?}, not {want}"));
            }
        }
        let fact = w.sim.vm_fact(dialect, &vm).ok_or("no such VM")?;
        if running && fact.state != VmState::Running {
            return Err(format!("the VM is {:?}", fact.state));
        }
        Ok(())
    }
}

/// cloudsfor's image id for a distro: the first (newest) the catalogue lists, as a rebuild by
/// distro takes it.
fn cloudsfor_image_id(w: &mut World, distro: &str) -> String {
    let images = sim_get(w, "images?type=distribution&per_page=200");
    images["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["distro"].as_str() == Some(distro))
        .map(|i| i["id"].to_string())
        .expect("the distro's image")
}

fn start(w: &mut World, vm: &str, image: &str) -> OpId {
    let action = Action::Rebuild {
        image: image.into(),
    };
    w.engine.start("c", vm, action, w.now).expect("allowed")
}

#[test]
fn cloudsfor_rebuild_ends_when_the_vm_runs_the_new_image() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(21, 0.0));
    w.load_catalogue();
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let image = new_image(&w, &vm);
    let want = cloudsfor_image_id(&mut w, &image.id);
    assert_ne!(w.sim.vm_image("cloudsfor", &vm).as_ref(), Some(&want));
    let op = start(&mut w, &vm, &image.id);
    let truth = rebuilt("cloudsfor", vm.clone(), Some(want), "rebuild", false);
    let done = run_to_end(&mut w, &op, &mut no_lag, &truth);
    assert_eq!(done.phase, Phase::Succeeded, "{:?}", done.note);
    let body = w
        .bodies
        .iter()
        .find(|b| b.contains("rebuild"))
        .expect("the rebuild request");
    let sent: Value = serde_json::from_str(body).unwrap();
    assert_eq!(sent["image"], Value::String(image.id.clone()));
    assert_eq!(
        w.engine.vm("c", &vm).unwrap().image_id.as_deref(),
        Some(image.id.as_str())
    );
}

#[test]
fn onet_reinstall_ends_running_on_the_new_image() {
    let mut w = World::new(DialectKind::OnetSolutions, scenario(22, 0.0));
    w.load_catalogue();
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let image = new_image(&w, &vm);
    let op = start(&mut w, &vm, &image.id);
    let truth = rebuilt(
        "onetsolutions",
        vm.clone(),
        Some(image.id.clone()),
        "reinstall",
        true,
    );
    let done = run_to_end(&mut w, &op, &mut no_lag, &truth);
    assert_eq!(done.phase, Phase::Succeeded, "{:?}", done.note);
    assert_eq!(
        w.count_sent(&format!("/compute/instances/{vm}/reinstall")),
        1
    );
}

/// The provider's task reports done while its API still shows the old image for `lag_ms`: the
/// operation waits, never *Succeeded* meanwhile. A lag within the verification's grace ends
/// *Succeeded* once the VM shows the new image; a longer one ends *Needs check*, saying the VM
/// disagrees with its task.
fn lagging_image(dialect: DialectKind, seed: u64, lag_ms: Millis) -> vigil_core::Operation {
    let mut w = World::new(dialect, scenario(seed, 0.0));
    w.load_catalogue();
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let image = new_image(&w, &vm);
    let (path, name, action, running) = match dialect {
        DialectKind::Cloudsfor => (format!("vms/{vm}"), "cloudsfor", "rebuild", false),
        _ => (
            format!("compute/instances/{vm}"),
            "onetsolutions",
            "reinstall",
            true,
        ),
    };
    let read = sim_get(&mut w, &path);
    let old = read.get("vm").unwrap_or(&read)["image"].clone();
    assert!(!old.is_null(), "{read}");
    let want = match dialect {
        DialectKind::Cloudsfor => cloudsfor_image_id(&mut w, &image.id),
        _ => image.id.clone(),
    };
    let op = start(&mut w, &vm, &image.id);
    // The API shows the old image until five minutes after the task ended.
    let lag_until = std::cell::Cell::new(None::<Millis>);
    let sim_done = |w: &World| rebuilt(name, vm.clone(), Some(want.clone()), action, false)(w);
    let shown_stale = std::cell::Cell::new(0);
    let waited = std::cell::Cell::new(false);
    let lag = |now: Millis, req: &vigil_core::HttpRequest, mut r: HttpResponse| {
        let is_read = req.method == vigil_core::Method::Get
            && (req.url.contains("/vms") || req.url.contains("/compute/instances"));
        if is_read && lag_until.get().is_none_or(|t| now < t) && r.body.contains(&vm) {
            r.body = with_old_image(&r.body, &vm, &old);
            shown_stale.set(shown_stale.get() + 1);
        }
        r
    };
    let end = w.now + 60 * MINUTE;
    loop {
        let out = w.engine.round(w.now);
        let at = w.now + RTT;
        for o in out {
            w.sent.push(o.request.describe());
            let reply = from_sim(w.sim.handle(&to_sim(&o.request), w.now as u64));
            let reply = reply.map(|r| lag(w.now, &o.request, r));
            w.engine.answer(o.token, reply, at);
        }
        w.now = at;
        if lag_until.get().is_none() && sim_done(&w).is_ok() {
            lag_until.set(Some(w.now + lag_ms));
        }
        let o = w.engine.op(&op);
        let lagging = lag_until.get().is_none_or(|t| w.now < t);
        if lagging {
            assert_ne!(
                o.phase,
                Phase::Succeeded,
                "done while the VM shows the old image"
            );
            if lag_until.get().is_some()
                && matches!(&o.note, Some(Note::Waiting(Mismatch::Image { .. })))
            {
                waited.set(true);
            }
        }
        if !o.is_open() || (lag_until.get().is_some() && !lagging) {
            break;
        }
        assert!(w.now <= end, "the task never ended");
        w.now = w.now.max(w.engine.wake().expect("engine awake"));
    }
    assert!(shown_stale.get() > 0);
    assert!(waited.get(), "never seen waiting for the image");
    let o = w.engine.op(&op);
    if !o.is_open() {
        return o;
    }
    // The lag is over: the next look sees the new image.
    let truth = rebuilt(name, vm.clone(), Some(want), action, running);
    run_to_end(&mut w, &op, &mut no_lag, &truth)
}

#[test]
fn cloudsfor_a_completed_rebuild_waits_for_the_vm_to_show_the_image() {
    let done = lagging_image(DialectKind::Cloudsfor, 23, 10_000);
    assert_eq!(done.phase, Phase::Succeeded, "{:?}", done.note);
}

#[test]
fn onet_a_completed_reinstall_waits_for_the_instance_to_show_the_image() {
    let done = lagging_image(DialectKind::OnetSolutions, 24, 10_000);
    assert_eq!(done.phase, Phase::Succeeded, "{:?}", done.note);
}

#[test]
fn a_rebuild_whose_vm_keeps_the_old_image_is_never_done() {
    for (d, seed) in [
        (DialectKind::Cloudsfor, 28),
        (DialectKind::OnetSolutions, 29),
    ] {
        let end = lagging_image(d, seed, 60 * MINUTE);
        assert_eq!(end.phase, Phase::NeedsCheck, "{d:?}");
        assert!(
            matches!(
                &end.note,
                Some(Note::Disagrees(Mismatch::Image { current: Some(_) }))
            ),
            "{d:?}: {:?}",
            end.note
        );
    }
}

#[test]
fn erigones_recreates_a_stopped_vm_and_follows_it_back_to_running() {
    let mut w = World::new(DialectKind::Erigones, scenario(25, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let stop = w.run_op(&vm, Action::Shutdown);
    assert_eq!(stop.phase, Phase::Succeeded, "{:?}", stop.note);
    let images = w
        .engine
        .view()
        .rebuild_images(&"c".into(), &vm.as_str().into())
        .unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].id, CURRENT_IMAGE);
    let image_before = w.sim.vm_image("erigones", &vm);
    let op = start(&mut w, &vm, CURRENT_IMAGE);
    let truth = rebuilt(
        "erigones",
        vm.clone(),
        image_before.clone(),
        "recreate",
        true,
    );
    let done = run_to_end(&mut w, &op, &mut no_lag, &truth);
    assert_eq!(done.phase, Phase::Succeeded, "{:?}", done.note);
    assert_eq!(w.sim.vm_image("erigones", &vm), image_before);
    let posts: Vec<&String> = w
        .sent
        .iter()
        .filter(|s| s.starts_with("POST") && s.ends_with(&format!("/vm/{vm}/")))
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
}

#[test]
fn erigones_refuses_a_running_vm_before_sending_anything() {
    let mut w = World::new(DialectKind::Erigones, scenario(26, 0.0));
    let vm = w
        .vm_where(|v| v.power == PowerState::Running && !v.locked)
        .id
        .to_string();
    let sent = w.sent.len();
    let refused = w.engine.start(
        "c",
        &vm,
        Action::Rebuild {
            image: CURRENT_IMAGE.into(),
        },
        w.now,
    );
    assert_eq!(
        refused,
        Err(Refusal::MustBeStopped {
            status: "running".into()
        })
    );
    // Nothing goes out for it, now or later.
    for _ in 0..20 {
        if !w.step() {
            break;
        }
    }
    assert!(
        w.sent[sent..].iter().all(|s| !s.starts_with("POST")),
        "{:?}",
        &w.sent[sent..]
    );
    assert!(w
        .sim
        .latest_action("erigones", &vm)
        .is_none_or(|c| c.action != "recreate"));
    assert!(w.sim.vm_fact("erigones", &vm).unwrap().is_running());
}

#[test]
fn hostway_and_zennohosting_offer_no_rebuild() {
    for d in [DialectKind::Hostway, DialectKind::ZennoHosting] {
        let w = World::new(d, scenario(27, 0.0));
        let vm = w.vms()[0].id.to_string();
        assert_eq!(
            w.engine.allowed("c", &vm, vigil_core::ActionKind::Rebuild),
            Err(Refusal::NoRebuild { provider: d })
        );
        assert_eq!(
            w.engine
                .view()
                .rebuild_images(&"c".into(), &vm.as_str().into()),
            Err(Refusal::NoRebuild { provider: d })
        );
    }
}
