//! # vigil-sim — provider simulators on a virtual clock
//!
//! An independent implementation of the five provider contract sheets (`shared/providers/*.md`),
//! used as the in-page demo provider and as the test double behind `vigil-sim-server`.
//!
//! * Every dialect lives behind its URL prefix (see [`PREFIXES`]).
//! * Time is virtual: the caller passes `now_ms` (epoch milliseconds) to every [`Sim::handle`];
//!   state evolves lazily up to that instant. Same [`Scenario`] + same requests at the same
//!   instants → byte-identical answers.
//! * Durations and outcomes come from a seeded SplitMix64; nothing reads the real clock.
//!
//! * VM lifecycle, per each sheet's "VM lifecycle", "Catalogues for the create form" and "IP
//!   addresses" sections: creates (~100 s median, ×0.6–1.6, failing at the scenario's
//!   `failure_rate`), deletes (~20–30 s; cloudsfor's is immediate), the create form's catalogues
//!   (fixed per seed; a create naming anything else is refused) and addresses on every VM,
//!   unique in a world. The dialect modules' docs list every endpoint, code and choice.
//! * Ground truth, never sent: [`Sim::completions`] (every accepted action, creates and deletes
//!   included, with when and how it really ends) and [`Sim::vm_fact`] / [`Sim::vm_facts`] (where
//!   each VM stands now: [`VmState`]).
//!
//! Demo credentials: HTTP Basic `demo@vigil.test` / `demo` (cloudsfor, Hostway; cloudsfor also
//! has `trial@vigil.test` / `trial`, a demo-mode account that refuses snapshots and is at its
//! `vm_limit` of 3), bearer token `demo-token` (ZennoHosting, ONETSolutions), `ES-API-KEY:
//! demo-key` or the login flow with `demo` / `demo` (Erigones, a DC admin). Erigones also has a
//! VM owner that is no admin: `ES-API-KEY: owner-key`, or login `owner` / `owner`
//! ([`OWNER_ES_API_KEY`]): it sees and runs only its own VMs (a third of the seeded ones) and
//! gets `403` for creates, deletes, disk/NIC definitions and the template, image and network
//! catalogues.

use std::collections::BTreeMap;

use serde_json::json;

mod cloudsfor;
mod erigones;
mod faults;
mod fleet;
mod hostway;
mod message;
mod net;
mod netfacts;
mod onet;
mod stats;
mod truth;
mod util;
mod wire;
pub mod worker;
mod zenno;

pub use faults::Faults;
pub use message::{Reply, Request, Response};
pub use netfacts::{
    Attachment, ConsoleFact, FirewallRule, ForwardFact, NetworkFact, PublicIpFact, ResState,
    VolumeFact,
};
pub use truth::{Completion, PointFact, PointKind, PointState, VmFact, VmState};
pub use util::{b64encode, iso};

use stats::{DialectStats, FaultStats};
use util::{json_response, parse_url, Ctx, Env, Rng};

/// Base paths of the simulated providers: `(dialect name, base path)`.
pub const PREFIXES: [(&str, &str); 5] = [
    ("zennohosting", zenno::PREFIX),
    ("cloudsfor", cloudsfor::PREFIX),
    ("erigones", erigones::PREFIX),
    ("onetsolutions", onet::PREFIX),
    ("hostway", hostway::PREFIX),
];

/// Response header carrying the latency a fault asked for (ms); servers sleep on it and strip it.
pub const DELAY_HEADER: &str = "x-sim-delay-ms";

