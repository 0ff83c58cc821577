//! Part 2, 11: signed structures (certify and quote info), and 5.14 TPM_SIGN_INFO.
//!
//! Fixed markers ('QUOT', 'QUT2') and `fill` bytes are not stored: they are written on
//! encode and checked on decode (`BadValue` when wrong).

use crate::{
    AuthDataUsage, Digest, KeyFlags, KeyParms, KeyUsage, Marshal, MarshalError, Nonce, PayloadType,
    PcrInfo, PcrInfoShort, Reader, Sized32, SizedBuffer, StructVer, StructureTag, Unmarshal,
    Writer,
};

/// TPM_QUOTE_INFO.fixed.
const QUOTE_INFO_FIXED: [u8; 4] = *b"QUOT";
/// TPM_QUOTE_INFO2.fixed.
const QUOTE_INFO2_FIXED: [u8; 4] = *b"QUT2";

/// Reads a 4-byte marker and checks it is `want`.
fn expect_fixed(r: &mut Reader<'_>, want: [u8; 4], what: &'static str) -> Result<(), MarshalError> {
    let found: [u8; 4] = r.array().map_err(|e| e.at(what))?;
    if found == want {
        Ok(())
    } else {
        Err(MarshalError::BadValue {
            what,
            found: u32::from_be_bytes(found),
        })
    }
}

tpm_struct! {
    /// Part 2, 11.1 TPM_CERTIFY_INFO: what TPM_CertifyKey signs about a TPM_KEY.
    pub struct CertifyInfo = "TPM_CERTIFY_INFO" {
        pub version: StructVer,
        pub key_usage: KeyUsage,
        pub key_flags: KeyFlags,
        pub auth_data_usage: AuthDataUsage,
        pub algorithm_parms: KeyParms,
        pub pubkey_digest: Digest,
        pub data: Nonce,
        pub parent_pcr_status: bool,
        pub pcr_info: Sized32<PcrInfo>,
    }
}

/// Part 2, 11.2 TPM_CERTIFY_INFO2: what TPM_CertifyKey2 (and TPM_CertifyKey on a
/// TPM_KEY12) signs. The `fill` byte after the tag must be zero and is not stored.
#[doc(alias = "TPM_CERTIFY_INFO2")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct CertifyInfo2 {
    /// `payloadType`.
    pub payload_type: PayloadType,
    /// `keyUsage`.
    pub key_usage: KeyUsage,
    /// `keyFlags`.
    pub key_flags: KeyFlags,
    /// `authDataUsage`.
    pub auth_data_usage: AuthDataUsage,
    /// `algorithmParms`.
    pub algorithm_parms: KeyParms,
    /// `pubkeyDigest`.
    pub pubkey_digest: Digest,
    /// `data`.
    pub data: Nonce,
    /// `parentPCRStatus`.
    pub parent_pcr_status: bool,
    /// `PCRInfoSize` and `PCRInfo`.
    pub pcr_info: Sized32<PcrInfoShort>,
    /// `migrationAuthoritySize` and `migrationAuthority` (a CMK's migration authority
    /// digest, empty otherwise).
    pub migration_authority: SizedBuffer,
}

impl Marshal for CertifyInfo2 {
    fn marshal(&self, w: &mut Writer) {
        StructureTag::TPM_TAG_CERTIFY_INFO2.marshal(w);
        w.u8(0); // fill
        self.payload_type.marshal(w);
        self.key_usage.marshal(w);
        self.key_flags.marshal(w);
        self.auth_data_usage.marshal(w);
        self.algorithm_parms.marshal(w);
        self.pubkey_digest.marshal(w);
        self.data.marshal(w);
        self.parent_pcr_status.marshal(w);
        self.pcr_info.marshal(w);
        self.migration_authority.marshal(w);
    }
}

impl Unmarshal for CertifyInfo2 {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        crate::codec::expect_tag(r, StructureTag::TPM_TAG_CERTIFY_INFO2, "TPM_CERTIFY_INFO2")?;
        let fill = r.u8().map_err(|e| e.at("TPM_CERTIFY_INFO2.fill"))?;
        if fill != 0 {
            return Err(MarshalError::BadValue {
                what: "TPM_CERTIFY_INFO2.fill",
                found: u32::from(fill),
            });
        }
        Ok(Self {
            payload_type: r.field("TPM_CERTIFY_INFO2.payloadType")?,
            key_usage: r.field("TPM_CERTIFY_INFO2.keyUsage")?,
            key_flags: r.field("TPM_CERTIFY_INFO2.keyFlags")?,
            auth_data_usage: r.field("TPM_CERTIFY_INFO2.authDataUsage")?,
            algorithm_parms: r.field("TPM_CERTIFY_INFO2.algorithmParms")?,
            pubkey_digest: r.field("TPM_CERTIFY_INFO2.pubkeyDigest")?,
            data: r.field("TPM_CERTIFY_INFO2.data")?,
            parent_pcr_status: r.field("TPM_CERTIFY_INFO2.parentPCRStatus")?,
            pcr_info: r.field("TPM_CERTIFY_INFO2.PCRInfo")?,
            migration_authority: r.field("TPM_CERTIFY_INFO2.migrationAuthority")?,
        })
    }
}

