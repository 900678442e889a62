//! A VM page's Snapshots and Backups tabs: the provider's list (read when the tab opens and
//! again after an operation on it ends), each point's restore, delete and "make image" behind a
//! confirmation, taking one now, automatic backups on or off — each only where the provider's
//! `Caps` offer it, and what it does not offer said with its typed reason. Every rule is
//! vigil-core's: its limits are shown before submitting, its refusal inline after.

use leptos::prelude::*;
use vigil_core::dialect::{Avail, PointOps};
use vigil_core::engine::{ActivityFilter, ActivityItem};
use vigil_core::words::{self, Hint, PointLabel, PointLimit};
use vigil_core::{
    Action, ActionKind, Caps, Command, ConnId, OpId, Phase, Point, PointKind, PointList,
    PointState, VmId,
};

use crate::activity::ActivityList;
use crate::console::Console;
use crate::forms::{hints, ActionForm};
use crate::intl::{date_time, Ago};

/// A VM's snapshots (or backups) tab.
#[component]
pub fn PointsTab(conn: ConnId, vm: VmId, kind: PointKind, caps: &'static Caps) -> impl IntoView {
    let ops = *caps.points.of(kind);
    if let Avail::Absent(why) = ops.list {
        let what = words::plural(kind);
        return view! {
            <p class="absent">{words::not_offered_here(caps.kind, &[what])}" "{why.to_string()}</p>
        }
        .into_any();
    }
    let console = expect_context::<Console>();
    let marks = console.marks;
    let list = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            marks.vm(&conn, &vm);
            console.view(|v| v.points(&conn, &vm, kind).cloned())
        })
    };
    let (running, stage) = point_ops(console, conn.clone(), vm.clone(), kind);
    let read = {
        let (conn, vm) = (conn.clone(), vm.clone());
        move || {
            let _ = console.intend(Command::ReadPoints {
                conn: conn.clone(),
                vm: vm.clone(),
                kind,
            });
        }
    };
    crate::activity::read_now_and_on(stage, read.clone());
    let pending = RwSignal::new(None::<Pending>);
    // "Snapshot first" for a restore picked below (a backup restore as a guarded change).
    let guard = RwSignal::new(false);
    view! {
        <Show when=move || !running.with(Vec::is_empty)>
            <section class="points-running" aria-label=PointLabel::Running.text()>
                <h3>{PointLabel::Running.text()}</h3>
                <ActivityList list=running/>
            </section>
        </Show>
        {(kind == PointKind::Backup && !matches!(ops.restore, Avail::Absent(_))).then(|| view! {
            <crate::guarded::SnapshotFirst conn=conn.clone() vm=vm.clone()
                kind=ActionKind::RestoreBackup checked=guard/>
        })}
        <Table list kind ops pending read=read.clone()/>
        <Absences caps kind ops/>
        {if kind == PointKind::Backup {
            view! { <AutoBackups conn=conn.clone() vm=vm.clone() caps ops/> }.into_any()
        } else {
            ().into_any()
        }}
        <Create conn=conn.clone() vm=vm.clone() kind caps ops list/>
        <Confirm conn vm caps pending guard/>
    }
    .into_any()
}

/// This VM's operations on its `kind` of points (newest first), and how far they are: how many
/// the provider has accepted, and how many have ended (both only grow).
fn point_ops(
    console: Console,
    conn: ConnId,
    vm: VmId,
    kind: PointKind,
) -> (Memo<Vec<ActivityItem>>, Memo<(usize, usize)>) {
    let found = Memo::new(move |_| {
        console.marks.activity();
        console.view(|v| {
            v.activity(ActivityFilter::All, Some((&conn, &vm)))
                .into_iter()
                .filter_map(|i| match i {
                    ActivityItem::Op(id) => {
                        let op = v.operation(&id)?;
                        (op.action.kind().point_kind() == Some(kind)).then_some((id, op.phase))
                    }
                    ActivityItem::Workflow(_) => None,
                })
                .collect::<Vec<(OpId, Phase)>>()
        })
    });
    crate::activity::followed(found)
}

/// A confirmation asked for: this action on this point.
#[derive(Clone, Debug, PartialEq)]
struct Pending {
    kind: ActionKind,
    point: Point,
}

