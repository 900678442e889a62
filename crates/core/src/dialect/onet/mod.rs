//! ONETSolutions: the "task resource" dialect.
//!
//! Contract: `shared/providers/onetsolutions.md`. A power action
//! (`POST /compute/instances/{id}/{start,stop,reboot,shutdown,reset}`) answers `202` with a task,
//! read again at `GET /compute/tasks/{id}`. Many tasks are observed at once from the project's
//! task list, `GET /compute/tasks?page=N&page_size=100` without a status filter: it shows
//! finished tasks as well as running ones, so one round of pages (followed while some watched
//! task is not yet found, at most [`MAX_TASK_PAGES`]) settles them all without per-task reads.
//! A failed attempt with retries left goes back to `pending`: a retrying task is not a failed
//! one, and the console shows "attempt k of n". A task's `result` is free-form: it is shown,
//! never read as an outcome.
//!
//! Lists are paginated (`?page=&page_size=` → `{count, next, previous, results}`); the next page is
//! built from the page number in `next`, never by following its host. There is no single-instance
//! read: an instance is re-read from the list page it was seen on. Rate limit 1000/min: a `429`
//! goes through [`ApiError::from_response`], whose `Retry-After` the engine honours.

use serde_json::{json, Value};

use super::{
    json_body, page_number, page_of, target_vm_id, Accepted, Caps, CreateCaps, CredentialKind,
    Credentials, DeleteCaps, Dialect, DialectKind, Endpoint, Found, Observation, RateLimit, Sizing,
    SnapshotCaps, Submit, VmPage,
};
use super::{Place, RebuildCaps};
use crate::catalogue::{Part, PartData};
use crate::dialect::links::has_scheme;
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::parse_lenient;
use crate::model::{
    Action, ActionKind, Point, PointKind, PowerState, ProviderRef, RefKind, Res, Resize,
    ResourceKind, Scope, Target, Vm,
};
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

mod activity;
mod catalogue;
mod find;
mod lifecycle;
mod net;
mod parse;
mod points;
mod tasks;
mod vmnet;
mod volumes;

use lifecycle::{accepted, gone, renamed, task_type};
use parse::parse_vm;
pub use parse::{observe_task, power_of};

/// The provider's maximum page size: a hundred instances (or unfinished tasks) per request.
pub const PAGE_SIZE: u32 = 100;

/// How deep observe-many reads the task list in one round: the 2,000 newest tasks. An operation
/// on none of these pages is looked at on its own.
pub const MAX_TASK_PAGES: u32 = 20;

/// Where ONET (Django REST framework) puts its words.
const ERROR_KEYS: &[&str] = &["detail", "message", "error", "errors", "non_field_errors"];

/// The longest task `result` quoted to the user.
const MAX_RESULT_TEXT: usize = 300;

/// ONETSolutions' facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::OnetSolutions,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::PowerOff,
        ActionKind::PowerCycle,
        ActionKind::Rename,
        ActionKind::Rebuild,
        ActionKind::Resize,
        ActionKind::SetHostname,
    ],
    // Documented: 1,000 a minute, bursts of 100 a second.
    rate_limit: RateLimit {
        per_second: 1000.0 / 60.0 * 0.9,
        burst: 60.0,
    },
    credentials: &[CredentialKind::Bearer],
    example_base: "https://api.onetsolutions.net/v1/organizations/ORG_ID/projects/PROJECT_ID",
    observe_many: &[RefKind::OnetTask, RefKind::OnetInstanceTask],
    observe_many_complete: false,
    read_many: false,
    list_details: true,
    power_list: false,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: false,
    resizes_to_catalogue_size: true,
    points: points::POINTS,
    vm_net: crate::dialect::vmnet::ONET,
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
    reads_by_list_place: false,
    create: Some(CreateCaps {
        needs_admin: false,
        finds_new_by_name: false,
        // "ready": the `create_vps` task completed and the instance `running`.
        addressed_when_ready: false,
        public_when_ready: false,
        // The location.
        place: Some(Place::Location),
        sizing: Sizing::Catalogue,
        // A VPC may be chosen, not required.
        network_required: false,
        security_group_required: false,
        ssh_keys: true,
        shows_password_once: false,
        // Backups are a paid addon activated on the instance afterwards, not a create field.
        backups: false,
        public_ip: false,
    }),
    delete: Some(DeleteCaps {
        needs_stopped: false,
        needs_admin: false,
    }),
    rebuild: Some(RebuildCaps {
        current_image_only: false,
        needs_stopped: false,
        // "done when `completed`, Instance `running`, image the new one".
        ends_running: true,
    }),
    activity: crate::dialect::Avail::Offered,
    // Volumes per instance (sheet "Volumes, VPC, firewall, console").
    volumes: volumes::VOLUMES,
};

