//! ZennoHosting — the "observe the resource" dialect, per `providers/zennohosting.md`.
//!
//! * Writes answer `202 {"commandId"}`; the only truth is the VM's own `operation` /
//!   `operationStatus` / `bootStatus` / `state`. A VM keeps its last operation and its terminal
//!   status until a later operation overwrites them; a VM that never ran one shows `null`s.
//! * Lifecycle of an operation: `pending` (queued ~2 s) → `in_progress` → `succeeded`/`failed`.
//!   `bootStatus` while in progress: start/create → `booting`; stop → `stopping`;
//!   reboot/restore → `stopping` for the first half, then `booting`; delete → `stopping` (a
//!   running VM) or `stopped`. `state` changes only when the operation succeeds. A failed start
//!   leaves `state: stopped`, `bootStatus: failed`; other failures leave the old state and boot
//!   status.
//! * Operations: [`ops`]. VM lifecycle, catalogues, addresses: [`lifecycle`], [`catalogue`].
//! * `409` while an operation is pending or in progress (`operation_in_progress`) and for
//!   start/stop/reboot that make no sense in the current state (`invalid_state`).
//! * Faults of its own (off by default, see [`crate::Faults`]): `clear` nulls `operation` /
//!   `operationStatus` a while after an operation ended (`updatedAt` moves to then); `lie` makes
//!   a failing operation report `succeeded` with the VM left as it was.
//! * Rate limit (assumed): **600 requests per minute per token**, sliding window on the virtual
//!   clock; beyond → `429` + `Retry-After` (seconds).

mod backups;
mod catalogue;
mod forwards;
mod lifecycle;
mod networks;
mod ops;

use ops::op_view;

use serde_json::{json, Value};

use crate::fleet;
use crate::net::Pool;
use crate::truth::VmFact;
use crate::util::{iso, json_response, Ctx, Env, Rng, Window};
use crate::{Dialect, Response, Scenario};

pub const PREFIX: &str = "/zennohosting";
pub const LIMIT_PER_MINUTE: usize = 600;
const MINUTE: u64 = 60_000;
/// This dialect's place in the world's address pools.
const NET: u8 = 0;
/// The second octet of the project network's `10.x.0.0/16`.
const NETWORK_OCTET: u8 = 32;

#[derive(Clone, Copy, Debug, PartialEq)]
enum OpKind {
    Create,
    Start,
    Stop,
    Reboot,
    Restore,
    Delete,
    Backup,
    DeleteBackup,
    AttachNetwork,
    DetachNetwork,
}

impl OpKind {
    fn as_str(self) -> &'static str {
        match self {
            OpKind::Create => "create",
            OpKind::Start => "start",
            OpKind::Stop => "stop",
            OpKind::Reboot => "reboot",
            OpKind::Restore => "restore",
            OpKind::Delete => "delete",
            OpKind::Backup => "backup",
            OpKind::DeleteBackup => "delete_backup",
            OpKind::AttachNetwork => "attach_network",
            OpKind::DetachNetwork => "detach_network",
        }
    }

    fn median_ms(self) -> u64 {
        match self {
            OpKind::Create => 100_000,
            OpKind::Start => 15_000,
            OpKind::Stop => 30_000,
            OpKind::Reboot => 20_000,
            OpKind::Restore => 120_000,
            OpKind::Delete => 20_000,
            OpKind::Backup => 90_000,
            OpKind::DeleteBackup => 15_000,
            OpKind::AttachNetwork | OpKind::DetachNetwork => 10_000,
        }
    }
}

#[derive(Clone, Debug)]
struct Op {
    kind: OpKind,
    accepted: u64,
    runs_at: u64,
    ends: u64,
    ok: bool,
    /// Failed, but reports `succeeded` (the lie fault): the VM stays as it was.
    lies: bool,
    applied: bool,
    /// The backup a `backup`, `restore` or `delete_backup` operation works on (an index into
    /// the VM's backups).
    backup: Option<usize>,
    /// The network an `attach_network` / `detach_network` works on, and the internal address
    /// an update asks for.
    net: Option<(usize, Option<String>)>,
    /// The lag fault: the VM's network list shows the change this long after `ends`.
    lag: u64,
}

