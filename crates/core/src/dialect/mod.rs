//! Provider dialects: each builds its provider's requests and reads its responses.
//!
//! A dialect is pure: given a VM, an action and `now`, it returns a request value; given a
//! response value, it returns domain values or an [`ApiError`]. The [`crate::Engine`] decides
//! when to call which.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::{basic_auth, join, HttpRequest, HttpResponse};
use crate::json::parse_lenient;
use crate::model::{Action, ActionKind, PowerTarget, ProviderRef, TaskState, Vm};
use crate::time::Millis;

pub mod cloudsfor;
pub mod erigones;
pub mod hostway;
pub mod onet;
pub mod zenno;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DialectKind {
    ZennoHosting,
    Cloudsfor,
    Erigones,
    OnetSolutions,
    Hostway,
}

impl DialectKind {
    pub const ALL: &'static [DialectKind] = &[
        DialectKind::ZennoHosting,
        DialectKind::Cloudsfor,
        DialectKind::Erigones,
        DialectKind::OnetSolutions,
        DialectKind::Hostway,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DialectKind::ZennoHosting => "ZennoHosting",
            DialectKind::Cloudsfor => "cloudsfor",
            DialectKind::Erigones => "Erigones",
            DialectKind::OnetSolutions => "ONETSolutions",
            DialectKind::Hostway => "Hostway",
        }
    }

    /// A stable lowercase name (ids, storage).
    pub fn slug(self) -> &'static str {
        match self {
            DialectKind::ZennoHosting => "zennohosting",
            DialectKind::Cloudsfor => "cloudsfor",
            DialectKind::Erigones => "erigones",
            DialectKind::OnetSolutions => "onetsolutions",
            DialectKind::Hostway => "hostway",
        }
    }

    /// The path below a demo/simulator host where this dialect lives.
    pub fn sim_prefix(self) -> &'static str {
        match self {
            DialectKind::ZennoHosting => "/zennohosting",
            DialectKind::Cloudsfor => "/cloudsfor/api/v1",
            DialectKind::Erigones => "/erigones/api",
            DialectKind::OnetSolutions => {
                "/onetsolutions/v1/organizations/demo-org/projects/demo-project"
            }
            DialectKind::Hostway => "/hostway/accounts/demo-account/flexcloud",
        }
    }

    /// What a real base URL looks like, for the settings form.
    pub fn example_base(self) -> &'static str {
        match self {
            DialectKind::ZennoHosting => "https://api.zennohosting.com",
            DialectKind::Cloudsfor => "https://cloudsfor.com/api/v1",
            DialectKind::Erigones => "https://my.erigones.com/api",
            DialectKind::OnetSolutions => {
                "https://api.onetsolutions.net/v1/organizations/ORG_ID/projects/PROJECT_ID"
            }
            DialectKind::Hostway => "https://API_SERVER/accounts/ACCOUNT_ID/flexcloud",
        }
    }

    /// The request budget Vigil keeps to, below the provider's rate limit.
    pub fn rate_limit(self) -> RateLimit {
        match self {
            // Documented (DigitalOcean's): 5,000 an hour and 250 a minute. The hour is the
            // tighter sustained rate; bursts stay well inside the minute.
            DialectKind::Cloudsfor => RateLimit {
                per_second: 5000.0 / 3600.0,
                burst: 60.0,
            },
            // Documented: 1,000 a minute, bursts of 100 a second.
            DialectKind::OnetSolutions => RateLimit {
                per_second: 1000.0 / 60.0 * 0.9,
                burst: 60.0,
            },
            // Not published: a conservative 8 a second (429 + Retry-After is honoured anyway).
            DialectKind::ZennoHosting | DialectKind::Erigones | DialectKind::Hostway => RateLimit {
                per_second: 8.0,
                burst: 40.0,
            },
        }
    }

    /// Resizes to a named flavor (Hostway) rather than to vCPU/RAM/disk amounts.
    pub fn resizes_by_flavor(self) -> bool {
        self == DialectKind::Hostway
    }

    /// The provider shuts a VM down gracefully and forces it off itself after a timeout given
    /// with the request (Erigones' `stop {"force": false, "timeout": N}`).
    pub fn forces_stop_server_side(self) -> bool {
        self == DialectKind::Erigones
    }

    /// A forced power off may be sent while the graceful shutdown's task still runs (Erigones
    /// documents the forced stop over a `stopping` VM). Elsewhere the VM is locked by the
    /// running task and the power off waits for it to end.
    pub fn forces_over_running_shutdown(self) -> bool {
        self == DialectKind::Erigones
    }

    /// Snapshots take a description as well as a name (Hostway).
    pub fn snapshot_has_description(self) -> bool {
        self == DialectKind::Hostway
    }

    /// The credentials the provider expects, with empty values, for the settings form.
    pub fn blank_credentials(self) -> Credentials {
        match self {
            DialectKind::Cloudsfor | DialectKind::Hostway => Credentials::Basic {
                user: String::new(),
                password: String::new(),
            },
            DialectKind::ZennoHosting | DialectKind::OnetSolutions => Credentials::Bearer {
                token: String::new(),
            },
            DialectKind::Erigones => Credentials::ApiKey { key: String::new() },
        }
    }

    /// The simulator's documented demo credentials.
    pub fn demo_credentials(self) -> Credentials {
        match self {
            DialectKind::Cloudsfor | DialectKind::Hostway => Credentials::Basic {
                user: "demo@vigil.test".into(),
                password: "demo".into(),
            },
            DialectKind::ZennoHosting | DialectKind::OnetSolutions => Credentials::Bearer {
                token: "demo-token".into(),
            },
            DialectKind::Erigones => Credentials::ApiKey {
                key: "demo-key".into(),
            },
        }
    }
}

