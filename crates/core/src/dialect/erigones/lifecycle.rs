//! Creating and deleting VMs (the sheet's "VM lifecycle (define, then deploy)"), each one
//! operation of several stages, every one with its own end:
//!
//! - create: define (`POST /vm/{hostname}/define/`), its first disk
//!   (`…/define/disk/1/`), its first NIC (`…/define/nic/1/`), each `201 SUCCESS` at once; then
//!   deploy (`POST /vm/{hostname}/` → `201 PENDING`, a task), which creates and starts it;
//! - delete: a forced stop where the VM ran (`PUT …/status/stop/ {"force": true}`), undeploy
//!   (`DELETE /vm/{hostname}/`, a task; the VM must be stopped), undefine
//!   (`DELETE /vm/{hostname}/define/`, `200` at once); then the VM is not found.
//!
//! The VM's id is the hostname the user chose. Only an admin may create or delete: others get
//! `403` ([`crate::ErrorKind::Forbidden`]).

use serde_json::{json, Value};

use super::parse::{envelope, refusal, task_state};
use super::Erigones;
use crate::dialect::Accepted;
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{Action, ProviderRef, TaskState, Vm, VmSpec};
use crate::time::Millis;

/// What one stage of a create or a delete does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Define,
    Disk,
    Nic,
    Deploy,
    ForceStop,
    Undeploy,
    Undefine,
}

impl Step {
    /// Stage `stage` of `action`, where it is a create or a delete.
    pub(super) fn of(action: &Action, stage: u8) -> Option<Step> {
        let steps: &[Step] = match action {
            Action::Create(_) => &[Step::Define, Step::Disk, Step::Nic, Step::Deploy],
            Action::Delete { stop_first: true } => {
                &[Step::ForceStop, Step::Undeploy, Step::Undefine]
            }
            Action::Delete { stop_first: false } => &[Step::Undeploy, Step::Undefine],
            _ => &[],
        };
        steps.get(usize::from(stage)).copied()
    }

    /// How many stages `action` takes.
    pub(super) fn count(action: &Action) -> u8 {
        (0..u8::MAX)
            .find(|&s| Step::of(action, s).is_none())
            .unwrap_or(1)
            .max(1)
    }

    /// Answered at once (`200`/`201 SUCCESS`), with no task to follow.
    fn at_once(self) -> bool {
        matches!(self, Step::Define | Step::Disk | Step::Nic | Step::Undefine)
    }
}

/// The hostname a stage acts on: the one chosen for a new VM, else the target's.
pub(super) fn hostname_of<'a>(action: &'a Action, target_id: &'a str) -> &'a str {
    match action {
        Action::Create(spec) => spec.name.trim(),
        _ => target_id,
    }
}

/// A VM defined but never deployed: nothing to undeploy.
fn not_created(vm: Option<&Vm>) -> bool {
    vm.is_some_and(|v| v.status_raw == "notcreated")
}

impl Erigones {
    /// The request of one stage.
    pub(super) fn step_request(
        &self,
        step: Step,
        hostname: &str,
        action: &Action,
        vm: Option<&Vm>,
    ) -> HttpRequest {
        let vm_path = format!("vm/{}/", encode_component(hostname));
        let spec = match action {
            Action::Create(spec) => Some(spec),
            _ => None,
        };
        match (step, spec) {
            (Step::Define, Some(spec)) => {
                let path = format!("{vm_path}define/");
                self.api.send(Method::Post, &path, &define_body(spec))
            }
            (Step::Disk, Some(spec)) => {
                let path = format!("{vm_path}define/disk/1/");
                self.api.send(Method::Post, &path, &disk_body(spec))
            }
            (Step::Nic, Some(spec)) => {
                let net = spec.network.as_deref().unwrap_or_default().trim();
                let path = format!("{vm_path}define/nic/1/");
                self.api.send(Method::Post, &path, &json!({ "net": net }))
            }
            (Step::Deploy, _) => self.api.send(Method::Post, &vm_path, &json!({})),
            (Step::ForceStop, _) => {
                let path = format!("{vm_path}status/stop/");
                self.api.send(Method::Put, &path, &json!({ "force": true }))
            }
            // Defined, never deployed: the stage only reads the VM.
            (Step::Undeploy, _) if not_created(vm) => self.api.get(&format!("{vm_path}status/")),
            (Step::Undeploy, _) => self.api.request(Method::Delete, &vm_path),
            (Step::Undefine, _) => self
                .api
                .request(Method::Delete, &format!("{vm_path}define/")),
            // A create's stage without its spec cannot happen: `Step::of` reads the action.
            (Step::Define | Step::Disk | Step::Nic, None) => self.api.get(&vm_path),
        }
    }

