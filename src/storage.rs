//! Browser storage. Connections (with their credentials) live in sessionStorage unless the user
//! asks to remember them on this device; nothing secret ever goes anywhere else.
//!
//! Activity is kept as the engine hands it out: one key per operation, workflow and bulk
//! (`vigil.v3.op.<id>`, `vigil.v3.wf.<id>`, `vigil.v3.bulk.<id>`), written when that one changed
//! and removed when the engine drops it — never the whole state at once.

use std::cell::Cell;

use serde::{Deserialize, Serialize};
use vigil_core::engine::Saved;
use vigil_core::workflow::{Bulk, SavedState, Workflow};
use vigil_core::{ConnectionConfig, Operation};

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

pub fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn local() -> Option<web_sys::Storage> {
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

// ----- activity, one key per entry ----------------------------------------------------------

const OP: &str = "vigil.v3.op.";
const WF: &str = "vigil.v3.wf.";
const BULK: &str = "vigil.v3.bulk.";
/// Kept by earlier versions as one value; their model cannot be read any more.
const LEGACY: [&str; 2] = ["vigil.state.v2", "vigil.operations.v1"];
const LEARNING: &str = "vigil.learning.v1";

thread_local! {
    /// Bytes (keys and values, as UTF-8) written to localStorage for activity and learning since
    /// the page loaded.
    static WRITTEN: Cell<u64> = const { Cell::new(0) };
}

/// What this page has written to localStorage for activity so far (tests measure it).
pub fn bytes_written() -> u64 {
    WRITTEN.with(Cell::get)
}

fn put(s: &web_sys::Storage, key: &str, value: &str) {
    if s.set_item(key, value).is_ok() {
        WRITTEN.with(|w| w.set(w.get() + (key.len() + value.len()) as u64));
    }
}

/// Writes what changed and removes what was dropped.
pub fn save_delta(saved: &Saved) {
    let Some(s) = local() else {
        return;
    };
    let write = |prefix: &str, id: &str, text: serde_json::Result<String>| {
        if let Ok(text) = text {
            put(&s, &format!("{prefix}{id}"), &text);
        }
    };
    for op in &saved.ops {
        write(OP, op.id.as_str(), serde_json::to_string(op));
    }
    for wf in &saved.workflows {
        write(WF, wf.id.as_str(), serde_json::to_string(wf));
    }
    for b in &saved.bulks {
        write(BULK, b.id.as_str(), serde_json::to_string(b));
    }
    let dropped = (saved.dropped_ops.iter().map(|id| (OP, id.as_str())))
        .chain(saved.dropped_workflows.iter().map(|id| (WF, id.as_str())))
        .chain(saved.dropped_bulks.iter().map(|id| (BULK, id.as_str())));
    for (prefix, id) in dropped {
        let _ = s.remove_item(&format!("{prefix}{id}"));
    }
}

/// Every operation, workflow and bulk kept on this device (never credentials). An entry that
/// cannot be read (another version's) is removed.
pub fn load_saved() -> SavedState {
    let mut state = SavedState::default();
    let Some(s) = local() else {
        return state;
    };
    for key in LEGACY {
        let _ = s.remove_item(key);
    }
    let keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with("vigil.v3."))
        .collect();
    for key in keys {
        let Some(text) = s.get_item(&key).ok().flatten() else {
            continue;
        };
        let read = if key.starts_with(OP) {
            serde_json::from_str::<Operation>(&text).map(|o| state.operations.push(o))
        } else if key.starts_with(WF) {
            serde_json::from_str::<Workflow>(&text).map(|w| state.workflows.push(w))
        } else if key.starts_with(BULK) {
            serde_json::from_str::<Bulk>(&text).map(|b| state.bulks.push(b))
        } else {
            continue;
        };
        if read.is_err() {
            let _ = s.remove_item(&key);
        }
    }
    state.operations.sort_by_key(|o| o.submitted_at);
    state.workflows.sort_by_key(|w| w.started_at);
    state.bulks.sort_by_key(|b| b.started_at);
    state
}

/// Removes every kept entry (tests start from a clean page).
pub fn clear_saved() {
    let Some(s) = local() else {
        return;
    };
    let keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with("vigil.v3.") || k == LEARNING || LEGACY.contains(&k.as_str()))
        .collect();
    for k in keys {
        let _ = s.remove_item(&k);
    }
}

/// What the polling policy learned about durations.
pub fn load_learning() -> Option<String> {
    local()?.get_item(LEARNING).ok().flatten()
}

pub fn save_learning(state: &str) {
    if let Some(s) = local() {
        put(&s, LEARNING, state);
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
