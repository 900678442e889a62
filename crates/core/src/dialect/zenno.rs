//! ZennoHosting: the "observe the resource" dialect.
//!
//! Contract: `shared/providers/zennohosting.md`, source `seeds/000_*.txt`. Writes answer
//! `202 {"commandId"}`, which only says that work started: there is no task resource, and the
//! outcome is read from the VM itself (`operation`, `operationStatus`, `bootStatus`, `state`).
//! A later operation on the same VM overwrites those fields, so what is seen is tied to our command
//! by its operation name and the moment it was accepted (`updatedAt`), and another operation's
//! result is reported as [`TaskState::Superseded`], never as ours.
//!
//! VMs live in projects: the listing reads `GET /projects`, then every project's
//! `GET /projects/{p}/vms` (one [`VmPage::next`] cursor `project:<id>` each).

use serde_json::Value;

use super::{
    json_body, Accepted, Credentials, Dialect, DialectKind, Endpoint, Observation, VmPage,
};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::json::{parse_lenient, text, uint};
use crate::model::{Action, ActionKind, PowerState, ProviderRef, Size, TaskState, Vm};
use crate::time::{parse_rfc3339, Millis, SECOND};

/// Where the provider's own text sits in an error body: `{"error": code, "message": text}`.
const ERROR_KEYS: &[&str] = &["message", "error"];

/// The prefix of a listing cursor that names a project.
pub const PROJECT_CURSOR: &str = "project:";

/// How far a terminal `updatedAt` of our own operation name may lie before the acceptance and
/// still count as ours (the provider's clock and ours differ; `updatedAt` has whole seconds).
/// Earlier than that, the VM still shows a previous run of the same operation.
pub const CLOCK_SLACK: Millis = 30 * SECOND;

pub struct Zenno {
    api: Endpoint,
}

impl Zenno {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Zenno {
            api: Endpoint::new(base, credentials),
        }
    }

    fn req(&self, path: &str) -> HttpRequest {
        self.api.get(path)
    }

    fn body(&self, resp: &HttpResponse, what: &str, now: Millis) -> Result<Value, ApiError> {
        json_body(resp, ERROR_KEYS, what, now)
    }

    /// The VM's project, as the listing gave it (the engine keeps it across re-reads).
    fn project_of(vm: &Vm) -> Option<String> {
        vm.project.clone().filter(|p| !p.is_empty())
    }

    fn vm_path(project: &str, vm_id: &str) -> String {
        format!(
            "projects/{}/vms/{}",
            encode_component(project),
            encode_component(vm_id)
        )
    }

    /// The `operation` name a command shows on the VM, and the path below the VM that sends it.
    pub fn command(action: &Action) -> (&'static str, String) {
        match action {
            Action::Start => ("start", "start".into()),
            Action::Shutdown => ("stop", "stop".into()),
            Action::Reboot => ("reboot", "reboot".into()),
            Action::RestoreBackup { backup_id } => (
                "restore",
                format!("backups/{}/restore", encode_component(backup_id.trim())),
            ),
            // Not offered by this provider (see `actions`); never sent.
            Action::PowerOff => ("power_off", "power-off".into()),
            Action::PowerCycle => ("power_cycle", "power-cycle".into()),
            Action::PasswordReset => ("password_reset", "password-reset".into()),
            Action::Resize(_) => ("resize", "resize".into()),
            Action::Rename { .. } => ("rename", "rename".into()),
            Action::Snapshot { .. } => ("snapshot", "snapshot".into()),
            // Never sent here (no server-side forced stop; the engine refuses it).
            Action::ShutdownWithin { .. } => ("stop", "stop".into()),
        }
    }

    fn parse_vms(&self, v: &Value, project: &str) -> Result<Vec<Vm>, ApiError> {
        let items = v
            .get("items")
            .or(Some(v))
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response("the VM list", "no `items` array"))?;
        Ok(items
            .iter()
            .filter_map(|item| parse_vm(item, Some(project)))
            .collect())
    }
}

/// A project id from a listing cursor (`project:<id>`; a bare id is taken as is).
fn project_from_cursor(cursor: &str) -> &str {
    cursor.strip_prefix(PROJECT_CURSOR).unwrap_or(cursor)
}

/// The VM's status fields, as sent (`null` and empty strings count as absent).
#[derive(Debug)]
struct Fields {
    state: Option<String>,
    operation: Option<String>,
    status: Option<String>,
    boot: Option<String>,
    updated: Option<Millis>,
}

impl Fields {
    fn of(v: &Value) -> Fields {
        let get = |k: &str| text(v, k).filter(|s| !s.trim().is_empty());
        Fields {
            state: get("state"),
            operation: get("operation"),
            status: get("operationStatus"),
            boot: get("bootStatus"),
            updated: get("updatedAt").and_then(|t| parse_rfc3339(&t)),
        }
    }

