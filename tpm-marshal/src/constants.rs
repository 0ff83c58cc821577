//! Wire numbers of TPM Main Part 2 rev 116 as open enums: each constant carries the spec
//! name verbatim, so `Debug` prints what the spec says.
//!
//! Values are facts taken from the spec; the ordinals and return codes are checked against
//! `ordinals.md` and the TSS headers in `tests/ordinals.rs`. Where the TSS header spells a
//! name differently from rev 116 (TPM_ALG_AES for TPM_ALG_AES128 ...), the header's spelling
//! is kept as a plain associated constant beside the spec name, outside `NAMED`.

open_enum! {
    /// Part 2, 6 TPM_TAG: command and response tags (how many auth trailers follow).
    #[doc(alias = "TPM_TAG")]
    pub struct Tag(u16) {
        TPM_TAG_RQU_COMMAND = 0x00C1,
        TPM_TAG_RQU_AUTH1_COMMAND = 0x00C2,
        TPM_TAG_RQU_AUTH2_COMMAND = 0x00C3,
        TPM_TAG_RSP_COMMAND = 0x00C4,
        TPM_TAG_RSP_AUTH1_COMMAND = 0x00C5,
        TPM_TAG_RSP_AUTH2_COMMAND = 0x00C6,
    }
}

open_enum! {
    /// Part 2, 17 TPM_COMMAND_CODE: the ordinals, every TPM_ORD_* and TSC_ORD_* of rev 116
    /// (125 in all; Part 3 defines each command).
    #[doc(alias = "TPM_COMMAND_CODE")]
    pub struct Ordinal(u32) {
        TPM_ORD_OIAP = 0x0000000A,
        TPM_ORD_OSAP = 0x0000000B,
        TPM_ORD_ChangeAuth = 0x0000000C,
        TPM_ORD_TakeOwnership = 0x0000000D,
        TPM_ORD_ChangeAuthAsymStart = 0x0000000E,
        TPM_ORD_ChangeAuthAsymFinish = 0x0000000F,
        TPM_ORD_ChangeAuthOwner = 0x00000010,
        TPM_ORD_DSAP = 0x00000011,
        TPM_ORD_CMK_CreateTicket = 0x00000012,
        TPM_ORD_CMK_CreateKey = 0x00000013,
        TPM_ORD_Extend = 0x00000014,
        TPM_ORD_PcrRead = 0x00000015,
        TPM_ORD_Quote = 0x00000016,
        TPM_ORD_Seal = 0x00000017,
        TPM_ORD_Unseal = 0x00000018,
        TPM_ORD_DirWriteAuth = 0x00000019,
        TPM_ORD_DirRead = 0x0000001A,
        TPM_ORD_CMK_CreateBlob = 0x0000001B,
        TPM_ORD_CMK_SetRestrictions = 0x0000001C,
        TPM_ORD_CMK_ApproveMA = 0x0000001D,
        TPM_ORD_UnBind = 0x0000001E,
        TPM_ORD_CreateWrapKey = 0x0000001F,
        TPM_ORD_LoadKey = 0x00000020,
        TPM_ORD_GetPubKey = 0x00000021,
        TPM_ORD_EvictKey = 0x00000022,
        TPM_ORD_KeyControlOwner = 0x00000023,
        TPM_ORD_CMK_ConvertMigration = 0x00000024,
        TPM_ORD_MigrateKey = 0x00000025,
        TPM_ORD_CreateMigrationBlob = 0x00000028,
        TPM_ORD_DAA_Join = 0x00000029,
        TPM_ORD_ConvertMigrationBlob = 0x0000002A,
        TPM_ORD_AuthorizeMigrationKey = 0x0000002B,
        TPM_ORD_CreateMaintenanceArchive = 0x0000002C,
        TPM_ORD_LoadMaintenanceArchive = 0x0000002D,
        TPM_ORD_KillMaintenanceFeature = 0x0000002E,
        TPM_ORD_LoadManuMaintPub = 0x0000002F,
        TPM_ORD_ReadManuMaintPub = 0x00000030,
        TPM_ORD_DAA_Sign = 0x00000031,
        TPM_ORD_CertifyKey = 0x00000032,
        TPM_ORD_CertifyKey2 = 0x00000033,
        TPM_ORD_Sign = 0x0000003C,
        TPM_ORD_Sealx = 0x0000003D,
        TPM_ORD_Quote2 = 0x0000003E,
        TPM_ORD_SetCapability = 0x0000003F,
        TPM_ORD_ResetLockValue = 0x00000040,
        TPM_ORD_LoadKey2 = 0x00000041,
        TPM_ORD_GetRandom = 0x00000046,
        TPM_ORD_StirRandom = 0x00000047,
        TPM_ORD_SelfTestFull = 0x00000050,
        TPM_ORD_CertifySelfTest = 0x00000052,
        TPM_ORD_ContinueSelfTest = 0x00000053,
        TPM_ORD_GetTestResult = 0x00000054,
        TPM_ORD_Reset = 0x0000005A,
        TPM_ORD_OwnerClear = 0x0000005B,
        TPM_ORD_DisableOwnerClear = 0x0000005C,
        TPM_ORD_ForceClear = 0x0000005D,
        TPM_ORD_DisableForceClear = 0x0000005E,
        TPM_ORD_GetCapabilitySigned = 0x00000064,
        TPM_ORD_GetCapability = 0x00000065,
        TPM_ORD_GetCapabilityOwner = 0x00000066,
        TPM_ORD_OwnerSetDisable = 0x0000006E,
        TPM_ORD_PhysicalEnable = 0x0000006F,
        TPM_ORD_PhysicalDisable = 0x00000070,
        TPM_ORD_SetOwnerInstall = 0x00000071,
        TPM_ORD_PhysicalSetDeactivated = 0x00000072,
        TPM_ORD_SetTempDeactivated = 0x00000073,
        TPM_ORD_SetOperatorAuth = 0x00000074,
        TPM_ORD_SetOwnerPointer = 0x00000075,
        TPM_ORD_CreateEndorsementKeyPair = 0x00000078,
        TPM_ORD_MakeIdentity = 0x00000079,
        TPM_ORD_ActivateIdentity = 0x0000007A,
        TPM_ORD_ReadPubek = 0x0000007C,
        TPM_ORD_OwnerReadPubek = 0x0000007D,
        TPM_ORD_DisablePubekRead = 0x0000007E,
        TPM_ORD_CreateRevocableEK = 0x0000007F,
        TPM_ORD_RevokeTrust = 0x00000080,
        TPM_ORD_OwnerReadInternalPub = 0x00000081,
        TPM_ORD_GetAuditEvent = 0x00000082,
        TPM_ORD_GetAuditEventSigned = 0x00000083,
        TPM_ORD_GetAuditDigest = 0x00000085,
        TPM_ORD_GetAuditDigestSigned = 0x00000086,
        TPM_ORD_GetOrdinalAuditStatus = 0x0000008C,
        TPM_ORD_SetOrdinalAuditStatus = 0x0000008D,
        TPM_ORD_Terminate_Handle = 0x00000096,
        TPM_ORD_Init = 0x00000097,
        TPM_ORD_SaveState = 0x00000098,
        TPM_ORD_Startup = 0x00000099,
        TPM_ORD_SetRedirection = 0x0000009A,
        TPM_ORD_SHA1Start = 0x000000A0,
        TPM_ORD_SHA1Update = 0x000000A1,
        TPM_ORD_SHA1Complete = 0x000000A2,
        TPM_ORD_SHA1CompleteExtend = 0x000000A3,
        TPM_ORD_FieldUpgrade = 0x000000AA,
        TPM_ORD_SaveKeyContext = 0x000000B4,
        TPM_ORD_LoadKeyContext = 0x000000B5,
        TPM_ORD_SaveAuthContext = 0x000000B6,
        TPM_ORD_LoadAuthContext = 0x000000B7,
        TPM_ORD_SaveContext = 0x000000B8,
        TPM_ORD_LoadContext = 0x000000B9,
        TPM_ORD_FlushSpecific = 0x000000BA,
        TPM_ORD_PCR_Reset = 0x000000C8,
        TPM_ORD_NV_DefineSpace = 0x000000CC,
        TPM_ORD_NV_WriteValue = 0x000000CD,
        TPM_ORD_NV_WriteValueAuth = 0x000000CE,
        TPM_ORD_NV_ReadValue = 0x000000CF,
        TPM_ORD_NV_ReadValueAuth = 0x000000D0,
        TPM_ORD_Delegate_UpdateVerification = 0x000000D1,
        TPM_ORD_Delegate_Manage = 0x000000D2,
        TPM_ORD_Delegate_CreateKeyDelegation = 0x000000D4,
        TPM_ORD_Delegate_CreateOwnerDelegation = 0x000000D5,
        TPM_ORD_Delegate_VerifyDelegation = 0x000000D6,
        TPM_ORD_Delegate_LoadOwnerDelegation = 0x000000D8,
        TPM_ORD_Delegate_ReadTable = 0x000000DB,
        TPM_ORD_CreateCounter = 0x000000DC,
        TPM_ORD_IncrementCounter = 0x000000DD,
        TPM_ORD_ReadCounter = 0x000000DE,
        TPM_ORD_ReleaseCounter = 0x000000DF,
        TPM_ORD_ReleaseCounterOwner = 0x000000E0,
        TPM_ORD_EstablishTransport = 0x000000E6,
        TPM_ORD_ExecuteTransport = 0x000000E7,
        TPM_ORD_ReleaseTransportSigned = 0x000000E8,
        TPM_ORD_GetTicks = 0x000000F1,
        TPM_ORD_TickStampBlob = 0x000000F2,
        TSC_ORD_PhysicalPresence = 0x4000000A,
        TSC_ORD_ResetEstablishmentBit = 0x4000000B,
    }
}

