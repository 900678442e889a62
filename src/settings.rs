//! Settings: any number of provider connections (dialect, name, base URL, credentials), and
//! the site's presets (its `config.json`), which need only the user's credentials.

use leptos::prelude::*;
use vigil_core::dialect::CredentialKind;
use vigil_core::words::{self, Label};
use vigil_core::{ConnId, ConnectionConfig, Credentials, DialectKind};

use vigil_core::engine::Tone;
use vigil_core::saved;
use vigil_core::site::{Preset, SiteConfig, SiteError};
use vigil_core::words::{SiteLabel, StorageNote};

use crate::console::Console;
use crate::notices::Notices;
use crate::storage::{self, Settings};

/// The editable fields of one connection.
#[derive(Clone, Copy)]
struct Draft {
    id: RwSignal<Option<ConnId>>,
    dialect: RwSignal<DialectKind>,
    name: RwSignal<String>,
    base: RwSignal<String>,
    user: RwSignal<String>,
    secret: RwSignal<String>,
    /// The provider's second kind of credentials instead of its first (Erigones: log in with
    /// username and password instead of an API key).
    alternative: RwSignal<bool>,
    /// A site's preset: provider, name and base URL are the site's, only credentials are asked.
    fixed: RwSignal<bool>,
}

impl Draft {
    fn new() -> Self {
        Draft {
            id: RwSignal::new(None),
            dialect: RwSignal::new(DialectKind::Cloudsfor),
            name: RwSignal::new(String::new()),
            base: RwSignal::new(String::new()),
            user: RwSignal::new(String::new()),
            secret: RwSignal::new(String::new()),
            alternative: RwSignal::new(false),
            fixed: RwSignal::new(false),
        }
    }

    /// A site's preset, to be completed with the user's credentials.
    fn load_preset(&self, p: &Preset) {
        self.clear();
        self.id.set(Some(p.id.clone()));
        self.dialect.set(p.dialect);
        self.name.set(p.name.clone());
        self.base
            .set(p.resolved_base(&crate::config::page_origin()));
        self.fixed.set(true);
    }

    fn load(&self, c: &ConnectionConfig) {
        self.id.set(Some(c.id.clone()));
        self.dialect.set(c.dialect);
        self.name.set(c.name.clone());
        self.base.set(c.base_url.clone());
        let (user, secret) = match &c.credentials {
            Credentials::Basic { user, password } => (user.clone(), password.clone()),
            Credentials::Bearer { token } => (String::new(), token.clone()),
            Credentials::ApiKey { key } => (String::new(), key.clone()),
            Credentials::Login { username, password } => (username.clone(), password.clone()),
        };
        self.user.set(user);
        self.secret.set(secret);
        let kinds = c.dialect.caps().credentials;
        self.alternative
            .set(kinds.first() != Some(&c.credentials.kind()));
        self.fixed.set(false);
    }

    fn clear(&self) {
        self.id.set(None);
        self.name.set(String::new());
        self.base.set(String::new());
        self.user.set(String::new());
        self.secret.set(String::new());
        self.alternative.set(false);
        self.fixed.set(false);
    }

    /// The kind of credentials the form asks for now.
    fn kind(&self, tracked: bool) -> CredentialKind {
        let (dialect, alt) = if tracked {
            (self.dialect.get(), self.alternative.get())
        } else {
            (
                self.dialect.get_untracked(),
                self.alternative.get_untracked(),
            )
        };
        let kinds = dialect.caps().credentials;
        let pick = if alt { kinds.get(1) } else { kinds.first() };
        pick.copied().unwrap_or(CredentialKind::Basic)
    }

    fn credentials(&self) -> Credentials {
        let (user, secret) = (self.user.get_untracked(), self.secret.get_untracked());
        match Credentials::blank(self.kind(false)) {
            Credentials::Basic { .. } => Credentials::Basic {
                user,
                password: secret,
            },
            Credentials::Bearer { .. } => Credentials::Bearer { token: secret },
            Credentials::ApiKey { .. } => Credentials::ApiKey { key: secret },
            Credentials::Login { .. } => Credentials::Login {
                username: user,
                password: secret,
            },
        }
    }

