//! Part 3, 23 Timing Ticks.

use crate::{CurrentTicks, Digest, Handle, Nonce, SizedBuffer};

tpm_struct! {
    /// Part 3, 23.1 TPM_GetTicks outgoing parameters.
    pub struct GetTicksOut = "TPM_GetTicks out" {
        /// `currentTime`.
        pub current_time: CurrentTicks,
    }
}

command!(
    /// Part 3, 23.1 TPM_GetTicks: reads the tick counter.
    GetTicks = TPM_ORD_GetTicks, (), 0, GetTicksOut, 0
);

tpm_struct! {
    /// Part 3, 23.2 TPM_TickStampBlob incoming parameters.
    pub struct TickStampBlobIn = "TPM_TickStampBlob in" {
        /// `keyHandle`: the signing key.
        pub key_handle: Handle,
        /// `antiReplay`.
        pub anti_replay: Nonce,
        /// `digestToStamp`.
        pub digest_to_stamp: Digest,
    }
}

tpm_struct! {
    /// Part 3, 23.2 TPM_TickStampBlob outgoing parameters.
    pub struct TickStampBlobOut = "TPM_TickStampBlob out" {
        /// `currentTicks`: the ticks at the time of signing.
        pub current_ticks: CurrentTicks,
        /// `sigSize` and `sig`.
        pub sig: SizedBuffer,
    }
}

command!(
    /// Part 3, 23.2 TPM_TickStampBlob: signs a digest together with the current ticks.
    TickStampBlob = TPM_ORD_TickStampBlob, TickStampBlobIn, 1, TickStampBlobOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        get_ticks_out_round_trips: GetTicksOut,
        tick_stamp_blob_in_round_trips: TickStampBlobIn,
        tick_stamp_blob_out_round_trips: TickStampBlobOut,
    }

    #[test]
    fn get_ticks_out_byte_picture() {
        let mut bytes = vec![
            0x00, 0x14, // currentTime.tag TPM_TAG_CURRENT_TICKS
            0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x42, 0x40, // currentTime.currentTicks
            0x00, 0x01, // currentTime.tickRate: 1 microsecond per tick
        ];
        bytes.extend_from_slice(&[0x7e; 20]); // currentTime.tickNonce
        byte_picture!(
            GetTicksOut,
            bytes,
            GetTicksOut {
                current_time: CurrentTicks {
                    current_ticks: 1_000_000,
                    tick_rate: 1,
                    tick_nonce: [0x7e; 20],
                },
            }
        );
    }
}