/// Part 2, 11.3 TPM_QUOTE_INFO: what TPM_Quote signs: `version`, the fixed 'QUOT' (not
/// stored), the composite hash of the selected PCRs and the caller's nonce.
#[doc(alias = "TPM_QUOTE_INFO")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct QuoteInfo {
    /// `version` (1.1.0.0).
    pub version: StructVer,
    /// `digestValue`: the TPM_COMPOSITE_HASH of the quoted PCRs.
    pub digest_value: Digest,
    /// `externalData`.
    pub external_data: Nonce,
}

impl Marshal for QuoteInfo {
    fn marshal(&self, w: &mut Writer) {
        self.version.marshal(w);
        w.bytes(&QUOTE_INFO_FIXED);
        self.digest_value.marshal(w);
        self.external_data.marshal(w);
    }
}

impl Unmarshal for QuoteInfo {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let version = r.field("TPM_QUOTE_INFO.version")?;
        expect_fixed(r, QUOTE_INFO_FIXED, "TPM_QUOTE_INFO.fixed")?;
        Ok(Self {
            version,
            digest_value: r.field("TPM_QUOTE_INFO.digestValue")?,
            external_data: r.field("TPM_QUOTE_INFO.externalData")?,
        })
    }
}

/// Part 2, 11.4 TPM_QUOTE_INFO2: what TPM_Quote2 signs: the tag, the fixed 'QUT2' (not
/// stored), the caller's nonce and the PCR info of the quoted PCRs.
#[doc(alias = "TPM_QUOTE_INFO2")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct QuoteInfo2 {
    /// `externalData`.
    pub external_data: Nonce,
    /// `infoShort`.
    pub info_short: PcrInfoShort,
}

impl Marshal for QuoteInfo2 {
    fn marshal(&self, w: &mut Writer) {
        StructureTag::TPM_TAG_QUOTE_INFO2.marshal(w);
        w.bytes(&QUOTE_INFO2_FIXED);
        self.external_data.marshal(w);
        self.info_short.marshal(w);
    }
}

impl Unmarshal for QuoteInfo2 {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        crate::codec::expect_tag(r, StructureTag::TPM_TAG_QUOTE_INFO2, "TPM_QUOTE_INFO2")?;
        expect_fixed(r, QUOTE_INFO2_FIXED, "TPM_QUOTE_INFO2.fixed")?;
        Ok(Self {
            external_data: r.field("TPM_QUOTE_INFO2.externalData")?,
            info_short: r.field("TPM_QUOTE_INFO2.infoShort")?,
        })
    }
}

