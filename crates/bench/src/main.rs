//! `vigil-bench [--json] [--dialect D,…] [--concurrency N,…] [--strategy S,…] [--svg PATH]
//! [--svg-concurrency N] [--jobs N] [--quick] [--speed X] [--clear-at-end] [--verbose]`

use std::process::ExitCode;
use std::time::Instant;

use vigil_bench::{calibrate, parse_dialect, report, run_matrix, summary, Selection, Strategy};

const USAGE: &str = "\
vigil-bench: polling strategies on vigil-core's engine against vigil-sim (virtual clock, 50 ms RTT)

usage: vigil-bench [options]
  --json                 one JSON object per line instead of a table
  --dialect D[,D…]       zennohosting, cloudsfor, erigones, onetsolutions, hostway (default: all)
  --concurrency N[,N…]   concurrent operations per run (default: 1,10,100,1000)
  --strategy S[,S…]      oracle, doctl-5s, hcloud-cli, horizon, cloudstack-3s, linode-2s, vigil,
                         vigil@<anchor> (default: all); vigil@<anchor> is Vigil with its target
                         lag calibrated to spend the anchor's request count on the same workload
  --svg PATH             also write a chart (p95 lag vs requests per op, per dialect)
  --svg-concurrency N    the concurrency the chart shows (default: 100, or the largest run)
  --jobs N               runs at once (default: the number of CPUs)
  --quick                no vigil@<anchor> rows at 1000 concurrent operations (their calibration
                         runs are most of the full matrix's time)
  --seed N               the simulated world's seed (default 1; the action mix's follows it):
                         another draw of durations, failures and actions
  --fleet N              at least N VMs in the simulated world, however few operations run
                         (e.g. --dialect erigones --concurrency 5 --fleet 10000: what a large
                         fleet costs in bytes while a few operations are open)
  --speed X              actions take 1/X of their realistic duration (vigil-sim's speed; default
                         1): 4 runs them at a quarter of the engine's priors, 0.25 at four times
  --clear-at-end         ZennoHosting clears operation/operationStatus the moment an operation
                         ends (vigil-sim's fault clear=0)
  --verbose              also describe each run's slowest and unresolved operations on stderr
Options may be repeated; lists are comma-separated. After the rows, a summary of the goals
(a final {\"summary\": …} line with --json). Exit status 1 if any operation was lost.";

#[derive(Debug)]
struct Args {
    json: bool,
    sel: Selection,
    svg: Option<String>,
    svg_concurrency: Option<usize>,
    jobs: usize,
    verbose: bool,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        json: false,
        sel: Selection::default(),
        svg: None,
        svg_concurrency: None,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        verbose: false,
    };
    let (mut dialects, mut concurrency, mut strategies) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(flag) = it.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (flag, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--json" => a.json = true,
            "--verbose" => a.verbose = true,
            "--quick" => a.sel.quick = true,
            "--seed" => a.sel.seed = value()?.parse().map_err(|_| "bad --seed")?,
            "--fleet" => a.sel.fleet = value()?.parse().map_err(|_| "bad --fleet")?,
            "--speed" => {
                a.sel.speed = value()?
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite() && *x > 0.0)
                    .ok_or("bad --speed")?
            }
            "--clear-at-end" => a.sel.clear_at_end = true,
            "--dialect" => {
                for d in value()?.split(',').filter(|s| !s.trim().is_empty()) {
                    dialects.push(parse_dialect(d).ok_or(format!("unknown dialect '{d}'"))?);
                }
            }
            "--concurrency" => {
                for n in value()?.split(',').filter(|s| !s.trim().is_empty()) {
                    let n: usize = n
                        .trim()
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or(format!("bad concurrency '{n}'"))?;
                    concurrency.push(n);
                }
            }
            "--strategy" => {
                for s in value()?.split(',').filter(|s| !s.trim().is_empty()) {
                    strategies.push(Strategy::parse(s).ok_or(format!("unknown strategy '{s}'"))?);
                }
            }
            "--svg" => a.svg = Some(value()?),
            "--svg-concurrency" => {
                a.svg_concurrency = Some(value()?.parse().map_err(|_| "bad --svg-concurrency")?)
            }
            "--jobs" => {
                a.jobs = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("bad --jobs")?
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    if !dialects.is_empty() {
        a.sel.dialects = dialects;
    }
    if !concurrency.is_empty() {
        a.sel.concurrency = concurrency;
    }
    if !strategies.is_empty() {
        a.sel.strategies = strategies;
    }
    a.sel.dialects.dedup();
    a.sel.concurrency.sort_unstable();
    a.sel.concurrency.dedup();
    a.sel.strategies.sort();
    a.sel.strategies.dedup();
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("vigil-bench: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let progress = |r: &Result<vigil_bench::RunResult, vigil_bench::Skipped>,
                    job: &vigil_bench::Job| {
        let what = match job.3 {
            Some(lag) => format!(
                "{} c={} {} (target lag {})",
                job.0.slug(),
                job.1,
                job.2.name(),
                calibrate::secs(lag)
            ),
            None => format!("{} c={} {}", job.0.slug(), job.1, job.2.name()),
        };
        match r {
            Ok(r) => eprintln!(
                "  {what}: {} requests, p95 lag {:.2} s ({:.1} s)",
                r.requests,
                r.p95_lag_s,
                started.elapsed().as_secs_f64()
            ),
            Err(e) => eprintln!("  {what}: skipped ({})", e.0),
        }
    };
    let m = run_matrix(&args.sel, args.jobs, &progress);
    for r in &m.rows {
        for i in &r.issues {
            eprintln!(
                "vigil-bench: {} c={}: {i}",
                r.strategy.name(),
                r.concurrency
            );
        }
        if args.verbose {
            for i in &r.slowest {
                eprintln!("  slowest {} c={}: {i}", r.strategy.name(), r.concurrency);
            }
            for i in &r.unresolved {
                eprintln!("  unknown {} c={}: {i}", r.strategy.name(), r.concurrency);
            }
        }
    }
    for (d, why) in &m.skipped {
        eprintln!("vigil-bench: skipped {}: {why}", d.slug());
    }
    let goals = summary::summarize(&m.rows);
    if args.json {
        for r in &m.rows {
            println!("{}", report::json_line(r));
        }
        println!("{}", summary::json_line(&goals));
    } else {
        print!("{}", report::table(&m.rows));
        println!();
        print!("{}", summary::text(&goals));
    }
    if let Some(path) = &args.svg {
        let c = args.svg_concurrency.unwrap_or_else(|| {
            if m.rows.iter().any(|r| r.concurrency == 100) {
                100
            } else {
                m.rows.iter().map(|r| r.concurrency).max().unwrap_or(1)
            }
        });
        if let Err(e) = std::fs::write(path, report::svg(&m.rows, c)) {
            eprintln!("vigil-bench: cannot write {path}: {e}");
            return ExitCode::from(2);
        }
    }
    eprintln!(
        "vigil-bench: {} rows ({} more runs to calibrate vigil@) in {:.1} s; {} operations lost or misjudged",
        m.rows.len(),
        m.calibration_runs,
        started.elapsed().as_secs_f64(),
        m.lost()
    );
    if m.lost() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_bench::Anchor;
    use vigil_core::DialectKind;

    fn args(s: &str) -> Result<Args, String> {
        parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn flags_select_a_subset() {
        let a = args("--json --dialect cloudsfor,Erigones --concurrency=10 --concurrency 1 --strategy vigil@horizon,oracle --svg x.svg --jobs 3").unwrap();
        assert!(a.json);
        assert_eq!(
            a.sel.dialects,
            [DialectKind::Cloudsfor, DialectKind::Erigones]
        );
        assert_eq!(a.sel.concurrency, [1, 10]);
        assert_eq!(
            a.sel.strategies,
            [
                Strategy::Anchor(Anchor::Oracle),
                Strategy::VigilAt(Anchor::Horizon)
            ]
        );
        assert_eq!((a.svg.as_deref(), a.jobs), (Some("x.svg"), 3));
        let d = args("").unwrap();
        assert_eq!(d.sel, Selection::default());
        assert!(!d.json && !d.sel.quick);
        let q = args("--quick").unwrap();
        assert!(q.sel.quick && !q.sel.calibrates(1000) && q.sel.calibrates(100));
        assert_eq!(d.sel.seed, vigil_bench::run::WORLD_SEED);
        assert_eq!(args("--seed 5").unwrap().sel.seed, 5);
        let w = args("--speed 0.25 --clear-at-end").unwrap().sel.world();
        assert_eq!((w.speed, w.clear_at_end), (0.25, true));
        assert!(w.faults().clear_ms == Some(0) && !w.is_matched());
        assert!(d.sel.world().is_matched());
    }

    #[test]
    fn bad_flags_say_why() {
        assert!(args("--dialect nowhere").unwrap_err().contains("nowhere"));
        assert!(args("--concurrency 0").is_err());
        assert!(args("--strategy fast").unwrap_err().contains("fast"));
        assert!(args("--seed one").unwrap_err().contains("seed"));
        assert!(args("--speed 0").unwrap_err().contains("speed"));
        assert!(args("--speed fast").unwrap_err().contains("speed"));
        assert!(args("--svg").unwrap_err().contains("needs a value"));
        assert!(args("--frobnicate").is_err());
        assert_eq!(args("--help").err().as_deref(), Some(""));
    }
}
