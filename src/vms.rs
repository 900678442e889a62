//! The VM list: one row per VM across every connection, with the actions valid right now.

use leptos::prelude::*;
use vigil_core::view::{SortKey, StateFilter, VmFilter};
use vigil_core::{Action, ActionKind, ListState, PowerState, Resize};

use crate::console::Console;

/// Which VM has a form or confirmation open, and for which action.
type PanelKey = Option<(String, String, ActionKind)>;

#[component]
pub fn VmList() -> impl IntoView {
    let console = expect_context::<Console>();
    let panel = RwSignal::new(None::<(String, String, ActionKind)>);
    let conns = Memo::new(move |_| {
        console.engine.with(|e| {
            e.connections()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let filter = RwSignal::new(VmFilter::default());
    let rows = Memo::new(move |_| filter.with(|f| console.engine.with(|e| e.vm_rows(f))));
    let total = Memo::new(move |_| {
        console
            .engine
            .with(|e| e.connections().map(|c| e.vms(&c.id).len()).sum::<usize>())
    });
    let state_of = |v: &str| match v {
        "running" => StateFilter::Running,
        "stopped" => StateFilter::Stopped,
        "busy" => StateFilter::Busy,
        "unknown" => StateFilter::Unknown,
        _ => StateFilter::All,
    };
    let sort_of = |v: &str| match v {
        "provider" => SortKey::Provider,
        "status" => SortKey::Status,
        _ => SortKey::Name,
    };
    view! {
        <div class="conn-status">
            <For each=move || conns.get() key=|c| c.0.clone() let:c>
                <ConnStatus id=c.0 name=c.1/>
            </For>
        </div>
        <div class="filters" role="search">
            <label>"Search"
                <input type="search" name="q" placeholder="name, id, region, status"
                    prop:value=move || filter.with(|f| f.query.clone())
                    on:input=move |ev| filter.update(|f| f.query = event_target_value(&ev))/>
            </label>
            <label>"Provider"
                <select name="provider" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.connection = (!v.is_empty()).then_some(v));
                }>
                    <option value="">"All"</option>
                    <For each=move || conns.get() key=|c| c.0.clone() let:c>
                        <option value=c.0.clone()>{c.1.clone()}</option>
                    </For>
                </select>
            </label>
            <label>"State"
                <select name="state" on:change=move |ev| {
                    let v = state_of(&event_target_value(&ev));
                    filter.update(|f| f.state = v);
                }>
                    <option value="all">"All"</option>
                    <option value="running">"Running"</option>
                    <option value="stopped">"Stopped"</option>
                    <option value="busy">"Busy"</option>
                    <option value="unknown">"Unknown status"</option>
                </select>
            </label>
            <label>"Sort by"
                <select name="sort" on:change=move |ev| {
                    let v = sort_of(&event_target_value(&ev));
                    filter.update(|f| f.sort = v);
                }>
                    <option value="name">"Name"</option>
                    <option value="provider">"Provider"</option>
                    <option value="status">"Status"</option>
                </select>
            </label>
            <span class="count" aria-live="polite">
                {move || format!("{} of {} VMs", rows.with(Vec::len), total.get())}
            </span>
        </div>
        <div class="table-wrap">
            <table class="vms">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Provider"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Region"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|k| k.clone() let:k>
                        <VmRow conn=k.0 vm_id=k.1 panel/>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ConnStatus(id: String, name: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let id2 = id.clone();
    let state = Memo::new(move |_| console.engine.with(|e| e.list_state(&id2).cloned()));
    let count = {
        let id = id.clone();
        move || console.engine.with(|e| e.vms(&id).len())
    };
    let retry = move || {
        let id = id.clone();
        move |_| console.refresh(&id)
    };
    view! {
        <p class="conn" data-state=move || match state.get() {
            Some(ListState::Ready { .. }) => "ready",
            Some(ListState::Failed { .. }) => "failed",
            _ => "loading",
        }>
            <strong>{name}</strong>
            {move || match state.get() {
                Some(ListState::Loading) | None => view! { <span>" — loading VMs…"</span> }.into_any(),
                Some(ListState::Ready { .. }) => view! { <span>{format!(" — {} VMs", count())}</span> }.into_any(),
                Some(ListState::Failed { error, .. }) => view! {
                    <span class="error" role="alert">" — " {error.full()}</span>
                    " "
                    <button class="btn small" on:click=retry()>"Retry"</button>
                }.into_any(),
            }}
        </p>
    }
}

fn badge_class(power: &PowerState, busy: bool) -> &'static str {
    if busy {
        return "badge busy";
    }
    match power {
        PowerState::Running => "badge running",
        PowerState::Stopped => "badge stopped",
        PowerState::Unknown(_) => "badge unknown",
        _ => "badge busy",
    }
}

#[component]
fn VmRow(conn: String, vm_id: String, panel: RwSignal<PanelKey>) -> impl IntoView {
    let console = expect_context::<Console>();
    let vm = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        Memo::new(move |_| console.engine.with(|e| e.vm(&conn, &vm_id).cloned()))
    };
    let op = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        Memo::new(move |_| {
            console.engine.with(|e| {
                e.open_op_for(&conn, &vm_id)
                    .map(|o| (o.action.kind(), o.phase))
            })
        })
    };
    let status = {
        let conn = conn.clone();
        move || {
            console.engine.with(|e| {
                vm.with(|v| {
                    v.as_ref()
                        .map(|v| e.status_label(&conn, v))
                        .unwrap_or_default()
                })
            })
        }
    };
    let choices = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        Memo::new(move |_| console.engine.with(|e| e.action_choices(&conn, &vm_id)))
    };
    let name = move || vm.with(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
    let provider = {
        let conn = conn.clone();
        console.engine.with_untracked(|e| {
            e.connections()
                .find(|c| c.id == conn)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        })
    };
    let panel_open = {
        let (conn, vm_id) = (conn.clone(), vm_id.clone());
        move || {
            panel.with(|p| match p {
                Some((c, v, k)) if *c == conn && *v == vm_id => Some(*k),
                _ => None,
            })
        }
    };
    let (conn_b, vm_b) = (conn.clone(), vm_id.clone());
    let buttons = move || {
        choices
            .get()
            .into_iter()
            .map(|(kind, allowed)| {
                let (conn, vm_id) = (conn_b.clone(), vm_b.clone());
                let reason = allowed.clone().err();
                let label = format!("{} {}", kind.label(), name());
                let click = move |_| {
                    if kind.needs_parameters() || kind.is_destructive() {
                        panel.set(Some((conn.clone(), vm_id.clone(), kind)));
                    } else if let Some(action) = Action::simple(kind) {
                        panel.set(None);
                        if let Err(e) = console.run(&conn, &vm_id, action) {
                            console.announcement.set(e);
                        }
                    }
                };
                view! {
                    <button
                        class="btn small"
                        class:danger=kind.is_destructive()
                        disabled=allowed.is_err()
                        title=reason.unwrap_or_default()
                        aria-label=label
                        data-action=format!("{kind:?}")
                        on:click=click
                    >
                        {kind.label()}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <tr class="vm" data-conn=conn.clone() data-vm=vm_id.clone() data-busy=move || op.get().is_some().to_string()>
            <th scope="row" class="vm-name">{name}</th>
            <td class="provider">{provider}</td>
            <td>
                <span
                    class=move || vm.with(|v| v.as_ref().map(|v| badge_class(&v.power, op.get().is_some() || v.locked)).unwrap_or("badge"))
                    data-testid="status"
                >
                    {status}
                </span>
                {move || op.get().map(|(_, phase)| view! { <span class="phase">{phase.label()}</span> })}
            </td>
            <td>{move || vm.with(|v| v.as_ref().map(|v| v.size.label()).unwrap_or_default())}</td>
            <td>{move || vm.with(|v| v.as_ref().and_then(|v| v.region.clone()).unwrap_or_else(|| "—".into()))}</td>
            <td class="actions">{buttons}</td>
        </tr>
        {move || panel_open().map(|kind| {
            let (conn, vm_id) = (conn.clone(), vm_id.clone());
            view! {
                <tr class="panel-row">
                    <td colspan="6">
                        <ActionPanel conn vm_id kind panel/>
                    </td>
                </tr>
            }
        })}
    }
}

/// The form or confirmation for an action that needs one.
#[component]
fn ActionPanel(
    conn: String,
    vm_id: String,
    kind: ActionKind,
    panel: RwSignal<PanelKey>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let vm = console
        .engine
        .with_untracked(|e| e.vm(&conn, &vm_id).cloned())
        .expect("panel opened on a listed VM");
    let dialect = console.engine.with_untracked(|e| {
        e.connections()
            .find(|c| c.id == conn)
            .map(|c| c.dialect)
            .expect("panel opened on a known connection")
    });
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
        ActionKind::Rename => vm.name.clone(),
        _ => String::new(),
    });
    let description = RwSignal::new(String::new());
    let flavor = RwSignal::new(String::new());
    let cpu = RwSignal::new(vm.size.vcpus.unwrap_or(1).to_string());
    let ram = RwSignal::new(vm.size.memory_gb.unwrap_or(1).to_string());
    let disk = RwSignal::new(vm.size.disk_gb.unwrap_or(25).to_string());
    let before = vm.size.clone();
    let vm_name = vm.name.clone();

    let submit = move |ev: leptos::ev::SubmitEvent| {
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
        match action.and_then(|a| console.run(&conn, &vm_id, a)) {
            Ok(_) => panel.set(None),
            // Whatever was typed stays in the form.
            Err(e) => error.set(Some(e)),
        }
    };
    let cancel = move |_| panel.set(None);
    let title = format!("{} {}", kind.label(), vm_name);
    let form_label = title.clone();
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
                <label>{label}
                    <input type="text" name="text" required prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))/>
                </label>
                {with_description.then(|| view! {
                    <p class="hint">"Hostway keeps at most 3 snapshots per server, names must be unique on the server, and servers with extra volumes cannot be snapshotted."</p>
                    <label>"Description"
                        <input type="text" name="description" prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev))/>
                    </label>
                })}
            }
            .into_any()
        }
        ActionKind::Resize if dialect.resizes_by_flavor() => {
            let current = vm.size.flavor.clone().unwrap_or_else(|| "—".into());
            view! {
                <p class="hint">{format!("Current flavor: {current}. Enter the id of the flavor to resize to.")}</p>
                <label>"Flavor id"
                    <input type="text" name="flavor" list="flavor-ids" prop:value=move || flavor.get()
                        on:input=move |ev| flavor.set(event_target_value(&ev))/>
                </label>
                <datalist id="flavor-ids">
                    {flavors.iter().map(|f| view! { <option value=f.clone()/> }).collect_view()}
                </datalist>
            }
            .into_any()
        }
        ActionKind::Resize => view! {
            <p class="hint">"The VM must be off. Changing one resource sends it alone; several go together."</p>
            <label>"vCPUs" <input type="number" min="1" prop:value=move || cpu.get()
                on:input=move |ev| cpu.set(event_target_value(&ev))/></label>
            <label>"RAM (GB)" <input type="number" min="1" prop:value=move || ram.get()
                on:input=move |ev| ram.set(event_target_value(&ev))/></label>
            <label>"Disk (GB)" <input type="number" min="1" prop:value=move || disk.get()
                on:input=move |ev| disk.set(event_target_value(&ev))/></label>
        }
        .into_any(),
        ActionKind::PowerOff => view! {
            <p>"Power off cuts the power like pulling the plug: unsaved data in the VM is lost. Prefer Shut down when the guest responds."</p>
        }
        .into_any(),
        ActionKind::PowerCycle => view! {
            <p>"Power cycle is a hard reset: the guest gets no chance to shut down cleanly."</p>
        }
        .into_any(),
        _ => view! { <p>"Confirm."</p> }.into_any(),
    };
    view! {
        <form class="action-panel" on:submit=submit aria-label=form_label>
            <strong>{title}</strong>
            {body}
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="row-actions">
                <button type="submit" class="btn primary" class:danger=kind.is_destructive()>
                    {kind.label()}
                </button>
                <button type="button" class="btn" on:click=cancel>"Cancel"</button>
            </div>
        </form>
    }
}
