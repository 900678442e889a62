//! ONETSolutions: the "task resource" dialect.
//!
//! Contract: `shared/providers/onetsolutions.md`. A power action
//! (`POST /compute/instances/{id}/{start,stop,reboot,shutdown,reset}`) answers `202` with a task,
//! read again at `GET /compute/tasks/{id}`. Many tasks are observed at once from the project's
//! task list, `GET /compute/tasks?page=N&page_size=100` without a status filter: it shows
//! finished tasks as well as running ones, so one round of pages (followed while some watched
//! task is not yet found, at most [`MAX_TASK_PAGES`]) settles them all without per-task reads.
//! A failed attempt with retries left goes back to `pending`: a retrying task is not a failed
//! one, and the console shows "attempt k of n". A task's `result` is free-form: it is shown,
//! never read as an outcome.
//!
//! Lists are paginated (`?page=&page_size=` → `{count, next, previous, results}`); the next page is
//! built from the page number in `next`, never by following its host. There is no single-instance
//! read: an instance is re-read from the list page it was seen on. Rate limit 1000/min: a `429`
//! goes through [`ApiError::from_response`], whose `Retry-After` the engine honours.

use serde_json::{json, Value};

use super::{
    json_body, page_number, target_vm_id, Accepted, Caps, CredentialKind, Credentials, Dialect,
    DialectKind, Endpoint, Observation, RateLimit, SnapshotCaps, VmPage,
};
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text, uint};
use crate::model::{
    Action, ActionKind, PowerState, ProviderRef, RefKind, Size, Target, TaskState, Vm,
};
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

/// The provider's maximum page size: a hundred instances (or unfinished tasks) per request.
pub const PAGE_SIZE: u32 = 100;

/// How deep observe-many reads the task list in one round: the 2,000 newest tasks. An operation
/// on none of these pages is looked at on its own.
pub const MAX_TASK_PAGES: u32 = 20;

/// Where ONET (Django REST framework) puts its words.
const ERROR_KEYS: &[&str] = &["detail", "message", "error", "errors", "non_field_errors"];

/// The longest task `result` quoted to the user.
const MAX_RESULT_TEXT: usize = 300;

/// ONETSolutions' facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::OnetSolutions,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::PowerOff,
        ActionKind::PowerCycle,
    ],
    // Documented: 1,000 a minute, bursts of 100 a second.
    rate_limit: RateLimit {
        per_second: 1000.0 / 60.0 * 0.9,
        burst: 60.0,
    },
    credentials: &[CredentialKind::Bearer],
    example_base: "https://api.onetsolutions.net/v1/organizations/ORG_ID/projects/PROJECT_ID",
    observe_many: &[RefKind::OnetTask],
    observe_many_complete: false,
    read_many: false,
    power_list: false,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: false,
    snapshots: SnapshotCaps {
        max_per_vm: None,
        unique_names: false,
        description: false,
        refused_with_extra_volumes: false,
        demo_accounts_refuse: false,
    },
    queue_delay: 2 * SECOND,
    create: None,
    delete: None,
};

pub struct Onet {
    api: Endpoint,
}

impl Onet {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Onet {
            api: Endpoint::new(base, credentials),
        }
    }

    fn req(&self, path: &str) -> HttpRequest {
        self.api.get(path)
    }

    fn body(&self, resp: &HttpResponse, what: &str, now: Millis) -> Result<Value, ApiError> {
        json_body(resp, ERROR_KEYS, what, now)
    }

    /// The `results` of a paginated answer, and the next page's number.
    fn page(
        &self,
        resp: &HttpResponse,
        what: &str,
        now: Millis,
    ) -> Result<(Vec<Value>, Option<u32>), ApiError> {
        let v = self.body(resp, what, now)?;
        let results = v
            .get("results")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| ApiError::bad_response(what, "no `results` list"))?;
        let next = v.get("next").and_then(Value::as_str).and_then(page_number);
        Ok((results, next))
    }

    /// The path segment of an action.
    pub fn action_path(action: &Action) -> &'static str {
        match action {
            Action::Start => "start",
            Action::PowerOff => "stop",
            Action::Reboot => "reboot",
            Action::Shutdown => "shutdown",
            Action::PowerCycle => "reset",
            // Not offered by this provider (see `CAPS`); never sent.
            _ => "unsupported",
        }
    }
}

