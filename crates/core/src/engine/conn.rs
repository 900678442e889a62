//! One provider connection: its dialect, request budget, session and credentials' standing,
//! its VMs, its catalogue, and what its requests cost in bytes.

use std::collections::HashMap;

use crate::catalogue::Catalogue;
use crate::dialect::{Caps, ConnectionConfig, Dialect};
use crate::engine::budget::Bucket;
use crate::engine::inventory::Inventory;
use crate::error::{retry_after, ApiError, ErrorKind};
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::time::{Millis, MINUTE};

/// What a request costs besides its answer's bytes, in bytes: its headers both ways, a round
/// trip, and its share of the provider's rate limit, which is counted in requests. A whole-fleet
/// answer is worth it while it replaces requests that would cost more than it: at 10,000 VMs
/// (Erigones' `/vm/status/`, ~2 MB) a few small looks are far cheaper; at a hundred (~30 KB)
/// one answer still beats two looks.
pub const REQUEST_COST: f64 = 32_000.0;

/// Single requests replace a whole-fleet one only when they cost at most a quarter of it: a
/// small saving is not worth more requests against the provider's limit.
pub const SAVING: f64 = 4.0;

/// What one kind of request usually costs in bytes on this connection, learned from answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    /// A request that covers many (a listing page, an observe-many, a read-many, a power list),
    /// by its URL: the same URL costs the same, whatever it was sent for.
    Many(u64),
    /// A look at one task.
    Observe,
    /// A read of one VM.
    Read,
}

/// Learned response sizes: a running average per class.
#[derive(Default)]
pub(crate) struct Cost {
    bytes: HashMap<Class, f64>,
}

impl Cost {
    pub fn learn(&mut self, class: Class, bytes: usize) {
        let b = bytes as f64;
        let e = self.bytes.entry(class).or_insert(b);
        *e = *e * 0.7 + b * 0.3;
    }

    pub fn of(&self, class: Class) -> Option<f64> {
        self.bytes.get(&class).copied()
    }

    /// The class of a many-request by its URL.
    pub fn many(url: &str) -> Class {
        // FNV-1a: stable and cheap; collisions only blur two averages.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in url.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Class::Many(h)
    }

    /// Whether `n` single requests of `one` cost far less (a [`SAVING`]th) than one request of
    /// `many`, by what was learned: each request costs its answer's bytes plus [`REQUEST_COST`]
    /// (`false` while the many-request's size is unknown: the request count decides then).
    pub fn singles_cheaper(&self, many: Class, one: Class, n: usize) -> bool {
        let Some(m) = self.of(many) else {
            return false;
        };
        // A single look not learned yet: take a generous 2 KB for it.
        let o = self.of(one).unwrap_or(2048.0);
        (o + REQUEST_COST) * (n as f64) < (m + REQUEST_COST) / SAVING
    }
}

pub(crate) struct Conn {
    pub cfg: ConnectionConfig,
    pub api: Box<dyn Dialect>,
    pub caps: &'static Caps,
    pub inv: Inventory,
    pub budget: Bucket,
    /// Rate limit or budget: nothing goes to this provider before then.
    pub blocked_until: Millis,
    /// The provider itself asked to wait (`429`, `Retry-After`, `ratelimit-reset`) until then:
    /// deadlines keep firing meanwhile.
    pub limited_until: Millis,
    /// A login request is out (login-flow credentials).
    pub logging_in: bool,
    /// The session from the login flow ends then; a new login goes out a minute before.
    pub session_until: Option<Millis>,
    /// The credentials were refused: nothing more is sent until the user says so.
    pub auth_failed: bool,
    /// The create form's choices, once asked for.
    pub catalogue: Option<Catalogue>,
    /// Catalogue requests still to send.
    pub catalogue_queue: Vec<(crate::catalogue::Part, crate::http::HttpRequest)>,
    pub cost: Cost,
    /// Its VMs' snapshots and backups.
    pub points: crate::engine::points::PointBook,
    /// Its networks, public IPs, port forwards, volumes.
    pub lists: crate::engine::lists::ResBook,
    /// The provider refused a snapshot as a demo account's (cloudsfor's "not available in demo
    /// mode"): later ones are refused before sending.
    pub demo_refused: bool,
}

