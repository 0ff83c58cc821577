//! Part 3, 7 Capability commands: TPM_GetCapability (every TPM_CAP_* area and
//! TPM_CAP_PROP_* property of Part 2, 21 rev 116) and TPM_SetCapability (the settable
//! values of Part 2, 21.4).

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::ordinals::admin::set_permanent_flag;
use crate::ordinals::counters::MAX_COUNTERS;
use crate::sessions::MAX_SESSIONS;
use crate::state::{locality_selected, SelfTest, TPM_COUNT_ID_ILLEGAL, TPM_KH_OWNER};
use crate::table::lookup;
use crate::tpm::DA_THRESHOLD;
use crate::Tpm;
use tpm_marshal::commands::capability::{
    GetCapability, GetCapabilityIn, GetCapabilityOut, SetCapability, SetCapabilityIn,
};
use tpm_marshal::structures::flags as wire;
use tpm_marshal::{
    AlgorithmId, CapFlag, CapProperty, CapVersionInfo, CapabilityArea, CommandDurations, DaAction,
    DaActionType, DaInfo, DaInfoLimited, DaState, EntityType, KeyHandleList, KeyParms,
    KeyParmsDetail, LocalitySelection, Marshal, Ordinal, PermanentFlag, ProtocolId, ResourceType,
    ReturnCode, SelectSize, SetCapabilityArea, SizedBuffer, SizedBuffer16, StAnyFlag, StClearFlag,
    StructVer, TisTimeouts, Unmarshal, Version, Writer,
};

/// The vendor ID in TPM_CAP_VERSION_VAL and TPM_CAP_PROP_MANUFACTURER.
pub const VENDOR_ID: [u8; 4] = *b"RS12";
/// Part 2, 21.6: spec level 2 (TPM 1.2), errata 3 (revision 116).
const SPEC_LEVEL: u16 = 2;
const ERRATA_REV: u8 = 3;
/// Capacities reported by TPM_CAP_PROPERTY (ordinals.md, "Capacities peers use").
const MAX_KEYS: u32 = 20;
const MAX_TRANS_SESSIONS: u32 = 16;
const MAX_CONTEXTS: u32 = 128;
const FAMILY_ROWS: u32 = 16;
const DELEGATE_ROWS: u32 = 4;
const MAX_DAA_SESSIONS: u32 = 2;
/// Part 2, 21.2 TPM_STARTUP_EFFECTS: every resource is initialised by _TPM_Init, so also
/// by TPM_Startup(ST_STATE) (bits 0-3, 8), keys by any Startup (bit 4), and the audit
/// digest is zeroed by any Startup (bit 5).
const STARTUP_EFFECTS: u32 = 0x0000_013F;
/// PC Client TIS timeouts A, B, C, D and the command durations, in microseconds.
const TIS_TIMEOUTS: TisTimeouts = TisTimeouts {
    timeout_a: 750_000,
    timeout_b: 2_000_000,
    timeout_c: 750_000,
    timeout_d: 750_000,
};
const DURATIONS: CommandDurations = CommandDurations {
    short: 2_000_000,
    medium: 5_000_000,
    long: 60_000_000,
};

fn sub_u32(sub: &[u8]) -> Result<u32, ReturnCode> {
    <[u8; 4]>::try_from(sub)
        .map(u32::from_be_bytes)
        .map_err(|_| ReturnCode::TPM_BAD_MODE)
}

fn sub_u16(sub: &[u8]) -> Result<u16, ReturnCode> {
    <[u8; 2]>::try_from(sub)
        .map(u16::from_be_bytes)
        .map_err(|_| ReturnCode::TPM_BAD_MODE)
}

