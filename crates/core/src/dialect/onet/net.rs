//! ONETSolutions' VPCs (sheet "Catalogues" and "Volumes, VPC, firewall, console"): the list
//! `GET /compute/vpcs` → paginated `{id, name, cidr_block, location}` per connection
//! ([`crate::model::Scope::Conn`]); a VM moves into another with `POST
//! /compute/instances/{id}/vpc {"vpc_id"}` → `202 Task (update_vpc)`, done when the task is
//! `completed` AND `Instance.vpc.id` is the one sent. VPCs are not created or deleted through
//! the API (none published), and ONET has no public IPs apart from instances nor forwards.

use serde_json::{json, Value};

use super::{Onet, ERROR_KEYS};
use crate::dialect::{json_body, Absent, Avail, NetCaps, ResOps};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::json::text;
use crate::model::{Res, ResDetail, ResState, ResourceKind, Scope};
use crate::time::Millis;

/// VPCs listed; a VM moved between them; nothing else.
pub const NET: NetCaps = NetCaps {
    networks: ResOps {
        list: Avail::Offered,
        create: Avail::Absent(Absent::NotPublished),
        update: Avail::Absent(Absent::NotPublished),
        delete: Avail::Absent(Absent::NotPublished),
    },
    attach: Avail::Absent(Absent::NotPublished),
    cidr: Avail::Offered,
    members: Avail::Offered,
    vpc: Avail::Offered,
    public_ips: ResOps::absent(Absent::NotPublished),
    forwards: ResOps::absent(Absent::NotPublished),
    per_place: false,
};

impl Onet {
    /// `GET /compute/vpcs` (the first page; the catalogue's size is a few per location).
    pub(super) fn vpcs_request(&self, scope: &Scope, kind: ResourceKind) -> Option<HttpRequest> {
        (*scope == Scope::Conn && kind == ResourceKind::Network)
            .then(|| self.api.get("compute/vpcs"))
    }

    /// `POST /compute/instances/{id}/vpc {"vpc_id"}`.
    pub(super) fn vpc_request(&self, instance: &str, vpc: &str) -> HttpRequest {
        self.api.send(
            Method::Post,
            &format!("compute/instances/{}/vpc", encode_component(instance)),
            &json!({ "vpc_id": vpc.trim() }),
        )
    }

    pub(super) fn vpcs_parse(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        let what = "the VPC list";
        let v = json_body(resp, ERROR_KEYS, what, now)?;
        let items = match &v {
            Value::Array(a) => a.as_slice(),
            _ => v
                .get("results")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .ok_or_else(|| ApiError::bad_response(what, "no `results` list"))?,
        };
        Ok(items.iter().filter_map(vpc).collect())
    }
}

/// One VPC: listed means usable (the catalogue has no status).
fn vpc(v: &Value) -> Option<Res> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    Some(Res {
        kind: ResourceKind::Network,
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id,
        state: ResState::Ready,
        status_raw: String::new(),
        created: None,
        detail: ResDetail::Network {
            cidr: text(v, "cidr_block").filter(|c| !c.trim().is_empty()),
            members: Vec::new(),
        },
    })
}

/// `Instance.vpc.id` (a bare id is taken too).
pub(super) fn vpc_of(v: &Value) -> Option<String> {
    match v.get("vpc")? {
        o @ Value::Object(_) => text(o, "id"),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
    .filter(|s| !s.trim().is_empty())
}
