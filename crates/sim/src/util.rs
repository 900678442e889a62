//! Small self-contained helpers: a seeded RNG, ISO-8601 formatting, a lenient JSON reader,
//! URL/query/header parsing and base64 for HTTP Basic. No external crates besides serde_json.

use serde_json::Value;

use crate::Response;

// ---------------------------------------------------------------- RNG

/// SplitMix64: tiny, fast, good enough for a simulator, identical on every target.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    #[cfg(test)]
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream derived from a seed and a stream label.
    pub fn derive(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        Rng(r.next_u64() ^ stream)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in [lo, hi] (inclusive).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(hi - lo + 1)
        }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.f64() < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    pub fn hex(&mut self, n: usize) -> String {
        const H: &[u8; 16] = b"0123456789abcdef";
        (0..n).map(|_| H[self.below(16) as usize] as char).collect()
    }

    /// A version-4-looking UUID.
    pub fn uuid(&mut self) -> String {
        let a = self.hex(8);
        let b = self.hex(4);
        let c = self.hex(3);
        let d = self.hex(3);
        let e = self.hex(12);
        let variant = ['8', '9', 'a', 'b'][self.below(4) as usize];
        format!("{a}-{b}-4{c}-{variant}{d}-{e}")
    }
}

/// The per-dialect simulation environment: outcome RNG, fault RNG and the scenario knobs.
#[derive(Clone, Debug)]
pub(crate) struct Env {
    /// Drives durations and outcomes (independent of the fault settings).
    pub rng: Rng,
    /// Drives fault decisions taken inside a dialect (stuck tasks), so enabling faults
    /// does not change which actions fail or how long they take.
    pub frng: Rng,
    pub failure_rate: f64,
    pub speed: f64,
    pub stuck_rate: f64,
    /// How many actions the stuck fault froze.
    pub stuck_count: u64,
    /// The lag fault: a snapshot or backup turns ready this long after its task reports done.
    pub lag_ms: u64,
    /// Every accepted action and when it really finishes (never shown to clients).
    pub log: crate::truth::Log,
}

impl Env {
    pub fn new(seed: u64, stream: u64, failure_rate: f64, speed: f64) -> Env {
        Env {
            rng: Rng::derive(seed, stream),
            frng: Rng::derive(seed, stream ^ 0xF00D),
            failure_rate: failure_rate.clamp(0.0, 1.0),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            stuck_rate: 0.0,
            stuck_count: 0,
            lag_ms: 0,
            log: crate::truth::Log::default(),
        }
    }

    /// A duration around `median_ms` (x0.6 .. x1.6), divided by the scenario speed; at least 1 ms.
    pub fn duration(&mut self, median_ms: u64) -> u64 {
        let factor = 0.6 + self.rng.f64();
        let d = (median_ms as f64 * factor / self.speed).round();
        (d as u64).max(1)
    }

    /// A fixed delay (queueing etc.) divided by speed; at least 1 ms.
    pub fn scaled(&self, ms: u64) -> u64 {
        ((ms as f64 / self.speed).round() as u64).max(1)
    }

    pub fn fails(&mut self) -> bool {
        self.rng.chance(self.failure_rate)
    }

    pub fn stuck(&mut self) -> bool {
        let s = self.frng.chance(self.stuck_rate);
        self.stuck_count += s as u64;
        s
    }
}

/// "Never" on the virtual clock (a stuck task).
pub(crate) const NEVER: u64 = u64::MAX;