impl Conn {
    pub fn new(cfg: ConnectionConfig, now: Millis) -> Self {
        let caps = cfg.dialect.caps();
        Conn {
            api: cfg.api(),
            cfg,
            caps,
            inv: Inventory::new(now),
            budget: Bucket::new(caps.rate_limit),
            blocked_until: 0,
            limited_until: 0,
            logging_in: false,
            session_until: None,
            auth_failed: false,
            catalogue: None,
            catalogue_queue: Vec::new(),
            cost: Cost::default(),
            points: Default::default(),
            lists: Default::default(),
            demo_refused: false,
        }
    }

    /// The list cursor a VM is read under (`Dialect::read_vm_request`); `None` where the
    /// provider reads a VM through the place its list showed it in and the list has not placed
    /// it yet (`Caps::reads_by_list_place`): the listing reads it.
    pub fn read_cursor(&self, vm: &VmId) -> Option<Option<String>> {
        match self.inv.cursor_of.get(vm) {
            None if self.caps.reads_by_list_place => None,
            placed => Some(placed.cloned().flatten()),
        }
    }

    /// Whether requests other than the login may go out now.
    pub fn ready(&self, now: Millis) -> bool {
        !self.auth_failed && self.blocked_until <= now && self.api.login_request().is_none()
    }

    /// A login session runs out within a minute: drop it, so that a new login goes out.
    pub fn expire_session(&mut self, now: Millis) {
        if self
            .session_until
            .is_some_and(|t| now >= t.saturating_sub(MINUTE))
        {
            self.session_until = None;
            self.api.set_session(None);
        }
    }

    /// Rate limits hold every request to this provider; a 401 under a login session asks for a
    /// new session.
    pub fn note_limits(&mut self, resp: &HttpResponse, is_login: bool, now: Millis) {
        if let Some(wait) = retry_after(resp, now) {
            if resp.status == 429 || resp.header("ratelimit-remaining").is_some() {
                let until = now.saturating_add(wait);
                self.blocked_until = self.blocked_until.max(until);
                self.limited_until = self.limited_until.max(until);
            }
        }
        if resp.status == 401 && self.session_until.is_some() && !is_login {
            self.session_until = None;
            self.api.set_session(None);
        }
    }

    /// The login's answer.
    pub fn on_login(
        &mut self,
        parsed: Result<(String, Millis), ApiError>,
        backoff: Millis,
        now: Millis,
    ) -> Result<(), ApiError> {
        self.logging_in = false;
        match parsed {
            Ok((token, until)) => {
                self.api.set_session(Some(token));
                self.session_until = Some(until);
                Ok(())
            }
            Err(error) => {
                if matches!(
                    error.kind,
                    ErrorKind::Unauthorized | ErrorKind::LoginRefused | ErrorKind::Invalid
                ) {
                    self.auth_failed = true;
                } else {
                    self.blocked_until = self
                        .blocked_until
                        .max(now.saturating_add(error.retry_after.unwrap_or(backoff)));
                }
                self.inv.list = Some(crate::engine::ListState::Failed {
                    error: error.clone(),
                    at: now,
                });
                Err(error)
            }
        }
    }

    /// When this connection's own work (login, listing, catalogue) next needs a round.
    pub fn next_due(&self) -> Option<Millis> {
        if self.auth_failed || self.logging_in {
            return None;
        }
        let due = if self.api.login_request().is_some()
            || !self.catalogue_queue.is_empty()
            || !self.points.queue.is_empty()
            || !self.lists.queue.is_empty()
        {
            Some(0)
        } else if let Some(l) = &self.inv.listing {
            l.has_parts_to_send().then_some(0)
        } else {
            let relogin = self.session_until.map(|t| t.saturating_sub(MINUTE));
            match (self.inv.list_due, relogin) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        };
        due.map(|d| d.max(self.blocked_until))
    }
}
