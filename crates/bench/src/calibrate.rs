//! `vigil@<anchor>`: Vigil's one knob, `target_lag`, calibrated so that the engine spends the
//! anchor's request count on the same workload.
//!
//! The request cost of a run is modelled as `requests(lag) ≈ fixed + k / lag`: the submits,
//! verification reads and the looks outside the likely window do not depend on the target lag
//! (`fixed`); the looks inside the window are about (window length ÷ lag) per operation, or per
//! observe-many request where they share one (`k`). Two runs fit it, the anchor's count gives
//! the lag; a run that still overshoots by more than [`TOLERANCE`] is refitted once with its own
//! point. Everything here is pure: the harness runs the engine, this only decides the lag.

use vigil_core::Millis;

/// The shortest target lag tried.
pub const MIN_LAG: Millis = 250;
/// The longest target lag tried (Vigil's own `max_interval`).
pub const MAX_LAG: Millis = 30_000;
/// The second calibration run; the first is `vigil` itself, at the default target lag.
pub const PROBE_LAG: Millis = 6_000;
/// Lags are rounded to this (so that anchors asking for nearly the same lag share one run).
pub const LAG_STEP: Millis = 10;
/// How far over the anchor's count a run may go before it is corrected.
pub const TOLERANCE: f64 = 0.05;

/// One measured run: its target lag and the requests it spent.
pub type Point = (Millis, u64);

/// `requests(lag) = fixed + k / lag`, the lag in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    pub fixed: f64,
    pub k: f64,
}

impl Fit {
    /// The curve through two runs at different lags (`None` for the same lag twice).
    pub fn through(a: Point, b: Point) -> Option<Fit> {
        // The same arithmetic whatever the order.
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let (xa, xb) = (1000.0 / a.0 as f64, 1000.0 / b.0 as f64);
        if a.0 <= 0 || b.0 <= 0 || (xa - xb).abs() < 1e-12 {
            return None;
        }
        let k = (a.1 as f64 - b.1 as f64) / (xa - xb);
        Some(Fit {
            fixed: a.1 as f64 - k * xa,
            k,
        })
    }

    /// The requests the curve predicts at `lag` ms.
    pub fn requests(&self, lag: Millis) -> f64 {
        self.fixed + self.k * 1000.0 / lag as f64
    }
}

/// How the lag was chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum How {
    /// Solved on the curve (within the clamp).
    Solved(Fit),
    /// The solution was shorter than [`MIN_LAG`]: the anchor's count buys more than Vigil
    /// can use.
    Shortest(Fit),
    /// The anchor's count is at or below the curve's fixed cost (or the solution was longer than
    /// [`MAX_LAG`]): the longest lag.
    Longest(Fit),
    /// The runs do not get cheaper with a longer lag (a rate limit or the fixed cost dominates):
    /// no curve to solve on, so the shorter measured lag that fits the count, else the longest.
    Flat,
}

/// The chosen lag and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Choice {
    pub lag: Millis,
    pub how: How,
}

fn round(lag: f64) -> Millis {
    let step = LAG_STEP as f64;
    ((lag / step).round() * step) as Millis
}

/// The target lag at which Vigil should spend `budget` requests, from two runs at different
/// lags.
pub fn solve(a: Point, b: Point, budget: u64) -> Choice {
    let Some(fit) = Fit::through(a, b).filter(|f| f.k > 0.0 && f.k.is_finite()) else {
        let (short, long) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        let lag = if short.1 <= budget {
            short.0
        } else if long.1 <= budget {
            long.0
        } else {
            MAX_LAG
        };
        return Choice {
            lag: lag.clamp(MIN_LAG, MAX_LAG),
            how: How::Flat,
        };
    };
    let spare = budget as f64 - fit.fixed;
    if spare <= 0.0 {
        return Choice {
            lag: MAX_LAG,
            how: How::Longest(fit),
        };
    }
    let lag = round(1000.0 * fit.k / spare);
    if lag < MIN_LAG {
        Choice {
            lag: MIN_LAG,
            how: How::Shortest(fit),
        }
    } else if lag > MAX_LAG {
        Choice {
            lag: MAX_LAG,
            how: How::Longest(fit),
        }
    } else {
        Choice {
            lag,
            how: How::Solved(fit),
        }
    }
}

/// Whether a run spent more than [`TOLERANCE`] over `budget`.
pub fn overshoots(requests: u64, budget: u64) -> bool {
    requests as f64 > budget as f64 * (1.0 + TOLERANCE)
}

