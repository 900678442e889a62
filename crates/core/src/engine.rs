//! The engine: connections, their VMs, and every operation, with the decisions of what to send
//! when. Sans-IO in the quinn-proto manner:
//!
//! ```text
//! shell                                   engine
//!   start(conn, vm, action, now)  ───────▶  new Operation (Submitted)
//!   poll_transmit(now)            ◀───────  [Outgoing { token, request }]
//!   …carries each request…
//!   handle(token, response, now)  ───────▶  phases move, inventory updates, events queue
//!   next_wake()                   ◀───────  when to call poll_transmit again
//! ```
//!
//! The schedule here is deliberately simple and fixed (observe every few seconds, verify with a
//! grace period, a deadline per action kind).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::dialect::{ConnectionConfig, Dialect, Observation};
use crate::error::{ApiError, ErrorKind};
use crate::http::{HttpRequest, HttpResponse, NetError};
use crate::model::{Action, ActionKind, Operation, Phase, PowerTarget, ProviderRef, TaskState, Vm};
use crate::policy::{PollCtx, PollPolicy, Vigil};
use crate::time::{Millis, MINUTE, SECOND};
use crate::workflow::{Bulk, Workflow, WorkflowEvent};

mod workflows;

#[path = "engine_batch.rs"]
mod batch;

/// The fixed schedule's knobs.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Between re-reads while the VM catches up with a finished task.
    pub verify_every: Millis,
    /// How long the VM may lag behind a finished task before the console says so.
    pub verify_grace: Millis,
    /// Background refresh of each connection's VM list.
    pub list_every: Millis,
    /// First retry after a failed read; doubles per failure up to `max_backoff`.
    pub backoff: Millis,
    pub max_backoff: Millis,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            verify_every: 2 * SECOND,
            verify_grace: 20 * SECOND,
            list_every: MINUTE,
            backoff: 2 * SECOND,
            max_backoff: MINUTE,
        }
    }
}

/// Past this, an operation still running becomes `TimedOut` ("check now").
pub fn deadline_for(kind: ActionKind) -> Millis {
    match kind {
        ActionKind::Rename => 2 * MINUTE,
        ActionKind::PowerOff => 3 * MINUTE,
        ActionKind::Start | ActionKind::PasswordReset => 5 * MINUTE,
        ActionKind::Reboot | ActionKind::PowerCycle | ActionKind::Shutdown => 6 * MINUTE,
        ActionKind::Resize => 20 * MINUTE,
        ActionKind::Snapshot => 40 * MINUTE,
        ActionKind::RestoreBackup => 40 * MINUTE,
    }
}

/// The deadline of one action: its kind's, plus the grace period of a shutdown the provider
/// forces at the end of (that long may pass before anything happens).
pub fn deadline_of(action: &Action) -> Millis {
    let extra = match action {
        Action::ShutdownWithin { timeout_s } => Millis::from(*timeout_s) * SECOND,
        _ => 0,
    };
    deadline_for(action.kind()) + extra
}

/// How eagerly the shell wants the engine to work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// The page is visible: the policy's schedule as is.
    Foreground,
    /// The tab is hidden: at most one round of requests every [`BACKGROUND_GAP`].
    Background,
    /// No network: nothing is sent and nothing times out.
    Offline,
    /// Another tab polls: this one sends nothing and shows what that tab shares.
    Follower,
}

/// The shortest gap between two rounds of requests while the tab is hidden.
pub const BACKGROUND_GAP: Millis = 30 * SECOND;

/// A request for the shell to carry; hand the answer back with the same token.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub token: u64,
    pub connection: String,
    pub request: HttpRequest,
}

/// Something the user should hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An operation left the open phases.
    Finished { op_id: String, phase: Phase },
    /// A connection's VM list could not be read.
    ListFailed { connection: String, error: ApiError },
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ListState {
    Loading,
    Ready {
        at: Millis,
    },
    /// The last read failed; the VMs shown are from the last good read, if any.
    Failed {
        error: ApiError,
        at: Millis,
    },
}

/// How many parts of one listing may be read at once (Hostway's per-server reads).
pub const LIST_CONCURRENCY: usize = 4;

/// A token bucket: the request budget of one connection, below the provider's rate limit.
#[derive(Clone, Debug)]
struct Bucket {
    tokens: f64,
    at: Millis,
    per_ms: f64,
    burst: f64,
}

impl Bucket {
    fn new(limit: crate::dialect::RateLimit) -> Self {
        Bucket {
            tokens: limit.burst,
            at: 0,
            per_ms: limit.per_second / 1000.0,
            burst: limit.burst,
        }
    }

    fn refill(&mut self, now: Millis) {
        if now > self.at {
            self.tokens = (self.tokens + (now - self.at) as f64 * self.per_ms).min(self.burst);
            self.at = now;
        }
    }

    /// When the next whole token is there.
    fn ready_at(&self) -> Millis {
        if self.tokens >= 1.0 {
            self.at
        } else {
            self.at + ((1.0 - self.tokens) / self.per_ms).ceil() as Millis
        }
    }
}

/// Requests one round may still send per connection, under each one's budget.
struct Allowance(HashMap<String, (usize, bool)>);

impl Allowance {
    /// Takes one request's worth for `conn`; false (and the connection marked starved) when the
    /// budget is spent.
    fn take(&mut self, conn: &str) -> bool {
        match self.0.get_mut(conn) {
            Some((left, starved)) if *left == 0 => {
                *starved = true;
                false
            }
            Some((left, _)) => {
                *left -= 1;
                true
            }
            None => true,
        }
    }
}

/// A listing under way.
#[derive(Default)]
struct Listing {
    acc: Vec<Vm>,
    /// When the request that read each VM of `acc` went out.
    fresh: HashMap<String, Millis>,
    queue: VecDeque<Option<String>>,
    in_flight: usize,
    error: Option<ApiError>,
    /// Parts already sent again after a 5xx or a network error (once each per listing).
    retried: HashSet<Option<String>>,
}

struct Conn {
    cfg: ConnectionConfig,
    api: Box<dyn Dialect>,
    vms: Vec<Vm>,
    /// The list cursor each VM was last seen under (for dialects without a single-VM read).
    cursor_of: HashMap<String, Option<String>>,
    /// When the request that produced each VM's current data went out: a verification only
    /// trusts data asked for after the task was seen finished.
    fresh_at: HashMap<String, Millis>,
    /// When the request went out that last showed each VM's power state alone (a list of the
    /// VMs in one state, see `batch_power_lists`): verifies what waits for that state only.
    power_fresh_at: HashMap<String, Millis>,
    list: ListState,
    /// When to start the next full listing; `None` while one runs or when waiting for the user.
    list_due: Option<Millis>,
    listing: Option<Listing>,
    /// Rate limit: nothing goes to this provider before then.
    blocked_until: Millis,
    /// A login request is out (login-flow credentials).
    logging_in: bool,
    /// The session from the login flow ends then; a new login goes out a minute before.
    session_until: Option<Millis>,
    /// The credentials were refused: nothing more is sent until the user says so.
    auth_failed: bool,
    budget: Bucket,
}

impl Conn {
    /// Whether requests other than the login may go out now.
    fn ready(&self, now: Millis) -> bool {
        !self.auth_failed && self.blocked_until <= now && self.api.login_request().is_none()
    }
}

#[derive(Clone, Debug, Default)]
struct Sched {
    due: Option<Millis>,
    waiting: bool,
    verify_since: Option<Millis>,
    errors: u32,
    deadline: Millis,
    /// Look at this one on its own next time (an observe-many answer did not list it).
    solo: bool,
    /// When the request went out whose answer first showed the task ended (an observe-many
    /// answer that lists every pending task no longer held it).
    ended_seen: Option<Millis>,
    /// A list of the VMs in the power state it waits for was read for it already.
    power_listed: bool,
}

