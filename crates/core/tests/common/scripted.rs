//! Scripted cloudsfor answers for tests that drive the engine by hand on a fake clock.
#![allow(dead_code)]

use serde_json::json;
use vigil_core::{ConnectionConfig, Credentials, DialectKind, Engine, HttpResponse, Transmit};

use super::drive::Drive;

pub const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
pub const BASE: &str = "https://cloudsfor.test/api/v1";

pub fn cfg() -> ConnectionConfig {
    ConnectionConfig {
        id: "c1".into(),
        name: "Main".into(),
        dialect: DialectKind::Cloudsfor,
        base_url: BASE.into(),
        credentials: Credentials::Basic {
            user: "me@example.com".into(),
            password: "s3cret".into(),
        },
        demo: false,
    }
}

pub fn vm(id: &str, name: &str, status: &str, locked: bool) -> serde_json::Value {
    json!({"id": id, "name": name, "memory": 2, "vcpus": 1, "disk": 25, "locked": locked,
           "status": status, "snapshot_ids": [], "image": {"name": "Debian 12"}})
}

pub fn list(vms: &[serde_json::Value]) -> HttpResponse {
    HttpResponse::new(
        200,
        json!({"vms": vms, "meta": {"total": vms.len()}}).to_string(),
    )
}

pub fn action(ty: &str, status: &str, started: &str) -> serde_json::Value {
    action_on("v1", ty, status, started)
}

pub fn action_on(vm_id: &str, ty: &str, status: &str, started: &str) -> serde_json::Value {
    json!({"id": vm_id, "status": status, "type": ty, "started_at": started,
           "completed_at": null, "resource_type": "vm", "region": "moscow_01"})
}

pub fn accepted(ty: &str) -> HttpResponse {
    accepted_on("v1", ty)
}

pub fn accepted_on(vm_id: &str, ty: &str) -> HttpResponse {
    HttpResponse::new(
        201,
        json!({"action": action_on(vm_id, ty, "in-progress", "2026-01-01T00:00:00Z")}).to_string(),
    )
}

pub fn actions(list: &[serde_json::Value]) -> HttpResponse {
    HttpResponse::new(200, json!({"actions": list}).to_string())
}

/// An engine with one connection whose listing showed `vms`.
pub fn engine_with(vms: &[serde_json::Value]) -> Engine {
    let mut e = Engine::new("t");
    e.add(cfg(), T0);
    let out = e.round(T0);
    assert_eq!(out.len(), 1, "one listing request");
    assert_eq!(
        out[0].request.url,
        format!("{BASE}/vms?page=1&per_page=200")
    );
    e.answer(out[0].token, Ok(list(vms)), T0);
    e
}

pub fn only(out: Vec<Transmit>) -> Transmit {
    assert_eq!(out.len(), 1, "expected exactly one request, got {out:?}");
    out.into_iter().next().unwrap()
}
