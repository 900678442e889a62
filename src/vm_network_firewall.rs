//! The Network tab's firewall (ONETSolutions): the rules the provider applies, read when the
//! tab opens and again after an operation of the tab ends, edited in a table (add and remove
//! rows, each rule's direction, protocol, ports, source and action) and applied as one set.
//! vigil-core checks the set before anything is sent; its refusal names the row.

use leptos::prelude::*;
use vigil_core::words::{self, VmNetLabel};
use vigil_core::{
    Action, ActionKind, Caps, Command, ConnId, FirewallRule, FwAction, FwDirection, FwProtocol,
    Res, ResDetail, ResourceKind, Scope, VmId,
};

use crate::console::Console;
use crate::vm_network::{intend, offered};

/// One row of the table as typed (`key`: its place in the list for the page, never sent).
#[derive(Clone, Debug, PartialEq)]
struct Row {
    key: u32,
    rule: FirewallRule,
}

fn blank() -> FirewallRule {
    FirewallRule {
        direction: FwDirection::In,
        protocol: FwProtocol::Tcp,
        ports: String::new(),
        source: "0.0.0.0/0".into(),
        action: FwAction::Allow,
    }
}

#[component]
pub fn Firewall(
    conn: ConnId,
    vm: VmId,
    caps: &'static Caps,
    /// How many of the tab's operations have ended (the rules are read again when it moves).
    ended: Memo<usize>,
) -> impl IntoView {
    if !offered(caps, ActionKind::ApplyFirewall) {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let scope = Scope::Vm(vm.clone());
    let read = {
        let (conn, scope) = (conn.clone(), scope.clone());
        move || {
            let _ = console.intend(Command::ReadList {
                conn: conn.clone(),
                scope: scope.clone(),
                kind: ResourceKind::Firewall,
            });
        }
    };
    read();
    Effect::new({
        let read = read.clone();
        move |before: Option<usize>| {
            let now = ended.get();
            if before.is_some_and(|b| b != now) {
                read();
            }
            now
        }
    });
    let shown = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.conn(&conn);
            console.view(|v| v.firewall(&conn, &vm).cloned())
        })
    };
    let rows = RwSignal::new(Vec::<Row>::new());
    let next = StoredValue::new(0u32);
    let edited = RwSignal::new(false);
    let fresh = move |rule: FirewallRule| {
        let key = next.get_value();
        next.set_value(key + 1);
        Row { key, rule }
    };
    // The table follows what the provider shows until the user edits it.
    Effect::new(move |_| {
        let Some(res) = shown.get() else { return };
        if !edited.get_untracked() {
            rows.set(rules_of(&res).into_iter().map(fresh).collect());
        }
    });
    let error = RwSignal::new(None::<String>);
    let list_error = {
        let conn = conn.clone();
        move || {
            console.view(|v| {
                v.list(&conn, &scope, ResourceKind::Firewall)
                    .and_then(|l| l.error.as_ref().map(|e| e.to_string()))
            })
        }
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rules: Vec<FirewallRule> =
            rows.with_untracked(|r| r.iter().map(|r| r.rule.clone()).collect());
        let cmd = Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action: Action::ApplyFirewall { rules },
        };
        if intend(console, cmd, error) {
            edited.set(false);
        }
    };
    let unread = move || {
        shown.with(|s| {
            s.as_ref().is_some_and(
                |r| matches!(&r.detail, ResDetail::Firewall { unread, .. } if !unread.is_empty()),
            )
        })
    };
    let indexed = move || -> Vec<(usize, Row)> { rows.get().into_iter().enumerate().collect() };
    view! {
        <section class="net-part" aria-labelledby="net-fw-h">
            <h3 id="net-fw-h">{VmNetLabel::FirewallHeading.to_string()}</h3>
            <p class="hint" aria-live="polite">{move || shown.with(Option::is_none).then(|| VmNetLabel::FirewallReading.to_string())}</p>
            {move || list_error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || unread().then(|| view! { <p class="hint">{VmNetLabel::FirewallUnread.to_string()}</p> })}
            <form aria-label=VmNetLabel::FirewallHeading.to_string() on:submit=apply>
                <Show when=move || !rows.with(Vec::is_empty) fallback=|| view! {
                    <p class="hint">{VmNetLabel::NoRules.to_string()}</p>
                }>
                    <table class="points net-table firewall">
                        <caption>{VmNetLabel::FirewallCaption.to_string()}</caption>
                        <thead><tr>
                            <th scope="col">"#"</th>
                            <th scope="col">{VmNetLabel::Direction.to_string()}</th>
                            <th scope="col">{VmNetLabel::Protocol.to_string()}</th>
                            <th scope="col">{VmNetLabel::Ports.to_string()}</th>
                            <th scope="col">{VmNetLabel::Source.to_string()}</th>
                            <th scope="col">{VmNetLabel::FwAction.to_string()}</th>
                            <th scope="col">{words::column(words::Column::Actions)}</th>
                        </tr></thead>
                        <tbody>
                            <For each=indexed key=|(i, r): &(usize, Row)| (*i, r.key) let:item>
                                <RuleRow n=item.0 + 1 key=item.1.key rows edited/>
                            </For>
                        </tbody>
                    </table>
                </Show>
                <p class="hint">{VmNetLabel::PortsHint.to_string()}</p>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="row-actions">
                    <button type="button" class="btn" on:click=move |_| {
                        edited.set(true);
                        rows.update(|r| r.push(fresh(blank())));
                    }>{VmNetLabel::AddRule.to_string()}</button>
                    <button type="submit" class="btn primary">{VmNetLabel::ApplyFirewall.to_string()}</button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// The rules a firewall read shows (those it could not read are left out: applying replaces
/// them, as the tab says).
fn rules_of(res: &Res) -> Vec<FirewallRule> {
    match &res.detail {
        ResDetail::Firewall { rules, .. } => rules.clone(),
        _ => Vec::new(),
    }
}

/// One rule, its controls named with its row ("Ports, rule 2").
#[component]
fn RuleRow(n: usize, key: u32, rows: RwSignal<Vec<Row>>, edited: RwSignal<bool>) -> impl IntoView {
    let get = move |f: fn(&FirewallRule) -> String| {
        move || {
            rows.with(|r| {
                r.iter()
                    .find(|x| x.key == key)
                    .map(|x| f(&x.rule))
                    .unwrap_or_default()
            })
        }
    };
    let set = move |f: &dyn Fn(&mut FirewallRule)| {
        edited.set(true);
        rows.update(|r| {
            if let Some(x) = r.iter_mut().find(|x| x.key == key) {
                f(&mut x.rule);
            }
        });
    };
    let name = |l: VmNetLabel| words::rule_control(l, n);
    let select = |label: VmNetLabel,
                  options: Vec<(&'static str, &'static str)>,
                  value: fn(&FirewallRule) -> String,
                  put: fn(&mut FirewallRule, &str)| {
        let current = get(value);
        view! {
            <select aria-label=name(label) prop:value=current
                on:change=move |ev| { let v = event_target_value(&ev); set(&|r| put(r, &v)); }>
                {options.into_iter().map(|(v, text)| {
                    view! { <option value=v selected=move || current() == v>{text}</option> }
                }).collect_view()}
            </select>
        }
    };
    let directions = FwDirection::ALL
        .iter()
        .map(|d| (d.as_str(), words::direction_label(*d)))
        .collect();
    let protocols = FwProtocol::ALL
        .iter()
        .map(|p| (p.as_str(), words::protocol_label(*p)))
        .collect();
    let actions = FwAction::ALL
        .iter()
        .map(|a| (a.as_str(), words::fw_action_label(*a)))
        .collect();
    view! {
        <tr>
            <th scope="row">{n}</th>
            <td data-label=VmNetLabel::Direction.to_string()>{select(VmNetLabel::Direction, directions,
                |r| r.direction.as_str().into(),
                |r, v| if let Some(d) = FwDirection::parse(v) { r.direction = d })}</td>
            <td data-label=VmNetLabel::Protocol.to_string()>{select(VmNetLabel::Protocol, protocols,
                |r| r.protocol.as_str().into(),
                |r, v| if let Some(p) = FwProtocol::parse(v) {
                    r.protocol = p;
                    if !p.has_ports() { r.ports.clear() }
                })}</td>
            <td data-label=VmNetLabel::Ports.to_string()>
                <input type="text" inputmode="numeric" size="11" aria-label=name(VmNetLabel::Ports)
                    placeholder="22" prop:value=get(|r| r.ports.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); set(&|r| r.ports = v.clone()); }/>
            </td>
            <td data-label=VmNetLabel::Source.to_string()>
                <input type="text" size="18" aria-label=name(VmNetLabel::Source)
                    prop:value=get(|r| r.source.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); set(&|r| r.source = v.clone()); }/>
            </td>
            <td data-label=VmNetLabel::FwAction.to_string()>{select(VmNetLabel::FwAction, actions,
                |r| r.action.as_str().into(),
                |r, v| if let Some(a) = FwAction::parse(v) { r.action = a })}</td>
            <td><button type="button" class="btn small danger" aria-label=name(VmNetLabel::RemoveRule)
                on:click=move |_| { edited.set(true); rows.update(|r| r.retain(|x| x.key != key)); }>
                {VmNetLabel::RemoveRule.to_string()}</button></td>
        </tr>
    }
}