enum Flight {
    Login {
        conn: String,
    },
    /// A part of a listing; `ops` are verifications riding on the same request.
    List {
        conn: String,
        cursor: Option<String>,
        desc: String,
        ops: Vec<String>,
    },
    Submit {
        op: String,
    },
    Observe {
        ops: Vec<String>,
    },
    ObserveMany {
        ops: Vec<String>,
    },
    Read {
        conn: String,
        ops: Vec<String>,
    },
    /// The VMs in one power state (`Dialect::power_list_request`), for `ops`.
    PowerList {
        conn: String,
        target: PowerTarget,
        ops: Vec<String>,
    },
    Cancel {
        op: String,
    },
}

pub struct Engine {
    conns: Vec<Conn>,
    ops: Vec<Operation>,
    sched: HashMap<String, Sched>,
    flights: BTreeMap<u64, Flight>,
    next_token: u64,
    op_seq: u64,
    id_prefix: String,
    events: Vec<Event>,
    /// Cancel requests made between two `poll_transmit` calls.
    pending_cancels: Vec<Outgoing>,
    /// VMs to re-read on their own (after a failure or a refusal), by connection.
    rereads: Vec<(String, String)>,
    /// When each request in flight went out.
    sent_at: HashMap<u64, Millis>,
    /// While an answer is handled: when its request went out.
    answering_sent: Millis,
    pace: Pace,
    /// In the background, nothing goes out before then.
    quiet_until: Millis,
    pub schedule: Schedule,
    policy: Box<dyn PollPolicy>,
    workflows: Vec<Workflow>,
    bulks: Vec<Bulk>,
    workflow_events: Vec<WorkflowEvent>,
    /// Workflows resumed after a reload (or a take-over), and when: what the VM showed before
    /// then says nothing about whether it shut down.
    wf_resumed: HashMap<String, Millis>,
    /// When a workflow last asked for a fresh read of its VM.
    wf_reread: HashMap<String, Millis>,
    /// When each workflow next needs the engine (a countdown's end), not kept.
    wf_wake: HashMap<String, Millis>,
    /// Next pages of observe-many answers still to read this round: connection, the operations
    /// not found yet, the request (see `engine_batch.rs`).
    observe_more: Vec<(String, Vec<String>, HttpRequest)>,
    /// Whether observe-many can cover a kind of reference, per dialect (see `batchable`).
    batch_kinds: std::cell::RefCell<
        HashMap<
            (
                crate::dialect::DialectKind,
                std::mem::Discriminant<ProviderRef>,
            ),
            bool,
        >,
    >,
}

impl Engine {
    /// `id_prefix` keeps operation ids unique across tabs and reloads (the shell passes something
    /// random or time-based).
    pub fn new(id_prefix: impl Into<String>) -> Self {
        Engine {
            conns: Vec::new(),
            ops: Vec::new(),
            sched: HashMap::new(),
            flights: BTreeMap::new(),
            next_token: 1,
            op_seq: 0,
            id_prefix: id_prefix.into(),
            events: Vec::new(),
            pending_cancels: Vec::new(),
            rereads: Vec::new(),
            sent_at: HashMap::new(),
            answering_sent: 0,
            observe_more: Vec::new(),
            pace: Pace::Foreground,
            quiet_until: 0,
            schedule: Schedule::default(),
            policy: Box::new(Vigil::default()),
            workflows: Vec::new(),
            bulks: Vec::new(),
            workflow_events: Vec::new(),
            wf_resumed: HashMap::new(),
            wf_reread: HashMap::new(),
            wf_wake: HashMap::new(),
            batch_kinds: Default::default(),
        }
    }

    /// Replaces the polling policy (benchmarks compare policies on the same engine).
    pub fn set_policy(&mut self, policy: Box<dyn PollPolicy>) {
        self.policy = policy;
    }

    fn next_observe(&mut self, op_id: &str, now: Millis, changed: bool) -> Millis {
        let Some(op) = self.ops.iter().find(|o| o.id == op_id) else {
            return now;
        };
        let conn = self.conn(&op.connection);
        let dialect = conn.map_or(crate::dialect::DialectKind::Cloudsfor, |c| c.cfg.dialect);
        let forced_at: Vec<Millis> = match (conn, op.accepted_at) {
            (Some(c), Some(at)) => c
                .api
                .forced_after(&op.action)
                .into_iter()
                .map(|after| at + after)
                .collect(),
            _ => Vec::new(),
        };
        let ctx = PollCtx {
            op_id,
            dialect,
            kind: op.action.kind(),
            accepted_at: op.attempt_since.or(op.accepted_at).unwrap_or(now),
            now,
            polls: op.polls,
            changed,
            min_interval: self.look_floor(op, now),
            forced_at: &forced_at,
        };
        self.policy.next_observe(&ctx).max(now)
    }

    // ----- connections and inventory -------------------------------------------------------

    /// Adds (or replaces) a connection and lists its VMs at once.
    pub fn add_connection(&mut self, cfg: ConnectionConfig, now: Millis) {
        self.remove_connection(&cfg.id);
        let cfg_dialect = cfg.dialect;
        self.conns.push(Conn {
            api: cfg.api(),
            cfg,
            vms: Vec::new(),
            cursor_of: HashMap::new(),
            fresh_at: HashMap::new(),
            power_fresh_at: HashMap::new(),
            list: ListState::Loading,
            list_due: Some(now),
            listing: None,
            blocked_until: 0,
            logging_in: false,
            session_until: None,
            auth_failed: false,
            budget: Bucket::new(cfg_dialect.rate_limit()),
        });
    }

    /// Forgets a connection; its open operations stay in the activity list as `NeedsCheck`.
    pub fn remove_connection(&mut self, id: &str) {
        self.conns.retain(|c| c.cfg.id != id);
        self.observe_more.retain(|(conn, ..)| conn != id);
        let ops = &self.ops;
        self.flights.retain(|_, f| match f {
            Flight::Login { conn }
            | Flight::List { conn, .. }
            | Flight::Read { conn, .. }
            | Flight::PowerList { conn, .. } => conn != id,
            Flight::Submit { op } | Flight::Cancel { op } => {
                ops.iter().any(|o| o.id == *op && o.connection != id)
            }
            Flight::Observe { ops: list } | Flight::ObserveMany { ops: list } => list
                .iter()
                .any(|op| ops.iter().any(|o| o.id == *op && o.connection != id)),
        });
        for op in self
            .ops
            .iter_mut()
            .filter(|o| o.connection == id && o.is_open())
        {
            op.phase = Phase::NeedsCheck;
            op.message = Some("The connection was removed while this ran.".into());
            self.sched.remove(&op.id);
        }
    }

    pub fn connections(&self) -> impl Iterator<Item = &ConnectionConfig> {
        self.conns.iter().map(|c| &c.cfg)
    }

    fn conn(&self, id: &str) -> Option<&Conn> {
        self.conns.iter().find(|c| c.cfg.id == id)
    }

    fn conn_mut(&mut self, id: &str) -> Option<&mut Conn> {
        self.conns.iter_mut().find(|c| c.cfg.id == id)
    }

    pub fn vms(&self, conn: &str) -> &[Vm] {
        self.conn(conn).map(|c| c.vms.as_slice()).unwrap_or(&[])
    }

    pub fn vm(&self, conn: &str, vm_id: &str) -> Option<&Vm> {
        self.vms(conn).iter().find(|v| v.id == vm_id)
    }

    pub fn list_state(&self, conn: &str) -> Option<&ListState> {
        self.conn(conn).map(|c| &c.list)
    }

    /// Lists the connection's VMs again as soon as possible (also after refused credentials).
    pub fn refresh(&mut self, conn: &str, now: Millis) {
        if let Some(c) = self.conn_mut(conn) {
            c.auth_failed = false;
            if c.listing.is_none() {
                c.list_due = Some(now);
            }
        }
    }

    // ----- actions ---------------------------------------------------------------------------

    /// The actions this VM's provider offers, each with whether it may run now (else why not).
    pub fn action_choices(&self, conn: &str, vm_id: &str) -> Vec<(ActionKind, Result<(), String>)> {
        let Some(c) = self.conn(conn) else {
            return Vec::new();
        };
        c.api
            .actions()
            .iter()
            .map(|&k| (k, self.allowed(conn, vm_id, k)))
            .collect()
    }