open_enum! {
    /// Part 2, 16 TPM_RESULT: return codes (TPM_BASE codes and the TPM_NON_FATAL ones);
    /// [`ReturnCode::description`] says what each means.
    #[doc(alias = "TPM_RESULT")]
    pub struct ReturnCode(u32) {
        TPM_SUCCESS = 0,
        TPM_AUTHFAIL = 0x1,
        TPM_BADINDEX = 0x2,
        TPM_BAD_PARAMETER = 0x3,
        TPM_AUDITFAILURE = 0x4,
        TPM_CLEAR_DISABLED = 0x5,
        TPM_DEACTIVATED = 0x6,
        TPM_DISABLED = 0x7,
        TPM_DISABLED_CMD = 0x8,
        TPM_FAIL = 0x9,
        TPM_BAD_ORDINAL = 0xA,
        TPM_INSTALL_DISABLED = 0xB,
        TPM_INVALID_KEYHANDLE = 0xC,
        TPM_KEYNOTFOUND = 0xD,
        TPM_INAPPROPRIATE_ENC = 0xE,
        TPM_MIGRATEFAIL = 0xF,
        TPM_INVALID_PCR_INFO = 0x10,
        TPM_NOSPACE = 0x11,
        TPM_NOSRK = 0x12,
        TPM_NOTSEALED_BLOB = 0x13,
        TPM_OWNER_SET = 0x14,
        TPM_RESOURCES = 0x15,
        TPM_SHORTRANDOM = 0x16,
        TPM_SIZE = 0x17,
        TPM_WRONGPCRVAL = 0x18,
        TPM_BAD_PARAM_SIZE = 0x19,
        TPM_SHA_THREAD = 0x1A,
        TPM_SHA_ERROR = 0x1B,
        TPM_FAILEDSELFTEST = 0x1C,
        TPM_AUTH2FAIL = 0x1D,
        TPM_BADTAG = 0x1E,
        TPM_IOERROR = 0x1F,
        TPM_ENCRYPT_ERROR = 0x20,
        TPM_DECRYPT_ERROR = 0x21,
        TPM_INVALID_AUTHHANDLE = 0x22,
        TPM_NO_ENDORSEMENT = 0x23,
        TPM_INVALID_KEYUSAGE = 0x24,
        TPM_WRONG_ENTITYTYPE = 0x25,
        TPM_INVALID_POSTINIT = 0x26,
        TPM_INAPPROPRIATE_SIG = 0x27,
        TPM_BAD_KEY_PROPERTY = 0x28,
        TPM_BAD_MIGRATION = 0x29,
        TPM_BAD_SCHEME = 0x2A,
        TPM_BAD_DATASIZE = 0x2B,
        TPM_BAD_MODE = 0x2C,
        TPM_BAD_PRESENCE = 0x2D,
        TPM_BAD_VERSION = 0x2E,
        TPM_NO_WRAP_TRANSPORT = 0x2F,
        TPM_AUDITFAIL_UNSUCCESSFUL = 0x30,
        TPM_AUDITFAIL_SUCCESSFUL = 0x31,
        TPM_NOTRESETABLE = 0x32,
        TPM_NOTLOCAL = 0x33,
        TPM_BAD_TYPE = 0x34,
        TPM_INVALID_RESOURCE = 0x35,
        TPM_NOTFIPS = 0x36,
        TPM_INVALID_FAMILY = 0x37,
        TPM_NO_NV_PERMISSION = 0x38,
        TPM_REQUIRES_SIGN = 0x39,
        TPM_KEY_NOTSUPPORTED = 0x3A,
        TPM_AUTH_CONFLICT = 0x3B,
        TPM_AREA_LOCKED = 0x3C,
        TPM_BAD_LOCALITY = 0x3D,
        TPM_READ_ONLY = 0x3E,
        TPM_PER_NOWRITE = 0x3F,
        TPM_FAMILYCOUNT = 0x40,
        TPM_WRITE_LOCKED = 0x41,
        TPM_BAD_ATTRIBUTES = 0x42,
        TPM_INVALID_STRUCTURE = 0x43,
        TPM_KEY_OWNER_CONTROL = 0x44,
        TPM_BAD_COUNTER = 0x45,
        TPM_NOT_FULLWRITE = 0x46,
        TPM_CONTEXT_GAP = 0x47,
        TPM_MAXNVWRITES = 0x48,
        TPM_NOOPERATOR = 0x49,
        TPM_RESOURCEMISSING = 0x4A,
        TPM_DELEGATE_LOCK = 0x4B,
        TPM_DELEGATE_FAMILY = 0x4C,
        TPM_DELEGATE_ADMIN = 0x4D,
        TPM_TRANSPORT_NOTEXCLUSIVE = 0x4E,
        TPM_OWNER_CONTROL = 0x4F,
        TPM_DAA_RESOURCES = 0x50,
        TPM_DAA_INPUT_DATA0 = 0x51,
        TPM_DAA_INPUT_DATA1 = 0x52,
        TPM_DAA_ISSUER_SETTINGS = 0x53,
        TPM_DAA_TPM_SETTINGS = 0x54,
        TPM_DAA_STAGE = 0x55,
        TPM_DAA_ISSUER_VALIDITY = 0x56,
        TPM_DAA_WRONG_W = 0x57,
        TPM_BAD_HANDLE = 0x58,
        TPM_BAD_DELEGATE = 0x59,
        TPM_BADCONTEXT = 0x5A,
        TPM_TOOMANYCONTEXTS = 0x5B,
        TPM_MA_TICKET_SIGNATURE = 0x5C,
        TPM_MA_DESTINATION = 0x5D,
        TPM_MA_SOURCE = 0x5E,
        TPM_MA_AUTHORITY = 0x5F,
        TPM_PERMANENTEK = 0x61,
        TPM_BAD_SIGNATURE = 0x62,
        TPM_NOCONTEXTSPACE = 0x63,
        TPM_RETRY = TPM_NON_FATAL,
        TPM_NEEDS_SELFTEST = TPM_NON_FATAL + 0x1,
        TPM_DOING_SELFTEST = TPM_NON_FATAL + 0x2,
        TPM_DEFEND_LOCK_RUNNING = TPM_NON_FATAL + 0x3,
    }
}

/// Part 2, 16: the base of the TCG-defined return codes.
pub const TPM_BASE: u32 = 0x0000_0000;
/// Part 2, 16: the bit that marks a non-fatal (retry later) return code.
pub const TPM_NON_FATAL: u32 = 0x0000_0800;
/// Part 2, 16 (2.2.4 TPM_Vendor_Specific32): vendor-specific return codes have this bit.
pub const TPM_VENDOR_ERROR: u32 = 0x0000_0400;

impl ReturnCode {
    /// True for TPM_SUCCESS.
    pub fn is_success(self) -> bool {
        self == Self::TPM_SUCCESS
    }

    /// True if the code says "try again later" rather than "this failed" (TPM_NON_FATAL set).
    pub fn is_non_fatal(self) -> bool {
        self.0 & TPM_NON_FATAL != 0
    }

    /// True for a vendor-specific code (TPM_VENDOR_ERROR set).
    pub fn is_vendor(self) -> bool {
        self.0 & TPM_VENDOR_ERROR != 0
    }

