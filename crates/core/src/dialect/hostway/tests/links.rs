//! The documents' JSON (links: `crate::dialect::links`).

use serde_json::json;

use super::*;

#[test]
fn missing_commas_are_repaired_only_between_values() {
    let v =
        parse_doc_json(r#"{"a": 1 "b": true "c": [1 2] "d": {"x": "y, z"} "e": null}"#).unwrap();
    assert_eq!(
        v,
        json!({"a": 1, "b": true, "c": [1, 2], "d": {"x": "y, z"}, "e": null})
    );
    assert_eq!(
        parse_doc_json(r#"{"s": "a \" b" "t": -1.5e3}"#).unwrap(),
        json!({"s": "a \" b", "t": -1500.0})
    );
    assert!(parse_doc_json("<html>502</html>").is_err());
    assert!(parse_doc_json(r#"{"a": }"#).is_err());
}
