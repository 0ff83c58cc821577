//! Part 3, 20 Non-volatile storage: TPM_NV_DefineSpace, TPM_NV_WriteValue,
//! TPM_NV_WriteValueAuth, TPM_NV_ReadValue, TPM_NV_ReadValueAuth, over the model in
//! [`crate::nv`]. While TPM_PERMANENT_FLAGS.nvLocked is FALSE the owner, physical-presence,
//! PCR, locality and lock checks are skipped (Part 3, 20.1 step 2, 20.2 step 1, 20.4
//! step 1), as swtpm_setup relies on; the maximum number of unauthorized writes is not.

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::nv::{self as model, NvArea};
use crate::ordinals::admin::set_permanent_flag;
use crate::secret::Secret;
use crate::sessions::SessionKind;
use crate::Tpm;
use tpm_marshal::commands::nv::{
    NvDefineSpace, NvDefineSpaceIn, NvReadValue, NvReadValueAuth, NvReadValueAuthIn,
    NvReadValueAuthOut, NvReadValueIn, NvReadValueOut, NvWriteValue, NvWriteValueAuth,
    NvWriteValueAuthIn, NvWriteValueIn,
};
use tpm_marshal::{
    EntityType, LocalitySelection, NvAttributes as A, NvDataPublic, NvIndex, ReturnCode,
    SizedBuffer,
};

impl Tpm {
    /// The defined area at `index` (TPM_BADINDEX if none).
    fn nv_area(&self, index: NvIndex) -> Result<&NvArea, ReturnCode> {
        self.state
            .permanent
            .nv
            .get(index.0)
            .ok_or(ReturnCode::TPM_BADINDEX)
    }

    /// The auth value of the area at `index`, for TPM_OSAP with TPM_ET_NV.
    pub(crate) fn nv_auth(&self, index: u32) -> Result<Secret, ReturnCode> {
        self.nv_area(NvIndex(index)).map(|a| a.auth.clone())
    }

    /// An area's own auth as the entity a session proves, if `needed` is among its
    /// attributes (TPM_AUTH_CONFLICT otherwise).
    fn nv_area_entity(&self, index: NvIndex, needed: A) -> Result<Entity, ReturnCode> {
        let area = self.nv_area(index)?;
        if !area.has(needed) {
            return Err(ReturnCode::TPM_AUTH_CONFLICT);
        }
        Ok(Entity {
            kind: EntityType::TPM_ET_NV,
            value: index.0,
            auth: area.auth.clone(),
            sessions: SessionTypes::Any,
        })
    }

    /// Part 3, 20.1 step 5.d / 20.2 step 5.b: without an owner, one more unauthorized write
    /// must stay within TPM_MAX_NV_WRITE_NOOWNER (TPM_MAXNVWRITES). Returns whether the
    /// write counts.
    fn nv_write_counts(&self) -> Result<bool, ReturnCode> {
        if self.state.permanent.owner_auth.is_some() {
            return Ok(false);
        }
        if self.state.permanent.no_owner_nv_write >= model::MAX_NV_WRITE_NOOWNER {
            return Err(ReturnCode::TPM_MAXNVWRITES);
        }
        Ok(true)
    }

    /// Records an unauthorized write that counts.
    fn count_nv_write(&mut self, counts: bool) {
        if counts {
            let n = &mut self.state.permanent.no_owner_nv_write;
            *n = n.saturating_add(1);
            self.permanent_dirty = true;
        }
    }

    /// Part 3, 20.2 step 3 / 20.4 step 3: an owner-controlled area of a locked TPM is out of
    /// reach while disabled or deactivated.
    fn nv_check_enabled(&self) -> Result<(), ReturnCode> {
        if self.state.permanent_flags.disable {
            Err(ReturnCode::TPM_DISABLED)
        } else if self.state.deactivated() {
            Err(ReturnCode::TPM_DEACTIVATED)
        } else {
            Ok(())
        }
    }

