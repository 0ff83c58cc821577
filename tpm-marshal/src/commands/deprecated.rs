//! Part 3, 27 Deprecated commands (1.1 commands that 1.2 TPMs still run).
//!
//! The 1.1 context commands carry their blobs as plain bytes (`BYTE[]` in Part 3): what is
//! inside is the TPM's own business.

use crate::{
    CertifyInfo, Digest, EntityType, Handle, KeyBlob, KeyParms, Nonce, Pubkey, SizedBuffer,
};

tpm_struct! {
    /// Part 3, 27.1.1 TPM_EvictKey incoming parameters.
    pub struct EvictKeyIn = "TPM_EvictKey in" {
        /// `evictHandle`: the key to evict.
        pub evict_handle: Handle,
    }
}

command!(
    /// Part 3, 27.1.1 TPM_EvictKey: flushes a key (TPM_FlushSpecific with TPM_RT_KEY).
    EvictKey = TPM_ORD_EvictKey, EvictKeyIn, 1, (), 0
);

tpm_struct! {
    /// Part 3, 27.1.2 TPM_Terminate_Handle incoming parameters.
    pub struct TerminateHandleIn = "TPM_Terminate_Handle in" {
        /// `handle`: the authorization session to terminate.
        pub handle: Handle,
    }
}

command!(
    /// Part 3, 27.1.2 TPM_Terminate_Handle: ends an authorization session
    /// (TPM_FlushSpecific with TPM_RT_AUTH).
    TerminateHandle = TPM_ORD_Terminate_Handle, TerminateHandleIn, 1, (), 0
);

tpm_struct! {
    /// Part 3, 27.2.1 TPM_SaveKeyContext incoming parameters.
    pub struct SaveKeyContextIn = "TPM_SaveKeyContext in" {
        /// `keyHandle`: the key to save.
        pub key_handle: Handle,
    }
}

tpm_struct! {
    /// Part 3, 27.2.1 TPM_SaveKeyContext outgoing parameters.
    pub struct SaveKeyContextOut = "TPM_SaveKeyContext out" {
        /// `keyContextSize` and `keyContextBlob`.
        pub key_context_blob: SizedBuffer,
    }
}

command!(
    /// Part 3, 27.2.1 TPM_SaveKeyContext: saves a loaded key outside the TPM.
    SaveKeyContext = TPM_ORD_SaveKeyContext, SaveKeyContextIn, 1, SaveKeyContextOut, 0
);

