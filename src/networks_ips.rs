//! The Networks page's public IPs (ZennoHosting): each address with its state and VM, allocate
//! and release; per address its port-forward rules in a table — add, change, delete (protocol,
//! external port, the VM picked from the place's VMs, internal port). A port already taken is
//! refused before sending where the rules were read, else said in the provider's words in the
//! operation's entry.

use leptos::prelude::*;
use vigil_core::engine::View;
use vigil_core::words::{self, NetLabel};
use vigil_core::{
    Action, ActionKind, Caps, Command, ConnId, ForwardSpec, Protocol, Res, ResState, ResourceKind,
    Scope, VmId,
};

use crate::console::Console;
use crate::networks::{ask, list_memo, read_following, state_text, Confirm, ListHead, Pending};

/// One place's public IPs, where the provider has them.
#[component]
pub fn PublicIps(
    conn: ConnId,
    caps: &'static Caps,
    scope: Scope,
    stage: Memo<(usize, usize)>,
) -> impl IntoView {
    if !caps.net.public_ips.list.offered() {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let list = list_memo(console, conn.clone(), scope.clone(), ResourceKind::PublicIp);
    let read = read_following(
        console,
        conn.clone(),
        scope.clone(),
        ResourceKind::PublicIp,
        stage,
    );
    let items =
        Memo::new(move |_| list.with(|l| l.as_ref().map(|l| l.items.clone()).unwrap_or_default()));
    let pending = RwSignal::new(None::<Pending>);
    let refused = RwSignal::new(None::<String>);
    let caption = NetLabel::PublicIps.text();
    let allocate_label = words::action_label(ActionKind::AllocateIp);
    let allocate = {
        let (conn, scope) = (conn.clone(), scope.clone());
        move |_| {
            let cmd = Command::ActRes {
                conn: conn.clone(),
                scope: scope.clone(),
                action: Action::AllocateIp,
            };
            refused.set(console.intend(cmd).err().map(|w| w.to_string()));
        }
    };
    let (c2, s2) = (
        StoredValue::new(conn.clone()),
        StoredValue::new(scope.clone()),
    );
    view! {
        <div class="net-part">
            <h4>{caption.clone()}</h4>
            <ListHead list read what=caption.clone()/>
            {move || refused.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || !items.with(Vec::is_empty) fallback=move || view! {
                <p class="hint">{move || list.with(|l| l.as_ref().is_some_and(|l| !l.reading)).then(|| NetLabel::NoneYet(ResourceKind::PublicIp).text())}</p>
            }>
                <ul class="public-ips">
                    <For each=move || items.get() key=|r| format!("{r:?}") let:ip>
                        <PublicIp conn=c2.get_value() caps scope=s2.get_value() ip stage pending refused/>
                    </For>
                </ul>
            </Show>
            {caps.net.public_ips.create.offered().then(|| view! {
                <button type="button" class="btn" on:click=allocate>{allocate_label}</button>
            })}
            <Confirm conn pending/>
        </div>
    }
    .into_any()
}

/// One public IP: its address, state and VM, Release, and its rules.
#[component]
fn PublicIp(
    conn: ConnId,
    caps: &'static Caps,
    scope: Scope,
    ip: Res,
    stage: Memo<(usize, usize)>,
    pending: RwSignal<Option<Pending>>,
    refused: RwSignal<Option<String>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let address = ip
        .address()
        .unwrap_or(NetLabel::RangePending.text().as_str())
        .to_string();
    let shown = ip.address().map_or_else(|| ip.id.clone(), str::to_string);
    let vm = ip.detail.clone();
    let attached = match vm {
        vigil_core::ResDetail::PublicIp { vm: Some(v), .. } => Some(vm_name(console, &conn, &v)),
        _ => None,
    };
    let release = caps.net.public_ips.delete.offered().then(|| {
        let cmd = Command::ActRes {
            conn: conn.clone(),
            scope: scope.clone(),
            action: Action::ReleaseIp {
                id: ip.id.clone(),
                address: shown.clone(),
            },
        };
        let title = words::on(words::action_label(ActionKind::ReleaseIp), &shown);
        let text = NetLabel::ConfirmRelease(shown.clone()).text();
        let label = title.clone();
        view! {
            <button type="button" class="btn small danger" aria-label=label
                on:click=move |_| ask(console, cmd.clone(), title.clone(), text.clone(), pending, refused)>
                {NetLabel::Release.text()}
            </button>
        }
    });
    let ready = ip.state == ResState::Ready;
    let rules = View::rules_scope(&scope, &ip.id);
    view! {
        <li class="public-ip">
            <div class="ip-head">
                <strong><code>{address}</code></strong>
                <span class=if ready { "ok" } else { "hint" }>{state_text(&ip)}</span>
                {attached.map(|a| view! { <span class="hint">{NetLabel::AttachedTo.text()}" "<bdi>{a}</bdi></span> })}
                {release}
            </div>
            {(ready && caps.net.forwards.list.offered()).then(|| view! {
                <Forwards conn caps place=scope rules address=shown stage/>
            })}
        </li>
    }
}

fn vm_name(console: Console, conn: &ConnId, vm: &VmId) -> String {
    console
        .view(|v| v.vm(conn, vm).map(|x| x.name.clone()))
        .unwrap_or_else(|| NetLabel::VmById(vm.to_string()).text())
}

/// A public IP's rules: the table, change one in place, delete, add.
#[component]
fn Forwards(
    conn: ConnId,
    caps: &'static Caps,
    place: Scope,
    rules: Scope,
    address: String,
    stage: Memo<(usize, usize)>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let list = list_memo(console, conn.clone(), rules.clone(), ResourceKind::Forward);
    let read = read_following(
        console,
        conn.clone(),
        rules.clone(),
        ResourceKind::Forward,
        stage,
    );
    let items =
        Memo::new(move |_| list.with(|l| l.as_ref().map(|l| l.items.clone()).unwrap_or_default()));
    let vms = {
        let conn = conn.clone();
        let place = place.place().map(str::to_string);
        Memo::new(move |_| {
            console.marks.rows();
            console.view(|v| {
                v.vms(&conn)
                    .iter()
                    .filter(|vm| place.is_none() || vm.project == place)
                    .map(|vm| (vm.id.clone(), vm.name.clone()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let editing = RwSignal::new(None::<String>);
    let pending = RwSignal::new(None::<Pending>);
    let refused = RwSignal::new(None::<String>);
    let caption = NetLabel::ForwardsOf(address.clone()).text();
    let in_table = caption.clone();
    let (c2, r2, a2) = (
        StoredValue::new(conn.clone()),
        StoredValue::new(rules.clone()),
        StoredValue::new(address.clone()),
    );
    view! {
        <div class="forwards">
            <ListHead list read what=caption.clone() quiet=true/>
            {move || refused.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || !items.with(Vec::is_empty) fallback=move || view! {
                <p class="hint">{move || list.with(|l| l.as_ref().is_some_and(|l| !l.reading)).then(|| NetLabel::NoneYet(ResourceKind::Forward).text())}</p>
            }>
                <table class="points net-table">
                    <caption>{in_table.clone()}</caption>
                    <thead><tr>
                        <th scope="col">{NetLabel::Protocol.text()}</th>
                        <th scope="col">{NetLabel::ExternalPort.text()}</th>
                        <th scope="col">{NetLabel::Vm.text()}</th>
                        <th scope="col">{NetLabel::InternalPort.text()}</th>
                        <th scope="col">{NetLabel::State.text()}</th>
                        <th scope="col">{NetLabel::Actions.text()}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || items.get() key=|r| format!("{r:?}") let:rule>
                            <RuleRow conn=c2.get_value() caps rules=r2.get_value() address=a2.get_value() rule vms editing pending refused/>
                        </For>
                    </tbody>
                </table>
            </Show>
            {caps.net.forwards.create.offered().then(|| view! {
                <details class="add-rule">
                    <summary>{words::action_label(ActionKind::CreateForward)}</summary>
                    <RuleForm conn=conn.clone() rules=rules.clone() address=address.clone() vms rule=None editing/>
                </details>
            })}
            <Confirm conn pending/>
        </div>
    }
}

/// `tcp/8080 · 203.0.113.7`: a rule as its buttons name it.
fn rule_title(label: &str, rule: &str, address: &str) -> String {
    format!("{} · {}", words::on(label, rule), words::name(address))
}

#[component]
#[allow(clippy::too_many_arguments)]
fn RuleRow(
    conn: ConnId,
    caps: &'static Caps,
    rules: Scope,
    address: String,
    rule: Res,
    vms: Memo<Vec<(VmId, String)>>,
    editing: RwSignal<Option<String>>,
    pending: RwSignal<Option<Pending>>,
    refused: RwSignal<Option<String>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let spec = rule.forward().cloned();
    let raw = match &rule.detail {
        vigil_core::ResDetail::Forward { raw_protocol, .. } => raw_protocol.clone(),
        _ => String::new(),
    };
    let id = rule.id.clone();
    let settled = !matches!(
        rule.state,
        ResState::Creating | ResState::Changing | ResState::Deleting | ResState::Unknown(_)
    );
    let change_label = rule_title(
        words::action_label(ActionKind::UpdateForward),
        &rule.name,
        &address,
    );
    let change = (caps.net.forwards.update.offered() && spec.is_some()).then(|| {
        let id = id.clone();
        view! {
            <button type="button" class="btn small" aria-label=change_label disabled=!settled
                on:click=move |_| editing.set(Some(id.clone()))>{NetLabel::Change.text()}</button>
        }
    });
    let delete = caps.net.forwards.delete.offered().then(|| {
        let cmd = Command::ActRes {
            conn: conn.clone(),
            scope: rules.clone(),
            action: Action::DeleteForward {
                id: id.clone(),
                name: rule.name.clone(),
            },
        };
        let title = rule_title(
            words::action_label(ActionKind::DeleteForward),
            &rule.name,
            &address,
        );
        let text = NetLabel::ConfirmDelete {
            kind: ResourceKind::Forward,
            name: rule.name.clone(),
        }
        .text();
        let label = title.clone();
        view! {
            <button type="button" class="btn small danger" aria-label=label disabled=!settled
                on:click=move |_| ask(console, cmd.clone(), title.clone(), text.clone(), pending, refused)>
                {NetLabel::Delete.text()}
            </button>
        }
    });
    let vm = spec.as_ref().map(|s| vm_name(console, &conn, &s.vm));
    let editing_this = {
        let id = id.clone();
        move || editing.get().as_deref() == Some(id.as_str())
    };
    let form_spec = spec.clone().map(|s| (id.clone(), s));
    view! {
        <tr>
            <td data-label=NetLabel::Protocol.text()>{spec.as_ref().map_or(raw, |s| NetLabel::ProtocolName(s.protocol).text())}</td>
            <th scope="row" data-label=NetLabel::ExternalPort.text()>{spec.as_ref().map(|s| s.external_port.to_string())}</th>
            <td data-label=NetLabel::Vm.text()><bdi>{vm}</bdi></td>
            <td data-label=NetLabel::InternalPort.text()>{spec.as_ref().map(|s| s.internal_port.to_string())}</td>
            <td class=if rule.state == ResState::Ready { "ok" } else { "" } data-label=NetLabel::State.text()>{state_text(&rule)}</td>
            <td><div class="row-actions">{change}{delete}</div></td>
        </tr>
        <Show when=editing_this.clone()>
            <tr class="edit-row"><td colspan="6">
                <RuleForm conn=conn.clone() rules=rules.clone() address=address.clone() vms rule=form_spec.clone() editing/>
            </td></tr>
        </Show>
    }
}

/// A rule's values: a new one (`rule` none) or a change of `rule`.
#[component]
fn RuleForm(
    conn: ConnId,
    rules: Scope,
    address: String,
    vms: Memo<Vec<(VmId, String)>>,
    rule: Option<(String, ForwardSpec)>,
    editing: RwSignal<Option<String>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let start = rule.as_ref().map(|(_, s)| s.clone());
    let protocol = RwSignal::new(start.as_ref().map_or(Protocol::Tcp, |s| s.protocol));
    let port = |p: Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
    let external = RwSignal::new(port(start.as_ref().map(|s| s.external_port)));
    let internal = RwSignal::new(port(start.as_ref().map(|s| s.internal_port)));
    let vm = RwSignal::new(start.as_ref().map(|s| s.vm.to_string()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let kind = match rule {
        Some(_) => ActionKind::UpdateForward,
        None => ActionKind::CreateForward,
    };
    let title = match &rule {
        Some((_, s)) => rule_title(words::action_label(kind), &s.name(), &address),
        None => format!("{} · {}", words::action_label(kind), words::name(&address)),
    };
    let id = rule.as_ref().map(|(id, _)| id.clone());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let picked = vm.get_untracked();
        let picked = if picked.is_empty() {
            vms.with_untracked(|v| v.first().map(|(id, _)| id.to_string()))
                .unwrap_or_default()
        } else {
            picked
        };
        let spec = ForwardSpec {
            protocol: protocol.get_untracked(),
            external_port: external.get_untracked().trim().parse().unwrap_or(0),
            vm: VmId::from(picked.as_str()),
            internal_port: internal.get_untracked().trim().parse().unwrap_or(0),
        };
        let action = match &id {
            Some(id) => Action::UpdateForward {
                id: id.clone(),
                spec,
            },
            None => Action::CreateForward(spec),
        };
        let cmd = Command::ActRes {
            conn: conn.clone(),
            scope: rules.clone(),
            action,
        };
        match console.intend(cmd) {
            Ok(_) => {
                error.set(None);
                if id.is_some() {
                    editing.set(None);
                } else {
                    external.set(String::new());
                    internal.set(String::new());
                }
            }
            Err(why) => error.set(Some(why.to_string())),
        }
    };
    let editing_one = kind == ActionKind::UpdateForward;
    view! {
        <form class="action-panel rule-form" aria-label=title.clone() on:submit=on_submit>
            <label>{NetLabel::Protocol.text()}
                <select name="protocol" on:change=move |ev| {
                    protocol.set(Protocol::parse(&event_target_value(&ev)).unwrap_or(Protocol::Tcp))
                }>
                    {[Protocol::Tcp, Protocol::Udp].into_iter().map(|p| view! {
                        <option value=p.as_str() selected=move || protocol.get() == p>{NetLabel::ProtocolName(p).text()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{NetLabel::ExternalPort.text()}
                <input type="number" name="external-port" min="1" max="65535" required
                    prop:value=move || external.get() on:input=move |ev| external.set(event_target_value(&ev))/>
            </label>
            <label>{NetLabel::Vm.text()}
                <select name="vm" on:change=move |ev| vm.set(event_target_value(&ev))>
                    {move || vms.get().into_iter().map(|(id, name)| {
                        let value = id.to_string();
                        let chosen = value.clone();
                        view! { <option value=value selected=move || vm.get() == chosen>{words::name(&name)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{NetLabel::InternalPort.text()}
                <input type="number" name="internal-port" min="1" max="65535" required
                    prop:value=move || internal.get() on:input=move |ev| internal.set(event_target_value(&ev))/>
            </label>
            <div class="row-actions">
                <button type="submit" class="btn primary">{if editing_one { NetLabel::Save.text() } else { words::action_label(kind).to_string() }}</button>
                {editing_one.then(|| view! {
                    <button type="button" class="btn" on:click=move |_| editing.set(None)>{words::Label::Cancel.text()}</button>
                })}
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}
