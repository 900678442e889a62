//! Finding a write whose answer was lost: every write starts a task (`Task.instance_id` is
//! required), so a task of its type created when it went out or after is it.
//!
//! - on an instance (a power action, a delete): the instance's tasks,
//!   `GET /compute/instances/{id}/tasks` (newest first); a deleted instance not found;
//! - a rename, which starts no task (`PUT /compute/instances/{id}` answers the instance): the
//!   instance itself, `GET /compute/instances/{id}`: showing the new name, it was taken; else not;
//! - a create: its `create_vps` task in the project's task list (`GET /compute/tasks`, newest
//!   first), the instance named as asked; pages followed (at the `next` links given) while they
//!   are newer than the write.

use serde_json::Value;

use super::lifecycle::{gone, renamed, task_type};
use super::parse::observe_task;
use super::{Onet, PAGE_SIZE};
use crate::dialect::links::has_scheme;
use crate::dialect::{page_of, target_vm_id, Accepted, Found, Submit};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{Action, ProviderRef};
use crate::time::{parse_rfc3339, Millis};

fn created(t: &Value) -> Option<Millis> {
    text(t, "created").and_then(|c| parse_rfc3339(&c))
}

impl Onet {
    pub(super) fn find_request(&self, s: &Submit, cursor: Option<&str>) -> HttpRequest {
        match s.action {
            Action::Create(_) => match cursor.filter(|c| has_scheme(c)) {
                Some(url) => self.api.get_url(url),
                None => self.task_page(page_of(cursor)),
            },
            Action::Rename { .. } => self.api.get(&format!(
                "compute/instances/{}",
                encode_component(target_vm_id(s.target, s.vm))
            )),
            _ => self.api.get(&format!(
                "compute/instances/{}/tasks?page_size={PAGE_SIZE}",
                encode_component(target_vm_id(s.target, s.vm))
            )),
        }
    }

    pub(super) fn parse_find(
        &self,
        s: &Submit,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        let creating = matches!(s.action, Action::Create(_));
        if resp.status == 404 && !creating {
            // The instance is gone: what a delete meant; nothing else ran on it.
            return Ok(match s.action {
                Action::Delete { .. } => Found::adopted(gone()),
                _ => Found::Unknown,
            });
        }
        if let Action::Rename { name } = s.action {
            return renamed_found(name, resp, now);
        }
        let (tasks, next) = self.page(resp, "the tasks", now)?;
        let ty = task_type(s.action);
        let ours = tasks.iter().find(|t| {
            text(t, "task_type").as_deref() == Some(ty)
                && s.after_sent(created(t))
                && (!creating
                    || t.pointer("/instance/name")
                        .and_then(Value::as_str)
                        .map(str::trim)
                        == Some(s.new_name()))
        });
        if let Some(t) = ours {
            let instance_id = text(t, "instance_id")
                .or_else(|| {
                    t.pointer("/instance/id")
                        .and_then(Value::as_str)
                        .map(String::from)
                })
                .unwrap_or_else(|| target_vm_id(s.target, s.vm).to_string());
            let task_id = text(t, "id")
                .ok_or_else(|| ApiError::bad_response("the tasks", "a task without `id`"))?;
            let obs = observe_task(t);
            return Ok(Found::adopted(Accepted {
                created: creating.then(|| VmId::new(instance_id.as_str())),
                provider_ref: ProviderRef::OnetTask {
                    instance_id,
                    task_id,
                },
                state: obs.state,
                raw_status: obs.raw_status,
                secret: None,
            }));
        }
        // Newest first: a page whose last task is older than the write is the last to read.
        let older = tasks.last().is_some_and(|t| !s.after_sent(created(t)));
        Ok(match next {
            Some(link) if creating && !older => {
                let this = self.find_request(s, cursor).url;
                Found::Look(self.api.next_link(&this, &link, "the tasks")?)
            }
            _ => Found::NotTaken,
        })
    }
}

/// A lost rename's answer: the instance shows the new name (it was taken; the rename is
/// synchronous, so nothing runs after it), or it does not (not taken).
fn renamed_found(name: &str, resp: &HttpResponse, now: Millis) -> Result<Found, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(resp, &["detail", "message"], now));
    }
    let body = crate::json::parse_lenient(&resp.body)
        .map_err(|e| ApiError::bad_response("the instance", e))?;
    Ok(match text(&body, "name") {
        Some(n) if n.trim() == name.trim() => Found::adopted(renamed(&body)?),
        Some(_) => Found::NotTaken,
        None => Found::Unknown,
    })
}
