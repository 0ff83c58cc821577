//! Part 3, 25 Monotonic Counter.
//!
//! `countID` is a parameter in every one of these commands (it is part of the
//! inParamDigest and outParamDigest), so none has handles.

use crate::{AuthData, CounterValue};

tpm_struct! {
    /// Part 3, 25.1 TPM_CreateCounter incoming parameters.
    pub struct CreateCounterIn = "TPM_CreateCounter in" {
        /// `encAuth`: the encrypted authorization data for the counter.
        pub enc_auth: AuthData,
        /// `label`: the counter's label.
        pub label: [u8; 4],
    }
}

tpm_struct! {
    /// Part 3, 25.1 TPM_CreateCounter outgoing parameters.
    pub struct CreateCounterOut = "TPM_CreateCounter out" {
        /// `countID`: the new counter's handle.
        pub count_id: u32,
        /// `counterValue`: the counter's label and starting value.
        pub counter_value: CounterValue,
    }
}

command!(
    /// Part 3, 25.1 TPM_CreateCounter: creates a monotonic counter (owner authorized).
    CreateCounter = TPM_ORD_CreateCounter, CreateCounterIn, 0, CreateCounterOut, 0
);

tpm_struct! {
    /// Part 3, 25.2 TPM_IncrementCounter incoming parameters.
    pub struct IncrementCounterIn = "TPM_IncrementCounter in" {
        /// `countID`.
        pub count_id: u32,
    }
}

tpm_struct! {
    /// Part 3, 25.2 TPM_IncrementCounter outgoing parameters.
    pub struct IncrementCounterOut = "TPM_IncrementCounter out" {
        /// `count`: the counter after the increment.
        pub count: CounterValue,
    }
}

command!(
    /// Part 3, 25.2 TPM_IncrementCounter: increments a counter (counter authorized).
    IncrementCounter = TPM_ORD_IncrementCounter, IncrementCounterIn, 0, IncrementCounterOut, 0
);

tpm_struct! {
    /// Part 3, 25.3 TPM_ReadCounter incoming parameters.
    pub struct ReadCounterIn = "TPM_ReadCounter in" {
        /// `countID`.
        pub count_id: u32,
    }
}

tpm_struct! {
    /// Part 3, 25.3 TPM_ReadCounter outgoing parameters.
    pub struct ReadCounterOut = "TPM_ReadCounter out" {
        /// `count`.
        pub count: CounterValue,
    }
}

command!(
    /// Part 3, 25.3 TPM_ReadCounter: reads a counter.
    ReadCounter = TPM_ORD_ReadCounter, ReadCounterIn, 0, ReadCounterOut, 0
);

tpm_struct! {
    /// Part 3, 25.4 TPM_ReleaseCounter incoming parameters.
    pub struct ReleaseCounterIn = "TPM_ReleaseCounter in" {
        /// `countID`.
        pub count_id: u32,
    }
}

command!(
    /// Part 3, 25.4 TPM_ReleaseCounter: releases a counter (counter authorized).
    ReleaseCounter = TPM_ORD_ReleaseCounter, ReleaseCounterIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 25.5 TPM_ReleaseCounterOwner incoming parameters.
    pub struct ReleaseCounterOwnerIn = "TPM_ReleaseCounterOwner in" {
        /// `countID`.
        pub count_id: u32,
    }
}

command!(
    /// Part 3, 25.5 TPM_ReleaseCounterOwner: releases a counter (owner authorized).
    ReleaseCounterOwner = TPM_ORD_ReleaseCounterOwner, ReleaseCounterOwnerIn, 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        create_counter_in_round_trips: CreateCounterIn,
        create_counter_out_round_trips: CreateCounterOut,
        increment_counter_in_round_trips: IncrementCounterIn,
        increment_counter_out_round_trips: IncrementCounterOut,
        read_counter_in_round_trips: ReadCounterIn,
        read_counter_out_round_trips: ReadCounterOut,
        release_counter_in_round_trips: ReleaseCounterIn,
        release_counter_owner_in_round_trips: ReleaseCounterOwnerIn,
    }

    #[test]
    fn create_counter_out_byte_picture() {
        byte_picture!(
            CreateCounterOut,
            [
                0x00, 0x00, 0x00, 0x02, // countID
                0x00, 0x0e, // counterValue.tag TPM_TAG_COUNTER_VALUE
                b'b', b'o', b'o', b't', // counterValue.label
                0x00, 0x00, 0x00, 0x2a, // counterValue.counter
            ],
            CreateCounterOut {
                count_id: 2,
                counter_value: CounterValue {
                    label: *b"boot",
                    counter: 42,
                },
            }
        );
    }

    #[test]
    fn create_counter_in_byte_picture() {
        let mut bytes = [0x3c; 20].to_vec(); // encAuth
        bytes.extend_from_slice(b"boot"); // label
        byte_picture!(
            CreateCounterIn,
            bytes,
            CreateCounterIn {
                enc_auth: [0x3c; 20],
                label: *b"boot",
            }
        );
    }
}
