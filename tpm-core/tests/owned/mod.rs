//! Owner helpers for the NV, counter, audit and DIR tests: a TPM owned through
//! TPM_TakeOwnership (owner_common), OSAP sessions for the owner or an entity, and ADIP
//! with nonceEven, computed here with `hmac`/`sha1`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::common::*;
use tpm_core::Tpm;
use tpm_marshal::commands::sessions::{Osap, OsapIn};
use tpm_marshal::EntityType;

pub use super::owner_common::OWNER;

/// Part 2, 4.5 TPM_KH_OWNER.
pub const TPM_KH_OWNER: u32 = 0x4000_0001;

/// A started TPM with an EK and an owner whose auth is [`OWNER`], as swtpm_setup makes it.
pub fn owned_tpm() -> Bench {
    super::owner_common::owned(1)
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
