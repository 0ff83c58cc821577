//! Part 3, 14 Endorsement Key Handling.

use crate::{Digest, Handle, KeyParms, Nonce, Pubkey};

tpm_struct! {
    /// Part 3, 14.1 TPM_CreateEndorsementKeyPair incoming parameters.
    pub struct CreateEndorsementKeyPairIn = "TPM_CreateEndorsementKeyPair in" {
        /// `antiReplay`.
        pub anti_replay: Nonce,
        /// `keyInfo`: the algorithm and parameters of the EK.
        pub key_info: KeyParms,
    }
}

tpm_struct! {
    /// Part 3, 14.1 TPM_CreateEndorsementKeyPair outgoing parameters.
    pub struct CreateEndorsementKeyPairOut = "TPM_CreateEndorsementKeyPair out" {
        /// `pubEndorsementKey`.
        pub pub_endorsement_key: Pubkey,
        /// `checksum`: SHA-1 of `pubEndorsementKey` and `antiReplay`.
        pub checksum: Digest,
    }
}

command!(
    /// Part 3, 14.1 TPM_CreateEndorsementKeyPair: generates the endorsement key.
    CreateEndorsementKeyPair = TPM_ORD_CreateEndorsementKeyPair, CreateEndorsementKeyPairIn, 0, CreateEndorsementKeyPairOut, 0
);

