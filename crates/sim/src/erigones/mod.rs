//! Erigones / Danube Cloud — the "task id" dialect, per `providers/erigones.md`.
//!
//! * Every path ends with `/`; a known path without it answers `301` to the slashed URL
//!   (Django's APPEND_SLASH).
//! * Auth ([`auth`]): `ES-API-KEY: demo-key` (DC admin `demo`) or `owner-key` (VM owner
//!   `owner`), or `POST /accounts/login/ {username, password}` (`demo` or `demo@vigil.test` /
//!   `demo`; `owner` / `owner`) → `{detail, token, expires}`, then `Authorization: Token <token>`,
//!   valid for 1 hour of virtual time. A VM owner sees and runs only its own VMs; what needs an
//!   admin answers `403`. `?dc=` picks the datacenter (`main`, the default, or `admin`, admins
//!   only); `es_dc` names it.
//! * `PUT /vm/{host}/status/{start,stop,reboot}/` → `201 PENDING` + `task_id` (stop and reboot set
//!   the VM to `stopping` at once); `stop {unfreeze: true}` on a frozen VM is done at once
//!   (`200 SUCCESS`). Preconditions in this order: not operational → 423; wrong state → 417
//!   `Bad action`; stop while stopping without force → 423; `update` with pending tasks → 409;
//!   per-VM action lock held → 400 FAILURE `Task did not acquire lock`.
//! * Tasks ([`tasks`]): PENDING (~1 s queue) → STARTED → SUCCESS / FAILURE (or REVOKED by
//!   cancel). `GET /task/{id}/status/` mirrors the state in the HTTP code (201/200/400/410) and
//!   answers `404` once the task has been finished for **10 minutes** (assumed expiry).
//! * Graceful stop/reboot: ~30 s / ~20 s; at 10 % the guest ignores the ACPI request and the
//!   node forces it after `timeout` (default 180 s, 300 s for Windows) — still SUCCESS.
//!   `force` → ~5 s. A forced stop while a graceful one runs finishes both.
//! * VM lifecycle ([`define`], [`lifecycle`]): define, disk, NIC, deploy; undeploy, undefine; recreate;
//!   `GET /vm/`, `GET /vm/{host}/`, the definitions. Catalogues ([`catalogue`]): templates,
//!   images, networks (admins), datacenters.

mod auth;
mod backups;
mod catalogue;
mod define;
mod lifecycle;
mod model;
mod outcomes;
mod points;
mod schedules;
mod seed;
mod tasklog;
mod tasks;

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::fleet::{self, IMAGES};
use crate::net::{self, Pool};
use crate::truth::{PointFact, VmFact};
use crate::util::{iso, json_response, with_query, Ctx, Env, Rng};
use crate::{Dialect, Response, Scenario};

use auth::{Caller, USERS};
use catalogue::{DCS, NETWORKS, NODES};
use model::{Define, Disk, Kind, Nic, Point, Task, Vm};

pub use points::SNAPSHOT_LIMIT_MANUAL;

pub const PREFIX: &str = "/erigones/api";
/// A finished task's status stays readable this long, then answers 404 (assumed).
pub const TASK_EXPIRY_MS: u64 = 10 * 60_000;
/// Login tokens live this long (documented: 1 h).
pub const TOKEN_TTL_MS: u64 = 3_600_000;
/// Share of graceful stops/reboots the guest ignores (forced after `timeout`).
pub const GUEST_IGNORES_RATE: f64 = 0.10;
const LOG_PAGE_SIZE: usize = 100;
const VERSION: &str = "4.4.0";
/// This dialect's place in the world's address pools.
const NET: u8 = 2;

