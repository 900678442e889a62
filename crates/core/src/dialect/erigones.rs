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

use super::{
    target_vm_id, Accepted, Caps, CredentialKind, Credentials, Dialect, DialectKind, Endpoint,
    Observation, RateLimit, SnapshotCaps, VmPage,
};
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, join, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{
    Action, ActionKind, PowerState, ProviderRef, RefKind, Size, Target, TaskState, Vm,
};
use crate::time::{parse_rfc3339, Millis, MINUTE, SECOND};
use crate::words::Refusal;

/// Where the provider keeps its own words: top level, or inside the `result` envelope (the
/// shared [`ApiError::from_response`] looks in both).
const ERROR_KEYS: &[&str] = &["detail", "message", "error"];

/// The login session's documented lifetime, used when the answer has no usable `expires`.
pub const SESSION: Millis = 60 * MINUTE;

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
    power_list: false,
    cancel: true,
    // Documented: a graceful stop or reboot is forced after `timeout`: 180 s unless sent,
    // 300 s for Windows guests, which the VM data here does not tell apart: both.
    forces_after_s: &[180, 300],
    forces_stop: true,
    // A forced stop is documented over a VM that is `stopping`.
    forces_over_running_shutdown: true,
    resizes_by_flavor: false,
    snapshots: SnapshotCaps {
        max_per_vm: None,
        unique_names: false,
        description: false,
        refused_with_extra_volumes: false,
        demo_accounts_refuse: false,
    },
    queue_delay: SECOND,
    create: None,
    delete: None,
};

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

    /// A request to `path` (relative to the base, ending with `/`), with the credentials.
    fn req(&self, method: Method, path: &str) -> HttpRequest {
        let mut r = self.api.get(path);
        r.method = method;
        r
    }

    fn vm_path(hostname: &str) -> String {
        format!("vm/{}/status/", encode_component(hostname))
    }

    fn task_path(task_id: &str, what: &str) -> String {
        format!("task/{}/{what}/", encode_component(task_id))
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
            // Not offered by this provider (see `CAPS`); never sent.
            _ => ("unsupported", json!({})),
        }
    }
}

/// The VM's `status`, in our terms. The `running-` / `stopped-` / … variants are the provider's
/// "not ready" states: a change is being applied, whatever the prefix says.
pub fn power_of(status: &str) -> PowerState {
    match status {
        "running" => PowerState::Running,
        // Frozen is a stopped VM that may not be started until unfrozen; not created is a VM
        // defined but never deployed. Both are off.
        "stopped" | "frozen" | "notcreated" => PowerState::Stopped,
        "stopping" => PowerState::Stopping,
        "deploying" | "notready" => PowerState::Busy,
        s if s.ends_with('-')
            && matches!(
                s.trim_end_matches('-'),
                "running" | "stopped" | "frozen" | "notcreated"
            ) =>
        {
            PowerState::Busy
        }
        // `error` has no PowerState of its own: it is shown raw, like a value we do not know.
        other => PowerState::Unknown(other.to_string()),
    }
}

/// The envelope's task `status`, in our terms.
pub fn task_state(status: &str) -> TaskState {
    match status {
        "PENDING" => TaskState::Pending,
        "STARTED" => TaskState::Running,
        "SUCCESS" => TaskState::Succeeded,
        "FAILURE" => TaskState::Failed,
        "REVOKED" => TaskState::Cancelled,
        other => TaskState::Unknown(other.to_string()),
    }
}

/// Whether a `tasks` value (map of pending task ids) holds anything.
fn has_tasks(tasks: Option<&Value>) -> bool {
    match tasks {
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    }
}

fn parse_vm(v: &Value) -> Option<Vm> {
    // `hostname` is the id URLs use; the `uuid` works in URLs too, for a VM without one.
    let id = text(v, "hostname")
        .filter(|s| !s.is_empty())
        .or_else(|| text(v, "uuid"))?;
    let status = text(v, "status").unwrap_or_else(|| "(no status)".into());
    Some(Vm {
        name: text(v, "alias")
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        status_raw: status,
        // Pending tasks hold the VM: the provider refuses another action (409 / 400 lock).
        locked: has_tasks(v.get("tasks")),
        size: Size::default(),
        region: None,
        image: None,
        snapshot_count: None,
        project: None,
        addresses: Vec::new(),
    })
}

