//! Following Hostway's `Location` headers and `self` links as given (RFC 3986, see
//! [`crate::dialect::links`]).

use super::doc_json::parse_doc_json;
use crate::http::HttpResponse;
use crate::json::text;

/// Where a snapshot is followed: the `Location` header, else the body's `self` link, as given.
pub(super) fn snapshot_href(resp: &HttpResponse) -> Option<String> {
    if let Some(l) = resp
        .header("location")
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        return Some(l.to_string());
    }
    let v = parse_doc_json(&resp.body).ok()?;
    let links = v.get("snapshot").unwrap_or(&v).get("links")?.as_array()?;
    links
        .iter()
        .find(|l| text(l, "rel").as_deref() == Some("self"))
        .or_else(|| links.first())
        .and_then(|l| text(l, "href"))
        .filter(|h| !h.trim().is_empty())
}

/// An object's `self` link, as given.
pub(super) fn self_link(v: &serde_json::Value) -> Option<String> {
    v.get("links")?
        .as_array()?
        .iter()
        .find(|l| text(l, "rel").as_deref() == Some("self"))
        .and_then(|l| text(l, "href"))
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}
