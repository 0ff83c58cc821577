#![no_main]
//! `Tpm::execute` on arbitrary bytes: a fresh TPM after TPM_Startup(ST_CLEAR) runs a short
//! sequence of commands cut from the input (each: one locality byte, then a command whose
//! length is its paramSize, clamped to what is left). Every response must be well formed,
//! and the state must survive a save and restore unchanged.

use libfuzzer_sys::fuzz_target;
use tpm_core::{Config, MemStore, TestPlatform, Tpm};

const ACTIVE: Config = Config {
    create_ek: false,
    enabled: true,
    activated: true,
};
const STARTUP_CLEAR: [u8; 12] = [0, 0xc1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0, 1];

fn new_tpm() -> Tpm {
    match Tpm::new(ACTIVE, Box::new(TestPlatform::new(0)), Box::new(MemStore::new())) {
        Ok(t) => t,
        Err(e) => panic!("manufacture failed: {e}"),
    }
}

fn check_well_formed(resp: &[u8]) {
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

fuzz_target!(|data: &[u8]| {
    let mut tpm = new_tpm();
    check_well_formed(&tpm.execute(0, &STARTUP_CLEAR));
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
    // Save and restore into another TPM: both blobs come back byte for byte.
    let permanent = tpm.permanent_blob();
    let volatile = tpm.volatile_blob();
    let mut other = new_tpm();
    other.set_permanent_blob(&permanent).expect("permanent blob restores");
    other.set_volatile_blob(&volatile).expect("volatile blob restores");
    assert_eq!(other.permanent_blob(), permanent);
    assert_eq!(other.volatile_blob(), volatile);
});
