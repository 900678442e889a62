//! ZennoHosting: requests and answers as the sheet describes them.

use super::*;
use crate::dialect::testing::{accept, request};
use crate::error::ErrorKind;
use crate::model::Size;
use serde_json::json;

mod actions;
mod catalogue;
mod find;
mod lifecycle;
mod list;
mod net;
mod observe;
mod points;

const P: &str = "3f0e9c1a-0000-4000-8000-000000000001";
const ID: &str = "7b1d2c3e-0000-4000-8000-0000000000aa";
/// 2026-01-01T00:00:00Z
const T: Millis = 1_767_225_600_000;

fn api() -> Zenno {
    Zenno::new(
        "https://api.zennohosting.com/",
        Credentials::Bearer {
            token: "tok-123".into(),
        },
    )
}

/// A VM as the sheet describes it.
fn vm_json(
    state: &str,
    operation: Option<&str>,
    status: Option<&str>,
    boot: &str,
    updated: &str,
) -> Value {
    json!({"id": ID, "name": "web-01", "state": state, "operation": operation,
           "operationStatus": status, "bootStatus": boot, "cpu": 2, "ramGb": 4,
           "diskGb": 80, "updatedAt": updated})
}

fn vm_of(v: &Value) -> Vm {
    parse_vm(v, Some(P)).unwrap()
}

fn idle(state: &str) -> Vm {
    let boot = if state == "running" {
        "booted"
    } else {
        "stopped"
    };
    vm_of(&vm_json(state, None, None, boot, "2025-12-31T10:00:00Z"))
}

fn ok(v: &Value) -> HttpResponse {
    HttpResponse::new(200, v.to_string())
}

fn cmd(operation: &str) -> ProviderRef {
    ProviderRef::ZennoCommand {
        project: P.into(),
        vm_id: ID.into(),
        command_id: "c-1".into(),
        operation: operation.into(),
        accepted_at: T,
        vm_name: String::new(),
    }
}

fn obs(operation: &str, v: &Value) -> Observation {
    api().parse_observation(&cmd(operation), &ok(v), T).unwrap()
}
