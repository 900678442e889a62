//! cloudsfor — the "action object" dialect (DigitalOcean v2 style), per `providers/cloudsfor.md`.
//!
//! * `GET /account`, `GET /vms?page=&per_page=`, `GET /vms/{id}` (`{"vm"}`), `POST /vms/{id}/actions`,
//!   `GET /vms/{id}/actions` (newest first), `GET /actions?status=` (account-wide, newest first).
//! * An action's `id` is the VM id (as the documents say). While an action is `in-progress` the
//!   VM is `locked: true` and any new action gets `422 unprocessable_entity`.
//! * Lifecycle (see [`lifecycle`]): `POST /vms` → `202 {"vm" (status "new", locked), "links"}` and
//!   a `create` action in the VM's list; `DELETE /vms/{id}` → `204`, then `404`. `rebuild`
//!   actions (`{"type": "rebuild", "image"}`).
//! * The seeded world and the VM's shape: [`world`]. Catalogues (see [`catalogue`]): `GET /regions`, `GET /images?type=distribution`,
//!   `GET /sizes`, `GET /keys`; `account.vm_limit` caps the account's VMs.
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

mod actions;
mod catalogue;
mod lifecycle;
mod networks;
mod points;
mod volumes;
mod world;

use world::private_v4;

use serde_json::{json, Value};

use crate::fleet::IMAGES;
use crate::net::Pool;
use crate::truth::VmFact;
use crate::util::{iso, json_response, with_query, Ctx, Env, Rng, Window};
use crate::{Dialect, Response};

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
/// This dialect's place in the world's address pools.
const NET: u8 = 1;

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
    Rebuild,
    Restore,
    EnableBackups,
    DisableBackups,
    AttachNetwork,
    DetachNetwork,
    /// The action a `POST /vms` starts (not postable as an action).
    Create,
}

impl Kind {
    /// The types `POST /vms/{id}/actions` takes.
    const ALL: [Kind; 15] = [
        Kind::Reboot,
        Kind::PowerCycle,
        Kind::Shutdown,
        Kind::PowerOff,
        Kind::PowerOn,
        Kind::PasswordReset,
        Kind::Resize,
        Kind::Rename,
        Kind::Snapshot,
        Kind::Rebuild,
        Kind::Restore,
        Kind::EnableBackups,
        Kind::DisableBackups,
        Kind::AttachNetwork,
        Kind::DetachNetwork,
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
            Kind::Rebuild => "rebuild",
            Kind::Restore => "restore",
            Kind::EnableBackups => "enable_backups",
            Kind::DisableBackups => "disable_backups",
            Kind::AttachNetwork => "attach_network",
            Kind::DetachNetwork => "detach_network",
            Kind::Create => "create",
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
            Kind::Rebuild => 60_000,
            Kind::Restore => 90_000,
            Kind::EnableBackups | Kind::DisableBackups => 5_000,
            Kind::AttachNetwork | Kind::DetachNetwork => 10_000,
            Kind::Create => 100_000,
        }
    }
}

/// The image a VM runs: one of the catalogue's, or a snapshot it was rebuilt from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Image {
    Catalogue(usize),
    /// `(snapshot id, the catalogue image the snapshot was taken of)`
    Snapshot(u64, usize),
}

impl Image {
    fn json(self) -> Value {
        match self {
            Image::Catalogue(i) => {
                let img = &IMAGES[i];
                json!({"id": img.id, "distro": img.distro, "name": img.name})
            }
            Image::Snapshot(id, base) => {
                json!({"id": id, "distro": IMAGES[base].distro, "name": format!("Snapshot {id}")})
            }
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
    Rebuild(Image),
    /// `restore`'s backup id.
    Restore(u64),
    /// `attach_network`'s / `detach_network`'s `network_id`.
    Network(String),
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

/// Where a VM is in its life.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Its `create` action runs: status `new`, locked, no addresses.
    New,
    Active,
    /// Its `create` errored: status `new`, unlocked, no addresses; it can only be deleted.
    Failed,
    /// Deleted: `404`, in no list (kept so that action indices stay valid).
    Gone,
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
    image: Image,
    features: Vec<&'static str>,
    region: usize,
    /// The VM's number in the world's address pools.
    addr: u64,
    phase: Phase,
    /// The snapshot or backup its disk was last restored from (ground truth only).
    restored_from: Option<u64>,
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
    keys: Vec<catalogue::Key>,
}

impl Account {
    /// The VM with this id, unless it is gone.
    fn find(&self, id: &str) -> Option<usize> {
        self.vms
            .iter()
            .position(|v| v.id == id && v.phase != Phase::Gone)
    }

    /// Indices of the VMs a list shows (not gone), oldest first.
    fn listed(&self) -> Vec<usize> {
        (0..self.vms.len())
            .filter(|&i| self.vms[i].phase != Phase::Gone)
            .collect()
    }
}

pub(crate) struct Cloudsfor {
    accounts: Vec<Account>,
    env: Env,
    seq: u64,
    next_image_id: u64,
    pool: Pool,
    /// The next VM's number in the address pools.
    next_addr: u64,
    /// Ids of created VMs (a stream of their own: only creates draw from it).
    ids: Rng,
    /// Every snapshot's and backup's own fields, by id.
    stored: std::collections::BTreeMap<u64, points::Stored>,
    /// Every account's private networks.
    nets: networks::Nets,
    /// Block-storage volumes ([`volumes`]).
    vols: volumes::Volumes,
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
        "region": catalogue::region(vm.region).0,
    })
}

