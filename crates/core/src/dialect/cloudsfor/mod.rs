//! cloudsfor: the "action object" dialect (DigitalOcean v2 style).
//!
//! Contract: `shared/providers/cloudsfor.md`. `POST /vms/{id}/actions {"type": …}` answers 201 with
//! an action object whose `id` is — as the documents say — the VM's id, so an action is found again
//! by `type` + `started_at` in `GET /vms/{id}/actions`. A VM is re-read on its own
//! (`GET /vms/{id}`: a few hundred bytes, where its list page is up to 200 VMs), which is also how
//! a deleted VM is seen gone (`404`).

use serde_json::{json, Value};

use super::{
    array, json_body, page_of, target_vm_id, Accepted, Caps, CreateCaps, CredentialKind,
    Credentials, DeleteCaps, Dialect, DialectKind, Endpoint, Found, Observation, RateLimit, Sizing,
    SnapshotCaps, Submit, VmPage,
};
use super::{Place, RebuildCaps};
use crate::catalogue::{Part, PartData};
use crate::dialect::links::has_scheme;
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{
    Action, ActionKind, Point, PointKind, PowerState, ProviderRef, RefKind, Res, Resize,
    ResourceKind, Scope, Target, Vm,
};
use crate::time::Millis;
use crate::words::Refusal;

mod activity;
mod catalogue;
mod find;
mod lifecycle;
mod net;
mod parse;
mod points;
mod volumes;

use parse::{find_action, observed, parse_vm, pinned, task_state};

/// DigitalOcean's maximum page size, so that a dozen or a hundred VMs cost one request.
pub const PER_PAGE: u32 = 200;

const ERROR_KEYS: &[&str] = &["message", "error", "id"];

/// The `type` of the action that creates a VM.
const CREATE_ACTION: &str = "create";

/// cloudsfor's facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::Cloudsfor,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::PowerOff,
        ActionKind::PowerCycle,
        ActionKind::Resize,
        ActionKind::Rename,
        ActionKind::Snapshot,
        ActionKind::PasswordReset,
        ActionKind::Rebuild,
    ],
    // Documented (DigitalOcean's): 5,000 an hour and 250 a minute. The hour is the tighter
    // sustained rate; bursts stay well inside the minute.
    rate_limit: RateLimit {
        per_second: 5000.0 / 3600.0,
        burst: 60.0,
    },
    credentials: &[CredentialKind::Basic],
    example_base: "https://cloudsfor.com/api/v1",
    observe_many: &[RefKind::CloudsforAction],
    observe_many_complete: false,
    read_many: false,
    list_details: true,
    power_list: false,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: false,
    resizes_to_catalogue_size: false,
    points: points::POINTS,
    vm_net: crate::dialect::vmnet::CLOUDSFOR,
    // Private networks (sheet "Networks, volumes, console"): see `net`.
    net: net::NET,
    snapshots: SnapshotCaps {
        max_per_vm: None,
        unique_names: false,
        description: false,
        refused_with_extra_volumes: false,
        // "not available in demo mode".
        demo_accounts_refuse: true,
    },
    queue_delay: 0,
    settles_as_report: false,
    reads_by_list_place: false,
    create: Some(CreateCaps {
        needs_admin: false,
        finds_new_by_name: false,
        // "create done": `running`, unlocked, an address in `networks`.
        addressed_when_ready: true,
        public_when_ready: false,
        place: Some(Place::Region),
        sizing: Sizing::Catalogue,
        network_required: false,
        security_group_required: false,
        ssh_keys: true,
        shows_password_once: false,
        // "backups": bool in the create body; backups are enabled at creation only.
        backups: true,
        public_ip: false,
    }),
    delete: Some(DeleteCaps {
        needs_stopped: false,
        needs_admin: false,
    }),
    rebuild: Some(RebuildCaps {
        current_image_only: false,
        needs_stopped: false,
        // The sheet's "done": `completed` AND `vm.image` is the new image; nothing of power.
        ends_running: false,
    }),
    activity: crate::dialect::Avail::Offered,
    // Block-storage volumes (sheet "Networks, volumes, console").
    volumes: volumes::VOLUMES,
};

pub struct Cloudsfor {
    api: Endpoint,
}

