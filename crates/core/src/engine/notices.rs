//! Notices: one per operation, workflow or bulk that ended (not one per step or per VM), and
//! one when a connection's list cannot be read. Tone and words are decided here.

use crate::engine::core::Happened;
use crate::engine::event::{About, Notice, Tone};
use crate::engine::workflows::{summary, WfHappened, Workflows};
use crate::engine::Core;
use crate::model::Phase;
use crate::words::{self, phase_label};

/// "Reboot web-01: done, verified on the VM." / "…: failed. <the provider's words>"
fn finished(what: String, phase: Phase, said: Option<String>, about: About) -> Notice {
    finished_on(what, "VM", phase, said, about)
}

/// As [`finished`], verified on `on` (the VM, or the network, volume… an operation targets).
fn finished_on(what: String, on: &str, phase: Phase, said: Option<String>, about: About) -> Notice {
    match phase {
        Phase::Succeeded => Notice {
            tone: Tone::Success,
            text: format!("{what}: done, verified on the {on}."),
            about,
        },
        _ => Notice {
            tone: Tone::Error,
            text: format!(
                "{what}: {}. {}",
                phase_label(phase).to_lowercase(),
                said.unwrap_or_default()
            )
            .trim_end()
            .to_string(),
            about,
        },
    }
}

/// The notice for something that happened in the core, if the user hears about it.
pub(crate) fn of_core(core: &Core, wfs: &Workflows, h: &Happened) -> Option<Notice> {
    match h {
        Happened::Finished { op, phase } => {
            // A step of a workflow or one VM of a bulk: the workflow's own notice and the bulk
            // summary say it, once.
            let part_of_more = wfs.for_op(op).is_some()
                || wfs
                    .bulks
                    .iter()
                    .any(|b| b.items.iter().any(|i| i.op_id.as_ref() == Some(op)));
            if part_of_more {
                return None;
            }
            let rec = core.ops.get(op)?;
            let what = words::op_title(&rec.op.action, rec.op.target.vm_name());
            let said = rec.op.note.as_ref().map(|n| n.to_string());
            let on = match rec.op.target.res() {
                Some(t) => words::resource_word(t.kind),
                None => "VM",
            };
            Some(finished_on(what, on, *phase, said, About::Op(op.clone())))
        }
        Happened::ListFailed { conn, error } => {
            let name = core
                .conn(conn)
                .map_or(conn.to_string(), |c| c.cfg.name.clone());
            Some(Notice {
                tone: Tone::Error,
                text: format!("{name}: {error}"),
                about: About::Connection(conn.clone()),
            })
        }
        Happened::StartedElsewhere { op } => {
            let rec = core.ops.get(op)?;
            Some(Notice {
                tone: Tone::Info,
                text: words::started_elsewhere(&rec.op),
                about: About::Op(op.clone()),
            })
        }
        Happened::Connection(_)
        | Happened::Activity(_)
        | Happened::Catalogue(_)
        | Happened::CancelAnswered { .. }
        | Happened::Secret { .. }
        | Happened::Points { .. }
        | Happened::List { .. } => None,
    }
}

/// The notice for a workflow or bulk that ended.
pub(crate) fn of_workflows(core: &Core, wfs: &Workflows, h: &WfHappened) -> Option<Notice> {
    match h {
        WfHappened::Finished { wf, phase } => {
            let w = &wfs.get(wf)?.wf;
            let what = words::workflow_title(&w.plan, &w.vm_name);
            let said = w.note.as_ref().map(|n| n.to_string());
            Some(finished(what, *phase, said, About::Workflow(wf.clone())))
        }
        WfHappened::BulkFinished { bulk } => {
            let b = wfs.bulks.iter().find(|b| &b.id == bulk)?;
            let s = summary(core, wfs, b);
            Some(Notice {
                tone: if s.is_clean() {
                    Tone::Success
                } else {
                    Tone::Error
                },
                text: format!(
                    "{}: {}",
                    words::bulk_title(&b.work, b.items.len()),
                    words::bulk_label(&s)
                ),
                about: About::Bulk(bulk.clone()),
            })
        }
    }
}
