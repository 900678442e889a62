//! Hostway FlexCloud: the "202 + Location" dialect (OpenStack-Compute style).
//!
//! Contract: `shared/providers/hostway.md`, source `seeds/004_*.txt`. `GET /servers` lists ids
//! only, so a listing costs one request plus one `GET /servers/{id}` per server (one
//! [`VmPage::next`] cursor `server:<id>` each; the engine reads them with bounded concurrency).
//! Server actions answer `202` with an empty body and show as the server's `PROCESSING` status
//! until done; the server itself is then the outcome. Snapshots answer `202` with a `Location`
//! header and a `self` link, followed as given, whose `status` goes `BUILD` → `ACTIVE`
//! (or `DELETED`); so does a create, whose new server is read at its `Location` until ready.

use serde_json::{json, Value};

use super::Place;
use super::{
    array, target_vm_id, Accepted, Caps, CreateCaps, CredentialKind, Credentials, DeleteCaps,
    Dialect, DialectKind, Endpoint, Found, Observation, RateLimit, Sizing, SnapshotCaps, Submit,
    VmPage,
};
use crate::catalogue::{Part, PartData};
use crate::dialect::{Absent, Avail, NetCaps, ResOps};
use crate::error::ApiError;
use crate::http::{encode_component, join, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{
    Action, ActionKind, Point, PointKind, PowerTarget, ProviderRef, RefKind, Resize, Target,
    TaskState, Vm,
};
use crate::time::Millis;
use crate::words::Refusal;

mod catalogue;
mod doc_json;
mod find;
mod lifecycle;
mod links;
mod observe;
mod parse;
mod points;

pub use crate::dialect::links::resolve;
pub use doc_json::parse_doc_json;
use links::snapshot_href;
use observe::{build, deletion, server_change};
use parse::{busy, fault, parse_server, power_of, progress_of, snapshot_state, status_of};

/// Top-level keys of an error body; OpenStack-style faults nest theirs one level down
/// (`{"conflictingRequest": {"message": "Already rebooting", "code": 409}}`).
const ERROR_KEYS: &[&str] = &["message", "error", "detail"];

/// The prefix of a listing cursor that names a server.
pub const SERVER_CURSOR: &str = "server:";

/// Hostway's documented number of snapshots per server.
pub const MAX_SNAPSHOTS: usize = 3;

/// Hostway's facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::Hostway,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::PowerCycle,
        ActionKind::Resize,
        ActionKind::Snapshot,
    ],
    // Not published: a conservative 8 a second (429 + Retry-After is honoured anyway).
    rate_limit: RateLimit {
        per_second: 8.0,
        burst: 40.0,
    },
    credentials: &[CredentialKind::Basic],
    example_base: "https://API_SERVER/accounts/ACCOUNT_ID/flexcloud",
    // Server actions only: a new server is `BUILD`, never `PROCESSING`, so the list could not
    // show it; each create is read on its own (`RefKind::HostwayBuild`).
    observe_many: &[RefKind::HostwayServer],
    // Every server of a status lists under `?status=` (documented): a server action whose
    // server left `PROCESSING` has ended.
    observe_many_complete: true,
    read_many: false,
    list_details: false,
    power_list: true,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: true,
    resizes_to_catalogue_size: false,
    points: points::POINTS,
    // "private networks …: not offered"; flexible IPs are in the sheet but not done here yet;
    // no port forwards.
    vm_net: crate::dialect::vmnet::HOSTWAY,
    net: NetCaps {
        networks: ResOps::absent(Absent::NotPublished),
        attach: Avail::Absent(Absent::NotPublished),
        cidr: Avail::Absent(Absent::NotPublished),
        members: Avail::Absent(Absent::NotPublished),
        vpc: Avail::Absent(Absent::NotPublished),
        public_ips: ResOps::absent(Absent::NotYetSupported),
        forwards: ResOps::absent(Absent::NotPublished),
        per_place: false,
    },
    snapshots: SnapshotCaps {
        max_per_vm: Some(MAX_SNAPSHOTS),
        unique_names: true,
        description: true,
        refused_with_extra_volumes: true,
        demo_accounts_refuse: false,
    },
    queue_delay: 0,
    // Its server's `PROCESSING` is all it says of an action (the sheet).
    settles_as_report: true,
    reads_by_list_place: false,
    create: Some(CreateCaps {
        needs_admin: false,
        finds_new_by_name: false,
        // "ready": `ACTIVE`, progress 100, a host, `addresses.public` not empty.
        addressed_when_ready: true,
        public_when_ready: true,
        // The zone.
        place: Some(Place::Zone),
        sizing: Sizing::Catalogue,
        network_required: false,
        security_group_required: true,
        // "no SSH keys" in the create body.
        ssh_keys: false,
        // Without `adminPass` a generated one is returned: shown once, never kept.
        shows_password_once: true,
        backups: false,
        public_ip: false,
    }),
    delete: Some(DeleteCaps {
        needs_stopped: false,
        needs_admin: false,
    }),
    // "rebuild: none published; not offered".
    rebuild: None,
    activity: crate::dialect::Avail::Absent(crate::dialect::Absent::NotPublished),
    // "private networks, volumes: none published".
    volumes: crate::dialect::VolCaps::absent(crate::dialect::Absent::NotPublished),
};

