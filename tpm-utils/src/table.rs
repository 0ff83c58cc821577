//! The one table of subcommands: name, the ordinal it sends (none for helpers) and the
//! spec section (for helpers, the ordinals they send). `tpm list` prints it; a test
//! checks it against clap's subcommands.

use crate::output::Report;
use serde_json::{json, Value};
use tpm_marshal::Ordinal;

/// (subcommand, ordinal, "Part 3, x.y" or what a helper sends).
pub type Entry = (&'static str, Option<Ordinal>, &'static str);

/// Shorthand for a table row of an ordinal subcommand.
const fn ord(name: &'static str, ordinal: Ordinal, section: &'static str) -> Entry {
    (name, Some(ordinal), section)
}

/// Every subcommand but `list`, in Part 3 order, helpers last.
#[rustfmt::skip]
pub const SUBCOMMANDS: &[Entry] = &[
    ord("init", Ordinal::TPM_ORD_Init, "Part 3, 3.1"),
    ord("startup", Ordinal::TPM_ORD_Startup, "Part 3, 3.2"),
    ord("save-state", Ordinal::TPM_ORD_SaveState, "Part 3, 3.3"),
    ord("self-test-full", Ordinal::TPM_ORD_SelfTestFull, "Part 3, 4.1"),
    ord("continue-self-test", Ordinal::TPM_ORD_ContinueSelfTest, "Part 3, 4.2"),
    ord("get-test-result", Ordinal::TPM_ORD_GetTestResult, "Part 3, 4.3"),
    ord("set-owner-install", Ordinal::TPM_ORD_SetOwnerInstall, "Part 3, 5.1"),
    ord("owner-set-disable", Ordinal::TPM_ORD_OwnerSetDisable, "Part 3, 5.2"),
    ord("physical-enable", Ordinal::TPM_ORD_PhysicalEnable, "Part 3, 5.3"),
    ord("physical-disable", Ordinal::TPM_ORD_PhysicalDisable, "Part 3, 5.4"),
    ord("physical-set-deactivated", Ordinal::TPM_ORD_PhysicalSetDeactivated, "Part 3, 5.5"),
    ord("set-temp-deactivated", Ordinal::TPM_ORD_SetTempDeactivated, "Part 3, 5.6"),
    ord("set-operator-auth", Ordinal::TPM_ORD_SetOperatorAuth, "Part 3, 5.7"),
    ord("take-ownership", Ordinal::TPM_ORD_TakeOwnership, "Part 3, 6.1"),
    ord("owner-clear", Ordinal::TPM_ORD_OwnerClear, "Part 3, 6.2"),
    ord("force-clear", Ordinal::TPM_ORD_ForceClear, "Part 3, 6.3"),
    ord("disable-owner-clear", Ordinal::TPM_ORD_DisableOwnerClear, "Part 3, 6.4"),
    ord("disable-force-clear", Ordinal::TPM_ORD_DisableForceClear, "Part 3, 6.5"),
    ord("physical-presence", Ordinal::TSC_ORD_PhysicalPresence, "Part 3, 6.6"),
    ord("reset-establishment-bit", Ordinal::TSC_ORD_ResetEstablishmentBit, "Part 3, 6.7"),
    ord("reset-lock-value", Ordinal::TPM_ORD_ResetLockValue, "Part 3, 9.3"),
    ord("get-capability", Ordinal::TPM_ORD_GetCapability, "Part 3, 7.1"),
    ord("set-capability", Ordinal::TPM_ORD_SetCapability, "Part 3, 7.2"),
    ord("get-capability-owner", Ordinal::TPM_ORD_GetCapabilityOwner, "Part 3, 7.3"),
    ord("get-audit-digest", Ordinal::TPM_ORD_GetAuditDigest, "Part 3, 8.3"),
    ord("get-audit-digest-signed", Ordinal::TPM_ORD_GetAuditDigestSigned, "Part 3, 8.4"),
    ord("set-ordinal-audit-status", Ordinal::TPM_ORD_SetOrdinalAuditStatus, "Part 3, 8.5"),
    ord("seal", Ordinal::TPM_ORD_Seal, "Part 3, 10.1"),
    ord("unseal", Ordinal::TPM_ORD_Unseal, "Part 3, 10.2"),
    ord("unbind", Ordinal::TPM_ORD_UnBind, "Part 3, 10.3"),
    ord("create-wrap-key", Ordinal::TPM_ORD_CreateWrapKey, "Part 3, 10.4"),
    ord("load-key2", Ordinal::TPM_ORD_LoadKey2, "Part 3, 10.5"),
    ord("get-pub-key", Ordinal::TPM_ORD_GetPubKey, "Part 3, 10.6"),
    ord("sha1-start", Ordinal::TPM_ORD_SHA1Start, "Part 3, 13.1"),
    ord("sha1-update", Ordinal::TPM_ORD_SHA1Update, "Part 3, 13.2"),
    ord("sha1-complete", Ordinal::TPM_ORD_SHA1Complete, "Part 3, 13.3"),
    ord("sha1-complete-extend", Ordinal::TPM_ORD_SHA1CompleteExtend, "Part 3, 13.4"),
    ord("sign", Ordinal::TPM_ORD_Sign, "Part 3, 13.5"),
    ord("get-random", Ordinal::TPM_ORD_GetRandom, "Part 3, 13.6"),
    ord("stir-random", Ordinal::TPM_ORD_StirRandom, "Part 3, 13.7"),
    ord("certify-key", Ordinal::TPM_ORD_CertifyKey, "Part 3, 13.8"),
    ord("certify-key2", Ordinal::TPM_ORD_CertifyKey2, "Part 3, 13.9"),
    ord("create-endorsement-key-pair", Ordinal::TPM_ORD_CreateEndorsementKeyPair, "Part 3, 14.1"),
    ord("create-revocable-ek", Ordinal::TPM_ORD_CreateRevocableEK, "Part 3, 14.2"),
    ord("revoke-trust", Ordinal::TPM_ORD_RevokeTrust, "Part 3, 14.3"),
    ord("read-pubek", Ordinal::TPM_ORD_ReadPubek, "Part 3, 14.4"),
    ord("owner-read-internal-pub", Ordinal::TPM_ORD_OwnerReadInternalPub, "Part 3, 14.5"),
    ord("make-identity", Ordinal::TPM_ORD_MakeIdentity, "Part 3, 15.1"),
    ord("activate-identity", Ordinal::TPM_ORD_ActivateIdentity, "Part 3, 15.2"),
    ord("extend", Ordinal::TPM_ORD_Extend, "Part 3, 16.1"),
    ord("pcr-read", Ordinal::TPM_ORD_PcrRead, "Part 3, 16.2"),
    ord("quote", Ordinal::TPM_ORD_Quote, "Part 3, 16.3"),
    ord("pcr-reset", Ordinal::TPM_ORD_PCR_Reset, "Part 3, 16.4"),
    ord("quote2", Ordinal::TPM_ORD_Quote2, "Part 3, 16.5"),
    ord("change-auth", Ordinal::TPM_ORD_ChangeAuth, "Part 3, 17.1"),
    ord("change-auth-owner", Ordinal::TPM_ORD_ChangeAuthOwner, "Part 3, 17.2"),
    ord("oiap", Ordinal::TPM_ORD_OIAP, "Part 3, 18.1"),
    ord("osap", Ordinal::TPM_ORD_OSAP, "Part 3, 18.2"),
    ord("dsap", Ordinal::TPM_ORD_DSAP, "Part 3, 18.3"),
    ord("set-owner-pointer", Ordinal::TPM_ORD_SetOwnerPointer, "Part 3, 18.4"),
    ord("nv-define-space", Ordinal::TPM_ORD_NV_DefineSpace, "Part 3, 20.1"),
    ord("nv-write-value", Ordinal::TPM_ORD_NV_WriteValue, "Part 3, 20.2"),
    ord("nv-write-value-auth", Ordinal::TPM_ORD_NV_WriteValueAuth, "Part 3, 20.3"),
    ord("nv-read-value", Ordinal::TPM_ORD_NV_ReadValue, "Part 3, 20.4"),
    ord("nv-read-value-auth", Ordinal::TPM_ORD_NV_ReadValueAuth, "Part 3, 20.5"),
    ord("key-control-owner", Ordinal::TPM_ORD_KeyControlOwner, "Part 3, 21.1"),
    ord("save-context", Ordinal::TPM_ORD_SaveContext, "Part 3, 21.2"),
    ord("load-context", Ordinal::TPM_ORD_LoadContext, "Part 3, 21.3"),
    ord("flush-specific", Ordinal::TPM_ORD_FlushSpecific, "Part 3, 22.1"),
    ord("get-ticks", Ordinal::TPM_ORD_GetTicks, "Part 3, 23.1"),
    ord("tick-stamp-blob", Ordinal::TPM_ORD_TickStampBlob, "Part 3, 23.2"),
    ord("establish-transport", Ordinal::TPM_ORD_EstablishTransport, "Part 3, 24.1"),
    ord("execute-transport", Ordinal::TPM_ORD_ExecuteTransport, "Part 3, 24.2"),
    ord("release-transport-signed", Ordinal::TPM_ORD_ReleaseTransportSigned, "Part 3, 24.3"),
    ord("create-counter", Ordinal::TPM_ORD_CreateCounter, "Part 3, 25.1"),
    ord("increment-counter", Ordinal::TPM_ORD_IncrementCounter, "Part 3, 25.2"),
    ord("read-counter", Ordinal::TPM_ORD_ReadCounter, "Part 3, 25.3"),
    ord("release-counter", Ordinal::TPM_ORD_ReleaseCounter, "Part 3, 25.4"),
    ord("release-counter-owner", Ordinal::TPM_ORD_ReleaseCounterOwner, "Part 3, 25.5"),
    ord("evict-key", Ordinal::TPM_ORD_EvictKey, "Part 3, 27.1.1"),
    ord("terminate-handle", Ordinal::TPM_ORD_Terminate_Handle, "Part 3, 27.1.2"),
    ord("save-key-context", Ordinal::TPM_ORD_SaveKeyContext, "Part 3, 27.2.1"),
    ord("load-key-context", Ordinal::TPM_ORD_LoadKeyContext, "Part 3, 27.2.2"),
    ord("save-auth-context", Ordinal::TPM_ORD_SaveAuthContext, "Part 3, 27.2.3"),
    ord("load-auth-context", Ordinal::TPM_ORD_LoadAuthContext, "Part 3, 27.2.4"),
    ord("dir-write-auth", Ordinal::TPM_ORD_DirWriteAuth, "Part 3, 27.3.1"),
    ord("dir-read", Ordinal::TPM_ORD_DirRead, "Part 3, 27.3.2"),
    ord("reset", Ordinal::TPM_ORD_Reset, "Part 3, 27.5"),
    ord("owner-read-pubek", Ordinal::TPM_ORD_OwnerReadPubek, "Part 3, 27.6.1"),
    ord("disable-pubek-read", Ordinal::TPM_ORD_DisablePubekRead, "Part 3, 27.6.2"),
    ord("load-key", Ordinal::TPM_ORD_LoadKey, "Part 3, 27.8"),
    ("tpmbios", None, "helper: Startup, ContinueSelfTest, TSC_PhysicalPresence, PhysicalEnable, PhysicalSetDeactivated, CreateEndorsementKeyPair"),
    ("sealfile", None, "helper: PCRRead, OSAP, Seal"),
    ("signfile", None, "helper: OIAP, LoadKey2, Sign, FlushSpecific"),
    ("checkquote", None, "helper: none (verifies a quote offline)"),
];

/// The table as a report: `{"subcommands": [{name, ordinal, code, section}, ...]}`.
pub fn list() -> Report {
    let rows: Vec<Value> = SUBCOMMANDS
        .iter()
        .map(|(name, ordinal, section)| {
            json!({
                "name": name,
                "ordinal": ordinal.and_then(|o| o.name()),
                "code": ordinal.map(|o| format!("{:#010x}", o.0)),
                "section": section,
            })
        })
        .collect();
    Report::new().with("subcommands", rows)
}

/// The table as aligned text, one subcommand a line.
pub fn list_text() -> String {
    SUBCOMMANDS
        .iter()
        .map(|(name, ordinal, section)| match ordinal {
            Some(o) => format!(
                "{name:<28} {:<34} {:#010x}  {section}\n",
                o.name().unwrap_or("?"),
                o.0
            ),
            None => format!("{name:<28} {section}\n"),
        })
        .collect()
}
