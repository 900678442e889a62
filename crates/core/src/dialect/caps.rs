//! A provider's facts, in one value per dialect: what it offers, how fast it may be asked, what
//! one request can tell about many operations, who forces a stop, its limits. The engine and
//! the page ask these; nothing else tests which dialect it is talking to.

use crate::dialect::DialectKind;
use crate::model::{ActionKind, Addressed, RefKind};
use crate::time::Millis;
use crate::words::Refusal;

/// A sustained request rate and how many may go at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

/// The kinds of credentials a provider takes, for the settings form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CredentialKind {
    /// HTTP Basic: user (an e-mail address) and password.
    Basic,
    /// `Authorization: Bearer`.
    Bearer,
    /// Erigones' `ES-API-KEY` header.
    ApiKey,
    /// Erigones' login flow: username and password for a one-hour token.
    Login,
}

/// Where a new VM goes, as the provider calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Place {
    Region,
    Zone,
    Location,
    /// ZennoHosting: a project (its SSH keys are the project's).
    Project,
}

/// How a new VM's size is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sizing {
    /// From the provider's list of sizes (flavors, tariffs, plans).
    Catalogue,
    /// Free amounts within bounds (Erigones: `vcpus` 1–1024, `ram` in MB).
    Amounts { max_vcpus: u64, max_ram_mb: u64 },
}

/// Creating VMs, where the provider offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateCaps {
    /// Only an administrator role may create (Erigones): a user whose catalogue reads are
    /// refused is told so before filling the form in.
    pub needs_admin: bool,
    /// The answer carries no id: the new VM is found by its name in the list (ZennoHosting),
    /// so the name must be unique on the connection.
    pub finds_new_by_name: bool,
    /// A new VM is ready only once it lists an IP address (cloudsfor, Hostway).
    pub addressed_when_ready: bool,
    /// Of those, a public one: the provider's "ready" names its public addresses (Hostway's
    /// `addresses.public`).
    pub public_when_ready: bool,
    /// What the form's [`crate::catalogue::Part::Regions`] choice is at this provider (a region,
    /// a zone, a location, ZennoHosting's project); `None`: the form has no such choice.
    pub place: Option<Place>,
    pub sizing: Sizing,
    /// The form asks for a network (Erigones' NIC).
    pub network_required: bool,
    /// The form asks for a security group (Hostway).
    pub security_group_required: bool,
    /// The provider takes SSH keys with the create.
    pub ssh_keys: bool,
    /// The provider may generate a root password and show it once (Hostway).
    pub shows_password_once: bool,
    /// Automatic backups can be turned on with the create, and only then (cloudsfor's
    /// `"backups": true`): the form offers it.
    pub backups: bool,
    /// A new public IP address can come with the VM, priced apart from its size
    /// (ZennoHosting's `publicIpMode`: `new`, else `none`): the form offers it.
    pub public_ip: bool,
}

impl CreateCaps {
    /// Which addresses a new VM lists once it is ready.
    pub fn addressed(&self) -> Addressed {
        match (self.addressed_when_ready, self.public_when_ready) {
            (_, true) => Addressed::Public,
            (true, false) => Addressed::Any,
            (false, false) => Addressed::No,
        }
    }
}

/// Deleting VMs, where the provider offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeleteCaps {
    /// Only a stopped VM may be deleted (Erigones' undeploy): a running one is forced off first,
    /// as a step of the delete.
    pub needs_stopped: bool,
    /// Only an administrator role may delete (Erigones).
    pub needs_admin: bool,
}

/// Rebuilding (reinstalling) a VM from an image, where the provider offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebuildCaps {
    /// The provider redeploys the VM's own definition, same image (Erigones' recreate): the
    /// picker offers only the current image ([`crate::model::CURRENT_IMAGE`]). Elsewhere the
    /// image is chosen from the catalogue's [`crate::catalogue::Part::Images`].
    pub current_image_only: bool,
    /// Only a stopped VM may be rebuilt (Erigones): a running one is refused before sending.
    pub needs_stopped: bool,
    /// The rebuilt VM ends running (ONETSolutions: "Instance `running`"; Erigones: the redeploy
    /// starts it): verified besides the image.
    pub ends_running: bool,
}

/// Snapshot rules the console checks before sending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotCaps {
    /// At most this many per VM (Hostway: 3).
    pub max_per_vm: Option<usize>,
    /// Names must be unique per VM (Hostway).
    pub unique_names: bool,
    /// Takes a description besides the name (Hostway).
    pub description: bool,
    /// Refused for a VM with extra volumes (Hostway).
    pub refused_with_extra_volumes: bool,
    /// The provider's demo accounts refuse snapshots (cloudsfor).
    pub demo_accounts_refuse: bool,
}

