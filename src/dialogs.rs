//! Forms and confirmations, in one modal `<dialog>`: focus moves into it, Escape closes it, and
//! focus goes back to the button that opened it. Nothing typed is lost on a failed submit.

use leptos::html;
use leptos::prelude::*;
use vigil_core::view::Command;
use vigil_core::workflow::{BulkWork, Plan, DEFAULT_STOP_GRACE_S, MAX_STOP_GRACE_S};
use vigil_core::{Action, ActionKind, DialectKind, Resize};
use wasm_bindgen::JsCast;

use crate::console::Console;
use crate::ui::{Dialog, Ui};

/// The open dialog, if any.
#[component]
pub fn Dialogs() -> impl IntoView {
    let ui = expect_context::<Ui>();
    move || ui.dialog.get().map(|d| view! { <Modal dialog=d/> })
}

#[component]
fn Modal(dialog: Dialog) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let node = NodeRef::<html::Dialog>::new();
    // Where focus was, to give it back when the dialog goes.
    let opener: Option<web_sys::HtmlElement> = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    // Its name and its VM row too: a refresh may draw the button anew while the dialog is open
    // (and VM names repeat across connections).
    let opener_label = opener.as_ref().and_then(|e| e.get_attribute("aria-label"));
    let opener_row = opener.as_ref().and_then(|e| row_of(e));
    let opener = StoredValue::new_local(opener);
    Effect::new(move |_| {
        if let Some(d) = node.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    on_cleanup(move || {
        if let Some(Some(el)) = opener.try_get_value() {
            // After the dialog has left the page: while it is still open, everything outside
            // it is inert and cannot take focus.
            gloo_timers::callback::Timeout::new(0, move || {
                let target = if el.is_connected() {
                    Some(el)
                } else {
                    opener_label
                        .as_deref()
                        .and_then(|label| labelled(label, opener_row.as_ref()))
                };
                if let Some(target) = target {
                    let _ = target.focus();
                }
            })
            .forget();
        }
    });
    let close = move || ui.dialog.set(None);
    let body = match dialog {
        Dialog::Action { conn, vm, kind } => view! { <ActionForm conn vm kind/> }.into_any(),
        Dialog::Stop { conn, vm } => view! { <StopForm conn vm/> }.into_any(),
        Dialog::Bulk { command } => view! { <BulkForm command/> }.into_any(),
    };
    view! {
        <dialog class="modal" node_ref=node
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); close(); }
            on:close=move |_| close()>
            {body}
        </dialog>
    }
}

/// The connection and VM of the list row `el` is in, if any.
fn row_of(el: &web_sys::Element) -> Option<(String, String)> {
    let row = el.closest("[data-conn][data-vm]").ok()??;
    Some((
        row.get_attribute("data-conn")?,
        row.get_attribute("data-vm")?,
    ))
}

/// The element on the page named `label` (its `aria-label`), in the same VM row if the opener
/// was in one.
fn labelled(label: &str, row: Option<&(String, String)>) -> Option<web_sys::HtmlElement> {
    let all = document().query_selector_all("[aria-label]").ok()?;
    (0..all.length())
        .filter_map(|i| all.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .find(|e| {
            e.get_attribute("aria-label").as_deref() == Some(label)
                && (row.is_none() || row_of(e).as_ref() == row)
        })
}

fn dialect_of(console: Console, conn: &str) -> Option<DialectKind> {
    console
        .engine
        .with_untracked(|e| e.connections().find(|c| c.id == conn).map(|c| c.dialect))
}

/// The error line and the two buttons every form ends with.
#[component]
fn FormEnd(
    error: RwSignal<Option<String>>,
    submit_label: String,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        <Show when=move || error.get().is_some()>
            <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
        <div class="row-actions">
            <button type="submit" class="btn primary" class:danger=danger>{submit_label}</button>
            <button type="button" class="btn" on:click=move |_| ui.dialog.set(None)>"Cancel"</button>
        </div>
    }
}