    /// Part 3, 20.1 step 6.d-f: deletes an area, its locks and the OSAP sessions opened
    /// for it.
    pub(crate) fn nv_delete(&mut self, index: u32) {
        if self.state.permanent.nv.remove(index) {
            self.permanent_dirty = true;
        }
        self.state.stclear.nv_locks.forget(index);
        let stale: Vec<u32> = self
            .sessions
            .iter()
            .filter(|s| {
                matches!(&s.kind, SessionKind::Osap { entity_type, entity_value, .. }
                    if *entity_type == EntityType::TPM_ET_NV && *entity_value == index)
            })
            .map(|s| s.handle)
            .collect();
        for handle in stale {
            self.sessions.close(handle);
        }
    }

    /// Part 3, 20.2 steps 10-12 / 20.3 steps 7-9: the write locks (TPM_AREA_LOCKED).
    fn nv_check_write_locks(&self, area: &NvArea) -> Result<(), ReturnCode> {
        let index = area.public.nv_index.0;
        let locked = (area.has(A::TPM_NV_PER_WRITEDEFINE) && area.public.b_write_define)
            || (area.has(A::TPM_NV_PER_GLOBALLOCK) && self.state.stclear_flags.b_global_lock)
            || (area.has(A::TPM_NV_PER_WRITE_STCLEAR)
                && self.state.stclear.nv_locks.write.contains(&index));
        if locked {
            return Err(ReturnCode::TPM_AREA_LOCKED);
        }
        Ok(())
    }

    /// Part 3, 20.1 steps 6.b-c: an area locked by bGlobalLock or bWriteSTClear cannot be
    /// redefined or deleted (TPM_AREA_LOCKED).
    fn nv_check_write_locks_for_define(&self, old: &NvArea) -> Result<(), ReturnCode> {
        let index = old.public.nv_index.0;
        if (old.has(A::TPM_NV_PER_GLOBALLOCK) && self.state.stclear_flags.b_global_lock)
            || (old.has(A::TPM_NV_PER_WRITE_STCLEAR)
                && self.state.stclear.nv_locks.write.contains(&index))
        {
            return Err(ReturnCode::TPM_AREA_LOCKED);
        }
        Ok(())
    }

    /// Part 3, 20.1 steps 4-5: the new area's auth value and whether the definition counts
    /// toward TPM_MAX_NV_WRITE_NOOWNER. The owner sends it under ADIP; without
    /// authorization it comes in the clear, and once NV is locked only with physical
    /// presence, no owner, and a size (deletion is the owner's).
    fn nv_define_auth(
        &self,
        cx: &Ctx,
        public: &NvDataPublic,
        enc_auth: [u8; 20],
    ) -> Result<(Secret, bool), ReturnCode> {
        if cx.auth_count() == 1 {
            return Ok((cx.adip_decrypt(0, &enc_auth, false)?, false));
        }
        if self.state.permanent_flags.nv_locked {
            if !self.physical_presence() {
                return Err(ReturnCode::TPM_BAD_PRESENCE);
            }
            if self.state.permanent.owner_auth.is_some() {
                return Err(ReturnCode::TPM_OWNER_SET);
            }
            if public.data_size == 0 {
                return Err(ReturnCode::TPM_BAD_DATASIZE);
            }
        }
        Ok((Secret::new(enc_auth), self.nv_write_counts()?))
    }

    /// Physical presence if `bit` is among the area's attributes (TPM_BAD_PRESENCE).
    fn nv_check_presence(&self, area: &NvArea, bit: A) -> Result<(), ReturnCode> {
        if area.has(bit) && !self.physical_presence() {
            return Err(ReturnCode::TPM_BAD_PRESENCE);
        }
        Ok(())
    }

    /// Part 3, 20.4 step 8 / 20.5 step 7: a read-locked area (TPM_DISABLED_CMD).
    fn nv_check_read_lock(&self, area: &NvArea) -> Result<(), ReturnCode> {
        let index = area.public.nv_index.0;
        if area.has(A::TPM_NV_PER_READ_STCLEAR) && self.state.stclear.nv_locks.read.contains(&index)
        {
            return Err(ReturnCode::TPM_DISABLED_CMD);
        }
        Ok(())
    }

    fn locality(&self) -> u32 {
        self.state.stany_flags.locality_modifier
    }