    /// A one-line meaning of the code, for error messages (Part 2, 16).
    pub fn description(self) -> &'static str {
        match self {
            Self::TPM_SUCCESS => "the command completed successfully",
            Self::TPM_AUTHFAIL => "authorization failed: wrong auth value or HMAC",
            Self::TPM_BADINDEX => {
                "the index (PCR, DIR, NV or family row) is out of range or undefined"
            }
            Self::TPM_BAD_PARAMETER => "a parameter has a value the command does not accept",
            Self::TPM_AUDITFAILURE => "the command ran but its audit record could not be completed",
            Self::TPM_CLEAR_DISABLED => {
                "clearing the TPM is disabled (disableOwnerClear or disableForceClear is set)"
            }
            Self::TPM_DEACTIVATED => "the TPM is deactivated",
            Self::TPM_DISABLED => "the TPM is disabled",
            Self::TPM_DISABLED_CMD => "the target command has been disabled",
            Self::TPM_FAIL => "the operation failed",
            Self::TPM_BAD_ORDINAL => "the ordinal is unknown or not implemented",
            Self::TPM_INSTALL_DISABLED => "installing an owner is disabled",
            Self::TPM_INVALID_KEYHANDLE => "the key handle cannot be interpreted",
            Self::TPM_KEYNOTFOUND => "the key handle does not point to a loaded key",
            Self::TPM_INAPPROPRIATE_ENC => "the encryption scheme is not acceptable for this use",
            Self::TPM_MIGRATEFAIL => "migration authorization failed",
            Self::TPM_INVALID_PCR_INFO => "the PCR information cannot be interpreted",
            Self::TPM_NOSPACE => "no room left to load the key",
            Self::TPM_NOSRK => "no storage root key is set",
            Self::TPM_NOTSEALED_BLOB => "the encrypted blob is invalid or was not made by this TPM",
            Self::TPM_OWNER_SET => "an owner is already installed",
            Self::TPM_RESOURCES => "the TPM lacks the internal resources to run the command",
            Self::TPM_SHORTRANDOM => "a random string was too short",
            Self::TPM_SIZE => "the TPM has no space to perform the operation",
            Self::TPM_WRONGPCRVAL => "the named PCR values do not match the current ones",
            Self::TPM_BAD_PARAM_SIZE => "paramSize does not match the command's parameters",
            Self::TPM_SHA_THREAD => "no SHA-1 thread (TPM_SHA1Start was not run)",
            Self::TPM_SHA_ERROR => "the SHA-1 computation cannot continue after an earlier error",
            Self::TPM_FAILEDSELFTEST => "the self-test failed; the TPM is in failure mode",
            Self::TPM_AUTH2FAIL => "authorization of the second key (second auth session) failed",
            Self::TPM_BADTAG => "the tag is invalid for this command",
            Self::TPM_IOERROR => "an I/O error occurred while talking to the TPM",
            Self::TPM_ENCRYPT_ERROR => "the encryption process failed",
            Self::TPM_DECRYPT_ERROR => "the decryption process failed",
            Self::TPM_INVALID_AUTHHANDLE => "the auth session handle is invalid",
            Self::TPM_NO_ENDORSEMENT => "the TPM has no endorsement key installed",
            Self::TPM_INVALID_KEYUSAGE => "the key's usage does not allow this operation",
            Self::TPM_WRONG_ENTITYTYPE => "the entity type is not allowed here",
            Self::TPM_INVALID_POSTINIT => {
                "wrong order: TPM_Startup must come after TPM_Init and only once"
            }
            Self::TPM_INAPPROPRIATE_SIG => "signed data cannot carry extra DER information",
            Self::TPM_BAD_KEY_PROPERTY => "the key properties in TPM_KEY_PARMS are not supported",
            Self::TPM_BAD_MIGRATION => "the migration properties of the key are wrong",
            Self::TPM_BAD_SCHEME => "the signature or encryption scheme is wrong or not allowed",
            Self::TPM_BAD_DATASIZE => "the data size is wrong for the key or scheme",
            Self::TPM_BAD_MODE => "a mode parameter (capArea, migrationType, ...) is wrong",
            Self::TPM_BAD_PRESENCE => "the physical presence value or state is wrong",
            Self::TPM_BAD_VERSION => "the TPM cannot handle this structure version",
            Self::TPM_NO_WRAP_TRANSPORT => {
                "the TPM does not allow this wrapped (nested) transport session"
            }
            Self::TPM_AUDITFAIL_UNSUCCESSFUL => "audit failed and the command itself also failed",
            Self::TPM_AUDITFAIL_SUCCESSFUL => "audit failed but the command itself succeeded",
            Self::TPM_NOTRESETABLE => "the PCR cannot be reset",
            Self::TPM_NOTLOCAL => "the PCR may not be reset or extended from this locality",
            Self::TPM_BAD_TYPE => "a type parameter is wrong for this operation",
            Self::TPM_INVALID_RESOURCE => "the resource type or handle is wrong for this operation",
            Self::TPM_NOTFIPS => "the command is not allowed in FIPS mode",
            Self::TPM_INVALID_FAMILY => "the family identifier is invalid",
            Self::TPM_NO_NV_PERMISSION => "no permission to manipulate the NV area",
            Self::TPM_REQUIRES_SIGN => "the operation needs a signed command",
            Self::TPM_KEY_NOTSUPPORTED => "the key is of a kind the TPM does not support",
            Self::TPM_AUTH_CONFLICT => {
                "the authorization requirements conflict (owner and blob auth both required)"
            }
            Self::TPM_AREA_LOCKED => "the NV area is locked and cannot be written",
            Self::TPM_BAD_LOCALITY => "the command is not allowed from this locality",
            Self::TPM_READ_ONLY => "the NV area is read-only",
            Self::TPM_PER_NOWRITE => "the NV area has no write protection while NV is locked",
            Self::TPM_FAMILYCOUNT => {
                "the family count in the delegation blob does not match the table"
            }
            Self::TPM_WRITE_LOCKED => "the NV area has been locked against writing",
            Self::TPM_BAD_ATTRIBUTES => "the NV area attributes conflict",
            Self::TPM_INVALID_STRUCTURE => "a structure tag or version is wrong for this structure",
            Self::TPM_KEY_OWNER_CONTROL => "the key is owner-evict; only the owner can evict it",
            Self::TPM_BAD_COUNTER => "the counter handle is wrong",
            Self::TPM_NOT_FULLWRITE => "the NV area must be written in a single full write",
            Self::TPM_CONTEXT_GAP => "the gap between saved context counts is too large",
            Self::TPM_MAXNVWRITES => "too many NV writes without an owner",
            Self::TPM_NOOPERATOR => "no operator auth value is set",
            Self::TPM_RESOURCEMISSING => "a resource the context points to is not loaded",
            Self::TPM_DELEGATE_LOCK => "delegate administration is locked",
            Self::TPM_DELEGATE_FAMILY => "attempt to manage a family other than the delegated one",
            Self::TPM_DELEGATE_ADMIN => "delegation table management is not enabled",
            Self::TPM_TRANSPORT_NOTEXCLUSIVE => {
                "a command ran outside an exclusive transport session"
            }
            Self::TPM_OWNER_CONTROL => {
                "the resource is owner-controlled; this operation is not allowed on it"
            }
            Self::TPM_DAA_RESOURCES => "the DAA command has no resources available",
            Self::TPM_DAA_INPUT_DATA0 => "DAA inputData0 is inconsistent",
            Self::TPM_DAA_INPUT_DATA1 => "DAA inputData1 is inconsistent",
            Self::TPM_DAA_ISSUER_SETTINGS => "DAA issuer settings are inconsistent",
            Self::TPM_DAA_TPM_SETTINGS => "DAA TPM settings are inconsistent",
            Self::TPM_DAA_STAGE => "the DAA stage is out of order",
            Self::TPM_DAA_ISSUER_VALIDITY => "the DAA issuer's validity check failed",
            Self::TPM_DAA_WRONG_W => "the DAA value w is wrong",
            Self::TPM_BAD_HANDLE => "the handle is wrong",
            Self::TPM_BAD_DELEGATE => "the delegation is not correct",
            Self::TPM_BADCONTEXT => "the context blob is invalid",
            Self::TPM_TOOMANYCONTEXTS => "too many contexts are held by the TPM",
            Self::TPM_MA_TICKET_SIGNATURE => "the migration authority signature does not verify",
            Self::TPM_MA_DESTINATION => "the migration destination is not authorized",
            Self::TPM_MA_SOURCE => "the migration source is wrong",
            Self::TPM_MA_AUTHORITY => "the migration authority is wrong",
            Self::TPM_PERMANENTEK => "the endorsement key is not revocable",
            Self::TPM_BAD_SIGNATURE => "the signature in the CMK ticket is bad",
            Self::TPM_NOCONTEXTSPACE => "no room left in the context list",
            Self::TPM_RETRY => "the TPM is busy; send the command again later",
            Self::TPM_NEEDS_SELFTEST => "the self-test has not run; run TPM_ContinueSelfTest first",
            Self::TPM_DOING_SELFTEST => "the TPM is running its self-test; try again later",
            Self::TPM_DEFEND_LOCK_RUNNING => "dictionary-attack lockout is active; try again later",
            _ if self.is_vendor() => "vendor-specific error",
            _ if self.is_non_fatal() => "unknown non-fatal error; try again later",
            _ => "unknown return code",
        }
    }
}

