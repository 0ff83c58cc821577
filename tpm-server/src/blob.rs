//! The state blobs that leave and enter through GET_STATEBLOB and SET_STATEBLOB.
//!
//! They follow swtpm's blob header so a tool can tell what a blob is (swtpm-protocol.md,
//! "State files and blobs"): u8 version 2, u8 min_version 1, u16 header size 10,
//! u16 flags, u32 total length, then TLVs of u16 tag, u32 length, value.
//!
//! ```text
//! inner layer, one of:   [1 data]                         plain
//!                        [6 IV][2 encrypted data][3 HMAC]  state key  (flag 0x01, 0x08 if 256-bit)
//! outer layer, optional: [7 IV][5 encrypted inner TLVs][3 HMAC]
//!                                                          migration key (flags 0x02|0x04, 0x10 if 256-bit)
//! ```
//!
//! Encryption is AES-CBC with PKCS#7 padding and a random IV; the HMAC is HMAC-SHA256
//! keyed by the AES key over IV || ciphertext (encrypt then MAC), checked in constant time
//! before anything is decrypted.

use aes::{Aes128, Aes256};
use cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tpm_core::store::Cipher;
use tpm_marshal::ReturnCode;
use zeroize::Zeroizing;

use crate::keys::KeyMaterial;
use crate::wire::{be16, be32};

const VERSION: u8 = 2;
const MIN_VERSION: u8 = 1;
const HEADER_LEN: usize = 10;

/// Header flag: the inner data is encrypted with the state key.
pub const FLAG_ENCRYPTED: u16 = 0x01;
/// Header flag: the blob is encrypted with the migration key.
pub const FLAG_MIGRATION_ENCRYPTED: u16 = 0x02;
/// Header flag: the blob carries migration data.
pub const FLAG_MIGRATION_DATA: u16 = 0x04;
/// Header flag: the state key is 256 bits.
pub const FLAG_ENCRYPTED_256: u16 = 0x08;
/// Header flag: the migration key is 256 bits.
pub const FLAG_MIGRATION_256: u16 = 0x10;

const KNOWN_FLAGS: u16 = FLAG_ENCRYPTED
    | FLAG_MIGRATION_ENCRYPTED
    | FLAG_MIGRATION_DATA
    | FLAG_ENCRYPTED_256
    | FLAG_MIGRATION_256;

const TAG_DATA: u16 = 1;
const TAG_ENCRYPTED_DATA: u16 = 2;
const TAG_HMAC: u16 = 3;
const TAG_ENCRYPTED_MIGRATION_DATA: u16 = 5;
const TAG_IV: u16 = 6;
const TAG_MIGRATION_IV: u16 = 7;

const IV_LEN: usize = 16;

/// Why a blob was refused, with the return code the control channel answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct BlobError {
    /// The code for the SET_STATEBLOB response.
    pub code: ReturnCode,
    /// What is wrong.
    pub reason: String,
}

fn malformed(reason: impl Into<String>) -> BlobError {
    BlobError {
        code: ReturnCode::TPM_BAD_PARAMETER,
        reason: reason.into(),
    }
}

fn key_error(reason: impl Into<String>) -> BlobError {
    BlobError {
        code: ReturnCode::TPM_DECRYPT_ERROR,
        reason: reason.into(),
    }
}

