//! Activity (every operation and workflow, with its progress) and notices.

use leptos::prelude::*;
use vigil_core::time::{format_duration, format_elapsed, format_rfc3339};
use vigil_core::view::{ActivityFilter, ActivityItem};
use vigil_core::workflow::StepState;
use vigil_core::Phase;

use crate::console::{Console, Tone};
use crate::ui::Ui;

fn filter_of(v: &str) -> ActivityFilter {
    match v {
        "running" => ActivityFilter::InProgress,
        "done" => ActivityFilter::Done,
        "failed" => ActivityFilter::Failed,
        "check" => ActivityFilter::NeedsCheck,
        _ => ActivityFilter::All,
    }
}

#[component]
pub fn Activity() -> impl IntoView {
    let console = expect_context::<Console>();
    let show = RwSignal::new(ActivityFilter::All);
    let list = Memo::new(move |_| console.engine.with(|e| e.activity(show.get(), None)));
    let any = Memo::new(move |_| {
        console
            .engine
            .with(|e| !e.operations().is_empty() || !e.workflows().is_empty())
    });
    view! {
        <Show when=move || any.get() fallback=|| view! {
            <p class="hint">"Operations you start appear here and are tracked until the VM shows the result."</p>
        }>
            <label class="activity-filter">"Show"
                <select name="activity-state" on:change=move |ev| show.set(filter_of(&event_target_value(&ev)))>
                    <option value="all">"All"</option>
                    <option value="running">"In progress"</option>
                    <option value="done">"Done"</option>
                    <option value="failed">"Failed or cancelled"</option>
                    <option value="check">"Needs check"</option>
                </select>
            </label>
            <ActivityList list/>
            <Show when=move || list.with(Vec::is_empty)>
                <p class="hint">"Nothing in this state."</p>
            </Show>
        </Show>
    }
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

fn provider_name(console: Console, conn: &str) -> String {
    console.engine.with_untracked(|e| {
        e.connections()
            .find(|c| c.id == conn)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    })
}

#[component]
fn Entry(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let op = {
        let id = id.clone();
        Memo::new(move |_| console.engine.with(|e| e.operation(&id).cloned()))
    };
    let phase = move || op.with(|o| o.as_ref().map(|o| o.phase));
    let check = {
        let id = id.clone();
        move |_| console.check_now(&id)
    };
    let cancellable = {
        let id = id.clone();
        move || console.engine.with(|e| e.can_cancel(&id))
    };
    let cancel = {
        let id = id.clone();
        move |_| console.cancel(&id)
    };
    let retry = move |_| {
        if let Some(o) = op.get_untracked() {
            if let Err(e) = console.run(&o.connection, &o.vm_id, o.action.clone()) {
                console.announcement.set(e);
            }
        }
    };
    let retryable = {
        let id = id.clone();
        move || console.engine.with(|e| e.can_retry(&id))
    };
    let title = move || {
        op.with(|o| {
            o.as_ref()
                .map(|o| format!("{} {}", o.action.describe(), o.vm_name))
                .unwrap_or_default()
        })
    };
    let provider = move || {
        op.with(|o| o.as_ref().map(|o| provider_name(console, &o.connection)))
            .unwrap_or_default()
    };
    // Elapsed while open; the total once finished.
    let duration = move || {
        op.with(|o| {
            o.as_ref()
                .map(|o| run_time(o.submitted_at, o.finished_at, ui.now.get()))
                .unwrap_or_default()
        })
    };
    let usual = move || {
        op.with(|o| {
            o.as_ref()
                .filter(|o| o.is_open() && o.progress.is_none())
                .and_then(|o| {
                    console
                        .engine
                        .with(|e| e.busy_on(&o.connection, &o.vm_id))
                        .filter(|b| b.typical.is_some())
                        .map(|b| b.describe(ui.now.get()))
                })
        })
    };
    view! {
        <li class="entry" data-op=id.clone()
            data-phase=move || phase().map(|p| format!("{p:?}")).unwrap_or_default()>
            <div class="entry-head">
                <span class="entry-title">{title}</span>
                <span class=move || phase().map(phase_class).unwrap_or_default()>
                    {move || phase().map(|p| p.label()).unwrap_or_default()}
                </span>
            </div>
            <Show when=move || phase().is_some_and(|p| p.is_open())>
                <div class="progress" role="progressbar"
                    aria-label=move || format!("{} progress", title())
                    aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow=move || op.with(|o| o.as_ref().and_then(|o| o.progress).map(|p| p.to_string()))
                    aria-valuetext=move || usual().unwrap_or_default()>
                    <div class="bar" style:width=move || op.with(|o| o.as_ref().and_then(|o| o.progress)).map(|p| format!("{p}%"))></div>
                </div>
                {move || usual().map(|u| view! { <p class="estimate">{u}</p> })}
            </Show>
            <dl class="entry-meta">
                <dt>"Provider"</dt>
                <dd>{provider}</dd>
                <dt>"Started"</dt>
                <dd>{move || op.with(|o| o.as_ref().map(|o| format_rfc3339(o.submitted_at)).unwrap_or_default())}</dd>
                <dt>"Duration"</dt>
                <dd>{duration}</dd>
                <dt>"Provider status"</dt>
                <dd>{move || op.with(|o| o.as_ref().and_then(|o| o.provider_status.clone()).unwrap_or_else(|| "—".into()))}</dd>
                {move || op.with(|o| o.as_ref().and_then(|o| o.provider_ref.as_ref().map(|r| r.describe()))).map(|r| view! {
                    <dt>"Provider ids"</dt><dd>{r}</dd>
                })}
                {move || op.with(|o| o.as_ref().and_then(|o| o.attempt)).filter(|(k, _)| *k > 1).map(|(k, n)| view! {
                    <dt>"Attempt"</dt><dd class="attempt">{format!("attempt {k} of {n}")}</dd>
                })}
            </dl>
            {move || op.with(|o| o.as_ref().and_then(|o| o.message.clone())).map(|m| view! { <p class="entry-message">{m}</p> })}
            {move || op.with(|o| o.as_ref().filter(|o| o.is_open()).and_then(|o| o.last_error.clone())).map(|e| view! {
                <p class="entry-retry">"Retrying: " {e.full()}</p>
            })}
            <div class="row-actions">
                <Show when=move || matches!(phase(), Some(Phase::TimedOut | Phase::NeedsCheck))>
                    <button class="btn small" aria-label=move || format!("Check now: {}", title()) on:click=check.clone()>"Check now"</button>
                </Show>
                <Show when=cancellable.clone()>
                    <button class="btn small danger" aria-label=move || format!("Cancel task: {}", title()) on:click=cancel.clone()>"Cancel task"</button>
                </Show>
                <Show when=retryable>
                    <button class="btn small" aria-label=move || format!("Retry {}", title()) on:click=retry>"Retry"</button>
                </Show>
            </div>
        </li>
    }
}

#[component]
fn WorkflowEntry(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let wf = {
        let id = id.clone();
        Memo::new(move |_| console.engine.with(|e| e.workflow(&id).cloned()))
    };
    let phase = move || wf.with(|w| w.as_ref().map(|w| w.phase));
    let title = move || {
        wf.with(|w| {
            w.as_ref()
                .map(|w| format!("{} {}", w.plan.describe(), w.vm_name))
                .unwrap_or_default()
        })
    };
    let left = move || wf.with(|w| w.as_ref().and_then(|w| w.countdown_left(ui.now.get())));
    let total = move || wf.with(|w| w.as_ref().and_then(|w| w.countdown).map(|(a, b)| b - a));
    let provider_forces = move || wf.with(|w| w.as_ref().is_some_and(|w| w.provider_forces));
    let wf_id = StoredValue::new(id.clone());
    let force = move |_| console.force_now(&wf_id.get_value());
    let cancel = move |_| console.cancel_workflow(&wf_id.get_value());
    let steps = move || {
        wf.with(|w| {
            w.as_ref()
                .map(|w| {
                    w.steps
                        .iter()
                        .map(|s| {
                            let op_phase = s.op_id.as_ref().and_then(|id| {
                                console.engine.with(|e| {
                                    e.operation(id)
                                        .map(|o| (o.phase, o.provider_status.clone(), o.id.clone()))
                                })
                            });
                            (s.clone(), op_phase)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let duration = move || {
        wf.with(|w| {
            w.as_ref()
                .map(|w| run_time(w.started_at, w.finished_at, ui.now.get()))
                .unwrap_or_default()
        })
    };
    view! {
        <li class="entry workflow" data-workflow=id.clone()
            data-phase=move || phase().map(|p| format!("{p:?}")).unwrap_or_default()>
            <div class="entry-head">
                <span class="entry-title">{title}</span>
                <span class=move || phase().map(phase_class).unwrap_or_default()>
                    {move || phase().map(|p| p.label()).unwrap_or_default()}
                </span>
            </div>
            {move || left().map(|ms| {
                let total = total().unwrap_or(1).max(1);
                let pct = (100 - ms * 100 / total).clamp(0, 100);
                // Whole seconds, rounded up, never more than the countdown itself.
                let left = format_elapsed(((ms + 999) / 1000 * 1000).min(total));
                let who = if provider_forces() { "The provider powers it off" } else { "Powering off" };
                view! {
                    <div class="countdown" role="timer" aria-live="off">
                        <span>{format!("{who} in {left} unless it shuts down first.")}</span>
                        <div class="progress" role="progressbar" aria-label=format!("Countdown to power off: {left} left")
                            aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()>
                            <div class="bar" style:width=format!("{pct}%")></div>
                        </div>
                    </div>
                }
            })}
            <ol class="steps">
                {move || steps().into_iter().map(|(s, op)| {
                    let state = match (s.state, &op) {
                        (StepState::Running, Some((p, _, _))) => p.label().to_string(),
                        (st, _) => st.label().to_string(),
                    };
                    let check = op.as_ref().filter(|(p, _, _)| matches!(p, Phase::NeedsCheck | Phase::TimedOut)).map(|(_, _, id)| id.clone());
                    view! {
                        <li class="step" data-state=format!("{:?}", s.state)>
                            <span>{s.label.clone()}</span>
                            " — "<span class="step-state">{state}</span>
                            {s.message.clone().map(|m| view! { <span class="step-message">{format!(" ({m})")}</span> })}
                            {check.map(|id| view! {
                                " "<button class="btn small" on:click=move |_| console.check_now(&id)>"Check now"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <dl class="entry-meta">
                <dt>"Provider"</dt>
                <dd>{move || wf.with(|w| w.as_ref().map(|w| provider_name(console, &w.connection))).unwrap_or_default()}</dd>
                <dt>"Started"</dt>
                <dd>{move || wf.with(|w| w.as_ref().map(|w| format_rfc3339(w.started_at)).unwrap_or_default())}</dd>
                <dt>"Duration"</dt>
                <dd>{duration}</dd>
            </dl>
            {move || wf.with(|w| w.as_ref().and_then(|w| w.message.clone())).map(|m| view! { <p class="entry-message">{m}</p> })}
            <Show when=move || phase().is_some_and(|p| p.is_open())>
                <div class="row-actions">
                    <Show when=move || left().is_some()>
                        <button class="btn small danger" aria-label=move || format!("Force now: {}", title()) on:click=force>"Force now"</button>
                    </Show>
                    <button class="btn small" aria-label=move || format!("Cancel: {}", title()) on:click=cancel>"Cancel"</button>
                </div>
            </Show>
        </li>
    }
}

#[component]
pub fn Notices() -> impl IntoView {
    let console = expect_context::<Console>();
    view! {
        <div class="notices" aria-label="Notifications">
            <For each=move || console.notices.get() key=|n| n.id let:n>
                <div class=match n.tone { Tone::Success => "notice success", Tone::Error => "notice error", Tone::Info => "notice" }>
                    <span>{n.text.clone()}</span>
                    <button class="btn small" aria-label="Dismiss notification" on:click=move |_| console.dismiss(n.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}
