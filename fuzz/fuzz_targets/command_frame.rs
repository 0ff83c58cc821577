#![no_main]
//! Splits arbitrary bytes as a command and as a response frame; whatever parses must
//! re-encode to the identical bytes, and nothing may panic.
use tpm_marshal::framing::{CommandFrame, Header, ResponseFrame};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = Header::expected_size(data);
    let _ = Header::peek(data);
    if let Ok(f) = CommandFrame::parse(data) {
        let again = CommandFrame::encode(f.ordinal, f.body, &f.auths).expect("re-encode");
        assert_eq!(again, data);
    }
    if let Ok(f) = ResponseFrame::parse(data) {
        let again = ResponseFrame::encode(f.return_code, f.body, &f.auths).expect("re-encode");
        assert_eq!(again, data);
    }
});
