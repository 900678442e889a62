//! cloudsfor's activity: a locked VM has an action under way (its `type` is read on the first
//! look at the VM's actions); `GET /actions` is the account's history, newest first.

use serde_json::Value;

use super::parse::task_state;
use crate::dialect::{ActivityEntry, ActivityPage, ActivityStatus, Running};
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::ProviderRef;
use crate::time::parse_rfc3339;

/// Entries per page of the history (the sheet's default).
pub(super) const FEED_PER_PAGE: u32 = 20;

/// Locked VMs of a list (`vms`) or a read (`vm`), and in-progress actions of an action list.
pub(super) fn running(resp: &HttpResponse) -> Vec<Running> {
    if !resp.is_success() {
        return Vec::new();
    }
    let Ok(v) = parse_lenient(&resp.body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let vms: Vec<&Value> = match (v.get("vms"), v.get("vm")) {
        (Some(Value::Array(a)), _) => a.iter().collect(),
        (_, Some(one @ Value::Object(_))) => vec![one],
        _ => Vec::new(),
    };
    for vm in vms {
        let locked = vm.get("locked").and_then(Value::as_bool) == Some(true);
        let Some(id) = text(vm, "id").filter(|_| locked) else {
            continue;
        };
        out.push(Running {
            vm: VmId::new(&id),
            vm_name: text(vm, "name").unwrap_or_default(),
            kind: String::new(),
            by: None,
            task: ProviderRef::CloudsforAction {
                vm_id: id,
                action_type: String::new(),
                started_at: String::new(),
            },
        });
    }
    if let Some(Value::Array(actions)) = v.get("actions") {
        for a in actions {
            let in_progress = text(a, "status").as_deref() == Some("in-progress");
            let (Some(id), Some(ty)) = (text(a, "id"), text(a, "type")) else {
                continue;
            };
            if !in_progress || text(a, "resource_type").is_some_and(|t| t != "vm") {
                continue;
            }
            out.push(Running {
                vm: VmId::new(&id),
                vm_name: String::new(),
                kind: ty.clone(),
                by: None,
                task: ProviderRef::CloudsforAction {
                    vm_id: id,
                    action_type: ty,
                    started_at: text(a, "started_at").unwrap_or_default(),
                },
            });
        }
    }
    out
}

/// One action of the history.
pub(super) fn entry(a: &Value) -> ActivityEntry {
    let status_raw = text(a, "status").unwrap_or_default();
    let at_raw = text(a, "started_at").unwrap_or_default();
    ActivityEntry {
        at: parse_rfc3339(&at_raw),
        at_raw,
        kind: text(a, "type").unwrap_or_default(),
        // An action's `id` is its VM's id (documented oddity).
        vm_id: text(a, "id").map(|id| VmId::new(&id)),
        vm_name: None,
        status: ActivityStatus::of(&task_state(&status_raw)),
        status_raw,
        by: None,
        task: None,
    }
}

/// A page of `GET /actions`.
pub(super) fn page(v: &Value, page: u32) -> Option<ActivityPage> {
    let actions = v.get("actions")?.as_array()?;
    let total = v
        .get("meta")
        .and_then(|m| m.get("total"))
        .and_then(Value::as_u64);
    let next = v
        .get("links")
        .and_then(|l| l.get("pages"))
        .and_then(|p| p.get("next"))
        .is_some_and(|n| !n.is_null());
    let seen = u64::from(page) * u64::from(FEED_PER_PAGE);
    Some(ActivityPage {
        entries: actions.iter().map(entry).collect(),
        more: next || total.is_some_and(|t| t > seen),
    })
}
