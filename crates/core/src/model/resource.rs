//! Resources beside VMs, listed per connection, per VM or per parent resource: networks, public
//! IPs, port forwards, volumes (and, kept in their own [`crate::model::PointList`], snapshots
//! and backups).
//!
//! One list is keyed by a [`Scope`] and a [`ResourceKind`]; each item is one [`Res`] whose
//! common part (id, name, state) is the same for every kind and whose [`ResDetail`] holds what
//! is particular to its kind. A provider's status value becomes a [`ResState`]; a value this
//! version does not know stays raw ([`ResState::Unknown`]) and counts as not finished.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::ids::VmId;
use crate::model::PointKind;
use crate::time::Millis;

/// The kinds of resource an operation can target, and a list can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceKind {
    Vm,
    Snapshot,
    Backup,
    /// A private network (ZennoHosting network, ONETSolutions VPC, cloudsfor private network).
    Network,
    /// A public IP address the account holds apart from any VM (ZennoHosting).
    PublicIp,
    /// A port-forward rule of a public IP (ZennoHosting).
    Forward,
    /// A block-storage volume.
    Volume,
    /// The firewall rules applied to a VM (ONETSolutions): one item, the whole rule set, listed
    /// in the VM's scope.
    Firewall,
    /// A console session of a VM (ONETSolutions' `get_vnc_url`): read by its id once the task
    /// that made it names it.
    Console,
}

impl ResourceKind {
    /// The recovery point kind it is, where it is one.
    pub fn point(self) -> Option<PointKind> {
        match self {
            ResourceKind::Snapshot => Some(PointKind::Snapshot),
            ResourceKind::Backup => Some(PointKind::Backup),
            _ => None,
        }
    }
}

impl From<PointKind> for ResourceKind {
    fn from(k: PointKind) -> Self {
        match k {
            PointKind::Snapshot => ResourceKind::Snapshot,
            PointKind::Backup => ResourceKind::Backup,
        }
    }
}

/// What a list belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// The whole connection (account).
    Conn,
    /// A part of the connection its URLs name: ZennoHosting's project (the VM's
    /// [`crate::model::Vm::project`], the create form's [`crate::dialect::Place::Project`]).
    Place(String),
    /// One VM (its snapshots, backups, volumes).
    Vm(VmId),
    /// One resource (a public IP's port forwards), within `place` where the provider's URLs
    /// need one.
    Parent {
        kind: ResourceKind,
        id: String,
        #[serde(default)]
        place: Option<String>,
    },
}

impl Scope {
    /// The VM it is, where it is one.
    pub fn vm(&self) -> Option<&VmId> {
        match self {
            Scope::Vm(v) => Some(v),
            _ => None,
        }
    }

    /// The place (project) it is in, where it names one.
    pub fn place(&self) -> Option<&str> {
        match self {
            Scope::Place(p) => Some(p),
            Scope::Parent { place, .. } => place.as_deref(),
            _ => None,
        }
    }
}

/// Where a network, public IP, rule or volume is, as its provider says.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResState {
    /// Usable (ZennoHosting `active`).
    Ready,
    /// Being made (ZennoHosting `creating`, `pending`).
    Creating,
    /// A change is under way on it.
    Changing,
    Deleting,
    Failed,
    /// A value this version does not know, as sent: not finished, never success.
    Unknown(String),
}

impl ResState {
    /// The words the sheets use; anything else is kept raw.
    pub fn from_word(raw: &str) -> ResState {
        match raw.trim().to_ascii_lowercase().as_str() {
            "active" | "available" | "ready" | "in-use" | "in_use" | "attached" => ResState::Ready,
            "creating" | "pending" | "allocating" | "provisioning" => ResState::Creating,
            "updating" | "attaching" | "detaching" | "resizing" => ResState::Changing,
            "deleting" | "releasing" => ResState::Deleting,
            "failed" | "error" => ResState::Failed,
            _ => ResState::Unknown(raw.to_string()),
        }
    }
}

