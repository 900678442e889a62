//! Tying what the VM shows to our command.

use serde_json::json;

use super::*;

#[test]
fn observation_follows_our_operations_status() {
    let after = "2026-01-01T00:00:10Z";
    let o = obs(
        "reboot",
        &vm_json("running", Some("reboot"), Some("pending"), "booted", after),
    );
    assert_eq!(o.state, TaskState::Pending);
    assert_eq!(o.raw_status, "reboot pending");
    assert!(o.vm.as_ref().unwrap().locked);

    let o = obs(
        "reboot",
        &vm_json(
            "running",
            Some("reboot"),
            Some("in_progress"),
            "stopping",
            after,
        ),
    );
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(o.vm.as_ref().unwrap().power, PowerState::Rebooting);

    let o = obs(
        "reboot",
        &vm_json(
            "running",
            Some("reboot"),
            Some("succeeded"),
            "booted",
            after,
        ),
    );
    assert_eq!(o.state, TaskState::Succeeded);
    let vm = o.vm.unwrap();
    assert_eq!(vm.power, PowerState::Running);
    assert!(!vm.locked);
    assert_eq!(vm.project.as_deref(), Some(P));

    let o = obs(
        "stop",
        &vm_json("stopped", Some("stop"), Some("succeeded"), "stopped", after),
    );
    assert_eq!(o.state, TaskState::Succeeded);

    let o = obs(
        "start",
        &vm_json("stopped", Some("start"), Some("failed"), "failed", after),
    );
    assert_eq!(o.state, TaskState::Failed);
    assert_eq!(o.raw_status, "start failed · boot failed");
}

#[test]
fn succeeded_is_a_report_unless_the_boot_is_still_under_way() {
    let after = "2026-01-01T00:00:10Z";
    // The status says done but the VM still boots: not yet.
    let o = obs(
        "start",
        &vm_json(
            "running",
            Some("start"),
            Some("succeeded"),
            "booting",
            after,
        ),
    );
    assert_eq!(o.state, TaskState::Running);
    assert_eq!(o.raw_status, "start succeeded · running · boot booting");
    assert_eq!(o.message, None, "no words of the provider's own");
    // Reported done while the VM, settled, shows otherwise: a report all the same, which the
    // engine verifies (and says "Needs check" of, once the grace period is over).
    let o = obs(
        "stop",
        &vm_json("running", Some("stop"), Some("succeeded"), "booted", after),
    );
    assert_eq!(o.state, TaskState::Succeeded);
    assert_eq!(o.raw_status, "stop succeeded · running");
    // "Succeeded" with a failed boot is a failure, not a success.
    let o = obs(
        "reboot",
        &vm_json(
            "stopped",
            Some("reboot"),
            Some("succeeded"),
            "failed",
            after,
        ),
    );
    assert_eq!(o.state, TaskState::Failed);
    assert_eq!(o.raw_status, "reboot succeeded · boot failed");
}

#[test]
fn unknown_statuses_stay_raw_and_never_succeed() {
    let after = "2026-01-01T00:00:10Z";
    for st in ["queued", "retrying", "cancelled", "SUCCEEDED"] {
        let o = obs(
            "reboot",
            &vm_json("running", Some("reboot"), Some(st), "booted", after),
        );
        assert_eq!(o.state, TaskState::Unknown(st.into()));
        assert!(!o.state.is_terminal());
        assert!(o.vm.is_some());
    }
}

#[test]
fn another_operation_after_ours_supersedes_it() {
    // Accepted at 00:00:00; a `stop` shows, changed at 00:01:00: ours was overwritten.
    for st in ["pending", "in_progress", "succeeded", "failed"] {
        let v = vm_json(
            "running",
            Some("stop"),
            Some(st),
            "booted",
            "2026-01-01T00:01:00Z",
        );
        let o = obs("reboot", &v);
        assert_eq!(o.state, TaskState::Superseded { by: "stop".into() }, "{st}");
        assert!(o.state.is_terminal());
        assert!(o.vm.is_some());
    }
    // Unknown operation names supersede too, and are named as sent.
    let v = vm_json(
        "running",
        Some("migrate"),
        Some("in_progress"),
        "booted",
        "2026-01-01T00:01:00Z",
    );
    assert_eq!(
        obs("reboot", &v).state,
        TaskState::Superseded {
            by: "migrate".into()
        }
    );
}