/// A sustained request rate and how many may go at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

/// Secrets. `Debug` never prints them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credentials {
    /// HTTP Basic (cloudsfor, Hostway).
    Basic { user: String, password: String },
    /// `Authorization: Bearer` (ZennoHosting, ONETSolutions).
    Bearer { token: String },
    /// Erigones' `ES-API-KEY` header.
    ApiKey { key: String },
    /// Erigones' login flow: `POST /accounts/login` for a token valid one hour.
    Login { username: String, password: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            Credentials::Bearer { .. } => write!(f, "Bearer(***)"),
            Credentials::ApiKey { .. } => write!(f, "ApiKey(***)"),
            Credentials::Login { username, .. } => write!(f, "Login({username}, ***)"),
        }
    }
}

impl Credentials {
    pub fn is_complete(&self) -> bool {
        match self {
            Credentials::Basic { user, password } => {
                !user.trim().is_empty() && !password.is_empty()
            }
            Credentials::Bearer { token } => !token.trim().is_empty(),
            Credentials::ApiKey { key } => !key.trim().is_empty(),
            Credentials::Login { username, password } => {
                !username.trim().is_empty() && !password.is_empty()
            }
        }
    }

    /// Adds the credentials' header. `session` is a login token, where the flow has one.
    pub fn authorize(&self, req: HttpRequest, session: Option<&str>) -> HttpRequest {
        match self {
            Credentials::Basic { user, password } => {
                req.header("Authorization", basic_auth(user.trim(), password))
            }
            Credentials::Bearer { token } => {
                req.header("Authorization", format!("Bearer {}", token.trim()))
            }
            Credentials::ApiKey { key } => req.header("ES-API-KEY", key.trim()),
            Credentials::Login { .. } => match session {
                Some(token) => req.header("Authorization", format!("Token {token}")),
                None => req,
            },
        }
    }
}

/// One provider account the console talks to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionConfig {
    /// Stable local id (also the key operations refer to).
    pub id: String,
    pub name: String,
    pub dialect: DialectKind,
    /// e.g. `https://cloudsfor.com/api/v1`.
    pub base_url: String,
    pub credentials: Credentials,
    /// Runs on the simulator inside the page.
    pub demo: bool,
}

