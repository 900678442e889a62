//! Erigones VM definitions (step 1 of a create; synchronous, admin only):
//!
//! * `POST /vm/{host}/define/ {vcpus 1–1024, ram 32–524288 MB, alias?, ostype 1–6, template?,
//!   owner?, node?, tags?, dc?}` → `201 SUCCESS` with the definition (incl. `uuid`), at once;
//!   the VM is then `notcreated`. A template supplies `vcpus`/`ram`/`ostype` and disk 1's
//!   image/size and the NICs' networks when omitted. `406` exists; `400 FAILURE` with the
//!   fields' errors.
//! * `POST /vm/{host}/define/disk/{1-2}/ {image | size (MB), model?}`, `POST
//!   /vm/{host}/define/nic/{1-6}/ {net, ip?, model?}` → `201 SUCCESS`; `406` out of range or
//!   already there; `423` when the VM is busy (`deploying`, …). A NIC's `ip` must lie in its
//!   network and be free; without it the next free address is taken.
//! * `GET /vm/{host}/define/`, `…/define/disk/`, `…/define/nic/` (owners may read theirs).

use serde_json::{json, Map, Value};

use super::auth::{Caller, USERS};
use super::catalogue::{DCS, IMAGES, NETWORKS, NODES, TEMPLATES};
use super::{detail, forbidden, Disk, Erigones, Nic, Vm};
use crate::util::{iso, Ctx};
use crate::Response;

/// `{field: [message]}` of a refused definition.
type Errors = Map<String, Value>;

fn error(errors: &mut Errors, field: &str, message: String) {
    errors.insert(field.to_string(), json!([message]));
}

fn required() -> String {
    "This field is required.".to_string()
}

fn valid_hostname(h: &str) -> bool {
    let b = h.as_bytes();
    h.len() >= 3
        && h.len() <= 128
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

pub(super) fn body_map(ctx: &Ctx) -> Result<Map<String, Value>, Response> {
    match ctx.body_json() {
        Ok(Value::Null) => Ok(Map::new()),
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(detail(400, "Request data must be a JSON object")),
        Err(e) => Err(detail(400, &format!("JSON parse error - {e}"))),
    }
}

/// A whole number in `lo..=hi` from the body, else the default; `Err` records the error.
fn number(
    body: &Map<String, Value>,
    key: &str,
    default: Option<u32>,
    (lo, hi): (u32, u32),
    errors: &mut Errors,
) -> u32 {
    match body.get(key).filter(|v| !v.is_null()) {
        None => default.unwrap_or_else(|| {
            error(errors, key, required());
            lo
        }),
        Some(v) => match crate::util::as_uint(v) {
            Some(n) if n >= u64::from(lo) && n <= u64::from(hi) => n as u32,
            _ => {
                error(
                    errors,
                    key,
                    format!("Ensure this value is between {lo} and {hi}."),
                );
                lo
            }
        },
    }
}

/// An optional name in a table of names; `Err` records the error.
fn named(
    body: &Map<String, Value>,
    key: &str,
    names: &[&str],
    errors: &mut Errors,
) -> Option<usize> {
    let v = body.get(key).filter(|v| !v.is_null())?;
    let found = v.as_str().and_then(|s| names.iter().position(|n| *n == s));
    if found.is_none() {
        error(
            errors,
            key,
            format!(
                "Object with name={} does not exist.",
                v.as_str().unwrap_or(&v.to_string())
            ),
        );
    }
    found
}

/// One of `choices` (the first is the default); `Err` records the error.
fn choice(
    body: &Map<String, Value>,
    key: &str,
    choices: &[&'static str],
    errors: &mut Errors,
) -> &'static str {
    match body.get(key).filter(|v| !v.is_null()) {
        None => choices[0],
        Some(v) => match choices.iter().find(|c| v.as_str() == Some(c)) {
            Some(c) => c,
            None => {
                error(errors, key, format!("{v} is not a valid choice."));
                choices[0]
            }
        },
    }
}

/// `alias` (default: the hostname) and `tags` of a definition.
fn alias_and_tags(
    body: &Map<String, Value>,
    host: &str,
    errors: &mut Errors,
) -> (String, Vec<String>) {
    let alias = match body.get("alias") {
        None | Some(Value::Null) => host.to_string(),
        Some(Value::String(a)) if !a.trim().is_empty() && a.len() <= 24 => a.trim().to_string(),
        Some(_) => {
            error(
                errors,
                "alias",
                "Ensure this field has at most 24 characters.".into(),
            );
            String::new()
        }
    };
    let tags: Vec<String> = match body.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            error(errors, "tags", "Enter a list of tags.".into());
            Vec::new()
        }
    };
    (alias, tags)
}