#[derive(Clone, Debug)]
struct Vm {
    id: String,
    name: String,
    running: bool,
    boot_failed: bool,
    cpu: u32,
    ram_gb: u32,
    disk_gb: u32,
    updated_ms: u64,
    op: Option<Op>,
    /// The VM's number in the world's address pools (its internal IP).
    addr: u64,
    /// Index into the project's public IPs.
    public_ip: Option<usize>,
    /// Its create failed: listed with `operation: create` failed; it can only be deleted.
    create_failed: bool,
    /// Deleted: `404`, in no list (kept so that indices stay valid).
    gone: bool,
    /// Its backups, oldest first (deleted ones kept, marked gone).
    backups: Vec<backups::Backup>,
    /// The backup id its disk was last restored from (ground truth only).
    restored_from: Option<String>,
    /// The networks it is joined to, oldest join first (shown once provisioned).
    nets: Vec<networks::Attach>,
}

impl Vm {
    /// Created and not failed: it holds its addresses.
    fn provisioned(&self, now: u64) -> bool {
        !self.gone
            && !self.create_failed
            && !self
                .op
                .as_ref()
                .is_some_and(|op| op.kind == OpKind::Create && now < op.ends)
    }
}

/// A project public IP: its own resource, attached to at most one VM.
#[derive(Clone, Debug)]
struct PublicIp {
    id: String,
    address: String,
    vm: Option<usize>,
    /// Allocation: `(when it is active, whether it worked)`; seeded ones `(0, true)`.
    ready: (u64, bool),
    /// Release: `(when it is gone, whether it worked)`.
    release: Option<(u64, bool)>,
    /// Its port-forward rules (deleted ones kept, gone).
    rules: Vec<forwards::Rule>,
}

pub(crate) struct Zenno {
    project_id: String,
    networks: Vec<networks::Network>,
    vms: Vec<Vm>,
    public_ips: Vec<PublicIp>,
    keys: Vec<catalogue::Key>,
    catalogue: catalogue::Catalogue,
    env: Env,
    ids: Rng,
    hits: Window,
    pool: Pool,
    next_addr: u64,
    /// The clear fault: `operation`/`operationStatus` read `null` this long after an end.
    clear_ms: Option<u64>,
    /// The lie fault's rate, and its own random stream.
    lie_rate: f64,
    lie_rng: Rng,
}

fn err(status: u16, code: &str, message: &str) -> Response {
    json_response(status, &json!({"error": code, "message": message}))
}

fn validation(message: &str) -> Response {
    err(422, "validation_error", message)
}

impl Zenno {
    pub fn new(sc: &Scenario, now: u64) -> Zenno {
        let mut rng = Rng::derive(sc.seed, 0x2E77);
        let project_id = rng.uuid();
        let vms: Vec<Vm> = fleet::fleet(&mut rng, sc.vms, now, 1)
            .into_iter()
            .enumerate()
            .map(|(i, s)| Vm {
                id: rng.uuid(),
                name: s.name,
                running: s.running,
                boot_failed: false,
                cpu: s.vcpus,
                ram_gb: s.ram_gb,
                disk_gb: s.disk_gb,
                updated_ms: now.saturating_sub(rng.range(60_000, 86_400_000)) / 1000 * 1000,
                op: None,
                addr: i as u64,
                public_ip: None,
                create_failed: false,
                gone: false,
                backups: Vec::new(),
                restored_from: None,
                nets: vec![networks::Attach::default_net(i as u64)],
            })
            .collect();
        let mut z = Zenno {
            project_id,
            networks: Vec::new(),
            next_addr: vms.len() as u64,
            vms,
            public_ips: Vec::new(),
            keys: Vec::new(),
            catalogue: catalogue::Catalogue::new(sc.seed),
            env: Env::new(sc.seed, 0x2E77_5EED, sc.failure_rate, sc.speed),
            ids: Rng::derive(sc.seed, 0x02E7_71D5),
            hits: Window::default(),
            pool: Pool::new(sc.seed, NET),
            clear_ms: None,
            lie_rate: 0.0,
            lie_rng: Rng::derive(sc.seed, 0x2E77_11E5),
        };
        z.seed_resources(sc.seed, now);
        z
    }

