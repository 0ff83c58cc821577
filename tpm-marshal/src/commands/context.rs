//! Part 3, 21 Session Management (owner-evict keys, saving and loading contexts).

use crate::{ContextBlob, Handle, KeyControl, Pubkey, ResourceType, Sized32};

tpm_struct! {
    /// Part 3, 21.1 TPM_KeyControlOwner incoming parameters.
    pub struct KeyControlOwnerIn = "TPM_KeyControlOwner in" {
        /// `keyHandle`: the loaded key to control.
        pub key_handle: Handle,
        /// `pubKey`: the public key of `keyHandle`, as a check.
        pub pub_key: Pubkey,
        /// `bitName`: the bit to set (TPM_KEY_CONTROL_OWNER_EVICT).
        pub bit_name: KeyControl,
        /// `bitValue`: the new value of the bit.
        pub bit_value: bool,
    }
}

command!(
    /// Part 3, 21.1 TPM_KeyControlOwner: sets a key's owner-controlled bits (owner-evict,
    /// owner authorized).
    KeyControlOwner = TPM_ORD_KeyControlOwner, KeyControlOwnerIn, 1, (), 0
);

tpm_struct! {
    /// Part 3, 21.2 TPM_SaveContext incoming parameters.
    pub struct SaveContextIn = "TPM_SaveContext in" {
        /// `handle`: the resource to save.
        pub handle: Handle,
        /// `resourceType`: what `handle` is.
        pub resource_type: ResourceType,
        /// `label`: the caller's label, stored in the blob.
        pub label: [u8; 16],
    }
}

tpm_struct! {
    /// Part 3, 21.2 TPM_SaveContext outgoing parameters.
    pub struct SaveContextOut = "TPM_SaveContext out" {
        /// `contextSize` and `contextBlob` (the TPM always returns a blob).
        pub context_blob: Sized32<ContextBlob>,
    }
}

command!(
    /// Part 3, 21.2 TPM_SaveContext: saves a loaded resource outside the TPM.
    SaveContext = TPM_ORD_SaveContext, SaveContextIn, 1, SaveContextOut, 0
);

tpm_struct! {
    /// Part 3, 21.3 TPM_LoadContext incoming parameters.
    pub struct LoadContextIn = "TPM_LoadContext in" {
        /// `entityHandle`: the handle the caller expects back when `keepHandle` is TRUE.
        pub entity_handle: Handle,
        /// `keepHandle`: TRUE to ask for the handle the resource had.
        pub keep_handle: bool,
        /// `contextSize` and `contextBlob` (an absent blob is the TPM's error to report).
        pub context_blob: Sized32<ContextBlob>,
    }
}

tpm_struct! {
    /// Part 3, 21.3 TPM_LoadContext outgoing parameters.
    pub struct LoadContextOut = "TPM_LoadContext out" {
        /// `handle`: the handle of the reloaded resource.
        pub handle: Handle,
    }
}

command!(
    /// Part 3, 21.3 TPM_LoadContext: reloads a saved resource.
    LoadContext = TPM_ORD_LoadContext, LoadContextIn, 1, LoadContextOut, 1
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SizedBuffer;

    round_trip_tests! {
        key_control_owner_in_round_trips: KeyControlOwnerIn,
        save_context_in_round_trips: SaveContextIn,
        save_context_out_round_trips: SaveContextOut,
        load_context_in_round_trips: LoadContextIn,
        load_context_out_round_trips: LoadContextOut,
    }

    #[test]
    fn save_context_in_byte_picture() {
        let mut bytes = vec![
            0x02, 0x00, 0x00, 0x03, // handle
            0x00, 0x00, 0x00, 0x02, // resourceType TPM_RT_AUTH
        ];
        bytes.extend_from_slice(b"session label\0\0\0"); // label
        byte_picture!(
            SaveContextIn,
            bytes,
            SaveContextIn {
                handle: 0x0200_0003,
                resource_type: ResourceType::TPM_RT_AUTH,
                label: *b"session label\0\0\0",
            }
        );
    }

    #[test]
    fn load_context_in_byte_picture() {
        let blob = ContextBlob {
            resource_type: ResourceType::TPM_RT_KEY,
            handle: 0x0100_0001,
            label: [0; 16],
            context_count: 0,
            integrity_digest: [0x1d; 20],
            additional_data: SizedBuffer::default(),
            sensitive_data: SizedBuffer(vec![0x5e]),
        };
        let mut bytes = vec![
            0x01, 0x00, 0x00, 0x01, // entityHandle
            0x01, // keepHandle TRUE
            0x00, 0x00, 0x00, 0x3b, // contextSize 59
            0x00, 0x01, // contextBlob.tag TPM_TAG_CONTEXTBLOB
            0x00, 0x00, 0x00, 0x01, // contextBlob.resourceType TPM_RT_KEY
            0x01, 0x00, 0x00, 0x01, // contextBlob.handle
        ];
        bytes.extend_from_slice(&[0; 16]); // contextBlob.label
        bytes.extend_from_slice(&[0, 0, 0, 0]); // contextBlob.contextCount
        bytes.extend_from_slice(&[0x1d; 20]); // contextBlob.integrityDigest
        bytes.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x00, // contextBlob.additionalSize
            0x00, 0x00, 0x00, 0x01, // contextBlob.sensitiveSize
            0x5e, // contextBlob.sensitiveData
        ]);
        byte_picture!(
            LoadContextIn,
            bytes,
            LoadContextIn {
                entity_handle: 0x0100_0001,
                keep_handle: true,
                context_blob: Sized32(Some(blob)),
            }
        );
    }
}
