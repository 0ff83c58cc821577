//! The ordinal table: one row per implemented ordinal, sorted by ordinal, with the
//! properties the dispatcher checks (STYLE.md, point 5). Ordinals not listed answer
//! TPM_BAD_ORDINAL.

use crate::dispatch::{run, Ctx};
use crate::Tpm;
use tpm_marshal::commands::{
    audit, capability, counters, crypto, deprecated, eviction, integrity as pcr, nv, opt_in,
    ownership as tsc, sessions as session, startup, testing, timing,
};
// Owner, EK and key ordinals (issue 3).
use tpm_marshal::commands::{
    admin, change_auth, context, deprecated as dep, ek, identity, ownership as owner, storage,
};
use tpm_marshal::{Ordinal, ReturnCode};

/// The request tags an ordinal accepts (ordinals.md: six sets occur).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tags {
    /// TPM_TAG_RQU_COMMAND only.
    Auth0,
    /// TPM_TAG_RQU_AUTH1_COMMAND only.
    Auth1,
    /// TPM_TAG_RQU_AUTH1_COMMAND or TPM_TAG_RQU_COMMAND.
    Auth1Or0,
    /// TPM_TAG_RQU_AUTH2_COMMAND only.
    Auth2,
    /// TPM_TAG_RQU_AUTH2_COMMAND or TPM_TAG_RQU_AUTH1_COMMAND.
    Auth2Or1,
    /// Any request tag.
    Any,
}

impl Tags {
    /// True if a request with `auths` trailers is accepted.
    pub fn accepts(self, auths: usize) -> bool {
        match self {
            Self::Auth0 => auths == 0,
            Self::Auth1 => auths == 1,
            Self::Auth1Or0 => auths <= 1,
            Self::Auth2 => auths == 2,
            Self::Auth2Or1 => auths == 1 || auths == 2,
            Self::Any => auths <= 2,
        }
    }
}

/// Runs steps 5-8 of the pipeline for one ordinal.
pub(crate) type Runner = fn(&mut Tpm, &mut Ctx, &[u8]) -> Result<Vec<u8>, ReturnCode>;

/// One row of the ordinal table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The ordinal.
    pub ordinal: Ordinal,
    /// Decode, authorize, handle, encode.
    pub run: Runner,
    /// Accepted request tags.
    pub tags: Tags,
    /// Runs while TPM_PERMANENT_FLAGS.disable is TRUE.
    pub when_disabled: bool,
    /// Runs while the TPM is deactivated.
    pub when_deactivated: bool,
    /// Runs before TPM_Startup (only TPM_Startup itself); it also keeps a pending
    /// TPM_SaveState image, which every other ordinal discards.
    pub before_startup: bool,
    /// Runs after only the limited self-test (no implicit TPM_ContinueSelfTest first).
    pub limited_self_test: bool,
    /// Runs in failure mode.
    pub in_failure_mode: bool,
    /// Needs physical presence unconditionally (TPM_BAD_PRESENCE).
    pub physical_presence: bool,
    /// Audited by default (ordinalAuditStatus at manufacture and after TPM_OwnerClear; the
    /// ordinals libtpms audits by default).
    pub audit_default: bool,
    /// TPM_SetOrdinalAuditStatus may turn auditing on (TPM_GetAuditDigest and
    /// TPM_GetAuditDigestSigned are never audited).
    pub auditable: bool,
    /// Runs while disabled or deactivated as long as nvLocked is FALSE (Part 3, 20.1 step 2).
    pub nv_unlocked_any_state: bool,
    /// UINT32 handles opening the request (excluded from inParamDigest).
    pub in_handles: usize,
    /// UINT32 handles opening the response (excluded from outParamDigest).
    pub out_handles: usize,
}

/// Properties of a row, named so the table reads as a table.
#[derive(Clone, Copy)]
struct Props {
    tags: Tags,
    disabled: bool,
    deactivated: bool,
    startup: bool,
    limited: bool,
    failure: bool,
    pp: bool,
    audit: bool,
    auditable: bool,
    nv_open: bool,
}

