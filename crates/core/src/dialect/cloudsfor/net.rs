//! cloudsfor's private networks (sheet "Networks, volumes, console"), per connection
//! ([`crate::model::Scope::Conn`]):
//!
//! * `GET /networks` → `{"networks": [{id, name, parent_id, tag, size}], "meta"}` (no status, no
//!   range: listed means usable); `POST /networks {"name"}` → `{"network": {id, …}}`,
//!   synchronous: done once the list holds it; `DELETE /networks/{id}` → `204`, done once the
//!   list no longer holds it; `422` while VMs are joined (said in the provider's words).
//! * a VM joins and leaves with the VM actions `{"type": "attach_network" / "detach_network",
//!   "network_id"}`, followed like every action (its `type` + `started_at`), done when it is
//!   `completed` AND a `private` entry appears in (leaves) the VM's `networks.v4`. The entries
//!   name no network ([`crate::dialect::NetCaps::members`] absent), so the VM's private
//!   addresses before are what a join or leave is judged against ([`crate::NetExpect`]).

use serde_json::{json, Value};

use super::{Cloudsfor, ERROR_KEYS};
use crate::dialect::{array, json_body, Absent, Accepted, Avail, NetCaps, ResOps};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{Action, ProviderRef, Res, ResDetail, ResState, ResourceKind, Scope, TaskState};
use crate::time::Millis;

/// Private networks: listed, created, deleted, joined and left; no range shown, no member list;
/// no public IPs apart from VMs, no forwards, no VPCs.
pub const NET: NetCaps = NetCaps {
    networks: ResOps {
        list: Avail::Offered,
        create: Avail::Offered,
        update: Avail::Absent(Absent::NotPublished),
        delete: Avail::Offered,
    },
    attach: Avail::Offered,
    cidr: Avail::Absent(Absent::NotPublished),
    members: Avail::Absent(Absent::NotPublished),
    vpc: Avail::Absent(Absent::NotPublished),
    public_ips: ResOps::absent(Absent::NotPublished),
    forwards: ResOps::absent(Absent::NotPublished),
    per_place: false,
};

/// A page holds every network an account is likely to have.
const PER_PAGE: u32 = 200;

impl Cloudsfor {
    /// `GET /networks`, for the connection's networks only.
    pub(super) fn networks_request(
        &self,
        scope: &Scope,
        kind: ResourceKind,
    ) -> Option<HttpRequest> {
        (*scope == Scope::Conn && kind == ResourceKind::Network).then(|| {
            self.api
                .get(&format!("networks?page=1&per_page={PER_PAGE}"))
        })
    }

    pub(super) fn networks_parse(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        let what = "the private networks";
        let v = json_body(resp, ERROR_KEYS, what, now)?;
        Ok(array(&v, "networks", what)?
            .iter()
            .filter_map(network)
            .collect())
    }

    /// A network's create or delete; a VM's join or leave is a VM action
    /// ([`Cloudsfor::network_body`]).
    pub(super) fn network_write(&self, action: &Action) -> HttpRequest {
        match action {
            Action::CreateNetwork { name } => {
                self.api
                    .send(Method::Post, "networks", &json!({ "name": name.trim() }))
            }
            Action::DeleteNetwork { id, .. } => self.api.request(
                Method::Delete,
                &format!("networks/{}", encode_component(id.trim())),
            ),
            // Not offered with this provider (`NET`): refused before sending, never sent.
            _ => self.api.get("networks"),
        }
    }

    /// The VM action's `network_id`, where the action is a join or a leave.
    pub(super) fn network_body(action: &Action, body: &mut Value) {
        if let Action::AttachNetwork { network, .. } | Action::DetachNetwork { network, .. } =
            action
        {
            body["network_id"] = json!(network.trim());
        }
    }

    /// A create answers with the network (its id learned at once); a delete `204` (a `404`:
    /// already gone). Either is done on the provider's side at once, and checked on the list.
    pub(super) fn network_accepted(
        &self,
        action: &Action,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        let deleting = matches!(action, Action::DeleteNetwork { .. });
        let gone = deleting && resp.status == 404;
        if !resp.is_success() && !gone {
            return Err(ApiError::from_response(resp, ERROR_KEYS, now));
        }
        let created = match action {
            Action::CreateNetwork { .. } => {
                let v = json_body(resp, ERROR_KEYS, "the new network", now)?;
                let id = v
                    .get("network")
                    .and_then(|n| text(n, "id"))
                    .filter(|id| !id.trim().is_empty())
                    .ok_or_else(|| ApiError::bad_response("the new network", "no `network.id`"))?;
                Some(VmId::new(id))
            }
            _ => None,
        };
        Ok(Accepted {
            provider_ref: ProviderRef::Watch,
            state: TaskState::Succeeded,
            raw_status: match (deleting, gone) {
                (_, true) => "not found",
                (true, false) => "deleted",
                (false, false) => "created",
            }
            .into(),
            created,
            secret: None,
        })
    }
}

/// One network: listed means usable (the list has no status, and a create is synchronous).
fn network(v: &Value) -> Option<Res> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    Some(Res {
        kind: ResourceKind::Network,
        name: text(v, "name")
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| id.clone()),
        id,
        state: ResState::Ready,
        status_raw: String::new(),
        created: None,
        detail: ResDetail::Network {
            cidr: None,
            members: Vec::new(),
        },
    })
}
