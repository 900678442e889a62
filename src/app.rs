//! The page: header, VM list or VM page, activity, notices, settings and dialogs.

use leptos::prelude::*;
use vigil_core::words::{self, Label};

use crate::activity::Activity;
use crate::config::{demo_connections, AppConfig};
use crate::console::Console;
use crate::dialogs::Dialogs;
use crate::networks::NetworksPage;
use crate::notices::{Announcer, NoticeStack};
use crate::route::{Route, VmTab};
use crate::settings::{SettingsPanel, UnlockRemembered};
use crate::signout::SignOutButton;
use crate::storage;
use crate::ui::Ui;
use crate::vm_page::VmPage;
use crate::vms::VmList;
use crate::volumes::VolumesPage;

#[component]
pub fn App(config: AppConfig) -> impl IntoView {
    let console = Console::start(&config);
    provide_context(console);
    provide_context(console.notices);
    let ui = Ui::new();
    provide_context(ui);

    let settings = RwSignal::new(storage::load());
    let settings_open = RwSignal::new(false);
    // The site's config.json (presets, demo, target lag): no connection is set before it is read.
    let site = crate::settings::load_site(console, settings, settings_open, config.site.clone());
    // With nothing configured, the demo connections are the console (where the site offers them).
    let demo_shown = Memo::new(move |_| {
        settings.with(|s| {
            site.with(|c| {
                c.as_ref()
                    .is_some_and(|c| c.shows_demo(s.connections.len(), s.show_demo))
            })
        })
    });
    let connections = Memo::new(move |_| {
        site.with(Option::is_some).then(|| {
            let mut list = settings.with(|s| s.connections.clone());
            if demo_shown.get() {
                list.extend(demo_connections());
            }
            list
        })
    });
    // Known already (start() read the site first): set before the first render, so that the
    // list does not jump as the connections come.
    let set_at_start = connections
        .get_untracked()
        .map(|list| console.set_connections(list))
        .is_some();
    Effect::new(move |ran: Option<()>| {
        let list = connections.get();
        if ran.is_none() && set_at_start {
            return;
        }
        if let Some(list) = list {
            console.set_connections(list);
        }
    });
    let leader = console.tabs.leader;
    // The VM whose page shows, apart from its tab: a new tab keeps the page (and focus on the
    // tab list) where it is.
    let page = Memo::new(move |_| match ui.route.get() {
        Route::Vm { conn, vm, .. } => Page::Vm(conn, vm),
        Route::List => Page::List,
        Route::Networks => Page::Networks,
        Route::Volumes => Page::Volumes,
    });
    let tab = Memo::new(move |_| match ui.route.get() {
        Route::Vm { tab, .. } => tab,
        _ => VmTab::Overview,
    });

    view! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand"><a href="#/">{Label::Brand.text()}</a></h1>
                <Show when=move || demo_shown.get()>
                    <span class="demo-badge" title=Label::DemoBadgeTitle.text()>
                        {Label::DemoBadge.text()}
                    </span>
                </Show>
                <span class="tab-role" data-role=move || if leader.get() { "leader" } else { "follower" }
                    title=Label::TabRoleTitle.text()>
                    {move || words::tab_role(leader.get())}
                </span>
                <ThemeSwitch/>
                <SignOutButton settings settings_open site/>
                <button class="btn" aria-expanded=move || settings_open.get().to_string()
                    aria-controls="settings" on:click=move |_| settings_open.update(|o| *o = !*o)>
                    {Label::Settings.text()}
                </button>
            </header>
            <UnlockRemembered settings/>
            <Show when=move || settings_open.get()>
                <div id="settings">
                    <SettingsPanel settings site on_close=Callback::new(move |_| settings_open.set(false))/>
                </div>
            </Show>
            <Sections page/>
            <main class="layout">
                {move || match page.get() {
                    Page::List => view! {
                        <section class="panel vms-panel" aria-labelledby="vms-h">
                            <h2 id="vms-h">{Label::VirtualMachines.text()}</h2>
                            <VmList/>
                        </section>
                    }.into_any(),
                    Page::Vm(conn, vm) => view! {
                        <section class="panel vms-panel" aria-label=Label::VirtualMachine.text()>
                            <VmPage conn vm tab/>
                        </section>
                    }.into_any(),
                    Page::Networks => view! {
                        <section class="panel vms-panel" aria-labelledby="networks-h">
                            <NetworksPage/>
                        </section>
                    }.into_any(),
                    Page::Volumes => view! {
                        <section class="panel vms-panel" aria-labelledby="volumes-h">
                            <VolumesPage/>
                        </section>
                    }.into_any(),
                }}
                <section class="panel activity-panel" aria-labelledby="act-h">
                    <h2 id="act-h">{Label::Activity.text()}</h2>
                    <NoticeStack/>
                    <Activity/>
                </section>
            </main>
            <Show when=move || !console.online.get()>
                <p class="offline" role="status">{Label::Offline.text()}</p>
            </Show>
            <Dialogs/>
            <Announcer/>
        </div>
    }
}

/// The page shown, apart from a VM page's tab.
#[derive(Clone, PartialEq)]
enum Page {
    List,
    Vm(vigil_core::ConnId, vigil_core::VmId),
    Networks,
    Volumes,
}

/// The console's sections: virtual machines (a VM's page belongs to them), networks, volumes.
#[component]
fn Sections(page: Memo<Page>) -> impl IntoView {
    let current = move |p: Page| {
        move || {
            let here = match page.get() {
                Page::Vm(..) => Page::List,
                other => other,
            };
            (here == p).then_some("page")
        }
    };
    view! {
        <nav class="sections" aria-label=Label::Sections.text()>
            <a href=Route::List.href() aria-current=current(Page::List)>{Label::VirtualMachines.text()}</a>
            <a href=Route::Networks.href() aria-current=current(Page::Networks)>{Label::Networks.text()}</a>
            <a href=Route::Volumes.href() aria-current=current(Page::Volumes)>{Label::Volumes.text()}</a>
        </nav>
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
        <label class="theme">{Label::Theme.text()}
            <select name="theme" on:change=move |ev| {
                let v = event_target_value(&ev);
                theme.set((v == "light" || v == "dark").then_some(v));
            }>
                <option value="system" selected=move || theme.get().is_none()>{Label::ThemeSystem.text()}</option>
                <option value="light" selected=move || theme.get().as_deref() == Some("light")>{Label::ThemeLight.text()}</option>
                <option value="dark" selected=move || theme.get().as_deref() == Some("dark")>{Label::ThemeDark.text()}</option>
            </select>
        </label>
    }
}
