//! The page's hash routes, so any page of the console can be linked and opened directly from a
//! static host: `#/` is the VM list, `#/vms/<connection>/<vm>` one VM's page. Pure: the page
//! reads `location.hash` and sets it; parsing and making links happen here.

use serde::{Deserialize, Serialize};

use crate::http::encode_component;
use crate::ids::{ConnId, VmId};

/// Where the page is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// The VM list (also anything not understood).
    List,
    /// One VM's page.
    Vm { conn: ConnId, vm: VmId },
}

impl Route {
    /// The `href` of this route: `#/`, or `#/vms/<conn>/<vm>` with both percent-encoded.
    pub fn href(&self) -> String {
        match self {
            Route::List => "#/".into(),
            Route::Vm { conn, vm } => format!(
                "#/vms/{}/{}",
                encode_component(conn.as_str()),
                encode_component(vm.as_str())
            ),
        }
    }
}

/// Reads a `location.hash`, with or without its leading `#` (and `/`); anything not understood
/// is the list. Segments are percent-decoded; one that does not decode to UTF-8 is taken as
/// written.
pub fn parse(hash: &str) -> Route {
    let path = hash.strip_prefix('#').unwrap_or(hash);
    let path = path.trim_start_matches('/');
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["vms", conn, vm] | ["vms", conn, vm, ""] if !conn.is_empty() && !vm.is_empty() => {
            Route::Vm {
                conn: ConnId(decode(conn)),
                vm: VmId(decode(vm)),
            }
        }
        _ => Route::List,
    }
}

/// `%XX` sequences as bytes (a `%` not followed by two hex digits stays as it is), read as
/// UTF-8; the segment as written when they are not UTF-8.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(conn: &str, vm: &str) -> Route {
        Route::Vm {
            conn: conn.into(),
            vm: vm.into(),
        }
    }

    #[test]
    fn reads_the_list_and_a_vm_page() {
        assert_eq!(parse(""), Route::List);
        assert_eq!(parse("#"), Route::List);
        assert_eq!(parse("#/"), Route::List);
        assert_eq!(parse("#/vms/c1/v1"), vm("c1", "v1"));
        assert_eq!(parse("vms/c1/v1"), vm("c1", "v1"));
        assert_eq!(parse("#/vms/c1/v1/"), vm("c1", "v1"));
    }

    #[test]
    fn anything_else_is_the_list() {
        for h in [
            "#/vms",
            "#/vms/c1",
            "#/vms//v1",
            "#/vms/c1/",
            "#/vms/c1/v1/extra",
            "#/other/c1/v1",
            "#/VMS/c1/v1",
        ] {
            assert_eq!(parse(h), Route::List, "{h}");
        }
    }

    #[test]
    fn segments_are_percent_decoded_and_links_encoded() {
        let r = vm("my conn/1", "web 01?é");
        assert_eq!(r.href(), "#/vms/my%20conn%2F1/web%2001%3F%C3%A9");
        assert_eq!(parse(&r.href()), r);
        assert_eq!(Route::List.href(), "#/");
        // Not UTF-8 once decoded, or not an escape: taken as written.
        assert_eq!(parse("#/vms/c1/%FF"), vm("c1", "%FF"));
        assert_eq!(parse("#/vms/c1/50%"), vm("c1", "50%"));
        assert_eq!(parse("#/vms/c1/%zz%4"), vm("c1", "%zz%4"));
    }
}
