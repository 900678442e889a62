//! `Retry-After` and `ratelimit-*` headers, and the errors made of an answer: bounded waits.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vigil_fuzz::small::retry_after(data);
});
