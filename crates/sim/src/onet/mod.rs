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
//! * VM lifecycle ([`lifecycle`]): create, delete, reinstall, `PUT` (rename, hostname);
//!   catalogues ([`catalogue`]): sizes, locations, images, VPCs; `ip_addresses`.
//! * Rate limit (documented): **1000 requests/min, bursts of 100/s**, per token, sliding windows
//!   on the virtual clock; beyond → `429` + `Retry-After` (seconds), DRF's throttle message.
//! * Pagination `page` / `page_size` (default 20, max 100) → `{count, next, previous, results}`
//!   with absolute `next`/`previous` when the request URL was absolute; bad page → `404`.

mod catalogue;
mod lifecycle;
mod model;
mod net;
mod points;
mod tasks;
mod volumes;

use serde_json::{json, Value};

use crate::fleet;
use crate::net::Pool;
use crate::truth::VmFact;
use crate::util::{iso, json_response, window, with_query, Ctx, Env, Rng, Window};
use crate::{Dialect, Response, Scenario};

use catalogue::{FLEET_LOCATIONS, FLEET_SIZES, SIZES, VPCS};
use model::{Effect, Kind, Task};

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
/// This dialect's place in the world's address pools.
const NET: u8 = 3;

#[derive(Clone, Debug)]
struct Instance {
    id: String,
    legacy_id: u64,
    name: String,
    hostname: String,
    description: String,
    status: &'static str,
    size: usize,
    location: usize,
    vpc: usize,
    image: usize,
    billing_cycle: &'static str,
    tags: Vec<String>,
    created_ms: u64,
    modified_ms: u64,
    /// The instance's number in the world's address pools.
    addr: u64,
    /// Its create completed: it holds its addresses.
    provisioned: bool,
    /// Its create failed (`error`).
    create_failed: bool,
    /// Deleted: `404`, in no list (kept so that task indices stay valid).
    gone: bool,
    /// Paid add-ons active on it: `(snapshots, backups)`.
    addons: (bool, bool),
    snapshots: Vec<points::Point>,
    backups: Vec<points::Point>,
    /// The snapshot or backup id its disk was last restored from (ground truth only).
    restored_from: Option<String>,
    /// Its addresses, reverse DNS and firewall as changed by issue 16's tasks.
    net: net::NetState,
}

pub(crate) struct Onet {
    instances: Vec<Instance>,
    tasks: Vec<Task>,
    vpc_ids: Vec<String>,
    images: Vec<catalogue::Image>,
    user_id: String,
    env: Env,
    ids: Rng,
    hits: Window,
    pool: Pool,
    next_addr: u64,
    /// When the catalogue objects were created.
    epoch: u64,
    volumes: Vec<volumes::Volume>,
    consoles: Vec<net::Console>,
    /// Who sends the request being answered: 0 the demo user, 1 the colleague.
    caller: usize,
    colleague_id: String,
}

fn detail(status: u16, m: &str) -> Response {
    json_response(status, &json!({ "detail": m }))
}

fn not_allowed(m: &str) -> Response {
    detail(405, &format!("Method \"{m}\" not allowed."))
}

impl Onet {
    pub fn new(sc: &Scenario, now: u64) -> Onet {
        let mut rng = Rng::derive(sc.seed, 0x0E7);
        let n = sc.vms;
        let instances: Vec<Instance> = fleet::fleet(&mut rng, n, now, FLEET_LOCATIONS)
            .into_iter()
            .enumerate()
            .map(|(i, s)| Instance {
                id: rng.uuid(),
                legacy_id: 48_000 + rng.below(9_000),
                hostname: s.name.clone(),
                name: s.name,
                description: String::new(),
                status: if n >= 10 && i == n - 2 {
                    "error"
                } else if s.running {
                    "running"
                } else {
                    "stopped"
                },
                size: SIZES[..FLEET_SIZES]
                    .iter()
                    .position(|z| z.ram_mb >= s.ram_gb * 1024)
                    .unwrap_or(FLEET_SIZES - 1),
                location: s.region,
                vpc: s.region,
                image: s.image,
                billing_cycle: "monthly",
                tags: Vec::new(),
                created_ms: s.created_ms,
                modified_ms: now.saturating_sub(rng.range(60_000, 86_400_000)) / 1000 * 1000,
                addr: i as u64,
                provisioned: true,
                create_failed: false,
                gone: false,
                addons: (false, false),
                snapshots: Vec::new(),
                backups: Vec::new(),
                restored_from: None,
                net: Default::default(),
            })
            .collect();
        let mut vpc_ids = vec![rng.uuid()];
        let mut more = Rng::derive(sc.seed, 0x0E7_7BC5);
        vpc_ids.extend((1..VPCS.len()).map(|_| more.uuid()));
        let mut instances = instances;
        points::seed(sc.seed, &mut instances, now);
        let mut issue16 = Rng::derive(sc.seed, 0x0E7_0016);
        let mut o = Onet {
            next_addr: instances.len() as u64,
            instances,
            tasks: Vec::new(),
            vpc_ids,
            images: catalogue::images(),
            user_id: rng.uuid(),
            env: Env::new(sc.seed, 0x0E75_5EED, sc.failure_rate, sc.speed),
            ids: Rng::derive(sc.seed, 0x0E71_D5D5),
            hits: Window::default(),
            pool: Pool::new(sc.seed, NET),
            epoch: now.saturating_sub(500 * 86_400_000) / 1000 * 1000,
            volumes: Vec::new(),
            consoles: Vec::new(),
            caller: 0,
            colleague_id: issue16.uuid(),
        };
        o.seed_volumes(&mut issue16, now);
        o
    }

