//! Part 2, 21.7-21.10: dictionary-attack mitigation information (TPM_CAP_DA_LOGIC).

use crate::{DaAction, SizedBuffer, StructureTag};

open_enum! {
    /// Part 2, 21.9 TPM_DA_STATE: whether the dictionary-attack mitigation is acting.
    #[doc(alias = "TPM_DA_STATE")]
    pub struct DaState(u8) {
        TPM_DA_STATE_INACTIVE = 0x00,
        TPM_DA_STATE_ACTIVE = 0x01,
    }
}

tpm_struct! {
    /// Part 2, 21.10 TPM_DA_ACTION_TYPE: what the TPM does while the mitigation is active
    /// (TPM_DA_ACTION_* bits of [`DaAction`]).
    pub struct DaActionType = "TPM_DA_ACTION_TYPE" [tag = StructureTag::TPM_TAG_DA_ACTION_TYPE] {
        pub actions: DaAction,
    }
}

tpm_struct! {
    /// Part 2, 21.7 TPM_DA_INFO: the full dictionary-attack state for one entity type,
    /// returned while TPM_PERMANENT_FLAGS.disableFullDALogicInfo is FALSE.
    pub struct DaInfo = "TPM_DA_INFO" [tag = StructureTag::TPM_TAG_DA_INFO] {
        pub state: DaState,
        pub current_count: u16,
        pub threshold_count: u16,
        pub action_at_threshold: DaActionType,
        /// For TPM_DA_ACTION_TIMEOUT, the seconds of lockout left.
        pub action_depend_value: u32,
        pub vendor_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 21.8 TPM_DA_INFO_LIMITED: the dictionary-attack state without the counts,
    /// returned while TPM_PERMANENT_FLAGS.disableFullDALogicInfo is TRUE.
    pub struct DaInfoLimited = "TPM_DA_INFO_LIMITED" [tag = StructureTag::TPM_TAG_DA_INFO_LIMITED] {
        pub state: DaState,
        pub action_at_threshold: DaActionType,
        pub vendor_data: SizedBuffer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        da_state_round_trips: DaState,
        da_action_type_round_trips: DaActionType,
        da_info_round_trips: DaInfo,
        da_info_limited_round_trips: DaInfoLimited,
    }

    #[test]
    fn da_info_byte_picture() {
        byte_picture!(
            DaInfo,
            [
                0x00, 0x37, // tag = TPM_TAG_DA_INFO
                0x01, // state = TPM_DA_STATE_ACTIVE
                0x00, 0x05, // currentCount
                0x00, 0x05, // thresholdCount
                0x00, 0x39, // actionAtThreshold.tag = TPM_TAG_DA_ACTION_TYPE
                0x00, 0x00, 0x00, 0x01, // actionAtThreshold.actions = TIMEOUT
                0x00, 0x00, 0x00, 0x3c, // actionDependValue: 60 s left
                0x00, 0x00, 0x00, 0x02, // vendorDataSize
                0xab, 0xcd, // vendorData
            ],
            DaInfo {
                state: DaState::TPM_DA_STATE_ACTIVE,
                current_count: 5,
                threshold_count: 5,
                action_at_threshold: DaActionType {
                    actions: DaAction::TPM_DA_ACTION_TIMEOUT,
                },
                action_depend_value: 60,
                vendor_data: SizedBuffer(vec![0xab, 0xcd]),
            }
        );
    }

    #[test]
    fn rejects_da_info_limited_with_inner_action_tag_wrong() {
        assert_eq!(
            DaInfoLimited::from_bytes(&[0x00, 0x38, 0x00, 0x00, 0x37, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_DA_ACTION_TYPE",
                found: 0x37
            })
        );
    }

    #[test]
    fn rejects_da_vendor_data_size_beyond_input() {
        assert!(matches!(
            DaInfoLimited::from_bytes(&[
                0x00, 0x38, 0x00, 0x00, 0x39, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2
            ]),
            Err(MarshalError::TooLarge { size: 9, .. })
        ));
    }
}
