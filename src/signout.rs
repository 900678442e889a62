//! Signing out: connections and their credentials forgotten in every tab of the browser at
//! once (and, if asked, the activity kept on this device). A tab hears of another's sign-out
//! through localStorage's `storage` event; one that missed it (frozen, discarded) finds the
//! sign-out when it loads or saves its settings, and never writes them back ([`storage::save`]).

use leptos::prelude::*;
use vigil_core::site::SiteConfig;
use vigil_core::words::{Label, StorageNote};
use vigil_core::Command;

use crate::config::demo_connections;
use crate::console::Console;
use crate::storage::{self, Settings};

/// The header's "Sign out", shown while connections are configured, with its confirmation.
#[component]
pub fn SignOutButton(
    settings: RwSignal<Settings>,
    settings_open: RwSignal<bool>,
    site: RwSignal<Option<SiteConfig>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let asking = RwSignal::new(false);
    let activity = RwSignal::new(false);
    let apply = move |next: Settings, clear_activity: bool, note: StorageNote| {
        // The settings form goes, and what was typed into it.
        settings_open.set(false);
        asking.set(false);
        // What is left is the demo, where the site shows it with nothing configured.
        let demo = site.with_untracked(|c| {
            c.as_ref()
                .is_some_and(|c| c.shows_demo(next.connections.len(), next.show_demo))
        });
        settings.set(next);
        // The connections go before the activity is cleared, so that nothing they had open is
        // saved again after.
        console.set_connections(if demo { demo_connections() } else { Vec::new() });
        if clear_activity {
            console.act(Command::ClearFinished);
        }
        console.notices.say(note.tone(), note.to_string());
    };
    let _ = leptos_use::use_event_listener(
        leptos_use::use_window(),
        leptos::ev::storage,
        move |ev: web_sys::StorageEvent| {
            if ev.key().as_deref() != Some(storage::SIGN_OUT) {
                return;
            }
            let told = storage::last_sign_out();
            if told.epoch > settings.with_untracked(|s| s.epoch) {
                let next = storage::signed_out_elsewhere(told);
                apply(next, told.activity, StorageNote::SignedOutElsewhere);
            }
        },
    );
    let confirm = move |_| {
        let clear_activity = activity.get_untracked();
        let next = storage::sign_out(clear_activity);
        apply(
            next,
            clear_activity,
            StorageNote::SignedOut {
                activity: clear_activity,
            },
        );
    };
    view! {
        <Show when=move || settings.with(|s| !s.connections.is_empty())>
            <button class="btn" title=Label::SignOutTitle.text()
                aria-expanded=move || asking.get().to_string() aria-controls="sign-out"
                on:click=move |_| asking.update(|a| *a = !*a)>
                {Label::SignOut.text()}
            </button>
        </Show>
        <Show when=move || asking.get()>
            <div id="sign-out" class="sign-out" role="group" aria-label=Label::SignOut.text()>
                <p class="hint">{Label::SignOutTitle.text()}</p>
                <label class="check">
                    <input type="checkbox" name="sign-out-activity"
                        prop:checked=move || activity.get()
                        on:change=move |ev| activity.set(event_target_checked(&ev))/>
                    {Label::SignOutActivityToo.text()}
                </label>
                <div class="row-actions">
                    <button class="btn danger" on:click=confirm>{Label::SignOutEverywhere.text()}</button>
                    <button class="btn" on:click=move |_| asking.set(false)>{Label::Cancel.text()}</button>
                </div>
            </div>
        </Show>
    }
}
