//! Part 2, 7.1-7.3: the TPM's permanent, startup-clear and startup-any flags, as
//! TPM_GetCapability(TPM_CAP_FLAG) reports them.

use crate::StructureTag;

tpm_struct! {
    /// Part 2, 7.1 TPM_PERMANENT_FLAGS: flags that survive power cycles
    /// (TPM_CAP_FLAG_PERMANENT).
    pub struct PermanentFlags = "TPM_PERMANENT_FLAGS" [tag = StructureTag::TPM_TAG_PERMANENT_FLAGS] {
        pub disable: bool,
        pub ownership: bool,
        pub deactivated: bool,
        pub read_pubek: bool,
        pub disable_owner_clear: bool,
        pub allow_maintenance: bool,
        pub physical_presence_lifetime_lock: bool,
        pub physical_presence_hw_enable: bool,
        pub physical_presence_cmd_enable: bool,
        pub cekp_used: bool,
        pub tpm_post: bool,
        pub tpm_post_lock: bool,
        pub fips: bool,
        pub operator: bool,
        pub enable_revoke_ek: bool,
        pub nv_locked: bool,
        pub read_srk_pub: bool,
        pub tpm_established: bool,
        pub maintenance_done: bool,
        pub disable_full_da_logic_info: bool,
    }
}

tpm_struct! {
    /// Part 2, 7.2 TPM_STCLEAR_FLAGS: flags reset by TPM_Startup(ST_CLEAR)
    /// (TPM_CAP_FLAG_VOLATILE).
    pub struct StClearFlags = "TPM_STCLEAR_FLAGS" [tag = StructureTag::TPM_TAG_STCLEAR_FLAGS] {
        pub deactivated: bool,
        pub disable_force_clear: bool,
        pub physical_presence: bool,
        pub physical_presence_lock: bool,
        pub b_global_lock: bool,
    }
}

tpm_struct! {
    /// Part 2, 7.3 TPM_STANY_FLAGS: flags reset by any TPM_Startup.
    pub struct StAnyFlags = "TPM_STANY_FLAGS" [tag = StructureTag::TPM_TAG_STANY_FLAGS] {
        pub post_initialise: bool,
        /// TPM_MODIFIER_INDICATOR: the locality of the current command.
        pub locality_modifier: u32,
        pub transport_exclusive: bool,
        pub tos_present: bool,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Marshal, MarshalError, Unmarshal};

    round_trip_tests! {
        permanent_flags_round_trips: PermanentFlags,
        st_clear_flags_round_trips: StClearFlags,
        st_any_flags_round_trips: StAnyFlags,
    }

    fn fresh_permanent_flags() -> PermanentFlags {
        PermanentFlags {
            disable: true,
            ownership: true,
            deactivated: true,
            read_pubek: true,
            disable_owner_clear: false,
            allow_maintenance: true,
            physical_presence_lifetime_lock: false,
            physical_presence_hw_enable: false,
            physical_presence_cmd_enable: false,
            cekp_used: false,
            tpm_post: false,
            tpm_post_lock: false,
            fips: false,
            operator: false,
            enable_revoke_ek: false,
            nv_locked: false,
            read_srk_pub: false,
            tpm_established: false,
            maintenance_done: false,
            disable_full_da_logic_info: false,
        }
    }

    #[test]
    fn permanent_flags_byte_picture() {
        byte_picture!(
            PermanentFlags,
            [
                0x00, 0x1f, // tag = TPM_TAG_PERMANENT_FLAGS
                1, 1, 1, 1, // disable, ownership, deactivated, readPubek
                0, 1, // disableOwnerClear, allowMaintenance
                0, 0, 0, // physicalPresenceLifetimeLock, HWEnable, CMDEnable
                0, 0, 0, 0, // CEKPUsed, TPMpost, TPMpostLock, FIPS
                0, 0, 0, 0, // operator, enableRevokeEK, nvLocked, readSRKPub
                0, 0, 0, // tpmEstablished, maintenanceDone, disableFullDALogicInfo
            ],
            fresh_permanent_flags()
        );
    }

    #[test]
    fn st_any_flags_byte_picture() {
        byte_picture!(
            StAnyFlags,
            [
                0x00, 0x21, // tag = TPM_TAG_STANY_FLAGS
                0x01, // postInitialise
                0x00, 0x00, 0x00, 0x03, // localityModifier
                0x00, // transportExclusive
                0x01, // TOSPresent
            ],
            StAnyFlags {
                post_initialise: true,
                locality_modifier: 3,
                transport_exclusive: false,
                tos_present: true,
            }
        );
    }

    #[test]
    fn rejects_bool_flag_of_two() {
        let mut bytes = fresh_permanent_flags().to_bytes().unwrap();
        bytes[2 + 19] = 2;
        assert_eq!(
            PermanentFlags::from_bytes(&bytes),
            Err(MarshalError::BadValue {
                what: "TPM_PERMANENT_FLAGS.disable_full_da_logic_info",
                found: 2
            })
        );
    }

    #[test]
    fn rejects_stclear_flags_with_permanent_flags_tag() {
        assert_eq!(
            StClearFlags::from_bytes(&[0x00, 0x1f, 0, 0, 0, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_STCLEAR_FLAGS",
                found: 0x1f
            })
        );
    }
}
