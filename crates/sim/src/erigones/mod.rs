//! Erigones / Danube Cloud — the "task id" dialect, per `providers/erigones.md`.
//!
//! * Every path ends with `/`; a known path without it answers `301` to the slashed URL
//!   (Django's APPEND_SLASH).
//! * Auth: `ES-API-KEY: demo-key`, or `POST /accounts/login/ {username, password}`
//!   (`demo` or `demo@vigil.test` / `demo`) → `{detail, token, expires}`, then
//!   `Authorization: Token <token>`, valid for 1 hour of virtual time.
//! * `PUT /vm/{host}/status/{start,stop,reboot}/` → `201 PENDING` + `task_id` (stop and reboot set
//!   the VM to `stopping` at once); `stop {unfreeze: true}` on a frozen VM is done at once
//!   (`200 SUCCESS`). Preconditions in this order: not operational → 423; wrong state → 417
//!   `Bad action`; stop while stopping without force → 423; `update` with pending tasks → 409;
//!   per-VM action lock held → 400 FAILURE `Task did not acquire lock`.
//! * Tasks: PENDING (~1 s queue) → STARTED → SUCCESS / FAILURE (or REVOKED by cancel).
//!   `GET /task/{id}/status/` mirrors the state in the HTTP code (201/200/400/410) and answers
//!   `404` once the task has been finished for **10 minutes** (assumed expiry).
//! * Graceful stop/reboot: ~30 s / ~20 s; at 10 % the guest ignores the ACPI request and the
//!   node forces it after `timeout` (default 180 s, 300 s for Windows) — still SUCCESS.
//!   `force` → ~5 s. A forced stop while a graceful one runs finishes both.

use serde_json::{json, Value};

use crate::fleet::{self, IMAGES};
use crate::truth::{finish_at, Completion, VmFact, VmState};
use crate::util::{iso, json_response, window, with_query, Ctx, Env, Rng, NEVER};
use crate::{Dialect, Response, Scenario};

pub const PREFIX: &str = "/erigones/api";
/// A finished task's status stays readable this long, then answers 404 (assumed).
pub const TASK_EXPIRY_MS: u64 = 10 * 60_000;
/// Login tokens live this long (documented: 1 h).
pub const TOKEN_TTL_MS: u64 = 3_600_000;
/// Share of graceful stops/reboots the guest ignores (forced after `timeout`).
pub const GUEST_IGNORES_RATE: f64 = 0.10;
const LOG_PAGE_SIZE: usize = 30;
const VERSION: &str = "4.4.0";
const USERNAME: &str = "demo";
const DC: &str = "main";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Start,
    Stop,
    Reboot,
    /// `GET`/`PUT …/status/current/`: ask the compute node.
    Current,
    /// `stop {unfreeze}` done at once.
    Unfreeze,
}

impl Kind {
    fn action(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Stop | Kind::Unfreeze => "stop",
            Kind::Reboot => "reboot",
            Kind::Current => "current",
        }
    }

    fn msg(self) -> &'static str {
        match self {
            Kind::Start => "Start server",
            Kind::Stop => "Stop server",
            Kind::Reboot => "Reboot server",
            Kind::Current => "Get server status",
            Kind::Unfreeze => "Unfreeze server",
        }
    }

    fn is_action(self) -> bool {
        matches!(self, Kind::Start | Kind::Stop | Kind::Reboot)
    }
}

#[derive(Clone, Debug)]
struct Task {
    id: String,
    vm: usize,
    kind: Kind,
    method: &'static str,
    created: u64,
    started: u64,
    ends: u64,
    ok: bool,
    fail_detail: String,
    revoked: Option<u64>,
    applied: bool,
    prev_status: String,
    freeze: bool,
    force: bool,
    result: Option<Value>,
    /// The task's entry in the ground-truth log (actions only).
    log: Option<u64>,
}

impl Task {
    fn finished_at(&self) -> u64 {
        self.revoked.unwrap_or(self.ends)
    }

