//! Part 3, 11 Migration: migration blobs, migration keys, and certified-migration keys
//! (CMK).

use crate::{
    AuthData, CmkAuth, CmkDelegate, Digest, Handle, Key12, MigrateScheme, MigrationKeyAuth,
    MsaComposite, Pubkey, Sized32, SizedBuffer,
};

tpm_struct! {
    /// Part 3, 11.1 TPM_CreateMigrationBlob incoming parameters.
    pub struct CreateMigrationBlobIn = "TPM_CreateMigrationBlob in" {
        /// `parentHandle`: the parent of the key to migrate.
        pub parent_handle: Handle,
        /// `migrationType`: TPM_MS_MIGRATE or TPM_MS_REWRAP.
        pub migration_type: MigrateScheme,
        /// `migrationKeyAuth`: the owner's approval of the destination key.
        pub migration_key_auth: MigrationKeyAuth,
        /// `encDataSize` and `encData`: the encrypted TPM_STORE_ASYMKEY of the key.
        pub enc_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 11.1 TPM_CreateMigrationBlob outgoing parameters.
    pub struct CreateMigrationBlobOut = "TPM_CreateMigrationBlob out" {
        /// `randomSize` and `random`: the XOR mask (empty for TPM_MS_REWRAP).
        pub random: SizedBuffer,
        /// `outDataSize` and `outData`: the key re-encrypted to the destination key.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 11.1 TPM_CreateMigrationBlob: re-wraps a migratable key for another parent.
    CreateMigrationBlob = TPM_ORD_CreateMigrationBlob, CreateMigrationBlobIn, 1, CreateMigrationBlobOut, 0
);

tpm_struct! {
    /// Part 3, 11.2 TPM_ConvertMigrationBlob incoming parameters.
    pub struct ConvertMigrationBlobIn = "TPM_ConvertMigrationBlob in" {
        /// `parentHandle`: the new parent, whose key decrypts `in_data`.
        pub parent_handle: Handle,
        /// `inDataSize` and `inData`: the migration blob.
        pub in_data: SizedBuffer,
        /// `randomSize` and `random`: the XOR mask from TPM_CreateMigrationBlob.
        pub random: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 11.2 TPM_ConvertMigrationBlob outgoing parameters.
    pub struct ConvertMigrationBlobOut = "TPM_ConvertMigrationBlob out" {
        /// `outDataSize` and `outData`: the key's encData wrapped by the new parent.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 11.2 TPM_ConvertMigrationBlob: turns a migration blob into a key blob of
    /// the new parent.
    ConvertMigrationBlob = TPM_ORD_ConvertMigrationBlob, ConvertMigrationBlobIn, 1, ConvertMigrationBlobOut, 0
);

tpm_struct! {
    /// Part 3, 11.3 TPM_AuthorizeMigrationKey incoming parameters.
    pub struct AuthorizeMigrationKeyIn = "TPM_AuthorizeMigrationKey in" {
        /// `migrationScheme`: the scheme the key is approved for.
        pub migration_scheme: MigrateScheme,
        /// `migrationKey`: the public key to approve as a destination.
        pub migration_key: Pubkey,
    }
}

tpm_struct! {
    /// Part 3, 11.3 TPM_AuthorizeMigrationKey outgoing parameters.
    pub struct AuthorizeMigrationKeyOut = "TPM_AuthorizeMigrationKey out" {
        /// `outData`: the approval, bound to tpmProof.
        pub out_data: MigrationKeyAuth,
    }
}

command!(
    /// Part 3, 11.3 TPM_AuthorizeMigrationKey: the owner approves a migration destination.
    AuthorizeMigrationKey = TPM_ORD_AuthorizeMigrationKey, AuthorizeMigrationKeyIn, 0, AuthorizeMigrationKeyOut, 0
);

tpm_struct! {
    /// Part 3, 11.4 TPM_MigrateKey incoming parameters.
    pub struct MigrateKeyIn = "TPM_MigrateKey in" {
        /// `maKeyHandle`: the migration authority's key, which decrypts `in_data`.
        pub ma_key_handle: Handle,
        /// `pubKey`: the destination public key.
        pub pub_key: Pubkey,
        /// `inDataSize` and `inData`: the migration blob to re-encrypt.
        pub in_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 11.4 TPM_MigrateKey outgoing parameters.
    pub struct MigrateKeyOut = "TPM_MigrateKey out" {
        /// `outDataSize` and `outData`: the blob encrypted to `pub_key`.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 11.4 TPM_MigrateKey: a migration authority re-encrypts a migration blob to
    /// its destination.
    MigrateKey = TPM_ORD_MigrateKey, MigrateKeyIn, 1, MigrateKeyOut, 0
);

tpm_struct! {
    /// Part 3, 11.5 TPM_CMK_SetRestrictions incoming parameters.
    pub struct CmkSetRestrictionsIn = "TPM_CMK_SetRestrictions in" {
        /// `restriction`: which CMK kinds may be used under delegation.
        pub restriction: CmkDelegate,
    }
}

command!(
    /// Part 3, 11.5 TPM_CMK_SetRestrictions: the owner sets TPM_PERMANENT_DATA
    /// restrictDelegate.
    CmkSetRestrictions = TPM_ORD_CMK_SetRestrictions, CmkSetRestrictionsIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 11.6 TPM_CMK_ApproveMA incoming parameters.
    pub struct CmkApproveMaIn = "TPM_CMK_ApproveMA in" {
        /// `migrationAuthorityDigest`: the digest of a TPM_MSA_COMPOSITE.
        pub migration_authority_digest: Digest,
    }
}

tpm_struct! {
    /// Part 3, 11.6 TPM_CMK_ApproveMA outgoing parameters.
    pub struct CmkApproveMaOut = "TPM_CMK_ApproveMA out" {
        /// `outData` (TPM_HMAC): HMAC of a TPM_CMK_MA_APPROVAL keyed with tpmProof.
        pub out_data: Digest,
    }
}

command!(
    /// Part 3, 11.6 TPM_CMK_ApproveMA: the owner approves a set of migration authorities.
    CmkApproveMa = TPM_ORD_CMK_ApproveMA, CmkApproveMaIn, 0, CmkApproveMaOut, 0
);

tpm_struct! {
    /// Part 3, 11.7 TPM_CMK_CreateKey incoming parameters.
    pub struct CmkCreateKeyIn = "TPM_CMK_CreateKey in" {
        /// `parentHandle`: the storage key that wraps the new key.
        pub parent_handle: Handle,
        /// `dataUsageAuth` (TPM_ENCAUTH): the new key's usage auth, encrypted.
        pub data_usage_auth: AuthData,
        /// `keyInfo`: the key to create (TPM_KEY12 only).
        pub key_info: Key12,
        /// `migrationAuthorityApproval` (TPM_HMAC): from TPM_CMK_ApproveMA.
        pub migration_authority_approval: Digest,
        /// `migrationAuthorityDigest`: the digest of the TPM_MSA_COMPOSITE approved.
        pub migration_authority_digest: Digest,
    }
}

tpm_struct! {
    /// Part 3, 11.7 TPM_CMK_CreateKey outgoing parameters.
    pub struct CmkCreateKeyOut = "TPM_CMK_CreateKey out" {
        /// `wrappedKey`: the new certified-migration key.
        pub wrapped_key: Key12,
    }
}

command!(
    /// Part 3, 11.7 TPM_CMK_CreateKey: creates a key that migrates only under approved
    /// migration authorities.
    CmkCreateKey = TPM_ORD_CMK_CreateKey, CmkCreateKeyIn, 1, CmkCreateKeyOut, 0
);

tpm_struct! {
    /// Part 3, 11.8 TPM_CMK_CreateTicket incoming parameters.
    pub struct CmkCreateTicketIn = "TPM_CMK_CreateTicket in" {
        /// `verificationKey`: the public key that made `signature_value`.
        pub verification_key: Pubkey,
        /// `signedData`: the digest that was signed.
        pub signed_data: Digest,
        /// `signatureValueSize` and `signatureValue`.
        pub signature_value: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 11.8 TPM_CMK_CreateTicket outgoing parameters.
    pub struct CmkCreateTicketOut = "TPM_CMK_CreateTicket out" {
        /// `sigTicket` (TPM_HMAC): HMAC of a TPM_CMK_SIGTICKET keyed with tpmProof.
        pub sig_ticket: Digest,
    }
}

command!(
    /// Part 3, 11.8 TPM_CMK_CreateTicket: the owner has the TPM check a signature and
    /// vouch for it with a ticket.
    CmkCreateTicket = TPM_ORD_CMK_CreateTicket, CmkCreateTicketIn, 0, CmkCreateTicketOut, 0
);

tpm_struct! {
    /// Part 3, 11.9 TPM_CMK_CreateBlob incoming parameters.
    pub struct CmkCreateBlobIn = "TPM_CMK_CreateBlob in" {
        /// `parentHandle`: the parent of the key to migrate.
        pub parent_handle: Handle,
        /// `migrationType`: TPM_MS_RESTRICT_MIGRATE or TPM_MS_RESTRICT_APPROVE.
        pub migration_type: MigrateScheme,
        /// `migrationKeyAuth`: the owner's approval of the destination key.
        pub migration_key_auth: MigrationKeyAuth,
        /// `pubSourceKeyDigest`: the digest of the key being migrated.
        pub pub_source_key_digest: Digest,
        /// `msaListSize` and `msaList`: the key's migration authorities.
        pub msa_list: Sized32<MsaComposite>,
        /// `restrictTicketSize` and `restrictTicket`: a TPM_CMK_AUTH, or empty.
        pub restrict_ticket: SizedBuffer,
        /// `sigTicketSize` and `sigTicket`: a TPM_HMAC from TPM_CMK_CreateTicket, or empty.
        pub sig_ticket: SizedBuffer,
        /// `encDataSize` and `encData`: the encrypted TPM_STORE_ASYMKEY of the key.
        pub enc_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 11.9 TPM_CMK_CreateBlob outgoing parameters.
    pub struct CmkCreateBlobOut = "TPM_CMK_CreateBlob out" {
        /// `randomSize` and `random`: the XOR mask.
        pub random: SizedBuffer,
        /// `outDataSize` and `outData`: the key re-encrypted to the destination key.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 11.9 TPM_CMK_CreateBlob: makes a migration blob of a CMK, with the
    /// approvals its migration authorities require.
    CmkCreateBlob = TPM_ORD_CMK_CreateBlob, CmkCreateBlobIn, 1, CmkCreateBlobOut, 0
);

tpm_struct! {
    /// Part 3, 11.10 TPM_CMK_ConvertMigration incoming parameters.
    pub struct CmkConvertMigrationIn = "TPM_CMK_ConvertMigration in" {
        /// `parentHandle`: the new parent.
        pub parent_handle: Handle,
        /// `restrictTicket`: the migration authority's approval of this migration.
        pub restrict_ticket: CmkAuth,
        /// `sigTicket` (TPM_HMAC): from TPM_CMK_CreateTicket.
        pub sig_ticket: Digest,
        /// `migratedKey`: the key with its migration blob in encData.
        pub migrated_key: Key12,
        /// `msaListSize` and `msaList`: the key's migration authorities.
        pub msa_list: Sized32<MsaComposite>,
        /// `randomSize` and `random`: the XOR mask from TPM_CMK_CreateBlob.
        pub random: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 11.10 TPM_CMK_ConvertMigration outgoing parameters.
    pub struct CmkConvertMigrationOut = "TPM_CMK_ConvertMigration out" {
        /// `outDataSize` and `outData`: the key's encData wrapped by the new parent.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 11.10 TPM_CMK_ConvertMigration: turns a CMK migration blob into a key blob
    /// of the new parent.
    CmkConvertMigration = TPM_ORD_CMK_ConvertMigration, CmkConvertMigrationIn, 1, CmkConvertMigrationOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        create_migration_blob_in_round_trips: CreateMigrationBlobIn,
        create_migration_blob_out_round_trips: CreateMigrationBlobOut,
        convert_migration_blob_in_round_trips: ConvertMigrationBlobIn,
        convert_migration_blob_out_round_trips: ConvertMigrationBlobOut,
        authorize_migration_key_in_round_trips: AuthorizeMigrationKeyIn,
        authorize_migration_key_out_round_trips: AuthorizeMigrationKeyOut,
        migrate_key_in_round_trips: MigrateKeyIn,
        migrate_key_out_round_trips: MigrateKeyOut,
        cmk_set_restrictions_in_round_trips: CmkSetRestrictionsIn,
        cmk_approve_ma_in_round_trips: CmkApproveMaIn,
        cmk_approve_ma_out_round_trips: CmkApproveMaOut,
        cmk_create_key_in_round_trips: CmkCreateKeyIn,
        cmk_create_key_out_round_trips: CmkCreateKeyOut,
        cmk_create_ticket_in_round_trips: CmkCreateTicketIn,
        cmk_create_ticket_out_round_trips: CmkCreateTicketOut,
        cmk_create_blob_in_round_trips: CmkCreateBlobIn,
        cmk_create_blob_out_round_trips: CmkCreateBlobOut,
        cmk_convert_migration_in_round_trips: CmkConvertMigrationIn,
        cmk_convert_migration_out_round_trips: CmkConvertMigrationOut,
    }

    #[test]
    fn cmk_approve_ma_in_byte_picture() {
        let bytes = [0x4d; 20]; // migrationAuthorityDigest
        byte_picture!(
            CmkApproveMaIn,
            bytes,
            CmkApproveMaIn {
                migration_authority_digest: [0x4d; 20]
            }
        );
    }

    #[test]
    fn cmk_set_restrictions_in_byte_picture() {
        byte_picture!(
            CmkSetRestrictionsIn,
            [0xc0, 0x00, 0x00, 0x00], // restriction = SIGNING | STORAGE
            CmkSetRestrictionsIn {
                restriction: CmkDelegate(
                    CmkDelegate::TPM_CMK_DELEGATE_SIGNING.0
                        | CmkDelegate::TPM_CMK_DELEGATE_STORAGE.0
                ),
            }
        );
    }

    #[test]
    fn convert_migration_blob_in_byte_picture() {
        byte_picture!(
            ConvertMigrationBlobIn,
            [
                0x01, 0x00, 0x00, 0x07, // parentHandle
                0x00, 0x00, 0x00, 0x03, // inDataSize
                0x11, 0x22, 0x33, // inData
                0x00, 0x00, 0x00, 0x01, // randomSize
                0x44, // random
            ],
            ConvertMigrationBlobIn {
                parent_handle: 0x0100_0007,
                in_data: SizedBuffer(vec![0x11, 0x22, 0x33]),
                random: SizedBuffer(vec![0x44]),
            }
        );
    }

    #[test]
    fn cmk_convert_migration_in_reads_msa_list_inside_its_size() {
        let value = CmkConvertMigrationIn {
            parent_handle: 0x4000_0000,
            restrict_ticket: CmkAuth {
                migration_authority_digest: [1; 20],
                destination_key_digest: [2; 20],
                source_key_digest: [3; 20],
            },
            sig_ticket: [4; 20],
            migrated_key: key12_without_parms(),
            msa_list: Sized32(Some(MsaComposite {
                mig_auth_digest: vec![[5; 20]],
            })),
            random: SizedBuffer(vec![]),
        };
        let mut bytes = crate::Marshal::to_bytes(&value).unwrap();
        // msaListSize (4), MSAlist (4), one digest (20), randomSize (4) end the command.
        let msa_size = bytes.len() - 4 - 20 - 4 - 4;
        assert_eq!(bytes[msa_size..msa_size + 8], [0, 0, 0, 24, 0, 0, 0, 1]);
        assert_eq!(CmkConvertMigrationIn::from_bytes(&bytes), Ok(value));
        // A count of two digests no longer fits inside msaListSize.
        bytes[msa_size + 7] = 2;
        assert!(matches!(
            CmkConvertMigrationIn::from_bytes(&bytes),
            Err(MarshalError::TooLarge { .. })
        ));
    }

    fn key12_without_parms() -> Key12 {
        use crate::{AlgorithmId, AuthDataUsage, EncScheme, KeyFlags, KeyParms};
        use crate::{KeyParmsDetail, KeyUsage, SigScheme, StorePubkey};
        Key12 {
            key_usage: KeyUsage::TPM_KEY_STORAGE,
            key_flags: KeyFlags(0),
            auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
            algorithm_parms: KeyParms {
                algorithm_id: AlgorithmId::TPM_ALG_HMAC,
                enc_scheme: EncScheme::TPM_ES_NONE,
                sig_scheme: SigScheme::TPM_SS_NONE,
                parms: KeyParmsDetail::Other(vec![]),
            },
            pcr_info: Sized32(None),
            pub_key: StorePubkey {
                key: SizedBuffer(vec![]),
            },
            enc_data: SizedBuffer(vec![9; 4]),
        }
    }
}
