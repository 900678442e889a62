//! What the Networks page and a VM's Network tab read of networks, public IPs and port
//! forwards: where a connection lists them, which VMs a network holds (as far as the provider
//! says), the networks a VM is in and may join, and the rules that point at a VM.

use crate::catalogue::{Part, PartData, PartState};
use crate::dialect::Place;
use crate::engine::View;
use crate::ids::{ConnId, VmId};
use crate::model::{Res, ResList, ResourceKind, Scope};

/// Where a connection's networks and public IPs are listed: the connection, or one of its
/// places (ZennoHosting's projects), with what the user knows it by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NetPlace {
    pub scope: Scope,
    /// The project's name (`None`: the whole connection, or a project known by its id only).
    pub label: Option<String>,
}

/// A VM in a network, as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NetMember {
    pub vm: VmId,
    pub name: String,
    /// Its address in the network (`None`: none shown yet).
    pub internal_ip: Option<String>,
}

/// A network a VM is in, as its Network tab shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VmNet {
    pub scope: Scope,
    pub id: String,
    /// From the network list where it was read; else its id.
    pub name: String,
    pub internal_ip: Option<String>,
}

/// A port-forward rule that points at a VM, with the public IP it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardTo {
    /// The rules' list (the public IP's scope).
    pub scope: Scope,
    /// The public IP's address (else its id).
    pub address: String,
    pub rule: Res,
}

impl<'a> View<'a> {
    /// Where `conn`'s networks and public IPs are listed: per project where the provider has
    /// them so (the projects its VMs live in, and those of the create form's catalogue, once
    /// read), else the connection itself. Empty for a connection it does not know.
    pub fn net_places(&self, conn: &ConnId) -> Vec<NetPlace> {
        let Some(caps) = self.caps(conn) else {
            return Vec::new();
        };
        if !caps.net.per_place {
            return vec![NetPlace {
                scope: Scope::Conn,
                label: None,
            }];
        }
        let mut out: Vec<NetPlace> = Vec::new();
        let mut add = |id: &str, label: Option<String>| {
            let id = id.trim();
            if id.is_empty() {
                return;
            }
            match out.iter_mut().find(|p| p.scope.place() == Some(id)) {
                Some(p) if p.label.is_none() => p.label = label,
                Some(_) => {}
                None => out.push(NetPlace {
                    scope: Scope::Place(id.to_string()),
                    label,
                }),
            }
        };
        let projects = caps.create.and_then(|c| c.place) == Some(Place::Project);
        let listed = self
            .catalogue(conn)
            .and_then(|c| match c.parts.get(&Part::Regions) {
                Some(PartState::Ready(PartData::Choices(ch))) if projects => Some(ch.clone()),
                _ => None,
            });
        for c in listed.iter().flatten() {
            add(
                &c.id,
                Some(c.label.clone()).filter(|l| !l.trim().is_empty()),
            );
        }
        for vm in self.vms(conn) {
            if let Some(p) = &vm.project {
                add(p, None);
            }
        }
        out
    }

    /// The VMs in the network `net` (listed in `scope`), where the provider says: the VMs whose
    /// own lists name it (ZennoHosting's `networks[]`, ONETSolutions' `vpc.id`), and those the
    /// network's list names. `None` where the provider does not say ([`crate::dialect::NetCaps::members`]).
    pub fn network_members(
        &self,
        conn: &ConnId,
        scope: &Scope,
        net: &Res,
    ) -> Option<Vec<NetMember>> {
        let caps = self.caps(conn)?;
        if !caps.net.members.offered() {
            return None;
        }
        let place = scope.place();
        let mut out: Vec<NetMember> = self
            .vms(conn)
            .iter()
            .filter(|vm| place.is_none() || vm.project.as_deref() == place)
            .filter_map(|vm| {
                let entry = vm.networks.iter().find(|n| n.id == net.id);
                let in_vpc = vm.vpc.as_deref() == Some(net.id.as_str());
                (entry.is_some() || in_vpc).then(|| NetMember {
                    vm: vm.id.clone(),
                    name: vm.name.clone(),
                    internal_ip: match entry {
                        Some(e) => e.internal_ip.clone(),
                        None => vm
                            .addresses
                            .iter()
                            .find(|a| !a.public && a.version == 4)
                            .map(|a| a.ip.clone()),
                    },
                })
            })
            .collect();
        for m in net.members() {
            if !out.iter().any(|o| o.vm == m.vm) {
                let name = self
                    .vm(conn, &m.vm)
                    .map_or_else(|| m.vm.to_string(), |v| v.name.clone());
                out.push(NetMember {
                    vm: m.vm.clone(),
                    name,
                    internal_ip: m.internal_ip.clone(),
                });
            }
        }
        out.sort_by_cached_key(|m| crate::present::natural_key(&m.name));
        Some(out)
    }

