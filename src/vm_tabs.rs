//! A VM page's tab panels: the overview (every address with a copy button, size, image,
//! region, the provider's status as given), power, snapshots, backups, resize, rebuild,
//! rename, delete (their forms, in place) and history. Each shows what the provider offers, from
//! its `Caps`, and says plainly what it does not.

use leptos::prelude::*;
use vigil_core::engine::{ActivityItem, Choice, VmCommand};
use vigil_core::words::{self, Column, Label, PageLabel};
use vigil_core::{ActionKind, Caps, ConnId, PointKind, Refusal, VmId};

use crate::activity::ActivityList;
use crate::console::Console;
use crate::copy::CopyButton;
use crate::dialogs::DeleteForm;
use crate::forms::ActionForm;
use crate::menu::CommandButton;
use crate::points::PointsTab;
use crate::route::VmTab;
use crate::vm_page::Details;

/// The power commands, in the order the Power tab shows them.
const POWER: [ActionKind; 6] = [
    ActionKind::Start,
    ActionKind::Shutdown,
    ActionKind::PowerOff,
    ActionKind::Reboot,
    ActionKind::PowerCycle,
    ActionKind::PasswordReset,
];

#[component]
pub fn TabPanel(
    conn: ConnId,
    vm: VmId,
    tab: VmTab,
    data: Memo<Option<Details>>,
    name: Signal<String>,
    history: Memo<Vec<ActivityItem>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let Some(caps) = console.view(|v| v.caps(&conn)) else {
        return view! { <p class="error">{Refusal::UnknownConnection.to_string()}</p> }.into_any();
    };
    let choices = Signal::derive(move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| d.row.choices.clone())
                .unwrap_or_default()
        })
    });
    match tab {
        VmTab::Overview => view! { <Overview data/> }.into_any(),
        VmTab::Power => view! { <Power conn vm name choices caps/> }.into_any(),
        VmTab::Network => view! { <crate::vm_network::NetworkTab conn vm caps/> }.into_any(),
        VmTab::History => view! {
            <Show when=move || !history.with(Vec::is_empty) fallback=|| view! {
                <p class="hint">{Label::NoHistory.text()}</p>
            }>
                <ActivityList list=history/>
            </Show>
        }
        .into_any(),
        VmTab::Rebuild => view! { <crate::rebuild::RebuildTab conn vm caps choices/> }.into_any(),
        VmTab::Snapshots => view! { <PointsTab conn vm kind=PointKind::Snapshot caps/> }.into_any(),
        VmTab::Backups => view! { <PointsTab conn vm kind=PointKind::Backup caps/> }.into_any(),
        VmTab::Resize => {
            view! { <InPlace conn vm kind=ActionKind::Resize choices caps/> }.into_any()
        }
        // The VM's name in the provider's panel, and the guest's hostname where the provider
        // changes it (else why not).
        VmTab::Rename => view! {
            <InPlace conn=conn.clone() vm=vm.clone() kind=ActionKind::Rename choices caps/>
            <InPlace conn vm kind=ActionKind::SetHostname choices caps/>
        }
        .into_any(),
        VmTab::Delete => {
            view! { <InPlace conn vm kind=ActionKind::Delete choices caps/> }.into_any()
        }
    }
}

/// What a provider without this says: "cloudsfor does not offer: Restore backup."
fn absent(caps: &'static Caps, what: &str) -> impl IntoView {
    view! {
        <p class="absent">{words::not_offered_here(caps.kind, &[what])}</p>
    }
}

/// One action's form in its tab, with why it may not run now above it; or, where the provider
/// does not offer it, that.
#[component]
fn InPlace(
    conn: ConnId,
    vm: VmId,
    kind: ActionKind,
    choices: Signal<Vec<Choice>>,
    caps: &'static Caps,
) -> impl IntoView {
    if !caps.offers(kind) {
        return absent(caps, words::action_label(kind)).into_any();
    }
    let command = VmCommand::Action(kind);
    let said = move || {
        choices.with(|cs| {
            cs.iter()
                .find(|c| c.command == command)
                .map(|c| match &c.reason {
                    Some(why) => (true, why.to_string()),
                    None => (
                        false,
                        if c.through_stop {
                            words::choice_hint(command, true)
                        } else {
                            String::new()
                        },
                    ),
                })
        })
    };
    view! {
        {move || said().filter(|(_, s)| !s.is_empty()).map(|(refused, s)| view! {
            <p class=if refused { "why refused-now" } else { "hint" }>{s}</p>
        })}
        {if kind == ActionKind::Delete {
            view! { <DeleteForm conn vm inline=true/> }.into_any()
        } else {
            view! { <ActionForm conn vm kind inline=true/> }.into_any()
        }}
    }
    .into_any()
}

