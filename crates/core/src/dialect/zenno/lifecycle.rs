//! Creating and deleting VMs (the sheet's "VM lifecycle"). Both answer `202 {"commandId"}`;
//! the create gives no id, so the new VM is found in its project's list by the name asked for
//! (the console refuses a name already used), and a delete ends when the VM is not found.

use serde_json::{json, Value};

use super::Zenno;
use crate::http::{encode_component, HttpRequest, Method};
use crate::model::VmSpec;

impl Zenno {
    /// `POST /projects/{projectId}/vms {"name", "imageId", "tariffId", "configurationId"?,
    /// "sshKeyIds", "sshPublicKeys", "plugins", "publicIpMode"}`. The project is the one chosen
    /// in the form (the spec's `region`: ZennoHosting has no regions, a VM lives in a project).
    pub(super) fn create_request(&self, spec: &VmSpec) -> HttpRequest {
        let (public_keys, key_ids): (Vec<&str>, Vec<&str>) = spec
            .ssh_keys
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
            .partition(|k| is_public_key(k));
        let mut body = json!({
            "name": spec.name.trim(),
            "imageId": spec.image.trim(),
            "tariffId": spec.size.as_deref().map(str::trim),
            "sshKeyIds": key_ids,
            "sshPublicKeys": public_keys,
            "plugins": Value::Array(Vec::new()),
            // A new public IP with the VM, or none; reusing one is not offered.
            "publicIpMode": if spec.public_ip { "new" } else { "none" },
        });
        if let Some(c) = spec
            .configuration
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            body["configurationId"] = json!(c);
        }
        let path = format!("projects/{}/vms", encode_component(&project_of(spec)));
        self.api.send(Method::Post, &path, &body)
    }

    /// `DELETE /projects/{projectId}/vms/{vmId}`, no body.
    pub(super) fn delete_request(&self, project: &str, vm_id: &str) -> HttpRequest {
        self.api
            .request(Method::Delete, &Self::vm_path(project, vm_id))
    }
}

/// The project a new VM goes to.
pub(super) fn project_of(spec: &VmSpec) -> String {
    spec.region
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A public key pasted as text (`ssh-ed25519 AAAA…`), rather than the id of a key kept in the
/// project.
fn is_public_key(key: &str) -> bool {
    ["ssh-", "ecdsa-", "sk-"].iter().any(|p| key.starts_with(p))
}
