//! Part 2, 20: delegation structures and the owner and key permission bits.
//!
//! The table minimums TPM_NUM_FAMILY_TABLE_ENTRY_MIN and TPM_NUM_DELEGATE_TABLE_ENTRY_MIN
//! belong to [`crate::constants`].

use crate::{AuthData, DelegateType, Digest, FamilyFlags, PcrInfoShort, SizedBuffer, StructureTag};

open_enum! {
    /// Part 2, 20.2.1 Owner Permission Settings: the `per1` bits of a TPM_DELEGATIONS whose
    /// delegateType is TPM_DEL_OWNER_BITS, one owner-authorized ordinal each (`per2` is
    /// reserved and 0).
    pub struct OwnerPermission(u32) {
        TPM_DELEGATE_KeyControlOwner = 1 << 31,
        TPM_DELEGATE_SetOrdinalAuditStatus = 1 << 30,
        TPM_DELEGATE_DirWriteAuth = 1 << 29,
        TPM_DELEGATE_CMK_ApproveMA = 1 << 28,
        TPM_DELEGATE_NV_WriteValue = 1 << 27,
        TPM_DELEGATE_CMK_CreateTicket = 1 << 26,
        TPM_DELEGATE_NV_ReadValue = 1 << 25,
        TPM_DELEGATE_Delegate_LoadOwnerDelegation = 1 << 24,
        TPM_DELEGATE_DAA_Join = 1 << 23,
        TPM_DELEGATE_AuthorizeMigrationKey = 1 << 22,
        TPM_DELEGATE_CreateMaintenanceArchive = 1 << 21,
        TPM_DELEGATE_LoadMaintenanceArchive = 1 << 20,
        TPM_DELEGATE_KillMaintenanceFeature = 1 << 19,
        TPM_DELEGATE_OwnerReadInternalPub = 1 << 18,
        TPM_DELEGATE_ResetLockValue = 1 << 17,
        TPM_DELEGATE_OwnerClear = 1 << 16,
        TPM_DELEGATE_DisableOwnerClear = 1 << 15,
        TPM_DELEGATE_NV_DefineSpace = 1 << 14,
        TPM_DELEGATE_OwnerSetDisable = 1 << 13,
        TPM_DELEGATE_SetCapability = 1 << 12,
        TPM_DELEGATE_MakeIdentity = 1 << 11,
        TPM_DELEGATE_ActivateIdentity = 1 << 10,
        TPM_DELEGATE_OwnerReadPubek = 1 << 9,
        TPM_DELEGATE_DisablePubekRead = 1 << 8,
        TPM_DELEGATE_SetRedirection = 1 << 7,
        TPM_DELEGATE_FieldUpgrade = 1 << 6,
        TPM_DELEGATE_Delegate_UpdateVerification = 1 << 5,
        TPM_DELEGATE_CreateCounter = 1 << 4,
        TPM_DELEGATE_ReleaseCounterOwner = 1 << 3,
        TPM_DELEGATE_Delegate_Manage = 1 << 2,
        TPM_DELEGATE_Delegate_CreateOwnerDelegation = 1 << 1,
        TPM_DELEGATE_DAA_Sign = 1 << 0,
    }
}

open_enum! {
    /// Part 2, 20.2.3 Key Permission Settings: the `per1` bits of a TPM_DELEGATIONS whose
    /// delegateType is TPM_DEL_KEY_BITS, one key-authorized ordinal each (bits 31-29 and
    /// `per2` are reserved and 0).
    pub struct KeyPermission(u32) {
        TPM_KEY_DELEGATE_CMK_ConvertMigration = 1 << 28,
        TPM_KEY_DELEGATE_TickStampBlob = 1 << 27,
        TPM_KEY_DELEGATE_ChangeAuthAsymStart = 1 << 26,
        TPM_KEY_DELEGATE_ChangeAuthAsymFinish = 1 << 25,
        TPM_KEY_DELEGATE_CMK_CreateKey = 1 << 24,
        TPM_KEY_DELEGATE_MigrateKey = 1 << 23,
        TPM_KEY_DELEGATE_LoadKey2 = 1 << 22,
        TPM_KEY_DELEGATE_EstablishTransport = 1 << 21,
        TPM_KEY_DELEGATE_ReleaseTransportSigned = 1 << 20,
        TPM_KEY_DELEGATE_Quote2 = 1 << 19,
        TPM_KEY_DELEGATE_Sealx = 1 << 18,
        TPM_KEY_DELEGATE_MakeIdentity = 1 << 17,
        TPM_KEY_DELEGATE_ActivateIdentity = 1 << 16,
        TPM_KEY_DELEGATE_GetAuditDigestSigned = 1 << 15,
        TPM_KEY_DELEGATE_Sign = 1 << 14,
        TPM_KEY_DELEGATE_CertifyKey2 = 1 << 13,
        TPM_KEY_DELEGATE_CertifyKey = 1 << 12,
        TPM_KEY_DELEGATE_CreateWrapKey = 1 << 11,
        TPM_KEY_DELEGATE_CMK_CreateBlob = 1 << 10,
        TPM_KEY_DELEGATE_CreateMigrationBlob = 1 << 9,
        TPM_KEY_DELEGATE_ConvertMigrationBlob = 1 << 8,
        TPM_KEY_DELEGATE_Delegate_CreateKeyDelegation = 1 << 7,
        TPM_KEY_DELEGATE_ChangeAuth = 1 << 6,
        TPM_KEY_DELEGATE_GetPubKey = 1 << 5,
        TPM_KEY_DELEGATE_UnBind = 1 << 4,
        TPM_KEY_DELEGATE_Quote = 1 << 3,
        TPM_KEY_DELEGATE_Unseal = 1 << 2,
        TPM_KEY_DELEGATE_Seal = 1 << 1,
        TPM_KEY_DELEGATE_LoadKey = 1 << 0,
    }
}

