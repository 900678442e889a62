//! The operations a cell asks for, as a user would: an action, a Stop workflow, a create or a
//! delete on a VM that is idle (nothing of ours open on it, and — by the truth — nothing of the
//! provider's still running, so one operation's effects are never taken for another's), a few
//! at a time; and, as each operation and workflow closes, where its VM stood at that moment.

use std::collections::HashMap;

use vigil_core::engine::Started;
use vigil_core::workflow::Plan;
use vigil_core::{
    Action, Command, ConnId, DialectKind, Millis, OpId, Phase, PowerState, Resize, Vm, VmSpec, WfId,
};
use vigil_sim::VmFact;

use super::wire::Wire;
use super::Rng;

/// Operations and workflows of ours open at once, at most.
pub const MAX_OPEN: usize = 6;

/// What was started.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemId {
    Op(OpId),
    Wf(WfId),
}

impl ItemId {
    pub fn as_str(&self) -> &str {
        match self {
            ItemId::Op(id) => id.as_str(),
            ItemId::Wf(id) => id.as_str(),
        }
    }
}

/// One operation or workflow the cell started.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: ItemId,
    /// The VM it acts on (a new VM: its name).
    pub key: String,
    /// What it does: the action's kind, or the workflow.
    pub what: &'static str,
    pub started: Millis,
}

/// What a command does, for the figures.
fn what(cmd: &Command) -> &'static str {
    match cmd {
        Command::Act { action, .. } => match action {
            Action::Start => "start",
            Action::Shutdown => "shutdown",
            Action::PowerOff => "power off",
            Action::Reboot => "reboot",
            Action::PowerCycle => "power cycle",
            Action::Rename { .. } => "rename",
            Action::Resize(_) => "resize",
            _ => "other",
        },
        Command::Workflow { .. } => "Stop (workflow)",
        Command::Create { .. } => "create",
        Command::Delete { .. } => "delete",
        _ => "other",
    }
}

/// An operation or workflow as it closed: its phase, and where its VM stood by the truth.
#[derive(Clone, Debug)]
pub struct Close {
    pub at: Millis,
    pub phase: Phase,
    pub fact: Option<VmFact>,
}

pub struct Work {
    pub dialect: DialectKind,
    pub items: Vec<Item>,
    /// How many to start.
    pub target: usize,
    /// Each operation's and workflow's latest close, by id (workflow steps too).
    pub closes: HashMap<String, Close>,
    /// A create form filled in from the provider's catalogue (`None`: no creates).
    pub spec: Option<VmSpec>,
    /// New VMs' names start so (never acted on again: their ops would share their name).
    pub prefix: String,
    rng: Rng,
    next_at: Millis,
    names: u32,
}

impl Work {
    pub fn new(dialect: DialectKind, target: usize, spec: Option<VmSpec>, seed: u64) -> Work {
        Work {
            dialect,
            items: Vec::new(),
            target,
            closes: HashMap::new(),
            spec,
            prefix: format!("cmp{seed}-"),
            rng: Rng::new(seed.wrapping_mul(31)),
            next_at: 0,
            names: 0,
        }
    }

    /// Ours still open (one the engine no longer shows is not: it is lost, judged later).
    pub fn open(&self, wire: &Wire) -> usize {
        let view = wire.engine().view();
        self.items
            .iter()
            .filter(|i| match &i.id {
                ItemId::Op(id) => view.operation(id).is_some_and(|o| o.is_open()),
                ItemId::Wf(id) => view.workflow(id).is_some_and(|w| w.is_open()),
            })
            .count()
    }

    pub fn all_started(&self) -> bool {
        self.items.len() >= self.target
    }

    /// Starts one more operation when it is time to.
    pub fn tick(&mut self, wire: &mut Wire) {
        let now = wire.now();
        if self.all_started() || now < self.next_at || self.open(wire) >= MAX_OPEN {
            return;
        }
        self.next_at = now + self.rng.ms(0, 15_000);
        let wants_create = self.spec.is_some() && self.rng.chance(0.12);
        let picked = if wants_create {
            Some(self.create())
        } else {
            self.on_a_vm(wire)
        };
        let Some((cmd, key)) = picked else {
            return;
        };
        let what = what(&cmd);
        let id = match wire.command(cmd) {
            Ok(Started::Op(id)) => ItemId::Op(id),
            Ok(Started::Workflow(id)) => ItemId::Wf(id),
            _ => return,
        };
        self.items.push(Item {
            id,
            key,
            what,
            started: now,
        });
    }

    fn create(&mut self) -> (Command, String) {
        self.names += 1;
        let name = format!("{}{}", self.prefix, self.names);
        let spec = VmSpec {
            name: name.clone(),
            ..self.spec.clone().expect("a create form")
        };
        let cmd = Command::Create {
            conn: ConnId::from("c"),
            spec,
        };
        (cmd, name)
    }

