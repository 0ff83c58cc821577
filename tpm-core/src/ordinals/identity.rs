//! Part 3, 15 (TPM_MakeIdentity, TPM_ActivateIdentity): attestation identity keys and the
//! privacy-CA credential exchange.

use crate::dispatch::{Ctx, Entity, Handler};
use crate::keys::{self, TpmKey};
use crate::sessions::sha1;
use crate::Tpm;
use tpm_marshal::commands::identity::{
    ActivateIdentity, ActivateIdentityIn, ActivateIdentityOut, MakeIdentity, MakeIdentityIn,
    MakeIdentityOut,
};
use tpm_marshal::{
    AsymCaContents, EkBlob, EkBlobActivate, EkType, IdentityContents, KeyFlags, KeyHandle,
    KeyUsage, LocalitySelection, Marshal, Ordinal, PcrInfoLong, ReturnCode, SizedBuffer, StructVer,
    SymmetricKey, Unmarshal,
};

const SRK: u32 = KeyHandle::TPM_KH_SRK.0;

/// Part 3, 15.1 TPM_MakeIdentity: with two sessions the first is the SRK's and the second
/// the owner's (OSAP, carrying identityAuth under ADIP); with one, only the owner's.
impl Handler for MakeIdentity {
    fn authorize_of(
        tpm: &Tpm,
        _input: &MakeIdentityIn,
        i: usize,
        n: usize,
    ) -> Result<Entity, ReturnCode> {
        if i + 1 < n {
            tpm.key_entity(SRK)
        } else {
            tpm.owner_entity()
        }
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: MakeIdentityIn,
    ) -> Result<MakeIdentityOut, ReturnCode> {
        let srk = tpm.key(SRK)?.clone();
        if cx.auth_count() < 2 && srk.needs_usage_auth() {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        // 1-5. A non-migratable identity key of the supported kind.
        let mut blob = input.id_key_params;
        if blob.key_usage() != KeyUsage::TPM_KEY_IDENTITY
            || blob.key_flags().contains(KeyFlags::TPM_MIGRATABLE)
        {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        keys::check_key_parms(&blob)?;
        let owner_session = cx.auth_count().saturating_sub(1);
        let usage_auth = cx.adip_decrypt(owner_session, &input.identity_auth, false)?;
        tpm.fill_creation_pcrs(&mut blob, cx.locality)?;
        // 6-9. Generate, wrap to the SRK.
        let private = keys::generate(
            tpm.platform.as_mut(),
            keys::key_bits(blob.algorithm_parms()),
        )?;
        keys::set_pub_key(&mut blob, private.as_public_key());
        let key = TpmKey {
            blob: blob.clone(),
            private,
            usage_auth,
            migration_auth: tpm.state.permanent.tpm_proof.clone(),
            parent_pcr_status: false,
        };
        // 10-12. identityBinding: the new key signs TPM_IDENTITY_CONTENTS.
        let contents = IdentityContents {
            ver: StructVer::V1_1,
            ordinal: Ordinal::TPM_ORD_MakeIdentity,
            label_priv_ca_digest: input.label_priv_ca_digest,
            identity_pub_key: key.pubkey(),
        };
        let bytes = contents.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let binding = keys::sign_sha1(&key.private, tpm.platform.as_mut(), &sha1(&[&bytes]))?;
        keys::wrap(srk.public(), tpm.platform.as_mut(), &key, &mut blob)?;
        Ok(MakeIdentityOut {
            id_key: blob,
            identity_binding: SizedBuffer(binding),
        })
    }
}

/// What the privacy CA sent, decrypted with the EK.
fn ca_contents(plain: &[u8]) -> Result<(SymmetricKey, [u8; 20], Option<PcrInfoLong>), ReturnCode> {
    if plain.get(..2) == Some(&[0x00, 0x0C][..]) {
        let ek_blob = EkBlob::from_bytes(plain).map_err(|e| e.return_code())?;
        if ek_blob.ek_type != EkType::TPM_EK_TYPE_ACTIVATE {
            return Err(ReturnCode::TPM_BAD_TYPE);
        }
        let a = EkBlobActivate::from_bytes(&ek_blob.blob.0).map_err(|e| e.return_code())?;
        let release = (!a.pcr_info.pcr_selection.is_empty()).then(|| PcrInfoLong {
            locality_at_creation: LocalitySelection(0x1f),
            locality_at_release: a.pcr_info.locality_at_release,
            creation_pcr_selection: a.pcr_info.pcr_selection.clone(),
            release_pcr_selection: a.pcr_info.pcr_selection.clone(),
            digest_at_creation: [0; 20],
            digest_at_release: a.pcr_info.digest_at_release,
        });
        Ok((a.session_key, a.id_digest, release))
    } else {
        let c = AsymCaContents::from_bytes(plain).map_err(|e| e.return_code())?;
        Ok((c.session_key, c.id_digest, None))
    }
}

/// Part 3, 15.2 TPM_ActivateIdentity: the identity key's session first (if two), then
/// the owner's.
impl Handler for ActivateIdentity {
    fn authorize_of(
        tpm: &Tpm,
        input: &ActivateIdentityIn,
        i: usize,
        n: usize,
    ) -> Result<Entity, ReturnCode> {
        if i + 1 < n {
            tpm.key_entity(input.id_key_handle)
        } else {
            tpm.owner_entity()
        }
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: ActivateIdentityIn,
    ) -> Result<ActivateIdentityOut, ReturnCode> {
        let id_key = tpm.key(input.id_key_handle)?.clone();
        if cx.auth_count() < 2 && id_key.needs_usage_auth() {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        if id_key.usage() != KeyUsage::TPM_KEY_IDENTITY {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        tpm.check_key_pcrs(&id_key, cx.locality)?;
        // 3-5. Decrypt with the EK.
        let ek = tpm.endorsement_key()?.0.clone();
        let plain = keys::oaep_decrypt(&ek, tpm.platform.as_mut(), &input.blob.0)?;
        let (session_key, id_digest, release) = ca_contents(&plain)?;
        // 6. The credential is for this identity key.
        let pub_bytes = id_key
            .pubkey()
            .to_bytes()
            .map_err(|_| ReturnCode::TPM_FAIL)?;
        if !keys::digest_eq(&id_digest, &sha1(&[&pub_bytes])) {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        // 7. PCRs and locality, if the CA bound the credential to them.
        if let Some(info) = release {
            keys::check_release(&info, &tpm.state.stclear.pcrs, cx.locality)?;
        }
        Ok(ActivateIdentityOut {
            symmetric_key: session_key,
        })
    }
}
