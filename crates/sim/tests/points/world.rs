//! Truth across dialects: unknown VMs and dialects, the demo fleet's seeded points.

use vigil_sim::{Faults, PointState, Sim};

use crate::common::*;

#[test]
fn unknown_vms_and_dialects_have_no_points() {
    let s = sim(0.0);
    assert!(s.points("hostway", "no-such-vm").is_empty());
    assert!(s.points("nowhere", "x").is_empty());
    assert_eq!(s.vm_image("nowhere", "x"), None);
    assert_eq!(s.automatic_backups("hostway", "no-such-vm"), None);
}

#[test]
fn faults_parse_lag() {
    let f = Faults::parse("lag=45000").unwrap();
    assert_eq!(f.lag_ms, 45_000);
    let s = Sim::with_faults(scenario(1, 12, 0.0), T0, f);
    assert_eq!(s.faults().lag_ms, 45_000);
    let _ = PointState::Ready;
}
