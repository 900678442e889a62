//! What the browser tests share: mounting the real App, finding things on the page as a user
//! would, waiting for conditions, and storage set-up.
#![allow(dead_code)]

// The demo providers must run in the page: wasm-bindgen-test-runner does not serve the worker.
#[cfg(not(feature = "inline-demo"))]
compile_error!(
    "the browser tests need the demo providers in the page: \
     cargo test -p vigil --target wasm32-unknown-unknown --features inline-demo"
);

use std::cell::RefCell;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use vigil::{App, AppConfig, DemoConfig};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// An App still mounted: its id, its root element and its unmount handle.
type Live = (u64, HtmlElement, Box<dyn std::any::Any>);

thread_local! {
    /// Every App mounted and not yet unmounted: a test that fails (a panic does not unwind in
    /// wasm) leaves its App behind, which [`clear_settings`] unmounts so the next test starts
    /// alone (else the App left behind would lead, and the next one follow it).
    static LIVE: RefCell<Vec<Live>> = const { RefCell::new(Vec::new()) };
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Mounts the App in a fresh element; unmounts when dropped.
pub struct Mounted {
    pub root: HtmlElement,
    id: u64,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let gone = LIVE.with(|l| {
            let mut l = l.borrow_mut();
            let i = l.iter().position(|(id, ..)| *id == self.id)?;
            Some(l.remove(i))
        });
        self.root.remove();
        drop(gone);
    }
}

/// Unmounts every App still mounted.
pub fn unmount_all() {
    let gone = LIVE.with(|l| std::mem::take(&mut *l.borrow_mut()));
    for (_, root, handle) in gone {
        root.remove();
        drop(handle);
    }
}

pub fn mount(demo: DemoConfig) -> Mounted {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&root).unwrap();
    let config = AppConfig {
        demo,
        ..AppConfig::default()
    };
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <App config/> });
    let id = NEXT.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    LIVE.with(|l| l.borrow_mut().push((id, root.clone(), Box::new(handle))));
    Mounted { root, id }
}

pub fn fast(failure_rate: f64) -> DemoConfig {
    DemoConfig {
        seed: 11,
        vms: 12,
        failure_rate,
        speed: 20.0,
        latency_ms: (5, 30),
    }
}

pub fn find(root: &HtmlElement, selector: &str) -> Option<Element> {
    root.query_selector(selector).unwrap()
}

pub fn all(root: &HtmlElement, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

pub fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

/// Polls every 50 ms until `f` yields, or fails the test after `ms` with what it waited for.
pub async fn wait_for<T>(what: &str, ms: u32, f: impl Fn() -> Option<T>) -> T {
    wait_or(what, ms, f, String::new).await
}

/// As [`wait_for`], and on failure says what `seen` says of the page.
pub async fn wait_or<T>(
    what: &str,
    ms: u32,
    f: impl Fn() -> Option<T>,
    seen: impl Fn() -> String,
) -> T {
    let mut waited = 0;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            waited < ms,
            "timed out after {ms} ms waiting for {what}; seen: {}",
            seen()
        );
        TimeoutFuture::new(50).await;
        waited += 50;
    }
}

/// The activity entry whose title is exactly `title`.
pub fn entry(root: &HtmlElement, title: &str) -> Option<Element> {
    all(root, "li.entry").into_iter().find(|e| {
        e.query_selector(".entry-title")
            .unwrap()
            .is_some_and(|t| text(&t) == title)
    })
}

/// The demo cloudsfor row of `vm_name` (names repeat across the demo providers).
pub fn row_of(root: &HtmlElement, vm_name: &str) -> Element {
    all(root, "tr.vm[data-conn='demo-cloudsfor']")
        .into_iter()
        .find(|r| {
            r.query_selector(".vm-name a")
                .unwrap()
                .is_some_and(|n| text(&n) == vm_name)
        })
        .unwrap_or_else(|| panic!("no row for {vm_name}"))
}

/// Clicks the first enabled `action` button on a demo cloudsfor VM; returns its accessible name.
pub async fn click_first_enabled(root: &HtmlElement, action: &str) -> String {
    let selector =
        format!("tr.vm[data-conn='demo-cloudsfor'] [data-action='{action}']:not([disabled]):not([aria-disabled='true'])");
    let button = wait_for(&format!("an enabled {action} button"), 10_000, || {
        find(root, &selector)
    })
    .await;
    let label = button.get_attribute("aria-label").unwrap();
    button.unchecked_ref::<HtmlElement>().click();
    label
}

/// Writes settings as the settings form would, for the next mount.
pub fn store_settings(json: &str) {
    let s = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    s.set_item("vigil.settings.v1", json).unwrap();
}

/// Forgets saved settings, kept activity and the demo world, so every test starts from a clean
/// page.
pub fn clear_settings() {
    unmount_all();
    let w = web_sys::window().unwrap();
    for s in [
        w.session_storage().unwrap().unwrap(),
        w.local_storage().unwrap().unwrap(),
    ] {
        for key in [
            "vigil.settings.v1",
            "vigil.settings.sealed.v1",
            "vigil.signout.v1",
            "vigil.demo.v1",
        ] {
            s.remove_item(key).unwrap();
        }
    }
    vigil::storage::clear_saved();
}

