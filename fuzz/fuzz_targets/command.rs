//! Commands from other tabs' messages: decoded, then carried out by an engine with a listed
//! connection, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigil_fuzz::small::command(data);
});
