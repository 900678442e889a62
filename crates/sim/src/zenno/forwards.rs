//! ZennoHosting public IPs and their port-forward rules, per the sheet's "Networks, public
//! IPs, port forwards".
//!
//! * `GET /projects/{p}/public-ips` → `{"items": [{id, address, status, vmId}]}`, `GET
//!   …/public-ips/{ip}` → one; `status` `pending` (allocating, `address: null`) → `active` (or
//!   `failed`); `deleting` → absent.
//! * `POST /projects/{p}/public-ips {}` → `202 {"commandId"}` (~5 s); the new IP is listed at
//!   once, `pending`. `DELETE …/public-ips/{ip}` → `202`, `deleting` (~5 s), then `404` (its
//!   rules go with it); `409 public_ip_in_use` naming the VM it is attached to; `409
//!   invalid_state` while it is not `active`.
//! * `GET`/`POST …/public-ips/{ip}/port-forwards`, `GET`/`PATCH`/`DELETE
//!   …/port-forwards/{f}`; body `{protocol: "tcp"/"udp", externalPort, vmId, internalPort}`
//!   (PATCH: any of them); every write `202 {"commandId"}` (~8 s). Rule `{id, protocol,
//!   externalPort, vmId, internalPort, status}`: a create `pending` → `active` (or `failed`);
//!   an update `pending` with the old values, then `active` with the new ones (a failed one:
//!   `failed`, old values); a delete `deleting`, then absent (a failed one: `failed`).
//!   Refusals: `409 port_in_use` ("Port 80/tcp of 198.18.0.7 is already forwarded to VM
//!   web-1 (rule …)"), `409 operation_in_progress` (a change of that rule runs), `409
//!   public_ip_not_active`, `422` bad protocol, port or unknown VM.

use serde_json::{json, Map, Value};

use super::{err, method_not_allowed, not_found, validation, PublicIp, Rng, Zenno};
use crate::netfacts::{ForwardFact, PublicIpFact, ResState};
use crate::util::{as_uint, json_response, Ctx, NEVER};
use crate::Response;

type Values = (&'static str, u16, usize, u16);

#[derive(Clone, Debug)]
pub(super) struct Rule {
    id: String,
    values: Values,
    /// When its create ends, and whether it worked.
    ready: u64,
    ok: bool,
    /// A running update (`Some(values)`) or delete (`None`): `(what, ends, ok)`.
    change: Option<(Option<Values>, u64, bool)>,
    failed: bool,
    gone: bool,
}

impl Rule {
    fn status(&self, now: u64) -> &'static str {
        if self.gone {
            return "gone";
        }
        match &self.change {
            Some((None, ends, _)) if now < *ends => return "deleting",
            Some((Some(_), ends, _)) if now < *ends => return "pending",
            _ => {}
        }
        if now < self.ready {
            "pending"
        } else if !self.ok || self.failed {
            "failed"
        } else {
            "active"
        }
    }

    /// The values it holds or is being changed to.
    fn claims(&self) -> Vec<Values> {
        let mut v = vec![self.values];
        if let Some((Some(to), _, _)) = &self.change {
            v.push(*to);
        }
        v
    }
}

fn ip_status(p: &PublicIp, now: u64) -> &'static str {
    if let Some((ends, ok)) = p.release {
        if now < ends {
            return "deleting";
        }
        if ok {
            return "gone";
        }
    }
    if now < p.ready.0 {
        "pending"
    } else if p.ready.1 {
        "active"
    } else {
        "failed"
    }
}

fn port(body: &Map<String, Value>, key: &str) -> Result<Option<u16>, Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match as_uint(v) {
            Some(p) if (1..=65535).contains(&p) => Ok(Some(p as u16)),
            _ => Err(validation(&format!("{key} must be a port 1-65535"))),
        },
    }
}

impl Zenno {
    pub(super) fn ip_usable(&self, i: usize, now: u64) -> bool {
        ip_status(&self.public_ips[i], now) == "active"
    }

    fn ip_json(&self, p: &PublicIp, now: u64) -> Value {
        let status = ip_status(p, now);
        json!({
            "id": p.id,
            "address": (status != "pending" && status != "failed").then(|| p.address.clone()),
            "status": status,
            "vmId": p.vm.map(|v| self.vms[v].id.clone()),
        })
    }

    fn rule_json(&self, r: &Rule, now: u64) -> Value {
        let (protocol, ext, vm, int) = r.values;
        json!({
            "id": r.id,
            "protocol": protocol,
            "externalPort": ext,
            "vmId": self.vms[vm].id,
            "internalPort": int,
            "status": r.status(now),
        })
    }

    /// Rules' changes and creates that ended, applied.
    pub(super) fn advance_forwards(&mut self, now: u64) {
        for p in self.public_ips.iter_mut() {
            for r in p.rules.iter_mut() {
                let Some((to, ends, ok)) = r.change else {
                    continue;
                };
                if ends > now {
                    continue;
                }
                r.change = None;
                match (to, ok) {
                    (None, true) => r.gone = true,
                    (Some(v), true) => r.values = v,
                    (_, false) => r.failed = true,
                }
            }
        }
    }