    fn state(&self, now: u64) -> &'static str {
        match self.revoked {
            Some(t) if t <= now => "REVOKED",
            _ if now < self.started => "PENDING",
            _ if now < self.ends => "STARTED",
            _ if self.ok => "SUCCESS",
            _ => "FAILURE",
        }
    }

    fn pending(&self, now: u64) -> bool {
        matches!(self.state(now), "PENDING" | "STARTED")
    }
}

#[derive(Clone, Debug)]
struct Vm {
    hostname: String,
    uuid: String,
    alias: String,
    status: String,
    status_change: u64,
    booted_at: u64,
    windows: bool,
}

pub(crate) struct Erigones {
    vms: Vec<Vm>,
    tasks: Vec<Task>,
    tokens: Vec<(String, u64)>,
    env: Env,
    ids: Rng,
    sync_ids: Rng,
}

fn detail(status: u16, msg: &str) -> Response {
    json_response(status, &json!({ "detail": msg }))
}

const OPERATIONAL: [&str; 4] = ["running", "stopped", "stopping", "frozen"];

impl Erigones {
    pub fn new(sc: &Scenario, now: u64) -> Erigones {
        let mut rng = Rng::derive(sc.seed, 0xE416);
        let n = sc.vms;
        let vms = fleet::fleet(&mut rng, n, now, 1)
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let since = now.saturating_sub(rng.range(3_600_000, 40 * 86_400_000)) / 1000 * 1000;
                let status = if n >= 10 && i == n - 1 {
                    "notcreated"
                } else if s.running {
                    "running"
                } else {
                    "stopped"
                };
                Vm {
                    hostname: format!("{}.cust.vigil.test", s.name),
                    uuid: rng.uuid(),
                    alias: s.name,
                    status: status.to_string(),
                    status_change: since,
                    booted_at: since,
                    windows: IMAGES[s.image].windows,
                }
            })
            .collect();
        Erigones {
            vms,
            tasks: Vec::new(),
            tokens: Vec::new(),
            env: Env::new(sc.seed, 0xE416_5EED, sc.failure_rate, sc.speed),
            ids: Rng::derive(sc.seed, 0x0E41_61D5),
            sync_ids: Rng::derive(sc.seed, 0x0E41_61D6),
        }
    }

    /// Task ids of actions come from their own stream, apart from the ids every synchronous
    /// answer carries: the same writes give the same tasks whatever was read in between.
    fn task_id(&mut self, sync: bool) -> String {
        let r = if sync {
            &mut self.sync_ids
        } else {
            &mut self.ids
        };
        let head = if sync { "0" } else { "1e1d1" };
        format!("{head}-{}-{}-{}-{}", r.hex(8), r.hex(4), r.hex(4), r.hex(4))
    }

    fn envelope(&mut self, status: u16, state: &str, result: Value) -> Response {
        let id = self.task_id(true);
        let mut r = json_response(
            status,
            &json!({"status": state, "result": result, "task_id": id}),
        );
        r.set_header("es_task_id", id);
        r
    }

    fn vm_tasks(&self, vi: usize, now: u64) -> Value {
        let mut m = serde_json::Map::new();
        for t in self.tasks.iter().filter(|t| t.vm == vi && t.pending(now)) {
            m.insert(
                t.id.clone(),
                json!({
                    "view": if t.kind == Kind::Current { "vm_status_current" } else { "vm_status" },
                    "method": t.method,
                    "action": t.kind.action(),
                    "hostname": self.vms[vi].hostname,
                    "time": iso(t.created),
                }),
            );
        }
        Value::Object(m)
    }

    fn vm_json(&self, vi: usize, now: u64) -> Value {
        let vm = &self.vms[vi];
        let uptime = if vm.status == "running" || vm.status == "stopping" {
            json!(now.saturating_sub(vm.booted_at) / 1000)
        } else {
            Value::Null
        };
        json!({
            "hostname": vm.hostname,
            "uuid": vm.uuid,
            "alias": vm.alias,
            "status": vm.status,
            "status_change": iso(vm.status_change),
            "node_status": "online",
            "tasks": self.vm_tasks(vi, now),
            "uptime": uptime,
        })
    }

    fn find_vm(&self, key: &str) -> Option<usize> {
        self.vms
            .iter()
            .position(|v| v.hostname.eq_ignore_ascii_case(key) || v.uuid.eq_ignore_ascii_case(key))
    }

    fn task_json(&self, t: &Task, now: u64) -> (u16, Value) {
        let state = t.state(now);
        let (code, result) = match state {
            "PENDING" | "STARTED" => (201, Value::Null),
            "SUCCESS" => (200, t.result.clone().unwrap_or(Value::Null)),
            "FAILURE" => (400, t.result.clone().unwrap_or(Value::Null)),
            _ => (410, json!({"detail": "Task was revoked"})),
        };
        (
            code,
            json!({"status": state, "result": result, "task_id": t.id}),
        )
    }

    fn task_response(&self, t: &Task, now: u64) -> Response {
        let (code, body) = self.task_json(t, now);
        let mut r = json_response(code, &body);
        r.set_header("es_task_id", t.id.clone());
        r
    }

    /// A task that exists and has not expired (finished more than [`TASK_EXPIRY_MS`] ago).
    fn live_task(&self, id: &str, now: u64) -> Option<usize> {
        self.tasks.iter().position(|t| {
            t.id == id && (t.pending(now) || t.finished_at().saturating_add(TASK_EXPIRY_MS) > now)
        })
    }

    fn new_task(
        &mut self,
        vi: usize,
        kind: Kind,
        method: &'static str,
        now: u64,
        dur: u64,
    ) -> usize {
        let queue = self.env.duration(1_000);
        let ok = kind == Kind::Current || kind == Kind::Unfreeze || !self.env.fails();
        let stuck = kind.is_action() && self.env.stuck();
        let id = self.task_id(false);
        let fail_detail = match kind {
            Kind::Start => {
                "Failed to start VM: vmadm start exited with error (zone failed to boot)"
            }
            Kind::Stop => "Failed to stop VM: vmadm stop timed out on the compute node",
            Kind::Reboot => "Failed to reboot VM: vmadm reboot exited with error",
            _ => "",
        };
        let (started, ends) = if kind == Kind::Unfreeze {
            (now, now)
        } else {
            (now + queue, if stuck { NEVER } else { now + queue + dur })
        };
        self.tasks.push(Task {
            id,
            vm: vi,
            kind,
            method,
            created: now,
            started,
            ends,
            ok,
            fail_detail: fail_detail.to_string(),
            revoked: None,
            applied: false,
            prev_status: self.vms[vi].status.clone(),
            freeze: false,
            force: false,
            result: None,
            log: None,
        });
        self.tasks.len() - 1
    }

    /// Puts an action task in the ground-truth log (or brings its entry up to date).
    fn log_task(&mut self, ti: usize) {
        let t = &self.tasks[ti];
        let status = match t.revoked {
            Some(_) => "REVOKED",
            None if t.ok => "SUCCESS",
            None => "FAILURE",
        };
        let (finished, ok) = (finish_at(t.finished_at()), t.ok && t.revoked.is_none());
        match t.log {
            Some(key) => self.env.log.update(key, finished, ok, status),
            None => {
                let vm = &self.vms[t.vm];
                let action = match (t.kind, t.force) {
                    (Kind::Start, _) => "start",
                    (Kind::Stop, false) => "stop",
                    (Kind::Stop, true) => "stop/force",
                    (Kind::Reboot, false) => "reboot",
                    (Kind::Reboot, true) => "reboot/force",
                    (Kind::Unfreeze, _) => "stop/unfreeze",
                    (Kind::Current, _) => return,
                };
                let key = self.env.log.record(Completion {
                    dialect: "erigones",
                    vm_id: vm.hostname.clone(),
                    vm_name: vm.alias.clone(),
                    action,
                    accepted_at_ms: t.created,
                    finished_at_ms: finished,
                    succeeded: ok,
                    task_status: status,
                    visible: true,
                });
                self.tasks[ti].log = Some(key);
            }
        }
    }

    /// Apply one finished task to its VM and store its result.
    fn finish(&mut self, ti: usize) {
        let t = self.tasks[ti].clone();
        self.tasks[ti].applied = true;
        let vm = &mut self.vms[t.vm];
        let name = vm.hostname.clone();
        if t.revoked.is_some() {
            return;
        }
        let result = if t.ok {
            match t.kind {
                Kind::Start => {
                    vm.status = "running".into();
                    vm.status_change = t.ends;
                    vm.booted_at = t.ends;
                    json!({"message": format!("Successfully started VM {name}"), "returncode": 0})
                }
                Kind::Stop => {
                    if vm.status != "stopped" && vm.status != "frozen" {
                        vm.status = if t.freeze { "frozen" } else { "stopped" }.into();
                        vm.status_change = t.ends;
                    }
                    json!({"message": format!("Successfully stopped VM {name}"), "returncode": 0})
                }
                Kind::Reboot => {
                    vm.status = "running".into();
                    vm.status_change = t.ends;
                    vm.booted_at = t.ends;
                    json!({"message": format!("Successfully rebooted VM {name}"), "returncode": 0})
                }
                Kind::Unfreeze => {
                    json!({"message": format!("Successfully unfrozen VM {name}"), "returncode": 0})
                }
                Kind::Current => json!({
                    "message": format!("Current status of VM {name} is {}", vm.status),
                    "returncode": 0,
                    "status": vm.status,
                    "status_change": iso(vm.status_change),
                    "status_changed": false,
                }),
            }
        } else {
            if vm.status == "stopping" {
                vm.status = t.prev_status.clone();
                vm.status_change = t.ends;
            }
            json!({"message": t.fail_detail, "returncode": 1, "detail": t.fail_detail})
        };
        self.tasks[ti].result = Some(result);
    }

    fn token_ok(&self, tok: &str, now: u64) -> Result<(), &'static str> {
        match self.tokens.iter().find(|(t, _)| t == tok) {
            Some((_, exp)) if *exp > now => Ok(()),
            Some(_) => Err("Token has expired."),
            None => Err("Invalid token."),
        }
    }

    fn login(&mut self, ctx: &Ctx) -> Response {
        let (user, pass) = match ctx.body_json() {
            Ok(Value::Object(m)) => (
                m.get("username")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                m.get("password")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            _ => {
                let form = crate::util::parse_url(&format!("/?{}", ctx.body));
                let get = |k: &str| {
                    form.query
                        .iter()
                        .find(|(a, _)| a == k)
                        .map(|(_, v)| v.clone())
                };
                (get("username"), get("password"))
            }
        };
        let (Some(user), Some(pass)) = (user, pass) else {
            return json_response(
                400,
                &json!({"status": "FAILURE", "result": {"username": ["This field is required."], "password": ["This field is required."]}, "detail": "username and password are required"}),
            );
        };
        let known = (user == USERNAME || user.eq_ignore_ascii_case(crate::DEMO_EMAIL))
            && pass == crate::DEMO_PASSWORD;
        if !known {
            return detail(400, "Unable to log in with provided credentials.");
        }
        let token = self.ids.hex(40);
        let expires = ctx.now + TOKEN_TTL_MS;
        self.tokens.retain(|(_, e)| *e > ctx.now);
        self.tokens.push((token.clone(), expires));
        json_response(
            200,
            &json!({"detail": "Welcome to Danube Cloud API.", "token": token, "expires": iso(expires)}),
        )
    }

    fn vm_action(&mut self, vi: usize, action: &str, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(Value::Null) => serde_json::Map::new(),
            Ok(Value::Object(m)) => m,
            Ok(_) => return detail(400, "Request data must be a JSON object"),
            Err(e) => return detail(400, &format!("JSON parse error - {e}")),
        };
        let flag = |k: &str, default: bool| {
            body.get(k)
                .and_then(crate::util::as_bool)
                .unwrap_or(default)
        };
        let status = self.vms[vi].status.clone();
        if !OPERATIONAL.contains(&status.as_str()) {
            return detail(423, "VM is not operational");
        }
        let force = flag("force", false);
        let update = flag("update", action != "stop");
        let kind = match action {
            "start" => {
                if status != "stopped" {
                    return detail(417, "Bad action");
                }
                Kind::Start
            }
            "reboot" => {
                if status != "running" {
                    return detail(417, "Bad action");
                }
                Kind::Reboot
            }
            _ => {
                if flag("unfreeze", false) {
                    if status != "frozen" {
                        return detail(417, "Bad action");
                    }
                    let ti = self.new_task(vi, Kind::Unfreeze, "PUT", now, 0);
                    let vm = &mut self.vms[vi];
                    vm.status = "stopped".into();
                    vm.status_change = now;
                    self.finish(ti);
                    self.log_task(ti);
                    return self.task_response(&self.tasks[ti], now);
                }
                if status != "running" && status != "stopping" {
                    return detail(417, "Bad action");
                }
                if status == "stopping" && !force {
                    return detail(423, "VM is already stopping; try to use force");
                }
                Kind::Stop
            }
        };
        let pending: Vec<usize> = (0..self.tasks.len())
            .filter(|&i| self.tasks[i].vm == vi && self.tasks[i].pending(now))
            .collect();
        if update && !pending.is_empty() {
            return detail(409, "VM has pending tasks");
        }
        let holder = pending
            .iter()
            .copied()
            .find(|&i| self.tasks[i].kind.is_action());
        let force_over_stopping = kind == Kind::Stop && force && status == "stopping";
        if holder.is_some() && !force_over_stopping {
            let id = self.task_id(false);
            let mut r = json_response(
                400,
                &json!({"status": "FAILURE", "result": {"detail": "Task did not acquire lock"}, "task_id": id}),
            );
            r.set_header("es_task_id", id);
            return r;
        }
        let timeout_s = body
            .get("timeout")
            .and_then(crate::util::as_uint)
            .unwrap_or(if self.vms[vi].windows { 300 } else { 180 });
        let ignores = self.env.rng.chance(GUEST_IGNORES_RATE);
        let dur = match kind {
            Kind::Start => self.env.duration(15_000),
            _ if force => self.env.duration(5_000),
            Kind::Stop if ignores => self.env.scaled(timeout_s * 1000) + self.env.duration(3_000),
            Kind::Stop => self.env.duration(30_000),
            _ if ignores => self.env.scaled(timeout_s * 1000) + self.env.duration(15_000),
            _ => self.env.duration(20_000),
        };
        let ti = self.new_task(vi, kind, "PUT", now, dur);
        self.tasks[ti].freeze = kind == Kind::Stop && flag("freeze", false);
        self.tasks[ti].force = force;
        self.log_task(ti);
        if force_over_stopping {
            // The graceful stop/reboot that was running ends together with the forced stop,
            // and shares its outcome (a reboot is interrupted).
            let (ends, ok) = (self.tasks[ti].ends, self.tasks[ti].ok);
            let fail_detail = self.tasks[ti].fail_detail.clone();
            if let Some(h) = holder {
                self.tasks[ti].prev_status = self.tasks[h].prev_status.clone();
            }
            for i in pending {
                let t = &mut self.tasks[i];
                if !t.kind.is_action() {
                    continue;
                }
                t.ends = t.ends.min(ends).max(t.started);
                match t.kind {
                    Kind::Reboot => {
                        t.ok = false;
                        t.fail_detail = "Reboot interrupted by a forced stop".into();
                    }
                    _ => {
                        t.ok = ok;
                        t.fail_detail = fail_detail.clone();
                    }
                }
                self.log_task(i);
            }
        }
        if kind != Kind::Start {
            let vm = &mut self.vms[vi];
            if vm.status != "stopping" {
                vm.status = "stopping".into();
                vm.status_change = now;
            }
        }
        let id = self.tasks[ti].id.clone();
        let mut r = json_response(
            201,
            &json!({"status": "PENDING", "result": Value::Null, "task_id": id}),
        );
        r.set_header("es_task_id", id);
        r
    }

    fn current(&mut self, vi: usize, method: &'static str, now: u64) -> Response {
        let dur = self.env.duration(1_500);
        let ti = self.new_task(vi, Kind::Current, method, now, dur);
        let id = self.tasks[ti].id.clone();
        let mut r = json_response(
            201,
            &json!({"status": "PENDING", "result": Value::Null, "task_id": id}),
        );
        r.set_header("es_task_id", id);
        r
    }

    fn cancel(&mut self, ti: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let force = match ctx.body_json() {
            Ok(Value::Object(m)) => m
                .get("force")
                .and_then(crate::util::as_bool)
                .unwrap_or(false),
            _ => false,
        } || ctx.q("force").is_some_and(|v| v == "true" || v == "1");
        match self.tasks[ti].state(now) {
            "PENDING" => {}
            "STARTED" if force => {}
            "STARTED" => {
                return detail(
                    406,
                    "Task is already running and cannot be cancelled without force",
                )
            }
            _ => return detail(406, "Task has already finished"),
        }
        let t = &mut self.tasks[ti];
        t.revoked = Some(now);
        t.applied = true;
        let (vi, prev) = (t.vm, t.prev_status.clone());
        let vm = &mut self.vms[vi];
        if vm.status == "stopping" && self.tasks[ti].kind.is_action() {
            vm.status = prev;
            vm.status_change = now;
        }
        self.log_task(ti);
        let t = &self.tasks[ti];
        let mut r = json_response(
            200,
            &json!({"status": "REVOKED", "result": {"detail": "Task was revoked"}, "task_id": t.id}),
        );
        r.set_header("es_task_id", t.id.clone());
        r
    }

    fn task_log(&mut self, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let page = match ctx.q("page").filter(|p| !p.is_empty()) {
            None => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => return detail(404, "Invalid page."),
            },
        };
        let status = ctx
            .q("status")
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_uppercase);
        if let Some(s) = &status {
            if !["PENDING", "STARTED", "SUCCESS", "FAILURE", "REVOKED"].contains(&s.as_str()) {
                return detail(400, "Invalid status filter");
            }
        }
        let object = ctx.q("object_name").filter(|s| !s.is_empty());
        let mut entries: Vec<&Task> = self
            .tasks
            .iter()
            .filter(|t| t.kind != Kind::Current)
            .filter(|t| status.as_deref().is_none_or(|s| t.state(now) == s))
            .filter(|t| {
                object.is_none_or(|o| {
                    let vm = &self.vms[t.vm];
                    vm.hostname == o || vm.alias == o || vm.uuid == o
                })
            })
            .collect();
        entries.sort_by_key(|t| std::cmp::Reverse(t.created));
        let total = entries.len();
        let pages = total.div_ceil(LOG_PAGE_SIZE).max(1);
        if page > pages {
            return detail(404, "Invalid page.");
        }
        let (s, e) = window(total, page, LOG_PAGE_SIZE);
        let link = |p: usize| {
            json!(format!(
                "{}{}",
                ctx.origin,
                with_query(
                    &format!("{PREFIX}/task/log/"),
                    ctx.query,
                    &[("page", p.to_string())]
                )
            ))
        };
        let results: Vec<Value> = entries[s..e]
            .iter()
            .map(|t| {
                let vm = &self.vms[t.vm];
                let state = t.state(now);
                let det = match (state, &t.result) {
                    ("SUCCESS" | "FAILURE", Some(r)) => r
                        .get("detail")
                        .or_else(|| r.get("message"))
                        .cloned()
                        .unwrap_or(Value::Null),
                    ("REVOKED", _) => json!("Task was revoked"),
                    _ => json!(""),
                };
                json!({
                    "time": iso(t.created),
                    "task": t.id,
                    "status": state,
                    "msg": t.kind.msg(),
                    "detail": det,
                    "username": USERNAME,
                    "object_name": vm.hostname,
                    "object_alias": vm.alias,
                    "object_type": "vm",
                    "dc": DC,
                })
            })
            .collect();
        let id = self.task_id(true);
        json_response(
            200,
            &json!({"status": "SUCCESS", "result": {
                "count": total,
                "next": if page < pages { link(page + 1) } else { Value::Null },
                "previous": if page > 1 { link(page - 1) } else { Value::Null },
                "results": results,
            }, "task_id": id}),
        )
    }

    /// The route label for a slash-less path that would match, or None.
    fn route(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let m = ctx.method.as_str();
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        let label = match segs.as_slice() {
            ["vm", "status"] => "GET /vm/status/",
            ["vm", _, "status"] => "GET /vm/{vm}/status/",
            ["vm", _, "status", "current"] => "/vm/{vm}/status/current/",
            ["vm", _, "status", "start" | "stop" | "reboot"] => "PUT /vm/{vm}/status/{action}/",
            ["task"] => "GET /task/",
            ["task", "log"] => "GET /task/log/",
            ["task", _, "status"] => "GET /task/{id}/status/",
            ["task", _, "done"] => "GET /task/{id}/done/",
            ["task", _, "cancel"] => "PUT /task/{id}/cancel/",
            _ => return ("unknown".into(), detail(404, "Not found.")),
        };
        let label = label.to_string();
        let allowed: &[&str] = match segs.as_slice() {
            ["vm", _, "status", "current"] => &["GET", "PUT"],
            ["vm", _, "status", _] | ["task", _, "cancel"] => &["PUT"],
            _ => &["GET"],
        };
        if !allowed.contains(&m) {
            return (label, detail(405, &format!("Method \"{m}\" not allowed.")));
        }
        match segs.as_slice() {
            ["vm", "status"] => {
                let list: Vec<Value> = (0..self.vms.len()).map(|i| self.vm_json(i, now)).collect();
                (label, self.envelope(200, "SUCCESS", Value::Array(list)))
            }
            ["vm", key, "status", rest @ ..] => {
                let Some(vi) = self.find_vm(key) else {
                    return (label, detail(404, "VM not found"));
                };
                match rest {
                    [] => {
                        let v = self.vm_json(vi, now);
                        (label, self.envelope(200, "SUCCESS", v))
                    }
                    ["current"] => {
                        let method = if m == "PUT" { "PUT" } else { "GET" };
                        (label, self.current(vi, method, now))
                    }
                    [action] => {
                        let action = action.to_string();
                        (label, self.vm_action(vi, &action, ctx))
                    }
                    _ => ("unknown".into(), detail(404, "Not found.")),
                }
            }
            ["task"] => {
                let ids: Vec<Value> = self
                    .tasks
                    .iter()
                    .filter(|t| t.pending(now))
                    .map(|t| json!(t.id))
                    .collect();
                (label, self.envelope(200, "SUCCESS", Value::Array(ids)))
            }
            ["task", "log"] => (label, self.task_log(ctx)),
            ["task", id, what] => {
                let Some(ti) = self.live_task(id, now) else {
                    return (label, detail(404, "Task does not exist (anymore)"));
                };
                match *what {
                    "status" => (label, self.task_response(&self.tasks[ti], now)),
                    "done" => (
                        label,
                        json_response(200, &json!({"done": !self.tasks[ti].pending(now)})),
                    ),
                    _ => (label, self.cancel(ti, ctx)),
                }
            }
            _ => ("unknown".into(), detail(404, "Not found.")),
        }
    }
}

