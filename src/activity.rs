//! Activity: every operation and workflow, with its progress, the provider's words and what
//! can be done about it (Check now, Cancel task, Retry, Force now). Each entry follows its own
//! operation or workflow; the list itself only what comes and goes.

use leptos::prelude::*;
use vigil_core::engine::{ActivityFilter, ActivityItem};
use vigil_core::time::{format_duration, format_elapsed};
use vigil_core::words::{self, Countdown as Left, FeedLabel, Label};
use vigil_core::workflow::{StepState, Workflow};
use vigil_core::{Command, OpId, Operation, Phase, WfId};

use crate::console::Console;
use crate::intl::Ago;
use crate::row::conn_name;
use crate::ui::Ui;

/// The activity filter's options: their values, and the filter each stands for.
const FILTERS: [(&str, ActivityFilter); 5] = [
    ("all", ActivityFilter::All),
    ("running", ActivityFilter::InProgress),
    ("done", ActivityFilter::Done),
    ("failed", ActivityFilter::Failed),
    ("check", ActivityFilter::NeedsCheck),
];

fn filter_of(v: &str) -> ActivityFilter {
    FILTERS
        .iter()
        .find(|(value, _)| *value == v)
        .map_or(ActivityFilter::All, |(_, f)| *f)
}

/// The Activity panel: a switch between Vigil's own operations and the provider's history.
#[component]
pub fn Activity() -> impl IntoView {
    let provider = RwSignal::new(false);
    let tab = move |theirs: bool, id: &'static str, panel: &'static str, label: FeedLabel| {
        view! {
            <button type="button" role="tab" id=id class="source-tab"
                aria-selected=move || (provider.get() == theirs).to_string()
                aria-controls=panel
                tabindex=move || if provider.get() == theirs { "0" } else { "-1" }
                on:click=move |_| provider.set(theirs)>
                {label.text()}
            </button>
        }
    };
    // Arrow keys move between the two tabs (the tablist pattern).
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if matches!(
            ev.key().as_str(),
            "ArrowLeft" | "ArrowRight" | "Home" | "End"
        ) {
            ev.prevent_default();
            provider.update(|p| *p = !*p);
            let id = if provider.get_untracked() {
                "src-provider"
            } else {
                "src-ours"
            };
            if let Some(el) = document().get_element_by_id(id) {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }
    };
    view! {
        <div class="source-tabs" role="tablist" aria-label=FeedLabel::Sources.text() on:keydown=on_key>
            {tab(false, "src-ours", "src-ours-panel", FeedLabel::Ours)}
            {tab(true, "src-provider", "src-provider-panel", FeedLabel::FromProvider)}
        </div>
        <Show when=move || provider.get() fallback=|| view! {
            <div role="tabpanel" id="src-ours-panel" aria-labelledby="src-ours">
                <OwnActivity/>
            </div>
        }>
            <div role="tabpanel" id="src-provider-panel" aria-labelledby="src-provider">
                <crate::provider_feed::ProviderFeed/>
            </div>
        </Show>
    }
}

