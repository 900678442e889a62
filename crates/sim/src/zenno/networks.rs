//! ZennoHosting networks, per the sheet's "Networks, public IPs, port forwards".
//!
//! * `GET /projects/{p}/networks` → `{"items": [Network]}`, `GET …/networks/{n}` → Network
//!   `{id, name, cidr, status, createdAt}`; `status` `creating` (~20 s) → `active` (or `failed`
//!   at the scenario's failure rate); `cidr` (`10.x.0.0/16`, platform-assigned) is `null` until
//!   `active` (with the `lag` fault: until that long after). The seeded project network
//!   (`default`) holds every VM; a second one (`backend`) holds the first two.
//! * `POST /projects/{p}/networks {"name"}` → `202 {"commandId"}` (a `cidr` in the body:
//!   `422`); the network is listed at once by that name.
//! * `DELETE …/networks/{n}` → `202`, `deleting` (~10 s), then `404`; `409 network_in_use`
//!   naming the VMs while any is attached (or an attach to it runs); `409 invalid_state` while
//!   it is being created or deleted.
//! * `POST /projects/{p}/vms/{id}/networks {"networkId"}` → `202`; the VM shows `operation:
//!   "attach_network"` (~10 s) and, once `succeeded`, `networks[]` holds `{networkId,
//!   internalIp}`. `PATCH …/vms/{id}/networks/{n} {"internalIp"}` (an address of the network's
//!   range) → `202`, also `operation: "attach_network"` (the sheet's list has no other word),
//!   the entry's `internalIp` changes. `DELETE …/vms/{id}/networks/{n}` → `202`, `operation:
//!   "detach_network"`, the entry leaves. With the `lag` fault the list changes that long after
//!   the operation reports `succeeded`. Refusals: `404` VM not attached (PATCH, DELETE), `409
//!   already_attached`, `409 network_not_active`, `409 operation_in_progress`, `409
//!   address_in_use`, `422` unknown network / bad address.

use serde_json::{json, Map, Value};

use super::{err, method_not_allowed, not_found, validation, OpKind, Rng, Zenno, NETWORK_OCTET};
use crate::net;
use crate::netfacts::{Attachment, NetworkFact, ResState};
use crate::util::{iso, json_response, Ctx, NEVER};
use crate::Response;

/// A VM's place in a network.
#[derive(Clone, Debug)]
pub(super) struct Attach {
    pub net: usize,
    pub ip: String,
}

impl Attach {
    /// The project network's entry of the VM numbered `addr`.
    pub fn default_net(addr: u64) -> Attach {
        Attach {
            net: 0,
            ip: net::private_v4(NETWORK_OCTET, addr),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Network {
    pub id: String,
    pub name: String,
    octet: u8,
    created: u64,
    /// When its create ends; `ok`: whether it worked.
    ready: u64,
    ok: bool,
    /// When its `cidr` shows (the lag fault: after `ready`).
    cidr_at: u64,
    /// A delete: `(when it ends, whether it worked)`.
    delete: Option<(u64, bool)>,
}

impl Network {
    pub fn seeded(id: String, name: &str, octet: u8) -> Network {
        Network {
            id,
            name: name.into(),
            octet,
            created: 0,
            ready: 0,
            ok: true,
            cidr_at: 0,
            delete: None,
        }
    }

    pub fn address_of(&self, addr: u64) -> String {
        net::private_v4(self.octet, addr)
    }

    fn cidr(&self) -> String {
        format!("10.{}.0.0/16", self.octet)
    }

    /// `creating`, `active`, `failed`, `deleting` or `gone`.
    pub fn status(&self, now: u64) -> &'static str {
        if let Some((ends, ok)) = self.delete {
            if now < ends {
                return "deleting";
            }
            if ok {
                return "gone";
            }
        }
        if now < self.ready {
            "creating"
        } else if self.ok {
            "active"
        } else {
            "failed"
        }
    }

    fn shown_cidr(&self, now: u64) -> Option<String> {
        let s = self.status(now);
        ((s == "active" || s == "deleting") && now >= self.cidr_at).then(|| self.cidr())
    }

    fn json(&self, now: u64) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "cidr": self.shown_cidr(now),
            "status": self.status(now),
            "createdAt": iso(self.created),
        })
    }
}

fn body_object(ctx: &Ctx) -> Result<Map<String, Value>, Response> {
    match ctx.body_json() {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(validation("body must be a JSON object")),
        Err(e) => Err(validation(&format!("invalid JSON: {e}"))),
    }
}

impl Zenno {
    /// The network with this id, unless gone.
    fn find_network(&self, id: &str, now: u64) -> Option<usize> {
        self.networks
            .iter()
            .position(|n| n.id == id && n.status(now) != "gone")
    }