tpm_struct! {
    /// Part 2, 20.2 TPM_DELEGATIONS: which ordinals a delegation allows; `per1` holds
    /// [`OwnerPermission`] or [`KeyPermission`] bits according to `delegate_type`.
    pub struct Delegations = "TPM_DELEGATIONS" [tag = StructureTag::TPM_TAG_DELEGATIONS] {
        pub delegate_type: DelegateType,
        pub per1: u32,
        pub per2: u32,
    }
}

tpm_struct! {
    /// Part 2, 20.4 TPM_FAMILY_LABEL: a one-byte family label that software maps to a name.
    pub struct FamilyLabel = "TPM_FAMILY_LABEL" {
        pub label: u8,
    }
}

tpm_struct! {
    /// Part 2, 20.5 TPM_FAMILY_TABLE_ENTRY: one row of the family table
    /// (TPM_Delegate_ReadTable, TPM_Delegate_Manage).
    pub struct FamilyTableEntry = "TPM_FAMILY_TABLE_ENTRY" [tag = StructureTag::TPM_TAG_FAMILY_TABLE_ENTRY] {
        pub family_label: FamilyLabel,
        /// TPM_FAMILY_ID.
        pub family_id: u32,
        /// TPM_FAMILY_VERIFICATION.
        pub verification_count: u32,
        pub flags: FamilyFlags,
    }
}

tpm_struct! {
    /// Part 2, 20.7 TPM_DELEGATE_LABEL: a one-byte delegate row label.
    pub struct DelegateLabel = "TPM_DELEGATE_LABEL" {
        pub label: u8,
    }
}

tpm_struct! {
    /// Part 2, 20.8 TPM_DELEGATE_PUBLIC: the public part of a delegation: who may use it
    /// (PCRs), what it allows, and its family.
    pub struct DelegatePublic = "TPM_DELEGATE_PUBLIC" [tag = StructureTag::TPM_TAG_DELEGATE_PUBLIC] {
        pub row_label: DelegateLabel,
        pub pcr_info: PcrInfoShort,
        pub permissions: Delegations,
        /// TPM_FAMILY_ID.
        pub family_id: u32,
        /// TPM_FAMILY_VERIFICATION.
        pub verification_count: u32,
    }
}

tpm_struct! {
    /// Part 2, 20.9 TPM_DELEGATE_TABLE_ROW: one row of the owner delegate table.
    pub struct DelegateTableRow = "TPM_DELEGATE_TABLE_ROW" [tag = StructureTag::TPM_TAG_DELEGATE_TABLE_ROW] {
        pub public: DelegatePublic,
        pub auth_value: AuthData,
    }
}

tpm_struct! {
    /// Part 2, 20.11 TPM_DELEGATE_SENSITIVE: the secret of a delegate blob, encrypted into
    /// its `sensitive_area`.
    pub struct DelegateSensitive = "TPM_DELEGATE_SENSITIVE" [tag = StructureTag::TPM_TAG_DELEGATE_SENSITIVE] {
        pub auth_value: AuthData,
    }
}

