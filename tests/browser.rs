//! The real App on the demo providers, in headless Chromium (wasm-bindgen-test).
//! Run by `./x test`: `cargo test -p vigil --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_reboot_shows_progress_and_ends_verified_done() {
    clear_settings();
    let app = mount(fast(0.0));
    let root = &app.root;
    let label = click_first_enabled(root, "Reboot").await;
    let vm_name = label.strip_prefix("Reboot ").unwrap().to_string();

    // At once: a progress entry, and the row says what is happening.
    let e = wait_for("the progress entry", 2_000, || entry(root, &label)).await;
    let phase = e.get_attribute("data-phase").unwrap();
    assert!(
        ["Submitted", "Accepted", "InProgress"].contains(&phase.as_str()),
        "fresh entry is in progress, got {phase}"
    );
    let row = row_of(root, &vm_name);
    assert_eq!(row.get_attribute("data-busy").as_deref(), Some("true"));
    assert_eq!(
        text(&row.query_selector("[data-testid=status]").unwrap().unwrap()),
        "rebooting…"
    );
    // No double submit: the VM's menu item is disabled while the operation runs, and says why.
    let again = row
        .query_selector("[role=menuitem][data-action='Reboot']")
        .unwrap()
        .unwrap();
    assert_eq!(
        again.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    assert!(
        !text(&again.query_selector(".why").unwrap().unwrap()).is_empty(),
        "the reason is written in the menu"
    );
    again.unchecked_ref::<HtmlElement>().click();
    TimeoutFuture::new(100).await;
    assert_eq!(
        all(root, "li.entry").len(),
        1,
        "a second click submits nothing"
    );

    wait_for("the reboot to be verified done", 30_000, || {
        entry(root, &label)
            .filter(|e| e.get_attribute("data-phase").as_deref() == Some("Succeeded"))
    })
    .await;
    let row = row_of(root, &vm_name);
    assert_eq!(row.get_attribute("data-busy").as_deref(), Some("false"));
    assert_eq!(
        text(&row.query_selector("[data-testid=status]").unwrap().unwrap()),
        "running"
    );
    assert!(
        find(root, ".notice.success").is_some_and(|n| text(&n).contains(&vm_name)),
        "a completion notice names the VM"
    );
}

#[wasm_bindgen_test]
async fn an_errored_action_shows_its_failure() {
    clear_settings();
    let app = mount(fast(1.0));
    let root = &app.root;
    let label = click_first_enabled(root, "Reboot").await;
    let failed = wait_for("the reboot to fail", 30_000, || {
        entry(root, &label).filter(|e| e.get_attribute("data-phase").as_deref() == Some("Failed"))
    })
    .await;
    let message = text(&failed.query_selector(".entry-message").unwrap().unwrap());
    assert!(
        message.contains("errored"),
        "the provider's status is quoted: {message}"
    );
    assert!(
        find(root, ".notice.error").is_some(),
        "a failure notice is shown"
    );
}

#[wasm_bindgen_test]
async fn destructive_actions_ask_first_and_forms_keep_what_was_typed() {
    clear_settings();
    let app = mount(fast(0.0));
    let root = &app.root;
    click_first_enabled(root, "PowerOff").await;
    let panel = wait_for("the confirmation", 2_000, || {
        find(root, "form.action-panel")
    })
    .await;
    assert!(text(&panel).contains(&vigil_core::words::Hint::PowerOffLosesData.to_string()));
    assert!(
        all(root, "li.entry").is_empty(),
        "nothing is sent before confirming"
    );
    // Cancel closes it without sending anything.
    let cancel = all(root, "form.action-panel button")
        .into_iter()
        .find(|b| text(b) == vigil_core::words::Label::Cancel.text())
        .unwrap();
    cancel.unchecked_ref::<HtmlElement>().click();
    TimeoutFuture::new(50).await;
    assert!(find(root, "form.action-panel").is_none());
    assert!(all(root, "li.entry").is_empty());

    // An invalid rename is refused inline and the typed text stays.
    click_first_enabled(root, "Rename").await;
    let input: web_sys::HtmlInputElement = wait_for("the rename form", 2_000, || {
        find(root, "form.action-panel input")
    })
    .await
    .unchecked_into();
    input.set_value("   ");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    let submit = find(root, "form.action-panel button[type=submit]").unwrap();
    submit.unchecked_ref::<HtmlElement>().click();
    let err = wait_for("an inline error", 2_000, || {
        find(root, "form.action-panel .error")
    })
    .await;
    assert!(text(&err).contains("name"));
    assert_eq!(input.value(), "   ");
    assert!(all(root, "li.entry").is_empty());
}

