//! Keeping and sharing: what changed since the last save goes out as a delta — the entries to
//! write and those to drop — never the whole state; other tabs get the same delta plus the VMs
//! that changed. A following tab applies what the leading one shares; a tab that takes over
//! resumes what it shows.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::engine::core::Happened;
use crate::engine::inventory::ListState;
use crate::engine::tracker::OpRecord;
use crate::engine::workflows::Workflows;
use crate::engine::Core;
use crate::ids::{BulkId, ConnId, OpId, VmId, WfId};
use crate::model::{Operation, Phase, Vm};
use crate::saved::{plausible_bulk, plausible_op, plausible_workflow};
use crate::time::Millis;
use crate::workflow::{Bulk, SavedState, Workflow};

/// How much finished activity is kept: the newest of each (open ones, and what a kept workflow
/// or bulk refers to, are always kept).
pub const KEEP_OPERATIONS: usize = 300;
pub const KEEP_WORKFLOWS: usize = 60;
pub const KEEP_BULKS: usize = 20;

/// What to write to storage and what to drop from it (by id).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub ops: Vec<Operation>,
    pub workflows: Vec<Workflow>,
    pub bulks: Vec<Bulk>,
    pub dropped_ops: Vec<OpId>,
    pub dropped_workflows: Vec<WfId>,
    pub dropped_bulks: Vec<BulkId>,
}

impl Saved {
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
            && self.workflows.is_empty()
            && self.bulks.is_empty()
            && self.dropped_ops.is_empty()
            && self.dropped_workflows.is_empty()
            && self.dropped_bulks.is_empty()
    }
}

/// One connection's VMs, as a change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VmsDelta {
    pub conn: ConnId,
    pub upsert: Vec<Vm>,
    pub removed: Vec<VmId>,
    /// The whole list (a new tab, a take-over): VMs not in `upsert` are gone.
    pub replace: bool,
    pub list: Option<ListState>,
}

/// What the leading tab tells the others: activity, VMs and catalogues that changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub saved: Saved,
    pub vms: Vec<VmsDelta>,
    /// Connections' catalogues, whole, each as it stands after a part of it changed (a
    /// following tab reads none itself: its create form shows what the leading tab read).
    #[serde(default)]
    pub catalogues: Vec<(ConnId, Catalogue)>,
    /// VMs' snapshot and backup lists, whole, each as it stands after it changed.
    #[serde(default)]
    pub points: Vec<crate::engine::points::SharedPoints>,
    /// Resource lists (networks, public IPs, rules, volumes), whole, each as it stands after
    /// it changed.
    #[serde(default)]
    pub lists: Vec<crate::engine::lists::SharedList>,
    /// Everything (a tab joined): what a following tab has and this lacks is gone.
    pub full: bool,
}

/// What storage holds, as last written: only differences are written again.
#[derive(Default)]
pub(crate) struct Keeper {
    ops: HashMap<OpId, Operation>,
    workflows: HashMap<WfId, Workflow>,
    bulks: HashMap<BulkId, Bulk>,
}

/// An operation as it is kept: [`Operation::queued`] when its current write waits to be sent
/// (not on its way, and not looked for), so that a reload or the tab that takes over sends it
/// instead of asking for a check — and never drops it: an operation left out of what is kept
/// would be lost to both.
fn kept_op(rec: &OpRecord) -> Operation {
    let mut op = rec.op.clone();
    op.queued = op.phase == Phase::Submitted && !rec.sched.waiting() && !rec.is_finding();
    op
}

/// Holds `id` as it is kept now (`None`: no longer kept) against what storage holds: what
/// differs goes to `write`, what storage holds no more to `dropped`.
fn note_kept<K: Eq + Hash + Clone, V: PartialEq + Clone>(
    held: &mut HashMap<K, V>,
    id: &K,
    now: Option<&V>,
    write: &mut Vec<V>,
    dropped: &mut Vec<K>,
) {
    match now {
        Some(v) if held.get(id) != Some(v) => {
            held.insert(id.clone(), v.clone());
            write.push(v.clone());
        }
        Some(_) => {}
        None => {
            if held.remove(id).is_some() {
                dropped.push(id.clone());
            }
        }
    }
}

/// An entry this engine does not own: never written nor dropped; once gone from the engine, no
/// longer held either.
fn forget<K: Eq + Hash, V>(held: &mut HashMap<K, V>, id: &K, gone: bool) {
    if gone {
        held.remove(id);
    }
}

