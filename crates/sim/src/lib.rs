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
//! Demo credentials: HTTP Basic `demo@vigil.test` / `demo` (cloudsfor, Hostway; cloudsfor also
//! has `trial@vigil.test` / `trial`, a demo-mode account that refuses snapshots), bearer token
//! `demo-token` (ZennoHosting, ONETSolutions), `ES-API-KEY: demo-key` or the login flow with
//! `demo` / `demo` (Erigones).

// Helpers shared with the dialects still being written.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{json, Value};

mod cloudsfor;
mod fleet;
mod util;

pub use util::{b64encode, iso};

use util::{json_response, parse_url, Ctx, Env};

/// Base paths of the simulated providers, one per dialect.
pub const PREFIXES: [(&str, &str); 1] = [("cloudsfor", cloudsfor::PREFIX)];

/// Demo credentials, for printing and for clients.
pub const DEMO_EMAIL: &str = "demo@vigil.test";
pub const DEMO_PASSWORD: &str = "demo";
pub const TRIAL_EMAIL: &str = "trial@vigil.test";
pub const TRIAL_PASSWORD: &str = "trial";
pub const DEMO_TOKEN: &str = "demo-token";
pub const DEMO_ES_API_KEY: &str = "demo-key";

/// One HTTP request. `url` is a path (`/cloudsfor/api/v1/vms?page=1`) or an absolute URL
/// (`http://127.0.0.1:8787/…`, `demo://x/…`); scheme and authority are ignored for routing but
/// reused to build absolute links. Header names are matched case-insensitively.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn new(method: &str, url: &str) -> Request {
        Request {
            method: method.to_string(),
            url: url.to_string(),
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn get(url: &str) -> Request {
        Request::new("GET", url)
    }

    pub fn post(url: &str, body: &str) -> Request {
        Request::new("POST", url).with_body(body)
    }

    pub fn put(url: &str, body: &str) -> Request {
        Request::new("PUT", url).with_body(body)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn with_body(mut self, body: &str) -> Request {
        self.body = body.to_string();
        if !body.is_empty() && util::header(&self.headers, "content-type").is_none() {
            self.headers
                .push(("Content-Type".to_string(), "application/json".to_string()));
        }
        self
    }

    /// Adds `Authorization: Basic base64(user:password)`.
    pub fn basic(self, user: &str, password: &str) -> Request {
        let v = format!(
            "Basic {}",
            b64encode(format!("{user}:{password}").as_bytes())
        );
        self.with_header("Authorization", &v)
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Request {
        let v = format!("Bearer {token}");
        self.with_header("Authorization", &v)
    }
}

/// One HTTP response. Bodies are JSON unless a fault made them malformed, or empty (Hostway 202).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        util::header(&self.headers, name)
    }

    /// The body parsed as JSON (`None` when empty or malformed).
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    pub(crate) fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value));
    }
}

/// What the simulated server did with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Response(Response),
    /// The connection was dropped without an answer (fault injection).
    Dropped,
}

impl Reply {
    pub fn response(&self) -> Option<&Response> {
        match self {
            Reply::Response(r) => Some(r),
            Reply::Dropped => None,
        }
    }

    /// The response; panics on [`Reply::Dropped`] (handy in tests).
    pub fn unwrap(self) -> Response {
        match self {
            Reply::Response(r) => r,
            Reply::Dropped => panic!("connection dropped"),
        }
    }
}

/// What the simulated world looks like.
#[derive(Clone, Debug, PartialEq)]
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
    fn prefix(&self) -> &'static str;
    /// Apply every state change due at or before `now`.
    fn advance(&mut self, now: u64);
    /// Answer one request (already advanced to `ctx.now`); returns the endpoint label for stats.
    fn handle(&mut self, ctx: &Ctx) -> (String, Response);
    /// An error in this dialect's shape.
    fn error(&self, status: u16, message: &str) -> Response;
    fn env_mut(&mut self) -> &mut Env;
}

#[derive(Default, Debug)]
struct DialectStats {
    requests: u64,
    endpoints: BTreeMap<String, u64>,
    statuses: BTreeMap<u16, u64>,
}

/// All simulated providers, on one virtual clock.
pub struct Sim {
    scenario: Scenario,
    start_ms: u64,
    last_now: u64,
    dialects: Vec<Box<dyn Dialect>>,
    stats: BTreeMap<&'static str, DialectStats>,
    unrouted: u64,
}

impl Sim {
    /// A fresh world generated from `scenario`, its virtual clock starting at `start_ms`.
    pub fn new(scenario: Scenario, start_ms: u64) -> Sim {
        let dialects: Vec<Box<dyn Dialect>> =
            vec![Box::new(cloudsfor::Cloudsfor::new(&scenario, start_ms))];
        Sim {
            scenario,
            start_ms,
            last_now: start_ms,
            dialects,
            stats: BTreeMap::new(),
            unrouted: 0,
        }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn start_ms(&self) -> u64 {
        self.start_ms
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
            let p = d.prefix();
            url.path == p || url.path.starts_with(&format!("{p}/"))
        }) else {
            self.unrouted += 1;
            let known: Vec<&str> = self.dialects.iter().map(|d| d.prefix()).collect();
            return Reply::Response(json_response(
                404,
                &json!({"error": "not_found", "message": format!("no simulated provider serves {}; prefixes: {}", url.path, known.join(", "))}),
            ));
        };
        let d = &mut self.dialects[di];
        let rest = &url.path[d.prefix().len()..];
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
        let (endpoint, resp) = d.handle(&ctx);
        let st = self.stats.entry(d.name()).or_default();
        st.requests += 1;
        *st.endpoints.entry(endpoint).or_default() += 1;
        *st.statuses.entry(resp.status).or_default() += 1;
        Reply::Response(resp)
    }

    /// Request counts per dialect, endpoint and status code.
    pub fn stats(&self) -> Value {
        let mut dialects = serde_json::Map::new();
        let mut total = 0;
        for d in &self.dialects {
            let s = self.stats.get(d.name());
            let requests = s.map(|s| s.requests).unwrap_or(0);
            total += requests;
            let endpoints: serde_json::Map<String, Value> = s
                .map(|s| {
                    s.endpoints
                        .iter()
                        .map(|(k, v)| (k.clone(), json!(v)))
                        .collect()
                })
                .unwrap_or_default();
            let statuses: serde_json::Map<String, Value> = s
                .map(|s| {
                    s.statuses
                        .iter()
                        .map(|(k, v)| (k.to_string(), json!(v)))
                        .collect()
                })
                .unwrap_or_default();
            dialects.insert(
                d.name().to_string(),
                json!({"prefix": d.prefix(), "requests": requests, "endpoints": endpoints, "statuses": statuses}),
            );
        }
        json!({
            "total": total + self.unrouted,
            "unrouted": self.unrouted,
            "now": iso(self.last_now),
            "scenario": {
                "seed": self.scenario.seed,
                "vms": self.scenario.vms,
                "failure_rate": self.scenario.failure_rate,
                "speed": self.scenario.speed,
            },
            "dialects": dialects,
        })
    }
}
