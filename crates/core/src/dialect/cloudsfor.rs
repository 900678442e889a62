//! cloudsfor: the "action object" dialect (DigitalOcean v2 style).
//!
//! Contract: `shared/providers/cloudsfor.md`. `POST /vms/{id}/actions {"type": …}` answers 201 with
//! an action object whose `id` is — as the documents say — the VM's id, so an action is found again
//! by `type` + `started_at` in `GET /vms/{id}/actions`. A VM is re-read from the list page it was
//! seen on.

use serde_json::{json, Value};

use super::{
    json_body, page_number, target_vm_id, Accepted, Caps, CredentialKind, Credentials, Dialect,
    DialectKind, Endpoint, Observation, RateLimit, SnapshotCaps, VmPage,
};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::ids::VmId;
use crate::json::{text, uint};
use crate::model::{
    Action, ActionKind, PowerState, ProviderRef, RefKind, Resize, Size, Target, TaskState, Vm,
};
use crate::time::{parse_rfc3339, Millis};
use crate::words::Refusal;

/// DigitalOcean's maximum page size, so that a dozen or a hundred VMs cost one request.
pub const PER_PAGE: u32 = 200;

const ERROR_KEYS: &[&str] = &["message", "error", "id"];

/// cloudsfor's facts.
pub const CAPS: Caps = Caps {
    kind: DialectKind::Cloudsfor,
    actions: &[
        ActionKind::Start,
        ActionKind::Shutdown,
        ActionKind::Reboot,
        ActionKind::PowerOff,
        ActionKind::PowerCycle,
        ActionKind::Resize,
        ActionKind::Rename,
        ActionKind::Snapshot,
        ActionKind::PasswordReset,
    ],
    // Documented (DigitalOcean's): 5,000 an hour and 250 a minute. The hour is the tighter
    // sustained rate; bursts stay well inside the minute.
    rate_limit: RateLimit {
        per_second: 5000.0 / 3600.0,
        burst: 60.0,
    },
    credentials: &[CredentialKind::Basic],
    example_base: "https://cloudsfor.com/api/v1",
    observe_many: &[RefKind::CloudsforAction],
    observe_many_complete: false,
    read_many: false,
    power_list: false,
    cancel: false,
    forces_after_s: &[],
    forces_stop: false,
    forces_over_running_shutdown: false,
    resizes_by_flavor: false,
    snapshots: SnapshotCaps {
        max_per_vm: None,
        unique_names: false,
        description: false,
        refused_with_extra_volumes: false,
        // "not available in demo mode".
        demo_accounts_refuse: true,
    },
    queue_delay: 0,
    create: None,
    delete: None,
};

pub struct Cloudsfor {
    api: Endpoint,
}

impl Cloudsfor {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Cloudsfor {
            api: Endpoint::new(base, credentials),
        }
    }

    fn req(&self, path: &str) -> HttpRequest {
        self.api.get(path)
    }

    fn body(&self, resp: &HttpResponse, what: &str, now: Millis) -> Result<Value, ApiError> {
        json_body(resp, ERROR_KEYS, what, now)
    }

    /// The `type` the provider uses for an action.
    pub fn action_type(action: &Action) -> &'static str {
        match action {
            Action::Start => "power_on",
            Action::Shutdown => "shutdown",
            Action::PowerOff => "power_off",
            Action::Reboot => "reboot",
            Action::PowerCycle => "power_cycle",
            Action::PasswordReset => "password_reset",
            Action::Resize(_) => "resize",
            Action::Rename { .. } => "rename",
            Action::Snapshot { .. } => "snapshot",
            // Not offered by this provider (see `CAPS`); never sent.
            Action::RestoreBackup { .. } => "restore",
            // Never sent here (no server-side forced stop; the engine refuses it).
            Action::ShutdownWithin { .. } => "shutdown",
            Action::Create(_) => "create",
            Action::Delete { .. } => "delete",
        }
    }
}

fn power_of(status: &str) -> PowerState {
    match status {
        "running" => PowerState::Running,
        "stopped" => PowerState::Stopped,
        other => PowerState::Unknown(other.to_string()),
    }
}

