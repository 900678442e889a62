//! The VM list: one row per VM across every connection (and one per VM being created),
//! filters, selection for bulk actions, and only the visible rows rendered when the list is
//! long. The list of rows is read again only when rows come or go (or, when it is filtered or
//! sorted by status, when a VM changes); each row follows its own VM.

use leptos::prelude::*;
use vigil_core::engine::{RowKey, SortKey, StateFilter, VmFilter};
use vigil_core::words::{self, Column, Label};
use vigil_core::{ConnId, ListState, Refusal};
use wasm_bindgen::JsCast;

use crate::bulk::{BulkBar, BulkSummary};
use crate::console::Console;
use crate::intl;
use crate::row::{CreatingRow, VmRow};
use crate::ui::{Dialog, Ui};

/// Every row has this height (CSS keeps it), so the visible slice follows from the scroll offset
/// (a narrow screen's cards are taller: their height is measured).
const ROW_H: f64 = 52.0;
/// Rows drawn as placeholders while the providers answer, so that the table does not grow and
/// jump as each one does.
const SKELETON_ROWS: usize = 8;
/// The list waits this long at most for every provider's first answer before it shows the rows
/// it has (a row appearing above others moves them).
const SETTLE_MS: i64 = 2_500;
/// Up to this many rows everything is rendered (find-in-page keeps working); above, only the
/// rows in view and a margin.
const RENDER_ALL_UP_TO: usize = 150;
const OVERSCAN: usize = 12;
/// Rows are added this many at a time, one task each, so that a list arriving whole never
/// blocks the page for long (about 1 ms a row on a fast machine, 4 on a slow phone).
const ROWS_PER_TASK: usize = 4;

/// The state filter's options: their values, and the filter each stands for.
const STATES: [(&str, StateFilter); 5] = [
    ("all", StateFilter::All),
    ("running", StateFilter::Running),
    ("stopped", StateFilter::Stopped),
    ("busy", StateFilter::Busy),
    ("unknown", StateFilter::Unknown),
];

/// The orders offered.
const SORTS: [(&str, SortKey); 3] = [
    ("name", SortKey::Name),
    ("provider", SortKey::Provider),
    ("status", SortKey::Status),
];

fn state_of(v: &str) -> StateFilter {
    STATES
        .iter()
        .find(|(value, _)| *value == v)
        .map_or(StateFilter::All, |(_, s)| *s)
}

fn sort_of(v: &str) -> SortKey {
    SORTS
        .iter()
        .find(|(value, _)| *value == v)
        .map_or(SortKey::Name, |(_, k)| *k)
}

/// Whether a change of any VM may change which rows show, or their order.
fn moves_with_vms(f: &VmFilter) -> bool {
    f.state != StateFilter::All || f.sort == SortKey::Status || !f.query.trim().is_empty()
}

