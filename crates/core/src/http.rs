//! Requests and responses as plain values. The shell carries them; this crate never does.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }
}

/// A request the engine wants sent. Headers may carry credentials: never log a request whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    /// Whether a browser's `fetch` can carry every header as it is: names are tokens, values
    /// Latin-1 without NUL, CR or LF. A request that cannot is not sent: the shell answers it
    /// with a network error rather than throwing.
    pub fn headers_sendable(&self) -> bool {
        let name_ok = |n: &str| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        };
        let value_ok = |v: &str| {
            v.chars()
                .all(|c| u32::from(c) <= 0xFF && !matches!(c, '\0' | '\r' | '\n'))
        };
        self.headers.iter().all(|(n, v)| name_ok(n) && value_ok(v))
    }

    pub fn get(url: impl Into<String>) -> Self {
        HttpRequest {
            method: Method::Get,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn with_json(mut self, method: Method, body: &serde_json::Value) -> Self {
        self.method = method;
        self.body = Some(body.to_string());
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// What may be shown or logged: method and URL, never headers or body.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method.as_str(), self.url)
    }
}

/// A response as the shell received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Header lookup, case-insensitive as HTTP says.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The request did not produce a response: refused, dropped, timed out, or blocked (CORS, offline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetError(pub String);

/// `base64` of `user:password`, for HTTP Basic.
pub fn basic_auth(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Percent-encodes one path segment or query value (RFC 3986 unreserved characters pass).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Joins a configured base URL and a path, with exactly one `/` between them.
pub fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_matches_the_documented_header() {
        // The cloudsfor documents show `Basic dXNlcm5hbWU6cGFzc3dvcmQ=` for username:password.
        assert_eq!(
            basic_auth("username", "password"),
            "Basic dXNlcm5hbWU6cGFzc3dvcmQ="
        );
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(encode_component("web 01/a?b"), "web%2001%2Fa%3Fb");
        assert_eq!(join("https://x/api/v1/", "/vms"), "https://x/api/v1/vms");
    }

    #[test]
    fn headers_are_case_insensitive() {
        let r = HttpResponse::new(429, "").with_header("Retry-After", "7");
        assert_eq!(r.header("retry-after"), Some("7"));
    }
}
