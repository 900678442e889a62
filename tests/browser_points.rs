//! A VM page's Snapshots and Backups tabs in headless Chromium, on the demo providers: the list
//! read when the tab opens, a snapshot taken and followed to ready (Hostway) with the provider's
//! limits said before submitting and its 4th refused inline, and a backup taken, picked from
//! the list and restored (ZennoHosting), whose provider's absent snapshots are said with why.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The id and name of the first `slug` demo VM.
async fn first_vm(root: &HtmlElement, slug: &str) -> (String, String) {
    let row = wait_for("a demo VM", 15_000, || {
        find(root, &format!("tr.vm[data-conn='demo-{slug}']"))
    })
    .await;
    let name = text(&row.query_selector(".vm-name a").unwrap().unwrap());
    (row.get_attribute("data-vm").unwrap(), name)
}

/// The tab's row of the point named `name`, once listed.
fn point_row(root: &HtmlElement, name: &str) -> Option<Element> {
    all(root, "table.points tbody tr").into_iter().find(|r| {
        r.query_selector("th")
            .unwrap()
            .is_some_and(|t| text(&t).starts_with(name))
    })
}

fn state_of(row: &Element) -> String {
    text(&row.query_selector("td").unwrap().unwrap())
}

fn submit_form(root: &HtmlElement, label: &str) {
    let form: web_sys::HtmlFormElement = find(root, &format!("form[aria-label='{label}']"))
        .unwrap_or_else(|| panic!("no form {label}"))
        .unchecked_into();
    form.request_submit().unwrap();
}

async fn ready(root: &HtmlElement, name: &str) {
    wait_for(&format!("{name} ready"), 30_000, || {
        point_row(root, name).filter(|r| state_of(r) == "ready")
    })
    .await;
}

#[wasm_bindgen_test]
async fn hostway_snapshots_taken_to_ready_with_limits_said_first_and_the_fourth_refused() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (id, name) = first_vm(root, "hostway").await;
    set_hash(&format!("#/vms/demo-hostway/{id}/snapshots"));
    let panel = wait_for("the Snapshots tab", 10_000, || {
        find(root, "#panel-snapshots")
    })
    .await;
    assert!(
        text(&panel).contains("Hostway keeps at most 3 snapshots per VM"),
        "the limits before submitting: {}",
        text(&panel)
    );
    wait_for("the list read", 15_000, || {
        (!text(&panel).contains("Reading the list…")).then_some(())
    })
    .await;
    let form = format!("Take snapshot {name}");
    let mut taken = 0;
    for snap in ["bt-a", "bt-b", "bt-c"] {
        if all(root, "table.points tbody tr").len() >= 3 {
            break;
        }
        set_input(root, "input[name='text']", snap);
        submit_form(root, &form);
        ready(root, snap).await;
        taken += 1;
    }
    assert!(taken >= 1 || all(root, "table.points tbody tr").len() >= 3);
    wait_for("3 listed", 10_000, || {
        (all(root, "table.points tbody tr").len() == 3).then_some(())
    })
    .await;
    set_input(root, "input[name='text']", "bt-d");
    submit_form(root, &form);
    let alert = wait_for("the refusal inline", 5_000, || {
        find(root, &format!("form[aria-label='{form}'] [role=alert]"))
    })
    .await;
    assert_eq!(
        text(&alert),
        "The provider keeps at most 3 snapshots per VM: delete one first."
    );
    assert!(point_row(root, "bt-d").is_none());
    // Each row offers restore and delete, named with the snapshot.
    let first = all(root, "table.points tbody th")
        .into_iter()
        .map(|t| text(&t))
        .next()
        .unwrap();
    assert!(button_named(root, &format!("Restore {first}")).is_some());
    assert!(button_named(root, &format!("Delete {first}")).is_some());
    set_hash("");
}

#[wasm_bindgen_test]
async fn zenno_backup_taken_then_restored_from_the_list_and_no_snapshots_said_why() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (id, name) = first_vm(root, "zennohosting").await;
    set_hash(&format!("#/vms/demo-zennohosting/{id}/snapshots"));
    let panel = wait_for("the Snapshots tab", 10_000, || {
        find(root, "#panel-snapshots")
    })
    .await;
    assert!(
        text(&panel).contains("ZennoHosting does not offer: snapshots."),
        "{}",
        text(&panel)
    );
    assert_eq!(
        panel.query_selector_all("button").unwrap().length(),
        0,
        "no dead button"
    );

    set_hash(&format!("#/vms/demo-zennohosting/{id}/backups"));
    wait_for("the Backups tab", 10_000, || find(root, "#panel-backups")).await;
    assert!(
        find(root, "input[name='text']").is_none(),
        "no backup id to type"
    );
    set_input(root, "input[name='backup-name']", "bt-backup");
    submit_form(root, "Back up now");
    ready(root, "bt-backup").await;
    let restore = wait_for("the restore button", 5_000, || {
        button_named(root, "Restore bt-backup")
    })
    .await;
    click(&restore);
    let dialog = wait_for("the confirmation", 5_000, || {
        find(root, "form[aria-label='Restore backup bt-backup']")
    })
    .await;
    assert!(text(&dialog).contains("Restoring replaces the VM's disk with the backup"));
    submit_form(root, "Restore backup bt-backup");
    let end = wait_for("the restore to end", 40_000, || {
        all(root, "li.entry").into_iter().find(|e| {
            e.query_selector(".entry-title")
                .unwrap()
                .is_some_and(|t| text(&t).starts_with("Restore backup “bt-backup”"))
                && !matches!(
                    phase_of(e).as_str(),
                    "" | "Submitted" | "Accepted" | "InProgress" | "Verifying"
                )
        })
    })
    .await;
    assert_eq!(phase_of(&end), "Succeeded", "{} on {name}", text(&end));
    set_hash("");
}