open_enum! {
    /// Part 2, 3.1 TPM_STRUCTURE_TAG: the tags that open versioned (1.2) structures.
    #[doc(alias = "TPM_STRUCTURE_TAG")]
    pub struct StructureTag(u16) {
        TPM_TAG_CONTEXTBLOB = 0x0001,
        TPM_TAG_CONTEXT_SENSITIVE = 0x0002,
        TPM_TAG_CONTEXTPOINTER = 0x0003,
        TPM_TAG_CONTEXTLIST = 0x0004,
        TPM_TAG_SIGNINFO = 0x0005,
        TPM_TAG_PCR_INFO_LONG = 0x0006,
        TPM_TAG_PERSISTENT_FLAGS = 0x0007,
        TPM_TAG_VOLATILE_FLAGS = 0x0008,
        TPM_TAG_PERSISTENT_DATA = 0x0009,
        TPM_TAG_VOLATILE_DATA = 0x000A,
        TPM_TAG_SV_DATA = 0x000B,
        TPM_TAG_EK_BLOB = 0x000C,
        TPM_TAG_EK_BLOB_AUTH = 0x000D,
        TPM_TAG_COUNTER_VALUE = 0x000E,
        TPM_TAG_TRANSPORT_INTERNAL = 0x000F,
        TPM_TAG_TRANSPORT_LOG_IN = 0x0010,
        TPM_TAG_TRANSPORT_LOG_OUT = 0x0011,
        TPM_TAG_AUDIT_EVENT_IN = 0x0012,
        TPM_TAG_AUDIT_EVENT_OUT = 0x0013,
        TPM_TAG_CURRENT_TICKS = 0x0014,
        TPM_TAG_KEY = 0x0015,
        TPM_TAG_STORED_DATA12 = 0x0016,
        TPM_TAG_NV_ATTRIBUTES = 0x0017,
        TPM_TAG_NV_DATA_PUBLIC = 0x0018,
        TPM_TAG_NV_DATA_SENSITIVE = 0x0019,
        TPM_TAG_DELEGATIONS = 0x001A,
        TPM_TAG_DELEGATE_PUBLIC = 0x001B,
        TPM_TAG_DELEGATE_TABLE_ROW = 0x001C,
        TPM_TAG_TRANSPORT_AUTH = 0x001D,
        TPM_TAG_TRANSPORT_PUBLIC = 0x001E,
        TPM_TAG_PERMANENT_FLAGS = 0x001F,
        TPM_TAG_STCLEAR_FLAGS = 0x0020,
        TPM_TAG_STANY_FLAGS = 0x0021,
        TPM_TAG_PERMANENT_DATA = 0x0022,
        TPM_TAG_STCLEAR_DATA = 0x0023,
        TPM_TAG_STANY_DATA = 0x0024,
        TPM_TAG_FAMILY_TABLE_ENTRY = 0x0025,
        TPM_TAG_DELEGATE_SENSITIVE = 0x0026,
        TPM_TAG_DELG_KEY_BLOB = 0x0027,
        TPM_TAG_KEY12 = 0x0028,
        TPM_TAG_CERTIFY_INFO2 = 0x0029,
        TPM_TAG_DELEGATE_OWNER_BLOB = 0x002A,
        TPM_TAG_EK_BLOB_ACTIVATE = 0x002B,
        TPM_TAG_DAA_BLOB = 0x002C,
        TPM_TAG_DAA_CONTEXT = 0x002D,
        TPM_TAG_DAA_ENFORCE = 0x002E,
        TPM_TAG_DAA_ISSUER = 0x002F,
        TPM_TAG_CAP_VERSION_INFO = 0x0030,
        TPM_TAG_DAA_SENSITIVE = 0x0031,
        TPM_TAG_DAA_TPM = 0x0032,
        TPM_TAG_CMK_MIGAUTH = 0x0033,
        TPM_TAG_CMK_SIGTICKET = 0x0034,
        TPM_TAG_CMK_MA_APPROVAL = 0x0035,
        TPM_TAG_QUOTE_INFO2 = 0x0036,
        TPM_TAG_DA_INFO = 0x0037,
        TPM_TAG_DA_INFO_LIMITED = 0x0038,
        TPM_TAG_DA_ACTION_TYPE = 0x0039,
    }
}

/// Bit-set helpers for open enums whose named values are single bits.
macro_rules! bit_set {
    ($name:ident, $ty:ty) => {
        impl $name {
            /// The union of every named bit.
            pub fn known_bits() -> $ty {
                Self::NAMED.iter().fold(0, |acc, (_, v)| acc | v.0)
            }

            /// True if every bit of `bits` is set in `self`.
            pub fn contains(self, bits: Self) -> bool {
                self.0 & bits.0 == bits.0
            }

            /// True if a bit outside the named ones is set (reserved bits must be zero).
            pub fn has_unknown_bits(self) -> bool {
                self.0 & !Self::known_bits() != 0
            }
        }

        impl core::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                Self(self.0 | rhs.0)
            }
        }

        impl core::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: Self) {
                self.0 |= rhs.0;
            }
        }
    };
}

open_enum! {
    /// Part 2, 4.1 TPM_RESOURCE_TYPE: the kind of resource a handle names (TPM_FlushSpecific,
    /// TPM_SaveContext, TPM_CAP_HANDLE).
    #[doc(alias = "TPM_RESOURCE_TYPE")]
    pub struct ResourceType(u32) {
        TPM_RT_KEY = 0x00000001,
        TPM_RT_AUTH = 0x00000002,
        TPM_RT_HASH = 0x00000003,
        TPM_RT_TRANS = 0x00000004,
        TPM_RT_CONTEXT = 0x00000005,
        TPM_RT_COUNTER = 0x00000006,
        TPM_RT_DELEGATE = 0x00000007,
        TPM_RT_DAA_TPM = 0x00000008,
        TPM_RT_DAA_V0 = 0x00000009,
        TPM_RT_DAA_V1 = 0x0000000A,
    }
}

open_enum! {
    /// Part 2, 4.2 TPM_PAYLOAD_TYPE: what a wrapped blob holds (0x80..=0xFF are vendor
    /// payloads).
    #[doc(alias = "TPM_PAYLOAD_TYPE")]
    pub struct PayloadType(u8) {
        TPM_PT_ASYM = 0x01,
        TPM_PT_BIND = 0x02,
        TPM_PT_MIGRATE = 0x03,
        TPM_PT_MAINT = 0x04,
        TPM_PT_SEAL = 0x05,
        TPM_PT_MIGRATE_RESTRICTED = 0x06,
        TPM_PT_MIGRATE_EXTERNAL = 0x07,
        TPM_PT_CMK_MIGRATE = 0x08,
    }
}

open_enum! {
    /// Part 2, 4.3 TPM_ENTITY_TYPE: the entity an OSAP/DSAP session or an auth value is for.
    ///
    /// The low byte is the entity (the named values); the high byte is the ADIP encryption
    /// scheme ([`AdipEncScheme`]), 0x00 (XOR) when no scheme applies, as in 1.1.
    #[doc(alias = "TPM_ENTITY_TYPE")]
    pub struct EntityType(u16) {
        TPM_ET_KEYHANDLE = 0x0001,
        TPM_ET_OWNER = 0x0002,
        TPM_ET_DATA = 0x0003,
        TPM_ET_SRK = 0x0004,
        TPM_ET_KEY = 0x0005,
        TPM_ET_REVOKE = 0x0006,
        TPM_ET_DEL_OWNER_BLOB = 0x0007,
        TPM_ET_DEL_ROW = 0x0008,
        TPM_ET_DEL_KEY_BLOB = 0x0009,
        TPM_ET_COUNTER = 0x000A,
        TPM_ET_NV = 0x000B,
        TPM_ET_OPERATOR = 0x000C,
        TPM_ET_RESERVED_HANDLE = 0x0040,
    }
}

