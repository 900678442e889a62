//! One VM's page (`#/vms/<connection>/<vm>`): its details, the actions valid now, its history.

use leptos::prelude::*;
use vigil_core::ListState;

use vigil_core::view::ActivityFilter;

use crate::activity::ActivityList;
use crate::console::Console;
use crate::route::Route;
use crate::vms::{badge_class, ActionButtons};

#[component]
pub fn VmPage(conn: String, vm: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let data = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| console.engine.with(|e| e.vm(&conn, &vm).cloned()))
    };
    let provider = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.engine.with(|e| {
                e.connections()
                    .find(|c| c.id == conn)
                    .map(|c| (c.name.clone(), c.dialect.label()))
            })
        })
    };
    let loading = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console
                .engine
                .with(|e| matches!(e.list_state(&conn), None | Some(ListState::Loading)))
        })
    };
    let busy = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| console.engine.with(|e| e.busy_on(&conn, &vm)))
    };
    let status = {
        let conn = conn.clone();
        move || {
            console.engine.with(|e| {
                data.with(|v| {
                    v.as_ref()
                        .map(|v| e.status_label(&conn, v))
                        .unwrap_or_default()
                })
            })
        }
    };
    let history = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console
                .engine
                .with(|e| e.activity(ActivityFilter::All, Some((&conn, &vm))))
        })
    };
    let back = Route::List.href();
    let (conn2, vm2) = (conn.clone(), vm.clone());
    view! {
        <nav class="crumbs"><a href=back.clone()>"← All VMs"</a></nav>
        {move || match data.get() {
            None if loading.get() => view! { <p>"Loading this VM…"</p> }.into_any(),
            None => view! {
                <div class="vm-page">
                    <h2>"VM not found"</h2>
                    <p class="error" role="alert">{format!(
                        "No VM with id “{}” on connection “{}”. It may have been deleted, or the connection is not configured in this browser.",
                        vm2, conn2
                    )}</p>
                </div>
            }.into_any(),
            Some(v) => {
                let (conn, vm) = (conn.clone(), vm.clone());
                view! {
                    <div class="vm-page">
                        <h2 class="vm-title">{v.name.clone()}" "
                            <span class=move || data.with(|d| d.as_ref().map(|v| badge_class(&v.power, busy.get().is_some() || v.locked)).unwrap_or("badge"))
                                data-testid="status">{status.clone()}</span>
                        </h2>
                        {move || busy.get().map(|b| view! { <p class="phase">{b.label.clone()}</p> })}
                        <dl class="details">
                            <dt>"Provider"</dt>
                            <dd>{move || provider.get().map(|(n, d)| format!("{n} ({d})")).unwrap_or_default()}</dd>
                            <dt>"ID"</dt><dd><code>{v.id.clone()}</code></dd>
                            <dt>"Status from the provider"</dt><dd>{v.status_raw.clone()}{v.locked.then_some(" (locked)")}</dd>
                            <dt>"Size"</dt><dd>{v.size.label()}</dd>
                            <dt>"Region"</dt><dd>{v.region.clone().unwrap_or_else(|| "—".into())}</dd>
                            <dt>"Image"</dt><dd>{v.image.clone().unwrap_or_else(|| "—".into())}</dd>
                            {v.project.clone().map(|p| view! { <dt>"Project"</dt><dd>{p}</dd> })}
                            {v.snapshot_count.map(|n| view! { <dt>"Snapshots"</dt><dd>{n.to_string()}</dd> })}
                        </dl>
                        <h3>"Actions"</h3>
                        <div class="actions page-actions"><ActionButtons conn vm_id=vm/></div>
                        <h3>"History"</h3>
                        <Show when=move || !history.with(Vec::is_empty) fallback=|| view! {
                            <p class="hint">"No operation on this VM in this browser yet."</p>
                        }>
                            <ActivityList list=history/>
                        </Show>
                    </div>
                }.into_any()
            }
        }}
    }
}