/// The assumed numbers, for documentation and clients.
pub mod limits {
    /// cloudsfor: requests per hour and per minute per account (DigitalOcean's published limits).
    pub const CLOUDSFOR_PER_HOUR: usize = crate::cloudsfor::LIMIT_PER_HOUR;
    pub const CLOUDSFOR_PER_MINUTE: usize = crate::cloudsfor::LIMIT_PER_MINUTE;
    /// cloudsfor: share of non-errored shutdowns the guest ignores (VM stays running).
    pub const CLOUDSFOR_SHUTDOWN_IGNORED: f64 = crate::cloudsfor::SHUTDOWN_IGNORED_RATE;
    /// ZennoHosting: requests per minute per token (assumed).
    pub const ZENNO_PER_MINUTE: usize = crate::zenno::LIMIT_PER_MINUTE;
    /// Erigones: a finished task answers 404 after this long (assumed).
    pub const ERIGONES_TASK_EXPIRY_MS: u64 = crate::erigones::TASK_EXPIRY_MS;
    /// Erigones: login token lifetime (documented 1 h).
    pub const ERIGONES_TOKEN_TTL_MS: u64 = crate::erigones::TOKEN_TTL_MS;
    /// Erigones: share of graceful stops/reboots the guest ignores (forced after `timeout`).
    pub const ERIGONES_GUEST_IGNORES: f64 = crate::erigones::GUEST_IGNORES_RATE;
    /// ONETSolutions: documented 1000 requests/min, bursts of 100/s.
    pub const ONET_PER_MINUTE: usize = crate::onet::LIMIT_PER_MINUTE;
    pub const ONET_PER_SECOND: usize = crate::onet::LIMIT_PER_SECOND;
    /// ONETSolutions: `max_retries` of every task, and the share of tasks retried once.
    pub const ONET_MAX_RETRIES: u32 = crate::onet::MAX_RETRIES;
    pub const ONET_RETRY_RATE: f64 = crate::onet::RETRY_RATE;
    /// Erigones: manual snapshots a VM may hold (`snapshot_limit_manual`, assumed value).
    pub const ERIGONES_SNAPSHOT_LIMIT_MANUAL: usize = crate::erigones::SNAPSHOT_LIMIT_MANUAL;
    /// Hostway: snapshots per server.
    pub const HOSTWAY_MAX_SNAPSHOTS: usize = crate::hostway::MAX_SNAPSHOTS;
}

/// Demo credentials, for printing and for clients.
pub const DEMO_EMAIL: &str = "demo@vigil.test";
pub const DEMO_PASSWORD: &str = "demo";
pub const TRIAL_EMAIL: &str = "trial@vigil.test";
pub const TRIAL_PASSWORD: &str = "trial";
pub const DEMO_TOKEN: &str = "demo-token";
/// A second person of the same ZennoHosting project and ONETSolutions project: what it starts
/// is "started elsewhere" (ONETSolutions tasks name it in `created_by`).
pub const COLLEAGUE_TOKEN: &str = "colleague-token";
pub const DEMO_ES_API_KEY: &str = "demo-key";
/// Erigones: a VM owner, not a DC admin (its create, delete and admin catalogue calls answer
/// `403`; it sees and runs only its own VMs). Also `POST /accounts/login/` with
/// [`OWNER_USERNAME`] / [`OWNER_PASSWORD`].
pub const OWNER_ES_API_KEY: &str = "owner-key";
pub const OWNER_USERNAME: &str = "owner";
pub const OWNER_PASSWORD: &str = "owner";

/// What the simulated world looks like.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scenario {
    pub seed: u64,
    /// VMs per dialect (and per cloudsfor account).
    pub vms: usize,
    /// Fraction of accepted actions that end failed, leaving the VM in its old state.
    pub failure_rate: f64,
    /// Divides every action duration (2.0 → twice as fast).
    pub speed: f64,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            seed: 1,
            vms: 12,
            failure_rate: 0.05,
            speed: 1.0,
        }
    }
}

