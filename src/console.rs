//! The thin driver between vigil-core's [`Engine`] and the browser: it sends what the engine
//! asks for, hands answers back, sleeps until the next wake-up, and turns engine events into
//! notices. All decisions stay in the engine.

use std::collections::HashMap;

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use leptos::task::spawn_local;
use vigil_core::workflow::{BulkWork, Plan, WorkflowEvent};
use vigil_core::{Action, ConnectionConfig, Engine, Event, Outgoing, Pace, Phase};
use web_sys::AbortController;

use crate::tabs::{self, Channel, Intent, Message};
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
    /// This tab's id in the leader election.
    tab: String,
    /// The group of tabs with the same connections (one poller each).
    group: String,
    /// This tab polls (holds the lease); otherwise it shows what the leading tab shares.
    leader: bool,
    /// The pace the page wants (visibility, network) when this tab leads.
    pace: Pace,
    channel: Option<Channel>,
    heartbeat: Option<Interval>,
    /// The last state shared, to share only changes.
    shared: String,
    /// The VMs last shared, to send them only when they changed.
    shared_inventory: Vec<(String, Vec<vigil_core::Vm>, vigil_core::ListState)>,
}

/// Everything the components share. Copy: it is a bundle of reactive handles.
#[derive(Clone, Copy)]
pub struct Console {
    pub engine: RwSignal<Engine, LocalStorage>,
    pub notices: RwSignal<Vec<Notice>>,
    /// The latest announcement for screen readers (an `aria-live` region reads it).
    pub announcement: RwSignal<String>,
    /// This tab polls; otherwise another tab does and this one shows what it shares.
    pub leader: RwSignal<bool>,
    driver: StoredValue<Driver, LocalStorage>,
}

impl Console {
    pub fn new(transport: Transport, id_prefix: String) -> Self {
        let console = Console {
            engine: RwSignal::new_local(Engine::new(id_prefix)),
            notices: RwSignal::new(Vec::new()),
            announcement: RwSignal::new(String::new()),
            leader: RwSignal::new(false),
            driver: StoredValue::new_local(Driver {
                transport,
                resumed: false,
                timer: None,
                in_flight: HashMap::new(),
                next_notice: 1,
                tab: tabs::tab_id(),
                group: String::new(),
                leader: false,
                pace: Pace::Foreground,
                channel: None,
                heartbeat: None,
                shared: String::new(),
                shared_inventory: Vec::new(),
            }),
        };
        let _ = leptos_use::use_event_listener(
            leptos_use::use_window(),
            leptos::ev::pagehide,
            move |_| console.page_hidden(),
        );
        // When the component that owns the console goes away, so do its timer, requests, and
        // its lead: another tab takes over at once.
        on_cleanup(move || {
            console.stand_down();
            console.driver.try_update_value(|d| {
                d.timer = None;
                for (_, c) in d.in_flight.drain() {
                    c.abort();
                }
            });
        });
        console
    }

    /// Whether this tab polls (for display: "this tab polls" / "another tab polls").
    pub fn leads(self) -> bool {
        self.driver.try_with_value(|d| d.leader).unwrap_or(false)
    }

    /// Joins the group of tabs showing the same connections (leaving the previous one).
    fn join_tabs(self, group: String) {
        self.stand_down();
        let channel = Channel::open(&group, move |msg| self.on_message(msg));
        let heartbeat = Interval::new(vigil_core::election::LEASE_EVERY as u32, move || {
            self.elect()
        });
        self.driver.update_value(|d| {
            d.group = group;
            d.channel = channel;
            d.heartbeat = Some(heartbeat);
            d.leader = false;
        });
        self.elect();
        if !self.leads() {
            // Following from the start is no change of role for `elect`: without this the tab
            // lists its connections itself once and waits for the leader's next change.
            let now = crate::now_ms();
            self.engine.update(|e| e.set_pace(Pace::Follower, now));
            self.post(&Message::Hello);
        }
    }

