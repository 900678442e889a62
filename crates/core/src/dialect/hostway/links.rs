//! Following Hostway's `Location` headers and `self` links as given (RFC 3986).

use super::doc_json::parse_doc_json;
use crate::http::HttpResponse;
use crate::json::text;

/// `scheme://authority` of an absolute URL.
pub(super) fn origin(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + end])
}

pub(super) fn has_scheme(href: &str) -> bool {
    match href.find(':') {
        Some(i) if i > 0 => {
            let s = &href[..i];
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => false,
    }
}

/// RFC 3986 §5.2.4.
pub(super) fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').collect();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// `href` as given when absolute; else resolved (RFC 3986) against `against`, the URL of the
/// request it answered.
pub fn resolve(against: &str, href: &str) -> String {
    let href = href.trim();
    if has_scheme(href) {
        return href.to_string();
    }
    let Some(base_origin) = origin(against) else {
        return href.to_string();
    };
    if let Some(rest) = href.strip_prefix("//") {
        let scheme = &against[..against.find("://").unwrap_or(0)];
        return format!("{scheme}://{rest}");
    }
    let base_path = {
        let p = &against[base_origin.len()..];
        let end = p.find(['?', '#']).unwrap_or(p.len());
        &p[..end]
    };
    if href.is_empty() {
        return against.to_string();
    }
    if href.starts_with('?') || href.starts_with('#') {
        return format!("{base_origin}{base_path}{href}");
    }
    let (path, tail) = match href.find(['?', '#']) {
        Some(i) => (&href[..i], &href[i..]),
        None => (href, ""),
    };
    let merged = if path.starts_with('/') {
        path.to_string()
    } else {
        let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{dir}{path}")
    };
    format!("{base_origin}{}{tail}", remove_dot_segments(&merged))
}

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
