//! The engine's data below the workflows: connections (with their inventories), operations,
//! requests in flight, the polling policy; and the moves that tie them together — making an
//! operation, asking the policy when to look, applying what a tracker move needs.

use std::collections::BTreeMap;

use crate::dialect::ConnectionConfig;
use crate::engine::conn::Conn;
use crate::engine::flights::Flights;
use crate::engine::ops::Ops;
use crate::engine::tracker::{Answer, Effects, OpRecord};
use crate::error::ApiError;
use crate::ids::{ConnId, OpId, VmId};
use crate::model::{Action, Operation, Phase, Target, Vm};
use crate::policy::{PollCtx, PollPolicy, Vigil};
use crate::time::{Millis, MINUTE, SECOND};
use crate::words::{Note, Refusal};

/// An observe-many answer's next pages are followed at most this deep in one chain.
pub const MAX_OBSERVE_PAGES: usize = 50;

/// The fixed parts of the schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Between re-reads while the resource catches up with a finished task.
    pub verify_every: Millis,
    /// How long the resource may lag behind a finished task before the console says so.
    pub verify_grace: Millis,
    /// Background refresh of each connection's VM list (at least; a large list is read less
    /// often, see [`Schedule::list_bytes_per_minute`]).
    pub list_every: Millis,
    /// A background listing spends at most about this many bytes a minute.
    pub list_bytes_per_minute: u64,
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
            list_bytes_per_minute: 1_000_000,
            backoff: 2 * SECOND,
            max_backoff: MINUTE,
        }
    }
}

/// What happened in the core that the layers above turn into events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Happened {
    Finished {
        op: OpId,
        phase: Phase,
    },
    ListFailed {
        conn: ConnId,
        error: ApiError,
    },
    /// A connection's settings or list state changed.
    Connection(ConnId),
    /// A part of a connection's catalogue changed state (loading, read, refused): the create
    /// form reads it, and what the user's role allows follows from it.
    Catalogue(ConnId),
    /// The provider answered a cancel (`refused`: why not).
    CancelAnswered {
        op: OpId,
        refused: Option<ApiError>,
    },
    /// A VM's snapshots or backups were asked for, read, or could not be.
    Points {
        conn: ConnId,
        vm: VmId,
        kind: crate::model::PointKind,
    },
    /// An operation started elsewhere was seen under way, and is followed from now on.
    StartedElsewhere {
        op: OpId,
    },
    /// A connection's provider history was asked for, read, or could not be.
    Activity(ConnId),
    /// A list of networks, public IPs, rules or volumes was asked for, read, or could not be.
    List {
        conn: ConnId,
        scope: crate::model::Scope,
        kind: crate::model::ResourceKind,
    },
    /// The provider showed a secret once for this operation.
    Secret {
        op: OpId,
        secret: crate::dialect::Secret,
    },
}

pub(crate) struct Core {
    pub conns: BTreeMap<ConnId, Conn>,
    pub ops: Ops,
    pub flights: Flights,
    pub policy: Box<dyn PollPolicy>,
    pub schedule: Schedule,
    /// VMs to re-read on their own (after a failure or a refusal).
    pub rereads: Vec<(ConnId, VmId)>,
    /// Next pages of observe-many answers still to read this round: connection, the operations
    /// not found yet, the request.
    pub observe_more: Vec<(ConnId, Vec<OpId>, crate::http::HttpRequest)>,
    /// Next pages already read in the current observe-many chains, by connection (a chain
    /// longer than [`MAX_OBSERVE_PAGES`] ends: the rest are looked at on their own).
    pub observe_pages: std::collections::HashMap<ConnId, usize>,
    pub happened: Vec<Happened>,
    /// Each connection's provider history, once asked for.
    pub feeds: BTreeMap<ConnId, crate::engine::feed::ActivityFeed>,
    id_prefix: String,
    seq: u64,
}

