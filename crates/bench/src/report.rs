//! The results as JSON lines, a readable table, or an SVG chart.

use std::fmt::Write;

use vigil_core::DialectKind;

use crate::{Anchor, RunResult, Strategy};

fn num(x: f64, places: usize) -> String {
    format!("{x:.places$}")
}

/// One JSON object: the issue's fields first, then the outcome counts.
pub fn json_line(r: &RunResult) -> String {
    let mut s = String::from("{");
    let mut field = |k: &str, v: String| {
        if s.len() > 1 {
            s.push(',');
        }
        let _ = write!(s, "\"{k}\":{v}");
    };
    let text = |t: &str| serde_json::Value::String(t.to_string()).to_string();
    field("dialect", text(r.dialect.slug()));
    field("strategy", text(&r.strategy.name()));
    field("concurrency", r.concurrency.to_string());
    field("ops", r.ops.to_string());
    field("requests", r.requests.to_string());
    field("reads", r.reads.to_string());
    field("requests_per_op", num(r.requests_per_op(), 3));
    field("p50_lag_s", num(r.p50_lag_s, 3));
    field("p95_lag_s", num(r.p95_lag_s, 3));
    field("max_lag_s", num(r.max_lag_s, 3));
    field("p95_sent_s", num(r.p95_sent_s, 3));
    field("peak_rps", r.peak_rps.to_string());
    field("peak_read_rps", r.peak_read_rps.to_string());
    field("done", r.done.to_string());
    field("failed", r.failed.to_string());
    field("rejected", r.rejected.to_string());
    field("unknown", r.unknown.to_string());
    field("timed_out", r.timed_out.to_string());
    field("false_alarms", r.false_alarms.to_string());
    field("lost", r.lost.to_string());
    field("wrong", r.wrong.to_string());
    field("silent_failures", r.silent.to_string());
    field("lagged", r.lagged.to_string());
    field("virtual_s", num(r.virtual_s, 3));
    field("peak_per_minute", r.peak_rpm.to_string());
    field("peak_per_hour", r.peak_rph.to_string());
    field("throttled", r.throttled.to_string());
    field("bytes", r.bytes.to_string());
    field("bytes_per_min", num(r.bytes_per_min(), 0));
    field("fleet", r.fleet.to_string());
    if let Some(l) = r.target_lag_ms {
        field("target_lag_s", num(l as f64 / 1000.0, 3));
    }
    if let Some(b) = r.budget {
        field("budget", b.to_string());
    }
    if let Some(n) = &r.note {
        field("note", text(n));
    }
    s.push('}');
    s
}

pub const TABLE_HEADER: &str = "dialect        strategy                conc    ops  requests  req/op   p50 lag   p95 lag   max lag  p95 sent  peak rps  read rps     KB/min  done fail unkn lost  tgt lag";

/// Whether a `vigil@<anchor>` row spent more than 5 % over its anchor's count.
pub fn over_budget(r: &RunResult) -> bool {
    r.budget
        .is_some_and(|b| crate::calibrate::overshoots(r.requests, b))
}

/// One row of the readable table (see [`TABLE_HEADER`]); a `*` marks a row with a note (other
/// than `vigil@<anchor>`'s), a `!` a `vigil@<anchor>` row more than 5 % over its budget.
pub fn table_row(r: &RunResult) -> String {
    let mark = match r.strategy {
        Strategy::VigilAt(_) if over_budget(r) => '!',
        Strategy::VigilAt(_) => ' ',
        _ if r.note.is_some() => '*',
        _ => ' ',
    };
    format!(
        "{:<14} {:<22}{} {:>5} {:>6} {:>9} {:>7} {:>8}s {:>8}s {:>8}s {:>8}s {:>9} {:>9} {:>10} {:>5} {:>4} {:>4} {:>4} {:>8}",
        r.dialect.slug(),
        r.strategy.name(),
        mark,
        r.concurrency,
        r.ops,
        r.requests,
        num(r.requests_per_op(), 2),
        num(r.p50_lag_s, 2),
        num(r.p95_lag_s, 2),
        num(r.max_lag_s, 2),
        num(r.p95_sent_s, 1),
        r.peak_rps,
        r.peak_read_rps,
        num(r.bytes_per_min() / 1000.0, 1),
        r.done,
        r.failed,
        r.unknown,
        r.lost + r.wrong,
        r.target_lag_ms
            .map_or(String::new(), |l| format!("{}s", num(l as f64 / 1000.0, 2))),
    )
    .trim_end()
    .to_string()
}

