//! Lists of resources beside VMs (networks, public IPs, port forwards, volumes), one per
//! connection, scope and kind: read on demand ([`crate::Command::ReadList`]) and to verify
//! operations on them, through the request budget like every request. Snapshots and backups
//! keep their own book ([`crate::engine::points`]); a `ReadList` of those kinds in a VM's scope
//! reads that book, and a change of either says [`crate::engine::Change::List`].

use std::collections::BTreeMap;

use crate::engine::command::Started;
use crate::engine::conn::Conn;
use crate::engine::core::{Core, Happened};
use crate::engine::flights::FlightKind;
use crate::engine::round::Round;
use crate::engine::tracker::Answer;
use crate::error::ApiError;
use crate::http::{HttpResponse, NetError};
use crate::ids::{ConnId, OpId};
use crate::model::{Operation, Res, ResList, ResSeen, ResourceKind, Scope};
use crate::time::Millis;
use crate::words::Refusal;

/// One list's key on a connection.
pub(crate) type ListKey = (Scope, ResourceKind);

/// One connection's resource lists, and the reads asked for.
#[derive(Default)]
pub(crate) struct ResBook {
    pub lists: BTreeMap<ListKey, ResList>,
    /// Reads asked for and not sent yet.
    pub queue: Vec<ListKey>,
}

impl ResBook {
    pub fn get(&self, scope: &Scope, kind: ResourceKind) -> Option<&ResList> {
        self.lists.get(&(scope.clone(), kind))
    }

    /// Asks for a read (once: one already asked for or on its way is enough).
    pub fn ask(&mut self, scope: &Scope, kind: ResourceKind) -> bool {
        let key = (scope.clone(), kind);
        let l = self.lists.entry(key.clone()).or_default();
        if l.reading {
            return false;
        }
        l.reading = true;
        self.queue.push(key);
        true
    }

    /// What a read answered (an older answer than the one kept is dropped).
    fn take(&mut self, key: &ListKey, parsed: Result<Vec<Res>, ApiError>, sent: Millis) {
        let l = self.lists.entry(key.clone()).or_default();
        l.reading = false;
        match parsed {
            Ok(items) if l.read_at.is_none_or(|t| t <= sent) => {
                l.items = items;
                l.read_at = Some(sent);
                l.error = None;
            }
            Ok(_) => {}
            Err(e) => l.error = Some(e),
        }
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

/// A list on a connection.
pub(crate) type SharedKey = (ConnId, Scope, ResourceKind);

/// The lists `keys` name, as they stand, to share.
pub(crate) fn shared(core: &Core, keys: impl IntoIterator<Item = SharedKey>) -> Vec<SharedList> {
    keys.into_iter()
        .filter_map(|(conn, scope, kind)| {
            let list = core.conn(&conn)?.lists.get(&scope, kind)?.clone();
            Some(SharedList {
                conn,
                scope,
                kind,
                list,
            })
        })
        .collect()
}

/// Every list, for a tab that joined.
pub(crate) fn shared_all(core: &Core) -> Vec<SharedList> {
    let keys: Vec<SharedKey> = core
        .conns
        .iter()
        .flat_map(|(id, c)| {
            c.lists
                .lists
                .keys()
                .map(move |(scope, kind)| (id.clone(), scope.clone(), *kind))
        })
        .collect();
    shared(core, keys)
}

/// A following tab takes the lists the leading one shares (it reads none itself).
pub(crate) fn mirror(core: &mut Core, lists: Vec<SharedList>) {
    for s in lists {
        let Some(c) = core.conn_mut(&s.conn) else {
            continue;
        };
        let key = (s.scope.clone(), s.kind);
        if c.lists.lists.get(&key) != Some(&s.list) {
            c.lists.lists.insert(key, s.list);
            core.happened.push(Happened::List {
                conn: s.conn,
                scope: s.scope,
                kind: s.kind,
            });
        }
    }
}

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
            self.happened.push(Happened::List {
                conn: conn.clone(),
                scope: scope.clone(),
                kind,
            });
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
        for (conn, c) in self.conns.iter_mut() {
            if !c.ready(now) {
                continue;
            }
            for (scope, kind) in std::mem::take(&mut c.lists.queue) {
                let Some(request) = c.api.res_request(&scope, kind) else {
                    let why = ApiError::bad_response("the list", "not offered here");
                    c.lists.take(&(scope, kind), Err(why), now);
                    continue;
                };
                if round.shared_index(conn, &request).is_none() && !round.allowance.take(conn) {
                    c.lists.queue.push((scope, kind));
                    continue;
                }
                let kind = FlightKind::Res {
                    scope,
                    kind,
                    ops: Vec::new(),
                };
                round.push(kind, conn.clone(), request);
            }
        }
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
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        let parsed = match result {
            Ok(resp) => c.api.parse_res(&key.0, key.1, &resp, a.now),
            Err(e) => Err(ApiError::network(&e)),
        };
        c.lists.take(&key, parsed.clone(), a.sent);
        self.happened.push(Happened::List {
            conn: conn.clone(),
            scope: key.0,
            kind: key.1,
        });
        for op in ops {
            match &parsed {
                Ok(_) => {
                    if let Some(r) = self.ops.get_mut(op) {
                        r.sched.flight = None;
                    }
                }
                Err(e) => self.read_failed(op, e.clone(), a.now),
            }
        }
        if parsed.is_ok() {
            self.watch_after_read(conn, ops, a);
            self.verify_conn(conn, a.now);
        }
    }
}
