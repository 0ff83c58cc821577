#![no_main]
// Placeholder: filled by the issue that owns this target.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = data;
});
