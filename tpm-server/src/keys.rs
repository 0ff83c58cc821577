//! `--key` and `--migration-key`: where a key comes from and how it is turned into AES key
//! bytes, as swtpm does it (a hex or binary key file or descriptor, or a passphrase run
//! through SHA-512 or PBKDF2-HMAC-SHA512 with salt "swtpm" and 1000 iterations).

use std::fmt;
use std::io::Read;
use std::path::PathBuf;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha512};
use tpm_core::store::{Cipher, StateKey};
use zeroize::Zeroizing;

use crate::opts::{OptError, OptionMap};

/// swtpm's PBKDF2 salt (src/swtpm/key.c).
const PBKDF2_SALT: &[u8] = b"swtpm";
/// swtpm's PBKDF2 iteration count.
const PBKDF2_ITERATIONS: u32 = 1000;
/// A key file holds at most "0x", 64 hex digits and a newline.
const MAX_KEY_FILE: u64 = 2 + 64 + 2;
/// A passphrase is at most this long.
const MAX_PASSPHRASE: u64 = 64 * 1024;

/// Where the key bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A file holding the key.
    File(PathBuf),
    /// A descriptor holding the key.
    Fd(i32),
    /// A file holding a passphrase.
    PwdFile(PathBuf),
    /// A descriptor holding a passphrase.
    PwdFd(i32),
}

/// How a key file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// Hex digits, optionally after "0x".
    Hex,
    /// Raw bytes.
    Binary,
}

/// How a passphrase becomes a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kdf {
    /// The first bytes of SHA-512(passphrase).
    Sha512,
    /// PBKDF2-HMAC-SHA512(passphrase, "swtpm", 1000).
    Pbkdf2,
}

/// A parsed `--key` or `--migration-key` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOpt {
    /// Where the key comes from.
    pub source: KeySource,
    /// Key file format.
    pub format: KeyFormat,
    /// AES-128-CBC or AES-256-CBC.
    pub cipher: Cipher,
    /// Passphrase KDF.
    pub kdf: Kdf,
    /// Delete the file after reading it.
    pub remove: bool,
}

impl KeyOpt {
    /// Parses the value of `option` (`--key` or `--migration-key`).
    ///
    /// # Errors
    /// No source or two, an unknown format, mode or kdf.
    pub fn parse(option: &'static str, value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse(
            option,
            value,
            &[
                "file", "fd", "pwdfile", "pwdfd", "format", "mode", "kdf", "remove",
            ],
        )?;
        let sources = [
            map.get("file")?.map(|f| KeySource::File(f.into())),
            map.fd("fd")?.map(KeySource::Fd),
            map.get("pwdfile")?.map(|f| KeySource::PwdFile(f.into())),
            map.fd("pwdfd")?.map(KeySource::PwdFd),
        ];
        let mut given = sources.into_iter().flatten();
        let (Some(source), None) = (given.next(), given.next()) else {
            return Err(OptError(format!(
                "{option}: give exactly one of file=, fd=, pwdfile=, pwdfd="
            )));
        };
        let format = match map.get("format")?.unwrap_or("hex") {
            "hex" => KeyFormat::Hex,
            "binary" => KeyFormat::Binary,
            other => return Err(OptError(format!("{option}: unknown format '{other}'"))),
        };
        let cipher = match map.get("mode")?.unwrap_or("aes-cbc") {
            "aes-cbc" | "aes-128-cbc" => Cipher::Aes128Cbc,
            "aes-256-cbc" => Cipher::Aes256Cbc,
            other => return Err(OptError(format!("{option}: unknown mode '{other}'"))),
        };
        let kdf = match map.get("kdf")?.unwrap_or("pbkdf2") {
            "pbkdf2" => Kdf::Pbkdf2,
            "sha512" => Kdf::Sha512,
            other => return Err(OptError(format!("{option}: unknown kdf '{other}'"))),
        };
        Ok(Self {
            source,
            format,
            cipher,
            kdf,
            remove: map.flag("remove")?,
        })
    }

    /// Reads the key (and removes its file if asked).
    ///
    /// # Errors
    /// The source cannot be read or does not hold a key of the mode's length.
    pub fn load(&self) -> Result<KeyMaterial, String> {
        let len = self.cipher.key_len();
        let bytes = match &self.source {
            KeySource::File(path) => {
                let raw = read_limited(std::fs::File::open(path), MAX_KEY_FILE, path)?;
                self.decode(&raw)
                    .map_err(|e| format!("{}: {e}", path.display()))?
            }
            KeySource::Fd(fd) => {
                let raw = read_limited(crate::fdpass::file_from_fd(*fd), MAX_KEY_FILE, fd)?;
                self.decode(&raw).map_err(|e| format!("key fd {fd}: {e}"))?
            }
            KeySource::PwdFile(path) => {
                let pwd = read_limited(std::fs::File::open(path), MAX_PASSPHRASE, path)?;
                derive(self.kdf, &pwd, len)
            }
            KeySource::PwdFd(fd) => {
                let pwd = read_limited(crate::fdpass::file_from_fd(*fd), MAX_PASSPHRASE, fd)?;
                derive(self.kdf, &pwd, len)
            }
        };
        if self.remove {
            if let KeySource::File(path) | KeySource::PwdFile(path) = &self.source {
                std::fs::remove_file(path)
                    .map_err(|e| format!("{}: cannot remove: {e}", path.display()))?;
            }
        }
        Ok(KeyMaterial {
            cipher: self.cipher,
            bytes,
        })
    }

    fn decode(&self, raw: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
        let want = self.cipher.key_len();
        let key = match self.format {
            KeyFormat::Binary => Zeroizing::new(raw.to_vec()),
            KeyFormat::Hex => parse_hex_key(raw)?,
        };
        if key.len() != want {
            return Err(format!(
                "the key has {} bytes, mode {:?} needs {want}",
                key.len(),
                self.cipher
            ));
        }
        Ok(key)
    }
}

