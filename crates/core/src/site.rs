//! A deployment's site configuration: `config.json` beside `index.html`.
//!
//! A hosting provider deploys the same `dist/` with a `config.json` of its own: preset
//! connections (name, provider, base URL — never credentials), whether the demo providers are
//! offered, and the polling policy's target lag. Its customers then type only their token.
//!
//! ```json
//! {"presets":[{"name":"Acme Cloud","provider":"erigones","base_url":"https://api.acme.example/api"}],
//!  "demo":false,"target_lag_s":5}
//! ```
//!
//! A base URL is absolute (`https://…`, `http://…`) or a path on the console's own origin (a
//! relay, `/relay/acme/api`), resolved against the page's origin by [`Preset::connection`].
//! The page hands [`load`] what it fetched: nothing there gives the defaults; a file that
//! cannot be used gives the defaults and a [`SiteError`] to tell the user, never half of it.

use serde_json::Value;

use crate::dialect::{ConnectionConfig, Credentials, DialectKind};
use crate::ids::ConnId;
use crate::time::Millis;

/// The shortest and longest target lag a site may ask for, in milliseconds.
pub const TARGET_LAG_RANGE: (Millis, Millis) = (500, 60_000);

/// At most this many presets (a console is not a directory).
pub const MAX_PRESETS: usize = 50;

/// What `config.json` says, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteConfig {
    pub presets: Vec<Preset>,
    /// The demo providers are offered (default: yes).
    pub demo: bool,
    /// The policy's target lag; `None`: Vigil's default.
    pub target_lag: Option<Millis>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            presets: Vec::new(),
            demo: true,
            target_lag: None,
        }
    }
}

impl SiteConfig {
    /// Whether the demo connections show beside `configured` connections of the user's: only
    /// where the site offers the demo, and then when nothing is configured or the user asked to
    /// see the demo too (`also_demo`).
    pub fn shows_demo(&self, configured: usize, also_demo: bool) -> bool {
        self.demo && (configured == 0 || also_demo)
    }
}

/// A connection the site offers: everything but the credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Stable across loads (from the name), so that a connection made from it is recognised.
    pub id: ConnId,
    pub name: String,
    pub dialect: DialectKind,
    /// As written: absolute, or a path on the console's origin.
    pub base_url: String,
}

impl Preset {
    /// The base URL to send to: a path is put on `page_origin` (`https://console.example`).
    pub fn resolved_base(&self, page_origin: &str) -> String {
        resolve(&self.base_url, page_origin)
    }

    /// The connection this preset makes with the user's credentials.
    pub fn connection(&self, page_origin: &str, credentials: Credentials) -> ConnectionConfig {
        ConnectionConfig {
            id: self.id.clone(),
            name: self.name.clone(),
            dialect: self.dialect,
            base_url: self.resolved_base(page_origin),
            credentials,
            demo: false,
        }
    }
}

/// `base` as an absolute URL: a path (`/relay/acme/`) on `page_origin`, anything else as it is.
pub fn resolve(base: &str, page_origin: &str) -> String {
    let base = base.trim();
    if base.starts_with('/') {
        format!("{}{}", page_origin.trim_end_matches('/'), base)
    } else {
        base.to_string()
    }
}

/// Why `config.json` cannot be used (the console then runs on its defaults).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteError {
    /// Not JSON at all (`detail`: the parser's position).
    NotJson { detail: String },
    /// JSON, but not an object at the top.
    NotAnObject,
    /// A key that would carry credentials (at `path`, e.g. `presets[0].token`): refused whole,
    /// since such a file is readable by anyone who can load the console.
    Credentials { path: String },
    /// A key Vigil does not know (a typo would otherwise be silently ignored).
    UnknownKey { path: String },
    /// A value of the wrong type (`expected`: what it must be).
    WrongType { path: String, expected: Expected },
    /// No provider of that name.
    Provider { index: usize, given: String },
    /// A preset's name is missing or empty.
    NameMissing { index: usize },
    /// Two presets share a name.
    DuplicateName { name: String },
    /// A preset's base URL cannot be used.
    BaseUrl {
        index: usize,
        given: String,
        why: BaseUrlProblem,
    },
    /// The target lag is outside [`TARGET_LAG_RANGE`] (in seconds as given).
    TargetLag { given: String },
    /// More than [`MAX_PRESETS`] presets.
    TooManyPresets { count: usize },
}

/// The type a value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    List,
    Object,
    Text,
    YesNo,
    Number,
}

/// What is wrong with a preset's base URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseUrlProblem {
    /// Neither `https://`, `http://` nor a path starting with `/`.
    Scheme,
    /// `//host/…`: another origin without a scheme.
    ProtocolRelative,
    /// Spaces or control characters.
    Spaces,
    /// `user@host`: credentials in the URL.
    Credentials,
    /// A query or fragment (`?`, `#`): where tokens hide.
    Query,
}

/// What the page fetched at `./config.json`: nothing there (`404`, a network error) or a body.
pub fn load(body: Option<&str>) -> (SiteConfig, Option<SiteError>) {
    match body.map(parse) {
        None => (SiteConfig::default(), None),
        Some(Ok(cfg)) => (cfg, None),
        Some(Err(e)) => (SiteConfig::default(), Some(e)),
    }
}

