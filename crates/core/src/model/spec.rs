//! What an action carries: a resize, a new VM's or volume's choices, a start from ISO.

use serde::{Deserialize, Serialize};

use crate::model::Size;
use crate::words::Refusal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resource {
    Cpu,
    Ram,
    Disk,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Ram => "ram",
            Resource::Disk => "disk",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resize {
    /// One resource: `{"resource": "ram", "size": 2}`.
    One { resource: Resource, size: u32 },
    /// All at once: `{"data": {"cpu": 2, "ram": 3, "disk": 30}}`.
    All { cpu: u32, ram: u32, disk: u32 },
    /// To a named flavor (Hostway).
    Flavor { id: String },
    /// To a size of the provider's catalogue (ONETSolutions' `size_id`), which the VM then
    /// shows by `name`.
    Size { id: String, name: String },
}

impl Resize {
    /// The resize that takes a VM of size `from` to `cpu` vCPUs, `ram` GB and `disk` GB: the
    /// one-resource form when only one changes (as the documents show it), all three otherwise.
    pub fn to_target(from: &Size, cpu: u32, ram: u32, disk: u32) -> Result<Resize, Refusal> {
        let changed: Vec<(Resource, u32)> = [
            (Resource::Cpu, cpu, from.vcpus),
            (Resource::Ram, ram, from.memory_gb),
            (Resource::Disk, disk, from.disk_gb),
        ]
        .into_iter()
        .filter(|(_, new, old)| Some(*new) != *old)
        .map(|(r, new, _)| (r, new))
        .collect();
        match changed.as_slice() {
            [] => Err(Refusal::ResizeChangesNothing),
            [(resource, size)] => Ok(Resize::One {
                resource: *resource,
                size: *size,
            }),
            _ => Ok(Resize::All { cpu, ram, disk }),
        }
    }
}

/// What a new VM is made of, as chosen in the create form from the provider's catalogues (see
/// [`crate::catalogue`]). Each field holds the catalogue's own id; a dialect uses the fields its
/// provider takes. Never a password: a provider that generates one shows it once, unkept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmSpec {
    pub name: String,
    /// cloudsfor region name, ONETSolutions location id, Hostway zone id.
    #[serde(default)]
    pub region: Option<String>,
    /// cloudsfor size slug, ZennoHosting tariff id, ONETSolutions size id, Hostway flavor href.
    #[serde(default)]
    pub size: Option<String>,
    /// ZennoHosting configuration profile id.
    #[serde(default)]
    pub configuration: Option<String>,
    /// cloudsfor distro, ZennoHosting / ONETSolutions image id, Erigones image name, Hostway
    /// image href.
    pub image: String,
    /// ONETSolutions' `os_name`, Erigones' `ostype` number (as text), where the image says.
    #[serde(default)]
    pub os: Option<String>,
    /// Free amounts where the provider has no sizes (Erigones).
    #[serde(default)]
    pub vcpus: Option<u32>,
    #[serde(default)]
    pub ram_mb: Option<u32>,
    #[serde(default)]
    pub disk_gb: Option<u32>,
    /// Erigones network name, ONETSolutions VPC id.
    #[serde(default)]
    pub network: Option<String>,
    /// Hostway security group href.
    #[serde(default)]
    pub security_group: Option<String>,
    #[serde(default)]
    pub ssh_keys: Vec<String>,
    /// cloudsfor: automatic backups from the start.
    #[serde(default)]
    pub backups: bool,
    /// ZennoHosting: a new public IP with the VM (priced apart).
    #[serde(default)]
    pub public_ip: bool,
}

/// A new block-storage volume, as the create form gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeSpec {
    /// Sent where the provider takes a name ([`crate::dialect::VolCaps::named`]); empty where
    /// it names volumes itself (ONETSolutions).
    pub name: String,
    pub size_gb: u32,
    /// cloudsfor: the region (a volume attaches only to VMs of its region).
    #[serde(default)]
    pub region: Option<String>,
}

/// How a VM starts from ISO (Erigones' start options): `cdimage` the ISO it boots from,
/// `once` (`cdimage_once`) for this boot only (else until changed), `cdimage2` a second ISO
/// attached (drivers, say), `update` the definition's pending changes applied with the start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootFrom {
    pub cdimage: String,
    pub once: bool,
    #[serde(default)]
    pub cdimage2: Option<String>,
    pub update: bool,
}