/// The address of a running `vigil-sim-server`, given at build time by `./x test`.
pub const SIM_URL: Option<&str> = option_env!("VIGIL_SIM_URL");

/// Settings with one connection per dialect in `dialects` to the simulator server (ids
/// `http-<slug>`), with its demo credentials.
pub fn http_settings(sim: &str, dialects: &[vigil_core::DialectKind]) -> String {
    let connections = dialects
        .iter()
        .map(|d| vigil_core::ConnectionConfig {
            id: vigil_core::ConnId::new(format!("http-{}", d.slug())),
            name: format!("HTTP {}", d.slug()),
            dialect: *d,
            base_url: format!("{sim}{}", vigil_core::demo::prefix(*d)),
            credentials: vigil_core::demo::credentials(*d),
            demo: false,
        })
        .collect();
    let settings = vigil::storage::Settings {
        connections,
        show_demo: false,
        remember: false,
        epoch: vigil::storage::last_sign_out().epoch,
    };
    serde_json::to_string(&settings).unwrap()
}

/// Clicks the first button matching `selector` once one is there, and waits for the provider to
/// accept its operation; returns the button's name (which names its activity entry).
pub async fn start_and_see_accepted(app: &Mounted, selector: &str) -> String {
    let button = wait_for(selector, 20_000, || find(&app.root, selector)).await;
    let label = button.get_attribute("aria-label").unwrap();
    button.unchecked_ref::<HtmlElement>().click();
    wait_for("the operation accepted", 10_000, || {
        entry(&app.root, &label).filter(|e| {
            matches!(
                e.get_attribute("data-phase").as_deref(),
                Some("Accepted" | "InProgress")
            )
        })
    })
    .await;
    label
}

/// The activity entry named `label` once its operation has ended, whichever way.
pub async fn ended(app: &Mounted, label: &str, ms: u32) -> Element {
    wait_for("the operation to end", ms, || {
        entry(&app.root, label).filter(|e| {
            !matches!(
                e.get_attribute("data-phase").as_deref(),
                Some("Submitted" | "Accepted" | "InProgress" | "Verifying")
            )
        })
    })
    .await
}

pub fn set_hash(hash: &str) {
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(hash)
        .unwrap();
}

pub fn click(e: &Element) {
    e.unchecked_ref::<HtmlElement>().click();
}

pub fn button_named(root: &HtmlElement, name: &str) -> Option<Element> {
    all(root, "button")
        .into_iter()
        .find(|b| b.get_attribute("aria-label").as_deref() == Some(name) || text(b) == name)
}

pub fn set_input(root: &HtmlElement, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement = find(root, selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

/// The enabled `action` button of the demo cloudsfor row of `vm_name`.
pub fn action_in_row(root: &HtmlElement, vm_name: &str, action: &str) -> Element {
    row_of(root, vm_name)
        .query_selector(&format!(
            "[data-action='{action}']:not([disabled]):not([aria-disabled='true'])"
        ))
        .unwrap()
        .unwrap_or_else(|| panic!("an enabled {action} button for {vm_name}"))
}

pub fn phase_of(e: &Element) -> String {
    e.get_attribute("data-phase").unwrap_or_default()
}

/// A running, unlocked demo cloudsfor VM's (id, name).
pub async fn running_vm(root: &HtmlElement) -> (String, String) {
    let row = wait_for("a running cloudsfor VM", 10_000, || {
        all(root, "tr.vm[data-conn='demo-cloudsfor'][data-busy='false']")
            .into_iter()
            .find(|r| {
                r.query_selector("[data-testid=status]")
                    .unwrap()
                    .is_some_and(|s| text(&s) == "running")
            })
    })
    .await;
    let name = text(&row.query_selector(".vm-name a").unwrap().unwrap());
    (row.get_attribute("data-vm").unwrap(), name)
}

/// Requests the simulator server has answered for `dialect` so far.
pub async fn sim_requests(sim: &str, dialect: &str) -> u64 {
    let stats: serde_json::Value = gloo_net::http::Request::get(&format!("{sim}/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["dialects"][dialect]["requests"].as_u64().unwrap()
}

/// Makes the page look hidden or shown, as switching browser tabs does.
pub fn set_visibility(state: Option<&str>) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let key = wasm_bindgen::JsValue::from_str("visibilityState");
    match state {
        Some(s) => {
            let desc = js_sys::Object::new();
            js_sys::Reflect::set(&desc, &"value".into(), &s.into()).unwrap();
            js_sys::Reflect::set(&desc, &"configurable".into(), &true.into()).unwrap();
            js_sys::Object::define_property(&doc, &key, &desc);
        }
        None => {
            js_sys::Reflect::delete_property(&doc, &key).unwrap();
        }
    }
    doc.dispatch_event(&web_sys::Event::new("visibilitychange").unwrap())
        .unwrap();
}
