//! The page on the new core, in headless Chromium: one row re-rendered per status change,
//! storage written as deltas, VMs created and deleted on every demo dialect, the typed name a
//! delete asks for, and Erigones' VM-owner role told before the form.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gloo_timers::future::TimeoutFuture;
use vigil::DemoConfig;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn log(s: &str) {
    web_sys::console::log_1(&s.into());
}

#[wasm_bindgen_test]
async fn a_status_change_of_one_vm_re_renders_one_row() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    wait_for("all demo VMs", 15_000, || {
        (all(root, "tr.vm").len() == 60).then_some(())
    })
    .await;
    let (id, name) = running_vm(root).await;
    // The first listings are in: from here on, only what changes re-renders.
    TimeoutFuture::new(500).await;
    let key = format!("demo-cloudsfor/{id}");
    let before = vigil::row::row_renders();
    let label = format!("Reboot {name}");
    click(&action_in_row(root, &name, "Reboot"));
    wait_for("the reboot to be verified done", 30_000, || {
        entry(root, &label).filter(|e| phase_of(e) == "Succeeded")
    })
    .await;
    TimeoutFuture::new(300).await;
    let after = vigil::row::row_renders();
    let moved: Vec<(&String, u64)> = after
        .iter()
        .map(|(k, n)| (k, n - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, d)| *d > 0)
        .collect();
    let own = after.get(&key).copied().unwrap_or(0) - before.get(&key).copied().unwrap_or(0);
    log(&format!(
        "renders: one reboot (every status change of one VM) re-rendered its row {own} times and \
         {} of the {} other rows",
        moved.len() - 1,
        all(root, "tr.vm").len() - 1
    ));
    assert!(own >= 2, "the row followed its VM: {own} renders");
    assert_eq!(
        moved.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        vec![key.as_str()],
        "only the rebooted VM's row re-rendered"
    );
}

/// Bytes of every activity entry kept in localStorage: what the old page wrote as one value,
/// whole, every time it woke up.
fn kept_bytes() -> u64 {
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    (0..local.length().unwrap())
        .filter_map(|i| local.key(i).unwrap())
        .filter(|k| k.starts_with("vigil.v3."))
        .map(|k| (k.len() + local.get_item(&k).unwrap().unwrap_or_default().len()) as u64)
        .sum()
}

#[wasm_bindgen_test]
async fn storage_is_written_as_deltas_with_100_open_operations() {
    clear_settings();
    set_hash("");
    // Reboots of ~80 s: a hundred of them and more stay open while they are measured.
    let slow = DemoConfig {
        seed: 11,
        vms: 40,
        failure_rate: 0.0,
        speed: 0.25,
        latency_ms: (5, 30),
    };
    let app = mount(slow);
    let root = &app.root;
    // Only the rows in view are drawn; "select all" takes every row of the list.
    wait_for("200 demo VMs", 20_000, || {
        find(root, ".filters .count").filter(|c| text(c) == "200 of 200 VMs")
    })
    .await;
    click(&find(root, "input[aria-label='Select all VMs shown']").unwrap());
    let bulk = wait_for("the bulk reboot", 2_000, || {
        button_named(root, "Reboot 200 selected VMs")
    })
    .await;
    click(&bulk);
    let form = wait_for("the bulk confirmation", 2_000, || {
        find(root, "form.action-panel")
    })
    .await;
    click(&form.query_selector("button[type=submit]").unwrap().unwrap());
    wait_for("100 reboots accepted", 30_000, || {
        let open = all(root, "li.entry")
            .iter()
            .filter(|e| matches!(phase_of(e).as_str(), "Accepted" | "InProgress"))
            .count();
        (open >= 100).then_some(())
    })
    .await;
    let (b0, s0) = (vigil::storage::bytes_written(), vigil::driver::stats());
    TimeoutFuture::new(15_000).await;
    let (b1, s1) = (vigil::storage::bytes_written(), vigil::driver::stats());
    let open = all(root, "li.entry")
        .iter()
        .filter(|e| {
            matches!(
                phase_of(e).as_str(),
                "Accepted" | "InProgress" | "Verifying"
            )
        })
        .count();
    let rounds = (s1.rounds - s0.rounds).max(1);
    let pumps = (s1.pumps - s0.pumps).max(1);
    let whole = kept_bytes();
    let per_round = (b1 - b0) / rounds;
    // The old page wrote the whole kept state on every wake-up (and shared it whole).
    let old_per_round = whole * pumps / rounds;
    log(&format!(
        "storage: {open} open operations; {rounds} rounds, {pumps} wake-ups, {} answers in 15 s; \
         {} bytes written ({per_round} per round); the whole kept state is {whole} bytes, which \
         the old page wrote on each wake-up: {old_per_round} per round",
        s1.answers - s0.answers,
        b1 - b0,
    ));
    assert!(open >= 100, "the operations were still open: {open}");
    assert!(
        per_round * 10 < old_per_round,
        "deltas: {per_round} bytes per round against {old_per_round} for the whole state"
    );
}

