//! The provider's own history of a connection ("From the provider"): read on request, page by
//! page, newest first, kept up to [`ACTIVITY_MAX`] entries.

use crate::dialect::{ActivityEntry, ActivityPage, Avail, ACTIVITY_MAX};
use crate::engine::core::Happened;
use crate::engine::flights::FlightKind;
use crate::engine::round::Round;
use crate::engine::Core;
use crate::error::ApiError;
use crate::http::{HttpResponse, NetError};
use crate::ids::ConnId;
use crate::time::Millis;
use crate::words::Refusal;

/// Where a connection's history stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FeedState {
    /// Never asked for.
    #[default]
    Unread,
    Loading,
    Read,
    /// The last read failed (what was read before stays).
    Failed(ApiError),
}

/// A connection's history as read so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityFeed {
    pub state: FeedState,
    /// Newest first, at most [`ACTIVITY_MAX`].
    pub entries: Vec<ActivityEntry>,
    /// The provider has older entries than these ("Show more" reads the next page).
    pub more: bool,
    /// Pages read; the next "more" reads the one after.
    pub pages: u32,
    /// When it was last read.
    pub read_at: Option<Millis>,
    /// A page asked for and not sent yet.
    pub(crate) queued: Option<u32>,
}

impl Core {
    /// Asks for the connection's history: its first page again, or (`more`) the next one.
    pub(crate) fn read_activity(&mut self, conn: &ConnId, more: bool) -> Result<(), Refusal> {
        let c = self.conns.get(conn).ok_or(Refusal::UnknownConnection)?;
        if let Avail::Absent(why) = c.caps.activity {
            return Err(Refusal::NoProviderActivity {
                provider: c.caps.kind,
                why,
            });
        }
        let feed = self.feeds.entry(conn.clone()).or_default();
        if feed.state == FeedState::Loading {
            return Ok(());
        }
        let full = feed.entries.len() >= ACTIVITY_MAX;
        let page = if more && feed.more && !full {
            feed.pages + 1
        } else {
            1
        };
        feed.queued = Some(page);
        feed.state = FeedState::Loading;
        self.happened.push(Happened::Activity(conn.clone()));
        Ok(())
    }

    /// History pages asked for, within the budget.
    pub(crate) fn round_activity(&mut self, now: Millis, round: &mut Round) {
        for (conn, feed) in self.feeds.iter_mut() {
            let Some(page) = feed.queued else { continue };
            let Some(c) = self.conns.get(conn).filter(|c| c.ready(now)) else {
                continue;
            };
            let Some(request) = c.api.activity_request(page) else {
                feed.queued = None;
                continue;
            };
            if round.allowance.take(conn) {
                feed.queued = None;
                round.push(FlightKind::Activity { page }, conn.clone(), request);
            }
        }
    }

    /// A page of the history answered (or not).
    pub(crate) fn on_activity(
        &mut self,
        conn: &ConnId,
        page: u32,
        result: Result<HttpResponse, NetError>,
        now: Millis,
    ) {
        let Some(c) = self.conns.get(conn) else {
            return;
        };
        let parsed = match result {
            Ok(resp) => c.api.parse_activity(page, &resp, now),
            Err(e) => Err(ApiError::network(&e)),
        };
        let feed = self.feeds.entry(conn.clone()).or_default();
        match parsed {
            Ok(p) => take_page(feed, page, p, now),
            Err(e) => feed.state = FeedState::Failed(e),
        }
        self.happened.push(Happened::Activity(conn.clone()));
    }
}

fn take_page(feed: &mut ActivityFeed, page: u32, p: ActivityPage, now: Millis) {
    if page <= 1 {
        feed.entries.clear();
    }
    for e in p.entries {
        // A page that moved on meanwhile repeats entries of the one before.
        let known = e.task.is_some()
            && feed
                .entries
                .iter()
                .any(|x| x.task == e.task && x.kind == e.kind && x.at_raw == e.at_raw);
        if !known && feed.entries.len() < ACTIVITY_MAX {
            feed.entries.push(e);
        }
    }
    feed.more = p.more && feed.entries.len() < ACTIVITY_MAX;
    feed.pages = page.max(1);
    feed.read_at = Some(now);
    feed.state = FeedState::Read;
}

impl<'a> crate::engine::View<'a> {
    /// A connection's provider history, once asked for ([`crate::Command::ReadActivity`]).
    pub fn activity_feed(&self, conn: &ConnId) -> Option<&'a ActivityFeed> {
        self.core.feeds.get(conn)
    }

    /// Whether the connection's provider has a history to read, or why not.
    pub fn activity_offered(&self, conn: &ConnId) -> Result<(), Refusal> {
        let c = self.core.conn(conn).ok_or(Refusal::UnknownConnection)?;
        match c.caps.activity {
            Avail::Absent(why) => Err(Refusal::NoProviderActivity {
                provider: c.caps.kind,
                why,
            }),
            _ => Ok(()),
        }
    }

    /// The open operations started elsewhere, oldest first.
    pub fn started_elsewhere(&self) -> impl Iterator<Item = &'a crate::model::Operation> {
        self.core
            .ops
            .iter()
            .map(|r| &r.op)
            .filter(|op| op.origin.is_elsewhere() && op.is_open())
    }
}
