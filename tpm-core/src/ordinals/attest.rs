//! Part 3, 13.5 (TPM_Sign), 13.8-13.9 (TPM_CertifyKey, TPM_CertifyKey2) and 16.3, 16.5
//! (TPM_Quote, TPM_Quote2): the ordinals that sign with a loaded key.

use crate::dispatch::{Ctx, Entity, Handler};
use crate::keys::{self, TpmKey};
use crate::ordinals::capability::version_info;
use crate::sessions::sha1;
use crate::Tpm;
use tpm_marshal::commands::crypto::{
    CertifyKey, CertifyKey2, CertifyKey2In, CertifyKey2Out, CertifyKeyIn, CertifyKeyInfo,
    CertifyKeyOut, Sign, SignIn, SignOut,
};
use tpm_marshal::commands::integrity::{Quote, Quote2, Quote2In, Quote2Out, QuoteIn, QuoteOut};
use tpm_marshal::{
    CertifyInfo, CertifyInfo2, KeyFlags, KeyUsage, LocalitySelection, Marshal, PayloadType,
    PcrInfoShort, QuoteInfo, QuoteInfo2, ReturnCode, SigScheme, SignInfo, Sized32, SizedBuffer,
    StructVer,
};

/// True for the usages that may sign.
fn signs(usage: KeyUsage) -> bool {
    matches!(
        usage,
        KeyUsage::TPM_KEY_SIGNING | KeyUsage::TPM_KEY_LEGACY | KeyUsage::TPM_KEY_IDENTITY
    )
}

