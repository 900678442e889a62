//! Every parser of the Hostway dialect on arbitrary answers (statuses, headers, bodies).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigil_fuzz::dialect::run(vigil_core::DialectKind::Hostway, data);
});
