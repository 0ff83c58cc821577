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
//! - state (`state`), sessions (`sessions`), the NV store (`nv`) and the state blobs
//!   (`persist`) a [`Store`] keeps;
//! - the [`Platform`] (RNG, clock, physical presence) the embedder supplies.
//!
//! # No-panic contract
//! No input to [`Tpm::execute`] panics; every failure is a TPM return code. An internal
//! failure (a store that cannot save) puts the TPM in failure mode.
#![forbid(unsafe_code)]

mod dispatch;
mod ek;
mod keys;
mod nv;
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

    use hmac::{Hmac, KeyInit, Mac};
    use tpm_marshal::framing::{AuthIn, CommandFrame};
    use tpm_marshal::Ordinal;

    /// HMAC-SHA1 computed with the `hmac` crate directly (not the engine's helper).
    pub fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
        let mut m = Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
        for p in parts {
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    /// A command with one auth trailer whose HMAC is computed here.
    pub fn auth1_command(
        ordinal: Ordinal,
        params: &[u8],
        handle: u32,
        key: &[u8; 20],
        nonce_even: &[u8; 20],
        cont: bool,
    ) -> Vec<u8> {
        let digest = crate::sessions::sha1(&[&ordinal.0.to_be_bytes(), params]);
        let nonce_odd = [0x33; 20];
        let auth = hmac(key, &[&digest, nonce_even, &nonce_odd, &[u8::from(cont)]]);
        let trailer = AuthIn {
            handle,
            nonce_odd,
            continue_auth_session: cont,
            auth,
        };
        CommandFrame::encode(ordinal, params, &[trailer]).unwrap()
    }

    /// A started TPM (TPM_Startup(ST_CLEAR) through `execute`).
    pub fn started_tpm() -> Tpm {
        let mut tpm = fresh_tpm();
        let cmd = CommandFrame::encode(Ordinal::TPM_ORD_Startup, &[0, 1], &[]).unwrap();
        assert_eq!(tpm.execute(0, &cmd), [0, 0xc4, 0, 0, 0, 10, 0, 0, 0, 0]);
        tpm
    }

    #[test]
    fn a_tpm_can_move_to_another_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<Tpm>();
    }

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
