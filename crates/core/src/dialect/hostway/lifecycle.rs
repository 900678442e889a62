//! Creating and deleting servers (the sheet's "VM lifecycle"). `POST /servers` answers `202`
//! with the server (its id, `BUILD`, a progress) and a `Location`; the server is then read at that
//! `Location` as given until it is ready (`ACTIVE`, progress 100, on a host, a public address:
//! see `observe::build`). A generated `adminPass` in
//! the answer is never read here: it must not be kept with the operation. `DELETE /servers/{id}`
//! answers `202`, no body; the server shows `DELETED` while it is torn down, and the deletion
//! ends when it is not found.

use serde_json::json;

use super::doc_json::parse_doc_json;
use super::links::self_link;
use super::parse::{fault, server_of};
use super::{Call, Hostway};
use crate::dialect::Accepted;
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{ProviderRef, TaskState, VmSpec};
use crate::time::Millis;

impl Hostway {
    /// `POST /servers {"server": {"name", "imageRef", "flavorRef", "securityGroupRef", "zone"}}`:
    /// the image's, flavor's and security group's `self` hrefs as given (absolute URLs), the
    /// zone's id. No `adminPass`: the provider generates one and shows it once.
    pub(super) fn create_request(&self, spec: &VmSpec) -> HttpRequest {
        let given =
            |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_string();
        let body = json!({"server": {
            "name": spec.name.trim(),
            "imageRef": spec.image.trim(),
            "flavorRef": given(&spec.size),
            "securityGroupRef": given(&spec.security_group),
            "zone": given(&spec.region),
        }});
        self.api.send(Method::Post, "servers", &body)
    }

    /// The new server's id: `server.id`, else the last segment of the `Location` header or of
    /// the `self` link. Its `BUILD` is followed on its own (a build is never `PROCESSING`), at
    /// the `Location`, else the `self` link, as given (the sheet: don't rebuild the URL).
    pub(super) fn parse_created(
        &self,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        if !resp.is_success() {
            return Err(fault(resp, Call::Create, now));
        }
        let v = parse_doc_json(&resp.body).ok();
        let server = v.as_ref().map(server_of);
        let location = resp
            .header("location")
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let link = server.and_then(self_link);
        let id = server
            .and_then(|s| text(s, "id"))
            .filter(|id| !id.trim().is_empty())
            .or_else(|| location.and_then(last_segment))
            .or_else(|| link.as_deref().and_then(last_segment))
            .ok_or_else(|| {
                ApiError::bad_response(
                    "the create request",
                    "no server id, Location header or self link",
                )
            })?;
        let status = server
            .and_then(|s| text(s, "status"))
            .unwrap_or_else(|| "BUILD".into());
        Ok(Accepted {
            provider_ref: ProviderRef::HostwayBuild {
                server_id: id.clone(),
                href: location.map(str::to_string).or(link),
            },
            state: TaskState::Running,
            raw_status: status,
            created: Some(VmId::new(id)),
            // Without an `adminPass` sent, the provider generates one and answers it this once.
            secret: server
                .and_then(|s| text(s, "adminPass"))
                .filter(|p| !p.is_empty())
                .map(super::super::Secret),
        })
    }

    pub(super) fn delete_request(&self, server_id: &str) -> HttpRequest {
        self.api
            .request(Method::Delete, &Self::server_path(server_id))
    }

    /// `202`, no body: the server is followed until it is not found. A `404` says it is gone
    /// already.
    pub(super) fn parse_deleted(
        &self,
        server_id: &str,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        let gone = resp.status == 404;
        if !resp.is_success() && !gone {
            return Err(fault(resp, Call::Read, now));
        }
        Ok(Accepted {
            provider_ref: ProviderRef::HostwayDeletion {
                server_id: server_id.to_string(),
            },
            state: if gone {
                TaskState::Succeeded
            } else {
                TaskState::Running
            },
            raw_status: if gone { "not found" } else { "accepted" }.into(),
            created: None,
            secret: None,
        })
    }
}

/// The last path segment of a link, absolute or relative (`…/servers/{id}` → `{id}`).
fn last_segment(href: &str) -> Option<String> {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .rev()
        .find(|s| !s.trim().is_empty())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.contains(':'))
}
