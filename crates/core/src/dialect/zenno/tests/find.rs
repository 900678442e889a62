//! A lost command looked for on the VM itself.

use super::*;
use crate::dialect::testing::find;
use crate::dialect::Found;

fn found(v: &Value) -> Found {
    let vm = idle("running");
    find(&api(), &vm, &Action::Reboot, T, None, &ok(v)).unwrap()
}

#[test]
fn its_operation_under_way_or_ended_since_is_adopted() {
    for (status, updated) in [
        ("pending", "2026-01-01T00:00:00Z"),
        ("in_progress", "2026-01-01T00:00:03Z"),
        ("succeeded", "2026-01-01T00:00:20Z"),
    ] {
        let v = vm_json("running", Some("reboot"), Some(status), "booted", updated);
        let Found::Adopted(acc) = found(&v) else {
            panic!("{status}")
        };
        assert!(matches!(
            acc.provider_ref,
            ProviderRef::ZennoCommand { accepted_at, ref operation, .. } if accepted_at == T && operation == "reboot"
        ));
    }
}

#[test]
fn nothing_changed_since_is_not_taken_and_a_change_it_cannot_place_is_unknown() {
    // Its operation, from an earlier run; another operation; none: all older than the write.
    for (op, status) in [
        (Some("reboot"), Some("succeeded")),
        (Some("start"), Some("succeeded")),
        (None, None),
    ] {
        let v = vm_json("running", op, status, "booted", "2025-12-31T10:00:00Z");
        assert_eq!(found(&v), Found::NotTaken, "{op:?}");
    }
    // Changed since the write, but not showing it (the fields cleared, or another operation).
    for op in [None, Some("start")] {
        let v = vm_json(
            "running",
            op,
            op.map(|_| "succeeded"),
            "booted",
            "2026-01-01T00:00:09Z",
        );
        assert_eq!(found(&v), Found::Unknown, "{op:?}");
    }
}
