//! Part 3, 3 (startup and state), 4 (testing), 5 (opt-in), 6.11-6.12 (TSC ordinals) and
//! 27.2 (TPM_Reset).

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::persist;
use crate::state::{pcr_attributes, pcr_reset_value, PermanentFlags, StClearData, StClearFlags};
use crate::store::BlobName;
use crate::Tpm;
use tpm_marshal::commands::deprecated::Reset;
use tpm_marshal::commands::opt_in::{
    PhysicalDisable, PhysicalEnable, PhysicalSetDeactivated, PhysicalSetDeactivatedIn,
    SetOperatorAuth, SetOperatorAuthIn, SetTempDeactivated,
};
use tpm_marshal::commands::ownership::{
    TscPhysicalPresence, TscPhysicalPresenceIn, TscResetEstablishmentBit,
};
use tpm_marshal::commands::startup::{SaveState, Startup, StartupIn};
use tpm_marshal::commands::testing::{
    ContinueSelfTest, GetTestResult, GetTestResultOut, SelfTestFull,
};
use tpm_marshal::{EntityType, KeyHandle, PhysicalPresence, ReturnCode, SizedBuffer, StartupType};

/// Part 3, 3.2 TPM_Startup.
impl Handler for Startup {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: StartupIn) -> Result<(), ReturnCode> {
        // 1. Only once after _TPM_Init.
        if !tpm.state.stany_flags.post_initialise {
            return Err(ReturnCode::TPM_INVALID_POSTINIT);
        }
        match input.startup_type {
            // 2. Everything ST_CLEAR covers starts from its default.
            StartupType::TPM_ST_CLEAR => {
                let (flags, data) = startup_clear(&tpm.state.permanent_flags);
                tpm.state.stclear_flags = flags;
                tpm.state.stclear = data;
                tpm.sessions.clear();
                tpm.discard_savestate();
            }
            // 3. Resume what TPM_SaveState preserved; without it, the TPM cannot resume.
            StartupType::TPM_ST_STATE => {
                let Some((flags, mut data)) = tpm.take_savestate().and_then(|b| {
                    persist::decode_savestate(&b, BlobName::SaveState.file_name()).ok()
                }) else {
                    // In failure mode postInitialise is cleared, so GetTestResult answers.
                    tpm.enter_failure_mode();
                    tpm.state.stany_flags.post_initialise = false;
                    return Err(ReturnCode::TPM_FAILEDSELFTEST);
                };
                for (i, pcr) in data.pcrs.iter_mut().enumerate() {
                    if pcr_attributes(i).0 {
                        *pcr = pcr_reset_value(i, false);
                    }
                }
                tpm.state.stclear_flags = flags;
                tpm.state.stclear = data;
            }
            // 4. Deactivated until the next Startup(ST_CLEAR).
            StartupType::TPM_ST_DEACTIVATED => {
                let (mut flags, data) = startup_clear(&tpm.state.permanent_flags);
                flags.deactivated = true;
                tpm.state.stclear_flags = flags;
                tpm.state.stclear = data;
                tpm.sessions.clear();
                tpm.discard_savestate();
            }
            _ => return Err(ReturnCode::TPM_BAD_PARAMETER),
        }
        // 5. Any startup: ST_ANY state and a new tick session.
        let nonce = tpm.random_nonce();
        let now = tpm.ticks_us();
        let s = &mut tpm.state;
        s.stany_flags = crate::state::StAnyFlags {
            locality_modifier: s.stany_flags.locality_modifier,
            ..Default::default()
        };
        s.stany = crate::state::StAnyData {
            tick_nonce: nonce,
            tick_base_us: now,
            ..Default::default()
        };
        Ok(())
    }
}

/// The ST_CLEAR defaults: PCRs at their reset values, flags cleared, deactivated copied
/// from the permanent flag.
fn startup_clear(permanent: &PermanentFlags) -> (StClearFlags, StClearData) {
    let mut data = StClearData::default();
    Tpm::reset_pcrs_for_startup(&mut data);
    let flags = StClearFlags {
        deactivated: permanent.deactivated,
        ..StClearFlags::default()
    };
    (flags, data)
}

