//! ONETSolutions tasks: planning them (attempts, retries), the power actions, applying them
//! when they end, and their lists.

use serde_json::{json, Value};

use super::{
    detail, not_allowed, Effect, Kind, Onet, Task, MAX_RETRIES, MAX_TASKS_KEPT, RETRY_RATE,
    STATUSES,
};
use crate::truth::{finish_at, Completion};
use crate::util::{iso, json_response, Ctx, NEVER};
use crate::Response;

const ATTEMPT_ERRORS: [&str; 4] = [
    "Proxmox task timed out after 60 s",
    "Hypervisor node did not answer",
    "Could not acquire the VM config lock",
    "QEMU guest agent not responding",
];

impl Onet {
    pub(super) fn task_json(&self, t: &Task, now: u64) -> Value {
        let (status, retry_count, modified) = t.phase(now);
        let inst = &self.instances[t.inst];
        let result = match status {
            "completed" => {
                let mut r = json!({
                    "message": format!("{} succeeded", t.kind.task_type()),
                    "instance_status": match t.kind {
                        Kind::Delete => "deleted",
                        k => k.status_after().unwrap_or(inst.status),
                    },
                });
                match &t.effect {
                    Effect::Console(sid) => r["session_id"] = json!(sid),
                    Effect::AssignIp(a, _) => r["address"] = json!(a),
                    _ => {}
                }
                r
            }
            "failed" => json!({
                "error": t.errors.last().copied().unwrap_or("failed"),
                "attempts": t.attempts.len(),
            }),
            _ if retry_count > 0 => json!({
                "last_error": t.errors.get(retry_count as usize - 1).copied().unwrap_or(""),
            }),
            _ => Value::Null,
        };
        let first_start = t.attempts.first().map(|a| a.0).unwrap_or(NEVER);
        json!({
            "id": t.id,
            "instance_id": inst.id,
            "instance": {"id": inst.id, "name": inst.name},
            "task_type": t.kind.task_type(),
            "status": status,
            "result": result,
            "started_at": if now >= first_start { json!(iso(first_start)) } else { Value::Null },
            "completed_at": if t.finished(now) { json!(iso(t.ends())) } else { Value::Null },
            "retry_count": retry_count,
            "max_retries": MAX_RETRIES,
            "created": iso(t.created),
            "modified": iso(modified),
            "created_by": self.user_json(t.by),
            "parameters": t.parameters,
        })
    }

    /// `POST /compute/instances/{id}/{start,stop,reboot,shutdown,reset}`.
    pub(super) fn act(&mut self, ii: usize, kind: Kind, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let parameters = match ctx.body_json() {
            Ok(Value::Null) => json!({}),
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return detail(400, "Request body must be a JSON object."),
            Err(e) => return detail(400, &format!("JSON parse error - {e}")),
        };
        if self.busy(ii, now) {
            return detail(400, "Instance already has a task in progress.");
        }
        let status = self.instances[ii].status;
        let allowed = match (kind, status) {
            _ if self.instances[ii].create_failed => {
                Err("Instance was not created (its create_vps task failed); delete it.")
            }
            (Kind::Start, "running") => Err("Instance is already running."),
            (Kind::Start | Kind::Reset, _) => Ok(()),
            (_, "running") => Ok(()),
            (_, "error") => Err("Instance is in error state; only start and reset are allowed."),
            _ => Err("Instance is not running."),
        };
        if let Err(m) = allowed {
            return detail(400, m);
        }
        let ti = self.start_task(ii, kind, Effect::None, parameters, now);
        json_response(202, &self.task_json(&self.tasks[ti], now))
    }

    /// Plan a task's attempts: `failure_rate` fail all of them, [`RETRY_RATE`] of the others
    /// fail the first; a failed attempt fails part-way, a retry waits ~5 s.
    fn plan(&mut self, kind: Kind, now: u64) -> (Vec<(u64, u64)>, Vec<&'static str>, bool) {
        let fails = self.env.fails();
        let retried = !fails && self.env.rng.chance(RETRY_RATE);
        let n = if fails {
            MAX_RETRIES as usize + 1
        } else if retried {
            2
        } else {
            1
        };
        let mut t = now + self.env.duration(2_000);
        let mut attempts = Vec::with_capacity(n);
        let mut errors = Vec::new();
        for k in 0..n {
            if k > 0 {
                t += self.env.duration(5_000);
            }
            let d = self.env.duration(kind.median_ms());
            let d = if k + 1 < n || fails {
                errors.push(*self.env.rng.pick(&ATTEMPT_ERRORS));
                (d / 2).max(1)
            } else {
                d
            };
            attempts.push((t, t + d));
            t += d;
        }
        if self.env.stuck() {
            if let Some(last) = attempts.last_mut() {
                last.1 = NEVER;
            }
        }
        (attempts, errors, !fails)
    }

