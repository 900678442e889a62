//! One benchmark run: a fresh simulator and engine on a virtual clock, one workload, one
//! polling strategy, every request counted and every operation followed to its end.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use vigil_core::engine::Change;
use vigil_core::policy::{PollPolicy, Vigil};
use vigil_core::time::{MINUTE, SECOND};
use vigil_core::{
    Action, ActionKind, Command, ConnectionConfig, DialectKind, Engine, Event, HttpRequest,
    HttpResponse, ListState, Method, Millis, NetError, Phase, Resize, Resource, Token, Vm,
};
use vigil_sim::Sim;

use crate::policies::{self, HcloudCli, Horizon, Linode, OpVms, Oracle};
pub use crate::world::{scenario, World};
use crate::{Anchor, Strategy};

thread_local! {
    static KINDS: RefCell<std::collections::BTreeMap<String, u64>> = RefCell::new(Default::default());
}

/// 2026-01-01T00:00:00Z.
pub const T0: Millis = 1_767_225_600_000;
/// Simulated round trip: each request is answered at send time and the answer handed back this
/// much later.
pub const RTT: Millis = 50;
/// The simulated world (same for every strategy): durations, failures, the VMs' states.
/// `--seed` replaces it.
pub const WORLD_SEED: u64 = 1;
/// The action mix (same for every strategy): `MIX_SEED - WORLD_SEED` past the world's seed.
pub const MIX_SEED: u64 = 7;
/// Share of accepted actions the provider fails.
pub const FAILURE_RATE: f64 = 0.02;
/// A run that has not closed every operation by then counts the rest as lost.
pub const MAX_VIRTUAL: Millis = 4 * 60 * MINUTE;

/// At concurrency 1, operations run one after another, each started when the engine has ended
/// the previous one: one operation alone would make every figure a single sample.
pub const SEQUENTIAL_OPS: usize = 20;

/// How many operations a workload at `concurrency` runs in all (at most `concurrency` at once).
pub fn workload_ops(concurrency: usize) -> usize {
    if concurrency == 1 {
        SEQUENTIAL_OPS
    } else {
        concurrency
    }
}

/// A word on the engine's default policy for `vigil` rows, if it needs one. `vigil` rows never
/// call `set_policy`: they measure whatever `Engine::new` picks (today `policy::Vigil`).
pub const VIGIL_DEFAULT_NOTE: Option<&str> = None;

/// The target lag of the engine's default policy (`Vigil::default()`): the first calibration
/// point of every `vigil@<anchor>`, measured by the `vigil` row itself.
pub fn default_target_lag() -> Millis {
    Vigil::default().target_lag
}

/// Vigil with `target_lag` set, the rest as by default: `vigil@<anchor>` rows and their
/// calibration runs.
pub fn vigil_with_lag(target_lag: Millis) -> Box<dyn PollPolicy> {
    Box::new(Vigil::with_target_lag(target_lag))
}

/// How one run went.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub dialect: DialectKind,
    pub strategy: Strategy,
    pub concurrency: usize,
    /// Operations started (one per VM).
    pub ops: usize,
    /// Every request the engine sent from the moment the actions were started.
    pub requests: u64,
    /// Of those, the reads (everything but the submits, which are the same for every strategy).
    pub reads: u64,
    pub p50_lag_s: f64,
    pub p95_lag_s: f64,
    pub max_lag_s: f64,
    /// Time from the click (all at once) to the provider's answer accepting the action, 95th
    /// percentile over the accepted operations: how long the requests budget held submits back.
    pub p95_sent_s: f64,
    /// Most requests sent within any one second.
    pub peak_rps: u64,
    /// The same without the writes (submits): the polling alone.
    pub peak_read_rps: u64,
    /// Most requests sent within any one minute.
    pub peak_rpm: u64,
    /// Most requests sent within any one hour.
    pub peak_rph: u64,
    /// Requests the simulator answered `429 Too Many Requests`.
    pub throttled: u64,
    /// Bytes of the answers to every counted request (what polling costs a metered link).
    pub bytes: u64,
    /// VMs in the simulated world.
    pub fleet: usize,
    /// Operations the lag figures cover: verified done, or failed as the provider reported.
    pub lagged: usize,
    /// Ended `Succeeded` (verified).
    pub done: usize,
    /// Ended `Failed` / `Cancelled` (the provider's word), including `rejected`.
    pub failed: usize,
    /// Refused at submission (never accepted).
    pub rejected: usize,
    /// Ended `NeedsCheck` or `TimedOut`: the console says it could not verify, with "check now".
    pub unknown: usize,
    /// Of those, `TimedOut` (past the action's deadline).
    pub timed_out: usize,
    /// Of those, `NeedsCheck` ("the VM disagrees") although the action worked: the engine judged
    /// on a view of the VM older than the task's end.
    pub false_alarms: usize,
    /// Still open when the run ended: must be 0.
    pub lost: usize,
    /// The engine's verdict contradicts the simulator's ground truth: must be 0.
    pub wrong: usize,
    /// Verified done while the provider failed the action without any sign in its API (the VM
    /// shows the target state anyway): not countable as wrong, reported apart.
    pub silent: usize,
    /// Virtual seconds from the start of the actions to the last operation's end.
    pub virtual_s: f64,
    /// Vigil's `target_lag` in this run (`vigil` and `vigil@<anchor>` rows).
    pub target_lag_ms: Option<Millis>,
    /// The anchor's request count a `vigil@<anchor>` row was held to.
    pub budget: Option<u64>,
    pub note: Option<String>,
    /// What went wrong with each lost or misjudged operation (for stderr, not the report).
    pub issues: Vec<String>,
    /// The five operations with the longest lag, described (`--verbose`).
    pub slowest: Vec<String>,
    /// The first five that ended unknown, described (`--verbose`).
    pub unresolved: Vec<String>,
}