impl Dialect for Erigones {
    fn name(&self) -> &'static str {
        "erigones"
    }

    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn advance(&mut self, now: u64) {
        let mut due: Vec<usize> = (0..self.tasks.len())
            .filter(|&i| !self.tasks[i].applied && self.tasks[i].ends <= now)
            .collect();
        due.sort_by_key(|&i| (self.tasks[i].ends, i));
        for i in due {
            self.finish(i);
        }
        // forget tasks long gone (kept 10x the expiry for the task log)
        if self.tasks.len() > 5000 {
            self.tasks.retain(|t| {
                t.pending(now) || t.finished_at().saturating_add(10 * TASK_EXPIRY_MS) > now
            });
        }
    }

    /// `GET …/status/current/` asks the compute node: it starts a task like a write does.
    fn changes_world(&self, ctx: &Ctx) -> bool {
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        ctx.method != "GET" || matches!(segs.as_slice(), ["vm", _, "status", "current"])
    }

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        let mut resp_label = None;
        if !ctx.segs.is_empty() && !ctx.trailing_slash {
            // APPEND_SLASH: redirect known paths, 404 the rest
            let known = matches!(
                segs.as_slice(),
                ["accounts", "login"] | ["vm", "status"] | ["vm", _, "status", ..] | ["task", ..]
            );
            if known {
                let mut path = format!("{PREFIX}/{}/", ctx.segs.join("/"));
                if !ctx.query.is_empty() {
                    path = with_query(&path, ctx.query, &[]);
                }
                let mut r = detail(301, "Moved permanently: API paths end with '/'");
                r.set_header("location", format!("{}{path}", ctx.origin));
                resp_label = Some(("redirect".to_string(), r));
            }
        }
        let (label, mut resp) = if let Some(x) = resp_label {
            x
        } else if segs == ["accounts", "login"] {
            if ctx.method != "POST" {
                (
                    "POST /accounts/login/".into(),
                    detail(405, "Method not allowed."),
                )
            } else {
                ("POST /accounts/login/".into(), self.login(ctx))
            }
        } else {
            let auth =
                if crate::util::header(ctx.headers, "es-api-key") == Some(crate::DEMO_ES_API_KEY) {
                    Ok(())
                } else if let Some(tok) = crate::util::auth_token(ctx.headers, "token") {
                    self.token_ok(&tok, now)
                } else if crate::util::header(ctx.headers, "es-api-key").is_some() {
                    Err("Invalid API key.")
                } else {
                    Err("Authentication credentials were not provided.")
                };
            match auth {
                Ok(()) => self.route(ctx),
                Err(m) => ("unauthenticated".into(), detail(401, m)),
            }
        };
        resp.set_header("es_version", VERSION.to_string());
        resp.set_header("es_username", USERNAME.to_string());
        resp.set_header("es_dc", DC.to_string());
        (label, resp)
    }

    fn facts(&self, _now: u64) -> Vec<VmFact> {
        self.vms
            .iter()
            .map(|vm| VmFact {
                dialect: "erigones",
                vm_id: vm.hostname.clone(),
                vm_name: vm.alias.clone(),
                state: match vm.status.as_str() {
                    "running" | "stopping" => VmState::Running,
                    "notcreated" => VmState::NotCreated,
                    _ => VmState::Stopped,
                },
                addresses: Vec::new(),
            })
            .collect()
    }

    fn error(&self, status: u16, message: &str) -> Response {
        let mut r = detail(status, message);
        r.set_header("es_version", VERSION.to_string());
        r
    }

    fn enum_fields(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[("status", &["RETRY", "RECEIVED", "migrating", "maintenance"])]
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
