//! State that survives a reload: operations, workflows and bulks kept entry by entry, each
//! under a key of its own and with the schema version it was written in.
//!
//! - Keys: `vigil.v3.op.<id>`, `vigil.v3.wf.<id>`, `vigil.v3.bulk.<id>` ([`PREFIX`]: the
//!   layout, one entry per key, which later schemas keep).
//! - Text: `{"v": 3, "op": {…}}` — [`SCHEMA_VERSION`] and the value under its kind's name.
//!   A schema a previous version cannot read (a new variant, a renamed field) bumps the version.
//! - Reading ([`decode_entry`], [`decode_all`], [`load`]) goes entry by entry: one bad entry (a
//!   corrupted byte, a variant this version does not know) is dropped and reported as a typed
//!   [`DecodeError`] with its key, never the rest; a newer version's entry is reported and left
//!   alone; the single blob of earlier versions (`vigil.state.v2`) is reported as unreadable, to
//!   be kept aside.
//! - Writing ([`encode_entry`], [`write`]) caps every string at [`MAX_PROVIDER_TEXT`] bytes and
//!   never replaces an entry a newer version wrote.
//!
//! Which entries an engine writes and drops is decided by the engine: only those of its own
//! connections (see [`crate::engine::Saved`]), so tabs showing different connections never
//! overwrite or drop each other's.

mod cap;
mod check;
mod keeper;
mod store;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{cap_text, MAX_PROVIDER_TEXT};
use crate::ids::{BulkId, ConnId, OpId, WfId};
use crate::model::Operation;
use crate::workflow::{Bulk, SavedState, Workflow};

pub use crate::words::StorageNote;
pub use cap::cap_strings;
pub(crate) use cap::{cap_name, cap_operation};
pub use check::{plausible_bulk, plausible_op, plausible_workflow, LATEST};
pub use keeper::{backup_key, Keeper};
pub use store::{load, write, Loaded, MemoryStore, Store, StoreError, WriteError, WriteProblem};

/// The schema every entry this version writes carries; entries of a higher one are a newer
/// version's, left alone.
pub const SCHEMA_VERSION: u64 = 3;

/// The shortest passphrase remembered connections are sealed with.
pub const MIN_PASSPHRASE: usize = 8;

/// The passphrase a user chose to remember connections with, typed twice.
pub fn check_passphrase(pass: &str, again: &str) -> Result<(), crate::words::Refusal> {
    use crate::words::Refusal;
    if pass.chars().count() < MIN_PASSPHRASE {
        Err(Refusal::PassphraseTooShort {
            min: MIN_PASSPHRASE,
        })
    } else if pass != again {
        Err(Refusal::PassphrasesDiffer)
    } else {
        Ok(())
    }
}

/// Every saved entry's key starts so.
pub const PREFIX: &str = "vigil.v3.";

/// The single blobs earlier versions kept everything in: not readable entry by entry.
pub const OLD_KEYS: &[&str] = &["vigil.state.v2", "vigil.operations.v1"];

/// One saved entry. (Entries live one at a time, on their way to or from storage: their sizes
/// differing costs nothing worth a box.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Op(Operation),
    Workflow(Workflow),
    Bulk(Bulk),
}

/// The kinds of entry, as their keys and texts name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    Op,
    Workflow,
    Bulk,
}

impl EntryKind {
    const ALL: [EntryKind; 3] = [EntryKind::Op, EntryKind::Workflow, EntryKind::Bulk];

    /// Its name in keys and texts.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Op => "op",
            EntryKind::Workflow => "wf",
            EntryKind::Bulk => "bulk",
        }
    }

    fn key(self, id: &str) -> String {
        format!("{PREFIX}{}.{id}", self.name())
    }
}

/// The key an operation is kept under.
pub fn op_key(id: &OpId) -> String {
    EntryKind::Op.key(id.as_str())
}

/// The key a workflow is kept under.
pub fn workflow_key(id: &WfId) -> String {
    EntryKind::Workflow.key(id.as_str())
}

/// The key a bulk is kept under.
pub fn bulk_key(id: &BulkId) -> String {
    EntryKind::Bulk.key(id.as_str())
}

/// Whether `key` holds a saved entry (of this layout, any schema version).
pub fn is_entry_key(key: &str) -> bool {
    key.starts_with(PREFIX)
}

impl Entry {
    pub fn kind(&self) -> EntryKind {
        match self {
            Entry::Op(_) => EntryKind::Op,
            Entry::Workflow(_) => EntryKind::Workflow,
            Entry::Bulk(_) => EntryKind::Bulk,
        }
    }

    /// The key it is kept under.
    pub fn key(&self) -> String {
        match self {
            Entry::Op(op) => op_key(&op.id),
            Entry::Workflow(wf) => workflow_key(&wf.id),
            Entry::Bulk(b) => bulk_key(&b.id),
        }
    }

    /// The connections it belongs to (a bulk's: every one of its VMs').
    /// Every moment in it is one a clock can say (see [`LATEST`]).
    pub fn is_plausible(&self) -> bool {
        match self {
            Entry::Op(op) => plausible_op(op),
            Entry::Workflow(wf) => plausible_workflow(wf),
            Entry::Bulk(b) => plausible_bulk(b),
        }
    }

    pub fn connections(&self) -> Vec<&ConnId> {
        match self {
            Entry::Op(op) => vec![&op.connection],
            Entry::Workflow(wf) => vec![&wf.connection],
            Entry::Bulk(b) => b.items.iter().map(|i| &i.connection).collect(),
        }
    }