/// The correction step: refit with the run that overshot (`new`) and, of the `earlier` runs
/// (at other lags), one on the other side of the budget if any (the nearest in lag of those),
/// else the nearest in lag; then solve again.
pub fn correct(earlier: &[Point], new: Point, budget: u64) -> Choice {
    let dist = |p: &Point| (1.0 / p.0 as f64 - 1.0 / new.0 as f64).abs();
    let mut others: Vec<Point> = earlier.iter().copied().filter(|p| p.0 != new.0).collect();
    others.sort_by(|x, y| {
        (x.1 > budget)
            .cmp(&(y.1 > budget))
            .then(dist(x).total_cmp(&dist(y)))
            .then(x.0.cmp(&y.0))
    });
    match others.first() {
        Some(&other) => solve(new, other, budget),
        // Nothing to refit with: one step longer, as far as the overshoot says.
        None => Choice {
            lag: round(new.0 as f64 * new.1 as f64 / budget.max(1) as f64).clamp(MIN_LAG, MAX_LAG),
            how: How::Flat,
        },
    }
}

/// Seconds, short: "3.4 s", "0.25 s", "30 s".
pub fn secs(lag: Millis) -> String {
    let s = format!("{:.2}", lag as f64 / 1000.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} s")
}

fn pct(spent: u64, budget: u64) -> String {
    let d = (spent as f64 / budget.max(1) as f64 - 1.0) * 100.0;
    format!("{d:+.1} %")
}

