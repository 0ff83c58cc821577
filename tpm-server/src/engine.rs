//! The real TPM: `tpm_core::Tpm` behind [`TpmInstance`].

use tpm_core::store::{BlobName, Store};
use tpm_core::{Config, StdPlatform, Tpm};
use tpm_marshal::ReturnCode;

use crate::instance::{InstanceError, Manufacture, TpmInstance};

/// `tpm_core::Tpm` as the server drives it.
#[derive(Debug)]
pub struct TpmAdapter(pub Tpm);

impl TpmAdapter {
    /// A [`crate::instance::Backend`]: loads the TPM kept in `store` (on the platform of an
    /// ordinary process), or manufactures one as `manufacture` says.
    ///
    /// # Errors
    /// The stored state is corrupt (the message names the file), or the OS random source or
    /// endorsement key generation failed.
    pub fn backend(
        store: Box<dyn Store>,
        manufacture: Manufacture,
    ) -> Result<Box<dyn TpmInstance>, InstanceError> {
        let platform =
            StdPlatform::new().map_err(|e| InstanceError::State(format!("no randomness: {e}")))?;
        let config = Config {
            create_ek: manufacture.ek,
            enabled: manufacture.enabled,
            activated: manufacture.activated,
        };
        let tpm = Tpm::new(config, Box::new(platform), store).map_err(state_error)?;
        Ok(Box::new(Self(tpm)))
    }
}

fn state_error(e: tpm_core::Error) -> InstanceError {
    InstanceError::State(e.to_string())
}

impl TpmInstance for TpmAdapter {
    fn execute(&mut self, locality: u8, command: &[u8]) -> Vec<u8> {
        self.0.execute(locality, command)
    }

    fn init(&mut self, delete_volatile: bool) -> Result<(), InstanceError> {
        self.0.init();
        // restore_volatile takes the blob out of the store; put it back unless asked not to.
        if self.0.restore_volatile().map_err(state_error)? && !delete_volatile {
            self.0.save_volatile().map_err(state_error)?;
        }
        Ok(())
    }

    /// The engine writes its permanent state at the end of every command that changes
    /// it, so nothing is pending here.
    fn stop(&mut self) -> Result<(), InstanceError> {
        Ok(())
    }

    fn tpm_established(&self) -> bool {
        self.0.tpm_established()
    }

    fn reset_established(&mut self, locality: u8) -> Result<(), ReturnCode> {
        self.0.reset_established(locality)
    }

    fn hash_start(&mut self) -> Result<(), ReturnCode> {
        self.0.hash_start()
    }

    fn hash_data(&mut self, data: &[u8]) -> Result<(), ReturnCode> {
        self.0.hash_data(data)
    }

    fn hash_end(&mut self) -> Result<(), ReturnCode> {
        self.0.hash_end()
    }

    fn cancel(&mut self) {
        self.0.cancel();
    }

    fn store_volatile(&mut self) -> Result<(), InstanceError> {
        self.0.save_volatile().map_err(state_error)
    }

    fn get_blob(&mut self, name: BlobName) -> Result<Vec<u8>, InstanceError> {
        match name {
            BlobName::Permanent => Ok(self.0.permanent_blob()),
            BlobName::Volatile => Ok(self.0.volatile_blob()),
            BlobName::SaveState => Ok(self
                .0
                .savestate_blob()
                .map_err(state_error)?
                .unwrap_or_default()),
        }
    }

    /// A volatile blob is applied and stored, so the INIT that follows a migration
    /// restores it. An empty blob is accepted for the volatile and savestate blobs (there
    /// is nothing to restore) but not for the permanent one.
    fn set_blob(&mut self, name: BlobName, blob: &[u8]) -> Result<(), InstanceError> {
        match (name, blob.is_empty()) {
            (BlobName::Permanent, true) => Err(InstanceError::Tpm(ReturnCode::TPM_BAD_PARAMETER)),
            (BlobName::Volatile | BlobName::SaveState, true) => Ok(()),
            (BlobName::Permanent, false) => self.0.set_permanent_blob(blob).map_err(state_error),
            (BlobName::Volatile, false) => {
                self.0.set_volatile_blob(blob).map_err(state_error)?;
                self.0.save_volatile().map_err(state_error)
            }
            (BlobName::SaveState, false) => self.0.set_savestate_blob(blob).map_err(state_error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tpm_core::MemStore;

    fn adapter(manufacture: Manufacture) -> Box<dyn TpmInstance> {
        TpmAdapter::backend(Box::new(MemStore::new()), manufacture).unwrap()
    }

    fn startup_clear() -> Vec<u8> {
        vec![0, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0, 1]
    }

    #[test]
    fn executes_commands_after_init_and_startup() {
        let mut tpm = adapter(Manufacture::READY);
        tpm.init(false).unwrap();
        let rsp = tpm.execute(0, &startup_clear());
        assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0]);
        // TPM_GetRandom(8)
        let rsp = tpm.execute(0, &[0, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0x46, 0, 0, 0, 8]);
        assert_eq!(rsp[6..14], [0, 0, 0, 0, 0, 0, 0, 8]);
    }

    #[test]
    fn answers_tpm2_command_with_a_tpm12_tag() {
        let mut tpm = adapter(Manufacture::SWTPM);
        tpm.init(false).unwrap();
        let rsp = tpm.execute(0, &[0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x81]);
        assert_eq!(rsp[..2], [0, 0xC4]);
    }

    #[test]
    fn permanent_blob_moves_between_engines() {
        let mut a = adapter(Manufacture::SWTPM);
        a.init(false).unwrap();
        a.execute(0, &startup_clear());
        a.hash_start().unwrap();
        a.hash_end().unwrap();
        let blob = a.get_blob(BlobName::Permanent).unwrap();
        let mut b = adapter(Manufacture::SWTPM);
        assert!(!b.tpm_established());
        b.set_blob(BlobName::Permanent, &blob).unwrap();
        b.init(true).unwrap();
        assert!(b.tpm_established());
        assert!(b.set_blob(BlobName::Permanent, b"junk").is_err());
    }

    #[test]
    fn volatile_state_survives_a_restart_through_the_store() {
        let mut tpm = adapter(Manufacture::SWTPM);
        tpm.init(false).unwrap();
        tpm.execute(0, &startup_clear());
        tpm.store_volatile().unwrap();
        tpm.init(true).unwrap();
        // resumed: a second Startup is refused as after a completed one
        let rsp = tpm.execute(0, &startup_clear());
        assert_ne!(rsp[6..10], [0, 0, 0, 0]);
        tpm.init(false).unwrap();
        assert_eq!(tpm.execute(0, &startup_clear())[6..10], [0, 0, 0, 0]);
    }
}
