//! Provider dialects: each builds its provider's requests and reads its responses.
//!
//! A dialect is pure: given a VM, an action and `now`, it returns a request value; given a
//! response value, it returns domain values or an [`ApiError`]. The [`crate::Engine`] decides
//! when to call which.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::{basic_auth, HttpRequest, HttpResponse};
use crate::model::{Action, ActionKind, ProviderRef, TaskState, Vm};
use crate::time::Millis;

pub mod cloudsfor;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DialectKind {
    Cloudsfor,
}

impl DialectKind {
    pub const ALL: &'static [DialectKind] = &[DialectKind::Cloudsfor];

    pub fn label(self) -> &'static str {
        match self {
            DialectKind::Cloudsfor => "cloudsfor",
        }
    }

    /// The path below a demo/simulator host where this dialect lives.
    pub fn sim_prefix(self) -> &'static str {
        match self {
            DialectKind::Cloudsfor => "/cloudsfor/api/v1",
        }
    }

    /// The credentials the provider expects, with empty values, for the settings form.
    pub fn blank_credentials(self) -> Credentials {
        match self {
            DialectKind::Cloudsfor => Credentials::Basic {
                user: String::new(),
                password: String::new(),
            },
        }
    }

    /// The simulator's documented demo credentials.
    pub fn demo_credentials(self) -> Credentials {
        match self {
            DialectKind::Cloudsfor => Credentials::Basic {
                user: "demo@vigil.test".into(),
                password: "demo".into(),
            },
        }
    }
}

/// Secrets. `Debug` never prints them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credentials {
    Basic { user: String, password: String },
    Bearer { token: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            Credentials::Bearer { .. } => write!(f, "Bearer(***)"),
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
        }
    }

    fn authorize(&self, req: HttpRequest) -> HttpRequest {
        match self {
            Credentials::Basic { user, password } => {
                req.header("Authorization", basic_auth(user.trim(), password))
            }
            Credentials::Bearer { token } => {
                req.header("Authorization", format!("Bearer {}", token.trim()))
            }
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
        match self.dialect {
            DialectKind::Cloudsfor => Box::new(cloudsfor::Cloudsfor::new(
                self.base_url.trim(),
                self.credentials.clone(),
            )),
        }
    }
}

/// One page of a VM listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmPage {
    pub vms: Vec<Vm>,
    /// The cursor for [`Dialect::list_request`] to read the next page.
    pub next: Option<String>,
}

/// What an accepted write tells us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub provider_ref: ProviderRef,
    pub state: TaskState,
    pub raw_status: String,
}

/// What a look at the provider's task tells us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    pub state: TaskState,
    pub raw_status: String,
    pub message: Option<String>,
    pub progress: Option<u8>,
}

/// A provider's API, as pure functions.
pub trait Dialect {
    fn kind(&self) -> DialectKind;

    /// Every action this provider offers, in the order the console shows them.
    fn actions(&self) -> &'static [ActionKind];

    /// Whether `kind` may run on `vm` now, by this provider's rules; else why not.
    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), String>;

    /// Reads one page of the VM list; `cursor` comes from [`VmPage::next`].
    fn list_request(&self, cursor: Option<&str>) -> HttpRequest;
    fn parse_list(&self, resp: &HttpResponse, now: Millis) -> Result<VmPage, ApiError>;

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
}
