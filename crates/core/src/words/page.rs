//! The words of the VM list's menus and copy buttons and of a VM page's tabs. Numbers come in
//! already said in the user's own way (the page formats them with the browser's `Intl`).

use crate::dialect::DialectKind;
use crate::route::VmTab;

/// A fixed label of the list's rows and the VM page's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PageLabel {
    /// The menu button of a row: "Actions".
    Actions,
    Copy,
    Copied,
    /// The clipboard was refused (no permission, not a secure page): select and copy by hand.
    CopyRefused,
    /// A VM page's tab list.
    VmSections,
    /// The Power tab's actions.
    PowerActions,
    /// The address list of a VM with none.
    NoAddresses,
    /// A VM page's field for its provider connection.
    Connection,
    /// A skeleton row while the providers answer.
    LoadingRow,
}

impl PageLabel {
    pub fn text(self) -> &'static str {
        match self {
            PageLabel::Actions => "Actions",
            PageLabel::Copy => "Copy",
            PageLabel::Copied => "Copied",
            PageLabel::CopyRefused => {
                "The browser refused the clipboard: select the address and copy it yourself."
            }
            PageLabel::VmSections => "Sections of this VM",
            PageLabel::PowerActions => "Power actions",
            PageLabel::NoAddresses => "No IP address is known for this VM.",
            PageLabel::Connection => "Connection",
            PageLabel::LoadingRow => "Loading…",
        }
    }
}

/// A VM page's tab.
pub fn tab_label(tab: VmTab) -> &'static str {
    match tab {
        VmTab::Overview => "Overview",
        VmTab::Power => "Power",
        VmTab::Network => "Network",
        VmTab::Snapshots => "Snapshots",
        VmTab::Backups => "Backups",
        VmTab::Resize => "Resize",
        VmTab::Rebuild => "Rebuild",
        VmTab::Rename => "Rename",
        VmTab::Delete => "Delete",
        VmTab::History => "History",
    }
}

/// The menu button of one VM's row: `Actions for web-01`.
pub fn actions_for(vm: &str) -> String {
    format!("Actions for {}", super::name(vm))
}

/// A copy button: `Copy 203.0.113.7`.
pub fn copy_address(ip: &str) -> String {
    format!("Copy {ip}")
}

/// An address's kind: `Public IPv4`, `Private IPv6`.
pub fn address_kind(public: bool, version: u8) -> String {
    let reach = if public { "Public" } else { "Private" };
    match version {
        4 | 6 => format!("{reach} IPv{version}"),
        _ => reach.to_string(),
    }
}

/// The list's count, its numbers said in the user's way: `1,234 of 10,000 VMs`.
pub fn vm_count_said(shown: &str, total: &str) -> String {
    format!("{shown} of {total} VMs")
}

/// A connection's line once listed, its number said in the user's way: ` — 10,000 VMs`.
pub fn listed_said(n: usize, said: &str) -> String {
    if n == 1 {
        " — 1 VM".into()
    } else {
        format!(" — {said} VMs")
    }
}

/// What a provider does not offer on a VM page's tab: `Hostway does not offer: Power cycle,
/// Reset password.`
pub fn not_offered_here(provider: DialectKind, what: &[&str]) -> String {
    format!("{} does not offer: {}.", provider.label(), what.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tab_has_its_own_label() {
        let labels: std::collections::HashSet<_> =
            VmTab::ALL.iter().map(|t| tab_label(*t)).collect();
        assert_eq!(labels.len(), VmTab::ALL.len());
    }
}
