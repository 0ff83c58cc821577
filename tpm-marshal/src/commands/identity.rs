//! Part 3, 15 Identity creation and activation.

use crate::{AuthData, ChosenIdHash, Handle, KeyBlob, SizedBuffer, SymmetricKey};

tpm_struct! {
    /// Part 3, 15.1 TPM_MakeIdentity incoming parameters.
    pub struct MakeIdentityIn = "TPM_MakeIdentity in" {
        /// `identityAuth`: the encrypted usage authorization of the new identity key.
        pub identity_auth: AuthData,
        /// `labelPrivCADigest`: digest of the identity label and the chosen privacy CA.
        pub label_priv_ca_digest: ChosenIdHash,
        /// `idKeyParams`: the identity key's parameters (TPM_KEY or TPM_KEY12).
        pub id_key_params: KeyBlob,
    }
}

tpm_struct! {
    /// Part 3, 15.1 TPM_MakeIdentity outgoing parameters.
    pub struct MakeIdentityOut = "TPM_MakeIdentity out" {
        /// `idKey`: the new identity key, wrapped by the SRK.
        pub id_key: KeyBlob,
        /// `identityBindingSize` and `identityBinding`: the signature over the
        /// TPM_IDENTITY_CONTENTS.
        pub identity_binding: SizedBuffer,
    }
}

command!(
    /// Part 3, 15.1 TPM_MakeIdentity: generates an attestation identity key (SRK and owner
    /// authorized).
    MakeIdentity = TPM_ORD_MakeIdentity, MakeIdentityIn, 0, MakeIdentityOut, 0
);

tpm_struct! {
    /// Part 3, 15.2 TPM_ActivateIdentity incoming parameters.
    pub struct ActivateIdentityIn = "TPM_ActivateIdentity in" {
        /// `idKeyHandle`: the identity key.
        pub id_key_handle: Handle,
        /// `blobSize` and `blob`: the privacy CA's answer encrypted to the EK.
        pub blob: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 15.2 TPM_ActivateIdentity outgoing parameters.
    pub struct ActivateIdentityOut = "TPM_ActivateIdentity out" {
        /// `symmetricKey`: the session key that decrypts the identity credential.
        pub symmetric_key: SymmetricKey,
    }
}

command!(
    /// Part 3, 15.2 TPM_ActivateIdentity: recovers the credential key for an identity
    /// (identity key and owner authorized).
    ActivateIdentity = TPM_ORD_ActivateIdentity, ActivateIdentityIn, 1, ActivateIdentityOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AlgorithmId, EncScheme, SizedBuffer16};

    round_trip_tests! {
        make_identity_in_round_trips: MakeIdentityIn,
        make_identity_out_round_trips: MakeIdentityOut,
        activate_identity_in_round_trips: ActivateIdentityIn,
        activate_identity_out_round_trips: ActivateIdentityOut,
    }

    #[test]
    fn activate_identity_out_byte_picture() {
        byte_picture!(
            ActivateIdentityOut,
            [
                0x00, 0x00, 0x00, 0x06, // symmetricKey.algId TPM_ALG_AES128
                0x00, 0xff, // symmetricKey.encScheme TPM_ES_SYM_CBC_PKCS5PAD
                0x00, 0x02, // symmetricKey.size
                0x4b, 0x31, // symmetricKey.data
            ],
            ActivateIdentityOut {
                symmetric_key: SymmetricKey {
                    alg_id: AlgorithmId::TPM_ALG_AES,
                    enc_scheme: EncScheme::TPM_ES_SYM_CBC_PKCS5PAD,
                    data: SizedBuffer16(vec![0x4b, 0x31]),
                },
            }
        );
    }
}