    /// An operation holds the VM: `pending`, `in_progress`, or a status this version does not
    /// know (which counts as not finished).
    fn active(&self) -> bool {
        match self.status.as_deref() {
            None | Some("succeeded") | Some("failed") => false,
            Some(_) => true,
        }
    }

    /// `bootStatus` is what the state implies (`running`/`booted`, `stopped`/`stopped`) or absent.
    fn boot_settled(&self) -> bool {
        matches!(
            (self.state.as_deref(), self.boot.as_deref()),
            (_, None) | (Some("running"), Some("booted")) | (Some("stopped"), Some("stopped"))
        )
    }

    /// `reboot in_progress`, or `idle` when no operation is shown.
    fn op_text(&self) -> String {
        match (&self.operation, &self.status) {
            (Some(op), Some(st)) => format!("{op} {st}"),
            (Some(op), None) => op.clone(),
            (None, Some(st)) => st.clone(),
            (None, None) => "idle".into(),
        }
    }

    /// What the VM's row shows: `running`, `stopped · boot failed`,
    /// `running · boot stopping · reboot in_progress`.
    fn status_text(&self) -> String {
        let mut parts = vec![self.state.clone().unwrap_or_else(|| "(no state)".into())];
        if let Some(b) = self.boot.as_deref().filter(|_| !self.boot_settled()) {
            parts.push(format!("boot {b}"));
        }
        if self.active() {
            parts.push(self.op_text());
        }
        parts.join(" · ")
    }

    fn power(&self) -> PowerState {
        let boot = self.boot.as_deref();
        if self.active() {
            return match (self.operation.as_deref(), boot) {
                (Some("reboot"), _) => PowerState::Rebooting,
                (_, Some("booting")) => PowerState::Starting,
                (_, Some("stopping")) => PowerState::Stopping,
                (Some("start" | "create"), _) => PowerState::Starting,
                (Some("stop"), _) => PowerState::Stopping,
                _ => PowerState::Busy,
            };
        }
        match (self.state.as_deref(), boot) {
            (_, Some("booting")) => PowerState::Starting,
            (_, Some("stopping")) => PowerState::Stopping,
            (Some("running"), None | Some("booted")) => PowerState::Running,
            // A failed boot leaves the VM stopped: it may be started again.
            (Some("stopped"), None | Some("stopped" | "failed")) => PowerState::Stopped,
            (Some("running" | "stopped"), Some(b @ ("booted" | "stopped" | "failed"))) => {
                // Known values that contradict each other.
                PowerState::Unknown(format!("{} / {b}", self.state.as_deref().unwrap_or("")))
            }
            (Some("running" | "stopped"), Some(b)) => PowerState::Unknown(b.to_string()),
            (Some(s), _) => PowerState::Unknown(s.to_string()),
            (None, _) => PowerState::Unknown("(no state)".into()),
        }
    }
}

fn parse_vm(v: &Value, project: Option<&str>) -> Option<Vm> {
    let id = text(v, "id").filter(|s| !s.is_empty())?;
    let f = Fields::of(v);
    let size = |k: &str| uint(v, k).map(|n| n as u32);
    Some(Vm {
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        power: f.power(),
        status_raw: f.status_text(),
        locked: f.active(),
        size: Size {
            vcpus: size("cpu"),
            memory_gb: size("ramGb"),
            disk_gb: size("diskGb"),
            flavor: None,
        },
        region: None,
        image: None,
        snapshot_count: None,
        project: project.map(str::to_string),
    })
}

/// What the VM's fields say of the command `operation`, accepted at `accepted_at`.
fn tie(operation: &str, accepted_at: Millis, f: &Fields) -> (TaskState, Option<String>) {
    let seen = f.operation.as_deref();
    match seen {
        Some(op) if op == operation => match f.status.as_deref() {
            Some("pending") => (TaskState::Pending, None),
            Some("in_progress") => (TaskState::Running, None),
            Some(st @ ("succeeded" | "failed"))
                if f.updated.is_some_and(|u| u + CLOCK_SLACK < accepted_at) =>
            {
                (
                    TaskState::Pending,
                    Some(format!(
                        "The VM still shows an earlier “{op}” ({st}); this command has not started yet."
                    )),
                )
            }
            Some("succeeded") => {
                let (state, boot) = if operation == "stop" {
                    ("stopped", "stopped")
                } else {
                    ("running", "booted")
                };
                let reached = f.state.as_deref() == Some(state)
                    && f.boot.as_deref().is_none_or(|b| b == boot);
                if reached {
                    (TaskState::Succeeded, None)
                } else if state == "running" && f.boot.as_deref() == Some("failed") {
                    (
                        TaskState::Failed,
                        Some("The VM failed to boot (bootStatus “failed”).".into()),
                    )
                } else {
                    (
                        TaskState::Running,
                        Some(format!(
                            "The provider reports “succeeded”; waiting for the VM to show it (state {}, bootStatus {}).",
                            f.state.as_deref().unwrap_or("none"),
                            f.boot.as_deref().unwrap_or("none")
                        )),
                    )
                }
            }
            Some("failed") => (TaskState::Failed, None),
            Some(other) => (TaskState::Unknown(other.to_string()), None),
            None => (
                TaskState::Pending,
                Some(format!("The VM shows “{op}” with no status yet.")),
            ),
        },
        // Another operation changed the VM after ours was accepted: it overwrote our status.
        Some(other) if f.updated.is_some_and(|u| u > accepted_at) => (
            TaskState::Superseded {
                by: other.to_string(),
            },
            None,
        ),
        Some(other) => (
            TaskState::Pending,
            Some(format!(
                "The VM still shows its previous operation “{other}”; this command has not started yet."
            )),
        ),
        None => (
            TaskState::Pending,
            Some("The VM shows no operation yet; this command has not started.".into()),
        ),
    }
}

