//! The volume table (name, size, state, the VM it is attached to, what can be done with it)
//! and the dialog of one volume's attach, detach, resize or delete. A detach from a running VM
//! asks first, in vigil-core's words ([`vigil_core::View::detach_confirm`]).

use leptos::prelude::*;
use vigil_core::words::{self, Label, VolLabel};
use vigil_core::{Action, ActionKind, Command, ConnId, Res, ResState, Scope, VmId};

use crate::console::Console;

/// A dialog asked for: this action on this volume, listed in this scope.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub kind: ActionKind,
    pub scope: Scope,
    pub volume: Res,
}

#[component]
pub fn VolumeTable(
    conn: ConnId,
    caption: String,
    rows: Memo<Vec<(Scope, Res)>>,
    /// Every list has been read once (before that, nothing listed is not "none").
    listed: Signal<bool>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let conn = StoredValue::new(conn);
    let caption = StoredValue::new(caption);
    view! {
        <Show when=move || !rows.with(Vec::is_empty) fallback=move || {
            listed.get().then(|| view! { <p class="hint">{VolLabel::NoneYet.text()}</p> })
        }>
            <table class="points volumes">
                <caption>{caption.get_value()}</caption>
                <thead><tr>
                    <th scope="col">{VolLabel::Name.text()}</th>
                    <th scope="col">{VolLabel::Size.text()}</th>
                    <th scope="col">{VolLabel::State.text()}</th>
                    <th scope="col">{VolLabel::AttachedTo.text()}</th>
                    <th scope="col">{VolLabel::Actions.text()}</th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.get() key=row_key let:row>
                        <Row conn=conn.get_value() scope=row.0.clone() volume=row.1.clone() pending/>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

fn row_key((scope, r): &(Scope, Res)) -> String {
    format!("{scope:?}|{r:?}")
}

#[component]
fn Row(
    conn: ConnId,
    scope: Scope,
    volume: Res,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let caps = console.view(|v| v.caps(&conn));
    let vol = volume;
    let attached: Option<String> = {
        let c = conn.clone();
        let on = vol.attached_to().cloned();
        console.view(|v| {
            on.map(|id| {
                v.vm(&c, &id)
                    .map_or(id.as_str().to_string(), |x| x.name.clone())
            })
        })
    };
    // A change of ours under way on it: the row says so until it ends.
    let busy = {
        let (conn, id) = (conn.clone(), vol.id.clone());
        Memo::new(move |_| {
            console.marks.activity();
            console.view(|v| {
                v.volume_op(&conn, &id)
                    .filter(|o| o.is_open())
                    .map(|o| words::progressive(o.action.kind()).to_string())
            })
        })
    };
    let state = words::volume_state(&vol);
    let ready = vol.state == ResState::Ready;
    let settled = move || ready && busy.with(Option::is_none);
    let state_text = {
        let state = state.clone();
        move || busy.get().unwrap_or_else(|| state.clone())
    };
    let button = |kind: ActionKind, label: VolLabel, danger: bool| {
        let offered = caps.is_some_and(|c| c.offers(kind));
        let (scope, vol2, state) = (scope.clone(), vol.clone(), state.clone());
        offered.then(|| {
            view! {
                <button type="button" class="btn small" class:danger=danger
                    disabled=move || !settled()
                    title=move || (!settled()).then(|| state.clone())
                    aria-label=words::on(&label.text(), &vol2.name)
                    on:click=move |_| pending.set(Some(Pending { kind, scope: scope.clone(), volume: vol2.clone() }))>
                    {label.text()}
                </button>
            }
        })
    };
    let attach_or_detach = if vol.attached_to().is_some() {
        button(ActionKind::DetachVolume, VolLabel::Detach, false)
    } else {
        button(ActionKind::AttachVolume, VolLabel::Attach, false)
    };
    view! {
        <tr>
            <th scope="row"><bdi>{words::name(&vol.name)}</bdi></th>
            <td data-label=VolLabel::Size.text()>{vol.size_gb().map(words::volume_size)}</td>
            <td class:ok=settled data-label=VolLabel::State.text()>{state_text}</td>
            <td data-label=VolLabel::AttachedTo.text()>
                {match attached {
                    Some(name) => view! { <bdi>{words::name(&name)}</bdi> }.into_any(),
                    None => view! { <span class="hint">{VolLabel::NotAttached.text()}</span> }.into_any(),
                }}
            </td>
            <td><div class="row-actions">
                {attach_or_detach}
                {button(ActionKind::ResizeVolume, VolLabel::Resize, false)}
                {button(ActionKind::DeleteVolume, VolLabel::Delete, true)}
            </div></td>
        </tr>
    }
}

/// The open dialog, if any.
#[component]
pub fn VolumeDialog(conn: ConnId, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    move || {
        pending
            .get()
            .map(|p| view! { <Dialog conn=conn.clone() p pending/> })
    }
}

/// The action a dialog sends, from what was filled in.
fn action_of(p: &Pending, vm: &str, size: &str, running_ok: bool) -> Result<Action, String> {
    let (id, name) = (p.volume.id.clone(), p.volume.name.clone());
    Ok(match p.kind {
        ActionKind::AttachVolume => Action::AttachVolume {
            id,
            name,
            vm: VmId::from(vm),
        },
        ActionKind::DetachVolume => Action::DetachVolume {
            id,
            name,
            vm: p.volume.attached_to().cloned().unwrap_or_default(),
            running_ok,
        },
        ActionKind::ResizeVolume => Action::ResizeVolume {
            id,
            name,
            size_gb: size.trim().parse().map_err(|_| {
                vigil_core::Refusal::Res(vigil_core::words::ResRefusal::VolumeSize { max: None })
                    .to_string()
            })?,
        },
        _ => Action::DeleteVolume { id, name },
    })
}

#[component]
fn Dialog(conn: ConnId, p: Pending, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    let console = expect_context::<Console>();
    let node = crate::dialogs::use_modal();
    let close = move || pending.set(None);
    let (choices, ask) = console.view(|v| {
        let choices: Vec<(String, String)> = v
            .attach_choices(&conn, &p.scope, &p.volume)
            .into_iter()
            .map(|vm| (vm.id.to_string(), vm.name.clone()))
            .collect();
        let ask = p
            .volume
            .attached_to()
            .and_then(|vm| v.detach_confirm(&conn, vm))
            .filter(|_| p.kind == ActionKind::DetachVolume);
        (choices, ask)
    });
    let vm = RwSignal::new(choices.first().map(|c| c.0.clone()).unwrap_or_default());
    let size = RwSignal::new(
        p.volume
            .size_gb()
            .map(|s| (s + 10).to_string())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    let title = words::on(words::action_label(p.kind), &p.volume.name);
    let kind = p.kind;
    let asks = ask.is_some();
    let on_submit = {
        let p = p.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let action = match action_of(&p, &vm.get_untracked(), &size.get_untracked(), asks) {
                Ok(a) => a,
                Err(e) => return error.set(Some(e)),
            };
            let cmd = Command::ActRes {
                conn: conn.clone(),
                scope: p.scope.clone(),
                action,
            };
            match console.intend(cmd) {
                Ok(_) => close(),
                Err(why) => error.set(Some(why.to_string())),
            }
        }
    };
    let submit = match (kind, asks) {
        (ActionKind::DetachVolume, true) => VolLabel::DetachAnyway.text(),
        _ => words::action_label(kind).to_string(),
    };
    let danger = kind == ActionKind::DeleteVolume || asks;
    let no_choice = kind == ActionKind::AttachVolume && choices.is_empty();
    view! {
        <dialog class="modal" node_ref=node
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); close(); }
            on:close=move |_| close()>
            <form class="action-panel" aria-label=title.clone() on:submit=on_submit>
                <h2>{title.clone()}</h2>
                {ask.map(|a| view! { <p class="hint warn">{a.to_string()}</p> })}
                {(kind == ActionKind::DeleteVolume).then(|| view! {
                    <p class="hint">{VolLabel::DeleteIsFinal.text()}</p>
                })}
                {(kind == ActionKind::AttachVolume).then(|| if no_choice {
                    view! { <p class="hint">{VolLabel::NoVmToAttach.text()}</p> }.into_any()
                } else {
                    view! {
                        <label>{VolLabel::AttachTo.text()}
                            <select name="vm" on:change=move |ev| vm.set(event_target_value(&ev))>
                                {choices.iter().map(|(id, name)| view! { <option value=id.clone()>{words::name(name)}</option> }).collect_view()}
                            </select>
                        </label>
                    }.into_any()
                })}
                {(kind == ActionKind::ResizeVolume).then(|| view! {
                    <p class="hint">{VolLabel::GrowsOnly.text()}</p>
                    <label>{VolLabel::NewSizeGb.text()}
                        <input type="number" name="size" min="1" step="1" required autofocus
                            prop:value=move || size.get()
                            on:input=move |ev| size.set(event_target_value(&ev))/>
                    </label>
                })}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="row-actions">
                    <button type="submit" class="btn primary" class:danger=danger disabled=no_choice>{submit}</button>
                    <button type="button" class="btn" on:click=move |_| close()>{Label::Cancel.text()}</button>
                </div>
            </form>
        </dialog>
    }
}
