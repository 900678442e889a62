//! The address bar: vigil-core's hash routes ([`vigil_core::route`]) read from and written to
//! `location.hash`, so any page of the console can be linked and opened from a static host.

use leptos::prelude::*;
pub use vigil_core::route::{Route, VmTab};

fn current() -> Route {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| vigil_core::route::parse(&h))
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
