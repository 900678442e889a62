//! Erigones / Danube Cloud: the "task id" dialect.
//!
//! Contract: `shared/providers/erigones.md`. Every path ends with `/`. A power action
//! (`PUT /vm/{hostname}/status/{start,stop,reboot}/`) answers `201 PENDING` with a `task_id`, or
//! `200 SUCCESS` when it was done at once. `GET /task/{id}/status/` mirrors the task's state in its
//! HTTP code (201 pending/started, 200 success, 400 failure, 410 revoked, 404 once the task
//! expired): those codes are observations here, not errors. `GET /vm/status/` lists every VM with
//! the ids of its pending tasks, so one request tracks every operation on the connection.
//!
//! Auth is the `ES-API-KEY` header, or the login flow (`POST /accounts/login/` → a token valid
//! about an hour, sent as `Authorization: Token …`). The `es_version` / `es_username` / `es_dc` /
//! `es_task_id` response headers are information only: nothing here depends on them.

use serde_json::{json, Value};

use super::RebuildCaps;
use super::{
    target_vm_id, Accepted, Caps, CreateCaps, CredentialKind, Credentials, DeleteCaps, Dialect,
    DialectKind, Endpoint, Found, Observation, RateLimit, Sizing, SnapshotCaps, Submit, VmPage,
};
use crate::catalogue::{Part, PartData};
use crate::dialect::{Absent, Avail, NetCaps, ResOps};
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{
    Action, ActionKind, Point, PointKind, ProviderRef, RefKind, Target, TaskState, Vm,
    CURRENT_IMAGE,
};
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

mod activity;
mod catalogue;
mod find;
mod lifecycle;
mod login;
mod parse;
mod points;

use lifecycle::{hostname_of, Step};
pub use lifecycle::{is_hostname, HOSTNAME_LEN};
pub use login::SESSION;
use parse::{envelope, parse_vm, read_task, refusal};
pub use parse::{power_of, task_state};

/// Where the provider keeps its own words: top level, or inside the `result` envelope (the
/// shared [`ApiError::from_response`] looks in both).
const ERROR_KEYS: &[&str] = &["detail", "message", "error"];

/// The `status` values under which the provider takes a power action (anything else → `423`).
const OPERATIONAL: &[&str] = &["running", "stopped", "stopping", "frozen"];

/// The text of the `404` for an unknown or expired task.
const TASK_GONE: &str = "does not exist";

/// Erigones' facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::Erigones,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::PowerOff,
        ActionKind::PowerCycle,
        ActionKind::Rebuild,
        ActionKind::StartFromIso,
        ActionKind::Freeze,
        ActionKind::Unfreeze,
        ActionKind::RefreshFromNode,
    ],
    // Not published: a conservative 8 a second (429 + Retry-After is honoured anyway).
    rate_limit: RateLimit {
        per_second: 8.0,
        burst: 40.0,
    },
    credentials: &[CredentialKind::ApiKey, CredentialKind::Login],
    example_base: "https://my.erigones.com/api",
    observe_many: &[RefKind::ErigonesTask],
    // `/vm/status/` lists every VM with every pending task: gone from its map means ended.
    observe_many_complete: true,
    // Every VM's status in one request (the same as the listing).
    read_many: true,
    list_details: false,
    power_list: false,
    cancel: true,
    // Documented: a graceful stop or reboot is forced after `timeout`: 180 s unless sent,
    // 300 s for Windows guests, which the VM data here does not tell apart: both.
    forces_after_s: &[180, 300],
    forces_stop: true,
    // A forced stop is documented over a VM that is `stopping`.
    forces_over_running_shutdown: true,
    resizes_by_flavor: false,
    resizes_to_catalogue_size: false,
    points: points::POINTS,
    // Networks are an administrator's catalogue and NICs are edited in the VM's definition
    // (stopped, admin): not yet supported here. "firewall, public-IP forwards: none published".
    vm_net: crate::dialect::vmnet::ERIGONES,
    net: NetCaps {
        networks: ResOps {
            list: Avail::Absent(Absent::NotYetSupported),
            create: Avail::Absent(Absent::NotPublished),
            update: Avail::Absent(Absent::NotPublished),
            delete: Avail::Absent(Absent::NotPublished),
        },
        attach: Avail::Absent(Absent::NotYetSupported),
        cidr: Avail::Absent(Absent::NotYetSupported),
        members: Avail::Absent(Absent::NotYetSupported),
        vpc: Avail::Absent(Absent::NotPublished),
        public_ips: ResOps::absent(Absent::NotPublished),
        forwards: ResOps::absent(Absent::NotPublished),
        per_place: false,
    },
    snapshots: SnapshotCaps {
        max_per_vm: None,
        unique_names: false,
        description: false,
        refused_with_extra_volumes: false,
        demo_accounts_refuse: false,
    },
    queue_delay: SECOND,
    settles_as_report: false,
    reads_by_list_place: false,
    create: Some(CreateCaps {
        // Define and deploy are admin calls (`403` otherwise).
        needs_admin: true,
        finds_new_by_name: false,
        addressed_when_ready: false,
        public_when_ready: false,
        place: None,
        // Free amounts (`vcpus` 1–1024 per the sheet; `ram` in MB, at most 512 GiB per the
        // provider's define serializer).
        sizing: Sizing::Amounts {
            max_vcpus: 1024,
            max_ram_mb: 524_288,
        },
        // The NIC step needs a network.
        network_required: true,
        security_group_required: false,
        // Keys come from the owner's profile, not with the create.
        ssh_keys: false,
        shows_password_once: false,
        backups: false,
        public_ip: false,
    }),
    delete: Some(DeleteCaps {
        // Undeploy needs the VM stopped: a running one is forced off as the delete's first step.
        needs_stopped: true,
        needs_admin: true,
    }),
    rebuild: Some(RebuildCaps {
        // "redeploys the current definition (same image)".
        current_image_only: true,
        needs_stopped: true,
        // A deploy creates, then starts the VM ("ready": `SUCCESS` AND `running`).
        ends_running: true,
    }),
    activity: crate::dialect::Avail::Offered,
    // Disks are NICs' siblings in the VM definition (sheet "Networks, disks, console").
    volumes: crate::dialect::VolCaps::absent(crate::dialect::Absent::InVmDefinition),
};

