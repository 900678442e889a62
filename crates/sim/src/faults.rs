//! Fault injection: seeded, reproducible, off by default.
//!
//! Text form (comma-separated `key=value`, any order, all optional), e.g.
//! `5xx=0.05,429=0.02,drop=0.01,latency=200,malformed=0.01,unknown_enum=0.01,stuck=0.01`:
//!
//! | key | value | effect |
//! | --- | --- | --- |
//! | `5xx` | probability | a request starts a burst of server errors (500/502/503/504, dialect's error shape; 503 carries `Retry-After`); the burst also hits the next 0..`burst`-1 requests to that dialect |
//! | `burst` | count ≥ 1 (default 3) | longest 5xx burst |
//! | `429` | probability | `429` in the dialect's shape with `Retry-After` 1-5 s (cloudsfor also `ratelimit-*`) |
//! | `drop` | probability | [`crate::Reply::Dropped`]; half of the drops happen after the request was applied (the write happened, the answer was lost) |
//! | `latency` | ms, or `lo..hi` ms | every answer is delayed: `N` → uniform in N/2..3N/2; reported in the `x-sim-delay-ms` header |
//! | `malformed` | probability | the body is cut in half (invalid JSON); status and headers are kept |
//! | `unknown_enum` | probability | one enum-valued field of the body (`status`, `operationStatus`, …) gets a value the sheet does not list |
//! | `stuck` | probability | an accepted action/task never finishes |
//! | `garble` | probability | the task id an answer carries is replaced by another one of the same shape (Erigones `task_id` and `es_task_id`, an ONETSolutions Task's `id`): reading it back answers `404` |
//! | `clear` | ms | ZennoHosting clears `operation`/`operationStatus` to `null` this long after an operation ended (`clear=0`: at once; the sheet marks "null when idle" as assumed) |
//! | `lie` | probability | a ZennoHosting operation that fails reports `operationStatus: succeeded` while the VM stays as it was |
//! | `lag` | ms | a snapshot or backup whose create task reports done turns ready only this long after (ONETSolutions `available`, ZennoHosting `ready`, Erigones status `1`; cloudsfor: its id enters `snapshot_ids` this long after the `snapshot` action `completed`); Hostway has no task, so no such window |
//!
//! `garble` and `lie` draw from random streams of their own: with them off (or on), every other
//! decision of a world is the same.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::Response;

/// Which faults to inject, and how often. `Faults::default()` injects none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability that a request starts a 5xx burst.
    pub server_error: f64,
    /// Longest 5xx burst (requests to the same dialect); 0 is read as the default, 3.
    pub burst: u32,
    /// Probability of an injected 429 with Retry-After.
    pub throttle: f64,
    /// Probability of a dropped connection.
    pub drop: f64,
    /// Added latency range in ms (inclusive); `(0, 0)` = none.
    pub latency_ms: (u64, u64),
    /// Probability of a truncated (non-JSON) body.
    pub malformed: f64,
    /// Probability of an unknown enum value in the body.
    pub unknown_enum: f64,
    /// Probability that an accepted action/task never finishes.
    pub stuck: f64,
    /// Probability that an answer's task id is garbled.
    pub garble: f64,
    /// ZennoHosting clears a VM's `operation`/`operationStatus` this long (ms) after the
    /// operation ended; `None`: it keeps them until the next operation (the default).
    pub clear_ms: Option<u64>,
    /// Probability that a failing ZennoHosting operation reports `succeeded`.
    pub lie: f64,
    /// A snapshot or backup turns ready this long (ms) after its create task reports done.
    pub lag_ms: u64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults::default()
    }

    pub fn is_none(&self) -> bool {
        *self == Faults::default()
            || *self
                == Faults {
                    burst: self.burst,
                    ..Faults::default()
                }
    }

    /// Parse the text form; see the module docs. Empty string or `none` → no faults.
    pub fn parse(spec: &str) -> Result<Faults, String> {
        let mut f = Faults::default();
        let spec = spec.trim();
        if spec.is_empty() || spec.eq_ignore_ascii_case("none") {
            return Ok(f);
        }
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("fault '{part}' needs key=value"))?;
            let (k, v) = (k.trim(), v.trim());
            let prob = |v: &str| -> Result<f64, String> {
                let p: f64 = v
                    .parse()
                    .map_err(|_| format!("{k}: '{v}' is not a number"))?;
                if !(0.0..=1.0).contains(&p) {
                    return Err(format!("{k}: {p} is not a probability in 0..1"));
                }
                Ok(p)
            };
            let ms = |v: &str| -> Result<u64, String> {
                v.trim()
                    .trim_end_matches("ms")
                    .parse()
                    .map_err(|_| format!("{k}: '{v}' is not a whole number of milliseconds"))
            };
            match k.to_ascii_lowercase().as_str() {
                "5xx" | "server_error" => f.server_error = prob(v)?,
                "burst" => {
                    f.burst = v
                        .parse()
                        .ok()
                        .filter(|b| *b >= 1)
                        .ok_or_else(|| format!("burst: '{v}' must be a whole number >= 1"))?
                }
                "429" | "throttle" => f.throttle = prob(v)?,
                "drop" => f.drop = prob(v)?,
                "latency" => {
                    f.latency_ms = match v.split_once("..") {
                        Some((a, b)) => {
                            let (a, b) = (ms(a)?, ms(b)?);
                            if a > b {
                                return Err(format!("latency: {a}..{b} is empty"));
                            }
                            (a, b)
                        }
                        None => {
                            let n = ms(v)?;
                            (n / 2, n + n / 2)
                        }
                    }
                }
                "malformed" => f.malformed = prob(v)?,
                "unknown_enum" | "enum" => f.unknown_enum = prob(v)?,
                "stuck" => f.stuck = prob(v)?,
                "garble" => f.garble = prob(v)?,
                "clear" => f.clear_ms = Some(ms(v)?),
                "lie" => f.lie = prob(v)?,
                "lag" => f.lag_ms = ms(v)?,
                other => {
                    return Err(format!(
                        "unknown fault '{other}'; known: 5xx, burst, 429, drop, latency, malformed, unknown_enum, stuck, garble, clear, lie, lag"
                    ))
                }
            }
        }
        Ok(f)
    }

    pub(crate) fn max_burst(&self) -> u32 {
        if self.burst == 0 {
            3
        } else {
            self.burst
        }
    }
}

