//! Answers: each request's response (or failure) handed to what it was sent for — the
//! connection's session or listing, a catalogue, or the trackers of the operations waiting for it.

use crate::catalogue::{Part, PartState};
use crate::dialect::{Dialect, Observation};
use crate::engine::core::Happened;
use crate::engine::flights::{Flight, FlightKind};
use crate::engine::inventory::Listed;
use crate::engine::tracker::Answer;
use crate::engine::Core;
use crate::error::{ApiError, ErrorKind};
use crate::http::{HttpResponse, NetError};
use crate::ids::{ConnId, OpId, Token};
use crate::model::{ProviderRef, TaskState};
use crate::time::Millis;

type Reply = Result<HttpResponse, NetError>;

impl Core {
    /// Hands an answer to what its request was sent for. Unknown tokens (a connection removed
    /// meanwhile, a duplicate, an answer after its time limit) are ignored.
    pub(crate) fn answer(&mut self, token: Token, result: Reply, now: Millis) {
        let Some(flight) = self.flights.remove(token) else {
            return;
        };
        let a = Answer {
            now,
            sent: flight.sent_at,
        };
        if let Some(c) = self.conns.get_mut(&flight.conn) {
            if let Ok(resp) = &result {
                c.note_limits(resp, matches!(flight.kind, FlightKind::Login), now);
                c.cost.learn(flight.class, resp.body.len());
            }
        }
        self.dispatch(flight, result, a);
    }

    fn dispatch(&mut self, flight: Flight, result: Reply, a: Answer) {
        let conn = flight.conn;
        // Answers read anyway may show operations started elsewhere: looked at once each is in.
        let spot = match (&flight.kind, &result) {
            (
                FlightKind::List { .. } | FlightKind::Read { .. } | FlightKind::ObserveMany { .. },
                Ok(resp),
            ) => Some(resp.clone()),
            _ => None,
        };
        match flight.kind {
            FlightKind::Login => self.on_login(&conn, result, a.now),
            FlightKind::List { cursor, riders } => self.on_list(&conn, cursor, &riders, result, a),
            FlightKind::Submit { op } => self.on_submit(&op, result, a),
            FlightKind::Find { op, cursor } => self.on_find(&op, cursor, result, a),
            FlightKind::Observe { ops } => {
                for op in ops {
                    self.on_observe(&op, &result, a);
                }
            }
            FlightKind::ObserveMany { ops } => self.on_observe_many(&conn, &ops, result, a),
            FlightKind::Read { vm, ops, page } => self.on_read(&conn, vm, page, &ops, result, a),
            FlightKind::PowerList { target, ops } => {
                self.on_power_list(&conn, target, &ops, result, a)
            }
            FlightKind::Cancel { op } => self.on_cancel(&op, result, a),
            FlightKind::Points { vm, kind, ops } => {
                self.on_points(&conn, &vm, kind, &ops, result, a)
            }
            FlightKind::Catalogue { part } => self.on_catalogue(&conn, part, result, a.now),
            FlightKind::Activity { page } => self.on_activity(&conn, page, result, a.now),
            FlightKind::Res { scope, kind, ops } => {
                self.on_res_list(&conn, (scope, kind), &ops, result, a)
            }
        }
        if let Some(resp) = spot {
            self.spot_elsewhere(&conn, &resp, a);
        }
    }

    /// A request got no answer within its time limit: it counts as lost, and a late answer is
    /// ignored. A submit's fate is unknown: it is looked for at the provider (or ends *Needs
    /// check*), never sent again blindly.
    pub(crate) fn lose_overdue(&mut self, now: Millis) {
        for token in self.flights.overdue(now) {
            let Some(flight) = self.flights.get_mut(token) else {
                continue;
            };
            let (sent, after) = (flight.sent_at, now - flight.sent_at);
            if let FlightKind::Submit { op } = &flight.kind {
                let op = op.clone();
                self.flights.remove(token);
                self.submit_lost(&op, sent, now);
                continue;
            }
            let lost = NetError(format!(
                "no answer within {}",
                crate::time::format_duration(after)
            ));
            self.answer(token, Err(lost), now);
        }
    }

    fn on_login(&mut self, conn: &ConnId, result: Reply, now: Millis) {
        let backoff = self.backoff(2);
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        let parsed = match result {
            Ok(resp) => c.api.parse_login(&resp, now),
            Err(e) => Err(ApiError::network(&e)),
        };
        if let Err(error) = c.on_login(parsed, backoff, now) {
            self.happened.push(Happened::ListFailed {
                conn: conn.clone(),
                error,
            });
            self.happened.push(Happened::Connection(conn.clone()));
        }
    }

