//! The NV storage model (Part 1, 20 "Non-volatile storage"; Part 2, 19): the defined areas
//! with their public description, auth value and data, the space they take, and the
//! attribute checks the NV commands share. The handlers live in
//! [`crate::ordinals::nv`]; this module holds values and rules, not command plumbing.
//!
//! Areas live in TPM_PERMANENT_DATA, so they survive restarts. The per-boot locks
//! (bReadSTClear, bWriteSTClear) live in TPM_STCLEAR_DATA ([`NvLocks`]), so
//! TPM_Startup(ST_CLEAR) resets them and TPM_SaveState / TPM_Startup(ST_STATE) keep them;
//! bWriteDefine is permanent and lives in the area's public part.

use crate::secret::Secret;
use crate::sessions::sha1;
use crate::state::{locality_selected, NUM_PCRS};
use std::collections::{BTreeMap, BTreeSet};
use tpm_marshal::{
    Digest, LocalitySelection, Marshal, NvAttributes, NvDataPublic, NvIndex, PcrInfoShort,
    PcrSelection, ReturnCode, Writer,
};

/// Bytes of area data the TPM can hold (ordinals.md "Capacities": 2048 + 26 KiB, as
/// libtpms fixes it).
pub const NV_SPACE: u32 = 2048 + 26 * 1024;
/// How many areas may be defined at once, so the permanent blob stays bounded.
pub const MAX_NV_AREAS: usize = 128;
/// Part 2, 4.4.1 TPM_MAX_NV_WRITE_NOOWNER: unauthorized NV writes allowed without an owner.
pub const MAX_NV_WRITE_NOOWNER: u32 = 64;
/// Part 2, 19.1.2: the index range a PC Client reserves for GPIO (TPM_NV_INDEX_GPIO_00
/// .. +0xFF); this TPM has no GPIO pins, so these indices cannot be defined.
const GPIO_RANGE: core::ops::RangeInclusive<u32> = 0x0001_1600..=0x0001_16FF;

/// Part 2, 19.4 TPM_NV_DATA_SENSITIVE as the engine keeps it: the public part (its
/// bReadSTClear and bWriteSTClear stay FALSE here; see [`NvLocks`]), the auth value and the
/// data.
#[derive(Debug, Clone)]
pub struct NvArea {
    /// pubInfo (bWriteDefine is kept here).
    pub public: NvDataPublic,
    /// authValue.
    pub auth: Secret,
    /// data, `public.data_size` bytes.
    pub data: Vec<u8>,
}

impl NvArea {
    /// The area's attribute bits.
    pub fn attributes(&self) -> NvAttributes {
        self.public.permission.attributes
    }

    /// True if the area has every bit of `bits`.
    pub fn has(&self, bits: NvAttributes) -> bool {
        self.attributes().contains(bits)
    }
}

/// The defined NV areas, by index.
#[derive(Debug, Clone, Default)]
pub struct NvStore {
    areas: BTreeMap<u32, NvArea>,
}

impl NvStore {
    /// The area at `index`.
    pub fn get(&self, index: u32) -> Option<&NvArea> {
        self.areas.get(&index)
    }

    /// The area at `index`, mutably.
    pub fn get_mut(&mut self, index: u32) -> Option<&mut NvArea> {
        self.areas.get_mut(&index)
    }

    /// Defines (or replaces) an area.
    pub fn insert(&mut self, area: NvArea) {
        self.areas.insert(area.public.nv_index.0, area);
    }

    /// Deletes the area at `index`; false if there was none.
    pub fn remove(&mut self, index: u32) -> bool {
        self.areas.remove(&index).is_some()
    }

    /// Every area, by ascending index.
    pub fn iter(&self) -> impl Iterator<Item = &NvArea> {
        self.areas.values()
    }

    /// Number of defined areas.
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// Data bytes in use by every area but `except`.
    fn used_except(&self, except: u32) -> u64 {
        self.areas
            .values()
            .filter(|a| a.public.nv_index.0 != except)
            .map(|a| u64::from(a.public.data_size))
            .sum()
    }

    /// Bytes still free (TPM_CAP_PROP_MAX_NV_AVAILABLE).
    pub fn available(&self) -> u32 {
        let used = self.used_except(NvIndex::TPM_NV_INDEX_LOCK.0);
        u32::try_from(u64::from(NV_SPACE).saturating_sub(used)).unwrap_or(0)
    }

