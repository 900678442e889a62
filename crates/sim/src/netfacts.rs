//! Ground truth of issue 16's resources: networks and their attachments, public IPs and their
//! port-forward rules, volumes, firewall rules, reverse DNS and console sessions, as each
//! simulated provider really holds them now (never sent to clients).
//!
//! Read through [`crate::Sim::networks`], [`crate::Sim::network`], [`crate::Sim::public_ips`],
//! [`crate::Sim::volumes`], [`crate::Sim::volume`], [`crate::Sim::firewall`],
//! [`crate::Sim::reverse_dns`], [`crate::Sim::consoles`] and [`crate::Sim::cdimage`]. Like the
//! rest of the truth, reading sends no request, draws no random number and counts in no
//! statistic. A write "lands" in the truth at the instant the resource shows it to a client
//! (with the `lag` fault: after the task already reports done).

/// Where one network, public IP, rule or volume stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResState {
    /// Its create was accepted and has not landed (ZennoHosting `creating`/`pending`,
    /// ONETSolutions a `create_volume` task not yet shown).
    Creating,
    /// Usable, showing the values of its last write that landed.
    Ready,
    /// A change is running on it (a rule update, a volume attach/detach/resize).
    Changing,
    /// Its delete was accepted and has not landed.
    Deleting,
    /// Its create failed; still listed.
    Failed,
    /// Deleted: `404` and absent from every list.
    Gone,
}

/// A VM joined to a network, with the internal address it holds there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The VM's id as the dialect's URLs use it.
    pub vm_id: String,
    pub internal_ip: String,
}

/// One private network (ZennoHosting network, cloudsfor private network, ONETSolutions VPC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkFact {
    pub dialect: &'static str,
    pub id: String,
    pub name: String,
    /// The provider-assigned range once it is shown (ZennoHosting `cidr`, ONETSolutions
    /// `cidr_block`; cloudsfor shows none: the range its VMs' private addresses come from).
    pub cidr: Option<String>,
    pub state: ResState,
    /// The VMs joined to it now (as their own network lists show), oldest join first.
    pub attached: Vec<Attachment>,
}

/// One port-forward rule of a public IP (ZennoHosting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardFact {
    pub id: String,
    pub protocol: String,
    pub external_port: u16,
    pub vm_id: String,
    pub internal_port: u16,
    pub state: ResState,
}

/// One project public IP (ZennoHosting) or flexible IP (Hostway).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicIpFact {
    pub dialect: &'static str,
    pub id: String,
    /// `None` until the provider shows one.
    pub address: Option<String>,
    pub state: ResState,
    /// The VM it is attached to.
    pub vm_id: Option<String>,
    /// Its forwarding rules, gone ones included, oldest first.
    pub forwards: Vec<ForwardFact>,
}

/// One block-storage volume (ONETSolutions, cloudsfor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeFact {
    pub dialect: &'static str,
    pub id: String,
    pub name: String,
    pub size_gb: u32,
    pub state: ResState,
    /// ONETSolutions: the instance it belongs to (every volume task names one).
    pub owner_vm: Option<String>,
    /// The VM it is attached to now.
    pub attached_to: Option<String>,
}

/// One applied firewall rule (ONETSolutions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirewallRule {
    pub direction: String,
    pub protocol: String,
    pub port_range: Option<String>,
    pub source: String,
    pub action: String,
}

/// One console session a provider handed out (ONETSolutions `get_vnc_url`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleFact {
    pub dialect: &'static str,
    pub vm_id: String,
    pub session_id: String,
    pub url: String,
    pub expires_at_ms: u64,
}

/// Everything a dialect holds of the above, gathered in one read.
#[derive(Clone, Debug, Default)]
pub(crate) struct NetTruth {
    pub networks: Vec<NetworkFact>,
    pub public_ips: Vec<PublicIpFact>,
    pub volumes: Vec<VolumeFact>,
    /// `(vm id, applied rules)`.
    pub firewalls: Vec<(String, Vec<FirewallRule>)>,
    /// `(vm id, address, PTR)`.
    pub reverse_dns: Vec<(String, String, Option<String>)>,
    pub consoles: Vec<ConsoleFact>,
    /// `(vm id, the ISO its last start booted from)` (Erigones `cdimage`).
    pub cdimages: Vec<(String, String)>,
    /// The ids of the VMs that are frozen now (Erigones `stop {freeze}`): off, and not to be
    /// started until unfrozen.
    pub frozen: Vec<String>,
}