/// This console's own operations and workflows, and those it follows that were started
/// elsewhere.
#[component]
fn OwnActivity() -> impl IntoView {
    let console = expect_context::<Console>();
    let show = RwSignal::new(ActivityFilter::All);
    let list = Memo::new(move |_| {
        console.marks.activity();
        console.view(|v| v.activity(show.get(), None))
    });
    let any = Memo::new(move |_| {
        console.marks.activity();
        console.view(|v| v.operations().next().is_some() || v.workflows().next().is_some())
    });
    view! {
        <Show when=move || any.get() fallback=|| view! {
            <p class="hint">{Label::ActivityEmpty.text()}</p>
        }>
            <div class="activity-tools">
                <label class="activity-filter">{Label::Show.text()}
                    <select name="activity-state" on:change=move |ev| show.set(filter_of(&event_target_value(&ev)))>
                        {FILTERS.iter().map(|(value, f)| view! {
                            <option value=*value>{words::activity_filter(*f)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button class="btn small" on:click=move |_| console.act(Command::ClearFinished)>
                    {Label::ClearFinished.text()}
                </button>
            </div>
            <ActivityList list/>
            <Show when=move || list.with(Vec::is_empty)>
                <p class="hint">{Label::NothingInThisState.text()}</p>
            </Show>
        </Show>
    }
}

/// Operations a tab or page follows in place (`found`: each with its phase, newest first): as
/// entries for [`ActivityList`], and how far they are — how many the provider accepted, how
/// many ended (both only grow).
pub fn followed(
    found: Memo<Vec<(OpId, Phase)>>,
) -> (Memo<Vec<ActivityItem>>, Memo<(usize, usize)>) {
    let items = Memo::new(move |_| {
        found.with(|f| {
            f.iter()
                .map(|(id, _)| ActivityItem::Op(id.clone()))
                .collect()
        })
    });
    let stage = Memo::new(move |_| {
        found.with(|f| {
            let accepted = f.iter().filter(|(_, p)| *p != Phase::Submitted).count();
            let ended = f.iter().filter(|(_, p)| !p.is_open()).count();
            (accepted, ended)
        })
    });
    (items, stage)
}

/// Runs `read` now, and again each time `stage` (from [`followed`]) moves: an operation followed
/// here was accepted (a new item shows as being made) or ended.
pub fn read_now_and_on(stage: Memo<(usize, usize)>, read: impl Fn() + 'static) {
    read();
    Effect::new(move |before: Option<(usize, usize)>| {
        let now = stage.get();
        if before.is_some_and(|b| now != b) {
            read();
        }
        now
    });
}

#[component]
pub fn ActivityList(list: Memo<Vec<ActivityItem>>) -> impl IntoView {
    view! {
        <ol class="activity">
            <For each=move || list.get() key=|i| i.clone() let:item>
                {match item {
                    ActivityItem::Op(id) => view! { <Entry id/> }.into_any(),
                    ActivityItem::Workflow(id) => view! { <WorkflowEntry id/> }.into_any(),
                }}
            </For>
        </ol>
    }
}

/// How long it ran: exact once finished, a clock ticking in seconds while it runs.
fn run_time(start: i64, end: Option<i64>, now: i64) -> String {
    match end {
        Some(end) => format_duration(end - start),
        None => format_elapsed(now - start),
    }
}

fn phase_class(p: Phase) -> String {
    format!("phase-badge {}", format!("{p:?}").to_lowercase())
}

/// An operation, as its entry shows it.
#[derive(Clone, PartialEq)]
struct OpData {
    op: Operation,
    title: String,
    provider: String,
    can_cancel: bool,
    can_retry: bool,
    busy: vigil_core::engine::Busy,
}

/// One operation, followed by its mark.
fn op_data(console: Console, id: OpId) -> Memo<Option<OpData>> {
    Memo::new(move |_| {
        console.marks.op(&id);
        console.view(|v| {
            let op = v.operation(&id)?;
            Some(OpData {
                title: words::op_title(&op.action, op.target.vm_name()),
                provider: conn_name(v, &op.connection),
                can_cancel: v.can_cancel(&id),
                can_retry: v.can_retry(&id),
                busy: v.busy_of(op),
                op: op.clone(),
            })
        })
    })
}

#[component]
fn Entry(id: OpId) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let data = op_data(console, id.clone());
    let phase = move || data.with(|d| d.as_ref().map(|d| d.op.phase));
    let title = move || data.with(|d| d.as_ref().map(|d| d.title.clone()).unwrap_or_default());
    let open = move || phase().is_some_and(Phase::is_open);
    let usual = move || {
        data.with(|d| {
            d.as_ref()
                .filter(|d| d.op.is_open() && d.busy.typical.is_some() && d.op.progress.is_none())
                .map(|d| d.busy.describe(ui.now.get()))
        })
    };
    let progress = move || data.with(|d| d.as_ref().and_then(|d| d.op.progress));
    let key = id.to_string();
    view! {
        <li class="entry" data-op=key
            data-origin=move || data.with(|d| d.as_ref().map(|d| if d.op.origin.is_elsewhere() { "elsewhere" } else { "console" }))
            data-phase=move || phase().map(|p| format!("{p:?}")).unwrap_or_default()>
            <div class="entry-head">
                <span class="entry-title">{title}</span>
                <span class=move || phase().map(phase_class).unwrap_or_default()>
                    {move || phase().map(words::phase_label).unwrap_or_default()}
                </span>
            </div>
            <Show when=open>
                <div class="progress" role="progressbar"
                    aria-label=move || words::progress_of(&title())
                    aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow=move || progress().map(|p| p.to_string())
                    aria-valuetext=move || usual().unwrap_or_default()>
                    <div class="bar" style:transform=move || progress().map(crate::ui::bar_fill)></div>
                </div>
                {move || usual().map(|u| view! { <p class="estimate">{u}</p> })}
            </Show>
            {move || data.with(|d| d.as_ref().and_then(|d| words::origin(&d.op.origin))).map(|by| view! {
                <p class="entry-origin elsewhere-tag">{by}</p>
            })}
            <OpMeta data/>
            <OpButtons id data/>
        </li>
    }
}

/// An operation's provider, times, the provider's status, ids and words.
#[component]
fn OpMeta(data: Memo<Option<OpData>>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let get = move |f: fn(&OpData) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let started = Memo::new(move |_| data.with(|d| d.as_ref().map(|d| d.op.submitted_at)));
    // Elapsed while open; the total once finished.
    let duration = move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| run_time(d.op.submitted_at, d.op.finished_at, ui.now.get()))
                .unwrap_or_default()
        })
    };
    view! {
        <dl class="entry-meta">
            <dt>{Label::Provider.text()}</dt>
            <dd>{get(|d| d.provider.clone())}</dd>
            <dt>{Label::Started.text()}</dt>
            <dd>{move || started.get().map(|at| view! { <Ago at/> })}</dd>
            <dt>{Label::Duration.text()}</dt>
            <dd>{duration}</dd>
            <dt>{Label::ProviderStatus.text()}</dt>
            <dd>{get(|d| d.op.provider_status.clone().unwrap_or_else(|| words::NOTHING.into()))}</dd>
            {move || data.with(|d| d.as_ref().and_then(|d| d.op.provider_ref.as_ref().map(words::describe_ref))).map(|r| view! {
                <dt>{Label::ProviderIds.text()}</dt><dd>{r}</dd>
            })}
            {move || data.with(|d| d.as_ref().and_then(|d| d.op.attempt)).filter(|(k, _)| *k > 1).map(|(k, n)| view! {
                <dt>{Label::Attempt.text()}</dt><dd class="attempt">{words::attempt(k, n)}</dd>
            })}
        </dl>
        {move || data.with(|d| d.as_ref().and_then(|d| d.op.note.as_ref().map(|n| n.to_string()))).map(|m| view! { <p class="entry-message">{m}</p> })}
        {move || data.with(|d| d.as_ref().filter(|d| d.op.is_open()).and_then(|d| d.op.last_error.clone())).map(|e| view! {
            <p class="entry-retry">{words::retrying(&e)}</p>
        })}
    }
}

