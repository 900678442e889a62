//! Lists of resources beside VMs (networks, public IPs, port forwards, volumes), one per
//! connection, scope and kind: read on demand ([`crate::Command::ReadList`]) and to verify
//! operations on them, through the request budget like every request. Snapshots and backups
//! keep their own book ([`crate::engine::points`]); a `ReadList` of those kinds in a VM's scope
//! reads that book, and a change of either says [`crate::engine::Change::List`].

use crate::engine::book::{Book, Listing, Parts, Shares};
use crate::engine::command::Started;
use crate::engine::conn::Conn;
use crate::engine::core::{Core, Happened};
use crate::engine::flights::FlightKind;
use crate::engine::round::Round;
use crate::engine::tracker::Answer;
use crate::http::{HttpResponse, NetError};
use crate::ids::{ConnId, OpId};
use crate::model::{Operation, Res, ResList, ResSeen, ResourceKind, Scope};
use crate::time::Millis;
use crate::words::Refusal;

/// One list's key on a connection.
pub(crate) type ListKey = (Scope, ResourceKind);

/// One connection's resource lists, and the reads asked for.
pub(crate) type ResBook = Book<ListKey, ResList>;

impl Listing for ResList {
    type Item = Res;
    fn parts(&mut self) -> Parts<'_, Res> {
        Parts {
            items: &mut self.items,
            read_at: &mut self.read_at,
            error: &mut self.error,
            reading: &mut self.reading,
        }
    }
}

impl ResBook {
    pub fn get(&self, scope: &Scope, kind: ResourceKind) -> Option<&ResList> {
        self.lists.get(&(scope.clone(), kind))
    }

    /// Asks for a read (once: one already asked for or on its way is enough).
    pub fn ask(&mut self, scope: &Scope, kind: ResourceKind) -> bool {
        self.ask_key((scope.clone(), kind))
    }
}

/// A list as the leading tab shares it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SharedList {
    pub conn: ConnId,
    pub scope: Scope,
    pub kind: ResourceKind,
    pub list: ResList,
}

impl Shares for SharedList {
    type Key = ListKey;
    type List = ResList;
    fn book(c: &Conn) -> &ResBook {
        &c.lists
    }
    fn book_mut(c: &mut Conn) -> &mut ResBook {
        &mut c.lists
    }
    fn new(conn: ConnId, (scope, kind): ListKey, list: ResList) -> Self {
        SharedList {
            conn,
            scope,
            kind,
            list,
        }
    }
    fn parts(self) -> (ConnId, ListKey, ResList) {
        (self.conn, (self.scope, self.kind), self.list)
    }
    fn happened(conn: ConnId, (scope, kind): ListKey) -> Happened {
        Happened::List { conn, scope, kind }
    }
}

/// A list on a connection.
pub(crate) type SharedKey = (ConnId, ListKey);

/// A resource as known when an operation is checked (owned).
pub(crate) enum KnownRes {
    Unread,
    Absent,
    Found(Res),
}

impl KnownRes {
    pub fn seen(&self) -> ResSeen<'_> {
        match self {
            KnownRes::Unread => ResSeen::Unread,
            KnownRes::Absent => ResSeen::Absent,
            KnownRes::Found(r) => ResSeen::Found(r),
        }
    }
}

/// The resource an operation targets as its list shows it, when that list was read, and its id
/// where it was found by name (`None`: the operation targets no such resource).
pub(crate) fn known_res(
    c: &Conn,
    op: &Operation,
) -> Option<(KnownRes, Option<Millis>, Option<String>)> {
    let t = op.target.res()?;
    let list = c.lists.get(t.scope, t.kind).filter(|l| l.read_at.is_some());
    let since = op
        .accepted_at
        .unwrap_or(op.submitted_at)
        .min(op.submitted_at);
    let Some(list) = list else {
        return Some((KnownRes::Unread, None, None));
    };
    let found = list.find(t.id, t.name, t.before, since);
    let learned = match (found, t.id) {
        (Some(r), None) => Some(r.id.clone()),
        _ => None,
    };
    let known = found.map_or(KnownRes::Absent, |r| KnownRes::Found(r.clone()));
    Some((known, list.read_at, learned))
}

/// The list an operation must read next, where it targets a listed resource.
pub(crate) fn list_read_for(op: &Operation) -> Option<ListKey> {
    let t = op.target.res()?;
    Some((t.scope.clone(), t.kind))
}

impl Core {
    /// The user asked to read a list: a VM's snapshots or backups from their own book, the
    /// rest from this one.
    pub(crate) fn ask_list(
        &mut self,
        conn: &ConnId,
        scope: &Scope,
        kind: ResourceKind,
    ) -> Result<Started, Refusal> {
        if let (Some(point), Some(vm)) = (kind.point(), scope.vm()) {
            return self.ask_points(conn, vm, point);
        }
        let c = self.conn_mut(conn).ok_or(Refusal::UnknownConnection)?;
        if c.lists.ask(scope, kind) {
            let key = (scope.clone(), kind);
            self.happened.push(SharedList::happened(conn.clone(), key));
        }
        Ok(Started::Nothing)
    }

    /// An operation on a listed resource ended otherwise than done, or a change of a VM's
    /// networks ended: the list is read again, to show it as it is now.
    pub(crate) fn reread_list(&mut self, op_id: &OpId) {
        let Some(rec) = self.ops.get(op_id) else {
            return;
        };
        if rec.op.phase == crate::model::Phase::Succeeded {
            return;
        }
        let Some((scope, kind)) = list_read_for(&rec.op) else {
            return;
        };
        let conn = rec.op.connection.clone();
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if c.lists.ask(&scope, kind) {
            self.happened.push(Happened::List { conn, scope, kind });
        }
    }

    /// The reads asked for, within the budget.
    pub(crate) fn round_lists(&mut self, now: Millis, round: &mut Round) {
        self.round_book::<SharedList>(
            now,
            round,
            "not offered here",
            |c, (scope, kind)| c.api.res_request(scope, *kind),
            |(scope, kind)| FlightKind::Res {
                scope,
                kind,
                ops: Vec::new(),
            },
        );
    }

    /// A list read answered (or not): the book takes it, the page hears of it, the operations
    /// waiting for it are checked.
    pub(crate) fn on_res_list(
        &mut self,
        conn: &ConnId,
        key: ListKey,
        ops: &[OpId],
        result: Result<HttpResponse, NetError>,
        a: Answer,
    ) {
        let (scope, kind) = key.clone();
        self.on_book_read::<SharedList>(conn, key, ops, result, a, |c, resp, now| {
            c.api.parse_res(&scope, kind, resp, now)
        });
    }
}
