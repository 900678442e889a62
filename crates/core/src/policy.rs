//! When to look at a running task again: the one decision that differs between polling
//! strategies. The engine asks a [`PollPolicy`]; everything else (what to send, batching
//! mechanics, verification, deadlines, errors, rate limits) stays the same whatever the policy,
//! so strategies can be compared on scheduling alone.

use crate::dialect::DialectKind;
use crate::model::ActionKind;
use crate::time::{Millis, SECOND};

/// What a policy knows about one operation when it decides.
#[derive(Clone, Debug)]
pub struct PollCtx<'a> {
    pub op_id: &'a str,
    pub dialect: DialectKind,
    pub kind: ActionKind,
    /// When the provider accepted the operation, or, once it retries the task, when the retry
    /// was first seen: when the current attempt began.
    pub accepted_at: Millis,
    pub now: Millis,
    /// Looks at the task so far (0 right after acceptance).
    pub polls: u32,
    /// The provider's status (or progress) differs from the previous look.
    pub changed: bool,
    /// The shortest gap between looks that the connection's request budget sustains now
    /// (0 while it has room): a policy that looks sooner only queues behind the budget.
    pub min_interval: Millis,
    /// When the provider itself forces the action if the guest ignores it, earliest first
    /// (see `Dialect::forced_after`): further times at which completion is likely.
    pub forced_at: &'a [Millis],
}

pub trait PollPolicy {
    /// When to look at this operation's task next.
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis;

    /// How many due operations one observe-many request may cover (`None`: no batching).
    fn batch_limit(&self) -> Option<usize> {
        Some(usize::MAX)
    }

    /// Whether operations not yet due ride along when an observe-many request goes out anyway.
    fn piggyback(&self) -> bool {
        false
    }

    /// A task was seen terminal `took` after it was accepted (an upper bound of its duration).
    fn finished(&mut self, _dialect: DialectKind, _kind: ActionKind, _took: Millis) {}

    /// Whether the policy looks at such an operation often now (completion is likely, or near):
    /// the budget's look floor (`PollCtx::min_interval`) shares the connection among these
    /// only. Those waiting for their window look once at most meanwhile.
    fn looks_often(
        &self,
        _dialect: DialectKind,
        _kind: ActionKind,
        _accepted_at: Millis,
        _now: Millis,
    ) -> bool {
        true
    }

    /// How long this kind of action usually takes, if the policy knows (for "usually ~20 s").
    fn typical(&self, _dialect: DialectKind, _kind: ActionKind) -> Option<Millis> {
        None
    }

    /// What the policy learned, to keep across reloads.
    fn export_state(&self) -> Option<String> {
        None
    }

    /// Takes back what [`PollPolicy::export_state`] gave; anything unreadable is ignored.
    fn import_state(&mut self, _state: &str) {}
}

/// A fixed interval: first look after `first`, then every `every`.
#[derive(Clone, Debug)]
pub struct Fixed {
    pub first: Millis,
    pub every: Millis,
    pub batch: Option<usize>,
}

impl Default for Fixed {
    fn default() -> Self {
        Fixed {
            first: 2 * SECOND,
            every: 3 * SECOND,
            batch: Some(usize::MAX),
        }
    }
}

impl PollPolicy for Fixed {
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis {
        ctx.now
            + if ctx.polls == 0 {
                self.first
            } else {
                self.every
            }
    }

    fn batch_limit(&self) -> Option<usize> {
        self.batch
    }
}

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

    /// The duration below which `z` standard deviations of runs finish (z = 0: the median).
    /// The duration at `z` standard deviations, within [0, [`MAX_ESTIMATE`]] whatever the
    /// estimate holds (a learned state read back from storage may hold anything).
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
        ActionKind::Start => 15 * SECOND,
        ActionKind::Shutdown => 30 * SECOND,
        ActionKind::PowerOff => 5 * SECOND,
        ActionKind::Reboot => 20 * SECOND,
        ActionKind::PowerCycle => 15 * SECOND,
        ActionKind::PasswordReset => 10 * SECOND,
        ActionKind::Resize => 90 * SECOND,
        ActionKind::Rename => 3 * SECOND,
        ActionKind::Snapshot => 180 * SECOND,
        ActionKind::RestoreBackup => 120 * SECOND,
        ActionKind::Create => 120 * SECOND,
        ActionKind::Delete => 30 * SECOND,
    };
    Estimate::from_median(median + dialect.caps().queue_delay, 0.35)
}