tpm_struct! {
    /// Part 2, 20.12 TPM_DELEGATE_OWNER_BLOB: an owner delegation kept outside the TPM,
    /// HMAC-protected.
    pub struct DelegateOwnerBlob = "TPM_DELEGATE_OWNER_BLOB" [tag = StructureTag::TPM_TAG_DELEGATE_OWNER_BLOB] {
        pub public: DelegatePublic,
        pub integrity_digest: Digest,
        pub additional_area: SizedBuffer,
        pub sensitive_area: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 20.13 TPM_DELEGATE_KEY_BLOB: a key delegation kept outside the TPM, bound to
    /// one key by the digest of its public key.
    pub struct DelegateKeyBlob = "TPM_DELEGATE_KEY_BLOB" [tag = StructureTag::TPM_TAG_DELG_KEY_BLOB] {
        pub public: DelegatePublic,
        pub integrity_digest: Digest,
        pub pub_key_digest: Digest,
        pub additional_area: SizedBuffer,
        pub sensitive_area: SizedBuffer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocalitySelection, Marshal, MarshalError, PcrSelection, Unmarshal};

    round_trip_tests! {
        owner_permission_round_trips: OwnerPermission,
        key_permission_round_trips: KeyPermission,
        delegations_round_trips: Delegations,
        family_label_round_trips: FamilyLabel,
        family_table_entry_round_trips: FamilyTableEntry,
        delegate_label_round_trips: DelegateLabel,
        delegate_public_round_trips: DelegatePublic,
        delegate_table_row_round_trips: DelegateTableRow,
        delegate_sensitive_round_trips: DelegateSensitive,
        delegate_owner_blob_round_trips: DelegateOwnerBlob,
        delegate_key_blob_round_trips: DelegateKeyBlob,
    }

    fn nv_owner_delegation() -> DelegatePublic {
        DelegatePublic {
            row_label: DelegateLabel { label: 4 },
            pcr_info: PcrInfoShort {
                pcr_selection: PcrSelection::new(3, &[]).unwrap(),
                locality_at_release: LocalitySelection(0x1f),
                digest_at_release: [0; 20],
            },
            permissions: Delegations {
                delegate_type: DelegateType::TPM_DEL_OWNER_BITS,
                per1: OwnerPermission::TPM_DELEGATE_NV_WriteValue.0
                    | OwnerPermission::TPM_DELEGATE_NV_ReadValue.0,
                per2: 0,
            },
            family_id: 1,
            verification_count: 2,
        }
    }

    #[test]
    fn delegate_public_byte_picture() {
        let mut bytes = vec![
            0x00, 0x1b, // tag = TPM_TAG_DELEGATE_PUBLIC
            0x04, // rowLabel
            0x00, 0x03, 0x00, 0x00, 0x00, // pcrInfo.pcrSelection: 3 bytes, none selected
            0x1f, // pcrInfo.localityAtRelease
        ];
        bytes.extend_from_slice(&[0; 20]); // pcrInfo.digestAtRelease
        bytes.extend_from_slice(&[
            0x00, 0x1a, // permissions.tag = TPM_TAG_DELEGATIONS
            0x00, 0x00, 0x00, 0x01, // permissions.delegateType = TPM_DEL_OWNER_BITS
            0x0a, 0x00, 0x00, 0x00, // permissions.per1 = NV_WriteValue | NV_ReadValue
            0x00, 0x00, 0x00, 0x00, // permissions.per2
            0x00, 0x00, 0x00, 0x01, // familyID
            0x00, 0x00, 0x00, 0x02, // verificationCount
        ]);
        byte_picture!(DelegatePublic, bytes, nv_owner_delegation());
    }

    #[test]
    fn permission_bits_carry_their_spec_names() {
        assert_eq!(
            OwnerPermission(0x8000_0000).name(),
            Some("TPM_DELEGATE_KeyControlOwner")
        );
        assert_eq!(
            KeyPermission(0x80).name(),
            Some("TPM_KEY_DELEGATE_Delegate_CreateKeyDelegation")
        );
    }

    #[test]
    fn rejects_delegate_public_with_wrong_delegations_tag() {
        let mut bytes = nv_owner_delegation().to_bytes().unwrap();
        // tag, rowLabel, 6-byte selection + locality, digest: the inner tag follows.
        let inner_tag = 2 + 1 + 6 + 20;
        bytes[inner_tag + 1] = 0x1b;
        assert_eq!(
            DelegatePublic::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_DELEGATIONS",
                found: 0x1b
            })
        );
    }

    #[test]
    fn rejects_key_blob_with_owner_blob_tag() {
        let blob = DelegateKeyBlob {
            public: nv_owner_delegation(),
            integrity_digest: [1; 20],
            pub_key_digest: [2; 20],
            additional_area: SizedBuffer(vec![]),
            sensitive_area: SizedBuffer(vec![3; 8]),
        };
        let mut bytes = blob.to_bytes().unwrap();
        bytes[1] = 0x2a;
        assert_eq!(
            DelegateKeyBlob::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_DELEGATE_KEY_BLOB",
                found: 0x2a
            })
        );
    }
}