/// One simulated provider dialect behind its prefix.
pub(crate) trait Dialect: Send {
    fn name(&self) -> &'static str;
    /// The documented base path.
    fn prefix(&self) -> &'static str;
    /// The path this dialect answers under (may be shorter than the base, to answer 403 for
    /// another organization/account).
    fn mount(&self) -> &'static str {
        self.prefix()
    }
    /// Apply every state change due at or before `now`.
    fn advance(&mut self, now: u64);
    /// Answer one request (already advanced to `ctx.now`); returns the endpoint label for stats.
    fn handle(&mut self, ctx: &Ctx) -> (String, Response);
    /// Whether answering `ctx` may change the world (draw a random number, start a task, use an
    /// id), whatever the answer: such requests go into [`Sim::journal`].
    fn changes_world(&self, ctx: &Ctx) -> bool {
        ctx.method != "GET"
    }
    /// An error in this dialect's shape.
    fn error(&self, status: u16, message: &str) -> Response;
    /// A 429 in this dialect's shape.
    fn throttled(&self, retry_after_s: u64) -> Response {
        let mut r = self.error(429, "Too many requests");
        r.set_header("retry-after", retry_after_s.to_string());
        r
    }
    /// Enum-valued fields and values the sheet does not list (for the unknown_enum fault).
    fn enum_fields(&self) -> &'static [(&'static str, &'static [&'static str])];
    /// Garbles the task id `resp` carries, if it carries one (the garble fault).
    fn garble_task_id(&self, _resp: &mut Response, _pick: u64) -> bool {
        false
    }
    /// Takes the faults that act inside the dialect (stuck tasks; ZennoHosting's cleared fields
    /// and reported successes that are not).
    fn apply_faults(&mut self, faults: &Faults) {
        self.env_mut().stuck_rate = faults.stuck.clamp(0.0, 1.0);
        self.env_mut().lag_ms = faults.lag_ms;
    }
    fn env(&self) -> &Env;
    fn env_mut(&mut self) -> &mut Env;
    /// Every VM this dialect ever held, gone ones included, oldest first, as of `now` (the
    /// world already advanced to it).
    fn facts(&self, now: u64) -> Vec<VmFact>;
    fn stuck_count(&self) -> u64 {
        self.env().stuck_count
    }
    /// Every snapshot and backup of the VM `vm` (id or name) as of `now`, oldest first.
    fn points(&self, _vm: &str, _now: u64) -> Vec<PointFact> {
        Vec::new()
    }
    /// The image the VM `vm` runs now, as the dialect's API names it.
    fn vm_image(&self, _vm: &str) -> Option<String> {
        None
    }
    /// The snapshot or backup the VM `vm`'s disk was last restored from (a restore that took
    /// effect), as the dialect's URLs name it.
    fn restored_from(&self, _vm: &str) -> Option<String> {
        None
    }
    /// Whether the VM `vm` has automatic backups on; `None` where the dialect has none.
    fn automatic_backups(&self, _vm: &str, _now: u64) -> Option<bool> {
        None
    }
    /// Networks, public IPs, volumes, firewalls, reverse DNS, consoles as of `now`.
    fn net_truth(&self, _now: u64) -> netfacts::NetTruth {
        netfacts::NetTruth::default()
    }
}

/// A request that may have changed the world, when it came and how it was answered: see
/// [`Sim::journal`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Written {
    pub at: u64,
    pub request: Request,
    pub status: u16,
}

/// One request's fault decisions: a fixed number of draws per request, so one fault's rate
/// never reshuffles another's.
struct Draws {
    server_error: f64,
    throttle: f64,
    drop: f64,
    after: f64,
    unknown_enum: f64,
    malformed: f64,
    pick: u64,
    latency: u64,
}

impl Draws {
    fn new(r: &mut Rng) -> Draws {
        Draws {
            server_error: r.f64(),
            throttle: r.f64(),
            drop: r.f64(),
            after: r.f64(),
            unknown_enum: r.f64(),
            malformed: r.f64(),
            pick: r.next_u64(),
            latency: r.next_u64(),
        }
    }
}

/// All simulated providers, on one virtual clock.
pub struct Sim {
    scenario: Scenario,
    /// `Some` once asked for ([`Sim::replay`]): the server and the bench keep none.
    journal: Option<Vec<Written>>,
    start_ms: u64,
    last_now: u64,
    dialects: Vec<Box<dyn Dialect>>,
    stats: BTreeMap<&'static str, DialectStats>,
    unrouted: u64,
    faults: Faults,
    fault_rng: Rng,
    /// The garble fault's own stream: drawn only while it is on, so every other decision stays.
    garble_rng: Rng,
    burst_left: Vec<u32>,
    fault_stats: FaultStats,
}

