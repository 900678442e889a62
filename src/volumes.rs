//! The Volumes page (`#/volumes`): every connection's block-storage volumes — name, size, state,
//! the VM it is attached to — with create, attach, detach, resize and delete where the
//! provider's `Caps` offer them, each followed live to its verified end in the operations shown
//! above the table; and, on a VM's Network tab, the volumes of that VM. A provider without
//! volumes says why. Every rule is vigil-core's: its refusal is shown inline.

use leptos::prelude::*;
use vigil_core::engine::{ActivityFilter, ActivityItem};
use vigil_core::words::{self, Label, VolLabel};
use vigil_core::{Caps, Command, ConnId, OpId, Phase, ResourceKind, Scope, VmId};

use crate::activity::ActivityList;
use crate::console::Console;
use crate::volumes_create::CreateForm;
use crate::volumes_table::{Pending, VolumeDialog, VolumeTable};

#[component]
pub fn VolumesPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let conns = Memo::new(move |_| {
        console.marks.connections();
        console.view(|v| {
            v.connections()
                .map(|c| (c.id.clone(), c.name.clone(), c.dialect.caps()))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <h2 id="volumes-h">{Label::Volumes.text()}</h2>
        <p class="hint">{VolLabel::Lead.text()}</p>
        <For each=move || conns.get() key=|(id, name, _)| (id.clone(), name.clone()) let:c>
            <ConnVolumes conn=c.0 name=c.1 caps=c.2/>
        </For>
    }
}

/// One connection's volumes: absent with its reason, or the operations on them, the table and
/// the create form.
#[component]
fn ConnVolumes(conn: ConnId, name: String, caps: &'static Caps) -> impl IntoView {
    let heading = format!("vol-{}", conn.as_str());
    let labelled = heading.clone();
    let title = words::volumes_of(&name);
    if let Some(why) = caps.volumes.absent_why() {
        return view! {
            <section class="vol-conn" aria-labelledby=labelled>
                <h3 id=heading>{title}</h3>
                <p class="absent">{words::not_offered_here(caps.kind, &[Label::Volumes.text()])}" "{why.to_string()}</p>
            </section>
        }
        .into_any();
    }
    let console = expect_context::<Console>();
    let scopes = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.conn(&conn);
            console.marks.rows();
            console.view(|v| v.volume_scopes(&conn))
        })
    };
    let rows = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.conn(&conn);
            console.view(|v| {
                v.volumes(&conn)
                    .into_iter()
                    .map(|(s, r)| (s, r.clone()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let running = volume_ops(console, conn.clone(), None);
    keep_read(console, conn.clone(), scopes, running.1);
    let pending = RwSignal::new(None::<Pending>);
    view! {
        <section class="vol-conn" aria-labelledby=labelled>
            <h3 id=heading>{title.clone()}</h3>
            <Running list=running.0/>
            <ReadState conn=conn.clone() scopes/>
            <VolumeTable conn=conn.clone() caption=title rows listed=all_read(console, conn.clone(), scopes) pending/>
            <CreateForm conn=conn.clone() caps fixed_vm=None/>
            <VolumeDialog conn pending/>
        </section>
    }
    .into_any()
}

/// The VM page's Network tab, its volumes part: the volumes of this VM (attached to it, and
/// where volumes belong to an instance, made on it), with attach, detach, resize and delete.
#[component]
pub fn VmVolumes(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let heading = format!("vm-vol-{}", vm.as_str());
    let labelled = heading.clone();
    if let Some(why) = caps.volumes.absent_why() {
        return view! {
            <section class="vol-conn" aria-labelledby=labelled>
                <h3 id=heading>{VolLabel::OfThisVm.text()}</h3>
                <p class="absent">{words::not_offered_here(caps.kind, &[Label::Volumes.text()])}" "{why.to_string()}</p>
            </section>
        }
        .into_any();
    }
    let console = expect_context::<Console>();
    let scope = if caps.volumes.per_vm {
        Scope::Vm(vm.clone())
    } else {
        Scope::Conn
    };
    let scopes = Memo::new(move |_| vec![scope.clone()]);
    let rows = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.conn(&conn);
            console.view(|v| {
                v.vm_volumes(&conn, &vm)
                    .into_iter()
                    .map(|(s, r)| (s, r.clone()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let running = volume_ops(console, conn.clone(), Some(vm.clone()));
    keep_read(console, conn.clone(), scopes, running.1);
    let pending = RwSignal::new(None::<Pending>);
    let caption = {
        let (conn, vm) = (conn.clone(), vm.clone());
        console.view(|v| {
            v.vm(&conn, &vm)
                .map(|x| words::volumes_on_vm(&x.name))
                .unwrap_or_default()
        })
    };
    let fixed = caps.volumes.per_vm.then(|| vm.clone());
    view! {
        <section class="vol-conn" aria-labelledby=labelled>
            <h3 id=heading>{VolLabel::OfThisVm.text()}</h3>
            <Running list=running.0/>
            <ReadState conn=conn.clone() scopes/>
            <VolumeTable conn=conn.clone() caption rows listed=all_read(console, conn.clone(), scopes) pending/>
            {fixed.map(|vm| view! { <CreateForm conn=conn.clone() caps fixed_vm=Some(vm)/> })}
            <VolumeDialog conn pending/>
        </section>
    }
    .into_any()
}

/// The operations on volumes listed here (on `vm`'s, where given), newest first, followed live
/// to their verified end; and how far they are (accepted, ended: both only grow).
fn volume_ops(
    console: Console,
    conn: ConnId,
    vm: Option<VmId>,
) -> (Memo<Vec<ActivityItem>>, Memo<(usize, usize)>) {
    let found = Memo::new(move |_| {
        console.marks.activity();
        console.view(|v| {
            v.activity(ActivityFilter::All, None)
                .into_iter()
                .filter_map(|i| match i {
                    ActivityItem::Op(id) => {
                        let op = v.operation(&id)?;
                        let t = op.target.res()?;
                        let mine = vm.as_ref().is_none_or(|vm| {
                            t.scope.vm() == Some(vm) || volume_vm(&op.action) == Some(vm)
                        });
                        (op.connection == conn && t.kind == ResourceKind::Volume && mine)
                            .then_some((id, op.phase))
                    }
                    ActivityItem::Workflow(_) => None,
                })
                .collect::<Vec<(OpId, Phase)>>()
        })
    });
    crate::activity::followed(found)
}

/// The VM an attach or detach names.
fn volume_vm(action: &vigil_core::Action) -> Option<&VmId> {
    match action {
        vigil_core::Action::AttachVolume { vm, .. }
        | vigil_core::Action::DetachVolume { vm, .. } => Some(vm),
        _ => None,
    }
}

/// Reads the lists when shown (and when the scopes change: a VM listed), and again each time an
/// operation on them is accepted or ends.
fn keep_read(
    console: Console,
    conn: ConnId,
    scopes: Memo<Vec<Scope>>,
    stage: Memo<(usize, usize)>,
) {
    let read = move |scopes: &[Scope]| {
        for scope in scopes {
            let _ = console.intend(Command::ReadList {
                conn: conn.clone(),
                scope: scope.clone(),
                kind: ResourceKind::Volume,
            });
        }
    };
    Effect::new(move |before: Option<(Vec<Scope>, (usize, usize))>| {
        let now = (scopes.get(), stage.get());
        match &before {
            Some((s, st)) if *s == now.0 && *st == now.1 => {}
            Some((s, _)) if *s != now.0 => {
                let new: Vec<Scope> = now.0.iter().filter(|x| !s.contains(x)).cloned().collect();
                read(&new);
            }
            _ => read(&now.0),
        }
        now
    });
}

#[component]
fn Running(list: Memo<Vec<ActivityItem>>) -> impl IntoView {
    view! {
        <Show when=move || !list.with(Vec::is_empty)>
            <div class="points-running" role="region" aria-label=VolLabel::Running.text()>
                <h4>{VolLabel::Running.text()}</h4>
                <ActivityList list/>
            </div>
        </Show>
    }
}

/// Whether every list of `scopes` has been read once: only then does an empty one mean none.
fn all_read(console: Console, conn: ConnId, scopes: Memo<Vec<Scope>>) -> Signal<bool> {
    Signal::derive(move || {
        console.marks.conn(&conn);
        let scopes = scopes.get();
        console.view(|v| {
            scopes
                .iter()
                .all(|s| v.volume_list(&conn, s).is_some_and(|l| l.read_at.is_some()))
        })
    })
}

/// "Reading…", the last read's failure, and "Read again".
#[component]
fn ReadState(conn: ConnId, scopes: Memo<Vec<Scope>>) -> impl IntoView {
    let console = expect_context::<Console>();
    let state = {
        let conn = conn.clone();
        Memo::new(move |_| {
            console.marks.conn(&conn);
            let scopes = scopes.get();
            console.view(|v| {
                let lists: Vec<_> = scopes.iter().map(|s| v.volume_list(&conn, s)).collect();
                let reading = lists.iter().any(|l| l.is_none_or(|l| l.reading));
                let error = lists
                    .iter()
                    .flatten()
                    .find_map(|l| l.error.as_ref().map(|e| e.to_string()));
                (reading, error)
            })
        })
    };
    let again = move |_| {
        for scope in scopes.get_untracked() {
            let _ = console.intend(Command::ReadList {
                conn: conn.clone(),
                scope,
                kind: ResourceKind::Volume,
            });
        }
    };
    view! {
        <div class="points-head">
            <p class="hint" aria-live="polite">{move || state.get().0.then(|| VolLabel::Reading.text())}</p>
            <button type="button" class="btn small" on:click=again>{VolLabel::ReadAgain.text()}</button>
        </div>
        {move || state.get().1.map(|e| view! { <p class="error" role="alert">{VolLabel::ReadFailed.text()}" "{e}</p> })}
    }
}