fn task_state(status: &str) -> TaskState {
    match status {
        "in-progress" => TaskState::Running,
        "completed" => TaskState::Succeeded,
        "errored" => TaskState::Failed,
        other => TaskState::Unknown(other.to_string()),
    }
}

fn parse_vm(v: &Value) -> Option<Vm> {
    let id = text(v, "id")?;
    let status = text(v, "status").unwrap_or_else(|| "(no status)".into());
    let region = match v.get("region") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(r @ Value::Object(_)) => text(r, "slug").or_else(|| text(r, "name")),
        _ => None,
    };
    let image = v
        .get("image")
        .and_then(|i| text(i, "name").or_else(|| text(i, "distro")));
    Some(Vm {
        name: text(v, "name").unwrap_or_else(|| id.clone()),
        id: VmId::new(id),
        power: power_of(&status),
        status_raw: status,
        locked: v.get("locked").and_then(Value::as_bool).unwrap_or(false),
        size: Size {
            vcpus: uint(v, "vcpus").map(|n| n as u32),
            memory_gb: uint(v, "memory").map(|n| n as u32),
            disk_gb: uint(v, "disk").map(|n| n as u32),
            flavor: None,
        },
        region,
        image,
        snapshot_count: v
            .get("snapshot_ids")
            .and_then(Value::as_array)
            .map(Vec::len),
        project: None,
        addresses: Vec::new(),
    })
}

impl Dialect for Cloudsfor {
    fn kind(&self) -> DialectKind {
        DialectKind::Cloudsfor
    }

    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal> {
        if vm.locked {
            return Err(Refusal::Locked);
        }
        let running = vm.power == PowerState::Running;
        let stopped = vm.power == PowerState::Stopped;
        if !running && !stopped && kind != ActionKind::Rename {
            return Err(Refusal::StatusNotKnown {
                status: vm.status_raw.clone(),
                rename_only: true,
            });
        }
        match kind {
            ActionKind::Start if running => Err(Refusal::AlreadyRunning),
            ActionKind::Shutdown
            | ActionKind::PowerOff
            | ActionKind::Reboot
            | ActionKind::PowerCycle
                if stopped =>
            {
                Err(Refusal::IsOff)
            }
            ActionKind::PasswordReset if stopped => Err(Refusal::StartFirstForPassword),
            ActionKind::Resize if running => Err(Refusal::MustBeOffToResize),
            _ => Ok(()),
        }
    }