    /// The project network, its public IPs (about 60 % of the VMs hold one, two are free) and
    /// SSH keys, from a stream of their own.
    fn seed_resources(&mut self, seed: u64, now: u64) {
        let mut rng = Rng::derive(seed, 0x2E77_AD05);
        let network_id = rng.uuid();
        self.networks.push(networks::Network::seeded(
            network_id,
            "default",
            NETWORK_OCTET,
        ));
        for vi in 0..self.vms.len() {
            if rng.chance(0.6) {
                let ip = self.new_public_ip(rng.uuid(), Some(vi));
                self.vms[vi].public_ip = Some(ip);
            }
        }
        for _ in 0..2 {
            self.new_public_ip(rng.uuid(), None);
        }
        self.keys = catalogue::seeded_keys(&mut rng);
        backups::seed(seed, &mut self.vms, now);
        self.seed_issue16(seed, now);
    }

    /// A new project public IP; returns its index.
    fn new_public_ip(&mut self, id: String, vm: Option<usize>) -> usize {
        self.public_ips.push(PublicIp {
            id,
            address: self.pool.public_v4(self.next_addr),
            vm,
            ready: (0, true),
            release: None,
            rules: Vec::new(),
        });
        self.next_addr += 1;
        self.public_ips.len() - 1
    }

    /// A VM that exists (not deleted).
    fn find(&self, id: &str) -> Option<usize> {
        self.vms.iter().position(|v| v.id == id && !v.gone)
    }

    fn vm_json(&self, i: usize, now: u64) -> Value {
        let vm = &self.vms[i];
        let settled_boot = if vm.boot_failed {
            "failed"
        } else if vm.running {
            "booted"
        } else {
            "stopped"
        };
        let cleared = |op: &Op| self.clear_ms.map(|c| op.ends.saturating_add(c));
        let (operation, status, boot, updated) = match &vm.op {
            None => (Value::Null, Value::Null, settled_boot, vm.updated_ms),
            // The provider cleared the finished operation's fields (the clear fault).
            Some(op) if cleared(op).is_some_and(|t| now >= t) => {
                let t = cleared(op).unwrap_or(now);
                (Value::Null, Value::Null, settled_boot, t.max(vm.updated_ms))
            }
            Some(op) => {
                let (status, boot, t) = op_view(op, vm.running, settled_boot, now);
                (
                    json!(op.kind.as_str()),
                    json!(status),
                    boot,
                    t.max(vm.updated_ms),
                )
            }
        };
        let provisioned = vm.provisioned(now);
        let networks: Vec<Value> = if provisioned {
            vm.nets
                .iter()
                .map(|a| json!({"networkId": self.networks[a.net].id, "internalIp": a.ip}))
                .collect()
        } else {
            Vec::new()
        };
        let public_ip = match vm.public_ip.filter(|_| provisioned) {
            Some(p) => json!({"id": self.public_ips[p].id, "address": self.public_ips[p].address}),
            None => Value::Null,
        };
        json!({
            "id": vm.id,
            "name": vm.name,
            "state": if vm.running { "running" } else { "stopped" },
            "operation": operation,
            "operationStatus": status,
            "bootStatus": boot,
            "cpu": vm.cpu,
            "ramGb": vm.ram_gb,
            "diskGb": vm.disk_gb,
            "networks": networks,
            "publicIp": public_ip,
            "updatedAt": iso(updated),
        })
    }
}