    /// The VM, if it is listed and nothing of ours (operation or workflow) is open on it;
    /// else why not, for the user.
    pub(crate) fn idle_vm(&self, conn: &str, vm_id: &str) -> Result<&Vm, String> {
        let c = self.conn(conn).ok_or("Unknown connection.")?;
        let vm = c
            .vms
            .iter()
            .find(|v| v.id == vm_id)
            .ok_or("This VM is not in the last listing.")?;
        if let Some(wf) = self.open_workflow_for(conn, vm_id) {
            return Err(format!(
                "Wait for “{}” to finish on {} (or cancel it).",
                wf.plan.describe(),
                vm.name
            ));
        }
        if let Some(op) = self.open_op_for(conn, vm_id) {
            return Err(format!(
                "Wait for “{}” to finish on {}.",
                op.action.describe(),
                vm.name
            ));
        }
        Ok(vm)
    }

    /// Whether `kind` may start on this VM now: the provider's rules on the last known state,
    /// and no operation of ours still open on it.
    pub fn allowed(&self, conn: &str, vm_id: &str, kind: ActionKind) -> Result<(), String> {
        let c = self.conn(conn).ok_or("Unknown connection.")?;
        let vm = self.idle_vm(conn, vm_id)?;
        if !c.api.actions().contains(&kind) {
            return Err(format!("{} does not offer this.", c.cfg.dialect.label()));
        }
        c.api.allowed(vm, kind)
    }

    /// Starts an operation; the submit request goes out on the next `poll_transmit`.
    pub fn start(
        &mut self,
        conn: &str,
        vm_id: &str,
        action: Action,
        now: Millis,
    ) -> Result<String, String> {
        action.validate()?;
        self.allowed(conn, vm_id, action.kind())?;
        self.create_op(conn, vm_id, action, now)
    }

    /// Creates an operation without the checks of [`Engine::allowed`] (a workflow's own steps):
    /// the parameters are still checked, and the provider has the last word.
    fn create_op(
        &mut self,
        conn: &str,
        vm_id: &str,
        action: Action,
        now: Millis,
    ) -> Result<String, String> {
        action.validate()?;
        let c = self.conn(conn).ok_or("Unknown connection.")?;
        c.api.validate(&action)?;
        if matches!(action, Action::ShutdownWithin { .. })
            && !c.cfg.dialect.forces_stop_server_side()
        {
            return Err(format!(
                "{} does not force a shutdown off by itself.",
                c.cfg.dialect.label()
            ));
        }
        let vm = self.vm(conn, vm_id).cloned().ok_or("Unknown VM.")?;
        self.op_seq += 1;
        let id = format!("{}-{}", self.id_prefix, self.op_seq);
        let op = Operation {
            id: id.clone(),
            connection: conn.to_string(),
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            expect: action.expectation(&vm),
            action,
            phase: Phase::Submitted,
            submitted_at: now,
            accepted_at: None,
            finished_at: None,
            provider_ref: None,
            provider_status: None,
            message: None,
            progress: None,
            attempt: None,
            task_ended_at: None,
            attempt_since: None,
            last_error: None,
            polls: 0,
        };
        self.sched.insert(
            id.clone(),
            Sched {
                due: Some(now),
                deadline: now + deadline_of(&op.action),
                ..Sched::default()
            },
        );
        self.ops.push(op);
        Ok(id)
    }

    /// Whether the provider lets this operation be cancelled now.
    pub fn can_cancel(&self, op_id: &str) -> bool {
        let Some(op) = self.operation(op_id) else {
            return false;
        };
        let (Some(c), Some(r)) = (self.conn(&op.connection), &op.provider_ref) else {
            return false;
        };
        matches!(op.phase, Phase::Accepted | Phase::InProgress) && c.api.cancel_request(r).is_some()
    }

    /// Asks the provider to cancel; the answer moves the operation like an observation.
    pub fn cancel(&mut self, op_id: &str, now: Millis) -> Result<(), String> {
        if !self.can_cancel(op_id) {
            return Err("This operation cannot be cancelled now.".into());
        }
        let op = self.operation(op_id).expect("checked").clone();
        let c = self.conn(&op.connection).expect("checked");
        let req = c
            .api
            .cancel_request(op.provider_ref.as_ref().expect("checked"))
            .expect("checked");
        let out = self.flight(
            Flight::Cancel { op: op.id.clone() },
            op.connection,
            req,
            now,
        );
        self.pending_cancels.push(out);
        Ok(())
    }

    /// For `TimedOut` / `NeedsCheck`: look again now — at the task if it never finished, else at
    /// the VM — with a short deadline of its own.
    pub fn check_now(&mut self, op_id: &str, now: Millis) {
        let grace = self.schedule.verify_grace;
        let Some(op) = self.ops.iter_mut().find(|o| o.id == op_id) else {
            return;
        };
        if !matches!(op.phase, Phase::TimedOut | Phase::NeedsCheck)
            || self.conns.iter().all(|c| c.cfg.id != op.connection)
        {
            return;
        }
        // A task we never saw end is asked about again; otherwise the VM decides.
        op.phase = if op.provider_ref.is_some() && op.task_ended_at.is_none() {
            Phase::InProgress
        } else {
            Phase::Verifying
        };
        op.finished_at = None;
        self.sched.insert(
            op.id.clone(),
            Sched {
                due: Some(now),
                verify_since: Some(now),
                deadline: now + grace.max(30 * SECOND),
                ..Sched::default()
            },
        );
        self.advance_workflows(now);
    }

    /// Every operation, oldest first.
    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    pub fn operation(&self, op_id: &str) -> Option<&Operation> {
        self.ops.iter().find(|o| o.id == op_id)
    }

    pub fn open_op_for(&self, conn: &str, vm_id: &str) -> Option<&Operation> {
        self.ops
            .iter()
            .rev()
            .find(|o| o.connection == conn && o.vm_id == vm_id && o.is_open())
    }

    /// What the VM's row says: the running operation's verb, else the provider's status.
    pub fn status_label(&self, conn: &str, vm: &Vm) -> String {
        match self.open_op_for(conn, &vm.id) {
            Some(op) => op.action.kind().progressive().to_string(),
            None if vm.locked => format!("{} (locked)", vm.status_raw),
            None => vm.status_raw.clone(),
        }
    }

    pub fn drain_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    // ----- the page's life: visibility, network, reloads ---------------------------------

    pub fn pace(&self) -> Pace {
        self.pace
    }

    /// The tab was hidden or shown, or the network went or came back. Coming back to the
    /// foreground looks at everything open at once (and lists again); nothing times out for
    /// time spent offline before it was looked at again.
    pub fn set_pace(&mut self, pace: Pace, now: Millis) {
        let before = self.pace;
        self.pace = pace;
        if pace == Pace::Background {
            return;
        }
        self.quiet_until = 0;
        if pace == Pace::Foreground && before != Pace::Foreground {
            let grace = self.schedule.verify_grace.max(30 * SECOND);
            for op in self.ops.iter().filter(|o| o.is_open()) {
                if let Some(s) = self.sched.get_mut(&op.id) {
                    if !s.waiting {
                        s.due = Some(now);
                    }
                    if before == Pace::Offline {
                        s.deadline = s.deadline.max(now + grace);
                    }
                }
            }
            let ids: Vec<String> = self.conns.iter().map(|c| c.cfg.id.clone()).collect();
            for id in ids {
                self.refresh(&id, now);
            }
        }
    }

    /// What a leading tab shares with the others: every connection's VMs and list state.
    pub fn export_inventory(&self) -> Vec<(String, Vec<Vm>, ListState)> {
        self.conns
            .iter()
            .map(|c| (c.cfg.id.clone(), c.vms.clone(), c.list.clone()))
            .collect()
    }

