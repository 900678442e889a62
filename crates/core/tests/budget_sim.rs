//! The request budget: Vigil stays under each provider's documented rate limit, however many
//! operations are open.

mod common;

use common::*;
use vigil_core::{Action, ActionKind, DialectKind, Phase};

/// Starts `n` reboots (or starts, for stopped VMs) at once and runs them all to their end.
fn run_many(dialect: DialectKind, n: usize) -> World {
    let mut sc = scenario(21, 0.0);
    sc.vms = n;
    let mut w = World::new(dialect, sc);
    let mut ids = Vec::new();
    for vm in w.vms() {
        let kind = [ActionKind::Reboot, ActionKind::Start]
            .into_iter()
            .find(|&k| w.engine.allowed("c", vm.id.as_str(), k).is_ok());
        if let Some(kind) = kind {
            let action = Action::simple(kind).unwrap();
            ids.push(w.engine.start("c", vm.id.as_str(), action, w.now).unwrap());
        }
    }
    assert!(ids.len() > n / 2, "most VMs can take an action");
    w.run_until(3 * 60 * 60_000, |e| {
        ids.iter().all(|id| !e.op(id).is_open())
    });
    for id in &ids {
        let op = w.engine.op(id);
        assert!(
            matches!(op.phase, Phase::Succeeded | Phase::NeedsCheck),
            "{:?}: {:?}",
            op.phase,
            op.note
        );
    }
    w
}

/// The most requests sent in any window of `len` ms.
fn peak(sent_at: &[i64], len: i64) -> usize {
    sent_at
        .iter()
        .enumerate()
        .map(|(i, &t)| sent_at[i..].iter().take_while(|&&u| u < t + len).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn cloudsfor_stays_under_250_a_minute_and_is_never_throttled() {
    let w = run_many(DialectKind::Cloudsfor, 300);
    assert_eq!(w.throttled, 0, "the provider never had to say 429");
    assert!(
        peak(&w.sent_at, 60_000) <= 250,
        "peak a minute: {}",
        peak(&w.sent_at, 60_000)
    );
}

#[test]
fn onet_stays_under_1000_a_minute_and_100_a_second() {
    let w = run_many(DialectKind::OnetSolutions, 300);
    assert_eq!(w.throttled, 0);
    assert!(peak(&w.sent_at, 60_000) <= 1000);
    assert!(
        peak(&w.sent_at, 1_000) <= 100,
        "peak a second: {}",
        peak(&w.sent_at, 1_000)
    );
}
