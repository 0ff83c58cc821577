//! Part 3, 10 Storage functions (sealing, binding, wrapping and loading keys).

use crate::{
    AuthData, Handle, KeyBlob, Marshal, MarshalError, PcrInfo, PcrInfoLong, Pubkey, Reader,
    Sized32, SizedBuffer, StoredData, StoredData12, StructureTag, Unmarshal, Writer,
};

/// Part 3, 10.1 TPM_Seal `pcrInfo`: a TPM_PCR_INFO, or a TPM_PCR_INFO_LONG when it opens
/// with the tag TPM_TAG_PCR_INFO_LONG (action 5.b), which makes TPM_Seal answer a
/// TPM_STORED_DATA12.
///
/// Decoding looks at the first two bytes only, as the spec does: a TPM_PCR_INFO whose
/// `sizeOfSelect` is 6 cannot be told from a tag, so encoding one is `Inconsistent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealPcrInfo {
    /// Part 2, 8.3 TPM_PCR_INFO.
    Info(PcrInfo),
    /// Part 2, 8.4 TPM_PCR_INFO_LONG.
    Long(PcrInfoLong),
}

/// The first two bytes of a TPM_PCR_INFO_LONG.
const PCR_INFO_LONG_TAG: [u8; 2] = StructureTag::TPM_TAG_PCR_INFO_LONG.0.to_be_bytes();

impl Marshal for SealPcrInfo {
    fn marshal(&self, w: &mut Writer) {
        match self {
            Self::Info(info) => {
                let size_of_select = u16::try_from(info.pcr_selection.pcr_select.len()).ok();
                if size_of_select == Some(StructureTag::TPM_TAG_PCR_INFO_LONG.0) {
                    w.fail(MarshalError::Inconsistent {
                        what: "TPM_Seal.pcrInfo",
                    });
                }
                info.marshal(w);
            }
            Self::Long(info) => info.marshal(w),
        }
    }
}

impl Unmarshal for SealPcrInfo {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        if r.rest().get(..2) == Some(&PCR_INFO_LONG_TAG[..]) {
            r.read().map(Self::Long)
        } else {
            r.read().map(Self::Info)
        }
    }
}

/// A sealed blob as TPM_Seal returns it and TPM_Unseal accepts it: a TPM_STORED_DATA or a
/// TPM_STORED_DATA12, told apart by the first two bytes (the 1.1 `ver` 0x01 0x01, or the
/// tag TPM_TAG_STORED_DATA12). Anything else is `BadTag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredDataBlob {
    /// Part 2, 9.1 TPM_STORED_DATA.
    StoredData(StoredData),
    /// Part 2, 9.2 TPM_STORED_DATA12.
    StoredData12(StoredData12),
}

impl Marshal for StoredDataBlob {
    fn marshal(&self, w: &mut Writer) {
        match self {
            Self::StoredData(d) => d.marshal(w),
            Self::StoredData12(d) => d.marshal(w),
        }
    }
}

impl Unmarshal for StoredDataBlob {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let what = "TPM_STORED_DATA";
        match r.rest().get(..2) {
            Some([0x01, 0x01]) => r.read().map(Self::StoredData),
            Some([0x00, 0x16]) => r.read().map(Self::StoredData12),
            Some([hi, lo]) => Err(MarshalError::BadTag {
                what,
                found: u16::from_be_bytes([*hi, *lo]),
            }),
            _ => Err(MarshalError::Truncated { what }),
        }
    }
}

