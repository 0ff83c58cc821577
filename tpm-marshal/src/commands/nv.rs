//! Part 3, 20 Non-volatile Storage.

use crate::{AuthData, NvDataPublic, NvIndex, SizedBuffer};

tpm_struct! {
    /// Part 3, 20.1 TPM_NV_DefineSpace incoming parameters.
    pub struct NvDefineSpaceIn = "TPM_NV_DefineSpace in" {
        /// `pubInfo`: the area's index, size and access controls (size 0 deletes it).
        pub pub_info: NvDataPublic,
        /// `encAuth`: the encrypted authorization data for the area.
        pub enc_auth: AuthData,
    }
}

command!(
    /// Part 3, 20.1 TPM_NV_DefineSpace: defines or deletes an NV area (owner authorized,
    /// or unauthorized before nvLocked).
    NvDefineSpace = TPM_ORD_NV_DefineSpace, NvDefineSpaceIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 20.2 TPM_NV_WriteValue incoming parameters.
    pub struct NvWriteValueIn = "TPM_NV_WriteValue in" {
        /// `nvIndex`.
        pub nv_index: NvIndex,
        /// `offset`: where in the area to write.
        pub offset: u32,
        /// `dataSize` and `data`.
        pub data: SizedBuffer,
    }
}

command!(
    /// Part 3, 20.2 TPM_NV_WriteValue: writes an NV area (owner authorized, or
    /// unauthorized).
    NvWriteValue = TPM_ORD_NV_WriteValue, NvWriteValueIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 20.3 TPM_NV_WriteValueAuth incoming parameters.
    pub struct NvWriteValueAuthIn = "TPM_NV_WriteValueAuth in" {
        /// `nvIndex`.
        pub nv_index: NvIndex,
        /// `offset`: where in the area to write.
        pub offset: u32,
        /// `dataSize` and `data`.
        pub data: SizedBuffer,
    }
}

command!(
    /// Part 3, 20.3 TPM_NV_WriteValueAuth: writes an NV area with its own authorization.
    NvWriteValueAuth = TPM_ORD_NV_WriteValueAuth, NvWriteValueAuthIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 20.4 TPM_NV_ReadValue incoming parameters.
    pub struct NvReadValueIn = "TPM_NV_ReadValue in" {
        /// `nvIndex`.
        pub nv_index: NvIndex,
        /// `offset`: where in the area to start reading.
        pub offset: u32,
        /// `dataSize`: how many bytes to read.
        pub data_size: u32,
    }
}

tpm_struct! {
    /// Part 3, 20.4 TPM_NV_ReadValue outgoing parameters.
    pub struct NvReadValueOut = "TPM_NV_ReadValue out" {
        /// `dataSize` and `data`.
        pub data: SizedBuffer,
    }
}

command!(
    /// Part 3, 20.4 TPM_NV_ReadValue: reads an NV area (owner authorized, or
    /// unauthorized).
    NvReadValue = TPM_ORD_NV_ReadValue, NvReadValueIn, 0, NvReadValueOut, 0
);

tpm_struct! {
    /// Part 3, 20.5 TPM_NV_ReadValueAuth incoming parameters.
    pub struct NvReadValueAuthIn = "TPM_NV_ReadValueAuth in" {
        /// `nvIndex`.
        pub nv_index: NvIndex,
        /// `offset`: where in the area to start reading.
        pub offset: u32,
        /// `dataSize`: how many bytes to read.
        pub data_size: u32,
    }
}

tpm_struct! {
    /// Part 3, 20.5 TPM_NV_ReadValueAuth outgoing parameters.
    pub struct NvReadValueAuthOut = "TPM_NV_ReadValueAuth out" {
        /// `dataSize` and `data`.
        pub data: SizedBuffer,
    }
}

