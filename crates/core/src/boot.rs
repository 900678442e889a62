//! Erigones' start options: which ISO images a VM can be started from ("Start from ISO…"), as
//! its image list gives them (an administrator's catalogue, read with
//! [`crate::Command::LoadCatalogue`]), and the check a [`BootFrom`] passes before
//! [`crate::Action::StartFromIso`] is sent.

use crate::catalogue::{Catalogue, Choice, Part, PartData, PartState};
use crate::dialect::Caps;
use crate::error::ApiError;
use crate::model::{ActionKind, BootFrom};
use crate::words::Refusal;

/// What the ISO picker can offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IsoList {
    /// The images the provider lists as ready, each once.
    Ready(Vec<Choice>),
    /// The image list is being read.
    Loading,
    /// The image list could not be read (a role the provider refuses, say): its words.
    Failed(ApiError),
    /// The provider starts no VM from ISO.
    Absent(Refusal),
}

/// The ISO images a VM on a connection with these caps and this catalogue can start from.
pub fn iso_images(caps: &Caps, catalogue: Option<&Catalogue>) -> IsoList {
    if !caps.offers(ActionKind::StartFromIso) {
        return IsoList::Absent(Refusal::NotOffered {
            provider: caps.kind,
        });
    }
    match catalogue.and_then(|c| c.parts.get(&Part::Images)) {
        Some(PartState::Ready(PartData::Choices(list))) => {
            let mut out: Vec<Choice> = Vec::new();
            for c in list {
                if !c.unavailable && !out.iter().any(|o| o.id == c.id) {
                    out.push(c.clone());
                }
            }
            IsoList::Ready(out)
        }
        Some(PartState::Failed(e)) => IsoList::Failed(e.clone()),
        _ => IsoList::Loading,
    }
}

/// Whether `boot` can be asked for: an ISO chosen, and (once the list is read) one it lists,
/// the second one too.
pub fn check(caps: &Caps, catalogue: Option<&Catalogue>, boot: &BootFrom) -> Result<(), Refusal> {
    if !caps.offers(ActionKind::StartFromIso) {
        return Err(Refusal::NotOffered {
            provider: caps.kind,
        });
    }
    if boot.cdimage.trim().is_empty() {
        return Err(Refusal::ChooseImage);
    }
    if let IsoList::Ready(list) = iso_images(caps, catalogue) {
        let named = [Some(boot.cdimage.as_str()), boot.cdimage2.as_deref()];
        for name in named.into_iter().flatten().map(str::trim) {
            if !name.is_empty() && !list.iter().any(|c| c.id == name) {
                return Err(Refusal::NotInCatalogue {
                    part: Part::Images,
                    value: name.to_string(),
                });
            }
        }
    }
    Ok(())
}
