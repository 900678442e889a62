//! A VM as the provider shows it.

use serde::{Deserialize, Serialize};

use crate::ids::VmId;

/// What the VM's power looks like, as far as the provider says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PowerState {
    Running,
    Stopped,
    Starting,
    Stopping,
    Rebooting,
    /// Some other change is under way (provisioning, resizing, processing, deleting…).
    Busy,
    /// A value this version does not know, kept as the provider sent it.
    Unknown(String),
}

impl PowerState {
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            PowerState::Starting | PowerState::Stopping | PowerState::Rebooting | PowerState::Busy
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    pub vcpus: Option<u32>,
    pub memory_gb: Option<u32>,
    pub disk_gb: Option<u32>,
    /// A named size or flavor, where the provider has them.
    pub flavor: Option<String>,
}

/// One IP address of a VM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub ip: String,
    /// 4 or 6.
    pub version: u8,
    /// Reachable from the internet (else a private / internal address).
    pub public: bool,
    /// Its reverse DNS name (PTR), where the provider shows one (ONETSolutions'
    /// `reverse_dns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_dns: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vm {
    pub id: VmId,
    pub name: String,
    pub power: PowerState,
    /// The provider's own status text, shown as is.
    pub status_raw: String,
    /// The provider holds a lock on the VM (an action is running): nothing else may start.
    pub locked: bool,
    pub size: Size,
    pub region: Option<String>,
    pub image: Option<String>,
    /// The image's identity as the provider's create and rebuild take it (cloudsfor's distro,
    /// ONETSolutions' image id), where the VM shows it: what a rebuild is verified against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// How many snapshots the VM has, where the provider says.
    pub snapshot_count: Option<usize>,
    /// The provider's grouping the VM lives in, where its URLs need it (ZennoHosting's project).
    #[serde(default)]
    pub project: Option<String>,
    /// Its IP addresses, public first, where the provider lists them.
    #[serde(default)]
    pub addresses: Vec<Address>,
    /// How long it has been up, in seconds, as the answer that carried it said (Erigones'
    /// `uptime`). The inventory turns it into the moment the VM came up (counted from when the
    /// data was asked for) and keeps no copy here, so a VM's data does not change by the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime_s: Option<u64>,
    /// The provider's feature switches on the VM, as given (cloudsfor's `features`:
    /// `"backups"` while automatic backups are on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// The private networks it is joined to, where the provider lists them on the VM
    /// (ZennoHosting's `networks[]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<VmNetwork>,
    /// The VPC it is in, where the provider says (ONETSolutions' `vpc.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// The answer carried the VM's status but not its addresses and size (Erigones'
    /// `/vm/status/`): those are not "none", they were not said, and the last full read's stand.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub status_only: bool,
    /// The guest's hostname, where the provider shows it (ONETSolutions' `hostname`; changed by
    /// [`crate::Action::SetHostname`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// A VM's place in a private network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmNetwork {
    /// The network's id.
    pub id: String,
    /// The address the provider assigned it there (`None`: not shown yet).
    pub internal_ip: Option<String>,
}

impl Vm {
    /// Completes a status-only read with the addresses and size a full read of the same VM
    /// gave; a full read is left as it is.
    pub fn complete_from(&mut self, full: &Vm) {
        if self.status_only && !full.status_only {
            self.addresses = full.addresses.clone();
            self.size = full.size.clone();
            self.status_only = false;
        }
    }

    /// The address a user looks for first: the first public IPv4, else any public, else any.
    pub fn primary_address(&self) -> Option<&Address> {
        self.addresses
            .iter()
            .find(|a| a.public && a.version == 4)
            .or_else(|| self.addresses.iter().find(|a| a.public))
            .or_else(|| self.addresses.first())
    }
}
