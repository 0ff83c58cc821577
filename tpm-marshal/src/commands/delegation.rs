//! Part 3, 19 Delegation: families, owner and key delegations, and the delegate tables.

use crate::{
    AuthData, DelegateKeyBlob, DelegateOwnerBlob, DelegatePublic, FamilyOperation,
    FamilyTableEntry, Handle, Marshal, MarshalError, Reader, Sized32, SizedBuffer, Unmarshal,
    Writer,
};

tpm_struct! {
    /// Part 3, 19.1 TPM_Delegate_Manage incoming parameters.
    pub struct DelegateManageIn = "TPM_Delegate_Manage in" {
        /// `familyID` (TPM_FAMILY_ID): the family to manage (ignored by TPM_FAMILY_CREATE).
        pub family_id: u32,
        /// `opCode`: what to do with the family.
        pub op_code: FamilyOperation,
        /// `opDataSize` and `opData`: the operation's argument (a TPM_FAMILY_LABEL for
        /// create, a TPM_BOOL for enable and admin, nothing for invalidate).
        pub op_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 19.1 TPM_Delegate_Manage outgoing parameters.
    pub struct DelegateManageOut = "TPM_Delegate_Manage out" {
        /// `retDataSize` and `retData`: the new TPM_FAMILY_ID for create, else empty.
        pub ret_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 19.1 TPM_Delegate_Manage: creates, enables, locks or invalidates a
    /// delegation family.
    DelegateManage = TPM_ORD_Delegate_Manage, DelegateManageIn, 0, DelegateManageOut, 0
);

tpm_struct! {
    /// Part 3, 19.2 TPM_Delegate_CreateKeyDelegation incoming parameters.
    pub struct DelegateCreateKeyDelegationIn = "TPM_Delegate_CreateKeyDelegation in" {
        /// `keyHandle`: the key whose use is delegated.
        pub key_handle: Handle,
        /// `publicInfo`: the delegation's permissions, PCRs and family.
        pub public_info: DelegatePublic,
        /// `delAuth` (TPM_ENCAUTH): the delegate's auth value, encrypted.
        pub del_auth: AuthData,
    }
}

tpm_struct! {
    /// Part 3, 19.2 TPM_Delegate_CreateKeyDelegation outgoing parameters.
    pub struct DelegateCreateKeyDelegationOut = "TPM_Delegate_CreateKeyDelegation out" {
        /// `blobSize` and `blob`: the delegation, to be kept outside the TPM.
        pub blob: Sized32<DelegateKeyBlob>,
    }
}

command!(
    /// Part 3, 19.2 TPM_Delegate_CreateKeyDelegation: delegates some uses of a key.
    DelegateCreateKeyDelegation = TPM_ORD_Delegate_CreateKeyDelegation, DelegateCreateKeyDelegationIn, 1, DelegateCreateKeyDelegationOut, 0
);

tpm_struct! {
    /// Part 3, 19.3 TPM_Delegate_CreateOwnerDelegation incoming parameters.
    pub struct DelegateCreateOwnerDelegationIn = "TPM_Delegate_CreateOwnerDelegation in" {
        /// `increment`: TRUE bumps the family's verificationCount first, invalidating
        /// its older delegations.
        pub increment: bool,
        /// `publicInfo`: the delegation's permissions, PCRs and family.
        pub public_info: DelegatePublic,
        /// `delAuth` (TPM_ENCAUTH): the delegate's auth value, encrypted.
        pub del_auth: AuthData,
    }
}

tpm_struct! {
    /// Part 3, 19.3 TPM_Delegate_CreateOwnerDelegation outgoing parameters.
    pub struct DelegateCreateOwnerDelegationOut = "TPM_Delegate_CreateOwnerDelegation out" {
        /// `blobSize` and `blob`: the delegation, to be kept outside the TPM or loaded
        /// into the table.
        pub blob: Sized32<DelegateOwnerBlob>,
    }
}

command!(
    /// Part 3, 19.3 TPM_Delegate_CreateOwnerDelegation: delegates some owner-authorized
    /// ordinals.
    DelegateCreateOwnerDelegation = TPM_ORD_Delegate_CreateOwnerDelegation, DelegateCreateOwnerDelegationIn, 0, DelegateCreateOwnerDelegationOut, 0
);

tpm_struct! {
    /// Part 3, 19.4 TPM_Delegate_LoadOwnerDelegation incoming parameters.
    pub struct DelegateLoadOwnerDelegationIn = "TPM_Delegate_LoadOwnerDelegation in" {
        /// `index` (TPM_DELEGATE_INDEX): the delegate table row to fill.
        pub index: u32,
        /// `blobSize` and `blob`: an owner delegation from
        /// TPM_Delegate_CreateOwnerDelegation.
        pub blob: Sized32<DelegateOwnerBlob>,
    }
}

command!(
    /// Part 3, 19.4 TPM_Delegate_LoadOwnerDelegation: loads an owner delegation into the
    /// delegate table.
    DelegateLoadOwnerDelegation = TPM_ORD_Delegate_LoadOwnerDelegation, DelegateLoadOwnerDelegationIn, 0, (), 0
);

/// A UINT32 byte count, then entries back to back that fill it exactly: the shape of
/// TPM_Delegate_ReadTable's `familyTable` and `delegateTable` (Part 3 types them as
/// BYTE[]; their content is fixed, so they are decoded here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizedList<T>(pub Vec<T>);

impl<T> Default for SizedList<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Marshal> Marshal for SizedList<T> {
    fn marshal(&self, w: &mut Writer) {
        w.with_u32_size("sized list", |w| {
            for entry in &self.0 {
                entry.marshal(w);
            }
        });
    }
}

impl<T: Unmarshal> Unmarshal for SizedList<T> {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let mut sub = r.sub_u32()?;
        let mut entries = Vec::new();
        while !sub.is_empty() {
            let before = sub.remaining();
            entries.push(T::unmarshal(&mut sub)?);
            if sub.remaining() == before {
                // An entry that reads nothing would repeat forever.
                return Err(MarshalError::Inconsistent { what: "sized list" });
            }
        }
        Ok(Self(entries))
    }
}

tpm_struct! {
    /// Part 3, 19.5 one entry of TPM_Delegate_ReadTable's `delegateTable`: a row's
    /// TPM_DELEGATE_INDEX and its public part.
    pub struct DelegateTableEntry = "TPM_Delegate_ReadTable delegateTable entry" {
        /// TPM_DELEGATE_INDEX: the row number.
        pub index: u32,
        /// The row's TPM_DELEGATE_PUBLIC.
        pub public: DelegatePublic,
    }
}

tpm_struct! {
    /// Part 3, 19.5 TPM_Delegate_ReadTable outgoing parameters.
    pub struct DelegateReadTableOut = "TPM_Delegate_ReadTable out" {
        /// `familyTableSize` and `familyTable`: every valid family row.
        pub family_table: SizedList<FamilyTableEntry>,
        /// `delegateTableSize` and `delegateTable`: every valid delegate row, public part
        /// only.
        pub delegate_table: SizedList<DelegateTableEntry>,
    }
}

command!(
    /// Part 3, 19.5 TPM_Delegate_ReadTable: reads the public parts of the family and
    /// delegate tables.
    DelegateReadTable = TPM_ORD_Delegate_ReadTable, (), 0, DelegateReadTableOut, 0
);

tpm_struct! {
    /// Part 3, 19.6 TPM_Delegate_UpdateVerification incoming parameters.
    pub struct DelegateUpdateVerificationIn = "TPM_Delegate_UpdateVerification in" {
        /// `inputSize` and `inputData`: a TPM_DELEGATE_KEY_BLOB, a
        /// TPM_DELEGATE_OWNER_BLOB, or a 4-byte TPM_DELEGATE_INDEX.
        pub input_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 19.6 TPM_Delegate_UpdateVerification outgoing parameters.
    pub struct DelegateUpdateVerificationOut = "TPM_Delegate_UpdateVerification out" {
        /// `outputSize` and `outputData`: the updated blob (empty for a table row).
        pub output_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 19.6 TPM_Delegate_UpdateVerification: brings a delegation up to its
    /// family's current verificationCount.
    DelegateUpdateVerification = TPM_ORD_Delegate_UpdateVerification, DelegateUpdateVerificationIn, 0, DelegateUpdateVerificationOut, 0
);

tpm_struct! {
    /// Part 3, 19.7 TPM_Delegate_VerifyDelegation incoming parameters.
    pub struct DelegateVerifyDelegationIn = "TPM_Delegate_VerifyDelegation in" {
        /// `delegationSize` and `delegation`: a TPM_DELEGATE_KEY_BLOB or
        /// TPM_DELEGATE_OWNER_BLOB.
        pub delegation: SizedBuffer,
    }
}

command!(
    /// Part 3, 19.7 TPM_Delegate_VerifyDelegation: checks that a delegation blob is
    /// valid now.
    DelegateVerifyDelegation = TPM_ORD_Delegate_VerifyDelegation, DelegateVerifyDelegationIn, 0, (), 0
);

#[cfg(test)]
mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    impl<T: Arbitrary + 'static> Arbitrary for SizedList<T> {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            proptest::collection::vec(any::<T>(), 0..4)
                .prop_map(Self)
                .boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FamilyFlags, FamilyLabel};

    round_trip_tests! {
        delegate_manage_in_round_trips: DelegateManageIn,
        delegate_manage_out_round_trips: DelegateManageOut,
        delegate_create_key_delegation_in_round_trips: DelegateCreateKeyDelegationIn,
        delegate_create_key_delegation_out_round_trips: DelegateCreateKeyDelegationOut,
        delegate_create_owner_delegation_in_round_trips: DelegateCreateOwnerDelegationIn,
        delegate_create_owner_delegation_out_round_trips: DelegateCreateOwnerDelegationOut,
        delegate_load_owner_delegation_in_round_trips: DelegateLoadOwnerDelegationIn,
        delegate_table_entry_round_trips: DelegateTableEntry,
        delegate_read_table_out_round_trips: DelegateReadTableOut,
        delegate_update_verification_in_round_trips: DelegateUpdateVerificationIn,
        delegate_update_verification_out_round_trips: DelegateUpdateVerificationOut,
        delegate_verify_delegation_in_round_trips: DelegateVerifyDelegationIn,
    }

    #[test]
    fn delegate_manage_in_byte_picture() {
        byte_picture!(
            DelegateManageIn,
            [
                0x00, 0x00, 0x00, 0x00, // familyID (ignored on create)
                0x00, 0x00, 0x00, 0x01, // opCode = TPM_FAMILY_CREATE
                0x00, 0x00, 0x00, 0x01, // opDataSize
                0x2a, // opData: the TPM_FAMILY_LABEL
            ],
            DelegateManageIn {
                family_id: 0,
                op_code: FamilyOperation::TPM_FAMILY_CREATE,
                op_data: SizedBuffer(vec![0x2a]),
            }
        );
    }

    #[test]
    fn delegate_read_table_out_byte_picture() {
        byte_picture!(
            DelegateReadTableOut,
            [
                0x00, 0x00, 0x00, 0x0f, // familyTableSize: one 15-byte entry
                0x00, 0x25, // tag = TPM_TAG_FAMILY_TABLE_ENTRY
                0x2a, // familyLabel
                0x00, 0x00, 0x00, 0x03, // familyID
                0x00, 0x00, 0x00, 0x00, // verificationCount
                0x00, 0x00, 0x00, 0x01, // flags = TPM_FAMFLAG_ENABLE
                0x00, 0x00, 0x00, 0x00, // delegateTableSize: no rows in use
            ],
            DelegateReadTableOut {
                family_table: SizedList(vec![FamilyTableEntry {
                    family_label: FamilyLabel { label: 0x2a },
                    family_id: 3,
                    verification_count: 0,
                    flags: FamilyFlags::TPM_FAMFLAG_ENABLE,
                }]),
                delegate_table: SizedList(vec![]),
            }
        );
    }

    #[test]
    fn rejects_family_table_with_a_partial_entry() {
        let bytes = [
            0x00, 0x00, 0x00, 0x03, // familyTableSize: too short for an entry
            0x00, 0x25, 0x2a, // tag, familyLabel, then the size ends
            0x00, 0x00, 0x00, 0x00, // delegateTableSize
        ];
        assert!(matches!(
            DelegateReadTableOut::from_bytes(&bytes),
            Err(MarshalError::Truncated { .. })
        ));
    }

    #[test]
    fn rejects_list_of_entries_that_read_nothing() {
        assert_eq!(
            SizedList::<()>::from_bytes(&[0, 0, 0, 1, 0]),
            Err(MarshalError::Inconsistent { what: "sized list" })
        );
        assert_eq!(
            SizedList::<()>::from_bytes(&[0, 0, 0, 0]),
            Ok(SizedList(vec![]))
        );
    }
}
