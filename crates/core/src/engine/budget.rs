//! The request budget of one connection: a token bucket below the provider's rate limit, and
//! what one round of requests may still spend of it.

use std::collections::HashMap;

use crate::dialect::RateLimit;
use crate::ids::ConnId;
use crate::time::Millis;

/// A token bucket.
#[derive(Clone, Debug)]
pub(crate) struct Bucket {
    pub tokens: f64,
    pub at: Millis,
    pub per_ms: f64,
    pub burst: f64,
}

impl Bucket {
    pub fn new(limit: RateLimit) -> Self {
        Bucket {
            tokens: limit.burst,
            at: 0,
            per_ms: limit.per_second / 1000.0,
            burst: limit.burst,
        }
    }

    pub fn refill(&mut self, now: Millis) {
        if now > self.at {
            self.tokens = (self.tokens + (now - self.at) as f64 * self.per_ms).min(self.burst);
            self.at = now;
        }
    }

    /// When the next whole token is there.
    pub fn ready_at(&self) -> Millis {
        if self.tokens >= 1.0 {
            self.at
        } else {
            self.at
                .saturating_add(((1.0 - self.tokens) / self.per_ms).ceil().min(1e12) as Millis)
        }
    }
}

/// Requests one round may still send per connection, under each one's budget.
pub(crate) struct Allowance(pub HashMap<ConnId, (usize, bool)>);

impl Allowance {
    /// Takes one request's worth for `conn`; false (and the connection marked starved) when the
    /// budget is spent.
    pub fn take(&mut self, conn: &ConnId) -> bool {
        match self.0.get_mut(conn) {
            Some((left, starved)) if *left == 0 => {
                *starved = true;
                false
            }
            Some((left, _)) => {
                *left -= 1;
                true
            }
            None => true,
        }
    }

    /// How many requests `conn` may still send this round.
    pub fn left(&self, conn: &ConnId) -> usize {
        self.0.get(conn).map_or(usize::MAX, |a| a.0)
    }

    pub fn starved(&self, conn: &ConnId) -> bool {
        self.0.get(conn).is_some_and(|a| a.1)
    }
}
