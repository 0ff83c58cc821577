//! Support for the `unmarshal_any` fuzz target and its regression tests: one table of
//! every wire type, indexed by a selector byte.

use crate::{Marshal, Unmarshal};

/// Decodes `bytes` as `T`; if that succeeds, re-encodes it and panics unless the bytes are
/// identical. Panicking is the point: it is how the fuzzer reports a finding.
#[allow(clippy::panic)]
fn check<T: Marshal + Unmarshal>(bytes: &[u8]) {
    if let Ok(v) = T::from_bytes(bytes) {
        match v.to_bytes() {
            Ok(again) if again == bytes => {}
            Ok(again) => panic!(
                "{}: re-encoding differs: {:02x?} -> {:02x?}",
                core::any::type_name::<T>(),
                bytes,
                again
            ),
            Err(e) => panic!("{}: re-encoding failed: {e}", core::any::type_name::<T>()),
        }
    }
}

macro_rules! wire_types {
    ($($ty:ty),* $(,)?) => {
        /// Every structure and command type the fuzzer exercises, in selector order.
        pub const TYPE_NAMES: &[&str] = &[$(stringify!($ty)),*];
        const CHECKS: &[fn(&[u8])] = &[$(check::<$ty>),*];
    };
}

use crate::commands::{
    admin::*, audit::*, capability::*, change_auth::*, context::*, counters::*, crypto::*, daa::*,
    delegation::*, deprecated::*, ek::*, eviction::*, identity::*, integrity::*, maintenance::*,
    migration::*, nv::*, opt_in::*, ownership::*, sessions::*, startup::*, storage::*, testing::*,
    timing::*, transport::*,
};
use crate::framing::{AuthIn, AuthOut};
use crate::*;