/// The list as the provider shows it: name, its state (its own word where it is not one we
/// know), created, size, and what can be done with each.
#[component]
fn Table(
    list: Memo<Option<PointList>>,
    kind: PointKind,
    ops: PointOps,
    pending: RwSignal<Option<Pending>>,
    read: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let points =
        Memo::new(move |_| list.with(|l| l.as_ref().map(|l| l.points.clone()).unwrap_or_default()));
    let reading = move || list.with(|l| l.as_ref().is_none_or(|l| l.reading));
    let error = move || {
        list.with(|l| {
            l.as_ref()
                .and_then(|l| l.error.as_ref().map(|e| e.to_string()))
        })
    };
    let caption = PointLabel::ListOf(kind).text();
    view! {
        <div class="points-head">
            <p class="hint" aria-live="polite">{move || reading().then(|| PointLabel::Reading.text())}</p>
            <button type="button" class="btn small" on:click=move |_| read()>{PointLabel::ReadAgain.text()}</button>
        </div>
        {move || error().map(|e| view! { <p class="error" role="alert">{PointLabel::ReadFailed.text()}" "{e}</p> })}
        <Show when=move || !points.with(Vec::is_empty) fallback=move || view! {
            <p class="hint">{move || (!reading()).then(|| PointLabel::NoneYet(kind).text())}</p>
        }>
            <table class="points">
                <caption>{caption.clone()}</caption>
                <thead><tr>
                    <th scope="col">{PointLabel::Name.text()}</th>
                    <th scope="col">{PointLabel::State.text()}</th>
                    <th scope="col">{PointLabel::Created.text()}</th>
                    <th scope="col">{PointLabel::Size.text()}</th>
                    <th scope="col">{PointLabel::Actions.text()}</th>
                </tr></thead>
                <tbody>
                    <For each=move || points.get() key=row_key let:p>
                        <Row p ops pending/>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

fn row_key(p: &Point) -> String {
    format!(
        "{}|{:?}|{}|{:?}|{:?}",
        p.id, p.state, p.status_raw, p.created, p.size_gb
    )
}

#[component]
fn Row(p: Point, ops: PointOps, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    let (restore, delete) = match p.kind {
        PointKind::Snapshot => (ActionKind::RestoreSnapshot, ActionKind::DeleteSnapshot),
        PointKind::Backup => (ActionKind::RestoreBackup, ActionKind::DeleteBackup),
    };
    // Shown as the provider says it; a value we do not know, raw.
    let state = match &p.state {
        PointState::Unknown(_) => p.status_raw.clone(),
        s => words::point_state(s),
    };
    let settled = p.state.is_settled();
    let created = p
        .created
        .clone()
        .map(|c| match vigil_core::time::parse_rfc3339(&c) {
            Some(ms) => {
                view! { <span class="when">{date_time(ms)}" · "<Ago at=ms/></span> }.into_any()
            }
            None => view! { <span>{c}</span> }.into_any(),
        });
    let button = |kind: ActionKind, label: PointLabel, offered: Avail, danger: bool| {
        let point = p.clone();
        offered.offered().then(|| {
            view! {
                <button type="button" class="btn small" class:danger=danger
                    disabled=!settled
                    title=(!settled).then(|| state.clone())
                    aria-label=words::on(&label.text(), &p.name)
                    on:click=move |_| pending.set(Some(Pending { kind, point: point.clone() }))>
                    {label.text()}
                </button>
            }
        })
    };
    let to_image = (p.kind == PointKind::Snapshot).then(|| {
        button(
            ActionKind::SnapshotToImage,
            PointLabel::MakeImage,
            ops.to_image,
            false,
        )
    });
    view! {
        <tr>
            <th scope="row"><bdi>{words::name(&p.name)}</bdi>
                {(p.automatic == Some(true)).then(|| view! { <span class="tag">{PointLabel::Automatic.text()}</span> })}
                {p.note.clone().filter(|n| !n.is_empty()).map(|n| view! { <span class="hint note">{n}</span> })}
            </th>
            <td class=if p.state == PointState::Ready { "ok" } else { "" } data-label=PointLabel::State.text()>{state.clone()}</td>
            <td data-label=PointLabel::Created.text()>{created}</td>
            <td data-label=PointLabel::Size.text()>{p.size_gb.map(words::point_size)}</td>
            <td><div class="row-actions">
                {button(restore, PointLabel::Restore, ops.restore, false)}
                {to_image}
                {button(delete, PointLabel::Delete, ops.delete, true)}
            </div></td>
        </tr>
    }
}

/// What the provider does not offer here, each with its reason.
#[component]
fn Absences(caps: &'static Caps, kind: PointKind, ops: PointOps) -> impl IntoView {
    let (create, restore, delete) = match kind {
        PointKind::Snapshot => (
            ActionKind::Snapshot,
            ActionKind::RestoreSnapshot,
            ActionKind::DeleteSnapshot,
        ),
        PointKind::Backup => (
            ActionKind::Backup,
            ActionKind::RestoreBackup,
            ActionKind::DeleteBackup,
        ),
    };
    let mut all = vec![
        (create, ops.create),
        (restore, ops.restore),
        (delete, ops.delete),
    ];
    if kind == PointKind::Snapshot {
        all.push((ActionKind::SnapshotToImage, ops.to_image));
    } else {
        all.push((ActionKind::AutoBackups, ops.auto));
    }
    let absent: Vec<_> = all
        .into_iter()
        .filter_map(|(k, a)| match a {
            Avail::Absent(why) => Some((k, why)),
            _ => None,
        })
        .collect();
    (!absent.is_empty()).then(|| view! {
        <ul class="absent">
            {absent.into_iter().map(|(k, why)| view! {
                <li>{words::not_offered_here(caps.kind, &[words::action_label(k)])}" "{why.to_string()}</li>
            }).collect_view()}
        </ul>
    })
}

/// Automatic backups (cloudsfor): their state from the VM's features, and the switch.
#[component]
fn AutoBackups(conn: ConnId, vm: VmId, caps: &'static Caps, ops: PointOps) -> impl IntoView {
    let _ = caps;
    if !ops.auto.offered() {
        return ().into_any();
    }
    let console = expect_context::<Console>();
    let on = {
        let (conn, vm) = (conn.clone(), vm.clone());
        Memo::new(move |_| {
            console.marks.vm(&conn, &vm);
            console.view(|v| {
                v.vm(&conn, &vm)
                    .map(|x| x.features.iter().any(|f| f == "backups"))
            })
        })
    };
    let error = RwSignal::new(None::<String>);
    let toggle = move |_| {
        let Some(now) = on.get_untracked() else {
            return;
        };
        let cmd = Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action: Action::AutoBackups { on: !now },
        };
        error.set(console.intend(cmd).err().map(|w| w.to_string()));
    };
    view! {
        <div class="auto-backups">
            <p>{move || on.get().map(|on| if on { PointLabel::AutoOn.text() } else { PointLabel::AutoOff.text() })}</p>
            <button type="button" class="btn" on:click=toggle>
                {move || if on.get() == Some(true) { PointLabel::TurnOff.text() } else { PointLabel::TurnOn.text() }}
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
    }
    .into_any()
}

/// Taking one now: the provider's limits first, then the form (its refusal inline).
#[component]
fn Create(
    conn: ConnId,
    vm: VmId,
    kind: PointKind,
    caps: &'static Caps,
    ops: PointOps,
    list: Memo<Option<PointList>>,
) -> impl IntoView {
    if !ops.create.offered() {
        return ().into_any();
    }
    let limits: Vec<String> = PointLimit::of(caps, kind)
        .iter()
        .map(ToString::to_string)
        .collect();
    let said = view! {
        {(!limits.is_empty()).then(|| view! {
            <ul class="limits" aria-label=words::action_label(match kind { PointKind::Snapshot => ActionKind::Snapshot, PointKind::Backup => ActionKind::Backup })>
                {limits.into_iter().map(|l| view! { <li class="hint">{l}</li> }).collect_view()}
            </ul>
        })}
    };
    match kind {
        PointKind::Snapshot => view! {
            {said}
            <ActionForm conn vm kind=ActionKind::Snapshot inline=true/>
        }
        .into_any(),
        PointKind::Backup => view! {
            {said}
            <BackupForm conn vm list/>
        }
        .into_any(),
    }
}

/// "Back up now": a name, or where the provider runs a backup definition (Erigones), one of
/// those its backups were taken by.
#[component]
fn BackupForm(conn: ConnId, vm: VmId, list: Memo<Option<PointList>>) -> impl IntoView {
    let console = expect_context::<Console>();
    let definitions = Memo::new(move |_| {
        let mut d: Vec<String> = list.with(|l| {
            l.iter()
                .flat_map(|l| l.points.iter().filter_map(|p| p.definition.clone()))
                .collect()
        });
        d.sort();
        d.dedup();
        d
    });
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let title = words::action_label(ActionKind::Backup);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let picked = name.get_untracked();
        let picked = if picked.is_empty() {
            definitions
                .with_untracked(|d| d.first().cloned())
                .unwrap_or_default()
        } else {
            picked
        };
        let cmd = Command::Act {
            conn: conn.clone(),
            vm: vm.clone(),
            action: Action::Backup { name: picked },
        };
        match console.intend(cmd) {
            Ok(_) => {
                error.set(None);
                name.set(String::new());
            }
            Err(why) => error.set(Some(why.to_string())),
        }
    };
    view! {
        <form class="action-panel" aria-label=title on:submit=on_submit>
            <h2>{title}</h2>
            {move || if definitions.with(Vec::is_empty) {
                view! {
                    <label>{PointLabel::BackupName.text()}
                        <input type="text" name="backup-name" prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                }.into_any()
            } else {
                view! {
                    <label>{PointLabel::BackupDefinition.text()}
                        <select name="definition" on:change=move |ev| name.set(event_target_value(&ev))>
                            {definitions.get().into_iter().map(|d| view! { <option value=d.clone()>{d.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                }.into_any()
            }}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="row-actions">
                <button type="submit" class="btn primary">{title}</button>
            </div>
        </form>
    }
}

/// The confirmation of a restore, delete or "make image" of one point: what it does (the disk
/// replaced; final), when the VM must be stopped; the engine's refusal inline.
#[component]
fn Confirm(
    conn: ConnId,
    vm: VmId,
    caps: &'static Caps,
    pending: RwSignal<Option<Pending>>,
    guard: RwSignal<bool>,
) -> impl IntoView {
    move || {
        pending.get().map(|p| {
            view! { <ConfirmDialog conn=conn.clone() vm=vm.clone() caps p pending guard/> }
        })
    }
}

#[component]
fn ConfirmDialog(
    conn: ConnId,
    vm: VmId,
    caps: &'static Caps,
    p: Pending,
    pending: RwSignal<Option<Pending>>,
    guard: RwSignal<bool>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let node = crate::dialogs::use_modal();
    let close = move || pending.set(None);
    let image = RwSignal::new(format!("{}-image", p.point.name));
    let error = RwSignal::new(None::<String>);
    let mut said = Hint::confirming(p.kind);
    let restore = matches!(
        p.kind,
        ActionKind::RestoreSnapshot | ActionKind::RestoreBackup
    );
    let stopped = (restore && caps.points.of(p.point.kind).restore_needs_stopped)
        .then(|| PointLimit::RestoreNeedsStopped { kind: p.point.kind }.to_string());
    if p.kind == ActionKind::SnapshotToImage {
        said.clear();
    }
    let title = words::on(words::action_label(p.kind), &p.point.name);
    let point = p.point.clone();
    let kind = p.kind;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, name) = (point.id.clone(), point.name.clone());
        let action = match kind {
            ActionKind::RestoreSnapshot => Action::RestoreSnapshot { id, name },
            ActionKind::DeleteSnapshot => Action::DeleteSnapshot { id, name },
            ActionKind::RestoreBackup => Action::RestoreBackup {
                backup_id: id,
                name,
            },
            ActionKind::DeleteBackup => Action::DeleteBackup { id, name },
            _ => Action::SnapshotToImage {
                id,
                name: image.get_untracked(),
            },
        };
        // A backup restore with "snapshot first" checked runs as a guarded change.
        let guarded = kind == ActionKind::RestoreBackup && guard.get_untracked();
        let cmd = crate::guarded::change_command(
            conn.clone(),
            vm.clone(),
            action,
            guarded,
            |conn, vm, action| Command::Act { conn, vm, action },
        );
        match console.intend(cmd) {
            Ok(_) => close(),
            Err(why) => error.set(Some(why.to_string())),
        }
    };
    let danger = kind.is_destructive() || restore;
    view! {
        <dialog class="modal" node_ref=node
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); close(); }
            on:close=move |_| close()>
            <form class="action-panel" aria-label=title.clone() on:submit=on_submit>
                <h2>{title.clone()}</h2>
                {hints(said)}
                {stopped.map(|s| view! { <p class="hint">{s}</p> })}
                {(kind == ActionKind::SnapshotToImage).then(|| view! {
                    <label>{PointLabel::ImageName.text()}
                        <input type="text" name="image-name" required autofocus prop:value=move || image.get()
                            on:input=move |ev| image.set(event_target_value(&ev))/>
                    </label>
                })}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="row-actions">
                    <button type="submit" class="btn primary" class:danger=danger>{words::action_label(kind)}</button>
                    <button type="button" class="btn" on:click=move |_| close()>{words::Label::Cancel.text()}</button>
                </div>
            </form>
        </dialog>
    }
}
