//! The Networks page (`#/networks`): every connection's private networks (name, range, state,
//! the VMs in each with their internal addresses; create, delete), and where the provider has
//! them its public IPs and their port forwards ([`crate::networks_ips`]). What a provider lacks
//! is said with its typed reason. Every operation's progress and verified end shows in the
//! section's "Under way and recent" list; every rule is vigil-core's (its refusals shown inline).
//!
//! A VM's Network tab uses [`VmNetworks`] ([`crate::networks_vm`]).

use leptos::prelude::*;
use vigil_core::dialect::{Avail, NetCaps};
use vigil_core::engine::{ActivityItem, NetPlace};
use vigil_core::words::{self, Label, NetLabel};
use vigil_core::{
    Action, ActionKind, Caps, Command, ConnId, OpId, Operation, Phase, Res, ResList, ResState,
    ResourceKind, Scope,
};

use crate::activity::ActivityList;
use crate::console::Console;
pub use crate::networks_vm::VmNetworks;

#[component]
pub fn NetworksPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let conns = Memo::new(move |_| {
        console.marks.connections();
        console.view(|v| v.connections().map(|c| c.id.clone()).collect::<Vec<_>>())
    });
    view! {
        <h2 id="networks-h">{Label::Networks.text()}</h2>
        <For each=move || conns.get() key=|c| c.clone() let:conn>
            <ConnNetworks conn/>
        </For>
    }
}

