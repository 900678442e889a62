//! Bulk actions: the bar offered while VMs are selected, and the latest bulk's per-VM summary,
//! following each of its VMs' operations and workflows.

use leptos::prelude::*;
use vigil_core::engine::VmCommand;
use vigil_core::words::{self, Label};
use vigil_core::workflow::BulkSummary as Summary;
use vigil_core::ActionKind;

use crate::console::Console;
use crate::ui::{Dialog, Ui};

/// The actions a bulk bar offers (each VM still decides whether it is allowed).
pub const BULK: [VmCommand; 6] = [
    VmCommand::Action(ActionKind::Start),
    VmCommand::Action(ActionKind::Shutdown),
    VmCommand::Stop,
    VmCommand::Action(ActionKind::Reboot),
    VmCommand::Action(ActionKind::PowerOff),
    VmCommand::Action(ActionKind::PowerCycle),
];

/// With VMs selected: the actions to run on all of them.
#[component]
pub fn BulkBar() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let count = move || ui.selected.with(|s| s.len());
    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" role="toolbar" aria-label=Label::BulkToolbar.text()>
                <strong>{move || words::selected(count())}</strong>
                {BULK.iter().map(|&command| {
                    let label = words::command_label(command);
                    view! {
                        <button class="btn small" class:danger=command.is_destructive()
                            aria-label=move || words::on(label, &words::selected_vms(count()))
                            on:click=move |_| ui.dialog.set(Some(Dialog::Bulk { command }))>
                            {label}
                        </button>
                    }
                }).collect_view()}
                <button class="btn small" on:click=move |_| ui.selected.update(|s| s.clear())>
                    {Label::ClearSelection.text()}
                </button>
            </div>
        </Show>
    }
}

/// The latest bulk action: per VM done / failed / running / skipped, live.
#[component]
pub fn BulkSummary() -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let marks = console.marks;
    let summary = Memo::new(move |_| {
        marks.activity();
        let latest = console.view(|v| v.bulks().last().map(|b| b.id.clone()))?;
        marks.bulk(&latest);
        let (title, s): (String, Summary) = console.view(|v| {
            let b = v.bulk(&latest)?;
            Some((
                words::bulk_title(&b.work, b.items.len()),
                v.bulk_summary(&latest)?,
            ))
        })?;
        // Each VM's operation or workflow: the summary moves with them.
        for (item, _) in &s.items {
            if let Some(op) = &item.op_id {
                marks.op(op);
            }
            if let Some(wf) = &item.workflow_id {
                marks.workflow(wf);
            }
        }
        Some((title, s))
    });
    move || {
        summary.get().map(|(title, s)| {
            view! {
                <section class="bulk-summary" aria-label=Label::BulkResult.text()>
                    <div class="entry-head">
                        <strong>{title}</strong>
                        <button class="btn small" aria-label=Label::CloseBulkResult.text()
                            on:click=move |_| ui.show_bulk.set(false)>{Label::Dismiss.text()}</button>
                    </div>
                    <p class="counts" role="status">{words::bulk_label(&s)}</p>
                    <ul>
                        {s.items.into_iter().map(|(item, outcome)| view! {
                            <li data-outcome=outcome.id()><strong>{item.vm_name}</strong>" — "{words::bulk_outcome(&outcome)}</li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
