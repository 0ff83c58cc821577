//! The dispatcher through `execute()`: malformed frames, the ordinal table, the state
//! gates, tags and trailing bytes, and independence of TPM values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
use commands::integrity::{PcrRead, PcrReadIn};
use common::*;
use tpm_marshal::framing::CommandFrame;
use tpm_marshal::{Ordinal, ReturnCode as Rc, StartupType};

fn rc(resp: &[u8]) -> Rc {
    assert_well_formed(resp)
}

#[test]
fn truncated_commands_answer_bad_param_size() {
    let mut b = started();
    let full = command::<PcrRead>(&PcrReadIn { pcr_index: 0 });
    for n in 0..full.len() {
        assert_eq!(
            rc(&b.tpm.execute(0, &full[..n])),
            Rc::TPM_BAD_PARAM_SIZE,
            "{n}"
        );
    }
}

#[test]
fn param_size_disagreeing_with_length_is_bad_param_size() {
    let mut b = started();
    let mut cmd = command::<PcrRead>(&PcrReadIn { pcr_index: 0 });
    cmd[5] += 1;
    assert_eq!(rc(&b.tpm.execute(0, &cmd)), Rc::TPM_BAD_PARAM_SIZE);
}

#[test]
fn oversized_commands_are_refused() {
    let mut b = started();
    let mut cmd = vec![0u8; 4097];
    cmd[..10].copy_from_slice(&[0, 0xc1, 0, 0, 0x10, 0x01, 0, 0, 0, 0x15]);
    assert_eq!(rc(&b.tpm.execute(0, &cmd)), Rc::TPM_BAD_PARAM_SIZE);
    let huge = vec![0xffu8; 70_000];
    assert_ne!(rc(&b.tpm.execute(0, &huge)), Rc::TPM_SUCCESS);
}

#[test]
fn random_commands_get_well_formed_answers() {
    let mut b = started();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..3000 {
        let len = (next() % 64) as usize;
        let mut cmd: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Make most of them plausible: a request tag, the right size, a real ordinal.
        if len >= 10 && next() % 4 != 0 {
            cmd[0] = 0;
            cmd[1] = 0xc1 + (next() % 3) as u8;
            cmd[2..6].copy_from_slice(&(len as u32).to_be_bytes());
            let ords = Ordinal::NAMED;
            let o = ords[(next() as usize) % ords.len()].1;
            cmd[6..10].copy_from_slice(&o.0.to_be_bytes());
        }
        rc(&b.tpm.execute((next() % 6) as u8, &cmd));
    }
}

#[test]
fn unknown_and_deleted_ordinals_answer_bad_ordinal() {
    let mut b = started();
    for ord in [
        Ordinal(0x1234_5678),
        Ordinal::TPM_ORD_GetCapabilitySigned,
        Ordinal::TPM_ORD_CertifySelfTest,
    ] {
        assert_eq!(rc(&b.tpm.execute(0, &bare(ord))), Rc::TPM_BAD_ORDINAL);
    }
}

#[test]
fn response_tag_on_a_command_is_badtag() {
    let mut b = started();
    let mut cmd = bare(Ordinal::TPM_ORD_ContinueSelfTest);
    cmd[1] = 0xc4;
    assert_eq!(rc(&b.tpm.execute(0, &cmd)), Rc::TPM_BADTAG);
}

#[test]
fn auth_tag_on_an_auth0_ordinal_is_badtag() {
    let mut b = started();
    let trailer = tpm_marshal::framing::AuthIn {
        handle: 1,
        nonce_odd: [0; 20],
        continue_auth_session: false,
        auth: [0; 20],
    };
    let cmd = CommandFrame::encode(Ordinal::TPM_ORD_PcrRead, &[0, 0, 0, 0], &[trailer]).unwrap();
    assert_eq!(rc(&b.tpm.execute(0, &cmd)), Rc::TPM_BADTAG);
}

#[test]
fn trailing_parameter_bytes_are_bad_param_size() {
    let mut b = started();
    let cmd = CommandFrame::encode(Ordinal::TPM_ORD_PcrRead, &[0, 0, 0, 0, 0], &[]).unwrap();
    assert_eq!(rc(&b.tpm.execute(0, &cmd)), Rc::TPM_BAD_PARAM_SIZE);
}

#[test]
fn every_ordinal_but_startup_answers_invalid_postinit_before_startup() {
    let mut b = fresh(ACTIVE);
    for (_, ord) in Ordinal::NAMED {
        if *ord == Ordinal::TPM_ORD_Startup {
            continue;
        }
        let r = rc(&b.tpm.execute(0, &bare(*ord)));
        assert!(
            r == Rc::TPM_INVALID_POSTINIT || r == Rc::TPM_BAD_ORDINAL,
            "{ord:?}: {r:?}"
        );
    }
}

