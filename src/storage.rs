//! Browser storage. Connections (with their credentials) live in sessionStorage unless the user
//! asks to remember them on this device; nothing secret ever goes anywhere else.
//!
//! Activity is kept as the engine hands it out: one key per operation, workflow and bulk
//! (`vigil.v3.op.<id>`, `vigil.v3.wf.<id>`, `vigil.v3.bulk.<id>`), written when that one changed
//! and removed when the engine drops it — never the whole state at once.

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize};
use vigil_core::engine::Saved;
use vigil_core::saved::{self, Keeper, StorageNote, Store, StoreError};
use vigil_core::workflow::SavedState;
use vigil_core::ConnectionConfig;
use wasm_bindgen::JsCast;

const SETTINGS: &str = "vigil.settings.v1";

/// What the settings form saves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub connections: Vec<ConnectionConfig>,
    /// Show the demo provider's connections next to the configured ones.
    #[serde(default)]
    pub show_demo: bool,
    /// Kept in localStorage (this device) rather than sessionStorage (this tab).
    #[serde(default)]
    pub remember: bool,
    /// The sign-out these settings were made after ([`SignOut::epoch`]): a copy older than the
    /// latest sign-out is never read nor written back.
    #[serde(default)]
    pub epoch: u64,
}

pub fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// A sign-out, told to every tab of the browser through localStorage (its `storage` event).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOut {
    /// Counts the sign-outs on this device.
    pub epoch: u64,
    /// The activity was cleared too.
    pub activity: bool,
}

pub const SIGN_OUT: &str = "vigil.signout.v1";

