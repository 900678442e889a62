//! How long actions take: a learned log-normal estimate per (dialect, action), the priors it
//! starts from, and what the first completions on a provider say about all of its actions.

use std::collections::BTreeMap;

use crate::dialect::DialectKind;
use crate::model::ActionKind;
use crate::time::{Millis, SECOND};

/// The longest duration an estimate says: a week.
pub const MAX_ESTIMATE: Millis = 7 * 24 * 3600 * SECOND;

/// How long an action usually takes, as the log of its duration: mean and spread.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    /// Mean of ln(seconds).
    pub mu: f64,
    /// Standard deviation of ln(seconds).
    pub sigma: f64,
    /// How many observations went into it (priors count as a few).
    pub n: u32,
}

impl Estimate {
    pub fn from_median(median: Millis, sigma: f64) -> Self {
        Estimate {
            mu: (median.max(1) as f64 / 1000.0).ln(),
            sigma,
            n: 3,
        }
    }

    /// The duration below which `z` standard deviations of runs finish (z = 0: the median),
    /// within [0, [`MAX_ESTIMATE`]] whatever the estimate holds (a learned state read back from
    /// storage may hold anything).
    pub fn quantile(&self, z: f64) -> Millis {
        let ms = (self.mu + z * self.sigma).exp() * 1000.0;
        if ms.is_nan() {
            return MAX_ESTIMATE;
        }
        (ms as Millis).clamp(0, MAX_ESTIMATE)
    }

    pub fn median(&self) -> Millis {
        self.quantile(0.0)
    }

    /// Folds in one observed duration: a running mean of ln(duration) that becomes an
    /// exponentially weighted one after 20 runs, so a provider that changes speed is followed.
    pub fn learn(&mut self, took: Millis) {
        let x = (took.max(100) as f64 / 1000.0).ln();
        let w = 1.0 / f64::from(self.n.min(20) + 1);
        let d = x - self.mu;
        self.mu += w * d;
        // Keep a floor on the spread so that a run of identical durations does not make the
        // schedule bet everything on one instant.
        let var = (1.0 - w) * (self.sigma * self.sigma + w * d * d);
        self.sigma = var.sqrt().clamp(0.12, 1.5);
        self.n = self.n.saturating_add(1);
    }
}

/// Sensible priors: realistic medians per action, a little slower where a dialect queues tasks.
pub fn prior(dialect: DialectKind, kind: ActionKind) -> Estimate {
    let median = match kind {
        ActionKind::Start | ActionKind::StartFromIso => 15 * SECOND,
        ActionKind::Freeze => 30 * SECOND,
        ActionKind::Unfreeze => SECOND,
        ActionKind::RefreshFromNode => 3 * SECOND,
        ActionKind::Shutdown => 30 * SECOND,
        ActionKind::PowerOff => 5 * SECOND,
        ActionKind::Reboot => 20 * SECOND,
        ActionKind::PowerCycle => 15 * SECOND,
        ActionKind::PasswordReset => 10 * SECOND,
        ActionKind::Resize => 90 * SECOND,
        ActionKind::Rename => 3 * SECOND,
        ActionKind::SetHostname => 10 * SECOND,
        ActionKind::Snapshot | ActionKind::SnapshotToImage => 180 * SECOND,
        ActionKind::Backup => 240 * SECOND,
        ActionKind::RestoreSnapshot | ActionKind::RestoreBackup => 120 * SECOND,
        ActionKind::DeleteSnapshot | ActionKind::DeleteBackup => 30 * SECOND,
        ActionKind::AutoBackups => 10 * SECOND,
        ActionKind::Create => 120 * SECOND,
        ActionKind::Rebuild => 120 * SECOND,
        ActionKind::Delete => 30 * SECOND,
        ActionKind::Elsewhere => 30 * SECOND,
        ActionKind::CreateNetwork => 20 * SECOND,
        ActionKind::DeleteNetwork => 10 * SECOND,
        ActionKind::AttachNetwork | ActionKind::DetachNetwork | ActionKind::SetVpc => 10 * SECOND,
        ActionKind::AllocateIp | ActionKind::ReleaseIp => 5 * SECOND,
        ActionKind::CreateForward | ActionKind::UpdateForward | ActionKind::DeleteForward => {
            8 * SECOND
        }
        ActionKind::AssignIp | ActionKind::RemoveIp => 10 * SECOND,
        ActionKind::SetReverseDns | ActionKind::ApplyFirewall | ActionKind::SyncState => 5 * SECOND,
        ActionKind::OpenConsole => 3 * SECOND,
        ActionKind::CreateVolume | ActionKind::ResizeVolume => 20 * SECOND,
        ActionKind::AttachVolume | ActionKind::DetachVolume | ActionKind::DeleteVolume => {
            10 * SECOND
        }
    };
    Estimate::from_median(median + dialect.caps().queue_delay, 0.35)
}

/// How many observations a prior counts as ([`Estimate::from_median`]).
pub const PRIOR_N: u32 = 3;

