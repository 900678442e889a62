//! Notices: what the engine says the user should hear about (tone and words decided in
//! vigil-core), stacked in a corner — successes leave after 8 s, failures stay until dismissed —
//! and announced to screen readers through an `aria-live` region.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use vigil_core::engine::{Notice, Tone};
use vigil_core::words::Label;

/// How long a success (or an information) stays.
const LINGER_MS: u32 = 8_000;
/// At most this many at once; the oldest go first.
const MAX_SHOWN: usize = 5;

#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub id: u64,
    pub tone: Tone,
    pub text: String,
    /// Something the provider showed once (a generated password): on screen until dismissed,
    /// never announced, kept nowhere.
    pub secret: Option<String>,
}

/// Copy handle on the notices and the announcement.
#[derive(Clone, Copy)]
pub struct Notices {
    list: RwSignal<Vec<Shown>>,
    /// The latest announcement for screen readers.
    announcement: RwSignal<String>,
    next: StoredValue<u64>,
}

impl Default for Notices {
    fn default() -> Self {
        Self::new()
    }
}

impl Notices {
    pub fn new() -> Self {
        Notices {
            list: RwSignal::new(Vec::new()),
            announcement: RwSignal::new(String::new()),
            next: StoredValue::new(0),
        }
    }

    pub fn push(self, notice: Notice) {
        self.show(notice.tone, notice.text, None);
    }

    /// Something the page itself has to say (about this device's storage, say).
    pub fn say(self, tone: Tone, text: String) {
        self.show(tone, text, None);
    }

    /// A secret the provider showed once, under `text` (which is announced; the secret is not).
    pub fn secret(self, text: String, secret: String) {
        self.show(Tone::Info, text, Some(secret));
    }

    fn show(self, tone: Tone, text: String, secret: Option<String>) {
        self.announcement.set(text.clone());
        let id = self
            .next
            .try_update_value(|n| {
                *n += 1;
                *n
            })
            .unwrap_or(0);
        if tone != Tone::Error && secret.is_none() {
            Timeout::new(LINGER_MS, move || self.dismiss(id)).forget();
        }
        self.list.update(|l| {
            l.push(Shown {
                id,
                tone,
                text,
                secret,
            });
            let excess = l.len().saturating_sub(MAX_SHOWN);
            l.drain(..excess);
        });
    }

    /// Says something to screen readers only (a refusal shown next to its button, say).
    pub fn announce(self, text: String) {
        self.announcement.set(text);
    }

    pub fn dismiss(self, id: u64) {
        self.list.try_update(|l| l.retain(|n| n.id != id));
    }
}

/// The stack of notices.
#[component]
pub fn NoticeStack() -> impl IntoView {
    let notices = expect_context::<Notices>();
    view! {
        <div class="notices" aria-label=Label::Notifications.text()>
            <For each=move || notices.list.get() key=|n| n.id let:n>
                <div class=match n.tone {
                    Tone::Success => "notice success",
                    Tone::Error => "notice error",
                    Tone::Info => "notice",
                }>
                    <span>{n.text.clone()}</span>
                    {n.secret.clone().map(|s| view! { " "<code class="secret">{s}</code> })}
                    <button class="btn small" aria-label=Label::DismissNotification.text()
                        on:click=move |_| notices.dismiss(n.id)>{Label::Dismiss.text()}</button>
                </div>
            </For>
        </div>
    }
}

/// The live region screen readers read.
#[component]
pub fn Announcer() -> impl IntoView {
    let notices = expect_context::<Notices>();
    view! {
        <div class="sr-only" aria-live="polite" role="status">
            {move || notices.announcement.get()}
        </div>
    }
}
