//! cloudsfor volumes, per the sheet's "Networks, volumes, console" (DigitalOcean's documented
//! shape: volumes_create.yml, volumeActions_post_byId.yml, volumes_delete.yml):
//!
//! * `GET /volumes?page=&per_page=` → `{"volumes": [Volume], "links", "meta": {"total"}}`;
//!   `GET /volumes/{id}` → `{"volume"}`. Volume `{id, name, size_gigabytes, region {slug,
//!   name}, vm_ids, created_at, description}`; no status of its own (as at DigitalOcean).
//! * `POST /volumes {size_gigabytes (1–16384), name, region}` → `201 {"volume"}` at once;
//!   `name` lowercase letters, digits and `-`, starting with a letter, at most 64, unique in
//!   the region (else `422`); `region` one of `GET /regions`' names.
//! * `POST /volumes/{id}/actions` `{"type": "attach"/"detach", "vm_id", "region"}` or
//!   `{"type": "resize", "size_gigabytes", "region"}` → `202 {"action"}`; the action's `id` is
//!   the volume's (as a VM action's is its VM's), `type` `attach_volume`/`detach_volume`/
//!   `resize_volume`, `resource_type: "volume"`; `GET /volumes/{id}/actions` lists them,
//!   newest first. `failure_rate` of them end `errored` (volume unchanged); with the `lag`
//!   fault the volume shows the change that long after its action reports `completed`.
//! * `422` refusals: an action already in progress on the volume; attach of an attached
//!   volume, to a VM of another region, or to an unknown VM; detach of a volume not attached
//!   (to that VM); a resize that does not grow; a `region` other than the volume's; delete of
//!   an attached volume. `DELETE /volumes/{id}` → `204` at once, then `404`.

use serde_json::{json, Map, Value};

use super::{catalogue, not_found, paging, unprocessable, Cloudsfor, Phase};
use crate::netfacts::{ResState, VolumeFact};
use crate::util::{empty_response, iso, json_response, window, Ctx, Rng};
use crate::Response;

/// DigitalOcean's largest volume: 16 TiB.
const MAX_GB: u64 = 16_384;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    Attach(usize),
    Detach,
    Resize(u32),
}

impl Change {
    fn action_type(self) -> &'static str {
        match self {
            Change::Attach(_) => "attach_volume",
            Change::Detach => "detach_volume",
            Change::Resize(_) => "resize_volume",
        }
    }

    fn median_ms(self) -> u64 {
        match self {
            Change::Resize(_) => 20_000,
            _ => 10_000,
        }
    }
}

