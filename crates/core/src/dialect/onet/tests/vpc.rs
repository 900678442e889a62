//! VPCs: the catalogue's list, and a VM moved into another (`update_vpc`), verified on
//! `Instance.vpc.id`.

use super::*;
use crate::dialect::testing::json_of;
use crate::model::{Addressed, ResourceKind, Scope};
use serde_json::json;

#[test]
fn vpcs_are_listed_per_connection_with_their_range() {
    let a = api();
    let req = a.res_request(&Scope::Conn, ResourceKind::Network).unwrap();
    assert_eq!(req.url, format!("{BASE}/compute/vpcs"));
    assert!(a
        .res_request(&Scope::Conn, ResourceKind::PublicIp)
        .is_none());
    assert!(a
        .res_request(&Scope::Place("x".into()), ResourceKind::Network)
        .is_none());
    let body = json!({"count": 2, "next": null, "results": [
        {"id": "v1", "name": "default-par1", "cidr_block": "10.20.0.0/16",
         "location": {"id": "l1", "name": "Paris"}},
        {"id": "", "name": "nameless"},
        {"id": "v2", "name": "backend-par1", "cidr_block": null},
    ]});
    let vpcs = a
        .parse_res(
            &Scope::Conn,
            ResourceKind::Network,
            &HttpResponse::new(200, body.to_string()),
            0,
        )
        .unwrap();
    assert_eq!(vpcs.len(), 2);
    assert_eq!(vpcs[0].cidr(), Some("10.20.0.0/16"));
    assert_eq!(vpcs[1].cidr(), None);
    for raw in ["", "[]", "{\"results\": 3}", "{}"] {
        let _ = a.parse_res(
            &Scope::Conn,
            ResourceKind::Network,
            &HttpResponse::new(200, raw),
            0,
        );
    }
}

#[test]
fn a_vpc_move_is_a_task_verified_on_the_instances_vpc() {
    let a = api();
    let before = vm("running");
    let action = Action::SetVpc {
        vpc: "v2".into(),
        name: "backend-par1".into(),
    };
    let req = request(&a, &before, &action);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/compute/instances/{ID}/vpc"));
    assert_eq!(json_of(&req), json!({"vpc_id": "v2"}));
    let mut t = serde_json::from_str::<Value>(DOC_TASK).unwrap();
    t["task_type"] = json!("update_vpc");
    let acc = accept(
        &a,
        &before,
        &action,
        &HttpResponse::new(202, t.to_string()),
        0,
    )
    .unwrap();
    assert!(matches!(acc.provider_ref, ProviderRef::OnetTask { .. }));
    let expect = action.expectation(Some(&before), Addressed::No);
    let instance = |vpc: Value| {
        let mut v = json!({"id": ID, "name": "web-01", "status": "running"});
        v["vpc"] = vpc;
        parse::parse_vm(&v).unwrap()
    };
    assert!(expect.check(Some(&instance(json!({"id": "v1"})))).is_err());
    assert!(expect.check(Some(&instance(Value::Null))).is_err());
    assert!(expect.check(Some(&instance(json!([1, 2])))).is_err());
    assert_eq!(expect.check(Some(&instance(json!({"id": "v2"})))), Ok(()));
}
