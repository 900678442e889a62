//! Hostway VM lifecycle.
//!
//! * Create: `POST /servers {"server": {"name", "imageRef", "flavorRef", "securityGroupRef",
//!   "adminPass"?, "zone"}}` (refs: the catalogue's `self` hrefs, or bare ids) → `202` +
//!   `Location` + the server (`BUILD`, progress 0, `hostId: ""`, `created: ""`, no addresses)
//!   and, when no `adminPass` was sent, the generated one (shown this once). The build runs
//!   ~100 s (median, ×0.6–1.6) through progress 0 → 50 → 100 (thirds) to `ACTIVE` with
//!   `hostId`, `created` and `addresses.public`/`private` (IPv4 and IPv6), or to `DELETED` when
//!   it failed (listed until deleted). Refusals `400 badRequest`: no name; an unknown flavor,
//!   image, security group or zone; an image not `ACTIVE` or not offered in that zone; a flavor
//!   with less disk than the image needs; an `adminPass` under 8 characters. `imageRef`,
//!   `securityGroupRef` and `zone` may be left out (the sheet lists them; the simulator then
//!   takes Ubuntu 24.04, `default` and the account's first zone).
//! * Delete: `DELETE /servers/{id}` → `202`, empty body; `DELETED` (progress 0) during the
//!   teardown (~20 s), then `404` and absent from the list; a failed delete shows the server as
//!   before. `409` while it builds, changes or is already being deleted.

use serde_json::{Map, Value};

use super::catalogue::{ref_id, FLAVORS, SECURITY_GROUPS, ZONES};
use super::{accepted, alnum, fault, Base, Hostway, Server};
use crate::truth::{finish_at, Completion, VmFact, VmState};
use crate::util::Ctx;
use crate::Response;

/// What a valid create body asks for.
struct Spec {
    name: String,
    flavor: usize,
    image: usize,
    zone: usize,
    security_group: usize,
    admin_pass: Option<String>,
}

fn lookup(
    srv: &Map<String, Value>,
    key: &str,
    default: Option<usize>,
    find: impl Fn(&str) -> Option<usize>,
) -> Result<usize, Response> {
    match srv.get(key).filter(|v| !v.is_null()) {
        None => default.ok_or_else(|| fault(400, &format!("server.{key} is required"))),
        Some(v) => ref_id(v)
            .and_then(|id| find(&id))
            .ok_or_else(|| fault(400, &format!("Invalid {key} {v}"))),
    }
}

