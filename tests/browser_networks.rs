//! The Networks page and a VM's Network tab in headless Chromium, on the demo providers: a
//! ZennoHosting network created and followed to ready with its range, a network with VMs in it
//! refused before sending (naming them); cloudsfor's networks listed with why no range is
//! shown, a VM joined from its Network tab and its new private address shown; what Hostway
//! lacks said with why, with no dead button.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The Networks page's section of the demo `slug` connection.
async fn section(root: &HtmlElement, slug: &str) -> Element {
    wait_for(&format!("the {slug} section"), 15_000, || {
        find(root, &format!("section.net-conn[data-conn='demo-{slug}']"))
    })
    .await
}

/// The row of the table in `within` whose header is `name`.
fn row_named(within: &Element, name: &str) -> Option<Element> {
    let rows = within.query_selector_all("table tbody tr").unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .map(|n| n.unchecked_into::<Element>())
        .find(|r| {
            r.query_selector("th")
                .unwrap()
                .is_some_and(|t| text(&t) == name)
        })
}

fn cells(row: &Element) -> Vec<String> {
    let tds = row.query_selector_all("td").unwrap();
    (0..tds.length())
        .filter_map(|i| tds.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

fn fill_and_submit(form: &Element, input: &str, value: &str) {
    let field: web_sys::HtmlInputElement = form
        .query_selector(&format!("input[name='{input}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {input}"))
        .unchecked_into();
    field.set_value(value);
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    form.unchecked_ref::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
}

/// Waits until the newest activity entry whose title starts with `title` has ended; its phase.
async fn ended_phase(root: &HtmlElement, title: &str, ms: u32) -> String {
    let e = wait_for(&format!("{title} to end"), ms, || {
        all(root, "li.entry").into_iter().find(|e| {
            e.query_selector(".entry-title")
                .unwrap()
                .is_some_and(|t| text(&t).starts_with(title))
                && !matches!(
                    phase_of(e).as_str(),
                    "" | "Submitted" | "Accepted" | "InProgress" | "Verifying"
                )
        })
    })
    .await;
    phase_of(&e)
}

#[wasm_bindgen_test]
async fn zenno_network_created_to_ready_with_its_range_and_one_in_use_refused_naming_its_vms() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    wait_for("the demo VMs", 15_000, || {
        find(root, "tr.vm[data-conn='demo-zennohosting']")
    })
    .await;
    set_hash("#/networks");
    let zh = section(root, "zennohosting").await;
    let backend = wait_for("the seeded network", 15_000, || row_named(&zh, "backend")).await;
    let shown = cells(&backend);
    assert!(shown[0].contains('/'), "its range: {shown:?}");
    assert!(!shown[2].contains("none"), "VMs in it: {shown:?}");
    let form = zh
        .query_selector("form[aria-label^='Create network']")
        .unwrap()
        .expect("the create form of a project");
    fill_and_submit(&form, "network-name", "bt-lab");
    assert_eq!(
        ended_phase(root, "Create network bt-lab", 60_000).await,
        "Succeeded"
    );
    let row = wait_for("bt-lab ready", 10_000, || {
        row_named(&zh, "bt-lab").filter(|r| cells(r)[1] == "ready")
    })
    .await;
    assert!(cells(&row)[0].contains('/'), "{:?}", cells(&row));
    // A network with VMs in it: refused before anything is sent, naming them.
    let delete = button_named(root, "Delete network backend").expect("its Delete");
    click(&delete);
    let alert = wait_for("the refusal", 5_000, || {
        zh.query_selector("[role=alert]").unwrap()
    })
    .await;
    assert!(
        text(&alert).contains("still has VMs in it"),
        "{}",
        text(&alert)
    );
    assert!(
        find(root, "dialog[open]").is_none(),
        "no confirmation for a refused delete"
    );
    set_hash("");
}

#[wasm_bindgen_test]
async fn cloudsfor_networks_without_a_range_a_vm_joined_and_hostway_absent_with_reasons() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (id, _name) = running_vm(root).await;
    set_hash("#/networks");
    let cf = section(root, "cloudsfor").await;
    let office = wait_for("office", 15_000, || row_named(&cf, "office")).await;
    assert_eq!(
        cells(&office)[0],
        "cloudsfor does not show a network's range"
    );
    assert!(text(&cf).contains("cloudsfor does not offer: Allocate public IP."));
    let hw = section(root, "hostway").await;
    assert!(
        text(&hw).contains("Hostway does not offer: Create network."),
        "{}",
        text(&hw)
    );
    assert_eq!(
        hw.query_selector_all("button").unwrap().length(),
        0,
        "no dead button"
    );

    set_hash(&format!("#/vms/demo-cloudsfor/{id}/network"));
    let before = wait_for("its private addresses", 10_000, || {
        let n = all(root, "section[aria-labelledby='vm-nets-h'] ul.members li").len();
        (n > 0).then_some(n)
    })
    .await;
    let join = wait_for("the join form", 10_000, || {
        find(root, "form[aria-label='Attach to network'] select option")
            .and_then(|_| find(root, "form[aria-label='Attach to network']"))
    })
    .await;
    join.unchecked_ref::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    assert_eq!(
        ended_phase(root, "Attach to network", 60_000).await,
        "Succeeded"
    );
    wait_or(
        "one more private address",
        10_000,
        || {
            (all(root, "section[aria-labelledby='vm-nets-h'] ul.members li").len() == before + 1)
                .then_some(())
        },
        || {
            format!(
                "{before} before; {}",
                find(root, ".net-part")
                    .map(|e| text(&e))
                    .unwrap_or_default()
            )
        },
    )
    .await;
    set_hash("");
}