/// Part 3, 7.1 step 3: the capabilities a TPM answers before its full self-test (and in
/// failure mode).
fn available_in_limited_mode(area: CapabilityArea, sub: &[u8]) -> bool {
    match area {
        CapabilityArea::TPM_CAP_VERSION
        | CapabilityArea::TPM_CAP_VERSION_VAL
        | CapabilityArea::TPM_CAP_MFR => true,
        CapabilityArea::TPM_CAP_PROPERTY => matches!(
            sub_u32(sub).map(CapProperty),
            Ok(CapProperty::TPM_CAP_PROP_MANUFACTURER
                | CapProperty::TPM_CAP_PROP_DURATION
                | CapProperty::TPM_CAP_PROP_TIS_TIMEOUT)
        ),
        _ => false,
    }
}

/// Part 3, 7.1 TPM_GetCapability.
impl Handler for GetCapability {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: GetCapabilityIn,
    ) -> Result<GetCapabilityOut, ReturnCode> {
        let sub = input.sub_cap.0.as_slice();
        if !available_in_limited_mode(input.cap_area, sub) {
            if tpm.failure_mode {
                return Err(ReturnCode::TPM_FAILEDSELFTEST);
            }
            if tpm.self_test == SelfTest::Limited {
                tpm.continue_self_test();
            }
        }
        let mut w = Writer::new();
        tpm.capability(input.cap_area, sub, &mut w)?;
        let resp = w.finish().map_err(|_| ReturnCode::TPM_SIZE)?;
        Ok(GetCapabilityOut {
            resp: SizedBuffer(resp),
        })
    }
}

impl Tpm {
    /// Writes the answer for one capability area.
    fn capability(
        &mut self,
        area: CapabilityArea,
        sub: &[u8],
        w: &mut Writer,
    ) -> Result<(), ReturnCode> {
        match area {
            CapabilityArea::TPM_CAP_ORD => w.bool(lookup(Ordinal(sub_u32(sub)?)).is_some()),
            CapabilityArea::TPM_CAP_ALG => w.bool(algorithm_supported(sub_u32(sub)?)),
            CapabilityArea::TPM_CAP_PID => w.bool(matches!(
                ProtocolId(sub_u16(sub)?),
                ProtocolId::TPM_PID_OIAP | ProtocolId::TPM_PID_OSAP | ProtocolId::TPM_PID_ADIP
            )),
            CapabilityArea::TPM_CAP_FLAG => self.cap_flag(CapFlag(sub_u32(sub)?), w)?,
            CapabilityArea::TPM_CAP_PROPERTY => self.cap_property(CapProperty(sub_u32(sub)?), w)?,
            CapabilityArea::TPM_CAP_VERSION => StructVer::V1_1.marshal(w),
            CapabilityArea::TPM_CAP_KEY_HANDLE => KeyHandleList {
                handles: self.keys.iter().map(|s| s.handle).collect(),
            }
            .marshal(w),
            CapabilityArea::TPM_CAP_CHECK_LOADED => {
                let parms = KeyParms::from_bytes(sub).map_err(|e| e.return_code())?;
                w.bool(key_loadable(&parms));
            }
            // No symmetric mode is offered for TPM_KEY_PARMS, no transport scheme yet.
            CapabilityArea::TPM_CAP_SYM_MODE => w.bool(sub_u32(sub).map(|_| false)?),
            CapabilityArea::TPM_CAP_TRANS_ALG => w.bool(sub_u32(sub).map(|_| false)?),
            CapabilityArea::TPM_CAP_TRANS_ES => w.bool(sub_u16(sub).map(|_| false)?),
            // TRUE if the loaded key is owner-evict.
            CapabilityArea::TPM_CAP_KEY_STATUS => {
                let slot = self.keys.get(sub_u32(sub)?);
                w.bool(slot.ok_or(ReturnCode::TPM_INVALID_KEYHANDLE)?.owner_evict);
            }
            CapabilityArea::TPM_CAP_NV_LIST => self.cap_nv_list().iter().for_each(|i| w.u32(*i)),
            CapabilityArea::TPM_CAP_NV_INDEX => self.cap_nv_index(sub_u32(sub)?)?.marshal(w),
            CapabilityArea::TPM_CAP_HANDLE => self.cap_handle(ResourceType(sub_u32(sub)?), w)?,
            CapabilityArea::TPM_CAP_AUTH_ENCRYPT => {
                w.bool(AlgorithmId(sub_u32(sub)?) == AlgorithmId::TPM_ALG_XOR)
            }
            CapabilityArea::TPM_CAP_SELECT_SIZE => {
                let s = SelectSize::from_bytes(sub).map_err(|_| ReturnCode::TPM_BAD_MODE)?;
                w.bool(select_size_supported(&s));
            }
            CapabilityArea::TPM_CAP_DA_LOGIC => {
                sub_u16(sub)?;
                self.cap_da_logic(w);
            }
            CapabilityArea::TPM_CAP_VERSION_VAL => version_info().marshal(w),
            // This TPM defines no manufacturer-specific capability.
            _ => return Err(ReturnCode::TPM_BAD_MODE),
        }
        Ok(())
    }

