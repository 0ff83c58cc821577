//! The TPM's state, split as Part 2, 7 splits it: permanent flags and data (kept across
//! power cycles), ST_CLEAR flags and data (reset by TPM_Startup(ST_CLEAR), preserved by
//! TPM_SaveState), ST_ANY flags and data (reset by every TPM_Startup).
//!
//! Serialisation lives in [`crate::persist`]; this module only holds values.

use crate::keys::TpmKey;
use crate::secret::Secret;
use tpm_marshal::{Digest, LocalitySelection, Nonce};

/// Number of PCRs of a PC Client TPM (PC Client spec 1.21, 4.1).
pub const NUM_PCRS: usize = 24;

/// Declares a struct of TPM_BOOL flags in spec order with `to_bits`/`from_bits` in that
/// order, so the wire form and the state file list the flags once.
macro_rules! bool_flags {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        #[allow(missing_docs)]
        pub struct $name { $($(#[$fmeta])* pub $field: bool,)* }

        impl $name {
            /// Number of flags.
            pub const COUNT: usize = [$(stringify!($field)),*].len();

            /// The flags in spec order.
            pub fn to_bits(self) -> [bool; Self::COUNT] {
                [$(self.$field),*]
            }

            /// Builds the flags from spec order.
            pub fn from_bits(bits: [bool; Self::COUNT]) -> Self {
                let [$($field),*] = bits;
                Self { $($field),* }
            }
        }
    };
}

bool_flags! {
    /// Part 2, 7.1 TPM_PERMANENT_FLAGS.
    pub struct PermanentFlags {
        disable,
        ownership,
        deactivated,
        read_pubek,
        disable_owner_clear,
        allow_maintenance,
        physical_presence_lifetime_lock,
        physical_presence_hw_enable,
        physical_presence_cmd_enable,
        cekp_used,
        tpm_post,
        tpm_post_lock,
        fips,
        operator,
        enable_revoke_ek,
        nv_locked,
        read_srk_pub,
        tpm_established,
        maintenance_done,
        disable_full_da_logic_info,
    }
}

bool_flags! {
    /// Part 2, 7.2 TPM_STCLEAR_FLAGS.
    pub struct StClearFlags {
        deactivated,
        disable_force_clear,
        physical_presence,
        physical_presence_lock,
        b_global_lock,
    }
}

/// Part 2, 7.3 TPM_STANY_FLAGS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StAnyFlags {
    /// TRUE between _TPM_Init and TPM_Startup.
    pub post_initialise: bool,
    /// The locality of the command being executed.
    pub locality_modifier: u32,
    /// The exclusive transport session, 0 if none.
    pub transport_exclusive: u32,
    /// TRUE while a locality-4 hash sequence (DRTM) was seen since the last Startup.
    pub tos_present: bool,
}

/// The endorsement key pair, created at manufacture when the embedder asks for one.
#[derive(Clone)]
pub struct EndorsementKey(pub rsa::PrivateKey);

impl core::fmt::Debug for EndorsementKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EndorsementKey(<redacted>)")
    }
}

/// Part 2, 7.4 TPM_PERMANENT_DATA: the values this engine keeps so far. Later areas (SRK,
/// NV, counters, delegation tables) are added here with a new state version.
#[derive(Debug, Clone, Default)]
pub struct PermanentData {
    /// tpmProof: the TPM's own secret that binds blobs to this TPM.
    pub tpm_proof: Secret,
    /// EKReset: the value that authorises TPM_RevokeTrust.
    pub ek_reset: Secret,
    /// ownerAuth, present once the TPM has an owner.
    pub owner_auth: Option<Secret>,
    /// operatorAuth, present once TPM_SetOperatorAuth ran (flag `operator`).
    pub operator_auth: Option<Secret>,
    /// The endorsement key, if the TPM was manufactured with one.
    pub endorsement_key: Option<EndorsementKey>,
    /// ordinalAuditStatus: the audited ordinals.
    pub audited_ordinals: std::collections::BTreeSet<u32>,
    /// The dictionary-attack failure count (Part 1, 19.5 "Dictionary attack
    /// considerations"); kept across power cycles so a reboot does not reset it.
    pub auth_fail_count: u32,
    /// The audit monotonic counter (Part 1, 11: one increment per audit session).
    pub audit_counter: u32,
    /// restrictDelegate: the CMK delegation restrictions (TPM_CMK_DELEGATE bits).
    pub restrict_delegate: u32,

