//! ZennoHosting's activity: every VM shows its `operation` and `operationStatus`; one under way
//! on a VM is followed by those fields, tied to the operation's name and the moment the VM
//! last changed. ZennoHosting publishes no history.

use serde_json::Value;

use super::fields::Fields;
use crate::dialect::Running;
use crate::http::HttpResponse;
use crate::ids::VmId;
use crate::json::{parse_lenient, text};
use crate::model::{ProviderRef, Vm};

/// Operations under way on the VMs of a project's list (`items`) or one VM's read; `known`:
/// the VMs as the inventory has them (a VM's project comes from where the list showed it).
pub(super) fn running(resp: &HttpResponse, known: &[Vm]) -> Vec<Running> {
    if !resp.is_success() {
        return Vec::new();
    }
    let Ok(v) = parse_lenient(&resp.body) else {
        return Vec::new();
    };
    let items: Vec<&Value> = match (&v, v.get("items")) {
        (Value::Array(a), _) | (_, Some(Value::Array(a))) => a.iter().collect(),
        (Value::Object(_), None) => vec![&v],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|item| running_one(item, known))
        .collect()
}

fn running_one(item: &Value, known: &[Vm]) -> Option<Running> {
    let f = Fields::of(item);
    // Only a status that says "under way": an unknown one keeps a followed operation open,
    // but shows nothing new started (it may be an ended one's status, spoiled).
    let under_way = matches!(f.status.as_deref(), Some("pending" | "in_progress"));
    let operation = f.operation.clone().filter(|_| under_way)?;
    let id = text(item, "id")?;
    let project = known
        .iter()
        .find(|vm| vm.id.as_str() == id)
        .and_then(|vm| vm.project.clone())?;
    let name = text(item, "name").unwrap_or_default();
    Some(Running {
        vm: VmId::new(&id),
        vm_name: name.clone(),
        kind: operation.clone(),
        by: None,
        task: ProviderRef::ZennoCommand {
            project,
            vm_id: id,
            command_id: String::new(),
            operation,
            // The VM changed when the operation began (or since): an earlier run of the same
            // operation shows an older time.
            accepted_at: f.updated.unwrap_or(0),
            vm_name: name,
        },
    })
}
