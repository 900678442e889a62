//! ONETSolutions — the "task resource" dialect, per `providers/onetsolutions.md`.
//!
//! * Base `/onetsolutions/v1/organizations/demo-org/projects/demo-project`; another organization
//!   or project answers `403`.
//! * `POST /compute/instances/{id}/{start,stop,reboot,shutdown,reset}` → `202 <Task>`.
//!   A task is `pending` (queued ~2 s) → `running` → `completed` / `failed`. Every task has
//!   `max_retries: 2`: a failed attempt with `retry_count < max_retries` goes back to `pending`
//!   (retry_count + 1, ~5 s back-off) and runs again. Planned at acceptance: `failure_rate` of
//!   tasks fail all 3 attempts (→ `failed`, instance unchanged); 20 % of the others fail their
//!   first attempt and succeed on the retry.
//! * While an instance has an unfinished task its `status` is `pending`; a second action then
//!   gets `400`. start on a running instance, or stop/shutdown/reboot on a stopped one → `400`.
//! * Rate limit (documented): **1000 requests/min, bursts of 100/s**, per token, sliding windows
//!   on the virtual clock; beyond → `429` + `Retry-After` (seconds), DRF's throttle message.
//! * Pagination `page` / `page_size` (default 20, max 100) → `{count, next, previous, results}`
//!   with absolute `next`/`previous` when the request URL was absolute; bad page → `404`.

use serde_json::{json, Value};

use crate::fleet;
use crate::truth::{finish_at, Completion, VmFact, VmState};
use crate::util::{iso, json_response, window, with_query, Ctx, Env, Rng, Window, NEVER};
use crate::{Dialect, Response, Scenario};

pub const PREFIX: &str = "/onetsolutions/v1/organizations/demo-org/projects/demo-project";
pub const ORG: &str = "demo-org";
pub const PROJECT: &str = "demo-project";
pub const LIMIT_PER_MINUTE: usize = 1000;
pub const LIMIT_PER_SECOND: usize = 100;
pub const MAX_RETRIES: u32 = 2;
/// Share of non-failing tasks whose first attempt fails and is retried.
pub const RETRY_RATE: f64 = 0.20;
const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_TASKS_KEPT: usize = 5000;
const MAX_PAGE_SIZE: usize = 100;
const STATUSES: [&str; 5] = ["pending", "running", "completed", "failed", "cancelled"];

const SIZES: [(&str, &str, u32, u32, u32); 6] = [
    ("s-1c-1g", "VPS S", 1, 1, 20),
    ("s-1c-2g", "VPS M", 1, 2, 40),
    ("s-2c-4g", "VPS L", 2, 4, 80),
    ("s-4c-8g", "VPS XL", 4, 8, 160),
    ("s-8c-16g", "VPS XXL", 8, 16, 320),
    ("s-16c-32g", "VPS 3XL", 16, 32, 640),
];
const LOCATIONS: [(&str, &str, &str); 3] = [
    ("par1", "Paris", "FR"),
    ("rbx1", "Roubaix", "FR"),
    ("gra1", "Gravelines", "FR"),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Start,
    Stop,
    Reboot,
    Shutdown,
    Reset,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "start" => Kind::Start,
            "stop" => Kind::Stop,
            "reboot" => Kind::Reboot,
            "shutdown" => Kind::Shutdown,
            "reset" => Kind::Reset,
            _ => return None,
        })
    }

    /// The word in the action's URL.
    fn verb(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Stop => "stop",
            Kind::Reboot => "reboot",
            Kind::Shutdown => "shutdown",
            Kind::Reset => "reset",
        }
    }

    fn task_type(self) -> &'static str {
        match self {
            Kind::Start => "start_vps",
            Kind::Stop => "stop_vps",
            Kind::Reboot => "reboot_vps",
            Kind::Shutdown => "shutdown_vps",
            Kind::Reset => "reset_vps",
        }
    }

    fn median_ms(self) -> u64 {
        match self {
            Kind::Start => 15_000,
            Kind::Stop => 5_000,
            Kind::Reboot => 20_000,
            Kind::Shutdown => 30_000,
            Kind::Reset => 15_000,
        }
    }

    fn running_after(self) -> bool {
        !matches!(self, Kind::Stop | Kind::Shutdown)
    }
}

const ATTEMPT_ERRORS: [&str; 4] = [
    "Proxmox task timed out after 60 s",
    "Hypervisor node did not answer",
    "Could not acquire the VM config lock",
    "QEMU guest agent not responding",
];

