//! The [`Tpm`] value: its state, sessions, platform and store, how it is manufactured and
//! loaded, and the platform events that are not commands.

use crate::keys::KeySlots;
use crate::persist;
use crate::platform::Platform;
use crate::secret::Secret;
use crate::sessions::Sessions;
use crate::state::{pcr_reset_value, PermanentData, PermanentFlags, SelfTest, StClearData, State};
use crate::store::{BlobName, Store, StoreError};
use sha1::{Digest as _, Sha1};
use tpm_marshal::{Nonce, ReturnCode};

/// How a fresh TPM is manufactured (used only when the store holds no permanent state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Config {
    /// Create a 2048-bit endorsement key with the platform RNG at manufacture.
    pub create_ek: bool,
    /// Ship enabled (TPM_PERMANENT_FLAGS.disable FALSE) instead of disabled.
    pub enabled: bool,
    /// Ship activated (TPM_PERMANENT_FLAGS.deactivated FALSE) instead of deactivated.
    pub activated: bool,
}

/// Why a TPM could not be created, loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed (it names the file).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A state blob is truncated, corrupt, or of another format or version.
    #[error("{file}: {reason}")]
    Corrupt {
        /// The blob's file name.
        file: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The endorsement key could not be generated.
    #[error("endorsement key generation failed: {0}")]
    KeyGeneration(String),
}

/// Dictionary-attack threshold: failures beyond this many start a lockout (Part 1, 19.5;
/// reported in TPM_DA_INFO.thresholdCount).
pub const DA_THRESHOLD: u32 = 5;
/// The longest lockout, in seconds.
const DA_MAX_LOCKOUT_S: u64 = 1 << 12;

/// A TPM 1.2.
pub struct Tpm {
    pub(crate) state: State,
    pub(crate) sessions: Sessions,
    /// The loaded keys (owner-evict keys included).
    pub(crate) keys: KeySlots,
    pub(crate) self_test: SelfTest,
    pub(crate) failure_mode: bool,
    /// The TPM_SHA1Start thread.
    pub(crate) sha1_thread: Option<Sha1>,
    /// The locality-4 hash interface sequence (PC Client TIS, TPM_HASH_START).
    drtm_hash: Option<Sha1>,
    pub(crate) platform: Box<dyn Platform>,
    store: Box<dyn Store>,
    /// Permanent state changed during this command: save once at its end.
    pub(crate) permanent_dirty: bool,
    /// The store may hold a TPM_SaveState image.
    savestate_pending: bool,
    /// When the current dictionary-attack lockout started (platform ticks, µs).
    lockout_since_us: Option<u64>,
    /// The embedder asked to cancel the command in progress.
    cancel_requested: bool,
}

impl core::fmt::Debug for Tpm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tpm")
            .field("state", &self.state)
            .field("sessions", &self.sessions.len())
            .field("self_test", &self.self_test)
            .field("failure_mode", &self.failure_mode)
            .finish_non_exhaustive()
    }
}

impl Tpm {
    /// Loads the TPM kept in `store`, or manufactures one as `config` says if the store holds
    /// no permanent state. The TPM starts as after _TPM_Init: it waits for TPM_Startup.
    ///
    /// A truncated, corrupt or foreign permanent blob is an error naming the file, never a
    /// silently fresh TPM.
    pub fn new(
        config: Config,
        mut platform: Box<dyn Platform>,
        mut store: Box<dyn Store>,
    ) -> Result<Self, Error> {
        let (flags, data, fresh) = match store.load(BlobName::Permanent)? {
            Some(bytes) => {
                let (flags, data) = persist::decode_permanent(&bytes)?;
                (flags, data, false)
            }
            None => {
                let (flags, data) = manufacture(config, platform.as_mut())?;
                (flags, data, true)
            }
        };
        let savestate_pending = store.load(BlobName::SaveState)?.is_some();
        let mut tpm = Self {
            state: State::after_init(flags, data),
            sessions: Sessions::default(),
            keys: KeySlots::default(),
            self_test: SelfTest::Limited,
            failure_mode: false,
            sha1_thread: None,
            drtm_hash: None,
            platform,
            store,
            permanent_dirty: fresh,
            savestate_pending,
            lockout_since_us: None,
            cancel_requested: false,
        };
        tpm.init();
        tpm.persist_if_dirty()?;
        Ok(tpm)
    }

