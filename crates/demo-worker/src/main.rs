//! The demo providers in a Web Worker: `vigil_sim::worker::Host` behind `postMessage`, so that
//! the page downloads the simulator only when it shows a demo connection, and its work runs off
//! the page's main thread. Built by Trunk as a worker (`index.html`, `data-type="worker"`).

use std::cell::RefCell;

use vigil_sim::worker::{to_json, FromWorker, Host};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    static HOST: RefCell<Host> = RefCell::new(Host::default());
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let answer_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let text = ev.data().as_string().unwrap_or_default();
        let out = HOST.with(|h| h.borrow_mut().take_json(&text));
        let _ = answer_to.post_message(&JsValue::from_str(&out));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages that came while the wasm was loading found no listener: the page waits for this.
    let _ = scope.post_message(&JsValue::from_str(&to_json(&FromWorker::Ready)));
}
