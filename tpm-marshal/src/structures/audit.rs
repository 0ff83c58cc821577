//! Part 2, 14: audit structures, the records extended into the audit digest.

use crate::{CounterValue, Digest, StructureTag};

tpm_struct! {
    /// Part 2, 14.1 TPM_AUDIT_EVENT_IN: an audited command's input-parameter digest and the
    /// audit counter.
    pub struct AuditEventIn = "TPM_AUDIT_EVENT_IN" [tag = StructureTag::TPM_TAG_AUDIT_EVENT_IN] {
        pub input_parms: Digest,
        pub audit_count: CounterValue,
    }
}

tpm_struct! {
    /// Part 2, 14.2 TPM_AUDIT_EVENT_OUT: an audited command's output-parameter digest and
    /// the audit counter.
    ///
    /// Rev 116 has no `ordinal` or `returnCode` field here (earlier revisions, and the
    /// TrouSerS headers, did): both are already inside `outputParms`.
    pub struct AuditEventOut = "TPM_AUDIT_EVENT_OUT" [tag = StructureTag::TPM_TAG_AUDIT_EVENT_OUT] {
        pub output_parms: Digest,
        pub audit_count: CounterValue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        audit_event_in_round_trips: AuditEventIn,
        audit_event_out_round_trips: AuditEventOut,
    }

    #[test]
    fn audit_event_out_byte_picture() {
        let mut bytes = vec![0x00, 0x13]; // tag = TPM_TAG_AUDIT_EVENT_OUT
        bytes.extend_from_slice(&[0x44; 20]); // outputParms
        bytes.extend_from_slice(&[
            0x00, 0x0e, // auditCount.tag = TPM_TAG_COUNTER_VALUE
            0, 0, 0, 0, // auditCount.label
            0x00, 0x00, 0x00, 0x09, // auditCount.counter
        ]);
        byte_picture!(
            AuditEventOut,
            bytes,
            AuditEventOut {
                output_parms: [0x44; 20],
                audit_count: CounterValue {
                    label: [0; 4],
                    counter: 9,
                },
            }
        );
    }

    #[test]
    fn rejects_audit_event_in_with_out_tag() {
        let mut bytes = vec![0x00, 0x13];
        bytes.extend_from_slice(&[0; 30]);
        assert_eq!(
            AuditEventIn::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_AUDIT_EVENT_IN",
                found: 0x13
            })
        );
    }
}
