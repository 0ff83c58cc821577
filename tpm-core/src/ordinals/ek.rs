//! Part 3, 14 (endorsement key: TPM_CreateEndorsementKeyPair, TPM_CreateRevocableEK,
//! TPM_RevokeTrust, TPM_ReadPubek, TPM_OwnerReadInternalPub) and 27.6-27.7 (TPM_OwnerReadPubek,
//! TPM_DisablePubekRead).

use crate::dispatch::{Ctx, Entity, Handler};
use crate::keys;
use crate::secret::Secret;
use crate::sessions::sha1;
use crate::state::EndorsementKey;
use crate::Tpm;
use tpm_marshal::commands::deprecated::{DisablePubekRead, OwnerReadPubek, OwnerReadPubekOut};
use tpm_marshal::commands::ek::{
    CreateEndorsementKeyPair, CreateEndorsementKeyPairIn, CreateEndorsementKeyPairOut,
    CreateRevocableEk, CreateRevocableEkIn, CreateRevocableEkOut, OwnerReadInternalPub,
    OwnerReadInternalPubIn, OwnerReadInternalPubOut, ReadPubek, ReadPubekIn, ReadPubekOut,
    RevokeTrust, RevokeTrustIn,
};
use tpm_marshal::{
    AlgorithmId, EncScheme, KeyHandle, KeyParms, Marshal, Nonce, Pubkey, ReturnCode, SigScheme,
    SizedBuffer, StorePubkey,
};

/// The EK's TPM_KEY_PARMS: RSA 2048, OAEP, no signature scheme.
fn ek_parms() -> KeyParms {
    KeyParms::new_rsa(
        EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
        SigScheme::TPM_SS_NONE,
        keys::MAX_KEY_BITS,
    )
}

/// Part 2, 10.5 TPM_PUBKEY of the EK.
pub(crate) fn ek_pubkey(ek: &EndorsementKey) -> Pubkey {
    Pubkey {
        algorithm_parms: ek_parms(),
        pub_key: StorePubkey {
            key: SizedBuffer(keys::modulus(ek.0.as_public_key())),
        },
    }
}

/// checksum = SHA1(pubEndorsementKey || antiReplay).
fn checksum(pubkey: &Pubkey, anti_replay: &Nonce) -> Result<[u8; 20], ReturnCode> {
    let bytes = pubkey.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
    Ok(sha1(&[&bytes, anti_replay]))
}

impl Tpm {
    /// The EK, or TPM_NO_ENDORSEMENT.
    pub(crate) fn endorsement_key(&self) -> Result<&EndorsementKey, ReturnCode> {
        self.state
            .permanent
            .endorsement_key
            .as_ref()
            .ok_or(ReturnCode::TPM_NO_ENDORSEMENT)
    }

    /// Part 3, 14.1 actions 1-3: a new EK with the parameters the caller asked for. The
    /// signature scheme is ignored (action 2c; swtpm_setup asks with
    /// TPM_SS_RSASSAPKCS1v15_SHA1); the encryption scheme must be OAEP, as libtpms insists.
    fn create_ek(&mut self, key_info: &KeyParms) -> Result<Pubkey, ReturnCode> {
        if self.state.permanent.endorsement_key.is_some() {
            return Err(ReturnCode::TPM_DISABLED_CMD);
        }
        let wanted = key_info.rsa().map(|r| (r.key_length, r.num_primes));
        if key_info.algorithm_id != AlgorithmId::TPM_ALG_RSA
            || wanted != Some((keys::MAX_KEY_BITS, 2))
            || key_info.enc_scheme != EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1
        {
            return Err(ReturnCode::TPM_BAD_KEY_PROPERTY);
        }
        let ek = EndorsementKey(keys::generate(self.platform.as_mut(), keys::MAX_KEY_BITS)?);
        let pubkey = ek_pubkey(&ek);
        self.state.permanent.endorsement_key = Some(ek);
        self.permanent_dirty = true;
        Ok(pubkey)
    }
}

