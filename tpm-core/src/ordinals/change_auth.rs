//! Part 3, 17 (TPM_ChangeAuth, TPM_ChangeAuthOwner): new auth values, sent under ADIP.

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::keys::{self, TpmKey};
use crate::secret::Secret;
use crate::Tpm;
use tpm_marshal::commands::change_auth::{
    ChangeAuth, ChangeAuthIn, ChangeAuthOut, ChangeAuthOwner, ChangeAuthOwnerIn,
};
use tpm_marshal::{
    EntityType, KeyUsage, Marshal, PayloadType, ProtocolId, ReturnCode, SealedData, SizedBuffer,
    StoreAsymkey, Unmarshal,
};
use zeroize::{Zeroize, Zeroizing};

/// The encrypted part of a sealed blob or a key, decrypted: its auth value can change.
enum Inner {
    Sealed(SealedData),
    Key(StoreAsymkey),
}

impl Drop for Inner {
    fn drop(&mut self) {
        match self {
            Self::Sealed(s) => {
                s.auth_data.zeroize();
                s.tpm_proof.zeroize();
                s.data.0.zeroize();
            }
            Self::Key(k) => {
                k.usage_auth.zeroize();
                k.migration_auth.zeroize();
                k.priv_key.key.0.zeroize();
            }
        }
    }
}

impl Inner {
    fn auth(&self) -> [u8; 20] {
        match self {
            Self::Sealed(s) => s.auth_data,
            Self::Key(k) => k.usage_auth,
        }
    }

    fn set_auth(&mut self, auth: &Secret) {
        match self {
            Self::Sealed(s) => s.auth_data = *auth.bytes(),
            Self::Key(k) => k.usage_auth = *auth.bytes(),
        }
    }

    fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, ReturnCode> {
        let bytes = match self {
            Self::Sealed(s) => s.to_bytes(),
            Self::Key(k) => k.to_bytes(),
        };
        bytes.map(Zeroizing::new).map_err(|_| ReturnCode::TPM_FAIL)
    }
}

impl Tpm {
    /// Part 3, 17.1 actions 1-6: the parent is a storage key; encData decrypts to the
    /// structure `entityType` names, made by this TPM.
    fn change_auth_inner(&self, input: &ChangeAuthIn) -> Result<(TpmKey, Inner), ReturnCode> {
        if input.protocol_id != ProtocolId::TPM_PID_ADIP {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        let parent = self.key(input.parent_handle)?;
        if parent.usage() != KeyUsage::TPM_KEY_STORAGE {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        let proof = &self.state.permanent.tpm_proof;
        let plain = keys::oaep_decrypt_seeded(&parent.private, proof, &input.enc_data.0)?;
        let inner = match input.entity_type {
            EntityType::TPM_ET_DATA => {
                let s = Inner::Sealed(
                    SealedData::from_bytes(&plain)
                        .map_err(|_| ReturnCode::TPM_INVALID_STRUCTURE)?,
                );
                match &s {
                    Inner::Sealed(d)
                        if d.payload == PayloadType::TPM_PT_SEAL && proof.ct_eq(&d.tpm_proof) =>
                    {
                        s
                    }
                    _ => return Err(ReturnCode::TPM_NOTSEALED_BLOB),
                }
            }
            EntityType::TPM_ET_KEY => {
                let k = Inner::Key(
                    StoreAsymkey::from_bytes(&plain)
                        .map_err(|_| ReturnCode::TPM_INVALID_STRUCTURE)?,
                );
                match &k {
                    Inner::Key(a) if a.payload == PayloadType::TPM_PT_ASYM => k,
                    _ => return Err(ReturnCode::TPM_INVALID_STRUCTURE),
                }
            }
            _ => return Err(ReturnCode::TPM_WRONG_ENTITYTYPE),
        };
        Ok((parent.clone(), inner))
    }
}

/// Part 3, 17.1 TPM_ChangeAuth: the first session is the parent's (OSAP, carrying the new
/// auth under ADIP), the second the entity's (OIAP, keyed by its current auth).
impl Handler for ChangeAuth {
    fn authorize(tpm: &Tpm, input: &ChangeAuthIn, i: usize) -> Result<Entity, ReturnCode> {
        if i == 0 {
            return tpm.key_entity(input.parent_handle);
        }
        let (_, inner) = tpm.change_auth_inner(input)?;
        Ok(Entity {
            kind: input.entity_type,
            value: 0,
            auth: Secret::new(inner.auth()),
            sessions: SessionTypes::Oiap,
        })
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: ChangeAuthIn,
    ) -> Result<ChangeAuthOut, ReturnCode> {
        let (parent, mut inner) = tpm.change_auth_inner(&input)?;
        let new_auth = cx.adip_decrypt(0, &input.new_auth, false)?;
        inner.set_auth(&new_auth);
        let plain = inner.to_bytes()?;
        let enc = keys::oaep_encrypt(parent.public(), tpm.platform.as_mut(), &plain)?;
        Ok(ChangeAuthOut {
            out_data: SizedBuffer(enc),
        })
    }
}

/// Part 3, 17.2 TPM_ChangeAuthOwner: a new owner auth or SRK auth (OSAP, ADIP).
impl Handler for ChangeAuthOwner {
    fn authorize(tpm: &Tpm, _input: &ChangeAuthOwnerIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: ChangeAuthOwnerIn) -> Result<(), ReturnCode> {
        if input.protocol_id != ProtocolId::TPM_PID_ADIP {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        let new_auth = cx.adip_decrypt(0, &input.new_auth, false)?;
        let p = &mut tpm.state.permanent;
        match input.entity_type {
            EntityType::TPM_ET_OWNER => p.owner_auth = Some(new_auth),
            EntityType::TPM_ET_SRK => {
                p.srk.as_mut().ok_or(ReturnCode::TPM_NOSRK)?.usage_auth = new_auth;
            }
            _ => return Err(ReturnCode::TPM_WRONG_ENTITYTYPE),
        }
        tpm.permanent_dirty = true;
        Ok(())
    }
}