impl Tpm {
    /// The key `handle` names, ready to sign: usable without auth if no session came, a
    /// signing usage, its PCRs satisfied.
    pub(crate) fn signing_key(
        &self,
        cx: &Ctx,
        handle: u32,
        authorized: bool,
    ) -> Result<TpmKey, ReturnCode> {
        let key = self.key(handle)?;
        if !authorized && key.needs_usage_auth() {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        if !signs(key.usage()) {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        self.check_key_pcrs(key, cx.locality)?;
        Ok(key.clone())
    }

    /// Signs the SHA-1 digest of a structure the TPM built (TPM_QUOTE_INFO,
    /// TPM_CERTIFY_INFO ...): keys of scheme SHA1 or INFO only.
    pub(crate) fn sign_structure(
        &mut self,
        key: &TpmKey,
        bytes: &[u8],
    ) -> Result<SizedBuffer, ReturnCode> {
        match key.sig_scheme() {
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1 | SigScheme::TPM_SS_RSASSAPKCS1v15_INFO => {
                keys::sign_sha1(&key.private, self.platform.as_mut(), &sha1(&[bytes]))
                    .map(SizedBuffer)
            }
            _ => Err(ReturnCode::TPM_INAPPROPRIATE_SIG),
        }
    }
}

/// Part 3, 13.5 TPM_Sign.
impl Handler for Sign {
    fn authorize(tpm: &Tpm, input: &SignIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: SignIn) -> Result<SignOut, ReturnCode> {
        let key = tpm.signing_key(cx, input.key_handle, cx.auth_count() == 1)?;
        if key.usage() == KeyUsage::TPM_KEY_IDENTITY {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        let area = &input.area_to_sign.0;
        let platform = tpm.platform.as_mut();
        let sig = match key.sig_scheme() {
            // The caller's SHA-1 digest, DigestInfo added by the TPM.
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1 => {
                let digest: [u8; 20] = area
                    .as_slice()
                    .try_into()
                    .map_err(|_| ReturnCode::TPM_BAD_PARAMETER)?;
                keys::sign_sha1(&key.private, platform, &digest)?
            }
            // The caller's DER-encoded DigestInfo as it is.
            SigScheme::TPM_SS_RSASSAPKCS1v15_DER => keys::sign_raw(&key.private, platform, area)?,
            // TPM_SIGN_INFO over the area, with the session's nonceOdd as replay.
            SigScheme::TPM_SS_RSASSAPKCS1v15_INFO => {
                let info = SignInfo {
                    fixed: *b"SIGN",
                    replay: cx.auths.first().map(|a| a.nonce_odd).unwrap_or_default(),
                    data: input.area_to_sign.clone(),
                };
                let bytes = info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
                keys::sign_sha1(&key.private, platform, &sha1(&[&bytes]))?
            }
            _ => return Err(ReturnCode::TPM_INAPPROPRIATE_SIG),
        };
        Ok(SignOut {
            sig: SizedBuffer(sig),
        })
    }
}

/// Part 3, 16.3 TPM_Quote: TPM_QUOTE_INFO over the selected PCRs, signed.
impl Handler for Quote {
    fn authorize(tpm: &Tpm, input: &QuoteIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: QuoteIn) -> Result<QuoteOut, ReturnCode> {
        let key = tpm.signing_key(cx, input.key_handle, cx.auth_count() == 1)?;
        let pcr_data = keys::composite(&input.target_pcr, &tpm.state.stclear.pcrs)?;
        let composite = pcr_data.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let info = QuoteInfo {
            version: StructVer::V1_1,
            digest_value: sha1(&[&composite]),
            external_data: input.external_data,
        };
        let bytes = info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let sig = tpm.sign_structure(&key, &bytes)?;
        Ok(QuoteOut { pcr_data, sig })
    }
}

/// Part 3, 16.5 TPM_Quote2: TPM_QUOTE_INFO2 (PCRs and locality), optionally followed by
/// TPM_CAP_VERSION_INFO, signed.
impl Handler for Quote2 {
    fn authorize(tpm: &Tpm, input: &Quote2In, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: Quote2In) -> Result<Quote2Out, ReturnCode> {
        let key = tpm.signing_key(cx, input.key_handle, cx.auth_count() == 1)?;
        let pcr_data = PcrInfoShort {
            digest_at_release: keys::composite_hash(&input.target_pcr, &tpm.state.stclear.pcrs)?,
            pcr_selection: input.target_pcr,
            locality_at_release: LocalitySelection(1 << cx.locality.min(4)),
        };
        let info = QuoteInfo2 {
            external_data: input.external_data,
            info_short: pcr_data.clone(),
        };
        let mut bytes = info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let version_info = input.add_version.then(version_info);
        if let Some(v) = &version_info {
            bytes.extend(v.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?);
        }
        let sig = tpm.sign_structure(&key, &bytes)?;
        Ok(Quote2Out {
            pcr_data,
            version_info: Sized32(version_info),
            sig,
        })
    }
}

/// Which of (certifying key, key) a lone session authorizes: the certifying key's if it
/// needs auth, else the certified key's (Part 3, 13.8).
fn certify_entity(
    tpm: &Tpm,
    cert: u32,
    key: u32,
    i: usize,
    n: usize,
) -> Result<Entity, ReturnCode> {
    let cert_first = n == 2 || tpm.key(cert)?.needs_usage_auth();
    if i == 0 && cert_first {
        tpm.key_entity(cert)
    } else {
        tpm.key_entity(key)
    }
}

impl Tpm {
    /// Part 3, 13.8-13.9 actions: the checks common to both CertifyKey ordinals. Returns
    /// (certifying key, certified key).
    fn certify_keys(&self, cx: &Ctx, cert: u32, key: u32) -> Result<(TpmKey, TpmKey), ReturnCode> {
        let n = cx.auth_count();
        let cert_needs = self.key(cert)?.needs_usage_auth();
        let key_needs = self.key(key)?.needs_usage_auth();
        // A key that needs auth must have had a session.
        let cert_authorized = n == 2 || (n == 1 && cert_needs);
        let key_authorized = n == 2 || (n == 1 && !cert_needs);
        if (cert_needs && !cert_authorized) || (key_needs && !key_authorized) {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        let cert_key = self.signing_key(cx, cert, true)?;
        let certified = self.key(key)?.clone();
        // An identity key certifies only keys that stay in this TPM.
        if cert_key.usage() == KeyUsage::TPM_KEY_IDENTITY && certified.migratable() {
            return Err(ReturnCode::TPM_MIGRATEFAIL);
        }
        // Certifying reads the key's public part: its PCRs count unless pcrIgnoredOnRead.
        if !certified
            .blob
            .key_flags()
            .contains(KeyFlags::TPM_PCRIGNOREDONREAD)
        {
            self.check_key_pcrs(&certified, cx.locality)?;
        }
        Ok((cert_key, certified))
    }
}

/// Part 3, 13.8 TPM_CertifyKey.
impl Handler for CertifyKey {
    fn authorize_of(
        tpm: &Tpm,
        input: &CertifyKeyIn,
        i: usize,
        n: usize,
    ) -> Result<Entity, ReturnCode> {
        certify_entity(tpm, input.cert_handle, input.key_handle, i, n)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: CertifyKeyIn,
    ) -> Result<CertifyKeyOut, ReturnCode> {
        let (cert, key) = tpm.certify_keys(cx, input.cert_handle, input.key_handle)?;
        let b = &key.blob;
        let pubkey_digest = sha1(&[&b.pub_key().key.0]);
        // A key bound with TPM_PCR_INFO_LONG is described by TPM_CERTIFY_INFO2.
        let certify_info = match (b, key.pcr_info()) {
            (tpm_marshal::KeyBlob::Key12(_), Some(long)) => CertifyKeyInfo::V2(CertifyInfo2 {
                payload_type: PayloadType::TPM_PT_ASYM,
                key_usage: b.key_usage(),
                key_flags: b.key_flags(),
                auth_data_usage: b.auth_data_usage(),
                algorithm_parms: b.algorithm_parms().clone(),
                pubkey_digest,
                data: input.anti_replay,
                parent_pcr_status: key.parent_pcr_status,
                pcr_info: Sized32(Some(PcrInfoShort {
                    pcr_selection: long.release_pcr_selection,
                    locality_at_release: long.locality_at_release,
                    digest_at_release: long.digest_at_release,
                })),
                migration_authority: SizedBuffer::default(),
            }),
            _ => CertifyKeyInfo::V1(CertifyInfo {
                version: StructVer::V1_1,
                key_usage: b.key_usage(),
                key_flags: b.key_flags(),
                auth_data_usage: b.auth_data_usage(),
                algorithm_parms: b.algorithm_parms().clone(),
                pubkey_digest,
                data: input.anti_replay,
                parent_pcr_status: key.parent_pcr_status,
                pcr_info: Sized32(match b {
                    tpm_marshal::KeyBlob::Key(k) => k.pcr_info.0.clone(),
                    tpm_marshal::KeyBlob::Key12(_) => None,
                }),
            }),
        };
        let bytes = certify_info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let out_data = tpm.sign_structure(&cert, &bytes)?;
        Ok(CertifyKeyOut {
            certify_info,
            out_data,
        })
    }
}

/// Part 3, 13.9 TPM_CertifyKey2: always TPM_CERTIFY_INFO2.
impl Handler for CertifyKey2 {
    fn authorize_of(
        tpm: &Tpm,
        input: &CertifyKey2In,
        i: usize,
        n: usize,
    ) -> Result<Entity, ReturnCode> {
        // Sessions are in handle order here: the certified key first.
        let swapped = if n == 2 { 1 - i.min(1) } else { i };
        certify_entity(tpm, input.cert_handle, input.key_handle, swapped, n)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: CertifyKey2In,
    ) -> Result<CertifyKey2Out, ReturnCode> {
        let (cert, key) = tpm.certify_keys(cx, input.cert_handle, input.key_handle)?;
        let b = &key.blob;
        let certify_info = CertifyInfo2 {
            payload_type: PayloadType::TPM_PT_ASYM,
            key_usage: b.key_usage(),
            key_flags: b.key_flags(),
            auth_data_usage: b.auth_data_usage(),
            algorithm_parms: b.algorithm_parms().clone(),
            pubkey_digest: sha1(&[&b.pub_key().key.0]),
            data: input.anti_replay,
            parent_pcr_status: key.parent_pcr_status,
            pcr_info: Sized32(key.pcr_info().map(|long| PcrInfoShort {
                pcr_selection: long.release_pcr_selection,
                locality_at_release: long.locality_at_release,
                digest_at_release: long.digest_at_release,
            })),
            migration_authority: SizedBuffer::default(),
        };
        let bytes = certify_info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let out_data = tpm.sign_structure(&cert, &bytes)?;
        Ok(CertifyKey2Out {
            certify_info,
            out_data,
        })
    }
}