impl Hostway {
    fn create_spec(&self, srv: &Map<String, Value>) -> Result<Spec, Response> {
        let Some(name) = srv
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.len() <= 63)
        else {
            return Err(fault(400, "server.name is required"));
        };
        let flavor_ref = srv
            .get("flavorRef")
            .or_else(|| srv.get("flavor").and_then(|f| f.get("id")));
        let flavor = flavor_ref
            .and_then(ref_id)
            .and_then(|id| FLAVORS.iter().position(|f| f.0 == id))
            .ok_or_else(|| fault(400, "server.flavorRef must name a valid flavor (1-6)"))?;
        let image = lookup(srv, "imageRef", Some(0), |id| {
            self.images.iter().position(|i| i.id == id)
        })?;
        let zone = lookup(srv, "zone", Some(0), |id| {
            ZONES.iter().position(|z| z.0 == id)
        })?;
        let security_group = lookup(srv, "securityGroupRef", Some(0), |id| {
            SECURITY_GROUPS.iter().position(|g| g.0 == id)
        })?;
        let img = &self.images[image];
        if img.status != "ACTIVE" {
            return Err(fault(
                400,
                &format!("Image {} is {}, not ACTIVE", img.id, img.status),
            ));
        }
        if !img.zones.contains(&zone) {
            return Err(fault(
                400,
                &format!(
                    "Image {} is not available in zone {}",
                    img.id, ZONES[zone].0
                ),
            ));
        }
        if FLAVORS[flavor].4 < img.min_disk {
            return Err(fault(
                400,
                &format!(
                    "Flavor {} has too little disk for image {} ({} GB needed)",
                    FLAVORS[flavor].0, img.id, img.min_disk
                ),
            ));
        }
        let admin_pass = match srv.get("adminPass") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if p.len() >= 8 => Some(p.clone()),
            Some(_) => return Err(fault(400, "server.adminPass must be at least 8 characters")),
        };
        Ok(Spec {
            name: name.to_string(),
            flavor,
            image,
            zone,
            security_group,
            admin_pass,
        })
    }

    /// `POST /servers`.
    pub(super) fn create(&mut self, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(v) => v,
            Err(e) => return fault(400, &format!("Malformed request body: {e}")),
        };
        let Some(srv) = body.get("server").and_then(Value::as_object) else {
            return fault(400, "Missing 'server' in request body");
        };
        let spec = match self.create_spec(srv) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let build = self.timed(now, 100_000);
        let ok = build.ok;
        let server = Server {
            id: self.ids.uuid(),
            name: spec.name,
            base: if ok { Base::Active } else { Base::Deleted },
            flavor: spec.flavor,
            image: spec.image,
            zone: spec.zone,
            security_group: spec.security_group,
            addr: self.next_addr,
            created_ms: now,
            updated_ms: now,
            extra_volumes: Vec::new(),
            change: None,
            build: Some(build),
            delete: None,
            snapshots: Vec::new(),
            restored_from: None,
            host_id: self.ids.hex(56),
            gone: false,
        };
        self.next_addr += 1;
        let generated = spec.admin_pass.is_none().then(|| alnum(&mut self.ids, 12));
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: server.id.clone(),
            vm_name: server.name.clone(),
            action: "create",
            accepted_at_ms: now,
            finished_at_ms: server.build.as_ref().and_then(|b| finish_at(b.ends)),
            succeeded: ok,
            task_status: server.base.as_str(),
            visible: true,
        });
        self.servers.push(server);
        let si = self.servers.len() - 1;
        let href = self.href(ctx, &format!("/servers/{}", self.servers[si].id));
        let mut body = self.server_json(si, ctx);
        if let Some(p) = generated {
            body["server"]["adminPass"] = Value::String(p);
        }
        accepted(Some(href), Some(body))
    }

    /// `DELETE /servers/{id}`.
    pub(super) fn delete(&mut self, si: usize, now: u64) -> Response {
        match self.status(si, now).0 {
            "BUILD" | "PROCESSING" => return fault(409, "Other status change in progress"),
            "DELETED"
                if self.servers[si]
                    .delete
                    .as_ref()
                    .is_some_and(|d| now < d.ends) =>
            {
                return fault(409, "Server is already being deleted")
            }
            _ => {}
        }
        let t = self.timed(now, 20_000);
        let s = &self.servers[si];
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: s.id.clone(),
            vm_name: s.name.clone(),
            action: "delete",
            accepted_at_ms: now,
            finished_at_ms: finish_at(t.ends),
            succeeded: t.ok,
            task_status: if t.ok { "DELETED" } else { s.base.as_str() },
            visible: true,
        });
        self.servers[si].delete = Some(t);
        accepted(None, None)
    }

    pub(super) fn vm_facts(&self, now: u64) -> Vec<VmFact> {
        (0..self.servers.len())
            .map(|si| {
                let s = &self.servers[si];
                let deleting = s.delete.as_ref().is_some_and(|d| now < d.ends);
                let state = match s.base {
                    _ if s.gone => VmState::Gone,
                    _ if self.status(si, now).0 == "BUILD" => VmState::Creating,
                    _ if deleting => VmState::Deleting,
                    Base::Active => VmState::Running,
                    Base::Deleted => VmState::Failed,
                    _ => VmState::Stopped,
                };
                let addresses = if self.placed(si, now) {
                    let (v4, v6, private) = self.addresses(s);
                    vec![v4, v6, private]
                } else {
                    Vec::new()
                };
                VmFact {
                    dialect: "hostway",
                    vm_id: s.id.clone(),
                    vm_name: s.name.clone(),
                    state,
                    addresses,
                }
            })
            .collect()
    }
}