    fn to_config(self) -> ConnectionConfig {
        let dialect = self.dialect.get_untracked();
        ConnectionConfig {
            id: self.id.get_untracked().unwrap_or_else(|| {
                ConnId::new(format!("{}-{:x}", dialect.slug(), crate::now_ms()))
            }),
            name: self.name.get_untracked().trim().to_string(),
            dialect,
            base_url: self.base.get_untracked().trim().to_string(),
            credentials: self.credentials(),
            demo: false,
        }
    }
}

fn dialect_from(slug: &str) -> DialectKind {
    DialectKind::ALL
        .iter()
        .copied()
        .find(|d| d.slug() == slug)
        .unwrap_or(DialectKind::Cloudsfor)
}

/// Saves the settings (where the user asked) and applies them — unless another tab signed out
/// since this tab read them: then this tab signs out too, and nothing is written back.
fn persist(settings: RwSignal<Settings>, notices: Notices, s: Settings) {
    match storage::save(&s) {
        Ok(()) => settings.set(s),
        Err(told) => {
            settings.set(storage::signed_out_elsewhere(told));
            let note = StorageNote::SignedOutElsewhere;
            notices.say(note.tone(), note.to_string());
        }
    }
}

/// Reads the site's `config.json` once: a file that cannot be used is told; its target lag goes
/// to the policy before any connection is set; with no demo and nothing configured yet, Settings
/// opens on the site's presets. `None` until read.
/// `read`: the file as already read (by `start()`, before mounting): applied at once.
pub fn load_site(
    console: Console,
    settings: RwSignal<Settings>,
    settings_open: RwSignal<bool>,
    read: Option<(SiteConfig, Option<SiteError>)>,
) -> RwSignal<Option<SiteConfig>> {
    let site = RwSignal::new(None);
    let apply = move |(cfg, err): (SiteConfig, Option<SiteError>)| {
        if let Some(e) = err {
            console.notices.say(Tone::Error, e.to_string());
        }
        if let Some(lag) = cfg.target_lag {
            console.driver.set_target_lag(lag);
        }
        let nothing_yet = settings
            .try_with_untracked(|s| s.connections.is_empty() && !storage::locked(s))
            .unwrap_or(false);
        if !cfg.demo && !cfg.presets.is_empty() && nothing_yet {
            settings_open.try_set(true);
        }
        site.try_set(Some(cfg));
    };
    match read {
        Some(read) => apply(read),
        None => leptos::task::spawn_local(async move {
            apply(crate::config::fetch_site().await);
        }),
    }
    site
}

#[component]
pub fn SettingsPanel(
    settings: RwSignal<Settings>,
    site: RwSignal<Option<SiteConfig>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let notices = expect_context::<Notices>();
    let draft = Draft::new();
    let remove = move |id: ConnId| {
        let mut s = settings.get_untracked();
        s.connections.retain(|c| c.id != id);
        persist(settings, notices, s);
        if draft.id.get_untracked().as_ref() == Some(&id) {
            draft.clear();
        }
    };
    view! {
        <section class="panel settings" aria-labelledby="settings-h">
            <div class="settings-head">
                <h2 id="settings-h">{Label::ProviderConnections.text()}</h2>
                <button class="btn" on:click=move |_| on_close.run(())>{Label::Close.text()}</button>
            </div>
            <p class="hint">{Label::CredentialsStay.text()}</p>
            <ul class="conn-list">
                <For each=move || settings.get().connections key=|c| c.id.clone() let:c>
                    {
                        let id_remove = c.id.clone();
                        let c2 = c.clone();
                        view! {
                            <li>
                                <span><strong>{c.name.clone()}</strong> " · " {c.dialect.label()} " · " <code>{c.base_url.clone()}</code></span>
                                <span class="row-actions">
                                    <button class="btn small" aria-label=words::on(Label::Edit.text(), &c.name)
                                        on:click=move |_| draft.load(&c2)>{Label::Edit.text()}</button>
                                    <button class="btn small danger" aria-label=words::on(Label::Remove.text(), &c.name)
                                        on:click=move |_| remove(id_remove.clone())>{Label::Remove.text()}</button>
                                </span>
                            </li>
                        }
                    }
                </For>
            </ul>
            <Presets settings site draft/>
            <ConnForm settings draft/>
            <Options settings site/>
        </section>
    }
}