/// Part 3, 3.3 TPM_SaveState: preserves TPM_STCLEAR_FLAGS and TPM_STCLEAR_DATA for
/// TPM_Startup(ST_STATE).
impl Handler for SaveState {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.store_savestate()
    }
}

/// Part 3, 4.1 TPM_SelfTestFull.
impl Handler for SelfTestFull {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.continue_self_test();
        Ok(())
    }
}

/// Part 3, 4.2 TPM_ContinueSelfTest.
impl Handler for ContinueSelfTest {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.continue_self_test();
        Ok(())
    }
}

/// Part 3, 4.3 TPM_GetTestResult: a manufacturer-specific text that identifies no TPM.
impl Handler for GetTestResult {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<GetTestResultOut, ReturnCode> {
        let text: &[u8] = if tpm.failure_mode {
            b"failure mode"
        } else if tpm.self_test == crate::state::SelfTest::Full {
            b"self-test passed"
        } else {
            b"limited self-test passed"
        };
        Ok(GetTestResultOut {
            out_data: SizedBuffer(text.to_vec()),
        })
    }
}

/// A field of TPM_PERMANENT_FLAGS.
pub(crate) type FlagField = fn(&mut PermanentFlags) -> &mut bool;

/// Sets a permanent flag, marking the permanent state dirty only if it changes.
pub(crate) fn set_permanent_flag(tpm: &mut Tpm, flag: FlagField, value: bool) {
    let f = flag(&mut tpm.state.permanent_flags);
    if *f != value {
        *f = value;
        tpm.permanent_dirty = true;
    }
}

/// Part 3, 5.3 TPM_PhysicalEnable (physical presence checked by the dispatcher).
impl Handler for PhysicalEnable {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        set_permanent_flag(tpm, |f| &mut f.disable, false);
        Ok(())
    }
}

/// Part 3, 5.4 TPM_PhysicalDisable.
impl Handler for PhysicalDisable {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        set_permanent_flag(tpm, |f| &mut f.disable, true);
        Ok(())
    }
}

/// Part 3, 5.5 TPM_PhysicalSetDeactivated: sets the permanent flag, which takes effect at
/// the next TPM_Startup(ST_CLEAR).
impl Handler for PhysicalSetDeactivated {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: PhysicalSetDeactivatedIn,
    ) -> Result<(), ReturnCode> {
        set_permanent_flag(tpm, |f| &mut f.deactivated, input.state);
        Ok(())
    }
}

/// Part 3, 5.6 TPM_SetTempDeactivated: deactivates until the next Startup(ST_CLEAR),
/// authorized by the operator (OIAP) or by physical presence.
impl Handler for SetTempDeactivated {
    fn authorize(tpm: &Tpm, (): &(), _i: usize) -> Result<Entity, ReturnCode> {
        // 1.a Without an operator there is nothing to authorize against.
        let auth = tpm
            .state
            .permanent
            .operator_auth
            .clone()
            .filter(|_| tpm.state.permanent_flags.operator)
            .ok_or(ReturnCode::TPM_NOOPERATOR)?;
        Ok(Entity {
            kind: EntityType::TPM_ET_OPERATOR,
            value: KeyHandle::TPM_KH_OPERATOR.0,
            auth,
            sessions: SessionTypes::Oiap,
        })
    }

    fn execute(tpm: &mut Tpm, cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        // 2. Without authorization, physical presence.
        if cx.auth_count() == 0 && !tpm.physical_presence() {
            return Err(ReturnCode::TPM_BAD_PRESENCE);
        }
        // 3.
        tpm.state.stclear_flags.deactivated = true;
        Ok(())
    }
}

/// Part 3, 5.7 TPM_SetOperatorAuth (physical presence checked by the dispatcher).
impl Handler for SetOperatorAuth {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: SetOperatorAuthIn) -> Result<(), ReturnCode> {
        tpm.state.permanent.operator_auth = Some(crate::secret::Secret::new(input.operator_auth));
        tpm.state.permanent_flags.operator = true;
        tpm.permanent_dirty = true;
        Ok(())
    }
}

/// Part 3, 27.2 TPM_Reset (deprecated): releases every authorization session.
impl Handler for Reset {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        tpm.sessions.clear();
        Ok(())
    }
}