impl Core {
    pub fn new(id_prefix: String) -> Self {
        Core {
            conns: BTreeMap::new(),
            ops: Ops::default(),
            flights: Flights::default(),
            policy: Box::new(Vigil::default()),
            schedule: Schedule::default(),
            rereads: Vec::new(),
            observe_more: Vec::new(),
            observe_pages: Default::default(),
            happened: Vec::new(),
            feeds: BTreeMap::new(),
            id_prefix,
            seq: 0,
        }
    }

    /// A fresh id: `<prefix>-<n>`, `<prefix>-w<n>` (`kind` = "w"), unique across tabs and
    /// reloads by the prefix the shell gave.
    pub fn next_id(&mut self, kind: &str) -> String {
        self.seq += 1;
        format!("{}-{kind}{}", self.id_prefix, self.seq)
    }

    pub fn conn(&self, id: &ConnId) -> Option<&Conn> {
        self.conns.get(id)
    }

    pub fn conn_mut(&mut self, id: &ConnId) -> Option<&mut Conn> {
        self.conns.get_mut(id)
    }

    pub fn vm(&self, conn: &ConnId, vm: &VmId) -> Option<&Vm> {
        self.conn(conn)?.inv.get(vm)
    }

    pub fn backoff(&self, errors: u32) -> Millis {
        (self.schedule.backoff << errors.min(10)).min(self.schedule.max_backoff)
    }

    // ----- connections -----------------------------------------------------------------------

    /// Adds (or replaces) a connection; it lists its VMs at once.
    pub fn add_connection(&mut self, cfg: ConnectionConfig, now: Millis) {
        self.remove_connection(&cfg.id.clone(), now);
        let id = cfg.id.clone();
        self.conns.insert(id.clone(), Conn::new(cfg, now));
        self.happened.push(Happened::Connection(id));
    }

    /// Forgets a connection; its open operations stay in the activity list as `NeedsCheck`.
    pub fn remove_connection(&mut self, id: &ConnId, now: Millis) {
        if self.conns.remove(id).is_none() {
            return;
        }
        self.observe_more.retain(|(conn, ..)| conn != id);
        self.feeds.remove(id);
        self.rereads.retain(|(conn, _)| conn != id);
        self.flights.drop_conn(id);
        for op in self.ops.open_ids() {
            let Some(rec) = self.ops.get_mut(&op) else {
                continue;
            };
            if &rec.op.connection == id {
                rec.finish(Phase::NeedsCheck, Some(Note::ConnectionRemoved), now);
                self.happened.push(Happened::Finished {
                    op,
                    phase: Phase::NeedsCheck,
                });
            }
        }
        self.happened.push(Happened::Connection(id.clone()));
    }

    // ----- operations -----------------------------------------------------------------------

    /// An action's parameters, as this connection's provider takes them (whatever the VM's
    /// state): the connection, if they pass.
    pub fn check_action(&self, conn: &ConnId, action: &Action) -> Result<&Conn, Refusal> {
        action.validate()?;
        let c = self.conn(conn).ok_or(Refusal::UnknownConnection)?;
        c.api.validate(action)?;
        if let Action::Rebuild { image } = action {
            crate::rebuild::check_image(c.caps, c.catalogue.as_ref(), image)?;
        }
        if let Action::StartFromIso(boot) = action {
            crate::boot::check(c.caps, c.catalogue.as_ref(), boot)?;
        }
        if matches!(action, Action::ShutdownWithin { .. }) && !c.caps.forces_stop {
            return Err(Refusal::NoServerSideForce {
                provider: c.cfg.dialect,
            });
        }
        Ok(c)
    }

