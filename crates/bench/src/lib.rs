//! # vigil-bench — polling strategies compared on the same engine
//!
//! Runs vigil-core's [`vigil_core::Engine`] against vigil-sim in-process, on the simulator's
//! virtual clock with a 50 ms round trip, for every dialect and several concurrency levels.
//! Each strategy is a [`vigil_core::PollPolicy`]; everything else the engine does (what it sends,
//! verification by a fresh read, deadlines, rate limits, errors) is the same for all, so the
//! figures compare scheduling alone. The simulator's ground-truth log says when each action
//! really finished, which gives the lag and lets every verdict be checked.

use std::sync::Mutex;

use vigil_core::DialectKind;

pub mod policies;
pub mod report;
pub mod run;

pub use run::{run, RunResult, Skipped};

/// The anchors: other tools' schedules (and the physical limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Anchor {
    /// One poll exactly when the provider finishes.
    Oracle,
    /// doctl `--wait`: one request per operation every 5 s.
    Doctl5s,
    /// hcloud CLI: 0.5 s ×10, then ×1.5 up to 2.5 s; batches of 25.
    HcloudCli,
    /// OpenStack Horizon: 2.5 s × n while unchanged, ≤ 30 s, reset on change.
    Horizon,
    /// CloudStack async jobs: one request per operation every 3 s.
    Cloudstack3s,
    /// Linode Cloud Manager: everything open, every 2 s, in one request where possible.
    Linode2s,
}

impl Anchor {
    pub const ALL: [Anchor; 6] = [
        Anchor::Oracle,
        Anchor::Doctl5s,
        Anchor::HcloudCli,
        Anchor::Horizon,
        Anchor::Cloudstack3s,
        Anchor::Linode2s,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Anchor::Oracle => "oracle",
            Anchor::Doctl5s => "doctl-5s",
            Anchor::HcloudCli => "hcloud-cli",
            Anchor::Horizon => "horizon",
            Anchor::Cloudstack3s => "cloudstack-3s",
            Anchor::Linode2s => "linode-2s",
        }
    }
}

/// A row of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    Anchor(Anchor),
    /// The engine's default policy.
    Vigil,
    /// The engine's policy with its budget set to the anchor's request count.
    VigilAt(Anchor),
}

impl Strategy {
    /// Every strategy, in report order.
    pub fn all() -> Vec<Strategy> {
        let mut v: Vec<Strategy> = Anchor::ALL.into_iter().map(Strategy::Anchor).collect();
        v.push(Strategy::Vigil);
        v.extend(Anchor::ALL.into_iter().map(Strategy::VigilAt));
        v
    }

    pub fn name(self) -> String {
        match self {
            Strategy::Anchor(a) => a.name().to_string(),
            Strategy::Vigil => "vigil".to_string(),
            Strategy::VigilAt(a) => format!("vigil@{}", a.name()),
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::all()
            .into_iter()
            .find(|x| x.name().eq_ignore_ascii_case(s.trim()))
    }
}

pub const CONCURRENCY: [usize; 4] = [1, 10, 100, 1000];

/// A dialect by slug or label, case-insensitive.
pub fn parse_dialect(s: &str) -> Option<DialectKind> {
    let s = s.trim();
    DialectKind::ALL
        .iter()
        .copied()
        .find(|d| d.slug().eq_ignore_ascii_case(s) || d.label().eq_ignore_ascii_case(s))
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub dialects: Vec<DialectKind>,
    pub concurrency: Vec<usize>,
    pub strategies: Vec<Strategy>,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            dialects: DialectKind::ALL.to_vec(),
            concurrency: CONCURRENCY.to_vec(),
            strategies: Strategy::all(),
        }
    }
}

/// The matrix's outcome: rows in report order, and dialects that could not run.
#[derive(Clone, Debug, Default)]
pub struct Matrix {
    pub rows: Vec<RunResult>,
    pub skipped: Vec<(DialectKind, String)>,
}

impl Matrix {
    /// Operations still open at the end of any run, or judged against the ground truth wrongly.
    pub fn lost(&self) -> usize {
        self.rows.iter().map(|r| r.lost + r.wrong).sum()
    }
}

