//! Errors as a user should read them: what happened, in plain words, plus the provider's own text.

use serde::{Deserialize, Serialize};

use crate::http::{HttpResponse, NetError};
use crate::json;
use crate::time::{Millis, SECOND};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// No response at all (network down, CORS, connection dropped).
    Network,
    /// 401/403: the credentials were refused.
    Unauthorized,
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
    /// A sentence for the user. Never contains credentials.
    pub message: String,
    /// What the provider said, verbatim (its `message`, `detail`, `error`…), when it said anything.
    pub provider_text: Option<String>,
    /// How long the provider asked us to wait (`Retry-After`, `ratelimit-reset`).
    pub retry_after: Option<Millis>,
}

impl ApiError {
    pub fn network(e: &NetError) -> Self {
        ApiError {
            kind: ErrorKind::Network,
            status: None,
            message: format!("Could not reach the provider ({}).", e.0),
            provider_text: None,
            retry_after: None,
        }
    }

    pub fn bad_response(what: &str, detail: impl std::fmt::Display) -> Self {
        ApiError {
            kind: ErrorKind::BadResponse,
            status: None,
            message: format!("The provider's answer to {what} could not be read: {detail}."),
            provider_text: None,
            retry_after: None,
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
        let (kind, message) = match resp.status {
            401 => (
                ErrorKind::Unauthorized,
                "The provider refused the credentials (401). Check them in Settings.",
            ),
            403 => (
                ErrorKind::Unauthorized,
                "The provider says these credentials may not do this (403).",
            ),
            404 => (
                ErrorKind::NotFound,
                "The provider does not know this resource (404).",
            ),
            409 | 413 | 417 | 422 | 423 => (
                ErrorKind::Conflict,
                "The provider refused this in the VM's current state.",
            ),
            429 => (
                ErrorKind::RateLimited,
                "The provider's rate limit was reached; Vigil waits before asking again (429).",
            ),
            500..=599 => (
                ErrorKind::Server,
                "The provider had an internal error; Vigil will try again.",
            ),
            _ => (ErrorKind::Invalid, "The provider rejected the request."),
        };
        let mut message = message.to_string();
        if kind == ErrorKind::Conflict || kind == ErrorKind::Invalid {
            message = format!("{} ({})", message.trim_end_matches('.'), resp.status);
        }
        ApiError {
            kind,
            status: Some(resp.status),
            message,
            provider_text,
            retry_after: retry_after(resp, now),
        }
    }

    /// The full sentence: ours, then the provider's in quotes.
    pub fn full(&self) -> String {
        match &self.provider_text {
            Some(t) => format!("{} Provider said: “{}”", self.message, t),
            None => self.message.clone(),
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

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.full())
    }
}

/// `Retry-After` (seconds, or an HTTP date we cannot parse → 30 s), else a `ratelimit-reset`
/// epoch-seconds header when nothing remains.
pub fn retry_after(resp: &HttpResponse, now: Millis) -> Option<Millis> {
    if let Some(v) = resp.header("retry-after") {
        return Some(
            v.trim()
                .parse::<f64>()
                .map(|s| (s.max(0.0) * 1000.0) as Millis)
                .unwrap_or(30 * SECOND),
        );
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
        reset * 1000 - now
    } else {
        reset * 1000
    };
    Some(wait.max(SECOND))
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
        assert!(e.full().contains("(422)"));
        assert!(e.full().contains("Droplet is currently locked"));
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