    /// The page is going away (reload, close, navigation), which unmounts nothing: a leading
    /// tab gives its lease up now, so that the reloaded page or another tab leads at once
    /// instead of following a gone leader until the lease runs out. (A page restored from the
    /// back/forward cache claims the lease again at its next heartbeat.)
    fn page_hidden(self) {
        self.driver.try_with_value(|d| {
            if d.leader {
                tabs::release_lease(&d.group, &d.tab);
                if let Some(ch) = &d.channel {
                    ch.post(&Message::Bye);
                }
            }
        });
    }

    /// Leaves the group: a leading tab hands over at once.
    fn stand_down(self) {
        self.driver.try_update_value(|d| {
            if d.leader {
                tabs::release_lease(&d.group, &d.tab);
                if let Some(ch) = &d.channel {
                    ch.post(&Message::Bye);
                }
            }
            d.heartbeat = None;
            d.channel = None;
        });
    }

    /// Renews or claims the lease; on a change of role, takes over or starts following.
    fn elect(self) {
        let now = crate::now_ms();
        let Some((me, group)) = self
            .driver
            .try_with_value(|d| (d.tab.clone(), d.group.clone()))
        else {
            return;
        };
        let current = tabs::read_lease(&group);
        if let Some(lease) = vigil_core::election::claim(current.as_ref(), &me, now) {
            tabs::write_lease(&group, &lease);
        }
        let leads = vigil_core::election::leads(tabs::read_lease(&group).as_ref(), &me, now);
        let (was, pace) = self
            .driver
            .try_update_value(|d| (std::mem::replace(&mut d.leader, leads), d.pace))
            .unwrap_or((leads, Pace::Foreground));
        if leads == was {
            return;
        }
        self.leader.set(leads);
        if leads {
            self.engine.update(|e| {
                e.take_over(now);
                e.set_pace(pace, now);
            });
            self.driver.update_value(|d| {
                d.shared.clear();
                d.shared_inventory.clear();
            });
        } else {
            self.engine.update(|e| e.set_pace(Pace::Follower, now));
            self.post(&Message::Hello);
        }
        self.pump();
    }

    fn post(self, msg: &Message) {
        self.driver.try_with_value(|d| {
            if let Some(ch) = &d.channel {
                ch.post(msg);
            }
        });
    }

    fn on_message(self, msg: Message) {
        let leader = self.leads();
        match msg {
            Message::State { state, inventory } if !leader => {
                self.engine.try_update(|e| e.mirror_state(state, inventory));
            }
            Message::Intent(intent) if leader => {
                let _ = self.act(intent);
            }
            Message::Hello if leader => {
                self.driver.update_value(|d| {
                    d.shared.clear();
                    d.shared_inventory.clear();
                });
                self.share();
            }
            Message::Bye if !leader => self.elect(),
            _ => {}
        }
    }

    /// The leading tab tells the others what it knows, when that changed.
    fn share(self) {
        if !self.leads() {
            return;
        }
        let (state, inventory) = self
            .engine
            .with_untracked(|e| (e.export_state(), e.export_inventory()));
        let text = serde_json::to_string(&state).unwrap_or_default();
        // The VMs go along only when they changed: with thousands of them, serialising the
        // inventory on every answer would be most of the page's work.
        let (state_changed, inventory) = self
            .driver
            .try_update_value(|d| {
                let state_changed = d.shared != text;
                d.shared = text;
                let inventory = (d.shared_inventory != inventory).then(|| {
                    d.shared_inventory = inventory.clone();
                    inventory
                });
                (state_changed, inventory)
            })
            .unwrap_or((false, None));
        if state_changed || inventory.is_some() {
            self.post(&Message::State {
                state,
                // Empty: the followers keep the VMs they have.
                inventory: inventory.unwrap_or_default(),
            });
        }
    }

