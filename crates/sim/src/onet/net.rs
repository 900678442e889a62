//! ONETSolutions IP addresses, reverse DNS, VPC, firewall, state sync and console, per the
//! sheet's "IP addresses" and "Volumes, VPC, firewall, console" (volumes: [`super::volumes`]).
//!
//! Every write answers `202 <Task>` (the instance's tasks are serialized: `400 "Instance
//! already has a task in progress."` meanwhile) and changes the instance when the task
//! completes (with the `lag` fault: that long after):
//! * `POST …/ips {"version": 4|6}` → `assign_ip` (~10 s); a new public address in
//!   `ip_addresses`; the task's `result.address` names it. `DELETE …/ips/{address}` →
//!   `remove_ip`; `404` for an address the instance does not hold, `400` for its VPC address.
//! * `PUT …/ips/{address}/reverse-dns {"ptr"}` → `update_reverse_dns` (~5 s); `reverse_dns`
//!   becomes `ptr`. `400 {"ptr": [...]}` for a bad host name, `400` for a private address.
//! * `POST …/vpc {"vpc_id"}` → `update_vpc` (~20 s); `vpc` and the private address change.
//!   `400 {"vpc_id": [...]}` unknown; `400` another location, or the VPC it is in.
//! * `PUT …/firewall {"rules": [{direction, protocol, port_range, source, action}]}` →
//!   `apply_firewall` (~5 s); `GET …/firewall` → `{"rules"}` as applied (the old ones until
//!   then). `400 {"rules": [...]}` naming each bad rule.
//! * `POST …/sync` → `sync_vps_state` (~5 s; the sheet names the task type, not its path —
//!   this path is the simulator's); the instance as the host has it (unchanged here).
//! * `POST …/console` → `get_vnc_url` (~3 s; the instance must be `running`); `result:
//!   {session_id}` once `completed`; then `GET …/console/{session_id}` → `{id, url,
//!   expires_at}` (5 minutes after the task ended; still answered after it expired); `404`
//!   before the task completed and for an unknown id.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::catalogue::VPCS;
use super::{detail, not_allowed, Effect, Kind, Onet};
use crate::netfacts::{Attachment, ConsoleFact, FirewallRule, NetTruth, NetworkFact, ResState};
use crate::util::{iso, json_response, Ctx};
use crate::Response;

/// How long a console URL stays valid after its task ended.
const CONSOLE_TTL_MS: u64 = 300_000;

/// An instance's addresses, PTRs and firewall as issue 16's tasks left them.
#[derive(Clone, Debug, Default)]
pub(super) struct NetState {
    /// Assigned public addresses `(address, version)`.
    pub extra: Vec<(String, u8)>,
    /// Removed public addresses.
    pub removed: Vec<String>,
    pub ptrs: BTreeMap<String, String>,
    pub firewall: Vec<FirewallRule>,
}

#[derive(Clone, Debug)]
pub(super) struct Console {
    pub id: String,
    pub inst: usize,
    pub url: String,
    pub expires: u64,
}

fn field_error(field: &str, m: &str) -> Response {
    json_response(400, &json!({ field: [m] }))
}

fn body(ctx: &Ctx) -> Result<Map<String, Value>, Response> {
    match ctx.body_json() {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(detail(400, "Request body must be a JSON object.")),
        Err(e) => Err(detail(400, &format!("JSON parse error - {e}"))),
    }
}

