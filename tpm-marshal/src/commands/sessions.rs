//! Part 3, 18 Authorization sessions: OIAP, OSAP, DSAP and the owner pointer.
//!
//! The session-opening commands return the new session's handle first, so their `Out`
//! has one output handle.

use crate::{EntityType, Handle, Nonce, SizedBuffer};

tpm_struct! {
    /// Part 3, 18.1 TPM_OIAP outgoing parameters.
    pub struct OiapOut = "TPM_OIAP out" {
        /// `authHandle` (an output handle).
        pub auth_handle: Handle,
        /// `nonceEven`.
        pub nonce_even: Nonce,
    }
}

command!(
    /// Part 3, 18.1 TPM_OIAP: opens an object-independent authorization session.
    Oiap = TPM_ORD_OIAP, (), 0, OiapOut, 1
);

tpm_struct! {
    /// Part 3, 18.2 TPM_OSAP incoming parameters (no input handle: `entityValue` is a
    /// parameter).
    pub struct OsapIn = "TPM_OSAP in" {
        /// `entityType`, with the ADIP scheme in its high byte.
        pub entity_type: EntityType,
        /// `entityValue`: the handle or index of the entity.
        pub entity_value: u32,
        /// `nonceOddOSAP`.
        pub nonce_odd_osap: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 18.2 TPM_OSAP outgoing parameters.
    pub struct OsapOut = "TPM_OSAP out" {
        /// `authHandle` (an output handle).
        pub auth_handle: Handle,
        /// `nonceEven`.
        pub nonce_even: Nonce,
        /// `nonceEvenOSAP`.
        pub nonce_even_osap: Nonce,
    }
}

command!(
    /// Part 3, 18.2 TPM_OSAP: opens an object-specific authorization session bound to one
    /// entity by a shared secret.
    Osap = TPM_ORD_OSAP, OsapIn, 0, OsapOut, 1
);

tpm_struct! {
    /// Part 3, 18.3 TPM_DSAP incoming parameters (no input handle: `keyHandle` comes after
    /// `entityType`).
    pub struct DsapIn = "TPM_DSAP in" {
        /// `entityType`: TPM_ET_DEL_OWNER_BLOB, TPM_ET_DEL_ROW or TPM_ET_DEL_KEY_BLOB, with
        /// the ADIP scheme in its high byte.
        pub entity_type: EntityType,
        /// `keyHandle`: the key a key delegation is for (TPM_KH_OWNER otherwise).
        pub key_handle: Handle,
        /// `nonceOddDSAP`.
        pub nonce_odd_dsap: Nonce,
        /// `entityValueSize` and `entityValue`: a delegate blob or a row index.
        pub entity_value: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 18.3 TPM_DSAP outgoing parameters.
    pub struct DsapOut = "TPM_DSAP out" {
        /// `authHandle` (an output handle).
        pub auth_handle: Handle,
        /// `nonceEven`.
        pub nonce_even: Nonce,
        /// `nonceEvenDSAP`.
        pub nonce_even_dsap: Nonce,
    }
}

command!(
    /// Part 3, 18.3 TPM_DSAP: opens a delegate-specific authorization session.
    Dsap = TPM_ORD_DSAP, DsapIn, 0, DsapOut, 1
);

tpm_struct! {
    /// Part 3, 18.4 TPM_SetOwnerPointer incoming parameters.
    pub struct SetOwnerPointerIn = "TPM_SetOwnerPointer in" {
        /// `entityType`: TPM_ET_DEL_ROW or TPM_ET_OWNER.
        pub entity_type: EntityType,
        /// `entityValue`: the delegate row, or ignored for the owner.
        pub entity_value: u32,
    }
}

command!(
    /// Part 3, 18.4 TPM_SetOwnerPointer: says which owner secret (the owner's or a delegate
    /// row's) later legacy OIAP/OSAP owner sessions use.
    SetOwnerPointer = TPM_ORD_SetOwnerPointer, SetOwnerPointerIn, 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::CommandFrame;
    use crate::{AdipEncScheme, Command, KeyHandle, Marshal, Unmarshal};

    round_trip_tests! {
        oiap_out_round_trips: OiapOut,
        osap_in_round_trips: OsapIn,
        osap_out_round_trips: OsapOut,
        dsap_in_round_trips: DsapIn,
        dsap_out_round_trips: DsapOut,
        set_owner_pointer_in_round_trips: SetOwnerPointerIn,
    }

    #[test]
    fn osap_for_the_srk_frame_byte_picture() {
        let input = OsapIn {
            entity_type: EntityType::TPM_ET_SRK,
            entity_value: KeyHandle::TPM_KH_SRK.0,
            nonce_odd_osap: [0x33; 20],
        };
        let mut bytes = vec![
            0x00, 0xC1, // tag TPM_TAG_RQU_COMMAND
            0x00, 0x00, 0x00, 0x24, // paramSize 36
            0x00, 0x00, 0x00, 0x0B, // ordinal TPM_ORD_OSAP
            0x00, 0x04, // entityType TPM_ET_SRK (ADIP scheme XOR)
            0x40, 0x00, 0x00, 0x00, // entityValue TPM_KH_SRK
        ];
        bytes.extend_from_slice(&[0x33; 20]); // nonceOddOSAP
        let frame = CommandFrame::encode(Osap::ORDINAL, &input.to_bytes().unwrap(), &[]).unwrap();
        assert_eq!(frame, bytes);
        let parsed = CommandFrame::parse(&bytes).unwrap();
        assert_eq!(OsapIn::from_bytes(parsed.body).unwrap(), input);
    }

    #[test]
    fn osap_out_byte_picture() {
        let mut bytes = vec![0x02, 0x00, 0x00, 0x01]; // authHandle
        bytes.extend_from_slice(&[0xEE; 20]); // nonceEven
        bytes.extend_from_slice(&[0xE0; 20]); // nonceEvenOSAP
        byte_picture!(
            OsapOut,
            bytes,
            OsapOut {
                auth_handle: 0x0200_0001,
                nonce_even: [0xEE; 20],
                nonce_even_osap: [0xE0; 20],
            }
        );
    }

    #[test]
    fn osap_entity_type_carries_the_adip_scheme() {
        let input = OsapIn {
            entity_type: EntityType::TPM_ET_OWNER.with_adip_scheme(AdipEncScheme::TPM_ET_AES128),
            entity_value: KeyHandle::TPM_KH_OWNER.0,
            nonce_odd_osap: [0; 20],
        };
        assert_eq!(input.to_bytes().unwrap().get(..2), Some(&[0x06, 0x02][..]));
    }

    #[test]
    fn session_openers_return_one_handle() {
        assert_eq!(
            (Oiap::OUT_HANDLES, Osap::OUT_HANDLES, Dsap::OUT_HANDLES),
            (1, 1, 1)
        );
        assert_eq!(
            (Oiap::IN_HANDLES, Osap::IN_HANDLES, Dsap::IN_HANDLES),
            (0, 0, 0)
        );
    }
}
