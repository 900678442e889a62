//! When the page cannot go on — a panic, or an error nothing caught — it says so in plain DOM
//! (no reactive code runs after a panic), gives up the lead so that another tab takes over,
//! and tells the other tabs ([`crate::tabs::abandon`]). What was saved stays saved: every
//! change is written as it happens.

use std::cell::Cell;

use vigil_core::words::Label;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Where a test asks for the test-only hook: `localStorage["vigil.test.hooks"] = "1"`.
const TEST_HOOKS: &str = "vigil.test.hooks";

thread_local! {
    static STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// Installs the panic hook and the listeners for uncaught errors (once, at start).
pub fn watch() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        stop();
    }));
    let Some(window) = web_sys::window() else {
        return;
    };
    for event in ["error", "unhandledrejection"] {
        let on = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if ours(&ev) {
                stop();
            }
        });
        let _ = window.add_event_listener_with_callback(event, on.as_ref().unchecked_ref());
        on.forget();
    }
    test_hook(&window);
}

/// An error event from this page's own code (not a browser extension's script).
fn ours(ev: &web_sys::Event) -> bool {
    match ev.dyn_ref::<web_sys::ErrorEvent>() {
        Some(e) => {
            let origin = web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default();
            let file = e.filename();
            file.is_empty() || file.starts_with(&origin)
        }
        // An unhandled rejection: a promise of ours nothing awaited.
        None => true,
    }
}

/// Gives up what the tab holds and shows the overlay (once).
pub fn stop() {
    if STOPPED.with(|s| s.replace(true)) {
        return;
    }
    crate::tabs::abandon();
    overlay();
}

/// "Vigil stopped", over everything, with a link that reloads the page.
fn overlay() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(div), Ok(p), Ok(a), Some(body)) = (
        doc.create_element("div"),
        doc.create_element("p"),
        doc.create_element("a"),
        doc.body(),
    ) else {
        return;
    };
    let _ = div.set_attribute("id", "vigil-stopped");
    let _ = div.set_attribute("role", "alert");
    p.set_text_content(Some(Label::Stopped.text()));
    let here = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let _ = a.set_attribute("href", &here);
    let _ = a.set_attribute("class", "btn primary");
    a.set_text_content(Some(Label::Reload.text()));
    let _ = div.append_child(&p);
    let _ = div.append_child(&a);
    let _ = body.append_child(&div);
}

/// `window.vigilTestPanic()`, only where a test asked for it: panics, as a bug would.
fn test_hook(window: &web_sys::Window) {
    let asked = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(TEST_HOOKS).ok().flatten());
    if asked.as_deref() != Some("1") {
        return;
    }
    let hook = Closure::<dyn Fn()>::new(|| panic!("test-only panic"));
    let _ = js_sys::Reflect::set(window, &"vigilTestPanic".into(), hook.as_ref());
    hook.forget();
}
