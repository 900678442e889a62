//! Vigil, the Leptos app: components render signals and send intents; [`console::Console`]
//! carries vigil-core's requests and sleeps until its next wake-up.

pub mod activity;
pub mod app;
pub mod console;
pub mod dialogs;
pub mod route;
pub mod settings;
pub mod storage;
pub mod tabs;
pub mod transport;
pub mod ui;
pub mod vm_page;
pub mod vms;

pub use app::{App, AppConfig, DemoConfig};

/// Mounts the console on the page's body (the binary's entry point).
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| {
        leptos::view! { <App config=AppConfig::default()/> }
    });
}

/// Epoch milliseconds, the only clock read in the app; vigil-core gets it as an argument.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
