//! "From the provider": each connection's history as its provider keeps it (cloudsfor's
//! actions, ONETSolutions' tasks, Erigones' task log), newest first, with who started each
//! where the provider says; "Show older" reads the next page. A provider without a history says
//! why (vigil-core's typed refusal). Read when the source is opened, and again on request.

use leptos::prelude::*;
use vigil_core::dialect::{ActivityEntry, ActivityStatus, ACTIVITY_MAX};
use vigil_core::engine::{ActivityFeed, FeedState};
use vigil_core::words::{self, FeedLabel};
use vigil_core::{Command, ConnId, Refusal};

use crate::console::Console;
use crate::intl::Ago;
use crate::row::conn_name;

/// Every connection shown, each with its history.
#[component]
pub fn ProviderFeed() -> impl IntoView {
    let console = expect_context::<Console>();
    let conns = Memo::new(move |_| {
        console.marks.connections();
        console.view(|v| v.connections().map(|c| c.id.clone()).collect::<Vec<_>>())
    });
    // Opened: the newest page of every history the providers keep.
    Effect::new(move |_| {
        for conn in conns.get() {
            let offered = console.view(|v| v.activity_offered(&conn).is_ok());
            if offered {
                console.act(Command::ReadActivity { conn, more: false });
            }
        }
    });
    view! {
        <p class="hint">{FeedLabel::Explain.text()}</p>
        <Show when=move || !conns.with(Vec::is_empty) fallback=|| view! {
            <p class="hint">{FeedLabel::NoConnections.text()}</p>
        }>
            <For each=move || conns.get() key=|c| c.clone() let:conn>
                <ConnFeed conn/>
            </For>
        </Show>
    }
}

/// What one connection's history shows, read at once.
#[derive(Clone, PartialEq)]
struct FeedData {
    name: String,
    offered: Result<(), Refusal>,
    feed: ActivityFeed,
}

#[component]
fn ConnFeed(conn: ConnId) -> impl IntoView {
    let console = expect_context::<Console>();
    let data = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.conn(&conn);
            console.view(|v| {
                Some(FeedData {
                    name: conn_name(v, &conn),
                    offered: v.activity_offered(&conn),
                    feed: v.activity_feed(&conn).cloned().unwrap_or_default(),
                })
            })
        })
    };
    let name = move || data.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let heading = format!("feed-{conn}");
    let labelled = heading.clone();
    let absent =
        Memo::new(move |_| data.with(|d| d.as_ref().and_then(|d| d.offered.clone().err())));
    let attr = conn.to_string();
    view! {
        <section class="feed" data-conn=attr aria-labelledby=labelled>
            <h3 id=heading>{name}</h3>
            {move || match absent.get() {
                Some(why) => view! { <p class="absent">{why.to_string()}</p> }.into_any(),
                None => view! { <FeedBody conn=conn.clone() data/> }.into_any(),
            }}
        </section>
    }
}

/// The entries of a history that is offered, its state, and its buttons.
#[component]
fn FeedBody(conn: ConnId, data: Memo<Option<FeedData>>) -> impl IntoView {
    let console = expect_context::<Console>();
    let state = move || data.with(|d| d.as_ref().map(|d| d.feed.state.clone()));
    let loading = move || state() == Some(FeedState::Loading);
    let entries = Memo::new(move |_| {
        data.with(|d| {
            d.as_ref()
                .map(|d| d.feed.entries.clone())
                .unwrap_or_default()
        })
    });
    let more = move || data.with(|d| d.as_ref().is_some_and(|d| d.feed.more));
    let read = StoredValue::new(conn);
    let ask = move |more: bool| {
        move |_| {
            console.act(Command::ReadActivity {
                conn: read.get_value(),
                more,
            })
        }
    };
    let failed = move || match (state(), data.with(|d| d.as_ref().map(|d| d.name.clone()))) {
        (Some(FeedState::Failed(e)), Some(name)) => Some(words::feed_failed(&name, &e)),
        _ => None,
    };
    let read_once = move || data.with(|d| d.as_ref().is_some_and(|d| d.feed.read_at.is_some()));
    view! {
        {move || failed().map(|f| view! { <p class="error" role="alert">{f}</p> })}
        <Show when=move || loading() && entries.with(Vec::is_empty)>
            <p class="hint" role="status">{FeedLabel::Reading.text()}</p>
        </Show>
        <Show when=move || read_once() && !loading() && entries.with(Vec::is_empty)>
            <p class="hint">{FeedLabel::Empty.text()}</p>
        </Show>
        <ol class="feed-list" aria-busy=move || loading().to_string()>
            <For each=move || entries.get() key=|e| (e.task.clone(), e.kind.clone(), e.at_raw.clone(), e.status_raw.clone()) let:e>
                <FeedEntry e/>
            </For>
        </ol>
        <Show when=move || entries.with(|e| e.len() >= ACTIVITY_MAX)>
            <p class="hint">{words::feed_kept(ACTIVITY_MAX)}</p>
        </Show>
        <div class="row-actions">
            <Show when=more>
                <button type="button" class="btn small" disabled=loading on:click=ask(true)>
                    {FeedLabel::ShowOlder.text()}
                </button>
            </Show>
            <button type="button" class="btn small" disabled=loading on:click=ask(false)>
                {FeedLabel::ReadAgain.text()}
            </button>
        </div>
    }
}

fn status_class(s: &ActivityStatus) -> &'static str {
    match s {
        ActivityStatus::Running => "phase-badge inprogress",
        ActivityStatus::Succeeded => "phase-badge succeeded",
        ActivityStatus::Failed => "phase-badge failed",
        ActivityStatus::Cancelled => "phase-badge cancelled",
        ActivityStatus::Unknown => "phase-badge needscheck",
    }
}

/// One entry of the provider's history.
#[component]
fn FeedEntry(e: ActivityEntry) -> impl IntoView {
    let when = match e.at {
        Some(at) => view! { <Ago at/> }.into_any(),
        None => view! { <span>{words::name(&e.at_raw)}</span> }.into_any(),
    };
    view! {
        <li class="entry feed-entry" data-status=format!("{:?}", e.status) data-task=e.task.clone()>
            <div class="entry-head">
                <span class="entry-title">{words::feed_title(&e)}</span>
                <span class=status_class(&e.status)>{words::feed_status(&e.status, &e.status_raw)}</span>
            </div>
            <dl class="entry-meta">
                <dt>{FeedLabel::When.text()}</dt><dd>{when}</dd>
                <dt>{FeedLabel::StartedBy.text()}</dt><dd class="feed-by">{words::feed_by(&e)}</dd>
                {e.task.clone().map(|t| view! {
                    <dt>{FeedLabel::Task.text()}</dt><dd><code>{words::name(&t)}</code></dd>
                })}
            </dl>
        </li>
    }
}
