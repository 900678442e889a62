//! The form or confirmation for one action on one VM: rename, snapshot, resize (by
//! amounts, by flavor, or stop → resize → start where the provider resizes only stopped VMs),
//! and the confirmations of abrupt actions. What the provider allows comes from its `Caps`.

use leptos::prelude::*;
use vigil_core::dialect::Caps;
use vigil_core::engine::{ActivityItem, Started, VmCommand};
use vigil_core::words::{self, Hint, HintTone, Label};
use vigil_core::workflow::Plan;
use vigil_core::{Action, ActionKind, Command, ConnId, Refusal, Resize, Vm, VmId};

use crate::console::Console;
use crate::guarded::{change_command, started_item, Followed, SnapshotFirst};
use crate::ui::Ui;

/// A whole number of at least 1.
fn amount(s: RwSignal<String>) -> Result<u32, Refusal> {
    match s.get_untracked().trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Refusal::SizeAtLeastOne),
    }
}

/// What the user typed, for every kind of form.
#[derive(Clone, Copy)]
struct Typed {
    text: RwSignal<String>,
    description: RwSignal<String>,
    flavor: RwSignal<String>,
    /// The catalogue size picked (where the provider resizes to those).
    size: RwSignal<Option<Resize>>,
    cpu: RwSignal<String>,
    ram: RwSignal<String>,
    disk: RwSignal<String>,
    start_after: RwSignal<bool>,
}

impl Typed {
    fn new(kind: ActionKind, vm: &Vm) -> Self {
        Typed {
            text: RwSignal::new(match kind {
                ActionKind::Rename => vm.name.clone(),
                ActionKind::SetHostname => vm.hostname.clone().unwrap_or_default(),
                _ => String::new(),
            }),
            description: RwSignal::new(String::new()),
            flavor: RwSignal::new(String::new()),
            size: RwSignal::new(None),
            cpu: RwSignal::new(vm.size.vcpus.unwrap_or(1).to_string()),
            ram: RwSignal::new(vm.size.memory_gb.unwrap_or(1).to_string()),
            disk: RwSignal::new(vm.size.disk_gb.unwrap_or(25).to_string()),
            start_after: RwSignal::new(true),
        }
    }

    /// The action typed, checked for what the page can tell alone.
    fn action(self, kind: ActionKind, caps: &Caps, vm: &Vm) -> Result<Action, Refusal> {
        Ok(match kind {
            ActionKind::Rename => Action::Rename {
                name: self.text.get_untracked(),
            },
            ActionKind::SetHostname => Action::SetHostname {
                hostname: self.text.get_untracked(),
            },
            ActionKind::Snapshot => Action::Snapshot {
                name: self.text.get_untracked(),
                description: self.description.get_untracked(),
            },
            ActionKind::Resize if caps.resizes_to_catalogue_size => {
                Action::Resize(self.size.get_untracked().ok_or(Refusal::ChooseSize)?)
            }
            ActionKind::Resize if caps.resizes_by_flavor => {
                let id = self.flavor.get_untracked().trim().to_string();
                if id.is_empty() {
                    return Err(Refusal::EnterFlavor);
                }
                Action::Resize(Resize::Flavor { id })
            }
            ActionKind::Resize => {
                let (c, r, d) = (amount(self.cpu)?, amount(self.ram)?, amount(self.disk)?);
                Action::Resize(Resize::to_target(&vm.size, c, r, d)?)
            }
            other => Action::simple(other).ok_or(Refusal::NotOffered {
                provider: caps.kind,
            })?,
        })
    }
}

