//! A VM page's Network tab: its addresses (with reverse DNS), its networks, the port forwards
//! pointing at it, its VPC, its volumes, its firewall, "Refresh from the host" and the console
//! — each part only where the provider's `Caps` offer it, the rest said with its typed reason.
//! The parts: [`crate::vm_network_addresses`], [`crate::vm_network_firewall`],
//! [`crate::vm_network_console`]; networks and volumes are their pages' own.

use leptos::prelude::*;
use vigil_core::dialect::Avail;
use vigil_core::engine::{ActivityFilter, ActivityItem};
use vigil_core::words::{self, VmNetLabel};
use vigil_core::{Action, ActionKind, Caps, Command, ConnId, VmId};

use crate::activity::ActivityList;
use crate::console::Console;
use crate::networks::VmNetworks;
use crate::vm_network_addresses::{Addresses, Vpc};
use crate::vm_network_console::ConsoleAccess;
use crate::vm_network_firewall::Firewall;
use crate::volumes::VmVolumes;

/// The kinds of operation this tab starts and follows.
pub const KINDS: [ActionKind; 7] = [
    ActionKind::AssignIp,
    ActionKind::RemoveIp,
    ActionKind::SetReverseDns,
    ActionKind::SetVpc,
    ActionKind::ApplyFirewall,
    ActionKind::SyncState,
    ActionKind::OpenConsole,
];

#[component]
pub fn NetworkTab(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let console = expect_context::<Console>();
    let (running, ended) = tab_ops(console, conn.clone(), vm.clone());
    view! {
        <Show when=move || !running.with(Vec::is_empty)>
            <section class="net-running" aria-label=VmNetLabel::Running.to_string()>
                <ActivityList list=running/>
            </section>
        </Show>
        <Addresses conn=conn.clone() vm=vm.clone() caps/>
        <VmNetworks conn=conn.clone() vm=vm.clone() caps/>
        <Vpc conn=conn.clone() vm=vm.clone() caps/>
        <VmVolumes conn=conn.clone() vm=vm.clone() caps/>
        <Firewall conn=conn.clone() vm=vm.clone() caps ended/>
        <Refresh conn=conn.clone() vm=vm.clone() caps/>
        <ConsoleAccess conn vm caps/>
        <Absences caps/>
    }
}

/// This VM's latest operations of this tab's kinds (newest first, each to its verified end),
/// and how many of them have ended so far (it only grows: a part reads its list again when it moves).
fn tab_ops(console: Console, conn: ConnId, vm: VmId) -> (Memo<Vec<ActivityItem>>, Memo<usize>) {
    let found = Memo::new(move |_| {
        console.marks.activity();
        console.view(|v| {
            v.activity(ActivityFilter::All, Some((&conn, &vm)))
                .into_iter()
                .filter_map(|i| match i {
                    ActivityItem::Op(id) => {
                        let op = v.operation(&id)?;
                        KINDS.contains(&op.action.kind()).then_some((id, op.phase))
                    }
                    ActivityItem::Workflow(_) => None,
                })
                .collect::<Vec<_>>()
        })
    });
    let open = Memo::new(move |_| {
        found.with(|f| {
            f.iter()
                .map(|(id, _)| ActivityItem::Op(id.clone()))
                .take(5)
                .collect()
        })
    });
    let ended = Memo::new(move |_| found.with(|f| f.iter().filter(|(_, p)| !p.is_open()).count()));
    (open, ended)
}

/// A part's heading and, where the provider lacks it, nothing (the reasons are listed once, at
/// the end of the tab).
pub fn offered(caps: &'static Caps, kind: ActionKind) -> bool {
    caps.offers(kind)
}

/// Sends an intent; its refusal, if any, goes to `error` (shown inline, where the user acted).
pub fn intend(console: Console, cmd: Command, error: RwSignal<Option<String>>) -> bool {
    match console.intend(cmd) {
        Ok(_) => {
            error.set(None);
            true
        }
        Err(why) => {
            error.set(Some(why.to_string()));
            false
        }
    }
}

/// "Refresh from the host" (ONETSolutions' `sync_vps_state`): what it does, and the button.
#[component]
fn Refresh(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    if !offered(caps, ActionKind::SyncState) {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        let cmd = Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action: Action::SyncState,
        };
        intend(console, cmd, error);
    };
    view! {
        <section class="net-part" aria-labelledby="net-refresh-h">
            <h3 id="net-refresh-h">{VmNetLabel::RefreshHeading.to_string()}</h3>
            <p class="hint">{VmNetLabel::RefreshWhat.to_string()}</p>
            <button type="button" class="btn" on:click=click>{VmNetLabel::RefreshFromHost.to_string()}</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
    .into_any()
}

/// What the provider does not offer on this tab, each with its typed reason.
#[component]
fn Absences(caps: &'static Caps) -> impl IntoView {
    let parts = [
        (ActionKind::AssignIp, caps.vm_net.addresses),
        (ActionKind::SetReverseDns, caps.vm_net.reverse_dns),
        (ActionKind::SetVpc, caps.net.vpc),
        (ActionKind::ApplyFirewall, caps.vm_net.firewall),
        (ActionKind::SyncState, caps.vm_net.sync),
        (ActionKind::OpenConsole, caps.vm_net.console),
    ];
    let absent: Vec<_> = parts
        .into_iter()
        .filter_map(|(k, a)| match a {
            Avail::Absent(why) => Some((k, why)),
            _ => None,
        })
        .collect();
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