    fn on_list(
        &mut self,
        conn: &ConnId,
        cursor: Option<String>,
        riders: &[OpId],
        result: Reply,
        a: Answer,
    ) {
        for op in riders {
            if let Some(r) = self.ops.get_mut(op) {
                r.sched.flight = None;
            }
        }
        let Some(c) = self.conns.get(conn) else {
            return;
        };
        let parsed = match result {
            Ok(resp) => c.api.parse_list(cursor.as_deref(), &resp, a.now),
            Err(e) => Err(ApiError::network(&e)),
        };
        self.listed(conn, cursor, riders, parsed, a);
    }

    /// One part of a listing read (or not): the inventory takes it; at the listing's end the
    /// next one is scheduled and waiting verifications are checked.
    pub(crate) fn listed(
        &mut self,
        conn: &ConnId,
        cursor: Option<String>,
        riders: &[OpId],
        parsed: Result<crate::dialect::VmPage, ApiError>,
        a: Answer,
    ) {
        let (every, per_minute) = (
            self.schedule.list_every,
            self.schedule.list_bytes_per_minute,
        );
        let backoff = self.backoff(2);
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        if let Err(e) = &parsed {
            // Under a login session a 401 only means a new session is needed (the login itself
            // says whether the credentials are refused).
            let refused = matches!(e.kind, ErrorKind::Unauthorized | ErrorKind::Forbidden);
            if refused && c.api.login_request().is_none() && c.session_until.is_none() {
                c.auth_failed = true;
            }
        }
        match c.inv.on_part(cursor, parsed, a.sent, a.now) {
            Listed::Going => return,
            Listed::Done => {
                // A large list is read less often: about `per_minute` bytes a minute at most.
                let bytes = c.cost.of(crate::engine::conn::Cost::many(
                    &c.api.list_request(None).url,
                ));
                let spread = bytes.map_or(0, |b| (b * 60_000.0 / per_minute as f64) as Millis);
                c.inv.list_due = Some(a.now + every.max(spread).min(10 * every));
            }
            Listed::Failed(error) => {
                c.inv.list_due = match error.kind {
                    // Wrong credentials will not fix themselves: wait for the user.
                    ErrorKind::Unauthorized | ErrorKind::Forbidden if c.auth_failed => None,
                    ErrorKind::RateLimited => Some(a.now + error.retry_after.unwrap_or(backoff)),
                    _ => Some(a.now + backoff),
                };
                for op in riders {
                    let wait = error.retry_after.unwrap_or(backoff);
                    if let Some(r) = self.ops.get_mut(op) {
                        r.retry_later(error.clone(), wait, a.now);
                    }
                }
                self.happened.push(Happened::ListFailed {
                    conn: conn.clone(),
                    error,
                });
                self.happened.push(Happened::Connection(conn.clone()));
                return;
            }
        }
        self.happened.push(Happened::Connection(conn.clone()));
        self.verify_conn(conn, a.now);
    }

    fn on_submit(&mut self, op_id: &OpId, result: Reply, a: Answer) {
        let Some(rec) = self.ops.get(op_id) else {
            return;
        };
        let Some(c) = self.conns.get(&rec.op.connection) else {
            return;
        };
        let stages = c.api.stages(&rec.op.action);
        let vm = rec.op.vm_id().and_then(|v| c.inv.get(v));
        let parsed = match &result {
            Ok(resp) => c
                .api
                .parse_accepted(
                    &rec.op.target,
                    vm,
                    &rec.op.action,
                    rec.op.stage,
                    resp,
                    a.now,
                )
                .map_err(|e| (e, resp.is_success().then_some(resp.status))),
            Err(e) => Err((ApiError::network(e), None)),
        };
        let fx = match parsed {
            Ok(acc) => {
                let first = self.next_look(op_id, a.now, true);
                let rec = self.ops.get_mut(op_id).expect("exists");
                rec.accept(acc, stages, first, a)
            }
            Err((e, accepted)) => self.submit_failed(op_id, e, accepted, a),
        };
        self.apply_answer(op_id, fx, a);
    }