pub struct Onet {
    api: Endpoint,
}

impl Onet {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Onet {
            api: Endpoint::new(base, credentials),
        }
    }

    fn body(&self, resp: &HttpResponse, what: &str, now: Millis) -> Result<Value, ApiError> {
        json_body(resp, ERROR_KEYS, what, now)
    }

    /// The `results` of a paginated answer, and its `next` link as given.
    fn page(
        &self,
        resp: &HttpResponse,
        what: &str,
        now: Millis,
    ) -> Result<(Vec<Value>, Option<String>), ApiError> {
        let v = self.body(resp, what, now)?;
        let results = v
            .get("results")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| ApiError::bad_response(what, "no `results` list"))?;
        let next = v
            .get("next")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        Ok((results, next))
    }

    /// The path segment of an action.
    pub fn action_path(action: &Action) -> &'static str {
        match action {
            Action::Start => "start",
            Action::PowerOff => "stop",
            Action::Reboot => "reboot",
            Action::Shutdown => "shutdown",
            Action::PowerCycle => "reset",
            // Not offered by this provider (see `CAPS`); never sent.
            _ => "unsupported",
        }
    }
}

impl Dialect for Onet {
    fn kind(&self) -> DialectKind {
        DialectKind::OnetSolutions
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        if kind == ActionKind::Create {
            // Not on an instance: the catalogue checks it.
            return Ok(());
        }
        if vm.locked || vm.status_raw == "pending" {
            return Err(Refusal::TaskRunning);
        }
        if kind == ActionKind::Delete {
            // Whatever its status, `error` included.
            return Ok(());
        }
        let running = vm.power == PowerState::Running;
        let stopped = vm.power == PowerState::Stopped;
        if !running && !stopped {
            return Err(Refusal::StatusNotKnown {
                status: vm.status_raw.clone(),
                rename_only: false,
            });
        }
        match kind {
            ActionKind::Start if running => Err(Refusal::AlreadyRunning),
            ActionKind::Start => Ok(()),
            ActionKind::Shutdown
            | ActionKind::Reboot
            | ActionKind::PowerOff
            | ActionKind::PowerCycle
                if stopped =>
            {
                Err(Refusal::IsOff)
            }
            ActionKind::Shutdown
            | ActionKind::Reboot
            | ActionKind::PowerOff
            | ActionKind::PowerCycle => Ok(()),
            // "instance must be stopped" (documented for snapshots; the same for backups).
            ActionKind::RestoreSnapshot | ActionKind::RestoreBackup if !stopped => {
                Err(Refusal::MustBeStopped {
                    status: vm.status_raw.clone(),
                })
            }
            kind if CAPS.points.avail(kind).is_some_and(|a| a.offered()) => Ok(()),
            // Whatever its power ("done when … Instance `running`": it comes back up); a rename
            // is the instance's metadata.
            ActionKind::Rebuild | ActionKind::Rename => Ok(()),
            // `resize_vps` names no power rule; a task in progress refuses it (400).
            ActionKind::Resize => Ok(()),
            // Whatever its power (the sim and the sheet name no state rule).
            // The `change_hostname` task names no power rule; a task in progress refuses it.
            ActionKind::SetHostname => Ok(()),
            ActionKind::SetVpc
            | ActionKind::AssignIp
            | ActionKind::RemoveIp
            | ActionKind::SetReverseDns
            | ActionKind::ApplyFirewall
            | ActionKind::SyncState => Ok(()),
            // A console is a running instance's.
            ActionKind::OpenConsole if !running => Err(Refusal::MustBeRunning {
                status: vm.status_raw.clone(),
            }),
            ActionKind::OpenConsole => Ok(()),
            // Whatever its power: a detach from a running instance asks first (the engine's
            // volume rules), the provider takes it.
            kind if CAPS.volumes.avail(kind).is_some_and(|a| a.offered()) => Ok(()),
            _ => Err(Refusal::NotOffered {
                provider: DialectKind::OnetSolutions,
            }),
        }
    }