tpm_struct! {
    /// Part 3, 27.2.2 TPM_LoadKeyContext incoming parameters.
    pub struct LoadKeyContextIn = "TPM_LoadKeyContext in" {
        /// `keyContextSize` and `keyContextBlob`.
        pub key_context_blob: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 27.2.2 TPM_LoadKeyContext outgoing parameters.
    pub struct LoadKeyContextOut = "TPM_LoadKeyContext out" {
        /// `keyHandle`: the handle of the reloaded key.
        pub key_handle: Handle,
    }
}

command!(
    /// Part 3, 27.2.2 TPM_LoadKeyContext: reloads a key saved by TPM_SaveKeyContext.
    LoadKeyContext = TPM_ORD_LoadKeyContext, LoadKeyContextIn, 0, LoadKeyContextOut, 1
);

tpm_struct! {
    /// Part 3, 27.2.3 TPM_SaveAuthContext incoming parameters.
    pub struct SaveAuthContextIn = "TPM_SaveAuthContext in" {
        /// `authHandle`: the session to save.
        pub auth_handle: Handle,
    }
}

tpm_struct! {
    /// Part 3, 27.2.3 TPM_SaveAuthContext outgoing parameters.
    pub struct SaveAuthContextOut = "TPM_SaveAuthContext out" {
        /// `authContextSize` and `authContextBlob`.
        pub auth_context_blob: SizedBuffer,
    }
}

command!(
    /// Part 3, 27.2.3 TPM_SaveAuthContext: saves an authorization session outside the TPM.
    SaveAuthContext = TPM_ORD_SaveAuthContext, SaveAuthContextIn, 1, SaveAuthContextOut, 0
);

tpm_struct! {
    /// Part 3, 27.2.4 TPM_LoadAuthContext incoming parameters.
    pub struct LoadAuthContextIn = "TPM_LoadAuthContext in" {
        /// `authContextSize` and `authContextBlob`.
        pub auth_context_blob: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 27.2.4 TPM_LoadAuthContext outgoing parameters.
    pub struct LoadAuthContextOut = "TPM_LoadAuthContext out" {
        /// `authHandle`: the handle of the reloaded session.
        pub auth_handle: Handle,
    }
}

command!(
    /// Part 3, 27.2.4 TPM_LoadAuthContext: reloads a session saved by
    /// TPM_SaveAuthContext.
    LoadAuthContext = TPM_ORD_LoadAuthContext, LoadAuthContextIn, 0, LoadAuthContextOut, 1
);

tpm_struct! {
    /// Part 3, 27.3.1 TPM_DirWriteAuth incoming parameters.
    pub struct DirWriteAuthIn = "TPM_DirWriteAuth in" {
        /// `dirIndex`: the DIR to write (only 0 exists).
        pub dir_index: u32,
        /// `newContents`.
        pub new_contents: Digest,
    }
}

command!(
    /// Part 3, 27.3.1 TPM_DirWriteAuth: writes a data integrity register (owner
    /// authorized).
    DirWriteAuth = TPM_ORD_DirWriteAuth, DirWriteAuthIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 27.3.2 TPM_DirRead incoming parameters.
    pub struct DirReadIn = "TPM_DirRead in" {
        /// `dirIndex`: the DIR to read.
        pub dir_index: u32,
    }
}

tpm_struct! {
    /// Part 3, 27.3.2 TPM_DirRead outgoing parameters.
    pub struct DirReadOut = "TPM_DirRead out" {
        /// `dirContents`.
        pub dir_contents: Digest,
    }
}

command!(
    /// Part 3, 27.3.2 TPM_DirRead: reads a data integrity register.
    DirRead = TPM_ORD_DirRead, DirReadIn, 0, DirReadOut, 0
);

tpm_struct! {
    /// Part 3, 27.4.1 TPM_ChangeAuthAsymStart incoming parameters.
    pub struct ChangeAuthAsymStartIn = "TPM_ChangeAuthAsymStart in" {
        /// `idHandle`: the identity key that certifies the ephemeral key.
        pub id_handle: Handle,
        /// `antiReplay`.
        pub anti_replay: Nonce,
        /// `tempKey`: the parameters of the ephemeral key (TPM_KEY_PARMS).
        pub temp_key: KeyParms,
    }
}

tpm_struct! {
    /// Part 3, 27.4.1 TPM_ChangeAuthAsymStart outgoing parameters.
    pub struct ChangeAuthAsymStartOut = "TPM_ChangeAuthAsymStart out" {
        /// `certifyInfo`: the certification of the ephemeral key.
        pub certify_info: CertifyInfo,
        /// `sigSize` and `sig`: the identity key's signature over `certifyInfo`.
        pub sig: SizedBuffer,
        /// `ephHandle`: the ephemeral key's handle. A parameter, not a handle: it sits
        /// between parameters and is part of the outParamDigest.
        pub eph_handle: Handle,
        /// `tempKey`: the ephemeral key's public part (TPM_KEY without encData).
        pub temp_key: KeyBlob,
    }
}

command!(
    /// Part 3, 27.4.1 TPM_ChangeAuthAsymStart: creates an ephemeral key for
    /// TPM_ChangeAuthAsymFinish.
    ChangeAuthAsymStart = TPM_ORD_ChangeAuthAsymStart, ChangeAuthAsymStartIn, 1, ChangeAuthAsymStartOut, 0
);

tpm_struct! {
    /// Part 3, 27.4.2 TPM_ChangeAuthAsymFinish incoming parameters.
    pub struct ChangeAuthAsymFinishIn = "TPM_ChangeAuthAsymFinish in" {
        /// `parentHandle`: the key that wraps the entity.
        pub parent_handle: Handle,
        /// `ephHandle`: the ephemeral key from TPM_ChangeAuthAsymStart.
        pub eph_handle: Handle,
        /// `entityType`: TPM_ET_KEY or TPM_ET_DATA.
        pub entity_type: EntityType,
        /// `newAuthLink`: HMAC linking the new authorization to the old.
        pub new_auth_link: Digest,
        /// `newAuthSize` and `encNewAuth`: the new authorization encrypted to the ephemeral
        /// key.
        pub enc_new_auth: SizedBuffer,
        /// `encDataSize` and `encData`: the entity's encData.
        pub enc_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 27.4.2 TPM_ChangeAuthAsymFinish outgoing parameters.
    pub struct ChangeAuthAsymFinishOut = "TPM_ChangeAuthAsymFinish out" {
        /// `outDataSize` and `outData`: the encData with the new authorization.
        pub out_data: SizedBuffer,
        /// `saltNonce`.
        pub salt_nonce: Nonce,
        /// `changeProof`: proof that the authorization changed.
        pub change_proof: Digest,
    }
}

command!(
    /// Part 3, 27.4.2 TPM_ChangeAuthAsymFinish: changes an entity's authorization through
    /// the ephemeral key (parent authorized).
    ChangeAuthAsymFinish = TPM_ORD_ChangeAuthAsymFinish, ChangeAuthAsymFinishIn, 2, ChangeAuthAsymFinishOut, 0
);

command!(
    /// Part 3, 27.5 TPM_Reset: flushes every authorization session, no parameters either
    /// way.
    Reset = TPM_ORD_Reset, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 27.6 TPM_OwnerReadPubek outgoing parameters.
    pub struct OwnerReadPubekOut = "TPM_OwnerReadPubek out" {
        /// `pubEndorsementKey`.
        pub pub_endorsement_key: Pubkey,
    }
}

command!(
    /// Part 3, 27.6 TPM_OwnerReadPubek: the owner reads the public EK.
    OwnerReadPubek = TPM_ORD_OwnerReadPubek, (), 0, OwnerReadPubekOut, 0
);

command!(
    /// Part 3, 27.7 TPM_DisablePubekRead: clears readPubek (owner authorized), no
    /// parameters either way.
    DisablePubekRead = TPM_ORD_DisablePubekRead, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 27.8 TPM_LoadKey incoming parameters.
    pub struct LoadKeyIn = "TPM_LoadKey in" {
        /// `parentHandle`: the storage key that wraps `inKey`.
        pub parent_handle: Handle,
        /// `inKey`: the key blob (TPM_KEY or TPM_KEY12).
        pub in_key: KeyBlob,
    }
}

tpm_struct! {
    /// Part 3, 27.8 TPM_LoadKey outgoing parameters.
    pub struct LoadKeyOut = "TPM_LoadKey out" {
        /// `inkeyHandle`: the handle of the loaded key. A parameter here, part of the
        /// outParamDigest (TPM_LoadKey2 exists to take it out).
        pub inkey_handle: Handle,
    }
}

command!(
    /// Part 3, 27.8 TPM_LoadKey: loads a wrapped key (1.1 form of TPM_LoadKey2).
    LoadKey = TPM_ORD_LoadKey, LoadKeyIn, 1, LoadKeyOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::storage::LoadKey2;
    use crate::Command;

    round_trip_tests! {
        evict_key_in_round_trips: EvictKeyIn,
        terminate_handle_in_round_trips: TerminateHandleIn,
        save_key_context_in_round_trips: SaveKeyContextIn,
        save_key_context_out_round_trips: SaveKeyContextOut,
        load_key_context_in_round_trips: LoadKeyContextIn,
        load_key_context_out_round_trips: LoadKeyContextOut,
        save_auth_context_in_round_trips: SaveAuthContextIn,
        save_auth_context_out_round_trips: SaveAuthContextOut,
        load_auth_context_in_round_trips: LoadAuthContextIn,
        load_auth_context_out_round_trips: LoadAuthContextOut,
        dir_write_auth_in_round_trips: DirWriteAuthIn,
        dir_read_in_round_trips: DirReadIn,
        dir_read_out_round_trips: DirReadOut,
        change_auth_asym_start_in_round_trips: ChangeAuthAsymStartIn,
        change_auth_asym_start_out_round_trips: ChangeAuthAsymStartOut,
        change_auth_asym_finish_in_round_trips: ChangeAuthAsymFinishIn,
        change_auth_asym_finish_out_round_trips: ChangeAuthAsymFinishOut,
        owner_read_pubek_out_round_trips: OwnerReadPubekOut,
        load_key_in_round_trips: LoadKeyIn,
        load_key_out_round_trips: LoadKeyOut,
    }

    #[test]
    fn load_key_handle_is_hashed_but_load_key2_handle_is_not() {
        assert_eq!(LoadKey::OUT_HANDLES, 0);
        assert_eq!(LoadKey2::OUT_HANDLES, 1);
    }

    #[test]
    fn change_auth_asym_finish_in_byte_picture() {
        let mut bytes = vec![
            0x40, 0x00, 0x00, 0x00, // parentHandle TPM_KH_SRK
            0x01, 0x00, 0x00, 0x07, // ephHandle
            0x00, 0x05, // entityType TPM_ET_KEY
        ];
        bytes.extend_from_slice(&[0x11; 20]); // newAuthLink
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x02, // newAuthSize
            0xa1, 0xa2, // encNewAuth
            0x00, 0x00, 0x00, 0x01, // encDataSize
            0xd0, // encData
        ]);
        byte_picture!(
            ChangeAuthAsymFinishIn,
            bytes,
            ChangeAuthAsymFinishIn {
                parent_handle: 0x4000_0000,
                eph_handle: 0x0100_0007,
                entity_type: EntityType::TPM_ET_KEY,
                new_auth_link: [0x11; 20],
                enc_new_auth: SizedBuffer(vec![0xa1, 0xa2]),
                enc_data: SizedBuffer(vec![0xd0]),
            }
        );
    }

    #[test]
    fn dir_write_auth_in_byte_picture() {
        let mut bytes = vec![0x00, 0x00, 0x00, 0x00]; // dirIndex 0
        bytes.extend_from_slice(&[0xd1; 20]); // newContents
        byte_picture!(
            DirWriteAuthIn,
            bytes,
            DirWriteAuthIn {
                dir_index: 0,
                new_contents: [0xd1; 20],
            }
        );
    }
}
