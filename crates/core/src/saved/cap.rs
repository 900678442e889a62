//! Provider texts kept at most [`MAX_PROVIDER_TEXT`] bytes: in the operations the engine keeps
//! (the VM's name in the target, the provider's status and words, what the VM showed instead),
//! and every string of a saved entry.

use serde_json::Value;

use crate::error::{cap_text, ApiError, MAX_PROVIDER_TEXT};
use crate::model::{Mismatch, Operation, Target};
use crate::words::Note;

fn cap(s: &mut String) {
    if s.len() > MAX_PROVIDER_TEXT {
        *s = cap_text(s, MAX_PROVIDER_TEXT);
    }
}

fn cap_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        cap(s);
    }
}

/// A VM's name as it is kept (a workflow's, a bulk's VM): at most [`MAX_PROVIDER_TEXT`] bytes.
pub(crate) fn cap_name(name: &str) -> String {
    cap_text(name, MAX_PROVIDER_TEXT)
}

/// Every provider text an operation keeps, capped.
pub(crate) fn cap_operation(op: &mut Operation) {
    match &mut op.target {
        Target::Vm { name, .. } => cap(name),
        Target::Point {
            vm_name, id, name, ..
        } => {
            cap(vm_name);
            cap(name);
            cap_opt(id);
        }
        Target::Res {
            id, name, before, ..
        } => {
            cap(name);
            cap_opt(id);
            before.iter_mut().for_each(cap);
        }
    }
    cap_opt(&mut op.provider_status);
    if let Some(note) = &mut op.note {
        cap_note(note);
    }
    if let Some(e) = &mut op.last_error {
        cap_error(e);
    }
}

fn cap_error(e: &mut ApiError) {
    cap_opt(&mut e.detail);
    cap_opt(&mut e.provider_text);
}

fn cap_mismatch(m: &mut Mismatch) {
    match m {
        Mismatch::Power { status }
        | Mismatch::StillThere { status }
        | Mismatch::PointNotReady { status, .. }
        | Mismatch::ResNotReady { status, .. } => cap(status),
        Mismatch::NotAttached { network }
        | Mismatch::NoInternalIp { network }
        | Mismatch::StillAttached { network } => cap(network),
        Mismatch::Vpc { current } | Mismatch::Hostname { current } => cap_opt(current),
        Mismatch::AddressStillThere { address } | Mismatch::AddressNotShown { address } => {
            cap(address)
        }
        Mismatch::Ptr { address, current } => {
            cap(address);
            cap_opt(current);
        }
        Mismatch::NoNewAddress { .. }
        | Mismatch::FirewallDiffers { .. }
        | Mismatch::NoConsoleUrl => {}
        Mismatch::ForwardDiffers { .. }
        | Mismatch::VolumeSize { .. }
        | Mismatch::VolumeAttachment { .. }
        | Mismatch::ResUnread
        | Mismatch::ResNotListed
        | Mismatch::NoCidr
        | Mismatch::NoIpAddress => {}
        Mismatch::Name { current } => cap(current),
        Mismatch::Image { current } => cap_opt(current),
        Mismatch::Size { current } => cap_opt(&mut current.flavor),
        Mismatch::Locked
        | Mismatch::SnapshotNotListed
        | Mismatch::NoAddress
        | Mismatch::NoPublicAddress
        | Mismatch::NotListed
        | Mismatch::PointNotListed
        | Mismatch::PointsUnread
        | Mismatch::Backups { .. } => {}
    }
}

fn cap_note(n: &mut Note) {
    match n {
        Note::Provider(t) => cap(t),
        Note::Waiting(m)
        | Note::Disagrees(m)
        | Note::BackWhereItStarted(m)
        | Note::Unverified { why: m, .. }
        | Note::Settling { why: Some(m), .. } => cap_mismatch(m),
        Note::Reported { status, text, .. } => {
            cap(status);
            cap_opt(text);
        }
        Note::Superseded { by } => cap(by),
        Note::TimedOut { last, .. } => cap_opt(last),
        Note::MaybeSent { detail } => cap(detail),
        Note::NotFoundByName { name } => cap(name),
        Note::ServerErrorOnSubmit(e)
        | Note::AcceptedUnreadable(e)
        | Note::Refused(e)
        | Note::CancelRefused(e) => cap_error(e),
        Note::ActionNotListedYet
        | Note::TaskExpired
        | Note::Settling { why: None, .. }
        | Note::NoEvidence { .. }
        | Note::NotTaken
        | Note::SubmitTimedOut { .. }
        | Note::ConnectionRemoved
        | Note::ConnectionMissing
        | Note::ClosedBeforeAnswer
        | Note::ForcedOffByStop { .. } => {}
    }
}

/// Every string in `v` (object keys aside) cut to at most `max` bytes, with `…` where cut.
/// Cutting again changes nothing.
pub fn cap_strings(v: &mut Value, max: usize) {
    match v {
        Value::String(s) if s.len() > max => *s = cap_text(s, max),
        Value::Array(items) => items.iter_mut().for_each(|x| cap_strings(x, max)),
        Value::Object(m) => m.values_mut().for_each(|x| cap_strings(x, max)),
        _ => {}
    }
}