fn read_limited(
    file: std::io::Result<std::fs::File>,
    limit: u64,
    name: &dyn fmt::Debug,
) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut out = Zeroizing::new(Vec::new());
    file.and_then(|f| f.take(limit).read_to_end(&mut out))
        .map_err(|e| format!("cannot read key {name:?}: {e}"))?;
    Ok(out)
}

/// Hex digits (after an optional "0x") up to the first white space.
fn parse_hex_key(raw: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
    let text = raw.strip_prefix(b"0x").unwrap_or(raw);
    let end = text
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let digits = text.get(..end).unwrap_or_default();
    if digits.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    let mut key = Zeroizing::new(Vec::with_capacity(digits.len() / 2));
    for pair in digits.chunks(2) {
        let hex = std::str::from_utf8(pair).map_err(|_| "not a hex key")?;
        key.push(u8::from_str_radix(hex, 16).map_err(|_| "not a hex key")?);
    }
    Ok(key)
}

/// Derives `len` (at most 64) key bytes from a passphrase.
fn derive(kdf: Kdf, passphrase: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let full = match kdf {
        Kdf::Sha512 => Zeroizing::new(Sha512::digest(passphrase).to_vec()),
        Kdf::Pbkdf2 => pbkdf2_sha512_block1(passphrase),
    };
    Zeroizing::new(full.iter().take(len).copied().collect())
}

/// The first 64-byte block of PBKDF2-HMAC-SHA512 (RFC 8018, 5.2) with swtpm's salt and
/// iteration count; a key of at most 64 bytes needs no second block.
fn pbkdf2_sha512_block1(passphrase: &[u8]) -> Zeroizing<Vec<u8>> {
    let prf = |data: &[&[u8]]| -> Zeroizing<Vec<u8>> {
        let mut mac = match Hmac::<Sha512>::new_from_slice(passphrase) {
            Ok(m) => m,
            Err(_) => return Zeroizing::new(vec![0; 64]),
        };
        data.iter().for_each(|d| mac.update(d));
        Zeroizing::new(mac.finalize().into_bytes().to_vec())
    };
    let mut u = prf(&[PBKDF2_SALT, &1u32.to_be_bytes()]);
    let mut t = u.clone();
    for _ in 1..PBKDF2_ITERATIONS {
        u = prf(&[&u]);
        t.iter_mut().zip(u.iter()).for_each(|(t, u)| *t ^= u);
    }
    t
}

/// Key bytes and the cipher they are for; wiped on drop, Debug shows the cipher only.
pub struct KeyMaterial {
    /// The cipher.
    pub cipher: Cipher,
    bytes: Zeroizing<Vec<u8>>,
}

