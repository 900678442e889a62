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
        }
    }

    pub(super) fn view(self) -> &'static str {
        match self {
            Kind::Current => "vm_status_current",
            Kind::Deploy | Kind::Recreate | Kind::Undeploy => "vm_manage",
            _ => "vm_status",
        }
    }

    pub(super) fn is_action(self) -> bool {
        !matches!(self, Kind::Current | Kind::Unfreeze)
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
}

impl Vm {
    pub(super) fn windows(&self) -> bool {
        self.ostype == 4
    }
}
