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
    json_body, page_number, page_of, target_vm_id, Accepted, Caps, CredentialKind, Credentials,
    Dialect, DialectKind, Endpoint, Observation, RateLimit, SnapshotCaps, VmPage,
};
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{Action, ActionKind, PowerState, ProviderRef, RefKind, Target, TaskState, Vm};
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

mod parse;

use parse::parse_vm;
pub use parse::{observe_task, power_of};

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
        let page = page_of(cursor);
        self.api.get(&format!(
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
        let this = page_of(cursor);
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
        self.api.send(Method::Post, &path, &json!({}))
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
        self.api
            .get(&format!("compute/tasks/{}", encode_component(task_id)))
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
        self.api
            .get(&format!("compute/tasks?page={page}&page_size={PAGE_SIZE}"))
    }
}

#[cfg(test)]
mod tests;