/// The usual row: auth0 only, needs an enabled and active TPM, no physical presence.
const NORMAL: Props = Props {
    tags: Tags::Auth0,
    disabled: false,
    deactivated: false,
    startup: false,
    limited: false,
    failure: false,
    pp: false,
    audit: false,
    auditable: true,
    nv_open: false,
};
/// Owner or key auth (auth1 only), enabled and active.
const AUTH1: Props = Props {
    tags: Tags::Auth1,
    ..NORMAL
};
/// Key auth or none (the key's authDataUsage decides), enabled and active.
const AUTH1_OR_0: Props = Props {
    tags: Tags::Auth1Or0,
    ..NORMAL
};
/// Runs whatever the enable and activation state.
const ALWAYS: Props = Props {
    disabled: true,
    deactivated: true,
    ..NORMAL
};

const fn row<C: crate::dispatch::Handler>(p: Props) -> Entry {
    Entry {
        ordinal: C::ORDINAL,
        run: run::<C>,
        tags: p.tags,
        when_disabled: p.disabled,
        when_deactivated: p.deactivated,
        before_startup: p.startup,
        limited_self_test: p.limited,
        in_failure_mode: p.failure,
        physical_presence: p.pp,
        audit_default: p.audit,
        auditable: p.auditable,
        nv_unlocked_any_state: p.nv_open,
        in_handles: C::IN_HANDLES,
        out_handles: C::OUT_HANDLES,
    }
}

