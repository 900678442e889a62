//! The page: header, VM list, activity, notices and settings.

use leptos::prelude::*;
use vigil_core::{ConnectionConfig, DialectKind};

use crate::activity::{Activity, Notices};
use crate::console::Console;
use crate::dialogs::Dialogs;
use crate::route::Route;
use crate::settings::SettingsPanel;
use crate::storage;
use crate::transport::Transport;
use crate::ui::Ui;
use crate::vm_page::VmPage;
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
            id: format!("demo-{}", d.slug()),
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
    let ui = Ui::new();
    provide_context(ui);

    let settings = RwSignal::new(storage::load());
    let settings_open = RwSignal::new(false);
    // With nothing configured, the demo connections are the console.
    let demo_shown = Memo::new(move |_| settings.with(|s| s.connections.is_empty() || s.show_demo));

    // A hidden tab polls slowly and a shown one looks at once; offline, nothing is sent.
    let visibility = leptos_use::use_document_visibility();
    let online = RwSignal::new(web_sys::window().is_none_or(|w| w.navigator().on_line()));
    let _ =
        leptos_use::use_event_listener(leptos_use::use_window(), leptos::ev::online, move |_| {
            online.set(true)
        });
    let _ =
        leptos_use::use_event_listener(leptos_use::use_window(), leptos::ev::offline, move |_| {
            online.set(false)
        });
    Effect::new(move |_| {
        let pace = if !online.get() {
            vigil_core::Pace::Offline
        } else if visibility.get() == web_sys::VisibilityState::Hidden {
            vigil_core::Pace::Background
        } else {
            vigil_core::Pace::Foreground
        };
        console.set_pace(pace);
    });

    Effect::new(move |_| {
        let mut list = settings.with(|s| s.connections.clone());
        if demo_shown.get() {
            list.extend(demo_connections());
        }
        console.set_connections(list);
    });

    view! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand"><a href="#/">"Vigil"</a></h1>
                <Show when=move || demo_shown.get()>
                    <span class="demo-badge" title="Simulated providers running inside this page; no real VMs are touched.">
                        "Demo providers — simulated VMs"
                    </span>
                </Show>
                <span class="tab-role" data-role=move || if console.leader.get() { "leader" } else { "follower" }
                    title="Only one tab polls the providers; the others show what it sees.">
                    {move || if console.leader.get() { "This tab polls" } else { "Following another tab" }}
                </span>
                <ThemeSwitch/>
                <button
                    class="btn"
                    aria-expanded=move || settings_open.get().to_string()
                    aria-controls="settings"
                    on:click=move |_| settings_open.update(|o| *o = !*o)
                >
                    "Settings"
                </button>
            </header>
            <Show when=move || settings_open.get()>
                <div id="settings">
                    <SettingsPanel settings on_close=Callback::new(move |_| settings_open.set(false))/>
                </div>
            </Show>
            <main class="layout">
                {move || match ui.route.get() {
                    Route::List => view! {
                        <section class="panel vms-panel" aria-labelledby="vms-h">
                            <h2 id="vms-h">"Virtual machines"</h2>
                            <VmList/>
                        </section>
                    }.into_any(),
                    Route::Vm { conn, vm } => view! {
                        <section class="panel vms-panel" aria-label="Virtual machine">
                            <VmPage conn vm/>
                        </section>
                    }.into_any(),
                }}
                <section class="panel activity-panel" aria-labelledby="act-h">
                    <h2 id="act-h">"Activity"</h2>
                    <Notices/>
                    <Activity/>
                </section>
            </main>
            <Show when=move || !online.get()>
                <p class="offline" role="status">"Offline: Vigil is paused and resumes as soon as the network is back."</p>
            </Show>
            <Dialogs/>
            <div class="sr-only" aria-live="polite" role="status">
                {move || console.announcement.get()}
            </div>
        </div>
    }
}

/// Light, dark, or as the system says; kept on this device.
#[component]
fn ThemeSwitch() -> impl IntoView {
    let theme = RwSignal::new(storage::load_theme());
    Effect::new(move |_| {
        let t = theme.get();
        if let Some(root) = document().document_element() {
            let _ = match &t {
                Some(t) => root.set_attribute("data-theme", t),
                None => root.remove_attribute("data-theme"),
            };
        }
        storage::save_theme(t.as_deref());
    });
    view! {
        <label class="theme">"Theme"
            <select name="theme" on:change=move |ev| {
                let v = event_target_value(&ev);
                theme.set((v == "light" || v == "dark").then_some(v));
            }>
                <option value="system" selected=move || theme.get().is_none()>"System"</option>
                <option value="light" selected=move || theme.get().as_deref() == Some("light")>"Light"</option>
                <option value="dark" selected=move || theme.get().as_deref() == Some("dark")>"Dark"</option>
            </select>
        </label>
    }
}
