//! ONETSolutions VM lifecycle.
//!
//! * Create: `POST /compute/instances {"name", "hostname"?, "size_id", "location_id",
//!   "image_id", "os_name"?, "vpc_id"?, "billing_cycle"?, "tags"?, "ssh_key_ids"?, "password"?}`
//!   → `201 Instance` (`status: "pending"`, no `ip_addresses` yet) and a `create_vps` task in
//!   `GET /compute/instances/{id}/tasks` and `/compute/tasks` (~100 s median per attempt, with
//!   the usual retries). `completed` → the instance `running` with its `ip_addresses`; `failed`
//!   → `error`, no addresses, every action refused but delete. Refusals: `400` with DRF's
//!   per-field errors (unknown or inactive size, location, image; a VPC of another location;
//!   a billing cycle the size does not price; a disk smaller than the image needs; `os_name`
//!   not the image's; a password under 8 characters). `hostname` defaults to the name made
//!   DNS-safe, `vpc_id` to the location's default VPC, `billing_cycle` to `hourly`.
//!   `ssh_key_ids` are taken as given (no key catalogue is published).
//! * Delete: `DELETE /compute/instances/{id}` → `202 Task (delete_vps)` (~20 s); then `404` and
//!   absent from the list (its tasks stay in `/compute/tasks`). `400` while a task runs.
//! * Reinstall: `POST …/{id}/reinstall {"image_id", "os_name"?}` → `202 Task (reinstall_os)`;
//!   done: `completed`, the instance `running` on the new image.
//! * `PUT /compute/instances/{id} {name?, description?, tags?, hostname?}` → `200 Instance`;
//!   a new hostname starts a `change_hostname` task (`400` while another task runs).

use serde_json::{json, Map, Value};

use super::catalogue::{BILLING_CYCLES, LOCATIONS, SIZES, VPCS};
use super::{detail, Effect, Instance, Kind, Onet};
use crate::truth::{Completion, VmFact, VmState};
use crate::util::{json_response, Ctx};
use crate::Response;

/// DRF's `{field: [message]}`.
type Errors = Map<String, Value>;

fn error(errors: &mut Errors, field: &str, message: String) {
    errors.insert(field.to_string(), json!([message]));
}

fn no_such(v: &Value) -> String {
    format!(
        "Invalid pk \"{}\" - object does not exist.",
        v.as_str().map_or(v.to_string(), str::to_string)
    )
}

fn valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A name made DNS-safe: `Web Server 1` → `web-server-1`.
fn slug(name: &str) -> String {
    let s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "vps".into()
    } else {
        s.chars().take(63).collect()
    }
}

/// What a valid create body asks for.
struct Spec {
    name: String,
    hostname: String,
    size: usize,
    location: usize,
    image: usize,
    vpc: usize,
    billing: &'static str,
    tags: Vec<String>,
}

fn strings(body: &Map<String, Value>, key: &str, errors: &mut Errors) -> Vec<String> {
    match body.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            error(errors, key, "Expected a list of strings.".into());
            Vec::new()
        }
    }
}

/// `name` and `hostname` (default: the name made DNS-safe).
fn names(body: &Map<String, Value>, errors: &mut Errors) -> (String, String) {
    let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if !n.is_empty() && n.len() <= 255 => n.to_string(),
        _ => {
            error(errors, "name", "This field is required.".into());
            String::new()
        }
    };
    let hostname = match body.get("hostname").filter(|v| !v.is_null()) {
        None => slug(&name),
        Some(v) => match v.as_str().filter(|h| valid_hostname(h)) {
            Some(h) => h.to_ascii_lowercase(),
            None => {
                error(errors, "hostname", "Enter a valid hostname.".into());
                String::new()
            }
        },
    };
    (name, hostname)
}

/// `billing_cycle` (default hourly) and `tags`; `ssh_key_ids` and `password` checked.
fn extras(body: &Map<String, Value>, errors: &mut Errors) -> (&'static str, Vec<String>) {
    let billing = match body.get("billing_cycle").filter(|v| !v.is_null()) {
        None => BILLING_CYCLES[0],
        Some(v) => BILLING_CYCLES
            .iter()
            .copied()
            .find(|c| v.as_str() == Some(c))
            .unwrap_or_else(|| {
                error(
                    errors,
                    "billing_cycle",
                    format!("{v} is not a valid choice."),
                );
                BILLING_CYCLES[0]
            }),
    };
    let tags = strings(body, "tags", errors);
    if !matches!(
        body.get("ssh_key_ids"),
        None | Some(Value::Null | Value::Array(_))
    ) {
        error(errors, "ssh_key_ids", "Expected a list of items.".into());
    }
    match body.get("password") {
        None | Some(Value::Null) => {}
        Some(Value::String(p)) if p.len() >= 8 => {}
        Some(_) => error(
            errors,
            "password",
            "Ensure this field has at least 8 characters.".into(),
        ),
    }
    (billing, tags)
}

