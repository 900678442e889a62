//! cloudsfor's private networks (sheet "Networks, volumes, console"):
//!
//! * `GET /networks?page=&per_page=` → `{"networks": [{id, name, parent_id, tag, size}], "meta":
//!   {"total"}, "links"}`; `POST /networks {"name"}` → `201 {"network"}`, synchronous (listed
//!   at once); `DELETE /networks/{id}` → `204`, then `404`; `422` while VMs are joined (or an
//!   `attach_network` to it is still in progress).
//! * VMs join and leave with the VM actions `{"type": "attach_network", "network_id"}` /
//!   `{"type": "detach_network", "network_id"}`; once the action completes, a `private` entry
//!   for the network appears in (leaves) the VM's `networks.v4` (the `lag` fault: later).
//!
//! Each network holds a `/24` of its own (`10.200+k/256.k%256.0/24`, never shown by the API:
//! the truth's `cidr`); `size` is the number of addresses in it. Ids are UUIDs from a stream of
//! their own, so that networks draw nothing from the other streams.

use serde_json::{json, Map, Value};

use super::{not_found, paging, unprocessable, Cloudsfor, Kind, Params, Phase, Vm};
use crate::netfacts::{Attachment, NetworkFact, ResState};
use crate::util::{empty_response, json_response, window, Ctx, Rng};
use crate::Response;

/// Addresses in a network's range (a `/24`).
const SIZE: u32 = 256;
const MAX_NAME: usize = 63;

/// One VM's place in a network: shown from `from` until `until` (its detach, once applied).
#[derive(Clone, Debug)]
struct Member {
    vm_id: String,
    host: u8,
    from: u64,
    until: Option<u64>,
}

#[derive(Clone, Debug)]
pub(super) struct Network {
    account: usize,
    id: String,
    name: String,
    /// Its number in the range pool.
    k: u32,
    deleted: bool,
    members: Vec<Member>,
    next_host: u8,
}

impl Network {
    fn prefix(&self) -> String {
        format!("10.{}.{}", 200 + self.k / 256, self.k % 256)
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "parent_id": null,
            "tag": null,
            "size": SIZE,
        })
    }

    /// The VM's member entry shown now, if any.
    fn shown(&self, vm_id: &str, now: u64) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.vm_id == vm_id && m.from <= now && m.until.is_none_or(|u| now < u))
    }

    /// The VM's member entry not yet left (shown or about to be).
    fn joined(&self, vm_id: &str) -> Option<usize> {
        self.members
            .iter()
            .rposition(|m| m.vm_id == vm_id && m.until.is_none())
    }
}

/// Every account's networks.
pub(super) struct Nets {
    list: Vec<Network>,
    ids: Rng,
    next_k: u32,
}

impl Nets {
    /// One empty network in the first (demo) account, so the list is not empty.
    pub(super) fn new(seed: u64) -> Nets {
        let mut nets = Nets {
            list: Vec::new(),
            ids: Rng::derive(seed, 0xC10D_0E75),
            next_k: 0,
        };
        nets.add(0, "office");
        nets
    }

    fn add(&mut self, account: usize, name: &str) -> usize {
        let id = self.ids.uuid();
        self.list.push(Network {
            account,
            id,
            name: name.to_string(),
            k: self.next_k,
            deleted: false,
            members: Vec::new(),
            next_host: 2,
        });
        self.next_k += 1;
        self.list.len() - 1
    }

    fn find(&self, account: usize, id: &str) -> Option<usize> {
        self.list
            .iter()
            .position(|n| n.account == account && !n.deleted && n.id == id)
    }
}

impl Cloudsfor {
    /// `/networks` and `/networks/{id}`; `None` for another path.
    pub(super) fn networks_route(&mut self, ai: usize, ctx: &Ctx) -> Option<(String, Response)> {
        let m = ctx.method.as_str();
        if ctx.matches(&["networks"]) {
            return Some(match m {
                "GET" => ("GET /networks".into(), self.list_networks(ai, ctx)),
                "POST" => ("POST /networks".into(), self.create_network(ai, ctx)),
                _ => ("/networks".into(), super::method_not_allowed()),
            });
        }
        if ctx.matches(&["networks", "*"]) {
            let label = format!("{m} /networks/{{id}}");
            let Some(ni) = self.nets.find(ai, ctx.seg(1)) else {
                return Some((label, not_found()));
            };
            return Some(match m {
                "GET" => (
                    label,
                    json_response(200, &json!({"network": self.nets.list[ni].json()})),
                ),
                "DELETE" => (label, self.delete_network(ai, ni, ctx.now)),
                _ => (label, super::method_not_allowed()),
            });
        }
        None
    }

    fn list_networks(&self, ai: usize, ctx: &Ctx) -> Response {
        let (page, per_page) = match paging(ctx) {
            Ok(p) => p,
            Err(r) => return r,
        };
        let all: Vec<&Network> = self
            .nets
            .list
            .iter()
            .filter(|n| n.account == ai && !n.deleted)
            .collect();
        let total = all.len();
        let (s, e) = window(total, page, per_page);
        let networks: Vec<Value> = all[s..e].iter().map(|n| n.json()).collect();
        json_response(
            200,
            &json!({
                "networks": networks,
                "links": super::links(ctx, "/networks", page, per_page, total),
                "meta": {"total": total},
            }),
        )
    }