    // ---- owner, SRK and owner-evict keys (Part 3, 6 and 21.1) ----
    /// srk: the storage root key, present once the TPM has an owner.
    pub srk: Option<TpmKey>,
    /// The owner-evict keys with their handles (TPM_KeyControlOwner); loaded again into
    /// the key slots at every _TPM_Init.
    pub owner_evict_keys: Vec<(u32, TpmKey)>,

    // ---- NV storage, monotonic counters, DIR (Part 1, 20 and 17; issue 4) ----
    /// The defined NV areas.
    pub nv: crate::nv::NvStore,
    /// noOwnerNVWrite: unauthorized NV writes made without an owner.
    pub no_owner_nv_write: u32,
    /// authDIR[0], the one data integrity register (also TPM_NV_INDEX_DIR).
    pub auth_dir: Digest,
    /// monotonicCounter: the created counters, by countID.
    pub counters: std::collections::BTreeMap<u32, Counter>,
    /// The highest value any counter ever had: a new counter starts above it, so values
    /// never go back, across releases and TPM_OwnerClear (Part 3, 25.1 steps 5-6).
    pub max_count: u32,
}

/// Part 2, 5.13 TPM_COUNTER_VALUE with the counter's auth value, as the TPM keeps a counter.
#[derive(Debug, Clone)]
pub struct Counter {
    /// label.
    pub label: [u8; 4],
    /// counter.
    pub count: u32,
    /// The counter's auth value.
    pub auth: Secret,
}

/// The value a resettable PCR takes on reset (PC Client spec 1.21, 4.1: PCRs 17-22 reset
/// to all ones unless a locality-4 hash sequence reset them; 16 and 23 reset to zero).
pub fn pcr_reset_value(index: usize, tos_present: bool) -> Digest {
    if tos_present || index == 16 || index == 23 {
        [0; 20]
    } else {
        [0xff; 20]
    }
}

/// Part 2, 7.5 TPM_STCLEAR_DATA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StClearData {
    /// contextNonceKey.
    pub context_nonce_key: Nonce,
    /// countID: the counter selected since Startup, 0 if none, [`TPM_COUNT_ID_ILLEGAL`]
    /// once the selected counter was released.
    pub count_id: u32,
    /// ownerReference (TPM_KH_OWNER unless a delegation took over).
    pub owner_reference: u32,
    /// disableResetLock.
    pub disable_reset_lock: bool,
    /// The PCR values.
    pub pcrs: [Digest; NUM_PCRS],
    /// deferredPhysicalPresence.
    pub deferred_physical_presence: u32,

    // ---- NV (issue 4) ----
    /// bReadSTClear / bWriteSTClear of the NV areas.
    pub nv_locks: crate::nv::NvLocks,
}

impl Default for StClearData {
    fn default() -> Self {
        Self {
            context_nonce_key: [0; 20],
            count_id: 0,
            owner_reference: TPM_KH_OWNER,
            disable_reset_lock: false,
            pcrs: [[0; 20]; NUM_PCRS],
            deferred_physical_presence: 0,
            nv_locks: crate::nv::NvLocks::default(),
        }
    }
}

/// Part 2, 5.13: the countID an active counter takes when it is released, so no counter can
/// be incremented until the next TPM_Startup(ST_CLEAR).
pub const TPM_COUNT_ID_ILLEGAL: u32 = 0xFFFF_FFFE;

/// Part 2, 4.5 TPM_KH_OWNER.
pub const TPM_KH_OWNER: u32 = 0x4000_0001;

/// Part 2, 7.6 TPM_STANY_DATA (the parts kept outside the session table).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StAnyData {
    /// contextNonceSession.
    pub context_nonce_session: Nonce,
    /// auditDigest.
    pub audit_digest: Digest,
    /// The tick session nonce (Part 2, 15.1 TPM_CURRENT_TICKS.tickNonce): new at each
    /// Startup, so tick counts from different sessions are never compared.
    pub tick_nonce: Nonce,
    /// The platform tick value at the start of this tick session.
    pub tick_base_us: u64,
    /// contextCount.
    pub context_count: u32,
    /// contextList: the contextCount of every saved session context that may still be
    /// loaded (each loads once).
    pub context_list: Vec<u32>,
}

