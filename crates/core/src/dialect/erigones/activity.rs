//! Erigones' activity: the `tasks` map of `/vm/status/` names every pending task of every VM;
//! the task log (`GET /task/log/?page=`) is the history, two entries per task (created,
//! finished), each naming who started it (`username`).

use serde_json::Value;

use super::parse::task_state;
use crate::dialect::{ActivityEntry, ActivityPage, ActivityStatus, Running};
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::ProviderRef;
use crate::time::parse_rfc3339;

/// Every pending task of the VMs an answer shows (`result`: a list, or one VM).
pub(super) fn running(resp: &HttpResponse) -> Vec<Running> {
    if !resp.is_success() {
        return Vec::new();
    }
    let Ok(v) = parse_lenient(&resp.body) else {
        return Vec::new();
    };
    let vms: Vec<&Value> = match v.get("result") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for vm in vms {
        let (Some(host), Some(Value::Object(tasks))) = (text(vm, "hostname"), vm.get("tasks"))
        else {
            continue;
        };
        for (id, t) in tasks {
            let kind = text(t, "action")
                .or_else(|| {
                    let view = text(t, "view")?;
                    Some(match text(t, "method") {
                        Some(m) => format!("{view} {m}"),
                        None => view,
                    })
                })
                .unwrap_or_default();
            out.push(Running {
                vm: VmId::new(&host),
                vm_name: text(vm, "alias").unwrap_or_default(),
                kind,
                by: None,
                task: ProviderRef::ErigonesTask {
                    hostname: host.clone(),
                    task_id: id.clone(),
                },
            });
        }
    }
    out
}

/// One log entry.
fn entry(e: &Value) -> ActivityEntry {
    let status_raw = text(e, "status").unwrap_or_default();
    let at_raw = text(e, "time").unwrap_or_default();
    ActivityEntry {
        at: parse_rfc3339(&at_raw),
        at_raw,
        kind: text(e, "msg").unwrap_or_default(),
        vm_id: text(e, "object_name").map(|n| VmId::new(&n)),
        vm_name: text(e, "object_alias").filter(|a| !a.is_empty()),
        status: ActivityStatus::of(&task_state(&status_raw)),
        status_raw,
        by: text(e, "username").filter(|u| !u.trim().is_empty()),
        task: text(e, "task"),
    }
}

/// A page of the task log, one entry per task: its newest (the end where it ended, the
/// creation while it runs).
pub(super) fn page(v: &Value) -> Option<ActivityPage> {
    let r = v.get("result")?;
    let results = r.get("results")?.as_array()?;
    let mut entries: Vec<ActivityEntry> = Vec::new();
    for e in results.iter().map(entry) {
        let seen = e.task.is_some() && entries.iter().any(|x| x.task == e.task);
        if !seen {
            entries.push(e);
        }
    }
    let more = r
        .get("next")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.trim().is_empty());
    Some(ActivityPage { entries, more })
}
