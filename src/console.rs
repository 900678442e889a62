//! The thin driver between vigil-core's [`Engine`] and the browser: it sends what the engine
//! asks for, hands answers back, sleeps until the next wake-up, and turns engine events into
//! notices. All decisions stay in the engine.

use std::collections::HashMap;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use vigil_core::{Action, ConnectionConfig, Engine, Event, Outgoing, Pace, Phase};
use web_sys::AbortController;

use crate::transport::Transport;

#[derive(Clone, Debug, PartialEq)]
pub enum Tone {
    Success,
    Error,
    Info,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub tone: Tone,
    pub text: String,
}

struct Driver {
    transport: Transport,
    /// Kept operations were imported (once, after the first connections were set).
    resumed: bool,
    timer: Option<Timeout>,
    in_flight: HashMap<u64, AbortController>,
    next_notice: u64,
}

/// Everything the components share. Copy: it is a bundle of reactive handles.
#[derive(Clone, Copy)]
pub struct Console {
    pub engine: RwSignal<Engine, LocalStorage>,
    pub notices: RwSignal<Vec<Notice>>,
    /// The latest announcement for screen readers (an `aria-live` region reads it).
    pub announcement: RwSignal<String>,
    driver: StoredValue<Driver, LocalStorage>,
}

impl Console {
    pub fn new(transport: Transport, id_prefix: String) -> Self {
        let console = Console {
            engine: RwSignal::new_local(Engine::new(id_prefix)),
            notices: RwSignal::new(Vec::new()),
            announcement: RwSignal::new(String::new()),
            driver: StoredValue::new_local(Driver {
                transport,
                resumed: false,
                timer: None,
                in_flight: HashMap::new(),
                next_notice: 1,
            }),
        };
        // When the component that owns the console goes away, so do its timer and requests.
        on_cleanup(move || {
            console.driver.try_update_value(|d| {
                d.timer = None;
                for (_, c) in d.in_flight.drain() {
                    c.abort();
                }
            });
        });
        console
    }

    /// Replaces the connections (settings saved) and lists them at once.
    pub fn set_connections(self, list: Vec<ConnectionConfig>) {
        let now = crate::now_ms();
        self.engine.update(|e| {
            let old: Vec<String> = e.connections().map(|c| c.id.clone()).collect();
            for id in old {
                if !list.iter().any(|c| c.id == id) {
                    e.remove_connection(&id);
                }
            }
            for c in list {
                if e.connections().any(|have| *have == c) {
                    continue;
                }
                e.add_connection(c, now);
            }
        });
        // Operations from before a reload resume once their connections are known.
        let first = self
            .driver
            .try_update_value(|d| !std::mem::replace(&mut d.resumed, true))
            .unwrap_or(false);
        if first {
            let ops = crate::storage::load_operations();
            let learning = crate::storage::load_learning();
            self.engine.update(|e| {
                if let Some(state) = learning {
                    e.import_learning(&state);
                }
                e.import_operations(ops, now);
            });
        }
        self.pump();
    }

    /// The tab was hidden or shown, or the network went or came back.
    pub fn set_pace(self, pace: Pace) {
        let now = crate::now_ms();
        let changed = self
            .engine
            .try_update_untracked(|e| {
                let before = e.pace();
                e.set_pace(pace, now);
                before != pace
            })
            .unwrap_or(false);
        if changed {
            self.pump();
        }
    }

    /// The user's intent to run an action; `Err` says why it cannot start.
    pub fn run(self, conn: &str, vm_id: &str, action: Action) -> Result<String, String> {
        let now = crate::now_ms();
        let id = self
            .engine
            .try_update(|e| e.start(conn, vm_id, action, now))
            .unwrap_or_else(|| Err("The console is shutting down.".into()))?;
        self.pump();
        Ok(id)
    }

    pub fn check_now(self, op_id: &str) {
        let now = crate::now_ms();
        self.engine.update(|e| e.check_now(op_id, now));
        self.pump();
    }

    pub fn cancel(self, op_id: &str) {
        let now = crate::now_ms();
        let result = self.engine.try_update(|e| e.cancel(op_id, now));
        if let Some(Err(e)) = result {
            self.announcement.set(e);
        }
        self.pump();
    }

    pub fn refresh(self, conn: &str) {
        let now = crate::now_ms();
        self.engine.update(|e| e.refresh(conn, now));
        self.pump();
    }

    pub fn dismiss(self, notice_id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != notice_id));
    }

    /// Sends whatever is due, then sleeps until the engine's next wake-up.
    pub fn pump(self) {
        let now = crate::now_ms();
        let Some(out) = self.engine.try_update(|e| e.poll_transmit(now)) else {
            return; // Unmounted.
        };
        for o in out {
            self.send(o);
        }
        let events = self
            .engine
            .try_update_untracked(|e| e.drain_events())
            .unwrap_or_default();
        for ev in events {
            self.notify(ev);
        }
        let (ops, learning) = self
            .engine
            .with_untracked(|e| (e.export_operations(), e.export_learning()));
        crate::storage::save_operations(&ops);
        if let Some(state) = learning {
            crate::storage::save_learning(&state);
        }
        let wake = self.engine.with_untracked(|e| e.next_wake());
        self.driver.try_update_value(|d| {
            d.timer = wake.map(|w| {
                let ms = (w - now).clamp(0, i64::from(i32::MAX)) as u32;
                Timeout::new(ms, move || self.pump())
            });
        });
    }

    fn send(self, o: Outgoing) {
        let Some(transport) = self.driver.try_with_value(|d| d.transport.clone()) else {
            return;
        };
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(|c| c.signal());
        if let Some(c) = controller {
            self.driver.update_value(|d| {
                d.in_flight.insert(o.token, c);
            });
        }
        spawn_local(async move {
            let result = transport.send(o.request, signal).await;
            // Unmounted meanwhile: drop the answer.
            if self
                .driver
                .try_update_value(|d| d.in_flight.remove(&o.token))
                .is_none()
            {
                return;
            }
            let now = crate::now_ms();
            self.engine.try_update(|e| e.handle(o.token, result, now));
            self.pump();
        });
    }

    fn notify(self, ev: Event) {
        let (tone, text) = match ev {
            Event::Finished { op_id, phase } => {
                let Some(text) = self.engine.with_untracked(|e| {
                    e.operation(&op_id).map(|op| {
                        let what = format!("{} {}", op.action.describe(), op.vm_name);
                        match phase {
                            Phase::Succeeded => format!("{what}: done, verified on the VM."),
                            _ => format!(
                                "{what}: {}. {}",
                                phase.label().to_lowercase(),
                                op.message.clone().unwrap_or_default()
                            ),
                        }
                    })
                }) else {
                    return;
                };
                let tone = if phase == Phase::Succeeded {
                    Tone::Success
                } else {
                    Tone::Error
                };
                (tone, text)
            }
            Event::ListFailed { connection, error } => {
                let name = self.engine.with_untracked(|e| {
                    e.connections()
                        .find(|c| c.id == connection)
                        .map(|c| c.name.clone())
                        .unwrap_or(connection)
                });
                (Tone::Error, format!("{name}: {}", error.full()))
            }
        };
        self.announcement.set(text.clone());
        let id = self
            .driver
            .try_update_value(|d| {
                d.next_notice += 1;
                d.next_notice
            })
            .unwrap_or(0);
        self.notices.update(|n| {
            n.push(Notice { id, tone, text });
            // Stack at most five; the oldest go first.
            let excess = n.len().saturating_sub(5);
            n.drain(..excess);
        });
    }
}