    fn busy(&self, ii: usize, now: u64) -> bool {
        self.tasks.iter().any(|t| t.inst == ii && !t.finished(now))
    }

    /// An instance that exists (not deleted).
    fn find(&self, id: &str) -> Option<usize> {
        self.instances.iter().position(|i| i.id == id && !i.gone)
    }

    /// `ip_addresses`: public IPv4 and IPv6 (less removed ones, plus assigned ones) and the VPC
    /// address, once created.
    fn addresses(&self, inst: &Instance) -> Vec<(String, u8, &'static str)> {
        if !inst.provisioned || inst.gone {
            return Vec::new();
        }
        let mut v: Vec<(String, u8, &'static str)> = vec![
            (self.pool.public_v4(inst.addr), 4, "public"),
            (self.pool.v6(inst.addr), 6, "public"),
        ];
        v.extend(
            inst.net
                .extra
                .iter()
                .map(|(a, ver)| (a.clone(), *ver, "public")),
        );
        v.retain(|(a, _, _)| !inst.net.removed.contains(a));
        v.push((
            crate::net::private_v4(VPCS[inst.vpc].2, inst.addr),
            4,
            "private",
        ));
        v
    }

    /// The reverse DNS name of a public address of `inst`.
    fn ptr_of(&self, inst: &Instance, address: &str) -> String {
        inst.net.ptrs.get(address).cloned().unwrap_or_else(|| {
            format!("{}.rev.onetsolutions.net", address.replace(['.', ':'], "-"))
        })
    }

