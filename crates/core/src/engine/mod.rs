//! The engine: connections, their VMs, every operation and workflow, and the decisions of what
//! to send when. Sans-IO in the quinn-proto manner — five verbs:
//!
//! ```text
//! shell                                       engine
//!   handle_command(cmd, now)         ───────▶  intents: operations, workflows, connections…
//!   handle_response(token, resp, now) ──────▶  trackers move, inventory updates
//!   handle_timeout(now)              ───────▶  deadlines, lost requests, countdowns
//!   poll_transmit(now)               ◀───────  the next request to carry
//!   poll_event()                     ◀───────  changes, notices, what to save and share
//!   poll_timeout()                   ◀───────  when to call handle_timeout next
//! ```
//!
//! Layers, bottom up (each uses only those below it): [`budget`], [`inventory`], [`flights`]
//! → [`conn`] → [`tracker`] (one operation's record and its moves; [`unsure`]: a write of
//! unknown fate looked for) → [`core`] with the
//! [`round`], [`batch`] and [`answer`] passes → [`workflows`] and [`rules`] → [`sync`],
//! [`notices`], [`intents`] → this module and the read-only [`view`].

mod answer;
mod batch;
mod book;
mod budget;
mod command;
mod conn;
mod core;
mod elsewhere;
mod event;
mod feed;
mod finds;
mod flights;
mod intents;
mod inventory;
mod lists;
mod netview;
mod notices;
mod ops;
mod points;
mod reads;
mod resrules;
mod round;
mod rules;
mod sync;
mod tracker;
mod unsure;
mod view;
mod vmview;
mod volrules;
mod volview;
mod workflows;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub use self::command::{Command, Pace, Started};
pub use self::core::Schedule;
pub use self::event::{About, Change, Event, Notice, Tone};
pub use self::feed::{ActivityFeed, FeedState};
pub use self::flights::{LIST_TIMEOUT, REQUEST_TIMEOUT};
pub use self::inventory::{ListState, LIST_CONCURRENCY, MAX_LIST_PARTS};
pub use self::lists::SharedList;
pub use self::netview::{ForwardTo, NetMember, NetPlace, VmNet};
pub use self::points::SharedPoints;
pub use self::round::Transmit;
pub use self::sync::{Saved, Share, VmsDelta, KEEP_BULKS, KEEP_OPERATIONS, KEEP_WORKFLOWS};
pub use self::tracker::deadline_for;
pub use self::view::{
    ActivityFilter, ActivityItem, Busy, Choice, RowKey, SortKey, StateFilter, View, VmCommand,
    VmFilter,
};
pub use self::vmview::ConsoleState;

use self::core::{Core, Happened};
use self::sync::Keeper;
use self::workflows::Workflows;
use crate::http::{HttpResponse, NetError};
use crate::ids::{BulkId, ConnId, OpId, Token, VmId, WfId};
use crate::policy::PollPolicy;
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

/// The shortest gap between two rounds of requests while the tab is hidden.
pub const BACKGROUND_GAP: Millis = 30 * SECOND;

pub struct Engine {
    core: Core,
    wfs: Workflows,
    pace: Pace,
    /// In the background, nothing goes out before then.
    quiet_until: Millis,
    /// Requests of the current round not yet handed out.
    queue: VecDeque<Transmit>,
    events: VecDeque<Event>,
    keeper: Keeper,
    /// The policy's learned state as last handed out.
    learned: Option<String>,
    /// VMs changed since the last share, by connection.
    unshared: BTreeMap<ConnId, BTreeSet<VmId>>,
    /// Connections whose catalogue changed since the last share.
    unshared_catalogues: BTreeSet<ConnId>,
    /// VMs' snapshot and backup lists changed since the last share.
    unshared_points: BTreeSet<points::PointsKey>,
    /// Resource lists changed since the last share.
    unshared_lists: BTreeSet<lists::SharedKey>,
}

