//! "Create VM": pick a connection, its catalogue is read (`Command::LoadCatalogue`, by the
//! polling tab: a following one forwards it and shows what is shared), then the fields its
//! provider needs (`CreateCaps`, with what it takes besides — automatic backups, a public IP)
//! with the choices vigil-core offers (`Catalogue::offered`: of the region and size chosen) and
//! its checks (`check_create`) shown by field as the user types. Where the user's role may not
//! create VMs (Erigones' VM owners), the dialog says so instead of a form. Every word is
//! vigil-core's (`words`).

use std::collections::BTreeSet;

use leptos::prelude::*;
use vigil_core::catalogue::{Catalogue, Choice, Field, Part};
use vigil_core::dialect::{CreateCaps, Sizing};
use vigil_core::words::{self, Hint, Label};
use vigil_core::{ActionKind, Command, ConnId, DialectKind, Refusal, View, VmSpec};

use crate::console::Console;
use crate::forms::{submit, FormEnd};
use crate::ui::Ui;

/// Where the form stands for the chosen connection.
#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Loading,
    /// The user may not create VMs here (a role).
    Refused(Refusal),
    Ready {
        create: CreateCaps,
        provider: DialectKind,
    },
}

/// The stage now; once ready it stays ready while parts of the catalogue are read again (the
/// chosen region's SSH keys, say), so the form is not drawn anew under the user's hands.
fn stage_of(v: &View<'_>, conn: &ConnId, was_ready: bool) -> Option<Stage> {
    let caps = v.caps(conn)?;
    if let Err(why) = v.create_allowed(conn) {
        return Some(Stage::Refused(why));
    }
    let create = caps.create?;
    let loaded = v.catalogue(conn).is_some_and(Catalogue::is_loaded);
    Some(if loaded || was_ready {
        Stage::Ready {
            create,
            provider: caps.kind,
        }
    } else {
        Stage::Loading
    })
}

