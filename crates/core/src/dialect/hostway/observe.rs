//! What a read of a server says of the change under way on it: an action or a build, or a
//! deletion.

use serde_json::Value;

use super::parse::{parse_server, placing, progress_of, ready, server_of};
use crate::dialect::Observation;
use crate::error::ApiError;
use crate::model::TaskState;

/// A server action: `PROCESSING` / `BUILD` run; a settled status ended it — settled, not
/// reported: Hostway never says how an action went, the engine checks the server reached the
/// goal — unless the server is still being created (`created` or `hostId` still empty);
/// `DELETED` failed it; anything else stays raw.
pub(super) fn server_change(v: &Value) -> Result<Observation, ApiError> {
    let vm = parse_server(v).ok_or_else(|| ApiError::bad_response("the server", "no `id`"))?;
    let status = vm.status_raw.clone();
    let s = server_of(v);
    let pending = placing(s);
    let state = match status.to_ascii_uppercase().as_str() {
        "PROCESSING" | "BUILD" => TaskState::Running,
        "DELETED" => TaskState::Failed,
        "ACTIVE" | "STOPPED" | "SUSPENDED" if pending => TaskState::Running,
        "ACTIVE" | "STOPPED" | "SUSPENDED" => TaskState::Settled,
        _ => TaskState::Unknown(status.clone()),
    };
    Ok(Observation {
        state,
        progress: progress_of(&status, s),
        raw_status: status,
        vm: Some(vm),
        ..Observation::default()
    })
}

/// A new server: as a server change, except that `ACTIVE` ends the build only once the server
/// is ready as the sheet says ([`ready`]: progress 100, placed on a host, a public address);
/// until then it still runs.
pub(super) fn build(v: &Value) -> Result<Observation, ApiError> {
    let mut o = server_change(v)?;
    if o.raw_status.eq_ignore_ascii_case("ACTIVE") && !ready(server_of(v)) {
        o.state = TaskState::Running;
    }
    Ok(o)
}

/// A server being deleted: `DELETED` is its teardown under way, and any other known status
/// means it has not begun; it ends when the server is not found ([`gone`]), which is what the
/// sheet calls gone (ending at `DELETED` would leave the check of "gone" racing the teardown).
/// Anything else stays raw.
pub(super) fn deletion(v: &Value) -> Result<Observation, ApiError> {
    let vm = parse_server(v).ok_or_else(|| ApiError::bad_response("the server", "no `id`"))?;
    let status = vm.status_raw.clone();
    let state = match status.to_ascii_uppercase().as_str() {
        "DELETED" | "ACTIVE" | "STOPPED" | "SUSPENDED" | "PROCESSING" | "BUILD" => {
            TaskState::Running
        }
        _ => TaskState::Unknown(status.clone()),
    };
    Ok(Observation {
        state,
        raw_status: status,
        vm: Some(vm),
        ..Observation::default()
    })
}

/// A deleted server not found: the deletion ended.
pub(super) fn gone() -> Observation {
    Observation {
        state: TaskState::Succeeded,
        raw_status: "not found".into(),
        ..Observation::default()
    }
}
