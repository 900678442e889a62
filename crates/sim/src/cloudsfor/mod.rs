//! cloudsfor — the "action object" dialect (DigitalOcean v2 style), per `providers/cloudsfor.md`.
//!
//! * `GET /account`, `GET /vms?page=&per_page=`, `POST /vms/{id}/actions`,
//!   `GET /vms/{id}/actions` (newest first), `GET /actions?status=` (account-wide, newest first).
//!   There is no single-VM GET (404), as on the sheet.
//! * An action's `id` is the VM id (as the documents say). While an action is `in-progress` the
//!   VM is `locked: true` and any new action gets `422 unprocessable_entity`.
//! * Rate limits (assumed; DigitalOcean's published numbers, which this API copies):
//!   **5000 requests per hour and 250 per minute per account**, sliding windows on the virtual
//!   clock. Every authenticated answer carries `ratelimit-limit` (5000),
//!   `ratelimit-remaining` (left in the hour) and `ratelimit-reset` (epoch seconds when the
//!   oldest counted request leaves the hour window); beyond either limit → `429
//!   too_many_requests` (+ `retry-after`, seconds). Throttled requests are not counted.
//! * Pagination: `page` (default 1), `per_page` (default 20, capped at 200); `meta.total`;
//!   `links.pages.{first,prev,next,last}` present only when they exist.
//! * Outcomes: `failure_rate` of actions end `errored` (VM unchanged); 10 % of the
//!   `shutdown`s that do not error complete while the guest ignored them (VM stays `running`).

use serde_json::{json, Value};

use crate::fleet::{self, IMAGES};
use crate::truth::{finish_at, Completion, VmFact, VmState};
use crate::util::{iso, json_response, window, with_query, Ctx, Env, Rng, Window};
use crate::{Dialect, Response, Scenario};

pub const PREFIX: &str = "/cloudsfor/api/v1";
pub const LIMIT_PER_HOUR: usize = 5000;
pub const LIMIT_PER_MINUTE: usize = 250;
/// Among `shutdown`s that do not error: the share the guest ignores (VM stays running).
pub const SHUTDOWN_IGNORED_RATE: f64 = 0.10;
const HOUR: u64 = 3_600_000;
const MINUTE: u64 = 60_000;
const MAX_ACTIONS_KEPT: usize = 2000;
const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 200;

