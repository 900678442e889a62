//! The ground-truth log: what each simulated provider planned, at acceptance, for every action it
//! accepted, and when that action really finished.
//!
//! Benchmarks and tests read it through [`crate::Sim::completions`],
//! [`crate::Sim::latest_action`] and [`crate::Sim::scheduled_finish`]. Reading it sends no
//! request, draws no random number and counts in no statistic, so looking at the truth never
//! changes the world.
//!
//! In every dialect the task turns terminal and the VM shows its final state at the same instant
//! of the virtual clock (state changes are applied at the task's end), so one `finished_at_ms`
//! covers both. A create is over when the VM runs with its addresses (or the create failed); a
//! delete when the VM answers `404` and is absent from the lists (or the delete failed).
//!
//! [`crate::Sim::vm_fact`] and [`crate::Sim::vm_facts`] say where each VM stands now: being
//! created, running, stopped, failed, being deleted or gone ([`VmState`]).

use std::collections::VecDeque;

use crate::util::NEVER;

/// One accepted action, as the simulated provider carried it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The dialect's name, as in [`crate::PREFIXES`] (`cloudsfor`, `erigones`, …).
    pub dialect: &'static str,
    /// The id the dialect's URLs use for the VM (Erigones: the hostname).
    pub vm_id: String,
    /// The VM's name when the action was accepted (Erigones: the alias).
    pub vm_name: String,
    /// The dialect's own word for the action: `reboot`, `power_off` (cloudsfor), `stop/force`
    /// (Erigones), `os-stop`, `reboot/hard` (Hostway), `snapshot`… A VM's create is `create`
    /// and its delete `delete` in every dialect (Erigones: the deploy and the undeploy tasks,
    /// whose own log words are "Create server" / "Delete server"; its synchronous steps are
    /// `define`, `define/disk`, `define/nic` and `undefine`).
    pub action: &'static str,
    pub accepted_at_ms: u64,
    /// When the task turned terminal with the VM in its final state; `None` for a task that never
    /// finishes (the `stuck` fault). Known at acceptance; changed later only by what the API lets
    /// a client do to a running task (Erigones: a cancel, or a forced stop over a graceful one).
    pub finished_at_ms: Option<u64>,
    /// The action took effect. `false` when the task failed or was revoked, and when the provider
    /// reports success while the VM did not change (a cloudsfor shutdown the guest ignored).
    pub succeeded: bool,
    /// What the provider reports once it is over: the task's terminal status (`completed`,
    /// `errored`, `SUCCESS`, `FAILURE`, `REVOKED`, `succeeded`, `failed`) or, for Hostway, the
    /// server's or snapshot's status after the change (`ACTIVE`, `STOPPED`, `DELETED`; a
    /// failed build `DELETED`, a failed delete the status the server is back to). cloudsfor's
    /// delete has no action object: `completed`, finished the instant it was accepted; so have
    /// Erigones' synchronous `define…`/`undefine` steps (`SUCCESS`).
    pub task_status: &'static str,
    /// Whether a client can tell the outcome from the API at all. `false` only for a failure
    /// that leaves everything exactly as a success would: a Hostway reboot that failed ends with
    /// the server `ACTIVE`, as one that worked (there is no task to report it); a ZennoHosting
    /// reboot (or restore of a running VM) that failed and reports `succeeded` (the `lie` fault).
    pub visible: bool,
}

impl Completion {
    /// Whether the action is over at `now_ms` (task terminal, VM in its final state).
    pub fn finished_by(&self, now_ms: u64) -> bool {
        self.finished_at_ms.is_some_and(|t| t <= now_ms)
    }
}

