//! Part 3, 3 (Startup, SaveState), 4 (self-test), 5 (opt-in), 6.6-6.7 (TSC ordinals) and
//! 27.2 (Reset) through `execute()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
use commands::integrity::{Extend, ExtendIn, PcrRead, PcrReadIn};
use commands::opt_in::{
    PhysicalDisable, PhysicalEnable, PhysicalSetDeactivated, PhysicalSetDeactivatedIn,
    SetOperatorAuth, SetOperatorAuthIn, SetTempDeactivated,
};
use commands::ownership::{TscPhysicalPresence, TscPhysicalPresenceIn, TscResetEstablishmentBit};
use commands::startup::{SaveState, Startup, StartupIn};
use commands::testing::{ContinueSelfTest, GetTestResult, SelfTestFull};
use common::*;
use tpm_marshal::{PhysicalPresence as P, ReturnCode as Rc, StartupType};

fn pcr(b: &mut Bench, i: u32) -> [u8; 20] {
    run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: i })
        .unwrap()
        .out_digest
}

fn extend(b: &mut Bench, i: u32, d: [u8; 20]) {
    run::<Extend>(
        &mut b.tpm,
        &ExtendIn {
            pcr_num: i,
            in_digest: d,
        },
    )
    .unwrap();
}

fn tsc(b: &mut Bench, v: u16) -> Result<(), Rc> {
    run::<TscPhysicalPresence>(
        &mut b.tpm,
        &TscPhysicalPresenceIn {
            physical_presence: P(v),
        },
    )
}

// ---- Startup ----

#[test]
fn startup_clear_sets_pcr_defaults() {
    let mut b = started();
    assert_eq!(pcr(&mut b, 0), [0; 20]);
    assert_eq!(pcr(&mut b, 16), [0; 20]);
    assert_eq!(pcr(&mut b, 17), [0xff; 20]);
    assert_eq!(pcr(&mut b, 22), [0xff; 20]);
    assert_eq!(pcr(&mut b, 23), [0; 20]);
}

#[test]
fn second_startup_is_invalid_postinit() {
    let mut b = started();
    assert_eq!(
        startup(&mut b.tpm, StartupType::TPM_ST_CLEAR),
        Err(Rc::TPM_INVALID_POSTINIT)
    );
}

#[test]
fn unknown_startup_type_is_bad_parameter() {
    let mut b = fresh(ACTIVE);
    assert_eq!(
        startup(&mut b.tpm, StartupType(9)),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    // The TPM still waits for a valid Startup.
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
}

#[test]
fn startup_with_truncated_type_is_bad_param_size() {
    let mut b = fresh(ACTIVE);
    let cmd = tpm_marshal::framing::CommandFrame::encode(
        tpm_marshal::Ordinal::TPM_ORD_Startup,
        &[0],
        &[],
    )
    .unwrap();
    assert_eq!(
        decode::<Startup>(&b.tpm.execute(0, &cmd)),
        Err(Rc::TPM_BAD_PARAM_SIZE)
    );
}

#[test]
fn save_state_then_startup_state_restores_pcrs_but_not_resettable_ones() {
    let mut b = started();
    extend(&mut b, 3, [3; 20]);
    extend(&mut b, 16, [16; 20]);
    let p3 = pcr(&mut b, 3);
    run::<SaveState>(&mut b.tpm, &()).unwrap();
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_STATE).unwrap();
    assert_eq!(pcr(&mut b, 3), p3);
    assert_eq!(pcr(&mut b, 16), [0; 20]);
}

#[test]
fn startup_state_without_saved_state_enters_failure_mode() {
    let mut b = fresh(ACTIVE);
    assert_eq!(
        startup(&mut b.tpm, StartupType::TPM_ST_STATE),
        Err(Rc::TPM_FAILEDSELFTEST)
    );
    assert!(b.tpm.is_failure_mode());
}

#[test]
fn any_command_after_save_state_invalidates_it() {
    let mut b = started();
    run::<SaveState>(&mut b.tpm, &()).unwrap();
    pcr(&mut b, 0);
    b.tpm.init();
    assert_eq!(
        startup(&mut b.tpm, StartupType::TPM_ST_STATE),
        Err(Rc::TPM_FAILEDSELFTEST)
    );
}

#[test]
fn startup_clear_after_save_state_discards_it() {
    let mut b = started();
    run::<SaveState>(&mut b.tpm, &()).unwrap();
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    assert!(b.tpm.savestate_blob().unwrap().is_none());
}

#[test]
fn startup_deactivated_deactivates_until_next_clear() {
    let mut b = fresh(ACTIVE);
    startup(&mut b.tpm, StartupType::TPM_ST_DEACTIVATED).unwrap();
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_DEACTIVATED)
    );
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    pcr(&mut b, 0);
}

