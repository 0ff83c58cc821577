//! Part 2, 8: PCR structures.

use crate::{Digest, LocalitySelection, Marshal, MarshalError, Reader, Unmarshal, Writer};

/// Part 2, 8.1 TPM_PCR_SELECTION: a bit map of PCRs, PCR `i` is bit `i % 8` of byte `i / 8`.
///
/// The wire allows any `sizeOfSelect`; whether a size is acceptable is the TPM's decision
/// (TPM_INVALID_PCR_INFO), not the decoder's.
#[doc(alias = "TPM_PCR_SELECTION")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PcrSelection {
    /// The `pcrSelect` bytes; their count is `sizeOfSelect`.
    pub pcr_select: Vec<u8>,
}

impl PcrSelection {
    /// A selection of `size_of_select` bytes with the listed PCRs set; `None` if a PCR does
    /// not fit.
    pub fn new(size_of_select: usize, pcrs: &[u32]) -> Option<Self> {
        let mut pcr_select = vec![0u8; size_of_select];
        for &i in pcrs {
            let byte = pcr_select.get_mut(usize::try_from(i / 8).ok()?)?;
            *byte |= 1 << (i % 8);
        }
        Some(Self { pcr_select })
    }

    /// True if PCR `i` is selected.
    pub fn is_selected(&self, i: u32) -> bool {
        usize::try_from(i / 8)
            .ok()
            .and_then(|b| self.pcr_select.get(b))
            .is_some_and(|byte| byte & (1 << (i % 8)) != 0)
    }

    /// The selected PCR indices in ascending order.
    pub fn indices(&self) -> impl Iterator<Item = u32> + '_ {
        self.pcr_select.iter().zip(0u32..).flat_map(|(byte, b)| {
            (0..8u32)
                .filter(move |bit| byte & (1 << bit) != 0)
                .map(move |bit| b * 8 + bit)
        })
    }

    /// True if no PCR is selected.
    pub fn is_empty(&self) -> bool {
        self.pcr_select.iter().all(|b| *b == 0)
    }
}

impl Marshal for PcrSelection {
    fn marshal(&self, w: &mut Writer) {
        w.with_u16_size("TPM_PCR_SELECTION.sizeOfSelect", |w| {
            w.bytes(&self.pcr_select)
        });
    }
}

impl Unmarshal for PcrSelection {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let sub = r
            .sub_u16()
            .map_err(|e| e.at("TPM_PCR_SELECTION.sizeOfSelect"))?;
        Ok(Self {
            pcr_select: sub.rest().to_vec(),
        })
    }
}

/// Part 2, 8.2 TPM_PCR_COMPOSITE: a selection and the values of the selected PCRs.
///
/// `valueSize` must be a multiple of 20; it is not checked against the selection here
/// (that is the TPM's business).
#[doc(alias = "TPM_PCR_COMPOSITE")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PcrComposite {
    /// `select`.
    pub select: PcrSelection,
    /// `pcrValue`, one digest per selected PCR in ascending PCR order.
    pub pcr_values: Vec<Digest>,
}

impl Marshal for PcrComposite {
    fn marshal(&self, w: &mut Writer) {
        self.select.marshal(w);
        w.with_u32_size("TPM_PCR_COMPOSITE.valueSize", |w| {
            for v in &self.pcr_values {
                w.bytes(v);
            }
        });
    }
}

impl Unmarshal for PcrComposite {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let select = PcrSelection::unmarshal(r).map_err(|e| e.at("TPM_PCR_COMPOSITE.select"))?;
        let mut sub = r
            .sub_u32()
            .map_err(|e| e.at("TPM_PCR_COMPOSITE.valueSize"))?;
        if sub.remaining() % 20 != 0 {
            return Err(MarshalError::Inconsistent {
                what: "TPM_PCR_COMPOSITE.valueSize",
            });
        }
        let mut pcr_values = Vec::with_capacity(sub.remaining() / 20);
        while !sub.is_empty() {
            pcr_values.push(sub.array()?);
        }
        Ok(Self { select, pcr_values })
    }
}

tpm_struct! {
    /// Part 2, 8.3 TPM_PCR_INFO: the 1.1 form, used by TPM_KEY and TPM_STORED_DATA.
    pub struct PcrInfo = "TPM_PCR_INFO" {
        pub pcr_selection: PcrSelection,
        pub digest_at_release: Digest,
        pub digest_at_creation: Digest,
    }
}

