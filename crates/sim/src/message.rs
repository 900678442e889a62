//! The HTTP messages the simulator takes and gives: [`Request`], [`Response`], [`Reply`].

use serde_json::Value;

use crate::{b64encode, util, DELAY_HEADER};

/// One HTTP request. `url` is a path (`/cloudsfor/api/v1/vms?page=1`) or an absolute URL
/// (`http://127.0.0.1:8787/…`, `demo://x/…`); scheme and authority are ignored for routing but
/// reused to build absolute links. Header names are matched case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn new(method: &str, url: &str) -> Request {
        Request {
            method: method.to_string(),
            url: url.to_string(),
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub fn get(url: &str) -> Request {
        Request::new("GET", url)
    }

    pub fn post(url: &str, body: &str) -> Request {
        Request::new("POST", url).with_body(body)
    }

    pub fn put(url: &str, body: &str) -> Request {
        Request::new("PUT", url).with_body(body)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn with_body(mut self, body: &str) -> Request {
        self.body = body.to_string();
        if !body.is_empty() && util::header(&self.headers, "content-type").is_none() {
            self.headers
                .push(("Content-Type".to_string(), "application/json".to_string()));
        }
        self
    }

    /// Adds `Authorization: Basic base64(user:password)`.
    pub fn basic(self, user: &str, password: &str) -> Request {
        let v = format!(
            "Basic {}",
            b64encode(format!("{user}:{password}").as_bytes())
        );
        self.with_header("Authorization", &v)
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Request {
        let v = format!("Bearer {token}");
        self.with_header("Authorization", &v)
    }
}

/// One HTTP response. Bodies are JSON unless a fault made them malformed, or empty (Hostway 202).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        util::header(&self.headers, name)
    }

    /// The body parsed as JSON (`None` when empty or malformed).
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    pub(crate) fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value));
    }
}

/// What the simulated server did with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Response(Response),
    /// The connection was dropped without an answer (fault injection).
    Dropped,
}

impl Reply {
    /// Latency a fault asked for (the `x-sim-delay-ms` header), 0 when none.
    pub fn delay_ms(&self) -> u64 {
        self.response()
            .and_then(|r| r.header(DELAY_HEADER))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub fn response(&self) -> Option<&Response> {
        match self {
            Reply::Response(r) => Some(r),
            Reply::Dropped => None,
        }
    }

    /// The response; panics on [`Reply::Dropped`] (handy in tests).
    pub fn unwrap(self) -> Response {
        match self {
            Reply::Response(r) => r,
            Reply::Dropped => panic!("connection dropped"),
        }
    }
}
