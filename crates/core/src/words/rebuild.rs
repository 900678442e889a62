//! The rebuild form's words.

use crate::dialect::{DialectKind, RebuildCaps};
use crate::rebuild::RebuildImage;

/// The image picker's label.
pub fn rebuild_image_field() -> &'static str {
    "Image to rebuild from"
}

/// One image of the picker: the provider's name, marked when the VM runs it now.
/// A size the VM has now, in the resize picker: `VPS L · 2 vCPU (current size)`.
pub fn current_size(label: &str) -> String {
    format!("{} (current size)", super::name(label))
}

pub fn rebuild_image_label(image: &RebuildImage) -> String {
    let name = image
        .label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(super::name);
    match (name, image.current) {
        (Some(n), true) => format!("{n} (current image)"),
        (Some(n), false) => n,
        (None, _) => "The current image".to_string(),
    }
}

/// What the confirmation asks for: the VM's name typed back.
pub fn rebuild_confirm_prompt(vm: &str) -> String {
    format!(
        "Rebuilding replaces the disk of {}: everything on it is lost. Type the VM's name to confirm.",
        super::name(vm)
    )
}

/// What a rebuild does besides replacing the disk (said by [`rebuild_confirm_prompt`]): the
/// image it takes where there is no choice, the VM stopped first where the provider rebuilds
/// only stopped VMs, how it ends.
pub fn rebuild_what_happens(provider: DialectKind, rc: RebuildCaps) -> Vec<String> {
    let mut said = Vec::new();
    if rc.current_image_only {
        said.push(format!(
            "{} redeploys the VM from its current image only: there is no other image to pick.",
            provider.label()
        ));
    }
    if rc.needs_stopped {
        said.push(format!(
            "{} rebuilds only a stopped VM: stop it first.",
            provider.label()
        ));
    }
    if rc.ends_running {
        said.push("The VM runs again once it is rebuilt.".to_string());
    }
    said
}
