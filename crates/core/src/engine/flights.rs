//! Requests in flight: what each was sent for, when, and by when it must be answered.

use std::collections::BTreeMap;

use crate::catalogue::Part;
use crate::engine::conn::Class;
use crate::ids::{ConnId, OpId, Token, VmId};
use crate::model::{PointKind, PowerTarget};
use crate::time::{Millis, SECOND};

/// A request not answered within this long counts as lost (a late answer is ignored).
pub const REQUEST_TIMEOUT: Millis = 30 * SECOND;

/// A listing part may be large (thousands of VMs in one answer): it gets longer.
pub const LIST_TIMEOUT: Millis = 90 * SECOND;

/// What a request was sent for.
#[derive(Clone, Debug)]
pub(crate) enum FlightKind {
    Login,
    /// A part of a listing; `riders` are verifications riding on the same request.
    List {
        cursor: Option<String>,
        riders: Vec<OpId>,
    },
    Submit {
        op: OpId,
    },
    /// A look for a write whose answer was lost (`cursor`: where an earlier answer said to look).
    Find {
        op: OpId,
        cursor: Option<String>,
    },
    Observe {
        ops: Vec<OpId>,
    },
    ObserveMany {
        ops: Vec<OpId>,
    },
    /// A read of one VM (`vm`) or of many at once (`vm: None`), for `ops`; `page`: the list
    /// page they were listed on, read again for them (its answer is a list page).
    Read {
        vm: Option<VmId>,
        ops: Vec<OpId>,
        page: Option<Option<String>>,
    },
    /// The VMs in one power state, for `ops`.
    PowerList {
        target: PowerTarget,
        ops: Vec<OpId>,
    },
    Cancel {
        op: OpId,
    },
    /// A VM's snapshots or backups, for `ops` (and the page).
    Points {
        vm: VmId,
        kind: PointKind,
        ops: Vec<OpId>,
    },
    Catalogue {
        part: Part,
    },
    /// A page of the provider's history.
    Activity {
        page: u32,
    },
    /// A list of networks, public IPs, rules or volumes, for `ops` (and the page).
    Res {
        scope: crate::model::Scope,
        kind: crate::model::ResourceKind,
        ops: Vec<OpId>,
    },
}

impl FlightKind {
    /// The operations waiting for this answer.
    pub fn ops(&self) -> &[OpId] {
        match self {
            FlightKind::List { riders: ops, .. }
            | FlightKind::Observe { ops }
            | FlightKind::ObserveMany { ops }
            | FlightKind::Read { ops, .. }
            | FlightKind::PowerList { ops, .. }
            | FlightKind::Points { ops, .. }
            | FlightKind::Res { ops, .. } => ops,
            FlightKind::Submit { op } | FlightKind::Cancel { op } | FlightKind::Find { op, .. } => {
                std::slice::from_ref(op)
            }
            FlightKind::Login | FlightKind::Catalogue { .. } | FlightKind::Activity { .. } => &[],
        }
    }

    /// Reads that come out identical may be shared by several operations.
    pub fn is_shareable_read(&self) -> bool {
        matches!(
            self,
            FlightKind::Observe { .. }
                | FlightKind::Read { .. }
                | FlightKind::List { .. }
                | FlightKind::Points { .. }
                | FlightKind::Res { .. }
        )
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Flight {
    pub kind: FlightKind,
    pub conn: ConnId,
    pub sent_at: Millis,
    /// Unanswered by then, it counts as lost.
    pub deadline: Millis,
    /// What its answer's size teaches.
    pub class: Class,
    /// `METHOD url`, to tell the same request apart (never its headers or body).
    pub desc: String,
}

#[derive(Default)]
pub(crate) struct Flights {
    map: BTreeMap<Token, Flight>,
    next: u64,
}

impl Flights {
    pub fn insert(&mut self, flight: Flight) -> Token {
        self.next += 1;
        let token = Token(self.next);
        self.map.insert(token, flight);
        token
    }

    pub fn remove(&mut self, token: Token) -> Option<Flight> {
        self.map.remove(&token)
    }

    pub fn get_mut(&mut self, token: Token) -> Option<&mut Flight> {
        self.map.get_mut(&token)
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Token, &mut Flight)> {
        self.map.iter_mut()
    }

    /// The earliest deadline of a request in flight.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.map.values().map(|f| f.deadline).min()
    }

    /// Tokens past their deadline at `now`, oldest first.
    pub fn overdue(&self, now: Millis) -> Vec<Token> {
        self.map
            .iter()
            .filter(|(_, f)| f.deadline <= now)
            .map(|(t, _)| *t)
            .collect()
    }

    /// Forgets every request to a connection (it was removed).
    pub fn drop_conn(&mut self, conn: &ConnId) {
        self.map.retain(|_, f| &f.conn != conn);
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }
}
