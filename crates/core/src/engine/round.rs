//! One round of requests: what is due now, within each connection's budget, shared where the
//! same read serves several, in the order that closes work before it starts more.

use std::collections::{HashMap, HashSet};

use crate::engine::budget::Allowance;
use crate::engine::conn::{Class, Cost};
use crate::engine::flights::{Flight, FlightKind, LIST_TIMEOUT, REQUEST_TIMEOUT};
use crate::engine::Core;
use crate::http::HttpRequest;
use crate::ids::{ConnId, OpId, Token};
use crate::model::{Phase, ProviderRef};
use crate::time::Millis;

/// A request for the shell to carry; hand its answer back with the same token through
/// [`crate::Engine::handle_response`].
#[derive(Clone, Debug)]
pub struct Transmit {
    pub token: Token,
    pub connection: ConnId,
    pub request: HttpRequest,
    /// Give up waiting after this long (the engine counts it lost then anyway).
    pub timeout: Millis,
}

pub(crate) struct Pending {
    pub kind: FlightKind,
    pub conn: ConnId,
    pub request: HttpRequest,
}

/// A round being put together.
pub(crate) struct Round {
    pub allowance: Allowance,
    pub pending: Vec<Pending>,
    /// Reads already in this round, by connection and `METHOD url`: the same read is sent once.
    pub shared: HashMap<(ConnId, String), usize>,
    /// Operations an observe-many request of this round covers.
    pub batched: HashSet<OpId>,
}

impl Round {
    pub fn push(&mut self, kind: FlightKind, conn: ConnId, request: HttpRequest) -> usize {
        if kind.is_shareable_read() {
            self.shared
                .insert((conn.clone(), request.describe()), self.pending.len());
        }
        self.pending.push(Pending {
            kind,
            conn,
            request,
        });
        self.pending.len() - 1
    }

    pub fn shared_index(&self, conn: &ConnId, request: &HttpRequest) -> Option<usize> {
        self.shared
            .get(&(conn.clone(), request.describe()))
            .copied()
    }
}

impl Core {
    /// The requests due at `now`.
    pub(crate) fn round(&mut self, now: Millis) -> Vec<Transmit> {
        let allowance = Allowance(
            self.conns
                .iter_mut()
                .map(|(id, c)| {
                    c.budget.refill(now);
                    (id.clone(), (c.budget.tokens.max(0.0) as usize, false))
                })
                .collect(),
        );
        let mut round = Round {
            allowance,
            pending: Vec::new(),
            shared: HashMap::new(),
            batched: HashSet::new(),
        };
        self.round_cancels(now, &mut round);
        self.round_connections(now, &mut round);
        self.round_activity(now, &mut round);
        self.round_rereads(now, &mut round);
        self.round_points(now, &mut round);
        self.round_lists(now, &mut round);
        self.round_observe_many(now, &mut round);
        self.send_observe_more(now, &mut round);
        self.batch_power_lists(now, &mut round);
        self.batch_verify_reads(now, &mut round);
        for id in self.transmit_order() {
            self.round_op(&id, now, &mut round);
        }
        self.spend(round, now)
    }

    /// Cancels the user asked for go first.
    fn round_cancels(&mut self, now: Millis, round: &mut Round) {
        for id in self.ops.open_ids() {
            let rec = self.ops.get(&id).expect("listed");
            if !rec.sched.cancel_requested {
                continue;
            }
            let conn = rec.op.connection.clone();
            let Some(c) = self.conns.get(&conn).filter(|c| c.ready(now)) else {
                continue;
            };
            let Some(request) = rec
                .op
                .provider_ref
                .as_ref()
                .and_then(|r| c.api.cancel_request(r))
            else {
                continue;
            };
            if round.allowance.take(&conn) {
                self.ops
                    .get_mut(&id)
                    .expect("listed")
                    .sched
                    .cancel_requested = false;
                round.push(FlightKind::Cancel { op: id }, conn, request);
            }
        }
    }

