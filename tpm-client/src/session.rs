//! Authorization sessions as values (Part 1, 13: OIAP, OSAP, DSAP; and transport sessions,
//! whose HMACs work the same way).
//!
//! A session computes the command HMAC over the parameter digest and its two nonces,
//! verifies the response HMAC, rolls the nonces, and encrypts new secrets (ADIP).

use crate::error::{Error, Result};
use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest as _, Sha1};
use subtle::ConstantTimeEq;
use tpm_marshal::framing::{AuthIn, AuthOut};
use tpm_marshal::{AuthData, Digest, Nonce};
use zeroize::Zeroizing;

/// Which protocol opened the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Part 3, 18.1 TPM_OIAP: the secret is the entity's usage auth, given per use.
    Oiap,
    /// Part 3, 18.2 TPM_OSAP: the secret is the shared secret bound to one entity.
    Osap,
    /// Part 3, 18.3 TPM_DSAP: the secret is the shared secret of a delegation.
    Dsap,
    /// Part 3, 24.1 TPM_EstablishTransport: the secret is the transport session's
    /// authorization value.
    Transport,
}

/// An open authorization session.
pub struct AuthSession {
    handle: u32,
    kind: SessionKind,
    nonce_even: Nonce,
    nonce_odd: Nonce,
    secret: Zeroizing<AuthData>,
    open: bool,
}

impl core::fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthSession")
            .field("handle", &format_args!("{:#x}", self.handle))
            .field("kind", &self.kind)
            .field("open", &self.open)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// SHA-1 over the concatenation of `parts`.
pub fn sha1(parts: &[&[u8]]) -> Digest {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-SHA1 keyed with `key` over the concatenation of `parts`.
pub fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> Digest {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut m) = Hmac::<Sha1>::new_from_slice(key) else {
        return [0; 20];
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// A fresh random nonce from the operating system.
pub fn random_nonce() -> Result<Nonce> {
    let mut n = [0u8; 20];
    getrandom::fill(&mut n).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(n)
}

impl AuthSession {
    /// A session the TPM opened with `handle` and `nonce_even`, keyed by `secret`
    /// (the entity's auth for OIAP, the shared secret for OSAP).
    pub fn new(
        kind: SessionKind,
        handle: u32,
        nonce_even: Nonce,
        secret: AuthData,
    ) -> Result<Self> {
        Ok(Self {
            handle,
            kind,
            nonce_even,
            nonce_odd: random_nonce()?,
            secret: Zeroizing::new(secret),
            open: true,
        })
    }

    /// The OSAP shared secret: HMAC(entity auth, nonceEvenOSAP || nonceOddOSAP)
    /// (Part 1, 13.2).
    pub fn osap_shared_secret(
        entity_auth: &AuthData,
        nonce_even_osap: &Nonce,
        nonce_odd_osap: &Nonce,
    ) -> AuthData {
        hmac_sha1(entity_auth, &[nonce_even_osap, nonce_odd_osap])
    }

    /// The session handle.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// OIAP or OSAP.
    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    /// False once the TPM closed the session (continueAuthSession FALSE, or an error).
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The TPM's last nonce.
    pub fn nonce_even(&self) -> &Nonce {
        &self.nonce_even
    }

    /// The nonce the next command will carry (known in advance for ADIP).
    pub fn nonce_odd(&self) -> &Nonce {
        &self.nonce_odd
    }

    /// Replaces the secret (an OIAP session used for another entity).
    pub fn set_secret(&mut self, secret: AuthData) {
        self.secret = Zeroizing::new(secret);
    }

    /// ADIP (Part 1, 13.8): a new secret XOR SHA1(sharedSecret || nonceEven), as the first
    /// encrypted auth of a command.
    pub fn encrypt_auth(&self, new_auth: &AuthData) -> AuthData {
        xor(new_auth, &sha1(&[&self.secret[..], &self.nonce_even]))
    }

    /// ADIP for a second secret in the same command: XOR SHA1(sharedSecret || nonceOdd).
    pub fn encrypt_auth_odd(&self, new_auth: &AuthData) -> AuthData {
        xor(new_auth, &sha1(&[&self.secret[..], &self.nonce_odd]))
    }

    /// The command's auth trailer for `in_param_digest`.
    pub fn authorize(&self, in_param_digest: &Digest, continue_session: bool) -> AuthIn {
        AuthIn {
            handle: self.handle,
            nonce_odd: self.nonce_odd,
            continue_auth_session: continue_session,
            auth: hmac_sha1(
                &self.secret[..],
                &[
                    in_param_digest,
                    &self.nonce_even,
                    &self.nonce_odd,
                    &[u8::from(continue_session)],
                ],
            ),
        }
    }

    /// Checks the response trailer against `out_param_digest` and rolls the nonces.
    /// A mismatch is an error and closes the session.
    pub fn verify(&mut self, out_param_digest: &Digest, out: &AuthOut) -> Result<()> {
        let expected = hmac_sha1(
            &self.secret[..],
            &[
                out_param_digest,
                &out.nonce_even,
                &self.nonce_odd,
                &[u8::from(out.continue_auth_session)],
            ],
        );
        if !bool::from(expected.ct_eq(&out.auth)) {
            self.open = false;
            return Err(Error::ResponseAuth(self.handle));
        }
        self.nonce_even = out.nonce_even;
        self.nonce_odd = random_nonce()?;
        self.open = out.continue_auth_session;
        Ok(())
    }

    /// Marks the session closed (the TPM closes sessions when a command fails).
    pub fn close(&mut self) {
        self.open = false;
    }
}

fn xor(a: &AuthData, b: &Digest) -> AuthData {
    let mut out = [0u8; 20];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_fips_180_abc() {
        assert_eq!(
            sha1(&[b"a", b"bc"]),
            [
                0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
                0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d
            ]
        );
    }

    #[test]
    fn hmac_matches_rfc_2202_case_2() {
        let mac = hmac_sha1(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            mac,
            [
                0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
                0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79
            ]
        );
    }

    #[test]
    fn response_with_wrong_hmac_is_an_error_and_closes_the_session() {
        let mut s = AuthSession::new(SessionKind::Oiap, 7, [1; 20], [2; 20]).unwrap();
        let out = AuthOut {
            nonce_even: [3; 20],
            continue_auth_session: true,
            auth: [0; 20],
        };
        assert!(matches!(
            s.verify(&[0; 20], &out),
            Err(Error::ResponseAuth(7))
        ));
        assert!(!s.is_open());
    }

    #[test]
    fn adip_is_its_own_inverse() {
        let s = AuthSession::new(SessionKind::Osap, 1, [5; 20], [6; 20]).unwrap();
        let enc = s.encrypt_auth(&[9; 20]);
        assert_eq!(s.encrypt_auth(&enc), [9; 20]);
    }
}
