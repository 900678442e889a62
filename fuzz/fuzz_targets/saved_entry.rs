//! The saved-state decoder on arbitrary keys and texts: an entry or a typed error, never a
//! panic; what it reads encodes and decodes to itself.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigil_fuzz::small::saved_entry(data);
});
