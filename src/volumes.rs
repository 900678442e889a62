//! The Volumes page (`#/volumes`): every connection's block-storage volumes.

use leptos::prelude::*;
use vigil_core::words::Label;

#[component]
pub fn VolumesPage() -> impl IntoView {
    view! { <h2 id="volumes-h">{Label::Volumes.text()}</h2> }
}
