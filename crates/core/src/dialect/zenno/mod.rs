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

use super::Place;
use super::{
    array, json_body, target_vm_id, Accepted, Caps, CreateCaps, CredentialKind, Credentials,
    DeleteCaps, Dialect, DialectKind, Endpoint, Found, Observation, RateLimit, Sizing,
    SnapshotCaps, Submit, VmPage,
};
use crate::catalogue::{Part, PartData};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{
    Action, ActionKind, Point, PointKind, PowerState, ProviderRef, RefKind, Res, ResourceKind,
    Scope, Target, TaskState, Vm,
};
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

mod activity;
mod catalogue;
mod fields;
mod find;
mod lifecycle;
mod net;
mod observe;
mod points;

use fields::parse_vm;
use lifecycle::project_of;
use observe::{gone, learned, not_listed, observe, observe_listed, Cmd};

/// Where the provider's own text sits in an error body: `{"error": code, "message": text}`.
const ERROR_KEYS: &[&str] = &["message", "error"];

/// The prefix of a listing cursor that names a project.
pub const PROJECT_CURSOR: &str = "project:";

/// How far a terminal `updatedAt` of our own operation name may lie before the acceptance and
/// still count as ours (the provider's clock and ours differ; `updatedAt` has whole seconds).
/// Earlier than that, the VM still shows a previous run of the same operation.
pub const CLOCK_SLACK: Millis = 30 * SECOND;

/// The `operation` a new VM shows while it is created.
const CREATE: &str = "create";

/// The `operation` a VM shows while it is deleted.
const DELETE: &str = "delete";

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
    list_details: false,
    power_list: false,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: false,
    resizes_to_catalogue_size: false,
    points: points::POINTS,
    vm_net: crate::dialect::vmnet::ZENNO,
    net: net::NET,
    snapshots: SnapshotCaps {
        max_per_vm: None,
        unique_names: false,
        description: false,
        refused_with_extra_volumes: false,
        demo_accounts_refuse: false,
    },
    queue_delay: 2 * SECOND,
    settles_as_report: false,
    reads_by_list_place: true,
    create: Some(CreateCaps {
        needs_admin: false,
        // `202 {"commandId"}`, no id: the new VM is found in the list by its name.
        finds_new_by_name: true,
        addressed_when_ready: false,
        public_when_ready: false,
        // No regions: this is the project the VM goes to (`GET /projects`).
        place: Some(Place::Project),
        sizing: Sizing::Catalogue,
        network_required: false,
        security_group_required: false,
        ssh_keys: true,
        shows_password_once: false,
        // `publicIpMode`: "new" or "none" (reusing one is not offered); priced apart.
        backups: false,
        public_ip: true,
    }),
    delete: Some(DeleteCaps {
        needs_stopped: false,
        needs_admin: false,
    }),
    // "reinstall: not published …; not offered".
    rebuild: None,
    activity: crate::dialect::Avail::Absent(crate::dialect::Absent::NotPublished),
    // The sheet publishes no volumes.
    volumes: crate::dialect::VolCaps::absent(crate::dialect::Absent::NotPublished),
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
            Action::RestoreBackup { backup_id, .. } => (
                "restore",
                format!("backups/{}/restore", encode_component(backup_id.trim())),
            ),
            Action::Backup { .. } => ("backup", "backups".into()),
            Action::DeleteBackup { id, .. } => (
                "delete_backup",
                format!("backups/{}", encode_component(id.trim())),
            ),
            // Not offered by this provider (see `CAPS`); never sent.
            Action::RestoreSnapshot { .. } => ("restore_snapshot", "snapshots".into()),
            Action::DeleteSnapshot { .. } => ("delete_snapshot", "snapshots".into()),
            Action::AutoBackups { .. } => ("auto_backups", "backups".into()),
            Action::SnapshotToImage { .. } => ("snapshot_to_image", "snapshots".into()),
            // Not offered by this provider (see `CAPS`); never sent.
            Action::PowerOff => ("power_off", "power-off".into()),
            Action::PowerCycle => ("power_cycle", "power-cycle".into()),
            Action::PasswordReset => ("password_reset", "password-reset".into()),
            Action::Resize(_) => ("resize", "resize".into()),
            Action::Rename { .. } => ("rename", "rename".into()),
            Action::Snapshot { .. } => ("snapshot", "snapshot".into()),
            Action::Rebuild { .. } => ("rebuild", "rebuild".into()),
            // Never sent here (no server-side forced stop; the engine refuses it).
            Action::ShutdownWithin { .. } => ("stop", "stop".into()),
            // Not below a VM: see `lifecycle`.
            Action::Create(_) => (CREATE, String::new()),
            Action::Delete { .. } => (DELETE, String::new()),
            // Never sent: followed only.
            Action::Elsewhere { .. } => ("", String::new()),
            Action::AttachNetwork { .. } => ("attach_network", "networks".into()),
            Action::DetachNetwork { network, .. } => (
                "detach_network",
                format!("networks/{}", encode_component(network.trim())),
            ),
            // Not below a VM: see `net` (watched, no operation on a VM).
            Action::CreateNetwork { .. }
            | Action::DeleteNetwork { .. }
            | Action::AllocateIp
            | Action::ReleaseIp { .. }
            | Action::CreateForward(_)
            | Action::UpdateForward { .. }
            | Action::DeleteForward { .. } => ("", String::new()),
            // Not offered by this provider (see `CAPS.net`); never sent.
            Action::SetVpc { .. } => ("update_vpc", "vpc".into()),
            Action::SetHostname { .. } => ("change_hostname", "hostname".into()),
            // Not offered by this provider (see `CAPS.vm_net`); never sent.
            Action::AssignIp { .. }
            | Action::RemoveIp { .. }
            | Action::SetReverseDns { .. }
            | Action::ApplyFirewall { .. }
            | Action::SyncState
            | Action::OpenConsole => ("unsupported", "unsupported".into()),
            // Erigones' own options (see `CAPS`); never sent here.
            Action::StartFromIso(_)
            | Action::Freeze
            | Action::Unfreeze
            | Action::RefreshFromNode => ("", String::new()),
            // No volumes here (see `CAPS.volumes`); never sent.
            Action::CreateVolume(_)
            | Action::AttachVolume { .. }
            | Action::DetachVolume { .. }
            | Action::ResizeVolume { .. }
            | Action::DeleteVolume { .. } => ("", String::new()),
        }
    }

    fn parse_vms(&self, v: &Value, project: &str) -> Result<Vec<Vm>, ApiError> {
        let items = items(v, "the VM list")?;
        Ok(items
            .iter()
            .filter_map(|item| parse_vm(item, Some(project)))
            .collect())
    }
}

