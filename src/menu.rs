//! A VM's commands: the one primary button where it helps (Start on a VM that is off) and the
//! "Actions" menu button holding the rest, as the WAI-ARIA menu button pattern has it: Enter,
//! Space or ↓ open it on its first item (↑ on its last), ↑/↓ move (wrapping), Home/End jump,
//! Escape closes it and gives focus back to the button, and so does a click or focus outside.
//! A command that may not run now stays in the menu, focusable, with why not written under it.

use std::cell::Cell;

use leptos::html;
use leptos::prelude::*;
use vigil_core::engine::{Choice, VmCommand};
use vigil_core::words::{self, PageLabel};
use vigil_core::{Action, ActionKind, Command, ConnId, PointKind, VmId};
use wasm_bindgen::JsCast;

use crate::console::Console;
use crate::route::{Route, VmTab};
use crate::ui::{Dialog, Ui};

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

/// An id no other element of the page has.
pub fn fresh_id(prefix: &str) -> String {
    NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        format!("{prefix}-{}", n.get())
    })
}

/// Runs a command on a VM as its button or menu item would: a form or confirmation first where
/// it takes one (a dialog), else at once.
pub fn run_command(console: Console, ui: Ui, conn: ConnId, vm: VmId, command: VmCommand) {
    match command {
        VmCommand::Stop => ui.dialog.set(Some(Dialog::Stop { conn, vm })),
        // A snapshot or backup is picked from its list, on the VM page's tab.
        VmCommand::Action(kind) if kind != ActionKind::Snapshot && kind.point_kind().is_some() => {
            let tab = match kind.point_kind() {
                Some(PointKind::Snapshot) => VmTab::Snapshots,
                _ => VmTab::Backups,
            };
            crate::route::go(&Route::Vm { conn, vm, tab });
        }
        // Its form (the ISO, once or always) is in the VM page's Power tab.
        VmCommand::Action(ActionKind::StartFromIso) => crate::route::go(&Route::Vm {
            conn,
            vm,
            tab: VmTab::Power,
        }),
        VmCommand::Action(kind) if kind.asks_first() => {
            ui.dialog.set(Some(Dialog::Action { conn, vm, kind }))
        }
        VmCommand::Action(kind) => {
            if let Some(action) = Action::simple(kind) {
                console.act(Command::Act { conn, vm, action });
            }
        }
    }
}

/// One command as a button (the primary one, a VM page's), enabled only when it may run now,
/// named with the VM ("Start web-01"); with `why_shown`, why not is written beside it.
#[component]
pub fn CommandButton(
    conn: ConnId,
    vm: VmId,
    name: Signal<String>,
    command: VmCommand,
    choice: Signal<Option<Choice>>,
    #[prop(optional)] why_shown: bool,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let why = move || {
        choice.with(|c| {
            c.as_ref()
                .and_then(|c| c.reason.as_ref().map(|r| r.to_string()))
        })
    };
    let why_id = fresh_id("why");
    view! {
        <span class="command">
            <button class="btn small" class:danger=command.is_destructive()
                disabled=move || choice.with(|c| c.as_ref().is_none_or(|c| c.reason.is_some()))
                title=move || why().unwrap_or_else(|| choice.with(|c| c.as_ref().map(|c| words::choice_hint(command, c.through_stop)).unwrap_or_default()))
                aria-label=move || words::on(words::command_label(command), &name.get())
                aria-describedby=why_shown.then(|| why_id.clone())
                data-action=command.id()
                on:click=move |ev: leptos::ev::MouseEvent| {
                    // A primary button goes once its command runs: focus stays in the row, on
                    // its menu button.
                    let menu_button = ev
                        .current_target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .and_then(|b| b.closest(".actions").ok().flatten())
                        .and_then(|a| a.query_selector(".menu-button").ok().flatten())
                        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
                    run_command(console, ui, conn.clone(), vm.clone(), command);
                    if let (Some(b), false) = (menu_button, ui.dialog.with_untracked(Option::is_some)) {
                        let _ = b.focus();
                    }
                }>
                {words::command_label(command)}
            </button>
            {why_shown.then(|| view! { <span class="why" id=why_id.clone()>{why}</span> })}
        </span>
    }
}

