//! The endorsement key pair (Part 1, 5.8 and Part 3, 14): a 2048-bit RSA key created at
//! manufacture from the platform RNG, kept in the permanent state as its two primes.

use crate::platform::{Platform, PlatformRng};
use crate::state::EndorsementKey;
use crate::tpm::Error;
use rsa::traits::PrivateKeyParts;
use rsa::{BoxedUint, PrivateKey};

/// The EK's modulus size.
pub const EK_BITS: usize = 2048;
/// The public exponent every TPM 1.2 key uses (Part 2, 5.? TPM_RSA_KEY_PARMS default).
const EXPONENT: u64 = 65537;

/// Generates an EK with the platform RNG.
pub fn generate(platform: &mut dyn Platform) -> Result<EndorsementKey, Error> {
    let mut rng = PlatformRng(platform);
    PrivateKey::new(&mut rng, EK_BITS)
        .map(EndorsementKey)
        .map_err(|e| Error::KeyGeneration(e.to_string()))
}

/// The two primes, big-endian, for the state blob.
pub fn primes(ek: &EndorsementKey) -> Vec<Vec<u8>> {
    ek.0.primes()
        .iter()
        .map(|p| p.as_ref().to_be_bytes().to_vec())
        .collect()
}

/// Rebuilds the EK from its primes; `None` if they do not make a valid key.
pub fn from_primes(p: &[u8], q: &[u8]) -> Option<EndorsementKey> {
    let bits = |b: &[u8]| u32::try_from(b.len() * 8).ok();
    let p = BoxedUint::from_be_slice(p, bits(p)?).ok()?;
    let q = BoxedUint::from_be_slice(q, bits(q)?).ok()?;
    let e = BoxedUint::from(EXPONENT);
    PrivateKey::from_p_q(p, q, e).ok().map(EndorsementKey)
}