#[wasm_bindgen_test]
async fn every_demo_dialect_lists_vms_and_reboots_one_to_a_verified_end() {
    clear_settings();
    let app = mount(fast(0.0));
    let root = &app.root;
    for slug in [
        "zennohosting",
        "cloudsfor",
        "erigones",
        "onetsolutions",
        "hostway",
    ] {
        let conn = format!("demo-{slug}");
        let selector =
            format!("tr.vm[data-conn='{conn}'] [data-action='Reboot']:not([disabled]):not([aria-disabled='true'])");
        let button = wait_for(&format!("a rebootable {slug} VM"), 15_000, || {
            find(root, &selector)
        })
        .await;
        let label = button.get_attribute("aria-label").unwrap();
        button.unchecked_ref::<HtmlElement>().click();
        let done = wait_for(&format!("{slug}: {label} verified"), 60_000, || {
            entry(root, &label).filter(|e| {
                matches!(
                    e.get_attribute("data-phase").as_deref(),
                    Some("Succeeded" | "Failed" | "NeedsCheck" | "TimedOut")
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
}

#[wasm_bindgen_test]
async fn the_vm_list_can_be_searched_and_filtered() {
    clear_settings();
    let app = mount(fast(0.0));
    let root = &app.root;
    wait_for("all demo VMs", 10_000, || {
        (all(root, "tr.vm").len() == 60).then_some(())
    })
    .await;
    let search: web_sys::HtmlInputElement = find(root, ".filters input[name=q]")
        .unwrap()
        .unchecked_into();
    search.set_value("db-");
    search
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    TimeoutFuture::new(50).await;
    let rows = all(root, "tr.vm");
    assert!(!rows.is_empty() && rows.len() < 60);
    for r in &rows {
        assert!(text(&r.query_selector(".vm-name a").unwrap().unwrap()).contains("db-"));
    }
    assert!(
        text(&find(root, ".filters .count").unwrap()).starts_with(&format!("{} of 60", rows.len()))
    );
    let provider: web_sys::HtmlSelectElement = find(root, ".filters select[name=provider]")
        .unwrap()
        .unchecked_into();
    provider.set_value("demo-hostway");
    provider
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    TimeoutFuture::new(50).await;
    assert!(all(root, "tr.vm")
        .iter()
        .all(|r| r.get_attribute("data-conn").as_deref() == Some("demo-hostway")));
    search.set_value("");
    search
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    TimeoutFuture::new(50).await;
    assert_eq!(all(root, "tr.vm").len(), 12);
}

#[wasm_bindgen_test]
async fn a_deep_link_opens_the_vm_page_with_its_actions_and_history() {
    clear_settings();
    // Find a VM id first, then open its page directly, as from a bookmark.
    let (id, name) = {
        let app = mount(fast(0.0));
        running_vm(&app.root).await
    };
    set_hash(&format!("#/vms/demo-cloudsfor/{id}"));
    let app = mount(fast(0.0));
    let root = &app.root;
    let title = wait_for("the VM page", 10_000, || find(root, ".vm-page h2")).await;
    assert!(text(&title).starts_with(&name), "{}", text(&title));
    let overview = wait_for("the overview", 5_000, || find(root, ".details")).await;
    assert!(text(&overview).contains(&id));
    assert!(find(root, "table.vms").is_none(), "the page, not the list");
    // An old link opens the overview tab, selected; its addresses are there to copy.
    let selected = find(root, "[role=tab][aria-selected=true]").unwrap();
    assert_eq!(selected.id(), "tab-overview");
    assert!(
        find(root, "#panel-overview .ips li button").is_some(),
        "an address with a copy button"
    );

    // The Power tab, by its link: the address says so, and its reboot button is there.
    click(&find(root, "#tab-power").unwrap());
    wait_for("the power tab", 5_000, || find(root, "#panel-power")).await;
    assert!(web_sys::window()
        .unwrap()
        .location()
        .hash()
        .unwrap()
        .ends_with("/power"));
    let reboot = wait_for("the page's reboot button", 5_000, || {
        button_named(root, &format!("Reboot {name}")).filter(|b| !b.has_attribute("disabled"))
    })
    .await;
    click(&reboot);
    // → from Power is Network; the history tab shows the reboot done.
    let key = web_sys::KeyboardEventInit::new();
    key.set_key("ArrowRight");
    key.set_bubbles(true);
    find(root, "#tab-power")
        .unwrap()
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &key).unwrap(),
        )
        .unwrap();
    wait_for("the network tab", 5_000, || find(root, "#panel-network")).await;
    set_hash(&format!("#/vms/demo-cloudsfor/{id}/history"));
    wait_for("the VM's history to show the reboot done", 30_000, || {
        all(root, "#panel-history li.entry")
            .into_iter()
            .find(|e| phase_of(e) == "Succeeded")
    })
    .await;

    // An unknown VM says so instead of showing an empty page.
    set_hash("#/vms/demo-cloudsfor/no-such-vm");
    let missing = wait_for("the not-found message", 5_000, || {
        find(root, ".vm-page .error")
    })
    .await;
    assert!(text(&missing).contains("no-such-vm"));
    let back = find(root, ".crumbs a").unwrap();
    click(&back);
    wait_for("the list again", 5_000, || find(root, "table.vms")).await;
    set_hash("");
}

#[wasm_bindgen_test]
async fn a_bulk_reboot_reports_each_vm_and_skips_the_invalid_ones() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (running, name) = running_vm(root).await;
    // A stopped one cannot reboot: it is skipped, with the reason.
    let stopped = wait_for("a stopped cloudsfor VM", 5_000, || {
        all(root, "tr.vm[data-conn='demo-cloudsfor'][data-busy='false']")
            .into_iter()
            .find(|r| {
                r.query_selector("[data-testid=status]")
                    .unwrap()
                    .is_some_and(|s| text(&s) == "off" || text(&s) == "stopped")
            })
    })
    .await;
    let stopped_name = text(&stopped.query_selector(".vm-name a").unwrap().unwrap());
    for row in [row_of(root, &name), stopped] {
        click(&row.query_selector("input[type=checkbox]").unwrap().unwrap());
    }
    let _ = running;
    let bar = wait_for("the bulk bar", 2_000, || find(root, ".bulk-bar")).await;
    assert!(text(&bar).contains("2 selected"));
    click(&button_named(root, "Reboot 2 selected VMs").expect("a bulk reboot button"));
    let form = wait_for("the bulk confirmation", 2_000, || {
        find(root, "form.action-panel")
    })
    .await;
    assert!(text(&form).contains("1 of 2"), "{}", text(&form));
    assert!(
        text(&form).contains(&stopped_name),
        "the skipped VM is named"
    );
    click(&form.query_selector("button[type=submit]").unwrap().unwrap());
    let summary = wait_for("the bulk result: 1 done, 1 skipped", 30_000, || {
        find(root, ".bulk-summary").filter(|s| {
            let t = text(s);
            t.contains("1 done") && t.contains("1 skipped")
        })
    })
    .await;
    assert!(text(&summary).contains(&format!("{stopped_name} — skipped")));
    assert!(text(&summary).contains(&format!("{name} — done")));
    // One notice for the whole bulk action, none per VM.
    wait_for("one notice for the bulk action", 5_000, || {
        find(root, ".notice").filter(|n| text(n).starts_with("Reboot on 2 VMs: 1 done · 1 skipped"))
    })
    .await;
    assert!(
        !all(root, ".notice")
            .iter()
            .any(|n| text(n).starts_with(&format!("Reboot {name}"))),
        "no notice per VM"
    );
}

#[wasm_bindgen_test]
async fn stop_counts_down_and_force_now_powers_off() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (_, name) = running_vm(root).await;
    click(&action_in_row(root, &name, "Stop"));
    wait_for("the stop form", 2_000, || {
        find(root, "form.action-panel input[name=grace]")
    })
    .await;
    set_input(root, "form.action-panel input[name=grace]", "600");
    click(&find(root, "form.action-panel button[type=submit]").unwrap());
    let wf = wait_for("the countdown", 10_000, || {
        find(root, "li.workflow").filter(|w| w.query_selector(".countdown").unwrap().is_some())
    })
    .await;
    assert!(text(&wf).contains("Powering off in"), "{}", text(&wf));
    let force = wait_for("Force now", 2_000, || {
        button_named(root, &format!("Force now: Stop {name}"))
    })
    .await;
    click(&force);
    let done = wait_for("the stop to end", 60_000, || {
        find(root, "li.workflow").filter(|w| !["InProgress", ""].contains(&phase_of(w).as_str()))
    })
    .await;
    assert_eq!(phase_of(&done), "Succeeded", "{}", text(&done));
    let row = row_of(root, &name);
    let status = text(&row.query_selector("[data-testid=status]").unwrap().unwrap());
    assert!(status == "off" || status == "stopped", "{status}");
}

#[wasm_bindgen_test]
async fn resizing_a_running_vm_stops_resizes_and_starts_it_as_one_operation() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (_, name) = running_vm(root).await;
    click(&action_in_row(root, &name, "Resize"));
    let form = wait_for("the resize form", 2_000, || find(root, "form.action-panel")).await;
    let through_stop = vigil_core::words::choice_hint(
        vigil_core::engine::VmCommand::Action(vigil_core::ActionKind::Resize),
        true,
    );
    assert!(text(&form).contains(&through_stop), "{}", text(&form));
    let cpu: web_sys::HtmlInputElement = find(root, "form.action-panel input[name=cpu]")
        .unwrap()
        .unchecked_into();
    let more = cpu.value().parse::<u32>().unwrap() + 1;
    set_input(root, "form.action-panel input[name=cpu]", &more.to_string());
    click(&form.query_selector("button[type=submit]").unwrap().unwrap());
    let done = wait_for("the resize workflow to end", 120_000, || {
        find(root, "li.workflow").filter(|w| !["InProgress", ""].contains(&phase_of(w).as_str()))
    })
    .await;
    assert_eq!(phase_of(&done), "Succeeded", "{}", text(&done));
    let steps: Vec<(String, String)> = all(&done.clone().unchecked_into(), "li.step")
        .iter()
        .map(|s| (text(s), s.get_attribute("data-state").unwrap_or_default()))
        .collect();
    let state_of = |what: &str| {
        steps
            .iter()
            .find(|(t, _)| t.contains(what))
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("a step {what}: {steps:?}"))
    };
    assert_eq!(state_of("Shut down"), "Done", "{steps:?}");
    assert_eq!(state_of("Resize"), "Done", "{steps:?}");
    assert_eq!(state_of("Start"), "Done", "{steps:?}");
    let row = row_of(root, &name);
    assert_eq!(
        text(&row.query_selector("[data-testid=status]").unwrap().unwrap()),
        "running"
    );
    assert!(text(&row.query_selector(".size").unwrap().unwrap()).contains(&format!("{more} vCPU")));
}