/// The parts of a task envelope: `status`, `result`.
fn envelope(v: &Value) -> Option<(String, Value)> {
    let status = v.get("status")?.as_str()?.to_string();
    Some((status, v.get("result").cloned().unwrap_or(Value::Null)))
}

/// A text field of a task's `result`, or the result itself when it is a string.
fn result_text(result: &Value, keys: &[&str]) -> Option<String> {
    match result {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(_) => keys
            .iter()
            .find_map(|k| text(result, k).filter(|s| !s.trim().is_empty())),
        _ => None,
    }
}

fn observation_of(status: String, result: &Value) -> Observation {
    let state = task_state(&status);
    let message = match state {
        TaskState::Succeeded => result_text(result, &["message"]),
        _ => result_text(result, &["detail", "message"]),
    };
    Observation {
        state,
        raw_status: status,
        message,
        ..Observation::default()
    }
}

/// A refusal the provider answers as a failed task (`400 FAILURE "Task did not acquire lock"`):
/// the VM is busy, not our request malformed.
fn refusal(resp: &HttpResponse, now: Millis) -> ApiError {
    let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
    let failed_task = parse_lenient(&resp.body)
        .ok()
        .and_then(|v| envelope(&v))
        .is_some_and(|(s, _)| s == "FAILURE");
    if resp.status == 400 && failed_task {
        e.kind = ErrorKind::Conflict;
    }
    e
}

impl Erigones {
    /// Reads a task answer: the HTTP code mirrors the task's state, so 400 and 410 carrying an
    /// envelope are observations, and the 404 for an expired task means "ask the VM".
    fn read_task(&self, resp: &HttpResponse, now: Millis) -> Result<Observation, ApiError> {
        let body = parse_lenient(&resp.body).ok();
        if resp.status == 404 {
            let detail = body.as_ref().and_then(|v| text(v, "detail"));
            return match detail {
                Some(d) if d.to_ascii_lowercase().contains(TASK_GONE) => Ok(Observation {
                    state: TaskState::Expired,
                    raw_status: d,
                    ..Observation::default()
                }),
                _ => Err(ApiError::from_response(resp, ERROR_KEYS, now)),
            };
        }
        let env = body.as_ref().and_then(envelope);
        match env {
            Some((status, result)) if resp.is_success() || matches!(resp.status, 400 | 410) => {
                Ok(observation_of(status, &result))
            }
            _ if resp.is_success() => Err(ApiError::bad_response(
                "the task status",
                "no task `status` in the answer",
            )),
            _ => Err(ApiError::from_response(resp, ERROR_KEYS, now)),
        }
    }
}

impl Dialect for Erigones {
    fn kind(&self) -> DialectKind {
        DialectKind::Erigones
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        let s = vm.status_raw.as_str();
        if !OPERATIONAL.contains(&s) {
            return Err(Refusal::NotOperational {
                status: s.to_string(),
            });
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
            _ => Err(Refusal::NotOffered {
                provider: DialectKind::Erigones,
            }),
        }
    }

    fn list_request(&self, _cursor: Option<&str>) -> HttpRequest {
        // Every VM, with its pending tasks, in one request.
        self.req(Method::Get, "vm/status/")
    }

    fn parse_list(
        &self,
        _cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        let result = self.result(resp, "the VM list", now)?;
        let items = result
            .as_array()
            .ok_or_else(|| ApiError::bad_response("the VM list", "`result` is not a list"))?;
        Ok(VmPage {
            vms: items.iter().filter_map(parse_vm).collect(),
            next: Vec::new(),
        })
    }

    fn read_vm_request(&self, vm_id: &VmId, _cursor: Option<&str>) -> HttpRequest {
        self.req(Method::Get, &Self::vm_path(vm_id.as_str()))
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
        _stage: u8,
    ) -> HttpRequest {
        let (verb, body) = Self::action_body(action);
        let path = format!("{}{verb}/", Self::vm_path(target_vm_id(target, vm)));
        self.req(Method::Put, &path).with_json(Method::Put, &body)
    }

