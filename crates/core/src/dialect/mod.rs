//! Provider dialects: each builds its provider's requests and reads its responses.
//!
//! A dialect is pure: given a target, an action and `now`, it returns a request value; given a
//! response value, it returns domain values or an [`ApiError`]. Its provider's facts are one
//! [`Caps`] value. The [`crate::Engine`] decides when to call which.

// `Refusal` is large (it can name an action or a plan): boxing it is the model's call, and every
// "why not" here returns one.
#![allow(clippy::result_large_err)]

use serde::{Deserialize, Serialize};

use crate::catalogue::{Part, PartData};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::VmId;
use crate::model::{
    Action, ActionKind, Point, PointKind, PowerTarget, ProviderRef, Res, ResourceKind, Scope,
    Target, TaskState, Vm,
};
use crate::time::Millis;
use crate::words::Refusal;

mod activity;
#[cfg(test)]
mod activity_tests;
mod caps;
mod common;
mod find;
pub mod links;
mod netcaps;
mod points;
#[cfg(test)]
mod testing;
pub mod vmnet;
mod volcaps;

pub mod cloudsfor;
pub mod erigones;
pub mod hostway;
pub mod onet;
pub mod zenno;

pub use activity::{ActivityEntry, ActivityPage, ActivityStatus, Running, ACTIVITY_MAX};
pub use caps::{
    Caps, CreateCaps, CredentialKind, DeleteCaps, Place, RateLimit, RebuildCaps, Sizing,
    SnapshotCaps,
};
pub(crate) use common::{
    address, array, first_text, is_private_ip, json_body, page_number, page_of, points_word,
    public_first, target_vm_id, uint32, vm_points_body, Endpoint,
};
pub use common::{ConnectionConfig, Credentials};
pub use find::{Found, Submit, FIND_SLACK};
pub use netcaps::{NetCaps, ResOps};
pub use points::{Absent, Avail, PointCaps, PointName, PointOps};
pub use vmnet::VmNetCaps;
pub use volcaps::VolCaps;

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

    /// The provider's name, as users know it.
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

    /// The provider's facts.
    pub fn caps(self) -> &'static Caps {
        match self {
            DialectKind::ZennoHosting => &zenno::CAPS,
            DialectKind::Cloudsfor => &cloudsfor::CAPS,
            DialectKind::Erigones => &erigones::CAPS,
            DialectKind::OnetSolutions => &onet::CAPS,
            DialectKind::Hostway => &hostway::CAPS,
        }
    }
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
    /// How to find the provider's task again ([`ProviderRef::Watch`] where it keeps none).
    pub provider_ref: ProviderRef,
    pub state: TaskState,
    pub raw_status: String,
    /// A new resource's id, where the answer (or its `Location`) gives it: a new VM's, or a
    /// new snapshot's or backup's for an operation that targets one.
    pub created: Option<VmId>,
    /// What the provider shows once and never again (Hostway's generated root password): handed
    /// to the user at once, kept nowhere.
    pub secret: Option<Secret>,
}

/// A secret the provider hands out once. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// What a look at the provider's task tells us.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    pub state: TaskState,
    pub raw_status: String,
    /// The provider's own words about the task.
    pub message: Option<String>,
    /// The task is not (yet) listed where it was looked for (cloudsfor's action list).
    pub not_listed: bool,
    /// A real percentage, where the provider gives one.
    pub progress: Option<u8>,
    /// `(attempt, of)` while the provider retries.
    pub attempt: Option<(u32, u32)>,
    /// The VM itself, where the observation read it (ZennoHosting, Hostway): the engine merges
    /// it and verifies against it without another request.
    pub vm: Option<Vm>,
    /// A better handle on the task that this answer taught, to follow it by from now on
    /// (ZennoHosting: a new VM found by its name, from then on read by its id).
    pub follow: Option<ProviderRef>,
    /// What the provider calls the task, where the answer names it (for an operation started
    /// elsewhere, learned on its first look: cloudsfor's `type`, ONETSolutions' `task_type`).
    pub started_as: Option<String>,
    /// Who started the task, where the answer says (ONETSolutions' `created_by`).
    pub started_by: Option<String>,
    /// The id of what the task made, where its answer names it (ONETSolutions' console
    /// session, `result.session_id`): the operation's target learns it.
    pub made: Option<String>,
}

/// A provider's API, as pure functions.
pub trait Dialect {
    fn kind(&self) -> DialectKind;