/// A VM renamed to the name of another VM: once the rename is verified, both rows say which
/// connection they are on (as every row of a name more than one VM has), with no list read.
#[wasm_bindgen_test]
async fn a_rename_to_a_name_another_vm_has_shows_the_rows_connection() {
    clear_settings();
    let app = mount(fast(0.0));
    let root = &app.root;
    let name_of = |r: &Element| text(&r.query_selector(".vm-name a").unwrap().unwrap());
    let tagged = |r: &Element| r.query_selector(".conn-tag").unwrap().is_some();
    // Every row drawn; a cloudsfor VM whose name is its own and that may be renamed.
    let (row, taken) = wait_for("a cloudsfor VM with a name of its own", 20_000, || {
        if find(root, "table.vms tr.spacer").is_some() {
            return None;
        }
        let rows = all(root, "tr.vm");
        let row = rows.iter().find(|r| {
            r.get_attribute("data-conn").as_deref() == Some("demo-cloudsfor")
                && !tagged(r)
                && r.query_selector("[data-action='Rename']:not([aria-disabled='true'])")
                    .unwrap()
                    .is_some()
        })?;
        // Another VM's name, which only it has so far: both rows are tagged after.
        let taken = rows
            .iter()
            .filter(|r| !tagged(r))
            .map(name_of)
            .find(|n| *n != name_of(row))?;
        Some((row.clone(), taken))
    })
    .await;
    let old = name_of(&row);
    let rename = row
        .query_selector("[data-action='Rename']")
        .unwrap()
        .unwrap();
    rename.unchecked_ref::<HtmlElement>().click();
    let input: web_sys::HtmlInputElement = wait_for("the rename form", 2_000, || {
        find(root, "form.action-panel input")
    })
    .await
    .unchecked_into();
    input.set_value(&taken);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    click(&find(root, "form.action-panel button[type=submit]").unwrap());
    // The one operation of this test (its title says the new name, in words).
    let done = wait_for("the rename to end", 60_000, || {
        all(root, "li.entry").into_iter().find(|e| {
            !matches!(
                phase_of(e).as_str(),
                "" | "Submitted" | "Accepted" | "InProgress" | "Verifying"
            )
        })
    })
    .await;
    assert_eq!(phase_of(&done), "Succeeded", "{}", text(&done));
    wait_for(
        &format!("{old}, now {taken}, and the other {taken} say their connection"),
        10_000,
        || {
            let named: Vec<Element> = all(root, "tr.vm")
                .into_iter()
                .filter(|r| name_of(r) == taken)
                .collect();
            (named.len() == 2 && named.iter().all(tagged)).then_some(())
        },
    )
    .await;
}