fn valid_host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// One firewall rule of a `PUT …/firewall` body, or what is wrong with it.
fn firewall_rule(v: &Value) -> Result<FirewallRule, String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let direction = s("direction").filter(|d| d == "in" || d == "out");
    let protocol = s("protocol").filter(|p| ["tcp", "udp", "icmp", "any"].contains(&p.as_str()));
    let action = s("action").filter(|a| a == "allow" || a == "deny");
    let source = s("source").filter(|x| !x.is_empty());
    let port_range = s("port_range");
    let port_ok = |p: &str| p.parse::<u16>().is_ok_and(|n| n >= 1);
    let range_ok = match port_range.as_deref() {
        None | Some("") => true,
        Some(r) => match r.split_once('-') {
            Some((a, b)) => {
                port_ok(a) && port_ok(b) && a.parse::<u16>().ok() <= b.parse::<u16>().ok()
            }
            None => port_ok(r),
        },
    };
    match (direction, protocol, action, source) {
        (None, ..) => Err("direction must be in or out".into()),
        (_, None, ..) => Err("protocol must be tcp, udp, icmp or any".into()),
        (_, _, None, _) => Err("action must be allow or deny".into()),
        (_, _, _, None) => Err("source is required".into()),
        _ if !range_ok => Err("port_range must be a port or a range like 1000-2000".into()),
        (Some(direction), Some(protocol), Some(action), Some(source)) => Ok(FirewallRule {
            direction,
            protocol,
            port_range: port_range.filter(|p| !p.is_empty()),
            source,
            action,
        }),
    }
}

fn rule_json(r: &FirewallRule) -> Value {
    json!({"direction": r.direction, "protocol": r.protocol, "port_range": r.port_range,
           "source": r.source, "action": r.action})
}

impl Onet {
    pub(super) fn user_json(&self, by: usize) -> Value {
        if by == 1 {
            json!({"id": self.colleague_id, "email": "colleague@vigil.test",
                   "first_name": "Casey", "last_name": "Colleague"})
        } else {
            json!({"id": self.user_id, "email": crate::DEMO_EMAIL,
                   "first_name": "Demo", "last_name": "User"})
        }
    }

    /// `400` when instance `ii` cannot take a task now (one running, its create failed or
    /// still running).
    pub(super) fn refuse_task(&self, ii: usize, now: u64) -> Option<Response> {
        if self.busy(ii, now) {
            return Some(detail(400, "Instance already has a task in progress."));
        }
        let inst = &self.instances[ii];
        (inst.create_failed || !inst.provisioned).then(|| {
            detail(
                400,
                "Instance was not created (its create_vps task failed); delete it.",
            )
        })
    }

    /// Starts a task and answers it.
    pub(super) fn task_answer(
        &mut self,
        ii: usize,
        kind: Kind,
        effect: Effect,
        params: Value,
        now: u64,
    ) -> Response {
        let ti = self.start_task(ii, kind, effect, params, now);
        json_response(202, &self.task_json(&self.tasks[ti], now))
    }