/// The `items` of a list answer (a bare array is taken too).
fn items<'a>(v: &'a Value, what: &str) -> Result<&'a [Value], ApiError> {
    match v {
        Value::Array(a) => Ok(a),
        _ => array(v, "items", what),
    }
}

/// The listing cursor of a project.
fn project_cursor(project: &str) -> String {
    format!("{PROJECT_CURSOR}{project}")
}

/// A project id from a listing cursor (`project:<id>`; a bare id is taken as is).
fn project_from_cursor(cursor: &str) -> &str {
    cursor.strip_prefix(PROJECT_CURSOR).unwrap_or(cursor)
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
        if kind == ActionKind::Create {
            // Not on a VM: the catalogue checks it.
            return Ok(());
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
            // Whatever its power.
            ActionKind::RestoreBackup
            | ActionKind::Backup
            | ActionKind::DeleteBackup
            | ActionKind::AttachNetwork
            | ActionKind::DetachNetwork
            | ActionKind::Delete => Ok(()),
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
            Action::RestoreBackup { backup_id, .. } if backup_id.trim().is_empty() => {
                Err(Refusal::EnterBackupId)
            }
            // The project the VM goes to (the form's region).
            Action::Create(spec) if project_of(spec).is_empty() => Err(Refusal::ChooseRegion {
                place: Place::Project,
            }),
            _ => Ok(()),
        }
    }

    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        match cursor {
            None => self.api.get("projects"),
            Some(c) => self.api.get(&format!(
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
            let items = array(&v, "items", "the project list")?;
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
        self.api.get(&Self::vm_path(project, vm_id.as_str()))
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
        if action.kind().res_kind().is_some() {
            return self.net_write(target, action);
        }
        let project = vm.and_then(Self::project_of).unwrap_or_default();
        let vm_id = target_vm_id(target, vm);
        match action {
            Action::Create(spec) => return self.create_request(spec),
            Action::Delete { .. } => return self.delete_request(&project, vm_id),
            _ => {}
        }
        let (_, tail) = Self::command(action);
        let path = Self::vm_path(&project, vm_id);
        match action {
            Action::Backup { name } => self.backup_write(&path, Some(name), None),
            Action::DeleteBackup { id, .. } => self.backup_write(&path, None, Some(id)),
            Action::AttachNetwork { network, .. } => self.api.send(
                Method::Post,
                &format!("{path}/networks"),
                &serde_json::json!({ "networkId": network.trim() }),
            ),
            Action::DetachNetwork { .. } => {
                self.api.request(Method::Delete, &format!("{path}/{tail}"))
            }
            _ => self.api.request(Method::Post, &format!("{path}/{tail}")),
        }
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
        if action.kind().res_kind().is_some() {
            return self.net_accepted(action, resp, now);
        }
        let deleting = matches!(action, Action::Delete { .. });
        // A VM already gone (a repeated delete) is what the delete meant.
        let gone = deleting && resp.status == 404;
        if !resp.is_success() && !gone {
            return Err(ApiError::from_response(resp, ERROR_KEYS, now));
        }
        // The 202 alone says the command was taken; the VM tells the rest. A body we cannot read
        // only costs us the command id, which is for display.
        let command_id = parse_lenient(&resp.body)
            .ok()
            .and_then(|v| text(&v, "commandId"))
            .unwrap_or_else(|| "(not given)".into());
        let (operation, _) = Self::command(action);
        // A new VM has no id yet: it is found by its name in its project's list.
        let (project, vm_id, vm_name) = match action {
            Action::Create(spec) => (project_of(spec), String::new(), spec.name.trim()),
            _ => (
                vm.and_then(Self::project_of).unwrap_or_default(),
                target_vm_id(target, vm).to_string(),
                target.vm_name(),
            ),
        };
        Ok(Accepted {
            provider_ref: ProviderRef::ZennoCommand {
                project,
                vm_id,
                command_id,
                operation: operation.to_string(),
                accepted_at: now,
                vm_name: vm_name.to_string(),
            },
            state: if gone {
                TaskState::Succeeded
            } else {
                TaskState::Pending
            },
            raw_status: if gone { "not found" } else { "accepted" }.into(),
            created: None,
            secret: None,
        })
    }

    fn points_request(&self, vm: &Vm, kind: PointKind) -> Option<HttpRequest> {
        self.backups_get(vm, kind)
    }

    fn parse_points(
        &self,
        _kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        self.backups_parse(resp, now)
    }

    fn res_request(&self, scope: &Scope, kind: ResourceKind) -> Option<HttpRequest> {
        self.net_list(scope, kind)
    }

    fn parse_res(
        &self,
        _scope: &Scope,
        kind: ResourceKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        self.net_parse(kind, resp, now)
    }

    fn find_submit(&self, s: &Submit, _cursor: Option<&str>) -> Option<HttpRequest> {
        Some(self.find_request(s))
    }

    fn parse_find_submit(
        &self,
        s: &Submit,
        _cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        self.parse_find(s, resp, now)
    }

    /// The command's VM; for a create not found yet, its project's list.
    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        match Cmd::of(r) {
            Some(c) if c.by_name() => self.list_request(Some(&project_cursor(c.project))),
            Some(c) => self.api.get(&Self::vm_path(c.project, c.vm_id)),
            None => self.api.get("projects"),
        }
    }

    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        let cmd = Cmd::of(r)
            .ok_or_else(|| ApiError::bad_response("the VM", "not a ZennoHosting command"))?;
        if resp.status == 404 && cmd.deletes() {
            return Ok(gone());
        }
        let v = self.body(resp, "the VM", now)?;
        if cmd.by_name() {
            let listed = observe_listed(items(&v, "the VM list")?, &cmd);
            return Ok(listed.map_or_else(not_listed, |o| learned(r, o)));
        }
        let vm = parse_vm(&v, Some(cmd.project))
            .ok_or_else(|| ApiError::bad_response("the VM", "no `id` field"))?;
        Ok(observe(cmd.operation, cmd.accepted_at, &v, vm))
    }

    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        let mut projects = refs.iter().map(|r| match r {
            ProviderRef::ZennoCommand { project, .. } => Some(project.as_str()),
            _ => None,
        });
        let first = projects.next()??;
        if projects.all(|p| p == Some(first)) {
            Some(self.list_request(Some(&project_cursor(first))))
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
        let items = items(&v, "the VM list")?;
        Ok(refs
            .iter()
            .map(|r| Some(learned(r, observe_listed(items, &Cmd::of(r)?)?)))
            .collect())
    }

    fn catalogue_requests(&self) -> Vec<(Part, HttpRequest)> {
        self.catalogue()
    }

    /// The chosen project's SSH keys (the form's region is the project).
    fn region_catalogue_requests(&self, region: &str) -> Vec<(Part, HttpRequest)> {
        self.project_catalogue(region)
    }

    fn parse_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        self.read_catalogue(part, resp, now)
    }

    fn running(&self, resp: &HttpResponse, known: &[Vm]) -> Vec<crate::dialect::Running> {
        activity::running(resp, known)
    }
}

#[cfg(test)]
mod tests;
