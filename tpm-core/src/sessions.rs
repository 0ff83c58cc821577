//! Authorization sessions (Part 1, 13; Part 3, 18): the OIAP and OSAP table, nonce rolling,
//! and the one HMAC function every authorized command goes through.
//!
//! A request's authorization is `HMAC(key, inParamDigest || nonceEven || nonceOdd ||
//! continueAuthSession)` where `nonceEven` is the one the TPM sent last for this session;
//! the response's is the same over `outParamDigest` with a fresh `nonceEven`. The key is
//! the entity's auth for OIAP and the OSAP shared secret for OSAP.

use crate::secret::Secret;
use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest as _, Sha1};
use tpm_marshal::{Digest, EntityType, Nonce, ReturnCode};

/// How many auth sessions the TPM holds at once (TPM_CAP_PROP_MAX_AUTHSESS).
pub const MAX_SESSIONS: usize = 16;

/// What a session authorizes with.
#[derive(Debug, Clone)]
pub enum SessionKind {
    /// Part 3, 18.1 TPM_OIAP: any entity, keyed by that entity's auth.
    Oiap,
    /// Part 3, 18.2 TPM_OSAP: one entity, keyed by the shared secret.
    Osap {
        /// The entity type the session was opened for (low byte; the high byte, the ADIP
        /// encryption scheme, is kept apart).
        entity_type: EntityType,
        /// The entity's handle (or TPM_KH_OWNER ...).
        entity_value: u32,
        /// HMAC(entityAuth, nonceEvenOSAP || nonceOddOSAP).
        shared_secret: Secret,
    },
}

/// One open session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The handle the caller names it by.
    pub handle: u32,
    /// The nonce the TPM sent last; the next request's HMAC covers it.
    pub nonce_even: Nonce,
    /// OIAP or OSAP.
    pub kind: SessionKind,
}

/// The session table.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    slots: Vec<Session>,
}

impl Sessions {
    /// Adds a session; TPM_RESOURCES when the table is full.
    pub fn open(&mut self, session: Session) -> Result<(), ReturnCode> {
        if self.slots.len() >= MAX_SESSIONS {
            return Err(ReturnCode::TPM_RESOURCES);
        }
        self.slots.push(session);
        Ok(())
    }

    /// True if `handle` names an open session.
    pub fn contains(&self, handle: u32) -> bool {
        self.slots.iter().any(|s| s.handle == handle)
    }

    /// The session named `handle`.
    pub fn get(&self, handle: u32) -> Option<&Session> {
        self.slots.iter().find(|s| s.handle == handle)
    }

    /// The session named `handle`, mutably.
    pub fn get_mut(&mut self, handle: u32) -> Option<&mut Session> {
        self.slots.iter_mut().find(|s| s.handle == handle)
    }

    /// Closes a session; false if there was none.
    pub fn close(&mut self, handle: u32) -> bool {
        let before = self.slots.len();
        self.slots.retain(|s| s.handle != handle);
        self.slots.len() != before
    }

    /// Closes every session.
    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// Open sessions, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Session> {
        self.slots.iter()
    }

    /// Number of open sessions.
    pub fn len(&self) -> usize {
        self.slots.len()
    }
}

/// Part 1, 13.2: the authorization HMAC of a request or response.
pub fn auth_hmac(
    key: &[u8; 20],
    param_digest: &Digest,
    nonce_even: &Nonce,
    nonce_odd: &Nonce,
    continue_session: bool,
) -> [u8; 20] {
    mac(key, param_digest, nonce_even, nonce_odd, continue_session)
        .finalize()
        .into_bytes()
        .into()
}

/// Checks a request's HMAC in constant time.
pub fn verify_hmac(
    key: &[u8; 20],
    param_digest: &Digest,
    nonce_even: &Nonce,
    nonce_odd: &Nonce,
    continue_session: bool,
    received: &[u8; 20],
) -> bool {
    mac(key, param_digest, nonce_even, nonce_odd, continue_session)
        .verify_slice(received)
        .is_ok()
}

fn mac(
    key: &[u8; 20],
    param_digest: &Digest,
    nonce_even: &Nonce,
    nonce_odd: &Nonce,
    continue_session: bool,
) -> Hmac<Sha1> {
    let mut m = hmac_sha1(key);
    m.update(param_digest);
    m.update(nonce_even);
    m.update(nonce_odd);
    m.update(&[u8::from(continue_session)]);
    m
}

