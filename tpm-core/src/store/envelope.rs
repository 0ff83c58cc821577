//! The envelope every state file of a [`DirStore`](super::DirStore) has: a header, the
//! payload (plain or encrypted) and an integrity tag.
//!
//! All integers are big-endian, like the TPM's own structures:
//!
//! ```text
//! offset  size  field
//!      0     8  magic "TPM12RS\0"
//!      8     2  format version, 0x0001
//!     10     2  blob: 1 permanent, 2 volatile, 3 savestate
//!     12     2  cipher: 0 none, 1 AES-128-CBC, 2 AES-256-CBC, 3 AES-128-CTR, 4 AES-256-CTR
//!     14     4  payload length n
//!     18     n  payload: the state itself (cipher 0), or IV (16 bytes) || ciphertext
//!   18+n    32  tag over bytes 0 .. 18+n:
//!               cipher 0: SHA-256 (catches corruption, not tampering)
//!               else:     HMAC-SHA256 under the MAC key (encrypt-then-MAC)
//! ```
//!
//! CBC pads with PKCS#7; CTR uses the IV as the initial 128-bit big-endian counter block.
//! The user's [`StateKey`] is never used directly: the cipher key is the first 16 or 32
//! bytes of HMAC-SHA256(key, "tpm12rs state enc") and the MAC key is
//! HMAC-SHA256(key, "tpm12rs state mac").
//!
//! Opening checks everything before it decrypts: length, magic, version, blob name,
//! cipher, then the tag in constant time. Padding is looked at only after the tag matched,
//! so a forged file learns nothing from which check failed.

use std::fmt;

use aes::{Aes128, Aes256};
use cbc::cipher::{
    block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit, StreamCipher,
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::BlobName;

/// The first 8 bytes of every state file.
pub const MAGIC: [u8; 8] = *b"TPM12RS\0";
/// The envelope format this code writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// Bytes before the payload: magic, version, blob, cipher, payload length.
pub const HEADER_LEN: usize = 18;
/// Bytes of the integrity tag after the payload.
pub const TAG_LEN: usize = 32;
/// Bytes of the random IV that starts an encrypted payload.
pub const IV_LEN: usize = 16;

const ENC_LABEL: &[u8] = b"tpm12rs state enc";
const MAC_LABEL: &[u8] = b"tpm12rs state mac";

/// How a [`DirStore`](super::DirStore) encrypts its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// AES with a 16-byte key, CBC mode, PKCS#7 padding (swtpm's `aes-cbc`).
    Aes128Cbc,
    /// AES with a 32-byte key, CBC mode, PKCS#7 padding (swtpm's `aes-256-cbc`).
    Aes256Cbc,
    /// AES with a 16-byte key, CTR mode.
    Aes128Ctr,
    /// AES with a 32-byte key, CTR mode.
    Aes256Ctr,
}

impl Cipher {
    /// Every cipher.
    pub const ALL: [Self; 4] = [
        Self::Aes128Cbc,
        Self::Aes256Cbc,
        Self::Aes128Ctr,
        Self::Aes256Ctr,
    ];

    /// The length of the key the cipher takes: 16 or 32 bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes128Cbc | Self::Aes128Ctr => 16,
            Self::Aes256Cbc | Self::Aes256Ctr => 32,
        }
    }

    /// The number in the envelope's cipher field.
    fn id(self) -> u16 {
        match self {
            Self::Aes128Cbc => 1,
            Self::Aes256Cbc => 2,
            Self::Aes128Ctr => 3,
            Self::Aes256Ctr => 4,
        }
    }

    fn from_id(id: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// A key given to a state key constructor has the wrong length for its cipher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{cipher:?} takes a {expected}-byte key, got {got} bytes")]
pub struct KeyLengthError {
    /// The cipher asked for.
    pub cipher: Cipher,
    /// The length it takes.
    pub expected: usize,
    /// The length given.
    pub got: usize,
}

/// The key that encrypts and authenticates a state folder (swtpm's `--key`). Wiped on
/// drop; its Debug shows the cipher only.
pub struct StateKey {
    cipher: Cipher,
    bytes: Zeroizing<Vec<u8>>,
}

impl StateKey {
    /// A key for `cipher`; `bytes` must be [`Cipher::key_len`] long.
    pub fn new(cipher: Cipher, bytes: &[u8]) -> Result<Self, KeyLengthError> {
        if bytes.len() != cipher.key_len() {
            return Err(KeyLengthError {
                cipher,
                expected: cipher.key_len(),
                got: bytes.len(),
            });
        }
        Ok(Self {
            cipher,
            bytes: Zeroizing::new(bytes.to_vec()),
        })
    }

    /// The cipher this key is for.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    fn enc_key(&self) -> Zeroizing<[u8; 32]> {
        hmac_sha256(&self.bytes, &[ENC_LABEL])
    }

    fn mac_key(&self) -> Zeroizing<[u8; 32]> {
        hmac_sha256(&self.bytes, &[MAC_LABEL])
    }
}

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateKey")
            .field("cipher", &self.cipher)
            .field("bytes", &"<redacted>")
            .finish()
    }
}

