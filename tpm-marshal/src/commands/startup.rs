//! Part 3, 3 Admin startup and state.

use crate::StartupType;

command!(
    /// Part 3, 3.1 TPM_Init: the platform's reset signal, as a test-only pseudo-ordinal with
    /// no parameters either way.
    Init = TPM_ORD_Init, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 3.2 TPM_Startup incoming parameters.
    pub struct StartupIn = "TPM_Startup in" {
        pub startup_type: StartupType,
    }
}

command!(
    /// Part 3, 3.2 TPM_Startup: starts the TPM after TPM_Init, clearing or restoring state.
    Startup = TPM_ORD_Startup, StartupIn, 0, (), 0
);

command!(
    /// Part 3, 3.3 TPM_SaveState: saves the state a later TPM_Startup(ST_STATE) restores.
    SaveState = TPM_ORD_SaveState, (), 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::CommandFrame;
    use crate::{Command, Marshal, Ordinal, Unmarshal};

    round_trip_tests! {
        startup_in_round_trips: StartupIn,
    }

    #[test]
    fn startup_in_byte_picture() {
        byte_picture!(
            StartupIn,
            [0x00, 0x01], // startupType = TPM_ST_CLEAR
            StartupIn {
                startup_type: StartupType::TPM_ST_CLEAR
            }
        );
    }

    #[test]
    fn startup_state_frame_byte_picture() {
        let body = StartupIn {
            startup_type: StartupType::TPM_ST_STATE,
        }
        .to_bytes()
        .unwrap();
        let frame = CommandFrame::encode(Startup::ORDINAL, &body, &[]).unwrap();
        assert_eq!(
            frame,
            [
                0x00, 0xC1, // tag TPM_TAG_RQU_COMMAND
                0x00, 0x00, 0x00, 0x0C, // paramSize 12
                0x00, 0x00, 0x00, 0x99, // ordinal TPM_ORD_Startup
                0x00, 0x02, // startupType TPM_ST_STATE
            ]
        );
        let parsed = CommandFrame::parse(&frame).unwrap();
        assert_eq!(
            StartupIn::from_bytes(parsed.body).unwrap().startup_type,
            StartupType::TPM_ST_STATE
        );
    }

    #[test]
    fn empty_commands_take_no_bytes() {
        assert_eq!(<Init as Command>::ORDINAL, Ordinal::TPM_ORD_Init);
        assert_eq!(().to_bytes().unwrap(), Vec::<u8>::new());
        assert!(<SaveState as Command>::In::from_bytes(&[0]).is_err());
    }
}
