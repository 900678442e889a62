//! The VM list: one row per VM across every connection, with the actions valid right now,
//! selection for bulk actions, and only the visible rows rendered when the list is long.

use leptos::prelude::*;
use vigil_core::view::{Busy, Command, SortKey, StateFilter, VmFilter};
use vigil_core::workflow::BulkOutcome;
use vigil_core::{Action, ActionKind, ListState, PowerState};

use crate::console::Console;
use crate::route::Route;
use crate::ui::{Dialog, Ui};

/// Every row has this height (CSS keeps it), so the visible slice follows from the scroll offset.
const ROW_H: f64 = 46.0;
/// Up to this many rows everything is rendered (find-in-page keeps working); above, only the
/// rows in view and a margin.
const RENDER_ALL_UP_TO: usize = 150;
const OVERSCAN: usize = 12;

/// The actions a bulk bar offers (each VM still decides whether it is allowed).
const BULK: [Command; 6] = [
    Command::Action(ActionKind::Start),
    Command::Action(ActionKind::Shutdown),
    Command::Stop,
    Command::Action(ActionKind::Reboot),
    Command::Action(ActionKind::PowerOff),
    Command::Action(ActionKind::PowerCycle),
];

#[component]
pub fn VmList() -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let conns = Memo::new(move |_| {
        console.engine.with(|e| {
            e.connections()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let filter = RwSignal::new(VmFilter::default());
    let rows = Memo::new(move |_| filter.with(|f| console.engine.with(|e| e.vm_rows(f))));
    let total = Memo::new(move |_| {
        console
            .engine
            .with(|e| e.connections().map(|c| e.vms(&c.id).len()).sum::<usize>())
    });
    let state_of = |v: &str| match v {
        "running" => StateFilter::Running,
        "stopped" => StateFilter::Stopped,
        "busy" => StateFilter::Busy,
        "unknown" => StateFilter::Unknown,
        _ => StateFilter::All,
    };
    let sort_of = |v: &str| match v {
        "provider" => SortKey::Provider,
        "status" => SortKey::Status,
        _ => SortKey::Name,
    };

    // The slice of rows in view.
    let scroll_top = RwSignal::new(0.0_f64);
    let view_h = RwSignal::new(800.0_f64);
    let virtual_list = Memo::new(move |_| rows.with(Vec::len) > RENDER_ALL_UP_TO);
    let range = Memo::new(move |_| {
        let n = rows.with(Vec::len);
        if n <= RENDER_ALL_UP_TO {
            return (0, n);
        }
        let first = ((scroll_top.get() / ROW_H) as usize)
            .saturating_sub(OVERSCAN)
            .min(n);
        let count = (view_h.get() / ROW_H) as usize + 2 * OVERSCAN;
        (first, (first + count).min(n))
    });
    let visible = Memo::new(move |_| {
        let (a, b) = range.get();
        rows.with(|r| r[a..b].to_vec())
    });
    let on_scroll = move |ev: leptos::ev::Event| {
        if let Some(el) = event_target::<web_sys::Element>(&ev).into() {
            let el: web_sys::Element = el;
            scroll_top.set(f64::from(el.scroll_top()));
            view_h.set(f64::from(el.client_height()));
        }
    };

    // Selection: of the rows shown, all / some / none selected.
    let all_selected = move || {
        let shown = rows.get();
        !shown.is_empty() && ui.selected.with(|s| shown.iter().all(|k| s.contains(k)))
    };
    let toggle_all = move |_| {
        let shown = rows.get_untracked();
        if all_selected() {
            ui.selected.update(|s| {
                shown.iter().for_each(|k| {
                    s.remove(k);
                })
            });
        } else {
            ui.selected.update(|s| s.extend(shown));
        }
    };
    // VMs that went away (connection removed) leave the selection.
    Effect::new(move |_| {
        let gone: Vec<_> = console.engine.with(|e| {
            ui.selected.with_untracked(|s| {
                s.iter()
                    .filter(|(c, v)| e.vm(c, v).is_none())
                    .cloned()
                    .collect()
            })
        });
        if !gone.is_empty() {
            ui.selected.update(|s| {
                gone.iter().for_each(|k| {
                    s.remove(k);
                })
            });
        }
    });

    view! {
        <div class="conn-status">
            <For each=move || conns.get() key=|c| c.0.clone() let:c>
                <ConnStatus id=c.0 name=c.1/>
            </For>
        </div>
        <div class="filters" role="search">
            <label>"Search"
                <input type="search" name="q" placeholder="name, id, region, status"
                    prop:value=move || filter.with(|f| f.query.clone())
                    on:input=move |ev| filter.update(|f| f.query = event_target_value(&ev))/>
            </label>
            <label>"Provider"
                <select name="provider" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.connection = (!v.is_empty()).then_some(v));
                }>
                    <option value="">"All"</option>
                    <For each=move || conns.get() key=|c| c.0.clone() let:c>
                        <option value=c.0.clone()>{c.1.clone()}</option>
                    </For>
                </select>
            </label>
            <label>"State"
                <select name="state" on:change=move |ev| {
                    let v = state_of(&event_target_value(&ev));
                    filter.update(|f| f.state = v);
                }>
                    <option value="all">"All"</option>
                    <option value="running">"Running"</option>
                    <option value="stopped">"Stopped"</option>
                    <option value="busy">"Busy"</option>
                    <option value="unknown">"Unknown status"</option>
                </select>
            </label>
            <label>"Sort by"
                <select name="sort" on:change=move |ev| {
                    let v = sort_of(&event_target_value(&ev));
                    filter.update(|f| f.sort = v);
                }>
                    <option value="name">"Name"</option>
                    <option value="provider">"Provider"</option>
                    <option value="status">"Status"</option>
                </select>
            </label>
            <span class="count" aria-live="polite">
                {move || format!("{} of {} VMs", rows.with(Vec::len), total.get())}
            </span>
        </div>
        <BulkBar/>
        <Show when=move || ui.show_bulk.get()>
            <BulkSummary/>
        </Show>
        <div class="table-wrap" class:virtual=move || virtual_list.get() on:scroll=on_scroll>
            <table class="vms" aria-rowcount=move || (rows.with(Vec::len) + 1).to_string()>
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col" class="sel">
                            <input type="checkbox" aria-label="Select all VMs shown"
                                prop:checked=all_selected on:change=toggle_all/>
                        </th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Actions"</th>
                        <th scope="col">"Provider"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Region"</th>
                    </tr>
                </thead>
                <tbody>
                    <Show when=move || { range.get().0 > 0 }>
                        <tr class="spacer" aria-hidden="true"
                            style:height=move || format!("{}px", range.get().0 as f64 * ROW_H)></tr>
                    </Show>
                    <For each=move || visible.get() key=|k| k.clone() let:k>
                        <VmRow conn=k.0.clone() vm_id=k.1.clone()
                            index=Signal::derive({
                                let k = k.clone();
                                // Within the slice shown: a few dozen comparisons, not 10,000.
                                move || range.get().0 + visible.with(|r| r.iter().position(|x| *x == k).unwrap_or(0)) + 2
                            })/>
                    </For>
                    <Show when=move || { range.get().1 < rows.with(Vec::len) }>
                        <tr class="spacer" aria-hidden="true"
                            style:height=move || format!("{}px", (rows.with(Vec::len) - range.get().1) as f64 * ROW_H)></tr>
                    </Show>
                </tbody>
            </table>
            <Show when=move || { rows.with(Vec::is_empty) && total.get() > 0 }>
                <p class="hint">"No VM matches the search and filters."</p>
            </Show>
        </div>
    }
}

/// With VMs selected: the actions to run on all of them.
#[component]
fn BulkBar() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let count = move || ui.selected.with(|s| s.len());
    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="toolbar" aria-label="Actions on the selected VMs">
                <strong>{move || format!("{} selected", count())}</strong>
                {BULK.iter().map(|&kind| {
                    let danger = matches!(kind, Command::Action(k) if k.is_destructive());
                    view! {
                        <button class="btn small" class:danger=danger
                            aria-label=move || format!("{} {}", kind.label(), crate::ui::selected_vms(count()))
                            on:click=move |_| ui.dialog.set(Some(Dialog::Bulk { command: kind }))>
                            {kind.label()}
                        </button>
                    }
                }).collect_view()}
                <button class="btn small" on:click=move |_| ui.selected.update(|s| s.clear())>
                    "Clear selection"
                </button>
            </div>
        </Show>
    }
}

