//! Hostway FlexCloud — the "202 + Location" dialect (OpenStack-Compute style), per
//! `providers/hostway.md`.
//!
//! * Base `/hostway/accounts/demo-account/flexcloud`; another account id → `403`. Each path
//!   also answers under the documented "Alternative URI" without
//!   `/accounts/{accountId}/flexcloud` (`/hostway/servers`, …; the account from the
//!   credentials): the `bookmark` links use it.
//! * `GET /servers?status=&name=` lists ids only; `GET /servers/{id}` is the truth.
//! * `POST /servers/{id}/action` ([`actions`]) with `reboot {type SOFT|HARD}`, `os-stop`,
//!   `os-start`, `resize {flavor {id}}` → `202`, empty body; the server shows `PROCESSING` until
//!   done. Conflicts: reboot while rebooting → 409 `Already rebooting`; any change while another
//!   runs → 409 `Other status change in progress`; resize to the same flavor (or an unknown one)
//!   → 400; an action the current state does not allow (start an ACTIVE server, stop/reboot a
//!   STOPPED one, anything on SUSPENDED/DELETED) → 403; an unknown action → 405.
//! * Failure (at `failure_rate`): the change ends and the server keeps its old status/flavor.
//! * Snapshots: see [`snapshots`]. VM lifecycle (create, delete): [`lifecycle`]. Catalogues
//!   (flavors, images, zones, security groups): [`catalogue`].

mod actions;
mod catalogue;
mod lifecycle;
mod points;
mod snapshots;

use serde_json::{json, Value};

use crate::fleet;
use crate::net::{self, Pool};
use crate::truth::VmFact;
use crate::util::{iso, json_response, Ctx, Env, Rng, NEVER};
use crate::{Dialect, Response, Scenario};

use catalogue::{FLAVORS, SECURITY_GROUPS, ZONES};

pub const PREFIX: &str = "/hostway/accounts/demo-account/flexcloud";
pub const ACCOUNT: &str = "demo-account";
pub const MAX_SNAPSHOTS: usize = 3;
/// This dialect's place in the world's address pools.
const NET: u8 = 4;
const STATUSES: [&str; 6] = [
    "BUILD",
    "ACTIVE",
    "STOPPED",
    "PROCESSING",
    "SUSPENDED",
    "DELETED",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Base {
    Active,
    Stopped,
    Suspended,
    Deleted,
}

impl Base {
    fn as_str(self) -> &'static str {
        match self {
            Base::Active => "ACTIVE",
            Base::Stopped => "STOPPED",
            Base::Suspended => "SUSPENDED",
            Base::Deleted => "DELETED",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ChangeKind {
    Reboot {
        hard: bool,
    },
    Stop,
    Start,
    Resize {
        flavor: usize,
    },
    /// `POST /servers/{id}/snapshots/{sid}/actions {"action": "restore"}` (an index into the
    /// server's snapshots).
    Restore {
        snapshot: usize,
    },
}

#[derive(Clone, Debug)]
struct Timed {
    started: u64,
    ends: u64,
    ok: bool,
    applied: bool,
}

#[derive(Clone, Debug)]
struct Snapshot {
    id: String,
    name: String,
    description: String,
    t: Timed,
    guid: String,
    parent_guid: String,
    relation_guid: String,
    /// The teardown a `DELETE` started: `DELETED` meanwhile, gone when it succeeds.
    delete: Option<Timed>,
    /// Deleted: `404`, in no list (kept so that indices stay valid).
    gone: bool,
}

impl Snapshot {
    fn status(&self, now: u64) -> &'static str {
        if self.delete.as_ref().is_some_and(|d| now < d.ends) {
            "DELETED"
        } else if now < self.t.ends {
            "BUILD"
        } else if self.t.ok {
            "ACTIVE"
        } else {
            "DELETED"
        }
    }
}

#[derive(Clone, Debug)]
struct Server {
    id: String,
    name: String,
    base: Base,
    flavor: usize,
    /// An index into the image catalogue.
    image: usize,
    zone: usize,
    security_group: usize,
    /// The server's number in the world's address pools.
    addr: u64,
    created_ms: u64,
    updated_ms: u64,
    extra_volumes: Vec<String>,
    change: Option<(ChangeKind, Timed)>,
    build: Option<Timed>,
    /// The teardown a `DELETE` started: `DELETED` meanwhile, gone when it succeeds.
    delete: Option<Timed>,
    snapshots: Vec<Snapshot>,
    /// The snapshot id its disk was last restored from (ground truth only).
    restored_from: Option<String>,
    host_id: String,
    /// Deleted: `404`, in no list (kept so that indices stay valid).
    gone: bool,
}

pub(crate) struct Hostway {
    servers: Vec<Server>,
    images: Vec<catalogue::Image>,
    env: Env,
    ids: Rng,
    pool: Pool,
    next_addr: u64,
    user_id: String,
    /// When the catalogue objects were created.
    epoch: u64,
}

fn fault(status: u16, message: &str) -> Response {
    let key = match status {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 | 429 => "overLimit",
        503 => "serviceUnavailable",
        _ => "computeFault",
    };
    json_response(
        status,
        &json!({ key: {"message": message, "code": status} }),
    )
}

fn accepted(location: Option<String>, body: Option<Value>) -> Response {
    let mut r = match body {
        Some(b) => json_response(202, &b),
        None => crate::util::empty_response(202),
    };
    if let Some(l) = location {
        r.set_header("location", l);
    }
    r
}

fn alnum(rng: &mut Rng, n: usize) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..n)
        .map(|_| A[rng.below(A.len() as u64) as usize] as char)
        .collect()
}

