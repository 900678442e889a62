//! Finding a write whose answer was lost, from the sheet's reads:
//!
//! - a task of the write (a power action, a deploy, an undeploy): pending in the VM's `tasks`
//!   map (`GET /vm/{hostname}/status/`: `{view, method, action, time}` per task id) since it
//!   went out — adopted by its id. No such task, and the VM's `status_change` older than the
//!   write: nothing happened, not taken. Changed since, the task may be over already: the VM's
//!   task log (`GET /task/log/?page=1&object_type=vm&object_name=`, newest first, every task
//!   logged) has it, by its time and a `msg` naming the action — the sheet gives no wording, so
//!   it is matched by word (`start`, `stop`, `reboot`, `create`, `delete`); not there, not taken;
//! - a step answered at once (define, disk, NIC, undefine): its result read back (the
//!   definition, its disks, its NICs; the VM not found).

use serde_json::Value;

use super::lifecycle::{hostname_of, Step};
use super::parse::task_state;
use super::Erigones;
use crate::dialect::{target_vm_id, Accepted, Found, Submit};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse};
use crate::json::text;
use crate::model::{ProviderRef, TaskState};
use crate::time::{parse_rfc3339, Millis};

/// The cursor of the second look: the VM's task log.
const LOG: &str = "log";

/// What the write was, as a task or a definition shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A task whose `action` (and log `msg`) holds this word, sent with this method.
    Task {
        word: &'static str,
        method: &'static str,
    },
    /// A definition step answered at once: read back at this path below the VM.
    Defined(&'static str),
    /// The VM undefined: not found.
    Undefined,
}

fn kind_of(s: &Submit) -> Kind {
    match Step::of(s.action, s.stage) {
        Some(Step::Define) => Kind::Defined("define/"),
        Some(Step::Disk) => Kind::Defined("define/disk/"),
        Some(Step::Nic) => Kind::Defined("define/nic/"),
        Some(Step::Undefine) => Kind::Undefined,
        Some(Step::Deploy) => Kind::Task {
            word: "create",
            method: "POST",
        },
        Some(Step::Undeploy) => Kind::Task {
            word: "delete",
            method: "DELETE",
        },
        Some(Step::ForceStop) => Kind::Task {
            word: "stop",
            method: "PUT",
        },
        None => Kind::Task {
            word: Erigones::action_body(s.action).0,
            method: "PUT",
        },
    }
}

/// Done at once, nothing to follow.
fn done(raw: &str) -> Accepted {
    Accepted {
        provider_ref: ProviderRef::Watch,
        state: TaskState::Succeeded,
        raw_status: raw.to_string(),
        created: None,
        secret: None,
    }
}

fn stamp(v: &Value, k: &str) -> Option<Millis> {
    text(v, k).and_then(|t| parse_rfc3339(&t))
}

impl Erigones {
    fn hostname<'a>(s: &'a Submit) -> &'a str {
        hostname_of(s.action, target_vm_id(s.target, s.vm))
    }

    pub(super) fn find_request(&self, s: &Submit, cursor: Option<&str>) -> HttpRequest {
        let host = encode_component(Self::hostname(s));
        match (kind_of(s), cursor) {
            (Kind::Task { .. }, Some(LOG)) => self.api.get(&format!(
                "task/log/?page=1&object_type=vm&object_name={host}"
            )),
            (Kind::Defined(path), _) => self.api.get(&format!("vm/{host}/{path}")),
            _ => self.api.get(&format!("vm/{host}/status/")),
        }
    }

    pub(super) fn parse_find(
        &self,
        s: &Submit,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        let kind = kind_of(s);
        if resp.status == 404 {
            return Ok(match kind {
                Kind::Undefined => Found::adopted(done("not found")),
                Kind::Defined(_) => Found::NotTaken,
                // The VM gone: no task ran on it.
                Kind::Task { .. } => Found::Unknown,
            });
        }
        let result = self.result(resp, "the VM", now)?;
        match (kind, cursor) {
            (Kind::Undefined, _) => Ok(Found::NotTaken),
            (Kind::Defined(path), _) => Ok(defined(s, path, &result)),
            (Kind::Task { word, .. }, Some(LOG)) => Ok(in_log(s, word, &result)),
            (Kind::Task { word, method }, _) => Ok(self.pending(s, word, method, &result)),
        }
    }

    /// A pending task of the write in the VM's `tasks` map; else what the VM's status says.
    fn pending(&self, s: &Submit, word: &str, method: &str, vm: &Value) -> Found {
        let tasks = vm.get("tasks").and_then(Value::as_object);
        let ours = tasks.into_iter().flatten().find(|(_, t)| {
            let same =
                |k: &str, want: &str| text(t, k).is_some_and(|v| v.eq_ignore_ascii_case(want));
            // A power action is told by its `action`; a deploy or undeploy by its method too.
            let named = same("action", word) || (method != "PUT" && same("method", method));
            named && s.after_sent(stamp(t, "time"))
        });
        if let Some((id, _)) = ours {
            return Found::adopted(Accepted {
                provider_ref: ProviderRef::ErigonesTask {
                    hostname: Self::hostname(s).to_string(),
                    task_id: id.clone(),
                },
                state: TaskState::Pending,
                raw_status: "PENDING".into(),
                created: None,
                secret: None,
            });
        }
        // The VM changed since it went out: its task may be over already, which the log tells.
        if s.after_sent(stamp(vm, "status_change")) {
            Found::Look(LOG.into())
        } else {
            Found::NotTaken
        }
    }
}

/// A definition step read back: the definition there, or its first disk or NIC.
fn defined(s: &Submit, path: &str, result: &Value) -> Found {
    let there = match result {
        Value::Array(items) => !items.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => false,
    };
    if !there {
        return Found::NotTaken;
    }
    let mut acc = done("SUCCESS");
    if path == "define/" {
        acc.created = Some(crate::ids::VmId::new(Erigones::hostname(s)));
    }
    Found::adopted(acc)
}

/// The write's task in the VM's task log: logged since it went out, its `msg` naming it. The
/// log holds every task of the VM, newest first: none there, it was not taken.
fn in_log(s: &Submit, word: &str, result: &Value) -> Found {
    let entries = result
        .get("results")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let ours = entries.iter().find(|e| {
        text(e, "msg").is_some_and(|m| m.to_ascii_lowercase().contains(word))
            && s.after_sent(stamp(e, "time"))
    });
    match ours.and_then(|e| Some((text(e, "task")?, text(e, "status")?))) {
        Some((task_id, status)) => Found::adopted(Accepted {
            provider_ref: ProviderRef::ErigonesTask {
                hostname: Erigones::hostname(s).to_string(),
                task_id,
            },
            state: task_state(&status),
            raw_status: status,
            created: None,
            secret: None,
        }),
        None => Found::NotTaken,
    }
}