impl Onet {
    /// `vpc_id` (default: the location's default VPC), which must be in that location.
    fn vpc(
        &self,
        body: &Map<String, Value>,
        location: Option<usize>,
        errors: &mut Errors,
    ) -> Option<usize> {
        match (body.get("vpc_id").filter(|v| !v.is_null()), location) {
            (None, l) => l.and_then(|l| VPCS.iter().position(|v| v.1 == l)),
            (Some(v), l) => match self
                .vpc_ids
                .iter()
                .position(|id| Some(id.as_str()) == v.as_str())
            {
                None => {
                    error(errors, "vpc_id", no_such(v));
                    None
                }
                Some(i) if l.is_some_and(|l| VPCS[i].1 != l) => {
                    error(
                        errors,
                        "vpc_id",
                        "The VPC is not in the chosen location.".into(),
                    );
                    None
                }
                Some(i) => Some(i),
            },
        }
    }

    /// An active catalogue entry by id (number or digits).
    fn pick(
        &self,
        body: &Map<String, Value>,
        key: &str,
        ids: &[(u64, bool)],
        errors: &mut Errors,
    ) -> Option<usize> {
        let Some(v) = body.get(key).filter(|v| !v.is_null()) else {
            error(errors, key, "This field is required.".into());
            return None;
        };
        let found = crate::util::as_uint(v)
            .and_then(|id| ids.iter().position(|&(i, active)| i == id && active));
        if found.is_none() {
            error(errors, key, no_such(v));
        }
        found
    }

    /// The image, its `os_name` and the size's disk.
    fn check_image(
        &self,
        body: &Map<String, Value>,
        size: Option<usize>,
        errors: &mut Errors,
    ) -> Option<usize> {
        let ids: Vec<(u64, bool)> = self.images.iter().map(|i| (i.id, i.active)).collect();
        let image = self.pick(body, "image_id", &ids, errors)?;
        let img = &self.images[image];
        if let Some(os) = body.get("os_name").and_then(Value::as_str) {
            if !os.eq_ignore_ascii_case(img.os_name) {
                error(
                    errors,
                    "os_name",
                    format!("Does not match the image ({}).", img.os_name),
                );
            }
        }
        if let Some(s) = size.filter(|&s| SIZES[s].disk_gb < img.min_disk_gb) {
            error(
                errors,
                "image_id",
                format!(
                    "{} needs at least {} GB of disk; {} has {} GB.",
                    img.name, img.min_disk_gb, SIZES[s].name, SIZES[s].disk_gb
                ),
            );
        }
        Some(image)
    }

    fn create_spec(&self, body: &Map<String, Value>) -> Result<Spec, Errors> {
        let mut errors = Errors::new();
        let (name, hostname) = names(body, &mut errors);
        let sizes: Vec<(u64, bool)> = SIZES.iter().map(|s| (s.id, s.active)).collect();
        let size = self.pick(body, "size_id", &sizes, &mut errors);
        let locations: Vec<(u64, bool)> = LOCATIONS.iter().map(|l| (l.0, l.4)).collect();
        let location = self.pick(body, "location_id", &locations, &mut errors);
        let image = self.check_image(body, size, &mut errors);
        let vpc = self.vpc(body, location, &mut errors);
        let (billing, tags) = extras(body, &mut errors);
        match (size, location, image, vpc) {
            (Some(size), Some(location), Some(image), Some(vpc)) if errors.is_empty() => Ok(Spec {
                name,
                hostname,
                size,
                location,
                image,
                vpc,
                billing,
                tags,
            }),
            _ => Err(errors),
        }
    }

