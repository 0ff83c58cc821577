//! Part 3, 10.1-10.3 and 10.7 (TPM_Seal, TPM_Unseal, TPM_UnBind, TPM_Sealx).

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::keys::{self, TpmKey};
use crate::secret::Secret;
use crate::sessions::sha1;
use crate::Tpm;
use tpm_marshal::commands::storage::{
    Seal, SealIn, SealOut, SealPcrInfo, Sealx, SealxIn, SealxOut, StoredDataBlob, UnBind, UnBindIn,
    UnBindOut, Unseal, UnsealIn, UnsealOut,
};
use tpm_marshal::{
    BoundData, EncScheme, EntityType, KeyUsage, LocalitySelection, Marshal, PayloadType,
    PcrInfoLong, ReturnCode, Sized32, SizedBuffer, StoredData, StoredData12, StructVer, Unmarshal,
};
use zeroize::Zeroize;

/// Part 2, 9.3 TPM_SEALED_DATA.storedDigest: SHA-1 of the stored-data structure without
/// its encDataSize and encData.
fn stored_digest(blob: &StoredDataBlob) -> Result<[u8; 20], ReturnCode> {
    let mut bare = blob.clone();
    match &mut bare {
        StoredDataBlob::StoredData(d) => d.enc_data = SizedBuffer::default(),
        StoredDataBlob::StoredData12(d) => d.enc_data = SizedBuffer::default(),
    }
    let bytes = bare.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
    Ok(sha1(&[bytes
        .get(..bytes.len().saturating_sub(4))
        .unwrap_or_default()]))
}

fn enc_data(blob: &StoredDataBlob) -> &[u8] {
    match blob {
        StoredDataBlob::StoredData(d) => &d.enc_data.0,
        StoredDataBlob::StoredData12(d) => &d.enc_data.0,
    }
}

/// The release conditions of a sealed blob, as TPM_PCR_INFO_LONG.
fn seal_info(blob: &StoredDataBlob) -> Option<PcrInfoLong> {
    match blob {
        StoredDataBlob::StoredData12(d) => d.seal_info.0.clone(),
        StoredDataBlob::StoredData(d) => d.seal_info.0.as_ref().map(|i| PcrInfoLong {
            locality_at_creation: LocalitySelection(0x1f),
            locality_at_release: LocalitySelection(0x1f),
            creation_pcr_selection: i.pcr_selection.clone(),
            release_pcr_selection: i.pcr_selection.clone(),
            digest_at_creation: i.digest_at_creation,
            digest_at_release: i.digest_at_release,
        }),
    }
}

/// Seal, Sealx and Unseal use a non-migratable storage key (TPM_INVALID_KEYUSAGE).
fn check_sealing_key(key: &TpmKey) -> Result<(), ReturnCode> {
    if key.usage() != KeyUsage::TPM_KEY_STORAGE || key.migratable() {
        return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
    }
    Ok(())
}

/// Part 2, 9.3: TPM_STORED_DATA12.et of a blob whose data travels XOR-encrypted
/// (TPM_ET_XOR in the high byte, TPM_ET_KEY so the value is not zero).
const ET_XOR_KEY: EntityType = EntityType::TPM_ET_KEY;

/// A decrypted TPM_SEALED_DATA whose secrets are wiped on drop.
struct Sealed(tpm_marshal::SealedData);

impl Drop for Sealed {
    fn drop(&mut self) {
        self.0.auth_data.zeroize();
        self.0.tpm_proof.zeroize();
        self.0.data.0.zeroize();
    }
}

impl Tpm {
    /// Part 3, 10.2 actions 2-6: decrypts a sealed blob under `parent` (a non-migratable
    /// storage key) and checks that this TPM sealed it; any failure of that check is
    /// TPM_NOTSEALED_BLOB.
    fn open_sealed(&self, parent: &TpmKey, blob: &StoredDataBlob) -> Result<Sealed, ReturnCode> {
        check_sealing_key(parent)?;
        let proof = &self.state.permanent.tpm_proof;
        let plain = keys::oaep_decrypt_seeded(&parent.private, proof, enc_data(blob))
            .map_err(|_| ReturnCode::TPM_NOTSEALED_BLOB)?;
        let sealed = Sealed(
            tpm_marshal::SealedData::from_bytes(&plain)
                .map_err(|_| ReturnCode::TPM_NOTSEALED_BLOB)?,
        );
        if sealed.0.payload != PayloadType::TPM_PT_SEAL
            || !proof.ct_eq(&sealed.0.tpm_proof)
            || !keys::digest_eq(&sealed.0.stored_digest, &stored_digest(blob)?)
        {
            return Err(ReturnCode::TPM_NOTSEALED_BLOB);
        }
        Ok(sealed)
    }
}