    fn create_network(&mut self, ai: usize, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return unprocessable("request body must be a JSON object with a \"name\""),
            Err(e) => return unprocessable(&format!("request body is not valid JSON: {e}")),
        };
        let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
            Some(n) if !n.is_empty() && n.chars().count() <= MAX_NAME => n.to_string(),
            Some(_) => return unprocessable("name must be 1-63 characters"),
            None => return unprocessable("name is required"),
        };
        let ni = self.nets.add(ai, &name);
        json_response(201, &json!({"network": self.nets.list[ni].json()}))
    }

    fn delete_network(&mut self, ai: usize, ni: usize, now: u64) -> Response {
        let acc = &self.accounts[ai];
        let net = &self.nets.list[ni];
        let live = |vm_id: &str| {
            acc.vms
                .iter()
                .any(|v| v.id == vm_id && v.phase != Phase::Gone)
        };
        let mut joined: Vec<&str> = net
            .members
            .iter()
            .filter(|m| m.until.is_none_or(|u| now < u) && live(&m.vm_id))
            .map(|m| m.vm_id.as_str())
            .collect();
        // A join still under way counts too: it would land in a network that is gone.
        for a in acc.actions.iter().filter(|a| now < a.ends) {
            if let (Kind::AttachNetwork, Params::Network(id)) = (a.kind, &a.params) {
                if *id == net.id {
                    joined.push(acc.vms[a.vm].id.as_str());
                }
            }
        }
        if !joined.is_empty() {
            joined.dedup();
            return unprocessable(&format!(
                "Network {} cannot be deleted while VMs are joined to it: {}",
                net.name,
                joined.join(", ")
            ));
        }
        self.nets.list[ni].deleted = true;
        empty_response(204)
    }

    /// `attach_network`'s and `detach_network`'s `network_id`: a network of the account the
    /// VM is not in yet (attach) or is in (detach).
    pub(super) fn network_params(
        &self,
        ai: usize,
        vm: &Vm,
        kind: Kind,
        body: &Map<String, Value>,
    ) -> Result<Params, Response> {
        let id = match body.get("network_id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(unprocessable("network_id is required")),
        };
        let Some(ni) = self.nets.find(ai, &id) else {
            return Err(unprocessable(&format!("network {id} does not exist")));
        };
        if vm.phase != Phase::Active {
            return Err(unprocessable("VM is not active yet"));
        }
        let joined = self.nets.list[ni].joined(&vm.id).is_some();
        match kind {
            Kind::AttachNetwork if joined => Err(unprocessable(&format!(
                "VM is already joined to network {id}"
            ))),
            Kind::DetachNetwork if !joined => {
                Err(unprocessable(&format!("VM is not joined to network {id}")))
            }
            _ => Ok(Params::Network(id)),
        }
    }

    /// A completed `attach_network` / `detach_network`, shown from `at`.
    pub(super) fn apply_network(&mut self, ai: usize, vm_id: &str, kind: Kind, id: &str, at: u64) {
        let Some(ni) = self.nets.find(ai, id) else {
            return;
        };
        let net = &mut self.nets.list[ni];
        match (kind, net.joined(vm_id)) {
            (Kind::AttachNetwork, None) => {
                let host = net.next_host;
                net.next_host = net.next_host.saturating_add(1).min(254);
                net.members.push(Member {
                    vm_id: vm_id.to_string(),
                    host,
                    from: at,
                    until: None,
                });
            }
            (Kind::DetachNetwork, Some(i)) => net.members[i].until = Some(at),
            _ => {}
        }
    }

    /// The VM's `private` entries for the networks it is joined to now, oldest join first.
    pub(super) fn joined_v4(&self, vm: &Vm, now: u64) -> Vec<Value> {
        self.nets
            .list
            .iter()
            .filter(|n| !n.deleted)
            .filter_map(|n| {
                let m = n.shown(&vm.id, now)?;
                Some((m.from, n.prefix(), m.host))
            })
            .map(|(_, prefix, host)| {
                json!({"ip_address": format!("{prefix}.{host}"), "netmask": "255.255.255.0", "gateway": null, "type": "private"})
            })
            .collect()
    }

    /// The truth: every network of both accounts, gone ones too, with the VMs whose lists
    /// show them in it now.
    pub(super) fn network_facts(&self, now: u64) -> Vec<NetworkFact> {
        self.nets
            .list
            .iter()
            .map(|n| {
                let acc = &self.accounts[n.account];
                let attached = n
                    .members
                    .iter()
                    .filter(|m| {
                        acc.vms
                            .iter()
                            .any(|v| v.id == m.vm_id && v.phase == Phase::Active)
                    })
                    .filter(|m| n.shown(&m.vm_id, now).is_some())
                    .map(|m| Attachment {
                        vm_id: m.vm_id.clone(),
                        internal_ip: format!("{}.{}", n.prefix(), m.host),
                    })
                    .collect();
                NetworkFact {
                    dialect: "cloudsfor",
                    id: n.id.clone(),
                    name: n.name.clone(),
                    cidr: Some(format!("{}.0/24", n.prefix())),
                    state: if n.deleted {
                        ResState::Gone
                    } else {
                        ResState::Ready
                    },
                    attached,
                }
            })
            .collect()
    }
}