impl FromStr for Faults {
    type Err = String;
    fn from_str(s: &str) -> Result<Faults, String> {
        Faults::parse(s)
    }
}

impl fmt::Display for Faults {
    /// The canonical text form (parses back to the same value).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let mut p = |k: &str, v: f64| {
            if v > 0.0 {
                parts.push(format!("{k}={v}"));
            }
        };
        p("5xx", self.server_error);
        p("429", self.throttle);
        p("drop", self.drop);
        p("malformed", self.malformed);
        p("unknown_enum", self.unknown_enum);
        p("stuck", self.stuck);
        p("garble", self.garble);
        p("lie", self.lie);
        if let Some(ms) = self.clear_ms {
            parts.push(format!("clear={ms}"));
        }
        if self.lag_ms != 0 {
            parts.push(format!("lag={}", self.lag_ms));
        }
        if self.burst != 0 {
            parts.push(format!("burst={}", self.burst));
        }
        if self.latency_ms != (0, 0) {
            parts.push(format!(
                "latency={}..{}",
                self.latency_ms.0, self.latency_ms.1
            ));
        }
        if parts.is_empty() {
            write!(f, "none")
        } else {
            write!(f, "{}", parts.join(","))
        }
    }
}

/// Replace one enum-valued string field of a JSON body with a value the sheet does not list.
pub(crate) fn mutate_enum(resp: &mut Response, fields: &[(&str, &[&str])], pick: u64) -> bool {
    let Ok(mut v) = serde_json::from_str::<Value>(&resp.body) else {
        return false;
    };
    fn walk(v: &Value, path: &str, fields: &[(&str, &[&str])], out: &mut Vec<(String, usize)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                    if x.is_string() {
                        if let Some(fi) = fields.iter().position(|(f, _)| f == k) {
                            out.push((p.clone(), fi));
                        }
                    }
                    walk(x, &p, fields, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{path}/{i}"), fields, out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&v, "", fields, &mut found);
    if found.is_empty() {
        return false;
    }
    let (path, fi) = &found[(pick % found.len() as u64) as usize];
    let values = fields[*fi].1;
    let new = values[((pick >> 20) % values.len() as u64) as usize];
    if let Some(slot) = v.pointer_mut(path) {
        *slot = Value::String(new.to_string());
    }
    resp.body = v.to_string();
    true
}

/// Replaces the task id at the JSON pointers `paths` of a body (and the `es_task_id` header,
/// where the answer has one) with another id of the same shape: its last hex digits changed.
pub(crate) fn garble_task_id(resp: &mut Response, paths: &[&str], pick: u64) -> bool {
    let Ok(mut v) = serde_json::from_str::<Value>(&resp.body) else {
        return false;
    };
    let mut done = false;
    for path in paths {
        if let Some(Value::String(id)) = v.pointer_mut(path) {
            if !id.is_empty() {
                *id = garbled(id, pick);
                done = true;
            }
        }
    }
    if !done {
        return false;
    }
    resp.body = v.to_string();
    for (k, val) in resp.headers.iter_mut() {
        if k.eq_ignore_ascii_case("es_task_id") {
            *val = garbled(val, pick);
        }
    }
    true
}

/// `id` with its last four characters replaced by hex digits from `pick` (never the same id).
fn garbled(id: &str, pick: u64) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let keep = id.chars().count().saturating_sub(4);
    let head: String = id.chars().take(keep).collect();
    let tail: String = id.chars().skip(keep).collect();
    let mut new: String = (0..4)
        .map(|i| H[((pick >> (4 * i)) & 15) as usize] as char)
        .collect();
    if new == tail {
        new = new
            .chars()
            .rev()
            .map(|c| if c == 'f' { '0' } else { 'f' })
            .collect();
    }
    format!("{head}{new}")
}

/// Cut a body in half (on a character boundary): no longer JSON. An empty body becomes `{`.
pub(crate) fn truncate_body(resp: &mut Response) {
    if resp.body.is_empty() {
        resp.body = "{".to_string();
        return;
    }
    let cut = resp.body.len() / 2;
    let cut = (0..=cut)
        .rev()
        .find(|&i| resp.body.is_char_boundary(i))
        .unwrap_or(0);
    resp.body.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let f: Faults =
            "5xx=0.05,429=0.02,drop=0.01,latency=200,malformed=0.01,unknown_enum=0.01,stuck=0.01"
                .parse()
                .unwrap();
        assert_eq!(f.server_error, 0.05);
        assert_eq!(f.throttle, 0.02);
        assert_eq!(f.drop, 0.01);
        assert_eq!(f.latency_ms, (100, 300));
        assert_eq!(f.malformed, 0.01);
        assert_eq!(f.unknown_enum, 0.01);
        assert_eq!(f.stuck, 0.01);
        assert_eq!(Faults::parse(&f.to_string()).unwrap(), f);
        let l: Faults = "lag=30000".parse().unwrap();
        assert_eq!(l.lag_ms, 30_000);
        assert_eq!(Faults::parse(&l.to_string()).unwrap(), l);
        let g: Faults = "garble=0.05,clear=0,lie=1".parse().unwrap();
        assert_eq!((g.garble, g.clear_ms, g.lie), (0.05, Some(0), 1.0));
        assert!(!g.is_none());
        assert_eq!(Faults::parse(&g.to_string()).unwrap(), g);
    }

    #[test]
    fn a_garbled_id_keeps_its_shape_and_differs() {
        let mut r = Response {
            status: 201,
            headers: vec![("es_task_id".into(), "1e1d1-6f75849b-fdaf-4e6e-b580".into())],
            body: r#"{"status":"PENDING","result":null,"task_id":"1e1d1-6f75849b-fdaf-4e6e-b580"}"#
                .into(),
        };
        assert!(garble_task_id(&mut r, &["/task_id"], 0xB580));
        let v: Value = serde_json::from_str(&r.body).unwrap();
        let id = v["task_id"].as_str().unwrap();
        assert_ne!(id, "1e1d1-6f75849b-fdaf-4e6e-b580");
        assert!(id.starts_with("1e1d1-6f75849b-fdaf-4e6e-"));
        assert_eq!(id.len(), "1e1d1-6f75849b-fdaf-4e6e-b580".len());
        assert_eq!(r.header("es_task_id"), Some(id));
        assert!(!garble_task_id(&mut r, &["/id"], 1));
    }

    #[test]
    fn ranges_defaults_and_errors() {
        let f = Faults::parse(" latency=50..400 , burst=5 ").unwrap();
        assert_eq!((f.latency_ms, f.burst), ((50, 400), 5));
        assert!(Faults::parse("").unwrap().is_none());
        assert!(Faults::parse("none").unwrap().is_none());
        assert_eq!(Faults::none().to_string(), "none");
        let z = Faults::parse("clear=0").unwrap();
        assert!(z.clear_ms == Some(0) && !z.is_none());
        assert_eq!(Faults::parse(&z.to_string()).unwrap(), z);
        for bad in [
            "clear=soon",
            "5xx",
            "5xx=2",
            "drop=x",
            "latency=9..1",
            "teleport=0.1",
            "burst=0",
        ] {
            assert!(Faults::parse(bad).is_err(), "{bad}");
        }
    }
}