/// One run: dialect, concurrency, strategy, budget (for `vigil@<anchor>`).
pub type Job = (DialectKind, usize, Strategy, Option<u64>);

/// Runs jobs on `workers` threads, biggest first; calls `progress` as each ends.
fn run_all(
    mut jobs: Vec<Job>,
    workers: usize,
    progress: &(dyn Fn(&Result<RunResult, Skipped>, &Job) + Sync),
) -> Vec<(Job, Result<RunResult, Skipped>)> {
    // `pop` takes from the end: the biggest workloads go first.
    jobs.sort_by_key(|j| (j.1, std::cmp::Reverse(j.2)));
    let queue = Mutex::new(jobs);
    let done = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                let Some(job) = queue.lock().expect("queue").pop() else {
                    break;
                };
                let r = run::run(job.0, job.1, job.2, job.3);
                progress(&r, &job);
                done.lock().expect("results").push((job, r));
            });
        }
    });
    done.into_inner().expect("results")
}

/// Runs the selection: anchors and `vigil` first, then each `vigil@<anchor>` with the anchor's
/// request count on the same workload as its budget.
pub fn run_matrix(
    sel: &Selection,
    workers: usize,
    progress: &(dyn Fn(&Result<RunResult, Skipped>, &Job) + Sync),
) -> Matrix {
    let mut first: Vec<Job> = Vec::new();
    for &d in &sel.dialects {
        for &c in &sel.concurrency {
            let mut need: Vec<Strategy> = Vec::new();
            for &s in &sel.strategies {
                match s {
                    Strategy::VigilAt(a) => {
                        need.push(Strategy::Anchor(a));
                        need.push(Strategy::Vigil);
                    }
                    other => need.push(other),
                }
            }
            need.sort();
            need.dedup();
            first.extend(need.into_iter().map(|s| (d, c, s, None)));
        }
    }
    let mut results = run_all(first, workers, progress);
    let budget_of = |results: &[(Job, Result<RunResult, Skipped>)], d, c, a| {
        results.iter().find_map(|((jd, jc, js, _), r)| {
            (*jd == d && *jc == c && *js == Strategy::Anchor(a))
                .then(|| r.as_ref().ok().map(|r| r.requests))
                .flatten()
        })
    };
    let mut second: Vec<Job> = Vec::new();
    for &d in &sel.dialects {
        for &c in &sel.concurrency {
            for &s in &sel.strategies {
                let Strategy::VigilAt(a) = s else { continue };
                let Some(budget) = budget_of(&results, d, c, a) else {
                    continue;
                };
                if run::vigil_with_budget(budget).is_some() {
                    second.push((d, c, s, Some(budget)));
                } else {
                    // No budget knob yet: the same run as `vigil`, said so.
                    let base = results.iter().find_map(|((jd, jc, js, _), r)| {
                        (*jd == d && *jc == c && *js == Strategy::Vigil).then(|| r.clone())
                    });
                    if let Some(Ok(mut r)) = base {
                        r.strategy = s;
                        r.note = Some(format!(
                            "no budget knob yet: vigil's own run, not one held to {budget} requests"
                        ));
                        results.push(((d, c, s, Some(budget)), Ok(r)));
                    }
                }
            }
        }
    }
    results.extend(run_all(second, workers, progress));

    let mut m = Matrix::default();
    for (job, r) in results {
        match r {
            Ok(r) if sel.strategies.contains(&job.2) => m.rows.push(r),
            Ok(_) => {}
            Err(Skipped(why)) => {
                if !m.skipped.iter().any(|(d, _)| *d == job.0) {
                    m.skipped.push((job.0, why));
                }
            }
        }
    }
    let order = |r: &RunResult| {
        (
            DialectKind::ALL.iter().position(|d| *d == r.dialect),
            r.concurrency,
            Strategy::all().iter().position(|s| *s == r.strategy),
        )
    };
    m.rows.sort_by_key(order);
    m.skipped
        .sort_by_key(|(d, _)| DialectKind::ALL.iter().position(|x| x == d));
    m
}