pub struct Hostway {
    api: Endpoint,
}

/// What a request was for, to read its errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Read,
    Action,
    Snapshot,
    Create,
}

impl Hostway {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Hostway {
            api: Endpoint::new(base, credentials),
        }
    }

    fn server_path(id: &str) -> String {
        format!("servers/{}", encode_component(id))
    }

    /// Where snapshots of a server are created: the URL a relative `Location` is resolved against.
    fn snapshots_url(&self, server_id: &str) -> String {
        join(
            &self.api.base,
            &format!("{}/snapshots", Self::server_path(server_id)),
        )
    }

    /// A `Location` / `self` link the answer to `request_url` gave, followed as given: resolved
    /// against that URL where relative (RFC 3986), never rebuilt from an id. Credentials go only
    /// where they were configured for.
    fn follow(&self, request_url: &str, href: &str) -> HttpRequest {
        self.api.get_url(&resolve(request_url, href))
    }

    fn body(
        &self,
        resp: &HttpResponse,
        call: Call,
        what: &str,
        now: Millis,
    ) -> Result<Value, ApiError> {
        if !resp.is_success() {
            return Err(fault(resp, call, now));
        }
        parse_doc_json(&resp.body).map_err(|e| ApiError::bad_response(what, e))
    }

    /// The body of `POST /servers/{id}/action`.
    pub fn action_body(action: &Action) -> Value {
        match action {
            Action::Reboot => json!({"reboot": {"type": "SOFT"}}),
            Action::PowerCycle => json!({"reboot": {"type": "HARD"}}),
            Action::Shutdown => json!({"os-stop": null}),
            Action::Start => json!({"os-start": null}),
            Action::Resize(Resize::Flavor { id }) => {
                json!({"resize": {"flavor": {"id": id.trim()}}})
            }
            // Not offered by this provider (see `CAPS` and `validate`); never sent. The
            // provider would answer 405.
            other => json!({ format!("{:?}", other.kind()).to_lowercase(): null }),
        }
    }
}

impl Dialect for Hostway {
    fn kind(&self) -> DialectKind {
        DialectKind::Hostway
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        if !CAPS.offers(kind) {
            return Err(Refusal::NotOffered {
                provider: DialectKind::Hostway,
            });
        }
        if kind == ActionKind::Create {
            // Not on a server: the catalogue checks it.
            return Ok(());
        }
        let status = vm.status_raw.to_ascii_uppercase();
        match status.as_str() {
            "PROCESSING" | "BUILD" => Err(Refusal::Changing {
                status: vm.status_raw.clone(),
            }),
            "DELETED" => Err(Refusal::Deleted),
            "SUSPENDED" => match kind {
                ActionKind::Snapshot | ActionKind::Delete => Ok(()),
                _ => Err(Refusal::Suspended),
            },
            "ACTIVE" => match kind {
                ActionKind::Start => Err(Refusal::AlreadyRunning),
                _ => Ok(()),
            },
            "STOPPED" => match kind {
                ActionKind::Shutdown | ActionKind::Reboot | ActionKind::PowerCycle => {
                    Err(Refusal::IsOff)
                }
                _ => Ok(()),
            },
            _ => Err(Refusal::StatusNotKnown {
                status: vm.status_raw.clone(),
                rename_only: false,
            }),
        }
    }

