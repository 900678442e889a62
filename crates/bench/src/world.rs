//! The simulated world a run starts from: its seed, its size, how fast its actions run, and how
//! its providers behave where their sheets leave it open.

use vigil_sim::{Faults, Scenario};

use crate::run::{FAILURE_RATE, WORLD_SEED};

/// The simulated world a run starts from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct World {
    /// `--seed`: durations, failures, the VMs' states (the action mix follows it).
    pub seed: u64,
    /// `--fleet`: at least this many VMs, however few operations run (a large fleet with a few
    /// operations open: what whole-fleet reads cost).
    pub fleet: usize,
    /// `--speed`: the simulator's `Scenario.speed`, dividing every action's duration (4: actions
    /// take a quarter of the engine's priors; 0.25: four times them).
    pub speed: f64,
    /// `--clear-at-end`: ZennoHosting clears `operation`/`operationStatus` the moment an
    /// operation ends (vigil-sim's `clear` fault at 0 ms).
    pub clear_at_end: bool,
}

impl Default for World {
    fn default() -> Self {
        World {
            seed: WORLD_SEED,
            fleet: 0,
            speed: 1.0,
            clear_at_end: false,
        }
    }
}

impl World {
    /// The faults the world's providers show from the start (none unless `--clear-at-end`).
    pub fn faults(&self) -> Faults {
        Faults {
            clear_ms: self.clear_at_end.then_some(0),
            ..Faults::none()
        }
    }

    /// Whether it is the default world's way of running (speed 1, fields kept): the world whose
    /// figures the others are matched against.
    pub fn is_matched(&self) -> bool {
        self.speed == 1.0 && !self.clear_at_end
    }
}

/// The simulated world for a workload of `ops` operations, one VM each.
pub fn scenario(ops: usize, world: World) -> Scenario {
    Scenario {
        seed: world.seed,
        // A margin for VMs no action may run on (not created, in error, suspended).
        vms: (ops + ops / 10 + 5).max(world.fleet),
        failure_rate: FAILURE_RATE,
        speed: world.speed,
    }
}
