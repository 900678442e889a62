//! The benchmark matrix, small: one dialect at 1 and 10 concurrent operations, every strategy.

use vigil_bench::{calibrate, run, run_matrix, Anchor, Selection, Strategy};
use vigil_core::DialectKind;

fn quiet(_: &Result<vigil_bench::RunResult, vigil_bench::Skipped>, _: &vigil_bench::Job) {}

#[test]
fn no_operation_is_lost_and_the_oracle_is_never_beaten() {
    let sel = Selection {
        dialects: vec![DialectKind::Erigones],
        concurrency: vec![1, 10],
        strategies: Strategy::all(),
        quick: false,
        ..Selection::default()
    };
    let m = run_matrix(&sel, 2, &quiet);
    assert!(m.skipped.is_empty(), "{:?}", m.skipped);
    assert_eq!(m.rows.len(), 2 * Strategy::all().len());
    for r in &m.rows {
        // One at a time, 20 in all, at 1; all at once at 10.
        let ops = if r.concurrency == 1 { 20 } else { 10 };
        assert_eq!(r.ops, ops, "{r:?}");
        assert_eq!((r.lost, r.wrong), (0, 0), "{:?}", r.issues);
        assert_eq!(
            r.done + r.failed + r.unknown,
            r.ops,
            "every operation ends done, failed or unknown-with-check: {r:?}"
        );
        assert!(r.requests >= r.ops as u64, "at least the submits: {r:?}");
        assert!(r.lagged > 0 && r.p50_lag_s <= r.p95_lag_s && r.p95_lag_s <= r.max_lag_s);
    }
    for c in [1, 10] {
        let at = |s: Strategy| {
            m.rows
                .iter()
                .find(|r| r.concurrency == c && r.strategy == s)
                .unwrap_or_else(|| panic!("{} at {c}", s.name()))
        };
        let oracle = at(Strategy::Anchor(Anchor::Oracle));
        for r in m.rows.iter().filter(|r| r.concurrency == c) {
            assert!(
                oracle.p95_lag_s <= r.p95_lag_s,
                "oracle p95 {} > {} p95 {} at {c}",
                oracle.p95_lag_s,
                r.strategy.name(),
                r.p95_lag_s
            );
        }
        // One poll at completion, then the verification reads: the VM, and for a snapshot its
        // provider's list of them too (a snapshot is verified on itself): up to three round
        // trips, and a submit plus three reads.
        assert!(oracle.p95_lag_s <= 0.15 + 1e-9, "{oracle:?}");
        assert!(oracle.requests_per_op() <= 4.0 + 1e-9, "{oracle:?}");
        // `vigil@<anchor>` rows exist for every anchor, each Vigil at a calibrated target lag
        // with the anchor's request count as its budget.
        for a in Anchor::ALL {
            let v = at(Strategy::VigilAt(a));
            let anchor = at(Strategy::Anchor(a));
            assert_eq!(v.budget, Some(anchor.requests), "{v:?}");
            let lag = v.target_lag_ms.expect("a target lag");
            assert!(
                (calibrate::MIN_LAG..=calibrate::MAX_LAG).contains(&lag),
                "{v:?}"
            );
            let note = v.note.as_deref().unwrap_or("");
            assert!(
                note.starts_with(&format!("target lag {}", calibrate::secs(lag))),
                "{note}"
            );
        }
    }
}

#[test]
fn runs_are_deterministic_and_another_seed_is_another_world() {
    let horizon = |seed| {
        run(
            DialectKind::OnetSolutions,
            10,
            Strategy::Anchor(Anchor::Horizon),
            None,
            seed,
        )
        .expect("runs")
    };
    let a = horizon(run::World::default());
    assert_eq!(a, horizon(run::World::default()));
    assert!(a.requests > 0 && a.peak_rps > 0);
    let other = horizon(run::World {
        seed: run::WORLD_SEED + 1,
        ..Default::default()
    });
    assert_eq!(other.ops, a.ops);
    assert_ne!((other.requests, other.p95_lag_s), (a.requests, a.p95_lag_s));
}

#[test]
fn vigil_is_vigil_at_its_default_target_lag() {
    // `vigil@<anchor>` reuses the `vigil` row as its calibration run at the default lag: that is
    // only right while the engine's default policy is `Vigil::default()`.
    for d in [DialectKind::Erigones, DialectKind::Hostway] {
        let default = run(d, 10, Strategy::Vigil, None, run::World::default()).expect("runs");
        let lag = vigil_bench::run::default_target_lag();
        let mut set = run(d, 10, Strategy::Vigil, Some(lag), run::World::default()).expect("runs");
        assert_eq!(set.target_lag_ms, Some(lag));
        set.note = default.note.clone();
        assert_eq!(default, set);
        // And the knob does something.
        let slow = run(
            d,
            10,
            Strategy::Vigil,
            Some(calibrate::PROBE_LAG),
            run::World::default(),
        )
        .expect("runs");
        assert!(slow.requests < default.requests, "{slow:?}");
    }
}