    /// _TPM_Init (Part 1, 4.1 and Part 3, 3.1): the platform reset. Volatile state is
    /// cleared and the TPM waits for TPM_Startup; permanent state is kept.
    pub fn init(&mut self) {
        self.state = State::after_init(self.state.permanent_flags, self.state.permanent.clone());
        self.sessions.clear();
        self.reload_owner_evict_keys();
        self.self_test = SelfTest::Limited;
        self.failure_mode = false;
        self.sha1_thread = None;
        self.drtm_hash = None;
        self.cancel_requested = false;
        self.lockout_since_us =
            (self.state.permanent.auth_fail_count > DA_THRESHOLD).then(|| self.platform.ticks_us());
    }

    /// The key slots after _TPM_Init: only the owner-evict keys.
    pub(crate) fn reload_owner_evict_keys(&mut self) {
        self.keys = KeySlots::default();
        for (handle, key) in &self.state.permanent.owner_evict_keys {
            // At most MAX_OWNER_EVICT keys are kept, fewer than the slots.
            let _ = self.keys.insert(*handle, key.clone(), true);
        }
    }

    /// PC Client TIS 1.3, TPM_HASH_START at locality 4: starts a DRTM measurement. PCRs
    /// 17-22 are reset to zero, tpmEstablished and TOSPresent are set.
    pub fn hash_start(&mut self) -> Result<(), ReturnCode> {
        if self.state.stany_flags.post_initialise {
            return Err(ReturnCode::TPM_INVALID_POSTINIT);
        }
        self.sha1_thread = None;
        self.set_established(true);
        self.state.stany_flags.tos_present = true;
        for pcr in self.state.stclear.pcrs.get_mut(17..=22).unwrap_or_default() {
            *pcr = [0; 20];
        }
        self.drtm_hash = Some(Sha1::new());
        self.persist_if_dirty().map_err(|_| self.fail())
    }

    /// TPM_HASH_DATA: hashes `data` into the DRTM measurement.
    pub fn hash_data(&mut self, data: &[u8]) -> Result<(), ReturnCode> {
        let h = self.drtm_hash.as_mut().ok_or(ReturnCode::TPM_SHA_THREAD)?;
        h.update(data);
        Ok(())
    }

    /// TPM_HASH_END: extends PCR 17 (zero after TPM_HASH_START) with the measurement.
    pub fn hash_end(&mut self) -> Result<(), ReturnCode> {
        let h = self.drtm_hash.take().ok_or(ReturnCode::TPM_SHA_THREAD)?;
        let digest: [u8; 20] = h.finalize().into();
        if let Some(pcr) = self.state.stclear.pcrs.get_mut(17) {
            *pcr = crate::sessions::sha1(&[&[0; 20], &digest]);
        }
        Ok(())
    }

    /// TPM_PERMANENT_FLAGS.tpmEstablished (the TIS access register shows its inverse).
    pub fn tpm_established(&self) -> bool {
        self.state.permanent_flags.tpm_established
    }

    /// Resets tpmEstablished as TSC_ResetEstablishmentBit does: only from locality 3 or 4
    /// (TPM_BAD_LOCALITY otherwise).
    pub fn reset_established(&mut self, locality: u8) -> Result<(), ReturnCode> {
        if locality != 3 && locality != 4 {
            return Err(ReturnCode::TPM_BAD_LOCALITY);
        }
        self.set_established(false);
        self.persist_if_dirty().map_err(|_| self.fail())
    }

    /// TIS commandCancel: asks the engine to abandon the command in progress. Commands run
    /// to completion inside [`Tpm::execute`], so a cancel between commands has no effect and
    /// is forgotten when the next command starts.
    pub fn cancel(&mut self) {
        self.cancel_requested = true;
    }

    /// True after [`Tpm::cancel`] until the next command starts.
    pub fn cancel_requested(&self) -> bool {
        self.cancel_requested
    }

    /// True if the TPM is in failure mode (commands answer TPM_FAILEDSELFTEST).
    pub fn is_failure_mode(&self) -> bool {
        self.failure_mode
    }

