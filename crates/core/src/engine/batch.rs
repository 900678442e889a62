//! Requests that serve many operations at once: observe-many (one look at many tasks), its
//! next pages, read-many (one read verifying many VMs), power lists (the VMs in one state) —
//! each sent only where it costs fewer requests *and* fewer bytes than what it replaces — and
//! the order in which a short budget is spent.

use std::collections::BTreeMap;

use crate::engine::conn::{Class, Cost};
use crate::engine::flights::FlightKind;
use crate::engine::round::Round;
use crate::engine::Core;
use crate::ids::{ConnId, OpId};
use crate::model::{Operation, Phase, PowerTarget, ProviderRef};
use crate::time::Millis;

/// The share of a connection's sustained request rate that looks at running tasks may take
/// while its bucket runs low; the rest is left to verifications, re-reads and submits.
const LOOK_SHARE: f64 = 0.75;

impl Core {
    /// Whether an observe-many request of this connection can cover this operation at all.
    pub(crate) fn batchable(&self, op: &Operation) -> bool {
        let Some(c) = self.conns.get(&op.connection) else {
            return false;
        };
        op.provider_ref
            .as_ref()
            .is_some_and(|r| c.caps.observes_many(r.kind()))
    }

    /// Looks due now, per connection, that one observe-many request can cover (with
    /// piggybacking, every one it could cover rides along when it goes anyway) — unless the
    /// answer would cost more bytes than looking at each on its own.
    pub(crate) fn round_observe_many(&mut self, now: Millis, round: &mut Round) {
        let mut by_conn: BTreeMap<ConnId, (Vec<OpId>, Vec<OpId>)> = BTreeMap::new();
        for rec in self.ops.iter() {
            let s = &rec.sched;
            let ready = self
                .conns
                .get(&rec.op.connection)
                .is_some_and(|c| c.ready(now));
            if !rec.is_open() || s.waiting() || !ready || s.cancel_requested {
                continue;
            }
            if rec.op.phase.is_observing() && !s.solo && self.batchable(&rec.op) {
                let (due, all) = by_conn.entry(rec.op.connection.clone()).or_default();
                if s.due.is_some_and(|d| d <= now) {
                    due.push(rec.op.id.clone());
                }
                all.push(rec.op.id.clone());
            }
        }
        let limit = self.policy.batch_limit().unwrap_or(1);
        let piggyback = self.policy.piggyback();
        for (conn, (due, all)) in by_conn {
            let ids = if piggyback && !due.is_empty() {
                all
            } else {
                due
            };
            if ids.len() < 2 || limit < 2 {
                continue;
            }
            for chunk in ids.chunks(limit) {
                let Some(request) = self.observe_many_for(&conn, chunk) else {
                    continue;
                };
                let c = self.conns.get(&conn).expect("listed");
                // Bytes count too: a whole-fleet answer to learn of a few tasks is worse than a
                // few small looks (Erigones' `/vm/status/` at 10,000 VMs is 2 MB).
                let many = Cost::many(&request.url);
                if c.cost.singles_cheaper(many, Class::Observe, chunk.len())
                    && round.allowance.left(&conn) >= chunk.len()
                {
                    continue;
                }
                if round.allowance.take(&conn) {
                    round.batched.extend(chunk.iter().cloned());
                    let kind = FlightKind::ObserveMany {
                        ops: chunk.to_vec(),
                    };
                    round.push(kind, conn.clone(), request);
                }
            }
        }
    }

    fn observe_many_for(&self, conn: &ConnId, ids: &[OpId]) -> Option<crate::http::HttpRequest> {
        let refs: Vec<&ProviderRef> = ids
            .iter()
            .filter_map(|id| self.ops.get(id)?.op.provider_ref.as_ref())
            .collect();
        if ids.len() < 2 || refs.len() != ids.len() {
            return None;
        }
        self.conns.get(conn)?.api.observe_many_request(&refs)
    }

    /// Next pages of observe-many answers, sent before anything else looks at running tasks:
    /// their operations wait for them, and count as missing only after the last page. An
    /// operation closed or rescheduled meanwhile (a reload, a take-over) is dropped from it.
    pub(crate) fn send_observe_more(&mut self, now: Millis, round: &mut Round) {
        for (conn, ops, request) in std::mem::take(&mut self.observe_more) {
            let ops: Vec<OpId> = ops
                .into_iter()
                .filter(|id| {
                    self.ops
                        .get(id)
                        .is_some_and(|r| r.is_open() && r.sched.waiting())
                })
                .collect();
            if ops.is_empty() {
                continue;
            }
            let ready = self.conns.get(&conn).is_some_and(|c| c.ready(now));
            if ready && round.allowance.take(&conn) {
                for id in &ops {
                    if let Some(r) = self.ops.get_mut(id) {
                        r.sched.polls += 1;
                    }
                }
                round.push(FlightKind::ObserveMany { ops }, conn, request);
            } else {
                // Over budget or held by a rate limit: next round.
                self.observe_more.push((conn, ops, request));
            }
        }
    }