    /// `/projects/{p}/public-ips…`.
    pub(super) fn route_public_ips(&mut self, rest: &[&str], ctx: &Ctx) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        if rest.is_empty() {
            let label = format!("{m} /projects/{{p}}/public-ips");
            return match m {
                "GET" => {
                    let items: Vec<Value> = self
                        .public_ips
                        .iter()
                        .filter(|p| ip_status(p, now) != "gone")
                        .map(|p| self.ip_json(p, now))
                        .collect();
                    (label, json_response(200, &json!({ "items": items })))
                }
                "POST" => (label, self.allocate(ctx)),
                _ => (label, method_not_allowed()),
            };
        }
        let Some(pi) = self
            .public_ips
            .iter()
            .position(|p| p.id == rest[0] && ip_status(p, now) != "gone")
        else {
            return (
                "/projects/{p}/public-ips/{ip}".into(),
                not_found(&format!("Public IP {} not found", rest[0])),
            );
        };
        match (m, &rest[1..]) {
            ("GET", []) => (
                "GET /projects/{p}/public-ips/{ip}".into(),
                json_response(200, &self.ip_json(&self.public_ips[pi], now)),
            ),
            ("DELETE", []) => (
                "DELETE /projects/{p}/public-ips/{ip}".into(),
                self.release(pi, now),
            ),
            (_, []) => ("/projects/{p}/public-ips/{ip}".into(), method_not_allowed()),
            (_, ["port-forwards", tail @ ..]) => self.route_forwards(pi, tail, ctx),
            _ => ("unknown".into(), not_found("No such endpoint")),
        }
    }

    fn allocate(&mut self, ctx: &Ctx) -> Response {
        if let Err(r) = super::empty_or_object(ctx) {
            return r;
        }
        let now = ctx.now;
        let dur = self.env.duration(5_000);
        let ok = !self.env.fails();
        let ends = if self.env.stuck() { NEVER } else { now + dur };
        let id = self.ids.uuid();
        let pi = self.new_public_ip(id, None);
        self.public_ips[pi].ready = (ends, ok);
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    fn release(&mut self, pi: usize, now: u64) -> Response {
        let p = &self.public_ips[pi];
        if let Some(vm) = p.vm {
            return err(
                409,
                "public_ip_in_use",
                &format!(
                    "Public IP {} is attached to VM {}",
                    p.address, self.vms[vm].name
                ),
            );
        }
        let status = ip_status(p, now);
        if status != "active" && status != "failed" {
            return err(
                409,
                "invalid_state",
                &format!("Public IP {} is {status}", p.id),
            );
        }
        let dur = self.env.duration(5_000);
        let ok = !self.env.fails();
        let ends = if self.env.stuck() { NEVER } else { now + dur };
        self.public_ips[pi].release = Some((ends, ok));
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    fn route_forwards(&mut self, pi: usize, rest: &[&str], ctx: &Ctx) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        let base = "/projects/{p}/public-ips/{ip}/port-forwards";
        match (m, rest) {
            ("GET", []) => {
                let p = &self.public_ips[pi];
                let items: Vec<Value> = p
                    .rules
                    .iter()
                    .filter(|r| !r.gone)
                    .map(|r| self.rule_json(r, now))
                    .collect();
                (
                    format!("GET {base}"),
                    json_response(200, &json!({ "items": items })),
                )
            }
            ("POST", []) => (format!("POST {base}"), self.write_rule(pi, None, ctx)),
            (_, []) => (base.into(), method_not_allowed()),
            (_, [fid]) => {
                let label = format!("{m} {base}/{{f}}");
                let Some(ri) = self.public_ips[pi]
                    .rules
                    .iter()
                    .position(|r| r.id == *fid && !r.gone)
                else {
                    return (label, not_found(&format!("Port forward {fid} not found")));
                };
                match m {
                    "GET" => {
                        let r = &self.public_ips[pi].rules[ri];
                        (label, json_response(200, &self.rule_json(r, now)))
                    }
                    "PATCH" => (label, self.write_rule(pi, Some(ri), ctx)),
                    "DELETE" => (label, self.delete_rule(pi, ri, now)),
                    _ => (label, method_not_allowed()),
                }
            }
            _ => ("unknown".into(), not_found("No such endpoint")),
        }
    }

    /// The values a create (`ri: None`, all required) or update body asks for.
    fn rule_values(
        &self,
        body: &Map<String, Value>,
        old: Option<Values>,
    ) -> Result<Values, Response> {
        let protocol = match body.get("protocol") {
            None | Some(Value::Null) => old.map(|o| o.0),
            Some(Value::String(p)) if p == "tcp" => Some("tcp"),
            Some(Value::String(p)) if p == "udp" => Some("udp"),
            Some(_) => return Err(validation("protocol must be tcp or udp")),
        };
        let vm = match body.get("vmId") {
            None | Some(Value::Null) => old.map(|o| o.2),
            Some(v) => {
                let id = v.as_str().unwrap_or_default();
                Some(self.find(id).ok_or_else(|| {
                    validation(&format!("vmId: VM {v} does not exist in this project"))
                })?)
            }
        };
        let ext = port(body, "externalPort")?.or(old.map(|o| o.1));
        let int = port(body, "internalPort")?.or(old.map(|o| o.3));
        match (protocol, ext, vm, int) {
            (Some(p), Some(e), Some(v), Some(i)) => Ok((p, e, v, i)),
            _ => Err(validation(
                "protocol, externalPort, vmId and internalPort are required",
            )),
        }
    }

    fn write_rule(&mut self, pi: usize, ri: Option<usize>, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return validation("body must be a JSON object"),
            Err(e) => return validation(&format!("invalid JSON: {e}")),
        };
        let p = &self.public_ips[pi];
        let old = ri.map(|r| p.rules[r].values);
        let values = match self.rule_values(&body, old) {
            Ok(v) => v,
            Err(r) => return r,
        };
        if !self.ip_usable(pi, now) {
            return err(
                409,
                "public_ip_not_active",
                &format!("Public IP {} is {}", p.id, ip_status(p, now)),
            );
        }
        if let Some(r) = ri.map(|r| &p.rules[r]) {
            if r.status(now) == "pending" || r.status(now) == "deleting" {
                return err(
                    409,
                    "operation_in_progress",
                    &format!("Port forward {} has a change in progress", r.id),
                );
            }
        }
        let clash = p.rules.iter().enumerate().find(|(k, r)| {
            Some(*k) != ri
                && !r.gone
                && r.claims()
                    .iter()
                    .any(|c| c.0 == values.0 && c.1 == values.1)
        });
        if let Some((_, r)) = clash {
            return err(
                409,
                "port_in_use",
                &format!(
                    "Port {}/{} of {} is already forwarded to VM {} (rule {})",
                    values.1, values.0, p.address, self.vms[r.values.2].name, r.id
                ),
            );
        }
        let dur = self.env.duration(8_000);
        let ok = !self.env.fails();
        let ends = if self.env.stuck() { NEVER } else { now + dur };
        let rules = &mut self.public_ips[pi].rules;
        match ri {
            Some(r) => {
                rules[r].change = Some((Some(values), ends, ok));
                rules[r].failed = false;
            }
            None => rules.push(Rule {
                id: self.ids.uuid(),
                values,
                ready: ends,
                ok,
                change: None,
                failed: false,
                gone: false,
            }),
        }
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    fn delete_rule(&mut self, pi: usize, ri: usize, now: u64) -> Response {
        let r = &self.public_ips[pi].rules[ri];
        if matches!(r.status(now), "pending" | "deleting") {
            return err(
                409,
                "operation_in_progress",
                &format!("Port forward {} has a change in progress", r.id),
            );
        }
        let dur = self.env.duration(8_000);
        let ok = !self.env.fails();
        let ends = if self.env.stuck() { NEVER } else { now + dur };
        self.public_ips[pi].rules[ri].change = Some((None, ends, ok));
        json_response(202, &json!({"commandId": self.ids.uuid()}))
    }

    pub(super) fn public_ip_facts(&self, now: u64) -> Vec<PublicIpFact> {
        self.public_ips
            .iter()
            .map(|p| {
                let status = ip_status(p, now);
                PublicIpFact {
                    dialect: "zennohosting",
                    id: p.id.clone(),
                    address: (status != "pending" && status != "failed").then(|| p.address.clone()),
                    state: state_of(status),
                    vm_id: p.vm.map(|v| self.vms[v].id.clone()),
                    forwards: p
                        .rules
                        .iter()
                        .map(|r| {
                            let (protocol, ext, vm, int) = r.values;
                            let status = r.status(now);
                            ForwardFact {
                                id: r.id.clone(),
                                protocol: protocol.into(),
                                external_port: ext,
                                vm_id: self.vms[vm].id.clone(),
                                internal_port: int,
                                state: match status {
                                    "pending" if now >= r.ready => ResState::Changing,
                                    _ if status == "gone" || ip_status(p, now) == "gone" => {
                                        ResState::Gone
                                    }
                                    s => state_of(s),
                                },
                            }
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Two rules on the first free public IP (`tcp 80 → VM 1:80`, `tcp 2222 → VM 2:22`).
    pub(super) fn seed_forwards(&mut self, rng: &mut Rng) {
        let Some(pi) = self.public_ips.iter().position(|p| p.vm.is_none()) else {
            return;
        };
        let n = self.vms.len();
        if n == 0 {
            return;
        }
        for (ext, vm, int) in [(80, 0, 80), (2222, 1.min(n - 1), 22)] {
            self.public_ips[pi].rules.push(Rule {
                id: rng.uuid(),
                values: ("tcp", ext, vm, int),
                ready: 0,
                ok: true,
                change: None,
                failed: false,
                gone: false,
            });
        }
    }
}

fn state_of(status: &str) -> ResState {
    match status {
        "pending" => ResState::Creating,
        "active" => ResState::Ready,
        "deleting" => ResState::Deleting,
        "failed" => ResState::Failed,
        _ => ResState::Gone,
    }
}