impl Hostway {
    pub fn new(sc: &Scenario, now: u64) -> Hostway {
        let mut rng = Rng::derive(sc.seed, 0x4057);
        let n = sc.vms;
        let mut servers: Vec<Server> = fleet::fleet(&mut rng, n, now, ZONES.len())
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let flavor = FLAVORS
                    .iter()
                    .position(|f| f.3 >= s.ram_gb)
                    .unwrap_or(FLAVORS.len() - 1);
                let extra_volumes = if s.name.starts_with("db-") || s.name.starts_with("backup-") {
                    vec![rng.uuid()]
                } else {
                    Vec::new()
                };
                Server {
                    id: rng.uuid(),
                    name: s.name,
                    base: if n >= 10 && i == n - 3 {
                        Base::Suspended
                    } else if s.running {
                        Base::Active
                    } else {
                        Base::Stopped
                    },
                    flavor,
                    image: s.image,
                    zone: s.region,
                    security_group: i % SECURITY_GROUPS.len(),
                    addr: i as u64,
                    created_ms: s.created_ms,
                    updated_ms: now.saturating_sub(rng.range(60_000, 86_400_000)) / 1000 * 1000,
                    extra_volumes,
                    change: None,
                    build: None,
                    delete: None,
                    snapshots: Vec::new(),
                    restored_from: None,
                    host_id: rng.hex(56),
                    gone: false,
                }
            })
            .collect();
        let mut ids = Rng::derive(sc.seed, 0x0405_71D5);
        snapshots::seed(&mut rng, &mut ids, &mut servers, now);
        Hostway {
            next_addr: servers.len() as u64,
            servers,
            images: catalogue::images(),
            env: Env::new(sc.seed, 0x4057_5EED, sc.failure_rate, sc.speed),
            ids,
            pool: Pool::new(sc.seed, NET),
            user_id: Rng::derive(sc.seed, 0x4057_05E4).hex(32),
            epoch: now.saturating_sub(600 * 86_400_000) / 1000 * 1000,
        }
    }

    fn status(&self, si: usize, now: u64) -> (&'static str, u32) {
        let s = &self.servers[si];
        if let Some(b) = &s.build {
            if now < b.ends {
                let span = (b.ends - b.started).max(1);
                let f = (now - b.started) * 3 / span;
                return ("BUILD", [0, 50, 100][f.min(2) as usize]);
            }
        }
        if s.delete.as_ref().is_some_and(|d| now < d.ends) {
            return ("DELETED", 0);
        }
        if let Some((_, c)) = &s.change {
            if now < c.ends {
                return ("PROCESSING", 100);
            }
        }
        (
            s.base.as_str(),
            if s.base == Base::Deleted { 0 } else { 100 },
        )
    }

    /// Placed on a host with its addresses: built (not building, not a failed build).
    fn placed(&self, si: usize, now: u64) -> bool {
        let s = &self.servers[si];
        !s.gone && s.base != Base::Deleted && s.build.as_ref().is_none_or(|b| now >= b.ends)
    }

    /// `(public IPv4, public IPv6, private IPv4)` of a server.
    fn addresses(&self, s: &Server) -> (String, String, String) {
        (
            self.pool.public_v4(s.addr),
            self.pool.v6(s.addr),
            net::private_v4(80 + s.zone as u8, s.addr),
        )
    }

    fn href(&self, ctx: &Ctx, path: &str) -> String {
        format!("{}{PREFIX}{path}", ctx.origin)
    }

    fn server_json(&self, si: usize, ctx: &Ctx) -> Value {
        let now = ctx.now;
        let s = &self.servers[si];
        let (status, progress) = self.status(si, now);
        let (fid, fname, vcpus, ram, disk) = FLAVORS[s.flavor];
        let img = &self.images[s.image];
        let mut updated = s.updated_ms;
        for t in s
            .build
            .iter()
            .chain(s.change.iter().map(|c| &c.1))
            .chain(s.delete.iter())
        {
            if t.started <= now {
                updated = updated.max(t.started);
            }
            if t.ends <= now {
                updated = updated.max(t.ends);
            }
        }
        let placed = self.placed(si, now);
        let (v4, v6, private) = self.addresses(s);
        let (addresses, access4, access6) = if placed {
            (
                json!({"public": [{"version": 4, "addr": v4}, {"version": 6, "addr": v6}], "private": [{"version": 4, "addr": private}]}),
                v4,
                v6,
            )
        } else {
            (
                json!({"public": [], "private": []}),
                String::new(),
                String::new(),
            )
        };
        json!({"server": {
            "id": s.id,
            "name": s.name,
            "status": status,
            "progress": progress,
            "flavor": {"id": fid, "name": fname, "vcpus": vcpus, "ram": ram * 1024, "disk": disk},
            "image": {"id": img.id, "name": img.name},
            "addresses": addresses,
            "accessIPv4": access4,
            "accessIPv6": access6,
            "zone": ZONES[s.zone].0,
            "hostId": if placed { s.host_id.as_str() } else { "" },
            "created": if placed { iso(s.created_ms) } else { String::new() },
            "updated": iso(updated),
            "userId": self.user_id,
            "metadata": {},
            "security_groups": [{"name": SECURITY_GROUPS[s.security_group].1}],
            "os-extended-volumes:volumes_attached": s.extra_volumes.iter().map(|v| json!({"id": v})).collect::<Vec<_>>(),
            "links": [{"href": self.href(ctx, &format!("/servers/{}", s.id)), "rel": "self"}],
        }})
    }

    fn timed(&mut self, now: u64, median: u64) -> Timed {
        let d = self.env.duration(median);
        let ok = !self.env.fails();
        let ends = if self.env.stuck() { NEVER } else { now + d };
        Timed {
            started: now,
            ends,
            ok,
            applied: false,
        }
    }

    /// `GET /servers?status=&name=`: ids, zones and links only.
    fn list_servers(&self, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let want_status = ctx
            .q("status")
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_uppercase);
        if let Some(st) = want_status
            .as_ref()
            .filter(|s| !STATUSES.contains(&s.as_str()))
        {
            return fault(400, &format!("Invalid status value '{st}'"));
        }
        let want_name = ctx
            .q("name")
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_lowercase);
        let list: Vec<Value> = (0..self.servers.len())
            .filter(|&i| !self.servers[i].gone)
            .filter(|&i| want_status.as_deref().is_none_or(|w| self.status(i, now).0 == w))
            .filter(|&i| {
                want_name
                    .as_deref()
                    .is_none_or(|w| self.servers[i].name.to_ascii_lowercase().contains(w))
            })
            .map(|i| {
                let s = &self.servers[i];
                json!({
                    "id": s.id,
                    "zone": ZONES[s.zone].0,
                    "links": [{"href": self.href(ctx, &format!("/servers/{}", s.id)), "rel": "self"}],
                })
            })
            .collect();
        json_response(200, &json!({ "servers": list }))
    }

    fn route(&mut self, ctx: &Ctx) -> (String, Response) {
        let m = ctx.method.as_str();
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        if let Some(answer) = self.catalogue(&segs, ctx) {
            return answer;
        }
        match segs.as_slice() {
            ["servers"] => match m {
                "GET" => ("GET /servers".into(), self.list_servers(ctx)),
                "POST" => ("POST /servers".into(), self.create(ctx)),
                _ => ("/servers".into(), fault(405, "Method not allowed")),
            },
            ["servers", id, rest @ ..] => {
                match self.servers.iter().position(|s| s.id == *id && !s.gone) {
                    Some(si) => self.route_server(si, rest, ctx),
                    None => ("/servers/{id}".into(), fault(404, "Server not found")),
                }
            }
            _ => ("unknown".into(), fault(404, "Resource not found")),
        }
    }

    /// Everything under `/servers/{id}/` once the server is found.
    fn route_server(&mut self, si: usize, rest: &[&str], ctx: &Ctx) -> (String, Response) {
        match (ctx.method.as_str(), rest) {
            ("GET", []) => (
                "GET /servers/{id}".into(),
                json_response(200, &self.server_json(si, ctx)),
            ),
            ("DELETE", []) => ("DELETE /servers/{id}".into(), self.delete(si, ctx.now)),
            ("POST", ["action"]) => ("POST /servers/{id}/action".into(), self.action(si, ctx)),
            ("POST", ["snapshots"]) => (
                "POST /servers/{id}/snapshots".into(),
                self.snapshot(si, ctx),
            ),
            ("GET", ["snapshots"]) => (
                "GET /servers/{id}/snapshots".into(),
                self.list_snapshots(si, ctx),
            ),
            (_, ["snapshots", sid, ..]) => self.route_snapshot(si, sid, &rest[2..], ctx),
            (_, [] | ["action"] | ["snapshots"]) => {
                ("/servers/{id}".into(), fault(405, "Method not allowed"))
            }
            _ => ("unknown".into(), fault(404, "Resource not found")),
        }
    }
}