    fn cap_flag(&self, flag: CapFlag, w: &mut Writer) -> Result<(), ReturnCode> {
        match flag {
            CapFlag::TPM_CAP_FLAG_PERMANENT => self.wire_permanent_flags().marshal(w),
            CapFlag::TPM_CAP_FLAG_VOLATILE => {
                let f = &self.state.stclear_flags;
                wire::StClearFlags {
                    deactivated: f.deactivated,
                    disable_force_clear: f.disable_force_clear,
                    physical_presence: f.physical_presence,
                    physical_presence_lock: f.physical_presence_lock,
                    b_global_lock: f.b_global_lock,
                }
                .marshal(w)
            }
            _ => return Err(ReturnCode::TPM_BAD_MODE),
        }
        Ok(())
    }

    /// TPM_PERMANENT_FLAGS as the wire has it.
    fn wire_permanent_flags(&self) -> wire::PermanentFlags {
        let f = &self.state.permanent_flags;
        wire::PermanentFlags {
            disable: f.disable,
            ownership: f.ownership,
            deactivated: f.deactivated,
            read_pubek: f.read_pubek,
            disable_owner_clear: f.disable_owner_clear,
            allow_maintenance: f.allow_maintenance,
            physical_presence_lifetime_lock: f.physical_presence_lifetime_lock,
            physical_presence_hw_enable: f.physical_presence_hw_enable,
            physical_presence_cmd_enable: f.physical_presence_cmd_enable,
            cekp_used: f.cekp_used,
            tpm_post: f.tpm_post,
            tpm_post_lock: f.tpm_post_lock,
            fips: f.fips,
            operator: f.operator,
            enable_revoke_ek: f.enable_revoke_ek,
            nv_locked: f.nv_locked,
            read_srk_pub: f.read_srk_pub,
            tpm_established: f.tpm_established,
            maintenance_done: f.maintenance_done,
            disable_full_da_logic_info: f.disable_full_da_logic_info,
        }
    }

