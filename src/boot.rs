//! A VM's Power tab, the provider's own options (Erigones): "Start from ISO…" (an ISO of the
//! image list, this boot only or every boot, a second ISO, the pending configuration applied or
//! not), Freeze, Unfreeze and "Refresh from the node" — each enabled only when it may run now,
//! with why not beside it, and followed in place to its verified end.

use leptos::prelude::*;
use vigil_core::boot::IsoList;
use vigil_core::engine::{ActivityItem, Choice, VmCommand};
use vigil_core::words::{self, BootLabel};
use vigil_core::{Action, ActionKind, BootFrom, Caps, Command, ConnId, VmId};

use crate::console::Console;
use crate::forms::{start, FormEnd};
use crate::guarded::{started_item, Followed};
use crate::menu::CommandButton;
use crate::ui::Ui;

/// The provider's options, in the order the Power tab shows them.
pub const OPTIONS: [ActionKind; 4] = [
    ActionKind::StartFromIso,
    ActionKind::Freeze,
    ActionKind::Unfreeze,
    ActionKind::RefreshFromNode,
];

fn hint(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Freeze => BootLabel::FreezeHint.text(),
        ActionKind::Unfreeze => BootLabel::UnfreezeHint.text(),
        _ => BootLabel::RefreshHint.text(),
    }
}

