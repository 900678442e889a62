//! The Volumes page (`#/volumes`): every connection's block-storage volumes; and, on a VM's
//! Network tab, the volumes attached to it.

use leptos::prelude::*;
use vigil_core::words::Label;
use vigil_core::{Caps, ConnId, VmId};

#[component]
pub fn VolumesPage() -> impl IntoView {
    view! { <h2 id="volumes-h">{Label::Volumes.text()}</h2> }
}

/// The VM page's Network tab, its volumes part: the volumes attached to the VM.
#[component]
pub fn VmVolumes(conn: ConnId, vm: VmId, caps: &'static Caps) -> impl IntoView {
    let _ = (conn, vm, caps);
}
