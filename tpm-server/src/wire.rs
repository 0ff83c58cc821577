//! Small byte helpers for TPM frames and the big-endian control-channel fields.

use tpm_marshal::{Ordinal, ReturnCode, Tag};

/// Bytes of a TPM 1.2 command or response header: tag, paramSize, ordinal or return code
/// (Part 1, 4.2; Part 2, 6.1 TPM_TAG).
pub const HEADER_LEN: usize = 10;

/// The big-endian u16 at `at`, if the bytes are there.
pub fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes(b.try_into().ok()?))
}

/// The big-endian u32 at `at`, if the bytes are there.
pub fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// The big-endian u64 at `at`, if the bytes are there.
pub fn be64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_be_bytes(b.try_into().ok()?))
}

/// paramSize of a command header (bytes 2..6), once 6 bytes have arrived.
pub fn param_size(header: &[u8]) -> Option<u32> {
    be32(header, 2)
}

/// A 10-byte TPM_TAG_RSP_COMMAND response carrying `code` (Part 1, 4.2).
pub fn error_response(code: ReturnCode) -> Vec<u8> {
    let mut r = Vec::with_capacity(HEADER_LEN);
    r.extend_from_slice(&Tag::TPM_TAG_RSP_COMMAND.0.to_be_bytes());
    r.extend_from_slice(&10u32.to_be_bytes());
    r.extend_from_slice(&code.0.to_be_bytes());
    r
}

/// A TPM_TAG_RSP_COMMAND response with TPM_SUCCESS and `body` after the header.
pub fn success_response(body: &[u8]) -> Vec<u8> {
    let size = u32::try_from(HEADER_LEN.saturating_add(body.len())).unwrap_or(u32::MAX);
    let mut r = Vec::with_capacity(HEADER_LEN.saturating_add(body.len()));
    r.extend_from_slice(&Tag::TPM_TAG_RSP_COMMAND.0.to_be_bytes());
    r.extend_from_slice(&size.to_be_bytes());
    r.extend_from_slice(&ReturnCode::TPM_SUCCESS.0.to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// A TPM command frame: tag, paramSize, ordinal, then `params`.
pub fn command(tag: Tag, ordinal: Ordinal, params: &[u8]) -> Vec<u8> {
    let size = u32::try_from(HEADER_LEN.saturating_add(params.len())).unwrap_or(u32::MAX);
    let mut c = Vec::with_capacity(HEADER_LEN.saturating_add(params.len()));
    c.extend_from_slice(&tag.0.to_be_bytes());
    c.extend_from_slice(&size.to_be_bytes());
    c.extend_from_slice(&ordinal.0.to_be_bytes());
    c.extend_from_slice(params);
    c
}

/// The return code of a response, if it has a header.
pub fn return_code(response: &[u8]) -> Option<ReturnCode> {
    be32(response, 6).map(ReturnCode)
}

/// "TPM_ORD_Name" (or the hex ordinal) of a command, for logs.
pub fn ordinal_name(command: &[u8]) -> String {
    match be32(command, 6).map(Ordinal) {
        Some(ord) => ord.to_string(),
        None => "(no ordinal)".into(),
    }
}

/// `bytes` as lowercase hex, 16 bytes a line, each line indented by `indent`.
pub fn hex_dump(bytes: &[u8], indent: &str) -> String {
    bytes
        .chunks(16)
        .map(|line| {
            let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
            format!("{indent}{}\n", hex.join(" "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_response_is_ten_bytes_tagged_c4() {
        assert_eq!(
            error_response(ReturnCode::TPM_FAIL),
            [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 9]
        );
    }

    #[test]
    fn be_readers_refuse_short_input() {
        assert_eq!(be32(&[1, 2, 3], 0), None);
        assert_eq!(be16(&[1, 2, 3], 1), Some(0x0203));
        assert_eq!(be64(&[0; 8], usize::MAX), None);
    }

    #[test]
    fn ordinal_name_uses_spec_names() {
        let cmd = command(Tag::TPM_TAG_RQU_COMMAND, Ordinal::TPM_ORD_GetRandom, &[]);
        assert_eq!(ordinal_name(&cmd), "TPM_ORD_GetRandom");
    }
}