    fn cap_property(&mut self, prop: CapProperty, w: &mut Writer) -> Result<(), ReturnCode> {
        let free_auth =
            u32::try_from(MAX_SESSIONS.saturating_sub(self.sessions.len())).unwrap_or(0);
        let max_auth = u32::try_from(MAX_SESSIONS).unwrap_or(0);
        let value: u32 = match prop {
            CapProperty::TPM_CAP_PROP_PCR => 24,
            CapProperty::TPM_CAP_PROP_DIR => 1,
            CapProperty::TPM_CAP_PROP_MANUFACTURER => u32::from_be_bytes(VENDOR_ID),
            CapProperty::TPM_CAP_PROP_KEYS => {
                u32::try_from(crate::keys::MAX_KEYS.saturating_sub(self.keys.len())).unwrap_or(0)
            }
            CapProperty::TPM_CAP_PROP_MAX_KEYS => MAX_KEYS,
            CapProperty::TPM_CAP_PROP_MIN_COUNTER => 0,
            CapProperty::TPM_CAP_PROP_AUTHSESS => free_auth,
            CapProperty::TPM_CAP_PROP_MAX_AUTHSESS => max_auth,
            CapProperty::TPM_CAP_PROP_TRANSESS | CapProperty::TPM_CAP_PROP_MAX_TRANSESS => {
                MAX_TRANS_SESSIONS
            }
            CapProperty::TPM_CAP_PROP_COUNTERS => self.free_counters(),
            CapProperty::TPM_CAP_PROP_MAX_COUNTERS => MAX_COUNTERS,
            CapProperty::TPM_CAP_PROP_OWNER => {
                w.bool(self.state.permanent.owner_auth.is_some());
                return Ok(());
            }
            CapProperty::TPM_CAP_PROP_CONTEXT | CapProperty::TPM_CAP_PROP_MAX_CONTEXT => {
                MAX_CONTEXTS
            }
            CapProperty::TPM_CAP_PROP_FAMILYROWS => FAMILY_ROWS,
            CapProperty::TPM_CAP_PROP_TIS_TIMEOUT => {
                TIS_TIMEOUTS.marshal(w);
                return Ok(());
            }
            CapProperty::TPM_CAP_PROP_STARTUP_EFFECT => STARTUP_EFFECTS,
            CapProperty::TPM_CAP_PROP_DELEGATE_ROW => DELEGATE_ROWS,
            CapProperty::TPM_CAP_PROP_MAX_DAASESS | CapProperty::TPM_CAP_PROP_DAASESS => {
                MAX_DAA_SESSIONS
            }
            CapProperty::TPM_CAP_PROP_CONTEXT_DIST => u32::MAX,
            CapProperty::TPM_CAP_PROP_DAA_INTERRUPT => {
                w.bool(true);
                return Ok(());
            }
            CapProperty::TPM_CAP_PROP_SESSIONS => free_auth + MAX_TRANS_SESSIONS,
            CapProperty::TPM_CAP_PROP_MAX_SESSIONS => max_auth + MAX_TRANS_SESSIONS,
            CapProperty::TPM_CAP_PROP_CMK_RESTRICTION => self.state.permanent.restrict_delegate,
            CapProperty::TPM_CAP_PROP_DURATION => {
                DURATIONS.marshal(w);
                return Ok(());
            }
            CapProperty::TPM_CAP_PROP_ACTIVE_COUNTER => match self.state.stclear.count_id {
                0 | TPM_COUNT_ID_ILLEGAL => u32::MAX,
                id => id,
            },
            CapProperty::TPM_CAP_PROP_MAX_NV_AVAILABLE => self.cap_nv_available(),
            CapProperty::TPM_CAP_PROP_INPUT_BUFFER => {
                u32::try_from(tpm_marshal::MAX_BUFFER).unwrap_or(u32::MAX)
            }
            _ => return Err(ReturnCode::TPM_BAD_MODE),
        };
        w.u32(value);
        Ok(())
    }

    fn cap_handle(&self, rt: ResourceType, w: &mut Writer) -> Result<(), ReturnCode> {
        let handles = match rt {
            ResourceType::TPM_RT_AUTH => self.sessions.iter().map(|s| s.handle).collect(),
            ResourceType::TPM_RT_KEY => self.keys.iter().map(|s| s.handle).collect(),
            ResourceType::TPM_RT_COUNTER => self.counter_ids(),
            ResourceType::TPM_RT_TRANS
            | ResourceType::TPM_RT_CONTEXT
            | ResourceType::TPM_RT_DAA_TPM => Vec::new(),
            _ => return Err(ReturnCode::TPM_BAD_MODE),
        };
        KeyHandleList { handles }.marshal(w);
        Ok(())
    }