    /// Part 3, 20.2 steps 14-16 / 20.3 steps 10-12: writes `data` at `offset`, or with no
    /// data sets bWriteSTClear and bWriteDefine; a write clears bReadSTClear.
    fn nv_write(&mut self, index: NvIndex, offset: u32, data: &[u8]) -> Result<(), ReturnCode> {
        let area = self
            .state
            .permanent
            .nv
            .get_mut(index.0)
            .ok_or(ReturnCode::TPM_BADINDEX)?;
        if data.is_empty() {
            self.state.stclear.nv_locks.write.insert(index.0);
            if !area.public.b_write_define {
                area.public.b_write_define = true;
                self.permanent_dirty = true;
            }
        } else {
            let size = area.public.data_size;
            let range = model::span(offset, data.len(), size)?;
            if area.has(A::TPM_NV_PER_WRITEALL) && u32::try_from(data.len()).ok() != Some(size) {
                return Err(ReturnCode::TPM_NOT_FULLWRITE);
            }
            let target = area.data.get_mut(range).ok_or(ReturnCode::TPM_NOSPACE)?;
            target.copy_from_slice(data);
            self.permanent_dirty = true;
        }
        self.state.stclear.nv_locks.read.remove(&index.0);
        Ok(())
    }

    /// Part 3, 20.4 steps 10-11 / 20.5 steps 8-9: `size` bytes from `offset`, or with size 0
    /// sets bReadSTClear and returns nothing.
    fn nv_read(&mut self, index: NvIndex, offset: u32, size: u32) -> Result<Vec<u8>, ReturnCode> {
        if size == 0 {
            self.state.stclear.nv_locks.read.insert(index.0);
            return Ok(Vec::new());
        }
        let area = self.nv_area(index)?;
        let len = usize::try_from(size).map_err(|_| ReturnCode::TPM_NOSPACE)?;
        let range = model::span(offset, len, area.public.data_size)?;
        area.data
            .get(range)
            .map(<[u8]>::to_vec)
            .ok_or(ReturnCode::TPM_NOSPACE)
    }

    /// Part 3, 27.3 via TPM_NV_INDEX_DIR: writes all 20 bytes of authDIR[0] (a write of
    /// no data is accepted and changes nothing).
    fn nv_write_dir(&mut self, offset: u32, data: &[u8]) -> Result<(), ReturnCode> {
        if data.is_empty() {
            return Ok(());
        }
        let value: [u8; 20] = data
            .try_into()
            .ok()
            .filter(|_| offset == 0)
            .ok_or(ReturnCode::TPM_NOT_FULLWRITE)?;
        self.state.permanent.auth_dir = value;
        self.permanent_dirty = true;
        Ok(())
    }

    /// Reads part of authDIR[0] through TPM_NV_INDEX_DIR.
    fn nv_read_dir(&self, offset: u32, size: u32) -> Result<Vec<u8>, ReturnCode> {
        let len = usize::try_from(size).map_err(|_| ReturnCode::TPM_NOSPACE)?;
        let range = model::span(offset, len, 20)?;
        let dir = &self.state.permanent.auth_dir;
        dir.get(range)
            .map(<[u8]>::to_vec)
            .ok_or(ReturnCode::TPM_NOSPACE)
    }
}

/// Part 3, 20.1 step 10: the new area, all bytes 0xFF, its per-boot flags FALSE.
fn new_area(public: NvDataPublic, auth: Secret) -> Result<NvArea, ReturnCode> {
    let size = usize::try_from(public.data_size).map_err(|_| ReturnCode::TPM_NOSPACE)?;
    Ok(NvArea {
        public: NvDataPublic {
            b_read_st_clear: false,
            b_write_st_clear: false,
            b_write_define: false,
            ..public
        },
        auth,
        data: vec![0xff; size],
    })
}

/// Part 3, 20.1 steps 7-9: the new area's PCR infos and attributes are consistent.
fn check_new_public(public: &NvDataPublic) -> Result<(), ReturnCode> {
    model::check_pcr_info(&public.pcr_info_read)?;
    model::check_pcr_info(&public.pcr_info_write)?;
    let write_localities = public.pcr_info_write.locality_at_release != LocalitySelection(0x1f);
    let p = public.permission.attributes;
    if p.contains(A::TPM_NV_PER_OWNERWRITE | A::TPM_NV_PER_AUTHWRITE)
        || p.contains(A::TPM_NV_PER_OWNERREAD | A::TPM_NV_PER_AUTHREAD)
    {
        return Err(ReturnCode::TPM_AUTH_CONFLICT);
    }
    let writers = A::TPM_NV_PER_OWNERWRITE
        | A::TPM_NV_PER_AUTHWRITE
        | A::TPM_NV_PER_WRITEDEFINE
        | A::TPM_NV_PER_PPWRITE;
    if p.0 & writers.0 == 0 && !write_localities {
        return Err(ReturnCode::TPM_PER_NOWRITE);
    }
    model::check_definable_index(public.nv_index)?;
    if public.data_size == 0 {
        return Err(ReturnCode::TPM_BAD_PARAM_SIZE);
    }
    Ok(())
}

