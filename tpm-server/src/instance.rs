//! The one seam between the server and a TPM: [`TpmInstance`].
//!
//! Everything the server does (sockets, the control channel, state keys, migration blobs,
//! logging) talks to the TPM only through this trait, so the server runs the same over the
//! real engine (`tpm_core::Tpm`) and over [`crate::mock::MockTpm`] in tests.

use tpm_core::store::{BlobName, Store};
use tpm_marshal::ReturnCode;

/// Why a platform event (init, stop, a state blob) failed.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The state could not be loaded or saved; the message names the file.
    #[error("{0}")]
    State(String),
    /// The TPM refused with this return code.
    #[error("{0}")]
    Tpm(ReturnCode),
}

impl InstanceError {
    /// The code a control-channel response carries for this error.
    pub fn return_code(&self) -> ReturnCode {
        match self {
            Self::State(_) => ReturnCode::TPM_FAIL,
            Self::Tpm(code) => *code,
        }
    }
}

impl From<tpm_core::StoreError> for InstanceError {
    fn from(e: tpm_core::StoreError) -> Self {
        Self::State(e.to_string())
    }
}

/// A TPM 1.2 as the server drives it: commands, and the platform events of swtpm's control
/// channel (swtpm-protocol.md, "Control channel"). The server serialises every call.
pub trait TpmInstance: Send {
    /// Runs one TPM command at `locality` and returns its response; never fails, errors are
    /// return codes in the response (TCG TPM Main Part 1, 4.2 the execution model).
    fn execute(&mut self, locality: u8, command: &[u8]) -> Vec<u8>;

    /// _TPM_Init (Part 1, 4.1): resets the TPM so it waits for TPM_Startup. Volatile state
    /// in the store (from [`TpmInstance::store_volatile`] or a migration) is restored, as
    /// swtpm's TPMLIB_MainInit does; with `delete_volatile` it is then removed from the
    /// store so a later init does not restore it again.
    fn init(&mut self, delete_volatile: bool) -> Result<(), InstanceError>;

    /// Ends the TPM's run (swtpm's TPMLIB_Terminate): whatever permanent state is pending
    /// is written; the TPM answers nothing until the next [`TpmInstance::init`].
    fn stop(&mut self) -> Result<(), InstanceError>;

    /// TPM_PERMANENT_FLAGS.tpmEstablished (Part 2, 7.1).
    fn tpm_established(&self) -> bool;

    /// TSC_ResetEstablishmentBit from `locality` (Part 3, 6.4; only 3 and 4 may).
    fn reset_established(&mut self, locality: u8) -> Result<(), ReturnCode>;

    /// PC Client TIS 1.3, TPM_HASH_START (the locality-4 DRTM sequence).
    fn hash_start(&mut self) -> Result<(), ReturnCode>;

    /// TPM_HASH_DATA: more bytes of the DRTM measurement.
    fn hash_data(&mut self, data: &[u8]) -> Result<(), ReturnCode>;

    /// TPM_HASH_END: extends PCR 17 with the measurement.
    fn hash_end(&mut self) -> Result<(), ReturnCode>;

    /// TIS commandCancel: abandon the command in progress, if it can be.
    fn cancel(&mut self);

    /// Writes the volatile state to the store, so the next [`TpmInstance::init`] resumes it.
    fn store_volatile(&mut self) -> Result<(), InstanceError>;

    /// The named state blob in the instance's own format, for migration; empty if the TPM
    /// has none (e.g. no TPM_SaveState image).
    fn get_blob(&mut self, name: BlobName) -> Result<Vec<u8>, InstanceError>;

    /// Replaces the named state blob (migration; the server calls it only while stopped).
    /// An empty blob removes it.
    fn set_blob(&mut self, name: BlobName, blob: &[u8]) -> Result<(), InstanceError>;
}

/// How a TPM found with no permanent state is manufactured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Manufacture {
    /// With an endorsement key (TPM_CreateEndorsementKeyPair already done).
    pub ek: bool,
    /// Enabled (TPM_PERMANENT_FLAGS.disable FALSE).
    pub enabled: bool,
    /// Activated (TPM_PERMANENT_FLAGS.deactivated FALSE).
    pub activated: bool,
}

impl Manufacture {
    /// swtpm's fresh TPM: no EK and no owner until someone manufactures it, but enabled
    /// and activated, as Debian's swtpm/libtpms ships it (checked with GetCapability), so
    /// a guest's first PCRRead or GetRandom works as it does on swtpm.
    pub const SWTPM: Self = Self {
        ek: false,
        enabled: true,
        activated: true,
    };
    /// Ready for use: an EK, enabled and activated (tpmd's default mode).
    pub const READY: Self = Self {
        ek: true,
        enabled: true,
        activated: true,
    };
}

/// Makes a TPM instance over a store (it loads its state from there, or manufactures one).
pub type Backend = fn(Box<dyn Store>, Manufacture) -> Result<Box<dyn TpmInstance>, InstanceError>;
