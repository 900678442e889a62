//! One VM's page (`#/vms/<connection>/<vm>`): its details, the actions valid now, its history.

use leptos::prelude::*;
use vigil_core::engine::ActivityFilter;
use vigil_core::words::{self, Column, Label};
use vigil_core::{ConnId, ListState, Vm, VmId};

use crate::activity::ActivityList;
use crate::console::Console;
use crate::route::Route;
use crate::row::{row_data, ActionButtons, RowData};

/// What the page shows besides the row's data.
#[derive(Clone, PartialEq)]
struct Details {
    vm: Vm,
    row: RowData,
    provider: String,
}

#[component]
pub fn VmPage(conn: ConnId, vm: VmId) -> impl IntoView {
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
    let present = move || data.with(Option::is_some);
    let missing = words::vm_missing(vm.as_str(), conn.as_str());
    view! {
        <nav class="crumbs"><a href=Route::List.href()>{Label::AllVms.text()}</a></nav>
        <Show when=present fallback=move || view! {
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
            <Page conn=conn.clone() vm=vm.clone() data history/>
        </Show>
    }
}

#[component]
fn Page(
    conn: ConnId,
    vm: VmId,
    data: Memo<Option<Details>>,
    history: Memo<Vec<vigil_core::engine::ActivityItem>>,
) -> impl IntoView {
    let get = move |f: fn(&Details) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let name = Signal::derive(get(|d| d.vm.name.clone()));
    let choices = Signal::derive(move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| d.row.choices.clone())
                .unwrap_or_default()
        })
    });
    let addresses = move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.vm.addresses
                        .iter()
                        .map(|a| a.ip.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| words::NOTHING.into())
        })
    };
    view! {
        <div class="vm-page">
            <h2 class="vm-title"><bdi class="long-name">{name}</bdi>" "
                <span class=move || data.with(|d| d.as_ref().map_or("badge", |d| d.row.badge))
                    data-testid="status">{get(|d| d.row.status.clone())}</span>
            </h2>
            // A workflow's step says more than the status; a plain operation's would repeat it.
            {move || data.with(|d| d.as_ref().and_then(|d| d.row.busy.as_ref().map(|b| b.label()).filter(|l| *l != d.row.status)))
                .map(|l| view! { <p class="phase">{l}</p> })}
            <dl class="details">
                <dt>{Label::Provider.text()}</dt><dd>{get(|d| d.provider.clone())}</dd>
                <dt>{Label::Id.text()}</dt><dd><code>{vm.to_string()}</code></dd>
                <dt>{Label::StatusFromProvider.text()}</dt>
                <dd>{get(|d| words::provider_status(&d.vm.status_raw, d.vm.locked))}</dd>
                <dt>{words::column(Column::Size)}</dt><dd>{get(|d| words::size_label(&d.vm.size))}</dd>
                <dt>{words::column(Column::Region)}</dt><dd>{get(|d| d.row.region.clone())}</dd>
                <dt>{Label::Image.text()}</dt><dd>{get(|d| d.vm.image.clone().unwrap_or_else(|| words::NOTHING.into()))}</dd>
                <dt>{Label::Addresses.text()}</dt><dd class="addresses">{addresses}</dd>
                {move || data.with(|d| d.as_ref().and_then(|d| d.vm.project.clone())).map(|p| view! { <dt>{Label::Project.text()}</dt><dd>{p}</dd> })}
                {move || data.with(|d| d.as_ref().and_then(|d| d.vm.snapshot_count)).map(|n| view! { <dt>{Label::Snapshots.text()}</dt><dd>{n.to_string()}</dd> })}
            </dl>
            <h3>{Label::Actions.text()}</h3>
            <div class="actions page-actions"><ActionButtons conn vm name choices/></div>
            <h3>{Label::History.text()}</h3>
            <Show when=move || !history.with(Vec::is_empty) fallback=|| view! {
                <p class="hint">{Label::NoHistory.text()}</p>
            }>
                <ActivityList list=history/>
            </Show>
        </div>
    }
}