/// The latest sign-out on this device.
pub fn last_sign_out() -> SignOut {
    local()
        .and_then(|s| s.get_item(SIGN_OUT).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// The saved settings; a tab's own copy wins over the device's. A copy made before the latest
/// sign-out is removed, not read.
pub fn load() -> Settings {
    let epoch = last_sign_out().epoch;
    let read = |s: Option<web_sys::Storage>| -> Option<Settings> {
        let s = s?;
        let text = s.get_item(SETTINGS).ok()??;
        match serde_json::from_str::<Settings>(&text) {
            Ok(kept) if kept.epoch >= epoch => Some(kept),
            _ => {
                let _ = s.remove_item(SETTINGS);
                None
            }
        }
    };
    read(session())
        .or_else(|| read(local()))
        .unwrap_or(Settings {
            epoch,
            ..Settings::default()
        })
}

/// Saves to sessionStorage, or to localStorage when `remember`; the other copy is removed so
/// that credentials never linger where the user did not ask for them. Settings made before a
/// sign-out in another tab are not written: that sign-out is returned, to apply here.
pub fn save(settings: &Settings) -> Result<(), SignOut> {
    let latest = last_sign_out();
    if latest.epoch > settings.epoch {
        clear();
        return Err(latest);
    }
    let text = serde_json::to_string(settings).unwrap_or_default();
    let (keep, clear) = if settings.remember {
        (local(), session())
    } else {
        (session(), local())
    };
    if let Some(s) = clear {
        let _ = s.remove_item(SETTINGS);
    }
    if let Some(s) = keep {
        let _ = s.set_item(SETTINGS, &text);
    }
    Ok(())
}

/// Forgets the settings, on this tab and this device.
fn clear() {
    for s in [session(), local()].into_iter().flatten() {
        let _ = s.remove_item(SETTINGS);
    }
}

/// Signs out in every tab: the settings (credentials) are forgotten here and on this device,
/// and the other tabs hear of it (and the activity kept on this device, with `activity`).
/// Returns the settings to go on with.
pub fn sign_out(activity: bool) -> Settings {
    let epoch = last_sign_out().epoch + 1;
    clear();
    if activity {
        clear_saved();
    }
    if let Some(s) = local() {
        let told = SignOut { epoch, activity };
        let _ = s.set_item(SIGN_OUT, &serde_json::to_string(&told).unwrap_or_default());
    }
    Settings {
        epoch,
        ..Settings::default()
    }
}

/// Another tab signed out (and removed the device's copy): this tab's copy goes too. Returns
/// the settings to go on with.
pub fn signed_out_elsewhere(told: SignOut) -> Settings {
    if let Some(s) = session() {
        let _ = s.remove_item(SETTINGS);
    }
    Settings {
        epoch: told.epoch,
        ..Settings::default()
    }
}

// ----- activity, one key per entry ----------------------------------------------------------

const LEARNING: &str = "vigil.learning.v1";

thread_local! {
    /// Bytes (keys and values, as UTF-8) written to localStorage for activity and learning since
    /// the page loaded.
    static WRITTEN: Cell<u64> = const { Cell::new(0) };
    /// What this tab's saves left unwritten (the device refused them), to write again.
    static KEEPER: RefCell<Keeper> = RefCell::new(Keeper::default());
}

/// What this page has written to localStorage for activity so far (tests measure it).
pub fn bytes_written() -> u64 {
    WRITTEN.with(Cell::get)
}

/// `localStorage` as vigil-core's [`Store`]: entry by entry, refusals told apart.
struct Local(web_sys::Storage);

impl Store for Local {
    fn keys(&self) -> Vec<String> {
        (0..self.0.length().unwrap_or(0))
            .filter_map(|i| self.0.key(i).ok().flatten())
            .collect()
    }

    fn get(&self, key: &str) -> Option<String> {
        self.0.get_item(key).ok().flatten()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        match self.0.set_item(key, value) {
            Ok(()) => {
                WRITTEN.with(|w| w.set(w.get() + (key.len() + value.len()) as u64));
                Ok(())
            }
            Err(e) => {
                let name = e
                    .dyn_ref::<web_sys::DomException>()
                    .map(|d| d.name())
                    .unwrap_or_default();
                Err(if name == "QuotaExceededError" {
                    StoreError::Full
                } else {
                    StoreError::Refused { detail: name }
                })
            }
        }
    }

    fn remove(&mut self, key: &str) {
        let _ = self.0.remove_item(key);
    }
}

/// Writes what changed (and what the device refused before) and removes what was dropped;
/// says when keeping starts or stops failing.
pub fn save_delta(saved: &Saved) -> Option<StorageNote> {
    let mut store = Local(local()?);
    KEEPER.with(|k| k.borrow_mut().save(&mut store, saved))
}

/// Every operation, workflow and bulk kept on this device (never credentials), read entry by
/// entry; what cannot be read is disposed of as vigil-core says, and told.
pub fn load_saved() -> (SavedState, Vec<StorageNote>) {
    let Some(s) = local() else {
        return (SavedState::default(), Vec::new());
    };
    let (loaded, notes) = Keeper::load(&mut Local(s));
    (loaded.state, notes)
}

/// Removes every kept entry (tests start from a clean page; "Sign out" with the activity).
pub fn clear_saved() {
    let Some(s) = local() else {
        return;
    };
    let mut store = Local(s);
    for k in store.keys() {
        if saved::is_entry_key(&k) || k == LEARNING || saved::OLD_KEYS.contains(&k.as_str()) {
            store.remove(&k);
        }
    }
}

/// What the polling policy learned about durations.
pub fn load_learning() -> Option<String> {
    local()?.get_item(LEARNING).ok().flatten()
}

pub fn save_learning(state: &str) {
    if let Some(s) = local() {
        let _ = Local(s).set(LEARNING, state);
    }
}

// ----- theme --------------------------------------------------------------------------------

const THEME: &str = "vigil.theme.v1";

/// The chosen theme: `light`, `dark`, or `None` to follow the system.
pub fn load_theme() -> Option<String> {
    local()?
        .get_item(THEME)
        .ok()
        .flatten()
        .filter(|t| t == "light" || t == "dark")
}

pub fn save_theme(theme: Option<&str>) {
    if let Some(s) = local() {
        let _ = match theme {
            Some(t) => s.set_item(THEME, t),
            None => s.remove_item(THEME),
        };
    }
}
