//! What the ONETSolutions simulator keeps about its tasks: their kinds, effects and attempts.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    Start,
    Stop,
    Reboot,
    Shutdown,
    Reset,
    Create,
    Delete,
    Reinstall,
    ChangeHostname,
    Resize,
    CreateSnapshot,
    DeleteSnapshot,
    RestoreSnapshot,
    CreateImage,
    CreateBackup,
    DeleteBackup,
    RestoreBackup,
    AssignIp,
    RemoveIp,
    UpdateReverseDns,
    UpdateVpc,
    ApplyFirewall,
    SyncVpsState,
    GetVncUrl,
    CreateVolume,
    AttachVolume,
    DetachVolume,
    ResizeVolume,
    DeleteVolume,
}

impl Kind {
    /// The actions `POST /compute/instances/{id}/{verb}` takes.
    pub(super) fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "start" => Kind::Start,
            "stop" => Kind::Stop,
            "reboot" => Kind::Reboot,
            "shutdown" => Kind::Shutdown,
            "reset" => Kind::Reset,
            _ => return None,
        })
    }

    /// The word in the action's URL (the ground truth's action name).
    pub(super) fn verb(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Stop => "stop",
            Kind::Reboot => "reboot",
            Kind::Shutdown => "shutdown",
            Kind::Reset => "reset",
            Kind::Create => "create",
            Kind::Delete => "delete",
            Kind::Reinstall => "reinstall",
            k => k.task_type(),
        }
    }

    pub(super) fn task_type(self) -> &'static str {
        match self {
            Kind::Start => "start_vps",
            Kind::Stop => "stop_vps",
            Kind::Reboot => "reboot_vps",
            Kind::Shutdown => "shutdown_vps",
            Kind::Reset => "reset_vps",
            Kind::Create => "create_vps",
            Kind::Delete => "delete_vps",
            Kind::Reinstall => "reinstall_os",
            Kind::ChangeHostname => "change_hostname",
            Kind::Resize => "resize_vps",
            Kind::CreateSnapshot => "create_snapshot",
            Kind::DeleteSnapshot => "delete_snapshot",
            Kind::RestoreSnapshot => "restore_snapshot",
            Kind::CreateImage => "create_image_from_snapshot",
            Kind::CreateBackup => "create_backup",
            Kind::DeleteBackup => "delete_backup",
            Kind::RestoreBackup => "restore_backup",
            Kind::AssignIp => "assign_ip",
            Kind::RemoveIp => "remove_ip",
            Kind::UpdateReverseDns => "update_reverse_dns",
            Kind::UpdateVpc => "update_vpc",
            Kind::ApplyFirewall => "apply_firewall",
            Kind::SyncVpsState => "sync_vps_state",
            Kind::GetVncUrl => "get_vnc_url",
            Kind::CreateVolume => "create_volume",
            Kind::AttachVolume => "attach_volume",
            Kind::DetachVolume => "detach_volume",
            Kind::ResizeVolume => "resize_volume",
            Kind::DeleteVolume => "delete_volume",
        }
    }

    /// Issue 16's kinds: IPs, VPC, firewall, sync, console, volumes (the `lag` fault applies:
    /// the resource shows the change after the task reports `completed`).
    pub(super) fn is_issue16(self) -> bool {
        matches!(
            self,
            Kind::AssignIp
                | Kind::RemoveIp
                | Kind::UpdateReverseDns
                | Kind::UpdateVpc
                | Kind::ApplyFirewall
                | Kind::SyncVpsState
                | Kind::GetVncUrl
                | Kind::CreateVolume
                | Kind::AttachVolume
                | Kind::DetachVolume
                | Kind::ResizeVolume
                | Kind::DeleteVolume
        )
    }

    pub(super) fn median_ms(self) -> u64 {
        match self {
            Kind::Start => 15_000,
            Kind::Stop => 5_000,
            Kind::Reboot => 20_000,
            Kind::Shutdown => 30_000,
            Kind::Reset => 15_000,
            Kind::Create => 100_000,
            Kind::Delete => 20_000,
            Kind::Reinstall => 90_000,
            Kind::ChangeHostname => 5_000,
            Kind::Resize => 60_000,
            Kind::CreateSnapshot | Kind::CreateBackup => 120_000,
            Kind::DeleteSnapshot | Kind::DeleteBackup => 15_000,
            Kind::RestoreSnapshot | Kind::RestoreBackup => 120_000,
            Kind::CreateImage => 90_000,
            Kind::AssignIp | Kind::RemoveIp => 10_000,
            Kind::UpdateReverseDns | Kind::ApplyFirewall | Kind::SyncVpsState => 5_000,
            Kind::UpdateVpc => 20_000,
            Kind::GetVncUrl => 3_000,
            Kind::CreateVolume | Kind::ResizeVolume => 20_000,
            Kind::AttachVolume | Kind::DetachVolume | Kind::DeleteVolume => 10_000,
        }
    }

    /// The instance's status once the task completed (`None`: unchanged).
    pub(super) fn status_after(self) -> Option<&'static str> {
        match self {
            Kind::Stop | Kind::Shutdown => Some("stopped"),
            Kind::RestoreSnapshot | Kind::RestoreBackup => Some("stopped"),
            Kind::Delete
            | Kind::ChangeHostname
            | Kind::Resize
            | Kind::CreateSnapshot
            | Kind::DeleteSnapshot
            | Kind::CreateImage
            | Kind::CreateBackup
            | Kind::DeleteBackup => None,
            k if k.is_issue16() => None,
            _ => Some("running"),
        }
    }
}

