//! What the Volumes page and a VM's volumes say besides the provider's own words.

use crate::model::{Res, ResState};

/// The Volumes page's fixed words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VolLabel {
    Name,
    Size,
    State,
    AttachedTo,
    Actions,
    Attach,
    Detach,
    Resize,
    Delete,
    Create,
    /// The create form's VM (ONETSolutions: the instance the volume is made on).
    MadeOn,
    Region,
    /// Size in GB (a field).
    SizeGb,
    /// The new size in GB (a field).
    NewSizeGb,
    /// The VM to attach to (a field).
    AttachTo,
    /// Not attached to any VM.
    NotAttached,
    /// The provider names new volumes itself (ONETSolutions).
    ProviderNames,
    /// Volumes only grow.
    GrowsOnly,
    Reading,
    ReadAgain,
    ReadFailed,
    /// None listed.
    NoneYet,
    /// The operations on this connection's volumes.
    Running,
    /// The page's lead: what it lists.
    Lead,
    /// This VM's volumes (a VM page's section).
    OfThisVm,
    /// Detach anyway (the confirmation of a detach from a running VM).
    DetachAnyway,
    /// What a delete does.
    DeleteIsFinal,
    /// No VM to attach it to (ONETSolutions: its own is gone; cloudsfor: none in its region).
    NoVmToAttach,
}

impl VolLabel {
    pub fn text(self) -> String {
        match self {
            VolLabel::Name => "Name",
            VolLabel::Size => "Size",
            VolLabel::State => "State",
            VolLabel::AttachedTo => "Attached to",
            VolLabel::Actions => "Actions",
            VolLabel::Attach => "Attach",
            VolLabel::Detach => "Detach",
            VolLabel::Resize => "Resize",
            VolLabel::Delete => "Delete",
            VolLabel::Create => "Create volume",
            VolLabel::MadeOn => "VM",
            VolLabel::Region => "Region",
            VolLabel::SizeGb => "Size (GB)",
            VolLabel::NewSizeGb => "New size (GB)",
            VolLabel::AttachTo => "Attach to VM",
            VolLabel::NotAttached => "not attached",
            VolLabel::ProviderNames => "The provider names a new volume itself.",
            VolLabel::GrowsOnly => "Volumes only grow: the new size must be larger.",
            VolLabel::Reading => "Reading the volumes…",
            VolLabel::ReadAgain => "Read again",
            VolLabel::ReadFailed => "The last read failed; the list may be older:",
            VolLabel::NoneYet => "No volumes yet.",
            VolLabel::Running => "Volume operations",
            VolLabel::Lead => {
                "Block-storage volumes of every connection, each change followed until the volume shows it."
            }
            VolLabel::OfThisVm => "Volumes",
            VolLabel::DetachAnyway => "Detach anyway",
            VolLabel::DeleteIsFinal => {
                "Deleting a volume destroys the data on it. This cannot be undone."
            }
            VolLabel::NoVmToAttach => "No VM it can be attached to.",
        }
        .into()
    }
}

/// `50 GB`.
pub fn volume_size(gb: u32) -> String {
    format!("{gb} GB")
}

/// A volume's state as the provider says it (its own word where it gave one, raw where this
/// version does not know it).
pub fn volume_state(r: &Res) -> String {
    match (&r.state, r.status_raw.trim()) {
        (ResState::Unknown(raw), _) => super::name(raw),
        (_, "") => super::res_state(&r.state),
        (_, raw) => super::name(raw),
    }
}

/// The caption of a connection's volume table: `Volumes of ONETSolutions demo`.
pub fn volumes_of(connection: &str) -> String {
    format!("Volumes of {}", super::name(connection))
}

/// `Volumes of web-01` (a VM's own, ONETSolutions).
pub fn volumes_on_vm(vm: &str) -> String {
    format!("Volumes of VM {}", super::name(vm))
}
