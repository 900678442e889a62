//! The campaign (issue 14, item 3): thousands of operations — power actions, the Stop
//! workflow, renames and resizes where the dialect has them, creates and deletes — over the five
//! dialects and every fault vigil-sim injects, plus what only the wire can do (answers that
//! never come, come out of order or come with hostile values in them) and pages that reload or
//! hand over to another tab mid-operation. Seeded and on a virtual clock: the same run every
//! time. Every verdict is judged against the simulator's ground truth (see
//! `common/campaign/judge.rs`): nothing lost, nothing done that was not, nothing failed that
//! worked, no write applied twice, no panic. `--nocapture` prints the figures.

mod common;
#[path = "common/campaign/mod.rs"]
mod kit;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::{spec_from_catalogue, World};
use kit::judge::{judge, mix, Tally};
use kit::wire::Wire;
use kit::work::Work;
use kit::{Kind, Rng};
use vigil_core::time::{MINUTE, SECOND};
use vigil_core::{DialectKind, Millis};

/// Worlds per dialect and fault kind (`CAMPAIGN_SEEDS` runs more, up to 100), and operations
/// started in each. `CAMPAIGN_SEED_BASE` shifts every seed: other worlds, as many.
const SEEDS: u64 = 2;
const OPS_PER_WORLD: usize = 22;

/// A number from the environment, else `default`.
fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A world that has not closed every operation by then stops (what is open counts as lost).
const WORLD_LIMIT: Millis = 12 * 60 * MINUTE;

/// Between two reloads or handovers.
const DISRUPT_EVERY: (Millis, Millis) = (20 * SECOND, 120 * SECOND);

/// The faults the simulator and the wire injected in a world, and its reloads and handovers.
fn faults_hit(wire: &Wire, kind: Kind) -> usize {
    let stats = wire.w.sim.stats();
    let f = &stats["faults"];
    let sim: u64 = [
        "5xx",
        "429",
        "dropped_before",
        "dropped_after",
        "malformed",
        "unknown_enum",
        "garbled",
        "stuck",
    ]
    .iter()
    .filter_map(|k| f[*k].as_u64())
    .sum();
    let truth = wire.w.sim.completions();
    let zenno = truth.iter().filter(|c| c.dialect == "zennohosting");
    let inside = match kind {
        // Every operation that ended had its fields cleared.
        Kind::Clear => zenno.filter(|c| c.finished_at_ms.is_some()).count(),
        Kind::Lie => zenno
            .filter(|c| !c.succeeded && c.task_status == "succeeded")
            .count(),
        _ => 0,
    };
    sim as usize + inside + wire.hits + (wire.reloads + wire.handovers) as usize
}

/// What the worlds found besides their figures.
#[derive(Default)]
struct Found {
    /// Every wrong verdict, loss and panic, named by its world.
    problems: Vec<String>,
    /// Operations started and done, by what they do.
    mix: BTreeMap<&'static str, [usize; 2]>,
}

/// One world: `dialect` under `kind`, seeded by `seed`.
fn world(dialect: DialectKind, kind: Kind, seed: u64, found: &mut Found) -> Tally {
    let scenario = vigil_sim::Scenario {
        seed,
        vms: 12,
        failure_rate: kind.failure_rate(),
        speed: 1.0,
    };
    let mut w = World::new(dialect, scenario);
    // The create form, filled in before the trouble starts.
    let spec = spec_from_catalogue(&mut w, "template");
    w.sim.set_faults(kind.faults(dialect, seed));
    let mut wire = Wire::new(w, kind.net(), seed);
    if kind.hands_over() {
        wire.join();
    }
    let mut work = Work::new(dialect, OPS_PER_WORLD, Some(spec), seed);
    let mut rng = Rng::new(seed ^ 0xD152_u64);
    let mut disrupt_at = wire.now() + rng.ms(DISRUPT_EVERY.0, DISRUPT_EVERY.1);
    let end = wire.now() + WORLD_LIMIT;
    loop {
        if wire.now() >= disrupt_at && work.open(&wire) > 0 {
            disrupt(&mut wire, kind, &mut rng);
            disrupt_at = wire.now() + rng.ms(DISRUPT_EVERY.0, DISRUPT_EVERY.1);
        }
        // A command is carried out at once, before anything else can happen.
        work.tick(&mut wire);
        if !wire.step() || wire.now() > end {
            break;
        }
        work.observe(&wire);
        if work.all_started() && work.open(&wire) == 0 {
            break;
        }
    }
    let cell = format!("{dialect:?} {} seed {seed}", kind.label());
    let mut t = judge(&wire, &work, &cell, &mut found.problems);
    t.faults = faults_hit(&wire, kind);
    mix(&wire, &work, &mut found.mix);
    t
}

/// A reload, or a handover to the following tab, as the kind has them.
fn disrupt(wire: &mut Wire, kind: Kind, rng: &mut Rng) {
    match (kind.reloads(), kind.hands_over()) {
        (true, true) if rng.chance(0.5) => wire.reload(),
        (true, false) => wire.reload(),
        (_, true) => wire.hand_over(),
        _ => {}
    }
}