pub(crate) struct Erigones {
    vms: Vec<Vm>,
    tasks: Vec<Task>,
    /// Every snapshot and backup, deleted ones too (tasks refer to them by index).
    points: Vec<Point>,
    /// Snapshot and backup definitions.
    defines: Vec<Define>,
    /// The next snapshot / backup id.
    next_point_id: u64,
    /// `(token, expires, user)`
    tokens: Vec<(String, u64, usize)>,
    env: Env,
    ids: Rng,
    sync_ids: Rng,
    pool: Pool,
    /// The next number in the address pools (one per NIC).
    next_addr: u64,
    /// Addresses held by the NICs of defined VMs.
    used: BTreeSet<String>,
    seed: u64,
    /// When the catalogue objects were created.
    epoch: u64,
}

fn detail(status: u16, msg: &str) -> Response {
    json_response(status, &json!({ "detail": msg }))
}

fn forbidden() -> Response {
    detail(403, "You do not have permission to perform this action.")
}

const OPERATIONAL: [&str; 4] = ["running", "stopped", "stopping", "frozen"];

impl Erigones {
    pub fn new(sc: &Scenario, now: u64) -> Erigones {
        let mut rng = Rng::derive(sc.seed, 0xE416);
        let mut defs = Rng::derive(sc.seed, 0xE416_DEF5);
        let n = sc.vms;
        let specs = fleet::fleet(&mut rng, n, now, 1);
        let mut e = Erigones {
            vms: Vec::with_capacity(n),
            tasks: Vec::new(),
            points: Vec::new(),
            defines: Vec::new(),
            next_point_id: 1,
            tokens: Vec::new(),
            env: Env::new(sc.seed, 0xE416_5EED, sc.failure_rate, sc.speed),
            ids: Rng::derive(sc.seed, 0x0E41_61D5),
            sync_ids: Rng::derive(sc.seed, 0x0E41_61D6),
            pool: Pool::new(sc.seed, NET),
            next_addr: 0,
            used: BTreeSet::new(),
            seed: sc.seed,
            epoch: now.saturating_sub(400 * 86_400_000) / 1000 * 1000,
        };
        for (i, s) in specs.into_iter().enumerate() {
            let since = now.saturating_sub(rng.range(3_600_000, 40 * 86_400_000)) / 1000 * 1000;
            let notcreated = n >= 10 && i == n - 1;
            let status = match (notcreated, s.running) {
                (true, _) => "notcreated",
                (_, true) => "running",
                _ => "stopped",
            };
            let windows = IMAGES[s.image].windows;
            let mut vm = Vm {
                hostname: format!("{}.cust.vigil.test", s.name),
                uuid: rng.uuid(),
                alias: s.name,
                status: status.to_string(),
                status_change: since,
                booted_at: since,
                owner: if i % 3 == 2 { 1 } else { 0 },
                dc: 0,
                node: (!notcreated).then(|| defs.below(NODES.len() as u64) as usize),
                vcpus: s.vcpus,
                ram: s.ram_gb * 1024,
                ostype: if windows { 4 } else { 1 },
                template: None,
                tags: Vec::new(),
                disks: vec![Disk {
                    image: Some(s.image),
                    size: s.disk_gb * 1024,
                    model: "virtio",
                }],
                nics: Vec::new(),
                created: s.created_ms,
                gone: false,
                restored_from: None,
            };
            let mut nets = vec![0];
            if defs.chance(0.4) {
                nets.push(1);
            }
            for net in nets {
                let nic = e.new_nic(net, None, vm.nics.len());
                vm.nics.push(nic);
            }
            e.vms.push(vm);
        }
        seed::seed(&mut e, sc.seed, now);
        e
    }

    /// A NIC on network `net` (index `nic` of its VM), with `ip` or the next free address.
    fn new_nic(&mut self, net: usize, ip: Option<String>, nic: usize) -> Nic {
        let k = self.next_addr;
        self.next_addr += 1;
        let ip = ip.unwrap_or_else(|| loop {
            let ip = NETWORKS[net].address(&self.pool, self.next_addr - 1);
            if !self.used.contains(&ip) {
                break ip;
            }
            self.next_addr += 1;
        });
        self.used.insert(ip.clone());
        Nic {
            net,
            ip,
            mac: net::mac(NET, k, nic as u8 + 1),
            model: "virtio",
        }
    }

