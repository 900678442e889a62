//! Erigones: requests and answers as the documents show them.

use super::*;
use crate::dialect::testing::{accept, request};
use crate::model::{PowerState, Size};
use crate::time::{parse_rfc3339, MINUTE};

mod actions;
mod catalogue;
mod find;
mod lifecycle;
mod list;
mod login;
mod points;
mod rebuild;
mod tasks;

const BASE: &str = "https://my.erigones.com/api";
const HOST: &str = "example.cust.erigones.com";

fn api() -> Erigones {
    Erigones::new(
        BASE,
        Credentials::ApiKey {
            key: " secret-key ".into(),
        },
    )
}

fn login_api() -> Erigones {
    Erigones::new(
        "https://my.erigones.com/api/",
        Credentials::Login {
            username: "admin".into(),
            password: "s3cret".into(),
        },
    )
}

fn vm(status: &str, locked: bool) -> Vm {
    Vm {
        id: VmId::new(HOST),
        name: "example".into(),
        power: power_of(status),
        status_raw: status.into(),
        locked,
        size: Size::default(),
        region: None,
        image: None,
        snapshot_count: None,
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

fn task_ref() -> ProviderRef {
    ProviderRef::ErigonesTask {
        hostname: HOST.into(),
        task_id: "1e1d1-6f75849b-fdaf-4e6e-b580".into(),
    }
}

fn body(req: &HttpRequest) -> Value {
    serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
}

/// `GET /vm/status` from the source document (the `text` of its example), trailing comma
/// included.
const DOC_LIST: &str = r#"{
    "status": "SUCCESS",
    "result": [
        {
            "status": "running",
            "alias": "example",
            "hostname": "example.cust.erigones.com",
            "status_change": "2012-01-22T23:23:23.365Z",
            "tasks": {}
        },
    ],
    "task_id": "0-6f75849b-fdaf-4e6e-b580"
}"#;

/// `PUT /vm/example.cust.erigones.com/status/start/` from the source document.
const DOC_START_DONE: &str = r#"{
    "status": "SUCCESS",
    "result": {
        "message": "Successfully started VM example.cust.erigones.com",
        "returncode": 0
    },
    "task_id": "0-a2327793-2600-423d-9f07"
}"#;

/// The sheet's accepted answer.
const DOC_ACCEPTED: &str =
    r#"{"status": "PENDING", "result": null, "task_id": "1e1d1-6f75849b-fdaf-4e6e-b580"}"#;
