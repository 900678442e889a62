//! What the VM page's Network tab reads of the engine: where a console session stands, and
//! the VM's firewall as last read.

use crate::engine::View;
use crate::ids::{ConnId, OpId, VmId};
use crate::model::{Action, ConsoleSession, Operation, Phase, Res, ResourceKind, Scope, Target};
use crate::time::Millis;

/// Where the VM's newest console request stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ConsoleState {
    /// None asked for (or the last one forgotten).
    #[default]
    Idle,
    /// The provider is making the session (the operation, open).
    Opening(OpId),
    /// The session is there, verified: open it before it expires. Never kept, never logged.
    Ready { op: OpId, session: ConsoleSession },
    /// The session's time ran out (or this tab never read its address): ask again.
    Expired(OpId),
    /// The request ended otherwise than done: its operation says why.
    Ended(OpId),
}

impl<'a> View<'a> {
    /// The newest console operation on the VM, and where it stands at `now`.
    pub fn console(&self, conn: &ConnId, vm: &VmId, now: Millis) -> ConsoleState {
        let newest = self
            .operations()
            .filter(|o| &o.connection == conn && o.vm_id() == Some(vm))
            .filter(|o| o.action == Action::OpenConsole)
            .max_by_key(|o| o.submitted_at);
        let Some(op) = newest else {
            return ConsoleState::Idle;
        };
        let id = op.id.clone();
        if op.is_open() {
            return ConsoleState::Opening(id);
        }
        if op.phase != Phase::Succeeded {
            return ConsoleState::Ended(id);
        }
        match self.console_session(conn, op) {
            Some(s) if s.expires_at.is_none_or(|t| t > now) => ConsoleState::Ready {
                op: id,
                session: s.clone(),
            },
            _ => ConsoleState::Expired(id),
        }
    }

    fn console_session(&self, conn: &ConnId, op: &Operation) -> Option<&'a ConsoleSession> {
        let Target::Res {
            scope,
            id: Some(sid),
            ..
        } = &op.target
        else {
            return None;
        };
        self.list(conn, scope, ResourceKind::Console)?
            .items
            .iter()
            .find(|r| &r.id == sid)
            .and_then(Res::console)
    }

    /// The VM's firewall as last read (`None`: not read yet; ask with
    /// [`crate::Command::ReadList`] in the VM's scope).
    pub fn firewall(&self, conn: &ConnId, vm: &VmId) -> Option<&'a Res> {
        let list = self.list(conn, &Scope::Vm(vm.clone()), ResourceKind::Firewall)?;
        list.read_at?;
        list.items.first()
    }
}
