//! Several tabs, one poller. Tabs showing the same connections form a group; one of them leads
//! (polls) and the others follow:
//!
//! - **Election**: the Web Locks API where the browser has it — the leader holds
//!   `navigator.locks` lock `vigil.lead.v1.<group>` with a promise that never settles, the
//!   others wait in its queue, and the browser hands it to the next tab the moment the leader
//!   goes. Elsewhere a lease in localStorage, renewed by a heartbeat (vigil-core's `election`).
//! - **Sharing**: over a BroadcastChannel the leader sends the engine's `Share` deltas
//!   (activity, VMs, and a connection's catalogue when a part of it changes), which followers
//!   apply with `Command::Mirror`; a new follower says hello and gets everything once
//!   (`Command::ShareAll`). Followers check the user's intents with `View::check` and send them
//!   as `Command`s (reading a catalogue and creating a VM included), whose credential-carrying
//!   variants cannot be serialised: settings never cross.
//! - **Take-over**: `Command::TakeOver`, then the page's pace.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vigil_core::election::{self, Lease, LEASE_EVERY};
use vigil_core::engine::{Share, Started};
use vigil_core::{Command, Pace, Refusal};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, BroadcastChannel, MessageEvent};

use crate::driver::Driver;

/// What crosses between the tabs of a group.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Message {
    /// The leader's changes.
    Share(Share),
    /// A follower's user asks the leader to do this.
    Intent(Command),
    /// A new follower asks for everything.
    Hello,
    /// The leader is going away (the localStorage lease: elect now).
    Bye,
}

