//! Part 2, 5.13 and 15: monotonic counter and tick structures.

use crate::{Nonce, StructureTag};

tpm_struct! {
    /// Part 2, 5.13 TPM_COUNTER_VALUE: a monotonic counter's label and value (ReadCounter,
    /// IncrementCounter, the audit counter).
    pub struct CounterValue = "TPM_COUNTER_VALUE" [tag = StructureTag::TPM_TAG_COUNTER_VALUE] {
        pub label: [u8; 4],
        pub counter: u32,
    }
}

tpm_struct! {
    /// Part 2, 15.1 TPM_CURRENT_TICKS: the tick counter, its rate in microseconds per tick,
    /// and the nonce that identifies the tick session.
    pub struct CurrentTicks = "TPM_CURRENT_TICKS" [tag = StructureTag::TPM_TAG_CURRENT_TICKS] {
        pub current_ticks: u64,
        pub tick_rate: u16,
        pub tick_nonce: Nonce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        counter_value_round_trips: CounterValue,
        current_ticks_round_trips: CurrentTicks,
    }

    #[test]
    fn counter_value_byte_picture() {
        byte_picture!(
            CounterValue,
            [
                0x00, 0x0e, // tag = TPM_TAG_COUNTER_VALUE
                b'A', b'U', b'D', b'T', // label
                0x00, 0x00, 0x01, 0x02, // counter
            ],
            CounterValue {
                label: *b"AUDT",
                counter: 0x102,
            }
        );
    }

    #[test]
    fn current_ticks_byte_picture() {
        let mut bytes = vec![
            0x00, 0x14, // tag = TPM_TAG_CURRENT_TICKS
            0, 0, 0, 0, 0, 0, 0x12, 0x34, // currentTicks
            0x00, 0x01, // tickRate: 1 microsecond per tick
        ];
        bytes.extend_from_slice(&[0x77; 20]); // tickNonce
        byte_picture!(
            CurrentTicks,
            bytes,
            CurrentTicks {
                current_ticks: 0x1234,
                tick_rate: 1,
                tick_nonce: [0x77; 20],
            }
        );
    }

    #[test]
    fn rejects_counter_value_with_wrong_tag() {
        assert_eq!(
            CounterValue::from_bytes(&[0x00, 0x14, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_COUNTER_VALUE",
                found: 0x14
            })
        );
    }

    #[test]
    fn rejects_truncated_current_ticks() {
        assert_eq!(
            CurrentTicks::from_bytes(&[0x00, 0x14, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
            Err(MarshalError::Truncated {
                what: "TPM_CURRENT_TICKS.tick_rate"
            })
        );
    }
}
