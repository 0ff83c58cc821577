//! Part 3, 8 Auditing: TPM_GetAuditDigest and TPM_SetOrdinalAuditStatus. The audit digest
//! itself is extended by the dispatcher (step 10 of its pipeline) for every successful
//! audited command.

use crate::dispatch::{Ctx, Entity, Handler};
use crate::sessions::sha1;
use crate::table::{lookup, TABLE};
use crate::Tpm;
use std::collections::BTreeSet;
use tpm_marshal::commands::audit::{
    GetAuditDigest, GetAuditDigestIn, GetAuditDigestOut, GetAuditDigestSigned,
    GetAuditDigestSignedIn, GetAuditDigestSignedOut, OrdinalList, SetOrdinalAuditStatus,
    SetOrdinalAuditStatusIn,
};
use tpm_marshal::{
    KeyUsage, Marshal, Ordinal, ReturnCode, SigScheme, SignInfo, SizedBuffer, MAX_BUFFER,
};

/// ordinalAuditStatus as manufactured, and after TPM_OwnerClear (Part 3, 6.2 step 6.b):
/// the ordinals audited by default.
pub(crate) fn default_audited_ordinals() -> BTreeSet<u32> {
    TABLE
        .iter()
        .filter(|e| e.audit_default)
        .map(|e| e.ordinal.0)
        .collect()
}

/// How many ordinals fit in one TPM_GetAuditDigest response: the buffer less the header,
/// counterValue, auditDigest, more and ordSize.
const MAX_LISTED: usize = (MAX_BUFFER - 10 - 10 - 20 - 1 - 4) / 4;

/// Part 3, 8.3 TPM_GetAuditDigest: the digest, the audit counter, and the audited ordinals
/// from `startOrdinal` on (as many as fit; `more` says if some did not).
impl Handler for GetAuditDigest {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: GetAuditDigestIn,
    ) -> Result<GetAuditDigestOut, ReturnCode> {
        let audited: Vec<Ordinal> = tpm
            .state
            .permanent
            .audited_ordinals
            .range(input.start_ordinal.0..)
            .map(|o| Ordinal(*o))
            .collect();
        let more = audited.len() > MAX_LISTED;
        let ordinals = audited.into_iter().take(MAX_LISTED).collect();
        Ok(GetAuditDigestOut {
            counter_value: tpm.audit_counter_value(),
            audit_digest: tpm.state.stany.audit_digest,
            more,
            ord_list: OrdinalList { ordinals },
        })
    }
}

/// Part 3, 8.4 TPM_GetAuditDigestSigned: a signing key signs TPM_SIGN_INFO ("ADIG",
/// antiReplay, auditDigest || counterValue || ordinalDigest), where ordinalDigest is the
/// SHA-1 of every audited ordinal; closeAudit (identity keys only) then clears the digest.
impl Handler for GetAuditDigestSigned {
    fn authorize(
        tpm: &Tpm,
        input: &GetAuditDigestSignedIn,
        _i: usize,
    ) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: GetAuditDigestSignedIn,
    ) -> Result<GetAuditDigestSignedOut, ReturnCode> {
        // 1-3. An authorized signing key with a SHA-1 scheme.
        let key = tpm.signing_key(cx, input.key_handle, cx.auth_count() == 1)?;
        let sha1_scheme = matches!(
            key.sig_scheme(),
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1 | SigScheme::TPM_SS_RSASSAPKCS1v15_INFO
        );
        // 5.b Only an identity key closes the audit session.
        if !sha1_scheme || (input.close_audit && key.usage() != KeyUsage::TPM_KEY_IDENTITY) {
            return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
        }
        // 4.c-d D3, the audited ordinals, and D4 = SHA-1(D3).
        let list: Vec<u8> = tpm
            .state
            .permanent
            .audited_ordinals
            .iter()
            .flat_map(|o| o.to_be_bytes())
            .collect();
        let ordinal_digest = sha1(&[&list]);
        // 4.e-h D2 = auditDigest || counterValue || D4 in D1.
        let audit_digest = tpm.state.stany.audit_digest;
        let counter_value = tpm.audit_counter_value();
        let mut data = audit_digest.to_vec();
        data.extend(counter_value.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?);
        data.extend_from_slice(&ordinal_digest);
        let info = SignInfo {
            fixed: *b"ADIG",
            replay: input.anti_replay,
            data: SizedBuffer(data),
        };
        // 4.i The signature over SHA-1(D1).
        let bytes = info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let sig = tpm.sign_structure(&key, &bytes)?;
        // 5.a
        if input.close_audit {
            tpm.state.stany.audit_digest = [0; 20];
        }
        Ok(GetAuditDigestSignedOut {
            counter_value,
            audit_digest,
            ordinal_digest,
            sig,
        })
    }
}

/// Part 3, 8.5 TPM_SetOrdinalAuditStatus: the owner turns auditing of one implemented
/// ordinal on or off. Whether this command itself is audited follows the status before it
/// ran (the dispatcher decides that before the handler).
impl Handler for SetOrdinalAuditStatus {
    fn authorize(
        tpm: &Tpm,
        _input: &SetOrdinalAuditStatusIn,
        _i: usize,
    ) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: SetOrdinalAuditStatusIn,
    ) -> Result<(), ReturnCode> {
        // 2. An ordinal this TPM implements, and may audit.
        let entry = lookup(input.ordinal_to_audit).ok_or(ReturnCode::TPM_BADINDEX)?;
        if input.audit_state && !entry.auditable {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        // 3.
        let set = &mut tpm.state.permanent.audited_ordinals;
        let changed = if input.audit_state {
            set.insert(entry.ordinal.0)
        } else {
            set.remove(&entry.ordinal.0)
        };
        tpm.permanent_dirty |= changed;
        Ok(())
    }
}
