//! Snapshots and backups in the virtual world: read a VM's list through the engine, run an
//! operation on a point, and ask vigil-sim's ground truth.
#![allow(dead_code)]

use vigil_core::{
    Action, Command, ConnId, Operation, Phase, Point, PointKind, PointList, Target, VmId,
};

use super::{Drive, World};

/// The dialect's name in vigil-sim's truth.
pub fn sim_name(d: vigil_core::DialectKind) -> &'static str {
    d.slug()
}

impl World {
    /// Reads `vm`'s list of `kind` through the engine (a [`Command::ReadPoints`]) until it is
    /// read, and returns it.
    pub fn read_points(&mut self, vm: &str, kind: PointKind) -> PointList {
        let before = self.points_list(vm, kind).and_then(|l| l.read_at);
        self.engine
            .cmd(
                Command::ReadPoints {
                    conn: ConnId::from(self.conn.as_str()),
                    vm: VmId::from(vm),
                    kind,
                },
                self.now,
            )
            .expect("a listed VM whose provider lists these");
        let conn = self.conn.clone();
        let (vm_id, c) = (VmId::from(vm), ConnId::from(conn.as_str()));
        self.run_until(120_000, move |e| {
            e.view()
                .points(&c, &vm_id, kind)
                .is_some_and(|l| !l.reading && (l.read_at != before || l.error.is_some()))
        });
        self.points_list(vm, kind).expect("read")
    }

    pub fn points_list(&self, vm: &str, kind: PointKind) -> Option<PointList> {
        self.engine
            .view()
            .points(&ConnId::from(self.conn.as_str()), &VmId::from(vm), kind)
            .cloned()
    }

    /// The point an operation targeted, by the id it learned.
    pub fn point_of(&self, op: &Operation) -> Option<Point> {
        let Target::Point { vm, kind, id, .. } = &op.target else {
            return None;
        };
        let list = self.points_list(vm.as_str(), *kind)?;
        list.points.into_iter().find(|p| Some(&p.id) == id.as_ref())
    }

    /// Runs `action` and asserts it ends verified.
    pub fn succeeds(&mut self, vm: &str, action: Action) -> Operation {
        let what = format!("{action:?}");
        let op = self.run_op(vm, action);
        assert_eq!(op.phase, Phase::Succeeded, "{what}: {:?}", op.note);
        op
    }
}