    /// Part 2, 21.7-21.8: the dictionary-attack state (one counter for every entity type).
    fn cap_da_logic(&mut self, w: &mut Writer) {
        let remaining = self.lockout_remaining_s();
        let state = if remaining > 0 {
            DaState::TPM_DA_STATE_ACTIVE
        } else {
            DaState::TPM_DA_STATE_INACTIVE
        };
        let action = DaActionType {
            actions: DaAction::TPM_DA_ACTION_TIMEOUT,
        };
        if self.state.permanent_flags.disable_full_da_logic_info {
            DaInfoLimited {
                state,
                action_at_threshold: action,
                vendor_data: SizedBuffer::default(),
            }
            .marshal(w);
        } else {
            let count = self.state.permanent.auth_fail_count;
            DaInfo {
                state,
                current_count: u16::try_from(count).unwrap_or(u16::MAX),
                threshold_count: u16::try_from(DA_THRESHOLD).unwrap_or(u16::MAX),
                action_at_threshold: action,
                action_depend_value: u32::try_from(remaining).unwrap_or(u32::MAX),
                vendor_data: SizedBuffer::default(),
            }
            .marshal(w);
        }
    }
}

/// Algorithms the TPM implements (TPM_CAP_ALG).
fn algorithm_supported(alg: u32) -> bool {
    matches!(
        AlgorithmId(alg),
        AlgorithmId::TPM_ALG_RSA
            | AlgorithmId::TPM_ALG_SHA
            | AlgorithmId::TPM_ALG_HMAC
            | AlgorithmId::TPM_ALG_MGF1
            | AlgorithmId::TPM_ALG_XOR
    )
}

/// TPM_CAP_CHECK_LOADED: RSA keys of two primes and 1024 to 2048 bits in steps of 256
/// (the `rsa` crate refuses smaller moduli).
fn key_loadable(parms: &KeyParms) -> bool {
    match &parms.parms {
        KeyParmsDetail::Rsa(rsa) => {
            parms.algorithm_id == AlgorithmId::TPM_ALG_RSA
                && rsa.num_primes == 2
                && (crate::keys::MIN_KEY_BITS..=crate::keys::MAX_KEY_BITS).contains(&rsa.key_length)
                && rsa.key_length % 256 == 0
        }
        _ => false,
    }
}

/// TPM_CAP_SELECT_SIZE: 1.1 selections are 2 bytes; 1.2 selections 1 to 3 bytes.
fn select_size_supported(s: &SelectSize) -> bool {
    match (s.major, s.minor) {
        (1, 1) => s.req_size == 2,
        (1, 2) => (1..=3).contains(&s.req_size),
        _ => false,
    }
}

/// Part 2, 21.6 TPM_CAP_VERSION_INFO.
pub(crate) fn version_info() -> CapVersionInfo {
    CapVersionInfo {
        version: Version {
            major: 1,
            minor: 2,
            rev_major: 0,
            rev_minor: 1,
        },
        spec_level: SPEC_LEVEL,
        errata_rev: ERRATA_REV,
        tpm_vendor_id: VENDOR_ID,
        vendor_specific: SizedBuffer16::default(),
    }
}

/// Part 3, 7.2 TPM_SetCapability, authorized by the owner (auth1) or by physical presence
/// (auth0).
impl Handler for SetCapability {
    fn authorize(tpm: &Tpm, _input: &SetCapabilityIn, _i: usize) -> Result<Entity, ReturnCode> {
        let auth = tpm
            .state
            .permanent
            .owner_auth
            .clone()
            .ok_or(ReturnCode::TPM_AUTHFAIL)?;
        Ok(Entity {
            kind: EntityType::TPM_ET_OWNER,
            value: TPM_KH_OWNER,
            auth,
            sessions: SessionTypes::Any,
        })
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: SetCapabilityIn) -> Result<(), ReturnCode> {
        let owner = cx.auth_count() == 1;
        let presence = !owner && tpm.physical_presence();
        let sub = sub_u32(&input.sub_cap.0)?;
        let value = input.set_value.0.as_slice();
        match input.cap_area {
            SetCapabilityArea::TPM_SET_PERM_FLAGS => {
                tpm.set_perm_flag(PermanentFlag(sub), set_bool(value)?, owner, presence, cx)
            }
            SetCapabilityArea::TPM_SET_PERM_DATA => {
                tpm.set_perm_data(tpm_marshal::PermanentData(sub), set_u32(value)?, owner)
            }
            SetCapabilityArea::TPM_SET_STCLEAR_FLAGS => {
                tpm.set_stclear_flag(StClearFlag(sub), set_bool(value)?)
            }
            SetCapabilityArea::TPM_SET_STCLEAR_DATA => {
                tpm.set_stclear_data(tpm_marshal::StClearData(sub), set_u32(value)?, presence)
            }
            SetCapabilityArea::TPM_SET_STANY_FLAGS => {
                tpm.set_stany_flag(StAnyFlag(sub), set_bool(value)?, cx)
            }
            SetCapabilityArea::TPM_SET_STANY_DATA | SetCapabilityArea::TPM_SET_VENDOR => {
                Err(ReturnCode::TPM_BAD_PARAMETER)
            }
            _ => Err(ReturnCode::TPM_BAD_MODE),
        }
    }
}

