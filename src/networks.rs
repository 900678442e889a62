//! The Networks page (`#/networks`): every connection's private networks, public IPs and their
//! port forwards.

use leptos::prelude::*;
use vigil_core::words::Label;

#[component]
pub fn NetworksPage() -> impl IntoView {
    view! { <h2 id="networks-h">{Label::Networks.text()}</h2> }
}