/// Vigil's default: duration-aware polling.
///
/// Each (dialect, action) has a learned duration estimate (log-normal). An operation is looked at
/// once early (in case it failed fast), then sparsely until completion becomes likely, every
/// `target_lag` while it is likely, and with a growing interval once it runs long. Intervals get
/// a small deterministic jitter per operation so that many tabs do not align.
#[derive(Clone, Debug)]
pub struct Vigil {
    /// How late, at most, the console may notice a finished task while it is likely to finish.
    pub target_lag: Millis,
    /// The longest gap between two looks at a running task.
    pub max_interval: Millis,
    history: std::collections::BTreeMap<(DialectKind, ActionKind), Estimate>,
}

impl Default for Vigil {
    fn default() -> Self {
        Vigil {
            target_lag: 2 * SECOND,
            max_interval: 30 * SECOND,
            history: Default::default(),
        }
    }
}

/// z-scores of the window where completion is likely (about 5 % to 95 %).
const Z_LIKELY: f64 = 1.65;

impl Vigil {
    pub fn with_target_lag(target_lag: Millis) -> Self {
        Vigil {
            target_lag: target_lag.max(100),
            ..Vigil::default()
        }
    }

    pub fn estimate(&self, dialect: DialectKind, kind: ActionKind) -> Estimate {
        self.history
            .get(&(dialect, kind))
            .copied()
            .unwrap_or_else(|| prior(dialect, kind))
    }

    /// The learned history, to persist between sessions.
    pub fn history(&self) -> Vec<(DialectKind, ActionKind, Estimate)> {
        self.history.iter().map(|(&(d, k), &e)| (d, k, e)).collect()
    }

    pub fn restore_history(&mut self, items: Vec<(DialectKind, ActionKind, Estimate)>) {
        // From a tenth of a second to a week, spread at most e⁵: anything else is not learned.
        let mu_range = (0.1f64).ln()..=((MAX_ESTIMATE / SECOND) as f64).ln();
        for (d, k, e) in items {
            if mu_range.contains(&e.mu) && (0.0..=5.0).contains(&e.sigma) {
                self.history.insert((d, k), e);
            }
        }
    }

    fn jitter(op_id: &str, polls: u32, interval: Millis) -> Millis {
        // FNV-1a of the id and poll count: ±10 % without a random source.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in op_id.bytes().chain(polls.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let frac = (h % 2001) as i64 - 1000; // -1000..=1000
        interval * frac / 10_000
    }
}

impl PollPolicy for Vigil {
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis {
        let est = self.estimate(ctx.dialect, ctx.kind);
        let start = ctx.accepted_at + est.quantile(-Z_LIKELY);
        let end = ctx.accepted_at + est.quantile(Z_LIKELY);
        let lag = self.target_lag;
        let next = if ctx.now + lag >= start && ctx.now < end {
            // Completion is likely now: look every `target_lag`.
            ctx.now + lag
        } else if ctx.now < start {
            // Too early. One early look catches fast failures when the window is far off;
            // otherwise wait for the window.
            let early = ctx.now + (start - ctx.accepted_at) / 3;
            if ctx.polls == 0 && start - ctx.now > 4 * lag {
                early
            } else {
                start
            }
        } else {
            // Running long: each gap half again as long as the time past the window, so the
            // looks thin out geometrically up to `max_interval`. Each time the provider forces
            // the action (if the guest ignored it) opens a further window as long as the
            // action's own; the looks thin out again from the end of the last one passed.
            let window = est.quantile(Z_LIKELY);
            let forced = ctx.forced_at.iter().copied().filter(|&f| f > end);
            let since = forced
                .clone()
                .map(|f| f + window)
                .filter(|&e| e <= ctx.now)
                .fold(end, Millis::max);
            let thinning = ctx.now + (lag + (ctx.now - since) / 2).min(self.max_interval);
            match forced.clone().find(|&f| ctx.now < f + window) {
                Some(f) if ctx.now + lag >= f => ctx.now + lag,
                Some(f) => thinning.min(f),
                None => thinning,
            }
        };
        let next = next.max(ctx.now + ctx.min_interval);
        let interval = (next - ctx.now).max(1);
        next + Self::jitter(ctx.op_id, ctx.polls, interval)
    }

    fn piggyback(&self) -> bool {
        true
    }

    fn typical(&self, dialect: DialectKind, kind: ActionKind) -> Option<Millis> {
        Some(self.estimate(dialect, kind).median())
    }

    fn looks_often(
        &self,
        dialect: DialectKind,
        kind: ActionKind,
        accepted_at: Millis,
        now: Millis,
    ) -> bool {
        // Within a target lag of the likely window, or past it (looks thinning out up to
        // `max_interval`, counted too: they still spend).
        let est = self.estimate(dialect, kind);
        now + self.target_lag >= accepted_at + est.quantile(-Z_LIKELY)
    }

