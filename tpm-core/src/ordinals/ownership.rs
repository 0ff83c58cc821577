//! Part 3, 5.1-5.2 (TPM_SetOwnerInstall, TPM_OwnerSetDisable), 6.1-6.5 (TPM_TakeOwnership,
//! TPM_OwnerClear, TPM_ForceClear, TPM_DisableOwnerClear, TPM_DisableForceClear), 7.3
//! (TPM_GetCapabilityOwner) and 9.3 (TPM_ResetLockValue).

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::keys::{self, TpmKey};
use crate::ordinals::capability::version_info;
use crate::secret::Secret;
use crate::state::TPM_KH_OWNER;
use crate::Tpm;
use tpm_marshal::commands::admin::ResetLockValue;
use tpm_marshal::commands::capability::{GetCapabilityOwner, GetCapabilityOwnerOut};
use tpm_marshal::commands::opt_in::{
    OwnerSetDisable, OwnerSetDisableIn, SetOwnerInstall, SetOwnerInstallIn,
};
use tpm_marshal::commands::ownership::{
    DisableForceClear, DisableOwnerClear, ForceClear, OwnerClear, TakeOwnership, TakeOwnershipIn,
    TakeOwnershipOut,
};
use tpm_marshal::{EntityType, KeyBlob, KeyFlags, KeyUsage, ProtocolId, ReturnCode, SizedBuffer};

/// Decrypts a secret sent encrypted to the EK (TPM_TakeOwnership's encOwnerAuth and
/// encSrkAuth): exactly 20 bytes after OAEP "TCPA".
fn decrypt_with_ek(tpm: &Tpm, enc: &SizedBuffer) -> Result<Secret, ReturnCode> {
    let ek = tpm
        .state
        .permanent
        .endorsement_key
        .as_ref()
        .ok_or(ReturnCode::TPM_NO_ENDORSEMENT)?;
    let plain = keys::oaep_decrypt_seeded(&ek.0, &tpm.state.permanent.tpm_proof, &enc.0)?;
    let bytes: [u8; 20] = plain
        .as_slice()
        .try_into()
        .map_err(|_| ReturnCode::TPM_BAD_KEY_PROPERTY)?;
    Ok(Secret::new(bytes))
}

/// Part 3, 6.1 TPM_TakeOwnership.
impl Handler for TakeOwnership {
    fn authorize(tpm: &Tpm, input: &TakeOwnershipIn, _i: usize) -> Result<Entity, ReturnCode> {
        // 1-4. No owner yet, installing allowed, an EK present, the owner protocol.
        if tpm.state.permanent.owner_auth.is_some() {
            return Err(ReturnCode::TPM_OWNER_SET);
        }
        if !tpm.state.permanent_flags.ownership {
            return Err(ReturnCode::TPM_INSTALL_DISABLED);
        }
        if input.protocol_id != ProtocolId::TPM_PID_OWNER {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        // 5-6. The session proves the new owner auth (OIAP only).
        Ok(Entity {
            kind: EntityType::TPM_ET_OWNER,
            value: TPM_KH_OWNER,
            auth: decrypt_with_ek(tpm, &input.enc_owner_auth)?,
            sessions: SessionTypes::Oiap,
        })
    }

    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: TakeOwnershipIn,
    ) -> Result<TakeOwnershipOut, ReturnCode> {
        let owner_auth = decrypt_with_ek(tpm, &input.enc_owner_auth)?;
        let srk_auth = decrypt_with_ek(tpm, &input.enc_srk_auth)?;
        // 8. The SRK's parameters: a non-migratable 2048-bit RSA storage key.
        let mut srk_pub = input.srk_params;
        if srk_pub.key_usage() != KeyUsage::TPM_KEY_STORAGE
            || srk_pub.key_flags().contains(KeyFlags::TPM_MIGRATABLE)
        {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        keys::check_key_parms(&srk_pub)?;
        tpm.fill_creation_pcrs(&mut srk_pub, 0)?;
        // 9. tpmProof, then the SRK bound to it.
        let mut proof = [0u8; 20];
        tpm.platform.fill_random(&mut proof);
        let tpm_proof = Secret::new(proof);
        let private = keys::generate(tpm.platform.as_mut(), keys::MAX_KEY_BITS)?;
        keys::set_pub_key(&mut srk_pub, private.as_public_key());
        clear_enc_data(&mut srk_pub);
        let srk = TpmKey {
            blob: srk_pub.clone(),
            private,
            usage_auth: srk_auth,
            migration_auth: tpm_proof.clone(),
            parent_pcr_status: false,
        };
        // 10-12. Install the owner.
        let p = &mut tpm.state.permanent;
        p.tpm_proof = tpm_proof;
        p.owner_auth = Some(owner_auth);
        p.srk = Some(srk);
        tpm.state.permanent_flags.read_pubek = false;
        tpm.permanent_dirty = true;
        Ok(TakeOwnershipOut { srk_pub })
    }
}

fn clear_enc_data(blob: &mut KeyBlob) {
    match blob {
        KeyBlob::Key(k) => k.enc_data = SizedBuffer::default(),
        KeyBlob::Key12(k) => k.enc_data = SizedBuffer::default(),
    }
}

impl Tpm {
    /// Part 3, 6.2 actions (shared by TPM_OwnerClear, TPM_ForceClear and TPM_RevokeTrust):
    /// the owner, the SRK, every loaded and owner-evict key, the sessions and the operator
    /// are gone; tpmProof is new; the flags return to their shipped values.
    pub(crate) fn clear_owner(&mut self) {
        let mut proof = [0u8; 20];
        self.platform.fill_random(&mut proof);
        let p = &mut self.state.permanent;
        p.tpm_proof = Secret::new(proof);
        p.owner_auth = None;
        p.operator_auth = None;
        p.srk = None;
        p.owner_evict_keys.clear();
        self.keys = Default::default();
        self.sessions.clear();
        let f = &mut self.state.permanent_flags;
        f.disable = true;
        f.deactivated = true;
        f.read_pubek = true;
        f.disable_owner_clear = false;
        f.operator = false;
        f.read_srk_pub = false;
        // Steps 6, 11-12: ordinalAuditStatus to its default, every counter released (the
        // counts keep increasing), the NV areas the owner controls deleted.
        self.state.permanent.audited_ordinals = crate::ordinals::audit::default_audited_ordinals();
        self.release_all_counters();
        self.nv_owner_clear(false);
        self.permanent_dirty = true;
    }
}

/// Part 3, 6.2 TPM_OwnerClear.
impl Handler for OwnerClear {
    fn authorize(tpm: &Tpm, _input: &(), _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        if tpm.state.permanent_flags.disable_owner_clear {
            return Err(ReturnCode::TPM_CLEAR_DISABLED);
        }
        tpm.clear_owner();
        cx.end_sessions();
        Ok(())
    }
}

/// Part 3, 6.3 TPM_ForceClear (physical presence).
impl Handler for ForceClear {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        if tpm.state.stclear_flags.disable_force_clear {
            return Err(ReturnCode::TPM_CLEAR_DISABLED);
        }
        tpm.clear_owner();
        Ok(())
    }
}

