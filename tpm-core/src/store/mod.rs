//! Persistence: the engine saves and loads named blobs through a [`Store`].
//!
//! The engine serialises its own state; a store only keeps bytes under a [`BlobName`],
//! atomically, and says clearly when what it holds is missing, corrupt or foreign.

use std::collections::BTreeMap;

pub mod dir;
pub mod envelope;

pub use dir::DirStore;
pub use envelope::{Cipher, KeyLengthError, StateKey};

/// The blobs a TPM keeps (swtpm keeps the same three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlobName {
    /// Permanent state: flags, owner, EK, SRK, NV, counters, owner-evict keys ...
    Permanent,
    /// Volatile state saved by the platform (`save_volatile`), swtpm's volatile state.
    Volatile,
    /// The image TPM_SaveState writes and TPM_Startup(ST_STATE) resumes.
    SaveState,
}

impl BlobName {
    /// Every blob name.
    pub const ALL: [Self; 3] = [Self::Permanent, Self::Volatile, Self::SaveState];

    /// The file name a directory store uses.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Permanent => "tpm-permanent.state",
            Self::Volatile => "tpm-volatile.state",
            Self::SaveState => "tpm-savestate.state",
        }
    }
}

/// Why a store could not load or save a blob. Each variant names the blob (and for a
/// directory store, the file), so the message is enough to act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O error on the named file.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a state blob of ours, is truncated, has a bad version, or its
    /// integrity check failed (a wrong key looks like this too).
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Another process holds the folder's lock.
    #[error("{path}: state folder is locked by another process")]
    Locked {
        /// The folder.
        path: String,
    },
}

/// Keeps named blobs. Implementations write atomically: after a crash a blob is either
/// the old or the new version, never a mix.
pub trait Store: Send {
    /// The blob, or `None` if it was never saved (or was deleted).
    fn load(&mut self, name: BlobName) -> Result<Option<Vec<u8>>, StoreError>;
    /// Replaces the blob.
    fn save(&mut self, name: BlobName, data: &[u8]) -> Result<(), StoreError>;
    /// Removes the blob; removing a missing blob is not an error.
    fn delete(&mut self, name: BlobName) -> Result<(), StoreError>;
}

/// A store in memory, for tests and embedders that persist elsewhere.
#[derive(Debug, Default, Clone)]
pub struct MemStore {
    blobs: BTreeMap<BlobName, Vec<u8>>,
    /// How many times `save` was called (tests use it to check that read-only commands
    /// write nothing).
    pub saves: u64,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemStore {
    fn load(&mut self, name: BlobName) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.blobs.get(&name).cloned())
    }

    fn save(&mut self, name: BlobName, data: &[u8]) -> Result<(), StoreError> {
        self.saves += 1;
        self.blobs.insert(name, data.to_vec());
        Ok(())
    }

    fn delete(&mut self, name: BlobName) -> Result<(), StoreError> {
        self.blobs.remove(&name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_store_keeps_blobs_by_name() {
        let mut s = MemStore::new();
        assert!(s.load(BlobName::Permanent).unwrap().is_none());
        s.save(BlobName::Permanent, b"p").unwrap();
        s.save(BlobName::Volatile, b"v").unwrap();
        assert_eq!(s.load(BlobName::Permanent).unwrap().unwrap(), b"p");
        s.delete(BlobName::Permanent).unwrap();
        assert!(s.load(BlobName::Permanent).unwrap().is_none());
        assert_eq!(s.saves, 2);
    }
}
