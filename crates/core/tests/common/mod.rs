//! A virtual world for tests: vigil-core's [`Engine`] talking to vigil-sim, the independent
//! simulator written from the contract sheets, on one virtual clock with a 50 ms round trip.
#![allow(dead_code)]

pub mod create;
pub mod drive;
pub mod guard;
pub mod net;
pub mod points;
pub mod scripted;
pub mod vol;

#[allow(unused_imports)]
pub use create::spec_from_catalogue;
pub use drive::Drive;
use vigil_core::{
    Action, ConnectionConfig, Credentials, DialectKind, Engine, HttpRequest, HttpResponse,
    ListState, Millis, NetError, Operation, Vm,
};

pub const T0: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z
pub const RTT: Millis = 50;

pub struct World {
    pub sim: vigil_sim::Sim,
    pub engine: Engine,
    pub now: Millis,
    /// Every request the engine sent, as `METHOD url`.
    pub sent: Vec<String>,
    /// When each of `sent` went out.
    pub sent_at: Vec<Millis>,
    /// The body of each of `sent` (empty when none).
    pub bodies: Vec<String>,
    /// Answers with status 429.
    pub throttled: usize,
    pub conn: String,
}

pub fn to_sim(req: &HttpRequest) -> vigil_sim::Request {
    vigil_sim::Request {
        method: req.method.as_str().to_string(),
        url: req.url.clone(),
        headers: req.headers.clone(),
        body: req.body.clone().unwrap_or_default(),
    }
}

pub fn from_sim(reply: vigil_sim::Reply) -> Result<HttpResponse, NetError> {
    match reply {
        vigil_sim::Reply::Response(r) => Ok(HttpResponse {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }),
        vigil_sim::Reply::Dropped => Err(NetError("connection dropped".into())),
    }
}

pub fn scenario(seed: u64, failure_rate: f64) -> vigil_sim::Scenario {
    vigil_sim::Scenario {
        seed,
        vms: 12,
        failure_rate,
        speed: 1.0,
    }
}

impl World {
    /// One connection of `dialect` with the simulator's demo credentials, listed.
    pub fn new(dialect: DialectKind, scenario: vigil_sim::Scenario) -> World {
        Self::with_credentials(dialect, scenario, vigil_core::demo::credentials(dialect))
    }

    pub fn with_credentials(
        dialect: DialectKind,
        scenario: vigil_sim::Scenario,
        credentials: Credentials,
    ) -> World {
        let mut w = World {
            sim: vigil_sim::Sim::new(scenario, T0 as u64),
            engine: Engine::new("t"),
            now: T0,
            sent: Vec::new(),
            sent_at: Vec::new(),
            bodies: Vec::new(),
            throttled: 0,
            conn: "c".into(),
        };
        w.engine.add(
            ConnectionConfig {
                id: "c".into(),
                name: dialect.label().into(),
                dialect,
                base_url: format!("http://127.0.0.1:8787{}", vigil_core::demo::prefix(dialect)),
                credentials,
                demo: false,
            },
            T0,
        );
        w.run_until(60_000, |e| {
            !matches!(e.list_state("c"), Some(ListState::Loading))
        });
        w
    }

    /// Sends what is due now, answers it after one round trip, and moves the clock to the
    /// engine's next wake-up. Returns false when the engine has nothing scheduled.
    pub fn step(&mut self) -> bool {
        self.step_with(&mut |_| None)
    }

