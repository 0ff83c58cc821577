//! Part 3, 10.4-10.6 (TPM_CreateWrapKey, TPM_LoadKey2, TPM_GetPubKey), 21.1
//! (TPM_KeyControlOwner), 22.1 (TPM_FlushSpecific for keys), 27.1.1 (TPM_EvictKey) and
//! 27.9 (TPM_LoadKey), plus the key lookups and entities the other key ordinals share.

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::keys::{self, TpmKey, MAX_KEYS, MAX_OWNER_EVICT};
use crate::sessions::SessionKind;
use crate::state::TPM_KH_OWNER;
use crate::Tpm;
use tpm_marshal::commands::context::{KeyControlOwner, KeyControlOwnerIn};
use tpm_marshal::commands::deprecated::{EvictKey, EvictKeyIn, LoadKey, LoadKeyIn, LoadKeyOut};
use tpm_marshal::commands::storage::{
    CreateWrapKey, CreateWrapKeyIn, CreateWrapKeyOut, GetPubKey, GetPubKeyIn, GetPubKeyOut,
    LoadKey2, LoadKey2In, LoadKey2Out,
};
use tpm_marshal::{
    AuthDataUsage, EntityType, KeyBlob, KeyControl, KeyFlags, KeyHandle, KeyUsage,
    LocalitySelection, ReturnCode,
};

impl Tpm {
    /// The key `handle` names: the SRK or a loaded key.
    pub(crate) fn key(&self, handle: u32) -> Result<&TpmKey, ReturnCode> {
        if handle == KeyHandle::TPM_KH_SRK.0 {
            return self
                .state
                .permanent
                .srk
                .as_ref()
                .ok_or(ReturnCode::TPM_NOSRK);
        }
        self.keys
            .get(handle)
            .map(|s| &s.key)
            .ok_or(ReturnCode::TPM_INVALID_KEYHANDLE)
    }

    /// The entity a key's usage auth proves.
    pub(crate) fn key_entity(&self, handle: u32) -> Result<Entity, ReturnCode> {
        Ok(Entity {
            kind: EntityType::TPM_ET_KEYHANDLE,
            value: handle,
            auth: self.key(handle)?.usage_auth.clone(),
            sessions: SessionTypes::Any,
        })
    }

    /// The owner as an entity (TPM_AUTHFAIL without an owner).
    pub(crate) fn owner_entity(&self) -> Result<Entity, ReturnCode> {
        let auth = self
            .state
            .permanent
            .owner_auth
            .clone()
            .ok_or(ReturnCode::TPM_AUTHFAIL)?;
        Ok(Entity {
            kind: EntityType::TPM_ET_OWNER,
            value: TPM_KH_OWNER,
            auth,
            sessions: SessionTypes::Any,
        })
    }