impl Zenno {
    fn route(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let m = ctx.method.as_str();
        if ctx.matches(&["projects"]) {
            let label = "GET /projects".to_string();
            if m != "GET" {
                return (label, method_not_allowed());
            }
            return (
                label,
                json_response(
                    200,
                    &json!({"items": [{"id": self.project_id, "name": "Demo project"}]}),
                ),
            );
        }
        if let Some(answer) = self.catalogue_route(ctx) {
            return answer;
        }
        if ctx.seg(0) != "projects" || ctx.segs.len() < 3 {
            return ("unknown".into(), not_found("No such endpoint"));
        }
        if ctx.seg(1) != self.project_id {
            return ("unknown project".into(), not_found("Project not found"));
        }
        let rest: Vec<&str> = ctx.segs[2..].iter().map(String::as_str).collect();
        match rest.as_slice() {
            ["vms"] => match m {
                "GET" => {
                    let items: Vec<Value> = (0..self.vms.len())
                        .filter(|&i| !self.vms[i].gone)
                        .map(|i| self.vm_json(i, now))
                        .collect();
                    (
                        "GET /projects/{p}/vms".into(),
                        json_response(200, &json!({ "items": items })),
                    )
                }
                "POST" => ("POST /projects/{p}/vms".into(), self.create(ctx)),
                _ => ("/projects/{p}/vms".into(), method_not_allowed()),
            },
            ["vms", id, tail @ ..] => {
                let Some(i) = self.find(id) else {
                    return (
                        "/projects/{p}/vms/{id}".into(),
                        not_found(&format!("VM {id} not found")),
                    );
                };
                self.route_vm(i, m, tail, ctx)
            }
            ["ssh-keys"] => self.project_catalogue(rest[0], ctx),
            ["networks", ..] => self.route_networks(&rest[1..], ctx),
            ["public-ips", ..] => self.route_public_ips(&rest[1..], ctx),
            _ => ("unknown".into(), not_found("No such endpoint")),
        }
    }

    fn route_vm(&mut self, i: usize, m: &str, tail: &[&str], ctx: &Ctx) -> (String, Response) {
        match (m, tail) {
            ("GET", []) => (
                "GET /projects/{p}/vms/{id}".into(),
                json_response(200, &self.vm_json(i, ctx.now)),
            ),
            ("DELETE", []) => (
                "DELETE /projects/{p}/vms/{id}".into(),
                self.vm_op(i, OpKind::Delete, ctx),
            ),
            ("POST", [op @ ("start" | "stop" | "reboot")]) => {
                let kind = match *op {
                    "start" => OpKind::Start,
                    "stop" => OpKind::Stop,
                    _ => OpKind::Reboot,
                };
                (
                    format!("POST /projects/{{p}}/vms/{{id}}/{op}"),
                    self.vm_op(i, kind, ctx),
                )
            }
            ("GET", ["backups"]) => (
                "GET /projects/{p}/vms/{id}/backups".into(),
                self.list_backups(i, ctx.now),
            ),
            ("POST", ["backups"]) => (
                "POST /projects/{p}/vms/{id}/backups".into(),
                self.create_backup(i, ctx),
            ),
            ("DELETE", ["backups", backup]) => (
                "DELETE /projects/{p}/vms/{id}/backups/{b}".into(),
                self.backup_op(i, backup, OpKind::DeleteBackup, ctx),
            ),
            ("POST", ["backups", backup, "restore"]) => (
                "POST /projects/{p}/vms/{id}/backups/{b}/restore".into(),
                self.backup_op(i, backup, OpKind::Restore, ctx),
            ),
            (_, ["networks", ..]) => self.route_vm_networks(i, &tail[1..], ctx),
            (
                _,
                []
                | ["start" | "stop" | "reboot"]
                | ["backups"]
                | ["backups", _]
                | ["backups", _, "restore"],
            ) => ("/projects/{p}/vms/{id}".into(), method_not_allowed()),
            _ => ("unknown".into(), not_found("No such endpoint")),
        }
    }
}