tpm_struct! {
    /// Part 3, 10.1 TPM_Seal incoming parameters.
    pub struct SealIn = "TPM_Seal in" {
        /// `keyHandle`: the (non-migratable) storage key to seal under.
        pub key_handle: Handle,
        /// `encAuth`: the encrypted authorization data for the sealed data.
        pub enc_auth: AuthData,
        /// `pcrInfoSize` and `pcrInfo` (size 0: not bound to PCRs).
        pub pcr_info: Sized32<SealPcrInfo>,
        /// `inDataSize` and `inData`: the data to seal.
        pub in_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 10.1 TPM_Seal outgoing parameters.
    pub struct SealOut = "TPM_Seal out" {
        /// `sealedData`: a TPM_STORED_DATA, or a TPM_STORED_DATA12 for a TPM_PCR_INFO_LONG.
        pub sealed_data: StoredDataBlob,
    }
}

command!(
    /// Part 3, 10.1 TPM_Seal: encrypts data to a storage key and a PCR configuration.
    Seal = TPM_ORD_Seal, SealIn, 1, SealOut, 0
);

tpm_struct! {
    /// Part 3, 10.2 TPM_Unseal incoming parameters.
    pub struct UnsealIn = "TPM_Unseal in" {
        /// `parentHandle`: the storage key that sealed the data.
        pub parent_handle: Handle,
        /// `inData`: the sealed blob (TPM_STORED_DATA or TPM_STORED_DATA12).
        pub in_data: StoredDataBlob,
    }
}

tpm_struct! {
    /// Part 3, 10.2 TPM_Unseal outgoing parameters.
    pub struct UnsealOut = "TPM_Unseal out" {
        /// `secretSize` and `secret`: the unsealed data.
        pub secret: SizedBuffer,
    }
}

command!(
    /// Part 3, 10.2 TPM_Unseal: decrypts sealed data if the PCRs and locality match.
    Unseal = TPM_ORD_Unseal, UnsealIn, 1, UnsealOut, 0
);

tpm_struct! {
    /// Part 3, 10.3 TPM_UnBind incoming parameters.
    pub struct UnBindIn = "TPM_UnBind in" {
        /// `keyHandle`: a bind or legacy key.
        pub key_handle: Handle,
        /// `inDataSize` and `inData`: the encrypted blob.
        pub in_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 10.3 TPM_UnBind outgoing parameters.
    pub struct UnBindOut = "TPM_UnBind out" {
        /// `outDataSize` and `outData`: the decrypted payload.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 10.3 TPM_UnBind: decrypts data bound to a key.
    UnBind = TPM_ORD_UnBind, UnBindIn, 1, UnBindOut, 0
);

tpm_struct! {
    /// Part 3, 10.4 TPM_CreateWrapKey incoming parameters.
    pub struct CreateWrapKeyIn = "TPM_CreateWrapKey in" {
        /// `parentHandle`: the storage key that wraps the new key.
        pub parent_handle: Handle,
        /// `dataUsageAuth`: the encrypted usage authorization of the new key.
        pub data_usage_auth: AuthData,
        /// `dataMigrationAuth`: the encrypted migration authorization of the new key.
        pub data_migration_auth: AuthData,
        /// `keyInfo`: the key's public information (TPM_KEY or TPM_KEY12).
        pub key_info: KeyBlob,
    }
}

tpm_struct! {
    /// Part 3, 10.4 TPM_CreateWrapKey outgoing parameters.
    pub struct CreateWrapKeyOut = "TPM_CreateWrapKey out" {
        /// `wrappedKey`: the new key, in the form `keyInfo` had.
        pub wrapped_key: KeyBlob,
    }
}

command!(
    /// Part 3, 10.4 TPM_CreateWrapKey: generates a key wrapped by a storage key.
    CreateWrapKey = TPM_ORD_CreateWrapKey, CreateWrapKeyIn, 1, CreateWrapKeyOut, 0
);

tpm_struct! {
    /// Part 3, 10.5 TPM_LoadKey2 incoming parameters.
    pub struct LoadKey2In = "TPM_LoadKey2 in" {
        /// `parentHandle`: the storage key that wraps `inKey`.
        pub parent_handle: Handle,
        /// `inKey`: the key blob (TPM_KEY or TPM_KEY12).
        pub in_key: KeyBlob,
    }
}

tpm_struct! {
    /// Part 3, 10.5 TPM_LoadKey2 outgoing parameters.
    pub struct LoadKey2Out = "TPM_LoadKey2 out" {
        /// `inkeyHandle`: the handle of the loaded key, outside the response HMAC (unlike
        /// TPM_LoadKey).
        pub inkey_handle: Handle,
    }
}

command!(
    /// Part 3, 10.5 TPM_LoadKey2: loads a wrapped key.
    LoadKey2 = TPM_ORD_LoadKey2, LoadKey2In, 1, LoadKey2Out, 1
);

tpm_struct! {
    /// Part 3, 10.6 TPM_GetPubKey incoming parameters.
    pub struct GetPubKeyIn = "TPM_GetPubKey in" {
        /// `keyHandle`.
        pub key_handle: Handle,
    }
}

tpm_struct! {
    /// Part 3, 10.6 TPM_GetPubKey outgoing parameters.
    pub struct GetPubKeyOut = "TPM_GetPubKey out" {
        /// `pubKey`.
        pub pub_key: Pubkey,
    }
}

command!(
    /// Part 3, 10.6 TPM_GetPubKey: reads the public part of a loaded key.
    GetPubKey = TPM_ORD_GetPubKey, GetPubKeyIn, 1, GetPubKeyOut, 0
);

tpm_struct! {
    /// Part 3, 10.7 TPM_Sealx incoming parameters.
    pub struct SealxIn = "TPM_Sealx in" {
        /// `keyHandle`: the storage key to seal under.
        pub key_handle: Handle,
        /// `encAuth`: the encrypted authorization data for the sealed data.
        pub enc_auth: AuthData,
        /// `pcrInfoSize` and `pcrInfo` (1.2 form only).
        pub pcr_info: Sized32<PcrInfoLong>,
        /// `inDataSize` and `inData`: the data to seal, encrypted by the session.
        pub in_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 10.7 TPM_Sealx outgoing parameters.
    pub struct SealxOut = "TPM_Sealx out" {
        /// `sealedData`.
        pub sealed_data: StoredData12,
    }
}

command!(
    /// Part 3, 10.7 TPM_Sealx: TPM_Seal with 1.2 structures and session-encrypted input.
    Sealx = TPM_ORD_Sealx, SealxIn, 1, SealxOut, 0
);

#[cfg(test)]
mod arbitrary {
    use super::*;
    use crate::StructVer;
    use proptest::prelude::*;

    impl Arbitrary for SealPcrInfo {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            // PcrSelection's strategy keeps sizeOfSelect below 6, so every Info is canonical.
            prop_oneof![
                any::<PcrInfo>().prop_map(Self::Info),
                any::<PcrInfoLong>().prop_map(Self::Long),
            ]
            .boxed()
        }
    }

    impl Arbitrary for StoredDataBlob {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            // A TPM_STORED_DATA is recognised by its 1.1 major.minor.
            let v1 = (any::<StoredData>(), any::<(u8, u8)>()).prop_map(
                |(mut d, (rev_major, rev_minor))| {
                    d.ver = StructVer {
                        rev_major,
                        rev_minor,
                        ..StructVer::V1_1
                    };
                    StoredDataBlob::StoredData(d)
                },
            );
            prop_oneof![v1, any::<StoredData12>().prop_map(Self::StoredData12)].boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AlgorithmId, AuthDataUsage, Command, EncScheme, EntityType, Key12, KeyFlags, KeyParms,
        KeyParmsDetail, KeyUsage, LocalitySelection, PcrSelection, SigScheme, StorePubkey,
        StructVer,
    };

    round_trip_tests! {
        seal_pcr_info_round_trips: SealPcrInfo,
        stored_data_blob_round_trips: StoredDataBlob,
        seal_in_round_trips: SealIn,
        seal_out_round_trips: SealOut,
        unseal_in_round_trips: UnsealIn,
        unseal_out_round_trips: UnsealOut,
        unbind_in_round_trips: UnBindIn,
        unbind_out_round_trips: UnBindOut,
        create_wrap_key_in_round_trips: CreateWrapKeyIn,
        create_wrap_key_out_round_trips: CreateWrapKeyOut,
        load_key2_in_round_trips: LoadKey2In,
        load_key2_out_round_trips: LoadKey2Out,
        get_pub_key_in_round_trips: GetPubKeyIn,
        get_pub_key_out_round_trips: GetPubKeyOut,
        sealx_in_round_trips: SealxIn,
        sealx_out_round_trips: SealxOut,
    }

    #[test]
    fn seal_in_byte_picture() {
        let mut bytes = vec![
            0x01, 0x00, 0x00, 0x01, // keyHandle
        ];
        bytes.extend_from_slice(&[0xea; 20]); // encAuth
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x2d, // pcrInfoSize 45
            0x00, 0x03, 0x80, 0x00, 0x00, // pcrInfo.pcrSelection: PCR 7
        ]);
        bytes.extend_from_slice(&[0xd1; 20]); // pcrInfo.digestAtRelease
        bytes.extend_from_slice(&[0xd2; 20]); // pcrInfo.digestAtCreation
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x03, // inDataSize
            b'k', b'e', b'y', // inData
        ]);
        byte_picture!(
            SealIn,
            bytes,
            SealIn {
                key_handle: 0x0100_0001,
                enc_auth: [0xea; 20],
                pcr_info: Sized32(Some(SealPcrInfo::Info(PcrInfo {
                    pcr_selection: PcrSelection::new(3, &[7]).unwrap(),
                    digest_at_release: [0xd1; 20],
                    digest_at_creation: [0xd2; 20],
                }))),
                in_data: SizedBuffer(b"key".to_vec()),
            }
        );
    }

    #[test]
    fn seal_pcr_info_long_is_told_by_its_tag() {
        let long = PcrInfoLong {
            locality_at_creation: LocalitySelection::TPM_LOC_ZERO,
            locality_at_release: LocalitySelection(0x1f),
            creation_pcr_selection: PcrSelection::new(3, &[0]).unwrap(),
            release_pcr_selection: PcrSelection::new(3, &[0]).unwrap(),
            digest_at_creation: [1; 20],
            digest_at_release: [2; 20],
        };
        let bytes = long.to_bytes().unwrap();
        assert_eq!(bytes[..2], [0x00, 0x06]);
        assert_eq!(SealPcrInfo::from_bytes(&bytes), Ok(SealPcrInfo::Long(long)));
    }

    #[test]
    fn refuses_to_encode_a_pcr_info_that_would_read_as_long() {
        let info = SealPcrInfo::Info(PcrInfo {
            pcr_selection: PcrSelection::new(6, &[]).unwrap(),
            digest_at_release: [0; 20],
            digest_at_creation: [0; 20],
        });
        assert_eq!(
            info.to_bytes(),
            Err(MarshalError::Inconsistent {
                what: "TPM_Seal.pcrInfo"
            })
        );
    }

    #[test]
    fn stored_data_blob_is_told_apart_by_its_first_two_bytes() {
        let v1 = [
            0x01, 0x01, 0x00, 0x00, // ver 1.1.0.0
            0x00, 0x00, 0x00, 0x00, // sealInfoSize 0
            0x00, 0x00, 0x00, 0x01, // encDataSize
            0xee, // encData
        ];
        assert_eq!(
            StoredDataBlob::from_bytes(&v1),
            Ok(StoredDataBlob::StoredData(StoredData {
                ver: StructVer::V1_1,
                seal_info: Sized32(None),
                enc_data: SizedBuffer(vec![0xee]),
            }))
        );
        let v2 = [
            0x00, 0x16, // tag TPM_TAG_STORED_DATA12
            0x00, 0x03, // et TPM_ET_DATA
            0x00, 0x00, 0x00, 0x00, // sealInfoSize 0
            0x00, 0x00, 0x00, 0x01, // encDataSize
            0xee, // encData
        ];
        assert_eq!(
            StoredDataBlob::from_bytes(&v2),
            Ok(StoredDataBlob::StoredData12(StoredData12 {
                et: EntityType::TPM_ET_DATA,
                seal_info: Sized32(None),
                enc_data: SizedBuffer(vec![0xee]),
            }))
        );
        assert_eq!(
            StoredDataBlob::from_bytes(&[0x00, 0x28, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_STORED_DATA",
                found: 0x28
            })
        );
        assert_eq!(
            StoredDataBlob::from_bytes(&[0x01]),
            Err(MarshalError::Truncated {
                what: "TPM_STORED_DATA"
            })
        );
    }

    #[test]
    fn load_key2_out_byte_picture() {
        byte_picture!(
            LoadKey2Out,
            [0x01, 0x00, 0x00, 0x02], // inkeyHandle
            LoadKey2Out {
                inkey_handle: 0x0100_0002
            }
        );
        assert_eq!(LoadKey2::OUT_HANDLES, 1);
    }

    #[test]
    fn load_key2_in_accepts_a_key12() {
        let key = Key12 {
            key_usage: KeyUsage::TPM_KEY_SIGNING,
            key_flags: KeyFlags(0),
            auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
            algorithm_parms: KeyParms {
                algorithm_id: AlgorithmId::TPM_ALG_RSA,
                enc_scheme: EncScheme::TPM_ES_NONE,
                sig_scheme: SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
                parms: KeyParmsDetail::Other(vec![]),
            },
            pcr_info: Sized32(None),
            pub_key: StorePubkey {
                key: SizedBuffer(vec![0xab; 4]),
            },
            enc_data: SizedBuffer(vec![0xcd; 4]),
        };
        let mut bytes = vec![0x40, 0x00, 0x00, 0x00]; // parentHandle TPM_KH_SRK
        bytes.extend_from_slice(&key.to_bytes().unwrap()); // inKey
        assert_eq!(
            LoadKey2In::from_bytes(&bytes),
            Ok(LoadKey2In {
                parent_handle: 0x4000_0000,
                in_key: KeyBlob::Key12(key),
            })
        );
    }
}