    /// Sessions, catalogues and listings.
    fn round_connections(&mut self, now: Millis, round: &mut Round) {
        let mut loops = Vec::new();
        for (id, c) in self.conns.iter_mut() {
            if c.auth_failed || c.blocked_until > now {
                continue;
            }
            c.expire_session(now);
            if let Some(login) = c.api.login_request() {
                if !c.logging_in && round.allowance.take(id) {
                    c.logging_in = true;
                    round.push(FlightKind::Login, id.clone(), login);
                }
                continue;
            }
            while !c.catalogue_queue.is_empty() {
                if !round.allowance.take(id) {
                    break;
                }
                let (part, request) = c.catalogue_queue.remove(0);
                round.push(FlightKind::Catalogue { part }, id.clone(), request);
            }
            c.inv.start_listing_if_due(now);
            let Some(l) = c.inv.listing.as_mut() else {
                continue;
            };
            while let Some(cursor) = l.next_part(now) {
                let request = c.api.list_request(cursor.as_deref());
                if l.would_loop(&cursor, &request.describe()) {
                    loops.push((id.clone(), cursor));
                    break;
                }
                if !round.allowance.take(id) {
                    l.put_back(cursor);
                    break;
                }
                l.note_sent(request.describe());
                let kind = FlightKind::List {
                    cursor,
                    riders: Vec::new(),
                };
                round.push(kind, id.clone(), request);
            }
        }
        // A part asked for again: the provider's pages loop. The listing ends with what it read.
        for (conn, cursor) in loops {
            let error = crate::error::ApiError::bad_response(
                "the VM list",
                format!(
                    "its page “{}” came back again, so its pages would never end",
                    cursor.as_deref().unwrap_or("1")
                ),
            );
            let a = crate::engine::tracker::Answer { now, sent: now };
            self.listed(&conn, cursor, &[], Err(error), a);
        }
    }

