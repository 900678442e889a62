//! One row of the VM list. A row reads the view once per change of its own VM (its mark, which
//! the engine also bumps when the operation or workflow open on it changes) into one value, and
//! its cells show parts of that value: a status change of one VM re-renders one row.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use vigil_core::engine::{Busy, Choice, VmCommand};
use vigil_core::{present, words, ConnId, OpId, PowerState, View, VmId};

use crate::console::Console;
use crate::copy::CopyButton;
use crate::menu::{ActionsMenu, CommandButton};
use crate::route::Route;
use crate::ui::Ui;

thread_local! {
    /// How often each row (by `conn/vm`, or `op` for a new VM) read the view.
    static RENDERS: RefCell<HashMap<String, u64>> = RefCell::new(HashMap::new());
}

/// Renders per row so far (a browser test asserts one row per status change).
pub fn row_renders() -> HashMap<String, u64> {
    RENDERS.with(|r| r.borrow().clone())
}

fn rendered(key: String) {
    RENDERS.with(|r| *r.borrow_mut().entry(key).or_default() += 1);
}

/// Everything a row shows, read at once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowData {
    pub name: String,
    pub status: String,
    pub badge: &'static str,
    pub busy: Option<Busy>,
    pub size: String,
    pub region: String,
    /// The address a user looks for first ([`vigil_core::Vm::primary_address`]).
    pub address: Option<String>,
    pub choices: Vec<Choice>,
    /// The one command shown as a button beside the menu.
    pub primary: Option<VmCommand>,
}

pub fn badge_class(power: &PowerState, busy: bool) -> &'static str {
    if busy {
        return "badge busy";
    }
    match power {
        PowerState::Running => "badge running",
        PowerState::Stopped => "badge stopped",
        PowerState::Unknown(_) => "badge unknown",
        _ => "badge busy",
    }
}

pub fn row_data(v: &View<'_>, conn: &ConnId, id: &VmId) -> Option<RowData> {
    let vm = v.vm(conn, id)?;
    let busy = v.busy_on(conn, id);
    let choices = v.choices(conn, id);
    Some(RowData {
        name: vm.name.clone(),
        status: v.status_label(conn, vm),
        badge: badge_class(&vm.power, busy.is_some() || vm.locked),
        busy,
        size: words::size_label(&vm.size),
        region: vm.region.clone().unwrap_or_else(|| words::NOTHING.into()),
        address: vm.primary_address().map(|a| a.ip.clone()),
        primary: present::primary(&choices),
        choices,
    })
}

