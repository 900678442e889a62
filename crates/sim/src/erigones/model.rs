//! What the Erigones simulator keeps: its tasks and their kinds, VMs with their disks and NICs.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    Start,
    Stop,
    Reboot,
    /// `GET`/`PUT …/status/current/`: ask the compute node.
    Current,
    /// `stop {unfreeze}` done at once.
    Unfreeze,
    /// `POST /vm/{host}/` on a `notcreated` VM.
    Deploy,
    /// `POST /vm/{host}/ {recreate, force}` on a stopped VM.
    Recreate,
    /// `DELETE /vm/{host}/`.
    Undeploy,
    /// `POST /vm/{host}/snapshot/{snapname}/`.
    SnapCreate,
    /// `PUT /vm/{host}/snapshot/{snapname}/` without `note`.
    SnapRollback,
    /// `DELETE /vm/{host}/snapshot/{snapname}/`, or several at once (`…/snapshot/`).
    SnapDelete,
    /// `POST /vm/{host}/backup/{bkpdef}/`.
    BackupCreate,
    /// `PUT /vm/{host}/backup/{bkpname}/` without `note` (the task is the target VM's).
    BackupRestore,
    /// `DELETE /vm/{host}/backup/{bkpname}/`, or several at once (`…/backup/`).
    BackupDelete,
}

impl Kind {
    pub(super) fn action(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Stop | Kind::Unfreeze => "stop",
            Kind::Reboot => "reboot",
            Kind::Current => "current",
            Kind::Deploy => "create",
            Kind::Recreate => "recreate",
            Kind::Undeploy => "delete",
            Kind::SnapCreate => "snapshot",
            Kind::SnapRollback => "snapshot/rollback",
            Kind::SnapDelete => "snapshot/delete",
            Kind::BackupCreate => "backup",
            Kind::BackupRestore => "backup/restore",
            Kind::BackupDelete => "backup/delete",
        }
    }

    pub(super) fn msg(self) -> &'static str {
        match self {
            Kind::Start => "Start server",
            Kind::Stop => "Stop server",
            Kind::Reboot => "Reboot server",
            Kind::Current => "Get server status",
            Kind::Unfreeze => "Unfreeze server",
            Kind::Deploy => "Create server",
            Kind::Recreate => "Recreate server",
            Kind::Undeploy => "Delete server",
            Kind::SnapCreate => "Create snapshot",
            Kind::SnapRollback => "Rollback snapshot",
            Kind::SnapDelete => "Delete snapshot",
            Kind::BackupCreate => "Create backup",
            Kind::BackupRestore => "Restore backup",
            Kind::BackupDelete => "Delete backup",
        }
    }

    pub(super) fn view(self) -> &'static str {
        match self {
            Kind::Current => "vm_status_current",
            Kind::Deploy | Kind::Recreate | Kind::Undeploy => "vm_manage",
            Kind::SnapCreate | Kind::SnapRollback | Kind::SnapDelete => "vm_snapshot",
            Kind::BackupCreate | Kind::BackupRestore | Kind::BackupDelete => "vm_backup",
            _ => "vm_status",
        }
    }

    /// An action of the ground-truth log (not a status read, not an unfreeze done at once).
    pub(super) fn is_action(self) -> bool {
        !matches!(self, Kind::Current | Kind::Unfreeze)
    }

    /// A task on snapshots or backups: it holds their lock, not the VM's status lock.
    pub(super) fn on_points(self) -> bool {
        matches!(
            self,
            Kind::SnapCreate
                | Kind::SnapRollback
                | Kind::SnapDelete
                | Kind::BackupCreate
                | Kind::BackupRestore
                | Kind::BackupDelete
        )
    }

    /// A status action (start, stop, reboot) or a deploy/recreate/undeploy: the VM's own lock.
    pub(super) fn holds_vm_lock(self) -> bool {
        self.is_action() && !self.on_points()
    }
}

#[derive(Clone, Debug)]
pub(super) struct Task {
    pub(super) id: String,
    pub(super) vm: usize,
    pub(super) kind: Kind,
    pub(super) method: &'static str,
    /// Who started it (an index into [`USERS`](super::auth::USERS)).
    pub(super) user: usize,
    pub(super) created: u64,
    pub(super) started: u64,
    pub(super) ends: u64,
    pub(super) ok: bool,
    pub(super) fail_detail: String,
    pub(super) revoked: Option<u64>,
    pub(super) applied: bool,
    pub(super) prev_status: String,
    pub(super) freeze: bool,
    pub(super) force: bool,
    pub(super) result: Option<Value>,
    /// The task's entry in the ground-truth log (actions only).
    pub(super) log: Option<u64>,
    /// The snapshots or backups it works on (indices into `Erigones::points`).
    pub(super) points: Vec<usize>,
    /// A backup restore: the target VM's disk it writes (1-based).
    pub(super) disk: u32,
    /// A start's `cdimage`: the ISO the VM boots from.
    pub(super) cdimage: Option<String>,
}