wire_types! {
    SizedBuffer, SizedBuffer16, StructVer, Version,
    PcrSelection, PcrComposite, PcrInfo, PcrInfoLong, PcrInfoShort, PcrAttributes,
    AuthIn, AuthOut,
    RsaKeyParms, SymmetricKeyParms, KeyParms, StorePubkey, Pubkey, Key, Key12, KeyBlob,
    StorePrivkey, StoreAsymkey, MigrateAsymkey, SymmetricKey, ChangeauthValidate, KeyHandleList,
    StoredData, StoredData12, SealedData, BoundData,
    CertifyInfo, CertifyInfo2, QuoteInfo, QuoteInfo2, SignInfo,
    EkBlob, EkBlobActivate, EkBlobAuth, IdentityContents, IdentityReq, IdentityProof,
    AsymCaContents, SymCaAttestation,
    MigrationKeyAuth, MsaComposite, CmkAuth, CmkMigauth, CmkSigticket, CmkMaApproval,
    NvPermission, NvDataPublic, NvDataSensitive, CounterValue, CurrentTicks,
    PermanentFlags, StClearFlags, StAnyFlags, DaActionType, DaInfo, DaInfoLimited,
    SelectSize, CapVersionInfo, TisTimeouts, CommandDurations, ContextBlob, ContextSensitive,
    TransportPublic, TransportInternal, TransportLogIn, TransportLogOut, TransportAuth,
    AuditEventIn, AuditEventOut, Delegations, FamilyTableEntry, DelegatePublic,
    DelegateTableRow, DelegateSensitive, DelegateOwnerBlob, DelegateKeyBlob,
    DaaIssuer, DaaTpm, DaaContext, DaaJoinData, DaaBlob, DaaSensitive,
    ExtendIn, ExtendOut, PcrReadIn, PcrReadOut, QuoteIn, QuoteOut, PcrResetIn, Quote2In,
    Quote2Out,
    StartupIn, GetTestResultOut, SetOwnerInstallIn, OwnerSetDisableIn, PhysicalSetDeactivatedIn,
    SetOperatorAuthIn, TakeOwnershipIn, TakeOwnershipOut, TscPhysicalPresenceIn,
    GetCapabilityIn, GetCapabilityOut, SetCapabilityIn, GetCapabilityOwnerOut,
    Sha1StartOut, Sha1UpdateIn, Sha1CompleteIn, Sha1CompleteOut, Sha1CompleteExtendIn,
    Sha1CompleteExtendOut, SignIn, SignOut, GetRandomIn, GetRandomOut, StirRandomIn,
    CertifyKeyInfo, CertifyKeyIn, CertifyKeyOut, CertifyKey2In, CertifyKey2Out,
    OiapOut, OsapIn, OsapOut, DsapIn, DsapOut, SetOwnerPointerIn,
    OrdinalList, GetAuditDigestIn, GetAuditDigestOut, GetAuditDigestSignedIn,
    GetAuditDigestSignedOut, SetOrdinalAuditStatusIn,
    SealPcrInfo, StoredDataBlob, SealIn, SealOut, UnsealIn, UnsealOut, UnBindIn, UnBindOut,
    CreateWrapKeyIn, CreateWrapKeyOut, LoadKey2In, LoadKey2Out, GetPubKeyIn, GetPubKeyOut,
    SealxIn, SealxOut,
    CreateEndorsementKeyPairIn, CreateEndorsementKeyPairOut, CreateRevocableEkIn,
    CreateRevocableEkOut, RevokeTrustIn, ReadPubekIn, ReadPubekOut, OwnerReadInternalPubIn,
    OwnerReadInternalPubOut,
    MakeIdentityIn, MakeIdentityOut, ActivateIdentityIn, ActivateIdentityOut,
    ChangeAuthIn, ChangeAuthOut, ChangeAuthOwnerIn,
    NvDefineSpaceIn, NvWriteValueIn, NvWriteValueAuthIn, NvReadValueIn, NvReadValueOut,
    NvReadValueAuthIn, NvReadValueAuthOut,
    KeyControlOwnerIn, SaveContextIn, SaveContextOut, LoadContextIn, LoadContextOut,
    FlushSpecificIn,
    GetTicksOut, TickStampBlobIn, TickStampBlobOut,
    CreateCounterIn, CreateCounterOut, IncrementCounterIn, IncrementCounterOut, ReadCounterIn,
    ReadCounterOut, ReleaseCounterIn, ReleaseCounterOwnerIn,
    EvictKeyIn, TerminateHandleIn, SaveKeyContextIn, SaveKeyContextOut, LoadKeyContextIn,
    LoadKeyContextOut, SaveAuthContextIn, SaveAuthContextOut, LoadAuthContextIn,
    LoadAuthContextOut, DirWriteAuthIn, DirReadIn, DirReadOut, ChangeAuthAsymStartIn,
    ChangeAuthAsymStartOut, ChangeAuthAsymFinishIn, ChangeAuthAsymFinishOut, OwnerReadPubekOut,
    LoadKeyIn, LoadKeyOut,
    FieldUpgradeIn, FieldUpgradeOut, SetRedirectionIn,
    CreateMigrationBlobIn, CreateMigrationBlobOut, ConvertMigrationBlobIn, ConvertMigrationBlobOut,
    AuthorizeMigrationKeyIn, AuthorizeMigrationKeyOut, MigrateKeyIn, MigrateKeyOut,
    CmkSetRestrictionsIn, CmkApproveMaIn, CmkApproveMaOut, CmkCreateKeyIn, CmkCreateKeyOut,
    CmkCreateTicketIn, CmkCreateTicketOut, CmkCreateBlobIn, CmkCreateBlobOut,
    CmkConvertMigrationIn, CmkConvertMigrationOut,
    CreateMaintenanceArchiveIn, CreateMaintenanceArchiveOut, LoadMaintenanceArchiveIn,
    LoadManuMaintPubIn, LoadManuMaintPubOut, ReadManuMaintPubIn, ReadManuMaintPubOut,
    DelegateManageIn, DelegateManageOut, DelegateCreateKeyDelegationIn,
    DelegateCreateKeyDelegationOut, DelegateCreateOwnerDelegationIn,
    DelegateCreateOwnerDelegationOut, DelegateLoadOwnerDelegationIn, DelegateTableEntry,
    DelegateReadTableOut, DelegateUpdateVerificationIn, DelegateUpdateVerificationOut,
    DelegateVerifyDelegationIn,
    EstablishTransportIn, EstablishTransportOut, ExecuteTransportIn, ExecuteTransportOut,
    ReleaseTransportSignedIn, ReleaseTransportSignedOut,
    DaaJoinIn, DaaJoinOut, DaaSignIn, DaaSignOut,
}

/// Decodes `bytes` as the type chosen by `selector` (modulo the number of types) and
/// checks that a successful decode re-encodes byte for byte. There are more than 256
/// types, so the selector is 16 bits wide.
pub fn round_trip_any(selector: u16, bytes: &[u8]) {
    let n = CHECKS.len();
    if let Some(check) = CHECKS.get(usize::from(selector) % n.max(1)) {
        check(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_survives_empty_and_junk_input() {
        for sel in 0..TYPE_NAMES.len() {
            let sel = u16::try_from(sel).unwrap();
            round_trip_any(sel, &[]);
            round_trip_any(sel, &[0xff; 64]);
            round_trip_any(sel, &[0; 64]);
        }
    }
}
