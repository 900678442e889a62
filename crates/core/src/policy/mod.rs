//! When to look at a running task again: the one decision that differs between polling
//! strategies. The engine asks a [`PollPolicy`]; everything else (what to send, batching
//! mechanics, verification, deadlines, errors, rate limits) stays the same whatever the policy,
//! so strategies can be compared on scheduling alone.

use crate::dialect::DialectKind;
use crate::model::ActionKind;
use crate::time::{Millis, SECOND};

mod estimate;

pub use estimate::{prior, Estimate, Estimates, MAX_ESTIMATE};

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

    /// How long after acceptance such an action has very likely ended (the end of its likely
    /// window): past it, a resource showing no trace of the action is taken to be over with it.
    fn likely_over(&self, dialect: DialectKind, kind: ActionKind) -> Millis {
        prior(dialect, kind).quantile(Z_LIKELY)
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
    history: Estimates,
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

/// Where completion is likely only if the provider's pace is not the priors' (see
/// [`Estimates::doubt`]), a look at most this share of the time since acceptance after the
/// previous one (and at least `target_lag`).
const GUARD_STEP: f64 = 0.25;

impl Vigil {
    pub fn with_target_lag(target_lag: Millis) -> Self {
        Vigil {
            target_lag: target_lag.max(100),
            ..Vigil::default()
        }
    }

    /// What was learned of this action alone (its prior until it is seen).
    pub fn estimate(&self, dialect: DialectKind, kind: ActionKind) -> Estimate {
        self.history.own(dialect, kind)
    }

    /// The estimate the schedule uses: moved by the provider's pace and widened by the doubt
    /// about it ([`Estimates::effective`]).
    pub fn effective(&self, dialect: DialectKind, kind: ActionKind) -> Estimate {
        self.history.effective(dialect, kind)
    }

    /// The learned history, to persist between sessions.
    pub fn history(&self) -> Vec<(DialectKind, ActionKind, Estimate)> {
        self.history.list()
    }

    pub fn restore_history(&mut self, items: Vec<(DialectKind, ActionKind, Estimate)>) {
        self.history.restore(items);
    }

    /// Running long, past `end`: each gap half again as long as the time past it, so the looks
    /// thin out geometrically up to `max_interval`. Each time the provider forces the action (if
    /// the guest ignored it) opens a further window as long as the action's own; the looks thin
    /// out again from the end of the last one passed.
    fn running_long(&self, ctx: &PollCtx, est: &Estimate, end: Millis) -> Millis {
        let lag = self.target_lag;
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
        let est = self.effective(ctx.dialect, ctx.kind);
        let (faster, slower) = self.history.doubt(ctx.dialect, ctx.kind);
        let at = |z: f64, widen: f64| {
            let q = est.quantile(z) as f64 * (z.signum() * Z_LIKELY * widen).exp();
            ctx.accepted_at + q as Millis
        };
        let (start, end) = (at(-Z_LIKELY, 0.0), at(Z_LIKELY, 0.0));
        // Where completion is likely if the provider's pace is not what the priors say: looked
        // at too while that pace is unsure, so that no look is sparse on an unconfirmed prior.
        let (guard_lo, guard_hi) = (at(-Z_LIKELY, faster), at(Z_LIKELY, slower));
        let lag = self.target_lag;
        let step = |now: Millis| lag.max(((now - ctx.accepted_at) as f64 * GUARD_STEP) as Millis);
        let next = if ctx.now + lag >= start && ctx.now < end {
            // Completion is likely now: look every `target_lag`.
            ctx.now + lag
        } else if ctx.now < start && ctx.now + lag >= guard_lo {
            // Likely only if the provider is faster than the priors say: looks a fixed share of
            // the time so far apart, up to the window.
            (ctx.now + step(ctx.now)).min(start)
        } else if ctx.now < start {
            // Too early. One early look catches fast failures when the window is far off;
            // otherwise wait for the window.
            let early = ctx.now + (guard_lo - ctx.accepted_at) / 3;
            if ctx.polls == 0 && guard_lo - ctx.now > 4 * lag {
                early
            } else {
                guard_lo
            }
        } else if ctx.now < guard_hi {
            // Likely only if the provider is slower than the priors say: as in the window.
            ctx.now + lag
        } else {
            self.running_long(ctx, &est, guard_hi.max(end))
        };
        let next = next.max(ctx.now + ctx.min_interval);
        let interval = (next - ctx.now).max(1);
        next + Self::jitter(ctx.op_id, ctx.polls, interval)
    }

    fn piggyback(&self) -> bool {
        true
    }

    fn typical(&self, dialect: DialectKind, kind: ActionKind) -> Option<Millis> {
        Some(self.effective(dialect, kind).median())
    }

    /// The end of the window the schedule looks in: the action's estimate moved by the
    /// provider's pace ([`Vigil::effective`]).
    fn likely_over(&self, dialect: DialectKind, kind: ActionKind) -> Millis {
        self.effective(dialect, kind).quantile(Z_LIKELY)
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
        let est = self.effective(dialect, kind);
        let (faster, _) = self.history.doubt(dialect, kind);
        let guard_lo = est.quantile(-Z_LIKELY) as f64 * (-Z_LIKELY * faster).exp();
        now + self.target_lag >= accepted_at + guard_lo as Millis
    }

    fn finished(&mut self, dialect: DialectKind, kind: ActionKind, took: Millis) {
        self.history.learn(dialect, kind, took);
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
mod tests;
