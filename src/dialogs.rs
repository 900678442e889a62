//! Forms and confirmations, in one modal `<dialog>`: focus moves into it, Escape closes it, and
//! focus goes back to the button that opened it. Nothing typed is lost on a refused submit; the
//! refusal is vigil-core's, in its words.

use leptos::html;
use leptos::prelude::*;
use vigil_core::engine::VmCommand;
use vigil_core::words::{self, Hint, Label};
use vigil_core::workflow::{BulkWork, Plan, DEFAULT_STOP_GRACE_S, MAX_STOP_GRACE_S};
use vigil_core::{Action, ActionKind, Command, ConnId, Refusal, VmId};
use wasm_bindgen::JsCast;

use crate::console::Console;
use crate::create::CreateForm;
use crate::forms::{hints, submit, vm_name, ActionForm, FormEnd};
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
    return_focus_on_close();
    Effect::new(move |_| {
        if let Some(d) = node.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    let close = move || ui.dialog.set(None);
    let body = match dialog {
        Dialog::Action {
            conn,
            vm,
            kind: ActionKind::Delete,
        } => view! { <DeleteForm conn vm/> }.into_any(),
        Dialog::Action { conn, vm, kind } => view! { <ActionForm conn vm kind/> }.into_any(),
        Dialog::Stop { conn, vm } => view! { <StopForm conn vm/> }.into_any(),
        Dialog::Bulk { command } => view! { <BulkForm command/> }.into_any(),
        Dialog::Create { conn } => view! { <CreateForm conn/> }.into_any(),
    };
    view! {
        <dialog class="modal" node_ref=node
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); close(); }
            on:close=move |_| close()>
            {body}
        </dialog>
    }
}

/// A modal `<dialog>` for a confirmation drawn in place: shown as soon as it is drawn, and when
/// it goes away focus goes back to the element that opened it.
pub fn use_modal() -> NodeRef<html::Dialog> {
    let node = NodeRef::<html::Dialog>::new();
    let opener = StoredValue::new_local(
        document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    on_cleanup(move || {
        if let Some(Some(el)) = opener.try_get_value() {
            gloo_timers::callback::Timeout::new(0, move || {
                let _ = el.focus();
            })
            .forget();
        }
    });
    Effect::new(move |_| {
        if let Some(d) = node.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    node
}

/// Gives focus back to the element that had it when the dialog opened (or, if a refresh drew
/// it anew meanwhile, to the element with its name in the same VM row).
fn return_focus_on_close() {
    let opener: Option<web_sys::HtmlElement> = document()
        .active_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let label = opener.as_ref().and_then(|e| e.get_attribute("aria-label"));
    let row = opener.as_ref().and_then(|e| row_of(e));
    let opener = StoredValue::new_local(opener);
    on_cleanup(move || {
        let Some(Some(el)) = opener.try_get_value() else {
            return;
        };
        // After the dialog has left the page: while it is open, everything else is inert.
        gloo_timers::callback::Timeout::new(0, move || {
            let target = if el.is_connected() {
                Some(el)
            } else {
                label.as_deref().and_then(|l| labelled(l, row.as_ref()))
            };
            if let Some(target) = target {
                let _ = target.focus();
            }
        })
        .forget();
    });
}

/// The connection and VM of the list row `el` is in, if any.
fn row_of(el: &web_sys::Element) -> Option<(String, String)> {
    let row = el.closest("[data-conn][data-vm]").ok()??;
    Some((
        row.get_attribute("data-conn")?,
        row.get_attribute("data-vm")?,
    ))
}

/// The element on the page named `label`, in the same VM row if the opener was in one.
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

/// The grace period typed, within what a Stop takes.
fn parse_grace(s: &str) -> Result<u32, Refusal> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_STOP_GRACE_S).contains(&n) => Ok(n),
        _ => Err(Refusal::GraceOutOfRange {
            max_s: MAX_STOP_GRACE_S,
        }),
    }
}

/// Stop: graceful shutdown, then power off when the countdown ends.
#[component]
fn StopForm(conn: ConnId, vm: VmId) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let name = vm_name(console, &conn, &vm);
    let caps = console.view(|v| v.caps(&conn));
    let grace = RwSignal::new(DEFAULT_STOP_GRACE_S.to_string());
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cmd = parse_grace(&grace.get_untracked()).map(|grace_s| Command::Workflow {
            conn: conn.clone(),
            vm: vm.clone(),
            plan: Plan::Stop { grace_s },
        });
        submit(console, ui, cmd, error);
    };
    let title = words::on(words::command_label(VmCommand::Stop), &name);
    view! {
        <form class="action-panel" on:submit=on_submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            {caps.map(|c| hints(Hint::stopping(c)))}
            <label>{Label::PowerOffAfter.text()}
                <input type="number" name="grace" min="1" max=MAX_STOP_GRACE_S.to_string() autofocus
                    prop:value=move || grace.get() on:input=move |ev| grace.set(event_target_value(&ev))/>
            </label>
            <FormEnd error submit_label=words::command_label(VmCommand::Stop).to_string()/>
        </form>
    }
}