/// The options the provider offers (nothing where it offers none: the Power tab says so).
#[component]
pub fn ProviderOptions(
    conn: ConnId,
    vm: VmId,
    name: Signal<String>,
    choices: Signal<Vec<Choice>>,
    caps: &'static Caps,
) -> impl IntoView {
    let offered: Vec<ActionKind> = OPTIONS.into_iter().filter(|k| caps.offers(*k)).collect();
    if offered.is_empty() {
        return ().into_any();
    }
    let choice_of = move |kind: ActionKind| {
        Signal::derive(move || {
            choices.with(|cs| {
                cs.iter()
                    .find(|c| c.command == VmCommand::Action(kind))
                    .cloned()
            })
        })
    };
    let simple: Vec<ActionKind> = offered
        .iter()
        .copied()
        .filter(|k| *k != ActionKind::StartFromIso)
        .collect();
    let iso = offered.contains(&ActionKind::StartFromIso);
    view! {
        <section class="provider-options" aria-labelledby="provider-options-h">
            <h3 id="provider-options-h">{BootLabel::Options.text()}</h3>
            <ul class="power">
                {simple.into_iter().map(|kind| {
                    let command = VmCommand::Action(kind);
                    view! {
                        <li>
                            <CommandButton conn=conn.clone() vm=vm.clone() name command choice=choice_of(kind) why_shown=true/>
                            <span class="hint">{hint(kind)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {iso.then(|| view! {
                <StartFromIso conn=conn.clone() vm=vm.clone() name choice=choice_of(ActionKind::StartFromIso)/>
            })}
        </section>
    }
    .into_any()
}

/// "Start from ISO…": a button that opens the form in place.
#[component]
fn StartFromIso(
    conn: ConnId,
    vm: VmId,
    name: Signal<String>,
    choice: Signal<Option<Choice>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let open = RwSignal::new(false);
    let followed = RwSignal::new(None::<ActivityItem>);
    let why = move || {
        choice.with(|c| {
            c.as_ref()
                .and_then(|c| c.reason.as_ref().map(|r| r.to_string()))
        })
    };
    let load = conn.clone();
    let toggle = move |_| {
        if !open.get_untracked() {
            console.act(Command::LoadCatalogue {
                conn: load.clone(),
                region: None,
            });
        }
        open.update(|o| *o = !*o);
    };
    view! {
        <div class="iso-start">
            <span class="command">
                <button type="button" class="btn small" aria-expanded=move || open.get().to_string()
                    aria-controls="iso-form"
                    aria-label=move || words::on(BootLabel::StartFromIsoOpen.text(), &name.get())
                    on:click=toggle>
                    {BootLabel::StartFromIsoOpen.text()}
                </button>
                {move || why().map(|w| view! { <span class="why refused-now">{w}</span> })}
            </span>
            <Show when=move || open.get()>
                <IsoForm conn=conn.clone() vm=vm.clone() name choice followed/>
            </Show>
            <Followed item=followed/>
        </div>
    }
}

#[component]
fn IsoForm(
    conn: ConnId,
    vm: VmId,
    name: Signal<String>,
    choice: Signal<Option<Choice>>,
    followed: RwSignal<Option<ActivityItem>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let list = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.catalogue(&conn);
            console.view(|v| Some(v.iso_images(&conn)))
        })
    };
    let iso = RwSignal::new(String::new());
    let second = RwSignal::new(String::new());
    let once = RwSignal::new(true);
    let update = RwSignal::new(true);
    // The first ISO listed is chosen until the user picks one.
    Effect::new(move |_| {
        if let Some(IsoList::Ready(l)) = list.get() {
            if !l.iter().any(|c| c.id == iso.get_untracked()) {
                iso.set(l.first().map(|c| c.id.clone()).unwrap_or_default());
            }
        }
    });
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let boot = BootFrom {
            cdimage: iso.get_untracked(),
            once: once.get_untracked(),
            cdimage2: Some(second.get_untracked()).filter(|s| !s.trim().is_empty()),
            update: update.get_untracked(),
        };
        let cmd = Ok(Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action: Action::StartFromIso(boot),
        });
        if let Some(s) = start(console, ui, cmd, error) {
            followed.set(started_item(s));
        }
    };
    let title = move || words::on(words::action_label(ActionKind::StartFromIso), &name.get());
    let refused = move || choice.with(|c| c.as_ref().is_none_or(|c| c.reason.is_some()));
    view! {
        <form id="iso-form" class="action-panel" on:submit=on_submit aria-label=title>
            {move || match list.get() {
                Some(IsoList::Ready(l)) => {
                    let l2 = l.clone();
                    view! {
                        <label>{BootLabel::Iso.text()}
                            <select name="cdimage" on:change=move |ev| iso.set(event_target_value(&ev))>
                                {l.into_iter().map(|c| {
                                    let id = c.id.clone();
                                    view! { <option value=c.id.clone() selected=move || iso.get() == id>{c.label.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>{BootLabel::SecondIso.text()}
                            <select name="cdimage2" on:change=move |ev| second.set(event_target_value(&ev))>
                                <option value="">{BootLabel::NoSecondIso.text()}</option>
                                {l2.into_iter().map(|c| view! { <option value=c.id.clone()>{c.label.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                    }.into_any()
                }
                Some(IsoList::Failed(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(IsoList::Absent(why)) => view! { <p class="absent">{why.to_string()}</p> }.into_any(),
                _ => view! { <p class="hint" role="status">{BootLabel::LoadingImages.text()}</p> }.into_any(),
            }}
            <fieldset class="boot-when">
                <legend>{BootLabel::BootFrom.text()}</legend>
                <label class="check"><input type="radio" name="boot-once" prop:checked=move || once.get()
                    on:change=move |_| once.set(true)/>{BootLabel::Once.text()}</label>
                <label class="check"><input type="radio" name="boot-once" prop:checked=move || !once.get()
                    on:change=move |_| once.set(false)/>{BootLabel::Always.text()}</label>
            </fieldset>
            <label class="check"><input type="checkbox" name="update" prop:checked=move || update.get()
                on:change=move |ev| update.set(event_target_checked(&ev))/>{BootLabel::Update.text()}</label>
            <p class="hint">{BootLabel::UpdateHint.text()}</p>
            <Show when=refused>
                <p class="why refused-now">{move || choice.with(|c| c.as_ref().and_then(|c| c.reason.as_ref().map(|r| r.to_string())))}</p>
            </Show>
            <FormEnd error submit_label=words::action_label(ActionKind::StartFromIso).to_string() inline=true/>
        </form>
    }
}
