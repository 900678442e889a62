//! Hostway FlexCloud: the "202 + Location" dialect (OpenStack-Compute style).
//!
//! Contract: `shared/providers/hostway.md`, source `seeds/004_*.txt`. `GET /servers` lists ids
//! only, so a listing costs one request plus one `GET /servers/{id}` per server (one
//! [`VmPage::next`] cursor `server:<id>` each; the engine reads them with bounded concurrency).
//! Server actions answer `202` with an empty body and show as the server's `PROCESSING` status
//! until done; the server itself is then the outcome. Snapshots answer `202` with a `Location`
//! header and a `self` link, followed as given, whose `status` goes `BUILD` → `ACTIVE`
//! (or `DELETED`).

use serde_json::{json, Value};

use super::{
    target_vm_id, Accepted, Caps, CredentialKind, Credentials, Dialect, DialectKind, Endpoint,
    Observation, RateLimit, SnapshotCaps, VmPage,
};
use crate::error::{ApiError, ErrorKind};
use crate::http::{encode_component, join, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{parse_lenient, text, uint};
use crate::model::{
    Action, ActionKind, PowerState, PowerTarget, ProviderRef, RefKind, Resize, Size, Target,
    TaskState, Vm,
};
use crate::time::{Millis, SECOND};
use crate::words::Refusal;

/// Top-level keys of an error body; OpenStack-style faults nest theirs one level down
/// (`{"conflictingRequest": {"message": "Already rebooting", "code": 409}}`).
const ERROR_KEYS: &[&str] = &["message", "error", "detail"];

/// The prefix of a listing cursor that names a server.
pub const SERVER_CURSOR: &str = "server:";

/// Hostway's documented number of snapshots per server.
pub const MAX_SNAPSHOTS: usize = 3;

/// Hostway's facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::Hostway,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::PowerCycle,
        ActionKind::Resize,
        ActionKind::Snapshot,
    ],
    // Not published: a conservative 8 a second (429 + Retry-After is honoured anyway).
    rate_limit: RateLimit {
        per_second: 8.0,
        burst: 40.0,
    },
    credentials: &[CredentialKind::Basic],
    example_base: "https://API_SERVER/accounts/ACCOUNT_ID/flexcloud",
    observe_many: &[RefKind::HostwayServer],
    // Every server of a status lists under `?status=` (documented): a server action whose
    // server left `PROCESSING` has ended.
    observe_many_complete: true,
    read_many: false,
    power_list: true,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: true,
    snapshots: SnapshotCaps {
        max_per_vm: Some(MAX_SNAPSHOTS),
        unique_names: true,
        description: true,
        refused_with_extra_volumes: true,
        demo_accounts_refuse: false,
    },
    queue_delay: 0,
    create: None,
    delete: None,
};

pub struct Hostway {
    api: Endpoint,
}

/// What a request was for, to read its errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Read,
    Action,
    Snapshot,
}

impl Hostway {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Hostway {
            api: Endpoint::new(base, credentials),
        }
    }

    fn req(&self, path: &str) -> HttpRequest {
        self.api.get(path)
    }

    fn server_path(id: &str) -> String {
        format!("servers/{}", encode_component(id))
    }

    /// Where snapshots of a server are created: the URL a relative `Location` is resolved against.
    fn snapshots_url(&self, server_id: &str) -> String {
        join(
            &self.api.base,
            &format!("{}/snapshots", Self::server_path(server_id)),
        )
    }

    fn body(
        &self,
        resp: &HttpResponse,
        call: Call,
        what: &str,
        now: Millis,
    ) -> Result<Value, ApiError> {
        if !resp.is_success() {
            return Err(fault(resp, call, now));
        }
        parse_doc_json(&resp.body).map_err(|e| ApiError::bad_response(what, e))
    }

    /// The body of `POST /servers/{id}/action`.
    pub fn action_body(action: &Action) -> Value {
        match action {
            Action::Reboot => json!({"reboot": {"type": "SOFT"}}),
            Action::PowerCycle => json!({"reboot": {"type": "HARD"}}),
            Action::Shutdown => json!({"os-stop": null}),
            Action::Start => json!({"os-start": null}),
            Action::Resize(Resize::Flavor { id }) => {
                json!({"resize": {"flavor": {"id": id.trim()}}})
            }
            // Not offered by this provider (see `CAPS` and `validate`); never sent. The
            // provider would answer 405.
            other => json!({ format!("{:?}", other.kind()).to_lowercase(): null }),
        }
    }
}

/// Parses JSON as the documents show it: trailing commas, and — in the documented snapshot
/// answer — a missing comma between two members (`"name": "x" "description": …`).
pub fn parse_doc_json(body: &str) -> Result<Value, String> {
    parse_lenient(body)
        .or_else(|first| parse_lenient(&insert_missing_commas(body)).map_err(|_| first))
}

/// Inserts a comma where a value ends and the next one starts with only whitespace between.
/// Text inside strings is left alone.
fn insert_missing_commas(text: &str) -> String {
    let bare = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+');
    let mut out = String::with_capacity(text.len() + 8);
    let (mut in_string, mut escaped) = (false, false);
    // The last significant character outside strings (`"` for a string's end).
    let mut last: Option<char> = None;
    // Whether the previous character continued a bare token (number, `true`…).
    let mut in_bare = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                last = Some('"');
            }
            continue;
        }
        if c.is_whitespace() {
            out.push(c);
            in_bare = false;
            continue;
        }
        let starts_value = matches!(c, '"' | '{' | '[') || (bare(c) && !in_bare);
        let value_ended = matches!(last, Some('"' | '}' | ']')) || last.is_some_and(bare);
        if starts_value && value_ended {
            out.push(',');
        }
        out.push(c);
        in_bare = bare(c);
        if c == '"' {
            in_string = true;
        }
        last = Some(c);
    }
    out
}

