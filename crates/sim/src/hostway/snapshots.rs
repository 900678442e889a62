//! Hostway server snapshots: `POST /servers/{id}/snapshots` → `202` + `Location` + the
//! documented body; `GET` the Location → `BUILD` → `ACTIVE` (or `DELETED` when it failed).
//! `400` when the server has extra volumes (the seeded `db-*` and `backup-*` servers), `409` for a
//! name already used on that server, `413` beyond 3 snapshots (not counting `DELETED` ones).

use serde_json::{json, Value};

use super::catalogue::ZONES;
use super::{accepted, alnum, fault, Base, Hostway, Server, Snapshot, Timed, MAX_SNAPSHOTS};
use crate::truth::{finish_at, Completion};
use crate::util::{sql_time, Ctx, Rng, MONTHS};
use crate::Response;

impl Hostway {
    pub(super) fn snapshot_json(&self, si: usize, snap: &Snapshot, ctx: &Ctx) -> Value {
        let st = snap.status(ctx.now);
        let done = st == "ACTIVE";
        json!({"snapshot": {
            "id": snap.id,
            "name": snap.name,
            "description": snap.description,
            "status": st,
            "guid": if done { snap.guid.as_str() } else { "" },
            "parent_guid": if done { snap.parent_guid.as_str() } else { "" },
            "relation_guid": if done { snap.relation_guid.as_str() } else { "" },
            "create_time": if done { sql_time(snap.t.ends) } else { "0000-00-00 00:00:00".to_string() },
            "links": [{"href": self.snapshot_href(si, snap, ctx), "rel": "self"}],
        }})
    }

    pub(super) fn snapshot_href(&self, si: usize, snap: &Snapshot, ctx: &Ctx) -> String {
        self.href(
            ctx,
            &format!("/servers/{}/snapshots/{}/", self.servers[si].id, snap.id),
        )
    }

    pub(super) fn snapshot(&mut self, si: usize, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let body = match ctx.body_json() {
            Ok(v) => v,
            Err(e) => return fault(400, &format!("Malformed request body: {e}")),
        };
        let snap = body.get("snapshot");
        let name = snap
            .and_then(|s| s.get("name"))
            .and_then(Value::as_str)
            .map(str::trim);
        let Some(name) = name.filter(|n| !n.is_empty() && n.len() <= 255) else {
            return fault(400, "snapshot.name is required");
        };
        let description = match snap.and_then(|s| s.get("description")) {
            None | Some(Value::Null) => "",
            Some(Value::String(d)) => d.as_str(),
            Some(_) => return fault(400, "snapshot.description must be a string"),
        };
        let s = &self.servers[si];
        if matches!(s.base, Base::Deleted) || self.status(si, now).0 == "BUILD" {
            return fault(
                403,
                "Snapshots are not allowed in the server's current status",
            );
        }
        if !s.extra_volumes.is_empty() {
            return fault(
                400,
                "The snapshot cannot be created because the server contains extra volumes.",
            );
        }
        let live: Vec<&Snapshot> = s
            .snapshots
            .iter()
            .filter(|x| !x.gone && x.status(now) != "DELETED")
            .collect();
        if live.iter().any(|x| x.name == name) {
            return fault(409, "The snapshot name must be unique in a server.");
        }
        if live.len() >= MAX_SNAPSHOTS {
            return fault(413, "The snapshot can be created up to 3 in a server.");
        }
        let mut snap = new_snapshot(&mut self.ids, s, name, description, now);
        snap.t = self.timed(now, 180_000);
        let s = &self.servers[si];
        self.env.log.record(Completion {
            dialect: "hostway",
            vm_id: s.id.clone(),
            vm_name: s.name.clone(),
            action: "snapshot",
            accepted_at_ms: now,
            finished_at_ms: finish_at(snap.t.ends),
            succeeded: snap.t.ok,
            task_status: if snap.t.ok { "ACTIVE" } else { "DELETED" },
            visible: true,
        });
        self.servers[si].snapshots.push(snap);
        let snap = self.servers[si].snapshots.last().unwrap();
        let loc = self.snapshot_href(si, snap, ctx);
        let body = self.snapshot_json(si, snap, ctx);
        accepted(Some(loc), Some(body))
    }
}

pub(super) fn new_snapshot(
    ids: &mut Rng,
    s: &Server,
    name: &str,
    description: &str,
    at: u64,
) -> Snapshot {
    let (y, mo, d, ..) = crate::util::civil(at);
    let base: String = s
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    Snapshot {
        id: format!(
            "snapshot_{base}-{}_{y}{}{d:02}_{}",
            ZONES[s.zone].0,
            MONTHS[mo as usize - 1],
            alnum(ids, 9)
        ),
        name: name.to_string(),
        description: description.to_string(),
        t: Timed {
            started: at,
            ends: at,
            ok: true,
            applied: false,
        },
        guid: ids.uuid(),
        parent_guid: ids.uuid(),
        relation_guid: ids.uuid(),
        delete: None,
        gone: false,
    }
}

/// The seeded servers' nightly snapshots (none on servers with extra volumes).
pub(super) fn seed(rng: &mut Rng, ids: &mut Rng, servers: &mut [Server], now: u64) {
    for server in servers.iter_mut() {
        if !server.extra_volumes.is_empty() {
            continue;
        }
        for k in 0..rng.below(3) {
            let at = now.saturating_sub(rng.range(86_400_000, 90 * 86_400_000)) / 1000 * 1000;
            let mut snap = new_snapshot(ids, server, &format!("nightly-{}", k + 1), "", at);
            snap.t = Timed {
                started: at,
                ends: at + 150_000,
                ok: true,
                applied: true,
            };
            server.snapshots.push(snap);
        }
    }
}
