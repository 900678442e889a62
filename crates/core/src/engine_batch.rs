//! The engine's batching helpers, kept apart from the main loop: verifications that share one
//! request, what an observe-many answer tells beyond each operation's own state, which
//! operations an observe-many request can cover at all, and how often the request budget lets
//! the policy look.

use super::*;

/// The share of a connection's sustained request rate that looks at running tasks may take
/// while its bucket runs low; the rest is left to verifications, re-reads and submits.
const LOOK_SHARE: f64 = 0.75;

impl Engine {
    /// Next pages of observe-many answers, sent before anything else looks at running tasks:
    /// their operations wait for them, and count as missing only after the last page. An
    /// operation closed or rescheduled meanwhile (a reload, a take-over) is dropped from it.
    pub(super) fn send_observe_more(
        &mut self,
        now: Millis,
        allowance: &mut Allowance,
        pending: &mut Vec<(Flight, String, HttpRequest)>,
    ) {
        for (conn, ops, request) in std::mem::take(&mut self.observe_more) {
            let ops: Vec<String> = ops
                .into_iter()
                .filter(|id| {
                    self.operation(id).is_some_and(Operation::is_open)
                        && self.sched.get(id).is_some_and(|s| s.waiting)
                })
                .collect();
            if ops.is_empty() {
                continue;
            }
            let ready = self.conn(&conn).is_some_and(|c| c.ready(now));
            if ready && allowance.take(&conn) {
                for id in &ops {
                    if let Some(o) = self.ops.iter_mut().find(|o| o.id == *id) {
                        o.polls += 1;
                    }
                }
                pending.push((Flight::ObserveMany { ops }, conn, request));
            } else {
                // Over budget or held by a rate limit: next round.
                self.observe_more.push((conn, ops, request));
            }
        }
    }

    /// After an observe-many answer: the operations it did not hold go on to the next page when
    /// the dialect gives one (they stay waiting), and are the missing ones otherwise.
    pub(super) fn observe_many_continue(
        &mut self,
        conn: &str,
        missing: Vec<String>,
        next: Option<HttpRequest>,
    ) -> Vec<String> {
        match next {
            Some(request) if !missing.is_empty() => {
                self.observe_more.push((conn.to_string(), missing, request));
                Vec::new()
            }
            _ => missing,
        }
    }