impl Dialect for Hostway {
    fn name(&self) -> &'static str {
        "hostway"
    }

    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn mount(&self) -> &'static str {
        "/hostway"
    }

    fn advance(&mut self, now: u64) {
        for s in self.servers.iter_mut() {
            if let Some(b) = s.build.as_mut() {
                if !b.applied && b.ends <= now {
                    b.applied = true;
                    s.updated_ms = b.ends;
                }
            }
            if let Some((kind, c)) = s.change.as_mut() {
                if !c.applied && c.ends <= now {
                    c.applied = true;
                    s.updated_ms = c.ends;
                    if c.ok {
                        match *kind {
                            ChangeKind::Reboot { .. } | ChangeKind::Start => s.base = Base::Active,
                            ChangeKind::Stop => s.base = Base::Stopped,
                            ChangeKind::Resize { flavor } => s.flavor = flavor,
                            ChangeKind::Restore { snapshot } => {
                                s.restored_from = Some(s.snapshots[snapshot].id.clone())
                            }
                        }
                    }
                }
            }
            for snap in s.snapshots.iter_mut() {
                if let Some(d) = snap.delete.as_mut() {
                    if !d.applied && d.ends <= now {
                        d.applied = true;
                        snap.gone = d.ok;
                    }
                }
            }
            if let Some(d) = s.delete.as_mut() {
                if !d.applied && d.ends <= now {
                    d.applied = true;
                    s.updated_ms = d.ends;
                    s.gone = d.ok;
                }
            }
        }
    }

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
        let authed = crate::util::basic_auth(ctx.headers).is_some_and(|(u, p)| {
            u.eq_ignore_ascii_case(crate::DEMO_EMAIL) && p == crate::DEMO_PASSWORD
        });
        if !authed {
            return (
                "unauthenticated".into(),
                fault(
                    401,
                    "This server could not verify that you are authorized to access the resource.",
                ),
            );
        }
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        let skip = match segs.as_slice() {
            ["accounts", acct, "flexcloud", ..] if *acct != ACCOUNT => {
                return (
                    "forbidden".into(),
                    fault(403, "Access to this account is not allowed."),
                );
            }
            ["accounts", _, "flexcloud", ..] => 3,
            ["accounts", ..] => return ("unknown".into(), fault(404, "Resource not found")),
            // the documented Alternative URI: the account from the credentials
            _ => 0,
        };
        let inner = Ctx {
            method: ctx.method.clone(),
            segs: ctx.segs[skip..].to_vec(),
            trailing_slash: ctx.trailing_slash,
            query: ctx.query,
            headers: ctx.headers,
            body: ctx.body,
            now: ctx.now,
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
        let s = self.servers.iter().find(|s| s.id == vm)?;
        Some(self.images[s.image].id.clone())
    }

    fn restored_from(&self, vm: &str) -> Option<String> {
        self.servers
            .iter()
            .find(|s| s.id == vm)?
            .restored_from
            .clone()
    }

    fn error(&self, status: u16, message: &str) -> Response {
        fault(status, message)
    }

    fn throttled(&self, retry_after_s: u64) -> Response {
        let mut r = json_response(
            429,
            &json!({"overLimit": {"message": "Rate limit exceeded", "code": 429, "retryAfter": retry_after_s.to_string()}}),
        );
        r.set_header("retry-after", retry_after_s.to_string());
        r
    }

    fn enum_fields(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[(
            "status",
            &["REBUILD", "MIGRATING", "VERIFY_RESIZE", "ERROR"],
        )]
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