/// The site's presets not used yet: "Use" fills the form, which then asks only for credentials.
#[component]
fn Presets(
    settings: RwSignal<Settings>,
    site: RwSignal<Option<SiteConfig>>,
    draft: Draft,
) -> impl IntoView {
    let unused = Memo::new(move |_| {
        let used: Vec<ConnId> =
            settings.with(|s| s.connections.iter().map(|c| c.id.clone()).collect());
        site.with(|c| {
            c.iter()
                .flat_map(|c| c.presets.iter())
                .filter(|p| !used.contains(&p.id))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || unused.with(|u| !u.is_empty())>
            <div class="presets">
                <h3>{SiteLabel::Offered.text()}</h3>
                <p class="hint">{SiteLabel::OfferedHint.text()}</p>
                <ul class="conn-list">
                    <For each=move || unused.get() key=|p| p.id.clone() let:p>
                        {
                            let chosen = p.clone();
                            view! {
                                <li data-preset=p.id.as_str().to_string() data-dialect=p.dialect.slug()>
                                    <span><strong>{p.name.clone()}</strong> " · " {p.dialect.label()} " · " <code>{p.base_url.clone()}</code></span>
                                    <span class="row-actions">
                                        <button class="btn small" aria-label=words::on(SiteLabel::Use.text(), &p.name)
                                            on:click=move |_| draft.load_preset(&chosen)>{SiteLabel::Use.text()}</button>
                                    </span>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </div>
        </Show>
    }
}

/// "Add a connection" (or edit one): provider, name, base URL and the provider's credentials.
#[component]
fn ConnForm(settings: RwSignal<Settings>, draft: Draft) -> impl IntoView {
    let notices = expect_context::<Notices>();
    let error = RwSignal::new(None::<String>);
    let editing = move || draft.id.get().is_some() && !draft.fixed.get();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cfg = draft.to_config();
        if let Err(e) = cfg.validate() {
            // Whatever was typed stays in the form.
            error.set(Some(e.to_string()));
            return;
        }
        error.set(None);
        let mut s = settings.get_untracked();
        match s.connections.iter_mut().find(|c| c.id == cfg.id) {
            Some(slot) => *slot = cfg,
            None => s.connections.push(cfg),
        }
        persist(settings, notices, s);
        draft.clear();
    };
    view! {
        <form class="conn-form" on:submit=submit novalidate>
            <h3>{move || if draft.fixed.get() {
                words::credentials_for(&draft.name.get())
            } else if editing() {
                Label::EditConnection.text().to_string()
            } else {
                Label::AddAConnection.text().to_string()
            }}</h3>
            <Show when=move || !draft.fixed.get()>
            <label>{Label::Provider.text()}
                <select name="dialect" on:change=move |ev| {
                    draft.dialect.set(dialect_from(&event_target_value(&ev)));
                    draft.alternative.set(false);
                }>
                    {DialectKind::ALL.iter().map(|d| view! {
                        <option value=d.slug() selected=move || draft.dialect.get() == *d>{d.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{Label::Name.text()}
                <input type="text" name="name" placeholder=Label::NamePlaceholder.text()
                    prop:value=move || draft.name.get()
                    on:input=move |ev| draft.name.set(event_target_value(&ev))/>
            </label>
            <label>{Label::BaseUrl.text()}
                <input type="url" name="base" placeholder=move || draft.dialect.get().caps().example_base
                    prop:value=move || draft.base.get()
                    on:input=move |ev| draft.base.set(event_target_value(&ev))/>
            </label>
            </Show>
            <CredentialFields draft/>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="row-actions">
                <button type="submit" class="btn primary">
                    {move || if editing() { Label::SaveConnection.text() } else { Label::AddConnection.text() }}
                </button>
                <Show when=move || editing() || draft.fixed.get()>
                    <button type="button" class="btn" on:click=move |_| draft.clear()>{Label::CancelEdit.text()}</button>
                </Show>
            </div>
        </form>
    }
}

/// The credentials the provider takes (`Caps::credentials`); where it takes two kinds, a
/// choice between them.
#[component]
fn CredentialFields(draft: Draft) -> impl IntoView {
    move || {
        let kinds = draft.dialect.get().caps().credentials;
        let (user_label, secret_label) = words::credential_fields(draft.kind(true));
        view! {
            {(kinds.len() > 1).then(|| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || draft.alternative.get()
                        on:change=move |ev| draft.alternative.set(event_target_checked(&ev))/>
                    {words::log_in_with(kinds[1], kinds[0])}
                </label>
            })}
            {user_label.map(|l| view! {
                <label>{l}
                    <input type="text" name="user" autocomplete="username"
                        prop:value=move || draft.user.get()
                        on:input=move |ev| draft.user.set(event_target_value(&ev))/>
                </label>
            })}
            <label>{secret_label}
                <input type="password" name="secret" autocomplete="current-password"
                    prop:value=move || draft.secret.get()
                    on:input=move |ev| draft.secret.set(event_target_value(&ev))/>
            </label>
        }
    }
}

/// Where connections are kept (remembered on this device only sealed with a passphrase, asked
/// the first time), and the demo's (where the site offers it).
#[component]
fn Options(settings: RwSignal<Settings>, site: RwSignal<Option<SiteConfig>>) -> impl IntoView {
    let demo_offered = move || site.with(|c| c.as_ref().is_none_or(|c| c.demo));
    let notices = expect_context::<Notices>();
    // Remembering, with the passphrase not typed in this tab yet (it was reloaded): asked again,
    // so that what changes here is sealed too.
    let asking =
        RwSignal::new(settings.with_untracked(|s| s.remember) && !storage::has_passphrase());
    let pass = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let remember = move |on: bool| {
        asking.set(on && !storage::has_passphrase());
        if !asking.get_untracked() {
            let mut s = settings.get_untracked();
            s.remember = on;
            persist(settings, notices, s);
        }
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (p, a) = (pass.get_untracked(), again.get_untracked());
        if let Err(why) = saved::check_passphrase(&p, &a) {
            error.set(Some(why.to_string()));
            return;
        }
        storage::set_passphrase(p);
        pass.set(String::new());
        again.set(String::new());
        error.set(None);
        remember(true);
    };
    let field = |label: Label, name: &'static str, value: RwSignal<String>| {
        view! {
            <label>{label.text()}
                <input type="password" name=name autocomplete="new-password"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <div class="settings-options">
            <label class="check">
                <input type="checkbox" name="remember"
                    prop:checked=move || settings.with(|s| s.remember) || asking.get()
                    on:change=move |ev| remember(event_target_checked(&ev))/>
                {Label::RememberConnections.text()}
            </label>
            <Show when=move || asking.get()>
                <form class="passphrase" on:submit=confirm novalidate>
                    {field(Label::Passphrase, "passphrase", pass)}
                    {field(Label::PassphraseAgain, "passphrase-again", again)}
                    <Show when=move || error.get().is_some()>
                        <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                    </Show>
                    <button type="submit" class="btn primary">{Label::RememberWithPassphrase.text()}</button>
                </form>
            </Show>
            <Show when=demo_offered>
            <label class="check">
                <input type="checkbox" name="show-demo" prop:checked=move || settings.get().show_demo
                    on:change=move |ev| {
                        let mut s = settings.get_untracked();
                        s.show_demo = event_target_checked(&ev);
                        persist(settings, notices, s);
                    }/>
                {Label::ShowDemo.text()}
            </label>
            </Show>
        </div>
    }
}

/// Connections remembered on this device, until this tab unlocks them with the passphrase (or
/// forgets them).
#[component]
pub fn UnlockRemembered(settings: RwSignal<Settings>) -> impl IntoView {
    let locked = Memo::new(move |_| settings.with(storage::locked));
    let forgotten = RwSignal::new(false);
    let pass = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match storage::unlock(pass.get_untracked()).await {
                Ok(s) => {
                    pass.try_set(String::new());
                    error.try_set(None);
                    settings.try_set(s);
                }
                Err(why) => {
                    error.try_set(Some(why.to_string()));
                }
            }
            busy.try_set(false);
        });
    };
    let forget = move |_| {
        storage::forget_remembered();
        forgotten.set(true);
    };
    view! {
        <Show when=move || locked.get() && !forgotten.get()>
            <form class="unlock" on:submit=unlock novalidate aria-label=Label::Unlock.text()>
                <p>{Label::Locked.text()}</p>
                <label>{Label::Passphrase.text()}
                    <input type="password" name="unlock-passphrase" autocomplete="current-password"
                        prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="btn primary" disabled=move || busy.get()>{Label::Unlock.text()}</button>
                <button type="button" class="btn" on:click=forget>{Label::ForgetRemembered.text()}</button>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
            </form>
        </Show>
    }
}