    fn instance_json(&self, ii: usize, now: u64) -> Value {
        let inst = &self.instances[ii];
        let status = if self.busy(ii, now) {
            "pending"
        } else {
            inst.status
        };
        let mut size = self.size_json(inst.size);
        let s = &SIZES[inst.size];
        size["vcpus"] = json!(s.vcpu);
        size["memory_gb"] = json!(s.ram_mb / 1024);
        size["disk_gb"] = json!(s.disk_gb);
        let (vpc_name, _, octet) = VPCS[inst.vpc];
        let img = &self.images[inst.image];
        let ips: Vec<Value> = self
            .addresses(inst)
            .into_iter()
            .map(|(address, version, kind)| {
                let ptr = (kind == "public").then(|| self.ptr_of(inst, &address));
                json!({"address": address, "version": version, "type": kind, "reverse_dns": ptr})
            })
            .collect();
        json!({
            "id": inst.id,
            "legacy_id": inst.legacy_id,
            "organization_id": ORG,
            "project_id": PROJECT,
            "name": inst.name,
            "hostname": inst.hostname,
            "description": inst.description,
            "status": status,
            "size": size,
            "location": self.location_json(inst.location),
            "vpc": {"id": self.vpc_ids[inst.vpc], "name": vpc_name, "cidr_block": format!("10.{octet}.0.0/16")},
            "image": {"id": img.id, "name": img.name, "os_name": img.os_name},
            "ip_addresses": ips,
            "billing_cycle": inst.billing_cycle,
            "tags": inst.tags,
            "created": iso(inst.created_ms),
            "modified": iso(inst.modified_ms),
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

    fn route(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let m = ctx.method.as_str();
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            ["compute", "instances"] => match m {
                "GET" => {
                    let items = (0..self.instances.len())
                        .filter(|&i| !self.instances[i].gone)
                        .map(|i| self.instance_json(i, now))
                        .collect();
                    let r = self.paginate(ctx, "/compute/instances", items);
                    ("GET /compute/instances".into(), r)
                }
                "POST" => ("POST /compute/instances".into(), self.create(ctx)),
                _ => ("/compute/instances".into(), not_allowed(m)),
            },
            ["compute", "instances", id, rest @ ..] => match self.find(id) {
                Some(ii) => self.route_instance(ii, rest, ctx),
                None => ("/compute/instances/{id}".into(), detail(404, "Not found.")),
            },
            ["compute", "tasks"] => ("GET /compute/tasks".into(), self.list_tasks(ctx)),
            ["compute", "tasks", tid] => {
                let label = "GET /compute/tasks/{id}".to_string();
                if m != "GET" {
                    return (label, not_allowed(m));
                }
                match self.tasks.iter().find(|t| t.id == *tid) {
                    Some(t) => (label, json_response(200, &self.task_json(t, now))),
                    None => (label, detail(404, "Not found.")),
                }
            }
            ["compute", what] => match self.catalogue(what) {
                Some(_) if m != "GET" => (format!("GET /compute/{what}"), not_allowed(m)),
                Some(items) => {
                    let r = self.paginate(ctx, &format!("/compute/{what}"), items);
                    (format!("GET /compute/{what}"), r)
                }
                None => ("unknown".into(), detail(404, "Not found.")),
            },
            _ => ("unknown".into(), detail(404, "Not found.")),
        }
    }

    /// Everything under `/compute/instances/{id}/` once the instance is found.
    fn route_instance(&mut self, ii: usize, rest: &[&str], ctx: &Ctx) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        match (m, rest) {
            ("GET", []) => (
                "GET /compute/instances/{id}".into(),
                json_response(200, &self.instance_json(ii, now)),
            ),
            ("PUT", []) => ("PUT /compute/instances/{id}".into(), self.update(ii, ctx)),
            ("DELETE", []) => (
                "DELETE /compute/instances/{id}".into(),
                self.delete(ii, now),
            ),
            (_, []) => ("/compute/instances/{id}".into(), not_allowed(m)),
            (_, [what @ ("snapshots" | "backups" | "addons" | "resize"), ..]) => {
                let what = what.to_string();
                self.route_points(ii, &what, &rest[1..], ctx)
            }
            (_, [action]) if Kind::parse(action).is_some() || *action == "reinstall" => {
                let label = format!("POST /compute/instances/{{id}}/{action}");
                if m != "POST" {
                    return (label, not_allowed(m));
                }
                let resp = match Kind::parse(action) {
                    Some(kind) => self.act(ii, kind, ctx),
                    None => self.reinstall(ii, ctx),
                };
                (label, resp)
            }
            (_, ["volumes", ..]) => self.route_volumes(ii, &rest[1..], ctx),
            (_, ["ips" | "vpc" | "firewall" | "console" | "sync", ..]) => {
                self.route_net(ii, rest, ctx)
            }
            ("GET", ["tasks"]) => (
                "GET /compute/instances/{id}/tasks".into(),
                self.instance_tasks(ii, ctx),
            ),
            (_, ["tasks", tid]) => {
                let label = "GET /compute/instances/{id}/tasks/{task}".to_string();
                if m != "GET" {
                    return (label, not_allowed(m));
                }
                match self.tasks.iter().find(|t| t.id == *tid && t.inst == ii) {
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
        self.apply_due(now);
    }

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        match crate::util::auth_token(ctx.headers, "bearer") {
            Some(t) if t == crate::DEMO_TOKEN => self.caller = 0,
            Some(t) if t == crate::COLLEAGUE_TOKEN => self.caller = 1,
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

    fn facts(&self, now: u64) -> Vec<VmFact> {
        self.vm_facts(now)
    }

    fn points(&self, vm: &str, now: u64) -> Vec<crate::PointFact> {
        self.point_facts(vm, now)
    }

    fn vm_image(&self, vm: &str) -> Option<String> {
        let inst = self.instances.iter().find(|i| i.id == vm)?;
        Some(self.images[inst.image].id.to_string())
    }

    fn restored_from(&self, vm: &str) -> Option<String> {
        self.instances
            .iter()
            .find(|i| i.id == vm)?
            .restored_from
            .clone()
    }

    fn automatic_backups(&self, vm: &str, _now: u64) -> Option<bool> {
        Some(self.instances.iter().find(|i| i.id == vm)?.addons.1)
    }

    fn net_truth(&self, now: u64) -> crate::netfacts::NetTruth {
        self.net_facts(now)
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

    /// A Task answer's `id` (an Instance's `id` is no task id).
    fn garble_task_id(&self, resp: &mut Response, pick: u64) -> bool {
        let is_task =
            serde_json::from_str::<Value>(&resp.body).is_ok_and(|v| v.get("task_type").is_some());
        is_task && crate::faults::garble_task_id(resp, &["/id"], pick)
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
