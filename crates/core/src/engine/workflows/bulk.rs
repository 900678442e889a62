//! Bulks: one action or plan on many VMs, each VM's outcome, one notice at the end.

use super::{WfHappened, Workflows};
use crate::engine::rules::allowed;
use crate::engine::Core;
use crate::ids::{BulkId, ConnId, VmId};
use crate::model::{Phase, Target};
use crate::time::Millis;
use crate::workflow::{Bulk, BulkItem, BulkOutcome, BulkSummary, BulkWork, Said};

impl Workflows {
    /// Starts `work` on every VM it is allowed on; the others are recorded as skipped, with the
    /// reason.
    pub fn start_bulk(
        &mut self,
        core: &mut Core,
        targets: Vec<(ConnId, VmId)>,
        work: BulkWork,
        now: Millis,
    ) -> BulkId {
        let mut items: Vec<BulkItem> = Vec::new();
        for (conn, vm_id) in targets {
            if items
                .iter()
                .any(|i| i.connection == conn && i.vm_id == vm_id)
            {
                continue;
            }
            let vm_name = core
                .vm(&conn, &vm_id)
                .map_or(vm_id.to_string(), |v| v.name.clone());
            let vm_name = crate::saved::cap_name(&vm_name);
            let mut item = BulkItem {
                connection: conn.clone(),
                vm_id: vm_id.clone(),
                vm_name: vm_name.clone(),
                op_id: None,
                workflow_id: None,
                skipped: None,
            };
            let started = match &work {
                BulkWork::Action(a) => allowed(core, self, &conn, &vm_id, a.kind())
                    .and_then(|()| {
                        core.create_op(&conn, Target::vm(vm_id.clone(), vm_name), a.clone(), now)
                    })
                    .map(|id| item.op_id = Some(id)),
                BulkWork::Plan(p) => self
                    .start(core, &conn, &vm_id, p.clone(), now)
                    .map(|id| item.workflow_id = Some(id)),
            };
            if let Err(reason) = started {
                item.skipped = Some(reason);
            }
            items.push(item);
        }
        let id = BulkId(core.next_id("b"));
        self.bulks.push(Bulk {
            id: id.clone(),
            work,
            started_at: now,
            items,
            finished_at: None,
        });
        self.changed_bulks.insert(id.clone());
        id
    }

    /// A bulk whose VMs all ended gets its one notice.
    pub(super) fn advance_bulks(&mut self, core: &Core, now: Millis) {
        for i in 0..self.bulks.len() {
            let b = &self.bulks[i];
            if b.finished_at.is_some() {
                continue;
            }
            let started = b
                .items
                .iter()
                .any(|it| it.op_id.is_some() || it.workflow_id.is_some());
            if summary(core, self, b).is_finished() {
                let b = &mut self.bulks[i];
                b.finished_at = Some(now);
                self.changed_bulks.insert(b.id.clone());
                if started {
                    self.happened
                        .push(WfHappened::BulkFinished { bulk: b.id.clone() });
                }
            }
        }
    }
}

/// Each VM's outcome and the counts.
pub(crate) fn summary(core: &Core, wfs: &Workflows, bulk: &Bulk) -> BulkSummary {
    let mut sum = BulkSummary::default();
    for item in &bulk.items {
        let by_phase = |phase: Phase, says: Option<Said>| match phase {
            p if p.is_open() => BulkOutcome::Running,
            Phase::Succeeded => BulkOutcome::Done,
            phase => BulkOutcome::Ended { phase, says },
        };
        let outcome = if let Some(reason) = &item.skipped {
            BulkOutcome::Skipped {
                reason: reason.clone(),
            }
        } else if let Some(r) = item.op_id.as_ref().and_then(|i| core.ops.get(i)) {
            by_phase(r.op.phase, r.op.note.clone().map(Said::Op))
        } else if let Some(r) = item.workflow_id.as_ref().and_then(|i| wfs.get(i)) {
            by_phase(r.wf.phase, r.wf.note.clone().map(Said::Wf))
        } else {
            BulkOutcome::Lost
        };
        sum.add(item.clone(), outcome);
    }
    sum
}