    fn validate(&self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::Resize(Resize::Flavor { .. }) => Err(Refusal::ResizesByAmounts {
                provider: DialectKind::Cloudsfor,
            }),
            _ => Ok(()),
        }
    }

    fn list_request(&self, cursor: Option<&str>) -> HttpRequest {
        let page = cursor.and_then(|c| c.parse::<u32>().ok()).unwrap_or(1);
        self.req(&format!("vms?page={page}&per_page={PER_PAGE}"))
    }

    fn parse_list(
        &self,
        _cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError> {
        let v = self.body(resp, "the VM list", now)?;
        let items = v
            .get("vms")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response("the VM list", "no `vms` array"))?;
        let vms = items.iter().filter_map(parse_vm).collect();
        let next = v
            .pointer("/links/pages/next")
            .and_then(Value::as_str)
            .and_then(page_number)
            .map(|n| n.to_string())
            .into_iter()
            .collect();
        Ok(VmPage { vms, next })
    }

    fn read_vm_request(&self, _vm_id: &VmId, cursor: Option<&str>) -> HttpRequest {
        self.list_request(cursor)
    }

    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError> {
        self.parse_list(None, resp, now).map(|p| p.vms)
    }

    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        _stage: u8,
    ) -> HttpRequest {
        let mut body = json!({ "type": Self::action_type(action) });
        match action {
            Action::Resize(Resize::One { resource, size }) => {
                body["resource"] = json!(resource.as_str());
                body["size"] = json!(size);
            }
            Action::Resize(Resize::All { cpu, ram, disk }) => {
                body["data"] = json!({ "cpu": cpu, "ram": ram, "disk": disk });
            }
            Action::Rename { name } | Action::Snapshot { name, .. } => {
                body["name"] = json!(name.trim());
            }
            _ => {}
        }
        let path = format!("vms/{}/actions", encode_component(target_vm_id(target, vm)));
        self.req(&path).with_json(Method::Post, &body)
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
        let v = self.body(resp, "the action request", now)?;
        let a = v
            .get("action")
            .ok_or_else(|| ApiError::bad_response("the action request", "no `action` object"))?;
        let raw = text(a, "status").unwrap_or_else(|| "(no status)".into());
        Ok(Accepted {
            provider_ref: ProviderRef::CloudsforAction {
                // Documented: the action's id is the VM id. Fall back to ours if it is missing.
                vm_id: text(a, "id").unwrap_or_else(|| target_vm_id(target, vm).to_string()),
                action_type: text(a, "type")
                    .unwrap_or_else(|| Self::action_type(action).to_string()),
                started_at: text(a, "started_at").unwrap_or_default(),
            },
            state: task_state(&raw),
            raw_status: raw,
            created: None,
        })
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest {
        let vm_id = match r {
            ProviderRef::CloudsforAction { vm_id, .. } => vm_id.as_str(),
            _ => "",
        };
        self.req(&format!("vms/{}/actions", encode_component(vm_id)))
    }

    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        let ProviderRef::CloudsforAction {
            action_type,
            started_at,
            ..
        } = r
        else {
            return Err(ApiError::bad_response(
                "the VM's actions",
                "not a cloudsfor action",
            ));
        };
        let v = self.body(resp, "the VM's actions", now)?;
        let actions = v
            .get("actions")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response("the VM's actions", "no `actions` array"))?;
        Ok(match find_action(actions, None, action_type, started_at) {
            Some(a) => observed(a),
            None => Observation {
                not_listed: true,
                ..Observation::default()
            },
        })
    }

    /// The account's most recent actions, all statuses, newest first: every open operation whose
    /// action is among them is observed with this one request.
    fn observe_many_request(&self, refs: &[&ProviderRef]) -> Option<HttpRequest> {
        refs.iter()
            .all(|r| matches!(r, ProviderRef::CloudsforAction { .. }))
            .then(|| self.req(&format!("actions?page=1&per_page={PER_PAGE}")))
    }

    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        let v = self.body(resp, "the account's actions", now)?;
        let actions = v
            .get("actions")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response("the account's actions", "no `actions` array"))?;
        Ok(refs
            .iter()
            .map(|r| match r {
                ProviderRef::CloudsforAction {
                    vm_id,
                    action_type,
                    started_at,
                } => find_action(actions, Some(vm_id), action_type, started_at).map(observed),
                _ => None,
            })
            .collect())
    }
}

/// Ours among a newest-first list of actions: the first of its type (on its VM, when the list
/// covers many) started when ours was accepted, or the newest of that type when the provider did
/// not say when.
fn find_action<'a>(
    actions: &'a [Value],
    vm_id: Option<&str>,
    action_type: &str,
    started_at: &str,
) -> Option<&'a Value> {
    let wanted = parse_rfc3339(started_at);
    actions.iter().find(|a| {
        vm_id.is_none_or(|id| text(a, "id").as_deref() == Some(id))
            && text(a, "type").as_deref() == Some(action_type)
            && (started_at.is_empty()
                || match (wanted, text(a, "started_at")) {
                    (Some(w), Some(s)) => parse_rfc3339(&s) == Some(w),
                    (_, s) => s.as_deref() == Some(started_at),
                })
    })
}