#[component]
pub fn CreateForm(conn: Option<ConnId>) -> impl IntoView {
    let console = expect_context::<Console>();
    let ui = expect_context::<Ui>();
    let offering: Vec<(ConnId, String)> = console.view(|v| {
        v.connections()
            .filter(|c| v.caps(&c.id).is_some_and(|k| k.create.is_some()))
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect()
    });
    let chosen = RwSignal::new(conn.or_else(|| offering.first().map(|c| c.0.clone())));
    let form = Form::new(console, chosen);
    let stage = stage(console, chosen);
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.tried.set(true);
        // Every problem shows by its field: nothing to send until they are fixed.
        if !form.problems.with(Vec::is_empty) {
            error.set(None);
            return;
        }
        let cmd = chosen
            .get_untracked()
            .map(|conn| Command::Create {
                conn,
                spec: form.spec.get_untracked(),
            })
            .ok_or(Refusal::UnknownConnection);
        submit(console, ui, cmd, error);
    };
    let title = words::action_label(ActionKind::Create);
    view! {
        <form class="action-panel create-form" on:submit=on_submit aria-label=title novalidate>
            <h2>{title}</h2>
            <label>{Label::Connection.text()}
                <select name="connection" on:change=move |ev| form.pick(ConnId::new(event_target_value(&ev)))>
                    {offering.iter().map(|(id, name)| {
                        let id2 = id.clone();
                        view! { <option value=id.to_string() selected=move || chosen.get().as_ref() == Some(&id2)>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            {move || match stage.get() {
                None => view! { <p class="error" role="alert">{Refusal::UnknownConnection.to_string()}</p> }.into_any(),
                Some(Stage::Loading) => view! {
                    <p class="hint" role="status">{Refusal::CatalogueNotReady.to_string()}</p>
                    {move || (!console.tabs.leader.get()).then(|| view! {
                        <p class="hint">{Hint::ChoicesReadByPollingTab.to_string()}</p>
                    })}
                }.into_any(),
                Some(Stage::Refused(why)) => view! { <p class="error refused" role="alert">{why.to_string()}</p> }.into_any(),
                Some(Stage::Ready { create, provider }) => view! {
                    {move || form.cat.with(|c| c.failure().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> }))}
                    <Fields form create/>
                    {move || {
                        let hints = Hint::creating(provider.caps(), console.tabs.leader.get());
                        hints.into_iter().map(|h| view! { <p class="hint">{h.to_string()}</p> }).collect_view()
                    }}
                }.into_any(),
            }}
            <FormEnd error submit_label=title.to_string()/>
        </form>
    }
}

/// Where the form stands for the connection chosen; the catalogue is read afresh for it by the
/// polling tab — this one, or the one it follows, which shares what it reads (asked again when
/// this tab's role changes, so that a read cut short by a take-over is made anew).
fn stage(console: Console, chosen: RwSignal<Option<ConnId>>) -> Memo<Option<Stage>> {
    let leads = console.tabs.leader;
    Effect::new(move |_| {
        leads.track();
        if let Some(conn) = chosen.get() {
            console.act(Command::LoadCatalogue { conn, region: None });
        }
    });
    Memo::new(move |was: Option<&Option<Stage>>| {
        let conn = chosen.get()?;
        console.marks.catalogue(&conn);
        let was_ready = matches!(was, Some(Some(Stage::Ready { .. })));
        console.view(|v| stage_of(v, &conn, was_ready))
    })
}

/// The form's state: the spec typed so far, vigil-core's problems with it, and which fields
/// the user has been to (their problems show; all of them after a submit).
#[derive(Clone, Copy)]
struct Form {
    spec: RwSignal<VmSpec>,
    problems: Memo<Vec<(Field, Refusal)>>,
    touched: RwSignal<BTreeSet<Field>>,
    tried: RwSignal<bool>,
    /// The chosen connection's catalogue as it loads.
    cat: Memo<Catalogue>,
    chosen: RwSignal<Option<ConnId>>,
}

impl Form {
    fn new(console: Console, chosen: RwSignal<Option<ConnId>>) -> Self {
        let cat = Memo::new(move |_| {
            let Some(conn) = chosen.get() else {
                return Catalogue::default();
            };
            console.marks.catalogue(&conn);
            console
                .view(|v| v.catalogue(&conn).cloned())
                .unwrap_or_default()
        });
        let spec = RwSignal::new(VmSpec::default());
        let problems = Memo::new(move |_| {
            let Some(conn) = chosen.get() else {
                return Vec::new();
            };
            // The names in use and the VM limit (the list), the choices (the catalogue).
            console.marks.conn(&conn);
            console.marks.catalogue(&conn);
            spec.with(|s| console.view(|v| v.check_create(&conn, s)))
        });
        // The parts that belong to the chosen region are read once it is chosen.
        Effect::new(move |was: Option<Option<String>>| {
            let region = spec.with(|s| s.region.clone());
            if let (Some(conn), Some(was)) = (chosen.get_untracked(), &was) {
                if region.is_some() && *was != region {
                    console.act(Command::LoadCatalogue {
                        conn,
                        region: region.clone(),
                    });
                }
            }
            region
        });
        Form {
            spec,
            problems,
            touched: RwSignal::new(BTreeSet::new()),
            tried: RwSignal::new(false),
            cat,
            chosen,
        }
    }

    /// Another connection: each provider takes other fields, so only the name carries over.
    fn pick(self, conn: ConnId) {
        self.chosen.set(Some(conn));
        self.spec.update(|s| {
            *s = VmSpec {
                name: std::mem::take(&mut s.name),
                ..VmSpec::default()
            }
        });
        self.touched.update(|t| t.retain(|f| *f == Field::Name));
    }

    fn set(self, field: Field, f: impl FnOnce(&mut VmSpec)) {
        self.spec.update(f);
        self.touched.update(|t| {
            t.insert(field);
        });
    }

    /// The field's problems, once it should say them.
    fn problem(self, field: Field) -> impl Fn() -> Option<String> + Copy {
        move || {
            let shown = self.tried.get() || self.touched.with(|t| t.contains(&field));
            shown.then(|| {
                self.problems.with(|p| {
                    let all: Vec<String> = p
                        .iter()
                        .filter(|(f, _)| *f == field)
                        .map(|(_, r)| r.to_string())
                        .collect();
                    (!all.is_empty()).then(|| all.join(" "))
                })
            })?
        }
    }
}

/// An inline problem under a field.
fn problem_line(p: impl Fn() -> Option<String> + Copy + Send + Sync + 'static) -> impl IntoView {
    move || p().map(|t| view! { <span class="field-error" role="alert">{t}</span> })
}

/// One choice from a catalogue list.
fn select(
    form: Form,
    field: Field,
    label: &'static str,
    name: &'static str,
    options: impl Fn() -> Vec<(String, String, bool)> + Send + Sync + 'static,
    get: fn(&VmSpec) -> Option<String>,
    put: fn(&mut VmSpec, Option<String>),
) -> impl IntoView {
    let value = move || form.spec.with(get);
    let problem = form.problem(field);
    view! {
        <label>{label}
            <select name=name aria-invalid=move || problem().is_some().to_string()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    form.set(field, |s: &mut VmSpec| put(s, (!v.is_empty()).then_some(v)));
                }>
                <option value="" selected=move || value().is_none()>{words::NOTHING}</option>
                {move || options().into_iter().map(|(id, text, off)| {
                    let id2 = id.clone();
                    view! { <option value=id disabled=off selected=move || value().as_deref() == Some(id2.as_str())>{text}</option> }
                }).collect_view()}
            </select>
            {problem_line(problem)}
        </label>
    }
}

