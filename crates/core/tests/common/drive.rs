//! The engine's five verbs, in the shapes the tests read best: a round of requests as a list,
//! the outcome of a command as a result, reads through the view. Thin: each is one verb.
#![allow(dead_code)]

use vigil_core::engine::{About, Change, Notice, Share, Started};
use vigil_core::workflow::{BulkSummary, BulkWork, Plan, SavedState, Workflow};
use vigil_core::{
    Action, BulkId, Command, ConnId, ConnectionConfig, Engine, Event, HttpResponse, ListState,
    Millis, NetError, OpId, Operation, Pace, Refusal, Token, Transmit, Vm, VmId, WfId,
};

pub trait Drive {
    /// Time passes to `now`, then every request due is handed out.
    fn round(&mut self, now: Millis) -> Vec<Transmit>;
    fn answer(&mut self, token: Token, r: Result<HttpResponse, NetError>, now: Millis);
    /// When the engine next has something to do.
    fn wake(&self) -> Option<Millis>;
    fn cmd(&mut self, c: Command, now: Millis) -> Result<Started, Refusal>;
    fn add(&mut self, cfg: ConnectionConfig, now: Millis);
    fn start(&mut self, conn: &str, vm: &str, action: Action, now: Millis)
        -> Result<OpId, Refusal>;
    fn start_workflow(
        &mut self,
        conn: &str,
        vm: &str,
        plan: Plan,
        now: Millis,
    ) -> Result<WfId, Refusal>;
    fn start_bulk(&mut self, targets: &[(&str, &str)], work: BulkWork, now: Millis) -> BulkId;
    fn op(&self, id: &OpId) -> Operation;
    fn vm(&self, conn: &str, vm: &str) -> Option<Vm>;
    fn vms(&self, conn: &str) -> Vec<Vm>;
    fn list_state(&self, conn: &str) -> Option<ListState>;
    fn wf(&self, id: &WfId) -> Workflow;
    fn summary(&self, id: &BulkId) -> BulkSummary;
    fn allowed(&self, conn: &str, vm: &str, kind: vigil_core::ActionKind) -> Result<(), Refusal>;
    fn pace(&mut self, p: Pace, now: Millis);
    /// Events since the last call.
    fn events(&mut self) -> Vec<Event>;
    /// What the saves so far add up to.
    fn saved(&self) -> SavedState;
    fn import(&mut self, state: SavedState, now: Millis);
    /// Everything this tab would share with a tab that joined.
    fn share_all(&mut self, now: Millis) -> Share;
    fn mirror(&mut self, share: Share, now: Millis);
}

impl Drive for Engine {
    fn round(&mut self, now: Millis) -> Vec<Transmit> {
        self.handle_timeout(now);
        let mut out = Vec::new();
        while let Some(t) = self.poll_transmit(now) {
            out.push(t);
        }
        out
    }

    fn answer(&mut self, token: Token, r: Result<HttpResponse, NetError>, now: Millis) {
        self.handle_response(token, r, now);
    }

    fn wake(&self) -> Option<Millis> {
        self.poll_timeout()
    }

    fn cmd(&mut self, c: Command, now: Millis) -> Result<Started, Refusal> {
        self.handle_command(c, now)
    }

    fn add(&mut self, cfg: ConnectionConfig, now: Millis) {
        self.handle_command(Command::AddConnection(cfg), now)
            .expect("a valid connection");
    }

    fn start(
        &mut self,
        conn: &str,
        vm: &str,
        action: Action,
        now: Millis,
    ) -> Result<OpId, Refusal> {
        let c = Command::Act {
            conn: conn.into(),
            vm: vm.into(),
            action,
        };
        self.handle_command(c, now)
            .map(|s| s.op().cloned().expect("an operation"))
    }

    fn start_workflow(
        &mut self,
        conn: &str,
        vm: &str,
        plan: Plan,
        now: Millis,
    ) -> Result<WfId, Refusal> {
        let c = Command::Workflow {
            conn: conn.into(),
            vm: vm.into(),
            plan,
        };
        self.handle_command(c, now)
            .map(|s| s.workflow().cloned().expect("a workflow"))
    }

    fn start_bulk(&mut self, targets: &[(&str, &str)], work: BulkWork, now: Millis) -> BulkId {
        let targets = targets
            .iter()
            .map(|(c, v)| (ConnId::from(*c), VmId::from(*v)))
            .collect();
        self.handle_command(Command::Bulk { targets, work }, now)
            .expect("a bulk")
            .bulk()
            .cloned()
            .expect("a bulk")
    }

    fn op(&self, id: &OpId) -> Operation {
        self.view().operation(id).cloned().expect("the operation")
    }

    fn vm(&self, conn: &str, vm: &str) -> Option<Vm> {
        self.view().vm(&conn.into(), &vm.into()).cloned()
    }

    fn vms(&self, conn: &str) -> Vec<Vm> {
        self.view().vms(&conn.into()).to_vec()
    }

    fn list_state(&self, conn: &str) -> Option<ListState> {
        self.view().list_state(&conn.into()).cloned()
    }

    fn wf(&self, id: &WfId) -> Workflow {
        self.view().workflow(id).cloned().expect("the workflow")
    }

    fn summary(&self, id: &BulkId) -> BulkSummary {
        self.view().bulk_summary(id).expect("the bulk")
    }

    fn allowed(&self, conn: &str, vm: &str, kind: vigil_core::ActionKind) -> Result<(), Refusal> {
        self.view().allowed(&conn.into(), &vm.into(), kind)
    }

    fn pace(&mut self, p: Pace, now: Millis) {
        self.handle_command(Command::Pace(p), now).expect("a pace");
    }

    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.poll_event()).collect()
    }

    fn saved(&self) -> SavedState {
        self.view().saved_state()
    }

    fn import(&mut self, state: SavedState, now: Millis) {
        self.handle_command(Command::Import(state), now)
            .expect("an import");
    }

    fn share_all(&mut self, now: Millis) -> Share {
        self.events();
        self.handle_command(Command::ShareAll, now)
            .expect("a share");
        self.events()
            .into_iter()
            .find_map(|e| match e {
                Event::Share(s) if s.full => Some(s),
                _ => None,
            })
            .expect("a full share")
    }

    fn mirror(&mut self, share: Share, now: Millis) {
        self.handle_command(Command::Mirror(share), now)
            .expect("a mirror");
    }
}

/// The notices among `events`.
pub fn notices(events: &[Event]) -> Vec<Notice> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Notice(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Whether a notice about this operation is among `events`.
pub fn noticed_op(events: &[Event], op: &OpId) -> bool {
    notices(events)
        .iter()
        .any(|n| n.about == About::Op(op.clone()))
}

/// The changes among `events`.
pub fn changes(events: &[Event]) -> Vec<Change> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Changed(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}
