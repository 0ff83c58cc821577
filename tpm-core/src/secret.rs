//! Part 2, 5.6 TPM_SECRET / TPM_AUTHDATA held by the engine: wiped on drop, compared in
//! constant time, never printed.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A 20-byte secret (owner auth, tpmProof, a session's shared secret ...).
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<[u8; 20]>);

impl Secret {
    /// Wraps `bytes`.
    pub fn new(bytes: [u8; 20]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The bytes, for HMAC keys and serialisation.
    pub fn bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Constant-time equality.
    pub fn ct_eq(&self, other: &[u8; 20]) -> bool {
        self.0.as_slice().ct_eq(other.as_slice()).into()
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Constant-time comparison of two MACs or digests.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_does_not_print_the_secret() {
        let s = Secret::new([0x41; 20]);
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
    }

    #[test]
    fn compares_by_value() {
        let s = Secret::new([7; 20]);
        assert!(s.ct_eq(&[7; 20]));
        assert!(!s.ct_eq(&[8; 20]));
        assert!(!ct_eq(&[1, 2], &[1]));
    }
}
