//! Which tab polls: one leader per browser profile, by a lease the tabs keep in shared storage.
//! Pure: the page reads and writes the lease; this decides.

use serde::{Deserialize, Serialize};

use crate::time::Millis;

/// Who polls, and until when unless renewed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub holder: String,
    pub until: Millis,
}

/// How long a lease lasts without renewal; a closed or frozen tab hands over within this.
pub const LEASE_TTL: Millis = 5_000;
/// How often every tab looks at (and the leader renews) the lease.
pub const LEASE_EVERY: Millis = 1_500;

/// The lease `me` should write now, if it may lead: when there is none, it has run out, or it is
/// already `me`'s. `None`: another tab leads.
pub fn claim(current: Option<&Lease>, me: &str, now: Millis) -> Option<Lease> {
    match current {
        Some(l) if l.holder != me && l.until > now => None,
        _ => Some(Lease {
            holder: me.to_string(),
            until: now + LEASE_TTL,
        }),
    }
}

/// Whether `me` leads, by the lease as stored (read back after writing, so that of two tabs
/// writing at once exactly one wins).
pub fn leads(stored: Option<&Lease>, me: &str, now: Millis) -> bool {
    stored.is_some_and(|l| l.holder == me && l.until > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_tab_leads_and_others_follow_until_it_stops_renewing() {
        let a = claim(None, "a", 0).unwrap();
        assert!(leads(Some(&a), "a", 0));
        assert_eq!(
            claim(Some(&a), "b", 1_000),
            None,
            "b follows while a's lease runs"
        );
        assert!(!leads(Some(&a), "b", 1_000));
        // a renews: still its lease.
        let a2 = claim(Some(&a), "a", LEASE_EVERY).unwrap();
        assert_eq!(a2.until, LEASE_EVERY + LEASE_TTL);
        // a's tab closes: after the lease runs out, b takes over.
        let b = claim(Some(&a2), "b", a2.until).unwrap();
        assert!(leads(Some(&b), "b", a2.until));
        assert!(!leads(Some(&b), "a", a2.until));
    }

    #[test]
    fn two_tabs_claiming_at_once_end_with_one_leader() {
        let (a, b) = (claim(None, "a", 0).unwrap(), claim(None, "b", 0).unwrap());
        // Both wrote; the store kept the last write. Reading back, exactly one leads.
        for stored in [a, b] {
            let leaders = ["a", "b"]
                .iter()
                .filter(|t| leads(Some(&stored), t, 1))
                .count();
            assert_eq!(leaders, 1);
        }
    }
}
