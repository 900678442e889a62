//! ZennoHosting's networks, public IPs and port forwards (sheet section "Networks, public IPs,
//! port forwards"), all per project ([`crate::model::Scope::Place`]):
//!
//! * networks `GET/POST /projects/{p}/networks` (`{"name"}`, never a `cidr`), `DELETE
//!   …/networks/{n}`; Network `{id, name, cidr, status}`; a create is done when `active` AND
//!   `cidr` is set; a delete is refused (`409`) while VMs are attached.
//! * a VM joins and leaves with `POST …/vms/{id}/networks {"networkId"}` / `DELETE
//!   …/vms/{id}/networks/{n}`, observed on the VM (`operation: attach_network` /
//!   `detach_network`) and verified on its `networks[]` (see [`super::Zenno::command`]).
//! * public IPs `GET/POST /projects/{p}/public-ips` (`{}`), `DELETE …/public-ips/{ip}`;
//!   `{id, address, status, vmId}`.
//! * rules `GET/POST …/public-ips/{ip}/port-forwards`, `PATCH/DELETE …/port-forwards/{f}`;
//!   `{id, protocol, externalPort, vmId, internalPort, status}`; done when re-read `active` with
//!   the values sent, or gone.
//!
//! Every write answers `202 {"commandId"}`, no id and no task: the resource itself is watched
//! ([`ProviderRef::Watch`]). Unknown statuses stay raw and never count as done.

use serde_json::{json, Value};

use super::{items, Zenno, ERROR_KEYS};
use crate::dialect::{json_body, uint32, Absent, Accepted, Avail, NetCaps, ResOps};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{
    normalize_time, Action, ForwardSpec, Protocol, ProviderRef, Res, ResDetail, ResState,
    ResourceKind, Scope, Target, TaskState,
};
use crate::time::Millis;

/// ZennoHosting's networks, public IPs and forwards: all of them, per project; no VPCs.
pub const NET: NetCaps = NetCaps {
    networks: ResOps {
        list: Avail::Offered,
        create: Avail::Offered,
        // "update" in the sheet is a VM's attachment (its internal address), not the network.
        update: Avail::Absent(Absent::NotPublished),
        delete: Avail::Offered,
    },
    attach: Avail::Offered,
    cidr: Avail::Offered,
    members: Avail::Offered,
    vpc: Avail::Absent(Absent::NotPublished),
    public_ips: ResOps {
        list: Avail::Offered,
        create: Avail::Offered,
        update: Avail::Absent(Absent::NotPublished),
        delete: Avail::Offered,
    },
    forwards: ResOps::ALL,
    per_place: true,
};

fn project_path(project: &str) -> String {
    format!("projects/{}", encode_component(project))
}

/// The path of a list in `scope`, where this provider has one.
fn list_path(scope: &Scope, kind: ResourceKind) -> Option<String> {
    match (scope, kind) {
        (Scope::Place(p), ResourceKind::Network) => Some(format!("{}/networks", project_path(p))),
        (Scope::Place(p), ResourceKind::PublicIp) => {
            Some(format!("{}/public-ips", project_path(p)))
        }
        (
            Scope::Parent {
                kind: ResourceKind::PublicIp,
                id,
                place: Some(p),
            },
            ResourceKind::Forward,
        ) => Some(format!(
            "{}/public-ips/{}/port-forwards",
            project_path(p),
            encode_component(id.trim())
        )),
        _ => None,
    }
}

/// A rule's body: every value, as the sheet names them.
fn forward_body(spec: &ForwardSpec) -> Value {
    json!({
        "protocol": spec.protocol.as_str(),
        "externalPort": spec.external_port,
        "vmId": spec.vm.as_str(),
        "internalPort": spec.internal_port,
    })
}

impl Zenno {
    pub(super) fn net_list(&self, scope: &Scope, kind: ResourceKind) -> Option<HttpRequest> {
        list_path(scope, kind).map(|p| self.api.get(&p))
    }