/// The latest bulk action: per VM done / failed / running / skipped, live.
#[component]
fn BulkSummary() -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let summary = Memo::new(move |_| {
        console.engine.with(|e| {
            let bulk = e.bulks().last()?;
            let summary = e.bulk_summary(&bulk.id)?;
            Some((bulk.work.describe(), bulk.items.len(), summary))
        })
    });
    move || {
        summary.get().map(|(what, n, s)| {
            let counts = s.label();
            view! {
                <section class="bulk-summary" aria-label="Bulk action result">
                    <div class="entry-head">
                        <strong>{format!("{what} on {}", crate::ui::vms(n))}</strong>
                        <button class="btn small" aria-label="Close the bulk action result"
                            on:click=move |_| ui.show_bulk.set(false)>"×"</button>
                    </div>
                    <p class="counts" role="status">{counts}</p>
                    <ul>
                        {s.items.into_iter().map(|(item, outcome)| {
                            let (tone, text) = match outcome {
                                BulkOutcome::Running => ("running", "running…".to_string()),
                                BulkOutcome::Done => ("done", "done, verified".to_string()),
                                BulkOutcome::Failed { message } => ("failed", format!("failed: {message}")),
                                BulkOutcome::Skipped { reason } => ("skipped", format!("skipped: {reason}")),
                                BulkOutcome::NeedsCheck { message } => ("check", format!("needs a check: {message}")),
                                BulkOutcome::Cancelled { message } => ("cancelled", format!("cancelled: {message}")),
                            };
                            view! { <li data-outcome=tone><strong>{item.vm_name}</strong>" — "{text}</li> }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[component]
fn ConnStatus(id: String, name: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let id2 = id.clone();
    let state = Memo::new(move |_| console.engine.with(|e| e.list_state(&id2).cloned()));
    let count = {
        let id = id.clone();
        move || console.engine.with(|e| e.vms(&id).len())
    };
    let retry = move || {
        let id = id.clone();
        move |_| console.refresh(&id)
    };
    view! {
        <p class="conn" data-state=move || match state.get() {
            Some(ListState::Ready { .. }) => "ready",
            Some(ListState::Failed { .. }) => "failed",
            _ => "loading",
        }>
            <strong>{name}</strong>
            {move || match state.get() {
                Some(ListState::Loading) | None => view! { <span>" — loading VMs…"</span> }.into_any(),
                Some(ListState::Ready { .. }) => view! { <span>{format!(" — {}", crate::ui::vms(count()))}</span> }.into_any(),
                Some(ListState::Failed { error, .. }) => view! {
                    <span class="error" role="alert">" — "
                        {match count() {
                            0 => String::new(),
                            n => format!("the list may be incomplete ({} shown). ", crate::ui::vms(n)),
                        }}
                        {error.full()}
                    </span>
                    " "
                    <button class="btn small" on:click=retry()>"Retry"</button>
                }.into_any(),
            }}
        </p>
    }
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

#[component]
fn VmRow(conn: String, vm_id: String, index: Signal<usize>) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let vm = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        Memo::new(move |_| console.engine.with(|e| e.vm(&conn, &vm_id).cloned()))
    };
    let busy = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        Memo::new(move |_| console.engine.with(|e| e.busy_on(&conn, &vm_id)))
    };
    let status = {
        let conn = conn.clone();
        move || {
            console.engine.with(|e| {
                vm.with(|v| {
                    v.as_ref()
                        .map(|v| e.status_label(&conn, v))
                        .unwrap_or_default()
                })
            })
        }
    };
    let name = move || vm.with(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
    let provider = {
        let conn = conn.clone();
        console.engine.with_untracked(|e| {
            e.connections()
                .find(|c| c.id == conn)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        })
    };
    let key = (conn.clone(), vm_id.clone());
    let (row_conn, row_vm) = key.clone();
    let selected = {
        let key = key.clone();
        move || ui.selected.with(|s| s.contains(&key))
    };
    let toggle = {
        let key = key.clone();
        move |_| {
            ui.selected.update(|s| {
                if !s.remove(&key) {
                    s.insert(key.clone());
                }
            })
        }
    };
    let href = Route::Vm {
        conn: conn.clone(),
        vm: vm_id.clone(),
    }
    .href();
    view! {
        <tr class="vm" data-conn=row_conn data-vm=row_vm
            aria-rowindex=move || index.get().to_string()
            aria-selected=move || selected().to_string()
            data-busy=move || busy.get().is_some().to_string()>
            <td class="sel">
                <input type="checkbox" aria-label=move || format!("Select {}", name())
                    prop:checked=selected.clone() on:change=toggle/>
            </td>
            <th scope="row" class="vm-name"><a href=href>{name}</a></th>
            <td class="status">
                <span
                    class=move || vm.with(|v| v.as_ref().map(|v| badge_class(&v.power, busy.get().is_some() || v.locked)).unwrap_or("badge"))
                    data-testid="status"
                >
                    {status}
                </span>
                {move || busy.get().map(|b| view! { <RowProgress busy=b/> })}
            </td>
            <td><div class="actions"><ActionButtons conn vm_id/></div></td>
            <td class="provider">{provider}</td>
            <td class="size">{move || vm.with(|v| v.as_ref().map(|v| v.size.label()).unwrap_or_default())}</td>
            <td class="region">{move || vm.with(|v| v.as_ref().and_then(|v| v.region.clone()).unwrap_or_else(|| "—".into()))}</td>
        </tr>
    }
}

/// A row's running operation: its phase, a bar, and the time so far against the usual.
#[component]
fn RowProgress(busy: Busy) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let label = busy.label.clone();
    let pct = busy.progress;
    let busy = StoredValue::new(busy);
    view! {
        <span class="row-progress">
            <span class="progress mini" role="progressbar" aria-label=format!("{label} progress")
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.map(|p| p.to_string())>
                <span class="bar" style:width=pct.map(|p| format!("{p}%"))></span>
            </span>
            <span class="phase" title=move || busy.with_value(|b| b.describe(ui.now.get()))>{move || busy.with_value(|b| b.short(ui.now.get()))}</span>
        </span>
    }
}

/// The buttons for every action on this VM, enabled only when valid now; the tooltip of a
/// disabled one says why. Each has an accessible name with the VM's: "Reboot web-01".
#[component]
pub fn ActionButtons(conn: String, vm_id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let choices = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        Memo::new(move |_| console.engine.with(|e| e.choices(&conn, &vm_id)))
    };
    let name = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        Memo::new(move |_| {
            console
                .engine
                .with(|e| e.vm(&conn, &vm_id).map(|v| v.name.clone()))
                .unwrap_or_default()
        })
    };
    move || {
        choices
            .get()
            .into_iter()
            .map(|choice| {
                let (conn, vm) = (conn.clone(), vm_id.clone());
                let label = format!("{} {}", choice.command.label(), name.get());
                let kind = choice.command;
                let click = move |_| match kind {
                    Command::Stop => ui.dialog.set(Some(Dialog::Stop {
                        conn: conn.clone(),
                        vm: vm.clone(),
                    })),
                    Command::Action(k) if k.asks_first() => ui.dialog.set(Some(Dialog::Action {
                        conn: conn.clone(),
                        vm: vm.clone(),
                        kind: k,
                    })),
                    Command::Action(k) => {
                        if let Some(action) = Action::simple(k) {
                            if let Err(e) = console.run(&conn, &vm, action) {
                                console.announcement.set(e);
                            }
                        }
                    }
                };
                view! {
                    <button
                        class="btn small"
                        class:danger=kind.is_destructive()
                        disabled=choice.reason.is_some()
                        title=choice.reason.clone().unwrap_or_else(|| choice.hint.clone())
                        aria-label=label
                        data-action=kind.id()
                        on:click=click
                    >
                        {kind.label()}
                    </button>
                }
            })
            .collect_view()
    }
}