/// The listing's second part: `/vm/?full=true`.
const FULL_PART: &str = "full";

pub struct Erigones {
    /// Its `session` holds the login flow's token, once [`Dialect::set_session`] gave one.
    api: Endpoint,
}

impl Erigones {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Erigones {
            api: Endpoint::new(base, credentials),
        }
    }

    fn vm_path(hostname: &str) -> String {
        format!("vm/{}/status/", encode_component(hostname))
    }

    fn task_path(task_id: &str, what: &str) -> String {
        format!("task/{}/{what}/", encode_component(task_id))
    }

    /// Every VM's status and pending tasks, in one request.
    fn status_request(&self) -> HttpRequest {
        self.api.get("vm/status/")
    }

    /// The VMs of a `/vm/status/` or `/vm/?full=true` answer.
    fn vm_list(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let result = self.result(resp, "the VM list", now)?;
        let items = result
            .as_array()
            .ok_or_else(|| ApiError::bad_response("the VM list", "`result` is not a list"))?;
        Ok(items.iter().filter_map(parse_vm).collect())
    }

    /// The envelope's `result` of a successful read.
    fn result(&self, resp: &HttpResponse, what: &str, now: Millis) -> Result<Value, ApiError> {
        if !resp.is_success() {
            return Err(ApiError::from_response(resp, ERROR_KEYS, now));
        }
        let v = parse_lenient(&resp.body).map_err(|e| ApiError::bad_response(what, e))?;
        match v.get("result") {
            Some(r) if !r.is_null() => Ok(r.clone()),
            _ => Err(ApiError::bad_response(what, "no `result`")),
        }
    }

    /// The path segment of an action, and its JSON body.
    pub fn action_body(action: &Action) -> (&'static str, Value) {
        match action {
            Action::Start => ("start", json!({})),
            Action::Shutdown => ("stop", json!({ "force": false })),
            // The graceful period before the node forces the VM off (documented `timeout`).
            Action::ShutdownWithin { timeout_s } => {
                ("stop", json!({ "force": false, "timeout": timeout_s }))
            }
            Action::PowerOff => ("stop", json!({ "force": true })),
            Action::Reboot => ("reboot", json!({ "force": false })),
            Action::PowerCycle => ("reboot", json!({ "force": true })),
            // Boots from the ISO (`cdimage_once`: this boot only; `update`: the definition's
            // pending changes applied).
            Action::StartFromIso(b) => {
                let mut body = json!({
                    "cdimage": b.cdimage.trim(),
                    "cdimage_once": b.once,
                    "update": b.update,
                });
                if let Some(second) = b.cdimage2.as_deref().map(str::trim) {
                    if !second.is_empty() {
                        body["cdimage2"] = json!(second);
                    }
                }
                ("start", body)
            }
            // A graceful stop that leaves the VM frozen; an unfreeze is done at once.
            Action::Freeze => ("stop", json!({ "force": false, "freeze": true })),
            Action::Unfreeze => ("stop", json!({ "unfreeze": true })),
            // `PUT …/status/current/`: the node's status stored (itself a task).
            Action::RefreshFromNode => ("current", json!({})),
            // Not offered by this provider (see `CAPS`); never sent.
            _ => ("unsupported", json!({})),
        }
    }
}