/// Part 3, 14.1 TPM_CreateEndorsementKeyPair.
impl Handler for CreateEndorsementKeyPair {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: CreateEndorsementKeyPairIn,
    ) -> Result<CreateEndorsementKeyPairOut, ReturnCode> {
        let pub_endorsement_key = tpm.create_ek(&input.key_info)?;
        tpm.state.permanent_flags.enable_revoke_ek = false;
        let checksum = checksum(&pub_endorsement_key, &input.anti_replay)?;
        Ok(CreateEndorsementKeyPairOut {
            pub_endorsement_key,
            checksum,
        })
    }
}

/// Part 3, 14.2 TPM_CreateRevocableEK.
impl Handler for CreateRevocableEk {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: CreateRevocableEkIn,
    ) -> Result<CreateRevocableEkOut, ReturnCode> {
        let pub_endorsement_key = tpm.create_ek(&input.key_info)?;
        let ek_reset = if input.generate_reset {
            tpm.random_nonce()
        } else {
            input.input_ek_reset
        };
        tpm.state.permanent.ek_reset = Secret::new(ek_reset);
        tpm.state.permanent_flags.enable_revoke_ek = true;
        let checksum = checksum(&pub_endorsement_key, &input.anti_replay)?;
        Ok(CreateRevocableEkOut {
            pub_endorsement_key,
            checksum,
            output_ek_reset: ek_reset,
        })
    }
}

/// Part 3, 14.3 TPM_RevokeTrust (physical presence): with the right EKReset the EK is
/// gone and the TPM is cleared as by TPM_OwnerClear.
impl Handler for RevokeTrust {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: RevokeTrustIn) -> Result<(), ReturnCode> {
        if !tpm.state.permanent_flags.enable_revoke_ek {
            return Err(ReturnCode::TPM_PERMANENTEK);
        }
        if !tpm.state.permanent.ek_reset.ct_eq(&input.ek_reset) {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        tpm.clear_owner();
        // NV areas with the D bit are deleted too (libtpms: TPM_RevokeTrust).
        tpm.nv_owner_clear(true);
        tpm.state.permanent.endorsement_key = None;
        tpm.state.permanent_flags.enable_revoke_ek = false;
        Ok(())
    }
}

/// Part 3, 14.4 TPM_ReadPubek: only while readPubek is TRUE (no owner yet).
impl Handler for ReadPubek {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: ReadPubekIn,
    ) -> Result<ReadPubekOut, ReturnCode> {
        if !tpm.state.permanent_flags.read_pubek {
            return Err(ReturnCode::TPM_DISABLED_CMD);
        }
        let pub_endorsement_key = ek_pubkey(tpm.endorsement_key()?);
        let checksum = checksum(&pub_endorsement_key, &input.anti_replay)?;
        Ok(ReadPubekOut {
            pub_endorsement_key,
            checksum,
        })
    }
}

/// Part 3, 14.5 TPM_OwnerReadInternalPub: the EK or the SRK public key, for the owner.
impl Handler for OwnerReadInternalPub {
    fn authorize(
        tpm: &Tpm,
        _input: &OwnerReadInternalPubIn,
        _i: usize,
    ) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: OwnerReadInternalPubIn,
    ) -> Result<OwnerReadInternalPubOut, ReturnCode> {
        let public_portion = match KeyHandle(input.key_handle) {
            KeyHandle::TPM_KH_EK => ek_pubkey(tpm.endorsement_key()?),
            KeyHandle::TPM_KH_SRK => tpm.key(KeyHandle::TPM_KH_SRK.0)?.pubkey(),
            _ => return Err(ReturnCode::TPM_BAD_PARAMETER),
        };
        Ok(OwnerReadInternalPubOut { public_portion })
    }
}

/// Part 3, 27.6 TPM_OwnerReadPubek (deprecated).
impl Handler for OwnerReadPubek {
    fn authorize(tpm: &Tpm, _input: &(), _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<OwnerReadPubekOut, ReturnCode> {
        Ok(OwnerReadPubekOut {
            pub_endorsement_key: ek_pubkey(tpm.endorsement_key()?),
        })
    }
}

/// Part 3, 27.7 TPM_DisablePubekRead (deprecated): readPubek becomes FALSE.
impl Handler for DisablePubekRead {
    fn authorize(tpm: &Tpm, _input: &(), _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.state.permanent_flags.read_pubek = false;
        tpm.permanent_dirty = true;
        Ok(())
    }
}