// ---------------------------------------------------------------- time

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Split epoch milliseconds into (year, month, day, hour, minute, second), UTC.
pub(crate) fn civil(ms: u64) -> (i64, u32, u32, u64, u64, u64) {
    let secs = ms / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// ISO 8601 UTC with seconds: `2026-01-14T16:31:00Z`.
pub fn iso(ms: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2026-01-14 16:31:00` (Hostway's `create_time`).
pub(crate) fn sql_time(ms: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

// ---------------------------------------------------------------- JSON

/// Parse a request body leniently: accepts trailing commas before `}`/`]` and single-quoted
/// strings (both appear in the cloudsfor documentation examples). Empty body → `Null`.
pub(crate) fn parse_lenient(s: &str) -> Result<Value, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(Value::Null);
    }
    if let Ok(v) = serde_json::from_str(t) {
        return Ok(v);
    }
    serde_json::from_str(&relax(t)).map_err(|e| e.to_string())
}

fn relax(s: &str) -> String {
    #[derive(PartialEq)]
    enum St {
        Normal,
        Double,
        Single,
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut st = St::Normal;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match st {
            St::Normal => match c {
                '"' => {
                    st = St::Double;
                    out.push(c);
                }
                '\'' => {
                    st = St::Single;
                    out.push('"');
                }
                ',' => {
                    let mut j = i + 1;
                    while j < chars.len() && chars[j].is_whitespace() {
                        j += 1;
                    }
                    if j < chars.len() && (chars[j] == '}' || chars[j] == ']') {
                        // drop the trailing comma
                    } else {
                        out.push(c);
                    }
                }
                _ => out.push(c),
            },
            St::Double => {
                out.push(c);
                if c == '\\' && i + 1 < chars.len() {
                    i += 1;
                    out.push(chars[i]);
                } else if c == '"' {
                    st = St::Normal;
                }
            }
            St::Single => match c {
                '\\' if i + 1 < chars.len() && chars[i + 1] == '\'' => {
                    i += 1;
                    out.push('\'');
                }
                '\\' if i + 1 < chars.len() => {
                    out.push('\\');
                    i += 1;
                    out.push(chars[i]);
                }
                '"' => out.push_str("\\\""),
                '\'' => {
                    st = St::Normal;
                    out.push('"');
                }
                _ => out.push(c),
            },
        }
        i += 1;
    }
    out
}

/// A JSON value as a non-negative integer (accepts integral floats and numeric strings).
pub(crate) fn as_uint(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A JSON value as a boolean (accepts "true"/"false" strings and 0/1).
pub(crate) fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "true" | "True" | "1" => Some(true),
            "false" | "False" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_u64().map(|x| x != 0),
        _ => None,
    }
}

// ---------------------------------------------------------------- HTTP

pub use crate::wire::b64encode;
pub(crate) use crate::wire::{auth_token, basic_auth, header, parse_url, pct_decode, pct_encode};

pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    Response {
        status,
        headers: vec![(
            "content-type".to_string(),
            "application/json; charset=utf-8".to_string(),
        )],
        body: body.to_string(),
    }
}

pub(crate) fn empty_response(status: u16) -> Response {
    Response {
        status,
        headers: Vec::new(),
        body: String::new(),
    }
}

/// One request as a dialect sees it: path split after the dialect's prefix.
pub(crate) struct Ctx<'a> {
    pub method: String,
    /// Non-empty, percent-decoded path segments after the prefix.
    pub segs: Vec<String>,
    /// Whether the raw path ended with `/`.
    pub trailing_slash: bool,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    pub body: &'a str,
    pub now: u64,
    /// `scheme://authority` to build absolute links with ("" → links stay relative).
    pub origin: String,
}

impl Ctx<'_> {
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn seg(&self, i: usize) -> &str {
        self.segs.get(i).map(String::as_str).unwrap_or("")
    }

    /// Segment pattern match; `*` matches any one segment.
    pub fn matches(&self, pattern: &[&str]) -> bool {
        self.segs.len() == pattern.len()
            && self
                .segs
                .iter()
                .zip(pattern)
                .all(|(s, p)| *p == "*" || s == p)
    }

    pub fn body_json(&self) -> Result<Value, String> {
        parse_lenient(self.body)
    }
}

/// A paging window: `(start, end)` indices for 1-based `page` of `per_page` over `total` items.
pub(crate) fn window(total: usize, page: usize, per_page: usize) -> (usize, usize) {
    let start = (page.saturating_sub(1)).saturating_mul(per_page).min(total);
    let end = start.saturating_add(per_page).min(total);
    (start, end)
}

/// Replace or add a query parameter in a query list and render `path?query`.
pub(crate) fn with_query(path: &str, query: &[(String, String)], set: &[(&str, String)]) -> String {
    let mut q: Vec<(String, String)> = query
        .iter()
        .filter(|(k, _)| !set.iter().any(|(s, _)| s == k))
        .cloned()
        .collect();
    for (k, v) in set {
        q.push((k.to_string(), v.clone()));
    }
    if q.is_empty() {
        return path.to_string();
    }
    let qs: Vec<String> = q
        .iter()
        .map(|(k, v)| format!("{}={}", pct_encode(k), pct_encode(v)))
        .collect();
    format!("{path}?{}", qs.join("&"))
}