/// The self-test state (Part 1, 4.3 "Self-Test").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTest {
    /// Only the limited self-test ran (after _TPM_Init).
    Limited,
    /// The full self-test passed.
    Full,
}

/// Part 2, 8.9 TPM_PCR_ATTRIBUTES as the PC Client spec sets them (1.21, 4.1 table 4):
/// `(pcrReset, pcrResetLocal, pcrExtendLocal)`.
pub fn pcr_attributes(index: usize) -> (bool, LocalitySelection, LocalitySelection) {
    const ALL: u8 = 0x1f;
    let (reset, reset_local, extend_local) = match index {
        0..=15 => (false, 0, ALL),
        16 | 23 => (true, ALL, ALL),
        17 | 18 => (true, 0x10, 0x1c),
        19 => (true, 0x10, 0x0c),
        20 => (true, 0x14, 0x0e),
        21 | 22 => (true, 0x04, 0x04),
        _ => (false, 0, 0),
    };
    (
        reset,
        LocalitySelection(reset_local),
        LocalitySelection(extend_local),
    )
}

/// True if `locality` (0..=4) is in the selection.
pub fn locality_selected(sel: LocalitySelection, locality: u32) -> bool {
    locality < 5 && sel.0 & (1 << locality) != 0
}

/// Everything the TPM keeps, by lifetime.
#[derive(Debug, Clone)]
pub struct State {
    /// Part 2, 7.1.
    pub permanent_flags: PermanentFlags,
    /// Part 2, 7.4.
    pub permanent: PermanentData,
    /// Part 2, 7.2.
    pub stclear_flags: StClearFlags,
    /// Part 2, 7.5.
    pub stclear: StClearData,
    /// Part 2, 7.3.
    pub stany_flags: StAnyFlags,
    /// Part 2, 7.6.
    pub stany: StAnyData,
}

impl State {
    /// The state right after _TPM_Init for the given permanent part.
    pub fn after_init(permanent_flags: PermanentFlags, permanent: PermanentData) -> Self {
        Self {
            permanent_flags,
            permanent,
            stclear_flags: StClearFlags::default(),
            stclear: StClearData::default(),
            stany_flags: StAnyFlags {
                post_initialise: true,
                ..StAnyFlags::default()
            },
            stany: StAnyData::default(),
        }
    }

    /// TRUE if the TPM is deactivated: TPM_STCLEAR_FLAGS.deactivated, which
    /// TPM_Startup(ST_CLEAR) copies from the permanent flag.
    pub fn deactivated(&self) -> bool {
        self.stclear_flags.deactivated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip_through_bits_in_spec_order() {
        let f = PermanentFlags {
            disable: true,
            disable_full_da_logic_info: true,
            ..PermanentFlags::default()
        };
        let bits = f.to_bits();
        assert_eq!(PermanentFlags::COUNT, 20);
        assert!(bits[0] && bits[19] && !bits[1]);
        assert_eq!(PermanentFlags::from_bits(bits), f);
    }

    #[test]
    fn pc_client_pcr_attributes() {
        assert!(!pcr_attributes(0).0);
        assert_eq!(
            pcr_attributes(16),
            (true, LocalitySelection(0x1f), LocalitySelection(0x1f))
        );
        assert_eq!(pcr_attributes(17).1, LocalitySelection::TPM_LOC_FOUR);
        assert_eq!(pcr_attributes(22).2, LocalitySelection::TPM_LOC_TWO);
        assert!(locality_selected(LocalitySelection(0x14), 2));
        assert!(!locality_selected(LocalitySelection(0x14), 3));
        assert!(!locality_selected(LocalitySelection(0x1f), 5));
    }

    #[test]
    fn pcrs_17_to_22_reset_to_ones_without_a_drtm() {
        assert_eq!(pcr_reset_value(17, false), [0xff; 20]);
        assert_eq!(pcr_reset_value(17, true), [0; 20]);
        assert_eq!(pcr_reset_value(23, false), [0; 20]);
    }
}