/// The instance's `status`, in our terms.
pub fn power_of(status: &str) -> PowerState {
    match status {
        "running" => PowerState::Running,
        "stopped" => PowerState::Stopped,
        // Documented: the instance has a task under way.
        "pending" => PowerState::Busy,
        // `error` has no PowerState of its own: it is shown raw, like a value we do not know.
        other => PowerState::Unknown(other.to_string()),
    }
}

fn count(v: &Value, keys: &[&str]) -> Option<u32> {
    keys.iter()
        .find_map(|k| uint(v, k))
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn parse_size(v: Option<&Value>) -> Size {
    match v {
        Some(s @ Value::Object(_)) => Size {
            vcpus: count(s, &["vcpus", "cpus", "cpu", "cores"]),
            memory_gb: count(s, &["memory_gb", "ram_gb", "memory", "ram"]),
            disk_gb: count(s, &["disk_gb", "disk"]),
            flavor: text(s, "name").or_else(|| text(s, "id")),
        },
        Some(Value::String(s)) => Size {
            flavor: Some(s.clone()),
            ..Size::default()
        },
        _ => Size::default(),
    }
}

fn parse_vm(v: &Value) -> Option<Vm> {
    let id = text(v, "id").filter(|s| !s.is_empty())?;
    let status = text(v, "status").unwrap_or_else(|| "(no status)".into());
    let region = match v.get("location") {
        Some(l @ Value::Object(_)) => text(l, "name").or_else(|| text(l, "id")),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let image = match v.get("image").or_else(|| v.get("os")) {
        Some(i @ Value::Object(_)) => text(i, "name"),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Some(Vm {
        name: text(v, "name")
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        // `pending` is documented as "a task runs": the provider refuses another one.
        locked: status == "pending",
        status_raw: status,
        size: parse_size(v.get("size")),
        region,
        image,
        snapshot_count: None,
        project: None,
        addresses: Vec::new(),
    })
}

/// A free-form `result` as text for the user: a string as is, else its usual text field, else
/// the JSON itself (shortened). Never an outcome.
fn result_text(result: Option<&Value>) -> Option<String> {
    let t = match result? {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        r @ Value::Object(_) => ["error", "detail", "message", "last_error"]
            .iter()
            .find_map(|k| text(r, k).filter(|s| !s.trim().is_empty()))
            .unwrap_or_else(|| r.to_string()),
        other => other.to_string(),
    };
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    Some(if t.chars().count() > MAX_RESULT_TEXT {
        let cut: String = t.chars().take(MAX_RESULT_TEXT).collect();
        format!("{cut}…")
    } else {
        t.to_string()
    })
}

/// What a task resource says, in our terms. `attempt` counts the provider's retries; the
/// message is the task's `result`, the provider's own words, as they are.
pub fn observe_task(task: &Value) -> Observation {
    let raw = text(task, "status").unwrap_or_else(|| "(no status)".into());
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let retry = clamp(uint(task, "retry_count").unwrap_or(0));
    let max = clamp(uint(task, "max_retries").unwrap_or(0));
    let retries_left = retry < max;
    let state = match raw.as_str() {
        "pending" => TaskState::Pending,
        "running" => TaskState::Running,
        "completed" => TaskState::Succeeded,
        // A failed attempt with retries left goes back to `pending`: not failed yet.
        "failed" if retries_left => TaskState::Running,
        "failed" => TaskState::Failed,
        "cancelled" => TaskState::Cancelled,
        other => TaskState::Unknown(other.to_string()),
    };
    let of = max.saturating_add(1);
    let attempt = (max > 0).then(|| (retry.saturating_add(1).min(of), of));
    Observation {
        state,
        raw_status: raw,
        message: result_text(task.get("result")),
        attempt,
        ..Observation::default()
    }
}

impl Dialect for Onet {
    fn kind(&self) -> DialectKind {
        DialectKind::OnetSolutions
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        if vm.locked || vm.status_raw == "pending" {
            return Err(Refusal::TaskRunning);
        }
        let running = vm.power == PowerState::Running;
        let stopped = vm.power == PowerState::Stopped;
        if !running && !stopped {
            return Err(Refusal::StatusNotKnown {
                status: vm.status_raw.clone(),
                rename_only: false,
            });
        }
        match kind {
            ActionKind::Start if running => Err(Refusal::AlreadyRunning),
            ActionKind::Start => Ok(()),
            ActionKind::Shutdown
            | ActionKind::Reboot
            | ActionKind::PowerOff
            | ActionKind::PowerCycle
                if stopped =>
            {
                Err(Refusal::IsOff)
            }
            ActionKind::Shutdown
            | ActionKind::Reboot
            | ActionKind::PowerOff
            | ActionKind::PowerCycle => Ok(()),
            _ => Err(Refusal::NotOffered {
                provider: DialectKind::OnetSolutions,
            }),
        }
    }

    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        let page = cursor.and_then(|c| c.parse::<u32>().ok()).unwrap_or(1);
        self.req(&format!(
            "compute/instances?page={page}&page_size={PAGE_SIZE}"
        ))
    }

    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        let (results, next) = self.page(resp, "the instance list", now)?;
        let this = cursor.and_then(|c| c.parse::<u32>().ok()).unwrap_or(1);
        Ok(VmPage {
            vms: results.iter().filter_map(parse_vm).collect(),
            // Only forward: a `next` pointing back would make the listing go round forever.
            next: next
                .filter(|n| *n > this)
                .map(|n| n.to_string())
                .into_iter()
                .collect(),
        })
    }

    fn read_vm_request(&self, _vm_id: &VmId, cursor: Option<&str>) -> HttpRequest {
        self.list_request(cursor)
    }

    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let (results, _) = self.page(resp, "the instance list", now)?;
        Ok(results.iter().filter_map(parse_vm).collect())
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
    ) -> HttpRequest {
        let path = format!(
            "compute/instances/{}/{}",
            encode_component(target_vm_id(target, vm)),
            Self::action_path(action)
        );
        self.req(&path).with_json(Method::Post, &json!({}))
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
            let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
            // We send no parameters: a 400 is the instance's state refusing the action ("already
            // has a task in progress", "is not running").
            if resp.status == 400 {
                e.kind = ErrorKind::Conflict;
            }
            return Err(e);
        }
        let task = parse_lenient(&resp.body)
            .map_err(|e| ApiError::bad_response("the action request", e))?;
        let task_id = text(&task, "id")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad_response("the action request", "no task `id`"))?;
        let obs = observe_task(&task);
        Ok(Accepted {
            provider_ref: ProviderRef::OnetTask {
                instance_id: text(&task, "instance_id")
                    .unwrap_or_else(|| target_vm_id(target, vm).to_string()),
                task_id,
            },
            state: obs.state,
            raw_status: obs.raw_status,
            created: None,
        })
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        let task_id = match r {
            ProviderRef::OnetTask { task_id, .. } => task_id.as_str(),
            _ => "",
        };
        self.req(&format!("compute/tasks/{}", encode_component(task_id)))
    }

    fn parse_observation(
        &self,
        _r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        if resp.status == 404 {
            // The task we were given is gone: it ended, and the instance tells how.
            let e = ApiError::from_response(resp, ERROR_KEYS, now);
            return Ok(Observation {
                state: TaskState::Expired,
                raw_status: e.provider_text.unwrap_or_else(|| "not found (404)".into()),
                ..Observation::default()
            });
        }
        let task = self.body(resp, "the task", now)?;
        if !task.is_object() {
            return Err(ApiError::bad_response("the task", "not a task object"));
        }
        Ok(observe_task(&task))
    }

    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .all(|r| matches!(r, ProviderRef::OnetTask { .. }))
            .then(|| self.task_page(1))
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let (results, _) = self.page(resp, "the task list", now)?;
        Ok(refs
            .iter()
            .map(|r| {
                let ProviderRef::OnetTask { task_id, .. } = r else {
                    return None;
                };
                // Listed with every status: the list proves a task running or ended, and only
                // a task on none of the pages read is asked on its own.
                results
                    .iter()
                    .find(|t| text(t, "id").as_deref() == Some(task_id.as_str()))
                    .map(observe_task)
            })
            .collect())
    }

    fn observe_many_next(&self, refs: &[&ProviderRef], resp: &HttpResponse) -> Option<HttpRequest> {
        if refs.is_empty() || !resp.is_success() {
            return None;
        }
        let v = parse_lenient(&resp.body).ok()?;
        let link = |k: &str| v.get(k).and_then(Value::as_str).and_then(page_number);
        let this = link("previous").map_or(1, |p| p.saturating_add(1));
        // Only forward, and no deeper than the newest tasks an open operation can be among.
        link("next")
            .filter(|&n| n > this && n <= MAX_TASK_PAGES)
            .map(|n| self.task_page(n))
    }
}

