//! A button that copies an address to the clipboard (the Clipboard API), says "Copied" where
//! the button is, and says how to copy by hand when the browser refuses.

use leptos::prelude::*;
use vigil_core::words::{self, PageLabel};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// What the last click did.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Not,
    Yes,
    Refused,
}

/// `navigator.clipboard.writeText(text)`, or an error where there is no clipboard.
async fn write(text: &str) -> Result<(), JsValue> {
    let nav = web_sys::window().ok_or(JsValue::NULL)?.navigator();
    let clipboard = js_sys::Reflect::get(&nav, &"clipboard".into())?;
    if clipboard.is_undefined() {
        return Err(JsValue::NULL);
    }
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())?.into();
    let promise: js_sys::Promise = write.call1(&clipboard, &text.into())?.into();
    JsFuture::from(promise).await.map(|_| ())
}

#[component]
pub fn CopyButton(text: String) -> impl IntoView {
    let state = RwSignal::new(Copied::Not);
    let label = words::copy_address(&text);
    let click = {
        let text = text.clone();
        move |_| {
            let text = text.clone();
            leptos::task::spawn_local(async move {
                let ok = write(&text).await.is_ok();
                state.set(if ok { Copied::Yes } else { Copied::Refused });
                if ok {
                    gloo_timers::future::TimeoutFuture::new(2_000).await;
                    let _ = state.try_update(|s| {
                        if *s == Copied::Yes {
                            *s = Copied::Not
                        }
                    });
                }
            });
        }
    };
    view! {
        <span class="copy">
            <button type="button" class="btn small ghost copy-btn" aria-label=label title=words::copy_address(&text)
                on:click=click>{PageLabel::Copy.text()}</button>
            <span class="copied" role="status">
                {move || match state.get() {
                    Copied::Yes => PageLabel::Copied.text(),
                    _ => "",
                }}
            </span>
            <Show when=move || state.get() == Copied::Refused>
                <span class="copy-refused" role="alert">{PageLabel::CopyRefused.text()}</span>
            </Show>
        </span>
    }
}