    /// Task ids of actions come from their own stream, apart from the ids every synchronous
    /// answer carries: the same writes give the same tasks whatever was read in between.
    pub(super) fn task_id(&mut self, sync: bool) -> String {
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

    /// `201 PENDING` for a task just started.
    fn pending_response(&self, ti: usize) -> Response {
        let id = self.tasks[ti].id.clone();
        let mut r = json_response(
            201,
            &json!({"status": "PENDING", "result": Value::Null, "task_id": id}),
        );
        r.set_header("es_task_id", id);
        r
    }

    fn vm_tasks(&self, vi: usize, now: u64) -> Value {
        let mut m = serde_json::Map::new();
        for t in self.tasks.iter().filter(|t| t.vm == vi && t.pending(now)) {
            let mut e = json!({
                "view": t.kind.view(),
                "method": t.method,
                "hostname": self.vms[vi].hostname,
                "time": iso(t.created),
            });
            if t.kind.on_points() {
                self.point_apiview(t, &mut e);
            } else {
                e["action"] = json!(t.kind.action());
            }
            m.insert(t.id.clone(), e);
        }
        Value::Object(m)
    }

    fn uptime(&self, vi: usize, now: u64) -> Value {
        let vm = &self.vms[vi];
        if vm.status == "running" || vm.status == "stopping" {
            json!(now.saturating_sub(vm.booted_at) / 1000)
        } else {
            Value::Null
        }
    }

    fn vm_json(&self, vi: usize, now: u64) -> Value {
        let vm = &self.vms[vi];
        json!({
            "hostname": vm.hostname,
            "uuid": vm.uuid,
            "alias": vm.alias,
            "status": vm.status,
            "status_change": iso(vm.status_change),
            "node_status": "online",
            "tasks": self.vm_tasks(vi, now),
            "uptime": self.uptime(vi, now),
        })
    }

    /// Whether `caller` sees VM `vi`: defined, in the caller's DC, and the caller's own unless
    /// the caller is an admin.
    fn visible(&self, vi: usize, caller: Caller) -> bool {
        let vm = &self.vms[vi];
        !vm.gone && vm.dc == caller.dc && (caller.admin() || vm.owner == caller.user)
    }

    fn find_vm(&self, key: &str, caller: Caller) -> Option<usize> {
        (0..self.vms.len()).find(|&vi| {
            let v = &self.vms[vi];
            (v.hostname.eq_ignore_ascii_case(key) || v.uuid.eq_ignore_ascii_case(key))
                && self.visible(vi, caller)
        })
    }

    /// The route label of a known path, the methods it takes; `None` for an unknown path.
    fn label(segs: &[&str]) -> Option<(&'static str, &'static [&'static str])> {
        Some(match segs {
            ["vm"] => ("GET /vm/", &["GET"]),
            ["vm", "status"] => ("GET /vm/status/", &["GET"]),
            ["vm", _] => ("/vm/{vm}/", &["GET", "POST", "DELETE"]),
            ["vm", _, "status"] => ("GET /vm/{vm}/status/", &["GET"]),
            ["vm", _, "status", "current"] => ("/vm/{vm}/status/current/", &["GET", "PUT"]),
            ["vm", _, "status", "start" | "stop" | "reboot"] => {
                ("PUT /vm/{vm}/status/{action}/", &["PUT"])
            }
            ["vm", _, "define"] => ("/vm/{vm}/define/", &["GET", "POST", "DELETE"]),
            ["vm", _, "define", "disk" | "nic"] => ("GET /vm/{vm}/define/{disk,nic}/", &["GET"]),
            ["vm", _, "define", "snapshot" | "backup"] => {
                ("GET /vm/{vm}/define/{snapshot,backup}/", &["GET"])
            }
            ["vm", _, "define", "snapshot" | "backup", _] => (
                "/vm/{vm}/define/{snapshot,backup}/{def}/",
                &["GET", "POST", "PUT", "DELETE"],
            ),
            ["vm", _, "snapshot"] => ("/vm/{vm}/snapshot/", &["GET", "DELETE"]),
            ["vm", _, "snapshot", _] => (
                "/vm/{vm}/snapshot/{snapname}/",
                &["GET", "POST", "PUT", "DELETE"],
            ),
            ["vm", _, "backup"] => ("/vm/{vm}/backup/", &["GET", "DELETE"]),
            ["vm", _, "backup", _] => (
                "/vm/{vm}/backup/{bkpname}/",
                &["GET", "POST", "PUT", "DELETE"],
            ),
            ["vm", _, "define", "disk" | "nic", _] => {
                ("/vm/{vm}/define/{disk,nic}/{n}/", &["GET", "POST"])
            }
            ["template" | "image" | "network" | "dc"] => ("GET /{catalogue}/", &["GET"]),
            ["task"] => ("GET /task/", &["GET"]),
            ["task", "log"] => ("GET /task/log/", &["GET"]),
            ["task", _, "status"] => ("GET /task/{id}/status/", &["GET"]),
            ["task", _, "done"] => ("GET /task/{id}/done/", &["GET"]),
            ["task", _, "cancel"] => ("PUT /task/{id}/cancel/", &["PUT"]),
            _ => return None,
        })
    }

    fn route(&mut self, caller: Caller, ctx: &Ctx) -> (String, Response) {
        let m = ctx.method.as_str();
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        let Some((label, allowed)) = Self::label(&segs) else {
            return ("unknown".into(), detail(404, "Not found."));
        };
        // The paths that take several methods are counted per method (but the older
        // `/status/current/`, counted as one).
        let label = if label.starts_with("/vm/{vm}/") && !label.ends_with("current/") {
            format!("{m} {label}")
        } else {
            label.to_string()
        };
        if !allowed.contains(&m) {
            return (label, detail(405, &format!("Method \"{m}\" not allowed.")));
        }
        let resp = match segs.as_slice() {
            ["vm"] => self.list_vms(caller, ctx),
            ["vm", "status"] => {
                let list: Vec<Value> = (0..self.vms.len())
                    .filter(|&i| self.visible(i, caller))
                    .map(|i| self.vm_json(i, ctx.now))
                    .collect();
                self.envelope(200, "SUCCESS", Value::Array(list))
            }
            ["vm", key, "define"] if m == "POST" => self.define(key, caller, ctx),
            ["vm", key, rest @ ..] => match self.find_vm(key, caller) {
                Some(vi) => self.route_vm(vi, rest, caller, ctx),
                None => detail(404, "VM not found"),
            },
            [what @ ("template" | "image" | "network" | "dc")] => self.catalogue(what, caller, ctx),
            _ => self.route_task(&segs, caller, ctx),
        };
        (label, resp)
    }

    /// Everything under `/vm/{vm}/` once the VM is found.
    fn route_vm(&mut self, vi: usize, rest: &[&str], caller: Caller, ctx: &Ctx) -> Response {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        match (m, rest) {
            ("GET", []) => {
                let v = self.vm_detail(vi, caller, now);
                self.envelope(200, "SUCCESS", v)
            }
            ("POST", []) => self.deploy(vi, caller, ctx),
            ("DELETE", []) => self.undeploy(vi, caller, now),
            ("GET", ["status"]) => {
                let v = self.vm_json(vi, now);
                self.envelope(200, "SUCCESS", v)
            }
            (_, ["status", "current"]) => {
                let method = if m == "PUT" { "PUT" } else { "GET" };
                self.current(vi, method, caller, now)
            }
            (_, ["status", action]) => {
                let action = action.to_string();
                self.vm_action(vi, &action, caller, ctx)
            }
            ("GET", ["define"]) => {
                let v = self.definition(vi);
                self.envelope(200, "SUCCESS", v)
            }
            ("DELETE", ["define"]) => self.undefine(vi, caller, now),
            (_, ["define", what @ ("snapshot" | "backup"), rest @ ..]) => {
                let backup = *what == "backup";
                self.route_defines(vi, backup, rest.first().copied(), caller, ctx)
            }
            (_, [what @ ("snapshot" | "backup"), rest @ ..]) => {
                let backup = *what == "backup";
                self.route_points(vi, backup, rest.first().copied(), caller, ctx)
            }
            ("GET", ["define", what]) => {
                let v = self.device_list(vi, what);
                self.envelope(200, "SUCCESS", v)
            }
            (_, ["define", what, n]) => self.device(vi, what, n, caller, ctx),
            _ => detail(404, "Not found."),
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
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        if !ctx.segs.is_empty() && !ctx.trailing_slash {
            // APPEND_SLASH: redirect known paths, 404 the rest
            if segs == ["accounts", "login"] || Self::label(&segs).is_some() {
                let mut path = format!("{PREFIX}/{}/", ctx.segs.join("/"));
                if !ctx.query.is_empty() {
                    path = with_query(&path, ctx.query, &[]);
                }
                let mut r = detail(301, "Moved permanently: API paths end with '/'");
                r.set_header("location", format!("{}{path}", ctx.origin));
                for (k, v) in [
                    ("es_version", VERSION),
                    ("es_username", USERS[0].name),
                    ("es_dc", DCS[0].0),
                ] {
                    r.set_header(k, v.to_string());
                }
                return ("redirect".to_string(), r);
            }
        }
        let mut user = 0;
        let mut dc = 0;
        let (label, mut resp) = if segs == ["accounts", "login"] {
            if ctx.method != "POST" {
                (
                    "POST /accounts/login/".into(),
                    detail(405, "Method not allowed."),
                )
            } else {
                ("POST /accounts/login/".into(), self.login(ctx))
            }
        } else {
            match self.authenticate(ctx) {
                Ok(caller) => {
                    (user, dc) = (caller.user, caller.dc);
                    self.route(caller, ctx)
                }
                Err(r) => ("unauthenticated".into(), r),
            }
        };
        resp.set_header("es_version", VERSION.to_string());
        resp.set_header("es_username", USERS[user].name.to_string());
        resp.set_header("es_dc", DCS[dc].0.to_string());
        (label, resp)
    }

    fn facts(&self, now: u64) -> Vec<VmFact> {
        self.vm_facts(now)
    }

    fn points(&self, vm: &str, now: u64) -> Vec<PointFact> {
        self.point_facts(vm, now)
    }

    fn vm_image(&self, vm: &str) -> Option<String> {
        self.image_of(vm)
    }

    fn restored_from(&self, vm: &str) -> Option<String> {
        self.restored_of(vm)
    }

    fn automatic_backups(&self, vm: &str, _now: u64) -> Option<bool> {
        self.backups_on(vm)
    }

    /// The ISO of each VM's last start that took effect, and the VMs frozen now.
    fn net_truth(&self, _now: u64) -> crate::netfacts::NetTruth {
        let mut cdimages = Vec::new();
        for vm in 0..self.vms.len() {
            let last = self.tasks.iter().rev().find(|t| {
                t.vm == vm && t.kind == Kind::Start && t.applied && t.ok && t.revoked.is_none()
            });
            if let Some(c) = last.and_then(|t| t.cdimage.clone()) {
                cdimages.push((self.vms[vm].hostname.clone(), c));
            }
        }
        let frozen = self
            .vms
            .iter()
            .filter(|v| !v.gone && v.status == "frozen")
            .map(|v| v.hostname.clone())
            .collect();
        crate::netfacts::NetTruth {
            cdimages,
            frozen,
            ..Default::default()
        }
    }

    fn error(&self, status: u16, message: &str) -> Response {
        let mut r = detail(status, message);
        r.set_header("es_version", VERSION.to_string());
        r
    }

    fn enum_fields(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[("status", &["RETRY", "RECEIVED", "migrating", "maintenance"])]
    }

    fn garble_task_id(&self, resp: &mut Response, pick: u64) -> bool {
        crate::faults::garble_task_id(resp, &["/task_id"], pick)
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
