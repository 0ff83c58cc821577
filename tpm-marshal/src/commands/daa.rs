//! Part 3, 26 DAA commands: the join and sign protocols, one stage per command.

use crate::{Handle, SizedBuffer};

tpm_struct! {
    /// Part 3, 26.1 TPM_DAA_Join incoming parameters.
    pub struct DaaJoinIn = "TPM_DAA_Join in" {
        /// `handle`: the DAA session (ignored at stage 0, which opens one).
        pub handle: Handle,
        /// `stage`: the protocol step, 0 to 24.
        pub stage: u8,
        /// `inputSize0` and `inputData0`: the stage's first input.
        pub input_data0: SizedBuffer,
        /// `inputSize1` and `inputData1`: the stage's second input.
        pub input_data1: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 26.1 TPM_DAA_Join outgoing parameters.
    pub struct DaaJoinOut = "TPM_DAA_Join out" {
        /// `outputSize` and `outputData`: the stage's result (at stage 0, the new
        /// session handle).
        pub output_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 26.1 TPM_DAA_Join: one stage of joining a DAA issuer's group.
    DaaJoin = TPM_ORD_DAA_Join, DaaJoinIn, 1, DaaJoinOut, 0
);

tpm_struct! {
    /// Part 3, 26.2 TPM_DAA_Sign incoming parameters.
    pub struct DaaSignIn = "TPM_DAA_Sign in" {
        /// `handle`: the DAA session (ignored at stage 0, which opens one).
        pub handle: Handle,
        /// `stage`: the protocol step, 0 to 10.
        pub stage: u8,
        /// `inputSize0` and `inputData0`: the stage's first input.
        pub input_data0: SizedBuffer,
        /// `inputSize1` and `inputData1`: the stage's second input.
        pub input_data1: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 3, 26.2 TPM_DAA_Sign outgoing parameters.
    pub struct DaaSignOut = "TPM_DAA_Sign out" {
        /// `outputSize` and `outputData`: the stage's result (at stage 0, the new
        /// session handle).
        pub output_data: SizedBuffer,
    }
}

command!(
    /// Part 3, 26.2 TPM_DAA_Sign: one stage of signing with a DAA credential.
    DaaSign = TPM_ORD_DAA_Sign, DaaSignIn, 1, DaaSignOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        daa_join_in_round_trips: DaaJoinIn,
        daa_join_out_round_trips: DaaJoinOut,
        daa_sign_in_round_trips: DaaSignIn,
        daa_sign_out_round_trips: DaaSignOut,
    }

    #[test]
    fn daa_join_in_byte_picture() {
        byte_picture!(
            DaaJoinIn,
            [
                0x00, 0x00, 0x00, 0x00, // handle (stage 0 opens the session)
                0x00, // stage
                0x00, 0x00, 0x00, 0x04, // inputSize0
                0x00, 0x00, 0x00, 0x02, // inputData0: the count of issuer keys
                0x00, 0x00, 0x00, 0x00, // inputSize1: empty
            ],
            DaaJoinIn {
                handle: 0,
                stage: 0,
                input_data0: SizedBuffer(vec![0, 0, 0, 2]),
                input_data1: SizedBuffer(vec![]),
            }
        );
    }

    #[test]
    fn rejects_daa_sign_in_without_second_input() {
        let bytes = [0, 0, 0, 5, 3, 0, 0, 0, 1, 0xee];
        assert_eq!(
            DaaSignIn::from_bytes(&bytes),
            Err(MarshalError::Truncated {
                what: "TPM_DAA_Sign in.input_data1"
            })
        );
    }
}
