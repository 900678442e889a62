//! Reading and writing saved entries in a key-value store (the page's `localStorage`), entry by
//! entry: a save writes what changed and removes what was dropped, never the whole state, and
//! leaves alone what a newer version wrote.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::Saved;
use crate::saved::{
    bulk_key, decode_all, encode_entry, is_entry_key, op_key, workflow_key, DecodeError, Entry,
    OLD_KEYS, SCHEMA_VERSION,
};
use crate::workflow::SavedState;

/// Why the store refused to keep a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreError {
    /// It is full (`QuotaExceededError`).
    Full,
    /// Anything else (storage disabled, a security error), in the store's words.
    Refused { detail: String },
}

/// A key-value store of strings: the page's `localStorage`, or [`MemoryStore`].
pub trait Store {
    /// Every key it holds.
    fn keys(&self) -> Vec<String>;
    fn get(&self, key: &str) -> Option<String>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&mut self, key: &str);
}

/// A store in memory (tests; a page without storage). `capacity`: the most bytes of keys and
/// values it holds before it is full.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStore {
    pub entries: BTreeMap<String, String>,
    pub capacity: Option<usize>,
}

impl MemoryStore {
    fn used(&self) -> usize {
        self.entries.iter().map(|(k, v)| k.len() + v.len()).sum()
    }
}

impl Store for MemoryStore {
    fn keys(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    fn get(&self, key: &str) -> Option<String> {
        self.entries.get(key).cloned()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        let old = self.entries.get(key).map_or(0, |v| key.len() + v.len());
        let after = self.used() - old + key.len() + value.len();
        if self.capacity.is_some_and(|cap| after > cap) {
            return Err(StoreError::Full);
        }
        self.entries.insert(key.to_string(), value.to_string());
        Ok(())
    }

    fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

/// What a store holds, read entry by entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    /// Everything that could be read, for [`crate::Command::Import`].
    pub state: SavedState,
    /// Every entry that could not, with its key: see [`DecodeError::disposal`].
    pub errors: Vec<DecodeError>,
}

/// Reads every saved entry of `store` (and reports an earlier version's blob). Changes nothing:
/// the page disposes of the errors as each says.
pub fn load(store: &dyn Store) -> Loaded {
    let entries: Vec<(String, String)> = store
        .keys()
        .into_iter()
        .filter(|k| is_entry_key(k) || OLD_KEYS.contains(&k.as_str()))
        .filter_map(|k| store.get(&k).map(|v| (k, v)))
        .collect();
    decode_all(entries.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// What went wrong with one key of a save.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WriteProblem {
    /// The store refused the entry: it is not kept (the page tells the user).
    Refused(StoreError),
    /// A newer version keeps this entry: it was left as that version wrote it.
    NewerKept { version: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteError {
    pub key: String,
    pub problem: WriteProblem,
}

/// The schema version of what `store` holds under `key`, when it is newer than this one's.
fn newer_there(store: &dyn Store, key: &str) -> Option<u64> {
    let text = store.get(key)?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("v")
        .and_then(Value::as_u64)
        .filter(|&n| n > SCHEMA_VERSION)
}

/// Carries out one save ([`crate::Event::Save`]): writes its entries and removes the dropped
/// ones, each key on its own, reading first so that nothing a newer version wrote is replaced or
/// removed. Returns what could not be done; the rest is done.
pub fn write(store: &mut dyn Store, saved: &Saved) -> Vec<WriteError> {
    let mut problems = Vec::new();
    let entries = (saved.ops.iter().cloned().map(Entry::Op))
        .chain(saved.workflows.iter().cloned().map(Entry::Workflow))
        .chain(saved.bulks.iter().cloned().map(Entry::Bulk));
    for entry in entries {
        let (key, text) = encode_entry(&entry);
        if let Some(version) = newer_there(store, &key) {
            problems.push(WriteError {
                key,
                problem: WriteProblem::NewerKept { version },
            });
            continue;
        }
        if let Err(e) = store.set(&key, &text) {
            problems.push(WriteError {
                key,
                problem: WriteProblem::Refused(e),
            });
        }
    }
    let dropped = (saved.dropped_ops.iter().map(op_key))
        .chain(saved.dropped_workflows.iter().map(workflow_key))
        .chain(saved.dropped_bulks.iter().map(bulk_key));
    for key in dropped {
        match newer_there(store, &key) {
            Some(version) => problems.push(WriteError {
                key,
                problem: WriteProblem::NewerKept { version },
            }),
            None => store.remove(&key),
        }
    }
    problems
}