/// Everything the console needs to know about a provider, besides its requests.
#[derive(Clone, Debug, PartialEq)]
pub struct Caps {
    pub kind: DialectKind,
    /// Every action this provider offers on a VM, in the order the console shows them.
    pub actions: &'static [ActionKind],
    /// The request budget Vigil keeps to, below the provider's rate limit.
    pub rate_limit: RateLimit,
    pub credentials: &'static [CredentialKind],
    /// What a real base URL looks like, for the settings form.
    pub example_base: &'static str,
    /// The kinds of task reference one observe-many request covers.
    pub observe_many: &'static [RefKind],
    /// An observe-many answer lists every pending task of every VM it covers (Erigones'
    /// `/vm/status/`): an operation missing from it has certainly ended, and the VM data of that
    /// same answer was read after it ended.
    pub observe_many_complete: bool,
    /// One request re-reads many VMs at once (Erigones' `/vm/status/`).
    pub read_many: bool,
    /// A page of the VM list carries every field a single read does (cloudsfor, ONETSolutions):
    /// verifications due together re-read the page their VMs were listed on, in one request.
    pub list_details: bool,
    /// One request lists the VMs in a power state (Hostway `?status=ACTIVE`).
    pub power_list: bool,
    /// The provider cancels a running task on request (Erigones).
    pub cancel: bool,
    /// The provider forces an ignored graceful stop or reboot off itself after these many
    /// seconds (Erigones: 180, and 300 for Windows guests, which its VM data does not tell).
    pub forces_after_s: &'static [u32],
    /// A graceful stop takes a grace period and the provider forces at its end (Erigones'
    /// `stop {"force": false, "timeout": N}`): the Stop workflow is one request.
    pub forces_stop: bool,
    /// A forced power off may be sent while the graceful shutdown's task still runs (Erigones).
    /// Elsewhere the VM is locked by the running task and the power off waits for it.
    pub forces_over_running_shutdown: bool,
    /// Resizes to a named flavor rather than to vCPU/RAM/disk amounts (Hostway).
    pub resizes_by_flavor: bool,
    /// Resizes to one of the sizes its catalogue lists (ONETSolutions: `resize_vps` takes a
    /// `size_id`): [`crate::resize::sizes`] offers them.
    pub resizes_to_catalogue_size: bool,
    pub snapshots: SnapshotCaps,
    /// Snapshots and backups: what is offered, and why not.
    pub points: super::PointCaps,
    /// Private networks, public IPs and port forwards, and why not where not.
    pub net: super::NetCaps,
    /// A VM's addresses, reverse DNS, firewall, host refresh and console, and why not.
    pub vm_net: super::VmNetCaps,
    /// Block-storage volumes, and why not where not.
    pub volumes: super::VolCaps,
    /// How long the provider usually queues a task before it runs, added to every duration
    /// prior.
    pub queue_delay: Millis,
    /// The provider reports nothing about an action but a busy status while it runs (Hostway's
    /// `PROCESSING`): the resource settling again after acceptance is its whole report, and
    /// proves an action that leaves the VM as it found it (see [`crate::model::Proof`]).
    pub settles_as_report: bool,
    /// A VM is read through the place its list showed it in (ZennoHosting's project, from the
    /// list's cursor): one the list has not shown yet — after a reload, a takeover — is not
    /// read on its own until the listing has placed it.
    pub reads_by_list_place: bool,
    pub create: Option<CreateCaps>,
    pub delete: Option<DeleteCaps>,
    /// `None`: the provider publishes no rebuild (Hostway, ZennoHosting), said as
    /// [`Refusal::NoRebuild`].
    pub rebuild: Option<RebuildCaps>,
    /// The provider's own history of operations ([`super::Dialect::activity_request`]), or why
    /// there is none.
    pub activity: super::Avail,
}

impl Caps {
    pub fn offers(&self, kind: ActionKind) -> bool {
        match kind {
            ActionKind::Create => self.create.is_some(),
            ActionKind::Delete => self.delete.is_some(),
            ActionKind::Rebuild => self.rebuild.is_some() && self.actions.contains(&kind),
            k if k.point_kind().is_some() => self.points.avail(k).is_some_and(|a| a.offered()),
            k if self.net.avail(k).is_some() => self.net.avail(k).is_some_and(|a| a.offered()),
            k if self.vm_net.avail(k).is_some() => {
                self.vm_net.avail(k).is_some_and(|a| a.offered())
            }
            k if self.volumes.avail(k).is_some() => {
                self.volumes.avail(k).is_some_and(|a| a.offered())
            }
            k => self.actions.contains(&k),
        }
    }

    /// How this provider rebuilds a VM, or why it does not.
    pub fn rebuild(&self) -> Result<RebuildCaps, Refusal> {
        self.rebuild.ok_or(Refusal::NoRebuild {
            provider: self.kind,
        })
    }

    pub fn observes_many(&self, r: RefKind) -> bool {
        self.observe_many.contains(&r)
    }

    /// When, after acceptance, the provider forces this action if the guest ignores it.
    pub fn forced_after(&self, action: &crate::model::Action) -> Vec<Millis> {
        use crate::model::Action;
        match action {
            Action::Shutdown | Action::Reboot => self
                .forces_after_s
                .iter()
                .map(|s| Millis::from(*s) * 1000)
                .collect(),
            Action::ShutdownWithin { timeout_s } if self.forces_stop => {
                vec![Millis::from(*timeout_s) * 1000]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::DialectKind;

    /// Per the sheets' create bodies: cloudsfor's `"backups": true`, ZennoHosting's
    /// `publicIpMode`; nobody else takes either.
    #[test]
    fn what_a_create_takes_besides_the_basics() {
        for &d in DialectKind::ALL {
            let create = d.caps().create.expect("every dialect creates VMs");
            assert_eq!(create.backups, d == DialectKind::Cloudsfor, "{d:?}");
            assert_eq!(create.public_ip, d == DialectKind::ZennoHosting, "{d:?}");
        }
    }
}