impl crate::Sim {
    fn net_truth(&self, dialect: &str) -> NetTruth {
        self.dialects
            .iter()
            .find(|d| d.name() == dialect)
            .map(|d| d.net_truth(self.last_now))
            .unwrap_or_default()
    }

    fn vm_key(&self, dialect: &str, vm: &str) -> String {
        self.vm_fact(dialect, vm)
            .map(|f| f.vm_id)
            .unwrap_or_else(|| vm.to_string())
    }

    /// Every network `dialect` holds or held (gone ones as [`ResState::Gone`]), as of
    /// [`crate::Sim::now_ms`]: ZennoHosting's project networks, cloudsfor's private networks
    /// (both accounts'), ONETSolutions' VPCs. Empty for a dialect without networks.
    pub fn networks(&self, dialect: &str) -> Vec<NetworkFact> {
        self.net_truth(dialect).networks
    }

    /// The network of `dialect` whose id (else name; the newest) is `network`.
    pub fn network(&self, dialect: &str, network: &str) -> Option<NetworkFact> {
        let all = self.networks(dialect);
        all.iter()
            .rev()
            .find(|n| n.id == network)
            .or_else(|| all.iter().rev().find(|n| n.name == network))
            .cloned()
    }

    /// Every public IP (ZennoHosting) or flexible IP (Hostway) with its rules, gone ones too.
    pub fn public_ips(&self, dialect: &str) -> Vec<PublicIpFact> {
        self.net_truth(dialect).public_ips
    }

    /// The public IP of `dialect` whose id or address is `ip`.
    pub fn public_ip(&self, dialect: &str, ip: &str) -> Option<PublicIpFact> {
        self.public_ips(dialect)
            .into_iter()
            .rev()
            .find(|p| p.id == ip || p.address.as_deref() == Some(ip))
    }

    /// Every volume of `dialect` (ONETSolutions, cloudsfor), gone ones too, oldest first.
    pub fn volumes(&self, dialect: &str) -> Vec<VolumeFact> {
        self.net_truth(dialect).volumes
    }

    /// The volume of `dialect` whose id (else name) is `volume`.
    pub fn volume(&self, dialect: &str, volume: &str) -> Option<VolumeFact> {
        let all = self.volumes(dialect);
        all.iter()
            .rev()
            .find(|v| v.id == volume)
            .or_else(|| all.iter().rev().find(|v| v.name == volume))
            .cloned()
    }

    /// The firewall rules applied to the VM `vm` now (ONETSolutions); `None` for another
    /// dialect or an unknown VM.
    pub fn firewall(&self, dialect: &str, vm: &str) -> Option<Vec<FirewallRule>> {
        let key = self.vm_key(dialect, vm);
        self.net_truth(dialect)
            .firewalls
            .into_iter()
            .find(|(v, _)| *v == key)
            .map(|(_, r)| r)
    }

    /// The reverse DNS name the address `address` of the VM `vm` has now (ONETSolutions):
    /// `Some(None)` for an address without one, `None` for an address the VM does not hold.
    pub fn reverse_dns(&self, dialect: &str, vm: &str, address: &str) -> Option<Option<String>> {
        let key = self.vm_key(dialect, vm);
        self.net_truth(dialect)
            .reverse_dns
            .into_iter()
            .find(|(v, a, _)| *v == key && a == address)
            .map(|(_, _, p)| p)
    }

    /// Every console session handed out for the VM `vm`, oldest first.
    pub fn consoles(&self, dialect: &str, vm: &str) -> Vec<ConsoleFact> {
        let key = self.vm_key(dialect, vm);
        self.net_truth(dialect)
            .consoles
            .into_iter()
            .filter(|c| c.vm_id == key)
            .collect()
    }

    /// The ISO image the VM `vm` was last started from (Erigones `cdimage`); `None` when its
    /// last start booted from disk.
    pub fn cdimage(&self, dialect: &str, vm: &str) -> Option<String> {
        let key = self.vm_key(dialect, vm);
        self.net_truth(dialect)
            .cdimages
            .into_iter()
            .find(|(v, _)| *v == key)
            .map(|(_, c)| c)
    }

    /// Whether the VM `vm` is frozen now (Erigones' `stop {freeze}`, until `stop {unfreeze}`).
    pub fn frozen(&self, dialect: &str, vm: &str) -> bool {
        let key = self.vm_key(dialect, vm);
        self.net_truth(dialect).frozen.contains(&key)
    }
}