/// The form or confirmation for one action on one VM.
#[component]
fn ActionForm(conn: String, vm: String, kind: ActionKind) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let Some(current) = console.engine.with_untracked(|e| e.vm(&conn, &vm).cloned()) else {
        return view! { <p>"This VM is no longer listed."</p> }.into_any();
    };
    let Some(dialect) = dialect_of(console, &conn) else {
        return view! { <p>"This connection is gone."</p> }.into_any();
    };
    // Resize refused while the VM runs: done as stop → resize → start.
    let cold = kind == ActionKind::Resize
        && console
            .engine
            .with_untracked(|e| e.resize_needs_stop(&conn, &vm));
    // Flavors in use on this connection, offered as suggestions (Hostway lists no flavors).
    let flavors: Vec<String> = console.engine.with_untracked(|e| {
        let mut f: Vec<String> = e
            .vms(&conn)
            .iter()
            .filter_map(|v| v.size.flavor.clone())
            .collect();
        f.sort();
        f.dedup();
        f
    });
    let error = RwSignal::new(None::<String>);
    let text = RwSignal::new(match kind {
        ActionKind::Rename => current.name.clone(),
        _ => String::new(),
    });
    let description = RwSignal::new(String::new());
    let flavor = RwSignal::new(String::new());
    let cpu = RwSignal::new(current.size.vcpus.unwrap_or(1).to_string());
    let ram = RwSignal::new(current.size.memory_gb.unwrap_or(1).to_string());
    let disk = RwSignal::new(current.size.disk_gb.unwrap_or(25).to_string());
    let start_after = RwSignal::new(true);
    let before = current.size.clone();

    let submit = {
        let (conn, vm) = (conn.clone(), vm.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let number = |s: RwSignal<String>, what: &str| -> Result<u32, String> {
                s.get_untracked()
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| format!("{what} must be a whole number."))
            };
            let action = match kind {
                ActionKind::Rename => Ok(Action::Rename {
                    name: text.get_untracked(),
                }),
                ActionKind::Snapshot => Ok(Action::Snapshot {
                    name: text.get_untracked(),
                    description: description.get_untracked(),
                }),
                ActionKind::RestoreBackup => Ok(Action::RestoreBackup {
                    backup_id: text.get_untracked().trim().to_string(),
                }),
                ActionKind::Resize if dialect.resizes_by_flavor() => {
                    Ok(Action::Resize(Resize::Flavor {
                        id: flavor.get_untracked().trim().to_string(),
                    }))
                }
                ActionKind::Resize => (|| {
                    let (c, r, d) = (
                        number(cpu, "vCPUs")?,
                        number(ram, "RAM")?,
                        number(disk, "Disk")?,
                    );
                    Resize::to_target(&before, c, r, d).map(Action::Resize)
                })(),
                other => Action::simple(other).ok_or_else(|| "Unsupported action.".to_string()),
            };
            let result = action.and_then(|a| match a {
                Action::Resize(resize) if cold => {
                    Action::Resize(resize.clone()).validate()?;
                    console.workflow(
                        &conn,
                        &vm,
                        Plan::ColdResize {
                            resize,
                            start_after: start_after.get_untracked(),
                        },
                    )
                }
                a => console.run(&conn, &vm, a),
            });
            match result {
                Ok(()) => ui.dialog.set(None),
                // Whatever was typed stays in the form.
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let title = format!("{} {}", kind.label(), current.name);
    let body = match kind {
        ActionKind::Rename | ActionKind::Snapshot | ActionKind::RestoreBackup => {
            let label = match kind {
                ActionKind::Rename => "New name",
                ActionKind::Snapshot => "Snapshot name",
                _ => "Backup id",
            };
            let with_description = kind == ActionKind::Snapshot && dialect.snapshot_has_description();
            view! {
                {(kind == ActionKind::RestoreBackup).then(|| view! {
                    <p>"Restoring replaces the VM's disk with the backup: changes since the backup are lost."</p>
                })}
                {with_description.then(|| view! {
                    <p class="hint">"Hostway keeps at most 3 snapshots per server, names must be unique on the server, and servers with extra volumes cannot be snapshotted."</p>
                })}
                {(with_description && current.snapshot_count.is_some_and(|n| n >= 3)).then(|| view! {
                    <p class="error">"This server already has 3 snapshots: Hostway will refuse a fourth. Delete one first."</p>
                })}
                <label>{label}
                    <input type="text" name="text" required autofocus prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))/>
                </label>
                {with_description.then(|| view! {
                    <label>"Description"
                        <input type="text" name="description" prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev))/>
                    </label>
                })}
            }
            .into_any()
        }
        ActionKind::Resize if dialect.resizes_by_flavor() => {
            let now = current.size.flavor.clone().unwrap_or_else(|| "—".into());
            view! {
                <p class="hint">{format!("Current flavor: {now}. Enter the id of the flavor to resize to.")}</p>
                <label>"Flavor id"
                    <input type="text" name="flavor" list="flavor-ids" autofocus prop:value=move || flavor.get()
                        on:input=move |ev| flavor.set(event_target_value(&ev))/>
                </label>
                <datalist id="flavor-ids">
                    {flavors.iter().map(|f| view! { <option value=f.clone()/> }).collect_view()}
                </datalist>
            }
            .into_any()
        }
        ActionKind::Resize => view! {
            {if cold {
                view! {
                    <p class="hint">"The VM is running and this provider resizes only stopped VMs. Vigil will stop it (graceful shutdown, power off after 60 s if it hangs), resize it, and start it again — one tracked operation with its steps."</p>
                    <label class="check"><input type="checkbox" name="start_after" prop:checked=move || start_after.get()
                        on:change=move |ev| start_after.set(event_target_checked(&ev))/>"Start it again afterwards"</label>
                }.into_any()
            } else {
                view! { <p class="hint">"Changing one resource sends it alone; several go together."</p> }.into_any()
            }}
            <label>"vCPUs" <input type="number" name="cpu" min="1" autofocus prop:value=move || cpu.get()
                on:input=move |ev| cpu.set(event_target_value(&ev))/></label>
            <label>"RAM (GB)" <input type="number" name="ram" min="1" prop:value=move || ram.get()
                on:input=move |ev| ram.set(event_target_value(&ev))/></label>
            <label>"Disk (GB)" <input type="number" name="disk" min="1" prop:value=move || disk.get()
                on:input=move |ev| disk.set(event_target_value(&ev))/></label>
        }
        .into_any(),
        ActionKind::PowerOff => view! {
            <p>"Power off cuts the power like pulling the plug: unsaved data in the VM is lost. Prefer Stop, which shuts down gracefully first."</p>
        }
        .into_any(),
        ActionKind::PowerCycle => view! {
            <p>"Power cycle is a hard reset: the guest gets no chance to shut down cleanly."</p>
        }
        .into_any(),
        ActionKind::PasswordReset => view! {
            <p>"The provider sets a new password for the VM's administrator account; the old one stops working."</p>
            <p class="hint">"The provider's API does not return the new password to Vigil: it delivers it itself (usually by e-mail to the account owner). Vigil never stores passwords."</p>
        }
        .into_any(),
        _ => view! { <p>"Confirm."</p> }.into_any(),
    };
    let submit_label = if cold {
        "Stop, resize and start".to_string()
    } else {
        kind.label().to_string()
    };
    view! {
        <form class="action-panel" on:submit=submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            {body}
            <FormEnd error submit_label danger=kind.is_destructive()/>
        </form>
    }
    .into_any()
}

