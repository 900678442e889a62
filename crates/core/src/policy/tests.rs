//! The schedule Vigil picks for one operation, and what it learns.

use super::*;

/// The look times the policy picks for one operation that never finishes, up to `until`.
fn schedule(p: &mut Vigil, dialect: DialectKind, kind: ActionKind, until: Millis) -> Vec<Millis> {
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

/// A policy that has seen a few runs of every action on `dialect`, each as long as its prior
/// says: the priors are confirmed.
fn confirmed(dialect: DialectKind) -> Vigil {
    let mut p = Vigil::default();
    for kind in [
        ActionKind::Reboot,
        ActionKind::Shutdown,
        ActionKind::Snapshot,
    ] {
        for _ in 0..4 {
            p.finished(dialect, kind, prior(dialect, kind).median());
        }
    }
    p
}

#[test]
fn looks_are_sparse_before_the_likely_window_dense_in_it_and_thin_out_after() {
    let mut p = confirmed(DialectKind::Cloudsfor);
    let est = p.effective(DialectKind::Cloudsfor, ActionKind::Snapshot);
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
    let mut p = confirmed(DialectKind::Erigones);
    let kind = ActionKind::Reboot;
    let est = p.effective(DialectKind::Erigones, kind);
    let forced = 180_000;
    let plain = schedule(&mut p, DialectKind::Erigones, kind, 300_000);
    let looks = schedule_forced(&mut p, DialectKind::Erigones, kind, 300_000, &[forced]);
    // Up to the forcing point both thin out alike (the look that lands on it may come up to
    // its jitter early).
    let before = |l: &[Millis]| l.iter().filter(|&&t| t < forced - 3_000).count();
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
    let mut p = confirmed(DialectKind::Erigones);
    let kind = ActionKind::Shutdown;
    let window = p.effective(DialectKind::Erigones, kind).quantile(Z_LIKELY);
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

/// The first look at or after `t` in `looks`.
fn next_after(looks: &[Millis], t: Millis) -> Option<Millis> {
    looks.iter().copied().find(|&l| l >= t)
}

#[test]
fn an_unconfirmed_prior_keeps_no_look_sparse_where_a_faster_provider_would_end() {
    // Nothing seen on the provider yet: its reboots may take a quarter of the prior (20 s),
    // ×0.6–1.6. Each such end is seen within about a target lag.
    let mut p = Vigil::default();
    let (d, kind) = (DialectKind::Cloudsfor, ActionKind::Reboot);
    let looks = schedule(&mut p, d, kind, 60_000);
    for end in (3_000..=8_000).step_by(250) {
        let seen = next_after(&looks, end).unwrap();
        assert!(seen - end <= 2_600, "ended {end}, seen {seen}: {looks:?}");
    }
    // Once the provider's runs confirm the priors, the looks before the window are sparse.
    let mut p = confirmed(d);
    let start = p.effective(d, kind).quantile(-Z_LIKELY);
    let looks = schedule(&mut p, d, kind, 60_000);
    let before = looks.iter().filter(|&&t| t < start - 2_000).count();
    assert!(before <= 1, "{looks:?}");
}

#[test]
fn an_unconfirmed_prior_keeps_looking_every_target_lag_where_a_slower_provider_would_end() {
    // Four times the prior (20 s), ×0.6–1.6: 48–128 s. Once confirmed, the looks there thin
    // out to half a minute apart.
    let (d, kind) = (DialectKind::Cloudsfor, ActionKind::Reboot);
    let looks = schedule(&mut Vigil::default(), d, kind, 200_000);
    for end in (48_000..=128_000).step_by(1_000) {
        let seen = next_after(&looks, end).unwrap();
        assert!(seen - end <= 2_600, "ended {end}, seen {seen}: {looks:?}");
    }
    let looks = schedule(&mut confirmed(d), d, kind, 200_000);
    let late = (48_000..=128_000)
        .step_by(1_000)
        .map(|end| next_after(&looks, end).unwrap() - end)
        .max();
    assert!(late > Some(10_000), "{looks:?}");
}

#[test]
fn the_first_runs_on_a_provider_move_every_actions_window() {
    let (d, other) = (DialectKind::ZennoHosting, DialectKind::Erigones);
    let mut p = Vigil::default();
    // Two reboots at four times their prior.
    let reboot = prior(d, ActionKind::Reboot).median();
    p.finished(d, ActionKind::Reboot, 4 * reboot);
    p.finished(d, ActionKind::Reboot, 4 * reboot);
    // A start, never seen, is expected about that much slower too; nothing moves elsewhere.
    let start = prior(d, ActionKind::Start).median();
    let moved = p.effective(d, ActionKind::Start).median();
    assert!(moved > 3 * start, "{start} → {moved}");
    assert_eq!(
        p.effective(other, ActionKind::Start),
        prior(other, ActionKind::Start)
    );
    // Runs as long as the priors say move nothing: their spread is not a pace.
    let mut q = Vigil::default();
    q.finished(d, ActionKind::Reboot, reboot * 6 / 5);
    q.finished(d, ActionKind::Reboot, reboot * 9 / 10);
    assert_eq!(q.effective(d, ActionKind::Start).median(), start);
    // And the provider's pace survives a reload with what it was learned from.
    let mut r = Vigil::default();
    r.restore_history(p.history());
    assert_eq!(
        r.effective(d, ActionKind::Start),
        p.effective(d, ActionKind::Start)
    );
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
fn a_learned_state_at_the_edges_of_what_is_taken_schedules_within_bounds() {
    // Taken whole, and moving every action of the provider by its pace: the window of an action
    // never seen, widened by the doubt about that pace, stays within bounds too.
    let longest = ((MAX_ESTIMATE / SECOND) as f64).ln();
    let shortest = (0.1f64).ln();
    for (mu, sigma, n) in [
        (longest, 5.0, 4),
        (longest, 5.0, u32::MAX),
        (shortest, 5.0, 4),
        (shortest, 0.0, u32::MAX),
    ] {
        let mut p = Vigil::default();
        let state = format!(r#"[["Cloudsfor","Reboot",{{"mu":{mu},"sigma":{sigma},"n":{n}}}]]"#);
        p.import_state(&state);
        assert_eq!(p.history().len(), 1, "taken: {state}");
        let t0 = crate::saved::LATEST;
        for kind in [ActionKind::Reboot, ActionKind::Start, ActionKind::Snapshot] {
            let d = DialectKind::Cloudsfor;
            assert!((0..=MAX_ESTIMATE).contains(&p.likely_over(d, kind)));
            let mut now = t0;
            for polls in 0..50 {
                let ctx = PollCtx {
                    op_id: "op-1",
                    dialect: d,
                    kind,
                    accepted_at: t0,
                    now,
                    polls,
                    changed: false,
                    min_interval: 0,
                    forced_at: &[t0 + 60 * SECOND],
                };
                let next = p.next_observe(&ctx);
                assert!(
                    next > now && next <= now + 5 * MAX_ESTIMATE,
                    "{next} after {now}"
                );
                p.looks_often(d, kind, t0, now);
                now = next;
            }
        }
    }
}
