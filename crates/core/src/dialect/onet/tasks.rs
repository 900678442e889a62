//! Following ONETSolutions' tasks: one by its id (`GET /compute/tasks/{id}`), the newest of a
//! type on an instance where the write answered with the instance rather than a task
//! (`GET /compute/instances/{id}/tasks`, a create's `create_vps`), and many at once in the
//! project's task list, page after page while a watched task is not found.

use serde_json::Value;

use super::parse::observe_task;
use super::{Onet, ERROR_KEYS, MAX_TASK_PAGES, PAGE_SIZE};
use crate::dialect::{page_number, Observation};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse};
use crate::json::{parse_lenient, text};
use crate::model::{ProviderRef, TaskState};
use crate::time::{parse_rfc3339, Millis};

impl Onet {
    pub(super) fn task_request(&self, r: &ProviderRef) -> HttpRequest {
        match r {
            ProviderRef::OnetInstanceTask { instance_id, .. } => self.api.get(&format!(
                "compute/instances/{}/tasks?page_size={PAGE_SIZE}",
                encode_component(instance_id)
            )),
            ProviderRef::OnetTask { task_id, .. } => self
                .api
                .get(&format!("compute/tasks/{}", encode_component(task_id))),
            _ => self.task_page(1),
        }
    }

    /// A task, or an instance's task list; a `404` says the task (or the instance) is gone: it
    /// ended, and the instance tells how.
    pub(super) fn parse_task(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        if resp.status == 404 {
            let e = ApiError::from_response(resp, ERROR_KEYS, now);
            return Ok(Observation {
                state: TaskState::Expired,
                raw_status: e.provider_text.unwrap_or_else(|| "not found (404)".into()),
                ..Observation::default()
            });
        }
        if let ProviderRef::OnetInstanceTask { task_type, .. } = r {
            let (tasks, _) = self.page(resp, "the instance's tasks", now)?;
            return Ok(newest(&tasks, None, task_type)
                .map(|t| pinned(r, t))
                .unwrap_or_else(|| Observation {
                    state: TaskState::Pending,
                    not_listed: true,
                    ..Observation::default()
                }));
        }
        let task = self.body(resp, "the task", now)?;
        if !task.is_object() {
            return Err(ApiError::bad_response("the task", "not a task object"));
        }
        Ok(observe_task(&task))
    }

    /// A page of the project's task list, every status: newest first (assumed, as DRF lists
    /// by `-created`), so the operations Vigil watches are on its first pages.
    pub(super) fn task_page(&self, page: u32) -> HttpRequest {
        self.api
            .get(&format!("compute/tasks?page={page}&page_size={PAGE_SIZE}"))
    }

    /// Each ref's task on a page of the project's task list, where it is there.
    pub(super) fn parse_task_page(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let (tasks, _) = self.page(resp, "the task list", now)?;
        // Listed with every status: the list proves a task running or ended, and only a task on
        // none of the pages read is asked on its own.
        Ok(refs
            .iter()
            .map(|r| match r {
                ProviderRef::OnetTask { task_id, .. } => tasks
                    .iter()
                    .find(|t| text(t, "id").as_deref() == Some(task_id.as_str()))
                    .map(observe_task),
                ProviderRef::OnetInstanceTask {
                    instance_id,
                    task_type,
                } => newest(&tasks, Some(instance_id), task_type).map(|t| pinned(r, t)),
                _ => None,
            })
            .collect())
    }

    /// The next page of the task list to read for refs not yet found.
    pub(super) fn next_task_page(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
    ) -> Option<HttpRequest> {
        if refs.is_empty() || !resp.is_success() {
            return None;
        }
        let v = parse_lenient(&resp.body).ok()?;
        let link = |k: &str| v.get(k).and_then(Value::as_str).map(str::trim);
        let next = link("next").filter(|l| !l.is_empty())?;
        // Where the links number their pages: only forward, and no deeper than the newest tasks
        // an open operation can be among (a cursor link: the engine bounds the chain).
        if let Some(n) = page_number(next) {
            let this = link("previous")
                .and_then(page_number)
                .map_or(1, |p| p.saturating_add(1));
            if n <= this || n > MAX_TASK_PAGES {
                return None;
            }
        }
        // As given; one to another host is not followed (the tasks are then read one by one).
        let url = self
            .api
            .next_link(&self.task_page(1).url, next, "the task list")
            .ok()?;
        Some(self.api.get_url(&url))
    }
}

/// The task found for `r`; one found for a task started elsewhere, whose type was not known, is
/// followed by its id from now on.
fn pinned(r: &ProviderRef, task: &Value) -> Observation {
    let mut obs = observe_task(task);
    if let ProviderRef::OnetInstanceTask {
        instance_id,
        task_type,
    } = r
    {
        if let (true, Some(id)) = (task_type.is_empty(), text(task, "id")) {
            obs.follow = Some(ProviderRef::OnetTask {
                instance_id: instance_id.clone(),
                task_id: id,
            });
        }
    }
    obs
}

/// The newest task of `task_type` (on `instance_id`, where the list covers many): the latest
/// `created`, else the first listed (the lists are newest first).
fn newest<'a>(tasks: &'a [Value], instance_id: Option<&str>, task_type: &str) -> Option<&'a Value> {
    let on_instance = |t: &Value| {
        instance_id.is_none_or(|id| {
            text(t, "instance_id").as_deref() == Some(id)
                || t.pointer("/instance/id").and_then(Value::as_str) == Some(id)
        })
    };
    let mut of_type = tasks.iter().filter(|t| {
        // An empty type (a task started elsewhere, not looked at yet): any.
        let typed = task_type.is_empty() || text(t, "task_type").as_deref() == Some(task_type);
        typed && on_instance(t)
    });
    let first = of_type.next()?;
    let created = |t: &Value| text(t, "created").and_then(|c| parse_rfc3339(&c));
    Some(of_type.fold(
        first,
        |best, t| {
            if created(t) > created(best) {
                t
            } else {
                best
            }
        },
    ))
}
