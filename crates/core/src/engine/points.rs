//! Snapshots and backups of VMs: each VM's list of each kind, read on demand
//! ([`crate::Command::ReadPoints`]) and to verify operations on them, through the request budget
//! like every request; what is known of an operation's target when it is checked.

use crate::engine::book::{Book, Listing, Parts, Shares};
use crate::engine::command::Started;
use crate::engine::conn::Conn;
use crate::engine::core::{seen_and_fresh, Core, Happened};
use crate::engine::flights::FlightKind;
use crate::engine::round::Round;
use crate::engine::tracker::Answer;
use crate::error::ApiError;
use crate::http::{HttpResponse, NetError};
use crate::ids::{ConnId, OpId, VmId};
use crate::model::{Operation, Point, PointKind, PointList, PointSeen, Seen, Vm};
use crate::time::Millis;
use crate::words::Refusal;

/// A VM's list of one kind.
pub(crate) type PointKey = (VmId, PointKind);

/// One connection's snapshot and backup lists, by VM and kind, and the reads asked for.
pub(crate) type PointBook = Book<PointKey, PointList>;

impl Listing for PointList {
    type Item = Point;
    fn parts(&mut self) -> Parts<'_, Point> {
        Parts {
            items: &mut self.points,
            read_at: &mut self.read_at,
            error: &mut self.error,
            reading: &mut self.reading,
        }
    }
}

impl PointBook {
    pub fn get(&self, vm: &VmId, kind: PointKind) -> Option<&PointList> {
        self.lists.get(&(vm.clone(), kind))
    }

    /// When the list was last read (the request's send time), if ever.
    pub fn read_at(&self, vm: &VmId, kind: PointKind) -> Option<Millis> {
        self.get(vm, kind).and_then(|l| l.read_at)
    }

    /// Asks for a read (once: one already asked for or on its way is enough).
    pub fn ask(&mut self, vm: &VmId, kind: PointKind) -> bool {
        self.ask_key((vm.clone(), kind))
    }
}

/// A VM's list of one kind, on a connection.
pub(crate) type PointsKey = (ConnId, PointKey);

/// A VM's list of snapshots or backups, as the leading tab shares it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SharedPoints {
    pub conn: ConnId,
    pub vm: VmId,
    pub kind: PointKind,
    pub list: PointList,
}

impl Shares for SharedPoints {
    type Key = PointKey;
    type List = PointList;
    fn book(c: &Conn) -> &PointBook {
        &c.points
    }
    fn book_mut(c: &mut Conn) -> &mut PointBook {
        &mut c.points
    }
    fn new(conn: ConnId, (vm, kind): PointKey, list: PointList) -> Self {
        SharedPoints {
            conn,
            vm,
            kind,
            list,
        }
    }
    fn parts(self) -> (ConnId, PointKey, PointList) {
        (self.conn, (self.vm, self.kind), self.list)
    }
    fn happened(conn: ConnId, (vm, kind): PointKey) -> Happened {
        Happened::Points { conn, vm, kind }
    }
}

/// A new id learned for an operation's target, found by name.
pub(crate) enum Learn {
    Vm(VmId),
    Point(String),
}

/// Takes what was learned of the target's id.
pub(crate) fn learn(op: &mut Operation, learned: Option<Learn>) {
    match learned {
        Some(Learn::Vm(id)) => op.target.learn_id(id),
        Some(Learn::Point(id)) => op.target.learn_point(id),
        None => {}
    }
}

/// A snapshot or backup as known when an operation is checked (owned: see [`Known`]).
pub(crate) enum KnownPoint {
    Unread,
    Absent,
    Found(Point),
}

/// What is known of an operation's target, when that was asked for, and an id learned.
pub(crate) struct Known {
    pub vm: Option<Vm>,
    pub point: Option<KnownPoint>,
    /// The network, public IP, rule or volume it targets.
    pub res: Option<crate::engine::lists::KnownRes>,
    pub fresh: Option<Millis>,
    pub learn: Option<Learn>,
}

impl Known {
    pub fn seen(&self) -> Seen<'_> {
        Seen {
            vm: self.vm.as_ref(),
            point: self.point.as_ref().map(|p| match p {
                KnownPoint::Unread => PointSeen::Unread,
                KnownPoint::Absent => PointSeen::Absent,
                KnownPoint::Found(p) => PointSeen::Found(p),
            }),
            res: self.res.as_ref().map(|r| r.seen()),
        }
    }
}

/// Whether an operation is checked against a list of snapshots or backups.
pub(crate) fn uses_points(op: &Operation) -> bool {
    op.target.point().is_some() || op.expect.needs_points()
}

/// The list an operation reads, and the point in it: its target's, or the one its action names.
fn point_of(op: &Operation) -> Option<(VmId, PointKind, Option<String>, String)> {
    if let Some((vm, kind, id, name)) = op.target.point() {
        return Some((vm.clone(), kind, id.map(str::to_string), name.to_string()));
    }
    let (kind, id) = op.action.point()?;
    Some((
        op.vm_id()?.clone(),
        kind,
        Some(id.to_string()),
        String::new(),
    ))
}

