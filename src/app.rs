//! The page: header, VM list, activity, notices and settings.

use leptos::prelude::*;
use vigil_core::{ConnectionConfig, Credentials, DialectKind};

use crate::activity::{Activity, Notices};
use crate::console::Console;
use crate::storage;
use crate::transport::Transport;
use crate::vms::VmList;

/// How the embedded demo provider behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    pub seed: u64,
    pub vms: usize,
    pub failure_rate: f64,
    /// Divides every simulated action duration.
    pub speed: f64,
    /// Simulated round trip, min and max.
    pub latency_ms: (u32, u32),
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 7,
            vms: 12,
            failure_rate: 0.05,
            speed: 1.0,
            latency_ms: (80, 260),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppConfig {
    pub demo: DemoConfig,
}

/// The demo connections used when nothing is configured.
pub fn demo_connections() -> Vec<ConnectionConfig> {
    DialectKind::ALL
        .iter()
        .map(|&d| ConnectionConfig {
            id: format!("demo-{}", d.label()),
            name: format!("Demo {}", d.label()),
            dialect: d,
            base_url: format!("demo://sim{}", d.sim_prefix()),
            credentials: d.demo_credentials(),
            demo: true,
        })
        .collect()
}

#[component]
pub fn App(config: AppConfig) -> impl IntoView {
    let transport = Transport::new(&config.demo);
    let prefix = format!("{:x}", crate::now_ms());
    let console = Console::new(transport, prefix);
    provide_context(console);

    let (saved, remembered) = storage::load_connections();
    let saved = RwSignal::new(saved);
    let remember = RwSignal::new(remembered);
    let settings_open = RwSignal::new(false);
    let is_demo = Memo::new(move |_| saved.with(Vec::is_empty));

    Effect::new(move |_| {
        let list = saved.get();
        console.set_connections(if list.is_empty() {
            demo_connections()
        } else {
            list
        });
    });

    view! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand">"Vigil"</h1>
                <Show when=move || is_demo.get()>
                    <span class="demo-badge" title="Simulated provider running inside this page; no real VMs are touched.">
                        "Demo provider — simulated VMs"
                    </span>
                </Show>
                <button
                    class="btn"
                    aria-expanded=move || settings_open.get().to_string()
                    on:click=move |_| settings_open.update(|o| *o = !*o)
                >
                    "Settings"
                </button>
            </header>
            <Show when=move || settings_open.get()>
                <Settings saved remember on_close=move || settings_open.set(false)/>
            </Show>
            <main class="layout">
                <section class="panel vms-panel" aria-labelledby="vms-h">
                    <h2 id="vms-h">"Virtual machines"</h2>
                    <VmList/>
                </section>
                <section class="panel activity-panel" aria-labelledby="act-h">
                    <h2 id="act-h">"Activity"</h2>
                    <Activity/>
                </section>
            </main>
            <Notices/>
            <div class="sr-only" aria-live="polite" role="status">
                {move || console.announcement.get()}
            </div>
        </div>
    }
}

/// The settings form: one cloudsfor endpoint (base URL and credentials).
#[component]
fn Settings(
    saved: RwSignal<Vec<ConnectionConfig>>,
    remember: RwSignal<bool>,
    on_close: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let existing = saved.get_untracked().into_iter().next();
    let (user0, pass0) = match existing.as_ref().map(|c| c.credentials.clone()) {
        Some(Credentials::Basic { user, password }) => (user, password),
        _ => (String::new(), String::new()),
    };
    let name = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "cloudsfor".into()),
    );
    let base = RwSignal::new(
        existing
            .as_ref()
            .map(|c| c.base_url.clone())
            .unwrap_or_else(|| "https://cloudsfor.com/api/v1".into()),
    );
    let user = RwSignal::new(user0);
    let password = RwSignal::new(pass0);
    let error = RwSignal::new(None::<String>);

    let close = on_close.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cfg = ConnectionConfig {
            id: "cloudsfor-1".into(),
            name: name.get_untracked().trim().to_string(),
            dialect: DialectKind::Cloudsfor,
            base_url: base.get_untracked().trim().to_string(),
            credentials: Credentials::Basic {
                user: user.get_untracked(),
                password: password.get_untracked(),
            },
            demo: false,
        };
        match cfg.validate() {
            Ok(()) => {
                error.set(None);
                storage::save_connections(std::slice::from_ref(&cfg), remember.get_untracked());
                saved.set(vec![cfg]);
                close();
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let use_demo = move |_| {
        storage::save_connections(&[], false);
        saved.set(Vec::new());
        on_close();
    };

    view! {
        <section class="panel settings" aria-labelledby="settings-h">
            <h2 id="settings-h">"Provider connection"</h2>
            <p class="hint">
                "Point Vigil at your cloudsfor API. Credentials stay in this browser tab "
                "(sessionStorage) unless you ask to remember them on this device."
            </p>
            <form on:submit=save novalidate>
                <label>"Name" <input type="text" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <label>"Base URL" <input type="url" prop:value=move || base.get()
                    on:input=move |ev| base.set(event_target_value(&ev))/></label>
                <label>"Email" <input type="email" autocomplete="username" prop:value=move || user.get()
                    on:input=move |ev| user.set(event_target_value(&ev))/></label>
                <label>"Password" <input type="password" autocomplete="current-password" prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))/></label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || remember.get()
                        on:change=move |ev| remember.set(event_target_checked(&ev))/>
                    "Remember on this device (localStorage)"
                </label>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <div class="row-actions">
                    <button type="submit" class="btn primary">"Save and connect"</button>
                    <button type="button" class="btn" on:click=use_demo>"Use the demo provider"</button>
                </div>
            </form>
        </section>
    }
}
