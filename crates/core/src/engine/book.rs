//! A connection's lists of one sort (resources by scope and kind, snapshots and backups by VM
//! and kind), each read on demand: the reads asked for, what each answered, and how the leading
//! tab shares them and a following one takes them. [`crate::engine::lists`] and
//! [`crate::engine::points`] keep one each.

use std::collections::BTreeMap;

use crate::engine::conn::Conn;
use crate::engine::core::{Core, Happened};
use crate::error::ApiError;
use crate::ids::ConnId;
use crate::time::Millis;

/// A list a book keeps: what the last read that succeeded gave, when, the last error, and
/// whether a read is on its way.
pub(crate) trait Listing: Default + Clone + PartialEq {
    type Item;
    fn parts(&mut self) -> Parts<'_, Self::Item>;
}

/// A list's fields, to update.
pub(crate) struct Parts<'a, T> {
    pub items: &'a mut Vec<T>,
    pub read_at: &'a mut Option<Millis>,
    pub error: &'a mut Option<ApiError>,
    pub reading: &'a mut bool,
}

/// One connection's lists of one sort by key, and the reads asked for.
pub(crate) struct Book<K, L> {
    pub lists: BTreeMap<K, L>,
    /// Reads asked for and not sent yet.
    pub queue: Vec<K>,
}

impl<K, L> Default for Book<K, L> {
    fn default() -> Self {
        Book {
            lists: BTreeMap::new(),
            queue: Vec::new(),
        }
    }
}

impl<K: Ord + Clone, L: Listing> Book<K, L> {
    /// Asks for a read (once: one already asked for or on its way is enough).
    pub fn ask_key(&mut self, key: K) -> bool {
        let l = self.lists.entry(key.clone()).or_default().parts();
        if *l.reading {
            return false;
        }
        *l.reading = true;
        self.queue.push(key);
        true
    }

    /// What a read answered (an older answer than the one kept is dropped).
    pub fn take(&mut self, key: &K, parsed: Result<Vec<L::Item>, ApiError>, sent: Millis) {
        let l = self.lists.entry(key.clone()).or_default().parts();
        *l.reading = false;
        match parsed {
            Ok(items) if l.read_at.is_none_or(|t| t <= sent) => {
                *l.items = items;
                *l.read_at = Some(sent);
                *l.error = None;
            }
            Ok(_) => {}
            Err(e) => *l.error = Some(e),
        }
    }
}

/// A list as the leading tab shares it, on a connection, under its book's key.
pub(crate) trait Shares: Sized {
    type Key: Ord + Clone;
    type List: Listing;
    fn book(c: &Conn) -> &Book<Self::Key, Self::List>;
    fn book_mut(c: &mut Conn) -> &mut Book<Self::Key, Self::List>;
    fn new(conn: ConnId, key: Self::Key, list: Self::List) -> Self;
    fn parts(self) -> (ConnId, Self::Key, Self::List);
    /// What the page hears of a change of the list.
    fn happened(conn: ConnId, key: Self::Key) -> Happened;
}

/// The lists `keys` name, as they stand, to share.
pub(crate) fn shared<S: Shares>(
    core: &Core,
    keys: impl IntoIterator<Item = (ConnId, S::Key)>,
) -> Vec<S> {
    keys.into_iter()
        .filter_map(|(conn, key)| {
            let list = S::book(core.conn(&conn)?).lists.get(&key)?.clone();
            Some(S::new(conn, key, list))
        })
        .collect()
}

/// Every list, for a tab that joined.
pub(crate) fn shared_all<S: Shares>(core: &Core) -> Vec<S> {
    let keys: Vec<(ConnId, S::Key)> = core
        .conns
        .iter()
        .flat_map(|(id, c)| {
            S::book(c)
                .lists
                .keys()
                .map(move |k| (id.clone(), k.clone()))
        })
        .collect();
    shared(core, keys)
}

/// A following tab takes the lists the leading one shares (it reads none itself).
pub(crate) fn mirror<S: Shares>(core: &mut Core, lists: Vec<S>) {
    for s in lists {
        let (conn, key, list) = s.parts();
        let Some(c) = core.conn_mut(&conn) else {
            continue;
        };
        let book = S::book_mut(c);
        if book.lists.get(&key) != Some(&list) {
            book.lists.insert(key.clone(), list);
            core.happened.push(S::happened(conn, key));
        }
    }
}

impl Core {
    /// A list read answered (or not): the book takes what `parse` makes of it, the page hears
    /// of it, the operations waiting for it stop waiting or are told why, and, where it
    /// answered, are checked.
    pub(crate) fn on_book_read<S: Shares>(
        &mut self,
        conn: &ConnId,
        key: S::Key,
        ops: &[crate::ids::OpId],
        result: Result<crate::http::HttpResponse, crate::http::NetError>,
        a: crate::engine::tracker::Answer,
        parse: impl Fn(&Conn, &crate::http::HttpResponse, Millis) -> ParsedList<S>,
    ) {
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        let parsed = match result {
            Ok(resp) => parse(c, &resp, a.now),
            Err(e) => Err(ApiError::network(&e)),
        };
        let read = parsed.as_ref().map(|_| ()).map_err(ApiError::clone);
        S::book_mut(c).take(&key, parsed, a.sent);
        self.happened.push(S::happened(conn.clone(), key));
        for op in ops {
            match &read {
                Ok(()) => {
                    if let Some(r) = self.ops.get_mut(op) {
                        r.sched.flight = None;
                    }
                }
                Err(e) => self.read_failed(op, e.clone(), a.now),
            }
        }
        if read.is_ok() {
            self.watch_after_read(conn, ops, a);
            self.verify_conn(conn, a.now);
        }
    }
}

/// What a read of a list of one sort gave.
pub(crate) type ParsedList<S> = Result<Vec<<<S as Shares>::List as Listing>::Item>, ApiError>;

impl Core {
    /// The reads of lists of one sort asked for, within the budget: `request` makes one's
    /// request (`None`: not offered, the list says so with `not_offered`), `flight` names it.
    pub(crate) fn round_book<S: Shares>(
        &mut self,
        now: Millis,
        round: &mut crate::engine::round::Round,
        not_offered: &str,
        request: impl Fn(&Conn, &S::Key) -> Option<crate::http::HttpRequest>,
        flight: impl Fn(S::Key) -> crate::engine::flights::FlightKind,
    ) {
        for (conn, c) in self.conns.iter_mut() {
            if !c.ready(now) {
                continue;
            }
            for key in std::mem::take(&mut S::book_mut(c).queue) {
                let Some(req) = request(c, &key) else {
                    let why = ApiError::bad_response("the list", not_offered);
                    S::book_mut(c).take(&key, Err(why), now);
                    continue;
                };
                if round.shared_index(conn, &req).is_none() && !round.allowance.take(conn) {
                    S::book_mut(c).queue.push(key);
                    continue;
                }
                round.push(flight(key), conn.clone(), req);
            }
        }
    }
}
