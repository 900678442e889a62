//! The Volumes page in headless Chromium, on the demo providers: every connection shown, the
//! providers without volumes saying why; an ONETSolutions volume created on a VM and a cloudsfor
//! one made in a VM's region, each followed to its verified end and listed with its size; a
//! shrink refused inline before anything is sent; a detach from a running VM asking first.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn section(root: &HtmlElement, slug: &str) -> Option<Element> {
    find(root, &format!("section[aria-labelledby='vol-demo-{slug}']"))
}

fn submit(form: &Element) {
    form.clone()
        .unchecked_into::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
}

fn set_in(scope: &Element, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement = scope
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into();
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

/// The rows of a section's table, as (name, size, state, attached to).
fn rows(sec: &Element) -> Vec<(String, String, String, String)> {
    let list = sec.query_selector_all("table.volumes tbody tr").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|r| {
            let r: Element = r.unchecked_into();
            let cell = |s: &str| {
                r.query_selector(s)
                    .unwrap()
                    .map(|e| text(&e))
                    .unwrap_or_default()
            };
            (
                cell("th"),
                cell("td:nth-of-type(1)"),
                cell("td:nth-of-type(2)"),
                cell("td:nth-of-type(3)"),
            )
        })
        .collect()
}

/// Opens the Volumes page once the demo VMs are listed; returns the names of the running
/// cloudsfor VMs as the list showed them.
async fn open_page(root: &HtmlElement) -> Vec<String> {
    // Every row drawn (they come a few per task; a spacer holds the place of those to come).
    wait_for("demo VMs listed", 15_000, || {
        find(root, "tr.vm[data-conn='demo-onetsolutions']")
            .and(find(root, "tr.vm[data-conn='demo-cloudsfor']"))
            .filter(|_| find(root, "table.vms tr.spacer").is_none())
    })
    .await;
    let running = all(root, "tr.vm[data-conn='demo-cloudsfor']")
        .into_iter()
        .filter(|r| {
            r.query_selector("[data-testid=status]")
                .unwrap()
                .is_some_and(|s| text(&s) == "running")
        })
        .filter_map(|r| r.query_selector(".vm-name a").unwrap().map(|a| text(&a)))
        .collect();
    set_hash("#/volumes");
    wait_for("the Volumes page", 10_000, || find(root, "#volumes-h")).await;
    running
}

#[wasm_bindgen_test]
async fn providers_without_volumes_say_why_and_an_onet_volume_is_created_to_its_end() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    open_page(root).await;
    for (slug, why) in [
        ("hostway", "publishes no way to do this"),
        ("zennohosting", "publishes no way to do this"),
        ("erigones", "Disks are part of the VM's own definition"),
    ] {
        let sec = wait_for(slug, 5_000, || section(root, slug)).await;
        let absent = sec.query_selector(".absent").unwrap().expect("said absent");
        assert!(
            text(&absent).contains("does not offer: Volumes"),
            "{}",
            text(&absent)
        );
        assert!(text(&absent).contains(why), "{slug}: {}", text(&absent));
        assert!(
            sec.query_selector("form").unwrap().is_none(),
            "no dead form"
        );
    }
    let onet = section(root, "onetsolutions").expect("the ONET section");
    wait_for("ONET volumes read", 20_000, || {
        (!text(&onet).contains("Reading the volumes…")).then_some(())
    })
    .await;
    let before = rows(&onet).len();
    let form = onet
        .query_selector("form.vol-create")
        .unwrap()
        .expect("the create form");
    assert!(text(&form).contains("The provider names a new volume itself."));
    assert!(form.query_selector("input[name='name']").unwrap().is_none());
    set_in(&form, "input[name='size']", "7");
    submit(&form);
    let done = ended(&app, "Create volume of 7 GB", 60_000).await;
    assert_eq!(phase_of(&done), "Succeeded");
    let made = wait_for("the new volume listed", 20_000, || {
        let r = rows(&onet);
        (r.len() > before)
            .then(|| r.into_iter().find(|x| x.1 == "7 GB"))
            .flatten()
    })
    .await;
    assert_eq!(made.2, "available");
    assert_eq!(made.3, "not attached");
    set_hash("");
}

#[wasm_bindgen_test]
async fn cloudsfor_shrink_refused_inline_and_a_running_vms_detach_asks_first() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let running_vms = open_page(root).await;
    let cf = section(root, "cloudsfor").expect("the cloudsfor section");
    wait_for("cloudsfor volumes read", 20_000, || {
        (!text(&cf).contains("Reading the volumes…") && !rows(&cf).is_empty()).then_some(())
    })
    .await;
    // A seeded volume attached to a running VM: its resize refuses a shrink inline.
    let (name, size, _, _) = rows(&cf)
        .into_iter()
        .find(|r| running_vms.contains(&r.3))
        .expect("a volume attached to a running VM");
    click(&button_named(root, &format!("Resize {name}")).expect("Resize"));
    let form = wait_for("the resize form", 5_000, || {
        find(root, &format!("form[aria-label='Resize volume {name}']"))
    })
    .await;
    let current: u32 = size.trim_end_matches(" GB").parse().unwrap();
    set_in(&form, "input[name='size']", &(current - 1).to_string());
    submit(&form);
    let alert = wait_for("the refusal inline", 5_000, || {
        form.query_selector("[role=alert]").unwrap()
    })
    .await;
    assert!(
        text(&alert).starts_with("Volumes only grow"),
        "{}",
        text(&alert)
    );
    click(&button_named(root, "Cancel").unwrap());
    // Detach: the VM it is on runs, so the dialog says so first.
    click(&button_named(root, &format!("Detach {name}")).expect("Detach"));
    let form = wait_for("the detach form", 5_000, || {
        find(root, &format!("form[aria-label='Detach volume {name}']"))
    })
    .await;
    assert!(
        text(&form).contains("is running: detaching the volume"),
        "{}",
        text(&form)
    );
    assert!(button_named(root, "Detach anyway").is_some());
    click(&button_named(root, "Cancel").unwrap());
    set_hash("");
}