/// The server object, whether wrapped in `{"server": …}` or not.
fn server_of(v: &Value) -> &Value {
    v.get("server").unwrap_or(v)
}

fn power_of(status: &str) -> PowerState {
    match status.to_ascii_uppercase().as_str() {
        "ACTIVE" => PowerState::Running,
        "STOPPED" => PowerState::Stopped,
        "PROCESSING" | "BUILD" => PowerState::Busy,
        // SUSPENDED and DELETED are known but are neither on nor off; other values are new.
        _ => PowerState::Unknown(status.to_string()),
    }
}

fn busy(status: &str) -> bool {
    matches!(status.to_ascii_uppercase().as_str(), "PROCESSING" | "BUILD")
}

/// `flavor` is an object `{id, name, vcpus, ram (MB), disk (GB)}`, or just an id.
fn size_of(flavor: Option<&Value>) -> Size {
    match flavor {
        Some(f @ Value::Object(_)) => Size {
            vcpus: uint(f, "vcpus").map(|n| n as u32),
            memory_gb: uint(f, "ram").map(|mb| mb.div_ceil(1024) as u32),
            disk_gb: uint(f, "disk").map(|n| n as u32),
            flavor: text(f, "id"),
        },
        Some(Value::String(id)) => Size {
            flavor: Some(id.clone()),
            ..Size::default()
        },
        Some(Value::Number(n)) => Size {
            flavor: Some(n.to_string()),
            ..Size::default()
        },
        _ => Size::default(),
    }
}

fn parse_server(v: &Value) -> Option<Vm> {
    let s = server_of(v);
    let id = text(s, "id").filter(|i| !i.is_empty())?;
    let status = text(s, "status").unwrap_or_else(|| "(no status)".into());
    let image = match s.get("image") {
        Some(i @ Value::Object(_)) => text(i, "name").or_else(|| text(i, "id")),
        Some(Value::String(i)) if !i.is_empty() => Some(i.clone()),
        _ => None,
    };
    Some(Vm {
        name: text(s, "name").unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        locked: busy(&status),
        status_raw: status,
        size: size_of(s.get("flavor")),
        region: text(s, "zone"),
        image,
        snapshot_count: None,
        project: None,
        addresses: Vec::new(),
    })
}

/// A real percentage: while building, as given; while processing, only below 100 (the
/// documents give `progress` for `BUILD`; a 100 on a server still changing measures nothing).
fn progress_of(status: &str, v: &Value) -> Option<u8> {
    let p = uint(v, "progress").filter(|p| *p <= 100)? as u8;
    match status.to_ascii_uppercase().as_str() {
        "BUILD" => Some(p),
        "PROCESSING" if p < 100 => Some(p),
        _ => None,
    }
}

/// The text inside an OpenStack-style fault: the first member object's `message`.
fn nested_fault(v: &Value) -> Option<(String, Option<Millis>)> {
    v.as_object()?.values().find_map(|inner| {
        let message = text(inner, "message").filter(|m| !m.trim().is_empty())?;
        let retry = uint(inner, "retryAfter").map(|s| s as Millis * SECOND);
        Some((message, retry))
    })
}

/// A non-2xx answer, with the provider's text kept (OpenStack-style faults nest it). A `403` to
/// an action or a snapshot is the server's state refusing it (documented "not allowed"), and a
/// `400` to a snapshot is the server having extra volumes: both conflicts, not a role or a
/// malformed request.
fn fault(resp: &HttpResponse, call: Call, now: Millis) -> ApiError {
    let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
    if let Some((message, retry)) = parse_doc_json(&resp.body)
        .ok()
        .as_ref()
        .and_then(nested_fault)
    {
        e.provider_text = Some(message);
        e.retry_after = e.retry_after.or(retry);
    }
    match (resp.status, call) {
        (403, Call::Action | Call::Snapshot) | (400, Call::Snapshot) => {
            e.kind = ErrorKind::Conflict
        }
        _ => {}
    }
    e
}

/// `scheme://authority` of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + end])
}

