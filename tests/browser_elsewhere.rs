//! The provider's own activity in headless Chromium, against vigil-sim-server: a reboot a
//! colleague starts directly at the provider while the console is open shows up in its VM's
//! row and in Activity as "started elsewhere by" them and ends verified; "From the provider"
//! lists the provider's history (and says why where a provider keeps none); an Erigones VM is
//! frozen, unfrozen and started from an ISO from its Power tab.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use vigil_core::words::FeedLabel;
use vigil_core::DialectKind;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn sim() -> &'static str {
    SIM_URL.expect("VIGIL_SIM_URL is set by ./x test")
}

/// A running, idle row of the connection `conn`: (id, name).
async fn running_row(root: &HtmlElement, conn: &str) -> (String, String) {
    let row = wait_for("a running VM", 20_000, || {
        all(
            root,
            &format!("tr.vm[data-conn='{conn}'][data-busy='false']"),
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

fn row(root: &HtmlElement, conn: &str, id: &str) -> Option<Element> {
    find(root, &format!("tr.vm[data-conn='{conn}'][data-vm='{id}']"))
}

/// A colleague's reboot of ONETSolutions instance `id`, straight at the simulator.
async fn colleague_reboots(id: &str) {
    let url = format!(
        "{}{}/compute/instances/{id}/reboot",
        sim(),
        vigil_core::demo::prefix(DialectKind::OnetSolutions)
    );
    let r = gloo_net::http::Request::post(&url)
        .header(
            "Authorization",
            &format!("Bearer {}", vigil_sim::COLLEAGUE_TOKEN),
        )
        .send()
        .await
        .unwrap();
    assert!((200..300).contains(&r.status()), "{}", r.status());
}

/// Back to the seeded world, its actions `speed` times faster than real: a colleague's reboot
/// must run long enough for the console's routine reads to see it (at 1, ~20 s).
async fn sim_reset(speed: u32) {
    let r = gloo_net::http::Request::post(&format!("{}/_sim/reset", sim()))
        .body(format!(
            r#"{{"seed": 5, "speed": {speed}, "failure_rate": 0}}"#
        ))
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

fn elsewhere_entry(root: &HtmlElement) -> Option<Element> {
    find(root, "li.entry[data-origin='elsewhere']")
}

#[wasm_bindgen_test]
async fn a_colleagues_reboot_shows_as_started_elsewhere_and_ends_verified() {
    sim_reset(1).await;
    clear_settings();
    set_hash("");
    store_settings(&http_settings(sim(), &[DialectKind::OnetSolutions]));
    let app = mount(fast(0.0));
    let root = &app.root;
    let conn = "http-onetsolutions";
    let (id, name) = running_row(root, conn).await;
    // The user looks at another tab while a colleague reboots the VM; back here, the console
    // looks at once (its next routine read, sooner than the minute it waits in the front).
    set_visibility(Some("hidden"));
    colleague_reboots(&id).await;
    set_visibility(None);
    // The row: busy, said to be someone else's, by whom.
    let tag = wait_or(
        "the row's started-elsewhere tag",
        30_000,
        || {
            // Who, and what the provider calls it, once its task was read.
            row(root, conn, &id)
                .and_then(|r| r.query_selector("[data-testid=elsewhere]").unwrap())
                .filter(|t| text(t).contains(" by "))
        },
        || row(root, conn, &id).map(|r| text(&r)).unwrap_or_default(),
    )
    .await;
    assert_eq!(text(&tag), "started elsewhere by colleague@vigil.test");
    let status = text(
        &row(root, conn, &id)
            .unwrap()
            .query_selector("[data-testid=status]")
            .unwrap()
            .unwrap(),
    );
    assert_eq!(status, "“reboot_vps” under way…");
    // Activity: its entry, marked the same, never with Cancel or Retry.
    let e = wait_for("the Activity entry", 10_000, || elsewhere_entry(root)).await;
    assert!(
        text(&e).contains("started elsewhere by colleague@vigil.test"),
        "{}",
        text(&e)
    );
    assert!(text(&e).contains(&name), "{}", text(&e));
    // Followed to its verified end.
    wait_or(
        "the reboot verified",
        60_000,
        || elsewhere_entry(root).filter(|e| phase_of(e) == "Succeeded"),
        || elsewhere_entry(root).map(|e| text(&e)).unwrap_or_default(),
    )
    .await;
    let e = elsewhere_entry(root).unwrap();
    assert!(
        e.query_selector("button").unwrap().is_none(),
        "no Cancel, Retry or Check now on another's operation"
    );
    wait_for("the row idle again", 10_000, || {
        row(root, conn, &id).filter(|r| {
            r.get_attribute("data-busy").as_deref() == Some("false")
                && r.query_selector("[data-testid=elsewhere]")
                    .unwrap()
                    .is_none()
        })
    })
    .await;
    sim_reset(20).await;
    clear_settings();
}

#[wasm_bindgen_test]
async fn from_the_provider_lists_its_history_newest_first_and_says_why_where_none() {
    sim_reset(20).await;
    clear_settings();
    set_hash("");
    store_settings(&http_settings(
        sim(),
        &[DialectKind::OnetSolutions, DialectKind::ZennoHosting],
    ));
    let app = mount(fast(0.0));
    let root = &app.root;
    let (id, _) = running_row(root, "http-onetsolutions").await;
    colleague_reboots(&id).await;
    let tab = button_named(root, FeedLabel::FromProvider.text()).expect("the source tab");
    assert_eq!(tab.get_attribute("role").as_deref(), Some("tab"));
    assert_eq!(tab.get_attribute("aria-selected").as_deref(), Some("false"));
    click(&tab);
    wait_for("the tab selected", 2_000, || {
        (tab.get_attribute("aria-selected").as_deref() == Some("true")).then_some(())
    })
    .await;
    let onet = wait_for("ONETSolutions' history", 20_000, || {
        find(root, "section.feed[data-conn='http-onetsolutions']")
            .filter(|s| s.query_selector("li.feed-entry").unwrap().is_some())
    })
    .await;
    // The colleague's reboot, naming who started it.
    let mine = wait_for("the colleague's task", 10_000, || {
        all(&onet.clone().unchecked_into(), "li.feed-entry")
            .into_iter()
            .find(|e| text(e).contains("reboot_vps") && text(e).contains("colleague@vigil.test"))
    })
    .await;
    assert!(text(&mine).contains(FeedLabel::StartedBy.text()));
    // ZennoHosting keeps none: said, with why.
    let zenno =
        find(root, "section.feed[data-conn='http-zennohosting']").expect("ZennoHosting's part");
    let why = vigil_core::Refusal::NoProviderActivity {
        provider: DialectKind::ZennoHosting,
        why: vigil_core::dialect::Absent::NotPublished,
    };
    assert_eq!(
        text(&zenno.query_selector(".absent").unwrap().unwrap()),
        why.to_string()
    );
    // Back to Vigil's own.
    click(&button_named(root, FeedLabel::Ours.text()).unwrap());
    wait_for("Vigil's operations", 5_000, || {
        find(root, "#src-ours-panel")
    })
    .await;
    clear_settings();
}

use wasm_bindgen::JsCast;

#[wasm_bindgen_test]
async fn an_erigones_vm_is_frozen_unfrozen_and_started_from_an_iso() {
    clear_settings();
    set_hash("");
    store_settings(&http_settings(sim(), &[DialectKind::Erigones]));
    let app = mount(fast(0.0));
    let root = &app.root;
    let conn = "http-erigones";
    let (id, name) = running_row(root, conn).await;
    set_hash(&format!("#/vms/{conn}/{id}/power"));
    let opts = wait_for("the provider's options", 15_000, || {
        find(root, ".provider-options")
    })
    .await;
    let enabled = |action: &str| {
        opts.query_selector(&format!("button[data-action='{action}']:not([disabled])"))
            .unwrap()
    };
    let unfreeze = opts
        .query_selector("button[data-action='Unfreeze']")
        .unwrap()
        .unwrap();
    assert!(
        unfreeze.has_attribute("disabled"),
        "Unfreeze waits for a frozen VM"
    );
    click(&wait_for("Freeze enabled", 10_000, || enabled("Freeze")).await);
    let freeze = format!("Freeze {name}");
    ended(&app, &freeze, 90_000).await;
    assert_eq!(phase_of(&entry(root, &freeze).unwrap()), "Succeeded");
    click(&wait_for("Unfreeze enabled", 15_000, || enabled("Unfreeze")).await);
    let unfrozen = format!("Unfreeze {name}");
    ended(&app, &unfrozen, 60_000).await;
    assert_eq!(phase_of(&entry(root, &unfrozen).unwrap()), "Succeeded");
    // Start from ISO: the form, an ISO of the image list, this boot only.
    let open = wait_for("Start from ISO…", 10_000, || {
        button_named(root, &format!("Start from ISO… {name}"))
    })
    .await;
    click(&open);
    wait_for("the image list", 20_000, || {
        find(root, "#iso-form select[name=cdimage] option")
    })
    .await;
    let form: web_sys::HtmlFormElement = find(root, "#iso-form").unwrap().unchecked_into();
    form.request_submit().unwrap();
    let started = wait_for("the start from ISO", 15_000, || {
        all(root, "li.entry")
            .into_iter()
            .find(|e| text(e).contains("Start from ISO “ubuntu-24.04”"))
    })
    .await;
    let title = text(&started.query_selector(".entry-title").unwrap().unwrap());
    let done = ended(&app, &title, 90_000).await;
    assert_eq!(phase_of(&done), "Succeeded", "{}", text(&done));
    clear_settings();
}