    /// `/projects/{p}/networks[/{n}]`.
    pub(super) fn route_networks(&mut self, rest: &[&str], ctx: &Ctx) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        match (m, rest) {
            ("GET", []) => {
                let items: Vec<Value> = self
                    .networks
                    .iter()
                    .filter(|n| n.status(now) != "gone")
                    .map(|n| n.json(now))
                    .collect();
                (
                    "GET /projects/{p}/networks".into(),
                    json_response(200, &json!({ "items": items })),
                )
            }
            ("POST", []) => (
                "POST /projects/{p}/networks".into(),
                self.create_network(ctx),
            ),
            (_, []) => ("/projects/{p}/networks".into(), method_not_allowed()),
            (_, [id]) => {
                let label = format!("{m} /projects/{{p}}/networks/{{n}}");
                let Some(n) = self.find_network(id, now) else {
                    return (label, not_found(&format!("Network {id} not found")));
                };
                match m {
                    "GET" => (label, json_response(200, &self.networks[n].json(now))),
                    "DELETE" => (label, self.delete_network(n, now)),
                    _ => (label, method_not_allowed()),
                }
            }
            _ => ("unknown".into(), not_found("No such endpoint")),
        }
    }

    fn create_network(&mut self, ctx: &Ctx) -> Response {
        let body = match body_object(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        if body.contains_key("cidr") {
            return validation("cidr is assigned by the platform; do not send it");
        }
        let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
            Some(n) if !n.is_empty() && n.len() <= 63 => n.to_string(),
            Some(_) => return validation("name must be 1-63 characters"),
            None => return validation("name is required"),
        };
        let now = ctx.now;
        let dur = self.env.duration(20_000);
        let ok = !self.env.fails();
        let ready = if self.env.stuck() { NEVER } else { now + dur };
        let octet = 33 + ((self.networks.len().saturating_sub(1)) % 200) as u8;
        let lag = if ok { self.env.lag_ms } else { 0 };
        self.networks.push(Network {
            id: self.ids.uuid(),
            name,
            octet,
            created: now,
            ready,
            ok,
            cidr_at: ready.saturating_add(lag),
            delete: None,
        });
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    /// The VMs (indices) joined to network `n` now, or on their way to it.
    fn members(&self, n: usize, now: u64) -> Vec<usize> {
        (0..self.vms.len())
            .filter(|&i| {
                let vm = &self.vms[i];
                !vm.gone
                    && (vm.nets.iter().any(|a| a.net == n)
                        || vm.op.as_ref().is_some_and(|op| {
                            op.kind == OpKind::AttachNetwork
                                && !op.applied
                                && op.net.as_ref().is_some_and(|x| x.0 == n)
                                && now < op.ends.saturating_add(op.lag)
                        }))
            })
            .collect()
    }

    fn delete_network(&mut self, n: usize, now: u64) -> Response {
        let status = self.networks[n].status(now);
        if status == "creating" || status == "deleting" {
            return err(
                409,
                "invalid_state",
                &format!("Network {} is {status}", self.networks[n].name),
            );
        }
        let members = self.members(n, now);
        if !members.is_empty() {
            let names: Vec<&str> = members.iter().map(|&i| self.vms[i].name.as_str()).collect();
            return err(
                409,
                "network_in_use",
                &format!(
                    "Network {} has VMs attached: {}; detach them first",
                    self.networks[n].name,
                    names.join(", ")
                ),
            );
        }
        let dur = self.env.duration(10_000);
        let ok = !self.env.fails();
        let ends = if self.env.stuck() { NEVER } else { now + dur };
        self.networks[n].delete = Some((ends, ok));
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    /// `409`/`422`-worthy reasons a VM cannot start a network operation now.
    fn vm_refuses(&self, i: usize, now: u64) -> Option<Response> {
        if let Some(running) = self.busy(i, now) {
            return Some(err(
                409,
                "operation_in_progress",
                &format!(
                    "VM {} already has a '{running}' operation in progress",
                    self.vms[i].id
                ),
            ));
        }
        self.vms[i].create_failed.then(|| {
            err(
                409,
                "invalid_state",
                "VM was not created (its create operation failed); delete it",
            )
        })
    }

    /// `/projects/{p}/vms/{id}/networks[/{n}]`.
    pub(super) fn route_vm_networks(
        &mut self,
        i: usize,
        rest: &[&str],
        ctx: &Ctx,
    ) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        match (m, rest) {
            ("POST", []) => (
                "POST /projects/{p}/vms/{id}/networks".into(),
                self.attach(i, ctx),
            ),
            (_, []) => (
                "/projects/{p}/vms/{id}/networks".into(),
                method_not_allowed(),
            ),
            (_, [nid]) => {
                let label = format!("{m} /projects/{{p}}/vms/{{id}}/networks/{{n}}");
                let attached = self
                    .find_network(nid, now)
                    .filter(|&n| self.vms[i].nets.iter().any(|a| a.net == n));
                let Some(n) = attached else {
                    return (
                        label,
                        not_found(&format!("VM is not attached to network {nid}")),
                    );
                };
                match m {
                    "PATCH" => (label, self.update_attachment(i, n, ctx)),
                    "DELETE" => (
                        label,
                        self.start_net_op(i, OpKind::DetachNetwork, n, None, now),
                    ),
                    _ => (label, method_not_allowed()),
                }
            }
            _ => ("unknown".into(), not_found("No such endpoint")),
        }
    }

    fn start_net_op(
        &mut self,
        i: usize,
        kind: OpKind,
        n: usize,
        ip: Option<String>,
        now: u64,
    ) -> Response {
        if let Some(r) = self.vm_refuses(i, now) {
            return r;
        }
        let resp = self.accept(i, kind, now);
        if let Some(op) = self.vms[i].op.as_mut() {
            op.net = Some((n, ip));
        }
        resp
    }

    fn attach(&mut self, i: usize, ctx: &Ctx) -> Response {
        let body = match body_object(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(nid) = body.get("networkId").and_then(Value::as_str) else {
            return validation("networkId is required");
        };
        let now = ctx.now;
        let Some(n) = self.find_network(nid, now) else {
            return validation(&format!("networkId: network {nid} does not exist"));
        };
        if self.vms[i].nets.iter().any(|a| a.net == n) {
            return err(
                409,
                "already_attached",
                &format!(
                    "VM is already attached to network {}",
                    self.networks[n].name
                ),
            );
        }
        if self.networks[n].status(now) != "active" {
            return err(
                409,
                "network_not_active",
                &format!(
                    "Network {} is {}",
                    self.networks[n].name,
                    self.networks[n].status(now)
                ),
            );
        }
        self.start_net_op(i, OpKind::AttachNetwork, n, None, now)
    }

    fn update_attachment(&mut self, i: usize, n: usize, ctx: &Ctx) -> Response {
        let body = match body_object(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(ip) = body.get("internalIp").and_then(Value::as_str) else {
            return validation("internalIp is required");
        };
        let prefix = format!("10.{}.", self.networks[n].octet);
        let valid = ip.strip_prefix(&prefix).is_some_and(|rest| {
            let parts: Vec<&str> = rest.split('.').collect();
            parts.len() == 2
                && parts.iter().all(|p| p.parse::<u8>().is_ok())
                && !matches!(parts[1], "0" | "1" | "255")
        });
        if !valid {
            return validation(&format!(
                "internalIp: {ip} is not a host address of {}",
                self.networks[n].cidr()
            ));
        }
        let taken =
            self.vms.iter().enumerate().any(|(j, vm)| {
                j != i && !vm.gone && vm.nets.iter().any(|a| a.net == n && a.ip == ip)
            });
        if taken {
            return err(
                409,
                "address_in_use",
                &format!("{ip} is already used in network {}", self.networks[n].name),
            );
        }
        self.start_net_op(i, OpKind::AttachNetwork, n, Some(ip.to_string()), ctx.now)
    }

    pub(super) fn network_facts(&self, now: u64) -> Vec<NetworkFact> {
        self.networks
            .iter()
            .enumerate()
            .map(|(n, net)| NetworkFact {
                dialect: "zennohosting",
                id: net.id.clone(),
                name: net.name.clone(),
                cidr: net.shown_cidr(now),
                state: match net.status(now) {
                    "creating" => ResState::Creating,
                    "active" => ResState::Ready,
                    "deleting" => ResState::Deleting,
                    "failed" => ResState::Failed,
                    _ => ResState::Gone,
                },
                attached: self
                    .vms
                    .iter()
                    .filter(|vm| vm.provisioned(now))
                    .filter_map(|vm| {
                        let a = vm.nets.iter().find(|a| a.net == n)?;
                        Some(Attachment {
                            vm_id: vm.id.clone(),
                            internal_ip: a.ip.clone(),
                        })
                    })
                    .collect(),
            })
            .collect()
    }

    /// Issue 16's demo data, from a stream of its own: a `backend` network holding the first
    /// two VMs, and two port-forward rules on the first free public IP.
    pub(super) fn seed_issue16(&mut self, seed: u64, now: u64) {
        let mut rng = Rng::derive(seed, 0x2E77_0016);
        let mut backend = Network::seeded(rng.uuid(), "backend", 33);
        backend.created = now.saturating_sub(rng.range(86_400_000, 30 * 86_400_000)) / 1000 * 1000;
        self.networks.push(backend);
        for vi in 0..self.vms.len().min(2) {
            let ip = self.networks[1].address_of(self.vms[vi].addr);
            self.vms[vi].nets.push(Attach { net: 1, ip });
        }
        self.seed_forwards(&mut rng);
    }
}
