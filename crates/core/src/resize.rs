//! Resizing to a size of the provider's catalogue (ONETSolutions' `resize_vps` takes a
//! `size_id`, as its create does): which sizes the picker offers for a VM.

use crate::catalogue::{Catalogue, Part, PartData, PartState};
use crate::dialect::Caps;
use crate::model::{Resize, Vm};
use crate::words::Refusal;

/// One size a VM can be resized to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeChoice {
    /// What [`Resize::Size`] takes.
    pub resize: Resize,
    /// The provider's name, then its numbers where it gives them: `VPS L · 2 vCPU · 4 GB RAM`.
    pub label: String,
    /// The VM has this size now, as far as the provider shows (it is not offered to pick).
    pub current: bool,
}

/// The catalogue's sizes the provider would take for `vm`, where it resizes to them (else
/// [`Refusal::NotOffered`]-like refusals from the caps), once the catalogue is loaded
/// ([`crate::Command::LoadCatalogue`]; else [`Refusal::CatalogueNotReady`]).
pub fn sizes(
    caps: &Caps,
    catalogue: Option<&Catalogue>,
    vm: &Vm,
) -> Result<Vec<SizeChoice>, Refusal> {
    if !caps.resizes_to_catalogue_size {
        return Err(Refusal::NotOffered {
            provider: caps.kind,
        });
    }
    let choices = match catalogue.and_then(|c| c.parts.get(&Part::Sizes)) {
        Some(PartState::Ready(PartData::Choices(c))) => c,
        _ => return Err(Refusal::CatalogueNotReady),
    };
    let mut out: Vec<SizeChoice> = Vec::new();
    for c in choices {
        if c.unavailable || out.iter().any(|s| s.resize == size_of(&c.id, &c.label)) {
            continue;
        }
        let mut label = vec![c.label.clone()];
        label.extend(c.vcpus.map(|n| format!("{n} vCPU")));
        label.extend(c.ram_mb.map(|mb| format!("{} GB RAM", mb.div_ceil(1024))));
        label.extend(c.disk_gb.map(|gb| format!("{gb} GB disk")));
        let current = vm.size.flavor.as_deref().map(str::trim) == Some(c.label.trim())
            || vm.size.flavor.as_deref() == Some(c.id.as_str());
        out.push(SizeChoice {
            resize: size_of(&c.id, &c.label),
            label: label.join(" · "),
            current,
        });
    }
    Ok(out)
}

fn size_of(id: &str, name: &str) -> Resize {
    Resize::Size {
        id: id.to_string(),
        name: name.to_string(),
    }
}