fn observed(a: &Value) -> Observation {
    let raw = text(a, "status").unwrap_or_else(|| "(no status)".into());
    Observation {
        state: task_state(&raw),
        raw_status: raw,
        ..Observation::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::testing::{accept, request};
    use crate::error::ErrorKind;
    use crate::model::Resource;

    fn api() -> Cloudsfor {
        Cloudsfor::new(
            "https://cloudsfor.com/api/v1/",
            Credentials::Basic {
                user: "username".into(),
                password: "password".into(),
            },
        )
    }

    fn vm(status: &str, locked: bool) -> Vm {
        Vm {
            id: VmId::new("5609f1ee1b0c4d2da622737b5ca25e6c"),
            name: "web-01".into(),
            power: power_of(status),
            status_raw: status.into(),
            locked,
            size: Size {
                vcpus: Some(1),
                memory_gb: Some(1),
                disk_gb: Some(25),
                flavor: None,
            },
            region: None,
            image: None,
            snapshot_count: Some(0),
            project: None,
            addresses: Vec::new(),
        }
    }

    fn body(req: &HttpRequest) -> Value {
        serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
    }

    /// The documented response body, trailing comma included.
    const ACCEPTED: &str = r#"{
  "action": {
    "id": "5609f1ee1b0c4d2da622737b5ca25e6c",
    "status": "in-progress",
    "type": "reboot",
    "started_at": "2015-01-14T16:31:00Z",
    "completed_at": null,
    "resource_type": "vm",
    "region": "moscow_01",
  }
}"#;

    #[test]
    fn action_requests_match_the_documented_examples() {
        let v = vm("running", false);
        let req = request(&api(), &v, &Action::Reboot);
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "https://cloudsfor.com/api/v1/vms/5609f1ee1b0c4d2da622737b5ca25e6c/actions"
        );
        assert!(req.headers.contains(&(
            "Authorization".into(),
            "Basic dXNlcm5hbWU6cGFzc3dvcmQ=".into()
        )));
        assert!(req
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        assert_eq!(body(&req), json!({"type": "reboot"}));

        let cases = [
            (Action::PowerCycle, json!({"type": "power_cycle"})),
            (Action::Shutdown, json!({"type": "shutdown"})),
            (Action::PowerOff, json!({"type": "power_off"})),
            (Action::Start, json!({"type": "power_on"})),
            (Action::PasswordReset, json!({"type": "password_reset"})),
            (
                Action::Resize(Resize::One {
                    resource: Resource::Ram,
                    size: 2,
                }),
                json!({"type": "resize", "resource": "ram", "size": 2}),
            ),
            (
                Action::Resize(Resize::All {
                    cpu: 2,
                    ram: 3,
                    disk: 30,
                }),
                json!({"type": "resize", "data": {"cpu": 2, "ram": 3, "disk": 30}}),
            ),
            (
                Action::Rename {
                    name: " new-name ".into(),
                },
                json!({"type": "rename", "name": "new-name"}),
            ),
            (
                Action::Snapshot {
                    name: "New Snapshot".into(),
                    description: String::new(),
                },
                json!({"type": "snapshot", "name": "New Snapshot"}),
            ),
        ];
        for (action, want) in cases {
            assert_eq!(body(&request(&api(), &v, &action)), want, "{action:?}");
        }
    }

    #[test]
    fn reads_the_documented_accepted_body_with_its_trailing_comma() {
        let v = vm("running", false);
        let resp = HttpResponse::new(201, ACCEPTED);
        let acc = accept(&api(), &v, &Action::Reboot, &resp, 0).unwrap();
        assert_eq!(acc.state, TaskState::Running);
        assert_eq!(acc.raw_status, "in-progress");
        assert_eq!(
            acc.provider_ref,
            ProviderRef::CloudsforAction {
                vm_id: "5609f1ee1b0c4d2da622737b5ca25e6c".into(),
                action_type: "reboot".into(),
                started_at: "2015-01-14T16:31:00Z".into(),
            }
        );
    }

    #[test]
    fn finds_its_action_by_type_and_start_time_among_others() {
        let r = ProviderRef::CloudsforAction {
            vm_id: "5609".into(),
            action_type: "reboot".into(),
            started_at: "2015-01-14T16:31:00Z".into(),
        };
        let req = api().observe_request(&r);
        assert_eq!(req.url, "https://cloudsfor.com/api/v1/vms/5609/actions");
        // Newest first: a later reboot and a rename surround ours; ours completed.
        let resp = HttpResponse::new(
            200,
            r#"{"actions": [
                {"id": "5609", "status": "in-progress", "type": "reboot", "started_at": "2015-01-14T17:00:00Z"},
                {"id": "5609", "status": "in-progress", "type": "rename", "started_at": "2015-01-14T16:31:00Z"},
                {"id": "5609", "status": "completed", "type": "reboot", "started_at": "2015-01-14T16:31:00.000Z", "completed_at": "2015-01-14T16:31:40Z"},
            ]}"#,
        );
        let obs = api().parse_observation(&r, &resp, 0).unwrap();
        assert_eq!(obs.state, TaskState::Succeeded);

        let errored = HttpResponse::new(
            200,
            r#"{"actions": [{"id": "5609", "status": "errored", "type": "reboot", "started_at": "2015-01-14T16:31:00Z"}]}"#,
        );
        assert_eq!(
            api().parse_observation(&r, &errored, 0).unwrap().state,
            TaskState::Failed
        );
    }

    #[test]
    fn the_accounts_action_list_observes_many_and_leaves_out_what_it_lacks() {
        let r = |vm: &str, ty: &str, at: &str| ProviderRef::CloudsforAction {
            vm_id: vm.into(),
            action_type: ty.into(),
            started_at: at.into(),
        };
        let (a, b, c) = (
            r("v1", "reboot", "2015-01-14T16:31:00Z"),
            r("v2", "reboot", "2015-01-14T16:31:00Z"),
            r("v3", "shutdown", "2015-01-14T16:00:00Z"),
        );
        let refs = [&a, &b, &c];
        let req = api().observe_many_request(&refs).unwrap();
        assert_eq!(
            req.url,
            "https://cloudsfor.com/api/v1/actions?page=1&per_page=200"
        );
        let resp = HttpResponse::new(
            200,
            r#"{"actions": [
                {"id": "v2", "status": "errored", "type": "reboot", "started_at": "2015-01-14T16:31:00Z"},
                {"id": "v1", "status": "completed", "type": "reboot", "started_at": "2015-01-14T16:31:00Z"},
            ]}"#,
        );
        let seen = api().parse_observe_many(&refs, &resp, 0).unwrap();
        assert_eq!(seen[0].as_ref().unwrap().state, TaskState::Succeeded);
        assert_eq!(
            seen[1].as_ref().unwrap().state,
            TaskState::Failed,
            "v2's own action, not v1's"
        );
        assert!(seen[2].is_none(), "not in the page: looked at on its own");
    }

    #[test]
    fn unknown_or_missing_action_status_is_not_success() {
        let r = ProviderRef::CloudsforAction {
            vm_id: "5609".into(),
            action_type: "reboot".into(),
            started_at: "2015-01-14T16:31:00Z".into(),
        };
        let odd = HttpResponse::new(
            200,
            r#"{"actions": [{"type": "reboot", "status": "paused-by-operator", "started_at": "2015-01-14T16:31:00Z"}]}"#,
        );
        let obs = api().parse_observation(&r, &odd, 0).unwrap();
        assert_eq!(obs.state, TaskState::Unknown("paused-by-operator".into()));
        assert!(!obs.state.is_terminal());

        let absent = HttpResponse::new(200, r#"{"actions": []}"#);
        let obs = api().parse_observation(&r, &absent, 0).unwrap();
        assert!(!obs.state.is_terminal());
        assert!(obs.not_listed);
    }

    #[test]
    fn lists_vms_with_pagination() {
        let req = api().list_request(None);
        assert_eq!(
            req.url,
            "https://cloudsfor.com/api/v1/vms?page=1&per_page=200"
        );
        let resp = HttpResponse::new(
            200,
            r#"{"vms": [
                {"id": "a1", "name": "web-01", "memory": 2, "vcpus": 1, "disk": 50, "locked": false,
                 "created_at": "2024-01-01T00:00:00Z", "status": "running", "backup_ids": [],
                 "snapshot_ids": [7, 8], "image": {"id": 1, "distro": "Ubuntu", "name": "Ubuntu 24.04"},
                 "features": [], "networks": {}},
                {"id": 42, "name": "db-01", "status": "archived", "locked": true},
                {"name": "no id, skipped"}
              ],
              "meta": {"total": 203},
              "links": {"pages": {"next": "https://elsewhere.example/api/v1/vms?page=2&per_page=200"}}}"#,
        );
        let page = api().parse_list(None, &resp, 0).unwrap();
        assert_eq!(page.vms.len(), 2);
        let web = &page.vms[0];
        assert_eq!(web.power, PowerState::Running);
        assert_eq!(
            web.size,
            Size {
                vcpus: Some(1),
                memory_gb: Some(2),
                disk_gb: Some(50),
                flavor: None
            }
        );
        assert_eq!(web.snapshot_count, Some(2));
        assert_eq!(web.image.as_deref(), Some("Ubuntu 24.04"));
        let db = &page.vms[1];
        assert_eq!(db.id, "42");
        assert_eq!(db.power, PowerState::Unknown("archived".into()));
        assert!(db.locked);
        assert_eq!(page.next, vec!["2".to_string()]);
        // The next page is built from the configured base, not the link's host.
        assert_eq!(
            api().list_request(Some(&page.next[0])).url,
            "https://cloudsfor.com/api/v1/vms?page=2&per_page=200"
        );
    }

    #[test]
    fn errors_keep_the_providers_text() {
        let v = vm("running", false);
        let resp = HttpResponse::new(
            422,
            r#"{"id": "unprocessable_entity", "message": "VM is locked by another action"}"#,
        );
        let err = accept(&api(), &v, &Action::Reboot, &resp, 0).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Conflict);
        assert_eq!(
            err.provider_text.as_deref(),
            Some("VM is locked by another action")
        );

        let unauthorized = HttpResponse::new(
            401,
            r#"{"id": "unauthorized", "message": "Unable to authenticate you."}"#,
        );
        let err = api().parse_list(None, &unauthorized, 0).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unauthorized);
        assert!(!err.to_string().contains("password"));

        let garbage = HttpResponse::new(200, "<html>maintenance</html>");
        let err = api().parse_list(None, &garbage, 0).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn valid_actions_follow_the_vm_state() {
        let a = api();
        let running = vm("running", false);
        let stopped = vm("stopped", false);
        let locked = vm("running", true);
        let odd = vm("migrating", false);
        let ok = |v: &Vm, k| a.allowed(v, k).is_ok();
        assert!(ok(&stopped, ActionKind::Start));
        assert!(!ok(&running, ActionKind::Start));
        assert!(ok(&stopped, ActionKind::Resize));
        assert!(!ok(&running, ActionKind::Resize));
        for k in [
            ActionKind::Reboot,
            ActionKind::Shutdown,
            ActionKind::PowerOff,
            ActionKind::PowerCycle,
            ActionKind::PasswordReset,
        ] {
            assert!(ok(&running, k), "{k:?} on running");
            assert!(!ok(&stopped, k), "{k:?} on stopped");
        }
        for k in [ActionKind::Rename, ActionKind::Snapshot] {
            assert!(ok(&running, k) && ok(&stopped, k));
        }
        for &k in CAPS.actions {
            assert!(!ok(&locked, k), "{k:?} while locked");
        }
        assert!(ok(&odd, ActionKind::Rename));
        assert!(!ok(&odd, ActionKind::Reboot));
        assert_eq!(
            a.allowed(&running, ActionKind::Resize),
            Err(Refusal::MustBeOffToResize)
        );
        assert_eq!(a.allowed(&locked, ActionKind::Reboot), Err(Refusal::Locked));
        assert_eq!(a.allowed(&stopped, ActionKind::Reboot), Err(Refusal::IsOff));
        assert_eq!(
            a.allowed(&odd, ActionKind::Reboot),
            Err(Refusal::StatusNotKnown {
                status: "migrating".into(),
                rename_only: true
            })
        );
        assert_eq!(
            a.validate(&Action::Resize(Resize::Flavor { id: "s-1".into() })),
            Err(Refusal::ResizesByAmounts {
                provider: DialectKind::Cloudsfor
            })
        );
    }
}
