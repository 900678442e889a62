//! Browser storage. Connections (with their credentials) live in sessionStorage unless the user
//! asks to remember them on this device; nothing secret ever goes anywhere else.

use vigil_core::ConnectionConfig;

const CONNECTIONS: &str = "vigil.connections.v1";

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved connections and whether they were remembered on this device.
pub fn load_connections() -> (Vec<ConnectionConfig>, bool) {
    let read = |s: Option<web_sys::Storage>| -> Option<Vec<ConnectionConfig>> {
        let text = s?.get_item(CONNECTIONS).ok()??;
        serde_json::from_str(&text).ok()
    };
    if let Some(list) = read(session()) {
        return (list, false);
    }
    match read(local()) {
        Some(list) => (list, true),
        None => (Vec::new(), false),
    }
}

/// Saves to sessionStorage, or to localStorage when `remember`; the other copy is removed.
pub fn save_connections(list: &[ConnectionConfig], remember: bool) {
    let text = serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
    let (keep, clear) = if remember {
        (local(), session())
    } else {
        (session(), local())
    };
    if let Some(s) = clear {
        let _ = s.remove_item(CONNECTIONS);
    }
    if let Some(s) = keep {
        if list.is_empty() {
            let _ = s.remove_item(CONNECTIONS);
        } else {
            let _ = s.set_item(CONNECTIONS, &text);
        }
    }
}