/// Part 3, 6.4 TPM_DisableOwnerClear.
impl Handler for DisableOwnerClear {
    fn authorize(tpm: &Tpm, _input: &(), _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.state.permanent_flags.disable_owner_clear = true;
        tpm.permanent_dirty = true;
        Ok(())
    }
}

/// Part 3, 6.5 TPM_DisableForceClear: until the next TPM_Startup(ST_CLEAR).
impl Handler for DisableForceClear {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.state.stclear_flags.disable_force_clear = true;
        Ok(())
    }
}

/// Part 3, 5.1 TPM_SetOwnerInstall (physical presence).
impl Handler for SetOwnerInstall {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: SetOwnerInstallIn) -> Result<(), ReturnCode> {
        if tpm.state.permanent.owner_auth.is_some() {
            return Err(ReturnCode::TPM_OWNER_SET);
        }
        tpm.state.permanent_flags.ownership = input.state;
        tpm.permanent_dirty = true;
        Ok(())
    }
}

/// Part 3, 5.2 TPM_OwnerSetDisable.
impl Handler for OwnerSetDisable {
    fn authorize(tpm: &Tpm, _input: &OwnerSetDisableIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: OwnerSetDisableIn) -> Result<(), ReturnCode> {
        tpm.state.permanent_flags.disable = input.disable_state;
        tpm.permanent_dirty = true;
        Ok(())
    }
}

/// Part 3, 7.3 TPM_GetCapabilityOwner: the version and the flags as bit maps (bit n is
/// the n-th flag of TPM_PERMANENT_FLAGS and TPM_STCLEAR_FLAGS).
impl Handler for GetCapabilityOwner {
    fn authorize(tpm: &Tpm, _input: &(), _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<GetCapabilityOwnerOut, ReturnCode> {
        let bits = |flags: &[bool]| {
            flags
                .iter()
                .zip(0u32..)
                .fold(0u32, |acc, (on, i)| acc | (u32::from(*on) << i))
        };
        Ok(GetCapabilityOwnerOut {
            version: version_info().version,
            non_volatile_flags: bits(&tpm.state.permanent_flags.to_bits()),
            volatile_flags: bits(&tpm.state.stclear_flags.to_bits()),
        })
    }
}

/// Part 3, 9.3 TPM_ResetLockValue: the owner ends a dictionary-attack lockout.
impl Handler for ResetLockValue {
    fn authorize(tpm: &Tpm, _input: &(), _i: usize) -> Result<Entity, ReturnCode> {
        if tpm.state.stclear.disable_reset_lock {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.reset_lockout();
        Ok(())
    }
}
