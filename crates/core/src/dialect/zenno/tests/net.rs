//! Networks, public IPs and port forwards, as the sheet's "Networks, public IPs, port forwards"
//! describes them.

use super::*;
use crate::dialect::testing::json_of;
use crate::model::{Expect, ForwardSpec, Protocol, ResDetail, ResSeen, ResState};

const IP: &str = "ip-1";

fn place() -> Scope {
    Scope::Place(P.into())
}

fn rules_scope() -> Scope {
    Scope::Parent {
        kind: ResourceKind::PublicIp,
        id: IP.into(),
        place: Some(P.into()),
    }
}

fn res_target(kind: ResourceKind, scope: Scope, id: Option<&str>, name: &str) -> Target {
    Target::Res {
        kind,
        scope,
        id: id.map(str::to_string),
        name: name.into(),
        before: Vec::new(),
    }
}

fn spec(ext: u16, int: u16) -> ForwardSpec {
    ForwardSpec {
        protocol: Protocol::Tcp,
        external_port: ext,
        vm: VmId::new(ID),
        internal_port: int,
    }
}

fn send(target: &Target, action: &Action) -> HttpRequest {
    api().action_request(target, None, action, 0)
}

#[test]
fn lists_are_per_project_and_a_public_ips_rules_below_it() {
    let a = api();
    let nets = a.res_request(&place(), ResourceKind::Network).unwrap();
    assert_eq!(
        nets.url,
        format!("https://api.zennohosting.com/projects/{P}/networks")
    );
    let ips = a.res_request(&place(), ResourceKind::PublicIp).unwrap();
    assert!(ips.url.ends_with(&format!("projects/{P}/public-ips")));
    let rules = a
        .res_request(&rules_scope(), ResourceKind::Forward)
        .unwrap();
    assert!(rules
        .url
        .ends_with(&format!("projects/{P}/public-ips/{IP}/port-forwards")));
    // Not per connection (the projects hold them), no volumes.
    assert!(a.res_request(&Scope::Conn, ResourceKind::Network).is_none());
    assert!(a.res_request(&place(), ResourceKind::Volume).is_none());
}

#[test]
fn a_network_is_created_by_name_only_and_deleted_by_id() {
    let t = res_target(ResourceKind::Network, place(), None, "backend");
    let req = send(
        &t,
        &Action::CreateNetwork {
            name: " backend ".into(),
        },
    );
    assert_eq!(req.method, Method::Post);
    assert!(req.url.ends_with(&format!("projects/{P}/networks")));
    // The provider assigns the range: never a `cidr` in the body.
    assert_eq!(json_of(&req), json!({"name": "backend"}));
    let t = res_target(ResourceKind::Network, place(), Some("n/1"), "backend");
    let del = send(
        &t,
        &Action::DeleteNetwork {
            id: "n/1".into(),
            name: "backend".into(),
        },
    );
    assert_eq!(del.method, Method::Delete);
    assert!(del.url.ends_with(&format!("projects/{P}/networks/n%2F1")));
}

#[test]
fn rules_are_sent_with_every_value_and_changed_by_patch() {
    let t = res_target(ResourceKind::Forward, rules_scope(), None, "tcp/8080");
    let req = send(&t, &Action::CreateForward(spec(8080, 80)));
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        json_of(&req),
        json!({"protocol": "tcp", "externalPort": 8080, "vmId": ID, "internalPort": 80})
    );
    let t = res_target(ResourceKind::Forward, rules_scope(), Some("f1"), "tcp/8080");
    let up = send(
        &t,
        &Action::UpdateForward {
            id: "f1".into(),
            spec: spec(8080, 8000),
        },
    );
    assert_eq!(up.method, Method::Patch);
    assert!(up.url.ends_with("/port-forwards/f1"));
    assert_eq!(json_of(&up)["internalPort"], 8000);
}

