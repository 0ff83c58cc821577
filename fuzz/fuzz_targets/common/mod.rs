//! What the `execute` targets share: cutting the input into commands, the well-formed
//! response check, and the save/restore check.
#![allow(dead_code)] // each target uses its part

use tpm_core::Tpm;

/// A response is a header whose paramSize is its length, a response tag, and for an error
/// exactly 10 bytes.
pub fn check_well_formed(resp: &[u8]) {
    assert!(resp.len() >= 10, "short response");
    let tag = u16::from_be_bytes([resp[0], resp[1]]);
    let size = u32::from_be_bytes([resp[2], resp[3], resp[4], resp[5]]);
    let rc = u32::from_be_bytes([resp[6], resp[7], resp[8], resp[9]]);
    assert_eq!(size as usize, resp.len(), "paramSize");
    assert!((0xc4..=0xc6).contains(&tag), "tag {tag:#x}");
    if rc != 0 {
        assert_eq!((tag, resp.len()), (0xc4, 10), "error responses are 10 bytes");
    }
    assert!(tpm_marshal::framing::ResponseFrame::parse(resp).is_ok());
}

/// Runs up to 8 commands cut from `data` (each: one locality byte, then a command whose
/// length is its paramSize, clamped to what is left), checking every response.
pub fn run_commands(tpm: &mut Tpm, data: &[u8]) {
    let mut rest = data;
    for _ in 0..8 {
        let Some((&locality, tail)) = rest.split_first() else {
            break;
        };
        let announced = tail
            .get(2..6)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .unwrap_or(tail.len());
        let len = announced.clamp(1, tail.len().max(1)).min(tail.len());
        let (cmd, next) = tail.split_at(len);
        check_well_formed(&tpm.execute(locality % 6, cmd));
        rest = next;
        if rest.is_empty() {
            break;
        }
    }
}

/// Saves `tpm`'s blobs and restores them into `other`: both come back byte for byte.
pub fn check_blobs_round_trip(tpm: &Tpm, mut other: Tpm) {
    let permanent = tpm.permanent_blob();
    let volatile = tpm.volatile_blob();
    other.set_permanent_blob(&permanent).expect("permanent blob restores");
    other.set_volatile_blob(&volatile).expect("volatile blob restores");
    assert_eq!(other.permanent_blob(), permanent);
    assert_eq!(other.volatile_blob(), volatile);
}
