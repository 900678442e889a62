//! Hostway FlexCloud — the "202 + Location" dialect (OpenStack-Compute style), per
//! `providers/hostway.md`.
//!
//! * Base `/hostway/accounts/demo-account/flexcloud`; another account id → `403`.
//! * `GET /servers?status=&name=` lists ids only; `GET /servers/{id}` is the truth.
//! * `POST /servers/{id}/action` with `reboot {type SOFT|HARD}`, `os-stop`, `os-start`,
//!   `resize {flavor {id}}` → `202`, empty body; the server shows `PROCESSING` until done.
//!   Conflicts: reboot while rebooting → 409 `Already rebooting`; any change while another runs →
//!   409 `Other status change in progress`; resize to the same flavor (or an unknown one) → 400;
//!   an action the current state does not allow (start an ACTIVE server, stop/reboot a STOPPED
//!   one, anything on SUSPENDED/DELETED) → 403; an unknown action → 405.
//! * Failure (at `failure_rate`): the change ends and the server keeps its old status/flavor.
//! * Snapshots: `POST /servers/{id}/snapshots` → `202` + `Location` (absolute when the request
//!   URL was) + the documented body; `GET` the Location → `BUILD` → `ACTIVE` (or `DELETED` when
//!   it failed). 400 when the server has extra volumes (the seeded `db-*` and `backup-*`
//!   servers), 409 for a name already used on that server, 413 beyond 3 snapshots (not counting
//!   DELETED ones).
//! * `POST /servers` → `202` + `Location`; the new server is `BUILD` with progress 0 → 50 → 100
//!   (thirds of its build time), then `ACTIVE` (or `DELETED` when the build failed).

use serde_json::{json, Value};

use crate::fleet::{self, IMAGES};
use crate::truth::{finish_at, Completion, VmFact, VmState};
use crate::util::{iso, json_response, sql_time, Ctx, Env, Rng, MONTHS, NEVER};
use crate::{Dialect, Response, Scenario};

pub const PREFIX: &str = "/hostway/accounts/demo-account/flexcloud";
pub const ACCOUNT: &str = "demo-account";
pub const MAX_SNAPSHOTS: usize = 3;

const ZONES: [&str; 3] = ["USOTE-0214", "USTXA-0301", "USILC-0107"];
/// (id, name, vcpus, ram GB, disk GB)
const FLAVORS: [(&str, &str, u32, u32, u32); 6] = [
    ("1", "FlexCloud 1 vCPU / 1 GB", 1, 1, 20),
    ("2", "FlexCloud 1 vCPU / 2 GB", 1, 2, 40),
    ("3", "FlexCloud 2 vCPU / 4 GB", 2, 4, 60),
    ("4", "FlexCloud 4 vCPU / 8 GB", 4, 8, 80),
    ("5", "FlexCloud 8 vCPU / 16 GB", 8, 16, 160),
    ("6", "FlexCloud 16 vCPU / 32 GB", 16, 32, 320),
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
    Reboot { hard: bool },
    Stop,
    Start,
    Resize { flavor: usize },
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
}