    /// After an observe-many answer: the operations it did not hold go on to the next page when
    /// the dialect gives one (they stay waiting), and are the missing ones otherwise.
    pub(crate) fn observe_many_continue(
        &mut self,
        conn: &ConnId,
        missing: Vec<OpId>,
        next: Option<crate::http::HttpRequest>,
    ) -> Vec<OpId> {
        let pages = self.observe_pages.entry(conn.clone()).or_default();
        match next {
            Some(request)
                if !missing.is_empty() && *pages < crate::engine::core::MAX_OBSERVE_PAGES =>
            {
                *pages += 1;
                self.observe_more.push((conn.clone(), missing, request));
                Vec::new()
            }
            _ => {
                *pages = 0;
                missing
            }
        }
    }

    /// Verifications due now on a connection whose provider re-reads many VMs in one request
    /// (Erigones' `/vm/status/`) share one, when at least two are due and it costs fewer bytes
    /// than reading each; the rest go one by one in the per-operation pass.
    pub(crate) fn batch_verify_reads(&mut self, now: Millis, round: &mut Round) {
        let mut due: BTreeMap<ConnId, Vec<OpId>> = BTreeMap::new();
        for rec in self.ops.iter() {
            if rec.op.phase != Phase::Verifying
                || rec.op.vm_id().is_none()
                || crate::engine::points::uses_points(&rec.op)
            {
                continue;
            }
            if !rec.sched.waiting() && rec.sched.due.is_some_and(|d| d <= now) {
                due.entry(rec.op.connection.clone())
                    .or_default()
                    .push(rec.op.id.clone());
            }
        }
        for (conn, ids) in due {
            for (page, ids) in self.verify_groups(&conn, ids) {
                self.verify_together(&conn, page, ids, now, round);
            }
        }
    }

    /// Verifications due together on a connection, as they can share a read: all at once where
    /// the provider re-reads many VMs in one request, by the list page they were seen on where
    /// a page carries every field (`Some(cursor)`), else none (each reads its own VM).
    fn verify_groups(
        &self,
        conn: &ConnId,
        ids: Vec<OpId>,
    ) -> Vec<(Option<Option<String>>, Vec<OpId>)> {
        let Some(c) = self.conns.get(conn) else {
            return Vec::new();
        };
        if c.caps.read_many {
            return vec![(None, ids)];
        }
        if !c.caps.list_details {
            return Vec::new();
        }
        let mut by_page: BTreeMap<Option<String>, Vec<OpId>> = BTreeMap::new();
        for id in ids {
            let cursor = self
                .ops
                .get(&id)
                .and_then(|r| r.op.vm_id())
                .and_then(|v| c.inv.cursor_of.get(v).cloned())
                .flatten();
            by_page.entry(cursor).or_default().push(id);
        }
        by_page
            .into_iter()
            .map(|(cursor, ids)| (Some(cursor), ids))
            .collect()
    }

    /// One read for `ids` (at least two), where it costs less than a read each.
    fn verify_together(
        &mut self,
        conn: &ConnId,
        page: Option<Option<String>>,
        ids: Vec<OpId>,
        now: Millis,
        round: &mut Round,
    ) {
        if ids.len() < 2 {
            return;
        }
        let Some(c) = self.conns.get(conn).filter(|c| c.ready(now)) else {
            return;
        };
        let request = match &page {
            Some(cursor) => c.api.list_request(cursor.as_deref()),
            None => {
                let vm_ids: Vec<&crate::ids::VmId> = ids
                    .iter()
                    .filter_map(|id| self.ops.get(id)?.op.vm_id())
                    .collect();
                let Some(request) = c.api.read_many_request(&vm_ids) else {
                    return;
                };
                request
            }
        };
        if c.cost
            .singles_cheaper(Cost::many(&request.url), Class::Read, ids.len())
            && round.allowance.left(conn) >= ids.len()
        {
            return;
        }
        match round.shared_index(conn, &request) {
            // The same request already goes out this round (a listing, say): ride along.
            Some(j) => match &mut round.pending[j].kind {
                FlightKind::Read { ops: riders, .. } | FlightKind::List { riders, .. } => {
                    riders.extend(ids.iter().cloned())
                }
                _ => return,
            },
            None => {
                if !round.allowance.take(conn) {
                    return;
                }
                let kind = FlightKind::Read {
                    vm: None,
                    ops: ids.clone(),
                    page,
                };
                round.push(kind, conn.clone(), request);
            }
        }
        for id in &ids {
            let r = self.ops.get_mut(id).expect("listed");
            r.sched.flight = Some(crate::ids::Token(0));
            r.sched.polls += 1;
        }
    }

