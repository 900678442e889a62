//! Finding a write whose answer was lost, from the sheet's reads:
//!
//! - a task of the write (a power action, a deploy, an undeploy): in the VM's task log
//!   (`GET /task/log/?page=1&object_type=vm&object_name=`, newest first; every task is logged
//!   when it is created and again when it ends), by its time and a `msg` naming the action —
//!   the sheet gives no wording, so it is matched by word (`start`, `stop`, `reboot`, `create`,
//!   `delete`) — and adopted by its id, pending or ended; not there, not taken. (Not the VM's
//!   pending `tasks` and its `status_change`: a task over already has left the one, and one
//!   that failed may have left the other as it was.)
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

/// What the write was, as a task or a definition shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A task whose log `msg` holds this word.
    Task { word: &'static str },
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
        Some(Step::Deploy) => Kind::Task { word: "create" },
        Some(Step::Undeploy) => Kind::Task { word: "delete" },
        Some(Step::ForceStop) => Kind::Task { word: "stop" },
        None => Kind::Task {
            word: Erigones::action_body(s.action).0,
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

    pub(super) fn find_request(&self, s: &Submit) -> HttpRequest {
        let host = encode_component(Self::hostname(s));
        match kind_of(s) {
            Kind::Task { .. } => self.api.get(&format!(
                "task/log/?page=1&object_type=vm&object_name={host}"
            )),
            Kind::Defined(path) => self.api.get(&format!("vm/{host}/{path}")),
            Kind::Undefined => self.api.get(&format!("vm/{host}/status/")),
        }
    }

    pub(super) fn parse_find(
        &self,
        s: &Submit,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        let kind = kind_of(s);
        if resp.status == 404 {
            return Ok(match kind {
                Kind::Undefined => Found::adopted(done("not found")),
                Kind::Defined(_) => Found::NotTaken,
                // No log to read: it cannot tell.
                Kind::Task { .. } => Found::Unknown,
            });
        }
        let what = match kind {
            Kind::Task { .. } => "the task log",
            _ => "the VM",
        };
        let result = self.result(resp, what, now)?;
        Ok(match kind {
            Kind::Undefined => Found::NotTaken,
            Kind::Defined(path) => defined(s, path, &result),
            Kind::Task { word } => in_log(s, word, &result),
        })
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

/// The write's task in the VM's task log: logged since it went out, its `msg` naming it, as it
/// stands now (the newest entry: pending, or ended). The log holds every task of the VM, newest
/// first: none there, it was not taken.
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
