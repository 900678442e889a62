//! Errors met talking to a provider, as typed values: what kind, the HTTP status, the provider's
//! own text. [`crate::words`] says them in English.

use serde::{Deserialize, Serialize};

use crate::http::{HttpResponse, NetError};
use crate::json;
use crate::time::{Millis, SECOND};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// No response at all (network down, CORS, connection dropped).
    Network,
    /// 401: the credentials were refused.
    Unauthorized,
    /// 403: the credentials may not do this (a role, a missing add-on).
    Forbidden,
    /// 403 to a snapshot or backup request where the provider sells them as a paid add-on
    /// (ONETSolutions): the add-on is not active on this VM.
    NeedsAddon,
    /// A login flow refused the username or password.
    LoginRefused,
    /// 404.
    NotFound,
    /// 409/422/423/417/413…: the provider refused this request in the VM's current state.
    Conflict,
    /// Other 4xx: the request itself was wrong.
    Invalid,
    /// 429.
    RateLimited,
    /// 5xx.
    Server,
    /// A 2xx whose body could not be understood.
    BadResponse,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub status: Option<u16>,
    /// What went wrong beyond the kind: the transport's words for a network failure, what
    /// could not be read for a bad answer. Never contains credentials.
    #[serde(default)]
    pub detail: Option<String>,
    /// What the provider said, verbatim (its `message`, `detail`, `error`…), when it said
    /// anything; at most [`MAX_PROVIDER_TEXT`] bytes.
    pub provider_text: Option<String>,
    /// How long the provider asked us to wait (`Retry-After`, `ratelimit-reset`), at most
    /// [`MAX_RETRY_AFTER`].
    pub retry_after: Option<Millis>,
}

/// The longest wait a provider's `Retry-After` or `ratelimit-reset` is taken for.
pub const MAX_RETRY_AFTER: Millis = 10 * crate::time::MINUTE;

/// How much of a provider's own text is kept.
pub const MAX_PROVIDER_TEXT: usize = 1024;

/// `s` cut to at most `max` bytes on a character boundary, with `…` when cut.
pub fn cap_text(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl ApiError {
    pub fn new(kind: ErrorKind) -> Self {
        ApiError {
            kind,
            status: None,
            detail: None,
            provider_text: None,
            retry_after: None,
        }
    }

    pub fn network(e: &NetError) -> Self {
        ApiError {
            detail: Some(cap_text(&e.0, 200)),
            ..ApiError::new(ErrorKind::Network)
        }
    }

    pub fn bad_response(what: &str, detail: impl std::fmt::Display) -> Self {
        ApiError {
            detail: Some(cap_text(&format!("{what}: {detail}"), 300)),
            ..ApiError::new(ErrorKind::BadResponse)
        }
    }

    /// Maps a non-2xx response. `provider_keys` lists the body fields that hold the provider's own
    /// text, in order of preference (each dialect has its own: `message`, `detail`, `error`…).
    pub fn from_response(resp: &HttpResponse, provider_keys: &[&str], now: Millis) -> Self {
        let provider_text = json::parse_lenient(&resp.body).ok().and_then(|v| {
            // The text may sit at the top level or inside a `result` envelope (Erigones).
            let scopes = [Some(&v), v.get("result")];
            scopes.into_iter().flatten().find_map(|scope| {
                provider_keys
                    .iter()
                    .find_map(|k| json::text(scope, k).filter(|s| !s.trim().is_empty()))
            })
        });
        let provider_text = provider_text.or_else(|| {
            let t = resp.body.trim();
            (!t.is_empty() && t.len() <= 300 && !t.starts_with('<') && !t.starts_with('{'))
                .then(|| t.to_string())
        });
        let kind = match resp.status {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 | 410 => ErrorKind::NotFound,
            409 | 413 | 417 | 422 | 423 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Invalid,
        };
        ApiError {
            kind,
            status: Some(resp.status),
            detail: None,
            provider_text: provider_text.map(|t| cap_text(&t, MAX_PROVIDER_TEXT)),
            retry_after: retry_after(resp, now),
        }
    }

    /// Worth trying the same read again later (not a verdict on the request itself).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network
                | ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::BadResponse
        )
    }
}

/// `Retry-After` (seconds, or an HTTP date we cannot parse → 30 s), else a `ratelimit-reset`
/// (epoch seconds or a delta) when nothing remains; never more than [`MAX_RETRY_AFTER`], and
/// hostile values (`1e300`, negative, huge) saturate instead of overflowing.
pub fn retry_after(resp: &HttpResponse, now: Millis) -> Option<Millis> {
    if let Some(v) = resp.header("retry-after") {
        let wait = match v.trim().parse::<f64>() {
            Ok(s) if s.is_finite() => (s.clamp(0.0, 1e9) * 1000.0) as Millis,
            Ok(_) => MAX_RETRY_AFTER,
            Err(_) => 30 * SECOND,
        };
        return Some(wait.min(MAX_RETRY_AFTER));
    }
    let remaining = resp
        .header("ratelimit-remaining")?
        .trim()
        .parse::<i64>()
        .ok()?;
    if remaining > 0 {
        return None;
    }
    let reset = resp.header("ratelimit-reset")?.trim().parse::<i64>().ok()?;
    // Either an epoch timestamp (seconds) or a delta; both are in use in the wild.
    let wait = if reset > 1_000_000_000 {
        reset.saturating_mul(1000).saturating_sub(now)
    } else {
        reset.saturating_mul(1000)
    };
    Some(wait.clamp(SECOND, MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_providers_text() {
        let r = HttpResponse::new(
            422,
            r#"{"id": "unprocessable_entity", "message": "Droplet is currently locked",}"#,
        );
        let e = ApiError::from_response(&r, &["message"], 0);
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(
            e.provider_text.as_deref(),
            Some("Droplet is currently locked")
        );
        assert_eq!(e.status, Some(422));
    }

    #[test]
    fn html_error_pages_are_not_quoted() {
        let r = HttpResponse::new(502, "<html><body>Bad gateway</body></html>");
        let e = ApiError::from_response(&r, &["message"], 0);
        assert_eq!(e.kind, ErrorKind::Server);
        assert_eq!(e.provider_text, None);
        assert!(e.is_transient());
    }

    #[test]
    fn retry_after_seconds_and_ratelimit_reset() {
        let r = HttpResponse::new(429, "").with_header("Retry-After", "7");
        assert_eq!(retry_after(&r, 0), Some(7_000));
        let r = HttpResponse::new(429, "")
            .with_header("ratelimit-remaining", "0")
            .with_header("ratelimit-reset", "1700000060");
        assert_eq!(retry_after(&r, 1_700_000_000_000), Some(60_000));
        let r = HttpResponse::new(200, "").with_header("ratelimit-remaining", "10");
        assert_eq!(retry_after(&r, 0), None);
    }
}