/// An HMAC-SHA1 keyed with `key` (any key length is valid for HMAC).
pub fn hmac_sha1(key: &[u8]) -> Hmac<Sha1> {
    match Hmac::<Sha1>::new_from_slice(key) {
        Ok(m) => m,
        // HMAC accepts every key length; this arm only exists to satisfy the type.
        Err(_) => Hmac::<Sha1>::new(&Default::default()),
    }
}

/// Part 3, 18.2 step 4: the OSAP shared secret, HMAC(entityAuth, nonceEvenOSAP ||
/// nonceOddOSAP).
pub fn osap_shared_secret(
    entity_auth: &Secret,
    nonce_even_osap: &Nonce,
    nonce_odd_osap: &Nonce,
) -> Secret {
    let mut m = hmac_sha1(entity_auth.bytes());
    m.update(nonce_even_osap);
    m.update(nonce_odd_osap);
    Secret::new(m.finalize().into_bytes().into())
}

/// Part 1, 13.8 ADIP with TPM_ET_XOR: a new auth value travels encrypted as
/// `newAuth XOR SHA1(sharedSecret || nonce)`, where the nonce is the session's nonceEven
/// for the first value and the command's nonceOdd for a second one. XOR is its own
/// inverse, so the same function encrypts and decrypts.
#[cfg_attr(not(test), allow(dead_code))] // used by the ordinals that take encAuth (ChangeAuth ...)
pub fn adip_xor(shared_secret: &Secret, nonce: &Nonce, enc_auth: &[u8; 20]) -> Secret {
    let pad: [u8; 20] = Sha1::new()
        .chain_update(shared_secret.bytes())
        .chain_update(nonce)
        .finalize()
        .into();
    let mut out = [0u8; 20];
    for ((o, e), p) in out.iter_mut().zip(enc_auth).zip(pad) {
        *o = e ^ p;
    }
    Secret::new(out)
}

/// MGF1 with SHA-1 (PKCS #1 v2.1, B.2.1): `len` bytes of SHA1(seed || counter), counter
/// a big-endian UINT32 from 0.
pub fn mgf1_sha1(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 20);
    let mut counter = 0u32;
    while out.len() < len {
        out.extend_from_slice(&sha1(&[seed, &counter.to_be_bytes()]));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// SHA-1 of the concatenation of `parts`.
pub fn sha1(parts: &[&[u8]]) -> Digest {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_holds_at_most_sixteen_sessions() {
        let mut t = Sessions::default();
        for h in 0..16u32 {
            t.open(Session {
                handle: h,
                nonce_even: [0; 20],
                kind: SessionKind::Oiap,
            })
            .unwrap();
        }
        let more = Session {
            handle: 99,
            nonce_even: [0; 20],
            kind: SessionKind::Oiap,
        };
        assert_eq!(t.open(more), Err(ReturnCode::TPM_RESOURCES));
        assert!(t.close(3));
        assert!(!t.close(3));
        assert_eq!(t.len(), MAX_SESSIONS - 1);
    }

    #[test]
    fn verify_accepts_only_the_exact_hmac() {
        let key = [1; 20];
        let mac = auth_hmac(&key, &[2; 20], &[3; 20], &[4; 20], true);
        assert!(verify_hmac(&key, &[2; 20], &[3; 20], &[4; 20], true, &mac));
        assert!(!verify_hmac(
            &key, &[2; 20], &[3; 20], &[4; 20], false, &mac
        ));
    }

    #[test]
    fn adip_xor_is_its_own_inverse() {
        let ss = Secret::new([9; 20]);
        let enc = adip_xor(&ss, &[5; 20], &[0x42; 20]);
        assert_ne!(enc.bytes(), &[0x42; 20]);
        assert!(adip_xor(&ss, &[5; 20], enc.bytes()).ct_eq(&[0x42; 20]));
    }

    #[test]
    fn adip_pad_is_sha1_of_secret_then_nonce() {
        let ss = Secret::new([9; 20]);
        let pad = sha1(&[&[9; 20], &[5; 20]]);
        assert!(adip_xor(&ss, &[5; 20], &[0; 20]).ct_eq(&pad));
    }
}