    fn validate(&self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::Resize(Resize::Flavor { id }) if id.trim().is_empty() => {
                Err(Refusal::EnterFlavor)
            }
            Action::Resize(Resize::One { .. } | Resize::All { .. }) => {
                Err(Refusal::ResizesByFlavor {
                    provider: DialectKind::Hostway,
                })
            }
            _ => Ok(()),
        }
    }

    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        match cursor {
            None => self.api.get("servers"),
            Some(c) => self.api.get(&Self::server_path(
                c.strip_prefix(SERVER_CURSOR).unwrap_or(c),
            )),
        }
    }

    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        if cursor.is_none() {
            let v = self.body(resp, Call::Read, "the server list", now)?;
            let servers = array(&v, "servers", "the server list")?;
            let next = servers
                .iter()
                .filter_map(|s| text(s, "id").filter(|id| !id.is_empty()))
                .map(|id| format!("{SERVER_CURSOR}{id}"))
                .collect();
            return Ok(VmPage {
                vms: Vec::new(),
                next,
            });
        }
        if resp.status == 404 {
            // Deleted between the list and this read: nothing to show.
            return Ok(VmPage::default());
        }
        let v = self.body(resp, Call::Read, "the server", now)?;
        let vm = parse_server(&v).ok_or_else(|| ApiError::bad_response("the server", "no `id`"))?;
        Ok(VmPage {
            vms: vec![vm],
            next: Vec::new(),
        })
    }

    fn read_vm_request(&self, vm_id: &VmId, _cursor: Option<&str>) -> HttpRequest {
        self.api.get(&Self::server_path(vm_id.as_str()))
    }

    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let v = self.body(resp, Call::Read, "the server", now)?;
        parse_server(&v)
            .map(|vm| vec![vm])
            .ok_or_else(|| ApiError::bad_response("the server", "no `id`"))
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
    ) -> HttpRequest {
        let id = target_vm_id(target, vm);
        let server = Self::server_path(id);
        match action {
            Action::Create(spec) => self.create_request(spec),
            Action::Delete { .. } => self.delete_request(id),
            Action::RestoreSnapshot { .. } | Action::DeleteSnapshot { .. } => self
                .snapshot_write(id, action)
                .unwrap_or_else(|| self.api.get(&server)),
            Action::Snapshot { name, description } => {
                let body = json!({"snapshot": {"name": name.trim(), "description": description}});
                self.api
                    .send(Method::Post, &format!("{server}/snapshots"), &body)
            }
            _ => self.api.send(
                Method::Post,
                &format!("{server}/action"),
                &Self::action_body(action),
            ),
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
        let server_id = target_vm_id(target, vm).to_string();
        let call = match action {
            Action::Create(_) => return self.parse_created(resp, now),
            Action::Delete { .. } => return self.parse_deleted(&server_id, resp, now),
            Action::RestoreSnapshot { .. } | Action::DeleteSnapshot { .. } => {
                if let Some(acc) = self.parse_snapshot_write(&server_id, action, resp, now) {
                    return acc;
                }
                Call::Action
            }
            Action::Snapshot { .. } => Call::Snapshot,
            _ => Call::Action,
        };
        if !resp.is_success() {
            return Err(fault(resp, call, now));
        }
        if call != Call::Snapshot {
            // `202`, empty body: the server's status is the task.
            return Ok(Accepted {
                provider_ref: ProviderRef::HostwayServer { server_id },
                state: TaskState::Running,
                raw_status: "accepted".into(),
                created: None,
                secret: None,
            });
        }
        let href = snapshot_href(resp).ok_or_else(|| {
            ApiError::bad_response(
                "the snapshot request",
                "it gave neither a Location header nor a self link",
            )
        })?;
        let status = parse_doc_json(&resp.body)
            .ok()
            .and_then(|v| text(v.get("snapshot").unwrap_or(&v), "status"))
            .unwrap_or_else(|| "accepted".into());
        Ok(Accepted {
            provider_ref: ProviderRef::HostwaySnapshot { server_id, href },
            state: match snapshot_state(&status) {
                TaskState::Unknown(_) if status == "accepted" => TaskState::Running,
                s => s,
            },
            raw_status: status,
            created: points::created_id(resp),
            secret: None,
        })
    }

    fn points_request(&self, vm: &Vm, kind: PointKind) -> Option<HttpRequest> {
        (kind == PointKind::Snapshot).then(|| self.snapshots_get(vm))
    }

    fn parse_points(
        &self,
        _kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        self.snapshots_parse(resp, now)
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
        match r {
            ProviderRef::HostwaySnapshot { server_id, href } => {
                self.follow(&self.snapshots_url(server_id), href)
            }
            // Where `POST /servers` said the new server is.
            ProviderRef::HostwayBuild {
                href: Some(href), ..
            } => self.follow(&join(&self.api.base, "servers"), href),
            ProviderRef::HostwayServer { server_id }
            | ProviderRef::HostwayBuild { server_id, .. }
            | ProviderRef::HostwayDeletion { server_id } => {
                self.api.get(&Self::server_path(server_id))
            }
            _ => self.api.get("servers"),
        }
    }

    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        match r {
            ProviderRef::HostwayServer { .. } => {
                server_change(&self.body(resp, Call::Read, "the server", now)?)
            }
            ProviderRef::HostwayBuild { .. } => {
                build(&self.body(resp, Call::Read, "the server", now)?)
            }
            ProviderRef::HostwayDeletion { .. } if resp.status == 404 => Ok(observe::gone()),
            ProviderRef::HostwayDeletion { .. } => {
                deletion(&self.body(resp, Call::Read, "the server", now)?)
            }
            ProviderRef::HostwaySnapshot { .. } => {
                let v = self.body(resp, Call::Read, "the snapshot", now)?;
                let s = v.get("snapshot").unwrap_or(&v);
                let status = text(s, "status").unwrap_or_else(|| "(no status)".into());
                // `DELETED` before `ACTIVE`: Hostway discarded it.
                Ok(Observation {
                    progress: progress_of(&status, s),
                    state: snapshot_state(&status),
                    raw_status: status,
                    ..Observation::default()
                })
            }
            other => Err(ApiError::bad_response(
                "the observation",
                format!(
                    "{} is not a Hostway operation",
                    crate::words::describe_ref(other)
                ),
            )),
        }
    }

    /// Servers still changing, in one request (`GET /servers?status=PROCESSING`, documented
    /// filter): a server action whose server is listed is still running; one that is not has
    /// settled (the list is complete), and is verified from a list of the servers in the state it
    /// waits for, or read on its own (that read also verifies it). Snapshots and creates (a new
    /// server is `BUILD`, never listed here) are not covered.
    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .any(|r| matches!(r, ProviderRef::HostwayServer { .. }))
            .then(|| self.api.get("servers?status=PROCESSING"))
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let listed = self.listed_ids(resp, "the servers still changing", now)?;
        Ok(refs
            .iter()
            .map(|r| match r {
                ProviderRef::HostwayServer { server_id } if listed.contains(server_id) => {
                    Some(Observation {
                        state: TaskState::Running,
                        raw_status: "PROCESSING".into(),
                        ..Observation::default()
                    })
                }
                _ => None,
            })
            .collect())
    }

    /// `GET /servers?status=ACTIVE` (or `STOPPED`): ids only, which is enough for a power
    /// action that only has to show that state.
    fn power_list_request(&self, target: PowerTarget) -> Option<HttpRequest> {
        Some(
            self.api
                .get(&format!("servers?status={}", status_of(target))),
        )
    }

    fn parse_power_list(
        &self,
        target: PowerTarget,
        known: &[Vm],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Vm>, ApiError> {
        let status = status_of(target);
        let listed: std::collections::HashSet<String> = self
            .listed_ids(resp, &format!("the {status} servers"), now)?
            .into_iter()
            .collect();
        Ok(known
            .iter()
            .filter(|vm| listed.contains(vm.id.as_str()))
            .map(|vm| Vm {
                power: power_of(status),
                locked: busy(status),
                status_raw: status.to_string(),
                ..vm.clone()
            })
            .collect())
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
}

impl Hostway {
    /// The ids of a `GET /servers?status=…` answer.
    fn listed_ids(
        &self,
        resp: &HttpResponse,
        what: &str,
        now: Millis,
    ) -> Result<Vec<String>, ApiError> {
        let v = self.body(resp, Call::Read, what, now)?;
        Ok(v.get("servers")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response(what, "no `servers`"))?
            .iter()
            .filter_map(|s| text(s, "id"))
            .collect())
    }
}

#[cfg(test)]
mod tests;
