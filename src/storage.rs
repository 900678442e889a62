//! Browser storage. Connections (with their credentials) live in sessionStorage unless the user
//! asks to remember them on this device; nothing secret ever goes anywhere else.

use serde::{Deserialize, Serialize};
use vigil_core::workflow::SavedState;
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

pub(crate) fn session() -> Option<web_sys::Storage> {
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

const OPERATIONS_V1: &str = "vigil.operations.v1";
const STATE: &str = "vigil.state.v2";
const LEARNING: &str = "vigil.learning.v1";
/// The activity kept across reloads: the most recent operations, workflows and bulk actions
/// (open ones, and what they refer to, are always kept).
const KEEP_OPERATIONS: usize = 200;
const KEEP_WORKFLOWS: usize = 50;
const KEEP_BULKS: usize = 20;

/// Operations, workflows and bulk actions (never credentials) from before a reload, on this
/// device. Operations saved by an earlier version are read too.
pub fn load_state() -> SavedState {
    let Some(s) = local() else {
        return SavedState::default();
    };
    if let Some(state) = s
        .get_item(STATE)
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
    {
        return state;
    }
    SavedState {
        operations: s
            .get_item(OPERATIONS_V1)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default(),
        ..SavedState::default()
    }
}

pub fn save_state(state: &SavedState) {
    if let (Some(s), Ok(text)) = (
        local(),
        serde_json::to_string(&state.trimmed(KEEP_OPERATIONS, KEEP_WORKFLOWS, KEEP_BULKS)),
    ) {
        let _ = s.set_item(STATE, &text);
        let _ = s.remove_item(OPERATIONS_V1);
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
