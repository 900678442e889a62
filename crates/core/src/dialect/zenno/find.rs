//! Finding a command whose answer was lost. ZennoHosting keeps no task: the VM itself tells.
//!
//! - on a VM: its `operation` is ours, pending or in progress, or ended with an `updatedAt` as
//!   new as the command (adopted); an older status, or none, with an older `updatedAt`: nothing
//!   happened to the VM since, not taken; anything else changed since (another operation, the
//!   fields cleared): cannot tell;
//! - a create: a VM of its name in the project's list (the console refuses a name already used
//!   there);
//! - a delete: the VM not found, or showing `operation: delete`.

use serde_json::Value;

use super::fields::{parse_vm, Fields};
use super::lifecycle::project_of;
use super::observe::observe;
use super::{items, project_cursor, Zenno, CREATE, DELETE};
use crate::dialect::{target_vm_id, Accepted, Dialect, Found, Submit};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::text;
use crate::model::{Action, ProviderRef, TaskState};
use crate::time::Millis;

/// What a found command's reference keeps for its id: the answer that carried it was lost.
const LOST_COMMAND_ID: &str = "(answer lost)";

impl Zenno {
    fn project_for(s: &Submit) -> String {
        match s.action {
            Action::Create(spec) => project_of(spec),
            _ => s.vm.and_then(Self::project_of).unwrap_or_default(),
        }
    }

    pub(super) fn find_request(&self, s: &Submit) -> HttpRequest {
        let project = Self::project_for(s);
        match s.action {
            Action::Create(_) => self.list_request(Some(&project_cursor(&project))),
            _ => self
                .api
                .get(&Self::vm_path(&project, target_vm_id(s.target, s.vm))),
        }
    }

    pub(super) fn parse_find(
        &self,
        s: &Submit,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        let (operation, _) = Self::command(s.action);
        let deleting = operation == DELETE;
        if resp.status == 404 {
            // Gone: what a delete meant; anything else cannot have run on it.
            return Ok(if deleting {
                Found::adopted(self.adopted(
                    s,
                    target_vm_id(s.target, s.vm),
                    TaskState::Succeeded,
                    "not found",
                ))
            } else {
                Found::Unknown
            });
        }
        let v = self.body(resp, "the VM", now)?;
        if operation == CREATE {
            let listed = items(&v, "the VM list")?;
            // The console refused the name if a VM of the project had it.
            let new = listed
                .iter()
                .find(|i| text(i, "name").as_deref().map(str::trim) == Some(s.new_name()));
            return Ok(match new {
                Some(item) => self.tie_found(s, item),
                None => Found::NotTaken,
            });
        }
        Ok(self.tie_found(s, &v))
    }

    /// What the VM's fields say of the command.
    fn tie_found(&self, s: &Submit, item: &Value) -> Found {
        let (operation, _) = Self::command(s.action);
        let f = Fields::of(item);
        let changed_since = s.after_sent(f.updated);
        let ours = f.operation.as_deref() == Some(operation);
        let Some(vm) = parse_vm(item, Some(&Self::project_for(s))) else {
            return Found::Unknown;
        };
        match (ours, f.active(), changed_since) {
            // Ours, running — or over, after it went out.
            (true, true, _) | (true, false, true) => {
                let obs = observe(operation, s.sent_at, item, vm.clone());
                let mut acc = self.adopted(s, vm.id.as_str(), obs.state, &obs.raw_status);
                if operation == CREATE {
                    acc.created = Some(vm.id);
                }
                Found::adopted(acc)
            }
            // Nothing happened to the VM since it went out.
            (_, _, false) => Found::NotTaken,
            // Something else did (another operation, or the fields cleared).
            (_, _, true) => Found::Unknown,
        }
    }

    /// The command, as if the provider had accepted it when it went out.
    fn adopted(&self, s: &Submit, vm_id: &str, state: TaskState, raw: &str) -> Accepted {
        let (operation, _) = Self::command(s.action);
        Accepted {
            provider_ref: ProviderRef::ZennoCommand {
                project: Self::project_for(s),
                vm_id: vm_id.to_string(),
                command_id: LOST_COMMAND_ID.into(),
                operation: operation.to_string(),
                accepted_at: s.sent_at,
                vm_name: s.new_name().to_string(),
            },
            state,
            raw_status: raw.to_string(),
            created: None,
            secret: None,
        }
    }
}
