//! What the Volumes page reads of the engine: where each connection lists its volumes, the
//! volumes a VM has, the operation of each volume, and what a detach asks first.

use crate::engine::View;
use crate::ids::{ConnId, VmId};
use crate::model::{Operation, Res, ResList, ResourceKind, Scope, Vm};
use crate::words::ResRefusal;

impl<'a> View<'a> {
    /// Where this connection lists its volumes: the connection, or each VM listed (an
    /// ONETSolutions instance's). Empty where the provider has none
    /// ([`crate::dialect::VolCaps::absent_why`] says why).
    pub fn volume_scopes(&self, conn: &ConnId) -> Vec<Scope> {
        let Some(caps) = self.caps(conn) else {
            return Vec::new();
        };
        if !caps.volumes.ops.list.offered() {
            return Vec::new();
        }
        if caps.volumes.per_vm {
            self.vms(conn)
                .iter()
                .map(|v| Scope::Vm(v.id.clone()))
                .collect()
        } else {
            vec![Scope::Conn]
        }
    }

    /// Every volume of the connection as last read, with the scope it is listed in.
    pub fn volumes(&self, conn: &ConnId) -> Vec<(Scope, &'a Res)> {
        let mut out = Vec::new();
        for scope in self.volume_scopes(conn) {
            if let Some(list) = self.list(conn, &scope, ResourceKind::Volume) {
                out.extend(list.items.iter().map(|r| (scope.clone(), r)));
            }
        }
        out
    }

    /// The volume list of `scope`, where read.
    pub fn volume_list(&self, conn: &ConnId, scope: &Scope) -> Option<&'a ResList> {
        self.list(conn, scope, ResourceKind::Volume)
    }

    /// The volumes of a VM, as last read, with their scope: those attached to it, and (where
    /// volumes belong to an instance) those made on it.
    pub fn vm_volumes(&self, conn: &ConnId, vm: &VmId) -> Vec<(Scope, &'a Res)> {
        self.volumes(conn)
            .into_iter()
            .filter(|(scope, r)| scope.vm() == Some(vm) || r.attached_to() == Some(vm))
            .collect()
    }

    /// The newest operation on the volume `id` (open or ended), to show its progress and end.
    pub fn volume_op(&self, conn: &ConnId, id: &str) -> Option<&'a Operation> {
        self.operations()
            .filter(|o| &o.connection == conn)
            .filter(|o| {
                o.target
                    .res()
                    .is_some_and(|t| t.kind == ResourceKind::Volume && t.id == Some(id))
            })
            .max_by_key(|o| o.submitted_at)
    }

    /// Volume creates in `scope` not yet tied to a volume (no id learned yet), newest last.
    pub fn volume_creates(&self, conn: &ConnId, scope: &Scope) -> Vec<&'a Operation> {
        let mut ops: Vec<&Operation> = self
            .operations()
            .filter(|o| &o.connection == conn)
            .filter(|o| {
                o.target.res().is_some_and(|t| {
                    t.kind == ResourceKind::Volume && t.scope == scope && t.id.is_none()
                })
            })
            .collect();
        ops.sort_by_key(|o| o.submitted_at);
        ops
    }

    /// The VMs a volume may be attached to: all listed, or only its own where the provider
    /// attaches a volume to the VM it was made on; of its region where it has one.
    pub fn attach_choices(&self, conn: &ConnId, scope: &Scope, volume: &Res) -> Vec<&'a Vm> {
        let Some(caps) = self.caps(conn) else {
            return Vec::new();
        };
        self.vms(conn)
            .iter()
            .filter(|v| !caps.volumes.owner_only || scope.vm() == Some(&v.id))
            .filter(|v| {
                !caps.volumes.regional
                    || volume.region().is_none()
                    || v.region.as_deref() == volume.region()
            })
            .collect()
    }

    /// The regions a new volume may be made in (cloudsfor): those of the connection's VMs, a
    /// volume being of use only to VMs of its region.
    pub fn volume_regions(&self, conn: &ConnId) -> Vec<String> {
        let mut regions: Vec<String> = self
            .vms(conn)
            .iter()
            .filter_map(|v| v.region.clone())
            .filter(|r| !r.trim().is_empty())
            .collect();
        regions.sort();
        regions.dedup();
        regions
    }

    /// What a detach from `vm` asks first: the refusal it would meet without confirmation,
    /// because the VM runs (`None`: nothing to ask). Confirmed, the page sends the detach with
    /// `running_ok`.
    pub fn detach_confirm(&self, conn: &ConnId, vm: &VmId) -> Option<ResRefusal> {
        crate::engine::volrules::detach_confirm(self.core, conn, vm)
    }
}
