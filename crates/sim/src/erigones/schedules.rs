//! Erigones snapshot and backup definitions (automatic points), per the sheet's "automatic"
//! rows. Under `/vm/{host}/define/snapshot/` and `/vm/{host}/define/backup/`; synchronous:
//!
//! * `GET …/` → the VM's definitions (owners may read theirs); `GET …/{def}/` → one, or `404
//!   "Snapshot definition not found"` / `"Backup definition not found"`.
//! * `POST …/{def}/` (admin) `{disk_id?, schedule (UTC cron, 5 fields), retention (1–65536),
//!   active? (true), desc?, fsfreeze?}`; backups also `{type? (1 dataset, 2 file), node (a
//!   backup node: [`BACKUP_NODES`]), zpool? ("zones"), compression? (0–2), bwlimit?}` → `201
//!   SUCCESS` with the definition; name `[A-Za-z0-9][A-Za-z0-9._-]*` ≤ 8; `406` exists; `400
//!   FAILURE` with the fields' errors.
//! * `PUT …/{def}/` (admin) → `200 SUCCESS`: changes the fields given (`type` and `disk_id`
//!   stay); on/off = `{"active": false}` / `{"active": true}`.
//! * `DELETE …/{def}/` (admin) → `200 SUCCESS`; the points it took stay, with `define: null`.
//!
//! This simulator keeps the definitions but does not run their schedules.

use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::define::body_map;
use super::points::valid_name;
use super::{detail, forbidden, Define, Erigones};
use crate::util::Ctx;
use crate::Response;

/// The DC's backup nodes.
pub const BACKUP_NODES: [&str; 1] = ["bk01.vigil.test"];
/// Zpools on the backup nodes.
const ZPOOLS: [&str; 1] = ["zones"];

/// A 5-field cron line (minute hour day month weekday) of digits, `*`, `,`, `-` and `/`.
fn valid_cron(s: &str) -> bool {
    let fields: Vec<&str> = s.split_whitespace().collect();
    fields.len() == 5
        && fields.iter().all(|f| {
            f.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '*' | ',' | '-' | '/'))
        })
}

fn noun(backup: bool) -> &'static str {
    if backup {
        "Backup"
    } else {
        "Snapshot"
    }
}

/// Sets the definition's fields from `body` (all of them on a create), recording each error.
fn apply(d: &mut Define, body: &Map<String, Value>, create: bool, errors: &mut Map<String, Value>) {
    let mut err = |k: &str, m: &str| {
        errors.insert(k.into(), json!([m]));
    };
    let given = |k: &str| body.get(k).filter(|v| !v.is_null());
    match given("schedule").map(|v| v.as_str().filter(|s| valid_cron(s))) {
        Some(Some(s)) => d.schedule = s.to_string(),
        Some(None) => err("schedule", "Invalid cron format."),
        None if create => err("schedule", "This field is required."),
        None => {}
    }
    match given("retention").map(crate::util::as_uint) {
        Some(Some(n)) if (1..=65_536).contains(&n) => d.retention = n,
        Some(_) => err("retention", "Ensure this value is between 1 and 65536."),
        None if create => err("retention", "This field is required."),
        None => {}
    }
    for (k, slot) in [("active", &mut d.active), ("fsfreeze", &mut d.fsfreeze)] {
        match given(k).map(crate::util::as_bool) {
            Some(Some(b)) => *slot = b,
            Some(None) => err(k, "Must be a valid boolean."),
            None => {}
        }
    }
    match given("desc").map(|v| v.as_str().filter(|s| s.chars().count() <= 128)) {
        Some(Some(s)) => d.desc = s.to_string(),
        Some(None) => err("desc", "Ensure this value has at most 128 characters."),
        None => {}
    }
    if !d.backup {
        return;
    }
    if create {
        match given("type").map(crate::util::as_uint) {
            Some(Some(t @ (1 | 2))) => d.kind = t as u8,
            Some(_) => err("type", "Select a valid choice."),
            None => {}
        }
    }
    match given("node").map(|v| {
        v.as_str()
            .and_then(|s| BACKUP_NODES.iter().find(|n| **n == s))
    }) {
        Some(Some(n)) => d.node = n,
        Some(None) => err("node", "Object with hostname does not exist."),
        None if create => err("node", "This field is required."),
        None => {}
    }
    match given("zpool").map(|v| v.as_str().and_then(|s| ZPOOLS.iter().find(|z| **z == s))) {
        Some(Some(z)) => d.zpool = z,
        Some(None) => err("zpool", "Zpool does not exist on node."),
        None => {}
    }
    match given("compression").map(crate::util::as_uint) {
        Some(Some(c @ 0..=2)) => d.compression = c,
        Some(_) => err("compression", "Select a valid choice."),
        None => {}
    }
    match given("bwlimit").map(crate::util::as_uint) {
        Some(Some(b)) if b <= 2_147_483_647 => d.bwlimit = Some(b),
        Some(_) => err("bwlimit", "Enter a whole number."),
        None => {}
    }
}

