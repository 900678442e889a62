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
    /// When the provider accepted the operation.
    pub accepted_at: Millis,
    pub now: Millis,
    /// Looks at the task so far (0 right after acceptance).
    pub polls: u32,
    /// The provider's status (or progress) differs from the previous look.
    pub changed: bool,
}

pub trait PollPolicy {
    /// When to look at this operation's task next.
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis;

    /// How many due operations one observe-many request may cover (`None`: no batching).
    fn batch_limit(&self) -> Option<usize> {
        Some(usize::MAX)
    }

    /// The operation ended (verified or not); `finished_at` is when the task was seen terminal.
    fn finished(&mut self, _dialect: DialectKind, _kind: ActionKind, _took: Millis) {}
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