impl RunResult {
    /// Answer bytes a minute over the run.
    pub fn bytes_per_min(&self) -> f64 {
        if self.virtual_s <= 0.0 {
            0.0
        } else {
            self.bytes as f64 / self.virtual_s * 60.0
        }
    }

    pub fn requests_per_op(&self) -> f64 {
        if self.ops == 0 {
            0.0
        } else {
            self.requests as f64 / self.ops as f64
        }
    }
}

/// Why a dialect cannot be benchmarked (vigil-core does not read it yet, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped(pub String);

fn to_sim(req: &HttpRequest) -> vigil_sim::Request {
    vigil_sim::Request {
        method: req.method.as_str().to_string(),
        url: req.url.clone(),
        headers: req.headers.clone(),
        body: req.body.clone().unwrap_or_default(),
    }
}

fn from_sim(reply: vigil_sim::Reply) -> Result<HttpResponse, NetError> {
    match reply {
        vigil_sim::Reply::Response(r) => Ok(HttpResponse {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }),
        vigil_sim::Reply::Dropped => Err(NetError("connection dropped".into())),
    }
}

struct Arrival {
    at: Millis,
    token: Token,
    reply: Result<HttpResponse, NetError>,
}

/// The engine and the simulator on one virtual clock: requests are answered when sent and the
/// answers handed back [`RTT`] later; time jumps to the next answer or wake-up.
struct Driver {
    sim: Rc<RefCell<Sim>>,
    engine: Engine,
    now: Millis,
    in_flight: VecDeque<Arrival>,
    counting: bool,
    /// Send times of counted requests, and whether each was a read.
    sent: Vec<(Millis, bool)>,
    /// Counted requests answered 429.
    throttled: u64,
    /// Bytes of the answers to counted requests.
    bytes: u64,
}

