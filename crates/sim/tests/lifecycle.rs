//! Lifecycle contract tests, per dialect: create followed by the provider's own observation to
//! its end, delete to `404`, the documented refusals, the create form's catalogues, IP addresses,
//! and the ground truth (`Sim::vm_fact`, `Completion`) agreeing with what the API shows.

#[path = "common/mod.rs"]
mod common;

#[path = "lifecycle/cloudsfor.rs"]
mod cloudsfor;

/// Epoch ms of the simulator's ISO-8601 UTC timestamps (`2026-01-14T16:31:00Z`).
pub fn iso_ms(s: &str) -> u64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19);
    secs as u64 * 1000
}

#[test]
fn iso_ms_reads_the_simulators_timestamps() {
    for t in [common::T0, common::T0 + 86_399_000, 1_709_210_096_000] {
        assert_eq!(iso_ms(&vigil_sim::iso(t)), t);
    }
}

#[path = "lifecycle/zenno.rs"]
mod zenno;

#[path = "lifecycle/erigones.rs"]
mod erigones;

#[path = "lifecycle/erigones_roles.rs"]
mod erigones_roles;

#[path = "lifecycle/onet.rs"]
mod onet;

#[path = "lifecycle/hostway.rs"]
mod hostway;

#[path = "lifecycle/world.rs"]
mod world;
