//! ONETSolutions' activity: an instance `pending` has a task under way (its newest task, read on
//! the first look); the project's task list (`GET /compute/tasks?ordering=-created`) is the
//! history, each task naming who started it (`created_by`).

use serde_json::Value;

use super::parse::observe_task;
use crate::dialect::{ActivityEntry, ActivityPage, ActivityStatus, Running};
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::ProviderRef;
use crate::time::parse_rfc3339;

/// Entries per page of the history.
pub(super) const FEED_PAGE_SIZE: u32 = 25;

/// Who started a task: `created_by` as an email, a name, or plain text.
pub(super) fn created_by(task: &Value) -> Option<String> {
    match task.get("created_by")? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(_) => {
            let by = task.get("created_by")?;
            let name = [text(by, "first_name"), text(by, "last_name")]
                .into_iter()
                .flatten()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            text(by, "email")
                .filter(|e| !e.trim().is_empty())
                .or_else(|| (!name.is_empty()).then_some(name))
                .or_else(|| text(by, "id"))
        }
        _ => None,
    }
}

fn instance_of(task: &Value) -> Option<String> {
    text(task, "instance_id").or_else(|| {
        task.pointer("/instance/id")
            .and_then(Value::as_str)
            .map(str::to_string)
    })
}

/// Pending instances of a list or a read, and pending or running tasks of a task list.
pub(super) fn running(resp: &HttpResponse) -> Vec<Running> {
    if !resp.is_success() {
        return Vec::new();
    }
    let Ok(v) = parse_lenient(&resp.body) else {
        return Vec::new();
    };
    let items: Vec<&Value> = match v.get("results") {
        Some(Value::Array(a)) => a.iter().collect(),
        _ if v.is_object() => vec![&v],
        _ => Vec::new(),
    };
    items.into_iter().filter_map(running_one).collect()
}

fn running_one(item: &Value) -> Option<Running> {
    let status = text(item, "status").unwrap_or_default();
    if item.get("task_type").is_some() {
        let open = matches!(status.as_str(), "pending" | "running");
        let (instance, id) = (instance_of(item)?, text(item, "id")?);
        return open.then(|| Running {
            vm: VmId::new(&instance),
            vm_name: item
                .pointer("/instance/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            kind: text(item, "task_type").unwrap_or_default(),
            by: created_by(item),
            task: ProviderRef::OnetTask {
                instance_id: instance,
                task_id: id,
            },
        });
    }
    let id = text(item, "id").filter(|_| status == "pending")?;
    Some(Running {
        vm: VmId::new(&id),
        vm_name: text(item, "name").unwrap_or_default(),
        kind: String::new(),
        by: None,
        task: ProviderRef::OnetInstanceTask {
            instance_id: id,
            task_type: String::new(),
        },
    })
}

/// One task of the history.
pub(super) fn entry(task: &Value) -> ActivityEntry {
    let obs = observe_task(task);
    let at_raw = text(task, "created").unwrap_or_default();
    ActivityEntry {
        at: parse_rfc3339(&at_raw),
        at_raw,
        kind: text(task, "task_type").unwrap_or_default(),
        vm_id: instance_of(task).map(|i| VmId::new(&i)),
        vm_name: task
            .pointer("/instance/name")
            .and_then(Value::as_str)
            .map(str::to_string),
        status: ActivityStatus::of(&obs.state),
        status_raw: obs.raw_status,
        by: created_by(task),
        task: text(task, "id"),
    }
}

/// A page of the task list.
pub(super) fn page(v: &Value) -> Option<ActivityPage> {
    let tasks = v.get("results")?.as_array()?;
    let more = v
        .get("next")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.trim().is_empty());
    Some(ActivityPage {
        entries: tasks.iter().map(entry).collect(),
        more,
    })
}