/// Picks the first real choice of every select of the create form (in order, as each may
/// narrow the next: a region its sizes, ZennoHosting's tariff its configuration profiles) and
/// fills the amounts where the provider has no sizes.
async fn fill_create_form(root: &HtmlElement, name: &str) {
    set_input(root, "form.create-form input[name=name]", name);
    for field in [
        "region",
        "size",
        "configuration",
        "image",
        "network",
        "security_group",
    ] {
        TimeoutFuture::new(100).await;
        let Some(select) = find(root, &format!("form.create-form select[name={field}]")) else {
            continue;
        };
        let options = select.query_selector_all("option").unwrap();
        let select: HtmlSelectElement = select.unchecked_into();
        let first = (0..options.length())
            .filter_map(|i| options.item(i))
            .map(|o| o.unchecked_into::<web_sys::HtmlOptionElement>())
            .find(|o| !o.value().is_empty() && !o.disabled());
        let Some(first) = first else {
            continue;
        };
        select.set_value(&first.value());
        select
            .dispatch_event(&web_sys::Event::new("change").unwrap())
            .unwrap();
    }
    for (field, value) in [("vcpus", "1"), ("ram_mb", "1024"), ("disk_gb", "10")] {
        if find(root, &format!("form.create-form input[name={field}]")).is_some() {
            set_input(
                root,
                &format!("form.create-form input[name={field}]"),
                value,
            );
        }
    }
    TimeoutFuture::new(100).await;
}

/// The row of the VM named `name` on `conn`, if shown.
fn named_row(root: &HtmlElement, conn: &str, name: &str) -> Option<Element> {
    all(root, &format!("tr.vm[data-conn='{conn}']"))
        .into_iter()
        .find(|r| {
            // A listed VM's name is a link; a new one's ("creating…") not yet.
            r.query_selector(".vm-name a")
                .unwrap()
                .or_else(|| r.query_selector(".vm-name").unwrap())
                .is_some_and(|n| text(&n) == name)
        })
}

fn status(row: &Element) -> String {
    text(&row.query_selector("[data-testid=status]").unwrap().unwrap())
}

