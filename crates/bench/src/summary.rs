//! The goals, computed from the rows: does any anchor beat `vigil` outright, how much
//! faster `vigil@<anchor>` is on the anchor's request count, whether `vigil` keeps to the
//! providers' documented rate limits, and that no operation is lost.

use std::fmt::Write;

use serde_json::{json, Value};
use vigil_core::DialectKind;

use crate::{Anchor, RunResult, Strategy};

/// "Better" or "worse" only beyond this.
pub const TOLERANCE: f64 = 0.05;
/// Goal (2): `vigil@<anchor>`'s p95 lag at most this share of the anchor's.
pub const TARGET_RATIO: f64 = 0.75;

/// The documented rate limits Vigil must keep to: per second, per minute, per hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_second: Option<u64>,
    pub per_minute: Option<u64>,
    pub per_hour: Option<u64>,
}

/// The provider's published limits (`None`: not published).
pub fn documented_limits(d: DialectKind) -> Option<Limits> {
    match d {
        DialectKind::Cloudsfor => Some(Limits {
            per_second: None,
            per_minute: Some(250),
            per_hour: Some(5000),
        }),
        DialectKind::OnetSolutions => Some(Limits {
            per_second: Some(100),
            per_minute: Some(1000),
            per_hour: None,
        }),
        DialectKind::ZennoHosting | DialectKind::Erigones | DialectKind::Hostway => None,
    }
}

impl Limits {
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = self.per_second {
            parts.push(format!("{n}/s"));
        }
        if let Some(n) = self.per_minute {
            parts.push(format!("{n}/min"));
        }
        if let Some(n) = self.per_hour {
            parts.push(format!("{n}/h"));
        }
        parts.join(", ")
    }

    /// Whether a run's peaks stay within every limit.
    pub fn allows(&self, r: &RunResult) -> bool {
        self.per_second.is_none_or(|n| r.peak_rps <= n)
            && self.per_minute.is_none_or(|n| r.peak_rpm <= n)
            && self.per_hour.is_none_or(|n| r.peak_rph <= n)
    }
}

/// An anchor and a Vigil row on the same workload.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub dialect: DialectKind,
    pub concurrency: usize,
    pub anchor: Anchor,
    pub anchor_requests: u64,
    pub anchor_p95: f64,
    pub vigil_requests: u64,
    pub vigil_p95: f64,
    /// `vigil@<anchor>`'s target lag (ms).
    pub target_lag_ms: Option<i64>,
}

/// Vigil's request rate on one dialect.
#[derive(Clone, Debug, PartialEq)]
pub struct Rates {
    pub dialect: DialectKind,
    pub limits: Option<Limits>,
    /// `vigil` rows, by concurrency.
    pub runs: Vec<RunResult>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// (1) (cell, anchor) pairs compared with `vigil`, the oracle left out.
    pub compared: usize,
    /// (1) Anchors with fewer requests and a lower p95 lag than `vigil`, each beyond
    /// [`TOLERANCE`].
    pub beaten_by: Vec<Pair>,
    /// (1) Cells where the oracle (reading the ground truth) does so, and cells with an oracle.
    pub oracle_beats: (usize, usize),
    /// (2) `vigil@<anchor>` rows compared with their anchor, the oracle left out.
    pub matched: usize,
    /// (2) Of those, p95 lag at most [`TARGET_RATIO`] × the anchor's.
    pub faster: usize,
    /// (2) Of those, p95 lag more than [`TOLERANCE`] above the anchor's.
    pub slower: Vec<Pair>,
    /// `vigil@<anchor>` rows (any anchor) that spent more than [`TOLERANCE`] over their budget.
    pub over_budget: Vec<Pair>,
    /// `vigil@oracle` rows, and those within [`TOLERANCE`] of the oracle's p95.
    pub vigil_at_oracle: (usize, usize),
    /// (3) `vigil`'s peaks per dialect.
    pub rates: Vec<Rates>,
    /// (4) Over every row.
    pub runs: usize,
    pub lost: usize,
    pub wrong: usize,
}

fn better(a: f64, b: f64) -> bool {
    a < b * (1.0 - TOLERANCE)
}