fn has_scheme(href: &str) -> bool {
    match href.find(':') {
        Some(i) if i > 0 => {
            let s = &href[..i];
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => false,
    }
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').collect();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// `href` as given when absolute; else resolved (RFC 3986) against `against`, the URL of the
/// request it answered.
pub fn resolve(against: &str, href: &str) -> String {
    let href = href.trim();
    if has_scheme(href) {
        return href.to_string();
    }
    let Some(base_origin) = origin(against) else {
        return href.to_string();
    };
    if let Some(rest) = href.strip_prefix("//") {
        let scheme = &against[..against.find("://").unwrap_or(0)];
        return format!("{scheme}://{rest}");
    }
    let base_path = {
        let p = &against[base_origin.len()..];
        let end = p.find(['?', '#']).unwrap_or(p.len());
        &p[..end]
    };
    if href.is_empty() {
        return against.to_string();
    }
    if href.starts_with('?') || href.starts_with('#') {
        return format!("{base_origin}{base_path}{href}");
    }
    let (path, tail) = match href.find(['?', '#']) {
        Some(i) => (&href[..i], &href[i..]),
        None => (href, ""),
    };
    let merged = if path.starts_with('/') {
        path.to_string()
    } else {
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{dir}{path}")
    };
    format!("{base_origin}{}{tail}", remove_dot_segments(&merged))
}

/// Where a snapshot is followed: the `Location` header, else the body's `self` link, as given.
fn snapshot_href(resp: &HttpResponse) -> Option<String> {
    if let Some(l) = resp
        .header("location")
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        return Some(l.to_string());
    }
    let v = parse_doc_json(&resp.body).ok()?;
    let links = v.get("snapshot").unwrap_or(&v).get("links")?.as_array()?;
    links
        .iter()
        .find(|l| text(l, "rel").as_deref() == Some("self"))
        .or_else(|| links.first())
        .and_then(|l| text(l, "href"))
        .filter(|h| !h.trim().is_empty())
}

impl Dialect for Hostway {
    fn kind(&self) -> DialectKind {
        DialectKind::Hostway
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        if !CAPS.offers(kind) {
            return Err(Refusal::NotOffered {
                provider: DialectKind::Hostway,
            });
        }
        let status = vm.status_raw.to_ascii_uppercase();
        match status.as_str() {
            "PROCESSING" | "BUILD" => Err(Refusal::Changing {
                status: vm.status_raw.clone(),
            }),
            "DELETED" => Err(Refusal::Deleted),
            "SUSPENDED" => match kind {
                ActionKind::Snapshot => Ok(()),
                _ => Err(Refusal::Suspended),
            },
            "ACTIVE" => match kind {
                ActionKind::Start => Err(Refusal::AlreadyRunning),
                _ => Ok(()),
            },
            "STOPPED" => match kind {
                ActionKind::Shutdown | ActionKind::Reboot | ActionKind::PowerCycle => {
                    Err(Refusal::IsOff)
                }
                _ => Ok(()),
            },
            _ => Err(Refusal::StatusNotKnown {
                status: vm.status_raw.clone(),
                rename_only: false,
            }),
        }
    }

    fn validate(&self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::Resize(Resize::Flavor { id }) if id.trim().is_empty() => {
                Err(Refusal::EnterFlavor)
            }
            Action::Resize(Resize::One { .. } | Resize::All { .. }) => {
                Err(Refusal::ResizesByFlavor {
                    provider: DialectKind::Hostway,
                })
            }
            _ => Ok(()),
        }
    }

    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        match cursor {
            None => self.req("servers"),
            Some(c) => self.req(&Self::server_path(
                c.strip_prefix(SERVER_CURSOR).unwrap_or(c),
            )),
        }
    }

    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        if cursor.is_none() {
            let v = self.body(resp, Call::Read, "the server list", now)?;
            let servers = v
                .get("servers")
                .and_then(Value::as_array)
                .ok_or_else(|| ApiError::bad_response("the server list", "no `servers` array"))?;
            let next = servers
                .iter()
                .filter_map(|s| text(s, "id").filter(|id| !id.is_empty()))
                .map(|id| format!("{SERVER_CURSOR}{id}"))
                .collect();
            return Ok(VmPage {
                vms: Vec::new(),
                next,
            });
        }
        if resp.status == 404 {
            // Deleted between the list and this read: nothing to show.
            return Ok(VmPage::default());
        }
        let v = self.body(resp, Call::Read, "the server", now)?;
        let vm = parse_server(&v).ok_or_else(|| ApiError::bad_response("the server", "no `id`"))?;
        Ok(VmPage {
            vms: vec![vm],
            next: Vec::new(),
        })
    }

    fn read_vm_request(&self, vm_id: &VmId, _cursor: Option<&str>) -> HttpRequest {
        self.req(&Self::server_path(vm_id.as_str()))
    }

    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        let v = self.body(resp, Call::Read, "the server", now)?;
        parse_server(&v)
            .map(|vm| vec![vm])
            .ok_or_else(|| ApiError::bad_response("the server", "no `id`"))
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
    ) -> HttpRequest {
        let server = Self::server_path(target_vm_id(target, vm));
        match action {
            Action::Snapshot { name, description } => {
                let body = json!({"snapshot": {"name": name.trim(), "description": description}});
                self.req(&format!("{server}/snapshots"))
                    .with_json(Method::Post, &body)
            }
            _ => self
                .req(&format!("{server}/action"))
                .with_json(Method::Post, &Self::action_body(action)),
        }
    }

    fn parse_accepted(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError> {
        let call = match action {
            Action::Snapshot { .. } => Call::Snapshot,
            _ => Call::Action,
        };
        let server_id = target_vm_id(target, vm).to_string();
        if !resp.is_success() {
            return Err(fault(resp, call, now));
        }
        if call != Call::Snapshot {
            // `202`, empty body: the server's status is the task.
            return Ok(Accepted {
                provider_ref: ProviderRef::HostwayServer { server_id },
                state: TaskState::Running,
                raw_status: "accepted".into(),
                created: None,
            });
        }
        let href = snapshot_href(resp).ok_or_else(|| {
            ApiError::bad_response(
                "the snapshot request",
                "it gave neither a Location header nor a self link",
            )
        })?;
        let status = parse_doc_json(&resp.body)
            .ok()
            .and_then(|v| text(v.get("snapshot").unwrap_or(&v), "status"))
            .unwrap_or_else(|| "accepted".into());
        Ok(Accepted {
            provider_ref: ProviderRef::HostwaySnapshot { server_id, href },
            state: match snapshot_state(&status) {
                TaskState::Unknown(_) if status == "accepted" => TaskState::Running,
                s => s,
            },
            raw_status: status,
            created: None,
        })
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        match r {
            ProviderRef::HostwaySnapshot { server_id, href } => {
                let url = resolve(&self.snapshots_url(server_id), href);
                let req = HttpRequest::get(url.clone()).header("Accept", "application/json");
                // Credentials go only where they were configured for.
                if origin(&url).map(str::to_ascii_lowercase)
                    == origin(&self.api.base).map(str::to_ascii_lowercase)
                {
                    self.api.credentials.authorize(req, None)
                } else {
                    req
                }
            }
            ProviderRef::HostwayServer { server_id } => self.req(&Self::server_path(server_id)),
            _ => self.req("servers"),
        }
    }

    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        match r {
            ProviderRef::HostwayServer { .. } => {
                let v = self.body(resp, Call::Read, "the server", now)?;
                let vm = parse_server(&v)
                    .ok_or_else(|| ApiError::bad_response("the server", "no `id`"))?;
                let status = vm.status_raw.clone();
                let state = match status.to_ascii_uppercase().as_str() {
                    "PROCESSING" | "BUILD" => TaskState::Running,
                    "DELETED" => TaskState::Failed,
                    // Settled: the engine checks the server reached the goal.
                    "ACTIVE" | "STOPPED" | "SUSPENDED" => TaskState::Succeeded,
                    _ => TaskState::Unknown(status.clone()),
                };
                Ok(Observation {
                    state,
                    progress: progress_of(&status, server_of(&v)),
                    raw_status: status,
                    vm: Some(vm),
                    ..Observation::default()
                })
            }
            ProviderRef::HostwaySnapshot { .. } => {
                let v = self.body(resp, Call::Read, "the snapshot", now)?;
                let s = v.get("snapshot").unwrap_or(&v);
                let status = text(s, "status").unwrap_or_else(|| "(no status)".into());
                // `DELETED` before `ACTIVE`: Hostway discarded it.
                Ok(Observation {
                    progress: progress_of(&status, s),
                    state: snapshot_state(&status),
                    raw_status: status,
                    ..Observation::default()
                })
            }
            other => Err(ApiError::bad_response(
                "the observation",
                format!(
                    "{} is not a Hostway operation",
                    crate::words::describe_ref(other)
                ),
            )),
        }
    }

    /// Servers still changing, in one request (`GET /servers?status=PROCESSING`, documented
    /// filter): a server action whose server is listed is still running; one that is not has
    /// settled (the list is complete), and is verified from a list of the servers in the state it
    /// waits for, or read on its own (that read also verifies it). Snapshots are not covered.
    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .any(|r| matches!(r, ProviderRef::HostwayServer { .. }))
            .then(|| self.req("servers?status=PROCESSING"))
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let listed = self.listed_ids(resp, "the servers still changing", now)?;
        Ok(refs
            .iter()
            .map(|r| match r {
                ProviderRef::HostwayServer { server_id } if listed.contains(server_id) => {
                    Some(Observation {
                        state: TaskState::Running,
                        raw_status: "PROCESSING".into(),
                        ..Observation::default()
                    })
                }
                _ => None,
            })
            .collect())
    }

    /// `GET /servers?status=ACTIVE` (or `STOPPED`): ids only, which is enough for a power
    /// action that only has to show that state.
    fn power_list_request(&self, target: PowerTarget) -> Option<HttpRequest> {
        Some(self.req(&format!("servers?status={}", status_of(target))))
    }

    fn parse_power_list(
        &self,
        target: PowerTarget,
        known: &[Vm],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Vm>, ApiError> {
        let status = status_of(target);
        let listed: std::collections::HashSet<String> = self
            .listed_ids(resp, &format!("the {status} servers"), now)?
            .into_iter()
            .collect();
        Ok(known
            .iter()
            .filter(|vm| listed.contains(vm.id.as_str()))
            .map(|vm| Vm {
                power: power_of(status),
                locked: busy(status),
                status_raw: status.to_string(),
                ..vm.clone()
            })
            .collect())
    }
}

