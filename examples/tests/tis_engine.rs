//! The TIS in front of the real engine: the locality-4 hash interface measures into PCR 17
//! (PC Client DRTM), and a command sent through the FIFO reaches the engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use examples::TpmBackend;
use sha1::{Digest as _, Sha1};
use tpm_marshal::commands::integrity::{PcrReadIn, PcrReadOut};
use tpm_marshal::framing::{CommandFrame, ResponseFrame};
use tpm_marshal::{Marshal, Ordinal, ReturnCode, Unmarshal};
use tpm_tis::{Config, Tis};

fn tis() -> Tis<TpmBackend> {
    let engine = tpm_core::Tpm::new(
        tpm_core::Config {
            create_ek: false,
            enabled: true,
            activated: true,
        },
        Box::new(tpm_core::TestPlatform::new(7)),
        Box::new(tpm_core::MemStore::new()),
    )
    .unwrap();
    Tis::new(TpmBackend::new(engine), Config::default())
}

/// Sends one command at locality 0 through the FIFO the way a driver does.
fn send(tis: &mut Tis<TpmBackend>, command: &[u8]) -> Vec<u8> {
    tis.write(0x0000, &[0x02]); // ACCESS.requestUse
    tis.write(0x0018, &[0x40]); // STS.commandReady
    for b in command {
        tis.write(0x0024, &[*b]);
    }
    tis.write(0x0018, &[0x20]); // STS.tpmGo
    let mut out = Vec::new();
    let mut sts = [0u8; 1];
    loop {
        tis.read(0x0018, &mut sts);
        if sts[0] & 0x10 == 0 {
            break; // no dataAvail
        }
        let mut b = [0u8; 1];
        tis.read(0x0024, &mut b);
        out.push(b[0]);
    }
    tis.write(0x0018, &[0x40]);
    tis.write(0x0000, &[0x20]); // ACCESS.activeLocality: relinquish
    out
}

fn pcr_read(tis: &mut Tis<TpmBackend>, pcr: u32) -> [u8; 20] {
    let body = PcrReadIn { pcr_index: pcr }.to_bytes().unwrap();
    let rsp = send(
        tis,
        &CommandFrame::encode(Ordinal::TPM_ORD_PcrRead, &body, &[]).unwrap(),
    );
    let frame = ResponseFrame::parse(&rsp).unwrap();
    assert_eq!(frame.return_code, ReturnCode::TPM_SUCCESS);
    PcrReadOut::from_bytes(frame.body).unwrap().out_digest
}

#[test]
fn hash_interface_measures_into_pcr_17_through_the_engine() {
    let mut tis = tis();
    let startup = CommandFrame::encode(Ordinal::TPM_ORD_Startup, &[0, 1], &[]).unwrap();
    let rsp = send(&mut tis, &startup);
    assert_eq!(
        ResponseFrame::parse(&rsp).unwrap().return_code,
        ReturnCode::TPM_SUCCESS
    );

    // The OS has relinquished locality 0, so the chipset's HASH_START takes locality 4.
    tis.hash_start();
    tis.hash_data(b"the measured launch environment");
    tis.hash_end();

    // PC Client: HASH_START resets PCR 17-22 to zero, HASH_END extends PCR 17 with the
    // digest of the data.
    let digest: [u8; 20] = Sha1::digest(b"the measured launch environment").into();
    let mut h = Sha1::new();
    h.update([0u8; 20]);
    h.update(digest);
    let expected: [u8; 20] = h.finalize().into();
    assert_eq!(pcr_read(&mut tis, 17), expected);
    assert!(tis.backend().engine.tpm_established());
}