const REGIONS: [(&str, &str); 3] = [
    ("moscow_01", "Moscow 1"),
    ("amsterdam_01", "Amsterdam 1"),
    ("frankfurt_01", "Frankfurt 1"),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Reboot,
    PowerCycle,
    Shutdown,
    PowerOff,
    PowerOn,
    PasswordReset,
    Resize,
    Rename,
    Snapshot,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::Reboot,
        Kind::PowerCycle,
        Kind::Shutdown,
        Kind::PowerOff,
        Kind::PowerOn,
        Kind::PasswordReset,
        Kind::Resize,
        Kind::Rename,
        Kind::Snapshot,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Kind::Reboot => "reboot",
            Kind::PowerCycle => "power_cycle",
            Kind::Shutdown => "shutdown",
            Kind::PowerOff => "power_off",
            Kind::PowerOn => "power_on",
            Kind::PasswordReset => "password_reset",
            Kind::Resize => "resize",
            Kind::Rename => "rename",
            Kind::Snapshot => "snapshot",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Median duration in ms (before the ×0.6..×1.6 spread and the speed divisor).
    fn median_ms(self) -> u64 {
        match self {
            Kind::Reboot => 20_000,
            Kind::PowerCycle => 15_000,
            Kind::Shutdown => 30_000,
            Kind::PowerOff => 5_000,
            Kind::PowerOn => 15_000,
            Kind::PasswordReset => 10_000,
            Kind::Resize => 90_000,
            Kind::Rename => 3_000,
            Kind::Snapshot => 180_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Params {
    None,
    Resize {
        vcpus: Option<u32>,
        memory: Option<u32>,
        disk: Option<u32>,
    },
    Rename(String),
    Snapshot(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Completed,
    Errored,
    /// `shutdown` completed but the guest ignored it.
    Ignored,
}

#[derive(Clone, Debug)]
struct Action {
    seq: u64,
    vm: usize,
    kind: Kind,
    params: Params,
    started: u64,
    ends: u64,
    outcome: Outcome,
    applied: bool,
}

#[derive(Clone, Debug)]
struct Vm {
    id: String,
    name: String,
    memory: u32,
    vcpus: u32,
    disk: u32,
    running: bool,
    created_ms: u64,
    backup_ids: Vec<u64>,
    snapshot_ids: Vec<u64>,
    image: usize,
    features: Vec<&'static str>,
    region: usize,
    ipv4: String,
}

#[derive(Debug)]
struct Account {
    email: &'static str,
    password: &'static str,
    uuid: String,
    demo_mode: bool,
    vm_limit: u32,
    vms: Vec<Vm>,
    actions: Vec<Action>,
    hits: Window,
}

pub(crate) struct Cloudsfor {
    accounts: Vec<Account>,
    env: Env,
    seq: u64,
    next_image_id: u64,
}

fn make_vms(rng: &mut Rng, n: usize, now: u64, net: u8, next_image_id: &mut u64) -> Vec<Vm> {
    fleet::fleet(rng, n, now, REGIONS.len())
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut features = vec!["private_networking"];
            let backups = rng.chance(0.5);
            if backups {
                features.insert(0, "backups");
            }
            if rng.chance(0.6) {
                features.push("ipv6");
            }
            if rng.chance(0.5) {
                features.push("monitoring");
            }
            let backup_ids = if backups {
                (0..rng.range(1, 3))
                    .map(|_| {
                        *next_image_id += 1 + rng.below(40);
                        *next_image_id
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let snapshot_ids = (0..rng.below(3))
                .map(|_| {
                    *next_image_id += 1 + rng.below(40);
                    *next_image_id
                })
                .collect();
            Vm {
                id: rng.hex(32),
                name: s.name,
                memory: s.ram_gb,
                vcpus: s.vcpus,
                disk: s.disk_gb,
                running: s.running,
                created_ms: s.created_ms,
                backup_ids,
                snapshot_ids,
                image: s.image,
                features,
                region: s.region,
                ipv4: fleet::ipv4(net, i),
            }
        })
        .collect()
}

impl Cloudsfor {
    pub fn new(sc: &Scenario, now: u64) -> Cloudsfor {
        let mut rng = Rng::derive(sc.seed, 0xC10D);
        let mut next_image_id = 170_000_000 + rng.below(1_000_000);
        let demo_vms = make_vms(&mut rng, sc.vms, now, 0, &mut next_image_id);
        let trial_vms = make_vms(&mut rng, sc.vms.min(3), now, 1, &mut next_image_id);
        let accounts = vec![
            Account {
                email: crate::DEMO_EMAIL,
                password: crate::DEMO_PASSWORD,
                uuid: rng.uuid(),
                demo_mode: false,
                vm_limit: (sc.vms as u32).max(25),
                vms: demo_vms,
                actions: Vec::new(),
                hits: Window::default(),
            },
            Account {
                email: crate::TRIAL_EMAIL,
                password: crate::TRIAL_PASSWORD,
                uuid: rng.uuid(),
                demo_mode: true,
                vm_limit: 3,
                vms: trial_vms,
                actions: Vec::new(),
                hits: Window::default(),
            },
        ];
        Cloudsfor {
            accounts,
            env: Env::new(sc.seed, 0xC10D_5EED, sc.failure_rate, sc.speed),
            seq: 0,
            next_image_id,
        }
    }
}

fn err(status: u16, id: &str, message: &str) -> Response {
    json_response(status, &json!({"id": id, "message": message}))
}

fn unprocessable(message: &str) -> Response {
    err(422, "unprocessable_entity", message)
}

fn not_found() -> Response {
    err(
        404,
        "not_found",
        "The resource you were accessing could not be found.",
    )
}

fn status_of(a: &Action, now: u64) -> &'static str {
    if now < a.ends {
        "in-progress"
    } else {
        match a.outcome {
            Outcome::Completed | Outcome::Ignored => "completed",
            Outcome::Errored => "errored",
        }
    }
}

fn action_json(acc: &Account, a: &Action, now: u64) -> Value {
    let vm = &acc.vms[a.vm];
    json!({
        "id": vm.id,
        "status": status_of(a, now),
        "type": a.kind.as_str(),
        "started_at": iso(a.started),
        "completed_at": if now >= a.ends { Value::String(iso(a.ends)) } else { Value::Null },
        "resource_type": "vm",
        "region": REGIONS[vm.region].0,
    })
}

fn locked(acc: &Account, vm: usize, now: u64) -> bool {
    acc.actions.iter().any(|a| a.vm == vm && now < a.ends)
}

fn vm_json(acc: &Account, i: usize, now: u64) -> Value {
    let vm = &acc.vms[i];
    let img = &IMAGES[vm.image];
    let mut v6 = Vec::new();
    if vm.features.contains(&"ipv6") {
        v6.push(json!({"ip_address": format!("2001:db8:{:x}::{:x}", 0x10 + vm.region, i + 1), "netmask": 64, "gateway": format!("2001:db8:{:x}::1", 0x10 + vm.region), "type": "public"}));
    }
    json!({
        "id": vm.id,
        "name": vm.name,
        "memory": vm.memory,
        "vcpus": vm.vcpus,
        "disk": vm.disk,
        "locked": locked(acc, i, now),
        "created_at": iso(vm.created_ms),
        "status": if vm.running { "running" } else { "stopped" },
        "backup_ids": vm.backup_ids,
        "snapshot_ids": vm.snapshot_ids,
        "image": {"id": img.id, "distro": img.distro, "name": img.name},
        "features": vm.features,
        "networks": {
            "v4": [
                {"ip_address": vm.ipv4, "netmask": "255.255.255.0", "gateway": format!("{}.1", vm.ipv4.rsplit_once('.').map(|x| x.0).unwrap_or("203.0.113")), "type": "public"},
                {"ip_address": format!("10.{}.0.{}", 10 + vm.region, 2 + i), "netmask": "255.255.0.0", "gateway": "", "type": "private"},
            ],
            "v6": v6,
        },
        "region": {"slug": REGIONS[vm.region].0, "name": REGIONS[vm.region].1},
    })
}

/// Parse `page`/`per_page`; Err → a 422.
fn paging(ctx: &Ctx) -> Result<(usize, usize), Response> {
    let page = match ctx.q("page") {
        None | Some("") => 1,
        Some(p) => match p.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(unprocessable("page must be a positive integer")),
        },
    };
    let per_page = match ctx.q("per_page") {
        None | Some("") => DEFAULT_PER_PAGE,
        Some(p) => match p.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(MAX_PER_PAGE),
            _ => return Err(unprocessable("per_page must be a positive integer")),
        },
    };
    Ok((page, per_page))
}

/// `{"pages": {first, prev, next, last}}` (absent members omitted), DigitalOcean style.
fn links(ctx: &Ctx, path: &str, page: usize, per_page: usize, total: usize) -> Value {
    let last = total.div_ceil(per_page).max(1);
    let url = |p: usize| {
        format!(
            "{}{}",
            ctx.origin,
            with_query(
                &format!("{PREFIX}{path}"),
                ctx.query,
                &[("page", p.to_string()), ("per_page", per_page.to_string())]
            )
        )
    };
    let mut pages = serde_json::Map::new();
    if page > 1 {
        pages.insert("first".into(), json!(url(1)));
        pages.insert("prev".into(), json!(url((page - 1).min(last))));
    }
    if page < last {
        pages.insert("next".into(), json!(url(page + 1)));
        pages.insert("last".into(), json!(url(last)));
    }
    json!({ "pages": pages })
}

fn valid_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A positive whole number within `1..=max`.
fn quantity(v: &Value, what: &str, max: u64) -> Result<u32, Response> {
    match crate::util::as_uint(v) {
        Some(n) if n >= 1 && n <= max => Ok(n as u32),
        _ => Err(unprocessable(&format!(
            "{what} must be a whole number between 1 and {max}"
        ))),
    }
}

impl Cloudsfor {
    fn apply_due(&mut self, now: u64) {
        for acc in self.accounts.iter_mut() {
            let mut due: Vec<usize> = (0..acc.actions.len())
                .filter(|&i| !acc.actions[i].applied && acc.actions[i].ends <= now)
                .collect();
            due.sort_by_key(|&i| (acc.actions[i].ends, acc.actions[i].seq));
            for i in due {
                let a = acc.actions[i].clone();
                acc.actions[i].applied = true;
                if a.outcome != Outcome::Completed {
                    continue;
                }
                let vm = &mut acc.vms[a.vm];
                match (a.kind, &a.params) {
                    (Kind::Reboot | Kind::PowerCycle | Kind::PowerOn, _) => vm.running = true,
                    (Kind::Shutdown | Kind::PowerOff, _) => vm.running = false,
                    (
                        Kind::Resize,
                        Params::Resize {
                            vcpus,
                            memory,
                            disk,
                        },
                    ) => {
                        vm.vcpus = vcpus.unwrap_or(vm.vcpus);
                        vm.memory = memory.unwrap_or(vm.memory);
                        vm.disk = disk.unwrap_or(vm.disk);
                    }
                    (Kind::Rename, Params::Rename(n)) => vm.name = n.clone(),
                    (Kind::Snapshot, Params::Snapshot(_)) => {
                        self.next_image_id += 1;
                        vm.snapshot_ids.push(self.next_image_id);
                    }
                    _ => {}
                }
            }
            if acc.actions.len() > MAX_ACTIONS_KEPT {
                let excess = acc.actions.len() - MAX_ACTIONS_KEPT;
                let mut removed = 0;
                acc.actions.retain(|a| {
                    if removed < excess && a.applied {
                        removed += 1;
                        false
                    } else {
                        true
                    }
                });
            }
        }
    }

    /// Validate and create an action; `Ok(201 response)` or `Err(error response)`.
    fn post_action(&mut self, ai: usize, vi: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return unprocessable("request body must be a JSON object with a \"type\""),
            Err(e) => return unprocessable(&format!("request body is not valid JSON: {e}")),
        };
        let kind = match body.get("type") {
            Some(Value::String(t)) => match Kind::parse(t) {
                Some(k) => k,
                None => {
                    return unprocessable(&format!(
                        "'{t}' is not a valid action type; expected one of: {}",
                        Kind::ALL.map(Kind::as_str).join(", ")
                    ))
                }
            },
            _ => return unprocessable("type is required"),
        };
        let acc = &self.accounts[ai];
        let vm = &acc.vms[vi];
        if locked(acc, vi, now) {
            return unprocessable(&format!(
                "VM {} is locked: another action is in progress; wait for it to complete",
                vm.id
            ));
        }
        let params = match kind {
            Kind::PowerOn if vm.running => return unprocessable("VM is already powered on"),
            Kind::PowerOff | Kind::Shutdown if !vm.running => {
                return unprocessable("VM is already powered off")
            }
            Kind::Reboot if !vm.running => {
                return unprocessable("VM is powered off; use power_on to start it")
            }
            Kind::Resize => {
                let (vcpus, memory, disk) = if let Some(data) = body.get("data") {
                    let Some(d) = data.as_object() else {
                        return unprocessable("data must be an object {cpu, ram, disk}");
                    };
                    let get = |k: &str, max| d.get(k).map(|v| quantity(v, k, max)).transpose();
                    let cpu = match get("cpu", 32) {
                        Ok(x) => x,
                        Err(r) => return r,
                    };
                    let ram = match get("ram", 256) {
                        Ok(x) => x,
                        Err(r) => return r,
                    };
                    let disk = match get("disk", 4000) {
                        Ok(x) => x,
                        Err(r) => return r,
                    };
                    if cpu.is_none() && ram.is_none() && disk.is_none() {
                        return unprocessable("data must contain at least one of cpu, ram, disk");
                    }
                    (cpu, ram, disk)
                } else {
                    let resource = match body.get("resource").and_then(Value::as_str) {
                        Some(r @ ("ram" | "disk" | "cpu")) => r,
                        Some(r) => {
                            return unprocessable(&format!(
                                "resource '{r}' is not valid; must be ram, disk or cpu"
                            ))
                        }
                        None => {
                            return unprocessable(
                                "resize needs resource (ram, disk or cpu) and size, or data {cpu, ram, disk}",
                            )
                        }
                    };
                    let Some(size) = body.get("size") else {
                        return unprocessable("size is required");
                    };
                    let max = match resource {
                        "cpu" => 32,
                        "ram" => 256,
                        _ => 4000,
                    };
                    let n = match quantity(size, "size", max) {
                        Ok(n) => n,
                        Err(r) => return r,
                    };
                    match resource {
                        "cpu" => (Some(n), None, None),
                        "ram" => (None, Some(n), None),
                        _ => (None, None, Some(n)),
                    }
                };
                if let Some(d) = disk {
                    if d < vm.disk {
                        return unprocessable(&format!(
                            "disk can only be increased (currently {} GB)",
                            vm.disk
                        ));
                    }
                }
                if vm.running {
                    return unprocessable("VM must be powered off prior to resizing");
                }
                Params::Resize {
                    vcpus,
                    memory,
                    disk,
                }
            }
            Kind::Rename => match body.get("name").and_then(Value::as_str) {
                Some(n) if valid_hostname(n.trim()) => Params::Rename(n.trim().to_string()),
                Some(_) => return unprocessable(
                    "name must be 1-63 characters: letters, digits, '-' and '.', not starting or ending with '-'",
                ),
                None => return unprocessable("name is required"),
            },
            Kind::Snapshot => {
                if acc.demo_mode {
                    return unprocessable(
                        "Snapshots are not available in demo mode for this account",
                    );
                }
                match body.get("name") {
                    None | Some(Value::Null) => {
                        Params::Snapshot(format!("{}-{}", vm.name, iso(now)))
                    }
                    Some(Value::String(n)) if !n.trim().is_empty() && n.len() <= 255 => {
                        Params::Snapshot(n.trim().to_string())
                    }
                    Some(_) => return unprocessable("name must be a non-empty string"),
                }
            }
            _ => Params::None,
        };
        let dur = self.env.duration(kind.median_ms());
        let outcome = if self.env.fails() {
            Outcome::Errored
        } else if kind == Kind::Shutdown && self.env.rng.chance(SHUTDOWN_IGNORED_RATE) {
            Outcome::Ignored
        } else {
            Outcome::Completed
        };
        let ends = if self.env.stuck() {
            crate::util::NEVER
        } else {
            now + dur
        };
        let vm = &self.accounts[ai].vms[vi];
        self.env.log.record(Completion {
            dialect: "cloudsfor",
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            action: kind.as_str(),
            accepted_at_ms: now,
            finished_at_ms: finish_at(ends),
            succeeded: outcome == Outcome::Completed,
            task_status: if outcome == Outcome::Errored {
                "errored"
            } else {
                "completed"
            },
            visible: true,
        });
        self.seq += 1;
        let action = Action {
            seq: self.seq,
            vm: vi,
            kind,
            params,
            started: now,
            ends,
            outcome,
            applied: false,
        };
        let acc = &mut self.accounts[ai];
        acc.actions.push(action);
        let body = json!({"action": action_json(acc, acc.actions.last().unwrap(), now)});
        json_response(201, &body)
    }

    fn list_actions(&self, ai: usize, vm: Option<usize>, ctx: &Ctx, path: &str) -> Response {
        let now = ctx.now;
        let acc = &self.accounts[ai];
        let (page, per_page) = match paging(ctx) {
            Ok(p) => p,
            Err(r) => return r,
        };
        let status = ctx.q("status").filter(|s| !s.is_empty());
        if let Some(s) = status {
            if !["in-progress", "completed", "errored"].contains(&s) {
                return unprocessable(&format!(
                    "status '{s}' is not valid; must be in-progress, completed or errored"
                ));
            }
        }
        let mut list: Vec<&Action> = acc
            .actions
            .iter()
            .filter(|a| vm.is_none_or(|v| a.vm == v))
            .filter(|a| status.is_none_or(|s| status_of(a, now) == s))
            .collect();
        list.sort_by_key(|a| std::cmp::Reverse((a.started, a.seq)));
        let total = list.len();
        let (s, e) = window(total, page, per_page);
        let actions: Vec<Value> = list[s..e]
            .iter()
            .map(|a| action_json(acc, a, now))
            .collect();
        json_response(
            200,
            &json!({"actions": actions, "links": links(ctx, path, page, per_page, total), "meta": {"total": total}}),
        )
    }

    fn route(&mut self, ai: usize, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let m = ctx.method.as_str();
        if ctx.matches(&["account"]) {
            if m != "GET" {
                return ("GET /account".into(), method_not_allowed());
            }
            let acc = &self.accounts[ai];
            let body = json!({"account": {
                "email": acc.email,
                "uuid": acc.uuid,
                "vm_limit": acc.vm_limit,
                "email_verified": true,
                "status": "active",
                "demo_mode": acc.demo_mode,
            }});
            return ("GET /account".into(), json_response(200, &body));
        }
        if ctx.matches(&["vms"]) {
            if m != "GET" {
                return ("GET /vms".into(), method_not_allowed());
            }
            let acc = &self.accounts[ai];
            let (page, per_page) = match paging(ctx) {
                Ok(p) => p,
                Err(r) => return ("GET /vms".into(), r),
            };
            let total = acc.vms.len();
            let (s, e) = window(total, page, per_page);
            let vms: Vec<Value> = (s..e).map(|i| vm_json(acc, i, now)).collect();
            let body = json!({"vms": vms, "links": links(ctx, "/vms", page, per_page, total), "meta": {"total": total}});
            return ("GET /vms".into(), json_response(200, &body));
        }
        if ctx.matches(&["vms", "*", "actions"]) {
            let label = format!("{m} /vms/{{id}}/actions");
            let Some(vi) = self.accounts[ai]
                .vms
                .iter()
                .position(|v| v.id == ctx.seg(1))
            else {
                return (label, not_found());
            };
            return match m {
                "GET" => {
                    let path = format!("/vms/{}/actions", ctx.seg(1));
                    (label, self.list_actions(ai, Some(vi), ctx, &path))
                }
                "POST" => (label, self.post_action(ai, vi, ctx)),
                _ => (label, method_not_allowed()),
            };
        }
        if ctx.matches(&["actions"]) {
            if m != "GET" {
                return ("GET /actions".into(), method_not_allowed());
            }
            return (
                "GET /actions".into(),
                self.list_actions(ai, None, ctx, "/actions"),
            );
        }
        ("unknown".into(), not_found())
    }
}

fn method_not_allowed() -> Response {
    err(
        405,
        "method_not_allowed",
        "Method not allowed on this resource.",
    )
}

impl Dialect for Cloudsfor {
    fn name(&self) -> &'static str {
        "cloudsfor"
    }

    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn advance(&mut self, now: u64) {
        self.apply_due(now);
    }

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let Some(ai) = crate::util::basic_auth(ctx.headers).and_then(|(u, p)| {
            self.accounts
                .iter()
                .position(|a| a.email.eq_ignore_ascii_case(&u) && a.password == p)
        }) else {
            return (
                "unauthenticated".into(),
                err(401, "unauthorized", "Unable to authenticate you."),
            );
        };
        let acc = &mut self.accounts[ai];
        acc.hits.prune(now, HOUR);
        let in_hour = acc.hits.count_since(now, HOUR);
        let in_minute = acc.hits.count_since(now, MINUTE);
        if in_hour >= LIMIT_PER_HOUR || in_minute >= LIMIT_PER_MINUTE {
            let frees = if in_hour >= LIMIT_PER_HOUR {
                acc.hits.frees_at(now, HOUR)
            } else {
                acc.hits.frees_at(now, MINUTE)
            };
            let mut r = err(429, "too_many_requests", "API Rate limit exceeded.");
            r.set_header("ratelimit-limit", LIMIT_PER_HOUR.to_string());
            r.set_header(
                "ratelimit-remaining",
                LIMIT_PER_HOUR.saturating_sub(in_hour).to_string(),
            );
            r.set_header("ratelimit-reset", frees.div_ceil(1000).to_string());
            r.set_header(
                "retry-after",
                (frees.saturating_sub(now).div_ceil(1000))
                    .max(1)
                    .to_string(),
            );
            return ("throttled".into(), r);
        }
        acc.hits.record(now);
        let remaining = LIMIT_PER_HOUR - in_hour - 1;
        let reset = acc.hits.frees_at(now, HOUR).div_ceil(1000);
        let (label, mut resp) = self.route(ai, ctx);
        resp.set_header("ratelimit-limit", LIMIT_PER_HOUR.to_string());
        resp.set_header("ratelimit-remaining", remaining.to_string());
        resp.set_header("ratelimit-reset", reset.to_string());
        (label, resp)
    }

    fn facts(&self, _now: u64) -> Vec<VmFact> {
        self.accounts
            .iter()
            .flat_map(|acc| acc.vms.iter())
            .map(|vm| VmFact {
                dialect: "cloudsfor",
                vm_id: vm.id.clone(),
                vm_name: vm.name.clone(),
                state: if vm.running {
                    VmState::Running
                } else {
                    VmState::Stopped
                },
                addresses: vec![vm.ipv4.clone()],
            })
            .collect()
    }

    fn error(&self, status: u16, message: &str) -> Response {
        let id = match status {
            401 => "unauthorized",
            404 => "not_found",
            422 => "unprocessable_entity",
            429 => "too_many_requests",
            503 => "service_unavailable",
            s if s >= 500 => "server_error",
            _ => "bad_request",
        };
        err(status, id, message)
    }

    fn throttled(&self, retry_after_s: u64) -> Response {
        let mut r = err(429, "too_many_requests", "API Rate limit exceeded.");
        r.set_header("ratelimit-limit", LIMIT_PER_HOUR.to_string());
        r.set_header("ratelimit-remaining", "0".to_string());
        r.set_header("retry-after", retry_after_s.to_string());
        r
    }

    fn enum_fields(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[("status", &["pending", "new", "archive", "queued"])]
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
