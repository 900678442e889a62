//! ZennoHosting — the "observe the resource" dialect, per `providers/zennohosting.md`.
//!
//! * Writes answer `202 {"commandId"}`; the only truth is the VM's own `operation` /
//!   `operationStatus` / `bootStatus` / `state`. A VM keeps its last operation and its terminal
//!   status until a later operation overwrites them; a VM that never ran one shows `null`s.
//! * Lifecycle of an operation: `pending` (queued ~2 s) → `in_progress` → `succeeded`/`failed`.
//!   `bootStatus` while in progress: start/create → `booting`; stop → `stopping`;
//!   reboot/restore → `stopping` for the first half, then `booting`. `state` changes only when the
//!   operation succeeds. A failed start/create leaves `state: stopped`, `bootStatus: failed`;
//!   other failures leave the old state and boot status.
//! * `409` while an operation is pending or in progress (`operation_in_progress`) and for
//!   start/stop/reboot that make no sense in the current state (`invalid_state`).
//! * Rate limit (assumed): **600 requests per minute per token**, sliding window on the virtual
//!   clock; beyond → `429` + `Retry-After` (seconds).

use serde_json::{json, Value};

use crate::fleet;
use crate::truth::{finish_at, Completion, VmFact, VmState};
use crate::util::{iso, json_response, Ctx, Env, Rng, Window, NEVER};
use crate::{Dialect, Response, Scenario};

pub const PREFIX: &str = "/zennohosting";
pub const LIMIT_PER_MINUTE: usize = 600;
const MINUTE: u64 = 60_000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum OpKind {
    Create,
    Start,
    Stop,
    Reboot,
    Restore,
}