/// What is known of an operation's target now.
pub(crate) fn known(c: &Conn, op: &Operation) -> Known {
    if let Some((res, fresh, learned)) = crate::engine::lists::known_res(c, op) {
        // Its VM where it belongs to one (never a VM found by the resource's name).
        return Known {
            vm: op.target.vm_id().and_then(|v| c.inv.get(v)).cloned(),
            point: None,
            res: Some(res),
            fresh,
            learn: learned.map(Learn::Point),
        };
    }
    let (vm, vm_fresh, learned) = seen_and_fresh(c, op);
    let vm = vm.cloned();
    let learn = learned.map(Learn::Vm);
    let Some((vm_id, kind, id, name)) = point_of(op).filter(|_| uses_points(op)) else {
        return Known {
            vm,
            point: None,
            res: None,
            fresh: vm_fresh,
            learn,
        };
    };
    let list = c.points.get(&vm_id, kind).filter(|l| l.read_at.is_some());
    let since = op
        .accepted_at
        .unwrap_or(op.submitted_at)
        .min(op.submitted_at);
    let found = list.and_then(|l| l.find(id.as_deref(), &name, since));
    let point = match (list, found) {
        (None, _) => KnownPoint::Unread,
        (Some(_), None) => KnownPoint::Absent,
        (Some(_), Some(p)) => KnownPoint::Found(p.clone()),
    };
    let list_fresh = list.and_then(|l| l.read_at);
    let learn = match (&point, id) {
        (KnownPoint::Found(p), None) => Some(Learn::Point(p.id.clone())),
        _ => learn,
    };
    let fresh = match op.expect.needs_vm() {
        // The VM and the list, the older of the two.
        true => vm_fresh.zip(list_fresh).map(|(a, b)| a.min(b)),
        // A delete: the list alone.
        false => list_fresh,
    };
    Known {
        vm,
        point: Some(point),
        res: None,
        fresh,
        learn,
    }
}

/// The list an operation must read next, where it needs one: a deleted snapshot's or backup's
/// always; otherwise when the list is older than the VM's data (the VM is read otherwise).
pub(crate) fn points_read_for(c: &Conn, op: &Operation) -> Option<(VmId, PointKind)> {
    let (vm_id, kind, ..) = point_of(op).filter(|_| uses_points(op))?;
    let list_at = c.points.read_at(&vm_id, kind);
    if op.expect.needs_vm() {
        let vm_at = c.inv.fresh(&vm_id, false);
        if list_at.is_some_and(|l| vm_at.is_none_or(|v| l > v)) {
            return None;
        }
    }
    Some((vm_id, kind))
}

impl Core {
    /// The user asked to read a VM's snapshots or backups.
    pub(crate) fn ask_points(
        &mut self,
        conn: &ConnId,
        vm: &VmId,
        kind: PointKind,
    ) -> Result<Started, Refusal> {
        let c = self.conn_mut(conn).ok_or(Refusal::UnknownConnection)?;
        if c.points.ask(vm, kind) {
            let key = (vm.clone(), kind);
            self.happened
                .push(SharedPoints::happened(conn.clone(), key));
        }
        Ok(Started::Nothing)
    }

    /// A snapshot refused because the account is the provider's demo one (where the provider's
    /// demo accounts refuse them, [`crate::dialect::SnapshotCaps::demo_accounts_refuse`]): the
    /// connection remembers it.
    pub(crate) fn learn_refusal(&mut self, op_id: &OpId, e: &ApiError) {
        let Some(rec) = self.ops.get(op_id) else {
            return;
        };
        if rec.op.action.kind() != crate::model::ActionKind::Snapshot {
            return;
        }
        let Some(c) = self.conns.get_mut(&rec.op.connection) else {
            return;
        };
        let demo = e.kind == crate::error::ErrorKind::Conflict
            && e.provider_text
                .as_deref()
                .is_some_and(|t| t.to_ascii_lowercase().contains("demo"));
        if demo && c.caps.snapshots.demo_accounts_refuse {
            c.demo_refused = true;
        }
    }

    /// An operation on a snapshot or backup ended otherwise than done: its list is read again,
    /// to show it as it is now.
    pub(crate) fn reread_points(&mut self, op_id: &OpId) {
        let Some(rec) = self.ops.get(op_id) else {
            return;
        };
        if rec.op.phase == crate::model::Phase::Succeeded {
            return;
        }
        let Some((vm, kind, ..)) = point_of(&rec.op) else {
            return;
        };
        let conn = rec.op.connection.clone();
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if c.points.ask(&vm, kind) {
            self.happened.push(Happened::Points { conn, vm, kind });
        }
    }

    /// The reads asked for, within the budget.
    pub(crate) fn round_points(&mut self, now: Millis, round: &mut Round) {
        self.round_book::<SharedPoints>(
            now,
            round,
            "not offered for this VM",
            |c, (vm_id, kind)| {
                let vm = c.inv.get(vm_id)?;
                c.api.points_request(vm, *kind)
            },
            |(vm, kind)| FlightKind::Points {
                vm,
                kind,
                ops: Vec::new(),
            },
        );
    }

    /// A list read answered (or not): the book takes it, the page hears of it, the operations
    /// waiting for it are checked.
    pub(crate) fn on_points(
        &mut self,
        conn: &ConnId,
        vm: &VmId,
        kind: PointKind,
        ops: &[OpId],
        result: Result<HttpResponse, NetError>,
        a: Answer,
    ) {
        let key = (vm.clone(), kind);
        self.on_book_read::<SharedPoints>(conn, key, ops, result, a, |c, resp, now| {
            c.api.parse_points(kind, resp, now)
        });
    }
}
