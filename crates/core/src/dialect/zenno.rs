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
    json_body, target_vm_id, Accepted, Caps, CredentialKind, Credentials, Dialect, DialectKind,
    Endpoint, Observation, RateLimit, SnapshotCaps, VmPage,
};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text, uint};
use crate::model::{
    Action, ActionKind, PowerState, ProviderRef, RefKind, Size, Target, TaskState, Vm,
};
use crate::time::{parse_rfc3339, Millis, SECOND};
use crate::words::Refusal;

/// Where the provider's own text sits in an error body: `{"error": code, "message": text}`.
const ERROR_KEYS: &[&str] = &["message", "error"];

/// The prefix of a listing cursor that names a project.
pub const PROJECT_CURSOR: &str = "project:";

/// How far a terminal `updatedAt` of our own operation name may lie before the acceptance and
/// still count as ours (the provider's clock and ours differ; `updatedAt` has whole seconds).
/// Earlier than that, the VM still shows a previous run of the same operation.
pub const CLOCK_SLACK: Millis = 30 * SECOND;

/// ZennoHosting's facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::ZennoHosting,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::RestoreBackup,
    ],
    // Not published: a conservative 8 a second (429 + Retry-After is honoured anyway).
    rate_limit: RateLimit {
        per_second: 8.0,
        burst: 40.0,
    },
    credentials: &[CredentialKind::Bearer],
    example_base: "https://api.zennohosting.com",
    observe_many: &[RefKind::ZennoCommand],
    observe_many_complete: false,
    read_many: false,
    power_list: false,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: false,
    snapshots: SnapshotCaps {
        max_per_vm: None,
        unique_names: false,
        description: false,
        refused_with_extra_volumes: false,
        demo_accounts_refuse: false,
    },
    queue_delay: 2 * SECOND,
    create: None,
    delete: None,
};

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
            // Not offered by this provider (see `CAPS`); never sent.
            Action::PowerOff => ("power_off", "power-off".into()),
            Action::PowerCycle => ("power_cycle", "power-cycle".into()),
            Action::PasswordReset => ("password_reset", "password-reset".into()),
            Action::Resize(_) => ("resize", "resize".into()),
            Action::Rename { .. } => ("rename", "rename".into()),
            Action::Snapshot { .. } => ("snapshot", "snapshot".into()),
            // Never sent here (no server-side forced stop; the engine refuses it).
            Action::ShutdownWithin { .. } => ("stop", "stop".into()),
            Action::Create(_) => ("create", String::new()),
            Action::Delete { .. } => ("delete", String::new()),
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

    /// The state, and the boot status where it is not what the state implies: `running`,
    /// `stopped · boot failed`, `running · boot booting`.
    fn state_text(&self) -> String {
        let mut parts = vec![self.state.clone().unwrap_or_else(|| "(no state)".into())];
        if let Some(b) = self.boot.as_deref().filter(|_| !self.boot_settled()) {
            parts.push(format!("boot {b}"));
        }
        parts.join(" · ")
    }

    /// What the VM's row shows: `running`, `stopped · boot failed`,
    /// `running · boot stopping · reboot in_progress`.
    fn status_text(&self) -> String {
        if self.active() {
            format!("{} · {}", self.state_text(), self.op_text())
        } else {
            self.state_text()
        }
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
        id: VmId::new(id),
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
        addresses: Vec::new(),
    })
}

/// What the VM's fields say of the command `operation`, accepted at `accepted_at`.
fn tie(operation: &str, accepted_at: Millis, f: &Fields) -> TaskState {
    match f.operation.as_deref() {
        Some(op) if op == operation => match f.status.as_deref() {
            Some("pending") => TaskState::Pending,
            Some("in_progress") => TaskState::Running,
            // The VM still shows an earlier run of the same operation: ours has not started.
            Some("succeeded" | "failed")
                if f.updated.is_some_and(|u| u + CLOCK_SLACK < accepted_at) =>
            {
                TaskState::Pending
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
                    TaskState::Succeeded
                } else if state == "running" && f.boot.as_deref() == Some("failed") {
                    // "Succeeded" with a failed boot is a failure.
                    TaskState::Failed
                } else {
                    // Reported done; the VM does not show it yet.
                    TaskState::Running
                }
            }
            Some("failed") => TaskState::Failed,
            Some(other) => TaskState::Unknown(other.to_string()),
            // Our operation, with no status yet.
            None => TaskState::Pending,
        },
        // Another operation changed the VM after ours was accepted: it overwrote our status.
        Some(other) if f.updated.is_some_and(|u| u > accepted_at) => TaskState::Superseded {
            by: other.to_string(),
        },
        // The VM still shows its previous operation, or none: ours has not started yet.
        Some(_) | None => TaskState::Pending,
    }
}