    /// The provider's facts.
    fn caps(&self) -> &'static Caps {
        self.kind().caps()
    }

    /// Whether `kind` may run on `vm` now, by this provider's rules; else why not.
    fn allowed(&self, vm: &Vm, kind: ActionKind) -> Result<(), Refusal>;

    /// Whether the provider can take this action's parameters (resize by flavor or by
    /// resources, say).
    fn validate(&self, _action: &Action) -> Result<(), Refusal> {
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
    /// the provider has no single-VM read. The answer may carry other VMs too; a `404` answer
    /// ([`crate::ErrorKind::NotFound`]) says the VM is gone.
    fn read_vm_request(&self, vm_id: &VmId, cursor: Option<&str>) -> HttpRequest;
    fn parse_read_vm(&self, resp: &HttpResponse, now: Millis) -> Result<Vec<Vm>, ApiError>;

    /// How many requests the action takes, one after the other, each perhaps with a task of its
    /// own (Erigones' create: define, disk, NIC, deploy).
    fn stages(&self, _action: &Action) -> u8 {
        1
    }

    /// The request of `stage` of `action` on `target`; `vm` is the VM as last seen (none for a
    /// create).
    fn action_request(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        stage: u8,
    ) -> HttpRequest;

    /// The answer to [`Dialect::action_request`]; `vm` is the VM as last seen, as given there
    /// (ZennoHosting's command is observed under the VM's project, which only the VM knows).
    fn parse_accepted(
        &self,
        target: &Target,
        vm: Option<&Vm>,
        action: &Action,
        stage: u8,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Accepted, ApiError>;

    /// A read that tells whether the provider took a write whose answer was lost (`cursor`:
    /// where an earlier answer said to look next, [`Found::Look`]); `None` where this provider
    /// cannot tell, and the operation asks to be checked.
    fn find_submit(&self, _s: &Submit, _cursor: Option<&str>) -> Option<HttpRequest> {
        None
    }

    /// The answer to [`Dialect::find_submit`].
    fn parse_find_submit(
        &self,
        _s: &Submit,
        _cursor: Option<&str>,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Found, ApiError> {
        Err(ApiError::from_response(resp, &["message"], now))
    }

    fn observe_request(&self, r: &ProviderRef) -> HttpRequest;
    fn parse_observation(
        &self,
        r: &ProviderRef,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Observation, ApiError>;

    /// One request that observes many operations at once, where the provider has one
    /// (Erigones `/vm/status/`, cloudsfor `/actions`, ONET's task list, ZennoHosting's project
    /// VM list; [`Caps::observe_many`] says for which references). `None` when these refs
    /// cannot share one.
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

    /// VM data an observe-many answer carries beyond the operations' own observations (Erigones'
    /// `/vm/status/` lists every VM). The engine merges it as read when the request went out, so
    /// operations waiting for verification need no read of their own.
    fn observe_many_vms(&self, _resp: &HttpResponse, _now: Millis) -> Vec<Vm> {
        Vec::new()
    }

    /// One request that re-reads many VMs at once, answered as [`Dialect::parse_read_vm`] reads
    /// it ([`Caps::read_many`]).
    fn read_many_request(&self, _vm_ids: &[&VmId]) -> Option<HttpRequest> {
        None
    }

    /// One request that lists every VM whose power state is `target` now (ids only is enough)
    /// ([`Caps::power_list`]).
    fn power_list_request(&self, _target: PowerTarget) -> Option<HttpRequest> {
        None
    }

    /// The VMs of `known` that the answer to [`Dialect::power_list_request`] lists, updated to
    /// that power state and keeping everything else known of them.
    fn parse_power_list(
        &self,
        _target: PowerTarget,
        _known: &[Vm],
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Vm>, ApiError> {
        Err(ApiError::from_response(resp, &["message"], now))
    }

    /// Cancels a running task, where the provider allows ([`Caps::cancel`]).
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

    /// Reads the VM's snapshots or backups; `None` where the provider lists none of that kind.
    fn points_request(&self, _vm: &Vm, _kind: PointKind) -> Option<HttpRequest> {
        None
    }

    /// The answer to [`Dialect::points_request`]: every point of that kind the VM has.
    fn parse_points(
        &self,
        _kind: PointKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Point>, ApiError> {
        Err(ApiError::from_response(resp, &["message"], now))
    }

    /// Reads one item of a list by its id where the provider reads it so rather than in a
    /// list (ONETSolutions' console session); `None` (the default): read the list.
    fn res_item_request(
        &self,
        _scope: &Scope,
        _kind: ResourceKind,
        _id: &str,
    ) -> Option<HttpRequest> {
        None
    }

    /// Reads a list of networks, public IPs, port forwards or volumes in `scope`; `None` where
    /// the provider lists none of that kind there.
    fn res_request(&self, _scope: &Scope, _kind: ResourceKind) -> Option<HttpRequest> {
        None
    }

    /// The answer to [`Dialect::res_request`]: every item of that kind in that scope.
    fn parse_res(
        &self,
        _scope: &Scope,
        _kind: ResourceKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        Err(ApiError::from_response(resp, &["message"], now))
    }

    /// The requests that read the provider's catalogues for the create form.
    fn catalogue_requests(&self) -> Vec<(Part, HttpRequest)> {
        Vec::new()
    }

    /// The catalogue parts that belong to the [`Part::Regions`] choice made in the form, read
    /// once it is made (and again when it changes), answered by [`Dialect::parse_catalogue`]:
    /// ZennoHosting keeps SSH keys per project, and its projects are its "regions".
    fn region_catalogue_requests(&self, _region: &str) -> Vec<(Part, HttpRequest)> {
        Vec::new()
    }

    fn parse_catalogue(
        &self,
        _part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        Err(ApiError::from_response(resp, &["message"], now))
    }

    /// Operations an answer the engine already reads shows running on VMs (a VM list, a VM
    /// read, an observe-many answer): a locked cloudsfor VM, a ZennoHosting `operation` under
    /// way, a `pending` ONETSolutions instance or a pending task of its task list, an Erigones
    /// `tasks` entry. The engine follows those it did not start ("started elsewhere").
    fn running(&self, _resp: &HttpResponse, _known: &[Vm]) -> Vec<Running> {
        Vec::new()
    }

    /// One page of the provider's own history, newest first ([`Caps::activity`]); `page`
    /// counts from 1. `None` where the provider publishes none.
    fn activity_request(&self, _page: u32) -> Option<HttpRequest> {
        None
    }

    /// The answer to [`Dialect::activity_request`].
    fn parse_activity(
        &self,
        _page: u32,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<ActivityPage, ApiError> {
        Err(ApiError::from_response(resp, &["message"], now))
    }
}
