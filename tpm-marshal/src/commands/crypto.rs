//! Part 3, 13 Cryptographic functions: SHA-1 sessions, signing, randomness, certifying
//! keys.

use crate::{
    CertifyInfo, CertifyInfo2, Digest, Handle, Marshal, MarshalError, Nonce, Reader, SizedBuffer,
    Unmarshal, Writer,
};

tpm_struct! {
    /// Part 3, 13.1 TPM_SHA1Start outgoing parameters.
    pub struct Sha1StartOut = "TPM_SHA1Start out" {
        /// `maxNumBytes`: the most bytes one TPM_SHA1Update accepts.
        pub max_num_bytes: u32,
    }
}

command!(
    /// Part 3, 13.1 TPM_SHA1Start: starts a SHA-1 computation inside the TPM.
    Sha1Start = TPM_ORD_SHA1Start, (), 0, Sha1StartOut, 0
);

tpm_struct! {
    /// Part 3, 13.2 TPM_SHA1Update incoming parameters.
    pub struct Sha1UpdateIn = "TPM_SHA1Update in" {
        /// `numBytes` and `hashData` (a multiple of 64 bytes).
        pub hash_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 13.2 TPM_SHA1Update: feeds whole 64-byte blocks to the SHA-1 computation.
    Sha1Update = TPM_ORD_SHA1Update, Sha1UpdateIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 13.3 TPM_SHA1Complete incoming parameters.
    pub struct Sha1CompleteIn = "TPM_SHA1Complete in" {
        /// `hashDataSize` and `hashData` (0 to 64 bytes).
        pub hash_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 13.3 TPM_SHA1Complete outgoing parameters.
    pub struct Sha1CompleteOut = "TPM_SHA1Complete out" {
        /// `hashValue`.
        pub hash_value: Digest,
    }
}

command!(
    /// Part 3, 13.3 TPM_SHA1Complete: hashes the last bytes and returns the digest.
    Sha1Complete = TPM_ORD_SHA1Complete, Sha1CompleteIn, 0, Sha1CompleteOut, 0
);

tpm_struct! {
    /// Part 3, 13.4 TPM_SHA1CompleteExtend incoming parameters.
    pub struct Sha1CompleteExtendIn = "TPM_SHA1CompleteExtend in" {
        /// `pcrNum`: the PCR to extend with the digest.
        pub pcr_num: u32,
        /// `hashDataSize` and `hashData` (0 to 64 bytes).
        pub hash_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 13.4 TPM_SHA1CompleteExtend outgoing parameters.
    pub struct Sha1CompleteExtendOut = "TPM_SHA1CompleteExtend out" {
        /// `hashValue`.
        pub hash_value: Digest,
        /// `outDigest`: the PCR after the extend.
        pub out_digest: Digest,
    }
}

command!(
    /// Part 3, 13.4 TPM_SHA1CompleteExtend: completes the digest and extends it into a PCR.
    Sha1CompleteExtend = TPM_ORD_SHA1CompleteExtend, Sha1CompleteExtendIn, 0, Sha1CompleteExtendOut, 0
);

tpm_struct! {
    /// Part 3, 13.5 TPM_Sign incoming parameters.
    pub struct SignIn = "TPM_Sign in" {
        /// `keyHandle`: a signing or legacy key.
        pub key_handle: Handle,
        /// `areaToSignSize` and `areaToSign`.
        pub area_to_sign: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 13.5 TPM_Sign outgoing parameters.
    pub struct SignOut = "TPM_Sign out" {
        /// `sigSize` and `sig`.
        pub sig: SizedBuffer,
    }
}

command!(
    /// Part 3, 13.5 TPM_Sign: signs data with a loaded key.
    Sign = TPM_ORD_Sign, SignIn, 1, SignOut, 0
);

tpm_struct! {
    /// Part 3, 13.6 TPM_GetRandom incoming parameters.
    pub struct GetRandomIn = "TPM_GetRandom in" {
        /// `bytesRequested`.
        pub bytes_requested: u32,
    }
}

tpm_struct! {
    /// Part 3, 13.6 TPM_GetRandom outgoing parameters.
    pub struct GetRandomOut = "TPM_GetRandom out" {
        /// `randomBytesSize` and `randomBytes` (possibly fewer than requested).
        pub random_bytes: SizedBuffer,
    }
}

command!(
    /// Part 3, 13.6 TPM_GetRandom: returns bytes from the TPM's random number generator.
    GetRandom = TPM_ORD_GetRandom, GetRandomIn, 0, GetRandomOut, 0
);

tpm_struct! {
    /// Part 3, 13.7 TPM_StirRandom incoming parameters.
    pub struct StirRandomIn = "TPM_StirRandom in" {
        /// `dataSize` and `inData` (under 256 bytes).
        pub in_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 13.7 TPM_StirRandom: adds entropy to the random number generator.
    StirRandom = TPM_ORD_StirRandom, StirRandomIn, 0, (), 0
);

/// TPM_CertifyKey's `certifyInfo`: a TPM_CERTIFY_INFO, or a TPM_CERTIFY_INFO2 when the
/// certified key is a TPM_KEY12; told apart by the first two bytes (the 1.1 `version`
/// 0x01 0x01, or the tag TPM_TAG_CERTIFY_INFO2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertifyKeyInfo {
    /// Part 2, 11.1 TPM_CERTIFY_INFO.
    V1(CertifyInfo),
    /// Part 2, 11.2 TPM_CERTIFY_INFO2.
    V2(CertifyInfo2),
}

impl Marshal for CertifyKeyInfo {
    fn marshal(&self, w: &mut Writer) {
        match self {
            Self::V1(info) => info.marshal(w),
            Self::V2(info) => info.marshal(w),
        }
    }
}

impl Unmarshal for CertifyKeyInfo {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        match r.rest().get(..2) {
            Some([0x01, 0x01]) => r.read().map(Self::V1),
            Some([0x00, 0x29]) => r.read().map(Self::V2),
            Some(&[hi, lo]) => Err(MarshalError::BadTag {
                what: "TPM_CertifyKey out.certifyInfo",
                found: u16::from_be_bytes([hi, lo]),
            }),
            _ => Err(MarshalError::Truncated {
                what: "TPM_CertifyKey out.certifyInfo",
            }),
        }
    }
}

tpm_struct! {
    /// Part 3, 13.8 TPM_CertifyKey incoming parameters.
    pub struct CertifyKeyIn = "TPM_CertifyKey in" {
        /// `certHandle`: the key that signs.
        pub cert_handle: Handle,
        /// `keyHandle`: the key to certify.
        pub key_handle: Handle,
        /// `antiReplay`.
        pub anti_replay: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 13.8 TPM_CertifyKey outgoing parameters.
    pub struct CertifyKeyOut = "TPM_CertifyKey out" {
        /// `certifyInfo`.
        pub certify_info: CertifyKeyInfo,
        /// `outDataSize` and `outData`: the signature over `certifyInfo`.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 13.8 TPM_CertifyKey: one key signs a description of another.
    CertifyKey = TPM_ORD_CertifyKey, CertifyKeyIn, 2, CertifyKeyOut, 0
);

tpm_struct! {
    /// Part 3, 13.9 TPM_CertifyKey2 incoming parameters (note the handle order: the key to
    /// certify first).
    pub struct CertifyKey2In = "TPM_CertifyKey2 in" {
        /// `keyHandle`: the key to certify.
        pub key_handle: Handle,
        /// `certHandle`: the key that signs.
        pub cert_handle: Handle,
        /// `migrationPubDigest`: for a CMK, the digest of its migration authority.
        pub migration_pub_digest: Digest,
        /// `antiReplay`.
        pub anti_replay: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 13.9 TPM_CertifyKey2 outgoing parameters.
    pub struct CertifyKey2Out = "TPM_CertifyKey2 out" {
        /// `certifyInfo`.
        pub certify_info: CertifyInfo2,
        /// `outDataSize` and `outData`: the signature over `certifyInfo`.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 13.9 TPM_CertifyKey2: certifies a key, including certified-migration keys.
    CertifyKey2 = TPM_ORD_CertifyKey2, CertifyKey2In, 2, CertifyKey2Out, 0
);

#[cfg(test)]
mod arbitrary {
    use super::*;
    use crate::StructVer;
    use proptest::prelude::*;

    impl Arbitrary for CertifyKeyInfo {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            prop_oneof![
                any::<CertifyInfo>().prop_map(|info| Self::V1(CertifyInfo {
                    version: StructVer::V1_1,
                    ..info
                })),
                any::<CertifyInfo2>().prop_map(Self::V2),
            ]
            .boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, StructVer};

    round_trip_tests! {
        sha1_start_out_round_trips: Sha1StartOut,
        sha1_update_in_round_trips: Sha1UpdateIn,
        sha1_complete_in_round_trips: Sha1CompleteIn,
        sha1_complete_out_round_trips: Sha1CompleteOut,
        sha1_complete_extend_in_round_trips: Sha1CompleteExtendIn,
        sha1_complete_extend_out_round_trips: Sha1CompleteExtendOut,
        sign_in_round_trips: SignIn,
        sign_out_round_trips: SignOut,
        get_random_in_round_trips: GetRandomIn,
        get_random_out_round_trips: GetRandomOut,
        stir_random_in_round_trips: StirRandomIn,
        certify_key_in_round_trips: CertifyKeyIn,
        certify_key_out_round_trips: CertifyKeyOut,
        certify_key2_in_round_trips: CertifyKey2In,
        certify_key2_out_round_trips: CertifyKey2Out,
    }

    #[test]
    fn get_random_out_byte_picture() {
        byte_picture!(
            GetRandomOut,
            [0, 0, 0, 3, 0x10, 0x20, 0x30], // randomBytesSize 3, randomBytes
            GetRandomOut {
                random_bytes: SizedBuffer(vec![0x10, 0x20, 0x30])
            }
        );
    }

    #[test]
    fn certify_key2_in_puts_the_certified_key_first() {
        let mut bytes = vec![0x01, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x01]; // keyHandle, certHandle
        bytes.extend_from_slice(&[0xD1; 20]); // migrationPubDigest
        bytes.extend_from_slice(&[0xA5; 20]); // antiReplay
        byte_picture!(
            CertifyKey2In,
            bytes,
            CertifyKey2In {
                key_handle: 0x0100_0002,
                cert_handle: 0x0100_0001,
                migration_pub_digest: [0xD1; 20],
                anti_replay: [0xA5; 20],
            }
        );
        assert_eq!((CertifyKey::IN_HANDLES, CertifyKey2::IN_HANDLES), (2, 2));
    }

    #[test]
    fn certify_info_kind_follows_the_first_two_bytes() {
        let v1 = CertifyKeyInfo::V1(CertifyInfo {
            version: StructVer::V1_1,
            key_usage: crate::KeyUsage::TPM_KEY_SIGNING,
            key_flags: crate::KeyFlags(0),
            auth_data_usage: crate::AuthDataUsage::TPM_AUTH_ALWAYS,
            algorithm_parms: crate::KeyParms {
                algorithm_id: crate::AlgorithmId::TPM_ALG_RSA,
                enc_scheme: crate::EncScheme::TPM_ES_NONE,
                sig_scheme: crate::SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
                parms: crate::KeyParmsDetail::Other(vec![]),
            },
            pubkey_digest: [1; 20],
            data: [2; 20],
            parent_pcr_status: false,
            pcr_info: crate::Sized32(None),
        });
        let bytes = v1.to_bytes().unwrap();
        assert_eq!(bytes.get(..2), Some(&[0x01, 0x01][..]));
        assert_eq!(CertifyKeyInfo::from_bytes(&bytes).unwrap(), v1);
        let mut wrong = bytes;
        wrong[0] = 0x02;
        assert!(matches!(
            CertifyKeyInfo::from_bytes(&wrong),
            Err(MarshalError::BadTag { found: 0x0201, .. })
        ));
    }
}
