//! Part 3, 16 Integrity collection and reporting (PCRs).

use crate::{
    CapVersionInfo, Digest, Handle, Nonce, PcrComposite, PcrInfoShort, PcrSelection, Sized32,
    SizedBuffer,
};

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

tpm_struct! {
    /// Part 3, 16.3 TPM_Quote incoming parameters.
    pub struct QuoteIn = "TPM_Quote in" {
        /// `keyHandle`: the signing (or legacy/identity) key.
        pub key_handle: Handle,
        /// `externalData`: the caller's nonce, signed with the PCR composite.
        pub external_data: Nonce,
        /// `targetPCR`: the PCRs to report.
        pub target_pcr: PcrSelection,
    }
}

tpm_struct! {
    /// Part 3, 16.3 TPM_Quote outgoing parameters.
    pub struct QuoteOut = "TPM_Quote out" {
        /// `pcrData`: the selection and values of the quoted PCRs.
        pub pcr_data: PcrComposite,
        /// `sigSize` and `sig`: the signature over TPM_QUOTE_INFO.
        pub sig: SizedBuffer,
    }
}

command!(
    /// Part 3, 16.3 TPM_Quote: signs a set of PCR values and a nonce.
    Quote = TPM_ORD_Quote, QuoteIn, 1, QuoteOut, 0
);

tpm_struct! {
    /// Part 3, 16.4 TPM_PCR_Reset incoming parameters.
    pub struct PcrResetIn = "TPM_PCR_Reset in" {
        /// `pcrSelection`: the PCRs to reset.
        pub pcr_selection: PcrSelection,
    }
}

command!(
    /// Part 3, 16.4 TPM_PCR_Reset: resets resettable PCRs, as the locality allows.
    PcrReset = TPM_ORD_PCR_Reset, PcrResetIn, 0, (), 0
);

tpm_struct! {
    /// Part 3, 16.5 TPM_Quote2 incoming parameters.
    pub struct Quote2In = "TPM_Quote2 in" {
        /// `keyHandle`: the signing (or legacy/identity) key.
        pub key_handle: Handle,
        /// `externalData`: the caller's nonce.
        pub external_data: Nonce,
        /// `targetPCR`: the PCRs to report.
        pub target_pcr: PcrSelection,
        /// `addVersion`: TRUE to include TPM_CAP_VERSION_INFO in the signed data.
        pub add_version: bool,
    }
}

tpm_struct! {
    /// Part 3, 16.5 TPM_Quote2 outgoing parameters.
    pub struct Quote2Out = "TPM_Quote2 out" {
        /// `pcrData`: selection, locality and composite digest of the quoted PCRs.
        pub pcr_data: PcrInfoShort,
        /// `versionInfoSize` and `versionInfo`: present (TPM_CAP_VERSION_INFO) only when
        /// `addVersion` was TRUE, else size 0.
        pub version_info: Sized32<CapVersionInfo>,
        /// `sigSize` and `sig`: the signature over TPM_QUOTE_INFO2 (and the version info).
        pub sig: SizedBuffer,
    }
}

command!(
    /// Part 3, 16.5 TPM_Quote2: signs a TPM_PCR_INFO_SHORT view of the PCRs, with the
    /// locality, and optionally the TPM version.
    Quote2 = TPM_ORD_Quote2, Quote2In, 1, Quote2Out, 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        extend_in_round_trips: ExtendIn,
        extend_out_round_trips: ExtendOut,
        pcr_read_in_round_trips: PcrReadIn,
        pcr_read_out_round_trips: PcrReadOut,
        quote_in_round_trips: QuoteIn,
        quote_out_round_trips: QuoteOut,
        pcr_reset_in_round_trips: PcrResetIn,
        quote2_in_round_trips: Quote2In,
        quote2_out_round_trips: Quote2Out,
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

    #[test]
    fn quote_in_byte_picture() {
        let mut bytes = vec![0x01, 0x00, 0x00, 0x07]; // keyHandle
        bytes.extend_from_slice(&[0x44; 20]); // externalData
        bytes.extend_from_slice(&[0x00, 0x03, 0x81, 0x00, 0x00]); // targetPCR: 0 and 7
        byte_picture!(
            QuoteIn,
            bytes,
            QuoteIn {
                key_handle: 0x0100_0007,
                external_data: [0x44; 20],
                target_pcr: PcrSelection::new(3, &[0, 7]).unwrap(),
            }
        );
    }

    #[test]
    fn quote2_out_without_version_info_byte_picture() {
        let mut bytes = vec![0x00, 0x03, 0x00, 0x00, 0x01]; // pcrSelection: PCR 16
        bytes.push(0x01); // localityAtRelease TPM_LOC_ZERO
        bytes.extend_from_slice(&[0x77; 20]); // digestAtRelease
        bytes.extend_from_slice(&[0, 0, 0, 0]); // versionInfoSize 0
        bytes.extend_from_slice(&[0, 0, 0, 2, 0x5A, 0x5B]); // sigSize, sig
        byte_picture!(
            Quote2Out,
            bytes,
            Quote2Out {
                pcr_data: PcrInfoShort {
                    pcr_selection: PcrSelection::new(3, &[16]).unwrap(),
                    locality_at_release: crate::LocalitySelection::TPM_LOC_ZERO,
                    digest_at_release: [0x77; 20],
                },
                version_info: Sized32(None),
                sig: SizedBuffer(vec![0x5A, 0x5B]),
            }
        );
    }

    #[test]
    fn quote_takes_its_key_handle_as_an_input_handle() {
        use crate::Command;
        assert_eq!(
            (Quote::IN_HANDLES, Quote2::IN_HANDLES, PcrReset::IN_HANDLES),
            (1, 1, 0)
        );
    }
}
