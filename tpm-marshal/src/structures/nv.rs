//! Part 2, 19: non-volatile storage structures.

use crate::{
    AuthData, Marshal, MarshalError, NvAttributes, NvIndex, PcrInfoShort, Reader, StructureTag,
    Unmarshal, Writer,
};

tpm_struct! {
    /// Part 2, 19.2 TPM_NV_ATTRIBUTES: the tagged wrapper around the TPM_NV_PER_ATTRIBUTES
    /// bits. Named after its field `TPM_NV_DATA_PUBLIC.permission`, since [`NvAttributes`]
    /// is the bit set itself.
    pub struct NvPermission = "TPM_NV_ATTRIBUTES" [tag = StructureTag::TPM_TAG_NV_ATTRIBUTES] {
        pub attributes: NvAttributes,
    }
}

tpm_struct! {
    /// Part 2, 19.3 TPM_NV_DATA_PUBLIC: the public description of an NV area and its access
    /// controls (TPM_NV_DefineSpace input, TPM_CAP_NV_INDEX output).
    pub struct NvDataPublic = "TPM_NV_DATA_PUBLIC" [tag = StructureTag::TPM_TAG_NV_DATA_PUBLIC] {
        pub nv_index: NvIndex,
        pub pcr_info_read: PcrInfoShort,
        pub pcr_info_write: PcrInfoShort,
        pub permission: NvPermission,
        pub b_read_st_clear: bool,
        pub b_write_st_clear: bool,
        pub b_write_define: bool,
        pub data_size: u32,
    }
}

/// Part 2, 19.4 TPM_NV_DATA_SENSITIVE: an NV area as the TPM keeps it, public part, auth
/// value and data.
///
/// The data has no size field of its own: its length is `pub_info.data_size`. Decoding takes
/// exactly that many bytes; encoding refuses data whose length disagrees with it.
#[doc(alias = "TPM_NV_DATA_SENSITIVE")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvDataSensitive {
    /// `pubInfo`.
    pub pub_info: NvDataPublic,
    /// `authValue`.
    pub auth_value: AuthData,
    /// `data`, `pubInfo.dataSize` bytes.
    pub data: Vec<u8>,
}

impl Marshal for NvDataSensitive {
    fn marshal(&self, w: &mut Writer) {
        w.write(&StructureTag::TPM_TAG_NV_DATA_SENSITIVE);
        w.write(&self.pub_info);
        w.write(&self.auth_value);
        if u32::try_from(self.data.len()).ok() != Some(self.pub_info.data_size) {
            w.fail(MarshalError::Inconsistent {
                what: "TPM_NV_DATA_SENSITIVE.data",
            });
        }
        w.bytes(&self.data);
    }
}

impl Unmarshal for NvDataSensitive {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        crate::codec::expect_tag(
            r,
            StructureTag::TPM_TAG_NV_DATA_SENSITIVE,
            "TPM_NV_DATA_SENSITIVE",
        )?;
        let pub_info = r
            .read::<NvDataPublic>()
            .map_err(|e| e.at("TPM_NV_DATA_SENSITIVE.pubInfo"))?;
        let auth_value = r
            .read::<AuthData>()
            .map_err(|e| e.at("TPM_NV_DATA_SENSITIVE.authValue"))?;
        let data_size =
            usize::try_from(pub_info.data_size).map_err(|_| MarshalError::TooLarge {
                what: "TPM_NV_DATA_SENSITIVE.data",
                size: u64::from(pub_info.data_size),
            })?;
        let data = r
            .bytes(data_size)
            .map_err(|e| e.at("TPM_NV_DATA_SENSITIVE.data"))?
            .to_vec();
        Ok(Self {
            pub_info,
            auth_value,
            data,
        })
    }
}

#[cfg(test)]
mod arbitrary {
    use super::*;
    use crate::structures::small_bytes;
    use proptest::prelude::*;

    impl Arbitrary for NvDataSensitive {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            (any::<NvDataPublic>(), any::<AuthData>(), small_bytes())
                .prop_map(|(mut pub_info, auth_value, data)| {
                    // Canonical: the public part announces exactly the data's length.
                    pub_info.data_size = data.len() as u32;
                    Self {
                        pub_info,
                        auth_value,
                        data,
                    }
                })
                .boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocalitySelection, PcrSelection};

    round_trip_tests! {
        nv_permission_round_trips: NvPermission,
        nv_data_public_round_trips: NvDataPublic,
        nv_data_sensitive_round_trips: NvDataSensitive,
    }

    /// An empty 3-byte PCR selection usable at any locality, as swtpm sets up its EK
    /// certificate index.
    fn no_pcrs() -> PcrInfoShort {
        PcrInfoShort {
            pcr_selection: PcrSelection::new(3, &[]).unwrap(),
            locality_at_release: LocalitySelection(0x1f),
            digest_at_release: [0; 20],
        }
    }

