//! # vigil-bench — polling strategies compared on the same engine
//!
//! Runs vigil-core's [`vigil_core::Engine`] against vigil-sim in-process, on the simulator's
//! virtual clock with a 50 ms round trip, for every dialect and several concurrency levels.
//! Each strategy is a [`vigil_core::PollPolicy`]; everything else the engine does (what it sends,
//! verification by a fresh read, deadlines, rate limits, errors) is the same for all, so the
//! figures compare scheduling alone. The simulator's ground-truth log says when each action
//! really finished, which gives the lag and lets every verdict be checked.

use std::sync::Mutex;

use vigil_core::{DialectKind, Millis};

pub mod calibrate;
pub mod policies;
pub mod report;
pub mod run;
pub mod summary;
pub mod world;

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
    /// The engine's policy with its budget set to the anchor's request count on the same
    /// workload: Vigil's `target_lag` calibrated to spend it (see [`calibrate`]).
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
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub dialects: Vec<DialectKind>,
    pub concurrency: Vec<usize>,
    pub strategies: Vec<Strategy>,
    /// `--quick`: no `vigil@<anchor>` rows at [`QUICK_SKIPS`] concurrent operations (their
    /// calibration runs are most of the matrix's time).
    pub quick: bool,
    /// `--seed`: the simulated world's seed (the action mix's follows it).
    pub seed: u64,
    /// `--fleet`: at least this many VMs in the world.
    pub fleet: usize,
    /// `--speed`: action durations divided by this (the simulator's `Scenario.speed`).
    pub speed: f64,
    /// `--clear-at-end`: ZennoHosting clears an operation's fields the moment it ends.
    pub clear_at_end: bool,
}

/// The concurrency `--quick` leaves without `vigil@<anchor>` rows.
pub const QUICK_SKIPS: usize = 1000;

impl Default for Selection {
    fn default() -> Self {
        Selection {
            dialects: DialectKind::ALL.to_vec(),
            concurrency: CONCURRENCY.to_vec(),
            strategies: Strategy::all(),
            quick: false,
            seed: run::WORLD_SEED,
            fleet: 0,
            speed: 1.0,
            clear_at_end: false,
        }
    }
}

impl Selection {
    /// The simulated world every run of the selection starts from.
    pub fn world(&self) -> run::World {
        run::World {
            seed: self.seed,
            fleet: self.fleet,
            speed: self.speed,
            clear_at_end: self.clear_at_end,
        }
    }

    /// Whether `vigil@<anchor>` rows are calibrated and run at this concurrency.
    pub fn calibrates(&self, concurrency: usize) -> bool {
        !(self.quick && concurrency == QUICK_SKIPS)
    }
}

/// The matrix's outcome: rows in report order, and dialects that could not run.
#[derive(Clone, Debug, Default)]
pub struct Matrix {
    pub rows: Vec<RunResult>,
    pub skipped: Vec<(DialectKind, String)>,
    /// Runs made to calibrate `vigil@<anchor>` that are no row of their own (the probe at
    /// [`calibrate::PROBE_LAG`], first tries that were corrected).
    pub calibration_runs: usize,
}

impl Matrix {
    /// Operations still open at the end of any run, or judged against the ground truth wrongly.
    pub fn lost(&self) -> usize {
        self.rows.iter().map(|r| r.lost + r.wrong).sum()
    }
}

/// One run: dialect, concurrency, strategy, and Vigil's target lag (for `vigil@<anchor>` and
/// the calibration runs of `vigil`; `None`: the engine's default policy, or an anchor).
pub type Job = (DialectKind, usize, Strategy, Option<Millis>);

type Done = Vec<(Job, Result<RunResult, Skipped>)>;

/// Runs jobs on `workers` threads, biggest first; calls `progress` as each ends.
fn run_all(
    mut jobs: Vec<Job>,
    workers: usize,
    world: run::World,
    progress: &(dyn Fn(&Result<RunResult, Skipped>, &Job) + Sync),
) -> Done {
    // `pop` takes from the end: the biggest workloads go first (and, among them, the shortest
    // target lags, the most requests).
    jobs.sort_by_key(|j| {
        (
            j.1,
            std::cmp::Reverse(j.2),
            std::cmp::Reverse(j.3),
            DialectKind::ALL.iter().position(|d| *d == j.0),
        )
    });
    jobs.dedup();
    let queue = Mutex::new(jobs);
    let done = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            s.spawn(|| loop {
                let Some(job) = queue.lock().expect("queue").pop() else {
                    break;
                };
                let r = run::run(job.0, job.1, job.2, job.3, world);
                progress(&r, &job);
                done.lock().expect("results").push((job, r));
            });
        }
    });
    done.into_inner().expect("results")
}

/// A `vigil@<anchor>` row in the making.
struct Plan {
    dialect: DialectKind,
    concurrency: usize,
    anchor: Anchor,
    budget: u64,
    /// The calibration runs: the default target lag (`vigil`) and the probe.
    points: [calibrate::Point; 2],
    first: calibrate::Choice,
    second: Option<calibrate::Choice>,
}

/// Vigil's run at `lag` on this workload, among those done (`vigil` itself at the default lag).
fn vigil_at(done: &Done, d: DialectKind, c: usize, lag: Millis) -> Option<&RunResult> {
    let default = run::default_target_lag();
    done.iter().find_map(|((jd, jc, js, jl), r)| {
        let hit = *jd == d
            && *jc == c
            && *js == Strategy::Vigil
            && (*jl == Some(lag) || (jl.is_none() && lag == default));
        hit.then(|| r.as_ref().ok()).flatten()
    })
}

