//! Rebuilding (reinstalling) a VM from an image: which images the picker offers for a VM, and
//! the check an image passes before [`crate::Action::Rebuild`] is sent.
//!
//! Per the sheets: cloudsfor rebuilds from a distribution image (its distro, as the create form
//! takes it), ONETSolutions reinstalls from an image id, both from the catalogue's
//! [`Part::Images`]; Erigones' recreate redeploys the VM's own definition, so its only choice is
//! the current image ([`CURRENT_IMAGE`]). Hostway and ZennoHosting publish no rebuild
//! ([`Refusal::NoRebuild`]).

use crate::catalogue::{Catalogue, Part, PartData, PartState};
use crate::dialect::Caps;
use crate::model::{Vm, CURRENT_IMAGE};
use crate::words::Refusal;

/// One image a VM can be rebuilt from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RebuildImage {
    /// What [`crate::Action::Rebuild`]'s `image` takes.
    pub id: String,
    /// The provider's name for it; `None` for the current image of a provider that names none
    /// (said by [`crate::words::rebuild_image_label`]).
    pub label: Option<String>,
    /// The VM runs it now, as far as the provider shows.
    pub current: bool,
}

/// The images the rebuild picker offers for `vm` on a connection with these caps and this
/// catalogue (once loaded with [`crate::Command::LoadCatalogue`]): the catalogue's images the
/// provider would take for this VM (available, fitting its disk), each once; or the current
/// image alone where the provider redeploys it; or why there is nothing to pick.
pub fn rebuild_images(
    caps: &Caps,
    catalogue: Option<&Catalogue>,
    vm: &Vm,
) -> Result<Vec<RebuildImage>, Refusal> {
    let rc = caps.rebuild()?;
    if rc.current_image_only {
        return Ok(vec![RebuildImage {
            id: CURRENT_IMAGE.to_string(),
            label: vm.image.clone(),
            current: true,
        }]);
    }
    let choices = match catalogue.and_then(|c| c.parts.get(&Part::Images)) {
        Some(PartState::Ready(PartData::Choices(c))) => c,
        _ => return Err(Refusal::CatalogueNotReady),
    };
    let fits = |min: Option<u32>| match (min, vm.size.disk_gb) {
        (Some(min), Some(disk)) => min <= disk,
        _ => true,
    };
    let mut out: Vec<RebuildImage> = Vec::new();
    for c in choices {
        if c.unavailable || !fits(c.min_disk_gb) || out.iter().any(|i| i.id == c.id) {
            continue;
        }
        // cloudsfor names an image by its version alone (`24.04 (LTS) x64`): its distro first.
        let label = match c.os.as_deref().map(str::trim) {
            Some(os) if !os.is_empty() && !c.label.to_lowercase().contains(&os.to_lowercase()) => {
                format!("{os} {}", c.label)
            }
            _ => c.label.clone(),
        };
        out.push(RebuildImage {
            id: c.id.clone(),
            label: Some(label),
            current: vm.image_id.as_deref() == Some(c.id.as_str()),
        });
    }
    Ok(out)
}

/// Whether `image` can be asked for here: [`CURRENT_IMAGE`] where the provider redeploys only
/// that; elsewhere an image of the catalogue, when the catalogue lists its images (a tab that has
/// not loaded it leaves the provider the last word, as a create does).
pub fn check_image(caps: &Caps, catalogue: Option<&Catalogue>, image: &str) -> Result<(), Refusal> {
    let rc = caps.rebuild()?;
    let image = image.trim();
    if image.is_empty() {
        return Err(Refusal::ChooseImage);
    }
    if rc.current_image_only != (image == CURRENT_IMAGE) {
        return Err(if rc.current_image_only {
            Refusal::RebuildsCurrentImageOnly {
                provider: caps.kind,
            }
        } else {
            Refusal::ChooseImage
        });
    }
    let listed = catalogue.map(|c| c.choices(Part::Images)).unwrap_or(&[]);
    if !rc.current_image_only && !listed.is_empty() && !listed.iter().any(|c| c.id == image) {
        return Err(Refusal::NotInCatalogue {
            part: Part::Images,
            value: image.to_string(),
        });
    }
    Ok(())
}

/// The VM's name typed back to confirm a rebuild (its disk is replaced), as a delete asks.
pub fn confirm(vm: &Vm, typed: &str) -> Result<(), Refusal> {
    if typed.trim() == vm.name.trim() {
        Ok(())
    } else {
        Err(Refusal::TypeNameToConfirm {
            name: vm.name.clone(),
        })
    }
}

#[cfg(test)]
mod tests;
