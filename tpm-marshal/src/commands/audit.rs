//! Part 3, 8 Auditing.

use crate::{
    CounterValue, Digest, Handle, Marshal, MarshalError, Nonce, Ordinal, Reader, SizedBuffer,
    Unmarshal, Writer,
};

/// Part 3, 8.3 TPM_GetAuditDigest `ordSize` and `ordList`: the audited ordinals, behind a
/// UINT32 size counted in bytes. A size that is not a multiple of 4 is `Inconsistent`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct OrdinalList {
    /// `ordList`, `ordSize / 4` ordinals.
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<Ordinal>(), 0..16)"
        )
    )]
    pub ordinals: Vec<Ordinal>,
}

impl Marshal for OrdinalList {
    fn marshal(&self, w: &mut Writer) {
        w.with_u32_size("TPM_GetAuditDigest.ordSize", |w| {
            for ordinal in &self.ordinals {
                ordinal.marshal(w);
            }
        });
    }
}

impl Unmarshal for OrdinalList {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let mut sub = r
            .sub_u32()
            .map_err(|e| e.at("TPM_GetAuditDigest.ordSize"))?;
        if sub.remaining() % 4 != 0 {
            return Err(MarshalError::Inconsistent {
                what: "TPM_GetAuditDigest.ordSize",
            });
        }
        let mut ordinals = Vec::with_capacity(sub.remaining() / 4);
        while !sub.is_empty() {
            ordinals.push(sub.read()?);
        }
        Ok(Self { ordinals })
    }
}

tpm_struct! {
    /// Part 3, 8.3 TPM_GetAuditDigest incoming parameters.
    pub struct GetAuditDigestIn = "TPM_GetAuditDigest in" {
        /// `startOrdinal`: the lowest ordinal to list.
        pub start_ordinal: Ordinal,
    }
}

tpm_struct! {
    /// Part 3, 8.3 TPM_GetAuditDigest outgoing parameters.
    pub struct GetAuditDigestOut = "TPM_GetAuditDigest out" {
        /// `counterValue`: the audit monotonic counter.
        pub counter_value: CounterValue,
        /// `auditDigest`.
        pub audit_digest: Digest,
        /// `more`: TRUE if ordinals above the last one listed are audited too.
        pub more: bool,
        /// `ordSize` and `ordList`.
        pub ord_list: OrdinalList,
    }
}

command!(
    /// Part 3, 8.3 TPM_GetAuditDigest: reads the audit digest and the audited ordinals.
    GetAuditDigest = TPM_ORD_GetAuditDigest, GetAuditDigestIn, 0, GetAuditDigestOut, 0
);

tpm_struct! {
    /// Part 3, 8.4 TPM_GetAuditDigestSigned incoming parameters.
    pub struct GetAuditDigestSignedIn = "TPM_GetAuditDigestSigned in" {
        /// `keyHandle`: the signing key.
        pub key_handle: Handle,
        /// `closeAudit`: TRUE to close the audit session after signing.
        pub close_audit: bool,
        /// `antiReplay`.
        pub anti_replay: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 8.4 TPM_GetAuditDigestSigned outgoing parameters.
    pub struct GetAuditDigestSignedOut = "TPM_GetAuditDigestSigned out" {
        /// `counterValue`.
        pub counter_value: CounterValue,
        /// `auditDigest`.
        pub audit_digest: Digest,
        /// `ordinalDigest`: the digest of the audited-ordinal list.
        pub ordinal_digest: Digest,
        /// `sigSize` and `sig`.
        pub sig: SizedBuffer,
    }
}

command!(
    /// Part 3, 8.4 TPM_GetAuditDigestSigned: signs the audit digest.
    GetAuditDigestSigned = TPM_ORD_GetAuditDigestSigned, GetAuditDigestSignedIn, 1, GetAuditDigestSignedOut, 0
);

tpm_struct! {
    /// Part 3, 8.5 TPM_SetOrdinalAuditStatus incoming parameters.
    pub struct SetOrdinalAuditStatusIn = "TPM_SetOrdinalAuditStatus in" {
        /// `ordinalToAudit`.
        pub ordinal_to_audit: Ordinal,
        /// `auditState`: TRUE to audit the ordinal.
        pub audit_state: bool,
    }
}

command!(
    /// Part 3, 8.5 TPM_SetOrdinalAuditStatus: turns auditing of one ordinal on or off
    /// (owner authorized).
    SetOrdinalAuditStatus = TPM_ORD_SetOrdinalAuditStatus, SetOrdinalAuditStatusIn, 0, (), 0
);

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        ordinal_list_round_trips: OrdinalList,
        get_audit_digest_in_round_trips: GetAuditDigestIn,
        get_audit_digest_out_round_trips: GetAuditDigestOut,
        get_audit_digest_signed_in_round_trips: GetAuditDigestSignedIn,
        get_audit_digest_signed_out_round_trips: GetAuditDigestSignedOut,
        set_ordinal_audit_status_in_round_trips: SetOrdinalAuditStatusIn,
    }

    #[test]
    fn get_audit_digest_out_byte_picture() {
        let mut bytes = vec![
            0x00, 0x0e, // counterValue.tag TPM_TAG_COUNTER_VALUE
            b'A', b'U', b'D', b'T', // counterValue.label
            0x00, 0x00, 0x00, 0x05, // counterValue.counter
        ];
        bytes.extend_from_slice(&[0x5d; 20]); // auditDigest
        bytes.extend_from_slice(&[
            0x00, // more FALSE
            0x00, 0x00, 0x00, 0x08, // ordSize: 8 bytes, two ordinals
            0x00, 0x00, 0x00, 0x0d, // TPM_ORD_TakeOwnership
            0x00, 0x00, 0x00, 0x8d, // TPM_ORD_SetOrdinalAuditStatus
        ]);
        byte_picture!(
            GetAuditDigestOut,
            bytes,
            GetAuditDigestOut {
                counter_value: CounterValue {
                    label: *b"AUDT",
                    counter: 5,
                },
                audit_digest: [0x5d; 20],
                more: false,
                ord_list: OrdinalList {
                    ordinals: vec![
                        Ordinal::TPM_ORD_TakeOwnership,
                        Ordinal::TPM_ORD_SetOrdinalAuditStatus
                    ],
                },
            }
        );
    }

    #[test]
    fn rejects_ord_size_not_a_multiple_of_four() {
        assert_eq!(
            OrdinalList::from_bytes(&[0, 0, 0, 3, 0, 0, 0x0d]),
            Err(MarshalError::Inconsistent {
                what: "TPM_GetAuditDigest.ordSize"
            })
        );
    }

    #[test]
    fn set_ordinal_audit_status_in_byte_picture() {
        byte_picture!(
            SetOrdinalAuditStatusIn,
            [
                0x00, 0x00, 0x00, 0x0c, // ordinalToAudit TPM_ORD_ChangeAuth
                0x01, // auditState TRUE
            ],
            SetOrdinalAuditStatusIn {
                ordinal_to_audit: Ordinal::TPM_ORD_ChangeAuth,
                audit_state: true,
            }
        );
    }
}
