//! Fine-grained reactivity over a non-reactive engine: one version mark per thing the engine
//! says changed ([`Change`]), and a component subscribes to the marks of exactly what it reads.
//! A VM row tracks its VM's mark only, so a status change of one VM re-renders one row.

use std::collections::HashMap;
use std::hash::Hash;

use leptos::prelude::*;
use vigil_core::engine::Change;
use vigil_core::{BulkId, ConnId, OpId, VmId, WfId};

/// The marks, created when first subscribed to.
#[derive(Default)]
struct Board {
    vms: HashMap<(ConnId, VmId), ArcTrigger>,
    ops: HashMap<OpId, ArcTrigger>,
    workflows: HashMap<WfId, ArcTrigger>,
    bulks: HashMap<BulkId, ArcTrigger>,
    conns: HashMap<ConnId, ArcTrigger>,
    /// A part of a connection's catalogue changed state: the create form's choices, and what
    /// the user's role allows there (a row's Delete).
    catalogues: HashMap<ConnId, ArcTrigger>,
}

/// Copy handle on every mark.
#[derive(Clone, Copy)]
pub struct Marks {
    board: StoredValue<Board>,
    /// Which rows there are: VMs came or went, a new VM is being created, a list was read.
    rows: Trigger,
    /// Any VM changed (a list filtered or sorted by status tracks it).
    any_vm: Trigger,
    /// A VM's name changed, or VMs came or went (which names more than one VM has).
    names: Trigger,
    /// Each VM's name as last seen, to tell a rename from any other change in O(1).
    seen_names: StoredValue<HashMap<(ConnId, VmId), String>>,
    /// Operations, workflows or bulks came, went or changed phase.
    activity: Trigger,
    /// The set of connections changed.
    connections: Trigger,
}

impl Default for Marks {
    fn default() -> Self {
        Self::new()
    }
}

fn mark<K: Hash + Eq + Clone>(map: &mut HashMap<K, ArcTrigger>, key: &K) -> ArcTrigger {
    map.entry(key.clone()).or_default().clone()
}

impl Marks {
    pub fn new() -> Self {
        Marks {
            board: StoredValue::new(Board::default()),
            rows: Trigger::new(),
            any_vm: Trigger::new(),
            names: Trigger::new(),
            seen_names: StoredValue::new(HashMap::new()),
            activity: Trigger::new(),
            connections: Trigger::new(),
        }
    }

    fn track_in<K: Hash + Eq + Clone>(
        &self,
        pick: impl FnOnce(&mut Board) -> &mut HashMap<K, ArcTrigger>,
        key: &K,
    ) {
        if let Some(t) = self.board.try_update_value(|b| mark(pick(b), key)) {
            t.track();
        }
    }

    pub fn vm(&self, conn: &ConnId, vm: &VmId) {
        self.track_in(|b| &mut b.vms, &(conn.clone(), vm.clone()));
    }

    pub fn op(&self, id: &OpId) {
        self.track_in(|b| &mut b.ops, id);
    }

    pub fn workflow(&self, id: &WfId) {
        self.track_in(|b| &mut b.workflows, id);
    }

    pub fn bulk(&self, id: &BulkId) {
        self.track_in(|b| &mut b.bulks, id);
    }

    pub fn conn(&self, id: &ConnId) {
        self.track_in(|b| &mut b.conns, id);
    }

    /// A connection's catalogue: the create form's choices, and what the user's role allows
    /// there (a row's buttons read it; the engine tells only when a part of it changes).
    pub fn catalogue(&self, id: &ConnId) {
        self.track_in(|b| &mut b.catalogues, id);
    }

    pub fn rows(&self) {
        self.rows.track();
    }

    pub fn any_vm(&self) {
        self.any_vm.track();
    }

    pub fn names(&self) {
        self.names.track();
    }

    /// A connection's VMs and their names, as a list read shows them (before its change is
    /// bumped): a later change of one VM is a rename only if its name differs from this.
    pub fn remember_names(&self, conn: &ConnId, names: Vec<(VmId, String)>) {
        self.seen_names.update_value(|seen| {
            seen.retain(|(c, _), _| c != conn);
            seen.extend(names.into_iter().map(|(v, n)| ((conn.clone(), v), n)));
        });
    }

    pub fn activity(&self) {
        self.activity.track();
    }

    pub fn connections(&self) {
        self.connections.track();
    }

    /// The engine says `change`: bump the one mark it names (and the list-wide ones it moves).
    /// `name_of`: a VM's name now (a changed VM's name is compared with the one last seen).
    pub fn bump(&self, change: &Change, name_of: impl FnOnce(&ConnId, &VmId) -> Option<String>) {
        let found = self.board.try_with_value(|b| match change {
            // A VM's snapshots or backups: its page reads them under the VM's mark.
            Change::Vm(c, v) | Change::Points(c, v, _) => {
                b.vms.get(&(c.clone(), v.clone())).cloned()
            }
            // Networks, public IPs, rules, volumes: read under the connection's mark.
            Change::Vms(c) | Change::Connection(c) | Change::Activity(c) | Change::List(c, ..) => {
                b.conns.get(c).cloned()
            }
            Change::Op(id) => b.ops.get(id).cloned(),
            Change::Workflow(id) => b.workflows.get(id).cloned(),
            Change::Bulk(id) => b.bulks.get(id).cloned(),
            Change::Catalogue(c) => b.catalogues.get(c).cloned(),
        });
        if let Some(Some(t)) = found {
            t.notify();
        }
        match change {
            Change::Vm(c, v) => {
                self.any_vm.notify();
                let now = name_of(c, v);
                let renamed = self.seen_names.try_update_value(|seen| {
                    let key = (c.clone(), v.clone());
                    match now {
                        Some(n) if seen.get(&key) != Some(&n) => seen.insert(key, n).is_some(),
                        Some(_) => false,
                        None => seen.remove(&key).is_some(),
                    }
                });
                if renamed == Some(true) {
                    self.names.notify();
                }
            }
            Change::Vms(_) => {
                self.rows.notify();
                self.names.notify();
            }
            Change::Connection(_) => self.connections.notify(),
            Change::Op(_) | Change::Workflow(_) | Change::Bulk(_) | Change::Activity(_) => {
                self.activity.notify()
            }
            Change::Catalogue(_) | Change::Points(..) | Change::List(..) => {}
        }
    }
}