#[derive(Clone, Debug)]
struct Task {
    id: String,
    inst: usize,
    kind: Kind,
    created: u64,
    /// (start, end) of each attempt; all but possibly the last failed.
    attempts: Vec<(u64, u64)>,
    ok: bool,
    errors: Vec<&'static str>,
    applied: bool,
    parameters: Value,
}

impl Task {
    fn ends(&self) -> u64 {
        self.attempts.last().map(|a| a.1).unwrap_or(self.created)
    }

    /// (status, retry_count, last transition ≤ now)
    fn phase(&self, now: u64) -> (&'static str, u32, u64) {
        let n = self.attempts.len();
        for (k, &(s, e)) in self.attempts.iter().enumerate() {
            if now < s {
                let t = if k == 0 {
                    self.created
                } else {
                    self.attempts[k - 1].1
                };
                return ("pending", k as u32, t);
            }
            if now < e {
                return ("running", k as u32, s);
            }
        }
        let last = self.ends();
        (
            if self.ok { "completed" } else { "failed" },
            n.saturating_sub(1) as u32,
            last,
        )
    }

    fn finished(&self, now: u64) -> bool {
        now >= self.ends()
    }
}

#[derive(Clone, Debug)]
struct Instance {
    id: String,
    legacy_id: u64,
    name: String,
    status: &'static str,
    size: usize,
    location: usize,
    created_ms: u64,
    modified_ms: u64,
    ip: String,
}

pub(crate) struct Onet {
    instances: Vec<Instance>,
    tasks: Vec<Task>,
    vpc_id: String,
    user_id: String,
    env: Env,
    ids: Rng,
    hits: Window,
}

fn detail(status: u16, m: &str) -> Response {
    json_response(status, &json!({ "detail": m }))
}

