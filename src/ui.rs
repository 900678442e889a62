//! Page state shared by the components (not the engine's): which dialog is open, which VMs are
//! selected, a one-second clock for elapsed times, and the current route.

use std::collections::BTreeSet;

use leptos::prelude::*;
use vigil_core::engine::VmCommand;
use vigil_core::{ActionKind, ConnId, VmId};

use crate::route::Route;

/// A VM, as (connection id, VM id).
pub type VmKey = (ConnId, VmId);

/// The dialog that is open, if any.
#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    /// A form or confirmation for one action on one VM (a delete included).
    Action {
        conn: ConnId,
        vm: VmId,
        kind: ActionKind,
    },
    /// The graceful stop with a countdown before power off, on one VM.
    Stop { conn: ConnId, vm: VmId },
    /// A confirmation for a command on every selected VM.
    Bulk { command: VmCommand },
    /// A new VM, on this connection if one was chosen.
    Create { conn: Option<ConnId> },
}

#[derive(Clone, Copy)]
pub struct Ui {
    pub dialog: RwSignal<Option<Dialog>>,
    pub selected: RwSignal<BTreeSet<VmKey>>,
    /// Epoch ms, ticking every second (leptos-use clears the interval on unmount).
    pub now: RwSignal<i64>,
    pub route: RwSignal<Route>,
    /// The latest bulk action's per-VM summary is shown.
    pub show_bulk: RwSignal<bool>,
}

impl Ui {
    pub fn new() -> Self {
        let now = RwSignal::new(crate::now_ms());
        let _ = leptos_use::use_interval_fn(move || now.set(crate::now_ms()), 1000);
        Ui {
            dialog: RwSignal::new(None),
            selected: RwSignal::new(BTreeSet::new()),
            now,
            route: crate::route::use_route(),
            show_bulk: RwSignal::new(false),
        }
    }
}

impl Default for Ui {
    fn default() -> Self {
        Self::new()
    }
}

/// A progress bar's fill for `pct` percent: a transform (scaled on the compositor, no layout),
/// not a width.
pub fn bar_fill(pct: u8) -> String {
    format!("scaleX({})", f64::from(pct.min(100)) / 100.0)
}