/// A transport protocol of a port-forward rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }

    pub fn parse(raw: &str) -> Option<Protocol> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            _ => None,
        }
    }
}

/// What a port-forward rule does: traffic to `external_port` of the public IP goes to
/// `internal_port` of the VM `vm`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ForwardSpec {
    pub protocol: Protocol,
    pub external_port: u16,
    pub vm: VmId,
    pub internal_port: u16,
}

impl ForwardSpec {
    /// The name a rule is known by: its protocol and external port (`tcp/8080`), which the
    /// provider keeps unique per public IP.
    pub fn name(&self) -> String {
        forward_name(self.protocol, self.external_port)
    }
}

/// `tcp/8080`.
pub fn forward_name(protocol: Protocol, port: u16) -> String {
    format!("{}/{port}", protocol.as_str())
}

/// A VM joined to a network, with the internal address it holds there (`None`: none shown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub vm: VmId,
    #[serde(default)]
    pub internal_ip: Option<String>,
}

/// What is particular to a resource's kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResDetail {
    #[default]
    None,
    Network {
        /// The range the provider assigned, once it shows it.
        cidr: Option<String>,
        /// The VMs joined to it, where the provider's network says (else read from the VMs).
        #[serde(default)]
        members: Vec<Member>,
    },
    PublicIp {
        /// `None` until the provider shows one.
        address: Option<String>,
        vm: Option<VmId>,
    },
    /// A port-forward rule's values; `raw_protocol` as sent where it is no [`Protocol`].
    Forward {
        spec: Option<ForwardSpec>,
        #[serde(default)]
        raw_protocol: String,
    },
    Volume {
        size_gb: Option<u32>,
        attached_to: Option<VmId>,
        /// cloudsfor: the region it is in (it attaches only to VMs of that region).
        #[serde(default)]
        region: Option<String>,
    },
    /// A VM's applied firewall rules; `unread`: rules shown that do not read as one (raw JSON):
    /// while there are any, the set is never the one sent.
    Firewall {
        rules: Vec<crate::model::FirewallRule>,
        #[serde(default)]
        unread: Vec<String>,
    },
    /// A console session: never serialized (not kept, not shared), never shown by `Debug`.
    Console {
        #[serde(skip)]
        session: Option<crate::model::ConsoleSession>,
    },
}

/// One network, public IP, rule or volume, as its list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Res {
    pub kind: ResourceKind,
    pub id: String,
    /// As the user knows it (a public IP: its address; a rule: `tcp/8080`; else its name).
    pub name: String,
    pub state: ResState,
    /// The provider's own status, as sent (empty where it has none).
    pub status_raw: String,
    /// RFC 3339 UTC where the provider's value could be read ([`crate::model::normalize_time`]).
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub detail: ResDetail,
}

impl Res {
    /// The network's range, where it is a network that shows one.
    pub fn cidr(&self) -> Option<&str> {
        match &self.detail {
            ResDetail::Network { cidr, .. } => cidr.as_deref(),
            _ => None,
        }
    }

    /// The network's members, where it is a network.
    pub fn members(&self) -> &[Member] {
        match &self.detail {
            ResDetail::Network { members, .. } => members,
            _ => &[],
        }
    }

    /// The public IP's address, where it is one that shows it.
    pub fn address(&self) -> Option<&str> {
        match &self.detail {
            ResDetail::PublicIp { address, .. } => address.as_deref(),
            _ => None,
        }
    }

    /// The firewall's rules, where it is a VM's firewall: `None` while some rule shown could
    /// not be read.
    pub fn firewall(&self) -> Option<&[crate::model::FirewallRule]> {
        match &self.detail {
            ResDetail::Firewall { rules, unread } if unread.is_empty() => Some(rules),
            _ => None,
        }
    }