#[derive(Clone, Debug)]
struct VolAction {
    change: Change,
    started: u64,
    /// When it reports `completed`/`errored`.
    ends: u64,
    ok: bool,
    /// When the volume shows it (`ends`, or later with the `lag` fault).
    lands: u64,
    applied: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Volume {
    account: usize,
    id: String,
    name: String,
    size_gb: u32,
    region: usize,
    /// The VM (index in its account) it is attached to.
    vm: Option<usize>,
    created: u64,
    gone: bool,
    actions: Vec<VolAction>,
}

/// Every volume of every account, and the ids they draw from a stream of their own.
#[derive(Debug)]
pub(super) struct Volumes {
    list: Vec<Volume>,
    ids: Rng,
}

impl Volumes {
    pub(super) fn new(seed: u64) -> Volumes {
        Volumes {
            list: Vec::new(),
            ids: Rng::derive(seed, 0xC10D_B0B0),
        }
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn body_of(ctx: &Ctx) -> Result<Map<String, Value>, Response> {
    match ctx.body_json() {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(unprocessable("the body must be a JSON object")),
        Err(e) => Err(unprocessable(&format!("the body is not valid JSON: {e}"))),
    }
}

fn size_of(body: &Map<String, Value>) -> Result<u32, Response> {
    match body.get("size_gigabytes").map(crate::util::as_uint) {
        Some(Some(n)) if (1..=MAX_GB).contains(&n) => Ok(n as u32),
        Some(_) => Err(unprocessable(&format!(
            "size_gigabytes must be a whole number between 1 and {MAX_GB}"
        ))),
        None => Err(unprocessable("size_gigabytes is required")),
    }
}

fn region_index(name: &str) -> Option<usize> {
    catalogue::REGIONS.iter().position(|r| r.0 == name)
}

impl Cloudsfor {
    /// `/volumes…` routes, or `None` for another path.
    pub(super) fn volumes_route(&mut self, ai: usize, ctx: &Ctx) -> Option<(String, Response)> {
        let m = ctx.method.as_str();
        if ctx.matches(&["volumes"]) {
            let label = format!("{m} /volumes");
            return Some(match m {
                "GET" => (label, self.list_volumes(ai, ctx)),
                "POST" => (label, self.create_volume(ai, ctx)),
                _ => (label, super::method_not_allowed()),
            });
        }
        let is_one = ctx.matches(&["volumes", "*"]);
        let is_actions = ctx.matches(&["volumes", "*", "actions"]);
        if !is_one && !is_actions {
            return None;
        }
        let found = self
            .vols
            .list
            .iter()
            .position(|v| v.account == ai && v.id == ctx.seg(1) && !v.gone);
        let label = if is_one {
            format!("{m} /volumes/{{id}}")
        } else {
            format!("{m} /volumes/{{id}}/actions")
        };
        let Some(v) = found else {
            return Some((label, not_found()));
        };
        let now = ctx.now;
        let r = match (m, is_one) {
            ("GET", true) => json_response(200, &json!({"volume": self.volume_json(v, now)})),
            ("DELETE", true) => self.delete_volume(v, now),
            ("GET", false) => self.volume_actions(v, ctx),
            ("POST", false) => self.volume_action(v, ctx),
            _ => super::method_not_allowed(),
        };
        Some((label, r))
    }

    fn volume_json(&self, v: usize, now: u64) -> Value {
        let vol = &self.vols.list[v];
        let (slug, name) = catalogue::region(vol.region);
        let vm_ids: Vec<&str> = vol
            .vm
            .map(|vi| self.accounts[vol.account].vms[vi].id.as_str())
            .into_iter()
            .collect();
        let _ = now;
        json!({
            "id": vol.id,
            "name": vol.name,
            "size_gigabytes": vol.size_gb,
            "region": {"slug": slug, "name": name},
            "vm_ids": vm_ids,
            "created_at": iso(vol.created),
            "description": "",
        })
    }

    fn list_volumes(&self, ai: usize, ctx: &Ctx) -> Response {
        let (page, per_page) = match paging(ctx) {
            Ok(p) => p,
            Err(r) => return r,
        };
        let listed: Vec<usize> = (0..self.vols.list.len())
            .filter(|&v| self.vols.list[v].account == ai && !self.vols.list[v].gone)
            .collect();
        let total = listed.len();
        let (s, e) = window(total, page, per_page);
        let items: Vec<Value> = listed[s..e]
            .iter()
            .map(|&v| self.volume_json(v, ctx.now))
            .collect();
        let links = super::links(ctx, "/volumes", page, per_page, total);
        json_response(
            200,
            &json!({"volumes": items, "links": links, "meta": {"total": total}}),
        )
    }

    fn create_volume(&mut self, ai: usize, ctx: &Ctx) -> Response {
        let body = match body_of(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let size = match size_of(&body) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let name = body.get("name").and_then(Value::as_str).unwrap_or("");
        if !valid_name(name) {
            return unprocessable(
                "name must be lowercase letters, numbers and '-', start with a letter, and be at most 64 characters",
            );
        }
        let Some(region) = body
            .get("region")
            .and_then(Value::as_str)
            .and_then(region_index)
        else {
            return unprocessable("region is missing or not one of the regions");
        };
        let taken = self
            .vols
            .list
            .iter()
            .any(|v| v.account == ai && !v.gone && v.region == region && v.name == name);
        if taken {
            return unprocessable("a volume with this name already exists in the region");
        }
        let id = self.vols.ids.uuid();
        self.vols.list.push(Volume {
            account: ai,
            id,
            name: name.to_string(),
            size_gb: size,
            region,
            vm: None,
            created: ctx.now,
            gone: false,
            actions: Vec::new(),
        });
        let v = self.vols.list.len() - 1;
        json_response(201, &json!({"volume": self.volume_json(v, ctx.now)}))
    }

    fn delete_volume(&mut self, v: usize, now: u64) -> Response {
        let vol = &self.vols.list[v];
        if vol.actions.iter().any(|a| now < a.lands) {
            return unprocessable("the volume has an action in progress");
        }
        if vol.vm.is_some() {
            return unprocessable("the volume is attached to a VM; detach it first");
        }
        self.vols.list[v].gone = true;
        empty_response(204)
    }

    fn action_json(&self, v: usize, a: &VolAction, now: u64) -> Value {
        let vol = &self.vols.list[v];
        let status = match (now < a.ends, a.ok) {
            (true, _) => "in-progress",
            (false, true) => "completed",
            (false, false) => "errored",
        };
        json!({
            "id": vol.id,
            "status": status,
            "type": a.change.action_type(),
            "started_at": iso(a.started),
            "completed_at": if now >= a.ends { json!(iso(a.ends)) } else { Value::Null },
            "resource_type": "volume",
            "resource_id": vol.id,
            "region": catalogue::region(vol.region).0,
        })
    }

    fn volume_actions(&self, v: usize, ctx: &Ctx) -> Response {
        let mut list: Vec<&VolAction> = self.vols.list[v].actions.iter().collect();
        list.sort_by_key(|a| std::cmp::Reverse(a.started));
        let items: Vec<Value> = list
            .iter()
            .map(|a| self.action_json(v, a, ctx.now))
            .collect();
        let total = items.len();
        json_response(200, &json!({"actions": items, "meta": {"total": total}}))
    }

    /// What a `POST /volumes/{id}/actions` body asks for, or why not.
    fn change_of(&self, v: usize, body: &Map<String, Value>) -> Result<Change, Response> {
        let vol = &self.vols.list[v];
        let acc = &self.accounts[vol.account];
        if let Some(r) = body.get("region").and_then(Value::as_str) {
            if region_index(r) != Some(vol.region) {
                return Err(unprocessable("region must be the volume's region"));
            }
        }
        let vm_of = |body: &Map<String, Value>| {
            let id = body.get("vm_id").map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            id.and_then(|id| acc.find(&id))
                .filter(|&vi| acc.vms[vi].phase == Phase::Active)
                .ok_or_else(|| unprocessable("vm_id is missing or not one of your VMs"))
        };
        match body.get("type").and_then(Value::as_str) {
            Some("attach") => {
                let vi = vm_of(body)?;
                if vol.vm.is_some() {
                    return Err(unprocessable("the volume is already attached to a VM"));
                }
                if acc.vms[vi].region != vol.region {
                    return Err(unprocessable(
                        "the volume and the VM must be in the same region",
                    ));
                }
                Ok(Change::Attach(vi))
            }
            Some("detach") => {
                let vi = vm_of(body)?;
                if vol.vm != Some(vi) {
                    return Err(unprocessable("the volume is not attached to this VM"));
                }
                Ok(Change::Detach)
            }
            Some("resize") => {
                let size = size_of(body)?;
                if size <= vol.size_gb {
                    return Err(unprocessable(&format!(
                        "volumes can only be resized to a larger size (it has {} GB)",
                        vol.size_gb
                    )));
                }
                Ok(Change::Resize(size))
            }
            Some(t) => Err(unprocessable(&format!(
                "type '{t}' is not valid; must be attach, detach or resize"
            ))),
            None => Err(unprocessable("type is required")),
        }
    }

    fn volume_action(&mut self, v: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match body_of(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        if self.vols.list[v].actions.iter().any(|a| now < a.lands) {
            return unprocessable("the volume has an action in progress");
        }
        let change = match self.change_of(v, &body) {
            Ok(c) => c,
            Err(r) => return r,
        };
        let ok = !self.env.fails();
        let ends = now + self.env.duration(change.median_ms());
        let lands = if ok { ends + self.env.lag_ms } else { ends };
        let a = VolAction {
            change,
            started: now,
            ends,
            ok,
            lands,
            applied: false,
        };
        let answer = self.action_json(v, &a, now);
        self.vols.list[v].actions.push(a);
        json_response(202, &json!({ "action": answer }))
    }

    /// Volume changes that landed by `now`.
    pub(super) fn apply_volumes(&mut self, now: u64) {
        for vol in &mut self.vols.list {
            for a in vol
                .actions
                .iter_mut()
                .filter(|a| !a.applied && a.lands <= now)
            {
                a.applied = true;
                if !a.ok {
                    continue;
                }
                match a.change {
                    Change::Attach(vi) => vol.vm = Some(vi),
                    Change::Detach => vol.vm = None,
                    Change::Resize(gb) => vol.size_gb = gb,
                }
            }
        }
        // A VM deleted with a volume attached leaves it detached (as DigitalOcean does).
        for vol in &mut self.vols.list {
            if let Some(vi) = vol.vm {
                if self.accounts[vol.account].vms[vi].phase == Phase::Gone {
                    vol.vm = None;
                }
            }
        }
    }

    pub(super) fn volume_facts(&self, now: u64) -> Vec<VolumeFact> {
        self.vols
            .list
            .iter()
            .map(|vol| {
                let changing = vol.actions.iter().any(|a| now < a.lands);
                VolumeFact {
                    dialect: "cloudsfor",
                    id: vol.id.clone(),
                    name: vol.name.clone(),
                    size_gb: vol.size_gb,
                    state: match (vol.gone, changing) {
                        (true, _) => ResState::Gone,
                        (false, true) => ResState::Changing,
                        (false, false) => ResState::Ready,
                    },
                    owner_vm: None,
                    attached_to: vol
                        .vm
                        .map(|vi| self.accounts[vol.account].vms[vi].id.clone()),
                }
            })
            .collect()
    }

    /// Issue 16's demo volumes: every fourth running VM of the demo account has one attached.
    pub(super) fn with_seeded_volumes(mut self, seed: u64, now: u64) -> Cloudsfor {
        let mut rng = Rng::derive(seed, 0xC10D_B0B1);
        let acc = &self.accounts[0];
        let picked: Vec<usize> = (0..acc.vms.len())
            .filter(|&vi| acc.vms[vi].phase == Phase::Active)
            .step_by(4)
            .collect();
        for vi in picked {
            let vm = &self.accounts[0].vms[vi];
            let created = now.saturating_sub(rng.range(86_400_000, 60 * 86_400_000)) / 1000 * 1000;
            let (name, region) = (format!("{}-data", vm.name), vm.region);
            let name: String = name
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let id = self.vols.ids.uuid();
            self.vols.list.push(Volume {
                account: 0,
                id,
                name,
                size_gb: *rng.pick(&[50, 100, 250]),
                region,
                vm: Some(vi),
                created,
                gone: false,
                actions: Vec::new(),
            });
        }
        self
    }
}
