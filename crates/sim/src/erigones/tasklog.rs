//! Erigones' task log, per the sheet's "Activity feed": `GET /task/log/?page=&status=
//! &object_type=vm&object_name=` → `result: {count, next, previous, results: [{time, task,
//! status, username, msg, detail, object_name, object_alias, object_type, flag, dc}]}`, 100 per
//! page, newest first. Every task logs twice under its id: when created (`status` `PENDING`,
//! `time` its creation) and when finished (its terminal status, `time` its end). Without
//! `page`: the last 10 entries (the cache), filters ignored; `object_name` filters only
//! together with `object_type`. `username` names who started it (an owner's tasks name the
//! owner: a task started with `owner-key` is "started elsewhere" for the admin).

use serde_json::{json, Value};

use super::auth::{Caller, USERS};
use super::catalogue::DCS;
use super::{detail, Erigones, Kind, Task, LOG_PAGE_SIZE, PREFIX};
use crate::util::{iso, json_response, window, with_query, Ctx};
use crate::Response;

/// Entries kept in the cache a request without `page` reads.
const CACHED: usize = 10;

/// One log entry: the task, and whether it is the entry of its end.
type Entry<'a> = (&'a Task, bool);

impl Erigones {
    fn log_entry(&self, (t, end): Entry, now: u64) -> Value {
        let vm = &self.vms[t.vm];
        let (state, time) = if end {
            (t.state(now), t.finished_at())
        } else {
            ("PENDING", t.created)
        };
        let det = match (end, state, &t.result) {
            (true, "SUCCESS" | "FAILURE", Some(r)) => r
                .get("detail")
                .or_else(|| r.get("message"))
                .cloned()
                .unwrap_or(Value::Null),
            (true, "REVOKED", _) => json!("Task was revoked"),
            _ => json!(""),
        };
        json!({
            "time": iso(time),
            "task": t.id,
            "status": state,
            "msg": t.kind.msg(),
            "detail": det,
            "username": USERS[t.user].name,
            "object_name": vm.hostname,
            "object_alias": vm.alias,
            "object_type": "vm",
            "flag": if end { 2 } else { 1 },
            "dc": DCS[vm.dc].0,
        })
    }

    pub(super) fn task_log(&mut self, caller: Caller, ctx: &Ctx) -> Response {
        let now = ctx.now;
        let paged = ctx.q("page").is_some_and(|p| !p.is_empty());
        let page = match ctx.q("page").filter(|p| !p.is_empty()) {
            None => 1,
            Some(p) => match p.parse::<usize>() {
                Ok(n) if n >= 1 => n,
                _ => return detail(404, "Invalid page."),
            },
        };
        let status = ctx
            .q("status")
            .filter(|s| paged && !s.is_empty())
            .map(str::to_ascii_uppercase);
        if let Some(s) = &status {
            if !["PENDING", "STARTED", "SUCCESS", "FAILURE", "REVOKED"].contains(&s.as_str()) {
                return detail(400, "Invalid status filter");
            }
        }
        let typed = ctx.q("object_type").is_some_and(|t| t == "vm");
        let object = ctx
            .q("object_name")
            .filter(|s| paged && typed && !s.is_empty());
        let mut entries: Vec<(u64, usize, Entry)> = Vec::new();
        for (i, t) in self.tasks.iter().enumerate() {
            if t.kind == Kind::Current || !self.owns(t.vm, caller) {
                continue;
            }
            entries.push((t.created, i, (t, false)));
            if !t.pending(now) {
                entries.push((t.finished_at(), i, (t, true)));
            }
        }
        entries.retain(|(_, _, e)| {
            let s = if e.1 { e.0.state(now) } else { "PENDING" };
            status.as_deref().is_none_or(|w| w == s)
                && object.is_none_or(|o| {
                    let vm = &self.vms[e.0.vm];
                    vm.hostname == o || vm.alias == o || vm.uuid == o
                })
        });
        entries.sort_by_key(|(t, i, e)| std::cmp::Reverse((*t, *i, e.1)));
        if !paged {
            entries.truncate(CACHED);
        }
        let total = entries.len();
        let pages = total.div_ceil(LOG_PAGE_SIZE).max(1);
        if page > pages {
            return detail(404, "Invalid page.");
        }
        let (s, e) = window(total, page, LOG_PAGE_SIZE);
        let link = |p: usize| {
            let path = with_query(
                &format!("{PREFIX}/task/log/"),
                ctx.query,
                &[("page", p.to_string())],
            );
            json!(format!("{}{path}", ctx.origin))
        };
        let results: Vec<Value> = entries[s..e]
            .iter()
            .map(|(_, _, e)| self.log_entry(*e, now))
            .collect();
        let id = self.task_id(true);
        json_response(
            200,
            &json!({"status": "SUCCESS", "result": {
                "count": total,
                "next": if paged && page < pages { link(page + 1) } else { Value::Null },
                "previous": if paged && page > 1 { link(page - 1) } else { Value::Null },
                "results": results,
            }, "task_id": id}),
        )
    }
}