impl OpKind {
    fn as_str(self) -> &'static str {
        match self {
            OpKind::Create => "create",
            OpKind::Start => "start",
            OpKind::Stop => "stop",
            OpKind::Reboot => "reboot",
            OpKind::Restore => "restore",
        }
    }

    fn median_ms(self) -> u64 {
        match self {
            OpKind::Create => 60_000,
            OpKind::Start => 15_000,
            OpKind::Stop => 30_000,
            OpKind::Reboot => 20_000,
            OpKind::Restore => 120_000,
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
    applied: bool,
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
}

pub(crate) struct Zenno {
    project_id: String,
    vms: Vec<Vm>,
    env: Env,
    ids: Rng,
    hits: Window,
}

fn err(status: u16, code: &str, message: &str) -> Response {
    json_response(status, &json!({"error": code, "message": message}))
}

impl Zenno {
    pub fn new(sc: &Scenario, now: u64) -> Zenno {
        let mut rng = Rng::derive(sc.seed, 0x2E77);
        let project_id = rng.uuid();
        let vms = fleet::fleet(&mut rng, sc.vms, now, 1)
            .into_iter()
            .map(|s| Vm {
                id: rng.uuid(),
                name: s.name,
                running: s.running,
                boot_failed: false,
                cpu: s.vcpus,
                ram_gb: s.ram_gb,
                disk_gb: s.disk_gb,
                updated_ms: now.saturating_sub(rng.range(60_000, 86_400_000)) / 1000 * 1000,
                op: None,
            })
            .collect();
        Zenno {
            project_id,
            vms,
            env: Env::new(sc.seed, 0x2E77_5EED, sc.failure_rate, sc.speed),
            ids: Rng::derive(sc.seed, 0x02E7_71D5),
            hits: Window::default(),
        }
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
        let (operation, status, boot, updated) = match &vm.op {
            None => (Value::Null, Value::Null, settled_boot, vm.updated_ms),
            Some(op) => {
                let (status, boot, t) = if now < op.runs_at {
                    ("pending", settled_boot, op.accepted)
                } else if now < op.ends {
                    let half = op.runs_at + (op.ends.saturating_sub(op.runs_at)) / 2;
                    let boot = match op.kind {
                        OpKind::Start | OpKind::Create => "booting",
                        OpKind::Stop => "stopping",
                        OpKind::Reboot | OpKind::Restore if now < half => "stopping",
                        OpKind::Reboot | OpKind::Restore => "booting",
                    };
                    let t = if now >= half && matches!(op.kind, OpKind::Reboot | OpKind::Restore) {
                        half
                    } else {
                        op.runs_at
                    };
                    ("in_progress", boot, t)
                } else if op.ok {
                    ("succeeded", settled_boot, op.ends)
                } else {
                    ("failed", settled_boot, op.ends)
                };
                (
                    json!(op.kind.as_str()),
                    json!(status),
                    boot,
                    t.max(vm.updated_ms),
                )
            }
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
            "updatedAt": iso(updated),
        })
    }

    fn busy(&self, i: usize, now: u64) -> Option<&'static str> {
        self.vms[i]
            .op
            .as_ref()
            .filter(|op| now < op.ends)
            .map(|op| op.kind.as_str())
    }

    /// Accept an operation on VM `i`: 202 with a fresh commandId.
    fn accept(&mut self, i: usize, kind: OpKind, now: u64) -> Response {
        let queue = self.env.duration(2_000);
        let dur = self.env.duration(kind.median_ms());
        let ok = !self.env.fails();
        let ends = if self.env.stuck() {
            NEVER
        } else {
            now + queue + dur
        };
        let vm = &mut self.vms[i];
        self.env.log.record(Completion {
            dialect: "zennohosting",
            vm_id: vm.id.clone(),
            vm_name: vm.name.clone(),
            action: kind.as_str(),
            accepted_at_ms: now,
            finished_at_ms: finish_at(ends),
            succeeded: ok,
            task_status: if ok { "succeeded" } else { "failed" },
            visible: true,
        });
        vm.boot_failed = false;
        vm.updated_ms = now;
        vm.op = Some(Op {
            kind,
            accepted: now,
            runs_at: now + queue,
            ends,
            ok,
            applied: false,
        });
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    fn vm_op(&mut self, i: usize, kind: OpKind, ctx: &Ctx) -> Response {
        let now = ctx.now;
        if let Err(e) = empty_or_object(ctx) {
            return e;
        }
        if let Some(running) = self.busy(i, now) {
            return err(
                409,
                "operation_in_progress",
                &format!(
                    "VM {} already has a '{running}' operation in progress",
                    self.vms[i].id
                ),
            );
        }
        let running = self.vms[i].running;
        let refused = match kind {
            OpKind::Start if running => Some("VM is already running"),
            OpKind::Stop if !running => Some("VM is already stopped"),
            OpKind::Reboot if !running => Some("VM is stopped; start it instead"),
            _ => None,
        };
        if let Some(m) = refused {
            return err(409, "invalid_state", m);
        }
        self.accept(i, kind, now)
    }

    fn create(&mut self, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return err(422, "validation_error", "body must be a JSON object"),
            Err(e) => return err(422, "validation_error", &format!("invalid JSON: {e}")),
        };
        let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
            Some(n)
                if !n.is_empty()
                    && n.len() <= 63
                    && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                n.to_string()
            }
            Some(_) => {
                return err(
                    422,
                    "validation_error",
                    "name must be 1-63 letters, digits or '-'",
                )
            }
            None => return err(422, "validation_error", "name is required"),
        };
        let field = |k: &str, default: u32, max: u64| -> Result<u32, Response> {
            match body.get(k) {
                None | Some(Value::Null) => Ok(default),
                Some(v) => match crate::util::as_uint(v) {
                    Some(n) if n >= 1 && n <= max => Ok(n as u32),
                    _ => Err(err(
                        422,
                        "validation_error",
                        &format!("{k} must be a whole number between 1 and {max}"),
                    )),
                },
            }
        };
        let cpu = match field("cpu", 1, 64) {
            Ok(v) => v,
            Err(e) => return e,
        };
        let ram_gb = match field("ramGb", 2, 512) {
            Ok(v) => v,
            Err(e) => return e,
        };
        let disk_gb = match field("diskGb", 20, 4000) {
            Ok(v) => v,
            Err(e) => return e,
        };
        self.vms.push(Vm {
            id: self.ids.uuid(),
            name,
            running: false,
            boot_failed: false,
            cpu,
            ram_gb,
            disk_gb,
            updated_ms: ctx.now,
            op: None,
        });
        let i = self.vms.len() - 1;
        self.accept(i, OpKind::Create, ctx.now)
    }

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
                    let items: Vec<Value> =
                        (0..self.vms.len()).map(|i| self.vm_json(i, now)).collect();
                    (
                        "GET /projects/{p}/vms".into(),
                        json_response(200, &json!({ "items": items })),
                    )
                }
                "POST" => ("POST /projects/{p}/vms".into(), self.create(ctx)),
                _ => ("/projects/{p}/vms".into(), method_not_allowed()),
            },
            ["vms", id, tail @ ..] => {
                let Some(i) = self.vms.iter().position(|v| v.id == *id) else {
                    return (
                        "/projects/{p}/vms/{id}".into(),
                        not_found(&format!("VM {id} not found")),
                    );
                };
                match (m, tail) {
                    ("GET", []) => (
                        "GET /projects/{p}/vms/{id}".into(),
                        json_response(200, &self.vm_json(i, now)),
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
                    ("POST", ["backups", backup, "restore"]) => {
                        let label = "POST /projects/{p}/vms/{id}/backups/{b}/restore".into();
                        if backup.trim().is_empty() {
                            return (label, not_found("Backup not found"));
                        }
                        (label, self.vm_op(i, OpKind::Restore, ctx))
                    }
                    (_, [] | ["start" | "stop" | "reboot"] | ["backups", _, "restore"]) => {
                        ("/projects/{p}/vms/{id}".into(), method_not_allowed())
                    }
                    _ => ("unknown".into(), not_found("No such endpoint")),
                }
            }
            ["networks"] => {
                let label = "POST /projects/{p}/networks".to_string();
                if m != "POST" {
                    return (label, method_not_allowed());
                }
                match ctx.body_json() {
                    Ok(Value::Object(b))
                        if b.get("name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| !n.trim().is_empty()) =>
                    {
                        (
                            label,
                            json_response(202, &json!({"commandId": self.ids.uuid()})),
                        )
                    }
                    Ok(_) => (label, err(422, "validation_error", "name is required")),
                    Err(e) => (
                        label,
                        err(422, "validation_error", &format!("invalid JSON: {e}")),
                    ),
                }
            }
            ["public-ips", _ip, "port-forwards"] => {
                let label = "POST /projects/{p}/public-ips/{ip}/port-forwards".to_string();
                if m != "POST" {
                    return (label, method_not_allowed());
                }
                let ok = match ctx.body_json() {
                    Ok(Value::Object(b)) => ["externalPort", "internalPort"].iter().all(|k| {
                        b.get(*k)
                            .and_then(crate::util::as_uint)
                            .is_some_and(|p| (1..=65535).contains(&p))
                    }),
                    _ => false,
                };
                if !ok {
                    return (
                        label,
                        err(
                            422,
                            "validation_error",
                            "externalPort and internalPort (1-65535) are required",
                        ),
                    );
                }
                (
                    label,
                    json_response(202, &json!({"commandId": self.ids.uuid()})),
                )
            }
            _ => ("unknown".into(), not_found("No such endpoint")),
        }
    }
}

