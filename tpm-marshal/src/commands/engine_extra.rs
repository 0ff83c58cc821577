//! Commands the engine needed before their chapter modules existed: Part 3, 22 eviction
//! (TPM_FlushSpecific), 23 timing (TPM_GetTicks) and 27 deprecated (TPM_Terminate_Handle,
//! TPM_Reset). Move them to their chapter modules when those are written.

use crate::{CurrentTicks, Handle, ResourceType};

tpm_struct! {
    /// Part 3, 22.1 TPM_FlushSpecific incoming parameters.
    pub struct FlushSpecificIn = "TPM_FlushSpecific in" {
        /// `handle` (an input handle): the resource to flush.
        pub handle: Handle,
        /// `resourceType`.
        pub resource_type: ResourceType,
    }
}

command!(
    /// Part 3, 22.1 TPM_FlushSpecific: releases a key, session or other resource.
    FlushSpecific = TPM_ORD_FlushSpecific, FlushSpecificIn, 1, (), 0
);

tpm_struct! {
    /// Part 3, 23.2 TPM_GetTicks outgoing parameters.
    pub struct GetTicksOut = "TPM_GetTicks out" {
        /// `currentTime`.
        pub current_time: CurrentTicks,
    }
}

command!(
    /// Part 3, 23.2 TPM_GetTicks: the tick counter and its session nonce.
    GetTicks = TPM_ORD_GetTicks, (), 0, GetTicksOut, 0
);

tpm_struct! {
    /// Part 3, 27.1.2 TPM_Terminate_Handle incoming parameters.
    pub struct TerminateHandleIn = "TPM_Terminate_Handle in" {
        /// `handle` (an input handle): the auth session to close.
        pub handle: Handle,
    }
}

command!(
    /// Part 3, 27.1.2 TPM_Terminate_Handle (deprecated): closes an auth session.
    TerminateHandle = TPM_ORD_Terminate_Handle, TerminateHandleIn, 1, (), 0
);

command!(
    /// Part 3, 27.2 TPM_Reset (deprecated): releases every auth session.
    Reset = TPM_ORD_Reset, (), 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        flush_specific_in_round_trips: FlushSpecificIn,
        get_ticks_out_round_trips: GetTicksOut,
        terminate_handle_in_round_trips: TerminateHandleIn,
    }

    #[test]
    fn flush_specific_in_byte_picture() {
        byte_picture!(
            FlushSpecificIn,
            [0, 0, 0, 9, 0, 0, 0, 2],
            FlushSpecificIn {
                handle: 9,
                resource_type: ResourceType::TPM_RT_AUTH
            }
        );
    }
}
