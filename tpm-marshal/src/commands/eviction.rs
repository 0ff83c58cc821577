//! Part 3, 22 Eviction.

use crate::{Handle, ResourceType};

tpm_struct! {
    /// Part 3, 22.1 TPM_FlushSpecific incoming parameters.
    pub struct FlushSpecificIn = "TPM_FlushSpecific in" {
        /// `handle`: the resource to flush.
        pub handle: Handle,
        /// `resourceType`: what `handle` is.
        pub resource_type: ResourceType,
    }
}

command!(
    /// Part 3, 22.1 TPM_FlushSpecific: flushes one loaded resource (key, session,
    /// transport, saved context, DAA session).
    FlushSpecific = TPM_ORD_FlushSpecific, FlushSpecificIn, 1, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        flush_specific_in_round_trips: FlushSpecificIn,
    }

    #[test]
    fn flush_specific_in_byte_picture() {
        byte_picture!(
            FlushSpecificIn,
            [
                0x01, 0x00, 0x00, 0x05, // handle
                0x00, 0x00, 0x00, 0x01, // resourceType TPM_RT_KEY
            ],
            FlushSpecificIn {
                handle: 0x0100_0005,
                resource_type: ResourceType::TPM_RT_KEY,
            }
        );
    }
}