impl Keeper {
    /// What changed since the last call, as it is kept. `changed_*`: what may have changed.
    ///
    /// Only entries of this engine's connections are written and dropped (a bulk's: when all of
    /// its VMs' are): entries of other connections, imported from storage, stay as their owner
    /// (another tab) wrote them, whatever this engine does with its copy (trim, clear, end it for
    /// want of its connection).
    pub fn delta(
        &mut self,
        core: &Core,
        wfs: &Workflows,
        changed_ops: &BTreeSet<OpId>,
        changed_wfs: &BTreeSet<WfId>,
        changed_bulks: &BTreeSet<BulkId>,
    ) -> Saved {
        let mut out = Saved::default();
        let ours = |c: &ConnId| core.conn(c).is_some();
        for id in changed_ops {
            let op = core.ops.get(id).map(kept_op);
            let conn = op.as_ref().or(self.ops.get(id)).map(|o| &o.connection);
            if !conn.is_some_and(ours) {
                // Another tab's (or a removed connection's): storage keeps what its owner wrote.
                forget(&mut self.ops, id, op.is_none());
                continue;
            }
            let (write, dropped) = (&mut out.ops, &mut out.dropped_ops);
            note_kept(&mut self.ops, id, op.as_ref(), write, dropped);
        }
        // A workflow's kept form changes when one of its steps' operations is first kept.
        let open_wfs = wfs.list.iter().filter(|r| r.wf.is_open()).map(|r| &r.wf.id);
        let wf_ids: BTreeSet<&WfId> = changed_wfs.iter().chain(open_wfs).collect();
        for id in wf_ids {
            let wf = wfs.get(id).map(|rec| rec.wf.clone());
            let conn = wf
                .as_ref()
                .or(self.workflows.get(id))
                .map(|w| &w.connection);
            if !conn.is_some_and(ours) {
                forget(&mut self.workflows, id, wf.is_none());
                continue;
            }
            let (write, dropped) = (&mut out.workflows, &mut out.dropped_workflows);
            note_kept(&mut self.workflows, id, wf.as_ref(), write, dropped);
        }
        for id in changed_bulks {
            let bulk = wfs.bulks.iter().find(|b| &b.id == id);
            let items = bulk.or(self.bulks.get(id)).map(|b| &b.items);
            if !items.is_some_and(|items| items.iter().all(|i| ours(&i.connection))) {
                forget(&mut self.bulks, id, bulk.is_none());
                continue;
            }
            note_kept(
                &mut self.bulks,
                id,
                bulk,
                &mut out.bulks,
                &mut out.dropped_bulks,
            );
        }
        out
    }

    /// Everything as kept (for a tab that joined).
    pub fn all(&self) -> Saved {
        Saved {
            ops: self.ops.values().cloned().collect(),
            workflows: self.workflows.values().cloned().collect(),
            bulks: self.bulks.values().cloned().collect(),
            ..Saved::default()
        }
    }

    /// What storage already holds (loaded at start): not written again.
    pub fn know(&mut self, state: &SavedState) {
        for op in &state.operations {
            self.ops.insert(op.id.clone(), op.clone());
        }
        for wf in &state.workflows {
            self.workflows.insert(wf.id.clone(), wf.clone());
        }
        for b in &state.bulks {
            self.bulks.insert(b.id.clone(), b.clone());
        }
    }
}

/// The ids of finished activity beyond what is kept: the operations, workflows and bulks that
/// finished longest ago, never an open one nor one a kept workflow or bulk refers to.
pub(crate) fn overflow(core: &Core, wfs: &Workflows) -> (Vec<OpId>, Vec<WfId>, Vec<BulkId>) {
    // Nothing to drop while the finished ones fit (cheap: no copies).
    let closed_ops = core.ops.iter().filter(|r| !r.is_open()).count();
    let closed_wfs = wfs.list.iter().filter(|r| !r.wf.is_open()).count();
    let closed_bulks = wfs.bulks.iter().filter(|b| b.finished_at.is_some()).count();
    if closed_ops <= KEEP_OPERATIONS && closed_wfs <= KEEP_WORKFLOWS && closed_bulks <= KEEP_BULKS {
        return Default::default();
    }
    /// Of `(id, finished_at)` for finished entries, those beyond the `keep` most recently
    /// finished.
    fn oldest<T: Clone>(mut done: Vec<(T, Millis)>, keep: usize) -> Vec<T> {
        done.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
        done.into_iter().skip(keep).map(|(id, _)| id).collect()
    }
    let bulks = oldest(
        wfs.bulks
            .iter()
            .filter_map(|b| Some((b.id.clone(), b.finished_at?)))
            .collect(),
        KEEP_BULKS,
    );
    let kept_bulks = wfs.bulks.iter().filter(|b| !bulks.contains(&b.id));
    let bulk_wfs: BTreeSet<&WfId> = kept_bulks
        .clone()
        .flat_map(|b| b.items.iter().filter_map(|i| i.workflow_id.as_ref()))
        .collect();
    let workflows = oldest(
        wfs.list
            .iter()
            .filter(|r| !bulk_wfs.contains(&r.wf.id))
            .filter_map(|r| Some((r.wf.id.clone(), r.wf.finished_at?)))
            .collect(),
        KEEP_WORKFLOWS,
    );
    let referred: BTreeSet<&OpId> = wfs
        .list
        .iter()
        .filter(|r| !workflows.contains(&r.wf.id))
        .flat_map(|r| r.wf.steps.iter().filter_map(|s| s.op_id.as_ref()))
        .chain(kept_bulks.flat_map(|b| b.items.iter().filter_map(|i| i.op_id.as_ref())))
        .collect();
    let ops = oldest(
        core.ops
            .iter()
            .filter(|r| !referred.contains(&r.op.id))
            .filter_map(|r| Some((r.op.id.clone(), r.op.finished_at?)).filter(|_| !r.is_open()))
            .collect(),
        KEEP_OPERATIONS,
    );
    (ops, workflows, bulks)
}