/// How far a provider's pace may lie from the priors before anything is seen of it, as one
/// standard deviation of ln(duration / prior): a factor of 4 either way at the edge of the likely
/// window. The sheets publish no durations; the priors are realistic guesses.
const PACE_PRIOR_SD: f64 = 0.84;

/// How far one run lies from its action's median, as one standard deviation of ln(duration):
/// the priors' own spread.
const RUN_SD: f64 = 0.35;

/// A pace closer to the priors than this (ln: about ×1.35) is taken for their own spread.
const CLEAR_PACE: f64 = 0.3;

impl Estimate {
    /// Durations observed on top of the prior.
    pub fn observed(&self) -> u32 {
        self.n.saturating_sub(PRIOR_N)
    }

    /// The prior's share in the mean (it weighs [`PRIOR_N`] runs among `n`).
    fn prior_share(&self) -> f64 {
        f64::from(PRIOR_N) / f64::from(self.n.max(PRIOR_N))
    }
}

/// The learned estimates, and the pace they show for each provider: how much faster or slower
/// its actions run than their priors, taken from every action seen on it. An action not seen
/// yet (or seen a few times) has its prior moved by that pace, with the doubt that is left
/// about it added to its spread — so that the first completions on a provider move every
/// action's window, and a window resting on an unconfirmed prior is wide, never sparse.
#[derive(Clone, Debug, Default)]
pub struct Estimates {
    learned: BTreeMap<(DialectKind, ActionKind), Estimate>,
}

impl Estimates {
    /// The action's own estimate: its prior, moved by what was seen of it alone.
    pub fn own(&self, dialect: DialectKind, kind: ActionKind) -> Estimate {
        self.learned
            .get(&(dialect, kind))
            .copied()
            .unwrap_or_else(|| prior(dialect, kind))
    }

    /// The provider's pace: ln(duration / prior) as a mean and a variance, from every action
    /// seen on it (none seen: 0, with [`PACE_PRIOR_SD`]).
    pub fn pace(&self, dialect: DialectKind) -> (f64, f64) {
        let run_precision = 1.0 / (RUN_SD * RUN_SD);
        let mut precision = 1.0 / (PACE_PRIOR_SD * PACE_PRIOR_SD);
        let mut sum = 0.0;
        for (&(d, k), e) in &self.learned {
            if d != dialect || e.observed() == 0 {
                continue;
            }
            let n = f64::from(e.observed());
            // The observations' mean, out of the estimate that blends them with the prior.
            let p = prior(d, k).mu;
            let seen = p + (e.mu - p) / (1.0 - e.prior_share()).max(1e-9);
            precision += n * run_precision;
            sum += n * run_precision * (seen - p);
        }
        (sum / precision, 1.0 / precision)
    }

    /// The estimate the schedule uses: the action's own, the prior's part of it moved by the
    /// provider's pace once that pace clearly differs from the priors (more than a run's own
    /// spread, and than twice what is still unsure about it).
    pub fn effective(&self, dialect: DialectKind, kind: ActionKind) -> Estimate {
        let own = self.own(dialect, kind);
        let (pace, doubt) = self.pace(dialect);
        let clear = pace.abs() > CLEAR_PACE.max(2.0 * doubt.sqrt());
        Estimate {
            mu: own.mu + if clear { pace * own.prior_share() } else { 0.0 },
            ..own
        }
    }

    /// How unsure the schedule still is of the action's median because of its provider's pace,
    /// as standard deviations of ln(duration) towards faster and towards slower runs. Slower:
    /// what is left unsure about the pace (large before anything is seen on the provider, small
    /// once a few runs were). Faster: the same until the first run on the provider ended — looks
    /// before the window cost at every run, and one run is enough to tell a provider several
    /// times faster than its priors (its pace is then clear, and moves the window itself).
    pub fn doubt(&self, dialect: DialectKind, kind: ActionKind) -> (f64, f64) {
        let (_, var) = self.pace(dialect);
        let slower = var.sqrt() * self.own(dialect, kind).prior_share();
        let seen = self
            .learned
            .iter()
            .any(|((d, _), e)| *d == dialect && e.observed() > 0);
        (if seen { 0.0 } else { slower }, slower)
    }

    /// A run of `kind` took `took`.
    pub fn learn(&mut self, dialect: DialectKind, kind: ActionKind, took: Millis) {
        let mut e = self.own(dialect, kind);
        e.learn(took);
        self.learned.insert((dialect, kind), e);
    }

    pub fn list(&self) -> Vec<(DialectKind, ActionKind, Estimate)> {
        self.learned.iter().map(|(&(d, k), &e)| (d, k, e)).collect()
    }

    /// Takes back what [`Estimates::list`] gave. From a tenth of a second to a week, spread at
    /// most e⁵: anything else (a learned state read back from storage may hold anything) is not
    /// learned.
    pub fn restore(&mut self, items: Vec<(DialectKind, ActionKind, Estimate)>) {
        let mu_range = (0.1f64).ln()..=((MAX_ESTIMATE / SECOND) as f64).ln();
        for (d, k, e) in items {
            if mu_range.contains(&e.mu) && (0.0..=5.0).contains(&e.sigma) {
                self.learned.insert((d, k), e);
            }
        }
    }
}