    /// VMs to look at again on their own.
    fn round_rereads(&mut self, now: Millis, round: &mut Round) {
        for (conn, vm) in std::mem::take(&mut self.rereads) {
            let Some(c) = self.conns.get(&conn) else {
                continue;
            };
            if !c.ready(now) {
                self.rereads.push((conn, vm));
                continue;
            }
            let Some(cursor) = c.read_cursor(&vm) else {
                // Not placed by the list (yet): the listing reads it.
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.inv.refresh(now);
                }
                continue;
            };
            let request = c.api.read_vm_request(&vm, cursor.as_deref());
            if round.shared_index(&conn, &request).is_some() {
                continue;
            }
            if !round.allowance.take(&conn) {
                self.rereads.push((conn, vm));
                continue;
            }
            let kind = FlightKind::Read {
                vm: Some(vm),
                ops: Vec::new(),
                page: None,
            };
            round.push(kind, conn, request);
        }
    }

    /// One operation's request, if it is due and the budget allows.
    fn round_op(&mut self, id: &OpId, now: Millis, round: &mut Round) {
        let Some(rec) = self.ops.get(id) else { return };
        if !rec.is_open() {
            return;
        }
        if round.batched.contains(id) {
            let rec = self.ops.get_mut(id).expect("exists");
            rec.sched.polls += 1;
            return;
        }
        let conn = rec.op.connection.clone();
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if rec.sched.waiting() || rec.sched.due.is_none_or(|d| d > now) || !c.ready(now) {
            return;
        }
        let op = &rec.op;
        let vm = op.vm_id().and_then(|v| c.inv.get(v));
        let read_target = || {
            if let Some((scope, kind)) = crate::engine::lists::list_read_for(op) {
                let item = op.target.res().and_then(|t| t.id);
                let request = item
                    .and_then(|id| c.api.res_item_request(&scope, kind, id))
                    .or_else(|| c.api.res_request(&scope, kind))?;
                let ops = vec![id.clone()];
                return Some((FlightKind::Res { scope, kind, ops }, request));
            }
            if let Some((vm, kind)) = crate::engine::points::points_read_for(c, op) {
                let request = c.api.points_request(c.inv.get(&vm)?, kind)?;
                let ops = vec![id.clone()];
                return Some((FlightKind::Points { vm, kind, ops }, request));
            }
            let vm_id = op.vm_id()?;
            let cursor = c.read_cursor(vm_id)?;
            Some((
                FlightKind::Read {
                    vm: Some(vm_id.clone()),
                    ops: vec![id.clone()],
                    page: None,
                },
                c.api.read_vm_request(vm_id, cursor.as_deref()),
            ))
        };
        let planned = match (op.phase, &op.provider_ref) {
            (Phase::Submitted, _) if rec.is_finding() => {
                let cursor = rec.sched.finding.as_ref().and_then(|f| f.cursor.clone());
                let Some(request) = self.find_request(id, cursor.as_deref()) else {
                    self.cannot_find(id, now);
                    return;
                };
                Some((
                    FlightKind::Find {
                        op: id.clone(),
                        cursor,
                    },
                    request,
                ))
            }
            (Phase::Submitted, _) => {
                if op.action.kind().on_a_vm() && vm.is_none() {
                    return; // Not listed (yet): the listing's answer wakes the engine.
                }
                let request = c.api.action_request(&op.target, vm, &op.action, op.stage);
                Some((FlightKind::Submit { op: id.clone() }, request))
            }
            (Phase::Accepted | Phase::InProgress, Some(ProviderRef::Watch)) => read_target(),
            (Phase::Accepted | Phase::InProgress, Some(r)) => Some((
                FlightKind::Observe {
                    ops: vec![id.clone()],
                },
                c.api.observe_request(r),
            )),
            (Phase::Verifying, _) => read_target(),
            _ => None,
        };
        let Some((kind, request)) = planned else {
            // A new VM whose id is not known, or one the list has not placed: a listing finds
            // it.
            if let Some(c) = self.conns.get_mut(&conn) {
                c.inv.refresh(now);
            }
            let every = self.schedule.verify_every;
            let rec = self.ops.get_mut(id).expect("exists");
            rec.sched.due = Some(now + every);
            return;
        };
        self.place(id, conn, kind, request, now, round);
    }

    /// Puts one operation's request in the round: sent once for all who need the same read,
    /// riding along with a listing already on its way, or on its own within the budget.
    fn place(
        &mut self,
        id: &OpId,
        conn: ConnId,
        kind: FlightKind,
        request: HttpRequest,
        now: Millis,
        round: &mut Round,
    ) {
        let is_read = kind.is_shareable_read();
        if let (FlightKind::Read { .. }, true) = (&kind, is_read) {
            let desc = request.describe();
            let riding = self
                .flights
                .iter_mut()
                .filter(|(_, f)| f.conn == conn && listing_desc(f, &desc))
                .find_map(|(t, f)| match &mut f.kind {
                    FlightKind::List { riders, .. } => Some((*t, riders)),
                    _ => None,
                });
            if let Some((token, riders)) = riding {
                riders.push(id.clone());
                let rec = self.ops.get_mut(id).expect("exists");
                rec.sched.flight = Some(token);
                rec.sched.polls += 1;
                return;
            }
        }
        let joins = is_read && round.shared_index(&conn, &request).is_some();
        if !joins && !round.allowance.take(&conn) {
            return; // Over budget: stays due for the next round.
        }
        let rec = self.ops.get_mut(id).expect("exists");
        // Looked at on its own now; it may rejoin observe-many afterwards.
        rec.sched.solo = false;
        rec.sched.polls += u32::from(rec.op.phase != Phase::Submitted);
        // The flight's token is set when the round is spent; until then, "in this round".
        rec.sched.flight = Some(Token(0));
        let _ = now;
        if let Some(i) = round.shared_index(&conn, &request).filter(|_| is_read) {
            match (&mut round.pending[i].kind, kind) {
                (FlightKind::Observe { ops }, FlightKind::Observe { ops: more })
                | (FlightKind::Read { ops, .. }, FlightKind::Read { ops: more, .. })
                | (FlightKind::Points { ops, .. }, FlightKind::Points { ops: more, .. })
                | (FlightKind::Res { ops, .. }, FlightKind::Res { ops: more, .. })
                | (FlightKind::List { riders: ops, .. }, FlightKind::Read { ops: more, .. }) => {
                    ops.extend(more)
                }
                (_, other) => {
                    round.push(other, conn, request);
                }
            }
            return;
        }
        round.push(kind, conn, request);
    }

    /// Spends the budget, records the flights, and hands the requests out.
    fn spend(&mut self, round: Round, now: Millis) -> Vec<Transmit> {
        for (id, c) in self.conns.iter_mut() {
            let sent = round.pending.iter().filter(|p| &p.conn == id).count();
            c.budget.tokens -= sent as f64;
            if round.allowance.starved(id) {
                c.blocked_until = c.blocked_until.max(c.budget.ready_at());
            }
        }
        let mut out = Vec::with_capacity(round.pending.len());
        for p in round.pending {
            let class = match &p.kind {
                FlightKind::Observe { .. } => Class::Observe,
                FlightKind::Read { vm: Some(_), .. } => Class::Read,
                _ => Cost::many(&p.request.url),
            };
            let timeout = match p.kind {
                FlightKind::List { .. } | FlightKind::Catalogue { .. } => LIST_TIMEOUT,
                _ => REQUEST_TIMEOUT,
            };
            let ops: Vec<OpId> = p.kind.ops().to_vec();
            let submit = matches!(p.kind, FlightKind::Submit { .. });
            let token = self.flights.insert(Flight {
                desc: p.request.describe(),
                kind: p.kind,
                conn: p.conn.clone(),
                sent_at: now,
                deadline: now.saturating_add(timeout),
                class,
            });
            for op in ops {
                if let Some(rec) = self.ops.get_mut(&op) {
                    rec.sched.flight = Some(token);
                    if submit {
                        rec.sched.sent_at = Some(now);
                    }
                }
            }
            out.push(Transmit {
                token,
                connection: p.conn,
                request: p.request,
                timeout,
            });
        }
        out
    }
}

/// Whether a listing in flight is the same request as `desc`.
fn listing_desc(f: &Flight, desc: &str) -> bool {
    matches!(f.kind, FlightKind::List { .. }) && f.desc == desc
}