/// Brings kept state in: operations resume, workflows go on from where they were.
pub(crate) fn import(core: &mut Core, wfs: &mut Workflows, state: SavedState, now: Millis) {
    let state = plausible(state);
    let grace = core.schedule.verify_grace;
    for op in state.operations {
        if core.ops.contains(&op.id) {
            continue;
        }
        let known = core.conn(&op.connection).is_some();
        core.ops.insert(OpRecord::resume(op, grace, known, now));
    }
    core.ops.sort();
    wfs.resume(core, state.workflows, now);
    for b in state.bulks {
        if wfs.bulks.iter().all(|x| x.id != b.id) {
            wfs.changed_bulks.insert(b.id.clone());
            wfs.bulks.push(b);
        }
    }
    wfs.bulks.sort_by_key(|b| b.started_at);
}

/// What can be true of a kept state (storage, another tab): entries naming a moment no clock
/// can say, or workflows whose steps do not fit their plan, are corrupted, and left out whole
/// ([`crate::saved::plausible_op`] and its siblings).
fn plausible(mut state: SavedState) -> SavedState {
    state.operations.retain(plausible_op);
    state.workflows.retain(plausible_workflow);
    state.bulks.retain(plausible_bulk);
    state
}

/// A following tab applies what the leading one shares.
pub(crate) fn mirror(core: &mut Core, wfs: &mut Workflows, share: Share) {
    let Share {
        mut saved,
        vms,
        catalogues,
        points,
        lists,
        full,
    } = share;
    crate::engine::book::mirror(core, points);
    crate::engine::book::mirror(core, lists);
    saved.ops.retain(plausible_op);
    saved.workflows.retain(plausible_workflow);
    saved.bulks.retain(plausible_bulk);
    if full {
        core.ops.clear();
        wfs.list.clear();
        wfs.bulks.clear();
    }
    for op in saved.ops {
        core.ops.insert(OpRecord {
            op,
            sched: Default::default(),
        });
    }
    core.ops.remove(&saved.dropped_ops);
    core.ops.sort();
    for wf in saved.workflows {
        wfs.changed.insert(wf.id.clone());
        match wfs.list.iter_mut().find(|r| r.wf.id == wf.id) {
            Some(r) => r.wf = wf,
            None => wfs.list.push(crate::engine::workflows::WfRecord {
                wf,
                resumed_at: None,
                reread_at: None,
                wake: None,
            }),
        }
    }
    wfs.list
        .retain(|r| !saved.dropped_workflows.contains(&r.wf.id));
    wfs.list.sort_by_key(|r| r.wf.started_at);
    for b in saved.bulks {
        wfs.changed_bulks.insert(b.id.clone());
        match wfs.bulks.iter_mut().find(|x| x.id == b.id) {
            Some(x) => *x = b,
            None => wfs.bulks.push(b),
        }
    }
    wfs.bulks.retain(|b| !saved.dropped_bulks.contains(&b.id));
    for d in vms {
        if let Some(c) = core.conn_mut(&d.conn) {
            c.inv.mirror(d.upsert, &d.removed, d.replace);
            if let Some(list) = d.list {
                c.inv.list = Some(list);
            }
        }
    }
    for (conn, cat) in catalogues {
        let Some(c) = core.conn_mut(&conn) else {
            continue;
        };
        if c.catalogue.as_ref() != Some(&cat) {
            c.catalogue = Some(cat);
            core.happened.push(Happened::Catalogue(conn));
        }
    }
}

/// This tab polls now: every open operation it shows is resumed as after a reload, and every
/// connection lists again.
pub(crate) fn take_over(core: &mut Core, wfs: &mut Workflows, now: Millis) {
    let ops: Vec<Operation> = core.ops.iter().map(|r| r.op.clone()).collect();
    core.ops.clear();
    core.flights.clear();
    let workflows: Vec<Workflow> = wfs.list.drain(..).map(|r| r.wf).collect();
    let bulks = std::mem::take(&mut wfs.bulks);
    import(
        core,
        wfs,
        SavedState {
            operations: ops,
            workflows,
            bulks,
        },
        now,
    );
    for c in core.conns.values_mut() {
        // Nothing this tab sent while it followed is on its way.
        c.inv.listing = None;
        c.logging_in = false;
        c.inv.refresh(now);
    }
}

/// Everything as it is kept (what the saves so far add up to).
pub(crate) fn kept_state(core: &Core, wfs: &Workflows) -> SavedState {
    SavedState {
        operations: core.ops.iter().map(kept_op).collect(),
        workflows: wfs.list.iter().map(|r| r.wf.clone()).collect(),
        bulks: wfs.bulks.clone(),
    }
}