    /// Power actions whose tasks were seen ended (gone from a complete observe-many answer) and
    /// that only have to show a power state: per connection and state, one list of the VMs in
    /// that state looks at all of them in place of one read each — when at least two wait for
    /// the same state; those the list does not show are then looked at on their own.
    pub(crate) fn batch_power_lists(&mut self, now: Millis, round: &mut Round) {
        let mut due: BTreeMap<(ConnId, PowerTarget), Vec<OpId>> = BTreeMap::new();
        for rec in self.ops.iter() {
            if !rec.op.phase.is_observing() {
                continue;
            }
            let Some(target) = rec.op.expect.power_only() else {
                continue;
            };
            let s = &rec.sched;
            let ready = !s.waiting() && s.solo && !s.power_listed && s.ended_seen.is_some();
            if ready && s.due.is_some_and(|d| d <= now) {
                due.entry((rec.op.connection.clone(), target))
                    .or_default()
                    .push(rec.op.id.clone());
            }
        }
        for ((conn, target), ids) in due {
            if ids.len() < 2 {
                continue;
            }
            let Some(request) = self
                .conns
                .get(&conn)
                .filter(|c| c.ready(now))
                .and_then(|c| c.api.power_list_request(target))
            else {
                continue;
            };
            if !round.allowance.take(&conn) {
                continue;
            }
            for id in &ids {
                let r = self.ops.get_mut(id).expect("listed");
                r.sched.flight = Some(crate::ids::Token(0));
                r.sched.power_listed = true;
                r.sched.polls += 1;
            }
            round.push(FlightKind::PowerList { target, ops: ids }, conn, request);
        }
    }

    /// The order of the per-operation pass when the budget cannot send everything due:
    /// 1. what closes a task already over (verifications, looks at tasks an observe-many
    ///    answer showed ended, looks for writes of unknown fate), longest due first;
    /// 2. then operation by operation, oldest first, so that a starved budget finishes what it
    ///    started before it submits more; but among the looks at running tasks, the one due
    ///    longest takes the first look's place, so that no operation is looked at again and
    ///    again while another waits (submits keep their places).
    pub(crate) fn transmit_order(&self) -> Vec<OpId> {
        let open: Vec<&crate::engine::tracker::OpRecord> =
            self.ops.iter().filter(|r| r.is_open()).collect();
        let due = |r: &&crate::engine::tracker::OpRecord| r.sched.due.unwrap_or(Millis::MAX);
        // Looks for writes of unknown fate close work too.
        let over = |r: &&crate::engine::tracker::OpRecord| {
            r.op.phase == Phase::Verifying || r.sched.ended_seen.is_some() || r.is_finding()
        };
        let (mut first, rest): (Vec<_>, Vec<_>) = open.into_iter().partition(over);
        first.sort_by_key(due);
        let submit = |r: &&crate::engine::tracker::OpRecord| r.op.phase == Phase::Submitted;
        let mut looks: Vec<_> = rest.iter().copied().filter(|r| !submit(r)).collect();
        looks.sort_by_key(due);
        let mut looks = looks.into_iter();
        let mut order: Vec<OpId> = first.iter().map(|r| r.op.id.clone()).collect();
        order.extend(rest.iter().filter_map(|r| {
            if submit(r) {
                Some(r.op.id.clone())
            } else {
                looks.next().map(|l| l.op.id.clone())
            }
        }));
        order
    }

    /// The shortest gap between two looks at this operation that the connection's budget
    /// sustains, for the policy (`PollCtx::min_interval`): 0 while the bucket is at least half
    /// full; else one observe-many request per gap for everything it covers, and one request
    /// each for the operations looked at alone, within [`LOOK_SHARE`] of the sustained rate.
    pub(crate) fn look_floor(&self, op: &Operation, now: Millis) -> Millis {
        let Some(c) = self.conns.get(&op.connection) else {
            return 0;
        };
        let mut b = c.budget.clone();
        b.refill(now);
        if b.tokens >= b.burst / 2.0 {
            return 0;
        }
        let per_ms = b.per_ms * LOOK_SHARE;
        let requests = if self.batchable(op) {
            1
        } else {
            self.ops
                .iter()
                .map(|r| &r.op)
                .filter(|o| o.connection == op.connection && o.phase.is_observing())
                .filter(|o| !self.batchable(o))
                .filter(|o| {
                    self.policy.looks_often(
                        c.cfg.dialect,
                        o.action.kind(),
                        o.accepted_at.unwrap_or(now),
                        now,
                    )
                })
                .count()
                .max(1)
        };
        (requests as f64 / per_ms) as Millis
    }
}