#[test]
fn a_vm_joins_and_leaves_under_its_own_path_observed_on_the_vm() {
    let vm = idle("running");
    let attach = Action::AttachNetwork {
        network: "n1".into(),
        name: "backend".into(),
    };
    let req = request(&api(), &vm, &attach);
    assert_eq!(req.method, Method::Post);
    assert!(req
        .url
        .ends_with(&format!("projects/{P}/vms/{ID}/networks")));
    assert_eq!(json_of(&req), json!({"networkId": "n1"}));
    let acc = accept(
        &api(),
        &vm,
        &attach,
        &HttpResponse::new(202, r#"{"commandId":"c"}"#),
        T,
    )
    .unwrap();
    assert!(matches!(
        acc.provider_ref,
        ProviderRef::ZennoCommand { ref operation, .. } if operation == "attach_network"
    ));
    let detach = Action::DetachNetwork {
        network: "n1".into(),
        name: "backend".into(),
    };
    let req = request(&api(), &vm, &detach);
    assert_eq!(req.method, Method::Delete);
    assert!(req.url.ends_with(&format!("vms/{ID}/networks/n1")));
}

#[test]
fn a_write_is_watched_and_a_refusal_keeps_the_providers_words() {
    let a = api();
    let t = res_target(ResourceKind::Forward, rules_scope(), None, "tcp/80");
    let action = Action::CreateForward(spec(80, 80));
    let acc = a
        .parse_accepted(
            &t,
            None,
            &action,
            0,
            &HttpResponse::new(202, r#"{"commandId":"c"}"#),
            T,
        )
        .unwrap();
    assert_eq!(acc.provider_ref, ProviderRef::Watch);
    assert!(!acc.state.is_terminal());
    let body = r#"{"error":"port_in_use","message":"Port 80/tcp of 198.18.0.7 is already forwarded to VM web-1 (rule r1)"}"#;
    let e = a
        .parse_accepted(&t, None, &action, 0, &HttpResponse::new(409, body), T)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Port 80/tcp of 198.18.0.7 is already forwarded to VM web-1 (rule r1)")
    );
    // A delete answered 404 already happened.
    let del = Action::DeleteForward {
        id: "r1".into(),
        name: "tcp/80".into(),
    };
    let acc = a
        .parse_accepted(&t, None, &del, 0, &HttpResponse::new(404, "{}"), T)
        .unwrap();
    assert_eq!(acc.state, TaskState::Succeeded);
}

#[test]
fn a_network_is_done_only_when_active_with_its_range() {
    let a = api();
    let list = |status: &str, cidr: Value| {
        let body = json!({"items": [{"id": "n1", "name": "backend", "cidr": cidr,
            "status": status, "createdAt": "2026-01-01T00:00:00Z"}]});
        a.parse_res(&place(), ResourceKind::Network, &ok(&body), T)
            .unwrap()
    };
    let want = Action::CreateNetwork {
        name: "backend".into(),
    }
    .expectation(None, crate::model::Addressed::No);
    let check = |items: &[Res]| {
        want.check(crate::model::Seen {
            res: Some(ResSeen::Found(&items[0])),
            ..Default::default()
        })
    };
    assert!(check(&list("creating", Value::Null)).is_err());
    // Active, but the range not shown yet (the lag fault): not done.
    assert!(check(&list("active", Value::Null)).is_err());
    assert!(check(&list("quarantined", json!("10.33.0.0/16"))).is_err());
    let done = list("active", json!("10.33.0.0/16"));
    assert_eq!(done[0].cidr(), Some("10.33.0.0/16"));
    assert_eq!(check(&done), Ok(()));
}

#[test]
fn a_rule_is_done_only_active_with_the_values_sent() {
    let a = api();
    let rule = |status: &str, int: u16| {
        let body = json!({"items": [{"id": "f1", "protocol": "tcp", "externalPort": 8080,
            "vmId": ID, "internalPort": int, "status": status}]});
        a.parse_res(&rules_scope(), ResourceKind::Forward, &ok(&body), T)
            .unwrap()
    };
    let want = Action::UpdateForward {
        id: "f1".into(),
        spec: spec(8080, 8000),
    }
    .expectation(None, crate::model::Addressed::No);
    let check = |items: &[Res]| {
        want.check(crate::model::Seen {
            res: Some(ResSeen::Found(&items[0])),
            ..Default::default()
        })
    };
    // Pending with the old values, then active with the old values (a failed update): no.
    assert!(check(&rule("pending", 80)).is_err());
    assert!(check(&rule("active", 80)).is_err());
    assert_eq!(check(&rule("active", 8000)), Ok(()));
    assert_eq!(rule("active", 8000)[0].name, "tcp/8080");
    // Gone: absent from the list; still listed is not gone.
    let gone = Expect::Gone;
    let listed = rule("deleting", 8000);
    assert!(gone
        .check(crate::model::Seen {
            res: Some(ResSeen::Found(&listed[0])),
            ..Default::default()
        })
        .is_err());
    assert_eq!(
        gone.check(crate::model::Seen {
            res: Some(ResSeen::Absent),
            ..Default::default()
        }),
        Ok(())
    );
}

#[test]
fn public_ips_show_their_address_once_allocated() {
    let body = json!({"items": [
        {"id": "a", "address": null, "status": "pending", "vmId": null},
        {"id": "b", "address": "198.18.0.9", "status": "active", "vmId": ID},
    ]});
    let ips = api()
        .parse_res(&place(), ResourceKind::PublicIp, &ok(&body), T)
        .unwrap();
    assert_eq!(ips[0].state, ResState::Creating);
    assert_eq!(ips[0].address(), None);
    assert_eq!(ips[1].address(), Some("198.18.0.9"));
    assert!(matches!(&ips[1].detail, ResDetail::PublicIp { vm: Some(v), .. } if v.as_str() == ID));
}

#[test]
fn hostile_values_are_skipped_or_kept_raw_never_a_panic() {
    let a = api();
    let body = json!({"items": [
        {"id": "", "status": "active"},
        {"status": "active"},
        {"id": "f1", "protocol": "sctp", "externalPort": 70000, "vmId": 5,
         "internalPort": -1, "status": {"x": 1}},
        {"id": "f2", "protocol": "TCP", "externalPort": "22", "vmId": ID, "internalPort": 22,
         "status": "\u{202e}evil"},
        "not an object", null, 7,
    ]});
    let rules = a
        .parse_res(&rules_scope(), ResourceKind::Forward, &ok(&body), T)
        .unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].forward(), None);
    assert!(matches!(rules[0].state, ResState::Unknown(_)));
    assert!(matches!(rules[1].state, ResState::Unknown(_)));
    for (kind, scope) in [
        (ResourceKind::Network, place()),
        (ResourceKind::PublicIp, place()),
        (ResourceKind::Forward, rules_scope()),
    ] {
        for raw in [
            "",
            "null",
            "[]",
            "{\"items\": 5}",
            "{\"items\": [[]]}",
            "\u{0}",
        ] {
            let _ = a.parse_res(&scope, kind, &HttpResponse::new(200, raw), T);
        }
        let e = a
            .parse_res(&scope, kind, &HttpResponse::new(500, "oops"), T)
            .unwrap_err();
        assert_ne!(e.kind, ErrorKind::NotFound);
    }
}

#[test]
fn a_vms_networks_are_read_with_their_internal_addresses() {
    let mut v = vm_json("running", None, None, "booted", "2025-12-31T10:00:00Z");
    v["networks"] = json!([
        {"networkId": "n1", "internalIp": "10.33.0.5"},
        {"networkId": "n2", "internalIp": "not-an-ip"},
        {"internalIp": "10.0.0.1"},
    ]);
    let vm = vm_of(&v);
    assert_eq!(vm.networks.len(), 2);
    assert_eq!(vm.networks[0].internal_ip.as_deref(), Some("10.33.0.5"));
    assert_eq!(vm.networks[1].internal_ip, None);
    let attach = Action::AttachNetwork {
        network: "n2".into(),
        name: "x".into(),
    }
    .expectation(Some(&vm), crate::model::Addressed::No);
    // Listed without an internal address: not attached yet.
    assert!(attach.check(Some(&vm)).is_err());
    let detach_n1 = Action::DetachNetwork {
        network: "n1".into(),
        name: "x".into(),
    }
    .expectation(Some(&vm), crate::model::Addressed::No);
    assert!(detach_n1.check(Some(&vm)).is_err());
}
