//! The wire between the engine and vigil-sim, on one virtual clock, driven as the page's driver
//! drives it (time passes, every request due goes out, answers come back, events are handed
//! over). Requests reach the simulator when they are sent; their answers come back a round trip
//! later — plus the simulator's own latency, plus the wire's jitter — or never, and may come
//! spoiled. What the leading tab saves goes to a store (the page's `localStorage`) and what it
//! shares to a following tab, through the JSON they cross in; a reload or a handover starts from
//! those alone.

use std::collections::BTreeMap;

use vigil_core::saved::{self, MemoryStore};
use vigil_core::{
    Command, ConnectionConfig, Engine, Event, HttpResponse, Method, Millis, NetError, Pace, Token,
    Transmit,
};

use super::hostile::{self, Spoil, SPOILS};
use super::Rng;
use crate::common::{from_sim, to_sim, World, RTT};

/// The page's driver never sleeps less than this between two pumps.
const MIN_SLEEP: Millis = 10;

/// What the wire does to requests and answers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Net {
    /// Share of answers that never come; half of those requests never reach the provider.
    pub lost: f64,
    /// Each answer is held back up to this long more: later answers overtake earlier ones.
    pub jitter: Millis,
    /// Share of answers spoiled with a hostile value (or replaced by a hostile refusal).
    pub hostile: f64,
    /// Share of the answers to writes whose ids (a task's, a new VM's) come back garbled.
    pub garble: f64,
}

type Reply = Result<HttpResponse, NetError>;

/// A request the engine sent, and the status of the answer it was given (none: no answer).
#[derive(Clone, Debug)]
pub struct Sent {
    pub at: Millis,
    /// Anything but a `GET`.
    pub write: bool,
    pub url: String,
    pub body: String,
    pub answered: Option<u16>,
    /// A `429` holds the connection back: from its delivery for its `Retry-After` (the longest
    /// wait the engine takes where that is no number it can use).
    pub holds: Option<(Millis, Millis)>,
}

/// How long a `429` may hold the connection back: its `Retry-After` in seconds, else as long as
/// the engine ever waits.
fn hold(r: &HttpResponse) -> Millis {
    let cap = vigil_core::error::MAX_RETRY_AFTER;
    r.header("retry-after")
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map_or(cap, |s| (Millis::from(s) * 1_000).min(cap))
}

/// An answer on its way: to whom, what, and which request it answers.
struct Pending {
    token: Token,
    reply: Reply,
    sent: usize,
}

pub struct Wire {
    /// The simulator, the leading engine and the clock.
    pub w: World,
    /// A following tab, where one is open.
    pub follower: Option<Engine>,
    /// What the leading tabs saved, entry by entry.
    pub store: MemoryStore,
    net: Net,
    rng: Rng,
    /// Answers on their way, by when they arrive.
    pending: BTreeMap<(Millis, u64), Pending>,
    /// Every request sent, in order.
    pub log: Vec<Sent>,
    seq: u64,
    pub requests: usize,
    /// What the wire did: answers lost, spoiled, refused in the provider's stead, overtaken.
    pub hits: usize,
    /// The newest request whose answer was delivered (an older one delivered after it was
    /// overtaken).
    delivered: u64,
    pub reloads: u32,
    pub handovers: u32,
    /// Engines made so far (their ids must not collide).
    tabs: u32,
}

impl Wire {
    /// `w`, listed already, from now on behind `net`.
    pub fn new(w: World, net: Net, seed: u64) -> Wire {
        Wire {
            w,
            follower: None,
            store: MemoryStore::default(),
            net,
            rng: Rng::new(seed),
            pending: BTreeMap::new(),
            log: Vec::new(),
            seq: 0,
            requests: 0,
            hits: 0,
            delivered: 0,
            reloads: 0,
            handovers: 0,
            tabs: 0,
        }
    }

    pub fn now(&self) -> Millis {
        self.w.now
    }

    pub fn engine(&self) -> &Engine {
        &self.w.engine
    }

    /// Carries out a user's command in the leading tab.
    pub fn command(
        &mut self,
        c: Command,
    ) -> Result<vigil_core::engine::Started, vigil_core::Refusal> {
        let r = self.w.engine.handle_command(c, self.w.now);
        self.events();
        r
    }

    /// Moves the clock to the next thing that happens — an answer arriving, the engine's
    /// wake-up — and lets it happen. False when nothing ever will.
    pub fn step(&mut self) -> bool {
        let now = self.w.now;
        let wake = self.w.engine.poll_timeout().map(|t| t.max(now + MIN_SLEEP));
        let next = self.pending.keys().next().map(|&(t, _)| t);
        let Some(t) = wake.into_iter().chain(next).min() else {
            return false;
        };
        self.w.now = now.max(t);
        while let Some(entry) = self.pending.first_entry() {
            if entry.key().0 > self.w.now {
                break;
            }
            let seq = entry.key().1;
            let p = entry.remove();
            self.hits += usize::from(seq < self.delivered);
            self.delivered = self.delivered.max(seq);
            if let Ok(r) = &p.reply {
                let sent = &mut self.log[p.sent];
                sent.answered = Some(r.status);
                if r.status == 429 {
                    let now = self.w.now;
                    sent.holds = Some((now, now + hold(r)));
                }
            }
            self.w.engine.handle_response(p.token, p.reply, self.w.now);
        }
        self.w.engine.handle_timeout(self.w.now);
        while let Some(t) = self.w.engine.poll_transmit(self.w.now) {
            self.carry(t);
        }
        self.events();
        true
    }

