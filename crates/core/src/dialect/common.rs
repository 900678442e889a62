//! What every dialect shares: credentials, where requests go, reading a JSON answer.

use serde::{Deserialize, Serialize};

use crate::dialect::{CredentialKind, DialectKind};
use crate::error::ApiError;
use crate::http::{basic_auth, join, HttpRequest, HttpResponse, Method};
use crate::ids::ConnId;
use crate::json::{parse_lenient, uint};
use crate::model::{is_invisible, Address, PointKind, Target, Vm};
use crate::time::Millis;
use crate::words::Refusal;

/// Secrets. `Debug` never prints them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credentials {
    /// HTTP Basic (cloudsfor, Hostway).
    Basic { user: String, password: String },
    /// `Authorization: Bearer` (ZennoHosting, ONETSolutions).
    Bearer { token: String },
    /// Erigones' `ES-API-KEY` header.
    ApiKey { key: String },
    /// Erigones' login flow: `POST /accounts/login` for a token valid one hour.
    Login { username: String, password: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            Credentials::Bearer { .. } => write!(f, "Bearer(***)"),
            Credentials::ApiKey { .. } => write!(f, "ApiKey(***)"),
            Credentials::Login { username, .. } => write!(f, "Login({username}, ***)"),
        }
    }
}

impl Credentials {
    /// Empty credentials of a kind, for the settings form.
    pub fn blank(kind: CredentialKind) -> Credentials {
        match kind {
            CredentialKind::Basic => Credentials::Basic {
                user: String::new(),
                password: String::new(),
            },
            CredentialKind::Bearer => Credentials::Bearer {
                token: String::new(),
            },
            CredentialKind::ApiKey => Credentials::ApiKey { key: String::new() },
            CredentialKind::Login => Credentials::Login {
                username: String::new(),
                password: String::new(),
            },
        }
    }

    pub fn kind(&self) -> CredentialKind {
        match self {
            Credentials::Basic { .. } => CredentialKind::Basic,
            Credentials::Bearer { .. } => CredentialKind::Bearer,
            Credentials::ApiKey { .. } => CredentialKind::ApiKey,
            Credentials::Login { .. } => CredentialKind::Login,
        }
    }

    pub fn is_complete(&self) -> bool {
        match self {
            Credentials::Basic { user, password } => {
                !user.trim().is_empty() && !password.is_empty()
            }
            Credentials::Bearer { token } => !token.trim().is_empty(),
            Credentials::ApiKey { key } => !key.trim().is_empty(),
            Credentials::Login { username, password } => {
                !username.trim().is_empty() && !password.is_empty()
            }
        }
    }

    /// Refuses what a request header cannot carry: a character outside visible ASCII in a token
    /// or key (a zero-width space or a line break pasted with it), a control character or `:`
    /// in a Basic user name (the user ends at the first `:`).
    pub fn check(&self) -> Result<(), Refusal> {
        let kind = self.kind();
        let bad = |text: &str, secret: bool, ok: &dyn Fn(char) -> bool| match text
            .trim()
            .chars()
            .enumerate()
            .find(|(_, c)| !ok(*c))
        {
            Some((i, c)) => Err(Refusal::CredentialCharacter {
                kind,
                secret,
                code: u32::from(c),
                position: i + 1,
            }),
            None => Ok(()),
        };
        let visible_ascii = |c: char| c.is_ascii_graphic();
        match self {
            Credentials::Basic { user, password } => {
                if user.contains(':') {
                    return Err(Refusal::ColonInUser);
                }
                bad(user, false, &|c| !c.is_control() && !is_invisible(c))?;
                bad(password, true, &|c| !c.is_control())
            }
            Credentials::Bearer { token } => bad(token, true, &visible_ascii),
            Credentials::ApiKey { key } => bad(key, true, &visible_ascii),
            Credentials::Login { username, password } => {
                bad(username, false, &|c| !c.is_control() && !is_invisible(c))?;
                bad(password, true, &|c| !c.is_control())
            }
        }
    }

    /// Adds the credentials' header. `session` is a login token, where the flow has one.
    pub fn authorize(&self, req: HttpRequest, session: Option<&str>) -> HttpRequest {
        match self {
            Credentials::Basic { user, password } => {
                req.header("Authorization", basic_auth(user.trim(), password))
            }
            Credentials::Bearer { token } => {
                req.header("Authorization", format!("Bearer {}", token.trim()))
            }
            Credentials::ApiKey { key } => req.header("ES-API-KEY", key.trim()),
            Credentials::Login { .. } => match session {
                Some(token) => req.header("Authorization", format!("Token {token}")),
                None => req,
            },
        }
    }
}

/// One provider account the console talks to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionConfig {
    /// Stable local id (also the key operations refer to).
    pub id: ConnId,
    pub name: String,
    pub dialect: DialectKind,
    /// e.g. `https://cloudsfor.com/api/v1`.
    pub base_url: String,
    pub credentials: Credentials,
    /// Runs on the simulator inside the page.
    pub demo: bool,
}

