//! Part 2, 18: saved-context structures (TPM_SaveContext / TPM_LoadContext).

use crate::{Digest, Handle, Nonce, ResourceType, SizedBuffer, StructureTag};

tpm_struct! {
    /// Part 2, 18.1 TPM_CONTEXT_BLOB: a resource saved outside the TPM, integrity-protected
    /// by an HMAC keyed with tpmProof; `sensitive_data` holds an encrypted
    /// TPM_CONTEXT_SENSITIVE.
    pub struct ContextBlob = "TPM_CONTEXT_BLOB" [tag = StructureTag::TPM_TAG_CONTEXTBLOB] {
        pub resource_type: ResourceType,
        /// The handle the resource had when it was saved.
        pub handle: Handle,
        pub label: [u8; 16],
        pub context_count: u32,
        pub integrity_digest: Digest,
        pub additional_data: SizedBuffer,
        pub sensitive_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 18.2 TPM_CONTEXT_SENSITIVE: the plaintext of a context blob's sensitive area
    /// (informative: the TPM decides what `internal_data` holds).
    pub struct ContextSensitive = "TPM_CONTEXT_SENSITIVE" [tag = StructureTag::TPM_TAG_CONTEXT_SENSITIVE] {
        pub context_nonce: Nonce,
        pub internal_data: SizedBuffer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Marshal, MarshalError, Unmarshal};

    round_trip_tests! {
        context_blob_round_trips: ContextBlob,
        context_sensitive_round_trips: ContextSensitive,
    }

    fn session_blob() -> ContextBlob {
        ContextBlob {
            resource_type: ResourceType::TPM_RT_AUTH,
            handle: 0x0200_0001,
            label: *b"saved session\0\0\0",
            context_count: 7,
            integrity_digest: [0x11; 20],
            additional_data: SizedBuffer(vec![]),
            sensitive_data: SizedBuffer(vec![0xc0, 0xde]),
        }
    }

    #[test]
    fn context_blob_byte_picture() {
        let mut bytes = vec![
            0x00, 0x01, // tag = TPM_TAG_CONTEXTBLOB
            0x00, 0x00, 0x00, 0x02, // resourceType = TPM_RT_AUTH
            0x02, 0x00, 0x00, 0x01, // handle
        ];
        bytes.extend_from_slice(b"saved session\0\0\0"); // label[16]
        bytes.extend_from_slice(&[0x00, 0x00, 0x00, 0x07]); // contextCount
        bytes.extend_from_slice(&[0x11; 20]); // integrityDigest
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x00, // additionalSize: no additional data
            0x00, 0x00, 0x00, 0x02, // sensitiveSize
            0xc0, 0xde, // sensitiveData
        ]);
        byte_picture!(ContextBlob, bytes, session_blob());
    }

    #[test]
    fn rejects_context_blob_sensitive_size_beyond_input() {
        let mut bytes = session_blob().to_bytes().unwrap();
        let sensitive_size = bytes.len() - 6;
        bytes[sensitive_size + 3] = 3;
        assert!(matches!(
            ContextBlob::from_bytes(&bytes),
            Err(MarshalError::TooLarge { size: 3, .. })
        ));
    }

    #[test]
    fn rejects_context_sensitive_with_context_blob_tag() {
        let mut bytes = vec![0x00, 0x01];
        bytes.extend_from_slice(&[0; 24]);
        assert_eq!(
            ContextSensitive::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_CONTEXT_SENSITIVE",
                found: 1
            })
        );
    }
}
