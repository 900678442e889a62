//! Guarded changes in the virtual world: start one, run it to its end, roll it back, and ask
//! the simulator's ground truth when the snapshot was ready and what the VM was restored from.
#![allow(dead_code)]

use vigil_core::{
    ActionKind, Command, ConnId, GuardedChange, Millis, Operation, Phase, Plan, Refusal,
    RollbackOffer, StepState, Target, WfId, Workflow,
};

use super::points::sim_name;
use super::{Drive, World};

pub const MINUTE: Millis = 60_000;

impl World {
    /// Starts a guarded change of `vm` with a snapshot named `name` first.
    pub fn guarded(
        &mut self,
        vm: &str,
        change: GuardedChange,
        name: &str,
    ) -> Result<WfId, Refusal> {
        let plan = Plan::Guarded {
            change,
            snapshot_name: name.into(),
        };
        self.engine.start_workflow("c", vm, plan, self.now)
    }

    /// Runs the workflow until it ended (or waits for a check) and no step of it runs.
    pub fn run_wf(&mut self, id: &WfId) -> Workflow {
        let id2 = id.clone();
        self.run_until(60 * MINUTE, move |e| {
            let wf = e.wf(&id2);
            !wf.is_open() && wf.steps.iter().all(|s| s.state != StepState::Running)
        });
        self.engine.wf(id)
    }

    pub fn offer(&self, id: &WfId) -> Option<RollbackOffer> {
        self.engine.view().rollback_offer(id)
    }

    /// Asks for the rollback the workflow `id` offers.
    pub fn roll_back(&mut self, id: &WfId) -> Result<WfId, Refusal> {
        self.engine
            .cmd(Command::RollBack { wf: id.clone() }, self.now)
            .map(|s| s.workflow().cloned().expect("a workflow"))
    }

    /// The operation of the workflow's step of `kind`.
    pub fn step_op(&self, wf: &Workflow, kind: ActionKind) -> Operation {
        let step = wf
            .steps
            .iter()
            .find(|s| s.kind == kind)
            .unwrap_or_else(|| panic!("a {kind:?} step in {:?}", wf.steps));
        self.engine.op(step.op_id.as_ref().expect("sent"))
    }

    /// The snapshot a guarded workflow took: its id as learned, checked against the truth (ready,
    /// and ready no later than `by`).
    pub fn snapshot_ready_by(&self, wf: &Workflow, by: Millis) -> String {
        let op = self.step_op(wf, ActionKind::Snapshot);
        assert_eq!(op.phase, Phase::Succeeded, "{:?}", op.note);
        let Target::Point { id: Some(id), .. } = &op.target else {
            panic!("{:?}", op.target)
        };
        let d = self.engine.view().caps(&ConnId::from("c")).unwrap().kind;
        let truth = self
            .sim
            .point(sim_name(d), wf.vm_id.as_str(), id)
            .expect("the simulator has the snapshot");
        let ready = truth.ready_at_ms.expect("ready") as Millis;
        assert!(ready <= by, "ready at {ready}, after {by}");
        id.clone()
    }

    /// When the first request containing `needle` (in its line) and `body` (in its body) went
    /// out, at or after request number `from`.
    pub fn sent_when(&self, from: usize, needle: &str, body: &str) -> Option<Millis> {
        (from..self.sent.len())
            .find(|&i| self.sent[i].contains(needle) && self.bodies[i].contains(body))
            .map(|i| self.sent_at[i])
    }

    pub fn kinds(wf: &Workflow) -> Vec<ActionKind> {
        wf.steps.iter().map(|s| s.kind).collect()
    }
}

/// The step of `kind`'s state.
pub fn state(wf: &Workflow, kind: ActionKind) -> StepState {
    wf.steps
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("a {kind:?} step in {:?}", wf.steps))
        .state
}