/// The observation of command `operation`, accepted at `accepted_at`, from the VM's JSON `v`.
fn observe(operation: &str, accepted_at: Millis, v: &Value, vm: Vm) -> Observation {
    let f = Fields::of(v);
    let (state, message) = tie(operation, accepted_at, &f);
    let mut raw = f.op_text();
    if state == TaskState::Failed && f.boot.as_deref() == Some("failed") {
        raw.push_str(" · boot failed");
    }
    Observation {
        state,
        raw_status: raw,
        message,
        progress: None,
        attempt: None,
        vm: Some(vm),
    }
}

impl Dialect for Zenno {
    fn kind(&self) -> DialectKind {
        DialectKind::ZennoHosting
    }

    fn actions(&self) -> &'static [ActionKind] {
        &[
            ActionKind::Start,
            ActionKind::Shutdown,
            ActionKind::Reboot,
            ActionKind::RestoreBackup,
        ]
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), String> {
        if !self.actions().contains(&kind) {
            return Err("ZennoHosting does not offer this.".into());
        }
        if vm.locked {
            return Err(format!(
                "An operation is under way on the VM ({}); wait for it to finish.",
                vm.status_raw
            ));
        }
        if Self::project_of(vm).is_none() {
            return Err("Vigil does not know this VM's project; refresh the list.".into());
        }
        match kind {
            ActionKind::RestoreBackup => Ok(()),
            ActionKind::Start => match vm.power {
                PowerState::Stopped => Ok(()),
                PowerState::Running => Err("The VM is already running.".into()),
                _ => Err(format!(
                    "The VM must be stopped to start it (it is {}).",
                    vm.status_raw
                )),
            },
            _ => match vm.power {
                PowerState::Running => Ok(()),
                PowerState::Stopped => Err("The VM is stopped.".into()),
                _ => Err(format!(
                    "The VM must be running for this (it is {}).",
                    vm.status_raw
                )),
            },
        }
    }

    fn validate(&self, action: &Action) -> Result<(), String> {
        match action {
            Action::RestoreBackup { backup_id } if backup_id.trim().is_empty() => {
                Err("Enter the id of the backup to restore.".into())
            }
            _ => Ok(()),
        }
    }

    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        match cursor {
            None => self.req("projects"),
            Some(c) => self.req(&format!(
                "projects/{}/vms",
                encode_component(project_from_cursor(c))
            )),
        }
    }

    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        let Some(cursor) = cursor else {
            let v = self.body(resp, "the project list", now)?;
            let items = v
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| ApiError::bad_response("the project list", "no `items` array"))?;
            let next = items
                .iter()
                .filter_map(|p| text(p, "id").filter(|id| !id.is_empty()))
                .map(|id| format!("{PROJECT_CURSOR}{id}"))
                .collect();
            return Ok(VmPage {
                vms: Vec::new(),
                next,
            });
        };
        if resp.status == 404 {
            // The project went away between the two reads: it has no VMs to show.
            return Ok(VmPage::default());
        }
        let v = self.body(resp, "the VM list", now)?;
        Ok(VmPage {
            vms: self.parse_vms(&v, project_from_cursor(cursor))?,
            next: Vec::new(),
        })
    }

    fn read_vm_request(&self, vm_id: &str, cursor: Option<&str>) -> HttpRequest {
        // The engine passes the cursor the VM was listed under: `project:<id>`.
        let project = cursor.map(project_from_cursor).unwrap_or_default();
        self.req(&Self::vm_path(project, vm_id))
    }

    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let v = self.body(resp, "the VM", now)?;
        let vm =
            parse_vm(&v, None).ok_or_else(|| ApiError::bad_response("the VM", "no `id` field"))?;
        Ok(vec![vm])
    }

    fn action_request(&self, vm: &Vm, action: &Action) -> HttpRequest {
        let project = Self::project_of(vm).unwrap_or_default();
        let (_, tail) = Self::command(action);
        let mut req = self.req(&format!("{}/{tail}", Self::vm_path(&project, &vm.id)));
        req.method = Method::Post;
        req
    }

    fn parse_accepted(
        &self,
        vm: &Vm,
        action: &Action,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        if !resp.is_success() {
            return Err(ApiError::from_response(resp, ERROR_KEYS, now));
        }
        // The 202 alone says the command was taken; the VM tells the rest. A body we cannot read
        // only costs us the command id, which is for display.
        let command_id = parse_lenient(&resp.body)
            .ok()
            .and_then(|v| text(&v, "commandId"))
            .unwrap_or_else(|| "(not given)".into());
        let (operation, _) = Self::command(action);
        Ok(Accepted {
            provider_ref: ProviderRef::ZennoCommand {
                project: Self::project_of(vm).unwrap_or_default(),
                vm_id: vm.id.clone(),
                command_id,
                operation: operation.to_string(),
                accepted_at: now,
            },
            state: TaskState::Pending,
            raw_status: "accepted".into(),
        })
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        match r {
            ProviderRef::ZennoCommand { project, vm_id, .. } => {
                self.req(&Self::vm_path(project, vm_id))
            }
            _ => self.req("projects"),
        }
    }

    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        let ProviderRef::ZennoCommand {
            project,
            operation,
            accepted_at,
            ..
        } = r
        else {
            return Err(ApiError::bad_response(
                "the VM",
                "not a ZennoHosting command",
            ));
        };
        let v = self.body(resp, "the VM", now)?;
        let vm = parse_vm(&v, Some(project))
            .ok_or_else(|| ApiError::bad_response("the VM", "no `id` field"))?;
        Ok(observe(operation, *accepted_at, &v, vm))
    }

    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        let mut projects = refs.iter().map(|r| match r {
            ProviderRef::ZennoCommand { project, .. } => Some(project.as_str()),
            _ => None,
        });
        let first = projects.next()??;
        if projects.all(|p| p == Some(first)) {
            Some(self.list_request(Some(&format!("{PROJECT_CURSOR}{first}"))))
        } else {
            None
        }
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let v = self.body(resp, "the VM list", now)?;
        let items = v
            .get("items")
            .or(Some(&v))
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response("the VM list", "no `items` array"))?;
        Ok(refs
            .iter()
            .map(|r| {
                let ProviderRef::ZennoCommand {
                    project,
                    vm_id,
                    operation,
                    accepted_at,
                    ..
                } = r
                else {
                    return None;
                };
                let item = items
                    .iter()
                    .find(|i| text(i, "id").as_deref() == Some(vm_id.as_str()))?;
                let vm = parse_vm(item, Some(project))?;
                Some(observe(operation, *accepted_at, item, vm))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    const P: &str = "3f0e9c1a-0000-4000-8000-000000000001";
    const ID: &str = "7b1d2c3e-0000-4000-8000-0000000000aa";
    /// 2026-01-01T00:00:00Z
    const T: Millis = 1_767_225_600_000;

    fn api() -> Zenno {
        Zenno::new(
            "https://api.zennohosting.com/",
            Credentials::Bearer {
                token: "tok-123".into(),
            },
        )
    }

    /// A VM as the sheet describes it.
    fn vm_json(
        state: &str,
        operation: Option<&str>,
        status: Option<&str>,
        boot: &str,
        updated: &str,
    ) -> Value {
        json!({"id": ID, "name": "web-01", "state": state, "operation": operation,
               "operationStatus": status, "bootStatus": boot, "cpu": 2, "ramGb": 4,
               "diskGb": 80, "updatedAt": updated})
    }

    fn vm_of(v: &Value) -> Vm {
        parse_vm(v, Some(P)).unwrap()
    }

    fn idle(state: &str) -> Vm {
        let boot = if state == "running" {
            "booted"
        } else {
            "stopped"
        };
        vm_of(&vm_json(state, None, None, boot, "2025-12-31T10:00:00Z"))
    }

    fn ok(v: &Value) -> HttpResponse {
        HttpResponse::new(200, v.to_string())
    }

    fn cmd(operation: &str) -> ProviderRef {
        ProviderRef::ZennoCommand {
            project: P.into(),
            vm_id: ID.into(),
            command_id: "c-1".into(),
            operation: operation.into(),
            accepted_at: T,
        }
    }

    fn obs(operation: &str, v: &Value) -> Observation {
        api().parse_observation(&cmd(operation), &ok(v), T).unwrap()
    }

    #[test]
    fn lists_projects_then_each_projects_vms() {
        let a = api();
        let req = a.list_request(None);
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url, "https://api.zennohosting.com/projects");
        assert!(req
            .headers
            .contains(&("Authorization".into(), "Bearer tok-123".into())));
        let page = a
            .parse_list(
                None,
                &HttpResponse::new(
                    200,
                    r#"{"items": [{"id": "p1", "name": "Prod"}, {"id": "p2", "name": "Staging"}]}"#,
                ),
                T,
            )
            .unwrap();
        assert!(page.vms.is_empty());
        assert_eq!(page.next, vec!["project:p1", "project:p2"]);

        let req = a.list_request(Some("project:p1"));
        assert_eq!(req.url, "https://api.zennohosting.com/projects/p1/vms");
        let body = json!({"items": [
            vm_json("running", Some("reboot"), Some("succeeded"), "booted", "2025-12-31T10:00:00Z"),
            {"name": "no id, skipped"},
        ]});
        let page = a.parse_list(Some("project:p1"), &ok(&body), T).unwrap();
        assert_eq!(page.vms.len(), 1);
        assert!(page.next.is_empty());
        let vm = &page.vms[0];
        assert_eq!(vm.project.as_deref(), Some("p1"));
        assert_eq!(vm.power, PowerState::Running);
        assert_eq!(vm.status_raw, "running");
        assert!(!vm.locked);
        assert_eq!(vm.size.label(), "2 vCPU · 4 GB RAM · 80 GB disk");

        // A project deleted between the two reads shows nothing rather than failing the list.
        let gone = HttpResponse::new(
            404,
            r#"{"error": "not_found", "message": "Project not found"}"#,
        );
        assert_eq!(
            a.parse_list(Some("project:p1"), &gone, T).unwrap(),
            VmPage::default()
        );
    }

    #[test]
    fn every_status_combination_maps_to_power_and_lock() {
        // (state, operation, operationStatus, bootStatus) → (power, locked, status text)
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            &'static str,
            PowerState,
            bool,
            &'static str,
        );
        let cases: &[Case] = &[
            (
                "running",
                None,
                None,
                "booted",
                PowerState::Running,
                false,
                "running",
            ),
            (
                "stopped",
                None,
                None,
                "stopped",
                PowerState::Stopped,
                false,
                "stopped",
            ),
            (
                "stopped",
                Some("start"),
                Some("failed"),
                "failed",
                PowerState::Stopped,
                false,
                "stopped · boot failed",
            ),
            (
                "running",
                Some("stop"),
                Some("succeeded"),
                "booted",
                PowerState::Running,
                false,
                "running",
            ),
            (
                "stopped",
                Some("start"),
                Some("pending"),
                "stopped",
                PowerState::Starting,
                true,
                "stopped · start pending",
            ),
            (
                "stopped",
                Some("start"),
                Some("in_progress"),
                "booting",
                PowerState::Starting,
                true,
                "stopped · boot booting · start in_progress",
            ),
            (
                "running",
                Some("stop"),
                Some("in_progress"),
                "stopping",
                PowerState::Stopping,
                true,
                "running · boot stopping · stop in_progress",
            ),
            (
                "running",
                Some("reboot"),
                Some("in_progress"),
                "stopping",
                PowerState::Rebooting,
                true,
                "running · boot stopping · reboot in_progress",
            ),
            (
                "running",
                Some("restore"),
                Some("in_progress"),
                "booting",
                PowerState::Starting,
                true,
                "running · boot booting · restore in_progress",
            ),
            (
                "running",
                Some("attach_network"),
                Some("pending"),
                "booted",
                PowerState::Busy,
                true,
                "running · attach_network pending",
            ),
            // Values the sheet does not list stay raw, and an unknown operation status holds the VM.
            (
                "running",
                Some("migrate"),
                Some("queued"),
                "booted",
                PowerState::Busy,
                true,
                "running · migrate queued",
            ),
            (
                "suspended",
                None,
                None,
                "stopped",
                PowerState::Unknown("suspended".into()),
                false,
                "suspended · boot stopped",
            ),
            (
                "running",
                None,
                None,
                "rescue",
                PowerState::Unknown("rescue".into()),
                false,
                "running · boot rescue",
            ),
            (
                "running",
                None,
                None,
                "stopped",
                PowerState::Unknown("running / stopped".into()),
                false,
                "running · boot stopped",
            ),
        ];
        for (state, op, st, boot, power, locked, raw) in cases {
            let vm = vm_of(&vm_json(state, *op, *st, boot, "2025-12-31T10:00:00Z"));
            assert_eq!(&vm.power, power, "{state} {op:?} {st:?} {boot}");
            assert_eq!(vm.locked, *locked, "{state} {op:?} {st:?} {boot}");
            assert_eq!(vm.status_raw, *raw);
            assert_eq!(vm.project.as_deref(), Some(P));
        }
    }

    #[test]
    fn action_requests_use_the_vms_project_and_an_empty_body() {
        let a = api();
        let vm = idle("running");
        for (action, path) in [
            (Action::Start, "start"),
            (Action::Shutdown, "stop"),
            (Action::Reboot, "reboot"),
            (
                Action::RestoreBackup {
                    backup_id: " bk 7 ".into(),
                },
                "backups/bk%207/restore",
            ),
        ] {
            let req = a.action_request(&vm, &action);
            assert_eq!(req.method, Method::Post, "{action:?}");
            assert_eq!(
                req.url,
                format!("https://api.zennohosting.com/projects/{P}/vms/{ID}/{path}")
            );
            assert_eq!(req.body, None);
            assert!(req
                .headers
                .contains(&("Authorization".into(), "Bearer tok-123".into())));
        }
        // The label of the provider's `stop` stays "Shut down".
        assert_eq!(ActionKind::Shutdown.label(), "Shut down");
    }

    #[test]
    fn accepted_command_is_tied_to_its_operation_and_moment() {
        let a = api();
        let vm = idle("running");
        let resp = HttpResponse::new(
            202,
            r#"{"commandId": "9b2f7c52-1f0e-4c5e-a1d2-44d5bd0f0c11"}"#,
        );
        for (action, op) in [
            (Action::Start, "start"),
            (Action::Shutdown, "stop"),
            (Action::Reboot, "reboot"),
            (
                Action::RestoreBackup {
                    backup_id: "b1".into(),
                },
                "restore",
            ),
        ] {
            let acc = a.parse_accepted(&vm, &action, &resp, T + 5).unwrap();
            assert_eq!(
                acc.provider_ref,
                ProviderRef::ZennoCommand {
                    project: P.into(),
                    vm_id: ID.into(),
                    command_id: "9b2f7c52-1f0e-4c5e-a1d2-44d5bd0f0c11".into(),
                    operation: op.into(),
                    accepted_at: T + 5,
                }
            );
            // Accepted means work started, not done.
            assert_eq!(acc.state, TaskState::Pending);
            assert!(!acc.state.is_terminal());
        }
    }

    #[test]
    fn documented_errors_keep_the_providers_text() {
        let a = api();
        let vm = idle("running");
        let busy = HttpResponse::new(
            409,
            json!({"error": "operation_in_progress",
                   "message": format!("VM {ID} already has a 'stop' operation in progress")})
            .to_string(),
        );
        let e = a
            .parse_accepted(&vm, &Action::Reboot, &busy, T)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.status, Some(409));
        assert!(e
            .full()
            .contains("already has a 'stop' operation in progress"));
        assert!(e.full().contains("(409)"));

        // Only the code: it is still quoted.
        let code_only = HttpResponse::new(409, r#"{"error": "invalid_state"}"#);
        let e = a
            .parse_accepted(&vm, &Action::Reboot, &code_only, T)
            .unwrap_err();
        assert_eq!(e.provider_text.as_deref(), Some("invalid_state"));

        let cases = [
            (
                401,
                ErrorKind::Unauthorized,
                "Missing or invalid bearer token",
            ),
            (404, ErrorKind::NotFound, "VM not found"),
            (
                422,
                ErrorKind::Conflict,
                "body must be empty or a JSON object",
            ),
            (500, ErrorKind::Server, "internal error"),
        ];
        for (status, kind, text) in cases {
            let resp =
                HttpResponse::new(status, json!({"error": "x", "message": text}).to_string());
            let e = a.parse_list(None, &resp, T).unwrap_err();
            assert_eq!(e.kind, kind, "{status}");
            assert_eq!(e.provider_text.as_deref(), Some(text));
            assert!(!e.full().contains("tok-123"));
        }
        let limited = HttpResponse::new(
            429,
            r#"{"error": "rate_limited", "message": "Too many requests; retry in 7 s"}"#,
        )
        .with_header("Retry-After", "7");
        let e = a.parse_list(None, &limited, T).unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_after, Some(7_000));

        let garbage = HttpResponse::new(200, "<html>maintenance</html>");
        assert_eq!(
            a.parse_list(None, &garbage, T).unwrap_err().kind,
            ErrorKind::BadResponse
        );
    }

    #[test]
    fn observation_follows_our_operations_status() {
        let after = "2026-01-01T00:00:10Z";
        let o = obs(
            "reboot",
            &vm_json("running", Some("reboot"), Some("pending"), "booted", after),
        );
        assert_eq!(o.state, TaskState::Pending);
        assert_eq!(o.raw_status, "reboot pending");
        assert!(o.vm.as_ref().unwrap().locked);

        let o = obs(
            "reboot",
            &vm_json(
                "running",
                Some("reboot"),
                Some("in_progress"),
                "stopping",
                after,
            ),
        );
        assert_eq!(o.state, TaskState::Running);
        assert_eq!(o.vm.as_ref().unwrap().power, PowerState::Rebooting);

        let o = obs(
            "reboot",
            &vm_json(
                "running",
                Some("reboot"),
                Some("succeeded"),
                "booted",
                after,
            ),
        );
        assert_eq!(o.state, TaskState::Succeeded);
        let vm = o.vm.unwrap();
        assert_eq!(vm.power, PowerState::Running);
        assert!(!vm.locked);
        assert_eq!(vm.project.as_deref(), Some(P));

        let o = obs(
            "stop",
            &vm_json("stopped", Some("stop"), Some("succeeded"), "stopped", after),
        );
        assert_eq!(o.state, TaskState::Succeeded);

        let o = obs(
            "start",
            &vm_json("stopped", Some("start"), Some("failed"), "failed", after),
        );
        assert_eq!(o.state, TaskState::Failed);
        assert_eq!(o.raw_status, "start failed · boot failed");
    }

    #[test]
    fn succeeded_counts_only_once_the_vm_shows_the_goal() {
        let after = "2026-01-01T00:00:10Z";
        // The status says done but the VM still boots: not yet.
        let o = obs(
            "start",
            &vm_json(
                "running",
                Some("start"),
                Some("succeeded"),
                "booting",
                after,
            ),
        );
        assert_eq!(o.state, TaskState::Running);
        assert!(o.message.unwrap().contains("booting"));
        // The state has not changed yet.
        let o = obs(
            "stop",
            &vm_json("running", Some("stop"), Some("succeeded"), "booted", after),
        );
        assert_eq!(o.state, TaskState::Running);
        // "Succeeded" with a failed boot is a failure, not a success.
        let o = obs(
            "reboot",
            &vm_json(
                "stopped",
                Some("reboot"),
                Some("succeeded"),
                "failed",
                after,
            ),
        );
        assert_eq!(o.state, TaskState::Failed);
        assert!(o.message.unwrap().contains("failed to boot"));
    }

    #[test]
    fn unknown_statuses_stay_raw_and_never_succeed() {
        let after = "2026-01-01T00:00:10Z";
        for st in ["queued", "retrying", "cancelled", "SUCCEEDED"] {
            let o = obs(
                "reboot",
                &vm_json("running", Some("reboot"), Some(st), "booted", after),
            );
            assert_eq!(o.state, TaskState::Unknown(st.into()));
            assert!(!o.state.is_terminal());
            assert!(o.vm.is_some());
        }
    }

    #[test]
    fn another_operation_after_ours_supersedes_it() {
        // Accepted at 00:00:00; a `stop` shows, changed at 00:01:00: ours was overwritten.
        for st in ["pending", "in_progress", "succeeded", "failed"] {
            let v = vm_json(
                "running",
                Some("stop"),
                Some(st),
                "booted",
                "2026-01-01T00:01:00Z",
            );
            let o = obs("reboot", &v);
            assert_eq!(o.state, TaskState::Superseded { by: "stop".into() }, "{st}");
            assert!(o.state.is_terminal());
            assert!(o.vm.is_some());
        }
        // Unknown operation names supersede too, and are named as sent.
        let v = vm_json(
            "running",
            Some("migrate"),
            Some("in_progress"),
            "booted",
            "2026-01-01T00:01:00Z",
        );
        assert_eq!(
            obs("reboot", &v).state,
            TaskState::Superseded {
                by: "migrate".into()
            }
        );
    }

    #[test]
    fn what_shows_before_our_command_started_is_pending() {
        // Idle (never ran an operation), shortly after acceptance.
        let o = obs(
            "start",
            &vm_json("stopped", None, None, "stopped", "2025-12-31T10:00:00Z"),
        );
        assert_eq!(o.state, TaskState::Pending);
        assert_eq!(o.raw_status, "idle");
        assert!(o.vm.is_some());
        // An older, different operation's result is not ours and not a supersession.
        let o = obs(
            "start",
            &vm_json(
                "stopped",
                Some("stop"),
                Some("succeeded"),
                "stopped",
                "2025-12-31T10:00:00Z",
            ),
        );
        assert_eq!(o.state, TaskState::Pending);
        assert!(o.message.unwrap().contains("previous operation “stop”"));
        // An older run of the same operation is not ours either.
        let o = obs(
            "reboot",
            &vm_json(
                "running",
                Some("reboot"),
                Some("succeeded"),
                "booted",
                "2025-12-31T10:00:00Z",
            ),
        );
        assert_eq!(o.state, TaskState::Pending);
        // Ours, with the provider's clock a few seconds behind, still counts.
        let o = obs(
            "reboot",
            &vm_json(
                "running",
                Some("reboot"),
                Some("succeeded"),
                "booted",
                "2025-12-31T23:59:50Z",
            ),
        );
        assert_eq!(o.state, TaskState::Succeeded);
    }

    #[test]
    fn observe_many_reads_the_project_list_once() {
        let a = api();
        let other = ProviderRef::ZennoCommand {
            project: P.into(),
            vm_id: "vm-2".into(),
            command_id: "c-2".into(),
            operation: "stop".into(),
            accepted_at: T,
        };
        let missing = ProviderRef::ZennoCommand {
            project: P.into(),
            vm_id: "vm-gone".into(),
            command_id: "c-3".into(),
            operation: "start".into(),
            accepted_at: T,
        };
        let mine = cmd("reboot");
        let refs = [&mine, &other, &missing];
        let req = a.observe_many_request(&refs).unwrap();
        assert_eq!(
            req.url,
            format!("https://api.zennohosting.com/projects/{P}/vms")
        );
        let mut second = vm_json(
            "stopped",
            Some("stop"),
            Some("succeeded"),
            "stopped",
            "2026-01-01T00:00:30Z",
        );
        second["id"] = json!("vm-2");
        let body = json!({"items": [
            vm_json("running", Some("reboot"), Some("in_progress"), "booting", "2026-01-01T00:00:05Z"),
            second,
        ]});
        let seen = a.parse_observe_many(&refs, &ok(&body), T).unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].as_ref().unwrap().state, TaskState::Running);
        assert_eq!(seen[0].as_ref().unwrap().vm.as_ref().unwrap().id, ID);
        assert_eq!(seen[1].as_ref().unwrap().state, TaskState::Succeeded);
        assert_eq!(seen[1].as_ref().unwrap().vm.as_ref().unwrap().id, "vm-2");
        assert!(seen[2].is_none());

        // Commands in different projects cannot share one read.
        let elsewhere = ProviderRef::ZennoCommand {
            project: "p-other".into(),
            vm_id: "vm-9".into(),
            command_id: "c-9".into(),
            operation: "start".into(),
            accepted_at: T,
        };
        assert!(a.observe_many_request(&[&mine, &elsewhere]).is_none());
    }

    #[test]
    fn read_vm_follows_the_listing_cursor_and_keeps_the_project() {
        let a = api();
        let req = a.read_vm_request(ID, Some("project:p1"));
        assert_eq!(
            req.url,
            format!("https://api.zennohosting.com/projects/p1/vms/{ID}")
        );
        let body =
            json!({"items": [vm_json("running", None, None, "booted", "2025-12-31T10:00:00Z")]});
        let listed = a.parse_list(Some("project:p1"), &ok(&body), T).unwrap();
        assert_eq!(listed.vms[0].project.as_deref(), Some("p1"));
        let vms = a
            .parse_read_vm(
                &ok(&vm_json(
                    "stopped",
                    Some("stop"),
                    Some("succeeded"),
                    "stopped",
                    "2026-01-01T00:00:30Z",
                )),
                T,
            )
            .unwrap();
        assert_eq!(vms.len(), 1);
        assert_eq!(vms[0].power, PowerState::Stopped);
        // The VM's own JSON does not say its project: the engine keeps the listing's
        // (see tests/engine.rs), and actions are built from it.
        assert_eq!(vms[0].project, None);
        assert_eq!(
            a.action_request(&listed.vms[0], &Action::Start).url,
            format!("https://api.zennohosting.com/projects/p1/vms/{ID}/start")
        );
    }

    #[test]
    fn valid_actions_follow_state_and_operation() {
        let a = api();
        let running = idle("running");
        let stopped = idle("stopped");
        let boot_failed = vm_of(&vm_json(
            "stopped",
            Some("start"),
            Some("failed"),
            "failed",
            "2025-12-31T10:00:00Z",
        ));
        let busy = vm_of(&vm_json(
            "running",
            Some("reboot"),
            Some("in_progress"),
            "stopping",
            "2025-12-31T10:00:00Z",
        ));
        let pending = vm_of(&vm_json(
            "stopped",
            Some("start"),
            Some("pending"),
            "stopped",
            "2025-12-31T10:00:00Z",
        ));
        let odd = vm_of(&vm_json(
            "suspended",
            None,
            None,
            "stopped",
            "2025-12-31T10:00:00Z",
        ));
        let yes = |v: &Vm, k| a.allowed(v, k).is_ok();
        // (kind, running, stopped, boot failed, unknown state)
        let table = [
            (ActionKind::Start, false, true, true, false),
            (ActionKind::Shutdown, true, false, false, false),
            (ActionKind::Reboot, true, false, false, false),
            (ActionKind::RestoreBackup, true, true, true, true),
        ];
        for (k, r, s, f, u) in table {
            assert_eq!(yes(&running, k), r, "{k:?} on running");
            assert_eq!(yes(&stopped, k), s, "{k:?} on stopped");
            assert_eq!(yes(&boot_failed, k), f, "{k:?} after a failed boot");
            assert_eq!(yes(&odd, k), u, "{k:?} on suspended");
            assert!(!yes(&busy, k), "{k:?} while an operation runs");
            assert!(!yes(&pending, k), "{k:?} while an operation is pending");
        }
        assert!(a
            .allowed(&busy, ActionKind::Start)
            .unwrap_err()
            .contains("wait"));
        for k in [
            ActionKind::PowerOff,
            ActionKind::Resize,
            ActionKind::Snapshot,
        ] {
            assert!(!yes(&running, k) && !yes(&stopped, k));
        }
        let mut lost = running.clone();
        lost.project = None;
        assert!(a
            .allowed(&lost, ActionKind::Reboot)
            .unwrap_err()
            .contains("project"));
        assert!(a
            .validate(&Action::RestoreBackup {
                backup_id: "  ".into()
            })
            .is_err());
        assert!(a
            .validate(&Action::RestoreBackup {
                backup_id: "bk-1".into()
            })
            .is_ok());
    }
}