impl Hostway {
    /// The ids of a `GET /servers?status=…` answer.
    fn listed_ids(
        &self,
        resp: &HttpResponse,
        what: &str,
        now: Millis,
    ) -> Result<Vec<String>, ApiError> {
        let v = self.body(resp, Call::Read, what, now)?;
        Ok(v.get("servers")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response(what, "no `servers`"))?
            .iter()
            .filter_map(|s| text(s, "id"))
            .collect())
    }
}

/// The status a power state shows as, for `?status=`.
fn status_of(target: PowerTarget) -> &'static str {
    match target {
        PowerTarget::Running => "ACTIVE",
        PowerTarget::Stopped => "STOPPED",
    }
}

fn snapshot_state(status: &str) -> TaskState {
    match status.to_ascii_uppercase().as_str() {
        "BUILD" => TaskState::Running,
        "ACTIVE" => TaskState::Succeeded,
        "DELETED" => TaskState::Failed,
        _ => TaskState::Unknown(status.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::testing::{accept, request};

    const BASE: &str = "https://api.hostway.example/accounts/acc-1/flexcloud";
    const SID: &str = "a1b2c3d4-0000-4000-8000-0000000000aa";

    fn api() -> Hostway {
        Hostway::new(
            &format!("{BASE}/"),
            Credentials::Basic {
                user: "username".into(),
                password: "password".into(),
            },
        )
    }

    fn auth() -> (String, String) {
        (
            "Authorization".into(),
            "Basic dXNlcm5hbWU6cGFzc3dvcmQ=".into(),
        )
    }

    fn server(status: &str, progress: u64) -> Value {
        json!({"server": {
            "id": SID, "name": "web-01", "status": status, "progress": progress,
            "flavor": {"id": "3", "name": "FlexCloud 2 vCPU / 4 GB", "vcpus": 2, "ram": 4096, "disk": 60},
            "image": {"id": "12", "name": "Ubuntu 24.04"},
            "addresses": {"public": [{"version": 4, "addr": "203.0.113.10"}]},
            "zone": "USOTE-0214", "created": "2025-06-01T10:00:00Z", "updated": "2026-01-01T00:00:00Z",
            "links": [{"href": format!("{BASE}/servers/{SID}"), "rel": "self"}]
        }})
    }

    fn vm(status: &str) -> Vm {
        parse_server(&server(status, 100)).unwrap()
    }

    fn ok(v: &Value) -> HttpResponse {
        HttpResponse::new(200, v.to_string())
    }

    fn body(req: &HttpRequest) -> Value {
        serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
    }

    /// The documented request body, verbatim.
    const SNAPSHOT_REQUEST: &str = r#"{ "snapshot": { "name": "fitnesse snapshot", "description": "fitnesse test snapshot" } }"#;

    /// The documented response body, verbatim: a comma missing after `"name"`, a trailing one
    /// after `links`.
    const SNAPSHOT_ACCEPTED: &str = r#"{ "snapshot": { "id": "snapshot_jello614636-USOTE-0214_2012Jul19_m5yf9Bz8a", "name": "test snapshot" "description": "test snapshot description", "status": "BUILD", "guid": "", "parent_guid": "", "relation_guid": "", "create_time": "0000-00-00 00:00:00", "links": [ {"href": "http://{api_server}/servers/{server_id}/snapshots/snapshot_jello614636-USOTE-0214_2012Jul19_m5yf9Bz8a/", "rel": "self"}], } }"#;

    fn snapshot() -> Action {
        Action::Snapshot {
            name: "fitnesse snapshot".into(),
            description: "fitnesse test snapshot".into(),
        }
    }

    #[test]
    fn servers_still_processing_are_observed_in_one_request() {
        let api = Hostway::new(
            "https://hw.test/accounts/a1/flexcloud",
            Credentials::Basic {
                user: "u".into(),
                password: "p".into(),
            },
        );
        let (a, b) = (
            ProviderRef::HostwayServer {
                server_id: "s1".into(),
            },
            ProviderRef::HostwayServer {
                server_id: "s2".into(),
            },
        );
        let snap = ProviderRef::HostwaySnapshot {
            server_id: "s1".into(),
            href: "https://hw.test/x".into(),
        };
        let refs = [&a, &b, &snap];
        let req = api.observe_many_request(&refs).unwrap();
        assert_eq!(
            req.url,
            "https://hw.test/accounts/a1/flexcloud/servers?status=PROCESSING"
        );
        let resp = HttpResponse::new(
            200,
            r#"{"servers": [{"id": "s2", "zone": "z", "links": []}]}"#,
        );
        let seen = api.parse_observe_many(&refs, &resp, 0).unwrap();
        assert!(seen[0].is_none(), "s1 settled: read on its own");
        assert_eq!(seen[1].as_ref().unwrap().state, TaskState::Running);
        assert!(
            seen[2].is_none(),
            "snapshots are followed at their own link"
        );
    }

    #[test]
    fn a_status_list_updates_only_the_power_state_of_the_servers_it_lists() {
        let api = api();
        let req = api.power_list_request(PowerTarget::Stopped).unwrap();
        assert_eq!(req.url, format!("{BASE}/servers?status=STOPPED"));
        let known = vec![
            parse_server(&server("PROCESSING", 100)).unwrap(),
            Vm {
                id: VmId::new("other"),
                ..vm("ACTIVE")
            },
        ];
        let body = json!({"servers": [{"id": known[0].id, "zone": "Z"}, {"id": "unknown"}]});
        let vms = api
            .parse_power_list(PowerTarget::Stopped, &known, &ok(&body), 0)
            .unwrap();
        assert_eq!(vms.len(), 1, "only known servers it lists");
        let vm = &vms[0];
        assert_eq!((vm.power.clone(), vm.locked), (PowerState::Stopped, false));
        assert_eq!(vm.status_raw, "STOPPED");
        assert_eq!(
            Vm {
                power: known[0].power.clone(),
                locked: known[0].locked,
                status_raw: known[0].status_raw.clone(),
                ..vm.clone()
            },
            known[0],
            "everything else is kept"
        );
    }

    #[test]
    fn snapshot_request_matches_the_documented_example() {
        let req = request(&api(), &vm("ACTIVE"), &snapshot());
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots"));
        assert!(req.headers.contains(&auth()));
        assert!(req
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        assert_eq!(
            body(&req),
            serde_json::from_str::<Value>(SNAPSHOT_REQUEST).unwrap()
        );
    }

    #[test]
    fn reads_the_documented_snapshot_answer_despite_its_commas() {
        let v = parse_doc_json(SNAPSHOT_ACCEPTED).unwrap();
        assert_eq!(v["snapshot"]["name"], "test snapshot");
        assert_eq!(v["snapshot"]["description"], "test snapshot description");
        assert_eq!(v["snapshot"]["create_time"], "0000-00-00 00:00:00");
        // No Location header: the self link, exactly as given.
        let resp = HttpResponse::new(202, SNAPSHOT_ACCEPTED);
        let acc = accept(&api(), &vm("ACTIVE"), &snapshot(), &resp, 0).unwrap();
        let href = "http://{api_server}/servers/{server_id}/snapshots/snapshot_jello614636-USOTE-0214_2012Jul19_m5yf9Bz8a/";
        assert_eq!(
            acc.provider_ref,
            ProviderRef::HostwaySnapshot {
                server_id: SID.into(),
                href: href.into(),
            }
        );
        assert_eq!(acc.state, TaskState::Running);
        assert_eq!(acc.raw_status, "BUILD");
        assert_eq!(api().observe_request(&acc.provider_ref).url, href);
    }

    #[test]
    fn missing_commas_are_repaired_only_between_values() {
        let v = parse_doc_json(r#"{"a": 1 "b": true "c": [1 2] "d": {"x": "y, z"} "e": null}"#)
            .unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "b": true, "c": [1, 2], "d": {"x": "y, z"}, "e": null})
        );
        assert_eq!(
            parse_doc_json(r#"{"s": "a \" b" "t": -1.5e3}"#).unwrap(),
            json!({"s": "a \" b", "t": -1500.0})
        );
        assert!(parse_doc_json("<html>502</html>").is_err());
        assert!(parse_doc_json(r#"{"a": }"#).is_err());
    }

    #[test]
    fn location_is_followed_as_given() {
        let a = api();
        let at = |loc: &str| {
            let resp = HttpResponse::new(202, SNAPSHOT_ACCEPTED).with_header("Location", loc);
            let acc = accept(&a, &vm("ACTIVE"), &snapshot(), &resp, 0).unwrap();
            let ProviderRef::HostwaySnapshot { href, .. } = &acc.provider_ref else {
                panic!("{:?}", acc.provider_ref)
            };
            // Stored as given, preferred over the body's self link.
            assert_eq!(href, loc);
            a.observe_request(&acc.provider_ref)
        };
        // Absolute: as is, even on another path layout.
        let req = at("https://api.hostway.example/v2/snap/77?x=1");
        assert_eq!(req.url, "https://api.hostway.example/v2/snap/77?x=1");
        assert!(req.headers.contains(&auth()));
        // Absolute path: on the base's host.
        let req = at("/accounts/acc-1/flexcloud/servers/s1/snapshots/77/");
        assert_eq!(
            req.url,
            "https://api.hostway.example/accounts/acc-1/flexcloud/servers/s1/snapshots/77/"
        );
        // Relative path: against the snapshot request's URL.
        let req = at("snapshots/77");
        assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots/77"));
        let req = at("../other/77");
        assert_eq!(req.url, format!("{BASE}/servers/other/77"));
        // Another host: followed, but the credentials are not sent there.
        let req = at("https://cdn.elsewhere.example/snap/77");
        assert_eq!(req.url, "https://cdn.elsewhere.example/snap/77");
        assert!(!req.headers.iter().any(|(k, _)| k == "Authorization"));

        // Neither Location nor a link: accepted, but nothing to follow.
        let bare = HttpResponse::new(202, "");
        let e = accept(&a, &vm("ACTIVE"), &snapshot(), &bare, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
        assert!(e.detail.unwrap().contains("Location"));
    }

    #[test]
    fn action_bodies_match_the_documents() {
        let a = api();
        let v = vm("ACTIVE");
        let cases = [
            (Action::Reboot, json!({"reboot": {"type": "SOFT"}})),
            (Action::PowerCycle, json!({"reboot": {"type": "HARD"}})),
            (Action::Shutdown, json!({"os-stop": null})),
            (Action::Start, json!({"os-start": null})),
            (
                Action::Resize(Resize::Flavor { id: " 5 ".into() }),
                json!({"resize": {"flavor": {"id": "5"}}}),
            ),
        ];
        for (action, want) in cases {
            let req = request(&a, &v, &action);
            assert_eq!(req.method, Method::Post);
            assert_eq!(
                req.url,
                format!("{BASE}/servers/{SID}/action"),
                "{action:?}"
            );
            assert!(req.headers.contains(&auth()));
            assert_eq!(body(&req), want, "{action:?}");
            // 202, empty body: the server's status is followed.
            let acc = accept(&a, &v, &action, &HttpResponse::new(202, ""), 0).unwrap();
            assert_eq!(
                acc.provider_ref,
                ProviderRef::HostwayServer {
                    server_id: SID.into()
                }
            );
            assert_eq!(acc.state, TaskState::Running);
        }
    }

    #[test]
    fn only_flavor_resizes_are_accepted() {
        let a = api();
        let one = Action::Resize(Resize::One {
            resource: crate::model::Resource::Ram,
            size: 4,
        });
        let all = Action::Resize(Resize::All {
            cpu: 2,
            ram: 4,
            disk: 60,
        });
        for action in [one, all] {
            assert_eq!(
                a.validate(&action),
                Err(Refusal::ResizesByFlavor {
                    provider: DialectKind::Hostway
                })
            );
        }
        assert_eq!(
            a.validate(&Action::Resize(Resize::Flavor { id: " ".into() })),
            Err(Refusal::EnterFlavor)
        );
        assert!(a
            .validate(&Action::Resize(Resize::Flavor { id: "4".into() }))
            .is_ok());
        assert!(a.validate(&snapshot()).is_ok());
    }

    #[test]
    fn lists_ids_then_reads_each_server() {
        let a = api();
        assert_eq!(a.list_request(None).url, format!("{BASE}/servers"));
        let list = json!({"servers": [
            {"id": "s1", "zone": "USOTE-0214", "links": [{"href": format!("{BASE}/servers/s1"), "rel": "self"}]},
            {"id": "s2", "zone": "USTXA-0301", "links": []},
            {"zone": "no id, skipped"},
        ]});
        let page = a.parse_list(None, &ok(&list), 0).unwrap();
        assert!(page.vms.is_empty());
        assert_eq!(page.next, vec!["server:s1", "server:s2"]);
        let req = a.list_request(Some("server:s1"));
        assert_eq!(req.url, format!("{BASE}/servers/s1"));
        assert!(req.headers.contains(&auth()));

        let page = a
            .parse_list(Some("server:s1"), &ok(&server("ACTIVE", 100)), 0)
            .unwrap();
        assert!(page.next.is_empty());
        let vm = &page.vms[0];
        assert_eq!(vm.id, SID);
        assert_eq!(vm.name, "web-01");
        assert_eq!(vm.power, PowerState::Running);
        assert_eq!(vm.status_raw, "ACTIVE");
        assert!(!vm.locked);
        assert_eq!(vm.region.as_deref(), Some("USOTE-0214"));
        assert_eq!(vm.image.as_deref(), Some("Ubuntu 24.04"));
        assert_eq!(
            vm.size,
            Size {
                vcpus: Some(2),
                memory_gb: Some(4),
                disk_gb: Some(60),
                flavor: Some("3".into())
            }
        );

        // Gone between the list and the read: not an error for the whole listing.
        let gone = HttpResponse::new(
            404,
            r#"{"itemNotFound": {"message": "Server not found", "code": 404}}"#,
        );
        assert_eq!(
            a.parse_list(Some("server:s1"), &gone, 0).unwrap(),
            VmPage::default()
        );
        // Read for verification: the same endpoint.
        assert_eq!(
            a.read_vm_request(&VmId::new("s1"), None).url,
            format!("{BASE}/servers/s1")
        );
        assert_eq!(
            a.parse_read_vm(&ok(&server("STOPPED", 100)), 0).unwrap()[0].power,
            PowerState::Stopped
        );
    }

    #[test]
    fn every_status_maps_and_unknown_ones_stay_raw() {
        let cases = [
            ("ACTIVE", PowerState::Running, false),
            ("STOPPED", PowerState::Stopped, false),
            ("PROCESSING", PowerState::Busy, true),
            ("BUILD", PowerState::Busy, true),
            ("SUSPENDED", PowerState::Unknown("SUSPENDED".into()), false),
            ("DELETED", PowerState::Unknown("DELETED".into()), false),
            (
                "VERIFY_RESIZE",
                PowerState::Unknown("VERIFY_RESIZE".into()),
                false,
            ),
        ];
        for (status, power, locked) in cases {
            let v = vm(status);
            assert_eq!(v.power, power, "{status}");
            assert_eq!(v.locked, locked, "{status}");
            assert_eq!(v.status_raw, status);
        }
    }

    #[test]
    fn server_observation_follows_processing_and_progress() {
        let a = api();
        let r = ProviderRef::HostwayServer {
            server_id: SID.into(),
        };
        assert_eq!(a.observe_request(&r).url, format!("{BASE}/servers/{SID}"));
        let o = a
            .parse_observation(&r, &ok(&server("PROCESSING", 40)), 0)
            .unwrap();
        assert_eq!(o.state, TaskState::Running);
        assert_eq!(o.progress, Some(40));
        assert!(o.vm.as_ref().unwrap().locked);
        // 100 while still processing is not a measure of anything.
        let o = a
            .parse_observation(&r, &ok(&server("PROCESSING", 100)), 0)
            .unwrap();
        assert_eq!(o.state, TaskState::Running);
        assert_eq!(o.progress, None);
        let o = a
            .parse_observation(&r, &ok(&server("BUILD", 50)), 0)
            .unwrap();
        assert_eq!((o.state, o.progress), (TaskState::Running, Some(50)));
        // Not a percentage.
        let o = a
            .parse_observation(&r, &ok(&server("BUILD", 250)), 0)
            .unwrap();
        assert_eq!(o.progress, None);
        for settled in ["ACTIVE", "STOPPED", "SUSPENDED"] {
            let o = a
                .parse_observation(&r, &ok(&server(settled, 100)), 0)
                .unwrap();
            assert_eq!(o.state, TaskState::Succeeded, "{settled}");
            assert_eq!(o.raw_status, settled);
            assert_eq!(o.vm.unwrap().status_raw, settled);
        }
        let o = a
            .parse_observation(&r, &ok(&server("DELETED", 0)), 0)
            .unwrap();
        assert_eq!(o.state, TaskState::Failed);
        for odd in ["ERROR", "MIGRATING", "processing-ish"] {
            let o = a.parse_observation(&r, &ok(&server(odd, 0)), 0).unwrap();
            assert_eq!(o.state, TaskState::Unknown(odd.into()));
            assert!(!o.state.is_terminal());
            assert!(o.vm.is_some());
        }
    }

    #[test]
    fn snapshot_observation_follows_its_status() {
        let a = api();
        let r = ProviderRef::HostwaySnapshot {
            server_id: SID.into(),
            href: format!("{BASE}/servers/{SID}/snapshots/snap-1/"),
        };
        let req = a.observe_request(&r);
        assert_eq!(req.url, format!("{BASE}/servers/{SID}/snapshots/snap-1/"));
        assert!(req.headers.contains(&auth()));
        let snap = |status: &str| {
            HttpResponse::new(
                200,
                format!(
                    r#"{{"snapshot": {{"id": "snap-1", "name": "n", "status": "{status}", "guid": "", "links": [],}}}}"#
                ),
            )
        };
        let o = a.parse_observation(&r, &snap("BUILD"), 0).unwrap();
        assert_eq!(o.state, TaskState::Running);
        assert!(o.vm.is_none());
        assert_eq!(
            a.parse_observation(&r, &snap("ACTIVE"), 0).unwrap().state,
            TaskState::Succeeded
        );
        let o = a.parse_observation(&r, &snap("DELETED"), 0).unwrap();
        assert_eq!(o.state, TaskState::Failed);
        assert_eq!(o.raw_status, "DELETED");
        let o = a.parse_observation(&r, &snap("QUEUED"), 0).unwrap();
        assert_eq!(o.state, TaskState::Unknown("QUEUED".into()));
        assert!(!o.state.is_terminal());
        let with_progress =
            HttpResponse::new(200, r#"{"snapshot": {"status": "BUILD", "progress": 35}}"#);
        assert_eq!(
            a.parse_observation(&r, &with_progress, 0).unwrap().progress,
            Some(35)
        );
    }

    fn refused(status: u16, key: &str, message: &str) -> HttpResponse {
        HttpResponse::new(
            status,
            json!({ key: {"message": message, "code": status} }).to_string(),
        )
    }

    #[test]
    fn documented_action_errors_keep_the_providers_text() {
        let a = api();
        let v = vm("ACTIVE");
        let resize = Action::Resize(Resize::Flavor { id: "3".into() });
        let cases = [
            (
                Action::Reboot,
                409,
                "conflictingRequest",
                "Already rebooting",
                ErrorKind::Conflict,
            ),
            (
                Action::Shutdown,
                409,
                "conflictingRequest",
                "Other status change in progress",
                ErrorKind::Conflict,
            ),
            (
                resize,
                400,
                "badRequest",
                "Server is already of the requested flavor",
                ErrorKind::Invalid,
            ),
            (
                Action::Start,
                403,
                "forbidden",
                "Server is already ACTIVE",
                ErrorKind::Conflict,
            ),
            (
                Action::PowerCycle,
                405,
                "badMethod",
                "Action 'reboot' is not supported",
                ErrorKind::Invalid,
            ),
        ];
        for (action, status, key, text, kind) in cases {
            let e = accept(&a, &v, &action, &refused(status, key, text), 0).unwrap_err();
            assert_eq!(e.kind, kind, "{status} {text}");
            assert_eq!(e.status, Some(status));
            assert_eq!(e.provider_text.as_deref(), Some(text));
            assert!(!e.to_string().contains("password"));
        }
    }

    #[test]
    fn documented_snapshot_errors_keep_the_providers_text() {
        let a = api();
        let v = vm("ACTIVE");
        let cases = [
            (
                400,
                "badRequest",
                "The snapshot cannot be created because the server contains extra volumes.",
            ),
            (
                409,
                "conflictingRequest",
                "The snapshot name must be unique in a server.",
            ),
            (
                413,
                "overLimit",
                "The snapshot can be created up to 3 in a server.",
            ),
        ];
        for (status, key, text) in cases {
            let e = accept(&a, &v, &snapshot(), &refused(status, key, text), 0).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Conflict, "{status}");
            assert_eq!(e.status, Some(status));
            assert_eq!(e.provider_text.as_deref(), Some(text));
        }
        // A plain-text error body is still quoted.
        let e = accept(
            &a,
            &v,
            &snapshot(),
            &HttpResponse::new(413, "Too many snapshots"),
            0,
        )
        .unwrap_err();
        assert_eq!(e.provider_text.as_deref(), Some("Too many snapshots"));
    }

    #[test]
    fn read_errors_keep_their_meaning() {
        let a = api();
        let e = a
            .parse_list(
                None,
                &refused(
                    401,
                    "unauthorized",
                    "This server could not verify that you are authorized to access the resource.",
                ),
                0,
            )
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert_eq!(
            e.provider_text.as_deref(),
            Some("This server could not verify that you are authorized to access the resource.")
        );
        // Another account's URL: credentials that may not, not a state conflict.
        let e = a
            .parse_list(
                None,
                &refused(403, "forbidden", "Access to this account is not allowed."),
                0,
            )
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Forbidden);
        let limited = HttpResponse::new(
            429,
            r#"{"overLimit": {"message": "Rate limit exceeded", "code": 429, "retryAfter": "4"}}"#,
        );
        let e = a.parse_list(None, &limited, 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert_eq!(e.retry_after, Some(4_000));
        let e = a
            .parse_list(None, &HttpResponse::new(200, "<html/>"), 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn valid_actions_follow_the_status() {
        let a = api();
        let yes = |status: &str, k| a.allowed(&vm(status), k).is_ok();
        // (kind, ACTIVE, STOPPED, SUSPENDED)
        let table = [
            (ActionKind::Start, false, true, false),
            (ActionKind::Shutdown, true, false, false),
            (ActionKind::Reboot, true, false, false),
            (ActionKind::PowerCycle, true, false, false),
            (ActionKind::Resize, true, true, false),
            (ActionKind::Snapshot, true, true, true),
        ];
        for (k, active, stopped, suspended) in table {
            assert_eq!(yes("ACTIVE", k), active, "{k:?} on ACTIVE");
            assert_eq!(yes("STOPPED", k), stopped, "{k:?} on STOPPED");
            assert_eq!(yes("SUSPENDED", k), suspended, "{k:?} on SUSPENDED");
            for never in ["PROCESSING", "BUILD", "DELETED", "ERROR"] {
                assert!(!yes(never, k), "{k:?} on {never}");
            }
        }
        assert_eq!(
            a.allowed(&vm("PROCESSING"), ActionKind::Reboot),
            Err(Refusal::Changing {
                status: "PROCESSING".into()
            })
        );
        assert_eq!(
            a.allowed(&vm("ERROR"), ActionKind::Reboot),
            Err(Refusal::StatusNotKnown {
                status: "ERROR".into(),
                rename_only: false
            })
        );
        assert_eq!(
            a.allowed(&vm("DELETED"), ActionKind::Reboot),
            Err(Refusal::Deleted)
        );
        assert_eq!(
            a.allowed(&vm("SUSPENDED"), ActionKind::Reboot),
            Err(Refusal::Suspended)
        );
        assert_eq!(
            a.allowed(&vm("STOPPED"), ActionKind::Reboot),
            Err(Refusal::IsOff)
        );
        assert_eq!(
            a.allowed(&vm("ACTIVE"), ActionKind::Start),
            Err(Refusal::AlreadyRunning)
        );
        assert_eq!(
            a.allowed(&vm("ACTIVE"), ActionKind::PowerOff),
            Err(Refusal::NotOffered {
                provider: DialectKind::Hostway
            })
        );
        for k in [
            ActionKind::PowerOff,
            ActionKind::Rename,
            ActionKind::PasswordReset,
            ActionKind::RestoreBackup,
        ] {
            assert!(!yes("ACTIVE", k), "{k:?}");
        }
    }

    #[test]
    fn resolves_references_per_rfc_3986() {
        let b = "https://h.example/a/b/c?q=1";
        assert_eq!(resolve(b, "d"), "https://h.example/a/b/d");
        assert_eq!(resolve(b, "./d/"), "https://h.example/a/b/d/");
        assert_eq!(resolve(b, "../d"), "https://h.example/a/d");
        assert_eq!(resolve(b, "../../../../d"), "https://h.example/d");
        assert_eq!(resolve(b, "/d"), "https://h.example/d");
        assert_eq!(resolve(b, "//other.example/x"), "https://other.example/x");
        assert_eq!(resolve(b, "?y=2"), "https://h.example/a/b/c?y=2");
        assert_eq!(resolve(b, "http://x.example/p"), "http://x.example/p");
    }
}
