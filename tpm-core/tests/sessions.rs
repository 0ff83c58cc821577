//! Part 3, 18 (OIAP, OSAP), 22.1 (FlushSpecific), 27.1.2 (Terminate_Handle): sessions,
//! HMACs checked against the `hmac` crate, nonce rolling, continueAuthSession, the
//! dictionary-attack lockout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
use commands::deprecated::{TerminateHandle, TerminateHandleIn};
use commands::eviction::{FlushSpecific, FlushSpecificIn};
use commands::opt_in::{SetOperatorAuth, SetOperatorAuthIn, SetTempDeactivated};
use commands::sessions::{Oiap, Osap, OsapIn};
use common::*;
use tpm_marshal::{
    AdipEncScheme, EntityType, KeyHandle, ResourceType, ReturnCode as Rc, StartupType,
};

const OP: [u8; 20] = [0x0f; 20];

/// A started TPM with an operator whose auth is [`OP`].
fn with_operator() -> Bench {
    let mut b = started();
    assert_presence(&mut b.tpm);
    run::<SetOperatorAuth>(&mut b.tpm, &SetOperatorAuthIn { operator_auth: OP }).unwrap();
    // Drop presence so only the operator session can authorize.
    run::<commands::ownership::TscPhysicalPresence>(
        &mut b.tpm,
        &commands::ownership::TscPhysicalPresenceIn {
            physical_presence: tpm_marshal::PhysicalPresence::TPM_PHYSICAL_PRESENCE_NOTPRESENT,
        },
    )
    .unwrap();
    b
}

fn flush_auth(b: &mut Bench, handle: u32) -> Result<(), Rc> {
    run::<FlushSpecific>(
        &mut b.tpm,
        &FlushSpecificIn {
            handle,
            resource_type: ResourceType::TPM_RT_AUTH,
        },
    )
}

#[test]
fn oiap_request_and_response_hmacs_match_an_independent_computation() {
    // run_auth1 computes the request HMAC and checks the response HMAC with the hmac crate.
    let mut b = with_operator();
    let mut s = oiap(&mut b.tpm, OP);
    let first_nonce = s.nonce_even;
    run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), true).unwrap();
    // The nonce rolled, and the session is still open.
    assert_ne!(s.nonce_even, first_nonce);
    flush_auth(&mut b, s.handle).unwrap();
}

#[test]
fn a_stale_nonce_even_fails_authorization() {
    let mut b = with_operator();
    let mut s = oiap(&mut b.tpm, OP);
    let mut stale = s.clone();
    stale.nonce_even = [0; 20];
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut stale, &(), true),
        Err(Rc::TPM_AUTHFAIL)
    );
    // The failed HMAC did not close the session: the right nonce still works.
    run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), true).unwrap();
}

#[test]
fn continue_false_closes_the_session() {
    let mut b = with_operator();
    let mut s = oiap(&mut b.tpm, OP);
    run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), false).unwrap();
    assert_eq!(
        flush_auth(&mut b, s.handle),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}

#[test]
fn a_gate_failure_before_the_hmac_check_leaves_the_session_open() {
    let mut b = with_operator();
    let mut s = oiap(&mut b.tpm, OP);
    run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), true).unwrap();
    // Deactivated now: a second SetTempDeactivated fails in the gates, before any HMAC
    // check, so the session survives.
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), true),
        Err(Rc::TPM_DEACTIVATED)
    );
    flush_auth(&mut b, s.handle).unwrap();
}

#[test]
fn unknown_session_handle_is_invalid_authhandle() {
    let mut b = with_operator();
    let mut s = CallerSession {
        handle: 0x1234,
        nonce_even: [0; 20],
        key: OP,
    };
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut s, &(), true),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}

#[test]
fn osap_for_the_owner_without_an_owner_is_bad_parameter() {
    // The OSAP HMAC known answers need an owner; they are unit tests beside the handler
    // until TPM_TakeOwnership exists.
    let mut b = started();
    let r = run::<Osap>(
        &mut b.tpm,
        &OsapIn {
            entity_type: EntityType::TPM_ET_OWNER,
            entity_value: KeyHandle::TPM_KH_OWNER.0,
            nonce_odd_osap: [1; 20],
        },
    );
    assert_eq!(r, Err(Rc::TPM_BAD_PARAMETER));
}

