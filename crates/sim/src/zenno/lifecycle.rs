//! ZennoHosting VM lifecycle.
//!
//! * Create: `POST /projects/{p}/vms {"name", "imageId", "tariffId", "configurationId"?,
//!   "sshKeyIds"?, "sshPublicKeys"?, "plugins"?, "publicIpMode"?, "publicIpId"?}` → `202
//!   {"commandId"}` only. The VM is listed at once with that `name` and `operation: "create"`;
//!   its size is the configuration's (or the tariff's). The create runs ~100 s (median,
//!   ×0.6–1.6, after ~2 s queued) to `operationStatus: succeeded`, `bootStatus: booted`,
//!   `state: running`, with `networks: [{networkId, internalIp}]` and `publicIp` (or `null`);
//!   before that, and after a failed create (`failed`, `bootStatus: failed`, `state: stopped`,
//!   which refuses every operation but delete), `networks` is `[]` and `publicIp` `null`.
//!   `publicIpMode`: `new` (a new project public IP), `existing` (with `publicIpId`, a free
//!   project public IP), `none` (the default when omitted). A name already used in the project
//!   is accepted: the sheet leaves refusing it to the console.
//! * Refusals: `422 validation_error` naming the field: unknown image, tariff, configuration
//!   (or one of another tariff), SSH key id, a malformed public key, a disk smaller than the
//!   image needs, a public IP that is unknown or in use.
//! * Delete: `DELETE /projects/{p}/vms/{id}` → `202 {"commandId"}`; `operation: "delete"` until
//!   the VM is gone (~20 s): then `404` and absent from the list, its public IP left in the
//!   project, free. A failed delete shows `operation: delete`, `operationStatus: failed`, the VM
//!   as before. `409` while another operation runs.

use serde_json::{Map, Value};

use super::{validation, OpKind, Vm, Zenno};
use crate::truth::{VmFact, VmState};
use crate::util::Ctx;
use crate::Response;

/// What a valid create body asks for.
struct Spec {
    name: String,
    cpu: u32,
    ram_gb: u32,
    disk_gb: u32,
    /// `None`: no public IP; `Some(None)`: a new one; `Some(Some(i))`: that existing one.
    public_ip: Option<Option<usize>>,
}

fn string_list<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Vec<&'a str>, Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| validation(&format!("{key} must be a list of strings")))
            })
            .collect(),
        Some(_) => Err(validation(&format!("{key} must be a list of strings"))),
    }
}