/// `inline`: in a VM page's tab rather than a dialog (no Cancel; it stays after a submit).
#[component]
pub fn ActionForm(
    conn: ConnId,
    vm: VmId,
    kind: ActionKind,
    #[prop(optional)] inline: bool,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let found = console.view(|v| Some((v.vm(&conn, &vm)?.clone(), v.caps(&conn)?)));
    let Some((current, caps)) = found else {
        return view! { <p>{Refusal::VmNotListed.to_string()}</p> }.into_any();
    };
    // A resize the provider takes only with the VM off: done as stop → resize → start.
    let cold = kind == ActionKind::Resize && console.view(|v| v.resize_needs_stop(&conn, &vm));
    let typed = Typed::new(kind, &current);
    let error = RwSignal::new(None::<String>);
    // "Snapshot first", where the change can be guarded; what started, followed in a tab.
    let guardable = matches!(kind, ActionKind::Resize | ActionKind::RestoreBackup);
    let guard = RwSignal::new(false);
    let followed = RwSignal::new(None::<ActivityItem>);
    let on_submit = {
        let (conn, vm) = (conn.clone(), vm.clone());
        let current = current.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (conn, vm) = (conn.clone(), vm.clone());
            let plain = move |conn, vm, a| match a {
                Action::Resize(resize) if cold => Command::Workflow {
                    conn,
                    vm,
                    plan: Plan::ColdResize {
                        resize,
                        start_after: typed.start_after.get_untracked(),
                    },
                },
                action => Command::Act { conn, vm, action },
            };
            let cmd = typed
                .action(kind, caps, &current)
                .and_then(|a| a.validate().map(|()| a))
                .map(|a| change_command(conn, vm, a, guard.get_untracked(), plain));
            if let Some(s) = start(console, ui, cmd, error) {
                followed.set(started_item(s));
                guard.set(false);
            }
        }
    };
    let title = words::on(words::action_label(kind), &current.name);
    let body = match kind {
        ActionKind::Rename | ActionKind::Snapshot | ActionKind::SetHostname => {
            view! { <TextForm kind typed caps vm=current.clone()/> }.into_any()
        }
        ActionKind::Resize if caps.resizes_to_catalogue_size => {
            view! { <SizeForm conn=conn.clone() vm=vm.clone() picked=typed.size console/> }
                .into_any()
        }
        ActionKind::Resize if caps.resizes_by_flavor => {
            let (c, v) = (conn.clone(), vm.clone());
            let now = Signal::derive(move || {
                console.marks.vm(&c, &v);
                console.view(|x| x.vm(&c, &v).map(|x| words::flavor_now(&x.size)))
            });
            view! { <FlavorForm typed now console/> }.into_any()
        }
        ActionKind::Resize => view! { <AmountsForm typed cold/> }.into_any(),
        _ => hints(Hint::confirming(kind)).into_any(),
    };
    let submit_label = if cold {
        Label::StopResizeStart.text().to_string()
    } else {
        words::action_label(kind).to_string()
    };
    view! {
        <form class="action-panel" on:submit=on_submit aria-label=title.clone()>
            <h2>{title.clone()}</h2>
            {body}
            {guardable.then(|| view! { <SnapshotFirst conn=conn.clone() vm=vm.clone() kind checked=guard/> })}
            <FormEnd error submit_label danger=kind.is_destructive() inline/>
        </form>
        {inline.then(|| view! { <Followed item=followed/> })}
    }
    .into_any()
}

/// Rename, hostname and snapshot (with the provider's rules): one text, maybe a description.
#[component]
fn TextForm(kind: ActionKind, typed: Typed, caps: &'static Caps, vm: Vm) -> impl IntoView {
    let label = match kind {
        ActionKind::Snapshot => Label::SnapshotName,
        ActionKind::SetHostname => Label::NewHostname,
        _ => Label::NewName,
    };
    let snapshot = kind == ActionKind::Snapshot;
    let said = match kind {
        ActionKind::Snapshot => Hint::snapshotting(caps, &vm),
        other => Hint::confirming(other),
    };
    view! {
        {hints(said)}
        <label>{label.text()}
            <input type="text" name="text" required autofocus prop:value=move || typed.text.get()
                on:input=move |ev| typed.text.set(event_target_value(&ev))/>
        </label>
        {(snapshot && caps.snapshots.description).then(|| view! {
            <label>{Label::SnapshotDescription.text()}
                <input type="text" name="description" prop:value=move || typed.description.get()
                    on:input=move |ev| typed.description.set(event_target_value(&ev))/>
            </label>
        })}
    }
}

/// What vigil-core says beside a form, each sentence in its tone.
pub fn hints(said: Vec<Hint>) -> impl IntoView {
    said.into_iter()
        .map(|h| {
            let class = match h.tone() {
                HintTone::Plain => "",
                HintTone::Aside => "hint",
                HintTone::Warning => "error",
            };
            view! { <p class=class>{h.to_string()}</p> }
        })
        .collect_view()
}

/// Resize to another flavor, those in use on this connection offered as suggestions.
#[component]
fn FlavorForm(typed: Typed, now: Signal<Option<String>>, console: Console) -> impl IntoView {
    let mut flavors: Vec<String> = console.view(|v| {
        v.connections()
            .flat_map(|c| v.vms(&c.id).iter())
            .filter_map(|x| x.size.flavor.clone())
            .collect()
    });
    flavors.sort();
    flavors.dedup();
    view! {
        <p class="hint">{move || now.get()}</p>
        <label>{Label::FlavorId.text()}
            <input type="text" name="flavor" list="flavor-ids" autofocus prop:value=move || typed.flavor.get()
                on:input=move |ev| typed.flavor.set(event_target_value(&ev))/>
        </label>
        <datalist id="flavor-ids">
            {flavors.into_iter().map(|f| view! { <option value=f/> }).collect_view()}
        </datalist>
    }
}