/// The number in the envelope's blob field.
fn blob_id(name: BlobName) -> u16 {
    match name {
        BlobName::Permanent => 1,
        BlobName::Volatile => 2,
        BlobName::SaveState => 3,
    }
}

/// Wraps `data` in an envelope for `name`; with a key, encrypts it under `iv` first.
/// Fails only if the payload does not fit the 32-bit length field.
pub(crate) fn seal(
    name: BlobName,
    key: Option<&StateKey>,
    iv: &[u8; IV_LEN],
    data: &[u8],
) -> Result<Vec<u8>, String> {
    let payload = match key {
        None => data.to_vec(),
        Some(key) => {
            let mut payload = iv.to_vec();
            payload.extend_from_slice(&encrypt(key, iv, data));
            payload
        }
    };
    let len = u32::try_from(payload.len())
        .map_err(|_| format!("{} bytes of state do not fit a file", data.len()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + TAG_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    out.extend_from_slice(&blob_id(name).to_be_bytes());
    out.extend_from_slice(&key.map_or(0, |k| k.cipher.id()).to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    let tag = tag(key, &out);
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Checks the envelope of a file that should hold `name` and returns its payload,
/// decrypted with `key`. The error says what is wrong, for a `StoreError::Corrupt`.
pub(crate) fn open(
    name: BlobName,
    key: Option<&StateKey>,
    file: &[u8],
) -> Result<Zeroizing<Vec<u8>>, String> {
    let header = file
        .get(..HEADER_LEN)
        .ok_or_else(|| format!("truncated: {} bytes, shorter than a header", file.len()))?;
    if header.get(..8) != Some(&MAGIC[..]) {
        return Err("not a TPM state file (bad magic)".into());
    }
    let version = be16(header, 8);
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version} is not supported (this build reads {FORMAT_VERSION})"
        ));
    }
    let blob = be16(header, 10);
    if blob != blob_id(name) {
        return Err(format!("holds blob {blob}, not the {name:?} blob"));
    }
    let cipher = match be16(header, 12) {
        0 => None,
        id => Some(Cipher::from_id(id).ok_or_else(|| format!("unknown cipher {id}"))?),
    };
    let len = usize::try_from(be32(header, 14)).map_err(|_| "payload length too large")?;
    let expected = HEADER_LEN
        .checked_add(len)
        .and_then(|n| n.checked_add(TAG_LEN))
        .ok_or("payload length too large")?;
    if file.len() != expected {
        return Err(format!(
            "truncated or padded: {} bytes, the header says {expected}",
            file.len()
        ));
    }
    let (body, stored_tag) = file.split_at(HEADER_LEN + len);
    let payload = body.get(HEADER_LEN..).unwrap_or_default();
    match (cipher, key) {
        (None, None) => {
            check_tag(None, body, stored_tag)?;
            Ok(Zeroizing::new(payload.to_vec()))
        }
        (Some(c), None) => Err(format!("encrypted with {c:?} but no state key was given")),
        (None, Some(_)) => Err("not encrypted but a state key was given".into()),
        (Some(c), Some(key)) if c != key.cipher => Err(format!(
            "encrypted with {c:?} but the state key is for {:?}",
            key.cipher
        )),
        (Some(_), Some(key)) => {
            check_tag(Some(key), body, stored_tag)?;
            let (iv, ciphertext) = payload
                .split_first_chunk::<IV_LEN>()
                .ok_or("encrypted payload shorter than its IV")?;
            decrypt(key, iv, ciphertext)
        }
    }
}

fn be16(bytes: &[u8], at: usize) -> u16 {
    let mut b = [0; 2];
    b.iter_mut()
        .zip(bytes.iter().skip(at))
        .for_each(|(d, s)| *d = *s);
    u16::from_be_bytes(b)
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0; 4];
    b.iter_mut()
        .zip(bytes.iter().skip(at))
        .for_each(|(d, s)| *d = *s);
    u32::from_be_bytes(b)
}