    /// The volume's size in GB, where it is a volume that shows one.
    pub fn size_gb(&self) -> Option<u32> {
        match &self.detail {
            ResDetail::Volume { size_gb, .. } => *size_gb,
            _ => None,
        }
    }

    /// The console session, where it is one that holds its URL.
    pub fn console(&self) -> Option<&crate::model::ConsoleSession> {
        match &self.detail {
            ResDetail::Console { session } => session.as_ref().filter(|s| !s.url.is_empty()),
            _ => None,
        }
    }

    /// The VM the volume is attached to, where it is an attached volume.
    pub fn attached_to(&self) -> Option<&VmId> {
        match &self.detail {
            ResDetail::Volume { attached_to, .. } => attached_to.as_ref(),
            _ => None,
        }
    }

    /// The volume's region, where it is a volume that shows one.
    pub fn region(&self) -> Option<&str> {
        match &self.detail {
            ResDetail::Volume { region, .. } => region.as_deref(),
            _ => None,
        }
    }

    /// The rule's values, where it is a rule whose values could be read.
    pub fn forward(&self) -> Option<&ForwardSpec> {
        match &self.detail {
            ResDetail::Forward { spec, .. } => spec.as_ref(),
            _ => None,
        }
    }
}

/// One list (of one kind, in one scope), as last read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResList {
    /// From the last read that succeeded.
    pub items: Vec<Res>,
    /// When the request of that read went out (`None`: never read).
    pub read_at: Option<Millis>,
    /// The last read failed so (the items shown are older).
    pub error: Option<ApiError>,
    /// A read is on its way.
    pub reading: bool,
}

impl ResList {
    /// The item with this id; else (a new one, no id yet) the newest with this name not made
    /// before `since`; else, for a new one without a name (a public IP), the newest whose id is
    /// not among `before` (the ids listed before it was asked for).
    pub fn find(
        &self,
        id: Option<&str>,
        name: &str,
        before: &[String],
        since: Millis,
    ) -> Option<&Res> {
        if let Some(id) = id {
            return self.items.iter().find(|r| r.id == id);
        }
        let name = name.trim();
        let made_before = |r: &Res| {
            r.created
                .as_deref()
                .and_then(crate::time::parse_rfc3339)
                .is_some_and(|t| t.saturating_add(crate::dialect::FIND_SLACK) < since)
        };
        let fresh = |r: &&Res| !made_before(r) && !before.contains(&r.id);
        if name.is_empty() {
            return self.items.iter().rev().find(fresh);
        }
        self.items
            .iter()
            .rev()
            .filter(fresh)
            .find(|r| r.name == name)
    }

    pub fn ids(&self) -> Vec<String> {
        self.items.iter().map(|r| r.id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(id: &str, name: &str) -> Res {
        Res {
            kind: ResourceKind::PublicIp,
            id: id.into(),
            name: name.into(),
            state: ResState::Creating,
            status_raw: "pending".into(),
            created: None,
            detail: ResDetail::None,
        }
    }

    #[test]
    fn unknown_words_stay_raw() {
        assert_eq!(ResState::from_word("active"), ResState::Ready);
        assert_eq!(
            ResState::from_word("quarantined"),
            ResState::Unknown("quarantined".into())
        );
    }

    #[test]
    fn a_new_nameless_item_is_the_one_not_there_before() {
        let list = ResList {
            items: vec![res("a", ""), res("b", ""), res("c", "")],
            read_at: Some(1),
            ..ResList::default()
        };
        let before = vec!["a".to_string(), "c".to_string()];
        assert_eq!(
            list.find(None, "", &before, 0).map(|r| r.id.as_str()),
            Some("b")
        );
        let all = list.ids();
        assert_eq!(list.find(None, "", &all, 0), None);
        assert_eq!(
            list.find(Some("c"), "", &[], 0).map(|r| r.id.as_str()),
            Some("c")
        );
    }
}