/// The observation of command `operation`, accepted at `accepted_at`, from the VM's JSON `v`.
/// The raw status is the provider's fields: the operation and its status, and the VM's state
/// and boot status where they are what decided (`start failed · boot failed`,
/// `start succeeded · running · boot booting`).
fn observe(operation: &str, accepted_at: Millis, v: &Value, vm: Vm) -> Observation {
    let f = Fields::of(v);
    let state = tie(operation, accepted_at, &f);
    let mut raw = f.op_text();
    let decided_by_vm = f.operation.as_deref() == Some(operation)
        && f.status.as_deref() == Some("succeeded")
        && matches!(state, TaskState::Running | TaskState::Failed);
    if state == TaskState::Failed && f.boot.as_deref() == Some("failed") {
        raw.push_str(" · boot failed");
    } else if decided_by_vm {
        raw = format!("{raw} · {}", f.state_text());
    }
    Observation {
        state,
        raw_status: raw,
        vm: Some(vm),
        ..Observation::default()
    }
}

impl Dialect for Zenno {
    fn kind(&self) -> DialectKind {
        DialectKind::ZennoHosting
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        if !CAPS.offers(kind) {
            return Err(Refusal::NotOffered {
                provider: DialectKind::ZennoHosting,
            });
        }
        if vm.locked {
            return Err(Refusal::OperationUnderWay {
                status: vm.status_raw.clone(),
            });
        }
        if Self::project_of(vm).is_none() {
            return Err(Refusal::UnknownProject);
        }
        match kind {
            ActionKind::RestoreBackup => Ok(()),
            ActionKind::Start => match vm.power {
                PowerState::Stopped => Ok(()),
                PowerState::Running => Err(Refusal::AlreadyRunning),
                _ => Err(Refusal::MustBeStopped {
                    status: vm.status_raw.clone(),
                }),
            },
            _ => match vm.power {
                PowerState::Running => Ok(()),
                PowerState::Stopped => Err(Refusal::IsOff),
                _ => Err(Refusal::MustBeRunning {
                    status: vm.status_raw.clone(),
                }),
            },
        }
    }