/// Part 3, 6.6 TSC_PhysicalPresence. The bits fall in two groups that may not be mixed:
/// the lifetime settings (A1: lifetime lock, hardware and command enable/disable), which
/// change permanent flags until the lifetime lock is set, and the assertions (A2: present,
/// not present, lock), which change the ST_CLEAR flags while the command form is enabled
/// and presence is not locked.
impl Handler for TscPhysicalPresence {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: TscPhysicalPresenceIn,
    ) -> Result<(), ReturnCode> {
        use PhysicalPresence as P;
        let v = input.physical_presence.0;
        let has = |p: P| v & p.0 != 0;
        let a1 = P::TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK.0
            | P::TPM_PHYSICAL_PRESENCE_HW_ENABLE.0
            | P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE.0
            | P::TPM_PHYSICAL_PRESENCE_HW_DISABLE.0
            | P::TPM_PHYSICAL_PRESENCE_CMD_DISABLE.0;
        let a2 = P::TPM_PHYSICAL_PRESENCE_LOCK.0
            | P::TPM_PHYSICAL_PRESENCE_PRESENT.0
            | P::TPM_PHYSICAL_PRESENCE_NOTPRESENT.0;
        let bad = Err(ReturnCode::TPM_BAD_PARAMETER);
        if v & !(a1 | a2) != 0 {
            return bad;
        }
        if v & a1 != 0 {
            // 2. Lifetime settings.
            let both = |x: P, y: P| has(x) && has(y);
            if tpm.state.permanent_flags.physical_presence_lifetime_lock
                || v & a2 != 0
                || both(
                    P::TPM_PHYSICAL_PRESENCE_HW_ENABLE,
                    P::TPM_PHYSICAL_PRESENCE_HW_DISABLE,
                )
                || both(
                    P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE,
                    P::TPM_PHYSICAL_PRESENCE_CMD_DISABLE,
                )
            {
                return bad;
            }
            let flags: [(P, FlagField, bool); 5] = [
                (
                    P::TPM_PHYSICAL_PRESENCE_HW_ENABLE,
                    |f| &mut f.physical_presence_hw_enable,
                    true,
                ),
                (
                    P::TPM_PHYSICAL_PRESENCE_HW_DISABLE,
                    |f| &mut f.physical_presence_hw_enable,
                    false,
                ),
                (
                    P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE,
                    |f| &mut f.physical_presence_cmd_enable,
                    true,
                ),
                (
                    P::TPM_PHYSICAL_PRESENCE_CMD_DISABLE,
                    |f| &mut f.physical_presence_cmd_enable,
                    false,
                ),
                (
                    P::TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK,
                    |f| &mut f.physical_presence_lifetime_lock,
                    true,
                ),
            ];
            for (bit, flag, value) in flags {
                if has(bit) {
                    set_permanent_flag(tpm, flag, value);
                }
            }
            return Ok(());
        }
        if v & a2 == 0 {
            // 4. Nothing asked.
            return bad;
        }
        // 3. Assertions.
        let f = &mut tpm.state.stclear_flags;
        if !tpm.state.permanent_flags.physical_presence_cmd_enable
            || (has(P::TPM_PHYSICAL_PRESENCE_LOCK) && has(P::TPM_PHYSICAL_PRESENCE_PRESENT))
            || (has(P::TPM_PHYSICAL_PRESENCE_PRESENT) && has(P::TPM_PHYSICAL_PRESENCE_NOTPRESENT))
            || f.physical_presence_lock
        {
            return bad;
        }
        if has(P::TPM_PHYSICAL_PRESENCE_LOCK) {
            f.physical_presence = false;
            f.physical_presence_lock = true;
        } else {
            f.physical_presence = has(P::TPM_PHYSICAL_PRESENCE_PRESENT);
        }
        Ok(())
    }
}

/// Part 3, 6.7 TSC_ResetEstablishmentBit: only from locality 3 or 4.
impl Handler for TscResetEstablishmentBit {
    fn execute(tpm: &mut Tpm, cx: &mut Ctx, (): ()) -> Result<(), ReturnCode> {
        if cx.locality != 3 && cx.locality != 4 {
            return Err(ReturnCode::TPM_BAD_LOCALITY);
        }
        tpm.set_established(false);
        Ok(())
    }
}
