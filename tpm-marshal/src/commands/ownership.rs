//! Part 3, 6 Admin ownership: taking and clearing ownership, and the TSC commands for
//! physical presence and the establishment bit.

use crate::{KeyBlob, PhysicalPresence, ProtocolId, SizedBuffer};

tpm_struct! {
    /// Part 3, 6.1 TPM_TakeOwnership incoming parameters (no input handle).
    pub struct TakeOwnershipIn = "TPM_TakeOwnership in" {
        /// `protocolID`: TPM_PID_OWNER.
        pub protocol_id: ProtocolId,
        /// `encOwnerAuthSize` and `encOwnerAuth`: the owner auth value encrypted with the
        /// PUBEK.
        pub enc_owner_auth: SizedBuffer,
        /// `encSrkAuthSize` and `encSrkAuth`: the SRK auth value encrypted with the PUBEK.
        pub enc_srk_auth: SizedBuffer,
        /// `srkParams`: the SRK's key parameters (a TPM_KEY, or a TPM_KEY12 which 1.2 TPMs
        /// also accept).
        pub srk_params: KeyBlob,
    }
}

tpm_struct! {
    /// Part 3, 6.1 TPM_TakeOwnership outgoing parameters.
    pub struct TakeOwnershipOut = "TPM_TakeOwnership out" {
        /// `srkPub`: the new SRK with its public key and no encrypted part.
        pub srk_pub: KeyBlob,
    }
}

command!(
    /// Part 3, 6.1 TPM_TakeOwnership: installs an owner and creates the SRK.
    TakeOwnership = TPM_ORD_TakeOwnership, TakeOwnershipIn, 0, TakeOwnershipOut, 0
);

command!(
    /// Part 3, 6.2 TPM_OwnerClear: the owner removes ownership and its secrets.
    OwnerClear = TPM_ORD_OwnerClear, (), 0, (), 0
);

command!(
    /// Part 3, 6.3 TPM_ForceClear: under physical presence, removes ownership.
    ForceClear = TPM_ORD_ForceClear, (), 0, (), 0
);

command!(
    /// Part 3, 6.4 TPM_DisableOwnerClear: the owner disables TPM_OwnerClear for good.
    DisableOwnerClear = TPM_ORD_DisableOwnerClear, (), 0, (), 0
);

command!(
    /// Part 3, 6.5 TPM_DisableForceClear: disables TPM_ForceClear until the next
    /// TPM_Startup(ST_CLEAR).
    DisableForceClear = TPM_ORD_DisableForceClear, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 6.6 TSC_PhysicalPresence incoming parameters.
    pub struct TscPhysicalPresenceIn = "TSC_PhysicalPresence in" {
        /// `physicalPresence`: TPM_PHYSICAL_PRESENCE bits to apply.
        pub physical_presence: PhysicalPresence,
    }
}

command!(
    /// Part 3, 6.6 TSC_PhysicalPresence: sets or locks the physical presence state, or its
    /// configuration.
    TscPhysicalPresence = TSC_ORD_PhysicalPresence, TscPhysicalPresenceIn, 0, (), 0
);

command!(
    /// Part 3, 6.7 TSC_ResetEstablishmentBit: clears TPM_PERMANENT_FLAGS.tpmEstablished
    /// (locality 3 or 4).
    TscResetEstablishmentBit = TSC_ORD_ResetEstablishmentBit, (), 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, Ordinal};

    round_trip_tests! {
        take_ownership_in_round_trips: TakeOwnershipIn,
        take_ownership_out_round_trips: TakeOwnershipOut,
        tsc_physical_presence_in_round_trips: TscPhysicalPresenceIn,
    }

    #[test]
    fn tsc_physical_presence_in_byte_picture() {
        byte_picture!(
            TscPhysicalPresenceIn,
            [0x00, 0x20], // TPM_PHYSICAL_PRESENCE_CMD_ENABLE
            TscPhysicalPresenceIn {
                physical_presence: PhysicalPresence::TPM_PHYSICAL_PRESENCE_CMD_ENABLE
            }
        );
    }

    #[test]
    fn tsc_commands_use_connection_ordinals() {
        assert_eq!(TscPhysicalPresence::ORDINAL, Ordinal(0x4000_000A));
        assert_eq!(TscResetEstablishmentBit::ORDINAL, Ordinal(0x4000_000B));
        assert_eq!(TakeOwnership::IN_HANDLES, 0);
    }
}
