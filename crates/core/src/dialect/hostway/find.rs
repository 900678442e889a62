//! Finding a write whose answer was lost. Hostway keeps no task: the server tells.
//!
//! - a server action: the server `PROCESSING` (adopted); not, and its `updated` older than the
//!   write: nothing happened, not taken; changed since: cannot tell (the change may be over);
//! - a snapshot: one of its name on the server (names are unique per server, documented);
//! - a delete: the server not found, or `DELETED`;
//! - a create: `GET /servers?name=` lists candidate ids (the filter matches parts of names),
//!   each read in turn: the one of exactly that name still `BUILD`ing, `created` since, or never
//!   placed (`created` empty) and `updated` since — a build that failed, `DELETED`.

use serde_json::Value;

use super::links::self_link;
use super::parse::{server_of, snapshot_state};
use super::{Call, Hostway};
use crate::dialect::{target_vm_id, Accepted, Found, Submit};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{Action, ProviderRef, TaskState};
use crate::time::{parse_rfc3339, Millis};

/// The prefix of a cursor that lists candidate servers of a create, read one after another.
const CANDIDATES: &str = "servers:";

fn stamp(v: &Value, k: &str) -> Option<Millis> {
    text(v, k).and_then(|t| parse_rfc3339(&t))
}

fn adopted(provider_ref: ProviderRef, state: TaskState, raw: &str) -> Found {
    Found::adopted(Accepted {
        provider_ref,
        state,
        raw_status: raw.to_string(),
        created: None,
        secret: None,
    })
}

impl Hostway {
    pub(super) fn find_request(&self, s: &Submit, cursor: Option<&str>) -> HttpRequest {
        let id = target_vm_id(s.target, s.vm);
        match (s.action, cursor.and_then(|c| c.strip_prefix(CANDIDATES))) {
            (Action::Create(_), Some(ids)) => {
                let first = ids.split(',').next().unwrap_or_default();
                self.api.get(&Self::server_path(first))
            }
            (Action::Create(_), None) => self
                .api
                .get(&format!("servers?name={}", encode_component(s.new_name()))),
            (Action::Snapshot { .. }, _) => self
                .api
                .get(&format!("{}/snapshots", Self::server_path(id))),
            _ => self.api.get(&Self::server_path(id)),
        }
    }

    pub(super) fn parse_find(
        &self,
        s: &Submit,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        let server_id = target_vm_id(s.target, s.vm).to_string();
        let deleting = matches!(s.action, Action::Delete { .. });
        if resp.status == 404 && !matches!(s.action, Action::Create(_)) {
            return Ok(if deleting {
                let r = ProviderRef::HostwayDeletion { server_id };
                adopted(r, TaskState::Succeeded, "not found")
            } else {
                Found::Unknown
            });
        }
        let v = self.body(resp, Call::Read, "the server", now)?;
        match s.action {
            Action::Create(_) => Ok(self.candidate(s, cursor, &v)),
            Action::Snapshot { name, .. } => Ok(snapshot(server_id, name, &v)),
            _ => {
                let server = server_of(&v);
                let status = text(server, "status")
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let (under_way, r) = if deleting {
                    ("DELETED", ProviderRef::HostwayDeletion { server_id })
                } else {
                    ("PROCESSING", ProviderRef::HostwayServer { server_id })
                };
                Ok(if status == under_way {
                    adopted(r, TaskState::Running, &status)
                } else if s.after_sent(stamp(server, "updated")) {
                    Found::Unknown
                } else {
                    Found::NotTaken
                })
            }
        }
    }

    /// A create's candidates: the name filter's ids, then each server read in turn.
    fn candidate(&self, s: &Submit, cursor: Option<&str>, v: &Value) -> Found {
        let Some(ids) = cursor.and_then(|c| c.strip_prefix(CANDIDATES)) else {
            let ids: Vec<String> = v
                .get("servers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| text(s, "id"))
                .filter(|id| !id.is_empty() && !id.contains(','))
                .collect();
            return if ids.is_empty() {
                Found::NotTaken
            } else {
                Found::Look(format!("{CANDIDATES}{}", ids.join(",")))
            };
        };
        let server = server_of(v);
        let named = text(server, "name").as_deref().map(str::trim) == Some(s.new_name());
        let status = text(server, "status")
            .unwrap_or_default()
            .to_ascii_uppercase();
        // Building, or placed since it went out; never placed (`created` empty) and changed
        // since, a build that failed (`DELETED`): taken all the same.
        let since = stamp(server, "created").or_else(|| stamp(server, "updated"));
        let new = status == "BUILD" || s.after_sent(since);
        if let (true, true, Some(id)) = (named, new, text(server, "id")) {
            return Found::adopted(Accepted {
                provider_ref: ProviderRef::HostwayBuild {
                    server_id: id.clone(),
                    href: self_link(server),
                },
                state: TaskState::Running,
                raw_status: status,
                created: Some(VmId::new(id)),
                secret: None,
            });
        }
        match ids.split_once(',') {
            Some((_, rest)) => Found::Look(format!("{CANDIDATES}{rest}")),
            None => Found::NotTaken,
        }
    }
}

/// A snapshot of that name on the server, followed at its `self` link.
fn snapshot(server_id: String, name: &str, v: &Value) -> Found {
    let list = v
        .get("snapshots")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let ours = list
        .iter()
        .find(|s| text(s, "name").as_deref().map(str::trim) == Some(name.trim()));
    match ours.and_then(|s| Some((s, self_link(s)?))) {
        Some((snap, href)) => {
            let status = text(snap, "status").unwrap_or_else(|| "BUILD".into());
            let r = ProviderRef::HostwaySnapshot { server_id, href };
            adopted(r, snapshot_state(&status), &status)
        }
        None if ours.is_some() => Found::Unknown,
        None => Found::NotTaken,
    }
}