/// The choices vigil-core offers for a part, given what is chosen so far (the region's, the
/// size's), as options; they follow the catalogue as it loads.
fn offered(
    form: Form,
    part: Part,
    text: fn(&Choice) -> String,
) -> impl Fn() -> Vec<(String, String, bool)> + Copy + Send + Sync {
    move || {
        form.spec.with(|spec| {
            form.cat.with(|cat| {
                cat.offered(part, spec)
                    .into_iter()
                    .map(|c| (c.id.clone(), text(c), c.unavailable))
                    .collect()
            })
        })
    }
}

/// A choice's own label.
fn label_of(c: &Choice) -> String {
    c.label.clone()
}

/// A yes/no the provider takes with the create.
fn checkbox(
    form: Form,
    name: &'static str,
    label: Label,
    get: fn(&VmSpec) -> bool,
    put: fn(&mut VmSpec, bool),
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" name=name prop:checked=move || form.spec.with(get)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    form.spec.update(|s| put(s, on));
                }/>
            {label.text()}
        </label>
    }
}

/// A configuration goes with one size (ZennoHosting's tariffs): when another size is chosen,
/// one that vigil-core no longer offers is dropped.
fn drop_stale_configuration(form: Form) {
    Effect::new(move |_| {
        form.spec.with(|s| s.size.clone());
        let stale = form.spec.with_untracked(|s| {
            s.configuration.as_ref().is_some_and(|chosen| {
                form.cat.with_untracked(|cat| {
                    !cat.offered(Part::Configurations, s)
                        .iter()
                        .any(|c| &c.id == chosen)
                })
            })
        });
        if stale {
            form.spec.update(|s| s.configuration = None);
        }
    });
}