/// Part 3, 20.1 TPM_NV_DefineSpace: defines an area, deletes one (dataSize 0), or with
/// TPM_NV_INDEX_LOCK sets nvLocked. Authorized by the owner (OSAP, the area's auth sent
/// under ADIP), or unauthorized: with physical presence and no owner once NV is locked,
/// freely before.
impl Handler for NvDefineSpace {
    fn authorize(tpm: &Tpm, _input: &NvDefineSpaceIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: NvDefineSpaceIn) -> Result<(), ReturnCode> {
        let public = input.pub_info;
        let index = public.nv_index;
        let owner = cx.auth_count() == 1;
        // 1. TPM_NV_INDEX_LOCK without authorization locks NV.
        if index == NvIndex::TPM_NV_INDEX_LOCK && !owner {
            if public.data_size != 0 {
                return Err(ReturnCode::TPM_BADINDEX);
            }
            set_permanent_flag(tpm, |f| &mut f.nv_locked, true);
            return Ok(());
        }
        // 2-3. Index 0 is reserved; the D bit only before nvLocked.
        let locked = tpm.state.permanent_flags.nv_locked;
        if index == NvIndex::TPM_NV_INDEX0 || (locked && index.is_permanent()) {
            return Err(ReturnCode::TPM_BADINDEX);
        }
        // 4-5. The new auth value.
        let (auth, counts) = tpm.nv_define_auth(cx, &public, input.enc_auth)?;
        // 6. An existing area must not be locked against writes; size 0 deletes it.
        let exists = match tpm.nv_area(index) {
            Ok(old) if locked => tpm.nv_check_write_locks_for_define(old).map(|()| true)?,
            Ok(_) => true,
            Err(_) => false,
        };
        if exists && public.data_size == 0 {
            tpm.nv_delete(index.0);
            tpm.count_nv_write(counts);
            cx.end_sessions();
            return Ok(());
        }
        // 7-9. The new area is consistent; 11. it fits.
        check_new_public(&public)?;
        tpm.state
            .permanent
            .nv
            .check_space(index.0, public.data_size)?;
        cx.end_sessions();
        if index == NvIndex::TPM_NV_INDEX_TRIAL {
            return Ok(());
        }
        // 6.d-f, 10, 12. Replace the old area with one of 0xFF bytes, locks cleared.
        tpm.nv_delete(index.0);
        tpm.state.permanent.nv.insert(new_area(public, auth)?);
        tpm.count_nv_write(counts);
        tpm.permanent_dirty = true;
        Ok(())
    }
}