fn set_bool(v: &[u8]) -> Result<bool, ReturnCode> {
    match v {
        [0] => Ok(false),
        [1] => Ok(true),
        _ => Err(ReturnCode::TPM_BAD_PARAMETER),
    }
}

fn set_u32(v: &[u8]) -> Result<u32, ReturnCode> {
    <[u8; 4]>::try_from(v)
        .map(u32::from_be_bytes)
        .map_err(|_| ReturnCode::TPM_BAD_PARAMETER)
}

impl Tpm {
    /// TPM_DISABLED / TPM_DEACTIVATED for values not settable in those states.
    fn require_enabled_active(&self) -> Result<(), ReturnCode> {
        if self.state.permanent_flags.disable {
            Err(ReturnCode::TPM_DISABLED)
        } else if self.state.deactivated() {
            Err(ReturnCode::TPM_DEACTIVATED)
        } else {
            Ok(())
        }
    }

    /// Part 2, 21.4 TPM_SET_PERM_FLAGS.
    fn set_perm_flag(
        &mut self,
        flag: PermanentFlag,
        value: bool,
        owner: bool,
        presence: bool,
        cx: &Ctx,
    ) -> Result<(), ReturnCode> {
        let need = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(ReturnCode::TPM_AUTHFAIL)
            }
        };
        let only = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(ReturnCode::TPM_BAD_PARAMETER)
            }
        };
        let field: crate::ordinals::admin::FlagField = match flag {
            PermanentFlag::TPM_PF_DISABLE => {
                need(owner || presence)?;
                |f| &mut f.disable
            }
            PermanentFlag::TPM_PF_OWNERSHIP => {
                if self.state.permanent.owner_auth.is_some() {
                    return Err(ReturnCode::TPM_OWNER_SET);
                }
                need(presence)?;
                self.require_enabled_active()?;
                |f| &mut f.ownership
            }
            PermanentFlag::TPM_PF_DEACTIVATED => {
                need(presence)?;
                if self.state.permanent_flags.disable {
                    return Err(ReturnCode::TPM_DISABLED);
                }
                |f| &mut f.deactivated
            }
            PermanentFlag::TPM_PF_READPUBEK => {
                need(owner)?;
                self.require_enabled_active()?;
                |f| &mut f.read_pubek
            }
            PermanentFlag::TPM_PF_DISABLEOWNERCLEAR => {
                need(owner)?;
                only(value)?;
                self.require_enabled_active()?;
                |f| &mut f.disable_owner_clear
            }
            PermanentFlag::TPM_PF_ALLOWMAINTENANCE => {
                need(owner)?;
                only(!value)?;
                self.require_enabled_active()?;
                |f| &mut f.allow_maintenance
            }
            PermanentFlag::TPM_PF_READSRKPUB => {
                need(owner)?;
                self.require_enabled_active()?;
                |f| &mut f.read_srk_pub
            }
            PermanentFlag::TPM_PF_TPMESTABLISHED => {
                let l34 = LocalitySelection(0x18);
                if !locality_selected(l34, u32::from(cx.locality)) {
                    return Err(ReturnCode::TPM_BAD_LOCALITY);
                }
                only(!value)?;
                |f| &mut f.tpm_established
            }
            PermanentFlag::TPM_PF_DISABLEFULLDALOGICINFO => {
                need(owner)?;
                |f| &mut f.disable_full_da_logic_info
            }
            _ => return Err(ReturnCode::TPM_BAD_PARAMETER),
        };
        set_permanent_flag(self, field, value);
        Ok(())
    }

    /// Part 2, 21.4 TPM_SET_PERM_DATA: only restrictDelegate is settable.
    fn set_perm_data(
        &mut self,
        which: tpm_marshal::PermanentData,
        value: u32,
        owner: bool,
    ) -> Result<(), ReturnCode> {
        if which != tpm_marshal::PermanentData::TPM_PD_RESTRICTDELEGATE {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        if !owner {
            return Err(ReturnCode::TPM_AUTHFAIL);
        }
        self.require_enabled_active()?;
        if self.state.permanent.restrict_delegate != value {
            self.state.permanent.restrict_delegate = value;
            self.permanent_dirty = true;
        }
        Ok(())
    }

    /// Part 2, 21.4 TPM_SET_STCLEAR_FLAGS: only disableForceClear, only to TRUE.
    fn set_stclear_flag(&mut self, flag: StClearFlag, value: bool) -> Result<(), ReturnCode> {
        if flag != StClearFlag::TPM_SF_DISABLEFORCECLEAR {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        self.require_enabled_active()?;
        if !value {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        self.state.stclear_flags.disable_force_clear = true;
        Ok(())
    }

    /// Part 2, 21.4 TPM_SET_STCLEAR_DATA: only deferredPhysicalPresence; setting a bit
    /// needs physical presence, clearing one does not.
    fn set_stclear_data(
        &mut self,
        which: tpm_marshal::StClearData,
        value: u32,
        presence: bool,
    ) -> Result<(), ReturnCode> {
        if which != tpm_marshal::StClearData::TPM_SD_DEFERREDPHYSICALPRESENCE {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        let current = self.state.stclear.deferred_physical_presence;
        if !presence && value & !current != 0 {
            return Err(ReturnCode::TPM_BAD_PRESENCE);
        }
        self.state.stclear.deferred_physical_presence = value;
        Ok(())
    }

    /// Part 2, 21.4 TPM_SET_STANY_FLAGS: only TOSPresent, only to FALSE, from locality 3
    /// or 4.
    fn set_stany_flag(&mut self, flag: StAnyFlag, value: bool, cx: &Ctx) -> Result<(), ReturnCode> {
        if flag != StAnyFlag::TPM_AF_TOSPRESENT {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        if !locality_selected(LocalitySelection(0x18), u32::from(cx.locality)) {
            return Err(ReturnCode::TPM_BAD_LOCALITY);
        }
        self.require_enabled_active()?;
        if value {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        self.state.stany_flags.tos_present = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::TABLE;

    #[test]
    fn every_rev_116_property_has_an_answer() {
        let mut tpm = crate::tests::fresh_tpm();
        for (name, prop) in CapProperty::NAMED {
            let mut w = Writer::new();
            assert!(tpm.cap_property(*prop, &mut w).is_ok(), "{name}");
            assert!(!w.is_empty(), "{name}");
        }
    }

    #[test]
    fn every_table_ordinal_is_reported_supported() {
        let mut tpm = crate::tests::fresh_tpm();
        for e in TABLE {
            let mut w = Writer::new();
            tpm.capability(
                CapabilityArea::TPM_CAP_ORD,
                &e.ordinal.0.to_be_bytes(),
                &mut w,
            )
            .unwrap();
            assert_eq!(w.as_bytes(), [1], "{:?}", e.ordinal);
        }
    }

    #[test]
    fn select_size_follows_the_spec_examples() {
        let s = |minor, req_size| SelectSize {
            major: 1,
            minor,
            req_size,
        };
        assert!(select_size_supported(&s(1, 2)));
        assert!(!select_size_supported(&s(1, 3)));
        assert!(select_size_supported(&s(2, 3)));
        assert!(!select_size_supported(&s(2, 4)));
    }
}