/// Check now, Cancel task, Retry: each only where it can run.
#[component]
fn OpButtons(id: OpId, data: Memo<Option<OpData>>) -> impl IntoView {
    let console = expect_context::<Console>();
    let title = move || data.with(|d| d.as_ref().map(|d| d.title.clone()).unwrap_or_default());
    let has = move |f: fn(&OpData) -> bool| move || data.with(|d| d.as_ref().is_some_and(f));
    let op_id = StoredValue::new(id);
    let command = move |make: fn(OpId) -> Command| move |_| console.act(make(op_id.get_value()));
    view! {
        <div class="row-actions">
            <Show when=has(|d| d.op.phase.needs_check())>
                <button class="btn small" aria-label=move || words::for_entry(Label::CheckNow, &title())
                    on:click=command(|op| Command::CheckNow { op })>{Label::CheckNow.text()}</button>
            </Show>
            <Show when=has(|d| d.can_cancel)>
                <button class="btn small danger" aria-label=move || words::for_entry(Label::CancelTask, &title())
                    on:click=command(|op| Command::Cancel { op })>{Label::CancelTask.text()}</button>
            </Show>
            <Show when=has(|d| d.can_retry)>
                <button class="btn small" aria-label=move || words::for_entry(Label::Retry, &title())
                    on:click=command(|op| Command::Retry { op })>{Label::Retry.text()}</button>
            </Show>
        </div>
    }
}

/// A workflow, as its entry shows it: with each step's operation phase, status and id.
#[derive(Clone, PartialEq)]
struct WfData {
    wf: Workflow,
    title: String,
    provider: String,
    steps: Vec<Option<(Phase, OpId)>>,
}

/// One workflow and its steps' operations, followed by their marks.
fn wf_data(console: Console, id: WfId) -> Memo<Option<WfData>> {
    Memo::new(move |_| {
        console.marks.workflow(&id);
        let wf = console.view(|v| v.workflow(&id).cloned())?;
        let steps = wf
            .steps
            .iter()
            .map(|s| {
                let op = s.op_id.as_ref()?;
                console.marks.op(op);
                console.view(|v| v.operation(op).map(|o| (o.phase, o.id.clone())))
            })
            .collect();
        Some(WfData {
            title: words::workflow_title(&wf.plan, &wf.vm_name),
            provider: console.view(|v| conn_name(v, &wf.connection)),
            steps,
            wf,
        })
    })
}