/// Delete: the VM's name typed back; vigil-core refuses a mismatch. `inline`: in the VM page's
/// Delete tab rather than a dialog.
#[component]
pub fn DeleteForm(conn: ConnId, vm: VmId, #[prop(optional)] inline: bool) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let name = vm_name(console, &conn, &vm);
    // What the delete would send: a power off first, where the provider wants the VM stopped.
    let said = console.view(|v| {
        let caps = v.caps(&conn)?;
        Some(Hint::deleting(caps, &v.delete_action(&conn, &vm)?))
    });
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cmd = Command::Delete {
            conn: conn.clone(),
            vm: vm.clone(),
            typed_name: typed.get_untracked(),
        };
        submit(console, ui, Ok(cmd), error);
    };
    let label = words::action_label(ActionKind::Delete);
    let title = words::on(label, &name);
    let confirm = Refusal::TypeNameToConfirm { name: name.clone() }.to_string();
    view! {
        <form class="action-panel" on:submit=on_submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            <p>{words::choice_hint(VmCommand::Action(ActionKind::Delete), false)}</p>
            {said.map(hints)}
            <label>{confirm}
                <input type="text" name="confirm-name" autocomplete="off" spellcheck="false" autofocus
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
            </label>
            <FormEnd error submit_label=label.to_string() danger=true inline/>
        </form>
    }
}

/// Confirms a command on every selected VM, saying which will be skipped and why.
#[component]
fn BulkForm(command: VmCommand) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let targets: Vec<(ConnId, VmId)> = ui.selected.get_untracked().into_iter().collect();
    // (name, why it will be skipped)
    let preview: Vec<(String, Option<Refusal>)> = console.view(|v| {
        targets
            .iter()
            .map(|(c, id)| {
                let name = v
                    .vm(c, id)
                    .map_or_else(|| id.to_string(), |x| x.name.clone());
                let why = match v.caps(c) {
                    None => Some(Refusal::UnknownConnection),
                    Some(caps) => v
                        .choices(c, id)
                        .into_iter()
                        .find(|ch| ch.command == command)
                        .map_or(
                            Some(Refusal::NotOffered {
                                provider: caps.kind,
                            }),
                            |ch| ch.reason,
                        ),
                };
                (name, why)
            })
            .collect()
    });
    let runs = preview.iter().filter(|(_, why)| why.is_none()).count();
    let grace = RwSignal::new(DEFAULT_STOP_GRACE_S.to_string());
    let error = RwSignal::new(None::<String>);
    let label = words::command_label(command);
    let on_submit = {
        let targets = targets.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let work = match command {
                VmCommand::Stop => parse_grace(&grace.get_untracked())
                    .map(|grace_s| BulkWork::Plan(Plan::Stop { grace_s })),
                VmCommand::Action(k) => Ok(BulkWork::Action(
                    Action::simple(k).expect("the bulk bar offers actions without parameters"),
                )),
            };
            let cmd = work.map(|work| Command::Bulk {
                targets: targets.clone(),
                work,
            });
            if submit(console, ui, cmd, error) {
                ui.show_bulk.set(true);
            }
        }
    };
    let title = words::on(label, &words::selected_vms(targets.len()));
    let skipped: Vec<(String, Refusal)> = preview
        .into_iter()
        .filter_map(|(n, why)| why.map(|w| (n, w)))
        .collect();
    view! {
        <form class="action-panel" on:submit=on_submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            <p>{words::runs_on(label, runs, targets.len())}</p>
            {command.is_destructive().then(|| hints(vec![Hint::AbruptForGuests]))}
            {(!skipped.is_empty()).then(|| view! {
                <p>{Label::SkippedNotAllowed.text()}</p>
                <ul class="skipped">
                    {skipped.into_iter().map(|(n, w)| view! { <li><strong><bdi>{n}</bdi></strong>" — "{w.to_string()}</li> }).collect_view()}
                </ul>
            })}
            {(command == VmCommand::Stop).then(|| view! {
                <label>{Label::PowerOffAfter.text()}
                    <input type="number" name="grace" min="1" prop:value=move || grace.get()
                        on:input=move |ev| grace.set(event_target_value(&ev))/>
                </label>
            })}
            <FormEnd error submit_label=words::on(label, &words::vms(runs)) danger=command.is_destructive()/>
        </form>
    }
}