    /// A command on an idle VM, if one is idle and may take one.
    fn on_a_vm(&mut self, wire: &Wire) -> Option<(Command, String)> {
        let view = wire.engine().view();
        let conn = ConnId::from("c");
        let idle: Vec<&Vm> = view
            .vms(&conn)
            .iter()
            .filter(|vm| self.idle(wire, vm))
            .collect();
        let vm = (*self.rng.pick(&idle)?).clone();
        let mut cmds = self.commands(&vm);
        cmds.retain(|c| view.check(c).is_ok());
        let cmd = self.rng.pick(&cmds)?.clone();
        Some((cmd, vm.id.to_string()))
    }

    fn idle(&self, wire: &Wire, vm: &Vm) -> bool {
        let view = wire.engine().view();
        let conn = ConnId::from("c");
        let settled = wire
            .w
            .sim
            .latest_action(self.dialect.slug(), vm.id.as_str())
            .is_none_or(|c| c.finished_by(wire.now() as u64));
        // Ours: by its name, or by its id where a spoiled answer showed another name.
        let created = vm.name.contains(&self.prefix)
            || view
                .operations()
                .any(|o| matches!(o.action, Action::Create(_)) && o.vm_id() == Some(&vm.id));
        settled
            && !created
            && !vm.locked
            && matches!(vm.power, PowerState::Running | PowerState::Stopped)
            && view.open_op_for(&conn, &vm.id).is_none()
            && view.open_workflow_for(&conn, &vm.id).is_none()
    }

    /// What a user might ask of `vm` as it shows: power actions, the Stop workflow, a rename
    /// or a resize where the dialect has them, now and then a delete.
    fn commands(&mut self, vm: &Vm) -> Vec<Command> {
        let act = |action: Action| Command::Act {
            conn: "c".into(),
            vm: vm.id.clone(),
            action,
        };
        let mut actions = match vm.power {
            PowerState::Running => vec![
                Action::Reboot,
                Action::Shutdown,
                Action::PowerOff,
                Action::PowerCycle,
                Action::Rename {
                    name: format!("rn-{}", self.rng.below(1_000_000)),
                },
            ],
            _ => vec![Action::Start],
        };
        actions.extend(self.resize(vm));
        let mut cmds: Vec<Command> = actions.into_iter().map(act).collect();
        if vm.power == PowerState::Running {
            cmds.push(Command::Workflow {
                conn: "c".into(),
                vm: vm.id.clone(),
                plan: Plan::Stop { grace_s: 30 },
            });
        }
        if self.rng.chance(0.1) {
            cmds = vec![Command::Delete {
                conn: "c".into(),
                vm: vm.id.clone(),
                typed_name: vm.name.clone(),
            }];
        }
        cmds
    }

    /// A resize to another size: Hostway's other flavor, elsewhere 2 GB more RAM.
    fn resize(&self, vm: &Vm) -> Option<Action> {
        if self.dialect == DialectKind::Hostway {
            let other = if vm.size.flavor.as_deref() == Some("5") {
                "4"
            } else {
                "5"
            };
            return Some(Action::Resize(Resize::Flavor { id: other.into() }));
        }
        let s = &vm.size;
        let (cpu, ram, disk) = (s.vcpus?, s.memory_gb?, s.disk_gb?);
        Resize::to_target(s, cpu, ram.checked_add(2)?, disk)
            .ok()
            .map(Action::Resize)
    }

    /// Notes every operation and workflow that closed since the last look, with where its VM
    /// stands by the truth now.
    pub fn observe(&mut self, wire: &Wire) {
        let view = wire.engine().view();
        let now = wire.now();
        let ops = view.operations().filter(|o| !o.is_open()).map(|o| {
            let vm = o.vm_id().map_or(o.target.name(), |v| v.as_str());
            (o.id.as_str(), o.finished_at, o.phase, vm)
        });
        // A workflow waiting for a check has no end yet: it closed when it was first seen so.
        let wfs = view
            .workflows()
            .filter(|w| !w.is_open())
            .map(|w| (w.id.as_str(), w.finished_at, w.phase, w.vm_id.as_str()));
        for (id, finished, phase, vm) in ops.chain(wfs) {
            let seen = self.closes.get(id);
            let same = |c: &Close| c.phase == phase && finished.is_none_or(|at| at == c.at);
            if seen.is_some_and(same) {
                continue;
            }
            let at = finished.unwrap_or(now);
            let fact = wire.w.sim.vm_fact(self.dialect.slug(), vm);
            self.closes
                .insert(id.to_string(), Close { at, phase, fact });
        }
    }
}
