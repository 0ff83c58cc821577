//! Part 3, 17 (TPM_ChangeAuth, TPM_ChangeAuthOwner): new auth values, sent under ADIP;
//! 27.4 (the deprecated TPM_ChangeAuthAsymStart and TPM_ChangeAuthAsymFinish): the same
//! change with the new value encrypted to an ephemeral TPM_KEY_AUTHCHANGE key.

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::keys::{self, TpmKey};
use crate::secret::Secret;
use crate::sessions::{hmac_sha1, sha1};
use crate::Tpm;
use hmac::Mac;
use tpm_marshal::commands::change_auth::{
    ChangeAuth, ChangeAuthIn, ChangeAuthOut, ChangeAuthOwner, ChangeAuthOwnerIn,
};
use tpm_marshal::commands::deprecated::{
    ChangeAuthAsymFinish, ChangeAuthAsymFinishIn, ChangeAuthAsymFinishOut, ChangeAuthAsymStart,
    ChangeAuthAsymStartIn, ChangeAuthAsymStartOut,
};
use tpm_marshal::{
    AlgorithmId, AuthDataUsage, CertifyInfo, ChangeauthValidate, EncScheme, EntityType, Key,
    KeyBlob, KeyFlags, KeyParms, KeyUsage, Marshal, PayloadType, ProtocolId, ReturnCode,
    SealedData, Sized32, SizedBuffer, StoreAsymkey, StorePubkey, StructVer, Unmarshal,
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
        // ADCP, the authorization-data change protocol (libtpms and TrouSerS agree).
        if input.protocol_id != ProtocolId::TPM_PID_ADCP {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        self.open_entity(input.parent_handle, input.entity_type, &input.enc_data.0)
    }

    /// Decrypts the encData of a sealed blob or a key under `parent_handle`, a storage key.
    fn open_entity(
        &self,
        parent_handle: u32,
        entity_type: EntityType,
        enc_data: &[u8],
    ) -> Result<(TpmKey, Inner), ReturnCode> {
        let parent = self.key(parent_handle)?;
        if parent.usage() != KeyUsage::TPM_KEY_STORAGE {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        let proof = &self.state.permanent.tpm_proof;
        let plain = keys::oaep_decrypt_seeded(&parent.private, proof, enc_data)?;
        let inner = match entity_type {
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
        tpm.check_key_pcrs(&parent, cx.locality)?;
        let new_auth = cx.adip_decrypt(0, &input.new_auth, false)?;
        inner.set_auth(&new_auth);
        let plain = inner.to_bytes()?;
        let enc = keys::oaep_encrypt(parent.public(), tpm.platform.as_mut(), &plain)?;
        Ok(ChangeAuthOut {
            out_data: SizedBuffer(enc),
        })
    }
}

/// Part 3, 17.2 TPM_ChangeAuthOwner: a new owner auth or SRK auth (OSAP, protocol ADCP,
/// the new secret encrypted as ADIP does).
impl Handler for ChangeAuthOwner {
    fn authorize(tpm: &Tpm, _input: &ChangeAuthOwnerIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: ChangeAuthOwnerIn) -> Result<(), ReturnCode> {
        if input.protocol_id != ProtocolId::TPM_PID_ADCP {
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

impl Tpm {
    /// Part 3, 27.4.1 actions 2-8: a TPM_KEY_AUTHCHANGE key with `parms` (RSA, OAEP, two
    /// primes, the default exponent), volatile and used without auth.
    fn authchange_key(&mut self, parms: KeyParms) -> Result<TpmKey, ReturnCode> {
        let rsa = parms.rsa().ok_or(ReturnCode::TPM_BAD_KEY_PROPERTY)?;
        if parms.algorithm_id != AlgorithmId::TPM_ALG_RSA
            || parms.enc_scheme != EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1
            || rsa.num_primes != 2
            || !rsa.exponent.0.is_empty()
            || !(keys::MIN_KEY_BITS..=keys::MAX_KEY_BITS).contains(&rsa.key_length)
        {
            return Err(ReturnCode::TPM_BAD_KEY_PROPERTY);
        }
        let private = keys::generate(self.platform.as_mut(), rsa.key_length)?;
        let mut blob = KeyBlob::Key(Key {
            ver: StructVer::V1_1,
            key_usage: KeyUsage::TPM_KEY_AUTHCHANGE,
            key_flags: KeyFlags::TPM_VOLATILE,
            auth_data_usage: AuthDataUsage::TPM_AUTH_NEVER,
            algorithm_parms: parms,
            pcr_info: Sized32(None),
            pub_key: StorePubkey {
                key: SizedBuffer::default(),
            },
            enc_data: SizedBuffer::default(),
        });
        keys::set_pub_key(&mut blob, private.as_public_key());
        let proof = self.state.permanent.tpm_proof.clone();
        Ok(TpmKey {
            blob,
            private,
            usage_auth: proof.clone(),
            migration_auth: proof,
            parent_pcr_status: false,
        })
    }
}

/// Part 3, 27.4.1 TPM_ChangeAuthAsymStart (deprecated): an ephemeral TPM_KEY_AUTHCHANGE
/// key, loaded, its public part certified by an identity key.
impl Handler for ChangeAuthAsymStart {
    fn authorize(
        tpm: &Tpm,
        input: &ChangeAuthAsymStartIn,
        _i: usize,
    ) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.id_handle)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: ChangeAuthAsymStartIn,
    ) -> Result<ChangeAuthAsymStartOut, ReturnCode> {
        // 1. An identity key.
        let id_key = tpm.key(input.id_handle)?.clone();
        Tpm::check_unauthorized_use(cx, &id_key)?;
        if id_key.usage() != KeyUsage::TPM_KEY_IDENTITY {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        // 2-8. k1, an ephemeral key loaded at ephHandle; tempKey is its public part.
        let eph = tpm.authchange_key(input.temp_key)?;
        let temp_key = eph.blob.clone();
        // 9-10. certifyInfo, signed by the identity key.
        let certify_info = CertifyInfo {
            version: StructVer::V1_1,
            key_usage: KeyUsage::TPM_KEY_AUTHCHANGE,
            key_flags: KeyFlags::TPM_VOLATILE,
            auth_data_usage: AuthDataUsage::TPM_AUTH_NEVER,
            algorithm_parms: temp_key.algorithm_parms().clone(),
            pubkey_digest: sha1(&[&temp_key.pub_key().key.0]),
            data: input.anti_replay,
            parent_pcr_status: false,
            pcr_info: Sized32(None),
        };
        let bytes = certify_info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let sig = keys::sign_sha1(&id_key.private, tpm.platform.as_mut(), &sha1(&[&bytes]))?;
        let eph_handle = tpm.new_key_handle();
        tpm.keys.insert(eph_handle, eph, false)?;
        Ok(ChangeAuthAsymStartOut {
            certify_info,
            sig: SizedBuffer(sig),
            eph_handle,
            temp_key,
        })
    }
}

/// Part 3, 27.4.2 TPM_ChangeAuthAsymFinish (deprecated): the new auth arrives encrypted to
/// the ephemeral key, linked to the current one by newAuthLink = HMAC(currentAuth,
/// newAuth); the ephemeral key is gone afterwards.
impl Handler for ChangeAuthAsymFinish {
    fn authorize(
        tpm: &Tpm,
        input: &ChangeAuthAsymFinishIn,
        _i: usize,
    ) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.parent_handle)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: ChangeAuthAsymFinishIn,
    ) -> Result<ChangeAuthAsymFinishOut, ReturnCode> {
        Tpm::check_unauthorized_use(cx, tpm.key(input.parent_handle)?)?;
        let eph = tpm.key(input.eph_handle)?.clone();
        if eph.usage() != KeyUsage::TPM_KEY_AUTHCHANGE {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        // 2-3. e1, the entity.
        let (parent, mut inner) =
            tpm.open_entity(input.parent_handle, input.entity_type, &input.enc_data.0)?;
        // 4. a1, the new auth and n1.
        let plain = keys::oaep_decrypt(&eph.private, tpm.platform.as_mut(), &input.enc_new_auth.0)?;
        let mut a1 =
            ChangeauthValidate::from_bytes(&plain).map_err(|_| ReturnCode::TPM_DECRYPT_ERROR)?;
        let new_auth = Secret::new(a1.new_auth_secret);
        a1.new_auth_secret.zeroize();
        // 5-6. The link proves knowledge of the current auth.
        let mut m = hmac_sha1(&inner.auth());
        m.update(new_auth.bytes());
        if m.verify_slice(&input.new_auth_link).is_err() {
            tpm.record_auth_failure();
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        // 7-8. The entity with the new auth, encrypted to the parent again.
        inner.set_auth(&new_auth);
        let plain = inner.to_bytes()?;
        let out_data = keys::oaep_encrypt(parent.public(), tpm.platform.as_mut(), &plain)?;
        // 9-10. changeProof = HMAC(newAuth, saltNonce || n1).
        let salt_nonce = tpm.random_nonce();
        let mut m = hmac_sha1(new_auth.bytes());
        m.update(&salt_nonce);
        m.update(&a1.n1);
        let change_proof = m.finalize().into_bytes().into();
        // 11. The ephemeral key is destroyed.
        tpm.unload_key(input.eph_handle);
        Ok(ChangeAuthAsymFinishOut {
            out_data: SizedBuffer(out_data),
            salt_nonce,
            change_proof,
        })
    }
}
