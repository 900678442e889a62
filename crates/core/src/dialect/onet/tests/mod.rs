//! ONETSolutions: requests and answers as the documents show them.

use super::*;
use crate::dialect::testing::{accept, request};
use crate::model::{Size, TaskState};

mod actions;
mod catalogue;
mod find;
mod lifecycle;
mod list;
mod points;
mod rebuild;
mod rename;
mod tasks;
mod vpc;

const BASE: &str = "https://api.onetsolutions.net/v1/organizations/org-1/projects/prj-1";
const ID: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

fn api() -> Onet {
    Onet::new(
        BASE,
        Credentials::Bearer {
            token: "sk-onetsolutions-abc".into(),
        },
    )
}

fn vm(status: &str) -> Vm {
    Vm {
        id: VmId::new(ID),
        name: "web-01".into(),
        power: power_of(status),
        status_raw: status.into(),
        locked: status == "pending",
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
    ProviderRef::OnetTask {
        instance_id: ID.into(),
        task_id: ID.into(),
    }
}

/// "Get instance task", the source document's example answer, verbatim.
const DOC_TASK: &str = r#"{
  "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
  "instance_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
  "instance": {
"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
"name": "<string>"
  },
  "task_type": "create_vps",
  "status": "pending",
  "result": "<unknown>",
  "started_at": "2023-11-07T05:31:56Z",
  "completed_at": "2023-11-07T05:31:56Z",
  "retry_count": 123,
  "created": "2023-11-07T05:31:56Z",
  "modified": "2023-11-07T05:31:56Z",
  "created_by": {
"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
"email": "jsmith@example.com",
"first_name": "<string>",
"last_name": "<string>"
  },
  "parameters": "<unknown>",
  "max_retries": 2147483647
}"#;

fn task(status: &str, retry: u64, max: u64, result: Value) -> Value {
    json!({"id": ID, "instance_id": ID, "instance": {"id": ID, "name": "web-01"},
           "task_type": "reboot_vps", "status": status, "result": result,
           "started_at": null, "completed_at": null, "retry_count": retry,
           "max_retries": max, "created": "2026-01-01T00:00:00Z",
           "modified": "2026-01-01T00:00:00Z", "parameters": {}})
}