/// Wraps `data` for migration: under `state_key` first if given, then `migration_key`.
///
/// # Errors
/// Randomness for an IV is unavailable.
pub fn seal(
    data: &[u8],
    state_key: Option<&KeyMaterial>,
    migration_key: Option<&KeyMaterial>,
) -> Result<Vec<u8>, BlobError> {
    let mut flags = 0;
    let inner = match state_key {
        None => tlv(TAG_DATA, data),
        Some(key) => {
            flags |= FLAG_ENCRYPTED | size_flag(key, FLAG_ENCRYPTED_256);
            encrypt_layer(key, TAG_IV, TAG_ENCRYPTED_DATA, data)?
        }
    };
    let body = match migration_key {
        None => inner,
        Some(key) => {
            flags |=
                FLAG_MIGRATION_ENCRYPTED | FLAG_MIGRATION_DATA | size_flag(key, FLAG_MIGRATION_256);
            encrypt_layer(key, TAG_MIGRATION_IV, TAG_ENCRYPTED_MIGRATION_DATA, &inner)?
        }
    };
    let total = u32::try_from(HEADER_LEN.saturating_add(body.len()))
        .map_err(|_| malformed("blob too large"))?;
    let mut out = vec![VERSION, MIN_VERSION];
    out.extend_from_slice(&u16::try_from(HEADER_LEN).unwrap_or(10).to_be_bytes());
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Whether a sealed blob's inner layer is encrypted with the state key.
pub fn is_state_encrypted(blob: &[u8]) -> bool {
    be16(blob, 4).is_some_and(|f| f & FLAG_ENCRYPTED != 0)
}

/// Unwraps a blob made by [`seal`] with the same keys.
///
/// # Errors
/// A malformed blob (TPM_BAD_PARAMETER), or a missing or wrong key, or a failed integrity
/// check (TPM_DECRYPT_ERROR).
pub fn open(
    blob: &[u8],
    state_key: Option<&KeyMaterial>,
    migration_key: Option<&KeyMaterial>,
) -> Result<Zeroizing<Vec<u8>>, BlobError> {
    let (version, header_len, flags, total) =
        match (blob.first(), be16(blob, 2), be16(blob, 4), be32(blob, 6)) {
            (Some(v), Some(h), Some(f), Some(t)) => (*v, usize::from(h), f, t),
            _ => return Err(malformed("blob shorter than its header")),
        };
    let min_version = blob.get(1).copied().unwrap_or(u8::MAX);
    if version != VERSION || min_version > VERSION || header_len != HEADER_LEN {
        return Err(malformed(format!(
            "not a state blob (version {version}, header size {header_len})"
        )));
    }
    if flags & !KNOWN_FLAGS != 0 {
        return Err(malformed(format!("unknown blob flags {flags:#x}")));
    }
    if usize::try_from(total).ok() != Some(blob.len()) {
        return Err(malformed(format!(
            "blob is {} bytes, its header says {total}",
            blob.len()
        )));
    }
    let body = blob.get(HEADER_LEN..).unwrap_or_default();
    let inner = if flags & FLAG_MIGRATION_ENCRYPTED != 0 {
        let key = migration_key
            .ok_or_else(|| key_error("blob is encrypted with a migration key, none was given"))?;
        check_size(key, flags & FLAG_MIGRATION_256 != 0, "migration")?;
        decrypt_layer(key, TAG_MIGRATION_IV, TAG_ENCRYPTED_MIGRATION_DATA, body)?
    } else {
        if migration_key.is_some() {
            return Err(key_error("blob is not encrypted with the migration key"));
        }
        Zeroizing::new(body.to_vec())
    };
    if flags & FLAG_ENCRYPTED != 0 {
        let key = state_key
            .ok_or_else(|| key_error("blob is encrypted with a state key, none was given"))?;
        check_size(key, flags & FLAG_ENCRYPTED_256 != 0, "state")?;
        decrypt_layer(key, TAG_IV, TAG_ENCRYPTED_DATA, &inner)
    } else {
        let tlvs = parse_tlvs(&inner)?;
        match tlvs.as_slice() {
            [(TAG_DATA, data)] => Ok(Zeroizing::new(data.to_vec())),
            _ => Err(malformed("expected one data TLV")),
        }
    }
}

fn size_flag(key: &KeyMaterial, flag: u16) -> u16 {
    if key.cipher == Cipher::Aes256Cbc {
        flag
    } else {
        0
    }
}

fn check_size(key: &KeyMaterial, is_256: bool, which: &str) -> Result<(), BlobError> {
    if (key.cipher == Cipher::Aes256Cbc) != is_256 {
        return Err(key_error(format!(
            "blob's {which} key size differs from the given key's"
        )));
    }
    Ok(())
}

fn tlv(tag: u16, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len().saturating_add(6));
    out.extend_from_slice(&tag.to_be_bytes());
    out.extend_from_slice(&u32::try_from(value.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(value);
    out
}

fn parse_tlvs(mut bytes: &[u8]) -> Result<Vec<(u16, &[u8])>, BlobError> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (tag, len) = match (be16(bytes, 0), be32(bytes, 2)) {
            (Some(t), Some(l)) => (t, usize::try_from(l).map_err(|_| malformed("bad TLV"))?),
            _ => return Err(malformed("truncated TLV header")),
        };
        let end = len
            .checked_add(6)
            .ok_or_else(|| malformed("bad TLV length"))?;
        let value = bytes
            .get(6..end)
            .ok_or_else(|| malformed("TLV longer than the blob"))?;
        out.push((tag, value));
        bytes = bytes.get(end..).unwrap_or_default();
    }
    Ok(out)
}

fn hmac(key: &KeyMaterial, iv: &[u8], ciphertext: &[u8]) -> Result<[u8; 32], BlobError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.bytes()).map_err(|_| key_error("bad key"))?;
    mac.update(iv);
    mac.update(ciphertext);
    Ok(mac.finalize().into_bytes().into())
}

