//! Part 3, 9 Administrative functions: field upgrade, redirection, and resetting the
//! dictionary-attack lock.

use crate::{Handle, Marshal, MarshalError, Reader, SizedBuffer, Unmarshal, Writer};

/// Declares a parameter area whose whole content is vendor-specific: every byte between
/// the header (or the handles) and the auth trailers, kept as is.
macro_rules! vendor_params {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[cfg_attr(test, derive(proptest_derive::Arbitrary))]
        pub struct $name {
            /// The vendor-specific bytes.
            pub data: Vec<u8>,
        }

        impl Marshal for $name {
            fn marshal(&self, w: &mut Writer) {
                w.bytes(&self.data);
            }
        }

        impl Unmarshal for $name {
            fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
                let data = r.bytes(r.remaining())?.to_vec();
                Ok(Self { data })
            }
        }
    };
}

vendor_params! {
    /// Part 3, 9.1 TPM_FieldUpgrade incoming parameters: vendor-specific, so every byte of
    /// the parameter area.
    FieldUpgradeIn
}

vendor_params! {
    /// Part 3, 9.1 TPM_FieldUpgrade outgoing parameters: vendor-specific, so every byte of
    /// the parameter area.
    FieldUpgradeOut
}

command!(
    /// Part 3, 9.1 TPM_FieldUpgrade: the owner loads a vendor-specific firmware update.
    FieldUpgrade = TPM_ORD_FieldUpgrade, FieldUpgradeIn, 0, FieldUpgradeOut, 0
);

tpm_struct! {
    /// Part 3, 9.2 TPM_SetRedirection incoming parameters.
    pub struct SetRedirectionIn = "TPM_SetRedirection in" {
        /// `keyHandle`: a key whose keyFlags has TPM_REDIRECTION set.
        pub key_handle: Handle,
        /// `redirCmd` (TPM_REDIR_COMMAND): the redirection command (TPM_REDIR_GPIO = 1).
        pub redir_cmd: u32,
        /// `inputDataSize` and `inputData`: the command's data.
        pub input_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 9.2 TPM_SetRedirection: attaches a key to a redirected output.
    SetRedirection = TPM_ORD_SetRedirection, SetRedirectionIn, 1, (), 0
);

command!(
    /// Part 3, 9.3 TPM_ResetLockValue: the owner resets the dictionary-attack lock-out.
    ResetLockValue = TPM_ORD_ResetLockValue, (), 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        field_upgrade_in_round_trips: FieldUpgradeIn,
        field_upgrade_out_round_trips: FieldUpgradeOut,
        set_redirection_in_round_trips: SetRedirectionIn,
    }

    #[test]
    fn field_upgrade_in_takes_every_byte_even_none() {
        byte_picture!(
            FieldUpgradeIn,
            [0x00, 0x00, 0x00, 0x05, 0xde, 0xad], // vendor bytes, sizes mean nothing here
            FieldUpgradeIn {
                data: vec![0x00, 0x00, 0x00, 0x05, 0xde, 0xad]
            }
        );
        byte_picture!(FieldUpgradeIn, [], FieldUpgradeIn { data: vec![] });
    }

    #[test]
    fn set_redirection_in_byte_picture() {
        byte_picture!(
            SetRedirectionIn,
            [
                0x01, 0x00, 0x00, 0x02, // keyHandle
                0x00, 0x00, 0x00, 0x01, // redirCmd = TPM_REDIR_GPIO
                0x00, 0x00, 0x00, 0x02, // inputDataSize
                0x0f, 0xf0, // inputData
            ],
            SetRedirectionIn {
                key_handle: 0x0100_0002,
                redir_cmd: 1,
                input_data: SizedBuffer(vec![0x0f, 0xf0]),
            }
        );
    }

    #[test]
    fn rejects_set_redirection_in_with_input_beyond_parameters() {
        let bytes = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0xaa];
        assert!(matches!(
            SetRedirectionIn::from_bytes(&bytes),
            Err(MarshalError::TooLarge { .. })
        ));
    }
}