tpm_struct! {
    /// Part 2, 5.14 TPM_SIGN_INFO: what TPM_Sign (TPM_SS_RSASSAPKCS1v15_INFO),
    /// TPM_GetAuditDigestSigned, TPM_TickStampBlob and TPM_ReleaseTransportSigned sign.
    /// `fixed` names the signing command ("SIGN", "ADIG", "TSTP", "TRAN") and is kept as is.
    pub struct SignInfo = "TPM_SIGN_INFO" [tag = StructureTag::TPM_TAG_SIGNINFO] {
        pub fixed: [u8; 4],
        pub replay: Nonce,
        pub data: SizedBuffer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AlgorithmId, EncScheme, KeyParmsDetail, LocalitySelection, PcrSelection};
    use crate::{RsaKeyParms, SigScheme};

    round_trip_tests! {
        certify_info_round_trips: CertifyInfo,
        certify_info2_round_trips: CertifyInfo2,
        quote_info_round_trips: QuoteInfo,
        quote_info2_round_trips: QuoteInfo2,
        sign_info_round_trips: SignInfo,
    }

    fn quote_info_bytes() -> Vec<u8> {
        let mut b = vec![
            0x01, 0x01, 0x00, 0x00, // version 1.1.0.0
            b'Q', b'U', b'O', b'T', // fixed
        ];
        b.extend_from_slice(&[0x5c; 20]); // digestValue
        b.extend_from_slice(&[0x6d; 20]); // externalData
        b
    }

    #[test]
    fn quote_info_byte_picture() {
        byte_picture!(
            QuoteInfo,
            quote_info_bytes(),
            QuoteInfo {
                version: StructVer::V1_1,
                digest_value: [0x5c; 20],
                external_data: [0x6d; 20],
            }
        );
    }

    #[test]
    fn rejects_quote_info_with_wrong_fixed() {
        let mut bytes = quote_info_bytes();
        bytes[7] = b'2';
        assert_eq!(
            QuoteInfo::from_bytes(&bytes),
            Err(MarshalError::BadValue {
                what: "TPM_QUOTE_INFO.fixed",
                found: u32::from_be_bytes(*b"QUO2"),
            })
        );
    }

    fn quote_info2_bytes() -> Vec<u8> {
        let mut b = vec![
            0x00, 0x36, // tag TPM_TAG_QUOTE_INFO2
            b'Q', b'U', b'T', b'2', // fixed
        ];
        b.extend_from_slice(&[0x7e; 20]); // externalData
        b.extend_from_slice(&[
            0x00, 0x03, 0x00, 0x00, 0x01, // infoShort.pcrSelection: PCR 16
            0x01, // infoShort.localityAtRelease TPM_LOC_ZERO
        ]);
        b.extend_from_slice(&[0x8f; 20]); // infoShort.digestAtRelease
        b
    }

    #[test]
    fn quote_info2_byte_picture() {
        byte_picture!(
            QuoteInfo2,
            quote_info2_bytes(),
            QuoteInfo2 {
                external_data: [0x7e; 20],
                info_short: PcrInfoShort {
                    pcr_selection: PcrSelection::new(3, &[16]).unwrap(),
                    locality_at_release: LocalitySelection::TPM_LOC_ZERO,
                    digest_at_release: [0x8f; 20],
                },
            }
        );
    }

    #[test]
    fn rejects_quote_info2_with_wrong_fixed() {
        let mut bytes = quote_info2_bytes();
        bytes[2..6].copy_from_slice(b"QUOT");
        assert_eq!(
            QuoteInfo2::from_bytes(&bytes),
            Err(MarshalError::BadValue {
                what: "TPM_QUOTE_INFO2.fixed",
                found: u32::from_be_bytes(*b"QUOT"),
            })
        );
    }

    #[test]
    fn rejects_quote_info2_with_wrong_tag() {
        let mut bytes = quote_info2_bytes();
        bytes[1] = 0x05;
        assert_eq!(
            QuoteInfo2::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_QUOTE_INFO2",
                found: 0x05
            })
        );
    }

    fn certify_info2_bytes() -> Vec<u8> {
        let mut b = vec![
            0x00, 0x29, // tag TPM_TAG_CERTIFY_INFO2
            0x00, // fill
            0x01, // payloadType TPM_PT_ASYM
            0x00, 0x10, // keyUsage TPM_KEY_SIGNING
            0x00, 0x00, 0x00, 0x00, // keyFlags
            0x00, // authDataUsage TPM_AUTH_NEVER
            0x00, 0x00, 0x00, 0x01, // algorithmParms.algorithmID TPM_ALG_RSA
            0x00, 0x01, // algorithmParms.encScheme TPM_ES_NONE
            0x00, 0x02, // algorithmParms.sigScheme TPM_SS_RSASSAPKCS1v15_SHA1
            0x00, 0x00, 0x00, 0x0c, // algorithmParms.parmSize
            0x00, 0x00, 0x04, 0x00, // keyLength 1024
            0x00, 0x00, 0x00, 0x02, // numPrimes
            0x00, 0x00, 0x00, 0x00, // exponentSize
        ];
        b.extend_from_slice(&[0x01; 20]); // pubkeyDigest
        b.extend_from_slice(&[0x02; 20]); // data
        b.extend_from_slice(&[
            0x00, // parentPCRStatus
            0x00, 0x00, 0x00, 0x00, // PCRInfoSize
            0x00, 0x00, 0x00, 0x00, // migrationAuthoritySize
        ]);
        b
    }

    #[test]
    fn certify_info2_byte_picture() {
        byte_picture!(
            CertifyInfo2,
            certify_info2_bytes(),
            CertifyInfo2 {
                payload_type: PayloadType::TPM_PT_ASYM,
                key_usage: KeyUsage::TPM_KEY_SIGNING,
                key_flags: KeyFlags(0),
                auth_data_usage: AuthDataUsage::TPM_AUTH_NEVER,
                algorithm_parms: KeyParms {
                    algorithm_id: AlgorithmId::TPM_ALG_RSA,
                    enc_scheme: EncScheme::TPM_ES_NONE,
                    sig_scheme: SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
                    parms: KeyParmsDetail::Rsa(RsaKeyParms {
                        key_length: 1024,
                        num_primes: 2,
                        exponent: SizedBuffer::default(),
                    }),
                },
                pubkey_digest: [0x01; 20],
                data: [0x02; 20],
                parent_pcr_status: false,
                pcr_info: Sized32(None),
                migration_authority: SizedBuffer::default(),
            }
        );
    }

    #[test]
    fn rejects_certify_info2_with_nonzero_fill() {
        let mut bytes = certify_info2_bytes();
        bytes[2] = 0xff;
        assert_eq!(
            CertifyInfo2::from_bytes(&bytes),
            Err(MarshalError::BadValue {
                what: "TPM_CERTIFY_INFO2.fill",
                found: 0xff
            })
        );
    }

    #[test]
    fn sign_info_byte_picture() {
        let mut bytes = vec![
            0x00, 0x05, // tag TPM_TAG_SIGNINFO
            b'S', b'I', b'G', b'N', // fixed
        ];
        bytes.extend_from_slice(&[0x0e; 20]); // replay
        bytes.extend_from_slice(&[0x00, 0x00, 0x00, 0x01, 0xaa]); // dataLen, data
        byte_picture!(
            SignInfo,
            bytes,
            SignInfo {
                fixed: *b"SIGN",
                replay: [0x0e; 20],
                data: SizedBuffer(vec![0xaa]),
            }
        );
    }
}