impl ConnectionConfig {
    /// Checks what a user typed into the settings form.
    pub fn validate(&self) -> Result<(), Refusal> {
        if self.name.trim().is_empty() {
            return Err(Refusal::ConnectionNameMissing);
        }
        let url = self.base_url.trim();
        let scheme_ok = url.starts_with("https://")
            || url.starts_with("http://")
            || (self.demo && url.starts_with("demo://"));
        if !scheme_ok {
            return Err(Refusal::BaseUrlScheme);
        }
        if url.contains(char::is_whitespace) {
            return Err(Refusal::BaseUrlSpaces);
        }
        if url.contains('@') {
            return Err(Refusal::CredentialsInUrl);
        }
        if !self.credentials.is_complete() {
            return Err(Refusal::CredentialsIncomplete);
        }
        self.credentials.check()
    }

    pub fn api(&self) -> Box<dyn super::Dialect> {
        let (base, creds) = (self.base_url.trim(), self.credentials.clone());
        match self.dialect {
            DialectKind::ZennoHosting => Box::new(super::zenno::Zenno::new(base, creds)),
            DialectKind::Cloudsfor => Box::new(super::cloudsfor::Cloudsfor::new(base, creds)),
            DialectKind::Erigones => Box::new(super::erigones::Erigones::new(base, creds)),
            DialectKind::OnetSolutions => Box::new(super::onet::Onet::new(base, creds)),
            DialectKind::Hostway => Box::new(super::hostway::Hostway::new(base, creds)),
        }
    }
}

/// Where a dialect's requests go, and with which credentials.
pub(crate) struct Endpoint {
    pub base: String,
    pub credentials: Credentials,
    /// A login session's token, where the credentials use one.
    pub session: Option<String>,
}

impl Endpoint {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Endpoint {
            base: base.to_string(),
            credentials,
            session: None,
        }
    }

    /// A GET of `path` below the base, with the credentials and `Accept: application/json`.
    pub fn get(&self, path: &str) -> HttpRequest {
        self.credentials
            .authorize(
                HttpRequest::get(join(&self.base, path)),
                self.session.as_deref(),
            )
            .header("Accept", "application/json")
    }

    /// A GET of a URL the provider gave (a next page's link, resolved), with the credentials
    /// only where it is on the configured base's origin.
    pub fn get_url(&self, url: &str) -> HttpRequest {
        let req = HttpRequest::get(url.to_string()).header("Accept", "application/json");
        if super::links::same_origin(url, &self.base) {
            self.credentials.authorize(req, self.session.as_deref())
        } else {
            req
        }
    }

    /// The link a provider gave for the next page of an answer to `request_url`, to follow as
    /// given: resolved against that URL where relative. One on another origin than the
    /// configured base (scheme, host, port) is refused — the credentials go only there, and the
    /// sheets say nothing of links to elsewhere — so the listing ends with a clear error
    /// rather than read a partial list as complete.
    pub fn next_link(&self, request_url: &str, link: &str, what: &str) -> Result<String, ApiError> {
        let url = super::links::resolve(request_url, link);
        if super::links::same_origin(&url, &self.base) {
            return Ok(url);
        }
        let elsewhere = super::links::origin(&url)
            .unwrap_or(url.as_str())
            .to_string();
        Err(ApiError::bad_response(
            what,
            format!(
                "its next page is on another host ({elsewhere}) than the one configured; Vigil sends the credentials only there"
            ),
        ))
    }

    /// A request of `method` to `path` below the base, with the credentials, and no body.
    pub fn request(&self, method: Method, path: &str) -> HttpRequest {
        let mut req = self.get(path);
        req.method = method;
        req
    }

    /// A request of `method` to `path` below the base, with the credentials and a JSON body.
    pub fn send(&self, method: Method, path: &str, body: &serde_json::Value) -> HttpRequest {
        self.get(path).with_json(method, body)
    }
}

/// The JSON of a 2xx answer; otherwise the error, keeping the provider's own words found under
/// `error_keys`. Bodies with trailing commas are accepted.
pub(crate) fn json_body(
    resp: &HttpResponse,
    error_keys: &[&str],
    what: &str,
    now: Millis,
) -> Result<serde_json::Value, ApiError> {
    if !resp.is_success() {
        return Err(ApiError::from_response(resp, error_keys, now));
    }
    parse_lenient(&resp.body).map_err(|e| ApiError::bad_response(what, e))
}

/// The word a VM's snapshots or backups go by in paths and keys (cloudsfor, ONETSolutions).
pub(crate) fn points_word(kind: PointKind) -> &'static str {
    match kind {
        PointKind::Snapshot => "snapshots",
        PointKind::Backup => "backups",
    }
}

