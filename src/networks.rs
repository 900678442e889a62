//! The Networks page (`#/networks`): every connection's private networks, public IPs and their
//! port forwards; and, on a VM's Network tab, the networks it is in and the forwards to it.

use leptos::prelude::*;
use vigil_core::words::Label;
use vigil_core::{Caps, ConnId, VmId};

#[component]
pub fn NetworksPage() -> impl IntoView {
    view! { <h2 id="networks-h">{Label::Networks.text()}</h2> }
}

/// The VM page's Network tab, its networks part: the networks the VM is in (join, leave) and
/// the port forwards that point at it.
#[component]
pub fn VmNetworks(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let _ = (conn, vm, caps);
}