impl Engine {
    /// `id_prefix` keeps ids unique across tabs and reloads (the shell passes something random
    /// or time-based).
    pub fn new(id_prefix: impl Into<String>) -> Self {
        Engine {
            core: Core::new(id_prefix.into()),
            wfs: Workflows::default(),
            pace: Pace::Foreground,
            quiet_until: 0,
            queue: VecDeque::new(),
            events: VecDeque::new(),
            keeper: Keeper::default(),
            learned: None,
            unshared: BTreeMap::new(),
            unshared_catalogues: BTreeSet::new(),
            unshared_points: BTreeSet::new(),
            unshared_lists: BTreeSet::new(),
        }
    }

    /// Replaces the polling policy (benchmarks compare policies on the same engine).
    pub fn set_policy(&mut self, policy: Box<dyn PollPolicy>) {
        self.core.policy = policy;
    }

    /// The fixed parts of the schedule (tests and benchmarks tune them).
    pub fn schedule_mut(&mut self) -> &mut Schedule {
        &mut self.core.schedule
    }

    /// Everything there is to read, read-only.
    pub fn view(&self) -> View<'_> {
        View::new(&self.core, &self.wfs, self.pace)
    }

    // ----- the five verbs -------------------------------------------------------------------

    /// Every intent: the user's, and what storage or other tabs bring. `Err` says why it cannot
    /// be carried out, and nothing changed.
    pub fn handle_command(&mut self, cmd: Command, now: Millis) -> Result<Started, Refusal> {
        let result = intents::handle(self, cmd, now);
        self.settle(now);
        result
    }

    /// The answer (or the network failure) for a [`Transmit`]'s token.
    pub fn handle_response(
        &mut self,
        token: Token,
        result: Result<HttpResponse, NetError>,
        now: Millis,
    ) {
        self.core.answer(token, result, now);
        self.settle(now);
    }

    /// Time passed: deadlines, requests that got no answer in time, countdowns, sessions.
    pub fn handle_timeout(&mut self, now: Millis) {
        if matches!(self.pace, Pace::Offline | Pace::Follower) {
            return;
        }
        self.core.lose_overdue(now);
        for id in self.core.ops.open_ids() {
            let held = self.core.ops.get(&id).is_some_and(|r| {
                self.core
                    .conn(&r.op.connection)
                    .is_some_and(|c| c.limited_until > now)
            });
            let Some(rec) = self.core.ops.get_mut(&id) else {
                continue;
            };
            if let Some(fx) = rec.expire(now, held) {
                self.core.apply(&id, fx, now, now);
            }
        }
        self.settle(now);
    }

    /// The next request to carry now, if any: a round of everything due is put together when
    /// the last one is handed out.
    pub fn poll_transmit(&mut self, now: Millis) -> Option<Transmit> {
        if self.queue.is_empty() {
            if matches!(self.pace, Pace::Offline | Pace::Follower) || now < self.quiet_until {
                return None;
            }
            self.queue.extend(self.core.round(now));
            if self.pace == Pace::Background && !self.queue.is_empty() {
                self.quiet_until = now + BACKGROUND_GAP;
            }
            self.settle(now);
        }
        self.queue.pop_front()
    }

    /// When [`Engine::handle_timeout`] and [`Engine::poll_transmit`] next have something to do
    /// (`None`: nothing scheduled; an answer or a command wakes the engine).
    pub fn poll_timeout(&self) -> Option<Millis> {
        if matches!(self.pace, Pace::Offline | Pace::Follower) {
            return None;
        }
        if !self.queue.is_empty() {
            return Some(0);
        }
        let wake = [
            self.core.next_wake(),
            self.wfs.next_wake(),
            self.core.flights.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()?;
        Some(wake.max(self.quiet_until))
    }

    /// What changed, notices, and what to save and share, in order.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ----- after every verb -----------------------------------------------------------------

    /// Workflows move by what their operations show; what happened becomes notices; what
    /// changed becomes change events, and (for the leading tab) a save and a share.
    fn settle(&mut self, now: Millis) {
        let leads = self.pace != Pace::Follower;
        let (mut trimmed_ops, mut trimmed_wfs, mut trimmed_bulks) = Default::default();
        if leads {
            self.wfs.advance(&mut self.core, now);
            (trimmed_ops, trimmed_wfs, trimmed_bulks) = self.trim();
        }
        let mut changes: BTreeSet<Change> = BTreeSet::new();
        self.take_happened(leads, &mut changes);
        for h in std::mem::take(&mut self.wfs.happened) {
            if let Some(n) = notices::of_workflows(&self.core, &self.wfs, &h) {
                self.events.push_back(Event::Notice(n));
            }
        }
        self.core.ops.settle();
        let mut ops = self.core.ops.take_changed();
        let mut wfs = std::mem::take(&mut self.wfs.changed);
        let mut bulks = std::mem::take(&mut self.wfs.changed_bulks);
        ops.append(&mut trimmed_ops);
        wfs.append(&mut trimmed_wfs);
        bulks.append(&mut trimmed_bulks);
        for id in &ops {
            changes.insert(Change::Op(id.clone()));
            if let Some(r) = self.core.ops.get(id) {
                match r.op.vm_id() {
                    Some(vm) => changes.insert(Change::Vm(r.op.connection.clone(), vm.clone())),
                    // A new VM not listed yet shows as a row of its own.
                    None => changes.insert(Change::Vms(r.op.connection.clone())),
                };
            }
        }
        for id in &wfs {
            changes.insert(Change::Workflow(id.clone()));
            if let Some(r) = self.wfs.get(id) {
                changes.insert(Change::Vm(r.wf.connection.clone(), r.wf.vm_id.clone()));
            }
        }
        changes.extend(bulks.iter().cloned().map(Change::Bulk));
        for (id, c) in self.core.conns.iter_mut() {
            let (vms, membership) = c.inv.take_changes();
            if !vms.is_empty() {
                self.unshared
                    .entry(id.clone())
                    .or_default()
                    .extend(vms.iter().cloned());
            }
            if membership {
                changes.insert(Change::Vms(id.clone()));
            }
            changes.extend(vms.into_iter().map(|vm| Change::Vm(id.clone(), vm)));
        }
        self.events.extend(changes.into_iter().map(Event::Changed));
        if leads {
            self.save_and_share(&ops, &wfs, &bulks);
        }
    }

    /// What the core saw happen since the last verb: the changes it makes, the notices it
    /// says, and (for the leading tab) what is still to share.
    fn take_happened(&mut self, leads: bool, changes: &mut BTreeSet<Change>) {
        for h in std::mem::take(&mut self.core.happened) {
            if let Happened::CancelAnswered { op, refused } = &h {
                self.wfs.note_cancel(&self.core, op, refused.clone());
            }
            if let Happened::Secret { op, secret } = &h {
                self.events.push_back(Event::Secret {
                    op: op.clone(),
                    secret: secret.clone(),
                });
            }
            match &h {
                Happened::Connection(c) => {
                    changes.insert(Change::Connection(c.clone()));
                    changes.insert(Change::Vms(c.clone()));
                }
                Happened::List { conn, scope, kind } => {
                    changes.insert(Change::List(conn.clone(), scope.clone(), *kind));
                    if leads {
                        self.unshared_lists
                            .insert((conn.clone(), (scope.clone(), *kind)));
                    }
                }
                Happened::Points { conn, vm, kind } => {
                    changes.insert(Change::Points(conn.clone(), vm.clone(), *kind));
                    let scope = crate::model::Scope::Vm(vm.clone());
                    changes.insert(Change::List(conn.clone(), scope, (*kind).into()));
                    if leads {
                        self.unshared_points
                            .insert((conn.clone(), (vm.clone(), *kind)));
                    }
                }
                Happened::Activity(c) => {
                    changes.insert(Change::Activity(c.clone()));
                }
                Happened::Catalogue(c) => {
                    changes.insert(Change::Catalogue(c.clone()));
                    if leads {
                        self.unshared_catalogues.insert(c.clone());
                    }
                }
                _ => {}
            }
            if let Some(n) = notices::of_core(&self.core, &self.wfs, &h) {
                self.events.push_back(Event::Notice(n));
            }
        }
    }

    fn save_and_share(
        &mut self,
        ops: &BTreeSet<OpId>,
        wfs: &BTreeSet<WfId>,
        bulks: &BTreeSet<BulkId>,
    ) {
        let saved = self.keeper.delta(&self.core, &self.wfs, ops, wfs, bulks);
        let vms = std::mem::take(&mut self.unshared)
            .into_iter()
            .filter_map(|(id, changed)| self.vms_delta(&id, Some(&changed)))
            .collect::<Vec<_>>();
        let catalogues = std::mem::take(&mut self.unshared_catalogues)
            .into_iter()
            .filter_map(|id| Some((id.clone(), self.core.conn(&id)?.catalogue.clone()?)))
            .collect::<Vec<_>>();
        if !saved.is_empty() {
            self.events.push_back(Event::Save(saved.clone()));
        }
        let unshared = std::mem::take(&mut self.unshared_points);
        let points = book::shared(&self.core, unshared);
        let lists = book::shared(&self.core, std::mem::take(&mut self.unshared_lists));
        let any = !points.is_empty() || !lists.is_empty();
        if !saved.is_empty() || !vms.is_empty() || !catalogues.is_empty() || any {
            self.events.push_back(Event::Share(Share {
                saved,
                vms,
                catalogues,
                points,
                lists,
                full: false,
            }));
        }
        if let Some(learned) = self.core.policy.export_state() {
            if self.learned.as_ref() != Some(&learned) {
                self.learned = Some(learned.clone());
                self.events.push_back(Event::Learned(learned));
            }
        }
    }

    /// One connection's VMs for other tabs: those in `changed` (all of them when `None`).
    fn vms_delta(&self, conn: &ConnId, changed: Option<&BTreeSet<VmId>>) -> Option<VmsDelta> {
        let c = self.core.conn(conn)?;
        let Some(changed) = changed else {
            return Some(VmsDelta {
                conn: conn.clone(),
                upsert: c.inv.all().to_vec(),
                removed: Vec::new(),
                replace: true,
                list: c.inv.list.clone(),
            });
        };
        let (upsert, removed): (Vec<&VmId>, Vec<&VmId>) =
            changed.iter().partition(|id| c.inv.get(id).is_some());
        Some(VmsDelta {
            conn: conn.clone(),
            upsert: upsert
                .into_iter()
                .filter_map(|id| c.inv.get(id).cloned())
                .collect(),
            removed: removed.into_iter().cloned().collect(),
            replace: false,
            list: c.inv.list.clone(),
        })
    }

    /// Everything, for a tab that joined.
    fn share_all(&mut self) {
        let vms = self
            .core
            .conns
            .keys()
            .filter_map(|id| self.vms_delta(id, None))
            .collect();
        let catalogues = self
            .core
            .conns
            .iter()
            .filter_map(|(id, c)| Some((id.clone(), c.catalogue.clone()?)))
            .collect();
        let points = book::shared_all(&self.core);
        let lists = book::shared_all(&self.core);
        self.events.push_back(Event::Share(Share {
            saved: self.keeper.all(),
            vms,
            catalogues,
            points,
            lists,
            full: true,
        }));
    }

    /// Forgets the oldest finished activity beyond what is kept; their ids, to drop from
    /// storage.
    fn trim(&mut self) -> (BTreeSet<OpId>, BTreeSet<WfId>, BTreeSet<BulkId>) {
        let (ops, wfs, bulks) = sync::overflow(&self.core, &self.wfs);
        self.core.ops.remove(&ops);
        self.wfs.list.retain(|r| !wfs.contains(&r.wf.id));
        self.wfs.bulks.retain(|b| !bulks.contains(&b.id));
        (
            ops.into_iter().collect(),
            wfs.into_iter().collect(),
            bulks.into_iter().collect(),
        )
    }
}
