//! Finding a write whose answer was lost, from the sheet's own reads:
//!
//! - an action: a new action of its `type` in `GET /vms/{id}/actions` (newest first) started
//!   when it went out or after — none there, it was not taken;
//! - a create: a VM of its name whose `created_at` is as new, page after page of `GET /vms`
//!   (each next page at the `links.pages.next` the provider gave, as the listing follows it);
//! - a delete (`204`, no task): the VM not found, or still there and not locked (not taken).

use serde_json::Value;

use super::parse::{observed, parse_vm};
use super::{Cloudsfor, CREATE_ACTION};
use crate::dialect::{array, target_vm_id, Accepted, Dialect, Found, Submit};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{Action, ProviderRef, TaskState};
use crate::time::{parse_rfc3339, Millis};

impl Cloudsfor {
    pub(super) fn find_request(&self, s: &Submit, cursor: Option<&str>) -> HttpRequest {
        let id = encode_component(target_vm_id(s.target, s.vm));
        match s.action {
            // The VM list, its next pages at the links given.
            Action::Create(_) => self.list_request(cursor),
            Action::Delete { .. } => self.api.get(&format!("vms/{id}")),
            _ => self.api.get(&format!("vms/{id}/actions")),
        }
    }

    pub(super) fn parse_find(
        &self,
        s: &Submit,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        match s.action {
            Action::Create(_) => self.find_created(s, cursor, resp, now),
            Action::Delete { .. } => self.find_deleted(resp, now),
            _ => self.find_action(s, resp, now),
        }
    }

    fn find_action(&self, s: &Submit, resp: &HttpResponse, now: Millis) -> Result<Found, ApiError> {
        let v = self.body(resp, "the VM's actions", now)?;
        let actions = array(&v, "actions", "the VM's actions")?;
        let ty = Self::action_type(s.action);
        let stamp = |a: &Value, k: &str| text(a, k).and_then(|t| parse_rfc3339(&t));
        // Newest first: the first of its type started when it went out or after.
        let ours = actions.iter().find(|a| {
            text(a, "type").as_deref() == Some(ty) && s.after_sent(stamp(a, "started_at"))
        });
        let Some(a) = ours else {
            return Ok(Found::NotTaken);
        };
        let obs = observed(a);
        Ok(Found::adopted(Accepted {
            provider_ref: ProviderRef::CloudsforAction {
                vm_id: text(a, "id").unwrap_or_else(|| target_vm_id(s.target, s.vm).into()),
                action_type: ty.to_string(),
                started_at: text(a, "started_at").unwrap_or_default(),
            },
            state: obs.state,
            raw_status: obs.raw_status,
            created: None,
            secret: None,
        }))
    }

    /// A VM of the create's name, created when it went out or after; the next page where the
    /// list goes on (its link as given, resolved against the page read at `cursor`).
    fn find_created(
        &self,
        s: &Submit,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        let v = self.body(resp, "the VM list", now)?;
        let items = array(&v, "vms", "the VM list")?;
        let new = items.iter().find(|vm| {
            text(vm, "name").as_deref().map(str::trim) == Some(s.new_name())
                && s.after_sent(text(vm, "created_at").and_then(|t| parse_rfc3339(&t)))
        });
        if let Some(vm) = new.and_then(parse_vm) {
            return Ok(Found::adopted(Accepted {
                provider_ref: ProviderRef::CloudsforAction {
                    vm_id: vm.id.to_string(),
                    action_type: CREATE_ACTION.into(),
                    started_at: String::new(),
                },
                state: TaskState::Running,
                raw_status: vm.status_raw.clone(),
                created: Some(VmId::new(vm.id.as_str())),
                secret: None,
            }));
        }
        let next = v.pointer("/links/pages/next").and_then(Value::as_str);
        Ok(match next.filter(|link| !link.trim().is_empty()) {
            Some(link) => {
                let this = self.list_request(cursor).url;
                Found::Look(self.api.next_link(&this, link, "the VM list")?)
            }
            None => Found::NotTaken,
        })
    }

    /// `404`: the delete was taken (the VM is followed until it is not found, as after a `204`).
    fn find_deleted(&self, resp: &HttpResponse, now: Millis) -> Result<Found, ApiError> {
        if resp.status == 404 {
            return Ok(Found::adopted(Accepted {
                provider_ref: ProviderRef::Watch,
                state: TaskState::Succeeded,
                raw_status: "not found".into(),
                created: None,
                secret: None,
            }));
        }
        let v = self.body(resp, "the VM", now)?;
        let vm = parse_vm(v.get("vm").unwrap_or(&v))
            .ok_or_else(|| ApiError::bad_response("the VM", "no `vm.id`"))?;
        // Locked, something runs on it: not ours (a delete leaves nothing to follow), but it may
        // be what holds ours back. Say nothing.
        Ok(if vm.locked {
            Found::Unknown
        } else {
            Found::NotTaken
        })
    }
}