fn encrypt_layer(
    key: &KeyMaterial,
    iv_tag: u16,
    data_tag: u16,
    plain: &[u8],
) -> Result<Vec<u8>, BlobError> {
    let mut iv = [0u8; IV_LEN];
    getrandom::fill(&mut iv).map_err(|e| malformed(format!("no randomness: {e}")))?;
    let ct = match key.cipher {
        Cipher::Aes256Cbc => cbc::Encryptor::<Aes256>::new_from_slices(key.bytes(), &iv)
            .map(|c| c.encrypt_padded_vec::<Pkcs7>(plain)),
        _ => cbc::Encryptor::<Aes128>::new_from_slices(key.bytes(), &iv)
            .map(|c| c.encrypt_padded_vec::<Pkcs7>(plain)),
    }
    .map_err(|_| key_error("key has the wrong length"))?;
    let tag = hmac(key, &iv, &ct)?;
    Ok([tlv(iv_tag, &iv), tlv(data_tag, &ct), tlv(TAG_HMAC, &tag)].concat())
}

fn decrypt_layer(
    key: &KeyMaterial,
    iv_tag: u16,
    data_tag: u16,
    layer: &[u8],
) -> Result<Zeroizing<Vec<u8>>, BlobError> {
    let tlvs = parse_tlvs(layer)?;
    let [(t1, iv), (t2, ct), (TAG_HMAC, stored)] = tlvs.as_slice() else {
        return Err(malformed("expected IV, encrypted data and HMAC TLVs"));
    };
    if *t1 != iv_tag || *t2 != data_tag || iv.len() != IV_LEN {
        return Err(malformed("unexpected TLVs in an encrypted layer"));
    }
    if !bool::from(hmac(key, iv, ct)?.ct_eq(stored)) {
        return Err(key_error(
            "integrity check failed (wrong key or corrupt blob)",
        ));
    }
    let plain = match key.cipher {
        Cipher::Aes256Cbc => cbc::Decryptor::<Aes256>::new_from_slices(key.bytes(), iv)
            .map(|c| c.decrypt_padded_vec::<Pkcs7>(ct)),
        _ => cbc::Decryptor::<Aes128>::new_from_slices(key.bytes(), iv)
            .map(|c| c.decrypt_padded_vec::<Pkcs7>(ct)),
    }
    .map_err(|_| key_error("key has the wrong length"))?
    .map_err(|_| key_error("bad padding"))?;
    Ok(Zeroizing::new(plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k128(b: u8) -> KeyMaterial {
        KeyMaterial::new(Cipher::Aes128Cbc, &[b; 16])
    }

    fn k256(b: u8) -> KeyMaterial {
        KeyMaterial::new(Cipher::Aes256Cbc, &[b; 32])
    }

    #[test]
    fn plain_blob_has_swtpm_header() {
        let blob = seal(b"abc", None, None).unwrap();
        assert_eq!(
            blob,
            [2, 1, 0, 10, 0, 0, 0, 0, 0, 19, 0, 1, 0, 0, 0, 3, b'a', b'b', b'c']
        );
        assert_eq!(*open(&blob, None, None).unwrap(), *b"abc");
    }

    #[test]
    fn round_trips_with_every_key_combination() {
        let data: Vec<u8> = (0..=255).collect();
        for (s, m) in [
            (None, Some(k128(1))),
            (Some(k256(2)), None),
            (Some(k128(3)), Some(k256(4))),
        ] {
            let blob = seal(&data, s.as_ref(), m.as_ref()).unwrap();
            assert!(!blob.windows(32).any(|w| data.windows(32).any(|d| d == w)));
            assert_eq!(*open(&blob, s.as_ref(), m.as_ref()).unwrap(), data);
        }
    }

    #[test]
    fn rejects_wrong_or_missing_migration_key() {
        let blob = seal(b"secret", None, Some(&k128(1))).unwrap();
        assert_eq!(
            open(&blob, None, None).unwrap_err().code,
            ReturnCode::TPM_DECRYPT_ERROR
        );
        assert_eq!(
            open(&blob, None, Some(&k128(2))).unwrap_err().code,
            ReturnCode::TPM_DECRYPT_ERROR
        );
        assert!(open(&blob, None, Some(&k256(1))).is_err());
        let plain = seal(b"secret", None, None).unwrap();
        assert!(open(&plain, None, Some(&k128(1))).is_err());
    }

    #[test]
    fn rejects_flipped_bits_and_truncation() {
        let blob = seal(b"some state", None, Some(&k128(1))).unwrap();
        for at in 0..blob.len() {
            let mut bad = blob.clone();
            bad[at] ^= 0x40;
            assert!(open(&bad, None, Some(&k128(1))).is_err(), "flip at {at}");
        }
        for len in 0..blob.len() {
            assert!(open(&blob[..len], None, Some(&k128(1))).is_err());
        }
    }
}