/// Every implemented ordinal, sorted by ordinal value.
#[rustfmt::skip]
pub(crate) static TABLE: &[Entry] = &[
    row::<session::Oiap>(ALWAYS),
    row::<session::Osap>(ALWAYS),
    row::<change_auth::ChangeAuth>(Props { tags: Tags::Auth2, ..NORMAL }),
    row::<owner::TakeOwnership>(Props { audit: true, deactivated: true, ..AUTH1 }),
    row::<dep::ChangeAuthAsymStart>(AUTH1_OR_0),
    row::<dep::ChangeAuthAsymFinish>(AUTH1_OR_0),
    row::<change_auth::ChangeAuthOwner>(Props { audit: true, ..AUTH1 }),
    row::<pcr::Extend>(Props { limited: true, ..ALWAYS }),
    row::<pcr::PcrRead>(NORMAL),
    row::<pcr::Quote>(AUTH1_OR_0),
    row::<storage::Seal>(AUTH1),
    row::<storage::Unseal>(Props { tags: Tags::Auth2Or1, ..NORMAL }),
    row::<deprecated::DirWriteAuth>(Props { tags: Tags::Auth1, ..NORMAL }),
    row::<deprecated::DirRead>(NORMAL),
    row::<storage::UnBind>(AUTH1_OR_0),
    row::<storage::CreateWrapKey>(Props { audit: true, ..AUTH1 }),
    row::<dep::LoadKey>(AUTH1_OR_0),
    row::<storage::GetPubKey>(AUTH1_OR_0),
    row::<dep::EvictKey>(NORMAL),
    row::<context::KeyControlOwner>(AUTH1),
    row::<crypto::CertifyKey>(Props { tags: Tags::Any, ..NORMAL }),
    row::<crypto::CertifyKey2>(Props { tags: Tags::Any, ..NORMAL }),
    row::<crypto::Sign>(AUTH1_OR_0),
    row::<storage::Sealx>(AUTH1),
    row::<pcr::Quote2>(AUTH1_OR_0),
    row::<capability::SetCapability>(Props { tags: Tags::Auth1Or0, ..ALWAYS }),
    row::<admin::ResetLockValue>(AUTH1),
    row::<storage::LoadKey2>(AUTH1_OR_0),
    row::<crypto::GetRandom>(NORMAL),
    row::<crypto::StirRandom>(NORMAL),
    row::<testing::SelfTestFull>(Props { limited: true, ..ALWAYS }),
    row::<testing::ContinueSelfTest>(Props { limited: true, ..ALWAYS }),
    row::<testing::GetTestResult>(Props { limited: true, failure: true, ..ALWAYS }),
    row::<deprecated::Reset>(ALWAYS),
    row::<owner::OwnerClear>(Props { tags: Tags::Auth1, audit: true, ..ALWAYS }),
    row::<owner::DisableOwnerClear>(Props { audit: true, ..AUTH1 }),
    row::<owner::ForceClear>(Props { pp: true, audit: true, ..NORMAL }),
    row::<owner::DisableForceClear>(Props { audit: true, ..NORMAL }),
    row::<capability::GetCapability>(Props { limited: true, failure: true, ..ALWAYS }),
    row::<capability::GetCapabilityOwner>(AUTH1),
    row::<opt_in::OwnerSetDisable>(Props { tags: Tags::Auth1, audit: true, ..ALWAYS }),
    row::<opt_in::PhysicalEnable>(Props { pp: true, audit: true, ..ALWAYS }),
    row::<opt_in::PhysicalDisable>(Props { pp: true, deactivated: true, audit: true, ..NORMAL }),
    row::<opt_in::SetOwnerInstall>(Props { pp: true, audit: true, ..NORMAL }),
    row::<opt_in::PhysicalSetDeactivated>(Props { pp: true, deactivated: true, audit: true, ..NORMAL }),
    row::<opt_in::SetTempDeactivated>(Props { tags: Tags::Auth1Or0, disabled: true, audit: true, ..NORMAL }),
    row::<opt_in::SetOperatorAuth>(Props { pp: true, ..NORMAL }),
    row::<session::SetOwnerPointer>(NORMAL),
    row::<ek::CreateEndorsementKeyPair>(ALWAYS),
    row::<identity::MakeIdentity>(Props { tags: Tags::Auth2Or1, audit: true, ..NORMAL }),
    row::<identity::ActivateIdentity>(Props { tags: Tags::Auth2Or1, audit: true, ..NORMAL }),
    row::<ek::ReadPubek>(Props { audit: true, ..ALWAYS }),
    row::<dep::OwnerReadPubek>(Props { audit: true, ..AUTH1 }),
    row::<dep::DisablePubekRead>(Props { audit: true, ..AUTH1 }),
    row::<ek::CreateRevocableEk>(ALWAYS),
    row::<ek::RevokeTrust>(Props { pp: true, ..ALWAYS }),
    row::<ek::OwnerReadInternalPub>(AUTH1),
    row::<audit::GetAuditDigest>(Props { auditable: false, ..NORMAL }),
    row::<audit::GetAuditDigestSigned>(Props { tags: Tags::Auth1Or0, auditable: false, ..NORMAL }),
    row::<audit::SetOrdinalAuditStatus>(Props { tags: Tags::Auth1, audit: true, ..NORMAL }),
    row::<deprecated::TerminateHandle>(ALWAYS),
    row::<startup::SaveState>(ALWAYS),
    row::<startup::Startup>(Props { startup: true, limited: true, ..ALWAYS }),
    row::<crypto::Sha1Start>(Props { limited: true, ..ALWAYS }),
    row::<crypto::Sha1Update>(Props { limited: true, ..ALWAYS }),
    row::<crypto::Sha1Complete>(Props { limited: true, ..ALWAYS }),
    row::<crypto::Sha1CompleteExtend>(Props { limited: true, ..ALWAYS }),
    row::<dep::SaveKeyContext>(NORMAL),
    row::<dep::LoadKeyContext>(NORMAL),
    row::<dep::SaveAuthContext>(NORMAL),
    row::<dep::LoadAuthContext>(NORMAL),
    row::<context::SaveContext>(NORMAL),
    row::<context::LoadContext>(NORMAL),
    row::<eviction::FlushSpecific>(ALWAYS),
    row::<pcr::PcrReset>(ALWAYS),
    row::<nv::NvDefineSpace>(Props { tags: Tags::Auth1Or0, nv_open: true, ..NORMAL }),
    row::<nv::NvWriteValue>(Props { tags: Tags::Auth1Or0, ..ALWAYS }),
    row::<nv::NvWriteValueAuth>(Props { tags: Tags::Auth1, ..NORMAL }),
    row::<nv::NvReadValue>(Props { tags: Tags::Auth1Or0, ..ALWAYS }),
    row::<nv::NvReadValueAuth>(Props { tags: Tags::Auth1, ..NORMAL }),
    row::<counters::CreateCounter>(Props { tags: Tags::Auth1, ..NORMAL }),
    row::<counters::IncrementCounter>(Props { tags: Tags::Auth1, ..NORMAL }),
    row::<counters::ReadCounter>(NORMAL),
    row::<counters::ReleaseCounter>(Props { tags: Tags::Auth1, ..NORMAL }),
    row::<counters::ReleaseCounterOwner>(Props { tags: Tags::Auth1, ..NORMAL }),
    row::<timing::GetTicks>(NORMAL),
    row::<timing::TickStampBlob>(AUTH1_OR_0),
    row::<tsc::TscPhysicalPresence>(Props { limited: true, ..ALWAYS }),
    row::<tsc::TscResetEstablishmentBit>(Props { limited: true, ..ALWAYS }),
];

