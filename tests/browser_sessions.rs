//! The real App's connections and sessions, in headless Chromium (wasm-bindgen-test): settings,
//! a failing connection, providers over HTTP, reloads, several tabs, a hidden tab.
//! Run by `./x test`: `cargo test -p vigil --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gloo_timers::future::TimeoutFuture;
use vigil::DemoConfig;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_failing_connection_shows_its_error_without_hiding_the_others() {
    clear_settings();
    store_settings(
        r#"{"connections": [{"id": "broken", "name": "Broken cloud", "dialect": "Cloudsfor",
            "base_url": "http://127.0.0.1:9/api/v1",
            "credentials": {"Basic": {"user": "me@example.com", "password": "hunter2"}}, "demo": false}],
            "show_demo": true, "remember": false}"#,
    );
    let app = mount(fast(0.0));
    let root = &app.root;
    let failed = wait_for("the broken connection's error", 15_000, || {
        find(root, ".conn[data-state=failed]")
    })
    .await;
    let message = text(&failed);
    assert!(message.contains("Broken cloud"), "{message}");
    assert!(
        message.contains("Could not reach the provider"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "no credentials in messages");
    // The demo connections still list their VMs.
    wait_for("demo VMs next to the broken connection", 15_000, || {
        (all(root, "tr.vm[data-conn='demo-cloudsfor']").len() == 12).then_some(())
    })
    .await;
    assert!(all(root, "tr.vm[data-conn='broken']").is_empty());
    clear_settings();
}

#[wasm_bindgen_test]
async fn settings_add_a_connection_kept_in_session_storage_only() {
    clear_settings();
    let app = mount(fast(0.0));
    let root = &app.root;
    let open = all(root, "button")
        .into_iter()
        .find(|b| text(b) == "Settings")
        .unwrap();
    open.unchecked_ref::<HtmlElement>().click();
    let form = wait_for("the settings form", 2_000, || find(root, "form.conn-form")).await;
    let set = |name: &str, value: &str| {
        let el = form
            .query_selector(&format!("[name={name}]"))
            .unwrap()
            .unwrap();
        if let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
            select.set_value(value);
            select
                .dispatch_event(&web_sys::Event::new("change").unwrap())
                .unwrap();
        } else {
            let input = el.unchecked_ref::<web_sys::HtmlInputElement>();
            input.set_value(value);
            input
                .dispatch_event(&web_sys::Event::new("input").unwrap())
                .unwrap();
        }
    };
    set("dialect", "cloudsfor");
    TimeoutFuture::new(50).await;
    set("name", "Staging");
    set("base", "not a url");
    set("user", "ops@example.com");
    set("secret", "s3cret-pass");
    form.query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_ref::<HtmlElement>()
        .click();
    let err = wait_for("the base URL error", 2_000, || {
        form.query_selector(".error").unwrap()
    })
    .await;
    assert!(text(&err).contains("https://"), "{}", text(&err));
    // Nothing typed is lost.
    let name: web_sys::HtmlInputElement = form
        .query_selector("[name=name]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(name.value(), "Staging");

    set("base", "http://127.0.0.1:9/api/v1");
    form.query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_ref::<HtmlElement>()
        .click();
    wait_for("the new connection listed", 2_000, || {
        all(root, ".conn-list li")
            .into_iter()
            .find(|li| text(li).contains("Staging"))
    })
    .await;
    let w = web_sys::window().unwrap();
    let session = w
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item("vigil.settings.v1")
        .unwrap()
        .unwrap();
    assert!(session.contains("Staging"));
    assert!(w
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("vigil.settings.v1")
        .unwrap()
        .is_none());
    assert!(
        !w.location().href().unwrap().contains("s3cret"),
        "credentials never reach the URL"
    );
    clear_settings();
}