    /// One request: to the provider (or not), its answer on its way back (or not).
    fn carry(&mut self, t: Transmit) {
        let now = self.w.now;
        self.requests += 1;
        let request = to_sim(&t.request);
        let write = t.request.method != Method::Get;
        self.log.push(Sent {
            at: now,
            write,
            url: request.url.clone(),
            body: request.body.clone(),
            answered: None,
            holds: None,
        });
        if self.rng.chance(self.net.lost) {
            self.hits += 1;
            // Never answered: the request got there, or it did not.
            if self.rng.chance(0.5) {
                self.w.sim.handle(&request, now as u64);
            }
            return;
        }
        let spoil = self
            .rng
            .chance(self.net.hostile)
            .then(|| self.rng.below(SPOILS.len() as u64 + 1) as usize);
        let pick = self.rng.next_u64();
        let refused = spoil == Some(SPOILS.len());
        let mut reply = if refused {
            self.hits += 1;
            Ok(self.refused(&request))
        } else {
            from_sim(self.w.sim.handle(&request, now as u64))
        };
        let mut delay = RTT + self.rng.below(self.net.jitter as u64 + 1) as Millis;
        if let Ok(r) = &mut reply {
            if let Some(i) = r
                .headers
                .iter()
                .position(|(k, _)| k.eq_ignore_ascii_case(vigil_sim::DELAY_HEADER))
            {
                delay += r.headers.remove(i).1.parse::<Millis>().unwrap_or(0);
            }
            if refused {
                hostile::refusal(r, pick);
            }
            if let Some(&how) = spoil.and_then(|i| SPOILS.get(i)) {
                self.hits += usize::from(hostile::spoil(r, how, write, pick));
            }
            if write && self.rng.chance(self.net.garble) {
                self.hits += usize::from(hostile::spoil(r, Spoil::Ids, true, pick));
            }
        }
        self.seq += 1;
        let p = Pending {
            token: t.token,
            reply,
            sent: self.log.len() - 1,
        };
        self.pending.insert((now + delay, self.seq), p);
    }

    /// The provider's own `429` for `request` (not applied): its throttle fault on for it alone.
    fn refused(&mut self, request: &vigil_sim::Request) -> HttpResponse {
        let faults = self.w.sim.faults().clone();
        let throttle = vigil_sim::Faults {
            throttle: 1.0,
            ..vigil_sim::Faults::none()
        };
        self.w.sim.set_faults(throttle);
        let reply = self.w.sim.handle(request, self.w.now as u64);
        self.w.sim.set_faults(faults);
        from_sim(reply).unwrap_or_else(|_| HttpResponse::new(429, "{}"))
    }

    /// Hands over what the leading tab told: saves to the store, shares to the following tab.
    fn events(&mut self) {
        let now = self.w.now;
        while let Some(e) = self.w.engine.poll_event() {
            match e {
                Event::Save(s) => {
                    let errors = saved::write(&mut self.store, &s);
                    assert!(errors.is_empty(), "every entry kept: {errors:?}");
                }
                Event::Share(s) => {
                    if let Some(f) = self.follower.as_mut() {
                        let text = serde_json::to_string(&s).expect("a share crosses tabs");
                        let s = serde_json::from_str(&text).expect("and reads back");
                        f.handle_command(Command::Mirror(s), now)
                            .expect("a following tab mirrors");
                    }
                }
                _ => {}
            }
        }
        if let Some(f) = self.follower.as_mut() {
            while f.poll_event().is_some() {}
        }
    }

    fn config(&self) -> ConnectionConfig {
        let view = self.w.engine.view();
        view.connections().next().cloned().expect("the connection")
    }

    fn new_tab(&mut self, kind: &str) -> Engine {
        self.tabs += 1;
        Engine::new(format!("{kind}{}", self.tabs))
    }

    /// The page reloads: what was on its way to it is lost; a new engine starts from the
    /// connection and what the store kept.
    pub fn reload(&mut self) {
        let now = self.w.now;
        self.pending.clear();
        self.reloads += 1;
        let mut e = self.new_tab("r");
        e.handle_command(Command::AddConnection(self.config()), now)
            .expect("the connection");
        let loaded = saved::load(&self.store);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        e.handle_command(Command::Import(loaded.state), now)
            .expect("an import");
        self.w.engine = e;
        self.events();
    }

    /// A tab opens and follows the leading one.
    pub fn join(&mut self) {
        let now = self.w.now;
        let mut f = self.new_tab("f");
        f.handle_command(Command::Pace(Pace::Follower), now)
            .expect("a pace");
        f.handle_command(Command::AddConnection(self.config()), now)
            .expect("the connection");
        self.follower = Some(f);
        self.w
            .engine
            .handle_command(Command::ShareAll, now)
            .expect("a share");
        self.events();
    }

    /// The leading tab closes (what was on its way to it is lost); the following tab takes
    /// over, and another tab opens to follow it.
    pub fn hand_over(&mut self) {
        let now = self.w.now;
        let mut f = self.follower.take().expect("a following tab");
        self.pending.clear();
        self.handovers += 1;
        f.handle_command(Command::TakeOver, now)
            .expect("takes over");
        f.handle_command(Command::Pace(Pace::Foreground), now)
            .expect("a pace");
        self.w.engine = f;
        self.events();
        self.join();
    }
}