impl Snapshot {
    fn status(&self, now: u64) -> &'static str {
        if now < self.t.ends {
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
    image: usize,
    zone: usize,
    ip: String,
    created_ms: u64,
    updated_ms: u64,
    extra_volumes: Vec<String>,
    change: Option<(ChangeKind, Timed)>,
    build: Option<Timed>,
    snapshots: Vec<Snapshot>,
    host_id: String,
}

pub(crate) struct Hostway {
    servers: Vec<Server>,
    env: Env,
    ids: Rng,
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
                    ip: fleet::ipv4(1, i),
                    created_ms: s.created_ms,
                    updated_ms: now.saturating_sub(rng.range(60_000, 86_400_000)) / 1000 * 1000,
                    extra_volumes,
                    change: None,
                    build: None,
                    snapshots: Vec::new(),
                    host_id: rng.hex(56),
                }
            })
            .collect();
        let mut ids = Rng::derive(sc.seed, 0x0405_71D5);
        for server in servers.iter_mut() {
            if !server.extra_volumes.is_empty() {
                continue;
            }
            for k in 0..rng.below(3) {
                let at = now.saturating_sub(rng.range(86_400_000, 90 * 86_400_000)) / 1000 * 1000;
                let mut snap =
                    new_snapshot(&mut ids, server, &format!("nightly-{}", k + 1), "", at);
                snap.t = Timed {
                    started: at,
                    ends: at + 150_000,
                    ok: true,
                    applied: true,
                };
                server.snapshots.push(snap);
            }
        }
        Hostway {
            servers,
            env: Env::new(sc.seed, 0x4057_5EED, sc.failure_rate, sc.speed),
            ids,
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

    fn href(&self, ctx: &Ctx, path: &str) -> String {
        format!("{}{PREFIX}{path}", ctx.origin)
    }

    fn server_json(&self, si: usize, ctx: &Ctx) -> Value {
        let now = ctx.now;
        let s = &self.servers[si];
        let (status, progress) = self.status(si, now);
        let (fid, fname, vcpus, ram, disk) = FLAVORS[s.flavor];
        let img = &IMAGES[s.image];
        let mut updated = s.updated_ms;
        for t in s.build.iter().chain(s.change.iter().map(|c| &c.1)) {
            if t.started <= now {
                updated = updated.max(t.started);
            }
            if t.ends <= now {
                updated = updated.max(t.ends);
            }
        }
        json!({"server": {
            "id": s.id,
            "name": s.name,
            "status": status,
            "progress": progress,
            "flavor": {"id": fid, "name": fname, "vcpus": vcpus, "ram": ram * 1024, "disk": disk},
            "image": {"id": img.id.to_string(), "name": format!("{} {}", img.distro, img.name)},
            "addresses": {
                "public": [{"version": 4, "addr": s.ip}],
                "private": [{"version": 4, "addr": format!("10.30.{}.{}", s.zone, 10 + si % 240)}],
            },
            "zone": ZONES[s.zone],
            "hostId": s.host_id,
            "created": iso(s.created_ms),
            "updated": iso(updated),
            "os-extended-volumes:volumes_attached": s.extra_volumes.iter().map(|v| json!({"id": v})).collect::<Vec<_>>(),
            "links": [{"href": self.href(ctx, &format!("/servers/{}", s.id)), "rel": "self"}],
        }})
    }

    fn snapshot_json(&self, si: usize, snap: &Snapshot, ctx: &Ctx) -> Value {
        let st = snap.status(ctx.now);
        let done = st == "ACTIVE";
        json!({"snapshot": {
            "id": snap.id,
            "name": snap.name,
            "description": snap.description,
            "status": st,
            "guid": if done { snap.guid.as_str() } else { "" },
            "parent_guid": if done { snap.parent_guid.as_str() } else { "" },
            "relation_guid": if done { snap.relation_guid.as_str() } else { "" },
            "create_time": if done { sql_time(snap.t.ends) } else { "0000-00-00 00:00:00".to_string() },
            "links": [{"href": self.snapshot_href(si, snap, ctx), "rel": "self"}],
        }})
    }

    fn snapshot_href(&self, si: usize, snap: &Snapshot, ctx: &Ctx) -> String {
        self.href(
            ctx,
            &format!("/servers/{}/snapshots/{}/", self.servers[si].id, snap.id),
        )
    }

    fn action(&mut self, si: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) if m.len() == 1 => m,
            Ok(Value::Object(_)) => {
                return fault(400, "The action body must contain exactly one action.")
            }
            Ok(_) => return fault(400, "Malformed request body"),
            Err(e) => return fault(400, &format!("Malformed request body: {e}")),
        };
        let (key, val) = body.iter().next().unwrap();
        let kind = match key.as_str() {
            "reboot" => match val
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase)
            {
                Some(t) if t == "SOFT" => ChangeKind::Reboot { hard: false },
                Some(t) if t == "HARD" => ChangeKind::Reboot { hard: true },
                _ => return fault(400, "reboot.type must be SOFT or HARD"),
            },
            "os-stop" => ChangeKind::Stop,
            "os-start" => ChangeKind::Start,
            "resize" => {
                let id = val
                    .get("flavor")
                    .and_then(|f| f.get("id"))
                    .or_else(|| val.get("flavorRef"))
                    .and_then(|v| match v {
                        Value::String(s) => Some(s.rsplit('/').next().unwrap_or("").to_string()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    });
                let Some(id) = id else {
                    return fault(400, "resize requires flavor.id");
                };
                let Some(flavor) = FLAVORS.iter().position(|f| f.0 == id) else {
                    return fault(400, &format!("Invalid flavor {id}"));
                };
                ChangeKind::Resize { flavor }
            }
            other => return fault(405, &format!("Action '{other}' is not supported")),
        };
        let (status, _) = self.status(si, now);
        let s = &self.servers[si];
        if status == "BUILD" {
            return fault(409, "Other status change in progress");
        }
        if let Some((running, c)) = &s.change {
            if now < c.ends {
                let both_reboots = matches!(running, ChangeKind::Reboot { .. })
                    && matches!(kind, ChangeKind::Reboot { .. });
                return fault(
                    409,
                    if both_reboots {
                        "Already rebooting"
                    } else {
                        "Other status change in progress"
                    },
                );
            }
        }
        let refused = match (kind, s.base) {
            (_, Base::Suspended | Base::Deleted) => Some(format!(
                "Action not allowed while the server is {}",
                s.base.as_str()
            )),
            (ChangeKind::Reboot { .. }, Base::Stopped) => {
                Some("Cannot reboot a STOPPED server; start it".to_string())
            }
            (ChangeKind::Stop, Base::Stopped) => Some("Server is already STOPPED".to_string()),
            (ChangeKind::Start, Base::Active) => Some("Server is already ACTIVE".to_string()),
            _ => None,
        };
        if let Some(m) = refused {
            return fault(403, &m);
        }
        if let ChangeKind::Resize { flavor } = kind {
            if flavor == s.flavor {
                return fault(400, "Server is already of the requested flavor");
            }
        }
        let median = match kind {
            ChangeKind::Reboot { hard: false } => 20_000,
            ChangeKind::Reboot { hard: true } => 15_000,
            ChangeKind::Stop => 30_000,
            ChangeKind::Start => 15_000,
            ChangeKind::Resize { .. } => 90_000,
        };
        let t = self.timed(now, median);
        let s = &self.servers[si];
        let after = match kind {
            _ if !t.ok => s.base,
            ChangeKind::Reboot { .. } | ChangeKind::Start => Base::Active,
            ChangeKind::Stop => Base::Stopped,
            ChangeKind::Resize { .. } => s.base,
        };
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: s.id.clone(),
            vm_name: s.name.clone(),
            action: match kind {
                ChangeKind::Reboot { hard: false } => "reboot/soft",
                ChangeKind::Reboot { hard: true } => "reboot/hard",
                ChangeKind::Stop => "os-stop",
                ChangeKind::Start => "os-start",
                ChangeKind::Resize { .. } => "resize",
            },
            accepted_at_ms: now,
            finished_at_ms: finish_at(t.ends),
            succeeded: t.ok,
            task_status: after.as_str(),
            // A failed reboot leaves the server ACTIVE, exactly as one that worked.
            visible: t.ok || !matches!(kind, ChangeKind::Reboot { .. }),
        });
        self.servers[si].change = Some((kind, t));
        accepted(None, None)
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

    fn snapshot(&mut self, si: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(v) => v,
            Err(e) => return fault(400, &format!("Malformed request body: {e}")),
        };
        let snap = body.get("snapshot");
        let name = snap
            .and_then(|s| s.get("name"))
            .and_then(Value::as_str)
            .map(str::trim);
        let Some(name) = name.filter(|n| !n.is_empty() && n.len() <= 255) else {
            return fault(400, "snapshot.name is required");
        };
        let description = match snap.and_then(|s| s.get("description")) {
            None | Some(Value::Null) => "",
            Some(Value::String(d)) => d.as_str(),
            Some(_) => return fault(400, "snapshot.description must be a string"),
        };
        let s = &self.servers[si];
        if matches!(s.base, Base::Deleted) || self.status(si, now).0 == "BUILD" {
            return fault(
                403,
                "Snapshots are not allowed in the server's current status",
            );
        }
        if !s.extra_volumes.is_empty() {
            return fault(
                400,
                "The snapshot cannot be created because the server contains extra volumes.",
            );
        }
        let live: Vec<&Snapshot> = s
            .snapshots
            .iter()
            .filter(|x| x.status(now) != "DELETED")
            .collect();
        if live.iter().any(|x| x.name == name) {
            return fault(409, "The snapshot name must be unique in a server.");
        }
        if live.len() >= MAX_SNAPSHOTS {
            return fault(413, "The snapshot can be created up to 3 in a server.");
        }
        let mut snap = new_snapshot(&mut self.ids, s, name, description, now);
        snap.t = self.timed(now, 180_000);
        let s = &self.servers[si];
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: s.id.clone(),
            vm_name: s.name.clone(),
            action: "snapshot",
            accepted_at_ms: now,
            finished_at_ms: finish_at(snap.t.ends),
            succeeded: snap.t.ok,
            task_status: if snap.t.ok { "ACTIVE" } else { "DELETED" },
            visible: true,
        });
        self.servers[si].snapshots.push(snap);
        let snap = self.servers[si].snapshots.last().unwrap();
        let loc = self.snapshot_href(si, snap, ctx);
        let body = self.snapshot_json(si, snap, ctx);
        accepted(Some(loc), Some(body))
    }

    fn create(&mut self, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(v) => v,
            Err(e) => return fault(400, &format!("Malformed request body: {e}")),
        };
        let Some(srv) = body.get("server").and_then(Value::as_object) else {
            return fault(400, "Missing 'server' in request body");
        };
        let Some(name) = srv
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.len() <= 63)
        else {
            return fault(400, "server.name is required");
        };
        let fid = srv
            .get("flavorRef")
            .or_else(|| srv.get("flavor").and_then(|f| f.get("id")))
            .and_then(|v| match v {
                Value::String(s) => Some(s.rsplit('/').next().unwrap_or("").to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        let Some(flavor) = fid.and_then(|id| FLAVORS.iter().position(|f| f.0 == id)) else {
            return fault(400, "server.flavorRef must name a valid flavor (1-6)");
        };
        let image = match srv.get("imageRef") {
            None | Some(Value::Null) => 0,
            Some(v) => {
                let id = match v {
                    Value::String(s) => s.rsplit('/').next().unwrap_or("").to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => String::new(),
                };
                match IMAGES.iter().position(|i| i.id.to_string() == id) {
                    Some(i) => i,
                    None => return fault(400, &format!("Invalid imageRef {id}")),
                }
            }
        };
        let build = self.timed(now, 60_000);
        let ok = build.ok;
        let server = Server {
            id: self.ids.uuid(),
            name: name.to_string(),
            base: if ok { Base::Active } else { Base::Deleted },
            flavor,
            image,
            zone: self.ids.below(ZONES.len() as u64) as usize,
            ip: fleet::ipv4(1, 200 + self.servers.len()),
            created_ms: now,
            updated_ms: now,
            extra_volumes: Vec::new(),
            change: None,
            build: Some(build),
            snapshots: Vec::new(),
            host_id: self.ids.hex(56),
        };
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: server.id.clone(),
            vm_name: server.name.clone(),
            action: "create",
            accepted_at_ms: now,
            finished_at_ms: server.build.as_ref().and_then(|b| finish_at(b.ends)),
            succeeded: ok,
            task_status: server.base.as_str(),
            visible: true,
        });
        self.servers.push(server);
        let s = self.servers.last().unwrap();
        let href = self.href(ctx, &format!("/servers/{}", s.id));
        let body = json!({"server": {"id": s.id, "links": [{"href": href, "rel": "self"}]}});
        accepted(Some(href), Some(body))
    }

    fn route(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let m = ctx.method.as_str();
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            ["servers"] => match m {
                "GET" => {
                    let want_status = ctx
                        .q("status")
                        .filter(|s| !s.is_empty())
                        .map(str::to_ascii_uppercase);
                    if let Some(st) = &want_status {
                        if ![
                            "BUILD",
                            "ACTIVE",
                            "STOPPED",
                            "PROCESSING",
                            "SUSPENDED",
                            "DELETED",
                        ]
                        .contains(&st.as_str())
                        {
                            return (
                                "GET /servers".into(),
                                fault(400, &format!("Invalid status value '{st}'")),
                            );
                        }
                    }
                    let want_name = ctx
                        .q("name")
                        .filter(|s| !s.is_empty())
                        .map(str::to_ascii_lowercase);
                    let list: Vec<Value> = (0..self.servers.len())
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
                                "zone": ZONES[s.zone],
                                "links": [{"href": self.href(ctx, &format!("/servers/{}", s.id)), "rel": "self"}],
                            })
                        })
                        .collect();
                    (
                        "GET /servers".into(),
                        json_response(200, &json!({ "servers": list })),
                    )
                }
                "POST" => ("POST /servers".into(), self.create(ctx)),
                _ => ("/servers".into(), fault(405, "Method not allowed")),
            },
            ["servers", id, rest @ ..] => {
                let Some(si) = self.servers.iter().position(|s| s.id == *id) else {
                    return ("/servers/{id}".into(), fault(404, "Server not found"));
                };
                match (m, rest) {
                    ("GET", []) => (
                        "GET /servers/{id}".into(),
                        json_response(200, &self.server_json(si, ctx)),
                    ),
                    ("POST", ["action"]) => {
                        ("POST /servers/{id}/action".into(), self.action(si, ctx))
                    }
                    ("POST", ["snapshots"]) => (
                        "POST /servers/{id}/snapshots".into(),
                        self.snapshot(si, ctx),
                    ),
                    ("GET", ["snapshots", sid]) => {
                        let label = "GET /servers/{id}/snapshots/{sid}".to_string();
                        match self.servers[si].snapshots.iter().find(|x| x.id == *sid) {
                            Some(snap) => (
                                label,
                                json_response(200, &self.snapshot_json(si, snap, ctx)),
                            ),
                            None => (label, fault(404, "Snapshot not found")),
                        }
                    }
                    (_, [] | ["action"] | ["snapshots"] | ["snapshots", _]) => {
                        ("/servers/{id}".into(), fault(405, "Method not allowed"))
                    }
                    _ => ("unknown".into(), fault(404, "Resource not found")),
                }
            }
            _ => ("unknown".into(), fault(404, "Resource not found")),
        }
    }
}

