//! The in-process transport (feature `in-process`): a `tpm_core::Tpm` in this process,
//! its state in memory (`mem:`) or in a folder (`dir:`), so the tools work with no
//! server running.
//!
//! A `dir:` TPM lives across processes: the permanent state is saved by the engine as it
//! changes, the volatile state (PCRs, sessions, flags) when the transport is closed or
//! dropped, and restored when it is opened again. A folder with no volatile state yet is
//! started with TPM_Startup(ST_CLEAR), as a platform firmware would.

use crate::client::{decode_response, encode_command};
use crate::error::{Error, Result};
use crate::transport::Transport;
use std::path::Path;
use tpm_core::{Config, DirStore, MemStore, StdPlatform, Store, Tpm};
use tpm_marshal::commands::startup::{Startup, StartupIn};
use tpm_marshal::StartupType;

/// How a TPM created by this transport is manufactured: with an EK, enabled and
/// activated, ready to take ownership.
pub const MANUFACTURE: Config = Config {
    create_ek: true,
    enabled: true,
    activated: true,
};

/// A `tpm_core::Tpm` as a transport: `transmit` is `Tpm::execute` at `locality`.
#[derive(Debug)]
pub struct InProcessTransport {
    /// The engine.
    pub tpm: Tpm,
    /// The locality commands are sent from.
    pub locality: u8,
}

/// An engine error as a transport error (the state could not be loaded or saved).
fn engine_error(e: tpm_core::Error) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

impl InProcessTransport {
    /// Loads (or manufactures, see [`MANUFACTURE`]) the TPM in `store`, restores its
    /// volatile state, or sends TPM_Startup(ST_CLEAR) (Part 3, 3.2) when there is none.
    ///
    /// # Errors
    /// [`Error::Io`] when the state cannot be loaded (a corrupt blob, a locked folder);
    /// [`Error::Tpm`] when TPM_Startup fails.
    pub fn open(store: Box<dyn Store>) -> Result<Self> {
        let platform = StdPlatform::new()?;
        let tpm = Tpm::new(MANUFACTURE, Box::new(platform), store).map_err(engine_error)?;
        let mut transport = Self { tpm, locality: 0 };
        if !transport.tpm.restore_volatile().map_err(engine_error)? {
            let input = StartupIn {
                startup_type: StartupType::TPM_ST_CLEAR,
            };
            let (command, _) = encode_command::<Startup>(&input, &[])?;
            let response = transport.transmit(&command)?;
            decode_response::<Startup>(&response, &mut [])?;
        }
        Ok(transport)
    }

    /// `dir:` — the TPM whose state is in folder `path` (created if missing, locked while
    /// open).
    ///
    /// # Errors
    /// As [`InProcessTransport::open`]; the folder is locked by another process.
    pub fn open_dir(path: impl AsRef<Path>) -> Result<Self> {
        let store = DirStore::open(path, None)
            .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        Self::open(Box::new(store))
    }

    /// `mem:` — a fresh TPM in memory, forgotten when dropped.
    ///
    /// # Errors
    /// As [`InProcessTransport::open`].
    pub fn open_mem() -> Result<Self> {
        Self::open(Box::new(MemStore::new()))
    }

    /// Saves the volatile state so the next [`InProcessTransport::open`] resumes here.
    ///
    /// # Errors
    /// [`Error::Io`] when the store cannot save.
    pub fn save(&mut self) -> Result<()> {
        self.tpm.save_volatile().map_err(engine_error)
    }

    /// Saves the volatile state and closes the TPM (and its folder lock).
    ///
    /// # Errors
    /// As [`InProcessTransport::save`].
    pub fn close(mut self) -> Result<()> {
        self.save()
    }
}

impl Transport for InProcessTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        Ok(self.tpm.execute(self.locality, command))
    }
}

impl Drop for InProcessTransport {
    fn drop(&mut self) {
        // Saved again if `close` already saved: the same blob, harmless.
        let _ = self.save();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Client;

    #[test]
    fn pcrs_persist_between_openings_of_a_folder() {
        let dir = std::env::temp_dir().join(format!("tpm-client-inproc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let mut c = Client::new(InProcessTransport::open_dir(&dir).unwrap());
            c.extend(16, &[7; 20]).unwrap();
        }
        let mut c = Client::new(InProcessTransport::open_dir(&dir).unwrap());
        let expected = crate::session::sha1(&[&[0; 20], &[7; 20]]);
        assert_eq!(c.pcr_read(16).unwrap(), expected);
        drop(c);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_fresh_memory_tpm_is_started() {
        let mut c = Client::new(InProcessTransport::open_mem().unwrap());
        assert_eq!(c.get_random(8).unwrap().len(), 8);
    }
}
