//! The rebuild form's words.

use crate::rebuild::RebuildImage;

/// The image picker's label.
pub fn rebuild_image_field() -> &'static str {
    "Image to rebuild from"
}

/// One image of the picker: the provider's name, marked when the VM runs it now.
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