/// The table, with one line per distinct note at the end.
pub fn table(rows: &[RunResult]) -> String {
    let mut out = String::new();
    let mut last: Option<(DialectKind, usize)> = None;
    out.push_str(TABLE_HEADER);
    out.push('\n');
    for r in rows {
        if last.is_some_and(|l| l != (r.dialect, r.concurrency)) {
            out.push('\n');
        }
        last = Some((r.dialect, r.concurrency));
        out.push_str(&table_row(r));
        out.push('\n');
    }
    let mut notes: Vec<String> = Vec::new();
    for r in rows {
        if let (Some(n), false) = (&r.note, matches!(r.strategy, Strategy::VigilAt(_))) {
            let n = format!("* {}: {n}", r.strategy.name());
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    if rows
        .iter()
        .any(|r| matches!(r.strategy, Strategy::VigilAt(_)))
    {
        notes.push(format!(
            "vigil@<anchor>: Vigil with its target lag (tgt lag) set to spend the anchor's request \
             count: requests ≈ fixed + k/lag fitted on runs at {} and {}, solved for the anchor's \
             count (clamped to {}–{}), refitted once if more than 5 % over{}; --json gives each \
             row's reasoning in `note`",
            crate::calibrate::secs(crate::run::default_target_lag()),
            crate::calibrate::secs(crate::calibrate::PROBE_LAG),
            crate::calibrate::secs(crate::calibrate::MIN_LAG),
            crate::calibrate::secs(crate::calibrate::MAX_LAG),
            if rows.iter().any(over_budget) {
                "; ! marks rows still more than 5 % over"
            } else {
                ""
            }
        ));
    }
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    out
}

fn color(s: Strategy) -> &'static str {
    match s {
        Strategy::Anchor(Anchor::Oracle) => "#222222",
        Strategy::Anchor(Anchor::Doctl5s) => "#1f77b4",
        Strategy::Anchor(Anchor::HcloudCli) => "#ff7f0e",
        Strategy::Anchor(Anchor::Horizon) => "#2ca02c",
        Strategy::Anchor(Anchor::Cloudstack3s) => "#9467bd",
        Strategy::Anchor(Anchor::Linode2s) => "#8c564b",
        Strategy::Vigil => "#d62728",
        Strategy::VigilAt(_) => "#e377c2",
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A step of 1, 2 or 5 × 10ⁿ giving about `n` ticks up to `max`.
fn nice_step(max: f64, n: f64) -> f64 {
    let raw = (max / n).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    mag * if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    }
}

/// p95 lag (log scale) against requests per operation, one panel per dialect, one mark per
/// strategy, at one concurrency. Each `vigil@<anchor>` is a small diamond outlined in its
/// anchor's colour, joined to the anchor by a dashed line (same requests, other lag).
pub fn svg(rows: &[RunResult], concurrency: usize) -> String {
    let rows: Vec<&RunResult> = rows
        .iter()
        .filter(|r| r.concurrency == concurrency && r.lagged > 0)
        .collect();
    let dialects: Vec<DialectKind> = DialectKind::ALL
        .iter()
        .copied()
        .filter(|d| rows.iter().any(|r| r.dialect == *d))
        .collect();
    let (pw, ph) = (300.0, 230.0);
    let (ml, mr, mt, mb) = (52.0, 14.0, 28.0, 40.0);
    let cols = dialects.len().clamp(1, 3);
    let prow = dialects.len().div_ceil(3).max(1);
    // The legend: one entry for every `vigil@<anchor>`.
    let mut strategies: Vec<Strategy> = rows
        .iter()
        .map(|r| match r.strategy {
            Strategy::VigilAt(_) => Strategy::VigilAt(Anchor::Oracle),
            s => s,
        })
        .collect();
    strategies.sort();
    strategies.dedup();
    let legend_h = 24.0 * strategies.len().div_ceil(4) as f64 + 10.0;
    let width = cols as f64 * pw + 20.0;
    let height = 40.0 + prow as f64 * ph + legend_h;
    let lo = rows
        .iter()
        .map(|r| r.p95_lag_s)
        .fold(f64::INFINITY, f64::min)
        .max(0.01);
    let hi = rows
        .iter()
        .map(|r| r.p95_lag_s)
        .fold(0.0, f64::max)
        .max(lo * 10.0);
    let (ylo, yhi) = (lo.log10().floor(), hi.log10().ceil());
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="20" font-size="14" font-weight="bold">p95 lag vs requests per operation — {concurrency} concurrent operations per dialect (vigil-bench)</text>"#
    );
    for (i, d) in dialects.iter().enumerate() {
        let ox = 10.0 + (i % 3) as f64 * pw;
        let oy = 30.0 + (i / 3) as f64 * ph;
        let (x0, x1, y0, y1) = (ox + ml, ox + pw - mr, oy + ph - mb, oy + mt);
        let mine: Vec<&&RunResult> = rows.iter().filter(|r| r.dialect == *d).collect();
        let xmax = mine
            .iter()
            .map(|r| r.requests_per_op())
            .fold(0.0, f64::max)
            .max(1.0);
        let step = nice_step(xmax, 4.0);
        let xmax = (xmax / step).ceil() * step;
        let fx = |v: f64| x0 + (x1 - x0) * v / xmax;
        let fy = |v: f64| y0 - (y0 - y1) * (v.max(0.001).log10() - ylo) / (yhi - ylo);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="12" font-weight="bold">{}</text>"#,
            x0,
            oy + 16.0,
            esc(d.label())
        );
        let _ = writeln!(
            s,
            r##"<rect x="{x0}" y="{y1}" width="{}" height="{}" fill="none" stroke="#999"/>"##,
            x1 - x0,
            y0 - y1
        );
        let mut t = 0.0;
        while t <= xmax + 1e-9 {
            let x = fx(t);
            let _ = writeln!(
                s,
                r##"<line x1="{x}" y1="{y0}" x2="{x}" y2="{y1}" stroke="#eee"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
                y0 + 14.0,
                if step < 1.0 {
                    format!("{t:.1}")
                } else {
                    format!("{t:.0}")
                }
            );
            t += step;
        }
        let mut e = ylo;
        while e <= yhi + 1e-9 {
            let v = 10f64.powf(e);
            let y = fy(v);
            let label = if v < 1.0 {
                format!("{v}")
            } else {
                format!("{v:.0}")
            };
            let _ = writeln!(
                s,
                r##"<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#eee"/><text x="{}" y="{}" text-anchor="end">{label} s</text>"##,
                x0 - 4.0,
                y + 4.0
            );
            e += 1.0;
        }
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">requests per operation</text>"#,
            (x0 + x1) / 2.0,
            y0 + 30.0
        );
        for r in &mine {
            let Strategy::VigilAt(a) = r.strategy else {
                continue;
            };
            if let Some(anchor) = mine.iter().find(|x| x.strategy == Strategy::Anchor(a)) {
                let _ = writeln!(
                    s,
                    r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="3 2"/>"#,
                    fx(anchor.requests_per_op()),
                    fy(anchor.p95_lag_s),
                    fx(r.requests_per_op()),
                    fy(r.p95_lag_s),
                    color(Strategy::Anchor(a))
                );
            }
        }
        for r in mine {
            let (x, y) = (fx(r.requests_per_op()), fy(r.p95_lag_s));
            let c = color(r.strategy);
            let title = format!(
                "{} {}: {:.2} req/op, p95 lag {:.2} s{}",
                d.label(),
                r.strategy.name(),
                r.requests_per_op(),
                r.p95_lag_s,
                r.target_lag_ms.map_or(String::new(), |l| format!(
                    ", target lag {}",
                    crate::calibrate::secs(l)
                ))
            );
            match r.strategy {
                Strategy::VigilAt(a) => {
                    let _ = writeln!(
                        s,
                        r#"<path d="M{x} {} L{} {y} L{x} {} L{} {y} Z" fill="{c}" stroke="{}" stroke-width="1.5"><title>{}</title></path>"#,
                        y - 5.0,
                        x + 5.0,
                        y + 5.0,
                        x - 5.0,
                        color(Strategy::Anchor(a)),
                        esc(&title)
                    );
                }
                Strategy::Vigil => {
                    let _ = writeln!(
                        s,
                        r#"<path d="M{x} {} L{} {y} L{x} {} L{} {y} Z" fill="{c}" stroke="white"><title>{}</title></path>"#,
                        y - 7.0,
                        x + 7.0,
                        y + 7.0,
                        x - 7.0,
                        esc(&title)
                    );
                }
                _ => {
                    let _ = writeln!(
                        s,
                        r#"<circle cx="{x}" cy="{y}" r="5" fill="{c}" fill-opacity="0.85" stroke="white"><title>{}</title></circle>"#,
                        esc(&title)
                    );
                }
            }
        }
    }
    let ly = 30.0 + prow as f64 * ph + 6.0;
    for (i, st) in strategies.iter().enumerate() {
        let x = 20.0 + (i % 4) as f64 * 220.0;
        let y = ly + (i / 4) as f64 * 24.0;
        let name = match (st, rows.iter().find(|r| r.strategy == *st)) {
            (Strategy::Vigil, Some(r)) if r.note.is_some() => format!(
                "vigil ({})",
                r.note
                    .as_deref()
                    .unwrap_or("")
                    .split(':')
                    .next()
                    .unwrap_or("")
            ),
            (Strategy::VigilAt(_), _) => "vigil@anchor (its requests)".to_string(),
            _ => st.name(),
        };
        let mark = match st {
            Strategy::Vigil | Strategy::VigilAt(_) => format!(
                r#"<path d="M{x} {} L{} {y} L{x} {} L{} {y} Z" fill="{}"/>"#,
                y - 6.0,
                x + 6.0,
                y + 6.0,
                x - 6.0,
                color(*st)
            ),
            _ => format!(r#"<circle cx="{x}" cy="{y}" r="5" fill="{}"/>"#, color(*st)),
        };
        let _ = writeln!(
            s,
            r#"{mark}<text x="{}" y="{}">{}</text>"#,
            x + 10.0,
            y + 4.0,
            esc(&name)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(strategy: Strategy, rpo: u64, p95: f64) -> RunResult {
        RunResult {
            dialect: DialectKind::Cloudsfor,
            strategy,
            concurrency: 10,
            ops: 10,
            requests: rpo * 10,
            reads: rpo * 10 - 10,
            p50_lag_s: p95 / 2.0,
            p95_lag_s: p95,
            max_lag_s: p95,
            p95_sent_s: 0.2,
            peak_rps: 10,
            peak_read_rps: 3,
            peak_rpm: 40,
            peak_rph: 70,
            throttled: 0,
            bytes: 0,
            fleet: 0,
            lagged: 10,
            done: 9,
            failed: 1,
            rejected: 0,
            unknown: 0,
            timed_out: 0,
            false_alarms: 0,
            lost: 0,
            wrong: 0,
            silent: 0,
            virtual_s: 40.0,
            target_lag_ms: None,
            budget: None,
            note: None,
            issues: Vec::new(),
            slowest: Vec::new(),
            unresolved: Vec::new(),
        }
    }

    #[test]
    fn json_lines_carry_the_fields_in_order() {
        let mut r = row(Strategy::Anchor(Anchor::HcloudCli), 7, 0.25);
        r.note = Some("a \"quoted\" note".into());
        let line = json_line(&r);
        let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(v["dialect"], "cloudsfor");
        assert_eq!(v["strategy"], "hcloud-cli");
        assert_eq!(v["requests"], 70);
        assert_eq!(v["requests_per_op"], 7.0);
        assert_eq!(v["p95_lag_s"], 0.25);
        assert_eq!(v["note"], "a \"quoted\" note");
        let keys = [
            "dialect",
            "strategy",
            "concurrency",
            "ops",
            "requests",
            "requests_per_op",
            "p50_lag_s",
            "p95_lag_s",
            "max_lag_s",
            "peak_rps",
        ];
        let mut at = 0;
        for k in keys {
            let i = line.find(&format!("\"{k}\":")).expect(k);
            assert!(i >= at, "{k} out of order");
            at = i;
        }
    }

    #[test]
    fn table_and_svg_render() {
        let rows = vec![
            row(Strategy::Anchor(Anchor::Oracle), 3, 0.1),
            row(Strategy::Anchor(Anchor::Horizon), 6, 12.0),
            row(Strategy::Vigil, 8, 1.5),
        ];
        let t = table(&rows);
        assert_eq!(t.lines().count(), 4);
        assert!(t.lines().all(|l| l == l.trim_end()), "no trailing blanks");
        assert!(t.contains("horizon"));
        let svg = svg(&rows, 10);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(
            svg.matches("<circle").count(),
            2 + 2,
            "2 marks, 2 in the legend"
        );
        assert_eq!(
            svg.matches("<path").count(),
            1 + 1,
            "vigil's diamond, and in the legend"
        );
        assert!(svg.contains("cloudsfor"));
    }
}
