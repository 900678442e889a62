//! Hash routes, so any page of the console can be linked and opened directly from a static
//! host: `#/` is the VM list, `#/vms/<connection>/<vm>` one VM's page.

use leptos::prelude::*;
use vigil_core::{ConnId, VmId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    List,
    Vm { conn: ConnId, vm: VmId },
}

impl Route {
    /// Reads a `location.hash` (with or without the leading `#`); anything unknown is the list.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["vms", conn, vm] if !conn.is_empty() && !vm.is_empty() => Route::Vm {
                conn: ConnId::new(decode(conn)),
                vm: VmId::new(decode(vm)),
            },
            _ => Route::List,
        }
    }

    /// The `href` for this route.
    pub fn href(&self) -> String {
        match self {
            Route::List => "#/".into(),
            Route::Vm { conn, vm } => {
                format!("#/vms/{}/{}", encode(conn.as_str()), encode(vm.as_str()))
            }
        }
    }
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s)
        .map(String::from)
        .unwrap_or_else(|_| s.to_string())
}

fn current() -> Route {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| Route::parse(&h))
        .unwrap_or(Route::List)
}

/// The current route, following the address bar (back/forward, typed links).
pub fn use_route() -> RwSignal<Route> {
    let route = RwSignal::new(current());
    let _ = leptos_use::use_event_listener(
        leptos_use::use_window(),
        leptos::ev::hashchange,
        move |_| route.set(current()),
    );
    route
}

/// Goes to `route` (a new history entry, like following a link).
pub fn go(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&route.href());
    }
}