#[test]
fn osap_error_cases() {
    let mut b = started();
    let osap = |b: &mut Bench, t: EntityType, v: u32| {
        run::<Osap>(
            &mut b.tpm,
            &OsapIn {
                entity_type: t,
                entity_value: v,
                nonce_odd_osap: [1; 20],
            },
        )
        .map(|_| ())
    };
    assert_eq!(
        osap(
            &mut b,
            EntityType::TPM_ET_OWNER.with_adip_scheme(AdipEncScheme::TPM_ET_AES128),
            0
        ),
        Err(Rc::TPM_INAPPROPRIATE_ENC)
    );
    assert_eq!(osap(&mut b, EntityType::TPM_ET_SRK, 0), Err(Rc::TPM_NOSRK));
    assert_eq!(
        osap(&mut b, EntityType::TPM_ET_KEYHANDLE, 0x0100_0000),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
    assert_eq!(
        osap(
            &mut b,
            EntityType::TPM_ET_KEYHANDLE,
            KeyHandle::TPM_KH_OPERATOR.0
        ),
        Err(Rc::TPM_BAD_HANDLE)
    );
    assert_eq!(
        osap(&mut b, EntityType::TPM_ET_COUNTER, 1),
        Err(Rc::TPM_BAD_COUNTER)
    );
    assert_eq!(
        osap(&mut b, EntityType::TPM_ET_NV, 1),
        Err(Rc::TPM_BADINDEX)
    );
    assert_eq!(
        osap(&mut b, EntityType(0x0077), 1),
        Err(Rc::TPM_BAD_PARAMETER)
    );
}

#[test]
fn session_table_holds_sixteen() {
    let mut b = started();
    let handles: Vec<u32> = (0..16).map(|_| oiap(&mut b.tpm, [0; 20]).handle).collect();
    assert_eq!(run::<Oiap>(&mut b.tpm, &()), Err(Rc::TPM_RESOURCES));
    run::<TerminateHandle>(&mut b.tpm, &TerminateHandleIn { handle: handles[3] }).unwrap();
    oiap(&mut b.tpm, [0; 20]);
}

#[test]
fn terminate_handle_and_flush_specific_close_sessions() {
    let mut b = started();
    let s = oiap(&mut b.tpm, [0; 20]);
    run::<TerminateHandle>(&mut b.tpm, &TerminateHandleIn { handle: s.handle }).unwrap();
    assert_eq!(
        run::<TerminateHandle>(&mut b.tpm, &TerminateHandleIn { handle: s.handle }),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
    let s = oiap(&mut b.tpm, [0; 20]);
    flush_auth(&mut b, s.handle).unwrap();
    assert_eq!(
        flush_auth(&mut b, s.handle),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}

#[test]
fn flush_specific_of_other_resources() {
    let mut b = started();
    let flush = |b: &mut Bench, rt| {
        run::<FlushSpecific>(
            &mut b.tpm,
            &FlushSpecificIn {
                handle: 5,
                resource_type: rt,
            },
        )
    };
    assert_eq!(
        flush(&mut b, ResourceType::TPM_RT_KEY),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
    assert_eq!(
        flush(&mut b, ResourceType::TPM_RT_TRANS),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
    assert_eq!(
        flush(&mut b, ResourceType::TPM_RT_CONTEXT),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    assert_eq!(
        flush(&mut b, ResourceType::TPM_RT_COUNTER),
        Err(Rc::TPM_INVALID_RESOURCE)
    );
    assert_eq!(
        flush(&mut b, ResourceType(99)),
        Err(Rc::TPM_INVALID_RESOURCE)
    );
}

#[test]
fn sessions_do_not_survive_init() {
    let mut b = started();
    let s = oiap(&mut b.tpm, [0; 20]);
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(
        flush_auth(&mut b, s.handle),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}

#[test]
fn repeated_auth_failures_start_a_lockout_that_doubles() {
    let mut b = with_operator();
    let mut bad = oiap(&mut b.tpm, [0xee; 20]);
    for _ in 0..=tpm_core::DA_THRESHOLD {
        assert_eq!(
            run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut bad, &(), true),
            Err(Rc::TPM_AUTHFAIL)
        );
    }
    // Locked: even the right secret is not checked.
    let mut good = oiap(&mut b.tpm, OP);
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut good, &(), true),
        Err(Rc::TPM_DEFEND_LOCK_RUNNING)
    );
    // The first lockout lasts one second; a further failure doubles it.
    b.controls.advance_us(1_000_000);
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut bad, &(), true),
        Err(Rc::TPM_AUTHFAIL)
    );
    b.controls.advance_us(1_000_000);
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut good, &(), true),
        Err(Rc::TPM_DEFEND_LOCK_RUNNING)
    );
    b.controls.advance_us(1_000_000);
    run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut good, &(), true).unwrap();
}

#[test]
fn auth_failures_are_remembered_across_power_cycles() {
    let mut b = with_operator();
    let mut bad = oiap(&mut b.tpm, [0xee; 20]);
    for _ in 0..=tpm_core::DA_THRESHOLD {
        let _ = run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut bad, &(), true);
    }
    b.tpm.init();
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    let mut good = oiap(&mut b.tpm, OP);
    assert_eq!(
        run_auth1::<SetTempDeactivated>(&mut b.tpm, &mut good, &(), true),
        Err(Rc::TPM_DEFEND_LOCK_RUNNING)
    );
}
