//! Vigil, the Leptos app. Layers, bottom up (each imports only those below it):
//!
//! - [`config`], [`storage`], [`route`]: setup, browser storage, hash routes;
//! - [`transport`]: carries requests (gloo-net, or the in-page simulator);
//! - [`marks`], [`notices`]: fine-grained change marks, notices;
//! - [`driver`]: the only code that touches vigil-core's engine;
//! - [`tabs`]: one polling tab per group, sharing over a BroadcastChannel;
//! - [`console`]: the handle components hold; [`ui`]: page state;
//! - components: [`row`], [`bulk`], [`vms`], [`activity`], [`forms`], [`create`],
//!   [`dialogs`], [`guarded`] ("snapshot first" and its rollback), [`rebuild`], [`vm_page`],
//!   [`vm_tabs`] (with [`points`]), [`volumes`] (with [`volumes_table`], [`volumes_create`]), [`settings`], [`signout`], with [`menu`],
//!   [`copy`] and [`intl`] (numbers and times as the browser says them); then [`app`];
//! - [`stopped`]: what the page shows when it cannot go on.

pub mod activity;
pub mod app;
pub mod boot;
pub mod bulk;
pub mod config;
pub mod console;
pub mod copy;
pub mod create;
pub mod demo;
pub mod dialogs;
pub mod driver;
pub mod forms;
pub mod guarded;
pub mod intl;
pub mod marks;
pub mod menu;
pub mod networks;
pub mod networks_ips;
pub mod networks_vm;
pub mod notices;
pub mod points;
pub mod provider_feed;
pub mod rebuild;
pub mod route;
pub mod row;
pub mod sealed;
pub mod settings;
pub mod signout;
pub mod stopped;
pub mod storage;
pub mod tabs;
pub mod transport;
pub mod ui;
pub mod vm_network;
pub mod vm_network_addresses;
pub mod vm_network_console;
pub mod vm_network_firewall;
pub mod vm_page;
pub mod vm_tabs;
pub mod vms;
pub mod volumes;
pub mod volumes_create;
pub mod volumes_table;

pub use app::App;
pub use config::{AppConfig, DemoConfig};

/// Mounts the console on the page's body (the binary's entry point).
pub fn start() {
    stopped::watch();
    // The site's config.json first (index.html preloads it), so that the console's first
    // render has its connections; index.html's static frame shows meanwhile, then gives way.
    // (wasm-bindgen's executor: Leptos' own starts when the console is mounted.)
    gloo_timers::callback::Timeout::new(0, intl::warm).forget();
    wasm_bindgen_futures::spawn_local(async {
        let site = config::fetch_site().await;
        if let Some(frame) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("frame"))
        {
            frame.remove();
        }
        let config = AppConfig {
            site: Some(site),
            ..AppConfig::default()
        };
        leptos::mount::mount_to_body(move || leptos::view! { <App config/> });
    });
}

/// Epoch milliseconds, the only clock read in the app; vigil-core gets it as an argument.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