open_enum! {
    /// Part 2, 4.3 TPM_ENTITY_TYPE, most significant byte: the ADIP encryption scheme used
    /// for encrypted auth values (encAuth) in an OSAP or DSAP session.
    pub struct AdipEncScheme(u8) {
        TPM_ET_XOR = 0x00,
        TPM_ET_AES128 = 0x06,
    }
}

impl EntityType {
    /// The entity alone (low byte), with the ADIP scheme byte cleared.
    pub fn entity(self) -> Self {
        let [_, lsb] = self.0.to_be_bytes();
        Self(u16::from(lsb))
    }

    /// The ADIP encryption scheme (high byte).
    pub fn adip_scheme(self) -> AdipEncScheme {
        let [msb, _] = self.0.to_be_bytes();
        AdipEncScheme(msb)
    }

    /// This entity with the ADIP scheme byte set to `scheme`.
    #[must_use]
    pub fn with_adip_scheme(self, scheme: AdipEncScheme) -> Self {
        let [_, lsb] = self.0.to_be_bytes();
        Self(u16::from_be_bytes([scheme.0, lsb]))
    }
}

open_enum! {
    /// Part 2, 4.4.1 reserved key handles (TPM_KEY_HANDLE values naming fixed entities).
    #[doc(alias = "TPM_KEY_HANDLE")]
    pub struct KeyHandle(u32) {
        TPM_KH_SRK = 0x40000000,
        TPM_KH_OWNER = 0x40000001,
        TPM_KH_REVOKE = 0x40000002,
        TPM_KH_TRANSPORT = 0x40000003,
        TPM_KH_OPERATOR = 0x40000004,
        TPM_KH_ADMIN = 0x40000005,
        TPM_KH_EK = 0x40000006,
    }
}

open_enum! {
    /// Part 2, 4.5 TPM_STARTUP_TYPE: how TPM_Startup treats the saved state.
    #[doc(alias = "TPM_STARTUP_TYPE")]
    pub struct StartupType(u16) {
        TPM_ST_CLEAR = 0x0001,
        TPM_ST_STATE = 0x0002,
        TPM_ST_DEACTIVATED = 0x0003,
    }
}

open_enum! {
    /// Part 2, 4.7 TPM_PROTOCOL_ID: the authorization or ownership protocol (TPM_CAP_PID,
    /// TPM_TakeOwnership).
    #[doc(alias = "TPM_PROTOCOL_ID")]
    pub struct ProtocolId(u16) {
        TPM_PID_OIAP = 0x0001,
        TPM_PID_OSAP = 0x0002,
        TPM_PID_ADIP = 0x0003,
        TPM_PID_ADCP = 0x0004,
        TPM_PID_OWNER = 0x0005,
        TPM_PID_DSAP = 0x0006,
        TPM_PID_TRANSPORT = 0x0007,
    }
}

open_enum! {
    /// Part 2, 4.8 TPM_ALGORITHM_ID: algorithms a key, transport or capability query names.
    /// TPM_ALG_DES and TPM_ALG_3DES were withdrawn in 1.2 and stay reserved.
    #[doc(alias = "TPM_ALGORITHM_ID")]
    pub struct AlgorithmId(u32) {
        TPM_ALG_RSA = 0x00000001,
        TPM_ALG_DES = 0x00000002,
        TPM_ALG_3DES = 0x00000003,
        TPM_ALG_SHA = 0x00000004,
        TPM_ALG_HMAC = 0x00000005,
        TPM_ALG_AES128 = 0x00000006,
        TPM_ALG_MGF1 = 0x00000007,
        TPM_ALG_AES192 = 0x00000008,
        TPM_ALG_AES256 = 0x00000009,
        TPM_ALG_XOR = 0x0000000A,
    }
}

/// TSS-header spellings kept beside the spec names (not in `NAMED`, so `Debug` prints the
/// spec name).
#[allow(non_upper_case_globals)]
impl AlgorithmId {
    /// TSS spelling of [`Self::TPM_ALG_AES128`].
    pub const TPM_ALG_AES: Self = Self::TPM_ALG_AES128;
}

open_enum! {
    /// Part 2, 4.9 TPM_PHYSICAL_PRESENCE: the bits of TSC_PhysicalPresence's argument.
    #[doc(alias = "TPM_PHYSICAL_PRESENCE")]
    pub struct PhysicalPresence(u16) {
        TPM_PHYSICAL_PRESENCE_LOCK = 0x0004,
        TPM_PHYSICAL_PRESENCE_PRESENT = 0x0008,
        TPM_PHYSICAL_PRESENCE_NOTPRESENT = 0x0010,
        TPM_PHYSICAL_PRESENCE_CMD_ENABLE = 0x0020,
        TPM_PHYSICAL_PRESENCE_HW_ENABLE = 0x0040,
        TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK = 0x0080,
        TPM_PHYSICAL_PRESENCE_CMD_DISABLE = 0x0100,
        TPM_PHYSICAL_PRESENCE_HW_DISABLE = 0x0200,
    }
}
bit_set!(PhysicalPresence, u16);

open_enum! {
    /// Part 2, 4.10 TPM_MIGRATE_SCHEME: how a migration blob is produced.
    #[doc(alias = "TPM_MIGRATE_SCHEME")]
    pub struct MigrateScheme(u16) {
        TPM_MS_MIGRATE = 0x0001,
        TPM_MS_REWRAP = 0x0002,
        TPM_MS_MAINT = 0x0003,
        TPM_MS_RESTRICT_MIGRATE = 0x0004,
        TPM_MS_RESTRICT_APPROVE_DOUBLE = 0x0005,
    }
}

open_enum! {
    /// Part 2, 4.11 TPM_EK_TYPE: which blob TPM_ActivateIdentity decrypted with the EK.
    #[doc(alias = "TPM_EK_TYPE")]
    pub struct EkType(u16) {
        TPM_EK_TYPE_ACTIVATE = 0x0001,
        TPM_EK_TYPE_AUTH = 0x0002,
    }
}

open_enum! {
    /// Part 2, 4.12 TPM_PLATFORM_SPECIFIC: the platform specification a value relates to.
    #[doc(alias = "TPM_PLATFORM_SPECIFIC")]
    pub struct PlatformSpecific(u16) {
        TPM_PS_PC_11 = 0x0001,
        TPM_PS_PC_12 = 0x0002,
        TPM_PS_PDA_12 = 0x0003,
        TPM_PS_Server_12 = 0x0004,
        TPM_PS_Mobile_12 = 0x0005,
    }
}

open_enum! {
    /// Part 2, 5.8 TPM_KEY_USAGE: what operations a key may be used for.
    #[doc(alias = "TPM_KEY_USAGE")]
    pub struct KeyUsage(u16) {
        TPM_KEY_SIGNING = 0x0010,
        TPM_KEY_STORAGE = 0x0011,
        TPM_KEY_IDENTITY = 0x0012,
        TPM_KEY_AUTHCHANGE = 0x0013,
        TPM_KEY_BIND = 0x0014,
        TPM_KEY_LEGACY = 0x0015,
        TPM_KEY_MIGRATE = 0x0016,
    }
}

open_enum! {
    /// Part 2, 5.8.1 TPM_SIG_SCHEME: the signature scheme of a key.
    #[doc(alias = "TPM_SIG_SCHEME")]
    pub struct SigScheme(u16) {
        TPM_SS_NONE = 0x0001,
        TPM_SS_RSASSAPKCS1v15_SHA1 = 0x0002,
        TPM_SS_RSASSAPKCS1v15_DER = 0x0003,
        TPM_SS_RSASSAPKCS1v15_INFO = 0x0004,
    }
}

open_enum! {
    /// Part 2, 5.8.1 TPM_ENC_SCHEME: the encryption scheme of a key or transport session.
    #[doc(alias = "TPM_ENC_SCHEME")]
    pub struct EncScheme(u16) {
        TPM_ES_NONE = 0x0001,
        TPM_ES_RSAESPKCSv15 = 0x0002,
        TPM_ES_RSAESOAEP_SHA1_MGF1 = 0x0003,
        TPM_ES_SYM_CTR = 0x0004,
        TPM_ES_SYM_OFB = 0x0005,
        TPM_ES_SYM_CBC_PKCS5PAD = 0x00FF,
    }
}

#[allow(non_upper_case_globals)]
impl EncScheme {
    /// TSS spelling of [`Self::TPM_ES_SYM_CTR`].
    pub const TPM_ES_SYM_CNT: Self = Self::TPM_ES_SYM_CTR;
}

