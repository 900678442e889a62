//! The simulator as the page's demo provider in a Web Worker: the messages between page and
//! worker ([`ToWorker`], [`FromWorker`], JSON text on the wire) and [`Host`], which answers them.
//! The worker binary (`crates/demo-worker`) is only the glue between `postMessage` and
//! [`Host::take_json`]; the page's tests run the same [`Host`] in the page, so both go through
//! the same messages.
//!
//! The worker has no storage: the page keeps the world (scenario, start, journal) and opens the
//! worker with it; each answer carries the writes the world took, for the page to keep.

use crate::{Reply, Request, Scenario, Sim, Written};

/// What the page asks of the worker.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ToWorker {
    /// Build the world: the one `kept` describes if it replays the same, else a fresh one
    /// starting at `now_ms`. Sent once, before any [`ToWorker::Ask`].
    Open {
        scenario: Scenario,
        kept: Option<Kept>,
        now_ms: u64,
    },
    /// One request at `now_ms`; answered by a [`FromWorker::Answer`] with the same `id`.
    Ask {
        id: u32,
        now_ms: u64,
        request: Request,
    },
}

/// A world as the page kept it: when it started and every write since.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kept {
    pub start_ms: u64,
    pub journal: Vec<Written>,
}

/// What the worker tells the page.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FromWorker {
    /// The worker listens: messages sent before this one may have been lost, so the page
    /// sends nothing before it.
    Ready,
    /// The world is built: the kept one (`replayed`), or a fresh one from `start_ms`.
    Opened { start_ms: u64, replayed: bool },
    /// The answer to [`ToWorker::Ask`] `id`: a response (`status`, `headers`, `body`) or, with
    /// no status, a dropped connection; `delay_ms` of injected latency; the writes it made.
    Answer {
        id: u32,
        status: Option<u16>,
        headers: Vec<(String, String)>,
        body: String,
        delay_ms: u64,
        written: Vec<Written>,
    },
    /// A message the worker could not read, or an ask before the world was opened.
    Refused { id: Option<u32>, why: String },
}

/// The worker's state: the world, once opened.
#[derive(Default)]
pub struct Host {
    sim: Option<Sim>,
}

impl Host {
    /// Answers one message.
    pub fn take(&mut self, msg: ToWorker) -> FromWorker {
        match msg {
            ToWorker::Open {
                scenario,
                kept,
                now_ms,
            } => {
                let replay = kept.and_then(|k| {
                    let sim = Sim::replay(scenario.clone(), k.start_ms, &k.journal);
                    (sim.journal() == k.journal.as_slice()).then_some((k.start_ms, sim))
                });
                let (start_ms, replayed, sim) = match replay {
                    Some((start, sim)) => (start, true, sim),
                    None => (now_ms, false, Sim::replay(scenario, now_ms, &[])),
                };
                self.sim = Some(sim);
                FromWorker::Opened { start_ms, replayed }
            }
            ToWorker::Ask {
                id,
                now_ms,
                request,
            } => {
                let Some(sim) = self.sim.as_mut() else {
                    return FromWorker::Refused {
                        id: Some(id),
                        why: "asked before the world was opened".into(),
                    };
                };
                let known = sim.journal().len();
                let reply = sim.handle(&request, now_ms);
                let written = sim.journal()[known..].to_vec();
                let delay_ms = reply.delay_ms();
                match reply {
                    Reply::Response(r) => FromWorker::Answer {
                        id,
                        status: Some(r.status),
                        headers: r.headers,
                        body: r.body,
                        delay_ms,
                        written,
                    },
                    Reply::Dropped => FromWorker::Answer {
                        id,
                        status: None,
                        headers: Vec::new(),
                        body: String::new(),
                        delay_ms,
                        written,
                    },
                }
            }
        }
    }

    /// [`Host::take`] on the wire: JSON text in, JSON text out.
    pub fn take_json(&mut self, text: &str) -> String {
        let out = match serde_json::from_str::<ToWorker>(text) {
            Ok(msg) => self.take(msg),
            Err(e) => FromWorker::Refused {
                id: None,
                why: format!("unreadable message: {e}"),
            },
        };
        to_json(&out)
    }
}

/// A message as JSON text (these messages always serialize).
pub fn to_json<T: serde::Serialize>(msg: &T) -> String {
    serde_json::to_string(msg).unwrap_or_default()
}