#[test]
fn startup_needs_the_auth0_tag() {
    let mut b = fresh(ACTIVE);
    let body = tpm_marshal::Marshal::to_bytes(&StartupIn {
        startup_type: StartupType::TPM_ST_CLEAR,
    })
    .unwrap();
    let trailer = tpm_marshal::framing::AuthIn {
        handle: 1,
        nonce_odd: [0; 20],
        continue_auth_session: true,
        auth: [0; 20],
    };
    let cmd = tpm_marshal::framing::CommandFrame::encode(
        tpm_marshal::Ordinal::TPM_ORD_Startup,
        &body,
        &[trailer],
    )
    .unwrap();
    assert_eq!(
        decode::<Startup>(&b.tpm.execute(0, &cmd)),
        Err(Rc::TPM_BADTAG)
    );
}

// ---- self-test ----

#[test]
fn self_test_full_and_continue_self_test_complete_the_self_test() {
    let mut b = started();
    run::<SelfTestFull>(&mut b.tpm, &()).unwrap();
    assert_eq!(
        run::<GetTestResult>(&mut b.tpm, &()).unwrap().out_data.0,
        b"self-test passed"
    );
    let mut b = started();
    run::<ContinueSelfTest>(&mut b.tpm, &()).unwrap();
    assert_eq!(
        run::<GetTestResult>(&mut b.tpm, &()).unwrap().out_data.0,
        b"self-test passed"
    );
}

#[test]
fn self_test_ordinals_reject_parameters() {
    let mut b = started();
    for ord in [
        tpm_marshal::Ordinal::TPM_ORD_SelfTestFull,
        tpm_marshal::Ordinal::TPM_ORD_ContinueSelfTest,
        tpm_marshal::Ordinal::TPM_ORD_GetTestResult,
    ] {
        let cmd = tpm_marshal::framing::CommandFrame::encode(ord, &[0], &[]).unwrap();
        assert_eq!(
            assert_well_formed(&b.tpm.execute(0, &cmd)),
            Rc::TPM_BAD_PARAM_SIZE
        );
    }
}

// ---- opt-in ----

#[test]
fn physical_enable_and_disable_need_presence() {
    let mut b = started();
    assert_eq!(
        run::<PhysicalDisable>(&mut b.tpm, &()),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    assert_presence(&mut b.tpm);
    run::<PhysicalDisable>(&mut b.tpm, &()).unwrap();
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_DISABLED)
    );
    run::<PhysicalEnable>(&mut b.tpm, &()).unwrap();
    pcr(&mut b, 0);
}

#[test]
fn physical_enable_works_with_the_hardware_pin() {
    let mut b = fresh(Config {
        enabled: false,
        ..ACTIVE
    });
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_HW_ENABLE.0).unwrap();
    assert_eq!(
        run::<PhysicalEnable>(&mut b.tpm, &()),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    b.controls.set_physical_presence(true);
    run::<PhysicalEnable>(&mut b.tpm, &()).unwrap();
    pcr(&mut b, 0);
}

#[test]
fn physical_set_deactivated_takes_effect_at_next_startup_clear() {
    let mut b = started();
    assert_eq!(
        run::<PhysicalSetDeactivated>(&mut b.tpm, &PhysicalSetDeactivatedIn { state: true }),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    assert_presence(&mut b.tpm);
    run::<PhysicalSetDeactivated>(&mut b.tpm, &PhysicalSetDeactivatedIn { state: true }).unwrap();
    pcr(&mut b, 0);
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_DEACTIVATED)
    );
}

#[test]
fn physical_disable_and_set_deactivated_need_an_enabled_tpm() {
    let mut b = fresh(Config {
        enabled: false,
        ..ACTIVE
    });
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    assert_presence(&mut b.tpm);
    assert_eq!(
        run::<PhysicalDisable>(&mut b.tpm, &()),
        Err(Rc::TPM_DISABLED)
    );
    assert_eq!(
        run::<PhysicalSetDeactivated>(&mut b.tpm, &PhysicalSetDeactivatedIn { state: false }),
        Err(Rc::TPM_DISABLED)
    );
}

#[test]
fn set_temp_deactivated_with_presence_deactivates_until_startup() {
    let mut b = started();
    assert_eq!(
        run::<SetTempDeactivated>(&mut b.tpm, &()),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    assert_presence(&mut b.tpm);
    run::<SetTempDeactivated>(&mut b.tpm, &()).unwrap();
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_DEACTIVATED)
    );
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    pcr(&mut b, 0);
}

#[test]
fn set_temp_deactivated_with_operator_auth_over_oiap() {
    let mut b = started();
    let op = [0x0f; 20];
    assert_presence(&mut b.tpm);
    run::<SetOperatorAuth>(&mut b.tpm, &SetOperatorAuthIn { operator_auth: op }).unwrap();
    let mut s = oiap(&mut b.tpm, op);
    run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), false).unwrap();
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_DEACTIVATED)
    );
}