fn new_snapshot(ids: &mut Rng, s: &Server, name: &str, description: &str, at: u64) -> Snapshot {
    let (y, mo, d, ..) = crate::util::civil(at);
    let base: String = s
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    Snapshot {
        id: format!(
            "snapshot_{base}-{}_{y}{}{d:02}_{}",
            ZONES[s.zone],
            MONTHS[mo as usize - 1],
            alnum(ids, 9)
        ),
        name: name.to_string(),
        description: description.to_string(),
        t: Timed {
            started: at,
            ends: at,
            ok: true,
            applied: false,
        },
        guid: ids.uuid(),
        parent_guid: ids.uuid(),
        relation_guid: ids.uuid(),
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
                        }
                    }
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
        match segs.as_slice() {
            ["accounts", acct, "flexcloud", ..] => {
                if *acct != ACCOUNT {
                    return (
                        "forbidden".into(),
                        fault(403, "Access to this account is not allowed."),
                    );
                }
            }
            _ => return ("unknown".into(), fault(404, "Resource not found")),
        }
        let inner = Ctx {
            method: ctx.method.clone(),
            segs: ctx.segs[3..].to_vec(),
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
        (0..self.servers.len())
            .map(|si| {
                let s = &self.servers[si];
                VmFact {
                    dialect: "hostway",
                    vm_id: s.id.clone(),
                    vm_name: s.name.clone(),
                    state: match (self.status(si, now).0, s.base) {
                        ("BUILD", _) => VmState::Creating,
                        (_, Base::Active) => VmState::Running,
                        (_, Base::Deleted) => VmState::Failed,
                        _ => VmState::Stopped,
                    },
                    addresses: vec![s.ip.clone()],
                }
            })
            .collect()
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