    /// Verifications due now on a connection whose provider re-reads many VMs in one request
    /// (Erigones' `/vm/status/`) share one, when at least two are due; the rest go one by one
    /// in the per-operation pass. Verifications come before anything else the per-operation
    /// pass sends: each one closes an operation whose task is already over.
    pub(super) fn batch_verify_reads(
        &mut self,
        now: Millis,
        allowance: &mut Allowance,
        pending: &mut Vec<(Flight, String, HttpRequest)>,
        shared: &mut HashMap<(String, String), usize>,
    ) {
        let mut due: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, op) in self.ops.iter().enumerate() {
            if op.phase != Phase::Verifying {
                continue;
            }
            let Some(s) = self.sched.get(&op.id) else {
                continue;
            };
            if !s.waiting && s.due.is_some_and(|d| d <= now) {
                due.entry(op.connection.clone()).or_default().push(i);
            }
        }
        for (conn, idx) in due {
            if idx.len() < 2 {
                continue;
            }
            let request = {
                let Some(c) = self.conn(&conn).filter(|c| c.ready(now)) else {
                    continue;
                };
                let ids: Vec<&str> = idx.iter().map(|&i| self.ops[i].vm_id.as_str()).collect();
                let Some(request) = c.api.read_many_request(&ids) else {
                    continue;
                };
                request
            };
            let ops: Vec<String> = idx.iter().map(|&i| self.ops[i].id.clone()).collect();
            let key = (conn.clone(), request.describe());
            match shared.get(&key).map(|&j| &mut pending[j].0) {
                // The same request already goes out this round (a listing, say): ride along.
                Some(Flight::Read { ops: riders, .. } | Flight::List { ops: riders, .. }) => {
                    riders.extend(ops);
                }
                Some(_) => continue,
                None => {
                    if !allowance.take(&conn) {
                        continue;
                    }
                    shared.insert(key, pending.len());
                    let flight = Flight::Read {
                        conn: conn.clone(),
                        ops,
                    };
                    pending.push((flight, conn.clone(), request));
                }
            }
            for &i in &idx {
                let op = &mut self.ops[i];
                if let Some(s) = self.sched.get_mut(&op.id) {
                    s.waiting = true;
                }
                op.polls += 1;
            }
        }
    }

    /// Power actions whose tasks were seen ended (gone from a complete observe-many answer, like
    /// Hostway's `?status=PROCESSING`) and that only have to show a power state: per connection
    /// and state, one list of the VMs in that state (Hostway `?status=ACTIVE` / `STOPPED`),
    /// sent after they were seen ended, looks at all of them in place of one read each. Only
    /// when at least two wait for the same state (one is better served by its own read, which
    /// tells more); those the list does not show are then looked at on their own.
    pub(super) fn batch_power_lists(
        &mut self,
        now: Millis,
        allowance: &mut Allowance,
        pending: &mut Vec<(Flight, String, HttpRequest)>,
    ) {
        let mut due: BTreeMap<(String, PowerTarget), Vec<usize>> = BTreeMap::new();
        for (i, op) in self.ops.iter().enumerate() {
            if !matches!(op.phase, Phase::Accepted | Phase::InProgress) {
                continue;
            }
            let Some(target) = op.expect.power_only() else {
                continue;
            };
            let Some(s) = self.sched.get(&op.id) else {
                continue;
            };
            let ready = !s.waiting && s.solo && !s.power_listed && s.ended_seen.is_some();
            if ready && s.due.is_some_and(|d| d <= now) {
                due.entry((op.connection.clone(), target))
                    .or_default()
                    .push(i);
            }
        }
        for ((conn, target), idx) in due {
            if idx.len() < 2 {
                continue;
            }
            let Some(request) = self
                .conn(&conn)
                .filter(|c| c.ready(now))
                .and_then(|c| c.api.power_list_request(target))
            else {
                continue;
            };
            if !allowance.take(&conn) {
                continue;
            }
            for &i in &idx {
                let op = &mut self.ops[i];
                if let Some(s) = self.sched.get_mut(&op.id) {
                    s.waiting = true;
                    s.power_listed = true;
                }
                op.polls += 1;
            }
            let ops = idx.iter().map(|&i| self.ops[i].id.clone()).collect();
            let flight = Flight::PowerList {
                conn: conn.clone(),
                target,
                ops,
            };
            pending.push((flight, conn, request));
        }
    }

    /// A list of the VMs in one power state: the VMs it shows take that state (the rest of what
    /// is known of them stays), fresh for that state as of when the request went out; the
    /// operations waiting for it whose VM it shows have ended there and are verified from it;
    /// the others are looked at on their own at once.
    pub(super) fn on_power_list(
        &mut self,
        conn: &str,
        target: PowerTarget,
        ops: &[String],
        result: Result<HttpResponse, NetError>,
        now: Millis,
    ) {
        let sent = self.answering_sent;
        let parsed = match (self.conn(conn), result) {
            (None, _) => return,
            (Some(c), Ok(resp)) => c.api.parse_power_list(target, &c.vms, &resp, now),
            (Some(_), Err(e)) => Err(ApiError::network(&e)),
        };
        let vms = match parsed {
            Ok(vms) => vms,
            Err(e) => {
                for op in ops {
                    if let Some(s) = self.sched.get_mut(op) {
                        s.power_listed = false;
                    }
                    self.retry_later(op, e.clone(), now);
                }
                return;
            }
        };
        let listed: HashMap<String, String> = vms
            .iter()
            .map(|v| (v.id.clone(), v.status_raw.clone()))
            .collect();
        if let Some(c) = self.conn_mut(conn) {
            let at: HashMap<String, usize> = c
                .vms
                .iter()
                .enumerate()
                .map(|(i, v)| (v.id.clone(), i))
                .collect();
            for vm in vms {
                // Data asked for later than this list already tells more.
                let newer = |m: &HashMap<String, Millis>| m.get(&vm.id).is_some_and(|&t| t > sent);
                if newer(&c.fresh_at) || newer(&c.power_fresh_at) {
                    continue;
                }
                if let Some(&i) = at.get(&vm.id) {
                    c.power_fresh_at.insert(vm.id.clone(), sent);
                    c.vms[i] = vm;
                }
            }
        }
        for op_id in ops {
            let Some(op) = self.operation(op_id) else {
                continue;
            };
            if !matches!(op.phase, Phase::Accepted | Phase::InProgress) {
                continue;
            }
            match listed.get(&op.vm_id) {
                Some(status) => {
                    let obs = Observation {
                        state: TaskState::Succeeded,
                        raw_status: status.clone(),
                        ..Observation::default()
                    };
                    self.apply_observation(op_id, obs, now);
                }
                None => {
                    if let Some(s) = self.sched.get_mut(op_id) {
                        s.waiting = false;
                        s.due = Some(now);
                    }
                }
            }
        }
    }

    /// The order of the per-operation pass when the budget cannot send everything due:
    /// 1. what closes a task already over (verifications, and looks at tasks an observe-many
    ///    answer showed ended), longest due first;
    /// 2. then operation by operation, oldest first, so that a starved budget finishes what it
    ///    started before it submits more; but among the looks at running tasks, the one due
    ///    longest takes the first look's place, so that no operation is looked at again and again
    ///    while another waits (submits keep their places).
    pub(super) fn transmit_order(&self) -> Vec<usize> {
        let due = |i: &usize| {
            self.sched
                .get(&self.ops[*i].id)
                .and_then(|s| s.due)
                .unwrap_or(Millis::MAX)
        };
        let over = |i: &usize| {
            let op = &self.ops[*i];
            op.phase == Phase::Verifying
                || self
                    .sched
                    .get(&op.id)
                    .is_some_and(|s| s.ended_seen.is_some())
        };
        let (mut order, rest): (Vec<usize>, Vec<usize>) = (0..self.ops.len()).partition(over);
        order.sort_by_key(due);
        let submit = |i: &usize| self.ops[*i].phase == Phase::Submitted;
        let mut looks: Vec<usize> = rest.iter().copied().filter(|i| !submit(i)).collect();
        looks.sort_by_key(due);
        let mut looks = looks.into_iter();
        order.extend(
            rest.iter()
                .filter_map(|i| if submit(i) { Some(*i) } else { looks.next() }),
        );
        order
    }

    /// Whether an observe-many request of this connection can cover this operation at all
    /// (a Hostway snapshot cannot): operations it cannot are looked at on their own schedule
    /// instead of being sent along and then looked at alone after every batch.
    pub(super) fn batchable(&self, c: &Conn, r: &ProviderRef) -> bool {
        // A property of the dialect and the kind of reference: asked once, then remembered.
        let key = (c.cfg.dialect, std::mem::discriminant(r));
        if let Some(&known) = self.batch_kinds.borrow().get(&key) {
            return known;
        }
        let known = c.api.observe_many_request(&[r, r]).is_some();
        self.batch_kinds.borrow_mut().insert(key, known);
        known
    }

    /// What an observe-many answer tells beyond each operation's state: where the answer lists
    /// every pending task, the operations missing from it had ended when it was read, so VM data
    /// read by that same request is fresh enough to verify them; VM data the answer carries is
    /// merged as read when the request went out, and waiting verifications are checked.
    pub(super) fn observe_many_extras(
        &mut self,
        conn: &str,
        missing: &[String],
        vms: Vec<Vm>,
        now: Millis,
    ) {
        let sent = self.answering_sent;
        if self
            .conn(conn)
            .is_some_and(|c| c.api.observe_many_complete())
        {
            for op in missing {
                if let Some(s) = self.sched.get_mut(op) {
                    s.ended_seen.get_or_insert(sent);
                }
            }
        }
        if !vms.is_empty() {
            self.merge_vms(conn, vms);
            self.verify_open_against_inventory(conn, now);
        }
    }

    /// A start or a stop whose task an observe-many answer listing every pending task no longer
    /// holds, and whose VM that same answer shows in the state the action was meant to reach:
    /// the task is over and the VM is there, which is what "done" means, so no read of the task
    /// is needed to learn how it ended (Erigones' `/vm/status/`; its contract decides an expired
    /// task the same way). Anything else (a reboot, which leaves the VM as it found it; a VM
    /// not there yet; VM data older than the answer) is looked at on its own as before.
    pub(super) fn ended_in_place(&self, op_id: &str) -> Option<Observation> {
        let op = self.operation(op_id)?;
        let seen = self.sched.get(op_id)?.ended_seen?;
        if !op.action.kind().changes_power() {
            return None;
        }
        op.expect.power_only()?;
        let c = self.conn(&op.connection)?;
        c.fresh_at.get(&op.vm_id).filter(|&&t| t >= seen)?;
        let vm = c.vms.iter().find(|v| v.id == op.vm_id)?;
        op.expect.check(vm).ok()?;
        Some(Observation {
            state: TaskState::Succeeded,
            raw_status: vm.status_raw.clone(),
            ..Observation::default()
        })
    }

    /// The shortest gap between two looks at this operation that the connection's budget
    /// sustains, for the policy (`PollCtx::min_interval`): 0 while the bucket is at least half
    /// full; else one observe-many request per gap for everything it covers, and one request
    /// each for the operations looked at alone, within [`LOOK_SHARE`] of the sustained rate.
    pub(super) fn look_floor(&self, op: &Operation, now: Millis) -> Millis {
        let Some(c) = self.conn(&op.connection) else {
            return 0;
        };
        let mut b = c.budget.clone();
        b.refill(now);
        if b.tokens >= b.burst / 2.0 {
            return 0;
        }
        let per_ms = b.per_ms * LOOK_SHARE;
        let batchable = |o: &Operation| {
            o.provider_ref
                .as_ref()
                .is_some_and(|r| self.batchable(c, r))
        };
        let observing = |o: &&Operation| {
            o.connection == op.connection && matches!(o.phase, Phase::Accepted | Phase::InProgress)
        };
        // Only those the policy looks at often now share the budget: one long before its likely
        // window (a snapshot submitted a minute ago) waits for it without looking.
        let often = |o: &&Operation| {
            self.policy.looks_often(
                c.cfg.dialect,
                o.action.kind(),
                o.accepted_at.unwrap_or(now),
                now,
            )
        };
        let requests = if batchable(op) {
            1
        } else {
            self.ops
                .iter()
                .filter(observing)
                .filter(|o| !batchable(o))
                .filter(often)
                .count()
                .max(1)
        };
        (requests as f64 / per_ms) as Millis
    }
}
