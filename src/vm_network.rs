//! A VM page's Network tab: its addresses, networks, the port forwards pointing at it, its
//! volumes and firewall.

use leptos::prelude::*;
use vigil_core::{Caps, ConnId, VmId};

use crate::networks::VmNetworks;
use crate::volumes::VmVolumes;

#[component]
pub fn NetworkTab(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    view! {
        <VmNetworks conn=conn.clone() vm=vm.clone() caps/>
        <VmVolumes conn vm caps/>
    }
}