/// Erigones' own options on an operational VM: start from ISO as a start (needs `stopped`),
/// freeze as a graceful stop (needs `running`), unfreeze a `frozen` VM, refresh from the node
/// any operational VM; none while tasks are pending. `None` for every other kind.
fn option_allowed(vm: &Vm, kind: ActionKind) -> Option<Result<(), Refusal>> {
    let s = vm.status_raw.as_str();
    let r = match kind {
        ActionKind::StartFromIso
        | ActionKind::Freeze
        | ActionKind::Unfreeze
        | ActionKind::RefreshFromNode
            if vm.locked =>
        {
            Err(Refusal::PendingTasks)
        }
        ActionKind::StartFromIso => match s {
            "stopped" => Ok(()),
            "frozen" => Err(Refusal::Frozen),
            "running" => Err(Refusal::AlreadyRunning),
            _ => Err(Refusal::IsStopping),
        },
        ActionKind::Freeze => match s {
            "running" => Ok(()),
            "stopping" => Err(Refusal::IsStopping),
            _ => Err(Refusal::IsOff),
        },
        ActionKind::Unfreeze => match s {
            "frozen" => Ok(()),
            _ => Err(Refusal::NotFrozen),
        },
        ActionKind::RefreshFromNode => Ok(()),
        _ => return None,
    };
    Some(r)
}

/// A delete undeploys a stopped or frozen VM (a running one is forced off first, a step of the
/// delete) and undefines a VM never deployed; it waits for a stop under way and for pending
/// tasks.
fn delete_allowed(vm: &Vm) -> Result<(), Refusal> {
    let status = vm.status_raw.as_str();
    if vm.locked {
        return Err(Refusal::PendingTasks);
    }
    match status {
        "running" | "stopped" | "frozen" | "notcreated" => Ok(()),
        "stopping" => Err(Refusal::IsStopping),
        _ => Err(Refusal::NotOperational {
            status: status.to_string(),
        }),
    }
}

impl Dialect for Erigones {
    fn kind(&self) -> DialectKind {
        DialectKind::Erigones
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        let s = vm.status_raw.as_str();
        match kind {
            // Not on a VM: the catalogue and `validate` check it.
            ActionKind::Create => return Ok(()),
            ActionKind::Delete => return delete_allowed(vm),
            _ => {}
        }
        if !OPERATIONAL.contains(&s) {
            return Err(Refusal::NotOperational {
                status: s.to_string(),
            });
        }
        if let Some(r) = option_allowed(vm, kind) {
            return r;
        }
        if kind == ActionKind::Shutdown && s == "stopping" {
            return Err(Refusal::AlreadyStopping);
        }
        // A forced stop is the documented way out of a graceful stop that hangs, so it is
        // offered over the stop task still pending; everything else waits for the tasks.
        let forcing_a_stop = kind == ActionKind::PowerOff && s == "stopping";
        if vm.locked && !forcing_a_stop {
            return Err(Refusal::PendingTasks);
        }
        match (kind, s) {
            // "VM `stopped` and unlocked" (the lock: pending tasks, refused above).
            (ActionKind::Rebuild, "stopped") => Ok(()),
            (ActionKind::Rebuild, _) => Err(Refusal::MustBeStopped {
                status: s.to_string(),
            }),
            (ActionKind::Start, "stopped") => Ok(()),
            (ActionKind::Start, "frozen") => Err(Refusal::Frozen),
            (ActionKind::Start, "running") => Err(Refusal::AlreadyRunning),
            (ActionKind::Start, _) => Err(Refusal::IsStopping),
            (ActionKind::Reboot | ActionKind::PowerCycle, "running") => Ok(()),
            (ActionKind::Reboot | ActionKind::PowerCycle, "stopping") => Err(Refusal::IsStopping),
            (ActionKind::Shutdown, "running") => Ok(()),
            (ActionKind::PowerOff, "running" | "stopping") => Ok(()),
            (
                ActionKind::Reboot
                | ActionKind::PowerCycle
                | ActionKind::Shutdown
                | ActionKind::PowerOff,
                _,
            ) => Err(Refusal::IsOff),
            (ActionKind::Snapshot, "running" | "stopped" | "stopping") => Ok(()),
            (ActionKind::RestoreSnapshot | ActionKind::RestoreBackup, "stopped") => Ok(()),
            (ActionKind::RestoreSnapshot | ActionKind::RestoreBackup, _) => {
                Err(Refusal::MustBeStopped {
                    status: s.to_string(),
                })
            }
            (ActionKind::DeleteSnapshot | ActionKind::Backup | ActionKind::DeleteBackup, _) => {
                Ok(())
            }
            _ => Err(Refusal::NotOffered {
                provider: DialectKind::Erigones,
            }),
        }
    }