impl Onet {
    pub fn new(sc: &Scenario, now: u64) -> Onet {
        let mut rng = Rng::derive(sc.seed, 0x0E7);
        let n = sc.vms;
        let instances = fleet::fleet(&mut rng, n, now, LOCATIONS.len())
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let size = SIZES
                    .iter()
                    .position(|z| z.3 >= s.ram_gb)
                    .unwrap_or(SIZES.len() - 1);
                Instance {
                    id: rng.uuid(),
                    legacy_id: 48_000 + rng.below(9_000),
                    name: s.name,
                    status: if n >= 10 && i == n - 2 {
                        "error"
                    } else if s.running {
                        "running"
                    } else {
                        "stopped"
                    },
                    size,
                    location: s.region,
                    created_ms: s.created_ms,
                    modified_ms: now.saturating_sub(rng.range(60_000, 86_400_000)) / 1000 * 1000,
                    ip: fleet::ipv4(2, i),
                }
            })
            .collect();
        Onet {
            instances,
            tasks: Vec::new(),
            vpc_id: rng.uuid(),
            user_id: rng.uuid(),
            env: Env::new(sc.seed, 0x0E75_5EED, sc.failure_rate, sc.speed),
            ids: Rng::derive(sc.seed, 0x0E71_D5D5),
            hits: Window::default(),
        }
    }

    fn busy(&self, ii: usize, now: u64) -> bool {
        self.tasks.iter().any(|t| t.inst == ii && !t.finished(now))
    }

    fn instance_json(&self, ii: usize, now: u64) -> Value {
        let inst = &self.instances[ii];
        let (sid, sname, vcpus, ram, disk) = SIZES[inst.size];
        let (lid, lname, country) = LOCATIONS[inst.location];
        let status = if self.busy(ii, now) {
            "pending"
        } else {
            inst.status
        };
        json!({
            "id": inst.id,
            "legacy_id": inst.legacy_id,
            "organization_id": ORG,
            "project_id": PROJECT,
            "name": inst.name,
            "status": status,
            "size": {"id": sid, "name": sname, "vcpus": vcpus, "memory_gb": ram, "disk_gb": disk},
            "location": {"id": lid, "name": lname, "country": country},
            "vpc": {"id": self.vpc_id, "name": "default", "ip_address": format!("10.20.0.{}", 10 + ii % 240)},
            "public_ipv4": inst.ip,
            "created": iso(inst.created_ms),
            "modified": iso(inst.modified_ms),
        })
    }

    fn task_json(&self, t: &Task, now: u64) -> Value {
        let (status, retry_count, modified) = t.phase(now);
        let inst = &self.instances[t.inst];
        let result = match status {
            "completed" => json!({
                "message": format!("{} succeeded", t.kind.task_type()),
                "instance_status": if t.kind.running_after() { "running" } else { "stopped" },
            }),
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
            "created_by": {
                "id": self.user_id,
                "email": crate::DEMO_EMAIL,
                "first_name": "Demo",
                "last_name": "User",
            },
            "parameters": t.parameters,
        })
    }

    fn paginate(&self, ctx: &Ctx, path: &str, items: Vec<Value>) -> Response {
        let page = match ctx.q("page").filter(|p| !p.is_empty()) {
            None => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => return detail(404, "Invalid page."),
            },
        };
        let size = ctx
            .q("page_size")
            .and_then(|p| p.parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .map(|n| n.min(MAX_PAGE_SIZE))
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let total = items.len();
        let pages = total.div_ceil(size).max(1);
        if page > pages {
            return detail(404, "Invalid page.");
        }
        let (s, e) = window(total, page, size);
        let link = |p: usize| {
            json!(format!(
                "{}{}",
                ctx.origin,
                with_query(
                    &format!("{PREFIX}{path}"),
                    ctx.query,
                    &[("page", p.to_string())]
                )
            ))
        };
        json_response(
            200,
            &json!({
                "count": total,
                "next": if page < pages { link(page + 1) } else { Value::Null },
                "previous": if page > 1 { link(page - 1) } else { Value::Null },
                "results": items[s..e].to_vec(),
            }),
        )
    }

    fn act(&mut self, ii: usize, kind: Kind, ctx: &Ctx) -> Response {
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
            (Kind::Start, "running") => Err("Instance is already running."),
            (Kind::Start | Kind::Reset, _) => Ok(()),
            (_, "running") => Ok(()),
            (_, "error") => Err("Instance is in error state; only start and reset are allowed."),
            _ => Err("Instance is not running."),
        };
        if let Err(m) = allowed {
            return detail(400, m);
        }
        // plan the attempts
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
            // a failed attempt fails part-way
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
        let ends = attempts.last().map_or(now, |a| a.1);
        let inst = &self.instances[ii];
        self.env.log.record(Completion {
            dialect: "onetsolutions",
            vm_id: inst.id.clone(),
            vm_name: inst.name.clone(),
            action: kind.verb(),
            accepted_at_ms: now,
            finished_at_ms: finish_at(ends),
            succeeded: !fails,
            task_status: if fails { "failed" } else { "completed" },
            visible: true,
        });
        let task = Task {
            id: self.ids.uuid(),
            inst: ii,
            kind,
            created: now,
            attempts,
            ok: !fails,
            errors,
            applied: false,
            parameters,
        };
        let body = self.task_json(&task, now);
        self.tasks.push(task);
        json_response(202, &body)
    }

    fn route(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let m = ctx.method.as_str();
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            ["compute", "instances"] => {
                let label = "GET /compute/instances".to_string();
                if m != "GET" {
                    return (label, detail(405, &format!("Method \"{m}\" not allowed.")));
                }
                let items = (0..self.instances.len())
                    .map(|i| self.instance_json(i, now))
                    .collect();
                (label, self.paginate(ctx, "/compute/instances", items))
            }
            ["compute", "instances", id, rest @ ..] => {
                let Some(ii) = self.instances.iter().position(|i| i.id == *id) else {
                    return ("/compute/instances/{id}".into(), detail(404, "Not found."));
                };
                match rest {
                    [action] if Kind::parse(action).is_some() => {
                        let label = format!("POST /compute/instances/{{id}}/{action}");
                        if m != "POST" {
                            return (label, detail(405, &format!("Method \"{m}\" not allowed.")));
                        }
                        let kind = Kind::parse(action).unwrap();
                        (label, self.act(ii, kind, ctx))
                    }
                    ["tasks", tid] => {
                        let label = "GET /compute/instances/{id}/tasks/{task}".to_string();
                        if m != "GET" {
                            return (label, detail(405, &format!("Method \"{m}\" not allowed.")));
                        }
                        match self.tasks.iter().find(|t| t.id == *tid && t.inst == ii) {
                            Some(t) => (label, json_response(200, &self.task_json(t, now))),
                            None => (label, detail(404, "Not found.")),
                        }
                    }
                    _ => ("unknown".into(), detail(404, "Not found.")),
                }
            }
            ["compute", "tasks"] => {
                let label = "GET /compute/tasks".to_string();
                if m != "GET" {
                    return (label, detail(405, &format!("Method \"{m}\" not allowed.")));
                }
                let wanted: Option<Vec<&str>> =
                    ctx.q("status").filter(|s| !s.is_empty()).map(|s| {
                        s.split(',')
                            .map(str::trim)
                            .filter(|x| !x.is_empty())
                            .collect()
                    });
                if let Some(w) = &wanted {
                    if let Some(bad) = w.iter().find(|s| !STATUSES.contains(s)) {
                        return (
                            label,
                            json_response(
                                400,
                                &json!({"status": [format!("Select a valid choice. {bad} is not one of the available choices.")]}),
                            ),
                        );
                    }
                }
                let mut list: Vec<&Task> = self
                    .tasks
                    .iter()
                    .filter(|t| wanted.as_ref().is_none_or(|w| w.contains(&t.phase(now).0)))
                    .collect();
                list.sort_by_key(|t| std::cmp::Reverse(t.created));
                let items = list.iter().map(|t| self.task_json(t, now)).collect();
                (label, self.paginate(ctx, "/compute/tasks", items))
            }
            ["compute", "tasks", tid] => {
                let label = "GET /compute/tasks/{id}".to_string();
                if m != "GET" {
                    return (label, detail(405, &format!("Method \"{m}\" not allowed.")));
                }
                match self.tasks.iter().find(|t| t.id == *tid) {
                    Some(t) => (label, json_response(200, &self.task_json(t, now))),
                    None => (label, detail(404, "Not found.")),
                }
            }
            _ => ("unknown".into(), detail(404, "Not found.")),
        }
    }
}

