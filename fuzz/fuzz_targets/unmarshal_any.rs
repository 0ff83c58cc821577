#![no_main]
//! The first byte picks a structure; the rest is decoded as that structure and, if it
//! decodes, must re-encode to the identical bytes (decoding rejects non-canonical input).
use tpm_marshal::fuzzing::round_trip_any;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((&selector, rest)) = data.split_first() {
        round_trip_any(selector, rest);
    }
});