fn locked(acc: &Account, vm: usize, now: u64) -> bool {
    acc.actions.iter().any(|a| a.vm == vm && now < a.ends)
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

fn method_not_allowed() -> Response {
    err(
        405,
        "method_not_allowed",
        "Method not allowed on this resource.",
    )
}

impl Cloudsfor {
    fn route(&mut self, ai: usize, ctx: &Ctx) -> (String, Response) {
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
        if let Some(answer) = self.catalogue_route(ai, ctx) {
            return answer;
        }
        if ctx.matches(&["vms"]) {
            return match m {
                "GET" => ("GET /vms".into(), self.list_vms(ai, ctx)),
                "POST" => ("POST /vms".into(), self.create(ai, ctx)),
                _ => ("/vms".into(), method_not_allowed()),
            };
        }
        if ctx.matches(&["vms", "*"]) {
            let vi = self.accounts[ai].find(ctx.seg(1));
            return match (m, vi) {
                ("GET", Some(vi)) => ("GET /vms/{id}".into(), self.get_vm(ai, vi, ctx.now)),
                ("DELETE", Some(vi)) => ("DELETE /vms/{id}".into(), self.delete(ai, vi, ctx.now)),
                ("GET" | "DELETE", None) => (format!("{m} /vms/{{id}}"), not_found()),
                _ => ("/vms/{id}".into(), method_not_allowed()),
            };
        }
        if ctx.matches(&["vms", "*", "actions"]) {
            let label = format!("{m} /vms/{{id}}/actions");
            let Some(vi) = self.accounts[ai].find(ctx.seg(1)) else {
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
        if let Some(answer) = self.points_route(ai, ctx) {
            return answer;
        }
        if let Some(answer) = self.networks_route(ai, ctx) {
            return answer;
        }
        if let Some(answer) = self.volumes_route(ai, ctx) {
            return answer;
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

    /// `429` when the account used up its hour or minute; otherwise counts the request and
    /// returns the `ratelimit-*` headers for the answer.
    fn rate_limit(&mut self, ai: usize, now: u64) -> Result<[(&'static str, String); 3], Response> {
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
            return Err(r);
        }
        acc.hits.record(now);
        Ok([
            ("ratelimit-limit", LIMIT_PER_HOUR.to_string()),
            (
                "ratelimit-remaining",
                (LIMIT_PER_HOUR - in_hour - 1).to_string(),
            ),
            (
                "ratelimit-reset",
                acc.hits.frees_at(now, HOUR).div_ceil(1000).to_string(),
            ),
        ])
    }
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
        self.apply_volumes(now);
    }

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
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
        let headers = match self.rate_limit(ai, ctx.now) {
            Ok(h) => h,
            Err(r) => return ("throttled".into(), r),
        };
        let (label, mut resp) = self.route(ai, ctx);
        for (k, v) in headers {
            resp.set_header(k, v);
        }
        (label, resp)
    }

    fn facts(&self, now: u64) -> Vec<VmFact> {
        self.vm_facts(now)
    }

    fn points(&self, vm: &str, now: u64) -> Vec<crate::PointFact> {
        self.point_facts(vm, now)
    }

    fn vm_image(&self, vm: &str) -> Option<String> {
        let v = self
            .accounts
            .iter()
            .flat_map(|a| &a.vms)
            .find(|v| v.id == vm)?;
        Some(match v.image {
            Image::Catalogue(i) => IMAGES[i].id.to_string(),
            Image::Snapshot(id, _) => id.to_string(),
        })
    }

    fn restored_from(&self, vm: &str) -> Option<String> {
        let v = self
            .accounts
            .iter()
            .flat_map(|a| &a.vms)
            .find(|v| v.id == vm)?;
        v.restored_from.map(|id| id.to_string())
    }

    fn automatic_backups(&self, vm: &str, _now: u64) -> Option<bool> {
        let v = self
            .accounts
            .iter()
            .flat_map(|a| &a.vms)
            .find(|v| v.id == vm)?;
        Some(v.features.contains(&"backups"))
    }

    fn net_truth(&self, now: u64) -> crate::netfacts::NetTruth {
        crate::netfacts::NetTruth {
            networks: self.network_facts(now),
            volumes: self.volume_facts(now),
            ..Default::default()
        }
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
        &[("status", &["pending", "off", "archive", "queued"])]
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