    fn validate(&self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::RestoreBackup { backup_id } if backup_id.trim().is_empty() => {
                Err(Refusal::EnterBackupId)
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

    fn read_vm_request(&self, vm_id: &VmId, cursor: Option<&str>) -> HttpRequest {
        // The engine passes the cursor the VM was listed under: `project:<id>`.
        let project = cursor.map(project_from_cursor).unwrap_or_default();
        self.req(&Self::vm_path(project, vm_id.as_str()))
    }

    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let v = self.body(resp, "the VM", now)?;
        let vm =
            parse_vm(&v, None).ok_or_else(|| ApiError::bad_response("the VM", "no `id` field"))?;
        Ok(vec![vm])
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
    ) -> HttpRequest {
        let project = vm.and_then(Self::project_of).unwrap_or_default();
        let (_, tail) = Self::command(action);
        let path = Self::vm_path(&project, target_vm_id(target, vm));
        let mut req = self.req(&format!("{path}/{tail}"));
        req.method = Method::Post;
        req
    }

    fn parse_accepted(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
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
                project: vm.and_then(Self::project_of).unwrap_or_default(),
                vm_id: target_vm_id(target, vm).to_string(),
                command_id,
                operation: operation.to_string(),
                accepted_at: now,
                vm_name: target.name().to_string(),
            },
            state: TaskState::Pending,
            raw_status: "accepted".into(),
            created: None,
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
    use crate::dialect::testing::{accept, request};
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
            vm_name: String::new(),
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
        assert_eq!(
            vm.size,
            Size {
                vcpus: Some(2),
                memory_gb: Some(4),
                disk_gb: Some(80),
                flavor: None
            }
        );

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
            let req = request(&a, &vm, &action);
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
            let acc = accept(&a, &vm, &action, &resp, T + 5).unwrap();
            assert_eq!(
                acc.provider_ref,
                ProviderRef::ZennoCommand {
                    project: P.into(),
                    vm_id: ID.into(),
                    command_id: "9b2f7c52-1f0e-4c5e-a1d2-44d5bd0f0c11".into(),
                    operation: op.into(),
                    accepted_at: T + 5,
                    vm_name: "web-01".into(),
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
        let e = accept(&a, &vm, &Action::Reboot, &busy, T).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.status, Some(409));
        assert_eq!(
            e.provider_text,
            Some(format!(
                "VM {ID} already has a 'stop' operation in progress"
            ))
        );

        // Only the code: it is still quoted.
        let code_only = HttpResponse::new(409, r#"{"error": "invalid_state"}"#);
        let e = accept(&a, &vm, &Action::Reboot, &code_only, T).unwrap_err();
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
            assert!(!e.to_string().contains("tok-123"));
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
        assert_eq!(o.raw_status, "start succeeded · running · boot booting");
        assert_eq!(o.message, None, "no words of the provider's own");
        // The state has not changed yet.
        let o = obs(
            "stop",
            &vm_json("running", Some("stop"), Some("succeeded"), "booted", after),
        );
        assert_eq!(o.state, TaskState::Running);
        assert_eq!(o.raw_status, "stop succeeded · running");
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
        assert_eq!(o.raw_status, "reboot succeeded · boot failed");
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
        assert_eq!(
            o.raw_status, "stop succeeded",
            "the previous operation, as shown"
        );
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
            vm_name: String::new(),
        };
        let missing = ProviderRef::ZennoCommand {
            project: P.into(),
            vm_id: "vm-gone".into(),
            command_id: "c-3".into(),
            operation: "start".into(),
            accepted_at: T,
            vm_name: String::new(),
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
            vm_name: String::new(),
        };
        assert!(a.observe_many_request(&[&mine, &elsewhere]).is_none());
    }

    #[test]
    fn read_vm_follows_the_listing_cursor_and_keeps_the_project() {
        let a = api();
        let req = a.read_vm_request(&VmId::new(ID), Some("project:p1"));
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
            request(&a, &listed.vms[0], &Action::Start).url,
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
        assert_eq!(
            a.allowed(&busy, ActionKind::Start),
            Err(Refusal::OperationUnderWay {
                status: busy.status_raw.clone()
            })
        );
        assert_eq!(
            a.allowed(&running, ActionKind::Start),
            Err(Refusal::AlreadyRunning)
        );
        assert_eq!(a.allowed(&stopped, ActionKind::Reboot), Err(Refusal::IsOff));
        assert_eq!(
            a.allowed(&odd, ActionKind::Reboot),
            Err(Refusal::MustBeRunning {
                status: odd.status_raw.clone()
            })
        );
        assert_eq!(
            a.allowed(&odd, ActionKind::Start),
            Err(Refusal::MustBeStopped {
                status: odd.status_raw.clone()
            })
        );
        assert_eq!(
            a.allowed(&running, ActionKind::PowerOff),
            Err(Refusal::NotOffered {
                provider: DialectKind::ZennoHosting
            })
        );
        for k in [
            ActionKind::PowerOff,
            ActionKind::Resize,
            ActionKind::Snapshot,
        ] {
            assert!(!yes(&running, k) && !yes(&stopped, k));
        }
        let mut lost = running.clone();
        lost.project = None;
        assert_eq!(
            a.allowed(&lost, ActionKind::Reboot),
            Err(Refusal::UnknownProject)
        );
        assert_eq!(
            a.validate(&Action::RestoreBackup {
                backup_id: "  ".into()
            }),
            Err(Refusal::EnterBackupId)
        );
        assert!(a
            .validate(&Action::RestoreBackup {
                backup_id: "bk-1".into()
            })
            .is_ok());
    }
}