impl KeyMaterial {
    /// A key from raw bytes (tests, embedders).
    pub fn new(cipher: Cipher, bytes: &[u8]) -> Self {
        Self {
            cipher,
            bytes: Zeroizing::new(bytes.to_vec()),
        }
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key as a state-folder key for `tpm_core::DirStore`.
    ///
    /// # Errors
    /// The length does not fit the cipher (cannot happen for a loaded key).
    pub fn state_key(&self) -> Result<StateKey, String> {
        StateKey::new(self.cipher, &self.bytes).map_err(|e| e.to_string())
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyMaterial")
            .field("cipher", &self.cipher)
            .field("bytes", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn pbkdf2_matches_swtpm_parameters() {
        // python3: hashlib.pbkdf2_hmac('sha512', b'secret\n', b'swtpm', 1000, 32)
        assert_eq!(
            *derive(Kdf::Pbkdf2, b"secret\n", 32),
            hex("92bb9ef4ea654697a65e1689d0a0185b4e7f7e2b3173633277e1408c93d83826")
        );
        assert_eq!(
            *derive(Kdf::Sha512, b"secret\n", 16),
            hex("eaa16b9ced0b5c6ece7aae07cb47c671")
        );
    }

    #[test]
    fn parses_hex_key_files() {
        assert_eq!(*parse_hex_key(b"0x00ff\n").unwrap(), [0, 255]);
        assert!(parse_hex_key(b"0fz0").is_err());
        assert!(parse_hex_key(b"abc").is_err());
    }

    #[test]
    fn loads_key_files_and_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, "0x000102030405060708090a0b0c0d0e0f\n").unwrap();
        let opt = KeyOpt::parse("--key", &format!("file={},remove", path.display())).unwrap();
        let key = opt.load().unwrap();
        assert_eq!(key.bytes(), hex("000102030405060708090a0b0c0d0e0f"));
        assert!(!path.exists());
        assert!(format!("{key:?}").contains("redacted"));
    }

    #[test]
    fn rejects_key_of_wrong_length_for_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, [7u8; 16]).unwrap();
        let value = format!("file={},format=binary,mode=aes-256-cbc", path.display());
        let err = KeyOpt::parse("--key", &value).unwrap().load().unwrap_err();
        assert!(err.contains("needs 32"), "{err}");
        let value = format!("file={},format=binary", path.display());
        assert_eq!(
            KeyOpt::parse("--key", &value)
                .unwrap()
                .load()
                .unwrap()
                .bytes(),
            [7; 16]
        );
    }

    #[test]
    fn passphrase_defaults_to_pbkdf2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        std::fs::write(&path, "secret\n").unwrap();
        let value = format!("pwdfile={},mode=aes-256-cbc", path.display());
        let key = KeyOpt::parse("--key", &value).unwrap().load().unwrap();
        assert_eq!(key.cipher, Cipher::Aes256Cbc);
        assert_eq!(
            key.bytes(),
            hex("92bb9ef4ea654697a65e1689d0a0185b4e7f7e2b3173633277e1408c93d83826")
        );
    }

    #[test]
    fn reads_key_and_passphrase_from_inherited_descriptors() {
        use crate::fdpass::release_at;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, "000102030405060708090a0b0c0d0e0f").unwrap();
        let fd = release_at(std::fs::File::open(&path).unwrap().into(), 600);
        let key = KeyOpt::parse("--key", &format!("fd={fd}"))
            .unwrap()
            .load()
            .unwrap();
        assert_eq!(key.bytes(), hex("000102030405060708090a0b0c0d0e0f"));
        std::fs::write(&path, "secret\n").unwrap();
        let fd = release_at(std::fs::File::open(&path).unwrap().into(), 700);
        let value = format!("pwdfd={fd},kdf=sha512");
        let key = KeyOpt::parse("--migration-key", &value)
            .unwrap()
            .load()
            .unwrap();
        assert_eq!(key.bytes(), hex("eaa16b9ced0b5c6ece7aae07cb47c671"));
    }

    #[test]
    fn rejects_two_sources_or_unknown_mode() {
        assert!(KeyOpt::parse("--key", "file=a,pwdfile=b").is_err());
        assert!(KeyOpt::parse("--key", "format=hex").is_err());
        assert!(KeyOpt::parse("--key", "file=a,mode=des").is_err());
        assert!(KeyOpt::parse("--key", "pwdfile=a,kdf=md5").is_err());
    }
}