/// The row for `ordinal`.
pub(crate) fn lookup(ordinal: Ordinal) -> Option<&'static Entry> {
    TABLE
        .binary_search_by_key(&ordinal.0, |e| e.ordinal.0)
        .ok()
        .and_then(|i| TABLE.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_without_duplicates() {
        for pair in TABLE.windows(2) {
            assert!(
                pair[0].ordinal.0 < pair[1].ordinal.0,
                "{:?} before {:?}",
                pair[0].ordinal,
                pair[1].ordinal
            );
        }
    }

    #[test]
    fn every_row_finds_itself() {
        for e in TABLE {
            assert_eq!(lookup(e.ordinal).unwrap().ordinal, e.ordinal);
        }
        assert!(lookup(Ordinal::TPM_ORD_GetCapabilitySigned).is_none());
    }

    #[test]
    fn only_authorized_ordinals_accept_auth_tags() {
        let with_auth: Vec<_> = TABLE
            .iter()
            .filter(|e| e.tags != Tags::Auth0)
            .map(|e| e.ordinal)
            .collect();
        for o in [
            Ordinal::TPM_ORD_SetCapability,
            Ordinal::TPM_ORD_SetTempDeactivated,
            Ordinal::TPM_ORD_TakeOwnership,
            Ordinal::TPM_ORD_OwnerClear,
            Ordinal::TPM_ORD_LoadKey2,
            Ordinal::TPM_ORD_Unseal,
            Ordinal::TPM_ORD_DirWriteAuth,
            Ordinal::TPM_ORD_SetOrdinalAuditStatus,
            Ordinal::TPM_ORD_NV_DefineSpace,
            Ordinal::TPM_ORD_NV_WriteValueAuth,
            Ordinal::TPM_ORD_CreateCounter,
            Ordinal::TPM_ORD_ReleaseCounterOwner,
        ] {
            assert!(with_auth.contains(&o), "{o:?}");
        }
        for o in [
            Ordinal::TPM_ORD_Startup,
            Ordinal::TPM_ORD_OIAP,
            Ordinal::TPM_ORD_ReadPubek,
            Ordinal::TPM_ORD_ForceClear,
            Ordinal::TPM_ORD_EvictKey,
            Ordinal::TPM_ORD_FlushSpecific,
            Ordinal::TPM_ORD_DirRead,
            Ordinal::TPM_ORD_GetAuditDigest,
            Ordinal::TPM_ORD_ReadCounter,
            Ordinal::TPM_ORD_SetOwnerPointer,
        ] {
            assert!(!with_auth.contains(&o), "{o:?}");
        }
    }

    #[test]
    fn only_startup_runs_before_startup() {
        let before: Vec<_> = TABLE
            .iter()
            .filter(|e| e.before_startup)
            .map(|e| e.ordinal)
            .collect();
        assert_eq!(before, [Ordinal::TPM_ORD_Startup]);
    }

    #[test]
    fn tag_sets_accept_what_they_name() {
        assert!(Tags::Auth1Or0.accepts(0) && Tags::Auth1Or0.accepts(1));
        assert!(!Tags::Auth1Or0.accepts(2));
        assert!(!Tags::Auth2Or1.accepts(0));
        assert!(Tags::Any.accepts(2) && !Tags::Auth0.accepts(1));
    }

    #[test]
    fn only_startup_and_self_test_family_run_before_the_full_self_test() {
        let limited: Vec<_> = TABLE
            .iter()
            .filter(|e| e.limited_self_test)
            .map(|e| e.ordinal)
            .collect();
        assert!(limited.contains(&Ordinal::TPM_ORD_Startup));
        assert!(limited.contains(&Ordinal::TPM_ORD_GetCapability));
        assert!(!limited.contains(&Ordinal::TPM_ORD_GetRandom));
    }
}
