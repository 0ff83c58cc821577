//! Part 3, 5 Admin opt-in: enabling, activating and allowing ownership.

use crate::AuthData;

tpm_struct! {
    /// Part 3, 5.1 TPM_SetOwnerInstall incoming parameters.
    pub struct SetOwnerInstallIn = "TPM_SetOwnerInstall in" {
        /// `state`: TRUE allows TPM_TakeOwnership.
        pub state: bool,
    }
}

command!(
    /// Part 3, 5.1 TPM_SetOwnerInstall: under physical presence, allows or forbids taking
    /// ownership.
    SetOwnerInstall = TPM_ORD_SetOwnerInstall, SetOwnerInstallIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 5.2 TPM_OwnerSetDisable incoming parameters.
    pub struct OwnerSetDisableIn = "TPM_OwnerSetDisable in" {
        /// `disableState`: the new value of TPM_PERMANENT_FLAGS.disable.
        pub disable_state: bool,
    }
}

command!(
    /// Part 3, 5.2 TPM_OwnerSetDisable: the owner enables or disables the TPM.
    OwnerSetDisable = TPM_ORD_OwnerSetDisable, OwnerSetDisableIn, 0, (), 0
);

command!(
    /// Part 3, 5.3 TPM_PhysicalEnable: under physical presence, enables the TPM.
    PhysicalEnable = TPM_ORD_PhysicalEnable, (), 0, (), 0
);

command!(
    /// Part 3, 5.4 TPM_PhysicalDisable: under physical presence, disables the TPM.
    PhysicalDisable = TPM_ORD_PhysicalDisable, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 5.5 TPM_PhysicalSetDeactivated incoming parameters.
    pub struct PhysicalSetDeactivatedIn = "TPM_PhysicalSetDeactivated in" {
        /// `state`: the new value of TPM_PERMANENT_FLAGS.deactivated.
        pub state: bool,
    }
}

command!(
    /// Part 3, 5.5 TPM_PhysicalSetDeactivated: under physical presence, deactivates or
    /// activates the TPM.
    PhysicalSetDeactivated = TPM_ORD_PhysicalSetDeactivated, PhysicalSetDeactivatedIn, 0, (), 0
);

command!(
    /// Part 3, 5.6 TPM_SetTempDeactivated: deactivates the TPM until the next
    /// TPM_Startup(ST_CLEAR) (operator auth or physical presence).
    SetTempDeactivated = TPM_ORD_SetTempDeactivated, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 5.7 TPM_SetOperatorAuth incoming parameters.
    pub struct SetOperatorAuthIn = "TPM_SetOperatorAuth in" {
        /// `operatorAuth`: the new operator auth value (TPM_SECRET, in the clear).
        pub operator_auth: AuthData,
    }
}

command!(
    /// Part 3, 5.7 TPM_SetOperatorAuth: under physical presence, sets the operator auth
    /// value.
    SetOperatorAuth = TPM_ORD_SetOperatorAuth, SetOperatorAuthIn, 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        set_owner_install_in_round_trips: SetOwnerInstallIn,
        owner_set_disable_in_round_trips: OwnerSetDisableIn,
        physical_set_deactivated_in_round_trips: PhysicalSetDeactivatedIn,
        set_operator_auth_in_round_trips: SetOperatorAuthIn,
    }

    #[test]
    fn rejects_state_other_than_bool() {
        assert!(matches!(
            SetOwnerInstallIn::from_bytes(&[2]),
            Err(MarshalError::BadValue {
                what: "TPM_SetOwnerInstall in.state",
                found: 2
            })
        ));
    }

    #[test]
    fn set_operator_auth_in_byte_picture() {
        byte_picture!(
            SetOperatorAuthIn,
            [0x5A; 20], // operatorAuth
            SetOperatorAuthIn {
                operator_auth: [0x5A; 20]
            }
        );
    }
}