    /// As [`World::step`], where `script` may answer a request in the simulator's place (a
    /// provider's answer the simulator does not give).
    pub fn step_with(
        &mut self,
        script: &mut dyn FnMut(&HttpRequest) -> Option<HttpResponse>,
    ) -> bool {
        let out = self.engine.round(self.now);
        let answered_at = self.now + RTT;
        for o in out {
            self.sent.push(o.request.describe());
            self.sent_at.push(self.now);
            self.bodies.push(o.request.body.clone().unwrap_or_default());
            if let Some(resp) = script(&o.request) {
                self.engine.answer(o.token, Ok(resp), answered_at);
                continue;
            }
            let reply = self.sim.handle(&to_sim(&o.request), self.now as u64);
            if reply.response().is_some_and(|r| r.status == 429) {
                self.throttled += 1;
            }
            self.engine.answer(o.token, from_sim(reply), answered_at);
        }
        self.now = answered_at;
        match self.engine.wake() {
            Some(t) => {
                self.now = self.now.max(t);
                true
            }
            None => false,
        }
    }

    /// Steps until `done` holds, at most `max_ms` of virtual time.
    pub fn run_until(&mut self, max_ms: Millis, done: impl Fn(&Engine) -> bool) {
        let end = self.now + max_ms;
        while !done(&self.engine) {
            assert!(
                self.now <= end,
                "not done within {max_ms} ms of virtual time"
            );
            if !self.step() {
                assert!(
                    done(&self.engine),
                    "engine went idle before the condition held"
                );
                return;
            }
        }
    }

    /// The page reloads at `now`: a fresh engine on the same connection and the same simulated
    /// provider, listed again (nothing carried over: the caller imports what it kept).
    pub fn reload(&mut self, now: Millis) {
        let cfg = self
            .engine
            .view()
            .connections()
            .find(|c| c.id == self.conn.as_str())
            .cloned()
            .expect("the connection");
        self.now = self.now.max(now);
        self.engine = Engine::new(format!("r{}", self.now));
        self.engine.add(cfg, self.now);
    }

    pub fn vms(&self) -> Vec<Vm> {
        self.engine.vms(&self.conn)
    }

    /// The first VM for which `pred` holds.
    pub fn vm_where(&self, pred: impl Fn(&Vm) -> bool) -> Vm {
        self.vms()
            .into_iter()
            .find(|v| pred(v))
            .expect("a VM matching the condition")
    }

    /// Loads the connection's catalogues (the create form's, the rebuild and resize pickers')
    /// and runs until they are in.
    pub fn load_catalogue(&mut self) {
        let conn = self.conn.clone();
        let cmd = vigil_core::Command::LoadCatalogue {
            conn: conn.as_str().into(),
            region: None,
        };
        self.engine.cmd(cmd, self.now).unwrap();
        self.run_until(60_000, |e| {
            e.view()
                .catalogue(&conn.as_str().into())
                .is_some_and(|c| c.is_loaded())
        });
    }

    /// Starts `action` on `vm_id` and runs until the operation leaves the open phases.
    pub fn run_op(&mut self, vm_id: &str, action: Action) -> Operation {
        let id = self
            .engine
            .start(&self.conn.clone(), vm_id, action, self.now)
            .expect("action allowed");
        self.run_until(60 * 60_000, |e| !e.op(&id).is_open());
        self.engine.op(&id)
    }

    pub fn count_sent(&self, needle: &str) -> usize {
        self.sent.iter().filter(|s| s.contains(needle)).count()
    }
}

/// An ONETSolutions instance as the simulator's own API shows it, read with serde alone (not
/// vigil-core's parser).
#[allow(dead_code)]
pub fn onet_instance(w: &mut World, vm: &str) -> serde_json::Value {
    let d = DialectKind::OnetSolutions;
    let url = format!(
        "http://127.0.0.1:8787{}/compute/instances/{vm}",
        vigil_core::demo::prefix(d)
    );
    let vigil_core::Credentials::Bearer { token } = vigil_core::demo::credentials(d) else {
        panic!("ONETSolutions takes a bearer token")
    };
    let req =
        vigil_sim::Request::get(&url).with_header("Authorization", &format!("Bearer {token}"));
    let resp = w.sim.handle(&req, w.now as u64).unwrap();
    assert_eq!(resp.status, 200, "{}", resp.body);
    serde_json::from_str(&resp.body).expect("JSON")
}