/// Stop: graceful shutdown, then power off when the countdown ends.
#[component]
fn StopForm(conn: String, vm: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let name = console
        .engine
        .with_untracked(|e| e.vm(&conn, &vm).map(|v| v.name.clone()))
        .unwrap_or_else(|| vm.clone());
    let server_side = dialect_of(console, &conn) == Some(DialectKind::Erigones);
    let grace = RwSignal::new(DEFAULT_STOP_GRACE_S.to_string());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let result = parse_grace(&grace.get_untracked())
            .and_then(|grace_s| console.workflow(&conn, &vm, Plan::Stop { grace_s }));
        match result {
            Ok(()) => ui.dialog.set(None),
            Err(e) => error.set(Some(e)),
        }
    };
    let title = format!("Stop {name}");
    view! {
        <form class="action-panel" on:submit=submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            <p>"Vigil asks the guest to shut down, and powers the VM off if it is still running when the countdown ends. You can force it or cancel while it counts down."</p>
            {server_side.then(|| view! {
                <p class="hint">"Danube Cloud (Erigones) runs this countdown itself: the stop request carries it, and the provider forces the VM off when it ends."</p>
            })}
            <label>"Power off after (seconds)"
                <input type="number" name="grace" min="1" max=MAX_STOP_GRACE_S.to_string() autofocus
                    prop:value=move || grace.get() on:input=move |ev| grace.set(event_target_value(&ev))/>
            </label>
            <FormEnd error submit_label="Stop".to_string()/>
        </form>
    }
}