impl ConnectionConfig {
    /// Checks what a user typed into the settings form.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("Give the connection a name.".into());
        }
        let url = self.base_url.trim();
        let scheme_ok = url.starts_with("https://")
            || url.starts_with("http://")
            || (self.demo && url.starts_with("demo://"));
        if !scheme_ok {
            return Err(
                "The base URL must start with https:// (or http:// for a local test server)."
                    .into(),
            );
        }
        if url.contains(char::is_whitespace) {
            return Err("The base URL cannot contain spaces.".into());
        }
        if url.contains('@') {
            return Err("Put credentials in their own fields, not in the URL.".into());
        }
        if !self.credentials.is_complete() {
            return Err("Fill in the credentials.".into());
        }
        Ok(())
    }

    pub fn api(&self) -> Box<dyn Dialect> {
        let (base, creds) = (self.base_url.trim(), self.credentials.clone());
        match self.dialect {
            DialectKind::ZennoHosting => Box::new(zenno::Zenno::new(base, creds)),
            DialectKind::Cloudsfor => Box::new(cloudsfor::Cloudsfor::new(base, creds)),
            DialectKind::Erigones => Box::new(erigones::Erigones::new(base, creds)),
            DialectKind::OnetSolutions => Box::new(onet::Onet::new(base, creds)),
            DialectKind::Hostway => Box::new(hostway::Hostway::new(base, creds)),
        }
    }
}

/// Where a dialect's requests go, and with which credentials.
pub(crate) struct Endpoint {
    pub base: String,
    pub credentials: Credentials,
    /// A login session's token, where the credentials use one.
    pub session: Option<String>,
}

impl Endpoint {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Endpoint {
            base: base.to_string(),
            credentials,
            session: None,
        }
    }

    /// A GET of `path` below the base, with the credentials and `Accept: application/json`.
    pub fn get(&self, path: &str) -> HttpRequest {
        self.credentials
            .authorize(
                HttpRequest::get(join(&self.base, path)),
                self.session.as_deref(),
            )
            .header("Accept", "application/json")
    }
}

/// The JSON of a 2xx answer; otherwise the error, keeping the provider's own words found under
/// `error_keys`. Bodies with trailing commas are accepted.
pub(crate) fn json_body(
    resp: &HttpResponse,
    error_keys: &[&str],
    what: &str,
    now: Millis,
) -> Result<serde_json::Value, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(resp, error_keys, now));
    }
    parse_lenient(&resp.body).map_err(|e| ApiError::bad_response(what, e))
}

/// The `page` number in a pagination link, absolute or not. Links are not followed as given
/// because their host may differ from the configured base (proxies, the in-page demo).
pub(crate) fn page_number(url: &str) -> Option<u32> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

/// One answer of a VM listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VmPage {
    pub vms: Vec<Vm>,
    /// Cursors for [`Dialect::list_request`] still to read: the next page, every project
    /// (ZennoHosting), or every server whose details the list did not carry (Hostway). The
    /// engine reads them with bounded concurrency.
    pub next: Vec<String>,
}

/// What an accepted write tells us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub provider_ref: ProviderRef,
    pub state: TaskState,
    pub raw_status: String,
}

/// What a look at the provider's task tells us.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    pub state: TaskState,
    pub raw_status: String,
    pub message: Option<String>,
    /// A real percentage, where the provider gives one.
    pub progress: Option<u8>,
    /// `(attempt, of)` while the provider retries.
    pub attempt: Option<(u32, u32)>,
    /// The VM itself, where the observation read it (ZennoHosting, Hostway): the engine merges it
    /// and verifies against it without another request.
    pub vm: Option<Vm>,
}

impl Default for TaskState {
    fn default() -> Self {
        TaskState::Unknown(String::new())
    }
}

/// A provider's API, as pure functions.
pub trait Dialect {
    fn kind(&self) -> DialectKind;

    /// Every action this provider offers, in the order the console shows them.
    fn actions(&self) -> &'static [ActionKind];

