//! Part 2, 22: Direct Anonymous Attestation structures.

use crate::{Digest, Nonce, ResourceType, SizedBuffer, StructureTag};

tpm_struct! {
    /// Part 2, 22.3 TPM_DAA_ISSUER: digests of an issuer's public DAA parameters, and `q`
    /// itself.
    pub struct DaaIssuer = "TPM_DAA_ISSUER" [tag = StructureTag::TPM_TAG_DAA_ISSUER] {
        pub daa_digest_r0: Digest,
        pub daa_digest_r1: Digest,
        pub daa_digest_s0: Digest,
        pub daa_digest_s1: Digest,
        pub daa_digest_n: Digest,
        pub daa_digest_gamma: Digest,
        pub daa_generic_q: [u8; 26],
    }
}

tpm_struct! {
    /// Part 2, 22.4 TPM_DAA_TPM: the TPM-specific DAA parameters of one join, by digest.
    pub struct DaaTpm = "TPM_DAA_TPM" [tag = StructureTag::TPM_TAG_DAA_TPM] {
        pub daa_digest_issuer: Digest,
        pub daa_digest_v0: Digest,
        pub daa_digest_v1: Digest,
        pub daa_rekey: Digest,
        pub daa_count: u32,
    }
}

tpm_struct! {
    /// Part 2, 22.5 TPM_DAA_CONTEXT: the state of a DAA session between its stages
    /// (informative: it never leaves the TPM).
    pub struct DaaContext = "TPM_DAA_CONTEXT" [tag = StructureTag::TPM_TAG_DAA_CONTEXT] {
        pub daa_digest_context: Digest,
        pub daa_digest: Digest,
        /// TPM_DAA_CONTEXT_SEED.
        pub daa_context_seed: Nonce,
        pub daa_scratch: [u8; 256],
        pub daa_stage: u8,
    }
}

tpm_struct! {
    /// Part 2, 22.6 TPM_DAA_JOINDATA: the secrets that exist only during a join (no tag).
    pub struct DaaJoinData = "TPM_DAA_JOINDATA" {
        pub daa_join_u0: [u8; 128],
        pub daa_join_u1: [u8; 138],
        pub daa_digest_n0: Digest,
    }
}

tpm_struct! {
    /// Part 2, 22.8 TPM_DAA_BLOB: DAA parameters saved outside the TPM during a join,
    /// integrity-protected; `sensitive_data` holds an encrypted TPM_DAA_SENSITIVE.
    pub struct DaaBlob = "TPM_DAA_BLOB" [tag = StructureTag::TPM_TAG_DAA_BLOB] {
        pub resource_type: ResourceType,
        pub label: [u8; 16],
        pub blob_integrity: Digest,
        pub additional_data: SizedBuffer,
        pub sensitive_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 22.9 TPM_DAA_SENSITIVE: the plaintext of a DAA blob's sensitive area.
    pub struct DaaSensitive = "TPM_DAA_SENSITIVE" [tag = StructureTag::TPM_TAG_DAA_SENSITIVE] {
        pub internal_data: SizedBuffer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Marshal, MarshalError, Unmarshal};

    round_trip_tests! {
        daa_issuer_round_trips: DaaIssuer,
        daa_tpm_round_trips: DaaTpm,
        daa_context_round_trips: DaaContext,
        daa_join_data_round_trips: DaaJoinData,
        daa_blob_round_trips: DaaBlob,
        daa_sensitive_round_trips: DaaSensitive,
    }

    #[test]
    fn daa_join_data_is_untagged_and_296_bytes() {
        let join = DaaJoinData {
            daa_join_u0: [1; 128],
            daa_join_u1: [2; 138],
            daa_digest_n0: [3; 20],
        };
        let bytes = join.to_bytes().unwrap();
        assert_eq!(bytes.len(), 128 + 138 + 20);
        assert_eq!(bytes[0], 1);
        assert_eq!(DaaJoinData::from_bytes(&bytes).unwrap(), join);
    }

    #[test]
    fn daa_blob_byte_picture() {
        let mut bytes = vec![
            0x00, 0x2c, // tag = TPM_TAG_DAA_BLOB
            0x00, 0x00, 0x00, 0x09, // resourceType = TPM_RT_DAA_V0
        ];
        bytes.extend_from_slice(&[0x6c; 16]); // label
        bytes.extend_from_slice(&[0x99; 20]); // blobIntegrity
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x01, 0xaa, // additionalSize, additionalData
            0x00, 0x00, 0x00, 0x00, // sensitiveSize: empty
        ]);
        byte_picture!(
            DaaBlob,
            bytes,
            DaaBlob {
                resource_type: ResourceType::TPM_RT_DAA_V0,
                label: [0x6c; 16],
                blob_integrity: [0x99; 20],
                additional_data: SizedBuffer(vec![0xaa]),
                sensitive_data: SizedBuffer(vec![]),
            }
        );
    }

    #[test]
    fn rejects_truncated_daa_context_scratch() {
        let mut bytes = vec![0x00, 0x2d];
        bytes.extend_from_slice(&[0; 60 + 255]);
        assert_eq!(
            DaaContext::from_bytes(&bytes),
            Err(MarshalError::Truncated {
                what: "TPM_DAA_CONTEXT.daa_scratch"
            })
        );
    }

    #[test]
    fn rejects_daa_tpm_with_issuer_tag() {
        let mut bytes = vec![0x00, 0x2f];
        bytes.extend_from_slice(&[0; 84]);
        assert_eq!(
            DaaTpm::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_DAA_TPM",
                found: 0x2f
            })
        );
    }
}
