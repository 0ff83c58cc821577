//! Part 3, 24 Transport sessions: establishing one, wrapping commands in it, and closing
//! it with a signed log digest.

use crate::{CurrentTicks, Handle, Nonce, SizedBuffer, TransportPublic};

tpm_struct! {
    /// Part 3, 24.1 TPM_EstablishTransport incoming parameters.
    pub struct EstablishTransportIn = "TPM_EstablishTransport in" {
        /// `encHandle`: the key that decrypts `secret`, or TPM_KH_TRANSPORT when the
        /// session does not encrypt.
        pub enc_handle: Handle,
        /// `transPublic`: the session's attributes, algorithm and scheme.
        pub trans_public: TransportPublic,
        /// `secretSize` and `secret`: the session's auth value (a TPM_TRANSPORT_AUTH
        /// encrypted to `enc_handle`, or in the clear).
        pub secret: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 24.1 TPM_EstablishTransport outgoing parameters.
    pub struct EstablishTransportOut = "TPM_EstablishTransport out" {
        /// `transHandle` (TPM_TRANSHANDLE, an output handle).
        pub trans_handle: Handle,
        /// `locality` (TPM_MODIFIER_INDICATOR): the locality that established it.
        pub locality: u32,
        /// `currentTicks`: the tick counter at the start of the session.
        pub current_ticks: CurrentTicks,
        /// `transNonceEven`: the session's first even nonce.
        pub trans_nonce_even: Nonce,
    }
}

command!(
    /// Part 3, 24.1 TPM_EstablishTransport: opens a transport session.
    EstablishTransport = TPM_ORD_EstablishTransport, EstablishTransportIn, 1, EstablishTransportOut, 1
);

tpm_struct! {
    /// Part 3, 24.2 TPM_ExecuteTransport incoming parameters.
    pub struct ExecuteTransportIn = "TPM_ExecuteTransport in" {
        /// `wrappedCmdSize` and `wrappedCmd`: a whole inner command, header included,
        /// with its parameters encrypted when the session encrypts.
        pub wrapped_cmd: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 24.2 TPM_ExecuteTransport outgoing parameters.
    pub struct ExecuteTransportOut = "TPM_ExecuteTransport out" {
        /// `currentTicks` (UINT64): the tick counter after the inner command.
        pub current_ticks: u64,
        /// `locality` (TPM_MODIFIER_INDICATOR): the locality of the command.
        pub locality: u32,
        /// `wrappedRspSize` and `wrappedRsp`: the inner command's whole response.
        pub wrapped_rsp: SizedBuffer,
    }
}

command!(
    /// Part 3, 24.2 TPM_ExecuteTransport: runs one command inside a transport session.
    ExecuteTransport = TPM_ORD_ExecuteTransport, ExecuteTransportIn, 0, ExecuteTransportOut, 0
);

tpm_struct! {
    /// Part 3, 24.3 TPM_ReleaseTransportSigned incoming parameters.
    pub struct ReleaseTransportSignedIn = "TPM_ReleaseTransportSigned in" {
        /// `keyHandle`: the key that signs the session's digest.
        pub key_handle: Handle,
        /// `antiReplay`: a nonce that goes into the signed TPM_SIGN_INFO.
        pub anti_replay: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 24.3 TPM_ReleaseTransportSigned outgoing parameters.
    pub struct ReleaseTransportSignedOut = "TPM_ReleaseTransportSigned out" {
        /// `locality` (TPM_MODIFIER_INDICATOR): the locality of the command.
        pub locality: u32,
        /// `currentTicks`: the tick counter when the session closed.
        pub current_ticks: CurrentTicks,
        /// `signSize` and `signature`: the signature over a TPM_SIGN_INFO ("TRAN") of the
        /// session's digest.
        pub signature: SizedBuffer,
    }
}

command!(
    /// Part 3, 24.3 TPM_ReleaseTransportSigned: closes a logging transport session and
    /// signs its digest.
    ReleaseTransportSigned = TPM_ORD_ReleaseTransportSigned, ReleaseTransportSignedIn, 1, ReleaseTransportSignedOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AlgorithmId, EncScheme, KeyHandle, MarshalError, TransportAttributes, Unmarshal};

    round_trip_tests! {
        establish_transport_in_round_trips: EstablishTransportIn,
        establish_transport_out_round_trips: EstablishTransportOut,
        execute_transport_in_round_trips: ExecuteTransportIn,
        execute_transport_out_round_trips: ExecuteTransportOut,
        release_transport_signed_in_round_trips: ReleaseTransportSignedIn,
        release_transport_signed_out_round_trips: ReleaseTransportSignedOut,
    }

    #[test]
    fn establish_transport_in_byte_picture() {
        byte_picture!(
            EstablishTransportIn,
            [
                0x40, 0x00, 0x00, 0x03, // encHandle = TPM_KH_TRANSPORT
                0x00, 0x1e, // transPublic.tag = TPM_TAG_TRANSPORT_PUBLIC
                0x00, 0x00, 0x00, 0x04, // transPublic.transAttributes = EXCLUSIVE
                0x00, 0x00, 0x00, 0x0a, // transPublic.algId = TPM_ALG_XOR
                0x00, 0x01, // transPublic.encScheme = TPM_ES_NONE
                0x00, 0x00, 0x00, 0x03, // secretSize
                0x73, 0x65, 0x63, // secret
            ],
            EstablishTransportIn {
                enc_handle: KeyHandle::TPM_KH_TRANSPORT.0,
                trans_public: TransportPublic {
                    trans_attributes: TransportAttributes(4),
                    alg_id: AlgorithmId::TPM_ALG_XOR,
                    enc_scheme: EncScheme::TPM_ES_NONE,
                },
                secret: SizedBuffer(b"sec".to_vec()),
            }
        );
    }

    #[test]
    fn execute_transport_out_byte_picture() {
        byte_picture!(
            ExecuteTransportOut,
            [
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, // currentTicks
                0x00, 0x00, 0x00, 0x00, // locality
                0x00, 0x00, 0x00, 0x0a, // wrappedRspSize
                0x00, 0xc4, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, // wrappedRsp
            ],
            ExecuteTransportOut {
                current_ticks: 0x100,
                locality: 0,
                wrapped_rsp: SizedBuffer(vec![0x00, 0xc4, 0, 0, 0, 0x0a, 0, 0, 0, 0]),
            }
        );
    }

    #[test]
    fn rejects_execute_transport_with_wrapped_command_beyond_input() {
        assert!(matches!(
            ExecuteTransportIn::from_bytes(&[0, 0, 0, 0x0a, 0x00, 0xc1]),
            Err(MarshalError::TooLarge { size: 10, .. })
        ));
    }
}
