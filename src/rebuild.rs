//! The Rebuild tab: where the provider rebuilds (cloudsfor `rebuild`, ONETSolutions
//! `reinstall_os`, Erigones `recreate`), an image picker fed by its catalogue (the current image
//! marked; Erigones: the current image only, said so), what a rebuild does, the VM's name typed
//! back to confirm, "Snapshot first", and the rebuild followed in place to its verified end;
//! where it does not, why not (vigil-core's typed refusal).

use leptos::prelude::*;
use vigil_core::engine::{ActivityItem, Choice, VmCommand};
use vigil_core::rebuild::RebuildImage;
use vigil_core::words;
use vigil_core::{Action, ActionKind, Caps, Command, ConnId, Refusal, VmId};

use crate::console::Console;
use crate::forms::{start, FormEnd};
use crate::guarded::{change_command, started_item, Followed, SnapshotFirst};
use crate::ui::Ui;

#[component]
pub fn RebuildTab(
    conn: ConnId,
    vm: VmId,
    caps: &'static Caps,
    choices: Signal<Vec<Choice>>,
) -> impl IntoView {
    let rc = match caps.rebuild() {
        Ok(rc) => rc,
        Err(why) => return view! { <p class="absent">{why.to_string()}</p> }.into_any(),
    };
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    if !rc.current_image_only {
        console.act(Command::LoadCatalogue {
            conn: conn.clone(),
            region: None,
        });
    }
    let images = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.catalogue(&conn);
            console.marks.vm(&conn, &vm);
            console
                .view(|v| Some(v.rebuild_images(&conn, &vm)))
                .unwrap_or(Ok(Vec::new()))
        })
    };
    let image = RwSignal::new(String::new());
    // The current image chosen at first (a reinstall of what runs), else the first offered.
    Effect::new(move |_| {
        images.with(|l| {
            let listed = |id: &str| l.as_ref().is_ok_and(|l| l.iter().any(|i| i.id == id));
            if !listed(&image.get_untracked()) {
                let first = l.as_ref().ok().and_then(|l| {
                    l.iter()
                        .find(|i| i.current)
                        .or_else(|| l.first())
                        .map(|i| i.id.clone())
                });
                image.set(first.unwrap_or_default());
            }
        })
    });
    let name = crate::forms::vm_name(console, &conn, &vm);
    let typed = RwSignal::new(String::new());
    let guard = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let followed = RwSignal::new(None::<ActivityItem>);
    let on_submit = {
        let (conn, vm) = (conn.clone(), vm.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (conn, vm) = (conn.clone(), vm.clone());
            let cmd = console
                .view(|v| v.vm(&conn, &vm).cloned())
                .ok_or(Refusal::VmNotListed)
                .and_then(|now| vigil_core::rebuild::confirm(&now, &typed.get_untracked()))
                .map(|()| {
                    let action = Action::Rebuild {
                        image: image.get_untracked(),
                    };
                    change_command(
                        conn,
                        vm,
                        action,
                        guard.get_untracked(),
                        |conn, vm, action| Command::Act { conn, vm, action },
                    )
                });
            if let Some(s) = start(console, ui, cmd, error) {
                followed.set(started_item(s));
                typed.set(String::new());
                guard.set(false);
            }
        }
    };
    let why_now = move || {
        choices.with(|cs| {
            cs.iter()
                .find(|c| c.command == VmCommand::Action(ActionKind::Rebuild))
                .and_then(|c| c.reason.as_ref().map(|r| r.to_string()))
        })
    };
    let label = words::action_label(ActionKind::Rebuild);
    let title = words::on(label, &name);
    view! {
        {move || why_now().map(|s| view! { <p class="why refused-now">{s}</p> })}
        <form class="action-panel" on:submit=on_submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            {words::rebuild_what_happens(caps.kind, rc).into_iter().map(|s| view! { <p class="hint">{s}</p> }).collect_view()}
            <ImagePicker images image/>
            <label>{words::rebuild_confirm_prompt(&name)}
                <input type="text" name="confirm-name" autocomplete="off" spellcheck="false"
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
            </label>
            <SnapshotFirst conn vm kind=ActionKind::Rebuild checked=guard/>
            <FormEnd error submit_label=label.to_string() danger=true inline=true/>
        </form>
        <Followed item=followed/>
    }
    .into_any()
}

/// The images to rebuild from (or why there are none yet: the catalogue still loading).
#[component]
fn ImagePicker(
    images: Memo<Result<Vec<RebuildImage>, Refusal>>,
    image: RwSignal<String>,
) -> impl IntoView {
    move || {
        match images.get() {
        Err(why) => view! { <p class="hint" role="status">{why.to_string()}</p> }.into_any(),
        Ok(list) => view! {
            <label>{words::rebuild_image_field()}
                <select name="image" prop:value=move || image.get()
                    on:change=move |ev| image.set(event_target_value(&ev))>
                    {list.into_iter().map(|i| {
                        let said = words::rebuild_image_label(&i);
                        let id = i.id.clone();
                        view! { <option value=i.id selected=move || image.get() == id>{said}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
    }
    }
}