/// Every power command the provider offers, each enabled or with why not beside it; then what
/// it does not offer.
#[component]
fn Power(
    conn: ConnId,
    vm: VmId,
    name: Signal<String>,
    choices: Signal<Vec<Choice>>,
    caps: &'static Caps,
) -> impl IntoView {
    let power = |c: VmCommand| match c {
        VmCommand::Stop => true,
        VmCommand::Action(k) => POWER.contains(&k),
    };
    let commands: Vec<VmCommand> =
        choices.with_untracked(|cs| cs.iter().map(|c| c.command).filter(|c| power(*c)).collect());
    let missing: Vec<&str> = POWER
        .iter()
        .chain(crate::boot::OPTIONS.iter())
        .filter(|k| !caps.offers(**k))
        .map(|k| words::action_label(*k))
        .collect();
    view! {
        <ul class="power" aria-label=PageLabel::PowerActions.text()>
            {commands.into_iter().map(|command| {
                let choice = Signal::derive(move || choices.with(|cs| cs.iter().find(|c| c.command == command).cloned()));
                view! {
                    <li>
                        <CommandButton conn=conn.clone() vm=vm.clone() name command choice why_shown=true/>
                        <span class="hint">{move || choice.with(|c| c.as_ref().filter(|c| c.reason.is_none()).map(|c| words::choice_hint(command, c.through_stop)).filter(|h| h != words::command_label(command)))}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
        <crate::boot::ProviderOptions conn=conn.clone() vm=vm.clone() name choices caps/>
        {(!missing.is_empty()).then(|| view! {
            <p class="absent">{words::not_offered_here(caps.kind, &missing)}</p>
        })}
    }
}

/// The VM as the provider shows it: addresses (each with a copy button), size, image, region,
/// its status as given, its connection.
#[component]
fn Overview(data: Memo<Option<Details>>) -> impl IntoView {
    let get = move |f: fn(&Details) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let addresses = Memo::new(move |_| {
        data.with(|d| {
            d.as_ref()
                .map(|d| d.vm.addresses.clone())
                .unwrap_or_default()
        })
    });
    view! {
        <dl class="details">
            <dt>{Label::Addresses.text()}</dt>
            <dd class="addresses">
                <Show when=move || !addresses.with(Vec::is_empty) fallback=|| view! {
                    <span class="hint">{PageLabel::NoAddresses.text()}</span>
                }>
                    <ul class="ips">
                        <For each=move || addresses.get() key=|a| a.ip.clone() let:a>
                            <li>
                                <span class="ip-kind">{words::address_kind(a.public, a.version)}</span>
                                <code class="ip">{a.ip.clone()}</code>
                                <CopyButton text=a.ip.clone()/>
                            </li>
                        </For>
                    </ul>
                </Show>
            </dd>
            <dt>{words::column(Column::Size)}</dt><dd>{get(|d| words::size_label(&d.vm.size))}</dd>
            <dt>{Label::Image.text()}</dt><dd>{get(|d| d.vm.image.clone().unwrap_or_else(|| words::NOTHING.into()))}</dd>
            <dt>{words::column(Column::Region)}</dt><dd>{get(|d| d.row.region.clone())}</dd>
            <dt>{Label::StatusFromProvider.text()}</dt>
            <dd>{get(|d| words::provider_status(&d.vm.status_raw, d.vm.locked))}</dd>
            <dt>{PageLabel::Connection.text()}</dt><dd>{get(|d| d.provider.clone())}</dd>
            {move || data.with(|d| d.as_ref().and_then(|d| d.vm.hostname.clone())).map(|h| view! { <dt>{Label::Hostname.text()}</dt><dd><code class="hostname">{h}</code></dd> })}
            <dt>{Label::Id.text()}</dt><dd><code>{get(|d| d.vm.id.to_string())}</code></dd>
            {move || data.with(|d| d.as_ref().and_then(|d| d.vm.project.clone())).map(|p| view! { <dt>{Label::Project.text()}</dt><dd>{p}</dd> })}
        </dl>
    }
}