/// Reads and checks a `config.json`.
pub fn parse(text: &str) -> Result<SiteConfig, SiteError> {
    let value: Value = serde_json::from_str(text).map_err(|e| SiteError::NotJson {
        detail: format!("line {}, column {}", e.line(), e.column()),
    })?;
    // Credentials first, anywhere in the file: they are the worst thing it can hold.
    refuse_credentials(&value, String::new())?;
    let top = value.as_object().ok_or(SiteError::NotAnObject)?;
    let mut cfg = SiteConfig::default();
    for (key, v) in top {
        match key.as_str() {
            "presets" => cfg.presets = presets(v)?,
            "demo" => {
                cfg.demo = v.as_bool().ok_or_else(|| wrong("demo", Expected::YesNo))?;
            }
            "target_lag_s" => cfg.target_lag = Some(target_lag(v)?),
            _ => return Err(SiteError::UnknownKey { path: key.clone() }),
        }
    }
    Ok(cfg)
}

fn wrong(path: &str, expected: Expected) -> SiteError {
    SiteError::WrongType {
        path: path.to_string(),
        expected,
    }
}

/// Key names that carry credentials, compared without case, `-` and `_`.
const CREDENTIAL_WORDS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "secret",
    "key",
    "credential",
    "auth",
    "bearer",
    "cookie",
    "session",
    "user",
    "login",
];

fn looks_like_credentials(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    CREDENTIAL_WORDS.iter().any(|w| k.contains(w))
}

fn refuse_credentials(v: &Value, path: String) -> Result<(), SiteError> {
    match v {
        Value::Object(map) => {
            for (k, inner) in map {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if looks_like_credentials(k) {
                    return Err(SiteError::Credentials { path: here });
                }
                refuse_credentials(inner, here)?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, inner)| refuse_credentials(inner, format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

fn target_lag(v: &Value) -> Result<Millis, SiteError> {
    let secs = v
        .as_f64()
        .ok_or_else(|| wrong("target_lag_s", Expected::Number))?;
    let ms = (secs * 1000.0).round();
    let (lo, hi) = TARGET_LAG_RANGE;
    if !(lo as f64..=hi as f64).contains(&ms) {
        return Err(SiteError::TargetLag {
            given: v.to_string(),
        });
    }
    Ok(ms as Millis)
}

fn presets(v: &Value) -> Result<Vec<Preset>, SiteError> {
    let items = v
        .as_array()
        .ok_or_else(|| wrong("presets", Expected::List))?;
    if items.len() > MAX_PRESETS {
        return Err(SiteError::TooManyPresets { count: items.len() });
    }
    let mut out: Vec<Preset> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let p = preset(index, item)?;
        if out
            .iter()
            .any(|q| q.id == p.id || q.name.eq_ignore_ascii_case(&p.name))
        {
            return Err(SiteError::DuplicateName { name: p.name });
        }
        out.push(p);
    }
    Ok(out)
}

fn preset(index: usize, v: &Value) -> Result<Preset, SiteError> {
    let at = |key: &str| format!("presets[{index}].{key}");
    let map = v
        .as_object()
        .ok_or_else(|| wrong(&format!("presets[{index}]"), Expected::Object))?;
    let text = |key: &str| -> Result<Option<String>, SiteError> {
        match map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(wrong(&at(key), Expected::Text)),
        }
    };
    if let Some(key) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "provider" | "base_url"))
    {
        return Err(SiteError::UnknownKey { path: at(key) });
    }
    let name = text("name")?.unwrap_or_default();
    if name.is_empty() {
        return Err(SiteError::NameMissing { index });
    }
    let given = text("provider")?.unwrap_or_default();
    let dialect = DialectKind::ALL
        .iter()
        .copied()
        .find(|d| d.slug().eq_ignore_ascii_case(&given))
        .ok_or(SiteError::Provider { index, given })?;
    let base_url = text("base_url")?.unwrap_or_default();
    if let Err(why) = check_base(&base_url) {
        return Err(SiteError::BaseUrl {
            index,
            given: base_url,
            why,
        });
    }
    Ok(Preset {
        id: ConnId::new(format!("site-{}", slug(&name))),
        name,
        dialect,
        base_url,
    })
}

/// A name as an id: lowercase letters and digits, the rest as `-`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        // A name of other letters only: its characters' code points keep it stable.
        name.chars()
            .map(|c| format!("{:x}", u32::from(c)))
            .collect()
    } else {
        trimmed.to_string()
    }
}

fn check_base(url: &str) -> Result<(), BaseUrlProblem> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(BaseUrlProblem::Spaces);
    }
    if url.starts_with("//") {
        return Err(BaseUrlProblem::ProtocolRelative);
    }
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        r
    } else if url.starts_with('/') {
        url
    } else {
        return Err(BaseUrlProblem::Scheme);
    };
    if url.contains('?') || url.contains('#') {
        return Err(BaseUrlProblem::Query);
    }
    if url.contains('@') {
        return Err(BaseUrlProblem::Credentials);
    }
    if rest.split('/').next().unwrap_or("").is_empty() && !url.starts_with('/') {
        return Err(BaseUrlProblem::Scheme);
    }
    Ok(())
}