fn empty_or_object(ctx: &Ctx) -> Result<(), Response> {
    match ctx.body_json() {
        Ok(Value::Null | Value::Object(_)) => Ok(()),
        Ok(_) => Err(err(
            422,
            "validation_error",
            "body must be empty or a JSON object",
        )),
        Err(e) => Err(err(422, "validation_error", &format!("invalid JSON: {e}"))),
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
        for vm in self.vms.iter_mut() {
            let Some(op) = vm.op.as_mut() else { continue };
            if op.applied || op.ends > now {
                continue;
            }
            op.applied = true;
            vm.updated_ms = op.ends;
            if op.ok {
                vm.running = !matches!(op.kind, OpKind::Stop);
            } else if matches!(op.kind, OpKind::Start | OpKind::Create) {
                vm.boot_failed = true;
            }
        }
    }

    fn handle(&mut self, ctx: &Ctx) -> (String, Response) {
        let now = ctx.now;
        let token = crate::util::auth_token(ctx.headers, "bearer");
        if token.as_deref() != Some(crate::DEMO_TOKEN) {
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

    fn facts(&self, _now: u64) -> Vec<VmFact> {
        self.vms
            .iter()
            .map(|vm| VmFact {
                dialect: "zennohosting",
                vm_id: vm.id.clone(),
                vm_name: vm.name.clone(),
                state: if vm.running {
                    VmState::Running
                } else {
                    VmState::Stopped
                },
                addresses: Vec::new(),
            })
            .collect()
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
            ("operation", &["migrate", "resize"]),
        ]
    }

    fn env(&self) -> &Env {
        &self.env
    }

    fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}