open_enum! {
    /// Part 2, 5.9 TPM_AUTH_DATA_USAGE: when a key's auth value must be proven.
    ///
    /// TPM_NO_READ_PUBKEY_AUTH (rev 110 on) exempts reads of the public key;
    /// TPM_AUTH_PRIV_USE_ONLY is the older 1.2 spelling of the same idea (TSS header value).
    #[doc(alias = "TPM_AUTH_DATA_USAGE")]
    pub struct AuthDataUsage(u8) {
        TPM_AUTH_NEVER = 0x00,
        TPM_AUTH_ALWAYS = 0x01,
        TPM_NO_READ_PUBKEY_AUTH = 0x03,
        TPM_AUTH_PRIV_USE_ONLY = 0x11,
    }
}

open_enum! {
    /// Part 2, 5.10 TPM_KEY_FLAGS: key attribute bits (the spec's redirection, migratable,
    /// isVolatile, pcrIgnoredOnRead, migrateAuthority; names as in the TSS header).
    #[doc(alias = "TPM_KEY_FLAGS")]
    pub struct KeyFlags(u32) {
        TPM_REDIRECTION = 0x00000001,
        TPM_MIGRATABLE = 0x00000002,
        TPM_VOLATILE = 0x00000004,
        TPM_PCRIGNOREDONREAD = 0x00000008,
        TPM_MIGRATEAUTHORITY = 0x00000010,
    }
}
bit_set!(KeyFlags, u32);

open_enum! {
    /// Part 2, 5.17 TPM_CMK_DELEGATE: which usages of certified-migration keys delegated
    /// commands may handle (TPM_CMK_SetRestrictions).
    #[doc(alias = "TPM_CMK_DELEGATE")]
    pub struct CmkDelegate(u32) {
        TPM_CMK_DELEGATE_SIGNING = 0x80000000,
        TPM_CMK_DELEGATE_STORAGE = 0x40000000,
        TPM_CMK_DELEGATE_BIND = 0x20000000,
        TPM_CMK_DELEGATE_LEGACY = 0x10000000,
        TPM_CMK_DELEGATE_MIGRATE = 0x08000000,
    }
}
bit_set!(CmkDelegate, u32);

open_enum! {
    /// Part 2, 7.1.1 TPM_PERMANENT_FLAGS subCap values for TPM_SetCapability
    /// (TPM_SET_PERM_FLAGS): one number per flag, in structure order.
    pub struct PermanentFlag(u32) {
        TPM_PF_DISABLE = 0x00000001,
        TPM_PF_OWNERSHIP = 0x00000002,
        TPM_PF_DEACTIVATED = 0x00000003,
        TPM_PF_READPUBEK = 0x00000004,
        TPM_PF_DISABLEOWNERCLEAR = 0x00000005,
        TPM_PF_ALLOWMAINTENANCE = 0x00000006,
        TPM_PF_PHYSICALPRESENCELIFETIMELOCK = 0x00000007,
        TPM_PF_PHYSICALPRESENCEHWENABLE = 0x00000008,
        TPM_PF_PHYSICALPRESENCECMDENABLE = 0x00000009,
        TPM_PF_CEKPUSED = 0x0000000A,
        TPM_PF_TPMPOST = 0x0000000B,
        TPM_PF_TPMPOSTLOCK = 0x0000000C,
        TPM_PF_FIPS = 0x0000000D,
        TPM_PF_OPERATOR = 0x0000000E,
        TPM_PF_ENABLEREVOKEEK = 0x0000000F,
        TPM_PF_NV_LOCKED = 0x00000010,
        TPM_PF_READSRKPUB = 0x00000011,
        TPM_PF_TPMESTABLISHED = 0x00000012,
        TPM_PF_MAINTENANCEDONE = 0x00000013,
        TPM_PF_DISABLEFULLDALOGICINFO = 0x00000014,
    }
}

impl PermanentFlag {
    /// TSS spelling of [`Self::TPM_PF_TPMESTABLISHED`].
    pub const TPM_PF_RESETESTABLISHMENTBIT: Self = Self::TPM_PF_TPMESTABLISHED;
}

open_enum! {
    /// Part 2, 7.2.1 TPM_STCLEAR_FLAGS subCap values for TPM_SetCapability
    /// (TPM_SET_STCLEAR_FLAGS).
    pub struct StClearFlag(u32) {
        TPM_SF_DEACTIVATED = 0x00000001,
        TPM_SF_DISABLEFORCECLEAR = 0x00000002,
        TPM_SF_PHYSICALPRESENCE = 0x00000003,
        TPM_SF_PHYSICALPRESENCELOCK = 0x00000004,
        TPM_SF_BGLOBALLOCK = 0x00000005,
    }
}

impl StClearFlag {
    /// TSS spelling of [`Self::TPM_SF_BGLOBALLOCK`].
    pub const TPM_SF_GLOBALLOCK: Self = Self::TPM_SF_BGLOBALLOCK;
}

open_enum! {
    /// Part 2, 7.3.1 TPM_STANY_FLAGS subCap values for TPM_SetCapability
    /// (TPM_SET_STANY_FLAGS).
    pub struct StAnyFlag(u32) {
        TPM_AF_POSTINITIALISE = 0x00000001,
        TPM_AF_LOCALITYMODIFIER = 0x00000002,
        TPM_AF_TRANSPORTEXCLUSIVE = 0x00000003,
        TPM_AF_TOSPRESENT = 0x00000004,
    }
}

impl StAnyFlag {
    /// TSS spelling of [`Self::TPM_AF_POSTINITIALISE`].
    pub const TPM_AF_POSTINITIALIZE: Self = Self::TPM_AF_POSTINITIALISE;
}

open_enum! {
    /// Part 2, 7.4.1 TPM_PERMANENT_DATA subCap values for TPM_SetCapability
    /// (TPM_SET_PERM_DATA). `TPM_DELEGATETABLE` lacks the `PD_` in the spec too.
    pub struct PermanentData(u32) {
        TPM_PD_REVMAJOR = 1,
        TPM_PD_REVMINOR = 2,
        TPM_PD_TPMPROOF = 3,
        TPM_PD_OWNERAUTH = 4,
        TPM_PD_OPERATORAUTH = 5,
        TPM_PD_MANUMAINTPUB = 6,
        TPM_PD_ENDORSEMENTKEY = 7,
        TPM_PD_SRK = 8,
        TPM_PD_DELEGATEKEY = 9,
        TPM_PD_CONTEXTKEY = 10,
        TPM_PD_AUDITMONOTONICCOUNTER = 11,
        TPM_PD_MONOTONICCOUNTER = 12,
        TPM_PD_PCRATTRIB = 13,
        TPM_PD_ORDINALAUDITSTATUS = 14,
        TPM_PD_AUTHDIR = 15,
        TPM_PD_RNGSTATE = 16,
        TPM_PD_FAMILYTABLE = 17,
        TPM_DELEGATETABLE = 18,
        TPM_PD_EKRESET = 19,
        TPM_PD_MAXNVBUFSIZE = 20,
        TPM_PD_LASTFAMILYID = 21,
        TPM_PD_NOOWNERNVWRITE = 22,
        TPM_PD_RESTRICTDELEGATE = 23,
        TPM_PD_TPMDAASEED = 24,
        TPM_PD_DAAPROOF = 25,
    }
}

open_enum! {
    /// Part 2, 7.5.1 TPM_STCLEAR_DATA subCap values for TPM_SetCapability
    /// (TPM_SET_STCLEAR_DATA).
    pub struct StClearData(u32) {
        TPM_SD_CONTEXTNONCEKEY = 1,
        TPM_SD_COUNTID = 2,
        TPM_SD_OWNERREFERENCE = 3,
        TPM_SD_DISABLERESETLOCK = 4,
        TPM_SD_PCR = 5,
        TPM_SD_DEFERREDPHYSICALPRESENCE = 6,
    }
}

open_enum! {
    /// Part 2, 7.6.1 TPM_STANY_DATA subCap values for TPM_SetCapability
    /// (TPM_SET_STANY_DATA).
    pub struct StAnyData(u32) {
        TPM_AD_CONTEXTNONCESESSION = 1,
        TPM_AD_AUDITDIGEST = 2,
        TPM_AD_CURRENTTICKS = 3,
        TPM_AD_CONTEXTCOUNT = 4,
        TPM_AD_CONTEXTLIST = 5,
        TPM_AD_SESSIONS = 6,
    }
}

/// Part 2, 7.4 TPM_PERMANENT_DATA: the fewest monotonic counters a TPM offers.
pub const TPM_MIN_COUNTERS: u32 = 4;
/// Part 2, 7.4 TPM_PERMANENT_DATA: NV writes allowed while the TPM has no owner.
pub const TPM_MAX_NV_WRITE_NOOWNER: u32 = 64;