    fn finished(&mut self, dialect: DialectKind, kind: ActionKind, took: Millis) {
        let mut est = self.estimate(dialect, kind);
        est.learn(took);
        self.history.insert((dialect, kind), est);
    }

    fn export_state(&self) -> Option<String> {
        serde_json::to_string(&self.history()).ok()
    }

    fn import_state(&mut self, state: &str) {
        if let Ok(items) = serde_json::from_str(state) {
            self.restore_history(items);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The look times the policy picks for one operation that never finishes, up to `until`.
    fn schedule(
        p: &mut Vigil,
        dialect: DialectKind,
        kind: ActionKind,
        until: Millis,
    ) -> Vec<Millis> {
        schedule_forced(p, dialect, kind, until, &[])
    }

    fn schedule_forced(
        p: &mut Vigil,
        dialect: DialectKind,
        kind: ActionKind,
        until: Millis,
        forced_at: &[Millis],
    ) -> Vec<Millis> {
        let mut now = 0;
        let mut looks = Vec::new();
        for polls in 0.. {
            let ctx = PollCtx {
                op_id: "op-1",
                dialect,
                kind,
                accepted_at: 0,
                now,
                polls,
                changed: false,
                min_interval: 0,
                forced_at,
            };
            now = p.next_observe(&ctx);
            if now > until {
                break;
            }
            looks.push(now);
        }
        looks
    }

    #[test]
    fn a_learned_state_with_absurd_numbers_schedules_within_bounds() {
        // fuzz: command/crash-learning-overflow (a learned state read back from storage).
        for mu in [1e6, -1e6, 700.0] {
            let mut p = Vigil::default();
            let state = format!(r#"[["Cloudsfor","Reboot",{{"mu":{mu},"sigma":50.0,"n":3}}]]"#);
            p.import_state(&state);
            let est = p.estimate(DialectKind::Cloudsfor, ActionKind::Reboot);
            for z in [-Z_LIKELY, 0.0, Z_LIKELY] {
                assert!((0..=MAX_ESTIMATE).contains(&est.quantile(z)));
            }
            assert_eq!(
                est,
                prior(DialectKind::Cloudsfor, ActionKind::Reboot),
                "not taken"
            );
            let t0 = 1_767_225_600_000;
            let ctx = PollCtx {
                op_id: "op-1",
                dialect: DialectKind::Cloudsfor,
                kind: ActionKind::Reboot,
                accepted_at: t0,
                now: t0,
                polls: 0,
                changed: false,
                min_interval: 0,
                forced_at: &[],
            };
            let next = p.next_observe(&ctx);
            assert!(next > t0 && next < t0 + 3_600_000);
        }
    }

    #[test]
    fn looks_are_sparse_before_the_likely_window_dense_in_it_and_thin_out_after() {
        let mut p = Vigil::default();
        let est = p.estimate(DialectKind::Cloudsfor, ActionKind::Snapshot);
        let (start, end) = (est.quantile(-Z_LIKELY), est.quantile(Z_LIKELY));
        let looks = schedule(
            &mut p,
            DialectKind::Cloudsfor,
            ActionKind::Snapshot,
            20 * 60_000,
        );
        let before = looks.iter().filter(|&&t| t < start - 2_000).count();
        assert!(
            before <= 1,
            "one early look at most before {start}: {looks:?}"
        );
        let inside: Vec<_> = looks.iter().filter(|&&t| t >= start && t <= end).collect();
        for w in inside.windows(2) {
            let gap = w[1] - w[0];
            assert!(
                (1_700..=2_300).contains(&gap),
                "target lag inside the window: {gap}"
            );
        }
        let after: Vec<_> = looks.iter().filter(|&&t| t > end).collect();
        let gaps: Vec<i64> = after.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.first() < gaps.last(),
            "backs off when it runs long: {gaps:?}"
        );
        assert!(
            gaps.iter().all(|&g| g <= 33_000),
            "capped near max_interval: {gaps:?}"
        );
    }

    #[test]
    fn where_the_provider_forces_an_ignored_action_the_looks_gather_again_after_it() {
        let mut p = Vigil::default();
        let kind = ActionKind::Reboot;
        let est = p.estimate(DialectKind::Erigones, kind);
        let forced = 180_000;
        let plain = schedule(&mut p, DialectKind::Erigones, kind, 300_000);
        let looks = schedule_forced(&mut p, DialectKind::Erigones, kind, 300_000, &[forced]);
        // Up to the forcing point both thin out alike.
        let before = |l: &[Millis]| l.iter().filter(|&&t| t < forced).count();
        assert_eq!(before(&looks), before(&plain));
        // A look lands at the forcing point, then one every target lag while the forced action
        // is likely to end, where the plain schedule had a gap of up to 30 s.
        let window: Vec<Millis> = looks
            .iter()
            .copied()
            .filter(|&t| t >= forced && t <= forced + est.quantile(Z_LIKELY))
            .collect();
        assert!(
            window.first().is_some_and(|&t| t <= forced + 2_300),
            "{looks:?}"
        );
        assert!(
            window.windows(2).all(|w| w[1] - w[0] <= 2_300),
            "{window:?}"
        );
        let plain_window = plain
            .iter()
            .filter(|&&t| t >= forced && t <= forced + est.quantile(Z_LIKELY))
            .count();
        assert!(window.len() > 3 * plain_window.max(1), "{plain:?}");
        // And thin out again after it.
        let after: Vec<Millis> = looks
            .iter()
            .copied()
            .filter(|&t| t > forced + est.quantile(Z_LIKELY))
            .collect();
        let gaps: Vec<Millis> = after.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.first() < gaps.last() && gaps.last() > Some(&10_000),
            "{after:?}"
        );
    }

    #[test]
    fn where_the_forcing_time_depends_on_the_guest_the_looks_gather_at_each_and_thin_between() {
        // Erigones: 180 s, or 300 s for a Windows guest, which the API does not show.
        let mut p = Vigil::default();
        let kind = ActionKind::Shutdown;
        let window = p.estimate(DialectKind::Erigones, kind).quantile(Z_LIKELY);
        let (first, second) = (180_000, 300_000);
        let looks = schedule_forced(
            &mut p,
            DialectKind::Erigones,
            kind,
            420_000,
            &[first, second],
        );
        let only_first = schedule_forced(&mut p, DialectKind::Erigones, kind, 420_000, &[first]);
        let dense_from = |l: &[Millis], f: Millis| {
            let w: Vec<Millis> = l
                .iter()
                .copied()
                .filter(|&t| t >= f && t <= f + window)
                .collect();
            w.first().is_some_and(|&t| t <= f + 2_300) && w.windows(2).all(|g| g[1] - g[0] <= 2_300)
        };
        assert!(dense_from(&looks, first), "{looks:?}");
        assert!(dense_from(&looks, second), "{looks:?}");
        assert!(!dense_from(&only_first, second), "{only_first:?}");
        // Between the two windows the looks thin out again, as after the action's own window.
        let between: Vec<Millis> = looks
            .iter()
            .copied()
            .filter(|&t| t > first + window && t < second)
            .collect();
        let gaps: Vec<Millis> = between.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.first() < gaps.last() && gaps.first() < Some(&10_000),
            "{between:?}"
        );
    }