impl Sim {
    /// A fresh world generated from `scenario`, its virtual clock starting at `start_ms`.
    pub fn new(scenario: Scenario, start_ms: u64) -> Sim {
        let dialects: Vec<Box<dyn Dialect>> = vec![
            Box::new(zenno::Zenno::new(&scenario, start_ms)),
            Box::new(cloudsfor::Cloudsfor::new(&scenario, start_ms)),
            Box::new(erigones::Erigones::new(&scenario, start_ms)),
            Box::new(onet::Onet::new(&scenario, start_ms)),
            Box::new(hostway::Hostway::new(&scenario, start_ms)),
        ];
        let n = dialects.len();
        Sim {
            journal: None,
            fault_rng: Rng::derive(scenario.seed, 0xFA01_7FA0),
            garble_rng: Rng::derive(scenario.seed, 0x6A4B_1ED0),
            scenario,
            start_ms,
            last_now: start_ms,
            dialects,
            stats: BTreeMap::new(),
            unrouted: 0,
            faults: Faults::default(),
            burst_left: vec![0; n],
            fault_stats: FaultStats::default(),
        }
    }

    /// Every request that may have changed this world (anything but a `GET`, and the reads that
    /// start a task, such as Erigones' `status/current/`), in order, with when it came and the
    /// status it was answered with; empty unless the world was made by [`Sim::replay`]. A world
    /// of the same scenario and start given the same requests at the same times is the same
    /// world, as long as each is answered as before: the page keeps the journal so that its demo
    /// provider survives a reload with every task still running. (Reads leave no trace but in the
    /// rate-limit windows, which a replayed world finds fuller; faults are not replayed.)
    pub fn journal(&self) -> &[Written] {
        self.journal.as_deref().unwrap_or_default()
    }

    /// The world of [`Sim::new`] after `journal`'s requests, each at its time, keeping a journal
    /// from then on. If every request is answered as it was, `sim.journal() == journal`; if not,
    /// this is another world (the simulator changed since the journal was written).
    pub fn replay(scenario: Scenario, start_ms: u64, journal: &[Written]) -> Sim {
        let mut sim = Sim::new(scenario, start_ms);
        sim.journal = Some(Vec::with_capacity(journal.len()));
        for w in journal {
            let _ = sim.handle(&w.request, w.at);
        }
        sim
    }

    /// Same as [`Sim::new`] followed by [`Sim::set_faults`].
    pub fn with_faults(scenario: Scenario, start_ms: u64, faults: Faults) -> Sim {
        let mut s = Sim::new(scenario, start_ms);
        s.set_faults(faults);
        s
    }