#[component]
pub fn VmList() -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let marks = console.marks;
    let conns = Memo::new(move |_| {
        marks.connections();
        console.view(|v| {
            v.connections()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let filter = RwSignal::new(VmFilter::default());
    let rows = Memo::new(move |_| {
        marks.rows();
        marks.connections();
        filter.with(|f| {
            if moves_with_vms(f) {
                marks.any_vm();
            }
            console.view(|v| v.vm_rows(f))
        })
    });
    let total = Memo::new(move |_| {
        marks.rows();
        console.view(|v| v.connections().map(|c| v.vms(&c.id).len()).sum::<usize>())
    });
    // Names more than one VM has: those rows say their connection. Read again when VMs come
    // or go or one is renamed, not on every status change (10,000 names are not read per VM).
    let shared = Memo::new(move |_| {
        marks.names();
        console.view(|v| {
            vigil_core::present::shared_names(
                v.connections()
                    .flat_map(|c| v.vms(&c.id).iter().map(|vm| vm.name.as_str())),
            )
        })
    });
    // Every provider has answered once (or long enough has passed): rows may show.
    let started = crate::now_ms();
    let settled = Memo::new(move |_| {
        marks.connections();
        marks.rows();
        let waited = ui.now.get() - started >= SETTLE_MS;
        waited
            || console.view(|v| {
                v.connections()
                    .all(|c| !matches!(v.list_state(&c.id), None | Some(ListState::Loading)))
            })
    });
    forget_gone_selections(console, ui);
    view! {
        <div class="conn-status">
            <For each=move || conns.get() key=|c| c.0.clone() let:c>
                <ConnStatus id=c.0 name=c.1/>
            </For>
        </div>
        <Filters filter conns count=Signal::derive(move || rows.with(Vec::len)) total/>
        <BulkBar/>
        <Show when=move || ui.show_bulk.get()>
            <BulkSummary/>
        </Show>
        <Table rows total shared settled/>
    }
}

/// VMs that went away (deleted, connection removed) leave the selection.
fn forget_gone_selections(console: Console, ui: Ui) {
    Effect::new(move |_| {
        console.marks.rows();
        let gone: Vec<_> = ui.selected.with_untracked(|s| {
            console.view(|v| {
                s.iter()
                    .filter(|(c, id)| v.vm(c, id).is_none())
                    .cloned()
                    .collect()
            })
        });
        if !gone.is_empty() {
            ui.selected.update(|s| s.retain(|k| !gone.contains(k)));
        }
    });
}

#[component]
fn Filters(
    filter: RwSignal<VmFilter>,
    conns: Memo<Vec<(ConnId, String)>>,
    count: Signal<usize>,
    total: Memo<usize>,
) -> impl IntoView {
    view! {
        <div class="filters" role="search">
            <label>{Label::Search.text()}
                <input type="search" name="q" placeholder=Label::SearchPlaceholder.text()
                    prop:value=move || filter.with(|f| f.query.clone())
                    on:input=move |ev| filter.update(|f| f.query = event_target_value(&ev))/>
            </label>
            <label>{Label::Provider.text()}
                <select name="provider" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.connection = (!v.is_empty()).then(|| ConnId::new(v)));
                }>
                    <option value="">{Label::All.text()}</option>
                    <For each=move || conns.get() key=|c| c.0.clone() let:c>
                        <option value=c.0.to_string()>{c.1.clone()}</option>
                    </For>
                </select>
            </label>
            <label>{Label::State.text()}
                <select name="state" on:change=move |ev| {
                    let v = state_of(&event_target_value(&ev));
                    filter.update(|f| f.state = v);
                }>
                    {STATES.iter().map(|(value, s)| view! {
                        <option value=*value>{words::state_filter(*s)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{Label::SortBy.text()}
                <select name="sort" on:change=move |ev| {
                    let v = sort_of(&event_target_value(&ev));
                    filter.update(|f| f.sort = v);
                }>
                    {SORTS.iter().map(|(value, k)| view! {
                        <option value=*value>{words::sort_key(*k)}</option>
                    }).collect_view()}
                </select>
            </label>
            <span class="count" aria-live="polite">
                {move || words::vm_count_said(&intl::number(count.get()), &intl::number(total.get()))}
            </span>
        </div>
    }
}

/// Selects every VM row of the list (not only those drawn), or none.
#[component]
fn SelectAll(rows: Memo<Vec<RowKey>>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let shown_vms = move || {
        rows.with(|r| {
            r.iter()
                .filter_map(|k| match k {
                    RowKey::Vm(c, v) => Some((c.clone(), v.clone())),
                    RowKey::Creating(_) => None,
                })
                .collect::<Vec<_>>()
        })
    };
    let all_selected = move || {
        let shown = shown_vms();
        !shown.is_empty() && ui.selected.with(|s| shown.iter().all(|k| s.contains(k)))
    };
    let toggle_all = move |_| {
        let shown = shown_vms();
        if all_selected() {
            ui.selected.update(|s| s.retain(|k| !shown.contains(k)));
        } else {
            ui.selected.update(|s| s.extend(shown));
        }
    };
    view! {
        <input type="checkbox" aria-label=Label::SelectAllShown.text()
            prop:checked=all_selected on:change=toggle_all/>
    }
}

#[component]
fn Table(
    rows: Memo<Vec<RowKey>>,
    total: Memo<usize>,
    shared: Memo<std::collections::HashSet<String>>,
    settled: Memo<bool>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    // The slice of rows in view.
    let scroll_top = RwSignal::new(0.0_f64);
    let view_h = RwSignal::new(800.0_f64);
    let row_h = RwSignal::new(ROW_H);
    let virtual_list = Memo::new(move |_| rows.with(Vec::len) > RENDER_ALL_UP_TO);
    // The slice wanted, and the part of it drawn so far (`drawn` rows from its start).
    let wanted = Memo::new(move |_| {
        let n = rows.with(Vec::len);
        if n <= RENDER_ALL_UP_TO {
            return (0, n);
        }
        let h = row_h.get();
        let first = ((scroll_top.get() / h) as usize)
            .saturating_sub(OVERSCAN)
            .min(n);
        let count = (view_h.get() / h) as usize + 2 * OVERSCAN;
        (first, (first + count).min(n))
    });
    let drawn = RwSignal::new(ROWS_PER_TASK);
    let range = Memo::new(move |_| {
        let (a, b) = wanted.get();
        (a, b.min(a + drawn.get()))
    });
    // While some of the slice shown is not drawn, the next rows come in a task of their own.
    Effect::new(move |_| {
        let ((a, b), d) = (wanted.get(), drawn.get());
        if settled.get() && a + d < b {
            set_timeout(
                move || {
                    let _ = drawn.try_update(|d| *d += ROWS_PER_TASK);
                },
                std::time::Duration::ZERO,
            );
        }
    });
    let visible = Memo::new(move |_| {
        let (a, b) = range.get();
        rows.with(|r| r[a..b].to_vec())
    });
    let on_scroll = move |ev: leptos::ev::Event| {
        let el: web_sys::Element = event_target(&ev);
        scroll_top.set(f64::from(el.scroll_top()));
        view_h.set(f64::from(el.client_height()));
        // A card (narrow screens) is taller than a table row.
        if let Some(tr) = el
            .query_selector("tr.vm")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            if tr.offset_height() > 0 {
                row_h.set(f64::from(tr.offset_height()));
            }
        }
    };
    let shared_name = move |k: &RowKey| {
        let k = k.clone();
        Signal::derive(move || match &k {
            RowKey::Vm(c, v) => {
                // Its own name may change too (a rename).
                console.marks.vm(c, v);
                let name = console.view(|view| view.vm(c, v).map(|x| x.name.clone()));
                name.is_some_and(|n| shared.with(|s| vigil_core::present::is_shared(s, &n)))
            }
            RowKey::Creating(_) => false,
        })
    };
    let row_index = move |k: &RowKey| {
        let k = k.clone();
        // Within the slice shown: a few dozen comparisons, not 10,000.
        Signal::derive(move || {
            range.get().0 + visible.with(|r| r.iter().position(|x| *x == k).unwrap_or(0)) + 2
        })
    };
    view! {
        <div class="table-wrap" class:virtual=move || virtual_list.get() on:scroll=on_scroll>
            <table class="vms" aria-rowcount=move || (rows.with(Vec::len) + 1).to_string()>
                <colgroup>
                    <col class="c-sel"/>
                    {Column::ALL.iter().map(|c| view! { <col class=format!("c-{c:?}").to_lowercase()/> }).collect_view()}
                </colgroup>
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col" class="sel"><SelectAll rows/></th>
                        {Column::ALL.iter().map(|c| view! { <th scope="col" class=format!("h-{c:?}").to_lowercase()>{words::column(*c)}</th> }).collect_view()}
                    </tr>
                </thead>
                <Show when=move || !settled.get()>
                    <tbody class="skeleton" aria-hidden="true">
                        {(0..SKELETON_ROWS).map(|_| view! {
                            <tr class="skeleton-row">
                                <td class="sel"></td>
                                {Column::ALL.iter().map(|_| view! { <td><span class="bone"></span></td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </Show>
                <Show when=move || settled.get()>
                <tbody>
                    <Show when=move || { range.get().0 > 0 }>
                        <tr class="spacer" aria-hidden="true"
                            style:height=move || format!("{}px", range.get().0 as f64 * row_h.get())></tr>
                    </Show>
                    <For each=move || visible.get() key=|k| k.clone() let:k>
                        {match k.clone() {
                            RowKey::Vm(conn, vm) => view! { <VmRow conn vm index=row_index(&k) shared=shared_name(&k)/> }.into_any(),
                            RowKey::Creating(op) => view! { <CreatingRow op index=row_index(&k)/> }.into_any(),
                        }}
                    </For>
                    <Show when=move || { range.get().1 < rows.with(Vec::len) }>
                        <tr class="spacer" aria-hidden="true"
                            style:height=move || format!("{}px", (rows.with(Vec::len) - range.get().1) as f64 * row_h.get())></tr>
                    </Show>
                </tbody>
                </Show>
            </table>
            <Show when=move || { rows.with(Vec::is_empty) && total.get() > 0 }>
                <p class="hint">{Label::NoMatch.text()}</p>
            </Show>
        </div>
    }
}

/// A connection's line: its list's state, how many VMs, and "Create VM" where it can (else
/// why not).
#[component]
fn ConnStatus(id: ConnId, name: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let state = {
        let id = id.clone();
        Memo::new(move |_| {
            console.marks.conn(&id);
            console.view(|v| Some((v.list_state(&id).cloned(), v.vms(&id).len())))
        })
    };
    let create = {
        let id = id.clone();
        console.view(|v| {
            let caps = v.caps(&id)?;
            Some(match caps.create {
                Some(_) => Ok(()),
                None => Err(Refusal::NotOffered {
                    provider: caps.kind,
                }),
            })
        })
    };
    let refresh = {
        let id = id.clone();
        move |_| console.act(vigil_core::Command::Refresh { conn: id.clone() })
    };
    let create_label = words::create_on(&name);
    let open_create = move |_| {
        ui.dialog.set(Some(Dialog::Create {
            conn: Some(id.clone()),
        }))
    };
    view! {
        <p class="conn" data-state=move || match state.get().and_then(|s| s.0) {
            Some(ListState::Ready { .. }) => "ready",
            Some(ListState::Failed { .. }) => "failed",
            _ => "loading",
        }>
            <strong>{name}</strong>
            {move || {
                let (list, count) = state.get().unwrap_or((None, 0));
                match list {
                    Some(ListState::Loading) | None => view! { <span class="state">{words::loading_vms()}</span> }.into_any(),
                    Some(ListState::Ready { .. }) => view! { <span class="state">{words::listed_said(count, &intl::number(count))}</span> }.into_any(),
                    Some(ListState::Failed { error, .. }) => view! {
                        <span class="error" role="alert">" — "
                            {(count > 0).then(|| words::list_incomplete(count))}
                            {error.to_string()}
                        </span>
                        " "
                        <button class="btn small" on:click=refresh.clone()>{Label::Retry.text()}</button>
                    }.into_any(),
                }
            }}
            {match create {
                Some(Ok(())) => view! {
                    " "<button class="btn small create" aria-label=create_label
                        on:click=open_create>{words::action_label(vigil_core::ActionKind::Create)}</button>
                }.into_any(),
                Some(Err(why)) => view! {
                    <span class="hint create-off">{words::create_off(&why)}</span>
                }.into_any(),
                None => ().into_any(),
            }}
        </p>
    }
}