impl Dialect for Onet {
    fn name(&self) -> &'static str {
        "onetsolutions"
    }

    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn mount(&self) -> &'static str {
        "/onetsolutions"
    }

    fn advance(&mut self, now: u64) {
        let mut due: Vec<usize> = (0..self.tasks.len())
            .filter(|&i| !self.tasks[i].applied && self.tasks[i].ends() <= now)
            .collect();
        due.sort_by_key(|&i| (self.tasks[i].ends(), i));
        for i in due {
            let t = &mut self.tasks[i];
            t.applied = true;
            let (ii, ok, kind, ends) = (t.inst, t.ok, t.kind, t.ends());
            let inst = &mut self.instances[ii];
            inst.modified_ms = ends;
            if ok {
                inst.status = if kind.running_after() {
                    "running"
                } else {
                    "stopped"
                };
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

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        match crate::util::auth_token(ctx.headers, "bearer") {
            Some(t) if t == crate::DEMO_TOKEN => {}
            Some(_) => return ("unauthenticated".into(), detail(401, "Invalid token.")),
            None => {
                return (
                    "unauthenticated".into(),
                    detail(401, "Authentication credentials were not provided."),
                )
            }
        }
        self.hits.prune(now, 60_000);
        let per_min = self.hits.count_since(now, 60_000);
        let per_sec = self.hits.count_since(now, 1_000);
        if per_min >= LIMIT_PER_MINUTE || per_sec >= LIMIT_PER_SECOND {
            let frees = if per_min >= LIMIT_PER_MINUTE {
                self.hits.frees_at(now, 60_000)
            } else {
                self.hits.frees_at(now, 1_000)
            };
            let wait = frees.saturating_sub(now).div_ceil(1000).max(1);
            return ("throttled".into(), self.throttled(wait));
        }
        self.hits.record(now);
        // /onetsolutions/v1/organizations/{org}/projects/{project}/...
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            ["v1", "organizations", org, "projects", project, ..] => {
                if *org != ORG || *project != PROJECT {
                    return (
                        "forbidden".into(),
                        detail(403, "You do not have permission to perform this action."),
                    );
                }
            }
            _ => return ("unknown".into(), detail(404, "Not found.")),
        }
        let inner = Ctx {
            method: ctx.method.clone(),
            segs: ctx.segs[5..].to_vec(),
            trailing_slash: ctx.trailing_slash,
            query: ctx.query,
            headers: ctx.headers,
            body: ctx.body,
            now,
            origin: ctx.origin.clone(),
        };
        self.route(&inner)
    }

    fn facts(&self, _now: u64) -> Vec<VmFact> {
        self.instances
            .iter()
            .map(|inst| VmFact {
                dialect: "onetsolutions",
                vm_id: inst.id.clone(),
                vm_name: inst.name.clone(),
                state: match inst.status {
                    "running" => VmState::Running,
                    "error" => VmState::Failed,
                    _ => VmState::Stopped,
                },
                addresses: vec![inst.ip.clone()],
            })
            .collect()
    }

    fn error(&self, status: u16, message: &str) -> Response {
        detail(status, message)
    }

    fn throttled(&self, retry_after_s: u64) -> Response {
        let mut r = detail(
            429,
            &format!("Request was throttled. Expected available in {retry_after_s} seconds."),
        );
        r.set_header("retry-after", retry_after_s.to_string());
        r
    }

    fn enum_fields(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[
            (
                "status",
                &["scheduled", "retrying", "migrating", "suspended"],
            ),
            ("task_type", &["migrate_vps", "snapshot_vps"]),
        ]
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
