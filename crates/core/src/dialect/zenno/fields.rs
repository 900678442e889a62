//! A ZennoHosting VM's status fields, and what they say of its power and lock.

use serde_json::Value;

use crate::dialect::{address, public_first, uint32};
use crate::ids::VmId;
use crate::json::text;
use crate::model::{Address, PowerState, Size, Vm};
use crate::time::{parse_rfc3339, Millis};

/// The VM's status fields, as sent (`null` and empty strings count as absent).
#[derive(Debug)]
pub(super) struct Fields {
    pub(super) state: Option<String>,
    pub(super) operation: Option<String>,
    pub(super) status: Option<String>,
    pub(super) boot: Option<String>,
    pub(super) updated: Option<Millis>,
}

impl Fields {
    pub(super) fn of(v: &Value) -> Fields {
        let get = |k: &str| text(v, k).filter(|s| !s.trim().is_empty());
        Fields {
            state: get("state"),
            operation: get("operation"),
            status: get("operationStatus"),
            boot: get("bootStatus"),
            updated: get("updatedAt").and_then(|t| parse_rfc3339(&t)),
        }
    }

    /// An operation holds the VM: `pending`, `in_progress`, or a status this version does not
    /// know (which counts as not finished).
    pub(super) fn active(&self) -> bool {
        match self.status.as_deref() {
            None | Some("succeeded") | Some("failed") => false,
            Some(_) => true,
        }
    }

    /// `bootStatus` is what the state implies (`running`/`booted`, `stopped`/`stopped`) or absent.
    pub(super) fn boot_settled(&self) -> bool {
        matches!(
            (self.state.as_deref(), self.boot.as_deref()),
            (_, None) | (Some("running"), Some("booted")) | (Some("stopped"), Some("stopped"))
        )
    }

    /// `reboot in_progress`, or `idle` when no operation is shown.
    pub(super) fn op_text(&self) -> String {
        match (&self.operation, &self.status) {
            (Some(op), Some(st)) => format!("{op} {st}"),
            (Some(op), None) => op.clone(),
            (None, Some(st)) => st.clone(),
            (None, None) => "idle".into(),
        }
    }

    /// The state, and the boot status where it is not what the state implies: `running`,
    /// `stopped · boot failed`, `running · boot booting`.
    pub(super) fn state_text(&self) -> String {
        let mut parts = vec![self.state.clone().unwrap_or_else(|| "(no state)".into())];
        if let Some(b) = self.boot.as_deref().filter(|_| !self.boot_settled()) {
            parts.push(format!("boot {b}"));
        }
        parts.join(" · ")
    }

    /// What the VM's row shows: `running`, `stopped · boot failed`,
    /// `running · boot stopping · reboot in_progress`.
    pub(super) fn status_text(&self) -> String {
        if self.active() {
            format!("{} · {}", self.state_text(), self.op_text())
        } else {
            self.state_text()
        }
    }

    pub(super) fn power(&self) -> PowerState {
        let boot = self.boot.as_deref();
        if self.active() {
            return match (self.operation.as_deref(), boot) {
                (Some("reboot"), _) => PowerState::Rebooting,
                (_, Some("booting")) => PowerState::Starting,
                (_, Some("stopping")) => PowerState::Stopping,
                (Some("start" | "create"), _) => PowerState::Starting,
                (Some("stop"), _) => PowerState::Stopping,
                _ => PowerState::Busy,
            };
        }
        match (self.state.as_deref(), boot) {
            (_, Some("booting")) => PowerState::Starting,
            (_, Some("stopping")) => PowerState::Stopping,
            (Some("running"), None | Some("booted")) => PowerState::Running,
            // A failed boot leaves the VM stopped: it may be started again.
            (Some("stopped"), None | Some("stopped" | "failed")) => PowerState::Stopped,
            (Some("running" | "stopped"), Some(b @ ("booted" | "stopped" | "failed"))) => {
                // Known values that contradict each other.
                PowerState::Unknown(format!("{} / {b}", self.state.as_deref().unwrap_or("")))
            }
            (Some("running" | "stopped"), Some(b)) => PowerState::Unknown(b.to_string()),
            (Some(s), _) => PowerState::Unknown(s.to_string()),
            (None, _) => PowerState::Unknown("(no state)".into()),
        }
    }
}

pub(super) fn parse_vm(v: &Value, project: Option<&str>) -> Option<Vm> {
    let id = text(v, "id").filter(|s| !s.is_empty())?;
    let f = Fields::of(v);
    let size = |k: &str| uint32(v, k);
    Some(Vm {
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: f.power(),
        status_raw: f.status_text(),
        locked: f.active(),
        size: Size {
            vcpus: size("cpu"),
            memory_gb: size("ramGb"),
            disk_gb: size("diskGb"),
            flavor: None,
        },
        region: None,
        image: None,
        snapshot_count: None,
        project: project.map(str::to_string),
        addresses: addresses(v),
        image_id: None,
        uptime_s: None,
        features: Vec::new(),
        networks: networks(v),
        vpc: None,
        status_only: false,
        hostname: None,
    })
}

/// `publicIp: {id, address}` (or `null`), then `networks[]` `{networkId, internalIp}`.
fn addresses(v: &Value) -> Vec<Address> {
    let public = v
        .get("publicIp")
        .and_then(|p| text(p, "address"))
        .and_then(|ip| address(&ip, true));
    let internal = v
        .get("networks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| address(&text(n, "internalIp")?, false));
    public_first(public.into_iter().chain(internal))
}

/// `networks[]` `{networkId, internalIp}`: the networks the VM is joined to (entries without a
/// network id are skipped; an internal address that is no address is "not shown").
fn networks(v: &Value) -> Vec<crate::model::VmNetwork> {
    v.get("networks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| {
            let id = text(n, "networkId").filter(|s| !s.trim().is_empty())?;
            let internal_ip = text(n, "internalIp").filter(|ip| address(ip, false).is_some());
            Some(crate::model::VmNetwork { id, internal_ip })
        })
        .collect()
}