/// What a task changes besides the status.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Effect {
    None,
    Image(usize),
    Hostname(String),
    /// A snapshot (`backup: false`) or backup of the instance (an index into its list).
    Point {
        backup: bool,
        idx: usize,
    },
    /// `resize_vps`'s new size.
    Size(usize),
    /// `assign_ip`'s new address `(address, version)`.
    AssignIp(String, u8),
    /// `remove_ip`'s address.
    RemoveIp(String),
    /// `update_reverse_dns`: `(address, ptr)`.
    Ptr(String, String),
    /// `update_vpc`'s VPC.
    Vpc(usize),
    /// `apply_firewall`'s rules.
    Firewall(Vec<crate::netfacts::FirewallRule>),
    /// `get_vnc_url`'s session id.
    Console(String),
    /// A volume task: the volume (an index into the volumes) and, for a resize, its new size.
    Volume(usize, Option<u32>),
}

#[derive(Clone, Debug)]
pub(super) struct Task {
    pub(super) id: String,
    pub(super) inst: usize,
    pub(super) kind: Kind,
    pub(super) effect: Effect,
    pub(super) created: u64,
    /// (start, end) of each attempt; all but possibly the last failed.
    pub(super) attempts: Vec<(u64, u64)>,
    pub(super) ok: bool,
    pub(super) errors: Vec<&'static str>,
    pub(super) applied: bool,
    pub(super) parameters: Value,
    /// Who started it: 0 the demo user, 1 the colleague.
    pub(super) by: usize,
    /// The lag fault: the resource shows the change this long after the task ended.
    pub(super) lag: u64,
}

impl Task {
    pub(super) fn ends(&self) -> u64 {
        self.attempts.last().map(|a| a.1).unwrap_or(self.created)
    }

    /// (status, retry_count, last transition ≤ now)
    pub(super) fn phase(&self, now: u64) -> (&'static str, u32, u64) {
        let n = self.attempts.len();
        for (k, &(s, e)) in self.attempts.iter().enumerate() {
            if now < s {
                let t = if k == 0 {
                    self.created
                } else {
                    self.attempts[k - 1].1
                };
                return ("pending", k as u32, t);
            }
            if now < e {
                return ("running", k as u32, s);
            }
        }
        let last = self.ends();
        (
            if self.ok { "completed" } else { "failed" },
            n.saturating_sub(1) as u32,
            last,
        )
    }

    pub(super) fn finished(&self, now: u64) -> bool {
        now >= self.ends()
    }

    /// When the resource shows what it did.
    pub(super) fn lands(&self) -> u64 {
        self.ends().saturating_add(self.lag)
    }
}
