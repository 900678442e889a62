//! The route parser on arbitrary hashes; a route's link reads back as that route.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigil_fuzz::small::route(data);
});
