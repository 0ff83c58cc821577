//! Part 2, 13: transport session structures.

use crate::{
    AlgorithmId, AuthData, CurrentTicks, Digest, EncScheme, Handle, Nonce, StructureTag,
    TransportAttributes,
};

tpm_struct! {
    /// Part 2, 13.1 TPM_TRANSPORT_PUBLIC: a transport session's attributes and, when it
    /// encrypts, its algorithm and scheme.
    pub struct TransportPublic = "TPM_TRANSPORT_PUBLIC" [tag = StructureTag::TPM_TAG_TRANSPORT_PUBLIC] {
        pub trans_attributes: TransportAttributes,
        pub alg_id: AlgorithmId,
        pub enc_scheme: EncScheme,
    }
}

tpm_struct! {
    /// Part 2, 13.2 TPM_TRANSPORT_INTERNAL: the TPM's own record of a transport session
    /// (what TPM_SaveContext protects for TPM_RT_TRANS).
    pub struct TransportInternal = "TPM_TRANSPORT_INTERNAL" [tag = StructureTag::TPM_TAG_TRANSPORT_INTERNAL] {
        pub auth_data: AuthData,
        pub trans_public: TransportPublic,
        pub trans_handle: Handle,
        pub trans_nonce_even: Nonce,
        pub trans_digest: Digest,
    }
}

tpm_struct! {
    /// Part 2, 13.3 TPM_TRANSPORT_LOG_IN: one wrapped command as it is extended into the
    /// transport digest.
    pub struct TransportLogIn = "TPM_TRANSPORT_LOG_IN" [tag = StructureTag::TPM_TAG_TRANSPORT_LOG_IN] {
        pub parameters: Digest,
        pub pub_key_hash: Digest,
    }
}

tpm_struct! {
    /// Part 2, 13.4 TPM_TRANSPORT_LOG_OUT: one wrapped response, with the tick count and
    /// locality, as it is extended into the transport digest.
    pub struct TransportLogOut = "TPM_TRANSPORT_LOG_OUT" [tag = StructureTag::TPM_TAG_TRANSPORT_LOG_OUT] {
        pub current_ticks: CurrentTicks,
        pub parameters: Digest,
        /// TPM_MODIFIER_INDICATOR: the locality of the command.
        pub locality: u32,
    }
}

tpm_struct! {
    /// Part 2, 13.5 TPM_TRANSPORT_AUTH: the transport session's auth value as encrypted to
    /// the key given to TPM_EstablishTransport.
    pub struct TransportAuth = "TPM_TRANSPORT_AUTH" [tag = StructureTag::TPM_TAG_TRANSPORT_AUTH] {
        pub auth_data: AuthData,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        transport_public_round_trips: TransportPublic,
        transport_internal_round_trips: TransportInternal,
        transport_log_in_round_trips: TransportLogIn,
        transport_log_out_round_trips: TransportLogOut,
        transport_auth_round_trips: TransportAuth,
    }

    #[test]
    fn transport_public_byte_picture() {
        byte_picture!(
            TransportPublic,
            [
                0x00, 0x1e, // tag = TPM_TAG_TRANSPORT_PUBLIC
                0x00, 0x00, 0x00, 0x03, // transAttributes = ENCRYPT | LOG
                0x00, 0x00, 0x00, 0x0a, // algId = TPM_ALG_XOR
                0x00, 0x01, // encScheme = TPM_ES_NONE
            ],
            TransportPublic {
                trans_attributes: TransportAttributes(3),
                alg_id: AlgorithmId::TPM_ALG_XOR,
                enc_scheme: EncScheme::TPM_ES_NONE,
            }
        );
    }

    #[test]
    fn transport_log_out_byte_picture() {
        let mut bytes = vec![
            0x00, 0x11, // tag = TPM_TAG_TRANSPORT_LOG_OUT
            0x00, 0x14, // currentTicks.tag = TPM_TAG_CURRENT_TICKS
            0, 0, 0, 0, 0, 0, 0, 0x10, // currentTicks.currentTicks
            0x00, 0x01, // currentTicks.tickRate
        ];
        bytes.extend_from_slice(&[0x22; 20]); // currentTicks.tickNonce
        bytes.extend_from_slice(&[0x33; 20]); // parameters
        bytes.extend_from_slice(&[0x00, 0x00, 0x00, 0x02]); // locality
        byte_picture!(
            TransportLogOut,
            bytes,
            TransportLogOut {
                current_ticks: CurrentTicks {
                    current_ticks: 0x10,
                    tick_rate: 1,
                    tick_nonce: [0x22; 20],
                },
                parameters: [0x33; 20],
                locality: 2,
            }
        );
    }

    #[test]
    fn rejects_transport_log_out_with_bad_ticks_tag() {
        let mut bytes = vec![0x00, 0x11, 0x00, 0x15];
        bytes.extend_from_slice(&[0; 54]);
        assert_eq!(
            TransportLogOut::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_CURRENT_TICKS",
                found: 0x15
            })
        );
    }

    #[test]
    fn rejects_truncated_transport_auth() {
        assert_eq!(
            TransportAuth::from_bytes(&[0x00, 0x1d, 0, 0, 0]),
            Err(MarshalError::Truncated {
                what: "TPM_TRANSPORT_AUTH.auth_data"
            })
        );
    }
}
