//! Test helpers every dialect's tests share: one-stage actions on a VM as last seen.

use super::{Accepted, Dialect};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::model::{Action, Target, Vm};
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
