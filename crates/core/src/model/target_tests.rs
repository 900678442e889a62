//! Expectations checked against what is seen: points ready or gone, restores.

use super::*;
use crate::model::{Action, Addressed, PowerState, Size};

fn point(state: PointState) -> Point {
    Point {
        kind: PointKind::Snapshot,
        id: "s1".into(),
        name: "s1".into(),
        status_raw: format!("{state:?}"),
        state,
        created: None,
        size_gb: None,
        automatic: None,
        note: None,
        definition: None,
    }
}

fn seen(p: Option<PointSeen<'_>>) -> Seen<'_> {
    Seen {
        vm: None,
        point: p,
        res: None,
    }
}

#[test]
fn only_a_ready_point_is_ready_and_only_an_absent_one_is_gone() {
    let ready = point(PointState::Ready);
    assert_eq!(
        Expect::PointReady.check(seen(Some(PointSeen::Found(&ready)))),
        Ok(())
    );
    for state in [
        PointState::Creating,
        PointState::Failed,
        PointState::Lost,
        PointState::Unknown("quarantined".into()),
    ] {
        let p = point(state.clone());
        assert!(matches!(
            Expect::PointReady.check(seen(Some(PointSeen::Found(&p)))),
            Err(Mismatch::PointNotReady { state: s, .. }) if s == state
        ));
    }
    assert_eq!(
        Expect::PointReady.check(seen(Some(PointSeen::Absent))),
        Err(Mismatch::PointNotListed)
    );
    assert_eq!(
        Expect::PointReady.check(seen(None)),
        Err(Mismatch::PointsUnread)
    );
    assert_eq!(Expect::Gone.check(seen(Some(PointSeen::Absent))), Ok(()));
    assert_eq!(
        Expect::Gone.check(seen(Some(PointSeen::Unread))),
        Err(Mismatch::PointsUnread)
    );
    assert!(Expect::Gone
        .check(seen(Some(PointSeen::Found(&ready))))
        .is_err());
}

#[test]
fn a_restore_wants_the_vm_as_before_and_its_point_ready() {
    let vm = Vm {
        id: VmId::new("v"),
        name: "v".into(),
        power: PowerState::Stopped,
        status_raw: "stopped".into(),
        locked: false,
        size: Size::default(),
        region: None,
        image: None,
        image_id: None,
        snapshot_count: None,
        project: None,
        addresses: Vec::new(),
        uptime_s: None,
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    };
    let restore = Action::RestoreSnapshot {
        id: "s1".into(),
        name: "s1".into(),
    };
    let e = restore.expectation(Some(&vm), Addressed::No);
    let rolling = point(PointState::Restoring);
    let ready = point(PointState::Ready);
    let with = |p| Seen {
        vm: Some(&vm),
        point: Some(PointSeen::Found(p)),
        res: None,
    };
    assert!(e.check(with(&rolling)).is_err());
    assert_eq!(e.check(with(&ready)), Ok(()));
    let mut running = vm.clone();
    running.power = PowerState::Running;
    let moved = Seen {
        vm: Some(&running),
        point: Some(PointSeen::Found(&ready)),
        res: None,
    };
    assert!(matches!(e.check(moved), Err(Mismatch::Power { .. })));
    // cloudsfor: done when unlocked, whatever the power.
    let loose = restore.expectation_keeping(Some(&vm), Addressed::No, false);
    assert_eq!(loose.check(moved), Ok(()));
}
