//! A VM page's Rename tab in headless Chromium, on the demo providers: an ONETSolutions VM's
//! hostname shown on the Overview, changed from the Rename tab's own form (the current one
//! prefilled, a hostname that is no DNS name refused inline before sending) and followed to its
//! verified end, then shown on the Overview; a provider without it says so, with no button.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A running, unlocked demo VM of `slug`: its id and name.
async fn running(root: &HtmlElement, slug: &str) -> (String, String) {
    let row = wait_for("a running demo VM", 15_000, || {
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
    let name = text(&row.query_selector(".vm-name a").unwrap().unwrap());
    (row.get_attribute("data-vm").unwrap(), name)
}

/// The value the Overview shows beside the term `term`.
fn detail(root: &HtmlElement, term: &str) -> Option<String> {
    all(root, "dl.details dt")
        .into_iter()
        .find(|dt| text(dt) == term)
        .and_then(|dt| dt.next_element_sibling())
        .map(|dd| text(&dd))
}

/// The form named `name`, once there.
async fn form(root: &HtmlElement, name: &str) -> Element {
    wait_for(name, 10_000, || {
        find(root, &format!("form[aria-label='{name}']"))
    })
    .await
}

/// The text field of `form` whose label reads `label`.
fn field(form: &Element, label: &str) -> HtmlInputElement {
    all(form.unchecked_ref(), "label")
        .into_iter()
        .find(|l| text(l).trim() == label)
        .and_then(|l| l.query_selector("input").unwrap())
        .unwrap_or_else(|| panic!("no field labelled {label}"))
        .unchecked_into()
}

fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn submit(form: &Element) {
    form.unchecked_ref::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
}

#[wasm_bindgen_test]
async fn an_onet_vms_hostname_is_changed_from_the_rename_tab_to_its_verified_end() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (id, name) = running(root, "onetsolutions").await;
    set_hash(&format!("#/vms/demo-onetsolutions/{id}"));
    let before = wait_for("the hostname on the Overview", 10_000, || {
        detail(root, "Hostname")
    })
    .await;
    assert!(!before.is_empty());

    set_hash(&format!("#/vms/demo-onetsolutions/{id}/rename"));
    // The rename form stays as it was; the hostname has its own.
    form(root, &format!("Rename {name}")).await;
    let change = form(root, &format!("Change hostname {name}")).await;
    let input = field(&change, "New hostname");
    assert_eq!(input.value(), before, "the current hostname prefilled");
    assert!(text(&change).contains("the VM's name stays as it is"));

    // Not a DNS name: refused inline, nothing started.
    type_into(&input, "web_01");
    submit(&change);
    let alert = wait_for("the refusal inline", 5_000, || {
        change.query_selector("[role=alert]").unwrap()
    })
    .await;
    assert_eq!(
        text(&alert),
        "Hostnames hold only letters, digits, hyphens and dots, not “_”."
    );
    assert!(all(root, "li.entry")
        .into_iter()
        .all(|e| !text(&e).contains("web_01")));

    let new = format!("{}-renamed", before.split('.').next().unwrap());
    type_into(&input, &new);
    submit(&change);
    let title = format!("Change hostname to “{new}”");
    let end = wait_for("the hostname change to end", 60_000, || {
        all(root, "li.entry").into_iter().find(|e| {
            e.query_selector(".entry-title")
                .unwrap()
                .is_some_and(|t| text(&t).starts_with(&title))
                && !matches!(
                    phase_of(e).as_str(),
                    "" | "Submitted" | "Accepted" | "InProgress" | "Verifying"
                )
        })
    })
    .await;
    assert_eq!(phase_of(&end), "Succeeded", "{} on {name}", text(&end));

    set_hash(&format!("#/vms/demo-onetsolutions/{id}"));
    wait_for("the new hostname on the Overview", 10_000, || {
        detail(root, "Hostname").filter(|h| *h == new)
    })
    .await;
    set_hash("");
}

#[wasm_bindgen_test]
async fn a_provider_without_hostnames_says_so_on_the_rename_tab() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (id, name) = running(root, "cloudsfor").await;
    set_hash(&format!("#/vms/demo-cloudsfor/{id}/rename"));
    form(root, &format!("Rename {name}")).await;
    let panel = wait_for("the Rename tab", 10_000, || find(root, "#panel-rename")).await;
    assert!(
        text(&panel).contains("does not offer: Change hostname"),
        "{}",
        text(&panel)
    );
    assert!(find(root, &format!("form[aria-label='Change hostname {name}']")).is_none());
    assert!(
        button_named(root, "Change hostname").is_none(),
        "no dead button"
    );
    // Its Overview shows no hostname it does not know.
    set_hash(&format!("#/vms/demo-cloudsfor/{id}"));
    wait_for("the Overview", 10_000, || detail(root, "Size")).await;
    assert!(detail(root, "Hostname").is_none());
    set_hash("");
}