/// Computes the goals from the matrix's rows.
pub fn summarize(rows: &[RunResult]) -> Summary {
    let mut s = Summary {
        runs: rows.len(),
        lost: rows.iter().map(|r| r.lost).sum(),
        wrong: rows.iter().map(|r| r.wrong).sum(),
        ..Summary::default()
    };
    let find = |d: DialectKind, c: usize, st: Strategy| {
        rows.iter()
            .find(|r| r.dialect == d && r.concurrency == c && r.strategy == st)
    };
    let mut cells: Vec<(DialectKind, usize)> =
        rows.iter().map(|r| (r.dialect, r.concurrency)).collect();
    cells.sort_by_key(|(d, c)| (DialectKind::ALL.iter().position(|x| x == d), *c));
    cells.dedup();
    for &(d, c) in &cells {
        for a in Anchor::ALL {
            let Some(anchor) = find(d, c, Strategy::Anchor(a)) else {
                continue;
            };
            let pair = |v: &RunResult| Pair {
                dialect: d,
                concurrency: c,
                anchor: a,
                anchor_requests: anchor.requests,
                anchor_p95: anchor.p95_lag_s,
                vigil_requests: v.requests,
                vigil_p95: v.p95_lag_s,
                target_lag_ms: v.target_lag_ms,
            };
            if let Some(v) = find(d, c, Strategy::Vigil) {
                let beats = better(anchor.requests as f64, v.requests as f64)
                    && better(anchor.p95_lag_s, v.p95_lag_s);
                if a == Anchor::Oracle {
                    s.oracle_beats.1 += 1;
                    s.oracle_beats.0 += usize::from(beats);
                } else {
                    s.compared += 1;
                    if beats {
                        s.beaten_by.push(pair(v));
                    }
                }
            }
            if let Some(v) = find(d, c, Strategy::VigilAt(a)) {
                let budget = v.budget.unwrap_or(anchor.requests);
                if v.requests as f64 > budget as f64 * (1.0 + TOLERANCE) {
                    s.over_budget.push(pair(v));
                }
                if a == Anchor::Oracle {
                    s.vigil_at_oracle.0 += 1;
                    s.vigil_at_oracle.1 +=
                        usize::from(v.p95_lag_s <= anchor.p95_lag_s * (1.0 + TOLERANCE));
                    continue;
                }
                s.matched += 1;
                if v.p95_lag_s <= anchor.p95_lag_s * TARGET_RATIO {
                    s.faster += 1;
                }
                if v.p95_lag_s > anchor.p95_lag_s * (1.0 + TOLERANCE) {
                    s.slower.push(pair(v));
                }
            }
        }
    }
    for &d in DialectKind::ALL.iter() {
        let runs: Vec<RunResult> = rows
            .iter()
            .filter(|r| r.dialect == d && r.strategy == Strategy::Vigil)
            .cloned()
            .collect();
        if !runs.is_empty() {
            s.rates.push(Rates {
                dialect: d,
                limits: documented_limits(d),
                runs,
            });
        }
    }
    s
}

/// Requests per second of virtual time, from the start of the actions to the last one's end.
pub fn rate(r: &RunResult) -> f64 {
    if r.virtual_s > 0.0 {
        r.requests as f64 / r.virtual_s
    } else {
        0.0
    }
}

/// The same for the reads alone: what following the operations costs, without the submits
/// (one per operation for every strategy, sent as fast as the budget allows).
pub fn read_rate(r: &RunResult) -> f64 {
    if r.virtual_s > 0.0 {
        r.reads as f64 / r.virtual_s
    } else {
        0.0
    }
}

fn pair_line(p: &Pair, what: &str) -> String {
    format!(
        "   - {} c={} {}: {} vs {} requests, p95 lag {:.2} s vs {:.2} s{}",
        p.dialect.slug(),
        p.concurrency,
        what.replace("{a}", p.anchor.name()),
        p.anchor_requests,
        p.vigil_requests,
        p.anchor_p95,
        p.vigil_p95,
        p.target_lag_ms
            .filter(|_| what.contains('@'))
            .map(|l| format!(" (target lag {})", crate::calibrate::secs(l)))
            .unwrap_or_default()
    )
}

fn share(n: usize, of: usize) -> String {
    if of == 0 {
        "–".to_string()
    } else {
        format!("{:.0} %", 100.0 * n as f64 / of as f64)
    }
}

