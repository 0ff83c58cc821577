//! Part 3, 17 Changing AuthData.

use crate::{AuthData, EntityType, Handle, ProtocolId, SizedBuffer};

tpm_struct! {
    /// Part 3, 17.1 TPM_ChangeAuth incoming parameters.
    pub struct ChangeAuthIn = "TPM_ChangeAuth in" {
        /// `parentHandle`: the key that wraps the entity.
        pub parent_handle: Handle,
        /// `protocolID`: TPM_PID_ADCP.
        pub protocol_id: ProtocolId,
        /// `newAuth`: the encrypted new authorization data.
        pub new_auth: AuthData,
        /// `entityType`: TPM_ET_KEY or TPM_ET_DATA.
        pub entity_type: EntityType,
        /// `encDataSize` and `encData`: the wrapped key's or sealed blob's encData.
        pub enc_data: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 17.1 TPM_ChangeAuth outgoing parameters.
    pub struct ChangeAuthOut = "TPM_ChangeAuth out" {
        /// `outDataSize` and `outData`: the encData with the new authorization.
        pub out_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 17.1 TPM_ChangeAuth: changes the authorization of a key or sealed blob
    /// (parent and entity authorized).
    ChangeAuth = TPM_ORD_ChangeAuth, ChangeAuthIn, 1, ChangeAuthOut, 0
);

tpm_struct! {
    /// Part 3, 17.2 TPM_ChangeAuthOwner incoming parameters.
    pub struct ChangeAuthOwnerIn = "TPM_ChangeAuthOwner in" {
        /// `protocolID`: TPM_PID_ADCP.
        pub protocol_id: ProtocolId,
        /// `newAuth`: the encrypted new authorization data.
        pub new_auth: AuthData,
        /// `entityType`: TPM_ET_OWNER or TPM_ET_SRK.
        pub entity_type: EntityType,
    }
}

command!(
    /// Part 3, 17.2 TPM_ChangeAuthOwner: changes the owner or SRK authorization (owner
    /// authorized).
    ChangeAuthOwner = TPM_ORD_ChangeAuthOwner, ChangeAuthOwnerIn, 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        change_auth_in_round_trips: ChangeAuthIn,
        change_auth_out_round_trips: ChangeAuthOut,
        change_auth_owner_in_round_trips: ChangeAuthOwnerIn,
    }

    #[test]
    fn change_auth_owner_in_byte_picture() {
        let mut bytes = vec![0x00, 0x04]; // protocolID TPM_PID_ADCP
        bytes.extend_from_slice(&[0x9e; 20]); // newAuth
        bytes.extend_from_slice(&[0x00, 0x04]); // entityType TPM_ET_SRK
        byte_picture!(
            ChangeAuthOwnerIn,
            bytes,
            ChangeAuthOwnerIn {
                protocol_id: ProtocolId::TPM_PID_ADCP,
                new_auth: [0x9e; 20],
                entity_type: EntityType::TPM_ET_SRK,
            }
        );
    }
}