command!(
    /// Part 3, 20.5 TPM_NV_ReadValueAuth: reads an NV area with its own authorization.
    NvReadValueAuth = TPM_ORD_NV_ReadValueAuth, NvReadValueAuthIn, 0, NvReadValueAuthOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocalitySelection, NvAttributes, NvPermission, PcrInfoShort, PcrSelection};

    round_trip_tests! {
        nv_define_space_in_round_trips: NvDefineSpaceIn,
        nv_write_value_in_round_trips: NvWriteValueIn,
        nv_write_value_auth_in_round_trips: NvWriteValueAuthIn,
        nv_read_value_in_round_trips: NvReadValueIn,
        nv_read_value_out_round_trips: NvReadValueOut,
        nv_read_value_auth_in_round_trips: NvReadValueAuthIn,
        nv_read_value_auth_out_round_trips: NvReadValueAuthOut,
    }

    #[test]
    fn nv_define_space_in_byte_picture() {
        let mut bytes = vec![
            0x00, 0x18, // pubInfo.tag TPM_TAG_NV_DATA_PUBLIC
            0x00, 0x01, 0x10, 0x00, // pubInfo.nvIndex
            0x00, 0x03, 0x00, 0x00, 0x00, // pcrInfoRead.pcrSelection: none
            0x1f, // pcrInfoRead.localityAtRelease: all five
        ];
        bytes.extend_from_slice(&[0; 20]); // pcrInfoRead.digestAtRelease
        bytes.extend_from_slice(&[
            0x00, 0x03, 0x00, 0x00, 0x01, // pcrInfoWrite.pcrSelection: PCR 16
            0x1f, // pcrInfoWrite.localityAtRelease
        ]);
        bytes.extend_from_slice(&[0x16; 20]); // pcrInfoWrite.digestAtRelease
        bytes.extend_from_slice(&[
            0x00, 0x17, // permission.tag TPM_TAG_NV_ATTRIBUTES
            0x00, 0x00, 0x00, 0x04, // permission.attributes TPM_NV_PER_AUTHWRITE
            0x00, // bReadSTClear
            0x01, // bWriteSTClear
            0x00, // bWriteDefine
            0x00, 0x00, 0x00, 0x40, // dataSize 64
        ]);
        bytes.extend_from_slice(&[0xe5; 20]); // encAuth
        let any_locality = LocalitySelection(0x1f);
        byte_picture!(
            NvDefineSpaceIn,
            bytes,
            NvDefineSpaceIn {
                pub_info: NvDataPublic {
                    nv_index: NvIndex(0x0001_1000),
                    pcr_info_read: PcrInfoShort {
                        pcr_selection: PcrSelection::new(3, &[]).unwrap(),
                        locality_at_release: any_locality,
                        digest_at_release: [0; 20],
                    },
                    pcr_info_write: PcrInfoShort {
                        pcr_selection: PcrSelection::new(3, &[16]).unwrap(),
                        locality_at_release: any_locality,
                        digest_at_release: [0x16; 20],
                    },
                    permission: NvPermission {
                        attributes: NvAttributes::TPM_NV_PER_AUTHWRITE,
                    },
                    b_read_st_clear: false,
                    b_write_st_clear: true,
                    b_write_define: false,
                    data_size: 64,
                },
                enc_auth: [0xe5; 20],
            }
        );
    }

    #[test]
    fn nv_write_value_in_byte_picture() {
        byte_picture!(
            NvWriteValueIn,
            [
                0x00, 0x01, 0x10, 0x00, // nvIndex
                0x00, 0x00, 0x00, 0x08, // offset
                0x00, 0x00, 0x00, 0x03, // dataSize
                0xaa, 0xbb, 0xcc, // data
            ],
            NvWriteValueIn {
                nv_index: NvIndex(0x0001_1000),
                offset: 8,
                data: SizedBuffer(vec![0xaa, 0xbb, 0xcc]),
            }
        );
    }

    #[test]
    fn nv_write_value_with_size_zero_carries_no_data() {
        // dataSize 0 is how TPM_NV_INDEX_LOCK and TPM_NV_INDEX0 are written.
        byte_picture!(
            NvWriteValueIn,
            [
                0xff, 0xff, 0xff, 0xff, // nvIndex TPM_NV_INDEX_LOCK
                0x00, 0x00, 0x00, 0x00, // offset
                0x00, 0x00, 0x00, 0x00, // dataSize 0
            ],
            NvWriteValueIn {
                nv_index: NvIndex::TPM_NV_INDEX_LOCK,
                offset: 0,
                data: SizedBuffer::default(),
            }
        );
    }
}
