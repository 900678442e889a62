//! Every operation's record, by id, in the order they were made, with an index of the one open
//! on each VM and a note of which changed.

use std::collections::{BTreeSet, HashMap};

use crate::engine::tracker::OpRecord;
use crate::ids::{ConnId, OpId, VmId};

#[derive(Default)]
pub(crate) struct Ops {
    map: HashMap<OpId, OpRecord>,
    /// Oldest first.
    order: Vec<OpId>,
    /// The newest operation made on each VM (open or not: [`Ops::open_on`] checks).
    on_vm: HashMap<(ConnId, VmId), OpId>,
    /// Changed since the last [`Ops::take_changed`].
    changed: BTreeSet<OpId>,
}

impl Ops {
    pub fn get(&self, id: &OpId) -> Option<&OpRecord> {
        self.map.get(id)
    }

    /// The record, to change: noted as changed.
    pub fn get_mut(&mut self, id: &OpId) -> Option<&mut OpRecord> {
        let rec = self.map.get_mut(id)?;
        self.changed.insert(id.clone());
        Some(rec)
    }

    pub fn contains(&self, id: &OpId) -> bool {
        self.map.contains_key(id)
    }

    pub fn insert(&mut self, rec: OpRecord) {
        let id = rec.op.id.clone();
        if let Some(vm) = rec.op.vm_id() {
            self.on_vm
                .insert((rec.op.connection.clone(), vm.clone()), id.clone());
        }
        if self.map.insert(id.clone(), rec).is_none() {
            self.order.push(id.clone());
        }
        self.changed.insert(id);
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &OpRecord> {
        self.order.iter().filter_map(|id| self.map.get(id))
    }

    pub fn open_ids(&self) -> Vec<OpId> {
        self.iter()
            .filter(|r| r.is_open())
            .map(|r| r.op.id.clone())
            .collect()
    }

    /// The operation open on this VM, if any.
    pub fn open_on(&self, conn: &ConnId, vm: &VmId) -> Option<&OpRecord> {
        let id = self.on_vm.get(&(conn.clone(), vm.clone()))?;
        self.map.get(id).filter(|r| r.is_open())
    }

    /// Caps the provider texts of the operations that changed, and keeps the VM index right for
    /// those that learned their VM's id.
    pub fn settle(&mut self) {
        for id in &self.changed {
            if let Some(rec) = self.map.get_mut(id) {
                crate::saved::cap_operation(&mut rec.op);
            }
            let Some(rec) = self.map.get(id) else {
                continue;
            };
            if let Some(vm) = rec.op.vm_id() {
                let key = (rec.op.connection.clone(), vm.clone());
                let newer = self
                    .on_vm
                    .get(&key)
                    .and_then(|other| self.map.get(other))
                    .is_some_and(|o| o.op.submitted_at > rec.op.submitted_at);
                if !newer {
                    self.on_vm.insert(key, id.clone());
                }
            }
        }
    }

    pub fn sort(&mut self) {
        let map = &self.map;
        self.order
            .sort_by_key(|id| map.get(id).map_or(0, |r| r.op.submitted_at));
    }

    /// The ids changed since the last call.
    pub fn take_changed(&mut self) -> BTreeSet<OpId> {
        std::mem::take(&mut self.changed)
    }

    /// Forgets operations (trimmed from what is kept).
    pub fn remove(&mut self, ids: &[OpId]) {
        for id in ids {
            self.map.remove(id);
        }
        self.order.retain(|id| self.map.contains_key(id));
        let map = &self.map;
        self.on_vm.retain(|_, id| map.contains_key(id));
    }

    /// Notes an operation removed (so that storage drops it too).
    pub fn note_removed(&mut self, id: OpId) {
        self.changed.insert(id);
    }

    /// Replaces everything (a following tab mirrors the leading one).
    pub fn clear(&mut self) {
        for id in self.order.drain(..) {
            self.changed.insert(id);
        }
        self.map.clear();
        self.on_vm.clear();
    }
}