/// The `note` of a `vigil@<anchor>` row: the lag chosen and why, what the try spent, and the
/// first try where it was corrected. `points` are the two calibration runs, `first` the first
/// choice with the requests it spent, `second` the correction with its own.
pub fn describe(
    anchor: &str,
    budget: u64,
    points: [Point; 2],
    first: (Choice, u64),
    second: Option<(Choice, u64)>,
) -> String {
    let (c, spent) = second.unwrap_or(first);
    let lag = secs(c.lag);
    let curve = |f: &Fit| format!("requests ≈ {:.0} + {:.0}/lag s", f.fixed, f.k);
    let mut s = match c.how {
        How::Solved(f) => format!(
            "target lag {lag} to match {anchor}'s {budget} requests ({})",
            curve(&f)
        ),
        How::Shortest(f) => format!(
            "target lag {lag}, the shortest tried, for {anchor}'s {budget} requests ({}: {} would \
             spend them)",
            curve(&f),
            secs((1000.0 * f.k / (budget as f64 - f.fixed)).round() as Millis)
        ),
        How::Longest(f) if budget as f64 <= f.fixed => format!(
            "target lag {lag}, the longest tried: {anchor}'s {budget} requests are below the \
             fixed cost ({})",
            curve(&f)
        ),
        How::Longest(f) => format!(
            "target lag {lag}, the longest tried, for {anchor}'s {budget} requests ({}: {} would \
             spend them)",
            curve(&f),
            secs((1000.0 * f.k / (budget as f64 - f.fixed)).round() as Millis)
        ),
        How::Flat => format!(
            "target lag {lag} for {anchor}'s {budget} requests: no cheaper with a longer lag \
             ({} at {}, {} at {})",
            points[0].1,
            secs(points[0].0),
            points[1].1,
            secs(points[1].0)
        ),
    };
    if second.is_some() {
        s.push_str(&format!(
            ", refitted after {} spent {} ({})",
            secs(first.0.lag),
            first.1,
            pct(first.1, budget)
        ));
    }
    s.push_str(&format!("; spent {spent} ({})", pct(spent, budget)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cost curve to sample: 400 fixed, 1,200 request·seconds.
    fn cost(lag: Millis) -> u64 {
        (400.0 + 1200.0 * 1000.0 / lag as f64).round() as u64
    }

    #[test]
    fn the_curve_through_two_runs_is_exact_on_them() {
        let f = Fit::through((2_000, cost(2_000)), (6_000, cost(6_000))).unwrap();
        assert!(
            (f.fixed - 400.0).abs() < 1e-9 && (f.k - 1200.0).abs() < 1e-9,
            "{f:?}"
        );
        assert!((f.requests(3_000) - 800.0).abs() < 1e-9);
        // Order does not matter; the same lag twice is no curve.
        assert_eq!(
            Fit::through((6_000, cost(6_000)), (2_000, cost(2_000))),
            Some(f)
        );
        assert_eq!(Fit::through((2_000, 10), (2_000, 20)), None);
    }

    #[test]
    fn the_lag_spends_the_budget() {
        let (a, b) = ((2_000, cost(2_000)), (6_000, cost(6_000)));
        let c = solve(a, b, 800);
        assert_eq!(c.lag, 3_000);
        assert!(matches!(c.how, How::Solved(_)));
        // Between the two runs and beyond them on either side, rounded to 10 ms.
        assert_eq!(solve(a, b, 1_000).lag, 2_000);
        assert_eq!(solve(a, b, 700).lag, 4_000);
        assert_eq!(solve(a, b, 1_600).lag, 1_000);
        assert_eq!(solve(a, b, 450).lag, 24_000);
        assert_eq!(solve(a, b, 721).lag, 3_740);
        // A bigger budget never asks for a longer lag.
        let mut last = MAX_LAG;
        for budget in (300..20_000).step_by(97) {
            let lag = solve(a, b, budget).lag;
            assert!(
                (MIN_LAG..=MAX_LAG).contains(&lag) && lag <= last,
                "{budget}: {lag}"
            );
            last = lag;
        }
    }

    #[test]
    fn out_of_reach_budgets_clamp() {
        let (a, b) = ((2_000, cost(2_000)), (6_000, cost(6_000)));
        // Below the fixed cost (the oracle's count, typically): the longest lag.
        let c = solve(a, b, 350);
        assert_eq!(c.lag, MAX_LAG);
        assert!(matches!(c.how, How::Longest(_)));
        assert_eq!(solve(a, b, 400).lag, MAX_LAG);
        // Just above it the solution is past 30 s: clamped.
        assert!(matches!(solve(a, b, 420).how, How::Longest(_)));
        // Far more than Vigil can use: the shortest.
        let c = solve(a, b, 100_000);
        assert_eq!(c.lag, MIN_LAG);
        assert!(matches!(c.how, How::Shortest(_)));
    }

    #[test]
    fn runs_that_do_not_get_cheaper_pick_a_measured_lag() {
        // A longer lag cost more (a rate limit decides): no curve.
        let (a, b) = ((2_000, 1_000), (6_000, 1_100));
        let c = solve(a, b, 5_000);
        assert_eq!((c.lag, c.how), (2_000, How::Flat));
        assert_eq!(solve(b, a, 1_050).lag, 2_000);
        assert_eq!(solve(b, a, 1_100).lag, 2_000);
        assert_eq!(solve(a, b, 900).lag, MAX_LAG);
        // Exactly flat.
        assert_eq!(solve((2_000, 500), (6_000, 500), 500).lag, 2_000);
    }

    #[test]
    fn an_overshoot_is_refitted_with_its_own_point() {
        // The real curve bends: the first fit says 3 s for 800, the run at 3 s spends 900.
        let earlier = [(2_000, 1_000), (6_000, 600)];
        let first = solve(earlier[0], earlier[1], 800);
        assert_eq!(first.lag, 3_000);
        assert!(overshoots(900, 800) && !overshoots(840, 800) && !overshoots(700, 800));
        // Refit with (3 s, 900) and the 6 s run (the one under budget): 900 − 600 = k (1/3 − 1/6)
        // → k = 1,800, fixed = 300 → 800 at 3.6 s.
        let c = correct(&earlier, (3_000, 900), 800);
        assert_eq!(c.lag, 3_600);
        assert!(matches!(c.how, How::Solved(_)));
        // With nothing under budget, the nearest in lag (in 1/lag, as the curve is).
        let c = correct(&[(2_000, 2_000), (6_000, 1_000)], (4_000, 1_500), 800);
        assert_eq!(c, solve((4_000, 1_500), (6_000, 1_000), 800));
        assert_eq!(c.lag, 7_500);
        // A point at the same lag is not a second point.
        let c = correct(&[(3_000, 1_400)], (3_000, 1_500), 1_000);
        assert_eq!((c.lag, c.how), (4_500, How::Flat));
    }

    #[test]
    fn notes_say_which_lag_and_why() {
        let points = [(2_000, 1_000), (6_000, 600)];
        let first = solve(points[0], points[1], 721);
        let n = describe("doctl-5s", 721, points, (first, 705), None);
        assert_eq!(
            n,
            "target lag 3.74 s to match doctl-5s's 721 requests (requests ≈ 400 + 1200/lag s); \
             spent 705 (-2.2 %)"
        );
        let second = correct(&points, (3_740, 790), 721);
        let n = describe("doctl-5s", 721, points, (first, 790), Some((second, 720)));
        assert!(
            n.contains("refitted after 3.74 s spent 790 (+9.6 %)"),
            "{n}"
        );
        assert!(n.ends_with("spent 720 (-0.1 %)"), "{n}");
        let low = solve(points[0], points[1], 300);
        let n = describe("oracle", 300, points, (low, 520), None);
        assert!(n.starts_with("target lag 30 s, the longest tried: oracle's 300 requests are below the fixed cost"), "{n}");
        let flat = solve((2_000, 1_000), (6_000, 1_100), 5_000);
        let n = describe(
            "linode-2s",
            5_000,
            [(2_000, 1_000), (6_000, 1_100)],
            (flat, 1_000),
            None,
        );
        assert!(
            n.contains("no cheaper with a longer lag (1000 at 2 s, 1100 at 6 s)"),
            "{n}"
        );
    }

    #[test]
    fn lags_read_short() {
        assert_eq!(secs(3_400), "3.4 s");
        assert_eq!(secs(250), "0.25 s");
        assert_eq!(secs(30_000), "30 s");
        assert_eq!(secs(3_740), "3.74 s");
    }
}
