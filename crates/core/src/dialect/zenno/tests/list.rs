//! Listing projects and VMs, and what their fields say.

use serde_json::{json, Value};

use super::*;

#[test]
fn lists_projects_then_each_projects_vms() {
    let a = api();
    let req = a.list_request(None);
    assert_eq!(req.method, Method::Get);
    assert_eq!(req.url, "https://api.zennohosting.com/projects");
    assert!(req
        .headers
        .contains(&("Authorization".into(), "Bearer tok-123".into())));
    let page = a
        .parse_list(
            None,
            &HttpResponse::new(
                200,
                r#"{"items": [{"id": "p1", "name": "Prod"}, {"id": "p2", "name": "Staging"}]}"#,
            ),
            T,
        )
        .unwrap();
    assert!(page.vms.is_empty());
    assert_eq!(page.next, vec!["project:p1", "project:p2"]);

    let req = a.list_request(Some("project:p1"));
    assert_eq!(req.url, "https://api.zennohosting.com/projects/p1/vms");
    let body = json!({"items": [
        vm_json("running", Some("reboot"), Some("succeeded"), "booted", "2025-12-31T10:00:00Z"),
        {"name": "no id, skipped"},
    ]});
    let page = a.parse_list(Some("project:p1"), &ok(&body), T).unwrap();
    assert_eq!(page.vms.len(), 1);
    assert!(page.next.is_empty());
    let vm = &page.vms[0];
    assert_eq!(vm.project.as_deref(), Some("p1"));
    assert_eq!(vm.power, PowerState::Running);
    assert_eq!(vm.status_raw, "running");
    assert!(!vm.locked);
    assert_eq!(
        vm.size,
        Size {
            vcpus: Some(2),
            memory_gb: Some(4),
            disk_gb: Some(80),
            flavor: None
        }
    );

    // A project deleted between the two reads shows nothing rather than failing the list.
    let gone = HttpResponse::new(
        404,
        r#"{"error": "not_found", "message": "Project not found"}"#,
    );
    assert_eq!(
        a.parse_list(Some("project:p1"), &gone, T).unwrap(),
        VmPage::default()
    );
}

/// Checks one VM of `state operation operationStatus bootStatus` (`-`: null).
fn row(fields: &str, power: PowerState, locked: bool, raw: &str) {
    let f: Vec<&str> = fields.split(' ').collect();
    let opt = |s: &str| (s != "-").then(|| s.to_string());
    let (op, st) = (opt(f[1]), opt(f[2]));
    let (op, st) = (op.as_deref(), st.as_deref());
    let vm = vm_of(&vm_json(f[0], op, st, f[3], "2025-12-31T10:00:00Z"));
    assert_eq!(vm.power, power, "{fields}");
    assert_eq!(vm.locked, locked, "{fields}");
    assert_eq!(vm.status_raw, raw, "{fields}");
    assert_eq!(vm.project.as_deref(), Some(P));
}

#[test]
fn every_status_combination_maps_to_power_and_lock() {
    // (state operation operationStatus bootStatus) → (power, locked, status text)
    row("running - - booted", PowerState::Running, false, "running");
    row("stopped - - stopped", PowerState::Stopped, false, "stopped");
    row(
        "stopped start failed failed",
        PowerState::Stopped,
        false,
        "stopped · boot failed",
    );
    row(
        "running stop succeeded booted",
        PowerState::Running,
        false,
        "running",
    );
    row(
        "stopped start pending stopped",
        PowerState::Starting,
        true,
        "stopped · start pending",
    );
    row(
        "stopped start in_progress booting",
        PowerState::Starting,
        true,
        "stopped · boot booting · start in_progress",
    );
    row(
        "running stop in_progress stopping",
        PowerState::Stopping,
        true,
        "running · boot stopping · stop in_progress",
    );
    row(
        "running reboot in_progress stopping",
        PowerState::Rebooting,
        true,
        "running · boot stopping · reboot in_progress",
    );
    row(
        "running restore in_progress booting",
        PowerState::Starting,
        true,
        "running · boot booting · restore in_progress",
    );
    row(
        "running attach_network pending booted",
        PowerState::Busy,
        true,
        "running · attach_network pending",
    );
    // Values the sheet does not list stay raw, and an unknown operation status holds the VM.
    row(
        "running migrate queued booted",
        PowerState::Busy,
        true,
        "running · migrate queued",
    );
    row(
        "suspended - - stopped",
        PowerState::Unknown("suspended".into()),
        false,
        "suspended · boot stopped",
    );
    row(
        "running - - rescue",
        PowerState::Unknown("rescue".into()),
        false,
        "running · boot rescue",
    );
    row(
        "running - - stopped",
        PowerState::Unknown("running / stopped".into()),
        false,
        "running · boot stopped",
    );
}

#[test]
fn read_vm_follows_the_listing_cursor_and_keeps_the_project() {
    let a = api();
    let req = a.read_vm_request(&VmId::new(ID), Some("project:p1"));
    assert_eq!(
        req.url,
        format!("https://api.zennohosting.com/projects/p1/vms/{ID}")
    );
    let body = json!({"items": [vm_json("running", None, None, "booted", "2025-12-31T10:00:00Z")]});
    let listed = a.parse_list(Some("project:p1"), &ok(&body), T).unwrap();
    assert_eq!(listed.vms[0].project.as_deref(), Some("p1"));
    let vms = a
        .parse_read_vm(
            &ok(&vm_json(
                "stopped",
                Some("stop"),
                Some("succeeded"),
                "stopped",
                "2026-01-01T00:00:30Z",
            )),
            T,
        )
        .unwrap();
    assert_eq!(vms.len(), 1);
    assert_eq!(vms[0].power, PowerState::Stopped);
    // The VM's own JSON does not say its project: the engine keeps the listing's
    // (see tests/engine.rs), and actions are built from it.
    assert_eq!(vms[0].project, None);
    assert_eq!(
        request(&a, &listed.vms[0], &Action::Start).url,
        format!("https://api.zennohosting.com/projects/p1/vms/{ID}/start")
    );
}

#[test]
fn reads_the_public_ip_then_the_internal_ones() {
    let mut v = vm_json("running", None, None, "booted", "2025-12-31T10:00:00Z");
    v["publicIp"] = json!({"id": "pip-1", "address": "198.51.100.9"});
    v["networks"] = json!([
        {"networkId": "net-1", "internalIp": "10.10.0.5"},
        {"networkId": "net-2", "internalIp": null},
        {"networkId": "net-3", "internalIp": "fd00::5"}
    ]);
    let ips: Vec<(String, u8, bool)> = vm_of(&v)
        .addresses
        .into_iter()
        .map(|a| (a.ip, a.version, a.public))
        .collect();
    assert_eq!(
        ips,
        vec![
            ("198.51.100.9".to_string(), 4, true),
            ("10.10.0.5".to_string(), 4, false),
            ("fd00::5".to_string(), 6, false),
        ]
    );
    // No public IP (`null`) and no networks: none.
    v["publicIp"] = Value::Null;
    v["networks"] = json!([]);
    assert!(vm_of(&v).addresses.is_empty());
    // The observation's VM carries them too.
    v["publicIp"] = json!({"id": "pip-1", "address": "198.51.100.9"});
    let o = api().parse_observation(&cmd("reboot"), &ok(&v), T).unwrap();
    assert_eq!(o.vm.unwrap().addresses.len(), 1);
}
