//! Part 2, 5.18 and 21: capability structures and the fixed-layout GetCapability property
//! results.

use crate::{SizedBuffer16, StructureTag, Version};

tpm_struct! {
    /// Part 2, 5.18 TPM_SELECT_SIZE: a spec version and a PCR selection size to ask about
    /// (TPM_CAP_SELECT_SIZE).
    pub struct SelectSize = "TPM_SELECT_SIZE" {
        pub major: u8,
        pub minor: u8,
        pub req_size: u16,
    }
}

tpm_struct! {
    /// Part 2, 21.6 TPM_CAP_VERSION_INFO: the TPM's version, spec level, errata and vendor
    /// (TPM_CAP_VERSION_VAL).
    pub struct CapVersionInfo = "TPM_CAP_VERSION_INFO" [tag = StructureTag::TPM_TAG_CAP_VERSION_INFO] {
        pub version: Version,
        pub spec_level: u16,
        pub errata_rev: u8,
        pub tpm_vendor_id: [u8; 4],
        /// `vendorSpecificSize` (UINT16) and `vendorSpecific`.
        pub vendor_specific: SizedBuffer16,
    }
}

tpm_struct! {
    /// Part 2, 21.2 TPM_CAP_PROP_TIS_TIMEOUT result: the four TIS timeouts A, B, C, D in
    /// microseconds, as four UINT32.
    pub struct TisTimeouts = "TPM_CAP_PROP_TIS_TIMEOUT" {
        pub timeout_a: u32,
        pub timeout_b: u32,
        pub timeout_c: u32,
        pub timeout_d: u32,
    }
}

tpm_struct! {
    /// Part 2, 21.2 TPM_CAP_PROP_DURATION result: the short, medium and long command
    /// durations in microseconds, as three UINT32.
    pub struct CommandDurations = "TPM_CAP_PROP_DURATION" {
        pub short: u32,
        pub medium: u32,
        pub long: u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        select_size_round_trips: SelectSize,
        cap_version_info_round_trips: CapVersionInfo,
        tis_timeouts_round_trips: TisTimeouts,
        command_durations_round_trips: CommandDurations,
    }

    #[test]
    fn cap_version_info_byte_picture() {
        byte_picture!(
            CapVersionInfo,
            [
                0x00, 0x30, // tag = TPM_TAG_CAP_VERSION_INFO
                1, 2, 3, 4, // version 1.2, firmware 3.4
                0x00, 0x02, // specLevel
                0x03, // errataRev
                b'I', b'B', b'M', 0, // tpmVendorID
                0x00, 0x01, // vendorSpecificSize (UINT16)
                0xee, // vendorSpecific
            ],
            CapVersionInfo {
                version: Version {
                    major: 1,
                    minor: 2,
                    rev_major: 3,
                    rev_minor: 4,
                },
                spec_level: 2,
                errata_rev: 3,
                tpm_vendor_id: *b"IBM\0",
                vendor_specific: SizedBuffer16(vec![0xee]),
            }
        );
    }

    #[test]
    fn command_durations_byte_picture() {
        byte_picture!(
            CommandDurations,
            [
                0x00, 0x00, 0x4e, 0x20, // short: 20 ms
                0x00, 0x00, 0xea, 0x60, // medium: 60 ms
                0x00, 0x2d, 0xc6, 0xc0, // long: 3 s
            ],
            CommandDurations {
                short: 20_000,
                medium: 60_000,
                long: 3_000_000,
            }
        );
    }

    #[test]
    fn rejects_cap_version_info_vendor_size_beyond_input() {
        assert!(matches!(
            CapVersionInfo::from_bytes(&[0x00, 0x30, 1, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 5, 1]),
            Err(MarshalError::TooLarge { size: 5, .. })
        ));
    }

    #[test]
    fn rejects_cap_version_info_with_wrong_tag() {
        assert_eq!(
            CapVersionInfo::from_bytes(&[0x00, 0x31, 1, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_CAP_VERSION_INFO",
                found: 0x31
            })
        );
    }
}
