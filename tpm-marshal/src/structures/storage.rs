//! Part 2, 9: storage structures (sealed and bound data). TPM_SYMMETRIC_KEY (9.4) lives
//! with the key structures.

use crate::{
    AuthData, Digest, EntityType, Marshal, MarshalError, Nonce, PayloadType, PcrInfo, PcrInfoLong,
    Reader, Sized32, SizedBuffer, StructVer, Unmarshal, Writer,
};

tpm_struct! {
    /// Part 2, 9.1 TPM_STORED_DATA: the 1.1 sealed blob (`ver` 1.1.0.0, TPM_PCR_INFO).
    /// `encData` is an encrypted TPM_SEALED_DATA.
    pub struct StoredData = "TPM_STORED_DATA" {
        pub ver: StructVer,
        pub seal_info: Sized32<PcrInfo>,
        pub enc_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 9.2 TPM_STORED_DATA12: the 1.2 sealed blob, with the entity type that made it
    /// and TPM_PCR_INFO_LONG.
    pub struct StoredData12 = "TPM_STORED_DATA12" [tag = crate::StructureTag::TPM_TAG_STORED_DATA12] {
        pub et: EntityType,
        pub seal_info: Sized32<PcrInfoLong>,
        pub enc_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 9.3 TPM_SEALED_DATA: the plaintext of TPM_STORED_DATA(12).encData.
    pub struct SealedData = "TPM_SEALED_DATA" {
        pub payload: PayloadType,
        pub auth_data: AuthData,
        pub tpm_proof: Nonce,
        pub stored_digest: Digest,
        pub data: SizedBuffer,
    }
}

/// Part 2, 9.5 TPM_BOUND_DATA: what TPM_UnBind expects after decryption. It has no size
/// field: `payloadData` is every byte after `payload`.
#[doc(alias = "TPM_BOUND_DATA")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct BoundData {
    /// `ver` (1.1.0.0).
    pub ver: StructVer,
    /// `payload` (TPM_PT_BIND).
    pub payload: PayloadType,
    /// `payloadData`: the rest of the structure.
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub payload_data: Vec<u8>,
}

impl Marshal for BoundData {
    fn marshal(&self, w: &mut Writer) {
        self.ver.marshal(w);
        self.payload.marshal(w);
        w.bytes(&self.payload_data);
    }
}

impl Unmarshal for BoundData {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let ver = r.field("TPM_BOUND_DATA.ver")?;
        let payload = r.field("TPM_BOUND_DATA.payload")?;
        let payload_data = r.bytes(r.remaining())?.to_vec();
        Ok(Self {
            ver,
            payload,
            payload_data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocalitySelection, PcrSelection};

    round_trip_tests! {
        stored_data_round_trips: StoredData,
        stored_data12_round_trips: StoredData12,
        sealed_data_round_trips: SealedData,
        bound_data_round_trips: BoundData,
    }

    #[test]
    fn stored_data12_byte_picture() {
        let mut bytes = vec![
            0x00, 0x16, // tag TPM_TAG_STORED_DATA12
            0x00, 0x03, // et TPM_ET_DATA
            0x00, 0x00, 0x00, 0x36, // sealInfoSize 54
            0x00, 0x06, // sealInfo.tag TPM_TAG_PCR_INFO_LONG
            0x01, // sealInfo.localityAtCreation TPM_LOC_ZERO
            0x1f, // sealInfo.localityAtRelease: all five
            0x00, 0x03, 0x01, 0x00, 0x00, // sealInfo.creationPCRSelection: PCR 0
            0x00, 0x03, 0x00, 0x80, 0x00, // sealInfo.releasePCRSelection: PCR 15
        ];
        bytes.extend_from_slice(&[0x33; 20]); // sealInfo.digestAtCreation
        bytes.extend_from_slice(&[0x44; 20]); // sealInfo.digestAtRelease
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x02, // encDataSize
            0xc0, 0xde, // encData
        ]);
        byte_picture!(
            StoredData12,
            bytes,
            StoredData12 {
                et: EntityType::TPM_ET_DATA,
                seal_info: Sized32(Some(PcrInfoLong {
                    locality_at_creation: LocalitySelection::TPM_LOC_ZERO,
                    locality_at_release: LocalitySelection(0x1f),
                    creation_pcr_selection: PcrSelection::new(3, &[0]).unwrap(),
                    release_pcr_selection: PcrSelection::new(3, &[15]).unwrap(),
                    digest_at_creation: [0x33; 20],
                    digest_at_release: [0x44; 20],
                })),
                enc_data: SizedBuffer(vec![0xc0, 0xde]),
            }
        );
    }

    #[test]
    fn stored_data12_without_seal_info_byte_picture() {
        byte_picture!(
            StoredData12,
            [
                0x00, 0x16, // tag TPM_TAG_STORED_DATA12
                0x00, 0x03, // et TPM_ET_DATA
                0x00, 0x00, 0x00, 0x00, // sealInfoSize 0: no PCRs
                0x00, 0x00, 0x00, 0x01, // encDataSize
                0x99, // encData
            ],
            StoredData12 {
                et: EntityType::TPM_ET_DATA,
                seal_info: Sized32(None),
                enc_data: SizedBuffer(vec![0x99]),
            }
        );
    }

    #[test]
    fn rejects_stored_data12_with_wrong_tag() {
        assert_eq!(
            StoredData12::from_bytes(&[0x00, 0x15, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_STORED_DATA12",
                found: 0x15
            })
        );
    }

    #[test]
    fn rejects_enc_data_size_of_all_ones_without_allocating() {
        assert_eq!(
            StoredData12::from_bytes(&[0x00, 0x16, 0, 3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1]),
            Err(MarshalError::TooLarge {
                what: "TPM_STORED_DATA12.enc_data",
                size: 0xffff_ffff
            })
        );
    }

    #[test]
    fn rejects_seal_info_shorter_than_its_size() {
        // sealInfoSize 3 holds a PCR selection but no digests; encData follows.
        let bytes = [1, 1, 0, 0, 0, 0, 0, 3, 0, 1, 0x01, 0, 0, 0, 0];
        assert!(matches!(
            StoredData::from_bytes(&bytes),
            Err(MarshalError::Truncated { .. })
        ));
    }

    #[test]
    fn bound_data_payload_is_the_rest_of_the_input() {
        byte_picture!(
            BoundData,
            [
                0x01, 0x01, 0x00, 0x00, // ver 1.1.0.0
                0x02, // payload TPM_PT_BIND
                0x0a, 0x0b, 0x0c, // payloadData
            ],
            BoundData {
                ver: StructVer::V1_1,
                payload: PayloadType::TPM_PT_BIND,
                payload_data: vec![0x0a, 0x0b, 0x0c],
            }
        );
    }
}