tpm_struct! {
    /// Part 2, 8.4 TPM_PCR_INFO_LONG: the 1.2 form with localities and separate creation and
    /// release selections, used by TPM_KEY12 and TPM_STORED_DATA12.
    pub struct PcrInfoLong = "TPM_PCR_INFO_LONG" [tag = crate::StructureTag::TPM_TAG_PCR_INFO_LONG] {
        pub locality_at_creation: LocalitySelection,
        pub locality_at_release: LocalitySelection,
        pub creation_pcr_selection: PcrSelection,
        pub release_pcr_selection: PcrSelection,
        pub digest_at_creation: Digest,
        pub digest_at_release: Digest,
    }
}

tpm_struct! {
    /// Part 2, 8.5 TPM_PCR_INFO_SHORT: selection, release locality and release digest only
    /// (NV areas, Quote2, delegations, transport).
    pub struct PcrInfoShort = "TPM_PCR_INFO_SHORT" {
        pub pcr_selection: PcrSelection,
        pub locality_at_release: LocalitySelection,
        pub digest_at_release: Digest,
    }
}

tpm_struct! {
    /// Part 2, 8.9 TPM_PCR_ATTRIBUTES: whether a PCR is resettable and which localities may
    /// extend and reset it (values set by the platform specification).
    pub struct PcrAttributes = "TPM_PCR_ATTRIBUTES" {
        pub pcr_reset: bool,
        pub pcr_extend_local: LocalitySelection,
        pub pcr_reset_local: LocalitySelection,
    }
}

#[cfg(test)]
mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    impl Arbitrary for PcrSelection {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            proptest::collection::vec(any::<u8>(), 0..5)
                .prop_map(|pcr_select| Self { pcr_select })
                .boxed()
        }
    }

    impl Arbitrary for PcrComposite {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            (
                any::<PcrSelection>(),
                proptest::collection::vec(any::<Digest>(), 0..4),
            )
                .prop_map(|(select, pcr_values)| Self { select, pcr_values })
                .boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        pcr_selection_round_trips: PcrSelection,
        pcr_composite_round_trips: PcrComposite,
        pcr_info_round_trips: PcrInfo,
        pcr_info_long_round_trips: PcrInfoLong,
        pcr_info_short_round_trips: PcrInfoShort,
        pcr_attributes_round_trips: PcrAttributes,
    }

    #[test]
    fn selection_bit_i_is_bit_i_mod_8_of_byte_i_div_8() {
        let s = PcrSelection::new(3, &[0, 9, 23]).unwrap();
        assert_eq!(s.pcr_select, [0x01, 0x02, 0x80]);
        assert_eq!(s.indices().collect::<Vec<_>>(), [0, 9, 23]);
        assert!(s.is_selected(9) && !s.is_selected(8) && !s.is_selected(24));
        assert!(PcrSelection::new(3, &[24]).is_none());
    }

    #[test]
    fn rejects_composite_value_size_not_a_multiple_of_20() {
        let bytes = [0, 1, 0x01, 0, 0, 0, 19];
        let mut input = bytes.to_vec();
        input.extend_from_slice(&[0; 19]);
        assert_eq!(
            PcrComposite::from_bytes(&input),
            Err(MarshalError::Inconsistent {
                what: "TPM_PCR_COMPOSITE.valueSize"
            })
        );
    }

    #[test]
    fn pcr_info_long_byte_picture() {
        let mut bytes = vec![
            0x00, 0x06, 0x01, 0x1f, 0, 3, 0x01, 0x00, 0x00, 0, 3, 0x00, 0x00, 0x80,
        ];
        bytes.extend_from_slice(&[0xaa; 20]);
        bytes.extend_from_slice(&[0xbb; 20]);
        byte_picture!(
            PcrInfoLong,
            bytes,
            PcrInfoLong {
                locality_at_creation: LocalitySelection::TPM_LOC_ZERO,
                locality_at_release: LocalitySelection(0x1f),
                creation_pcr_selection: PcrSelection::new(3, &[0]).unwrap(),
                release_pcr_selection: PcrSelection::new(3, &[23]).unwrap(),
                digest_at_creation: [0xaa; 20],
                digest_at_release: [0xbb; 20],
            }
        );
    }

    #[test]
    fn rejects_pcr_info_long_with_wrong_tag() {
        let mut bytes = vec![0x00, 0x07, 0, 0, 0, 0, 0, 0];
        bytes.extend_from_slice(&[0; 40]);
        assert_eq!(
            PcrInfoLong::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_PCR_INFO_LONG",
                found: 7
            })
        );
    }
}