open_enum! {
    /// Part 2, 8.6 TPM_LOCALITY_SELECTION: one bit per locality 0..=4.
    #[doc(alias = "TPM_LOCALITY_SELECTION")]
    pub struct LocalitySelection(u8) {
        TPM_LOC_FOUR = 0x10,
        TPM_LOC_THREE = 0x08,
        TPM_LOC_TWO = 0x04,
        TPM_LOC_ONE = 0x02,
        TPM_LOC_ZERO = 0x01,
    }
}
bit_set!(LocalitySelection, u8);

open_enum! {
    /// Part 2, 10.9 TPM_KEY_CONTROL: key control bits (TPM_KeyControlOwner).
    #[doc(alias = "TPM_KEY_CONTROL")]
    pub struct KeyControl(u32) {
        TPM_KEY_CONTROL_OWNER_EVICT = 0x00000001,
    }
}

open_enum! {
    /// Part 2, 13.1.1 TPM_TRANSPORT_ATTRIBUTES: options of a transport session.
    #[doc(alias = "TPM_TRANSPORT_ATTRIBUTES")]
    pub struct TransportAttributes(u32) {
        TPM_TRANSPORT_ENCRYPT = 0x00000001,
        TPM_TRANSPORT_LOG = 0x00000002,
        TPM_TRANSPORT_EXCLUSIVE = 0x00000004,
    }
}
bit_set!(TransportAttributes, u32);

/// Part 2, 17: the class bit of protected (TPM) ordinals (none set).
pub const TPM_PROTECTED_COMMAND: u32 = 0x0000_0000;
/// Part 2, 17: the class bit of unprotected (TSS) ordinals.
pub const TPM_UNPROTECTED_COMMAND: u32 = 0x8000_0000;
/// Part 2, 17: the class bit of connection (TSC) ordinals.
pub const TPM_CONNECTION_COMMAND: u32 = 0x4000_0000;
/// Part 2, 17: the class bit of vendor ordinals.
pub const TPM_VENDOR_COMMAND: u32 = 0x2000_0000;

open_enum! {
    /// Part 2, 19.1 TPM_NV_INDEX: NV indices with a fixed meaning (19.1.1 required,
    /// 19.1.2 reserved). The `_BASE` values are the TSS header's purview bases.
    #[doc(alias = "TPM_NV_INDEX")]
    pub struct NvIndex(u32) {
        TPM_NV_INDEX_LOCK = 0xFFFFFFFF,
        TPM_NV_INDEX0 = 0x00000000,
        TPM_NV_INDEX_DIR = 0x10000001,
        TPM_NV_INDEX_EKCert = 0x0000F000,
        TPM_NV_INDEX_TPM_CC = 0x0000F001,
        TPM_NV_INDEX_PlatformCert = 0x0000F002,
        TPM_NV_INDEX_Platform_CC = 0x0000F003,
        TPM_NV_INDEX_TRIAL = 0x0000F004,
        TPM_NV_INDEX_GPIO_00 = 0x00011600,
        TPM_NV_INDEX_TSS_BASE = 0x00011100,
        TPM_NV_INDEX_PC_BASE = 0x00011200,
        TPM_NV_INDEX_SERVER_BASE = 0x00011300,
        TPM_NV_INDEX_MOBILE_BASE = 0x00011400,
        TPM_NV_INDEX_PERIPHERAL_BASE = 0x00011500,
        TPM_NV_INDEX_GROUP_RESV_BASE = 0x00010000,
    }
}

impl NvIndex {
    /// Part 2, 19.1: T, the TPM-manufacturer bit.
    pub const T_BIT: u32 = 0x8000_0000;
    /// Part 2, 19.1: P, the platform-manufacturer bit.
    pub const P_BIT: u32 = 0x4000_0000;
    /// Part 2, 19.1: U, the platform-user bit.
    pub const U_BIT: u32 = 0x2000_0000;
    /// Part 2, 19.1: D, "defined": the index is permanent once nvLocked is set.
    pub const D_BIT: u32 = 0x1000_0000;
    /// Part 2, 19.1: the reserved bits between D and the purview, which should be zero.
    pub const RESERVED_BITS: u32 = 0x0F00_0000;

    /// True if the D bit is set (the area cannot be deleted or redefined once NV is locked).
    pub fn is_permanent(self) -> bool {
        self.0 & Self::D_BIT != 0
    }

    /// The purview byte (platform area), as in ordinals.
    pub fn purview(self) -> u8 {
        let [_, purview, _, _] = self.0.to_be_bytes();
        purview
    }
}

open_enum! {
    /// Part 2, 19.2 TPM_NV_ATTRIBUTES: the permission bits of an NV area (all 11 of rev 116;
    /// bits 3..=11 and 19..=30 are reserved).
    #[doc(alias = "TPM_NV_PER_ATTRIBUTES")]
    pub struct NvAttributes(u32) {
        TPM_NV_PER_READ_STCLEAR = 0x80000000,
        TPM_NV_PER_AUTHREAD = 0x00040000,
        TPM_NV_PER_OWNERREAD = 0x00020000,
        TPM_NV_PER_PPREAD = 0x00010000,
        TPM_NV_PER_GLOBALLOCK = 0x00008000,
        TPM_NV_PER_WRITE_STCLEAR = 0x00004000,
        TPM_NV_PER_WRITEDEFINE = 0x00002000,
        TPM_NV_PER_WRITEALL = 0x00001000,
        TPM_NV_PER_AUTHWRITE = 0x00000004,
        TPM_NV_PER_OWNERWRITE = 0x00000002,
        TPM_NV_PER_PPWRITE = 0x00000001,
    }
}
bit_set!(NvAttributes, u32);

open_enum! {
    /// Part 2, 20.2 TPM_DELEGATIONS.delegateType: whether the permission bits are owner or
    /// key permissions.
    pub struct DelegateType(u32) {
        TPM_DEL_OWNER_BITS = 0x00000001,
        TPM_DEL_KEY_BITS = 0x00000002,
    }
}

open_enum! {
    /// Part 2, 20.3 TPM_FAMILY_FLAGS: state bits of a family table row.
    #[doc(alias = "TPM_FAMILY_FLAGS")]
    pub struct FamilyFlags(u32) {
        TPM_DELEGATE_ADMIN_LOCK = 0x00000002,
        TPM_FAMFLAG_ENABLE = 0x00000001,
    }
}

impl FamilyFlags {
    /// TSS spelling of [`Self::TPM_DELEGATE_ADMIN_LOCK`].
    pub const TPM_FAMFLAG_DELEGATE_ADMIN_LOCK: Self = Self::TPM_DELEGATE_ADMIN_LOCK;
}
bit_set!(FamilyFlags, u32);

/// Part 2, 20.6 TPM_FAMILY_TABLE: the family table holds at least this many rows.
pub const TPM_NUM_FAMILY_TABLE_ENTRY_MIN: usize = 8;
/// Part 2, 20.10 TPM_DELEGATE_TABLE: the delegate table holds at least this many rows.
pub const TPM_NUM_DELEGATE_TABLE_ENTRY_MIN: usize = 2;

open_enum! {
    /// Part 2, 20.14 TPM_FAMILY_OPERATION: the opFlag of TPM_Delegate_Manage.
    #[doc(alias = "TPM_FAMILY_OPERATION")]
    pub struct FamilyOperation(u32) {
        TPM_FAMILY_CREATE = 0x00000001,
        TPM_FAMILY_ENABLE = 0x00000002,
        TPM_FAMILY_ADMIN = 0x00000003,
        TPM_FAMILY_INVALIDATE = 0x00000004,
    }
}

open_enum! {
    /// Part 2, 21.1 TPM_CAPABILITY_AREA: the capArea of TPM_GetCapability.
    #[doc(alias = "TPM_CAPABILITY_AREA")]
    pub struct CapabilityArea(u32) {
        TPM_CAP_ORD = 0x00000001,
        TPM_CAP_ALG = 0x00000002,
        TPM_CAP_PID = 0x00000003,
        TPM_CAP_FLAG = 0x00000004,
        TPM_CAP_PROPERTY = 0x00000005,
        TPM_CAP_VERSION = 0x00000006,
        TPM_CAP_KEY_HANDLE = 0x00000007,
        TPM_CAP_CHECK_LOADED = 0x00000008,
        TPM_CAP_SYM_MODE = 0x00000009,
        TPM_CAP_KEY_STATUS = 0x0000000C,
        TPM_CAP_NV_LIST = 0x0000000D,
        TPM_CAP_MFR = 0x00000010,
        TPM_CAP_NV_INDEX = 0x00000011,
        TPM_CAP_TRANS_ALG = 0x00000012,
        TPM_CAP_HANDLE = 0x00000014,
        TPM_CAP_TRANS_ES = 0x00000015,
        TPM_CAP_AUTH_ENCRYPT = 0x00000017,
        TPM_CAP_SELECT_SIZE = 0x00000018,
        TPM_CAP_DA_LOGIC = 0x00000019,
        TPM_CAP_VERSION_VAL = 0x0000001A,
    }
}