    fn on_observe(&mut self, op_id: &OpId, result: &Reply, a: Answer) {
        if !self.ops.get(op_id).is_some_and(|r| r.is_open()) {
            return;
        }
        match self.task_answer(op_id, result, |api, r, resp| {
            api.parse_observation(r, resp, a.now)
        }) {
            Some(Ok(obs)) => self.observed(op_id, obs, a),
            Some(Err(e)) => self.read_failed(op_id, e, a.now),
            None => {}
        }
    }

    /// What the provider answered about an operation's task, read by `parse` (a request that got
    /// no answer is a network error); `None` where the operation, its connection or its task is
    /// not known.
    fn task_answer<P>(
        &self,
        op_id: &OpId,
        result: &Reply,
        parse: P,
    ) -> Option<Result<Observation, ApiError>>
    where
        P: FnOnce(&dyn Dialect, &ProviderRef, &HttpResponse) -> Result<Observation, ApiError>,
    {
        let rec = self.ops.get(op_id)?;
        let c = self.conns.get(&rec.op.connection)?;
        let r = rec.op.provider_ref.as_ref()?;
        Some(match result {
            Ok(resp) => parse(c.api.as_ref(), r, resp),
            Err(e) => Err(ApiError::network(e)),
        })
    }

    /// A read for an operation failed: it looks again later.
    pub(crate) fn read_failed(&mut self, op_id: &OpId, e: ApiError, now: Millis) {
        let errors = self.ops.get(op_id).map_or(0, |r| r.sched.errors);
        let wait = e.retry_after.unwrap_or_else(|| self.backoff(errors));
        if let Some(r) = self.ops.get_mut(op_id) {
            r.retry_later(e, wait, now);
        }
    }

    /// Moves an operation by what the provider said of its task.
    pub(crate) fn observed(&mut self, op_id: &OpId, obs: Observation, a: Answer) {
        let Some(rec) = self.ops.get(op_id) else {
            return;
        };
        let changed = rec.op.provider_status.as_deref() != Some(obs.raw_status.as_str())
            || (obs.progress.is_some() && obs.progress != rec.op.progress);
        let Some(c) = self.conns.get(&rec.op.connection) else {
            return;
        };
        let stages = c.api.stages(&rec.op.action);
        let forced_after = c.caps.forced_after(&rec.op.action).first().copied();
        // A retry seen now gives the next look a fresh window, from the retry on.
        self.ops.get_mut(op_id).expect("exists").note_retry(&obs, a);
        let next = self.next_look(op_id, a.now, changed);
        let likely_by = self.likely_by(op_id);
        let look = crate::engine::tracker::Look {
            stages,
            next,
            forced_after,
            likely_by,
        };
        let rec = self.ops.get_mut(op_id).expect("exists");
        let fx = rec.observe(obs, look, a);
        self.apply_answer(op_id, fx, a);
    }

    fn on_observe_many(&mut self, conn: &ConnId, ops: &[OpId], result: Reply, a: Answer) {
        let open: Vec<OpId> = ops
            .iter()
            .filter(|id| {
                self.ops
                    .get(id)
                    .is_some_and(|r| r.is_open() && r.op.provider_ref.is_some())
            })
            .cloned()
            .collect();
        let Some(c) = self.conns.get(conn) else {
            return;
        };
        let refs: Vec<&crate::model::ProviderRef> = open
            .iter()
            .filter_map(|id| self.ops.get(id)?.op.provider_ref.as_ref())
            .collect();
        let (parsed, vms, more) = match result {
            Ok(resp) => {
                let parsed = c.api.parse_observe_many(&refs, &resp, a.now);
                // Operations this page did not hold may be on the next one.
                let more = parsed.as_ref().ok().and_then(|list| {
                    let rest: Vec<&crate::model::ProviderRef> = refs
                        .iter()
                        .zip(list)
                        .filter(|(_, obs)| obs.is_none())
                        .map(|(r, _)| *r)
                        .collect();
                    c.api.observe_many_next(&rest, &resp)
                });
                (parsed, c.api.observe_many_vms(&resp, a.now), more)
            }
            Err(e) => (Err(ApiError::network(&e)), Vec::new(), None),
        };
        let list = match parsed {
            Ok(list) => list,
            Err(e) => {
                for op in &open {
                    self.read_failed(op, e.clone(), a.now);
                }
                return;
            }
        };
        let missing: Vec<OpId> = open
            .iter()
            .zip(&list)
            .filter(|(_, obs)| obs.is_none())
            .map(|(o, _)| o.clone())
            .collect();
        let missing = self.observe_many_continue(conn, missing, more);
        self.observe_many_extras(conn, &missing, vms, a);
        for (op, obs) in open.iter().zip(list) {
            match obs {
                Some(obs) => self.observed(op, obs, a),
                None if !missing.contains(op) => {} // On a next page.
                None => {
                    if let Some(obs) = self.ended_in_place(op) {
                        self.observed(op, obs, a);
                        continue;
                    }
                    // Not in the answer: look at it on its own, now.
                    if let Some(r) = self.ops.get_mut(op) {
                        r.sched.flight = None;
                        r.sched.solo = true;
                        r.sched.due = Some(a.now);
                    }
                }
            }
        }
    }

