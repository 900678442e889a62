//! The Network tab's console (ONETSolutions' `get_vnc_url`): "Open console" asks the provider
//! for a session and follows it to its verified end (the task ended and the session read back
//! with its address); then the session is offered as a link the user opens in a new tab
//! (`target="_blank"`, `rel="noopener noreferrer"`).
//!
//! Why a link and not an automatic `window.open`: the session comes seconds after the click,
//! and a browser's popup blocker refuses a window not opened by the user's own click — and,
//! opened with `noopener`, it would not even say so. The link is the user's click: it always
//! opens, and never with a handle back to this page or a referrer. The URL lives only in the
//! engine's memory and this link: never logged, kept or shown as text; past its expiry the
//! link goes and "Open console" asks for a new one.

use leptos::prelude::*;
use vigil_core::words::{self, VmNetLabel};
use vigil_core::{Action, ActionKind, Caps, Command, ConnId, ConsoleState, VmId};

use crate::console::Console;
use crate::intl::time_of_day;
use crate::vm_network::{intend, offered};

#[component]
pub fn ConsoleAccess(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    if !offered(caps, ActionKind::OpenConsole) {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    // The clock, for the session's expiry: looked at again every 5 s while on the page.
    let tick = RwSignal::new(0u32);
    let timer = gloo_timers::callback::Interval::new(5_000, move || {
        let _ = tick.try_update(|t| *t = t.wrapping_add(1));
    });
    let timer = StoredValue::new_local(Some(timer));
    on_cleanup(move || {
        if let Some(t) = timer.try_update_value(Option::take).flatten() {
            t.cancel();
        }
    });
    let state = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            tick.track();
            console.marks.activity();
            console.marks.conn(&conn);
            console.view(|v| v.console(&conn, &vm, crate::now_ms()))
        })
    };
    let vm_name = {
        let (conn, vm) = (conn.clone(), vm.clone());
        move || crate::forms::vm_name(console, &conn, &vm)
    };
    let error = RwSignal::new(None::<String>);
    let open = move |_| {
        let cmd = Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action: Action::OpenConsole,
        };
        intend(console, cmd, error);
    };
    let opening = move || matches!(state.get(), ConsoleState::Opening(_));
    view! {
        <section class="net-part" aria-labelledby="net-console-h">
            <h3 id="net-console-h">{VmNetLabel::ConsoleHeading.to_string()}</h3>
            <p class="hint">{VmNetLabel::ConsoleWhat.to_string()}</p>
            <div class="row-actions">
                <button type="button" class="btn" on:click=open disabled=opening
                    aria-busy=move || opening().to_string()>{VmNetLabel::OpenConsole.to_string()}</button>
                {move || match state.get() {
                    ConsoleState::Ready { session, .. } => {
                        let until = session.expires_at.map(time_of_day);
                        view! {
                            <a class="btn primary" href=session.url target="_blank"
                                rel="noopener noreferrer">{VmNetLabel::ConsoleReady.to_string()}</a>
                            <p class="hint" role="status">{words::console_ready(&vm_name(), until.as_deref())}</p>
                        }.into_any()
                    }
                    ConsoleState::Expired(_) => view! {
                        <p class="hint" role="status">{VmNetLabel::ConsoleExpired.to_string()}</p>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
    .into_any()
}
