//! JSON as Hostway's documents print it.

use serde_json::Value;

use crate::json::parse_lenient;

/// Parses JSON as the documents show it: trailing commas, and — in the documented snapshot
/// answer — a missing comma between two members (`"name": "x" "description": …`).
pub fn parse_doc_json(body: &str) -> Result<Value, String> {
    parse_lenient(body)
        .or_else(|first| parse_lenient(&insert_missing_commas(body)).map_err(|_| first))
}

/// Inserts a comma where a value ends and the next one starts with only whitespace between.
/// Text inside strings is left alone.
pub(super) fn insert_missing_commas(text: &str) -> String {
    let bare = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+');
    let mut out = String::with_capacity(text.len() + 8);
    let (mut in_string, mut escaped) = (false, false);
    // The last significant character outside strings (`"` for a string's end).
    let mut last: Option<char> = None;
    // Whether the previous character continued a bare token (number, `true`…).
    let mut in_bare = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                last = Some('"');
            }
            continue;
        }
        if c.is_whitespace() {
            out.push(c);
            in_bare = false;
            continue;
        }
        let starts_value = matches!(c, '"' | '{' | '[') || (bare(c) && !in_bare);
        let value_ended = matches!(last, Some('"' | '}' | ']')) || last.is_some_and(bare);
        if starts_value && value_ended {
            out.push(',');
        }
        out.push(c);
        in_bare = bare(c);
        if c == '"' {
            in_string = true;
        }
        last = Some(c);
    }
    out
}