tpm_struct! {
    /// Part 3, 14.2 TPM_CreateRevocableEK incoming parameters.
    pub struct CreateRevocableEkIn = "TPM_CreateRevocableEK in" {
        /// `antiReplay`.
        pub anti_replay: Nonce,
        /// `keyInfo`: the algorithm and parameters of the EK.
        pub key_info: KeyParms,
        /// `generateReset`: TRUE to let the TPM generate the EK reset value.
        pub generate_reset: bool,
        /// `inputEKreset`: the EK reset value when `generateReset` is FALSE.
        pub input_ek_reset: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 14.2 TPM_CreateRevocableEK outgoing parameters.
    pub struct CreateRevocableEkOut = "TPM_CreateRevocableEK out" {
        /// `pubEndorsementKey`.
        pub pub_endorsement_key: Pubkey,
        /// `checksum`: SHA-1 of `pubEndorsementKey` and `antiReplay`.
        pub checksum: Digest,
        /// `outputEKreset`: the EK reset value TPM_RevokeTrust needs.
        pub output_ek_reset: Nonce,
    }
}

command!(
    /// Part 3, 14.2 TPM_CreateRevocableEK: generates an endorsement key that
    /// TPM_RevokeTrust can remove.
    CreateRevocableEk = TPM_ORD_CreateRevocableEK, CreateRevocableEkIn, 0, CreateRevocableEkOut, 0
);

tpm_struct! {
    /// Part 3, 14.3 TPM_RevokeTrust incoming parameters.
    pub struct RevokeTrustIn = "TPM_RevokeTrust in" {
        /// `EKReset`: the value TPM_CreateRevocableEK returned.
        pub ek_reset: Nonce,
    }
}

command!(
    /// Part 3, 14.3 TPM_RevokeTrust: clears a revocable EK (physical presence required).
    RevokeTrust = TPM_ORD_RevokeTrust, RevokeTrustIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 14.4 TPM_ReadPubek incoming parameters.
    pub struct ReadPubekIn = "TPM_ReadPubek in" {
        /// `antiReplay`.
        pub anti_replay: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 14.4 TPM_ReadPubek outgoing parameters.
    pub struct ReadPubekOut = "TPM_ReadPubek out" {
        /// `pubEndorsementKey`.
        pub pub_endorsement_key: Pubkey,
        /// `checksum`: SHA-1 of `pubEndorsementKey` and `antiReplay`.
        pub checksum: Digest,
    }
}

command!(
    /// Part 3, 14.4 TPM_ReadPubek: reads the public EK while readPubek allows it.
    ReadPubek = TPM_ORD_ReadPubek, ReadPubekIn, 0, ReadPubekOut, 0
);

tpm_struct! {
    /// Part 3, 14.5 TPM_OwnerReadInternalPub incoming parameters.
    pub struct OwnerReadInternalPubIn = "TPM_OwnerReadInternalPub in" {
        /// `keyHandle`: TPM_KH_EK or TPM_KH_SRK. A parameter, not a handle: it is part of
        /// the inParamDigest.
        pub key_handle: Handle,
    }
}

tpm_struct! {
    /// Part 3, 14.5 TPM_OwnerReadInternalPub outgoing parameters.
    pub struct OwnerReadInternalPubOut = "TPM_OwnerReadInternalPub out" {
        /// `publicPortion`.
        pub public_portion: Pubkey,
    }
}

command!(
    /// Part 3, 14.5 TPM_OwnerReadInternalPub: the owner reads the public EK or SRK.
    OwnerReadInternalPub = TPM_ORD_OwnerReadInternalPub, OwnerReadInternalPubIn, 0, OwnerReadInternalPubOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AlgorithmId, Command, EncScheme, KeyHandle, KeyParmsDetail, RsaKeyParms, SigScheme,
        SizedBuffer, StorePubkey,
    };

    round_trip_tests! {
        create_endorsement_key_pair_in_round_trips: CreateEndorsementKeyPairIn,
        create_endorsement_key_pair_out_round_trips: CreateEndorsementKeyPairOut,
        create_revocable_ek_in_round_trips: CreateRevocableEkIn,
        create_revocable_ek_out_round_trips: CreateRevocableEkOut,
        revoke_trust_in_round_trips: RevokeTrustIn,
        read_pubek_in_round_trips: ReadPubekIn,
        read_pubek_out_round_trips: ReadPubekOut,
        owner_read_internal_pub_in_round_trips: OwnerReadInternalPubIn,
        owner_read_internal_pub_out_round_trips: OwnerReadInternalPubOut,
    }

    #[test]
    fn read_pubek_out_byte_picture() {
        let mut bytes = vec![
            0x00, 0x00, 0x00,
            0x01, // pubEndorsementKey.algorithmParms.algorithmID TPM_ALG_RSA
            0x00, 0x03, // encScheme TPM_ES_RSAESOAEP_SHA1_MGF1
            0x00, 0x01, // sigScheme TPM_SS_NONE
            0x00, 0x00, 0x00, 0x0c, // parmSize 12
            0x00, 0x00, 0x08, 0x00, // parms.keyLength 2048
            0x00, 0x00, 0x00, 0x02, // parms.numPrimes 2
            0x00, 0x00, 0x00, 0x00, // parms.exponentSize 0
            0x00, 0x00, 0x00, 0x02, // pubEndorsementKey.pubKey.keyLength
            0xc1, 0xc2, // pubEndorsementKey.pubKey.key
        ];
        bytes.extend_from_slice(&[0xcc; 20]); // checksum
        byte_picture!(
            ReadPubekOut,
            bytes,
            ReadPubekOut {
                pub_endorsement_key: Pubkey {
                    algorithm_parms: KeyParms {
                        algorithm_id: AlgorithmId::TPM_ALG_RSA,
                        enc_scheme: EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
                        sig_scheme: SigScheme::TPM_SS_NONE,
                        parms: KeyParmsDetail::Rsa(RsaKeyParms {
                            key_length: 2048,
                            num_primes: 2,
                            exponent: SizedBuffer::default(),
                        }),
                    },
                    pub_key: StorePubkey {
                        key: SizedBuffer(vec![0xc1, 0xc2]),
                    },
                },
                checksum: [0xcc; 20],
            }
        );
    }

    #[test]
    fn owner_read_internal_pub_key_handle_is_a_hashed_parameter() {
        byte_picture!(
            OwnerReadInternalPubIn,
            [0x40, 0x00, 0x00, 0x06], // keyHandle TPM_KH_EK
            OwnerReadInternalPubIn {
                key_handle: KeyHandle::TPM_KH_EK.0
            }
        );
        assert_eq!(OwnerReadInternalPub::IN_HANDLES, 0);
    }
}