    fn parse_accepted(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        _action: &Action,
        _stage: u8,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        if !resp.is_success() {
            return Err(refusal(resp, now));
        }
        let v = parse_lenient(&resp.body)
            .map_err(|e| ApiError::bad_response("the action request", e))?;
        let (status, _) = envelope(&v)
            .ok_or_else(|| ApiError::bad_response("the action request", "no task `status`"))?;
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
        })
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        let task_id = match r {
            ProviderRef::ErigonesTask { task_id, .. } => task_id.as_str(),
            _ => "",
        };
        self.req(Method::Get, &Self::task_path(task_id, "status"))
    }

    fn parse_observation(
        &self,
        _r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        self.read_task(resp, now)
    }

    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .all(|r| matches!(r, ProviderRef::ErigonesTask { .. }))
            .then(|| self.list_request(None))
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
        self.parse_list(None, resp, now)
            .map(|page| page.vms)
            .unwrap_or_default()
    }

    fn read_many_request(&self, _vm_ids: &[&VmId]) -> Option<HttpRequest> {
        // Every VM's status in one request (the same as the listing).
        Some(self.list_request(None))
    }

    fn cancel_request(&self, r: &ProviderRef) -> Option<HttpRequest> {
        let ProviderRef::ErigonesTask { task_id, .. } = r else {
            return None;
        };
        Some(
            self.req(Method::Put, &Self::task_path(task_id, "cancel"))
                .with_json(Method::Put, &json!({ "force": false })),
        )
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
        self.read_task(resp, now)
    }

    fn login_request(&self) -> Option<HttpRequest> {
        let Credentials::Login { username, password } = &self.api.credentials else {
            return None;
        };
        if self.api.session.is_some() {
            return None;
        }
        let body = json!({ "username": username.trim(), "password": password });
        Some(
            HttpRequest::get(join(&self.api.base, "accounts/login/"))
                .header("Accept", "application/json")
                .with_json(Method::Post, &body),
        )
    }

    fn parse_login(&self, resp: &HttpResponse, now: Millis) -> Result<(String, Millis), ApiError> {
        if !resp.is_success() {
            let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
            // The login answers `400 "Unable to log in with provided credentials."`.
            if matches!(resp.status, 400 | 401 | 403) {
                e.kind = ErrorKind::LoginRefused;
            }
            return Err(e);
        }
        let v = parse_lenient(&resp.body).map_err(|e| ApiError::bad_response("the login", e))?;
        let token = text(&v, "token")
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| ApiError::bad_response("the login", "no `token`"))?;
        let expires = match v.get("expires") {
            Some(Value::String(s)) => parse_rfc3339(s),
            Some(Value::Number(n)) => {
                n.as_i64()
                    .map(|t| if t > 100_000_000_000 { t } else { t * 1000 })
            }
            _ => None,
        };
        // The provider's clock may differ from ours: an expiry in the past (or absurdly far)
        // would make the engine log in on every turn, so it falls back to the documented hour.
        let until = expires
            .filter(|t| *t > now + 2 * MINUTE && *t <= now + 24 * SESSION)
            .unwrap_or(now + SESSION);
        Ok((token.trim().to_string(), until))
    }

    fn set_session(&mut self, token: Option<String>) {
        self.api.session = token;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::testing::{accept, request};

    const BASE: &str = "https://my.erigones.com/api";
    const HOST: &str = "example.cust.erigones.com";

    fn api() -> Erigones {
        Erigones::new(
            BASE,
            Credentials::ApiKey {
                key: " secret-key ".into(),
            },
        )
    }

    fn login_api() -> Erigones {
        Erigones::new(
            "https://my.erigones.com/api/",
            Credentials::Login {
                username: "admin".into(),
                password: "s3cret".into(),
            },
        )
    }

    fn vm(status: &str, locked: bool) -> Vm {
        Vm {
            id: VmId::new(HOST),
            name: "example".into(),
            power: power_of(status),
            status_raw: status.into(),
            locked,
            size: Size::default(),
            region: None,
            image: None,
            snapshot_count: None,
            project: None,
            addresses: Vec::new(),
        }
    }

    fn task_ref() -> ProviderRef {
        ProviderRef::ErigonesTask {
            hostname: HOST.into(),
            task_id: "1e1d1-6f75849b-fdaf-4e6e-b580".into(),
        }
    }

    fn body(req: &HttpRequest) -> Value {
        serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
    }

    /// `GET /vm/status` from the source document (the `text` of its example), trailing comma
    /// included.
    const DOC_LIST: &str = r#"{
        "status": "SUCCESS",
        "result": [
            {
                "status": "running",
                "alias": "example",
                "hostname": "example.cust.erigones.com",
                "status_change": "2012-01-22T23:23:23.365Z",
                "tasks": {}
            },
        ],
        "task_id": "0-6f75849b-fdaf-4e6e-b580"
    }"#;

    /// `PUT /vm/example.cust.erigones.com/status/start/` from the source document.
    const DOC_START_DONE: &str = r#"{
        "status": "SUCCESS",
        "result": {
            "message": "Successfully started VM example.cust.erigones.com",
            "returncode": 0
        },
        "task_id": "0-a2327793-2600-423d-9f07"
    }"#;

    /// The sheet's accepted answer.
    const DOC_ACCEPTED: &str =
        r#"{"status": "PENDING", "result": null, "task_id": "1e1d1-6f75849b-fdaf-4e6e-b580"}"#;

    #[test]
    fn lists_the_documented_example_in_one_request() {
        let req = api().list_request(None);
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url, "https://my.erigones.com/api/vm/status/");
        assert!(req
            .headers
            .contains(&("ES-API-KEY".into(), "secret-key".into())));
        let page = api()
            .parse_list(None, &HttpResponse::new(200, DOC_LIST), 0)
            .unwrap();
        assert!(page.next.is_empty(), "every VM comes in one answer");
        assert_eq!(page.vms.len(), 1);
        let v = &page.vms[0];
        assert_eq!(v.id, HOST, "the hostname is what URLs use");
        assert_eq!(v.name, "example", "the alias is what users read");
        assert_eq!(v.power, PowerState::Running);
        assert_eq!(v.status_raw, "running");
        assert!(!v.locked);
    }

    #[test]
    fn pending_tasks_lock_the_vm_and_a_vm_without_hostname_keeps_its_uuid() {
        let resp = HttpResponse::new(
            200,
            r#"{"status": "SUCCESS", "task_id": "0-1", "result": [
                {"hostname": "a.example", "uuid": "u-a", "alias": "", "status": "stopping",
                 "tasks": {"1e1d1-aa": {"view": "vm_status", "method": "PUT", "action": "stop",
                           "hostname": "a.example", "time": "2026-01-01T00:00:00Z"}}},
                {"uuid": "9d1b-uuid-only", "alias": "b", "status": "stopped"},
                {"alias": "no id at all, skipped", "status": "running"}
            ]}"#,
        );
        let vms = api().parse_list(None, &resp, 0).unwrap().vms;
        assert_eq!(vms.len(), 2);
        assert!(vms[0].locked);
        assert_eq!(
            vms[0].name, "a.example",
            "an empty alias falls back to the id"
        );
        assert_eq!(vms[0].power, PowerState::Stopping);
        assert_eq!(vms[1].id, "9d1b-uuid-only");
        assert!(!vms[1].locked);
    }

    #[test]
    fn every_documented_vm_status_is_mapped_and_unknown_ones_stay_raw() {
        let cases = [
            ("running", PowerState::Running),
            ("stopped", PowerState::Stopped),
            ("stopping", PowerState::Stopping),
            ("frozen", PowerState::Stopped),
            ("notcreated", PowerState::Stopped),
            ("deploying", PowerState::Busy),
            ("notready", PowerState::Busy),
            ("running-", PowerState::Busy),
            ("stopped-", PowerState::Busy),
            ("frozen-", PowerState::Busy),
            ("notcreated-", PowerState::Busy),
            ("error", PowerState::Unknown("error".into())),
            ("migrating", PowerState::Unknown("migrating".into())),
            ("paused-", PowerState::Unknown("paused-".into())),
        ];
        for (status, want) in cases {
            assert_eq!(power_of(status), want, "{status}");
        }
    }

    #[test]
    fn action_requests_follow_the_sheet() {
        let v = vm("running", false);
        let cases = [
            (Action::Start, "start", json!({})),
            (Action::Shutdown, "stop", json!({"force": false})),
            (
                Action::ShutdownWithin { timeout_s: 60 },
                "stop",
                json!({"force": false, "timeout": 60}),
            ),
            (Action::PowerOff, "stop", json!({"force": true})),
            (Action::Reboot, "reboot", json!({"force": false})),
            (Action::PowerCycle, "reboot", json!({"force": true})),
        ];
        for (action, verb, want) in cases {
            let req = request(&api(), &v, &action);
            assert_eq!(req.method, Method::Put, "{action:?}");
            assert_eq!(
                req.url,
                format!("https://my.erigones.com/api/vm/{HOST}/status/{verb}/")
            );
            assert_eq!(body(&req), want, "{action:?}");
            assert!(req
                .headers
                .contains(&("Content-Type".into(), "application/json".into())));
            assert!(req
                .headers
                .contains(&("ES-API-KEY".into(), "secret-key".into())));
        }
        let odd = Vm {
            id: VmId::new("web 01/x"),
            ..v
        };
        assert!(request(&api(), &odd, &Action::Start)
            .url
            .ends_with("/vm/web%2001%2Fx/status/start/"));
    }

    #[test]
    fn reads_the_documented_accepted_answers() {
        let v = vm("running", false);
        let acc = accept(
            &api(),
            &v,
            &Action::Reboot,
            &HttpResponse::new(201, DOC_ACCEPTED),
            0,
        )
        .unwrap();
        assert_eq!(acc.provider_ref, task_ref());
        assert_eq!(acc.state, TaskState::Pending);
        assert_eq!(acc.raw_status, "PENDING");

        // Done at once: the document's start example.
        let stopped = vm("stopped", false);
        let acc = accept(
            &api(),
            &stopped,
            &Action::Start,
            &HttpResponse::new(200, DOC_START_DONE),
            0,
        )
        .unwrap();
        assert_eq!(acc.state, TaskState::Succeeded);
        assert_eq!(
            acc.provider_ref,
            ProviderRef::ErigonesTask {
                hostname: HOST.into(),
                task_id: "0-a2327793-2600-423d-9f07".into(),
            }
        );

        let no_id = HttpResponse::new(201, r#"{"status": "PENDING", "result": null}"#);
        let e = accept(&api(), &v, &Action::Reboot, &no_id, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn every_documented_refusal_keeps_the_providers_words() {
        let v = vm("running", false);
        let cases = [
            (417, r#"{"detail": "Bad action"}"#, "Bad action"),
            (
                423,
                r#"{"detail": "VM is not operational"}"#,
                "VM is not operational",
            ),
            (
                423,
                r#"{"detail": "VM is already stopping; try to use force"}"#,
                "VM is already stopping; try to use force",
            ),
            (
                409,
                r#"{"detail": "VM has pending tasks"}"#,
                "VM has pending tasks",
            ),
            (
                400,
                r#"{"status": "FAILURE", "result": {"detail": "Task did not acquire lock"}, "task_id": "1e1d1-x"}"#,
                "Task did not acquire lock",
            ),
        ];
        for (code, text, words) in cases {
            let e = accept(
                &api(),
                &v,
                &Action::Shutdown,
                &HttpResponse::new(code, text),
                0,
            )
            .unwrap_err();
            assert_eq!(e.kind, ErrorKind::Conflict, "{code} {text}");
            assert_eq!(e.provider_text.as_deref(), Some(words));
            assert_eq!(e.status, Some(code));
        }
        // A plain 400 (the request itself) stays a rejected request.
        let e = accept(
            &api(),
            &v,
            &Action::Start,
            &HttpResponse::new(400, r#"{"detail": "Request data must be a JSON object"}"#),
            0,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(
            e.provider_text.as_deref(),
            Some("Request data must be a JSON object")
        );

        let refused = HttpResponse::new(401, r#"{"detail": "Invalid API key."}"#);
        let e = api().parse_list(None, &refused, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert_eq!(e.provider_text.as_deref(), Some("Invalid API key."));
        assert!(!e.to_string().contains("secret-key"));
    }

    #[test]
    fn the_task_status_code_mirrors_the_state() {
        let req = api().observe_request(&task_ref());
        assert_eq!(req.method, Method::Get);
        assert_eq!(
            req.url,
            "https://my.erigones.com/api/task/1e1d1-6f75849b-fdaf-4e6e-b580/status/"
        );
        let obs = |code, text: &str| {
            api()
                .parse_observation(&task_ref(), &HttpResponse::new(code, text), 0)
                .unwrap()
        };
        let o = obs(201, DOC_ACCEPTED);
        assert_eq!(o.state, TaskState::Pending);
        let o = obs(
            201,
            r#"{"status": "STARTED", "result": null, "task_id": "1e1d1-6f75849b-fdaf-4e6e-b580"}"#,
        );
        assert_eq!(o.state, TaskState::Running);
        assert_eq!(o.raw_status, "STARTED");

        let o = obs(200, DOC_START_DONE);
        assert_eq!(o.state, TaskState::Succeeded);
        assert_eq!(
            o.message.as_deref(),
            Some("Successfully started VM example.cust.erigones.com")
        );

        let o = obs(
            400,
            r#"{"status": "FAILURE", "result": {"message": "vmadm failed", "returncode": 1, "detail": "Failed to reboot VM: vmadm reboot exited with error"}, "task_id": "1e1d1-x"}"#,
        );
        assert_eq!(o.state, TaskState::Failed);
        assert_eq!(o.raw_status, "FAILURE");
        assert_eq!(
            o.message.as_deref(),
            Some("Failed to reboot VM: vmadm reboot exited with error")
        );

        let o = obs(
            410,
            r#"{"status": "REVOKED", "result": {"detail": "Task was revoked"}, "task_id": "1e1d1-x"}"#,
        );
        assert_eq!(o.state, TaskState::Cancelled);
        assert_eq!(o.message.as_deref(), Some("Task was revoked"));

        let o = obs(404, r#"{"detail": "Task does not exist (anymore)"}"#);
        assert_eq!(o.state, TaskState::Expired);
        assert_eq!(o.raw_status, "Task does not exist (anymore)");
    }

    #[test]
    fn unknown_task_states_stay_raw_and_are_never_success() {
        for code in [200, 201, 400] {
            let resp = HttpResponse::new(
                code,
                r#"{"status": "RETRY", "result": null, "task_id": "1e1d1-x"}"#,
            );
            let o = api().parse_observation(&task_ref(), &resp, 0).unwrap();
            assert_eq!(o.state, TaskState::Unknown("RETRY".into()), "{code}");
            assert!(!o.state.is_terminal());
        }
        // A success code without an envelope is not a success either.
        let e = api()
            .parse_observation(&task_ref(), &HttpResponse::new(200, r#"{"done": true}"#), 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
        let e = api()
            .parse_observation(
                &task_ref(),
                &HttpResponse::new(200, r#"{"status": "SUCC"#),
                0,
            )
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn other_task_errors_are_errors_not_outcomes() {
        let cases = [
            (404, r#"{"detail": "Not found."}"#, ErrorKind::NotFound),
            (
                401,
                r#"{"detail": "Token has expired."}"#,
                ErrorKind::Unauthorized,
            ),
            (503, "<html>unavailable</html>", ErrorKind::Server),
        ];
        for (code, text, kind) in cases {
            let e = api()
                .parse_observation(&task_ref(), &HttpResponse::new(code, text), 0)
                .unwrap_err();
            assert_eq!(e.kind, kind, "{code}");
        }
    }

    #[test]
    fn one_vm_status_read_tells_which_tasks_still_run() {
        let other = ProviderRef::ErigonesTask {
            hostname: "b.example".into(),
            task_id: "1e1d1-bbbb".into(),
        };
        let gone = ProviderRef::ErigonesTask {
            hostname: "c.example".into(),
            task_id: "1e1d1-cccc".into(),
        };
        let refs = [&task_ref(), &other, &gone];
        let req = api().observe_many_request(&refs).unwrap();
        assert_eq!(req.url, "https://my.erigones.com/api/vm/status/");
        let foreign = ProviderRef::OnetTask {
            instance_id: "i".into(),
            task_id: "t".into(),
        };
        assert!(api()
            .observe_many_request(&[&task_ref(), &foreign])
            .is_none());

        let resp = HttpResponse::new(
            200,
            r#"{"status": "SUCCESS", "task_id": "0-1", "result": [
                {"hostname": "example.cust.erigones.com", "alias": "example", "status": "stopping",
                 "tasks": {"1e1d1-6f75849b-fdaf-4e6e-b580": {"view": "vm_status", "method": "PUT", "action": "reboot"}}},
                {"hostname": "b.example", "alias": "b", "status": "running",
                 "tasks": {"1e1d1-other": {"action": "stop"}}},
                {"hostname": "c.example", "alias": "c", "status": "stopped", "tasks": {}}
            ]}"#,
        );
        let got = api().parse_observe_many(&refs, &resp, 0).unwrap();
        assert_eq!(got.len(), 3);
        let first = got[0].as_ref().expect("still pending");
        assert_eq!(first.state, TaskState::Running);
        assert_eq!(first.raw_status, "pending");
        let seen = first.vm.as_ref().expect("the VM comes along");
        assert_eq!(seen.power, PowerState::Stopping);
        assert!(seen.locked);
        assert!(got[1].is_none(), "its task id is not in the map");
        assert!(got[2].is_none(), "no pending task: ask the task endpoint");
    }

    #[test]
    fn reads_one_vm_from_the_database() {
        let req = api().read_vm_request(&VmId::new(HOST), None);
        assert_eq!(
            req.url,
            "https://my.erigones.com/api/vm/example.cust.erigones.com/status/"
        );
        let resp = HttpResponse::new(
            200,
            r#"{"status": "SUCCESS", "task_id": "0-2", "result":
                {"hostname": "example.cust.erigones.com", "uuid": "u1", "alias": "example",
                 "status": "stopped", "node_status": "online", "tasks": {}, "uptime": null}}"#,
        );
        let vms = api().parse_read_vm(&resp, 0).unwrap();
        assert_eq!(vms.len(), 1);
        assert_eq!(vms[0].power, PowerState::Stopped);
        let missing = HttpResponse::new(404, r#"{"detail": "VM not found"}"#);
        let e = api().parse_read_vm(&missing, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(e.provider_text.as_deref(), Some("VM not found"));
    }

    #[test]
    fn cancel_asks_without_force_and_a_refusal_keeps_the_text() {
        let req = api().cancel_request(&task_ref()).unwrap();
        assert_eq!(req.method, Method::Put);
        assert_eq!(
            req.url,
            "https://my.erigones.com/api/task/1e1d1-6f75849b-fdaf-4e6e-b580/cancel/"
        );
        assert_eq!(body(&req), json!({"force": false}));
        let revoked = HttpResponse::new(
            200,
            r#"{"status": "REVOKED", "result": {"detail": "Task was revoked"}, "task_id": "1e1d1-x"}"#,
        );
        let o = api().parse_cancel(&task_ref(), &revoked, 0).unwrap();
        assert_eq!(o.state, TaskState::Cancelled);
        let refused = HttpResponse::new(
            406,
            r#"{"detail": "Task is already running and cannot be cancelled without force"}"#,
        );
        let e = api().parse_cancel(&task_ref(), &refused, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(
            e.provider_text.as_deref(),
            Some("Task is already running and cannot be cancelled without force")
        );
    }

    #[test]
    fn the_provider_forces_a_graceful_stop_or_reboot_after_its_timeout() {
        // 180 s, or 300 s for Windows guests, which the VM data does not tell apart.
        assert_eq!(CAPS.forced_after(&Action::Shutdown), vec![180_000, 300_000]);
        assert_eq!(CAPS.forced_after(&Action::Reboot), vec![180_000, 300_000]);
        assert_eq!(
            CAPS.forced_after(&Action::ShutdownWithin { timeout_s: 60 }),
            vec![60_000]
        );
        assert!(CAPS.forced_after(&Action::PowerOff).is_empty());
        let caps = DialectKind::Erigones.caps();
        assert!(caps.forces_stop && caps.forces_over_running_shutdown && caps.cancel);
        assert!(caps.observe_many_complete && caps.read_many);
    }

    #[test]
    fn the_login_flow_gets_a_token_and_sends_it() {
        let mut a = login_api();
        let login = a.login_request().expect("a login first");
        assert_eq!(login.method, Method::Post);
        assert_eq!(login.url, "https://my.erigones.com/api/accounts/login/");
        assert_eq!(
            body(&login),
            json!({"username": "admin", "password": "s3cret"})
        );
        assert!(!login.describe().contains("s3cret"));

        let now = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let resp = HttpResponse::new(
            200,
            r#"{"detail": "Welcome to Danube Cloud API.", "token": "a1b2c3", "expires": "2026-01-01T01:00:00Z"}"#,
        );
        let (token, until) = a.parse_login(&resp, now).unwrap();
        assert_eq!(token, "a1b2c3");
        assert_eq!(until, now + SESSION);
        a.set_session(Some(token));
        assert!(a.login_request().is_none());
        let req = a.list_request(None);
        assert!(req
            .headers
            .contains(&("Authorization".into(), "Token a1b2c3".into())));
        a.set_session(None);
        assert!(a.login_request().is_some(), "a lost session logs in again");

        // No `expires`, or one our clock already passed: the documented hour.
        let bare = HttpResponse::new(200, r#"{"token": "t"}"#);
        assert_eq!(a.parse_login(&bare, now).unwrap().1, now + SESSION);
        let skewed = HttpResponse::new(200, r#"{"token": "t", "expires": "2025-12-31T22:00:00Z"}"#);
        assert_eq!(a.parse_login(&skewed, now).unwrap().1, now + SESSION);
        let shorter =
            HttpResponse::new(200, r#"{"token": "t", "expires": "2026-01-01T00:30:00Z"}"#);
        assert_eq!(a.parse_login(&shorter, now).unwrap().1, now + 30 * MINUTE);

        // API keys need no login.
        assert!(api().login_request().is_none());
    }

    #[test]
    fn a_refused_login_is_a_credentials_problem_with_the_providers_words() {
        let a = login_api();
        let resp = HttpResponse::new(
            400,
            r#"{"detail": "Unable to log in with provided credentials."}"#,
        );
        let e = a.parse_login(&resp, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LoginRefused);
        assert_eq!(
            e.provider_text.as_deref(),
            Some("Unable to log in with provided credentials.")
        );
        assert!(!e.to_string().contains("s3cret"));
        let e = a
            .parse_login(&HttpResponse::new(502, "<html>bad gateway</html>"), 0)
            .unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Server,
            "a broken server is not a wrong password"
        );
        let e = a
            .parse_login(&HttpResponse::new(200, r#"{"detail": "Welcome"}"#), 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn valid_actions_follow_the_documented_preconditions() {
        let a = api();
        let ok = |status: &str, locked: bool, k| a.allowed(&vm(status, locked), k).is_ok();
        use ActionKind::*;
        // (status, Start, Shutdown, PowerOff, Reboot, PowerCycle)
        let table = [
            ("running", false, true, true, true, true),
            ("stopped", true, false, false, false, false),
            ("stopping", false, false, true, false, false),
            ("frozen", false, false, false, false, false),
        ];
        for (status, start, shutdown, poweroff, reboot, cycle) in table {
            assert_eq!(ok(status, false, Start), start, "start on {status}");
            assert_eq!(
                ok(status, false, Shutdown),
                shutdown,
                "shutdown on {status}"
            );
            assert_eq!(
                ok(status, false, PowerOff),
                poweroff,
                "power off on {status}"
            );
            assert_eq!(ok(status, false, Reboot), reboot, "reboot on {status}");
            assert_eq!(
                ok(status, false, PowerCycle),
                cycle,
                "power cycle on {status}"
            );
        }
        for status in [
            "notcreated",
            "deploying",
            "notready",
            "error",
            "running-",
            "stopped-",
            "migrating",
        ] {
            for &k in CAPS.actions {
                assert_eq!(
                    a.allowed(&vm(status, false), k),
                    Err(Refusal::NotOperational {
                        status: status.into()
                    }),
                    "{status} {k:?}"
                );
            }
        }
        // Pending tasks: nothing, except forcing a stop that is under way.
        for &k in CAPS.actions {
            assert!(!ok("running", true, k), "{k:?} with pending tasks");
            assert!(!ok("stopped", true, k), "{k:?} with pending tasks");
        }
        assert!(ok("stopping", true, PowerOff));
        assert!(!ok("stopping", true, Shutdown));
        assert_eq!(
            a.allowed(&vm("stopping", false), Shutdown),
            Err(Refusal::AlreadyStopping)
        );
        assert_eq!(a.allowed(&vm("frozen", false), Start), Err(Refusal::Frozen));
        assert_eq!(
            a.allowed(&vm("running", true), Reboot),
            Err(Refusal::PendingTasks)
        );
        assert_eq!(
            a.allowed(&vm("stopped", false), Reboot),
            Err(Refusal::IsOff)
        );
        assert_eq!(
            a.allowed(&vm("running", false), Rename),
            Err(Refusal::NotOffered {
                provider: DialectKind::Erigones
            })
        );
        assert!(!ok("running", false, Rename));
    }
}