    /// Part 3, 20.1 step 11: room for an area of `size` bytes at `index`, counting the space
    /// the area it replaces frees (TPM_NOSPACE otherwise).
    pub fn check_space(&self, index: u32, size: u32) -> Result<(), ReturnCode> {
        let replaces = self.areas.contains_key(&index);
        let count = self.areas.len() - usize::from(replaces);
        let used = self.used_except(index);
        if count >= MAX_NV_AREAS || used + u64::from(size) > u64::from(NV_SPACE) {
            return Err(ReturnCode::TPM_NOSPACE);
        }
        Ok(())
    }
}

/// The per-boot NV locks kept in TPM_STCLEAR_DATA: the indices whose bReadSTClear or
/// bWriteSTClear is TRUE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NvLocks {
    /// Indices with bReadSTClear TRUE.
    pub read: BTreeSet<u32>,
    /// Indices with bWriteSTClear TRUE.
    pub write: BTreeSet<u32>,
}

impl NvLocks {
    /// Forgets both locks of `index` (the area was deleted).
    pub fn forget(&mut self, index: u32) {
        self.read.remove(&index);
        self.write.remove(&index);
    }
}

/// Part 2, 19.3 TPM_NV_DATA_PUBLIC as TPM_CAP_NV_INDEX reports it, with the per-boot locks.
pub fn reported_public(area: &NvArea, locks: &NvLocks) -> NvDataPublic {
    let index = area.public.nv_index.0;
    NvDataPublic {
        b_read_st_clear: locks.read.contains(&index),
        b_write_st_clear: locks.write.contains(&index),
        ..area.public.clone()
    }
}

/// Part 3, 20.1 step 9.e: an index that may name a defined area: not one of the special
/// indices, no reserved bits, not in the GPIO range (TPM_BADINDEX otherwise).
pub fn check_definable_index(index: NvIndex) -> Result<(), ReturnCode> {
    let special = [
        NvIndex::TPM_NV_INDEX_LOCK,
        NvIndex::TPM_NV_INDEX0,
        NvIndex::TPM_NV_INDEX_DIR,
    ];
    if special.contains(&index)
        || index.0 & NvIndex::RESERVED_BITS != 0
        || GPIO_RANGE.contains(&index.0)
    {
        return Err(ReturnCode::TPM_BADINDEX);
    }
    Ok(())
}

/// Part 3, 20.1 steps 7-8: a PCR selection of at most [`NUM_PCRS`] PCRs and a locality
/// selection of localities 0-4, not empty (TPM_INVALID_STRUCTURE otherwise).
pub fn check_pcr_info(info: &PcrInfoShort) -> Result<(), ReturnCode> {
    let locality = info.locality_at_release.0;
    if info.pcr_selection.pcr_select.len() > NUM_PCRS / 8 || locality == 0 || locality > 0x1f {
        return Err(ReturnCode::TPM_INVALID_STRUCTURE);
    }
    Ok(())
}

/// Part 2, 8.1 TPM_PCR_COMPOSITE hashed: SHA-1(select || valueSize || the selected PCRs).
pub fn pcr_composite_digest(selection: &PcrSelection, pcrs: &[Digest; NUM_PCRS]) -> Digest {
    let values: Vec<u8> = selection
        .indices()
        .filter_map(|i| usize::try_from(i).ok().and_then(|i| pcrs.get(i)))
        .flat_map(|v| v.iter().copied())
        .collect();
    let mut w = Writer::new();
    selection.marshal(&mut w);
    w.u32(u32::try_from(values.len()).unwrap_or(0));
    w.bytes(&values);
    sha1(&[w.as_bytes()])
}

/// Part 3, 20.2-20.5: the locality check (TPM_BAD_LOCALITY) then, if PCRs are selected, the
/// PCR check (TPM_WRONGPCRVAL) of an area's pcrInfoRead or pcrInfoWrite.
pub fn check_locality(info: &PcrInfoShort, locality: u32) -> Result<(), ReturnCode> {
    let all = LocalitySelection(0x1f);
    if info.locality_at_release != all && !locality_selected(info.locality_at_release, locality) {
        return Err(ReturnCode::TPM_BAD_LOCALITY);
    }
    Ok(())
}