    /// A following tab shows what the leading one shares: its operations and VMs replace this
    /// tab's own, and nothing is scheduled here.
    pub fn mirror(&mut self, ops: Vec<Operation>, inventory: Vec<(String, Vec<Vm>, ListState)>) {
        self.ops = ops;
        self.sched.clear();
        for (id, vms, list) in inventory {
            if let Some(c) = self.conn_mut(&id) {
                c.vms = vms;
                c.list = list;
            }
        }
    }

    /// This tab takes over polling (the leading one went away): every open operation it shows
    /// is resumed as after a reload.
    pub fn take_over(&mut self, now: Millis) {
        let ops = std::mem::take(&mut self.ops);
        self.sched.clear();
        self.import_operations(ops, now);
        let workflows = std::mem::take(&mut self.workflows);
        self.resume_workflows(workflows, now);
        for c in self.conns.iter_mut() {
            if c.listing.is_none() {
                c.list_due = Some(now);
            }
        }
    }

    /// Every operation, for the page to keep across reloads (no credentials in them).
    pub fn export_operations(&self) -> Vec<Operation> {
        self.ops.clone()
    }

    /// Operations kept from before a reload (or from another tab). Open ones are resumed: looked
    /// at again at once, on their original deadline (at least a short grace from now). One whose
    /// submit never got its answer cannot be resumed and asks to be checked.
    pub fn import_operations(&mut self, ops: Vec<Operation>, now: Millis) {
        let grace = self.schedule.verify_grace.max(30 * SECOND);
        for mut op in ops {
            if self.ops.iter().any(|o| o.id == op.id) {
                continue;
            }
            if op.is_open() {
                let known = self.conns.iter().any(|c| c.cfg.id == op.connection);
                if !known {
                    op.phase = Phase::NeedsCheck;
                    op.message =
                        Some("Its connection is not configured in this tab; add it to follow this operation.".into());
                } else if op.phase == Phase::Submitted {
                    op.phase = Phase::NeedsCheck;
                    op.finished_at = Some(now);
                    op.message = Some(
                        "The page closed before the provider answered this request. Check the VM before trying again."
                            .into(),
                    );
                } else {
                    let started = op.accepted_at.unwrap_or(op.submitted_at);
                    self.sched.insert(
                        op.id.clone(),
                        Sched {
                            due: Some(now),
                            verify_since: (op.phase == Phase::Verifying).then_some(now),
                            deadline: (started + deadline_of(&op.action)).max(now + grace),
                            ..Sched::default()
                        },
                    );
                }
            }
            self.ops.push(op);
        }
        self.ops.sort_by_key(|o| o.submitted_at);
    }

    /// How long `kind` usually takes on this connection's provider (learned, or the prior), so
    /// the page can say "usually ~20 s" where the provider gives no percentage.
    pub fn typical_duration(&self, conn: &str, kind: ActionKind) -> Option<Millis> {
        let dialect = self.conn(conn)?.cfg.dialect;
        self.policy.typical(dialect, kind)
    }

    /// The polling policy's learned state, to keep across reloads.
    pub fn export_learning(&self) -> Option<String> {
        self.policy.export_state()
    }

    pub fn import_learning(&mut self, state: &str) {
        self.policy.import_state(state);
    }

    // ----- the loop ------------------------------------------------------------------------

    /// When `poll_transmit` next has something to do (`None`: nothing scheduled).
    pub fn next_wake(&self) -> Option<Millis> {
        if matches!(self.pace, Pace::Offline | Pace::Follower) {
            return None;
        }
        self.next_wake_any().map(|t| t.max(self.quiet_until))
    }

    fn next_wake_any(&self) -> Option<Millis> {
        if !self.pending_cancels.is_empty() {
            return Some(0);
        }
        if let Some(t) = self.next_workflow_wake() {
            return Some(t.min(self.next_wake_any_op().unwrap_or(t)));
        }
        self.next_wake_any_op()
    }

    fn next_wake_any_op(&self) -> Option<Millis> {
        let rereads = self.rereads.iter().filter_map(|(conn, _)| {
            let c = self.conn(conn)?;
            (!c.auth_failed).then_some(c.blocked_until)
        });
        if let Some(t) = rereads.min() {
            return Some(t.min(self.next_wake_scheduled().unwrap_or(t)));
        }
        self.next_wake_scheduled()
    }

    fn next_wake_scheduled(&self) -> Option<Millis> {
        let conns = self.conns.iter().filter_map(|c| {
            if c.auth_failed || c.logging_in {
                return None;
            }
            let due = if c.api.login_request().is_some() {
                Some(0)
            } else if let Some(l) = &c.listing {
                (l.in_flight < LIST_CONCURRENCY && !l.queue.is_empty()).then_some(0)
            } else {
                let relogin = c.session_until.map(|t| t - MINUTE);
                match (c.list_due, relogin) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            };
            due.map(|d| d.max(c.blocked_until))
        });
        let ops = self.ops.iter().filter(|o| o.is_open()).filter_map(|o| {
            let s = self.sched.get(&o.id)?;
            let c = self.conn(&o.connection)?;
            if c.auth_failed {
                return None;
            }
            if s.waiting || c.logging_in {
                return None; // The answer on its way wakes the engine.
            }
            let observing = matches!(o.phase, Phase::Accepted | Phase::InProgress);
            match s.due {
                // The deadline comes first only when the next look is later than it; a look due
                // before it happens first, however long the budget holds it back.
                Some(due) if observing && s.deadline < due => Some(s.deadline),
                Some(due) => Some(due.max(c.blocked_until)),
                None => observing.then_some(s.deadline),
            }
        });
        conns.chain(ops).min()
    }

    /// The requests due at `now`. Each must be answered through [`Engine::handle`].
    pub fn poll_transmit(&mut self, now: Millis) -> Vec<Outgoing> {
        if matches!(self.pace, Pace::Offline | Pace::Follower) || now < self.quiet_until {
            return Vec::new();
        }
        let out = self.transmit(now);
        if self.pace == Pace::Background && !out.is_empty() {
            self.quiet_until = now + BACKGROUND_GAP;
        }
        out
    }

