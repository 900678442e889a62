//! Browser storage. Connections (with their credentials) live in sessionStorage unless the user
//! asks to remember them on this device; nothing secret ever goes anywhere else.

use serde::{Deserialize, Serialize};
use vigil_core::ConnectionConfig;

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
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved settings; a tab's own copy wins over the device's.
pub fn load() -> Settings {
    let read = |s: Option<web_sys::Storage>| -> Option<Settings> {
        let text = s?.get_item(SETTINGS).ok()??;
        serde_json::from_str(&text).ok()
    };
    read(session())
        .or_else(|| read(local()))
        .unwrap_or_default()
}

/// Saves to sessionStorage, or to localStorage when `remember`; the other copy is removed so
/// that credentials never linger where the user did not ask for them.
pub fn save(settings: &Settings) {
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
}

/// Forgets everything saved, on this tab and this device.
pub fn clear() {
    for s in [session(), local()].into_iter().flatten() {
        let _ = s.remove_item(SETTINGS);
    }
}

const OPERATIONS: &str = "vigil.operations.v1";
const LEARNING: &str = "vigil.learning.v1";
/// The activity kept across reloads: the most recent operations.
const KEEP_OPERATIONS: usize = 200;

/// Operations (never credentials) from before a reload, on this device.
pub fn load_operations() -> Vec<vigil_core::Operation> {
    local()
        .and_then(|s| s.get_item(OPERATIONS).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

pub fn save_operations(ops: &[vigil_core::Operation]) {
    let keep = &ops[ops.len().saturating_sub(KEEP_OPERATIONS)..];
    if let (Some(s), Ok(text)) = (local(), serde_json::to_string(keep)) {
        let _ = s.set_item(OPERATIONS, &text);
    }
}

/// What the polling policy learned about durations.
pub fn load_learning() -> Option<String> {
    local()?.get_item(LEARNING).ok().flatten()
}

pub fn save_learning(state: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(LEARNING, state);
    }
}