impl Cloudsfor {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Cloudsfor {
            api: Endpoint::new(base, credentials),
        }
    }

    fn body(&self, resp: &HttpResponse, what: &str, now: Millis) -> Result<Value, ApiError> {
        json_body(resp, ERROR_KEYS, what, now)
    }

    /// The `type` the provider uses for an action.
    pub fn action_type(action: &Action) -> &'static str {
        match action {
            Action::Start => "power_on",
            Action::Shutdown => "shutdown",
            Action::PowerOff => "power_off",
            Action::Reboot => "reboot",
            Action::PowerCycle => "power_cycle",
            Action::PasswordReset => "password_reset",
            Action::Resize(_) => "resize",
            Action::Rename { .. } => "rename",
            Action::Snapshot { .. } => "snapshot",
            // DigitalOcean restores a snapshot by rebuilding the VM from it.
            Action::RestoreSnapshot { .. } => "rebuild",
            Action::Rebuild { .. } => "rebuild",
            Action::RestoreBackup { .. } => "restore",
            Action::AutoBackups { on: true } => "enable_backups",
            Action::AutoBackups { on: false } => "disable_backups",
            // Not offered by this provider (see `CAPS`); never sent as actions.
            Action::DeleteSnapshot { .. } => "delete_snapshot",
            Action::Backup { .. } => "backup",
            Action::DeleteBackup { .. } => "delete_backup",
            Action::SnapshotToImage { .. } => "snapshot_to_image",
            // Never sent here (no server-side forced stop; the engine refuses it).
            Action::ShutdownWithin { .. } => "shutdown",
            Action::Create(_) => "create",
            Action::Delete { .. } => "delete",
            // Never sent: followed only.
            Action::Elsewhere { .. } => "",
            // With `network_id` (`net`).
            Action::AttachNetwork { .. } => "attach_network",
            Action::DetachNetwork { .. } => "detach_network",
            // Not VM actions (`net`): never sent as actions.
            Action::CreateNetwork { .. } | Action::DeleteNetwork { .. } => "unsupported",
            // Not offered by this provider (`CAPS.net`); never sent.
            Action::AllocateIp
            | Action::ReleaseIp { .. }
            | Action::CreateForward(_)
            | Action::UpdateForward { .. }
            | Action::DeleteForward { .. }
            | Action::SetVpc { .. }
            | Action::SetHostname { .. }
            | Action::AssignIp { .. }
            | Action::RemoveIp { .. }
            | Action::SetReverseDns { .. }
            | Action::ApplyFirewall { .. }
            | Action::SyncState
            | Action::OpenConsole => "unsupported",
            // Erigones' own options (see `CAPS`); never sent here.
            Action::StartFromIso(_)
            | Action::Freeze
            | Action::Unfreeze
            | Action::RefreshFromNode => "unsupported",
            // Volume actions: see `volumes` (their own path, never a VM action).
            Action::CreateVolume(_) => "create_volume",
            Action::AttachVolume { .. } => "attach",
            Action::DetachVolume { .. } => "detach",
            Action::ResizeVolume { .. } => "resize",
            Action::DeleteVolume { .. } => "delete_volume",
        }
    }
}

impl Dialect for Cloudsfor {
    fn kind(&self) -> DialectKind {
        DialectKind::Cloudsfor
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        if kind == ActionKind::Create {
            // Not on a VM: the catalogue checks it.
            return Ok(());
        }
        if vm.locked {
            return Err(Refusal::Locked);
        }
        if kind == ActionKind::Delete {
            // Whatever its power: the provider deletes a running VM too.
            return Ok(());
        }
        let running = vm.power == PowerState::Running;
        let stopped = vm.power == PowerState::Stopped;
        if !running && !stopped && kind != ActionKind::Rename {
            return Err(Refusal::StatusNotKnown {
                status: vm.status_raw.clone(),
                rename_only: true,
            });
        }
        match kind {
            ActionKind::Start if running => Err(Refusal::AlreadyRunning),
            ActionKind::Shutdown
            | ActionKind::PowerOff
            | ActionKind::Reboot
            | ActionKind::PowerCycle
                if stopped =>
            {
                Err(Refusal::IsOff)
            }
            ActionKind::PasswordReset if stopped => Err(Refusal::StartFirstForPassword),
            ActionKind::Resize if running => Err(Refusal::MustBeOffToResize),
            _ => Ok(()),
        }
    }

