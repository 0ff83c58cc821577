#![no_main]
//! `Tpm::execute` on arbitrary bytes: a fresh TPM after TPM_Startup(ST_CLEAR) runs a short
//! sequence of commands cut from the input (each: one locality byte, then a command whose
//! length is its paramSize, clamped to what is left). Every response must be well formed,
//! and the state must survive a save and restore unchanged.

mod common;

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

fuzz_target!(|data: &[u8]| {
    let mut tpm = new_tpm();
    common::check_well_formed(&tpm.execute(0, &STARTUP_CLEAR));
    common::run_commands(&mut tpm, data);
    common::check_blobs_round_trip(&tpm, new_tpm());
});