impl Erigones {
    fn define_json(&self, d: &Define) -> Value {
        let vm = &self.vms[d.vm];
        let mut v = json!({
            "hostname": vm.hostname, "vm_uuid": vm.uuid, "name": d.name, "disk_id": d.disk_id,
            "schedule": d.schedule, "retention": d.retention, "active": d.active,
            "desc": d.desc, "fsfreeze": d.fsfreeze,
        });
        if d.backup {
            v["type"] = json!(d.kind);
            v["node"] = json!(d.node);
            v["zpool"] = json!(d.zpool);
            v["compression"] = json!(d.compression);
            v["bwlimit"] = json!(d.bwlimit);
        }
        v
    }

    /// `/vm/{host}/define/{snapshot,backup}/[{def}/]` once the VM is found.
    pub(super) fn route_defines(
        &mut self,
        vi: usize,
        backup: bool,
        name: Option<&str>,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let body = match body_map(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let m = ctx.method.as_str();
        let Some(name) = name else {
            let list: Vec<Value> = self
                .defines
                .iter()
                .filter(|d| d.vm == vi && d.backup == backup)
                .map(|d| self.define_json(d))
                .collect();
            return self.envelope(200, "SUCCESS", Value::Array(list));
        };
        let found = self
            .defines
            .iter()
            .position(|d| d.vm == vi && d.backup == backup && d.name == name);
        if m == "GET" {
            return match found {
                Some(di) => {
                    let v = self.define_json(&self.defines[di]);
                    self.envelope(200, "SUCCESS", v)
                }
                None => detail(404, &format!("{} definition not found", noun(backup))),
            };
        }
        if !caller.admin() {
            return forbidden();
        }
        match (m, found) {
            ("POST", Some(_)) => {
                detail(406, &format!("{} definition already exists", noun(backup)))
            }
            ("POST", None) => self.create_define(vi, backup, name, &body, ctx),
            (_, None) => detail(404, &format!("{} definition not found", noun(backup))),
            ("PUT", Some(di)) => {
                let mut d = self.defines[di].clone();
                let mut errors = Map::new();
                apply(&mut d, &body, false, &mut errors);
                if !errors.is_empty() {
                    return self.failure(errors);
                }
                self.defines[di] = d;
                self.record(vi, define_action(backup, false), ctx.now);
                let v = self.define_json(&self.defines[di]);
                self.envelope(200, "SUCCESS", v)
            }
            (_, Some(di)) => {
                let d = self.defines.remove(di);
                for p in self.points.iter_mut() {
                    let of_it = p.vm == vi && p.backup == backup && p.disk_id == d.disk_id;
                    if of_it && p.define.as_deref() == Some(name) {
                        p.define = None;
                    }
                }
                self.record(vi, define_action(backup, true), ctx.now);
                self.envelope(200, "SUCCESS", Value::Null)
            }
        }
    }

    fn create_define(
        &mut self,
        vi: usize,
        backup: bool,
        name: &str,
        body: &Map<String, Value>,
        ctx: &Ctx,
    ) -> Response {
        let mut errors = Map::new();
        if !valid_name(name, 8) {
            errors.insert("name".into(), json!(["Enter a valid value."]));
        }
        let disk = match self.disk_of(vi, body, "disk_id") {
            Ok(d) => d,
            Err(r) => return r,
        };
        let mut d = Define {
            vm: vi,
            backup,
            name: name.to_string(),
            disk_id: disk,
            schedule: String::new(),
            retention: 0,
            active: true,
            desc: String::new(),
            fsfreeze: false,
            kind: 1,
            node: "",
            zpool: ZPOOLS[0],
            compression: 0,
            bwlimit: None,
        };
        apply(&mut d, body, true, &mut errors);
        if !errors.is_empty() {
            return self.failure(errors);
        }
        let v = self.define_json(&d);
        self.defines.push(d);
        self.record(vi, define_action(backup, false), ctx.now);
        self.envelope(201, "SUCCESS", v)
    }
}

/// The ground-truth log's word for a definition write.
fn define_action(backup: bool, delete: bool) -> &'static str {
    match (backup, delete) {
        (false, false) => "define/snapshot",
        (false, true) => "define/snapshot/delete",
        (true, false) => "define/backup",
        (true, true) => "define/backup/delete",
    }
}