/// The items of a menu (the elements with role `menuitem` inside it).
fn items(menu: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Focuses item `i` of the menu (counted from the end when negative).
fn focus_item(menu: &web_sys::HtmlElement, i: isize) {
    let all = items(menu);
    if all.is_empty() {
        return;
    }
    let n = all.len() as isize;
    let _ = all[i.rem_euclid(n) as usize].focus();
}

fn focused_index(menu: &web_sys::HtmlElement) -> Option<isize> {
    let active = document().active_element()?;
    items(menu)
        .iter()
        .position(|e| e.unchecked_ref::<web_sys::Element>() == &active)
        .map(|i| i as isize)
}

/// The row's "Actions" menu button and its menu: every command but the primary one.
#[component]
pub fn ActionsMenu(
    conn: ConnId,
    vm: VmId,
    name: Signal<String>,
    choices: Signal<Vec<Choice>>,
    primary: Signal<Option<VmCommand>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let open = RwSignal::new(false);
    let upward = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Div>::new();
    let (button_id, menu_id) = (fresh_id("menubutton"), fresh_id("menu"));
    let commands = move || {
        let primary = primary.get();
        choices.with(|cs| {
            cs.iter()
                .map(|c| c.command)
                .filter(|c| Some(*c) != primary)
                .collect::<Vec<_>>()
        })
    };
    // Opens the menu and focuses its first (0) or last (-1) item.
    let show = move |at: isize| {
        if let Some(b) = button.get_untracked() {
            let below = web_sys::window()
                .and_then(|w| w.inner_height().ok())
                .and_then(|h| h.as_f64())
                .unwrap_or(800.0)
                - b.get_bounding_client_rect().bottom();
            upward.set(below < 320.0 && b.get_bounding_client_rect().top() > below);
        }
        open.set(true);
        request_animation_frame(move || {
            if let Some(m) = menu.get_untracked() {
                focus_item(&m, at);
            }
        });
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let on_button_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "Enter" | " " => {
            ev.prevent_default();
            show(0);
        }
        "ArrowUp" => {
            ev.prevent_default();
            show(-1);
        }
        "Escape" if open.get_untracked() => {
            ev.prevent_default();
            close(true);
        }
        _ => {}
    };
    let on_menu_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(m) = menu.get_untracked() else {
            return;
        };
        let at = focused_index(&m);
        let go = |i: isize| {
            ev.prevent_default();
            focus_item(&m, i);
        };
        match ev.key().as_str() {
            "ArrowDown" => go(at.map_or(0, |i| i + 1)),
            "ArrowUp" => go(at.map_or(-1, |i| i - 1)),
            "Home" | "PageUp" => go(0),
            "End" | "PageDown" => go(-1),
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                close(true);
            }
            "Tab" => close(false),
            _ => {}
        }
    };
    // Focus (a click) anywhere outside the button and its menu closes it.
    let on_focus_out = move |ev: leptos::ev::FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .zip(
                ev.current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok()),
            )
            .is_some_and(|(to, wrap)| wrap.contains(Some(&to)));
        if !inside {
            open.set(false);
        }
    };
    let (item_conn, item_vm) = (conn.clone(), vm.clone());
    view! {
        <div class="menu-wrap" on:focusout=on_focus_out>
            <button class="btn small menu-button" node_ref=button id=button_id.clone()
                aria-haspopup="menu" aria-controls=menu_id.clone()
                aria-expanded=move || open.get().to_string()
                aria-label=move || words::actions_for(&name.get())
                on:click=move |_| if open.get_untracked() { close(false) } else { show(0) }
                on:keydown=on_button_key>
                {PageLabel::Actions.text()}<span class="caret" aria-hidden="true">"▾"</span>
            </button>
            <div class="menu" class:up=move || upward.get() role="menu" id=menu_id node_ref=menu
                aria-labelledby=button_id hidden=move || !open.get() on:keydown=on_menu_key>
                <For each=commands key=|c| *c let:command>
                    {
                        let choice = move || choices.with(|cs| cs.iter().find(|c| c.command == command).cloned());
                        let why = move || choice().and_then(|c| c.reason.map(|r| r.to_string()));
                        let hint = move || choice().filter(|c| c.reason.is_none() && c.through_stop)
                            .map(|c| words::choice_hint(command, c.through_stop));
                        let why_id = fresh_id("why");
                        let (conn, vm) = (item_conn.clone(), item_vm.clone());
                        let activate = move |_| {
                            if why().is_some() {
                                return;
                            }
                            // Focus back on the menu button first: a dialog this opens gives it
                            // back there when it closes.
                            close(true);
                            run_command(console, ui, conn.clone(), vm.clone(), command);
                        };
                        view! {
                            <button type="button" role="menuitem" tabindex="-1" class="menu-item"
                                class:danger=command.is_destructive()
                                aria-disabled=move || why().is_some().then_some("true")
                                aria-label=move || words::on(words::command_label(command), &name.get())
                                aria-describedby=why_id.clone()
                                data-action=command.id()
                                on:click=activate>
                                <span class="mi-label">{words::command_label(command)}</span>
                                <span class="why" id=why_id.clone()>{move || why().or_else(hint)}</span>
                            </button>
                        }
                    }
                </For>
            </div>
        </div>
    }
}
