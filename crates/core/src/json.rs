//! JSON as providers really send it.

use serde_json::Value;

/// Parses JSON, also accepting a trailing comma before `}` or `]` — the cloudsfor documents show
/// bodies like `"region": "moscow_01",}`. Commas inside strings are left alone.
pub fn parse_lenient(text: &str) -> Result<Value, String> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            let cleaned = strip_trailing_commas(text);
            serde_json::from_str(&cleaned).map_err(|_| first.to_string())
        }
    }
}

fn strip_trailing_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A string field, or a number/bool shown as text; `None` when absent or null.
pub fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// A non-negative number field, also when sent as a string.
pub fn uint(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f.round() as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A finite number field (sizes); `None` when absent, not a number, or not finite.
pub fn finite(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64).filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_trailing_comma() {
        let body = r#"{"action": {"id": "5609", "region": "moscow_01",}}"#;
        let v = parse_lenient(body).unwrap();
        assert_eq!(v["action"]["region"], "moscow_01");
    }

    #[test]
    fn leaves_commas_inside_strings() {
        let v = parse_lenient(r#"{"message": "a ,} b",}"#).unwrap();
        assert_eq!(v["message"], "a ,} b");
    }

    #[test]
    fn reports_real_garbage() {
        assert!(parse_lenient("<html>502 Bad Gateway</html>").is_err());
        assert!(parse_lenient(r#"{"a": }"#).is_err());
    }

    #[test]
    fn reads_numbers_sent_as_strings() {
        let v: Value = serde_json::json!({"a": "12", "b": 3, "c": -1, "d": null});
        assert_eq!(uint(&v, "a"), Some(12));
        assert_eq!(uint(&v, "b"), Some(3));
        assert_eq!(uint(&v, "c"), None);
        assert_eq!(text(&v, "d"), None);
        assert_eq!(text(&v, "b").as_deref(), Some("3"));
    }
}