/// A sliding-window request counter (timestamps of accepted requests, oldest first).
#[derive(Debug, Default, Clone)]
pub(crate) struct Window {
    hits: std::collections::VecDeque<u64>,
}

impl Window {
    /// Forget hits older than `span` before `now`.
    pub fn prune(&mut self, now: u64, span: u64) {
        while let Some(&t) = self.hits.front() {
            if t + span <= now {
                self.hits.pop_front();
            } else {
                break;
            }
        }
    }

    /// Hits within the last `span` ms.
    pub fn count_since(&self, now: u64, span: u64) -> usize {
        let first = self.hits.partition_point(|&t| t + span <= now);
        self.hits.len() - first
    }

    /// Epoch ms at which the oldest hit inside `span` leaves the window.
    pub fn frees_at(&self, now: u64, span: u64) -> u64 {
        let first = self.hits.partition_point(|&t| t + span <= now);
        self.hits.get(first).map(|t| t + span).unwrap_or(now)
    }

    pub fn record(&mut self, now: u64) {
        self.hits.push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::b64decode;

    #[test]
    fn iso_known_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        // 2015-01-14T16:31:00Z from the cloudsfor documents
        assert_eq!(iso(1_421_253_060_000), "2015-01-14T16:31:00Z");
        assert_eq!(iso(1_709_210_096_999), "2024-02-29T12:34:56Z");
        assert_eq!(sql_time(1_421_253_060_000), "2015-01-14 16:31:00");
    }

    #[test]
    fn lenient_json() {
        let v = parse_lenient("{\n \"a\": 1,\n \"b\": {\"c\": [1,2,],},\n}").unwrap();
        assert_eq!(v["b"]["c"][1], 2);
        let v = parse_lenient("{\"type\": \"resize\", \"resource\": 'ram', \"size\": 2}").unwrap();
        assert_eq!(v["resource"], "ram");
        let v = parse_lenient("{\"name\": \"a, }\",}").unwrap();
        assert_eq!(v["name"], "a, }");
        assert!(parse_lenient("{\"a\":").is_err());
        assert_eq!(parse_lenient("  ").unwrap(), Value::Null);
    }

    #[test]
    fn urls() {
        let u = parse_url("http://127.0.0.1:8787/cloudsfor/api/v1/vms?page=2&per_page=5");
        assert_eq!(u.origin, "http://127.0.0.1:8787");
        assert_eq!(u.path, "/cloudsfor/api/v1/vms");
        assert_eq!(u.query[1], ("per_page".to_string(), "5".to_string()));
        let u = parse_url("demo://x/cloudsfor/api/v1/vms");
        assert_eq!(
            (u.origin.as_str(), u.path.as_str()),
            ("demo://x", "/cloudsfor/api/v1/vms")
        );
        let u = parse_url("/a/b?status=pending%2Crunning&x");
        assert_eq!(u.origin, "");
        assert_eq!(u.query[0].1, "pending,running");
        assert_eq!(u.query[1], ("x".to_string(), String::new()));
        assert_eq!(parse_url("http://h").path, "/");
    }

    #[test]
    fn base64_roundtrip() {
        for s in ["", "a", "ab", "abc", "demo@vigil.test:demo"] {
            assert_eq!(b64decode(&b64encode(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert_eq!(b64encode(b"username:password"), "dXNlcm5hbWU6cGFzc3dvcmQ=");
    }

    #[test]
    fn rng_is_deterministic_and_spread() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut r = Rng::new(1);
        let n = (0..10_000).filter(|_| r.chance(0.25)).count();
        assert!((2200..2800).contains(&n), "{n}");
        assert_eq!(r.uuid().len(), 36);
    }

    #[test]
    fn sliding_window() {
        let mut w = Window::default();
        for t in [1000, 2000, 3000] {
            w.record(t);
        }
        assert_eq!(w.count_since(3000, 60_000), 3);
        assert_eq!(w.count_since(61_500, 60_000), 2);
        assert_eq!(w.frees_at(61_500, 60_000), 62_000);
        w.prune(62_000, 60_000);
        assert_eq!(w.count_since(62_000, 60_000), 1);
    }
}