#[wasm_bindgen_test]
async fn every_dialect_works_against_the_simulator_over_http() {
    let Some(sim) = SIM_URL else {
        panic!("VIGIL_SIM_URL is not set: run the browser tests through ./x test");
    };
    clear_settings();
    store_settings(&http_settings(sim, vigil_core::DialectKind::ALL));
    let app = mount(fast(0.0));
    let root = &app.root;
    for slug in [
        "zennohosting",
        "cloudsfor",
        "erigones",
        "onetsolutions",
        "hostway",
    ] {
        let selector =
            format!("tr.vm[data-conn='http-{slug}'] [data-action='Reboot']:not([disabled]):not([aria-disabled='true'])");
        let button = wait_for(&format!("a running {slug} VM over HTTP"), 20_000, || {
            find(root, &selector)
        })
        .await;
        let label = button.get_attribute("aria-label").unwrap();
        button.unchecked_ref::<HtmlElement>().click();
        let done = wait_for(&format!("{slug}: {label} ends"), 90_000, || {
            entry(root, &label).filter(|e| {
                !matches!(
                    e.get_attribute("data-phase").as_deref(),
                    Some("Submitted" | "Accepted" | "InProgress" | "Verifying")
                )
            })
        })
        .await;
        assert_eq!(
            done.get_attribute("data-phase").as_deref(),
            Some("Succeeded"),
            "{slug}: {}",
            text(&done)
        );
    }
    clear_settings();
}

#[wasm_bindgen_test]
async fn an_operation_resumes_after_a_reload_and_reaches_its_verified_end() {
    let sim = SIM_URL.expect("VIGIL_SIM_URL is set by ./x test");
    clear_settings();
    store_settings(&http_settings(sim, &[vigil_core::DialectKind::Cloudsfor]));
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();

    let app = mount(fast(0.0));
    let selector =
        "tr.vm[data-conn='http-cloudsfor'] [data-action='Shutdown']:not([disabled]):not([aria-disabled='true'])";
    let label = start_and_see_accepted(&app, selector).await;
    // The page goes away mid-operation…
    drop(app);
    let kept = (0..local.length().unwrap())
        .filter_map(|i| local.key(i).unwrap())
        .filter(|k| k.starts_with("vigil.v3.op."))
        .filter_map(|k| local.get_item(&k).unwrap())
        .any(|op| op.contains("Shutdown"));
    assert!(kept, "the open shutdown is kept under its own key");

    // …and comes back: the operation is there and is followed to its end.
    let app = mount(fast(0.0));
    let resumed = wait_for("the resumed entry", 5_000, || entry(&app.root, &label)).await;
    assert_ne!(
        resumed.get_attribute("data-phase").as_deref(),
        Some("NeedsCheck")
    );
    let done = ended(&app, &label, 90_000).await;
    let phase = done.get_attribute("data-phase").unwrap();
    // The simulator's guests occasionally ignore a shutdown: then the console must say so.
    assert!(
        phase == "Succeeded" || (phase == "NeedsCheck" && text(&done).contains("running")),
        "{phase}: {}",
        text(&done)
    );
    clear_settings();
}

#[wasm_bindgen_test]
async fn the_demo_world_survives_a_reload_with_its_tasks_still_running() {
    clear_settings();
    // Reboots of ~5 s: the page goes away while one runs.
    let slow = DemoConfig {
        speed: 4.0,
        ..fast(0.0)
    };
    let app = mount(slow.clone());
    let selector =
        "tr.vm[data-conn='demo-onetsolutions'] [data-action='Reboot']:not([disabled]):not([aria-disabled='true'])";
    let label = start_and_see_accepted(&app, selector).await;
    drop(app);

    // The same tab's demo provider still knows the task: it runs on, and ends as it should,
    // not as a task the provider "no longer keeps".
    let app = mount(slow);
    let done = ended(&app, &label, 60_000).await;
    assert_eq!(
        done.get_attribute("data-phase").as_deref(),
        Some("Succeeded"),
        "{}",
        text(&done)
    );
    assert!(!text(&done).contains("no longer keeps"), "{}", text(&done));
    drop(app);
    clear_settings();
}

