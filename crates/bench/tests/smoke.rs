//! The benchmark matrix, small: one dialect at 1 and 10 concurrent operations, every strategy.

use vigil_bench::{run, run_matrix, Anchor, Selection, Strategy};
use vigil_core::DialectKind;

fn quiet(_: &Result<vigil_bench::RunResult, vigil_bench::Skipped>, _: &vigil_bench::Job) {}

#[test]
fn no_operation_is_lost_and_the_oracle_is_never_beaten() {
    let sel = Selection {
        dialects: vec![DialectKind::Erigones],
        concurrency: vec![1, 10],
        strategies: Strategy::all(),
    };
    let m = run_matrix(&sel, 2, &quiet);
    assert!(m.skipped.is_empty(), "{:?}", m.skipped);
    assert_eq!(m.rows.len(), 2 * Strategy::all().len());
    for r in &m.rows {
        assert_eq!(r.ops, r.concurrency, "{r:?}");
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
        // One poll at completion, then the verification read: one round trip or two.
        assert!(oracle.p95_lag_s <= 0.1 + 1e-9, "{oracle:?}");
        assert!(oracle.requests_per_op() <= 3.0 + 1e-9, "{oracle:?}");
        // `vigil@<anchor>` rows exist for every anchor.
        for a in Anchor::ALL {
            at(Strategy::VigilAt(a));
        }
    }
}

#[test]
fn runs_are_deterministic() {
    let a = run(
        DialectKind::OnetSolutions,
        10,
        Strategy::Anchor(Anchor::Horizon),
        None,
    );
    let b = run(
        DialectKind::OnetSolutions,
        10,
        Strategy::Anchor(Anchor::Horizon),
        None,
    );
    assert_eq!(a, b);
    let a = a.expect("runs");
    assert!(a.requests > 0 && a.peak_rps > 0);
}
