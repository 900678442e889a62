//! One VM's page (`#/vms/<connection>/<vm>/<tab>`): its name and status, then its sections as
//! tabs (the WAI-ARIA tabs pattern: ←/→ move between them and show each, Home/End jump; each
//! tab is a link, so the address follows it and the back button goes back to the last one).

use leptos::prelude::*;
use vigil_core::engine::ActivityFilter;
use vigil_core::words::{self, Label, PageLabel};
use vigil_core::{ConnId, ListState, Vm, VmId};
use wasm_bindgen::JsCast;

use crate::console::Console;
use crate::route::{Route, VmTab};
use crate::row::{row_data, RowData};
use crate::vm_tabs::TabPanel;

/// What the page shows besides the row's data.
#[derive(Clone, PartialEq)]
pub struct Details {
    pub vm: Vm,
    pub row: RowData,
    pub provider: String,
}

#[component]
pub fn VmPage(conn: ConnId, vm: VmId, tab: Memo<VmTab>) -> impl IntoView {
    let console = expect_context::<Console>();
    let marks = console.marks;
    let data = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            marks.vm(&conn, &vm);
            console.view(|v| {
                let c = v.connection(&conn)?;
                Some(Details {
                    vm: v.vm(&conn, &vm)?.clone(),
                    row: row_data(v, &conn, &vm)?,
                    provider: words::provider_of(&c.name, c.dialect),
                })
            })
        })
    };
    let loading = {
        let conn = conn.clone();
        Memo::new(move |_| {
            marks.conn(&conn);
            console.view(|v| matches!(v.list_state(&conn), None | Some(ListState::Loading)))
        })
    };
    let history = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            marks.activity();
            console.view(|v| v.activity(ActivityFilter::All, Some((&conn, &vm))))
        })
    };
    let present = Memo::new(move |_| data.with(Option::is_some));
    let missing = words::vm_missing(vm.as_str(), conn.as_str());
    view! {
        <nav class="crumbs"><a href=Route::List.href()>{Label::AllVms.text()}</a></nav>
        <Show when=move || present.get() fallback=move || view! {
            <Show when=move || loading.get() fallback={
                let missing = missing.clone();
                move || view! {
                    <div class="vm-page">
                        <h2>{Label::VmNotFound.text()}</h2>
                        <p class="error" role="alert">{missing.clone()}</p>
                    </div>
                }
            }>
                <p>{Label::LoadingVm.text()}</p>
            </Show>
        }>
            <Page conn=conn.clone() vm=vm.clone() data history tab/>
        </Show>
    }
}

#[component]
fn Page(
    conn: ConnId,
    vm: VmId,
    data: Memo<Option<Details>>,
    history: Memo<Vec<vigil_core::engine::ActivityItem>>,
    tab: Memo<VmTab>,
) -> impl IntoView {
    let get = move |f: fn(&Details) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let name = Signal::derive(get(|d| d.vm.name.clone()));
    view! {
        <div class="vm-page">
            <h2 class="vm-title"><bdi class="long-name">{name}</bdi>" "
                <span class=move || data.with(|d| d.as_ref().map_or("badge", |d| d.row.badge))
                    data-testid="status">{get(|d| d.row.status.clone())}</span>
                {move || data.with(|d| d.as_ref().and_then(|d| d.row.busy.clone()))
                    .map(|b| view! { <crate::row::RowProgress busy=b/> })}
            </h2>
            // A workflow's step says more than the status; a plain operation's would repeat it.
            {move || data.with(|d| d.as_ref().and_then(|d| d.row.busy.as_ref().map(|b| b.label()).filter(|l| *l != d.row.status)))
                .map(|l| view! { <p class="phase">{l}</p> })}
            <TabList conn=conn.clone() vm=vm.clone() tab/>
            {move || {
                let t = tab.get();
                view! {
                    <div class="tab-panel" role="tabpanel" id=panel_id(t) aria-labelledby=tab_id(t) tabindex="0">
                        <TabPanel conn=conn.clone() vm=vm.clone() tab=t data name history/>
                    </div>
                }
            }}
        </div>
    }
}

fn tab_id(t: VmTab) -> String {
    format!("tab-{}", t.slug())
}

fn panel_id(t: VmTab) -> String {
    format!("panel-{}", t.slug())
}

/// The tabs: links to this VM's sections, the current one selected.
#[component]
fn TabList(conn: ConnId, vm: VmId, tab: Memo<VmTab>) -> impl IntoView {
    let route = move |t: VmTab| Route::Vm {
        conn: conn.clone(),
        vm: vm.clone(),
        tab: t,
    };
    let hrefs: Vec<(VmTab, String)> = VmTab::ALL.iter().map(|t| (*t, route(*t).href())).collect();
    let links = hrefs.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        // From the tab that has focus (else the one shown).
        let focused = document().active_element().map(|e| e.id());
        let at = VmTab::ALL
            .iter()
            .position(|t| Some(tab_id(*t)) == focused)
            .or_else(|| VmTab::ALL.iter().position(|t| *t == tab.get_untracked()))
            .unwrap_or(0) as isize;
        let n = VmTab::ALL.len() as isize;
        let to = match ev.key().as_str() {
            "ArrowRight" => at + 1,
            "ArrowLeft" => at - 1,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        let next = VmTab::ALL[to.rem_euclid(n) as usize];
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&hrefs[to.rem_euclid(n) as usize].1);
        }
        if let Some(el) = document()
            .get_element_by_id(&tab_id(next))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label=PageLabel::VmSections.text() on:keydown=on_key>
            {links.into_iter().map(|(t, href)| {
                let selected = move || tab.get() == t;
                view! {
                    <a role="tab" id=tab_id(t) href=href
                        aria-selected=move || selected().to_string()
                        aria-controls=move || selected().then(|| panel_id(t))
                        tabindex=move || if selected() { "0" } else { "-1" }>
                        {words::tab_label(t)}
                    </a>
                }
            }).collect_view()}
        </div>
    }
}