#[test]
fn disabled_tpm_refuses_ordinals_that_need_enabling() {
    let mut b = fresh(Config {
        enabled: false,
        ..ACTIVE
    });
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_DISABLED)
    );
    // Extend and the SHA-1 session run whatever the state.
    assert!(run::<commands::crypto::Sha1Start>(&mut b.tpm, &()).is_ok());
}

#[test]
fn deactivated_tpm_refuses_ordinals_that_need_activation() {
    let mut b = fresh(Config {
        activated: false,
        ..ACTIVE
    });
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(
        run::<commands::crypto::GetRandom>(
            &mut b.tpm,
            &commands::crypto::GetRandomIn { bytes_requested: 4 }
        ),
        Err(Rc::TPM_DEACTIVATED)
    );
    assert!(run::<commands::sessions::Oiap>(&mut b.tpm, &()).is_ok());
}

#[test]
fn two_tpms_in_one_process_are_independent() {
    use commands::integrity::{Extend, ExtendIn};
    let mut a = started();
    let mut b = started();
    run::<Extend>(
        &mut a.tpm,
        &ExtendIn {
            pcr_num: 0,
            in_digest: [1; 20],
        },
    )
    .unwrap();
    let pa = run::<PcrRead>(&mut a.tpm, &PcrReadIn { pcr_index: 0 }).unwrap();
    let pb = run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }).unwrap();
    assert_ne!(pa, pb);
    assert_eq!(pb.out_digest, [0; 20]);
    a.tpm.init();
    assert_eq!(
        run::<PcrRead>(&mut a.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_INVALID_POSTINIT)
    );
    assert!(run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }).is_ok());
}

#[test]
fn read_only_commands_write_nothing() {
    let mut b = started();
    let before = b.store.saves();
    run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 3 }).unwrap();
    run::<commands::crypto::GetRandom>(
        &mut b.tpm,
        &commands::crypto::GetRandomIn { bytes_requested: 8 },
    )
    .unwrap();
    run::<commands::sessions::Oiap>(&mut b.tpm, &()).unwrap();
    b.tpm.execute(0, &[1, 2, 3]);
    assert_eq!(b.store.saves(), before);
}

#[test]
fn a_permanent_change_is_written_once() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    let before = b.store.saves();
    run::<commands::opt_in::PhysicalDisable>(&mut b.tpm, &()).unwrap();
    assert_eq!(b.store.saves(), before + 1);
    run::<commands::opt_in::PhysicalEnable>(&mut b.tpm, &()).unwrap();
    assert_eq!(b.store.saves(), before + 2);
    // Enabling an enabled TPM changes nothing and writes nothing.
    run::<commands::opt_in::PhysicalEnable>(&mut b.tpm, &()).unwrap();
    assert_eq!(b.store.saves(), before + 2);
}

#[test]
fn limited_self_test_runs_continue_self_test_implicitly() {
    let mut b = started();
    use commands::testing::GetTestResult;
    let t = run::<GetTestResult>(&mut b.tpm, &()).unwrap();
    assert_eq!(t.out_data.0, b"limited self-test passed");
    run::<commands::crypto::GetRandom>(
        &mut b.tpm,
        &commands::crypto::GetRandomIn { bytes_requested: 1 },
    )
    .unwrap();
    let t = run::<GetTestResult>(&mut b.tpm, &()).unwrap();
    assert_eq!(t.out_data.0, b"self-test passed");
}

#[test]
fn failure_mode_answers_failed_self_test_but_get_test_result() {
    let mut b = fresh(ACTIVE);
    // ST_STATE without a saved state puts the TPM in failure mode.
    assert_eq!(
        startup(&mut b.tpm, StartupType::TPM_ST_STATE),
        Err(Rc::TPM_FAILEDSELFTEST)
    );
    assert!(b.tpm.is_failure_mode());
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }),
        Err(Rc::TPM_FAILEDSELFTEST)
    );
    let t = run::<commands::testing::GetTestResult>(&mut b.tpm, &()).unwrap();
    assert_eq!(t.out_data.0, b"failure mode");
    b.tpm.init();
    assert!(!b.tpm.is_failure_mode());
}

#[test]
fn a_locality_beyond_4_is_bad_locality() {
    let mut b = started();
    let cmd = command::<PcrRead>(&PcrReadIn { pcr_index: 0 });
    assert_eq!(rc(&b.tpm.execute(5, &cmd)), Rc::TPM_BAD_LOCALITY);
    assert_eq!(rc(&b.tpm.execute(255, &cmd)), Rc::TPM_BAD_LOCALITY);
}