fn empty_or_object(ctx: &Ctx) -> Result<(), Response> {
    match ctx.body_json() {
        Ok(Value::Null | Value::Object(_)) => Ok(()),
        Ok(_) => Err(validation("body must be empty or a JSON object")),
        Err(e) => Err(validation(&format!("invalid JSON: {e}"))),
    }
}

fn not_found(m: &str) -> Response {
    err(404, "not_found", m)
}

fn method_not_allowed() -> Response {
    err(405, "method_not_allowed", "Method not allowed")
}

impl Dialect for Zenno {
    fn name(&self) -> &'static str {
        "zennohosting"
    }

    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn advance(&mut self, now: u64) {
        for vi in 0..self.vms.len() {
            let due = self.vms[vi]
                .op
                .as_ref()
                .is_some_and(|op| !op.applied && op.ends.saturating_add(op.lag) <= now);
            if due {
                self.finish(vi);
            }
        }
        self.advance_forwards(now);
    }

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let token = crate::util::auth_token(ctx.headers, "bearer");
        if !matches!(
            token.as_deref(),
            Some(crate::DEMO_TOKEN | crate::COLLEAGUE_TOKEN)
        ) {
            return (
                "unauthenticated".into(),
                err(401, "unauthorized", "Missing or invalid bearer token"),
            );
        }
        self.hits.prune(now, MINUTE);
        if self.hits.count_since(now, MINUTE) >= LIMIT_PER_MINUTE {
            let wait = self.hits.frees_at(now, MINUTE).saturating_sub(now);
            return (
                "throttled".into(),
                self.throttled(wait.div_ceil(1000).max(1)),
            );
        }
        self.hits.record(now);
        self.route(ctx)
    }

    fn facts(&self, now: u64) -> Vec<VmFact> {
        self.vm_facts(now)
    }

    fn points(&self, vm: &str, now: u64) -> Vec<crate::PointFact> {
        self.point_facts(vm, now)
    }

    fn restored_from(&self, vm: &str) -> Option<String> {
        self.vms.iter().find(|v| v.id == vm)?.restored_from.clone()
    }

    fn net_truth(&self, now: u64) -> crate::netfacts::NetTruth {
        crate::netfacts::NetTruth {
            networks: self.network_facts(now),
            public_ips: self.public_ip_facts(now),
            ..Default::default()
        }
    }

    fn error(&self, status: u16, message: &str) -> Response {
        let code = match status {
            401 => "unauthorized",
            404 => "not_found",
            409 => "conflict",
            422 => "validation_error",
            429 => "rate_limited",
            503 => "service_unavailable",
            s if s >= 500 => "internal_error",
            _ => "bad_request",
        };
        err(status, code, message)
    }

    fn throttled(&self, retry_after_s: u64) -> Response {
        let mut r = err(
            429,
            "rate_limited",
            &format!("Too many requests; retry in {retry_after_s} s"),
        );
        r.set_header("retry-after", retry_after_s.to_string());
        r
    }

    fn enum_fields(&self) -> &'static [(&'static str, &'static [&'static str])] {
        &[
            ("operationStatus", &["queued", "cancelled", "retrying"]),
            ("bootStatus", &["rescue", "paused", "unknown"]),
            ("state", &["suspended", "migrating"]),
            ("status", &["archiving", "queued", "expired"]),
            ("operation", &["migrate", "resize"]),
        ]
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }

    fn apply_faults(&mut self, faults: &crate::Faults) {
        self.env.stuck_rate = faults.stuck.clamp(0.0, 1.0);
        self.env.lag_ms = faults.lag_ms;
        self.clear_ms = faults.clear_ms;
        self.lie_rate = faults.lie.clamp(0.0, 1.0);
    }
}