/// Resize to one of the provider's sizes, picked from its catalogue (loaded here); the VM's
/// own size is shown and not offered.
#[component]
fn SizeForm(
    conn: ConnId,
    vm: VmId,
    picked: RwSignal<Option<Resize>>,
    console: Console,
) -> impl IntoView {
    console.act(Command::LoadCatalogue {
        conn: conn.clone(),
        region: None,
    });
    let sizes = Memo::new(move |_| {
        console.marks.catalogue(&conn);
        console.marks.vm(&conn, &vm);
        console
            .view(|v| Some(v.resize_sizes(&conn, &vm)))
            .unwrap_or(Ok(Vec::new()))
    });
    let options = move || match sizes.get() {
        Err(why) => view! { <p class="hint">{why.to_string()}</p> }.into_any(),
        Ok(list) => {
            let on_change = {
                let list = list.clone();
                move |ev| {
                    let i = event_target_value(&ev).parse::<usize>().ok();
                    picked.set(i.and_then(|i| list.get(i)).map(|s| s.resize.clone()));
                }
            };
            view! {
                <label>{Label::NewSize.text()}
                    <select name="size" required on:change=on_change>
                        <option value="" selected=true disabled=true>{Refusal::ChooseSize.to_string()}</option>
                        {list.into_iter().enumerate().map(|(i, s)| {
                            let label = if s.current { words::current_size(&s.label) } else { s.label };
                            view! { <option value=i.to_string() disabled=s.current>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }
            .into_any()
        }
    };
    view! { <div class="size-pick">{options}</div> }
}

/// Resize by vCPUs, RAM and disk; where the VM must be off, as stop → resize → start.
#[component]
fn AmountsForm(typed: Typed, cold: bool) -> impl IntoView {
    let number = |name: &'static str, label: Label, value: RwSignal<String>| {
        view! {
            <label>{label.text()}" "<input type="number" name=name min="1" prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        {if cold {
            view! {
                <p class="hint">{words::choice_hint(VmCommand::Action(ActionKind::Resize), true)}</p>
                <label class="check"><input type="checkbox" name="start_after" prop:checked=move || typed.start_after.get()
                    on:change=move |ev| typed.start_after.set(event_target_checked(&ev))/>{Label::StartAfter.text()}</label>
            }.into_any()
        } else {
            hints(vec![Hint::ResizeSendsChanged]).into_any()
        }}
        {number("cpu", Label::Vcpus, typed.cpu)}
        {number("ram", Label::RamGb, typed.ram)}
        {number("disk", Label::DiskGb, typed.disk)}
    }
}

/// The error line and the two buttons every form ends with.
#[component]
pub fn FormEnd(
    error: RwSignal<Option<String>>,
    submit_label: String,
    #[prop(optional)] danger: bool,
    #[prop(optional)] inline: bool,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        <Show when=move || error.get().is_some()>
            <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
        <div class="row-actions">
            <button type="submit" class="btn primary" class:danger=danger>{submit_label}</button>
            {(!inline).then(|| view! {
                <button type="button" class="btn" on:click=move |_| ui.dialog.set(None)>{Label::Cancel.text()}</button>
            })}
        </div>
    }
}

/// Runs `cmd`: closes the dialog, or keeps it open with the refusal (and what was typed).
pub fn submit(
    console: Console,
    ui: Ui,
    cmd: Result<Command, Refusal>,
    error: RwSignal<Option<String>>,
) -> bool {
    start(console, ui, cmd, error).is_some()
}

/// As [`submit`], with what it started (a form in a tab follows it).
pub fn start(
    console: Console,
    ui: Ui,
    cmd: Result<Command, Refusal>,
    error: RwSignal<Option<String>>,
) -> Option<Started> {
    match cmd.and_then(|c| console.intend(c)) {
        Ok(started) => {
            ui.dialog.set(None);
            error.set(None);
            Some(started)
        }
        Err(why) => {
            error.set(Some(why.to_string()));
            None
        }
    }
}

/// A VM's name as last seen (its id if it is gone).
pub fn vm_name(console: Console, conn: &ConnId, vm: &VmId) -> String {
    console
        .view(|v| v.vm(conn, vm).map(|x| x.name.clone()))
        .unwrap_or_else(|| vm.to_string())
}