    /// Whether `kind` may run on `vm` now, by this provider's rules; else why not.
    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), String>;

    /// Whether the provider can take this action's parameters (resize by flavor or by
    /// resources, say).
    fn validate(&self, _action: &Action) -> Result<(), String> {
        Ok(())
    }

    /// Reads one part of the VM list: `None` starts it, later cursors come from [`VmPage::next`].
    fn list_request(&self, cursor: Option<&str>) -> HttpRequest;
    fn parse_list(
        &self,
        cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<VmPage, ApiError>;

    /// Re-reads a VM to verify an outcome; `cursor` is the list page it was last seen on, where
    /// the provider has no single-VM read. The answer may carry other VMs too.
    fn read_vm_request(&self, vm_id: &str, cursor: Option<&str>) -> HttpRequest;
    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError>;

    fn action_request(&self, vm: &Vm, action: &Action) -> HttpRequest;
    fn parse_accepted(
        &self,
        vm: &Vm,
        action: &Action,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError>;

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest;
    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError>;

    /// One request that observes many operations at once, where the provider has one
    /// (Erigones `/vm/status/`, cloudsfor `/actions`, ONET's task list, ZennoHosting's project
    /// VM list). `None` when these refs cannot share one.
    fn observe_many_request(&self, _refs: &[&ProviderRef]) -> Option<HttpRequest> {
        None
    }

    /// One entry per ref, in order: `Some` when the answer tells its state, `None` when the
    /// operation is not in it (no longer pending, say) and must be looked at on its own.
    fn parse_observe_many(
        &self,
        refs: &[&ProviderRef],
        _resp: &HttpResponse,
        _now: Millis,
    ) -> Result<Vec<Option<Observation>>, ApiError> {
        Ok(vec![None; refs.len()])
    }

    /// The next page of a paginated observe-many answer, to read for `refs` (the operations this
    /// answer did not hold) within the same round before they count as missing (ONET's task
    /// list). `None`: the answer was the last page the dialect follows.
    fn observe_many_next(
        &self,
        _refs: &[&ProviderRef],
        _resp: &HttpResponse,
    ) -> Option<HttpRequest> {
        None
    }

    /// How long after acceptance the provider itself forces a graceful action that the guest
    /// ignores (Erigones' `timeout`), earliest first; several where the documented timeout
    /// depends on what the API does not show (the guest's OS): further times at which such an
    /// action is likely to end. Empty where the provider forces nothing.
    fn forced_after(&self, _action: &Action) -> Vec<Millis> {
        Vec::new()
    }

    /// Whether an operation missing from an observe-many answer has certainly ended: the answer
    /// lists every pending task of every VM it covers (Erigones' `/vm/status/` `tasks` maps). The
    /// engine then knows the VM data of that same answer was read after the task ended.
    fn observe_many_complete(&self) -> bool {
        false
    }

    /// VM data an observe-many answer carries beyond the operations' own observations (Erigones'
    /// `/vm/status/` lists every VM). The engine merges it as read when the request went out, so
    /// operations waiting for verification need no read of their own.
    fn observe_many_vms(&self, _resp: &HttpResponse, _now: Millis) -> Vec<Vm> {
        Vec::new()
    }

    /// One request that re-reads many VMs at once, answered as [`Dialect::parse_read_vm`] reads
    /// it (Erigones `/vm/status/`), where the provider has one: verifications due together share
    /// it.
    fn read_many_request(&self, _vm_ids: &[&str]) -> Option<HttpRequest> {
        None
    }

    /// One request that lists every VM whose power state is `target` now (ids only is enough),
    /// where the provider has one (Hostway `GET /servers?status=ACTIVE` / `STOPPED`): power
    /// actions whose tasks ended verify together from it.
    fn power_list_request(&self, _target: PowerTarget) -> Option<HttpRequest> {
        None
    }

    /// The VMs of `known` that the answer to [`Dialect::power_list_request`] lists, updated to
    /// that power state and keeping everything else known of them. VMs it does not list say
    /// nothing (their state is whatever else).
    fn parse_power_list(
        &self,
        _target: PowerTarget,
        _known: &[Vm],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Vm>, ApiError> {
        Err(ApiError::from_response(resp, &["message"], now))
    }

    /// Cancels a running task, where the provider allows (Erigones).
    fn cancel_request(&self, _r: &ProviderRef) -> Option<HttpRequest> {
        None
    }

    fn parse_cancel(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError> {
        self.parse_observation(r, resp, now)
    }

    /// A login to send before anything else, for credentials that need a session
    /// (Erigones' login flow). `None` once [`Dialect::set_session`] gave one.
    fn login_request(&self) -> Option<HttpRequest> {
        None
    }

    /// The session token and how long it lasts.
    fn parse_login(&self, resp: &HttpResponse, now: Millis) -> Result<(String, Millis), ApiError> {
        Err(ApiError::from_response(resp, &["detail", "message"], now))
    }

    fn set_session(&mut self, _token: Option<String>) {}
}
