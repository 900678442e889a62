//! ONETSolutions volumes, per the sheet's "Volumes, VPC, firewall, console" (every volume
//! belongs to an instance, as every task does).
//!
//! * `GET /compute/instances/{id}/volumes` → paginated `{id, name, size_gb, volume_type,
//!   status, instance_id, attached, created}`, `GET …/volumes/{vid}` → one (list and read
//!   paths are the simulator's: the sheet gives the writes only). `status`: `creating`,
//!   `available` (detached), `attaching`, `in-use` (attached), `detaching`, `resizing`,
//!   `deleting`, `error` (its create failed).
//! * `POST …/volumes {"size_gb" (1–10000), "volume_type": "ssd"}` → `202 Task (create_volume)`
//!   (~20 s); the volume is listed at once, `creating`, then `available`, detached.
//!   `POST …/volumes/{vid}/attach`, `…/detach` (~10 s), `…/resize {"size_gb"}` (grow only,
//!   ~20 s), `DELETE …/volumes/{vid}` (~10 s, then `404`) → `202 Task` (`attach_volume`,
//!   `detach_volume`, `resize_volume`, `delete_volume`). A detach while the instance runs is
//!   accepted (the console asks first).
//! * Refusals: `400 {"size_gb": [...]}` (missing, out of range, not larger on a resize), `400
//!   {"volume_type": [...]}`, `400` already attached / not attached / attached on delete / in
//!   `error`, `400` a task of the instance in progress. With the `lag` fault the volume shows a
//!   change that long after its task reports `completed`.

use serde_json::{json, Value};

use super::{detail, not_allowed, Effect, Kind, Onet};
use crate::netfacts::{ResState, VolumeFact};
use crate::util::{as_uint, iso, Ctx, Rng};
use crate::Response;

#[derive(Clone, Debug)]
pub(super) struct Volume {
    id: String,
    name: String,
    size_gb: u32,
    inst: usize,
    attached: bool,
    created: u64,
    failed: bool,
    gone: bool,
}

fn size_error(m: &str) -> Response {
    crate::util::json_response(400, &json!({ "size_gb": [m] }))
}

fn size_of(ctx: &Ctx) -> Result<u32, Response> {
    let body = match ctx.body_json() {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(detail(400, "Request body must be a JSON object.")),
        Err(e) => return Err(detail(400, &format!("JSON parse error - {e}"))),
    };
    if let Some(t) = body.get("volume_type").filter(|v| !v.is_null()) {
        if t.as_str() != Some("ssd") {
            return Err(crate::util::json_response(
                400,
                &json!({"volume_type": [format!("\"{t}\" is not a valid choice.")]}),
            ));
        }
    }
    match body.get("size_gb").map(as_uint) {
        None => Err(size_error("This field is required.")),
        Some(Some(n)) if (1..=10_000).contains(&n) => Ok(n as u32),
        Some(_) => Err(size_error("Ensure this value is between 1 and 10000.")),
    }
}

impl Onet {
    /// The task of volume `v` that has not landed yet.
    fn volume_task(&self, v: usize) -> Option<Kind> {
        self.tasks
            .iter()
            .find(|t| !t.applied && matches!(t.effect, Effect::Volume(x, _) if x == v))
            .map(|t| t.kind)
    }