/// Runs the selection: anchors, `vigil` and a calibration run of Vigil at
/// [`calibrate::PROBE_LAG`] first; then each `vigil@<anchor>` with the target lag that the two
/// Vigil runs say spends the anchor's request count on the same workload, and a second try
/// where that overshot by more than [`calibrate::TOLERANCE`] (see [`calibrate`]).
pub fn run_matrix(
    sel: &Selection,
    workers: usize,
    progress: &(dyn Fn(&Result<RunResult, Skipped>, &Job) + Sync),
) -> Matrix {
    let wanted: Vec<Anchor> = sel
        .strategies
        .iter()
        .filter_map(|s| match s {
            Strategy::VigilAt(a) => Some(*a),
            _ => None,
        })
        .collect();
    let default_lag = run::default_target_lag();
    let mut first: Vec<Job> = Vec::new();
    for &d in &sel.dialects {
        for &c in &sel.concurrency {
            let mut need: Vec<Strategy> = Vec::new();
            for &s in &sel.strategies {
                match s {
                    Strategy::VigilAt(a) if sel.calibrates(c) => {
                        need.push(Strategy::Anchor(a));
                        need.push(Strategy::Vigil);
                    }
                    Strategy::VigilAt(_) => {}
                    other => need.push(other),
                }
            }
            need.sort();
            need.dedup();
            first.extend(need.into_iter().map(|s| (d, c, s, None)));
            if !wanted.is_empty() && sel.calibrates(c) && calibrate::PROBE_LAG != default_lag {
                first.push((d, c, Strategy::Vigil, Some(calibrate::PROBE_LAG)));
            }
        }
    }
    let mut done = run_all(first, workers, sel.world(), progress);

    // The first try: solve on the curve through the two Vigil runs.
    let mut plans: Vec<Plan> = Vec::new();
    for &d in &sel.dialects {
        for &c in sel.concurrency.iter().filter(|&&c| sel.calibrates(c)) {
            for &a in &wanted {
                let budget = done.iter().find_map(|((jd, jc, js, _), r)| {
                    (*jd == d && *jc == c && *js == Strategy::Anchor(a))
                        .then(|| r.as_ref().ok().map(|r| r.requests))
                        .flatten()
                });
                let base = vigil_at(&done, d, c, default_lag).map(|r| r.requests);
                let probe = vigil_at(&done, d, c, calibrate::PROBE_LAG).map(|r| r.requests);
                let (Some(budget), Some(base), Some(probe)) = (budget, base, probe) else {
                    continue;
                };
                let points = [(default_lag, base), (calibrate::PROBE_LAG, probe)];
                plans.push(Plan {
                    dialect: d,
                    concurrency: c,
                    anchor: a,
                    budget,
                    points,
                    first: calibrate::solve(points[0], points[1], budget),
                    second: None,
                });
            }
        }
    }
    let missing = |done: &Done, jobs: &mut Vec<Job>, d, c, lag| {
        if vigil_at(done, d, c, lag).is_none() {
            jobs.push((d, c, Strategy::Vigil, Some(lag)));
        }
    };
    let mut jobs = Vec::new();
    for p in &plans {
        missing(&done, &mut jobs, p.dialect, p.concurrency, p.first.lag);
    }
    let more = run_all(jobs, workers, sel.world(), progress);
    done.extend(more);

    // One correction where the first try overshot.
    let mut jobs = Vec::new();
    for p in &mut plans {
        let Some(tried) = vigil_at(&done, p.dialect, p.concurrency, p.first.lag) else {
            continue;
        };
        if !calibrate::overshoots(tried.requests, p.budget) || p.first.lag >= calibrate::MAX_LAG {
            continue;
        }
        let next = calibrate::correct(&p.points, (p.first.lag, tried.requests), p.budget);
        if next.lag != p.first.lag {
            p.second = Some(next);
            missing(&done, &mut jobs, p.dialect, p.concurrency, next.lag);
        }
    }
    let more = run_all(jobs, workers, sel.world(), progress);
    done.extend(more);

    let mut m = Matrix::default();
    let mut used: Vec<Job> = Vec::new();
    for p in &plans {
        let (d, c) = (p.dialect, p.concurrency);
        let Some(tried) = vigil_at(&done, d, c, p.first.lag) else {
            continue;
        };
        let second = p
            .second
            .and_then(|s| vigil_at(&done, d, c, s.lag).map(|r| (s, r.requests)));
        let r = second.map_or(Some(tried), |(s, _)| vigil_at(&done, d, c, s.lag));
        let Some(r) = r else { continue };
        let mut r = r.clone();
        used.push((d, c, Strategy::Vigil, r.target_lag_ms));
        r.strategy = Strategy::VigilAt(p.anchor);
        r.budget = Some(p.budget);
        r.note = Some(calibrate::describe(
            p.anchor.name(),
            p.budget,
            p.points,
            (p.first, tried.requests),
            second,
        ));
        m.rows.push(r);
    }
    for (job, r) in done {
        match r {
            Ok(r) if job.3.is_none() && sel.strategies.contains(&job.2) => m.rows.push(r),
            Ok(_) if job.3.is_some() && !used.contains(&job) => m.calibration_runs += 1,
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