/// Where one VM stands, as the simulated provider really holds it (never sent to clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmState {
    /// Its create was accepted and has not finished (cloudsfor `new` + locked, ZennoHosting
    /// `operation: create`, Erigones `deploying`, ONETSolutions `pending` with its `create_vps`
    /// task, Hostway `BUILD`).
    Creating,
    /// It exists and is powered on (an action may be running on it).
    Running,
    /// It exists and is powered off (an action may be running on it).
    Stopped,
    /// Its create failed; the provider keeps the record until it is deleted (cloudsfor `new`,
    /// ZennoHosting `operationStatus: failed`, ONETSolutions `error`, Hostway `DELETED`).
    Failed,
    /// Erigones only: defined but not deployed (`notcreated`): listed, holding no machine.
    NotCreated,
    /// Its delete was accepted and has not finished (Erigones: the undeploy).
    Deleting,
    /// Deleted: `404` to a read and absent from every list.
    Gone,
}

/// One VM of a dialect, as the simulated provider really holds it: see [`crate::Sim::vm_fact`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmFact {
    /// The dialect's name, as in [`crate::PREFIXES`].
    pub dialect: &'static str,
    /// The id the dialect's URLs use for the VM (Erigones: the hostname).
    pub vm_id: String,
    /// Its name now (Erigones: the alias).
    pub vm_name: String,
    pub state: VmState,
    /// Every address the API shows for the VM, in the API's order (public IPv4 first; Erigones:
    /// its NICs' addresses, which the definition holds before any deploy). Empty while it is
    /// being created, after a failed create and once it is gone (Erigones: once undefined).
    pub addresses: Vec<String>,
}

impl VmFact {
    /// The VM exists: listed and readable (being created, failed and not-created ones too).
    pub fn exists(&self) -> bool {
        self.state != VmState::Gone
    }

    /// The VM exists and runs.
    pub fn is_running(&self) -> bool {
        self.state == VmState::Running
    }
}

/// Which kind of recovery point: see [`PointFact`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointKind {
    Snapshot,
    Backup,
}

/// Where one snapshot or backup stands, as the simulated provider really holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointState {
    /// Being taken (Hostway `BUILD`, ONETSolutions / ZennoHosting `creating`, Erigones `2`
    /// pending); also a point whose create task already reports done while the point is not
    /// ready yet (the `lag` fault). cloudsfor's snapshots have no state of their own: one is
    /// listed only once ready.
    Creating,
    /// Usable: a restore from it and a delete of it are accepted.
    Ready,
    /// A restore / rollback from it runs (ONETSolutions, ZennoHosting `restoring`, Erigones `3`).
    Restoring,
    /// Its delete was accepted and has not finished (Hostway shows the snapshot `DELETED`).
    Deleting,
    /// Its create failed (Hostway `DELETED`, ONETSolutions `error`, ZennoHosting `failed`) or it
    /// was lost (Erigones `4`); still listed.
    Failed,
    /// Deleted (or removed with a failed create): `404` and absent from every list.
    Gone,
}

/// One snapshot or backup of a VM: see [`crate::Sim::points`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointFact {
    /// The dialect's name, as in [`crate::PREFIXES`].
    pub dialect: &'static str,
    /// The VM's id as the dialect's URLs use it (Erigones: the hostname).
    pub vm_id: String,
    pub kind: PointKind,
    /// Its id as the dialect's URLs use it (cloudsfor: the number as text; Erigones: its name).
    pub id: String,
    pub name: String,
    pub state: PointState,
    /// When it is (was) ready; `None` when it never will be (failed, stuck).
    pub ready_at_ms: Option<u64>,
}

impl PointFact {
    /// Listed by the API (every state but [`PointState::Gone`]).
    pub fn exists(&self) -> bool {
        self.state != PointState::Gone
    }
}

/// Snapshots, backups and images: the ground truth of recovery points and rebuilds.
impl crate::Sim {
    /// Every snapshot and backup the VM `vm` of `dialect` holds, or held while this world
    /// remembers it (deleted ones as [`PointState::Gone`]), oldest first, as of
    /// [`Sim::now_ms`]. `vm` as in [`Sim::vm_fact`]. Empty for an unknown VM or dialect, and
    /// for a dialect without the kind (ZennoHosting has no snapshots, Hostway no backups).
    pub fn points(&self, dialect: &str, vm: &str) -> Vec<PointFact> {
        let Some(d) = self.dialects.iter().find(|d| d.name() == dialect) else {
            return Vec::new();
        };
        let id = self.vm_fact(dialect, vm).map(|f| f.vm_id);
        d.points(id.as_deref().unwrap_or(vm), self.last_now)
    }

