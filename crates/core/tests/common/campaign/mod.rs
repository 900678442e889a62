//! The campaign's kit (tests/campaign.rs): thousands of operations over the five dialects and
//! every fault vigil-sim injects, plus what only the wire between the engine and the provider
//! can do — answers that never come, come out of order or come spoiled with hostile values —
//! and pages that reload or hand over to another tab mid-operation. Every verdict is judged
//! against the simulator's ground truth.
//!
//! - [`wire`]: the engine (and a following tab) and vigil-sim on one virtual clock, through a
//!   network that delays, reorders, loses and spoils answers; reloads and handovers.
//! - [`hostile`]: the hostile values mutated into answers.
//! - [`work`]: the operations a cell asks for, and what was seen as each closed.
//! - [`judge`]: each verdict against the truth, tallied.
#![allow(dead_code)]

pub mod hostile;
pub mod judge;
pub mod wire;
pub mod work;

use vigil_core::{DialectKind, Millis};
use vigil_sim::Faults;

/// One kind of trouble a cell of the campaign runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// The simulator's 5xx bursts (503s with `Retry-After`).
    ServerError,
    /// The simulator's 429s with `Retry-After`.
    Throttle,
    /// Dropped connections, half of them after the write was applied.
    Drop,
    /// Slow answers, some slower than the engine waits (their late answers are ignored).
    Latency,
    /// Bodies cut in half.
    Malformed,
    /// Enum values the sheets do not list.
    UnknownEnum,
    /// Tasks that never finish.
    Stuck,
    /// Task ids garbled in answers: by the simulator (Erigones, ONETSolutions), and by the
    /// wire in the answers to writes (every dialect).
    Garble,
    /// ZennoHosting clearing its operation fields after an end.
    Clear,
    /// ZennoHosting reporting failed operations `succeeded`.
    Lie,
    /// Answers that never come (half of those requests never reached the provider).
    NoAnswer,
    /// Answers delivered out of order.
    Reorder,
    /// Hostile values mutated into answers.
    Hostile,
    /// The page reloads mid-operation.
    Reload,
    /// The leading tab closes mid-operation; a following tab takes over.
    Handover,
    /// A little of everything at once.
    All,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::ServerError,
        Kind::Throttle,
        Kind::Drop,
        Kind::Latency,
        Kind::Malformed,
        Kind::UnknownEnum,
        Kind::Stuck,
        Kind::Garble,
        Kind::Clear,
        Kind::Lie,
        Kind::NoAnswer,
        Kind::Reorder,
        Kind::Hostile,
        Kind::Reload,
        Kind::Handover,
        Kind::All,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::ServerError => "5xx burst",
            Kind::Throttle => "429+Retry-After",
            Kind::Drop => "drop",
            Kind::Latency => "latency",
            Kind::Malformed => "malformed",
            Kind::UnknownEnum => "unknown enum",
            Kind::Stuck => "stuck",
            Kind::Garble => "garbled id",
            Kind::Clear => "clear (Zenno)",
            Kind::Lie => "lie (Zenno)",
            Kind::NoAnswer => "no answer",
            Kind::Reorder => "out of order",
            Kind::Hostile => "hostile values",
            Kind::Reload => "reload",
            Kind::Handover => "tab handover",
            Kind::All => "all at once",
        }
    }

    /// Whether the dialect has this fault at all.
    pub fn applies(self, dialect: DialectKind) -> bool {
        match self {
            Kind::Clear | Kind::Lie => dialect == DialectKind::ZennoHosting,
            _ => true,
        }
    }

    /// The simulator's own faults.
    pub fn faults(self, dialect: DialectKind, seed: u64) -> Faults {
        let spec = match self {
            Kind::ServerError => "5xx=0.12,burst=3".to_string(),
            Kind::Throttle => "429=0.2".into(),
            Kind::Drop => "drop=0.12".into(),
            // Up to 40 s: some answers come after the engine stopped waiting (30 s).
            Kind::Latency => "latency=1000..40000".into(),
            Kind::Malformed => "malformed=0.12".into(),
            Kind::UnknownEnum => "unknown_enum=0.2".into(),
            Kind::Stuck => "stuck=0.3".into(),
            Kind::Garble => "garble=0.5".into(),
            Kind::Clear => format!("clear={}", [0, 3000][seed as usize % 2]),
            Kind::Lie => "lie=1".into(),
            Kind::All => {
                let zenno = if dialect == DialectKind::ZennoHosting {
                    ",clear=2000,lie=0.5"
                } else {
                    ""
                };
                format!(
                    "5xx=0.03,429=0.03,drop=0.03,latency=100..6000,malformed=0.03,\
                     unknown_enum=0.03,stuck=0.05,garble=0.1{zenno}"
                )
            }
            _ => "none".into(),
        };
        spec.parse().expect("a valid fault spec")
    }

    /// Share of the provider's actions that fail.
    pub fn failure_rate(self) -> f64 {
        match self {
            // Only failures can be reported as successes.
            Kind::Lie => 0.4,
            _ => 0.15,
        }
    }

    /// What the wire itself does to requests and answers.
    pub fn net(self) -> wire::Net {
        let none = wire::Net::default();
        match self {
            Kind::NoAnswer => wire::Net { lost: 0.1, ..none },
            Kind::Reorder => wire::Net {
                jitter: 8_000,
                ..none
            },
            Kind::Garble => wire::Net {
                garble: 1.0,
                ..none
            },
            Kind::Hostile => wire::Net {
                hostile: 0.15,
                ..none
            },
            Kind::All => wire::Net {
                lost: 0.03,
                jitter: 3_000,
                hostile: 0.03,
                garble: 0.03,
            },
            _ => none,
        }
    }

    /// The page reloads now and then.
    pub fn reloads(self) -> bool {
        matches!(self, Kind::Reload | Kind::All)
    }

    /// A following tab takes over now and then.
    pub fn hands_over(self) -> bool {
        matches!(self, Kind::Handover | Kind::All)
    }
}

/// SplitMix64: the campaign's own seeded choices (never the simulator's streams).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5EED_CA4D_A16E_0001)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in `lo..=hi` milliseconds.
    pub fn ms(&mut self, lo: Millis, hi: Millis) -> Millis {
        lo + self.below((hi - lo + 1) as u64) as Millis
    }

    pub fn chance(&mut self, p: f64) -> bool {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        p > 0.0 && unit < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}