/// The fields the provider needs, with the catalogue's choices.
#[component]
fn Fields(form: Form, create: CreateCaps) -> impl IntoView {
    let has = move |part: Part| form.cat.with(|c| c.parts.contains_key(&part));
    let label = move |f: Field| words::field_label(f, create.place);
    let images = offered(form, Part::Images, label_of);
    let keys = move || form.cat.with(|c| c.choices(Part::SshKeys).to_vec());
    drop_stale_configuration(form);
    view! {
        <label>{label(Field::Name)}
            <input type="text" name="name" autocomplete="off" autofocus
                aria-invalid=move || form.problem(Field::Name)().is_some().to_string()
                prop:value=move || form.spec.with(|s| s.name.clone())
                on:input=move |ev| form.set(Field::Name, |s| s.name = event_target_value(&ev))/>
            {problem_line(form.problem(Field::Name))}
        </label>
        {create.place.map(|_| select(form, Field::Region, label(Field::Region), "region",
            offered(form, Part::Regions, label_of), |s| s.region.clone(), |s, v| s.region = v))}
        {match create.sizing {
            Sizing::Catalogue => select(form, Field::Size, label(Field::Size), "size",
                offered(form, Part::Sizes, words::size_choice), |s| s.size.clone(), |s, v| s.size = v).into_any(),
            Sizing::Amounts { .. } => view! { <Amounts form/> }.into_any(),
        }}
        // A configuration profile belongs to the size (tariff) chosen just above.
        {move || has(Part::Configurations).then(|| select(form, Field::Configuration,
            label(Field::Configuration), "configuration", offered(form, Part::Configurations, words::size_choice),
            |s| s.configuration.clone(), |s, v| s.configuration = v))}
        <label>{label(Field::Image)}
            <select name="image" aria-invalid=move || form.problem(Field::Image)().is_some().to_string()
                on:change=move |ev| {
                    let id = event_target_value(&ev);
                    let os = form.cat.with(|c| c.choices(Part::Images).iter().find(|c| c.id == id).and_then(|c| c.os.clone()));
                    form.set(Field::Image, |s| { s.image = id; s.os = os; });
                }>
                <option value="" selected=move || form.spec.with(|s| s.image.is_empty())>{words::NOTHING}</option>
                {move || images().into_iter().map(|(id, text, off)| {
                    let id2 = id.clone();
                    view! { <option value=id disabled=off selected=move || form.spec.with(|s| s.image == id2)>{text}</option> }
                }).collect_view()}
            </select>
            {problem_line(form.problem(Field::Image))}
        </label>
        {move || (create.network_required || has(Part::Networks)).then(|| select(form, Field::Network,
            label(Field::Network), "network", offered(form, Part::Networks, label_of),
            |s| s.network.clone(), |s, v| s.network = v))}
        {move || (create.security_group_required || has(Part::SecurityGroups)).then(|| select(form,
            Field::SecurityGroup, label(Field::SecurityGroup), "security_group",
            offered(form, Part::SecurityGroups, label_of), |s| s.security_group.clone(), |s, v| s.security_group = v))}
        {move || (create.ssh_keys && !keys().is_empty()).then(|| view! { <SshKeys form keys=keys()/> })}
        {create.backups.then(|| checkbox(form, "backups", Label::Backups, |s| s.backups, |s, on| s.backups = on))}
        {create.public_ip.then(|| checkbox(form, "public_ip", Label::PublicIp, |s| s.public_ip, |s, on| s.public_ip = on))}
    }
}

/// Free amounts where the provider has no sizes (Erigones).
#[component]
fn Amounts(form: Form) -> impl IntoView {
    let number = move |name: &'static str,
                       label: Label,
                       get: fn(&VmSpec) -> Option<u32>,
                       put: fn(&mut VmSpec, Option<u32>)| {
        view! {
            <label>{label.text()}" "
                <input type="number" name=name min="1"
                    prop:value=move || form.spec.with(|s| get(s).map(|n| n.to_string()).unwrap_or_default())
                    on:input=move |ev| {
                        let n = event_target_value(&ev).trim().parse::<u32>().ok();
                        form.set(Field::Amounts, |s| put(s, n));
                    }/>
            </label>
        }
    };
    view! {
        <fieldset class="amounts">
            <legend>{words::field_label(Field::Amounts, None)}</legend>
            {number("vcpus", Label::Vcpus, |s| s.vcpus, |s, n| s.vcpus = n)}
            {number("ram_mb", Label::RamMb, |s| s.ram_mb, |s, n| s.ram_mb = n)}
            {number("disk_gb", Label::DiskGb, |s| s.disk_gb, |s, n| s.disk_gb = n)}
            {problem_line(form.problem(Field::Amounts))}
        </fieldset>
    }
}

/// SSH keys to put on the new VM.
#[component]
fn SshKeys(form: Form, keys: Vec<Choice>) -> impl IntoView {
    view! {
        <fieldset class="ssh-keys">
            <legend>{words::field_label(Field::SshKeys, None)}</legend>
            {keys.into_iter().map(|k| {
                let (id, id2) = (k.id.clone(), k.id.clone());
                view! {
                    <label class="check">
                        <input type="checkbox" name="ssh_key" value=k.id.clone()
                            prop:checked=move || form.spec.with(|s| s.ssh_keys.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let id = id2.clone();
                                form.set(Field::SshKeys, move |s| {
                                    s.ssh_keys.retain(|x| *x != id);
                                    if on { s.ssh_keys.push(id); }
                                });
                            }/>
                        {k.label.clone()}
                    </label>
                }
            }).collect_view()}
            {problem_line(form.problem(Field::SshKeys))}
        </fieldset>
    }
}