    /// Accept a task on instance `ii`: plan it, log it, keep it; returns its index.
    pub(super) fn start_task(
        &mut self,
        ii: usize,
        kind: Kind,
        effect: Effect,
        parameters: Value,
        now: u64,
    ) -> usize {
        let (attempts, errors, ok) = self.plan(kind, now);
        let ends = attempts.last().map_or(now, |a| a.1);
        let inst = &self.instances[ii];
        // A create is over once the point is available (the lag fault: later than the task).
        let finished = match kind {
            Kind::CreateSnapshot | Kind::CreateBackup if ok && ends != NEVER => {
                ends.saturating_add(self.env.lag_ms)
            }
            k if k.is_issue16() && ok && ends != NEVER => ends.saturating_add(self.env.lag_ms),
            _ => ends,
        };
        let lag = if kind.is_issue16() && ok {
            self.env.lag_ms
        } else {
            0
        };
        self.env.log.record(Completion {
            dialect: "onetsolutions",
            vm_id: inst.id.clone(),
            vm_name: inst.name.clone(),
            action: kind.verb(),
            accepted_at_ms: now,
            finished_at_ms: finish_at(finished),
            succeeded: ok,
            task_status: if ok { "completed" } else { "failed" },
            visible: true,
        });
        self.tasks.push(Task {
            id: self.ids.uuid(),
            inst: ii,
            kind,
            effect,
            created: now,
            attempts,
            ok,
            errors,
            applied: false,
            parameters,
            by: self.caller,
            lag,
        });
        self.tasks.len() - 1
    }

    /// Apply every task that ended by `now`, oldest end first.
    pub(super) fn apply_due(&mut self, now: u64) {
        let mut due: Vec<usize> = (0..self.tasks.len())
            .filter(|&i| !self.tasks[i].applied && self.tasks[i].lands() <= now)
            .collect();
        due.sort_by_key(|&i| (self.tasks[i].lands(), i));
        for i in due {
            let t = &mut self.tasks[i];
            t.applied = true;
            let (ii, ok, kind, ends) = (t.inst, t.ok, t.kind, t.ends());
            let effect = t.effect.clone();
            let inst = &mut self.instances[ii];
            inst.modified_ms = ends;
            match (ok, kind) {
                (false, Kind::Create) => {
                    inst.status = "error";
                    inst.create_failed = true;
                }
                (false, _) => {}
                (true, Kind::Delete) => inst.gone = true,
                (true, _) => {
                    if let Some(s) = kind.status_after() {
                        inst.status = s;
                    }
                    inst.provisioned |= kind == Kind::Create;
                    self.apply_effect(ii, kind, effect);
                }
            }
        }
        // keep the newest finished tasks only (a long-running demo must not grow forever)
        if self.tasks.len() > MAX_TASKS_KEPT {
            let mut excess = self.tasks.len() - MAX_TASKS_KEPT;
            self.tasks.retain(|t| {
                if excess > 0 && t.applied {
                    excess -= 1;
                    false
                } else {
                    true
                }
            });
        }
    }

    /// `GET /compute/tasks?status=&page=&page_size=`, newest first.
    pub(super) fn list_tasks(&self, ctx: &Ctx) -> Response {
        if ctx.method != "GET" {
            return not_allowed(&ctx.method);
        }
        let wanted: Option<Vec<&str>> = ctx.q("status").filter(|s| !s.is_empty()).map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .collect()
        });
        if let Some(bad) = wanted.iter().flatten().find(|s| !STATUSES.contains(s)) {
            return json_response(
                400,
                &json!({"status": [format!("Select a valid choice. {bad} is not one of the available choices.")]}),
            );
        }
        let now = ctx.now;
        let mut list: Vec<&Task> = self
            .tasks
            .iter()
            .filter(|t| wanted.as_ref().is_none_or(|w| w.contains(&t.phase(now).0)))
            .collect();
        list.sort_by_key(|t| std::cmp::Reverse(t.created));
        let items = list.iter().map(|t| self.task_json(t, now)).collect();
        self.paginate(ctx, "/compute/tasks", items)
    }

    /// `GET /compute/instances/{id}/tasks`, newest first.
    pub(super) fn instance_tasks(&self, ii: usize, ctx: &Ctx) -> Response {
        let mut list: Vec<&Task> = self.tasks.iter().filter(|t| t.inst == ii).collect();
        list.sort_by_key(|t| std::cmp::Reverse(t.created));
        let items = list.iter().map(|t| self.task_json(t, ctx.now)).collect();
        let path = format!("/compute/instances/{}/tasks", self.instances[ii].id);
        self.paginate(ctx, &path, items)
    }
}
