//! Part 3, 8 Auditing: TPM_GetAuditDigest and TPM_SetOrdinalAuditStatus. The audit digest
//! itself is extended by the dispatcher (step 10 of its pipeline) for every successful
//! audited command.

use crate::dispatch::{Ctx, Entity, Handler};
use crate::table::{lookup, TABLE};
use crate::Tpm;
use std::collections::BTreeSet;
use tpm_marshal::commands::audit::{
    GetAuditDigest, GetAuditDigestIn, GetAuditDigestOut, OrdinalList, SetOrdinalAuditStatus,
    SetOrdinalAuditStatusIn,
};
use tpm_marshal::{Ordinal, ReturnCode, MAX_BUFFER};

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