impl Driver {
    /// Hands back what arrived by `now`, then sends what is due.
    fn turn(&mut self) {
        while self.in_flight.front().is_some_and(|a| a.at <= self.now) {
            let a = self.in_flight.pop_front().expect("checked");
            self.engine.handle_response(a.token, a.reply, a.at);
        }
        self.engine.handle_timeout(self.now);
        while let Some(o) = self.engine.poll_transmit(self.now) {
            if self.counting {
                self.sent.push((self.now, o.request.method == Method::Get));
                if std::env::var_os("VIGIL_BENCH_KINDS").is_some() {
                    let d = o.request.describe();
                    let d = d.split_once("/sim").map_or(d.clone(), |x| x.1.to_string());
                    let k: String = d
                        .split('/')
                        .map(|seg| {
                            if seg.chars().any(|c| c.is_ascii_digit()) && !seg.contains('?') {
                                "#".to_string()
                            } else {
                                seg.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("/");
                    let k = format!("{} {}", o.request.method.as_str(), k);
                    KINDS.with(|m| *m.borrow_mut().entry(k).or_insert(0) += 1);
                }
            }
            let reply = self
                .sim
                .borrow_mut()
                .handle(&to_sim(&o.request), self.now as u64);
            if self.counting && reply.response().is_some_and(|r| r.status == 429) {
                self.throttled += 1;
            }
            if self.counting {
                self.bytes += reply.response().map_or(0, |r| r.body.len() as u64);
            }
            self.in_flight.push_back(Arrival {
                at: self.now + RTT,
                token: o.token,
                reply: from_sim(reply),
            });
        }
    }

    /// Moves the clock to the next answer or wake-up; false when nothing is left to happen.
    fn advance(&mut self) -> bool {
        // A wake-up at or before now is something waiting on an answer (or blocked): the next
        // answer moves it.
        let wake = self.engine.poll_timeout().filter(|&w| w > self.now);
        let arrival = self.in_flight.front().map(|a| a.at);
        match (wake, arrival) {
            (Some(a), Some(b)) => self.now = a.min(b),
            (Some(t), None) | (None, Some(t)) => self.now = t,
            (None, None) => return false,
        }
        true
    }
}

/// Weights of the action mix, among what the VM allows now.
const MIX: [(ActionKind, u32); 9] = [
    (ActionKind::Reboot, 30),
    (ActionKind::Start, 20),
    (ActionKind::Shutdown, 15),
    (ActionKind::PowerOff, 8),
    (ActionKind::Snapshot, 8),
    (ActionKind::Resize, 6),
    (ActionKind::Rename, 5),
    (ActionKind::PowerCycle, 4),
    (ActionKind::PasswordReset, 4),
];

/// SplitMix64, for the action mix.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The action of `kind` with plausible parameters for this VM.
pub fn action_for(dialect: DialectKind, vm: &Vm, kind: ActionKind, n: usize) -> Option<Action> {
    if let Some(a) = Action::simple(kind) {
        return Some(a);
    }
    Some(match kind {
        // A size of the provider's catalogue, which the benchmark does not read.
        ActionKind::Resize if dialect.caps().resizes_to_catalogue_size => return None,
        ActionKind::Resize if dialect.caps().resizes_by_flavor => {
            let current = vm.size.flavor.as_deref().unwrap_or("");
            let id = ["3", "4", "2"].into_iter().find(|f| *f != current)?;
            Action::Resize(Resize::Flavor { id: id.into() })
        }
        ActionKind::Resize => {
            let ram = vm.size.memory_gb.unwrap_or(1).max(1);
            Action::Resize(Resize::One {
                resource: Resource::Ram,
                size: (ram * 2).min(256),
            })
        }
        ActionKind::Rename => Action::Rename {
            name: format!("{}-b", vm.name),
        },
        ActionKind::Snapshot => Action::Snapshot {
            name: format!("bench-{n}"),
            description: "vigil-bench".into(),
        },
        _ => return None,
    })
}

/// Picks each VM's action: the first `concurrency` VMs that allow one, weighted by [`MIX`]
/// among what each allows now. Depends only on the listing, so every strategy gets the same.
fn plan(engine: &Engine, dialect: DialectKind, ops: usize, seed: u64) -> Vec<(String, Action)> {
    let mut rng = Mix(seed.wrapping_add(MIX_SEED - WORLD_SEED));
    let mut out = Vec::new();
    let view = engine.view();
    for vm in view.vms(&"c".into()) {
        if out.len() == ops {
            break;
        }
        let allowed: HashSet<ActionKind> = MIX
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| view.allowed(&"c".into(), &vm.id, *k).is_ok())
            .collect();
        let mut choices: Vec<(ActionKind, u32)> = MIX
            .iter()
            .copied()
            .filter(|(k, _)| allowed.contains(k))
            .collect();
        let draw = rng.next();
        while !choices.is_empty() {
            let total: u32 = choices.iter().map(|c| c.1).sum();
            let mut x = (draw % total as u64) as u32;
            let i = choices
                .iter()
                .position(|c| {
                    let hit = x < c.1;
                    x = x.saturating_sub(c.1);
                    hit
                })
                .expect("x < total");
            let (kind, _) = choices.remove(i);
            if let Some(a) = action_for(dialect, vm, kind, out.len()) {
                out.push((vm.id.to_string(), a));
                break;
            }
        }
    }
    out
}

fn policy_for(
    strategy: Strategy,
    target_lag: Option<Millis>,
    sim: &Rc<RefCell<Sim>>,
    op_vms: &OpVms,
    start: Millis,
) -> Option<Box<dyn PollPolicy>> {
    Some(match strategy {
        Strategy::Anchor(Anchor::Oracle) => Box::new(Oracle::new(sim.clone(), op_vms.clone())),
        Strategy::Anchor(Anchor::Doctl5s) => Box::new(policies::every(5 * SECOND)),
        Strategy::Anchor(Anchor::HcloudCli) => Box::new(HcloudCli),
        Strategy::Anchor(Anchor::Horizon) => Box::new(Horizon::default()),
        Strategy::Anchor(Anchor::Cloudstack3s) => Box::new(policies::every(3 * SECOND)),
        Strategy::Anchor(Anchor::Linode2s) => Box::new(Linode::new(start)),
        // The engine's default, untouched.
        Strategy::Vigil if target_lag.is_none() => return None,
        Strategy::Vigil | Strategy::VigilAt(_) => {
            vigil_with_lag(target_lag.unwrap_or_else(default_target_lag))
        }
    })
}

fn nearest_rank(sorted: &[Millis], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1000.0
}

/// Most entries within any window of `span` ms (times sorted).
fn peak(times: &[Millis], span: Millis) -> u64 {
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..times.len() {
        while times[hi] - times[lo] >= span {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best as u64
}

/// Runs one workload under one strategy. `target_lag` sets Vigil's knob for `vigil@<anchor>`
/// (and for `vigil` as a calibration run; `None` there leaves the engine's default policy
/// untouched); anchors ignore it. `seed` is the world's ([`WORLD_SEED`] unless `--seed`).
pub fn run(
    dialect: DialectKind,
    concurrency: usize,
    strategy: Strategy,
    target_lag: Option<Millis>,
    world: World,
) -> Result<RunResult, Skipped> {
    let total = workload_ops(concurrency);
    let seed = world.seed;
    let sim = Sim::with_faults(scenario(total, world), T0 as u64, world.faults());
    let sim = Rc::new(RefCell::new(sim));
    let mut engine = Engine::new("b");
    // No background refreshes: only the operations' own requests are counted.
    engine.schedule_mut().list_every = 365 * 24 * 60 * MINUTE;
    let cfg = ConnectionConfig {
        id: "c".into(),
        name: dialect.label().into(),
        dialect,
        base_url: format!("http://sim{}", vigil_core::demo::prefix(dialect)),
        credentials: vigil_core::demo::credentials(dialect),
        demo: false,
    };
    engine
        .handle_command(Command::AddConnection(cfg), T0)
        .expect("a valid connection");
    let mut d = Driver {
        sim: sim.clone(),
        engine,
        now: T0,
        in_flight: VecDeque::new(),
        counting: false,
        sent: Vec::new(),
        throttled: 0,
        bytes: 0,
    };
    // The initial listing, not counted.
    loop {
        d.turn();
        let loading = matches!(
            d.engine.view().list_state(&"c".into()),
            Some(ListState::Loading)
        );
        if !loading || !d.advance() {
            break;
        }
    }
    while !d.in_flight.is_empty() {
        d.advance();
        d.turn();
    }
    if let Some(ListState::Failed { error, .. }) = d.engine.view().list_state(&"c".into()) {
        return Err(Skipped(format!(
            "vigil-core cannot list {} VMs yet ({error})",
            dialect.label(),
        )));
    }
    let planned = plan(&d.engine, dialect, total, seed);
    if planned.len() < total {
        return Err(Skipped(format!(
            "only {} of {} {} VMs allow an action in vigil-core",
            planned.len(),
            total,
            dialect.label()
        )));
    }

    // Go: the first `concurrency` actions at the same instant, each of the rest when one ends.
    let start = d.now;
    let op_vms: OpVms = Rc::new(RefCell::new(HashMap::new()));
    let policy = policy_for(strategy, target_lag, &sim, &op_vms, start);
    let (note, target_lag_ms) = match strategy {
        Strategy::Vigil if target_lag.is_none() => (
            VIGIL_DEFAULT_NOTE.map(String::from),
            Some(default_target_lag()),
        ),
        Strategy::Vigil | Strategy::VigilAt(_) => {
            (None, Some(target_lag.unwrap_or_else(default_target_lag)))
        }
        Strategy::Anchor(_) => (None, None),
    };
    if let Some(p) = policy {
        d.engine.set_policy(p);
    }
    while d.engine.poll_event().is_some() {}
    let mut ops: Vec<(String, String)> = Vec::with_capacity(planned.len());
    let mut queue = planned.into_iter();
    let mut launch = |d: &mut Driver, ops: &mut Vec<(String, String)>| -> Result<(), Skipped> {
        if let Some((vm_id, action)) = queue.next() {
            let cmd = Command::Act {
                conn: "c".into(),
                vm: vm_id.as_str().into(),
                action,
            };
            let id = d
                .engine
                .handle_command(cmd, d.now)
                .map_err(|e| Skipped(format!("vigil-core refused a planned action: {e}")))?
                .op()
                .expect("an operation")
                .to_string();
            op_vms.borrow_mut().insert(id.clone(), vm_id.clone());
            ops.push((id, vm_id));
        }
        Ok(())
    };
    for _ in 0..concurrency {
        launch(&mut d, &mut ops)?;
    }
    let mut closed: HashSet<String> = HashSet::new();
    let mut finished: HashMap<String, vigil_core::Operation> = HashMap::new();
    let mut last_end = start;
    d.counting = true;
    loop {
        d.turn();
        let mut launched = false;
        let events: Vec<Event> = std::iter::from_fn(|| d.engine.poll_event()).collect();
        for e in events {
            let Event::Changed(Change::Op(op_id)) = e else {
                continue;
            };
            let ended = d
                .engine
                .view()
                .operation(&op_id)
                .filter(|o| !o.is_open())
                .cloned();
            let op_id = op_id.to_string();
            if let Some(op) = ended {
                // The engine keeps only the newest finished operations: keep each as it ends.
                finished.entry(op_id.clone()).or_insert(op);
                if ops.iter().any(|(id, _)| *id == op_id) && closed.insert(op_id) {
                    last_end = d.now;
                    let before = ops.len();
                    launch(&mut d, &mut ops)?;
                    launched |= ops.len() > before;
                }
            }
        }
        if launched {
            continue; // Sent at this instant.
        }
        if closed.len() == ops.len() || d.now > start + MAX_VIRTUAL || !d.advance() {
            break;
        }
    }

    // Judge every operation against the simulator's ground truth.
    let view = d.engine.view();
    let mut by_id: HashMap<&str, &vigil_core::Operation> =
        finished.iter().map(|(id, o)| (id.as_str(), o)).collect();
    for o in view.operations() {
        by_id.entry(o.id.as_str()).or_insert(o);
    }
    let truth = sim.borrow();
    let mut r = RunResult {
        dialect,
        strategy,
        concurrency,
        ops: ops.len(),
        requests: d.sent.len() as u64,
        reads: d.sent.iter().filter(|s| s.1).count() as u64,
        p50_lag_s: 0.0,
        p95_lag_s: 0.0,
        max_lag_s: 0.0,
        p95_sent_s: 0.0,
        peak_rps: 0,
        peak_read_rps: 0,
        peak_rpm: 0,
        peak_rph: 0,
        throttled: d.throttled,
        bytes: d.bytes,
        fleet: d.engine.view().vms(&"c".into()).len(),
        lagged: 0,
        done: 0,
        failed: 0,
        rejected: 0,
        unknown: 0,
        timed_out: 0,
        false_alarms: 0,
        lost: 0,
        wrong: 0,
        silent: 0,
        virtual_s: (last_end - start) as f64 / 1000.0,
        target_lag_ms,
        budget: None,
        note,
        issues: Vec::new(),
        slowest: Vec::new(),
        unresolved: Vec::new(),
    };
    let describe = |op: &vigil_core::Operation, fact: Option<&vigil_sim::Completion>| {
        format!(
            "{} {} on {}: accepted at {:?}, engine {:?} at {:?} ({}), provider {:?}",
            dialect.slug(),
            vigil_core::words::describe_action(&op.action),
            op.vm_id().map(|v| v.as_str()).unwrap_or(""),
            op.accepted_at.map(|t| t - start),
            op.phase,
            op.finished_at.map(|t| t - start),
            op.note.as_ref().map(|n| n.to_string()).unwrap_or_default(),
            fact.map(|c| (
                c.action,
                c.task_status,
                c.succeeded,
                c.finished_at_ms.map(|t| t as Millis - start)
            )),
        )
    };
    let mut lags: Vec<Millis> = Vec::new();
    let mut sent: Vec<Millis> = ops
        .iter()
        .filter_map(|(id, _)| {
            let op = by_id[id.as_str()];
            op.accepted_at.map(|t| t - op.submitted_at)
        })
        .collect();
    sent.sort_unstable();
    r.p95_sent_s = nearest_rank(&sent, 0.95);
    let mut slow: Vec<(Millis, String)> = Vec::new();
    let mut by_kind: std::collections::BTreeMap<String, Vec<Millis>> = Default::default();
    for (id, vm_id) in &ops {
        let op = by_id[id.as_str()];
        let accepted = op.accepted_at.is_some();
        let fact = truth
            .latest_action(dialect.slug(), vm_id)
            .filter(|c| accepted && c.accepted_at_ms as Millis >= start);
        let verdict = match op.phase {
            p if p.is_open() => {
                r.lost += 1;
                r.issues
                    .push(format!("lost: {}", describe(op, fact.as_ref())));
                continue;
            }
            Phase::Succeeded => {
                r.done += 1;
                Some(true)
            }
            Phase::Failed | Phase::Cancelled | Phase::Superseded => {
                r.failed += 1;
                if !accepted {
                    r.rejected += 1;
                }
                Some(false)
            }
            p => {
                r.unknown += 1;
                r.timed_out += usize::from(p == Phase::TimedOut);
                r.false_alarms += usize::from(
                    p == Phase::NeedsCheck && fact.as_ref().is_some_and(|c| c.succeeded),
                );
                if r.unresolved.len() < 5 {
                    r.unresolved.push(describe(op, fact.as_ref()));
                }
                None
            }
        };
        let (Some(verdict), Some(fact)) = (verdict, fact) else {
            continue;
        };
        if verdict && !fact.succeeded && !fact.visible {
            // A failure the API never shows (a Hostway reboot that failed leaves the server
            // ACTIVE, as one that worked): the VM is in the target state, as verified.
            r.silent += 1;
        } else if verdict != fact.succeeded {
            r.wrong += 1;
            r.issues
                .push(format!("wrong verdict: {}", describe(op, Some(&fact))));
        }
        if let (Some(end), Some(finished)) = (op.finished_at, fact.finished_at_ms) {
            let lag = end - finished as Millis;
            if lag < 0 {
                // Marked over before the provider finished.
                r.wrong += 1;
                r.issues
                    .push(format!("early verdict: {}", describe(op, Some(&fact))));
            }
            lags.push(lag.max(0));
            by_kind
                .entry(format!("{:?}", op.action.kind()))
                .or_default()
                .push(lag.max(0));
            slow.push((lag, describe(op, Some(&fact))));
        }
    }
    if std::env::var_os("VIGIL_BENCH_KINDS").is_some() {
        KINDS.with(|m| {
            eprintln!("{} {:?} c={}:", dialect.slug(), strategy, concurrency);
            for (k, n) in std::mem::take(&mut *m.borrow_mut()) {
                eprintln!("  {n:6} {k}");
            }
            for (k, v) in by_kind.iter_mut() {
                v.sort_unstable();
                eprintln!(
                    "  lag {k}: n {} p50 {:.2} p95 {:.2} max {:.2}",
                    v.len(),
                    nearest_rank(v, 0.5),
                    nearest_rank(v, 0.95),
                    nearest_rank(v, 1.0)
                );
            }
        });
    }
    slow.sort_by_key(|s| std::cmp::Reverse(s.0));
    r.slowest = slow
        .into_iter()
        .take(5)
        .map(|(lag, what)| format!("lag {:.2} s: {what}", lag as f64 / 1000.0))
        .collect();
    lags.sort_unstable();
    r.lagged = lags.len();
    r.p50_lag_s = nearest_rank(&lags, 0.50);
    r.p95_lag_s = nearest_rank(&lags, 0.95);
    r.max_lag_s = lags.last().map_or(0.0, |&l| l as f64 / 1000.0);
    let all: Vec<Millis> = d.sent.iter().map(|s| s.0).collect();
    let reads: Vec<Millis> = d.sent.iter().filter(|s| s.1).map(|s| s.0).collect();
    r.peak_rps = peak(&all, SECOND);
    r.peak_read_rps = peak(&reads, SECOND);
    r.peak_rpm = peak(&all, MINUTE);
    r.peak_rph = peak(&all, 60 * MINUTE);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_and_percentiles() {
        assert_eq!(peak(&[], 1000), 0);
        assert_eq!(peak(&[0, 999, 1000, 1001, 1500, 1999, 5000], 1000), 4);
        let v = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
        assert_eq!(nearest_rank(&v, 0.5), 0.5);
        assert_eq!(nearest_rank(&v, 0.95), 1.0);
        assert_eq!(nearest_rank(&[42], 0.95), 0.042);
    }
}