    /// Makes an operation without the checks of the provider's rules on the VM's state (the
    /// caller made them, or a workflow's own step: the provider has the last word). The
    /// parameters are still checked.
    pub fn create_op(
        &mut self,
        conn: &ConnId,
        target: Target,
        action: Action,
        now: Millis,
    ) -> Result<OpId, Refusal> {
        let c = self.check_action(conn, &action)?;
        let before = match target.vm_id() {
            Some(id) if action.kind().on_a_vm() => {
                Some(c.inv.get(id).cloned().ok_or(Refusal::VmNotListed)?)
            }
            _ => None,
        };
        let expect = action.expectation_on(before.as_ref(), c.caps);
        let proof = action.proof(before.as_ref(), &expect);
        let id = OpId(self.next_id(""));
        let op = Operation {
            id: id.clone(),
            connection: conn.clone(),
            target: match (&before, target) {
                (Some(vm), Target::Vm { .. }) => Target::vm(vm.id.clone(), vm.name.clone()),
                (Some(vm), Target::Point { kind, id, name, .. }) => Target::Point {
                    vm: vm.id.clone(),
                    vm_name: vm.name.clone(),
                    kind,
                    id,
                    name,
                },
                (_, t) => t,
            },
            expect,
            proof: Some(proof),
            ended_by: None,
            seen_working_at: None,
            queued: false,
            origin: Default::default(),
            action,
            phase: Phase::Submitted,
            submitted_at: now,
            accepted_at: None,
            finished_at: None,
            stage: 0,
            provider_ref: None,
            provider_status: None,
            note: None,
            progress: None,
            attempt: None,
            attempt_since: None,
            task_ended_at: None,
            last_error: None,
        };
        self.ops.insert(OpRecord::new(op, now));
        Ok(id)
    }

    /// When the policy looks at this operation's task next.
    pub fn next_look(&mut self, op_id: &OpId, now: Millis, changed: bool) -> Millis {
        let Some(rec) = self.ops.get(op_id) else {
            return now;
        };
        let op = &rec.op;
        let Some(c) = self.conns.get(&op.connection) else {
            return now;
        };
        let forced_at: Vec<Millis> = match op.accepted_at {
            Some(at) => c
                .caps
                .forced_after(&op.action)
                .into_iter()
                .map(|after| at + after)
                .collect(),
            None => Vec::new(),
        };
        let min_interval = self.look_floor(op, now);
        let ctx = PollCtx {
            op_id: op.id.as_str(),
            dialect: c.cfg.dialect,
            kind: op.action.kind(),
            accepted_at: op.attempt_since.or(op.accepted_at).unwrap_or(now),
            now,
            polls: rec.sched.polls,
            changed,
            min_interval,
            forced_at: &forced_at,
        };
        self.policy.next_observe(&ctx).max(now)
    }

    /// Applies what a tracker move needs. `sent`: when the answered request went out.
    pub fn apply(&mut self, op_id: &OpId, fx: Effects, sent: Millis, now: Millis) {
        let Some(rec) = self.ops.get(op_id) else {
            return;
        };
        let conn = rec.op.connection.clone();
        let kind = rec.op.action.kind();
        if let Some(took) = fx.learned {
            if let Some(c) = self.conns.get(&conn) {
                self.policy.finished(c.cfg.dialect, kind, took);
            }
        }
        if let Some(vm) = fx.reread {
            self.rereads.push((conn.clone(), vm));
        }
        if let Some(secret) = fx.secret {
            self.happened.push(Happened::Secret {
                op: op_id.clone(),
                secret,
            });
        }
        if let Some(phase) = fx.finished {
            self.happened.push(Happened::Finished {
                op: op_id.clone(),
                phase,
            });
            self.reread_points(op_id);
            self.reread_list(op_id);
        }
        if let Some(vm) = fx.vm {
            if let Some(c) = self.conns.get_mut(&conn) {
                c.inv.merge(vec![vm], sent);
            }
        }
        if fx.verify {
            self.verify_conn(&conn, now);
        }
    }

    /// When this operation's action has very likely ended: its likely window's end, counted from
    /// acceptance (or from the provider's retry).
    pub fn likely_by(&self, op_id: &OpId) -> Millis {
        let Some(rec) = self.ops.get(op_id) else {
            return Millis::MAX;
        };
        let op = &rec.op;
        let Some(c) = self.conns.get(&op.connection) else {
            return Millis::MAX;
        };
        let over = self.policy.likely_over(c.cfg.dialect, op.action.kind());
        op.attempt_since
            .or(op.accepted_at)
            .unwrap_or(op.submitted_at)
            .saturating_add(over)
    }

