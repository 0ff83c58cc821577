#![no_main]
//! The first two bytes pick a structure or command type (there are more than 256, so one
//! byte would not reach them all); the rest is decoded as that type and, if it decodes,
//! must re-encode to the identical bytes (decoding rejects non-canonical input).
use tpm_marshal::fuzzing::round_trip_any;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let [hi, lo, rest @ ..] = data {
        round_trip_any(u16::from_be_bytes([*hi, *lo]), rest);
    }
});