    /// The snapshot or backup `point` (its id, else its name; the newest of that id or name; an
    /// Erigones name can come back after a delete) of the VM
    /// `vm` of `dialect`, as of [`Sim::now_ms`].
    pub fn point(&self, dialect: &str, vm: &str, point: &str) -> Option<PointFact> {
        let all = self.points(dialect, vm);
        all.iter()
            .rev()
            .find(|p| p.id == point)
            .or_else(|| all.iter().rev().find(|p| p.name == point))
            .cloned()
    }

    /// The image the VM `vm` of `dialect` runs now, as its API names it: cloudsfor the image
    /// `id` (a snapshot's id after a rebuild from it), ONETSolutions and Hostway the image `id`,
    /// Erigones the image name of disk 1, ZennoHosting `None` (its VM shows no image).
    pub fn vm_image(&self, dialect: &str, vm: &str) -> Option<String> {
        let d = self.dialects.iter().find(|d| d.name() == dialect)?;
        let id = self.vm_fact(dialect, vm)?.vm_id;
        d.vm_image(&id)
    }

    /// The snapshot or backup (its id as the dialect's URLs use it; Erigones: its name) the disk
    /// of the VM `vm` of `dialect` was last restored from by a restore / rollback / rebuild that
    /// really took effect; `None` when none did. The one way to tell a restore that worked from
    /// one that failed where the API cannot (a Hostway restore ends `ACTIVE` either way).
    pub fn restored_from(&self, dialect: &str, vm: &str) -> Option<String> {
        let d = self.dialects.iter().find(|d| d.name() == dialect)?;
        let id = self.vm_fact(dialect, vm)?.vm_id;
        d.restored_from(&id)
    }

    /// Whether the VM `vm` of `dialect` has automatic backups on now: cloudsfor's `backups`
    /// feature, ONETSolutions' backup add-on, an active Erigones backup definition. `None` for a
    /// dialect without automatic backups or an unknown VM.
    pub fn automatic_backups(&self, dialect: &str, vm: &str) -> Option<bool> {
        let d = self.dialects.iter().find(|d| d.name() == dialect)?;
        let id = self.vm_fact(dialect, vm)?.vm_id;
        d.automatic_backups(&id, self.last_now)
    }
}

/// The log of accepted actions and where each VM stands.
impl crate::Sim {
    /// The ground truth: every action any dialect accepted, oldest first (ties in dialect order),
    /// with when it really finishes — task terminal *and* the VM in its final state — and how.
    /// Reading it sends no request and counts in no statistic. Up to the newest 100,000 actions
    /// per dialect are kept.
    pub fn completions(&self) -> Vec<Completion> {
        let mut all: Vec<Completion> = self
            .dialects
            .iter()
            .flat_map(|d| d.env().log.iter().cloned())
            .collect();
        all.sort_by_key(|c| c.accepted_at_ms);
        all
    }

    /// The newest action `dialect` (a name from [`PREFIXES`]) accepted on the VM `vm`: its id as
    /// the dialect's URLs use it (Erigones: the hostname), or its name. Known the moment the
    /// action is accepted.
    pub fn latest_action(&self, dialect: &str, vm: &str) -> Option<Completion> {
        let d = self.dialects.iter().find(|d| d.name() == dialect)?;
        d.env()
            .log
            .iter()
            .rev()
            .find(|c| c.vm_id == vm || c.vm_name == vm)
            .cloned()
    }

