//! The page's hash routes, so any page of the console can be linked and opened directly from a
//! static host: `#/` is the VM list, `#/vms/<connection>/<vm>/<tab>` one VM's page at one of its
//! tabs (`#/vms/<connection>/<vm>`, the older link, is its overview), `#/networks` and
//! `#/volumes` the connections' networks (with public IPs and port forwards) and volumes. Pure: the page reads
//! `location.hash` and sets it; parsing and making links happen here.

use serde::{Deserialize, Serialize};

use crate::http::encode_component;
use crate::ids::{ConnId, VmId};

/// Where the page is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// The VM list (also anything not understood).
    List,
    /// One VM's page, at one of its tabs.
    Vm { conn: ConnId, vm: VmId, tab: VmTab },
    /// Every connection's private networks, public IPs and their port forwards.
    Networks,
    /// Every connection's volumes.
    Volumes,
}

/// The tabs of a VM's page, in the order they are shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VmTab {
    #[default]
    Overview,
    Power,
    /// Its addresses, networks, port forwards, volumes and firewall.
    Network,
    Snapshots,
    Backups,
    Resize,
    Rebuild,
    Rename,
    Delete,
    History,
}

impl VmTab {
    pub const ALL: [VmTab; 10] = [
        VmTab::Overview,
        VmTab::Power,
        VmTab::Network,
        VmTab::Snapshots,
        VmTab::Backups,
        VmTab::Resize,
        VmTab::Rebuild,
        VmTab::Rename,
        VmTab::Delete,
        VmTab::History,
    ];

    /// The tab's segment in a link: `overview`, `power`, …
    pub fn slug(self) -> &'static str {
        match self {
            VmTab::Overview => "overview",
            VmTab::Power => "power",
            VmTab::Network => "network",
            VmTab::Snapshots => "snapshots",
            VmTab::Backups => "backups",
            VmTab::Resize => "resize",
            VmTab::Rebuild => "rebuild",
            VmTab::Rename => "rename",
            VmTab::Delete => "delete",
            VmTab::History => "history",
        }
    }

    /// The tab a segment names (exactly, lower case), if any.
    pub fn from_slug(s: &str) -> Option<VmTab> {
        VmTab::ALL.into_iter().find(|t| t.slug() == s)
    }
}

impl Route {
    /// A VM's page at its overview.
    pub fn vm(conn: ConnId, vm: VmId) -> Route {
        Route::Vm {
            conn,
            vm,
            tab: VmTab::Overview,
        }
    }

    /// The `href` of this route: `#/`, or `#/vms/<conn>/<vm>/<tab>` with both ids
    /// percent-encoded.
    pub fn href(&self) -> String {
        match self {
            Route::List => "#/".into(),
            Route::Networks => "#/networks".into(),
            Route::Volumes => "#/volumes".into(),
            Route::Vm { conn, vm, tab } => format!(
                "#/vms/{}/{}/{}",
                encode_component(conn.as_str()),
                encode_component(vm.as_str()),
                tab.slug()
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
        ["networks"] | ["networks", ""] => Route::Networks,
        ["volumes"] | ["volumes", ""] => Route::Volumes,
        ["vms", conn, vm] | ["vms", conn, vm, ""] if !conn.is_empty() && !vm.is_empty() => {
            Route::vm(ConnId(decode(conn)), VmId(decode(vm)))
        }
        ["vms", conn, vm, tab] | ["vms", conn, vm, tab, ""]
            if !conn.is_empty() && !vm.is_empty() =>
        {
            match VmTab::from_slug(tab) {
                Some(tab) => Route::Vm {
                    conn: ConnId(decode(conn)),
                    vm: VmId(decode(vm)),
                    tab,
                },
                None => Route::List,
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
        Route::vm(conn.into(), vm.into())
    }

    fn at(conn: &str, vm: &str, tab: VmTab) -> Route {
        Route::Vm {
            conn: conn.into(),
            vm: vm.into(),
            tab,
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
    fn the_networks_and_volumes_pages_link_to_themselves() {
        for r in [Route::Networks, Route::Volumes] {
            assert_eq!(parse(&r.href()), r);
            assert_eq!(parse(&format!("{}/", r.href())), r);
        }
        assert_eq!(parse("#/networks/x"), Route::List, "nothing below them yet");
    }

    #[test]
    fn every_tab_links_to_itself_and_old_links_open_the_overview() {
        for tab in VmTab::ALL {
            let r = at("c1", "v 1", tab);
            assert_eq!(r.href(), format!("#/vms/c1/v%201/{}", tab.slug()));
            assert_eq!(parse(&r.href()), r, "{tab:?}");
            assert_eq!(parse(&format!("{}/", r.href())), r, "{tab:?}");
        }
        // The links made before tabs existed still open the VM's page, at its overview.
        assert_eq!(parse("#/vms/c1/v1"), at("c1", "v1", VmTab::Overview));
        let slugs: std::collections::HashSet<_> = VmTab::ALL.iter().map(|t| t.slug()).collect();
        assert_eq!(
            slugs.len(),
            VmTab::ALL.len(),
            "each tab has its own segment"
        );
    }

    #[test]
    fn anything_else_is_the_list() {
        for h in [
            "#/vms",
            "#/vms/c1",
            "#/vms//v1",
            "#/vms/c1/",
            "#/vms/c1/v1/extra",
            "#/vms/c1/v1/Power",
            "#/vms/c1/v1/power/more",
            "#/other/c1/v1",
            "#/VMS/c1/v1",
        ] {
            assert_eq!(parse(h), Route::List, "{h}");
        }
    }

    #[test]
    fn segments_are_percent_decoded_and_links_encoded() {
        let r = vm("my conn/1", "web 01?é");
        assert_eq!(r.href(), "#/vms/my%20conn%2F1/web%2001%3F%C3%A9/overview");
        assert_eq!(parse(&r.href()), r);
        assert_eq!(Route::List.href(), "#/");
        // Not UTF-8 once decoded, or not an escape: taken as written.
        assert_eq!(parse("#/vms/c1/%FF"), vm("c1", "%FF"));
        assert_eq!(parse("#/vms/c1/50%"), vm("c1", "50%"));
        assert_eq!(parse("#/vms/c1/50%/power"), at("c1", "50%", VmTab::Power));
        assert_eq!(parse("#/vms/c1/%zz%4"), vm("c1", "%zz%4"));
    }
}