    /// A new VM's name is its hostname: it must be one the provider takes.
    fn validate(&self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::Create(spec) if !is_hostname(spec.name.trim()) => Err(Refusal::NotAHostname {
                provider: DialectKind::Erigones,
                min: HOSTNAME_LEN.0,
                max: HOSTNAME_LEN.1,
            }),
            // A recreate redeploys the VM's own definition: no other image can be asked for.
            Action::Rebuild { image } if image.trim() != CURRENT_IMAGE => {
                Err(Refusal::RebuildsCurrentImageOnly {
                    provider: DialectKind::Erigones,
                })
            }
            _ => Ok(()),
        }
    }

    /// Two parts: every VM with its pending tasks (`/vm/status/`), then every VM's addresses
    /// and size (`/vm/?full=true`), which the status list does not carry.
    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        match cursor {
            Some(FULL_PART) => self.api.get("vm/?full=true"),
            _ => self.status_request(),
        }
    }

    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        let next = match cursor {
            Some(FULL_PART) => Vec::new(),
            _ => vec![FULL_PART.to_string()],
        };
        Ok(VmPage {
            vms: self.vm_list(resp, now)?,
            next,
        })
    }

    fn read_vm_request(&self, vm_id: &VmId, _cursor: Option<&str>) -> HttpRequest {
        self.api.get(&Self::vm_path(vm_id.as_str()))
    }

    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let result = self.result(resp, "the VM's status", now)?;
        let vms: Vec<Vm> = match &result {
            Value::Array(items) => items.iter().filter_map(parse_vm).collect(),
            one => parse_vm(one).into_iter().collect(),
        };
        if vms.is_empty() {
            return Err(ApiError::bad_response(
                "the VM's status",
                "no VM in `result`",
            ));
        }
        Ok(vms)
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        stage: u8,
    ) -> HttpRequest {
        let id = target_vm_id(target, vm);
        if let Some(step) = Step::of(action, stage) {
            return self.step_request(step, hostname_of(action, id), action, vm);
        }
        if let Some(request) = self.point_request(id, action) {
            return request;
        }
        if let Action::Rebuild { .. } = action {
            // "without `force` → `417 \"Are you sure?\"`": the user confirmed by typing the
            // VM's name back.
            let path = format!("vm/{}/", encode_component(id));
            let body = json!({ "recreate": true, "force": true });
            return self.api.send(Method::Post, &path, &body);
        }
        let (verb, body) = Self::action_body(action);
        let path = format!("{}{verb}/", Self::vm_path(id));
        self.api.send(Method::Put, &path, &body)
    }

    fn parse_accepted(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        stage: u8,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        if let Some(step) = Step::of(action, stage) {
            let hostname = hostname_of(action, target_vm_id(target, vm));
            return self.parse_step(step, hostname, vm, resp, now);
        }
        if !resp.is_success() {
            return Err(refusal(resp, now));
        }
        let v = parse_lenient(&resp.body)
            .map_err(|e| ApiError::bad_response("the action request", e))?;
        let (status, _) = envelope(&v)
            .ok_or_else(|| ApiError::bad_response("the action request", "no task `status`"))?;
        if status == "SUCCESS" && text(&v, "task_id").is_none_or(|t| t.is_empty()) {
            // Done at once, without a task (a lost snapshot deleted): the point tells.
            return Ok(Accepted {
                provider_ref: ProviderRef::Watch,
                state: TaskState::Succeeded,
                raw_status: status,
                created: None,
                secret: None,
            });
        }
        let task_id = text(&v, "task_id")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad_response("the action request", "no `task_id`"))?;
        Ok(Accepted {
            provider_ref: ProviderRef::ErigonesTask {
                hostname: target_vm_id(target, vm).to_string(),
                task_id,
            },
            state: task_state(&status),
            raw_status: status,
            created: None,
            secret: None,
        })
    }

    fn points_request(&self, vm: &Vm, kind: PointKind) -> Option<HttpRequest> {
        Some(self.points_get(vm, kind))
    }

    fn parse_points(
        &self,
        kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        self.points_parse(kind, resp, now)
    }

    fn stages(&self, action: &Action) -> u8 {
        Step::count(action)
    }

    /// One read decides (no next page): see [`find`].
    fn find_submit(&self, s: &Submit, _cursor: Option<&str>) -> Option<HttpRequest> {
        Some(self.find_request(s))
    }

    fn parse_find_submit(
        &self,
        s: &Submit,
        _cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        self.parse_find(s, resp, now)
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        let task_id = match r {
            ProviderRef::ErigonesTask { task_id, .. } => task_id.as_str(),
            _ => "",
        };
        self.api.get(&Self::task_path(task_id, "status"))
    }

    fn parse_observation(
        &self,
        _r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        read_task(resp, now)
    }

    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .all(|r| matches!(r, ProviderRef::ErigonesTask { .. }))
            .then(|| self.status_request())
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let result = self.result(resp, "the VM list", now)?;
        let items = result
            .as_array()
            .ok_or_else(|| ApiError::bad_response("the VM list", "`result` is not a list"))?;
        Ok(refs
            .iter()
            .map(|r| {
                let ProviderRef::ErigonesTask { hostname, task_id } = r else {
                    return None;
                };
                let item = items.iter().find(|v| {
                    text(v, "hostname").as_deref() == Some(hostname.as_str())
                        || text(v, "uuid").as_deref() == Some(hostname.as_str())
                })?;
                let pending = item
                    .get("tasks")
                    .and_then(Value::as_object)
                    .is_some_and(|m| m.contains_key(task_id.as_str()));
                // Still pending: running. Gone from the map: it ended, and only the task
                // endpoint says how (None → the engine asks it).
                pending.then(|| Observation {
                    state: TaskState::Running,
                    raw_status: "pending".into(),
                    vm: parse_vm(item),
                    ..Observation::default()
                })
            })
            .collect())
    }

    fn observe_many_vms(&self, resp: &HttpResponse, now: Millis) -> Vec<Vm> {
        self.vm_list(resp, now).unwrap_or_default()
    }

    fn read_many_request(&self, _vm_ids: &[&VmId]) -> Option<HttpRequest> {
        // Every VM's status in one request (the listing's first).
        Some(self.status_request())
    }

    fn cancel_request(&self, r: &ProviderRef) -> Option<HttpRequest> {
        let ProviderRef::ErigonesTask { task_id, .. } = r else {
            return None;
        };
        Some(self.api.send(
            Method::Put,
            &Self::task_path(task_id, "cancel"),
            &json!({ "force": false }),
        ))
    }

    fn parse_cancel(
        &self,
        _r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        if resp.status == 406 {
            // Already running (a cancel without force only stops a queued task) or finished.
            let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
            e.kind = ErrorKind::Conflict;
            return Err(e);
        }
        read_task(resp, now)
    }

    fn login_request(&self) -> Option<HttpRequest> {
        login::login_request(&self.api)
    }

    fn parse_login(&self, resp: &HttpResponse, now: Millis) -> Result<(String, Millis), ApiError> {
        login::parse_login(resp, now)
    }

    fn set_session(&mut self, token: Option<String>) {
        self.api.session = token;
    }

    fn catalogue_requests(&self) -> Vec<(Part, HttpRequest)> {
        self.catalogue()
    }

    fn parse_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        self.read_catalogue(part, resp, now)
    }

    fn running(&self, resp: &HttpResponse, _known: &[Vm]) -> Vec<crate::dialect::Running> {
        activity::running(resp)
    }

    /// With `page` (else the cached last 10, filters ignored), VMs only.
    fn activity_request(&self, page: u32) -> Option<HttpRequest> {
        let q = format!("task/log/?page={}&object_type=vm", page.max(1));
        Some(self.api.get(&q))
    }

    fn parse_activity(
        &self,
        _page: u32,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<crate::dialect::ActivityPage, ApiError> {
        let v = crate::dialect::json_body(resp, ERROR_KEYS, "the task log", now)?;
        activity::page(&v).ok_or_else(|| ApiError::bad_response("the task log", "no `results`"))
    }
}

#[cfg(test)]
mod tests;
