//! The Network tab's addresses: every address the VM shows (public or private, IPv4 or IPv6,
//! each with Copy), its reverse DNS name (edited in place where the provider offers it),
//! Remove behind a confirmation and Assign IP; and the VPC the VM is in, with a move.

use leptos::prelude::*;
use vigil_core::words::{self, VmNetLabel};
use vigil_core::{Action, ActionKind, Address, Caps, Command, ConnId, ResourceKind, Scope, VmId};

use crate::console::Console;
use crate::copy::CopyButton;
use crate::vm_network::{intend, offered};

#[component]
pub fn Addresses(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let console = expect_context::<Console>();
    let addresses = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.vm(&conn, &vm);
            console.view(|v| {
                v.vm(&conn, &vm)
                    .map(|x| x.addresses.clone())
                    .unwrap_or_default()
            })
        })
    };
    let error = RwSignal::new(None::<String>);
    let target = StoredValue::new((conn.clone(), vm.clone()));
    // Copy: it holds only handles.
    let act = move |action: Action| {
        let (conn, vm) = target.get_value();
        intend(console, Command::Act { conn, vm, action }, error)
    };
    let ptr = offered(caps, ActionKind::SetReverseDns);
    let remove = offered(caps, ActionKind::RemoveIp);
    let assign = offered(caps, ActionKind::AssignIp);
    view! {
        <section class="net-part" aria-labelledby="net-addr-h">
            <h3 id="net-addr-h">{VmNetLabel::AddressesHeading.to_string()}</h3>
            <Show when=move || !addresses.with(Vec::is_empty) fallback=|| view! {
                <p class="hint">{VmNetLabel::NoAddresses.to_string()}</p>
            }>
                <table class="points net-table">
                    <caption>{VmNetLabel::AddressesCaption.to_string()}</caption>
                    <thead><tr>
                        <th scope="col">{VmNetLabel::Address.to_string()}</th>
                        <th scope="col">{VmNetLabel::Kind.to_string()}</th>
                        {ptr.then(|| view! { <th scope="col">{VmNetLabel::ReverseDns.to_string()}</th> })}
                        <th scope="col">{words::column(words::Column::Actions)}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || addresses.get() key=|a| format!("{}|{:?}", a.ip, a.reverse_dns) let:a>
                            <AddressRow a ptr remove act/>
                        </For>
                    </tbody>
                </table>
            </Show>
            {assign.then(|| view! {
                <div class="row-actions">
                    <button type="button" class="btn" on:click=move |_| { act(Action::AssignIp { version: 4 }); }>
                        {VmNetLabel::AssignIpv4.to_string()}</button>
                    <button type="button" class="btn" on:click=move |_| { act(Action::AssignIp { version: 6 }); }>
                        {VmNetLabel::AssignIpv6.to_string()}</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

/// What a row shows below itself: nothing, the reverse DNS editor, or the removal's question.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Nothing,
    Ptr,
    Remove,
}

#[component]
fn AddressRow<F>(a: Address, ptr: bool, remove: bool, act: F) -> impl IntoView
where
    F: Fn(Action) -> bool + Copy + Send + Sync + 'static,
{
    let open = RwSignal::new(Open::Nothing);
    let typed = RwSignal::new(a.reverse_dns.clone().unwrap_or_default());
    let kind = if a.public {
        VmNetLabel::Public
    } else {
        VmNetLabel::Private
    };
    let version = format!("IPv{}", a.version);
    let ip = a.ip.clone();
    let edit_name = words::address_control(VmNetLabel::EditReverseDns, &ip);
    let remove_name = words::address_control(VmNetLabel::Remove, &ip);
    let field_name = words::address_control(VmNetLabel::ReverseDns, &ip);
    let ptr_cell = ptr.then(|| {
        let shown = a
            .reverse_dns
            .clone()
            .unwrap_or_else(|| VmNetLabel::NoReverseDns.to_string());
        let editable = a.public;
        view! {
            <td data-label=VmNetLabel::ReverseDns.to_string()>
                <bdi>{shown}</bdi>
                {editable.then(|| view! {
                    " "<button type="button" class="btn small" aria-label=edit_name.clone()
                        on:click=move |_| open.set(Open::Ptr)>{VmNetLabel::EditReverseDns.to_string()}</button>
                })}
            </td>
        }
    });
    let save = {
        let ip = ip.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let action = Action::SetReverseDns {
                address: ip.clone(),
                ptr: typed.get_untracked(),
            };
            if act(action) {
                open.set(Open::Nothing);
            }
        }
    };
    let confirm = {
        let ip = ip.clone();
        move |_| {
            if act(Action::RemoveIp {
                address: ip.clone(),
            }) {
                open.set(Open::Nothing);
            }
        }
    };
    let columns = if ptr { 4 } else { 3 };
    let prompt = words::remove_ip_prompt(&ip);
    view! {
        <tr>
            <th scope="row"><span class="addr">{ip.clone()}</span>" "<CopyButton text=ip.clone()/></th>
            <td data-label=VmNetLabel::Kind.to_string()>{kind.to_string()}" · "{version}</td>
            {ptr_cell}
            <td><div class="row-actions">
                {(remove && a.public).then(|| view! {
                    <button type="button" class="btn small danger" aria-label=remove_name.clone()
                        on:click=move |_| open.set(Open::Remove)>{VmNetLabel::Remove.to_string()}</button>
                })}
            </div></td>
        </tr>
        <Show when=move || open.get() == Open::Ptr>
            <tr class="inline-form"><td colspan=columns>
                <form class="row-actions" aria-label=edit_name.clone() on:submit=save.clone()>
                    <label>{field_name.clone()}
                        <input type="text" name="ptr" autofocus prop:value=move || typed.get()
                            placeholder="mail.example.com"
                            on:input=move |ev| typed.set(event_target_value(&ev))/>
                    </label>
                    <button type="submit" class="btn primary">{VmNetLabel::SaveReverseDns.to_string()}</button>
                    <button type="button" class="btn" on:click=move |_| open.set(Open::Nothing)>{VmNetLabel::Cancel.to_string()}</button>
                </form>
            </td></tr>
        </Show>
        <Show when=move || open.get() == Open::Remove>
            <tr class="inline-form"><td colspan=columns>
                <div class="row-actions" role="group" aria-label=remove_name.clone()>
                    <p>{prompt.clone()}</p>
                    <button type="button" class="btn danger" on:click=confirm.clone()>{VmNetLabel::RemoveIpConfirm.to_string()}</button>
                    <button type="button" class="btn" on:click=move |_| open.set(Open::Nothing)>{VmNetLabel::Cancel.to_string()}</button>
                </div>
            </td></tr>
        </Show>
    }
}

/// The VPC the VM is in (ONETSolutions), by name and range from the provider's list, and a
/// move into another.
#[component]
pub fn Vpc(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    if !offered(caps, ActionKind::SetVpc) {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let _ = console.intend(Command::ReadList {
        conn: conn.clone(),
        scope: Scope::Conn,
        kind: ResourceKind::Network,
    });
    let current = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.vm(&conn, &vm);
            console.view(|v| v.vm(&conn, &vm).and_then(|x| x.vpc.clone()))
        })
    };
    let vpcs = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.conn(&conn);
            console.view(|v| {
                v.list(&conn, &Scope::Conn, ResourceKind::Network)
                    .map(|l| l.items.clone())
                    .unwrap_or_default()
            })
        })
    };
    let shown = move || {
        let id = current.get();
        let Some(id) = id else {
            return VmNetLabel::VpcNone.to_string();
        };
        vpcs.with(|l| {
            l.iter()
                .find(|r| r.id == id)
                .map(|r| match r.cidr() {
                    Some(c) => format!("{} ({c})", r.name),
                    None => r.name.clone(),
                })
                .unwrap_or(id)
        })
    };
    let picked = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = picked.get_untracked();
        let name = vpcs
            .with_untracked(|l| l.iter().find(|r| r.id == id).map(|r| r.name.clone()))
            .unwrap_or_default();
        let cmd = Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action: Action::SetVpc { vpc: id, name },
        };
        intend(console, cmd, error);
    };
    view! {
        <section class="net-part" aria-labelledby="net-vpc-h">
            <h3 id="net-vpc-h">{VmNetLabel::VpcHeading.to_string()}</h3>
            <p><bdi>{shown}</bdi></p>
            <form class="row-actions" aria-label=VmNetLabel::MoveVpc.to_string() on:submit=submit>
                <label>{VmNetLabel::VpcChoose.to_string()}
                    <select name="vpc" on:change=move |ev| picked.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || {
                            let here = current.get();
                            vpcs.get().into_iter().filter(|r| Some(&r.id) != here.as_ref()).map(|r| {
                                view! { <option value=r.id.clone()>{r.name.clone()}</option> }
                            }).collect_view()
                        }}
                    </select>
                </label>
                <button type="submit" class="btn">{VmNetLabel::MoveVpc.to_string()}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
    .into_any()
}