    /// The request of an action on a network, public IP or rule (`target`'s list path, and
    /// the item's id below it where it has one).
    pub(super) fn net_write(&self, target: &Target, action: &Action) -> HttpRequest {
        let (scope, kind) = match target.res() {
            Some(t) => (t.scope.clone(), t.kind),
            None => (Scope::Conn, ResourceKind::Network),
        };
        // A target with no list path is refused before sending (`Dialect::validate`); an empty
        // path here only ever answers 404.
        let base = list_path(&scope, kind).unwrap_or_default();
        let item = |id: &str| format!("{base}/{}", encode_component(id.trim()));
        match action {
            Action::CreateNetwork { name } => {
                self.api
                    .send(Method::Post, &base, &json!({ "name": name.trim() }))
            }
            Action::AllocateIp => self.api.send(Method::Post, &base, &json!({})),
            Action::CreateForward(spec) => self.api.send(Method::Post, &base, &forward_body(spec)),
            Action::UpdateForward { id, spec } => {
                self.api.send(Method::Patch, &item(id), &forward_body(spec))
            }
            Action::DeleteNetwork { id, .. }
            | Action::ReleaseIp { id, .. }
            | Action::DeleteForward { id, .. } => self.api.request(Method::Delete, &item(id)),
            // Not a resource action: never sent this way.
            _ => self.api.get(&base),
        }
    }

    /// The `202 {"commandId"}` of a resource write: accepted, the resource is watched. A delete
    /// answered `404` already happened.
    pub(super) fn net_accepted(
        &self,
        action: &Action,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        let deleting = matches!(
            action,
            Action::DeleteNetwork { .. } | Action::ReleaseIp { .. } | Action::DeleteForward { .. }
        );
        let gone = deleting && resp.status == 404;
        if !resp.is_success() && !gone {
            return Err(ApiError::from_response(resp, ERROR_KEYS, now));
        }
        Ok(Accepted {
            provider_ref: ProviderRef::Watch,
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

    pub(super) fn net_parse(
        &self,
        kind: ResourceKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        let what = match kind {
            ResourceKind::Network => "the project's networks",
            ResourceKind::PublicIp => "the project's public IPs",
            _ => "the public IP's port forwards",
        };
        let v = json_body(resp, ERROR_KEYS, what, now)?;
        let parse: fn(&Value) -> Option<Res> = match kind {
            ResourceKind::Network => network,
            ResourceKind::PublicIp => public_ip,
            ResourceKind::Forward => forward,
            _ => return Err(ApiError::bad_response(what, "not a list this provider has")),
        };
        Ok(items(&v, what)?.iter().filter_map(parse).collect())
    }
}

/// The id, state and raw status every item has; `None` without an id.
fn common(v: &Value) -> Option<(String, ResState, String)> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    let status = text(v, "status").unwrap_or_default();
    Some((id, ResState::from_word(&status), status))
}

fn network(v: &Value) -> Option<Res> {
    let (id, state, status_raw) = common(v)?;
    Some(Res {
        kind: ResourceKind::Network,
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        state,
        status_raw,
        created: text(v, "createdAt").and_then(|t| normalize_time(&t)),
        detail: ResDetail::Network {
            cidr: text(v, "cidr").filter(|c| !c.trim().is_empty()),
            members: Vec::new(),
        },
    })
}

fn public_ip(v: &Value) -> Option<Res> {
    let (id, state, status_raw) = common(v)?;
    let address = text(v, "address").filter(|a| !a.trim().is_empty());
    Some(Res {
        kind: ResourceKind::PublicIp,
        name: address.clone().unwrap_or_default(),
        id,
        state,
        status_raw,
        created: None,
        detail: ResDetail::PublicIp {
            address,
            vm: text(v, "vmId").filter(|s| !s.is_empty()).map(VmId::new),
        },
    })
}

fn forward(v: &Value) -> Option<Res> {
    let (id, state, status_raw) = common(v)?;
    let raw_protocol = text(v, "protocol").unwrap_or_default();
    let port = |k: &str| uint32(v, k).and_then(|p| u16::try_from(p).ok());
    let spec = match (
        Protocol::parse(&raw_protocol),
        port("externalPort"),
        text(v, "vmId").filter(|s| !s.is_empty()),
        port("internalPort"),
    ) {
        (Some(protocol), Some(external_port), Some(vm), Some(internal_port)) => Some(ForwardSpec {
            protocol,
            external_port,
            vm: VmId::new(vm),
            internal_port,
        }),
        _ => None,
    };
    let name = match (&spec, port("externalPort")) {
        (Some(s), _) => s.name(),
        (None, Some(p)) => format!("{raw_protocol}/{p}"),
        (None, None) => id.clone(),
    };
    Some(Res {
        kind: ResourceKind::Forward,
        id,
        name,
        state,
        status_raw,
        created: None,
        detail: ResDetail::Forward { spec, raw_protocol },
    })
}
