#![no_main]
//! `Tpm::execute` on arbitrary bytes against an owned TPM: an EK, an owner and SRK with
//! well-known (all-zero) secrets, and a loaded 2048-bit signing key (handle in the
//! snapshot's first key slot), so the ownership, key, storage, NV and counter handlers are
//! reachable. The owned state is made once (through tpm-client's in-process transport,
//! with real OAEP and HMACs) and restored for every input.

mod common;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tpm_client::flows::key_template;
use tpm_client::in_process::InProcessTransport;
use tpm_client::Client;
use tpm_core::{BlobName, Config, MemStore, Store, TestPlatform, Tpm};
use tpm_marshal::{KeyHandle, KeyUsage};

const OWNED: Config = Config {
    create_ek: true,
    enabled: true,
    activated: true,
};

/// The permanent and volatile blobs of the owned TPM.
fn snapshot() -> &'static (Vec<u8>, Vec<u8>) {
    static SNAPSHOT: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let mut c = Client::new(InProcessTransport::open_mem().expect("in-process TPM"));
        let zero = [0u8; 20];
        c.take_ownership_with(&zero, &zero).expect("take ownership");
        c.create_and_load_key(
            KeyHandle::TPM_KH_SRK.0,
            &zero,
            &key_template(KeyUsage::TPM_KEY_SIGNING),
            &zero,
        )
        .expect("signing key");
        let tpm = &c.transport().tpm;
        (tpm.permanent_blob(), tpm.volatile_blob())
    })
}

fn owned_tpm() -> Tpm {
    let (permanent, volatile) = snapshot();
    let mut store = MemStore::new();
    store.save(BlobName::Permanent, permanent).expect("mem store");
    store.save(BlobName::Volatile, volatile).expect("mem store");
    let mut tpm = match Tpm::new(OWNED, Box::new(TestPlatform::new(0)), Box::new(store)) {
        Ok(t) => t,
        Err(e) => panic!("owned state does not load: {e}"),
    };
    assert!(tpm.restore_volatile().expect("volatile state restores"));
    tpm
}

fuzz_target!(|data: &[u8]| {
    // Loading the owned state rebuilds three RSA-2048 keys, so each input pays for one
    // load only; the save/restore round trip is the `execute` target's job.
    let mut tpm = owned_tpm();
    common::run_commands(&mut tpm, data);
});