    /// Carries out an intent here if this tab leads, else hands it to the leading tab.
    fn act(self, intent: Intent) -> Result<(), String> {
        if !self.leads() {
            self.post(&Message::Intent(intent));
            return Ok(());
        }
        let now = crate::now_ms();
        let result = self
            .engine
            .try_update(|e| match intent {
                Intent::Run { conn, vm, action } => e.start(&conn, &vm, action, now).map(|_| ()),
                Intent::CheckNow { op } => {
                    e.check_now(&op, now);
                    Ok(())
                }
                Intent::Cancel { op } => e.cancel(&op, now),
                Intent::Refresh { conn } => {
                    e.refresh(&conn, now);
                    Ok(())
                }
                Intent::Workflow { conn, vm, plan } => {
                    e.start_workflow(&conn, &vm, plan, now).map(|_| ())
                }
                Intent::Bulk { targets, work } => {
                    match work {
                        BulkWork::Action(a) => e.start_bulk(targets, a, now),
                        BulkWork::Plan(p) => e.start_bulk_plan(targets, p, now),
                    };
                    Ok(())
                }
                Intent::ForceNow { workflow } => e.force_now(&workflow, now),
                Intent::CancelWorkflow { workflow } => e.cancel_workflow(&workflow, now),
            })
            .unwrap_or_else(|| Err("The console is shutting down.".into()));
        self.pump();
        result
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
            let state = crate::storage::load_state();
            let learning = crate::storage::load_learning();
            self.engine.update(|e| {
                if let Some(state) = learning {
                    e.import_learning(&state);
                }
                e.import_state(state, now);
            });
        }
        let group = self
            .engine
            .with_untracked(|e| tabs::group_of(e.connections().map(|c| c.id.as_str())));
        if self
            .driver
            .try_with_value(|d| d.group != group)
            .unwrap_or(false)
        {
            self.join_tabs(group);
        }
        self.pump();
    }

    /// The tab was hidden or shown, or the network went or came back.
    pub fn set_pace(self, pace: Pace) {
        let now = crate::now_ms();
        let leads = self
            .driver
            .try_update_value(|d| {
                d.pace = pace;
                d.leader
            })
            .unwrap_or(false);
        if !leads {
            return; // A following tab keeps following; the pace applies when it leads.
        }
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
    pub fn run(self, conn: &str, vm_id: &str, action: Action) -> Result<(), String> {
        // Checked here first, so that a following tab answers at once too.
        action.validate()?;
        self.engine
            .with_untracked(|e| e.allowed(conn, vm_id, action.kind()))?;
        self.act(Intent::Run {
            conn: conn.to_string(),
            vm: vm_id.to_string(),
            action,
        })
    }

    /// The user's intent to run a workflow (Stop, stop → resize → start) on one VM.
    pub fn workflow(self, conn: &str, vm_id: &str, plan: Plan) -> Result<(), String> {
        self.act(Intent::Workflow {
            conn: conn.to_string(),
            vm: vm_id.to_string(),
            plan,
        })
    }

    /// The user's intent to run one action or plan on many VMs (each one still checked).
    pub fn bulk(self, targets: Vec<(String, String)>, work: BulkWork) -> Result<(), String> {
        if targets.is_empty() {
            return Err("Select at least one VM.".into());
        }
        self.act(Intent::Bulk { targets, work })
    }

    pub fn force_now(self, workflow: &str) {
        if let Err(e) = self.act(Intent::ForceNow {
            workflow: workflow.to_string(),
        }) {
            self.announcement.set(e);
        }
    }

    pub fn cancel_workflow(self, workflow: &str) {
        if let Err(e) = self.act(Intent::CancelWorkflow {
            workflow: workflow.to_string(),
        }) {
            self.announcement.set(e);
        }
    }

    pub fn check_now(self, op_id: &str) {
        let _ = self.act(Intent::CheckNow {
            op: op_id.to_string(),
        });
    }

    pub fn cancel(self, op_id: &str) {
        if let Err(e) = self.act(Intent::Cancel {
            op: op_id.to_string(),
        }) {
            self.announcement.set(e);
        }
    }

    pub fn refresh(self, conn: &str) {
        let _ = self.act(Intent::Refresh {
            conn: conn.to_string(),
        });
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
        let finished = self
            .engine
            .try_update_untracked(|e| e.drain_workflow_events())
            .unwrap_or_default();
        for ev in finished {
            match ev {
                WorkflowEvent::Finished { workflow_id, phase } => {
                    self.notify_workflow(&workflow_id, phase)
                }
                WorkflowEvent::BulkFinished { bulk_id } => self.notify_bulk(&bulk_id),
            }
        }
        if self.leads() {
            let (state, learning) = self
                .engine
                .with_untracked(|e| (e.export_state(), e.export_learning()));
            crate::storage::save_state(&state);
            if let Some(state) = learning {
                crate::storage::save_learning(&state);
            }
            self.share();
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

    fn notify_workflow(self, id: &str, phase: Phase) {
        let what = self.engine.with_untracked(|e| {
            e.workflow(id).map(|w| {
                (
                    format!("{} {}", w.plan.describe(), w.vm_name),
                    w.message.clone(),
                )
            })
        });
        if let Some((what, message)) = what {
            self.notify_finished(what, phase, message);
        }
    }

    /// One notice when a bulk action ends: "Reboot on 5 VMs: 4 done · 1 skipped".
    fn notify_bulk(self, id: &str) {
        let done = self.engine.with_untracked(|e| {
            let b = e.bulk(id)?;
            let s = e.bulk_summary(id)?;
            let text = format!(
                "{} on {}: {}",
                b.work.describe(),
                crate::ui::vms(b.items.len()),
                s.label()
            );
            let clean = s.failed == 0 && s.needs_check == 0 && s.cancelled == 0;
            Some((text, clean))
        });
        if let Some((text, clean)) = done {
            self.push_notice(if clean { Tone::Success } else { Tone::Error }, text);
        }
    }

    /// "Reboot web-01: done, verified on the VM." / "…: failed. <the provider's words>"
    fn notify_finished(self, what: String, phase: Phase, message: Option<String>) {
        let (tone, text) = match phase {
            Phase::Succeeded => (Tone::Success, format!("{what}: done, verified on the VM.")),
            _ => (
                Tone::Error,
                format!(
                    "{what}: {}. {}",
                    phase.label().to_lowercase(),
                    message.unwrap_or_default()
                ),
            ),
        };
        self.push_notice(tone, text);
    }

    fn notify(self, ev: Event) {
        let (tone, text) = match ev {
            Event::Finished { op_id, phase } => {
                let what = self.engine.with_untracked(|e| {
                    // A step of a workflow or one VM of a bulk action: the workflow's own notice
                    // and the bulk summary say it, once.
                    let part_of_more = e.workflow_for_op(&op_id).is_some()
                        || e.bulks()
                            .iter()
                            .any(|b| b.items.iter().any(|i| i.op_id.as_deref() == Some(&op_id)));
                    if part_of_more {
                        return None;
                    }
                    e.operation(&op_id).map(|op| {
                        (
                            format!("{} {}", op.action.describe(), op.vm_name),
                            op.message.clone(),
                        )
                    })
                });
                if let Some((what, message)) = what {
                    self.notify_finished(what, phase, message);
                }
                return;
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
        self.push_notice(tone, text);
    }

    fn push_notice(self, tone: Tone, text: String) {
        self.announcement.set(text.clone());
        let id = self
            .driver
            .try_update_value(|d| {
                d.next_notice += 1;
                d.next_notice
            })
            .unwrap_or(0);
        // Successes go by themselves after a while; failures stay until dismissed.
        if tone == Tone::Success {
            Timeout::new(8_000, move || {
                self.notices.try_update(|n| n.retain(|x| x.id != id));
            })
            .forget();
        }
        self.notices.update(|n| {
            n.push(Notice { id, tone, text });
            // Stack at most five; the oldest go first.
            let excess = n.len().saturating_sub(5);
            n.drain(..excess);
        });
    }
}