    fn transmit(&mut self, now: Millis) -> Vec<Outgoing> {
        self.expire(now);
        self.advance_workflows(now);
        let mut allowance = Allowance(
            self.conns
                .iter_mut()
                .map(|c| {
                    c.budget.refill(now);
                    (c.cfg.id.clone(), (c.budget.tokens.max(0.0) as usize, false))
                })
                .collect(),
        );
        let mut out: Vec<Outgoing> = std::mem::take(&mut self.pending_cancels);
        let mut pending: Vec<(Flight, String, HttpRequest)> = Vec::new();
        let mut shared: HashMap<(String, String), usize> = HashMap::new();
        // Sessions and listings.
        for c in self.conns.iter_mut() {
            if c.auth_failed || c.blocked_until > now {
                continue;
            }
            if c.session_until.is_some_and(|t| now >= t - MINUTE) {
                c.session_until = None;
                c.api.set_session(None);
            }
            if let Some(login) = c.api.login_request() {
                if !c.logging_in && allowance.take(&c.cfg.id) {
                    c.logging_in = true;
                    let conn = c.cfg.id.clone();
                    pending.push((Flight::Login { conn: conn.clone() }, conn, login));
                }
                continue;
            }
            if c.listing.is_none() && c.list_due.is_some_and(|d| d <= now) {
                c.list_due = None;
                c.listing = Some(Listing {
                    queue: VecDeque::from([None]),
                    ..Listing::default()
                });
            }
            let Some(l) = c.listing.as_mut() else {
                continue;
            };
            while l.in_flight < LIST_CONCURRENCY && !l.queue.is_empty() {
                if !allowance.take(&c.cfg.id) {
                    break;
                }
                let Some(cursor) = l.queue.pop_front() else {
                    break;
                };
                l.in_flight += 1;
                let request = c.api.list_request(cursor.as_deref());
                let conn = c.cfg.id.clone();
                let desc = request.describe();
                shared.insert((conn.clone(), desc.clone()), pending.len());
                let flight = Flight::List {
                    conn: conn.clone(),
                    cursor,
                    desc,
                    ops: Vec::new(),
                };
                pending.push((flight, conn, request));
            }
        }
        // VMs to look at again on their own.
        for (conn, vm_id) in std::mem::take(&mut self.rereads) {
            let Some(c) = self.conns.iter().find(|c| c.cfg.id == conn) else {
                continue;
            };
            if !c.ready(now) {
                self.rereads.push((conn, vm_id));
                continue;
            }
            let cursor = c.cursor_of.get(&vm_id).cloned().flatten();
            let request = c.api.read_vm_request(&vm_id, cursor.as_deref());
            let key = (conn.clone(), request.describe());
            if shared.contains_key(&key) {
                continue;
            }
            if !allowance.take(&conn) {
                self.rereads.push((conn, vm_id));
                continue;
            }
            shared.insert(key, pending.len());
            let flight = Flight::Read {
                conn: conn.clone(),
                ops: Vec::new(),
            };
            pending.push((flight, conn, request));
        }
        // Operations due now, by connection, so that observe-many can cover several.
        // Per connection: the observations due now, and every one that could ride along.
        let mut observe_due: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        for (i, op) in self.ops.iter().enumerate() {
            let Some(s) = self.sched.get(&op.id) else {
                continue;
            };
            let Some(c) = self.conns.iter().find(|c| c.cfg.id == op.connection) else {
                continue;
            };
            if !op.is_open() || s.waiting || !c.ready(now) {
                continue;
            }
            let batchable = op
                .provider_ref
                .as_ref()
                .is_some_and(|r| self.batchable(c, r));
            if matches!(op.phase, Phase::Accepted | Phase::InProgress) && !s.solo && batchable {
                let due = s.due.is_some_and(|d| d <= now);
                let (due_list, all) = observe_due.entry(op.connection.clone()).or_default();
                if due {
                    due_list.push(i);
                }
                all.push(i);
            }
        }
        let mut batched: HashSet<usize> = HashSet::new();
        let piggyback = self.policy.piggyback();
        for (conn, (due, all)) in observe_due {
            let limit = self.policy.batch_limit().unwrap_or(1);
            // With piggybacking, a request that goes out anyway also covers the ones not due.
            let idx = if piggyback && !due.is_empty() {
                all
            } else {
                due
            };
            if idx.len() < 2 || limit < 2 {
                continue;
            }
            let c = self
                .conns
                .iter()
                .find(|c| c.cfg.id == conn)
                .expect("listed");
            for chunk in idx.chunks(limit) {
                let refs: Vec<&ProviderRef> = chunk
                    .iter()
                    .filter_map(|&i| self.ops[i].provider_ref.as_ref())
                    .collect();
                if chunk.len() < 2 || refs.len() != chunk.len() {
                    continue;
                }
                let Some(request) = c.api.observe_many_request(&refs) else {
                    continue;
                };
                if allowance.take(&conn) {
                    let ops = chunk.iter().map(|&i| self.ops[i].id.clone()).collect();
                    pending.push((Flight::ObserveMany { ops }, conn.clone(), request));
                    batched.extend(chunk.iter().copied());
                }
            }
        }
        self.send_observe_more(now, &mut allowance, &mut pending);
        self.batch_power_lists(now, &mut allowance, &mut pending);
        self.batch_verify_reads(now, &mut allowance, &mut pending, &mut shared);
        for i in self.transmit_order() {
            let op = &mut self.ops[i];
            if !op.is_open() {
                continue;
            }
            let Some(s) = self.sched.get_mut(&op.id) else {
                continue;
            };
            let Some(c) = self.conns.iter().find(|c| c.cfg.id == op.connection) else {
                continue;
            };
            if batched.contains(&i) {
                s.waiting = true;
                op.polls += 1;
                continue;
            }
            if s.waiting || s.due.is_none_or(|d| d > now) || !c.ready(now) {
                continue;
            }
            let (flight, request) = match op.phase {
                Phase::Submitted => {
                    let Some(vm) = c.vms.iter().find(|v| v.id == op.vm_id) else {
                        continue;
                    };
                    (
                        Flight::Submit { op: op.id.clone() },
                        c.api.action_request(vm, &op.action),
                    )
                }
                Phase::Accepted | Phase::InProgress => {
                    let Some(r) = &op.provider_ref else { continue };
                    (
                        Flight::Observe {
                            ops: vec![op.id.clone()],
                        },
                        c.api.observe_request(r),
                    )
                }
                Phase::Verifying => {
                    let cursor = c.cursor_of.get(&op.vm_id).cloned().flatten();
                    (
                        Flight::Read {
                            conn: op.connection.clone(),
                            ops: vec![op.id.clone()],
                        },
                        c.api.read_vm_request(&op.vm_id, cursor.as_deref()),
                    )
                }
                _ => continue,
            };
            let key = (op.connection.clone(), request.describe());
            let is_read = !matches!(flight, Flight::Submit { .. });
            // Reads that come out identical are sent once for all who need them, and ride along
            // with a listing already on its way.
            if let (Flight::Read { ops: mine, .. }, true) = (&flight, is_read) {
                let riding = self.flights.values_mut().find_map(|f| match f {
                    Flight::List {
                        conn, desc, ops, ..
                    } if *conn == key.0 && *desc == key.1 => Some(ops),
                    _ => None,
                });
                if let Some(ops) = riding {
                    ops.extend(mine.iter().cloned());
                    s.waiting = true;
                    op.polls += 1;
                    continue;
                }
            }
            let joins = is_read && shared.contains_key(&key);
            if !joins && !allowance.take(&op.connection) {
                continue; // Over budget: stays due for the next round.
            }
            s.waiting = true;
            // Looked at on its own now; it may rejoin observe-many afterwards.
            s.solo = false;
            op.polls += u32::from(op.phase != Phase::Submitted);
            if let Some(&i) = shared.get(&key).filter(|_| is_read) {
                match (&mut pending[i].0, flight) {
                    (Flight::Observe { ops }, Flight::Observe { ops: more })
                    | (Flight::Read { ops, .. }, Flight::Read { ops: more, .. })
                    | (Flight::List { ops, .. }, Flight::Read { ops: more, .. }) => {
                        ops.extend(more)
                    }
                    (_, other) => pending.push((other, op.connection.clone(), request)),
                }
                continue;
            }
            if is_read {
                shared.insert(key, pending.len());
            }
            pending.push((flight, op.connection.clone(), request));
        }
        // Spend the budget; a starved connection waits for its next token.
        for c in self.conns.iter_mut() {
            let sent = pending.iter().filter(|p| p.1 == c.cfg.id).count();
            c.budget.tokens -= sent as f64;
            if allowance.0.get(&c.cfg.id).is_some_and(|a| a.1) {
                c.blocked_until = c.blocked_until.max(c.budget.ready_at());
            }
        }
        out.extend(
            pending
                .into_iter()
                .map(|(flight, conn, request)| self.flight(flight, conn, request, now)),
        );
        out
    }

    fn flight(
        &mut self,
        flight: Flight,
        connection: String,
        request: HttpRequest,
        now: Millis,
    ) -> Outgoing {
        let token = self.next_token;
        self.next_token += 1;
        self.flights.insert(token, flight);
        self.sent_at.insert(token, now);
        Outgoing {
            token,
            connection,
            request,
        }
    }

    /// Open operations past their deadline become `TimedOut`.
    fn expire(&mut self, now: Millis) {
        for op in self
            .ops
            .iter_mut()
            // Verifying has its own limit: the grace period, after which it says what it saw.
            .filter(|o| matches!(o.phase, Phase::Accepted | Phase::InProgress))
        {
            let Some(s) = self.sched.get(&op.id) else {
                continue;
            };
            // An operation whose next look was due before its deadline gets that look first
            // (however long the request budget or a rate limit holds it back); one whose next
            // look falls after the deadline times out at the deadline.
            let look_first = s.due.is_some_and(|d| d <= s.deadline);
            if now >= s.deadline && !s.waiting && !look_first {
                op.phase = Phase::TimedOut;
                op.finished_at = Some(now);
                op.message = Some(format!(
                    "No verified outcome after {}. The provider last said “{}”. Check now to look again.",
                    crate::time::format_duration(now - op.submitted_at),
                    op.provider_status.as_deref().unwrap_or("nothing")
                ));
                self.sched.remove(&op.id);
                self.events.push(Event::Finished {
                    op_id: op.id.clone(),
                    phase: Phase::TimedOut,
                });
            }
        }
    }