    fn validate(&self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::Resize(Resize::Flavor { .. }) => Err(Refusal::ResizesByAmounts {
                provider: DialectKind::Cloudsfor,
            }),
            _ => Ok(()),
        }
    }

    /// The first page; then each next page at the link the provider gave, as given (it may
    /// carry a cursor rather than a page number).
    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        match cursor.filter(|c| has_scheme(c)) {
            Some(url) => self.api.get_url(url),
            None => {
                let page = page_of(cursor);
                self.api
                    .get(&format!("vms?page={page}&per_page={PER_PAGE}"))
            }
        }
    }

    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        let v = self.body(resp, "the VM list", now)?;
        let items = array(&v, "vms", "the VM list")?;
        let vms = items.iter().filter_map(parse_vm).collect();
        let next = match v.pointer("/links/pages/next").and_then(Value::as_str) {
            Some(link) if !link.trim().is_empty() => {
                let this = self.list_request(cursor).url;
                vec![self.api.next_link(&this, link, "the VM list")?]
            }
            _ => Vec::new(),
        };
        Ok(VmPage { vms, next })
    }

    /// `GET /vms/{id}` (the lifecycle rows read a VM so): `404` once it is gone.
    fn read_vm_request(&self, vm_id: &VmId, _cursor: Option<&str>) -> HttpRequest {
        self.api
            .get(&format!("vms/{}", encode_component(vm_id.as_str())))
    }

    /// `{"vm": Vm}`, or a list page (`{"vms": [...]}`).
    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let v = self.body(resp, "the VM", now)?;
        match v.get("vm") {
            Some(one) => parse_vm(one)
                .map(|vm| vec![vm])
                .ok_or_else(|| ApiError::bad_response("the VM", "no `vm.id`")),
            None => Ok(array(&v, "vms", "the VM")?
                .iter()
                .filter_map(parse_vm)
                .collect()),
        }
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
    ) -> HttpRequest {
        if volumes::is_volume(action) {
            return self.volume_request(action);
        }
        if action.kind().res_kind().is_some() {
            return self.network_write(action);
        }
        let id = target_vm_id(target, vm);
        match action {
            Action::Create(spec) => return self.create_request(spec),
            Action::Delete { .. } => return self.delete_request(id),
            Action::DeleteSnapshot { id: snap, .. } => return self.delete_snapshot_request(snap),
            _ => {}
        }
        let mut body = json!({ "type": Self::action_type(action) });
        match action {
            Action::Resize(Resize::One { resource, size }) => {
                body["resource"] = json!(resource.as_str());
                body["size"] = json!(size);
            }
            Action::Resize(Resize::All { cpu, ram, disk }) => {
                body["data"] = json!({ "cpu": cpu, "ram": ram, "disk": disk });
            }
            Action::Rename { name } | Action::Snapshot { name, .. } => {
                body["name"] = json!(name.trim());
            }
            Action::RestoreSnapshot { id, .. } | Action::RestoreBackup { backup_id: id, .. } => {
                body["image"] = points::image_ref(id);
            }
            // The distro (or a snapshot id) as the catalogue gave it.
            Action::Rebuild { image } => body["image"] = json!(image.trim()),
            _ => Self::network_body(action, &mut body),
        }
        let path = format!("vms/{}/actions", encode_component(id));
        self.api.send(Method::Post, &path, &body)
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
        if volumes::is_volume(action) {
            return self.volume_accepted(action, resp, now);
        }
        if action.kind().res_kind().is_some() {
            return self.network_accepted(action, resp, now);
        }
        match action {
            Action::Create(_) => return self.parse_created(resp, now),
            Action::Delete { .. } => return self.parse_deleted(resp, now),
            Action::DeleteSnapshot { .. } => return self.parse_snapshot_deleted(resp, now),
            _ => {}
        }
        let v = self.body(resp, "the action request", now)?;
        let a = v
            .get("action")
            .ok_or_else(|| ApiError::bad_response("the action request", "no `action` object"))?;
        let raw = text(a, "status").unwrap_or_else(|| "(no status)".into());
        Ok(Accepted {
            provider_ref: ProviderRef::CloudsforAction {
                // Documented: the action's id is the VM id. Fall back to ours if it is missing.
                vm_id: text(a, "id").unwrap_or_else(|| target_vm_id(target, vm).to_string()),
                action_type: text(a, "type")
                    .unwrap_or_else(|| Self::action_type(action).to_string()),
                started_at: text(a, "started_at").unwrap_or_default(),
            },
            state: task_state(&raw),
            raw_status: raw,
            created: None,
            secret: None,
        })
    }

    fn points_request(&self, vm: &Vm, kind: PointKind) -> Option<HttpRequest> {
        Some(self.points_get(vm, kind))
    }

    fn parse_points(
        &self,
        kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        self.points_parse(kind, resp, now)
    }

    fn find_submit(&self, s: &Submit, cursor: Option<&str>) -> Option<HttpRequest> {
        Some(self.find_request(s, cursor))
    }

    fn parse_find_submit(
        &self,
        s: &Submit,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        self.parse_find(s, cursor, resp, now)
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        if let Some(request) = self.volume_actions_request(r) {
            return request;
        }
        let vm_id = match r {
            ProviderRef::CloudsforAction { vm_id, .. } => vm_id.as_str(),
            _ => "",
        };
        self.api
            .get(&format!("vms/{}/actions", encode_component(vm_id)))
    }

    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        let ProviderRef::CloudsforAction {
            action_type,
            started_at,
            ..
        } = r
        else {
            return Err(ApiError::bad_response(
                "the VM's actions",
                "not a cloudsfor action",
            ));
        };
        let v = self.body(resp, "the VM's actions", now)?;
        let actions = array(&v, "actions", "the VM's actions")?;
        Ok(match find_action(actions, None, action_type, started_at) {
            Some(a) => pinned(r, a, observed(a)),
            None => Observation {
                not_listed: true,
                ..Observation::default()
            },
        })
    }

    /// The account's most recent actions, all statuses, newest first: every open operation whose
    /// action is among them is observed with this one request.
    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .all(|r| matches!(r, ProviderRef::CloudsforAction { .. }))
            .then(|| self.api.get(&format!("actions?page=1&per_page={PER_PAGE}")))
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let v = self.body(resp, "the account's actions", now)?;
        let actions = array(&v, "actions", "the account's actions")?;
        Ok(refs
            .iter()
            .map(|r| match r {
                ProviderRef::CloudsforAction {
                    vm_id,
                    action_type,
                    started_at,
                } => find_action(actions, Some(vm_id), action_type, started_at)
                    .map(|a| pinned(r, a, observed(a))),
                _ => None,
            })
            .collect())
    }

    fn catalogue_requests(&self) -> Vec<(Part, HttpRequest)> {
        self.catalogue()
    }

    fn res_request(&self, scope: &Scope, kind: ResourceKind) -> Option<HttpRequest> {
        self.volumes_request(scope, kind)
            .or_else(|| self.networks_request(scope, kind))
    }

    fn parse_res(
        &self,
        _scope: &Scope,
        kind: ResourceKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        match kind {
            ResourceKind::Volume => self.volumes_parse(resp, now),
            ResourceKind::Network => self.networks_parse(resp, now),
            _ => Err(ApiError::bad_response(
                "the list",
                "not a list this provider has",
            )),
        }
    }

    fn running(&self, resp: &HttpResponse, _known: &[Vm]) -> Vec<crate::dialect::Running> {
        activity::running(resp)
    }

    fn activity_request(&self, page: u32) -> Option<HttpRequest> {
        let per = activity::FEED_PER_PAGE;
        Some(
            self.api
                .get(&format!("actions?page={}&per_page={per}", page.max(1))),
        )
    }

    fn parse_activity(
        &self,
        page: u32,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<crate::dialect::ActivityPage, ApiError> {
        let v = self.body(resp, "the account's actions", now)?;
        activity::page(&v, page)
            .ok_or_else(|| ApiError::bad_response("the account's actions", "no `actions` list"))
    }

    fn parse_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        self.read_catalogue(part, resp, now)
    }
}

#[cfg(test)]
mod tests;
