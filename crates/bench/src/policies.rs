//! The anchors: other tools' polling schedules, written as [`PollPolicy`]s so the engine runs
//! them with everything else (requests, verification, deadlines, errors) unchanged.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use vigil_core::policy::{Fixed, PollCtx, PollPolicy};
use vigil_core::time::SECOND;
use vigil_core::Millis;
use vigil_sim::Sim;

/// Which VM each operation runs on, filled by the harness as it starts them (the oracle's key
/// into the simulator's ground truth).
pub type OpVms = Rc<RefCell<HashMap<String, String>>>;

/// One poll exactly when the provider finishes, read from the simulator's ground truth: the
/// physical limit of any schedule.
pub struct Oracle {
    sim: Rc<RefCell<Sim>>,
    vms: OpVms,
    /// Operations already looked at on or after their finish (a second look then waits 1 s, in
    /// case the truth and the engine disagree; it never happened in the runs so far).
    looked: HashSet<String>,
}

impl Oracle {
    pub fn new(sim: Rc<RefCell<Sim>>, vms: OpVms) -> Oracle {
        Oracle {
            sim,
            vms,
            looked: HashSet::new(),
        }
    }
}

impl PollPolicy for Oracle {
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis {
        let finish = self
            .vms
            .borrow()
            .get(ctx.op_id)
            .and_then(|vm| self.sim.borrow().scheduled_finish(ctx.dialect.slug(), vm));
        match finish.map(|t| t as Millis) {
            Some(t) if t > ctx.now => t,
            Some(_) if self.looked.insert(ctx.op_id.to_string()) => ctx.now,
            Some(_) => ctx.now + SECOND,
            // Never finishes (or unknown to the truth): look now and then.
            None => ctx.now + 60 * SECOND,
        }
    }

    fn batch_limit(&self) -> Option<usize> {
        None
    }
}

/// One request per operation every `every` (doctl's `--wait`: 5 s; CloudStack's async job
/// polling: 3 s).
pub fn every(every: Millis) -> Fixed {
    Fixed {
        first: every,
        every,
        batch: None,
    }
}

/// The hcloud CLI's action waiter: 500 ms for the first 10 polls, then ×1.5 per poll up to
/// 2.5 s; observe-many requests of up to 25 operations.
#[derive(Clone, Debug, Default)]
pub struct HcloudCli;

impl HcloudCli {
    pub const BATCH: usize = 25;

    /// The wait after `polls` looks so far.
    pub fn interval(polls: u32) -> Millis {
        if polls < 10 {
            return 500;
        }
        let grown = 500.0 * 1.5f64.powi((polls - 9) as i32);
        (grown.min(2_500.0)) as Millis
    }
}

impl PollPolicy for HcloudCli {
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis {
        ctx.now + Self::interval(ctx.polls)
    }

    fn batch_limit(&self) -> Option<usize> {
        Some(Self::BATCH)
    }
}

/// OpenStack Horizon's instance-row refresh: per operation, 2.5 s × n while nothing changed
/// (n counts unchanged looks), at most 30 s, back to 2.5 s when anything changed.
#[derive(Clone, Debug, Default)]
pub struct Horizon {
    unchanged: HashMap<String, u32>,
}

impl Horizon {
    pub const STEP: Millis = 2_500;
    pub const CAP: Millis = 30 * SECOND;
}

impl PollPolicy for Horizon {
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis {
        let n = self.unchanged.entry(ctx.op_id.to_string()).or_insert(0);
        *n = if ctx.changed { 1 } else { *n + 1 };
        ctx.now + (Self::STEP * *n as Millis).min(Self::CAP)
    }

    fn batch_limit(&self) -> Option<usize> {
        None
    }
}

/// Linode Cloud Manager's event poller: while anything is open, one look every 2 s on a common
/// beat, so that every open operation is due together and one observe-many request covers them
/// all where the dialect has one (one request per operation where it has not).
#[derive(Clone, Debug)]
pub struct Linode {
    /// The beat's phase: ticks fall on `epoch + k × period`.
    pub epoch: Millis,
    pub period: Millis,
}

impl Linode {
    pub fn new(epoch: Millis) -> Linode {
        Linode {
            epoch,
            period: 2 * SECOND,
        }
    }
}

impl PollPolicy for Linode {
    fn next_observe(&mut self, ctx: &PollCtx) -> Millis {
        let since = (ctx.now - self.epoch).max(0);
        self.epoch + (since / self.period + 1) * self.period
    }

    fn batch_limit(&self) -> Option<usize> {
        Some(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::{ActionKind, DialectKind};

    fn ctx(op: &str, now: Millis, polls: u32, changed: bool) -> PollCtx<'_> {
        PollCtx {
            op_id: op,
            dialect: DialectKind::Cloudsfor,
            kind: ActionKind::Reboot,
            accepted_at: 0,
            now,
            polls,
            changed,
            min_interval: 0,
            forced_at: &[],
        }
    }

    #[test]
    fn hcloud_half_a_second_ten_times_then_grows_to_two_and_a_half() {
        let waits: Vec<Millis> = (0..16).map(HcloudCli::interval).collect();
        assert_eq!(
            waits,
            [500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 750, 1125, 1687, 2500, 2500, 2500]
        );
        let mut p = HcloudCli;
        assert_eq!(p.next_observe(&ctx("a", 10_000, 3, false)), 10_500);
        assert_eq!(p.next_observe(&ctx("a", 10_000, 11, true)), 11_125);
        assert_eq!(p.batch_limit(), Some(25));
    }

    #[test]
    fn horizon_backs_off_while_unchanged_and_resets_on_change() {
        let mut p = Horizon::default();
        let mut now = 0;
        let mut waits = Vec::new();
        // accepted (a change), then 14 unchanged looks, then a change, then unchanged again
        let changes = [true]
            .into_iter()
            .chain([false; 14])
            .chain([true, false, false]);
        for (polls, changed) in changes.enumerate() {
            let next = p.next_observe(&ctx("a", now, polls as u32, changed));
            waits.push(next - now);
            now = next;
        }
        assert_eq!(
            waits,
            [
                2_500, 5_000, 7_500, 10_000, 12_500, 15_000, 17_500, 20_000, 22_500, 25_000,
                27_500, 30_000, 30_000, 30_000, 30_000, 2_500, 5_000, 7_500
            ]
        );
        // per operation: another one starts from scratch
        assert_eq!(p.next_observe(&ctx("b", now, 0, true)) - now, 2_500);
        assert_eq!(p.next_observe(&ctx("b", now, 1, false)) - now, 5_000);
        assert_eq!(p.batch_limit(), None);
    }

    #[test]
    fn linode_ticks_on_a_common_beat() {
        let mut p = Linode::new(1_000);
        assert_eq!(p.next_observe(&ctx("a", 1_000, 0, true)), 3_000);
        assert_eq!(p.next_observe(&ctx("b", 1_050, 0, true)), 3_000);
        assert_eq!(p.next_observe(&ctx("a", 3_050, 1, false)), 5_000);
        assert_eq!(p.next_observe(&ctx("c", 4_999, 0, true)), 5_000);
        assert_eq!(p.next_observe(&ctx("c", 5_000, 1, true)), 7_000);
        assert_eq!(p.batch_limit(), Some(usize::MAX));
    }

    #[test]
    fn fixed_anchors_do_not_batch() {
        let mut p = every(5 * SECOND);
        assert_eq!(p.next_observe(&ctx("a", 0, 0, true)), 5_000);
        assert_eq!(p.next_observe(&ctx("a", 5_050, 1, false)), 10_050);
        assert_eq!(p.batch_limit(), None);
    }
}