    #[test]
    fn a_shorter_target_lag_costs_more_looks() {
        let count = |lag| {
            let mut p = Vigil::with_target_lag(lag);
            schedule(&mut p, DialectKind::Erigones, ActionKind::Reboot, 60_000).len()
        };
        assert!(count(1_000) > count(4_000));
    }

    #[test]
    fn learned_durations_move_the_window() {
        let mut p = Vigil::default();
        let before = p
            .estimate(DialectKind::Hostway, ActionKind::Reboot)
            .median();
        for _ in 0..10 {
            p.finished(DialectKind::Hostway, ActionKind::Reboot, 60_000);
        }
        let after = p.estimate(DialectKind::Hostway, ActionKind::Reboot);
        assert!(
            before < 25_000 && after.median() > 40_000,
            "{before} → {}",
            after.median()
        );
        // Other kinds and dialects keep their own estimates.
        assert_eq!(
            p.estimate(DialectKind::Cloudsfor, ActionKind::Reboot),
            prior(DialectKind::Cloudsfor, ActionKind::Reboot)
        );
        // History survives a round trip (the page persists it).
        let mut q = Vigil::default();
        q.restore_history(p.history());
        assert_eq!(q.estimate(DialectKind::Hostway, ActionKind::Reboot), after);
    }

    #[test]
    fn jitter_spreads_operations_but_stays_within_ten_percent() {
        let gaps: Vec<Millis> = (0..50)
            .map(|i| Vigil::jitter(&format!("op-{i}"), 3, 10_000))
            .collect();
        assert!(gaps.iter().all(|g| g.abs() <= 1_000));
        let distinct: std::collections::BTreeSet<_> = gaps.iter().collect();
        assert!(distinct.len() > 20, "not everyone on the same beat");
    }
}
