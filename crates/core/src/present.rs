//! How the page presents what it shows, where that is a decision: which of a VM's commands is
//! its row's one primary button, how far back a moment is for "3 min ago" (the browser's `Intl`
//! says it in the user's language), and which names need their connection beside them. Pure: `now` is an argument.

use std::collections::{HashMap, HashSet};

use crate::engine::{Choice, VmCommand};
use crate::model::ActionKind;
use crate::time::Millis;

/// The unit a relative time is said in, as `Intl.RelativeTimeFormat` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelUnit {
    Second,
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

impl RelUnit {
    /// The unit's name for `Intl.RelativeTimeFormat.prototype.format` (an API token, not words).
    pub fn intl(self) -> &'static str {
        match self {
            RelUnit::Second => "second",
            RelUnit::Minute => "minute",
            RelUnit::Hour => "hour",
            RelUnit::Day => "day",
            RelUnit::Month => "month",
            RelUnit::Year => "year",
        }
    }
}

/// `then` as seen from `now`: a signed whole number of one unit (negative in the past, as
/// `Intl.RelativeTimeFormat` takes it), in the largest unit that still says it to within about
/// a quarter: 44 s, then 1–44 min, 1–21 h, 1–25 days, 1–10 months, then years.
pub fn relative(then: Millis, now: Millis) -> (i64, RelUnit) {
    const S: f64 = 1000.0;
    let d = (then - now) as f64;
    let a = d.abs();
    let (unit, size) = if a < 45.0 * S {
        (RelUnit::Second, S)
    } else if a < 45.0 * 60.0 * S {
        (RelUnit::Minute, 60.0 * S)
    } else if a < 22.0 * 3600.0 * S {
        (RelUnit::Hour, 3600.0 * S)
    } else if a < 26.0 * 86_400.0 * S {
        (RelUnit::Day, 86_400.0 * S)
    } else if a < 320.0 * 86_400.0 * S {
        (RelUnit::Month, 30.44 * 86_400.0 * S)
    } else {
        (RelUnit::Year, 365.25 * 86_400.0 * S)
    };
    let n = (a / size)
        .round()
        .max(if unit == RelUnit::Second { 0.0 } else { 1.0 }) as i64;
    (if d < 0.0 { -n } else { n }, unit)
}

/// How long "3 min ago" stays true: the page need not say it again before then.
pub fn relative_stays(then: Millis, now: Millis) -> Millis {
    match relative(then, now).1 {
        RelUnit::Second => 1_000,
        RelUnit::Minute => 15_000,
        RelUnit::Hour => 5 * 60_000,
        _ => 60 * 60_000,
    }
}

/// The one command a row shows as a button beside its "Actions" menu, where one helps: Start,
/// on a VM that is off and may start now. Every other command is in the menu.
pub fn primary(choices: &[Choice]) -> Option<VmCommand> {
    choices
        .iter()
        .find(|c| c.command == VmCommand::Action(ActionKind::Start) && c.reason.is_none())
        .map(|c| c.command)
}

/// The names (case-folded) that more than one VM in the list has: their rows say which
/// connection each is on, in the name itself.
pub fn shared_names<'a>(names: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for n in names {
        *seen.entry(fold(n)).or_default() += 1;
    }
    seen.into_iter()
        .filter(|(_, k)| *k > 1)
        .map(|(n, _)| n)
        .collect()
}

/// Whether `name` is one of [`shared_names`].
pub fn is_shared(shared: &HashSet<String>, name: &str) -> bool {
    shared.contains(&fold(name))
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A name's natural order: `api-2` before `api-10`.
pub(crate) fn natural_key(s: &str) -> Vec<(u8, u64, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n: u64 = 0;
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n = n
                    .saturating_mul(10)
                    .saturating_add(u64::from(d as u8 - b'0'));
                digits.push(d);
                chars.next();
            }
            out.push((0, n, digits));
        } else {
            let mut word = String::new();
            while let Some(&d) = chars.peek().filter(|d| !d.is_ascii_digit()) {
                word.extend(d.to_lowercase());
                chars.next();
            }
            out.push((1, 0, word));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::Refusal;

    const MIN: Millis = 60_000;
    const DAY: Millis = 24 * 60 * MIN;

    #[test]
    fn relative_times_take_the_largest_unit_that_fits() {
        let now = 1_800_000_000_000;
        let ago = |ms: Millis| relative(now - ms, now);
        assert_eq!(ago(0), (0, RelUnit::Second));
        assert_eq!(ago(12_000), (-12, RelUnit::Second));
        assert_eq!(ago(44_000), (-44, RelUnit::Second));
        assert_eq!(ago(45_000), (-1, RelUnit::Minute));
        assert_eq!(ago(3 * MIN), (-3, RelUnit::Minute));
        assert_eq!(ago(3 * MIN + 20_000), (-3, RelUnit::Minute));
        assert_eq!(ago(44 * MIN), (-44, RelUnit::Minute));
        assert_eq!(ago(45 * MIN), (-1, RelUnit::Hour));
        assert_eq!(ago(5 * 60 * MIN), (-5, RelUnit::Hour));
        assert_eq!(ago(22 * 60 * MIN), (-1, RelUnit::Day));
        assert_eq!(ago(3 * DAY), (-3, RelUnit::Day));
        assert_eq!(ago(40 * DAY), (-1, RelUnit::Month));
        assert_eq!(ago(400 * DAY), (-1, RelUnit::Year));
        // Later than now (a clock a little ahead): "in 5 min".
        assert_eq!(relative(now + 5 * MIN, now), (5, RelUnit::Minute));
        assert_eq!(RelUnit::Minute.intl(), "minute");
        assert!(relative_stays(now - 3 * MIN, now) <= MIN / 2);
        assert_eq!(relative_stays(now - 3_000, now), 1_000);
    }

    fn choice(kind: ActionKind, reason: Option<Refusal>) -> Choice {
        Choice {
            command: VmCommand::Action(kind),
            reason,
            through_stop: false,
        }
    }

    #[test]
    fn start_is_the_primary_button_only_when_it_may_run() {
        let off = [
            choice(ActionKind::Reboot, Some(Refusal::VmNotListed)),
            choice(ActionKind::Start, None),
        ];
        assert_eq!(primary(&off), Some(VmCommand::Action(ActionKind::Start)));
        let on = [
            choice(ActionKind::Reboot, None),
            choice(ActionKind::Start, Some(Refusal::VmNotListed)),
        ];
        assert_eq!(
            primary(&on),
            None,
            "a running VM's actions are all in the menu"
        );
        assert_eq!(primary(&[]), None);
    }

    #[test]
    fn a_name_two_vms_share_is_found_whatever_its_case() {
        let shared = shared_names(["api-01", "API-01", "db-01", "api-01 ", "web"]);
        assert!(is_shared(&shared, "api-01"));
        assert!(is_shared(&shared, "Api-01"));
        assert!(!is_shared(&shared, "db-01"));
        assert!(!is_shared(&shared, "web"));
    }

    #[test]
    fn names_sort_naturally() {
        let mut names = vec!["api-10", "api-100", "api-2", "api-1000", "API-11", "db"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(
            names,
            vec!["api-2", "api-10", "API-11", "api-100", "api-1000", "db"]
        );
    }
}
