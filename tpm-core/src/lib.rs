//! `tpm-core`: the TPM 1.2 ordinal engine.
//!
//! `Tpm::execute(locality, bytes) -> bytes` runs every ordinal of TPM Main Part 3 with
//! sessions, the key hierarchy, NV storage and persistence through a [`store::Store`]. It
//! opens no sockets and no files except through its store.
#![forbid(unsafe_code)]

pub mod platform;
pub mod store;

pub use platform::{Platform, PlatformRng, StdPlatform, TestControls, TestPlatform};
pub use store::{BlobName, Cipher, DirStore, MemStore, StateKey, Store, StoreError};
