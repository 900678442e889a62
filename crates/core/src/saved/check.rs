//! Whether a kept value can be true: every moment in it is one a clock can say (from 1970 to the
//! end of year 9999). Anything else comes from corruption, and arithmetic on it could overflow:
//! such an entry is refused whole where it comes in (storage, another tab).

use crate::model::{Operation, ProviderRef};
use crate::time::Millis;
use crate::workflow::{Bulk, Workflow};

/// 9999-12-31T23:59:59.999Z: the latest moment a kept value may name.
pub const LATEST: Millis = 253_402_300_799_999;

fn at(t: Millis) -> bool {
    (0..=LATEST).contains(&t)
}

fn maybe(t: Option<Millis>) -> bool {
    t.is_none_or(at)
}

/// Every moment of the operation is one a clock can say.
pub fn plausible_op(op: &Operation) -> bool {
    let accepted = match &op.provider_ref {
        Some(ProviderRef::ZennoCommand { accepted_at, .. }) => at(*accepted_at),
        _ => true,
    };
    accepted
        && at(op.submitted_at)
        && maybe(op.accepted_at)
        && maybe(op.finished_at)
        && maybe(op.attempt_since)
        && maybe(op.task_ended_at)
}

/// Every moment of the workflow is one a clock can say.
pub fn plausible_workflow(wf: &Workflow) -> bool {
    at(wf.started_at)
        && maybe(wf.finished_at)
        && wf.countdown.is_none_or(|(from, to)| at(from) && at(to))
}

/// Every moment of the bulk is one a clock can say.
pub fn plausible_bulk(b: &Bulk) -> bool {
    at(b.started_at) && maybe(b.finished_at)
}
