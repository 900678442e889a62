//! A VM page's Network tab in headless Chromium, on the demo providers: on ONETSolutions an
//! IPv4 assigned (the new address listed, its operation Done), a firewall rule typed in the
//! table (a wrong port refused inline first, nothing started) and applied to Done, the console
//! asked for and offered as a link to a new tab without opener or referrer; on cloudsfor each
//! part absent with its reason and no dead button.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// A running demo VM of `slug`: its id.
async fn running(root: &HtmlElement, slug: &str) -> String {
    let row = wait_for("a running VM", 20_000, || {
        all(
            root,
            &format!("tr.vm[data-conn='demo-{slug}'][data-busy='false']"),
        )
        .into_iter()
        .find(|r| {
            r.query_selector("[data-testid=status]")
                .unwrap()
                .is_some_and(|s| text(&s) == "running")
        })
    })
    .await;
    row.get_attribute("data-vm").unwrap()
}

fn addresses(root: &HtmlElement) -> Vec<String> {
    all(
        root,
        "#panel-network table.net-table:not(.firewall) tbody tr:not(.inline-form) .addr",
    )
    .into_iter()
    .map(|e| text(&e))
    .collect()
}

/// The tab's newest operation entry whose title starts with `what`, once it has ended.
async fn done(root: &HtmlElement, what: &str) -> String {
    let e = wait_for(&format!("{what} to end"), 60_000, || {
        all(root, "#panel-network .net-running li.entry")
            .into_iter()
            .find(|e| {
                e.query_selector(".entry-title")
                    .unwrap()
                    .is_some_and(|t| text(&t).starts_with(what))
            })
            .filter(|e| {
                !matches!(
                    e.get_attribute("data-phase").as_deref(),
                    Some("Submitted" | "Accepted" | "InProgress" | "Verifying")
                )
            })
    })
    .await;
    phase_of(&e)
}

#[wasm_bindgen_test]
async fn onet_ip_assigned_firewall_applied_console_offered_each_to_done() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let id = running(root, "onetsolutions").await;
    set_hash(&format!("#/vms/demo-onetsolutions/{id}/network"));
    wait_for("the addresses", 10_000, || {
        (!addresses(root).is_empty()).then_some(())
    })
    .await;
    let before = addresses(root);

    click(&button_named(root, "Assign IPv4").expect("Assign IPv4"));
    assert_eq!(done(root, "Assign IP").await, "Succeeded");
    let after = wait_for("the new address listed", 10_000, || {
        let now = addresses(root);
        (now.len() > before.len()).then_some(now)
    })
    .await;
    let new: Vec<_> = after.iter().filter(|a| !before.contains(a)).collect();
    assert_eq!(new.len(), 1, "{after:?}");
    assert!(new[0].parse::<std::net::Ipv4Addr>().is_ok(), "{new:?}");

    // A firewall rule: a wrong port refused inline first, then applied.
    wait_for("the rules read", 10_000, || {
        (!text(&find(root, "#panel-network").unwrap()).contains("Reading the firewall rules…"))
            .then_some(())
    })
    .await;
    let rows_before = all(root, "table.firewall tbody tr").len();
    click(&button_named(root, "Add rule").unwrap());
    let n = wait_for("the new row", 5_000, || {
        let n = all(root, "table.firewall tbody tr").len();
        (n > rows_before).then_some(n)
    })
    .await;
    set_input(root, &format!("input[aria-label='Ports, rule {n}']"), "0");
    let form: web_sys::HtmlFormElement = find(root, "form[aria-label='Firewall']")
        .unwrap()
        .unchecked_into();
    form.request_submit().unwrap();
    let alert = wait_for("the refusal inline", 5_000, || {
        find(root, "form[aria-label='Firewall'] [role=alert]")
    })
    .await;
    assert!(
        text(&alert).starts_with(&format!("Rule {n}: Ports are numbers")),
        "{}",
        text(&alert)
    );
    set_input(root, &format!("input[aria-label='Ports, rule {n}']"), "443");
    form.request_submit().unwrap();
    assert_eq!(done(root, "Apply firewall").await, "Succeeded");

    // The console: asked for, followed to Done, offered as a link for a new tab.
    click(&button_named(root, "Open console").unwrap());
    assert_eq!(done(root, "Open console").await, "Succeeded");
    let link = wait_for("the console link", 10_000, || {
        all(root, "#panel-network a")
            .into_iter()
            .find(|a| text(a) == "Open the console in a new tab")
    })
    .await;
    assert!(link.get_attribute("href").unwrap().starts_with("https://"));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    // Not kept: nothing in storage holds it.
    let href = link.get_attribute("href").unwrap();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    for k in 0..storage.length().unwrap() {
        let key = storage.key(k).unwrap().unwrap();
        let value = storage.get_item(&key).unwrap().unwrap_or_default();
        assert!(!value.contains(&href), "kept under {key}");
    }
    set_hash("");
}

#[wasm_bindgen_test]
async fn cloudsfor_says_why_each_part_is_absent() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let id = running(root, "cloudsfor").await;
    set_hash(&format!("#/vms/demo-cloudsfor/{id}/network"));
    let panel = wait_for("the Network tab", 10_000, || find(root, "#panel-network")).await;
    wait_for("the reasons", 10_000, || {
        text(&panel)
            .contains("does not offer: Open console. The provider publishes no way to do this.")
            .then_some(())
    })
    .await;
    assert!(
        button_named(root, "Open console").is_none(),
        "no dead button"
    );
    assert!(button_named(root, "Apply firewall").is_none());
    assert!(button_named(root, "Assign IPv4").is_none());
    set_hash("");
}