fn parse_grace(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_STOP_GRACE_S).contains(&n) => Ok(n),
        _ => Err(format!(
            "Enter a number of seconds from 1 to {MAX_STOP_GRACE_S}."
        )),
    }
}

/// Confirms a command on every selected VM, saying which will be skipped and why.
#[component]
fn BulkForm(command: Command) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let targets: Vec<(String, String)> = ui.selected.get_untracked().into_iter().collect();
    // (name, why it will be skipped)
    let preview: Vec<(String, Option<String>)> = console.engine.with_untracked(|e| {
        targets
            .iter()
            .map(|(c, v)| {
                let name = e.vm(c, v).map(|x| x.name.clone()).unwrap_or(v.clone());
                let why = e
                    .choices(c, v)
                    .into_iter()
                    .find(|ch| ch.command == command)
                    .map(|ch| ch.reason)
                    .unwrap_or_else(|| Some("This provider has no such action.".into()));
                (name, why)
            })
            .collect()
    });
    let runs = preview.iter().filter(|(_, why)| why.is_none()).count();
    let grace = RwSignal::new(DEFAULT_STOP_GRACE_S.to_string());
    let error = RwSignal::new(None::<String>);
    let submit = {
        let targets = targets.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let work = match command {
                Command::Stop => parse_grace(&grace.get_untracked())
                    .map(|grace_s| BulkWork::Plan(Plan::Stop { grace_s })),
                Command::Action(k) => Action::simple(k)
                    .map(BulkWork::Action)
                    .ok_or_else(|| format!("{} needs a form; run it VM by VM.", k.label())),
            };
            match work.and_then(|w| console.bulk(targets.clone(), w)) {
                Ok(()) => {
                    ui.show_bulk.set(true);
                    ui.dialog.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    };
    let title = format!(
        "{} {}",
        command.label(),
        crate::ui::selected_vms(targets.len())
    );
    let skipped: Vec<(String, String)> = preview
        .into_iter()
        .filter_map(|(n, why)| why.map(|w| (n, w)))
        .collect();
    view! {
        <form class="action-panel" on:submit=submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            <p>{format!("{} on {runs} of {}.", command.label(), crate::ui::vms(targets.len()))}</p>
            {command.is_destructive().then(|| view! {
                <p class="error">"This is abrupt for the guests: unsaved data in them is lost."</p>
            })}
            {(!skipped.is_empty()).then(|| view! {
                <p>"Skipped, not allowed now:"</p>
                <ul class="skipped">
                    {skipped.into_iter().map(|(n, w)| view! { <li><strong>{n}</strong>" — "{w}</li> }).collect_view()}
                </ul>
            })}
            {(command == Command::Stop).then(|| view! {
                <label>"Power off after (seconds)"
                    <input type="number" name="grace" min="1" prop:value=move || grace.get()
                        on:input=move |ev| grace.set(event_target_value(&ev))/>
                </label>
            })}
            <FormEnd error submit_label=format!("{} {}", command.label(), crate::ui::vms(runs)) danger=command.is_destructive()/>
        </form>
    }
}