/// SHA-256 of `body` without a key, HMAC-SHA256 under the MAC key with one.
fn tag(key: Option<&StateKey>, body: &[u8]) -> Zeroizing<[u8; 32]> {
    match key {
        None => Zeroizing::new(Sha256::digest(body).into()),
        Some(key) => hmac_sha256(&key.mac_key()[..], &[body]),
    }
}

fn check_tag(key: Option<&StateKey>, body: &[u8], stored: &[u8]) -> Result<(), String> {
    if bool::from(tag(key, body).ct_eq(stored)) {
        Ok(())
    } else if key.is_some() {
        Err("integrity check failed (corrupt file or wrong state key)".into())
    } else {
        Err("integrity check failed (SHA-256 digest does not match)".into())
    }
}

/// HMAC-SHA256 of the concatenated `parts` under `key` (at most 64 bytes: a shorter key
/// is zero-padded to the block size, which is what HMAC does with it anyway).
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let mut block = Zeroizing::new([0u8; 64]);
    block.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    let mut mac = Hmac::<Sha256>::new((&*block).into());
    parts.iter().for_each(|p| mac.update(p));
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// The first 16 bytes of a derived key, for AES-128.
fn key128(key: &[u8; 32]) -> Zeroizing<[u8; 16]> {
    let mut k = Zeroizing::new([0u8; 16]);
    k.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    k
}

fn encrypt(key: &StateKey, iv: &[u8; IV_LEN], data: &[u8]) -> Vec<u8> {
    let k = key.enc_key();
    let iv = iv.into();
    match key.cipher {
        Cipher::Aes128Cbc => cbc::Encryptor::<Aes128>::new((&*key128(&k)).into(), iv)
            .encrypt_padded_vec::<Pkcs7>(data),
        Cipher::Aes256Cbc => {
            cbc::Encryptor::<Aes256>::new((&*k).into(), iv).encrypt_padded_vec::<Pkcs7>(data)
        }
        Cipher::Aes128Ctr | Cipher::Aes256Ctr => ctr_apply(key.cipher, &k, iv, data.to_vec()),
    }
}

