//! Browser storage. Connections (with their credentials) live in this tab's sessionStorage; when
//! the user asks to remember them on this device, localStorage keeps them sealed with a
//! passphrase ([`crate::sealed`]) — never in plain text. Nothing secret goes anywhere else.
//!
//! Activity is kept as the engine hands it out: one key per operation, workflow and bulk
//! (`vigil.v3.op.<id>`, `vigil.v3.wf.<id>`, `vigil.v3.bulk.<id>`), written when that one changed
//! and removed when the engine drops it — never the whole state at once.

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize};
use vigil_core::engine::Saved;
use vigil_core::saved::{self, Keeper, StorageNote, Store, StoreError};
use vigil_core::workflow::SavedState;
use vigil_core::{ConnectionConfig, Refusal};
use wasm_bindgen::JsCast;

use crate::sealed::{Sealed, Unseal};

const SETTINGS: &str = "vigil.settings.v1";

/// What the settings form saves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub connections: Vec<ConnectionConfig>,
    /// Show the demo provider's connections next to the configured ones.
    #[serde(default)]
    pub show_demo: bool,
    /// Also kept on this device (localStorage), sealed with the passphrase.
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

/// Settings remembered on this device, sealed ([`crate::sealed`]), with the sign-out they were
/// made after.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Remembered {
    epoch: u64,
    sealed: Sealed,
}

const REMEMBERED: &str = "vigil.settings.sealed.v1";

thread_local! {
    /// The passphrase remembered settings are sealed with, once typed in this tab.
    static PASSPHRASE: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn remembered() -> Option<Remembered> {
    let text = local()?.get_item(REMEMBERED).ok()??;
    serde_json::from_str::<Remembered>(&text)
        .ok()
        .filter(|r| r.epoch >= last_sign_out().epoch)
}

/// The tab's settings. Credentials are never kept in plain text on the device: a plain copy an
/// earlier version left in localStorage is moved into this tab. A copy made before the latest
/// sign-out is removed, not read.
pub fn load() -> Settings {
    let epoch = last_sign_out().epoch;
    let read = |s: &web_sys::Storage| -> Option<Settings> {
        let text = s.get_item(SETTINGS).ok()??;
        let _ = s.remove_item(SETTINGS);
        serde_json::from_str::<Settings>(&text)
            .ok()
            .filter(|kept| kept.epoch >= epoch)
    };
    let own = session().and_then(|s| {
        let kept = read(&s)?;
        let _ = s.set_item(SETTINGS, &serde_json::to_string(&kept).ok()?);
        Some(kept)
    });
    let moved = || {
        let kept = read(&local()?)?;
        let kept = Settings {
            remember: false,
            ..kept
        };
        let _ = save(&kept);
        Some(kept)
    };
    own.or_else(moved).unwrap_or(Settings {
        epoch,
        ..Settings::default()
    })
}

/// Remembered connections this tab has not unlocked yet (and no connections of its own).
pub fn locked(settings: &Settings) -> bool {
    settings.connections.is_empty() && !has_passphrase() && remembered().is_some()
}

/// Opens the remembered settings with `pass`; they become this tab's.
pub async fn unlock(pass: String) -> Result<Settings, Refusal> {
    let kept = remembered().ok_or(Refusal::WrongPassphrase)?;
    let text = crate::sealed::open(&pass, &kept.sealed)
        .await
        .map_err(|e| match e {
            Unseal::Wrong => Refusal::WrongPassphrase,
            Unseal::Unavailable => Refusal::CannotEncrypt,
        })?;
    let settings: Settings = serde_json::from_str(&text).map_err(|_| Refusal::WrongPassphrase)?;
    PASSPHRASE.with(|p| *p.borrow_mut() = Some(pass));
    let settings = Settings {
        epoch: settings.epoch.max(kept.epoch),
        remember: true,
        ..settings
    };
    let _ = save(&settings);
    Ok(settings)
}

/// The passphrase to remember connections with from now on (checked by the form).
pub fn set_passphrase(pass: String) {
    PASSPHRASE.with(|p| *p.borrow_mut() = Some(pass));
}

/// Whether this tab can seal settings (the user typed the passphrase).
pub fn has_passphrase() -> bool {
    PASSPHRASE.with(|p| p.borrow().is_some())
}

/// Forgets the connections remembered on this device (not this tab's).
pub fn forget_remembered() {
    if let Some(s) = local() {
        let _ = s.remove_item(REMEMBERED);
    }
}

/// Saves the tab's copy (sessionStorage), and — when `remember` — seals them on this device
/// with the passphrase, in the background; else removes what the device remembered. Settings
/// made before a sign-out in another tab are not written: that sign-out is returned, to apply
/// here.
pub fn save(settings: &Settings) -> Result<(), SignOut> {
    let latest = last_sign_out();
    if latest.epoch > settings.epoch {
        clear();
        return Err(latest);
    }
    if let (Some(s), Ok(text)) = (session(), serde_json::to_string(settings)) {
        let _ = s.set_item(SETTINGS, &text);
    }
    let pass = PASSPHRASE.with(|p| p.borrow().clone());
    match (settings.remember, pass) {
        (true, Some(pass)) => {
            let (text, epoch) = (
                serde_json::to_string(settings).unwrap_or_default(),
                settings.epoch,
            );
            wasm_bindgen_futures::spawn_local(async move {
                let Ok(sealed) = crate::sealed::seal(&pass, &text).await else {
                    return;
                };
                // A sign-out while sealing wins.
                if last_sign_out().epoch > epoch {
                    return;
                }
                let kept = Remembered { epoch, sealed };
                if let (Some(s), Ok(text)) = (local(), serde_json::to_string(&kept)) {
                    let _ = s.set_item(REMEMBERED, &text);
                }
            });
        }
        (true, None) => {}
        (false, _) => forget_remembered(),
    }
    Ok(())
}

/// Forgets the settings, on this tab and this device, and the passphrase.
fn clear() {
    for s in [session(), local()].into_iter().flatten() {
        let _ = s.remove_item(SETTINGS);
    }
    forget_remembered();
    PASSPHRASE.with(|p| *p.borrow_mut() = None);
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
    PASSPHRASE.with(|p| *p.borrow_mut() = None);
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
