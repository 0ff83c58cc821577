//! Part 3, 16 Integrity collection and reporting (PCRs).

use crate::Digest;

tpm_struct! {
    /// Part 3, 16.1 TPM_Extend incoming parameters.
    pub struct ExtendIn = "TPM_Extend in" {
        pub pcr_num: u32,
        pub in_digest: Digest,
    }
}

tpm_struct! {
    /// Part 3, 16.1 TPM_Extend outgoing parameters.
    pub struct ExtendOut = "TPM_Extend out" {
        pub out_digest: Digest,
    }
}

command!(
    /// Part 3, 16.1 TPM_Extend: extends a PCR with a digest.
    Extend = TPM_ORD_Extend, ExtendIn, 0, ExtendOut, 0
);

tpm_struct! {
    /// Part 3, 16.2 TPM_PCRRead incoming parameters.
    pub struct PcrReadIn = "TPM_PCRRead in" {
        pub pcr_index: u32,
    }
}

tpm_struct! {
    /// Part 3, 16.2 TPM_PCRRead outgoing parameters.
    pub struct PcrReadOut = "TPM_PCRRead out" {
        pub out_digest: Digest,
    }
}

command!(
    /// Part 3, 16.2 TPM_PCRRead: reads one PCR.
    PcrRead = TPM_ORD_PcrRead, PcrReadIn, 0, PcrReadOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        extend_in_round_trips: ExtendIn,
        extend_out_round_trips: ExtendOut,
        pcr_read_in_round_trips: PcrReadIn,
        pcr_read_out_round_trips: PcrReadOut,
    }

    #[test]
    fn extend_in_byte_picture() {
        let mut bytes = vec![0, 0, 0, 10];
        bytes.extend_from_slice(&[0x11; 20]);
        byte_picture!(
            ExtendIn,
            bytes,
            ExtendIn {
                pcr_num: 10,
                in_digest: [0x11; 20]
            }
        );
    }
}