async fn create_and_delete(root: &HtmlElement, conn: &str, conn_name: &str, name: &str) {
    let open = wait_for(&format!("Create VM on {conn_name}"), 10_000, || {
        button_named(root, &format!("Create VM on {conn_name}"))
    })
    .await;
    click(&open);
    wait_or(
        &format!("{conn}: the create form"),
        15_000,
        || find(root, "form.create-form input[name=name]"),
        || {
            find(root, "form.create-form")
                .map(|f| text(&f))
                .unwrap_or_default()
        },
    )
    .await;
    fill_create_form(root, name).await;
    click(&find(root, "form.create-form button[type=submit]").unwrap());
    wait_for(&format!("{conn}: the dialog to close"), 3_000, || {
        if let Some(e) = find(root, "form.create-form .error") {
            panic!("{conn}: the create was refused: {}", text(&e));
        }
        find(root, "form.create-form").is_none().then_some(())
    })
    .await;
    // At once: the new VM's row, creating.
    let row = wait_for(&format!("{conn}: the row of {name}"), 2_000, || {
        named_row(root, conn, name)
    })
    .await;
    assert_eq!(status(&row), "creating…", "{conn}");
    let seen = || {
        let row = named_row(root, conn, name)
            .map(|r| text(&r))
            .unwrap_or_default();
        let entries: Vec<String> = all(root, "li.entry")
            .iter()
            .filter(|e| text(e).contains(name))
            .map(|e| format!("[{}] {}", phase_of(e), text(e)))
            .collect();
        format!("row: {row}; entries: {entries:?}")
    };
    wait_or(
        &format!("{conn}: {name} running"),
        90_000,
        || {
            // Running, in the provider's own word (Hostway's ACTIVE).
            named_row(root, conn, name).filter(|r| {
                let badge = r.query_selector("[data-testid=status]").unwrap().unwrap();
                r.get_attribute("data-busy").as_deref() == Some("false")
                    && badge.class_name() == "badge running"
            })
        },
        seen,
    )
    .await;

    // Delete: a wrong name is refused, the right one deletes.
    let delete = wait_for(&format!("{conn}: Delete {name}"), 10_000, || {
        named_row(root, conn, name)?
            .query_selector("[data-action='Delete']:not([disabled]):not([aria-disabled='true'])")
            .unwrap()
    })
    .await;
    click(&delete);
    wait_for("the delete form", 2_000, || {
        find(root, "form.action-panel input[name=confirm-name]")
    })
    .await;
    set_input(
        root,
        "form.action-panel input[name=confirm-name]",
        "not-the-name",
    );
    click(&find(root, "form.action-panel button[type=submit]").unwrap());
    let refused = wait_for("the refusal", 2_000, || {
        find(root, "form.action-panel .error[role=alert]")
    })
    .await;
    assert!(
        text(&refused).contains("Type the VM's name"),
        "{}",
        text(&refused)
    );
    set_input(root, "form.action-panel input[name=confirm-name]", name);
    click(&find(root, "form.action-panel button[type=submit]").unwrap());
    // "deleting…" until the provider shows it gone (at once on cloudsfor: 204, then 404).
    wait_for(
        &format!("{conn}: {name} deleting"),
        3_000,
        || match named_row(root, conn, name) {
            None => Some(()),
            Some(r) => (status(&r) == "deleting…").then_some(()),
        },
    )
    .await;
    wait_for(&format!("{conn}: {name} gone"), 90_000, || {
        named_row(root, conn, name).is_none().then_some(())
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_vm_is_created_and_deleted_on_every_demo_dialect() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    for d in vigil_core::DialectKind::ALL {
        if d.caps().create.is_none() || d.caps().delete.is_none() {
            continue;
        }
        let conn = format!("demo-{}", d.slug());
        let name = format!("new-{}", d.slug());
        create_and_delete(root, &conn, &vigil_core::words::demo_name(*d), &name).await;
        let entry = all(root, "li.entry")
            .into_iter()
            .find(|e| text(e).contains(&name) && text(e).starts_with("Create"))
            .expect("the create in the activity list");
        assert_eq!(phase_of(&entry), "Succeeded", "{}", text(&entry));
    }
}

#[wasm_bindgen_test]
async fn a_following_tab_creates_and_deletes_through_the_polling_one() {
    clear_settings();
    set_hash("");
    let role =
        |root: &HtmlElement| find(root, ".tab-role").and_then(|e| e.get_attribute("data-role"));
    let leader = mount(fast(0.0));
    wait_for("the first tab to lead", 5_000, || {
        (role(&leader.root).as_deref() == Some("leader")).then_some(())
    })
    .await;
    let follower = mount(fast(0.0));
    TimeoutFuture::new(1_500).await;
    assert_eq!(role(&follower.root).as_deref(), Some("follower"));
    // The follower's form shows the catalogue the leader read; its create and delete (the name
    // typed back, a wrong one refused in the follower) run in the leader.
    let d = vigil_core::DialectKind::Cloudsfor;
    create_and_delete(
        &follower.root,
        "demo-cloudsfor",
        &vigil_core::words::demo_name(d),
        "from-a-follower",
    )
    .await;
    let created = all(&leader.root, "li.entry")
        .into_iter()
        .find(|e| text(e).contains("from-a-follower") && text(e).starts_with("Create"))
        .expect("the create ran in the leading tab");
    assert_eq!(phase_of(&created), "Succeeded", "{}", text(&created));
    drop(follower);
    drop(leader);
    clear_settings();
}

#[wasm_bindgen_test]
async fn a_delete_asks_for_the_name_and_refuses_another() {
    clear_settings();
    set_hash("");
    let app = mount(fast(0.0));
    let root = &app.root;
    let (_, name) = running_vm(root).await;
    click(&action_in_row(root, &name, "Delete"));
    let form = wait_for("the delete form", 2_000, || find(root, "form.action-panel")).await;
    assert!(
        text(&form).contains(&format!("“{name}”")),
        "{}",
        text(&form)
    );
    set_input(
        root,
        "form.action-panel input[name=confirm-name]",
        &format!("{name}x"),
    );
    click(&form.query_selector("button[type=submit]").unwrap().unwrap());
    let refused = wait_for("the refusal", 2_000, || {
        find(root, "form.action-panel .error[role=alert]")
    })
    .await;
    assert_eq!(
        text(&refused),
        vigil_core::Refusal::TypeNameToConfirm { name: name.clone() }.to_string()
    );
    let input: HtmlInputElement = find(root, "form.action-panel input[name=confirm-name]")
        .unwrap()
        .unchecked_into();
    assert_eq!(input.value(), format!("{name}x"), "what was typed stays");
    assert!(all(root, "li.entry").is_empty(), "nothing was sent");
    assert_eq!(status(&row_of(root, &name)), "running");
}

#[wasm_bindgen_test]
async fn an_erigones_vm_owner_is_told_before_the_form() {
    let sim = SIM_URL.expect("VIGIL_SIM_URL is set by ./x test");
    clear_settings();
    set_hash("");
    let settings = http_settings(sim, &[vigil_core::DialectKind::Erigones])
        .replace(r#""key":"demo-key""#, r#""key":"owner-key""#);
    assert!(settings.contains("owner-key"), "{settings}");
    store_settings(&settings);
    let app = mount(fast(0.0));
    let root = &app.root;
    wait_for("the owner's VMs", 20_000, || {
        (!all(root, "tr.vm[data-conn='http-erigones']").is_empty()).then_some(())
    })
    .await;
    click(&button_named(root, "Create VM on HTTP erigones").expect("Create VM"));
    let refused = wait_for("the role refusal", 15_000, || {
        find(root, "form.create-form .refused")
    })
    .await;
    assert_eq!(
        text(&refused),
        vigil_core::Refusal::RoleCannot {
            provider: vigil_core::DialectKind::Erigones,
            action: vigil_core::ActionKind::Create,
        }
        .to_string()
    );
    assert!(
        find(root, "form.create-form input[name=name]").is_none(),
        "no form"
    );
    click(&button_named(root, "Cancel").unwrap());
    // The rows' Delete says why not, too, written in the menu under it.
    let delete = wait_for("a Delete that says the role", 5_000, || {
        find(
            root,
            "tr.vm[data-conn='http-erigones'] [data-action='Delete'][aria-disabled='true']",
        )
    })
    .await;
    let why = text(&delete.query_selector(".why").unwrap().unwrap());
    assert!(why.contains("may not delete VMs"), "{why:?}");
    clear_settings();
}
