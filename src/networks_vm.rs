//! A VM's Network tab, its networks part: the private networks it is in with its internal
//! address there (Leave), joining another (picked from its place's networks), and the port
//! forwards that point at it. Where the provider names no network on a VM's addresses
//! (cloudsfor), its private addresses are shown and the network to leave is picked.

use leptos::prelude::*;
use vigil_core::route::Route;
use vigil_core::words::{self, NetLabel};
use vigil_core::{Action, ActionKind, Caps, Command, ConnId, ResourceKind, Scope, VmId};

use crate::activity::ActivityList;
use crate::console::Console;
use crate::networks::{list_memo, net_ops, read_following, state_text, Absences};

#[component]
pub fn VmNetworks(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let net = caps.net;
    if !net.networks.list.offered() && !net.attach.offered() {
        return view! {
            <section class="net-part" aria-labelledby="vm-nets-h">
                <h3 id="vm-nets-h">{NetLabel::VmNetworks.text()}</h3>
                <Absences caps/>
            </section>
        }
        .into_any();
    }
    let console = expect_context::<Console>();
    let Some(scope) = console.view(|v| v.vm_net_scope(&conn, &vm)) else {
        return ().into_any();
    };
    let (ops, stage) = {
        let vm = vm.clone();
        net_ops(console, conn.clone(), move |o| {
            o.target.vm_id() == Some(&vm)
        })
    };
    let _read = read_following(
        console,
        conn.clone(),
        scope.clone(),
        ResourceKind::Network,
        stage,
    );
    view! {
        <section class="net-part" aria-labelledby="vm-nets-h">
            <h3 id="vm-nets-h">{NetLabel::VmNetworks.text()}</h3>
            <Show when=move || !ops.with(Vec::is_empty)>
                <section class="points-running" aria-label=NetLabel::Recent.text()>
                    <ActivityList list=ops/>
                </section>
            </Show>
            <Joined conn=conn.clone() vm=vm.clone() caps/>
            <JoinLeave conn=conn.clone() vm=vm.clone() caps scope=scope.clone()/>
            <Absences caps/>
        </section>
        {net.forwards.list.offered().then(|| view! { <ForwardsToVm conn vm scope stage/> })}
    }
    .into_any()
}

/// The networks it is in, with its address there; or, where the provider does not say which
/// network an address is in, its private addresses.
#[component]
fn Joined(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let console = expect_context::<Console>();
    let named = caps.net.members.offered();
    let nets = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.vm(&conn, &vm);
            console.marks.conn(&conn);
            console.view(|v| v.vm_networks(&conn, &vm))
        })
    };
    let private = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.vm(&conn, &vm);
            console.view(|v| {
                v.vm(&conn, &vm)
                    .map(vigil_core::NetExpect::private_of)
                    .unwrap_or_default()
            })
        })
    };
    if !named {
        return view! {
            <h4>{NetLabel::PrivateAddresses.text()}</h4>
            <ul class="members">
                {move || private.get().into_iter().map(|ip| view! { <li><code>{ip}</code></li> }).collect_view()}
            </ul>
            <p class="hint">{NetLabel::MembersNotShown(caps.kind).text()}</p>
        }
        .into_any();
    }
    let leave = caps.net.attach.offered();
    let (conn, vm) = (StoredValue::new(conn), StoredValue::new(vm));
    view! {
        <Show when=move || !nets.with(Vec::is_empty) fallback=|| view! {
            <p class="hint">{NetLabel::NoneYet(ResourceKind::Network).text()}</p>
        }>
            <table class="points net-table">
                <caption>{NetLabel::VmNetworks.text()}</caption>
                <thead><tr>
                    <th scope="col">{NetLabel::Name.text()}</th>
                    <th scope="col">{NetLabel::InternalIp.text()}</th>
                    <th scope="col">{NetLabel::Actions.text()}</th>
                </tr></thead>
                <tbody>
                    <For each=move || nets.get() key=|n| n.clone() let:n>
                        {
                            let cmd = Command::Act {
                                conn: conn.get_value(),
                                vm: vm.get_value(),
                                action: Action::DetachNetwork { network: n.id.clone(), name: n.name.clone() },
                            };
                            let label = words::on(&NetLabel::Leave.text(), &n.name);
                            view! {
                                <tr>
                                    <th scope="row"><bdi>{words::name(&n.name)}</bdi></th>
                                    <td data-label=NetLabel::InternalIp.text()><code>{n.internal_ip.clone().unwrap_or_default()}</code></td>
                                    <td><div class="row-actions">
                                        {leave.then(|| view! {
                                            <button type="button" class="btn small" aria-label=label
                                                on:click=move |_| console.act(cmd.clone())>{NetLabel::Leave.text()}</button>
                                        })}
                                    </div></td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </Show>
    }
    .into_any()
}

/// Join a network (picked from those it is not in), and — where the provider does not say
/// which networks the VM is in — leave one (picked from all).
#[component]
fn JoinLeave(conn: ConnId, vm: VmId, caps: &'static Caps, scope: Scope) -> impl IntoView {
    if !caps.net.attach.offered() {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let joinable = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.conn(&conn);
            console.marks.vm(&conn, &vm);
            console.view(|v| v.joinable(&conn, &vm))
        })
    };
    let all = list_memo(console, conn.clone(), scope, ResourceKind::Network);
    let all =
        Memo::new(move |_| all.with(|l| l.as_ref().map(|l| l.items.clone()).unwrap_or_default()));
    let unnamed = !caps.net.members.offered();
    view! {
        <PickForm conn=conn.clone() vm=vm.clone() kind=ActionKind::AttachNetwork choices=joinable/>
        {unnamed.then(|| view! { <PickForm conn vm kind=ActionKind::DetachNetwork choices=all/> })}
    }
    .into_any()
}