    /// A command without authorization may use a key only if its authDataUsage is
    /// TPM_AUTH_NEVER (TPM_AUTHFAIL otherwise).
    pub(crate) fn check_unauthorized_use(cx: &Ctx, key: &TpmKey) -> Result<(), ReturnCode> {
        if cx.auth_count() == 0 && key.needs_usage_auth() {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        Ok(())
    }

    /// The PCR and locality release checks of a key bound to PCRs.
    pub(crate) fn check_key_pcrs(&self, key: &TpmKey, locality: u8) -> Result<(), ReturnCode> {
        match key.pcr_info() {
            Some(info) => keys::check_release(&info, &self.state.stclear.pcrs, locality),
            None => Ok(()),
        }
    }

    /// A fresh key handle: random, not reserved, not in use by a key or a session.
    pub(crate) fn new_key_handle(&mut self) -> u32 {
        loop {
            let mut b = [0u8; 4];
            self.platform.fill_random(&mut b);
            let h = u32::from_be_bytes(b);
            let reserved = (KeyHandle::TPM_KH_SRK.0..=KeyHandle::TPM_KH_EK.0).contains(&h);
            if h != 0 && !reserved && !self.keys.contains(h) && !self.sessions.contains(h) {
                return h;
            }
        }
    }

    /// Part 3, 22.1 and 27.1.1: unloads a key that is not owner-evict.
    pub(crate) fn flush_key(&mut self, handle: u32) -> Result<(), ReturnCode> {
        let slot = self
            .keys
            .get(handle)
            .ok_or(ReturnCode::TPM_INVALID_KEYHANDLE)?;
        if slot.owner_evict {
            return Err(ReturnCode::TPM_KEY_OWNER_CONTROL);
        }
        self.unload_key(handle);
        Ok(())
    }

    /// Removes a key and ends the OSAP sessions opened for it, so a key later loaded at
    /// the same handle is not authorized by the old key's shared secret.
    pub(crate) fn unload_key(&mut self, handle: u32) {
        self.keys.remove(handle);
        let bound: Vec<u32> = self
            .sessions
            .iter()
            .filter(|s| {
                matches!(&s.kind, SessionKind::Osap { entity_type, entity_value, .. }
                    if *entity_type == EntityType::TPM_ET_KEYHANDLE && *entity_value == handle)
            })
            .map(|s| s.handle)
            .collect();
        for h in bound {
            self.sessions.close(h);
        }
    }

    /// Part 3, 10.5 actions: decrypts `blob` under `parent_handle` and loads it.
    fn load_key(
        &mut self,
        cx: &Ctx,
        parent_handle: u32,
        blob: &KeyBlob,
    ) -> Result<u32, ReturnCode> {
        let parent = self.key(parent_handle)?.clone();
        Self::check_unauthorized_use(cx, &parent)?;
        if parent.usage() != KeyUsage::TPM_KEY_STORAGE {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        self.check_key_pcrs(&parent, cx.locality)?;
        if self.keys.len() >= MAX_KEYS {
            return Err(ReturnCode::TPM_NOSPACE);
        }
        let proof = self.state.permanent.tpm_proof.clone();
        let mut key = keys::unwrap(&parent.private, self.platform.as_mut(), blob, &proof)?;
        if !key.migratable() && parent.migratable() {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        key.parent_pcr_status = parent.pcr_info().is_some();
        let handle = self.new_key_handle();
        self.keys.insert(handle, key, false)?;
        Ok(handle)
    }
}

/// Part 3, 10.4 TPM_CreateWrapKey.
impl Handler for CreateWrapKey {
    fn authorize(tpm: &Tpm, input: &CreateWrapKeyIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.parent_handle)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: CreateWrapKeyIn,
    ) -> Result<CreateWrapKeyOut, ReturnCode> {
        let parent = tpm.key(input.parent_handle)?.clone();
        // 2. The parent must be a storage key, its PCRs as it was bound to.
        if parent.usage() != KeyUsage::TPM_KEY_STORAGE {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        tpm.check_key_pcrs(&parent, cx.locality)?;
        // 3-6. The new key's properties.
        let mut blob = input.key_info;
        let flags = blob.key_flags();
        let usage = blob.key_usage();
        if flags.contains(KeyFlags::TPM_MIGRATEAUTHORITY)
            || matches!(
                usage,
                KeyUsage::TPM_KEY_IDENTITY | KeyUsage::TPM_KEY_AUTHCHANGE
            )
        {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        keys::check_key_parms(&blob)?;
        let migratable = flags.contains(KeyFlags::TPM_MIGRATABLE);
        if !migratable && parent.migratable() {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        // 4. The new auth values, ADIP-encrypted.
        let usage_auth = cx.adip_decrypt(0, &input.data_usage_auth, false)?;
        let migration_auth = if migratable {
            cx.adip_decrypt(0, &input.data_migration_auth, true)?
        } else {
            tpm.state.permanent.tpm_proof.clone()
        };
        // 7. PCR binding: creation digest and locality filled in by the TPM.
        tpm.fill_creation_pcrs(&mut blob, cx.locality)?;
        // 8-10. Generate, then wrap to the parent.
        let private = keys::generate(
            tpm.platform.as_mut(),
            keys::key_bits(blob.algorithm_parms()),
        )?;
        keys::set_pub_key(&mut blob, private.as_public_key());
        let key = TpmKey {
            blob: blob.clone(),
            private,
            usage_auth,
            migration_auth,
            parent_pcr_status: false,
        };
        keys::wrap(parent.public(), tpm.platform.as_mut(), &key, &mut blob)?;
        Ok(CreateWrapKeyOut { wrapped_key: blob })
    }
}

impl Tpm {
    /// Part 3, 10.4 action 7: digestAtCreation (and localityAtCreation for TPM_KEY12) of a
    /// key bound to PCRs.
    pub(crate) fn fill_creation_pcrs(
        &self,
        blob: &mut KeyBlob,
        locality: u8,
    ) -> Result<(), ReturnCode> {
        let pcrs = &self.state.stclear.pcrs;
        match blob {
            KeyBlob::Key12(k) => {
                if let Some(info) = k.pcr_info.0.as_mut() {
                    keys::check_selection(&info.release_pcr_selection)?;
                    if info.locality_at_release.0 == 0 || info.locality_at_release.0 & !0x1f != 0 {
                        return Err(ReturnCode::TPM_INVALID_PCR_INFO);
                    }
                    info.digest_at_creation =
                        keys::composite_hash(&info.creation_pcr_selection, pcrs)?;
                    info.locality_at_creation = LocalitySelection(1 << locality.min(4));
                }
            }
            KeyBlob::Key(k) => {
                if let Some(info) = k.pcr_info.0.as_mut() {
                    info.digest_at_creation = keys::composite_hash(&info.pcr_selection, pcrs)?;
                }
            }
        }
        Ok(())
    }
}

/// Part 3, 10.5 TPM_LoadKey2.
impl Handler for LoadKey2 {
    fn authorize(tpm: &Tpm, input: &LoadKey2In, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.parent_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: LoadKey2In) -> Result<LoadKey2Out, ReturnCode> {
        let inkey_handle = tpm.load_key(cx, input.parent_handle, &input.in_key)?;
        Ok(LoadKey2Out { inkey_handle })
    }
}

/// Part 3, 27.9 TPM_LoadKey (deprecated): TPM_LoadKey2 with the handle inside the
/// response HMAC.
impl Handler for LoadKey {
    fn authorize(tpm: &Tpm, input: &LoadKeyIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.parent_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: LoadKeyIn) -> Result<LoadKeyOut, ReturnCode> {
        let inkey_handle = tpm.load_key(cx, input.parent_handle, &input.in_key)?;
        Ok(LoadKeyOut { inkey_handle })
    }
}

/// Part 3, 10.6 TPM_GetPubKey.
impl Handler for GetPubKey {
    fn authorize(tpm: &Tpm, input: &GetPubKeyIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: GetPubKeyIn,
    ) -> Result<GetPubKeyOut, ReturnCode> {
        let key = tpm.key(input.key_handle)?;
        // 1-2. Without auth, only keys whose public part needs none.
        if cx.auth_count() == 0 && key.blob.auth_data_usage() == AuthDataUsage::TPM_AUTH_ALWAYS {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        // 3. The SRK's public key only while readSRKPub is TRUE.
        if input.key_handle == KeyHandle::TPM_KH_SRK.0 && !tpm.state.permanent_flags.read_srk_pub {
            return Err(ReturnCode::TPM_INVALID_KEYHANDLE);
        }
        // 2. PCR-bound keys check their PCRs unless pcrIgnoredOnRead.
        if !key
            .blob
            .key_flags()
            .contains(KeyFlags::TPM_PCRIGNOREDONREAD)
        {
            tpm.check_key_pcrs(key, cx.locality)?;
        }
        Ok(GetPubKeyOut {
            pub_key: key.pubkey(),
        })
    }
}

/// Part 3, 27.1.1 TPM_EvictKey (deprecated): TPM_FlushSpecific for a key.
impl Handler for EvictKey {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: EvictKeyIn) -> Result<(), ReturnCode> {
        tpm.flush_key(input.evict_handle)
    }
}

/// Part 3, 21.1 TPM_KeyControlOwner: sets or clears a key's owner-evict bit.
impl Handler for KeyControlOwner {
    fn authorize(tpm: &Tpm, _input: &KeyControlOwnerIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: KeyControlOwnerIn) -> Result<(), ReturnCode> {
        // 2-3. A loaded key whose public part the owner named.
        let slot = tpm
            .keys
            .get(input.key_handle)
            .ok_or(ReturnCode::TPM_INVALID_KEYHANDLE)?;
        if slot.key.pubkey() != input.pub_key {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        if input.bit_name != KeyControl::TPM_KEY_CONTROL_OWNER_EVICT {
            return Err(ReturnCode::TPM_BAD_MODE);
        }
        if slot.owner_evict == input.bit_value {
            return Ok(());
        }
        let key = slot.key.clone();
        let evict = &mut tpm.state.permanent.owner_evict_keys;
        if input.bit_value {
            // 4.a. Room for another owner-evict key, and two slots left for the rest.
            let owner_evict = tpm.keys.owner_evict_count();
            if owner_evict >= MAX_OWNER_EVICT || owner_evict + 2 >= MAX_KEYS {
                return Err(ReturnCode::TPM_NOSPACE);
            }
            evict.push((input.key_handle, key));
        } else {
            evict.retain(|(h, _)| *h != input.key_handle);
        }
        if let Some(slot) = tpm.keys.get_mut(input.key_handle) {
            slot.owner_evict = input.bit_value;
        }
        tpm.permanent_dirty = true;
        Ok(())
    }
}