    /// What an observe-many answer tells beyond each operation's state: where the answer lists
    /// every pending task, the operations missing from it had ended when it was read, so VM
    /// data read by that same request is fresh enough to verify them; VM data the answer
    /// carries is merged as read when the request went out, and waiting verifications checked.
    fn observe_many_extras(
        &mut self,
        conn: &ConnId,
        missing: &[OpId],
        vms: Vec<crate::model::Vm>,
        a: Answer,
    ) {
        let complete = self
            .conns
            .get(conn)
            .is_some_and(|c| c.caps.observe_many_complete);
        if complete {
            for op in missing {
                if let Some(r) = self.ops.get_mut(op) {
                    r.sched.ended_seen.get_or_insert(a.sent);
                }
            }
        }
        if !vms.is_empty() {
            if let Some(c) = self.conns.get_mut(conn) {
                c.inv.merge(vms, a.sent);
            }
            self.verify_conn(conn, a.now);
        }
    }

    /// A start or a stop whose task an observe-many answer listing every pending task no longer
    /// holds, and whose VM that same answer shows in the state the action was meant to reach:
    /// the task is over and the VM is there, which proves it (the VM was not so before), so no
    /// read of the task is needed (Erigones' `/vm/status/`). Anything else (a reboot, which
    /// leaves the VM as it found it; a VM not there yet; VM data older than the answer) is
    /// looked at on its own.
    fn ended_in_place(&self, op_id: &OpId) -> Option<Observation> {
        let rec = self.ops.get(op_id)?;
        let seen = rec.sched.ended_seen?;
        if rec.op.proof() != crate::model::Proof::Target {
            return None;
        }
        rec.op.expect.power_only()?;
        let c = self.conns.get(&rec.op.connection)?;
        let vm_id = rec.op.vm_id()?;
        c.inv.fresh_at.get(vm_id).filter(|&&t| t >= seen)?;
        let vm = c.inv.get(vm_id)?;
        rec.op.expect.check(Some(vm)).ok()?;
        Some(Observation {
            state: TaskState::Settled,
            raw_status: vm.status_raw.clone(),
            ..Observation::default()
        })
    }

    fn on_cancel(&mut self, op_id: &OpId, result: Reply, a: Answer) {
        let Some(parsed) = self.task_answer(op_id, &result, |api, r, resp| {
            api.parse_cancel(r, resp, a.now)
        }) else {
            return;
        };
        let open = self.ops.get(op_id).is_some_and(|r| r.is_open());
        match parsed {
            Ok(obs) if open => {
                self.observed(op_id, obs, a);
                self.happened.push(Happened::CancelAnswered {
                    op: op_id.clone(),
                    refused: None,
                });
            }
            Ok(_) => {}
            Err(e) => {
                if let Some(r) = self.ops.get_mut(op_id) {
                    r.op.note = Some(crate::words::Note::CancelRefused(e.clone()));
                }
                self.happened.push(Happened::CancelAnswered {
                    op: op_id.clone(),
                    refused: Some(e),
                });
            }
        }
    }

    fn on_catalogue(&mut self, conn: &ConnId, part: Part, result: Reply, now: Millis) {
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        let state = match result {
            Ok(resp) => match c.api.parse_catalogue(part, &resp, now) {
                Ok(data) => PartState::Ready(data),
                Err(e) => PartState::Failed(e),
            },
            Err(e) => PartState::Failed(ApiError::network(&e)),
        };
        let Some(cat) = c.catalogue.as_mut() else {
            return;
        };
        if cat.parts.insert(part, state.clone()) != Some(state) {
            self.happened.push(Happened::Catalogue(conn.clone()));
        }
    }
}