/// Part 3, 10.1 TPM_Seal.
impl Handler for Seal {
    fn authorize(tpm: &Tpm, input: &SealIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: SealIn) -> Result<SealOut, ReturnCode> {
        let key = tpm.key(input.key_handle)?.clone();
        // 1. Seal only to a non-migratable storage key.
        check_sealing_key(&key)?;
        tpm.check_key_pcrs(&key, cx.locality)?;
        // 2. The data's auth, ADIP-encrypted.
        let auth = cx.adip_decrypt(0, &input.enc_auth, false)?;
        // 3-6. The stored-data structure and its release conditions.
        let pcrs = &tpm.state.stclear.pcrs;
        let mut blob = match input.pcr_info.0 {
            Some(SealPcrInfo::Long(mut info)) => {
                keys::check_selection(&info.release_pcr_selection)?;
                info.digest_at_creation = keys::composite_hash(&info.creation_pcr_selection, pcrs)?;
                info.locality_at_creation = LocalitySelection(1 << cx.locality.min(4));
                StoredDataBlob::StoredData12(StoredData12 {
                    et: EntityType(0),
                    seal_info: Sized32(Some(info)),
                    enc_data: SizedBuffer::default(),
                })
            }
            Some(SealPcrInfo::Info(mut info)) => {
                info.digest_at_creation = keys::composite_hash(&info.pcr_selection, pcrs)?;
                StoredDataBlob::StoredData(StoredData {
                    ver: StructVer::V1_1,
                    seal_info: Sized32(Some(info)),
                    enc_data: SizedBuffer::default(),
                })
            }
            None => StoredDataBlob::StoredData(StoredData {
                ver: StructVer::V1_1,
                seal_info: Sized32(None),
                enc_data: SizedBuffer::default(),
            }),
        };
        // 7-8. TPM_SEALED_DATA encrypted to the key.
        let sealed = Sealed(tpm_marshal::SealedData {
            payload: PayloadType::TPM_PT_SEAL,
            auth_data: *auth.bytes(),
            tpm_proof: *tpm.state.permanent.tpm_proof.bytes(),
            stored_digest: stored_digest(&blob)?,
            data: input.in_data.clone(),
        });
        let plain = zeroize::Zeroizing::new(sealed.0.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?);
        let enc = keys::oaep_encrypt(key.public(), tpm.platform.as_mut(), &plain)?;
        match &mut blob {
            StoredDataBlob::StoredData(d) => d.enc_data = SizedBuffer(enc),
            StoredDataBlob::StoredData12(d) => d.enc_data = SizedBuffer(enc),
        }
        Ok(SealOut { sealed_data: blob })
    }
}