/// Part 3, 20.2 TPM_NV_WriteValue: writes an area the owner controls (auth1) or that needs
/// no authorization (auth0); TPM_NV_INDEX0 sets bGlobalLock.
impl Handler for NvWriteValue {
    fn authorize(tpm: &Tpm, input: &NvWriteValueIn, _i: usize) -> Result<Entity, ReturnCode> {
        // 4.a TPM_NV_PER_OWNERWRITE is required (not for TPM_NV_INDEX0; the DIR has it).
        let index = input.nv_index;
        if index != NvIndex::TPM_NV_INDEX0
            && index != NvIndex::TPM_NV_INDEX_DIR
            && !tpm.nv_area(index)?.has(A::TPM_NV_PER_OWNERWRITE)
        {
            return Err(ReturnCode::TPM_AUTH_CONFLICT);
        }
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: NvWriteValueIn) -> Result<(), ReturnCode> {
        let (index, data) = (input.nv_index, input.data.0);
        let checked = tpm.state.permanent_flags.nv_locked;
        let owner = cx.auth_count() == 1;
        // 6. TPM_NV_INDEX0: no data, sets bGlobalLock.
        if index == NvIndex::TPM_NV_INDEX0 {
            if !data.is_empty() {
                return Err(ReturnCode::TPM_BADINDEX);
            }
            tpm.state.stclear_flags.b_global_lock = true;
            return Ok(());
        }
        // 2.a The DIR is an owner-written area of 20 bytes.
        let owner_write = if index == NvIndex::TPM_NV_INDEX_DIR {
            true
        } else {
            tpm.nv_area(index)?.has(A::TPM_NV_PER_OWNERWRITE)
        };
        // 3. Owner-written areas of a locked TPM need it enabled and active.
        if checked && owner_write {
            tpm.nv_check_enabled()?;
        }
        // 5. Without authorization: not an owner area, and within the unowned write limit.
        let counts = if owner {
            false
        } else {
            if checked && owner_write {
                return Err(ReturnCode::TPM_AUTH_CONFLICT);
            }
            tpm.nv_write_counts()?
        };
        if index == NvIndex::TPM_NV_INDEX_DIR {
            tpm.nv_write_dir(input.offset, &data)?;
            tpm.count_nv_write(counts && !data.is_empty());
            return Ok(());
        }
        let area = tpm.nv_area(index)?;
        // 7. Areas with their own auth are written with TPM_NV_WriteValueAuth.
        if area.has(A::TPM_NV_PER_AUTHWRITE) {
            return Err(ReturnCode::TPM_AUTH_CONFLICT);
        }
        // 8-13. Locality, presence, locks, PCRs.
        if checked {
            let info = &area.public.pcr_info_write;
            model::check_locality(info, tpm.locality())?;
            tpm.nv_check_presence(area, A::TPM_NV_PER_PPWRITE)?;
            tpm.nv_check_write_locks(area)?;
            model::check_pcrs(info, &tpm.state.stclear.pcrs)?;
        }
        // 14-16.
        tpm.nv_write(index, input.offset, &data)?;
        tpm.count_nv_write(counts);
        Ok(())
    }
}

/// Part 3, 20.3 TPM_NV_WriteValueAuth: writes an area with TPM_NV_PER_AUTHWRITE, authorized
/// by the area's own auth value.
impl Handler for NvWriteValueAuth {
    fn authorize(tpm: &Tpm, input: &NvWriteValueAuthIn, _i: usize) -> Result<Entity, ReturnCode> {
        // 1-2.
        tpm.nv_area_entity(input.nv_index, A::TPM_NV_PER_AUTHWRITE)
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: NvWriteValueAuthIn) -> Result<(), ReturnCode> {
        let index = input.nv_index;
        let area = tpm.nv_area(index)?;
        // 4-9. Locality, presence, PCRs, locks.
        let info = &area.public.pcr_info_write;
        model::check_locality(info, tpm.locality())?;
        tpm.nv_check_presence(area, A::TPM_NV_PER_PPWRITE)?;
        model::check_pcrs(info, &tpm.state.stclear.pcrs)?;
        tpm.nv_check_write_locks(area)?;
        // 10-12.
        tpm.nv_write(index, input.offset, &input.data.0)
    }
}

/// Part 3, 20.4 TPM_NV_ReadValue: reads an area the owner controls (auth1) or that needs no
/// authorization (auth0); a read of size 0 sets bReadSTClear.
impl Handler for NvReadValue {
    fn authorize(tpm: &Tpm, input: &NvReadValueIn, _i: usize) -> Result<Entity, ReturnCode> {
        // 4.a TPM_NV_PER_OWNERREAD is required (the DIR is readable by anyone).
        let index = input.nv_index;
        if index != NvIndex::TPM_NV_INDEX_DIR && !tpm.nv_area(index)?.has(A::TPM_NV_PER_OWNERREAD) {
            return Err(ReturnCode::TPM_AUTH_CONFLICT);
        }
        tpm.owner_entity()
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: NvReadValueIn,
    ) -> Result<NvReadValueOut, ReturnCode> {
        let index = input.nv_index;
        // 2.a The DIR.
        if index == NvIndex::TPM_NV_INDEX_DIR {
            let data = tpm.nv_read_dir(input.offset, input.data_size)?;
            return Ok(NvReadValueOut {
                data: SizedBuffer(data),
            });
        }
        let checked = tpm.state.permanent_flags.nv_locked;
        let area = tpm.nv_area(index)?;
        // 3. Owner-read areas of a locked TPM need it enabled and active.
        if checked && area.has(A::TPM_NV_PER_OWNERREAD) {
            tpm.nv_check_enabled()?;
        }
        // 5. Without authorization: no area that needs its own or the owner's auth.
        if cx.auth_count() == 0
            && (area.has(A::TPM_NV_PER_AUTHREAD) || (checked && area.has(A::TPM_NV_PER_OWNERREAD)))
        {
            return Err(ReturnCode::TPM_AUTH_CONFLICT);
        }
        // 6-9. Locality, presence, read lock, PCRs.
        if checked {
            let info = &area.public.pcr_info_read;
            model::check_locality(info, tpm.locality())?;
            tpm.nv_check_presence(area, A::TPM_NV_PER_PPREAD)?;
            tpm.nv_check_read_lock(area)?;
            model::check_pcrs(info, &tpm.state.stclear.pcrs)?;
        }
        // 10-11.
        let data = tpm.nv_read(index, input.offset, input.data_size)?;
        Ok(NvReadValueOut {
            data: SizedBuffer(data),
        })
    }
}