    /// Every operation of this connection waiting for its target to show the outcome is checked
    /// against what is now known.
    pub fn verify_conn(&mut self, conn: &ConnId, now: Millis) {
        let (grace, every) = (self.schedule.verify_grace, self.schedule.verify_every);
        let waiting: Vec<OpId> = self
            .ops
            .iter()
            .filter(|r| &r.op.connection == conn && r.op.phase == Phase::Verifying)
            .filter(|r| !r.sched.waiting())
            .map(|r| r.op.id.clone())
            .collect();
        for op_id in waiting {
            let Some(c) = self.conns.get(conn) else {
                return;
            };
            let Some(rec) = self.ops.get(&op_id) else {
                continue;
            };
            let mut known = crate::engine::points::known(c, &rec.op);
            let evidence = crate::model::Evidence {
                settles_as_report: c.caps.settles_as_report,
                up_since: known
                    .vm
                    .as_ref()
                    .and_then(|v| c.inv.up_since.get(&v.id).copied()),
            };
            let likely_by = self.likely_by(&op_id);
            let v = crate::engine::tracker::Verify {
                grace,
                every,
                likely_by,
                evidence,
            };
            let rec = self.ops.get_mut(&op_id).expect("listed");
            crate::engine::points::learn(&mut rec.op, known.learn.take());
            let fx = rec.verify(known.seen(), known.fresh, v, now);
            self.apply(&op_id, fx, now, now);
        }
    }

    /// Applies a move's effects for an answer.
    pub fn apply_answer(&mut self, op_id: &OpId, fx: Effects, a: Answer) {
        self.apply(op_id, fx, a.sent, a.now);
    }
}

/// What is known of an operation's target, when that was asked for, and an id learned by name.
pub(crate) fn seen_and_fresh<'a>(
    c: &'a Conn,
    op: &Operation,
) -> (Option<&'a Vm>, Option<Millis>, Option<VmId>) {
    let power_only = op.expect.power_only().is_some();
    match op.target.vm_id() {
        Some(id) => match c.inv.get(id) {
            Some(vm) => (Some(vm), c.inv.fresh(id, power_only), None),
            // Not there: a 404 or a complete listing without it says since when (the latest).
            None => (
                None,
                c.inv.fresh_at.get(id).copied().max(c.inv.listed_since),
                None,
            ),
        },
        None => match c.inv.by_name(op.target.name()) {
            Some(vm) => (Some(vm), c.inv.fresh(&vm.id, false), Some(vm.id.clone())),
            None => (None, c.inv.listed_since, None),
        },
    }
}

impl Core {
    /// When the next round has something to send, or a deadline passes (`None`: nothing is
    /// scheduled; an answer wakes the engine).
    pub fn next_wake(&self) -> Option<Millis> {
        let rereads = self.rereads.iter().filter_map(|(conn, _)| {
            let c = self.conn(conn)?;
            (!c.auth_failed).then_some(c.blocked_until)
        });
        let conns = self.conns.values().filter_map(|c| c.next_due());
        let ops = self.ops.iter().filter(|r| r.is_open()).filter_map(|r| {
            let s = &r.sched;
            let c = self.conn(&r.op.connection)?;
            if c.auth_failed || c.logging_in {
                return None;
            }
            if s.cancel_requested {
                return Some(c.blocked_until);
            }
            if s.waiting() {
                return None; // The answer on its way wakes the engine.
            }
            let observing = r.bound_by_deadline();
            match s.due {
                // The deadline comes first only when the next look is later than it; a look due
                // before it happens first, however long the budget holds it back — but not past
                // the deadline when the provider itself holds the connection back.
                Some(due) if observing && s.deadline < due => Some(s.deadline),
                Some(due) if observing && c.limited_until > s.deadline => {
                    Some(due.max(c.blocked_until).min(s.deadline))
                }
                Some(due) => Some(due.max(c.blocked_until)),
                None => observing.then_some(s.deadline),
            }
        });
        rereads.chain(conns).chain(ops).min()
    }
}
