//! Activity (every operation with its progress) and notices.

use leptos::prelude::*;
use vigil_core::time::{format_duration, format_rfc3339};
use vigil_core::Phase;

use crate::console::{Console, Tone};

#[component]
pub fn Activity() -> impl IntoView {
    let console = expect_context::<Console>();
    // A clock for elapsed times; leptos-use clears the interval when this unmounts.
    let now = RwSignal::new(crate::now_ms());
    let _clock = leptos_use::use_interval_fn(move || now.set(crate::now_ms()), 1000);
    let ids = Memo::new(move |_| {
        console.engine.with(|e| {
            e.operations()
                .iter()
                .rev()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || !ids.with(Vec::is_empty) fallback=|| view! {
            <p class="hint">"Operations you start appear here and are tracked until the VM shows the result."</p>
        }>
            <ol class="activity">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <Entry id now/>
                </For>
            </ol>
        </Show>
    }
}

#[component]
fn Entry(id: String, now: RwSignal<i64>) -> impl IntoView {
    let console = expect_context::<Console>();
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
    let provider = move || {
        op.with(|o| {
            o.as_ref().and_then(|o| {
                console.engine.with_untracked(|e| {
                    e.connections()
                        .find(|c| c.id == o.connection)
                        .map(|c| c.name.clone())
                })
            })
        })
        .unwrap_or_default()
    };
    let elapsed = move || {
        op.with(|o| {
            o.as_ref()
                .map(|o| format_duration(o.elapsed(now.get())))
                .unwrap_or_default()
        })
    };
    view! {
        <li class="entry" data-op=id.clone()
            data-phase=move || phase().map(|p| format!("{p:?}")).unwrap_or_default()>
            <div class="entry-head">
                <span class="entry-title">
                    {move || op.with(|o| o.as_ref().map(|o| format!("{} {}", o.action.describe(), o.vm_name)).unwrap_or_default())}
                </span>
                <span class=move || format!("phase-badge {}", phase().map(|p| format!("{p:?}").to_lowercase()).unwrap_or_default())>
                    {move || phase().map(|p| p.label()).unwrap_or_default()}
                </span>
            </div>
            <Show when=move || phase().is_some_and(|p| p.is_open())>
                <div class="progress" role="progressbar" aria-label="Operation in progress"
                    aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow=move || op.with(|o| o.as_ref().and_then(|o| o.progress).map(|p| p.to_string()))>
                    <div class="bar" style:width=move || op.with(|o| o.as_ref().and_then(|o| o.progress)).map(|p| format!("{p}%")).unwrap_or_default()></div>
                </div>
            </Show>
            <dl class="entry-meta">
                <dt>"Provider"</dt>
                <dd>{provider}</dd>
                <dt>"Started"</dt>
                <dd>{move || op.with(|o| o.as_ref().map(|o| format_rfc3339(o.submitted_at)).unwrap_or_default())}</dd>
                <dt>"Duration"</dt>
                <dd>{elapsed}</dd>
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
            <Show when=move || matches!(phase(), Some(Phase::TimedOut | Phase::NeedsCheck))>
                <button class="btn small" on:click=check.clone()>"Check now"</button>
            </Show>
            <Show when=cancellable.clone()>
                <button class="btn small danger" on:click=cancel.clone()>"Cancel task"</button>
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
