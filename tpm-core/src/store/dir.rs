//! A [`Store`] over a folder, like swtpm's `--tpmstate dir=`.
//!
//! Each blob is one file named by [`BlobName::file_name`], wrapped in the envelope of
//! [`super::envelope`]. The folder is locked for the store's lifetime, writes are atomic
//! (temp file, fsync, rename, fsync of the folder) and a file that fails any check is a
//! [`StoreError::Corrupt`] naming it, never a silently fresh TPM.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::envelope::{self, StateKey, IV_LEN};
use super::{BlobName, Store, StoreError};

/// The lock file inside the state folder.
pub const LOCK_FILE: &str = ".lock";

/// Keeps blobs as files in one folder, optionally encrypted under a [`StateKey`].
#[derive(Debug)]
pub struct DirStore {
    dir: PathBuf,
    key: Option<StateKey>,
    /// Holds the exclusive lock on `.lock` until the store is dropped.
    _lock: File,
}

impl DirStore {
    /// Opens the state folder `path`, creating it if missing, and locks it (a `.lock`
    /// file held with an exclusive `flock`). With `key`, every file is encrypted and
    /// authenticated; without it, files are plain with a SHA-256 integrity digest.
    ///
    /// # Errors
    /// `Locked` if another store (in this process or another) has the folder; `Io` if it
    /// cannot be created or the lock file opened.
    pub fn open(path: impl AsRef<Path>, key: Option<StateKey>) -> Result<Self, StoreError> {
        let dir = path.as_ref().to_path_buf();
        create_private_dir(&dir).map_err(|e| io_error(&dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| io_error(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => Ok(Self {
                dir,
                key,
                _lock: lock,
            }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Locked {
                path: dir.display().to_string(),
            }),
            Err(TryLockError::Error(e)) => Err(io_error(&lock_path, e)),
        }
    }

    /// The state folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `name`.
    pub fn file_path(&self, name: BlobName) -> PathBuf {
        self.dir.join(name.file_name())
    }

    fn temp_path(&self, name: BlobName) -> PathBuf {
        self.dir.join(format!(".{}.tmp", name.file_name()))
    }

    /// Writes `bytes` to the temp file, flushes it to disk, renames it over `target` and
    /// flushes the folder so the rename itself survives a crash.
    fn write_atomically(&self, temp: &Path, target: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut file = private_file_options().open(temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(temp, target)?;
        File::open(&self.dir)?.sync_all()
    }
}

impl Store for DirStore {
    fn load(&mut self, name: BlobName) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.file_path(name);
        let file = match fs::read(&path) {
            Ok(bytes) => Zeroizing::new(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path, e)),
        };
        let mut payload = envelope::open(name, self.key.as_ref(), &file).map_err(|reason| {
            StoreError::Corrupt {
                path: path.display().to_string(),
                reason,
            }
        })?;
        Ok(Some(std::mem::take(&mut *payload)))
    }

    fn save(&mut self, name: BlobName, data: &[u8]) -> Result<(), StoreError> {
        let target = self.file_path(name);
        let mut iv = [0u8; IV_LEN];
        if self.key.is_some() {
            getrandom::fill(&mut iv).map_err(|e| io_error(&target, e.into()))?;
        }
        let file = envelope::seal(name, self.key.as_ref(), &iv, data)
            .map(Zeroizing::new)
            .map_err(|reason| StoreError::Io {
                path: target.display().to_string(),
                source: io::Error::new(io::ErrorKind::FileTooLarge, reason),
            })?;
        let temp = self.temp_path(name);
        self.write_atomically(&temp, &target, &file).map_err(|e| {
            let _ = fs::remove_file(&temp);
            io_error(&target, e)
        })
    }

    fn delete(&mut self, name: BlobName) -> Result<(), StoreError> {
        let path = self.file_path(name);
        match fs::remove_file(&path) {
            Ok(()) => File::open(&self.dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_error(&self.dir, e)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(&path, e)),
        }
    }
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Creates the folder (and its parents) readable by the owner only, if it is missing.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options for a new state file: the owner alone may read it, it holds secrets.
fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::envelope::{Cipher, HEADER_LEN};

    fn key(cipher: Cipher, fill: u8) -> StateKey {
        StateKey::new(cipher, &vec![fill; cipher.key_len()]).unwrap()
    }

    fn corrupt_reason(store: &mut DirStore, name: BlobName) -> String {
        match store.load(name) {
            Err(StoreError::Corrupt { path, reason }) => {
                assert_eq!(path, store.file_path(name).display().to_string());
                reason
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn plain_blobs_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path().join("state"), None).unwrap();
        assert!(s.load(BlobName::Permanent).unwrap().is_none());
        for name in BlobName::ALL {
            s.save(name, name.file_name().as_bytes()).unwrap();
        }
        s.save(BlobName::SaveState, b"").unwrap();
        assert_eq!(
            s.load(BlobName::Permanent).unwrap().unwrap(),
            b"tpm-permanent.state"
        );
        assert_eq!(
            s.load(BlobName::Volatile).unwrap().unwrap(),
            b"tpm-volatile.state"
        );
        assert_eq!(s.load(BlobName::SaveState).unwrap().unwrap(), b"");
    }

    #[test]
    fn encrypted_blobs_round_trip_with_every_cipher() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        for cipher in Cipher::ALL {
            let dir = tempfile::tempdir().unwrap();
            let mut s = DirStore::open(dir.path(), Some(key(cipher, 7))).unwrap();
            for len in [0, 1, 15, 16, 17, 1000] {
                s.save(BlobName::Permanent, &data[..len]).unwrap();
                assert_eq!(s.load(BlobName::Permanent).unwrap().unwrap(), &data[..len]);
            }
            let raw = fs::read(s.file_path(BlobName::Permanent)).unwrap();
            assert!(!raw.windows(16).any(|w| data.windows(16).any(|d| d == w)));
            drop(s);
            let mut reopened = DirStore::open(dir.path(), Some(key(cipher, 7))).unwrap();
            assert_eq!(reopened.load(BlobName::Permanent).unwrap().unwrap(), data);
        }
    }

    #[test]
    fn encrypting_twice_uses_fresh_ivs() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), Some(key(Cipher::Aes128Ctr, 1))).unwrap();
        s.save(BlobName::Volatile, b"same").unwrap();
        let first = fs::read(s.file_path(BlobName::Volatile)).unwrap();
        s.save(BlobName::Volatile, b"same").unwrap();
        let second = fs::read(s.file_path(BlobName::Volatile)).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn overwrite_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), None).unwrap();
        s.save(BlobName::Permanent, &[0xAA; 500]).unwrap();
        s.save(BlobName::Permanent, b"short").unwrap();
        assert_eq!(s.load(BlobName::Permanent).unwrap().unwrap(), b"short");
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [".lock", "tpm-permanent.state"]);
    }

    #[test]
    fn failed_write_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), None).unwrap();
        s.save(BlobName::Permanent, b"old").unwrap();
        // A folder where the temp file should go makes the write fail before the rename.
        fs::create_dir(s.temp_path(BlobName::Permanent)).unwrap();
        assert!(matches!(
            s.save(BlobName::Permanent, b"new"),
            Err(StoreError::Io { .. })
        ));
        assert_eq!(s.load(BlobName::Permanent).unwrap().unwrap(), b"old");
    }

    #[test]
    fn delete_removes_and_tolerates_missing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), None).unwrap();
        s.delete(BlobName::Volatile).unwrap();
        s.save(BlobName::Volatile, b"v").unwrap();
        s.delete(BlobName::Volatile).unwrap();
        assert!(s.load(BlobName::Volatile).unwrap().is_none());
        assert!(!s.file_path(BlobName::Volatile).exists());
    }

    #[test]
    fn second_store_on_same_folder_is_locked_out() {
        let dir = tempfile::tempdir().unwrap();
        let first = DirStore::open(dir.path(), None).unwrap();
        match DirStore::open(dir.path(), None) {
            Err(StoreError::Locked { path }) => assert_eq!(path, dir.path().display().to_string()),
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        DirStore::open(dir.path(), None).unwrap();
    }

    #[test]
    fn rejects_flipped_bytes_anywhere() {
        for key_cipher in [None, Some(Cipher::Aes128Cbc), Some(Cipher::Aes256Ctr)] {
            let dir = tempfile::tempdir().unwrap();
            let mut s = DirStore::open(dir.path(), key_cipher.map(|c| key(c, 3))).unwrap();
            s.save(BlobName::Permanent, b"some permanent state")
                .unwrap();
            let path = s.file_path(BlobName::Permanent);
            let good = fs::read(&path).unwrap();
            let positions = [0, 7, 8, 9, 11, 13, 15, 17, HEADER_LEN, HEADER_LEN + 5];
            let tail = [good.len() - 32, good.len() - 1];
            for at in positions.into_iter().chain(tail) {
                let mut bad = good.clone();
                bad[at] ^= 0x01;
                fs::write(&path, &bad).unwrap();
                corrupt_reason(&mut s, BlobName::Permanent);
            }
        }
    }

    #[test]
    fn rejects_truncated_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), None).unwrap();
        s.save(BlobName::Volatile, b"volatile state").unwrap();
        let path = s.file_path(BlobName::Volatile);
        let good = fs::read(&path).unwrap();
        for len in [0, 5, HEADER_LEN, good.len() - 1] {
            fs::write(&path, &good[..len]).unwrap();
            let reason = corrupt_reason(&mut s, BlobName::Volatile);
            assert!(reason.contains("truncated"), "{reason}");
        }
        fs::write(&path, [&good[..], b"x"].concat()).unwrap();
        corrupt_reason(&mut s, BlobName::Volatile);
    }

    #[test]
    fn rejects_wrong_magic() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), None).unwrap();
        fs::write(s.file_path(BlobName::Permanent), [0u8; 64]).unwrap();
        let reason = corrupt_reason(&mut s, BlobName::Permanent);
        assert!(reason.contains("bad magic"), "{reason}");
    }

    #[test]
    fn rejects_wrong_key() {
        for cipher in Cipher::ALL {
            let dir = tempfile::tempdir().unwrap();
            let mut s = DirStore::open(dir.path(), Some(key(cipher, 1))).unwrap();
            s.save(BlobName::Permanent, b"secret state").unwrap();
            drop(s);
            let mut s = DirStore::open(dir.path(), Some(key(cipher, 2))).unwrap();
            let reason = corrupt_reason(&mut s, BlobName::Permanent);
            assert!(reason.contains("wrong state key"), "{reason}");
        }
    }

    #[test]
    fn rejects_key_presence_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), Some(key(Cipher::Aes256Cbc, 1))).unwrap();
        s.save(BlobName::Permanent, b"encrypted").unwrap();
        drop(s);
        let mut s = DirStore::open(dir.path(), None).unwrap();
        let reason = corrupt_reason(&mut s, BlobName::Permanent);
        assert!(reason.contains("no state key"), "{reason}");
        s.save(BlobName::Volatile, b"plain").unwrap();
        drop(s);
        let mut s = DirStore::open(dir.path(), Some(key(Cipher::Aes256Cbc, 1))).unwrap();
        let reason = corrupt_reason(&mut s, BlobName::Volatile);
        assert!(reason.contains("not encrypted"), "{reason}");
    }

    #[test]
    fn rejects_file_renamed_to_another_blob() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path(), None).unwrap();
        s.save(BlobName::SaveState, b"saved").unwrap();
        fs::rename(
            s.file_path(BlobName::SaveState),
            s.file_path(BlobName::Permanent),
        )
        .unwrap();
        corrupt_reason(&mut s, BlobName::Permanent);
    }

    #[cfg(unix)]
    #[test]
    fn state_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut s = DirStore::open(dir.path().join("new"), None).unwrap();
        s.save(BlobName::Permanent, b"p").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(s.path()), 0o700);
        assert_eq!(mode(&s.file_path(BlobName::Permanent)), 0o600);
    }
}