    fn ek_cert_public(data_size: u32) -> NvDataPublic {
        NvDataPublic {
            nv_index: NvIndex(0x1000_f000),
            pcr_info_read: no_pcrs(),
            pcr_info_write: no_pcrs(),
            permission: NvPermission {
                attributes: NvAttributes(
                    NvAttributes::TPM_NV_PER_OWNERREAD.0 | NvAttributes::TPM_NV_PER_OWNERWRITE.0,
                ),
            },
            b_read_st_clear: false,
            b_write_st_clear: false,
            b_write_define: false,
            data_size,
        }
    }

    /// The bytes of one TPM_PCR_INFO_SHORT with nothing selected, any locality, zero digest.
    fn no_pcrs_bytes() -> Vec<u8> {
        let mut b = vec![
            0x00, 0x03, // pcrSelection.sizeOfSelect = 3
            0x00, 0x00, 0x00, // pcrSelection.pcrSelect: nothing selected
            0x1f, // localityAtRelease: localities 0-4
        ];
        b.extend_from_slice(&[0; 20]); // digestAtRelease
        b
    }

    #[test]
    fn nv_data_public_byte_picture_of_the_ek_certificate_index() {
        let mut bytes = vec![
            0x00, 0x18, // tag = TPM_TAG_NV_DATA_PUBLIC
            0x10, 0x00, 0xf0, 0x00, // nvIndex = TPM_NV_INDEX_EKCert with the D bit
        ];
        bytes.extend(no_pcrs_bytes()); // pcrInfoRead
        bytes.extend(no_pcrs_bytes()); // pcrInfoWrite
        bytes.extend_from_slice(&[
            0x00, 0x17, // permission.tag = TPM_TAG_NV_ATTRIBUTES
            0x00, 0x02, 0x00, 0x02, // permission.attributes = OWNERREAD | OWNERWRITE
            0x00, // bReadSTClear
            0x00, // bWriteSTClear
            0x00, // bWriteDefine
            0x00, 0x00, 0x03, 0x4a, // dataSize = 842
        ]);
        byte_picture!(NvDataPublic, bytes, ek_cert_public(842));
    }

    #[test]
    fn nv_data_sensitive_byte_picture() {
        let public = ek_cert_public(3);
        let mut bytes = vec![0x00, 0x19]; // tag = TPM_TAG_NV_DATA_SENSITIVE
        bytes.extend(public.to_bytes().unwrap()); // pubInfo, dataSize = 3
        bytes.extend_from_slice(&[0x5a; 20]); // authValue
        bytes.extend_from_slice(&[1, 2, 3]); // data, no size field of its own
        byte_picture!(
            NvDataSensitive,
            bytes,
            NvDataSensitive {
                pub_info: public,
                auth_value: [0x5a; 20],
                data: vec![1, 2, 3],
            }
        );
    }

    #[test]
    fn rejects_nv_public_with_wrong_tag() {
        let mut bytes = ek_cert_public(0).to_bytes().unwrap();
        bytes[1] = 0x17;
        assert_eq!(
            NvDataPublic::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_NV_DATA_PUBLIC",
                found: 0x17
            })
        );
    }

    #[test]
    fn rejects_nv_permission_with_wrong_tag() {
        assert_eq!(
            NvPermission::from_bytes(&[0x00, 0x18, 0, 0, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_NV_ATTRIBUTES",
                found: 0x18
            })
        );
    }

    #[test]
    fn rejects_nv_public_bool_flag_of_two() {
        let mut bytes = ek_cert_public(0).to_bytes().unwrap();
        let b_write_define = bytes.len() - 5;
        bytes[b_write_define] = 2;
        assert_eq!(
            NvDataPublic::from_bytes(&bytes),
            Err(MarshalError::BadValue {
                what: "TPM_NV_DATA_PUBLIC.b_write_define",
                found: 2
            })
        );
    }

    #[test]
    fn rejects_nv_sensitive_data_shorter_than_data_size() {
        let mut value = NvDataSensitive {
            pub_info: ek_cert_public(4),
            auth_value: [0; 20],
            data: vec![1, 2, 3, 4],
        };
        let mut bytes = value.to_bytes().unwrap();
        bytes.pop();
        assert_eq!(
            NvDataSensitive::from_bytes(&bytes),
            Err(MarshalError::Truncated {
                what: "TPM_NV_DATA_SENSITIVE.data"
            })
        );
        // And the encoder refuses the same disagreement.
        value.data.pop();
        assert_eq!(
            value.to_bytes(),
            Err(MarshalError::Inconsistent {
                what: "TPM_NV_DATA_SENSITIVE.data"
            })
        );
    }

    #[test]
    fn rejects_nv_sensitive_with_bytes_beyond_data_size() {
        let value = NvDataSensitive {
            pub_info: ek_cert_public(2),
            auth_value: [0; 20],
            data: vec![1, 2],
        };
        let mut bytes = value.to_bytes().unwrap();
        bytes.push(3);
        assert_eq!(
            NvDataSensitive::from_bytes(&bytes),
            Err(MarshalError::TrailingBytes { what: "", count: 1 })
        );
    }
}
