//! Words for Erigones' options in a VM's Power tab: "Start from ISO…" (its form), Freeze,
//! Unfreeze and "Refresh from the node".

use crate::model::BootFrom;

/// A fixed label of the Power tab's provider options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BootLabel {
    /// The group of the provider's own options, named for assistive technology.
    Options,
    /// Opens the form.
    StartFromIsoOpen,
    Iso,
    SecondIso,
    NoSecondIso,
    /// How long it boots from the ISO.
    BootFrom,
    Once,
    Always,
    Update,
    UpdateHint,
    LoadingImages,
    FreezeHint,
    UnfreezeHint,
    RefreshHint,
}

impl BootLabel {
    pub fn text(self) -> &'static str {
        use BootLabel as L;
        match self {
            L::Options => "Provider options",
            L::StartFromIsoOpen => "Start from ISO…",
            L::Iso => "ISO image",
            L::SecondIso => "Second ISO (optional)",
            L::NoSecondIso => "None",
            L::BootFrom => "Boot from the ISO",
            L::Once => "This boot only",
            L::Always => "Every boot, until changed",
            L::Update => "Apply pending configuration changes",
            L::UpdateHint => {
                "Changes made to the VM's definition since it last started are applied as it \
                 starts (the provider's `update`)."
            }
            L::LoadingImages => "Reading the image list…",
            L::FreezeHint => {
                "Shuts the VM down and keeps it frozen: it cannot be started until unfrozen."
            }
            L::UnfreezeHint => "Lets a frozen VM be started again; it stays off.",
            L::RefreshHint => {
                "Asks the compute node for the VM's real status and stores it, where the \
                 provider's record may be behind."
            }
        }
    }
}

/// What a start from ISO is called: `Start from ISO “debian-12” (this boot only)`.
pub fn describe(b: &BootFrom) -> String {
    let when = if b.once {
        "this boot only"
    } else {
        "every boot"
    };
    let second = match b.cdimage2.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => format!(" with “{}”", super::name(s)),
        _ => String::new(),
    };
    format!(
        "Start from ISO “{}”{second} ({when})",
        super::name(b.cdimage.trim())
    )
}
