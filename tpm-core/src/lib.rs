//! `tpm-core`: the TPM 1.2 ordinal engine.
//!
//! `Tpm::execute(locality, bytes) -> bytes` runs the ordinals of TPM Main Part 3 with
//! sessions and persistence through a [`store::Store`]. It opens no sockets and no files
//! except through its store.
//!
//! Layers, outside in:
//! - [`Tpm`]: the engine value; [`Tpm::execute`] plus the platform events that are not
//!   commands (`init`, the locality-4 hash interface, established bit, volatile state).
//! - the dispatcher (`dispatch`): one pipeline every command goes through, driven by one
//!   ordinal table (`table`);
//! - handlers (`ordinals::*`), one module per Part 3 chapter family;
//! - state (`state`), sessions (`sessions`) and the state blobs (`persist`) a
//!   [`Store`](store::Store) keeps;
//! - the [`Platform`] (RNG, clock, physical presence) the embedder supplies.
//!
//! # No-panic contract
//! No input to [`Tpm::execute`] panics; every failure is a TPM return code. An internal
//! failure (a store that cannot save) puts the TPM in failure mode.
#![forbid(unsafe_code)]

mod dispatch;
mod ek;
mod ordinals;
mod persist;
pub mod platform;
pub mod secret;
mod sessions;
mod state;
pub mod store;
mod table;
mod tpm;

pub use persist::{HEADER_LEN as STATE_HEADER_LEN, MAGIC as STATE_MAGIC, VERSION as STATE_VERSION};
pub use platform::{Platform, PlatformRng, StdPlatform, TestControls, TestPlatform};
pub use store::{BlobName, Cipher, DirStore, MemStore, StateKey, Store, StoreError};
pub use tpm::{Config, Error, Tpm, DA_THRESHOLD};

#[cfg(test)]
pub(crate) mod tests {
    //! Helpers shared by unit tests.
    use super::*;

    /// A TPM on a seeded platform and an empty memory store, not yet started.
    pub fn fresh_tpm() -> Tpm {
        let config = Config {
            create_ek: false,
            enabled: true,
            activated: true,
        };
        match Tpm::new(
            config,
            Box::new(TestPlatform::new(1)),
            Box::new(MemStore::new()),
        ) {
            Ok(t) => t,
            Err(e) => unreachable!("{e}"),
        }
    }
}
