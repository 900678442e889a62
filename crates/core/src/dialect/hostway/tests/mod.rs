//! Hostway: requests and answers as the documents show them.

use super::*;
use crate::dialect::testing::{accept, request};
use crate::error::ErrorKind;
use crate::model::{PowerState, Size};

mod actions;
mod catalogue;
mod find;
mod lifecycle;
mod links;
mod list;
mod points;
mod snapshots;

const BASE: &str = "https://api.hostway.example/accounts/acc-1/flexcloud";
const SID: &str = "a1b2c3d4-0000-4000-8000-0000000000aa";

fn api() -> Hostway {
    Hostway::new(
        &format!("{BASE}/"),
        Credentials::Basic {
            user: "username".into(),
            password: "password".into(),
        },
    )
}

fn auth() -> (String, String) {
    (
        "Authorization".into(),
        "Basic dXNlcm5hbWU6cGFzc3dvcmQ=".into(),
    )
}

fn server(status: &str, progress: u64) -> Value {
    json!({"server": {
        "id": SID, "name": "web-01", "status": status, "progress": progress,
        "flavor": {"id": "3", "name": "FlexCloud 2 vCPU / 4 GB", "vcpus": 2, "ram": 4096, "disk": 60},
        "image": {"id": "12", "name": "Ubuntu 24.04"},
        "addresses": {"public": [{"version": 4, "addr": "203.0.113.10"}]},
        "zone": "USOTE-0214", "created": "2025-06-01T10:00:00Z", "updated": "2026-01-01T00:00:00Z",
        "links": [{"href": format!("{BASE}/servers/{SID}"), "rel": "self"}]
    }})
}

fn vm(status: &str) -> Vm {
    parse_server(&server(status, 100)).unwrap()
}

fn ok(v: &Value) -> HttpResponse {
    HttpResponse::new(200, v.to_string())
}

fn body(req: &HttpRequest) -> Value {
    serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
}

/// The documented request body, verbatim.
const SNAPSHOT_REQUEST: &str =
    r#"{ "snapshot": { "name": "fitnesse snapshot", "description": "fitnesse test snapshot" } }"#;

/// The documented response body, verbatim: a comma missing after `"name"`, a trailing one
/// after `links`.
const SNAPSHOT_ACCEPTED: &str = r#"{ "snapshot": { "id": "snapshot_jello614636-USOTE-0214_2012Jul19_m5yf9Bz8a", "name": "test snapshot" "description": "test snapshot description", "status": "BUILD", "guid": "", "parent_guid": "", "relation_guid": "", "create_time": "0000-00-00 00:00:00", "links": [ {"href": "http://{api_server}/servers/{server_id}/snapshots/snapshot_jello614636-USOTE-0214_2012Jul19_m5yf9Bz8a/", "rel": "self"}], } }"#;

fn snapshot() -> Action {
    Action::Snapshot {
        name: "fitnesse snapshot".into(),
        description: "fitnesse test snapshot".into(),
    }
}

fn refused(status: u16, key: &str, message: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        json!({ key: {"message": message, "code": status} }).to_string(),
    )
}