impl Onet {
    /// A page of the project's task list, every status: newest first (assumed, as DRF lists
    /// by `-created`), so the operations Vigil watches are on its first pages.
    fn task_page(&self, page: u32) -> HttpRequest {
        self.req(&format!("compute/tasks?page={page}&page_size={PAGE_SIZE}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::testing::{accept, request};

    const BASE: &str = "https://api.onetsolutions.net/v1/organizations/org-1/projects/prj-1";
    const ID: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

    fn api() -> Onet {
        Onet::new(
            BASE,
            Credentials::Bearer {
                token: "sk-onetsolutions-abc".into(),
            },
        )
    }

    fn vm(status: &str) -> Vm {
        Vm {
            id: VmId::new(ID),
            name: "web-01".into(),
            power: power_of(status),
            status_raw: status.into(),
            locked: status == "pending",
            size: Size::default(),
            region: None,
            image: None,
            snapshot_count: None,
            project: None,
            addresses: Vec::new(),
        }
    }

    fn task_ref() -> ProviderRef {
        ProviderRef::OnetTask {
            instance_id: ID.into(),
            task_id: ID.into(),
        }
    }

    /// "Get instance task", the source document's example answer, verbatim.
    const DOC_TASK: &str = r#"{
  "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
  "instance_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
  "instance": {
    "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    "name": "<string>"
  },
  "task_type": "create_vps",
  "status": "pending",
  "result": "<unknown>",
  "started_at": "2023-11-07T05:31:56Z",
  "completed_at": "2023-11-07T05:31:56Z",
  "retry_count": 123,
  "created": "2023-11-07T05:31:56Z",
  "modified": "2023-11-07T05:31:56Z",
  "created_by": {
    "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    "email": "jsmith@example.com",
    "first_name": "<string>",
    "last_name": "<string>"
  },
  "parameters": "<unknown>",
  "max_retries": 2147483647
}"#;

    fn task(status: &str, retry: u64, max: u64, result: Value) -> Value {
        json!({"id": ID, "instance_id": ID, "instance": {"id": ID, "name": "web-01"},
               "task_type": "reboot_vps", "status": status, "result": result,
               "started_at": null, "completed_at": null, "retry_count": retry,
               "max_retries": max, "created": "2026-01-01T00:00:00Z",
               "modified": "2026-01-01T00:00:00Z", "parameters": {}})
    }

    #[test]
    fn reads_the_documented_task_example() {
        let req = api().observe_request(&task_ref());
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url, format!("{BASE}/compute/tasks/{ID}"));
        assert!(req
            .headers
            .contains(&("Authorization".into(), "Bearer sk-onetsolutions-abc".into())));
        let o = api()
            .parse_observation(&task_ref(), &HttpResponse::new(200, DOC_TASK), 0)
            .unwrap();
        assert_eq!(o.state, TaskState::Pending);
        assert_eq!(o.raw_status, "pending");
        assert_eq!(o.attempt, Some((124, 2_147_483_648)), "retrying");
        assert_eq!(
            o.message.as_deref(),
            Some("<unknown>"),
            "the result is shown"
        );
    }

    #[test]
    fn every_task_status_is_mapped_and_the_result_never_decides() {
        let success_words = json!({"message": "completed successfully", "ok": true});
        let cases = [
            ("pending", TaskState::Pending),
            ("running", TaskState::Running),
            ("completed", TaskState::Succeeded),
            ("failed", TaskState::Failed),
            ("cancelled", TaskState::Cancelled),
            ("retrying", TaskState::Unknown("retrying".into())),
            ("scheduled", TaskState::Unknown("scheduled".into())),
        ];
        for (status, want) in cases {
            let o = observe_task(&task(status, 0, 0, success_words.clone()));
            assert_eq!(o.state, want, "{status}");
            assert_eq!(o.raw_status, status);
            assert_eq!(o.attempt, None, "no retries: no attempt count");
        }
        let o = observe_task(&json!({"id": ID}));
        assert_eq!(o.state, TaskState::Unknown("(no status)".into()));
        assert!(!o.state.is_terminal());
        // The result is shown as it is, never interpreted.
        let o = observe_task(&task("running", 0, 0, json!("done!")));
        assert_eq!(o.state, TaskState::Running);
        assert_eq!(o.message.as_deref(), Some("done!"));
        let o = observe_task(&task("running", 0, 0, json!({"step": 3, "of": 5})));
        assert_eq!(o.message.as_deref(), Some(r#"{"of":5,"step":3}"#));
        let o = observe_task(&task("running", 0, 0, json!("x".repeat(1000))));
        assert!(o.message.unwrap().chars().count() <= MAX_RESULT_TEXT + 1);
    }

    #[test]
    fn a_failed_attempt_with_retries_left_is_not_a_failure() {
        let o = observe_task(&task(
            "failed",
            0,
            2,
            json!({"error": "Proxmox task timed out"}),
        ));
        assert_eq!(o.state, TaskState::Running);
        assert_eq!(o.raw_status, "failed", "the provider's word stays verbatim");
        assert_eq!(o.attempt, Some((1, 3)), "attempt 1 of 3 failed");
        assert_eq!(o.message.as_deref(), Some("Proxmox task timed out"));

        let o = observe_task(&task(
            "pending",
            1,
            2,
            json!({"last_error": "Hypervisor node did not answer"}),
        ));
        assert_eq!(o.state, TaskState::Pending);
        assert_eq!(o.attempt, Some((2, 3)));
        assert_eq!(o.message.as_deref(), Some("Hypervisor node did not answer"));

        let o = observe_task(&task("running", 1, 2, Value::Null));
        assert_eq!(o.attempt, Some((2, 3)));
        assert_eq!(o.message, None, "no words of the provider's");

        // The last attempt failed: failed, with the provider's words.
        let o = observe_task(&task(
            "failed",
            2,
            2,
            json!({"error": "QEMU guest agent not responding", "attempts": 3}),
        ));
        assert_eq!(o.state, TaskState::Failed);
        assert_eq!(o.attempt, Some((3, 3)));
        assert_eq!(
            o.message.as_deref(),
            Some("QEMU guest agent not responding")
        );

        // The count never overflows.
        let o = observe_task(&task("pending", 4_294_967_295, 4_294_967_295, Value::Null));
        assert_eq!(o.attempt, Some((u32::MAX, u32::MAX)));
    }

    #[test]
    fn action_requests_follow_the_sheet_and_answer_with_a_task() {
        let v = vm("running");
        for (action, verb) in [
            (Action::Start, "start"),
            (Action::PowerOff, "stop"),
            (Action::Reboot, "reboot"),
            (Action::Shutdown, "shutdown"),
            (Action::PowerCycle, "reset"),
        ] {
            let req = request(&api(), &v, &action);
            assert_eq!(req.method, Method::Post);
            assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}/{verb}"));
            assert!(req
                .headers
                .contains(&("Authorization".into(), "Bearer sk-onetsolutions-abc".into())));
        }
        let resp = HttpResponse::new(202, task("pending", 0, 2, Value::Null).to_string());
        let acc = accept(&api(), &v, &Action::Reboot, &resp, 0).unwrap();
        assert_eq!(acc.provider_ref, task_ref());
        assert_eq!(acc.state, TaskState::Pending);
        assert_eq!(acc.raw_status, "pending");
        let acc = accept(
            &api(),
            &v,
            &Action::Reboot,
            &HttpResponse::new(202, DOC_TASK),
            0,
        )
        .unwrap();
        assert_eq!(acc.state, TaskState::Pending);
        let e = accept(
            &api(),
            &v,
            &Action::Reboot,
            &HttpResponse::new(202, "{}"),
            0,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn every_documented_error_keeps_the_providers_words() {
        let v = vm("running");
        let refused = HttpResponse::new(
            400,
            r#"{"detail": "Instance already has a task in progress."}"#,
        );
        let e = accept(&api(), &v, &Action::Reboot, &refused, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(
            e.provider_text.as_deref(),
            Some("Instance already has a task in progress.")
        );
        assert_eq!(e.status, Some(400));

        let cases = [
            (
                401,
                r#"{"detail": "Invalid token."}"#,
                ErrorKind::Unauthorized,
                "Invalid token.",
            ),
            (
                403,
                r#"{"detail": "You do not have permission to perform this action."}"#,
                ErrorKind::Forbidden,
                "You do not have permission to perform this action.",
            ),
            (
                404,
                r#"{"detail": "Not found."}"#,
                ErrorKind::NotFound,
                "Not found.",
            ),
            (
                400,
                r#"{"message": "Invalid page size"}"#,
                ErrorKind::Invalid,
                "Invalid page size",
            ),
        ];
        for (code, text, kind, words) in cases {
            let e = api()
                .parse_list(None, &HttpResponse::new(code, text), 0)
                .unwrap_err();
            assert_eq!(e.kind, kind, "{code}");
            assert_eq!(e.provider_text.as_deref(), Some(words));
            assert!(!e.to_string().contains("sk-onetsolutions"));
        }

        let throttled = HttpResponse::new(
            429,
            r#"{"detail": "Request was throttled. Expected available in 7 seconds."}"#,
        )
        .with_header("Retry-After", "7");
        let e = api().parse_list(None, &throttled, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_after, Some(7_000));
        assert_eq!(
            e.provider_text.as_deref(),
            Some("Request was throttled. Expected available in 7 seconds.")
        );
        let e = api()
            .parse_observation(&task_ref(), &throttled, 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
    }

    #[test]
    fn a_task_that_is_gone_is_decided_by_the_instance() {
        let gone = HttpResponse::new(404, r#"{"detail": "Not found."}"#);
        let o = api().parse_observation(&task_ref(), &gone, 0).unwrap();
        assert_eq!(o.state, TaskState::Expired);
        assert_eq!(o.raw_status, "Not found.");
        let garbage = HttpResponse::new(200, r#"{"id": "3c90c3cc", "status": "runn"#);
        let e = api()
            .parse_observation(&task_ref(), &garbage, 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn lists_instances_page_by_page_from_the_configured_base() {
        let req = api().list_request(None);
        assert_eq!(
            req.url,
            format!("{BASE}/compute/instances?page=1&page_size=100")
        );
        let resp = HttpResponse::new(
            200,
            json!({
                "count": 130,
                "next": "https://elsewhere.example/v1/organizations/org-1/projects/prj-1/compute/instances?page=2&page_size=100",
                "previous": null,
                "results": [
                    {"id": ID, "legacy_id": 48123, "organization_id": "org-1", "project_id": "prj-1",
                     "name": "web-01", "status": "running",
                     "size": {"id": "s-2c-4g", "name": "VPS L", "vcpus": 2, "memory_gb": 4, "disk_gb": 80},
                     "location": {"id": "par1", "name": "Paris", "country": "FR"},
                     "vpc": {"id": "v", "name": "default"}},
                    {"id": "b", "name": "", "status": "pending"},
                    {"id": "c", "name": "odd", "status": "migrating"},
                    {"name": "no id, skipped", "status": "running"}
                ]
            })
            .to_string(),
        );
        let page = api().parse_list(None, &resp, 0).unwrap();
        assert_eq!(page.vms.len(), 3);
        let web = &page.vms[0];
        assert_eq!(web.power, PowerState::Running);
        assert_eq!(
            web.size,
            Size {
                vcpus: Some(2),
                memory_gb: Some(4),
                disk_gb: Some(80),
                flavor: Some("VPS L".into())
            }
        );
        assert_eq!(web.region.as_deref(), Some("Paris"));
        assert!(!web.locked);
        assert_eq!(page.vms[1].name, "b");
        assert!(page.vms[1].locked, "pending: a task runs");
        assert_eq!(page.vms[1].power, PowerState::Busy);
        assert_eq!(page.vms[2].power, PowerState::Unknown("migrating".into()));
        assert_eq!(page.next, vec!["2".to_string()]);
        // The next page goes to the configured base, not the link's host.
        assert_eq!(
            api().list_request(Some("2")).url,
            format!("{BASE}/compute/instances?page=2&page_size=100")
        );
        // An instance is re-read from its page.
        assert_eq!(
            api().read_vm_request(&VmId::new("b"), Some("2")).url,
            format!("{BASE}/compute/instances?page=2&page_size=100")
        );
        assert_eq!(api().parse_read_vm(&resp, 0).unwrap().len(), 3);

        // A `next` that does not move forward is not followed.
        let back = HttpResponse::new(
            200,
            r#"{"count": 3, "next": "/compute/instances?page=2&page_size=100", "previous": null, "results": []}"#,
        );
        assert!(api()
            .parse_list(Some("2"), &back, 0)
            .unwrap()
            .next
            .is_empty());
        let last = HttpResponse::new(
            200,
            r#"{"count": 3, "next": null, "previous": null, "results": []}"#,
        );
        assert!(api().parse_list(None, &last, 0).unwrap().next.is_empty());
        let e = api()
            .parse_list(None, &HttpResponse::new(200, r#"{"count": 0}"#), 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn every_instance_status_is_mapped_and_unknown_ones_stay_raw() {
        assert_eq!(power_of("running"), PowerState::Running);
        assert_eq!(power_of("stopped"), PowerState::Stopped);
        assert_eq!(power_of("pending"), PowerState::Busy);
        assert_eq!(power_of("error"), PowerState::Unknown("error".into()));
        assert_eq!(
            power_of("suspended"),
            PowerState::Unknown("suspended".into())
        );
    }

    #[test]
    fn the_task_list_observes_many_at_once_page_by_page() {
        let other = ProviderRef::OnetTask {
            instance_id: "i2".into(),
            task_id: "t2".into(),
        };
        let finished = ProviderRef::OnetTask {
            instance_id: "i3".into(),
            task_id: "t3".into(),
        };
        let refs = [&task_ref(), &other, &finished];
        let req = api().observe_many_request(&refs).unwrap();
        assert_eq!(
            req.url,
            format!("{BASE}/compute/tasks?page=1&page_size=100")
        );
        let foreign = ProviderRef::HostwayServer {
            server_id: "s".into(),
        };
        assert!(api()
            .observe_many_request(&[&task_ref(), &foreign])
            .is_none());
        let mut t2 = task(
            "pending",
            1,
            2,
            json!({"last_error": "Hypervisor node did not answer"}),
        );
        t2["id"] = json!("t2");
        let resp = HttpResponse::new(
            200,
            json!({"count": 2, "next": null, "previous": null,
                   "results": [task("running", 0, 2, Value::Null), t2]})
            .to_string(),
        );
        let got = api().parse_observe_many(&refs, &resp, 0).unwrap();
        assert_eq!(got[0].as_ref().unwrap().state, TaskState::Running);
        assert_eq!(got[1].as_ref().unwrap().attempt, Some((2, 3)));
        assert!(got[2].is_none(), "not on this page");
        // The last page: nothing more to read, t3 is asked on its own.
        assert!(api().observe_many_next(&[&finished], &resp).is_none());

        // A finished task on the list is settled by it, failed or completed.
        let mut t3 = task("completed", 0, 2, Value::Null);
        t3["id"] = json!("t3");
        let page = |prev: Option<u32>, next: Option<u32>, results: Vec<Value>| {
            let link = |n: Option<u32>| {
                n.map_or(Value::Null, |n| {
                    json!(format!(
                        "https://elsewhere.example/compute/tasks?page={n}&page_size=100"
                    ))
                })
            };
            HttpResponse::new(
                200,
                json!({"count": 450, "next": link(next), "previous": link(prev),
                       "results": results})
                .to_string(),
            )
        };
        let p2 = page(Some(1), Some(3), vec![t3]);
        let got = api().parse_observe_many(&[&finished], &p2, 0).unwrap();
        assert_eq!(got[0].as_ref().unwrap().state, TaskState::Succeeded);
        // Pages are followed, to the configured base, while a watched task is not yet found.
        let p1 = page(None, Some(2), vec![]);
        assert_eq!(
            api().observe_many_next(&[&finished], &p1).unwrap().url,
            format!("{BASE}/compute/tasks?page=2&page_size=100")
        );
        assert_eq!(
            api().observe_many_next(&[&finished], &p2).unwrap().url,
            format!("{BASE}/compute/tasks?page=3&page_size=100")
        );
        // Not when every watched task was found, nor backwards, nor deeper than the cap.
        assert!(api().observe_many_next(&[], &p1).is_none());
        assert!(api()
            .observe_many_next(&[&finished], &page(Some(3), Some(2), vec![]))
            .is_none());
        let deep = page(Some(MAX_TASK_PAGES - 1), Some(MAX_TASK_PAGES + 1), vec![]);
        assert!(api().observe_many_next(&[&finished], &deep).is_none());
        let refused = HttpResponse::new(429, r#"{"detail": "throttled"}"#);
        assert!(api().observe_many_next(&[&finished], &refused).is_none());
    }

    #[test]
    fn valid_actions_follow_the_instance_state() {
        let a = api();
        let ok = |status: &str, k| a.allowed(&vm(status), k).is_ok();
        use ActionKind::*;
        assert!(ok("stopped", Start));
        assert!(!ok("running", Start));
        for k in [Shutdown, Reboot, PowerOff, PowerCycle] {
            assert!(ok("running", k), "{k:?} on running");
            assert!(!ok("stopped", k), "{k:?} on stopped");
        }
        for status in ["pending", "error", "migrating"] {
            for &k in CAPS.actions {
                assert!(a.allowed(&vm(status), k).is_err(), "{status} {k:?}");
            }
        }
        assert_eq!(a.allowed(&vm("pending"), Start), Err(Refusal::TaskRunning));
        assert_eq!(
            a.allowed(&vm("error"), Start),
            Err(Refusal::StatusNotKnown {
                status: "error".into(),
                rename_only: false
            })
        );
        assert_eq!(
            a.allowed(&vm("running"), Start),
            Err(Refusal::AlreadyRunning)
        );
        assert_eq!(a.allowed(&vm("stopped"), Reboot), Err(Refusal::IsOff));
        assert_eq!(
            a.allowed(&vm("running"), Snapshot),
            Err(Refusal::NotOffered {
                provider: DialectKind::OnetSolutions
            })
        );
        assert!(!ok("running", Snapshot));
    }
}