    fn to_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            Entry::Op(op) => serde_json::to_value(op),
            Entry::Workflow(wf) => serde_json::to_value(wf),
            Entry::Bulk(b) => serde_json::to_value(b),
        }
    }

    fn from_value(kind: EntryKind, v: Value) -> Result<Entry, serde_json::Error> {
        Ok(match kind {
            EntryKind::Op => Entry::Op(serde_json::from_value(v)?),
            EntryKind::Workflow => Entry::Workflow(serde_json::from_value(v)?),
            EntryKind::Bulk => Entry::Bulk(serde_json::from_value(v)?),
        })
    }
}

/// Why an entry could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecodeErrorKind {
    /// The key is not one of saved state's.
    NotAnEntry,
    /// An earlier version's single blob: this version cannot read it.
    OldBlob,
    /// Written by a newer version, whose schema this one does not know.
    Newer { version: u64 },
    /// Not JSON, not an entry of its kind, or a value this version does not know (a corrupted
    /// byte, a variant added without a new schema version). `detail` is the JSON reader's.
    Unreadable { detail: String },
    /// The entry's id is not the one its key names.
    KeyMismatch,
}

/// What the page should do with an entry it could not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Disposal {
    /// Remove it: nobody can read it.
    Remove,
    /// Leave it as it is: another version (or nothing of saved state) reads it.
    Leave,
    /// Keep it aside under a backup key, then remove it (an earlier version's blob).
    BackUp,
}

/// An entry that could not be read, with its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeError {
    pub key: String,
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    pub fn disposal(&self) -> Disposal {
        match self.kind {
            DecodeErrorKind::NotAnEntry | DecodeErrorKind::Newer { .. } => Disposal::Leave,
            DecodeErrorKind::OldBlob => Disposal::BackUp,
            DecodeErrorKind::Unreadable { .. } | DecodeErrorKind::KeyMismatch => Disposal::Remove,
        }
    }
}

/// The key and the text an entry is kept as; every string in it at most
/// [`MAX_PROVIDER_TEXT`] bytes.
pub fn encode_entry(entry: &Entry) -> (String, String) {
    let mut body = entry.to_value().unwrap_or(Value::Null);
    cap_strings(&mut body, MAX_PROVIDER_TEXT);
    let mut text = serde_json::Map::new();
    text.insert("v".into(), Value::from(SCHEMA_VERSION));
    text.insert(entry.kind().name().into(), body);
    (entry.key(), Value::Object(text).to_string())
}

/// Reads one entry; its strings are capped as [`encode_entry`] caps them.
pub fn decode_entry(key: &str, text: &str) -> Result<Entry, DecodeError> {
    let fail = |kind| DecodeError {
        key: key.to_string(),
        kind,
    };
    let unreadable = |detail: &dyn std::fmt::Display| {
        fail(DecodeErrorKind::Unreadable {
            detail: cap_text(&detail.to_string(), 200),
        })
    };
    if OLD_KEYS.contains(&key) {
        return Err(fail(DecodeErrorKind::OldBlob));
    }
    let Some(rest) = key.strip_prefix(PREFIX) else {
        return Err(fail(DecodeErrorKind::NotAnEntry));
    };
    let mut v: Value = serde_json::from_str(text).map_err(|e| unreadable(&e))?;
    let version = v.get("v").and_then(Value::as_u64);
    match version {
        Some(n) if n > SCHEMA_VERSION => {
            return Err(fail(DecodeErrorKind::Newer { version: n }));
        }
        Some(SCHEMA_VERSION) => {}
        _ => return Err(unreadable(&"no schema version this version reads")),
    }
    let Some(kind) = EntryKind::ALL
        .into_iter()
        .find(|k| rest.starts_with(&format!("{}.", k.name())))
    else {
        return Err(unreadable(&"no kind of entry in the key"));
    };
    let body = v
        .get_mut(kind.name())
        .map(Value::take)
        .ok_or_else(|| unreadable(&"no entry under its kind"))?;
    let mut body = body;
    cap_strings(&mut body, MAX_PROVIDER_TEXT);
    let entry = Entry::from_value(kind, body).map_err(|e| unreadable(&e))?;
    if !entry.is_plausible() {
        return Err(unreadable(&"a moment no clock can say"));
    }
    if entry.key() != key {
        return Err(fail(DecodeErrorKind::KeyMismatch));
    }
    Ok(entry)
}

/// Reads every entry of `entries` (key, text), each on its own: what reads goes into the state
/// (ordered as the engine keeps it), what does not is reported. Keys that are not saved state's
/// are passed over without a word.
pub fn decode_all<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Loaded {
    let mut out = Loaded::default();
    for (key, text) in entries {
        if !is_entry_key(key) && !OLD_KEYS.contains(&key) {
            continue;
        }
        match decode_entry(key, text) {
            Ok(Entry::Op(op)) => out.state.operations.push(op),
            Ok(Entry::Workflow(wf)) => out.state.workflows.push(wf),
            Ok(Entry::Bulk(b)) => out.state.bulks.push(b),
            Err(e) => out.errors.push(e),
        }
    }
    order(&mut out.state);
    out
}

/// As the engine keeps them: oldest first, ties by id.
fn order(state: &mut SavedState) {
    state
        .operations
        .sort_by(|a, b| (a.submitted_at, &a.id).cmp(&(b.submitted_at, &b.id)));
    state
        .workflows
        .sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    state
        .bulks
        .sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
}