/// A world, its panic caught and counted.
fn world_caught(dialect: DialectKind, kind: Kind, seed: u64, found: &mut Found) -> Tally {
    let run = catch_unwind(AssertUnwindSafe(|| {
        let mut here = Found::default();
        let t = world(dialect, kind, seed, &mut here);
        (t, here)
    }));
    match run {
        Ok((t, here)) => {
            found.problems.extend(here.problems);
            for (what, [n, done]) in here.mix {
                let m = found.mix.entry(what).or_default();
                m[0] += n;
                m[1] += done;
            }
            t
        }
        Err(e) => {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let label = kind.label();
            found
                .problems
                .push(format!("{dialect:?} {label} seed {seed}: panicked: {why}"));
            Tally {
                panics: 1,
                ..Tally::default()
            }
        }
    }
}

const HEADER: &str =
    "ops  done  failed  check  t/out  lost  f.done  f.fail  twice  resent  panic  unseen  elsewh  phantom  faults  requests";

fn row(out: &mut String, label: &str, t: &Tally) {
    let _ = writeln!(
        out,
        "{label:<34}{:>5} {:>5} {:>7} {:>6} {:>6} {:>5} {:>7} {:>7} {:>6} {:>7} {:>6} {:>7} {:>7} {:>8} {:>7} {:>9}",
        t.ops,
        t.done,
        t.failed,
        t.needs_check,
        t.timed_out,
        t.lost,
        t.false_done,
        t.false_failed,
        t.twice,
        t.resent,
        t.panics,
        t.unseeable,
        t.elsewhere,
        t.phantom,
        t.faults,
        t.requests
    );
}

/// The figures: every dialect under every fault kind, then by fault kind and by dialect.
fn table(cells: &BTreeMap<(DialectKind, Kind), Tally>) -> String {
    let mut out = String::new();
    let head = format!("{:<34}{HEADER}\n", "dialect / fault");
    out.push_str(&head);
    let mut by_kind: BTreeMap<Kind, Tally> = BTreeMap::new();
    let mut by_dialect: BTreeMap<DialectKind, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for ((d, k), t) in cells {
        row(&mut out, &format!("{} / {}", d.label(), k.label()), t);
        *by_kind.entry(*k).or_default() += *t;
        *by_dialect.entry(*d).or_default() += *t;
        all += *t;
    }
    out.push_str(&format!("\n{:<34}{HEADER}\n", "fault (all dialects)"));
    for (k, t) in &by_kind {
        row(&mut out, k.label(), t);
    }
    out.push_str(&format!("\n{:<34}{HEADER}\n", "dialect (all faults)"));
    for (d, t) in &by_dialect {
        row(&mut out, d.label(), t);
    }
    row(&mut out, "all", &all);
    out
}

/// Runs every world: each dialect under each fault kind it has, [`SEEDS`] times.
fn campaign() -> (BTreeMap<(DialectKind, Kind), Tally>, Found) {
    let mut cells: BTreeMap<(DialectKind, Kind), Tally> = BTreeMap::new();
    let mut found = Found::default();
    let (seeds, base) = (
        knob("CAMPAIGN_SEEDS", SEEDS).min(100),
        knob("CAMPAIGN_SEED_BASE", 0),
    );
    for (di, &dialect) in DialectKind::ALL.iter().enumerate() {
        for (ki, &kind) in Kind::ALL.iter().enumerate() {
            if !kind.applies(dialect) {
                continue;
            }
            for s in 0..seeds {
                let seed = base + 10_000 * (di as u64 + 1) + 100 * ki as u64 + s;
                let t = world_caught(dialect, kind, seed, &mut found);
                *cells.entry((dialect, kind)).or_default() += t;
            }
        }
    }
    (cells, found)
}

#[test]
fn the_campaign_loses_nothing_and_claims_nothing_untrue() {
    let (cells, found) = campaign();
    let checks = if cfg!(debug_assertions) { "on" } else { "off" };
    println!("debug assertions (and overflow checks with them): {checks}\n");
    println!("{}", table(&cells));
    let mix: Vec<String> = found
        .mix
        .iter()
        .map(|(what, [n, done])| format!("{what} {n} ({done} done)"))
        .collect();
    println!("operations: {}", mix.join(", "));
    let mut all = Tally::default();
    for t in cells.values() {
        all += *t;
    }
    let (over, slack) = (all.over_deadline / SECOND, kit::judge::SLACK / SECOND);
    println!("the latest close: {over} s past its deadline (allowed: {slack} s)\n");
    for p in found.problems.iter().take(60) {
        println!("{}", p.chars().take(600).collect::<String>());
    }
    assert!(all.ops >= 3_000, "{} operations", all.ops);
    assert_eq!(all.panics, 0, "panics");
    assert_eq!(all.lost, 0, "lost");
    assert_eq!(all.false_done, 0, "done, and not so");
    assert_eq!(all.false_failed, 0, "failed, and not so");
    assert_eq!(all.twice, 0, "writes applied twice");
    assert_eq!(all.resent, 0, "writes sent again blindly");
    assert_eq!(all.phantom, 0, "phantom operations started elsewhere");
    assert!(
        found.problems.is_empty(),
        "{} problems",
        found.problems.len()
    );
    // Every fault kind was met in every dialect it applies to.
    for ((d, k), t) in &cells {
        assert!(t.faults > 0, "{d:?} {}: no fault injected", k.label());
    }
}