    /// Hands back the answer (or the network failure) for an [`Outgoing`] token.
    pub fn handle(&mut self, token: u64, result: Result<HttpResponse, NetError>, now: Millis) {
        let Some(flight) = self.flights.remove(&token) else {
            return; // A connection removed meanwhile, or a duplicate answer.
        };
        self.answering_sent = self.sent_at.remove(&token).unwrap_or(now);
        if let Ok(resp) = &result {
            self.note_limits(&flight, resp, now);
        }
        match flight {
            Flight::Login { conn } => self.on_login(&conn, result, now),
            Flight::List {
                conn, cursor, ops, ..
            } => self.on_list(&conn, cursor, &ops, result, now),
            Flight::Submit { op } => self.on_submit(&op, result, now),
            Flight::Observe { ops } => {
                for op in ops {
                    self.on_observe(&op, &result, now);
                }
            }
            Flight::ObserveMany { ops } => self.on_observe_many(&ops, result, now),
            Flight::Read { conn, ops } => self.on_read(&conn, &ops, result, now),
            Flight::PowerList { conn, target, ops } => {
                self.on_power_list(&conn, target, &ops, result, now)
            }
            Flight::Cancel { op } => self.on_cancel(&op, result, now),
        }
        self.advance_workflows(now);
    }

    fn flight_conn(&self, flight: &Flight) -> Option<String> {
        match flight {
            Flight::Login { conn }
            | Flight::List { conn, .. }
            | Flight::Read { conn, .. }
            | Flight::PowerList { conn, .. } => Some(conn.clone()),
            Flight::Submit { op } | Flight::Cancel { op } => {
                self.operation(op).map(|o| o.connection.clone())
            }
            Flight::Observe { ops } | Flight::ObserveMany { ops } => ops
                .first()
                .and_then(|o| self.operation(o))
                .map(|o| o.connection.clone()),
        }
    }

    /// Rate limits hold every request to that provider; a 401 under a login session asks for a
    /// new session.
    fn note_limits(&mut self, flight: &Flight, resp: &HttpResponse, now: Millis) {
        let Some(conn) = self.flight_conn(flight) else {
            return;
        };
        let wait = crate::error::retry_after(resp, now);
        let Some(c) = self.conn_mut(&conn) else {
            return;
        };
        if let Some(wait) = wait {
            if resp.status == 429 || resp.header("ratelimit-remaining").is_some() {
                c.blocked_until = c.blocked_until.max(now + wait);
            }
        }
        if resp.status == 401
            && c.session_until.is_some()
            && !matches!(flight, Flight::Login { .. })
        {
            c.session_until = None;
            c.api.set_session(None);
        }
    }

    fn backoff(&self, errors: u32) -> Millis {
        (self.schedule.backoff << errors.min(10)).min(self.schedule.max_backoff)
    }

    fn on_login(&mut self, conn: &str, result: Result<HttpResponse, NetError>, now: Millis) {
        let backoff = self.backoff(2);
        let Some(c) = self.conn_mut(conn) else { return };
        c.logging_in = false;
        let parsed = match result {
            Ok(resp) => c.api.parse_login(&resp, now),
            Err(e) => Err(ApiError::network(&e)),
        };
        match parsed {
            Ok((token, until)) => {
                c.api.set_session(Some(token));
                c.session_until = Some(until);
            }
            Err(error) => {
                if error.kind == ErrorKind::Unauthorized || error.kind == ErrorKind::Invalid {
                    c.auth_failed = true;
                } else {
                    c.blocked_until = c
                        .blocked_until
                        .max(now + error.retry_after.unwrap_or(backoff));
                }
                c.list = ListState::Failed {
                    error: error.clone(),
                    at: now,
                };
                self.events.push(Event::ListFailed {
                    connection: conn.to_string(),
                    error,
                });
            }
        }
    }

    fn on_list(
        &mut self,
        conn: &str,
        cursor: Option<String>,
        riders: &[String],
        result: Result<HttpResponse, NetError>,
        now: Millis,
    ) {
        let every = self.schedule.list_every;
        let backoff = self.backoff(2);
        let sent = self.answering_sent;
        for op in riders {
            if let Some(s) = self.sched.get_mut(op) {
                s.waiting = false;
            }
        }
        let Some(c) = self.conn_mut(conn) else { return };
        let parsed = match result {
            Ok(resp) => c.api.parse_list(cursor.as_deref(), &resp, now),
            Err(e) => Err(ApiError::network(&e)),
        };
        let Some(l) = c.listing.as_mut() else { return };
        l.in_flight = l.in_flight.saturating_sub(1);
        match parsed {
            Ok(page) => {
                for vm in page.vms {
                    c.cursor_of.insert(vm.id.clone(), cursor.clone());
                    l.fresh.insert(vm.id.clone(), sent);
                    l.acc.push(vm);
                }
                l.queue.extend(page.next.into_iter().map(Some));
            }
            // One part of a listing lost to a passing fault (a 5xx, a dropped connection) is
            // read again once before the whole listing counts as failed: with a read per
            // server (Hostway), one bad answer in a dozen would otherwise fail most listings.
            Err(e)
                if matches!(e.kind, ErrorKind::Server | ErrorKind::Network)
                    && l.retried.insert(cursor.clone()) =>
            {
                l.queue.push_back(cursor.clone());
            }
            Err(e) => {
                // Under a login session a 401 only means a new session is needed (the login
                // itself says whether the credentials are refused).
                if e.kind == ErrorKind::Unauthorized && c.api.login_request().is_none() {
                    c.auth_failed = true;
                    l.queue.clear();
                }
                l.error.get_or_insert(e);
            }
        }
        if l.in_flight > 0 || !l.queue.is_empty() {
            return;
        }
        let l = c.listing.take().expect("checked above");
        // What the listing read replaces what a list of power states said before.
        c.power_fresh_at.retain(|id, _| !l.fresh.contains_key(id));
        c.fresh_at.extend(l.fresh);
        match l.error {
            None => {
                c.vms = l.acc;
                c.list = ListState::Ready { at: now };
                c.list_due = Some(now + every);
            }
            Some(error) => {
                // Keep what was shown; update what this listing did read.
                for vm in l.acc {
                    match c.vms.iter_mut().find(|v| v.id == vm.id) {
                        Some(slot) => *slot = vm,
                        None => c.vms.push(vm),
                    }
                }
                c.list_due = match error.kind {
                    // Wrong credentials will not fix themselves: wait for the user.
                    ErrorKind::Unauthorized if c.auth_failed => None,
                    ErrorKind::RateLimited => Some(now + error.retry_after.unwrap_or(backoff)),
                    _ => Some(now + backoff),
                };
                c.list = ListState::Failed {
                    error: error.clone(),
                    at: now,
                };
                for op in riders {
                    self.retry_later(op, error.clone(), now);
                }
                self.events.push(Event::ListFailed {
                    connection: conn.to_string(),
                    error,
                });
                return;
            }
        }
        self.verify_open_against_inventory(conn, now);
    }

    fn finish(&mut self, op_id: &str, phase: Phase, message: Option<String>, now: Millis) {
        let Some(op) = self.ops.iter_mut().find(|o| o.id == op_id) else {
            return;
        };
        op.phase = phase;
        op.finished_at = Some(now);
        if message.is_some() {
            op.message = message;
        }
        self.sched.remove(op_id);
        self.events.push(Event::Finished {
            op_id: op_id.to_string(),
            phase,
        });
    }

