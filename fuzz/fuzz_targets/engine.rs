//! An engine talking to the simulator through a hostile wire: answers garbled, dropped, late,
//! out of order or never; commands and reloads in between. It never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigil_fuzz::engine::run(data);
});