impl Erigones {
    pub(super) fn failure(&mut self, errors: Errors) -> Response {
        self.envelope(400, "FAILURE", Value::Object(errors))
    }

    /// `POST /vm/{host}/define/`.
    pub(super) fn define(&mut self, host: &str, caller: Caller, ctx: &Ctx) -> Response {
        if !caller.admin() {
            return forbidden();
        }
        let exists = self.vms.iter().any(|v| {
            !v.gone && (v.hostname.eq_ignore_ascii_case(host) || v.uuid.eq_ignore_ascii_case(host))
        });
        if exists {
            return detail(406, "VM already exists");
        }
        let body = match body_map(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let mut errors = Errors::new();
        if !valid_hostname(host) {
            error(&mut errors, "hostname", "Enter a valid hostname.".into());
        }
        let names: Vec<&str> = TEMPLATES.iter().map(|t| t.name).collect();
        let template = named(&body, "template", &names, &mut errors);
        let t = template.map(|i| &TEMPLATES[i]);
        let vcpus = number(&body, "vcpus", t.map(|t| t.vcpus), (1, 1024), &mut errors);
        let ram = number(&body, "ram", t.map(|t| t.ram), (32, 524_288), &mut errors);
        let ostype = number(
            &body,
            "ostype",
            Some(t.map_or(1, |t| u32::from(t.ostype))),
            (1, 6),
            &mut errors,
        ) as u8;
        let users: Vec<&str> = USERS.iter().map(|u| u.name).collect();
        let owner = named(&body, "owner", &users, &mut errors).unwrap_or(caller.user);
        let nodes: Vec<&str> = NODES.iter().map(|n| n.0).collect();
        let node = named(&body, "node", &nodes, &mut errors);
        let dcs: Vec<&str> = DCS.iter().map(|d| d.0).collect();
        let dc = named(&body, "dc", &dcs, &mut errors).unwrap_or(caller.dc);
        let (alias, tags) = alias_and_tags(&body, host, &mut errors);
        if !errors.is_empty() {
            return self.failure(errors);
        }
        let now = ctx.now;
        self.vms.push(Vm {
            hostname: host.to_string(),
            uuid: self.ids.uuid(),
            alias,
            status: "notcreated".into(),
            status_change: now,
            booted_at: now,
            owner,
            dc,
            node,
            vcpus,
            ram,
            ostype,
            template,
            tags,
            disks: Vec::new(),
            nics: Vec::new(),
            created: now,
            gone: false,
            restored_from: None,
        });
        let vi = self.vms.len() - 1;
        self.record(vi, "define", now);
        let def = self.definition(vi);
        self.envelope(201, "SUCCESS", def)
    }

    /// The definition as `GET /vm/{host}/define/` shows it.
    pub(super) fn definition(&self, vi: usize) -> Value {
        let vm = &self.vms[vi];
        json!({
            "hostname": vm.hostname, "uuid": vm.uuid, "alias": vm.alias,
            "template": vm.template.map(|t| TEMPLATES[t].name), "ostype": vm.ostype,
            "vcpus": vm.vcpus, "ram": vm.ram, "owner": USERS[vm.owner].name,
            "node": vm.node.map(|n| NODES[n].0), "tags": vm.tags, "dc": DCS[vm.dc].0,
            "monitored": true, "installed": vm.status != "notcreated", "locked": false,
            "zpool": "zones", "created": iso(vm.created),
        })
    }

    fn disk_json(&self, d: &Disk, i: usize) -> Value {
        json!({
            "size": d.size, "image": d.image.map(|i| IMAGES[i].name), "model": d.model,
            "boot": i == 0, "zpool": "zones", "compression": "off", "block_size": 8192,
            "refreservation": d.size,
        })
    }

    fn nic_json(&self, n: &Nic, i: usize) -> Value {
        let (_, netmask, gateway) = NETWORKS[n.net].range(&self.pool);
        json!({
            "net": NETWORKS[n.net].name, "ip": n.ip, "netmask": netmask, "gateway": gateway,
            "mac": n.mac, "model": n.model, "primary": i == 0, "dns": i == 0,
            "use_net_dns": false, "allowed_ips": [], "monitoring": i == 0, "set_gateway": true,
        })
    }

    /// `GET /vm/{host}/define/disk/` or `…/nic/`.
    pub(super) fn device_list(&self, vi: usize, what: &str) -> Value {
        let vm = &self.vms[vi];
        let list: Vec<Value> = if what == "disk" {
            vm.disks
                .iter()
                .enumerate()
                .map(|(i, d)| self.disk_json(d, i))
                .collect()
        } else {
            vm.nics
                .iter()
                .enumerate()
                .map(|(i, n)| self.nic_json(n, i))
                .collect()
        };
        Value::Array(list)
    }

    /// `GET`/`POST /vm/{host}/define/{disk,nic}/{n}/`.
    pub(super) fn device(
        &mut self,
        vi: usize,
        what: &str,
        n: &str,
        caller: Caller,
        ctx: &Ctx,
    ) -> Response {
        let (max, noun) = if what == "disk" {
            (2, "disk")
        } else {
            (6, "NIC")
        };
        let Ok(n) = n.parse::<usize>() else {
            return detail(400, "Bad request");
        };
        let have = if what == "disk" {
            self.vms[vi].disks.len()
        } else {
            self.vms[vi].nics.len()
        };
        if ctx.method == "GET" {
            if n < 1 || n > have {
                return detail(406, &format!("VM {noun} out of range"));
            }
            let v = self.device_list(vi, what)[n - 1].clone();
            return self.envelope(200, "SUCCESS", v);
        }
        if !caller.admin() {
            return forbidden();
        }
        if n < 1 || n > max || n > have + 1 {
            return detail(406, &format!("VM {noun} out of range"));
        }
        if n <= have {
            return detail(406, &format!("VM {noun} already exists"));
        }
        if !["notcreated", "running", "stopped", "stopping"].contains(&self.vms[vi].status.as_str())
        {
            return detail(423, "VM is not operational");
        }
        let body = match body_map(ctx) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let made = if what == "disk" {
            self.define_disk(vi, &body)
        } else {
            self.define_nic(vi, &body)
        };
        match made {
            Err(errors) => self.failure(errors),
            Ok(v) => {
                self.record(
                    vi,
                    if what == "disk" {
                        "define/disk"
                    } else {
                        "define/nic"
                    },
                    ctx.now,
                );
                self.envelope(201, "SUCCESS", v)
            }
        }
    }

    fn define_disk(&mut self, vi: usize, body: &Map<String, Value>) -> Result<Value, Errors> {
        let mut errors = Errors::new();
        let first = self.vms[vi].disks.is_empty();
        let t = self.vms[vi]
            .template
            .filter(|_| first)
            .map(|t| &TEMPLATES[t]);
        let names: Vec<&str> = IMAGES.iter().map(|i| i.name).collect();
        let given = |k: &str| body.get(k).is_some_and(|v| !v.is_null());
        let image = if given("image") {
            named(body, "image", &names, &mut errors)
        } else if given("size") {
            None // a blank disk
        } else {
            t.map(|t| t.image)
        };
        let default = image.map(|i| {
            t.filter(|t| t.image == i)
                .map_or(IMAGES[i].size, |t| t.disk)
        });
        let size = number(body, "size", default, (1, 268_435_456), &mut errors);
        if let Some(i) = image.filter(|&i| size < IMAGES[i].size) {
            error(
                &mut errors,
                "size",
                format!("Cannot be smaller than the image ({} MB).", IMAGES[i].size),
            );
        }
        let model = choice(body, "model", &["virtio", "ide", "scsi"], &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let disk = Disk { image, size, model };
        let i = self.vms[vi].disks.len();
        let v = self.disk_json(&disk, i);
        self.vms[vi].disks.push(disk);
        Ok(v)
    }

    fn define_nic(&mut self, vi: usize, body: &Map<String, Value>) -> Result<Value, Errors> {
        let mut errors = Errors::new();
        let i = self.vms[vi].nics.len();
        let t = self.vms[vi].template.map(|t| &TEMPLATES[t]);
        let names: Vec<&str> = NETWORKS.iter().map(|n| n.name).collect();
        let net = match named(body, "net", &names, &mut errors) {
            Some(n) => Some(n),
            None if body.get("net").is_some() => None,
            None => t.and_then(|t| t.nets.get(i).copied()).or_else(|| {
                error(&mut errors, "net", required());
                None
            }),
        };
        let ip = match (net, body.get("ip").filter(|v| !v.is_null())) {
            (_, None) => None,
            (Some(n), Some(Value::String(ip))) if NETWORKS[n].holds(&self.pool, ip) => {
                if self.used.contains(ip) {
                    error(
                        &mut errors,
                        "ip",
                        format!("Object with ip={ip} is already taken."),
                    );
                }
                Some(ip.clone())
            }
            (_, Some(v)) => {
                error(
                    &mut errors,
                    "ip",
                    format!(
                        "{v} is not an address of network {}.",
                        net.map_or("?", |n| NETWORKS[n].name)
                    ),
                );
                None
            }
        };
        let model = choice(body, "model", &["virtio", "e1000", "rtl8139"], &mut errors);
        let Some(net) = net.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        let mut nic = self.new_nic(net, ip, i);
        nic.model = model;
        let v = self.nic_json(&nic, i);
        self.vms[vi].nics.push(nic);
        Ok(v)
    }
}
