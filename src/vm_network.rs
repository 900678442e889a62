//! A VM page's Network tab: its addresses, networks, the port forwards pointing at it, its
//! volumes and firewall.

use leptos::prelude::*;
use vigil_core::{Caps, ConnId, VmId};

#[component]
pub fn NetworkTab(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let _ = (conn, vm, caps);
}