    /// `…/ips…`, `…/vpc`, `…/firewall`, `…/console…`, `…/sync`.
    pub(super) fn route_net(&mut self, ii: usize, rest: &[&str], ctx: &Ctx) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        let label = |p: &str| format!("{m} /compute/instances/{{id}}/{p}");
        match (m, rest) {
            ("POST", ["ips"]) => (label("ips"), self.assign_ip(ii, ctx)),
            ("DELETE", ["ips", addr]) => (label("ips/{address}"), self.remove_ip(ii, addr, now)),
            ("PUT", ["ips", addr, "reverse-dns"]) => (
                label("ips/{address}/reverse-dns"),
                self.reverse_dns(ii, addr, ctx),
            ),
            ("POST", ["vpc"]) => (label("vpc"), self.update_vpc(ii, ctx)),
            ("GET", ["firewall"]) => {
                let rules: Vec<Value> = self.instances[ii]
                    .net
                    .firewall
                    .iter()
                    .map(rule_json)
                    .collect();
                (
                    label("firewall"),
                    json_response(200, &json!({ "rules": rules })),
                )
            }
            ("PUT", ["firewall"]) => (label("firewall"), self.apply_firewall(ii, ctx)),
            ("POST", ["sync"]) => (label("sync"), self.simple_task(ii, Kind::SyncVpsState, now)),
            ("POST", ["console"]) => (label("console"), self.console(ii, now)),
            ("GET", ["console", sid]) => {
                let found = self.consoles.iter().find(|c| c.id == *sid && c.inst == ii);
                let r = match found {
                    Some(c) => json_response(
                        200,
                        &json!({"id": c.id, "url": c.url, "expires_at": iso(c.expires)}),
                    ),
                    None => detail(404, "Not found."),
                };
                (label("console/{session_id}"), r)
            }
            (
                _,
                ["ips"]
                | ["ips", _]
                | ["ips", _, "reverse-dns"]
                | ["vpc"]
                | ["firewall"]
                | ["sync"]
                | ["console"]
                | ["console", _],
            ) => (label(rest[0]), not_allowed(m)),
            _ => ("unknown".into(), detail(404, "Not found.")),
        }
    }

    fn simple_task(&mut self, ii: usize, kind: Kind, now: u64) -> Response {
        if let Some(r) = self.refuse_task(ii, now) {
            return r;
        }
        self.task_answer(ii, kind, Effect::None, json!({}), now)
    }

    fn assign_ip(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let b = match body(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let version = match b.get("version").and_then(crate::util::as_uint) {
            None => 4,
            Some(v @ (4 | 6)) => v as u8,
            Some(_) => return field_error("version", "\"version\" must be 4 or 6."),
        };
        if let Some(r) = self.refuse_task(ii, ctx.now) {
            return r;
        }
        let k = self.next_addr;
        self.next_addr += 1;
        let address = if version == 4 {
            self.pool.public_v4(k)
        } else {
            self.pool.v6(k)
        };
        let params = json!({ "version": version });
        self.task_answer(
            ii,
            Kind::AssignIp,
            Effect::AssignIp(address, version),
            params,
            ctx.now,
        )
    }

    /// The address `addr` of instance `ii` and whether it is public.
    fn held(&self, ii: usize, addr: &str) -> Option<bool> {
        self.addresses(&self.instances[ii])
            .into_iter()
            .find(|(a, _, _)| a == addr)
            .map(|(_, _, kind)| kind == "public")
    }

    fn remove_ip(&mut self, ii: usize, addr: &str, now: u64) -> Response {
        match self.held(ii, addr) {
            None => return detail(404, "Not found."),
            Some(false) => {
                return detail(
                    400,
                    "The VPC address cannot be removed; change the VPC instead.",
                )
            }
            Some(true) => {}
        }
        if let Some(r) = self.refuse_task(ii, now) {
            return r;
        }
        let params = json!({ "address": addr });
        self.task_answer(
            ii,
            Kind::RemoveIp,
            Effect::RemoveIp(addr.into()),
            params,
            now,
        )
    }

    fn reverse_dns(&mut self, ii: usize, addr: &str, ctx: &Ctx) -> Response {
        let b = match body(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        match self.held(ii, addr) {
            None => return detail(404, "Not found."),
            Some(false) => {
                return detail(400, "Reverse DNS is only available on public addresses.")
            }
            Some(true) => {}
        }
        let ptr = match b
            .get("ptr")
            .and_then(Value::as_str)
            .map(|p| p.trim_end_matches('.'))
        {
            Some(p) if valid_host(p) => p.to_string(),
            Some(_) => return field_error("ptr", "Enter a valid host name."),
            None => return field_error("ptr", "This field is required."),
        };
        if let Some(r) = self.refuse_task(ii, ctx.now) {
            return r;
        }
        let params = json!({"address": addr, "ptr": ptr});
        let effect = Effect::Ptr(addr.into(), ptr);
        self.task_answer(ii, Kind::UpdateReverseDns, effect, params, ctx.now)
    }

    fn update_vpc(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let b = match body(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(id) = b.get("vpc_id").and_then(Value::as_str) else {
            return field_error("vpc_id", "This field is required.");
        };
        let Some(v) = self.vpc_ids.iter().position(|x| x == id) else {
            return field_error(
                "vpc_id",
                &format!("Invalid pk \"{id}\" - object does not exist."),
            );
        };
        let inst = &self.instances[ii];
        if inst.vpc == v {
            return detail(400, "Instance is already in this VPC.");
        }
        if VPCS[v].1 != inst.location {
            return detail(400, &format!("VPC {} is in another location.", VPCS[v].0));
        }
        if let Some(r) = self.refuse_task(ii, ctx.now) {
            return r;
        }
        self.task_answer(
            ii,
            Kind::UpdateVpc,
            Effect::Vpc(v),
            json!({ "vpc_id": id }),
            ctx.now,
        )
    }

    fn apply_firewall(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let b = match body(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(list) = b.get("rules").and_then(Value::as_array) else {
            return field_error("rules", "This field is required and must be a list.");
        };
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (k, v) in list.iter().enumerate() {
            match firewall_rule(v) {
                Ok(r) => rules.push(r),
                Err(e) => errors.push(format!("rule {}: {e}", k + 1)),
            }
        }
        if !errors.is_empty() {
            return json_response(400, &json!({ "rules": errors }));
        }
        if let Some(r) = self.refuse_task(ii, ctx.now) {
            return r;
        }
        let params = json!({ "rules": list });
        self.task_answer(
            ii,
            Kind::ApplyFirewall,
            Effect::Firewall(rules),
            params,
            ctx.now,
        )
    }

    fn console(&mut self, ii: usize, now: u64) -> Response {
        if let Some(r) = self.refuse_task(ii, now) {
            return r;
        }
        if self.instances[ii].status != "running" {
            return detail(400, "Instance is not running.");
        }
        let sid = self.ids.uuid();
        self.task_answer(ii, Kind::GetVncUrl, Effect::Console(sid), json!({}), now)
    }

    /// What a completed IP, VPC, firewall, console or volume task does.
    pub(super) fn apply_net_effect(&mut self, ii: usize, effect: Effect) {
        let ends = self
            .tasks
            .iter()
            .rev()
            .find(|t| t.inst == ii && t.effect == effect)
            .map_or(0, |t| t.ends());
        let inst = &mut self.instances[ii];
        match effect {
            Effect::AssignIp(a, v) => {
                inst.net.removed.retain(|x| *x != a);
                inst.net.extra.push((a, v));
            }
            Effect::RemoveIp(a) => {
                inst.net.extra.retain(|(x, _)| *x != a);
                inst.net.removed.push(a);
            }
            Effect::Ptr(a, p) => {
                inst.net.ptrs.insert(a, p);
            }
            Effect::Vpc(v) => inst.vpc = v,
            Effect::Firewall(rules) => inst.net.firewall = rules,
            Effect::Console(id) => self.consoles.push(Console {
                url: format!("https://console.onetsolutions.net/vnc/{id}"),
                id,
                inst: ii,
                expires: ends + CONSOLE_TTL_MS,
            }),
            Effect::Volume(v, size) => self.apply_volume(v, size, ends),
            _ => {}
        }
    }

    fn vpc_facts(&self) -> Vec<NetworkFact> {
        (0..VPCS.len())
            .map(|v| NetworkFact {
                dialect: "onetsolutions",
                id: self.vpc_ids[v].clone(),
                name: VPCS[v].0.to_string(),
                cidr: Some(format!("10.{}.0.0/16", VPCS[v].2)),
                state: ResState::Ready,
                attached: self
                    .instances
                    .iter()
                    .filter(|i| i.vpc == v && i.provisioned && !i.gone)
                    .map(|i| Attachment {
                        vm_id: i.id.clone(),
                        internal_ip: crate::net::private_v4(VPCS[v].2, i.addr),
                    })
                    .collect(),
            })
            .collect()
    }

    pub(super) fn net_facts(&self, now: u64) -> NetTruth {
        let live = || self.instances.iter().filter(|i| !i.gone);
        NetTruth {
            networks: self.vpc_facts(),
            volumes: self.volume_facts(now),
            firewalls: live()
                .map(|i| (i.id.clone(), i.net.firewall.clone()))
                .collect(),
            reverse_dns: live()
                .flat_map(|i| {
                    self.addresses(i).into_iter().map(move |(a, _, kind)| {
                        let ptr = (kind == "public").then(|| self.ptr_of(i, &a));
                        (i.id.clone(), a, ptr)
                    })
                })
                .collect(),
            consoles: self
                .consoles
                .iter()
                .map(|c| ConsoleFact {
                    dialect: "onetsolutions",
                    vm_id: self.instances[c.inst].id.clone(),
                    session_id: c.id.clone(),
                    url: c.url.clone(),
                    expires_at_ms: c.expires,
                })
                .collect(),
            ..Default::default()
        }
    }
}