#[component]
fn WorkflowEntry(id: WfId) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let data = wf_data(console, id.clone());
    let get = move |f: fn(&WfData) -> String| {
        move || data.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let phase = move || data.with(|d| d.as_ref().map(|d| d.wf.phase));
    let title = get(|d| d.title.clone());
    let wf_id = StoredValue::new(id.clone());
    let force = move |_| {
        console.act(Command::ForceNow {
            workflow: wf_id.get_value(),
        })
    };
    let cancel = move |_| {
        console.act(Command::CancelWorkflow {
            workflow: wf_id.get_value(),
        })
    };
    let started = Memo::new(move |_| data.with(|d| d.as_ref().map(|d| d.wf.started_at)));
    let duration = move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| run_time(d.wf.started_at, d.wf.finished_at, ui.now.get()))
                .unwrap_or_default()
        })
    };
    let left = move || data.with(|d| d.as_ref().and_then(|d| Left::of(&d.wf, ui.now.get())));
    view! {
        <li class="entry workflow" data-workflow=id.to_string()
            data-phase=move || phase().map(|p| format!("{p:?}")).unwrap_or_default()>
            <div class="entry-head">
                <span class="entry-title">{title}</span>
                <span class=move || phase().map(phase_class).unwrap_or_default()>
                    {move || phase().map(words::phase_label).unwrap_or_default()}
                </span>
            </div>
            {move || left().map(|left| view! { <Countdown left/> })}
            <Steps data/>
            <dl class="entry-meta">
                <dt>{Label::Provider.text()}</dt>
                <dd>{get(|d| d.provider.clone())}</dd>
                <dt>{Label::Started.text()}</dt>
                <dd>{move || started.get().map(|at| view! { <Ago at/> })}</dd>
                <dt>{Label::Duration.text()}</dt>
                <dd>{duration}</dd>
            </dl>
            {move || data.with(|d| d.as_ref().and_then(|d| d.wf.note.as_ref().map(|n| n.to_string()))).map(|m| view! { <p class="entry-message">{m}</p> })}
            <crate::guarded::RollBackButton wf=id.clone()/>
            <Show when=move || phase().is_some_and(Phase::is_open)>
                <div class="row-actions">
                    <Show when=move || left().is_some()>
                        <button class="btn small danger" aria-label=move || words::for_entry(Label::ForceNow, &title())
                            on:click=force>{Label::ForceNow.text()}</button>
                    </Show>
                    <button class="btn small" aria-label=move || words::for_entry(Label::Cancel, &title())
                        on:click=cancel>{Label::Cancel.text()}</button>
                </div>
            </Show>
        </li>
    }
}

/// A workflow's steps: each one's state (its operation's phase while it runs), its words, and
/// Check now where its outcome is in doubt.
#[component]
fn Steps(data: Memo<Option<WfData>>) -> impl IntoView {
    let console = expect_context::<Console>();
    view! {
        <ol class="steps">
            {move || data.get().map(|d| d.wf.steps.iter().zip(d.steps.iter()).map(|(s, op)| {
                let state = match (s.state, op) {
                    (StepState::Running, Some((p, _))) => words::phase_label(*p),
                    (st, _) => words::step_state_label(st),
                };
                let check = op.as_ref().filter(|(p, _)| p.needs_check()).map(|(_, id)| id.clone());
                view! {
                    <li class="step" data-state=format!("{:?}", s.state)>
                        <span>{s.label.to_string()}</span>
                        " — "<span class="step-state">{state}</span>
                        {s.note.as_ref().map(|m| view! { <span class="step-message">{format!(" ({m})")}</span> })}
                        {check.map(|op| view! {
                            " "<button class="btn small" on:click=move |_| console.act(Command::CheckNow { op: op.clone() })>{Label::CheckNow.text()}</button>
                        })}
                    </li>
                }
            }).collect_view())}
        </ol>
    }
}

/// The countdown to power off: who forces it, and when (vigil-core's `Countdown`).
#[component]
fn Countdown(left: Left) -> impl IntoView {
    let pct = left.percent;
    view! {
        <div class="countdown" role="timer" aria-live="off">
            <span>{left.to_string()}</span>
            <div class="progress" role="progressbar" aria-label=left.label()
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()>
                <div class="bar" style:transform=crate::ui::bar_fill(pct)></div>
            </div>
        </div>
    }
}
