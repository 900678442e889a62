//! cloudsfor: requests and answers as the documents show them.

use super::parse::power_of;
use super::*;
use crate::dialect::testing::{
    accept, create_accepted, create_request, has_header, json_of, request,
};
use crate::error::ErrorKind;
use crate::model::{Resource, Size, TaskState};

mod actions;
mod catalogue;
mod find;
mod lifecycle;
mod list;
mod observe;
mod points;
mod rebuild;

fn api() -> Cloudsfor {
    Cloudsfor::new(
        "https://cloudsfor.com/api/v1/",
        Credentials::Basic {
            user: "username".into(),
            password: "password".into(),
        },
    )
}

fn vm(status: &str, locked: bool) -> Vm {
    Vm {
        id: VmId::new("5609f1ee1b0c4d2da622737b5ca25e6c"),
        name: "web-01".into(),
        power: power_of(status),
        status_raw: status.into(),
        locked,
        size: Size {
            vcpus: Some(1),
            memory_gb: Some(1),
            disk_gb: Some(25),
            flavor: None,
        },
        region: None,
        image: None,
        snapshot_count: Some(0),
        project: None,
        addresses: Vec::new(),
        image_id: None,
        uptime_s: None,
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    }
}

fn body(req: &HttpRequest) -> Value {
    serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
}

/// The documented response body, trailing comma included.
const ACCEPTED: &str = r#"{
  "action": {
"id": "5609f1ee1b0c4d2da622737b5ca25e6c",
"status": "in-progress",
"type": "reboot",
"started_at": "2015-01-14T16:31:00Z",
"completed_at": null,
"resource_type": "vm",
"region": "moscow_01",
  }
}"#;