open_enum! {
    /// Part 2, 21.1 subCap values of TPM_CAP_FLAG: which flag structure to return.
    pub struct CapFlag(u32) {
        TPM_CAP_FLAG_PERMANENT = 0x00000108,
        TPM_CAP_FLAG_VOLATILE = 0x00000109,
    }
}

open_enum! {
    /// Part 2, 21.2 subCap values of TPM_CAP_PROPERTY (rev 116 list).
    pub struct CapProperty(u32) {
        TPM_CAP_PROP_PCR = 0x00000101,
        TPM_CAP_PROP_DIR = 0x00000102,
        TPM_CAP_PROP_MANUFACTURER = 0x00000103,
        TPM_CAP_PROP_KEYS = 0x00000104,
        TPM_CAP_PROP_MIN_COUNTER = 0x00000107,
        TPM_CAP_PROP_AUTHSESS = 0x0000010A,
        TPM_CAP_PROP_TRANSESS = 0x0000010B,
        TPM_CAP_PROP_COUNTERS = 0x0000010C,
        TPM_CAP_PROP_MAX_AUTHSESS = 0x0000010D,
        TPM_CAP_PROP_MAX_TRANSESS = 0x0000010E,
        TPM_CAP_PROP_MAX_COUNTERS = 0x0000010F,
        TPM_CAP_PROP_MAX_KEYS = 0x00000110,
        TPM_CAP_PROP_OWNER = 0x00000111,
        TPM_CAP_PROP_CONTEXT = 0x00000112,
        TPM_CAP_PROP_MAX_CONTEXT = 0x00000113,
        TPM_CAP_PROP_FAMILYROWS = 0x00000114,
        TPM_CAP_PROP_TIS_TIMEOUT = 0x00000115,
        TPM_CAP_PROP_STARTUP_EFFECT = 0x00000116,
        TPM_CAP_PROP_DELEGATE_ROW = 0x00000117,
        TPM_CAP_PROP_MAX_DAASESS = 0x00000119,
        TPM_CAP_PROP_DAASESS = 0x0000011A,
        TPM_CAP_PROP_CONTEXT_DIST = 0x0000011B,
        TPM_CAP_PROP_DAA_INTERRUPT = 0x0000011C,
        TPM_CAP_PROP_SESSIONS = 0x0000011D,
        TPM_CAP_PROP_MAX_SESSIONS = 0x0000011E,
        TPM_CAP_PROP_CMK_RESTRICTION = 0x0000011F,
        TPM_CAP_PROP_DURATION = 0x00000120,
        TPM_CAP_PROP_ACTIVE_COUNTER = 0x00000122,
        TPM_CAP_PROP_MAX_NV_AVAILABLE = 0x00000123,
        TPM_CAP_PROP_INPUT_BUFFER = 0x00000124,
    }
}

impl CapProperty {
    /// TSS spelling of [`Self::TPM_CAP_PROP_TRANSESS`].
    pub const TPM_CAP_PROP_TRANSSESS: Self = Self::TPM_CAP_PROP_TRANSESS;
    /// TSS spelling of [`Self::TPM_CAP_PROP_MAX_TRANSESS`].
    pub const TPM_CAP_PROP_MAX_TRANSSESS: Self = Self::TPM_CAP_PROP_MAX_TRANSESS;
    /// TSS spelling of [`Self::TPM_CAP_PROP_MAX_NV_AVAILABLE`].
    pub const TPM_CAP_PROP_NV_AVAILABLE: Self = Self::TPM_CAP_PROP_MAX_NV_AVAILABLE;
}

open_enum! {
    /// Part 2, 21.4 TPM_SetCapability capArea values: which structure a subCap refers to.
    pub struct SetCapabilityArea(u32) {
        TPM_SET_PERM_FLAGS = 0x00000001,
        TPM_SET_PERM_DATA = 0x00000002,
        TPM_SET_STCLEAR_FLAGS = 0x00000003,
        TPM_SET_STCLEAR_DATA = 0x00000004,
        TPM_SET_STANY_FLAGS = 0x00000005,
        TPM_SET_STANY_DATA = 0x00000006,
        TPM_SET_VENDOR = 0x00000007,
    }
}

open_enum! {
    /// Part 2, 21.10 TPM_DA_ACTION_TYPE: what the dictionary-attack logic does while active.
    #[doc(alias = "TPM_DA_ACTION_TYPE")]
    pub struct DaAction(u32) {
        TPM_DA_ACTION_TIMEOUT = 0x00000001,
        TPM_DA_ACTION_DISABLE = 0x00000002,
        TPM_DA_ACTION_DEACTIVATE = 0x00000004,
        TPM_DA_ACTION_FAILURE_MODE = 0x00000008,
    }
}
bit_set!(DaAction, u32);

open_enum! {
    /// Part 2, 23 TPM_REDIR_COMMAND: the redirection targets of TPM_SetRedirection.
    #[doc(alias = "TPM_REDIR_COMMAND")]
    pub struct RedirCommand(u32) {
        TPM_REDIR_GPIO = 0x00000001,
    }
}

open_enum! {
    /// Part 2, 24.6 TPM_SYM_MODE (deprecated): symmetric modes asked about by
    /// TPM_CAP_SYM_MODE.
    #[doc(alias = "TPM_SYM_MODE")]
    pub struct SymMode(u32) {
        TPM_SYM_MODE_ECB = 0x00000001,
        TPM_SYM_MODE_CBC = 0x00000002,
        TPM_SYM_MODE_CFB = 0x00000003,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_type_splits_into_entity_and_adip_scheme() {
        let et = EntityType(0x0602);
        assert_eq!(et.entity(), EntityType::TPM_ET_OWNER);
        assert_eq!(et.adip_scheme(), AdipEncScheme::TPM_ET_AES128);
        assert_eq!(
            EntityType::TPM_ET_KEYHANDLE.with_adip_scheme(AdipEncScheme::TPM_ET_AES128),
            EntityType(0x0601)
        );
        assert_eq!(
            EntityType::TPM_ET_SRK.adip_scheme(),
            AdipEncScheme::TPM_ET_XOR
        );
    }

    #[test]
    fn nv_attributes_flag_reserved_bits() {
        let a = NvAttributes::TPM_NV_PER_OWNERREAD | NvAttributes::TPM_NV_PER_OWNERWRITE;
        assert_eq!(a, NvAttributes(0x0002_0002));
        assert!(a.contains(NvAttributes::TPM_NV_PER_OWNERWRITE));
        assert!(!a.contains(NvAttributes::TPM_NV_PER_PPWRITE));
        assert!(!a.has_unknown_bits());
        assert!(NvAttributes(0x0000_0008).has_unknown_bits());
        assert_eq!(NvAttributes::known_bits(), 0x8007_F007);
    }

    #[test]
    fn nv_index_d_bit_and_purview() {
        assert!(NvIndex(0x1000_F000).is_permanent());
        assert!(!NvIndex::TPM_NV_INDEX_EKCert.is_permanent());
        assert_eq!(NvIndex(0x0001_1600).purview(), 0x01);
    }

    #[test]
    fn every_return_code_has_a_description() {
        for (name, rc) in ReturnCode::NAMED {
            assert!(!rc.description().starts_with("unknown"), "{name}");
        }
        assert_eq!(
            ReturnCode(0x0000_0401).description(),
            "vendor-specific error"
        );
        assert!(ReturnCode(0x0000_0850)
            .description()
            .starts_with("unknown non-fatal"));
        assert!(ReturnCode::TPM_RETRY.is_non_fatal());
    }

    #[test]
    fn names_are_unique_within_each_enum() {
        fn unique<T: Copy + PartialEq>(named: &[(&str, T)]) -> bool {
            named
                .iter()
                .enumerate()
                .all(|(i, (n, v))| named.iter().skip(i + 1).all(|(m, w)| m != n && w != v))
        }
        assert!(unique(Ordinal::NAMED));
        assert!(unique(ReturnCode::NAMED));
        assert!(unique(StructureTag::NAMED));
        assert!(unique(CapProperty::NAMED));
        assert!(unique(EntityType::NAMED));
        assert!(unique(NvAttributes::NAMED));
        assert!(unique(PermanentData::NAMED));
    }
}
