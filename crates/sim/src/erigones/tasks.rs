//! Erigones tasks: starting them (status actions, status/current), finishing them, cancel,
//! `/task/…` reads and the task log.

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::catalogue::IMAGES;
use super::{detail, Erigones, Kind, Task, GUEST_IGNORES_RATE, OPERATIONAL, TASK_EXPIRY_MS};
use crate::truth::{finish_at, Completion};
use crate::util::{iso, json_response, Ctx, NEVER};
use crate::Response;

fn fail_detail(kind: Kind) -> &'static str {
    match kind {
        Kind::Start => "Failed to start VM: vmadm start exited with error (zone failed to boot)",
        Kind::Stop => "Failed to stop VM: vmadm stop timed out on the compute node",
        Kind::Reboot => "Failed to reboot VM: vmadm reboot exited with error",
        Kind::Deploy => "Failed to create VM: vmadm create exited with error (zfs receive failed)",
        Kind::Recreate => "Failed to recreate VM: vmadm create exited with error",
        Kind::Undeploy => "Failed to delete VM: vmadm delete exited with error (dataset is busy)",
        Kind::SnapCreate => "Failed to create snapshot: esnapshot create exited with error",
        Kind::SnapRollback => "Failed to rollback snapshot: esnapshot rollback exited with error",
        Kind::SnapDelete => "Failed to delete snapshot: esnapshot destroy exited with error",
        Kind::BackupCreate => "Failed to create backup: esbackup create exited with error",
        Kind::BackupRestore => "Failed to restore backup: esbackup restore exited with error",
        Kind::BackupDelete => "Failed to delete backup: esbackup delete exited with error",
        Kind::Current | Kind::Unfreeze => "",
    }
}

impl Erigones {
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

    pub(super) fn task_response(&self, t: &Task, now: u64) -> Response {
        let (code, body) = self.task_json(t, now);
        let mut r = json_response(code, &body);
        r.set_header("es_task_id", t.id.clone());
        r
    }

    /// Whether the caller may see VM `vi`'s tasks (its DC, and its own VM unless an admin);
    /// the VM may be gone since.
    pub(super) fn owns(&self, vi: usize, caller: Caller) -> bool {
        let vm = &self.vms[vi];
        vm.dc == caller.dc && (caller.admin() || vm.owner == caller.user)
    }

    /// A task that exists and has not expired (finished more than [`TASK_EXPIRY_MS`] ago).
    fn live_task(&self, id: &str, now: u64) -> Option<usize> {
        self.tasks.iter().position(|t| {
            t.id == id && (t.pending(now) || t.finished_at().saturating_add(TASK_EXPIRY_MS) > now)
        })
    }

