//! A stand-in TPM for tests, the load benchmark and `tpmd --backend mock`.
//!
//! It answers every well-formed TPM 1.2 command with TPM_SUCCESS and the command's
//! parameters echoed back (so a client can match each response to its command), keeps a
//! command counter as its "permanent state" in the store, and implements the platform
//! events (established bit, DRTM hash sequence, volatile state) faithfully enough for the
//! control channel to be tested end to end. It holds no TPM logic.

use sha1::{Digest, Sha1};
use tpm_core::store::{BlobName, Store};
use tpm_marshal::{ReturnCode, Tag};

use crate::instance::{InstanceError, Manufacture, TpmInstance};
use crate::wire;

const PERMANENT_MAGIC: &[u8; 8] = b"MOCKPERM";
const VOLATILE_MAGIC: &[u8; 8] = b"MOCKVOLA";

/// The mock TPM.
pub struct MockTpm {
    store: Box<dyn Store>,
    /// Commands executed over the TPM's life (its permanent state).
    commands: u64,
    established: bool,
    /// Commands executed since the last init (its volatile state).
    since_init: u64,
    drtm: Option<Sha1>,
    /// The last DRTM measurement (what PCR 17 would be extended with).
    pub last_measurement: Option<[u8; 20]>,
}

impl std::fmt::Debug for MockTpm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockTpm")
            .field("commands", &self.commands)
            .field("established", &self.established)
            .field("since_init", &self.since_init)
            .finish_non_exhaustive()
    }
}

impl MockTpm {
    /// Loads the mock's state from `store`, or starts a fresh one.
    ///
    /// # Errors
    /// The store holds a corrupt or foreign permanent blob.
    pub fn open(mut store: Box<dyn Store>) -> Result<Self, InstanceError> {
        let mut tpm = Self {
            store: Box::new(tpm_core::MemStore::new()),
            commands: 0,
            established: false,
            since_init: 0,
            drtm: None,
            last_measurement: None,
        };
        if let Some(blob) = store.load(BlobName::Permanent)? {
            tpm.decode_permanent(&blob)?;
        }
        tpm.store = store;
        Ok(tpm)
    }

    /// A [`crate::instance::Backend`] making mock instances.
    ///
    /// # Errors
    /// As [`MockTpm::open`].
    pub fn backend(
        store: Box<dyn Store>,
        _manufacture: Manufacture,
    ) -> Result<Box<dyn TpmInstance>, InstanceError> {
        Ok(Box::new(Self::open(store)?))
    }

    /// Commands executed over the TPM's life.
    pub fn commands(&self) -> u64 {
        self.commands
    }

    fn permanent_blob(&self) -> Vec<u8> {
        let mut blob = PERMANENT_MAGIC.to_vec();
        blob.extend_from_slice(&self.commands.to_be_bytes());
        blob.push(u8::from(self.established));
        blob
    }

    fn decode_permanent(&mut self, blob: &[u8]) -> Result<(), InstanceError> {
        let (magic, rest) = blob.split_at_checked(8).ok_or_else(bad_blob)?;
        let (count, flag) = rest.split_first_chunk::<8>().ok_or_else(bad_blob)?;
        if magic != PERMANENT_MAGIC || flag.len() != 1 {
            return Err(bad_blob());
        }
        self.commands = u64::from_be_bytes(*count);
        self.established = flag == [1];
        Ok(())
    }

    fn volatile_blob(&self) -> Vec<u8> {
        let mut blob = VOLATILE_MAGIC.to_vec();
        blob.extend_from_slice(&self.since_init.to_be_bytes());
        blob
    }

    fn decode_volatile(&mut self, blob: &[u8]) -> Result<(), InstanceError> {
        match blob.split_first_chunk::<8>() {
            Some((magic, count)) if magic == VOLATILE_MAGIC => {
                let count: [u8; 8] = count.try_into().map_err(|_| bad_blob())?;
                self.since_init = u64::from_be_bytes(count);
                Ok(())
            }
            _ => Err(bad_blob()),
        }
    }

    fn save_permanent(&mut self) -> Result<(), InstanceError> {
        let blob = self.permanent_blob();
        Ok(self.store.save(BlobName::Permanent, &blob)?)
    }
}

fn bad_blob() -> InstanceError {
    InstanceError::State("not a mock TPM state blob".into())
}

impl TpmInstance for MockTpm {
    fn execute(&mut self, _locality: u8, command: &[u8]) -> Vec<u8> {
        let tag = wire::be16(command, 0);
        let known = [
            Tag::TPM_TAG_RQU_COMMAND,
            Tag::TPM_TAG_RQU_AUTH1_COMMAND,
            Tag::TPM_TAG_RQU_AUTH2_COMMAND,
        ];
        if command.len() < wire::HEADER_LEN || !known.iter().any(|k| Some(k.0) == tag) {
            return wire::error_response(ReturnCode::TPM_BADTAG);
        }
        self.commands += 1;
        self.since_init += 1;
        wire::success_response(command.get(wire::HEADER_LEN..).unwrap_or_default())
    }