    /// Where the VM `vm` of `dialect` stands as of [`Sim::now_ms`] (the last request's time):
    /// being created, running, stopped, failed, being deleted or gone, with the addresses it
    /// holds. `vm` is its id as the dialect's URLs use it (Erigones: the hostname) or its name;
    /// a name used twice (a VM deleted, another created) means the newest.
    /// `None` when the dialect never held such a VM. Reading it sends nothing and changes nothing.
    pub fn vm_fact(&self, dialect: &str, vm: &str) -> Option<VmFact> {
        let facts = self.vm_facts(dialect);
        facts
            .iter()
            .find(|f| f.vm_id == vm)
            .or_else(|| facts.iter().rev().find(|f| f.vm_name == vm))
            .cloned()
    }

    /// Every VM `dialect` ever held in this world (gone ones too, as [`VmState::Gone`]), oldest
    /// first, as of [`Sim::now_ms`]; cloudsfor: both accounts'. Empty for an unknown dialect.
    pub fn vm_facts(&self, dialect: &str) -> Vec<VmFact> {
        self.dialects
            .iter()
            .find(|d| d.name() == dialect)
            .map(|d| d.facts(self.last_now))
            .unwrap_or_default()
    }

    /// When the newest action accepted on that VM finishes (see [`Sim::latest_action`]); `None`
    /// when there is none or it never finishes.
    pub fn scheduled_finish(&self, dialect: &str, vm: &str) -> Option<u64> {
        self.latest_action(dialect, vm)?.finished_at_ms
    }
}

/// A planned end on the virtual clock as a finish time (`NEVER` → `None`).
pub(crate) fn finish_at(ends: u64) -> Option<u64> {
    (ends != NEVER).then_some(ends)
}

/// One dialect's log, oldest first, bounded so a long-running demo does not grow forever.
#[derive(Clone, Debug, Default)]
pub(crate) struct Log {
    entries: VecDeque<(u64, Completion)>,
    next_key: u64,
}

impl Log {
    /// Entries kept per dialect; the oldest go first.
    pub const MAX: usize = 100_000;

    /// Records an accepted action; the key lets a later change of plan update it.
    pub fn record(&mut self, c: Completion) -> u64 {
        let key = self.next_key;
        self.next_key += 1;
        if self.entries.len() >= Self::MAX {
            self.entries.pop_front();
        }
        self.entries.push_back((key, c));
        key
    }

    /// The plan changed (a cancel, a forced stop): a new end and outcome.
    pub fn update(
        &mut self,
        key: u64,
        finished_at_ms: Option<u64>,
        succeeded: bool,
        task_status: &'static str,
    ) {
        if let Ok(i) = self.entries.binary_search_by_key(&key, |(k, _)| *k) {
            let c = &mut self.entries[i].1;
            c.finished_at_ms = finished_at_ms;
            c.succeeded = succeeded;
            c.task_status = task_status;
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Completion> {
        self.entries.iter().map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(vm: &str, at: u64) -> Completion {
        Completion {
            dialect: "cloudsfor",
            vm_id: vm.into(),
            vm_name: vm.into(),
            action: "reboot",
            accepted_at_ms: at,
            finished_at_ms: Some(at + 10),
            succeeded: true,
            task_status: "completed",
            visible: true,
        }
    }

    #[test]
    fn records_updates_and_stays_bounded() {
        let mut log = Log::default();
        let a = log.record(c("a", 1));
        let b = log.record(c("b", 2));
        log.update(a, Some(5), false, "REVOKED");
        let all: Vec<_> = log.iter().cloned().collect();
        assert_eq!(all[0].finished_at_ms, Some(5));
        assert!(!all[0].succeeded);
        assert_eq!(all[0].task_status, "REVOKED");
        assert_eq!(all[1], c("b", 2));
        log.update(b + 100, None, false, "x"); // unknown key: nothing happens
        assert_eq!(log.iter().count(), 2);
        for i in 0..Log::MAX as u64 {
            log.record(c("z", i));
        }
        assert_eq!(log.iter().count(), Log::MAX);
        assert!(log.iter().all(|e| e.vm_id == "z"));
        assert_eq!(finish_at(NEVER), None);
        assert_eq!(finish_at(7), Some(7));
        assert!(c("a", 1).finished_by(11) && !c("a", 1).finished_by(10));
    }
}