#[component]
fn PickForm(
    conn: ConnId,
    vm: VmId,
    kind: ActionKind,
    choices: Memo<Vec<vigil_core::Res>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let picked = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let title = words::action_label(kind);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = picked.get_untracked();
        let chosen = choices.with_untracked(|c| {
            c.iter()
                .find(|r| r.id == id)
                .or_else(|| c.first())
                .map(|r| (r.id.clone(), r.name.clone()))
        });
        let Some((network, name)) = chosen else {
            error.set(Some(words::ResRefusal::Choose.to_string()));
            return;
        };
        let action = match kind {
            ActionKind::AttachNetwork => Action::AttachNetwork { network, name },
            _ => Action::DetachNetwork { network, name },
        };
        let cmd = Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action,
        };
        error.set(console.intend(cmd).err().map(|w| w.to_string()));
    };
    let button = match kind {
        ActionKind::AttachNetwork => NetLabel::Join.text(),
        _ => NetLabel::Leave.text(),
    };
    view! {
        <form class="action-panel inline-form" aria-label=title on:submit=on_submit>
            <Show when=move || !choices.with(Vec::is_empty) fallback=|| view! {
                <p class="hint">{NetLabel::NothingToJoin.text()}</p>
            }>
                <label>{NetLabel::PickNetwork.text()}
                    <select name="network" on:change=move |ev| picked.set(event_target_value(&ev))>
                        {move || choices.get().into_iter().map(|r| view! {
                            <option value=r.id.clone()>{words::name(&r.name)}{r.cidr().map(|c| format!(" ({c})"))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="btn primary">{button.clone()}</button>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// The port forwards of the place's public IPs that point at this VM (their lists read).
#[component]
fn ForwardsToVm(
    conn: ConnId,
    vm: VmId,
    scope: Scope,
    stage: Memo<(usize, usize)>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let ips = list_memo(console, conn.clone(), scope.clone(), ResourceKind::PublicIp);
    let _read = read_following(
        console,
        conn.clone(),
        scope.clone(),
        ResourceKind::PublicIp,
        stage,
    );
    // Each public IP's rules, read once its list is there.
    {
        let (conn, scope) = (conn.clone(), scope.clone());
        Effect::new(move |_| {
            let ids: Vec<String> = ips.with(|l| l.as_ref().map(|l| l.ids()).unwrap_or_default());
            for id in ids {
                let rules = vigil_core::engine::View::rules_scope(&scope, &id);
                let unread =
                    console.view(|v| Some(v.list(&conn, &rules, ResourceKind::Forward).is_none()));
                if unread == Some(true) {
                    let _ = console.intend(Command::ReadList {
                        conn: conn.clone(),
                        scope: rules,
                        kind: ResourceKind::Forward,
                    });
                }
            }
        });
    }
    let rules = Memo::new(move |_| {
        console.marks.conn(&conn);
        console.view(|v| v.forwards_to(&conn, &scope, &vm))
    });
    view! {
        <section class="net-part" aria-labelledby="vm-fwd-h">
            <h3 id="vm-fwd-h">{NetLabel::ForwardsToVm.text()}</h3>
            <Show when=move || !rules.with(Vec::is_empty) fallback=|| view! {
                <p class="hint">{NetLabel::NoForwardsToVm.text()}</p>
            }>
                <table class="points net-table">
                    <caption>{NetLabel::ForwardsToVm.text()}</caption>
                    <thead><tr>
                        <th scope="col">{NetLabel::Address.text()}</th>
                        <th scope="col">{NetLabel::Protocol.text()}</th>
                        <th scope="col">{NetLabel::ExternalPort.text()}</th>
                        <th scope="col">{NetLabel::InternalPort.text()}</th>
                        <th scope="col">{NetLabel::State.text()}</th>
                    </tr></thead>
                    <tbody>
                        {move || rules.get().into_iter().map(|f| {
                            let spec = f.rule.forward().cloned();
                            view! {
                                <tr>
                                    <th scope="row"><code>{f.address.clone()}</code></th>
                                    <td data-label=NetLabel::Protocol.text()>{spec.as_ref().map(|s| NetLabel::ProtocolName(s.protocol).text())}</td>
                                    <td data-label=NetLabel::ExternalPort.text()>{spec.as_ref().map(|s| s.external_port.to_string())}</td>
                                    <td data-label=NetLabel::InternalPort.text()>{spec.as_ref().map(|s| s.internal_port.to_string())}</td>
                                    <td data-label=NetLabel::State.text()>{state_text(&f.rule)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
            <p><a href=Route::Networks.href()>{NetLabel::ManageOnNetworksPage.text()}</a></p>
        </section>
    }
}