    fn volume_status(&self, v: usize) -> &'static str {
        let vol = &self.volumes[v];
        match self.volume_task(v) {
            Some(Kind::CreateVolume) => "creating",
            Some(Kind::AttachVolume) => "attaching",
            Some(Kind::DetachVolume) => "detaching",
            Some(Kind::ResizeVolume) => "resizing",
            Some(Kind::DeleteVolume) => "deleting",
            _ if vol.failed => "error",
            _ if vol.attached => "in-use",
            _ => "available",
        }
    }

    fn volume_json(&self, v: usize) -> Value {
        let vol = &self.volumes[v];
        json!({
            "id": vol.id,
            "name": vol.name,
            "size_gb": vol.size_gb,
            "volume_type": "ssd",
            "status": self.volume_status(v),
            "instance_id": self.instances[vol.inst].id,
            "attached": vol.attached,
            "created": iso(vol.created),
        })
    }

    /// `…/volumes[/{vid}[/{attach,detach,resize}]]`.
    pub(super) fn route_volumes(
        &mut self,
        ii: usize,
        rest: &[&str],
        ctx: &Ctx,
    ) -> (String, Response) {
        let (m, now) = (ctx.method.as_str(), ctx.now);
        let base = "/compute/instances/{id}/volumes";
        if rest.is_empty() {
            return match m {
                "GET" => {
                    let items = (0..self.volumes.len())
                        .filter(|&v| self.volumes[v].inst == ii && !self.volumes[v].gone)
                        .map(|v| self.volume_json(v))
                        .collect();
                    let path = format!("/compute/instances/{}/volumes", self.instances[ii].id);
                    (format!("GET {base}"), self.paginate(ctx, &path, items))
                }
                "POST" => (format!("POST {base}"), self.create_volume(ii, ctx)),
                _ => (base.into(), not_allowed(m)),
            };
        }
        let found = self
            .volumes
            .iter()
            .position(|v| v.id == rest[0] && v.inst == ii && !v.gone);
        let Some(v) = found else {
            return (format!("{base}/{{vid}}"), detail(404, "Not found."));
        };
        let label = |p: &str| format!("{m} {base}/{{vid}}{p}");
        match (m, &rest[1..]) {
            ("GET", []) => (
                label(""),
                crate::util::json_response(200, &self.volume_json(v)),
            ),
            ("DELETE", []) => (
                label(""),
                self.volume_task_start(v, Kind::DeleteVolume, None, now),
            ),
            ("POST", ["attach"]) => (
                label("/attach"),
                self.volume_task_start(v, Kind::AttachVolume, None, now),
            ),
            ("POST", ["detach"]) => (
                label("/detach"),
                self.volume_task_start(v, Kind::DetachVolume, None, now),
            ),
            ("POST", ["resize"]) => {
                let r = match size_of(ctx) {
                    Ok(size) if size <= self.volumes[v].size_gb => size_error(&format!(
                        "Volumes can only grow: the volume has {} GB.",
                        self.volumes[v].size_gb
                    )),
                    Ok(size) => self.volume_task_start(v, Kind::ResizeVolume, Some(size), now),
                    Err(r) => r,
                };
                (label("/resize"), r)
            }
            (_, [] | ["attach" | "detach" | "resize"]) => (label(""), not_allowed(m)),
            _ => ("unknown".into(), detail(404, "Not found.")),
        }
    }

    fn create_volume(&mut self, ii: usize, ctx: &Ctx) -> Response {
        let size = match size_of(ctx) {
            Ok(s) => s,
            Err(r) => return r,
        };
        if let Some(r) = self.refuse_task(ii, ctx.now) {
            return r;
        }
        let v = self.volumes.len();
        let n = self.volumes.iter().filter(|x| x.inst == ii).count() + 1;
        self.volumes.push(Volume {
            id: self.ids.uuid(),
            name: format!("{}-vol{n}", self.instances[ii].name),
            size_gb: size,
            inst: ii,
            attached: false,
            created: ctx.now,
            failed: false,
            gone: false,
        });
        let params = json!({"size_gb": size, "volume_type": "ssd"});
        let ti = self.start_task(
            ii,
            Kind::CreateVolume,
            Effect::Volume(v, None),
            params,
            ctx.now,
        );
        // A failed create leaves the volume in `error` (applied only on success otherwise).
        self.volumes[v].failed = !self.tasks[ti].ok;
        let task = self.task_json(&self.tasks[ti], ctx.now);
        crate::util::json_response(202, &task)
    }

    fn volume_task_start(&mut self, v: usize, kind: Kind, size: Option<u32>, now: u64) -> Response {
        let (ii, attached, failed) = {
            let vol = &self.volumes[v];
            (
                vol.inst,
                vol.attached,
                vol.failed && self.volume_task(v).is_none(),
            )
        };
        let refusal = match kind {
            _ if failed && kind != Kind::DeleteVolume => {
                Some("Volume is in error state; delete it.")
            }
            Kind::AttachVolume if attached => Some("Volume is already attached."),
            Kind::DetachVolume if !attached => Some("Volume is not attached."),
            Kind::DeleteVolume if attached => Some("Detach the volume before deleting it."),
            _ => None,
        };
        if let Some(m) = refusal {
            return detail(400, m);
        }
        if let Some(r) = self.refuse_task(ii, now) {
            return r;
        }
        let mut params = json!({ "volume_id": self.volumes[v].id });
        if let Some(s) = size {
            params["size_gb"] = json!(s);
        }
        self.task_answer(ii, kind, Effect::Volume(v, size), params, now)
    }

    /// A volume task that completed (its kind found from the task that carries it).
    pub(super) fn apply_volume(&mut self, v: usize, size: Option<u32>, _ends: u64) {
        let kind = self
            .tasks
            .iter()
            .rev()
            .find(|t| t.applied && matches!(t.effect, Effect::Volume(x, _) if x == v))
            .map(|t| t.kind);
        let vol = &mut self.volumes[v];
        match kind {
            Some(Kind::AttachVolume) => vol.attached = true,
            Some(Kind::DetachVolume) => vol.attached = false,
            Some(Kind::ResizeVolume) => vol.size_gb = size.unwrap_or(vol.size_gb),
            Some(Kind::DeleteVolume) => vol.gone = true,
            _ => {}
        }
    }

    pub(super) fn volume_facts(&self, _now: u64) -> Vec<VolumeFact> {
        (0..self.volumes.len())
            .map(|v| {
                let vol = &self.volumes[v];
                let owner = self.instances[vol.inst].id.clone();
                VolumeFact {
                    dialect: "onetsolutions",
                    id: vol.id.clone(),
                    name: vol.name.clone(),
                    size_gb: vol.size_gb,
                    state: match self.volume_status(v) {
                        _ if vol.gone => ResState::Gone,
                        "creating" => ResState::Creating,
                        "deleting" => ResState::Deleting,
                        "error" => ResState::Failed,
                        "attaching" | "detaching" | "resizing" => ResState::Changing,
                        _ => ResState::Ready,
                    },
                    attached_to: vol.attached.then(|| owner.clone()),
                    owner_vm: Some(owner),
                }
            })
            .collect()
    }

    /// Issue 16's demo volumes: every third provisioned instance has one attached volume.
    pub(super) fn seed_volumes(&mut self, rng: &mut Rng, now: u64) {
        for ii in (0..self.instances.len()).step_by(3) {
            if !self.instances[ii].provisioned || self.instances[ii].status == "error" {
                continue;
            }
            let created = now.saturating_sub(rng.range(86_400_000, 90 * 86_400_000)) / 1000 * 1000;
            self.volumes.push(Volume {
                id: rng.uuid(),
                name: format!("{}-data", self.instances[ii].name),
                size_gb: *rng.pick(&[20, 50, 100, 250]),
                inst: ii,
                attached: true,
                created,
                failed: false,
                gone: false,
            });
        }
    }
}