    /// The scope `vm`'s networks and public IPs are listed in (its project, or the connection).
    pub fn vm_net_scope(&self, conn: &ConnId, vm: &VmId) -> Option<Scope> {
        let caps = self.caps(conn)?;
        if !caps.net.per_place {
            return Some(Scope::Conn);
        }
        self.vm(conn, vm)?.project.clone().map(Scope::Place)
    }

    /// The networks `vm` is in, where the provider says (its `networks[]`, its VPC), named from
    /// the network list where it was read.
    pub fn vm_networks(&self, conn: &ConnId, vm: &VmId) -> Vec<VmNet> {
        let (Some(v), Some(scope)) = (self.vm(conn, vm), self.vm_net_scope(conn, vm)) else {
            return Vec::new();
        };
        let list = self.list(conn, &scope, ResourceKind::Network);
        let name_of = |id: &str| {
            list.and_then(|l| l.items.iter().find(|r| r.id == id))
                .map_or_else(|| id.to_string(), |r| r.name.clone())
        };
        let mut out: Vec<VmNet> = v
            .networks
            .iter()
            .map(|n| VmNet {
                scope: scope.clone(),
                id: n.id.clone(),
                name: name_of(&n.id),
                internal_ip: n.internal_ip.clone(),
            })
            .collect();
        if let Some(vpc) = v.vpc.as_deref().filter(|x| !x.is_empty()) {
            out.push(VmNet {
                scope: scope.clone(),
                id: vpc.to_string(),
                name: name_of(vpc),
                internal_ip: v
                    .addresses
                    .iter()
                    .find(|a| !a.public && a.version == 4)
                    .map(|a| a.ip.clone()),
            });
        }
        out
    }

    /// The networks of `vm`'s scope (as last read) it is not known to be in.
    pub fn joinable(&self, conn: &ConnId, vm: &VmId) -> Vec<Res> {
        let Some(scope) = self.vm_net_scope(conn, vm) else {
            return Vec::new();
        };
        let inside: Vec<String> = self
            .vm_networks(conn, vm)
            .into_iter()
            .map(|n| n.id)
            .collect();
        self.list(conn, &scope, ResourceKind::Network)
            .map(|l| {
                l.items
                    .iter()
                    .filter(|r| !inside.contains(&r.id))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The rules of `scope`'s public IPs (as last read) that forward to `vm`.
    pub fn forwards_to(&self, conn: &ConnId, scope: &Scope, vm: &VmId) -> Vec<ForwardTo> {
        let Some(ips) = self.list(conn, scope, ResourceKind::PublicIp) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for ip in &ips.items {
            let rules_scope = Self::rules_scope(scope, &ip.id);
            let Some(rules) = self.list(conn, &rules_scope, ResourceKind::Forward) else {
                continue;
            };
            let address = ip.address().unwrap_or(ip.id.as_str()).to_string();
            out.extend(
                rules
                    .items
                    .iter()
                    .filter(|r| r.forward().is_some_and(|s| &s.vm == vm))
                    .map(|r| ForwardTo {
                        scope: rules_scope.clone(),
                        address: address.clone(),
                        rule: r.clone(),
                    }),
            );
        }
        out
    }

    /// The scope of the rules of the public IP `ip`, listed in `scope`.
    pub fn rules_scope(scope: &Scope, ip: &str) -> Scope {
        Scope::Parent {
            kind: ResourceKind::PublicIp,
            id: ip.to_string(),
            place: scope.place().map(str::to_string),
        }
    }

    /// A list as last read, or an empty one never read.
    pub fn list_or_empty(&self, conn: &ConnId, scope: &Scope, kind: ResourceKind) -> ResList {
        self.list(conn, scope, kind).cloned().unwrap_or_default()
    }
}
