//! Carries vigil-core's request values: over the network with gloo-net, or to the simulator
//! embedded in the page for `demo://` URLs.

use std::cell::RefCell;
use std::rc::Rc;

use vigil_core::words::NetFailure;
use vigil_core::{HttpRequest, HttpResponse, NetError};
use web_sys::AbortSignal;

use crate::config::DemoConfig;

/// The in-page demo provider: vigil-sim on the page's clock.
struct Demo {
    sim: vigil_sim::Sim,
    latency_ms: (u32, u32),
    /// What the tab keeps of this world, to build it again after a reload.
    saved: DemoWorld,
}

/// Where the tab keeps its demo world (sessionStorage: the journal's requests carry the demo
/// credentials, and this tab's world is this tab's).
const DEMO_WORLD: &str = "vigil.demo.v1";
/// Past this many writes the world is not kept any more: the next load starts a fresh one.
const KEEP_WRITES: usize = 5_000;

/// A demo world as kept across reloads: how it was made, when it started, and every request
/// that may have changed it since (`Sim::journal`). The same again gives the same world, tasks
/// still running.
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

#[derive(Clone)]
pub struct Transport {
    demo: Rc<RefCell<Demo>>,
}

impl Transport {
    pub fn new(cfg: &DemoConfig) -> Self {
        let scenario = vigil_sim::Scenario {
            seed: cfg.seed,
            vms: cfg.vms,
            failure_rate: cfg.failure_rate,
            speed: cfg.speed,
        };
        // The world this tab had before a reload, if it was made the same way and every
        // request of its journal is answered as before (else the simulator changed: start anew).
        let kept = DemoWorld::load()
            .filter(|w| w.scenario == scenario && w.journal.len() <= KEEP_WRITES)
            .map(|w| {
                let sim = vigil_sim::Sim::replay(scenario.clone(), w.start_ms, &w.journal);
                (w, sim)
            })
            .filter(|(w, sim)| sim.journal() == w.journal.as_slice());
        let (saved, sim) = kept.unwrap_or_else(|| {
            let fresh = DemoWorld {
                scenario: scenario.clone(),
                start_ms: crate::now_ms() as u64,
                journal: Vec::new(),
            };
            fresh.save();
            let sim = vigil_sim::Sim::replay(scenario, fresh.start_ms, &[]);
            (fresh, sim)
        });
        Transport {
            demo: Rc::new(RefCell::new(Demo {
                sim,
                latency_ms: cfg.latency_ms,
                saved,
            })),
        }
    }

    pub async fn send(
        &self,
        req: HttpRequest,
        signal: Option<AbortSignal>,
    ) -> Result<HttpResponse, NetError> {
        if req.url.starts_with("demo://") {
            self.send_demo(req).await
        } else {
            send_http(req, signal).await
        }
    }

    async fn send_demo(&self, req: HttpRequest) -> Result<HttpResponse, NetError> {
        let (lo, hi) = self.demo.borrow().latency_ms;
        let half = |r: f64| (f64::from(lo) + r * f64::from(hi.saturating_sub(lo))) / 2.0;
        // Half the round trip before the provider sees the request, half after it answers.
        gloo_timers::future::TimeoutFuture::new(half(js_sys::Math::random()) as u32).await;
        let sim_req = vigil_sim::Request {
            method: req.method.as_str().to_string(),
            url: req.url,
            headers: req.headers,
            body: req.body.unwrap_or_default(),
        };
        let reply = {
            let mut demo = self.demo.borrow_mut();
            let reply = demo.sim.handle(&sim_req, crate::now_ms() as u64);
            // A write the world took is kept with it, so that a reload finds it there.
            let d = &mut *demo;
            let known = d.saved.journal.len();
            if let Some(new) = d.sim.journal().get(known..).filter(|new| !new.is_empty()) {
                d.saved.journal.extend_from_slice(new);
                d.saved.save();
            }
            reply
        };
        // Injected latency (faults) comes on top of the simulated round trip.
        let extra = reply.delay_ms() as u32;
        gloo_timers::future::TimeoutFuture::new(half(js_sys::Math::random()) as u32 + extra).await;
        match reply {
            vigil_sim::Reply::Response(r) => Ok(HttpResponse {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }),
            vigil_sim::Reply::Dropped => Err(NetError(NetFailure::Dropped.to_string())),
        }
    }
}

async fn send_http(
    req: HttpRequest,
    signal: Option<AbortSignal>,
) -> Result<HttpResponse, NetError> {
    use gloo_net::http::{Method, RequestBuilder};
    // Never let a browser-level error text carry the URL's query or credentials: keep it generic.
    let fail = |what: NetFailure| NetError(what.to_string());
    // gloo-net throws on a header the browser refuses: an error on this request instead.
    if !req.headers_sendable() {
        return Err(fail(NetFailure::Unbuildable));
    }
    let method = match req.method {
        vigil_core::Method::Get => Method::GET,
        vigil_core::Method::Post => Method::POST,
        vigil_core::Method::Put => Method::PUT,
        vigil_core::Method::Delete => Method::DELETE,
        vigil_core::Method::Patch => Method::PATCH,
    };
    let mut builder = RequestBuilder::new(&req.url)
        .method(method)
        .abort_signal(signal.as_ref());
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let request = match req.body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|_| fail(NetFailure::Unbuildable))?;
    let resp = request.send().await.map_err(|e| {
        let text = e.to_string();
        if text.contains("abort") || text.contains("Abort") {
            fail(NetFailure::Cancelled)
        } else {
            fail(NetFailure::Unreachable)
        }
    })?;
    let status = resp.status();
    let headers = resp.headers().entries().collect();
    let body = resp.text().await.map_err(|_| fail(NetFailure::CutOff))?;
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}