/// Part 3, 20.5 TPM_NV_ReadValueAuth: reads an area with TPM_NV_PER_AUTHREAD, authorized by
/// the area's own auth value.
impl Handler for NvReadValueAuth {
    fn authorize(tpm: &Tpm, input: &NvReadValueAuthIn, _i: usize) -> Result<Entity, ReturnCode> {
        // 1-3.
        tpm.nv_area_entity(input.nv_index, A::TPM_NV_PER_AUTHREAD)
    }

    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: NvReadValueAuthIn,
    ) -> Result<NvReadValueAuthOut, ReturnCode> {
        let index = input.nv_index;
        let area = tpm.nv_area(index)?;
        // 4-7. Presence, locality, PCRs, read lock.
        let info = &area.public.pcr_info_read;
        tpm.nv_check_presence(area, A::TPM_NV_PER_PPREAD)?;
        model::check_locality(info, tpm.locality())?;
        model::check_pcrs(info, &tpm.state.stclear.pcrs)?;
        tpm.nv_check_read_lock(area)?;
        // 8-9.
        let data = tpm.nv_read(index, input.offset, input.data_size)?;
        Ok(NvReadValueAuthOut {
            data: SizedBuffer(data),
        })
    }
}

impl Tpm {
    /// TPM_CAP_NV_LIST: the defined indices.
    pub(crate) fn cap_nv_list(&self) -> Vec<u32> {
        self.state
            .permanent
            .nv
            .iter()
            .map(|a| a.public.nv_index.0)
            .collect()
    }

    /// TPM_CAP_NV_INDEX: the public part of the area at `index` (TPM_BADINDEX if none).
    pub(crate) fn cap_nv_index(&self, index: u32) -> Result<NvDataPublic, ReturnCode> {
        let area = self.nv_area(NvIndex(index))?;
        Ok(model::reported_public(area, &self.state.stclear.nv_locks))
    }

    /// TPM_CAP_PROP_MAX_NV_AVAILABLE: the data bytes still free.
    pub(crate) fn cap_nv_available(&self) -> u32 {
        self.state.permanent.nv.available()
    }

    /// What TPM_OwnerClear (Part 3, 6.1 step 12), TPM_ForceClear and TPM_RevokeTrust do to
    /// NV: the areas the owner reads or writes are deleted, except those with the D bit
    /// unless `including_d_bit` (TPM_RevokeTrust); noOwnerNVWrite returns to 0.
    pub(crate) fn nv_owner_clear(&mut self, including_d_bit: bool) {
        let owned: Vec<u32> = self
            .state
            .permanent
            .nv
            .iter()
            .filter(|a| {
                let owner_bits = A::TPM_NV_PER_OWNERWRITE.0 | A::TPM_NV_PER_OWNERREAD.0;
                a.attributes().0 & owner_bits != 0
                    && (including_d_bit || !a.public.nv_index.is_permanent())
            })
            .map(|a| a.public.nv_index.0)
            .collect();
        for index in owned {
            self.nv_delete(index);
        }
        self.state.permanent.no_owner_nv_write = 0;
        self.permanent_dirty = true;
    }
}
