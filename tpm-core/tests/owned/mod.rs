//! Owner helpers for the NV, counter and audit tests: an owner installed in the permanent
//! state, OSAP sessions for it (shared secret and ADIP computed here with `hmac`/`sha1`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::common::*;
use tpm_core::Tpm;
use tpm_marshal::commands::sessions::{Osap, OsapIn};
use tpm_marshal::{EntityType, StartupType};

pub const OWNER: [u8; 20] = [0x0a; 20];
/// Part 2, 4.5 TPM_KH_OWNER.
pub const TPM_KH_OWNER: u32 = 0x4000_0001;

/// Installs an owner whose auth is [`OWNER`] and restarts the TPM (ST_CLEAR).
///
/// TakeOwnership is another branch's work; until it is merged the owner is written into the
/// permanent blob at the place persist.rs pins (after the flags, tpmProof and EKReset, the
/// ownerAuth option byte), through the public migration API.
pub fn install_owner(tpm: &mut Tpm) {
    let mut blob = tpm.permanent_blob();
    let at = tpm_core::STATE_HEADER_LEN + 20 + 20 + 20;
    assert_eq!(blob[at], 0, "no owner yet");
    blob[at] = 1;
    blob.splice(at + 1..at + 1, OWNER);
    let len = u32::from_be_bytes(blob[8..12].try_into().unwrap()) + 20;
    blob[8..12].copy_from_slice(&len.to_be_bytes());
    tpm.set_permanent_blob(&blob).unwrap();
    startup(tpm, StartupType::TPM_ST_CLEAR).unwrap();
}

/// An OSAP session for `entity` (`kind`, `value`) whose auth is `auth`; returns the session
/// keyed by the shared secret.
pub fn osap(tpm: &mut Tpm, kind: EntityType, value: u32, auth: [u8; 20]) -> CallerSession {
    let nonce_odd_osap = [0x3c; 20];
    let out = run::<Osap>(
        tpm,
        &OsapIn {
            entity_type: kind,
            entity_value: value,
            nonce_odd_osap,
        },
    )
    .unwrap();
    CallerSession {
        handle: out.auth_handle,
        nonce_even: out.nonce_even,
        key: hmac_sha1(&auth, &[&out.nonce_even_osap, &nonce_odd_osap]),
    }
}

/// An OSAP session for the owner.
pub fn owner_osap(tpm: &mut Tpm) -> CallerSession {
    osap(tpm, EntityType::TPM_ET_OWNER, TPM_KH_OWNER, OWNER)
}

/// Part 1, 13.8 ADIP: `secret` encrypted for the session (XOR with SHA-1(shared secret ||
/// nonceEven)).
pub fn adip(s: &CallerSession, secret: [u8; 20]) -> [u8; 20] {
    let pad = sha1(&[&s.key, &s.nonce_even]);
    let mut out = secret;
    for (o, p) in out.iter_mut().zip(pad) {
        *o ^= p;
    }
    out
}