/// Part 3, 10.7 TPM_Sealx: TPM_Seal with TPM_PCR_INFO_LONG and inData XOR-encrypted
/// under the OSAP session; the blob records that TPM_Unseal must encrypt it again.
impl Handler for Sealx {
    fn authorize(tpm: &Tpm, input: &SealxIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: SealxIn) -> Result<SealxOut, ReturnCode> {
        // 2-4. Data to seal, under a non-migratable storage key.
        if input.in_data.0.is_empty() {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        let key = tpm.key(input.key_handle)?.clone();
        check_sealing_key(&key)?;
        tpm.check_key_pcrs(&key, cx.locality)?;
        // 5-9. TPM_STORED_DATA12 with the release conditions.
        let seal_info = match input.pcr_info.0 {
            Some(mut info) => {
                let pcrs = &tpm.state.stclear.pcrs;
                keys::check_selection(&info.release_pcr_selection)?;
                info.digest_at_creation = keys::composite_hash(&info.creation_pcr_selection, pcrs)?;
                info.locality_at_creation = LocalitySelection(1 << cx.locality.min(4));
                Some(info)
            }
            None => None,
        };
        let mut blob = StoredData12 {
            et: ET_XOR_KEY,
            seal_info: Sized32(seal_info),
            enc_data: SizedBuffer::default(),
        };
        // 11-14. The data's auth under ADIP, the data under the XOR pad.
        let auth = cx.adip_decrypt(0, &input.enc_auth, false)?;
        let pad = cx.xor_pad(0, input.in_data.0.len())?;
        let data: Vec<u8> = input
            .in_data
            .0
            .iter()
            .zip(pad)
            .map(|(d, p)| d ^ p)
            .collect();
        // 15-20. TPM_SEALED_DATA encrypted to the key.
        let stored = StoredDataBlob::StoredData12(blob.clone());
        let sealed = Sealed(tpm_marshal::SealedData {
            payload: PayloadType::TPM_PT_SEAL,
            auth_data: *auth.bytes(),
            tpm_proof: *tpm.state.permanent.tpm_proof.bytes(),
            stored_digest: stored_digest(&stored)?,
            data: SizedBuffer(data),
        });
        let plain = zeroize::Zeroizing::new(sealed.0.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?);
        blob.enc_data = SizedBuffer(keys::oaep_encrypt(
            key.public(),
            tpm.platform.as_mut(),
            &plain,
        )?);
        Ok(SealxOut { sealed_data: blob })
    }
}

/// Part 3, 10.2 TPM_Unseal: two sessions (the key's, then the data's), or only the data's
/// when the key needs no auth.
impl Handler for Unseal {
    fn authorize_of(tpm: &Tpm, input: &UnsealIn, i: usize, n: usize) -> Result<Entity, ReturnCode> {
        if i + 1 < n {
            return tpm.key_entity(input.parent_handle);
        }
        let parent = tpm.key(input.parent_handle)?;
        let sealed = tpm.open_sealed(parent, &input.in_data)?;
        // 7. The PCRs and locality come before the data's auth (a wrong PCR state is not a
        // dictionary attack).
        if let Some(info) = seal_info(&input.in_data) {
            let locality = u8::try_from(tpm.state.stany_flags.locality_modifier).unwrap_or(0);
            keys::check_release(&info, &tpm.state.stclear.pcrs, locality)?;
        }
        Ok(Entity {
            kind: EntityType::TPM_ET_DATA,
            value: 0,
            auth: Secret::new(sealed.0.auth_data),
            sessions: SessionTypes::Oiap,
        })
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: UnsealIn) -> Result<UnsealOut, ReturnCode> {
        let parent = tpm.key(input.parent_handle)?;
        if cx.auth_count() < 2 && parent.needs_usage_auth() {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        tpm.check_key_pcrs(parent, cx.locality)?;
        let sealed = tpm.open_sealed(parent, &input.in_data)?;
        // 7. The PCRs and locality the data was sealed to.
        if let Some(info) = seal_info(&input.in_data) {
            keys::check_release(&info, &tpm.state.stclear.pcrs, cx.locality)?;
        }
        // 9. Data sealed with TPM_Sealx leaves XOR-encrypted under the parent's OSAP session.
        let encrypted = matches!(&input.in_data, StoredDataBlob::StoredData12(d) if d.et.0 != 0);
        if !encrypted {
            return Ok(UnsealOut {
                secret: sealed.0.data.clone(),
            });
        }
        if cx.auth_count() < 2 {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        let data = &sealed.0.data.0;
        let pad = cx.xor_pad(0, data.len())?;
        let secret = data.iter().zip(pad).map(|(d, p)| d ^ p).collect();
        Ok(UnsealOut {
            secret: SizedBuffer(secret),
        })
    }
}

/// Part 3, 10.3 TPM_UnBind: TPM_BOUND_DATA under OAEP; under PKCS#1 v1.5 also the legacy
/// form (the plain bytes, as 1.1 callers bound them).
impl Handler for UnBind {
    fn authorize(tpm: &Tpm, input: &UnBindIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: UnBindIn) -> Result<UnBindOut, ReturnCode> {
        // 1. Something to decrypt.
        if input.in_data.0.is_empty() {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        let key = tpm.key(input.key_handle)?.clone();
        Tpm::check_unauthorized_use(cx, &key)?;
        if !matches!(
            key.usage(),
            KeyUsage::TPM_KEY_BIND | KeyUsage::TPM_KEY_LEGACY
        ) {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        tpm.check_key_pcrs(&key, cx.locality)?;
        let bound = |plain: &[u8]| {
            BoundData::from_bytes(plain)
                .ok()
                .filter(|b| b.ver == StructVer::V1_1 && b.payload == PayloadType::TPM_PT_BIND)
                .map(|b| b.payload_data)
        };
        let out = match key.enc_scheme() {
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1 => {
                let plain =
                    keys::oaep_decrypt(&key.private, tpm.platform.as_mut(), &input.in_data.0)?;
                bound(&plain).ok_or(ReturnCode::TPM_INVALID_STRUCTURE)?
            }
            EncScheme::TPM_ES_RSAESPKCSv15 => {
                let plain =
                    keys::pkcs1_decrypt(&key.private, tpm.platform.as_mut(), &input.in_data.0)?;
                bound(&plain).unwrap_or_else(|| plain.to_vec())
            }
            _ => return Err(ReturnCode::TPM_INAPPROPRIATE_ENC),
        };
        Ok(UnBindOut {
            out_data: SizedBuffer(out),
        })
    }
}