    /// A resize names one of the catalogue's sizes (its `size_id`), never amounts or a flavor.
    fn validate(&self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::Resize(Resize::Size { id, .. }) if !id.trim().is_empty() => Ok(()),
            Action::Resize(_) => Err(Refusal::ResizesByFlavor {
                provider: DialectKind::OnetSolutions,
            }),
            _ => Ok(()),
        }
    }

    /// The first page; then each next page at the `next` link the provider gave, as given.
    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        match cursor.filter(|c| has_scheme(c)) {
            Some(url) => self.api.get_url(url),
            None => {
                let page = page_of(cursor);
                self.api.get(&format!(
                    "compute/instances?page={page}&page_size={PAGE_SIZE}"
                ))
            }
        }
    }

    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        let (results, next) = self.page(resp, "the instance list", now)?;
        let this = self.list_request(cursor).url;
        let next = match next {
            Some(link) => Some(self.api.next_link(&this, &link, "the instance list")?),
            None => None,
        };
        // Where both number their pages, only forward: a `next` pointing back would make the
        // listing go round (one that comes back again ends it with an error, the engine's
        // check).
        let forward = |url: &String| match (page_number(&this), page_number(url)) {
            (Some(here), Some(there)) => there > here,
            _ => true,
        };
        let next = next.filter(forward).into_iter().collect();
        Ok(VmPage {
            vms: results.iter().filter_map(parse_vm).collect(),
            next,
        })
    }

    /// `GET /compute/instances/{id}`: the instance alone, and `404` once it is gone (the
    /// lifecycle rows read an instance so).
    fn read_vm_request(&self, vm_id: &VmId, _cursor: Option<&str>) -> HttpRequest {
        self.api.get(&format!(
            "compute/instances/{}",
            encode_component(vm_id.as_str())
        ))
    }

    /// An Instance, or a page of them.
    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let v = self.body(resp, "the instance", now)?;
        if v.get("results").is_some() {
            let (results, _) = self.page(resp, "the instance list", now)?;
            return Ok(results.iter().filter_map(parse_vm).collect());
        }
        parse_vm(&v)
            .map(|vm| vec![vm])
            .ok_or_else(|| ApiError::bad_response("the instance", "no `id`"))
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
    ) -> HttpRequest {
        let id = target_vm_id(target, vm);
        match action {
            Action::Create(spec) => return self.create_request(spec),
            Action::Delete { .. } => return self.delete_request(id),
            Action::Rebuild { image } => return self.reinstall_request(id, image),
            Action::Rename { name } => return self.rename_request(id, name),
            Action::SetHostname { hostname } => return self.hostname_request(id, hostname),
            Action::SetVpc { vpc, .. } => return self.vpc_request(id, vpc),
            Action::Resize(Resize::Size { id: size, .. }) => return self.resize_request(id, size),
            a if volumes::volume_task(a).is_some() => return self.volume_request(target, a),
            _ => {}
        }
        if let Some(request) = self.vm_net_request(id, action) {
            return request;
        }
        if let Some(request) = self.point_request(id, action) {
            return request;
        }
        let path = format!(
            "compute/instances/{}/{}",
            encode_component(id),
            Self::action_path(action)
        );
        self.api.send(Method::Post, &path, &json!({}))
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
        if volumes::volume_task(action).is_some() {
            return self.volume_accepted(target, action, resp, now);
        }
        let creating = matches!(action, Action::Create(_));
        // A `404` to a removal: the thing is not there (any more); what it targets tells.
        let deletes = matches!(
            action,
            Action::Delete { .. }
                | Action::DeleteSnapshot { .. }
                | Action::DeleteBackup { .. }
                | Action::RemoveIp { .. }
        );
        if deletes && resp.status == 404 {
            return Ok(gone());
        }
        if resp.status == 403 && action.kind().point_kind().is_some() {
            return Err(points::addon_refused(resp, now));
        }
        if !resp.is_success() {
            let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
            // An action carries no parameters: a 400 is the instance's state refusing it
            // ("already has a task in progress", "is not running"). A create's 400 is its body,
            // and so is a reinstall's when it names its fields (DRF's `{"image_id": [...]}`).
            let body_refused = creating
                || (matches!(
                    action,
                    Action::Rebuild { .. }
                        | Action::Rename { .. }
                        | Action::SetHostname { .. }
                        | Action::AssignIp { .. }
                        | Action::SetReverseDns { .. }
                        | Action::ApplyFirewall { .. }
                ) && lifecycle::names_fields(resp));
            if resp.status == 400 && !body_refused {
                e.kind = ErrorKind::Conflict;
            }
            return Err(e);
        }
        let body = if resp.body.trim().is_empty() {
            Value::Null
        } else {
            parse_lenient(&resp.body).map_err(|e| ApiError::bad_response("the request", e))?
        };
        if matches!(action, Action::Rename { .. }) {
            return renamed(&body);
        }
        accepted(&body, target_vm_id(target, vm), task_type(action), creating)
    }

    fn points_request(&self, vm: &Vm, kind: PointKind) -> Option<HttpRequest> {
        Some(self.points_get(vm, kind))
    }

    fn res_request(&self, scope: &Scope, kind: ResourceKind) -> Option<HttpRequest> {
        self.vpcs_request(scope, kind)
            .or_else(|| self.firewall_request(scope, kind))
            .or_else(|| self.volumes_request(scope, kind))
    }

    fn res_item_request(&self, scope: &Scope, kind: ResourceKind, id: &str) -> Option<HttpRequest> {
        self.console_request(scope, kind, id)
    }

    fn parse_res(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        match kind {
            ResourceKind::Firewall | ResourceKind::Console => {
                self.vm_net_parse(scope, kind, resp, now)
            }
            ResourceKind::Volume => self.volumes_parse(resp, now),
            _ => self.vpcs_parse(resp, now),
        }
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
        self.task_request(r)
    }

    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        self.parse_task(r, resp, now)
    }

    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .all(|r| CAPS.observes_many(r.kind()))
            .then(|| self.task_page(1))
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        self.parse_task_page(refs, resp, now)
    }

    fn observe_many_next(&self, refs: &[&ProviderRef], resp: &HttpResponse) -> Option<HttpRequest> {
        self.next_task_page(refs, resp)
    }

    fn catalogue_requests(&self) -> Vec<(Part, HttpRequest)> {
        self.catalogue()
    }

    fn parse_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        self.read_catalogue(part, resp, now)
    }

    fn running(&self, resp: &HttpResponse, _known: &[Vm]) -> Vec<crate::dialect::Running> {
        activity::running(resp)
    }

    fn activity_request(&self, page: u32) -> Option<HttpRequest> {
        let size = activity::FEED_PAGE_SIZE;
        Some(self.api.get(&format!(
            "compute/tasks?page={}&page_size={size}&ordering=-created",
            page.max(1)
        )))
    }

    fn parse_activity(
        &self,
        _page: u32,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<crate::dialect::ActivityPage, ApiError> {
        let v = self.body(resp, "the task list", now)?;
        activity::page(&v)
            .ok_or_else(|| ApiError::bad_response("the task list", "no `results` list"))
    }
}

#[cfg(test)]
mod tests;