/// The PCR half of the access check: the composite of the selected PCRs must equal
/// digestAtRelease (TPM_WRONGPCRVAL).
pub fn check_pcrs(info: &PcrInfoShort, pcrs: &[Digest; NUM_PCRS]) -> Result<(), ReturnCode> {
    if info.pcr_selection.is_empty() {
        return Ok(());
    }
    let digest = pcr_composite_digest(&info.pcr_selection, pcrs);
    if digest != info.digest_at_release {
        return Err(ReturnCode::TPM_WRONGPCRVAL);
    }
    Ok(())
}

/// Part 3, 20.2 step 15.a-b / 20.4 step 11.a-b: `offset + len` within an area of `size`
/// bytes, as a byte range (TPM_NOSPACE otherwise).
pub fn span(offset: u32, len: usize, size: u32) -> Result<core::ops::Range<usize>, ReturnCode> {
    let start = usize::try_from(offset).map_err(|_| ReturnCode::TPM_NOSPACE)?;
    let end = start.checked_add(len).ok_or(ReturnCode::TPM_NOSPACE)?;
    if end > usize::try_from(size).unwrap_or(0) {
        return Err(ReturnCode::TPM_NOSPACE);
    }
    Ok(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tpm_marshal::NvPermission;

    fn area(index: u32, size: u32) -> NvArea {
        let any = PcrInfoShort {
            pcr_selection: PcrSelection::new(3, &[]).unwrap(),
            locality_at_release: LocalitySelection(0x1f),
            digest_at_release: [0; 20],
        };
        NvArea {
            public: NvDataPublic {
                nv_index: NvIndex(index),
                pcr_info_read: any.clone(),
                pcr_info_write: any,
                permission: NvPermission {
                    attributes: NvAttributes::TPM_NV_PER_PPWRITE,
                },
                b_read_st_clear: false,
                b_write_st_clear: false,
                b_write_define: false,
                data_size: size,
            },
            auth: Secret::default(),
            data: vec![0xff; size as usize],
        }
    }

    #[test]
    fn space_counts_data_bytes_and_what_a_redefinition_frees() {
        let mut nv = NvStore::default();
        nv.insert(area(1, NV_SPACE - 100));
        assert_eq!(nv.available(), 100);
        assert_eq!(nv.check_space(2, 100), Ok(()));
        assert_eq!(nv.check_space(2, 101), Err(ReturnCode::TPM_NOSPACE));
        assert_eq!(nv.check_space(1, NV_SPACE), Ok(()));
    }

    #[test]
    fn area_count_is_bounded() {
        let mut nv = NvStore::default();
        for i in 0..u32::try_from(MAX_NV_AREAS).unwrap() {
            nv.insert(area(i + 1, 1));
        }
        assert_eq!(nv.check_space(0xffff, 1), Err(ReturnCode::TPM_NOSPACE));
        assert_eq!(nv.check_space(1, 1), Ok(()));
    }

    #[test]
    fn special_reserved_and_gpio_indices_are_not_definable() {
        for i in [0xffff_ffff, 0, 0x1000_0001, 0x0100_0000, 0x0001_1600] {
            assert_eq!(
                check_definable_index(NvIndex(i)),
                Err(ReturnCode::TPM_BADINDEX)
            );
        }
        assert_eq!(check_definable_index(NvIndex(0x1000_f000)), Ok(()));
    }

    #[test]
    fn span_refuses_overflow_and_overrun() {
        assert_eq!(span(2, 3, 5), Ok(2..5));
        assert_eq!(span(3, 3, 5), Err(ReturnCode::TPM_NOSPACE));
        assert_eq!(span(u32::MAX, 2, 5), Err(ReturnCode::TPM_NOSPACE));
    }

    #[test]
    fn composite_digest_covers_selection_size_and_values() {
        let mut pcrs = [[0u8; 20]; NUM_PCRS];
        pcrs[1] = [1; 20];
        let sel = PcrSelection::new(3, &[1]).unwrap();
        let mut want = vec![0, 3, 2, 0, 0, 0, 0, 0, 20];
        want.extend_from_slice(&[1; 20]);
        assert_eq!(pcr_composite_digest(&sel, &pcrs), sha1(&[&want]));
    }
}