    pub(super) fn new_task(
        &mut self,
        vi: usize,
        kind: Kind,
        method: &'static str,
        user: usize,
        now: u64,
        dur: u64,
    ) -> usize {
        let queue = self.env.duration(1_000);
        let ok = kind == Kind::Current || kind == Kind::Unfreeze || !self.env.fails();
        let stuck = kind.is_action() && self.env.stuck();
        let id = self.task_id(false);
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
            user,
            created: now,
            started,
            ends,
            ok,
            fail_detail: fail_detail(kind).to_string(),
            revoked: None,
            applied: false,
            prev_status: self.vms[vi].status.clone(),
            freeze: false,
            force: false,
            result: None,
            log: None,
            points: Vec::new(),
            disk: 1,
            cdimage: None,
        });
        self.tasks.len() - 1
    }

    /// Puts an action task in the ground-truth log (or brings its entry up to date).
    pub(super) fn log_task(&mut self, ti: usize) {
        let t = &self.tasks[ti];
        let status = match t.revoked {
            Some(_) => "REVOKED",
            None if t.ok => "SUCCESS",
            None => "FAILURE",
        };
        let ok = t.ok && t.revoked.is_none();
        // A snapshot or backup is over once its row shows `1` (the lag fault: after the task).
        let end = match t.kind {
            Kind::SnapCreate | Kind::BackupCreate if ok && t.ends != NEVER => {
                t.ends.saturating_add(self.env.lag_ms)
            }
            _ => t.finished_at(),
        };
        let finished = finish_at(end);
        if let Some(key) = t.log {
            self.env.log.update(key, finished, ok, status);
            return;
        }
        let action = match (t.kind, t.force) {
            (Kind::Start, _) => "start",
            (Kind::Stop, false) => "stop",
            (Kind::Stop, true) => "stop/force",
            (Kind::Reboot, false) => "reboot",
            (Kind::Reboot, true) => "reboot/force",
            (Kind::Unfreeze, _) => "stop/unfreeze",
            (Kind::Deploy, _) => "create",
            (Kind::Recreate, _) => "recreate",
            (Kind::Undeploy, _) => "delete",
            (
                k @ (Kind::SnapCreate
                | Kind::SnapRollback
                | Kind::SnapDelete
                | Kind::BackupCreate
                | Kind::BackupRestore
                | Kind::BackupDelete),
                _,
            ) => k.action(),
            (Kind::Current, _) => return,
        };
        let vm = &self.vms[t.vm];
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

    /// What a successful task does to its VM, and its `result`.
    fn succeed(&mut self, t: &Task) -> Value {
        let vm = &mut self.vms[t.vm];
        let name = vm.hostname.clone();
        let done = |what: &str| json!({"message": format!("Successfully {what} VM {name}"), "returncode": 0});
        let set = |vm: &mut super::Vm, status: &str, booted: bool| {
            vm.status = status.into();
            vm.status_change = t.ends;
            if booted {
                vm.booted_at = t.ends;
            }
        };
        match t.kind {
            Kind::Start | Kind::Reboot | Kind::Deploy | Kind::Recreate => {
                set(vm, "running", true);
                done(match t.kind {
                    Kind::Start => "started",
                    Kind::Reboot => "rebooted",
                    Kind::Deploy => "created",
                    _ => "recreated",
                })
            }
            Kind::Stop => {
                if vm.status != "stopped" && vm.status != "frozen" {
                    set(vm, if t.freeze { "frozen" } else { "stopped" }, false);
                }
                done("stopped")
            }
            Kind::Undeploy => {
                set(vm, "notcreated", false);
                vm.node = None;
                self.undeployed(t.vm);
                done("deleted")
            }
            Kind::SnapCreate
            | Kind::SnapRollback
            | Kind::SnapDelete
            | Kind::BackupCreate
            | Kind::BackupRestore
            | Kind::BackupDelete => self.points_done(t),
            Kind::Unfreeze => done("unfrozen"),
            Kind::Current => json!({
                "message": format!("Current status of VM {name} is {}", vm.status),
                "returncode": 0,
                "status": vm.status,
                "status_change": iso(vm.status_change),
                "status_changed": false,
            }),
        }
    }

    /// Apply one finished task to its VM and store its result.
    pub(super) fn finish(&mut self, ti: usize) {
        let t = self.tasks[ti].clone();
        self.tasks[ti].applied = true;
        if t.revoked.is_some() {
            return;
        }
        let result = if t.ok {
            self.succeed(&t)
        } else {
            if matches!(t.kind, Kind::SnapCreate | Kind::BackupCreate) {
                self.drop_points(ti);
            }
            let vm = &mut self.vms[t.vm];
            let back = match t.kind {
                Kind::Deploy => Some("notcreated".to_string()),
                Kind::Recreate | Kind::Undeploy => Some(t.prev_status.clone()),
                Kind::SnapRollback | Kind::BackupRestore => Some(t.prev_status.clone()),
                k if k.on_points() => None,
                _ if vm.status == "stopping" => Some(t.prev_status.clone()),
                _ => None,
            };
            if let Some(status) = back {
                vm.status = status;
                vm.status_change = t.ends;
            }
            json!({"message": t.fail_detail, "returncode": 1, "detail": t.fail_detail})
        };
        self.tasks[ti].result = Some(result);
    }

    /// The kind of a status action valid in `status`, or the refusal.
    fn action_kind(action: &str, status: &str, force: bool) -> Result<Kind, Response> {
        let kind = match action {
            "start" => Kind::Start,
            "reboot" => Kind::Reboot,
            _ => Kind::Stop,
        };
        let valid = match kind {
            Kind::Start => status == "stopped",
            Kind::Reboot => status == "running",
            _ => status == "running" || status == "stopping",
        };
        if !valid {
            return Err(detail(417, "Bad action"));
        }
        if kind == Kind::Stop && status == "stopping" && !force {
            return Err(detail(423, "VM is already stopping; try to use force"));
        }
        Ok(kind)
    }

    /// How long a status action runs (the guest may ignore a graceful one until `timeout`).
    fn action_duration(
        &mut self,
        vi: usize,
        kind: Kind,
        force: bool,
        body: &Map<String, Value>,
    ) -> u64 {
        let timeout_s = body
            .get("timeout")
            .and_then(crate::util::as_uint)
            .unwrap_or(if self.vms[vi].windows() { 300 } else { 180 });
        let ignores = self.env.rng.chance(GUEST_IGNORES_RATE);
        match kind {
            Kind::Start => self.env.duration(15_000),
            _ if force => self.env.duration(5_000),
            Kind::Stop if ignores => self.env.scaled(timeout_s * 1000) + self.env.duration(3_000),
            Kind::Stop => self.env.duration(30_000),
            _ if ignores => self.env.scaled(timeout_s * 1000) + self.env.duration(15_000),
            _ => self.env.duration(20_000),
        }
    }

    /// `PUT /vm/{vm}/status/{start,stop,reboot}/`.
    pub(super) fn vm_action(
        &mut self,
        vi: usize,
        action: &str,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(Value::Null) => Map::new(),
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
        let (force, update) = (flag("force", false), flag("update", action != "stop"));
        if action == "stop" && flag("unfreeze", false) {
            return self.unfreeze(vi, &status, caller, now);
        }
        let kind = match Self::action_kind(action, &status, force) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let cdimage = match boot_images(&body, kind) {
            Ok(c) => c,
            Err(r) => return r,
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
            .find(|&i| self.tasks[i].kind.holds_vm_lock());
        let force_over_stopping = kind == Kind::Stop && force && status == "stopping";
        if holder.is_some() && !force_over_stopping {
            return self.lock_failure();
        }
        let dur = self.action_duration(vi, kind, force, &body);
        let ti = self.new_task(vi, kind, "PUT", caller.user, now, dur);
        self.tasks[ti].freeze = kind == Kind::Stop && flag("freeze", false);
        self.tasks[ti].cdimage = cdimage;
        self.tasks[ti].force = force;
        self.log_task(ti);
        if force_over_stopping {
            self.force_over(ti, holder, &pending);
        }
        if kind != Kind::Start {
            let vm = &mut self.vms[vi];
            if vm.status != "stopping" {
                vm.status = "stopping".into();
                vm.status_change = now;
            }
        }
        self.pending_response(ti)
    }

    /// `400 FAILURE "Task did not acquire lock"`.
    pub(super) fn lock_failure(&mut self) -> Response {
        let id = self.task_id(false);
        let mut r = json_response(
            400,
            &json!({"status": "FAILURE", "result": {"detail": "Task did not acquire lock"}, "task_id": id}),
        );
        r.set_header("es_task_id", id);
        r
    }

    /// `stop {unfreeze: true}`: done at once.
    fn unfreeze(&mut self, vi: usize, status: &str, caller: Caller, now: u64) -> Response {
        if status != "frozen" {
            return detail(417, "Bad action");
        }
        let ti = self.new_task(vi, Kind::Unfreeze, "PUT", caller.user, now, 0);
        let vm = &mut self.vms[vi];
        vm.status = "stopped".into();
        vm.status_change = now;
        self.finish(ti);
        self.log_task(ti);
        self.task_response(&self.tasks[ti], now)
    }

    /// The graceful stop/reboot that was running ends together with the forced stop `ti`, and
    /// shares its outcome (a reboot is interrupted).
    fn force_over(&mut self, ti: usize, holder: Option<usize>, pending: &[usize]) {
        let (ends, ok) = (self.tasks[ti].ends, self.tasks[ti].ok);
        let fail_detail = self.tasks[ti].fail_detail.clone();
        if let Some(h) = holder {
            self.tasks[ti].prev_status = self.tasks[h].prev_status.clone();
        }
        for &i in pending {
            let t = &mut self.tasks[i];
            if !t.kind.holds_vm_lock() {
                continue;
            }
            t.ends = t.ends.min(ends).max(t.started);
            if t.kind == Kind::Reboot {
                t.ok = false;
                t.fail_detail = "Reboot interrupted by a forced stop".into();
            } else {
                t.ok = ok;
                t.fail_detail = fail_detail.clone();
            }
            self.log_task(i);
        }
    }

    pub(super) fn current(
        &mut self,
        vi: usize,
        method: &'static str,
        caller: Caller,
        now: u64,
    ) -> Response {
        let dur = self.env.duration(1_500);
        let ti = self.new_task(vi, Kind::Current, method, caller.user, now, dur);
        self.pending_response(ti)
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
        let (vi, prev, kind) = (t.vm, t.prev_status.clone(), t.kind);
        let vm = &mut self.vms[vi];
        let manages = matches!(
            kind,
            Kind::Deploy
                | Kind::Recreate
                | Kind::Undeploy
                | Kind::SnapRollback
                | Kind::BackupRestore
        );
        if manages || (vm.status == "stopping" && kind.holds_vm_lock()) {
            vm.status = prev;
            vm.status_change = now;
        }
        if kind == Kind::SnapCreate || kind == Kind::BackupCreate {
            self.drop_points(ti);
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

    /// `/task/`, `/task/log/`, `/task/{id}/{status,done,cancel}/`.
    pub(super) fn route_task(&mut self, segs: &[&str], caller: Caller, ctx: &Ctx) -> Response {
        let now = ctx.now;
        match segs {
            ["task"] => {
                let ids: Vec<Value> = self
                    .tasks
                    .iter()
                    .filter(|t| t.pending(now) && self.owns(t.vm, caller))
                    .map(|t| json!(t.id))
                    .collect();
                self.envelope(200, "SUCCESS", Value::Array(ids))
            }
            ["task", "log"] => self.task_log(caller, ctx),
            ["task", id, what] => {
                let Some(ti) = self
                    .live_task(id, now)
                    .filter(|&ti| self.owns(self.tasks[ti].vm, caller))
                else {
                    return detail(404, "Task does not exist (anymore)");
                };
                match *what {
                    "status" => self.task_response(&self.tasks[ti], now),
                    "done" => json_response(200, &json!({"done": !self.tasks[ti].pending(now)})),
                    _ => self.cancel(ti, ctx),
                }
            }
            _ => detail(404, "Not found."),
        }
    }
}

/// `start {cdimage, cdimage_once, cdimage2}`: each ISO named must be in the image list
/// (`404 "Image not found"`, as the API's object lookup answers), `cdimage_once` a boolean;
/// `cdimage2` needs `cdimage`. Returns the image the VM boots from.
fn boot_images(body: &Map<String, Value>, kind: Kind) -> Result<Option<String>, Response> {
    if kind != Kind::Start {
        return Ok(None);
    }
    let named = |k: &str| -> Result<Option<String>, Response> {
        match body.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(n)) if IMAGES.iter().any(|i| i.name == n) => Ok(Some(n.clone())),
            Some(_) => Err(detail(404, "Image not found")),
        }
    };
    let (first, second) = (named("cdimage")?, named("cdimage2")?);
    if second.is_some() && first.is_none() {
        return Err(json_response(
            400,
            &json!({"status": "FAILURE", "result": {"cdimage": ["This field is required with cdimage2."]}}),
        ));
    }
    if body
        .get("cdimage_once")
        .is_some_and(|v| crate::util::as_bool(v).is_none())
    {
        return Err(json_response(
            400,
            &json!({"status": "FAILURE", "result": {"cdimage_once": ["Must be a valid boolean."]}}),
        ));
    }
    Ok(first)
}
