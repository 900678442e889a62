//! The demo providers: vigil-sim behind `vigil_sim::worker` messages. In a release they run in
//! a Web Worker (`vigil-demo-worker`, its own wasm) started on the first `demo://` request, so
//! a console with no demo connection shown never downloads the simulator, and the simulator's
//! work runs off the main thread. With the `inline-demo` feature (the browser tests) the same
//! messages go to a `Host` in the page.
//!
//! The page keeps the world across reloads (sessionStorage, as the worker has none): it opens
//! the worker with it, and keeps every write an answer carries.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
#[cfg(not(feature = "inline-demo"))]
use std::rc::Weak;

use vigil_core::words::NetFailure;
use vigil_core::{HttpRequest, HttpResponse, NetError};
#[cfg(not(feature = "inline-demo"))]
use vigil_sim::worker::to_json;
use vigil_sim::worker::{FromWorker, Kept, ToWorker};
use wasm_bindgen::prelude::*;

use crate::config::DemoConfig;

/// Where the tab keeps its demo world (sessionStorage: the journal's requests carry the demo
/// credentials, and this tab's world is this tab's).
const DEMO_WORLD: &str = "vigil.demo.v1";
/// Past this many writes the world is not kept any more: the next load starts a fresh one.
const KEEP_WRITES: usize = 5_000;
/// The worker's loader, written by Trunk next to `index.html` (unhashed: named at runtime).
#[cfg(not(feature = "inline-demo"))]
const WORKER_URL: &str = "./vigil-demo-worker_loader.js";

/// A demo world as kept across reloads: how it was made, when it started, and every request
/// that may have changed it since. The same again gives the same world, tasks still running.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct DemoWorld {
    scenario: vigil_sim::Scenario,
    start_ms: u64,
    journal: Vec<vigil_sim::Written>,
}

impl DemoWorld {
    fn load() -> Option<DemoWorld> {
        let text = crate::storage::session()?.get_item(DEMO_WORLD).ok()??;
        serde_json::from_str(&text).ok()
    }

    /// Keeps this world for the next load; if it can't (too many writes, storage full), keeps
    /// nothing, so that the next load starts a fresh world rather than one missing writes.
    fn save(&self) {
        let Some(s) = crate::storage::session() else {
            return;
        };
        let kept = self.journal.len() <= KEEP_WRITES
            && serde_json::to_string(self).is_ok_and(|text| s.set_item(DEMO_WORLD, &text).is_ok());
        if !kept {
            let _ = s.remove_item(DEMO_WORLD);
        }
    }
}

/// The demo providers of one console.
pub struct Demo {
    scenario: vigil_sim::Scenario,
    latency_ms: (u32, u32),
    /// The world as kept, once opened.
    saved: Option<DemoWorld>,
    link: Option<Link>,
    next_id: u32,
}

/// How messages reach the simulator: a worker, or (`inline-demo`) a host in the page.
#[cfg(not(feature = "inline-demo"))]
type Link = WorkerLink;
#[cfg(feature = "inline-demo")]
type Link = vigil_sim::worker::Host;

#[cfg_attr(feature = "inline-demo", allow(dead_code))]
struct WorkerLink {
    /// `None` when the browser refused to start it.
    worker: Option<web_sys::Worker>,
    /// The worker said it listens; until then messages wait in `queue`.
    ready: bool,
    queue: Vec<String>,
    /// Each open ask's promise resolver, by id.
    waiting: HashMap<u32, js_sys::Function>,
    /// The worker failed to load or crashed: every ask fails at once.
    broken: bool,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for WorkerLink {
    fn drop(&mut self) {
        if let Some(w) = &self.worker {
            w.terminate();
        }
    }
}

#[cfg_attr(feature = "inline-demo", allow(dead_code))]
impl WorkerLink {
    fn post(&self, text: &str) {
        if let Some(w) = &self.worker {
            let _ = w.post_message(&JsValue::from_str(text));
        }
    }
}

pub type Shared = Rc<RefCell<Demo>>;

impl Demo {
    pub fn new(cfg: &DemoConfig) -> Shared {
        Rc::new(RefCell::new(Demo {
            scenario: vigil_sim::Scenario {
                seed: cfg.seed,
                vms: cfg.vms,
                failure_rate: cfg.failure_rate,
                speed: cfg.speed,
            },
            latency_ms: cfg.latency_ms,
            saved: None,
            link: None,
            next_id: 0,
        }))
    }

    /// The `Open` message: the world this tab had before a reload, if it was made the same way.
    fn open_message(&self) -> ToWorker {
        let kept = DemoWorld::load()
            .filter(|w| w.scenario == self.scenario && w.journal.len() <= KEEP_WRITES)
            .map(|w| Kept {
                start_ms: w.start_ms,
                journal: w.journal,
            });
        ToWorker::Open {
            scenario: self.scenario.clone(),
            kept,
            now_ms: crate::now_ms() as u64,
        }
    }

    /// What a message from the simulator changes here; an answer's text goes to its asker.
    #[cfg_attr(feature = "inline-demo", allow(unused_variables))]
    fn take(&mut self, msg: FromWorker, text: String) {
        match msg {
            #[cfg(not(feature = "inline-demo"))]
            FromWorker::Ready => {
                if let Some(w) = &mut self.link {
                    w.ready = true;
                    for m in std::mem::take(&mut w.queue) {
                        w.post(&m);
                    }
                }
            }
            FromWorker::Opened { start_ms, replayed } => {
                let world = match (replayed, DemoWorld::load()) {
                    (true, Some(w)) => w,
                    _ => DemoWorld {
                        scenario: self.scenario.clone(),
                        start_ms,
                        journal: Vec::new(),
                    },
                };
                world.save();
                self.saved = Some(world);
            }
            #[cfg(not(feature = "inline-demo"))]
            FromWorker::Answer { id, .. } | FromWorker::Refused { id: Some(id), .. } => {
                if let Some(w) = &mut self.link {
                    if let Some(resolve) = w.waiting.remove(&id) {
                        let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
                    }
                }
            }
            _ => {}
        }
    }