    /// Switch fault injection (seeded from the scenario; takes effect from the next request).
    pub fn set_faults(&mut self, faults: Faults) {
        for d in self.dialects.iter_mut() {
            d.apply_faults(&faults);
        }
        self.faults = faults;
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Start over: the same scenario and faults, a fresh world at `start_ms`, stats cleared.
    pub fn reset(&mut self, start_ms: u64) {
        let faults = self.faults.clone();
        *self = Sim::with_faults(self.scenario.clone(), start_ms, faults);
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn start_ms(&self) -> u64 {
        self.start_ms
    }

    /// The latest virtual time seen.
    pub fn now_ms(&self) -> u64 {
        self.last_now
    }

    /// Answer one request at virtual time `now_ms` (monotonic; an earlier value is treated as
    /// the latest time already seen).
    pub fn handle(&mut self, req: &Request, now_ms: u64) -> Reply {
        let now = now_ms.max(self.last_now);
        self.last_now = now;
        for d in self.dialects.iter_mut() {
            d.advance(now);
        }
        let url = parse_url(&req.url);
        let origin = if !url.origin.is_empty() {
            url.origin.clone()
        } else if let Some(host) = util::header(&req.headers, "host") {
            format!("http://{host}")
        } else {
            String::new()
        };
        let Some(di) = self.dialects.iter().position(|d| {
            let p = d.mount();
            url.path == p || url.path.starts_with(&format!("{p}/"))
        }) else {
            self.unrouted += 1;
            let known: Vec<&str> = self.dialects.iter().map(|d| d.prefix()).collect();
            return Reply::Response(json_response(
                404,
                &json!({"error": "not_found", "message": format!("no simulated provider serves {}; prefixes: {}", url.path, known.join(", "))}),
            ));
        };
        let draws = Draws::new(&mut self.fault_rng);
        let rest = &url.path[self.dialects[di].mount().len()..];
        let ctx = Ctx {
            method: req.method.to_ascii_uppercase(),
            segs: rest
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| util::pct_decode(s, false))
                .collect(),
            trailing_slash: rest.ends_with('/'),
            query: &url.query,
            headers: &req.headers,
            body: &req.body,
            now,
            origin,
        };
        let (endpoint, mut resp) = match self.injected(di, &draws) {
            Some(answer) => answer,
            None => match self.serve(di, &ctx, req, &draws) {
                Ok(answer) => answer,
                Err(endpoint) => {
                    self.count(di, endpoint, None);
                    return Reply::Dropped;
                }
            },
        };
        let (lo, hi) = self.faults.latency_ms;
        if hi > 0 {
            let delay = lo + draws.latency % (hi - lo + 1);
            self.fault_stats.delayed += 1;
            self.fault_stats.delay_ms_total += delay;
            resp.set_header(DELAY_HEADER, delay.to_string());
        }
        self.count(di, endpoint, Some(resp.status));
        Reply::Response(resp)
    }

    /// An injected 5xx (bursts included) or 429 instead of the dialect's answer, if one is due.
    fn injected(&mut self, di: usize, draws: &Draws) -> Option<(String, Response)> {
        let (f, fs, d) = (&self.faults, &mut self.fault_stats, &self.dialects[di]);
        let pick = draws.pick;
        let in_burst = self.burst_left[di] > 0;
        if in_burst || draws.server_error < f.server_error {
            if in_burst {
                self.burst_left[di] -= 1;
            } else {
                self.burst_left[di] = (pick % f.max_burst() as u64) as u32;
            }
            fs.server_error += 1;
            let status = [500, 502, 503, 504][(pick >> 8) as usize % 4];
            let mut resp = d.error(status, "Simulated server error");
            if status == 503 {
                resp.set_header("retry-after", (1 + (pick >> 16) % 5).to_string());
            }
            return Some(("(fault) 5xx".to_string(), resp));
        }
        if draws.throttle < f.throttle {
            fs.throttle += 1;
            return Some(("(fault) 429".to_string(), d.throttled(1 + (pick >> 16) % 5)));
        }
        None
    }

    /// The dialect's answer (journaled when it may change the world), then the faults that
    /// spoil an answer; `Err(endpoint)` when the connection is dropped before or after.
    fn serve(
        &mut self,
        di: usize,
        ctx: &Ctx,
        req: &Request,
        draws: &Draws,
    ) -> Result<(String, Response), String> {
        let f = &self.faults;
        let fs = &mut self.fault_stats;
        if draws.drop < f.drop && draws.after < 0.5 {
            fs.dropped_before += 1;
            return Err("(fault) dropped".into());
        }
        let d = &mut self.dialects[di];
        let (endpoint, mut resp) = d.handle(ctx);
        if let Some(journal) = self.journal.as_mut().filter(|_| d.changes_world(ctx)) {
            journal.push(Written {
                at: ctx.now,
                request: req.clone(),
                status: resp.status,
            });
        }
        if draws.drop < f.drop {
            fs.dropped_after += 1;
            return Err(endpoint);
        }
        if f.garble > 0.0 {
            let (roll, pick) = (self.garble_rng.f64(), self.garble_rng.next_u64());
            if roll < f.garble && d.garble_task_id(&mut resp, pick) {
                fs.garbled += 1;
            }
        }
        if draws.unknown_enum < f.unknown_enum
            && faults::mutate_enum(&mut resp, d.enum_fields(), draws.pick)
        {
            fs.unknown_enum += 1;
        }
        if draws.malformed < f.malformed {
            fs.malformed += 1;
            faults::truncate_body(&mut resp);
        }
        Ok((endpoint, resp))
    }

    /// Counts one request to dialect `di` (`status`: `None` for a dropped connection).
    fn count(&mut self, di: usize, endpoint: String, status: Option<u16>) {
        let st = self.stats.entry(self.dialects[di].name()).or_default();
        st.requests += 1;
        *st.endpoints.entry(endpoint).or_default() += 1;
        if let Some(status) = status {
            *st.statuses.entry(status).or_default() += 1;
        }
    }
}
