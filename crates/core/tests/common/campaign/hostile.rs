//! Hostile values mutated into answers on their way to the engine: garbled ids, numbers no field
//! holds, `Retry-After: 1e300`, JSON nested 10,000 deep, 1 MB strings, bidi and control
//! characters in names.
//!
//! Only values no provider could mean are put in: a spoiled answer never forges a fact (a VM's
//! own id stays as it is in reads, where a garbled one would read as the VM gone; no status is
//! set to another real status). Whatever the engine makes of them, its verdicts must still
//! agree with the truth.

use serde_json::Value;
use vigil_core::HttpResponse;

/// What to spoil in an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spoil {
    /// The ids a write's answer carries (its task, its new VM), garbled.
    Ids,
    /// Numbers (and numbers sent as text) no field holds: 1e308, 18446744073709551616, …
    Numbers,
    /// The body nested 10,000 levels deep.
    Nested,
    /// One text field 1 MB long.
    Huge,
    /// Names wrapped in bidi overrides and control characters.
    Bidi,
}

pub const SPOILS: [Spoil; 5] = [
    Spoil::Ids,
    Spoil::Numbers,
    Spoil::Nested,
    Spoil::Huge,
    Spoil::Bidi,
];

/// How deep [`Spoil::Nested`] goes.
pub const DEPTH: usize = 10_000;

/// How long [`Spoil::Huge`]'s text is.
pub const HUGE_LEN: usize = 1 << 20;

/// Numbers at and past the ends of what a field holds, as JSON text.
const HUGE_NUMBERS: [&str; 6] = [
    "1e308",
    "18446744073709551616",
    "-1e308",
    "9223372036854775807",
    "18446744073709551615",
    "10000000000000000000",
];

/// Text a name may come back as.
const BIDI: &str = "\u{202e}\u{2066}\u{0000}\u{0007}\u{001b}[2J\u{200f}\u{feff}";

/// A provider's own refusal (a `429` in its dialect's shape: the request was not applied) made
/// hostile: its `Retry-After` one no clock can count to (`1e300`), or gone, and the numbers in
/// its body (a retry delay among them, where the dialect puts one there) huge.
pub fn refusal(resp: &mut HttpResponse, pick: u64) {
    resp.headers
        .retain(|(k, _)| !k.eq_ignore_ascii_case("retry-after"));
    if pick.is_multiple_of(2) {
        resp.headers.push(("Retry-After".into(), "1e300".into()));
    }
    let Ok(mut v) = serde_json::from_str::<Value>(&resp.body) else {
        return;
    };
    let mut i = (pick >> 1) as usize;
    each_leaf(&mut v, "", &mut |k, leaf| {
        if !is_id(k) && is_number(leaf) {
            i += 1;
            *leaf = placeholder(i % HUGE_NUMBERS.len(), leaf);
        }
    });
    resp.body = with_numbers(v.to_string());
}

/// Spoils `resp` as `how` says; `write`: it answers a write. Says whether anything changed.
pub fn spoil(resp: &mut HttpResponse, how: Spoil, write: bool, pick: u64) -> bool {
    if how == Spoil::Nested {
        resp.body = nested(pick);
        return true;
    }
    let mut n = 0usize;
    if how == Spoil::Ids && write {
        // A new resource's `Location` names its id too.
        for (k, val) in resp.headers.iter_mut() {
            if k.eq_ignore_ascii_case("location") {
                let mut v = Value::String(std::mem::take(val));
                garble(&mut v, pick);
                *val = v.as_str().unwrap_or_default().to_string();
                n += 1;
            }
        }
    }
    let Ok(mut v) = serde_json::from_str::<Value>(&resp.body) else {
        return n > 0;
    };
    let mut pick = pick;
    match how {
        // A read's ids stay: a VM whose id changed would read as gone, a lie, not a spoil.
        Spoil::Ids if !write => {}
        Spoil::Ids => each_leaf(&mut v, "", &mut |k, leaf| {
            if is_id(k) && garble(leaf, pick) {
                n += 1;
            }
        }),
        Spoil::Numbers => each_leaf(&mut v, "", &mut |k, leaf| {
            pick = pick.rotate_left(7) ^ 0x9E37;
            if !is_id(k) && is_number(leaf) && pick.is_multiple_of(2) {
                *leaf = placeholder((pick >> 8) as usize % HUGE_NUMBERS.len(), leaf);
                n += 1;
            }
        }),
        Spoil::Huge => {
            let mut texts = 0u64;
            each_leaf(&mut v, "", &mut |k, leaf| {
                texts += u64::from(is_text(k, leaf))
            });
            let mut which = pick % texts.max(1);
            each_leaf(&mut v, "", &mut |k, leaf| {
                if is_text(k, leaf) {
                    if which == 0 {
                        *leaf = Value::String("\u{202e}".repeat(HUGE_LEN / 3));
                        n += 1;
                    }
                    which = which.wrapping_sub(1);
                }
            });
        }
        Spoil::Bidi => each_leaf(&mut v, "", &mut |k, leaf| {
            if let (true, Value::String(s)) = (is_name(k), &mut *leaf) {
                *s = format!("{BIDI}{s}{BIDI}");
                n += 1;
            }
        }),
        Spoil::Nested => unreachable!("handled above"),
    }
    if n > 0 {
        resp.body = with_numbers(v.to_string());
    }
    n > 0
}