/// One connection's part: its places (ZennoHosting's projects), each with its networks and
/// public IPs; or why the provider has none.
#[component]
fn ConnNetworks(conn: ConnId) -> impl IntoView {
    let console = expect_context::<Console>();
    let found = console.view(|v| Some((v.connection(&conn)?.name.clone(), v.caps(&conn)?)));
    let Some((name, caps)) = found else {
        return ().into_any();
    };
    let title = NetLabel::Connection {
        name,
        provider: caps.kind,
    }
    .text();
    let net = caps.net;
    let offers = net.networks.list.offered() || net.public_ips.list.offered();
    let places = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.rows();
            console.marks.catalogue(&conn);
            console.view(|v| v.net_places(&conn))
        })
    };
    if net.per_place {
        // The catalogue names the projects that hold no VM yet.
        let _ = console.intend(Command::LoadCatalogue {
            conn: conn.clone(),
            region: None,
        });
    }
    let (ops, stage) = net_ops(console, conn.clone(), |_| true);
    let slug = conn.as_str().to_string();
    let recent = format!("{} · {}", NetLabel::Recent.text(), title);
    view! {
        <section class="net-conn" aria-label=title.clone() data-conn=slug>
            <h3>{title.clone()}</h3>
            {if offers {
                view! {
                    <Show when=move || !ops.with(Vec::is_empty)>
                        <section class="points-running" aria-label=recent.clone()>
                            <h4>{NetLabel::Recent.text()}</h4>
                            <ActivityList list=ops/>
                        </section>
                    </Show>
                    <For each=move || places.get() key=|p| p.scope.clone() let:place>
                        <Place conn=conn.clone() caps place stage/>
                    </For>
                    <Absences caps/>
                }.into_any()
            } else {
                view! { <Absences caps/> }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// One place's networks and public IPs.
#[component]
fn Place(
    conn: ConnId,
    caps: &'static Caps,
    place: NetPlace,
    stage: Memo<(usize, usize)>,
) -> impl IntoView {
    let scope = place.scope.clone();
    let heading = scope
        .place()
        .map(|p| NetLabel::Project(place.label.clone().unwrap_or_else(|| p.to_string())).text());
    view! {
        <div class="net-place">
            {heading.map(|h| view! { <h4>{h}</h4> })}
            <Networks conn=conn.clone() caps scope=scope.clone() stage/>
            <crate::networks_ips::PublicIps conn caps scope stage/>
        </div>
    }
}

/// What the provider lacks of networks, public IPs and forwards, each with its reason.
#[component]
pub(crate) fn Absences(caps: &'static Caps) -> impl IntoView {
    let absent = absences(&caps.net);
    (!absent.is_empty()).then(|| {
        view! {
            <ul class="absent">
                {absent.into_iter().map(|(k, why)| view! {
                    <li>{words::not_offered_here(caps.kind, &[words::action_label(k)])}" "{why.to_string()}</li>
                }).collect_view()}
            </ul>
        }
    })
}

fn absences(net: &NetCaps) -> Vec<(ActionKind, vigil_core::dialect::Absent)> {
    [
        ActionKind::CreateNetwork,
        ActionKind::DeleteNetwork,
        ActionKind::AttachNetwork,
        ActionKind::AllocateIp,
        ActionKind::CreateForward,
    ]
    .into_iter()
    .filter_map(|k| match net.avail(k) {
        Some(Avail::Absent(why)) => Some((k, why)),
        _ => None,
    })
    .collect()
}

/// Whether the action is about networks, public IPs or rules (a VM's join and leave too).
pub(crate) fn is_net(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::CreateNetwork
            | ActionKind::DeleteNetwork
            | ActionKind::AttachNetwork
            | ActionKind::DetachNetwork
            | ActionKind::SetVpc
            | ActionKind::AllocateIp
            | ActionKind::ReleaseIp
            | ActionKind::CreateForward
            | ActionKind::UpdateForward
            | ActionKind::DeleteForward
    )
}

/// `conn`'s operations on networks, public IPs and rules that `keep` keeps (newest first), and
/// how far they are: how many the provider accepted, how many ended (both only grow).
pub(crate) fn net_ops(
    console: Console,
    conn: ConnId,
    keep: impl Fn(&Operation) -> bool + Send + Sync + 'static,
) -> (Memo<Vec<ActivityItem>>, Memo<(usize, usize)>) {
    let found = Memo::new(move |_| {
        console.marks.activity();
        console.view(|v| {
            let mut ops: Vec<&Operation> = v
                .operations()
                .filter(|o| o.connection == conn && is_net(o.action.kind()) && keep(o))
                .collect();
            ops.sort_by_key(|o| std::cmp::Reverse(o.submitted_at));
            ops.into_iter()
                .map(|o| (o.id.clone(), o.phase))
                .collect::<Vec<(OpId, Phase)>>()
        })
    });
    crate::activity::followed(found)
}

/// A list as last read, following the connection's mark.
pub(crate) fn list_memo(
    console: Console,
    conn: ConnId,
    scope: Scope,
    kind: ResourceKind,
) -> Memo<Option<ResList>> {
    Memo::new(move |_| {
        console.marks.conn(&conn);
        console.view(|v| v.list(&conn, &scope, kind).cloned())
    })
}

/// Reads the list now, and again each time `stage` moves (an operation accepted or ended).
pub(crate) fn read_following(
    console: Console,
    conn: ConnId,
    scope: Scope,
    kind: ResourceKind,
    stage: Memo<(usize, usize)>,
) -> impl Fn() + Clone + 'static {
    let read = move || {
        let _ = console.intend(Command::ReadList {
            conn: conn.clone(),
            scope: scope.clone(),
            kind,
        });
    };
    crate::activity::read_now_and_on(stage, read.clone());
    read
}

/// A state as the provider says it; a value Vigil does not know, raw.
pub(crate) fn state_text(r: &Res) -> String {
    match &r.state {
        ResState::Unknown(_) => words::name(&r.status_raw),
        s => words::res_state(s),
    }
}

/// "Reading…", "Read again" and the last read's error, above a list.
#[component]
pub(crate) fn ListHead(
    list: Memo<Option<ResList>>,
    read: impl Fn() + Clone + Send + Sync + 'static,
    what: String,
    /// Only while it reads, and its error: no button (a public IP's rules, read with it).
    #[prop(optional)]
    quiet: bool,
) -> impl IntoView {
    let reading = move || list.with(|l| l.as_ref().is_none_or(|l| l.reading));
    let error = move || {
        list.with(|l| {
            l.as_ref()
                .and_then(|l| l.error.as_ref().map(|e| e.to_string()))
        })
    };
    view! {
        <div class="points-head" class:quiet=quiet>
            <p class="hint" aria-live="polite">{move || reading().then(|| NetLabel::Reading.text())}</p>
            {(!quiet).then(|| view! {
                <button type="button" class="btn small" aria-label=words::on(&NetLabel::ReadAgain.text(), &what)
                    on:click=move |_| read()>{NetLabel::ReadAgain.text()}</button>
            })}
        </div>
        {move || error().map(|e| view! { <p class="error" role="alert">{NetLabel::ReadFailed.text()}" "{e}</p> })}
    }
}

/// One place's private networks: the table, create, delete.
#[component]
fn Networks(
    conn: ConnId,
    caps: &'static Caps,
    scope: Scope,
    stage: Memo<(usize, usize)>,
) -> impl IntoView {
    let ops = caps.net.networks;
    if let Avail::Absent(why) = ops.list {
        let what = words::res_plural(ResourceKind::Network);
        return view! {
            <p class="absent">{words::not_offered_here(caps.kind, &[what])}" "{why.to_string()}</p>
        }
        .into_any();
    }
    let console = expect_context::<Console>();
    let list = list_memo(console, conn.clone(), scope.clone(), ResourceKind::Network);
    let read = read_following(
        console,
        conn.clone(),
        scope.clone(),
        ResourceKind::Network,
        stage,
    );
    let items =
        Memo::new(move |_| list.with(|l| l.as_ref().map(|l| l.items.clone()).unwrap_or_default()));
    let pending = RwSignal::new(None::<Pending>);
    let refused = RwSignal::new(None::<String>);
    let caption = NetLabel::PrivateNetworks.text();
    let in_table = caption.clone();
    let (c2, s2) = (
        StoredValue::new(conn.clone()),
        StoredValue::new(scope.clone()),
    );
    view! {
        <div class="net-part">
            <ListHead list read what=caption.clone()/>
            {move || refused.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || !items.with(Vec::is_empty) fallback=move || view! {
                <p class="hint">{move || list.with(|l| l.as_ref().is_some_and(|l| !l.reading)).then(|| NetLabel::NoneYet(ResourceKind::Network).text())}</p>
            }>
                <table class="points net-table">
                    <caption>{in_table.clone()}</caption>
                    <thead><tr>
                        <th scope="col">{NetLabel::Name.text()}</th>
                        <th scope="col">{NetLabel::Range.text()}</th>
                        <th scope="col">{NetLabel::State.text()}</th>
                        <th scope="col">{NetLabel::Vms.text()}</th>
                        <th scope="col">{NetLabel::Actions.text()}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || items.get() key=|r| format!("{r:?}") let:r>
                            <NetworkRow conn=c2.get_value() caps scope=s2.get_value() r pending refused/>
                        </For>
                    </tbody>
                </table>
            </Show>
            {(!caps.net.members.offered()).then(|| view! { <p class="hint">{NetLabel::MembersNotShown(caps.kind).text()}</p> })}
            <CreateNetwork conn=conn.clone() caps scope=scope.clone()/>
            <Confirm conn pending/>
        </div>
    }
    .into_any()
}

#[component]
fn NetworkRow(
    conn: ConnId,
    caps: &'static Caps,
    scope: Scope,
    r: Res,
    pending: RwSignal<Option<Pending>>,
    refused: RwSignal<Option<String>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let range = match (r.cidr(), caps.net.cidr) {
        (Some(c), _) => view! { <code>{c.to_string()}</code> }.into_any(),
        (None, Avail::Absent(_)) => {
            view! { <span class="hint">{NetLabel::RangeNotShown(caps.kind).text()}</span> }
                .into_any()
        }
        (None, _) => view! { <span class="hint">{NetLabel::RangePending.text()}</span> }.into_any(),
    };
    let members = {
        let (conn, scope, r) = (conn.clone(), scope.clone(), r.clone());
        Memo::new(move |_| {
            console.marks.rows();
            console.marks.any_vm();
            console.view(|v| v.network_members(&conn, &scope, &r))
        })
    };
    let delete = caps.net.networks.delete.offered().then(|| {
        let action = Action::DeleteNetwork {
            id: r.id.clone(),
            name: r.name.clone(),
        };
        let cmd = Command::ActRes {
            conn: conn.clone(),
            scope: scope.clone(),
            action,
        };
        let text = NetLabel::ConfirmDelete {
            kind: ResourceKind::Network,
            name: r.name.clone(),
        }
        .text();
        let title = words::on(words::action_label(ActionKind::DeleteNetwork), &r.name);
        let label = title.clone();
        view! {
            <button type="button" class="btn small danger" aria-label=label
                on:click=move |_| ask(console, cmd.clone(), title.clone(), text.clone(), pending, refused)>
                {NetLabel::Delete.text()}
            </button>
        }
    });
    let ready = r.state == ResState::Ready;
    view! {
        <tr>
            <th scope="row"><bdi>{words::name(&r.name)}</bdi></th>
            <td data-label=NetLabel::Range.text()>{range}</td>
            <td class=if ready { "ok" } else { "" } data-label=NetLabel::State.text()>{state_text(&r)}</td>
            <td data-label=NetLabel::Vms.text()>{move || match members.get() {
                None => view! { <span class="hint">"—"</span> }.into_any(),
                Some(m) if m.is_empty() => view! { <span class="hint">{NetLabel::NoVms.text()}</span> }.into_any(),
                Some(m) => view! {
                    <ul class="members">
                        {m.into_iter().map(|m| view! {
                            <li><bdi>{words::name(&m.name)}</bdi>" "<code>{m.internal_ip.unwrap_or_default()}</code></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}</td>
            <td><div class="row-actions">{delete}</div></td>
        </tr>
    }
}

/// Asks first, unless vigil-core refuses it already (a network with VMs in it: named).
pub(crate) fn ask(
    console: Console,
    cmd: Command,
    title: String,
    text: String,
    pending: RwSignal<Option<Pending>>,
    refused: RwSignal<Option<String>>,
) {
    match console.view(|v| Some(v.check(&cmd))) {
        Some(Err(why)) => refused.set(Some(why.to_string())),
        _ => {
            refused.set(None);
            pending.set(Some(Pending { cmd, title, text }));
        }
    }
}

/// "Create network": its name (the provider assigns the range).
#[component]
fn CreateNetwork(conn: ConnId, caps: &'static Caps, scope: Scope) -> impl IntoView {
    if !caps.net.networks.create.offered() {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let title = words::action_label(ActionKind::CreateNetwork);
    let form_label = match scope.place() {
        Some(p) => words::on(title, p),
        None => title.to_string(),
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cmd = Command::ActRes {
            conn: conn.clone(),
            scope: scope.clone(),
            action: Action::CreateNetwork {
                name: name.get_untracked(),
            },
        };
        match console.intend(cmd) {
            Ok(_) => {
                error.set(None);
                name.set(String::new());
            }
            Err(why) => error.set(Some(why.to_string())),
        }
    };
    view! {
        <form class="action-panel inline-form" aria-label=form_label on:submit=on_submit>
            <label>{NetLabel::NetworkName.text()}
                <input type="text" name="network-name" required prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            <button type="submit" class="btn primary">{title}</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
    .into_any()
}

/// A confirmation asked for: the command, and what the dialog says.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub cmd: Command,
    pub title: String,
    pub text: String,
}

#[component]
pub(crate) fn Confirm(conn: ConnId, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    let _ = conn;
    move || pending.get().map(|p| view! { <ConfirmDialog p pending/> })
}

#[component]
fn ConfirmDialog(p: Pending, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    let console = expect_context::<Console>();
    let node = crate::dialogs::use_modal();
    let close = move || pending.set(None);
    let error = RwSignal::new(None::<String>);
    let cmd = p.cmd.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match console.intend(cmd.clone()) {
            Ok(_) => close(),
            Err(why) => error.set(Some(why.to_string())),
        }
    };
    let button = p.title.clone();
    view! {
        <dialog class="modal" node_ref=node
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); close(); }
            on:close=move |_| close()>
            <form class="action-panel" aria-label=p.title.clone() on:submit=on_submit>
                <h2>{p.title.clone()}</h2>
                <p class="hint">{p.text.clone()}</p>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="row-actions">
                    <button type="submit" class="btn primary danger">{button}</button>
                    <button type="button" class="btn" on:click=move |_| close()>{Label::Cancel.text()}</button>
                </div>
            </form>
        </dialog>
    }
}