/// Tabs showing the same connections form a group, named after its connections' ids.
pub fn group_of<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ids.join("\n").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// What this tab holds while it leads, kept apart from the reactive state so that a panic can
/// give it up ([`abandon`]) whatever was borrowed when it struck.
struct Held {
    group: String,
    me: String,
    /// Resolves the Web Lock's promise (none under the localStorage lease).
    lock: Option<Rc<RefCell<Option<Function>>>>,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// The page stopped (a panic, an uncaught error): the lead is given up at once — the lock
/// released or the lease removed — and the group told, so that another tab takes over.
pub fn abandon() {
    let held = HELD.with(|h| h.try_borrow_mut().ok().and_then(|mut h| h.take()));
    let Some(held) = held else {
        return;
    };
    match held.lock {
        Some(lock) => {
            if let Some(resolve) = lock.try_borrow_mut().ok().and_then(|mut r| r.take()) {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        }
        None => release_lease(&held.group, &held.me),
    }
    if let Ok(ch) = BroadcastChannel::new(&channel_name(&held.group)) {
        if let Ok(text) = serde_json::to_string(&Message::Bye) {
            let _ = ch.post_message(&text.into());
        }
        ch.close();
    }
}

fn channel_name(group: &str) -> String {
    format!("vigil.tabs.v2.{group}")
}

/// How this tab holds (or waits for) the lead.
enum Lead {
    Lock { _lock: WebLock },
    Stored { _heartbeat: Interval },
}

struct State {
    me: String,
    group: Option<String>,
    /// The group left when the page was hidden, joined again if it comes back (bfcache).
    left: Option<String>,
    channel: Option<Channel>,
    lead: Option<Lead>,
    leads: bool,
    /// What the page wants when this tab leads (visibility, network).
    pace: Pace,
}

/// Copy handle on this tab's place in its group.
#[derive(Clone, Copy)]
pub struct Tabs {
    state: StoredValue<State, LocalStorage>,
    /// This tab polls; otherwise another one does and this one shows what it shares.
    pub leader: RwSignal<bool>,
    driver: Driver,
}

impl Tabs {
    pub fn new(driver: Driver) -> Self {
        let tabs = Tabs {
            state: StoredValue::new_local(State {
                me: format!("tab-{:x}", (js_sys::Math::random() * 1e15) as u64),
                group: None,
                left: None,
                channel: None,
                lead: None,
                leads: false,
                pace: Pace::Foreground,
            }),
            leader: RwSignal::new(false),
            driver,
        };
        // A tab follows until it is elected: nothing goes out before then.
        let _ = driver.command(Command::Pace(Pace::Follower));
        driver.on_share(move |share| tabs.post(&Message::Share(share)));
        // A page going away (reload, close) unmounts nothing: a leader hands over now. A page
        // restored from the back/forward cache joins its group again.
        let window = leptos_use::use_window();
        let _ = leptos_use::use_event_listener(window.clone(), leptos::ev::pagehide, move |_| {
            tabs.leave()
        });
        let _ = leptos_use::use_event_listener(window, leptos::ev::pageshow, move |ev| {
            let back = tabs.state.try_update_value(|s| s.left.take()).flatten();
            if let (true, Some(group)) = (ev.persisted(), back) {
                tabs.join(group);
            }
        });
        on_cleanup(move || tabs.leave());
        tabs
    }

    pub fn leads(self) -> bool {
        self.state.try_with_value(|s| s.leads).unwrap_or(false)
    }

    /// Joins the group of tabs showing these connections (leaving the previous one): follows
    /// until elected.
    pub fn join(self, group: String) {
        if self
            .state
            .try_with_value(|s| s.group.as_deref() == Some(group.as_str()))
            != Some(false)
        {
            return;
        }
        self.leave();
        let channel = Channel::open(&group, move |msg| self.on_message(msg));
        self.state.update_value(|s| {
            s.group = Some(group.clone());
            s.channel = channel;
        });
        let _ = self.driver.command(Command::Pace(Pace::Follower));
        self.post(&Message::Hello);
        let lock = WebLock::request(&format!("vigil.lead.v1.{group}"), move || {
            self.set_role(true)
        });
        let stored = lock.is_none();
        let lead = match lock {
            Some(lock) => Lead::Lock { _lock: lock },
            None => Lead::Stored {
                _heartbeat: Interval::new(LEASE_EVERY as u32, move || self.elect()),
            },
        };
        self.state.update_value(|s| s.lead = Some(lead));
        if stored {
            self.elect();
        }
    }

    /// Leaves the group: a leader hands over at once.
    fn leave(self) {
        let Some((me, group, lead, channel, leads)) = self.state.try_update_value(|s| {
            let leads = std::mem::replace(&mut s.leads, false);
            s.left.clone_from(&s.group);
            (
                s.me.clone(),
                s.group.take(),
                s.lead.take(),
                s.channel.take(),
                leads,
            )
        }) else {
            return;
        };
        if leads {
            if let (Some(Lead::Stored { .. }), Some(group)) = (&lead, &group) {
                release_lease(group, &me);
            }
            if let Some(ch) = &channel {
                ch.post(&Message::Bye);
            }
        }
        // Dropping the lock releases it (or gives up waiting for it); the channel closes.
        drop(lead);
        drop(channel);
        self.leader.try_set(false);
        self.hold(false);
    }

    /// The page's pace (visibility, network), applied while this tab leads.
    pub fn set_pace(self, pace: Pace) {
        let leads = self
            .state
            .try_update_value(|s| {
                s.pace = pace;
                s.leads
            })
            .unwrap_or(false);
        if leads {
            let _ = self.driver.command(Command::Pace(pace));
        }
    }

    /// A user's intent: carried out here when this tab leads, else checked here and sent to
    /// the leader.
    pub fn intend(self, cmd: Command) -> Result<Started, Refusal> {
        let alone = self.state.try_with_value(|s| s.channel.is_none()) != Some(false);
        if self.leads() || alone {
            return self.driver.command(cmd);
        }
        // What this tab shows is what the leader shares: vigil-core's own checks, here, spare
        // a round trip for what the leader would refuse.
        self.driver
            .view(|v| Some(v.check(&cmd)))
            .unwrap_or(Ok(()))?;
        self.post(&Message::Intent(cmd));
        Ok(Started::Nothing)
    }

    fn set_role(self, leads: bool) {
        let Some((was, pace)) = self
            .state
            .try_update_value(|s| (std::mem::replace(&mut s.leads, leads), s.pace))
        else {
            return;
        };
        if was == leads {
            return;
        }
        self.leader.set(leads);
        self.hold(leads);
        if leads {
            let _ = self.driver.command(Command::TakeOver);
            let _ = self.driver.command(Command::Pace(pace));
        } else {
            let _ = self.driver.command(Command::Pace(Pace::Follower));
            self.post(&Message::Hello);
        }
    }

    /// Notes what this tab holds while it leads, for [`abandon`].
    fn hold(self, leads: bool) {
        let held = leads
            .then(|| {
                self.state.try_with_value(|s| {
                    Some(Held {
                        group: s.group.clone()?,
                        me: s.me.clone(),
                        lock: match &s.lead {
                            Some(Lead::Lock { _lock }) => Some(_lock.release.clone()),
                            _ => None,
                        },
                    })
                })
            })
            .flatten()
            .flatten();
        HELD.with(|h| {
            if let Ok(mut h) = h.try_borrow_mut() {
                *h = held;
            }
        });
    }

    /// The localStorage lease: renews or claims it, and follows what it says.
    fn elect(self) {
        let now = crate::now_ms();
        let Some((me, Some(group))) = self
            .state
            .try_with_value(|s| (s.me.clone(), s.group.clone()))
        else {
            return;
        };
        if let Some(lease) = election::claim(read_lease(&group).as_ref(), &me, now) {
            write_lease(&group, &lease);
        }
        self.set_role(election::leads(read_lease(&group).as_ref(), &me, now));
    }

    fn post(self, msg: &Message) {
        self.state.try_with_value(|s| {
            if let Some(ch) = &s.channel {
                ch.post(msg);
            }
        });
    }

    fn on_message(self, msg: Message) {
        let leads = self.leads();
        match msg {
            Message::Share(share) if !leads => {
                let _ = self.driver.command(Command::Mirror(share));
            }
            Message::Intent(cmd) if leads && cmd.crosses_tabs() => {
                let _ = self.driver.command(cmd);
            }
            Message::Hello if leads => {
                let _ = self.driver.command(Command::ShareAll);
            }
            Message::Bye if !leads => {
                let stored = self
                    .state
                    .try_with_value(|s| matches!(s.lead, Some(Lead::Stored { .. })));
                if stored == Some(true) {
                    self.elect();
                }
            }
            _ => {}
        }
    }
}

// ----- the channel --------------------------------------------------------------------------

/// The group's channel and its listener; dropping it closes the channel.
struct Channel {
    channel: BroadcastChannel,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    fn open(group: &str, mut on_message: impl FnMut(Message) + 'static) -> Option<Channel> {
        let channel = BroadcastChannel::new(&channel_name(group)).ok()?;
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // Anything unreadable (another version's tab) is ignored.
            if let Some(msg) = ev
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str(&t).ok())
            {
                on_message(msg);
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Channel {
            channel,
            _listener: listener,
        })
    }

    /// Sends `msg`; one that cannot be serialised (it would carry credentials) is not sent.
    fn post(&self, msg: &Message) {
        if let Ok(text) = serde_json::to_string(msg) {
            let _ = self.channel.post_message(&text.into());
        }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

// ----- the Web Locks lease --------------------------------------------------------------------

/// A request for a Web Lock, then the lock held: dropping it gives up waiting, or releases it.
/// Called through `Reflect` (web-sys gates `LockManager` behind `web_sys_unstable_apis`).
struct WebLock {
    abort: AbortController,
    /// Resolves the promise the lock is held with.
    release: Rc<RefCell<Option<Function>>>,
    _granted: Closure<dyn FnMut(JsValue) -> Promise>,
}

impl WebLock {
    /// `None` where the browser has no Web Locks.
    fn request(name: &str, on_granted: impl Fn() + 'static) -> Option<WebLock> {
        let navigator = web_sys::window()?.navigator();
        let locks = Reflect::get(&navigator, &"locks".into())
            .ok()
            .filter(JsValue::is_object)?;
        let request: Function = Reflect::get(&locks, &"request".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let abort = AbortController::new().ok()?;
        let options = Object::new();
        Reflect::set(&options, &"signal".into(), &abort.signal()).ok()?;
        let release = Rc::new(RefCell::new(None::<Function>));
        let held = release.clone();
        let granted = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
            let promise = Promise::new(&mut |resolve, _| *held.borrow_mut() = Some(resolve));
            on_granted();
            promise
        });
        let pending = request
            .call3(
                &locks,
                &name.into(),
                &options,
                granted.as_ref().unchecked_ref(),
            )
            .ok()?;
        // A request given up while waiting rejects: expected, not an error to report.
        if let Ok(p) = pending.dyn_into::<Promise>() {
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = p.catch(&ignore);
            ignore.forget();
        }
        Some(WebLock {
            abort,
            release,
            _granted: granted,
        })
    }
}

impl Drop for WebLock {
    fn drop(&mut self) {
        self.abort.abort();
        if let Some(resolve) = self.release.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

// ----- the localStorage lease -----------------------------------------------------------------

fn lease_key(group: &str) -> String {
    format!("vigil.leader.v1.{group}")
}

fn read_lease(group: &str) -> Option<Lease> {
    let text = crate::storage::local()?
        .get_item(&lease_key(group))
        .ok()??;
    serde_json::from_str(&text).ok()
}

fn write_lease(group: &str, lease: &Lease) {
    if let (Some(s), Ok(text)) = (crate::storage::local(), serde_json::to_string(lease)) {
        let _ = s.set_item(&lease_key(group), &text);
    }
}

/// Gives the lease up, if it is `me`'s.
fn release_lease(group: &str, me: &str) {
    if read_lease(group).is_some_and(|l| l.holder == me) {
        if let Some(s) = crate::storage::local() {
            let _ = s.remove_item(&lease_key(group));
        }
    }
}
