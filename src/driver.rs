//! The driver: the only place the engine is touched. It carries the engine's requests (over
//! the network or to the in-page simulator), hands answers back, sleeps until the engine's next
//! wake-up, and hands each event to its owner — changes to the marks, notices to the notices,
//! saves to storage, shares to the other tabs. Every decision stays in vigil-core.
//!
//! The engine lives in a non-reactive `StoredValue`: nothing re-renders because the engine
//! changed, only because a mark the engine named was bumped.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use vigil_core::engine::{Change, Share, Started};
use vigil_core::{words, Command, Engine, Event, Millis, Refusal, Token, Transmit, View};
use web_sys::AbortController;

use crate::marks::Marks;
use crate::notices::Notices;
use crate::storage;
use crate::transport::Transport;

/// The shortest sleep between two wake-ups (a wake-up already due waits this long, so that an
/// engine that keeps saying "now" cannot hold the page).
const MIN_SLEEP_MS: Millis = 10;

/// What the drivers of this page did so far (tests measure with it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Times the engine was woken up.
    pub pumps: u64,
    /// Wake-ups that sent at least one request.
    pub rounds: u64,
    pub requests: u64,
    pub answers: u64,
}

struct Io {
    transport: Transport,
    timer: Option<Timeout>,
    in_flight: HashMap<Token, AbortController>,
    /// Who tells the other tabs (the tabs module sets it).
    on_share: Option<Rc<dyn Fn(Share)>>,
}

thread_local! {
    static STATS: Cell<Stats> = Cell::new(Stats::default());
}

/// What every driver of this page did so far.
pub fn stats() -> Stats {
    STATS.with(Cell::get)
}

fn count(f: impl FnOnce(&mut Stats)) {
    STATS.with(|s| {
        let mut v = s.get();
        f(&mut v);
        s.set(v);
    });
}

/// Copy handle on the engine and its IO.
#[derive(Clone, Copy)]
pub struct Driver {
    engine: StoredValue<Engine, LocalStorage>,
    io: StoredValue<Io, LocalStorage>,
    marks: Marks,
    notices: Notices,
}

impl Driver {
    /// `id_prefix` keeps operation ids unique across tabs and reloads.
    pub fn new(transport: Transport, id_prefix: String, marks: Marks, notices: Notices) -> Self {
        let driver = Driver {
            engine: StoredValue::new_local(Engine::new(id_prefix)),
            io: StoredValue::new_local(Io {
                transport,
                timer: None,
                in_flight: HashMap::new(),
                on_share: None,
            }),
            marks,
            notices,
        };
        // When the component that owns the driver goes, so do its timer and its requests.
        on_cleanup(move || driver.stop());
        driver
    }

    /// Reads the engine (untracked: subscribe to the marks of what is read).
    pub fn view<T: Default>(self, f: impl FnOnce(&View<'_>) -> T) -> T {
        self.engine
            .try_with_value(|e| f(&e.view()))
            .unwrap_or_default()
    }

    /// The site's target lag (its `config.json`): set before the first connections, since the
    /// policy starts afresh (what was learned is imported after).
    pub fn set_target_lag(self, lag: vigil_core::Millis) {
        let policy = vigil_core::policy::Vigil::with_target_lag(lag);
        self.engine.update_value(|e| e.set_policy(Box::new(policy)));
    }

    /// Hands a command to this tab's engine, then sends whatever it made due.
    pub fn command(self, cmd: Command) -> Result<Started, Refusal> {
        let now = crate::now_ms();
        let result = self
            .engine
            .try_update_value(|e| e.handle_command(cmd, now))
            .unwrap_or(Ok(Started::Nothing));
        self.pump();
        result
    }

    /// Who gets the engine's shares for the other tabs.
    pub fn on_share(self, f: impl Fn(Share) + 'static) {
        self.io.update_value(|io| io.on_share = Some(Rc::new(f)));
    }

    /// Time passed: lets the engine act on it, sends every request due, hands the events over
    /// and sleeps until the engine's next wake-up.
    pub fn pump(self) {
        let now = crate::now_ms();
        let Some(out) = self.engine.try_update_value(|e| {
            e.handle_timeout(now);
            std::iter::from_fn(|| e.poll_transmit(now)).collect::<Vec<_>>()
        }) else {
            return; // Unmounted.
        };
        count(|s| {
            s.pumps += 1;
            s.rounds += u64::from(!out.is_empty());
            s.requests += out.len() as u64;
        });
        for t in out {
            self.send(t);
        }
        self.dispatch();
        let wake = self.engine.try_with_value(Engine::poll_timeout).flatten();
        let timer = wake.map(|at| {
            let ms = (at - now).clamp(MIN_SLEEP_MS, Millis::from(i32::MAX)) as u32;
            Timeout::new(ms, move || self.pump())
        });
        self.io.try_update_value(|io| io.timer = timer);
    }

    /// Carries one request; its answer goes back to the engine, which is then pumped.
    fn send(self, t: Transmit) {
        let Some(transport) = self.io.try_with_value(|io| io.transport.clone()) else {
            return;
        };
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        // Past the engine's time limit for this request, it is given up.
        let limit = controller.clone().map(|c| {
            let ms = t.timeout.clamp(0, Millis::from(i32::MAX)) as u32;
            Timeout::new(ms, move || c.abort())
        });
        let token = t.token;
        if let Some(c) = controller {
            self.io.update_value(|io| {
                io.in_flight.insert(token, c);
            });
        }
        spawn_local(async move {
            let result = transport.send(t.request, signal).await;
            drop(limit);
            if self
                .io
                .try_update_value(|io| io.in_flight.remove(&token))
                .is_none()
            {
                return; // Unmounted meanwhile: the answer is dropped.
            }
            count(|s| s.answers += 1);
            let now = crate::now_ms();
            self.engine
                .try_update_value(|e| e.handle_response(token, result, now));
            self.pump();
        });
    }

    /// Hands every event to its owner, in order.
    fn dispatch(self) {
        let events: Vec<Event> = self
            .engine
            .try_update_value(|e| std::iter::from_fn(|| e.poll_event()).collect())
            .unwrap_or_default();
        for event in events {
            match event {
                Event::Changed(change) => {
                    if let Change::Vms(c) = &change {
                        let names = self.view(|v| {
                            v.vms(c)
                                .iter()
                                .map(|vm| (vm.id.clone(), vm.name.clone()))
                                .collect()
                        });
                        self.marks.remember_names(c, names);
                    }
                    self.marks.bump(&change, |c, v| {
                        self.view(|view| view.vm(c, v).map(|vm| vm.name.clone()))
                    });
                }
                Event::Notice(n) => self.notices.push(n),
                Event::Save(saved) => {
                    if let Some(note) = storage::save_delta(&saved) {
                        self.notices.say(note.tone(), note.to_string());
                    }
                }
                Event::Share(share) => {
                    if let Some(Some(tell)) = self.io.try_with_value(|io| io.on_share.clone()) {
                        tell(share);
                    }
                }
                Event::Learned(state) => storage::save_learning(&state),
                Event::Secret { op, secret } => {
                    let what = self.view(|v| {
                        v.operation(&op).map(|o| {
                            words::secret_title(&words::op_title(&o.action, o.target.name()))
                        })
                    });
                    self.notices.secret(what.unwrap_or_default(), secret.0);
                }
            }
        }
    }

    fn stop(self) {
        self.io.try_update_value(|io| {
            io.timer = None;
            io.on_share = None;
            for (_, c) in io.in_flight.drain() {
                c.abort();
            }
        });
    }
}