#[test]
fn set_temp_deactivated_without_operator_is_no_operator() {
    let mut b = started();
    let mut s = oiap(&mut b.tpm, [0; 20]);
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), true),
        Err(Rc::TPM_NOOPERATOR)
    );
}

#[test]
fn set_temp_deactivated_with_wrong_operator_auth_is_authfail() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    run::<SetOperatorAuth>(
        &mut b.tpm,
        &SetOperatorAuthIn {
            operator_auth: [1; 20],
        },
    )
    .unwrap();
    let mut s = oiap(&mut b.tpm, [2; 20]);
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), true),
        Err(Rc::TPM_AUTHFAIL)
    );
}

#[test]
fn set_operator_auth_needs_presence() {
    let mut b = started();
    assert_eq!(
        run::<SetOperatorAuth>(
            &mut b.tpm,
            &SetOperatorAuthIn {
                operator_auth: [1; 20]
            }
        ),
        Err(Rc::TPM_BAD_PRESENCE)
    );
}

// ---- TSC_PhysicalPresence ----

#[test]
fn presence_assertion_needs_cmd_enable() {
    let mut b = started();
    assert_eq!(
        tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_PRESENT.0),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE.0).unwrap();
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_PRESENT.0).unwrap();
    run::<PhysicalEnable>(&mut b.tpm, &()).unwrap();
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_NOTPRESENT.0).unwrap();
    assert_eq!(
        run::<PhysicalEnable>(&mut b.tpm, &()),
        Err(Rc::TPM_BAD_PRESENCE)
    );
}

#[test]
fn presence_lock_forbids_further_assertions_until_startup() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_LOCK.0).unwrap();
    assert_eq!(
        run::<PhysicalEnable>(&mut b.tpm, &()),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    assert_eq!(
        tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_PRESENT.0),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_PRESENT.0).unwrap();
}

#[test]
fn conflicting_presence_bits_are_bad_parameter() {
    let mut b = started();
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE.0).unwrap();
    for v in [
        0,
        0x0001,
        P::TPM_PHYSICAL_PRESENCE_PRESENT.0 | P::TPM_PHYSICAL_PRESENCE_NOTPRESENT.0,
        P::TPM_PHYSICAL_PRESENCE_LOCK.0 | P::TPM_PHYSICAL_PRESENCE_PRESENT.0,
        P::TPM_PHYSICAL_PRESENCE_HW_ENABLE.0 | P::TPM_PHYSICAL_PRESENCE_HW_DISABLE.0,
        P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE.0 | P::TPM_PHYSICAL_PRESENCE_CMD_DISABLE.0,
        P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE.0 | P::TPM_PHYSICAL_PRESENCE_PRESENT.0,
    ] {
        assert_eq!(tsc(&mut b, v), Err(Rc::TPM_BAD_PARAMETER), "{v:#x}");
    }
}

#[test]
fn lifetime_lock_freezes_the_presence_configuration() {
    let mut b = started();
    tsc(
        &mut b,
        P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE.0 | P::TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK.0,
    )
    .unwrap();
    assert_eq!(
        tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_CMD_DISABLE.0),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    assert_eq!(
        tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_HW_ENABLE.0),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    // Assertions still work: the command form stayed enabled.
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_PRESENT.0).unwrap();
}

#[test]
fn cmd_disable_turns_the_software_assertion_off() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    tsc(&mut b, P::TPM_PHYSICAL_PRESENCE_CMD_DISABLE.0).unwrap();
    assert_eq!(
        run::<PhysicalEnable>(&mut b.tpm, &()),
        Err(Rc::TPM_BAD_PRESENCE)
    );
}

// ---- TSC_ResetEstablishmentBit ----

#[test]
fn reset_establishment_bit_needs_locality_3_or_4() {
    let mut b = started();
    b.tpm.hash_start().unwrap();
    b.tpm.hash_end().unwrap();
    assert!(b.tpm.tpm_established());
    for loc in [0, 1, 2] {
        assert_eq!(
            run_at::<TscResetEstablishmentBit>(&mut b.tpm, loc, &()),
            Err(Rc::TPM_BAD_LOCALITY)
        );
    }
    run_at::<TscResetEstablishmentBit>(&mut b.tpm, 3, &()).unwrap();
    assert!(!b.tpm.tpm_established());
}

// ---- Reset ----

#[test]
fn reset_closes_every_session() {
    use commands::deprecated::{Reset, TerminateHandle, TerminateHandleIn};
    let mut b = started();
    let s = oiap(&mut b.tpm, [0; 20]);
    run::<Reset>(&mut b.tpm, &()).unwrap();
    assert_eq!(
        run::<TerminateHandle>(&mut b.tpm, &TerminateHandleIn { handle: s.handle }),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}