impl Task {
    pub(super) fn finished_at(&self) -> u64 {
        self.revoked.unwrap_or(self.ends)
    }

    pub(super) fn state(&self, now: u64) -> &'static str {
        match self.revoked {
            Some(t) if t <= now => "REVOKED",
            _ if now < self.started => "PENDING",
            _ if now < self.ends => "STARTED",
            _ if self.ok => "SUCCESS",
            _ => "FAILURE",
        }
    }

    pub(super) fn pending(&self, now: u64) -> bool {
        matches!(self.state(now), "PENDING" | "STARTED")
    }
}

/// A disk definition: an image (index into [`catalogue::IMAGES`]) or a blank disk.
#[derive(Clone, Debug)]
pub(super) struct Disk {
    pub(super) image: Option<usize>,
    pub(super) size: u32,
    pub(super) model: &'static str,
}

/// A NIC definition on one of [`NETWORKS`](super::catalogue::NETWORKS).
#[derive(Clone, Debug)]
pub(super) struct Nic {
    pub(super) net: usize,
    pub(super) ip: String,
    pub(super) mac: String,
    pub(super) model: &'static str,
}

#[derive(Clone, Debug)]
pub(super) struct Vm {
    pub(super) hostname: String,
    pub(super) uuid: String,
    pub(super) alias: String,
    pub(super) status: String,
    pub(super) status_change: u64,
    pub(super) booted_at: u64,
    /// An index into [`USERS`](super::auth::USERS).
    pub(super) owner: usize,
    /// An index into [`DCS`](super::catalogue::DCS).
    pub(super) dc: usize,
    /// An index into [`NODES`](super::catalogue::NODES); `None` until a deploy picks one.
    pub(super) node: Option<usize>,
    pub(super) vcpus: u32,
    /// MB.
    pub(super) ram: u32,
    pub(super) ostype: u8,
    pub(super) template: Option<usize>,
    pub(super) tags: Vec<String>,
    pub(super) disks: Vec<Disk>,
    pub(super) nics: Vec<Nic>,
    pub(super) created: u64,
    /// Undefined: `404`, in no list (kept so that task indices stay valid).
    pub(super) gone: bool,
    /// The snapshot or backup (its name) its disk was last restored from (ground truth).
    pub(super) restored_from: Option<String>,
}

impl Vm {
    pub(super) fn windows(&self) -> bool {
        self.ostype == 4
    }

    /// The OS is installed: disk 1 came from an image (a blank disk is not until marked so, which
    /// this simulator does not offer). A VM owner's snapshot or backup of a VM that is not
    /// answers `428`.
    pub(super) fn installed(&self) -> bool {
        self.disks.first().is_some_and(|d| d.image.is_some())
    }
}

/// A snapshot or a backup (`backup`) of disk `disk_id` of a VM.
#[derive(Clone, Debug)]
pub(super) struct Point {
    /// The VM it was taken of (index into `Erigones::vms`).
    pub(super) vm: usize,
    pub(super) backup: bool,
    /// The provider's numeric id (newer points have higher ones).
    pub(super) id: u64,
    pub(super) name: String,
    pub(super) disk_id: u32,
    pub(super) note: String,
    /// The definition that took it (automatic) or the backup definition it was taken with.
    pub(super) define: Option<String>,
    /// Type: snapshots `1` automatic / `2` manual; backups `1` dataset / `2` file.
    pub(super) kind: u8,
    pub(super) created: u64,
    /// Bytes, once taken.
    pub(super) size: u64,
    /// MB: the size of the disk it holds (a restore needs a target disk of that size).
    pub(super) disk_size: u32,
    /// Seconds its backup took.
    pub(super) time: u64,
    /// When it shows status `1` (its create task's end, plus the lag fault); `NEVER` while its
    /// create task is stuck.
    pub(super) ready_at: u64,
    /// Status `4`: its data is gone from the node.
    pub(super) lost: bool,
    /// Deleted, or removed with its failed create.
    pub(super) gone: bool,
    /// Backups: the node and zpool holding it.
    pub(super) node: &'static str,
    pub(super) zpool: &'static str,
}

/// A snapshot or backup definition (`backup`) of a VM's disk: automatic points on a schedule.
#[derive(Clone, Debug)]
pub(super) struct Define {
    pub(super) vm: usize,
    pub(super) backup: bool,
    pub(super) name: String,
    pub(super) disk_id: u32,
    /// A UTC cron line.
    pub(super) schedule: String,
    pub(super) retention: u64,
    pub(super) active: bool,
    pub(super) desc: String,
    pub(super) fsfreeze: bool,
    /// Backups: `1` dataset, `2` file.
    pub(super) kind: u8,
    pub(super) node: &'static str,
    pub(super) zpool: &'static str,
    pub(super) compression: u64,
    pub(super) bwlimit: Option<u64>,
}
