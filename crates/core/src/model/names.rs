//! The names a user types: what makes one acceptable.

use crate::words::Refusal;

/// Characters that show nothing but change how text around them reads: bidi embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks (U+200E, U+200F, U+061C),
/// zero-width spaces and joiners (U+200B–U+200D, U+2060–U+2064, U+FEFF), interlinear annotation
/// (U+FFF9–U+FFFB).
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// A name a user typed: not empty, at most 255 characters, no control characters, no
/// invisible ones that could make it read as something else ([`is_invisible`]).
pub fn check_name(name: &str) -> Result<(), Refusal> {
    let n = name.trim();
    if n.is_empty() {
        Err(Refusal::EnterName)
    } else if n.chars().count() > 255 {
        Err(Refusal::NameTooLong { max: 255 })
    } else if n.chars().any(char::is_control) {
        Err(Refusal::NameHasControlCharacters)
    } else if let Some(c) = n.chars().find(|c| is_invisible(*c)) {
        Err(Refusal::NameHasInvisible { code: u32::from(c) })
    } else {
        Ok(())
    }
}