/// The provider's name for a connection.
pub fn conn_name(v: &View<'_>, conn: &ConnId) -> String {
    v.connection(conn)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// One VM's row: identity first (name, status, address, region, size, connection), then its
/// primary command and the "Actions" menu. `shared`: another VM of the list has its name (the
/// name cell then says which connection this one is on).
#[component]
pub fn VmRow(conn: ConnId, vm: VmId, index: Signal<usize>, shared: Signal<bool>) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let data = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.vm(&conn, &vm);
            // What the user's role allows here (Delete) follows the connection's catalogue.
            console.marks.catalogue(&conn);
            rendered(format!("{conn}/{vm}"));
            console.view(|v| row_data(v, &conn, &vm))
        })
    };
    let field = move |f: fn(&RowData) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let name = Signal::derive(field(|d| d.name.clone()));
    let busy = move || data.with(|d| d.as_ref().and_then(|d| d.busy.clone()));
    let choices = Signal::derive(move || {
        data.with(|d| d.as_ref().map(|d| d.choices.clone()).unwrap_or_default())
    });
    let primary = Memo::new(move |_| data.with(|d| d.as_ref().and_then(|d| d.primary)));
    let address = Memo::new(move |_| data.with(|d| d.as_ref().and_then(|d| d.address.clone())));
    let provider = console.view(|v| conn_name(v, &conn));
    let key = (conn.clone(), vm.clone());
    let selected = {
        let key = key.clone();
        move || ui.selected.with(|s| s.contains(&key))
    };
    let toggle = move |_| {
        ui.selected.update(|s| {
            if !s.remove(&key) {
                s.insert(key.clone());
            }
        })
    };
    let href = Route::vm(conn.clone(), vm.clone()).href();
    let (conn_attr, vm_attr) = (conn.to_string(), vm.to_string());
    let checked = selected.clone();
    let tag = provider.clone();
    let tag_title = provider.clone();
    let (p_conn, p_vm) = (conn.clone(), vm.clone());
    view! {
        <tr class="vm" data-conn=conn_attr data-vm=vm_attr
            aria-rowindex=move || index.get().to_string()
            aria-selected=move || selected().to_string()
            data-busy=move || busy().is_some().to_string()>
            <td class="sel">
                <input type="checkbox" aria-label=move || words::select_vm(&name.get())
                    prop:checked=checked on:change=toggle/>
            </td>
            <th scope="row" class="vm-name">
                <a href=href title=name>{name}</a>
                // Which connection, where another VM has this name (said by the Provider cell
                // to assistive technology already).
                <Show when=move || shared.get()>
                    <span class="conn-tag" aria-hidden="true">{tag.clone()}</span>
                </Show>
            </th>
            <td class="status">
                <span class=move || data.with(|d| d.as_ref().map_or("badge", |d| d.badge))
                    data-testid="status">{field(|d| d.status.clone())}</span>
                {move || busy().map(|b| view! { <RowProgress busy=b/> })}
                {move || busy().and_then(|b| b.started_by()).map(|by| view! {
                    <span class="elsewhere-tag" data-testid="elsewhere">{by}</span>
                })}
            </td>
            <td class="address">
                {move || match address.get() {
                    Some(ip) => view! { <span class="ip">{ip.clone()}</span><CopyButton text=ip/> }.into_any(),
                    None => view! { <span class="none">{words::NOTHING}</span> }.into_any(),
                }}
            </td>
            <td class="region" title=field(|d| d.region.clone())>{field(|d| d.region.clone())}</td>
            <td class="size" title=field(|d| d.size.clone())>{field(|d| d.size.clone())}</td>
            <td class="provider" title=tag_title>{provider}</td>
            <td class="acts">
                <div class="actions">
                    <span class="primary-slot">
                        {move || primary.get().map(|command| {
                            let choice = Signal::derive(move || choices.with(|cs| cs.iter().find(|c| c.command == command).cloned()));
                            view! { <CommandButton conn=p_conn.clone() vm=p_vm.clone() name command choice/> }
                        })}
                    </span>
                    <ActionsMenu conn vm name choices primary=primary.into()/>
                </div>
            </td>
        </tr>
    }
}

/// A VM being created that the provider does not list yet: "creating…".
#[component]
pub fn CreatingRow(op: OpId, index: Signal<usize>) -> impl IntoView {
    let console = expect_context::<Console>();
    let data = {
        let op = op.clone();
        Memo::new(move |_| {
            console.marks.op(&op);
            rendered(op.to_string());
            console.view(|v| {
                let o = v.operation(&op)?;
                Some((
                    o.target.name().to_string(),
                    conn_name(v, &o.connection),
                    o.connection.to_string(),
                    v.busy_of(o),
                ))
            })
        })
    };
    let part = move |f: fn(&(String, String, String, Busy)) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    view! {
        <tr class="vm creating" data-op=op.to_string() data-conn=part(|d| d.2.clone())
            aria-rowindex=move || index.get().to_string() data-busy="true">
            <td class="sel"></td>
            <th scope="row" class="vm-name">{part(|d| d.0.clone())}</th>
            <td class="status">
                <span class="badge busy" data-testid="status">{part(|d| d.3.label())}</span>
                {move || data.get().map(|d| view! { <RowProgress busy=d.3/> })}
            </td>
            <td class="address">{words::NOTHING}</td>
            <td class="region">{words::NOTHING}</td>
            <td class="size">{words::NOTHING}</td>
            <td class="provider">{part(|d| d.1.clone())}</td>
            <td class="acts"></td>
        </tr>
    }
}

/// A row's running operation: a bar, and the time so far against the usual.
#[component]
pub fn RowProgress(busy: Busy) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let label = busy.label();
    let pct = busy.progress;
    let busy = StoredValue::new(busy);
    view! {
        <span class="row-progress">
            <span class="progress mini" role="progressbar" aria-label=words::progress_of(&label)
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.map(|p| p.to_string())>
                <span class="bar" style:transform=pct.map(crate::ui::bar_fill)></span>
            </span>
            <span class="phase" title=move || busy.with_value(|b| b.describe(ui.now.get()))>
                {move || busy.with_value(|b| b.short(ui.now.get()))}
            </span>
        </span>
    }
}