    /// The answer to one stage: a task to follow (deploy, undeploy, a forced stop), or done at
    /// once. A VM not found by a delete's stage is gone already.
    pub(super) fn parse_step(
        &self,
        step: Step,
        hostname: &str,
        vm: Option<&Vm>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        let deleting = matches!(step, Step::ForceStop | Step::Undeploy | Step::Undefine);
        if deleting && resp.status == 404 {
            return Ok(done("not found"));
        }
        if !resp.is_success() {
            return Err(refusal(resp, now));
        }
        if step == Step::Undeploy && not_created(vm) {
            return Ok(done("notcreated"));
        }
        let v = parse_lenient(&resp.body).ok();
        let status = v.as_ref().and_then(envelope).map(|(s, _)| s);
        let task_id = v
            .as_ref()
            .and_then(|v| text(v, "task_id"))
            .filter(|t| !t.trim().is_empty());
        let created = (step == Step::Define).then(|| VmId::new(hostname));
        let accepted = match (status, task_id) {
            (Some(status), Some(task_id)) => Accepted {
                provider_ref: ProviderRef::ErigonesTask {
                    hostname: hostname.to_string(),
                    task_id,
                },
                state: task_state(&status),
                raw_status: status,
                created,
                secret: None,
            },
            // Done at once, no task to follow (or none given for it).
            (Some(status), None) if task_state(&status) == TaskState::Succeeded => Accepted {
                created,
                secret: None,
                ..done(&status)
            },
            (None, _) if step.at_once() => Accepted {
                created,
                secret: None,
                ..done("SUCCESS")
            },
            _ => {
                return Err(ApiError::bad_response(
                    "the request",
                    "no task `status` and `task_id`",
                ))
            }
        };
        Ok(accepted)
    }
}

/// A stage done at once: nothing to follow.
fn done(raw: &str) -> Accepted {
    Accepted {
        provider_ref: ProviderRef::Watch,
        state: TaskState::Succeeded,
        raw_status: raw.to_string(),
        created: None,
        secret: None,
    }
}

/// `{"vcpus", "ram" (MB), "alias"?, "ostype"?, "template"?}`; the node is the provider's choice.
fn define_body(spec: &VmSpec) -> Value {
    let mut body = json!({ "vcpus": spec.vcpus, "ram": spec.ram_mb });
    if let Some(alias) = alias_for(spec.name.trim()) {
        body["alias"] = json!(alias);
    }
    // The image's `ostype` (1–4 VMs, 5–6 zones), where the form knows it.
    if let Some(ostype) = spec
        .os
        .as_deref()
        .and_then(|o| o.trim().parse::<u8>().ok())
        .filter(|o| (1..=6).contains(o))
    {
        body["ostype"] = json!(ostype);
    }
    // A template (the form's configuration) supplies defaults.
    if let Some(t) = spec
        .configuration
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        body["template"] = json!(t);
    }
    body
}

/// `{"image": <image name>}`, and a `size` (MB) where the form asked for one.
fn disk_body(spec: &VmSpec) -> Value {
    let mut body = json!({ "image": spec.image.trim() });
    if let Some(gb) = spec.disk_gb {
        body["size"] = json!(u64::from(gb) * 1024);
    }
    body
}

/// The shortest and longest hostname the provider takes.
pub const HOSTNAME_LEN: (usize, usize) = (4, 128);

/// The longest alias: the provider names a VM by its hostname where no alias is given.
const ALIAS_MAX: usize = 24;

/// Danube Cloud's hostname rule (`^[A-Za-z0-9][A-Za-z0-9.-]+[A-Za-z0-9]$`, 4–128 characters,
/// no `..` or `--`).
pub fn is_hostname(h: &str) -> bool {
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    (HOSTNAME_LEN.0..=HOSTNAME_LEN.1).contains(&h.len())
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && ends_ok(h.chars().next())
        && ends_ok(h.chars().last())
        && !h.contains("..")
        && !h.contains("--")
}

/// The alias to send with a hostname too long to be one (the provider would take the hostname
/// and refuse it): its first label, else its first characters.
fn alias_for(hostname: &str) -> Option<String> {
    if hostname.len() <= ALIAS_MAX {
        return None;
    }
    let first = hostname.split('.').next().unwrap_or_default();
    let cut = if (HOSTNAME_LEN.0..=ALIAS_MAX).contains(&first.len()) {
        first
    } else {
        // On a character boundary: a name that is no hostname (refused before it is sent, but
        // this function is handed whatever it is given) may hold any character.
        let end = (0..=ALIAS_MAX)
            .rev()
            .find(|&i| hostname.is_char_boundary(i))
            .unwrap_or(0);
        &hostname[..end]
    };
    let alias = cut.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    (alias.len() >= HOSTNAME_LEN.0).then(|| alias.to_string())
}
