//! The page's side of keeping state: every save carried into the store, what the store refused
//! written again with the next save (never lost while the tab is open), what could not be read
//! disposed of as each error says — an earlier version's blob kept under a backup key — and the
//! user told once when keeping starts or stops failing.

use std::collections::BTreeMap;

use crate::engine::Saved;
use crate::saved::{load, write, DecodeError, Disposal, Entry, Loaded, Store, StoreError};
use crate::saved::{StorageNote, WriteProblem};

/// Where a blob that cannot be read is kept aside: never read back by this version, there for
/// the user (or an earlier version) to recover.
pub fn backup_key(key: &str) -> String {
    format!("vigil.backup.{key}")
}

/// Carries saves into a store; see the module's documentation.
#[derive(Debug, Default)]
pub struct Keeper {
    /// Entries the store refused, by key, to write again.
    pending: BTreeMap<String, Entry>,
    /// The store refused the last save (the user has been told).
    failing: bool,
}

impl Keeper {
    /// Reads what `store` holds and disposes of what cannot be read: removed (nobody can read
    /// it), left (a newer version's), or backed up and then removed (an earlier version's
    /// blob; left where it is if the backup cannot be written). Returns the state to import and
    /// what to tell the user.
    pub fn load(store: &mut dyn Store) -> (Loaded, Vec<StorageNote>) {
        let loaded = load(store);
        let mut dropped = 0;
        let mut backed_up = 0;
        let mut newer = 0;
        for e in &loaded.errors {
            match e.disposal() {
                Disposal::Remove => {
                    store.remove(&e.key);
                    dropped += 1;
                }
                Disposal::Leave => newer += usize::from(!is_foreign(e)),
                Disposal::BackUp => {
                    if let Some(text) = store.get(&e.key) {
                        if store.set(&backup_key(&e.key), &text).is_ok() {
                            store.remove(&e.key);
                            backed_up += 1;
                        }
                    }
                }
            }
        }
        let mut notes = Vec::new();
        if dropped > 0 {
            notes.push(StorageNote::Unreadable { entries: dropped });
        }
        if backed_up > 0 {
            notes.push(StorageNote::BackedUp {
                key: backup_key(crate::saved::OLD_KEYS[0]),
                blobs: backed_up,
            });
        }
        if newer > 0 {
            notes.push(StorageNote::Newer { entries: newer });
        }
        (loaded, notes)
    }

    /// Carries out one save (with what the store refused before); tells the user when keeping
    /// starts failing and when it works again — not on every save.
    pub fn save(&mut self, store: &mut dyn Store, saved: &Saved) -> Option<StorageNote> {
        let all = self.with_pending(saved);
        let mut refused = BTreeMap::new();
        let mut full = false;
        let problems = write(store, &all);
        for p in problems {
            if let WriteProblem::Refused(why) = p.problem {
                full |= why == StoreError::Full;
                refused.insert(p.key, ());
            }
        }
        self.pending = entries(&all)
            .filter(|e| refused.contains_key(&e.key()))
            .map(|e| (e.key(), e))
            .collect();
        let failing = !self.pending.is_empty();
        let note = match (self.failing, failing) {
            (false, true) => Some(StorageNote::NotKept {
                entries: self.pending.len(),
                full,
            }),
            (true, false) => Some(StorageNote::KeptAgain),
            _ => None,
        };
        self.failing = failing;
        note
    }

    /// Entries refused and not written since.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// `saved` with the entries refused before that it neither replaces nor drops.
    fn with_pending(&self, saved: &Saved) -> Saved {
        let mut all = saved.clone();
        let newer: Vec<String> = entries(saved).map(|e| e.key()).collect();
        let dropped: Vec<String> = (saved.dropped_ops.iter().map(crate::saved::op_key))
            .chain(
                saved
                    .dropped_workflows
                    .iter()
                    .map(crate::saved::workflow_key),
            )
            .chain(saved.dropped_bulks.iter().map(crate::saved::bulk_key))
            .collect();
        for (key, entry) in &self.pending {
            if newer.contains(key) || dropped.contains(key) {
                continue;
            }
            match entry.clone() {
                Entry::Op(o) => all.ops.push(o),
                Entry::Workflow(w) => all.workflows.push(w),
                Entry::Bulk(b) => all.bulks.push(b),
            }
        }
        all
    }
}

fn entries(saved: &Saved) -> impl Iterator<Item = Entry> + '_ {
    (saved.ops.iter().cloned().map(Entry::Op))
        .chain(saved.workflows.iter().cloned().map(Entry::Workflow))
        .chain(saved.bulks.iter().cloned().map(Entry::Bulk))
}

/// A key that is not saved state's at all (nothing to tell).
fn is_foreign(e: &DecodeError) -> bool {
    e.kind == crate::saved::DecodeErrorKind::NotAnEntry
}