/// `[[[…]]]` or `{"a":{"a":…}}` [`DEPTH`] levels deep, bare or in an envelope.
fn nested(pick: u64) -> String {
    let (open, close) = if pick.is_multiple_of(2) {
        ("[", "]")
    } else {
        ("{\"a\":", "}")
    };
    let inner = format!("{}1{}", open.repeat(DEPTH), close.repeat(DEPTH));
    match pick % 3 {
        0 => inner,
        1 => format!("{{\"items\":{inner}}}"),
        _ => format!("{{\"status\":\"running\",\"data\":{inner}}}"),
    }
}

/// Calls `f` on every leaf of `v` with the key it sits under (array items: their array's).
fn each_leaf(v: &mut Value, key: &str, f: &mut dyn FnMut(&str, &mut Value)) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                each_leaf(x, k, f);
            }
        }
        Value::Array(a) => {
            for x in a.iter_mut() {
                each_leaf(x, key, f);
            }
        }
        leaf => f(key, leaf),
    }
}

fn is_id(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "id" || k.ends_with("_id") || key.ends_with("Id") || k.contains("uuid") || k == "hostname"
}

fn is_name(key: &str) -> bool {
    matches!(
        key,
        "name" | "alias" | "displayName" | "display_name" | "label"
    )
}

fn is_text(key: &str, leaf: &Value) -> bool {
    leaf.is_string()
        && (is_name(key)
            || matches!(
                key,
                "message" | "status" | "detail" | "error" | "description" | "result"
            ))
}

fn is_number(leaf: &Value) -> bool {
    match leaf {
        Value::Number(_) => true,
        Value::String(s) => !s.is_empty() && s.len() < 20 && s.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// A leaf that becomes the `i`th huge number: as text where it was text, else a placeholder
/// [`with_numbers`] turns into the bare number (JSON holds numbers no `f64` or `u64` does).
fn placeholder(i: usize, leaf: &Value) -> Value {
    match leaf {
        Value::String(_) => Value::String(HUGE_NUMBERS[i].trim_start_matches('-').to_string()),
        _ => Value::String(format!("@@huge{i}@@")),
    }
}

fn with_numbers(mut text: String) -> String {
    for (i, n) in HUGE_NUMBERS.iter().enumerate() {
        text = text.replace(&format!("\"@@huge{i}@@\""), n);
    }
    text
}

/// Another id of the same shape: a text's last four characters changed, a number plus one.
fn garble(leaf: &mut Value, pick: u64) -> bool {
    match leaf {
        Value::String(s) if !s.is_empty() => {
            let keep: String = s
                .chars()
                .take(s.chars().count().saturating_sub(4))
                .collect();
            let tail: String = (0..4)
                .map(|i| b"0123456789abcdef"[((pick >> (4 * i)) & 15) as usize] as char)
                .collect();
            let new = format!("{keep}{tail}");
            let changed = new != *s;
            *s = if changed { new } else { format!("{keep}zzzz") };
            true
        }
        Value::Number(n) => {
            *leaf = match n.as_u64() {
                Some(u) => Value::from(u.wrapping_add(1 + pick % 1000)),
                None => Value::from(7),
            };
            true
        }
        _ => false,
    }
}