fn valid_name(n: &str) -> bool {
    !n.is_empty() && n.len() <= 63 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl Zenno {
    /// `(cpu, ramGb, diskGb)` from the tariff and optional configuration, checked against the
    /// image's minimum disk.
    fn sizing(&self, body: &Map<String, Value>) -> Result<(u32, u32, u32), Response> {
        let cat = &self.catalogue;
        let field = |k: &str| body.get(k).and_then(Value::as_str);
        let image = match field("imageId") {
            Some(id) => cat
                .images
                .iter()
                .find(|i| i.id == id)
                .ok_or_else(|| validation(&format!("imageId: image {id} does not exist")))?,
            None => return Err(validation("imageId is required")),
        };
        let tariff = match field("tariffId") {
            Some(id) => cat
                .tariffs
                .iter()
                .position(|t| t.id == id)
                .ok_or_else(|| validation(&format!("tariffId: tariff {id} does not exist")))?,
            None => return Err(validation("tariffId is required")),
        };
        let t = &cat.tariffs[tariff];
        let size = match body.get("configurationId").filter(|v| !v.is_null()) {
            None => (t.cpu, t.ram_gb, t.disk_gb),
            Some(v) => {
                let id = v.as_str().unwrap_or("");
                let c = cat
                    .configurations
                    .iter()
                    .find(|c| c.id == id)
                    .ok_or_else(|| {
                        validation(&format!(
                            "configurationId: configuration {v} does not exist"
                        ))
                    })?;
                if c.tariff != tariff {
                    return Err(validation(&format!(
                        "configurationId: configuration {id} belongs to another tariff"
                    )));
                }
                (c.cpu, c.ram_gb, c.disk_gb)
            }
        };
        if size.2 < image.min_disk_gb {
            return Err(validation(&format!(
                "image {} needs at least {} GB of disk; this tariff has {} GB",
                image.name, image.min_disk_gb, size.2
            )));
        }
        Ok(size)
    }

    /// `publicIpMode` / `publicIpId`.
    fn public_ip_choice(
        &self,
        body: &Map<String, Value>,
        now: u64,
    ) -> Result<Option<Option<usize>>, Response> {
        let id = body.get("publicIpId").filter(|v| !v.is_null());
        let mode = match body.get("publicIpMode") {
            None | Some(Value::Null) => "none",
            Some(Value::String(m)) if ["new", "existing", "none"].contains(&m.as_str()) => m,
            Some(v) => {
                return Err(validation(&format!(
                    "publicIpMode {v} is not one of new, existing, none"
                )))
            }
        };
        match (mode, id) {
            ("existing", None) => Err(validation(
                "publicIpId is required with publicIpMode existing",
            )),
            ("existing", Some(v)) => {
                let i = self
                    .public_ips
                    .iter()
                    .position(|p| Some(p.id.as_str()) == v.as_str())
                    .ok_or_else(|| {
                        validation(&format!("publicIpId: public IP {v} does not exist"))
                    })?;
                if !self.ip_usable(i, now) {
                    return Err(validation(&format!(
                        "publicIpId: public IP {v} is not active"
                    )));
                }
                match self.public_ips[i].vm {
                    Some(vm) => Err(validation(&format!(
                        "publicIpId: public IP {v} is in use by VM {}",
                        self.vms[vm].id
                    ))),
                    None => Ok(Some(Some(i))),
                }
            }
            (_, Some(_)) => Err(validation(
                "publicIpId is only allowed with publicIpMode existing",
            )),
            ("new", None) => Ok(Some(None)),
            _ => Ok(None),
        }
    }

    fn create_spec(&self, body: &Map<String, Value>, now: u64) -> Result<Spec, Response> {
        let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
            Some(n) if valid_name(n) => n.to_string(),
            Some(_) => return Err(validation("name must be 1-63 letters, digits or '-'")),
            None => return Err(validation("name is required")),
        };
        let (cpu, ram_gb, disk_gb) = self.sizing(body)?;
        for id in string_list(body, "sshKeyIds")? {
            if !self.keys.iter().any(|k| k.id == id) {
                return Err(validation(&format!(
                    "sshKeyIds: SSH key {id} does not exist in this project"
                )));
            }
        }
        for key in string_list(body, "sshPublicKeys")? {
            if !super::catalogue::valid_public_key(key) {
                return Err(validation(
                    "sshPublicKeys: each must be an OpenSSH public key",
                ));
            }
        }
        string_list(body, "plugins")?;
        Ok(Spec {
            name,
            cpu,
            ram_gb,
            disk_gb,
            public_ip: self.public_ip_choice(body, now)?,
        })
    }

    pub(super) fn create(&mut self, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return validation("body must be a JSON object"),
            Err(e) => return validation(&format!("invalid JSON: {e}")),
        };
        let spec = match self.create_spec(&body, ctx.now) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let vi = self.vms.len();
        let public_ip = match spec.public_ip {
            None => None,
            Some(Some(i)) => Some(i),
            Some(None) => {
                let id = self.ids.uuid();
                Some(self.new_public_ip(id, None))
            }
        };
        if let Some(i) = public_ip {
            self.public_ips[i].vm = Some(vi);
        }
        self.vms.push(Vm {
            id: self.ids.uuid(),
            name: spec.name,
            running: false,
            boot_failed: false,
            cpu: spec.cpu,
            ram_gb: spec.ram_gb,
            disk_gb: spec.disk_gb,
            updated_ms: ctx.now,
            op: None,
            addr: self.next_addr,
            public_ip,
            create_failed: false,
            gone: false,
            backups: Vec::new(),
            restored_from: None,
            nets: vec![super::networks::Attach::default_net(self.next_addr)],
        });
        self.next_addr += 1;
        self.accept(vi, OpKind::Create, ctx.now)
    }

    pub(super) fn vm_facts(&self, now: u64) -> Vec<VmFact> {
        self.vms
            .iter()
            .map(|vm| {
                let running_op = vm.op.as_ref().filter(|op| now < op.ends).map(|op| op.kind);
                let state = match running_op {
                    _ if vm.gone => VmState::Gone,
                    Some(OpKind::Create) => VmState::Creating,
                    Some(OpKind::Delete) => VmState::Deleting,
                    _ if vm.create_failed => VmState::Failed,
                    _ if vm.running => VmState::Running,
                    _ => VmState::Stopped,
                };
                let mut addresses = Vec::new();
                if vm.provisioned(now) {
                    if let Some(p) = vm.public_ip {
                        addresses.push(self.public_ips[p].address.clone());
                    }
                    addresses.extend(vm.nets.iter().map(|a| a.ip.clone()));
                }
                VmFact {
                    dialect: "zennohosting",
                    vm_id: vm.id.clone(),
                    vm_name: vm.name.clone(),
                    state,
                    addresses,
                }
            })
            .collect()
    }
}
