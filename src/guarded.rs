//! "Snapshot first" (a guarded change): the opt-in checkbox of a resize, a restore from a
//! backup and a rebuild, with why it is not offered where it is not (vigil-core's
//! `guard_offered`); the command a change starts with it (`Plan::Guarded`); the work a form
//! started, followed in place to its verified end; and "Roll back to the snapshot taken at
//! 14:02" where a guarded change ended failed or needing a check.

use leptos::prelude::*;
use vigil_core::engine::{ActivityItem, Started};
use vigil_core::words;
use vigil_core::workflow::{GuardedChange, Plan};
use vigil_core::{Action, ActionKind, Command, ConnId, Refusal, VmId, WfId};

use crate::activity::ActivityList;
use crate::console::Console;

/// The snapshot a guarded change takes, named by vigil-core for the change and the local time
/// of day.
fn snapshot_name(kind: ActionKind, now_ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now_ms as f64));
    GuardedChange::snapshot_name(kind, (d.get_hours(), d.get_minutes(), d.get_seconds()))
}

/// The command a change starts: guarded (a snapshot first) when asked for, else the action
/// itself (or `plain`, where the page starts it another way, e.g. stop → resize → start).
pub fn change_command(
    conn: ConnId,
    vm: VmId,
    action: Action,
    guard: bool,
    plain: impl FnOnce(ConnId, VmId, Action) -> Command,
) -> Command {
    match GuardedChange::of(&action).filter(|_| guard) {
        Some(change) => Command::Workflow {
            conn,
            vm,
            plan: Plan::Guarded {
                snapshot_name: snapshot_name(change.kind(), crate::now_ms()),
                change,
            },
        },
        None => plain(conn, vm, action),
    }
}

/// The entry of what was started, to follow it in place.
pub fn started_item(started: Started) -> Option<ActivityItem> {
    match started {
        Started::Op(id) => Some(ActivityItem::Op(id)),
        Started::Workflow(id) => Some(ActivityItem::Workflow(id)),
        Started::Bulk(_) | Started::Nothing => None,
    }
}

/// The "Snapshot first" checkbox: enabled where vigil-core offers it for this change on this
/// VM now, else disabled with why not beside it (and unchecked).
#[component]
pub fn SnapshotFirst(
    conn: ConnId,
    vm: VmId,
    kind: ActionKind,
    checked: RwSignal<bool>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let why_not = Memo::new(move |_| {
        console.marks.vm(&conn, &vm);
        console.marks.activity();
        console.view(|v| v.guard_offered(&conn, &vm, kind).err())
    });
    // Why not, where it is about the snapshot; a VM busy with something else is said once,
    // above the form.
    let said = move || match why_not.get() {
        Some(why @ Refusal::Guard(_)) => (true, why.to_string()),
        _ => (false, words::snapshot_first_hint().to_string()),
    };
    Effect::new(move |_| {
        if why_not.with(Option::is_some) && checked.get_untracked() {
            checked.set(false);
        }
    });
    let hint_id = format!("snapshot-first-{}", GuardedChange::slug(kind));
    view! {
        <div class="snapshot-first">
            <label class="check">
                <input type="checkbox" name="snapshot_first"
                    aria-describedby=hint_id.clone()
                    prop:disabled=move || why_not.with(Option::is_some)
                    prop:checked=move || checked.get()
                    on:change=move |ev| checked.set(event_target_checked(&ev))/>
                {words::snapshot_first_label()}
            </label>
            <p class=move || if said().0 { "why refused-now" } else { "hint" } id=hint_id>
                {move || said().1}
            </p>
        </div>
    }
}

/// "Roll back to the snapshot taken at 14:02", where the guarded workflow `wf` offers it now;
/// the rollback it starts is a workflow of its own, followed like any other.
#[component]
pub fn RollBackButton(wf: WfId) -> impl IntoView {
    let console = expect_context::<Console>();
    let offer = {
        let wf = wf.clone();
        Memo::new(move |_| {
            console.marks.workflow(&wf);
            console.marks.activity();
            console.view(|v| v.rollback_offer(&wf))
        })
    };
    let vm_name = {
        let wf = wf.clone();
        move || console.view(|v| v.workflow(&wf).map(|w| w.vm_name.clone()))
    };
    let wf = StoredValue::new(wf);
    move || {
        offer.get().map(|o| {
            let label = words::roll_back_to(&crate::intl::time_of_day(o.taken_at));
            // Several failed changes may show at once: the name says which VM it rolls back.
            let named = match vm_name() {
                Some(vm) => format!("{label} {vm}"),
                None => label.clone(),
            };
            view! {
                <div class="row-actions">
                    <button type="button" class="btn small rollback" title=crate::intl::date_time(o.taken_at)
                        aria-label=named
                        on:click=move |_| console.act(Command::RollBack { wf: wf.get_value() })>
                        {label}
                    </button>
                </div>
            }
        })
    }
}

/// What a form started, followed in place to its end: its entry (a workflow's steps live),
/// and the rollback of it once one was started.
#[component]
pub fn Followed(item: RwSignal<Option<ActivityItem>>) -> impl IntoView {
    let console = expect_context::<Console>();
    let list = Memo::new(move |_| {
        console.marks.activity();
        let Some(first) = item.get() else {
            return Vec::new();
        };
        let mut out = vec![first.clone()];
        if let ActivityItem::Workflow(id) = &first {
            console.view(|v| {
                out.extend(
                    v.workflows()
                        .filter(
                            |w| matches!(&w.plan, Plan::RollBack { guarded, .. } if guarded == id),
                        )
                        .map(|w| ActivityItem::Workflow(w.id.clone())),
                )
            });
        }
        out
    });
    view! {
        <Show when=move || !list.with(Vec::is_empty)>
            <section class="followed" aria-label=words::followed_label()>
                <ActivityList list/>
            </section>
        </Show>
    }
}