#[wasm_bindgen_test]
async fn two_tabs_have_one_poller_share_state_and_hand_over() {
    clear_settings();
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let role =
        |root: &HtmlElement| find(root, ".tab-role").and_then(|e| e.get_attribute("data-role"));
    let a = mount(fast(0.0));
    wait_for("the first tab to lead", 5_000, || {
        (role(&a.root).as_deref() == Some("leader")).then_some(())
    })
    .await;
    let b = mount(fast(0.0));
    TimeoutFuture::new(2_000).await;
    assert_eq!(role(&b.root).as_deref(), Some("follower"), "one poller");
    assert_eq!(role(&a.root).as_deref(), Some("leader"));

    // An action started in the following tab runs in the leading one, and both show it.
    let label = click_first_enabled(&b.root, "Reboot").await;
    for (name, root) in [("leader", &a.root), ("follower", &b.root)] {
        wait_for(&format!("{name} to show {label} done"), 30_000, || {
            entry(root, &label)
                .filter(|e| e.get_attribute("data-phase").as_deref() == Some("Succeeded"))
        })
        .await;
    }

    // The leading tab closes: the other takes over.
    drop(a);
    wait_for("the second tab to take over", 6_000, || {
        (role(&b.root).as_deref() == Some("leader")).then_some(())
    })
    .await;
    drop(b);
    let keys: Vec<String> = (0..local.length().unwrap())
        .filter_map(|i| local.key(i).unwrap())
        .filter(|k| k.starts_with("vigil.leader"))
        .collect();
    for k in keys {
        local.remove_item(&k).unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_hidden_tab_goes_quiet_and_looks_at_once_when_shown_again() {
    let sim = SIM_URL.expect("VIGIL_SIM_URL is set by ./x test");
    clear_settings();
    set_hash("");
    store_settings(&http_settings(sim, &[vigil_core::DialectKind::Cloudsfor]));
    let app = mount(fast(0.0));
    let root = &app.root;
    // A snapshot takes several seconds even on the fast simulator.
    let button = wait_for("a snapshot button", 20_000, || {
        find(
            root,
            "tr.vm[data-conn='http-cloudsfor'] [data-action='Snapshot']:not([disabled]):not([aria-disabled='true'])",
        )
    })
    .await;
    click(&button);
    wait_for("the snapshot form", 2_000, || {
        find(root, "form.action-panel input[name=text]")
    })
    .await;
    set_input(
        root,
        "form.action-panel input[name=text]",
        "hidden-tab-check",
    );
    click(&find(root, "form.action-panel button[type=submit]").unwrap());
    let title = wait_for("the snapshot to be accepted", 10_000, || {
        all(root, "li.entry")
            .into_iter()
            .find(|e| matches!(phase_of(e).as_str(), "Accepted" | "InProgress"))
    })
    .await
    .query_selector(".entry-title")
    .unwrap()
    .map(|t| text(&t))
    .unwrap();

    set_visibility(Some("hidden"));
    TimeoutFuture::new(300).await;
    let before = sim_requests(sim, "cloudsfor").await;
    TimeoutFuture::new(5_000).await;
    let hidden = sim_requests(sim, "cloudsfor").await - before;
    assert!(
        hidden <= 2,
        "a hidden tab polls at most one round per 30 s: {hidden} requests in 5 s"
    );

    let before = sim_requests(sim, "cloudsfor").await;
    set_visibility(Some("visible"));
    TimeoutFuture::new(1_000).await;
    let shown = sim_requests(sim, "cloudsfor").await - before;
    set_visibility(None);
    assert!(shown >= 1, "shown again: one look at once");
    // Hidden and shown again, the operation is still followed (its end comes minutes later at
    // the snapshot's usual pace; other tests follow operations to their end).
    let e = entry(root, &title).expect("the entry is still there");
    assert!(
        matches!(
            phase_of(&e).as_str(),
            "Accepted" | "InProgress" | "Verifying" | "Succeeded"
        ),
        "{}",
        text(&e)
    );
}
