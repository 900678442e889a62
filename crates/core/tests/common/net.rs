//! Networks, public IPs and port forwards in the virtual world: read a list through the
//! engine, run an action on them, and hold each verdict against vigil-sim's ground truth at the
//! moment it is given.
#![allow(dead_code)]

use vigil_core::engine::Started;
use vigil_core::{
    Action, Command, ConnId, OpId, Operation, Phase, Refusal, ResList, ResourceKind, Scope, VmId,
};

use super::{Drive, World};

impl World {
    /// The project (ZennoHosting) the first VM lives in.
    pub fn project(&self) -> String {
        self.vms()
            .iter()
            .find_map(|v| v.project.clone())
            .expect("a VM with a project")
    }

    /// Reads a list through the engine ([`Command::ReadList`]) until it is read.
    pub fn read_list(&mut self, scope: &Scope, kind: ResourceKind) -> ResList {
        let c = ConnId::from(self.conn.as_str());
        let before = self.list(scope, kind).and_then(|l| l.read_at);
        self.engine
            .cmd(
                Command::ReadList {
                    conn: c.clone(),
                    scope: scope.clone(),
                    kind,
                },
                self.now,
            )
            .expect("a list this provider has");
        let s = scope.clone();
        self.run_until(120_000, move |e| {
            e.view()
                .list(&c, &s, kind)
                .is_some_and(|l| !l.reading && (l.read_at != before || l.error.is_some()))
        });
        self.list(scope, kind).expect("read")
    }

    pub fn list(&self, scope: &Scope, kind: ResourceKind) -> Option<ResList> {
        self.engine
            .view()
            .list(&ConnId::from(self.conn.as_str()), scope, kind)
            .cloned()
    }

    /// Asks for an action on resources ([`Command::ActRes`]).
    pub fn act_res(&mut self, scope: &Scope, action: Action) -> Result<OpId, Refusal> {
        let started = self.engine.cmd(
            Command::ActRes {
                conn: ConnId::from(self.conn.as_str()),
                scope: scope.clone(),
                action,
            },
            self.now,
        )?;
        match started {
            Started::Op(id) => Ok(id),
            other => panic!("{other:?}"),
        }
    }

    /// Asks for an action on a VM ([`Command::Act`]).
    pub fn act_vm(&mut self, vm: &str, action: Action) -> Result<OpId, Refusal> {
        let started = self.engine.cmd(
            Command::Act {
                conn: ConnId::from(self.conn.as_str()),
                vm: VmId::from(vm),
                action,
            },
            self.now,
        )?;
        Ok(started.op().expect("an operation").clone())
    }

    /// Runs the operation to its end. The moment it turns `Succeeded`, `truth` must hold of
    /// the simulator as it stands then; returns the operation as it ended.
    pub fn run_checked(
        &mut self,
        id: &OpId,
        truth: impl Fn(&vigil_sim::Sim, &Operation) -> Result<(), String>,
    ) -> Operation {
        let end = self.now + 60 * 60_000;
        while self.engine.op(id).is_open() {
            assert!(self.now <= end, "not done within an hour");
            let going = self.step();
            let op = self.engine.op(id);
            if op.phase == Phase::Succeeded {
                if let Err(why) = truth(&self.sim, &op) {
                    panic!("succeeded while the truth disagrees: {why}");
                }
            }
            if !going {
                break;
            }
        }
        self.engine.op(id)
    }

    /// [`World::run_checked`], and it must succeed.
    pub fn succeeds_checked(
        &mut self,
        id: &OpId,
        truth: impl Fn(&vigil_sim::Sim, &Operation) -> Result<(), String>,
    ) -> Operation {
        let op = self.run_checked(id, truth);
        assert_eq!(op.phase, Phase::Succeeded, "{:?} {:?}", op.action, op.note);
        op
    }
}
