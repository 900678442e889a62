//! What the VM list shows: search, filters and order, decided here so the page only renders.

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::model::{PowerState, Vm};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateFilter {
    #[default]
    All,
    Running,
    Stopped,
    /// An operation of ours is open on it, the provider locks it, or it is changing.
    Busy,
    /// A status Vigil does not know.
    Unknown,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Provider,
    Status,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmFilter {
    /// Matched, case-insensitively, against name, id, region and status.
    pub query: String,
    /// Only this connection's VMs.
    pub connection: Option<String>,
    pub state: StateFilter,
    pub sort: SortKey,
}

impl VmFilter {
    fn matches(&self, engine: &Engine, conn: &str, vm: &Vm) -> bool {
        if self.connection.as_deref().is_some_and(|c| c != conn) {
            return false;
        }
        let busy =
            vm.locked || vm.power.is_transitional() || engine.open_op_for(conn, &vm.id).is_some();
        let state_ok = match self.state {
            StateFilter::All => true,
            StateFilter::Running => vm.power == PowerState::Running && !busy,
            StateFilter::Stopped => vm.power == PowerState::Stopped && !busy,
            StateFilter::Busy => busy,
            StateFilter::Unknown => matches!(vm.power, PowerState::Unknown(_)),
        };
        let q = self.query.trim().to_lowercase();
        state_ok
            && (q.is_empty()
                || [
                    Some(vm.name.as_str()),
                    Some(vm.id.as_str()),
                    vm.region.as_deref(),
                    Some(vm.status_raw.as_str()),
                ]
                .into_iter()
                .flatten()
                .any(|f| f.to_lowercase().contains(&q)))
    }
}

impl Engine {
    /// The (connection, VM id) rows to show, filtered and in order.
    pub fn vm_rows(&self, filter: &VmFilter) -> Vec<(String, String)> {
        let mut rows: Vec<(&str, &str, &Vm)> = self
            .connections()
            .flat_map(|c| {
                let name = c.name.as_str();
                self.vms(&c.id)
                    .iter()
                    .filter(|v| filter.matches(self, &c.id, v))
                    .map(move |v| (c.id.as_str(), name, v))
            })
            .collect();
        let name_key = |v: &Vm| (v.name.to_lowercase(), v.id.clone());
        match filter.sort {
            SortKey::Name => rows.sort_by_key(|r| name_key(r.2)),
            SortKey::Provider => rows.sort_by_key(|r| (r.1.to_lowercase(), name_key(r.2))),
            SortKey::Status => rows.sort_by_key(|r| (self.status_label(r.0, r.2), name_key(r.2))),
        }
        rows.into_iter()
            .map(|(c, _, v)| (c.to_string(), v.id.clone()))
            .collect()
    }
}