fn decrypt(
    key: &StateKey,
    iv: &[u8; IV_LEN],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, String> {
    let k = key.enc_key();
    let iv = iv.into();
    let padded = match key.cipher {
        Cipher::Aes128Cbc => cbc::Decryptor::<Aes128>::new((&*key128(&k)).into(), iv)
            .decrypt_padded_vec::<Pkcs7>(ciphertext),
        Cipher::Aes256Cbc => {
            cbc::Decryptor::<Aes256>::new((&*k).into(), iv).decrypt_padded_vec::<Pkcs7>(ciphertext)
        }
        Cipher::Aes128Ctr | Cipher::Aes256Ctr => {
            return Ok(Zeroizing::new(ctr_apply(
                key.cipher,
                &k,
                iv,
                ciphertext.to_vec(),
            )))
        }
    };
    padded
        .map(Zeroizing::new)
        .map_err(|_| "bad CBC padding under a valid tag".into())
}

/// CTR encryption and decryption are the same keystream XOR.
fn ctr_apply(
    cipher: Cipher,
    k: &[u8; 32],
    iv: &cbc::cipher::Iv<ctr::Ctr128BE<Aes128>>,
    mut buf: Vec<u8>,
) -> Vec<u8> {
    if cipher == Cipher::Aes128Ctr {
        ctr::Ctr128BE::<Aes128>::new((&*key128(k)).into(), iv).apply_keystream(&mut buf);
    } else {
        ctr::Ctr128BE::<Aes256>::new(k.into(), iv).apply_keystream(&mut buf);
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    const IV: [u8; IV_LEN] = [0x11; IV_LEN];

    fn key(cipher: Cipher) -> StateKey {
        let bytes: Vec<u8> = (0u8..).take(cipher.key_len()).collect();
        StateKey::new(cipher, &bytes).unwrap()
    }

    #[test]
    fn state_key_rejects_wrong_length() {
        let err = StateKey::new(Cipher::Aes256Cbc, &[0; 16]).unwrap_err();
        assert_eq!(err.expected, 32);
        assert_eq!(err.got, 16);
    }

    #[test]
    fn state_key_debug_hides_bytes() {
        let k = StateKey::new(Cipher::Aes128Ctr, &[0xAB; 16]).unwrap();
        let shown = format!("{k:?}");
        assert!(shown.contains("Aes128Ctr") && shown.contains("redacted"));
        assert!(!shown.contains("171") && !shown.to_lowercase().contains("ab, "));
    }

    #[test]
    fn plain_envelope_byte_picture() {
        let file = seal(BlobName::Volatile, None, &IV, b"abc").unwrap();
        let mut expected = Vec::new();
        expected.extend_from_slice(b"TPM12RS\0"); // magic
        expected.extend_from_slice(&[0x00, 0x01]); // format version 1
        expected.extend_from_slice(&[0x00, 0x02]); // blob: volatile
        expected.extend_from_slice(&[0x00, 0x00]); // cipher: none
        expected.extend_from_slice(&[0x00, 0x00, 0x00, 0x03]); // payload length
        expected.extend_from_slice(b"abc"); // payload
                                            // SHA-256 of the 21 bytes above (python3 hashlib).
        expected.extend_from_slice(&[
            0x1a, 0x5f, 0xab, 0x54, 0x6e, 0xc5, 0x09, 0x3b, 0x74, 0xe4, 0x28, 0x41, 0xcb, 0x76,
            0x29, 0xaf, 0x95, 0xa7, 0xe9, 0x6a, 0x46, 0xb6, 0x59, 0xde, 0xd2, 0xc3, 0x71, 0xd4,
            0xa5, 0x54, 0x48, 0x8a,
        ]);
        assert_eq!(file, expected);
        assert_eq!(*open(BlobName::Volatile, None, &file).unwrap(), b"abc");
    }

    #[test]
    fn encrypted_envelope_layout() {
        for cipher in Cipher::ALL {
            let file = seal(BlobName::Permanent, Some(&key(cipher)), &IV, b"abc").unwrap();
            let ct_len = match cipher {
                Cipher::Aes128Cbc | Cipher::Aes256Cbc => 16,
                Cipher::Aes128Ctr | Cipher::Aes256Ctr => 3,
            };
            assert_eq!(&file[..10], b"TPM12RS\0\x00\x01");
            assert_eq!(be16(&file, 10), 1);
            assert_eq!(be16(&file, 12), cipher.id());
            assert_eq!(be32(&file, 14) as usize, IV_LEN + ct_len);
            assert_eq!(&file[HEADER_LEN..HEADER_LEN + IV_LEN], &IV);
            assert_eq!(file.len(), HEADER_LEN + IV_LEN + ct_len + TAG_LEN);
            assert!(!file.windows(3).any(|w| w == b"abc"));
        }
    }

    #[test]
    fn ctr_matches_aes_of_counter_blocks() {
        // CTR with IV v: block i of keystream is AES(k, v + i).
        use aes::cipher::BlockCipherEncrypt;
        let key = key(Cipher::Aes128Ctr);
        let k = key128(&key.enc_key());
        let ct = encrypt(&key, &IV, &[0; 32]);
        let aes = Aes128::new((&*k).into());
        let mut b0 = IV.into();
        aes.encrypt_block(&mut b0);
        let mut next = u128::from_be_bytes(IV).wrapping_add(1).to_be_bytes().into();
        aes.encrypt_block(&mut next);
        assert_eq!(&ct[..16], b0.as_slice());
        assert_eq!(&ct[16..], next.as_slice());
    }

    #[test]
    fn rejects_a_file_of_another_blob() {
        let file = seal(BlobName::Volatile, None, &IV, b"abc").unwrap();
        let err = open(BlobName::Permanent, None, &file).unwrap_err();
        assert!(err.contains("not the Permanent blob"), "{err}");
    }

    #[test]
    fn rejects_unknown_cipher_and_version() {
        let mut file = seal(BlobName::Volatile, None, &IV, b"abc").unwrap();
        file[13] = 9;
        assert!(open(BlobName::Volatile, None, &file)
            .unwrap_err()
            .contains("unknown cipher 9"));
        file[13] = 0;
        file[9] = 2;
        assert!(open(BlobName::Volatile, None, &file)
            .unwrap_err()
            .contains("format version 2"));
    }

    #[test]
    fn rejects_cipher_mismatch() {
        let file = seal(BlobName::Volatile, Some(&key(Cipher::Aes128Cbc)), &IV, b"x").unwrap();
        let err = open(BlobName::Volatile, Some(&key(Cipher::Aes128Ctr)), &file).unwrap_err();
        assert!(err.contains("encrypted with Aes128Cbc"), "{err}");
    }
}