    fn init(&mut self, delete_volatile: bool) -> Result<(), InstanceError> {
        self.since_init = 0;
        self.drtm = None;
        if let Some(blob) = self.store.load(BlobName::Volatile)? {
            self.decode_volatile(&blob)?;
            if delete_volatile {
                self.store.delete(BlobName::Volatile)?;
            }
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<(), InstanceError> {
        self.save_permanent()
    }

    fn tpm_established(&self) -> bool {
        self.established
    }

    fn reset_established(&mut self, locality: u8) -> Result<(), ReturnCode> {
        if locality != 3 && locality != 4 {
            return Err(ReturnCode::TPM_BAD_LOCALITY);
        }
        self.established = false;
        self.save_permanent().map_err(|e| e.return_code())
    }

    fn hash_start(&mut self) -> Result<(), ReturnCode> {
        self.established = true;
        self.drtm = Some(Sha1::new());
        self.save_permanent().map_err(|e| e.return_code())
    }

    fn hash_data(&mut self, data: &[u8]) -> Result<(), ReturnCode> {
        let h = self.drtm.as_mut().ok_or(ReturnCode::TPM_SHA_THREAD)?;
        h.update(data);
        Ok(())
    }

    fn hash_end(&mut self) -> Result<(), ReturnCode> {
        let h = self.drtm.take().ok_or(ReturnCode::TPM_SHA_THREAD)?;
        self.last_measurement = Some(h.finalize().into());
        Ok(())
    }

    fn cancel(&mut self) {}

    fn store_volatile(&mut self) -> Result<(), InstanceError> {
        let blob = self.volatile_blob();
        Ok(self.store.save(BlobName::Volatile, &blob)?)
    }

    fn get_blob(&mut self, name: BlobName) -> Result<Vec<u8>, InstanceError> {
        Ok(match name {
            BlobName::Permanent => self.permanent_blob(),
            BlobName::Volatile => self.volatile_blob(),
            BlobName::SaveState => self.store.load(name)?.unwrap_or_default(),
        })
    }

    fn set_blob(&mut self, name: BlobName, blob: &[u8]) -> Result<(), InstanceError> {
        if blob.is_empty() {
            return Ok(self.store.delete(name)?);
        }
        match name {
            BlobName::Permanent => {
                self.decode_permanent(blob)?;
                self.save_permanent()
            }
            BlobName::Volatile => {
                self.decode_volatile(blob)?;
                Ok(self.store.save(name, blob)?)
            }
            BlobName::SaveState => Ok(self.store.save(name, blob)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tpm_core::MemStore;

    fn mock() -> MockTpm {
        MockTpm::open(Box::new(MemStore::new())).unwrap()
    }

    #[test]
    fn echoes_parameters_with_success() {
        let mut tpm = mock();
        let cmd = [0, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x46, 0xAB, 0xCD];
        assert_eq!(
            tpm.execute(0, &cmd),
            [0, 0xC4, 0, 0, 0, 12, 0, 0, 0, 0, 0xAB, 0xCD]
        );
    }

    #[test]
    fn answers_tpm2_tag_with_tpm12_error() {
        let mut tpm = mock();
        let cmd = [0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x81];
        assert_eq!(tpm.execute(0, &cmd), [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0x1E]);
    }

    #[test]
    fn permanent_blob_moves_between_instances() {
        let mut a = mock();
        a.execute(0, &[0, 0xC1, 0, 0, 0, 10, 0, 0, 0, 0x46]);
        a.hash_start().unwrap();
        let blob = a.get_blob(BlobName::Permanent).unwrap();
        let mut b = mock();
        b.set_blob(BlobName::Permanent, &blob).unwrap();
        assert_eq!(b.commands(), 1);
        assert!(b.tpm_established());
        assert!(b.set_blob(BlobName::Permanent, b"junk").is_err());
    }

    #[test]
    fn init_restores_stored_volatile_state_and_delete_flag_removes_it() {
        let mut tpm = mock();
        tpm.execute(0, &[0, 0xC1, 0, 0, 0, 10, 0, 0, 0, 0x46]);
        tpm.store_volatile().unwrap();
        tpm.init(false).unwrap();
        assert_eq!(tpm.since_init, 1);
        tpm.init(true).unwrap();
        assert_eq!(tpm.since_init, 1, "restored, then deleted");
        tpm.init(false).unwrap();
        assert_eq!(tpm.since_init, 0, "nothing left to restore");
    }

    #[test]
    fn hash_sequence_needs_a_start() {
        let mut tpm = mock();
        assert_eq!(tpm.hash_data(b"x"), Err(ReturnCode::TPM_SHA_THREAD));
        tpm.hash_start().unwrap();
        tpm.hash_data(b"abc").unwrap();
        tpm.hash_end().unwrap();
        assert!(tpm.last_measurement.is_some());
        assert_eq!(tpm.reset_established(0), Err(ReturnCode::TPM_BAD_LOCALITY));
        tpm.reset_established(3).unwrap();
        assert!(!tpm.tpm_established());
    }
}