    /// Saves the volatile state (flags, PCRs, sessions, SHA-1 thread) to the store, as
    /// swtpm does on shutdown so the next start resumes where this one stopped.
    pub fn save_volatile(&mut self) -> Result<(), Error> {
        let blob = self.volatile_blob();
        self.store.save(BlobName::Volatile, &blob)?;
        Ok(())
    }

    /// Restores the volatile state saved by [`Tpm::save_volatile`] and deletes it from the
    /// store. Returns false if there was none.
    pub fn restore_volatile(&mut self) -> Result<bool, Error> {
        let Some(blob) = self.store.load(BlobName::Volatile)? else {
            return Ok(false);
        };
        self.set_volatile_blob(&blob)?;
        self.store.delete(BlobName::Volatile)?;
        Ok(true)
    }

    /// The permanent state blob (for migration).
    pub fn permanent_blob(&self) -> Vec<u8> {
        persist::encode_permanent(&self.state.permanent_flags, &self.state.permanent)
    }

    /// The volatile state blob (for migration).
    pub fn volatile_blob(&self) -> Vec<u8> {
        persist::encode_volatile(self)
    }

    /// The TPM_SaveState image, if one is pending (for migration).
    pub fn savestate_blob(&mut self) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.store.load(BlobName::SaveState)?)
    }

    /// Replaces the permanent state (migration) and saves it; the TPM then waits for
    /// TPM_Startup as after _TPM_Init.
    pub fn set_permanent_blob(&mut self, blob: &[u8]) -> Result<(), Error> {
        let (flags, data) = persist::decode_permanent(blob)?;
        self.state.permanent_flags = flags;
        self.state.permanent = data;
        self.init();
        self.permanent_dirty = true;
        self.persist_if_dirty()
    }

    /// Replaces the volatile state (migration).
    pub fn set_volatile_blob(&mut self, blob: &[u8]) -> Result<(), Error> {
        persist::decode_volatile(self, blob)
    }

    /// Replaces the TPM_SaveState image (migration); it is checked before it is stored.
    pub fn set_savestate_blob(&mut self, blob: &[u8]) -> Result<(), Error> {
        persist::decode_savestate(blob, BlobName::SaveState.file_name())?;
        self.store.save(BlobName::SaveState, blob)?;
        self.savestate_pending = true;
        Ok(())
    }

    // ---- helpers for handlers and the dispatcher ----

    /// Fresh random bytes from the platform.
    pub(crate) fn random_nonce(&mut self) -> Nonce {
        let mut n = [0u8; 20];
        self.platform.fill_random(&mut n);
        n
    }

    /// Part 1, 10 physical presence: the hardware signal if enabled, or the software flag
    /// set by TSC_PhysicalPresence if the command form is enabled.
    pub(crate) fn physical_presence(&self) -> bool {
        let f = &self.state.permanent_flags;
        (f.physical_presence_hw_enable && self.platform.physical_presence())
            || (f.physical_presence_cmd_enable && self.state.stclear_flags.physical_presence)
    }

    /// Completes the self-test (nothing in this engine can fail it).
    pub(crate) fn continue_self_test(&mut self) {
        self.self_test = SelfTest::Full;
    }

    /// Enters failure mode: every command but GetTestResult and GetCapability answers
    /// TPM_FAILEDSELFTEST until the next _TPM_Init.
    pub(crate) fn enter_failure_mode(&mut self) {
        self.failure_mode = true;
    }

    fn fail(&mut self) -> ReturnCode {
        self.enter_failure_mode();
        ReturnCode::TPM_FAIL
    }

    pub(crate) fn set_established(&mut self, value: bool) {
        if self.state.permanent_flags.tpm_established != value {
            self.state.permanent_flags.tpm_established = value;
            self.permanent_dirty = true;
        }
    }

    /// Writes the permanent blob once if this command changed it.
    pub(crate) fn persist_if_dirty(&mut self) -> Result<(), Error> {
        if self.permanent_dirty {
            let blob = self.permanent_blob();
            self.store.save(BlobName::Permanent, &blob)?;
            self.permanent_dirty = false;
        }
        Ok(())
    }

    /// Writes the TPM_SaveState image.
    pub(crate) fn store_savestate(&mut self) -> Result<(), ReturnCode> {
        let blob = persist::encode_savestate(&self.state);
        self.store
            .save(BlobName::SaveState, &blob)
            .map_err(|_| ReturnCode::TPM_FAIL)?;
        self.savestate_pending = true;
        Ok(())
    }

    /// Takes the TPM_SaveState image out of the store (TPM_Startup(ST_STATE)). Every
    /// failure to find or read it is reported the same way: the TPM cannot resume.
    pub(crate) fn take_savestate(&mut self) -> Option<Vec<u8>> {
        let blob = self.store.load(BlobName::SaveState).ok().flatten();
        self.discard_savestate();
        blob
    }

    /// Any ordinal other than TPM_Startup invalidates a pending TPM_SaveState image.
    pub(crate) fn discard_savestate(&mut self) {
        if self.savestate_pending && self.store.delete(BlobName::SaveState).is_ok() {
            self.savestate_pending = false;
        }
    }

    /// TPM_DEFEND_LOCK_RUNNING while a dictionary-attack lockout lasts. The wait doubles
    /// with each failure beyond [`DA_THRESHOLD`].
    pub(crate) fn check_lockout(&mut self) -> Result<(), ReturnCode> {
        match self.lockout_remaining_s() {
            0 => Ok(()),
            _ => Err(ReturnCode::TPM_DEFEND_LOCK_RUNNING),
        }
    }

    /// Seconds left in the current lockout (0: none).
    pub(crate) fn lockout_remaining_s(&mut self) -> u64 {
        let count = self.state.permanent.auth_fail_count;
        let Some(since) = self.lockout_since_us else {
            return 0;
        };
        if count <= DA_THRESHOLD {
            return 0;
        }
        let wait_s = 1u64
            .checked_shl(count - DA_THRESHOLD - 1)
            .unwrap_or(DA_MAX_LOCKOUT_S)
            .min(DA_MAX_LOCKOUT_S);
        let elapsed_s = self.platform.ticks_us().saturating_sub(since) / 1_000_000;
        wait_s.saturating_sub(elapsed_s)
    }

    /// Counts an authorization failure; beyond the threshold a lockout starts now. A
    /// success never lowers the count (TPM_ResetLockValue does).
    pub(crate) fn record_auth_failure(&mut self) {
        let p = &mut self.state.permanent;
        p.auth_fail_count = p.auth_fail_count.saturating_add(1);
        self.permanent_dirty = true;
        if p.auth_fail_count > DA_THRESHOLD {
            self.lockout_since_us = Some(self.platform.ticks_us());
        }
    }

    /// TPM_ResetLockValue: the failure count returns to zero and any lockout ends.
    pub(crate) fn reset_lockout(&mut self) {
        self.state.permanent.auth_fail_count = 0;
        self.lockout_since_us = None;
        self.permanent_dirty = true;
    }

    /// TPM_Startup(ST_CLEAR) resets the PCRs to their defaults.
    pub(crate) fn reset_pcrs_for_startup(stclear: &mut StClearData) {
        for (i, pcr) in stclear.pcrs.iter_mut().enumerate() {
            *pcr = if crate::state::pcr_attributes(i).0 {
                pcr_reset_value(i, false)
            } else {
                [0; 20]
            };
        }
    }

    /// The platform's microsecond clock.
    pub(crate) fn ticks_us(&mut self) -> u64 {
        self.platform.ticks_us()
    }

    /// Clears the cancel request at the start of a command.
    pub(crate) fn clear_cancel(&mut self) {
        self.cancel_requested = false;
    }
}

/// Manufacturing: fresh secrets, the shipped flags and, if asked, an endorsement key.
fn manufacture(
    config: Config,
    platform: &mut dyn Platform,
) -> Result<(PermanentFlags, PermanentData), Error> {
    let mut secret = || {
        let mut b = [0u8; 20];
        platform.fill_random(&mut b);
        Secret::new(b)
    };
    let mut data = PermanentData {
        tpm_proof: secret(),
        ek_reset: secret(),
        ..PermanentData::default()
    };
    data.audited_ordinals = crate::ordinals::audit::default_audited_ordinals();
    if config.create_ek {
        data.endorsement_key = Some(crate::ek::generate(platform)?);
    }
    let flags = PermanentFlags {
        disable: !config.enabled,
        deactivated: !config.activated,
        ownership: true,
        read_pubek: true,
        ..PermanentFlags::default()
    };
    Ok((flags, data))
}
