//! Links a provider gives, followed as given (RFC 3986): absolute ones as they are, relative
//! ones resolved against the URL of the request they answered. Credentials go only to the
//! origin they were configured for.

/// `scheme://authority` of an absolute URL.
pub fn origin(url: &str) -> Option<&str> {
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

pub fn has_scheme(href: &str) -> bool {
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
pub fn remove_dot_segments(path: &str) -> String {
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

/// Whether `url` is on the same origin (scheme, host and port, case-insensitive) as `base`.
pub fn same_origin(url: &str, base: &str) -> bool {
    let o = |u: &str| origin(u).map(str::to_ascii_lowercase);
    o(url).is_some() && o(url) == o(base)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let base = "https://Cloudsfor.com/api/v1";
        assert!(same_origin(
            "https://cloudsfor.com/api/v1/vms?cursor=x",
            base
        ));
        assert!(!same_origin("http://cloudsfor.com/api/v1/vms", base));
        assert!(!same_origin("https://cloudsfor.com:8443/api/v1/vms", base));
        assert!(!same_origin("https://evil.example/api/v1/vms", base));
        assert!(!same_origin("/api/v1/vms", base));
    }
}