#[test]
fn what_shows_before_our_command_started_is_pending() {
    // Idle (no operation shown): ours has not begun, or its fields were cleared; the engine
    // tells which from what it saw before.
    let o = obs(
        "start",
        &vm_json("stopped", None, None, "stopped", "2025-12-31T10:00:00Z"),
    );
    assert_eq!(o.state, TaskState::Idle);
    assert!(!o.state.is_terminal());
    assert_eq!(o.raw_status, "idle");
    assert!(o.vm.is_some());
    // An older, different operation's result is not ours and not a supersession.
    let o = obs(
        "start",
        &vm_json(
            "stopped",
            Some("stop"),
            Some("succeeded"),
            "stopped",
            "2025-12-31T10:00:00Z",
        ),
    );
    assert_eq!(o.state, TaskState::Pending);
    assert_eq!(
        o.raw_status, "stop succeeded",
        "the previous operation, as shown"
    );
    // An older run of the same operation is not ours either.
    let o = obs(
        "reboot",
        &vm_json(
            "running",
            Some("reboot"),
            Some("succeeded"),
            "booted",
            "2025-12-31T10:00:00Z",
        ),
    );
    assert_eq!(o.state, TaskState::Pending);
    // Ours, with the provider's clock a few seconds behind, still counts.
    let o = obs(
        "reboot",
        &vm_json(
            "running",
            Some("reboot"),
            Some("succeeded"),
            "booted",
            "2025-12-31T23:59:50Z",
        ),
    );
    assert_eq!(o.state, TaskState::Succeeded);
}

#[test]
fn observe_many_reads_the_project_list_once() {
    let a = api();
    let other = ProviderRef::ZennoCommand {
        project: P.into(),
        vm_id: "vm-2".into(),
        command_id: "c-2".into(),
        operation: "stop".into(),
        accepted_at: T,
        vm_name: String::new(),
    };
    let missing = ProviderRef::ZennoCommand {
        project: P.into(),
        vm_id: "vm-gone".into(),
        command_id: "c-3".into(),
        operation: "start".into(),
        accepted_at: T,
        vm_name: String::new(),
    };
    let mine = cmd("reboot");
    let refs = [&mine, &other, &missing];
    let req = a.observe_many_request(&refs).unwrap();
    assert_eq!(
        req.url,
        format!("https://api.zennohosting.com/projects/{P}/vms")
    );
    let mut second = vm_json(
        "stopped",
        Some("stop"),
        Some("succeeded"),
        "stopped",
        "2026-01-01T00:00:30Z",
    );
    second["id"] = json!("vm-2");
    let body = json!({"items": [
        vm_json("running", Some("reboot"), Some("in_progress"), "booting", "2026-01-01T00:00:05Z"),
        second,
    ]});
    let seen = a.parse_observe_many(&refs, &ok(&body), T).unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].as_ref().unwrap().state, TaskState::Running);
    assert_eq!(seen[0].as_ref().unwrap().vm.as_ref().unwrap().id, ID);
    assert_eq!(seen[1].as_ref().unwrap().state, TaskState::Succeeded);
    assert_eq!(seen[1].as_ref().unwrap().vm.as_ref().unwrap().id, "vm-2");
    assert!(seen[2].is_none());

    // Commands in different projects cannot share one read.
    let elsewhere = ProviderRef::ZennoCommand {
        project: "p-other".into(),
        vm_id: "vm-9".into(),
        command_id: "c-9".into(),
        operation: "start".into(),
        accepted_at: T,
        vm_name: String::new(),
    };
    assert!(a.observe_many_request(&[&mine, &elsewhere]).is_none());
}
