//! Part 3, 8.4 (TPM_GetAuditDigestSigned) and 23.2 (TPM_TickStampBlob) through
//! `execute()`: the TPM_SIGN_INFO each signs is rebuilt here byte by byte and the signature
//! checked with the signing key's public part and the `rsa` crate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::audit::{
    GetAuditDigest, GetAuditDigestIn, GetAuditDigestSigned, GetAuditDigestSignedIn,
    GetAuditDigestSignedOut, SetOrdinalAuditStatus, SetOrdinalAuditStatusIn,
};
use commands::crypto::{GetRandom, GetRandomIn};
use commands::timing::{GetTicks, TickStampBlob, TickStampBlobIn, TickStampBlobOut};
use common::*;
use owner_common::*;
use rsa::{Pkcs1v15Sign, PublicKey};
use sha1::Sha1;
use tpm_marshal::{Ordinal, ReturnCode as Rc};

const ANTI_REPLAY: [u8; 20] = [0x7e; 20];

/// An owned TPM with the shared signing key loaded: its handle and public key.
fn with_signing_key() -> (Bench, u32, PublicKey) {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let public = rsa_public(&get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap());
    (b, h, public)
}

/// Part 2, 13.6 TPM_SIGN_INFO: tag 0x0005, fixed, replay, dataLen, data.
fn sign_info(fixed: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00, 0x05];
    v.extend_from_slice(fixed);
    v.extend_from_slice(&ANTI_REPLAY);
    v.extend_from_slice(&(data.len() as u32).to_be_bytes());
    v.extend_from_slice(data);
    v
}

fn verify(public: &PublicKey, signed: &[u8], sig: &[u8]) {
    public
        .verify(Pkcs1v15Sign::new::<Sha1>(), &sha1(&[signed]), sig)
        .expect("signature verifies");
}

fn audit_signed(b: &mut Bench, h: u32, close: bool) -> Result<GetAuditDigestSignedOut, Rc> {
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let input = GetAuditDigestSignedIn {
        key_handle: h,
        close_audit: close,
        anti_replay: ANTI_REPLAY,
    };
    run_auth1::<GetAuditDigestSigned>(&mut b.tpm, &mut s, &input, false)
}

#[test]
fn get_audit_digest_signed_verifies_with_the_signing_keys_public_part() {
    let (mut b, h, public) = with_signing_key();
    let mut s = oiap(&mut b.tpm, OWNER);
    let input = SetOrdinalAuditStatusIn {
        ordinal_to_audit: Ordinal::TPM_ORD_GetRandom,
        audit_state: true,
    };
    run_auth1::<SetOrdinalAuditStatus>(&mut b.tpm, &mut s, &input, false).unwrap();
    run::<GetRandom>(&mut b.tpm, &GetRandomIn { bytes_requested: 4 }).unwrap();
    let plain = run::<GetAuditDigest>(
        &mut b.tpm,
        &GetAuditDigestIn {
            start_ordinal: Ordinal(0),
        },
    )
    .unwrap();
    let out = audit_signed(&mut b, h, false).unwrap();
    assert_eq!(out.audit_digest, plain.audit_digest);
    assert_eq!(out.counter_value, plain.counter_value);
    // ordinalDigest: SHA-1 of every audited ordinal, each a UINT32.
    let list: Vec<u8> = plain
        .ord_list
        .ordinals
        .iter()
        .flat_map(|o| o.0.to_be_bytes())
        .collect();
    assert_eq!(out.ordinal_digest, sha1(&[&list]));
    // D2 = auditDigest || TPM_COUNTER_VALUE || ordinalDigest.
    let mut data = out.audit_digest.to_vec();
    data.extend_from_slice(&[0x00, 0x0e, 0, 0, 0, 0]);
    data.extend_from_slice(&out.counter_value.counter.to_be_bytes());
    data.extend_from_slice(&out.ordinal_digest);
    verify(&public, &sign_info(b"ADIG", &data), &out.sig.0);
    // The signed digest is not closed: it stays.
    assert_eq!(
        audit_signed(&mut b, h, false).unwrap().audit_digest,
        out.audit_digest
    );
}

#[test]
fn only_an_identity_key_closes_the_audit_session() {
    let (mut b, h, _) = with_signing_key();
    assert_eq!(audit_signed(&mut b, h, true), Err(Rc::TPM_INVALID_KEYUSAGE));
}

#[test]
fn tick_stamp_blob_signs_the_digest_with_the_current_ticks() {
    let (mut b, h, public) = with_signing_key();
    let stamp = |b: &mut Bench| -> TickStampBlobOut {
        let mut s = oiap(&mut b.tpm, KEY_AUTH);
        let input = TickStampBlobIn {
            key_handle: h,
            anti_replay: ANTI_REPLAY,
            digest_to_stamp: [0xd5; 20],
        };
        run_auth1::<TickStampBlob>(&mut b.tpm, &mut s, &input, false).unwrap()
    };
    let first = stamp(&mut b);
    b.controls.advance_us(2_000);
    let second = stamp(&mut b);
    assert!(second.current_ticks.current_ticks >= first.current_ticks.current_ticks + 2_000);
    let now = run::<GetTicks>(&mut b.tpm, &()).unwrap().current_time;
    assert_eq!(second.current_ticks.tick_nonce, now.tick_nonce);
    for out in [first, second] {
        // H2 = digestToStamp || TPM_CURRENT_TICKS (tag 0x0014, ticks, rate, nonce).
        let t = &out.current_ticks;
        let mut data = [0xd5; 20].to_vec();
        data.extend_from_slice(&[0x00, 0x14]);
        data.extend_from_slice(&t.current_ticks.to_be_bytes());
        data.extend_from_slice(&t.tick_rate.to_be_bytes());
        data.extend_from_slice(&t.tick_nonce);
        verify(&public, &sign_info(b"TSTP", &data), &out.sig.0);
    }
}

#[test]
fn tick_stamp_blob_needs_the_key_auth() {
    let (mut b, h, _) = with_signing_key();
    let mut s = oiap(&mut b.tpm, [0; 20]);
    let input = TickStampBlobIn {
        key_handle: h,
        anti_replay: ANTI_REPLAY,
        digest_to_stamp: [0; 20],
    };
    assert_eq!(
        run_auth1::<TickStampBlob>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_AUTHFAIL)
    );
}
