//! The Rebuild tab and "Snapshot first" in the real App on the embedded demo providers
//! (wasm-bindgen-test, headless Chromium).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A running, idle VM of the demo connection `conn`: (id, name).
async fn running_on(root: &HtmlElement, conn: &str, running: &str) -> (String, String) {
    let row = wait_for("a running VM", 15_000, || {
        all(
            root,
            &format!("tr.vm[data-conn='{conn}'][data-busy='false']"),
        )
        .into_iter()
        .find(|r| {
            r.query_selector("[data-testid=status]")
                .unwrap()
                .is_some_and(|s| text(&s) == running)
        })
    })
    .await;
    let name = text(&row.query_selector(".vm-name a").unwrap().unwrap());
    (row.get_attribute("data-vm").unwrap(), name)
}

fn checkbox(root: &HtmlElement, panel: &str) -> Option<HtmlInputElement> {
    find(root, &format!("#panel-{panel} input[name=snapshot_first]")).map(|e| e.unchecked_into())
}

#[wasm_bindgen_test]
async fn cloudsfor_rebuilds_from_the_tab_to_a_verified_end() {
    clear_settings();
    let (id, name) = {
        let app = mount(fast(0.0));
        running_on(&app.root, "demo-cloudsfor", "running").await
    };
    set_hash(&format!("#/vms/demo-cloudsfor/{id}/rebuild"));
    let app = mount(fast(0.0));
    let root = &app.root;
    let select: HtmlSelectElement =
        wait_for("the image picker, from the catalogue", 15_000, || {
            find(root, "#panel-rebuild select[name=image]")
        })
        .await
        .unchecked_into();
    assert!(select.length() > 1, "several images offered");
    assert!(!select.value().is_empty(), "one chosen");
    let panel = find(root, "#panel-rebuild").unwrap();
    assert!(
        text(&panel).contains("replaces the disk"),
        "{}",
        text(&panel)
    );
    // "Snapshot first" is offered here (the demo account takes snapshots).
    assert!(!checkbox(root, "rebuild").unwrap().disabled());

    // A wrong name is refused, and nothing starts.
    set_input(
        root,
        "#panel-rebuild input[name=confirm-name]",
        "not-the-name",
    );
    click(&button_named(root, "Rebuild").unwrap());
    let error = wait_for("the refusal", 5_000, || {
        find(root, "#panel-rebuild [role=alert]")
    })
    .await;
    assert!(text(&error).contains(&name));
    assert!(find(root, "#panel-rebuild .followed li.entry").is_none());

    set_input(root, "#panel-rebuild input[name=confirm-name]", &name);
    click(&button_named(root, "Rebuild").unwrap());
    let entry = wait_for("the rebuild to end in the tab", 60_000, || {
        find(root, "#panel-rebuild .followed li.entry").filter(|e| {
            !matches!(
                phase_of(e).as_str(),
                "" | "Submitted" | "Accepted" | "InProgress" | "Verifying"
            )
        })
    })
    .await;
    assert_eq!(phase_of(&entry), "Succeeded", "{}", text(&entry));
    set_hash("");
}

#[wasm_bindgen_test]
async fn hostway_and_zenno_say_why_they_do_not_rebuild_and_zenno_why_it_cannot_guard() {
    clear_settings();
    let (hid, zid) = {
        let app = mount(fast(0.0));
        (
            running_on(&app.root, "demo-hostway", "ACTIVE").await.0,
            running_on(&app.root, "demo-zennohosting", "running")
                .await
                .0,
        )
    };
    set_hash(&format!("#/vms/demo-hostway/{hid}/rebuild"));
    let app = mount(fast(0.0));
    let root = &app.root;
    let absent = wait_for("why not", 10_000, || find(root, "#panel-rebuild .absent")).await;
    assert!(
        text(&absent).contains("Hostway publishes no way to rebuild"),
        "{}",
        text(&absent)
    );
    assert!(
        find(root, "#panel-rebuild select").is_none(),
        "no dead picker"
    );

    // Hostway's resize offers "Snapshot first".
    set_hash(&format!("#/vms/demo-hostway/{hid}/resize"));
    let guard = wait_for("the guard", 10_000, || checkbox(root, "resize")).await;
    assert!(!guard.disabled(), "offered on Hostway");

    // ZennoHosting: its backup restore shows the guard disabled, with the reason beside it.
    set_hash(&format!("#/vms/demo-zennohosting/{zid}/backups"));
    let guard = wait_for("the guard", 10_000, || checkbox(root, "backups")).await;
    assert!(guard.disabled());
    let why = find(root, "#snapshot-first-restore").unwrap();
    assert!(
        text(&why).contains("ZennoHosting takes no snapshots"),
        "{}",
        text(&why)
    );
    set_hash(&format!("#/vms/demo-zennohosting/{zid}/rebuild"));
    let absent = wait_for("why not", 10_000, || find(root, "#panel-rebuild .absent")).await;
    assert!(text(&absent).contains("ZennoHosting publishes no way to rebuild"));
    set_hash("");
}

#[wasm_bindgen_test]
async fn a_guarded_resize_on_hostway_shows_its_steps_and_ends_done() {
    clear_settings();
    let (id, _) = {
        let app = mount(fast(0.0));
        running_on(&app.root, "demo-hostway", "ACTIVE").await
    };
    set_hash(&format!("#/vms/demo-hostway/{id}/resize"));
    let app = mount(fast(0.0));
    let root = &app.root;
    let guard = wait_for("the guard", 10_000, || checkbox(root, "resize")).await;
    // The demo's servers start with at most 2 snapshots: below Hostway's 3, the guard is offered.
    assert!(
        !guard.disabled(),
        "snapshot first offered on a Hostway server"
    );
    let now = text(&find(root, "#panel-resize .hint").unwrap());
    let flavor = if now.contains("flavor 6") { "5" } else { "6" };
    set_input(root, "#panel-resize input[name=flavor]", flavor);
    guard.set_checked(true);
    guard
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    click(&button_named(root, "Resize").unwrap());
    let entry = wait_for("the guarded workflow in the tab", 5_000, || {
        find(root, "#panel-resize .followed li.entry.workflow")
    })
    .await;
    let steps = all(&entry.clone().unchecked_into(), "li.step");
    assert_eq!(steps.len(), 2, "{}", text(&entry));
    assert!(
        text(&steps[0]).contains("before-resize-"),
        "{}",
        text(&steps[0])
    );
    let end = wait_for("the guarded resize to end", 120_000, || {
        find(root, "#panel-resize .followed li.entry.workflow").filter(|e| {
            !matches!(
                phase_of(e).as_str(),
                "" | "Submitted" | "Accepted" | "InProgress" | "Verifying"
            )
        })
    })
    .await;
    assert_eq!(phase_of(&end), "Succeeded", "{}", text(&end));
    assert!(
        button_named(root, "Roll back").is_none()
            && !text(&end).contains("Roll back to the snapshot"),
        "no rollback after a success"
    );
    set_hash("");
}