/// The JSON of a VM's snapshot or backup list (as [`json_body`]), and what the list is called
/// in an error about its body.
pub(crate) fn vm_points_body(
    resp: &HttpResponse,
    error_keys: &[&str],
    kind: PointKind,
    now: Millis,
) -> Result<(serde_json::Value, &'static str), ApiError> {
    let what = match kind {
        PointKind::Snapshot => "the VM's snapshots",
        PointKind::Backup => "the VM's backups",
    };
    Ok((json_body(resp, error_keys, what, now)?, what))
}

/// The `page` number in a pagination link, absolute or not. Links are not followed as given
/// because their host may differ from the configured base (proxies, the in-page demo).
pub(crate) fn page_number(url: &str) -> Option<u32> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

/// The id of the VM an action is about: the target's, else the VM's as last seen; empty for a
/// VM whose id is not known yet (a create).
pub(crate) fn target_vm_id<'a>(target: &'a Target, vm: Option<&'a Vm>) -> &'a str {
    target
        .vm_id()
        .or(vm.map(|v| &v.id))
        .map(|id| id.as_str())
        .unwrap_or("")
}

/// The array under `key` of a JSON answer to `what`, else why it cannot be read.
pub(crate) fn array<'a>(
    v: &'a serde_json::Value,
    key: &str,
    what: &str,
) -> Result<&'a [serde_json::Value], ApiError> {
    v.get(key)
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| ApiError::bad_response(what, format!("no `{key}` array")))
}

/// A count under `key` (also sent as a string), kept within `u32`.
pub(crate) fn uint32(v: &serde_json::Value, key: &str) -> Option<u32> {
    uint(v, key).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// The page number a listing cursor names; the first page without one.
pub(crate) fn page_of(cursor: Option<&str>) -> u32 {
    cursor.and_then(|c| c.trim().parse().ok()).unwrap_or(1)
}

/// One IP address as a provider wrote it (a `/prefix` suffix is dropped); its version is read
/// from its form, which also rejects what is not an address. `None` for anything else.
pub(crate) fn address(ip: &str, public: bool) -> Option<Address> {
    let ip = ip.trim();
    let bare = ip.split_once('/').map_or(ip, |(a, _)| a);
    let version = match bare.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(_) => 4,
        std::net::IpAddr::V6(_) => 6,
    };
    Some(Address {
        ip: bare.to_string(),
        version,
        public,
        reverse_dns: None,
    })
}

/// Addresses as `Vm.addresses` keeps them: public ones first, otherwise in the provider's order,
/// each once.
pub(crate) fn public_first(addresses: impl IntoIterator<Item = Address>) -> Vec<Address> {
    let mut out: Vec<Address> = Vec::new();
    for a in addresses {
        if !out.iter().any(|b| b.ip == a.ip) {
            out.push(a);
        }
    }
    out.sort_by_key(|a| !a.public);
    out
}

/// Whether an address lies in a private, shared, loopback, link-local or unique-local range: for
/// providers that list bare addresses (Erigones' `ips`).
pub(crate) fn is_private_ip(ip: &str) -> bool {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            let [b0, b1, ..] = a.octets();
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || (b0 == 100 && (64..128).contains(&b1))
        }
        Ok(std::net::IpAddr::V6(a)) => {
            let first = a.segments()[0];
            a.is_loopback()
                || a.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// The first of `keys` holding non-empty text (numbers are taken as text).
pub(crate) fn first_text(v: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| {
        crate::json::text(v, k)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_from_their_form_and_public_ones_go_first() {
        let a = |ip: &str, public| address(ip, public);
        assert_eq!(a("203.0.113.7", true).unwrap().version, 4);
        assert_eq!(a(" 2001:db8::1 ", true).unwrap().ip, "2001:db8::1");
        assert_eq!(a("2001:db8::1", true).unwrap().version, 6);
        assert_eq!(a("10.1.2.3/24", false).unwrap().ip, "10.1.2.3");
        assert_eq!(a("", true), None);
        assert_eq!(a("example.com", true), None);
        let ordered = public_first(
            [
                a("10.0.0.1", false),
                a("203.0.113.7", true),
                a("10.0.0.1", false),
                a("2001:db8::1", true),
            ]
            .into_iter()
            .flatten(),
        );
        let ips: Vec<&str> = ordered.iter().map(|a| a.ip.as_str()).collect();
        assert_eq!(ips, ["203.0.113.7", "2001:db8::1", "10.0.0.1"]);
    }

    #[test]
    fn private_ranges_are_told_apart() {
        for ip in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "fd12::1",
            "fe80::1",
            "::1",
        ] {
            assert!(is_private_ip(ip), "{ip}");
        }
        for ip in ["203.0.113.7", "100.128.0.1", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_private_ip(ip), "{ip}");
        }
    }
}