    fn on_submit(&mut self, op_id: &str, result: Result<HttpResponse, NetError>, now: Millis) {
        let Some(op) = self.operation(op_id).cloned() else {
            return;
        };
        let Some(c) = self.conn(&op.connection) else {
            return;
        };
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                let msg = format!(
                    "The request may or may not have reached the provider ({}). Check the VM before trying again.",
                    e.0
                );
                return self.finish(op_id, Phase::NeedsCheck, Some(msg), now);
            }
        };
        let Some(vm) = c.vms.iter().find(|v| v.id == op.vm_id) else {
            return;
        };
        match c.api.parse_accepted(vm, &op.action, &resp, now) {
            Ok(acc) => {
                let first = self.next_observe(op_id, now, true);
                let o = self
                    .ops
                    .iter_mut()
                    .find(|o| o.id == op_id)
                    .expect("op exists");
                o.accepted_at = Some(now);
                o.provider_ref = Some(acc.provider_ref);
                o.phase = Phase::Accepted;
                let deadline = now + deadline_of(&o.action);
                if let Some(s) = self.sched.get_mut(op_id) {
                    s.waiting = false;
                    s.due = Some(first);
                    // The deadline runs from acceptance: time queued behind the request budget
                    // is not the provider's.
                    s.deadline = deadline;
                }
                if acc.state.is_terminal() || acc.state == TaskState::Failed {
                    // Done (or refused) at once, like Erigones' `200 SUCCESS`.
                    let obs = Observation {
                        state: acc.state,
                        raw_status: acc.raw_status,
                        ..Observation::default()
                    };
                    self.apply_observation(op_id, obs, now);
                } else {
                    o.provider_status = Some(acc.raw_status);
                }
            }
            Err(e) if resp.is_success() => {
                let msg = format!(
                    "The provider accepted the request (HTTP {}), but {} Check the VM.",
                    resp.status,
                    e.message.trim_start_matches("The provider's ")
                );
                self.finish(op_id, Phase::NeedsCheck, Some(msg), now);
            }
            Err(e) if e.kind == ErrorKind::RateLimited || e.kind == ErrorKind::Network => {
                // Not accepted: send it again once the provider allows.
                let wait = e.retry_after.unwrap_or(self.backoff(1));
                if let Some(s) = self.sched.get_mut(op_id) {
                    s.waiting = false;
                    s.due = Some(now + wait);
                }
                if let Some(op) = self.ops.iter_mut().find(|o| o.id == op_id) {
                    op.last_error = Some(e);
                }
            }
            Err(e) if e.kind == ErrorKind::Server => {
                // A 5xx to a write says nothing certain about whether it was applied: sending it
                // again could run it twice, calling it failed could be wrong.
                let status = e.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
                let said = e
                    .provider_text
                    .as_ref()
                    .map(|t| format!(" Provider said: “{t}”"))
                    .unwrap_or_default();
                let msg = format!(
                    "The provider answered with an internal error{status} and may or may not \
                     have taken the request. Check the VM, or retry.{said}"
                );
                if let Some(o) = self.ops.iter_mut().find(|o| o.id == op_id) {
                    o.last_error = Some(e);
                }
                self.rereads.push((op.connection.clone(), op.vm_id.clone()));
                self.finish(op_id, Phase::NeedsCheck, Some(msg), now);
            }
            Err(e) => {
                let conn = op.connection.clone();
                if let Some(o) = self.ops.iter_mut().find(|o| o.id == op_id) {
                    o.last_error = Some(e.clone());
                }
                self.finish(op_id, Phase::Failed, Some(e.full()), now);
                if e.kind == ErrorKind::Conflict {
                    // Our view of the VM is stale: look at it again.
                    self.rereads.push((conn, op.vm_id.clone()));
                }
            }
        }
    }

    fn on_observe(&mut self, op_id: &str, result: &Result<HttpResponse, NetError>, now: Millis) {
        let Some(op) = self.operation(op_id).cloned() else {
            return;
        };
        if !op.is_open() {
            return;
        }
        let (Some(c), Some(r)) = (self.conn(&op.connection), op.provider_ref.as_ref()) else {
            return;
        };
        let parsed = match result {
            Ok(resp) => c.api.parse_observation(r, resp, now),
            Err(e) => Err(ApiError::network(e)),
        };
        match parsed {
            Ok(obs) => self.apply_observation(op_id, obs, now),
            Err(e) => self.retry_later(op_id, e, now),
        }
    }

    fn on_observe_many(
        &mut self,
        ops: &[String],
        result: Result<HttpResponse, NetError>,
        now: Millis,
    ) {
        let open: Vec<Operation> = ops
            .iter()
            .filter_map(|id| self.operation(id))
            .filter(|o| o.is_open() && o.provider_ref.is_some())
            .cloned()
            .collect();
        let Some(c) = open.first().and_then(|o| self.conn(&o.connection)) else {
            return;
        };
        let refs: Vec<&ProviderRef> = open
            .iter()
            .filter_map(|o| o.provider_ref.as_ref())
            .collect();
        let conn = c.cfg.id.clone();
        let (parsed, vms, more) = match result {
            Ok(resp) => {
                let parsed = c.api.parse_observe_many(&refs, &resp, now);
                // Operations this page did not hold may be on the next one.
                let more = parsed.as_ref().ok().and_then(|list| {
                    let rest: Vec<&ProviderRef> = refs
                        .iter()
                        .zip(list)
                        .filter(|(_, obs)| obs.is_none())
                        .map(|(r, _)| *r)
                        .collect();
                    c.api.observe_many_next(&rest, &resp)
                });
                (parsed, c.api.observe_many_vms(&resp, now), more)
            }
            Err(e) => (Err(ApiError::network(&e)), Vec::new(), None),
        };
        match parsed {
            Ok(list) => {
                let missing: Vec<String> = open
                    .iter()
                    .zip(&list)
                    .filter(|(_, obs)| obs.is_none())
                    .map(|(o, _)| o.id.clone())
                    .collect();
                let missing = self.observe_many_continue(&conn, missing, more);
                self.observe_many_extras(&conn, &missing, vms, now);
                for (op, obs) in open.iter().zip(list) {
                    match obs {
                        Some(obs) => self.apply_observation(&op.id, obs, now),
                        None if !missing.contains(&op.id) => {} // On a next page.
                        None => {
                            if let Some(obs) = self.ended_in_place(&op.id) {
                                self.apply_observation(&op.id, obs, now);
                                continue;
                            }
                            // Not in the answer: look at it on its own, now.
                            if let Some(s) = self.sched.get_mut(&op.id) {
                                s.waiting = false;
                                s.solo = true;
                                s.due = Some(now);
                            }
                        }
                    }
                }
            }
            Err(e) => {
                for op in &open {
                    self.retry_later(&op.id, e.clone(), now);
                }
            }
        }
    }

    fn on_cancel(&mut self, op_id: &str, result: Result<HttpResponse, NetError>, now: Millis) {
        let Some(op) = self.operation(op_id).cloned() else {
            return;
        };
        let (Some(c), Some(r)) = (self.conn(&op.connection), op.provider_ref.as_ref()) else {
            return;
        };
        let parsed = match result {
            Ok(resp) => c.api.parse_cancel(r, &resp, now),
            Err(e) => Err(ApiError::network(&e)),
        };
        match parsed {
            Ok(obs) if op.is_open() => {
                self.apply_observation(op_id, obs, now);
                self.note_workflow_cancel(op_id, None);
            }
            Ok(_) => {}
            Err(e) => {
                if let Some(o) = self.ops.iter_mut().find(|o| o.id == op_id) {
                    o.message = Some(format!("Cancel was refused. {}", e.full()));
                }
                self.note_workflow_cancel(op_id, Some(e.full()));
            }
        }
    }

    /// Moves an operation by what the provider said of its task.
    fn apply_observation(&mut self, op_id: &str, obs: Observation, now: Millis) {
        let changed = self.operation(op_id).is_some_and(|o| {
            o.provider_status.as_deref() != Some(obs.raw_status.as_str())
                || (obs.progress.is_some() && obs.progress != o.progress)
        });
        let retried = self.operation(op_id).is_some_and(|o| {
            obs.attempt
                .is_some_and(|(n, _)| n > o.attempt.map_or(1, |(seen, _)| seen))
        });
        if retried {
            let since = self.answering_sent.min(now);
            if let Some(o) = self.ops.iter_mut().find(|o| o.id == op_id) {
                o.attempt_since = Some(since);
            }
        }
        let next = self.next_observe(op_id, now, changed);
        let Some(o) = self.ops.iter_mut().find(|o| o.id == op_id) else {
            return;
        };
        let conn = o.connection.clone();
        o.provider_status = Some(obs.raw_status.clone());
        o.progress = obs.progress.or(o.progress);
        o.attempt = obs.attempt.or(o.attempt);
        o.last_error = None;
        if obs.message.is_some() {
            o.message = obs.message.clone();
        }
        if obs.state.is_terminal() && obs.state != TaskState::Expired {
            if let Some(accepted) = o.attempt_since.or(o.accepted_at) {
                let kind = o.action.kind();
                if let Some(c) = self.conns.iter().find(|c| c.cfg.id == conn) {
                    // One the provider had to force says how long the guest ignored it, not
                    // how long the action takes: not learned.
                    let forced = c
                        .api
                        .forced_after(&o.action)
                        .first()
                        .is_some_and(|&f| now - accepted >= f);
                    if !forced {
                        self.policy.finished(c.cfg.dialect, kind, now - accepted);
                    }
                }
            }
        }
        let Some(o) = self.ops.iter_mut().find(|o| o.id == op_id) else {
            return;
        };
        let s = self.sched.entry(op_id.to_string()).or_default();
        s.waiting = false;
        s.errors = 0;
        match &obs.state {
            TaskState::Succeeded | TaskState::Expired => {
                o.phase = Phase::Verifying;
                o.task_ended_at = Some(now);
                o.message = (obs.state == TaskState::Expired).then(|| {
                    "The provider no longer keeps this task; the VM tells the outcome.".to_string()
                });
                // Only VM data asked for since the look that saw the task end can verify it.
                s.verify_since = Some(
                    self.answering_sent
                        .min(now)
                        .min(s.ended_seen.unwrap_or(Millis::MAX)),
                );
                s.due = Some(now);
            }
            TaskState::Failed | TaskState::Cancelled => {
                let cancelled = obs.state == TaskState::Cancelled;
                let word = if cancelled { "was cancelled" } else { "failed" };
                let msg = match &obs.message {
                    Some(m) => format!(
                        "The provider reports the action {word} (“{}”): {m}",
                        obs.raw_status
                    ),
                    None => format!(
                        "The provider reports the action {word} (“{}”).",
                        obs.raw_status
                    ),
                };
                let phase = if cancelled {
                    Phase::Cancelled
                } else {
                    Phase::Failed
                };
                let vm_id = o.vm_id.clone();
                self.finish(op_id, phase, Some(msg), now);
                // Show the VM as it really is now.
                self.rereads.push((conn.clone(), vm_id));
            }
            TaskState::Superseded { by } => {
                let msg = format!(
                    "Another operation (“{by}”) overwrote this one's status on the VM before its outcome could be seen."
                );
                self.finish(op_id, Phase::Superseded, Some(msg), now);
            }
            TaskState::Pending | TaskState::Running | TaskState::Unknown(_) => {
                o.phase = Phase::InProgress;
                s.due = Some(next);
            }
        }
        if let Some(vm) = obs.vm {
            self.merge_vms(&conn, vec![vm]);
            self.verify_open_against_inventory(&conn, now);
        } else if self
            .sched
            .get(op_id)
            .is_some_and(|s| s.ended_seen.is_some())
        {
            // VM data read since an observe-many answer showed the task ended may verify it.
            self.verify_open_against_inventory(&conn, now);
        }
    }

    fn merge_vms(&mut self, conn: &str, vms: Vec<Vm>) {
        let sent = self.answering_sent;
        let Some(c) = self.conn_mut(conn) else { return };
        for vm in vms {
            c.fresh_at.insert(vm.id.clone(), sent);
            c.power_fresh_at.remove(&vm.id);
            match c.vms.iter_mut().find(|v| v.id == vm.id) {
                Some(slot) => {
                    // A single-VM read may not say which project the VM lives in
                    // (ZennoHosting); the listing did, and a VM does not move.
                    let project = slot.project.take();
                    *slot = vm;
                    if slot.project.is_none() {
                        slot.project = project;
                    }
                }
                None => c.vms.push(vm),
            }
        }
    }

    fn retry_later(&mut self, op_id: &str, e: ApiError, now: Millis) {
        let errors = self.sched.get(op_id).map_or(0, |s| s.errors);
        let wait = e.retry_after.unwrap_or_else(|| self.backoff(errors));
        if let Some(s) = self.sched.get_mut(op_id) {
            s.waiting = false;
            s.errors += 1;
            s.due = Some(now + wait);
        }
        if let Some(o) = self.ops.iter_mut().find(|o| o.id == op_id) {
            o.last_error = Some(e);
        }
    }

    fn on_read(
        &mut self,
        conn: &str,
        ops: &[String],
        result: Result<HttpResponse, NetError>,
        now: Millis,
    ) {
        let parsed = match (self.conn(conn), result) {
            (None, _) => return,
            (Some(c), Ok(resp)) => c.api.parse_read_vm(&resp, now),
            (Some(_), Err(e)) => Err(ApiError::network(&e)),
        };
        match parsed {
            Ok(vms) => {
                self.merge_vms(conn, vms);
                for op in ops {
                    if let Some(s) = self.sched.get_mut(op) {
                        s.waiting = false;
                    }
                }
                self.verify_open_against_inventory(conn, now);
            }
            Err(e) => {
                for op in ops {
                    self.retry_later(op, e.clone(), now);
                }
            }
        }
    }

    /// Every operation waiting for its VM to show the outcome is checked against what we now know.
    fn verify_open_against_inventory(&mut self, conn: &str, now: Millis) {
        let grace = self.schedule.verify_grace;
        let every = self.schedule.verify_every;
        let waiting: Vec<String> = self
            .ops
            .iter()
            .filter(|o| o.connection == conn && o.phase == Phase::Verifying)
            .filter(|o| self.sched.get(&o.id).is_some_and(|s| !s.waiting))
            .map(|o| o.id.clone())
            .collect();
        for op_id in waiting {
            let op = self.operation(&op_id).expect("listed above").clone();
            let since = self
                .sched
                .get(&op_id)
                .and_then(|s| s.verify_since)
                .unwrap_or(now);
            // A list of the VMs in the power state it waits for is fresh for that state alone.
            let fresh = self.conn(conn).and_then(|c| {
                let full = c.fresh_at.get(&op.vm_id).copied();
                let power = op.expect.power_only().and(c.power_fresh_at.get(&op.vm_id));
                full.max(power.copied())
            });
            if fresh.is_none_or(|t| t < since) {
                continue; // Data from before the task ended says nothing; its own read will.
            }
            let verdict = match self.vm(conn, &op.vm_id) {
                Some(vm) => op.expect.check(vm),
                None => Err("the VM is not in the provider's list".into()),
            };
            match verdict {
                Ok(()) => self.finish(&op_id, Phase::Succeeded, None, now),
                Err(why) if now - since >= grace => {
                    let msg = format!("The provider says the action completed, but {why}.");
                    self.finish(&op_id, Phase::NeedsCheck, Some(msg), now);
                }
                Err(why) => {
                    let o = self.ops.iter_mut().find(|o| o.id == op_id).expect("exists");
                    o.message = Some(format!(
                        "Provider says done; waiting for the VM to show it ({why})."
                    ));
                    if let Some(s) = self.sched.get_mut(&op_id) {
                        s.due = Some(now + every);
                    }
                }
            }
        }
    }
}