    /// `POST /compute/instances`.
    pub(super) fn create(&mut self, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return detail(400, "Request body must be a JSON object."),
            Err(e) => return detail(400, &format!("JSON parse error - {e}")),
        };
        let spec = match self.create_spec(&body) {
            Ok(s) => s,
            Err(errors) => return json_response(400, &Value::Object(errors)),
        };
        let now = ctx.now;
        self.instances.push(Instance {
            id: self.ids.uuid(),
            legacy_id: 60_000 + self.ids.below(9_000),
            name: spec.name,
            hostname: spec.hostname,
            description: String::new(),
            status: "pending",
            size: spec.size,
            location: spec.location,
            vpc: spec.vpc,
            image: spec.image,
            billing_cycle: spec.billing,
            tags: spec.tags,
            created_ms: now,
            modified_ms: now,
            addr: self.next_addr,
            provisioned: false,
            create_failed: false,
            gone: false,
            addons: (false, false),
            snapshots: Vec::new(),
            backups: Vec::new(),
            restored_from: None,
            net: Default::default(),
        });
        self.next_addr += 1;
        let ii = self.instances.len() - 1;
        let mut parameters = body;
        parameters.remove("password");
        self.start_task(
            ii,
            Kind::Create,
            Effect::None,
            Value::Object(parameters),
            now,
        );
        json_response(201, &self.instance_json(ii, now))
    }

    /// `DELETE /compute/instances/{id}`.
    pub(super) fn delete(&mut self, ii: usize, now: u64) -> Response {
        if self.busy(ii, now) {
            return detail(400, "Instance already has a task in progress.");
        }
        let ti = self.start_task(ii, Kind::Delete, Effect::None, json!({}), now);
        json_response(202, &self.task_json(&self.tasks[ti], now))
    }

    /// `POST /compute/instances/{id}/reinstall {"image_id", "os_name"?}`.
    pub(super) fn reinstall(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return detail(400, "Request body must be a JSON object."),
            Err(e) => return detail(400, &format!("JSON parse error - {e}")),
        };
        let mut errors = Errors::new();
        let image = self.check_image(&body, Some(self.instances[ii].size), &mut errors);
        let Some(image) = image.filter(|_| errors.is_empty()) else {
            return json_response(400, &Value::Object(errors));
        };
        if self.busy(ii, ctx.now) {
            return detail(400, "Instance already has a task in progress.");
        }
        if self.instances[ii].create_failed {
            return detail(
                400,
                "Instance was not created (its create_vps task failed); delete it.",
            );
        }
        let ti = self.start_task(
            ii,
            Kind::Reinstall,
            Effect::Image(image),
            Value::Object(body),
            ctx.now,
        );
        json_response(202, &self.task_json(&self.tasks[ti], ctx.now))
    }

    /// `PUT /compute/instances/{id}`: name, description, tags at once; a hostname by a task.
    pub(super) fn update(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return detail(400, "Request body must be a JSON object."),
            Err(e) => return detail(400, &format!("JSON parse error - {e}")),
        };
        let mut errors = Errors::new();
        let text = |k: &str, errors: &mut Errors| match body.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if k != "name" || !s.trim().is_empty() => {
                Some(s.trim().to_string())
            }
            Some(_) => {
                error(errors, k, "Not a valid string.".into());
                None
            }
        };
        let name = text("name", &mut errors);
        let description = text("description", &mut errors);
        let tags = body
            .get("tags")
            .map(|_| strings(&body, "tags", &mut errors));
        let hostname = text("hostname", &mut errors).map(|h| h.to_ascii_lowercase());
        if hostname.as_deref().is_some_and(|h| !valid_hostname(h)) {
            error(&mut errors, "hostname", "Enter a valid hostname.".into());
        }
        if !errors.is_empty() {
            return json_response(400, &Value::Object(errors));
        }
        let new_host = hostname.filter(|h| *h != self.instances[ii].hostname);
        if new_host.is_some() && self.busy(ii, ctx.now) {
            return detail(400, "Instance already has a task in progress.");
        }
        if name.as_ref().is_some_and(|n| *n != self.instances[ii].name) {
            // A rename is synchronous: done the instant it is answered.
            let inst = &self.instances[ii];
            self.env.log.record(Completion {
                dialect: "onetsolutions",
                vm_id: inst.id.clone(),
                vm_name: inst.name.clone(),
                action: "rename",
                accepted_at_ms: ctx.now,
                finished_at_ms: Some(ctx.now),
                succeeded: true,
                task_status: "200",
                visible: true,
            });
        }
        let inst = &mut self.instances[ii];
        inst.name = name.unwrap_or(inst.name.clone());
        inst.description = description.unwrap_or(inst.description.clone());
        inst.tags = tags.unwrap_or(inst.tags.clone());
        inst.modified_ms = ctx.now;
        if let Some(h) = new_host {
            let params = json!({ "hostname": h });
            self.start_task(
                ii,
                Kind::ChangeHostname,
                Effect::Hostname(h),
                params,
                ctx.now,
            );
        }
        json_response(200, &self.instance_json(ii, ctx.now))
    }

    pub(super) fn vm_facts(&self, now: u64) -> Vec<VmFact> {
        (0..self.instances.len())
            .map(|ii| {
                let inst = &self.instances[ii];
                let running = self
                    .tasks
                    .iter()
                    .find(|t| {
                        t.inst == ii
                            && !t.finished(now)
                            && matches!(t.kind, Kind::Create | Kind::Delete)
                    })
                    .map(|t| t.kind);
                let state = match running {
                    _ if inst.gone => VmState::Gone,
                    Some(Kind::Create) => VmState::Creating,
                    Some(_) => VmState::Deleting,
                    _ if inst.create_failed => VmState::Failed,
                    _ if inst.status == "running" => VmState::Running,
                    _ => VmState::Stopped,
                };
                VmFact {
                    dialect: "onetsolutions",
                    vm_id: inst.id.clone(),
                    vm_name: inst.name.clone(),
                    state,
                    addresses: self.addresses(inst).into_iter().map(|a| a.0).collect(),
                }
            })
            .collect()
    }
}
