//! Test helpers every dialect's tests share: one-stage actions on a VM as last seen.

use super::{Accepted, Dialect};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::model::{Action, Target, Vm, VmSpec};
use crate::time::Millis;

/// The target of an action on an existing VM.
pub(crate) fn target_of(vm: &Vm) -> Target {
    Target::vm(vm.id.clone(), vm.name.clone())
}

/// The (first stage's) request of `action` on `vm`.
pub(crate) fn request(d: &dyn Dialect, vm: &Vm, action: &Action) -> HttpRequest {
    d.action_request(&target_of(vm), Some(vm), action, 0)
}

/// The (first stage's) answer to `action` on `vm`.
pub(crate) fn accept(
    d: &dyn Dialect,
    vm: &Vm,
    action: &Action,
    resp: &HttpResponse,
    now: Millis,
) -> Result<Accepted, ApiError> {
    d.parse_accepted(&target_of(vm), Some(vm), action, 0, resp, now)
}

/// The target of a create: a name, no id yet.
pub(crate) fn new_vm(name: &str) -> Target {
    Target::Vm {
        id: None,
        name: name.into(),
    }
}

/// The request of `stage` of a create.
pub(crate) fn create_request(d: &dyn Dialect, spec: &VmSpec, stage: u8) -> HttpRequest {
    d.action_request(
        &new_vm(&spec.name),
        None,
        &Action::Create(Box::new(spec.clone())),
        stage,
    )
}

/// The answer to `stage` of a create.
pub(crate) fn create_accepted(
    d: &dyn Dialect,
    spec: &VmSpec,
    stage: u8,
    resp: &HttpResponse,
    now: Millis,
) -> Result<Accepted, ApiError> {
    d.parse_accepted(
        &new_vm(&spec.name),
        None,
        &Action::Create(Box::new(spec.clone())),
        stage,
        resp,
        now,
    )
}

/// The JSON body a request carries.
pub(crate) fn json_of(req: &HttpRequest) -> serde_json::Value {
    serde_json::from_str(req.body.as_deref().expect("a body")).expect("JSON")
}

/// Whether the request carries this header, as given.
pub(crate) fn has_header(req: &HttpRequest, name: &str, value: &str) -> bool {
    req.headers.iter().any(|(k, v)| k == name && v == value)
}

/// What a look for `action`'s lost write on `vm`, sent at `sent_at`, finds in `resp` (read at
/// `cursor`).
pub(crate) fn find(
    d: &dyn Dialect,
    vm: &Vm,
    action: &Action,
    sent_at: Millis,
    cursor: Option<&str>,
    resp: &HttpResponse,
) -> Result<super::Found, ApiError> {
    let target = target_of(vm);
    let s = super::Submit {
        target: &target,
        vm: Some(vm),
        action,
        stage: 0,
        sent_at,
    };
    d.parse_find_submit(&s, cursor, resp, sent_at + 1_000)
}

/// A lost create of `spec`, sent at `sent_at`, as a look for it sees it.
fn create_submit<'a>(target: &'a Target, action: &'a Action, sent_at: Millis) -> super::Submit<'a> {
    super::Submit {
        target,
        vm: None,
        action,
        stage: 0,
        sent_at,
    }
}

/// The read that looks for a lost create of `spec` (at `cursor`).
pub(crate) fn find_create_request(
    d: &dyn Dialect,
    spec: &VmSpec,
    sent_at: Millis,
    cursor: Option<&str>,
) -> Option<HttpRequest> {
    let (target, action) = (new_vm(&spec.name), Action::Create(Box::new(spec.clone())));
    d.find_submit(&create_submit(&target, &action, sent_at), cursor)
}

/// What a look for a lost create of `spec`, sent at `sent_at`, finds in `resp` (read at
/// `cursor`).
pub(crate) fn find_create(
    d: &dyn Dialect,
    spec: &VmSpec,
    sent_at: Millis,
    cursor: Option<&str>,
    resp: &HttpResponse,
) -> Result<super::Found, ApiError> {
    let (target, action) = (new_vm(&spec.name), Action::Create(Box::new(spec.clone())));
    d.parse_find_submit(
        &create_submit(&target, &action, sent_at),
        cursor,
        resp,
        sent_at + 1_000,
    )
}
