//! The documents' JSON and links.

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

#[test]
fn resolves_references_per_rfc_3986() {
    let b = "https://h.example/a/b/c?q=1";
    assert_eq!(resolve(b, "d"), "https://h.example/a/b/d");
    assert_eq!(resolve(b, "./d/"), "https://h.example/a/b/d/");
    assert_eq!(resolve(b, "../d"), "https://h.example/a/d");
    assert_eq!(resolve(b, "../../../../d"), "https://h.example/d");
    assert_eq!(resolve(b, "/d"), "https://h.example/d");
    assert_eq!(resolve(b, "//other.example/x"), "https://other.example/x");
    assert_eq!(resolve(b, "?y=2"), "https://h.example/a/b/c?y=2");
    assert_eq!(resolve(b, "http://x.example/p"), "http://x.example/p");
}
