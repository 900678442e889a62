//! Hostway server actions: `POST /servers/{id}/action` with `reboot {type SOFT|HARD}`,
//! `os-stop`, `os-start`, `resize {flavor {id}}` → `202`, empty body; `PROCESSING` until done.

use serde_json::{Map, Value};

use super::catalogue::{ref_id, FLAVORS};
use super::{accepted, fault, Base, ChangeKind, Hostway};
use crate::truth::{finish_at, Completion};
use crate::util::Ctx;
use crate::Response;

/// The one action of a body.
fn parse(body: &Map<String, Value>) -> Result<ChangeKind, Response> {
    let (key, val) = body.iter().next().expect("one member");
    Ok(match key.as_str() {
        "reboot" => match val
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_ascii_uppercase)
        {
            Some(t) if t == "SOFT" => ChangeKind::Reboot { hard: false },
            Some(t) if t == "HARD" => ChangeKind::Reboot { hard: true },
            _ => return Err(fault(400, "reboot.type must be SOFT or HARD")),
        },
        "os-stop" => ChangeKind::Stop,
        "os-start" => ChangeKind::Start,
        "resize" => {
            let id = val
                .get("flavor")
                .and_then(|f| f.get("id"))
                .or_else(|| val.get("flavorRef"))
                .and_then(ref_id);
            let Some(id) = id else {
                return Err(fault(400, "resize requires flavor.id"));
            };
            let Some(flavor) = FLAVORS.iter().position(|f| f.0 == id) else {
                return Err(fault(400, &format!("Invalid flavor {id}")));
            };
            ChangeKind::Resize { flavor }
        }
        other => return Err(fault(405, &format!("Action '{other}' is not supported"))),
    })
}

pub(super) fn median_ms(kind: ChangeKind) -> u64 {
    match kind {
        ChangeKind::Reboot { hard: false } => 20_000,
        ChangeKind::Reboot { hard: true } => 15_000,
        ChangeKind::Stop => 30_000,
        ChangeKind::Start => 15_000,
        ChangeKind::Resize { .. } => 90_000,
        ChangeKind::Restore { .. } => 120_000,
    }
}

pub(super) fn word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Reboot { hard: false } => "reboot/soft",
        ChangeKind::Reboot { hard: true } => "reboot/hard",
        ChangeKind::Stop => "os-stop",
        ChangeKind::Start => "os-start",
        ChangeKind::Resize { .. } => "resize",
        ChangeKind::Restore { .. } => "snapshot/restore",
    }
}

impl Hostway {
    /// Why server `si` refuses `kind` now (`409` conflicts, `403` not allowed, `400` same
    /// flavor), if it does.
    pub(super) fn refuse(&self, si: usize, kind: ChangeKind, now: u64) -> Option<Response> {
        let (status, _) = self.status(si, now);
        let s = &self.servers[si];
        if status == "BUILD" {
            return Some(fault(409, "Other status change in progress"));
        }
        if let Some((running, _)) = s.change.as_ref().filter(|(_, c)| now < c.ends) {
            let both_reboots = matches!(running, ChangeKind::Reboot { .. })
                && matches!(kind, ChangeKind::Reboot { .. });
            return Some(fault(
                409,
                if both_reboots {
                    "Already rebooting"
                } else {
                    "Other status change in progress"
                },
            ));
        }
        let refused = match (kind, s.base) {
            _ if status == "DELETED" => {
                Some("Action not allowed while the server is DELETED".into())
            }
            (_, Base::Suspended | Base::Deleted) => Some(format!(
                "Action not allowed while the server is {}",
                s.base.as_str()
            )),
            (ChangeKind::Reboot { .. }, Base::Stopped) => {
                Some("Cannot reboot a STOPPED server; start it".to_string())
            }
            (ChangeKind::Stop, Base::Stopped) => Some("Server is already STOPPED".to_string()),
            (ChangeKind::Start, Base::Active) => Some("Server is already ACTIVE".to_string()),
            _ => None,
        };
        if let Some(m) = refused {
            return Some(fault(403, &m));
        }
        match kind {
            ChangeKind::Resize { flavor } if flavor == s.flavor => {
                Some(fault(400, "Server is already of the requested flavor"))
            }
            _ => None,
        }
    }

    /// `POST /servers/{id}/action`.
    pub(super) fn action(&mut self, si: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) if m.len() == 1 => m,
            Ok(Value::Object(_)) => {
                return fault(400, "The action body must contain exactly one action.")
            }
            Ok(_) => return fault(400, "Malformed request body"),
            Err(e) => return fault(400, &format!("Malformed request body: {e}")),
        };
        let kind = match parse(&body) {
            Ok(k) => k,
            Err(r) => return r,
        };
        if let Some(r) = self.refuse(si, kind, now) {
            return r;
        }
        let t = self.timed(now, median_ms(kind));
        let s = &self.servers[si];
        let after = match kind {
            _ if !t.ok => s.base,
            ChangeKind::Reboot { .. } | ChangeKind::Start => Base::Active,
            ChangeKind::Stop => Base::Stopped,
            ChangeKind::Resize { .. } | ChangeKind::Restore { .. } => s.base,
        };
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: s.id.clone(),
            vm_name: s.name.clone(),
            action: word(kind),
            accepted_at_ms: now,
            finished_at_ms: finish_at(t.ends),
            succeeded: t.ok,
            task_status: after.as_str(),
            // A failed reboot leaves the server ACTIVE, exactly as one that worked.
            visible: t.ok || !matches!(kind, ChangeKind::Reboot { .. }),
        });
        self.servers[si].change = Some((kind, t));
        accepted(None, None)
    }
}