    /// Keeps the writes an answer carries, so that a reload finds them.
    fn keep(&mut self, written: Vec<vigil_sim::Written>) {
        if written.is_empty() {
            return;
        }
        if let Some(world) = &mut self.saved {
            world.journal.extend(written);
            world.save();
        }
    }

    #[cfg(not(feature = "inline-demo"))]
    fn fail_all(&mut self) {
        if let Some(w) = &mut self.link {
            w.broken = true;
            let refused = to_json(&FromWorker::Refused {
                id: None,
                why: "the demo providers did not load".into(),
            });
            for (_, resolve) in w.waiting.drain() {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&refused));
            }
        }
    }
}

/// Starts the worker and opens the world in it (or in the page, with `inline-demo`).
fn connect(demo: &Shared) {
    let open = demo.borrow().open_message();
    #[cfg(feature = "inline-demo")]
    {
        let mut host = vigil_sim::worker::Host::default();
        let opened = host.take(open);
        let mut d = demo.borrow_mut();
        d.link = Some(host);
        d.take(opened, String::new());
    }
    #[cfg(not(feature = "inline-demo"))]
    {
        let link = start_worker(Rc::downgrade(demo), to_json(&open));
        demo.borrow_mut().link = Some(link);
    }
}

#[cfg(not(feature = "inline-demo"))]
fn start_worker(demo: Weak<RefCell<Demo>>, open: String) -> WorkerLink {
    let on_message = {
        let demo = demo.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let (Some(demo), Some(text)) = (demo.upgrade(), ev.data().as_string()) else {
                return;
            };
            if let Ok(msg) = serde_json::from_str::<FromWorker>(&text) {
                demo.borrow_mut().take(msg, text);
            }
        })
    };
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if let Some(demo) = demo.upgrade() {
            demo.borrow_mut().fail_all();
        }
    });
    let worker = web_sys::Worker::new(WORKER_URL).ok();
    if let Some(w) = &worker {
        w.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    }
    WorkerLink {
        broken: worker.is_none(),
        worker,
        ready: false,
        queue: vec![open],
        waiting: HashMap::new(),
        _on_message: on_message,
        _on_error: on_error,
    }
}

/// Sends one request to the demo providers, with the simulated round trip around it.
pub async fn send(demo: &Shared, req: HttpRequest) -> Result<HttpResponse, NetError> {
    let (lo, hi) = demo.borrow().latency_ms;
    let half = |r: f64| (f64::from(lo) + r * f64::from(hi.saturating_sub(lo))) / 2.0;
    // Half the round trip before the provider sees the request, half after it answers.
    gloo_timers::future::TimeoutFuture::new(half(js_sys::Math::random()) as u32).await;
    if demo.borrow().link.is_none() {
        connect(demo);
    }
    let ask = {
        let mut d = demo.borrow_mut();
        d.next_id = d.next_id.wrapping_add(1);
        ToWorker::Ask {
            id: d.next_id,
            now_ms: crate::now_ms() as u64,
            request: vigil_sim::Request {
                method: req.method.as_str().to_string(),
                url: req.url,
                headers: req.headers,
                body: req.body.unwrap_or_default(),
            },
        }
    };
    let reply = ask_link(demo, ask).await;
    let FromWorker::Answer {
        status,
        headers,
        body,
        delay_ms,
        written,
        ..
    } = reply
    else {
        return Err(NetError(NetFailure::Unreachable.to_string()));
    };
    demo.borrow_mut().keep(written);
    // Injected latency (faults) comes on top of the simulated round trip.
    let after = half(js_sys::Math::random()) as u32 + delay_ms as u32;
    gloo_timers::future::TimeoutFuture::new(after).await;
    match status {
        Some(status) => Ok(HttpResponse {
            status,
            headers,
            body,
        }),
        None => Err(NetError(NetFailure::Dropped.to_string())),
    }
}

fn refused(why: &str) -> FromWorker {
    FromWorker::Refused {
        id: None,
        why: why.to_string(),
    }
}

/// One ask, answered at once by the simulator in the page.
#[cfg(feature = "inline-demo")]
async fn ask_link(demo: &Shared, ask: ToWorker) -> FromWorker {
    match demo.borrow_mut().link.as_mut() {
        Some(host) => host.take(ask),
        None => refused("the demo providers did not load"),
    }
}

/// One ask, answered when the worker's answer comes (or at once if the worker is broken).
#[cfg(not(feature = "inline-demo"))]
async fn ask_link(demo: &Shared, ask: ToWorker) -> FromWorker {
    let ToWorker::Ask { id, .. } = &ask else {
        return refused("not an ask");
    };
    let id = *id;
    let pending = {
        let mut d = demo.borrow_mut();
        let Some(w) = d.link.as_mut().filter(|w| !w.broken) else {
            return refused("the demo providers did not load");
        };
        let text = to_json(&ask);
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            w.waiting.insert(id, resolve);
        });
        if w.ready {
            w.post(&text);
        } else {
            w.queue.push(text);
        }
        promise
    };
    let text = wasm_bindgen_futures::JsFuture::from(pending)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|_| refused("unreadable answer"))
}