/// The summary as text, after the table.
pub fn text(s: &Summary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Goals (from the rows above; better/worse = beyond 5 %)");
    let _ = writeln!(
        o,
        "1. An anchor beats `vigil` on both requests and p95 lag: {} of {} (cell, anchor) pairs, \
         the oracle left out{}",
        s.beaten_by.len(),
        s.compared,
        if s.beaten_by.is_empty() { "." } else { ":" }
    );
    for p in &s.beaten_by {
        let _ = writeln!(o, "{}", pair_line(p, "{a} vs vigil"));
    }
    let _ = writeln!(
        o,
        "   (The oracle, which reads the simulator's ground truth, does in {} of {} cells.)",
        s.oracle_beats.0, s.oracle_beats.1
    );
    let _ = writeln!(
        o,
        "2. `vigil@<anchor>` p95 lag ≤ 0.75 × the anchor's: {} of {} ({}), the oracle left out; \
         more than 5 % worse: {}{}",
        s.faster,
        s.matched,
        share(s.faster, s.matched),
        s.slower.len(),
        if s.slower.is_empty() { "." } else { ":" }
    );
    for p in &s.slower {
        let _ = writeln!(o, "{}", pair_line(p, "{a} vs vigil@{a}"));
    }
    let _ = writeln!(
        o,
        "   `vigil@oracle` within 5 % of the oracle's p95: {} of {}. Rows more than 5 % over \
         their anchor's request count: {}{}",
        s.vigil_at_oracle.1,
        s.vigil_at_oracle.0,
        s.over_budget.len(),
        if s.over_budget.is_empty() { "." } else { ":" }
    );
    for p in &s.over_budget {
        let _ = writeln!(o, "{}", pair_line(p, "{a} vs vigil@{a}"));
    }
    let _ = writeln!(
        o,
        "3. `vigil`'s peak requests per second / minute / hour (429 answers), by concurrency:"
    );
    for r in &s.rates {
        let runs: Vec<String> = r
            .runs
            .iter()
            .map(|v| {
                format!(
                    "c={} {}/{}/{} ({})",
                    v.concurrency, v.peak_rps, v.peak_rpm, v.peak_rph, v.throttled
                )
            })
            .collect();
        let verdict = match r.limits {
            Some(l) if r.runs.iter().all(|v| l.allows(v)) => {
                format!("documented {}: within", l.describe())
            }
            Some(l) => format!(
                "documented {}: OVER at c={}",
                l.describe(),
                r.runs
                    .iter()
                    .filter(|v| !l.allows(v))
                    .map(|v| v.concurrency.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => "limit not published".to_string(),
        };
        let _ = writeln!(
            o,
            "   - {:<14} {verdict}; {}",
            r.dialect.slug(),
            runs.join(", ")
        );
    }
    let at1000: Vec<String> = s
        .rates
        .iter()
        .filter_map(|r| r.runs.iter().find(|v| v.concurrency == 1000))
        .map(|v| {
            format!(
                "{} {:.1}/s, reads {:.1}/s ({} requests, {} reads, in {:.0} s)",
                v.dialect.slug(),
                rate(v),
                read_rate(v),
                v.requests,
                v.reads,
                v.virtual_s
            )
        })
        .collect();
    if !at1000.is_empty() {
        let _ = writeln!(
            o,
            "   Requests per second at 1000 operations (requests / virtual duration; reads: the same without the 1,000 submits; every \
             dialect observes many at once in vigil-core): {}",
            at1000.join(", ")
        );
    }
    let _ = writeln!(
        o,
        "4. Operations lost: {}, misjudged: {} (over {} rows).",
        s.lost, s.wrong, s.runs
    );
    o
}

fn pair_json(p: &Pair) -> Value {
    json!({
        "dialect": p.dialect.slug(),
        "concurrency": p.concurrency,
        "anchor": p.anchor.name(),
        "anchor_requests": p.anchor_requests,
        "anchor_p95_lag_s": p.anchor_p95,
        "vigil_requests": p.vigil_requests,
        "vigil_p95_lag_s": p.vigil_p95,
        "target_lag_s": p.target_lag_ms.map(|l| l as f64 / 1000.0),
    })
}

/// The summary as one JSON line: `{"summary": …}`.
pub fn json_line(s: &Summary) -> String {
    let rates: Vec<Value> = s
        .rates
        .iter()
        .map(|r| {
            json!({
                "dialect": r.dialect.slug(),
                "documented_limit": r.limits.map(|l| l.describe()),
                "within": r.limits.map(|l| r.runs.iter().all(|v| l.allows(v))),
                "runs": r.runs.iter().map(|v| json!({
                    "concurrency": v.concurrency,
                    "peak_rps": v.peak_rps,
                    "peak_per_minute": v.peak_rpm,
                    "peak_per_hour": v.peak_rph,
                    "throttled": v.throttled,
                    "requests": v.requests,
                    "virtual_s": v.virtual_s,
                    "requests_per_s": (rate(v) * 1000.0).round() / 1000.0,
                    "reads": v.reads,
                    "reads_per_s": (read_rate(v) * 1000.0).round() / 1000.0,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let v = json!({
        "summary": {
            "anchors_beating_vigil": {
                "compared": s.compared,
                "cells": s.beaten_by.iter().map(pair_json).collect::<Vec<_>>(),
                "oracle_beats_vigil": s.oracle_beats.0,
                "oracle_cells": s.oracle_beats.1,
            },
            "vigil_at_anchor": {
                "compared": s.matched,
                "p95_at_most_0_75_of_anchor": s.faster,
                "share": if s.matched == 0 { Value::Null } else {
                    json!((s.faster as f64 / s.matched as f64 * 1000.0).round() / 1000.0)
                },
                "worse_by_more_than_5pct": s.slower.iter().map(pair_json).collect::<Vec<_>>(),
                "over_budget_by_more_than_5pct": s.over_budget.iter().map(pair_json).collect::<Vec<_>>(),
                "vigil_at_oracle": s.vigil_at_oracle.0,
                "vigil_at_oracle_within_5pct": s.vigil_at_oracle.1,
            },
            "rate_limits": rates,
            "runs": s.runs,
            "lost": s.lost,
            "wrong": s.wrong,
        }
    });
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::row;

    fn at(d: DialectKind, c: usize, st: Strategy, requests: u64, p95: f64) -> RunResult {
        let mut r = row(st, 1, p95);
        r.dialect = d;
        r.concurrency = c;
        r.requests = requests;
        r
    }

    #[test]
    fn goals_from_rows() {
        use Anchor::*;
        let d = DialectKind::OnetSolutions;
        let mut rows = vec![
            at(d, 10, Strategy::Anchor(Oracle), 30, 0.1),
            at(d, 10, Strategy::Anchor(Doctl5s), 80, 4.8),
            at(d, 10, Strategy::Anchor(Horizon), 50, 1.9),
            at(d, 10, Strategy::Anchor(Linode2s), 100, 2.0),
            at(d, 10, Strategy::Vigil, 60, 2.0),
            at(d, 10, Strategy::VigilAt(Oracle), 40, 9.0),
            at(d, 10, Strategy::VigilAt(Doctl5s), 82, 1.2),
            at(d, 10, Strategy::VigilAt(Horizon), 56, 2.5),
            at(d, 10, Strategy::VigilAt(Linode2s), 100, 1.6),
        ];
        for r in &mut rows {
            if let Strategy::VigilAt(_) = r.strategy {
                r.target_lag_ms = Some(3_000);
            }
        }
        rows[4].peak_rps = 120;
        let s = summarize(&rows);
        // Horizon: 50 < 57 and 1.9 < 1.9? no: p95 not beyond 5 % → not beaten.
        assert_eq!((s.compared, s.beaten_by.len()), (3, 0));
        assert_eq!(s.oracle_beats, (1, 1));
        // doctl 1.2 ≤ 3.6 yes; horizon 2.5 > 1.995 worse; linode 1.6 ≤ 1.5 no.
        assert_eq!((s.matched, s.faster), (3, 1));
        assert_eq!(s.slower.len(), 1);
        assert_eq!(s.slower[0].anchor, Horizon);
        // oracle: 40 > 31.5 over budget; horizon 56 > 52.5 over.
        assert_eq!(s.over_budget.len(), 2);
        assert_eq!(s.vigil_at_oracle, (1, 0));
        assert_eq!(s.rates.len(), 1);
        assert!(!documented_limits(d).unwrap().allows(&s.rates[0].runs[0]));
        let t = text(&s);
        assert!(t.contains("0 of 3 (cell, anchor) pairs"), "{t}");
        assert!(t.contains("1 of 3 (33 %)"), "{t}");
        assert!(
            t.contains("documented 100/s, 1000/min: OVER at c=10"),
            "{t}"
        );
        assert!(
            t.contains("Operations lost: 0, misjudged: 0 (over 9 rows)."),
            "{t}"
        );
        let v: Value = serde_json::from_str(&json_line(&s)).unwrap();
        assert_eq!(v["summary"]["vigil_at_anchor"]["share"], 0.333);
        assert_eq!(v["summary"]["rate_limits"][0]["within"], false);
        assert_eq!(v["summary"]["lost"], 0);

        // A cheaper and faster anchor is listed.
        rows[2].p95_lag_s = 1.5;
        let s = summarize(&rows);
        assert_eq!(s.beaten_by.len(), 1);
        assert!(text(&s).contains("onetsolutions c=10 horizon vs vigil: 50 vs 60 requests"));
        // Not published → no verdict.
        assert_eq!(documented_limits(DialectKind::Hostway), None);
    }
}
