//! The lenient JSON reader: never panics, and reads whatever strict JSON reads the same.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigil_fuzz::small::json_lenient(data);
});
